/*
 * Walk every part of a validated FRAME_SUBMIT / RESULT_PUSH body the way an application
 * would, and check that each view stays inside the body.  Shared by the packet target and
 * the two body targets.
 */
#ifndef NNRP_FUZZ_WALK_H
#define NNRP_FUZZ_WALK_H

#include "fuzz_common.h"

static inline void fuzz_walk_sections(nnrp_vec sections, size_t count) {
  nnrp_section_iter it;
  nnrp_section_view s;
  size_t n = 0;
  nnrp_section_iter_init(&it, sections.base, sections.len, count);
  while (nnrp_section_iter_next(&it, &s)) {
    nnrp_section_tile_iter ti;
    nnrp_vec tile;
    size_t tiles = 0;
    nnrp_section_tile_iter_init(&ti, &s);
    while (nnrp_section_tile_iter_next(&ti, &tile)) {
      FUZZ_CHECK(fuzz_within(tile, sections.base, sections.len));
      FUZZ_CHECK(tile.len == nnrp_section_tile_length(&s, tiles));
      (void)nnrp_section_tile_codec(&s, tiles);
      fuzz_touch(tile);
      tiles++;
    }
    FUZZ_CHECK(tiles == s.tile_count);
    n++;
  }
  FUZZ_CHECK(n == count);
}

/* mode / tile_count / tile_base: the frame's tile index parameters (implied mode for
 * RESULT_PUSH).  u16_ids: the profile promises ids <= 65535 (strict, wire-data §6.1 D24). */
static inline void fuzz_walk_data(const nnrp_data_body *b, nnrp_vec body, unsigned mode,
                                  size_t tile_count, uint32_t tile_base, int u16_ids) {
  FUZZ_CHECK(fuzz_within(b->camera, body.base, body.len));
  FUZZ_CHECK(fuzz_within(b->tile_index, body.base, body.len));
  FUZZ_CHECK(fuzz_within(b->sections, body.base, body.len));
  fuzz_touch(b->camera);
  if (!(b->present & NNRP_DATA_REF_SECTION_TABLE))
    fuzz_walk_sections(b->sections, b->section_count);

  /* Tile ids can be walked when the body carries the tile index, not when it references it. */
  if (b->family == NNRP_BODY_LEGACY || (b->present & NNRP_DATA_HAS_TILE_INDEX)) {
    nnrp_tile_iter ti;
    uint32_t id;
    size_t ids = 0;
    nnrp_tile_iter_init(&ti, b->tile_index.base, b->tile_index.len, mode, tile_count, tile_base);
    while (nnrp_tile_iter_next(&ti, &id)) {
      FUZZ_CHECK(ids < tile_count);
      if (u16_ids) FUZZ_CHECK(id <= 0xFFFF);
      ids++;
    }
    FUZZ_CHECK(ids == tile_count);
  }

  if (b->family != NNRP_BODY_REGION) return;
  for (int i = 0; i < NNRP_REGION_COUNT; i++)
    FUZZ_CHECK(fuzz_within(b->regions[i], body.base, body.len));
  const nnrp_vec *tf = &b->regions[NNRP_REGION_TYPED_FRAMES];
  const nnrp_vec *ep = &b->regions[NNRP_REGION_EXT_PAYLOADS];
  for (size_t i = 0; i < b->typed_frame_count; i++) {
    nnrp_typed_frame f;
    nnrp_data_body_typed_frame(b, i, &f);
    FUZZ_CHECK(fuzz_within(f.payload, tf->base, tf->len));
    fuzz_touch(f.payload);
  }
  for (size_t i = 0; i < b->ext_frame_count; i++) {
    nnrp_ext_frame f;
    nnrp_data_body_ext_frame(b, i, &f);
    FUZZ_CHECK(fuzz_within(f.payload, ep->base, ep->len));
    fuzz_touch(f.payload);
  }
}

#endif /* NNRP_FUZZ_WALK_H */
