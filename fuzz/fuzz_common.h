/*
 * Shared helpers of the libFuzzer targets: a byte reader that never fails (it yields zeros
 * once the input runs out, so every input maps to some argument set), the checks every
 * target repeats, and the libFuzzer entry point prototype.
 *
 * A target aborts (FUZZ_CHECK) when the library breaks one of its own promises: a decoder
 * accepts what its encoder writes back differently, a builder emits a packet the decoder
 * refuses, two sink modes disagree.  Memory errors are found by the sanitizers.
 */
#ifndef NNRP_FUZZ_COMMON_H
#define NNRP_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnnrp/wire.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                        \
  do {                                                                          \
    if (!(cond)) {                                                              \
      fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                                  \
    }                                                                           \
  } while (0)

typedef struct fuzz_reader {
  const uint8_t *p;
  size_t n;
} fuzz_reader;

static inline void fuzz_reader_init(fuzz_reader *r, const uint8_t *data, size_t size) {
  r->p = data;
  r->n = size;
}

static inline uint8_t fuzz_u8(fuzz_reader *r) {
  if (r->n == 0) return 0;
  r->n--;
  return *r->p++;
}

static inline uint16_t fuzz_u16(fuzz_reader *r) {
  uint16_t lo = fuzz_u8(r);
  return (uint16_t)(lo | (fuzz_u8(r) << 8));
}

static inline uint32_t fuzz_u32(fuzz_reader *r) {
  uint32_t lo = fuzz_u16(r);
  return lo | ((uint32_t)fuzz_u16(r) << 16);
}

/* Up to `max` bytes as a view into the input (fewer when the input runs out). */
static inline nnrp_vec fuzz_bytes(fuzz_reader *r, size_t max) {
  nnrp_vec v = {r->p, max < r->n ? max : r->n};
  r->p += v.len;
  r->n -= v.len;
  return v;
}

/* Everything that is left. */
static inline nnrp_vec fuzz_rest(fuzz_reader *r) { return fuzz_bytes(r, r->n); }

/* Decode flags from one selector byte: strict, PY-compatible, and the optional strict rules. */
static inline uint32_t fuzz_decode_flags(uint8_t sel) {
  uint32_t f = 0;
  if (sel & 1) f |= NNRP_DECODE_PY_COMPAT;
  if (sel & 2) f |= NNRP_DECODE_STRICT_C6;
  return f;
}

/* A private copy of a view, so that an out-of-bounds read past its end is caught by ASan even
 * when the view sits in the middle of the fuzz input.  Returns NULL for an empty view. */
static inline uint8_t *fuzz_dup(nnrp_vec v) {
  uint8_t *p = (uint8_t *)malloc(v.len ? v.len : 1);
  FUZZ_CHECK(p != NULL);
  if (v.len) memcpy(p, v.base, v.len);
  return p;
}

/* Touch every byte of a view (lets ASan see a view that points outside its buffer). */
static inline unsigned fuzz_touch(nnrp_vec v) {
  unsigned sum = 0;
  for (size_t i = 0; i < v.len; i++) sum += v.base[i];
  return sum;
}

/* True when a view lies inside [base, base + len). */
static inline int fuzz_within(nnrp_vec v, const uint8_t *base, size_t len) {
  if (v.len == 0) return 1;
  return v.base >= base && v.len <= len && (size_t)(v.base - base) <= len - v.len;
}

/* Concatenate the vectors of a scatter-gather sink and compare with `expect`. */
static inline int fuzz_iov_equals(const nnrp_vec *iov, size_t n, const uint8_t *expect,
                                  size_t len) {
  size_t off = 0;
  for (size_t i = 0; i < n; i++) {
    if (iov[i].len > len - off) return 0;
    if (iov[i].len && memcmp(iov[i].base, expect + off, iov[i].len) != 0) return 0;
    off += iov[i].len;
  }
  return off == len;
}

#endif /* NNRP_FUZZ_COMMON_H */
