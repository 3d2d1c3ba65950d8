/*
 * FRAME_SUBMIT builder errors (wire-data §12.1, §12.4): each with its code, in the reference's
 * precedence (§14.1 "Builders"), and the inputs libnnrp refuses beyond the reference (D22).
 */
#include <libnnrp/wire.h>

#include "test.h"

typedef int (*builder_fn)(const nnrp_frame_submit_input *, nnrp_sink *);

static const nnrp_vec AA_BB[] = {{(const uint8_t *)"aa", 2}, {(const uint8_t *)"bb", 2}};
static const uint16_t IDS_0_1[] = {0, 1};

static nnrp_tensor_section_data uint8_section(uint16_t role, const nnrp_vec *tiles, size_t n) {
  nnrp_tensor_section_data s = {.role_id = role, .dtype_id = NNRP_DTYPE_UINT8,
                                .tile_payloads = tiles, .tile_payload_count = n};
  return s;
}

/* Header, metadata and body of a built packet, strict profile. */
static int decode(const uint8_t *pkt, size_t len, nnrp_frame_submit_meta *m, nnrp_data_body *b) {
  nnrp_header h;
  int rc = nnrp_header_decode(&h, pkt, len, NULL);
  if (rc) return rc;
  if ((uint64_t)NNRP_HEADER_LEN + h.meta_len + h.body_len != len) return NNRP_ERR_TRAILING_BYTES;
  rc = nnrp_frame_submit_meta_decode(m, pkt + NNRP_HEADER_LEN, h.meta_len, 0);
  if (rc) return rc;
  return nnrp_frame_submit_body_decode(b, m, pkt + NNRP_HEADER_LEN + h.meta_len, h.body_len, NULL,
                                       NULL);
}

/* ---- builder errors and their precedence (§12.1, §12.4, §14.1) ------------------------------- */

static int try_build(builder_fn fn, const nnrp_frame_submit_input *in) {
  nnrp_sink s;
  nnrp_sink_init_count(&s);
  return fn(in, &s);
}

/* A MIXED input with a camera reference (E10's). */
static nnrp_frame_submit_input mixed_input(const nnrp_tensor_section_data *s,
                                           const nnrp_object_ref *cam) {
  nnrp_frame_submit_input in;
  nnrp_frame_submit_input_init(&in);
  in.tile_ids = IDS_0_1, in.tile_id_count = 2, in.sections = s, in.section_count = 1;
  in.submit_mode = NNRP_SUBMIT_MIXED;
  in.object_ref_mask = NNRP_REF_CAMERA_BLOCK;
  in.camera_reference = cam;
  return in;
}

static void test_mode_and_reference_errors(void) {
  nnrp_tensor_section_data s = uint8_section(1, AA_BB, 2);
  nnrp_object_ref cam = {NNRP_OBJECT_CAMERA_BLOCK, 0, 3, 11, 12};
  nnrp_object_ref tix = {NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 3, 1, 2};
  nnrp_frame_submit_input in = mixed_input(&s, &cam);
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), 0);

  /* The reference blocks themselves: kind known, flags 0, the slot's kind. */
  cam.object_kind = 0;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_OBJECT_KIND);
  cam.object_kind = NNRP_OBJECT_CAMERA_BLOCK, cam.ref_flags = 1;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_REF_FLAGS);
  cam.ref_flags = 0;
  in.camera_reference = &tix;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_REF_KIND_MISMATCH);
  /* submit_mode is looked at before the references. */
  in.submit_mode = 3;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_SUBMIT_MODE);

  in = mixed_input(&s, &cam);
  in.submit_mode = NNRP_SUBMIT_INLINE;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_BUILD_INLINE_MASK);
  in.object_ref_mask = 0;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_BUILD_INLINE_REFS);
  in.submit_mode = NNRP_SUBMIT_REFERENCE, in.camera_reference = NULL;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_BUILD_REFERENCE_NO_REFS);
  in.submit_mode = NNRP_SUBMIT_MIXED;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_BUILD_MIXED_MASK);

  /* REFERENCE needs a reference for every object present. */
  in = mixed_input(&s, &cam);
  in.submit_mode = NNRP_SUBMIT_REFERENCE;
  in.object_ref_mask = 0x3;
  in.tile_index_reference = &tix;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_BUILD_REFERENCE_MISSING);
  in.sections = NULL, in.section_count = 0;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), 0);
  in.tile_index_reference = NULL, in.object_ref_mask = 0x1;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_BUILD_REFERENCE_MISSING);
  /* Sections are packed before the mode's content rules apply. */
  in.sections = &s, in.section_count = 1, s.role_id = 0;
  s.tile_payload_count = 1;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_SECTION_TILE_COUNT);
  s.tile_payload_count = 2;

  /* Step 5: the mask must be what the references amount to. */
  in = mixed_input(&s, &cam);
  in.object_ref_mask = 0x3;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_BUILD_MASK_MISMATCH);
  in.object_ref_mask = 0x9;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_BUILD_MASK_MISMATCH);
  /* Step 6: full body validation, T1: a region body without frames cannot announce any. */
  in.object_ref_mask = 0x1, in.payload_frame_count = 2;
  in.payload_kind_bitmap = NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_TOKEN_CHUNK;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_TYPED_COUNT);
}

