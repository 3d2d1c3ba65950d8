/*
 * Session engine: control traffic of an ACTIVE session — flow control (session §4), result
 * hints, SESSION_PATCH (§2.5), the object cache in both directions (§5), PING/PONG (§2.7),
 * ERROR handling (§2.6) and the close procedure (§2.3).
 */
#include "conn_pair.h"
#include "test.h"

static int start(conn_pair *p, uint16_t frames) {
  nnrp_settings cs, ss;
  nnrp_settings_default(&cs, NNRP_ROLE_CLIENT);
  nnrp_settings_default(&ss, NNRP_ROLE_SERVER);
  ss.server.max_concurrent_frames = frames;
  cs.client.hello.max_lane_count = 4;
  ss.server.max_lane_count = 4;
  if (pair_init(p, &cs, &ss) < 0) return -1;
  return pair_handshake(p);
}

static int submit(conn_pair *p, uint32_t *id) {
  nnrp_frame_submit_input in;
  pair_submit_input(&in);
  return nnrp_conn_submit(p->c.conn, &in, 0, NULL, id, p->now);
}

static void check_last_error(const pair_side *side, uint32_t code, uint32_t scope) {
  long i = pair_last_sent(side, NNRP_MSG_ERROR);
  CHECK(i >= 0);
  nnrp_packet e;
  if (i < 0 || pair_sent_packet(side, i, &e) != 0) return;
  CHECK_EQ(e.meta.error.error_code, code);
  CHECK_EQ(e.meta.error.error_scope, scope);
}

/* ---- flow control ---------------------------------------------------------------------------- */

static void flow_credit_pause_resume(void) {
  conn_pair p;
  CHECK_RC(start(&p, 8), 0);
  nnrp_flow_update_meta m;
  memset(&m, 0, sizeof(m));
  m.scope_kind = NNRP_FLOW_SCOPE_SESSION;
  m.update_reason = NNRP_FLOW_REDUCE;
  m.session_credit = 2;
  m.flags = NNRP_FLOW_CREDIT_VALID;
  CHECK_RC(nnrp_conn_send_flow_update(p.s.conn, &m, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(p.c.flow_updates, 1);
  CHECK_EQ(p.c.flow_applied, 1);
  CHECK_EQ(p.c.last_flow.credit_epoch, 1); /* epochs are allocated by the engine */
  nnrp_window_info w;
  nnrp_conn_window(p.c.conn, &w);
  CHECK_EQ(w.window, 2);
  CHECK_EQ(w.session_epoch, 1);
  CHECK_RC(submit(&p, NULL), 0);
  CHECK_RC(submit(&p, NULL), 0);
  CHECK_RC(submit(&p, NULL), NNRP_ERR_WOULD_BLOCK);
  pair_flush(&p);
  /* Pause blocks even below the credit; resume lifts it. */
  memset(&m, 0, sizeof(m));
  m.scope_kind = NNRP_FLOW_SCOPE_SESSION;
  m.update_reason = NNRP_FLOW_PAUSE;
  m.backpressure_level = NNRP_BACKPRESSURE_HARD;
  CHECK_RC(nnrp_conn_send_flow_update(p.s.conn, &m, p.now), 0);
  memset(&m, 0, sizeof(m));
  m.scope_kind = NNRP_FLOW_SCOPE_SESSION;
  m.update_reason = NNRP_FLOW_GRANT;
  m.session_credit = 8;
  m.flags = NNRP_FLOW_CREDIT_VALID;
  m.credit_epoch = 1; /* stale: not applied */
  CHECK_RC(nnrp_conn_send_flow_update(p.s.conn, &m, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(p.c.flow_updates, 3);
  CHECK_EQ(p.c.flow_applied, 2);
  CHECK_EQ(nnrp_conn_counters_get(p.c.conn)->flow_updates_stale, 1);
  CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), NNRP_ERR_FLOW_PAUSED);
  nnrp_conn_window(p.c.conn, &w);
  CHECK(w.paused);
  CHECK_EQ(w.backpressure, NNRP_BACKPRESSURE_HARD);
  memset(&m, 0, sizeof(m));
  m.scope_kind = NNRP_FLOW_SCOPE_SESSION;
  m.update_reason = NNRP_FLOW_RESUME;
  m.session_credit = 8;
  m.flags = NNRP_FLOW_CREDIT_VALID;
  CHECK_RC(nnrp_conn_send_flow_update(p.s.conn, &m, p.now), 0);
  pair_flush(&p);
  CHECK_RC(submit(&p, NULL), 0);
  nnrp_conn_window(p.c.conn, &w);
  CHECK_EQ(w.window, 8);
  CHECK_EQ(w.in_flight, 3);
  pair_free(&p);
}

static void flow_retry_after_wait(void) {
  conn_pair p;
  CHECK_RC(start(&p, 8), 0);
  nnrp_flow_update_meta m;
  memset(&m, 0, sizeof(m));
  m.scope_kind = NNRP_FLOW_SCOPE_SESSION;
  m.update_reason = NNRP_FLOW_CONGESTION;
  m.retry_after_ms = 30;
  m.flags = NNRP_FLOW_RETRY_AFTER_VALID;
  CHECK_RC(nnrp_conn_send_flow_update(p.s.conn, &m, p.now), 0);
  pair_flush(&p);
  CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), NNRP_ERR_FLOW_RETRY_WAIT);
  CHECK_EQ(nnrp_conn_expiry(p.c.conn), p.now + 30000);
  pair_advance(&p, 30000);
  CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), 0);
  pair_free(&p);
}

