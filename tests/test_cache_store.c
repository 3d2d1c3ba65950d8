/* The per-session object cache, session.md §5: one test per rule (src/conn/cache_store.c). */
#include "cache_test_util.h"

/* ---- §5.3 step 2: disabled cache, kind not negotiated ------------------------------------- */

static void test_disabled(void) {
  nnrp_cache_limits l = limits(8, 1024);
  l.enabled = 0;
  nnrp_cache_store c;
  nnrpi_cache_init(&c, NULL, &l);
  nnrp_cache_ack_meta a = put(&c, 1, 2, 3, 1, 1000, 3, 1, 0);
  CHECK_EQ(a.status, NNRP_CACHE_REJECTED);
  CHECK_EQ(a.detail_code, 0x0006);
  CHECK_EQ(a.accepted_ttl_ms, 0);
  CHECK_EQ(a.max_object_bytes, 0);
  CHECK_EQ(c.count, 0);
  const nnrp_cache_entry *e = (const nnrp_cache_entry *)&c;
  CHECK_RC(lookup(&c, 1, 1, 2, 3, 0, &e), NNRP_ERR_CACHE_DISABLED);
  CHECK(e == NULL);
  CHECK_EQ(nnrp_err_protocol_code(NNRP_ERR_CACHE_DISABLED), 0x0006);
  nnrpi_cache_free(&c);
}

static void test_kind_not_negotiated(void) {
  nnrp_cache_limits l = limits(8, 1024);
  nnrp_cache_store c;
  nnrpi_cache_init(&c, NULL, &l);
  for (uint32_t kind = 4; kind <= 9; kind++) {
    nnrp_cache_ack_meta a = put(&c, 1, 2, 3, kind, 1000, 3, 1, 0);
    CHECK_EQ(a.status, NNRP_CACHE_REJECTED);
    CHECK_EQ(a.detail_code, 0x0006);
    CHECK_EQ(a.max_object_bytes, 1024);
  }
  CHECK_EQ(c.count, 0);
  const nnrp_cache_entry *e;
  CHECK_RC(lookup(&c, 4, 1, 2, 3, 0, &e), NNRP_ERR_CACHE_KIND);
  CHECK_RC(lookup(&c, 0, 1, 2, 3, 0, &e), NNRP_ERR_CACHE_KIND);
  CHECK_RC(lookup(&c, 33, 1, 2, 3, 0, &e), NNRP_ERR_CACHE_KIND);
  CHECK_RC(lookup(&c, 1, 1, 2, 3, 0, &e), NNRP_ERR_CACHE_MISS);
  CHECK_EQ(nnrp_err_protocol_code(NNRP_ERR_CACHE_KIND), 0x0006);
  nnrpi_cache_free(&c);
}

/* ---- step 3: limits ---------------------------------------------------------------------- */

static void test_object_too_large(void) {
  nnrp_cache_limits l = limits(8, 1000);
  l.max_object_bytes = 100;
  nnrp_cache_store c;
  nnrpi_cache_init(&c, NULL, &l);
  nnrp_cache_ack_meta a = put(&c, 1, 0, 1, 1, 0, 101, 1, 0);
  CHECK_EQ(a.status, NNRP_CACHE_REJECTED);
  CHECK_EQ(a.detail_code, 0x0007);
  CHECK_EQ(a.max_object_bytes, 100);
  a = put(&c, 1, 0, 1, 1, 0, 100, 1, 0);
  CHECK_EQ(a.status, NNRP_CACHE_ACCEPTED);
  CHECK_EQ(a.detail_code, 0);
  CHECK_EQ(a.max_object_bytes, 100);
  /* No per-object limit (0), or one above max_bytes: the largest object is max_bytes. */
  c.limits.max_object_bytes = 0;
  a = put(&c, 1, 0, 2, 1, 0, 901, 1, 0);
  CHECK_EQ(a.status, NNRP_CACHE_REJECTED);
  CHECK_EQ(a.max_object_bytes, 1000);
  c.limits.max_object_bytes = 5000;
  a = put(&c, 1, 0, 2, 1, 0, 1001, 1, 0);
  CHECK_EQ(a.status, NNRP_CACHE_REJECTED);
  CHECK_EQ(a.detail_code, 0x0007);
  CHECK_EQ(a.max_object_bytes, 1000);
  a = put(&c, 1, 0, 2, 1, 0, 900, 1, 0);
  CHECK_EQ(a.status, NNRP_CACHE_ACCEPTED);
  CHECK_EQ(c.count, 2);
  CHECK_EQ(c.bytes, 1000);
  nnrpi_cache_free(&c);
}

