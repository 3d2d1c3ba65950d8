/*
 * FRAME_SUBMIT decoding: metadata (wire-data §3), body families (§5), the legacy body (§8.1),
 * the region body contract M1-M11 (§9.3) and the reference data: the golden metadata,
 * frame_submit_dense.bin, frame_submit_changed_tiles.bin and every FRAME_SUBMIT entry of
 * invalid-examples.json with its rule's code in both profiles.
 */
#include <jansson.h>
#include <libnnrp/wire.h>

#include "test.h"

/* current.metadata.frame_submit (wire-data §16.1). */
static const char GOLDEN_META[] =
    "80026801200020005400020001020000640070170700000000000000c00000000000000000000000000000000000"
    "0000000000000205ff0003000000290000001100000002000000";

static uint8_t golden[72];

static void load_golden(void) {
  size_t n;
  uint8_t *g = test_hex_decode(GOLDEN_META, &n);
  CHECK_EQ(n, 72);
  memcpy(golden, g, 72);
  free(g);
}

/* Header, metadata and body of a FRAME_SUBMIT packet. */
static int decode_submit(const uint8_t *pkt, size_t len, const nnrp_decode_options *opts,
                         nnrp_frame_submit_meta *m, nnrp_data_body *b, nnrp_diag *diag) {
  nnrp_header h;
  int rc = nnrp_header_decode(&h, pkt, len, opts);
  if (rc) return rc;
  if ((uint64_t)NNRP_HEADER_LEN + h.meta_len + h.body_len != len) return NNRP_ERR_TRAILING_BYTES;
  if (h.msg_type != NNRP_MSG_FRAME_SUBMIT) return NNRP_ERR_MSG_TYPE;
  rc = nnrp_frame_submit_meta_decode(m, pkt + NNRP_HEADER_LEN, h.meta_len, opts->flags);
  if (rc) return rc;
  return nnrp_frame_submit_body_decode(b, m, pkt + NNRP_HEADER_LEN + h.meta_len, h.body_len,
                                       opts, diag);
}

/* ---- metadata -------------------------------------------------------------------------------- */

static void test_golden_metadata(void) {
  load_golden();
  nnrp_frame_submit_meta m;
  uint8_t out[72];
  CHECK_RC(nnrp_frame_submit_meta_decode(&m, golden, 72, 0), 0);
  CHECK_EQ(m.src_width, 640);
  CHECK_EQ(m.src_height, 360);
  CHECK_EQ(m.tile_width, 32);
  CHECK_EQ(m.tile_height, 32);
  CHECK_EQ(m.tile_count, 84);
  CHECK_EQ(m.section_count, 2);
  CHECK_EQ(m.frame_class, NNRP_FRAME_DELTA);
  CHECK_EQ(m.input_profile, NNRP_INPUT_DENSE_LUMA_FRAME);
  CHECK_EQ(m.tile_index_mode, NNRP_TILE_DENSE_RANGE);
  CHECK_EQ(m.latency_budget_ms, 100);
  CHECK_EQ(m.target_fps_x100, 6000);
  CHECK_EQ(m.retry_of_frame, 7);
  CHECK_EQ(m.tile_base_id, 0);
  CHECK_EQ(m.camera_bytes, 192);
  CHECK_EQ(m.tile_index_bytes, 0);
  CHECK_EQ(m.submit_mode, NNRP_SUBMIT_MIXED);
  CHECK_EQ(m.budget_policy, NNRP_BUDGET_ALLOW_PARTIAL | NNRP_BUDGET_ALLOW_DEGRADED);
  CHECK_EQ(m.loss_tolerance_policy, NNRP_LOSS_INHERIT);
  CHECK_EQ(m.object_ref_mask, NNRP_REF_CAMERA_BLOCK | NNRP_REF_TILE_INDEX_BLOCK);
  CHECK_EQ(m.dependency_frame_id, 41);
  CHECK_EQ(m.payload_kind_bitmap, NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_STRUCTURED_EVENT);
  CHECK_EQ(m.payload_frame_count, 2);
  CHECK_RC(nnrp_frame_submit_meta_encode(&m, out), 0);
  CHECK_MEM(out, 72, golden, 72);
  CHECK_RC(nnrp_frame_submit_meta_decode(&m, golden, 71, 0), NNRP_ERR_META_LEN);
  CHECK_RC(nnrp_frame_submit_meta_decode(&m, golden, 73, 0), NNRP_ERR_META_LEN);
}

