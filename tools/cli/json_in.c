/*
 * JSON -> packet model: every value is checked for its type and range here, and every message
 * names the JSON path of the value.  json_encode.c then writes the model with the library's
 * encoders.
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

#include "json_in.h"

int jin_fail(jin *j, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "nnrp: %s: packet %zu: %s%s", j->cmd, j->index, j->path, j->path_len ? ": " : "");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return CLI_FAIL;
}

int jin_fail_lib(jin *j, int err) {
  char prefix[300];
  snprintf(prefix, sizeof(prefix), "packet %zu: %s%s", j->index, j->path, j->path_len ? ": " : "");
  cli_lib_error(j->cmd, prefix, err, -1);
  return CLI_FAIL;
}

size_t jin_push(jin *j, const char *fmt, ...) {
  size_t mark = j->path_len;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(j->path + mark, sizeof(j->path) - mark, fmt, ap);
  va_end(ap);
  if (n > 0)
    j->path_len = mark + (size_t)n < sizeof(j->path) ? mark + (size_t)n : sizeof(j->path) - 1;
  return mark;
}
void jin_pop(jin *j, size_t mark) {
  j->path_len = mark;
  j->path[mark] = '\0';
}

void *jin_alloc(jin *j, size_t n) {
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
    if (!ok || *end || errno) return jin_fail(j, "expected an unsigned integer, got \"%s\"", s);
  } else {
    return jin_fail(j, "expected an unsigned integer");
  }
  if (*out > max)
    return jin_fail(j, "%llu does not fit (maximum %llu)", (unsigned long long)*out,
                    (unsigned long long)max);
  return CLI_OK;
}

static int read_hex(jin *j, json_t *v, nnrp_vec *out) {
  cli_bytes b;
  size_t bad;
  if (!json_is_string(v)) return jin_fail(j, "expected a hex string");
  if (cli_hex_decode(json_string_value(v), json_string_length(v), &b, &bad) != 0)
    return jin_fail(j, "invalid hex");
  void *copy = jin_alloc(j, b.len);
  if (!copy) {
    free(b.data);
    return jin_fail(j, "out of memory");
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
  size_t mark = jin_push(j, ".%s", key);
  int rc = read_hex(j, v, out);
  jin_pop(j, mark);
  return rc;
}

/* Every key of obj must be a field of s or one of the NULL-terminated `extra` names. */
static int check_keys(jin *j, json_t *obj, const cli_struct *s, const char *const *extra) {
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    int known = s && cli_field_find(s, key) != NULL;
    for (size_t i = 0; extra && extra[i] && !known; i++) known = strcmp(extra[i], key) == 0;
    if (!known) return jin_fail(j, "unknown key \"%s\"", key);
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
    size_t mark = jin_push(j, ".%s", s->fields[i].name);
    int rc = read_uint(j, v, cli_field_max(&s->fields[i]), &x);
    jin_pop(j, mark);
    if (rc) return rc;
    cli_field_set(base, &s->fields[i], x);
    if (given && i < 32) *given |= 1u << i;
  }
  return CLI_OK;
}

/* Array member `key` -> list of `size`-byte items, each read by `item`. */
typedef int (*item_reader)(jin *j, json_t *v, void *item);
static int read_list(jin *j, json_t *obj, const char *key, size_t size, item_reader item,
                     list_in *out) {
  json_t *arr = json_object_get(obj, key);
  out->count = 0;
  if (!arr) return CLI_OK;
  size_t mark = jin_push(j, ".%s", key);
  if (!json_is_array(arr)) return jin_fail(j, "expected an array");
  if (json_array_size(arr) > SIZE_MAX / size) return jin_fail(j, "too many items");
  out->items = jin_alloc(j, json_array_size(arr) * size);
  if (!out->items) return jin_fail(j, "out of memory");
  for (size_t i = 0; i < json_array_size(arr); i++) {
    size_t inner = jin_push(j, "[%zu]", i);
    json_t *v = json_array_get(arr, i);
    if (!json_is_object(v)) return jin_fail(j, "expected an object");
    int rc = item(j, v, (char *)out->items + i * size);
    if (rc) return rc;
    jin_pop(j, inner);
  }
  out->count = json_array_size(arr);
  jin_pop(j, mark);
  return CLI_OK;
}

