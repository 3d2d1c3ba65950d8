/*
 * Shared by the tensor-section tests: sections assembled from explicit parts (no checks, so
 * that any rule can be broken on purpose) and small wrappers around the validators.
 */
#ifndef NNRP_TEST_SECTION_PARTS_H
#define NNRP_TEST_SECTION_PARTS_H

#include <libnnrp/wire.h>

#include "test.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define L12 "0100000002000000" /* length table (1, 2) */
#define L21 "0200000001000000" /* length table (2, 1) */

/* wire-data §16.3 E2: fixed stride and a codec table (50 bytes). */
#define E2_HEX                                                          \
  "0900000500000300000000000200000008000000080000000400000000000000" \
  "010202000000030000006162000063646500"

static inline nnrp_section_desc desc_of(uint16_t role, uint16_t flags, uint32_t stride) {
  nnrp_section_desc d;
  memset(&d, 0, sizeof(d));
  d.role_id = role;
  d.dtype_id = NNRP_DTYPE_UINT8;
  d.flags = flags;
  d.payload_stride_bytes = stride;
  return d;
}

/* Append a section from explicit parts, unchecked; the descriptor lengths follow the parts. */
static inline void put_section(uint8_t *buf, size_t *len, nnrp_section_desc d,
                               const char *codec_hex, const char *lengths_hex,
                               const char *payload_hex) {
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

static inline void put_pad(uint8_t *buf, size_t *len, uint8_t fill) {
  while (*len % 8) buf[(*len)++] = fill;
}

/* Copy to an exact-size allocation so that the sanitizer build catches any over-read. */
static inline uint8_t *exact(const uint8_t *p, size_t n) {
  uint8_t *q = malloc(n ? n : 1);
  memcpy(q, p, n);
  return q;
}

/* Validate a sequence; *off gets the diag offset on failure. */
static inline int seq_check(const uint8_t *buf, size_t len, size_t count, long tiles,
                            uint32_t flags, size_t *off) {
  uint8_t *p = exact(buf, len);
  nnrp_diag diag = {0, 0};
  int rc = nnrp_section_seq_validate(p, len, count, tiles, flags, &diag);
  if (rc) CHECK_EQ(diag.error, rc);
  if (off) *off = rc ? diag.offset : (size_t)-1;
  free(p);
  return rc;
}

/* One section built from parts, validated alone (tile count not checked). */
static inline int one(nnrp_section_desc d, const char *codec, const char *lengths,
                      const char *payload, uint32_t flags, size_t *off) {
  uint8_t buf[256];
  size_t len = 0;
  put_section(buf, &len, d, codec, lengths, payload);
  return seq_check(buf, len, 1, -1, flags, off);
}

static inline int body_unpack(const uint8_t *buf, size_t len, size_t tib, size_t count,
                              long tiles, uint32_t flags, size_t *off) {
  uint8_t *p = exact(buf, len);
  nnrp_diag diag = {0, 0};
  nnrp_tensor_body_view v;
  int rc = nnrp_tensor_body_unpack(&v, p, len, tib, count, tiles, flags, &diag);
  if (off) *off = rc ? diag.offset : (size_t)-1;
  free(p);
  return rc;
}

static inline nnrp_vec bytes(const char *s) {
  nnrp_vec v = {(const uint8_t *)s, strlen(s)};
  return v;
}

#endif /* NNRP_TEST_SECTION_PARTS_H */
