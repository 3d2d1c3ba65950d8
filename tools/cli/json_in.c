/*
 * JSON -> packet bytes.  Two steps: read the JSON into a packet model (types and ranges are
 * checked here, with the JSON path in every message), then write the model through the
 * library's encoders only.  The bytes are finally decoded again with the strict profile, so
 * an invalid packet is reported with the rule it breaks instead of being written.
 *
 * Length fields the encoders can derive (meta_len, body_len, ext_len, the section descriptor's
 * table and payload lengths, object_bytes, payload_offset/payload_length, the prelude) may be
 * left out; when given they are encoded as given.  Every other missing field is 0.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct section_in {
  nnrp_section_desc desc;
  nnrp_vec codec_table, length_table, payload;
} section_in;
typedef struct object_in {
  nnrp_inline_object_header header;
  nnrp_vec payload;
} object_in;
typedef struct frame_in {
  nnrp_typed_desc typed;   /* typed frames */
  nnrp_ext_frame_desc ext; /* extension frames */
  nnrp_vec payload;
  int offset_given;
} frame_in;
typedef struct list_in {
  void *items;
  size_t count;
} list_in;

/* The packet model: what the JSON says, before any byte is written. */
typedef struct packet_in {
  nnrp_header header;
  int has_meta_len, has_body_len;
  nnrp_meta meta;
  nnrp_vec raw_meta, raw_body; /* types without metadata / with opaque bodies */
  list_in extensions;          /* nnrp_ext_entry */
  nnrp_vec auth;
  int has_patch;
  nnrp_profile_patch patch;
  int family;
  nnrp_vec camera, tile_index;
  list_in sections, objects, refs, typed, ext; /* section_in, object_in, nnrp_object_ref, frame_in */
  int has_prelude;
  uint32_t prelude_given; /* bit i: field i of the prelude table was given */
  nnrp_prelude prelude;
  int has_typed_region, has_ext_region;
  nnrp_vec typed_region, ext_region;
} packet_in;

/* Reader state: error context and every allocation, freed together. */
typedef struct jin {
  const char *cmd;
  size_t index;
  char path[256];
  size_t path_len;
  void **allocs;
  size_t alloc_count, alloc_cap;
} jin;

static int fail(jin *j, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static int fail(jin *j, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "nnrp: %s: packet %zu: %s%s", j->cmd, j->index, j->path, j->path_len ? ": " : "");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return CLI_FAIL;
}

static int fail_lib(jin *j, int err) {
  char prefix[300];
  snprintf(prefix, sizeof(prefix), "packet %zu: %s%s", j->index, j->path, j->path_len ? ": " : "");
  cli_lib_error(j->cmd, prefix, err, -1);
  return CLI_FAIL;
}

/* Path segments: push returns the mark to pop back to. */
static size_t push(jin *j, const char *fmt, ...) {
  size_t mark = j->path_len;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(j->path + mark, sizeof(j->path) - mark, fmt, ap);
  va_end(ap);
  if (n > 0) j->path_len = mark + (size_t)n < sizeof(j->path) ? mark + (size_t)n : sizeof(j->path) - 1;
  return mark;
}
static void pop(jin *j, size_t mark) {
  j->path_len = mark;
  j->path[mark] = '\0';
}

static void *jalloc(jin *j, size_t n) {
  if (j->alloc_count == j->alloc_cap) {
    size_t cap = j->alloc_cap ? 2 * j->alloc_cap : 16;
    void **bigger = realloc(j->allocs, cap * sizeof(*bigger));
    if (!bigger) return NULL;
    j->allocs = bigger;
    j->alloc_cap = cap;
  }
  void *p = calloc(1, n ? n : 1);
  if (p) j->allocs[j->alloc_count++] = p;
  return p;
}

/* ---- JSON values ----------------------------------------------------------------------------- */

/* An unsigned integer: a JSON number or a string in decimal or 0x-hex. */
static int read_uint(jin *j, json_t *v, uint64_t max, uint64_t *out) {
  if (json_is_integer(v) && json_integer_value(v) >= 0) {
    *out = (uint64_t)json_integer_value(v);
  } else if (json_is_string(v)) {
    const char *s = json_string_value(v);
    int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const char *digits = hex ? s + 2 : s;
    char *end;
    errno = 0;
    *out = strtoull(digits, &end, hex ? 16 : 10);
    int lead = (unsigned char)digits[0];
    int ok = hex ? isxdigit(lead) : isdigit(lead); /* strtoull would skip blanks and signs */
    if (!ok || *end || errno)
      return fail(j, "expected an unsigned integer, got \"%s\"", s);
  } else {
    return fail(j, "expected an unsigned integer");
  }
  if (*out > max) return fail(j, "%llu does not fit (maximum %llu)", (unsigned long long)*out, (unsigned long long)max);
  return CLI_OK;
}

