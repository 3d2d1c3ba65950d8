/*
 * nnrp_bench_wire: nanoseconds per operation of the wire codecs.
 *
 *   nnrp_bench_wire [--quick] [--filter TEXT] [--json]
 *
 * Each case runs a batch of operations sized so that one batch lasts a few milliseconds,
 * once to warm up and then several times; the median batch gives ns/op.  Inputs vary a
 * little per operation and every result feeds a checksum, so the compiler cannot hoist or
 * drop the work.  Targets and the reference SDK figures are printed beside the results,
 * never asserted: a slow machine is not a failure.  --json prints the results as one JSON
 * object instead of the table (bench/interop_bench.py reads it).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnnrp/wire.h>

#include "bench_clock.h"

/* ---- harness --------------------------------------------------------------------------------- */

static uint64_t checksum; /* every result is folded in; printed at the end */
static int failures;      /* non-zero return codes seen while measuring */

static void fold(int rc, uint64_t v) {
  if (rc != 0) failures++;
  checksum = checksum * 31u + v + (uint64_t)(unsigned)rc;
}

typedef void (*bench_fn)(size_t iterations);

static int quick;

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median ns per operation of fn; *best gets the fastest batch (least disturbed by other
 * processes). */
static double measure(bench_fn fn, double *best) {
  const uint64_t batch_ns = quick ? 2000000u : 20000000u;
  const int reps = quick ? 3 : 11;
  size_t n = 1;
  for (;;) { /* grow the batch until it lasts batch_ns (this also warms up) */
    uint64_t t0 = bench_now_ns();
    fn(n);
    uint64_t dt = bench_now_ns() - t0;
    if (dt >= batch_ns || n >= ((size_t)1 << 40)) break;
    n = dt < batch_ns / 64 ? n * 16 : n * 2;
  }
  double per_op[16];
  for (int r = 0; r < reps; r++) {
    uint64_t t0 = bench_now_ns();
    fn(n);
    per_op[r] = (double)(bench_now_ns() - t0) / (double)n;
  }
  qsort(per_op, (size_t)reps, sizeof(per_op[0]), cmp_double);
  *best = per_op[0];
  return per_op[reps / 2];
}

/* ---- shared inputs -------------------------------------------------------------------------- */

static const nnrp_packet_params params = {7, 42, 1, 0, 0x1122334455667788u, 0};

static nnrp_header header;
static uint8_t header_bytes[NNRP_HEADER_LEN];

static nnrp_client_hello_meta client_hello;
static nnrp_server_hello_ack_meta server_hello_ack;
static uint8_t client_hello_bytes[NNRP_CLIENT_HELLO_META_LEN];
static uint8_t server_hello_ack_bytes[NNRP_SERVER_HELLO_ACK_META_LEN];
static nnrp_ext_entry client_exts[3], server_exts[3];
static uint8_t client_ext_buf[3][8], server_ext_buf[3][8];
static const uint8_t auth_token[32] = "bench-token-0123456789abcdefghi";
static uint8_t hello_packets[2][512];
static size_t hello_packet_len[2];

static nnrp_frame_submit_meta submit_meta;
static nnrp_result_push_meta result_meta;
static uint8_t submit_meta_bytes[NNRP_FRAME_SUBMIT_META_LEN];
static uint8_t result_meta_bytes[NNRP_RESULT_PUSH_META_LEN];

/* 4 x 1 KiB tensor: one section of four 1 KiB tiles plus a RAW_U16 tile index. */
enum { SMALL_TILES = 4, SMALL_TILE_BYTES = 1024 };
static uint8_t small_payload[SMALL_TILES][SMALL_TILE_BYTES];
static nnrp_vec small_tiles[SMALL_TILES];
static const uint16_t small_ids[SMALL_TILES] = {10, 11, 12, 13};
static nnrp_tensor_section_data small_section;
static uint8_t small_body[8192];
static size_t small_body_len;
static size_t small_tile_index_len;
static uint8_t small_out[SMALL_TILES * SMALL_TILE_BYTES];
static uint8_t small_scratch[1024];
static nnrp_vec small_iov[16];
static uint8_t small_packet[8192];

/* Mixed FRAME_SUBMIT: the 4 x 1 KiB tensor plus a token chunk and a structured event. */
static nnrp_typed_frame mixed_frames[2];
static const char token_text[] = "the quick brown fox jumps over the lazy dog, 64 bytes of tokens.";
static const char event_json[] = "{\"type\":\"detection\",\"label\":\"person\",\"score\":0.97}";
static uint8_t mixed_packet[8192];
static size_t mixed_packet_len;

