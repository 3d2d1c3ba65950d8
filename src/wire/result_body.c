/*
 * RESULT_PUSH body validation (wire-data §5, §8.2, §9.3 R1-R6, §10.2, §11) in the check order
 * of §14.1, and the typed / extension frame accessors every data-plane body shares.
 *
 * Diag offsets are relative to the start of the body.
 */
#include <string.h>

#include "typed_int.h"
#include "wire_int.h"

static uint32_t decode_flags(const nnrp_decode_options *opts) { return opts ? opts->flags : 0; }

/*
 * The tile index of a RESULT_PUSH decodes with the implied mode (§7.2).  An implied RAW_U16
 * block of other than two bytes per tile gets the §7.2 code: nnrp-cs checks it in the metadata,
 * nnrp-py reaches the same verdict only here, and its golden metadata (84 tiles, 16 bytes)
 * must still decode on its own.
 */
static int check_tile_index(const nnrp_result_push_meta *m, const uint8_t *block, size_t len,
                            uint32_t flags) {
  unsigned mode = nnrp_result_tile_mode(m);
  if (mode == NNRP_TILE_RAW_U16 && (uint64_t)len != 2u * (uint64_t)m->tile_count)
    return NNRP_ERR_RESULT_TILE_INDEX_LEN;
  return nnrp_tile_index_validate(block, len, mode, m->tile_count, m->tile_base_id, flags);
}

/* Legacy tensor body (§8.2): coverage, the tensor walk, then the tile index (§14.1). */
static int decode_legacy(nnrp_data_body *b, const nnrp_result_push_meta *m, const uint8_t *body,
                         size_t len, uint32_t flags, nnrp_diag *diag) {
  int rc = nnrp_result_push_check_coverage(m, flags);
  if (rc) return nnrp_fail(diag, rc, 0);
  nnrp_tensor_body_view v;
  rc = nnrp_tensor_body_unpack(&v, body, len, m->tile_index_bytes, m->section_count,
                               m->tile_count, flags, diag);
  if (rc) return rc;
  rc = check_tile_index(m, v.tile_index.base, v.tile_index.len, flags);
  if (rc) return nnrp_fail(diag, rc, 0);
  b->family = len ? NNRP_BODY_LEGACY : NNRP_BODY_EMPTY;
  if (m->tile_count || m->tile_index_bytes) b->present |= NNRP_DATA_HAS_TILE_INDEX;
  if (m->section_count) b->present |= NNRP_DATA_HAS_SECTION_TABLE;
  b->tile_index = v.tile_index;
  b->sections = v.sections;
  b->section_count = v.section_count;
  return 0;
}

/* What the inline object region says about the two objects a result may carry (R2). */
typedef struct result_objects {
  size_t count;
  size_t tile_blocks, table_blocks;
  nnrp_inline_object tile, table;
  size_t tile_at, table_at;         /* body offsets of the first block of each kind */
  size_t tile_dup_at, table_dup_at; /* and of the second one, if any */
} result_objects;

static void scan_inline(result_objects *o, nnrp_vec region, size_t region_at) {
  nnrp_inline_object_iter it;
  nnrp_inline_object obj;
  memset(o, 0, sizeof(*o));
  nnrp_inline_object_iter_init(&it, region);
  while (nnrp_inline_object_iter_next(&it, &obj)) {
    size_t at = region_at + (size_t)(obj.payload.base - region.base);
    at -= NNRP_INLINE_OBJECT_HEADER_LEN;
    if (obj.header.object_kind == NNRP_OBJECT_TILE_INDEX_BLOCK) {
      if (o->tile_blocks++ == 0) {
        o->tile = obj;
        o->tile_at = at;
      } else if (o->tile_blocks == 2) {
        o->tile_dup_at = at;
      }
    } else if (obj.header.object_kind == NNRP_OBJECT_TENSOR_SECTION_TABLE) {
      if (o->table_blocks++ == 0) {
        o->table = obj;
        o->table_at = at;
      } else if (o->table_blocks == 2) {
        o->table_dup_at = at;
      }
    }
    o->count++;
  }
}

