/*
 * Region bodies (wire-data §9): prelude and object-reference golden bytes, inline object blocks,
 * pack/unpack of the reference packets' bodies, every B-rule with its code and diag offset, and
 * the strict D8 layout rule.  The reference SDK's rejected bodies and hostile input are in
 * test_regions_hostile.c.
 */
#include "region_test_util.h"

/* A region body written from six regions into buf (test helper over nnrp_body_pack). */
static size_t make_body(uint8_t *buf, size_t cap, const nnrp_vec regions[6]) {
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, cap);
  int rc = nnrp_body_pack(regions, &s);
  CHECK_RC(rc, 0);
  return s.len;
}

#define CHECK_UNPACK(body, len, err, off)                \
  do {                                                   \
    nnrp_diag d_;                                        \
    CHECK_RC(unpack((body), (len), 0, &d_), (err));      \
    CHECK_EQ(d_.error, (err));                           \
    CHECK_EQ(d_.offset, (off));                          \
  } while (0)

/* ---- fixed structures ----------------------------------------------------------------------- */

static void test_prelude_golden(void) {
  size_t n;
  uint8_t *want = vector("current.body_region.prelude", &n);
  if (!want) return;
  nnrp_prelude p = {24, 16, 16, 14, 16, 5, 0, 0};
  uint8_t out[32];
  nnrp_prelude_encode(&p, out);
  CHECK_MEM(out, 32, want, n);

  nnrp_prelude q;
  memset(&q, 0xAA, sizeof(q));
  nnrp_prelude_decode(&q, want);
  CHECK_EQ(q.inline_object_bytes, 24);
  CHECK_EQ(q.object_reference_bytes, 16);
  CHECK_EQ(q.typed_payload_descriptor_bytes, 16);
  CHECK_EQ(q.typed_payload_frame_bytes, 14);
  CHECK_EQ(q.extension_descriptor_bytes, 16);
  CHECK_EQ(q.extension_payload_bytes, 5);
  CHECK_EQ(q.body_flags, 0);
  CHECK_EQ(q.reserved, 0);

  /* The body pack writes the same prelude for regions of these lengths. */
  static uint8_t zeros[64];
  uint8_t desc[16] = {0x02, 0, 0, 0, 0, 0, 0, 0, 14, 0, 0, 0, 0, 0, 0, 0};
  uint8_t ext[16] = {0};
  ext[12] = 5;
  uint8_t inl[24] = {0x01, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0};
  uint8_t ref[16] = {0x02};
  nnrp_vec regions[6] = {{inl, 24}, {ref, 16}, {desc, 16}, {zeros, 14}, {ext, 16}, {zeros, 5}};
  uint8_t body[160];
  size_t len = make_body(body, sizeof(body), regions);
  CHECK_EQ(len, 32 + 24 + 16 + 16 + 14 + 16 + 5);
  CHECK_MEM(body, 32, want, n);
  nnrp_diag d;
  CHECK_RC(unpack(body, len, 0, &d), 0);
  free(want);
}

static void test_object_ref_golden(void) {
  size_t n;
  uint8_t *want = vector("current.object_reference.tile_index_block", &n);
  if (!want) return;
  nnrp_object_ref r = {NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 7, 0x11223344, 0x55667788};
  uint8_t out[16];
  nnrp_object_ref_encode(&r, out);
  CHECK_MEM(out, 16, want, n);

  uint8_t two[32];
  nnrp_object_ref cam = {NNRP_OBJECT_CAMERA_BLOCK, 0, 3, 11, 12};
  nnrp_object_ref_encode(&cam, two);
  memcpy(two + 16, want, 16);
  nnrp_vec region = {two, 32};
  nnrp_object_ref got;
  nnrp_object_ref_at(&region, 1, &got);
  CHECK_EQ(got.object_kind, 2);
  CHECK_EQ(got.ref_flags, 0);
  CHECK_EQ(got.cache_namespace, 7);
  CHECK_EQ(got.cache_key_hi, 0x11223344);
  CHECK_EQ(got.cache_key_lo, 0x55667788);
  nnrp_object_ref_at(&region, 0, &got);
  CHECK_EQ(got.object_kind, 1);
  CHECK_EQ(got.cache_namespace, 3);
  CHECK_EQ(got.cache_key_hi, 11);
  CHECK_EQ(got.cache_key_lo, 12);
  free(want);
}

static void test_inline_header_codec(void) {
  nnrp_inline_object_header h = {NNRP_OBJECT_PROMPT_SEGMENT, 0x0102, 0x0304, 0x0506,
                                 0x0708090A, 0x0B0C0D0E};
  uint8_t out[16];
  nnrp_inline_object_header_encode(&h, out);
  static const uint8_t want[16] = {0x07, 0x00, 0x02, 0x01, 0x04, 0x03, 0x06, 0x05,
                                   0x0A, 0x09, 0x08, 0x07, 0x0E, 0x0D, 0x0C, 0x0B};
  CHECK_MEM(out, 16, want, 16);
  nnrp_inline_object_header g;
  nnrp_inline_object_header_decode(&g, out);
  CHECK(memcmp(&g, &h, sizeof(h)) == 0);
}

