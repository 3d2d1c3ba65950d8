/*
 * Typed payload and extension frame regions on their own: nnrp_typed_regions_validate and
 * nnrp_ext_regions_validate.  Input: the descriptor region length in 16-byte units (byte 0),
 * an expected kind (byte 1), then descriptors followed by the frame region.  Each region is
 * copied into its own allocation so a read past either end is caught.  Frames in the layout
 * the packers write (contiguous from 0) must pack back to the same two regions.
 */
#include "fuzz_common.h"

enum { MAX_FRAMES = 256 };

/* Packing the frames again gives both regions back when the descriptors were contiguous
 * from offset 0 and covered the frame region (the layout the packers write). */
static void typed_repack(nnrp_vec desc, nnrp_vec frames, const nnrp_typed_frame *f, size_t n,
                         int contiguous) {
  uint8_t *d = (uint8_t *)malloc(desc.len + 1), *p = (uint8_t *)malloc(frames.len + 1);
  FUZZ_CHECK(d && p);
  nnrp_sink ds, ps;
  nnrp_sink_init_buffer(&ds, d, desc.len);
  nnrp_sink_init_buffer(&ps, p, frames.len);
  int checked = 1;
  for (size_t i = 0; i < n; i++) checked &= nnrp_typed_frame_check(&f[i]) == 0;
  int rc = nnrp_typed_frames_pack(f, n, &ds, &ps);
  if (checked && contiguous) {
    FUZZ_CHECK(rc == 0);
    FUZZ_CHECK(ds.len == desc.len && memcmp(d, desc.base, desc.len) == 0);
    FUZZ_CHECK(ps.len == frames.len && memcmp(p, frames.base, frames.len) == 0);
  }
  if (!checked) FUZZ_CHECK(rc != 0);
  free(d);
  free(p);
}

static void ext_repack(nnrp_vec desc, nnrp_vec payloads, const nnrp_ext_frame *f, size_t n,
                       int contiguous) {
  uint8_t *d = (uint8_t *)malloc(desc.len + 1), *p = (uint8_t *)malloc(payloads.len + 1);
  FUZZ_CHECK(d && p);
  nnrp_sink ds, ps;
  nnrp_sink_init_buffer(&ds, d, desc.len);
  nnrp_sink_init_buffer(&ps, p, payloads.len);
  int rc = nnrp_ext_frames_pack(f, n, &ds, &ps);
  FUZZ_CHECK(rc == 0 || rc == NNRP_ERR_BUFFER_TOO_SMALL);
  /* reserved0 is not part of nnrp_ext_frame: the packer writes 0 there. */
  int reserved_zero = 1;
  for (size_t i = 0; i < n; i++) {
    const uint8_t *r = desc.base + i * NNRP_EXT_FRAME_DESC_LEN;
    reserved_zero &= r[6] == 0 && r[7] == 0;
  }
  if (contiguous && reserved_zero) {
    FUZZ_CHECK(rc == 0);
    FUZZ_CHECK(ds.len == desc.len && memcmp(d, desc.base, desc.len) == 0);
    FUZZ_CHECK(ps.len == payloads.len && memcmp(p, payloads.base, payloads.len) == 0);
  }
  free(d);
  free(p);
}

static void typed(nnrp_vec desc, nnrp_vec frames, uint8_t kind) {
  nnrp_diag diag = {0, 0};
  int rc = nnrp_typed_regions_validate(desc, frames, &diag);
  if (rc != 0) {
    FUZZ_CHECK(rc < 0 && diag.error == rc);
    return;
  }
  FUZZ_CHECK(desc.len % NNRP_TYPED_DESC_LEN == 0);
  static nnrp_typed_frame all[MAX_FRAMES];
  size_t n = desc.len / NNRP_TYPED_DESC_LEN;
  size_t prev_end = 0;
  int contiguous = 1;
  for (size_t i = 0; i < n; i++) {
    nnrp_typed_frame f;
    nnrp_typed_desc d;
    nnrp_typed_frame_at(desc, frames, i, &f);
    if (i < MAX_FRAMES) all[i] = f;
    nnrp_typed_desc_decode(&d, desc.base + i * NNRP_TYPED_DESC_LEN);
    FUZZ_CHECK(fuzz_within(f.payload, frames.base, frames.len));
    FUZZ_CHECK(f.payload.len == d.payload_length && f.payload_kind == d.payload_kind);
    FUZZ_CHECK(d.payload_offset >= prev_end); /* ascending, non-overlapping */
    contiguous &= d.payload_offset == prev_end;
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
  if (n <= MAX_FRAMES) typed_repack(desc, frames, all, n, contiguous && prev_end == frames.len);
}

static void ext(nnrp_vec desc, nnrp_vec payloads) {
  nnrp_diag diag = {0, 0};
  int rc = nnrp_ext_regions_validate(desc, payloads, &diag);
  if (rc != 0) {
    FUZZ_CHECK(rc < 0 && diag.error == rc);
    return;
  }
  static const uint16_t known[] = {1, 2, 3};
  static nnrp_ext_frame all[MAX_FRAMES];
  size_t n = desc.len / NNRP_EXT_FRAME_DESC_LEN;
  size_t prev_end = 0;
  int contiguous = 1;
  for (size_t i = 0; i < n; i++) {
    nnrp_ext_frame f;
    nnrp_ext_frame_desc d;
    nnrp_ext_frame_at(desc, payloads, i, &f);
    if (i < MAX_FRAMES) all[i] = f;
    nnrp_ext_frame_desc_decode(&d, desc.base + i * NNRP_EXT_FRAME_DESC_LEN);
    contiguous &= d.payload_offset == prev_end;
    prev_end = (size_t)d.payload_offset + d.payload_length;
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
  if (n <= MAX_FRAMES) ext_repack(desc, payloads, all, n, contiguous && prev_end == payloads.len);
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
