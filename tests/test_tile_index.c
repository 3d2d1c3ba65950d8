/* Tile index blocks (wire-data §6.1, §15 D24): builders, decode rules, iteration. */
#include <jansson.h>
#include <libnnrp/wire.h>

#include "test.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Encode into a buffer; returns the rc and the length written. */
static int encode(const uint16_t *ids, size_t n, unsigned mode, uint32_t base, uint8_t *out,
                  size_t cap, size_t *len) {
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, out, cap);
  int rc = nnrp_tile_index_encode(ids, n, mode, base, &s);
  *len = s.total;
  return rc;
}

/* Iterate a block and compare with the expected ids. */
static void check_iter(const uint8_t *block, size_t len, unsigned mode, size_t count,
                       uint32_t base, const uint32_t *expected) {
  nnrp_tile_iter it;
  uint32_t id;
  size_t i = 0;
  nnrp_tile_iter_init(&it, block, len, mode, count, base);
  while (nnrp_tile_iter_next(&it, &id)) {
    CHECK(i < count);
    if (i < count) CHECK_EQ(id, expected[i]);
    i++;
  }
  CHECK_EQ(i, count);
  CHECK(!nnrp_tile_iter_next(&it, &id)); /* stays at the end */
}

/* encode -> exact bytes -> validate -> iterate back to the ids. */
static void roundtrip(const uint16_t *ids, size_t n, unsigned mode, uint32_t base,
                      const char *hex) {
  size_t want_len = 0, len = 0, counted = 0;
  uint8_t *want = test_hex_decode(hex, &want_len);
  uint8_t *out = malloc(want_len + 1);
  CHECK_RC(nnrp_tile_index_encoded_len(ids, n, mode, base, &counted), 0);
  CHECK_EQ(counted, want_len);
  nnrp_sink count;
  nnrp_sink_init_count(&count);
  CHECK_RC(nnrp_tile_index_encode(ids, n, mode, base, &count), 0);
  CHECK_EQ(count.total, want_len);
  CHECK_RC(encode(ids, n, mode, base, out, want_len, &len), 0);
  CHECK_MEM(out, len, want, want_len);
  CHECK_RC(nnrp_tile_index_validate(out, len, mode, n, base, 0), 0);
  uint32_t *ids32 = malloc((n + 1) * sizeof(*ids32));
  for (size_t i = 0; i < n; i++) ids32[i] = ids[i];
  check_iter(out, len, mode, n, base, ids32);
  free(ids32);
  free(out);
  free(want);
}

static void test_dense_range(void) {
  const uint16_t ids[] = {5, 6, 7};
  roundtrip(ids, 3, NNRP_TILE_DENSE_RANGE, 5, "");
  roundtrip(NULL, 0, NNRP_TILE_DENSE_RANGE, 0, "");
  roundtrip(NULL, 0, NNRP_TILE_DENSE_RANGE, 0xFFFFFFFFu, "");
  const uint16_t last[] = {65534, 65535};
  roundtrip(last, 2, NNRP_TILE_DENSE_RANGE, 65534, "");
}

static void test_raw_u16(void) {
  const uint16_t unordered[] = {9, 3, 7};
  roundtrip(unordered, 3, NNRP_TILE_RAW_U16, 0, "090003000700");
  const uint16_t repeated[] = {4, 4}; /* RAW_U16 has no ordering precondition */
  roundtrip(repeated, 2, NNRP_TILE_RAW_U16, 0, "04000400");
  const uint16_t extremes[] = {65535, 0};
  roundtrip(extremes, 2, NNRP_TILE_RAW_U16, 77, "ffff0000");
  roundtrip(NULL, 0, NNRP_TILE_RAW_U16, 0, "");
}

static void test_delta_u16(void) {
  const uint16_t ids[] = {1, 5, 300};
  roundtrip(ids, 3, NNRP_TILE_DELTA_U16, 0, "010004002701");
  const uint16_t wide[] = {0, 1, 65535};
  roundtrip(wide, 3, NNRP_TILE_DELTA_U16, 0, "00000100feff");
  const uint16_t one[] = {65535};
  roundtrip(one, 1, NNRP_TILE_DELTA_U16, 0, "ffff");
  roundtrip(NULL, 0, NNRP_TILE_DELTA_U16, 0, "");
}

