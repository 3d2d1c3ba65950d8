/*
 * The reference SDK's builders, each mapped to the libnnrp calls that produce the same bytes
 * (see build_map.h).  Inputs are read with build_json.c; the output conventions are those of
 * builder-examples.json.
 */
#include "build_map.h"

#include <string.h>

/* ---- keyword arguments of the reference builders ------------------------------------------- */

/* Header keyword arguments every packet builder takes (defaults 0). */
nnrp_packet_params vec_read_params(vec_ctx *c, const json_t *in) {
  nnrp_packet_params p;
  memset(&p, 0, sizeof(p));
  p.session_id = (uint32_t)vec_get(c, in, "session_id", 0, UINT32_MAX);
  p.frame_id = (uint32_t)vec_get(c, in, "frame_id", 0, UINT32_MAX);
  p.view_id = (uint16_t)vec_get(c, in, "view_id", 0, 0xFFFF);
  p.route_id = (uint16_t)vec_get(c, in, "route_id", 0, 0xFFFF);
  p.trace_id = vec_get(c, in, "trace_id", 0, UINT64_MAX);
  p.flags = (uint32_t)vec_get(c, in, "flags", 0, UINT32_MAX);
  return p;
}

/* An ObjectReferenceBlock argument (class form); NULL when omitted or None. */
static const nnrp_object_ref *object_ref_arg(vec_ctx *c, const json_t *in, const char *key) {
  const json_t *v = vec_member(c, in, key);
  if (!v) return NULL;
  nnrp_object_ref *r = vec_alloc(c, sizeof(*r));
  vec_fill(c, vec_struct_by_class("ObjectReferenceBlock"),
           vec_fields(c, v, "ObjectReferenceBlock"), r);
  return r;
}

void vec_read_submit(vec_ctx *c, const json_t *in, nnrp_frame_submit_input *x) {
  nnrp_frame_submit_input_init(x);
  x->packet = vec_read_params(c, in);
  x->src_width = (uint16_t)vec_get(c, in, "src_width", x->src_width, 0xFFFF);
  x->src_height = (uint16_t)vec_get(c, in, "src_height", x->src_height, 0xFFFF);
  x->tile_width = (uint16_t)vec_get(c, in, "tile_width", x->tile_width, 0xFFFF);
  x->tile_height = (uint16_t)vec_get(c, in, "tile_height", x->tile_height, 0xFFFF);
  uint16_t *ids;
  x->tile_id_count = vec_get_u16s(c, in, "tile_ids", &ids);
  x->tile_ids = ids;
  nnrp_tensor_section_data *secs;
  x->section_count = vec_get_sections(c, in, "sections", &secs);
  x->sections = secs;
  x->camera_block = vec_get_bytes(c, in, "camera_block");
  x->frame_class = (uint8_t)vec_get(c, in, "frame_class", x->frame_class, 0xFF);
  x->input_profile = (uint8_t)vec_get(c, in, "input_profile", x->input_profile, 0xFF);
  x->tile_index_mode = (uint8_t)vec_get(c, in, "tile_index_mode", x->tile_index_mode, 0xFF);
  x->latency_budget_ms =
      (uint16_t)vec_get(c, in, "latency_budget_ms", x->latency_budget_ms, 0xFFFF);
  x->target_fps_x100 = (uint16_t)vec_get(c, in, "target_fps_x100", x->target_fps_x100, 0xFFFF);
  x->retry_of_frame = (uint32_t)vec_get(c, in, "retry_of_frame", x->retry_of_frame, UINT32_MAX);
  x->tile_base_id = (uint32_t)vec_get(c, in, "tile_base_id", x->tile_base_id, UINT32_MAX);
  x->submit_mode = (uint8_t)vec_get(c, in, "submit_mode", x->submit_mode, 0xFF);
  x->object_ref_mask = (uint32_t)vec_get(c, in, "object_ref_mask", x->object_ref_mask, UINT32_MAX);
  x->camera_reference = object_ref_arg(c, in, "camera_reference");
  x->tile_index_reference = object_ref_arg(c, in, "tile_index_reference");
  x->tensor_section_table_reference = object_ref_arg(c, in, "tensor_section_table_reference");
  x->budget_policy = (uint8_t)vec_get(c, in, "budget_policy", x->budget_policy, 0xFF);
  x->dependency_frame_id =
      (uint32_t)vec_get(c, in, "dependency_frame_id", x->dependency_frame_id, UINT32_MAX);
  x->loss_tolerance_policy =
      (uint8_t)vec_get(c, in, "loss_tolerance_policy", x->loss_tolerance_policy, 0xFF);
  x->payload_kind_bitmap =
      (uint32_t)vec_get(c, in, "payload_kind_bitmap", x->payload_kind_bitmap, UINT32_MAX);
  x->payload_frame_count =
      (uint16_t)vec_get(c, in, "payload_frame_count", x->payload_frame_count, 0xFFFF);
  void *frames;
  x->frame_count = vec_get_list(c, in, "frames", "TypedPayloadFrame", &frames);
  x->frames = frames;
}