static void test_content_errors(void) {
  nnrp_tensor_section_data s[2] = {uint8_section(2, AA_BB, 2), uint8_section(1, AA_BB, 2)};
  const uint16_t ids[] = {5, 6};
  nnrp_frame_submit_input in;
  nnrp_frame_submit_input_init(&in);
  in.tile_ids = ids, in.tile_id_count = 2, in.sections = s, in.section_count = 2;
  in.tile_index_mode = NNRP_TILE_DENSE_RANGE;
  /* Sections (Q1) before the tile index (DENSE_RANGE precondition). */
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_SECTION_ORDER);
  in.section_count = 1;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_TILE_DENSE_NOT_CONTIGUOUS);
  in.tile_base_id = 5;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), 0);
  /* Then the metadata rules, in field order. */
  in.input_profile = 3, in.budget_policy = 0x10;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_INPUT_PROFILE);
  in.input_profile = 0;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_BUDGET_POLICY_BITS);
  in.budget_policy = 0, in.loss_tolerance_policy = 4;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_LOSS_TOLERANCE_POLICY);
  in.loss_tolerance_policy = NNRP_LOSS_INHERIT, in.payload_kind_bitmap = 0x81;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_PAYLOAD_KIND_BITS);
  in.payload_kind_bitmap = NNRP_PAYLOAD_TENSOR, in.frame_class = 4;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_FRAME_CLASS);
  in.frame_class = 0, in.packet.flags = 0x40;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_RESERVED_FLAGS);
  in.packet.flags = 0;

  /* D22: a legacy body carries no typed frames, so the metadata must not announce any. */
  in.payload_kind_bitmap = NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_TOKEN_CHUNK;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_BUILD_LEGACY_BITMAP);
  in.payload_kind_bitmap = NNRP_PAYLOAD_TENSOR, in.payload_frame_count = 1;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_BUILD_LEGACY_BITMAP);
  const nnrp_typed_frame f = {NNRP_PAYLOAD_TOKEN_CHUNK, 0, 0, {(const uint8_t *)"t", 1}};
  in.payload_frame_count = 0, in.frames = &f, in.frame_count = 1;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_BUILD_LEGACY_BITMAP);
  in.frames = NULL, in.frame_count = 0;

  /* Field widths: 65536 tile ids do not fit tile_count. */
  uint16_t *many = calloc(65536, sizeof(*many));
  nnrp_vec *tiles = calloc(65536, sizeof(*tiles));
  for (size_t i = 0; many && i < 65536; i++) many[i] = (uint16_t)i;
  in.tile_ids = many, in.tile_id_count = 65536, in.tile_index_mode = NNRP_TILE_RAW_U16;
  s[0].tile_payloads = tiles, s[0].tile_payload_count = 65536;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_BUILD_FIELD_RANGE);
  free(many);
  free(tiles);
}

static void test_non_tensor_errors(void) {
  nnrp_tensor_section_data s = uint8_section(1, AA_BB, 2);
  nnrp_object_ref cam = {NNRP_OBJECT_CAMERA_BLOCK, 0, 3, 11, 12};
  nnrp_frame_submit_input in;
  nnrp_frame_submit_input_init(&in);
  in.payload_kind_bitmap = NNRP_PAYLOAD_TOKEN_CHUNK;
  in.src_width = 640, in.input_profile = NNRP_INPUT_DENSE_LUMA_FRAME, in.tile_base_id = 9;
  in.tile_index_mode = NNRP_TILE_BITSET;
  /* Tensor fields are forced to 0; tile_index_mode is still written. */
  uint8_t buf[112];
  nnrp_sink sink;
  nnrp_sink_init_buffer(&sink, buf, sizeof(buf));
  CHECK_RC(nnrp_build_frame_submit(&in, &sink), 0);
  CHECK_EQ(sink.len, 112);
  nnrp_frame_submit_meta m;
  nnrp_data_body b;
  CHECK_RC(decode(buf, sink.len, &m, &b), 0);
  CHECK_EQ(b.family, NNRP_BODY_EMPTY);
  CHECK_EQ(m.src_width, 0);
  CHECK_EQ(m.tile_base_id, 0);
  CHECK_EQ(m.input_profile, 0);
  CHECK_EQ(m.tile_index_mode, NNRP_TILE_BITSET);

  in.tile_ids = IDS_0_1, in.tile_id_count = 2;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_BUILD_NON_TENSOR_INPUT);
  in.tile_id_count = 0, in.sections = &s, in.section_count = 1;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_BUILD_NON_TENSOR_INPUT);
  in.section_count = 0, in.camera_block = (nnrp_vec){(const uint8_t *)"c", 1};
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_BUILD_NON_TENSOR_INPUT);
  in.camera_block.len = 0, in.payload_frame_count = 1;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_BUILD_NON_TENSOR_INPUT);
  in.payload_frame_count = 0;
  in.submit_mode = NNRP_SUBMIT_MIXED, in.object_ref_mask = 1, in.camera_reference = &cam;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_BUILD_NON_TENSOR_INPUT);
  in.camera_reference = NULL;
  CHECK_RC(try_build(nnrp_build_frame_submit, &in), NNRP_ERR_BUILD_MASK_MISMATCH);
}

