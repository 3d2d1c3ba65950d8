/*
 * RESULT_PUSH builders (wire-data §12.2, §12.4, §13.1): the worked vectors E4, E6, E7, E9,
 * E11, the wrappers' fixed fields, reference exports, every builder error with its code and
 * precedence.  Every packet is also built through a scatter-gather sink (same bytes) and
 * decoded again.
 */
#include <jansson.h>
#include <libnnrp/wire.h>

#include "result_check.h"
#include "test.h"

/* Expected bytes of a named vector of wire-data-hex-vectors.json. */
static uint8_t *hex_vector(const char *name, size_t *len) {
  json_error_t err;
  json_t *root = json_load_file(test_vector_path("wire-data-hex-vectors.json"), 0, &err);
  uint8_t *out = NULL;
  size_t i;
  json_t *v;
  if (!root) return NULL;
  json_array_foreach(json_object_get(root, "vectors"), i, v) {
    if (strcmp(json_string_value(json_object_get(v, "name")), name) == 0)
      out = test_hex_decode(json_string_value(json_object_get(v, "hex")), len);
  }
  json_decref(root);
  CHECK(out != NULL);
  return out;
}

static void section_u8(nnrp_tensor_section_data *s, uint16_t role, const nnrp_vec *payloads,
                       size_t n) {
  memset(s, 0, sizeof(*s));
  s->role_id = role;
  s->dtype_id = NNRP_DTYPE_UINT8;
  s->tile_payloads = payloads;
  s->tile_payload_count = n;
}

static void test_e4_tensor(void) {
  static const uint16_t ids[] = {0, 1, 2};
  nnrp_vec pay[] = {str_vec("ra"), str_vec("rb"), str_vec("rc")};
  nnrp_tensor_section_data sec;
  nnrp_result_push_input in;
  section_u8(&sec, 100, pay, 3);
  nnrp_result_push_input_init(&in);
  CHECK_EQ(in.covered_tile_count, -1);
  CHECK_EQ(in.tile_index_mode, NNRP_TILE_RAW_U16);
  CHECK_EQ(in.payload_kind_bitmap, NNRP_PAYLOAD_TENSOR);
  in.packet.session_id = 7;
  in.packet.frame_id = 103;
  in.packet.view_id = 1;
  in.tile_ids = ids;
  in.tile_id_count = 3;
  in.sections = &sec;
  in.section_count = 1;
  in.active_profile_id = 1;
  in.inference_ms = 11;
  in.queue_ms = 2;
  in.server_total_ms = 13;
  size_t n;
  uint8_t *expect = hex_vector("E4.result_push_tensor_packet", &n);
  nnrp_result_push_meta m;
  nnrp_data_body b;
  build_and_check(nnrp_build_result_push, &in, expect, n, &m, &b);
  CHECK_EQ(m.covered_tile_count, 3);
  CHECK_EQ(b.family, NNRP_BODY_LEGACY);
  free(expect);
}

static void test_e6_typed(void) {
  nnrp_typed_frame f[2] = {
      {NNRP_PAYLOAD_STRUCTURED_EVENT, 0, 0, str_vec("{\"state\":\"ok\"}")},
      {NNRP_PAYLOAD_TOOL_DELTA, 0, 0, str_vec("{\"step\":2}")},
  };
  nnrp_result_push_input in;
  nnrp_result_push_input_init(&in);
  in.packet.session_id = 7;
  in.packet.frame_id = 703;
  in.frames = f;
  in.frame_count = 2;
  size_t n;
  uint8_t *expect = hex_vector("E6.result_push_typed_packet", &n);
  nnrp_result_push_meta m;
  nnrp_data_body b;
  build_and_check(nnrp_build_result_push_typed, &in, expect, n, &m, &b);
  CHECK_EQ(m.payload_kind_bitmap, 0x30);
  CHECK_EQ(m.payload_frame_count, 2);
  CHECK_EQ(b.family, NNRP_BODY_REGION);
  CHECK_EQ(b.typed_frame_count, 2);
  nnrp_typed_frame got;
  nnrp_data_body_typed_frame(&b, 1, &got);
  CHECK_EQ(got.payload_kind, NNRP_PAYLOAD_TOOL_DELTA);
  CHECK_MEM(got.payload.base, got.payload.len, "{\"step\":2}", 10);
  free(expect);
}

