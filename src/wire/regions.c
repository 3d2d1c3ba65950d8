/*
 * Region bodies (wire-data §9): the 32-byte BodyRegionPrelude, inline object blocks, object
 * reference blocks, and the whole-body pack/unpack that checks B1-B10 in the order of §14.1.
 * Typed and extension descriptors are checked by typed.c; this file only places their regions.
 */
#include "wire_int.h"

_Static_assert(NNRP_PRELUDE_LEN == 32, "prelude is 32 bytes");
_Static_assert(NNRP_INLINE_OBJECT_HEADER_LEN == 16, "inline object header is 16 bytes");
_Static_assert(NNRP_OBJECT_REF_LEN == 16, "object reference block is 16 bytes");

/* ---- fixed-width structures ---------------------------------------------------------------- */

void nnrp_prelude_encode(const nnrp_prelude *p, uint8_t out[32]) {
  nnrp_st32(out + 0, p->inline_object_bytes);
  nnrp_st32(out + 4, p->object_reference_bytes);
  nnrp_st32(out + 8, p->typed_payload_descriptor_bytes);
  nnrp_st32(out + 12, p->typed_payload_frame_bytes);
  nnrp_st32(out + 16, p->extension_descriptor_bytes);
  nnrp_st32(out + 20, p->extension_payload_bytes);
  nnrp_st32(out + 24, p->body_flags);
  nnrp_st32(out + 28, p->reserved);
}

void nnrp_prelude_decode(nnrp_prelude *p, const uint8_t in[32]) {
  p->inline_object_bytes = nnrp_ld32(in + 0);
  p->object_reference_bytes = nnrp_ld32(in + 4);
  p->typed_payload_descriptor_bytes = nnrp_ld32(in + 8);
  p->typed_payload_frame_bytes = nnrp_ld32(in + 12);
  p->extension_descriptor_bytes = nnrp_ld32(in + 16);
  p->extension_payload_bytes = nnrp_ld32(in + 20);
  p->body_flags = nnrp_ld32(in + 24);
  p->reserved = nnrp_ld32(in + 28);
}

void nnrp_object_ref_encode(const nnrp_object_ref *r, uint8_t out[16]) {
  nnrp_st16(out + 0, r->object_kind);
  nnrp_st16(out + 2, r->ref_flags);
  nnrp_st32(out + 4, r->cache_namespace);
  nnrp_st32(out + 8, r->cache_key_hi);
  nnrp_st32(out + 12, r->cache_key_lo);
}

void nnrp_object_ref_decode(nnrp_object_ref *r, const uint8_t in[16]) {
  r->object_kind = nnrp_ld16(in + 0);
  r->ref_flags = nnrp_ld16(in + 2);
  r->cache_namespace = nnrp_ld32(in + 4);
  r->cache_key_hi = nnrp_ld32(in + 8);
  r->cache_key_lo = nnrp_ld32(in + 12);
}

void nnrp_object_ref_at(const nnrp_vec *region, size_t i, nnrp_object_ref *r) {
  nnrp_object_ref_decode(r, region->base + i * NNRP_OBJECT_REF_LEN);
}

void nnrp_inline_object_header_encode(const nnrp_inline_object_header *h, uint8_t out[16]) {
  nnrp_st16(out + 0, h->object_kind);
  nnrp_st16(out + 2, h->object_flags);
  nnrp_st16(out + 4, h->profile_id);
  nnrp_st16(out + 6, h->reserved0);
  nnrp_st32(out + 8, h->object_bytes);
  nnrp_st32(out + 12, h->reserved1);
}

void nnrp_inline_object_header_decode(nnrp_inline_object_header *h, const uint8_t in[16]) {
  h->object_kind = nnrp_ld16(in + 0);
  h->object_flags = nnrp_ld16(in + 2);
  h->profile_id = nnrp_ld16(in + 4);
  h->reserved0 = nnrp_ld16(in + 6);
  h->object_bytes = nnrp_ld32(in + 8);
  h->reserved1 = nnrp_ld32(in + 12);
}

