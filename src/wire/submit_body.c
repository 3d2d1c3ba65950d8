/*
 * FRAME_SUBMIT body decoding (wire-data §5, §8.1, §9.3, §10, §14.1).
 *
 * The metadata selects the family: INLINE + TENSOR-only + no typed frames is the legacy tensor
 * body; anything else is a region body, except that an empty body is accepted when the
 * metadata declares no content at all.  The metadata is expected to have passed
 * nnrp_frame_submit_meta_decode() with the same flags.  Diag offsets are relative to the body.
 */
#include "typed_int.h"
#include "wire_int.h"

/* Standard submit slots in their normative order (§9.3): mask bit i <-> kind. */
static const uint16_t slot_kind[4] = {NNRP_OBJECT_CAMERA_BLOCK, NNRP_OBJECT_TILE_INDEX_BLOCK,
                                      NNRP_OBJECT_TENSOR_SECTION_TABLE,
                                      NNRP_OBJECT_PAYLOAD_LAYOUT_TEMPLATE};
enum { SLOT_CAMERA = 0, SLOT_TILE_INDEX = 1, SLOT_SECTION_TABLE = 2, SLOT_COUNT = 4 };

static int slot_of(uint16_t kind) {
  for (int s = 0; s < SLOT_COUNT; s++)
    if (slot_kind[s] == kind) return s;
  return -1;
}

static int is_legacy(const nnrp_frame_submit_meta *m) {
  return m->submit_mode == NNRP_SUBMIT_INLINE && m->payload_kind_bitmap == NNRP_PAYLOAD_TENSOR &&
         m->payload_frame_count == 0;
}

/* Add `base` to an offset a callee reported relative to a sub-buffer. */
static int shift(int rc, size_t base, nnrp_diag *diag) {
  if (rc && diag) diag->offset += base;
  return rc;
}

/* ---- legacy tensor body (§8.1) --------------------------------------------------------------- */

static int legacy_decode(nnrp_data_body *b, const nnrp_frame_submit_meta *m, const uint8_t *body,
                         size_t len, uint32_t flags, nnrp_diag *diag) {
  size_t camera = m->camera_bytes;
  if (len < camera) return nnrp_fail(diag, NNRP_ERR_CAMERA_TRUNCATED, 0);
  /* The builder pads the camera block to 8 even when nothing follows (D16). */
  size_t pad = nnrp_pad8(camera);
  if (len - camera < pad) return nnrp_fail(diag, NNRP_ERR_LEGACY_BODY_LEN, len);
  /* nnrp-py slices past the padding without looking at it (D25). */
  if (!(flags & NNRP_DECODE_PY_COMPAT))
    for (size_t i = 0; i < pad; i++)
      if (body[camera + i]) return nnrp_fail(diag, NNRP_ERR_CAMERA_PADDING, camera + i);

  size_t start = camera + pad;
  nnrp_tensor_body_view v;
  int rc = nnrp_tensor_body_unpack(&v, body + start, len - start, m->tile_index_bytes,
                                   m->section_count, (long)m->tile_count, flags, diag);
  if (rc) return shift(rc, start, diag);
  rc = nnrp_tile_index_validate(v.tile_index.base, v.tile_index.len, m->tile_index_mode,
                                m->tile_count, m->tile_base_id, flags);
  if (rc) return nnrp_fail(diag, rc, start);

  b->family = NNRP_BODY_LEGACY;
  b->camera.base = body;
  b->camera.len = camera;
  b->tile_index = v.tile_index;
  b->sections = v.sections;
  b->section_count = v.section_count;
  if (camera) b->present |= NNRP_DATA_HAS_CAMERA;
  if (m->tile_count || m->tile_index_bytes) b->present |= NNRP_DATA_HAS_TILE_INDEX;
  if (m->section_count) b->present |= NNRP_DATA_HAS_SECTION_TABLE;
  return 0;
}

/* ---- empty body (§5 caveat) ------------------------------------------------------------------ */

static int declares_content(const nnrp_frame_submit_meta *m) {
  return m->section_count || m->tile_count || m->camera_bytes || m->tile_index_bytes ||
         m->payload_frame_count;
}

