/*
 * Wire summaries and renderings (wire-data §13.2): the exact lines the specification quotes,
 * the summaries of the shared vectors, size comparisons, buffer handling and rejections.
 *
 * The expected lines of the shared vectors were rendered once with nnrp-py 1.0.0rc2
 * (nnrp.tools.render_wire_summary(summarize_wire_packet(NnrpPacket.unpack(bytes)))) and
 * pasted here; the four lines of test_spec_lines are quoted from the specification.
 */
#include <jansson.h>

#include <libnnrp/tools.h>

#include "test.h"
#include "tools_check.h"

/* The frame and the result of §13.2, built by the replay exporters. */
static const float view16[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const float half16[16] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f,
                                 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
static const float minus16[16] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};

static nnrp_vec bytes(const char *s) {
  return (nnrp_vec){(const uint8_t *)s, strlen(s)};
}

static size_t spec_frame_packet(uint8_t *out, size_t cap) {
  const nnrp_replay_camera cam = {view16, 16, half16, 16, minus16, 16, 0.25f, -0.5f};
  nnrp_host_tile t[2] = {{.tile_x = 2,
                          .depth_fp16 = bytes("\x02"),
                          .luma_hint = bytes("defg"),
                          .compression_algorithm = "lz4"},
                         {.tile_x = 0, .depth_fp16 = bytes("\x01"), .luma_hint = bytes("abc")}};
  nnrp_host_frame f;
  nnrp_host_frame_init(&f);
  f.session_id = "session-1";
  f.frame_id = 42;
  f.src_width = 96;
  f.src_height = 64;
  f.tile_size = 32;
  f.tiles = t;
  f.tile_count = 2;
  f.camera = &cam;
  size_t len = 0;
  CHECK_RC(
      tools_export(tools_export_frame, &f, NULL, nnrp_replay_frame_scratch_len(&f), out, cap, &len),
      0);
  return len;
}

static size_t spec_result_packet(uint8_t *out, size_t cap) {
  nnrp_host_result_tile t[2] = {
      {.tile_x = 1, .sr_residual = bytes("cd"), .detail_residual = bytes("f")},
      {.tile_x = 0, .sr_residual = bytes("ab"), .detail_residual = bytes("e")}};
  nnrp_host_result r;
  nnrp_host_result_init(&r);
  r.session_id = "session-1";
  r.frame_id = 42;
  r.tiles = t;
  r.tile_count = 2;
  r.stale = 1;
  r.reused_frame_id = 41;
  size_t len = 0;
  CHECK_RC(tools_export(tools_export_result, &r, NULL, nnrp_replay_result_scratch_len(&r), out, cap,
                        &len),
           0);
  return len;
}

/* Summary line of a packet (subject NULL: the default). */
static void check_summary_line(const uint8_t *p, size_t len, const char *subject,
                               const char *want) {
  nnrp_wire_summary s;
  char line[512];
  size_t n = 0;
  CHECK_RC(nnrp_summarize_wire_packet(&s, p, len, subject, NULL, NULL), 0);
  CHECK_RC(nnrp_render_wire_summary(&s, line, sizeof(line), &n), 0);
  CHECK_EQ(n, strlen(want));
  if (strcmp(line, want) != 0) {
    fprintf(stderr, "  got:  %s\n  want: %s\n", line, want);
    test_failures++;
  }
}

static void check_comparison_line(const uint8_t *p, size_t len, uint64_t reference,
                                  const char *label, const char *want) {
  nnrp_wire_size_comparison c = {label, reference, {0}};
  char line[768];
  CHECK_RC(nnrp_summarize_wire_packet(&c.current, p, len, NULL, NULL, NULL), 0);
  CHECK_RC(nnrp_render_wire_size_comparison(&c, line, sizeof(line), NULL), 0);
  if (strcmp(line, want) != 0) {
    fprintf(stderr, "  got:  %s\n  want: %s\n", line, want);
    test_failures++;
  }
}