/* ---- inline object blocks ------------------------------------------------------------------- */

static size_t encode_block(const nnrp_inline_object_header *h, nnrp_vec payload, uint8_t *buf,
                           size_t cap, int expect) {
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, cap);
  CHECK_RC(nnrp_inline_object_encode(h, payload, &s), expect);
  return s.len;
}

static void test_inline_object_encode_matches_e5(void) {
  size_t n;
  uint8_t *pkt = vector("E5.frame_submit_mixed_packet", &n);
  if (!pkt) return;
  nnrp_vec body = packet_body(pkt, n);
  const uint8_t *region = body.base + 32; /* inline region follows the prelude */

  uint8_t buf[128];
  nnrp_inline_object_header cam = {NNRP_OBJECT_CAMERA_BLOCK, 0, 0, 0, 8, 0};
  nnrp_vec camera = {(const uint8_t *)"camera!!", 8};
  size_t len = encode_block(&cam, camera, buf, sizeof(buf), 0);
  CHECK_MEM(buf, len, region, 24); /* 16 + 8: no padding needed */

  static const uint8_t ids[4] = {0, 0, 1, 0}; /* tile ids 0, 1 as RAW_U16 */
  nnrp_inline_object_header tix = {NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 0, 0, 4, 0};
  nnrp_vec tile_index = {ids, 4};
  len = encode_block(&tix, tile_index, buf, sizeof(buf), 0);
  CHECK_MEM(buf, len, region + 24, 24); /* 16 + 4 + 4 zero bytes */

  nnrp_inline_object_header tab = {NNRP_OBJECT_TENSOR_SECTION_TABLE, 0, 0, 0, 44, 0};
  nnrp_vec table = {region + 48 + 16, 44};
  len = encode_block(&tab, table, buf, sizeof(buf), 0);
  CHECK_MEM(buf, len, region + 48, 64);
  free(pkt);
}