static int empty_decode(nnrp_data_body *b, const nnrp_frame_submit_meta *m, uint32_t flags,
                        nnrp_diag *diag) {
  if (declares_content(m)) return nnrp_fail(diag, NNRP_ERR_EMPTY_BODY, 0);
  /* A mask announces references that are absent: M1, M2, M4 in the strict profile. */
  if (!(flags & NNRP_DECODE_PY_COMPAT) && m->object_ref_mask) {
    if (m->object_ref_mask & ~(uint32_t)NNRP_REF_KNOWN)
      return nnrp_fail(diag, NNRP_ERR_SUBMIT_REF_MASK_BITS, 0);
    if (m->submit_mode == NNRP_SUBMIT_INLINE)
      return nnrp_fail(diag, NNRP_ERR_SUBMIT_INLINE_MASK, 0);
    return nnrp_fail(diag, NNRP_ERR_SUBMIT_REF_MISSING, 0);
  }
  b->family = NNRP_BODY_EMPTY;
  return 0;
}

/* ---- region body ----------------------------------------------------------------------------- */

/* Object contract M1-M11 (§9.3). */

/* Standard blocks found per slot; offsets are body-relative. */
typedef struct slot_scan {
  size_t inline_count;
  size_t ref_count;
  size_t inline_at[2];
  size_t ref_at[2];
  nnrp_inline_object object; /* first inline block */
  nnrp_object_ref ref;       /* first reference block */
} slot_scan;

typedef struct region_ctx {
  const nnrp_frame_submit_meta *m;
  uint32_t flags;
  size_t at[NNRP_REGION_COUNT]; /* body offset of each region */
  slot_scan slot[SLOT_COUNT];
} region_ctx;

static void scan_slots(region_ctx *c, const nnrp_vec *regions) {
  nnrp_inline_object_iter it;
  nnrp_inline_object o;
  nnrp_inline_object_iter_init(&it, regions[NNRP_REGION_INLINE_OBJECTS]);
  for (;;) {
    size_t at = c->at[NNRP_REGION_INLINE_OBJECTS] +
                (size_t)(it.pos - regions[NNRP_REGION_INLINE_OBJECTS].base);
    if (!nnrp_inline_object_iter_next(&it, &o)) break;
    int s = slot_of(o.header.object_kind);
    if (s < 0) continue; /* non-standard inline kinds are allowed and ignored */
    slot_scan *sc = &c->slot[s];
    if (sc->inline_count == 0) sc->object = o;
    if (sc->inline_count < 2) sc->inline_at[sc->inline_count] = at;
    sc->inline_count++;
  }
  const nnrp_vec *refs = &regions[NNRP_REGION_OBJECT_REFERENCES];
  for (size_t i = 0; i < refs->len / NNRP_OBJECT_REF_LEN; i++) {
    nnrp_object_ref r;
    nnrp_object_ref_at(refs, i, &r);
    int s = slot_of(r.object_kind);
    if (s < 0) continue; /* caught by M7 */
    slot_scan *sc = &c->slot[s];
    if (sc->ref_count == 0) sc->ref = r;
    if (sc->ref_count < 2)
      sc->ref_at[sc->ref_count] = c->at[NNRP_REGION_OBJECT_REFERENCES] + i * NNRP_OBJECT_REF_LEN;
    sc->ref_count++;
  }
}

/* M1-M7: which standard objects travel inline and which by reference. */
static int check_slots(const region_ctx *c, const nnrp_vec *regions, nnrp_diag *diag) {
  const nnrp_frame_submit_meta *m = c->m;
  uint32_t mask = m->object_ref_mask;
  size_t refs_at = c->at[NNRP_REGION_OBJECT_REFERENCES];
  const nnrp_vec *refs = &regions[NNRP_REGION_OBJECT_REFERENCES];

  if (mask & ~(uint32_t)NNRP_REF_KNOWN) return nnrp_fail(diag, NNRP_ERR_SUBMIT_REF_MASK_BITS, 0);
  if (m->submit_mode == NNRP_SUBMIT_INLINE) {
    if (mask) return nnrp_fail(diag, NNRP_ERR_SUBMIT_INLINE_MASK, 0);
    if (refs->len) return nnrp_fail(diag, NNRP_ERR_SUBMIT_INLINE_REFS, refs_at);
  }
  for (int s = 0; s < SLOT_COUNT; s++) {
    const slot_scan *sc = &c->slot[s];
    if (sc->inline_count > 1) return nnrp_fail(diag, NNRP_ERR_SUBMIT_DUP_INLINE, sc->inline_at[1]);
    if (sc->ref_count > 1) return nnrp_fail(diag, NNRP_ERR_SUBMIT_DUP_REF, sc->ref_at[1]);
    if (mask & (1u << s)) {
      if (sc->inline_count)
        return nnrp_fail(diag, NNRP_ERR_SUBMIT_REF_AND_INLINE, sc->inline_at[0]);
      if (sc->ref_count != 1) return nnrp_fail(diag, NNRP_ERR_SUBMIT_REF_MISSING, refs_at);
    } else if (sc->ref_count) {
      return nnrp_fail(diag, NNRP_ERR_SUBMIT_REF_WITHOUT_MASK, sc->ref_at[0]);
    }
  }
  if (m->submit_mode == NNRP_SUBMIT_REFERENCE)
    for (int s = 0; s < SLOT_COUNT; s++)
      if (c->slot[s].inline_count)
        return nnrp_fail(diag, NNRP_ERR_SUBMIT_REFERENCE_INLINE, c->slot[s].inline_at[0]);

  /* M7: the reference kinds, in order, are exactly the set slots in slot order. */
  size_t n = refs->len / NNRP_OBJECT_REF_LEN, i = 0;
  for (int s = 0; s < SLOT_COUNT; s++) {
    if (!(mask & (1u << s))) continue;
    if (i == n || nnrp_ld16(refs->base + i * NNRP_OBJECT_REF_LEN) != slot_kind[s])
      return nnrp_fail(diag, NNRP_ERR_SUBMIT_REF_ORDER, refs_at + i * NNRP_OBJECT_REF_LEN);
    i++;
  }
  if (i != n) return nnrp_fail(diag, NNRP_ERR_SUBMIT_REF_ORDER, refs_at + i * NNRP_OBJECT_REF_LEN);
  return 0;
}