static void flow_connection_scope_binding(void) {
  conn_pair p;
  CHECK_RC(start(&p, 8), 0);
  /* Connection scope travels with header session id 0 and is accepted. */
  nnrp_flow_update_meta m;
  memset(&m, 0, sizeof(m));
  m.scope_kind = NNRP_FLOW_SCOPE_CONNECTION;
  m.update_reason = NNRP_FLOW_REDUCE;
  m.connection_credit = 3;
  m.flags = NNRP_FLOW_CREDIT_VALID;
  CHECK_RC(nnrp_conn_send_flow_update(p.s.conn, &m, p.now), 0);
  pair_flush(&p);
  nnrp_packet f;
  CHECK_RC(pair_sent_packet(&p.s, pair_last_sent(&p.s, NNRP_MSG_FLOW_UPDATE), &f), 0);
  CHECK_EQ(f.header.session_id, 0);
  nnrp_window_info w;
  nnrp_conn_window(p.c.conn, &w);
  CHECK_EQ(w.window, 3);
  /* A session-scope update naming another session: invalid_state, session scope. */
  nnrp_packet_params pp;
  memset(&pp, 0, sizeof(pp));
  pp.session_id = 9;
  m.scope_kind = NNRP_FLOW_SCOPE_SESSION;
  m.connection_credit = 0;
  m.session_credit = 1;
  m.credit_epoch = 5;
  uint8_t buf[128];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_flow_update(&pp, &m, &s), 0);
  pair_clear_sent(&p);
  pair_inject(&p, &p.c, buf, s.len);
  pair_pump(&p, &p.c, &p.s);
  check_last_error(&p.c, NNRP_ERROR_CODE_INVALID_STATE, NNRP_SCOPE_SESSION);
  nnrp_conn_window(p.c.conn, &w);
  CHECK_EQ(w.window, 3);
  /* The client's FLOW_UPDATE is advisory for the server host. */
  memset(&m, 0, sizeof(m));
  m.scope_kind = NNRP_FLOW_SCOPE_SESSION;
  m.update_reason = NNRP_FLOW_PAUSE;
  CHECK_RC(nnrp_conn_send_flow_update(p.c.conn, &m, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(p.s.flow_updates, 1);
  pair_free(&p);
}

static void grant_on_handshake(void) {
  nnrp_settings ss;
  nnrp_settings_default(&ss, NNRP_ROLE_SERVER);
  ss.server.max_concurrent_frames = 5;
  ss.server.grant_on_handshake = 1;
  conn_pair p;
  CHECK_RC(pair_init(&p, NULL, &ss), 0);
  CHECK_RC(pair_handshake(&p), 0);
  CHECK_EQ(p.s.sent_count, 2);
  CHECK_EQ(p.s.sent[1].type, NNRP_MSG_FLOW_UPDATE);
  CHECK_EQ(p.c.flow_applied, 1);
  CHECK_EQ(p.c.last_flow.session_credit, 5);
  pair_free(&p);
}

static void server_busy_pauses_and_rejects(void) {
  conn_pair p;
  CHECK_RC(start(&p, 8), 0);
  CHECK_RC(nnrp_conn_set_busy(p.s.conn, 1, 200, p.now), 0);
  pair_flush(&p);
  CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), NNRP_ERR_FLOW_PAUSED);
  /* A submit that arrives anyway: RESULT_HINT server_busy + ERROR server_busy. */
  nnrp_frame_submit_input in;
  pair_submit_input(&in);
  in.packet.session_id = 1;
  in.packet.frame_id = 1;
  uint8_t buf[256];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_frame_submit(&in, &s), 0);
  pair_clear_sent(&p);
  pair_inject(&p, &p.s, buf, s.len);
  pair_pump(&p, &p.s, &p.c);
  CHECK_EQ(p.s.sent_count, 2);
  nnrp_packet h;
  CHECK_RC(pair_sent_packet(&p.s, 0, &h), 0);
  CHECK_EQ(h.meta.result_hint.reason, 2);
  CHECK_EQ(h.meta.result_hint.retry_after_ms, 200);
  check_last_error(&p.s, NNRP_ERROR_CODE_SERVER_BUSY, NNRP_SCOPE_FRAME);
  CHECK_RC(nnrp_conn_set_busy(p.s.conn, 0, 0, p.now), 0);
  pair_flush(&p);
  /* Resume lifts the pause; the retry-after wait of the pause still runs (§4.2). */
  CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), NNRP_ERR_FLOW_RETRY_WAIT);
  pair_advance(&p, 200000);
  CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), 0);
  pair_free(&p);
}

