/*
 * The reference SDK's packet builders mapped to libnnrp (see build_map.h): FRAME_SUBMIT and
 * RESULT_PUSH and their variants, the control-plane packets, and NnrpPacket.build's
 * hand-assembled packets.
 */
#include <string.h>

#include "build_map_int.h"

/* ---- data-plane packet builders -------------------------------------------------------------- */

#define SUBMIT_MAPPER(fn, builder)                                  \
  int fn(vec_ctx *c, const json_t *in, nnrp_sink *s) {              \
    nnrp_frame_submit_input x;                                      \
    vec_read_submit(c, in, &x);                                         \
    return builder(&x, s);                                          \
  }
#define RESULT_MAPPER(fn, builder)                                  \
  int fn(vec_ctx *c, const json_t *in, nnrp_sink *s) {              \
    nnrp_result_push_input x;                                       \
    vec_read_result(c, in, &x);                                         \
    return builder(&x, s);                                          \
  }
SUBMIT_MAPPER(m_frame_submit, nnrp_build_frame_submit)
SUBMIT_MAPPER(m_frame_submit_typed, nnrp_build_frame_submit_typed)
SUBMIT_MAPPER(m_frame_submit_mixed, nnrp_build_frame_submit_mixed)
RESULT_MAPPER(m_result_push, nnrp_build_result_push)
RESULT_MAPPER(m_result_partial, nnrp_build_result_push_partial)
RESULT_MAPPER(m_result_stale, nnrp_build_result_push_stale_reuse)
RESULT_MAPPER(m_result_degraded, nnrp_build_result_push_degraded)
RESULT_MAPPER(m_result_typed, nnrp_build_result_push_typed)
RESULT_MAPPER(m_result_mixed, nnrp_build_result_push_mixed)

/* ---- control-plane packet builders ----------------------------------------------------------- */

#define META_PACKET_MAPPER(fn, cls, type, builder)                              \
  int fn(vec_ctx *c, const json_t *in, nnrp_sink *s) {                          \
    nnrp_packet_params p = vec_read_params(c, in);                                  \
    const type *m = vec_dataclass(c, in, "metadata", cls);                      \
    return builder(&p, m, s);                                                   \
  }
META_PACKET_MAPPER(m_flow_update, "FlowUpdateMetadata", nnrp_flow_update_meta,
                   nnrp_build_flow_update)
META_PACKET_MAPPER(m_result_hint, "ResultHintMetadata", nnrp_result_hint_meta,
                   nnrp_build_result_hint)
META_PACKET_MAPPER(m_probe_ack, "TransportProbeAckMetadata", nnrp_transport_probe_ack_meta,
                   nnrp_build_transport_probe_ack)

/* The reference migrate builders take an opaque body; libnnrp sends none (wire-control §14
 * D10), so a non-empty one is refused with the receive-side rule. */
#define MIGRATE_MAPPER(fn, cls, type, builder)                                  \
  int fn(vec_ctx *c, const json_t *in, nnrp_sink *s) {                          \
    nnrp_packet_params p = vec_read_params(c, in);                              \
    const type *m = vec_dataclass(c, in, "metadata", cls);                      \
    if (vec_get_bytes(c, in, "body").len) return NNRP_ERR_BODY_NOT_EMPTY;        \
    return builder(&p, m, s);                                                   \
  }
MIGRATE_MAPPER(m_migrate, "SessionMigrateMetadata", nnrp_session_migrate_meta,
               nnrp_build_session_migrate)
MIGRATE_MAPPER(m_migrate_ack, "SessionMigrateAckMetadata", nnrp_session_migrate_ack_meta,
               nnrp_build_session_migrate_ack)

/*
 * The reference takes metadata length fields as given; libnnrp's builders derive them from
 * the body.  A given length that differs from the body is refused with the receive-side rule
 * (the reference would send a packet whose lengths disagree).
 */
static int given_len(uint64_t given, size_t actual, int err) {
  return given == actual ? 0 : err;
}

int m_probe(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  nnrp_packet_params p = vec_read_params(c, in);
  const nnrp_transport_probe_meta *m = vec_dataclass(c, in, "metadata", "TransportProbeMetadata");
  nnrp_vec body = vec_get_bytes(c, in, "body");
  int rc = given_len(m->probe_payload_bytes, body.len, NNRP_ERR_PROBE_PAYLOAD_LEN);
  return rc ? rc : nnrp_build_transport_probe(&p, m, body, s);
}

#define PARAMS_MAPPER(fn, builder)                                  \
  int fn(vec_ctx *c, const json_t *in, nnrp_sink *s) {              \
    nnrp_packet_params p = vec_read_params(c, in);                      \
    return builder(&p, s);                                          \
  }
