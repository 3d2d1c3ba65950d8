/*
 * Legacy tensor body walk (PY unpack_tensor_body): nnrp_tensor_body_unpack.  Input: flags
 * (byte 0: bit 0 PY-compatible, bit 1 "tile_count unknown"), tile_index_bytes (u16),
 * section_count (u8), tile_count (u16), then the body.  The views of an accepted body must
 * lie in it and the section view must validate on its own.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_reader r;
  fuzz_reader_init(&r, data, size);
  uint8_t sel = fuzz_u8(&r);
  uint32_t flags = (sel & 1) ? NNRP_DECODE_PY_COMPAT : 0;
  size_t tile_index_bytes = fuzz_u16(&r);
  size_t section_count = fuzz_u8(&r);
  long tile_count = fuzz_u16(&r);
  if (sel & 2) tile_count = -1;
  nnrp_vec body = fuzz_rest(&r);

  nnrp_tensor_body_view v;
  nnrp_diag diag = {0, 0};
  int rc = nnrp_tensor_body_unpack(&v, body.base, body.len, tile_index_bytes, section_count,
                                   tile_count, flags, &diag);
  if (rc != 0) {
    FUZZ_CHECK(rc < 0 && diag.error == rc);
    FUZZ_CHECK(diag.offset <= body.len);
    return 0;
  }
  FUZZ_CHECK(v.tile_index.len == tile_index_bytes);
  FUZZ_CHECK(v.tile_index.base == body.base || tile_index_bytes == 0);
  FUZZ_CHECK(v.section_count == section_count);
  FUZZ_CHECK(fuzz_within(v.tile_index, body.base, body.len));
  FUZZ_CHECK(fuzz_within(v.sections, body.base, body.len));
  if (section_count == 0) FUZZ_CHECK(body.len == tile_index_bytes);
  /* The sections view holds exactly the validated sequence. */
  FUZZ_CHECK(nnrp_section_seq_validate(v.sections.base, v.sections.len, v.section_count,
                                       tile_count, flags, NULL) == 0);
  return 0;
}