static void test_table_full(void) {
  nnrp_cache_store c;
  nnrp_cache_limits l = limits(2, 100);
  nnrpi_cache_init(&c, NULL, &l);
  CHECK_EQ(put(&c, 1, 0, 1, 1, 0, 10, 1, 0).status, NNRP_CACHE_ACCEPTED);
  CHECK_EQ(put(&c, 1, 0, 2, 1, 0, 10, 2, 0).status, NNRP_CACHE_ACCEPTED);
  nnrp_cache_ack_meta a = put(&c, 1, 0, 3, 1, 0, 1, 3, 0);
  CHECK_EQ(a.status, NNRP_CACHE_REJECTED);
  CHECK_EQ(a.detail_code, 0x0007);
  CHECK_EQ(c.count, 2);
  /* No silent eviction: both earlier objects are still there. */
  check_holds(&c, 1, 1, 0, 1, 10, 1, 0);
  check_holds(&c, 1, 1, 0, 2, 10, 2, 0);
  /* Replacing a key needs no new entry, only the byte budget. */
  CHECK_EQ(put(&c, 1, 0, 2, 2, 0, 90, 4, 0).status, NNRP_CACHE_REPLACED);
  check_holds(&c, 2, 1, 0, 2, 90, 4, 0);
  a = put(&c, 1, 0, 2, 2, 0, 91, 5, 0); /* 10 + 91 > 100 */
  CHECK_EQ(a.status, NNRP_CACHE_REJECTED);
  CHECK_EQ(a.detail_code, 0x0007);
  check_holds(&c, 2, 1, 0, 2, 90, 4, 0);
  CHECK_EQ(c.held_bytes, 100);
  nnrpi_cache_free(&c);
}

static void test_expired_entries_are_purged_for_space(void) {
  nnrp_cache_store c;
  nnrp_cache_limits l = limits(2, 100);
  nnrpi_cache_init(&c, NULL, &l);
  const nnrp_tstamp t0 = 5000000;
  CHECK_EQ(put(&c, 1, 0, 1, 1, 100, 50, 1, t0).status, NNRP_CACHE_ACCEPTED);
  CHECK_EQ(put(&c, 1, 0, 2, 1, 0, 50, 2, t0).status, NNRP_CACHE_ACCEPTED);
  /* Still live at t0 + 99 ms: full. */
  CHECK_EQ(put(&c, 1, 0, 3, 1, 0, 10, 3, t0 + 99 * MS).status, NNRP_CACHE_REJECTED);
  /* At t0 + 100 ms key 1 has expired and makes room. */
  nnrp_cache_ack_meta a = put(&c, 1, 0, 3, 1, 0, 10, 3, t0 + 100 * MS);
  CHECK_EQ(a.status, NNRP_CACHE_ACCEPTED);
  CHECK_EQ(c.count, 2);
  CHECK_EQ(c.bytes, 60);
  const nnrp_cache_entry *e;
  CHECK_RC(lookup(&c, 1, 1, 0, 1, t0 + 100 * MS, &e), NNRP_ERR_CACHE_MISS);
  check_holds(&c, 1, 1, 0, 3, 10, 3, t0 + 100 * MS);
  check_consistent(&c);
  nnrpi_cache_free(&c);
  /* Expired entries are purged only when they stand in the way, so the expiry pass still
   * reports the others to the installer. */
  nnrp_cache_limits l4 = limits(4, 100);
  nnrpi_cache_init(&c, NULL, &l4);
  CHECK_EQ(put(&c, 2, 0, 1, 1, 10, 1, 1, t0).status, NNRP_CACHE_ACCEPTED);
  CHECK_EQ(put(&c, 2, 0, 2, 1, 0, 1, 1, t0 + 20 * MS).status, NNRP_CACHE_ACCEPTED);
  CHECK_EQ(c.count, 2);
  CHECK_RC(lookup(&c, 1, 2, 0, 1, t0 + 20 * MS, &e), NNRP_ERR_CACHE_MISS);
  seen_keys s = {{0}, 0};
  nnrpi_cache_expire(&c, t0 + 20 * MS, on_expired, &s);
  CHECK_EQ(s.n, 1);
  CHECK_EQ(s.lo[0], 1);
  CHECK_EQ(c.count, 1);
  nnrpi_cache_free(&c);
}

