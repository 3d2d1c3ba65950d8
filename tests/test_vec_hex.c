/*
 * Every entry of wire-control-hex-vectors.json ("transcribed" and "derived") and of
 * wire-data-hex-vectors.json: decoded with the codec its kind calls for (header, metadata of
 * one message type, whole packet, TLV entry or block, profile patch block, prelude, object
 * reference, typed descriptor, typed or extension region pair, tensor section) and encoded
 * again byte for byte.  Field values are compared where the file states them as key/value
 * pairs, and against the spec's tables where it states them as prose.  nnrp-cs's 4-byte
 * loss-tolerance TLV is read only with NNRP_DECODE_CS_DIALECT and re-encoded by the block
 * encoder, while builders send the 8-byte form (wire-control §14 D2).  An entry whose kind
 * cannot be mapped fails the test.
 */
#include <libnnrp/wire.h>

#include "test.h"
#include "vec_data.h"

/* ---- helpers ------------------------------------------------------------------------------- */

static int bytes_equal(vec_ctx *c, const char *what, const uint8_t *got, size_t glen,
                       nnrp_vec want) {
  if (glen == want.len && (glen == 0 || memcmp(got, want.base, glen) == 0)) return 1;
  vec_fail(c, "%s: re-encoded bytes differ", what);
  vec_print_hex("got     ", got, glen);
  vec_print_hex("expected", want.base, want.len);
  return 0;
}

static void rc_ok(vec_ctx *c, const char *what, int rc) {
  if (rc != 0)
    vec_fail(c, "%s returned %d (%s, %s)", what, rc, nnrp_err_name(rc) ? nnrp_err_name(rc) : "?",
             nnrp_err_rule(rc) ? nnrp_err_rule(rc) : "?");
}

/* The name segment after `key` ("current.metadata.client_hello" -> "client_hello"). */
static const char *segment_after(const char *name, const char *key, char *buf, size_t cap) {
  const char *p = strstr(name, key);
  if (!p) return NULL;
  p += strlen(key);
  if (*p != '.') return NULL;
  p++;
  size_t n = strcspn(p, ".");
  if (n == 0 || n >= cap) return NULL;
  memcpy(buf, p, n);
  buf[n] = 0;
  return buf;
}

/* Compare decoded fields with the entry's "fields" (an object) or its key=value prose. */
static void compare_fields(vec_ctx *c, const vec_struct *st, const json_t *fields,
                           const void *decoded) {
  if (json_is_object(fields))
    vec_compare(c, st, fields, decoded, 0);
  else if (json_is_string(fields))
    vec_compare_text(c, st, json_string_value(fields), decoded);
}

/* ---- metadata codecs ----------------------------------------------------------------------- */

typedef int (*meta_decode_fn)(void *m, const uint8_t *in, size_t len, uint32_t flags);
typedef int (*meta_encode_fn)(const void *m, uint8_t *out);

#define META_CODEC(name, type)                                                   \
  static int dec_##name(void *m, const uint8_t *in, size_t len, uint32_t flags) { \
    return nnrp_##name##_meta_decode((type *)m, in, len, flags);                \
  }                                                                              \
  static int enc_##name(const void *m, uint8_t *out) {                           \
    return nnrp_##name##_meta_encode((const type *)m, out);                      \
  }
META_CODEC(client_hello, nnrp_client_hello_meta)
META_CODEC(server_hello_ack, nnrp_server_hello_ack_meta)
META_CODEC(session_patch, nnrp_session_patch_meta)
META_CODEC(session_patch_ack, nnrp_session_patch_ack_meta)
META_CODEC(error, nnrp_error_meta)
META_CODEC(cache_put, nnrp_cache_put_meta)
META_CODEC(cache_ack, nnrp_cache_ack_meta)
META_CODEC(cache_invalidate, nnrp_cache_invalidate_meta)
META_CODEC(flow_update, nnrp_flow_update_meta)
META_CODEC(result_hint, nnrp_result_hint_meta)
META_CODEC(transport_probe, nnrp_transport_probe_meta)
META_CODEC(transport_probe_ack, nnrp_transport_probe_ack_meta)
META_CODEC(session_migrate, nnrp_session_migrate_meta)
META_CODEC(session_migrate_ack, nnrp_session_migrate_ack_meta)
META_CODEC(frame_submit, nnrp_frame_submit_meta)
META_CODEC(result_push, nnrp_result_push_meta)

typedef struct meta_codec {
  const char *type; /* name segment in the vector files */
  const char *cls;  /* struct table */
  size_t len;
  meta_decode_fn decode;
  meta_encode_fn encode;
} meta_codec;

#define MC(name, cls, len) {#name, cls, len, dec_##name, enc_##name}
static const meta_codec meta_codecs[] = {
    MC(client_hello, "ClientHelloMetadata", 64),
    MC(server_hello_ack, "ServerHelloAckMetadata", 80),
    MC(session_patch, "SessionPatchMetadata", 36),
    MC(session_patch_ack, "SessionPatchAckMetadata", 48),
    MC(error, "ErrorMetadata", 32),
    MC(cache_put, "CachePutMetadata", 32),
    MC(cache_ack, "CacheAckMetadata", 28),
    MC(cache_invalidate, "CacheInvalidateMetadata", 20),
    MC(flow_update, "FlowUpdateMetadata", 32),
    MC(result_hint, "ResultHintMetadata", 16),
    MC(transport_probe, "TransportProbeMetadata", 16),
    MC(transport_probe_ack, "TransportProbeAckMetadata", 16),
    MC(session_migrate, "SessionMigrateMetadata", 24),
    MC(session_migrate_ack, "SessionMigrateAckMetadata", 24),
    MC(frame_submit, "FrameSubmitMetadata", 72),
    MC(result_push, "ResultPushMetadata", 64),
};

