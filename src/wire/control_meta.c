/*
 * Fixed metadata of the remaining control messages: ERROR (§8.2), the cache messages (§9),
 * FLOW_UPDATE and RESULT_HINT (§10), transport probing and migration (§11); and the capability
 * bitmap helpers (§3.8).
 */
#include "control_int.h"
#include "wire_int.h"

#define CACHE_ACK_STATUS_MAX NNRP_CACHE_REPLACED
#define CACHE_SCOPE_MAX NNRP_CACHE_SCOPE_OBJECT_KEY
#define CACHE_PUT_FLAGS_KNOWN (NNRP_CACHE_PUT_PINNED | NNRP_CACHE_PUT_REUSABLE)
#define FLOW_FLAGS_KNOWN                                                                  \
  (NNRP_FLOW_CREDIT_VALID | NNRP_FLOW_RETRY_AFTER_VALID | NNRP_FLOW_BACKGROUND_ONLY | \
   NNRP_FLOW_DRAIN_IN_FLIGHT_ONLY)

static int py_compat(uint32_t flags) { return (flags & NNRP_DECODE_PY_COMPAT) != 0; }

/* ---- ERROR (§8.2) ---------------------------------------------------------------------------- */

int nnrp_error_meta_encode(const nnrp_error_meta *m, uint8_t out[32]) {
  if (m->error_scope > NNRP_SCOPE_FRAME) return NNRP_ERR_ERROR_SCOPE;
  nnrp_st32(out + 0, m->error_code);
  nnrp_st32(out + 4, m->error_scope);
  nnrp_st32(out + 8, m->is_fatal);
  nnrp_st32(out + 12, m->retry_after_ms);
  nnrp_st32(out + 16, m->related_session_id);
  nnrp_st32(out + 20, m->related_frame_id);
  nnrp_st32(out + 24, m->related_view_id);
  nnrp_st32(out + 28, m->diagnostic_bytes);
  return 0;
}

int nnrpi_error_meta_read(nnrp_error_meta *m, const uint8_t *in, uint32_t flags, nnrp_diag *diag) {
  (void)flags;
  m->error_code = nnrp_ld32(in + 0);
  m->error_scope = nnrp_ld32(in + 4);
  m->is_fatal = nnrp_ld32(in + 8);
  m->retry_after_ms = nnrp_ld32(in + 12);
  m->related_session_id = nnrp_ld32(in + 16);
  m->related_frame_id = nnrp_ld32(in + 20);
  m->related_view_id = nnrp_ld32(in + 24);
  m->diagnostic_bytes = nnrp_ld32(in + 28);
  if (m->error_scope > NNRP_SCOPE_FRAME) return nnrp_fail(diag, NNRP_ERR_ERROR_SCOPE, 4);
  return 0;
}

int nnrp_error_meta_decode(nnrp_error_meta *m, const uint8_t *in, size_t len, uint32_t flags) {
  if (len != NNRP_ERROR_META_LEN) return NNRP_ERR_META_LEN;
  return nnrpi_error_meta_read(m, in, flags, NULL);
}

/* ---- CACHE_PUT (§9.1) ------------------------------------------------------------------------ */

static int object_kind_ok(uint32_t kind) {
  return kind >= NNRP_OBJECT_CAMERA_BLOCK && kind <= NNRP_OBJECT_STRUCTURED_EVENT_SCHEMA;
}

int nnrp_cache_put_meta_encode(const nnrp_cache_put_meta *m, uint8_t out[32]) {
  if (!object_kind_ok(m->object_kind)) return NNRP_ERR_CACHE_OBJECT_KIND;
  if (m->flags & ~CACHE_PUT_FLAGS_KNOWN) return NNRP_ERR_CACHE_PUT_FLAGS;
  nnrp_st32(out + 0, m->cache_namespace);
  nnrp_st32(out + 4, m->cache_key_hi);
  nnrp_st32(out + 8, m->cache_key_lo);
  nnrp_st32(out + 12, m->object_kind);
  nnrp_st32(out + 16, m->ttl_ms);
  nnrp_st32(out + 20, m->object_bytes);
  nnrp_st32(out + 24, m->codec_bitmap);
  nnrp_st32(out + 28, m->flags);
  return 0;
}