PARAMS_MAPPER(m_frame_cancel, nnrp_build_frame_cancel)
PARAMS_MAPPER(m_ping, nnrp_build_ping)
PARAMS_MAPPER(m_pong, nnrp_build_pong)
PARAMS_MAPPER(m_result_drop, nnrp_build_result_drop)

int m_header_only(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  nnrp_packet_params p = vec_read_params(c, in);
  unsigned type = (unsigned)vec_get(c, in, "msg_type", 0, 0xFF);
  return nnrp_build_header_only(&p, type, s);
}

/* ---- NnrpPacket.build: hand-assembled packets ------------------------------------------------ */

/* The keyword arguments of NnrpPacket.build that libnnrp fixes: version 1, wire format 0. */
static void fixed_header_args(vec_ctx *c, const json_t *in, unsigned want_type) {
  if (vec_get(c, in, "version_major", 1, 0xFF) != 1) vec_fail(c, "version_major is not 1");
  if (vec_get(c, in, "wire_format", 0, 0xFF) != 0) vec_fail(c, "wire_format is not 0");
  unsigned type = (unsigned)vec_get(c, in, "msg_type", 0, 0xFF);
  if (type != want_type) vec_fail(c, "msg_type 0x%02x, builder makes 0x%02x", type, want_type);
}

/* Control extension entries of body_parts, as entries. */
static size_t ext_entries(vec_ctx *c, const json_t *parts, nnrp_ext_entry **out) {
  void *e;
  size_t n = vec_get_list(c, parts, "control_extension_entries", "ControlExtensionEntry", &e);
  *out = e;
  return n;
}

/* The recorded body must be what the parts make (checked once per call, quietly after). */
static void body_equals(vec_ctx *c, const json_t *in, const uint8_t *body, size_t len) {
  nnrp_vec want = vec_get_bytes(c, in, "body");
  if (want.len != len || (len && memcmp(want.base, body, len) != 0))
    vec_fail(c, "body assembled from body_parts differs from the recorded body");
}

int m_packet_client_hello(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  fixed_header_args(c, in, NNRP_MSG_CLIENT_HELLO);
  nnrp_packet_params p = vec_read_params(c, in);
  const nnrp_client_hello_meta *m = vec_dataclass(c, in, "metadata", "ClientHelloMetadata");
  const json_t *parts = vec_member(c, in, "body_parts");
  nnrp_ext_entry *e = NULL;
  size_t n = 0;
  nnrp_vec auth = {NULL, 0};
  if (parts) {
    n = ext_entries(c, parts, &e);
    auth = vec_get_bytes(c, parts, "auth");
    const char *order = vec_get_str(c, parts, "order");
    if (order && strcmp(order, "control_extension_block then auth") != 0)
      vec_fail(c, "unexpected body order \"%s\"", order);
  }
  /* Body = extension block then auth (wire-control §6.1). */
  size_t blen = nnrp_ext_block_len(e, n);
  uint8_t *body = vec_alloc(c, blen + auth.len);
  nnrp_sink bs;
  nnrp_sink_init_buffer(&bs, body, blen + auth.len);
  int rc = nnrp_ext_block_encode(e, n, &bs);
  if (rc) return rc; /* an entry libnnrp does not send */
  nnrp_sink_write(&bs, auth.base, auth.len);
  body_equals(c, in, body, bs.len);
  rc = given_len(m->auth_bytes, auth.len, NNRP_ERR_HELLO_BODY_LEN);
  if (!rc) rc = given_len(m->control_extension_bytes, blen, NNRP_ERR_HELLO_BODY_LEN);
  return rc ? rc : nnrp_build_client_hello(&p, m, e, n, auth, s);
}

int m_packet_server_hello_ack(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  fixed_header_args(c, in, NNRP_MSG_SERVER_HELLO_ACK);
  nnrp_packet_params p = vec_read_params(c, in);
  const nnrp_server_hello_ack_meta *m = vec_dataclass(c, in, "metadata", "ServerHelloAckMetadata");
  const json_t *parts = vec_member(c, in, "body_parts");
  nnrp_ext_entry *e = NULL;
  size_t n = parts ? ext_entries(c, parts, &e) : 0;
  size_t blen = nnrp_ext_block_len(e, n);
  uint8_t *body = vec_alloc(c, blen);
  nnrp_sink bs;
  nnrp_sink_init_buffer(&bs, body, blen);
  int rc = nnrp_ext_block_encode(e, n, &bs);
  if (rc) return rc;
  body_equals(c, in, body, bs.len);
  rc = given_len(m->control_extension_bytes, blen, NNRP_ERR_ACK_BODY_LEN);
  return rc ? rc : nnrp_build_server_hello_ack(&p, m, e, n, s);
}