static void test_bitset(void) {
  const uint16_t ids[] = {0, 3, 9, 17};
  roundtrip(ids, 4, NNRP_TILE_BITSET, 0, "090202");
  const uint16_t sparse[] = {1, 8, 64};
  roundtrip(sparse, 3, NNRP_TILE_BITSET, 0, "020100000000000001");
  const uint16_t byte_full[] = {8, 9, 10, 11, 12, 13, 14, 15};
  roundtrip(byte_full, 8, NNRP_TILE_BITSET, 0, "00ff");
  roundtrip(NULL, 0, NNRP_TILE_BITSET, 0, "");
  /* The highest id needs 8192 bytes, all zero except the top bit of the last. */
  const uint16_t top[] = {65535};
  size_t len;
  uint8_t *out = malloc(8192);
  CHECK_RC(encode(top, 1, NNRP_TILE_BITSET, 0, out, 8192, &len), 0);
  CHECK_EQ(len, 8192);
  CHECK_EQ(out[8191], 0x80);
  size_t nonzero = 0;
  for (size_t i = 0; i < 8191; i++) nonzero += out[i] != 0;
  CHECK_EQ(nonzero, 0);
  CHECK_RC(nnrp_tile_index_validate(out, len, NNRP_TILE_BITSET, 1, 0, 0), 0);
  const uint32_t want[] = {65535};
  check_iter(out, len, NNRP_TILE_BITSET, 1, 0, want);
  free(out);
}

/* Many ids: the encoders stage output in chunks; compare with a direct computation. */
static void test_large_blocks(void) {
  enum { COUNT = 3000 };
  uint16_t *ids = malloc(COUNT * sizeof(*ids));
  uint32_t *ids32 = malloc(COUNT * sizeof(*ids32));
  uint8_t *want = calloc(8192, 1), *out = malloc(8192);
  for (size_t i = 0; i < COUNT; i++) ids32[i] = ids[i] = (uint16_t)(i * 21 + 3);
  size_t len;

  for (size_t i = 0; i < COUNT; i++) {
    want[2 * i] = (uint8_t)(ids[i] & 0xFF);
    want[2 * i + 1] = (uint8_t)(ids[i] >> 8);
  }
  CHECK_RC(encode(ids, COUNT, NNRP_TILE_RAW_U16, 0, out, 8192, &len), 0);
  CHECK_MEM(out, len, want, 2 * COUNT);
  check_iter(out, len, NNRP_TILE_RAW_U16, COUNT, 0, ids32);

  for (size_t i = 0; i < COUNT; i++) {
    unsigned v = i ? 21u : 3u;
    want[2 * i] = (uint8_t)v;
    want[2 * i + 1] = 0;
  }
  CHECK_RC(encode(ids, COUNT, NNRP_TILE_DELTA_U16, 0, out, 8192, &len), 0);
  CHECK_MEM(out, len, want, 2 * COUNT);
  CHECK_RC(nnrp_tile_index_validate(out, len, NNRP_TILE_DELTA_U16, COUNT, 0, 0), 0);
  check_iter(out, len, NNRP_TILE_DELTA_U16, COUNT, 0, ids32);

  memset(want, 0, 8192);
  for (size_t i = 0; i < COUNT; i++) want[ids[i] / 8] |= (uint8_t)(1u << (ids[i] % 8));
  size_t bitset_len = ids[COUNT - 1] / 8u + 1;
  CHECK_RC(encode(ids, COUNT, NNRP_TILE_BITSET, 0, out, 8192, &len), 0);
  CHECK_MEM(out, len, want, bitset_len);
  CHECK_RC(nnrp_tile_index_validate(out, len, NNRP_TILE_BITSET, COUNT, 0, 0), 0);
  check_iter(out, len, NNRP_TILE_BITSET, COUNT, 0, ids32);
  free(ids);
  free(ids32);
  free(want);
  free(out);
}

