/*
 * FRAME_SUBMIT fixed metadata (wire-data §3): 72 bytes, field by field.
 *
 * Rules 1-5 are what nnrp-py checks whenever it builds or decodes the metadata and hold in
 * every profile.  The frame_class range, rule 6 (reserved fields) and rule 7 (object_ref_mask
 * against submit_mode, nnrp-cs's strict metadata check) are accepted by nnrp-py at this level,
 * so NNRP_DECODE_PY_COMPAT skips them (the mask is still checked by the body contract, M1/M2).
 */
#include "wire_int.h"

_Static_assert(NNRP_FRAME_SUBMIT_META_LEN == 72, "FRAME_SUBMIT metadata is 72 bytes");

void nnrp_frame_submit_meta_init(nnrp_frame_submit_meta *m) {
  memset(m, 0, sizeof(*m));
  m->tile_index_mode = NNRP_TILE_RAW_U16; /* what every reference builder writes */
  m->submit_mode = NNRP_SUBMIT_INLINE;
  m->loss_tolerance_policy = NNRP_LOSS_INHERIT;
  m->payload_kind_bitmap = NNRP_PAYLOAD_TENSOR;
}

/* Rule 5: without the TENSOR bit every tensor field is 0 and the profile UNSPECIFIED. */
static int check_non_tensor(const nnrp_frame_submit_meta *m) {
  if (m->payload_kind_bitmap & NNRP_PAYLOAD_TENSOR) return 0;
  if (m->src_width || m->src_height || m->tile_width || m->tile_height || m->tile_count ||
      m->section_count || m->tile_base_id || m->camera_bytes || m->tile_index_bytes ||
      m->input_profile != NNRP_INPUT_UNSPECIFIED)
    return NNRP_ERR_NON_TENSOR_FIELD;
  return 0;
}

/* Rule 7 (nnrp-cs strict metadata): mask bits known, INLINE <=> mask 0. */
static int check_ref_mask(const nnrp_frame_submit_meta *m) {
  if (m->object_ref_mask & ~(uint32_t)NNRP_REF_KNOWN) return NNRP_ERR_SUBMIT_REF_MASK_BITS;
  if (m->submit_mode == NNRP_SUBMIT_INLINE) {
    if (m->object_ref_mask) return NNRP_ERR_SUBMIT_INLINE_MASK;
  } else if (m->object_ref_mask == 0) {
    return NNRP_ERR_SUBMIT_MODE_MASK;
  }
  return 0;
}

/*
 * Rules in nnrp-py's decode order: the enumerations and bit sets in field order, then the
 * non-tensor zero rule; the strict-only rules come last.
 */
static int check(const nnrp_frame_submit_meta *m, uint32_t flags) {
  if (m->input_profile > NNRP_INPUT_DENSE_LUMA_FRAME) return NNRP_ERR_INPUT_PROFILE;
  if (m->tile_index_mode > NNRP_TILE_BITSET) return NNRP_ERR_TILE_INDEX_MODE;
  if (m->submit_mode > NNRP_SUBMIT_MIXED) return NNRP_ERR_SUBMIT_MODE;
  if (m->budget_policy & ~NNRP_BUDGET_KNOWN) return NNRP_ERR_BUDGET_POLICY_BITS;
  if (m->loss_tolerance_policy > NNRP_LOSS_FIRE_AND_FORGET &&
      m->loss_tolerance_policy != NNRP_LOSS_INHERIT)
    return NNRP_ERR_LOSS_TOLERANCE_POLICY;
  if (m->payload_kind_bitmap & ~(uint32_t)NNRP_PAYLOAD_KNOWN) return NNRP_ERR_PAYLOAD_KIND_BITS;
  int rc = check_non_tensor(m);
  if (rc) return rc;
  if (flags & NNRP_DECODE_PY_COMPAT) return 0;
  /* §2.2: neither SDK range-checks frame_class; the strict profile does. */
  if (m->frame_class > NNRP_FRAME_DISCARDABLE) return NNRP_ERR_FRAME_CLASS;
  if (m->reserved0 || m->reserved1 || m->reserved2 || m->reserved3 || m->reserved4)
    return NNRP_ERR_META_RESERVED;
  return check_ref_mask(m);
}

int nnrp_frame_submit_meta_encode(const nnrp_frame_submit_meta *m, uint8_t out[72]) {
  /* Writers always obey the strict rules: reserved fields are emitted as zeros. */
  int rc = check(m, 0);
  if (rc) return rc;
  nnrp_st16(out + 0, m->src_width);
  nnrp_st16(out + 2, m->src_height);
  nnrp_st16(out + 4, m->tile_width);
  nnrp_st16(out + 6, m->tile_height);
  nnrp_st16(out + 8, m->tile_count);
  nnrp_st16(out + 10, m->section_count);
  out[12] = m->frame_class;
  out[13] = m->input_profile;
  out[14] = m->tile_index_mode;
  out[15] = 0;
  nnrp_st16(out + 16, m->latency_budget_ms);
  nnrp_st16(out + 18, m->target_fps_x100);
  nnrp_st32(out + 20, m->retry_of_frame);
  nnrp_st32(out + 24, m->tile_base_id);
  nnrp_st32(out + 28, m->camera_bytes);
  nnrp_st32(out + 32, m->tile_index_bytes);
  nnrp_st64(out + 36, 0);
  nnrp_st64(out + 44, 0);
  out[52] = m->submit_mode;
  out[53] = m->budget_policy;
  out[54] = m->loss_tolerance_policy;
  out[55] = 0;
  nnrp_st32(out + 56, m->object_ref_mask);
  nnrp_st32(out + 60, m->dependency_frame_id);
  nnrp_st32(out + 64, m->payload_kind_bitmap);
  nnrp_st16(out + 68, m->payload_frame_count);
  nnrp_st16(out + 70, 0);
  return 0;
}

int nnrp_frame_submit_meta_decode(nnrp_frame_submit_meta *m, const uint8_t *in, size_t len,
                                  uint32_t flags) {
  if (len != NNRP_FRAME_SUBMIT_META_LEN) return NNRP_ERR_META_LEN;
  m->src_width = nnrp_ld16(in + 0);
  m->src_height = nnrp_ld16(in + 2);
  m->tile_width = nnrp_ld16(in + 4);
  m->tile_height = nnrp_ld16(in + 6);
  m->tile_count = nnrp_ld16(in + 8);
  m->section_count = nnrp_ld16(in + 10);
  m->frame_class = in[12];
  m->input_profile = in[13];
  m->tile_index_mode = in[14];
  m->reserved0 = in[15];
  m->latency_budget_ms = nnrp_ld16(in + 16);
  m->target_fps_x100 = nnrp_ld16(in + 18);
  m->retry_of_frame = nnrp_ld32(in + 20);
  m->tile_base_id = nnrp_ld32(in + 24);
  m->camera_bytes = nnrp_ld32(in + 28);
  m->tile_index_bytes = nnrp_ld32(in + 32);
  m->reserved1 = nnrp_ld64(in + 36);
  m->reserved2 = nnrp_ld64(in + 44);
  m->submit_mode = in[52];
  m->budget_policy = in[53];
  m->loss_tolerance_policy = in[54];
  m->reserved3 = in[55];
  m->object_ref_mask = nnrp_ld32(in + 56);
  m->dependency_frame_id = nnrp_ld32(in + 60);
  m->payload_kind_bitmap = nnrp_ld32(in + 64);
  m->payload_frame_count = nnrp_ld16(in + 68);
  m->reserved4 = nnrp_ld16(in + 70);
  return check(m, flags);
}