int nnrpi_cache_put_meta_read(nnrp_cache_put_meta *m, const uint8_t *in, uint32_t flags,
                              nnrp_diag *diag) {
  m->cache_namespace = nnrp_ld32(in + 0);
  m->cache_key_hi = nnrp_ld32(in + 4);
  m->cache_key_lo = nnrp_ld32(in + 8);
  m->object_kind = nnrp_ld32(in + 12);
  m->ttl_ms = nnrp_ld32(in + 16);
  m->object_bytes = nnrp_ld32(in + 20);
  m->codec_bitmap = nnrp_ld32(in + 24);
  m->flags = nnrp_ld32(in + 28);
  if (!object_kind_ok(m->object_kind)) return nnrp_fail(diag, NNRP_ERR_CACHE_OBJECT_KIND, 12);
  /* nnrp-cs rejects unknown flag bits, nnrp-py keeps them (§3.10). */
  if ((m->flags & ~CACHE_PUT_FLAGS_KNOWN) && !py_compat(flags))
    return nnrp_fail(diag, NNRP_ERR_CACHE_PUT_FLAGS, 28);
  return 0;
}

int nnrp_cache_put_meta_decode(nnrp_cache_put_meta *m, const uint8_t *in, size_t len,
                               uint32_t flags) {
  if (len != NNRP_CACHE_PUT_META_LEN) return NNRP_ERR_META_LEN;
  return nnrpi_cache_put_meta_read(m, in, flags, NULL);
}

/* ---- CACHE_ACK (§9.2) ------------------------------------------------------------------------ */

int nnrp_cache_ack_meta_encode(const nnrp_cache_ack_meta *m, uint8_t out[28]) {
  if (m->status > CACHE_ACK_STATUS_MAX) return NNRP_ERR_CACHE_ACK_STATUS;
  nnrp_st32(out + 0, m->cache_namespace);
  nnrp_st32(out + 4, m->cache_key_hi);
  nnrp_st32(out + 8, m->cache_key_lo);
  nnrp_st32(out + 12, m->status);
  nnrp_st32(out + 16, m->accepted_ttl_ms);
  nnrp_st32(out + 20, m->max_object_bytes);
  nnrp_st32(out + 24, m->detail_code);
  return 0;
}

int nnrpi_cache_ack_meta_read(nnrp_cache_ack_meta *m, const uint8_t *in, uint32_t flags,
                              nnrp_diag *diag) {
  (void)flags;
  m->cache_namespace = nnrp_ld32(in + 0);
  m->cache_key_hi = nnrp_ld32(in + 4);
  m->cache_key_lo = nnrp_ld32(in + 8);
  m->status = nnrp_ld32(in + 12);
  m->accepted_ttl_ms = nnrp_ld32(in + 16);
  m->max_object_bytes = nnrp_ld32(in + 20);
  m->detail_code = nnrp_ld32(in + 24);
  if (m->status > CACHE_ACK_STATUS_MAX) return nnrp_fail(diag, NNRP_ERR_CACHE_ACK_STATUS, 12);
  return 0;
}

int nnrp_cache_ack_meta_decode(nnrp_cache_ack_meta *m, const uint8_t *in, size_t len,
                               uint32_t flags) {
  if (len != NNRP_CACHE_ACK_META_LEN) return NNRP_ERR_META_LEN;
  return nnrpi_cache_ack_meta_read(m, in, flags, NULL);
}

/* ---- CACHE_INVALIDATE (§9.3) ----------------------------------------------------------------- */

int nnrp_cache_invalidate_meta_encode(const nnrp_cache_invalidate_meta *m, uint8_t out[20]) {
  if (m->invalidate_scope > CACHE_SCOPE_MAX) return NNRP_ERR_CACHE_SCOPE;
  nnrp_st32(out + 0, m->invalidate_scope);
  nnrp_st32(out + 4, m->cache_namespace);
  nnrp_st32(out + 8, m->cache_key_hi);
  nnrp_st32(out + 12, m->cache_key_lo);
  nnrp_st32(out + 16, m->reason_code);
  return 0;
}