/* R1: references strictly ascending by (kind, namespace, hi, lo); fills the standard slots. */
static int check_references(nnrp_data_body *b, nnrp_vec region, size_t region_at,
                            size_t *tile_refs, size_t *table_refs, nnrp_diag *diag) {
  size_t n = region.len / NNRP_OBJECT_REF_LEN;
  nnrp_object_ref prev, r;
  *tile_refs = *table_refs = 0;
  for (size_t i = 0; i < n; i++) {
    nnrp_object_ref_at(&region, i, &r);
    if (i > 0) {
      uint64_t pk = (uint64_t)prev.object_kind << 32 | prev.cache_namespace;
      uint64_t rk = (uint64_t)r.object_kind << 32 | r.cache_namespace;
      uint64_t pv = (uint64_t)prev.cache_key_hi << 32 | prev.cache_key_lo;
      uint64_t rv = (uint64_t)r.cache_key_hi << 32 | r.cache_key_lo;
      if (rk < pk || (rk == pk && rv <= pv))
        return nnrp_fail(diag, NNRP_ERR_RESULT_REF_ORDER, region_at + i * NNRP_OBJECT_REF_LEN);
    }
    if (r.object_kind == NNRP_OBJECT_TILE_INDEX_BLOCK && (*tile_refs)++ == 0) b->refs[1] = r;
    if (r.object_kind == NNRP_OBJECT_TENSOR_SECTION_TABLE && (*table_refs)++ == 0)
      b->refs[2] = r;
    prev = r;
  }
  b->reference_count = n;
  return 0;
}

/* Region body (§9): B1-B10, C1-C5, T1-T4, R1, R2, R3-R5, R3/R6, then extension frames. */
static int decode_region(nnrp_data_body *b, const nnrp_result_push_meta *m, const uint8_t *body,
                         size_t len, const nnrp_decode_options *opts, nnrp_diag *diag) {
  uint32_t flags = decode_flags(opts);
  nnrp_vec *r = b->regions;
  int rc = nnrp_body_unpack(r, body, len, flags, diag);
  if (rc) return rc;
  nnrp_prelude_decode(&b->prelude, body);
  size_t at[NNRP_REGION_COUNT];
  for (int i = 0; i < NNRP_REGION_COUNT; i++) at[i] = (size_t)(r[i].base - body);

  if ((rc = nnrp_result_push_check_coverage(m, flags)) != 0) return nnrp_fail(diag, rc, 0);
  rc = nnrpi_typed_contract_check(r[NNRP_REGION_TYPED_DESCRIPTORS], r[NNRP_REGION_TYPED_FRAMES],
                                  m->payload_kind_bitmap, m->payload_frame_count, flags,
                                  at[NNRP_REGION_TYPED_DESCRIPTORS], diag);
  if (rc) return rc;

  size_t tile_refs, table_refs;
  rc = check_references(b, r[NNRP_REGION_OBJECT_REFERENCES], at[NNRP_REGION_OBJECT_REFERENCES],
                        &tile_refs, &table_refs, diag);
  if (rc) return rc;

  result_objects o;
  scan_inline(&o, r[NNRP_REGION_INLINE_OBJECTS], at[NNRP_REGION_INLINE_OBJECTS]);
  size_t refs_at = at[NNRP_REGION_OBJECT_REFERENCES];
  if (o.tile_blocks > 1) return nnrp_fail(diag, NNRP_ERR_RESULT_DUP_INLINE, o.tile_dup_at);
  if (o.table_blocks > 1) return nnrp_fail(diag, NNRP_ERR_RESULT_DUP_INLINE, o.table_dup_at);

  /* Tile index: R3, R4, R5. */
  if (tile_refs > 1) return nnrp_fail(diag, NNRP_ERR_RESULT_DUP_REF, refs_at);
  if (o.tile_blocks && tile_refs) return nnrp_fail(diag, NNRP_ERR_RESULT_REF_AND_INLINE, o.tile_at);
  if (o.tile_blocks) {
    if (o.tile.header.object_bytes != m->tile_index_bytes)
      return nnrp_fail(diag, NNRP_ERR_RESULT_TILE_INDEX_BYTES, o.tile_at);
    rc = check_tile_index(m, o.tile.payload.base, o.tile.payload.len, flags);
    if (rc) return nnrp_fail(diag, rc, o.tile_at + NNRP_INLINE_OBJECT_HEADER_LEN);
    b->present |= NNRP_DATA_HAS_TILE_INDEX;
    b->tile_index = o.tile.payload;
  } else if (m->tile_count > 0 && !tile_refs) {
    return nnrp_fail(diag, NNRP_ERR_RESULT_TILE_INDEX_MISSING, at[NNRP_REGION_INLINE_OBJECTS]);
  }
  if (tile_refs) {
    if (m->tile_index_bytes != 0)
      return nnrp_fail(diag, NNRP_ERR_RESULT_TILE_INDEX_REFERENCED, refs_at);
    b->present |= NNRP_DATA_REF_TILE_INDEX;
  }

  /* Section table: R3, R6. */
  if (table_refs > 1) return nnrp_fail(diag, NNRP_ERR_RESULT_DUP_REF, refs_at);
  if (o.table_blocks && table_refs)
    return nnrp_fail(diag, NNRP_ERR_RESULT_REF_AND_INLINE, o.table_at);
  if (o.table_blocks) {
    nnrp_tensor_body_view v;
    size_t payload_at = o.table_at + NNRP_INLINE_OBJECT_HEADER_LEN;
    rc = nnrp_tensor_body_unpack(&v, o.table.payload.base, o.table.payload.len, 0,
                                 m->section_count, m->tile_count, flags, diag);
    if (rc) {
      if (diag) diag->offset += payload_at;
      return rc;
    }
    b->present |= NNRP_DATA_HAS_SECTION_TABLE;
    b->sections = v.sections;
    b->section_count = v.section_count;
  } else if (m->section_count > 0 && !table_refs) {
    return nnrp_fail(diag, NNRP_ERR_RESULT_SECTION_TABLE_MISSING, at[NNRP_REGION_INLINE_OBJECTS]);
  }
  if (table_refs) b->present |= NNRP_DATA_REF_SECTION_TABLE;

  rc = nnrpi_ext_frames_check(r[NNRP_REGION_EXT_DESCRIPTORS], r[NNRP_REGION_EXT_PAYLOADS], opts,
                              at[NNRP_REGION_EXT_DESCRIPTORS], diag);
  if (rc) return rc;

  b->family = NNRP_BODY_REGION;
  b->inline_object_count = o.count;
  b->typed_frame_count = r[NNRP_REGION_TYPED_DESCRIPTORS].len / NNRP_TYPED_DESC_LEN;
  b->ext_frame_count = r[NNRP_REGION_EXT_DESCRIPTORS].len / NNRP_EXT_FRAME_DESC_LEN;
  return 0;
}

