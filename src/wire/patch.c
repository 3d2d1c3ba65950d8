/* SESSION_PATCH and SESSION_PATCH_ACK metadata and the profile patch block (wire-control §7). */
#include "control_int.h"
#include "wire_int.h"

/* Highest SessionPatchAckStatus and SessionPatchRejectReason values (§3.11). */
#define PATCH_ACK_STATUS_MAX NNRP_PATCH_REJECTED
#define PATCH_REJECT_REASON_MAX 5u

static int patch_bytes_ok(uint32_t n) { return n == 0 || n == NNRP_PROFILE_PATCH_LEN; }

/* ---- SESSION_PATCH (§7.1) -------------------------------------------------------------------- */

enum { SP_RESERVED0 = 2, SP_PATCH_BYTES = 32 };

int nnrp_session_patch_meta_encode(const nnrp_session_patch_meta *m, uint8_t out[36]) {
  if (m->reserved0 != 0) return NNRP_ERR_PATCH_RESERVED;
  if (!patch_bytes_ok(m->profile_patch_bytes)) return NNRP_ERR_PATCH_BYTES;
  /* Unmasked fields are written as given: session_patch.bin carries such values (§7.1). */
  nnrp_st16(out + 0, m->profile_id);
  nnrp_st16(out + 2, m->reserved0);
  nnrp_st32(out + 4, m->patch_mask);
  nnrp_st32(out + 8, m->target_cadence_x100);
  nnrp_st16(out + 12, m->quality_tier);
  nnrp_st16(out + 14, m->degrade_policy);
  nnrp_st64(out + 16, m->active_lane_mask);
  nnrp_st32(out + 24, m->preferred_codec_bitmap);
  nnrp_st32(out + 28, m->preferred_compression_bitmap);
  nnrp_st32(out + 32, m->profile_patch_bytes);
  return 0;
}

int nnrpi_session_patch_meta_read(nnrp_session_patch_meta *m, const uint8_t *in, uint32_t flags,
                                  nnrp_diag *diag) {
  m->profile_id = nnrp_ld16(in + 0);
  m->reserved0 = nnrp_ld16(in + 2);
  m->patch_mask = nnrp_ld32(in + 4);
  m->target_cadence_x100 = nnrp_ld32(in + 8);
  m->quality_tier = nnrp_ld16(in + 12);
  m->degrade_policy = nnrp_ld16(in + 14);
  m->active_lane_mask = nnrp_ld64(in + 16);
  m->preferred_codec_bitmap = nnrp_ld32(in + 24);
  m->preferred_compression_bitmap = nnrp_ld32(in + 28);
  m->profile_patch_bytes = nnrp_ld32(in + 32);
  /* nnrp-cs's strict parse rejects it, nnrp-py keeps it (§14 D14). */
  if (m->reserved0 != 0 && !(flags & NNRP_DECODE_PY_COMPAT))
    return nnrp_fail(diag, NNRP_ERR_PATCH_RESERVED, SP_RESERVED0);
  if (!patch_bytes_ok(m->profile_patch_bytes))
    return nnrp_fail(diag, NNRP_ERR_PATCH_BYTES, SP_PATCH_BYTES);
  return 0;
}

int nnrp_session_patch_meta_decode(nnrp_session_patch_meta *m, const uint8_t *in, size_t len,
                                   uint32_t flags) {
  if (len != NNRP_SESSION_PATCH_META_LEN) return NNRP_ERR_META_LEN;
  return nnrpi_session_patch_meta_read(m, in, flags, NULL);
}

/* ---- SESSION_PATCH_ACK (§7.2) ---------------------------------------------------------------- */

enum { SPA_STATUS = 0, SPA_REASON = 2, SPA_PATCH_BYTES = 44 };