static void test_inline_object_encode_empty_and_sizes(void) {
  uint8_t buf[64];
  memset(buf, 0xEE, sizeof(buf));
  nnrp_inline_object_header h = {NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 9, 0, 0, 0};
  nnrp_vec none = {NULL, 0};
  CHECK_EQ(encode_block(&h, none, buf, sizeof(buf), 0), 16); /* empty DENSE_RANGE block */
  static const uint8_t want[16] = {2, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  CHECK_MEM(buf, 16, want, 16);

  for (uint32_t k = 1; k <= 17; k++) {
    uint8_t payload[17];
    memset(payload, 0x5A, sizeof(payload));
    nnrp_inline_object_header b = {NNRP_OBJECT_CODEC_TABLE, 0, 0, 0, k, 0};
    nnrp_vec p = {payload, k};
    memset(buf, 0xEE, sizeof(buf));
    size_t len = encode_block(&b, p, buf, sizeof(buf), 0);
    CHECK_EQ(len, nnrp_align8(16 + k));
    for (size_t i = 16 + k; i < len; i++) CHECK_EQ(buf[i], 0);
  }

  /* Too small a buffer: the sink's error, with the needed size in total. */
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, 20);
  nnrp_inline_object_header c = {NNRP_OBJECT_CAMERA_BLOCK, 0, 0, 0, 5, 0};
  nnrp_vec five = {(const uint8_t *)"abcde", 5};
  CHECK_RC(nnrp_inline_object_encode(&c, five, &s), NNRP_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(s.total, 24);
}

static void test_inline_object_encode_rules(void) {
  uint8_t buf[64];
  nnrp_vec three = {(const uint8_t *)"abc", 3};
  struct {
    nnrp_inline_object_header h;
    int err;
  } cases[] = {
      {{0, 0, 0, 0, 3, 0}, NNRP_ERR_OBJECT_KIND},
      {{10, 0, 0, 0, 3, 0}, NNRP_ERR_OBJECT_KIND},
      {{0xFFFF, 0, 0, 0, 3, 0}, NNRP_ERR_OBJECT_KIND},
      {{1, 1, 0, 0, 3, 0}, NNRP_ERR_INLINE_FLAGS},
      {{1, 0, 0, 1, 3, 0}, NNRP_ERR_INLINE_RESERVED},
      {{1, 0, 0, 0, 3, 1}, NNRP_ERR_INLINE_RESERVED},
      {{1, 0, 0, 0, 4, 0}, NNRP_ERR_INLINE_PAYLOAD_LEN},
      {{1, 0, 0, 0, 2, 0}, NNRP_ERR_INLINE_PAYLOAD_LEN},
      /* order: kind, then flags, then reserved, then the payload length */
      {{0, 1, 0, 1, 9, 1}, NNRP_ERR_OBJECT_KIND},
      {{9, 1, 0, 1, 9, 1}, NNRP_ERR_INLINE_FLAGS},
      {{9, 0, 0, 1, 9, 1}, NNRP_ERR_INLINE_RESERVED},
      {{9, 0, 0xFFFF, 0, 3, 0}, 0}, /* profile_id is free */
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    nnrp_sink s;
    nnrp_sink_init_buffer(&s, buf, sizeof(buf));
    CHECK_RC(nnrp_inline_object_encode(&cases[i].h, three, &s), cases[i].err);
    if (cases[i].err) CHECK_EQ(s.total, 0); /* nothing written on a rule failure */
  }
}

static void test_inline_object_iter(void) {
  uint8_t region[128];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, region, sizeof(region));
  nnrp_inline_object_header a = {NNRP_OBJECT_CAMERA_BLOCK, 0, 1, 0, 3, 0};
  nnrp_inline_object_header b = {NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 2, 0, 0, 0};
  nnrp_inline_object_header c = {NNRP_OBJECT_TOOL_SCHEMA, 0, 3, 0, 8, 0};
  nnrp_vec pa = {(const uint8_t *)"cam", 3}, pb = {NULL, 0}, pc = {(const uint8_t *)"schema!!", 8};
  CHECK_RC(nnrp_inline_object_encode(&a, pa, &s), 0);
  CHECK_RC(nnrp_inline_object_encode(&b, pb, &s), 0);
  CHECK_RC(nnrp_inline_object_encode(&c, pc, &s), 0);
  CHECK_EQ(s.len, 24 + 16 + 24);

  nnrp_inline_object_iter it;
  nnrp_vec r = {region, s.len};
  nnrp_inline_object_iter_init(&it, r);
  nnrp_inline_object o;
  CHECK(nnrp_inline_object_iter_next(&it, &o));
  CHECK_EQ(o.header.object_kind, 1);
  CHECK_EQ(o.header.profile_id, 1);
  CHECK(o.payload.base == region + 16 && o.payload.len == 3);
  CHECK(nnrp_inline_object_iter_next(&it, &o));
  CHECK_EQ(o.header.object_kind, 2);
  CHECK_EQ(o.payload.len, 0);
  CHECK(o.payload.base == region + 40);
  CHECK(nnrp_inline_object_iter_next(&it, &o));
  CHECK_EQ(o.header.object_kind, 8);
  CHECK_MEM(o.payload.base, o.payload.len, "schema!!", 8);
  CHECK(!nnrp_inline_object_iter_next(&it, &o));
  CHECK(!nnrp_inline_object_iter_next(&it, &o));

  nnrp_vec empty = {NULL, 0};
  nnrp_inline_object_iter_init(&it, empty);
  CHECK(!nnrp_inline_object_iter_next(&it, &o));

  /* Unvalidated input: the iterator stops instead of stepping past the end. */
  nnrp_vec cut = {region, 30};
  nnrp_inline_object_iter_init(&it, cut);
  CHECK(nnrp_inline_object_iter_next(&it, &o));
  CHECK(!nnrp_inline_object_iter_next(&it, &o));
}

/* ---- bodies of the reference packets --------------------------------------------------------- */

static void check_vector_body(const char *name, const uint32_t want[6]) {
  size_t n;
  uint8_t *pkt = vector(name, &n);
  if (!pkt) return;
  nnrp_vec body = packet_body(pkt, n);
  nnrp_vec r[6];
  nnrp_diag d = {0, 0};
  CHECK_RC(nnrp_body_unpack(r, body.base, body.len, 0, &d), 0);
  CHECK_RC(nnrp_body_unpack(r, body.base, body.len, NNRP_DECODE_PY_COMPAT, &d), 0);
  size_t at = 32;
  for (int i = 0; i < 6; i++) {
    CHECK_EQ(r[i].len, want[i]);
    CHECK(r[i].base == body.base + at); /* views into the input, no copy */
    at += r[i].len;
  }
  /* Packing the views again gives the same bytes. */
  uint8_t out[512];
  size_t len = make_body(out, sizeof(out), r);
  CHECK_MEM(out, len, body.base, body.len);
  free(pkt);
}

static void test_vector_bodies(void) {
  static const uint32_t e3[6] = {0, 0, 32, 23, 0, 0};
  static const uint32_t e5[6] = {112, 0, 16, 3, 0, 0};
  static const uint32_t e6[6] = {0, 0, 32, 24, 0, 0};
  static const uint32_t e7[6] = {88, 0, 16, 3, 0, 0};
  static const uint32_t e10[6] = {88, 16, 0, 0, 0, 0};
  check_vector_body("E3.frame_submit_typed_packet", e3);
  check_vector_body("E5.frame_submit_mixed_packet", e5);
  check_vector_body("E6.result_push_typed_packet", e6);
  check_vector_body("E7.result_push_mixed_packet", e7);
  check_vector_body("E10.frame_submit_mixed_mode_camera_reference", e10);
}

