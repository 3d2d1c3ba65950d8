/*
 * The frame table: a fixed pool of frame records, allocated once, with an open-addressing
 * index keyed by (frame_id, view_id).  Linear probing with backward-shift deletion keeps
 * lookups short without tombstones; nothing is allocated per frame.
 */
#include "conn_int.h"

static uint32_t key_hash(uint32_t frame_id, uint16_t view_id) {
  uint32_t h = frame_id * 0x9E3779B1u ^ ((uint32_t)view_id * 0x85EBCA77u);
  return h ^ (h >> 15);
}

int nnrpi_frametab_init(nnrpi_frametab *t, const nnrp_mem *mem, uint32_t capacity) {
  memset(t, 0, sizeof(*t));
  if (capacity == 0) return 0;
  uint32_t slots = 4;
  while (slots < capacity * 2u && slots < (1u << 30)) slots <<= 1;
  t->recs = nnrpi_calloc(mem, capacity, sizeof(*t->recs));
  t->index = nnrpi_calloc(mem, slots, sizeof(*t->index));
  t->free_list = nnrpi_malloc(mem, (size_t)capacity * sizeof(*t->free_list));
  if (!t->recs || !t->index || !t->free_list) {
    nnrpi_frametab_free(t, mem);
    return NNRP_ERR_NOMEM;
  }
  t->capacity = capacity;
  t->mask = slots - 1;
  /* Hand out low record indexes first (the list is a stack). */
  for (uint32_t i = 0; i < capacity; i++) t->free_list[i] = capacity - 1 - i;
  t->nfree = capacity;
  return 0;
}

void nnrpi_frametab_free(nnrpi_frametab *t, const nnrp_mem *mem) {
  nnrpi_free(mem, t->recs);
  nnrpi_free(mem, t->index);
  nnrpi_free(mem, t->free_list);
  memset(t, 0, sizeof(*t));
}

nnrpi_frame *nnrpi_frametab_find(const nnrpi_frametab *t, uint32_t frame_id, uint16_t view_id) {
  if (!t->capacity) return NULL;
  for (uint32_t i = key_hash(frame_id, view_id) & t->mask;; i = (i + 1) & t->mask) {
    uint32_t v = t->index[i];
    if (!v) return NULL;
    nnrpi_frame *f = &t->recs[v - 1];
    if (f->frame_id == frame_id && f->view_id == view_id) return f;
  }
}

nnrpi_frame *nnrpi_frametab_add(nnrpi_frametab *t, uint32_t frame_id, uint16_t view_id) {
  if (!t->nfree) return NULL;
  uint32_t r = t->free_list[--t->nfree];
  nnrpi_frame *f = &t->recs[r];
  memset(f, 0, sizeof(*f));
  f->frame_id = frame_id;
  f->view_id = view_id;
  f->flags = NNRPI_FR_IN_USE;
  uint32_t i = key_hash(frame_id, view_id) & t->mask;
  while (t->index[i]) i = (i + 1) & t->mask;
  t->index[i] = r + 1;
  t->count++;
  return f;
}

void nnrpi_frametab_remove(nnrpi_frametab *t, nnrpi_frame *f) {
  uint32_t r = (uint32_t)(f - t->recs);
  uint32_t i = key_hash(f->frame_id, f->view_id) & t->mask;
  while (t->index[i] != r + 1) i = (i + 1) & t->mask;
  /* Backward shift: pull later entries of the probe run into the hole. */
  for (uint32_t j = (i + 1) & t->mask;; j = (j + 1) & t->mask) {
    uint32_t v = t->index[j];
    if (!v) break;
    const nnrpi_frame *g = &t->recs[v - 1];
    uint32_t home = key_hash(g->frame_id, g->view_id) & t->mask;
    /* Move g when its home is not in (i, j] (cyclically). */
    if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
      t->index[i] = v;
      i = j;
    }
  }
  t->index[i] = 0;
  f->flags = 0;
  t->free_list[t->nfree++] = r;
  t->count--;
}