/* ---- step 4: accepted, replaced ----------------------------------------------------------- */

static void test_accept_and_replace(void) {
  nnrp_cache_store c;
  nnrp_cache_limits l = limits(8, 1024);
  nnrpi_cache_init(&c, NULL, &l);
  nnrp_cache_put_meta m = put_meta(7, 0x11, 0x22, 2, 0, 5);
  m.flags = NNRP_CACHE_PUT_PINNED | NNRP_CACHE_PUT_REUSABLE;
  m.codec_bitmap = 3;
  nnrp_cache_ack_meta a;
  CHECK_RC(nnrpi_cache_put(&c, &m, object(5, 9), 0, &a), 0);
  CHECK_EQ(a.status, NNRP_CACHE_ACCEPTED);
  const nnrp_cache_entry *e = NULL;
  CHECK_RC(lookup(&c, 2, 7, 0x11, 0x22, 0, &e), 0);
  if (e) {
    CHECK_EQ(e->flags, 3);
    CHECK_EQ(e->codec_bitmap, 3);
    CHECK(!e->installed_locally);
  }
  /* Same key, new kind and bytes: replaced; the old kind no longer resolves. */
  a = put(&c, 7, 0x11, 0x22, 3, 0, 8, 4, 0);
  CHECK_EQ(a.status, NNRP_CACHE_REPLACED);
  CHECK_EQ(a.detail_code, 0);
  CHECK_RC(lookup(&c, 2, 7, 0x11, 0x22, 0, &e), NNRP_ERR_CACHE_MISS);
  check_holds(&c, 3, 7, 0x11, 0x22, 8, 4, 0);
  CHECK_EQ(c.count, 1);
  CHECK_EQ(c.bytes, 8);
  /* The key is all three fields. */
  CHECK_EQ(put(&c, 8, 0x11, 0x22, 3, 0, 1, 1, 0).status, NNRP_CACHE_ACCEPTED);
  CHECK_EQ(put(&c, 7, 0x12, 0x22, 3, 0, 1, 1, 0).status, NNRP_CACHE_ACCEPTED);
  CHECK_EQ(put(&c, 7, 0x11, 0x23, 3, 0, 1, 1, 0).status, NNRP_CACHE_ACCEPTED);
  CHECK_EQ(c.count, 4);
  /* Empty objects are objects too. */
  CHECK_EQ(put(&c, 9, 0, 0, 1, 0, 0, 0, 0).status, NNRP_CACHE_ACCEPTED);
  check_holds(&c, 1, 9, 0, 0, 0, 0, 0);
  /* A put over an expired entry is a new object: accepted. */
  CHECK_EQ(put(&c, 10, 0, 0, 1, 10, 4, 1, 0).status, NNRP_CACHE_ACCEPTED);
  CHECK_EQ(put(&c, 10, 0, 0, 1, 10, 4, 2, 10 * MS).status, NNRP_CACHE_ACCEPTED);
  check_holds(&c, 1, 10, 0, 0, 4, 2, 10 * MS);
  check_consistent(&c);
  /* A put whose body disagrees with object_bytes is a caller error; nothing changes. */
  m = put_meta(11, 0, 0, 1, 0, 4);
  CHECK_RC(nnrpi_cache_put(&c, &m, object(3, 0), 0, &a), NNRP_ERR_INVALID_ARGUMENT);
  CHECK_EQ(c.count, 6);
  nnrpi_cache_free(&c);
}

/* ---- step 5: TTL -------------------------------------------------------------------------- */