static const meta_codec *meta_codec_for(const char *type) {
  for (size_t i = 0; i < sizeof(meta_codecs) / sizeof(meta_codecs[0]); i++)
    if (strcmp(meta_codecs[i].type, type) == 0) return &meta_codecs[i];
  return NULL;
}

/* The metadata codec of a message type ("CLIENT_HELLO" -> "client_hello"), or NULL. */
static const meta_codec *meta_codec_for_msg(unsigned msg_type) {
  const char *name = nnrp_msg_type_name(msg_type);
  char lower[32] = "";
  for (size_t i = 0; name && name[i] && i + 1 < sizeof(lower); i++)
    lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + ('a' - 'A') : name[i]);
  return meta_codec_for(lower);
}

/* Decode, compare fields, re-encode; the fixed length is exact in both directions. */
static int do_metadata(vec_ctx *c, const char *type, nnrp_vec bytes, const json_t *fields,
                       void *decoded_out) {
  const meta_codec *mc = meta_codec_for(type);
  if (!mc) {
    vec_fail(c, "no metadata codec for \"%s\"", type);
    return -1;
  }
  nnrp_meta m;
  uint8_t out[80];
  memset(&m, 0, sizeof(m));
  if (bytes.len != mc->len) vec_fail(c, "%zu bytes for %zu-byte metadata", bytes.len, mc->len);
  int rc = mc->decode(&m, bytes.base, bytes.len, 0);
  rc_ok(c, "metadata decode", rc);
  if (rc) return -1;
  compare_fields(c, vec_struct_by_class(mc->cls), fields, &m);
  rc_ok(c, "metadata encode", mc->encode(&m, out));
  bytes_equal(c, "metadata", out, mc->len, bytes);
  /* One byte short is never a valid metadata block. */
  nnrp_meta shorter;
  if (mc->decode(&shorter, bytes.base, bytes.len - 1, 0) >= 0)
    vec_fail(c, "metadata decode accepted %zu bytes", bytes.len - 1);
  if (decoded_out) memcpy(decoded_out, &m, sizeof(m));
  return 0;
}

/* ---- packets ------------------------------------------------------------------------------- */

static void do_packet(vec_ctx *c, nnrp_vec bytes, const json_t *fields) {
  nnrp_packet p;
  nnrp_decode_options o = vec_opts(NNRP_DECODE_EXACT);
  nnrp_diag d = {0, 0};
  int rc = nnrp_packet_decode(&p, bytes.base, bytes.len, &o, &d);
  rc_ok(c, "nnrp_packet_decode", rc);
  if (rc) {
    fprintf(stderr, "    at offset %zu\n", d.offset);
    return;
  }
  /* Header and metadata fields: {"header": {...}, <metadata fields>} or prose. */
  if (json_is_object(fields)) {
    json_t *meta_fields = json_deep_copy(fields);
    const json_t *hdr = json_object_get(fields, "header");
    if (hdr) vec_compare(c, &vec_header_struct, hdr, &p.header, 0);
    json_object_del(meta_fields, "header");
    const meta_codec *mc = meta_codec_for_msg(p.header.msg_type);
    if (mc) vec_compare(c, vec_struct_by_class(mc->cls), meta_fields, &p.meta, 0);
    else if (json_object_size(meta_fields)) vec_fail(c, "fields given for a type without metadata");
    json_decref(meta_fields);
  }
  /* Raw: metadata encoder (where the type has metadata) and the packet encoder. */
  const meta_codec *mc = meta_codec_for_msg(p.header.msg_type);
  if (mc) {
    uint8_t meta[80];
    rc_ok(c, "metadata encode", mc->encode(&p.meta, meta));
    bytes_equal(c, "metadata", meta, mc->len, p.metadata);
  }
  uint8_t *raw = vec_alloc(c, bytes.len);
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, raw, bytes.len);
  rc_ok(c, "nnrp_packet_encode_raw", nnrp_packet_encode_raw(&p.header, p.metadata, p.body, &s));
  bytes_equal(c, "raw packet", raw, s.len, bytes);
  /* Region bodies: the six regions pack back into the same body. */
  if ((p.header.msg_type == NNRP_MSG_FRAME_SUBMIT || p.header.msg_type == NNRP_MSG_RESULT_PUSH) &&
      p.data.family == NNRP_BODY_REGION) {
    nnrp_vec regions[NNRP_REGION_COUNT];
    rc_ok(c, "nnrp_body_unpack", nnrp_body_unpack(regions, p.body.base, p.body.len, 0, NULL));
    uint8_t *body = vec_alloc(c, p.body.len);
    nnrp_sink_init_buffer(&s, body, p.body.len);
    rc_ok(c, "nnrp_body_pack", nnrp_body_pack(regions, &s));
    bytes_equal(c, "region body", body, s.len, p.body);
  }
  /* Through the builder of the message type. */
  nnrp_vec rebuilt;
  const char *how = "?";
  rc = vec_reencode(c, &p, &rebuilt, &how);
  if (rc == VEC_REBUILT)
    bytes_equal(c, how, rebuilt.base, rebuilt.len, bytes);
  else if (rc == VEC_NO_BUILDER)
    vec_fail(c, "no builder re-encodes this packet");
  else
    rc_ok(c, how, rc);
}