/* SESSION_PATCH(_ACK): the optional 16-byte block of body_parts. */
static const nnrp_profile_patch *patch_block(vec_ctx *c, const json_t *in, const char *key,
                                             const char *cls) {
  const json_t *parts = vec_member(c, in, "body_parts");
  const nnrp_profile_patch *pp = NULL;
  uint8_t body[16];
  size_t blen = 0;
  if (parts && vec_member(c, parts, key)) {
    pp = vec_dataclass(c, parts, key, cls);
    nnrp_profile_patch_encode(pp, body);
    blen = 16;
  }
  body_equals(c, in, body, blen);
  return pp;
}

int m_packet_session_patch(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  fixed_header_args(c, in, NNRP_MSG_SESSION_PATCH);
  nnrp_packet_params p = vec_read_params(c, in);
  const nnrp_session_patch_meta *m = vec_dataclass(c, in, "metadata", "SessionPatchMetadata");
  const nnrp_profile_patch *pp =
      patch_block(c, in, "profile_patch_block", "TensorProfilePatchBlock");
  int rc = given_len(m->profile_patch_bytes, pp ? 16 : 0, NNRP_ERR_PATCH_BODY_LEN);
  return rc ? rc : nnrp_build_session_patch(&p, m, pp, s);
}

int m_packet_session_patch_ack(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  fixed_header_args(c, in, NNRP_MSG_SESSION_PATCH_ACK);
  nnrp_packet_params p = vec_read_params(c, in);
  const nnrp_session_patch_ack_meta *m =
      vec_dataclass(c, in, "metadata", "SessionPatchAckMetadata");
  const nnrp_profile_patch *pp =
      patch_block(c, in, "profile_patch_ack_block", "TensorProfilePatchAckBlock");
  int rc = given_len(m->profile_patch_ack_bytes, pp ? 16 : 0, NNRP_ERR_PATCH_BODY_LEN);
  return rc ? rc : nnrp_build_session_patch_ack(&p, m, pp, s);
}

int m_packet_error(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  fixed_header_args(c, in, NNRP_MSG_ERROR);
  nnrp_packet_params p = vec_read_params(c, in);
  const nnrp_error_meta *m = vec_dataclass(c, in, "metadata", "ErrorMetadata");
  nnrp_vec body = vec_get_bytes(c, in, "body");
  int rc = given_len(m->diagnostic_bytes, body.len, NNRP_ERR_ERROR_DIAG_LEN);
  return rc ? rc : nnrp_build_error(&p, m, body, s);
}

int m_packet_cache_put(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  fixed_header_args(c, in, NNRP_MSG_CACHE_PUT);
  nnrp_packet_params p = vec_read_params(c, in);
  const nnrp_cache_put_meta *m = vec_dataclass(c, in, "metadata", "CachePutMetadata");
  nnrp_vec body = vec_get_bytes(c, in, "body");
  int rc = given_len(m->object_bytes, body.len, NNRP_ERR_CACHE_OBJECT_LEN);
  return rc ? rc : nnrp_build_cache_put(&p, m, body, s);
}

int m_packet_cache_ack(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  fixed_header_args(c, in, NNRP_MSG_CACHE_ACK);
  nnrp_packet_params p = vec_read_params(c, in);
  const nnrp_cache_ack_meta *m = vec_dataclass(c, in, "metadata", "CacheAckMetadata");
  body_equals(c, in, NULL, 0);
  return nnrp_build_cache_ack(&p, m, s);
}

int m_packet_cache_invalidate(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  fixed_header_args(c, in, NNRP_MSG_CACHE_INVALIDATE);
  nnrp_packet_params p = vec_read_params(c, in);
  const nnrp_cache_invalidate_meta *m =
      vec_dataclass(c, in, "metadata", "CacheInvalidateMetadata");
  body_equals(c, in, NULL, 0);
  return nnrp_build_cache_invalidate(&p, m, s);
}

int m_packet_close(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  fixed_header_args(c, in, NNRP_MSG_CLOSE);
  nnrp_packet_params p = vec_read_params(c, in);
  vec_mark(c, in, "metadata"); /* null: CLOSE has no metadata */
  if (json_object_get(in, "metadata") && !json_is_null(json_object_get(in, "metadata")))
    vec_fail(c, "CLOSE with metadata");
  return nnrp_build_close(&p, vec_get_bytes(c, in, "body"), s);
}

/* Descriptor and payload regions of a frame list, sized by a counting pass. */
static int pack_regions(vec_ctx *c, vec_two_sink_fn fn, const void *frames, size_t n,
                        nnrp_vec *desc, nnrp_vec *payloads) {
  nnrp_sink ca, cb, a, b;
  nnrp_sink_init_count(&ca);
  nnrp_sink_init_count(&cb);
  int rc = fn(frames, n, &ca, &cb);
  if (rc) return rc;
  uint8_t *d = vec_alloc(c, ca.total), *p = vec_alloc(c, cb.total);
  nnrp_sink_init_buffer(&a, d, ca.total);
  nnrp_sink_init_buffer(&b, p, cb.total);
  rc = fn(frames, n, &a, &b);
  desc->base = d;
  desc->len = a.len;
  payloads->base = p;
  payloads->len = b.len;
  return rc;
}

