/*
 * The per-session object cache (session.md §5): an open-addressing hash table with linear
 * probing and backward-shift deletion (no tombstones), kept at most half full.  Objects are
 * copied in; nothing is evicted for space, so a put that does not fit is rejected.
 */
#include <string.h>

#include "cache_store.h"

#define MIN_CAPACITY 8u
#define ABSENT SIZE_MAX /* find() result for a key not in the table */

/* ErrorCode numbers carried in CACHE_ACK detail_code (§5.3). */
#define DETAIL_UNSUPPORTED_CAPABILITY 0x0006u
#define DETAIL_LIMIT_EXCEEDED 0x0007u

void nnrpi_cache_init(nnrp_cache_store *c, const nnrp_mem *mem, const nnrp_cache_limits *limits) {
  memset(c, 0, sizeof *c);
  c->mem = mem ? mem : nnrp_mem_default();
  c->limits = *limits;
  c->earliest_expiry = NNRP_TSTAMP_NEVER;
}

/* splitmix64's finaliser over the 96-bit key: every key bit reaches the low bits. */
static uint64_t key_hash(uint32_t ns, uint32_t hi, uint32_t lo) {
  uint64_t x = (((uint64_t)hi << 32) | lo) ^ ((uint64_t)ns * 0x9E3779B97F4A7C15ull);
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 31;
  return x;
}

static size_t home_slot(const nnrp_cache_store *c, const nnrp_cache_entry *e) {
  return (size_t)key_hash(e->cache_namespace, e->cache_key_hi, e->cache_key_lo) & (c->capacity - 1);
}

/* Index of the entry with this key, or ABSENT. */
static size_t find(const nnrp_cache_store *c, uint32_t ns, uint32_t hi, uint32_t lo) {
  if (c->capacity == 0) return ABSENT;
  size_t mask = c->capacity - 1;
  for (size_t i = (size_t)key_hash(ns, hi, lo) & mask;; i = (i + 1) & mask) {
    const nnrp_cache_entry *e = &c->entries[i];
    if (!e->in_use) return ABSENT;
    if (e->cache_namespace == ns && e->cache_key_hi == hi && e->cache_key_lo == lo) return i;
  }
}

/* First free slot on the probe path of a key known to be absent. */
static size_t free_slot(const nnrp_cache_store *c, uint32_t ns, uint32_t hi, uint32_t lo) {
  size_t mask = c->capacity - 1;
  size_t i = (size_t)key_hash(ns, hi, lo) & mask;
  while (c->entries[i].in_use) i = (i + 1) & mask;
  return i;
}

/* Make room for `need` entries at a load of at most one half.  Nothing changes on failure. */
static int reserve(nnrp_cache_store *c, size_t need) {
  if (need <= c->capacity / 2) return 0;
  size_t cap = c->capacity ? c->capacity : MIN_CAPACITY;
  while (need > cap / 2) {
    if (cap > SIZE_MAX / 2 / sizeof(nnrp_cache_entry)) return NNRP_ERR_NOMEM;
    cap *= 2;
  }
  nnrp_cache_entry *fresh = c->mem->calloc(cap, sizeof *fresh, c->mem->user);
  if (!fresh) return NNRP_ERR_NOMEM;
  nnrp_cache_entry *old = c->entries;
  size_t old_cap = c->capacity;
  c->entries = fresh;
  c->capacity = cap;
  for (size_t i = 0; i < old_cap; i++) {
    if (!old[i].in_use) continue;
    const nnrp_cache_entry *e = &old[i];
    c->entries[free_slot(c, e->cache_namespace, e->cache_key_hi, e->cache_key_lo)] = *e;
  }
  c->mem->free(old, c->mem->user);
  return 0;
}

static void account_add(nnrp_cache_store *c, const nnrp_cache_entry *e) {
  c->count++;
  c->bytes += e->len;
  if (!e->installed_locally) {
    c->held_count++;
    c->held_bytes += e->len;
  }
}

static void account_sub(nnrp_cache_store *c, const nnrp_cache_entry *e) {
  c->count--;
  c->bytes -= e->len;
  if (!e->installed_locally) {
    c->held_count--;
    c->held_bytes -= e->len;
  }
}

