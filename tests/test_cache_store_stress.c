/*
 * The object cache under load: table growth and backward-shift deletion, random operations
 * checked against a model, and every allocation failing in turn (src/conn/cache_store.c).
 */
#include "cache_test_util.h"

/* ---- many entries: growth and backward-shift deletion ---------------------------------------- */

static void test_many_entries(void) {
  enum { N = 3000 };
  nnrp_cache_store c;
  nnrp_cache_limits l = limits(N, N * 4);
  nnrpi_cache_init(&c, NULL, &l);
  for (uint32_t k = 0; k < N; k++)
    CHECK_EQ(put(&c, k % 7, k / 64, k, 1 + k % 3, 0, 4, (uint8_t)k, 0).status, NNRP_CACHE_ACCEPTED);
  CHECK_EQ(put(&c, 99, 0, 0, 1, 0, 1, 0, 0).status, NNRP_CACHE_REJECTED);
  CHECK(c.capacity >= 2 * N);
  check_consistent(&c);
  for (uint32_t k = 0; k < N; k += 2)
    invalidate(&c, NNRP_CACHE_SCOPE_OBJECT_KEY, k % 7, k / 64, k, 1);
  check_consistent(&c);
  const nnrp_cache_entry *e;
  for (uint32_t k = 0; k < N; k++) {
    if (k % 2)
      check_holds(&c, (uint16_t)(1 + k % 3), k % 7, k / 64, k, 4, (uint8_t)k, 0);
    else
      CHECK_RC(lookup(&c, (uint16_t)(1 + k % 3), k % 7, k / 64, k, 0, &e), NNRP_ERR_CACHE_MISS);
  }
  size_t in_ns3 = 0, kind2 = 0;
  for (uint32_t k = 1; k < N; k += 2) {
    if (k % 7 == 3)
      in_ns3++;
    else if (1 + k % 3 == 2)
      kind2++;
  }
  invalidate(&c, NNRP_CACHE_SCOPE_NAMESPACE, 3, 0, 0, in_ns3);
  invalidate(&c, NNRP_CACHE_SCOPE_OBJECT_KIND, 0, 0, 2, kind2);
  check_consistent(&c);
  CHECK_EQ(c.count, N / 2 - in_ns3 - kind2);
  for (uint32_t k = 1; k < N; k += 2)
    if (k % 7 != 3 && 1 + k % 3 != 2)
      check_holds(&c, (uint16_t)(1 + k % 3), k % 7, k / 64, k, 4, (uint8_t)k, 0);
  nnrpi_cache_free(&c);
}

/* ---- against a model: random operations on a small key space ------------------------------- */

#define MODEL_KEYS 64

typedef struct model_entry {
  int present, own;
  uint16_t kind;
  uint32_t len;
  uint8_t seed;
  nnrp_tstamp expiry;
} model_entry;

static uint32_t rng_state = 12345;
static uint32_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

static int model_fits(const model_entry *mo, int key, uint32_t len, const nnrp_cache_limits *l,
                      nnrp_tstamp now, int skip_expired) {
  uint64_t n = 1, b = len;
  for (int k = 0; k < MODEL_KEYS; k++) {
    if (!mo[k].present || mo[k].own || k == key) continue;
    if (skip_expired && mo[k].expiry <= now) continue;
    n++;
    b += mo[k].len;
  }
  return n <= l->max_entries && b <= l->max_bytes;
}

