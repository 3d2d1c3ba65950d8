/*
 * Typed payload frames and extension frames (wire-data §10): the two 16-byte descriptors, the
 * logical-frame checks of the reference builders, contiguous packing, the descriptor-region
 * rules (B9/B10), and the body-to-metadata checks the data-plane decoders share (T1-T4, the
 * unknown-critical extension rule).
 */
#include "typed_int.h"
#include "wire_int.h"

_Static_assert(NNRP_TYPED_DESC_LEN == 16, "typed descriptor is 16 bytes");
_Static_assert(NNRP_EXT_FRAME_DESC_LEN == 16, "extension frame descriptor is 16 bytes");

/* Where payload_offset sits in each descriptor; payload_length follows it. */
enum { TYPED_OFFSET_FIELD = 4, EXT_OFFSET_FIELD = 8 };

/* ---- descriptors ----------------------------------------------------------------------------- */

void nnrp_typed_desc_encode(const nnrp_typed_desc *d, uint8_t out[16]) {
  out[0] = d->payload_kind;
  out[1] = d->descriptor_flags;
  nnrp_st16(out + 2, d->profile_id);
  nnrp_st32(out + 4, d->payload_offset);
  nnrp_st32(out + 8, d->payload_length);
  nnrp_st32(out + 12, d->reserved);
}

void nnrp_typed_desc_decode(nnrp_typed_desc *d, const uint8_t in[16]) {
  d->payload_kind = in[0];
  d->descriptor_flags = in[1];
  d->profile_id = nnrp_ld16(in + 2);
  d->payload_offset = nnrp_ld32(in + 4);
  d->payload_length = nnrp_ld32(in + 8);
  d->reserved = nnrp_ld32(in + 12);
}

void nnrp_ext_frame_desc_encode(const nnrp_ext_frame_desc *d, uint8_t out[16]) {
  nnrp_st16(out + 0, d->extension_kind);
  nnrp_st16(out + 2, d->extension_flags);
  nnrp_st16(out + 4, d->profile_id);
  nnrp_st16(out + 6, d->reserved0);
  nnrp_st32(out + 8, d->payload_offset);
  nnrp_st32(out + 12, d->payload_length);
}

void nnrp_ext_frame_desc_decode(nnrp_ext_frame_desc *d, const uint8_t in[16]) {
  d->extension_kind = nnrp_ld16(in + 0);
  d->extension_flags = nnrp_ld16(in + 2);
  d->profile_id = nnrp_ld16(in + 4);
  d->reserved0 = nnrp_ld16(in + 6);
  d->payload_offset = nnrp_ld32(in + 8);
  d->payload_length = nnrp_ld32(in + 12);
}

/* ---- logical frames -------------------------------------------------------------------------- */

/* §10.1: unknown bits are reported before "not exactly one bit". */
static int payload_kind_check(uint32_t kind) {
  if (kind & ~(uint32_t)NNRP_PAYLOAD_KNOWN) return NNRP_ERR_TYPED_KIND_BITS;
  if (!nnrp_one_bit(kind)) return NNRP_ERR_TYPED_KIND_NOT_SINGLE;
  return 0;
}

int nnrp_typed_frame_check(const nnrp_typed_frame *f) {
  int rc = payload_kind_check(f->payload_kind);
  if (rc) return rc;
  if (f->descriptor_flags != 0) return NNRP_ERR_TYPED_FLAGS;
  if (f->payload_kind == NNRP_PAYLOAD_TENSOR) return NNRP_ERR_TYPED_TENSOR;
  return 0;
}

int nnrp_typed_frame_expect(const nnrp_typed_frame *f, uint8_t kind) {
  int rc = nnrp_typed_frame_check(f);
  if (rc || kind == 0) return rc;
  rc = payload_kind_check(kind);
  if (rc) return rc;
  return f->payload_kind == kind ? 0 : NNRP_ERR_TYPED_KIND_MISMATCH;
}