/* CacheObjectKind is 1..9; nnrp-py rejects everything else, 0 included (§2.3, D12). */
static int object_kind_known(uint16_t kind) {
  return kind >= NNRP_OBJECT_CAMERA_BLOCK && kind <= NNRP_OBJECT_STRUCTURED_EVENT_SCHEMA;
}

/* Header rules of §9.2 in the reference's order: kind, object_flags, reserved0, reserved1. */
static int inline_header_check(const nnrp_inline_object_header *h) {
  if (!object_kind_known(h->object_kind)) return NNRP_ERR_OBJECT_KIND;
  if (h->object_flags != 0) return NNRP_ERR_INLINE_FLAGS;
  if (h->reserved0 != 0 || h->reserved1 != 0) return NNRP_ERR_INLINE_RESERVED;
  return 0;
}

/* Whole block length align8(16 + object_bytes); 64-bit so that a hostile u32 cannot wrap. */
static uint64_t inline_block_len(uint32_t object_bytes) {
  return ((uint64_t)NNRP_INLINE_OBJECT_HEADER_LEN + object_bytes + 7u) & ~(uint64_t)7u;
}

int nnrp_inline_object_encode(const nnrp_inline_object_header *h, nnrp_vec payload,
                              nnrp_sink *sink) {
  int rc = inline_header_check(h);
  if (rc) return rc;
  if (payload.len != h->object_bytes) return NNRP_ERR_INLINE_PAYLOAD_LEN;

  uint8_t hdr[NNRP_INLINE_OBJECT_HEADER_LEN];
  nnrp_inline_object_header_encode(h, hdr);
  nnrp_sink_write(sink, hdr, sizeof(hdr));
  nnrp_sink_payload(sink, payload.base, payload.len);
  nnrp_sink_zero(sink, nnrp_pad8(NNRP_INLINE_OBJECT_HEADER_LEN + payload.len));
  return nnrp_sink_error(sink);
}

/* ---- inline object iterator (validated regions) -------------------------------------------- */

void nnrp_inline_object_iter_init(nnrp_inline_object_iter *it, nnrp_vec region) {
  it->pos = region.base;
  it->end = region.base ? region.base + region.len : NULL;
}

int nnrp_inline_object_iter_next(nnrp_inline_object_iter *it, nnrp_inline_object *o) {
  if (it->pos == NULL) return 0;
  size_t left = (size_t)(it->end - it->pos);
  if (left < NNRP_INLINE_OBJECT_HEADER_LEN) return 0;
  nnrp_inline_object_header_decode(&o->header, it->pos);
  uint64_t block = inline_block_len(o->header.object_bytes);
  /* Only reachable on unvalidated input: stop rather than step outside the region. */
  if (block > left) return 0;
  o->payload.base = it->pos + NNRP_INLINE_OBJECT_HEADER_LEN;
  o->payload.len = o->header.object_bytes;
  it->pos += (size_t)block;
  return 1;
}

/* ---- region validation ----------------------------------------------------------------------- */

/*
 * B7, as the reference does it: first split the region into blocks, validating each header and
 * its declared extent; only once the whole region splits does it check the padding of every
 * block.  `base` is the region's offset in the body (diag offsets are body-relative).
 */
static int inline_region_check(nnrp_vec r, size_t base, nnrp_diag *diag) {
  size_t at = 0;
  while (at < r.len) {
    size_t left = r.len - at;
    if (left < NNRP_INLINE_OBJECT_HEADER_LEN)
      return nnrp_fail(diag, NNRP_ERR_INLINE_TRUNCATED_HEADER, base + at);
    nnrp_inline_object_header h;
    nnrp_inline_object_header_decode(&h, r.base + at);
    int rc = inline_header_check(&h);
    if (rc) return nnrp_fail(diag, rc, base + at);
    uint64_t block = inline_block_len(h.object_bytes);
    if (block > left) return nnrp_fail(diag, NNRP_ERR_INLINE_TRUNCATED_PAYLOAD, base + at);
    at += (size_t)block;
  }
  for (at = 0; at < r.len;) {
    size_t end = NNRP_INLINE_OBJECT_HEADER_LEN + (size_t)nnrp_ld32(r.base + at + 8);
    size_t block = nnrp_align8(end);
    if (!nnrp_all_zero(r.base + at + end, block - end))
      return nnrp_fail(diag, NNRP_ERR_INLINE_PADDING, base + at + end);
    at += block;
  }
  return 0;
}