int nnrp_result_push_body_decode(nnrp_data_body *b, const nnrp_result_push_meta *m,
                                 const uint8_t *body, size_t len,
                                 const nnrp_decode_options *opts, nnrp_diag *diag) {
  if (!b || !m || (len && !body)) return NNRP_ERR_INVALID_ARGUMENT;
  uint32_t flags = decode_flags(opts);
  int legacy = m->payload_kind_bitmap == NNRP_PAYLOAD_TENSOR && m->payload_frame_count == 0;
  memset(b, 0, sizeof(*b));

  if (len == 0 && !legacy && !(m->payload_kind_bitmap & NNRP_PAYLOAD_TENSOR)) {
    /* A packet without payload (§5): accepted only when the metadata announces none and, as
     * in nnrp-py, has no TENSOR bit (a tensor packet of the region family needs a prelude). */
    if (m->section_count || m->tile_count || m->tile_index_bytes || m->payload_frame_count)
      return nnrp_fail(diag, NNRP_ERR_EMPTY_BODY, 0);
    int rc = nnrp_result_push_check_coverage(m, flags);
    if (rc) return nnrp_fail(diag, rc, 0);
    b->family = NNRP_BODY_EMPTY;
    return 0;
  }
  if (!legacy) return decode_region(b, m, body, len, opts, diag);

  int rc = decode_legacy(b, m, body, len, flags, diag);
  if (rc == 0 || len == 0) return rc;
  /*
   * TENSOR-only metadata over a region body: the reference's replay exports with cache
   * references (§5, §15 D18).  Both orders accept the same packets; trying the legacy body
   * first keeps its error, the one reported when neither reading holds.
   */
  nnrp_diag legacy_diag = diag ? *diag : (nnrp_diag){rc, 0};
  nnrp_data_body region;
  memset(&region, 0, sizeof(region));
  if (decode_region(&region, m, body, len, opts, NULL) == 0) {
    *b = region;
    return 0;
  }
  memset(b, 0, sizeof(*b));
  if (diag) *diag = legacy_diag;
  return rc;
}

void nnrp_data_body_typed_frame(const nnrp_data_body *b, size_t i, nnrp_typed_frame *f) {
  nnrp_typed_frame_at(b->regions[NNRP_REGION_TYPED_DESCRIPTORS],
                      b->regions[NNRP_REGION_TYPED_FRAMES], i, f);
}

void nnrp_data_body_ext_frame(const nnrp_data_body *b, size_t i, nnrp_ext_frame *f) {
  nnrp_ext_frame_at(b->regions[NNRP_REGION_EXT_DESCRIPTORS], b->regions[NNRP_REGION_EXT_PAYLOADS],
                    i, f);
}