static void test_meta_init(void) {
  nnrp_frame_submit_meta m;
  uint8_t out[72], expect[72] = {0};
  nnrp_frame_submit_meta_init(&m);
  CHECK_EQ(m.submit_mode, NNRP_SUBMIT_INLINE);
  CHECK_EQ(m.loss_tolerance_policy, 0xFF);
  CHECK_EQ(m.payload_kind_bitmap, NNRP_PAYLOAD_TENSOR);
  CHECK_EQ(m.object_ref_mask, 0);
  CHECK_EQ(m.payload_frame_count, 0);
  CHECK_RC(nnrp_frame_submit_meta_encode(&m, out), 0);
  expect[14] = 1;    /* RAW_U16, the builders' default */
  expect[54] = 0xFF; /* inherit */
  expect[64] = 1;    /* TENSOR */
  CHECK_MEM(out, 72, expect, 72);
}

/* Decode the golden metadata with one byte changed; both profiles. */
static void mutate(size_t at, uint8_t v, int strict_rc, int compat_rc) {
  uint8_t b[72];
  memcpy(b, golden, 72);
  b[at] = v;
  nnrp_frame_submit_meta m;
  int rc = nnrp_frame_submit_meta_decode(&m, b, 72, 0);
  if (rc != strict_rc) fprintf(stderr, "  strict: byte %zu = 0x%02x\n", at, v);
  CHECK_RC(rc, strict_rc);
  rc = nnrp_frame_submit_meta_decode(&m, b, 72, NNRP_DECODE_PY_COMPAT);
  if (rc != compat_rc) fprintf(stderr, "  compat: byte %zu = 0x%02x\n", at, v);
  CHECK_RC(rc, compat_rc);
  /* The encoder checks the strict rules on what it writes. */
  if (compat_rc == 0) CHECK_RC(nnrp_frame_submit_meta_encode(&m, b), strict_rc);
}

static void test_meta_rules(void) {
  /* Rules 1-4 hold in both profiles. */
  mutate(13, 3, NNRP_ERR_INPUT_PROFILE, NNRP_ERR_INPUT_PROFILE);
  mutate(14, 4, NNRP_ERR_TILE_INDEX_MODE, NNRP_ERR_TILE_INDEX_MODE);
  mutate(14, 3, 0, 0);
  mutate(52, 3, NNRP_ERR_SUBMIT_MODE, NNRP_ERR_SUBMIT_MODE);
  mutate(53, 0x10, NNRP_ERR_BUDGET_POLICY_BITS, NNRP_ERR_BUDGET_POLICY_BITS);
  mutate(53, 0x0F, 0, 0);
  mutate(54, 4, NNRP_ERR_LOSS_TOLERANCE_POLICY, NNRP_ERR_LOSS_TOLERANCE_POLICY);
  mutate(54, 0xFE, NNRP_ERR_LOSS_TOLERANCE_POLICY, NNRP_ERR_LOSS_TOLERANCE_POLICY);
  mutate(54, 3, 0, 0);
  mutate(54, 0, 0, 0);
  mutate(64, 0x91, NNRP_ERR_PAYLOAD_KIND_BITS, NNRP_ERR_PAYLOAD_KIND_BITS);
  mutate(67, 0x01, NNRP_ERR_PAYLOAD_KIND_BITS, NNRP_ERR_PAYLOAD_KIND_BITS);
  /* frame_class is range-checked by the strict profile only (§2.2, D21). */
  mutate(12, 4, NNRP_ERR_FRAME_CLASS, 0);
  mutate(12, 3, 0, 0);
  /* Rule 6: every reserved field (reserved0 u8, reserved1/2 u64, reserved3 u8, reserved4 u16). */
  const size_t reserved[] = {15, 36, 43, 44, 51, 55, 70, 71};
  for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
    mutate(reserved[i], 0x80, NNRP_ERR_META_RESERVED, 0);
  /* Rule 7 (golden: MIXED, mask 0x3). */
  mutate(56, 0x13, NNRP_ERR_SUBMIT_REF_MASK_BITS, 0);
  mutate(59, 0x01, NNRP_ERR_SUBMIT_REF_MASK_BITS, 0);
  mutate(56, 0x00, NNRP_ERR_SUBMIT_MODE_MASK, 0);
  mutate(52, NNRP_SUBMIT_INLINE, NNRP_ERR_SUBMIT_INLINE_MASK, 0);
  mutate(52, NNRP_SUBMIT_REFERENCE, 0, 0);
  mutate(56, 0x0F, 0, 0);
}