/* ---- body items ------------------------------------------------------------------------------ */

static int read_extension(jin *j, json_t *v, void *item) {
  static const char *const keys[] = {"ext_type",      "ext_flags", "ext_len", "payload",
                                     "ext_type_name", "parsed",    NULL};
  nnrp_ext_entry *e = item;
  uint64_t type = 0, flags = 0, len;
  json_t *x;
  if (check_keys(j, v, NULL, keys)) return CLI_FAIL;
  if ((x = json_object_get(v, "ext_type")) == NULL) return jin_fail(j, "missing \"ext_type\"");
  if (read_uint(j, x, 0xFFFF, &type)) return CLI_FAIL;
  if ((x = json_object_get(v, "ext_flags")) && read_uint(j, x, 0xFFFF, &flags)) return CLI_FAIL;
  if (member_hex(j, v, "payload", &e->payload, NULL)) return CLI_FAIL;
  if ((x = json_object_get(v, "ext_len"))) {
    if (read_uint(j, x, UINT32_MAX, &len)) return CLI_FAIL;
    if (len != e->payload.len)
      return jin_fail(j, "ext_len %llu differs from the %zu payload bytes", (unsigned long long)len,
                      e->payload.len);
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
  size_t n = lengths ? json_array_size(lengths) : 0, mark = jin_push(j, ".tile_lengths");
  if (lengths && !json_is_array(lengths)) return jin_fail(j, "expected an array");
  uint8_t *table = jin_alloc(j, 4 * n);
  if (!table) return jin_fail(j, "out of memory");
  nnrp_sink sink;
  nnrp_sink_init_buffer(&sink, table, 4 * n);
  for (size_t i = 0; i < n; i++) {
    uint64_t len;
    size_t inner = jin_push(j, "[%zu]", i);
    if (read_uint(j, json_array_get(lengths, i), UINT32_MAX, &len)) return CLI_FAIL;
    nnrp_sink_u32(&sink, (uint32_t)len);
    jin_pop(j, inner);
  }
  jin_pop(j, mark);
  s->length_table = (nnrp_vec){table, 4 * n};
  if (!jin_given(&cli_section_desc_fields, given, "codec_table_bytes"))
    s->desc.codec_table_bytes = (uint32_t)s->codec_table.len;
  if (!jin_given(&cli_section_desc_fields, given, "length_table_bytes"))
    s->desc.length_table_bytes = (uint32_t)s->length_table.len;
  if (!jin_given(&cli_section_desc_fields, given, "payload_bytes"))
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
  if (!jin_given(&cli_inline_object_fields, given, "object_bytes"))
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
  if (!jin_given(s, given, "payload_length")) *length = (uint32_t)f->payload.len;
  if (*length != f->payload.len)
    return jin_fail(j, "payload_length %u differs from the %zu payload bytes", *length,
                    f->payload.len);
  f->offset_given = jin_given(s, given, "payload_offset");
  return CLI_OK;
}
static int read_typed(jin *j, json_t *v, void *item) {
  return read_frame(j, v, item, 1);
}
static int read_ext_frame(jin *j, json_t *v, void *item) {
  return read_frame(j, v, item, 0);
}

/* ---- bodies ---------------------------------------------------------------------------------- */

static int read_data_body(jin *j, json_t *body, packet_in *in) {
  static const char *const empty_keys[] = {"family", NULL};
  static const char *const submit_keys[] = {"family",   "camera",   "tile_index",
                                            "tile_ids", "sections", NULL};
  static const char *const result_keys[] = {"family", "tile_index", "tile_ids", "sections", NULL};
  static const char *const region_keys[] = {"family",
                                            "prelude",
                                            "inline_objects",
                                            "object_references",
                                            "typed_frames",
                                            "typed_payload_frame_region",
                                            "extension_frames",
                                            "extension_payload_region",
                                            NULL};
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
    return jin_fail(j, "\"family\" must be \"empty\", \"legacy\" or \"region\"");
  in->family = NNRP_BODY_REGION;
  if (check_keys(j, body, NULL, region_keys)) return CLI_FAIL;
  json_t *prelude = json_object_get(body, "prelude");
  if (prelude) {
    size_t mark = jin_push(j, ".prelude");
    if (!json_is_object(prelude)) return jin_fail(j, "expected an object");
    if (check_keys(j, prelude, &cli_prelude_fields, NULL)) return CLI_FAIL;
    if (read_fields(j, prelude, &cli_prelude_fields, &in->prelude, &in->prelude_given))
      return CLI_FAIL;
    jin_pop(j, mark);
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
      size_t mark = jin_push(j, ".profile_patch");
      if (!json_is_object(patch)) return jin_fail(j, "expected an object");
      if (check_keys(j, patch, &cli_profile_patch_fields, NULL) ||
          read_fields(j, patch, &cli_profile_patch_fields, &in->patch, NULL))
        return CLI_FAIL;
      jin_pop(j, mark);
      in->has_patch = 1;
      return CLI_OK;
    }
    case NNRP_MSG_FRAME_SUBMIT:
    case NNRP_MSG_RESULT_PUSH:
      return read_data_body(j, body, in);
    default: {
      const char *name = cli_raw_body_name(type);
      const char *const keys[] = {name ? name : "bytes", "text", NULL};
      if (check_keys(j, body, NULL, keys)) return CLI_FAIL;
      return member_hex(j, body, keys[0], &in->raw_body, NULL);
    }
  }
}

