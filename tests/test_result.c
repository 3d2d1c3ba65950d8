/*
 * RESULT_PUSH decoding: metadata (wire-data §4), coverage (§11), bodies (§8.2, §9.3, §10.2) and
 * the reference vectors: the golden metadata, result_push_fresh.bin, result_push_stale.bin,
 * result_drop.bin and every RESULT_PUSH entry of invalid-examples.json with its rule's code.
 */
#include <jansson.h>
#include <libnnrp/wire.h>

#include "result_check.h"
#include "test.h"

/* current.metadata.result_push (wire-data §16.1). */
static const char GOLDEN_META[] =
    "0000040001005400020000004b0302004e03000000000000100000000000000000000000000000000000000001"
    "0100002900000035001f000300000003000000";

static void test_golden_metadata(void) {
  size_t n;
  uint8_t *in = test_hex_decode(GOLDEN_META, &n), out[64];
  nnrp_result_push_meta m;
  CHECK_EQ(n, 64);
  CHECK_RC(nnrp_result_push_meta_decode(&m, in, n, 0), 0);
  CHECK_EQ(m.status_code, 0);
  CHECK_EQ(m.result_flags, NNRP_RESULT_FLAG_PARTIAL);
  CHECK_EQ(m.section_count, 1);
  CHECK_EQ(m.tile_count, 84);
  CHECK_EQ(m.active_profile_id, 2);
  CHECK_EQ(m.inference_ms, 843);
  CHECK_EQ(m.queue_ms, 2);
  CHECK_EQ(m.server_total_ms, 846);
  CHECK_EQ(m.tile_base_id, 0);
  CHECK_EQ(m.tile_index_bytes, 16); /* not 2 x 84: the metadata alone decodes (§15 D6) */
  CHECK_EQ(m.result_class, NNRP_RESULT_PARTIAL);
  CHECK_EQ(m.applied_budget_policy, NNRP_BUDGET_ALLOW_PARTIAL);
  CHECK_EQ(m.reused_frame_id, 41);
  CHECK_EQ(m.covered_tile_count, 53);
  CHECK_EQ(m.dropped_tile_count, 31);
  CHECK_EQ(m.payload_kind_bitmap, NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_TOKEN_CHUNK);
  CHECK_EQ(m.payload_frame_count, 3);
  CHECK_RC(nnrp_result_push_meta_encode(&m, out), 0);
  CHECK_MEM(out, 64, in, n);
  /* Coverage holds; C6 (class PARTIAL with reused 41) is nnrp-cs's only (§15 D7). */
  CHECK_RC(nnrp_result_push_check_coverage(&m, 0), 0);
  CHECK_RC(nnrp_result_push_check_coverage(&m, NNRP_DECODE_STRICT_C6),
           NNRP_ERR_COVERAGE_STALE_REUSE);
  free(in);
}

static void test_meta_init_and_length(void) {
  nnrp_result_push_meta m;
  uint8_t out[64], zero[65] = {0};
  nnrp_result_push_meta_init(&m);
  CHECK_EQ(m.payload_kind_bitmap, NNRP_PAYLOAD_TENSOR);
  CHECK_EQ(m.result_class, NNRP_RESULT_COMPLETE);
  CHECK_RC(nnrp_result_push_meta_encode(&m, out), 0);
  uint8_t expect[64] = {0};
  expect[56] = 1;
  CHECK_MEM(out, 64, expect, 64);
  CHECK_RC(nnrp_result_push_meta_decode(&m, zero, 65, 0), NNRP_ERR_META_LEN);
  CHECK_RC(nnrp_result_push_meta_decode(&m, zero, 63, 0), NNRP_ERR_META_LEN);
  /* All-zero metadata: no payload kinds at all, nothing tensor-shaped; valid. */
  CHECK_RC(nnrp_result_push_meta_decode(&m, zero, 64, 0), 0);
}