static void session_hint(void) {
  conn_pair p;
  CHECK_RC(start(&p, 8), 0);
  nnrp_result_hint_meta m, got;
  CHECK_RC(nnrp_conn_session_hint(p.c.conn, &got), NNRP_ERR_FRAME_UNKNOWN);
  memset(&m, 0, sizeof(m));
  m.congestion_state = 3;
  m.reason = 2;
  m.retry_after_ms = 40;
  CHECK_RC(nnrp_conn_send_hint(p.s.conn, 0, 0, &m, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(p.c.hints, 1);
  CHECK_RC(nnrp_conn_session_hint(p.c.conn, &got), 0);
  CHECK_EQ(got.congestion_state, 3);
  CHECK_EQ(got.retry_after_ms, 40);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_ACTIVE);
  CHECK_RC(nnrp_conn_send_hint(p.c.conn, 0, 0, &m, p.now), NNRP_ERR_UNSUPPORTED);
  pair_free(&p);
}

/* ---- SESSION_PATCH --------------------------------------------------------------------------- */

static void patch_roundtrip(void) {
  conn_pair p;
  CHECK_RC(start(&p, 8), 0);
  nnrp_session_patch_meta m;
  memset(&m, 0, sizeof(m));
  m.patch_mask = NNRP_PATCH_QUALITY_TIER | NNRP_PATCH_ACTIVE_LANE_MASK;
  m.quality_tier = 3;
  m.active_lane_mask = 0x1; /* only lane 0 stays active */
  CHECK_RC(nnrp_conn_patch(p.c.conn, &m, NULL, 55, p.now), 0);
  CHECK_RC(nnrp_conn_patch(p.c.conn, &m, NULL, 56, p.now), NNRP_ERR_PATCH_PENDING);
  pair_flush(&p);
  CHECK_EQ(p.s.patches_handled, 1);
  CHECK_EQ(p.c.patch_acks, 1);
  CHECK_EQ(p.c.last_patch_error, 0);
  CHECK_EQ(p.c.last_patch_ack.ack_status, NNRP_PATCH_ACCEPTED);
  CHECK_EQ(p.c.last_patch_ack.applied_patch_mask, m.patch_mask);
  CHECK_EQ(p.c.last_patch_ack.effective_quality_tier, 3);
  CHECK_EQ(p.c.last_patch_ack.effective_lane_mask, 1);
  nnrp_packet a;
  CHECK_RC(pair_sent_packet(&p.s, pair_last_sent(&p.s, NNRP_MSG_SESSION_PATCH_ACK), &a), 0);
  CHECK_EQ(a.header.trace_id, 55);
  /* The lane mask now limits submissions on both sides. */
  nnrp_frame_submit_input in;
  pair_submit_input(&in);
  in.packet.view_id = 1;
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, NULL, p.now), NNRP_ERR_VIEW_ID);
  /* An unsolicited ACK: invalid_state, session scope. */
  uint8_t copy[256];
  memcpy(copy, a.metadata.base - 40, a.packet_len);
  pair_clear_sent(&p);
  pair_inject(&p, &p.c, copy, a.packet_len);
  pair_pump(&p, &p.c, &p.s);
  check_last_error(&p.c, NNRP_ERROR_CODE_INVALID_STATE, NNRP_SCOPE_SESSION);
  pair_free(&p);
}

