/*
 * Semantic vector recipes (the conformance suite's semantic-vectors.json) -> vector inputs.
 *
 * A recipe names its vector, its recipe_type and the field values.  Fields carry the names of
 * the specification tables; a value is a JSON integer, a decimal string (the suite's u64
 * form), an enumeration name ("inherit_session") or, for a bit set, a list of names
 * (["ack_required", "keyframe"]).  A field a recipe leaves out takes the reference builders'
 * default (nnrp_*_meta_init), else 0; a field this file does not know is an error, so that
 * nothing is rendered from a recipe half understood.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

#define F(type, member) \
  { #member, offsetof(type, member), sizeof(((type *)0)->member) }

static const cli_field packet_fields[] = {
    F(nnrp_packet_params, flags),    F(nnrp_packet_params, session_id),
    F(nnrp_packet_params, frame_id), F(nnrp_packet_params, view_id),
    F(nnrp_packet_params, route_id), F(nnrp_packet_params, trace_id),
};
const cli_struct conf_packet_fields = {packet_fields,
                                       sizeof(packet_fields) / sizeof(packet_fields[0])};

/* ---- names of values (wire-control §3, wire-data §2) ----------------------------------------- */

typedef struct name_value {
  const char *name;
  uint64_t value;
} name_value;

typedef struct name_table {
  const name_value *names;
  size_t count;
  int bits; /* a bit set: a list of names is OR'ed */
} name_table;

