/*
 * RESULT_PUSH fixed metadata (wire-data §4) and the coverage rules (§11).
 *
 * The metadata codecs check the field rules only.  Coverage (C2-C5) is a separate call, as in
 * the reference SDK: its own golden metadata is decoded without it, and body validation and
 * the builders run it at the point the reference does (§14.1).
 */
#include <string.h>

#include "wire_int.h"

_Static_assert(NNRP_RESULT_PUSH_META_LEN == 64, "RESULT_PUSH metadata is 64 bytes");

void nnrp_result_push_meta_init(nnrp_result_push_meta *m) {
  memset(m, 0, sizeof(*m));
  m->result_class = NNRP_RESULT_COMPLETE;
  m->payload_kind_bitmap = NNRP_PAYLOAD_TENSOR;
}

/*
 * Enumerations and bit sets in field order, then the non-tensor zero rule (the reference's
 * order), then the reserved fields the strict profile adds, so that a packet breaking both a
 * reference rule and a strict-only rule reports the reference rule in either profile.
 */
static int check_fields(const nnrp_result_push_meta *m, uint32_t flags) {
  if (m->result_flags & ~NNRP_RESULT_FLAGS_KNOWN) return NNRP_ERR_RESULT_FLAGS_BITS;
  if (m->result_class > NNRP_RESULT_DEGRADED) return NNRP_ERR_RESULT_CLASS;
  if (m->applied_budget_policy & ~NNRP_BUDGET_KNOWN) return NNRP_ERR_BUDGET_POLICY_BITS;
  if (m->payload_kind_bitmap & ~NNRP_PAYLOAD_KNOWN) return NNRP_ERR_PAYLOAD_KIND_BITS;
  if (!(m->payload_kind_bitmap & NNRP_PAYLOAD_TENSOR) &&
      (m->section_count || m->tile_count || m->tile_base_id || m->tile_index_bytes ||
       m->covered_tile_count || m->dropped_tile_count))
    return NNRP_ERR_NON_TENSOR_FIELD;
  if (!(flags & NNRP_DECODE_PY_COMPAT) &&
      (m->reserved0 || m->reserved1 || m->reserved2 || m->reserved3 || m->reserved4 ||
       m->reserved5))
    return NNRP_ERR_META_RESERVED;
  return 0;
}

int nnrp_result_push_meta_encode(const nnrp_result_push_meta *m, uint8_t out[64]) {
  int rc = check_fields(m, 0);
  if (rc) return rc;
  nnrp_st16(out + 0, m->status_code);
  nnrp_st16(out + 2, m->result_flags);
  nnrp_st16(out + 4, m->section_count);
  nnrp_st16(out + 6, m->tile_count);
  nnrp_st16(out + 8, m->active_profile_id);
  nnrp_st16(out + 10, m->reserved0);
  nnrp_st16(out + 12, m->inference_ms);
  nnrp_st16(out + 14, m->queue_ms);
  nnrp_st16(out + 16, m->server_total_ms);
  nnrp_st16(out + 18, m->reserved1);
  nnrp_st32(out + 20, m->tile_base_id);
  nnrp_st32(out + 24, m->tile_index_bytes);
  nnrp_st64(out + 28, m->reserved2);
  nnrp_st64(out + 36, m->reserved3);
  out[44] = m->result_class;
  out[45] = m->applied_budget_policy;
  nnrp_st16(out + 46, m->reserved4);
  nnrp_st32(out + 48, m->reused_frame_id);
  nnrp_st16(out + 52, m->covered_tile_count);
  nnrp_st16(out + 54, m->dropped_tile_count);
  nnrp_st32(out + 56, m->payload_kind_bitmap);
  nnrp_st16(out + 60, m->payload_frame_count);
  nnrp_st16(out + 62, m->reserved5);
  return 0;
}

int nnrp_result_push_meta_decode(nnrp_result_push_meta *m, const uint8_t *in, size_t len,
                                 uint32_t flags) {
  if (len != NNRP_RESULT_PUSH_META_LEN) return NNRP_ERR_META_LEN;
  m->status_code = nnrp_ld16(in + 0);
  m->result_flags = nnrp_ld16(in + 2);
  m->section_count = nnrp_ld16(in + 4);
  m->tile_count = nnrp_ld16(in + 6);
  m->active_profile_id = nnrp_ld16(in + 8);
  m->reserved0 = nnrp_ld16(in + 10);
  m->inference_ms = nnrp_ld16(in + 12);
  m->queue_ms = nnrp_ld16(in + 14);
  m->server_total_ms = nnrp_ld16(in + 16);
  m->reserved1 = nnrp_ld16(in + 18);
  m->tile_base_id = nnrp_ld32(in + 20);
  m->tile_index_bytes = nnrp_ld32(in + 24);
  m->reserved2 = nnrp_ld64(in + 28);
  m->reserved3 = nnrp_ld64(in + 36);
  m->result_class = in[44];
  m->applied_budget_policy = in[45];
  m->reserved4 = nnrp_ld16(in + 46);
  m->reused_frame_id = nnrp_ld32(in + 48);
  m->covered_tile_count = nnrp_ld16(in + 52);
  m->dropped_tile_count = nnrp_ld16(in + 54);
  m->payload_kind_bitmap = nnrp_ld32(in + 56);
  m->payload_frame_count = nnrp_ld16(in + 60);
  m->reserved5 = nnrp_ld16(in + 62);
  return check_fields(m, flags);
}

int nnrp_result_push_check_coverage(const nnrp_result_push_meta *m, uint32_t flags) {
  if (!(m->payload_kind_bitmap & NNRP_PAYLOAD_TENSOR)) return 0;
  /* C1 cannot fail here: the counts are unsigned on the wire. */
  if (m->covered_tile_count > m->tile_count) return NNRP_ERR_COVERAGE_COVERED;
  if (m->dropped_tile_count > m->tile_count) return NNRP_ERR_COVERAGE_DROPPED;
  if ((uint32_t)m->covered_tile_count + m->dropped_tile_count != m->tile_count)
    return NNRP_ERR_COVERAGE_SUM;
  if ((m->result_class == NNRP_RESULT_PARTIAL || (m->result_flags & NNRP_RESULT_FLAG_PARTIAL)) &&
      m->dropped_tile_count == 0)
    return NNRP_ERR_COVERAGE_PARTIAL;
  /* C6 is nnrp-cs's rule; the reference's own golden metadata breaks it (wire-data §15 D7). */
  if ((flags & NNRP_DECODE_STRICT_C6) &&
      (m->result_class == NNRP_RESULT_STALE_REUSE) != (m->reused_frame_id != 0))
    return NNRP_ERR_COVERAGE_STALE_REUSE;
  return 0;
}