static void test_e7_mixed(void) {
  static const uint16_t ids[] = {0, 1};
  nnrp_vec pay[] = {str_vec("ra"), str_vec("rb")};
  nnrp_typed_frame f = {NNRP_PAYLOAD_OPAQUE_BYTES, 0, 0, str_vec("bin")};
  nnrp_tensor_section_data sec;
  nnrp_result_push_input in;
  section_u8(&sec, 4, pay, 2);
  nnrp_result_push_input_init(&in);
  in.packet.session_id = 7;
  in.packet.frame_id = 704;
  in.tile_ids = ids;
  in.tile_id_count = 2;
  in.sections = &sec;
  in.section_count = 1;
  in.frames = &f;
  in.frame_count = 1;
  size_t n;
  uint8_t *expect = hex_vector("E7.result_push_mixed_packet", &n);
  nnrp_result_push_meta m;
  nnrp_data_body b;
  build_and_check(nnrp_build_result_push_mixed, &in, expect, n, &m, &b);
  CHECK_EQ(m.payload_kind_bitmap, 0x41);
  CHECK_EQ(m.covered_tile_count, 2);
  CHECK_EQ(b.present, NNRP_DATA_HAS_TILE_INDEX | NNRP_DATA_HAS_SECTION_TABLE);
  CHECK_EQ(b.inline_object_count, 2);
  CHECK_EQ(b.section_count, 1);
  CHECK_EQ(b.tile_index.len, 4);
  free(expect);
}

static void test_e9_partial(void) {
  static const uint16_t ids[] = {0, 1};
  nnrp_vec pay[] = {str_vec("aa"), str_vec("bb")};
  nnrp_tensor_section_data sec;
  nnrp_result_push_input in;
  section_u8(&sec, 1, pay, 2);
  nnrp_result_push_input_init(&in);
  in.packet.session_id = 7;
  in.packet.frame_id = 801;
  in.tile_ids = ids;
  in.tile_id_count = 2;
  in.sections = &sec;
  in.section_count = 1;
  /* The wrapper needs both counts. */
  CHECK_RC(nnrp_build_result_push_partial(&in, NULL), NNRP_ERR_INVALID_ARGUMENT);
  in.covered_tile_count = 1;
  in.dropped_tile_count = 1;
  /* Fixed fields win over the input. */
  in.result_flags = NNRP_RESULT_FLAG_STALE;
  in.result_class = NNRP_RESULT_DEGRADED;
  in.applied_budget_policy = NNRP_BUDGET_ALLOW_DROP;
  in.reused_frame_id = 99;
  size_t n;
  uint8_t *expect = hex_vector("E9.result_push_partial_packet", &n);
  nnrp_result_push_meta m;
  build_and_check(nnrp_build_result_push_partial, &in, expect, n, &m, NULL);
  CHECK_EQ(m.result_flags, NNRP_RESULT_FLAG_PARTIAL);
  CHECK_EQ(m.result_class, NNRP_RESULT_PARTIAL);
  CHECK_EQ(m.applied_budget_policy, NNRP_BUDGET_ALLOW_PARTIAL);
  CHECK_EQ(m.reused_frame_id, 0);
  /* Dropped 0 breaks C5 for a partial result. */
  in.covered_tile_count = 2;
  in.dropped_tile_count = 0;
  nnrp_sink s;
  nnrp_sink_init_count(&s);
  CHECK_RC(nnrp_build_result_push_partial(&in, &s), NNRP_ERR_COVERAGE_PARTIAL);
  free(expect);
}

static void test_e11_drop(void) {
  nnrp_packet_params p = {.session_id = 13, .frame_id = 144, .view_id = 1, .trace_id = 55};
  uint8_t buf[64];
  nnrp_sink s;
  size_t n;
  uint8_t *expect = hex_vector("E11.result_drop", &n);
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_result_drop(&p, &s), 0);
  CHECK_MEM(buf, s.len, expect, n);
  free(expect);
}

