/* Reading builder inputs in the reference SDK's JSON encoding (see build_json.h). */
#include "build_json.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- loading ------------------------------------------------------------------------------- */

/* jansson stores integers as long long; quote longer literals (u64 ids such as 2^64-1) so that
 * they survive as digit strings.  Only characters outside JSON strings are looked at. */
static char *quote_big_integers(const char *in, size_t len) {
  char *out = malloc(len * 2 + 1);
  if (!out) return NULL;
  size_t o = 0;
  int in_string = 0;
  for (size_t i = 0; i < len;) {
    char ch = in[i];
    if (in_string) {
      out[o++] = ch;
      if (ch == '\\' && i + 1 < len) {
        out[o++] = in[++i];
      } else if (ch == '"') {
        in_string = 0;
      }
      i++;
      continue;
    }
    if (ch == '"') {
      in_string = 1;
      out[o++] = in[i++];
      continue;
    }
    if (isdigit((unsigned char)ch)) {
      size_t j = i;
      while (j < len && isdigit((unsigned char)in[j])) j++;
      int plain = j == len || (in[j] != '.' && in[j] != 'e' && in[j] != 'E');
      if (plain && j - i >= 19) {
        out[o++] = '"';
        memcpy(out + o, in + i, j - i);
        o += j - i;
        out[o++] = '"';
      } else {
        memcpy(out + o, in + i, j - i);
        o += j - i;
      }
      i = j;
      continue;
    }
    out[o++] = in[i++];
  }
  out[o] = 0;
  return out;
}

json_t *vec_json_loads(const char *text, size_t len, json_error_t *err) {
  char *quoted = quote_big_integers(text, len);
  if (!quoted) {
    if (err) snprintf(err->text, sizeof(err->text), "out of memory");
    return NULL;
  }
  json_t *root = json_loads(quoted, 0, err);
  free(quoted);
  return root;
}

/* ---- context ------------------------------------------------------------------------------- */

void vec_ctx_init(vec_ctx *c, const char *name) {
  memset(c, 0, sizeof(*c));
  c->name = name;
}

void vec_ctx_free(vec_ctx *c) {
  for (size_t i = 0; i < c->alloc_count; i++) free(c->allocs[i]);
  free(c->allocs);
  free(c->used);
  memset(c, 0, sizeof(*c));
}

void vec_fail(vec_ctx *c, const char *fmt, ...) {
  char msg[sizeof(c->first_error)];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if (c->errors++ == 0) memcpy(c->first_error, msg, sizeof(msg));
  if (!c->quiet) fprintf(stderr, "  [%s] %s\n", c->name ? c->name : "?", msg);
}

static void *grow(void *arr, size_t *cap, size_t elem) {
  size_t n = *cap ? *cap * 2 : 16;
  void *p = realloc(arr, n * elem);
  if (!p) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  *cap = n;
  return p;
}

void *vec_alloc(vec_ctx *c, size_t n) {
  void *p = calloc(1, n ? n : 1);
  if (!p) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  if (c->alloc_count == c->alloc_cap) c->allocs = grow(c->allocs, &c->alloc_cap, sizeof(void *));
  c->allocs[c->alloc_count++] = p;
  return p;
}

/* ---- consumed members ---------------------------------------------------------------------- */

void vec_mark(vec_ctx *c, const json_t *obj, const char *key) {
  void *it = json_object_iter_at((json_t *)obj, key);
  if (!it) return;
  if (c->used_count == c->used_cap) c->used = grow(c->used, &c->used_cap, sizeof(char *));
  c->used[c->used_count++] = json_object_iter_key(it);
}

static int is_used(const vec_ctx *c, const char *stored_key) {
  for (size_t i = 0; i < c->used_count; i++)
    if (c->used[i] == stored_key) return 1;
  return 0;
}