void vec_read_result(vec_ctx *c, const json_t *in, nnrp_result_push_input *x) {
  nnrp_result_push_input_init(x);
  x->packet = vec_read_params(c, in);
  uint16_t *ids;
  x->tile_id_count = vec_get_u16s(c, in, "tile_ids", &ids);
  x->tile_ids = ids;
  nnrp_tensor_section_data *secs;
  x->section_count = vec_get_sections(c, in, "sections", &secs);
  x->sections = secs;
  x->result_flags = (uint16_t)vec_get(c, in, "result_flags", x->result_flags, 0xFFFF);
  x->active_profile_id =
      (uint16_t)vec_get(c, in, "active_profile_id", x->active_profile_id, 0xFFFF);
  x->inference_ms = (uint16_t)vec_get(c, in, "inference_ms", x->inference_ms, 0xFFFF);
  x->queue_ms = (uint16_t)vec_get(c, in, "queue_ms", x->queue_ms, 0xFFFF);
  x->server_total_ms = (uint16_t)vec_get(c, in, "server_total_ms", x->server_total_ms, 0xFFFF);
  x->status_code = (uint16_t)vec_get(c, in, "status_code", x->status_code, 0xFFFF);
  x->tile_index_mode = (uint8_t)vec_get(c, in, "tile_index_mode", x->tile_index_mode, 0xFF);
  x->tile_base_id = (uint32_t)vec_get(c, in, "tile_base_id", x->tile_base_id, UINT32_MAX);
  x->result_class = (uint8_t)vec_get(c, in, "result_class", x->result_class, 0xFF);
  x->applied_budget_policy =
      (uint8_t)vec_get(c, in, "applied_budget_policy", x->applied_budget_policy, 0xFF);
  x->reused_frame_id = (uint32_t)vec_get(c, in, "reused_frame_id", x->reused_frame_id, UINT32_MAX);
  /* None (absent) keeps the builder default: every tile covered. */
  if (vec_member(c, in, "covered_tile_count"))
    x->covered_tile_count = (long)vec_get(c, in, "covered_tile_count", 0, 0xFFFF);
  if (vec_member(c, in, "dropped_tile_count"))
    x->dropped_tile_count = (long)vec_get(c, in, "dropped_tile_count", 0, 0xFFFF);
  x->payload_kind_bitmap =
      (uint32_t)vec_get(c, in, "payload_kind_bitmap", x->payload_kind_bitmap, UINT32_MAX);
  x->payload_frame_count =
      (uint16_t)vec_get(c, in, "payload_frame_count", x->payload_frame_count, 0xFFFF);
  void *frames;
  x->frame_count = vec_get_list(c, in, "frames", "TypedPayloadFrame", &frames);
  x->frames = frames;
}

/* ---- shared input readers -------------------------------------------------------------------- */

/* A dataclass member filled through its struct table. */
static void *dataclass(vec_ctx *c, const json_t *in, const char *key, const char *cls) {
  const vec_struct *st = vec_struct_by_class(cls);
  const json_t *v = vec_member(c, in, key);
  void *out = vec_alloc(c, st ? st->size : 1);
  if (!v || !st) {
    vec_fail(c, "missing %s (%s)", key, cls);
    return out;
  }
  vec_fill(c, st, vec_fields(c, v, cls), out);
  return out;
}

/* The whole input object is one dataclass (X.pack). */
static void *whole_dataclass(vec_ctx *c, const json_t *in, const char *cls) {
  const vec_struct *st = vec_struct_by_class(cls);
  void *out = vec_alloc(c, st ? st->size : 1);
  if (st) vec_fill(c, st, vec_fields(c, in, cls), out);
  return out;
}

static int sink_rc(const nnrp_sink *s) { return nnrp_sink_error(s); }

/* Writers that fill two sinks (descriptors, payloads): the second goes into a side buffer and
 * follows the first in `s` as a payload, so every sink mode sees one byte string. */
typedef int (*two_sink_fn)(const void *arg, size_t n, nnrp_sink *a, nnrp_sink *b);