/* 16 MiB tensor body: one section of sixteen 1 MiB tiles. */
enum { BIG_TILES = 16, BIG_TILE_BYTES = 1 << 20, BIG_BYTES = BIG_TILES * BIG_TILE_BYTES };
static uint8_t *big_payload;
static uint8_t *big_out;    /* encode and memcpy destination */
static uint8_t *big_packet; /* a packet kept for the decode case */
static nnrp_vec big_tiles[BIG_TILES];
static uint16_t big_ids[BIG_TILES];
static nnrp_tensor_section_data big_section;
static size_t big_packet_len;
static size_t big_structural_bytes;
static size_t big_iov_count;
static uint8_t big_scratch[4096];
static nnrp_vec big_iov[64];

static void die(const char *what, int rc) {
  fprintf(stderr, "nnrp_bench_wire: %s failed: %d (%s)\n", what, rc,
          nnrp_err_name(rc) ? nnrp_err_name(rc) : "?");
  exit(1);
}

static void setup_control(void) {
  header.version_major = NNRP_VERSION_MAJOR;
  header.wire_format = NNRP_WIRE_FORMAT;
  header.msg_type = NNRP_MSG_FRAME_SUBMIT;
  header.header_len = NNRP_HEADER_LEN;
  header.flags = NNRP_FLAG_ACK_REQUIRED | NNRP_FLAG_KEYFRAME;
  header.meta_len = NNRP_FRAME_SUBMIT_META_LEN;
  header.body_len = 4096;
  header.session_id = 7;
  header.frame_id = 11;
  header.view_id = 2;
  header.trace_id = 123456789;

  client_hello.min_version_major = 1;
  client_hello.max_version_major = 1;
  client_hello.supported_wire_format_bitmap = 1;
  client_hello.supported_profile_bitmap = 0x3;
  client_hello.supported_payload_kind_bitmap = 0x7F;
  client_hello.supported_codec_bitmap = 0x1;
  client_hello.supported_compression_bitmap = 0x1;
  client_hello.supported_dtype_bitmap = 0xFF;
  client_hello.supported_layout_bitmap = 0x3;
  client_hello.max_lane_count = 4;
  client_hello.target_cadence_x100 = 3000;
  client_hello.latency_budget_ms = 33;
  client_hello.auth_bytes = sizeof(auth_token);

  server_hello_ack.selected_version_major = 1;
  server_hello_ack.session_id = 7;
  server_hello_ack.accepted_profile_bitmap = 0x1;
  server_hello_ack.accepted_payload_kind_bitmap = 0x3;
  server_hello_ack.accepted_codec_bitmap = 0x1;
  server_hello_ack.accepted_dtype_bitmap = 0x1;
  server_hello_ack.accepted_layout_bitmap = 0x1;
  server_hello_ack.max_lane_count = 4;
  server_hello_ack.max_concurrent_frames = 8;
  server_hello_ack.max_body_bytes = 32u << 20;

  int rc;
  nnrp_transport_policy_ext tp = {NNRP_TRANSPORT_POLICY_PREFER_QUIC, 0, NNRP_TRANSPORT_QUIC};
  nnrp_loss_tolerance_ext lt = {NNRP_LOSS_BEST_EFFORT, 8};
  nnrp_payload_caps_ext pc = {0x7F, 0};
  if ((rc = nnrp_ext_transport_policy_build(NNRP_EXT_TRANSPORT_POLICY, &tp, 0, client_ext_buf[0],
                                            &client_exts[0])))
    die("transport policy extension", rc);
  if ((rc = nnrp_ext_loss_tolerance_build(NNRP_EXT_LOSS_TOLERANCE, &lt, 0, client_ext_buf[1],
                                          &client_exts[1])))
    die("loss tolerance extension", rc);
  if ((rc = nnrp_ext_payload_caps_build(NNRP_EXT_PAYLOAD_CAPABILITIES, &pc, 0, client_ext_buf[2],
                                        &client_exts[2])))
    die("payload capabilities extension", rc);
  tp.accepted_transport_policy = NNRP_TRANSPORT_POLICY_PREFER_QUIC;
  pc.payload_kind_bitmap = 0x3;
  if ((rc = nnrp_ext_transport_policy_build(NNRP_EXT_TRANSPORT_POLICY_ACK, &tp, 0,
                                            server_ext_buf[0], &server_exts[0])))
    die("transport policy ack extension", rc);
  if ((rc = nnrp_ext_loss_tolerance_build(NNRP_EXT_LOSS_TOLERANCE_ACK, &lt, 0, server_ext_buf[1],
                                          &server_exts[1])))
    die("loss tolerance ack extension", rc);
  if ((rc = nnrp_ext_payload_caps_build(NNRP_EXT_PAYLOAD_CAPABILITIES_ACK, &pc, 0,
                                        server_ext_buf[2], &server_exts[2])))
    die("payload capabilities ack extension", rc);
  client_hello.control_extension_bytes = (uint32_t)nnrp_ext_block_len(client_exts, 3);
  server_hello_ack.control_extension_bytes = (uint32_t)nnrp_ext_block_len(server_exts, 3);

  nnrp_frame_submit_meta_init(&submit_meta);
  submit_meta.src_width = 640;
  submit_meta.src_height = 360;
  submit_meta.tile_width = 32;
  submit_meta.tile_height = 32;
  submit_meta.tile_count = 84;
  submit_meta.section_count = 2;
  submit_meta.frame_class = NNRP_FRAME_DELTA;
  submit_meta.input_profile = NNRP_INPUT_CHANGED_TILES_LUMA;
  submit_meta.tile_index_mode = NNRP_TILE_RAW_U16;
  submit_meta.latency_budget_ms = 100;
  submit_meta.target_fps_x100 = 6000;
  submit_meta.tile_index_bytes = 168;
  nnrp_result_push_meta_init(&result_meta);
  result_meta.section_count = 1;
  result_meta.tile_count = 84;
  result_meta.inference_ms = 12;
  result_meta.queue_ms = 1;
  result_meta.server_total_ms = 14;
  result_meta.tile_index_bytes = 168;
  result_meta.covered_tile_count = 84;

  if ((rc = nnrp_header_encode(&header, header_bytes))) die("header encode", rc);
  if ((rc = nnrp_client_hello_meta_encode(&client_hello, client_hello_bytes)))
    die("CLIENT_HELLO metadata encode", rc);
  if ((rc = nnrp_server_hello_ack_meta_encode(&server_hello_ack, server_hello_ack_bytes)))
    die("SERVER_HELLO_ACK metadata encode", rc);
  if ((rc = nnrp_frame_submit_meta_encode(&submit_meta, submit_meta_bytes)))
    die("FRAME_SUBMIT metadata encode", rc);
  if ((rc = nnrp_result_push_meta_encode(&result_meta, result_meta_bytes)))
    die("RESULT_PUSH metadata encode", rc);
}

