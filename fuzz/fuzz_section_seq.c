/*
 * Tensor section sequence: nnrp_section_seq_validate, then every section and every tile
 * through the iterators.  Input: flags (byte 0: bit 0 PY-compatible, bit 1 "tile_count
 * unknown"), section_count (u8), tile_count (u16), then the sequence (first section at 0).
 * Accepted sections must tile the buffer exactly, every tile view must lie in its blob, and
 * the section encoders must write each section back (see repack).
 */
#include "fuzz_common.h"

enum { MAX_TILES = 4096 };

/* The section's bytes packed again: from its own descriptor and tables (must be identical),
 * and from the logical input a builder would take (identical unless the section carries a
 * codec table that only repeats the default codec, which a builder leaves out). */
static void repack(const nnrp_section_view *s, uint32_t flags) {
  const nnrp_section_desc *d = &s->desc;
  size_t len = NNRP_SECTION_DESC_LEN + (size_t)d->codec_table_bytes + d->length_table_bytes +
               d->payload_bytes;
  const uint8_t *start = s->payload - d->length_table_bytes - d->codec_table_bytes -
                         NNRP_SECTION_DESC_LEN;
  uint8_t *out = (uint8_t *)malloc(len);
  FUZZ_CHECK(out != NULL);
  nnrp_sink sink;
  nnrp_sink_init_buffer(&sink, out, len);
  nnrp_vec codecs = {s->codec_table, d->codec_table_bytes};
  nnrp_vec lengths = {s->length_table, d->length_table_bytes};
  nnrp_vec blob = {s->payload, d->payload_bytes};
  int rc = nnrp_tensor_section_pack(d, codecs, lengths, blob, &sink);
  if (!(flags & NNRP_DECODE_PY_COMPAT)) FUZZ_CHECK(rc == 0);
  if (rc == 0) FUZZ_CHECK(sink.len == len && memcmp(out, start, len) == 0);

  static nnrp_vec tiles[MAX_TILES];
  static uint8_t codec_ids[MAX_TILES];
  if (s->tile_count > MAX_TILES || (flags & NNRP_DECODE_PY_COMPAT)) {
    free(out);
    return;
  }
  int redundant_table = d->codec_table_bytes > 0;
  nnrp_section_tile_iter it;
  size_t n = 0;
  nnrp_section_tile_iter_init(&it, s);
  while (nnrp_section_tile_iter_next(&it, &tiles[n])) {
    codec_ids[n] = nnrp_section_tile_codec(s, n);
    if (codec_ids[n] != d->codec_id) redundant_table = 0;
    n++;
  }
  nnrp_tensor_section_data in;
  memset(&in, 0, sizeof(in));
  in.role_id = d->role_id;
  in.default_codec_id = d->codec_id;
  in.dtype_id = d->dtype_id;
  in.layout_id = d->layout_id;
  in.scale_policy = d->scale_policy;
  in.payload_stride_bytes = d->payload_stride_bytes;
  in.element_count_per_tile = d->element_count_per_tile;
  in.tile_payloads = tiles;
  in.tile_payload_count = n;
  if (d->codec_table_bytes) {
    in.codec_ids = codec_ids;
    in.codec_id_count = n;
  }
  size_t want = 0;
  FUZZ_CHECK(nnrp_tensor_section_encoded_len(&in, &want) == 0);
  nnrp_sink_init_buffer(&sink, out, len);
  FUZZ_CHECK(nnrp_tensor_section_encode(&in, &sink) == 0);
  FUZZ_CHECK(sink.len == want);
  if (!redundant_table) FUZZ_CHECK(want == len && memcmp(out, start, len) == 0);
  free(out);
}

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
    repack(&s, flags);
    end = (size_t)(blob.base - buf.base) + blob.len;
    sections++;
  }
  FUZZ_CHECK(sections == section_count);
  FUZZ_CHECK(end == buf.len); /* Q5: nothing after the last section */
  return 0;
}