/* pack_tile_index_block examples of shared/vectors/builder-examples.json. */
static void test_builder_examples(void) {
  json_error_t err;
  /* Integers as doubles: the file holds u64 values beyond jansson's int64 elsewhere. */
  json_t *root =
      json_load_file(test_vector_path("builder-examples.json"), JSON_DECODE_INT_AS_REAL, &err);
  CHECK(root != NULL);
  if (!root) return;
  size_t i, seen = 0;
  json_t *ex;
  json_array_foreach(json_object_get(root, "examples"), i, ex) {
    if (strcmp(json_string_value(json_object_get(ex, "builder")), "pack_tile_index_block"))
      continue;
    json_t *in = json_object_get(ex, "inputs");
    json_t *jids = json_object_get(in, "tile_ids");
    uint16_t ids[64];
    size_t n = json_array_size(jids);
    CHECK(n <= N(ids));
    for (size_t k = 0; k < n && k < N(ids); k++)
      ids[k] = (uint16_t)json_number_value(json_array_get(jids, k));
    unsigned mode =
        (unsigned)json_number_value(json_object_get(json_object_get(in, "mode"), "value"));
    uint32_t base = (uint32_t)json_number_value(json_object_get(in, "tile_base_id"));
    roundtrip(ids, n, mode, base, json_string_value(json_object_get(ex, "hex")));
    seen++;
  }
  CHECK_EQ(seen, 6);
  json_decref(root);
}