static void section_init(nnrp_tensor_section_data *s, const nnrp_vec *tiles, size_t n) {
  memset(s, 0, sizeof(*s));
  s->role_id = 1;
  s->default_codec_id = 0;
  s->dtype_id = NNRP_DTYPE_FP16;
  s->layout_id = NNRP_LAYOUT_NHWC;
  s->element_count_per_tile = 512;
  s->tile_payloads = tiles;
  s->tile_payload_count = n;
}

/* Legacy tensor body: tile index, padding, section sequence (what tensor_body_unpack reads). */
static int tensor_body_pack(const uint16_t *ids, size_t n, const nnrp_tensor_section_data *s,
                            nnrp_sink *sink) {
  size_t start = sink->total;
  int rc = nnrp_tile_index_encode(ids, n, NNRP_TILE_RAW_U16, 0, sink);
  if (rc) return rc;
  return nnrp_section_seq_encode(s, 1, n, start, sink);
}

static void setup_tensors(void) {
  for (size_t t = 0; t < SMALL_TILES; t++) {
    for (size_t i = 0; i < SMALL_TILE_BYTES; i++) small_payload[t][i] = (uint8_t)(t * 7 + i);
    small_tiles[t].base = small_payload[t];
    small_tiles[t].len = SMALL_TILE_BYTES;
  }
  section_init(&small_section, small_tiles, SMALL_TILES);
  small_tile_index_len = 2 * SMALL_TILES;
  nnrp_sink sink;
  nnrp_sink_init_buffer(&sink, small_body, sizeof(small_body));
  int rc = tensor_body_pack(small_ids, SMALL_TILES, &small_section, &sink);
  if (rc) die("4 x 1 KiB tensor pack", rc);
  small_body_len = sink.len;

  mixed_frames[0].payload_kind = NNRP_PAYLOAD_TOKEN_CHUNK;
  mixed_frames[0].payload.base = (const uint8_t *)token_text;
  mixed_frames[0].payload.len = sizeof(token_text) - 1;
  mixed_frames[1].payload_kind = NNRP_PAYLOAD_STRUCTURED_EVENT;
  mixed_frames[1].payload.base = (const uint8_t *)event_json;
  mixed_frames[1].payload.len = sizeof(event_json) - 1;

  big_payload = malloc(BIG_BYTES);
  big_out = malloc(BIG_BYTES + 65536);
  big_packet = malloc(BIG_BYTES + 65536);
  if (!big_payload || !big_out || !big_packet) die("16 MiB allocation", NNRP_ERR_NOMEM);
  for (size_t i = 0; i < BIG_BYTES; i++) big_payload[i] = (uint8_t)(i * 131u >> 3);
  memset(big_out, 0, BIG_BYTES + 65536); /* fault the pages in before timing */
  for (size_t t = 0; t < BIG_TILES; t++) {
    big_tiles[t].base = big_payload + t * BIG_TILE_BYTES;
    big_tiles[t].len = BIG_TILE_BYTES;
    big_ids[t] = (uint16_t)t;
  }
  section_init(&big_section, big_tiles, BIG_TILES);
}