/* ---- control extension TLVs ---------------------------------------------------------------- */

static const uint16_t client_types[] = {NNRP_EXT_TRANSPORT_POLICY, NNRP_EXT_LOSS_TOLERANCE,
                                        NNRP_EXT_PAYLOAD_CAPABILITIES};
static const uint16_t server_types[] = {NNRP_EXT_TRANSPORT_POLICY_ACK, NNRP_EXT_LOSS_TOLERANCE_ACK,
                                        NNRP_EXT_PAYLOAD_CAPABILITIES_ACK};

typedef struct ext_block_job {
  const nnrp_ext_entry *entries;
  size_t count;
} ext_block_job;

static int run_ext_job(vec_ctx *c, const void *arg, nnrp_sink *s) {
  (void)c;
  const ext_block_job *j = arg;
  return nnrp_ext_block_encode(j->entries, j->count, s);
}

/* Re-encode one standard entry from its parsed value; returns the bytes (owned by c). */
static nnrp_vec rebuild_standard(vec_ctx *c, const nnrp_ext_entry *e) {
  nnrp_vec none = {NULL, 0};
  uint8_t *buf = vec_alloc(c, 8);
  nnrp_ext_entry built;
  int critical = (e->ext_flags & NNRP_EXT_FLAG_CRITICAL) != 0, rc;
  if (e->ext_type == NNRP_EXT_TRANSPORT_POLICY || e->ext_type == NNRP_EXT_TRANSPORT_POLICY_ACK) {
    nnrp_transport_policy_ext v;
    rc = nnrp_ext_transport_policy_parse(e, &v);
    rc_ok(c, "nnrp_ext_transport_policy_parse", rc);
    if (rc == 0) rc = nnrp_ext_transport_policy_build(e->ext_type, &v, critical, buf, &built);
  } else if (e->ext_type == NNRP_EXT_LOSS_TOLERANCE || e->ext_type == NNRP_EXT_LOSS_TOLERANCE_ACK) {
    nnrp_loss_tolerance_ext v;
    rc = nnrp_ext_loss_tolerance_parse(e, &v);
    rc_ok(c, "nnrp_ext_loss_tolerance_parse", rc);
    if (rc == 0) rc = nnrp_ext_loss_tolerance_build(e->ext_type, &v, critical, buf, &built);
  } else if (e->ext_type == NNRP_EXT_PAYLOAD_CAPABILITIES ||
             e->ext_type == NNRP_EXT_PAYLOAD_CAPABILITIES_ACK) {
    nnrp_payload_caps_ext v;
    rc = nnrp_ext_payload_caps_parse(e, &v);
    rc_ok(c, "nnrp_ext_payload_caps_parse", rc);
    if (rc == 0) rc = nnrp_ext_payload_caps_build(e->ext_type, &v, critical, buf, &built);
  } else {
    return none;
  }
  rc_ok(c, "standard extension build", rc);
  if (rc) return none;
  ext_block_job j = {&built, 1};
  nnrp_vec out;
  rc_ok(c, "nnrp_ext_block_encode", vec_run_sinks(c, run_ext_job, &j, &out));
  return out;
}

/* Values wire-control §12.4 gives for the standard TLV vectors. */
static void check_tlv_values(vec_ctx *c, const char *name, const nnrp_ext_entry *e) {
  if (strstr(name, "client_transport_policy")) {
    nnrp_transport_policy_ext v;
    if (nnrp_ext_transport_policy_parse(e, &v) == 0 &&
        (v.transport_policy != NNRP_TRANSPORT_POLICY_PREFER_TCP ||
         v.transport_id != NNRP_TRANSPORT_TCP))
      vec_fail(c, "0x0101 values %u/%u, expected prefer_tcp/tcp", v.transport_policy,
               (unsigned)v.transport_id);
  } else if (strstr(name, "server_transport_policy_ack")) {
    nnrp_transport_policy_ext v;
    if (nnrp_ext_transport_policy_parse(e, &v) == 0 &&
        (v.transport_policy != NNRP_TRANSPORT_POLICY_PREFER_QUIC ||
         v.accepted_transport_policy != NNRP_TRANSPORT_POLICY_FORCE_TCP ||
         v.transport_id != NNRP_TRANSPORT_TCP))
      vec_fail(c, "0x0102 values %u/%u/%u, expected prefer_quic/force_tcp/tcp",
               v.transport_policy, v.accepted_transport_policy, (unsigned)v.transport_id);
  } else if (strstr(name, "client_loss_tolerance")) {
    nnrp_loss_tolerance_ext v;
    unsigned want_len = strstr(name, "cs_4byte") ? 4 : 8;
    if (nnrp_ext_loss_tolerance_parse(e, &v) == 0 &&
        (v.loss_tolerance != NNRP_LOSS_LOW_LATENCY || v.payload_len != want_len))
      vec_fail(c, "0x0103 values %u (len %u), expected low_latency (len %u)", v.loss_tolerance,
               v.payload_len, want_len);
  } else if (strstr(name, "client_payload_capabilities")) {
    nnrp_payload_caps_ext v;
    if (nnrp_ext_payload_caps_parse(e, &v) == 0 &&
        (v.payload_kind_bitmap != (NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_TOKEN_CHUNK) ||
         v.critical_extension_frame_bitmap != 0))
      vec_fail(c, "0x0105 values 0x%x/0x%x, expected 0x3/0", (unsigned)v.payload_kind_bitmap,
               (unsigned)v.critical_extension_frame_bitmap);
  }
}

