/*
 * Replay export of host enhance results (wire-data §13.1): RESULT_PUSH bytes equal to nnrp-py
 * 1.0.0rc2's enhance_result_to_wire_bytes() for the same host objects, and every error.
 *
 * The expected packets below were produced once with the reference helpers
 * (nnrp.tools.enhance_result_to_wire_bytes, /tmp/oracle-venv) from SimpleNamespace objects
 * holding exactly the values of the host structs built in each case, and pasted as hex.
 * spec_result is the stale two-section result of wire-data §13.2.
 */
#include <libnnrp/tools.h>

#include "test.h"
#include "tools_check.h"

/* 202 bytes */
static const char spec_result_hex[] =
    "4e4e5250010012280000000040000000620000002ebec0232a00000000000000000000000000000000000100"
    "0200020000000000000000000000000000000000040000000000000000000000000000000000000002020000"
    "2900000002000000010000000000000000000100000000006400000500000000000000000000000008000000"
    "0400000000000000000000000200000002000000616263640000000065000005000000000000000000000000"
    "0800000002000000000000000000000001000000010000006566";
/* 162 bytes */
static const char result_partial_hex[] =
    "4e4e52500100122800000000400000003a0000001c3af5cb0800000000000000311b0f6d0000000000000400"
    "0100030002000000040002000900000000000000060000000000000000000000000000000000000001010000"
    "000000000100020001000000000000000100060009000000640000050000010000000000030000000c000000"
    "030000000000000000000000000100000000000300000000000000010203";
/* 157 bytes */
static const char result_degraded_hex[] =
    "4e4e5250010012280000000040000000350000000bcf0e1b0900000004000000a85a6a850000000000000200"
    "0100020000000000000000000000000000000000040000000000000000000000000000000000000003040000"
    "0000000002000000010000000000000003000800000000006500010500000100000000000200000008000000"
    "030000000000000000000000010002000000010000007a7a79";
/* 149 bytes */
static const char result_explicit_hex[] =
    "4e4e52500100122800000000400000002d000000060000000a00000000000000050000000000000000000200"
    "01000100000000000000000000000000000000000200000000000000000000000000000000000000030c0000"
    "0000000001000000010000000000000000000000000000006400000500000000000000000000000004000000"
    "0100000000000000000000000100000061";
/* 104 bytes */
static const char result_empty_hex[] =
    "4e4e5250010012280000000040000000000000000bcf0e1b0b00000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000100000000000000";
/* 168 bytes */
static const char result_refs_hex[] =
    "4e4e5250010012280000000040000000400000002ebec0232a00000000000000000000000000000000000100"
    "0200020000000000000000000000000000000000000000000000000000000000000000000000000002020000"
    "2900000002000000010000000000000000000000200000000000000000000000000000000000000000000000"
    "000000000200000004000000000000000100000003000000030000000000000007000000";
/* 176 bytes */
static const char result_table_ref_hex[] =
    "4e4e5250010012280000000040000000480000002ebec0232a00000000000000000000000000000000000100"
    "0200020000000000000000000000000000000000040000000000000000000000000000000000000002020000"
    "2900000002000000010000000000000018000000100000000000000000000000000000000000000000000000"
    "0000000002000000000000000400000000000000000001000000000003000000030000000000000007000000";

static nnrp_vec bytes(const char *s) {
  return (nnrp_vec){(const uint8_t *)s, strlen(s)};
}

static nnrp_host_result_tile spec_tiles[2];

/* Two delivered tiles given out of order; width and tile size inferred (2 tiles per row). */
static void spec_result(nnrp_host_result *r) {
  spec_tiles[0] = (nnrp_host_result_tile){
      .tile_x = 1, .sr_residual = bytes("cd"), .detail_residual = bytes("f")};
  spec_tiles[1] = (nnrp_host_result_tile){
      .tile_x = 0, .sr_residual = bytes("ab"), .detail_residual = bytes("e")};
  nnrp_host_result_init(r);
  r->session_id = "session-1";
  r->frame_id = 42;
  r->tiles = spec_tiles;
  r->tile_count = 2;
  r->stale = 1;
  r->reused_frame_id = 41;
}

static void check_result(const nnrp_host_result *r, const nnrp_replay_options *o, const char *hex) {
  tools_check_export(tools_export_result, r, nnrp_replay_result_scratch_len(r), o, hex);
}

static int export_rc(const nnrp_host_result *r) {
  uint8_t out[2048];
  size_t len;
  return tools_export(tools_export_result, r, NULL, nnrp_replay_result_scratch_len(r), out,
                      sizeof(out), &len);
}

static void test_spec_result(void) {
  nnrp_host_result r;
  spec_result(&r);
  check_result(&r, NULL, spec_result_hex);
}

/* Requested ids 1, 6, 9 with one delivered (2, 1 at 4 tiles per row = 6): PARTIAL, empty
 * payloads for the two undelivered ids, trace from request_id. */
