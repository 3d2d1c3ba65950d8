/*
 * Tile index block: nnrp_tile_index_validate then iteration.  Input: mode (byte 0, low two
 * bits; bit 2: PY-compatible profile), tile_count (u16), tile_base_id (u32), then the block.
 * A block that validates yields exactly tile_count ids, and (strict profile) encoding those
 * ids again gives the block back; BITSET may only differ by trailing zero bytes.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_reader r;
  fuzz_reader_init(&r, data, size);
  uint8_t sel = fuzz_u8(&r);
  unsigned mode = sel & 3u;
  uint32_t flags = (sel & 4) ? NNRP_DECODE_PY_COMPAT : 0;
  size_t tile_count = fuzz_u16(&r);
  uint32_t base = fuzz_u32(&r);
  /* Mostly small bases: the interesting DENSE_RANGE edge is near 65535. */
  if (sel & 8) base &= 0xFFFFu;
  nnrp_vec block = fuzz_rest(&r);

  if (nnrp_tile_index_validate(block.base, block.len, mode, tile_count, base, flags) != 0)
    return 0;

  static uint16_t ids[65536];
  size_t n = 0;
  uint32_t id;
  nnrp_tile_iter it;
  nnrp_tile_iter_init(&it, block.base, block.len, mode, tile_count, base);
  while (nnrp_tile_iter_next(&it, &id)) {
    FUZZ_CHECK(n < tile_count);
    if (!flags) FUZZ_CHECK(id <= 0xFFFF);
    ids[n++] = (uint16_t)id;
  }
  FUZZ_CHECK(n == tile_count);
  if (flags) return 0;

  size_t enc_len = 0;
  FUZZ_CHECK(nnrp_tile_index_encoded_len(ids, n, mode, base, &enc_len) == 0);
  uint8_t *out = (uint8_t *)malloc(enc_len ? enc_len : 1);
  FUZZ_CHECK(out != NULL);
  nnrp_sink sink;
  nnrp_sink_init_buffer(&sink, out, enc_len);
  FUZZ_CHECK(nnrp_tile_index_encode(ids, n, mode, base, &sink) == 0);
  FUZZ_CHECK(sink.len == enc_len);
  if (mode == NNRP_TILE_BITSET) {
    FUZZ_CHECK(enc_len <= block.len && memcmp(out, block.base, enc_len) == 0);
    for (size_t i = enc_len; i < block.len; i++) FUZZ_CHECK(block.base[i] == 0);
  } else {
    FUZZ_CHECK(enc_len == block.len && memcmp(out, block.base, enc_len) == 0);
  }
  free(out);
  return 0;
}