#define NAMES(id, bits, ...)                            \
  static const name_value id##_names[] = {__VA_ARGS__}; \
  static const name_table id = {id##_names, sizeof(id##_names) / sizeof(id##_names[0]), bits}

NAMES(header_flags, 1, {"ack_required", 0x01}, {"can_drop", 0x02}, {"stale", 0x04}, {"eos", 0x08},
      {"retransmit", 0x10}, {"keyframe", 0x20});
NAMES(payload_kinds, 1, {"tensor", 0x01}, {"token_chunk", 0x02}, {"audio_chunk", 0x04},
      {"video_chunk", 0x08}, {"structured_event", 0x10}, {"tool_delta", 0x20},
      {"opaque_bytes", 0x40});
/* A typed frame's single kind is the same bit, named the same way. */
static const name_table payload_kind = {
    payload_kinds_names, sizeof(payload_kinds_names) / sizeof(payload_kinds_names[0]), 0};
NAMES(patch_fields, 1, {"target_cadence", 0x01}, {"target_fps", 0x01}, {"quality_tier", 0x02},
      {"degrade_policy", 0x04}, {"active_lane_mask", 0x08}, {"active_view_mask", 0x08},
      {"preferred_codec", 0x10}, {"preferred_compression", 0x20}, {"profile_patch", 0x40},
      {"resolution_clamp", 0x40});
NAMES(patch_ack_status, 0, {"accepted", 0}, {"partially_applied", 1}, {"rejected", 2});
/* Both naming schemes of wire-control §3.11 (the numbers agree, §14 D4). */
NAMES(patch_reject_reason, 0, {"none", 0}, {"unsupported_field", 1}, {"invalid_field_mask", 1},
      {"invalid_range", 2}, {"immutable_field", 2}, {"unsupported_strategy", 3},
      {"unsupported_value", 3}, {"invalid_lane_mask", 4}, {"invalid_view_mask", 4},
      {"out_of_range", 4}, {"rate_limited", 5}, {"server_busy", 5});
NAMES(flow_scope, 0, {"connection", 0}, {"session", 1}, {"operation", 2});
NAMES(flow_reason, 0, {"grant", 0}, {"reduce", 1}, {"pause", 2}, {"resume", 3}, {"congestion", 4});
NAMES(backpressure, 0, {"none", 0}, {"soft", 1}, {"hard", 2});
NAMES(flow_flags, 1, {"credit_valid", 0x1}, {"retry_after_valid", 0x2}, {"background_only", 0x4},
      {"drain_in_flight_only", 0x8});
NAMES(hint_policy, 0, {"none", 0}, {"full", 1}, {"partial", 2}, {"stale_reuse", 3}, {"drop", 4});
NAMES(hint_congestion, 0, {"none", 0}, {"steady", 1}, {"elevated", 2}, {"saturated", 3});
NAMES(hint_reason, 0, {"none", 0}, {"queue_full", 1}, {"server_busy", 2}, {"budget_exceeded", 3},
      {"superseded", 4});
NAMES(frame_class, 0, {"keyframe", 0}, {"delta", 1}, {"retransmit", 2}, {"discardable", 3});
NAMES(input_profile, 0, {"unspecified", 0}, {"changed_tiles_luma", 1}, {"dense_luma_frame", 2});
NAMES(tile_index_mode, 0, {"dense_range", 0}, {"raw_u16", 1}, {"delta_u16", 2}, {"bitset", 3});
NAMES(submit_mode, 0, {"inline", 0}, {"reference", 1}, {"mixed", 2});
NAMES(budget_policy, 1, {"allow_partial", 0x01}, {"allow_stale_reuse", 0x02},
      {"allow_degraded", 0x04}, {"allow_drop", 0x08});
NAMES(loss_tolerance, 0, {"strict", 0}, {"best_effort", 1}, {"low_latency", 2},
      {"fire_and_forget", 3}, {"inherit_session", 0xFF}, {"inherit", 0xFF});
NAMES(object_ref_mask, 1, {"camera_block", 0x1}, {"tile_index_block", 0x2},
      {"tensor_section_table", 0x4}, {"payload_layout_template", 0x8});
NAMES(result_flags, 1, {"stale", 0x1}, {"fallback", 0x2}, {"partial", 0x4});
NAMES(result_class, 0, {"complete", 0}, {"partial", 1}, {"stale_reuse", 2}, {"degraded", 3});
NAMES(object_kind, 0, {"camera_block", 1}, {"tile_index_block", 2}, {"tile_index_template", 2},
      {"tensor_section_table", 3}, {"codec_table", 4}, {"codec_aux_block", 4},
      {"reusable_result_object", 5}, {"fallback_resource", 5}, {"payload_layout_template", 6},
      {"prompt_segment", 7}, {"tool_schema", 8}, {"structured_event_schema", 9});

/* ---- recipe types
 * -------------------------------------------------------------------------------- */

/* A recipe key: its field, and the names its values may take. */
typedef struct recipe_key {
  const char *key;
  const char *field; /* NULL: the key itself; otherwise a field of the metadata or header */
  const name_table *names;
} recipe_key;

typedef struct recipe_type {
  const char *name;
  cli_vec_type type;
  unsigned msg_type;      /* metadata and packet types: the metadata struct */
  const recipe_key *keys; /* keys with names or another field name */
  size_t key_count;
} recipe_type;

#define KEYS(id, ...) static const recipe_key id[] = {__VA_ARGS__}
#define TYPE(name, type, msg, keys) \
  { name, type, msg, keys, sizeof(keys) / sizeof(keys[0]) }
#define PLAIN_TYPE(name, type) \
  { name, type, 0, NULL, 0 }

KEYS(header_keys, {"message_type", "msg_type", NULL}, {"flags", NULL, &header_flags});
KEYS(hello_keys, {"supported_payload_kind_bitmap", NULL, &payload_kinds});
KEYS(patch_ack_keys, {"ack_status", NULL, &patch_ack_status},
     {"reject_reason", NULL, &patch_reject_reason}, {"applied_patch_mask", NULL, &patch_fields},
     {"rejected_patch_mask", NULL, &patch_fields});
KEYS(flow_keys, {"flags", NULL, &header_flags}, {"scope_kind", NULL, &flow_scope},
     {"update_reason", NULL, &flow_reason}, {"backpressure_level", NULL, &backpressure},
     {"flow_update_flags", "flags", &flow_flags});
KEYS(hint_keys, {"flags", NULL, &header_flags}, {"applied_budget_policy", NULL, &hint_policy},
     {"congestion_state", NULL, &hint_congestion}, {"reason", NULL, &hint_reason});
KEYS(submit_keys, {"frame_class", NULL, &frame_class}, {"input_profile", NULL, &input_profile},
     {"tile_index_mode", NULL, &tile_index_mode}, {"submit_mode", NULL, &submit_mode},
     {"budget_policy", NULL, &budget_policy}, {"loss_tolerance_policy", NULL, &loss_tolerance},
     {"object_ref_mask", NULL, &object_ref_mask}, {"payload_kind_bitmap", NULL, &payload_kinds});
KEYS(result_keys, {"result_flags", NULL, &result_flags}, {"result_class", NULL, &result_class},
     {"applied_budget_policy", NULL, &budget_policy},
     {"payload_kind_bitmap", NULL, &payload_kinds});
KEYS(ref_keys, {"object_kind", NULL, &object_kind});
KEYS(desc_keys, {"payload_kind", NULL, &payload_kind});

static const recipe_type recipe_types[] = {
    TYPE("header", CLI_VEC_HEADER, 0, header_keys),
    TYPE("client_hello_metadata", CLI_VEC_CLIENT_HELLO, NNRP_MSG_CLIENT_HELLO, hello_keys),
    TYPE("session_patch_ack_metadata", CLI_VEC_SESSION_PATCH_ACK, NNRP_MSG_SESSION_PATCH_ACK,
         patch_ack_keys),
    TYPE("flow_update_packet", CLI_VEC_FLOW_UPDATE, NNRP_MSG_FLOW_UPDATE, flow_keys),
    TYPE("result_hint_packet", CLI_VEC_RESULT_HINT, NNRP_MSG_RESULT_HINT, hint_keys),
    TYPE("frame_submit_metadata", CLI_VEC_FRAME_SUBMIT_META, NNRP_MSG_FRAME_SUBMIT, submit_keys),
    TYPE("result_push_metadata", CLI_VEC_RESULT_PUSH_META, NNRP_MSG_RESULT_PUSH, result_keys),
    PLAIN_TYPE("body_region_prelude", CLI_VEC_PRELUDE),
    TYPE("object_reference_block", CLI_VEC_OBJECT_REF, 0, ref_keys),
    TYPE("typed_payload_descriptor", CLI_VEC_TYPED_DESC, 0, desc_keys),
    PLAIN_TYPE("typed_payload_descriptor_region", CLI_VEC_TYPED_DESC_REGION),
    PLAIN_TYPE("typed_payload_frame_region", CLI_VEC_TYPED_FRAME_REGION),
};

static const recipe_type *find_type(const char *name) {
  for (size_t i = 0; i < sizeof(recipe_types) / sizeof(recipe_types[0]); i++)
    if (strcmp(recipe_types[i].name, name) == 0) return &recipe_types[i];
  return NULL;
}

static int is_packet(cli_vec_type t) {
  return t == CLI_VEC_FLOW_UPDATE || t == CLI_VEC_RESULT_HINT;
}

/* ---- values ---------------------------------------------------------------------------------- */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
fail(char *why, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, cap, fmt, ap);
  va_end(ap);
  return -1;
}

