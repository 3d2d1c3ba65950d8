/*
 * RESULT_PUSH body validation on its own: flags (byte 0: bit 0 PY-compatible, bit 1 strict C6,
 * bits 2-3 known extension kinds), the RESULT_PUSH metadata from the next bytes, the body from the
 * rest.  Metadata that does not decode is skipped (the packet decoder never hands it over).
 */
#include "fuzz_walk.h"

static const uint16_t known_kinds[] = {0x0001, 0x0002, 0x8001};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 + NNRP_RESULT_PUSH_META_LEN) return 0;
  uint32_t flags = fuzz_decode_flags(data[0]);
  nnrp_decode_options opts = {0};
  opts.flags = flags;
  opts.known_extension_kinds = known_kinds;
  opts.known_extension_kind_count = (data[0] >> 2) & 3u;
  nnrp_result_push_meta m;
  if (nnrp_result_push_meta_decode(&m, data + 1, NNRP_RESULT_PUSH_META_LEN, flags) != 0) return 0;
  nnrp_vec body = {data + 1 + NNRP_RESULT_PUSH_META_LEN, size - 1 - NNRP_RESULT_PUSH_META_LEN};

  nnrp_data_body b;
  nnrp_diag diag = {0, 0};
  int rc = nnrp_result_push_body_decode(&b, &m, body.base, body.len, &opts, &diag);
  if (rc != 0) {
    FUZZ_CHECK(rc < 0 && diag.error == rc);
    FUZZ_CHECK(diag.offset <= body.len);
    return 0;
  }
  if (body.len == 0) FUZZ_CHECK(b.family == NNRP_BODY_EMPTY || b.family == NNRP_BODY_LEGACY);
  FUZZ_CHECK(b.section_count == m.section_count || (b.present & NNRP_DATA_REF_SECTION_TABLE));
  FUZZ_CHECK(b.typed_frame_count == m.payload_frame_count);
  fuzz_walk_data(&b, body, nnrp_result_tile_mode(&m), m.tile_count, m.tile_base_id,
                 !(flags & NNRP_DECODE_PY_COMPAT));
  return 0;
}