static void do_tlv(vec_ctx *c, const char *name, nnrp_vec bytes) {
  /* The block's own types count as known, so only the framing and standard payloads decide. */
  nnrp_ext_entry *e = vec_alloc(c, (bytes.len / 8 + 1) * sizeof(*e));
  uint16_t *types = vec_alloc(c, (bytes.len / 8 + 1) * sizeof(uint16_t));
  size_t n = 0;
  nnrp_diag d = {0, 0};
  int cs_dialect = strstr(name, "cs_4byte") != NULL;
  /* Unknown types: nothing is parsed, every entry is framing only. */
  int rc = nnrp_ext_block_validate(bytes.base, bytes.len, NULL, 0, 0, &d);
  int has_critical = 0;
  nnrp_ext_iter it;
  nnrp_ext_iter_init(&it, bytes.base, bytes.len);
  while (n < bytes.len / 8 + 1 && nnrp_ext_iter_next(&it, &e[n])) {
    types[n] = e[n].ext_type;
    has_critical |= (e[n].ext_flags & NNRP_EXT_FLAG_CRITICAL) != 0;
    n++;
  }
  if (has_critical) {
    /* wire-control §5.2: no known set, a critical entry is an unknown critical one. */
    if (rc != NNRP_ERR_EXT_UNKNOWN_CRITICAL)
      vec_fail(c, "block with a critical entry and no known types: got %d, expected "
               "EXT_UNKNOWN_CRITICAL", rc);
  } else {
    rc_ok(c, "nnrp_ext_block_validate (no known types)", rc);
  }
  if (cs_dialect) {
    /* nnrp-py rejects the 4-byte form; only the nnrp-cs dialect reads it (§14 D2). */
    rc = nnrp_ext_block_validate(bytes.base, bytes.len, client_types, 3, 0, &d);
    if (rc != NNRP_ERR_EXT_LENGTH)
      vec_fail(c, "4-byte 0x0103 in a CLIENT_HELLO block: got %d, expected EXT_LENGTH", rc);
    rc = nnrp_ext_block_validate(bytes.base, bytes.len, client_types, 3,
                                 NNRP_DECODE_PY_COMPAT, &d);
    if (rc != NNRP_ERR_EXT_LENGTH)
      vec_fail(c, "4-byte 0x0103, PY-compatible profile: got %d, expected EXT_LENGTH", rc);
    rc_ok(c, "nnrp_ext_block_validate (nnrp-cs dialect)",
          nnrp_ext_block_validate(bytes.base, bytes.len, client_types, 3,
                                  NNRP_DECODE_CS_DIALECT, &d));
  } else {
    rc_ok(c, "nnrp_ext_block_validate (own types known)",
          nnrp_ext_block_validate(bytes.base, bytes.len, types, n, 0, &d));
    /* Standard entries are known in their own hello only (§5.2). */
    for (size_t i = 0; i < n; i++) {
      const uint16_t *set = e[i].ext_type & 1 ? client_types : server_types;
      if (e[i].ext_type >= 0x0101 && e[i].ext_type <= 0x0106)
        rc_ok(c, "standard entry in its hello",
              nnrp_ext_block_validate(bytes.base, bytes.len, set, 3, 0, &d));
    }
  }
  if (nnrp_ext_block_len(e, n) != bytes.len)
    vec_fail(c, "nnrp_ext_block_len %zu for a %zu-byte block", nnrp_ext_block_len(e, n), bytes.len);
  ext_block_job j = {e, n};
  nnrp_vec out;
  rc_ok(c, "nnrp_ext_block_encode", vec_run_sinks(c, run_ext_job, &j, &out));
  bytes_equal(c, "extension block", out.base, out.len, bytes);
  if (cs_dialect) {
    /* A CLIENT_HELLO builder sends only nnrp-py's 8-byte form (§14 D2). */
    nnrp_packet_params pp;
    nnrp_client_hello_meta m;
    memset(&pp, 0, sizeof(pp));
    memset(&m, 0, sizeof(m));
    m.min_version_major = m.max_version_major = 1;
    m.supported_wire_format_bitmap = 1;
    nnrp_sink s;
    nnrp_vec no_auth = {NULL, 0};
    nnrp_sink_init_count(&s);
    rc = nnrp_build_client_hello(&pp, &m, e, n, no_auth, &s);
    if (rc != NNRP_ERR_EXT_LENGTH)
      vec_fail(c, "CLIENT_HELLO builder with the 4-byte 0x0103 entry: got %d, expected "
               "EXT_LENGTH", rc);
  }
  for (size_t i = 0; i < n; i++) {
    check_tlv_values(c, name, &e[i]);
    nnrp_vec std = rebuild_standard(c, &e[i]);
    if (!std.base) continue;
    if (cs_dialect) {
      /* The builder always emits nnrp-py's 8-byte form: only ext_len differs (§14 D2). */
      static const uint8_t py_form[16] = {0x03, 0x01, 0, 0, 8, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0};
      nnrp_vec want = {py_form, sizeof(py_form)};
      bytes_equal(c, "0x0103 rebuilt in the 8-byte form", std.base, std.len, want);
    } else if (n == 1) {
      bytes_equal(c, "standard entry rebuilt from its value", std.base, std.len, bytes);
    }
  }
}

