/*
 * Replay camera block NRCM (wire-data §13.3) round trips and rejections, and the small rules
 * of §13.1 the exporters share: CRC-32 ids, codec and input-profile names, default codecs.
 *
 * The expected NRCM bytes were produced once with nnrp-py 1.0.0rc2
 * (nnrp.tools.pack_replay_camera_block(ReplayCameraBlock(view=(1.5,), prev_view_proj=(2.5,
 * 3.5), jitter_x=0.125, jitter_y=-2.0))) and the CRC values with zlib.crc32.
 */
#include <libnnrp/tools.h>

#include "test.h"
#include "tools/replay_int.h"

static const char nrcm_hex[] =
    "4e52434d010001000000020000000000003e000000c00000c03f0000204000006040";

static void test_encode(void) {
  static const float view[1] = {1.5f}, prev[2] = {2.5f, 3.5f};
  const nnrp_replay_camera c = {view, 1, NULL, 0, prev, 2, 0.125f, -2.0f};
  size_t want_len = 0;
  uint8_t *want = test_hex_decode(nrcm_hex, &want_len);
  uint8_t out[64];
  nnrp_sink s;
  CHECK_EQ(nnrp_replay_camera_encoded_len(&c), 34);
  nnrp_sink_init_buffer(&s, out, sizeof(out));
  CHECK_RC(nnrp_replay_camera_encode(&c, &s), 0);
  CHECK_MEM(out, s.total, want, want_len);
  free(want);

  /* NULL is the empty camera: the header alone. */
  static const uint8_t empty[22] = {'N', 'R', 'C', 'M', 1};
  nnrp_sink_init_buffer(&s, out, sizeof(out));
  CHECK_RC(nnrp_replay_camera_encode(NULL, &s), 0);
  CHECK_MEM(out, s.total, empty, sizeof(empty));
  CHECK_EQ(nnrp_replay_camera_encoded_len(NULL), 22);

  nnrp_sink_init_buffer(&s, out, 10);
  CHECK_RC(nnrp_replay_camera_encode(&c, &s), NNRP_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(s.total, 34);

  static float big[65536];
  const nnrp_replay_camera huge = {NULL, 0, big, 65536, NULL, 0, 0, 0};
  CHECK_EQ(nnrp_replay_camera_encoded_len(&huge), SIZE_MAX);
  CHECK_RC(nnrp_replay_camera_encode(&huge, &s), NNRP_ERR_BUILD_FIELD_RANGE);
  const nnrp_replay_camera missing = {NULL, 2, NULL, 0, NULL, 0, 0, 0};
  CHECK_RC(nnrp_replay_camera_encode(&missing, &s), NNRP_ERR_INVALID_ARGUMENT);
}

static void test_decode(void) {
  size_t len = 0;
  uint8_t *in = test_hex_decode(nrcm_hex, &len);
  nnrp_replay_camera_view v;
  nnrp_diag d = {0, 0};
  CHECK_RC(nnrp_replay_camera_decode(&v, in, len, &d), 0);
  CHECK_EQ(v.version, 1);
  CHECK(v.jitter_x == 0.125f && v.jitter_y == -2.0f);
  CHECK_EQ(v.view.len, 4);
  CHECK_EQ(v.proj.len, 0);
  CHECK_EQ(v.prev_view_proj.len, 8);
  CHECK(nnrp_replay_camera_float(v.view, 0) == 1.5f);
  CHECK(nnrp_replay_camera_float(v.prev_view_proj, 1) == 3.5f);
  CHECK(v.view.base == in + 22);

  /* Rejections, in the reference's order, with the offset of the failing field. */
  CHECK_RC(nnrp_replay_camera_decode(&v, in, 21, &d), NNRP_ERR_REPLAY_CAMERA_TRUNCATED);
  CHECK_EQ(d.offset, 0);
  in[3] = 'X';
  CHECK_RC(nnrp_replay_camera_decode(&v, in, len, &d), NNRP_ERR_REPLAY_CAMERA_MAGIC);
  in[3] = 'M';
  in[4] = 2;
  CHECK_RC(nnrp_replay_camera_decode(&v, in, len, &d), NNRP_ERR_REPLAY_CAMERA_VERSION);
  CHECK_EQ(d.offset, 4);
  in[4] = 1;
  /* The third array would need 8 bytes where 4 remain. */
  CHECK_RC(nnrp_replay_camera_decode(&v, in, len - 4, &d), NNRP_ERR_REPLAY_CAMERA_ARRAYS);
  CHECK_EQ(d.offset, 26);
  /* A count of 0xFFFF view floats. */
  in[6] = in[7] = 0xFF;
  CHECK_RC(nnrp_replay_camera_decode(&v, in, len, &d), NNRP_ERR_REPLAY_CAMERA_ARRAYS);
  CHECK_EQ(d.offset, 22);
  in[6] = 1;
  in[7] = 0;
  /* One array fewer leaves 8 bytes over. */
  in[10] = 0;
  CHECK_RC(nnrp_replay_camera_decode(&v, in, len, &d), NNRP_ERR_REPLAY_CAMERA_TRAILING);
  CHECK_EQ(d.offset, 26);
  in[10] = 2;
  /* The reserved field is not checked, as in the reference. */
  in[12] = 9;
  CHECK_RC(nnrp_replay_camera_decode(&v, in, len, &d), 0);
  CHECK_EQ(v.reserved, 9);
  free(in);
}

/* Every length of a random camera decodes back to itself; every prefix is rejected. */
static void test_round_trip(void) {
  float a[5] = {1, -2, 3.25f, 1e-30f, -0.0f}, b[3] = {7, 8, 9};
  for (size_t nv = 0; nv <= 5; nv++)
    for (size_t np = 0; np <= 3; np++) {
      const nnrp_replay_camera c = {a, nv, b, np, a, 5 - nv, (float)nv, -(float)np};
      uint8_t out[128];
      nnrp_sink s;
      nnrp_sink_init_buffer(&s, out, sizeof(out));
      CHECK_RC(nnrp_replay_camera_encode(&c, &s), 0);
      nnrp_replay_camera_view v;
      CHECK_RC(nnrp_replay_camera_decode(&v, out, s.total, NULL), 0);
      CHECK_EQ(v.view.len, 4 * nv);
      CHECK_EQ(v.proj.len, 4 * np);
      CHECK_EQ(v.prev_view_proj.len, 4 * (5 - nv));
      for (size_t i = 0; i < np; i++) CHECK(nnrp_replay_camera_float(v.proj, i) == b[i]);
      CHECK(v.jitter_x == (float)nv && v.jitter_y == -(float)np);
      for (size_t cut = 0; cut < s.total; cut++)
        CHECK(nnrp_replay_camera_decode(&v, out, cut, NULL) != 0);
    }
}

static void test_crc_and_names(void) {
  CHECK_EQ(nnrp_replay_crc32("session-1"), 599834158u);
  CHECK_EQ(nnrp_replay_crc32("host-7"), 4242734102u);
  CHECK_EQ(nnrp_replay_crc32("12345"), 3421846044u);
  CHECK_EQ(nnrp_replay_crc32(""), 0);
  CHECK_EQ(nnrp_replay_crc32(NULL), 0);
  CHECK_EQ(nnrp_replay_crc32("123456789"), 0xCBF43926u); /* the CRC-32 check value */

  uint8_t codec = 9;
  CHECK_RC(nnrpi_codec_from_name(NULL, &codec), 0);
  CHECK_EQ(codec, 0);
  CHECK_RC(nnrpi_codec_from_name(" \t", &codec), 0);
  CHECK_EQ(codec, 0);
  CHECK_RC(nnrpi_codec_from_name("NoNe", &codec), 0);
  CHECK_EQ(codec, 0);
  CHECK_RC(nnrpi_codec_from_name("\nLz4 ", &codec), 0);
  CHECK_EQ(codec, 1);
  CHECK_RC(nnrpi_codec_from_name("lz4hc", &codec), NNRP_ERR_REPLAY_CODEC_NAME);
  CHECK_RC(nnrpi_codec_from_name("l z4", &codec), NNRP_ERR_REPLAY_CODEC_NAME);

  CHECK_EQ(nnrpi_input_profile_from_name("changed_tiles_luma"), NNRP_INPUT_CHANGED_TILES_LUMA);
  CHECK_EQ(nnrpi_input_profile_from_name(" DENSE_LUMA_FRAME\n"), NNRP_INPUT_DENSE_LUMA_FRAME);
  CHECK_EQ(nnrpi_input_profile_from_name("dense"), NNRP_INPUT_UNSPECIFIED);
  CHECK_EQ(nnrpi_input_profile_from_name(NULL), NNRP_INPUT_UNSPECIFIED);

  static const uint8_t tie_lz4_first[4] = {1, 0, 0, 1}, tie_none_first[2] = {0, 1},
                       more_lz4[3] = {0, 1, 1}, more_none[3] = {1, 0, 0};
  CHECK_EQ(nnrpi_default_codec(tie_lz4_first, 4), 1);
  CHECK_EQ(nnrpi_default_codec(tie_none_first, 2), 0);
  CHECK_EQ(nnrpi_default_codec(more_lz4, 3), 1);
  CHECK_EQ(nnrpi_default_codec(more_none, 3), 0);
  CHECK_EQ(nnrpi_default_codec(NULL, 0), 0);

  CHECK_EQ(nnrpi_tiles_per_row(0, 32), 1);
  CHECK_EQ(nnrpi_tiles_per_row(96, 32), 3);
  CHECK_EQ(nnrpi_tiles_per_row(97, 32), 4);
  CHECK(nnrpi_tile_id(1, UINT64_MAX / 2, 3) == UINT64_MAX);
}

/* The sort is stable on ids: equal ids keep their input order. */
static void test_tile_order(void) {
  nnrpi_tile_order o[64];
  for (size_t i = 0; i < 64; i++) {
    o[i].id = (i * 37) % 11;
    o[i].index = i;
  }
  nnrpi_tile_order_sort(o, 64);
  for (size_t i = 1; i < 64; i++)
    CHECK(o[i - 1].id < o[i].id || (o[i - 1].id == o[i].id && o[i - 1].index < o[i].index));
  uint32_t v[9] = {5, 3, 9, 1, 3, 0, 7, 2, 8};
  nnrpi_u32_sort(v, 9);
  for (size_t i = 1; i < 9; i++) CHECK(v[i - 1] <= v[i]);
}

int main(void) {
  RUN(test_encode);
  RUN(test_decode);
  RUN(test_round_trip);
  RUN(test_crc_and_names);
  RUN(test_tile_order);
  return TEST_REPORT();
}