static int read_packet(jin *j, json_t *obj, packet_in *in) {
  static const char *const keys[] = {"msg_type_name", "metadata", "body", NULL};
  uint32_t given;
  if (!json_is_object(obj)) return jin_fail(j, "expected a packet object");
  if (check_keys(j, obj, &cli_header_fields, keys)) return CLI_FAIL;
  in->header.version_major = NNRP_VERSION_MAJOR;
  in->header.wire_format = NNRP_WIRE_FORMAT;
  in->header.header_len = NNRP_HEADER_LEN;
  if (read_fields(j, obj, &cli_header_fields, &in->header, &given)) return CLI_FAIL;
  if (!jin_given(&cli_header_fields, given, "msg_type")) return jin_fail(j, "missing \"msg_type\"");
  in->has_meta_len = jin_given(&cli_header_fields, given, "meta_len");
  in->has_body_len = jin_given(&cli_header_fields, given, "body_len");
  unsigned type = in->header.msg_type;
  if (!nnrp_msg_type_name(type))
    return jin_fail(j, "msg_type 0x%02x is not a Preview2 message type", type);

  json_t *meta = json_object_get(obj, "metadata"), *body = json_object_get(obj, "body");
  if (meta) {
    static const char *const raw_keys[] = {"bytes", NULL};
    const cli_struct *mf = cli_meta_fields(type);
    size_t mark = jin_push(j, "metadata");
    if (!json_is_object(meta)) return jin_fail(j, "expected an object");
    if (check_keys(j, meta, mf, mf ? NULL : raw_keys)) return CLI_FAIL;
    if (mf ? read_fields(j, meta, mf, &in->meta, NULL)
           : member_hex(j, meta, "bytes", &in->raw_meta, NULL))
      return CLI_FAIL;
    jin_pop(j, mark);
  }
  if (!body) {
    if (type == NNRP_MSG_FRAME_SUBMIT || type == NNRP_MSG_RESULT_PUSH)
      return jin_fail(j, "missing \"body\"");
    return CLI_OK;
  }
  size_t mark = jin_push(j, "body");
  if (!json_is_object(body)) return jin_fail(j, "expected an object");
  int rc = read_body(j, body, in);
  jin_pop(j, mark);
  return rc;
}

int cli_packet_from_json(const char *cmd, json_t *obj, size_t index, cli_bytes *out) {
  jin j = {cmd, index, "", 0, NULL, 0, 0};
  packet_in *in = jin_alloc(&j, sizeof(*in));
  int rc = in ? read_packet(&j, obj, in) : jin_fail(&j, "out of memory");
  if (rc == CLI_OK) rc = jin_encode_packet(&j, in, out);
  for (size_t i = 0; i < j.alloc_count; i++) free(j.allocs[i]);
  free(j.allocs);
  return rc ? CLI_FAIL : CLI_OK;
}