/* ---- control file -------------------------------------------------------------------------- */

static int control_entry(const json_t *v) {
  vec_ctx c;
  const char *name = json_string_value(json_object_get(v, "name"));
  const char *kind = json_string_value(json_object_get(v, "kind"));
  const json_t *fields = json_object_get(v, "fields");
  char seg[48], type[48];
  vec_ctx_init(&c, name ? name : "?");
  nnrp_vec bytes = vec_hex(&c, json_string_value(json_object_get(v, "hex")));
  if ((size_t)json_integer_value(json_object_get(v, "bytes")) != bytes.len)
    vec_fail(&c, "\"bytes\" says %lld, hex holds %zu",
             (long long)json_integer_value(json_object_get(v, "bytes")), bytes.len);
  /* Derived entries carry their kind in the name: derived.<kind>.<type>... */
  if (!kind && name) kind = segment_after(name, "derived", seg, sizeof(seg));
  int mapped = 1;
  if (!kind) {
    mapped = 0;
  } else if (strcmp(kind, "header") == 0) {
    nnrp_header h;
    uint8_t out[40];
    rc_ok(&c, "nnrp_header_decode", nnrp_header_decode(&h, bytes.base, bytes.len, NULL));
    if (json_is_object(fields)) vec_compare(&c, &vec_header_struct, fields, &h, 0);
    rc_ok(&c, "nnrp_header_encode", nnrp_header_encode(&h, out));
    bytes_equal(&c, "header", out, 40, bytes);
  } else if (strcmp(kind, "metadata") == 0) {
    if (!segment_after(name, "metadata", type, sizeof(type)))
      mapped = 0;
    else
      do_metadata(&c, type, bytes, fields, NULL);
  } else if (strcmp(kind, "packet") == 0) {
    do_packet(&c, bytes, fields);
  } else if (strcmp(kind, "tlv") == 0) {
    do_tlv(&c, name, bytes);
  } else if (strcmp(kind, "body") == 0 && strstr(name, "profile_patch")) {
    nnrp_profile_patch pp;
    uint8_t out[16];
    rc_ok(&c, "nnrp_profile_patch_decode", nnrp_profile_patch_decode(&pp, bytes.base, bytes.len));
    compare_fields(&c, vec_struct_by_class("TensorProfilePatchBlock"), fields, &pp);
    rc_ok(&c, "nnrp_profile_patch_encode", nnrp_profile_patch_encode(&pp, out));
    bytes_equal(&c, "profile patch block", out, 16, bytes);
  } else {
    mapped = 0;
  }
  if (!mapped) vec_fail(&c, "cannot map this entry (kind \"%s\")", kind ? kind : "?");
  int ok = c.errors == 0;
  vec_ctx_free(&c);
  return mapped ? ok : -1;
}

static void test_control_hex(void) {
  json_t *root = vec_load("wire-control-hex-vectors.json");
  static const char *const groups[] = {"transcribed", "derived"};
  size_t total = 0, passed = 0, unmapped = 0;
  for (size_t g = 0; g < 2; g++) {
    const json_t *arr = json_object_get(root, groups[g]);
    CHECK(json_is_array(arr));
    for (size_t i = 0; i < json_array_size(arr); i++) {
      int r = control_entry(json_array_get(arr, i));
      total++;
      if (r == 1) passed++;
      if (r < 0) unmapped++;
    }
  }
  printf("wire-control-hex-vectors.json: %zu entries, %zu mapped, %zu passed\n", total,
         total - unmapped, passed);
  CHECK_EQ(total, 38);
  CHECK_EQ(unmapped, 0);
  CHECK_EQ(passed, total);
  json_decref(root);
}

/* ---- data file ----------------------------------------------------------------------------- */

static nnrp_vec partner(vec_ctx *c, const json_t *all, const char *name) {
  for (size_t i = 0; i < json_array_size(all); i++) {
    const json_t *v = json_array_get(all, i);
    if (strcmp(json_string_value(json_object_get(v, "name")), name) == 0)
      return vec_hex(c, json_string_value(json_object_get(v, "hex")));
  }
  vec_fail(c, "partner vector %s is missing", name);
  nnrp_vec none = {vec_alloc(c, 1), 0};
  return none;
}