/* Free slot i and pull later members of its probe run back, so lookups never need
 * tombstones: an entry moves into the hole unless its home lies cyclically in (hole, j]. */
static void remove_at(nnrp_cache_store *c, size_t i) {
  nnrp_cache_entry *t = c->entries;
  if (t[i].expiry == c->earliest_expiry) c->earliest_stale = 1;
  account_sub(c, &t[i]);
  c->mem->free(t[i].bytes, c->mem->user);
  size_t mask = c->capacity - 1, hole = i;
  for (size_t j = (i + 1) & mask; t[j].in_use; j = (j + 1) & mask) {
    size_t home = home_slot(c, &t[j]);
    int stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (stays) continue;
    t[hole] = t[j];
    hole = j;
  }
  memset(&t[hole], 0, sizeof t[hole]);
}

static void clear_all(nnrp_cache_store *c) {
  for (size_t i = 0; i < c->capacity; i++)
    if (c->entries[i].in_use) c->mem->free(c->entries[i].bytes, c->mem->user);
  c->mem->free(c->entries, c->mem->user);
  c->entries = NULL;
  c->capacity = c->count = c->bytes = c->held_count = c->held_bytes = 0;
  c->earliest_expiry = NNRP_TSTAMP_NEVER;
  c->earliest_stale = 0;
}

void nnrpi_cache_free(nnrp_cache_store *c) {
  clear_all(c);
}

static int expired(const nnrp_cache_entry *e, nnrp_tstamp now) {
  return e->expiry <= now;
}

static nnrp_tstamp expiry_at(nnrp_tstamp now, uint32_t ttl_ms) {
  if (ttl_ms == 0) return NNRP_TSTAMP_NEVER;
  uint64_t us = (uint64_t)ttl_ms * 1000u;
  return now >= NNRP_TSTAMP_NEVER - us ? NNRP_TSTAMP_NEVER - 1 : now + us;
}

/*
 * Remove every entry matching `match`.  After a removal slot i is examined again, since the
 * backward shift may have pulled an unexamined entry into it; entries can only move towards
 * the hole, so each one is seen at least once (a kept one possibly twice, harmlessly).
 */
typedef int (*entry_pred)(const nnrp_cache_entry *e, const void *arg);

static size_t remove_matching(nnrp_cache_store *c, entry_pred match, const void *arg,
                              void (*notify)(void *user, const nnrp_cache_entry *e), void *user) {
  size_t removed = 0;
  for (size_t i = 0; i < c->capacity;) {
    nnrp_cache_entry *e = &c->entries[i];
    if (e->in_use && match(e, arg)) {
      if (notify && !e->installed_locally) notify(user, e);
      remove_at(c, i);
      removed++;
    } else {
      i++;
    }
  }
  return removed;
}

static int match_expired(const nnrp_cache_entry *e, const void *arg) {
  return expired(e, *(const nnrp_tstamp *)arg);
}
static int match_namespace(const nnrp_cache_entry *e, const void *arg) {
  return e->cache_namespace == *(const uint32_t *)arg;
}
static int match_kind(const nnrp_cache_entry *e, const void *arg) {
  return e->object_kind == *(const uint32_t *)arg;
}

/* Recompute the earliest expiry after the entry that had it left (or changed). */
static void refresh_earliest(nnrp_cache_store *c) {
  if (!c->earliest_stale) return;
  nnrp_tstamp t = NNRP_TSTAMP_NEVER;
  for (size_t i = 0; i < c->capacity; i++)
    if (c->entries[i].in_use && c->entries[i].expiry < t) t = c->entries[i].expiry;
  c->earliest_expiry = t;
  c->earliest_stale = 0;
}

static void purge_expired(nnrp_cache_store *c, nnrp_tstamp now,
                          void (*notify)(void *user, const nnrp_cache_entry *e), void *user) {
  if (c->earliest_expiry > now) return; /* nothing has expired yet */
  remove_matching(c, match_expired, &now, notify, user);
  refresh_earliest(c);
}

/* Store a copy of the object under the put's key: replaces the entry at `at`, or takes a
 * free slot for a new key (at == ABSENT; `reserve` already made room). */
