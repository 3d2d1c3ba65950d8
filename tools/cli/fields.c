/*
 * Field tables: every integer member of the wire structs, in the order and with the names of
 * the specification tables.  JSON output and input both walk these tables, so the two
 * directions cannot drift apart.
 */
#include <stddef.h>
#include <string.h>

#include "cli.h"

#define F(type, member) \
  { #member, offsetof(type, member), sizeof(((type *)0)->member) }
#define TABLE(name, array) const cli_struct name = {array, sizeof(array) / sizeof(array[0])}

static const cli_field header[] = {
    F(nnrp_header, version_major), F(nnrp_header, wire_format), F(nnrp_header, msg_type),
    F(nnrp_header, header_len),    F(nnrp_header, flags),       F(nnrp_header, meta_len),
    F(nnrp_header, body_len),      F(nnrp_header, session_id),  F(nnrp_header, frame_id),
    F(nnrp_header, view_id),       F(nnrp_header, route_id),    F(nnrp_header, trace_id),
};
TABLE(cli_header_fields, header);

#define M(member) F(nnrp_client_hello_meta, member)
static const cli_field client_hello[] = {
    M(min_version_major),
    M(max_version_major),
    M(supported_wire_format_bitmap),
    M(supported_profile_bitmap),
    M(supported_payload_kind_bitmap),
    M(supported_codec_bitmap),
    M(supported_compression_bitmap),
    M(supported_dtype_bitmap),
    M(supported_layout_bitmap),
    M(cache_digest_bitmap),
    M(cache_object_bitmap),
    M(cache_namespace_count),
    M(max_lane_count),
    M(max_cache_entries),
    M(max_cache_bytes),
    M(target_cadence_x100),
    M(latency_budget_ms),
    M(quality_tier),
    M(degrade_policy),
    M(requested_session_id),
    M(auth_bytes),
    M(control_extension_bytes),
};
#undef M

#define M(member) F(nnrp_server_hello_ack_meta, member)
static const cli_field server_hello_ack[] = {
    M(selected_version_major),
    M(selected_wire_format),
    M(auth_status),
    M(reserved0),
    M(session_id),
    M(accepted_profile_bitmap),
    M(accepted_payload_kind_bitmap),
    M(accepted_codec_bitmap),
    M(accepted_compression_bitmap),
    M(accepted_dtype_bitmap),
    M(accepted_layout_bitmap),
    M(cache_digest_bitmap),
    M(cache_object_bitmap),
    M(max_cache_entries),
    M(max_cache_bytes),
    M(max_lane_count),
    M(max_concurrent_frames),
    M(target_cadence_x100),
    M(latency_budget_ms),
    M(quality_tier),
    M(degrade_policy),
    M(max_body_bytes),
    M(token_ttl_ms),
    M(retry_after_ms),
    M(control_extension_bytes),
    M(server_flags),
};
#undef M

#define M(member) F(nnrp_session_patch_meta, member)
static const cli_field session_patch[] = {
    M(profile_id),
    M(reserved0),
    M(patch_mask),
    M(target_cadence_x100),
    M(quality_tier),
    M(degrade_policy),
    M(active_lane_mask),
    M(preferred_codec_bitmap),
    M(preferred_compression_bitmap),
    M(profile_patch_bytes),
};
#undef M

#define M(member) F(nnrp_session_patch_ack_meta, member)
static const cli_field session_patch_ack[] = {
    M(ack_status),
    M(reject_reason),
    M(applied_patch_mask),
    M(rejected_patch_mask),
    M(retry_after_ms),
    M(effective_profile_id),
    M(reserved0),
    M(effective_target_cadence_x100),
    M(effective_quality_tier),
    M(effective_degrade_policy),
    M(effective_lane_mask),
    M(effective_codec_bitmap),
    M(effective_compression_bitmap),
    M(profile_patch_ack_bytes),
};
#undef M

#define M(member) F(nnrp_error_meta, member)
static const cli_field error[] = {
    M(error_code),         M(error_scope),      M(is_fatal),        M(retry_after_ms),
    M(related_session_id), M(related_frame_id), M(related_view_id), M(diagnostic_bytes),
};
#undef M

#define M(member) F(nnrp_cache_put_meta, member)
static const cli_field cache_put[] = {
    M(cache_namespace), M(cache_key_hi), M(cache_key_lo), M(object_kind),
    M(ttl_ms),          M(object_bytes), M(codec_bitmap), M(flags),
};
#undef M

#define M(member) F(nnrp_cache_ack_meta, member)
static const cli_field cache_ack[] = {
    M(cache_namespace), M(cache_key_hi),     M(cache_key_lo), M(status),
    M(accepted_ttl_ms), M(max_object_bytes), M(detail_code),
};
#undef M

#define M(member) F(nnrp_cache_invalidate_meta, member)
static const cli_field cache_invalidate[] = {
    M(invalidate_scope), M(cache_namespace), M(cache_key_hi), M(cache_key_lo), M(reason_code),
};
#undef M

#define M(member) F(nnrp_flow_update_meta, member)
static const cli_field flow_update[] = {
    M(scope_kind),        M(update_reason),  M(backpressure_level), M(reserved0),
    M(connection_credit), M(session_credit), M(operation_credit),   M(reserved1),
    M(operation_id),      M(retry_after_ms), M(credit_epoch),       M(flags),
};
#undef M

#define M(member) F(nnrp_result_hint_meta, member)
static const cli_field result_hint[] = {
    M(applied_budget_policy),
    M(congestion_state),
    M(reason),
    M(retry_after_ms),
};
#undef M

static const cli_field transport_probe[] = {
    F(nnrp_transport_probe_meta, probe_id),
    F(nnrp_transport_probe_meta, probe_payload_bytes),
    F(nnrp_transport_probe_meta, client_send_ts_us),
};

static const cli_field transport_probe_ack[] = {
    F(nnrp_transport_probe_ack_meta, probe_id),
    F(nnrp_transport_probe_ack_meta, reserved),
    F(nnrp_transport_probe_ack_meta, server_recv_ts_us),
};

#define M(member) F(nnrp_session_migrate_meta, member)
static const cli_field session_migrate[] = {
    M(old_transport_id),
    M(new_transport_id),
    M(last_result_frame_id),
    M(client_migrate_ts_us),
};
#undef M

#define M(member) F(nnrp_session_migrate_ack_meta, member)
static const cli_field session_migrate_ack[] = {
    M(accept_code),
    M(resume_from_frame_id),
    M(grace_window_ms),
    M(server_migrate_ts_us),
};
#undef M

#define M(member) F(nnrp_frame_submit_meta, member)
static const cli_field frame_submit[] = {
    M(src_width),           M(src_height),          M(tile_width),
    M(tile_height),         M(tile_count),          M(section_count),
    M(frame_class),         M(input_profile),       M(tile_index_mode),
    M(reserved0),           M(latency_budget_ms),   M(target_fps_x100),
    M(retry_of_frame),      M(tile_base_id),        M(camera_bytes),
    M(tile_index_bytes),    M(reserved1),           M(reserved2),
    M(submit_mode),         M(budget_policy),       M(loss_tolerance_policy),
    M(reserved3),           M(object_ref_mask),     M(dependency_frame_id),
    M(payload_kind_bitmap), M(payload_frame_count), M(reserved4),
};
#undef M

#define M(member) F(nnrp_result_push_meta, member)
static const cli_field result_push[] = {
    M(status_code),         M(result_flags),        M(section_count),      M(tile_count),
    M(active_profile_id),   M(reserved0),           M(inference_ms),       M(queue_ms),
    M(server_total_ms),     M(reserved1),           M(tile_base_id),       M(tile_index_bytes),
    M(reserved2),           M(reserved3),           M(result_class),       M(applied_budget_policy),
    M(reserved4),           M(reused_frame_id),     M(covered_tile_count), M(dropped_tile_count),
    M(payload_kind_bitmap), M(payload_frame_count), M(reserved5),
};
#undef M

static const cli_field profile_patch[] = {
    F(nnrp_profile_patch, min_width),
    F(nnrp_profile_patch, min_height),
    F(nnrp_profile_patch, max_width),
    F(nnrp_profile_patch, max_height),
};
TABLE(cli_profile_patch_fields, profile_patch);

#define M(member) F(nnrp_section_desc, member)
static const cli_field section_desc[] = {
    M(role_id),
    M(codec_id),
    M(dtype_id),
    M(layout_id),
    M(scale_policy),
    M(flags),
    M(element_count_per_tile),
    M(codec_table_bytes),
    M(length_table_bytes),
    M(payload_bytes),
    M(payload_stride_bytes),
    M(reserved),
};
#undef M
TABLE(cli_section_desc_fields, section_desc);

#define M(member) F(nnrp_prelude, member)
static const cli_field prelude[] = {
    M(inline_object_bytes),
    M(object_reference_bytes),
    M(typed_payload_descriptor_bytes),
    M(typed_payload_frame_bytes),
    M(extension_descriptor_bytes),
    M(extension_payload_bytes),
    M(body_flags),
    M(reserved),
};
#undef M
TABLE(cli_prelude_fields, prelude);

#define M(member) F(nnrp_inline_object_header, member)
static const cli_field inline_object[] = {
    M(object_kind), M(object_flags), M(profile_id), M(reserved0), M(object_bytes), M(reserved1),
};
#undef M
TABLE(cli_inline_object_fields, inline_object);

#define M(member) F(nnrp_object_ref, member)
static const cli_field object_ref[] = {
    M(object_kind), M(ref_flags), M(cache_namespace), M(cache_key_hi), M(cache_key_lo),
};
#undef M
TABLE(cli_object_ref_fields, object_ref);

#define M(member) F(nnrp_typed_desc, member)
static const cli_field typed_desc[] = {
    M(payload_kind),   M(descriptor_flags), M(profile_id),
    M(payload_offset), M(payload_length),   M(reserved),
};
#undef M
TABLE(cli_typed_desc_fields, typed_desc);

#define M(member) F(nnrp_ext_frame_desc, member)
static const cli_field ext_frame_desc[] = {
    M(extension_kind), M(extension_flags), M(profile_id),
    M(reserved0),      M(payload_offset),  M(payload_length),
};
#undef M
TABLE(cli_ext_frame_desc_fields, ext_frame_desc);

/* Metadata tables by message type; the member structs all start at offset 0 of nnrp_meta. */
static const struct {
  unsigned msg_type;
  cli_struct fields;
} meta_tables[] = {
#define META(type, array)                     \
  {                                           \
    type, {                                   \
      array, sizeof(array) / sizeof(array[0]) \
    }                                         \
  }
    META(NNRP_MSG_CLIENT_HELLO, client_hello),
    META(NNRP_MSG_SERVER_HELLO_ACK, server_hello_ack),
    META(NNRP_MSG_SESSION_PATCH, session_patch),
    META(NNRP_MSG_SESSION_PATCH_ACK, session_patch_ack),
    META(NNRP_MSG_ERROR, error),
    META(NNRP_MSG_FRAME_SUBMIT, frame_submit),
    META(NNRP_MSG_RESULT_PUSH, result_push),
    META(NNRP_MSG_CACHE_PUT, cache_put),
    META(NNRP_MSG_CACHE_ACK, cache_ack),
    META(NNRP_MSG_CACHE_INVALIDATE, cache_invalidate),
    META(NNRP_MSG_FLOW_UPDATE, flow_update),
    META(NNRP_MSG_RESULT_HINT, result_hint),
    META(NNRP_MSG_TRANSPORT_PROBE, transport_probe),
    META(NNRP_MSG_TRANSPORT_PROBE_ACK, transport_probe_ack),
    META(NNRP_MSG_SESSION_MIGRATE, session_migrate),
    META(NNRP_MSG_SESSION_MIGRATE_ACK, session_migrate_ack),
#undef META
};

const cli_struct *cli_meta_fields(unsigned msg_type) {
  for (size_t i = 0; i < sizeof(meta_tables) / sizeof(meta_tables[0]); i++)
    if (meta_tables[i].msg_type == msg_type) return &meta_tables[i].fields;
  return NULL;
}

const cli_field *cli_field_find(const cli_struct *s, const char *name) {
  for (size_t i = 0; i < s->count; i++)
    if (strcmp(s->fields[i].name, name) == 0) return &s->fields[i];
  return NULL;
}

/* Members are read and written through memcpy with their own width: no aliasing tricks. */
uint64_t cli_field_get(const void *base, const cli_field *f) {
  const unsigned char *p = (const unsigned char *)base + f->offset;
  uint8_t v8;
  uint16_t v16;
  uint32_t v32;
  uint64_t v64;
  switch (f->size) {
    case 1:
      memcpy(&v8, p, 1);
      return v8;
    case 2:
      memcpy(&v16, p, 2);
      return v16;
    case 4:
      memcpy(&v32, p, 4);
      return v32;
    default:
      memcpy(&v64, p, 8);
      return v64;
  }
}

void cli_field_set(void *base, const cli_field *f, uint64_t v) {
  unsigned char *p = (unsigned char *)base + f->offset;
  uint8_t v8 = (uint8_t)v;
  uint16_t v16 = (uint16_t)v;
  uint32_t v32 = (uint32_t)v;
  switch (f->size) {
    case 1:
      memcpy(p, &v8, 1);
      break;
    case 2:
      memcpy(p, &v16, 2);
      break;
    case 4:
      memcpy(p, &v32, 4);
      break;
    default:
      memcpy(p, &v, 8);
      break;
  }
}

uint64_t cli_field_max(const cli_field *f) {
  return f->size >= 8 ? UINT64_MAX : ((uint64_t)1 << (8 * f->size)) - 1;
}

const char *cli_raw_body_name(unsigned msg_type) {
  switch (msg_type) {
    case NNRP_MSG_CLOSE:
      return "reason";
    case NNRP_MSG_ERROR:
      return "diagnostic";
    case NNRP_MSG_CACHE_PUT:
      return "object";
    case NNRP_MSG_TRANSPORT_PROBE:
      return "padding";
    default:
      return NULL;
  }
}