/* §16.1 golden metadata values. */
static void check_golden_submit(vec_ctx *c, const nnrp_frame_submit_meta *m) {
  const uint64_t got[] = {m->src_width,   m->src_height,     m->tile_width,       m->tile_height,
                          m->tile_count,  m->section_count,  m->frame_class,      m->input_profile,
                          m->tile_index_mode, m->latency_budget_ms, m->target_fps_x100,
                          m->retry_of_frame, m->tile_base_id, m->camera_bytes, m->tile_index_bytes,
                          m->submit_mode, m->budget_policy,  m->loss_tolerance_policy,
                          m->object_ref_mask, m->dependency_frame_id, m->payload_kind_bitmap,
                          m->payload_frame_count};
  const uint64_t want[] = {640, 360, 32, 32, 84, 2, 1, 2, 0, 100, 6000, 7, 0, 192, 0,
                           2,   5,   0xFF, 3, 41, 0x11, 2};
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
    if (got[i] != want[i])
      vec_fail(c, "FRAME_SUBMIT golden field #%zu: %llu != %llu", i, (unsigned long long)got[i],
               (unsigned long long)want[i]);
}

static void check_golden_result(vec_ctx *c, const nnrp_result_push_meta *m) {
  const uint64_t got[] = {m->status_code,  m->result_flags,   m->section_count,
                          m->tile_count,   m->active_profile_id, m->inference_ms,
                          m->queue_ms,     m->server_total_ms, m->tile_base_id,
                          m->tile_index_bytes, m->result_class, m->applied_budget_policy,
                          m->reused_frame_id, m->covered_tile_count, m->dropped_tile_count,
                          m->payload_kind_bitmap, m->payload_frame_count};
  const uint64_t want[] = {0, 4, 1, 84, 2, 843, 2, 846, 0, 16, 1, 1, 41, 53, 31, 3, 3};
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
    if (got[i] != want[i])
      vec_fail(c, "RESULT_PUSH golden field #%zu: %llu != %llu", i, (unsigned long long)got[i],
               (unsigned long long)want[i]);
}

static void do_prelude(vec_ctx *c, nnrp_vec bytes) {
  nnrp_prelude p;
  uint8_t out[32];
  if (bytes.len != 32) vec_fail(c, "prelude of %zu bytes", bytes.len);
  if (bytes.len != 32) return;
  nnrp_prelude_decode(&p, bytes.base);
  if (p.inline_object_bytes != 24 || p.object_reference_bytes != 16 ||
      p.typed_payload_descriptor_bytes != 16 || p.typed_payload_frame_bytes != 14 ||
      p.extension_descriptor_bytes != 16 || p.extension_payload_bytes != 5 || p.body_flags ||
      p.reserved)
    vec_fail(c, "prelude fields differ from wire-data §16.1");
  nnrp_prelude_encode(&p, out);
  bytes_equal(c, "prelude", out, 32, bytes);
}

static void do_object_ref(vec_ctx *c, nnrp_vec bytes) {
  nnrp_object_ref r;
  uint8_t out[16];
  if (bytes.len != 16) {
    vec_fail(c, "reference block of %zu bytes", bytes.len);
    return;
  }
  nnrp_object_ref_decode(&r, bytes.base);
  if (r.object_kind != NNRP_OBJECT_TILE_INDEX_BLOCK || r.ref_flags || r.cache_namespace != 7 ||
      r.cache_key_hi != 0x11223344u || r.cache_key_lo != 0x55667788u)
    vec_fail(c, "reference fields differ from wire-data §16.1");
  nnrp_object_ref_encode(&r, out);
  bytes_equal(c, "object reference", out, 16, bytes);
}

static void do_typed_desc(vec_ctx *c, nnrp_vec bytes) {
  nnrp_typed_desc t;
  uint8_t out[16];
  if (bytes.len != 16) {
    vec_fail(c, "descriptor of %zu bytes", bytes.len);
    return;
  }
  nnrp_typed_desc_decode(&t, bytes.base);
  if (t.payload_kind != NNRP_PAYLOAD_STRUCTURED_EVENT || t.descriptor_flags ||
      t.profile_id != 3 || t.payload_offset != 4 || t.payload_length != 7 || t.reserved)
    vec_fail(c, "typed descriptor fields differ from wire-data §16.1");
  nnrp_typed_desc_encode(&t, out);
  bytes_equal(c, "typed descriptor", out, 16, bytes);
}

static void do_typed_regions(vec_ctx *c, nnrp_vec desc, nnrp_vec frames) {
  static const uint8_t kinds[] = {NNRP_PAYLOAD_TOKEN_CHUNK, NNRP_PAYLOAD_AUDIO_CHUNK,
                                  NNRP_PAYLOAD_VIDEO_CHUNK, NNRP_PAYLOAD_STRUCTURED_EVENT};
  static const char *const payloads[] = {"tok", "au", "video", "evt"};
  nnrp_diag d = {0, 0};
  int rc = nnrp_typed_regions_validate(desc, frames, &d);
  rc_ok(c, "nnrp_typed_regions_validate", rc);
  if (rc || desc.len != 64) return;
  nnrp_typed_frame f[4];
  for (size_t i = 0; i < 4; i++) {
    nnrp_typed_frame_at(desc, frames, i, &f[i]);
    if (f[i].payload_kind != kinds[i] || f[i].profile_id != i + 1 || f[i].descriptor_flags ||
        f[i].payload.len != strlen(payloads[i]) ||
        memcmp(f[i].payload.base, payloads[i], f[i].payload.len) != 0)
      vec_fail(c, "typed frame %zu differs from wire-data §16.1", i);
    rc_ok(c, "nnrp_typed_frame_check", nnrp_typed_frame_check(&f[i]));
    rc_ok(c, "nnrp_typed_frame_expect", nnrp_typed_frame_expect(&f[i], kinds[i]));
  }
  uint8_t dbuf[64], fbuf[16];
  nnrp_sink ds, fs;
  nnrp_sink_init_buffer(&ds, dbuf, sizeof(dbuf));
  nnrp_sink_init_buffer(&fs, fbuf, sizeof(fbuf));
  rc_ok(c, "nnrp_typed_frames_pack", nnrp_typed_frames_pack(f, 4, &ds, &fs));
  bytes_equal(c, "typed descriptor region", dbuf, ds.len, desc);
  bytes_equal(c, "typed frame region", fbuf, fs.len, frames);
}