static int read_hex(jin *j, json_t *v, nnrp_vec *out) {
  cli_bytes b;
  size_t bad;
  if (!json_is_string(v)) return fail(j, "expected a hex string");
  if (cli_hex_decode(json_string_value(v), json_string_length(v), &b, &bad) != 0)
    return fail(j, "invalid hex");
  void *copy = jalloc(j, b.len);
  if (!copy) {
    free(b.data);
    return fail(j, "out of memory");
  }
  memcpy(copy, b.data, b.len);
  free(b.data);
  *out = (nnrp_vec){copy, b.len};
  return CLI_OK;
}

/* Optional member `key` of obj as hex; *given tells whether it was there. */
static int member_hex(jin *j, json_t *obj, const char *key, nnrp_vec *out, int *given) {
  json_t *v = json_object_get(obj, key);
  if (given) *given = v != NULL;
  if (!v) return CLI_OK;
  size_t mark = push(j, ".%s", key);
  int rc = read_hex(j, v, out);
  pop(j, mark);
  return rc;
}

/* Every key of obj must be a field of s or one of the NULL-terminated `extra` names. */
static int check_keys(jin *j, json_t *obj, const cli_struct *s, const char *const *extra) {
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    int known = s && cli_field_find(s, key) != NULL;
    for (size_t i = 0; extra && extra[i] && !known; i++) known = strcmp(extra[i], key) == 0;
    if (!known) return fail(j, "unknown key \"%s\"", key);
  }
  return CLI_OK;
}

/* Fields of s present in obj -> base; bit i of *given for each table field i found. */
static int read_fields(jin *j, json_t *obj, const cli_struct *s, void *base, uint32_t *given) {
  if (given) *given = 0;
  for (size_t i = 0; i < s->count; i++) {
    json_t *v = json_object_get(obj, s->fields[i].name);
    uint64_t x;
    if (!v) continue;
    size_t mark = push(j, ".%s", s->fields[i].name);
    int rc = read_uint(j, v, cli_field_max(&s->fields[i]), &x);
    pop(j, mark);
    if (rc) return rc;
    cli_field_set(base, &s->fields[i], x);
    if (given && i < 32) *given |= 1u << i;
  }
  return CLI_OK;
}

static int field_given(const cli_struct *s, uint32_t given, const char *name) {
  const cli_field *f = cli_field_find(s, name);
  return f && (given >> (f - s->fields) & 1u);
}

/* Array member `key` -> list of `size`-byte items, each read by `item`. */
typedef int (*item_reader)(jin *j, json_t *v, void *item);
static int read_list(jin *j, json_t *obj, const char *key, size_t size, item_reader item,
                     list_in *out) {
  json_t *arr = json_object_get(obj, key);
  out->count = 0;
  if (!arr) return CLI_OK;
  size_t mark = push(j, ".%s", key);
  if (!json_is_array(arr)) return fail(j, "expected an array");
  out->items = jalloc(j, json_array_size(arr) * size);
  if (!out->items) return fail(j, "out of memory");
  for (size_t i = 0; i < json_array_size(arr); i++) {
    size_t inner = push(j, "[%zu]", i);
    json_t *v = json_array_get(arr, i);
    if (!json_is_object(v)) return fail(j, "expected an object");
    int rc = item(j, v, (char *)out->items + i * size);
    if (rc) return rc;
    pop(j, inner);
  }
  out->count = json_array_size(arr);
  pop(j, mark);
  return CLI_OK;
}

/* ---- body items ------------------------------------------------------------------------------ */

