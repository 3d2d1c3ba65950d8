/*
 * Region bodies (wire-data §9): prelude and object-reference golden bytes, inline object blocks,
 * pack/unpack of the reference packets' bodies, every B-rule with its code and diag offset,
 * the reference SDK's rejected bodies, the strict D8 layout rule, and hostile input.
 */
#include <jansson.h>
#include <libnnrp/wire.h>

#include "test.h"

/* ---- vector helpers ------------------------------------------------------------------------- */

static json_t *data_vectors;

/* Bytes of a named vector of wire-data-hex-vectors.json (malloc'd), NULL if absent. */
static uint8_t *vector(const char *name, size_t *len) {
  if (!data_vectors) {
    json_error_t err;
    data_vectors = json_load_file(test_vector_path("wire-data-hex-vectors.json"), 0, &err);
    if (!data_vectors) {
      fprintf(stderr, "cannot load vectors: %s\n", err.text);
      exit(1);
    }
  }
  const json_t *list = json_object_get(data_vectors, "vectors");
  for (size_t i = 0; i < json_array_size(list); i++) {
    const json_t *v = json_array_get(list, i);
    if (strcmp(json_string_value(json_object_get(v, "name")), name) == 0)
      return test_hex_decode(json_string_value(json_object_get(v, "hex")), len);
  }
  fprintf(stderr, "vector %s not found\n", name);
  test_failures++;
  return NULL;
}

static uint32_t ld32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static void st16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static void st32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* The body of a whole packet: after the 40-byte header and meta_len metadata bytes. */
static nnrp_vec packet_body(const uint8_t *pkt, size_t len) {
  size_t start = 40 + ld32(pkt + 12);
  nnrp_vec v = {pkt + start, len - start};
  return v;
}

/* A region body written from six regions into buf (test helper over nnrp_body_pack). */
static size_t make_body(uint8_t *buf, size_t cap, const nnrp_vec regions[6]) {
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, cap);
  int rc = nnrp_body_pack(regions, &s);
  CHECK_RC(rc, 0);
  return s.len;
}