static void test_meta_order(void) {
  uint8_t b[72];
  nnrp_frame_submit_meta m;
  /* Field order: input_profile before submit_mode before budget before bitmap. */
  memcpy(b, golden, 72);
  b[13] = 9, b[52] = 9, b[53] = 0xF0, b[64] = 0x80;
  CHECK_RC(nnrp_frame_submit_meta_decode(&m, b, 72, 0), NNRP_ERR_INPUT_PROFILE);
  b[13] = 0;
  CHECK_RC(nnrp_frame_submit_meta_decode(&m, b, 72, 0), NNRP_ERR_SUBMIT_MODE);
  b[52] = 2;
  CHECK_RC(nnrp_frame_submit_meta_decode(&m, b, 72, 0), NNRP_ERR_BUDGET_POLICY_BITS);
  b[53] = 0;
  /* An unknown bit is reported before the missing TENSOR bit makes tensor fields illegal. */
  CHECK_RC(nnrp_frame_submit_meta_decode(&m, b, 72, 0), NNRP_ERR_PAYLOAD_KIND_BITS);
  b[64] = 0x10;
  CHECK_RC(nnrp_frame_submit_meta_decode(&m, b, 72, 0), NNRP_ERR_NON_TENSOR_FIELD);
  /* Strict extras come after the reference's rules. */
  memcpy(b, golden, 72);
  b[15] = 1, b[56] = 0, b[12] = 7;
  CHECK_RC(nnrp_frame_submit_meta_decode(&m, b, 72, 0), NNRP_ERR_FRAME_CLASS);
  b[12] = 0;
  CHECK_RC(nnrp_frame_submit_meta_decode(&m, b, 72, 0), NNRP_ERR_META_RESERVED);
  b[15] = 0;
  CHECK_RC(nnrp_frame_submit_meta_decode(&m, b, 72, 0), NNRP_ERR_SUBMIT_MODE_MASK);
  b[64] = 0x80;
  CHECK_RC(nnrp_frame_submit_meta_decode(&m, b, 72, 0), NNRP_ERR_PAYLOAD_KIND_BITS);
}

static void test_non_tensor_fields(void) {
  nnrp_frame_submit_meta m;
  uint8_t out[72];
  /* A typed-only metadata: tile_index_mode and frame_class are not part of rule 5. */
  nnrp_frame_submit_meta_init(&m);
  m.payload_kind_bitmap = NNRP_PAYLOAD_TOKEN_CHUNK;
  m.payload_frame_count = 1;
  m.tile_index_mode = NNRP_TILE_BITSET;
  m.frame_class = NNRP_FRAME_DISCARDABLE;
  CHECK_RC(nnrp_frame_submit_meta_encode(&m, out), 0);
  CHECK_RC(nnrp_frame_submit_meta_decode(&m, out, 72, 0), 0);
  /* Each tensor field (offset, width) in turn. */
  const size_t field[][2] = {{0, 2}, {2, 2}, {4, 2}, {6, 2}, {8, 2}, {10, 2},
                             {24, 4}, {28, 4}, {32, 4}, {13, 1}};
  for (size_t i = 0; i < sizeof(field) / sizeof(field[0]); i++) {
    uint8_t b[72];
    memcpy(b, out, 72);
    b[field[i][0] + field[i][1] - 1] = 1;
    CHECK_RC(nnrp_frame_submit_meta_decode(&m, b, 72, 0), NNRP_ERR_NON_TENSOR_FIELD);
    CHECK_RC(nnrp_frame_submit_meta_decode(&m, b, 72, NNRP_DECODE_PY_COMPAT),
             NNRP_ERR_NON_TENSOR_FIELD);
  }
}