static int pack_two(vec_ctx *c, two_sink_fn fn, const void *arg, size_t n, nnrp_sink *s) {
  nnrp_sink ca, cb, b;
  nnrp_sink_init_count(&ca);
  nnrp_sink_init_count(&cb);
  int rc = fn(arg, n, &ca, &cb);
  if (rc) return rc;
  uint8_t *side = vec_alloc(c, cb.total);
  nnrp_sink_init_buffer(&b, side, cb.total);
  rc = fn(arg, n, s, &b);
  if (rc) return rc;
  nnrp_sink_payload(s, side, b.len);
  return sink_rc(s);
}

static int typed_pack(const void *arg, size_t n, nnrp_sink *a, nnrp_sink *b) {
  return nnrp_typed_frames_pack(arg, n, a, b);
}

static int ext_pack(const void *arg, size_t n, nnrp_sink *a, nnrp_sink *b) {
  return nnrp_ext_frames_pack(arg, n, a, b);
}

/* ---- data-plane packet builders -------------------------------------------------------------- */

#define SUBMIT_MAPPER(fn, builder)                                  \
  static int fn(vec_ctx *c, const json_t *in, nnrp_sink *s) {       \
    nnrp_frame_submit_input x;                                      \
    vec_read_submit(c, in, &x);                                         \
    return builder(&x, s);                                          \
  }
