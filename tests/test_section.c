/*
 * Tensor sections, section sequences and tensor bodies on the decode side (wire-data
 * §6.2-§6.4): every S/Q rule with its code and diag offset, the check order of §14.1, and
 * hostile input (truncation at every offset, corrupted bytes).
 */
#include "section_parts.h"

/* ---- descriptor -------------------------------------------------------------------------- */

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
  uint8_t *e2 = test_hex_decode(E2_HEX, &e2_len);
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
  RUN(test_section_rules);
  RUN(test_check_order);
  RUN(test_sequence_walk);
  RUN(test_body_unpack);
  RUN(test_truncation);
  RUN(test_corruption);
  return TEST_REPORT();
}