static void test_vector_body_contents(void) {
  size_t n;
  uint8_t *pkt = vector("E5.frame_submit_mixed_packet", &n);
  if (!pkt) return;
  nnrp_vec body = packet_body(pkt, n), r[6];
  nnrp_diag d;
  CHECK_RC(nnrp_body_unpack(r, body.base, body.len, 0, &d), 0);
  nnrp_inline_object_iter it;
  nnrp_inline_object o;
  nnrp_inline_object_iter_init(&it, r[NNRP_REGION_INLINE_OBJECTS]);
  static const uint16_t kinds[3] = {1, 2, 3};
  static const uint32_t sizes[3] = {8, 4, 44};
  for (int i = 0; i < 3; i++) {
    CHECK(nnrp_inline_object_iter_next(&it, &o));
    CHECK_EQ(o.header.object_kind, kinds[i]);
    CHECK_EQ(o.payload.len, sizes[i]);
  }
  CHECK(!nnrp_inline_object_iter_next(&it, &o));
  CHECK_MEM(r[NNRP_REGION_TYPED_FRAMES].base, r[NNRP_REGION_TYPED_FRAMES].len, "tok", 3);
  free(pkt);

  pkt = vector("E10.frame_submit_mixed_mode_camera_reference", &n);
  if (!pkt) return;
  body = packet_body(pkt, n);
  CHECK_RC(nnrp_body_unpack(r, body.base, body.len, 0, &d), 0);
  nnrp_object_ref ref;
  nnrp_object_ref_at(&r[NNRP_REGION_OBJECT_REFERENCES], 0, &ref);
  CHECK_EQ(ref.object_kind, NNRP_OBJECT_CAMERA_BLOCK);
  CHECK_EQ(ref.cache_namespace, 3);
  CHECK_EQ(ref.cache_key_hi, 11);
  CHECK_EQ(ref.cache_key_lo, 12);
  free(pkt);
}

/* ---- pack ------------------------------------------------------------------------------------ */

static void test_body_pack_rules(void) {
  static uint8_t mem[64];
  nnrp_sink s;
  uint8_t buf[256];
  nnrp_vec r[6] = {{0}};
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_body_pack(r, &s), 0); /* an all-empty body is just the prelude */
  CHECK_EQ(s.len, 32);
  for (size_t i = 0; i < 32; i++) CHECK_EQ(buf[i], 0);

  r[NNRP_REGION_TYPED_DESCRIPTORS] = (nnrp_vec){mem, 8};
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_body_pack(r, &s), NNRP_ERR_PRELUDE_TYPED_ALIGN);
  CHECK_EQ(s.total, 0);
  r[NNRP_REGION_EXT_DESCRIPTORS] = (nnrp_vec){mem, 24};
  CHECK_RC(nnrp_body_pack(r, &s), NNRP_ERR_PRELUDE_TYPED_ALIGN); /* B4 before B5 */
  r[NNRP_REGION_TYPED_DESCRIPTORS] = (nnrp_vec){mem, 16};
  CHECK_RC(nnrp_body_pack(r, &s), NNRP_ERR_PRELUDE_EXT_ALIGN);

  /* Lengths beyond the prelude's u32 fields (the bytes are never read). */
  if ((uint64_t)SIZE_MAX > UINT32_MAX) {
    nnrp_vec big[6] = {{0}};
    big[NNRP_REGION_TYPED_FRAMES] = (nnrp_vec){mem, (size_t)UINT32_MAX + 1};
    nnrp_sink_init_count(&s);
    CHECK_RC(nnrp_body_pack(big, &s), NNRP_ERR_BUILD_FIELD_RANGE);
    CHECK_EQ(s.total, 0);
  }

  /* Count sink: the size without writing. */
  nnrp_vec ok[6] = {{mem, 3}, {mem, 16}, {mem, 16}, {mem, 1}, {mem, 0}, {mem, 7}};
  nnrp_sink_init_count(&s);
  CHECK_RC(nnrp_body_pack(ok, &s), 0);
  CHECK_EQ(s.total, 32 + 3 + 16 + 16 + 1 + 7);
  nnrp_sink_init_buffer(&s, buf, 40);
  CHECK_RC(nnrp_body_pack(ok, &s), NNRP_ERR_BUFFER_TOO_SMALL);
}

