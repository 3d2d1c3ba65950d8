/*
 * The session parts of the L1 cases (session.md 8.3, 8.4): what a running session does with the
 * messages whose codec parts cmd_conformance_ctl.c and cmd_conformance_data.c check.  Each part
 * runs a client engine and a server engine wired together in memory (conformance_pair.h) and
 * logs one assertion per line; the case passes only when every assertion of both parts held.
 */
#include <string.h>

#include "conformance.h"
#include "conformance_pair.h"

#define CHECK(c, cond, ...) conf_check(c, (cond) != 0, __VA_ARGS__)

static int open_pair_with(conf_case *c, cpair *p, const nnrp_settings *st) {
  int rc = cpair_open(p, st);
  conf_check_rc(c, rc, 0, "session: client and server engines reach ACTIVE in memory");
  return rc == 0;
}

static int open_pair(conf_case *c, cpair *p) {
  return open_pair_with(c, p, NULL);
}

static nnrp_window_info window_of(nnrp_conn *conn) {
  nnrp_window_info w;
  memset(&w, 0, sizeof w);
  nnrp_conn_window(conn, &w);
  return w;
}

/* The server sends a session-scope FLOW_UPDATE; the client's `applied` flag, -1 if none came. */
static int server_flow(cpair *p, uint8_t reason, uint16_t credit, uint32_t epoch) {
  nnrp_flow_update_meta m;
  memset(&m, 0, sizeof m);
  m.scope_kind = NNRP_FLOW_SCOPE_SESSION;
  m.update_reason = reason;
  m.credit_epoch = epoch;
  if (credit != UINT16_MAX) m.flags = NNRP_FLOW_CREDIT_VALID, m.session_credit = credit;
  size_t before = p->c.flow_count;
  if (nnrp_conn_send_flow_update(p->s.conn, &m, p->now) != 0) return -1;
  cpair_flush(p);
  return p->c.flow_count == before + 1 ? p->c.flow_applied[before] : -1;
}

void conf_l1_flow_session(conf_case *c) {
  cpair p;
  if (!open_pair(c, &p)) return;
  CHECK(c, server_flow(&p, NNRP_FLOW_GRANT, 2, 5) == 1, "grant credit 2 epoch 5: applied");
  CHECK(c, window_of(p.c.conn).window == 2, "the client's send window is the credit (2)");
  CHECK(c, cpair_submit(&p, 0) && cpair_submit(&p, 0), "two frames admitted by the window");
  CHECK(c, nnrp_conn_can_submit(p.c.conn, p.now) == NNRP_ERR_WOULD_BLOCK,
        "a third frame waits: the window is full (WOULD_BLOCK)");
  CHECK(c, server_flow(&p, NNRP_FLOW_GRANT, 6, 5) == 0,
        "equal credit_epoch 5: surfaced to the host, not applied (session 4.2)");
  CHECK(c, server_flow(&p, NNRP_FLOW_GRANT, 6, 3) == 0, "older credit_epoch 3: not applied");
  CHECK(c, window_of(p.c.conn).window == 2, "the window is still 2 after the stale updates");
  CHECK(c, server_flow(&p, NNRP_FLOW_GRANT, 4, 6) == 1, "newer epoch 6 grant 4: applied");
  CHECK(c, nnrp_conn_can_submit(p.c.conn, p.now) == 0, "submission possible again (2 of 4)");
  CHECK(c, server_flow(&p, NNRP_FLOW_PAUSE, UINT16_MAX, 7) == 1, "PAUSE epoch 7: applied");
  CHECK(c, window_of(p.c.conn).paused && window_of(p.s.conn).paused,
        "both engines see the session paused");
  CHECK(c, nnrp_conn_can_submit(p.c.conn, p.now) == NNRP_ERR_FLOW_PAUSED,
        "no submission while paused (FLOW_PAUSED)");
  CHECK(c, server_flow(&p, NNRP_FLOW_RESUME, UINT16_MAX, 8) == 1, "RESUME epoch 8: applied");
  CHECK(c, !window_of(p.c.conn).paused && nnrp_conn_can_submit(p.c.conn, p.now) == 0,
        "submission allowed again after RESUME (session 4.3)");
  cpair_close(&p);
}

