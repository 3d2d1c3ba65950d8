/*
 * Private helpers of the wire layer: explicit little-endian loads and stores.
 * Never overlay a C struct on wire bytes (several u64 fields are unaligned).
 */
#ifndef NNRP_WIRE_INT_H
#define NNRP_WIRE_INT_H

#include <stdint.h>
#include <string.h>

#include <libnnrp/wire.h>

static inline uint16_t nnrp_ld16(const uint8_t *p) {
  return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t nnrp_ld32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t nnrp_ld64(const uint8_t *p) {
  return (uint64_t)nnrp_ld32(p) | ((uint64_t)nnrp_ld32(p + 4) << 32);
}
static inline void nnrp_st16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static inline void nnrp_st32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}
static inline void nnrp_st64(uint8_t *p, uint64_t v) {
  nnrp_st32(p, (uint32_t)v);
  nnrp_st32(p + 4, (uint32_t)(v >> 32));
}

/* Fill a diag (if any) and return the error, so failures read `return nnrp_fail(d, E, off);`. */
static inline int nnrp_fail(nnrp_diag *d, int err, size_t offset) {
  if (d) {
    d->error = err;
    d->offset = offset;
  }
  return err;
}

/* True when every byte of p[0..n) is zero. */
static inline int nnrp_all_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return 0;
  return 1;
}

/* Is x exactly one bit? */
static inline int nnrp_one_bit(uint32_t x) { return x && !(x & (x - 1)); }

#endif /* NNRP_WIRE_INT_H */