/* Set a byte of the golden metadata, decode strictly and in PY profile, encode again. */
static void meta_case(size_t off, uint8_t value, int strict, int py) {
  size_t n;
  uint8_t *in = test_hex_decode(GOLDEN_META, &n), out[64];
  nnrp_result_push_meta m;
  in[off] = value;
  CHECK_RC(nnrp_result_push_meta_decode(&m, in, n, 0), strict);
  int rc = nnrp_result_push_meta_decode(&m, in, n, NNRP_DECODE_PY_COMPAT);
  CHECK_RC(rc, py);
  if (rc == 0) CHECK_RC(nnrp_result_push_meta_encode(&m, out), strict); /* writers are strict */
  free(in);
}

static void test_meta_rules(void) {
  meta_case(2, 0x08, NNRP_ERR_RESULT_FLAGS_BITS, NNRP_ERR_RESULT_FLAGS_BITS);
  meta_case(3, 0x80, NNRP_ERR_RESULT_FLAGS_BITS, NNRP_ERR_RESULT_FLAGS_BITS);
  meta_case(44, 4, NNRP_ERR_RESULT_CLASS, NNRP_ERR_RESULT_CLASS);
  meta_case(44, 3, 0, 0);
  meta_case(45, 0x20, NNRP_ERR_BUDGET_POLICY_BITS, NNRP_ERR_BUDGET_POLICY_BITS);
  meta_case(45, 0x0F, 0, 0);
  meta_case(56, 0x80 | 0x03, NNRP_ERR_PAYLOAD_KIND_BITS, NNRP_ERR_PAYLOAD_KIND_BITS);
  meta_case(59, 0x01, NNRP_ERR_PAYLOAD_KIND_BITS, NNRP_ERR_PAYLOAD_KIND_BITS);
  meta_case(56, 0x7F, 0, 0);
  /* Without TENSOR the golden's tensor fields are not allowed. */
  meta_case(56, NNRP_PAYLOAD_TOKEN_CHUNK, NNRP_ERR_NON_TENSOR_FIELD, NNRP_ERR_NON_TENSOR_FIELD);
  /* Reserved fields: strict only (§4, §15 D11). */
  static const size_t reserved[] = {10, 11, 18, 19, 28, 35, 36, 43, 46, 47, 62, 63};
  for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
    meta_case(reserved[i], 1, NNRP_ERR_META_RESERVED, 0);
  /* Field order decides: flags before class before policy before bitmap before reserved. */
  size_t n;
  uint8_t *in = test_hex_decode(GOLDEN_META, &n);
  nnrp_result_push_meta m;
  in[62] = 1;
  in[56] = 0x81;
  CHECK_RC(nnrp_result_push_meta_decode(&m, in, n, 0), NNRP_ERR_PAYLOAD_KIND_BITS);
  in[45] = 0x10;
  CHECK_RC(nnrp_result_push_meta_decode(&m, in, n, 0), NNRP_ERR_BUDGET_POLICY_BITS);
  in[44] = 9;
  CHECK_RC(nnrp_result_push_meta_decode(&m, in, n, 0), NNRP_ERR_RESULT_CLASS);
  in[2] = 0xFF;
  CHECK_RC(nnrp_result_push_meta_decode(&m, in, n, 0), NNRP_ERR_RESULT_FLAGS_BITS);
  free(in);
}

static void test_non_tensor_fields(void) {
  nnrp_result_push_meta m;
  uint8_t out[64] = {0};
  uint16_t *u16[] = {&m.section_count, &m.tile_count, &m.covered_tile_count,
                     &m.dropped_tile_count};
  for (size_t i = 0; i < 4; i++) {
    nnrp_result_push_meta_init(&m);
    m.payload_kind_bitmap = NNRP_PAYLOAD_STRUCTURED_EVENT;
    *u16[i] = 1;
    CHECK_RC(nnrp_result_push_meta_encode(&m, out), NNRP_ERR_NON_TENSOR_FIELD);
  }
  uint32_t *u32[] = {&m.tile_base_id, &m.tile_index_bytes};
  for (size_t i = 0; i < 2; i++) {
    nnrp_result_push_meta_init(&m);
    m.payload_kind_bitmap = 0;
    *u32[i] = 2;
    CHECK_RC(nnrp_result_push_meta_encode(&m, out), NNRP_ERR_NON_TENSOR_FIELD);
    CHECK_RC(nnrp_result_push_meta_decode(&m, out, 64, 0), 0); /* failed encodes write nothing */
  }
  /* status, profile, timings, class, policy, reused stay free without TENSOR. */
  nnrp_result_push_meta_init(&m);
  m.payload_kind_bitmap = NNRP_PAYLOAD_AUDIO_CHUNK;
  m.result_class = NNRP_RESULT_PARTIAL;
  m.reused_frame_id = 5;
  m.payload_frame_count = 2;
  CHECK_RC(nnrp_result_push_meta_encode(&m, out), 0);
}