/* ---- reference vectors ----------------------------------------------------------------------- */

static uint8_t *read_vector(const char *name, size_t *len) {
  uint8_t *p = test_read_file(test_vector_path(name), len);
  CHECK(p != NULL);
  return p;
}

static void section_tiles(const nnrp_section_view *s, const uint32_t *lengths, size_t n) {
  CHECK_EQ(s->tile_count, n);
  for (size_t i = 0; i < n && i < s->tile_count; i++)
    CHECK_EQ(nnrp_section_tile_length(s, i), lengths[i]);
}

static void test_changed_tiles_vector(void) {
  size_t len;
  uint8_t *pkt = read_vector("frame_submit_changed_tiles.bin", &len);
  if (!pkt) return;
  nnrp_decode_options opts = {0};
  nnrp_frame_submit_meta m;
  nnrp_data_body b;
  CHECK_EQ(len, 171);
  CHECK_RC(decode_submit(pkt, len, &opts, &m, &b, NULL), 0);
  CHECK_EQ(m.src_width, 640);
  CHECK_EQ(m.src_height, 360);
  CHECK_EQ(m.tile_count, 2);
  CHECK_EQ(m.section_count, 1);
  CHECK_EQ(m.frame_class, NNRP_FRAME_DELTA);
  CHECK_EQ(m.input_profile, NNRP_INPUT_CHANGED_TILES_LUMA);
  CHECK_EQ(m.tile_index_mode, NNRP_TILE_RAW_U16);
  CHECK_EQ(m.latency_budget_ms, 33);
  CHECK_EQ(m.target_fps_x100, 6000);
  CHECK_EQ(m.retry_of_frame, 7);
  CHECK_EQ(m.dependency_frame_id, 7); /* nnrp-cs copies retry_of_frame (D15) */
  CHECK_EQ(m.camera_bytes, 2);
  CHECK_EQ(m.tile_index_bytes, 4);
  CHECK_EQ(b.family, NNRP_BODY_LEGACY);
  CHECK_EQ(b.present, NNRP_DATA_HAS_CAMERA | NNRP_DATA_HAS_TILE_INDEX |
                          NNRP_DATA_HAS_SECTION_TABLE);
  CHECK_MEM(b.camera.base, b.camera.len, "\xca\xfe", 2);
  /* The tile index starts after the camera padding. */
  CHECK(b.tile_index.base == pkt + 112 + 8);
  nnrp_tile_iter ti;
  uint32_t id, ids[4], n = 0;
  nnrp_tile_iter_init(&ti, b.tile_index.base, b.tile_index.len, m.tile_index_mode, m.tile_count,
                      m.tile_base_id);
  while (n < 4 && nnrp_tile_iter_next(&ti, &id)) ids[n++] = id;
  CHECK_EQ(n, 2);
  CHECK_EQ(ids[0], 1);
  CHECK_EQ(ids[1], 9);
  nnrp_section_iter si;
  nnrp_section_view s;
  nnrp_section_iter_init(&si, b.sections.base, b.sections.len, b.section_count);
  CHECK(nnrp_section_iter_next(&si, &s));
  CHECK_EQ(s.desc.role_id, 1);
  CHECK_EQ(s.desc.dtype_id, NNRP_DTYPE_UINT8);
  CHECK_EQ(s.desc.element_count_per_tile, 1);
  section_tiles(&s, (const uint32_t[]){1, 2}, 2);
  CHECK_MEM(s.payload, s.desc.payload_bytes, "\xaa\xbb\xcc", 3);
  CHECK(!nnrp_section_iter_next(&si, &s));
  free(pkt);
}