static void frame_submit_input(nnrp_frame_submit_input *in) {
  nnrp_frame_submit_input_init(in);
  in->packet = params;
  in->src_width = 640;
  in->src_height = 360;
  in->tile_width = 32;
  in->tile_height = 32;
  in->tile_ids = small_ids;
  in->tile_id_count = SMALL_TILES;
  in->sections = &small_section;
  in->section_count = 1;
  in->frames = mixed_frames;
  in->frame_count = 2;
}

static void result_push_input(nnrp_result_push_input *in, const uint16_t *ids, size_t n,
                              const nnrp_tensor_section_data *s) {
  nnrp_result_push_input_init(in);
  in->packet = params;
  in->tile_ids = ids;
  in->tile_id_count = n;
  in->sections = s;
  in->section_count = 1;
}

/* ---- cases ---------------------------------------------------------------------------------- */

static void b_header_encode(size_t n) {
  for (size_t i = 0; i < n; i++) {
    header.frame_id = (uint32_t)i;
    int rc = nnrp_header_encode(&header, header_bytes);
    KEEP(header_bytes);
    fold(rc, header_bytes[24]);
  }
  header.frame_id = 11;
}

static void b_header_decode(size_t n) {
  nnrp_header h;
  for (size_t i = 0; i < n; i++) {
    header_bytes[24] = (uint8_t)i;
    KEEP(header_bytes);
    int rc = nnrp_header_decode(&h, header_bytes, sizeof(header_bytes), NULL);
    fold(rc, h.frame_id + h.body_len);
  }
}

static void b_header_both(size_t n) {
  nnrp_header h;
  for (size_t i = 0; i < n; i++) {
    header.frame_id = (uint32_t)i;
    int rc = nnrp_header_encode(&header, header_bytes);
    KEEP(header_bytes);
    rc |= nnrp_header_decode(&h, header_bytes, sizeof(header_bytes), NULL);
    fold(rc, h.frame_id);
  }
}

static void b_hello_meta_encode(size_t n) {
  for (size_t i = 0; i < n; i++) {
    client_hello.requested_session_id = (uint32_t)i;
    server_hello_ack.session_id = (uint32_t)i;
    int rc = nnrp_client_hello_meta_encode(&client_hello, client_hello_bytes);
    rc |= nnrp_server_hello_ack_meta_encode(&server_hello_ack, server_hello_ack_bytes);
    KEEP(client_hello_bytes);
    KEEP(server_hello_ack_bytes);
    fold(rc, client_hello_bytes[52] + server_hello_ack_bytes[4]);
  }
}

static void b_hello_meta_decode(size_t n) {
  nnrp_client_hello_meta c;
  nnrp_server_hello_ack_meta s;
  for (size_t i = 0; i < n; i++) {
    client_hello_bytes[52] = (uint8_t)i;
    KEEP(client_hello_bytes);
    int rc = nnrp_client_hello_meta_decode(&c, client_hello_bytes, NNRP_CLIENT_HELLO_META_LEN, 0);
    rc |= nnrp_server_hello_ack_meta_decode(&s, server_hello_ack_bytes,
                                            NNRP_SERVER_HELLO_ACK_META_LEN, 0);
    fold(rc, c.requested_session_id + s.max_body_bytes);
  }
}