static void test_wrappers_fixed_fields(void) {
  static const uint16_t ids[] = {3, 4, 5};
  nnrp_vec pay[] = {str_vec("x"), str_vec(""), str_vec("z")};
  nnrp_tensor_section_data sec;
  nnrp_result_push_input in;
  nnrp_result_push_meta m;
  section_u8(&sec, 2, pay, 3);
  nnrp_result_push_input_init(&in);
  in.tile_ids = ids;
  in.tile_id_count = 3;
  in.sections = &sec;
  in.section_count = 1;
  in.reused_frame_id = 77;
  in.result_flags = NNRP_RESULT_FLAG_PARTIAL;
  in.result_class = NNRP_RESULT_PARTIAL;
  in.payload_kind_bitmap = NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_TOKEN_CHUNK; /* forced to TENSOR */

  build_and_check(nnrp_build_result_push_stale_reuse, &in, NULL, 0, &m, NULL);
  CHECK_EQ(m.result_flags, NNRP_RESULT_FLAG_STALE);
  CHECK_EQ(m.result_class, NNRP_RESULT_STALE_REUSE);
  CHECK_EQ(m.applied_budget_policy, NNRP_BUDGET_ALLOW_STALE_REUSE);
  CHECK_EQ(m.reused_frame_id, 77);
  CHECK_EQ(m.covered_tile_count, 3);
  CHECK_EQ(m.payload_kind_bitmap, NNRP_PAYLOAD_TENSOR);

  in.covered_tile_count = 2;
  in.dropped_tile_count = 1;
  build_and_check(nnrp_build_result_push_degraded, &in, NULL, 0, &m, NULL);
  CHECK_EQ(m.result_flags, NNRP_RESULT_FLAG_FALLBACK);
  CHECK_EQ(m.result_class, NNRP_RESULT_DEGRADED);
  CHECK_EQ(m.applied_budget_policy, NNRP_BUDGET_ALLOW_DEGRADED);
  CHECK_EQ(m.reused_frame_id, 0);
  CHECK_EQ(m.dropped_tile_count, 1);
}

/*
 * Replay exports with cache references (§13.1): region body, references sorted by (kind,
 * namespace, hi, lo), metadata TENSOR-only with 0 frames; decoded through the fallback.
 * Expected bytes: the reference SDK's replay helper with the same inputs, checked by hand.
 */