static int read_extension(jin *j, json_t *v, void *item) {
  static const char *const keys[] = {"ext_type", "ext_flags", "ext_len", "payload",
                                     "ext_type_name", "parsed", NULL};
  nnrp_ext_entry *e = item;
  uint64_t type = 0, flags = 0, len;
  json_t *x;
  if (check_keys(j, v, NULL, keys)) return CLI_FAIL;
  if ((x = json_object_get(v, "ext_type")) == NULL) return fail(j, "missing \"ext_type\"");
  if (read_uint(j, x, 0xFFFF, &type)) return CLI_FAIL;
  if ((x = json_object_get(v, "ext_flags")) && read_uint(j, x, 0xFFFF, &flags)) return CLI_FAIL;
  if (member_hex(j, v, "payload", &e->payload, NULL)) return CLI_FAIL;
  if ((x = json_object_get(v, "ext_len"))) {
    if (read_uint(j, x, UINT32_MAX, &len)) return CLI_FAIL;
    if (len != e->payload.len)
      return fail(j, "ext_len %llu differs from the %zu payload bytes", (unsigned long long)len, e->payload.len);
  }
  e->ext_type = (uint16_t)type;
  e->ext_flags = (uint16_t)flags;
  return CLI_OK;
}

static int read_section(jin *j, json_t *v, void *item) {
  static const char *const keys[] = {"codec_table", "tile_lengths", "payload", NULL};
  section_in *s = item;
  uint32_t given;
  if (check_keys(j, v, &cli_section_desc_fields, keys)) return CLI_FAIL;
  if (read_fields(j, v, &cli_section_desc_fields, &s->desc, &given)) return CLI_FAIL;
  if (member_hex(j, v, "codec_table", &s->codec_table, NULL)) return CLI_FAIL;
  if (member_hex(j, v, "payload", &s->payload, NULL)) return CLI_FAIL;
  json_t *lengths = json_object_get(v, "tile_lengths");
  size_t n = lengths ? json_array_size(lengths) : 0, mark = push(j, ".tile_lengths");
  if (lengths && !json_is_array(lengths)) return fail(j, "expected an array");
  uint8_t *table = jalloc(j, 4 * n);
  if (!table) return fail(j, "out of memory");
  nnrp_sink sink;
  nnrp_sink_init_buffer(&sink, table, 4 * n);
  for (size_t i = 0; i < n; i++) {
    uint64_t len;
    size_t inner = push(j, "[%zu]", i);
    if (read_uint(j, json_array_get(lengths, i), UINT32_MAX, &len)) return CLI_FAIL;
    nnrp_sink_u32(&sink, (uint32_t)len);
    pop(j, inner);
  }
  pop(j, mark);
  s->length_table = (nnrp_vec){table, 4 * n};
  if (!field_given(&cli_section_desc_fields, given, "codec_table_bytes"))
    s->desc.codec_table_bytes = (uint32_t)s->codec_table.len;
  if (!field_given(&cli_section_desc_fields, given, "length_table_bytes"))
    s->desc.length_table_bytes = (uint32_t)s->length_table.len;
  if (!field_given(&cli_section_desc_fields, given, "payload_bytes"))
    s->desc.payload_bytes = (uint32_t)s->payload.len;
  return CLI_OK;
}

static int read_object(jin *j, json_t *v, void *item) {
  static const char *const keys[] = {"payload", "tile_ids", "sections", NULL};
  object_in *o = item;
  uint32_t given;
  if (check_keys(j, v, &cli_inline_object_fields, keys)) return CLI_FAIL;
  if (read_fields(j, v, &cli_inline_object_fields, &o->header, &given)) return CLI_FAIL;
  if (member_hex(j, v, "payload", &o->payload, NULL)) return CLI_FAIL;
  if (!field_given(&cli_inline_object_fields, given, "object_bytes"))
    o->header.object_bytes = (uint32_t)o->payload.len;
  return CLI_OK;
}

static int read_ref(jin *j, json_t *v, void *item) {
  if (check_keys(j, v, &cli_object_ref_fields, NULL)) return CLI_FAIL;
  return read_fields(j, v, &cli_object_ref_fields, item, NULL);
}