/* M8-M11: the inline standard objects agree with the metadata. */
static int check_content(const region_ctx *c, nnrp_data_body *b, nnrp_diag *diag) {
  const nnrp_frame_submit_meta *m = c->m;
  size_t inline_at = c->at[NNRP_REGION_INLINE_OBJECTS];
  const slot_scan *cam = &c->slot[SLOT_CAMERA];
  const slot_scan *tix = &c->slot[SLOT_TILE_INDEX];
  const slot_scan *sec = &c->slot[SLOT_SECTION_TABLE];

  if (cam->inline_count) {
    if (cam->object.header.object_bytes != m->camera_bytes)
      return nnrp_fail(diag, NNRP_ERR_SUBMIT_CAMERA_BYTES, cam->inline_at[0]);
  } else if (m->camera_bytes) {
    return nnrp_fail(diag, NNRP_ERR_SUBMIT_CAMERA_MISSING, inline_at);
  }

  int tile_index_referenced = (m->object_ref_mask & NNRP_REF_TILE_INDEX_BLOCK) != 0;
  if (tix->inline_count) {
    if (tix->object.header.object_bytes != m->tile_index_bytes)
      return nnrp_fail(diag, NNRP_ERR_SUBMIT_TILE_INDEX_BYTES, tix->inline_at[0]);
    int rc = nnrp_tile_index_validate(tix->object.payload.base, tix->object.payload.len,
                                      m->tile_index_mode, m->tile_count, m->tile_base_id,
                                      c->flags);
    if (rc) return nnrp_fail(diag, rc, tix->inline_at[0] + NNRP_INLINE_OBJECT_HEADER_LEN);
  } else if (m->tile_count && !tile_index_referenced) {
    return nnrp_fail(diag, NNRP_ERR_SUBMIT_TILE_INDEX_MISSING, inline_at);
  }
  if (tile_index_referenced && m->tile_index_bytes)
    return nnrp_fail(diag, NNRP_ERR_SUBMIT_TILE_INDEX_REFERENCED, tix->ref_at[0]);

  if (sec->inline_count) {
    nnrp_tensor_body_view v;
    size_t payload_at = sec->inline_at[0] + NNRP_INLINE_OBJECT_HEADER_LEN;
    int rc = nnrp_tensor_body_unpack(&v, sec->object.payload.base, sec->object.payload.len, 0,
                                     m->section_count, (long)m->tile_count, c->flags, diag);
    if (rc) return shift(rc, payload_at, diag);
    b->sections = v.sections;
    b->section_count = v.section_count;
  } else if (m->section_count && !(m->object_ref_mask & NNRP_REF_TENSOR_SECTION_TABLE)) {
    return nnrp_fail(diag, NNRP_ERR_SUBMIT_SECTION_TABLE_MISSING, inline_at);
  }
  return 0;
}