static void do_ext_regions(vec_ctx *c, nnrp_vec desc, nnrp_vec payloads) {
  nnrp_diag d = {0, 0};
  int rc = nnrp_ext_regions_validate(desc, payloads, &d);
  rc_ok(c, "nnrp_ext_regions_validate", rc);
  if (rc || desc.len != 32) return;
  nnrp_ext_frame f[2];
  nnrp_ext_frame_at(desc, payloads, 0, &f[0]);
  nnrp_ext_frame_at(desc, payloads, 1, &f[1]);
  if (f[0].extension_kind != 100 || f[0].extension_flags != 0 || f[0].profile_id != 1 ||
      f[0].payload.len != 5 || memcmp(f[0].payload.base, "alpha", 5) != 0)
    vec_fail(c, "extension frame 0 differs from wire-data §16.3 E8");
  if (f[1].extension_kind != 101 || f[1].extension_flags != NNRP_EXT_FRAME_CRITICAL ||
      f[1].profile_id != 2 || f[1].payload.len != 4 || memcmp(f[1].payload.base, "beta", 4) != 0)
    vec_fail(c, "extension frame 1 differs from wire-data §16.3 E8");
  uint8_t dbuf[32], pbuf[16];
  nnrp_sink ds, ps;
  nnrp_sink_init_buffer(&ds, dbuf, sizeof(dbuf));
  nnrp_sink_init_buffer(&ps, pbuf, sizeof(pbuf));
  rc_ok(c, "nnrp_ext_frames_pack", nnrp_ext_frames_pack(f, 2, &ds, &ps));
  bytes_equal(c, "extension descriptor region", dbuf, ds.len, desc);
  bytes_equal(c, "extension payload region", pbuf, ps.len, payloads);
  /* E8: known {101} skips 100 and keeps 101; known {100, 101} keeps both; a lone CRITICAL
   * 102 with known {101} fails; with no registry every CRITICAL frame fails. */
  static const uint16_t k101[] = {101}, k100_101[] = {100, 101};
  if (nnrp_ext_frame_filter(&f[0], k101, 1) != 0) vec_fail(c, "kind 100 not skipped by {101}");
  if (nnrp_ext_frame_filter(&f[1], k101, 1) != 1) vec_fail(c, "kind 101 not kept by {101}");
  if (nnrp_ext_frame_filter(&f[0], k100_101, 2) != 1 ||
      nnrp_ext_frame_filter(&f[1], k100_101, 2) != 1)
    vec_fail(c, "known {100, 101} must keep both frames");
  nnrp_ext_frame lone = f[1];
  lone.extension_kind = 102;
  if (nnrp_ext_frame_filter(&lone, k101, 1) != NNRP_ERR_EXT_FRAME_CRITICAL)
    vec_fail(c, "critical kind 102 with known {101} must fail EXT_FRAME_CRITICAL");
  if (nnrp_ext_frame_filter(&f[1], NULL, 0) != NNRP_ERR_EXT_FRAME_CRITICAL ||
      nnrp_ext_frame_filter(&f[0], NULL, 0) != 0)
    vec_fail(c, "without a registry: critical fails, non-critical is skipped");
}

static int run_section(vec_ctx *c, const void *arg, nnrp_sink *s) {
  (void)c;
  return nnrp_tensor_section_encode(arg, s);
}

