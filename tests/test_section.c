/*
 * Tensor sections, section sequences and tensor bodies (wire-data §6.2-§6.4): every S/Q rule
 * with its code, the check order of §14.1, the builders, scatter-gather output, and hostile
 * input (truncation at every offset, corrupted bytes).
 */
#include <libnnrp/wire.h>

#include "test.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define L12 "0100000002000000" /* length table (1, 2) */
#define L21 "0200000001000000" /* length table (2, 1) */

/* ---- helpers ------------------------------------------------------------------------------ */

static nnrp_section_desc desc_of(uint16_t role, uint16_t flags, uint32_t stride) {
  nnrp_section_desc d;
  memset(&d, 0, sizeof(d));
  d.role_id = role;
  d.dtype_id = NNRP_DTYPE_UINT8;
  d.flags = flags;
  d.payload_stride_bytes = stride;
  return d;
}

/* Append a section from explicit parts, unchecked; the descriptor lengths follow the parts. */
static void put_section(uint8_t *buf, size_t *len, nnrp_section_desc d, const char *codec_hex,
                        const char *lengths_hex, const char *payload_hex) {
  size_t cl, ll, pl;
  uint8_t *c = test_hex_decode(codec_hex, &cl), *l = test_hex_decode(lengths_hex, &ll),
          *p = test_hex_decode(payload_hex, &pl);
  d.codec_table_bytes = (uint32_t)cl;
  d.length_table_bytes = (uint32_t)ll;
  d.payload_bytes = (uint32_t)pl;
  nnrp_section_desc_encode(&d, buf + *len);
  *len += 32;
  memcpy(buf + *len, c, cl);
  *len += cl;
  memcpy(buf + *len, l, ll);
  *len += ll;
  memcpy(buf + *len, p, pl);
  *len += pl;
  free(c);
  free(l);
  free(p);
}

static void put_pad(uint8_t *buf, size_t *len, uint8_t fill) {
  while (*len % 8) buf[(*len)++] = fill;
}

/* Copy to an exact-size allocation so that the sanitizer build catches any over-read. */
static uint8_t *exact(const uint8_t *p, size_t n) {
  uint8_t *q = malloc(n ? n : 1);
  memcpy(q, p, n);
  return q;
}

/* Validate a sequence; *off gets the diag offset on failure. */
static int seq_check(const uint8_t *buf, size_t len, size_t count, long tiles, uint32_t flags,
                     size_t *off) {
  uint8_t *p = exact(buf, len);
  nnrp_diag diag = {0, 0};
  int rc = nnrp_section_seq_validate(p, len, count, tiles, flags, &diag);
  if (rc) CHECK_EQ(diag.error, rc);
  if (off) *off = rc ? diag.offset : (size_t)-1;
  free(p);
  return rc;
}

/* One section built from parts, validated alone (tile count not checked). */
static int one(nnrp_section_desc d, const char *codec, const char *lengths, const char *payload,
               uint32_t flags, size_t *off) {
  uint8_t buf[256];
  size_t len = 0;
  put_section(buf, &len, d, codec, lengths, payload);
  return seq_check(buf, len, 1, -1, flags, off);
}

static int body_unpack(const uint8_t *buf, size_t len, size_t tib, size_t count, long tiles,
                       uint32_t flags, size_t *off) {
  uint8_t *p = exact(buf, len);
  nnrp_diag diag = {0, 0};
  nnrp_tensor_body_view v;
  int rc = nnrp_tensor_body_unpack(&v, p, len, tib, count, tiles, flags, &diag);
  if (off) *off = rc ? diag.offset : (size_t)-1;
  free(p);
  return rc;
}

static nnrp_vec bytes(const char *s) {
  nnrp_vec v = {(const uint8_t *)s, strlen(s)};
  return v;
}

/* ---- descriptor and E2 -------------------------------------------------------------------- */

static void test_desc_codec(void) {
  size_t n;
  /* Every field distinct, so that a swapped or misplaced field shows. */
  uint8_t *raw = test_hex_decode(
      "341256070102030078563412040000000800000c0c00000010000000efbeadde", &n);
  CHECK_EQ(n, 32);
  nnrp_section_desc d;
  nnrp_section_desc_decode(&d, raw);
  CHECK_EQ(d.role_id, 0x1234);
  CHECK_EQ(d.codec_id, 0x56);
  CHECK_EQ(d.dtype_id, 7);
  CHECK_EQ(d.layout_id, 1);
  CHECK_EQ(d.scale_policy, 2);
  CHECK_EQ(d.flags, 3);
  CHECK_EQ(d.element_count_per_tile, 0x12345678);
  CHECK_EQ(d.codec_table_bytes, 4);
  CHECK_EQ(d.length_table_bytes, 0x0c000008);
  CHECK_EQ(d.payload_bytes, 12);
  CHECK_EQ(d.payload_stride_bytes, 16);
  CHECK_EQ(d.reserved, 0xdeadbeef);
  uint8_t out[32];
  nnrp_section_desc_encode(&d, out);
  CHECK_MEM(out, 32, raw, 32);
  free(raw);
}

/* wire-data §16.3 E2: fixed stride and a codec table. */
static const char e2_hex[] =
    "0900000500000300000000000200000008000000080000000400000000000000"
    "010202000000030000006162000063646500";