static int unpack(const uint8_t *body, size_t len, uint32_t flags, nnrp_diag *d) {
  nnrp_vec r[6];
  d->error = 0;
  d->offset = (size_t)-1;
  return nnrp_body_unpack(r, body, len, flags, d);
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

static void set_prelude(uint8_t *b, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3,
                        uint32_t a4, uint32_t a5, uint32_t flags, uint32_t reserved) {
  const uint32_t v[8] = {a0, a1, a2, a3, a4, a5, flags, reserved};
  for (int i = 0; i < 8; i++) st32(b + 4 * i, v[i]);
}

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

static void put_block(uint8_t *p, uint16_t kind, uint16_t flags, uint16_t r0, uint32_t bytes,
                      uint32_t r1) {
  memset(p, 0, 16);
  st16(p, kind);
  st16(p + 2, flags);
  st16(p + 6, r0);
  st32(p + 8, bytes);
  st32(p + 12, r1);
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

static void typed_desc(uint8_t *p, uint8_t kind, uint8_t flags, uint32_t off, uint32_t len,
                       uint32_t reserved) {
  nnrp_typed_desc d = {kind, flags, 0, off, len, reserved};
  nnrp_typed_desc_encode(&d, p);
}

static void ext_desc(uint8_t *p, uint16_t kind, uint16_t flags, uint16_t r0, uint32_t off,
                     uint32_t len) {
  nnrp_ext_frame_desc d = {kind, flags, 0, r0, off, len};
  nnrp_ext_frame_desc_encode(&d, p);
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

/* ---- the reference SDK's rejected bodies ----------------------------------------------------- */

struct stem_code {
  const char *stem;
  int err;
};

/* Message stems of the reference for the B-rules (§9.1, §9.2, §9.3, §10.1, §10.3). */
static const struct stem_code b_stems[] = {
    {"for current body prelude", NNRP_ERR_PRELUDE_TRUNCATED},
    {"body_flags must be 0", NNRP_ERR_PRELUDE_BODY_FLAGS},
    {"reserved must be 0 in current body prelude", NNRP_ERR_PRELUDE_RESERVED},
    {"typed_payload_descriptor_bytes must be a multiple", NNRP_ERR_PRELUDE_TYPED_ALIGN},
    {"extension_descriptor_bytes must be a multiple", NNRP_ERR_PRELUDE_EXT_ALIGN},
    {"current body length mismatch", NNRP_ERR_PRELUDE_BODY_LEN},
    {"ends before a full block header", NNRP_ERR_INLINE_TRUNCATED_HEADER},
    {"ends before declared block payload", NNRP_ERR_INLINE_TRUNCATED_PAYLOAD},
    {"padding bytes must be zero", NNRP_ERR_INLINE_PADDING},
    {"is not a valid CacheObjectKind", NNRP_ERR_OBJECT_KIND},
    {"object_flags must be 0", NNRP_ERR_INLINE_FLAGS},
    {"reserved0 must be 0 in current inline", NNRP_ERR_INLINE_RESERVED},
    {"reserved1 must be 0 in current inline", NNRP_ERR_INLINE_RESERVED},
    {"object reference block payload length", NNRP_ERR_REF_REGION_ALIGN},
    {"ref_flags must be 0", NNRP_ERR_REF_FLAGS},
    {"payload_kind_bitmap contains unknown bits", NNRP_ERR_TYPED_KIND_BITS},
    {"exactly one current payload kind bit", NNRP_ERR_TYPED_KIND_NOT_SINGLE},
    {"descriptor_flags must be 0", NNRP_ERR_TYPED_FLAGS},
    {"reserved must be 0 in current typed", NNRP_ERR_TYPED_RESERVED},
    {"typed payload frame region descriptors must be ordered", NNRP_ERR_TYPED_ORDER},
    {"typed payload frame region is shorter", NNRP_ERR_TYPED_RANGE},
    {"extension_flags contains unknown bits", NNRP_ERR_EXT_FRAME_FLAGS},
    {"reserved0 must be 0 in current extension", NNRP_ERR_EXT_FRAME_RESERVED},
    {"extension payload region descriptors must be ordered", NNRP_ERR_EXT_FRAME_ORDER},
    {"extension payload region is shorter", NNRP_ERR_EXT_FRAME_RANGE},
};

static int expected_b_code(const char *msg) {
  for (size_t i = 0; i < sizeof(b_stems) / sizeof(b_stems[0]); i++)
    if (strstr(msg, b_stems[i].stem)) return b_stems[i].err;
  return 0;
}

static int is_region_parser(const char *parser) {
  return strcmp(parser, "validate_frame_submit_body") == 0 ||
         strcmp(parser, "validate_result_push_body") == 0 ||
         strcmp(parser, "unpack_extension_frames") == 0 ||
         strcmp(parser, "unpack_typed_payload_frames") == 0;
}

/*
 * Every region body the reference rejects: a B-rule message must come out of nnrp_body_unpack
 * as its code (both profiles); a later rule (T, M, R, C, unknown critical) must pass it.
 */
static void test_reference_rejections(void) {
  json_error_t jerr;
  json_t *root = json_load_file(test_vector_path("invalid-examples.json"), 0, &jerr);
  CHECK(root != NULL);
  if (!root) return;
  const json_t *list = json_object_get(root, "examples");
  int b_rules = 0, later_rules = 0;
  for (size_t i = 0; i < json_array_size(list); i++) {
    const json_t *e = json_array_get(list, i);
    const char *parser = json_string_value(json_object_get(e, "parser"));
    if (!is_region_parser(parser)) continue;
    const char *name = json_string_value(json_object_get(e, "name"));
    const char *msg = json_string_value(json_object_get(e, "error_message"));
    size_t n;
    uint8_t *pkt = test_hex_decode(json_string_value(json_object_get(e, "hex")), &n);
    CHECK(pkt != NULL && n >= 40);
    if (!pkt) continue;
    nnrp_vec body = packet_body(pkt, n);
    int want = expected_b_code(msg);
    for (int compat = 0; compat < 2; compat++) {
      nnrp_diag d;
      int rc = unpack(body.base, body.len, compat ? NNRP_DECODE_PY_COMPAT : 0, &d);
      if (rc != want) {
        fprintf(stderr, "  %s (%s): got %s, expected %s\n", name, msg, nnrp_err_name(rc),
                nnrp_err_name(want));
        test_failures++;
      }
      if (rc) CHECK(d.offset < body.len || (rc == NNRP_ERR_PRELUDE_TRUNCATED && d.offset == 0));
    }
    if (want) b_rules++;
    else later_rules++;
    free(pkt);
  }
  CHECK(b_rules >= 30);
  CHECK(later_rules >= 30);

  /* What the reference accepts and the strict profile does not (D8). */
  static const struct stem_code accepts[] = {
      {"typed.gap_between_frames", NNRP_ERR_TYPED_LAYOUT},
      {"typed.unreferenced_trailing_bytes", NNRP_ERR_TYPED_LAYOUT},
      {"ext.region_without_descriptors", NNRP_ERR_EXT_FRAME_LAYOUT},
  };
  list = json_object_get(root, "oracle_accepts");
  int found = 0;
  for (size_t i = 0; i < json_array_size(list); i++) {
    const json_t *e = json_array_get(list, i);
    const char *name = json_string_value(json_object_get(e, "name"));
    for (size_t k = 0; k < sizeof(accepts) / sizeof(accepts[0]); k++) {
      if (strcmp(name, accepts[k].stem) != 0) continue;
      size_t n;
      uint8_t *pkt = test_hex_decode(json_string_value(json_object_get(e, "hex")), &n);
      if (!pkt) continue;
      nnrp_vec body = packet_body(pkt, n);
      nnrp_diag d;
      CHECK_RC(unpack(body.base, body.len, 0, &d), accepts[k].err);
      CHECK_RC(unpack(body.base, body.len, NNRP_DECODE_PY_COMPAT, &d), 0);
      found++;
      free(pkt);
    }
  }
  CHECK_EQ(found, 3);
  json_decref(root);
}

/* ---- hostile input --------------------------------------------------------------------------- */

/* Walk everything a successful unpack exposes, touching every byte of every view. */
static unsigned touch_all(const nnrp_vec r[6]) {
  unsigned sum = 0;
  nnrp_inline_object_iter it;
  nnrp_inline_object o;
  nnrp_inline_object_iter_init(&it, r[NNRP_REGION_INLINE_OBJECTS]);
  while (nnrp_inline_object_iter_next(&it, &o))
    for (size_t i = 0; i < o.payload.len; i++) sum += o.payload.base[i];
  for (size_t i = 0; i < r[NNRP_REGION_OBJECT_REFERENCES].len / 16; i++) {
    nnrp_object_ref ref;
    nnrp_object_ref_at(&r[NNRP_REGION_OBJECT_REFERENCES], i, &ref);
    sum += ref.object_kind;
  }
  for (size_t i = 0; i < r[NNRP_REGION_TYPED_DESCRIPTORS].len / 16; i++) {
    nnrp_typed_frame f;
    nnrp_typed_frame_at(r[NNRP_REGION_TYPED_DESCRIPTORS], r[NNRP_REGION_TYPED_FRAMES], i, &f);
    for (size_t k = 0; k < f.payload.len; k++) sum += f.payload.base[k];
  }
  for (size_t i = 0; i < r[NNRP_REGION_EXT_DESCRIPTORS].len / 16; i++) {
    nnrp_ext_frame f;
    nnrp_ext_frame_at(r[NNRP_REGION_EXT_DESCRIPTORS], r[NNRP_REGION_EXT_PAYLOADS], i, &f);
    for (size_t k = 0; k < f.payload.len; k++) sum += f.payload.base[k];
  }
  return sum;
}

/* Unpack from an exactly-sized heap copy, so that any read past the end is caught by ASan. */
static int unpack_copy(const uint8_t *src, size_t len, uint32_t flags) {
  uint8_t *copy = malloc(len ? len : 1);
  if (len) memcpy(copy, src, len);
  nnrp_vec r[6];
  nnrp_diag d;
  int rc = nnrp_body_unpack(r, copy, len, flags, &d);
  if (rc == 0) (void)touch_all(r);
  else if (d.error != rc) test_failures++;
  free(copy);
  return rc;
}

static const char *const body_vectors[] = {
    "E3.frame_submit_typed_packet", "E5.frame_submit_mixed_packet",
    "E6.result_push_typed_packet", "E7.result_push_mixed_packet",
    "E10.frame_submit_mixed_mode_camera_reference"};

static void test_truncation_every_offset(void) {
  for (size_t v = 0; v < sizeof(body_vectors) / sizeof(body_vectors[0]); v++) {
    size_t n;
    uint8_t *pkt = vector(body_vectors[v], &n);
    if (!pkt) continue;
    nnrp_vec body = packet_body(pkt, n);
    for (size_t len = 0; len < body.len; len++) {
      int rc = unpack_copy(body.base, len, 0);
      CHECK_EQ(rc, len < 32 ? NNRP_ERR_PRELUDE_TRUNCATED : NNRP_ERR_PRELUDE_BODY_LEN);
    }
    CHECK_EQ(unpack_copy(body.base, body.len, 0), 0);
    free(pkt);
  }
}

/* Every byte of every vector body set to a few values: whatever the verdict, no stray read. */
static void test_mutations_never_crash(void) {
  static const uint8_t values[] = {0x00, 0x01, 0x07, 0x10, 0x7F, 0x80, 0xFF};
  for (size_t v = 0; v < sizeof(body_vectors) / sizeof(body_vectors[0]); v++) {
    size_t n;
    uint8_t *pkt = vector(body_vectors[v], &n);
    if (!pkt) continue;
    nnrp_vec body = packet_body(pkt, n);
    uint8_t *m = malloc(body.len);
    for (size_t i = 0; i < body.len; i++) {
      for (size_t k = 0; k < sizeof(values); k++) {
        memcpy(m, body.base, body.len);
        m[i] = values[k];
        (void)unpack_copy(m, body.len, 0);
        (void)unpack_copy(m, body.len, NNRP_DECODE_PY_COMPAT);
      }
    }
    free(m);
    free(pkt);
  }
}

/* xorshift64: a fixed sequence, so that a failure reproduces. */
static uint32_t rnd(uint64_t *x) {
  *x ^= *x << 13;
  *x ^= *x >> 7;
  *x ^= *x << 17;
  return (uint32_t)(*x >> 11);
}

/* Descriptors with small offsets and lengths, mostly ordered, over a region of `*data` bytes. */
static size_t random_descs(uint64_t *x, uint8_t *p, int typed, size_t *data) {
  size_t count = rnd(x) % 4, at = 0;
  uint32_t off = 0;
  for (size_t i = 0; i < count; i++, at += 16) {
    uint32_t len = rnd(x) % 6;
    if (rnd(x) % 4 == 0) off = rnd(x) % 8;
    if (typed) typed_desc(p + at, (uint8_t)(1u << (rnd(x) % 8)), 0, off, len, 0);
    else ext_desc(p + at, (uint16_t)rnd(x), (uint16_t)(rnd(x) % 3), 0, off, len);
    off += len;
  }
  *data = off + (rnd(x) % 4 == 0 ? rnd(x) % 3 : 0);
  return at;
}

/* Random bodies built from plausible structures and then damaged in a few bytes. */
static void test_random_bodies(void) {
  uint64_t x = 0x9E3779B97F4A7C15u;
  static uint8_t b[1024];
  int accepted = 0, rejected = 0;
  for (int iter = 0; iter < 20000; iter++) {
    uint8_t inl[160], refs[64], td[64], ed[64];
    size_t inl_len = 0, ref_len = 0, tf_len, ep_len;
    for (uint32_t k = rnd(&x) % 3; k > 0; k--) {
      uint32_t bytes = rnd(&x) % 12;
      put_block(inl + inl_len, (uint16_t)(rnd(&x) % 11), 0, 0, bytes, 0);
      memset(inl + inl_len + 16, 0, nnrp_align8(bytes));
      memset(inl + inl_len + 16, 0x61, bytes);
      inl_len += 16 + nnrp_align8(bytes);
    }
    for (uint32_t k = rnd(&x) % 3; k > 0; k--, ref_len += 16) {
      nnrp_object_ref r = {(uint16_t)(1 + rnd(&x) % 9), 0, rnd(&x), rnd(&x), rnd(&x)};
      nnrp_object_ref_encode(&r, refs + ref_len);
    }
    size_t td_len = random_descs(&x, td, 1, &tf_len);
    size_t ed_len = random_descs(&x, ed, 0, &ep_len);

    set_prelude(b, (uint32_t)inl_len, (uint32_t)ref_len, (uint32_t)td_len, (uint32_t)tf_len,
                (uint32_t)ed_len, (uint32_t)ep_len, 0, 0);
    size_t at = 32;
    memcpy(b + at, inl, inl_len);
    at += inl_len;
    memcpy(b + at, refs, ref_len);
    at += ref_len;
    memcpy(b + at, td, td_len);
    at += td_len;
    memset(b + at, 0x74, tf_len);
    at += tf_len;
    memcpy(b + at, ed, ed_len);
    at += ed_len;
    memset(b + at, 0x65, ep_len);
    at += ep_len;
    for (uint32_t k = rnd(&x) % 3; k > 0; k--) b[rnd(&x) % at] = (uint8_t)rnd(&x);

    if (unpack_copy(b, at, NNRP_DECODE_PY_COMPAT) == 0) accepted++;
    else rejected++;
    (void)unpack_copy(b, at, 0);
  }
  CHECK(accepted > 1000);
  CHECK(rejected > 1000);
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
  RUN(test_reference_rejections);
  RUN(test_truncation_every_offset);
  RUN(test_mutations_never_crash);
  RUN(test_random_bodies);
  json_decref(data_vectors);
  return TEST_REPORT();
}