/* B8: whole 16-byte blocks, each with a known kind (checked first) and ref_flags 0. */
static int reference_region_check(nnrp_vec r, size_t base, nnrp_diag *diag) {
  if (r.len % NNRP_OBJECT_REF_LEN) return nnrp_fail(diag, NNRP_ERR_REF_REGION_ALIGN, base);
  for (size_t at = 0; at < r.len; at += NNRP_OBJECT_REF_LEN) {
    nnrp_object_ref ref;
    nnrp_object_ref_decode(&ref, r.base + at);
    if (!object_kind_known(ref.object_kind))
      return nnrp_fail(diag, NNRP_ERR_OBJECT_KIND, base + at);
    if (ref.ref_flags != 0) return nnrp_fail(diag, NNRP_ERR_REF_FLAGS, base + at);
  }
  return 0;
}

/* Run a region validator whose diag offsets are region-relative and make them body-relative. */
static int shifted(int rc, size_t base, nnrp_diag *diag) {
  if (rc && diag) diag->offset += base;
  return rc;
}

/*
 * Strict profile only (D8, the nnrp-cs rule that nnrp-py relaxes): the frames of a descriptor
 * region follow each other from offset 0 without gaps and end exactly at the region end, so an
 * unreferenced byte or a payload region without descriptors is rejected.  Runs on regions that
 * already passed the ordering and range rules.  (A typed frame region without descriptors is
 * not looked at here: T1/T3 of §10.2 reject it under the reference's own rule.)
 * `offset_field` locates payload_offset in a descriptor, payload_length follows it: 4 in typed
 * descriptors, 8 in extension descriptors.
 */
static int contiguous_check(nnrp_vec desc, size_t offset_field, nnrp_vec data, int err,
                            size_t desc_base, size_t data_base, nnrp_diag *diag) {
  uint64_t expect = 0;
  for (size_t at = 0; at < desc.len; at += 16) {
    const uint8_t *d = desc.base + at;
    if (nnrp_ld32(d + offset_field) != expect) return nnrp_fail(diag, err, desc_base + at);
    expect += nnrp_ld32(d + offset_field + 4);
  }
  if (expect != data.len) return nnrp_fail(diag, err, data_base + (size_t)expect);
  return 0;
}

/* ---- whole body ------------------------------------------------------------------------------ */

int nnrp_body_pack(const nnrp_vec regions[6], nnrp_sink *sink) {
  if (regions[NNRP_REGION_TYPED_DESCRIPTORS].len % NNRP_TYPED_DESC_LEN)
    return NNRP_ERR_PRELUDE_TYPED_ALIGN;
  if (regions[NNRP_REGION_EXT_DESCRIPTORS].len % NNRP_EXT_FRAME_DESC_LEN)
    return NNRP_ERR_PRELUDE_EXT_ALIGN;
  for (int i = 0; i < NNRP_REGION_COUNT; i++)
    if (regions[i].len > UINT32_MAX) return NNRP_ERR_BUILD_FIELD_RANGE;

  nnrp_prelude p = {
      .inline_object_bytes = (uint32_t)regions[NNRP_REGION_INLINE_OBJECTS].len,
      .object_reference_bytes = (uint32_t)regions[NNRP_REGION_OBJECT_REFERENCES].len,
      .typed_payload_descriptor_bytes = (uint32_t)regions[NNRP_REGION_TYPED_DESCRIPTORS].len,
      .typed_payload_frame_bytes = (uint32_t)regions[NNRP_REGION_TYPED_FRAMES].len,
      .extension_descriptor_bytes = (uint32_t)regions[NNRP_REGION_EXT_DESCRIPTORS].len,
      .extension_payload_bytes = (uint32_t)regions[NNRP_REGION_EXT_PAYLOADS].len,
  };
  uint8_t out[NNRP_PRELUDE_LEN];
  nnrp_prelude_encode(&p, out);
  nnrp_sink_write(sink, out, sizeof(out));
  for (int i = 0; i < NNRP_REGION_COUNT; i++)
    nnrp_sink_payload(sink, regions[i].base, regions[i].len);
  return nnrp_sink_error(sink);
}

