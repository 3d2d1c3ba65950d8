/*
 * Control-plane packet builders (wire-control §6-§11).  Each one validates its metadata with
 * the metadata encoder, computes the header lengths and the metadata length fields from the
 * actual inputs, and writes header, metadata and body through the sink.
 */
#include "build_int.h"
#include "control_int.h"
#include "wire_int.h"

/* Header for a packet of this type and these lengths; the sizes are checked by the caller. */
static nnrp_header make_header(const nnrp_packet_params *p, unsigned msg_type, size_t meta_len,
                               size_t body_len) {
  nnrp_header h = {
      .version_major = NNRP_VERSION_MAJOR,
      .wire_format = NNRP_WIRE_FORMAT,
      .msg_type = (uint8_t)msg_type,
      .header_len = NNRP_HEADER_LEN,
      .flags = p->flags,
      .meta_len = (uint32_t)meta_len,
      .body_len = (uint32_t)body_len,
      .session_id = p->session_id,
      .frame_id = p->frame_id,
      .view_id = p->view_id,
      .route_id = p->route_id,
      .trace_id = p->trace_id,
  };
  return h;
}

/* A body the header can describe, in a message a default decoder accepts. */
static int lengths_check(size_t meta_len, size_t body_len) {
  if (body_len > UINT32_MAX) return NNRP_ERR_BUILD_FIELD_RANGE;
  if ((uint64_t)meta_len + body_len > UINT32_MAX) return NNRP_ERR_TOO_LARGE;
  return 0;
}

int nnrpi_packet_head_write(const nnrp_packet_params *p, unsigned msg_type, const uint8_t *meta,
                            size_t meta_len, size_t body_len, nnrp_sink *sink) {
  int rc = lengths_check(meta_len, body_len);
  if (rc < 0) return rc;
  nnrp_header h = make_header(p, msg_type, meta_len, body_len);
  uint8_t head[NNRP_HEADER_LEN];
  rc = nnrp_header_encode(&h, head);
  if (rc < 0) return rc;
  nnrp_sink_write(sink, head, sizeof(head));
  nnrp_sink_write(sink, meta, meta_len);
  return 0;
}

/* Packet whose body is one opaque byte string (or nothing). */
static int build_simple(const nnrp_packet_params *p, unsigned msg_type, const uint8_t *meta,
                        size_t meta_len, nnrp_vec body, nnrp_sink *sink) {
  if (body.len && !body.base) return NNRP_ERR_INVALID_ARGUMENT;
  int rc = nnrpi_packet_head_write(p, msg_type, meta, meta_len, body.len, sink);
  if (rc < 0) return rc;
  nnrp_sink_payload(sink, body.base, body.len);
  return nnrp_sink_error(sink);
}

/* A packet whose 16-byte profile patch block is encoded here: the block lives on this stack
 * frame, so it is copied even by a scatter-gather sink. */
static int build_with_patch(const nnrp_packet_params *p, unsigned msg_type, const uint8_t *meta,
                            size_t meta_len, const nnrp_profile_patch *patch, nnrp_sink *sink) {
  uint8_t block[NNRP_PROFILE_PATCH_LEN];
  size_t body_len = patch ? sizeof(block) : 0;
  int rc = nnrpi_packet_head_write(p, msg_type, meta, meta_len, body_len, sink);
  if (rc < 0) return rc;
  if (patch) {
    nnrp_profile_patch_encode(patch, block);
    nnrp_sink_write(sink, block, sizeof(block));
  }
  return nnrp_sink_error(sink);
}

static const nnrp_vec no_body = {NULL, 0};

int nnrp_packet_encode_raw(const nnrp_header *h, nnrp_vec metadata, nnrp_vec body,
                           nnrp_sink *sink) {
  if (h->meta_len != metadata.len || h->body_len != body.len)
    return NNRP_ERR_BUILD_LENGTH_MISMATCH;
  if ((metadata.len && !metadata.base) || (body.len && !body.base))
    return NNRP_ERR_INVALID_ARGUMENT;
  uint8_t head[NNRP_HEADER_LEN];
  int rc = nnrp_header_encode(h, head);
  if (rc < 0) return rc;
  nnrp_sink_write(sink, head, sizeof(head));
  nnrp_sink_payload(sink, metadata.base, metadata.len);
  nnrp_sink_payload(sink, body.base, body.len);
  return nnrp_sink_error(sink);
}