static void test_spec_lines(void) {
  uint8_t frame[1024], result[1024];
  size_t flen = spec_frame_packet(frame, sizeof(frame));
  size_t rlen = spec_result_packet(result, sizeof(result));
  check_summary_line(frame, flen, NULL,
                     "subject=frame_submit msg=FRAME_SUBMIT wire=433 meta=72 body=321 tiles=2 "
                     "sections=2 tile_index=4 camera=214 roles=1,5");
  check_comparison_line(frame, flen, 512, "protobuf",
                        "reference_label=protobuf reference=512 current=433 delta=-79 "
                        "current_ratio=84.57% subject=frame_submit msg=FRAME_SUBMIT wire=433 "
                        "meta=72 body=321 tiles=2 sections=2 tile_index=4 camera=214 roles=1,5");
  check_summary_line(result, rlen, NULL,
                     "subject=result_push msg=RESULT_PUSH wire=202 meta=64 body=98 tiles=2 "
                     "sections=2 tile_index=4 camera=0 roles=100,101 result_flags=STALE");
  check_comparison_line(result, rlen, 256, NULL,
                        "reference_label=protobuf reference=256 current=202 delta=-54 "
                        "current_ratio=78.90% subject=result_push msg=RESULT_PUSH wire=202 "
                        "meta=64 body=98 tiles=2 sections=2 tile_index=4 camera=0 "
                        "roles=100,101 result_flags=STALE");
}

static void test_comparison_edges(void) {
  uint8_t frame[1024];
  size_t flen = spec_frame_packet(frame, sizeof(frame));
  const char *tail =
      " subject=frame_submit msg=FRAME_SUBMIT wire=433 meta=72 body=321 tiles=2 "
      "sections=2 tile_index=4 camera=214 roles=1,5";
  char want[512];
  /* A zero-byte reference has no ratio; a larger packet has a positive delta. */
  snprintf(want, sizeof(want),
           "reference_label=json reference=0 current=433 delta=433 "
           "current_ratio=n/a%s",
           tail);
  check_comparison_line(frame, flen, 0, "json", want);
  /* 433 * 10000 / 100 = 43300 basis points; 433 * 10000 / 433 = 10000; / 4330 = 1000. */
  snprintf(want, sizeof(want),
           "reference_label=x reference=100 current=433 delta=333 "
           "current_ratio=433.00%%%s",
           tail);
  check_comparison_line(frame, flen, 100, "x", want);
  snprintf(want, sizeof(want),
           "reference_label=x reference=433 current=433 delta=0 "
           "current_ratio=100.00%%%s",
           tail);
  check_comparison_line(frame, flen, 433, "x", want);
  snprintf(want, sizeof(want),
           "reference_label=x reference=4330 current=433 delta=-3897 "
           "current_ratio=10.00%%%s",
           tail);
  check_comparison_line(frame, flen, 4330, "x", want);
  /* Rounded down: 433 * 10000 / 43301 = 99.997... basis points. */
  snprintf(want, sizeof(want),
           "reference_label=x reference=43301 current=433 delta=-42868 "
           "current_ratio=0.99%%%s",
           tail);
  check_comparison_line(frame, flen, 43301, "x", want);

  nnrp_wire_size_comparison c = {"x", 43301, {0}};
  CHECK_RC(nnrp_summarize_wire_packet(&c.current, frame, flen, NULL, NULL, NULL), 0);
  CHECK_EQ(nnrp_wire_size_delta(&c), -42868);
  CHECK_EQ(nnrp_wire_size_ratio_bp(&c), 99);
  c.reference_bytes = 0;
  CHECK_EQ(nnrp_wire_size_ratio_bp(&c), -1);
}

