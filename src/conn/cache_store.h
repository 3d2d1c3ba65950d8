/*
 * Private: the per-session object cache (session.md §5).  One table per endpoint holds the
 * objects it holds for its peer and its own copies of the objects it installed, so references
 * in either direction resolve locally.  No silent eviction: a put that does not fit is
 * rejected.  Keys are (namespace, key_hi, key_lo); the kind is stored, not part of the key.
 */
#ifndef NNRP_CACHE_STORE_H
#define NNRP_CACHE_STORE_H

#include <libnnrp/conn.h>

typedef struct nnrp_cache_entry {
  uint32_t cache_namespace;
  uint32_t cache_key_hi;
  uint32_t cache_key_lo;
  uint16_t object_kind;
  uint8_t installed_locally; /* our own copy of an object the peer accepted */
  uint8_t in_use;
  uint32_t codec_bitmap;
  uint32_t flags; /* CachePutFlags */
  nnrp_tstamp expiry; /* NNRP_TSTAMP_NEVER for ttl 0 */
  uint8_t *bytes;
  uint32_t len;
} nnrp_cache_entry;

typedef struct nnrp_cache_limits {
  int enabled;
  uint32_t object_bitmap; /* negotiated kinds: bit (kind - 1) */
  uint32_t max_entries;
  uint32_t max_bytes;
  uint32_t max_object_bytes; /* largest single object; 0 = max_bytes */
  uint32_t max_ttl_ms;       /* cap applied to requested TTLs; 0 = no cap */
} nnrp_cache_limits;

typedef struct nnrp_cache_store {
  const nnrp_mem *mem;
  nnrp_cache_limits limits;
  nnrp_cache_entry *entries; /* open addressing, linear probing, at most half full */
  size_t capacity;           /* 0 or a power of two */
  size_t count;              /* entries in the table, ours included */
  size_t bytes;              /* object bytes in the table */
  size_t held_count;         /* entries held for the peer: what the limits count */
  size_t held_bytes;
  nnrp_tstamp earliest_expiry; /* of all entries; NNRP_TSTAMP_NEVER when none expires */
  int earliest_stale;          /* within a change: the entry at earliest_expiry left */
} nnrp_cache_store;

/* Set up an empty store (allocates nothing until the first put). */
void nnrpi_cache_init(nnrp_cache_store *c, const nnrp_mem *mem, const nnrp_cache_limits *limits);
/* Free every entry and the table. */
void nnrpi_cache_free(nnrp_cache_store *c);

/*
 * Holder side of CACHE_PUT after the codec checks (§5.3 steps 2-6): fills `ack` (echoed key,
 * status accepted / replaced / rejected, accepted_ttl_ms, max_object_bytes, detail_code 0 or
 * the ErrorCode number 0x0006 / 0x0007).  Copies the object bytes.  Returns 0 (including a
 * rejection, which is reported in the ack), NNRP_ERR_NOMEM or NNRP_ERR_INVALID_ARGUMENT
 * (object.len != m->object_bytes); on an error the store is unchanged.
 *
 * The limits count the live entries held for the peer; expired entries that stand in the way
 * are purged silently, so run nnrpi_cache_expire() first to notify the installer of them.
 * A key whose entry has expired but is still in the table is "not present" (accepted).
 * Entry pointers from nnrpi_cache_lookup() are valid until the next change of the store.
 */
int nnrpi_cache_put(nnrp_cache_store *c, const nnrp_cache_put_meta *m, nnrp_vec object,
                    nnrp_tstamp now, nnrp_cache_ack_meta *ack);

/*
 * Installer side: keep our own copy of an object the peer accepted (called with the PUT we
 * sent once its CACHE_ACK says accepted or replaced).  The holder's limits do not apply to our
 * copies (the peer already bounded them).  0, NNRP_ERR_NOMEM or NNRP_ERR_INVALID_ARGUMENT;
 * on an error the store is unchanged.
 */
int nnrpi_cache_store_own(nnrp_cache_store *c, const nnrp_cache_put_meta *m, nnrp_vec object,
                          uint32_t accepted_ttl_ms, nnrp_tstamp now);

/* CACHE_INVALIDATE (§5.4, all four scopes; scope 2 names the kind in cache_key_lo).  Stores the
 * number of removed entries in *removed (may be NULL).  Absent keys are not an error. */
void nnrpi_cache_invalidate(nnrp_cache_store *c, const nnrp_cache_invalidate_meta *m,
                            size_t *removed);

/*
 * Resolve a reference (§5.5): 0 and *entry on success; NNRP_ERR_CACHE_DISABLED when the cache
 * is off, NNRP_ERR_CACHE_KIND when the kind is not negotiated, NNRP_ERR_CACHE_MISS when the key
 * is absent, expired or holds another kind.
 */
int nnrpi_cache_lookup(nnrp_cache_store *c, const nnrp_object_ref *ref, nnrp_tstamp now,
                       const nnrp_cache_entry **entry);

/* Earliest expiry among entries, NNRP_TSTAMP_NEVER when none expires (O(1): kept current by
 * every change). */
nnrp_tstamp nnrpi_cache_next_expiry(const nnrp_cache_store *c);

/* Remove entries expired at `now` (expiry <= now); for each one held for the peer (not
 * installed locally) call `expired(user, entry)` first, so the engine can send a scope-3
 * CACHE_INVALIDATE.  `expired` may be NULL; it must not change the store. */
void nnrpi_cache_expire(nnrp_cache_store *c, nnrp_tstamp now,
                        void (*expired)(void *user, const nnrp_cache_entry *e), void *user);

#endif /* NNRP_CACHE_STORE_H */