static void b_hello_build(size_t n) {
  nnrp_packet_params p = params;
  for (size_t i = 0; i < n; i++) {
    nnrp_sink sink;
    p.trace_id = i;
    nnrp_sink_init_buffer(&sink, hello_packets[0], sizeof(hello_packets[0]));
    int rc = nnrp_build_client_hello(&p, &client_hello, client_exts, 3,
                                     (nnrp_vec){auth_token, sizeof(auth_token)}, &sink);
    hello_packet_len[0] = sink.len;
    nnrp_sink_init_buffer(&sink, hello_packets[1], sizeof(hello_packets[1]));
    rc |= nnrp_build_server_hello_ack(&p, &server_hello_ack, server_exts, 3, &sink);
    hello_packet_len[1] = sink.len;
    KEEP(hello_packets);
    fold(rc, hello_packet_len[0] + hello_packet_len[1]);
  }
}

static void b_hello_decode(size_t n) {
  nnrp_packet p;
  for (size_t i = 0; i < n; i++) {
    hello_packets[0][32] = (uint8_t)i; /* trace_id */
    KEEP(hello_packets);
    int rc = nnrp_packet_decode(&p, hello_packets[0], hello_packet_len[0], NULL, NULL);
    uint64_t v = p.hello.present + p.hello.auth.len;
    rc |= nnrp_packet_decode(&p, hello_packets[1], hello_packet_len[1], NULL, NULL);
    fold(rc, v + p.hello.extension_count);
  }
}

static void b_data_meta_encode(size_t n) {
  for (size_t i = 0; i < n; i++) {
    submit_meta.retry_of_frame = (uint32_t)i;
    result_meta.inference_ms = (uint16_t)i;
    int rc = nnrp_frame_submit_meta_encode(&submit_meta, submit_meta_bytes);
    rc |= nnrp_result_push_meta_encode(&result_meta, result_meta_bytes);
    KEEP(submit_meta_bytes);
    KEEP(result_meta_bytes);
    fold(rc, submit_meta_bytes[20] + result_meta_bytes[12]);
  }
  submit_meta.retry_of_frame = 0;
}

static void b_data_meta_decode(size_t n) {
  nnrp_frame_submit_meta s;
  nnrp_result_push_meta r;
  for (size_t i = 0; i < n; i++) {
    submit_meta_bytes[20] = (uint8_t)i;
    result_meta_bytes[12] = (uint8_t)i;
    KEEP(submit_meta_bytes);
    KEEP(result_meta_bytes);
    int rc = nnrp_frame_submit_meta_decode(&s, submit_meta_bytes, NNRP_FRAME_SUBMIT_META_LEN, 0);
    rc |= nnrp_result_push_meta_decode(&r, result_meta_bytes, NNRP_RESULT_PUSH_META_LEN, 0);
    fold(rc, s.retry_of_frame + r.inference_ms);
  }
  submit_meta_bytes[20] = 0;
}

static void b_data_meta_both(size_t n) {
  nnrp_frame_submit_meta s;
  nnrp_result_push_meta r;
  for (size_t i = 0; i < n; i++) {
    submit_meta.retry_of_frame = (uint32_t)i;
    result_meta.inference_ms = (uint16_t)i;
    int rc = nnrp_frame_submit_meta_encode(&submit_meta, submit_meta_bytes);
    rc |= nnrp_result_push_meta_encode(&result_meta, result_meta_bytes);
    KEEP(submit_meta_bytes);
    KEEP(result_meta_bytes);
    rc |= nnrp_frame_submit_meta_decode(&s, submit_meta_bytes, NNRP_FRAME_SUBMIT_META_LEN, 0);
    rc |= nnrp_result_push_meta_decode(&r, result_meta_bytes, NNRP_RESULT_PUSH_META_LEN, 0);
    fold(rc, s.retry_of_frame + r.inference_ms);
  }
  submit_meta.retry_of_frame = 0;
}

static void small_pack_once(size_t i) {
  nnrp_sink sink;
  small_payload[0][0] = (uint8_t)i;
  nnrp_sink_init_buffer(&sink, small_body, sizeof(small_body));
  int rc = tensor_body_pack(small_ids, SMALL_TILES, &small_section, &sink);
  KEEP(small_body);
  fold(rc, sink.len);
}