static void test_ttl(void) {
  nnrp_cache_store c;
  nnrp_cache_limits l = limits(8, 1024);
  l.max_ttl_ms = 2000;
  nnrpi_cache_init(&c, NULL, &l);
  const nnrp_tstamp t0 = 1000;
  /* 0 = until invalidated: echoed, never capped, never expires. */
  nnrp_cache_ack_meta a = put(&c, 1, 0, 1, 1, 0, 1, 1, t0);
  CHECK_EQ(a.accepted_ttl_ms, 0);
  /* A long TTL is capped and the cap reported. */
  a = put(&c, 1, 0, 2, 1, 5000, 1, 1, t0);
  CHECK_EQ(a.accepted_ttl_ms, 2000);
  a = put(&c, 1, 0, 3, 1, 1500, 1, 1, t0);
  CHECK_EQ(a.accepted_ttl_ms, 1500);
  a = put(&c, 1, 0, 4, 1, 2000, 1, 1, t0);
  CHECK_EQ(a.accepted_ttl_ms, 2000);
  CHECK(nnrpi_cache_next_expiry(&c) == t0 + 1500 * MS);
  const nnrp_cache_entry *e;
  CHECK_RC(lookup(&c, 1, 1, 0, 3, t0 + 1500 * MS - 1, &e), 0);
  CHECK_RC(lookup(&c, 1, 1, 0, 3, t0 + 1500 * MS, &e), NNRP_ERR_CACHE_MISS);
  CHECK_RC(lookup(&c, 1, 1, 0, 2, t0 + 2000 * MS - 1, &e), 0);
  CHECK_RC(lookup(&c, 1, 1, 0, 2, t0 + 2000 * MS, &e), NNRP_ERR_CACHE_MISS);
  CHECK_RC(lookup(&c, 1, 1, 0, 1, NNRP_TSTAMP_NEVER - 1, &e), 0);
  /* Without a cap the TTL is applied as asked. */
  c.limits.max_ttl_ms = 0;
  a = put(&c, 1, 0, 5, 1, 0xFFFFFFFFu, 1, 1, t0);
  CHECK_EQ(a.accepted_ttl_ms, 0xFFFFFFFFu);
  CHECK_RC(lookup(&c, 1, 1, 0, 5, t0 + 0xFFFFFFFFull * MS - 1, &e), 0);
  /* Near the end of time the expiry saturates instead of wrapping. */
  a = put(&c, 1, 0, 6, 1, 10, 1, 1, NNRP_TSTAMP_NEVER - 5);
  CHECK_EQ(a.status, NNRP_CACHE_ACCEPTED);
  CHECK_RC(lookup(&c, 1, 1, 0, 6, NNRP_TSTAMP_NEVER - 2, &e), 0);
  nnrpi_cache_free(&c);
}

/* ---- step 6: the ACK of a real CACHE_PUT (shared/vectors/cache_put.bin) ---------------------- */

static void build_ack(const nnrp_cache_ack_meta *a, uint32_t session, const char *want_hex) {
  nnrp_packet_params pp = {.session_id = session};
  uint8_t out[128];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, out, sizeof out);
  CHECK_RC(nnrp_build_cache_ack(&pp, a, &s), 0);
  size_t n = 0;
  uint8_t *want = test_hex_decode(want_hex, &n);
  CHECK(want != NULL);
  if (want) CHECK_MEM(out, s.total, want, n);
  free(want);
}