/* ---- hellos ---------------------------------------------------------------------------------- */

int nnrp_build_client_hello(const nnrp_packet_params *p, const nnrp_client_hello_meta *m,
                            const nnrp_ext_entry *exts, size_t ext_count, nnrp_vec auth,
                            nnrp_sink *sink) {
  if (auth.len && !auth.base) return NNRP_ERR_INVALID_ARGUMENT;
  size_t ext_len = nnrp_ext_block_len(exts, ext_count);
  if (ext_len > UINT32_MAX || auth.len > UINT32_MAX) return NNRP_ERR_BUILD_FIELD_RANGE;
  if (ext_len > SIZE_MAX - auth.len) return NNRP_ERR_TOO_LARGE;

  nnrp_client_hello_meta meta = *m;
  meta.control_extension_bytes = (uint32_t)ext_len;
  meta.auth_bytes = (uint32_t)auth.len;
  uint8_t buf[NNRP_CLIENT_HELLO_META_LEN];
  int rc = nnrp_client_hello_meta_encode(&meta, buf);
  if (rc < 0) return rc;

  rc = nnrpi_ext_entries_check(exts, ext_count, nnrpi_client_hello_ext_types, 3);
  if (rc < 0) return rc;
  /* The extension block first, then the auth block (§6.1, §14 D1). */
  rc = nnrpi_packet_head_write(p, NNRP_MSG_CLIENT_HELLO, buf, sizeof(buf), ext_len + auth.len, sink);
  if (rc < 0) return rc;
  rc = nnrp_ext_block_encode(exts, ext_count, sink);
  if (rc < 0) return rc;
  nnrp_sink_payload(sink, auth.base, auth.len);
  return nnrp_sink_error(sink);
}

int nnrp_build_server_hello_ack(const nnrp_packet_params *p, const nnrp_server_hello_ack_meta *m,
                                const nnrp_ext_entry *exts, size_t ext_count, nnrp_sink *sink) {
  size_t ext_len = nnrp_ext_block_len(exts, ext_count);
  if (ext_len > UINT32_MAX) return NNRP_ERR_BUILD_FIELD_RANGE;

  /* Receivers ignore reserved0 (§6.2), so only the sender can keep it zero. */
  if (m->reserved0 != 0) return NNRP_ERR_HELLO_RESERVED;
  nnrp_server_hello_ack_meta meta = *m;
  meta.control_extension_bytes = (uint32_t)ext_len;
  uint8_t buf[NNRP_SERVER_HELLO_ACK_META_LEN];
  int rc = nnrp_server_hello_ack_meta_encode(&meta, buf);
  if (rc < 0) return rc;

  rc = nnrpi_ext_entries_check(exts, ext_count, nnrpi_server_hello_ack_ext_types, 3);
  if (rc < 0) return rc;
  rc = nnrpi_packet_head_write(p, NNRP_MSG_SERVER_HELLO_ACK, buf, sizeof(buf), ext_len, sink);
  if (rc < 0) return rc;
  return nnrp_ext_block_encode(exts, ext_count, sink);
}

/* ---- session patch --------------------------------------------------------------------------- */

int nnrp_build_session_patch(const nnrp_packet_params *p, const nnrp_session_patch_meta *m,
                             const nnrp_profile_patch *patch, nnrp_sink *sink) {
  nnrp_session_patch_meta meta = *m;
  meta.profile_patch_bytes = patch ? NNRP_PROFILE_PATCH_LEN : 0;
  uint8_t buf[NNRP_SESSION_PATCH_META_LEN];
  int rc = nnrp_session_patch_meta_encode(&meta, buf);
  if (rc < 0) return rc;
  return build_with_patch(p, NNRP_MSG_SESSION_PATCH, buf, sizeof(buf), patch, sink);
}