static void test_dense_vector(void) {
  size_t len;
  uint8_t *pkt = read_vector("frame_submit_dense.bin", &len);
  if (!pkt) return;
  nnrp_decode_options opts = {0};
  nnrp_frame_submit_meta m;
  nnrp_data_body b;
  CHECK_EQ(len, 3260);
  CHECK_RC(decode_submit(pkt, len, &opts, &m, &b, NULL), 0);
  CHECK_EQ(m.src_width, 64);
  CHECK_EQ(m.src_height, 64);
  CHECK_EQ(m.tile_width, 32);
  CHECK_EQ(m.tile_count, 3);
  CHECK_EQ(m.frame_class, NNRP_FRAME_KEYFRAME);
  CHECK_EQ(m.input_profile, NNRP_INPUT_CHANGED_TILES_LUMA);
  CHECK_EQ(m.latency_budget_ms, 16);
  CHECK_EQ(m.camera_bytes, 22);
  CHECK_EQ(m.tile_index_bytes, 6);
  CHECK_EQ(b.family, NNRP_BODY_LEGACY);
  CHECK_MEM(b.camera.base, 4, "NRCM", 4);
  nnrp_tile_iter ti;
  uint32_t id, n = 0;
  nnrp_tile_iter_init(&ti, b.tile_index.base, b.tile_index.len, m.tile_index_mode, m.tile_count,
                      m.tile_base_id);
  while (nnrp_tile_iter_next(&ti, &id)) CHECK_EQ(id, n++);
  CHECK_EQ(n, 3);
  nnrp_section_iter si;
  nnrp_section_view s;
  nnrp_section_iter_init(&si, b.sections.base, b.sections.len, b.section_count);
  CHECK(nnrp_section_iter_next(&si, &s));
  CHECK_EQ(s.desc.role_id, 5);
  CHECK_EQ(s.desc.payload_bytes, 3072);
  section_tiles(&s, (const uint32_t[]){1024, 1024, 1024}, 3);
  nnrp_section_tile_iter tt;
  nnrp_vec tile;
  nnrp_section_tile_iter_init(&tt, &s);
  for (int t = 0; t < 3 && nnrp_section_tile_iter_next(&tt, &tile); t++) {
    CHECK_EQ(tile.len, 1024);
    CHECK_EQ(tile.base[0], 7 + 2 * t);
    CHECK_EQ(tile.base[1023], 7 + 2 * t);
  }
  free(pkt);
}

/* ---- invalid-examples.json ------------------------------------------------------------------- */

typedef struct expected {
  const char *name;
  int strict; /* default profile */
  int compat; /* NNRP_DECODE_PY_COMPAT */
} expected;

#define BOTH(name, err) {name, NNRP_ERR_##err, NNRP_ERR_##err}