static void test_e2(void) {
  const nnrp_vec payloads[] = {bytes("ab"), bytes("cde")};
  const uint8_t codecs[] = {1, 2};
  nnrp_tensor_section_data s;
  memset(&s, 0, sizeof(s));
  s.role_id = 9;
  s.dtype_id = NNRP_DTYPE_UINT8;
  s.tile_payloads = payloads;
  s.tile_payload_count = 2;
  s.codec_ids = codecs;
  s.codec_id_count = 2;
  s.payload_stride_bytes = 4;
  size_t want_len, len = 0;
  uint8_t *want = test_hex_decode(e2_hex, &want_len);
  CHECK_EQ(want_len, 50);
  CHECK_RC(nnrp_tensor_section_encoded_len(&s, &len), 0);
  CHECK_EQ(len, 50);
  uint8_t out[64];
  nnrp_sink sink;
  nnrp_sink_init_buffer(&sink, out, sizeof(out));
  CHECK_RC(nnrp_tensor_section_encode(&s, &sink), 0);
  CHECK_MEM(out, sink.len, want, want_len);

  /* Decode it back: tiles at i * stride with their real lengths, per-tile codecs. */
  CHECK_RC(seq_check(want, want_len, 1, 2, 0, NULL), 0);
  nnrp_section_iter it;
  nnrp_section_view v;
  nnrp_section_iter_init(&it, want, want_len, 1);
  CHECK(nnrp_section_iter_next(&it, &v));
  CHECK_EQ(v.desc.role_id, 9);
  CHECK_EQ(v.desc.flags, NNRP_SECTION_MIXED_CODEC | NNRP_SECTION_FIXED_STRIDE);
  CHECK_EQ(v.tile_count, 2);
  CHECK(v.codec_table == want + 32);
  CHECK(v.length_table == want + 34);
  CHECK(v.payload == want + 42);
  CHECK_EQ(nnrp_section_tile_length(&v, 0), 2);
  CHECK_EQ(nnrp_section_tile_length(&v, 1), 3);
  CHECK_EQ(nnrp_section_tile_codec(&v, 0), 1);
  CHECK_EQ(nnrp_section_tile_codec(&v, 1), 2);
  nnrp_section_tile_iter ti;
  nnrp_vec p;
  nnrp_section_tile_iter_init(&ti, &v);
  CHECK(nnrp_section_tile_iter_next(&ti, &p));
  CHECK(p.base == want + 42);
  CHECK_MEM(p.base, p.len, "ab", 2);
  CHECK(nnrp_section_tile_iter_next(&ti, &p));
  CHECK(p.base == want + 46);
  CHECK_MEM(p.base, p.len, "cde", 3);
  CHECK(!nnrp_section_tile_iter_next(&ti, &p));
  CHECK(!nnrp_section_iter_next(&it, &v));

  /* pack_tensor_section with the same descriptor and tables gives the same bytes. */
  nnrp_vec codec = {want + 32, 2}, lengths = {want + 34, 8}, blob = {want + 42, 8};
  nnrp_sink_init_buffer(&sink, out, sizeof(out));
  CHECK_RC(nnrp_tensor_section_pack(&v.desc, codec, lengths, blob, &sink), 0);
  CHECK_MEM(out, sink.len, want, want_len);
  free(want);
}

/* ---- decode rules S1-S13 ------------------------------------------------------------------ */

static void test_section_rules(void) {
  const uint32_t strict = 0, compat = NNRP_DECODE_PY_COMPAT;
  const uint16_t FS = NNRP_SECTION_FIXED_STRIDE, MC = NNRP_SECTION_MIXED_CODEC;
  size_t off;
  /* Valid shapes: variable, empty payloads, zero tiles, codec table, stride. */
  CHECK_RC(one(desc_of(1, 0, 0), "", L12, "aabbcc", strict, NULL), 0);
  CHECK_RC(one(desc_of(1, 0, 0), "", "0000000000000000", "", strict, NULL), 0);
  CHECK_RC(one(desc_of(1, 0, 0), "", "", "", strict, NULL), 0);
  CHECK_RC(one(desc_of(1, MC, 0), "0703", L12, "aabbcc", strict, NULL), 0);
  CHECK_RC(one(desc_of(1, FS, 2), "", L12, "aa00bbcc", strict, NULL), 0);

  /* S1, S2 */
  uint8_t buf[128];
  size_t len = 0;
  put_section(buf, &len, desc_of(1, 0, 0), "", L12, "aabbcc");
  CHECK_RC(seq_check(buf, 31, 1, -1, strict, &off), NNRP_ERR_SECTION_TRUNCATED_DESC);
  CHECK_EQ(off, 0);
  CHECK_RC(seq_check(buf, 0, 1, -1, strict, &off), NNRP_ERR_SECTION_TRUNCATED_DESC);
  CHECK_RC(seq_check(buf, len - 1, 1, -1, strict, &off), NNRP_ERR_SECTION_TRUNCATED);
  CHECK_EQ(off, 0);
  /* S3-S12 */
  CHECK_RC(one(desc_of(1, 0, 0), "", "010000000200", "aa", strict, &off),
           NNRP_ERR_SECTION_LENGTH_TABLE_ALIGN);
  CHECK_RC(one(desc_of(1, FS, 0), "", L12, "aabbcc", strict, NULL),
           NNRP_ERR_SECTION_STRIDE_MISSING);
  CHECK_RC(one(desc_of(1, 0, 2), "", L12, "aa00bbcc", strict, NULL),
           NNRP_ERR_SECTION_STRIDE_FLAG);
  CHECK_RC(one(desc_of(1, MC, 0), "", L12, "aabbcc", strict, NULL),
           NNRP_ERR_SECTION_CODEC_TABLE_MISSING);
  CHECK_RC(one(desc_of(1, 0, 0), "0102", L12, "aabbcc", strict, NULL),
           NNRP_ERR_SECTION_CODEC_FLAG);
  CHECK_RC(one(desc_of(1, MC, 0), "010203", L12, "aabbcc", strict, NULL),
           NNRP_ERR_SECTION_CODEC_TABLE_COUNT);
  CHECK_RC(one(desc_of(1, MC, 0), "01", L12, "aabbcc", strict, NULL),
           NNRP_ERR_SECTION_CODEC_TABLE_COUNT);
  CHECK_RC(one(desc_of(1, FS, 2), "", L12, "aabbcc", strict, NULL),
           NNRP_ERR_SECTION_STRIDE_PAYLOAD);
  /* S10 names the length entry (tile 1: 32 + 4), S11 the padding byte (tile 1: 32 + 8 + 3). */
  CHECK_RC(one(desc_of(1, FS, 2), "", "0100000003000000", "aa00bbcc", strict, &off),
           NNRP_ERR_SECTION_TILE_EXCEEDS_STRIDE);
  CHECK_EQ(off, 36);
  CHECK_RC(one(desc_of(1, FS, 2), "", "0100000001000000", "aa00bb01", strict, &off),
           NNRP_ERR_SECTION_STRIDE_PADDING);
  CHECK_EQ(off, 43);
  CHECK_RC(one(desc_of(1, 0, 0), "", "0200000002000000", "aabbcc", strict, &off),
           NNRP_ERR_SECTION_PAYLOAD_SUM);
  CHECK_EQ(off, 0);
  /* S13: enums in field order. */
  nnrp_section_desc d = desc_of(1, 0, 0);
  d.dtype_id = 8;
  CHECK_RC(one(d, "", L12, "aabbcc", compat, NULL), NNRP_ERR_SECTION_DTYPE);
  d.layout_id = 2;
  CHECK_RC(one(d, "", L12, "aabbcc", strict, NULL), NNRP_ERR_SECTION_DTYPE);
  d.dtype_id = NNRP_DTYPE_UINT16;
  CHECK_RC(one(d, "", L12, "aabbcc", strict, NULL), NNRP_ERR_SECTION_LAYOUT);
  d.scale_policy = 3;
  CHECK_RC(one(d, "", L12, "aabbcc", strict, NULL), NNRP_ERR_SECTION_LAYOUT);
  d.layout_id = NNRP_LAYOUT_NCHW;
  CHECK_RC(one(d, "", L12, "aabbcc", strict, NULL), NNRP_ERR_SECTION_SCALE_POLICY);
  d.scale_policy = NNRP_SCALE_ZERO_POINT;
  CHECK_RC(one(d, "", L12, "aabbcc", strict, NULL), 0);
  /* D25: reserved and unknown flag bits, strict only. */
  d = desc_of(1, 0x0008, 0);
  CHECK_RC(one(d, "", L12, "aabbcc", strict, NULL), NNRP_ERR_SECTION_FLAGS);
  CHECK_RC(one(d, "", L12, "aabbcc", compat, NULL), 0);
  d = desc_of(1, 0, 0);
  d.reserved = 1;
  CHECK_RC(one(d, "", L12, "aabbcc", strict, NULL), NNRP_ERR_SECTION_RESERVED);
  CHECK_RC(one(d, "", L12, "aabbcc", compat, NULL), 0);
  /* Informational fields are not validated. */
  d = desc_of(0xFFFF, 0, 0);
  d.codec_id = 0xEE;
  d.element_count_per_tile = 0xFFFFFFFFu;
  CHECK_RC(one(d, "", L12, "aabbcc", strict, NULL), 0);
}