void conf_l1_hint_session(conf_case *c) {
  cpair p;
  if (!open_pair(c, &p)) return;
  uint32_t f1 = cpair_submit(&p, 0), f2 = cpair_submit(&p, 0);
  cpair_flush(&p);
  nnrp_window_info w0 = window_of(p.c.conn);
  nnrp_result_hint_meta h;
  memset(&h, 0, sizeof h);
  h.applied_budget_policy = 2, h.congestion_state = 1;
  h.reason = NNRP_DROP_SERVER_BUSY, h.retry_after_ms = 30;
  conf_check_rc(c, nnrp_conn_send_hint(p.s.conn, f1, 0, &h, p.now), 0,
                "server sends RESULT_HINT server_busy for frame 1");
  cpair_flush(&p);
  CHECK(c, p.c.hint_count == 1, "the hint is surfaced to the client host");
  CHECK(c, nnrp_conn_in_flight(p.c.conn) == 2 && p.c.outcome_count == 0,
        "no state change: both frames still in flight, none ended (session 4.5)");
  CHECK(c, window_of(p.c.conn).window == w0.window, "the send window is unchanged");
  CHECK(c, nnrp_conn_state(p.c.conn) == NNRP_STATE_ACTIVE, "the session stays ACTIVE");
  conf_check_rc(c, nnrp_conn_send_drop(p.s.conn, f1, 0, NNRP_DROP_UNKNOWN, 0, p.now), 0,
                "server drops frame 1 (RESULT_DROP)");
  conf_check_rc(c, nnrp_conn_send_drop(p.s.conn, f2, 0, NNRP_DROP_UNKNOWN, 0, p.now), 0,
                "server drops frame 2, no hint before it");
  cpair_flush(&p);
  const nnrp_frame_outcome *o1 = cpair_outcome(&p.c, f1), *o2 = cpair_outcome(&p.c, f2);
  CHECK(c, o1 && o1->outcome == NNRP_OUTCOME_DROPPED && o1->reason == NNRP_DROP_SERVER_BUSY &&
               o1->has_hint && o1->hint.retry_after_ms == 30,
        "frame 1 ends DROPPED labelled server_busy by its hint, retry_after 30 ms (session 4.6)");
  CHECK(c, o2 && o2->outcome == NNRP_OUTCOME_DROPPED && o2->reason == NNRP_DROP_UNKNOWN &&
               !o2->has_hint,
        "frame 2 ends DROPPED with reason unknown (no hint)");
  cpair_close(&p);
}

static nnrp_cache_put_meta put_meta(uint32_t lo, uint32_t kind) {
  nnrp_cache_put_meta m;
  memset(&m, 0, sizeof m);
  m.cache_namespace = 1, m.cache_key_hi = 0xAB, m.cache_key_lo = lo;
  m.object_kind = kind, m.ttl_ms = 60000, m.codec_bitmap = 0x1;
  return m;
}

static nnrp_object_ref ref_of(uint32_t lo, uint16_t kind) {
  nnrp_object_ref r;
  memset(&r, 0, sizeof r);
  r.object_kind = kind, r.cache_namespace = 1, r.cache_key_hi = 0xAB, r.cache_key_lo = lo;
  return r;
}

/* `from` installs an object in the peer's cache: the ACK status, -1 when no ACK came. */
static int install(cpair *p, cpair_side *from, nnrp_cache_put_meta m, const void *obj, size_t n) {
  size_t acks = from->ack_count;
  nnrp_vec v = {obj, n};
  if (nnrp_conn_cache_put(from->conn, &m, v, p->now) != 0) return -1;
  cpair_flush(p);
  return from->ack_count == acks + 1 ? (int)from->last_ack.status : -1;
}

/* A REFERENCE frame naming a tile index in the server's cache; its id. */
static uint32_t submit_ref(cpair *p, const nnrp_object_ref *tiles) {
  static const uint16_t ids[2] = {0, 1};
  nnrp_frame_submit_input in;
  nnrp_frame_submit_input_init(&in);
  in.src_width = in.src_height = 64;
  in.tile_width = in.tile_height = 32;
  in.tile_ids = ids, in.tile_id_count = 2;
  in.submit_mode = NNRP_SUBMIT_REFERENCE;
  in.tile_index_reference = tiles;
  in.object_ref_mask = NNRP_REF_TILE_INDEX_BLOCK;
  uint32_t id = 0;
  return nnrp_conn_submit(p->c.conn, &in, 0, NULL, &id, p->now) == 0 ? id : 0;
}