static void test_coverage(void) {
  nnrp_result_push_meta m;
  nnrp_result_push_meta_init(&m);
  m.tile_count = 2;
  m.covered_tile_count = 3;
  CHECK_RC(nnrp_result_push_check_coverage(&m, 0), NNRP_ERR_COVERAGE_COVERED);
  m.covered_tile_count = 0;
  m.dropped_tile_count = 3;
  CHECK_RC(nnrp_result_push_check_coverage(&m, 0), NNRP_ERR_COVERAGE_DROPPED);
  m.covered_tile_count = 2;
  m.dropped_tile_count = 1;
  CHECK_RC(nnrp_result_push_check_coverage(&m, 0), NNRP_ERR_COVERAGE_SUM);
  m.dropped_tile_count = 0;
  CHECK_RC(nnrp_result_push_check_coverage(&m, 0), 0);
  m.result_class = NNRP_RESULT_PARTIAL;
  CHECK_RC(nnrp_result_push_check_coverage(&m, 0), NNRP_ERR_COVERAGE_PARTIAL);
  m.result_class = NNRP_RESULT_COMPLETE;
  m.result_flags = NNRP_RESULT_FLAG_PARTIAL;
  CHECK_RC(nnrp_result_push_check_coverage(&m, 0), NNRP_ERR_COVERAGE_PARTIAL);
  m.covered_tile_count = 1;
  m.dropped_tile_count = 1;
  CHECK_RC(nnrp_result_push_check_coverage(&m, 0), 0);
  /* C6 only on request, in both directions. */
  m.result_class = NNRP_RESULT_STALE_REUSE;
  CHECK_RC(nnrp_result_push_check_coverage(&m, 0), 0);
  CHECK_RC(nnrp_result_push_check_coverage(&m, NNRP_DECODE_STRICT_C6),
           NNRP_ERR_COVERAGE_STALE_REUSE);
  m.reused_frame_id = 9;
  CHECK_RC(nnrp_result_push_check_coverage(&m, NNRP_DECODE_STRICT_C6), 0);
  m.result_class = NNRP_RESULT_DEGRADED;
  CHECK_RC(nnrp_result_push_check_coverage(&m, NNRP_DECODE_STRICT_C6),
           NNRP_ERR_COVERAGE_STALE_REUSE);
  /* No TENSOR bit: the rules do not apply (covered/dropped are zero by §4 anyway). */
  nnrp_result_push_meta_init(&m);
  m.payload_kind_bitmap = NNRP_PAYLOAD_TOKEN_CHUNK;
  m.result_class = NNRP_RESULT_PARTIAL;
  CHECK_RC(nnrp_result_push_check_coverage(&m, NNRP_DECODE_STRICT_C6), 0);
}

static uint8_t *read_vector(const char *name, size_t *len) {
  uint8_t *p = test_read_file(test_vector_path(name), len);
  CHECK(p != NULL);
  return p;
}