int nnrp_body_unpack(nnrp_vec regions[6], const uint8_t *body, size_t len, uint32_t flags,
                     nnrp_diag *diag) {
  if (len < NNRP_PRELUDE_LEN) return nnrp_fail(diag, NNRP_ERR_PRELUDE_TRUNCATED, 0);
  nnrp_prelude p;
  nnrp_prelude_decode(&p, body);
  if (p.body_flags != 0) return nnrp_fail(diag, NNRP_ERR_PRELUDE_BODY_FLAGS, 0);
  if (p.reserved != 0) return nnrp_fail(diag, NNRP_ERR_PRELUDE_RESERVED, 0);
  if (p.typed_payload_descriptor_bytes % NNRP_TYPED_DESC_LEN)
    return nnrp_fail(diag, NNRP_ERR_PRELUDE_TYPED_ALIGN, 0);
  if (p.extension_descriptor_bytes % NNRP_EXT_FRAME_DESC_LEN)
    return nnrp_fail(diag, NNRP_ERR_PRELUDE_EXT_ALIGN, 0);

  /* B6: six u32 lengths summed in 64 bits cannot wrap. */
  const uint32_t lens[NNRP_REGION_COUNT] = {
      p.inline_object_bytes,        p.object_reference_bytes,     p.typed_payload_descriptor_bytes,
      p.typed_payload_frame_bytes, p.extension_descriptor_bytes, p.extension_payload_bytes};
  uint64_t total = NNRP_PRELUDE_LEN;
  for (int i = 0; i < NNRP_REGION_COUNT; i++) total += lens[i];
  if (total != len) return nnrp_fail(diag, NNRP_ERR_PRELUDE_BODY_LEN, 0);

  size_t at[NNRP_REGION_COUNT];
  nnrp_vec r[NNRP_REGION_COUNT];
  size_t cursor = NNRP_PRELUDE_LEN;
  for (int i = 0; i < NNRP_REGION_COUNT; i++) {
    at[i] = cursor;
    r[i].base = body + cursor;
    r[i].len = lens[i];
    cursor += lens[i];
  }

  int rc = inline_region_check(r[NNRP_REGION_INLINE_OBJECTS], at[NNRP_REGION_INLINE_OBJECTS],
                               diag);
  if (rc) return rc;
  rc = reference_region_check(r[NNRP_REGION_OBJECT_REFERENCES],
                              at[NNRP_REGION_OBJECT_REFERENCES], diag);
  if (rc) return rc;
  rc = nnrp_typed_regions_validate(r[NNRP_REGION_TYPED_DESCRIPTORS], r[NNRP_REGION_TYPED_FRAMES],
                                   diag);
  if (rc) return shifted(rc, at[NNRP_REGION_TYPED_DESCRIPTORS], diag);
  rc = nnrp_ext_regions_validate(r[NNRP_REGION_EXT_DESCRIPTORS], r[NNRP_REGION_EXT_PAYLOADS],
                                 diag);
  if (rc) return shifted(rc, at[NNRP_REGION_EXT_DESCRIPTORS], diag);

  if (!(flags & NNRP_DECODE_PY_COMPAT)) {
    if (r[NNRP_REGION_TYPED_DESCRIPTORS].len) {
      rc = contiguous_check(r[NNRP_REGION_TYPED_DESCRIPTORS], 4, r[NNRP_REGION_TYPED_FRAMES],
                            NNRP_ERR_TYPED_LAYOUT, at[NNRP_REGION_TYPED_DESCRIPTORS],
                            at[NNRP_REGION_TYPED_FRAMES], diag);
      if (rc) return rc;
    }
    rc = contiguous_check(r[NNRP_REGION_EXT_DESCRIPTORS], 8, r[NNRP_REGION_EXT_PAYLOADS],
                          NNRP_ERR_EXT_FRAME_LAYOUT, at[NNRP_REGION_EXT_DESCRIPTORS],
                          at[NNRP_REGION_EXT_PAYLOADS], diag);
    if (rc) return rc;
  }

  for (int i = 0; i < NNRP_REGION_COUNT; i++) regions[i] = r[i];
  return 0;
}