int vec_check_used(vec_ctx *c, const json_t *obj, const char *where) {
  int unused = 0;
  if (!json_is_object(obj)) return 0;
  for (void *it = json_object_iter((json_t *)obj); it;
       it = json_object_iter_next((json_t *)obj, it)) {
    const char *key = json_object_iter_key(it);
    if (!is_used(c, key)) {
      vec_fail(c, "input %s.%s is not mapped to anything", where, key);
      unused++;
    }
  }
  return unused;
}

const json_t *vec_member(vec_ctx *c, const json_t *obj, const char *key) {
  if (!json_is_object(obj)) return NULL;
  json_t *v = json_object_get(obj, key);
  if (!v) return NULL;
  vec_mark(c, obj, key);
  return json_is_null(v) ? NULL : v;
}

const char *vec_get_str(vec_ctx *c, const json_t *obj, const char *key) {
  const json_t *v = vec_member(c, obj, key);
  return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---- scalars ------------------------------------------------------------------------------- */

/* Leading number of a string: "0x21 ACK_REQUIRED", "18446744073709551615", "3(object_key)". */
static int parse_leading(const char *s, uint64_t *out) {
  int base = 10;
  const char *p = s;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    base = 16;
    p += 2;
  }
  if (base == 16 ? !isxdigit((unsigned char)*p) : !isdigit((unsigned char)*p)) return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(p, &end, base);
  if (errno || end == p) return -1;
  if (*end && *end != ' ' && *end != '(' && *end != ',') return -1;
  *out = v;
  return 0;
}

uint64_t vec_num(vec_ctx *c, const json_t *v, uint64_t max) {
  uint64_t out = 0;
  if (json_is_object(v) && json_object_get(v, "enum")) v = json_object_get(v, "value");
  if (json_is_integer(v)) {
    json_int_t i = json_integer_value(v);
    if (i < 0) {
      vec_fail(c, "negative number %lld", (long long)i);
      return 0;
    }
    out = (uint64_t)i;
  } else if (json_is_string(v)) {
    if (parse_leading(json_string_value(v), &out) < 0) {
      vec_fail(c, "not a number: \"%s\"", json_string_value(v));
      return 0;
    }
  } else {
    vec_fail(c, "expected a number");
    return 0;
  }
  if (out > max) {
    vec_fail(c, "value %llu exceeds %llu", (unsigned long long)out, (unsigned long long)max);
    return 0;
  }
  return out;
}

uint64_t vec_get(vec_ctx *c, const json_t *obj, const char *key, uint64_t def, uint64_t max) {
  const json_t *v = vec_member(c, obj, key);
  if (!v) return def;
  int before = c->errors;
  uint64_t r = vec_num(c, v, max);
  if (c->errors != before) vec_fail(c, "  (in member \"%s\")", key);
  return r;
}

/* ---- bytes --------------------------------------------------------------------------------- */