static void test_vector_cache_put(void) {
  size_t len = 0;
  uint8_t *bin = test_read_file(test_vector_path("cache_put.bin"), &len);
  CHECK(bin != NULL);
  if (!bin) return;
  nnrp_packet p;
  CHECK_RC(nnrp_packet_decode(&p, bin, len, NULL, NULL), 0);
  CHECK_EQ(p.header.msg_type, NNRP_MSG_CACHE_PUT);
  nnrp_cache_store c;
  nnrp_cache_limits l = limits(16, 4096);
  l.max_object_bytes = 1024;
  nnrpi_cache_init(&c, NULL, &l);
  nnrp_cache_ack_meta a;
  CHECK_RC(nnrpi_cache_put(&c, &p.meta.cache_put, p.body, 0, &a), 0);
  /* ns 1, key 2/3, accepted, ttl 1000, max_object_bytes 1024, detail 0; session 5 */
  const char *hdr =
      "4e4e525001001528000000001c0000000000000005000000"
      "0000000000000000"
      "0000000000000000";
  char want[400];
  snprintf(want, sizeof want, "%s%s", hdr,
           "01000000020000000300000000000000e80300000004000000000000");
  build_ack(&a, p.header.session_id, want);
  const nnrp_cache_entry *e = NULL;
  CHECK_RC(lookup(&c, 1, 1, 2, 3, 0, &e), 0);
  if (e) {
    const uint8_t body[] = {9, 8, 7};
    CHECK_MEM(e->bytes, e->len, body, sizeof body);
    CHECK_EQ(e->flags, NNRP_CACHE_PUT_PINNED);
    CHECK_EQ(e->codec_bitmap, 1);
    CHECK(e->bytes != p.body.base); /* a copy, not a view of the packet */
  }
  /* The same PUT again: replaced (status 2). */
  CHECK_RC(nnrpi_cache_put(&c, &p.meta.cache_put, p.body, 0, &a), 0);
  snprintf(want, sizeof want, "%s%s", hdr,
           "01000000020000000300000002000000e80300000004000000000000");
  build_ack(&a, p.header.session_id, want);
  /* Over the per-object limit: rejected with limit_exceeded. */
  c.limits.max_object_bytes = 2;
  CHECK_RC(nnrpi_cache_put(&c, &p.meta.cache_put, p.body, 0, &a), 0);
  snprintf(want, sizeof want, "%s%s", hdr,
           "01000000020000000300000001000000000000000200000007000000");
  build_ack(&a, p.header.session_id, want);
  free(bin);
  nnrpi_cache_free(&c);
}

/* ---- installer copies ------------------------------------------------------------------------ */

static void test_installer_copies(void) {
  nnrp_cache_store c;
  nnrp_cache_limits l = limits(1, 10);
  nnrpi_cache_init(&c, NULL, &l);
  /* Our copies are bounded by the peer's limits, not ours. */
  for (uint32_t k = 0; k < 5; k++) {
    nnrp_cache_put_meta m = put_meta(3, 0, k, 2, 0, 20);
    CHECK_RC(nnrpi_cache_store_own(&c, &m, object(20, (uint8_t)k), 100, 0), 0);
  }
  CHECK_EQ(c.count, 5);
  CHECK_EQ(c.held_count, 0);
  check_holds(&c, 2, 3, 0, 4, 20, 4, 0);
  /* Our copies do not use the holder budget either. */
  CHECK_EQ(put(&c, 4, 0, 0, 1, 0, 10, 1, 0).status, NNRP_CACHE_ACCEPTED);
  CHECK_EQ(put(&c, 4, 0, 1, 1, 0, 1, 1, 0).status, NNRP_CACHE_REJECTED);
  /* The accepted TTL bounds our copy, as it bounds the peer's entry. */
  const nnrp_cache_entry *e;
  CHECK_RC(lookup(&c, 2, 3, 0, 1, 100 * MS - 1, &e), 0);
  CHECK_RC(lookup(&c, 2, 3, 0, 1, 100 * MS, &e), NNRP_ERR_CACHE_MISS);
  /* A peer's PUT of a key we hold a copy of turns it into a held entry, and back. */
  nnrp_cache_store d;
  nnrpi_cache_init(&d, NULL, &l);
  nnrp_cache_put_meta m = put_meta(1, 1, 1, 1, 0, 5);
  CHECK_RC(nnrpi_cache_store_own(&d, &m, object(5, 1), 0, 0), 0);
  CHECK_EQ(put(&d, 1, 1, 1, 1, 0, 6, 2, 0).status, NNRP_CACHE_REPLACED);
  CHECK_EQ(d.held_count, 1);
  CHECK_EQ(d.held_bytes, 6);
  CHECK_RC(nnrpi_cache_store_own(&d, &m, object(5, 3), 0, 0), 0);
  CHECK_EQ(d.held_count, 0);
  CHECK_EQ(d.count, 1);
  check_holds(&d, 1, 1, 1, 1, 5, 3, 0);
  check_consistent(&d);
  CHECK_RC(nnrpi_cache_store_own(&d, &m, object(4, 3), 0, 0), NNRP_ERR_INVALID_ARGUMENT);
  nnrpi_cache_free(&d);
  nnrpi_cache_free(&c);
}

