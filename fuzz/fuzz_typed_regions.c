/*
 * Typed payload and extension frame regions on their own: nnrp_typed_regions_validate and
 * nnrp_ext_regions_validate.  Input: the descriptor region length in 16-byte units (byte 0),
 * an expected kind (byte 1), then descriptors followed by the frame region.  Each region is
 * copied into its own allocation so a read past either end is caught.
 */
#include "fuzz_common.h"

static void typed(nnrp_vec desc, nnrp_vec frames, uint8_t kind) {
  nnrp_diag diag = {0, 0};
  int rc = nnrp_typed_regions_validate(desc, frames, &diag);
  if (rc != 0) {
    FUZZ_CHECK(rc < 0 && diag.error == rc);
    return;
  }
  FUZZ_CHECK(desc.len % NNRP_TYPED_DESC_LEN == 0);
  size_t prev_end = 0;
  for (size_t i = 0; i < desc.len / NNRP_TYPED_DESC_LEN; i++) {
    nnrp_typed_frame f;
    nnrp_typed_desc d;
    nnrp_typed_frame_at(desc, frames, i, &f);
    nnrp_typed_desc_decode(&d, desc.base + i * NNRP_TYPED_DESC_LEN);
    FUZZ_CHECK(fuzz_within(f.payload, frames.base, frames.len));
    FUZZ_CHECK(f.payload.len == d.payload_length && f.payload_kind == d.payload_kind);
    FUZZ_CHECK(d.payload_offset >= prev_end); /* ascending, non-overlapping */
    prev_end = (size_t)d.payload_offset + d.payload_length;
    fuzz_touch(f.payload);
    /* The descriptor codec is lossless. */
    uint8_t again[NNRP_TYPED_DESC_LEN];
    nnrp_typed_desc_encode(&d, again);
    FUZZ_CHECK(memcmp(again, desc.base + i * NNRP_TYPED_DESC_LEN, NNRP_TYPED_DESC_LEN) == 0);
    int crc = nnrp_typed_frame_check(&f);
    int erc = nnrp_typed_frame_expect(&f, kind);
    if (crc != 0) FUZZ_CHECK(erc != 0);
    if (erc == 0 && kind) FUZZ_CHECK(f.payload_kind == kind);
  }
}

static void ext(nnrp_vec desc, nnrp_vec payloads) {
  nnrp_diag diag = {0, 0};
  int rc = nnrp_ext_regions_validate(desc, payloads, &diag);
  if (rc != 0) {
    FUZZ_CHECK(rc < 0 && diag.error == rc);
    return;
  }
  static const uint16_t known[] = {1, 2, 3};
  for (size_t i = 0; i < desc.len / NNRP_EXT_FRAME_DESC_LEN; i++) {
    nnrp_ext_frame f;
    nnrp_ext_frame_desc d;
    nnrp_ext_frame_at(desc, payloads, i, &f);
    nnrp_ext_frame_desc_decode(&d, desc.base + i * NNRP_EXT_FRAME_DESC_LEN);
    FUZZ_CHECK(fuzz_within(f.payload, payloads.base, payloads.len));
    FUZZ_CHECK(f.payload.len == d.payload_length && f.extension_kind == d.extension_kind);
    uint8_t again[NNRP_EXT_FRAME_DESC_LEN];
    nnrp_ext_frame_desc_encode(&d, again);
    FUZZ_CHECK(memcmp(again, desc.base + i * NNRP_EXT_FRAME_DESC_LEN, NNRP_EXT_FRAME_DESC_LEN) ==
               0);
    FUZZ_CHECK(nnrp_ext_frame_check(&f) == 0);
    int keep = nnrp_ext_frame_filter(&f, known, 3);
    FUZZ_CHECK(keep == 0 || keep == 1 || keep == NNRP_ERR_EXT_FRAME_CRITICAL);
    fuzz_touch(f.payload);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_reader r;
  fuzz_reader_init(&r, data, size);
  size_t desc_len = (size_t)fuzz_u8(&r) * NNRP_TYPED_DESC_LEN;
  uint8_t kind = fuzz_u8(&r);
  if (fuzz_u8(&r) & 1) desc_len += fuzz_u8(&r) & 15u; /* sometimes not a multiple of 16 */
  nnrp_vec d = fuzz_bytes(&r, desc_len);
  nnrp_vec f = fuzz_rest(&r);
  uint8_t *dcopy = fuzz_dup(d), *fcopy = fuzz_dup(f);
  nnrp_vec dv = {dcopy, d.len}, fv = {fcopy, f.len};
  typed(dv, fv, kind);
  ext(dv, fv);
  free(dcopy);
  free(fcopy);
  return 0;
}