/* §14.1: per section S1, S13, S2, S3-S8, S9-S12, then Q1, Q3, then Q4 -> Q5. */
static void test_check_order(void) {
  const uint32_t strict = 0, compat = NNRP_DECODE_PY_COMPAT;
  const uint16_t FS = NNRP_SECTION_FIXED_STRIDE, MC = NNRP_SECTION_MIXED_CODEC;
  uint8_t buf[256];
  size_t len, off;
  nnrp_section_desc d = desc_of(1, 0, 0);

  /* S13 before S2; S13 before the strict bits; flags before reserved; strict bits before S2. */
  d.dtype_id = 9;
  d.flags = 0x0100;
  len = 0;
  put_section(buf, &len, d, "", L12, "aabbcc");
  CHECK_RC(seq_check(buf, len - 1, 1, -1, strict, NULL), NNRP_ERR_SECTION_DTYPE);
  d = desc_of(1, 0x0100, 0);
  d.reserved = 5;
  len = 0;
  put_section(buf, &len, d, "", L12, "aabbcc");
  CHECK_RC(seq_check(buf, len, 1, -1, strict, NULL), NNRP_ERR_SECTION_FLAGS);
  CHECK_RC(seq_check(buf, len - 1, 1, -1, strict, NULL), NNRP_ERR_SECTION_FLAGS);
  CHECK_RC(seq_check(buf, len - 1, 1, -1, compat, NULL), NNRP_ERR_SECTION_TRUNCATED);
  /* S2 before S3; S3 before S4; S4 before S6; S5 before S7; S7 before S8; S8 before S9. */
  len = 0;
  put_section(buf, &len, desc_of(1, 0, 0), "", "010000000200", "aa");
  CHECK_RC(seq_check(buf, len - 1, 1, -1, strict, NULL), NNRP_ERR_SECTION_TRUNCATED);
  CHECK_RC(one(desc_of(1, FS, 0), "", "010000000200", "aa", strict, NULL),
           NNRP_ERR_SECTION_LENGTH_TABLE_ALIGN);
  CHECK_RC(one(desc_of(1, FS | MC, 0), "", L12, "aabbcc", strict, NULL),
           NNRP_ERR_SECTION_STRIDE_MISSING);
  CHECK_RC(one(desc_of(1, 0, 2), "0102", L12, "aa00bbcc", strict, NULL),
           NNRP_ERR_SECTION_STRIDE_FLAG);
  CHECK_RC(one(desc_of(1, 0, 0), "010203", L12, "aabbcc", strict, NULL),
           NNRP_ERR_SECTION_CODEC_FLAG);
  CHECK_RC(one(desc_of(1, FS | MC, 2), "010203", L12, "aabbcc", strict, NULL),
           NNRP_ERR_SECTION_CODEC_TABLE_COUNT);
  /* S9 before S10; S10/S11 tile by tile. */
  CHECK_RC(one(desc_of(1, FS, 2), "", "0300000001000000", "aabbcc", strict, NULL),
           NNRP_ERR_SECTION_STRIDE_PAYLOAD);
  CHECK_RC(one(desc_of(1, FS, 2), "", "0100000003000000", "aa01bbcc", strict, &off),
           NNRP_ERR_SECTION_STRIDE_PADDING);
  CHECK_EQ(off, 41);
  CHECK_RC(one(desc_of(1, FS, 2), "", "0300000001000000", "aabbcc01", strict, &off),
           NNRP_ERR_SECTION_TILE_EXCEEDS_STRIDE);
  CHECK_EQ(off, 32);

  /* Section rules before Q1: second section out of order and with a bad payload sum. */
  len = 0;
  put_section(buf, &len, desc_of(5, 0, 0), "", L12, "aabbcc");
  size_t second = 48;
  put_pad(buf, &len, 0);
  CHECK_EQ(len, second);
  put_section(buf, &len, desc_of(4, 0, 0), "", "0100000005000000", "aabbcc");
  CHECK_RC(seq_check(buf, len, 2, 2, strict, &off), NNRP_ERR_SECTION_PAYLOAD_SUM);
  CHECK_EQ(off, second);
  /* Q1 before Q3: out of order and three tiles. */
  len = second;
  put_section(buf, &len, desc_of(5, 0, 0), "", "010000000100000001000000", "aabbcc");
  CHECK_RC(seq_check(buf, len, 2, 2, strict, &off), NNRP_ERR_SECTION_ORDER);
  CHECK_EQ(off, second);
  len = second;
  put_section(buf, &len, desc_of(6, 0, 0), "", "010000000100000001000000", "aabbcc");
  CHECK_RC(seq_check(buf, len, 2, 2, strict, &off), NNRP_ERR_SECTION_TILE_COUNT);
  CHECK_EQ(off, second);
  CHECK_RC(seq_check(buf, len, 2, -1, strict, NULL), 0); /* no tile count: Q3 not applied */
  /* Q3 before Q4: first section has the wrong count and non-zero padding after it. */
  buf[43] = 0x01;
  CHECK_RC(seq_check(buf, len, 2, 3, strict, &off), NNRP_ERR_SECTION_TILE_COUNT);
  CHECK_EQ(off, 0);
  /* Q4 (padding before section 2) before anything inside section 2. */
  buf[second + 3] = 9; /* section 2 dtype */
  CHECK_RC(seq_check(buf, len, 2, -1, strict, &off), NNRP_ERR_SECTION_PADDING);
  CHECK_EQ(off, 43);
  buf[43] = 0;
  CHECK_RC(seq_check(buf, len, 2, -1, strict, &off), NNRP_ERR_SECTION_DTYPE);
  CHECK_EQ(off, second);
  buf[second + 3] = NNRP_DTYPE_UINT8;
  /* Q4 before Q5: a missing second section ends in truncated padding. */
  CHECK_RC(seq_check(buf, 43, 2, -1, strict, &off), NNRP_ERR_SECTION_ALIGN_TRUNCATED);
  CHECK_EQ(off, 43);
  CHECK_RC(seq_check(buf, 47, 2, -1, strict, &off), NNRP_ERR_SECTION_ALIGN_TRUNCATED);
  CHECK_RC(seq_check(buf, 48, 2, -1, strict, &off), NNRP_ERR_SECTION_TRUNCATED_DESC);
  CHECK_EQ(off, 48);
  CHECK_RC(seq_check(buf, len, 1, -1, strict, &off), NNRP_ERR_TENSOR_TRAILING);
  CHECK_EQ(off, 43);
  CHECK_RC(seq_check(buf, len, 2, -1, strict, NULL), 0);
}