static int lookup(const name_table *t, const char *name, uint64_t *v) {
  for (size_t i = 0; t && i < t->count; i++)
    if (strcmp(t->names[i].name, name) == 0) {
      *v = t->names[i].value;
      return 0;
    }
  return -1;
}

static int same_ignoring_case(const char *a, const char *b) {
  for (; *a && *b; a++, b++) {
    char x = *a >= 'a' && *a <= 'z' ? (char)(*a - 32) : *a;
    char y = *b >= 'a' && *b <= 'z' ? (char)(*b - 32) : *b;
    if (x != y) return 0;
  }
  return *a == *b;
}

/* A message type by its name, in any case ("frame_submit"). */
static int msg_type_by_name(const char *name, uint64_t *v) {
  for (unsigned t = 0; t < 256; t++) {
    const char *n = nnrp_msg_type_name(t);
    if (n && same_ignoring_case(n, name)) {
      *v = t;
      return 0;
    }
  }
  return -1;
}

static int decimal(const char *s, uint64_t *v) {
  uint64_t x = 0;
  if (!*s) return -1;
  for (; *s; s++) {
    if (*s < '0' || *s > '9' || x > (UINT64_MAX - (uint64_t)(*s - '0')) / 10) return -1;
    x = x * 10 + (uint64_t)(*s - '0');
  }
  *v = x;
  return 0;
}