/* Typed and extension frames share the layout rules; `typed` selects the descriptor. */
static int read_frame(jin *j, json_t *v, frame_in *f, int typed) {
  static const char *const keys[] = {"payload", NULL};
  const cli_struct *s = typed ? &cli_typed_desc_fields : &cli_ext_frame_desc_fields;
  void *desc = typed ? (void *)&f->typed : (void *)&f->ext;
  uint32_t given;
  if (check_keys(j, v, s, keys)) return CLI_FAIL;
  if (read_fields(j, v, s, desc, &given)) return CLI_FAIL;
  if (member_hex(j, v, "payload", &f->payload, NULL)) return CLI_FAIL;
  uint32_t *length = typed ? &f->typed.payload_length : &f->ext.payload_length;
  if (!field_given(s, given, "payload_length")) *length = (uint32_t)f->payload.len;
  if (*length != f->payload.len)
    return fail(j, "payload_length %u differs from the %zu payload bytes", *length, f->payload.len);
  f->offset_given = field_given(s, given, "payload_offset");
  return CLI_OK;
}
static int read_typed(jin *j, json_t *v, void *item) { return read_frame(j, v, item, 1); }
static int read_ext_frame(jin *j, json_t *v, void *item) { return read_frame(j, v, item, 0); }

/* ---- bodies ---------------------------------------------------------------------------------- */

static const char *raw_body_name(unsigned type) {
  switch (type) {
  case NNRP_MSG_CLOSE: return "reason";
  case NNRP_MSG_ERROR: return "diagnostic";
  case NNRP_MSG_CACHE_PUT: return "object";
  case NNRP_MSG_TRANSPORT_PROBE: return "padding";
  default: return "bytes";
  }
}

static int read_data_body(jin *j, json_t *body, packet_in *in) {
  static const char *const empty_keys[] = {"family", NULL};
  static const char *const submit_keys[] = {"family", "camera", "tile_index", "tile_ids", "sections", NULL};
  static const char *const result_keys[] = {"family", "tile_index", "tile_ids", "sections", NULL};
  static const char *const region_keys[] = {
      "family", "prelude", "inline_objects", "object_references", "typed_frames",
      "typed_payload_frame_region", "extension_frames", "extension_payload_region", NULL};
  json_t *family = json_object_get(body, "family");
  const char *name = json_is_string(family) ? json_string_value(family) : "";
  if (strcmp(name, "empty") == 0) {
    in->family = NNRP_BODY_EMPTY;
    return check_keys(j, body, NULL, empty_keys);
  }
  if (strcmp(name, "legacy") == 0) {
    in->family = NNRP_BODY_LEGACY;
    int submit = in->header.msg_type == NNRP_MSG_FRAME_SUBMIT;
    if (check_keys(j, body, NULL, submit ? submit_keys : result_keys)) return CLI_FAIL;
    if (member_hex(j, body, "camera", &in->camera, NULL)) return CLI_FAIL;
    if (member_hex(j, body, "tile_index", &in->tile_index, NULL)) return CLI_FAIL;
    return read_list(j, body, "sections", sizeof(section_in), read_section, &in->sections);
  }
  if (strcmp(name, "region") != 0)
    return fail(j, "\"family\" must be \"empty\", \"legacy\" or \"region\"");
  in->family = NNRP_BODY_REGION;
  if (check_keys(j, body, NULL, region_keys)) return CLI_FAIL;
  json_t *prelude = json_object_get(body, "prelude");
  if (prelude) {
    size_t mark = push(j, ".prelude");
    if (!json_is_object(prelude)) return fail(j, "expected an object");
    if (check_keys(j, prelude, &cli_prelude_fields, NULL)) return CLI_FAIL;
    if (read_fields(j, prelude, &cli_prelude_fields, &in->prelude, &in->prelude_given)) return CLI_FAIL;
    pop(j, mark);
  }
  if (read_list(j, body, "inline_objects", sizeof(object_in), read_object, &in->objects) ||
      read_list(j, body, "object_references", sizeof(nnrp_object_ref), read_ref, &in->refs) ||
      read_list(j, body, "typed_frames", sizeof(frame_in), read_typed, &in->typed) ||
      read_list(j, body, "extension_frames", sizeof(frame_in), read_ext_frame, &in->ext) ||
      member_hex(j, body, "typed_payload_frame_region", &in->typed_region, &in->has_typed_region) ||
      member_hex(j, body, "extension_payload_region", &in->ext_region, &in->has_ext_region))
    return CLI_FAIL;
  return CLI_OK;
}

