/*
 * Tensor section builders (wire-data §6.2 rules 1-6, §6.3 Q1/Q2): E2 byte for byte, input
 * errors and their order, pack_tensor_section, sequence alignment, and scatter-gather output
 * that references the caller's payloads instead of copying them.
 */
#include "section_parts.h"

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

/* wire-data §16.3 E2, built from its inputs and read back. */
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
  uint8_t *want = test_hex_decode(E2_HEX, &want_len);
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
int main(void) {
  RUN(test_e2);
  RUN(test_encode_rules);
  RUN(test_pack);
  RUN(test_seq_encode);
  RUN(test_scatter_gather);
  return TEST_REPORT();
}