static int hex_digit(int ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

nnrp_vec vec_hex(vec_ctx *c, const char *hex) {
  size_t n = strlen(hex);
  uint8_t *p = vec_alloc(c, n / 2);
  nnrp_vec r = {p, 0};
  if (n % 2) {
    vec_fail(c, "bad hex \"%.40s\" (odd length)", hex);
    return r;
  }
  for (size_t i = 0; i < n / 2; i++) {
    int hi = hex_digit((unsigned char)hex[2 * i]), lo = hex_digit((unsigned char)hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      vec_fail(c, "bad hex \"%.40s\"", hex);
      return r;
    }
    p[i] = (uint8_t)(hi << 4 | lo);
  }
  r.len = n / 2;
  return r;
}

nnrp_vec vec_bytes(vec_ctx *c, const json_t *v) {
  if (json_is_object(v)) {
    const json_t *h = json_object_get(v, "hex");
    if (json_is_string(h)) return vec_hex(c, json_string_value(h));
  } else if (json_is_string(v)) {
    return vec_hex(c, json_string_value(v));
  }
  vec_fail(c, "expected bytes ({\"hex\": ...})");
  nnrp_vec r = {vec_alloc(c, 1), 0};
  return r;
}

nnrp_vec vec_get_bytes(vec_ctx *c, const json_t *obj, const char *key) {
  const json_t *v = vec_member(c, obj, key);
  if (!v) {
    nnrp_vec r = {vec_alloc(c, 1), 0};
    return r;
  }
  return vec_bytes(c, v);
}

const json_t *vec_fields(vec_ctx *c, const json_t *v, const char *cls) {
  if (!json_is_object(v)) {
    vec_fail(c, "expected an object%s%s", cls ? " of class " : "", cls ? cls : "");
    return NULL;
  }
  const json_t *name = json_object_get(v, "class");
  const json_t *fields = json_object_get(v, "fields");
  if (!name || !fields) return v;
  vec_mark(c, v, "class");
  vec_mark(c, v, "fields");
  if (cls && (!json_is_string(name) || strcmp(json_string_value(name), cls) != 0))
    vec_fail(c, "expected class %s, got %s", cls,
             json_is_string(name) ? json_string_value(name) : "?");
  return fields;
}

size_t vec_get_u16s(vec_ctx *c, const json_t *obj, const char *key, uint16_t **out) {
  const json_t *arr = vec_member(c, obj, key);
  size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
  if (arr && !json_is_array(arr)) vec_fail(c, "member %s is not an array", key);
  uint16_t *ids = vec_alloc(c, n * sizeof(uint16_t));
  for (size_t i = 0; i < n; i++) ids[i] = (uint16_t)vec_num(c, json_array_get(arr, i), 0xFFFF);
  *out = ids;
  return n;
}

/* ---- struct tables ------------------------------------------------------------------------- */

#define F(t, m) VEC_FIELD(t, m)
#define ST(cls, t, table) {cls, table, sizeof(table) / sizeof(table[0]), sizeof(t)}

static const vec_field header_fields[] = {
    F(nnrp_header, version_major), F(nnrp_header, wire_format), F(nnrp_header, msg_type),
    F(nnrp_header, header_len),    F(nnrp_header, flags),       F(nnrp_header, meta_len),
    F(nnrp_header, body_len),      F(nnrp_header, session_id),  F(nnrp_header, frame_id),
    F(nnrp_header, view_id),       F(nnrp_header, route_id),    F(nnrp_header, trace_id),
};
const vec_struct vec_header_struct = ST("NnrpHeader", nnrp_header, header_fields);

#define T nnrp_client_hello_meta
static const vec_field client_hello_fields[] = {
    F(T, min_version_major),          F(T, max_version_major),
    F(T, supported_wire_format_bitmap), F(T, supported_profile_bitmap),
    F(T, supported_payload_kind_bitmap), F(T, supported_codec_bitmap),
    F(T, supported_compression_bitmap), F(T, supported_dtype_bitmap),
    F(T, supported_layout_bitmap),    F(T, cache_digest_bitmap),
    F(T, cache_object_bitmap),        F(T, cache_namespace_count),
    F(T, max_lane_count),             F(T, max_cache_entries),
    F(T, max_cache_bytes),            F(T, target_cadence_x100),
    F(T, latency_budget_ms),          F(T, quality_tier),
    F(T, degrade_policy),             F(T, requested_session_id),
    F(T, auth_bytes),                 F(T, control_extension_bytes),
};
#undef T
#define T nnrp_server_hello_ack_meta
static const vec_field server_hello_ack_fields[] = {
    F(T, selected_version_major), F(T, selected_wire_format), F(T, auth_status),
    F(T, reserved0),              F(T, session_id),           F(T, accepted_profile_bitmap),
    F(T, accepted_payload_kind_bitmap), F(T, accepted_codec_bitmap),
    F(T, accepted_compression_bitmap),  F(T, accepted_dtype_bitmap),
    F(T, accepted_layout_bitmap), F(T, cache_digest_bitmap), F(T, cache_object_bitmap),
    F(T, max_cache_entries),      F(T, max_cache_bytes),      F(T, max_lane_count),
    F(T, max_concurrent_frames),  F(T, target_cadence_x100),  F(T, latency_budget_ms),
    F(T, quality_tier),           F(T, degrade_policy),       F(T, max_body_bytes),
    F(T, token_ttl_ms),           F(T, retry_after_ms),       F(T, control_extension_bytes),
    F(T, server_flags),
};
#undef T
#define T nnrp_session_patch_meta
static const vec_field session_patch_fields[] = {
    F(T, profile_id),           F(T, reserved0),      F(T, patch_mask),
    F(T, target_cadence_x100),  F(T, quality_tier),   F(T, degrade_policy),
    F(T, active_lane_mask),     F(T, preferred_codec_bitmap),
    F(T, preferred_compression_bitmap), F(T, profile_patch_bytes),
};
#undef T
#define T nnrp_session_patch_ack_meta
static const vec_field session_patch_ack_fields[] = {
    F(T, ack_status),           F(T, reject_reason),           F(T, applied_patch_mask),
    F(T, rejected_patch_mask),  F(T, retry_after_ms),          F(T, effective_profile_id),
    F(T, reserved0),            F(T, effective_target_cadence_x100),
    F(T, effective_quality_tier), F(T, effective_degrade_policy), F(T, effective_lane_mask),
    F(T, effective_codec_bitmap), F(T, effective_compression_bitmap),
    F(T, profile_patch_ack_bytes),
};
#undef T
#define T nnrp_profile_patch
static const vec_field profile_patch_fields[] = {
    F(T, min_width), F(T, min_height), F(T, max_width), F(T, max_height),
};
#undef T
#define T nnrp_error_meta
static const vec_field error_fields[] = {
    F(T, error_code),         F(T, error_scope),      F(T, is_fatal),
    F(T, retry_after_ms),     F(T, related_session_id), F(T, related_frame_id),
    F(T, related_view_id),    F(T, diagnostic_bytes),
};
#undef T
#define T nnrp_cache_put_meta
static const vec_field cache_put_fields[] = {
    F(T, cache_namespace), F(T, cache_key_hi), F(T, cache_key_lo), F(T, object_kind),
    F(T, ttl_ms),          F(T, object_bytes), F(T, codec_bitmap), F(T, flags),
};
#undef T
#define T nnrp_cache_ack_meta
static const vec_field cache_ack_fields[] = {
    F(T, cache_namespace), F(T, cache_key_hi),     F(T, cache_key_lo),  F(T, status),
    F(T, accepted_ttl_ms), F(T, max_object_bytes), F(T, detail_code),
};
#undef T
#define T nnrp_cache_invalidate_meta
static const vec_field cache_invalidate_fields[] = {
    F(T, invalidate_scope), F(T, cache_namespace), F(T, cache_key_hi),
    F(T, cache_key_lo),     F(T, reason_code),
};
#undef T
#define T nnrp_flow_update_meta
static const vec_field flow_update_fields[] = {
    F(T, scope_kind),        F(T, update_reason),   F(T, backpressure_level), F(T, reserved0),
    F(T, connection_credit), F(T, session_credit),  F(T, operation_credit),   F(T, reserved1),
    F(T, operation_id),      F(T, retry_after_ms),  F(T, credit_epoch),       F(T, flags),
};
#undef T
#define T nnrp_result_hint_meta
static const vec_field result_hint_fields[] = {
    F(T, applied_budget_policy), F(T, congestion_state), F(T, reason), F(T, retry_after_ms),
};
#undef T
#define T nnrp_transport_probe_meta
static const vec_field transport_probe_fields[] = {
    F(T, probe_id), F(T, probe_payload_bytes), F(T, client_send_ts_us),
};
#undef T
#define T nnrp_transport_probe_ack_meta
static const vec_field transport_probe_ack_fields[] = {
    F(T, probe_id), F(T, reserved), F(T, server_recv_ts_us),
};
#undef T
#define T nnrp_session_migrate_meta
static const vec_field session_migrate_fields[] = {
    F(T, old_transport_id), F(T, new_transport_id), F(T, last_result_frame_id),
    F(T, client_migrate_ts_us),
};
#undef T
#define T nnrp_session_migrate_ack_meta
static const vec_field session_migrate_ack_fields[] = {
    F(T, accept_code), F(T, resume_from_frame_id), F(T, grace_window_ms),
    F(T, server_migrate_ts_us),
};
#undef T
#define T nnrp_frame_submit_meta
static const vec_field frame_submit_fields[] = {
    F(T, src_width),        F(T, src_height),          F(T, tile_width),
    F(T, tile_height),      F(T, tile_count),          F(T, section_count),
    F(T, frame_class),      F(T, input_profile),       F(T, tile_index_mode),
    F(T, reserved0),        F(T, latency_budget_ms),   F(T, target_fps_x100),
    F(T, retry_of_frame),   F(T, tile_base_id),        F(T, camera_bytes),
    F(T, tile_index_bytes), F(T, reserved1),           F(T, reserved2),
    F(T, submit_mode),      F(T, budget_policy),       F(T, loss_tolerance_policy),
    F(T, reserved3),        F(T, object_ref_mask),     F(T, dependency_frame_id),
    F(T, payload_kind_bitmap), F(T, payload_frame_count), F(T, reserved4),
};
#undef T
#define T nnrp_result_push_meta
static const vec_field result_push_fields[] = {
    F(T, status_code),      F(T, result_flags),       F(T, section_count),
    F(T, tile_count),       F(T, active_profile_id),  F(T, reserved0),
    F(T, inference_ms),     F(T, queue_ms),           F(T, server_total_ms),
    F(T, reserved1),        F(T, tile_base_id),       F(T, tile_index_bytes),
    F(T, reserved2),        F(T, reserved3),          F(T, result_class),
    F(T, applied_budget_policy), F(T, reserved4),     F(T, reused_frame_id),
    F(T, covered_tile_count), F(T, dropped_tile_count), F(T, payload_kind_bitmap),
    F(T, payload_frame_count), F(T, reserved5),
};
#undef T
#define T nnrp_object_ref
static const vec_field object_ref_fields[] = {
    F(T, object_kind), F(T, ref_flags), F(T, cache_namespace), F(T, cache_key_hi),
    F(T, cache_key_lo),
};
#undef T
#define T nnrp_typed_frame
static const vec_field typed_frame_fields[] = {
    F(T, payload_kind), F(T, descriptor_flags), F(T, profile_id),
    VEC_BYTES_AS(T, payload, "payload"),
};
#undef T
#define T nnrp_ext_frame
static const vec_field ext_frame_fields[] = {
    F(T, extension_kind), F(T, extension_flags), F(T, profile_id),
    VEC_BYTES_AS(T, payload, "payload"),
};
#undef T
#define T nnrp_ext_entry
static const vec_field ext_entry_fields[] = {
    F(T, ext_type), F(T, ext_flags), VEC_BYTES_AS(T, payload, "payload"),
};
#undef T
#define T nnrp_transport_policy_ext
static const vec_field client_tp_fields[] = {
    F(T, transport_policy), VEC_FIELD_AS(T, transport_id, "preferred_transport_id"),
};
static const vec_field server_tp_fields[] = {
    F(T, transport_policy), F(T, accepted_transport_policy),
    VEC_FIELD_AS(T, transport_id, "active_transport_id"),
};
#undef T
#define T nnrp_loss_tolerance_ext
static const vec_field client_lt_fields[] = {
    VEC_FIELD_AS(T, loss_tolerance, "session_loss_tolerance"),
};
static const vec_field server_lt_fields[] = {
    VEC_FIELD_AS(T, loss_tolerance, "accepted_loss_tolerance"),
};
#undef T
#define T nnrp_payload_caps_ext
static const vec_field client_pc_fields[] = {
    F(T, payload_kind_bitmap), F(T, critical_extension_frame_bitmap),
};
static const vec_field server_pc_fields[] = {
    VEC_FIELD_AS(T, payload_kind_bitmap, "accepted_payload_kind_bitmap"),
    VEC_FIELD_AS(T, critical_extension_frame_bitmap, "accepted_critical_extension_frame_bitmap"),
};
#undef T

static const vec_struct structs[] = {
    ST("ClientHelloMetadata", nnrp_client_hello_meta, client_hello_fields),
    ST("ServerHelloAckMetadata", nnrp_server_hello_ack_meta, server_hello_ack_fields),
    ST("SessionPatchMetadata", nnrp_session_patch_meta, session_patch_fields),
    ST("SessionPatchAckMetadata", nnrp_session_patch_ack_meta, session_patch_ack_fields),
    ST("TensorProfilePatchBlock", nnrp_profile_patch, profile_patch_fields),
    ST("TensorProfilePatchAckBlock", nnrp_profile_patch, profile_patch_fields),
    ST("ErrorMetadata", nnrp_error_meta, error_fields),
    ST("CachePutMetadata", nnrp_cache_put_meta, cache_put_fields),
    ST("CacheAckMetadata", nnrp_cache_ack_meta, cache_ack_fields),
    ST("CacheInvalidateMetadata", nnrp_cache_invalidate_meta, cache_invalidate_fields),
    ST("FlowUpdateMetadata", nnrp_flow_update_meta, flow_update_fields),
    ST("ResultHintMetadata", nnrp_result_hint_meta, result_hint_fields),
    ST("TransportProbeMetadata", nnrp_transport_probe_meta, transport_probe_fields),
    ST("TransportProbeAckMetadata", nnrp_transport_probe_ack_meta, transport_probe_ack_fields),
    ST("SessionMigrateMetadata", nnrp_session_migrate_meta, session_migrate_fields),
    ST("SessionMigrateAckMetadata", nnrp_session_migrate_ack_meta, session_migrate_ack_fields),
    ST("FrameSubmitMetadata", nnrp_frame_submit_meta, frame_submit_fields),
    ST("ResultPushMetadata", nnrp_result_push_meta, result_push_fields),
    ST("ObjectReferenceBlock", nnrp_object_ref, object_ref_fields),
    ST("TypedPayloadFrame", nnrp_typed_frame, typed_frame_fields),
    ST("ExtensionFrame", nnrp_ext_frame, ext_frame_fields),
    ST("ControlExtensionEntry", nnrp_ext_entry, ext_entry_fields),
    ST("ClientHelloTransportPolicyExtension", nnrp_transport_policy_ext, client_tp_fields),
    ST("ServerHelloAckTransportPolicyExtension", nnrp_transport_policy_ext, server_tp_fields),
    ST("ClientHelloLossToleranceExtension", nnrp_loss_tolerance_ext, client_lt_fields),
    ST("ServerHelloAckLossToleranceExtension", nnrp_loss_tolerance_ext, server_lt_fields),
    ST("ClientHelloPayloadCapabilitiesExtension", nnrp_payload_caps_ext, client_pc_fields),
    ST("ServerHelloAckPayloadCapabilitiesExtension", nnrp_payload_caps_ext, server_pc_fields),
};

const vec_struct *vec_struct_by_class(const char *cls) {
  for (size_t i = 0; i < sizeof(structs) / sizeof(structs[0]); i++)
    if (strcmp(structs[i].cls, cls) == 0) return &structs[i];
  return NULL;
}

static const vec_field *find_field(const vec_struct *st, const char *key) {
  for (size_t i = 0; i < st->count; i++)
    if (strcmp(st->fields[i].json, key) == 0) return &st->fields[i];
  return NULL;
}

static uint64_t width_max(size_t size) {
  return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
}

static uint64_t load_int(const void *base, const vec_field *f) {
  const uint8_t *p = (const uint8_t *)base + f->offset;
  switch (f->size) {
    case 1: { uint8_t v; memcpy(&v, p, 1); return v; }
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
  }
}

static void store_int(void *base, const vec_field *f, uint64_t v) {
  uint8_t *p = (uint8_t *)base + f->offset;
  switch (f->size) {
    case 1: { uint8_t x = (uint8_t)v; memcpy(p, &x, 1); break; }
    case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
    default: memcpy(p, &v, 8); break;
  }
}

void vec_fill(vec_ctx *c, const vec_struct *st, const json_t *fields, void *dst) {
  if (!json_is_object(fields)) {
    vec_fail(c, "%s: expected a field object", st->cls);
    return;
  }
  for (void *it = json_object_iter((json_t *)fields); it;
       it = json_object_iter_next((json_t *)fields, it)) {
    const char *key = json_object_iter_key(it);
    const json_t *v = json_object_iter_value(it);
    const vec_field *f = find_field(st, key);
    vec_mark(c, fields, key);
    if (!f) {
      vec_fail(c, "%s has no field \"%s\" in libnnrp", st->cls, key);
      continue;
    }
    if (f->kind == VEC_BYTES) {
      nnrp_vec b = vec_bytes(c, v);
      memcpy((uint8_t *)dst + f->offset, &b, sizeof(b));
    } else {
      int before = c->errors;
      store_int(dst, f, vec_num(c, v, width_max(f->size)));
      if (c->errors != before) vec_fail(c, "  (in %s.%s)", st->cls, key);
    }
  }
}

uint64_t vec_struct_get(const vec_struct *st, const void *src, const char *field) {
  const vec_field *f = find_field(st, field);
  return f && f->kind == VEC_INT ? load_int(src, f) : 0;
}

int vec_compare(vec_ctx *c, const vec_struct *st, const json_t *fields, const void *src,
                int allow_unknown) {
  int compared = 0;
  if (!json_is_object(fields)) {
    vec_fail(c, "%s: expected a field object", st->cls);
    return 0;
  }
  for (void *it = json_object_iter((json_t *)fields); it;
       it = json_object_iter_next((json_t *)fields, it)) {
    const char *key = json_object_iter_key(it);
    const json_t *v = json_object_iter_value(it);
    const vec_field *f = find_field(st, key);
    if (!f) {
      if (!allow_unknown) vec_fail(c, "%s has no field \"%s\" in libnnrp", st->cls, key);
      continue;
    }
    vec_mark(c, fields, key);
    compared++;
    if (f->kind == VEC_BYTES) {
      nnrp_vec want = vec_bytes(c, v), got;
      memcpy(&got, (const uint8_t *)src + f->offset, sizeof(got));
      if (got.len != want.len || (want.len && memcmp(got.base, want.base, want.len) != 0))
        vec_fail(c, "%s.%s: bytes differ (%zu vs %zu bytes)", st->cls, key, got.len, want.len);
    } else {
      uint64_t want = vec_num(c, v, UINT64_MAX), got = load_int(src, f);
      if (got != want)
        vec_fail(c, "%s.%s: got %llu (0x%llx), expected %llu (0x%llx)", st->cls, key,
                 (unsigned long long)got, (unsigned long long)got, (unsigned long long)want,
                 (unsigned long long)want);
    }
  }
  return compared;
}

int vec_compare_text(vec_ctx *c, const vec_struct *st, const char *text, const void *src) {
  int compared = 0;
  const char *p = text;
  while (*p) {
    while (*p == ' ' || *p == ',' || *p == ';') p++;
    const char *tok = p;
    while (*p && *p != ' ' && *p != ',' && *p != ';') p++;
    const char *eq = memchr(tok, '=', (size_t)(p - tok));
    if (!eq) continue;
    char key[64], val[64];
    size_t klen = (size_t)(eq - tok), vlen = (size_t)(p - eq - 1);
    if (klen == 0 || klen >= sizeof(key) || vlen == 0 || vlen >= sizeof(val)) continue;
    memcpy(key, tok, klen);
    key[klen] = 0;
    memcpy(val, eq + 1, vlen);
    val[vlen] = 0;
    const vec_field *f = find_field(st, key);
    uint64_t want;
    if (!f || f->kind != VEC_INT || parse_leading(val, &want) < 0) continue;
    compared++;
    uint64_t got = load_int(src, f);
    if (got != want)
      vec_fail(c, "%s.%s: got %llu, expected %llu", st->cls, key, (unsigned long long)got,
               (unsigned long long)want);
  }
  return compared;
}

void vec_print_hex(const char *label, const uint8_t *p, size_t n) {
  fprintf(stderr, "  %s (%zu bytes): ", label, n);
  for (size_t i = 0; i < n; i++) fprintf(stderr, "%02x", p[i]);
  fputc('\n', stderr);
}

/* ---- lists and sections -------------------------------------------------------------------- */

size_t vec_get_list(vec_ctx *c, const json_t *obj, const char *key, const char *cls,
                    void **out) {
  const vec_struct *st = vec_struct_by_class(cls);
  const json_t *arr = vec_member(c, obj, key);
  size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
  if (arr && !json_is_array(arr)) vec_fail(c, "member %s is not an array", key);
  if (!st) {
    vec_fail(c, "no struct table for class %s", cls);
    *out = vec_alloc(c, 1);
    return 0;
  }
  uint8_t *items = vec_alloc(c, n * st->size);
  for (size_t i = 0; i < n; i++)
    vec_fill(c, st, vec_fields(c, json_array_get(arr, i), cls), items + i * st->size);
  *out = items;
  return n;
}

void vec_section(vec_ctx *c, const json_t *v, nnrp_tensor_section_data *s) {
  const json_t *f = vec_fields(c, v, "TensorSectionData");
  memset(s, 0, sizeof(*s));
  s->role_id = (uint16_t)vec_get(c, f, "role_id", 0, 0xFFFF);
  s->default_codec_id = (uint8_t)vec_get(c, f, "default_codec_id", 0, 0xFF);
  s->dtype_id = (uint8_t)vec_get(c, f, "dtype_id", 0, 0xFF);
  s->layout_id = (uint8_t)vec_get(c, f, "layout_id", NNRP_LAYOUT_NHWC, 0xFF);
  s->scale_policy = (uint8_t)vec_get(c, f, "scale_policy", NNRP_SCALE_NONE, 0xFF);
  s->payload_stride_bytes = (uint32_t)vec_get(c, f, "payload_stride_bytes", 0, UINT32_MAX);
  s->element_count_per_tile = (uint32_t)vec_get(c, f, "element_count_per_tile", 0, UINT32_MAX);
  const json_t *tiles = vec_member(c, f, "tile_payloads");
  size_t n = json_is_array(tiles) ? json_array_size(tiles) : 0;
  nnrp_vec *payloads = vec_alloc(c, n * sizeof(nnrp_vec));
  for (size_t i = 0; i < n; i++) payloads[i] = vec_bytes(c, json_array_get(tiles, i));
  s->tile_payloads = payloads;
  s->tile_payload_count = n;
  const json_t *codecs = vec_member(c, f, "codec_ids");
  size_t m = json_is_array(codecs) ? json_array_size(codecs) : 0;
  if (m) {
    uint8_t *ids = vec_alloc(c, m);
    for (size_t i = 0; i < m; i++) ids[i] = (uint8_t)vec_num(c, json_array_get(codecs, i), 0xFF);
    s->codec_ids = ids;
    s->codec_id_count = m;
  }
  vec_check_used(c, f, "TensorSectionData");
}

size_t vec_get_sections(vec_ctx *c, const json_t *obj, const char *key,
                        nnrp_tensor_section_data **out) {
  const json_t *arr = vec_member(c, obj, key);
  size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
  if (arr && !json_is_array(arr)) vec_fail(c, "member %s is not an array", key);
  nnrp_tensor_section_data *s = vec_alloc(c, n * sizeof(*s));
  for (size_t i = 0; i < n; i++) vec_section(c, json_array_get(arr, i), &s[i]);
  *out = s;
  return n;
}