/* Every FRAME_SUBMIT example whose metadata and body lengths frame correctly. */
static const expected INVALID[] = {
    BOTH("frame_submit.meta_len_71_body_len_plus_1", META_LEN),
    BOTH("frame_submit.input_profile_3", INPUT_PROFILE),
    BOTH("frame_submit.tile_index_mode_4", TILE_INDEX_MODE),
    BOTH("frame_submit.submit_mode_3", SUBMIT_MODE),
    BOTH("frame_submit.budget_policy_0x10", BUDGET_POLICY_BITS),
    BOTH("frame_submit.loss_tolerance_4", LOSS_TOLERANCE_POLICY),
    BOTH("frame_submit.loss_tolerance_0xfe", LOSS_TOLERANCE_POLICY),
    BOTH("frame_submit.payload_kind_bit_0x80", PAYLOAD_KIND_BITS),
    BOTH("frame_submit_typed.tensor_field_without_tensor_bit", NON_TENSOR_FIELD),
    BOTH("frame_submit_typed.input_profile_without_tensor_bit", NON_TENSOR_FIELD),
    BOTH("frame_submit.legacy.role_id_decreasing", SECTION_ORDER),
    BOTH("frame_submit.legacy.role_id_equal", SECTION_ORDER),
    BOTH("frame_submit.legacy.section_tile_count_mismatch", SECTION_TILE_COUNT),
    BOTH("frame_submit.legacy.section_count_too_high", SECTION_ALIGN_TRUNCATED),
    BOTH("frame_submit.legacy.section_count_too_low", TENSOR_TRAILING),
    BOTH("frame_submit.legacy.length_table_not_multiple_of_4", SECTION_LENGTH_TABLE_ALIGN),
    BOTH("frame_submit.legacy.length_sum_ne_payload", SECTION_PAYLOAD_SUM),
    BOTH("frame_submit.legacy.fixed_stride_flag_zero_stride", SECTION_STRIDE_MISSING),
    BOTH("frame_submit.legacy.stride_without_flag", SECTION_STRIDE_FLAG),
    BOTH("frame_submit.legacy.stride_payload_size_mismatch", SECTION_STRIDE_PAYLOAD),
    BOTH("frame_submit.legacy.tile_length_exceeds_stride", SECTION_TILE_EXCEEDS_STRIDE),
    BOTH("frame_submit.legacy.stride_padding_nonzero", SECTION_STRIDE_PADDING),
    BOTH("frame_submit.legacy.mixed_codec_without_table", SECTION_CODEC_TABLE_MISSING),
    BOTH("frame_submit.legacy.codec_table_without_flag", SECTION_CODEC_FLAG),
    BOTH("frame_submit.legacy.codec_table_count_mismatch", SECTION_CODEC_TABLE_COUNT),
    BOTH("frame_submit.legacy.dtype_8", SECTION_DTYPE),
    BOTH("frame_submit.legacy.layout_2", SECTION_LAYOUT),
    BOTH("frame_submit.legacy.scale_policy_3", SECTION_SCALE_POLICY),
    BOTH("frame_submit.legacy.nonzero_padding_between_sections", SECTION_PADDING),
    BOTH("frame_submit.legacy.nonzero_padding_before_first_section", TENSOR_BODY_ALIGN),
    BOTH("frame_submit.legacy.trailing_bytes", TENSOR_TRAILING),
    BOTH("frame_submit.legacy.section_truncated", SECTION_TRUNCATED),
    BOTH("frame_submit.legacy.section_desc_truncated", SECTION_TRUNCATED_DESC),
    BOTH("frame_submit.legacy.raw_u16_index_short", TILE_INDEX_LENGTH),
    BOTH("frame_submit.legacy.raw_u16_index_bytes_gt_body", TENSOR_TILE_INDEX_TRUNCATED),
    BOTH("frame_submit.legacy.delta_index_wrong_length", TILE_INDEX_LENGTH),
    BOTH("frame_submit.legacy.bitset_count_mismatch", TILE_BITSET_COUNT),
    BOTH("frame_submit.legacy.dense_range_nonempty_index", TILE_DENSE_NOT_EMPTY),
    BOTH("region.body_shorter_than_prelude", PRELUDE_TRUNCATED),
    BOTH("region.body_flags_nonzero", PRELUDE_BODY_FLAGS),
    BOTH("region.prelude_reserved_nonzero", PRELUDE_RESERVED),
    BOTH("region.typed_descriptor_bytes_not_multiple_16", PRELUDE_TYPED_ALIGN),
    BOTH("region.extension_descriptor_bytes_not_multiple_16", PRELUDE_EXT_ALIGN),
    BOTH("region.prelude_sum_gt_body", PRELUDE_BODY_LEN),
    BOTH("region.prelude_sum_lt_body", PRELUDE_BODY_LEN),
    BOTH("region.inline_bytes_overflow", PRELUDE_BODY_LEN),
    BOTH("region.inline_truncated_header", INLINE_TRUNCATED_HEADER),
    BOTH("region.inline_block_exceeds_region", INLINE_TRUNCATED_PAYLOAD),
    BOTH("region.inline_padding_nonzero", INLINE_PADDING),
    BOTH("region.inline_kind_0", OBJECT_KIND),
    BOTH("region.inline_kind_10", OBJECT_KIND),
    BOTH("region.inline_object_flags", INLINE_FLAGS),
    BOTH("region.inline_reserved0", INLINE_RESERVED),
    BOTH("region.inline_reserved1", INLINE_RESERVED),
    BOTH("region.inline_block_missing_padding", INLINE_TRUNCATED_PAYLOAD),
    BOTH("region.ref_region_not_multiple_16", REF_REGION_ALIGN),
    BOTH("region.ref_flags_nonzero", REF_FLAGS),
    BOTH("region.ref_kind_10", OBJECT_KIND),
    BOTH("region.ref_kind_0", OBJECT_KIND),
    BOTH("typed.kind_0x80", TYPED_KIND_BITS),
    BOTH("typed.kind_two_bits", TYPED_KIND_NOT_SINGLE),
    BOTH("typed.kind_zero", TYPED_KIND_NOT_SINGLE),
    BOTH("typed.kind_tensor_not_declared", TYPED_KIND_UNDECLARED),
    BOTH("typed.descriptor_flags", TYPED_FLAGS),
    BOTH("typed.descriptor_reserved", TYPED_RESERVED),
    BOTH("typed.offset_past_region", TYPED_RANGE),
    BOTH("typed.length_past_region", TYPED_RANGE),
    BOTH("typed.offset_huge", TYPED_RANGE),
    BOTH("typed.overlapping", TYPED_ORDER),
    BOTH("typed.descending_offsets", TYPED_ORDER),
    BOTH("typed.count_mismatch_high", TYPED_COUNT),
    BOTH("typed.count_mismatch_low", TYPED_COUNT),
    BOTH("typed.frame_bytes_without_frames", TYPED_FRAME_BYTES),
    BOTH("typed.kind_not_declared", TYPED_KIND_UNDECLARED),
    BOTH("ext.flags_unknown_bit", EXT_FRAME_FLAGS),
    BOTH("ext.reserved0_nonzero", EXT_FRAME_RESERVED),
    BOTH("ext.past_region", EXT_FRAME_RANGE),
    BOTH("ext.overlapping", EXT_FRAME_ORDER),
    BOTH("ext.unknown_critical", EXT_FRAME_CRITICAL),
    BOTH("submit.mask_unknown_bit", SUBMIT_REF_MASK_BITS),
    BOTH("submit.inline_mode_with_mask", SUBMIT_INLINE_MASK),
    BOTH("submit.inline_mode_with_reference_block", SUBMIT_INLINE_REFS),
    BOTH("submit.duplicate_inline_camera", SUBMIT_DUP_INLINE),
    BOTH("submit.duplicate_camera_reference", SUBMIT_DUP_REF),
    BOTH("submit.referenced_and_inline", SUBMIT_REF_AND_INLINE),
    BOTH("submit.mask_bit_without_reference", SUBMIT_REF_MISSING),
    BOTH("submit.reference_without_mask_bit", SUBMIT_REF_WITHOUT_MASK),
    BOTH("submit.reference_mode_inline_camera", SUBMIT_REFERENCE_INLINE),
    BOTH("submit.reference_order_mismatch", SUBMIT_REF_ORDER),
    BOTH("submit.non_standard_reference_kind", SUBMIT_REF_ORDER),
    BOTH("submit.inline_camera_bytes_mismatch", SUBMIT_CAMERA_BYTES),
    BOTH("submit.camera_bytes_without_camera", SUBMIT_CAMERA_MISSING),
    BOTH("submit.inline_tile_index_bytes_mismatch", SUBMIT_TILE_INDEX_BYTES),
    BOTH("submit.missing_tile_index", SUBMIT_TILE_INDEX_MISSING),
    BOTH("submit.inline_tile_index_bad_decode", TILE_BITSET_COUNT),
    BOTH("submit.referenced_tile_index_nonzero_bytes", SUBMIT_TILE_INDEX_REFERENCED),
    BOTH("submit.missing_section_table", SUBMIT_SECTION_TABLE_MISSING),
    BOTH("submit.inline_section_table_bad_roles", SECTION_ORDER),
    BOTH("submit.inline_section_table_tile_count_mismatch", SECTION_TILE_COUNT),
    BOTH("submit.reference_mode_empty_reference_region", SUBMIT_REF_MISSING),
    /* REFERENCE with mask 0 breaks the strict metadata rule 7 before the body is looked at. */
    {"submit.reference_mode_legacy_body", NNRP_ERR_SUBMIT_MODE_MASK, NNRP_ERR_PRELUDE_BODY_FLAGS},
};