/* One scalar: an integer, a decimal string or a name. */
static int scalar(json_t *j, const char *key, const name_table *names, uint64_t *v) {
  if (json_is_integer(j) && json_integer_value(j) >= 0) {
    *v = (uint64_t)json_integer_value(j);
    return 0;
  }
  if (!json_is_string(j)) return -1;
  const char *s = json_string_value(j);
  if (decimal(s, v) == 0 || lookup(names, s, v) == 0) return 0;
  return strcmp(key, "message_type") == 0 ? msg_type_by_name(s, v) : -1;
}

static int value(json_t *j, const char *key, const name_table *names, uint64_t *v) {
  if (!json_is_array(j)) return scalar(j, key, names, v);
  if (!names || !names->bits) return -1; /* a list only for a bit set */
  uint64_t all = 0, one;
  for (size_t i = 0; i < json_array_size(j); i++) {
    if (scalar(json_array_get(j, i), key, names, &one) != 0) return -1;
    all |= one;
  }
  *v = all;
  return 0;
}

/* ---- typed frames ---------------------------------------------------------------------------- */

static int parse_frames(json_t *list, conf_recipe *r, char *why, size_t cap) {
  if (!json_is_array(list) || json_array_size(list) > CLI_VEC_MAX_FRAMES)
    return fail(why, cap, "\"frames\" must be a list of at most %d frames", CLI_VEC_MAX_FRAMES);
  for (size_t i = 0; i < json_array_size(list); i++) {
    json_t *o = json_array_get(list, i), *v;
    nnrp_typed_frame *f = &r->in.frames[i];
    const char *key;
    uint64_t x;
    if (!json_is_object(o)) return fail(why, cap, "frame %zu is not an object", i);
    json_object_foreach(o, key, v) {
      if (strcmp(key, "payload_utf8") == 0 && json_is_string(v)) {
        f->payload = (nnrp_vec){(const uint8_t *)json_string_value(v), json_string_length(v)};
      } else if (strcmp(key, "payload_hex") == 0 && json_is_string(v)) {
        cli_bytes b;
        size_t bad;
        if (cli_hex_decode(json_string_value(v), json_string_length(v), &b, &bad) != 0)
          return fail(why, cap, "frame %zu: payload_hex is not hex", i);
        int fits = b.len <= sizeof(r->arena) - r->arena_used;
        if (fits) {
          memcpy(r->arena + r->arena_used, b.data, b.len);
          f->payload = (nnrp_vec){r->arena + r->arena_used, b.len};
          r->arena_used += b.len;
        }
        free(b.data);
        if (!fits) return fail(why, cap, "frame payloads larger than %zu bytes", sizeof(r->arena));
      } else if (strcmp(key, "payload_kind") == 0 && value(v, key, &payload_kind, &x) == 0 &&
                 x <= 0xFF) {
        f->payload_kind = (uint8_t)x;
      } else if (strcmp(key, "profile_id") == 0 && value(v, key, NULL, &x) == 0 && x <= 0xFFFF) {
        f->profile_id = (uint16_t)x;
      } else if (strcmp(key, "descriptor_flags") == 0 && value(v, key, NULL, &x) == 0 &&
                 x <= 0xFF) {
        f->descriptor_flags = (uint8_t)x;
      } else {
        return fail(why, cap, "frame %zu: field \"%s\" is unknown or has an invalid value", i, key);
      }
    }
  }
  r->in.frame_count = json_array_size(list);
  return 0;
}

/* ---- recipes --------------------------------------------------------------------------------- */

/* Where a field lives in the input: the struct it belongs to and its table entry.  `renamed`:
 * the recipe spells the field otherwise, and it is never one of a packet's header fields. */
static int locate(const recipe_type *t, conf_recipe *r, const char *field, int renamed, void **base,
                  const cli_field **f) {
  const cli_struct *s = NULL;
  void *b = NULL;
  switch (t->type) {
    case CLI_VEC_HEADER:
      s = &cli_header_fields, b = &r->in.header;
      break;
    case CLI_VEC_PRELUDE:
      s = &cli_prelude_fields, b = &r->in.prelude;
      break;
    case CLI_VEC_OBJECT_REF:
      s = &cli_object_ref_fields, b = &r->in.ref;
      break;
    case CLI_VEC_TYPED_DESC:
      s = &cli_typed_desc_fields, b = &r->in.desc;
      break;
    case CLI_VEC_TYPED_DESC_REGION:
    case CLI_VEC_TYPED_FRAME_REGION:
      return -1;
    default:
      s = cli_meta_fields(t->msg_type), b = &r->in.meta;
  }
  /* A packet recipe names its header fields beside the metadata; the names do not overlap
   * except "flags", which the recipe spells flow_update_flags for the metadata. */
  if (is_packet(t->type) && !renamed && (*f = cli_field_find(&conf_packet_fields, field)) != NULL) {
    *base = &r->in.packet;
    return 0;
  }
  *base = b;
  *f = cli_field_find(s, field);
  return *f ? 0 : -1;
}