int nnrp_ext_frame_check(const nnrp_ext_frame *f) {
  if (f->extension_flags & ~NNRP_EXT_FRAME_CRITICAL) return NNRP_ERR_EXT_FRAME_FLAGS;
  return 0;
}

/* ---- packing --------------------------------------------------------------------------------- */

/* Both regions are addressed by u32 offsets: the frame region must stay within 4 GiB. */
static int region_fits(uint64_t *total, size_t len) {
  if (len > UINT32_MAX - *total) return NNRP_ERR_BUILD_FIELD_RANGE;
  *total += len;
  return 0;
}

/*
 * Descriptors are written before any payload, so passing the same sink twice yields the two
 * regions back to back, as they sit in a body.
 */
int nnrp_typed_frames_pack(const nnrp_typed_frame *frames, size_t n, nnrp_sink *descriptors,
                           nnrp_sink *payloads) {
  if (n && !frames) return NNRP_ERR_INVALID_ARGUMENT;
  uint64_t total = 0;
  for (size_t i = 0; i < n; i++) {
    int rc = nnrp_typed_frame_check(&frames[i]);
    if (rc) return rc;
    if ((rc = region_fits(&total, frames[i].payload.len))) return rc;
  }
  uint32_t offset = 0;
  for (size_t i = 0; i < n; i++) {
    nnrp_typed_desc d = {
        .payload_kind = frames[i].payload_kind,
        .descriptor_flags = frames[i].descriptor_flags,
        .profile_id = frames[i].profile_id,
        .payload_offset = offset,
        .payload_length = (uint32_t)frames[i].payload.len,
    };
    uint8_t out[NNRP_TYPED_DESC_LEN];
    nnrp_typed_desc_encode(&d, out);
    nnrp_sink_write(descriptors, out, sizeof(out));
    offset += d.payload_length;
  }
  for (size_t i = 0; i < n; i++)
    nnrp_sink_payload(payloads, frames[i].payload.base, frames[i].payload.len);
  int rc = nnrp_sink_error(descriptors);
  return rc ? rc : nnrp_sink_error(payloads);
}

int nnrp_ext_frames_pack(const nnrp_ext_frame *frames, size_t n, nnrp_sink *descriptors,
                         nnrp_sink *payloads) {
  if (n && !frames) return NNRP_ERR_INVALID_ARGUMENT;
  uint64_t total = 0;
  for (size_t i = 0; i < n; i++) {
    int rc = nnrp_ext_frame_check(&frames[i]);
    if (rc) return rc;
    if ((rc = region_fits(&total, frames[i].payload.len))) return rc;
  }
  uint32_t offset = 0;
  for (size_t i = 0; i < n; i++) {
    nnrp_ext_frame_desc d = {
        .extension_kind = frames[i].extension_kind,
        .extension_flags = frames[i].extension_flags,
        .profile_id = frames[i].profile_id,
        .payload_offset = offset,
        .payload_length = (uint32_t)frames[i].payload.len,
    };
    uint8_t out[NNRP_EXT_FRAME_DESC_LEN];
    nnrp_ext_frame_desc_encode(&d, out);
    nnrp_sink_write(descriptors, out, sizeof(out));
    offset += d.payload_length;
  }
  for (size_t i = 0; i < n; i++)
    nnrp_sink_payload(payloads, frames[i].payload.base, frames[i].payload.len);
  int rc = nnrp_sink_error(descriptors);
  return rc ? rc : nnrp_sink_error(payloads);
}

/* ---- region validation ----------------------------------------------------------------------- */

/*
 * The reference's offset walk: each frame starts at or after the end of the previous one and
 * ends inside the data region.  Gaps and unreferenced trailing bytes pass (the strict profile
 * adds the contiguity rule in nnrp_body_unpack).  Ends are computed in 64 bits.
 */