/* ---- §5.4 invalidation -------------------------------------------------------------------------
 */

static void fill_grid(nnrp_cache_store *c) {
  /* namespaces 1..3 x kinds 1..3 x two keys; one of them our own copy */
  for (uint32_t ns = 1; ns <= 3; ns++)
    for (uint32_t kind = 1; kind <= 3; kind++)
      for (uint32_t k = 0; k < 2; k++)
        CHECK_EQ(put(c, ns, kind, k, kind, 0, 4, (uint8_t)(ns * 10 + kind), 0).status,
                 NNRP_CACHE_ACCEPTED);
  nnrp_cache_put_meta m = put_meta(1, 9, 9, 2, 0, 4);
  CHECK_RC(nnrpi_cache_store_own(c, &m, object(4, 0), 0, 0), 0);
}

static void test_invalidate_scopes(void) {
  nnrp_cache_store c;
  nnrp_cache_limits l = limits(64, 4096);
  nnrpi_cache_init(&c, NULL, &l);
  fill_grid(&c);
  CHECK_EQ(c.count, 19);
  const nnrp_cache_entry *e;
  /* scope 3: one key; absent keys are not an error. */
  invalidate(&c, NNRP_CACHE_SCOPE_OBJECT_KEY, 2, 3, 1, 1);
  CHECK_RC(lookup(&c, 3, 2, 3, 1, 0, &e), NNRP_ERR_CACHE_MISS);
  check_holds(&c, 3, 2, 3, 0, 4, 23, 0);
  invalidate(&c, NNRP_CACHE_SCOPE_OBJECT_KEY, 2, 3, 1, 0);
  invalidate(&c, NNRP_CACHE_SCOPE_OBJECT_KEY, 99, 0, 0, 0);
  /* scope 2: the kind in cache_key_lo, across namespaces, our copies included. */
  invalidate(&c, NNRP_CACHE_SCOPE_OBJECT_KIND, 0, 0, 2, 7);
  CHECK_RC(lookup(&c, 2, 1, 9, 9, 0, &e), NNRP_ERR_CACHE_MISS);
  for (uint32_t ns = 1; ns <= 3; ns++) {
    CHECK_RC(lookup(&c, 2, ns, 2, 0, 0, &e), NNRP_ERR_CACHE_MISS);
    check_holds(&c, 1, ns, 1, 1, 4, (uint8_t)(ns * 10 + 1), 0);
  }
  CHECK_EQ(c.count, 11);
  /* scope 2 ignores namespace and key_hi. */
  invalidate(&c, NNRP_CACHE_SCOPE_OBJECT_KIND, 1, 3, 3, 5);
  CHECK_EQ(c.count, 6);
  check_consistent(&c);
  /* scope 1: one namespace. */
  invalidate(&c, NNRP_CACHE_SCOPE_NAMESPACE, 3, 0, 0, 2);
  CHECK_RC(lookup(&c, 1, 3, 1, 0, 0, &e), NNRP_ERR_CACHE_MISS);
  check_holds(&c, 1, 2, 1, 0, 4, 21, 0);
  invalidate(&c, NNRP_CACHE_SCOPE_NAMESPACE, 3, 0, 0, 0);
  CHECK_EQ(c.count, 4);
  check_consistent(&c);
  /* scope 0: everything. */
  invalidate(&c, NNRP_CACHE_SCOPE_WHOLE_SESSION, 0, 0, 0, 4);
  CHECK_EQ(c.count, 0);
  CHECK_EQ(c.bytes, 0);
  CHECK_EQ(c.held_count, 0);
  CHECK_RC(lookup(&c, 1, 1, 1, 0, 0, &e), NNRP_ERR_CACHE_MISS);
  CHECK(nnrpi_cache_next_expiry(&c) == NNRP_TSTAMP_NEVER);
  invalidate(&c, NNRP_CACHE_SCOPE_WHOLE_SESSION, 0, 0, 0, 0);
  /* The store works again after being emptied. */
  CHECK_EQ(put(&c, 1, 1, 1, 1, 0, 2, 5, 0).status, NNRP_CACHE_ACCEPTED);
  check_holds(&c, 1, 1, 1, 1, 2, 5, 0);
  nnrpi_cache_free(&c);
}