int nnrpi_cache_invalidate_meta_read(nnrp_cache_invalidate_meta *m, const uint8_t *in,
                                     uint32_t flags, nnrp_diag *diag) {
  (void)flags;
  m->invalidate_scope = nnrp_ld32(in + 0);
  m->cache_namespace = nnrp_ld32(in + 4);
  m->cache_key_hi = nnrp_ld32(in + 8);
  m->cache_key_lo = nnrp_ld32(in + 12);
  m->reason_code = nnrp_ld32(in + 16);
  if (m->invalidate_scope > CACHE_SCOPE_MAX) return nnrp_fail(diag, NNRP_ERR_CACHE_SCOPE, 0);
  return 0;
}

int nnrp_cache_invalidate_meta_decode(nnrp_cache_invalidate_meta *m, const uint8_t *in,
                                      size_t len, uint32_t flags) {
  if (len != NNRP_CACHE_INVALIDATE_META_LEN) return NNRP_ERR_META_LEN;
  return nnrpi_cache_invalidate_meta_read(m, in, flags, NULL);
}

/* ---- FLOW_UPDATE (§10.1) --------------------------------------------------------------------- */

enum {
  FU_SCOPE = 0,
  FU_REASON = 1,
  FU_BACKPRESSURE = 2,
  FU_RESERVED0 = 3,
  FU_CONNECTION_CREDIT = 4,
  FU_SESSION_CREDIT = 6,
  FU_OPERATION_CREDIT = 8,
  FU_RESERVED1 = 10,
  FU_OPERATION_ID = 12,
  FU_RETRY_AFTER = 20,
  FU_FLAGS = 28
};

/* Rules 1-6 and 9, in that order; returns the error and the offset of the field at fault. */
static int flow_rules(const nnrp_flow_update_meta *m, int check_reserved, size_t *at) {
  if (m->scope_kind > NNRP_FLOW_SCOPE_OPERATION) return *at = FU_SCOPE, NNRP_ERR_FLOW_SCOPE;
  if (m->update_reason > NNRP_FLOW_CONGESTION) return *at = FU_REASON, NNRP_ERR_FLOW_REASON;
  if (m->backpressure_level > NNRP_BACKPRESSURE_HARD)
    return *at = FU_BACKPRESSURE, NNRP_ERR_FLOW_BACKPRESSURE;
  if (m->flags & ~FLOW_FLAGS_KNOWN) return *at = FU_FLAGS, NNRP_ERR_FLOW_FLAGS;
  if (m->retry_after_ms && !(m->flags & NNRP_FLOW_RETRY_AFTER_VALID))
    return *at = FU_RETRY_AFTER, NNRP_ERR_FLOW_RETRY_AFTER;
  switch (m->scope_kind) {
    case NNRP_FLOW_SCOPE_CONNECTION:
      if (m->session_credit) return *at = FU_SESSION_CREDIT, NNRP_ERR_FLOW_SCOPE_FIELDS;
      if (m->operation_credit) return *at = FU_OPERATION_CREDIT, NNRP_ERR_FLOW_SCOPE_FIELDS;
      if (m->operation_id) return *at = FU_OPERATION_ID, NNRP_ERR_FLOW_SCOPE_FIELDS;
      break;
    case NNRP_FLOW_SCOPE_SESSION:
      if (m->connection_credit) return *at = FU_CONNECTION_CREDIT, NNRP_ERR_FLOW_SCOPE_FIELDS;
      if (m->operation_credit) return *at = FU_OPERATION_CREDIT, NNRP_ERR_FLOW_SCOPE_FIELDS;
      if (m->operation_id) return *at = FU_OPERATION_ID, NNRP_ERR_FLOW_SCOPE_FIELDS;
      break;
    default:
      if (m->connection_credit) return *at = FU_CONNECTION_CREDIT, NNRP_ERR_FLOW_SCOPE_FIELDS;
      if (m->session_credit) return *at = FU_SESSION_CREDIT, NNRP_ERR_FLOW_SCOPE_FIELDS;
      if (!m->operation_id) return *at = FU_OPERATION_ID, NNRP_ERR_FLOW_SCOPE_FIELDS;
      break;
  }
  if (check_reserved && m->reserved0) return *at = FU_RESERVED0, NNRP_ERR_FLOW_RESERVED;
  if (check_reserved && m->reserved1) return *at = FU_RESERVED1, NNRP_ERR_FLOW_RESERVED;
  return 0;
}