/* E2: fixed stride + codec table (one section of two tiles). */
static void do_section(vec_ctx *c, nnrp_vec bytes) {
  nnrp_diag d = {0, 0};
  int rc = nnrp_section_seq_validate(bytes.base, bytes.len, 1, 2, 0, &d);
  rc_ok(c, "nnrp_section_seq_validate", rc);
  if (rc) return;
  nnrp_section_iter it;
  nnrp_section_view v;
  nnrp_section_iter_init(&it, bytes.base, bytes.len, 1);
  if (nnrp_section_iter_next(&it, &v) != 1) {
    vec_fail(c, "no section");
    return;
  }
  if (v.desc.role_id != 9 || v.desc.codec_id != 0 || v.desc.dtype_id != NNRP_DTYPE_UINT8 ||
      v.desc.flags != (NNRP_SECTION_MIXED_CODEC | NNRP_SECTION_FIXED_STRIDE) ||
      v.desc.payload_stride_bytes != 4 || v.desc.codec_table_bytes != 2 ||
      v.desc.length_table_bytes != 8 || v.desc.payload_bytes != 8 || v.tile_count != 2)
    vec_fail(c, "section descriptor differs from wire-data §16.3 E2");
  static const char *const tiles[] = {"ab", "cde"};
  nnrp_vec payloads[2];
  nnrp_section_tile_iter ti;
  nnrp_section_tile_iter_init(&ti, &v);
  for (size_t i = 0; i < 2; i++) {
    if (nnrp_section_tile_iter_next(&ti, &payloads[i]) != 1 ||
        payloads[i].len != strlen(tiles[i]) ||
        memcmp(payloads[i].base, tiles[i], payloads[i].len) != 0)
      vec_fail(c, "tile %zu differs from E2", i);
    if (nnrp_section_tile_codec(&v, i) != i + 1) vec_fail(c, "tile %zu codec differs", i);
  }
  uint8_t out[64];
  nnrp_sink s;
  nnrp_vec ct = {v.codec_table, v.desc.codec_table_bytes};
  nnrp_vec lt = {v.length_table, v.desc.length_table_bytes};
  nnrp_vec pl = {v.payload, v.desc.payload_bytes};
  nnrp_sink_init_buffer(&s, out, sizeof(out));
  rc_ok(c, "nnrp_tensor_section_pack", nnrp_tensor_section_pack(&v.desc, ct, lt, pl, &s));
  bytes_equal(c, "section from its descriptor", out, s.len, bytes);
  static const uint8_t codecs[] = {1, 2};
  nnrp_tensor_section_data sd;
  memset(&sd, 0, sizeof(sd));
  sd.role_id = 9;
  sd.dtype_id = NNRP_DTYPE_UINT8;
  sd.payload_stride_bytes = 4;
  sd.tile_payloads = payloads;
  sd.tile_payload_count = 2;
  sd.codec_ids = codecs;
  sd.codec_id_count = 2;
  size_t len = 0;
  rc_ok(c, "nnrp_tensor_section_encoded_len", nnrp_tensor_section_encoded_len(&sd, &len));
  if (len != bytes.len) vec_fail(c, "encoded_len %zu, expected %zu", len, bytes.len);
  nnrp_vec built;
  rc_ok(c, "nnrp_tensor_section_encode", vec_run_sinks(c, run_section, &sd, &built));
  bytes_equal(c, "section from logical input", built.base, built.len, bytes);
}

static int data_entry(const json_t *all, const json_t *v) {
  vec_ctx c;
  const char *name = json_string_value(json_object_get(v, "name"));
  vec_ctx_init(&c, name ? name : "?");
  nnrp_vec bytes = vec_hex(&c, json_string_value(json_object_get(v, "hex")));
  if ((size_t)json_integer_value(json_object_get(v, "bytes")) != bytes.len)
    vec_fail(&c, "\"bytes\" disagrees with the hex");
  int mapped = 1;
  char type[48];
  if (!name) {
    mapped = 0;
  } else if (segment_after(name, "current.metadata", type, sizeof(type))) {
    nnrp_meta m;
    if (do_metadata(&c, type, bytes, NULL, &m) == 0) {
      if (strcmp(type, "frame_submit") == 0) check_golden_submit(&c, &m.frame_submit);
      if (strcmp(type, "result_push") == 0) check_golden_result(&c, &m.result_push);
    }
  } else if (strcmp(name, "current.body_region.prelude") == 0) {
    do_prelude(&c, bytes);
  } else if (strcmp(name, "current.object_reference.tile_index_block") == 0) {
    do_object_ref(&c, bytes);
  } else if (strcmp(name, "current.typed_payload.descriptor") == 0) {
    do_typed_desc(&c, bytes);
  } else if (strcmp(name, "current.typed_payload.frame_descriptor_region") == 0) {
    do_typed_regions(&c, bytes, partner(&c, all, "current.typed_payload.frame_region"));
  } else if (strcmp(name, "current.typed_payload.frame_region") == 0) {
    do_typed_regions(&c, partner(&c, all, "current.typed_payload.frame_descriptor_region"),
                     bytes);
  } else if (strcmp(name, "E8.extension_descriptor_region") == 0) {
    do_ext_regions(&c, bytes, partner(&c, all, "E8.extension_payload_region"));
  } else if (strcmp(name, "E8.extension_payload_region") == 0) {
    do_ext_regions(&c, partner(&c, all, "E8.extension_descriptor_region"), bytes);
  } else if (strstr(name, ".section_")) {
    do_section(&c, bytes);
  } else if (bytes.len >= 40 && memcmp(bytes.base, "NNRP", 4) == 0) {
    do_packet(&c, bytes, NULL);
  } else {
    mapped = 0;
  }
  if (!mapped) vec_fail(&c, "cannot map this entry");
  int ok = c.errors == 0;
  vec_ctx_free(&c);
  return mapped ? ok : -1;
}

static void test_data_hex(void) {
  json_t *root = vec_load("wire-data-hex-vectors.json");
  const json_t *arr = json_object_get(root, "vectors");
  size_t total = 0, passed = 0, unmapped = 0;
  CHECK(json_is_array(arr));
  for (size_t i = 0; i < json_array_size(arr); i++) {
    int r = data_entry(arr, json_array_get(arr, i));
    total++;
    if (r == 1) passed++;
    if (r < 0) unmapped++;
  }
  printf("wire-data-hex-vectors.json: %zu entries, %zu mapped, %zu passed\n", total,
         total - unmapped, passed);
  CHECK_EQ(total, 20);
  CHECK_EQ(unmapped, 0);
  CHECK_EQ(passed, total);
  json_decref(root);
}

int main(void) {
  RUN(test_control_hex);
  RUN(test_data_hex);
  return TEST_REPORT();
}