/* Scatter-gather: the regions are referenced where the caller keeps them, never copied. */
static void test_body_pack_scatter_gather(void) {
  static uint8_t inline_region[200], frames[300], ext_payload[100];
  for (size_t i = 0; i < sizeof(frames); i++) frames[i] = (uint8_t)i;
  uint8_t desc[16] = {0x02, 0, 0, 0, 0, 0, 0, 0, 0x2C, 0x01, 0, 0, 0, 0, 0, 0};
  nnrp_vec r[6] = {{inline_region, 200}, {NULL, 0}, {desc, 16}, {frames, 300}, {NULL, 0},
                   {ext_payload, 100}};
  uint8_t scratch[64];
  nnrp_vec iov[8];
  nnrp_sink s;
  nnrp_sink_init_iov(&s, scratch, sizeof(scratch), iov, 8, 64);
  CHECK_RC(nnrp_body_pack(r, &s), 0);
  CHECK_EQ(s.total, 32 + 200 + 16 + 300 + 100);
  /* prelude + small descriptor region are copied; the three big regions are views */
  CHECK_EQ(s.len, 32 + 16);
  int seen_inline = 0, seen_frames = 0, seen_ext = 0;
  size_t sum = 0;
  for (size_t i = 0; i < s.iov_count; i++) {
    if (iov[i].base == inline_region && iov[i].len == 200) seen_inline = 1;
    if (iov[i].base == frames && iov[i].len == 300) seen_frames = 1;
    if (iov[i].base == ext_payload && iov[i].len == 100) seen_ext = 1;
    sum += iov[i].len;
  }
  CHECK(seen_inline && seen_frames && seen_ext);
  CHECK_EQ(sum, s.total);

  /* The gathered bytes are the body a buffer sink writes. */
  static uint8_t flat[700], gathered[700];
  size_t len = make_body(flat, sizeof(flat), r), at = 0;
  for (size_t i = 0; i < s.iov_count; i++) {
    memcpy(gathered + at, iov[i].base, iov[i].len);
    at += iov[i].len;
  }
  CHECK_MEM(gathered, at, flat, len);

  /* Too few iovecs. */
  nnrp_sink_init_iov(&s, scratch, sizeof(scratch), iov, 2, 64);
  CHECK_RC(nnrp_body_pack(r, &s), NNRP_ERR_IOV_TOO_SMALL);
}

/* ---- B1-B10 ---------------------------------------------------------------------------------- */

static void test_b1_to_b6(void) {
  uint8_t b[128] = {0};
  for (size_t len = 0; len < 32; len++) CHECK_UNPACK(b, len, NNRP_ERR_PRELUDE_TRUNCATED, 0);
  CHECK_UNPACK(b, 32, 0, (size_t)-1); /* the empty region body */

  set_prelude(b, 0, 0, 0, 0, 0, 0, 1, 0);
  CHECK_UNPACK(b, 32, NNRP_ERR_PRELUDE_BODY_FLAGS, 0);
  set_prelude(b, 0, 0, 0, 0, 0, 0, 0x80000000u, 1); /* B2 before B3 */
  CHECK_UNPACK(b, 32, NNRP_ERR_PRELUDE_BODY_FLAGS, 0);
  set_prelude(b, 0, 0, 0, 0, 0, 0, 0, 1);
  CHECK_UNPACK(b, 32, NNRP_ERR_PRELUDE_RESERVED, 0);
  set_prelude(b, 0, 0, 8, 0, 8, 0, 0, 1); /* B3 before B4 */
  CHECK_UNPACK(b, 48, NNRP_ERR_PRELUDE_RESERVED, 0);
  set_prelude(b, 0, 0, 8, 0, 8, 0, 0, 0); /* B4 before B5 */
  CHECK_UNPACK(b, 48, NNRP_ERR_PRELUDE_TYPED_ALIGN, 0);
  set_prelude(b, 0, 0, 16, 0, 8, 0, 0, 0);
  CHECK_UNPACK(b, 56, NNRP_ERR_PRELUDE_EXT_ALIGN, 0);
  set_prelude(b, 0, 0, 4, 0, 0, 0, 0, 0); /* B4 before B6 */
  CHECK_UNPACK(b, 99, NNRP_ERR_PRELUDE_TYPED_ALIGN, 0);

  set_prelude(b, 0, 0, 0, 4, 0, 0, 0, 0);
  CHECK_UNPACK(b, 35, NNRP_ERR_PRELUDE_BODY_LEN, 0);
  CHECK_UNPACK(b, 37, NNRP_ERR_PRELUDE_BODY_LEN, 0);
  CHECK_UNPACK(b, 32, NNRP_ERR_PRELUDE_BODY_LEN, 0);
  /* Lengths that wrap a 32-bit sum to exactly the body length must still fail. */
  set_prelude(b, 0xFFFFFFF0u, 0x10, 0, 0, 0, 0, 0, 0);
  CHECK_UNPACK(b, 32, NNRP_ERR_PRELUDE_BODY_LEN, 0);
  set_prelude(b, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFF0u, 0xFFFFFFFFu, 0xFFFFFFF0u, 0xFFFFFFFFu,
              0, 0);
  CHECK_UNPACK(b, 128, NNRP_ERR_PRELUDE_BODY_LEN, 0);
}

/* A body with an inline region made of `region` (len bytes) and nothing else. */
static size_t inline_body(uint8_t *b, const uint8_t *region, size_t len) {
  set_prelude(b, (uint32_t)len, 0, 0, 0, 0, 0, 0, 0);
  memcpy(b + 32, region, len);
  return 32 + len;
}