static void test_partial(void) {
  static const uint32_t requested[3] = {9, 1, 6};
  nnrp_host_result_tile t = {.tile_x = 2,
                             .tile_y = 1,
                             .sr_residual = bytes("\x01\x02\x03"),
                             .sr_residual_compression = "lz4"};
  nnrp_host_result r;
  nnrp_host_result_init(&r);
  r.session_id = "12345";
  r.frame_id = 8;
  r.src_width = 64;
  r.tile_size = 16;
  r.tiles = &t;
  r.tile_count = 1;
  r.requested_tile_ids = requested;
  r.requested_tile_id_count = 3;
  r.covered_tile_count = 1;
  r.dropped_tile_count = 2;
  r.inference_ms = 4;
  r.queue_ms = 2;
  r.round_trip_ms = 9;
  r.request_id = "req-1";
  r.client_trace_id = "ignored";
  nnrp_replay_options o;
  nnrp_replay_options_init(&o);
  o.active_profile_id = 2;
  check_result(&r, &o, result_partial_hex);
}

/* Tile ids 3 and 8 (inferred width 4 tiles per row), codecs 1 and 0 (a tie: LZ4 first). */
static void test_degraded(void) {
  nnrp_host_result_tile t[2] = {
      {.tile_x = 3, .detail_residual = bytes("zz"), .detail_residual_compression = "lz4"},
      {.tile_y = 2, .detail_residual = bytes("y"), .detail_residual_compression = "none"}};
  nnrp_host_result r;
  nnrp_host_result_init(&r);
  r.session_id = "s";
  r.frame_id = 9;
  r.tiles = t;
  r.tile_count = 2;
  r.degraded = 1;
  r.client_trace_id = "t";
  nnrp_replay_options o;
  nnrp_replay_options_init(&o);
  o.view_id = 4;
  check_result(&r, &o, result_degraded_hex);
}

/* Given flags, class and policy win over the derived ones. */
static void test_explicit_outcome(void) {
  nnrp_host_result_tile t = {.sr_residual = bytes("a")};
  nnrp_host_result r;
  nnrp_host_result_init(&r);
  r.session_id = "s";
  r.frame_id = 10;
  r.tiles = &t;
  r.tile_count = 1;
  r.result_flags = NNRP_RESULT_FLAG_FALLBACK;
  r.result_class = NNRP_RESULT_DEGRADED;
  r.applied_budget_policy = NNRP_BUDGET_ALLOW_DEGRADED | NNRP_BUDGET_ALLOW_DROP;
  nnrp_replay_options o;
  nnrp_replay_options_init(&o);
  o.set = NNRP_REPLAY_SET_SESSION_ID | NNRP_REPLAY_SET_TRACE_ID;
  o.session_id = 6;
  o.trace_id = 5;
  check_result(&r, &o, result_explicit_hex);
}

static void test_empty(void) {
  nnrp_host_result r;
  nnrp_host_result_init(&r);
  r.session_id = "s";
  r.frame_id = 11;
  check_result(&r, NULL, result_empty_hex);
}

static void test_references(void) {
  nnrp_host_result r;
  /* Given section table first, tile index second: written sorted by kind. */
  const nnrp_object_ref table = {0, 0, 3, 0, 7};
  const nnrp_object_ref tiles = {NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 4, 0, 1};
  spec_result(&r);
  r.tensor_section_table_reference = &table;
  r.tile_index_reference = &tiles;
  check_result(&r, NULL, result_refs_hex);
  spec_result(&r);
  r.tensor_section_table_reference = &table;
  check_result(&r, NULL, result_table_ref_hex);
}