static void test_reference_export(void) {
  static const uint16_t ids[] = {0, 1, 2};
  nnrp_vec pay[] = {str_vec("ra"), str_vec("rb"), str_vec("rc")};
  nnrp_tensor_section_data sec;
  nnrp_object_ref refs[2] = {
      {NNRP_OBJECT_TENSOR_SECTION_TABLE, 0, 3, 0, 7}, /* given out of order on purpose */
      {NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 9, 1, 2},
  };
  nnrp_result_push_input in;
  section_u8(&sec, 100, pay, 3);
  nnrp_result_push_input_init(&in);
  in.packet.session_id = 7;
  in.packet.frame_id = 105;
  in.packet.view_id = 1;
  in.tile_ids = ids;
  in.tile_id_count = 3;
  in.sections = &sec;
  in.section_count = 1;
  in.result_flags = NNRP_RESULT_FLAG_STALE;
  in.result_class = NNRP_RESULT_STALE_REUSE;
  in.applied_budget_policy = NNRP_BUDGET_ALLOW_STALE_REUSE;
  in.reused_frame_id = 104;
  in.active_profile_id = 1;
  in.inference_ms = 11;
  in.queue_ms = 2;
  in.server_total_ms = 13;
  in.references = refs;
  in.reference_count = 2;
  static const char both[] =
      "4e4e52500100122800000000400000004000000007000000690000000100000000000000000000000000010001"
      "000300010000000b0002000d000000000000000000000000000000000000000000000000000000020200006800"
      "000003000000010000000000000000000000200000000000000000000000000000000000000000000000000000"
      "000200000009000000010000000200000003000000030000000000000007000000";
  static const char table_only[] =
      "4e4e52500100122800000000400000004800000007000000690000000100000000000000000000000000010001"
      "000300010000000b0002000d000000000000000600000000000000000000000000000000000000020200006800"
      "000003000000010000000000000018000000100000000000000000000000000000000000000000000000000000"
      "0002000000000000000600000000000000000001000200000003000000030000000000000007000000";
  size_t n;
  uint8_t *expect = test_hex_decode(both, &n);
  nnrp_result_push_meta m;
  nnrp_data_body b;
  build_and_check(nnrp_build_result_push, &in, expect, n, &m, &b);
  free(expect);
  CHECK_EQ(m.tile_index_bytes, 0);
  CHECK_EQ(m.payload_kind_bitmap, NNRP_PAYLOAD_TENSOR);
  CHECK_EQ(b.family, NNRP_BODY_REGION);
  CHECK_EQ(b.present, NNRP_DATA_REF_TILE_INDEX | NNRP_DATA_REF_SECTION_TABLE);
  CHECK_EQ(b.reference_count, 2);
  CHECK_EQ(b.refs[1].cache_namespace, 9);
  CHECK_EQ(b.refs[2].cache_key_lo, 7);

  in.references = refs;
  in.reference_count = 1;
  expect = test_hex_decode(table_only, &n);
  build_and_check(nnrp_build_result_push, &in, expect, n, &m, &b);
  free(expect);
  CHECK_EQ(m.tile_index_bytes, 6);
  CHECK_EQ(b.present, NNRP_DATA_HAS_TILE_INDEX | NNRP_DATA_REF_SECTION_TABLE);
  CHECK_EQ(b.section_count, 0); /* the sections are in the cache, not here */

  /* Duplicate keys, two tile-index references, bad blocks. */
  nnrp_object_ref bad[2] = {{NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 9, 1, 2},
                            {NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 9, 1, 2}};
  nnrp_sink s;
  nnrp_sink_init_count(&s);
  in.references = bad;
  in.reference_count = 2;
  CHECK_RC(nnrp_build_result_push(&in, &s), NNRP_ERR_RESULT_REF_ORDER);
  bad[1].cache_key_lo = 3;
  CHECK_RC(nnrp_build_result_push(&in, &s), NNRP_ERR_RESULT_DUP_REF);
  bad[1].object_kind = 0;
  CHECK_RC(nnrp_build_result_push(&in, &s), NNRP_ERR_OBJECT_KIND);
  bad[1].object_kind = NNRP_OBJECT_REUSABLE_RESULT_OBJECT;
  bad[1].ref_flags = 1;
  CHECK_RC(nnrp_build_result_push(&in, &s), NNRP_ERR_REF_FLAGS);
}

/* The builder-examples packet with a section-table reference and a reusable result object. */
static void test_mixed_with_references(void) {
  static const uint16_t ids[] = {1, 2};
  nnrp_vec pay[] = {str_vec("a"), str_vec("b")};
  nnrp_tensor_section_data sec;
  nnrp_typed_frame f = {NNRP_PAYLOAD_TOKEN_CHUNK, 0, 0, str_vec("reused")};
  nnrp_object_ref refs[2] = {{NNRP_OBJECT_REUSABLE_RESULT_OBJECT, 0, 1, 0, 5},
                             {NNRP_OBJECT_TENSOR_SECTION_TABLE, 0, 1, 0, 9}};
  nnrp_result_push_input in;
  section_u8(&sec, 1, pay, 2);
  nnrp_result_push_input_init(&in);
  in.packet.session_id = 31;
  in.packet.frame_id = 3;
  in.tile_ids = ids;
  in.tile_id_count = 2;
  in.sections = &sec;
  in.section_count = 1;
  in.frames = &f;
  in.frame_count = 1;
  in.result_flags = NNRP_RESULT_FLAG_STALE;
  in.result_class = NNRP_RESULT_STALE_REUSE;
  in.applied_budget_policy = NNRP_BUDGET_ALLOW_STALE_REUSE;
  in.reused_frame_id = 41;
  in.server_total_ms = 1;
  in.references = refs;
  in.reference_count = 2;
  size_t n;
  uint8_t *expect =
      builder_example_hex("result_push_mixed.references_section_table_and_reusable_result", &n);
  nnrp_data_body b;
  build_and_check(nnrp_build_result_push_mixed, &in, expect, n, NULL, &b);
  CHECK_EQ(b.present, NNRP_DATA_HAS_TILE_INDEX | NNRP_DATA_REF_SECTION_TABLE);
  CHECK_EQ(b.reference_count, 2);
  free(expect);
}