/* ---- sequences and tensor bodies ---------------------------------------------------------- */

static void test_sequence_walk(void) {
  uint8_t buf[256];
  size_t len = 0, off;
  put_section(buf, &len, desc_of(1, 0, 0), "", L12, "aabbcc");
  put_pad(buf, &len, 0);
  put_section(buf, &len, desc_of(2, NNRP_SECTION_FIXED_STRIDE, 4), "", "0000000004000000",
              "0000000061626364");
  put_pad(buf, &len, 0);
  put_section(buf, &len, desc_of(0xFFFF, 0, 0), "", "0000000000000000", "");
  CHECK_EQ(len, 48 + 48 + 40);
  CHECK_RC(seq_check(buf, len, 3, 2, 0, NULL), 0);
  /* Role ids compare as unsigned 16-bit values; equal is an error. */
  buf[48 + 48] = 2;
  buf[48 + 48 + 1] = 0;
  CHECK_RC(seq_check(buf, len, 3, 2, 0, &off), NNRP_ERR_SECTION_ORDER);
  CHECK_EQ(off, 96);
  buf[48 + 48 + 1] = 0xFF;

  nnrp_section_iter it;
  nnrp_section_view v;
  const uint16_t roles[] = {1, 2, 0xFF02};
  size_t k = 0;
  nnrp_section_iter_init(&it, buf, len, 3);
  while (nnrp_section_iter_next(&it, &v)) {
    CHECK(k < 3);
    if (k < 3) CHECK_EQ(v.desc.role_id, roles[k]);
    CHECK_EQ(v.tile_count, 2);
    k++;
  }
  CHECK_EQ(k, 3);
  /* The fixed-stride section: tile 0 empty at offset 0, tile 1 "abcd" at the stride. */
  nnrp_section_iter_init(&it, buf, len, 3);
  nnrp_section_iter_next(&it, &v);
  nnrp_section_iter_next(&it, &v);
  nnrp_section_tile_iter ti;
  nnrp_vec p;
  nnrp_section_tile_iter_init(&ti, &v);
  CHECK(nnrp_section_tile_iter_next(&ti, &p));
  CHECK(p.base == v.payload && p.len == 0);
  CHECK(nnrp_section_tile_iter_next(&ti, &p));
  CHECK(p.base == v.payload + 4 && p.len == 4);
  CHECK_EQ(nnrp_section_tile_codec(&v, 1), 0);

  /* No sections: an empty buffer is the only valid one. */
  CHECK_RC(seq_check(buf, 0, 0, 5, 0, NULL), 0);
  CHECK_RC(nnrp_section_seq_validate(NULL, 0, 0, -1, 0, NULL), 0);
  CHECK_RC(seq_check(buf, 1, 0, -1, 0, &off), NNRP_ERR_TENSOR_TRAILING);
  CHECK_EQ(off, 0);
  CHECK_RC(nnrp_section_seq_validate(NULL, 0, 1, -1, 0, NULL), NNRP_ERR_SECTION_TRUNCATED_DESC);
  nnrp_section_iter_init(&it, NULL, 0, 0);
  CHECK(!nnrp_section_iter_next(&it, &v));
}