static int read_body(jin *j, json_t *body, packet_in *in) {
  static const char *const client_keys[] = {"extensions", "auth", NULL};
  static const char *const server_keys[] = {"extensions", NULL};
  static const char *const patch_keys[] = {"profile_patch", NULL};
  unsigned type = in->header.msg_type;
  switch (type) {
  case NNRP_MSG_CLIENT_HELLO:
  case NNRP_MSG_SERVER_HELLO_ACK:
    if (check_keys(j, body, NULL, type == NNRP_MSG_CLIENT_HELLO ? client_keys : server_keys) ||
        read_list(j, body, "extensions", sizeof(nnrp_ext_entry), read_extension, &in->extensions))
      return CLI_FAIL;
    return member_hex(j, body, "auth", &in->auth, NULL);
  case NNRP_MSG_SESSION_PATCH:
  case NNRP_MSG_SESSION_PATCH_ACK: {
    json_t *patch = json_object_get(body, "profile_patch");
    if (check_keys(j, body, NULL, patch_keys)) return CLI_FAIL;
    if (!patch) return CLI_OK;
    size_t mark = push(j, ".profile_patch");
    if (!json_is_object(patch)) return fail(j, "expected an object");
    if (check_keys(j, patch, &cli_profile_patch_fields, NULL) ||
        read_fields(j, patch, &cli_profile_patch_fields, &in->patch, NULL))
      return CLI_FAIL;
    pop(j, mark);
    in->has_patch = 1;
    return CLI_OK;
  }
  case NNRP_MSG_FRAME_SUBMIT:
  case NNRP_MSG_RESULT_PUSH:
    return read_data_body(j, body, in);
  default: {
    const char *const keys[] = {raw_body_name(type), "text", NULL};
    if (check_keys(j, body, NULL, keys)) return CLI_FAIL;
    return member_hex(j, body, keys[0], &in->raw_body, NULL);
  }
  }
}

static int read_packet(jin *j, json_t *obj, packet_in *in) {
  static const char *const keys[] = {"msg_type_name", "metadata", "body", NULL};
  uint32_t given;
  if (!json_is_object(obj)) return fail(j, "expected a packet object");
  if (check_keys(j, obj, &cli_header_fields, keys)) return CLI_FAIL;
  in->header.version_major = NNRP_VERSION_MAJOR;
  in->header.wire_format = NNRP_WIRE_FORMAT;
  in->header.header_len = NNRP_HEADER_LEN;
  if (read_fields(j, obj, &cli_header_fields, &in->header, &given)) return CLI_FAIL;
  if (!field_given(&cli_header_fields, given, "msg_type")) return fail(j, "missing \"msg_type\"");
  in->has_meta_len = field_given(&cli_header_fields, given, "meta_len");
  in->has_body_len = field_given(&cli_header_fields, given, "body_len");
  unsigned type = in->header.msg_type;
  if (!nnrp_msg_type_name(type)) return fail(j, "msg_type 0x%02x is not a Preview2 message type", type);

  json_t *meta = json_object_get(obj, "metadata"), *body = json_object_get(obj, "body");
  if (meta) {
    static const char *const raw_keys[] = {"bytes", NULL};
    const cli_struct *mf = cli_meta_fields(type);
    size_t mark = push(j, "metadata");
    if (!json_is_object(meta)) return fail(j, "expected an object");
    if (check_keys(j, meta, mf, mf ? NULL : raw_keys)) return CLI_FAIL;
    if (mf ? read_fields(j, meta, mf, &in->meta, NULL) : member_hex(j, meta, "bytes", &in->raw_meta, NULL))
      return CLI_FAIL;
    pop(j, mark);
  }
  if (!body) {
    if (type == NNRP_MSG_FRAME_SUBMIT || type == NNRP_MSG_RESULT_PUSH) return fail(j, "missing \"body\"");
    return CLI_OK;
  }
  size_t mark = push(j, "body");
  if (!json_is_object(body)) return fail(j, "expected an object");
  int rc = read_body(j, body, in);
  pop(j, mark);
  return rc;
}

/* ---- writing --------------------------------------------------------------------------------- */

