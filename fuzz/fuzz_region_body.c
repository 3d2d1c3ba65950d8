/*
 * Region body (prelude + six regions): nnrp_body_unpack, then every inline object, every
 * object reference, every typed frame and every extension frame.  Input: flags (byte 0,
 * bit 0 PY-compatible; bits 1-2 pick the known extension kinds), then the body.  An accepted
 * body must split exactly into its regions, and packing the regions again must give it back.
 */
#include "fuzz_common.h"

static const uint16_t known_kinds[] = {0x0001, 0x0002, 0x8000, 0xFFFF};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  uint32_t flags = (data[0] & 1) ? NNRP_DECODE_PY_COMPAT : 0;
  size_t known_count = (data[0] >> 1) & 3u;
  const uint8_t *body = data + 1;
  size_t len = size - 1;

  nnrp_vec regions[NNRP_REGION_COUNT];
  nnrp_diag diag = {0, 0};
  int rc = nnrp_body_unpack(regions, body, len, flags, &diag);
  if (rc != 0) {
    FUZZ_CHECK(rc < 0 && diag.error == rc);
    FUZZ_CHECK(diag.offset <= len);
    return 0;
  }

  size_t total = NNRP_PRELUDE_LEN;
  for (int i = 0; i < NNRP_REGION_COUNT; i++) {
    FUZZ_CHECK(fuzz_within(regions[i], body, len));
    total += regions[i].len;
  }
  FUZZ_CHECK(total == len);

  /* Inline objects: whole blocks, padded to 8, covering the region. */
  nnrp_inline_object_iter oi;
  nnrp_inline_object o;
  size_t covered = 0;
  nnrp_inline_object_iter_init(&oi, regions[NNRP_REGION_INLINE_OBJECTS]);
  while (nnrp_inline_object_iter_next(&oi, &o)) {
    FUZZ_CHECK(o.payload.len == o.header.object_bytes);
    FUZZ_CHECK(fuzz_within(o.payload, regions[0].base, regions[0].len));
    fuzz_touch(o.payload);
    covered += nnrp_align8(NNRP_INLINE_OBJECT_HEADER_LEN + (size_t)o.header.object_bytes);
  }
  FUZZ_CHECK(covered == regions[NNRP_REGION_INLINE_OBJECTS].len);

  /* References. */
  const nnrp_vec *refs = &regions[NNRP_REGION_OBJECT_REFERENCES];
  FUZZ_CHECK(refs->len % NNRP_OBJECT_REF_LEN == 0);
  for (size_t i = 0; i < refs->len / NNRP_OBJECT_REF_LEN; i++) {
    nnrp_object_ref ref;
    nnrp_object_ref_at(refs, i, &ref);
    FUZZ_CHECK(ref.ref_flags == 0 || (flags & NNRP_DECODE_PY_COMPAT));
  }

  /* Typed frames (B9 already checked by unpack). */
  nnrp_vec td = regions[NNRP_REGION_TYPED_DESCRIPTORS], tf = regions[NNRP_REGION_TYPED_FRAMES];
  FUZZ_CHECK(nnrp_typed_regions_validate(td, tf, NULL) == 0);
  for (size_t i = 0; i < td.len / NNRP_TYPED_DESC_LEN; i++) {
    nnrp_typed_frame f;
    nnrp_typed_frame_at(td, tf, i, &f);
    FUZZ_CHECK(f.payload_kind != 0 && (f.payload_kind & (f.payload_kind - 1)) == 0);
    FUZZ_CHECK((f.payload_kind & ~NNRP_PAYLOAD_KNOWN) == 0);
    FUZZ_CHECK(fuzz_within(f.payload, tf.base, tf.len));
    fuzz_touch(f.payload);
  }

  /* Extension frames (B10) and the critical filter. */
  nnrp_vec ed = regions[NNRP_REGION_EXT_DESCRIPTORS], ep = regions[NNRP_REGION_EXT_PAYLOADS];
  FUZZ_CHECK(nnrp_ext_regions_validate(ed, ep, NULL) == 0);
  for (size_t i = 0; i < ed.len / NNRP_EXT_FRAME_DESC_LEN; i++) {
    nnrp_ext_frame f;
    nnrp_ext_frame_at(ed, ep, i, &f);
    FUZZ_CHECK(fuzz_within(f.payload, ep.base, ep.len));
    int keep = nnrp_ext_frame_filter(&f, known_kinds, known_count);
    FUZZ_CHECK(keep == 0 || keep == 1 || keep == NNRP_ERR_EXT_FRAME_CRITICAL);
    if (keep == NNRP_ERR_EXT_FRAME_CRITICAL)
      FUZZ_CHECK(f.extension_flags & NNRP_EXT_FRAME_CRITICAL);
  }

  /* pack_body of the same regions is the same body (prelude flags/reserved are 0 in strict). */
  if (!(flags & NNRP_DECODE_PY_COMPAT)) {
    uint8_t *out = (uint8_t *)malloc(len);
    FUZZ_CHECK(out != NULL);
    nnrp_sink sink;
    nnrp_sink_init_buffer(&sink, out, len);
    FUZZ_CHECK(nnrp_body_pack(regions, &sink) == 0);
    FUZZ_CHECK(sink.len == len && memcmp(out, body, len) == 0);
    free(out);
  }
  return 0;
}