static void test_builder_preconditions(void) {
  size_t len = 99;
  uint8_t out[16];
  const uint16_t from4[] = {4, 5}, gap[] = {5, 7}, wrapped[] = {4464};
  CHECK_RC(nnrp_tile_index_encoded_len(from4, 2, NNRP_TILE_DENSE_RANGE, 5, &len),
           NNRP_ERR_TILE_DENSE_NOT_CONTIGUOUS);
  CHECK_RC(nnrp_tile_index_encoded_len(gap, 2, NNRP_TILE_DENSE_RANGE, 5, &len),
           NNRP_ERR_TILE_DENSE_NOT_CONTIGUOUS);
  /* 70000 does not fit a u16 id: no list of ids can start there (no wrap to 4464). */
  CHECK_RC(nnrp_tile_index_encoded_len(wrapped, 1, NNRP_TILE_DENSE_RANGE, 70000, &len),
           NNRP_ERR_TILE_DENSE_NOT_CONTIGUOUS);
  CHECK_EQ(len, 99); /* untouched on failure */

  const uint16_t equal[] = {3, 3}, down[] = {9, 1};
  CHECK_RC(nnrp_tile_index_encoded_len(equal, 2, NNRP_TILE_DELTA_U16, 0, &len),
           NNRP_ERR_TILE_NOT_INCREASING);
  CHECK_RC(nnrp_tile_index_encoded_len(down, 2, NNRP_TILE_DELTA_U16, 0, &len),
           NNRP_ERR_TILE_NOT_INCREASING);
  CHECK_RC(nnrp_tile_index_encoded_len(equal, 2, NNRP_TILE_BITSET, 0, &len),
           NNRP_ERR_TILE_NOT_INCREASING);
  CHECK_RC(nnrp_tile_index_encoded_len(down, 2, NNRP_TILE_BITSET, 0, &len),
           NNRP_ERR_TILE_NOT_INCREASING);
  CHECK_RC(nnrp_tile_index_encoded_len(down, 2, 4, 0, &len), NNRP_ERR_TILE_INDEX_MODE);
  CHECK_RC(nnrp_tile_index_encoded_len(NULL, 0, 255, 0, &len), NNRP_ERR_TILE_INDEX_MODE);

  /* The encoder refuses before writing anything. */
  CHECK_RC(encode(down, 2, NNRP_TILE_DELTA_U16, 0, out, sizeof(out), &len),
           NNRP_ERR_TILE_NOT_INCREASING);
  CHECK_EQ(len, 0);
  CHECK_RC(encode(gap, 2, NNRP_TILE_DENSE_RANGE, 5, out, sizeof(out), &len),
           NNRP_ERR_TILE_DENSE_NOT_CONTIGUOUS);
  CHECK_RC(encode(down, 2, 7, 0, out, sizeof(out), &len), NNRP_ERR_TILE_INDEX_MODE);
  CHECK_EQ(len, 0);

  /* A sink too small reports it and still counts the bytes needed. */
  const uint16_t three[] = {1, 2, 3};
  CHECK_RC(encode(three, 3, NNRP_TILE_RAW_U16, 0, out, 5, &len), NNRP_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(len, 6);
}

static void test_decode_rules(void) {
  const uint8_t two[] = {0x01, 0x00};
  const uint8_t three[] = {0x01, 0x00, 0x02};
  uint32_t strict = 0, compat = NNRP_DECODE_PY_COMPAT;

  /* DENSE_RANGE */
  CHECK_RC(nnrp_tile_index_validate(two, 2, NNRP_TILE_DENSE_RANGE, 1, 0, strict),
           NNRP_ERR_TILE_DENSE_NOT_EMPTY);
  CHECK_RC(nnrp_tile_index_validate(two, 2, NNRP_TILE_DENSE_RANGE, 0, 0, compat),
           NNRP_ERR_TILE_DENSE_NOT_EMPTY);
  CHECK_RC(nnrp_tile_index_validate(NULL, 0, NNRP_TILE_DENSE_RANGE, 2, 65534, strict), 0);
  /* D24: ids beyond 65535 are refused by the strict profile only. */
  CHECK_RC(nnrp_tile_index_validate(NULL, 0, NNRP_TILE_DENSE_RANGE, 2, 65535, strict),
           NNRP_ERR_TILE_ID_RANGE);
  CHECK_RC(nnrp_tile_index_validate(NULL, 0, NNRP_TILE_DENSE_RANGE, 1, 70000, strict),
           NNRP_ERR_TILE_ID_RANGE);
  CHECK_RC(nnrp_tile_index_validate(NULL, 0, NNRP_TILE_DENSE_RANGE, 2, 65535, compat), 0);
  const uint32_t beyond[] = {65535, 65536};
  check_iter(NULL, 0, NNRP_TILE_DENSE_RANGE, 2, 65535, beyond);
  /* ...but even the lenient profile cannot name an id past the u32 range. */
  CHECK_RC(nnrp_tile_index_validate(NULL, 0, NNRP_TILE_DENSE_RANGE, 2, 0xFFFFFFFFu, compat),
           NNRP_ERR_TILE_ID_RANGE);
  CHECK_RC(nnrp_tile_index_validate(NULL, 0, NNRP_TILE_DENSE_RANGE, 1, 0xFFFFFFFFu, compat), 0);
  CHECK_RC(nnrp_tile_index_validate(NULL, 0, NNRP_TILE_DENSE_RANGE, 0, 0xFFFFFFFFu, strict), 0);

  /* RAW_U16: exactly two bytes per tile. */
  CHECK_RC(nnrp_tile_index_validate(two, 2, NNRP_TILE_RAW_U16, 1, 0, strict), 0);
  CHECK_RC(nnrp_tile_index_validate(three, 3, NNRP_TILE_RAW_U16, 2, 0, strict),
           NNRP_ERR_TILE_INDEX_LENGTH);
  CHECK_RC(nnrp_tile_index_validate(two, 2, NNRP_TILE_RAW_U16, 2, 0, compat),
           NNRP_ERR_TILE_INDEX_LENGTH);
  CHECK_RC(nnrp_tile_index_validate(two, 2, NNRP_TILE_RAW_U16, 0, 0, strict),
           NNRP_ERR_TILE_INDEX_LENGTH);
  CHECK_RC(nnrp_tile_index_validate(NULL, 0, NNRP_TILE_RAW_U16, 0, 0, strict), 0);

  /* DELTA_U16 */
  CHECK_RC(nnrp_tile_index_validate(three, 3, NNRP_TILE_DELTA_U16, 1, 0, strict),
           NNRP_ERR_TILE_INDEX_LENGTH);
  const uint8_t zero_first[] = {0x00, 0x00, 0x01, 0x00};
  CHECK_RC(nnrp_tile_index_validate(zero_first, 4, NNRP_TILE_DELTA_U16, 2, 0, strict), 0);
  const uint8_t zero_delta[] = {0x07, 0x00, 0x00, 0x00, 0x02, 0x00};
  CHECK_RC(nnrp_tile_index_validate(zero_delta, 6, NNRP_TILE_DELTA_U16, 3, 0, strict),
           NNRP_ERR_TILE_NOT_INCREASING);
  CHECK_RC(nnrp_tile_index_validate(zero_delta, 6, NNRP_TILE_DELTA_U16, 3, 0, compat), 0);
  const uint32_t repeated[] = {7, 7, 9};
  check_iter(zero_delta, 6, NNRP_TILE_DELTA_U16, 3, 0, repeated);
  const uint8_t overflow[] = {0xff, 0xff, 0x01, 0x00};
  CHECK_RC(nnrp_tile_index_validate(overflow, 4, NNRP_TILE_DELTA_U16, 2, 0, strict),
           NNRP_ERR_TILE_ID_RANGE);
  CHECK_RC(nnrp_tile_index_validate(overflow, 4, NNRP_TILE_DELTA_U16, 2, 0, compat),
           NNRP_ERR_TILE_ID_RANGE);
  /* The zero delta comes first in the walk, so it wins over a later overflow. */
  const uint8_t both[] = {0x00, 0xff, 0x00, 0x00, 0x00, 0x10};
  CHECK_RC(nnrp_tile_index_validate(both, 6, NNRP_TILE_DELTA_U16, 3, 0, strict),
           NNRP_ERR_TILE_NOT_INCREASING);
  CHECK_RC(nnrp_tile_index_validate(both, 6, NNRP_TILE_DELTA_U16, 3, 0, compat),
           NNRP_ERR_TILE_ID_RANGE);

  /* BITSET: the number of set bits is the tile count; trailing zero bytes are fine. */
  const uint8_t bits[] = {0x0e, 0x00, 0x00, 0x00};
  CHECK_RC(nnrp_tile_index_validate(bits, 1, NNRP_TILE_BITSET, 2, 0, strict),
           NNRP_ERR_TILE_BITSET_COUNT);
  CHECK_RC(nnrp_tile_index_validate(bits, 4, NNRP_TILE_BITSET, 3, 0, strict), 0);
  CHECK_RC(nnrp_tile_index_validate(bits, 4, NNRP_TILE_BITSET, 4, 0, compat),
           NNRP_ERR_TILE_BITSET_COUNT);
  const uint32_t bit_ids[] = {1, 2, 3};
  check_iter(bits, 4, NNRP_TILE_BITSET, 3, 0, bit_ids);
  CHECK_RC(nnrp_tile_index_validate(NULL, 0, NNRP_TILE_BITSET, 0, 0, strict), 0);
  CHECK_RC(nnrp_tile_index_validate(bits + 1, 3, NNRP_TILE_BITSET, 0, 0, strict), 0);
  /* A bit past id 65535 (byte 8192) names no u16 id. */
  uint8_t *big = calloc(8200, 1);
  big[8192] = 0x01;
  CHECK_RC(nnrp_tile_index_validate(big, 8200, NNRP_TILE_BITSET, 1, 0, strict),
           NNRP_ERR_TILE_ID_RANGE);
  CHECK_RC(nnrp_tile_index_validate(big, 8200, NNRP_TILE_BITSET, 1, 0, compat), 0);
  const uint32_t past[] = {65536};
  check_iter(big, 8200, NNRP_TILE_BITSET, 1, 0, past);
  big[8192] = 0;
  CHECK_RC(nnrp_tile_index_validate(big, 8200, NNRP_TILE_BITSET, 0, 0, strict), 0);
  free(big);

  /* Unknown modes. */
  CHECK_RC(nnrp_tile_index_validate(two, 2, 4, 1, 0, strict), NNRP_ERR_TILE_INDEX_MODE);
  CHECK_RC(nnrp_tile_index_validate(NULL, 0, 200, 0, 0, compat), NNRP_ERR_TILE_INDEX_MODE);
}

/* Every shorter prefix of a valid block fails (each copied to an exact-size allocation, so an
 * over-read would be caught by the sanitizer build). */
static void test_truncation(void) {
  const uint16_t ids[] = {2, 3, 40, 41, 700};
  const unsigned modes[] = {NNRP_TILE_RAW_U16, NNRP_TILE_DELTA_U16, NNRP_TILE_BITSET};
  uint8_t full[128];
  for (size_t m = 0; m < N(modes); m++) {
    size_t len;
    CHECK_RC(encode(ids, N(ids), modes[m], 0, full, sizeof(full), &len), 0);
    for (size_t cut = 0; cut < len; cut++) {
      uint8_t *p = malloc(cut ? cut : 1);
      memcpy(p, full, cut);
      CHECK(nnrp_tile_index_validate(p, cut, modes[m], N(ids), 0, 0) < 0);
      /* The iterator must not read past a short block either. */
      nnrp_tile_iter it;
      uint32_t id;
      size_t steps = 0;
      nnrp_tile_iter_init(&it, p, cut, modes[m], N(ids), 0);
      while (nnrp_tile_iter_next(&it, &id)) steps++;
      CHECK(steps <= N(ids));
      free(p);
    }
  }
}

int main(void) {
  RUN(test_dense_range);
  RUN(test_raw_u16);
  RUN(test_delta_u16);
  RUN(test_bitset);
  RUN(test_large_blocks);
  RUN(test_builder_examples);
  RUN(test_builder_preconditions);
  RUN(test_decode_rules);
  RUN(test_truncation);
  return TEST_REPORT();
}