static void test_errors(void) {
  nnrp_host_result r;
  static const uint32_t dup[3] = {0, 1, 0}, missing[2] = {0, 5}, enough[2] = {0, 1};

  spec_result(&r);
  r.tile_size = 0;
  CHECK_RC(export_rc(&r), NNRP_ERR_REPLAY_TILE_SIZE);

  spec_result(&r);
  r.requested_tile_ids = dup;
  r.requested_tile_id_count = 3;
  CHECK_RC(export_rc(&r), NNRP_ERR_REPLAY_REQUESTED_DUPLICATE);

  spec_result(&r);
  r.requested_tile_ids = missing;
  r.requested_tile_id_count = 2;
  CHECK_RC(export_rc(&r), NNRP_ERR_REPLAY_REQUESTED_MISSING);

  /* An empty request (non-NULL, count 0) does not contain the delivered ids. */
  spec_result(&r);
  r.requested_tile_ids = enough;
  r.requested_tile_id_count = 0;
  CHECK_RC(export_rc(&r), NNRP_ERR_REPLAY_REQUESTED_MISSING);

  /* covered 2 + dropped 1 needs three ids. */
  spec_result(&r);
  r.covered_tile_count = 2;
  r.dropped_tile_count = 1;
  CHECK_RC(export_rc(&r), NNRP_ERR_REPLAY_REQUESTED_SHORT);
  r.requested_tile_ids = enough;
  r.requested_tile_id_count = 2;
  CHECK_RC(export_rc(&r), NNRP_ERR_REPLAY_REQUESTED_SHORT);
  /* Without covered_tile_count only the delivered count is expected; the builder's coverage
   * rule then finds covered (2, the default) + dropped (1) != 2 tiles. */
  r.covered_tile_count = -1;
  CHECK_RC(export_rc(&r), NNRP_ERR_COVERAGE_SUM);

  spec_result(&r);
  spec_tiles[1].tile_x = 1;
  CHECK_RC(export_rc(&r), NNRP_ERR_REPLAY_DUPLICATE_TILE);

  spec_result(&r);
  spec_tiles[0].detail_residual_compression = "gzip";
  CHECK_RC(export_rc(&r), NNRP_ERR_REPLAY_CODEC_NAME);
  /* The sr_residual name of a tile without sr_residual payloads anywhere is never read. */
  spec_result(&r);
  spec_tiles[0].sr_residual = spec_tiles[1].sr_residual = (nnrp_vec){NULL, 0};
  spec_tiles[0].sr_residual_compression = "gzip";
  CHECK_RC(export_rc(&r), 0);

  const nnrp_object_ref camera = {NNRP_OBJECT_CAMERA_BLOCK, 0, 1, 2, 3};
  spec_result(&r);
  r.tile_index_reference = &camera;
  CHECK_RC(export_rc(&r), NNRP_ERR_REF_KIND_MISMATCH);

  spec_result(&r);
  r.session_id = NULL;
  CHECK_RC(export_rc(&r), NNRP_ERR_INVALID_ARGUMENT);

  static const uint32_t far[1] = {70000};
  nnrp_host_result_init(&r);
  r.session_id = "s";
  r.requested_tile_ids = far;
  r.requested_tile_id_count = 1;
  CHECK_RC(export_rc(&r), NNRP_ERR_TILE_ID_RANGE);

  spec_result(&r);
  r.result_flags = 0x10000;
  CHECK_RC(export_rc(&r), NNRP_ERR_BUILD_FIELD_RANGE);
  /* An unknown flag bit reaches the metadata rules. */
  r.result_flags = 0x8;
  CHECK_RC(export_rc(&r), NNRP_ERR_RESULT_FLAGS_BITS);
}

/* Typed frames (a libnnrp addition): mixed with tensor content, typed-only without. */
static void test_typed_frames(void) {
  const nnrp_typed_frame tf = {NNRP_PAYLOAD_STRUCTURED_EVENT, 0, 0, {(const uint8_t *)"{}", 2}};
  nnrp_host_result r;
  uint8_t out[2048];
  size_t len;
  nnrp_packet p;
  spec_result(&r);
  r.frames = &tf;
  r.frame_count = 1;
  CHECK_RC(tools_export(tools_export_result, &r, NULL, nnrp_replay_result_scratch_len(&r), out,
                        sizeof(out), &len),
           0);
  CHECK_RC(nnrp_packet_decode(&p, out, len, NULL, NULL), 0);
  CHECK_EQ(p.meta.result_push.payload_kind_bitmap,
           NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_STRUCTURED_EVENT);
  CHECK_EQ(p.meta.result_push.result_flags, NNRP_RESULT_FLAG_STALE);
  CHECK_EQ(p.data.section_count, 2);
  CHECK_EQ(p.data.typed_frame_count, 1);

  nnrp_host_result_init(&r);
  r.session_id = "s";
  r.frames = &tf;
  r.frame_count = 1;
  CHECK_RC(tools_export(tools_export_result, &r, NULL, nnrp_replay_result_scratch_len(&r), out,
                        sizeof(out), &len),
           0);
  CHECK_RC(nnrp_packet_decode(&p, out, len, NULL, NULL), 0);
  CHECK_EQ(p.meta.result_push.payload_kind_bitmap, NNRP_PAYLOAD_STRUCTURED_EVENT);
  CHECK_EQ(p.meta.result_push.tile_count, 0);

  spec_result(&r);
  r.frames = &tf;
  r.frame_count = 1;
  r.tile_index_reference = &(nnrp_object_ref){0, 0, 1, 2, 3};
  CHECK_RC(export_rc(&r), NNRP_ERR_BUILD_INLINE_REFS);
}

int main(void) {
  RUN(test_spec_result);
  RUN(test_partial);
  RUN(test_degraded);
  RUN(test_explicit_outcome);
  RUN(test_empty);
  RUN(test_references);
  RUN(test_errors);
  RUN(test_typed_frames);
  return TEST_REPORT();
}