static int encode_meta(const packet_in *in, uint8_t *out, size_t *len) {
  const nnrp_meta *m = &in->meta;
  int n = nnrp_msg_meta_len(in->header.msg_type);
  *len = n > 0 ? (size_t)n : 0;
  switch (in->header.msg_type) {
  case NNRP_MSG_CLIENT_HELLO: return nnrp_client_hello_meta_encode(&m->client_hello, out);
  case NNRP_MSG_SERVER_HELLO_ACK: return nnrp_server_hello_ack_meta_encode(&m->server_hello_ack, out);
  case NNRP_MSG_SESSION_PATCH: return nnrp_session_patch_meta_encode(&m->session_patch, out);
  case NNRP_MSG_SESSION_PATCH_ACK: return nnrp_session_patch_ack_meta_encode(&m->session_patch_ack, out);
  case NNRP_MSG_ERROR: return nnrp_error_meta_encode(&m->error, out);
  case NNRP_MSG_FRAME_SUBMIT: return nnrp_frame_submit_meta_encode(&m->frame_submit, out);
  case NNRP_MSG_RESULT_PUSH: return nnrp_result_push_meta_encode(&m->result_push, out);
  case NNRP_MSG_CACHE_PUT: return nnrp_cache_put_meta_encode(&m->cache_put, out);
  case NNRP_MSG_CACHE_ACK: return nnrp_cache_ack_meta_encode(&m->cache_ack, out);
  case NNRP_MSG_CACHE_INVALIDATE: return nnrp_cache_invalidate_meta_encode(&m->cache_invalidate, out);
  case NNRP_MSG_FLOW_UPDATE: return nnrp_flow_update_meta_encode(&m->flow_update, out);
  case NNRP_MSG_RESULT_HINT: return nnrp_result_hint_meta_encode(&m->result_hint, out);
  case NNRP_MSG_TRANSPORT_PROBE: return nnrp_transport_probe_meta_encode(&m->transport_probe, out);
  case NNRP_MSG_TRANSPORT_PROBE_ACK:
    return nnrp_transport_probe_ack_meta_encode(&m->transport_probe_ack, out);
  case NNRP_MSG_SESSION_MIGRATE: return nnrp_session_migrate_meta_encode(&m->session_migrate, out);
  case NNRP_MSG_SESSION_MIGRATE_ACK:
    return nnrp_session_migrate_ack_meta_encode(&m->session_migrate_ack, out);
  default: return 0; /* no metadata */
  }
}

/* Legacy tensor body (wire-data §8): camera + pad, tile index, 8-aligned sections. */
static int write_legacy(jin *j, const packet_in *in, nnrp_sink *s) {
  size_t start = s->total;
  const section_in *sec = in->sections.items;
  if (in->header.msg_type == NNRP_MSG_FRAME_SUBMIT) {
    nnrp_sink_payload(s, in->camera.base, in->camera.len);
    nnrp_sink_pad8(s, start);
  }
  nnrp_sink_payload(s, in->tile_index.base, in->tile_index.len);
  for (size_t i = 0; i < in->sections.count; i++) {
    nnrp_sink_pad8(s, start);
    int rc = nnrp_tensor_section_pack(&sec[i].desc, sec[i].codec_table, sec[i].length_table,
                                      sec[i].payload, s);
    if (rc) {
      size_t mark = push(j, ".sections[%zu]", i);
      fail_lib(j, rc);
      pop(j, mark);
      return rc;
    }
  }
  return nnrp_sink_error(s);
}

static int write_objects(jin *j, const packet_in *in, nnrp_sink *s) {
  const object_in *o = in->objects.items;
  for (size_t i = 0; i < in->objects.count; i++) {
    int rc = nnrp_inline_object_encode(&o[i].header, o[i].payload, s);
    if (rc) {
      size_t mark = push(j, ".inline_objects[%zu]", i);
      fail_lib(j, rc);
      pop(j, mark);
      return rc;
    }
  }
  return nnrp_sink_error(s);
}