int nnrpi_flow_session_binding_check(uint8_t scope_kind, uint32_t session_id) {
  int connection = scope_kind == NNRP_FLOW_SCOPE_CONNECTION;
  return connection == (session_id == 0) ? 0 : NNRP_ERR_FLOW_SESSION_BINDING;
}

int nnrp_flow_update_meta_encode(const nnrp_flow_update_meta *m, uint8_t out[32]) {
  size_t at;
  int rc = flow_rules(m, 1, &at);
  if (rc < 0) return rc;
  out[0] = m->scope_kind;
  out[1] = m->update_reason;
  out[2] = m->backpressure_level;
  out[3] = m->reserved0;
  nnrp_st16(out + 4, m->connection_credit);
  nnrp_st16(out + 6, m->session_credit);
  nnrp_st16(out + 8, m->operation_credit);
  nnrp_st16(out + 10, m->reserved1);
  nnrp_st64(out + 12, m->operation_id);
  nnrp_st32(out + 20, m->retry_after_ms);
  nnrp_st32(out + 24, m->credit_epoch);
  nnrp_st32(out + 28, m->flags);
  return 0;
}

int nnrpi_flow_update_meta_read(nnrp_flow_update_meta *m, const uint8_t *in, uint32_t flags,
                                nnrp_diag *diag) {
  m->scope_kind = in[0];
  m->update_reason = in[1];
  m->backpressure_level = in[2];
  m->reserved0 = in[3];
  m->connection_credit = nnrp_ld16(in + 4);
  m->session_credit = nnrp_ld16(in + 6);
  m->operation_credit = nnrp_ld16(in + 8);
  m->reserved1 = nnrp_ld16(in + 10);
  m->operation_id = nnrp_ld64(in + 12);
  m->retry_after_ms = nnrp_ld32(in + 20);
  m->credit_epoch = nnrp_ld32(in + 24);
  m->flags = nnrp_ld32(in + 28);
  size_t at = 0;
  /* Rule 9: nnrp-cs's strict decode rejects non-zero reserved bytes, nnrp-py ignores them. */
  int rc = flow_rules(m, !py_compat(flags), &at);
  return rc < 0 ? nnrp_fail(diag, rc, at) : 0;
}

int nnrp_flow_update_meta_decode(nnrp_flow_update_meta *m, const uint8_t *in, size_t len,
                                 uint32_t flags) {
  if (len != NNRP_FLOW_UPDATE_META_LEN) return NNRP_ERR_META_LEN;
  return nnrpi_flow_update_meta_read(m, in, flags, NULL);
}

/* ---- RESULT_HINT (§10.2) --------------------------------------------------------------------- */

static int hint_rules(const nnrp_result_hint_meta *m, size_t *at) {
  if (m->applied_budget_policy > NNRP_HINT_POLICY_MAX) return *at = 0, NNRP_ERR_HINT_POLICY;
  if (m->congestion_state > NNRP_HINT_CONGESTION_MAX) return *at = 4, NNRP_ERR_HINT_CONGESTION;
  if (m->reason > NNRP_HINT_REASON_MAX) return *at = 8, NNRP_ERR_HINT_REASON;
  return 0;
}