static void test_body_unpack(void) {
  uint8_t buf[256];
  size_t len = 0, off;
  /* RAW_U16 tile index of three tiles (6 bytes), padding, one section. */
  const uint8_t index[] = {0, 0, 1, 0, 2, 0};
  memcpy(buf, index, 6);
  len = 6;
  put_pad(buf, &len, 0);
  put_section(buf, &len, desc_of(100, 0, 0), "", "020000000200000002000000", "726172627263");
  CHECK_EQ(len, 58); /* the body of §16.3 E4 */
  nnrp_tensor_body_view v;
  nnrp_diag diag = {0, 0};
  CHECK_RC(nnrp_tensor_body_unpack(&v, buf, len, 6, 1, 3, 0, &diag), 0);
  CHECK(v.tile_index.base == buf && v.tile_index.len == 6);
  CHECK(v.sections.base == buf + 8 && v.sections.len == 50);
  CHECK_EQ(v.section_count, 1);
  CHECK_RC(nnrp_tile_index_validate(v.tile_index.base, v.tile_index.len, NNRP_TILE_RAW_U16, 3, 0,
                                    0),
           0);

  CHECK_RC(body_unpack(buf, 5, 6, 1, 3, 0, &off), NNRP_ERR_TENSOR_TILE_INDEX_TRUNCATED);
  CHECK_EQ(off, 0);
  CHECK_RC(body_unpack(buf, 7, 6, 1, 3, 0, &off), NNRP_ERR_TENSOR_BODY_ALIGN);
  CHECK_EQ(off, 6);
  buf[7] = 2;
  CHECK_RC(body_unpack(buf, len, 6, 1, 3, 0, &off), NNRP_ERR_TENSOR_BODY_ALIGN);
  CHECK_EQ(off, 6);
  CHECK_RC(body_unpack(buf, len, 6, 1, 3, NNRP_DECODE_PY_COMPAT, NULL),
           NNRP_ERR_TENSOR_BODY_ALIGN);
  buf[7] = 0;
  /* Section offsets are reported relative to the body. */
  CHECK_RC(body_unpack(buf, len, 6, 1, 2, 0, &off), NNRP_ERR_SECTION_TILE_COUNT);
  CHECK_EQ(off, 8);
  CHECK_RC(body_unpack(buf, len - 1, 6, 1, 3, 0, &off), NNRP_ERR_SECTION_TRUNCATED);
  CHECK_EQ(off, 8);
  CHECK_RC(body_unpack(buf, len, 6, 2, 3, 0, &off), NNRP_ERR_SECTION_ALIGN_TRUNCATED);
  CHECK_EQ(off, 58);
  /* No sections: nothing may follow the tile index, not even padding. */
  CHECK_RC(body_unpack(buf, 6, 6, 0, 3, 0, NULL), 0);
  CHECK_RC(body_unpack(buf, 8, 6, 0, 3, 0, &off), NNRP_ERR_TENSOR_TRAILING);
  CHECK_EQ(off, 6);
  CHECK_RC(nnrp_tensor_body_unpack(&v, NULL, 0, 0, 0, 0, 0, NULL), 0);
  CHECK(v.tile_index.len == 0 && v.sections.len == 0 && v.section_count == 0);
  CHECK_RC(nnrp_tensor_body_unpack(&v, NULL, 0, 0, 1, 0, 0, &diag),
           NNRP_ERR_SECTION_TRUNCATED_DESC);
  /* A tile index already aligned needs no padding; the tile index itself is not decoded. */
  memset(buf, 0xEE, 8);
  len = 8;
  put_section(buf, &len, desc_of(1, 0, 0), "", "", "");
  CHECK_RC(body_unpack(buf, len, 8, 1, 0, 0, NULL), 0);
  CHECK_RC(body_unpack(buf, len, 8, 1, -1, 0, NULL), 0);
  /* Tile index truncation wins over everything else. */
  CHECK_RC(body_unpack(buf, len, len + 1, 1, 0, 0, NULL), NNRP_ERR_TENSOR_TILE_INDEX_TRUNCATED);
}

/* ---- builders ----------------------------------------------------------------------------- */

static void init_section(nnrp_tensor_section_data *s, uint16_t role, const nnrp_vec *payloads,
                         size_t n) {
  memset(s, 0, sizeof(*s));
  s->role_id = role;
  s->dtype_id = NNRP_DTYPE_UINT8;
  s->tile_payloads = payloads;
  s->tile_payload_count = n;
}

static int encode_section(const nnrp_tensor_section_data *s, uint8_t *out, size_t cap,
                          size_t *len) {
  nnrp_sink sink;
  nnrp_sink_init_buffer(&sink, out, cap);
  int rc = nnrp_tensor_section_encode(s, &sink);
  *len = sink.total;
  return rc;
}