static void test_b7_inline_region(void) {
  uint8_t region[96], b[160];
  size_t n;

  memset(region, 0, sizeof(region));
  for (size_t len = 1; len < 16; len++) {
    n = inline_body(b, region, len);
    CHECK_UNPACK(b, n, NNRP_ERR_INLINE_TRUNCATED_HEADER, 32);
  }

  /* camera block of 3 bytes + 5 padding, then a short tail */
  put_block(region, 1, 0, 0, 3, 0);
  memcpy(region + 16, "abc", 3);
  n = inline_body(b, region, 24);
  CHECK_UNPACK(b, n, 0, (size_t)-1);
  n = inline_body(b, region, 24 + 8);
  CHECK_UNPACK(b, n, NNRP_ERR_INLINE_TRUNCATED_HEADER, 32 + 24);
  n = inline_body(b, region, 19); /* block without its padding */
  CHECK_UNPACK(b, n, NNRP_ERR_INLINE_TRUNCATED_PAYLOAD, 32);
  n = inline_body(b, region, 23);
  CHECK_UNPACK(b, n, NNRP_ERR_INLINE_TRUNCATED_PAYLOAD, 32);

  /* padding must be zero, whichever byte */
  for (size_t i = 19; i < 24; i++) {
    region[i] = 0x01;
    n = inline_body(b, region, 24);
    CHECK_UNPACK(b, n, NNRP_ERR_INLINE_PADDING, 32 + 19);
    region[i] = 0;
  }

  /* object_bytes near 2^32: align8(16 + n) must not wrap to a small block */
  put_block(region, 1, 0, 0, 0xFFFFFFFFu, 0);
  n = inline_body(b, region, 24);
  CHECK_UNPACK(b, n, NNRP_ERR_INLINE_TRUNCATED_PAYLOAD, 32);
  put_block(region, 1, 0, 0, 0xFFFFFFF0u, 0);
  n = inline_body(b, region, 16);
  CHECK_UNPACK(b, n, NNRP_ERR_INLINE_TRUNCATED_PAYLOAD, 32);

  /* header rules, in the order kind, object_flags, reserved0, reserved1 */
  struct {
    uint16_t kind, flags, r0;
    uint32_t r1;
    int err;
  } hdr[] = {
      {0, 0, 0, 0, NNRP_ERR_OBJECT_KIND},          {10, 0, 0, 0, NNRP_ERR_OBJECT_KIND},
      {0x8001, 0, 0, 0, NNRP_ERR_OBJECT_KIND},     {1, 1, 0, 0, NNRP_ERR_INLINE_FLAGS},
      {1, 0x8000, 0, 0, NNRP_ERR_INLINE_FLAGS},    {1, 0, 1, 0, NNRP_ERR_INLINE_RESERVED},
      {1, 0, 0, 0x100, NNRP_ERR_INLINE_RESERVED},  {0, 1, 1, 1, NNRP_ERR_OBJECT_KIND},
      {2, 1, 1, 1, NNRP_ERR_INLINE_FLAGS},         {9, 0, 1, 1, NNRP_ERR_INLINE_RESERVED},
      {9, 0, 0, 0, 0},
  };
  for (size_t i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++) {
    memset(region, 0, sizeof(region));
    put_block(region, 1, 0, 0, 0, 0);
    put_block(region + 16, hdr[i].kind, hdr[i].flags, hdr[i].r0, 2, hdr[i].r1);
    n = inline_body(b, region, 16 + 24);
    CHECK_UNPACK(b, n, hdr[i].err, hdr[i].err ? 32 + 16 : (size_t)-1);
  }

  /* The whole region is split (headers, extents) before any padding is checked. */
  memset(region, 0, sizeof(region));
  put_block(region, 1, 0, 0, 3, 0);
  region[20] = 0xFF; /* bad padding in block 1 */
  put_block(region + 24, 0, 0, 0, 0, 0); /* bad kind in block 2 */
  n = inline_body(b, region, 40);
  CHECK_UNPACK(b, n, NNRP_ERR_OBJECT_KIND, 32 + 24);
  n = inline_body(b, region, 24 + 8);
  CHECK_UNPACK(b, n, NNRP_ERR_INLINE_TRUNCATED_HEADER, 32 + 24);
  put_block(region + 24, 2, 0, 0, 0, 0);
  n = inline_body(b, region, 40);
  CHECK_UNPACK(b, n, NNRP_ERR_INLINE_PADDING, 32 + 19);
}

static size_t ref_body(uint8_t *b, const uint8_t *inl, size_t inl_len, const uint8_t *refs,
                       size_t ref_len) {
  set_prelude(b, (uint32_t)inl_len, (uint32_t)ref_len, 0, 0, 0, 0, 0, 0);
  memcpy(b + 32, inl, inl_len);
  memcpy(b + 32 + inl_len, refs, ref_len);
  return 32 + inl_len + ref_len;
}