int nnrp_session_patch_ack_meta_encode(const nnrp_session_patch_ack_meta *m, uint8_t out[48]) {
  if (m->ack_status > PATCH_ACK_STATUS_MAX) return NNRP_ERR_PATCH_ACK_STATUS;
  if (m->reject_reason > PATCH_REJECT_REASON_MAX) return NNRP_ERR_PATCH_REJECT_REASON;
  if (!patch_bytes_ok(m->profile_patch_ack_bytes)) return NNRP_ERR_PATCH_BYTES;
  /* reserved0 is written as given (nobody checks it on receive, §7.2); the builder sends 0. */
  nnrp_st16(out + 0, m->ack_status);
  nnrp_st16(out + 2, m->reject_reason);
  nnrp_st32(out + 4, m->applied_patch_mask);
  nnrp_st32(out + 8, m->rejected_patch_mask);
  nnrp_st32(out + 12, m->retry_after_ms);
  nnrp_st16(out + 16, m->effective_profile_id);
  nnrp_st16(out + 18, m->reserved0);
  nnrp_st32(out + 20, m->effective_target_cadence_x100);
  nnrp_st16(out + 24, m->effective_quality_tier);
  nnrp_st16(out + 26, m->effective_degrade_policy);
  nnrp_st64(out + 28, m->effective_lane_mask);
  nnrp_st32(out + 36, m->effective_codec_bitmap);
  nnrp_st32(out + 40, m->effective_compression_bitmap);
  nnrp_st32(out + 44, m->profile_patch_ack_bytes);
  return 0;
}

int nnrpi_session_patch_ack_meta_read(nnrp_session_patch_ack_meta *m, const uint8_t *in,
                                      uint32_t flags, nnrp_diag *diag) {
  (void)flags;
  m->ack_status = nnrp_ld16(in + 0);
  m->reject_reason = nnrp_ld16(in + 2);
  m->applied_patch_mask = nnrp_ld32(in + 4);
  m->rejected_patch_mask = nnrp_ld32(in + 8);
  m->retry_after_ms = nnrp_ld32(in + 12);
  m->effective_profile_id = nnrp_ld16(in + 16);
  m->reserved0 = nnrp_ld16(in + 18);
  m->effective_target_cadence_x100 = nnrp_ld32(in + 20);
  m->effective_quality_tier = nnrp_ld16(in + 24);
  m->effective_degrade_policy = nnrp_ld16(in + 26);
  m->effective_lane_mask = nnrp_ld64(in + 28);
  m->effective_codec_bitmap = nnrp_ld32(in + 36);
  m->effective_compression_bitmap = nnrp_ld32(in + 40);
  m->profile_patch_ack_bytes = nnrp_ld32(in + 44);
  if (m->ack_status > PATCH_ACK_STATUS_MAX)
    return nnrp_fail(diag, NNRP_ERR_PATCH_ACK_STATUS, SPA_STATUS);
  if (m->reject_reason > PATCH_REJECT_REASON_MAX)
    return nnrp_fail(diag, NNRP_ERR_PATCH_REJECT_REASON, SPA_REASON);
  if (!patch_bytes_ok(m->profile_patch_ack_bytes))
    return nnrp_fail(diag, NNRP_ERR_PATCH_BYTES, SPA_PATCH_BYTES);
  return 0;
}

int nnrp_session_patch_ack_meta_decode(nnrp_session_patch_ack_meta *m, const uint8_t *in,
                                       size_t len, uint32_t flags) {
  if (len != NNRP_SESSION_PATCH_ACK_META_LEN) return NNRP_ERR_META_LEN;
  return nnrpi_session_patch_ack_meta_read(m, in, flags, NULL);
}

/* ---- profile patch (ack) block --------------------------------------------------------------- */

int nnrp_profile_patch_encode(const nnrp_profile_patch *p, uint8_t out[16]) {
  nnrp_st32(out + 0, p->min_width);
  nnrp_st32(out + 4, p->min_height);
  nnrp_st32(out + 8, p->max_width);
  nnrp_st32(out + 12, p->max_height);
  return 0;
}

int nnrp_profile_patch_decode(nnrp_profile_patch *p, const uint8_t *in, size_t len) {
  if (len != NNRP_PROFILE_PATCH_LEN) return NNRP_ERR_PATCH_BODY_LEN;
  p->min_width = nnrp_ld32(in + 0);
  p->min_height = nnrp_ld32(in + 4);
  p->max_width = nnrp_ld32(in + 8);
  p->max_height = nnrp_ld32(in + 12);
  return 0;
}