void conf_l1_cache_session(conf_case *c) {
  cpair p;
  if (!open_pair(c, &p)) return;
  p.auto_reply = 1;
  static const uint8_t tix[4] = {0, 0, 1, 0}, tix2[4] = {0, 0, 2, 0};
  static uint8_t big[5000];
  nnrp_object_ref k1 = ref_of(1, NNRP_OBJECT_TILE_INDEX_BLOCK);
  nnrp_vec got = {NULL, 0};
  CHECK(c, install(&p, &p.c, put_meta(1, NNRP_OBJECT_TILE_INDEX_BLOCK), tix, 4) ==
               NNRP_CACHE_ACCEPTED,
        "CACHE_PUT of a tile index -> CACHE_ACK accepted");
  CHECK(c, nnrp_conn_cache_lookup(p.s.conn, &k1, p.now, &got) == 0 && got.len == 4 &&
               memcmp(got.base, tix, 4) == 0,
        "the holder's cache has the object bytes");
  uint32_t id = submit_ref(&p, &k1);
  cpair_flush(&p);
  const nnrp_frame_outcome *o = cpair_outcome(&p.c, id);
  CHECK(c, id && o && o->outcome == NNRP_OUTCOME_DELIVERED && p.s.sent[NNRP_MSG_ERROR] == 0,
        "a FRAME_SUBMIT referencing the key is admitted and answered");
  CHECK(c, install(&p, &p.c, put_meta(1, NNRP_OBJECT_TILE_INDEX_BLOCK), tix2, 4) ==
               NNRP_CACHE_REPLACED,
        "a second PUT of the same key -> CACHE_ACK replaced");
  CHECK(c, nnrp_conn_cache_lookup(p.s.conn, &k1, p.now, &got) == 0 && got.len == 4 &&
               memcmp(got.base, tix2, 4) == 0,
        "the key now resolves to the new bytes");
  CHECK(c, install(&p, &p.c, put_meta(2, NNRP_OBJECT_TILE_INDEX_BLOCK), big, sizeof big) ==
                   NNRP_CACHE_REJECTED &&
               p.c.last_ack.detail_code == NNRP_ERROR_CODE_LIMIT_EXCEEDED,
        "an object beyond max_cache_bytes -> rejected, detail limit_exceeded");
  nnrp_cache_invalidate_meta inv = {NNRP_CACHE_SCOPE_OBJECT_KEY, 1, 0xAB, 1, 7};
  size_t acks = p.c.ack_count;
  conf_check_rc(c, nnrp_conn_cache_invalidate(p.c.conn, &inv, p.now), 0,
                "CACHE_INVALIDATE of the key");
  cpair_flush(&p);
  CHECK(c, p.c.ack_count == acks + 1 && p.c.last_ack.status == NNRP_CACHE_ACCEPTED,
        "the invalidation is acknowledged");
  CHECK(c, nnrp_conn_cache_lookup(p.s.conn, &k1, p.now, &got) == NNRP_ERR_CACHE_MISS,
        "the key is gone from the holder's cache");
  size_t errors = p.s.sent[NNRP_MSG_ERROR];
  id = submit_ref(&p, &k1);
  cpair_flush(&p);
  o = cpair_outcome(&p.c, id);
  CHECK(c, p.s.sent[NNRP_MSG_ERROR] == errors + 1 &&
               p.s.last_error_sent.error_code == NNRP_ERROR_CODE_CACHE_MISS,
        "a reference to the invalidated key -> ERROR cache_miss (session 5)");
  CHECK(c, o && o->outcome == NNRP_OUTCOME_REJECTED && o->error_code == NNRP_ERROR_CODE_CACHE_MISS,
        "the client host sees the frame REJECTED with cache_miss");
  CHECK(c, nnrp_conn_state(p.s.conn) == NNRP_STATE_ACTIVE, "the session stays ACTIVE");
  cpair_close(&p);
}

