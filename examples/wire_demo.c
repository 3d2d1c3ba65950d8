/*
 * wire_demo: builds NNRP/1 packets with libnnrp, decodes them again and prints what
 * came back; then decodes the reference vectors given on the command line.
 *
 *   nnrp_wire_demo [packet.bin ...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnnrp/nnrp.h>

static const char *class_names[] = {"complete", "partial", "stale_reuse", "degraded"};

static void print_packet(const char *what, const uint8_t *buf, size_t len) {
  nnrp_packet p;
  nnrp_diag diag = {0, 0};
  int rc = nnrp_packet_decode(&p, buf, len, NULL, &diag);
  if (rc != 0) {
    printf("%-28s rejected: %s (%s, rule %s) at offset %zu\n", what, nnrp_err_name(rc),
           nnrp_strerror(rc), nnrp_err_rule(rc), diag.offset);
    return;
  }
  printf("%-28s %-16s %4zu bytes session=%u frame=%u", what,
         nnrp_msg_type_name(p.header.msg_type), p.packet_len, p.header.session_id,
         p.header.frame_id);
  if (p.header.msg_type == NNRP_MSG_FRAME_SUBMIT || p.header.msg_type == NNRP_MSG_RESULT_PUSH) {
    const nnrp_data_body *b = &p.data;
    printf(" sections=%zu typed=%zu roles=", b->section_count, b->typed_frame_count);
    nnrp_section_iter it;
    nnrp_section_view s;
    nnrp_section_iter_init(&it, b->sections.base, b->sections.len, b->section_count);
    while (nnrp_section_iter_next(&it, &s)) printf("%u ", s.desc.role_id);
    if (p.header.msg_type == NNRP_MSG_RESULT_PUSH) {
      const nnrp_result_push_meta *m = &p.meta.result_push;
      printf("class=%s covered=%u dropped=%u", class_names[m->result_class & 3],
             m->covered_tile_count, m->dropped_tile_count);
    }
    for (size_t i = 0; i < b->typed_frame_count; i++) {
      nnrp_typed_frame f;
      nnrp_data_body_typed_frame(b, i, &f);
      printf(" [kind 0x%02x \"%.*s\"]", f.payload_kind, (int)f.payload.len,
             (const char *)f.payload.base);
    }
  }
  printf("\n");
}

int main(int argc, char **argv) {
  static uint8_t buf[4096];
  nnrp_sink sink;
  const uint16_t tiles[2] = {0, 1};
  const nnrp_vec luma[2] = {{(const uint8_t *)"aa", 2}, {(const uint8_t *)"bb", 2}};
  nnrp_tensor_section_data section = {.role_id = 1, .dtype_id = NNRP_DTYPE_UINT8,
                                      .tile_payloads = luma, .tile_payload_count = 2};
  const nnrp_typed_frame frames[2] = {
      {NNRP_PAYLOAD_TOKEN_CHUNK, 0, 1, {(const uint8_t *)"tok", 3}},
      {NNRP_PAYLOAD_STRUCTURED_EVENT, 0, 2, {(const uint8_t *)"{\"phase\":\"thinking\"}", 20}}};

  printf("libnnrp %s — NNRP/1 Preview2 wire demo\n\n", nnrp_version());

  /* A mixed FRAME_SUBMIT: camera, two tiles of one tensor section, tokens and an event. */
  nnrp_frame_submit_input submit;
  nnrp_frame_submit_input_init(&submit);
  submit.packet.session_id = 7;
  submit.packet.frame_id = 702;
  submit.src_width = 640, submit.src_height = 360, submit.tile_width = 32, submit.tile_height = 32;
  submit.tile_ids = tiles, submit.tile_id_count = 2;
  submit.sections = &section, submit.section_count = 1;
  submit.camera_block = (nnrp_vec){(const uint8_t *)"camera!!", 8};
  submit.frames = frames, submit.frame_count = 2;
  nnrp_sink_init_buffer(&sink, buf, sizeof(buf));
  int rc = nnrp_build_frame_submit_mixed(&submit, &sink);
  if (rc != 0) return fprintf(stderr, "build: %s\n", nnrp_strerror(rc)), 1;
  print_packet("mixed frame submit", buf, sink.total);

  /* The same packet through the scatter-gather sink: payloads are referenced, not copied. */
  uint8_t scratch[512];
  nnrp_vec iov[16];
  nnrp_sink_init_iov(&sink, scratch, sizeof(scratch), iov, 16, 1);
  rc = nnrp_build_frame_submit_mixed(&submit, &sink);
  if (rc != 0) return fprintf(stderr, "build iov: %s\n", nnrp_strerror(rc)), 1;
  printf("%-28s %zu iovecs, %zu of %zu bytes copied\n\n", "  scatter-gather", sink.iov_count,
         sink.len, sink.total);

  /* Results: one partial (a tile dropped), one degraded. */
  nnrp_result_push_input result;
  nnrp_result_push_input_init(&result);
  result.packet.session_id = 7;
  result.packet.frame_id = 702;
  result.tile_ids = tiles, result.tile_id_count = 2;
  result.sections = &section, result.section_count = 1;
  result.covered_tile_count = 1, result.dropped_tile_count = 1;
  nnrp_sink_init_buffer(&sink, buf, sizeof(buf));
  if ((rc = nnrp_build_result_push_partial(&result, &sink)) != 0)
    return fprintf(stderr, "partial: %s\n", nnrp_strerror(rc)), 1;
  print_packet("partial result", buf, sink.total);
  result.covered_tile_count = -1, result.dropped_tile_count = 0;
  nnrp_sink_init_buffer(&sink, buf, sizeof(buf));
  if ((rc = nnrp_build_result_push_degraded(&result, &sink)) != 0)
    return fprintf(stderr, "degraded: %s\n", nnrp_strerror(rc)), 1;
  print_packet("degraded result", buf, sink.total);

  /* A corrupted copy is rejected with the rule it breaks: the first tile's length-table entry
   * (body offset 8 + 32) now claims 3 bytes, so the lengths no longer add up to the payload. */
  buf[40 + 64 + 8 + 32] = 3;
  print_packet("corrupted result", buf, sink.total);

  if (argc > 1) printf("\nreference vectors:\n");
  for (int i = 1; i < argc; i++) {
    FILE *f = fopen(argv[i], "rb");
    if (!f) continue;
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    const char *name = strrchr(argv[i], '/');
    print_packet(name ? name + 1 : argv[i], buf, n);
  }
  return 0;
}