static void place(nnrp_cache_store *c, size_t at, const nnrp_cache_put_meta *m, uint8_t *copy,
                  uint32_t len, nnrp_tstamp expiry, int own) {
  if (at == ABSENT) {
    at = free_slot(c, m->cache_namespace, m->cache_key_hi, m->cache_key_lo);
  } else {
    if (c->entries[at].expiry == c->earliest_expiry) c->earliest_stale = 1;
    account_sub(c, &c->entries[at]);
    c->mem->free(c->entries[at].bytes, c->mem->user);
  }
  nnrp_cache_entry *e = &c->entries[at];
  e->cache_namespace = m->cache_namespace;
  e->cache_key_hi = m->cache_key_hi;
  e->cache_key_lo = m->cache_key_lo;
  e->object_kind = (uint16_t)m->object_kind;
  e->installed_locally = (uint8_t)own;
  e->in_use = 1;
  e->codec_bitmap = m->codec_bitmap;
  e->flags = m->flags;
  e->expiry = expiry;
  e->bytes = copy;
  e->len = len;
  account_add(c, e);
  if (expiry <= c->earliest_expiry) {
    c->earliest_expiry = expiry;
    c->earliest_stale = 0; /* nothing expires earlier than the new entry */
  }
  refresh_earliest(c);
}

/* Copy the object bytes (none for an empty object). */
static int copy_object(nnrp_cache_store *c, nnrp_vec object, uint8_t **out) {
  *out = NULL;
  if (object.len == 0) return 0;
  *out = c->mem->malloc(object.len, c->mem->user);
  if (!*out) return NNRP_ERR_NOMEM;
  memcpy(*out, object.base, object.len);
  return 0;
}

static int kind_negotiated(const nnrp_cache_limits *l, uint32_t kind) {
  return kind >= 1 && kind <= 32 && (l->object_bitmap & (1u << (kind - 1)));
}

/* The largest object the holder accepts. */
static uint32_t object_limit(const nnrp_cache_limits *l) {
  if (!l->enabled) return 0;
  if (l->max_object_bytes == 0 || l->max_object_bytes > l->max_bytes) return l->max_bytes;
  return l->max_object_bytes;
}

/* Would the held entries fit the limits with this put?  `skip_expired` leaves out entries
 * expired at `now`; `replaced` is the slot of the key (not counted) or ABSENT. */
static int fits(const nnrp_cache_store *c, size_t replaced, uint32_t len, nnrp_tstamp now,
                int skip_expired) {
  uint64_t n = 1, b = len;
  if (!skip_expired) {
    n += c->held_count;
    b += c->held_bytes;
    if (replaced != ABSENT && !c->entries[replaced].installed_locally) {
      n -= 1;
      b -= c->entries[replaced].len;
    }
  } else {
    for (size_t i = 0; i < c->capacity; i++) {
      const nnrp_cache_entry *e = &c->entries[i];
      if (!e->in_use || e->installed_locally || i == replaced || expired(e, now)) continue;
      n += 1;
      b += e->len;
    }
  }
  return n <= c->limits.max_entries && b <= c->limits.max_bytes;
}

int nnrpi_cache_put(nnrp_cache_store *c, const nnrp_cache_put_meta *m, nnrp_vec object,
                    nnrp_tstamp now, nnrp_cache_ack_meta *ack) {
  const nnrp_cache_limits *l = &c->limits;
  if (object.len != m->object_bytes) return NNRP_ERR_INVALID_ARGUMENT;
  memset(ack, 0, sizeof *ack);
  ack->cache_namespace = m->cache_namespace;
  ack->cache_key_hi = m->cache_key_hi;
  ack->cache_key_lo = m->cache_key_lo;
  ack->max_object_bytes = object_limit(l);
  ack->status = NNRP_CACHE_REJECTED;
  if (!l->enabled || !kind_negotiated(l, m->object_kind)) {
    ack->detail_code = DETAIL_UNSUPPORTED_CAPABILITY;
    return 0;
  }
  ack->detail_code = DETAIL_LIMIT_EXCEEDED;
  if (m->object_bytes > ack->max_object_bytes) return 0;
  size_t at = find(c, m->cache_namespace, m->cache_key_hi, m->cache_key_lo);
  int purge = 0;
  if (!fits(c, at, m->object_bytes, now, 0)) {
    if (c->earliest_expiry > now || !fits(c, at, m->object_bytes, now, 1)) return 0;
    purge = 1;
  }
  /* Allocate before changing anything, so a failure leaves the store as it was. */
  uint8_t *copy;
  int rc = copy_object(c, object, &copy);
  if (rc) return rc;
  if (at == ABSENT && (rc = reserve(c, c->count + 1)) != 0) {
    c->mem->free(copy, c->mem->user);
    return rc;
  }
  int replaced = at != ABSENT && !expired(&c->entries[at], now);
  if (purge) {
    /* Silently: the installer's own copy expired at the same time. */
    purge_expired(c, now, NULL, NULL);
    at = find(c, m->cache_namespace, m->cache_key_hi, m->cache_key_lo);
  }
  uint32_t ttl = m->ttl_ms;
  if (ttl && l->max_ttl_ms && ttl > l->max_ttl_ms) ttl = l->max_ttl_ms;
  place(c, at, m, copy, m->object_bytes, expiry_at(now, ttl), 0);
  ack->status = replaced ? NNRP_CACHE_REPLACED : NNRP_CACHE_ACCEPTED;
  ack->accepted_ttl_ms = ttl;
  ack->detail_code = 0;
  return 0;
}