/* Validate the body and the tile index, then walk the tiles: copy them out or just view them. */
static void small_unpack_once(int copy) {
  nnrp_tensor_body_view v;
  int rc = nnrp_tensor_body_unpack(&v, small_body, small_body_len, small_tile_index_len, 1,
                                   SMALL_TILES, 0, NULL);
  rc |= nnrp_tile_index_validate(v.tile_index.base, v.tile_index.len, NNRP_TILE_RAW_U16,
                                 SMALL_TILES, 0, 0);
  uint64_t acc = 0;
  nnrp_tile_iter ti;
  uint32_t id;
  nnrp_tile_iter_init(&ti, v.tile_index.base, v.tile_index.len, NNRP_TILE_RAW_U16, SMALL_TILES, 0);
  while (nnrp_tile_iter_next(&ti, &id)) acc += id;
  nnrp_section_iter it;
  nnrp_section_view s;
  nnrp_section_iter_init(&it, v.sections.base, v.sections.len, v.section_count);
  size_t off = 0;
  while (nnrp_section_iter_next(&it, &s)) {
    nnrp_section_tile_iter tt;
    nnrp_vec tile;
    nnrp_section_tile_iter_init(&tt, &s);
    while (nnrp_section_tile_iter_next(&tt, &tile)) {
      if (copy && off + tile.len <= sizeof(small_out)) {
        memcpy(small_out + off, tile.base, tile.len);
        off += tile.len;
      } else {
        acc += (uintptr_t)tile.base + tile.len;
      }
    }
  }
  KEEP(small_out);
  fold(rc, acc + off + small_out[0]);
}

static void b_small_pack(size_t n) {
  for (size_t i = 0; i < n; i++) small_pack_once(i);
}

static void b_small_unpack_copy(size_t n) {
  for (size_t i = 0; i < n; i++) {
    KEEP(small_body);
    small_unpack_once(1);
  }
}

static void b_small_both_copy(size_t n) {
  for (size_t i = 0; i < n; i++) {
    small_pack_once(i);
    small_unpack_once(1);
  }
}

static void b_small_pack_iov(size_t n) {
  for (size_t i = 0; i < n; i++) {
    nnrp_sink sink;
    nnrp_sink_init_iov(&sink, small_scratch, sizeof(small_scratch), small_iov, 16, 256);
    int rc = tensor_body_pack(small_ids, SMALL_TILES, &small_section, &sink);
    KEEP(small_iov);
    fold(rc, sink.iov_count + sink.total);
  }
}

static void b_small_both_zero_copy(size_t n) {
  for (size_t i = 0; i < n; i++) {
    nnrp_sink sink;
    nnrp_sink_init_iov(&sink, small_scratch, sizeof(small_scratch), small_iov, 16, 256);
    int rc = tensor_body_pack(small_ids, SMALL_TILES, &small_section, &sink);
    KEEP(small_iov);
    fold(rc, sink.iov_count);
    small_unpack_once(0);
  }
}

static void b_small_packet(size_t n) {
  nnrp_result_push_input in;
  result_push_input(&in, small_ids, SMALL_TILES, &small_section);
  nnrp_packet p;
  for (size_t i = 0; i < n; i++) {
    nnrp_sink sink;
    in.packet.frame_id = (uint32_t)i;
    nnrp_sink_init_buffer(&sink, small_packet, sizeof(small_packet));
    int rc = nnrp_build_result_push(&in, &sink);
    KEEP(small_packet);
    rc |= nnrp_packet_decode(&p, small_packet, sink.len, NULL, NULL);
    fold(rc, p.data.section_count + p.header.frame_id);
  }
}

static void b_mixed_build(size_t n) {
  nnrp_frame_submit_input in;
  frame_submit_input(&in);
  for (size_t i = 0; i < n; i++) {
    nnrp_sink sink;
    in.packet.frame_id = (uint32_t)i;
    nnrp_sink_init_buffer(&sink, mixed_packet, sizeof(mixed_packet));
    int rc = nnrp_build_frame_submit_mixed(&in, &sink);
    mixed_packet_len = sink.len;
    KEEP(mixed_packet);
    fold(rc, sink.len);
  }
}

static void b_mixed_decode(size_t n) {
  nnrp_packet p;
  for (size_t i = 0; i < n; i++) {
    mixed_packet[24] = (uint8_t)i; /* frame_id */
    KEEP(mixed_packet);
    int rc = nnrp_packet_decode(&p, mixed_packet, mixed_packet_len, NULL, NULL);
    nnrp_typed_frame f = {0, 0, 0, {NULL, 0}};
    if (rc == 0) nnrp_data_body_typed_frame(&p.data, 1, &f);
    fold(rc, rc == 0 ? f.payload.len + p.data.section_count : 0);
  }
}