/* ---- errors and their precedence (§14.1 "Builders") ------------------------------------- */

static int build_count(builder_fn fn, const nnrp_result_push_input *in) {
  nnrp_sink s;
  nnrp_sink_init_count(&s);
  return fn(in, &s);
}

static void test_tensor_builder_errors(void) {
  static const uint16_t ids[] = {5, 7, 9};
  nnrp_vec pay[] = {str_vec("a"), str_vec("b"), str_vec("c")};
  nnrp_tensor_section_data sec[2];
  nnrp_result_push_input in;
  section_u8(&sec[0], 3, pay, 3);
  section_u8(&sec[1], 2, pay, 3);
  nnrp_result_push_input_init(&in);
  in.tile_ids = ids;
  in.tile_id_count = 3;
  in.sections = sec;
  in.section_count = 2; /* roles 3 then 2: Q1 */
  in.tile_index_mode = NNRP_TILE_DENSE_RANGE; /* 5, 7, 9 are not a dense range */
  in.covered_tile_count = 9;
  in.result_class = 7;

  CHECK_RC(nnrp_build_result_push(NULL, NULL), NNRP_ERR_INVALID_ARGUMENT);
  in.tile_index_mode = NNRP_TILE_DELTA_U16;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_RESULT_TILE_MODE);
  in.tile_index_mode = NNRP_TILE_BITSET;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_RESULT_TILE_MODE);
  in.tile_index_mode = NNRP_TILE_DENSE_RANGE;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_SECTION_ORDER);
  sec[1].role_id = 4;
  sec[1].tile_payload_count = 2;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_SECTION_TILE_COUNT);
  sec[1].tile_payload_count = 3;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_TILE_DENSE_NOT_CONTIGUOUS);
  in.tile_index_mode = NNRP_TILE_RAW_U16;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_COVERAGE_COVERED);
  in.covered_tile_count = -2;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_INVALID_ARGUMENT);
  in.covered_tile_count = 1;
  in.dropped_tile_count = -1;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_INVALID_ARGUMENT);
  in.dropped_tile_count = 4;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_COVERAGE_DROPPED);
  in.dropped_tile_count = 1;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_COVERAGE_SUM);
  in.dropped_tile_count = 2;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_RESULT_CLASS);
  in.result_class = NNRP_RESULT_PARTIAL;
  in.result_flags = 0x10;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_RESULT_FLAGS_BITS);
  in.result_flags = 0;
  in.applied_budget_policy = 0x10;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_BUDGET_POLICY_BITS);
  in.applied_budget_policy = 0;
  in.payload_kind_bitmap = 0x81;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_PAYLOAD_KIND_BITS);
  /* D22: TENSOR plus anything else on the legacy path is refused, after the reference rules. */
  in.payload_kind_bitmap = NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_TOKEN_CHUNK;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_BUILD_LEGACY_BITMAP);
  in.payload_kind_bitmap = NNRP_PAYLOAD_TENSOR;
  in.payload_frame_count = 1;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_BUILD_LEGACY_BITMAP);
  in.payload_frame_count = 0;
  CHECK_RC(build_count(nnrp_build_result_push, &in), 0);
  /* C5 on the finished metadata. */
  in.covered_tile_count = 3;
  in.dropped_tile_count = 0;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_COVERAGE_PARTIAL);
  in.result_class = NNRP_RESULT_COMPLETE;
  in.result_flags = NNRP_RESULT_FLAG_PARTIAL;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_COVERAGE_PARTIAL);
  in.result_flags = 0;
  in.packet.flags = 0x40;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_RESERVED_FLAGS);
  in.packet.flags = NNRP_FLAG_ACK_REQUIRED | NNRP_FLAG_STALE;
  CHECK_RC(build_count(nnrp_build_result_push, &in), 0);

  /* More tile ids than the u16 tile_count holds (the reference fails packing the struct). */
  static uint16_t many[65536];
  nnrp_result_push_input_init(&in);
  in.tile_ids = many;
  in.tile_id_count = 65536;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_BUILD_FIELD_RANGE);
  in.tile_id_count = 65535;
  CHECK_RC(build_count(nnrp_build_result_push, &in), 0);
  in.tile_ids = NULL;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_INVALID_ARGUMENT);
}