int nnrpi_cache_store_own(nnrp_cache_store *c, const nnrp_cache_put_meta *m, nnrp_vec object,
                          uint32_t accepted_ttl_ms, nnrp_tstamp now) {
  if (object.len != m->object_bytes || m->object_kind > UINT16_MAX)
    return NNRP_ERR_INVALID_ARGUMENT;
  uint8_t *copy;
  int rc = copy_object(c, object, &copy);
  if (rc) return rc;
  size_t at = find(c, m->cache_namespace, m->cache_key_hi, m->cache_key_lo);
  if (at == ABSENT && (rc = reserve(c, c->count + 1)) != 0) {
    c->mem->free(copy, c->mem->user);
    return rc;
  }
  place(c, at, m, copy, m->object_bytes, expiry_at(now, accepted_ttl_ms), 1);
  return 0;
}

void nnrpi_cache_invalidate(nnrp_cache_store *c, const nnrp_cache_invalidate_meta *m,
                            size_t *removed) {
  size_t n = 0;
  switch (m->invalidate_scope) {
    case NNRP_CACHE_SCOPE_WHOLE_SESSION:
      n = c->count;
      clear_all(c);
      break;
    case NNRP_CACHE_SCOPE_NAMESPACE:
      n = remove_matching(c, match_namespace, &m->cache_namespace, NULL, NULL);
      break;
    case NNRP_CACHE_SCOPE_OBJECT_KIND: /* the kind travels in cache_key_lo (§5.4) */
      n = remove_matching(c, match_kind, &m->cache_key_lo, NULL, NULL);
      break;
    case NNRP_CACHE_SCOPE_OBJECT_KEY: {
      size_t at = find(c, m->cache_namespace, m->cache_key_hi, m->cache_key_lo);
      if (at != ABSENT) {
        remove_at(c, at);
        n = 1;
      }
      break;
    }
    default:
      break; /* the codec refuses other scopes */
  }
  refresh_earliest(c);
  if (removed) *removed = n;
}

int nnrpi_cache_lookup(nnrp_cache_store *c, const nnrp_object_ref *ref, nnrp_tstamp now,
                       const nnrp_cache_entry **entry) {
  *entry = NULL;
  if (!c->limits.enabled) return NNRP_ERR_CACHE_DISABLED;
  if (!kind_negotiated(&c->limits, ref->object_kind)) return NNRP_ERR_CACHE_KIND;
  size_t at = find(c, ref->cache_namespace, ref->cache_key_hi, ref->cache_key_lo);
  if (at == ABSENT) return NNRP_ERR_CACHE_MISS;
  const nnrp_cache_entry *e = &c->entries[at];
  if (expired(e, now) || e->object_kind != ref->object_kind) return NNRP_ERR_CACHE_MISS;
  *entry = e;
  return 0;
}

nnrp_tstamp nnrpi_cache_next_expiry(const nnrp_cache_store *c) {
  return c->earliest_expiry;
}

void nnrpi_cache_expire(nnrp_cache_store *c, nnrp_tstamp now,
                        void (*expired_cb)(void *user, const nnrp_cache_entry *e), void *user) {
  purge_expired(c, now, expired_cb, user);
}