/* Deliver one result; the client host's record of it, or NULL. */
static const cpair_result *deliver(cpair *p, const nnrp_result_push_input *r) {
  if (nnrp_conn_send_result(p->s.conn, r, 0, p->now) != 0) return NULL;
  cpair_flush(p);
  return cpair_result_of(&p->c, r->packet.frame_id);
}

static void result_input(nnrp_result_push_input *in, uint32_t frame_id) {
  nnrp_result_push_input_init(in);
  in->packet.frame_id = frame_id;
}

void conf_l1_result_session(conf_case *c) {
  cpair p;
  if (!open_pair(c, &p)) return;
  const uint8_t consent = NNRP_BUDGET_ALLOW_PARTIAL | NNRP_BUDGET_ALLOW_STALE_REUSE;
  uint32_t f1 = cpair_submit(&p, consent), f2 = cpair_submit(&p, consent);
  uint32_t f3 = cpair_submit(&p, consent);
  cpair_flush(&p);
  static const uint16_t ids[4] = {2, 5, 9, 30};
  nnrp_result_push_input r;
  result_input(&r, f2);
  r.tile_ids = ids, r.tile_id_count = 4;
  r.result_class = NNRP_RESULT_PARTIAL, r.result_flags = NNRP_RESULT_FLAG_PARTIAL;
  r.applied_budget_policy = NNRP_BUDGET_ALLOW_PARTIAL;
  r.covered_tile_count = 3, r.dropped_tile_count = 1;
  const cpair_result *x = deliver(&p, &r);
  CHECK(c, x && x->meta.result_class == NNRP_RESULT_PARTIAL && x->meta.covered_tile_count == 3 &&
               x->meta.dropped_tile_count == 1 && x->policy_violation == 0,
        "partial result (out of order): the host sees class partial, coverage 3 + 1 dropped");
  result_input(&r, f1);
  x = deliver(&p, &r);
  CHECK(c, x && x->meta.result_class == NNRP_RESULT_COMPLETE, "complete result delivered");
  result_input(&r, f3);
  r.result_class = NNRP_RESULT_STALE_REUSE, r.result_flags = NNRP_RESULT_FLAG_STALE;
  r.applied_budget_policy = NNRP_BUDGET_ALLOW_STALE_REUSE;
  r.reused_frame_id = f1;
  x = deliver(&p, &r);
  CHECK(c, x && x->meta.result_class == NNRP_RESULT_STALE_REUSE && x->meta.reused_frame_id == f1,
        "stale-reuse result: the host sees class stale_reuse and reused_frame_id (session 6)");
  const nnrp_frame_outcome *o = cpair_outcome(&p.c, f3);
  CHECK(c, o && o->outcome == NNRP_OUTCOME_DELIVERED && o->result_class == NNRP_RESULT_STALE_REUSE,
        "the frame ends DELIVERED with its class");
  CHECK(c, nnrp_conn_in_flight(p.c.conn) == 0, "every frame ended exactly once");
  cpair_close(&p);
}