static int offsets_check(nnrp_vec desc, size_t offset_field, nnrp_vec data, int order_err,
                         int range_err, nnrp_diag *diag) {
  uint64_t previous_end = 0;
  for (size_t at = 0; at < desc.len; at += 16) {
    const uint8_t *d = desc.base + at;
    uint64_t start = nnrp_ld32(d + offset_field);
    uint64_t end = start + nnrp_ld32(d + offset_field + 4);
    if (start < previous_end) return nnrp_fail(diag, order_err, at);
    if (end > data.len) return nnrp_fail(diag, range_err, at);
    previous_end = end;
  }
  return 0;
}

/* Every descriptor is decoded and checked before any offset, as the reference does. */
int nnrp_typed_regions_validate(nnrp_vec descriptors, nnrp_vec frames, nnrp_diag *diag) {
  if (descriptors.len % NNRP_TYPED_DESC_LEN)
    return nnrp_fail(diag, NNRP_ERR_PRELUDE_TYPED_ALIGN, 0);
  for (size_t at = 0; at < descriptors.len; at += NNRP_TYPED_DESC_LEN) {
    const uint8_t *d = descriptors.base + at;
    int rc = payload_kind_check(d[0]);
    if (rc) return nnrp_fail(diag, rc, at);
    if (d[1] != 0) return nnrp_fail(diag, NNRP_ERR_TYPED_FLAGS, at);
    if (nnrp_ld32(d + 12) != 0) return nnrp_fail(diag, NNRP_ERR_TYPED_RESERVED, at);
  }
  return offsets_check(descriptors, TYPED_OFFSET_FIELD, frames, NNRP_ERR_TYPED_ORDER,
                       NNRP_ERR_TYPED_RANGE, diag);
}

int nnrp_ext_regions_validate(nnrp_vec descriptors, nnrp_vec payloads, nnrp_diag *diag) {
  if (descriptors.len % NNRP_EXT_FRAME_DESC_LEN)
    return nnrp_fail(diag, NNRP_ERR_PRELUDE_EXT_ALIGN, 0);
  for (size_t at = 0; at < descriptors.len; at += NNRP_EXT_FRAME_DESC_LEN) {
    const uint8_t *d = descriptors.base + at;
    if (nnrp_ld16(d + 2) & ~NNRP_EXT_FRAME_CRITICAL)
      return nnrp_fail(diag, NNRP_ERR_EXT_FRAME_FLAGS, at);
    if (nnrp_ld16(d + 6) != 0) return nnrp_fail(diag, NNRP_ERR_EXT_FRAME_RESERVED, at);
  }
  return offsets_check(descriptors, EXT_OFFSET_FIELD, payloads, NNRP_ERR_EXT_FRAME_ORDER,
                       NNRP_ERR_EXT_FRAME_RANGE, diag);
}

/* A view of [offset, offset + length) of a validated region (never NULL + 0). */
static nnrp_vec region_slice(nnrp_vec region, uint32_t offset, uint32_t length) {
  nnrp_vec v = {region.base ? region.base + offset : region.base, length};
  return v;
}

void nnrp_typed_frame_at(nnrp_vec descriptors, nnrp_vec frames, size_t i, nnrp_typed_frame *f) {
  nnrp_typed_desc d;
  nnrp_typed_desc_decode(&d, descriptors.base + i * NNRP_TYPED_DESC_LEN);
  f->payload_kind = d.payload_kind;
  f->descriptor_flags = d.descriptor_flags;
  f->profile_id = d.profile_id;
  f->payload = region_slice(frames, d.payload_offset, d.payload_length);
}

void nnrp_ext_frame_at(nnrp_vec descriptors, nnrp_vec payloads, size_t i, nnrp_ext_frame *f) {
  nnrp_ext_frame_desc d;
  nnrp_ext_frame_desc_decode(&d, descriptors.base + i * NNRP_EXT_FRAME_DESC_LEN);
  f->extension_kind = d.extension_kind;
  f->extension_flags = d.extension_flags;
  f->profile_id = d.profile_id;
  f->payload = region_slice(payloads, d.payload_offset, d.payload_length);
}