static void b_big_encode(size_t n) {
  nnrp_result_push_input in;
  result_push_input(&in, big_ids, BIG_TILES, &big_section);
  for (size_t i = 0; i < n; i++) {
    nnrp_sink sink;
    in.packet.frame_id = (uint32_t)i;
    nnrp_sink_init_buffer(&sink, big_out, BIG_BYTES + 65536);
    int rc = nnrp_build_result_push(&in, &sink);
    big_packet_len = sink.len;
    KEEP(big_out);
    fold(rc, sink.len + big_out[sink.len - 1]);
  }
}

static void b_big_memcpy(size_t n) {
  for (size_t i = 0; i < n; i++) {
    big_payload[0] = (uint8_t)i;
    KEEP(big_payload);
    memcpy(big_out, big_payload, BIG_BYTES);
    KEEP(big_out);
    fold(0, big_out[BIG_BYTES - 1]);
  }
}

static void b_big_iov(size_t n) {
  nnrp_result_push_input in;
  result_push_input(&in, big_ids, BIG_TILES, &big_section);
  for (size_t i = 0; i < n; i++) {
    nnrp_sink sink;
    in.packet.frame_id = (uint32_t)i;
    nnrp_sink_init_iov(&sink, big_scratch, sizeof(big_scratch), big_iov, 64, 256);
    int rc = nnrp_build_result_push(&in, &sink);
    big_structural_bytes = sink.len;
    big_iov_count = sink.iov_count;
    KEEP(big_iov);
    fold(rc, sink.total);
  }
}

static void b_big_decode(size_t n) {
  nnrp_packet p;
  for (size_t i = 0; i < n; i++) {
    big_packet[24] = (uint8_t)i;
    KEEP(big_packet);
    int rc = nnrp_packet_decode(&p, big_packet, big_packet_len, NULL, NULL);
    fold(rc, p.body.len);
  }
}

/* ---- table ----------------------------------------------------------------------------------- */

typedef struct bench_case {
  const char *name;
  bench_fn fn;
  double bytes;     /* payload bytes copied per op, for MB/s; 0 = none (views, validation) */
  double target_ns; /* 0 = no target */
  const char *target;
  double ref_ns; /* nnrp-py figure for the same operation, 0 = none */
  double ns;     /* median */
  double best;   /* fastest batch */
} bench_case;

static bench_case cases[] = {
    {"header encode", b_header_encode, 0, 0, "", 0, 0, 0},
    {"header decode+validate", b_header_decode, 0, 0, "", 0, 0, 0},
    {"header encode+decode", b_header_both, 0, 20, "<= 20 ns", 1900, 0, 0},
    {"HELLO+HELLO_ACK meta encode", b_hello_meta_encode, 0, 0, "", 0, 0, 0},
    {"HELLO+HELLO_ACK meta decode", b_hello_meta_decode, 0, 0, "", 0, 0, 0},
    {"HELLO+HELLO_ACK packets build", b_hello_build, 0, 0, "", 0, 0, 0},
    {"HELLO+HELLO_ACK packets decode", b_hello_decode, 0, 0, "", 0, 0, 0},
    {"SUBMIT+RESULT meta encode", b_data_meta_encode, 0, 0, "", 0, 0, 0},
    {"SUBMIT+RESULT meta decode", b_data_meta_decode, 0, 0, "", 0, 0, 0},
    {"SUBMIT+RESULT meta enc+dec", b_data_meta_both, 0, 100, "<= 100 ns", 3200, 0, 0},
    {"4x1KiB tensor pack (copy)", b_small_pack, 4096, 0, "", 0, 0, 0},
    {"4x1KiB tensor unpack (copy out)", b_small_unpack_copy, 4096, 0, "", 0, 0, 0},
    {"4x1KiB pack+unpack (copies)", b_small_both_copy, 4096, 500, "<= 500 ns", 16500, 0, 0},
    {"4x1KiB tensor pack (sg)", b_small_pack_iov, 0, 0, "", 0, 0, 0},
    {"4x1KiB pack+unpack (zero-copy)", b_small_both_zero_copy, 0, 100, "<= 100 ns", 0, 0, 0},
    {"RESULT_PUSH 4x1KiB build+decode", b_small_packet, 4096, 0, "", 0, 0, 0},
    {"mixed SUBMIT (tensor+typed) build", b_mixed_build, 4096, 0, "", 0, 0, 0},
    {"mixed SUBMIT (tensor+typed) decode", b_mixed_decode, 0, 0, "", 0, 0, 0},
    {"16MiB tensor body encode", b_big_encode, BIG_BYTES, 0, ">= 0.8x memcpy", 0, 0, 0},
    {"16MiB memcpy", b_big_memcpy, BIG_BYTES, 0, "", 0, 0, 0},
    {"16MiB tensor body encode (sg)", b_big_iov, 0, 0, "", 0, 0, 0},
    {"16MiB packet decode+validate", b_big_decode, 0, 0, "", 0, 0, 0},
};
enum { CASE_COUNT = sizeof(cases) / sizeof(cases[0]) };