/* FRAME_SUBMIT / RESULT_PUSH assembled from their region parts with the region packers. */
static int region_body(vec_ctx *c, const json_t *parts, nnrp_vec *out) {
  nnrp_vec regions[NNRP_REGION_COUNT];
  memset(regions, 0, sizeof(regions));
  const json_t *pb = vec_member(c, parts, "pack_body");
  const json_t *refs_owner = pb ? pb : parts;
  const char *refs_key = pb ? "object_reference_region" : "object_reference_blocks";
  regions[NNRP_REGION_INLINE_OBJECTS] = vec_get_bytes(c, parts, "inline_object_region");
  nnrp_object_ref *refs;
  size_t nrefs = vec_get_list(c, refs_owner, refs_key, "ObjectReferenceBlock", (void **)&refs);
  uint8_t *rr = vec_alloc(c, nrefs * 16);
  for (size_t i = 0; i < nrefs; i++) nnrp_object_ref_encode(&refs[i], rr + 16 * i);
  regions[NNRP_REGION_OBJECT_REFERENCES].base = rr;
  regions[NNRP_REGION_OBJECT_REFERENCES].len = nrefs * 16;
  void *frames, *xframes;
  size_t nf = vec_get_list(c, parts, "typed_frames", "TypedPayloadFrame", &frames);
  size_t nx = vec_get_list(c, parts, "extension_frames", "ExtensionFrame", &xframes);
  /* Frames libnnrp does not send (a TENSOR typed frame, unknown flags) are refused here. */
  int rc = pack_regions(c, vec_typed_pack, frames, nf, &regions[NNRP_REGION_TYPED_DESCRIPTORS],
                        &regions[NNRP_REGION_TYPED_FRAMES]);
  if (!rc)
    rc = pack_regions(c, vec_ext_pack, xframes, nx, &regions[NNRP_REGION_EXT_DESCRIPTORS],
                      &regions[NNRP_REGION_EXT_PAYLOADS]);
  if (rc) return rc;
  nnrp_sink cs;
  nnrp_sink_init_count(&cs);
  nnrp_body_pack(regions, &cs);
  uint8_t *body = vec_alloc(c, cs.total);
  nnrp_sink bs;
  nnrp_sink_init_buffer(&bs, body, cs.total);
  rc = nnrp_body_pack(regions, &bs);
  out->base = body;
  out->len = bs.len;
  return rc;
}

static int data_packet(vec_ctx *c, const json_t *in, nnrp_sink *s, unsigned type,
                       const char *cls) {
  fixed_header_args(c, in, type);
  nnrp_packet_params p = vec_read_params(c, in);
  const void *m = vec_dataclass(c, in, "metadata", cls);
  const json_t *parts = vec_member(c, in, "body_parts");
  nnrp_vec body = {NULL, 0};
  int rc = 0;
  if (parts) {
    rc = region_body(c, parts, &body);
    if (rc) return rc;
    body_equals(c, in, body.base, body.len);
  } else {
    body = vec_get_bytes(c, in, "body");
  }
  uint8_t meta[72];
  size_t mlen = type == NNRP_MSG_FRAME_SUBMIT ? 72 : 64;
  rc = type == NNRP_MSG_FRAME_SUBMIT ? nnrp_frame_submit_meta_encode(m, meta)
                                         : nnrp_result_push_meta_encode(m, meta);
  if (rc) return rc;
  /* The scatter-gather sink may point at the metadata: keep it alive past this call. */
  uint8_t *mcopy = vec_alloc(c, mlen);
  memcpy(mcopy, meta, mlen);
  nnrp_header h;
  memset(&h, 0, sizeof(h));
  h.version_major = 1;
  h.msg_type = (uint8_t)type;
  h.header_len = 40;
  h.flags = p.flags;
  h.meta_len = (uint32_t)mlen;
  h.body_len = (uint32_t)body.len;
  h.session_id = p.session_id;
  h.frame_id = p.frame_id;
  h.view_id = p.view_id;
  h.route_id = p.route_id;
  h.trace_id = p.trace_id;
  nnrp_vec mv = {mcopy, mlen};
  return nnrp_packet_encode_raw(&h, mv, body, s);
}

int m_packet_frame_submit(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  return data_packet(c, in, s, NNRP_MSG_FRAME_SUBMIT, "FrameSubmitMetadata");
}
int m_packet_result_push(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  return data_packet(c, in, s, NNRP_MSG_RESULT_PUSH, "ResultPushMetadata");
}