int nnrp_ext_frame_filter(const nnrp_ext_frame *f, const uint16_t *known, size_t known_count) {
  for (size_t i = 0; known && i < known_count; i++)
    if (known[i] == f->extension_kind) return 1;
  return (f->extension_flags & NNRP_EXT_FRAME_CRITICAL) ? NNRP_ERR_EXT_FRAME_CRITICAL : 0;
}

/* ---- body <-> metadata (private, typed_int.h) ------------------------------------------------ */

int nnrpi_typed_contract_check(nnrp_vec descriptors, nnrp_vec frames,
                               uint32_t payload_kind_bitmap, uint16_t payload_frame_count,
                               uint32_t flags, size_t desc_offset, nnrp_diag *diag) {
  size_t count = descriptors.len / NNRP_TYPED_DESC_LEN;
  /* T1 (descriptor count) and T2 (descriptor bytes) differ only for a ragged region. */
  if (count != payload_frame_count ||
      descriptors.len != (size_t)payload_frame_count * NNRP_TYPED_DESC_LEN)
    return nnrp_fail(diag, NNRP_ERR_TYPED_COUNT, desc_offset);
  if (payload_frame_count == 0 && frames.len != 0)
    return nnrp_fail(diag, NNRP_ERR_TYPED_FRAME_BYTES, desc_offset + descriptors.len);
  for (size_t i = 0; i < count; i++)
    if (!(descriptors.base[i * NNRP_TYPED_DESC_LEN] & payload_kind_bitmap))
      return nnrp_fail(diag, NNRP_ERR_TYPED_KIND_UNDECLARED,
                       desc_offset + i * NNRP_TYPED_DESC_LEN);
  /* Strict rule beyond the reference (nnrp-py accepts a declared one): TENSOR is never a
   * typed frame. */
  if (!(flags & NNRP_DECODE_PY_COMPAT))
    for (size_t i = 0; i < count; i++)
      if (descriptors.base[i * NNRP_TYPED_DESC_LEN] == NNRP_PAYLOAD_TENSOR)
        return nnrp_fail(diag, NNRP_ERR_TYPED_TENSOR, desc_offset + i * NNRP_TYPED_DESC_LEN);
  /* Strict (D8, nnrp-cs's rule that nnrp-py relaxes to a subset): every non-tensor kind the
   * bitmap declares is carried by at least one typed frame. */
  if (!(flags & NNRP_DECODE_PY_COMPAT)) {
    uint32_t present = 0;
    for (size_t i = 0; i < count; i++) present |= descriptors.base[i * NNRP_TYPED_DESC_LEN];
    if ((payload_kind_bitmap & ~(uint32_t)NNRP_PAYLOAD_TENSOR) & ~present)
      return nnrp_fail(diag, NNRP_ERR_TYPED_KIND_ABSENT, desc_offset);
  }
  return 0;
}

int nnrpi_ext_frames_check(nnrp_vec descriptors, nnrp_vec payloads,
                           const nnrp_decode_options *opts, size_t desc_offset, nnrp_diag *diag) {
  const uint16_t *known = opts ? opts->known_extension_kinds : NULL;
  size_t known_count = opts ? opts->known_extension_kind_count : 0;
  size_t count = descriptors.len / NNRP_EXT_FRAME_DESC_LEN;
  for (size_t i = 0; i < count; i++) {
    nnrp_ext_frame f;
    nnrp_ext_frame_at(descriptors, payloads, i, &f);
    int rc = nnrp_ext_frame_filter(&f, known, known_count);
    if (rc < 0) return nnrp_fail(diag, rc, desc_offset + i * NNRP_EXT_FRAME_DESC_LEN);
  }
  return 0;
}