static void patch_rejected_when_busy_and_failed_by_error(void) {
  conn_pair p;
  CHECK_RC(start(&p, 8), 0);
  CHECK_RC(nnrp_conn_set_busy(p.s.conn, 1, 300, p.now), 0);
  nnrp_session_patch_meta m;
  memset(&m, 0, sizeof(m));
  m.patch_mask = NNRP_PATCH_TARGET_CADENCE;
  m.target_cadence_x100 = 3000;
  CHECK_RC(nnrp_conn_patch(p.c.conn, &m, NULL, 1, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(p.c.last_patch_ack.ack_status, NNRP_PATCH_REJECTED);
  CHECK_EQ(p.c.last_patch_ack.reject_reason, 5);
  CHECK_EQ(p.c.last_patch_ack.retry_after_ms, 300);
  /* A session-scope ERROR while a patch is pending fails it. */
  CHECK_RC(nnrp_conn_patch(p.c.conn, &m, NULL, 2, p.now), 0);
  nnrp_output o;
  while (nnrp_conn_output_peek(p.c.conn, &o) == 1) nnrp_conn_output_pop(p.c.conn);
  uint8_t buf[128];
  size_t n = pair_build_error(buf, sizeof(buf), 1, NNRP_ERROR_CODE_INVALID_STATE,
                              NNRP_SCOPE_SESSION, 0, 0, 0);
  pair_inject(&p, &p.c, buf, n);
  CHECK_EQ(p.c.patch_acks, 2);
  CHECK_EQ(p.c.last_patch_error, NNRP_ERR_PEER_ERROR);
  CHECK_RC(nnrp_conn_patch(p.c.conn, &m, NULL, 3, p.now), 0);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_ACTIVE);
  pair_free(&p);
}

/* ---- cache ----------------------------------------------------------------------------------- */

static nnrp_cache_put_meta put_meta(uint32_t ns, uint32_t lo, uint32_t kind, uint32_t ttl) {
  nnrp_cache_put_meta m;
  memset(&m, 0, sizeof(m));
  m.cache_namespace = ns;
  m.cache_key_hi = 0xAB;
  m.cache_key_lo = lo;
  m.object_kind = kind;
  m.ttl_ms = ttl;
  return m;
}

static void cache_lifecycle(void) {
  conn_pair p;
  CHECK_RC(start(&p, 8), 0);
  const uint8_t obj[6] = {1, 2, 3, 4, 5, 6};
  nnrp_vec v = {obj, 6};
  nnrp_cache_put_meta m = put_meta(1, 1, NNRP_OBJECT_CAMERA_BLOCK, 0);
  CHECK_RC(nnrp_conn_cache_put(p.c.conn, &m, v, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(p.s.cache_puts, 1);
  CHECK_EQ(p.c.last_cache_ack.status, NNRP_CACHE_ACCEPTED);
  /* The installer keeps its copy; the holder has it too. */
  nnrp_object_ref ref = {NNRP_OBJECT_CAMERA_BLOCK, 0, 1, 0xAB, 1};
  nnrp_vec got;
  CHECK_RC(nnrp_conn_cache_lookup(p.c.conn, &ref, p.now, &got), 0);
  CHECK_MEM(got.base, got.len, obj, 6);
  CHECK_RC(nnrp_conn_cache_lookup(p.s.conn, &ref, p.now, &got), 0);
  /* Same key again: replaced. */
  CHECK_RC(nnrp_conn_cache_put(p.c.conn, &m, v, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(p.c.last_cache_ack.status, NNRP_CACHE_REPLACED);
  /* Beyond the holder's byte limit (1 MiB default): rejected with limit_exceeded. */
  static uint8_t big[(1u << 20) + 1];
  nnrp_vec bv = {big, sizeof(big)};
  nnrp_cache_put_meta bm = put_meta(1, 2, NNRP_OBJECT_CAMERA_BLOCK, 0);
  CHECK_RC(nnrp_conn_cache_put(p.c.conn, &bm, bv, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(p.c.last_cache_ack.status, NNRP_CACHE_REJECTED);
  CHECK_EQ(p.c.last_cache_ack.detail_code, NNRP_ERROR_CODE_LIMIT_EXCEEDED);
  ref.cache_key_lo = 2;
  CHECK_RC(nnrp_conn_cache_lookup(p.c.conn, &ref, p.now, &got), NNRP_ERR_CACHE_MISS);
  /* Invalidate by namespace: gone on both sides, answered with CACHE_ACK. */
  nnrp_cache_invalidate_meta inv;
  memset(&inv, 0, sizeof(inv));
  inv.invalidate_scope = NNRP_CACHE_SCOPE_NAMESPACE;
  inv.cache_namespace = 1;
  CHECK_RC(nnrp_conn_cache_invalidate(p.c.conn, &inv, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(p.s.cache_invalidates, 1);
  CHECK_EQ(p.c.cache_acks, 4);
  ref.cache_key_lo = 1;
  CHECK_RC(nnrp_conn_cache_lookup(p.c.conn, &ref, p.now, &got), NNRP_ERR_CACHE_MISS);
  CHECK_RC(nnrp_conn_cache_lookup(p.s.conn, &ref, p.now, &got), NNRP_ERR_CACHE_MISS);
  pair_free(&p);
}

static void cache_ttl_expiry_notifies_installer(void) {
  conn_pair p;
  CHECK_RC(start(&p, 8), 0);
  const uint8_t obj[4] = {4, 3, 2, 1};
  nnrp_vec v = {obj, 4};
  nnrp_cache_put_meta m = put_meta(2, 9, NNRP_OBJECT_TILE_INDEX_BLOCK, 1000);
  CHECK_RC(nnrp_conn_cache_put(p.c.conn, &m, v, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(p.c.last_cache_ack.accepted_ttl_ms, 1000);
  CHECK(nnrp_conn_expiry(p.s.conn) <= p.now + 1000000);
  pair_clear_sent(&p);
  pair_advance(&p, 1000000);
  /* The holder drops it and sends a scope-3 CACHE_INVALIDATE; the installer answers. */
  CHECK_EQ(p.s.cache_expired, 1);
  long i = pair_last_sent(&p.s, NNRP_MSG_CACHE_INVALIDATE);
  CHECK(i >= 0);
  nnrp_packet k;
  CHECK_RC(pair_sent_packet(&p.s, i, &k), 0);
  CHECK_EQ(k.meta.cache_invalidate.invalidate_scope, NNRP_CACHE_SCOPE_OBJECT_KEY);
  CHECK_EQ(k.meta.cache_invalidate.cache_key_lo, 9);
  CHECK_EQ(p.c.cache_invalidates, 1);
  CHECK_EQ(p.s.cache_acks, 1);
  pair_free(&p);
}

static void result_side_reference_resolved_and_missed(void) {
  conn_pair p;
  CHECK_RC(start(&p, 8), 0);
  /* The server installs a result-side object in the client's cache. */
  const uint8_t obj[8] = {1, 1, 2, 3, 5, 8, 13, 21};
  nnrp_vec v = {obj, 8};
  nnrp_cache_put_meta m = put_meta(3, 4, NNRP_OBJECT_REUSABLE_RESULT_OBJECT, 0);
  CHECK_RC(nnrp_conn_cache_put(p.s.conn, &m, v, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(p.s.last_cache_ack.status, NNRP_CACHE_ACCEPTED);
  uint32_t a, b;
  CHECK_RC(submit(&p, &a), 0);
  CHECK_RC(submit(&p, &b), 0);
  pair_flush(&p);
  nnrp_object_ref refs[1] = {{NNRP_OBJECT_REUSABLE_RESULT_OBJECT, 0, 3, 0xAB, 4}};
  nnrp_result_push_input r;
  pair_result_input(&r, a, 0);
  r.references = refs;
  r.reference_count = 1;
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(p.c.result_count, 1);
  CHECK_EQ(p.c.results[0].object_count, 1);
  CHECK_MEM(p.c.results[0].first_object.base, p.c.results[0].first_object.len, obj, 8);
  /* A reference to a key the client does not hold: no silent fallback. */
  refs[0].cache_key_lo = 5;
  pair_result_input(&r, b, 0);
  r.references = refs;
  r.reference_count = 1;
  pair_clear_sent(&p);
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(p.c.result_count, 1);
  CHECK_EQ(p.c.outcomes[1].outcome, NNRP_OUTCOME_DROPPED);
  CHECK_EQ(p.c.outcomes[1].local_error, NNRP_ERR_CACHE_MISS);
  check_last_error(&p.c, NNRP_ERROR_CODE_CACHE_MISS, NNRP_SCOPE_FRAME);
  pair_free(&p);
}

/* ---- PING, ERROR, close ---------------------------------------------------------------------- */

static void ping_pong(void) {
  conn_pair p;
  CHECK_RC(start(&p, 8), 0);
  CHECK_RC(nnrp_conn_ping(p.c.conn, 0xFEED, p.now), 0);
  pair_pump(&p, &p.c, &p.s);
  p.now += 1234;
  pair_pump(&p, &p.s, &p.c);
  CHECK_EQ(p.c.pongs, 1);
  CHECK_EQ(p.c.last_rtt, 1234);
  nnrp_packet pong;
  CHECK_RC(pair_sent_packet(&p.s, -1, &pong), 0);
  CHECK_EQ(pong.header.msg_type, NNRP_MSG_PONG);
  CHECK_EQ(pong.header.trace_id, 0xFEED);
  CHECK_EQ(pong.header.session_id, 1);
  /* The server pings too; a PONG is never answered. */
  CHECK_RC(nnrp_conn_ping(p.s.conn, 1, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(p.s.pongs, 1);
  CHECK_EQ(pair_count_sent(&p.c, NNRP_MSG_PONG), 1);
  CHECK_EQ(pair_count_sent(&p.s, NNRP_MSG_PONG), 1);
  pair_free(&p);
}

static void keepalive_pings_when_idle(void) {
  nnrp_settings cs;
  nnrp_settings_default(&cs, NNRP_ROLE_CLIENT);
  cs.keepalive_ms = 1000;
  conn_pair p;
  CHECK_RC(pair_init(&p, &cs, NULL), 0);
  CHECK_RC(pair_handshake(&p), 0);
  CHECK_EQ(nnrp_conn_expiry(p.c.conn), p.now + 1000000);
  pair_advance(&p, 1000000);
  CHECK_EQ(pair_count_sent(&p.c, NNRP_MSG_PING), 1);
  CHECK_EQ(p.c.pongs, 1);
  pair_free(&p);
}

static void fatal_error_drains(void) {
  conn_pair p;
  CHECK_RC(start(&p, 8), 0);
  uint32_t id;
  CHECK_RC(submit(&p, &id), 0);
  pair_flush(&p);
  uint8_t buf[128];
  size_t n = pair_build_error(buf, sizeof(buf), 1, NNRP_ERROR_CODE_INTERNAL_ERROR,
                              NNRP_SCOPE_CONNECTION, 1, 0, 0);
  pair_inject(&p, &p.c, buf, n);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_DRAINING);
  CHECK_EQ(nnrp_conn_last_error_received(p.c.conn)->meta.error_code,
           NNRP_ERROR_CODE_INTERNAL_ERROR);
  CHECK_RC(submit(&p, NULL), NNRP_ERR_INVALID_STATE);
  /* The in-flight frame may still finish; then the client closes. */
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &(nnrp_result_push_input){0}, 0, p.now),
           NNRP_ERR_FRAME_UNKNOWN);
  nnrp_result_push_input r;
  pair_result_input(&r, id, 0);
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(p.c.result_count, 1);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(p.c.close_info.cause, NNRP_CLOSE_ERROR_RECEIVED);
  CHECK_EQ(pair_count_sent(&p.c, NNRP_MSG_CLOSE), 1);
  /* A non-fatal session ERROR keeps the session. */
  conn_pair q;
  CHECK_RC(start(&q, 8), 0);
  n = pair_build_error(buf, sizeof(buf), 1, NNRP_ERROR_CODE_LIMIT_EXCEEDED, NNRP_SCOPE_SESSION, 0,
                       0, 0);
  pair_inject(&q, &q.c, buf, n);
  CHECK_EQ(nnrp_conn_state(q.c.conn), NNRP_STATE_ACTIVE);
  CHECK_EQ(q.c.error_count, 1);
  pair_free(&q);
  pair_free(&p);
}

static void close_by_client(void) {
  conn_pair p;
  CHECK_RC(start(&p, 8), 0);
  uint32_t a, b;
  CHECK_RC(submit(&p, &a), 0);
  CHECK_RC(submit(&p, &b), 0);
  pair_flush(&p);
  const char *why = "bye";
  nnrp_vec reason = {(const uint8_t *)why, 3};
  CHECK_RC(nnrp_conn_close(p.c.conn, reason, p.now), 0);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_DRAINING);
  CHECK_RC(submit(&p, NULL), NNRP_ERR_INVALID_STATE);
  pair_flush(&p);
  /* The server drops every open frame, sends its own CLOSE and is done; so is the client. */
  CHECK_EQ(p.s.outcome_count, 2);
  CHECK_EQ(pair_count_sent(&p.s, NNRP_MSG_RESULT_DROP), 2);
  CHECK_EQ(pair_count_sent(&p.s, NNRP_MSG_CLOSE), 1);
  CHECK_EQ(pair_count_sent(&p.c, NNRP_MSG_CLOSE), 1);
  nnrp_packet cl;
  CHECK_RC(pair_sent_packet(&p.c, pair_last_sent(&p.c, NNRP_MSG_CLOSE), &cl), 0);
  CHECK_MEM(cl.body.base, cl.body.len, "bye", 3);
  CHECK_EQ(p.c.outcome_count, 2);
  CHECK_EQ(p.c.outcomes[0].outcome, NNRP_OUTCOME_DROPPED);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(p.c.close_info.cause, NNRP_CLOSE_LOCAL);
  CHECK_EQ(p.s.closed, 1);
  pair_free(&p);
}

static void close_by_server_waits_for_results(void) {
  conn_pair p;
  CHECK_RC(start(&p, 8), 0);
  CHECK_RC(submit(&p, NULL), 0);
  pair_flush(&p);
  nnrp_vec none = {NULL, 0};
  CHECK_RC(nnrp_conn_close(p.s.conn, none, p.now), 0);
  pair_flush(&p);
  /* The server dropped the frame; the client drained, answered CLOSE: both CLOSED. */
  CHECK_EQ(p.c.outcome_count, 1);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_CLOSED);
  pair_free(&p);
}

static void drain_timeout(void) {
  conn_pair p;
  CHECK_RC(start(&p, 8), 0);
  CHECK_RC(submit(&p, NULL), 0);
  pair_flush(&p);
  nnrp_vec none = {NULL, 0};
  CHECK_RC(nnrp_conn_close(p.c.conn, none, p.now), 0);
  /* The server never answers (its output is thrown away). */
  pair_pump(&p, &p.c, &p.s);
  nnrp_output o;
  while (nnrp_conn_output_peek(p.s.conn, &o) == 1) nnrp_conn_output_pop(p.s.conn);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_DRAINING);
  p.now += 5000000;
  CHECK_RC(nnrp_conn_handle_expiry(p.c.conn, p.now), 0);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(p.c.close_info.cause, NNRP_CLOSE_DRAIN_TIMEOUT);
  CHECK_EQ(p.c.outcome_count, 1);
  CHECK_EQ(p.c.outcomes[0].outcome, NNRP_OUTCOME_EXPIRED);
  CHECK_EQ(p.c.outcomes[0].cause, NNRP_CAUSE_SESSION_LOST);
  /* A second close in CLOSED. */
  CHECK_RC(nnrp_conn_close(p.c.conn, none, p.now), NNRP_ERR_CLOSED);
  pair_free(&p);
}

static void draining_acceptance(void) {
  conn_pair p;
  CHECK_RC(start(&p, 8), 0);
  CHECK_RC(submit(&p, NULL), 0);
  pair_flush(&p);
  nnrp_vec none = {NULL, 0};
  CHECK_RC(nnrp_conn_close(p.c.conn, none, p.now), 0);
  pair_pump(&p, &p.c, &p.s); /* the server is DRAINING now */
  nnrp_output o;
  while (nnrp_conn_output_peek(p.s.conn, &o) == 1) nnrp_conn_output_pop(p.s.conn);
  /* The server already received and sent CLOSE: it is CLOSED, inbound bytes are discarded. */
  CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_CLOSED);
  nnrp_frame_submit_input in;
  pair_submit_input(&in);
  in.packet.session_id = 1;
  in.packet.frame_id = 50;
  uint8_t buf[256];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_frame_submit(&in, &s), 0);
  pair_clear_sent(&p);
  pair_inject(&p, &p.s, buf, s.len);
  CHECK_EQ(nnrp_conn_output_pending(p.s.conn), 0);
  pair_free(&p);
}

int main(void) {
  RUN(flow_credit_pause_resume);
  RUN(flow_retry_after_wait);
  RUN(flow_connection_scope_binding);
  RUN(grant_on_handshake);
  RUN(server_busy_pauses_and_rejects);
  RUN(session_hint);
  RUN(patch_roundtrip);
  RUN(patch_rejected_when_busy_and_failed_by_error);
  RUN(cache_lifecycle);
  RUN(cache_ttl_expiry_notifies_installer);
  RUN(result_side_reference_resolved_and_missed);
  RUN(ping_pong);
  RUN(keepalive_pings_when_idle);
  RUN(fatal_error_drains);
  RUN(close_by_client);
  RUN(close_by_server_waits_for_results);
  RUN(drain_timeout);
  RUN(draining_acceptance);
  return TEST_REPORT();
}