static void defaults(const recipe_type *t, conf_recipe *r) {
  memset(&r->in, 0, sizeof(r->in));
  r->in.type = t->type;
  r->in.header.version_major = NNRP_VERSION_MAJOR;
  r->in.header.header_len = NNRP_HEADER_LEN;
  if (t->type == CLI_VEC_FRAME_SUBMIT_META) nnrp_frame_submit_meta_init(&r->in.meta.frame_submit);
  if (t->type == CLI_VEC_RESULT_PUSH_META) nnrp_result_push_meta_init(&r->in.meta.result_push);
}

int conf_recipe_parse(json_t *recipe, conf_recipe *r, char *why, size_t cap) {
  json_t *type = json_object_get(recipe, "recipe_type"), *name = json_object_get(recipe, "name");
  json_t *description = json_object_get(recipe, "description"), *v;
  if (!json_is_object(recipe) || !json_is_string(type) || !json_is_string(name))
    return fail(why, cap, "a recipe needs a string recipe_type and name");
  const recipe_type *t = find_type(json_string_value(type));
  if (!t)
    return fail(why, cap, "recipe_type \"%s\" is not one libnnrp renders", json_string_value(type));
  r->name = json_string_value(name);
  r->description = json_is_string(description) ? json_string_value(description) : "";
  r->arena_used = 0;
  defaults(t, r);

  const char *key;
  json_object_foreach(recipe, key, v) {
    if (!strcmp(key, "recipe_type") || !strcmp(key, "name") || !strcmp(key, "description"))
      continue;
    if (strcmp(key, "frames") == 0 &&
        (t->type == CLI_VEC_TYPED_DESC_REGION || t->type == CLI_VEC_TYPED_FRAME_REGION)) {
      if (parse_frames(v, r, why, cap) != 0) return -1;
      continue;
    }
    /* The builders set version and wire format themselves: a packet recipe may only confirm
     * the values libnnrp emits. */
    if (is_packet(t->type) && (!strcmp(key, "version_major") || !strcmp(key, "wire_format"))) {
      uint64_t x;
      uint64_t want = strcmp(key, "version_major") == 0 ? NNRP_VERSION_MAJOR : NNRP_WIRE_FORMAT;
      if (value(v, key, NULL, &x) != 0 || x != want)
        return fail(why, cap, "\"%s\" must be %u in a packet recipe", key, (unsigned)want);
      continue;
    }
    const recipe_key *k = NULL;
    for (size_t i = 0; i < t->key_count; i++)
      if (strcmp(t->keys[i].key, key) == 0) k = &t->keys[i];
    void *base;
    const cli_field *f;
    uint64_t x;
    if (locate(t, r, k && k->field ? k->field : key, k && k->field, &base, &f) != 0)
      return fail(why, cap, "unknown field \"%s\" for recipe_type %s", key, t->name);
    if (value(v, key, k ? k->names : NULL, &x) != 0)
      return fail(why, cap, "field \"%s\": not an integer or a known name", key);
    if (x > cli_field_max(f))
      return fail(why, cap, "field \"%s\": %llu does not fit its %u-byte wire field", key,
                  (unsigned long long)x, (unsigned)f->size);
    cli_field_set(base, f, x);
  }
  return 0;
}

json_t *conf_recipe_find(json_t *manifest, const char *name) {
  json_t *list = json_object_get(manifest, "vectors");
  for (size_t i = 0; i < json_array_size(list); i++) {
    json_t *n = json_object_get(json_array_get(list, i), "name");
    if (json_is_string(n) && strcmp(json_string_value(n), name) == 0)
      return json_array_get(list, i);
  }
  return NULL;
}