static void test_against_model(void) {
  model_entry mo[MODEL_KEYS];
  memset(mo, 0, sizeof mo);
  nnrp_cache_limits l = limits(20, 400);
  nnrp_cache_store c;
  nnrpi_cache_init(&c, NULL, &l);
  nnrp_tstamp now = 0;
  for (int step = 0; step < 40000; step++) {
    int key = (int)(rng() % MODEL_KEYS);
    uint32_t ns = (uint32_t)key / 16, hi = (uint32_t)key % 4, lo = (uint32_t)key;
    uint16_t kind = (uint16_t)(1 + rng() % 3);
    uint32_t len = rng() % 40, ttl = rng() % 4 ? rng() % 50 : 0;
    uint8_t seed = (uint8_t)rng();
    now += rng() % 3000;
    uint32_t op = rng() % 100;
    if (op < 45) {
      model_entry *me = &mo[key];
      int live = me->present && me->expiry > now;
      uint16_t status = NNRP_CACHE_REJECTED;
      if (len <= l.max_bytes) {
        int ok = model_fits(mo, key, len, &l, now, 0);
        if (!ok && model_fits(mo, key, len, &l, now, 1)) {
          for (int k = 0; k < MODEL_KEYS; k++)
            if (mo[k].present && mo[k].expiry <= now) mo[k].present = 0;
          ok = 1;
        }
        if (ok) {
          status = live ? NNRP_CACHE_REPLACED : NNRP_CACHE_ACCEPTED;
          me->present = 1;
          me->own = 0;
          me->kind = kind;
          me->len = len;
          me->seed = seed;
          me->expiry = ttl ? now + ttl * MS : NNRP_TSTAMP_NEVER;
        }
      }
      CHECK_EQ(put(&c, ns, hi, lo, kind, ttl, len, seed, now).status, status);
    } else if (op < 55) {
      nnrp_cache_put_meta m = put_meta(ns, hi, lo, kind, 0, len);
      CHECK_RC(nnrpi_cache_store_own(&c, &m, object(len, seed), ttl, now), 0);
      model_entry me = {1, 1, kind, len, seed, ttl ? now + ttl * MS : NNRP_TSTAMP_NEVER};
      mo[key] = me;
    } else if (op < 62) {
      size_t n = mo[key].present;
      mo[key].present = 0;
      invalidate(&c, NNRP_CACHE_SCOPE_OBJECT_KEY, ns, hi, lo, n);
    } else if (op < 63) {
      size_t n = 0;
      for (int k = 0; k < MODEL_KEYS; k++)
        if (mo[k].present && (uint32_t)k / 16 == ns) n++, mo[k].present = 0;
      invalidate(&c, NNRP_CACHE_SCOPE_NAMESPACE, ns, 0, 0, n);
    } else if (op < 64) {
      size_t n = 0;
      for (int k = 0; k < MODEL_KEYS; k++)
        if (mo[k].present && mo[k].kind == kind) n++, mo[k].present = 0;
      invalidate(&c, NNRP_CACHE_SCOPE_OBJECT_KIND, 0, 0, kind, n);
    } else if (op < 70) {
      seen_keys s = {{0}, 0};
      size_t held = 0;
      for (int k = 0; k < MODEL_KEYS; k++)
        if (mo[k].present && mo[k].expiry <= now) {
          if (!mo[k].own) held++;
          mo[k].present = 0;
        }
      nnrpi_cache_expire(&c, now, on_expired, &s);
      CHECK_EQ(s.n, held < 16 ? held : 16);
    } else {
      const nnrp_cache_entry *e;
      const model_entry *me = &mo[key];
      int rc = lookup(&c, kind, ns, hi, lo, now, &e);
      if (me->present && me->expiry > now && me->kind == kind) {
        CHECK_RC(rc, 0);
        nnrp_vec want = object(me->len, me->seed);
        if (rc == 0) CHECK_EQ(e->len, me->len);
        if (rc == 0 && me->len) CHECK_MEM(e->bytes, e->len, want.base, want.len);
      } else {
        CHECK_RC(rc, NNRP_ERR_CACHE_MISS);
      }
    }
    if (step % 1000 == 0) check_consistent(&c);
    if (test_failures) break;
  }
  size_t n = 0;
  for (int k = 0; k < MODEL_KEYS; k++) n += mo[k].present;
  CHECK_EQ(c.count, n);
  nnrpi_cache_free(&c);
}

/* ---- allocation failures -----------------------------------------------------------------------
 */

typedef struct snap_entry {
  uint32_t ns, hi, lo, len, flags;
  uint16_t kind;
  uint8_t own, first;
  nnrp_tstamp expiry;
} snap_entry;

typedef struct snapshot {
  snap_entry e[64];
  size_t n;
} snapshot;

static void take(const nnrp_cache_store *c, snapshot *s) {
  s->n = 0;
  for (size_t i = 0; i < c->capacity && s->n < 64; i++) {
    const nnrp_cache_entry *e = &c->entries[i];
    if (!e->in_use) continue;
    snap_entry x = {
        e->cache_namespace, e->cache_key_hi,      e->cache_key_lo,          e->len,   e->flags,
        e->object_kind,     e->installed_locally, e->len ? e->bytes[0] : 0, e->expiry};
    s->e[s->n++] = x;
  }
}