int nnrp_result_hint_meta_encode(const nnrp_result_hint_meta *m, uint8_t out[16]) {
  size_t at;
  int rc = hint_rules(m, &at);
  if (rc < 0) return rc;
  nnrp_st32(out + 0, m->applied_budget_policy);
  nnrp_st32(out + 4, m->congestion_state);
  nnrp_st32(out + 8, m->reason);
  nnrp_st32(out + 12, m->retry_after_ms);
  return 0;
}

int nnrpi_result_hint_meta_read(nnrp_result_hint_meta *m, const uint8_t *in, uint32_t flags,
                                nnrp_diag *diag) {
  (void)flags;
  m->applied_budget_policy = nnrp_ld32(in + 0);
  m->congestion_state = nnrp_ld32(in + 4);
  m->reason = nnrp_ld32(in + 8);
  m->retry_after_ms = nnrp_ld32(in + 12);
  size_t at = 0;
  int rc = hint_rules(m, &at);
  return rc < 0 ? nnrp_fail(diag, rc, at) : 0;
}

int nnrp_result_hint_meta_decode(nnrp_result_hint_meta *m, const uint8_t *in, size_t len,
                                 uint32_t flags) {
  if (len != NNRP_RESULT_HINT_META_LEN) return NNRP_ERR_META_LEN;
  return nnrpi_result_hint_meta_read(m, in, flags, NULL);
}

/* ---- TRANSPORT_PROBE / TRANSPORT_PROBE_ACK (§11.1, §11.2) ------------------------------------ */

int nnrp_transport_probe_meta_encode(const nnrp_transport_probe_meta *m, uint8_t out[16]) {
  nnrp_st32(out + 0, m->probe_id);
  nnrp_st32(out + 4, m->probe_payload_bytes);
  nnrp_st64(out + 8, m->client_send_ts_us);
  return 0;
}

int nnrpi_transport_probe_meta_read(nnrp_transport_probe_meta *m, const uint8_t *in,
                                    uint32_t flags, nnrp_diag *diag) {
  (void)flags;
  (void)diag;
  m->probe_id = nnrp_ld32(in + 0);
  m->probe_payload_bytes = nnrp_ld32(in + 4);
  m->client_send_ts_us = nnrp_ld64(in + 8);
  return 0;
}

int nnrp_transport_probe_meta_decode(nnrp_transport_probe_meta *m, const uint8_t *in, size_t len,
                                     uint32_t flags) {
  if (len != NNRP_TRANSPORT_PROBE_META_LEN) return NNRP_ERR_META_LEN;
  return nnrpi_transport_probe_meta_read(m, in, flags, NULL);
}

int nnrp_transport_probe_ack_meta_encode(const nnrp_transport_probe_ack_meta *m, uint8_t out[16]) {
  /* `reserved` is written as given (nobody checks it on receive, §11.2); the builder sends 0. */
  nnrp_st32(out + 0, m->probe_id);
  nnrp_st32(out + 4, m->reserved);
  nnrp_st64(out + 8, m->server_recv_ts_us);
  return 0;
}

int nnrpi_transport_probe_ack_meta_read(nnrp_transport_probe_ack_meta *m, const uint8_t *in,
                                        uint32_t flags, nnrp_diag *diag) {
  (void)flags;
  (void)diag;
  m->probe_id = nnrp_ld32(in + 0);
  m->reserved = nnrp_ld32(in + 4);
  m->server_recv_ts_us = nnrp_ld64(in + 8);
  return 0;
}

int nnrp_transport_probe_ack_meta_decode(nnrp_transport_probe_ack_meta *m, const uint8_t *in,
                                         size_t len, uint32_t flags) {
  if (len != NNRP_TRANSPORT_PROBE_ACK_META_LEN) return NNRP_ERR_META_LEN;
  return nnrpi_transport_probe_ack_meta_read(m, in, flags, NULL);
}

/* ---- SESSION_MIGRATE / SESSION_MIGRATE_ACK (§11.3, §11.4) ------------------------------------ */

/* Both ends of a migration are real transports: 0 (unspecified) and unknown ids are refused. */
static int migrate_transport_ok(uint32_t id) {
  return id == NNRP_TRANSPORT_QUIC || id == NNRP_TRANSPORT_TCP;
}