static void test_encode_rules(void) {
  const nnrp_vec payloads[] = {bytes("aa"), bytes("b")};
  nnrp_tensor_section_data s;
  uint8_t out[256], want[256];
  size_t len, want_len;

  /* Codec ids all equal to the default: no table, no MIXED_CODEC. */
  const uint8_t same[] = {7, 7}, differ[] = {7, 3};
  init_section(&s, 2, payloads, 2);
  s.default_codec_id = 7;
  s.codec_ids = same;
  s.codec_id_count = 2;
  CHECK_RC(encode_section(&s, out, sizeof(out), &len), 0);
  want_len = 0;
  nnrp_section_desc d = desc_of(2, 0, 0);
  d.codec_id = 7;
  put_section(want, &want_len, d, "", L21, "616162");
  CHECK_MEM(out, len, want, want_len);
  /* One differs: the table carries every id. */
  s.codec_ids = differ;
  CHECK_RC(encode_section(&s, out, sizeof(out), &len), 0);
  want_len = 0;
  d.flags = NNRP_SECTION_MIXED_CODEC;
  put_section(want, &want_len, d, "0703", L21, "616162");
  CHECK_MEM(out, len, want, want_len);

  /* Input errors, each before anything is written. */
  s.codec_id_count = 1;
  CHECK_RC(encode_section(&s, out, sizeof(out), &len), NNRP_ERR_SECTION_CODEC_IDS);
  CHECK_EQ(len, 0);
  s.codec_id_count = 0;
  s.payload_stride_bytes = 1;
  CHECK_RC(encode_section(&s, out, sizeof(out), &len), NNRP_ERR_SECTION_TILE_EXCEEDS_STRIDE);
  CHECK_RC(nnrp_tensor_section_encoded_len(&s, &len), NNRP_ERR_SECTION_TILE_EXCEEDS_STRIDE);
  s.payload_stride_bytes = 2; /* the longest payload fits exactly */
  CHECK_RC(encode_section(&s, out, sizeof(out), &len), 0);
  want_len = 0;
  d = desc_of(2, NNRP_SECTION_FIXED_STRIDE, 2);
  d.codec_id = 7;
  put_section(want, &want_len, d, "", L21, "61616200");
  CHECK_MEM(out, len, want, want_len);
  s.dtype_id = 8;
  CHECK_RC(encode_section(&s, out, sizeof(out), &len), NNRP_ERR_SECTION_DTYPE);
  s.dtype_id = NNRP_DTYPE_FP16;
  s.layout_id = 2;
  CHECK_RC(encode_section(&s, out, sizeof(out), &len), NNRP_ERR_SECTION_LAYOUT);
  s.layout_id = NNRP_LAYOUT_NCHW;
  s.scale_policy = 3;
  len = 12345;
  CHECK_RC(nnrp_tensor_section_encoded_len(&s, &len), NNRP_ERR_SECTION_SCALE_POLICY);
  CHECK_EQ(len, 12345); /* untouched */
  /* Order of the builder rules: codec ids, then stride, then the enums. */
  s.payload_stride_bytes = 1;
  CHECK_RC(encode_section(&s, out, sizeof(out), &len), NNRP_ERR_SECTION_TILE_EXCEEDS_STRIDE);
  s.codec_ids = differ;
  s.codec_id_count = 3;
  CHECK_RC(encode_section(&s, out, sizeof(out), &len), NNRP_ERR_SECTION_CODEC_IDS);
  /* Misuse. */
  init_section(&s, 2, NULL, 2);
  CHECK_RC(encode_section(&s, out, sizeof(out), &len), NNRP_ERR_INVALID_ARGUMENT);
  init_section(&s, 2, payloads, 2);
  s.codec_id_count = 2;
  CHECK_RC(encode_section(&s, out, sizeof(out), &len), NNRP_ERR_INVALID_ARGUMENT);
  /* A payload longer than a u32 length entry (checked before any byte is read). */
  if (sizeof(size_t) > 4) {
    nnrp_vec huge[] = {{out, (size_t)UINT32_MAX + 1}};
    init_section(&s, 2, huge, 1);
    CHECK_RC(nnrp_tensor_section_encoded_len(&s, &len), NNRP_ERR_BUILD_FIELD_RANGE);
  }
  /* A short buffer: the error and the size it needs. */
  init_section(&s, 2, payloads, 2);
  CHECK_RC(encode_section(&s, out, 40, &len), NNRP_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(len, 43);
  /* Zero tiles: a bare descriptor. */
  init_section(&s, 3, NULL, 0);
  CHECK_RC(encode_section(&s, out, sizeof(out), &len), 0);
  want_len = 0;
  put_section(want, &want_len, desc_of(3, 0, 0), "", "", "");
  CHECK_MEM(out, len, want, want_len);
}

static int pack(const nnrp_section_desc *d, const char *codec, const char *lengths,
                const char *payload, uint8_t *out, size_t *len) {
  size_t cl, ll, pl;
  uint8_t *c = test_hex_decode(codec, &cl), *l = test_hex_decode(lengths, &ll),
          *p = test_hex_decode(payload, &pl);
  nnrp_vec cv = {c, cl}, lv = {l, ll}, pv = {p, pl};
  nnrp_sink sink;
  nnrp_sink_init_buffer(&sink, out, 256);
  int rc = nnrp_tensor_section_pack(d, cv, lv, pv, &sink);
  *len = sink.total;
  free(c);
  free(l);
  free(p);
  return rc;
}

static void test_pack(void) {
  uint8_t out[256], want[256];
  size_t len, want_len = 0;
  nnrp_section_desc d = desc_of(4, NNRP_SECTION_MIXED_CODEC, 0);
  d.codec_table_bytes = 2;
  d.length_table_bytes = 8;
  d.payload_bytes = 3;
  CHECK_RC(pack(&d, "0102", L12, "aabbcc", out, &len), 0);
  put_section(want, &want_len, d, "0102", L12, "aabbcc");
  CHECK_MEM(out, len, want, want_len);
  /* Each part must have the length the descriptor gives. */
  CHECK_RC(pack(&d, "01", L12, "aabbcc", out, &len), NNRP_ERR_SECTION_LENGTH_MISMATCH);
  CHECK_EQ(len, 0);
  CHECK_RC(pack(&d, "0102", "01000000", "aabbcc", out, &len), NNRP_ERR_SECTION_LENGTH_MISMATCH);
  CHECK_RC(pack(&d, "0102", L12, "aabb", out, &len), NNRP_ERR_SECTION_LENGTH_MISMATCH);
  /* Then S3-S12, as on decode. */
  d.payload_bytes = 4;
  CHECK_RC(pack(&d, "0102", L12, "aabbccdd", out, &len), NNRP_ERR_SECTION_PAYLOAD_SUM);
  d.flags |= NNRP_SECTION_FIXED_STRIDE;
  CHECK_RC(pack(&d, "0102", L12, "aabbccdd", out, &len), NNRP_ERR_SECTION_STRIDE_MISSING);
  d.payload_stride_bytes = 2;
  CHECK_RC(pack(&d, "0102", L12, "aa01bbcc", out, &len), NNRP_ERR_SECTION_STRIDE_PADDING);
  CHECK_RC(pack(&d, "0102", L12, "aa00bbcc", out, &len), 0);
  d.codec_table_bytes = 3;
  CHECK_RC(pack(&d, "010203", L12, "aa00bbcc", out, &len), NNRP_ERR_SECTION_CODEC_TABLE_COUNT);
  d.codec_table_bytes = 2;
  d.length_table_bytes = 6;
  CHECK_RC(pack(&d, "0102", "010000000200", "aa00bbcc", out, &len),
           NNRP_ERR_SECTION_LENGTH_TABLE_ALIGN);
  d.length_table_bytes = 8;
  /* A builder never emits what the strict decoder refuses; S13 comes first. */
  d.reserved = 1;
  CHECK_RC(pack(&d, "0102", L12, "aa00bbcc", out, &len), NNRP_ERR_SECTION_RESERVED);
  d.flags |= 0x0040;
  CHECK_RC(pack(&d, "0102", L12, "aa00bbcc", out, &len), NNRP_ERR_SECTION_FLAGS);
  d.dtype_id = 8;
  CHECK_RC(pack(&d, "", "", "", out, &len), NNRP_ERR_SECTION_DTYPE);
}

static void test_seq_encode(void) {
  const nnrp_vec p1[] = {bytes("aa"), bytes("b")}, p2[] = {bytes(""), bytes("cc")};
  nnrp_tensor_section_data s[2];
  init_section(&s[0], 1, p1, 2);
  init_section(&s[1], 2, p2, 2);
  uint8_t out[256], want[256];
  size_t want_len = 3;
  memcpy(want, "xyz", 3);
  put_pad(want, &want_len, 0);
  put_section(want, &want_len, desc_of(1, 0, 0), "", L21, "616162");
  put_pad(want, &want_len, 0);
  put_section(want, &want_len, desc_of(2, 0, 0), "", "0000000002000000", "6363");
  CHECK_EQ(want_len, 98); /* no padding after the last section */

  /* Sections aligned relative to `start`: the sink's offset 0 here... */
  nnrp_sink sink;
  nnrp_sink_init_buffer(&sink, out, sizeof(out));
  nnrp_sink_write(&sink, "xyz", 3);
  CHECK_RC(nnrp_section_seq_encode(s, 2, 2, 0, &sink), 0);
  CHECK_MEM(out, sink.len, want, want_len);
  CHECK_RC(seq_check(want + 8, want_len - 8, 2, 2, 0, NULL), 0);
  /* ...and an enclosing buffer that begins at offset 3. */
  nnrp_sink_init_buffer(&sink, out, sizeof(out));
  nnrp_sink_write(&sink, "xyz", 3);
  CHECK_RC(nnrp_section_seq_encode(s, 2, 2, 3, &sink), 0);
  CHECK_EQ(sink.len, 3 + 43 + 5 + 42);
  CHECK_MEM(out + 3, sink.len - 3, want + 8, want_len - 8);
  /* Count sink: same size. */
  nnrp_sink_init_count(&sink);
  CHECK_RC(nnrp_section_seq_encode(s, 2, 2, 0, &sink), 0);
  CHECK_EQ(sink.total, 43 + 5 + 42);
  /* Nothing at all. */
  nnrp_sink_init_buffer(&sink, out, sizeof(out));
  CHECK_RC(nnrp_section_seq_encode(NULL, 0, 7, 0, &sink), 0);
  CHECK_EQ(sink.total, 0);

  /* Q1 (unsigned, equal is an error), Q2, and their order. */
  s[1].role_id = 1;
  nnrp_sink_init_count(&sink);
  CHECK_RC(nnrp_section_seq_encode(s, 2, 2, 0, &sink), NNRP_ERR_SECTION_ORDER);
  s[1].role_id = 0;
  CHECK_RC(nnrp_section_seq_encode(s, 2, 2, 0, &sink), NNRP_ERR_SECTION_ORDER);
  s[1].tile_payload_count = 1; /* Q1 of a section before its Q2 */
  CHECK_RC(nnrp_section_seq_encode(s, 2, 2, 0, &sink), NNRP_ERR_SECTION_ORDER);
  s[1].role_id = 0xFFFF;
  CHECK_RC(nnrp_section_seq_encode(s, 2, 2, 0, &sink), NNRP_ERR_SECTION_TILE_COUNT);
  CHECK_RC(nnrp_section_seq_encode(s, 2, 1, 0, &sink), NNRP_ERR_SECTION_TILE_COUNT);
  s[1].tile_payload_count = 2;
  /* Q2 before the S-rules of the same section; an earlier section's rule wins over a later Q1. */
  s[0].payload_stride_bytes = 1;
  CHECK_RC(nnrp_section_seq_encode(s, 2, 2, 0, &sink), NNRP_ERR_SECTION_TILE_EXCEEDS_STRIDE);
  CHECK_RC(nnrp_section_seq_encode(s, 2, 3, 0, &sink), NNRP_ERR_SECTION_TILE_COUNT);
  s[1].role_id = 1;
  CHECK_RC(nnrp_section_seq_encode(s, 2, 2, 0, &sink), NNRP_ERR_SECTION_TILE_EXCEEDS_STRIDE);
}

/* ---- scatter-gather ----------------------------------------------------------------------- */

/* Concatenate an iovec. */
static size_t gather(const nnrp_vec *iov, size_t n, uint8_t *out) {
  size_t len = 0;
  for (size_t i = 0; i < n; i++) {
    memcpy(out + len, iov[i].base, iov[i].len);
    len += iov[i].len;
  }
  return len;
}

static int iov_has(const nnrp_vec *iov, size_t n, const uint8_t *base, size_t len) {
  for (size_t i = 0; i < n; i++)
    if (iov[i].base == base && iov[i].len == len) return 1;
  return 0;
}

static void test_scatter_gather(void) {
  uint8_t big[300], small[5];
  for (size_t i = 0; i < sizeof(big); i++) big[i] = (uint8_t)(i * 7 + 1);
  memcpy(small, "hello", 5);
  const nnrp_vec payloads[] = {{big, sizeof(big)}, {NULL, 0}, {small, 5}};
  const uint8_t codecs[] = {0, 1, 0};
  nnrp_tensor_section_data s;
  init_section(&s, 3, payloads, 3);
  uint8_t flat[2048], joined[2048], scratch[2048];
  nnrp_vec iov[16];
  size_t flat_len;
  nnrp_sink sink;

  /* Variable length: structural bytes in scratch, payloads referenced in place. */
  CHECK_RC(encode_section(&s, flat, sizeof(flat), &flat_len), 0);
  nnrp_sink_init_iov(&sink, scratch, sizeof(scratch), iov, N(iov), 1);
  CHECK_RC(nnrp_tensor_section_encode(&s, &sink), 0);
  CHECK_EQ(sink.len, 32 + 12);
  CHECK_EQ(sink.iov_count, 3);
  CHECK(iov[0].base == scratch);
  CHECK(iov_has(iov, sink.iov_count, big, sizeof(big)));
  CHECK(iov_has(iov, sink.iov_count, small, 5));
  CHECK_MEM(joined, gather(iov, sink.iov_count, joined), flat, flat_len);

  /* Fixed stride with a codec table: each payload referenced, then its padding as zeros. */
  s.payload_stride_bytes = 300;
  s.codec_ids = codecs;
  s.codec_id_count = 3;
  CHECK_RC(encode_section(&s, flat, sizeof(flat), &flat_len), 0);
  CHECK_EQ(flat_len, 32 + 3 + 12 + 900);
  nnrp_sink_init_iov(&sink, scratch, sizeof(scratch), iov, N(iov), 1);
  CHECK_RC(nnrp_tensor_section_encode(&s, &sink), 0);
  CHECK_EQ(sink.len, 32 + 3 + 12 + 300 + 295);
  CHECK_EQ(sink.iov_count, 5); /* scratch, big, zeros, small, zeros */
  CHECK(iov_has(iov, sink.iov_count, big, sizeof(big)));
  CHECK(iov_has(iov, sink.iov_count, small, 5));
  CHECK_MEM(joined, gather(iov, sink.iov_count, joined), flat, flat_len);

  /* Below the zero-copy threshold a payload is copied. */
  nnrp_sink_init_iov(&sink, scratch, sizeof(scratch), iov, N(iov), 64);
  CHECK_RC(nnrp_tensor_section_encode(&s, &sink), 0);
  CHECK(iov_has(iov, sink.iov_count, big, sizeof(big)));
  for (size_t i = 0; i < sink.iov_count; i++) CHECK(iov[i].base != small);
  CHECK_MEM(joined, gather(iov, sink.iov_count, joined), flat, flat_len);

  /* A full sequence through the vector equals the buffer encoding. */
  const nnrp_vec other[] = {{small, 5}, {big + 100, 100}, {big, 50}};
  nnrp_tensor_section_data seq[2];
  seq[0] = s;
  init_section(&seq[1], 9, other, 3);
  nnrp_sink_init_buffer(&sink, flat, sizeof(flat));
  CHECK_RC(nnrp_section_seq_encode(seq, 2, 3, 0, &sink), 0);
  flat_len = sink.len;
  nnrp_sink_init_iov(&sink, scratch, sizeof(scratch), iov, N(iov), 1);
  CHECK_RC(nnrp_section_seq_encode(seq, 2, 3, 0, &sink), 0);
  CHECK(iov_has(iov, sink.iov_count, big + 100, 100));
  CHECK(iov_has(iov, sink.iov_count, big, 50));
  CHECK_MEM(joined, gather(iov, sink.iov_count, joined), flat, flat_len);
  CHECK_RC(seq_check(joined, flat_len, 2, 3, 0, NULL), 0);

  /* Too few iovecs: reported, not overrun. */
  nnrp_sink_init_iov(&sink, scratch, sizeof(scratch), iov, 1, 1);
  CHECK_RC(nnrp_tensor_section_encode(&s, &sink), NNRP_ERR_IOV_TOO_SMALL);
}

/* ---- hostile input ------------------------------------------------------------------------ */

/* A body with every feature: RAW_U16 tile index, codec table + stride, variable, empty. */
static size_t sample_body(uint8_t *buf) {
  const uint8_t index[] = {3, 0, 4, 0, 9, 0};
  size_t len = 6;
  memcpy(buf, index, 6);
  put_pad(buf, &len, 0);
  put_section(buf, &len, desc_of(1, NNRP_SECTION_FIXED_STRIDE | NNRP_SECTION_MIXED_CODEC, 3),
              "010002", "020000000000000003000000", "616200000000636465");
  put_pad(buf, &len, 0);
  put_section(buf, &len, desc_of(2, 0, 0), "", "010000000000000002000000", "787979");
  put_pad(buf, &len, 0);
  put_section(buf, &len, desc_of(3, 0, 0), "", "000000000000000000000000", "");
  return len;
}

static void test_truncation(void) {
  uint8_t full[512];
  size_t len = sample_body(full);
  CHECK_RC(body_unpack(full, len, 6, 3, 3, 0, NULL), 0);
  for (size_t cut = 0; cut < len; cut++) {
    CHECK(body_unpack(full, cut, 6, 3, 3, 0, NULL) < 0);
    CHECK(body_unpack(full, cut, 6, 3, -1, NNRP_DECODE_PY_COMPAT, NULL) < 0);
  }
  /* A lone section (E2) cut anywhere. */
  size_t e2_len;
  uint8_t *e2 = test_hex_decode(e2_hex, &e2_len);
  for (size_t cut = 0; cut < e2_len; cut++) CHECK(seq_check(e2, cut, 1, -1, 0, NULL) < 0);
  free(e2);
}

/* Corrupt every byte a few ways: the walk either fails or yields views inside the buffer. */
static void test_corruption(void) {
  uint8_t full[512];
  size_t len = sample_body(full);
  size_t accepted = 0, rejected = 0;
  for (size_t i = 0; i < len; i++) {
    const uint8_t values[] = {0x00, 0xFF, (uint8_t)(full[i] ^ 0x01), (uint8_t)(full[i] ^ 0x80)};
    for (size_t k = 0; k < N(values); k++) {
      if (values[k] == full[i]) continue;
      uint8_t *p = exact(full, len);
      p[i] = values[k];
      nnrp_tensor_body_view v;
      int rc = nnrp_tensor_body_unpack(&v, p, len, 6, 3, 3, NNRP_DECODE_PY_COMPAT, NULL);
      if (rc == 0) {
        accepted++;
        nnrp_section_iter it;
        nnrp_section_view s;
        nnrp_section_iter_init(&it, v.sections.base, v.sections.len, v.section_count);
        while (nnrp_section_iter_next(&it, &s)) {
          nnrp_section_tile_iter ti;
          nnrp_vec t;
          nnrp_section_tile_iter_init(&ti, &s);
          while (nnrp_section_tile_iter_next(&ti, &t)) {
            CHECK(t.base >= p && t.base + t.len <= p + len);
            (void)nnrp_section_tile_codec(&s, ti.index - 1);
          }
        }
      } else {
        rejected++;
      }
      free(p);
    }
  }
  CHECK(accepted > 0); /* payload and informational bytes may change freely */
  CHECK(rejected > 0);
}

int main(void) {
  RUN(test_desc_codec);
  RUN(test_e2);
  RUN(test_section_rules);
  RUN(test_check_order);
  RUN(test_sequence_walk);
  RUN(test_body_unpack);
  RUN(test_encode_rules);
  RUN(test_pack);
  RUN(test_seq_encode);
  RUN(test_scatter_gather);
  RUN(test_truncation);
  RUN(test_corruption);
  return TEST_REPORT();
}