int nnrp_build_session_patch_ack(const nnrp_packet_params *p,
                                 const nnrp_session_patch_ack_meta *m,
                                 const nnrp_profile_patch *patch, nnrp_sink *sink) {
  if (m->reserved0 != 0) return NNRP_ERR_PATCH_RESERVED; /* ignored on receive (§7.2) */
  nnrp_session_patch_ack_meta meta = *m;
  meta.profile_patch_ack_bytes = patch ? NNRP_PROFILE_PATCH_LEN : 0;
  uint8_t buf[NNRP_SESSION_PATCH_ACK_META_LEN];
  int rc = nnrp_session_patch_ack_meta_encode(&meta, buf);
  if (rc < 0) return rc;
  return build_with_patch(p, NNRP_MSG_SESSION_PATCH_ACK, buf, sizeof(buf), patch, sink);
}

/* ---- lifecycle and header-only messages ------------------------------------------------------ */

int nnrp_build_close(const nnrp_packet_params *p, nnrp_vec reason, nnrp_sink *sink) {
  return build_simple(p, NNRP_MSG_CLOSE, NULL, 0, reason, sink);
}

int nnrp_build_error(const nnrp_packet_params *p, const nnrp_error_meta *m, nnrp_vec diagnostic,
                     nnrp_sink *sink) {
  if (diagnostic.len > UINT32_MAX) return NNRP_ERR_BUILD_FIELD_RANGE;
  nnrp_error_meta meta = *m;
  meta.diagnostic_bytes = (uint32_t)diagnostic.len;
  uint8_t buf[NNRP_ERROR_META_LEN];
  int rc = nnrp_error_meta_encode(&meta, buf);
  if (rc < 0) return rc;
  return build_simple(p, NNRP_MSG_ERROR, buf, sizeof(buf), diagnostic, sink);
}

int nnrp_build_header_only(const nnrp_packet_params *p, unsigned msg_type, nnrp_sink *sink) {
  switch (msg_type) {
    case NNRP_MSG_CLOSE:
    case NNRP_MSG_FRAME_CANCEL:
    case NNRP_MSG_RESULT_DROP:
    case NNRP_MSG_PING:
    case NNRP_MSG_PONG:
      return build_simple(p, msg_type, NULL, 0, no_body, sink);
    default:
      return NNRP_ERR_BUILD_MSG_TYPE;
  }
}

int nnrp_build_frame_cancel(const nnrp_packet_params *p, nnrp_sink *sink) {
  return nnrp_build_header_only(p, NNRP_MSG_FRAME_CANCEL, sink);
}

int nnrp_build_result_drop(const nnrp_packet_params *p, nnrp_sink *sink) {
  return nnrp_build_header_only(p, NNRP_MSG_RESULT_DROP, sink);
}

int nnrp_build_ping(const nnrp_packet_params *p, nnrp_sink *sink) {
  return nnrp_build_header_only(p, NNRP_MSG_PING, sink);
}

int nnrp_build_pong(const nnrp_packet_params *p, nnrp_sink *sink) {
  return nnrp_build_header_only(p, NNRP_MSG_PONG, sink);
}

/* ---- cache ----------------------------------------------------------------------------------- */

int nnrp_build_cache_put(const nnrp_packet_params *p, const nnrp_cache_put_meta *m,
                         nnrp_vec object, nnrp_sink *sink) {
  if (object.len > UINT32_MAX) return NNRP_ERR_BUILD_FIELD_RANGE;
  nnrp_cache_put_meta meta = *m;
  meta.object_bytes = (uint32_t)object.len;
  uint8_t buf[NNRP_CACHE_PUT_META_LEN];
  int rc = nnrp_cache_put_meta_encode(&meta, buf);
  if (rc < 0) return rc;
  return build_simple(p, NNRP_MSG_CACHE_PUT, buf, sizeof(buf), object, sink);
}

int nnrp_build_cache_ack(const nnrp_packet_params *p, const nnrp_cache_ack_meta *m,
                         nnrp_sink *sink) {
  uint8_t buf[NNRP_CACHE_ACK_META_LEN];
  int rc = nnrp_cache_ack_meta_encode(m, buf);
  if (rc < 0) return rc;
  return build_simple(p, NNRP_MSG_CACHE_ACK, buf, sizeof(buf), no_body, sink);
}