int nnrp_session_migrate_meta_encode(const nnrp_session_migrate_meta *m, uint8_t out[24]) {
  if (!migrate_transport_ok(m->old_transport_id) || !migrate_transport_ok(m->new_transport_id))
    return NNRP_ERR_MIGRATE_TRANSPORT;
  nnrp_st32(out + 0, m->old_transport_id);
  nnrp_st32(out + 4, m->new_transport_id);
  nnrp_st64(out + 8, m->last_result_frame_id);
  nnrp_st64(out + 16, m->client_migrate_ts_us);
  return 0;
}

int nnrpi_session_migrate_meta_read(nnrp_session_migrate_meta *m, const uint8_t *in,
                                    uint32_t flags, nnrp_diag *diag) {
  (void)flags;
  m->old_transport_id = nnrp_ld32(in + 0);
  m->new_transport_id = nnrp_ld32(in + 4);
  m->last_result_frame_id = nnrp_ld64(in + 8);
  m->client_migrate_ts_us = nnrp_ld64(in + 16);
  if (!migrate_transport_ok(m->old_transport_id))
    return nnrp_fail(diag, NNRP_ERR_MIGRATE_TRANSPORT, 0);
  if (!migrate_transport_ok(m->new_transport_id))
    return nnrp_fail(diag, NNRP_ERR_MIGRATE_TRANSPORT, 4);
  return 0;
}

int nnrp_session_migrate_meta_decode(nnrp_session_migrate_meta *m, const uint8_t *in, size_t len,
                                     uint32_t flags) {
  if (len != NNRP_SESSION_MIGRATE_META_LEN) return NNRP_ERR_META_LEN;
  return nnrpi_session_migrate_meta_read(m, in, flags, NULL);
}

int nnrp_session_migrate_ack_meta_encode(const nnrp_session_migrate_ack_meta *m,
                                         uint8_t out[24]) {
  nnrp_st32(out + 0, m->accept_code);
  nnrp_st64(out + 4, m->resume_from_frame_id);
  nnrp_st32(out + 12, m->grace_window_ms);
  nnrp_st64(out + 16, m->server_migrate_ts_us);
  return 0;
}

int nnrpi_session_migrate_ack_meta_read(nnrp_session_migrate_ack_meta *m, const uint8_t *in,
                                        uint32_t flags, nnrp_diag *diag) {
  (void)flags;
  (void)diag;
  m->accept_code = nnrp_ld32(in + 0);
  m->resume_from_frame_id = nnrp_ld64(in + 4);
  m->grace_window_ms = nnrp_ld32(in + 12);
  m->server_migrate_ts_us = nnrp_ld64(in + 16);
  return 0;
}

int nnrp_session_migrate_ack_meta_decode(nnrp_session_migrate_ack_meta *m, const uint8_t *in,
                                         size_t len, uint32_t flags) {
  if (len != NNRP_SESSION_MIGRATE_ACK_META_LEN) return NNRP_ERR_META_LEN;
  return nnrpi_session_migrate_ack_meta_read(m, in, flags, NULL);
}

/* ---- capability bitmaps (§3.8) --------------------------------------------------------------- */

int nnrp_capability_bitmap(const uint8_t *ids, size_t n, uint32_t *bitmap) {
  uint32_t b = 0;
  for (size_t i = 0; i < n; i++) {
    if (ids[i] > 31) return NNRP_ERR_BITMAP_ID;
    b |= 1u << ids[i];
  }
  *bitmap = b;
  return 0;
}

int nnrp_cache_object_bitmap(const uint16_t *kinds, size_t n, uint32_t *bitmap) {
  uint32_t b = 0;
  for (size_t i = 0; i < n; i++) {
    /* Only the defined kinds (§3.9), as nnrp-py's helper insists. */
    if (!object_kind_ok(kinds[i])) return NNRP_ERR_CACHE_OBJECT_KIND;
    b |= 1u << (kinds[i] - 1);
  }
  *bitmap = b;
  return 0;
}
