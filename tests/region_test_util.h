/*
 * Helpers shared by the region-body and typed-frame tests: named hex vectors, little-endian
 * stores, and writers for preludes, inline block headers and descriptors.
 */
#ifndef NNRP_REGION_TEST_UTIL_H
#define NNRP_REGION_TEST_UTIL_H

#include <jansson.h>
#include <libnnrp/wire.h>

#include "test.h"

static json_t *region_test_vectors;

/* Bytes of a named vector of wire-data-hex-vectors.json (malloc'd), NULL if absent. */
static inline uint8_t *vector(const char *name, size_t *len) {
  if (!region_test_vectors) {
    json_error_t err;
    const char *path = test_vector_path("wire-data-hex-vectors.json");
    region_test_vectors = json_load_file(path, 0, &err);
    if (!region_test_vectors) {
      fprintf(stderr, "cannot load %s: %s\n", path, err.text);
      exit(1);
    }
  }
  const json_t *list = json_object_get(region_test_vectors, "vectors");
  for (size_t i = 0; i < json_array_size(list); i++) {
    const json_t *v = json_array_get(list, i);
    if (strcmp(json_string_value(json_object_get(v, "name")), name) == 0)
      return test_hex_decode(json_string_value(json_object_get(v, "hex")), len);
  }
  fprintf(stderr, "vector %s not found\n", name);
  test_failures++;
  return NULL;
}

static inline void vectors_free(void) {
  json_decref(region_test_vectors);
  region_test_vectors = NULL;
}

static inline uint32_t ld32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void st16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static inline void st32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* The body of a whole packet: after the 40-byte header and meta_len metadata bytes. */
static inline nnrp_vec packet_body(const uint8_t *pkt, size_t len) {
  size_t start = 40 + ld32(pkt + 12);
  nnrp_vec v = {pkt + start, len - start};
  return v;
}

static inline void set_prelude(uint8_t *b, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3,
                               uint32_t a4, uint32_t a5, uint32_t flags, uint32_t reserved) {
  const uint32_t v[8] = {a0, a1, a2, a3, a4, a5, flags, reserved};
  for (int i = 0; i < 8; i++) st32(b + 4 * i, v[i]);
}

/* An inline object block header with the given fields (profile_id 0). */
static inline void put_block(uint8_t *p, uint16_t kind, uint16_t flags, uint16_t r0,
                             uint32_t bytes, uint32_t r1) {
  memset(p, 0, 16);
  st16(p, kind);
  st16(p + 2, flags);
  st16(p + 6, r0);
  st32(p + 8, bytes);
  st32(p + 12, r1);
}

static inline void typed_desc(uint8_t *p, uint8_t kind, uint8_t flags, uint32_t off,
                              uint32_t len, uint32_t reserved) {
  nnrp_typed_desc d = {kind, flags, 0, off, len, reserved};
  nnrp_typed_desc_encode(&d, p);
}

static inline void ext_desc(uint8_t *p, uint16_t kind, uint16_t flags, uint16_t r0, uint32_t off,
                            uint32_t len) {
  nnrp_ext_frame_desc d = {kind, flags, 0, r0, off, len};
  nnrp_ext_frame_desc_encode(&d, p);
}

/* nnrp_body_unpack with a diag preset to values no failure produces. */
static inline int unpack(const uint8_t *body, size_t len, uint32_t flags, nnrp_diag *d) {
  nnrp_vec r[6];
  d->error = 0;
  d->offset = (size_t)-1;
  return nnrp_body_unpack(r, body, len, flags, d);
}

#endif /* NNRP_REGION_TEST_UTIL_H */