/* Descriptor and payload regions of typed (or extension) frames, payloads at their offsets. */
static int frame_regions(jin *j, const list_in *list, int typed, int has_raw, nnrp_vec raw,
                         int has_len, uint32_t len, nnrp_vec *descs, nnrp_vec *payloads) {
  frame_in *f = list->items;
  uint64_t end = 0;
  for (size_t i = 0; i < list->count; i++) {
    uint32_t *offset = typed ? &f[i].typed.payload_offset : &f[i].ext.payload_offset;
    if (!f[i].offset_given) *offset = (uint32_t)end; /* right after the previous frames */
    if ((uint64_t)*offset + f[i].payload.len > end) end = (uint64_t)*offset + f[i].payload.len;
  }
  size_t region_len = has_len ? len : has_raw ? raw.len : (size_t)end;
  uint8_t *d = jalloc(j, list->count * 16), *p = jalloc(j, region_len);
  if (!d || !p) return fail(j, "out of memory");
  if (has_raw) memcpy(p, raw.base, raw.len < region_len ? raw.len : region_len);
  for (size_t i = 0; i < list->count; i++) {
    uint32_t offset = typed ? f[i].typed.payload_offset : f[i].ext.payload_offset;
    if ((uint64_t)offset + f[i].payload.len > region_len) {
      size_t mark = push(j, ".%s[%zu]", typed ? "typed_frames" : "extension_frames", i);
      fail(j, "payload ends at %llu, past the %zu-byte region",
           (unsigned long long)offset + f[i].payload.len, region_len);
      pop(j, mark);
      return CLI_FAIL;
    }
    if (f[i].payload.len) memcpy(p + offset, f[i].payload.base, f[i].payload.len);
    if (typed) nnrp_typed_desc_encode(&f[i].typed, d + 16 * i);
    else nnrp_ext_frame_desc_encode(&f[i].ext, d + 16 * i);
  }
  *descs = (nnrp_vec){d, list->count * 16};
  *payloads = (nnrp_vec){p, region_len};
  return CLI_OK;
}

/* The six regions of a region body, built before the body is written. */
static int build_regions(jin *j, packet_in *in, nnrp_vec regions[6]) {
  nnrp_sink s;
  nnrp_sink_init_count(&s);
  if (write_objects(j, in, &s)) return CLI_FAIL;
  uint8_t *objects = jalloc(j, s.total), *refs = jalloc(j, in->refs.count * 16);
  if (!objects || !refs) return fail(j, "out of memory");
  nnrp_sink_init_buffer(&s, objects, s.total);
  if (write_objects(j, in, &s)) return CLI_FAIL;
  regions[NNRP_REGION_INLINE_OBJECTS] = (nnrp_vec){objects, s.total};
  for (size_t i = 0; i < in->refs.count; i++)
    nnrp_object_ref_encode((const nnrp_object_ref *)in->refs.items + i, refs + 16 * i);
  regions[NNRP_REGION_OBJECT_REFERENCES] = (nnrp_vec){refs, in->refs.count * 16};
  const cli_struct *pf = &cli_prelude_fields;
  if (frame_regions(j, &in->typed, 1, in->has_typed_region, in->typed_region,
                    field_given(pf, in->prelude_given, "typed_payload_frame_bytes"),
                    in->prelude.typed_payload_frame_bytes, &regions[NNRP_REGION_TYPED_DESCRIPTORS],
                    &regions[NNRP_REGION_TYPED_FRAMES]) ||
      frame_regions(j, &in->ext, 0, in->has_ext_region, in->ext_region,
                    field_given(pf, in->prelude_given, "extension_payload_bytes"),
                    in->prelude.extension_payload_bytes, &regions[NNRP_REGION_EXT_DESCRIPTORS],
                    &regions[NNRP_REGION_EXT_PAYLOADS]))
    return CLI_FAIL;
  /* Prelude fields left out take the region lengths. */
  for (size_t i = 0; i < NNRP_REGION_COUNT; i++)
    if (!(in->prelude_given >> i & 1u)) cli_field_set(&in->prelude, &pf->fields[i], regions[i].len);
  return CLI_OK;
}