static void test_fresh_vector(void) {
  size_t len;
  uint8_t *pkt = read_vector("result_push_fresh.bin", &len);
  if (!pkt) return;
  nnrp_header h;
  nnrp_result_push_meta m;
  nnrp_data_body b;
  CHECK_EQ(len, 159);
  CHECK_RC(nnrp_header_decode(&h, pkt, len, NULL), 0);
  CHECK_EQ(h.session_id, 0x200);
  CHECK_EQ(h.frame_id, 1);
  CHECK_EQ(h.body_len, 55);
  for (int profile = 0; profile < 2; profile++) {
    uint32_t flags = profile ? NNRP_DECODE_PY_COMPAT : 0;
    CHECK_RC(decode_result(pkt, len, flags, &m, &b, NULL), 0);
    CHECK_EQ(m.status_code, 0);
    CHECK_EQ(m.active_profile_id, 1);
    CHECK_EQ(m.inference_ms, 2);
    CHECK_EQ(m.queue_ms, 1);
    CHECK_EQ(m.server_total_ms, 4);
    CHECK_EQ(m.tile_count, 3);
    CHECK_EQ(m.section_count, 1);
    CHECK_EQ(m.tile_index_bytes, 6);
    CHECK_EQ(m.covered_tile_count, 3);
    CHECK_EQ(m.dropped_tile_count, 0);
    CHECK_EQ(m.result_class, NNRP_RESULT_COMPLETE);
    CHECK_EQ(b.family, NNRP_BODY_LEGACY);
    CHECK_EQ(b.present, NNRP_DATA_HAS_TILE_INDEX | NNRP_DATA_HAS_SECTION_TABLE);
  }
  nnrp_tile_iter ti;
  uint32_t id, expect_id = 0;
  nnrp_tile_iter_init(&ti, b.tile_index.base, b.tile_index.len, nnrp_result_tile_mode(&m),
                      m.tile_count, m.tile_base_id);
  while (nnrp_tile_iter_next(&ti, &id)) CHECK_EQ(id, expect_id++);
  CHECK_EQ(expect_id, 3);
  nnrp_section_iter si;
  nnrp_section_view s;
  nnrp_section_iter_init(&si, b.sections.base, b.sections.len, b.section_count);
  CHECK(nnrp_section_iter_next(&si, &s));
  CHECK_EQ(s.desc.role_id, 0x0100);
  CHECK_EQ(s.desc.dtype_id, NNRP_DTYPE_UINT8);
  CHECK_EQ(s.tile_count, 3);
  nnrp_section_tile_iter tt;
  nnrp_vec payload;
  const uint8_t tiles[3] = {0x10, 0x20, 0x30};
  size_t k = 0;
  nnrp_section_tile_iter_init(&tt, &s);
  while (nnrp_section_tile_iter_next(&tt, &payload)) {
    CHECK_EQ(payload.len, 1);
    if (k < 3 && payload.len == 1) CHECK_EQ(payload.base[0], tiles[k]);
    k++;
  }
  CHECK_EQ(k, 3);
  CHECK(!nnrp_section_iter_next(&si, &s));
  nnrp_packet p;
  CHECK_RC(nnrp_packet_decode(&p, pkt, len, NULL, NULL), 0);
  CHECK_EQ(p.data.family, NNRP_BODY_LEGACY);
  CHECK_EQ(p.meta.result_push.covered_tile_count, 3);
  free(pkt);
}

/* nnrp-cs's stale vector breaks S12 (its first section claims 104 bytes over 2, §15 D2). */
static void test_stale_vector_rejected(void) {
  size_t len;
  uint8_t *pkt = read_vector("result_push_stale.bin", &len);
  if (!pkt) return;
  nnrp_result_push_meta m;
  nnrp_data_body b;
  nnrp_diag d = {0, 0};
  CHECK_EQ(len, 202);
  CHECK_RC(decode_result(pkt, len, 0, &m, &b, &d), NNRP_ERR_SECTION_PAYLOAD_SUM);
  CHECK_EQ(d.error, NNRP_ERR_SECTION_PAYLOAD_SUM);
  CHECK_EQ(d.offset, 8); /* the first section, after the 4-byte tile index and padding */
  CHECK_EQ(m.result_flags, NNRP_RESULT_FLAG_STALE | NNRP_RESULT_FLAG_PARTIAL);
  CHECK_EQ(m.result_class, NNRP_RESULT_PARTIAL);
  CHECK_EQ(m.covered_tile_count, 1);
  CHECK_EQ(m.dropped_tile_count, 1);
  CHECK_RC(decode_result(pkt, len, NNRP_DECODE_PY_COMPAT, &m, &b, NULL),
           NNRP_ERR_SECTION_PAYLOAD_SUM);
  /* Through the packet decoder the offset is relative to the packet. */
  nnrp_packet p;
  CHECK_RC(nnrp_packet_decode(&p, pkt, len, NULL, &d), NNRP_ERR_SECTION_PAYLOAD_SUM);
  CHECK_EQ(d.offset, 104 + 8);
  free(pkt);
}