/* Accepted by the reference, rejected by the strict profile. */
static const expected ACCEPTED[] = {
    {"frame_submit.frame_class_9", NNRP_ERR_FRAME_CLASS, 0},
    {"frame_submit.reserved0_nonzero", NNRP_ERR_META_RESERVED, 0},
    {"frame_submit.reserved1_nonzero", NNRP_ERR_META_RESERVED, 0},
    {"frame_submit.reserved2_nonzero", NNRP_ERR_META_RESERVED, 0},
    {"frame_submit.reserved3_nonzero", NNRP_ERR_META_RESERVED, 0},
    {"frame_submit.reserved4_nonzero", NNRP_ERR_META_RESERVED, 0},
    {"frame_submit.legacy.section_reserved_nonzero", NNRP_ERR_SECTION_RESERVED, 0},
    {"frame_submit.legacy.section_unknown_flag_bit", NNRP_ERR_SECTION_FLAGS, 0},
    {"frame_submit.legacy.camera_padding_nonzero", NNRP_ERR_CAMERA_PADDING, 0},
    {"typed.gap_between_frames", NNRP_ERR_TYPED_LAYOUT, 0},
    {"typed.unreferenced_trailing_bytes", NNRP_ERR_TYPED_LAYOUT, 0},
    {"typed.declared_kind_absent", NNRP_ERR_TYPED_KIND_ABSENT, 0},
    {"ext.region_without_descriptors", NNRP_ERR_EXT_FRAME_LAYOUT, 0},
};