/* Views and presence bits of a validated region body. */
static void fill_region(nnrp_data_body *b, const region_ctx *c) {
  static const uint32_t has[3] = {NNRP_DATA_HAS_CAMERA, NNRP_DATA_HAS_TILE_INDEX,
                                  NNRP_DATA_HAS_SECTION_TABLE};
  static const uint32_t ref[4] = {NNRP_DATA_REF_CAMERA, NNRP_DATA_REF_TILE_INDEX,
                                  NNRP_DATA_REF_SECTION_TABLE, NNRP_DATA_REF_LAYOUT_TEMPLATE};
  for (int s = 0; s < SLOT_COUNT; s++) {
    const slot_scan *sc = &c->slot[s];
    if (sc->ref_count) {
      b->refs[s] = sc->ref;
      b->present |= ref[s];
    }
    if (s < 3 && sc->inline_count) b->present |= has[s];
  }
  if (c->slot[SLOT_CAMERA].inline_count) b->camera = c->slot[SLOT_CAMERA].object.payload;
  if (c->slot[SLOT_TILE_INDEX].inline_count)
    b->tile_index = c->slot[SLOT_TILE_INDEX].object.payload;
}

static int region_decode(nnrp_data_body *b, const nnrp_frame_submit_meta *m, const uint8_t *body,
                         size_t len, const nnrp_decode_options *opts, nnrp_diag *diag) {
  region_ctx c;
  memset(&c, 0, sizeof(c));
  c.m = m;
  c.flags = opts ? opts->flags : 0;

  /* B1-B10 */
  int rc = nnrp_body_unpack(b->regions, body, len, c.flags, diag);
  if (rc) return rc;
  nnrp_prelude_decode(&b->prelude, body);
  size_t at = NNRP_PRELUDE_LEN;
  for (int i = 0; i < NNRP_REGION_COUNT; i++) {
    c.at[i] = at;
    at += b->regions[i].len;
  }
  const nnrp_vec *r = b->regions;

  /* T1-T4 */
  rc = nnrpi_typed_contract_check(r[NNRP_REGION_TYPED_DESCRIPTORS], r[NNRP_REGION_TYPED_FRAMES],
                                  m->payload_kind_bitmap, m->payload_frame_count, c.flags,
                                  c.at[NNRP_REGION_TYPED_DESCRIPTORS], diag);
  if (rc) return rc;

  /* M1-M11 */
  scan_slots(&c, r);
  rc = check_slots(&c, r, diag);
  if (rc) return rc;
  rc = check_content(&c, b, diag);
  if (rc) return rc;

  /* Only once every other rule passed: unknown critical extension frames (§10.3). */
  rc = nnrpi_ext_frames_check(r[NNRP_REGION_EXT_DESCRIPTORS], r[NNRP_REGION_EXT_PAYLOADS], opts,
                              c.at[NNRP_REGION_EXT_DESCRIPTORS], diag);
  if (rc) return rc;

  b->family = NNRP_BODY_REGION;
  fill_region(b, &c);
  nnrp_inline_object_iter it;
  nnrp_inline_object o;
  nnrp_inline_object_iter_init(&it, r[NNRP_REGION_INLINE_OBJECTS]);
  while (nnrp_inline_object_iter_next(&it, &o)) b->inline_object_count++;
  b->reference_count = r[NNRP_REGION_OBJECT_REFERENCES].len / NNRP_OBJECT_REF_LEN;
  b->typed_frame_count = r[NNRP_REGION_TYPED_DESCRIPTORS].len / NNRP_TYPED_DESC_LEN;
  b->ext_frame_count = r[NNRP_REGION_EXT_DESCRIPTORS].len / NNRP_EXT_FRAME_DESC_LEN;
  return 0;
}

int nnrp_frame_submit_body_decode(nnrp_data_body *b, const nnrp_frame_submit_meta *m,
                                  const uint8_t *body, size_t len,
                                  const nnrp_decode_options *opts, nnrp_diag *diag) {
  uint32_t flags = opts ? opts->flags : 0;
  memset(b, 0, sizeof(*b));
  if (body == NULL) {
    if (len) return NNRP_ERR_INVALID_ARGUMENT;
    body = (const uint8_t *)""; /* views into an empty body stay non-NULL */
  }
  if (is_legacy(m)) {
    /* A legacy body with nothing in it is the empty body of §5 (DENSE_RANGE ids excepted). */
    if (len == 0 && !declares_content(m)) {
      b->family = NNRP_BODY_EMPTY;
      return 0;
    }
    return legacy_decode(b, m, body, len, flags, diag);
  }
  /* nnrp-py takes an empty body as "no payload" only without the TENSOR bit; a tensor
   * packet of the region family still needs its prelude. */
  if (len == 0 && !(m->payload_kind_bitmap & NNRP_PAYLOAD_TENSOR))
    return empty_decode(b, m, flags, diag);
  return region_decode(b, m, body, len, opts, diag);
}