static void test_non_tensor_builder(void) {
  static const uint16_t ids[] = {1};
  nnrp_vec pay[] = {str_vec("a")};
  nnrp_tensor_section_data sec;
  nnrp_typed_frame f = {NNRP_PAYLOAD_TOKEN_CHUNK, 0, 0, str_vec("t")};
  nnrp_result_push_input in;
  section_u8(&sec, 1, pay, 1);
  nnrp_result_push_input_init(&in);
  in.payload_kind_bitmap = NNRP_PAYLOAD_STRUCTURED_EVENT;
  in.result_class = NNRP_RESULT_PARTIAL; /* C5 needs the TENSOR bit */
  nnrp_result_push_meta m;
  nnrp_data_body b;
  build_and_check(nnrp_build_result_push, &in, NULL, 0, &m, &b);
  CHECK_EQ(b.family, NNRP_BODY_EMPTY);
  CHECK_EQ(m.covered_tile_count, 0);

  in.tile_index_mode = NNRP_TILE_BITSET;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_RESULT_TILE_MODE);
  in.tile_index_mode = NNRP_TILE_RAW_U16;
  in.tile_ids = ids;
  in.tile_id_count = 1;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_BUILD_NON_TENSOR_INPUT);
  in.tile_id_count = 0;
  in.sections = &sec;
  in.section_count = 1;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_BUILD_NON_TENSOR_INPUT);
  in.section_count = 0;
  in.covered_tile_count = 1;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_BUILD_NON_TENSOR_INPUT);
  in.covered_tile_count = 0;
  CHECK_RC(build_count(nnrp_build_result_push, &in), 0);
  in.dropped_tile_count = 1;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_BUILD_NON_TENSOR_INPUT);
  in.dropped_tile_count = 0;
  in.payload_frame_count = 1;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_BUILD_NON_TENSOR_INPUT);
  in.payload_frame_count = 0;
  in.frames = &f;
  in.frame_count = 1;
  CHECK_RC(build_count(nnrp_build_result_push, &in), NNRP_ERR_BUILD_NON_TENSOR_INPUT);
}