#define RESULT_MAPPER(fn, builder)                                  \
  static int fn(vec_ctx *c, const json_t *in, nnrp_sink *s) {       \
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
  static int fn(vec_ctx *c, const json_t *in, nnrp_sink *s) {                   \
    nnrp_packet_params p = vec_read_params(c, in);                                  \
    const type *m = dataclass(c, in, "metadata", cls);                          \
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
  static int fn(vec_ctx *c, const json_t *in, nnrp_sink *s) {                   \
    nnrp_packet_params p = vec_read_params(c, in);                              \
    const type *m = dataclass(c, in, "metadata", cls);                          \
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

static int m_probe(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  nnrp_packet_params p = vec_read_params(c, in);
  const nnrp_transport_probe_meta *m = dataclass(c, in, "metadata", "TransportProbeMetadata");
  nnrp_vec body = vec_get_bytes(c, in, "body");
  int rc = given_len(m->probe_payload_bytes, body.len, NNRP_ERR_PROBE_PAYLOAD_LEN);
  return rc ? rc : nnrp_build_transport_probe(&p, m, body, s);
}

#define PARAMS_MAPPER(fn, builder)                                  \
  static int fn(vec_ctx *c, const json_t *in, nnrp_sink *s) {       \
    nnrp_packet_params p = vec_read_params(c, in);                      \
    return builder(&p, s);                                          \
  }
PARAMS_MAPPER(m_frame_cancel, nnrp_build_frame_cancel)
PARAMS_MAPPER(m_ping, nnrp_build_ping)
PARAMS_MAPPER(m_pong, nnrp_build_pong)
PARAMS_MAPPER(m_result_drop, nnrp_build_result_drop)

static int m_header_only(vec_ctx *c, const json_t *in, nnrp_sink *s) {
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

static int m_packet_client_hello(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  fixed_header_args(c, in, NNRP_MSG_CLIENT_HELLO);
  nnrp_packet_params p = vec_read_params(c, in);
  const nnrp_client_hello_meta *m = dataclass(c, in, "metadata", "ClientHelloMetadata");
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

static int m_packet_server_hello_ack(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  fixed_header_args(c, in, NNRP_MSG_SERVER_HELLO_ACK);
  nnrp_packet_params p = vec_read_params(c, in);
  const nnrp_server_hello_ack_meta *m = dataclass(c, in, "metadata", "ServerHelloAckMetadata");
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
    pp = dataclass(c, parts, key, cls);
    nnrp_profile_patch_encode(pp, body);
    blen = 16;
  }
  body_equals(c, in, body, blen);
  return pp;
}

static int m_packet_session_patch(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  fixed_header_args(c, in, NNRP_MSG_SESSION_PATCH);
  nnrp_packet_params p = vec_read_params(c, in);
  const nnrp_session_patch_meta *m = dataclass(c, in, "metadata", "SessionPatchMetadata");
  const nnrp_profile_patch *pp =
      patch_block(c, in, "profile_patch_block", "TensorProfilePatchBlock");
  int rc = given_len(m->profile_patch_bytes, pp ? 16 : 0, NNRP_ERR_PATCH_BODY_LEN);
  return rc ? rc : nnrp_build_session_patch(&p, m, pp, s);
}

static int m_packet_session_patch_ack(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  fixed_header_args(c, in, NNRP_MSG_SESSION_PATCH_ACK);
  nnrp_packet_params p = vec_read_params(c, in);
  const nnrp_session_patch_ack_meta *m =
      dataclass(c, in, "metadata", "SessionPatchAckMetadata");
  const nnrp_profile_patch *pp =
      patch_block(c, in, "profile_patch_ack_block", "TensorProfilePatchAckBlock");
  int rc = given_len(m->profile_patch_ack_bytes, pp ? 16 : 0, NNRP_ERR_PATCH_BODY_LEN);
  return rc ? rc : nnrp_build_session_patch_ack(&p, m, pp, s);
}

static int m_packet_error(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  fixed_header_args(c, in, NNRP_MSG_ERROR);
  nnrp_packet_params p = vec_read_params(c, in);
  const nnrp_error_meta *m = dataclass(c, in, "metadata", "ErrorMetadata");
  nnrp_vec body = vec_get_bytes(c, in, "body");
  int rc = given_len(m->diagnostic_bytes, body.len, NNRP_ERR_ERROR_DIAG_LEN);
  return rc ? rc : nnrp_build_error(&p, m, body, s);
}

static int m_packet_cache_put(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  fixed_header_args(c, in, NNRP_MSG_CACHE_PUT);
  nnrp_packet_params p = vec_read_params(c, in);
  const nnrp_cache_put_meta *m = dataclass(c, in, "metadata", "CachePutMetadata");
  nnrp_vec body = vec_get_bytes(c, in, "body");
  int rc = given_len(m->object_bytes, body.len, NNRP_ERR_CACHE_OBJECT_LEN);
  return rc ? rc : nnrp_build_cache_put(&p, m, body, s);
}

static int m_packet_cache_ack(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  fixed_header_args(c, in, NNRP_MSG_CACHE_ACK);
  nnrp_packet_params p = vec_read_params(c, in);
  const nnrp_cache_ack_meta *m = dataclass(c, in, "metadata", "CacheAckMetadata");
  body_equals(c, in, NULL, 0);
  return nnrp_build_cache_ack(&p, m, s);
}

static int m_packet_cache_invalidate(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  fixed_header_args(c, in, NNRP_MSG_CACHE_INVALIDATE);
  nnrp_packet_params p = vec_read_params(c, in);
  const nnrp_cache_invalidate_meta *m =
      dataclass(c, in, "metadata", "CacheInvalidateMetadata");
  body_equals(c, in, NULL, 0);
  return nnrp_build_cache_invalidate(&p, m, s);
}

static int m_packet_close(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  fixed_header_args(c, in, NNRP_MSG_CLOSE);
  nnrp_packet_params p = vec_read_params(c, in);
  vec_mark(c, in, "metadata"); /* null: CLOSE has no metadata */
  if (json_object_get(in, "metadata") && !json_is_null(json_object_get(in, "metadata")))
    vec_fail(c, "CLOSE with metadata");
  return nnrp_build_close(&p, vec_get_bytes(c, in, "body"), s);
}

/* Descriptor and payload regions of a frame list, sized by a counting pass. */
static int pack_regions(vec_ctx *c, two_sink_fn fn, const void *frames, size_t n, nnrp_vec *desc,
                        nnrp_vec *payloads) {
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
  int rc = pack_regions(c, typed_pack, frames, nf, &regions[NNRP_REGION_TYPED_DESCRIPTORS],
                        &regions[NNRP_REGION_TYPED_FRAMES]);
  if (!rc)
    rc = pack_regions(c, ext_pack, xframes, nx, &regions[NNRP_REGION_EXT_DESCRIPTORS],
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
  const void *m = dataclass(c, in, "metadata", cls);
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

static int m_packet_frame_submit(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  return data_packet(c, in, s, NNRP_MSG_FRAME_SUBMIT, "FrameSubmitMetadata");
}
static int m_packet_result_push(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  return data_packet(c, in, s, NNRP_MSG_RESULT_PUSH, "ResultPushMetadata");
}

/* ---- metadata and block encoders ------------------------------------------------------------- */

#define META_PACK_MAPPER(fn, cls, type, encoder, len)                \
  static int fn(vec_ctx *c, const json_t *in, nnrp_sink *s) {        \
    const type *m = whole_dataclass(c, in, cls);                     \
    uint8_t out[len];                                                \
    int rc = encoder(m, out);                                        \
    if (rc) return rc;                                               \
    nnrp_sink_write(s, out, len);                                    \
    return sink_rc(s);                                               \
  }
META_PACK_MAPPER(m_client_hello_meta, "ClientHelloMetadata", nnrp_client_hello_meta,
                 nnrp_client_hello_meta_encode, 64)
META_PACK_MAPPER(m_server_hello_ack_meta, "ServerHelloAckMetadata", nnrp_server_hello_ack_meta,
                 nnrp_server_hello_ack_meta_encode, 80)
META_PACK_MAPPER(m_session_patch_ack_meta, "SessionPatchAckMetadata",
                 nnrp_session_patch_ack_meta, nnrp_session_patch_ack_meta_encode, 48)
META_PACK_MAPPER(m_frame_submit_meta, "FrameSubmitMetadata", nnrp_frame_submit_meta,
                 nnrp_frame_submit_meta_encode, 72)
META_PACK_MAPPER(m_result_push_meta, "ResultPushMetadata", nnrp_result_push_meta,
                 nnrp_result_push_meta_encode, 64)

static int write_ref(const nnrp_object_ref *r, nnrp_sink *s) {
  uint8_t out[16];
  nnrp_object_ref_encode(r, out);
  nnrp_sink_write(s, out, 16);
  return sink_rc(s);
}

/* ObjectReferenceBlock.pack refuses what no decoder accepts: flags, unknown kinds (wire-data
 * §9.3, §2.3); nnrp_object_ref_encode is a plain field encoder. */
static int m_object_ref(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  const nnrp_object_ref *r = whole_dataclass(c, in, "ObjectReferenceBlock");
  if (r->object_kind < NNRP_OBJECT_CAMERA_BLOCK ||
      r->object_kind > NNRP_OBJECT_STRUCTURED_EVENT_SCHEMA)
    return NNRP_ERR_OBJECT_KIND;
  if (r->ref_flags) return NNRP_ERR_REF_FLAGS;
  return write_ref(r, s);
}

static int ref_of_kind(vec_ctx *c, const json_t *in, nnrp_sink *s, uint16_t kind) {
  nnrp_object_ref r;
  memset(&r, 0, sizeof(r));
  r.object_kind = kind;
  r.cache_namespace = (uint32_t)vec_get(c, in, "cache_namespace", 0, UINT32_MAX);
  r.cache_key_hi = (uint32_t)vec_get(c, in, "cache_key_hi", 0, UINT32_MAX);
  r.cache_key_lo = (uint32_t)vec_get(c, in, "cache_key_lo", 0, UINT32_MAX);
  return write_ref(&r, s);
}
static int m_camera_ref(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  return ref_of_kind(c, in, s, NNRP_OBJECT_CAMERA_BLOCK);
}
static int m_tile_index_ref(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  return ref_of_kind(c, in, s, NNRP_OBJECT_TILE_INDEX_BLOCK);
}
static int m_section_table_ref(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  return ref_of_kind(c, in, s, NNRP_OBJECT_TENSOR_SECTION_TABLE);
}

static int inline_block(vec_ctx *c, const json_t *in, nnrp_sink *s, uint16_t kind,
                        nnrp_vec payload) {
  nnrp_inline_object_header h;
  memset(&h, 0, sizeof(h));
  h.object_kind = kind;
  h.profile_id = (uint16_t)vec_get(c, in, "profile_id", 0, 0xFFFF);
  h.object_bytes = (uint32_t)payload.len;
  return nnrp_inline_object_encode(&h, payload, s);
}
static int m_camera_inline(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  return inline_block(c, in, s, NNRP_OBJECT_CAMERA_BLOCK, vec_get_bytes(c, in, "payload"));
}
static int m_section_table_inline(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  return inline_block(c, in, s, NNRP_OBJECT_TENSOR_SECTION_TABLE,
                      vec_get_bytes(c, in, "payload"));
}

/* pack_tile_index_block inputs -> block bytes (owned by c). */
static int tile_index_bytes(vec_ctx *c, const json_t *in, nnrp_vec *out) {
  uint16_t *ids;
  size_t n = vec_get_u16s(c, in, "tile_ids", &ids);
  unsigned mode = (unsigned)vec_get(c, in, "mode", NNRP_TILE_RAW_U16, 0xFF);
  uint32_t base = (uint32_t)vec_get(c, in, "tile_base_id", 0, UINT32_MAX);
  size_t len = 0;
  int rc = nnrp_tile_index_encoded_len(ids, n, mode, base, &len);
  if (rc) return rc;
  uint8_t *buf = vec_alloc(c, len);
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, len);
  rc = nnrp_tile_index_encode(ids, n, mode, base, &s);
  if (rc == 0 && s.len != len) vec_fail(c, "tile index encoded_len %zu, wrote %zu", len, s.len);
  out->base = buf;
  out->len = s.len;
  return rc;
}

static int m_tile_index_inline(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  nnrp_vec block;
  int rc = tile_index_bytes(c, in, &block);
  return rc ? rc : inline_block(c, in, s, NNRP_OBJECT_TILE_INDEX_BLOCK, block);
}

static int m_pack_tile_index(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  uint16_t *ids;
  size_t n = vec_get_u16s(c, in, "tile_ids", &ids);
  unsigned mode = (unsigned)vec_get(c, in, "mode", NNRP_TILE_RAW_U16, 0xFF);
  uint32_t base = (uint32_t)vec_get(c, in, "tile_base_id", 0, UINT32_MAX);
  return nnrp_tile_index_encode(ids, n, mode, base, s);
}

static int m_pack_section(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  nnrp_tensor_section_data sd;
  const json_t *v = vec_member(c, in, "section");
  if (!v) {
    vec_fail(c, "missing section");
    return NNRP_ERR_INVALID_ARGUMENT;
  }
  vec_section(c, v, &sd);
  size_t len = 0;
  int rc = nnrp_tensor_section_encoded_len(&sd, &len);
  if (rc) return rc;
  size_t before = s->total;
  rc = nnrp_tensor_section_encode(&sd, s);
  if (rc == 0 && s->total - before != len)
    vec_fail(c, "encoded_len %zu, section wrote %zu", len, s->total - before);
  return rc;
}

/* ---- typed payload and extension frames ------------------------------------------------------ */

static int one_typed_frame(vec_ctx *c, nnrp_typed_frame *f, nnrp_sink *s) {
  int rc = nnrp_typed_frame_check(f);
  if (rc) return rc;
  rc = nnrp_typed_frame_expect(f, f->payload_kind); /* the parse_*_frame counterpart */
  if (rc) return rc;
  nnrp_typed_frame *copy = vec_alloc(c, sizeof(*copy));
  *copy = *f;
  return pack_two(c, typed_pack, copy, 1, s);
}

static int typed_shorthand(vec_ctx *c, const json_t *in, nnrp_sink *s, uint8_t kind) {
  nnrp_typed_frame f;
  memset(&f, 0, sizeof(f));
  f.payload_kind = kind;
  f.payload = vec_get_bytes(c, in, "payload");
  f.profile_id = (uint16_t)vec_get(c, in, "profile_id", 0, 0xFFFF);
  return one_typed_frame(c, &f, s);
}
#define TYPED_MAPPER(fn, kind)                                  \
  static int fn(vec_ctx *c, const json_t *in, nnrp_sink *s) {   \
    return typed_shorthand(c, in, s, kind);                     \
  }
TYPED_MAPPER(m_token_frame, NNRP_PAYLOAD_TOKEN_CHUNK)
TYPED_MAPPER(m_audio_frame, NNRP_PAYLOAD_AUDIO_CHUNK)
TYPED_MAPPER(m_video_frame, NNRP_PAYLOAD_VIDEO_CHUNK)
TYPED_MAPPER(m_event_frame, NNRP_PAYLOAD_STRUCTURED_EVENT)
TYPED_MAPPER(m_tool_frame, NNRP_PAYLOAD_TOOL_DELTA)
TYPED_MAPPER(m_opaque_frame, NNRP_PAYLOAD_OPAQUE_BYTES)

static int m_typed_frame(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  nnrp_typed_frame f;
  memset(&f, 0, sizeof(f));
  f.payload_kind = (uint8_t)vec_get(c, in, "payload_kind", 0, 0xFF);
  f.payload = vec_get_bytes(c, in, "payload");
  f.profile_id = (uint16_t)vec_get(c, in, "profile_id", 0, 0xFFFF);
  f.descriptor_flags = (uint8_t)vec_get(c, in, "descriptor_flags", 0, 0xFF);
  return one_typed_frame(c, &f, s);
}

static int m_ext_frame(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  nnrp_ext_frame *f = vec_alloc(c, sizeof(*f));
  f->extension_kind = (uint16_t)vec_get(c, in, "extension_kind", 0, 0xFFFF);
  f->payload = vec_get_bytes(c, in, "payload");
  f->profile_id = (uint16_t)vec_get(c, in, "profile_id", 0, 0xFFFF);
  f->extension_flags = (uint16_t)vec_get(c, in, "extension_flags", 0, 0xFFFF);
  int rc = nnrp_ext_frame_check(f);
  return rc ? rc : pack_two(c, ext_pack, f, 1, s);
}

static int m_pack_typed_frames(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  void *frames;
  size_t n = vec_get_list(c, in, "frames", "TypedPayloadFrame", &frames);
  return pack_two(c, typed_pack, frames, n, s);
}

static int m_pack_ext_frames(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  void *frames;
  size_t n = vec_get_list(c, in, "frames", "ExtensionFrame", &frames);
  return pack_two(c, ext_pack, frames, n, s);
}

static int m_pack_body(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  static const char *const keys[NNRP_REGION_COUNT] = {
      "inline_object_region", "object_reference_region", "typed_payload_descriptor_region",
      "typed_payload_frame_region", "extension_descriptor_region", "extension_payload_region"};
  nnrp_vec regions[NNRP_REGION_COUNT];
  for (size_t i = 0; i < NNRP_REGION_COUNT; i++) regions[i] = vec_get_bytes(c, in, keys[i]);
  return nnrp_body_pack(regions, s);
}

/* ---- control extensions ---------------------------------------------------------------------- */

static int m_pack_ext_block(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  void *e;
  size_t n = vec_get_list(c, in, "entries", "ControlExtensionEntry", &e);
  return nnrp_ext_block_encode(e, n, s);
}

typedef enum { EXT_TP, EXT_LT, EXT_PC } ext_kind;

static int standard_ext(vec_ctx *c, const json_t *in, nnrp_sink *s, uint16_t type, ext_kind k,
                        const char *cls) {
  uint8_t *buf = vec_alloc(c, 8);
  nnrp_ext_entry *e = vec_alloc(c, sizeof(*e));
  int critical = (int)vec_get(c, in, "critical", 0, 1);
  const void *v = dataclass(c, in, "extension", cls);
  int rc;
  if (k == EXT_TP) {
    rc = nnrp_ext_transport_policy_build(type, v, critical, buf, e);
  } else if (k == EXT_LT) {
    nnrp_loss_tolerance_ext lt = *(const nnrp_loss_tolerance_ext *)v;
    lt.payload_len = 8; /* nnrp-py's form */
    rc = nnrp_ext_loss_tolerance_build(type, &lt, critical, buf, e);
  } else {
    rc = nnrp_ext_payload_caps_build(type, v, critical, buf, e);
  }
  return rc ? rc : nnrp_ext_block_encode(e, 1, s);
}
#define EXT_MAPPER(fn, type, kind, cls)                         \
  static int fn(vec_ctx *c, const json_t *in, nnrp_sink *s) {   \
    return standard_ext(c, in, s, type, kind, cls);             \
  }
EXT_MAPPER(m_ext_client_tp, NNRP_EXT_TRANSPORT_POLICY, EXT_TP,
           "ClientHelloTransportPolicyExtension")
EXT_MAPPER(m_ext_server_tp, NNRP_EXT_TRANSPORT_POLICY_ACK, EXT_TP,
           "ServerHelloAckTransportPolicyExtension")
EXT_MAPPER(m_ext_client_lt, NNRP_EXT_LOSS_TOLERANCE, EXT_LT, "ClientHelloLossToleranceExtension")
EXT_MAPPER(m_ext_server_lt, NNRP_EXT_LOSS_TOLERANCE_ACK, EXT_LT,
           "ServerHelloAckLossToleranceExtension")
EXT_MAPPER(m_ext_client_pc, NNRP_EXT_PAYLOAD_CAPABILITIES, EXT_PC,
           "ClientHelloPayloadCapabilitiesExtension")
EXT_MAPPER(m_ext_server_pc, NNRP_EXT_PAYLOAD_CAPABILITIES_ACK, EXT_PC,
           "ServerHelloAckPayloadCapabilitiesExtension")

static int m_cache_object_bitmap(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  uint16_t *kinds;
  size_t n = vec_get_u16s(c, in, "*args", &kinds);
  uint32_t bitmap = 0;
  int rc = nnrp_cache_object_bitmap(kinds, n, &bitmap);
  if (rc) return rc;
  nnrp_sink_u32(s, bitmap);
  return sink_rc(s);
}

static int patch_body(vec_ctx *c, const json_t *in, nnrp_sink *s, const char *key,
                      const char *cls) {
  if (!vec_member(c, in, key)) return 0; /* None: empty body */
  uint8_t out[16];
  int rc = nnrp_profile_patch_encode(dataclass(c, in, key, cls), out);
  if (rc) return rc;
  nnrp_sink_write(s, out, 16);
  return sink_rc(s);
}
static int m_patch_body(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  return patch_body(c, in, s, "profile_patch_block", "TensorProfilePatchBlock");
}
static int m_patch_ack_body(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  return patch_body(c, in, s, "profile_patch_ack_block", "TensorProfilePatchAckBlock");
}

/* ---- the map --------------------------------------------------------------------------------- */

static const struct {
  const char *builder;
  vec_builder_fn fn;
} builders[] = {
    {"build_frame_submit_packet", m_frame_submit},
    {"build_frame_submit_typed_payload_packet", m_frame_submit_typed},
    {"build_frame_submit_mixed_packet", m_frame_submit_mixed},
    {"build_result_push_packet", m_result_push},
    {"build_partial_result_push_packet", m_result_partial},
    {"build_stale_reuse_result_push_packet", m_result_stale},
    {"build_degraded_result_push_packet", m_result_degraded},
    {"build_result_push_typed_payload_packet", m_result_typed},
    {"build_result_push_mixed_packet", m_result_mixed},
    {"build_flow_update_packet", m_flow_update},
    {"build_result_hint_packet", m_result_hint},
    {"build_transport_probe_packet", m_probe},
    {"build_transport_probe_ack_packet", m_probe_ack},
    {"build_session_migrate_packet", m_migrate},
    {"build_session_migrate_ack_packet", m_migrate_ack},
    {"build_frame_cancel_packet", m_frame_cancel},
    {"build_ping_packet", m_ping},
    {"build_pong_packet", m_pong},
    {"build_result_drop_packet", m_result_drop},
    {"build_header_only_packet", m_header_only},
    {"build_token_chunk_frame", m_token_frame},
    {"build_audio_chunk_frame", m_audio_frame},
    {"build_video_chunk_frame", m_video_frame},
    {"build_structured_event_frame", m_event_frame},
    {"build_tool_delta_frame", m_tool_frame},
    {"build_opaque_bytes_frame", m_opaque_frame},
    {"build_typed_payload_frame", m_typed_frame},
    {"build_extension_frame", m_ext_frame},
    {"build_camera_inline_object_block", m_camera_inline},
    {"build_tile_index_inline_object_block", m_tile_index_inline},
    {"build_tensor_section_table_inline_object_block", m_section_table_inline},
    {"build_camera_reference_block", m_camera_ref},
    {"build_tile_index_reference_block", m_tile_index_ref},
    {"build_tensor_section_table_reference_block", m_section_table_ref},
    {"ObjectReferenceBlock.pack", m_object_ref},
    {"build_client_hello_transport_policy_extension", m_ext_client_tp},
    {"build_server_hello_ack_transport_policy_extension", m_ext_server_tp},
    {"build_client_hello_loss_tolerance_extension", m_ext_client_lt},
    {"build_server_hello_ack_loss_tolerance_extension", m_ext_server_lt},
    {"build_client_hello_payload_capabilities_extension", m_ext_client_pc},
    {"build_server_hello_ack_payload_capabilities_extension", m_ext_server_pc},
    {"build_cache_object_bitmap", m_cache_object_bitmap},
    {"pack_tile_index_block", m_pack_tile_index},
    {"pack_tensor_section_data", m_pack_section},
    {"pack_typed_payload_frames", m_pack_typed_frames},
    {"pack_extension_frames", m_pack_ext_frames},
    {"pack_control_extension_block", m_pack_ext_block},
    {"pack_body", m_pack_body},
    {"pack_session_patch_body", m_patch_body},
    {"pack_session_patch_ack_body", m_patch_ack_body},
    {"ClientHelloMetadata.pack", m_client_hello_meta},
    {"ServerHelloAckMetadata.pack", m_server_hello_ack_meta},
    {"SessionPatchAckMetadata.pack", m_session_patch_ack_meta},
    {"FrameSubmitMetadata.pack", m_frame_submit_meta},
    {"ResultPushMetadata.pack", m_result_push_meta},
    {"NnrpPacket.build", m_packet_close},
    {"NnrpPacket.build(metadata=ClientHelloMetadata.pack())", m_packet_client_hello},
    {"NnrpPacket.build(metadata=ServerHelloAckMetadata.pack())", m_packet_server_hello_ack},
    {"NnrpPacket.build(metadata=SessionPatchMetadata.pack())", m_packet_session_patch},
    {"NnrpPacket.build(metadata=SessionPatchAckMetadata.pack())", m_packet_session_patch_ack},
    {"NnrpPacket.build(metadata=ErrorMetadata.pack())", m_packet_error},
    {"NnrpPacket.build(metadata=CachePutMetadata.pack())", m_packet_cache_put},
    {"NnrpPacket.build(metadata=CacheAckMetadata.pack())", m_packet_cache_ack},
    {"NnrpPacket.build(metadata=CacheInvalidateMetadata.pack())", m_packet_cache_invalidate},
    {"NnrpPacket.build(metadata=FrameSubmitMetadata.pack())", m_packet_frame_submit},
    {"NnrpPacket.build(metadata=ResultPushMetadata.pack())", m_packet_result_push},
};

vec_builder_fn vec_builder_find(const char *name) {
  for (size_t i = 0; i < sizeof(builders) / sizeof(builders[0]); i++)
    if (strcmp(builders[i].builder, name) == 0) return builders[i].fn;
  return NULL;
}

size_t vec_builder_count(void) { return sizeof(builders) / sizeof(builders[0]); }

const char *vec_builder_name(size_t i) {
  return i < vec_builder_count() ? builders[i].builder : NULL;
}