static void test_subject_and_buffers(void) {
  uint8_t frame[1024];
  size_t flen = spec_frame_packet(frame, sizeof(frame));
  check_summary_line(frame, flen, "capture",
                     "subject=capture msg=FRAME_SUBMIT wire=433 meta=72 body=321 tiles=2 "
                     "sections=2 tile_index=4 camera=214 roles=1,5");
  check_summary_line(frame, flen, "",
                     "subject=frame_submit msg=FRAME_SUBMIT wire=433 meta=72 body=321 tiles=2 "
                     "sections=2 tile_index=4 camera=214 roles=1,5");

  nnrp_wire_summary s;
  char line[256];
  size_t need = 0, n = 0;
  CHECK_RC(nnrp_summarize_wire_packet(&s, frame, flen, NULL, NULL, NULL), 0);
  CHECK_RC(nnrp_render_wire_summary(&s, NULL, 0, &need), NNRP_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(need, 116);
  /* The line needs need + 1 bytes with its NUL. */
  CHECK_RC(nnrp_render_wire_summary(&s, line, need, &n), NNRP_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(n, need);
  CHECK_EQ(line[0], '\0');
  CHECK_RC(nnrp_render_wire_summary(&s, line, need + 1, &n), 0);
  CHECK_EQ(strlen(line), need);

  uint16_t roles[4] = {0};
  CHECK_EQ(nnrp_wire_summary_roles(&s, roles, 4), 2);
  CHECK_EQ(roles[0], 1);
  CHECK_EQ(roles[1], 5);
  CHECK_EQ(nnrp_wire_summary_roles(&s, roles, 1), 2);
  CHECK_EQ(s.wire_bytes, 433);
  CHECK_EQ(s.camera_bytes, 214);
}

/* Every result_flags rendering, on the summary struct itself. */
static void test_result_flags(void) {
  static const struct {
    uint16_t flags;
    const char *text;
  } cases[] = {{0, "NONE"},
               {NNRP_RESULT_FLAG_STALE, "STALE"},
               {NNRP_RESULT_FLAG_PARTIAL | NNRP_RESULT_FLAG_STALE, "STALE|PARTIAL"},
               {NNRP_RESULT_FLAG_FALLBACK | NNRP_RESULT_FLAG_PARTIAL, "FALLBACK|PARTIAL"},
               {7, "STALE|FALLBACK|PARTIAL"}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    nnrp_wire_summary s = {.subject = "r",
                           .message_type = NNRP_MSG_RESULT_PUSH,
                           .wire_bytes = 104,
                           .metadata_bytes = 64,
                           .result_flags = cases[i].flags};
    char line[256], want[256];
    snprintf(want, sizeof(want),
             "subject=r msg=RESULT_PUSH wire=104 meta=64 body=0 tiles=0 "
             "sections=0 tile_index=0 camera=0 roles=- result_flags=%s",
             cases[i].text);
    CHECK_RC(nnrp_render_wire_summary(&s, line, sizeof(line), NULL), 0);
    CHECK(strcmp(line, want) == 0);
  }
}

static void check_vector_file(const char *name, const char *want) {
  size_t len = 0;
  uint8_t *p = test_read_file(test_vector_path(name), &len);
  CHECK(p != NULL);
  if (p) check_summary_line(p, len, NULL, want);
  free(p);
}

static void check_hex_vector(json_t *doc, const char *name, const char *want) {
  json_t *list = json_object_get(doc, "vectors");
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    if (strcmp(json_string_value(json_object_get(v, "name")), name) != 0) continue;
    size_t len = 0;
    uint8_t *p = test_hex_decode(json_string_value(json_object_get(v, "hex")), &len);
    CHECK(p != NULL);
    if (p) check_summary_line(p, len, NULL, want);
    free(p);
    return;
  }
  fprintf(stderr, "  vector %s not found\n", name);
  test_failures++;
}

static void test_shared_vectors(void) {
  check_vector_file("frame_submit_dense.bin",
                    "subject=frame_submit msg=FRAME_SUBMIT wire=3260 meta=72 body=3148 tiles=3 "
                    "sections=1 tile_index=6 camera=22 roles=5");
  check_vector_file("frame_submit_changed_tiles.bin",
                    "subject=frame_submit msg=FRAME_SUBMIT wire=171 meta=72 body=59 tiles=2 "
                    "sections=1 tile_index=4 camera=2 roles=1");
  check_vector_file("result_push_fresh.bin",
                    "subject=result_push msg=RESULT_PUSH wire=159 meta=64 body=55 tiles=3 "
                    "sections=1 tile_index=6 camera=0 roles=256 result_flags=NONE");

  json_t *doc = json_load_file(test_vector_path("wire-data-hex-vectors.json"), 0, NULL);
  CHECK(doc != NULL);
  if (!doc) return;
  check_hex_vector(doc, "python_golden.frame_submit_packet",
                   "subject=frame_submit msg=FRAME_SUBMIT wire=212 meta=72 body=100 tiles=2 "
                   "sections=2 tile_index=0 camera=3 roles=1,5");
  check_hex_vector(doc, "E3.frame_submit_typed_packet",
                   "subject=frame_submit msg=FRAME_SUBMIT wire=199 meta=72 body=87 tiles=0 "
                   "sections=0 tile_index=0 camera=0 roles=-");
  check_hex_vector(doc, "E5.frame_submit_mixed_packet",
                   "subject=frame_submit msg=FRAME_SUBMIT wire=275 meta=72 body=163 tiles=2 "
                   "sections=1 tile_index=4 camera=8 roles=1");
  check_hex_vector(doc, "E6.result_push_typed_packet",
                   "subject=result_push msg=RESULT_PUSH wire=192 meta=64 body=88 tiles=0 "
                   "sections=0 tile_index=0 camera=0 roles=- result_flags=NONE");
  check_hex_vector(doc, "E7.result_push_mixed_packet",
                   "subject=result_push msg=RESULT_PUSH wire=243 meta=64 body=139 tiles=2 "
                   "sections=1 tile_index=4 camera=0 roles=4 result_flags=NONE");
  check_hex_vector(doc, "E9.result_push_partial_packet",
                   "subject=result_push msg=RESULT_PUSH wire=156 meta=64 body=52 tiles=2 "
                   "sections=1 tile_index=4 camera=0 roles=1 result_flags=PARTIAL");
  check_hex_vector(doc, "E10.frame_submit_mixed_mode_camera_reference",
                   "subject=frame_submit msg=FRAME_SUBMIT wire=248 meta=72 body=136 tiles=2 "
                   "sections=1 tile_index=4 camera=0 roles=1");
  json_decref(doc);
}

static void test_rejections(void) {
  nnrp_wire_summary s;
  nnrp_diag d = {0, 0};
  size_t len = 0;
  uint8_t *p = test_read_file(test_vector_path("client_hello.bin"), &len);
  CHECK(p != NULL);
  CHECK_RC(nnrp_summarize_wire_packet(&s, p, len, NULL, NULL, &d), NNRP_ERR_SUMMARY_MSG_TYPE);
  CHECK_EQ(d.offset, 6);
  free(p);
  /* A malformed packet fails with the decoder's error and offset. */
  p = test_read_file(test_vector_path("result_push_stale.bin"), &len);
  CHECK(p != NULL);
  CHECK_RC(nnrp_summarize_wire_packet(&s, p, len, NULL, NULL, &d), NNRP_ERR_SECTION_PAYLOAD_SUM);
  CHECK_EQ(d.offset, 112);
  free(p);
  uint8_t frame[1024];
  size_t flen = spec_frame_packet(frame, sizeof(frame));
  CHECK_RC(nnrp_summarize_wire_packet(&s, frame, flen - 1, NULL, NULL, NULL), NNRP_ERR_INCOMPLETE);
  CHECK_RC(nnrp_summarize_packet(NULL, NULL, NULL), NNRP_ERR_INVALID_ARGUMENT);
}

int main(void) {
  RUN(test_spec_lines);
  RUN(test_comparison_edges);
  RUN(test_subject_and_buffers);
  RUN(test_result_flags);
  RUN(test_shared_vectors);
  RUN(test_rejections);
  return TEST_REPORT();
}
