/*
 * Tensor section sequence: nnrp_section_seq_validate, then every section and every tile
 * through the iterators.  Input: flags (byte 0: bit 0 PY-compatible, bit 1 "tile_count
 * unknown"), section_count (u8), tile_count (u16), then the sequence (first section at 0).
 * Accepted sections must tile the buffer exactly and every tile view must lie in its blob.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_reader r;
  fuzz_reader_init(&r, data, size);
  uint8_t sel = fuzz_u8(&r);
  uint32_t flags = (sel & 1) ? NNRP_DECODE_PY_COMPAT : 0;
  size_t section_count = fuzz_u8(&r);
  long tile_count = fuzz_u16(&r);
  if (sel & 2) tile_count = -1;
  nnrp_vec buf = fuzz_rest(&r);

  nnrp_diag diag = {0, 0};
  int rc = nnrp_section_seq_validate(buf.base, buf.len, section_count, tile_count, flags, &diag);
  if (rc != 0) {
    FUZZ_CHECK(rc < 0 && diag.error == rc);
    FUZZ_CHECK(diag.offset <= buf.len);
    return 0;
  }

  nnrp_section_iter it;
  nnrp_section_view s;
  size_t sections = 0, end = 0;
  int prev_role = -1;
  nnrp_section_iter_init(&it, buf.base, buf.len, section_count);
  while (nnrp_section_iter_next(&it, &s)) {
    const nnrp_section_desc *d = &s.desc;
    FUZZ_CHECK((int)d->role_id > prev_role); /* Q1 */
    prev_role = d->role_id;
    if (tile_count >= 0) FUZZ_CHECK(s.tile_count == (size_t)tile_count); /* Q3 */
    FUZZ_CHECK(s.tile_count * 4 == d->length_table_bytes);
    nnrp_vec blob = {s.payload, d->payload_bytes};
    nnrp_vec lengths = {s.length_table, d->length_table_bytes};
    nnrp_vec codecs = {s.codec_table, d->codec_table_bytes};
    FUZZ_CHECK(fuzz_within(blob, buf.base, buf.len));
    FUZZ_CHECK(fuzz_within(lengths, buf.base, buf.len));
    FUZZ_CHECK(fuzz_within(codecs, buf.base, buf.len));

    nnrp_section_tile_iter ti;
    nnrp_vec tile;
    size_t tiles = 0;
    uint64_t sum = 0;
    nnrp_section_tile_iter_init(&ti, &s);
    while (nnrp_section_tile_iter_next(&ti, &tile)) {
      FUZZ_CHECK(tiles < s.tile_count);
      FUZZ_CHECK(tile.len == nnrp_section_tile_length(&s, tiles));
      FUZZ_CHECK(fuzz_within(tile, blob.base, blob.len));
      if (d->codec_table_bytes == 0) FUZZ_CHECK(nnrp_section_tile_codec(&s, tiles) == d->codec_id);
      fuzz_touch(tile);
      sum += tile.len;
      tiles++;
    }
    FUZZ_CHECK(tiles == s.tile_count);
    if (d->payload_stride_bytes == 0) FUZZ_CHECK(sum == d->payload_bytes); /* S12 */
    end = (size_t)(blob.base - buf.base) + blob.len;
    sections++;
  }
  FUZZ_CHECK(sections == section_count);
  FUZZ_CHECK(end == buf.len); /* Q5: nothing after the last section */
  return 0;
}