/* ---- §5.5 lookup ---------------------------------------------------------------------------- */

static void test_lookup_errors(void) {
  nnrp_cache_store c;
  nnrp_cache_limits l = limits(8, 1024);
  nnrpi_cache_init(&c, NULL, &l);
  const nnrp_cache_entry *e = NULL;
  CHECK_RC(lookup(&c, 1, 0, 0, 0, 0, &e), NNRP_ERR_CACHE_MISS); /* empty table */
  put(&c, 1, 2, 3, 2, 50, 3, 1, 0);
  CHECK_RC(lookup(&c, 2, 1, 2, 3, 0, &e), 0);
  CHECK_RC(lookup(&c, 1, 1, 2, 3, 0, &e), NNRP_ERR_CACHE_MISS); /* another kind */
  CHECK(e == NULL);
  CHECK_RC(lookup(&c, 2, 1, 2, 4, 0, &e), NNRP_ERR_CACHE_MISS);       /* absent */
  CHECK_RC(lookup(&c, 2, 1, 2, 3, 50 * MS, &e), NNRP_ERR_CACHE_MISS); /* expired */
  CHECK_EQ(nnrp_err_protocol_code(NNRP_ERR_CACHE_MISS), 0x000A);
  nnrpi_cache_free(&c);
}

/* ---- expiry --------------------------------------------------------------------------------- */

static void test_expire(void) {
  nnrp_cache_store c;
  nnrp_cache_limits l = limits(8, 1024);
  nnrpi_cache_init(&c, NULL, &l);
  CHECK(nnrpi_cache_next_expiry(&c) == NNRP_TSTAMP_NEVER);
  put(&c, 1, 0, 1, 1, 0, 1, 1, 0);
  CHECK(nnrpi_cache_next_expiry(&c) == NNRP_TSTAMP_NEVER);
  put(&c, 1, 0, 2, 1, 30, 1, 1, 0);
  put(&c, 1, 0, 3, 1, 10, 1, 1, 0);
  put(&c, 1, 0, 4, 1, 20, 1, 1, 0);
  nnrp_cache_put_meta m = put_meta(1, 0, 5, 1, 0, 1);
  CHECK_RC(nnrpi_cache_store_own(&c, &m, object(1, 1), 10, 0), 0);
  CHECK(nnrpi_cache_next_expiry(&c) == 10 * MS);
  seen_keys s = {{0}, 0};
  nnrpi_cache_expire(&c, 10 * MS - 1, on_expired, &s);
  CHECK_EQ(s.n, 0);
  CHECK_EQ(c.count, 5);
  /* Key 3 (held) and key 5 (our copy) expire; only the held one is reported. */
  nnrpi_cache_expire(&c, 10 * MS, on_expired, &s);
  CHECK_EQ(s.n, 1);
  CHECK_EQ(s.lo[0], 3);
  CHECK_EQ(c.count, 3);
  CHECK(nnrpi_cache_next_expiry(&c) == 20 * MS);
  nnrpi_cache_expire(&c, 100 * MS, NULL, NULL);
  CHECK_EQ(c.count, 1);
  CHECK(nnrpi_cache_next_expiry(&c) == NNRP_TSTAMP_NEVER);
  check_holds(&c, 1, 1, 0, 1, 1, 1, 100 * MS);
  check_consistent(&c);
  nnrpi_cache_free(&c);
}

/* ---- session.md §8.3 l1.cache.lifecycle.roundtrip part (c) ------------------------------------
 */