static bench_case *find_case(bench_fn fn) {
  for (size_t i = 0; i < CASE_COUNT; i++)
    if (cases[i].fn == fn) return &cases[i];
  return NULL;
}

static void format_time(char *out, size_t cap, double ns) {
  if (ns < 1e3)
    snprintf(out, cap, "%.1f", ns);
  else if (ns < 1e6)
    snprintf(out, cap, "%.0f", ns);
  else
    snprintf(out, cap, "%.3g", ns);
}

/* {"cases": [{"name", "ns", "best"}...], "checksum"} of the cases that ran. */
static void print_json(void) {
  printf("{\"cases\": [");
  const char *sep = "";
  for (size_t i = 0; i < CASE_COUNT; i++) {
    if (cases[i].ns <= 0) continue;
    printf("%s\n  {\"name\": \"%s\", \"ns\": %.3f, \"best\": %.3f}", sep, cases[i].name,
           cases[i].ns, cases[i].best);
    sep = ",";
  }
  printf("\n], \"checksum\": \"%016llx\"}\n", (unsigned long long)checksum);
}

int main(int argc, char **argv) {
  const char *filter = NULL;
  int json = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) {
      quick = 1;
    } else if (strcmp(argv[i], "--json") == 0) {
      json = 1;
    } else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc) {
      filter = argv[++i];
    } else {
      fprintf(stderr, "usage: %s [--quick] [--filter TEXT] [--json]\n", argv[0]);
      return 2;
    }
  }
  setup_control();
  setup_tensors();
  /* The decode cases read what the encode cases produced; prime those outputs once. */
  b_hello_build(1);
  b_mixed_build(1);
  b_big_encode(1);
  memcpy(big_packet, big_out, big_packet_len);
  if (failures) die("priming the decode inputs", -1);

  if (!json)
    printf("%-36s %10s %10s %12s %16s %10s\n", "operation", "ns/op", "best", "ops/s", "target",
           "vs nnrp-py");
  for (size_t i = 0; i < CASE_COUNT; i++) {
    bench_case *c = &cases[i];
    if (filter && !strstr(c->name, filter)) continue;
    int before = failures;
    c->ns = measure(c->fn, &c->best);
    if (failures != before) {
      fprintf(json ? stderr : stdout, "%-36s %10s (an operation returned an error)\n", c->name,
              "FAILED");
      c->ns = 0;
      continue;
    }
    if (json) continue;
    char ns[32], best[32], target[40] = "", ref[32] = "";
    format_time(ns, sizeof(ns), c->ns);
    format_time(best, sizeof(best), c->best);
    if (c->target[0])
      snprintf(target, sizeof(target), "%s %s", c->target,
               c->target_ns == 0 ? "" : (c->ns <= c->target_ns ? "ok" : "MISS"));
    if (c->ref_ns > 0) snprintf(ref, sizeof(ref), "%.0fx", c->ref_ns / c->ns);
    printf("%-36s %10s %10s %12.0f %16s %10s", c->name, ns, best, 1e9 / c->ns, target, ref);
    if (c->bytes > 0) printf("  %8.0f MB/s", c->bytes / c->ns * 1e3);
    printf("\n");
  }

  const bench_case *enc = find_case(b_big_encode), *cpy = find_case(b_big_memcpy);
  const bench_case *sg = find_case(b_big_iov);
  if (json) print_json();
  if (!json && enc->ns > 0 && cpy->ns > 0)
    printf("\n16 MiB encode vs memcpy: %.2fx memcpy speed (target >= 0.80x: %s)\n",
           cpy->ns / enc->ns, cpy->ns / enc->ns >= 0.8 ? "ok" : "MISS");
  if (!json && sg->ns > 0)
    printf("16 MiB scatter-gather: %zu structural bytes copied of %zu packet bytes, "
           "%zu iovecs, %.0fx faster than the buffer encode\n",
           big_structural_bytes, big_packet_len, big_iov_count,
           enc->ns > 0 ? enc->ns / sg->ns : 0.0);
  if (!json) printf("(checksum %016llx)\n", (unsigned long long)checksum);
  free(big_payload);
  free(big_out);
  free(big_packet);
  return failures ? 1 : 0;
}