static void test_typed_and_mixed_errors(void) {
  nnrp_tensor_section_data s[2] = {uint8_section(2, AA_BB, 2), uint8_section(1, AA_BB, 2)};
  nnrp_typed_frame f[2] = {{NNRP_PAYLOAD_TOKEN_CHUNK, 0, 0, {(const uint8_t *)"tok", 3}},
                           {NNRP_PAYLOAD_AUDIO_CHUNK, 0, 0, {(const uint8_t *)"au", 2}}};
  nnrp_object_ref cam = {NNRP_OBJECT_CAMERA_BLOCK, 0, 3, 11, 12};
  nnrp_frame_submit_input in;
  nnrp_frame_submit_input_init(&in);
  CHECK_RC(try_build(nnrp_build_frame_submit_typed, &in), NNRP_ERR_BUILD_NO_FRAMES);
  CHECK_RC(try_build(nnrp_build_frame_submit_mixed, &in), NNRP_ERR_BUILD_NO_FRAMES);
  in.frames = f, in.frame_count = 2;
  CHECK_RC(try_build(nnrp_build_frame_submit_typed, &in), 0);
  CHECK_RC(try_build(nnrp_build_frame_submit_mixed, &in), NNRP_ERR_BUILD_NO_TENSOR_CONTENT);
  f[1].payload_kind = NNRP_PAYLOAD_TENSOR;
  CHECK_RC(try_build(nnrp_build_frame_submit_typed, &in), NNRP_ERR_TYPED_TENSOR);
  f[1].payload_kind = 0x06;
  CHECK_RC(try_build(nnrp_build_frame_submit_typed, &in), NNRP_ERR_TYPED_KIND_NOT_SINGLE);
  f[1].payload_kind = NNRP_PAYLOAD_AUDIO_CHUNK, f[1].descriptor_flags = 1;
  CHECK_RC(try_build(nnrp_build_frame_submit_typed, &in), NNRP_ERR_TYPED_FLAGS);
  /* Frames are checked before sections in the mixed builder. */
  in.sections = s, in.section_count = 2, in.tile_ids = IDS_0_1, in.tile_id_count = 2;
  CHECK_RC(try_build(nnrp_build_frame_submit_mixed, &in), NNRP_ERR_TYPED_FLAGS);
  f[1].descriptor_flags = 0;
  CHECK_RC(try_build(nnrp_build_frame_submit_mixed, &in), NNRP_ERR_SECTION_ORDER);
  in.section_count = 0, in.tile_id_count = 0;
  in.camera_block = (nnrp_vec){(const uint8_t *)"cam", 3};
  CHECK_RC(try_build(nnrp_build_frame_submit_mixed, &in), 0);

  /* Metadata rules before the inputs these builders have no place for. */
  in.budget_policy = 0x20, in.object_ref_mask = 1;
  CHECK_RC(try_build(nnrp_build_frame_submit_mixed, &in), NNRP_ERR_BUDGET_POLICY_BITS);
  CHECK_RC(try_build(nnrp_build_frame_submit_typed, &in), NNRP_ERR_BUDGET_POLICY_BITS);
  in.budget_policy = 0;
  CHECK_RC(try_build(nnrp_build_frame_submit_mixed, &in), NNRP_ERR_BUILD_INLINE_MASK);
  in.object_ref_mask = 0, in.camera_reference = &cam;
  CHECK_RC(try_build(nnrp_build_frame_submit_mixed, &in), NNRP_ERR_BUILD_INLINE_REFS);
  in.camera_reference = NULL, in.submit_mode = NNRP_SUBMIT_MIXED;
  CHECK_RC(try_build(nnrp_build_frame_submit_typed, &in), NNRP_ERR_INVALID_ARGUMENT);
  in.submit_mode = NNRP_SUBMIT_INLINE;
  /* The typed builder takes no tensor content. */
  CHECK_RC(try_build(nnrp_build_frame_submit_typed, &in), NNRP_ERR_BUILD_NON_TENSOR_INPUT);
  in.camera_block.len = 0, in.tile_ids = IDS_0_1, in.tile_id_count = 2;
  CHECK_RC(try_build(nnrp_build_frame_submit_typed, &in), NNRP_ERR_BUILD_NON_TENSOR_INPUT);
  /* Typed and mixed builders compute bitmap and frame count themselves. */
  in.tile_id_count = 0, in.payload_kind_bitmap = 0x40, in.payload_frame_count = 9;
  CHECK_RC(try_build(nnrp_build_frame_submit_typed, &in), 0);
}

int main(void) {
  RUN(test_mode_and_reference_errors);
  RUN(test_content_errors);
  RUN(test_non_tensor_errors);
  RUN(test_typed_and_mixed_errors);
  return TEST_REPORT();
}