/* The body, through a sink (run once to count and once to write). */
static int write_body(jin *j, const packet_in *in, const nnrp_vec regions[6], nnrp_sink *s) {
  int rc = 0;
  switch (in->header.msg_type) {
  case NNRP_MSG_CLIENT_HELLO:
  case NNRP_MSG_SERVER_HELLO_ACK:
    rc = nnrp_ext_block_encode(in->extensions.items, in->extensions.count, s);
    nnrp_sink_payload(s, in->auth.base, in->auth.len);
    break;
  case NNRP_MSG_SESSION_PATCH:
  case NNRP_MSG_SESSION_PATCH_ACK:
    if (in->has_patch) {
      uint8_t block[NNRP_PROFILE_PATCH_LEN];
      rc = nnrp_profile_patch_encode(&in->patch, block);
      nnrp_sink_write(s, block, sizeof(block));
    }
    break;
  case NNRP_MSG_FRAME_SUBMIT:
  case NNRP_MSG_RESULT_PUSH: {
    if (in->family == NNRP_BODY_LEGACY) return write_legacy(j, in, s);
    if (in->family != NNRP_BODY_REGION) break;
    nnrp_prelude computed = {0};
    for (size_t i = 0; i < NNRP_REGION_COUNT; i++)
      cli_field_set(&computed, &cli_prelude_fields.fields[i], regions[i].len);
    if (memcmp(&computed, &in->prelude, sizeof(computed)) == 0) {
      rc = nnrp_body_pack(regions, s);
    } else { /* a prelude that disagrees with its regions: written as given, the check reports it */
      uint8_t prelude[NNRP_PRELUDE_LEN];
      nnrp_prelude_encode(&in->prelude, prelude);
      nnrp_sink_write(s, prelude, sizeof(prelude));
      for (size_t i = 0; i < NNRP_REGION_COUNT; i++)
        nnrp_sink_payload(s, regions[i].base, regions[i].len);
    }
    break;
  }
  default:
    nnrp_sink_payload(s, in->raw_body.base, in->raw_body.len);
    break;
  }
  if (rc) {
    fail_lib(j, rc);
    return rc;
  }
  return nnrp_sink_error(s);
}

static int encode_packet(jin *j, packet_in *in, cli_bytes *out) {
  uint8_t meta[NNRP_SERVER_HELLO_ACK_META_LEN], header[NNRP_HEADER_LEN];
  nnrp_vec regions[NNRP_REGION_COUNT] = {{0}};
  nnrp_vec mv, bv;
  size_t meta_len;
  nnrp_sink s;
  int rc;

  size_t mark = push(j, "metadata");
  if ((rc = encode_meta(in, meta, &meta_len)) != 0) return fail_lib(j, rc);
  pop(j, mark);
  mv = meta_len ? (nnrp_vec){meta, meta_len} : in->raw_meta;

  mark = push(j, "body");
  if (in->family == NNRP_BODY_REGION && build_regions(j, in, regions)) return CLI_FAIL;
  nnrp_sink_init_count(&s);
  if (write_body(j, in, regions, &s)) return CLI_FAIL;
  uint8_t *body = jalloc(j, s.total);
  if (!body) return fail(j, "out of memory");
  nnrp_sink_init_buffer(&s, body, s.total);
  if (write_body(j, in, regions, &s)) return CLI_FAIL;
  bv = (nnrp_vec){body, s.total};
  pop(j, mark);

  if (!in->has_meta_len) in->header.meta_len = (uint32_t)mv.len;
  if (!in->has_body_len) in->header.body_len = (uint32_t)bv.len;
  if ((rc = nnrp_header_encode(&in->header, header)) != 0) return fail_lib(j, rc);
  nnrp_sink_init_count(&s);
  if ((rc = nnrp_packet_encode_raw(&in->header, mv, bv, &s)) != 0) return fail_lib(j, rc);
  size_t len = s.total;
  uint8_t *grown = realloc(out->data, out->len + len + 1);
  if (!grown) return fail(j, "out of memory");
  out->data = grown;
  nnrp_sink_init_buffer(&s, out->data + out->len, len);
  if ((rc = nnrp_packet_encode_raw(&in->header, mv, bv, &s)) != 0) return fail_lib(j, rc);

  /* The bytes must be a valid packet under the strict profile. */
  nnrp_decode_options opts = {NNRP_DECODE_EXACT, 0, NULL, 0};
  nnrp_packet p;
  nnrp_diag diag = {0, 0};
  if ((rc = nnrp_packet_decode(&p, out->data + out->len, len, &opts, &diag)) != 0) {
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "packet %zu: ", j->index);
    cli_lib_error(j->cmd, prefix, rc, (long long)diag.offset);
    return CLI_FAIL;
  }
  out->len += len;
  return CLI_OK;
}

int cli_packet_from_json(const char *cmd, json_t *obj, size_t index, cli_bytes *out) {
  jin j = {cmd, index, "", 0, NULL, 0, 0};
  packet_in *in = jalloc(&j, sizeof(*in));
  int rc = in ? read_packet(&j, obj, in) : fail(&j, "out of memory");
  if (rc == CLI_OK) rc = encode_packet(&j, in, out);
  for (size_t i = 0; i < j.alloc_count; i++) free(j.allocs[i]);
  free(j.allocs);
  return rc ? CLI_FAIL : CLI_OK;
}