int nnrp_build_cache_invalidate(const nnrp_packet_params *p, const nnrp_cache_invalidate_meta *m,
                                nnrp_sink *sink) {
  uint8_t buf[NNRP_CACHE_INVALIDATE_META_LEN];
  int rc = nnrp_cache_invalidate_meta_encode(m, buf);
  if (rc < 0) return rc;
  return build_simple(p, NNRP_MSG_CACHE_INVALIDATE, buf, sizeof(buf), no_body, sink);
}

/* ---- flow control and hints ------------------------------------------------------------------ */

int nnrp_build_flow_update(const nnrp_packet_params *p, const nnrp_flow_update_meta *m,
                           nnrp_sink *sink) {
  uint8_t buf[NNRP_FLOW_UPDATE_META_LEN];
  int rc = nnrp_flow_update_meta_encode(m, buf);
  if (rc < 0) return rc;
  rc = nnrpi_flow_session_binding_check(m->scope_kind, p->session_id);
  if (rc < 0) return rc;
  return build_simple(p, NNRP_MSG_FLOW_UPDATE, buf, sizeof(buf), no_body, sink);
}

int nnrp_build_result_hint(const nnrp_packet_params *p, const nnrp_result_hint_meta *m,
                           nnrp_sink *sink) {
  uint8_t buf[NNRP_RESULT_HINT_META_LEN];
  int rc = nnrp_result_hint_meta_encode(m, buf);
  if (rc < 0) return rc;
  return build_simple(p, NNRP_MSG_RESULT_HINT, buf, sizeof(buf), no_body, sink);
}

/* ---- transport probing and migration --------------------------------------------------------- */

int nnrp_build_transport_probe(const nnrp_packet_params *p, const nnrp_transport_probe_meta *m,
                               nnrp_vec padding, nnrp_sink *sink) {
  if (padding.len > UINT32_MAX) return NNRP_ERR_BUILD_FIELD_RANGE;
  nnrp_transport_probe_meta meta = *m;
  meta.probe_payload_bytes = (uint32_t)padding.len;
  uint8_t buf[NNRP_TRANSPORT_PROBE_META_LEN];
  int rc = nnrp_transport_probe_meta_encode(&meta, buf);
  if (rc < 0) return rc;
  return build_simple(p, NNRP_MSG_TRANSPORT_PROBE, buf, sizeof(buf), padding, sink);
}

int nnrp_build_transport_probe_ack(const nnrp_packet_params *p,
                                   const nnrp_transport_probe_ack_meta *m, nnrp_sink *sink) {
  if (m->reserved != 0) return NNRP_ERR_PROBE_RESERVED; /* ignored on receive (§11.2) */
  uint8_t buf[NNRP_TRANSPORT_PROBE_ACK_META_LEN];
  int rc = nnrp_transport_probe_ack_meta_encode(m, buf);
  if (rc < 0) return rc;
  return build_simple(p, NNRP_MSG_TRANSPORT_PROBE_ACK, buf, sizeof(buf), no_body, sink);
}

/* The body stays empty: nnrp-cs refuses any (§14 D10). */
int nnrp_build_session_migrate(const nnrp_packet_params *p, const nnrp_session_migrate_meta *m,
                               nnrp_sink *sink) {
  uint8_t buf[NNRP_SESSION_MIGRATE_META_LEN];
  int rc = nnrp_session_migrate_meta_encode(m, buf);
  if (rc < 0) return rc;
  return build_simple(p, NNRP_MSG_SESSION_MIGRATE, buf, sizeof(buf), no_body, sink);
}

int nnrp_build_session_migrate_ack(const nnrp_packet_params *p,
                                   const nnrp_session_migrate_ack_meta *m, nnrp_sink *sink) {
  uint8_t buf[NNRP_SESSION_MIGRATE_ACK_META_LEN];
  int rc = nnrp_session_migrate_ack_meta_encode(m, buf);
  if (rc < 0) return rc;
  return build_simple(p, NNRP_MSG_SESSION_MIGRATE_ACK, buf, sizeof(buf), no_body, sink);
}