static void test_b8_reference_region(void) {
  uint8_t refs[64] = {0}, inl[16], b[160];
  put_block(inl, 5, 0, 0, 0, 0);
  for (int i = 0; i < 4; i++) {
    nnrp_object_ref r = {(uint16_t)(i + 1), 0, (uint32_t)i, 0, 0};
    nnrp_object_ref_encode(&r, refs + 16 * i);
  }
  size_t n = ref_body(b, inl, 16, refs, 64);
  CHECK_UNPACK(b, n, 0, (size_t)-1);
  for (size_t len = 1; len < 64; len++) {
    if (len % 16 == 0) continue;
    n = ref_body(b, inl, 16, refs, len);
    CHECK_UNPACK(b, n, NNRP_ERR_REF_REGION_ALIGN, 48);
  }
  struct {
    uint16_t kind, flags;
    int err;
  } cases[] = {
      {0, 0, NNRP_ERR_OBJECT_KIND},  {10, 0, NNRP_ERR_OBJECT_KIND}, {1, 1, NNRP_ERR_REF_FLAGS},
      {9, 0x8000, NNRP_ERR_REF_FLAGS}, {0, 1, NNRP_ERR_OBJECT_KIND}, {9, 0, 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    uint8_t bad[64];
    memcpy(bad, refs, 64);
    st16(bad + 32, cases[i].kind);
    st16(bad + 34, cases[i].flags);
    n = ref_body(b, inl, 16, bad, 64);
    CHECK_UNPACK(b, n, cases[i].err, cases[i].err ? 32 + 16 + 32 : (size_t)-1);
  }
  /* B7 before B8 */
  uint8_t bad_inl[16];
  put_block(bad_inl, 1, 1, 0, 0, 0);
  n = ref_body(b, bad_inl, 16, refs, 24);
  CHECK_UNPACK(b, n, NNRP_ERR_INLINE_FLAGS, 32);
}

/* A body with typed and extension regions given as raw bytes. */
static size_t frames_body(uint8_t *b, const uint8_t *td, size_t td_len, size_t tf_len,
                          const uint8_t *ed, size_t ed_len, size_t ep_len) {
  set_prelude(b, 0, 0, (uint32_t)td_len, (uint32_t)tf_len, (uint32_t)ed_len, (uint32_t)ep_len,
              0, 0);
  size_t at = 32;
  memcpy(b + at, td, td_len);
  at += td_len;
  memset(b + at, 'x', tf_len);
  at += tf_len;
  memcpy(b + at, ed, ed_len);
  at += ed_len;
  memset(b + at, 'y', ep_len);
  return at + ep_len;
}

/* B9/B10 through the body: codes from typed.c, offsets made body-relative, region order. */
static void test_b9_b10_in_body(void) {
  uint8_t td[32], ed[32], b[256];
  typed_desc(td, 0x02, 0, 0, 3, 0);
  typed_desc(td + 16, 0x04, 0, 3, 2, 0);
  ext_desc(ed, 100, 0, 0, 0, 5);
  ext_desc(ed + 16, 101, 1, 0, 5, 4);
  size_t n = frames_body(b, td, 32, 5, ed, 32, 9);
  CHECK_UNPACK(b, n, 0, (size_t)-1);
  nnrp_vec r[6];
  nnrp_diag d;
  CHECK_RC(nnrp_body_unpack(r, b, n, 0, &d), 0);
  CHECK(r[2].base == b + 32 && r[2].len == 32);
  CHECK(r[3].base == b + 64 && r[3].len == 5);
  CHECK(r[4].base == b + 69 && r[4].len == 32);
  CHECK(r[5].base == b + 101 && r[5].len == 9);

  typed_desc(td + 16, 0x04, 1, 3, 2, 0);
  n = frames_body(b, td, 32, 5, ed, 32, 9);
  CHECK_UNPACK(b, n, NNRP_ERR_TYPED_FLAGS, 32 + 16);
  typed_desc(td + 16, 0x04, 0, 3, 3, 0);
  n = frames_body(b, td, 32, 5, ed, 32, 9);
  CHECK_UNPACK(b, n, NNRP_ERR_TYPED_RANGE, 32 + 16);
  typed_desc(td + 16, 0x04, 0, 2, 2, 0);
  n = frames_body(b, td, 32, 5, ed, 32, 9);
  CHECK_UNPACK(b, n, NNRP_ERR_TYPED_ORDER, 32 + 16);

  /* typed before extension */
  ext_desc(ed + 16, 101, 2, 0, 5, 4);
  n = frames_body(b, td, 32, 5, ed, 32, 9);
  CHECK_UNPACK(b, n, NNRP_ERR_TYPED_ORDER, 32 + 16);
  typed_desc(td + 16, 0x04, 0, 3, 2, 0);
  n = frames_body(b, td, 32, 5, ed, 32, 9);
  CHECK_UNPACK(b, n, NNRP_ERR_EXT_FRAME_FLAGS, 32 + 32 + 5 + 16);
  ext_desc(ed + 16, 101, 1, 7, 5, 4);
  n = frames_body(b, td, 32, 5, ed, 32, 9);
  CHECK_UNPACK(b, n, NNRP_ERR_EXT_FRAME_RESERVED, 32 + 32 + 5 + 16);
  ext_desc(ed + 16, 101, 1, 0, 5, 5);
  n = frames_body(b, td, 32, 5, ed, 32, 9);
  CHECK_UNPACK(b, n, NNRP_ERR_EXT_FRAME_RANGE, 32 + 32 + 5 + 16);
  ext_desc(ed + 16, 101, 1, 0, 4, 5);
  n = frames_body(b, td, 32, 5, ed, 32, 9);
  CHECK_UNPACK(b, n, NNRP_ERR_EXT_FRAME_ORDER, 32 + 32 + 5 + 16);

  /* descriptor rules of every descriptor before any offset */
  ext_desc(ed + 16, 101, 1, 0, 5, 4);
  typed_desc(td, 0x02, 0, 0, 9, 0);
  typed_desc(td + 16, 0x80, 0, 3, 2, 0);
  n = frames_body(b, td, 32, 5, ed, 32, 9);
  CHECK_UNPACK(b, n, NNRP_ERR_TYPED_KIND_BITS, 32 + 16);
}

/* Strict profile: frames contiguous from 0 and covering their region (D8); PY tolerates. */
static void test_strict_layout(void) {
  uint8_t td[32], ed[32], b[256];
  nnrp_diag d;
  typed_desc(td, 0x02, 0, 0, 1, 0);
  typed_desc(td + 16, 0x02, 0, 2, 1, 0); /* gap of one byte */
  size_t n = frames_body(b, td, 32, 3, ed, 0, 0);
  CHECK_UNPACK(b, n, NNRP_ERR_TYPED_LAYOUT, 32 + 16);
  CHECK_RC(unpack(b, n, NNRP_DECODE_PY_COMPAT, &d), 0);

  typed_desc(td, 0x02, 0, 1, 2, 0); /* does not start at 0 */
  n = frames_body(b, td, 16, 3, ed, 0, 0);
  CHECK_UNPACK(b, n, NNRP_ERR_TYPED_LAYOUT, 32);
  CHECK_RC(unpack(b, n, NNRP_DECODE_PY_COMPAT, &d), 0);

  typed_desc(td, 0x02, 0, 0, 2, 0); /* unreferenced trailing byte */
  n = frames_body(b, td, 16, 3, ed, 0, 0);
  CHECK_UNPACK(b, n, NNRP_ERR_TYPED_LAYOUT, 32 + 16 + 2);
  CHECK_RC(unpack(b, n, NNRP_DECODE_PY_COMPAT, &d), 0);

  n = frames_body(b, td, 0, 0, ed, 0, 2); /* extension payload without descriptors */
  CHECK_UNPACK(b, n, NNRP_ERR_EXT_FRAME_LAYOUT, 32);
  CHECK_RC(unpack(b, n, NNRP_DECODE_PY_COMPAT, &d), 0);

  ext_desc(ed, 7, 0, 0, 0, 1);
  ext_desc(ed + 16, 8, 0, 0, 1, 1);
  n = frames_body(b, td, 0, 0, ed, 32, 2);
  CHECK_UNPACK(b, n, 0, (size_t)-1);
  ext_desc(ed + 16, 8, 0, 0, 2, 0); /* empty frame after a gap */
  n = frames_body(b, td, 0, 0, ed, 32, 2);
  CHECK_UNPACK(b, n, NNRP_ERR_EXT_FRAME_LAYOUT, 32 + 16);
  CHECK_RC(unpack(b, n, NNRP_DECODE_PY_COMPAT, &d), 0);

  /* Empty frames and a zero-length region are contiguous. */
  typed_desc(td, 0x02, 0, 0, 0, 0);
  typed_desc(td + 16, 0x04, 0, 0, 0, 0);
  n = frames_body(b, td, 32, 0, ed, 0, 0);
  CHECK_UNPACK(b, n, 0, (size_t)-1);
}

int main(void) {
  RUN(test_prelude_golden);
  RUN(test_object_ref_golden);
  RUN(test_inline_header_codec);
  RUN(test_inline_object_encode_matches_e5);
  RUN(test_inline_object_encode_empty_and_sizes);
  RUN(test_inline_object_encode_rules);
  RUN(test_inline_object_iter);
  RUN(test_vector_bodies);
  RUN(test_vector_body_contents);
  RUN(test_body_pack_rules);
  RUN(test_body_pack_scatter_gather);
  RUN(test_b1_to_b6);
  RUN(test_b7_inline_region);
  RUN(test_b8_reference_region);
  RUN(test_b9_b10_in_body);
  RUN(test_strict_layout);
  vectors_free();
  return TEST_REPORT();
}