static void test_drop_vector(void) {
  size_t len;
  uint8_t *pkt = read_vector("result_drop.bin", &len);
  if (!pkt) return;
  nnrp_header h;
  CHECK_EQ(len, 40);
  CHECK_RC(nnrp_header_decode(&h, pkt, len, NULL), 0);
  CHECK_EQ(h.msg_type, NNRP_MSG_RESULT_DROP);
  CHECK_EQ(h.flags, NNRP_FLAG_CAN_DROP);
  CHECK_EQ(h.meta_len, 0);
  CHECK_EQ(h.body_len, 0);
  CHECK_EQ(h.session_id, 100);
  CHECK_EQ(h.frame_id, 5);
  CHECK_EQ(h.trace_id, 0xFFFFFFFFu);
  free(pkt);
}

/* Every RESULT_PUSH packet the reference rejects, with the code of the rule it names. */
typedef struct invalid_case {
  const char *name;
  int error;
} invalid_case;

static const invalid_case INVALID[] = {
    {"result_push.meta_len_65", NNRP_ERR_META_LEN},
    {"result_push.result_flags_0x8", NNRP_ERR_RESULT_FLAGS_BITS},
    {"result_push.result_class_4", NNRP_ERR_RESULT_CLASS},
    {"result_push.applied_budget_0x20", NNRP_ERR_BUDGET_POLICY_BITS},
    {"result_push.payload_kind_0x100", NNRP_ERR_PAYLOAD_KIND_BITS},
    {"result_push.covered_gt_tile_count", NNRP_ERR_COVERAGE_COVERED},
    {"result_push.dropped_gt_tile_count", NNRP_ERR_COVERAGE_DROPPED},
    {"result_push.covered_plus_dropped_ne_tile_count", NNRP_ERR_COVERAGE_SUM},
    {"result_push.partial_class_no_drop", NNRP_ERR_COVERAGE_PARTIAL},
    {"result_push.partial_flag_no_drop", NNRP_ERR_COVERAGE_PARTIAL},
    {"result_push.partial_dropped_zeroed", NNRP_ERR_COVERAGE_PARTIAL},
    {"result_push_typed.tile_count_without_tensor_bit", NNRP_ERR_NON_TENSOR_FIELD},
    {"result_push.legacy.role_id_decreasing", NNRP_ERR_SECTION_ORDER},
    {"result_push.legacy.odd_tile_index_bytes", NNRP_ERR_RESULT_TILE_INDEX_LEN},
    {"result_push.legacy.length_sum_ne_payload", NNRP_ERR_SECTION_PAYLOAD_SUM},
    {"result_push.legacy.trailing_bytes", NNRP_ERR_TENSOR_TRAILING},
    {"result_push.legacy.nonzero_padding_after_index", NNRP_ERR_TENSOR_BODY_ALIGN},
    {"result_push.legacy.section_count_mismatch", NNRP_ERR_SECTION_ALIGN_TRUNCATED},
    {"typed.result_push_kind_not_declared", NNRP_ERR_TYPED_KIND_UNDECLARED},
    {"ext.unknown_critical_result_push", NNRP_ERR_EXT_FRAME_CRITICAL},
    {"result.refs_not_strictly_ordered", NNRP_ERR_RESULT_REF_ORDER},
    {"result.refs_duplicate_key", NNRP_ERR_RESULT_REF_ORDER},
    {"result.duplicate_inline_tile_index", NNRP_ERR_RESULT_DUP_INLINE},
    {"result.duplicate_tile_index_refs", NNRP_ERR_RESULT_DUP_REF},
    {"result.tile_index_inline_and_ref", NNRP_ERR_RESULT_REF_AND_INLINE},
    {"result.section_table_inline_and_ref", NNRP_ERR_RESULT_REF_AND_INLINE},
    {"result.inline_tile_index_bytes_mismatch", NNRP_ERR_RESULT_TILE_INDEX_BYTES},
    {"result.missing_tile_index", NNRP_ERR_RESULT_TILE_INDEX_MISSING},
    {"result.referenced_tile_index_nonzero_bytes", NNRP_ERR_RESULT_TILE_INDEX_REFERENCED},
    {"result.missing_section_table", NNRP_ERR_RESULT_SECTION_TABLE_MISSING},
    {"result.region_coverage_mismatch", NNRP_ERR_COVERAGE_SUM},
    {"result.region_partial_no_drop", NNRP_ERR_COVERAGE_PARTIAL},
    {"result.region_body_flags", NNRP_ERR_PRELUDE_BODY_FLAGS},
};