void conf_l1_reference_session(conf_case *c) {
  /* The library's default cache limits: every object kind, result-side ones included. */
  nnrp_settings st, lib;
  cpair_settings(&st);
  nnrp_settings_default(&lib, NNRP_ROLE_CLIENT);
  st.server.cache_object_bitmap = lib.server.cache_object_bitmap;
  st.server.max_cache_entries = lib.server.max_cache_entries;
  st.server.max_cache_bytes = lib.server.max_cache_bytes;
  cpair p;
  if (!open_pair_with(c, &p, &st)) return;
  static const uint8_t obj[24] = "reusable result object";
  nnrp_object_ref r50 = ref_of(50, NNRP_OBJECT_REUSABLE_RESULT_OBJECT);
  CHECK(c, install(&p, &p.s, put_meta(50, NNRP_OBJECT_REUSABLE_RESULT_OBJECT), obj, 24) ==
               NNRP_CACHE_ACCEPTED,
        "the server installs a reusable result object in the client's cache");
  uint32_t f1 = cpair_submit(&p, 0), f2 = cpair_submit(&p, 0), f3 = cpair_submit(&p, 0);
  cpair_flush(&p);
  nnrp_result_push_input r;
  result_input(&r, f1);
  r.references = &r50, r.reference_count = 1;
  const cpair_result *x = deliver(&p, &r);
  CHECK(c, x && x->object_count == 1 && x->object_len == 24 && memcmp(x->object, obj, 16) == 0,
        "a result referencing the key: the host gets the object's bytes resolved");
  nnrp_object_ref missing = ref_of(99, NNRP_OBJECT_REUSABLE_RESULT_OBJECT);
  result_input(&r, f2);
  r.references = &missing, r.reference_count = 1;
  size_t errors = p.c.sent[NNRP_MSG_ERROR];
  CHECK(c, deliver(&p, &r) == NULL, "a reference to an unknown key is not delivered");
  CHECK(c, p.c.sent[NNRP_MSG_ERROR] == errors + 1 &&
               p.c.last_error_sent.error_code == NNRP_ERROR_CODE_CACHE_MISS,
        "the client answers ERROR cache_miss (session 5.5)");
  const nnrp_frame_outcome *o = cpair_outcome(&p.c, f2);
  CHECK(c, o && o->outcome == NNRP_OUTCOME_DROPPED && o->local_error == NNRP_ERR_CACHE_MISS,
        "the frame ends DROPPED for the host, never a silent fallback");
  nnrp_cache_invalidate_meta inv = {NNRP_CACHE_SCOPE_OBJECT_KEY, 1, 0xAB, 50, 0};
  conf_check_rc(c, nnrp_conn_cache_invalidate(p.s.conn, &inv, p.now), 0,
                "the installer invalidates the key");
  cpair_flush(&p);
  result_input(&r, f3);
  r.references = &r50, r.reference_count = 1;
  CHECK(c, deliver(&p, &r) == NULL && cpair_outcome(&p.c, f3) &&
               cpair_outcome(&p.c, f3)->outcome == NNRP_OUTCOME_DROPPED,
        "after the invalidation the key no longer resolves");
  CHECK(c, nnrp_conn_state(p.c.conn) == NNRP_STATE_ACTIVE, "the session stays ACTIVE");
  cpair_close(&p);
}

void conf_l1_degraded_session(conf_case *c) {
  cpair p;
  if (!open_pair(c, &p)) return;
  uint32_t a = cpair_submit(&p, NNRP_BUDGET_ALLOW_DEGRADED);
  uint32_t b = cpair_submit(&p, NNRP_BUDGET_ALLOW_DEGRADED), d = cpair_submit(&p, 0);
  cpair_flush(&p);
  nnrp_result_push_input r;
  result_input(&r, a);
  r.result_class = NNRP_RESULT_DEGRADED, r.result_flags = NNRP_RESULT_FLAG_FALLBACK;
  r.applied_budget_policy = NNRP_BUDGET_ALLOW_DEGRADED;
  r.status_code = 1;
  const cpair_result *x = deliver(&p, &r);
  CHECK(c, x && x->meta.result_class == NNRP_RESULT_DEGRADED &&
               x->meta.result_flags == NNRP_RESULT_FLAG_FALLBACK && x->policy_violation == 0,
        "degraded result with consent: delivered to the host as displayable, class degraded");
  const nnrp_frame_outcome *o = cpair_outcome(&p.c, a);
  CHECK(c, o && o->outcome == NNRP_OUTCOME_DELIVERED, "its frame ends DELIVERED");
  conf_check_rc(c, nnrp_conn_send_drop(p.s.conn, b, 0, NNRP_DROP_UNKNOWN, 0, p.now), 0,
                "server drops the second frame");
  cpair_flush(&p);
  o = cpair_outcome(&p.c, b);
  CHECK(c, o && o->outcome == NNRP_OUTCOME_DROPPED && !cpair_result_of(&p.c, b),
        "RESULT_DROP: nothing displayable, outcome DROPPED, distinct from degraded (session 6.1)");
  result_input(&r, d);
  r.result_class = NNRP_RESULT_DEGRADED, r.applied_budget_policy = NNRP_BUDGET_ALLOW_DEGRADED;
  conf_check_rc(c, nnrp_conn_send_result(p.s.conn, &r, 0, p.now), NNRP_ERR_BUDGET_POLICY,
                "degraded without the frame's allow_degraded: refused by the server engine");
  cpair_close(&p);
}