/* Every snapshotted entry is still there, unchanged, and nothing else is. */
static void check_same(nnrp_cache_store *c, const snapshot *s) {
  CHECK_EQ(c->count, s->n);
  for (size_t i = 0; i < s->n; i++) {
    const snap_entry *x = &s->e[i];
    const nnrp_cache_entry *e = NULL;
    CHECK_RC(lookup(c, x->kind, x->ns, x->hi, x->lo, 0, &e), 0);
    if (!e) continue;
    CHECK(e->len == x->len && e->flags == x->flags && e->installed_locally == x->own &&
          e->expiry == x->expiry && (e->len ? e->bytes[0] : 0) == x->first);
  }
}

/* One run of a script that grows the table several times, replaces, copies, invalidates and
 * purges.  Each step either succeeds or fails with NNRP_ERR_NOMEM leaving the store as it was.
 * Returns the number of NOMEM results. */
static int alloc_script(fail_mem *fm) {
  nnrp_mem mem = {fm, fm_malloc, fm_free, fm_calloc, fm_realloc};
  nnrp_cache_limits l = limits(24, 2048);
  nnrp_cache_store c;
  nnrpi_cache_init(&c, &mem, &l);
  int nomem = 0;
  snapshot before;
  for (int step = 0; step < 40; step++) {
    take(&c, &before);
    int rc;
    nnrp_cache_ack_meta a;
    nnrp_tstamp now = (nnrp_tstamp)step * 10 * MS;
    if (step < 24) { /* new keys, some empty, some expiring soon: growth 8 -> 16 -> 32 -> 64 */
      nnrp_cache_put_meta m =
          put_meta(1, 0, (uint32_t)step, 1, step % 3 ? 0 : 15, (uint32_t)(step % 5) * 8);
      rc = nnrpi_cache_put(&c, &m, object(m.object_bytes, (uint8_t)step), now, &a);
    } else if (step < 28) { /* replacements */
      nnrp_cache_put_meta m = put_meta(1, 0, (uint32_t)step - 20, 2, 0, 16);
      rc = nnrpi_cache_put(&c, &m, object(16, (uint8_t)step), now, &a);
    } else if (step < 34) { /* our copies: new keys and one over a held key */
      nnrp_cache_put_meta m = put_meta(2, 0, (uint32_t)step, 3, 0, 12);
      if (step == 33) m.cache_namespace = 1, m.cache_key_lo = 1;
      rc = nnrpi_cache_store_own(&c, &m, object(12, (uint8_t)step), 0, now);
    } else if (step == 34) {
      nnrp_cache_invalidate_meta m = {NNRP_CACHE_SCOPE_OBJECT_KEY, 1, 0, 5, 0};
      nnrpi_cache_invalidate(&c, &m, NULL);
      rc = 0;
    } else if (step < 38) { /* the table is full; these need the expired entries purged */
      nnrp_cache_put_meta m = put_meta(3, 0, (uint32_t)step, 1, 0, 8);
      rc = nnrpi_cache_put(&c, &m, object(8, (uint8_t)step), now, &a);
    } else if (step == 38) {
      nnrpi_cache_expire(&c, now, NULL, NULL);
      rc = 0;
    } else {
      nnrp_cache_invalidate_meta m = {NNRP_CACHE_SCOPE_NAMESPACE, 2, 0, 0, 0};
      nnrpi_cache_invalidate(&c, &m, NULL);
      rc = 0;
    }
    if (rc == NNRP_ERR_NOMEM) {
      nomem++;
      check_same(&c, &before);
    } else {
      CHECK_RC(rc, 0);
      /* Steps 35-37 fit only once the expired entries are purged. */
      if (step >= 35 && step < 38) CHECK_EQ(a.status, NNRP_CACHE_ACCEPTED);
      if (step == 37 && fm->fail_at < 0) CHECK(c.count < before.n);
    }
    check_consistent(&c);
  }
  nnrpi_cache_free(&c);
  CHECK_EQ(fm->live, 0);
  return nomem;
}

static void test_allocation_failures(void) {
  fail_mem fm = {-1, 0, 0, 0};
  CHECK_EQ(alloc_script(&fm), 0);
  long total = fm.calls;
  CHECK(total > 30); /* the script really allocates */
  for (long k = 0; k < total; k++) {
    fail_mem f = {k, 0, 0, 0};
    CHECK_EQ(alloc_script(&f), 1);
    CHECK(f.failed);
    if (test_failures) {
      fprintf(stderr, "  allocation %ld of %ld failing\n", k, total);
      break;
    }
  }
}

int main(void) {
  RUN(test_many_entries);
  RUN(test_against_model);
  RUN(test_allocation_failures);
  return TEST_REPORT();
}
