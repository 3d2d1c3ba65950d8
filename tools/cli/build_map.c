/*
 * The reference SDK's builders, each mapped to the libnnrp calls that produce the same bytes
 * (see build_map.h).  Inputs are read with build_json.c; the output conventions are those of
 * builder-examples.json.
 */
#include "build_map_int.h"

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
void *vec_dataclass(vec_ctx *c, const json_t *in, const char *key, const char *cls) {
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

int vec_typed_pack(const void *arg, size_t n, nnrp_sink *a, nnrp_sink *b) {
  return nnrp_typed_frames_pack(arg, n, a, b);
}

int vec_ext_pack(const void *arg, size_t n, nnrp_sink *a, nnrp_sink *b) {
  return nnrp_ext_frames_pack(arg, n, a, b);
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
