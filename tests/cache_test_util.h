/*
 * Helpers shared by the cache store tests: a counting allocator that fails a chosen
 * allocation, put / lookup / invalidate wrappers that check what every call must satisfy, and
 * a white-box consistency check of the table.
 */
#ifndef NNRP_CACHE_TEST_UTIL_H
#define NNRP_CACHE_TEST_UTIL_H

#include <libnnrp/conn.h>

#include "conn/cache_store.h"
#include "test.h"

#define MS 1000u /* microseconds per millisecond */

/* ---- an allocator that counts, and fails the allocation numbered fail_at ------------------- */

typedef struct fail_mem {
  long fail_at; /* -1: never */
  long calls;
  long live;
  int failed;
} fail_mem;

static inline int fail_now(fail_mem *f) {
  if (f->calls++ == f->fail_at) {
    f->failed = 1;
    return 1;
  }
  return 0;
}
static inline void *fm_malloc(size_t n, void *u) {
  fail_mem *f = u;
  if (fail_now(f)) return NULL;
  void *p = malloc(n);
  if (p) f->live++;
  return p;
}
static inline void *fm_calloc(size_t n, size_t s, void *u) {
  fail_mem *f = u;
  if (fail_now(f)) return NULL;
  void *p = calloc(n, s);
  if (p) f->live++;
  return p;
}
static inline void *fm_realloc(void *p, size_t n, void *u) {
  fail_mem *f = u;
  if (fail_now(f)) return NULL;
  void *q = realloc(p, n);
  if (q && !p) f->live++;
  return q;
}
static inline void fm_free(void *p, void *u) {
  fail_mem *f = u;
  if (p) f->live--;
  free(p);
}

/* ---- helpers ----------------------------------------------------------------------------------
 */

static inline nnrp_cache_limits limits(uint32_t entries, uint32_t bytes) {
  nnrp_cache_limits l = {0};
  l.enabled = 1;
  l.object_bitmap = 0x7; /* camera_block, tile_index_block, tensor_section_table */
  l.max_entries = entries;
  l.max_bytes = bytes;
  return l;
}

static inline nnrp_cache_put_meta put_meta(uint32_t ns, uint32_t hi, uint32_t lo, uint32_t kind,
                                           uint32_t ttl_ms, uint32_t len) {
  nnrp_cache_put_meta m = {0};
  m.cache_namespace = ns;
  m.cache_key_hi = hi;
  m.cache_key_lo = lo;
  m.object_kind = kind;
  m.ttl_ms = ttl_ms;
  m.object_bytes = len;
  m.codec_bitmap = 1;
  return m;
}

static uint8_t object_buf[4096];

/* An object of `len` bytes whose content depends on `seed`. */
static inline nnrp_vec object(uint32_t len, uint8_t seed) {
  for (uint32_t i = 0; i < len && i < sizeof object_buf; i++)
    object_buf[i] = (uint8_t)(seed + i * 7u);
  nnrp_vec v = {object_buf, len};
  return v;
}

static inline nnrp_cache_ack_meta put(nnrp_cache_store *c, uint32_t ns, uint32_t hi, uint32_t lo,
                                      uint32_t kind, uint32_t ttl, uint32_t len, uint8_t seed,
                                      nnrp_tstamp now) {
  nnrp_cache_put_meta m = put_meta(ns, hi, lo, kind, ttl, len);
  nnrp_cache_ack_meta ack;
  memset(&ack, 0xEE, sizeof ack);
  CHECK_RC(nnrpi_cache_put(c, &m, object(len, seed), now, &ack), 0);
  CHECK_EQ(ack.cache_namespace, ns);
  CHECK_EQ(ack.cache_key_hi, hi);
  CHECK_EQ(ack.cache_key_lo, lo);
  return ack;
}

static inline nnrp_object_ref ref(uint16_t kind, uint32_t ns, uint32_t hi, uint32_t lo) {
  nnrp_object_ref r = {0};
  r.object_kind = kind;
  r.cache_namespace = ns;
  r.cache_key_hi = hi;
  r.cache_key_lo = lo;
  return r;
}

static inline int lookup(nnrp_cache_store *c, uint16_t kind, uint32_t ns, uint32_t hi, uint32_t lo,
                         nnrp_tstamp now, const nnrp_cache_entry **e) {
  nnrp_object_ref r = ref(kind, ns, hi, lo);
  return nnrpi_cache_lookup(c, &r, now, e);
}

/* The entry resolves and holds exactly the object put with (len, seed). */
static inline void check_holds(nnrp_cache_store *c, uint16_t kind, uint32_t ns, uint32_t hi,
                               uint32_t lo, uint32_t len, uint8_t seed, nnrp_tstamp now) {
  const nnrp_cache_entry *e = NULL;
  CHECK_RC(lookup(c, kind, ns, hi, lo, now, &e), 0);
  if (!e) return;
  nnrp_vec want = object(len, seed);
  CHECK_EQ(e->len, len);
  if (len) CHECK_MEM(e->bytes, e->len, want.base, want.len);
  CHECK_EQ(e->object_kind, kind);
}

static inline void invalidate(nnrp_cache_store *c, uint32_t scope, uint32_t ns, uint32_t hi,
                              uint32_t lo, size_t expect_removed) {
  nnrp_cache_invalidate_meta m = {scope, ns, hi, lo, 0};
  uint8_t out[NNRP_CACHE_INVALIDATE_META_LEN];
  CHECK_RC(nnrp_cache_invalidate_meta_encode(&m, out), 0);
  size_t removed = 99;
  nnrpi_cache_invalidate(c, &m, &removed);
  CHECK_EQ(removed, expect_removed);
}

/* White-box: counters match the table, the load stays at most one half, and every entry is
 * reachable by a lookup of its own key. */
static inline void check_consistent(nnrp_cache_store *c) {
  size_t n = 0, b = 0, hn = 0, hb = 0;
  nnrp_tstamp first = NNRP_TSTAMP_NEVER;
  CHECK(c->capacity == 0 || (c->capacity & (c->capacity - 1)) == 0);
  CHECK(c->count * 2 <= c->capacity);
  for (size_t i = 0; i < c->capacity; i++) {
    const nnrp_cache_entry *e = &c->entries[i];
    if (!e->in_use) continue;
    n++;
    b += e->len;
    if (!e->installed_locally) hn++, hb += e->len;
    if (e->expiry < first) first = e->expiry;
    CHECK(e->len == 0 ? e->bytes == NULL : e->bytes != NULL);
    const nnrp_cache_entry *found = NULL;
    CHECK_RC(
        lookup(c, e->object_kind, e->cache_namespace, e->cache_key_hi, e->cache_key_lo, 0, &found),
        0);
    CHECK(found == e);
  }
  CHECK_EQ(n, c->count);
  CHECK_EQ(b, c->bytes);
  CHECK_EQ(hn, c->held_count);
  CHECK_EQ(hb, c->held_bytes);
  CHECK(!c->earliest_stale);
  CHECK(nnrpi_cache_next_expiry(c) == first);
}

typedef struct seen_keys {
  uint32_t lo[16];
  size_t n;
} seen_keys;

static inline void on_expired(void *user, const nnrp_cache_entry *e) {
  seen_keys *s = user;
  if (s->n < 16) s->lo[s->n++] = e->cache_key_lo;
}

#endif /* NNRP_CACHE_TEST_UTIL_H */