static void test_typed_and_mixed_errors(void) {
  static const uint16_t ids[] = {0, 1};
  nnrp_vec pay[] = {str_vec("a"), str_vec("b")};
  nnrp_tensor_section_data sec;
  nnrp_typed_frame f[2] = {{NNRP_PAYLOAD_TOKEN_CHUNK, 0, 1, str_vec("tok")},
                           {NNRP_PAYLOAD_TENSOR, 0, 0, str_vec("x")}};
  nnrp_result_push_input in;
  section_u8(&sec, 1, pay, 2);
  nnrp_result_push_input_init(&in);
  in.tile_index_mode = NNRP_TILE_DELTA_U16;
  CHECK_RC(build_count(nnrp_build_result_push_typed, &in), NNRP_ERR_BUILD_NO_FRAMES);
  CHECK_RC(build_count(nnrp_build_result_push_mixed, &in), NNRP_ERR_BUILD_NO_FRAMES);
  in.frames = f;
  in.frame_count = 2;
  CHECK_RC(build_count(nnrp_build_result_push_typed, &in), NNRP_ERR_TYPED_TENSOR);
  CHECK_RC(build_count(nnrp_build_result_push_mixed, &in), NNRP_ERR_TYPED_TENSOR);
  f[1].payload_kind = NNRP_PAYLOAD_AUDIO_CHUNK;
  f[1].descriptor_flags = 1;
  CHECK_RC(build_count(nnrp_build_result_push_typed, &in), NNRP_ERR_TYPED_FLAGS);
  f[1].descriptor_flags = 0;
  f[1].payload_kind = 0x03;
  CHECK_RC(build_count(nnrp_build_result_push_typed, &in), NNRP_ERR_TYPED_KIND_NOT_SINGLE);
  f[1].payload_kind = NNRP_PAYLOAD_AUDIO_CHUNK;
  /* The typed builder ignores tile_index_mode; the mixed one checks it. */
  CHECK_RC(build_count(nnrp_build_result_push_typed, &in), 0);
  CHECK_RC(build_count(nnrp_build_result_push_mixed, &in), NNRP_ERR_RESULT_TILE_MODE);
  in.tile_index_mode = NNRP_TILE_RAW_U16;
  CHECK_RC(build_count(nnrp_build_result_push_mixed, &in), NNRP_ERR_BUILD_NO_TENSOR_CONTENT);
  in.result_class = 9;
  CHECK_RC(build_count(nnrp_build_result_push_typed, &in), NNRP_ERR_RESULT_CLASS);
  in.result_class = NNRP_RESULT_PARTIAL; /* no TENSOR bit: C5 does not apply */
  CHECK_RC(build_count(nnrp_build_result_push_typed, &in), 0);
  in.tile_ids = ids;
  in.tile_id_count = 2;
  CHECK_RC(build_count(nnrp_build_result_push_typed, &in), NNRP_ERR_BUILD_NON_TENSOR_INPUT);
  /* Mixed: a partial result needs dropped tiles once TENSOR is set. */
  CHECK_RC(build_count(nnrp_build_result_push_mixed, &in), NNRP_ERR_COVERAGE_PARTIAL);
  in.dropped_tile_count = 1;
  CHECK_RC(build_count(nnrp_build_result_push_mixed, &in), NNRP_ERR_COVERAGE_SUM);
  in.covered_tile_count = 1;
  in.sections = &sec;
  in.section_count = 1;
  sec.tile_payload_count = 1;
  CHECK_RC(build_count(nnrp_build_result_push_mixed, &in), NNRP_ERR_SECTION_TILE_COUNT);
  sec.tile_payload_count = 2;
  nnrp_result_push_meta m;
  nnrp_data_body b;
  build_and_check(nnrp_build_result_push_mixed, &in, NULL, 0, &m, &b);
  CHECK_EQ(m.payload_kind_bitmap, NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_TOKEN_CHUNK |
                                      NNRP_PAYLOAD_AUDIO_CHUNK);
  CHECK_EQ(b.typed_frame_count, 2);
  /* Sections only, DENSE_RANGE: an empty tile-index block is still carried (§15 D5). */
  in.tile_index_mode = NNRP_TILE_DENSE_RANGE;
  build_and_check(nnrp_build_result_push_mixed, &in, NULL, 0, &m, &b);
  CHECK_EQ(m.tile_index_bytes, 0);
  CHECK_EQ(b.inline_object_count, 2);
  CHECK_EQ(b.present, NNRP_DATA_HAS_TILE_INDEX | NNRP_DATA_HAS_SECTION_TABLE);
}

int main(void) {
  RUN(test_e4_tensor);
  RUN(test_e6_typed);
  RUN(test_e7_mixed);
  RUN(test_e9_partial);
  RUN(test_e11_drop);
  RUN(test_wrappers_fixed_fields);
  RUN(test_reference_export);
  RUN(test_mixed_with_references);
  RUN(test_tensor_builder_errors);
  RUN(test_non_tensor_builder);
  RUN(test_typed_and_mixed_errors);
  return TEST_REPORT();
}