static uint8_t *example_bytes(json_t *list, const char *name, size_t *len) {
  size_t i;
  json_t *e;
  json_array_foreach(list, i, e) {
    if (strcmp(json_string_value(json_object_get(e, "name")), name) == 0)
      return test_hex_decode(json_string_value(json_object_get(e, "hex")), len);
  }
  return NULL;
}

static void test_invalid_examples(void) {
  json_error_t jerr;
  json_t *root = json_load_file(test_vector_path("invalid-examples.json"), 0, &jerr);
  CHECK(root != NULL);
  if (!root) return;
  json_t *examples = json_object_get(root, "examples");
  size_t seen = 0, i;
  json_t *e;
  /* Every RESULT_PUSH example of the file is in the table. */
  json_array_foreach(examples, i, e) {
    const char *hex = json_string_value(json_object_get(e, "hex"));
    if (strlen(hex) < 14 || strncmp(hex + 12, "12", 2) != 0) continue;
    seen++;
    int known = 0;
    for (size_t k = 0; k < sizeof(INVALID) / sizeof(INVALID[0]); k++)
      known |= strcmp(INVALID[k].name, json_string_value(json_object_get(e, "name"))) == 0;
    if (!known)
      fprintf(stderr, "  unlisted example %s\n", json_string_value(json_object_get(e, "name")));
    CHECK(known);
  }
  CHECK_EQ(seen, sizeof(INVALID) / sizeof(INVALID[0]));
  for (size_t k = 0; k < sizeof(INVALID) / sizeof(INVALID[0]); k++) {
    size_t len;
    uint8_t *pkt = example_bytes(examples, INVALID[k].name, &len);
    CHECK(pkt != NULL);
    if (!pkt) continue;
    nnrp_result_push_meta m;
    nnrp_data_body b;
    for (int profile = 0; profile < 2; profile++) {
      int rc = decode_result(pkt, len, profile ? NNRP_DECODE_PY_COMPAT : 0, &m, &b, NULL);
      if (rc != INVALID[k].error) fprintf(stderr, "  example %s\n", INVALID[k].name);
      CHECK_RC(rc, INVALID[k].error);
    }
    free(pkt);
  }
  /* Accepted by the reference: PY profile accepts, strict rejects (C6 only on request). */
  json_t *accepts = json_object_get(root, "oracle_accepts");
  size_t len;
  nnrp_result_push_meta m;
  nnrp_data_body b;
  uint8_t *pkt = example_bytes(accepts, "result_push.reserved5_nonzero", &len);
  CHECK(pkt != NULL);
  if (pkt) {
    CHECK_RC(decode_result(pkt, len, 0, &m, &b, NULL), NNRP_ERR_META_RESERVED);
    CHECK_RC(decode_result(pkt, len, NNRP_DECODE_PY_COMPAT, &m, &b, NULL), 0);
    CHECK_EQ(m.reserved5, 1);
    free(pkt);
  }
  pkt = example_bytes(accepts, "result_push.stale_class_reused_zero", &len);
  CHECK(pkt != NULL);
  if (pkt) {
    CHECK_RC(decode_result(pkt, len, 0, &m, &b, NULL), 0);
    CHECK_RC(decode_result(pkt, len, NNRP_DECODE_PY_COMPAT, &m, &b, NULL), 0);
    CHECK_RC(decode_result(pkt, len, NNRP_DECODE_STRICT_C6, &m, &b, NULL),
             NNRP_ERR_COVERAGE_STALE_REUSE);
    free(pkt);
  }
  json_decref(root);
}

int main(void) {
  RUN(test_golden_metadata);
  RUN(test_meta_init_and_length);
  RUN(test_meta_rules);
  RUN(test_non_tensor_fields);
  RUN(test_coverage);
  RUN(test_fresh_vector);
  RUN(test_stale_vector_rejected);
  RUN(test_drop_vector);
  RUN(test_invalid_examples);
  return TEST_REPORT();
}