static const expected *find(const expected *t, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(t[i].name, name) == 0) return &t[i];
  return NULL;
}

/* Run every FRAME_SUBMIT entry of `list` that frames correctly; returns how many ran. */
static size_t run_examples(json_t *list, const expected *t, size_t n) {
  size_t i, ran = 0;
  json_t *e;
  json_array_foreach(list, i, e) {
    const char *name = json_string_value(json_object_get(e, "name"));
    size_t len;
    uint8_t *pkt = test_hex_decode(json_string_value(json_object_get(e, "hex")), &len);
    if (!pkt) continue;
    int framed = len >= 40 && pkt[6] == NNRP_MSG_FRAME_SUBMIT && memcmp(pkt, "NNRP", 4) == 0 &&
                 (uint64_t)40 + ((uint32_t)pkt[12] | (uint32_t)pkt[13] << 8) +
                         ((uint32_t)pkt[16] | (uint32_t)pkt[17] << 8 | (uint32_t)pkt[18] << 16 |
                          (uint32_t)pkt[19] << 24) == len;
    if (!framed || strncmp(name, "header.", 7) == 0) {
      free(pkt);
      continue;
    }
    const expected *x = find(t, n, name);
    if (!x) fprintf(stderr, "  unlisted example %s\n", name);
    CHECK(x != NULL);
    for (int profile = 0; x && profile < 2; profile++) {
      nnrp_decode_options opts = {.flags = profile ? NNRP_DECODE_PY_COMPAT : 0};
      nnrp_frame_submit_meta m;
      nnrp_data_body b;
      int want = profile ? x->compat : x->strict;
      int rc = decode_submit(pkt, len, &opts, &m, &b, NULL);
      if (rc != want) fprintf(stderr, "  example %s (%s)\n", name, profile ? "compat" : "strict");
      CHECK_RC(rc, want);
    }
    ran += x != NULL;
    free(pkt);
  }
  return ran;
}

static void test_invalid_examples(void) {
  json_error_t jerr;
  json_t *root = json_load_file(test_vector_path("invalid-examples.json"), 0, &jerr);
  CHECK(root != NULL);
  if (!root) return;
  size_t n = sizeof(INVALID) / sizeof(INVALID[0]);
  CHECK_EQ(run_examples(json_object_get(root, "examples"), INVALID, n), n);
  n = sizeof(ACCEPTED) / sizeof(ACCEPTED[0]);
  CHECK_EQ(run_examples(json_object_get(root, "oracle_accepts"), ACCEPTED, n), n);
  json_decref(root);
}

int main(void) {
  RUN(test_golden_metadata);
  RUN(test_meta_init);
  RUN(test_meta_rules);
  RUN(test_meta_order);
  RUN(test_non_tensor_fields);
  RUN(test_changed_tiles_vector);
  RUN(test_dense_vector);
  RUN(test_invalid_examples);
  return TEST_REPORT();
}