static void test_conformance_cache_lifecycle(void) {
  nnrp_cache_store server;
  nnrp_cache_limits l = limits(4, 256);
  nnrpi_cache_init(&server, NULL, &l);
  const nnrp_cache_entry *e;
  /* PUT -> ACK accepted -> a FRAME_SUBMIT referencing the key resolves. */
  CHECK_EQ(put(&server, 1, 0x0A, 0x0B, NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 32, 1, 0).status,
           NNRP_CACHE_ACCEPTED);
  check_holds(&server, NNRP_OBJECT_TILE_INDEX_BLOCK, 1, 0x0A, 0x0B, 32, 1, 0);
  /* PUT of an existing key -> replaced, and references see the new bytes. */
  CHECK_EQ(put(&server, 1, 0x0A, 0x0B, NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 16, 2, 0).status,
           NNRP_CACHE_REPLACED);
  check_holds(&server, NNRP_OBJECT_TILE_INDEX_BLOCK, 1, 0x0A, 0x0B, 16, 2, 0);
  /* PUT beyond the limits or of a kind not negotiated -> rejected. */
  nnrp_cache_ack_meta a = put(&server, 1, 0, 1, NNRP_OBJECT_CAMERA_BLOCK, 0, 257, 3, 0);
  CHECK_EQ(a.status, NNRP_CACHE_REJECTED);
  CHECK_EQ(a.detail_code, NNRP_ERROR_CODE_LIMIT_EXCEEDED);
  a = put(&server, 1, 0, 1, NNRP_OBJECT_PROMPT_SEGMENT, 0, 8, 3, 0);
  CHECK_EQ(a.status, NNRP_CACHE_REJECTED);
  CHECK_EQ(a.detail_code, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY);
  /* INVALIDATE by key, namespace, kind and whole session -> a later reference is cache_miss
   * (ERROR cache_miss, frame scope, in the engine). */
  static const struct {
    uint32_t scope, ns, hi, lo;
  } inv[] = {{NNRP_CACHE_SCOPE_OBJECT_KEY, 1, 0x0A, 0x0B},
             {NNRP_CACHE_SCOPE_NAMESPACE, 1, 0, 0},
             {NNRP_CACHE_SCOPE_OBJECT_KIND, 0, 0, NNRP_OBJECT_TILE_INDEX_BLOCK},
             {NNRP_CACHE_SCOPE_WHOLE_SESSION, 0, 0, 0}};
  for (size_t i = 0; i < 4; i++) {
    CHECK(put(&server, 1, 0x0A, 0x0B, NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 8, 4, 0).status !=
          NNRP_CACHE_REJECTED);
    CHECK(put(&server, 2, 0x0A, 0x0B, NNRP_OBJECT_CAMERA_BLOCK, 0, 8, 5, 0).status !=
          NNRP_CACHE_REJECTED);
    CHECK_RC(lookup(&server, NNRP_OBJECT_TILE_INDEX_BLOCK, 1, 0x0A, 0x0B, 0, &e), 0);
    invalidate(&server, inv[i].scope, inv[i].ns, inv[i].hi, inv[i].lo, i == 3 ? 2 : 1);
    int rc = lookup(&server, NNRP_OBJECT_TILE_INDEX_BLOCK, 1, 0x0A, 0x0B, 0, &e);
    CHECK_RC(rc, NNRP_ERR_CACHE_MISS);
    CHECK_EQ(nnrp_err_protocol_code(rc), NNRP_ERROR_CODE_CACHE_MISS);
    /* The other namespace's camera block survives the narrower scopes. */
    CHECK_RC(lookup(&server, NNRP_OBJECT_CAMERA_BLOCK, 2, 0x0A, 0x0B, 0, &e),
             i == 3 ? NNRP_ERR_CACHE_MISS : 0);
  }
  nnrpi_cache_free(&server);
}

int main(void) {
  RUN(test_disabled);
  RUN(test_kind_not_negotiated);
  RUN(test_object_too_large);
  RUN(test_table_full);
  RUN(test_expired_entries_are_purged_for_space);
  RUN(test_accept_and_replace);
  RUN(test_ttl);
  RUN(test_vector_cache_put);
  RUN(test_installer_copies);
  RUN(test_invalidate_scopes);
  RUN(test_lookup_errors);
  RUN(test_expire);
  RUN(test_conformance_cache_lifecycle);
  return TEST_REPORT();
}
