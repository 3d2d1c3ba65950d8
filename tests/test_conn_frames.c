/*
 * Session engine: frames (session §3, §4.6, §6) — many frames in flight with results out of
 * order in every transfer mode, exactly one terminal outcome per frame for each way a frame
 * can end, server admission rules, the server send API checks, no-copy submits.
 */
#include "conn_pair.h"
#include "test.h"

static int start(conn_pair *p, uint16_t frames, uint16_t lanes, pair_mode mode) {
  nnrp_settings cs, ss;
  nnrp_settings_default(&cs, NNRP_ROLE_CLIENT);
  nnrp_settings_default(&ss, NNRP_ROLE_SERVER);
  cs.client.hello.max_lane_count = lanes;
  ss.server.max_lane_count = lanes;
  ss.server.max_concurrent_frames = frames;
  if (pair_init(p, &cs, &ss) < 0) return -1;
  p->mode = mode;
  return pair_handshake(p);
}

static int submit(conn_pair *p, uint32_t frame_id, uint16_t view, uint16_t budget, uint32_t *id) {
  nnrp_frame_submit_input in;
  pair_submit_input(&in);
  in.packet.frame_id = frame_id;
  in.packet.view_id = view;
  in.latency_budget_ms = budget;
  return nnrp_conn_submit(p->c.conn, &in, 0, NULL, id, p->now);
}

static int result(conn_pair *p, uint32_t frame_id, uint16_t view) {
  nnrp_result_push_input in;
  pair_result_input(&in, frame_id, view);
  return nnrp_conn_send_result(p->s.conn, &in, 0, p->now);
}

/* A FRAME_SUBMIT built outside the client engine, for server-side admission tests. */
static size_t crafted_submit(uint8_t *buf, size_t cap, const nnrp_frame_submit_input *in) {
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, cap);
  CHECK_RC(nnrp_build_frame_submit(in, &s), 0);
  return s.len;
}

static void craft_input(nnrp_frame_submit_input *in, uint32_t session, uint32_t frame,
                        uint16_t view) {
  pair_submit_input(in);
  in->packet.session_id = session;
  in->packet.frame_id = frame;
  in->packet.view_id = view;
}

static void check_last_error(const pair_side *side, uint32_t code, uint32_t scope,
                             uint32_t frame_id) {
  long i = pair_last_sent(side, NNRP_MSG_ERROR);
  CHECK(i >= 0);
  nnrp_packet e;
  if (i < 0 || pair_sent_packet(side, i, &e) != 0) return;
  CHECK_EQ(e.meta.error.error_code, code);
  CHECK_EQ(e.meta.error.error_scope, scope);
  CHECK_EQ(e.meta.error.is_fatal, 0);
  CHECK_EQ(e.meta.error.related_frame_id, frame_id);
  if (scope == NNRP_SCOPE_FRAME) CHECK_EQ(e.header.frame_id, frame_id);
}

/* ---- many in flight, out of order ------------------------------------------------------------ */

static void out_of_order_in_mode(pair_mode mode) {
  conn_pair p;
  CHECK_RC(start(&p, 16, 1, mode), 0);
  uint32_t ids[16];
  for (int i = 0; i < 16; i++) CHECK_RC(submit(&p, 0, 0, 0, &ids[i]), 0);
  for (int i = 0; i < 16; i++) CHECK_EQ(ids[i], (uint32_t)i + 1);
  CHECK_RC(submit(&p, 0, 0, 0, NULL), NNRP_ERR_WOULD_BLOCK);
  CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), NNRP_ERR_WOULD_BLOCK);
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 16);
  pair_flush(&p);
  CHECK_EQ(p.s.submit_count, 16);
  CHECK_EQ(nnrp_conn_in_flight(p.s.conn), 16);
  /* Answer in a scrambled order, a few at a time. */
  static const int order[16] = {16, 3, 9, 1, 12, 2, 15, 8, 4, 11, 6, 14, 5, 10, 13, 7};
  for (int i = 0; i < 16; i++) {
    CHECK_RC(result(&p, (uint32_t)order[i], 0), 0);
    if (i % 5 == 4) pair_flush(&p);
  }
  pair_flush(&p);
  CHECK_EQ(p.c.result_count, 16);
  CHECK_EQ(p.c.outcome_count, 16);
  for (int i = 0; i < 16; i++) {
    CHECK_EQ(p.c.results[i].frame_id, (uint32_t)order[i]);
    CHECK_EQ(p.c.outcomes[i].frame_id, (uint32_t)order[i]);
    CHECK_EQ(p.c.outcomes[i].outcome, NNRP_OUTCOME_DELIVERED);
    CHECK_EQ(p.c.outcomes[i].result_class, NNRP_RESULT_COMPLETE);
  }
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 0);
  CHECK_EQ(nnrp_conn_in_flight(p.s.conn), 0);
  CHECK_EQ(p.s.outcome_count, 16);
  const nnrp_conn_counters *k = nnrp_conn_counters_get(p.c.conn);
  CHECK_EQ(k->frames_submitted, 16);
  CHECK_EQ(k->frames_delivered, 16);
  /* The window is free again. */
  CHECK_RC(submit(&p, 0, 0, 0, NULL), 0);
  pair_free(&p);
}

static void out_of_order_packets(void) {
  out_of_order_in_mode(PAIR_PACKETS);
}
static void out_of_order_stream(void) {
  out_of_order_in_mode(PAIR_STREAM);
}
static void out_of_order_bytes(void) {
  out_of_order_in_mode(PAIR_BYTES);
}
static void out_of_order_coalesced(void) {
  out_of_order_in_mode(PAIR_COALESCE);
}

static void frame_ids_and_views(void) {
  conn_pair p;
  CHECK_RC(start(&p, 8, 2, PAIR_PACKETS), 0);
  uint32_t id;
  CHECK_RC(submit(&p, 0, 0, 0, &id), 0);
  CHECK_EQ(id, 1);
  /* A multi-view frame reuses its id on another view. */
  CHECK_RC(submit(&p, 1, 1, 0, &id), 0);
  CHECK_RC(submit(&p, 1, 1, 0, NULL), NNRP_ERR_FRAME_ID); /* same key */
  CHECK_RC(submit(&p, 5, 0, 0, &id), 0);
  CHECK_EQ(id, 5);
  CHECK_RC(submit(&p, 4, 0, 0, NULL), NNRP_ERR_FRAME_ID); /* decreasing */
  CHECK_RC(submit(&p, 0, 2, 0, NULL), NNRP_ERR_VIEW_ID);  /* lanes 0..1 */
  CHECK_RC(submit(&p, 0, 0, 0, &id), 0);
  CHECK_EQ(id, 6);
  pair_flush(&p);
  CHECK_EQ(p.s.submit_count, 4);
  CHECK_EQ(p.s.submits[1].frame_id, 1);
  CHECK_EQ(p.s.submits[1].view_id, 1);
  CHECK_RC(result(&p, 1, 1), 0);
  CHECK_RC(result(&p, 1, 0), 0);
  pair_flush(&p);
  CHECK_EQ(p.c.result_count, 2);
  CHECK_EQ(p.c.results[0].view_id, 1);
  CHECK_EQ(p.c.results[1].view_id, 0);
  pair_free(&p);
}

/* ---- each terminal outcome ------------------------------------------------------------------- */

static void drop_labelled_by_hint(void) {
  conn_pair p;
  CHECK_RC(start(&p, 4, 1, PAIR_STREAM), 0);
  CHECK_RC(submit(&p, 0, 0, 0, NULL), 0);
  CHECK_RC(submit(&p, 0, 0, 0, NULL), 0);
  pair_flush(&p);
  pair_clear_sent(&p);
  CHECK_RC(nnrp_conn_send_drop(p.s.conn, 1, 0, NNRP_DROP_SUPERSEDED, 0, p.now), 0);
  CHECK_RC(nnrp_conn_send_drop(p.s.conn, 2, 0, NNRP_DROP_UNKNOWN, 0, p.now), 0);
  CHECK_RC(nnrp_conn_send_drop(p.s.conn, 2, 0, NNRP_DROP_UNKNOWN, 0, p.now),
           NNRP_ERR_FRAME_UNKNOWN);
  pair_flush(&p);
  /* Wire order: RESULT_HINT(superseded) for 1, RESULT_DROP 1, RESULT_DROP 2. */
  CHECK_EQ(p.s.sent_count, 3);
  CHECK_EQ(p.s.sent[0].type, NNRP_MSG_RESULT_HINT);
  CHECK_EQ(p.s.sent[1].type, NNRP_MSG_RESULT_DROP);
  CHECK_EQ(p.s.sent[2].type, NNRP_MSG_RESULT_DROP);
  nnrp_packet h;
  CHECK_RC(pair_sent_packet(&p.s, 0, &h), 0);
  CHECK_EQ(h.header.frame_id, 1);
  CHECK_EQ(h.meta.result_hint.reason, 4);
  CHECK_EQ(p.c.outcome_count, 2);
  CHECK_EQ(p.c.outcomes[0].outcome, NNRP_OUTCOME_DROPPED);
  CHECK_EQ(p.c.outcomes[0].reason, NNRP_DROP_SUPERSEDED);
  CHECK(p.c.outcomes[0].has_hint);
  CHECK_EQ(p.c.outcomes[1].outcome, NNRP_OUTCOME_DROPPED);
  CHECK_EQ(p.c.outcomes[1].reason, NNRP_DROP_UNKNOWN);
  CHECK_EQ(p.c.hints, 1);
  CHECK_EQ(p.c.last_hint_frame, 1);
  CHECK_EQ(p.s.outcome_count, 2);
  CHECK_EQ(p.s.outcomes[0].cause, NNRP_CAUSE_HOST);
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 0);
  CHECK_EQ(strcmp(nnrp_drop_reason_name(NNRP_DROP_SUPERSEDED), "superseded"), 0);
  pair_free(&p);
}

static void rejected_by_cache_miss(void) {
  conn_pair p;
  CHECK_RC(start(&p, 4, 1, PAIR_PACKETS), 0);
  nnrp_object_ref ref = {NNRP_OBJECT_CAMERA_BLOCK, 0, 1, 2, 3};
  nnrp_frame_submit_input in;
  pair_submit_input(&in);
  in.submit_mode = NNRP_SUBMIT_REFERENCE;
  in.object_ref_mask = NNRP_REF_CAMERA_BLOCK;
  in.camera_reference = &ref;
  uint32_t id;
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, &id, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(p.s.submit_count, 0);
  check_last_error(&p.s, NNRP_ERROR_CODE_CACHE_MISS, NNRP_SCOPE_FRAME, id);
  CHECK_EQ(p.c.outcome_count, 1);
  CHECK_EQ(p.c.outcomes[0].outcome, NNRP_OUTCOME_REJECTED);
  CHECK_EQ(p.c.outcomes[0].error_code, NNRP_ERROR_CODE_CACHE_MISS);
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 0);
  /* Install the object, then the same reference is admitted with the object resolved. */
  nnrp_cache_put_meta put;
  memset(&put, 0, sizeof(put));
  put.cache_namespace = 1, put.cache_key_hi = 2, put.cache_key_lo = 3;
  put.object_kind = NNRP_OBJECT_CAMERA_BLOCK;
  put.ttl_ms = 60000;
  const uint8_t cam[5] = {9, 8, 7, 6, 5};
  nnrp_vec obj = {cam, 5};
  CHECK_RC(nnrp_conn_cache_put(p.c.conn, &put, obj, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(p.c.cache_acks, 1);
  CHECK_EQ(p.c.last_cache_ack.status, NNRP_CACHE_ACCEPTED);
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, &id, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(p.s.submit_count, 1);
  CHECK_EQ(p.s.submits[0].object_count, 1);
  pair_free(&p);
}

static void cancel_then_drop(void) {
  conn_pair p;
  CHECK_RC(start(&p, 4, 1, PAIR_PACKETS), 0);
  int tag = 7;
  nnrp_frame_submit_input in;
  pair_submit_input(&in);
  uint32_t id;
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, &tag, &id, p.now), 0);
  pair_flush(&p);
  CHECK_RC(nnrp_conn_cancel(p.c.conn, id, 0, p.now), 0);
  /* CANCELLED is reported at once; the slot is still held. */
  CHECK_EQ(p.c.outcome_count, 1);
  CHECK_EQ(p.c.outcomes[0].outcome, NNRP_OUTCOME_CANCELLED);
  CHECK(p.c.outcomes[0].frame_user == &tag);
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 1);
  nnrp_frame_info fi;
  CHECK_RC(nnrp_conn_frame_info(p.c.conn, id, 0, &fi), 0);
  CHECK_EQ(fi.state, NNRP_FRAME_CANCELLED);
  CHECK_RC(nnrp_conn_cancel(p.c.conn, id, 0, p.now), NNRP_ERR_FRAME_UNKNOWN);
  pair_flush(&p);
  /* The server drops it (RESULT_DROP), which releases the slot without a second outcome. */
  CHECK_EQ(pair_count_sent(&p.s, NNRP_MSG_RESULT_DROP), 1);
  CHECK_EQ(p.s.outcome_count, 1);
  CHECK_EQ(p.s.outcomes[0].outcome, NNRP_OUTCOME_CANCELLED);
  CHECK_EQ(p.c.outcome_count, 1);
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 0);
  CHECK_EQ(nnrp_conn_counters_get(p.c.conn)->results_discarded, 1);
  pair_free(&p);
}

static void cancel_of_ready_frame_is_ignored(void) {
  conn_pair p;
  CHECK_RC(start(&p, 4, 1, PAIR_PACKETS), 0);
  uint32_t id;
  CHECK_RC(submit(&p, 0, 0, 0, &id), 0);
  pair_flush(&p);
  CHECK_RC(nnrp_conn_frame_ready(p.s.conn, id, 0), 0);
  CHECK_RC(nnrp_conn_cancel(p.c.conn, id, 0, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(pair_count_sent(&p.s, NNRP_MSG_RESULT_DROP), 0);
  CHECK_RC(result(&p, id, 0), 0);
  pair_flush(&p);
  /* The late result releases the slot; the host saw CANCELLED only. */
  CHECK_EQ(p.c.result_count, 0);
  CHECK_EQ(p.c.outcome_count, 1);
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 0);
  pair_free(&p);
}

static void local_deadline_and_hard_timeout(void) {
  conn_pair p;
  CHECK_RC(start(&p, 4, 1, PAIR_PACKETS), 0);
  uint32_t id;
  CHECK_RC(submit(&p, 0, 0, 50, &id), 0);
  /* The submit never reaches the server (kept in the queue). */
  CHECK_EQ(nnrp_conn_expiry(p.c.conn), p.now + 50000);
  p.now += 50000;
  CHECK_RC(nnrp_conn_handle_expiry(p.c.conn, p.now), 0);
  CHECK_EQ(p.c.outcome_count, 1);
  CHECK_EQ(p.c.outcomes[0].outcome, NNRP_OUTCOME_EXPIRED);
  CHECK_EQ(p.c.outcomes[0].cause, NNRP_CAUSE_DEADLINE);
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 1); /* slot held */
  CHECK_EQ(nnrp_conn_expiry(p.c.conn), p.now + 5000000);
  p.now += 5000000;
  CHECK_RC(nnrp_conn_handle_expiry(p.c.conn, p.now), 0);
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 0);
  CHECK_EQ(p.c.outcome_count, 1);
  /* A late result for the tombstoned key is discarded silently. */
  pair_flush(&p);
  pair_clear_sent(&p);
  CHECK_RC(result(&p, id, 0), 0);
  pair_flush(&p);
  CHECK_EQ(p.c.result_count, 0);
  CHECK_EQ(pair_count_sent(&p.c, NNRP_MSG_ERROR), 0);
  pair_free(&p);
}

static void default_budget_from_session(void) {
  conn_pair p;
  CHECK_RC(start(&p, 4, 1, PAIR_PACKETS), 0);
  /* Frame budget 0: the accepted session latency budget (100 ms by default). */
  uint32_t id;
  CHECK_RC(submit(&p, 0, 0, 0, &id), 0);
  nnrp_frame_info fi;
  CHECK_RC(nnrp_conn_frame_info(p.c.conn, id, 0, &fi), 0);
  CHECK_EQ(fi.deadline, p.now + 100000);
  pair_flush(&p);
  CHECK_EQ(p.s.submits[0].deadline, p.now + 100000);
  pair_free(&p);
}

static void server_deadline_drops(void) {
  conn_pair p;
  CHECK_RC(start(&p, 4, 1, PAIR_PACKETS), 0);
  uint32_t id;
  CHECK_RC(submit(&p, 0, 0, 20, &id), 0);
  pair_flush(&p);
  pair_clear_sent(&p);
  p.now += 20000;
  CHECK_RC(nnrp_conn_handle_expiry(p.s.conn, p.now), 0);
  CHECK_EQ(p.s.outcome_count, 1);
  CHECK_EQ(p.s.outcomes[0].outcome, NNRP_OUTCOME_EXPIRED);
  CHECK_EQ(p.s.outcomes[0].cause, NNRP_CAUSE_DEADLINE);
  pair_flush(&p);
  CHECK_EQ(p.s.sent_count, 2);
  nnrp_packet h;
  CHECK_RC(pair_sent_packet(&p.s, 0, &h), 0);
  CHECK_EQ(h.header.msg_type, NNRP_MSG_RESULT_HINT);
  CHECK_EQ(h.meta.result_hint.reason, 3);
  CHECK_EQ(h.meta.result_hint.applied_budget_policy, 4);
  CHECK_EQ(p.s.sent[1].type, NNRP_MSG_RESULT_DROP);
  /* The client's own deadline had not run: the drop arrives first, labelled. */
  CHECK_EQ(p.c.outcome_count, 1);
  CHECK_EQ(p.c.outcomes[0].outcome, NNRP_OUTCOME_DROPPED);
  CHECK_EQ(p.c.outcomes[0].reason, NNRP_DROP_BUDGET_EXCEEDED);
  CHECK_RC(result(&p, id, 0), NNRP_ERR_FRAME_UNKNOWN);
  pair_free(&p);
}

static void session_loss_expires_all(void) {
  conn_pair p;
  CHECK_RC(start(&p, 4, 1, PAIR_PACKETS), 0);
  for (int i = 0; i < 3; i++) CHECK_RC(submit(&p, 0, 0, 0, NULL), 0);
  pair_flush(&p);
  CHECK_RC(nnrp_conn_transport_closed(p.c.conn, nnrp_conn_path(p.c.conn), p.now), 0);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(p.c.close_info.cause, NNRP_CLOSE_TRANSPORT_LOST);
  CHECK_EQ(p.c.outcome_count, 3);
  for (int i = 0; i < 3; i++) {
    CHECK_EQ(p.c.outcomes[i].outcome, NNRP_OUTCOME_EXPIRED);
    CHECK_EQ(p.c.outcomes[i].cause, NNRP_CAUSE_SESSION_LOST);
  }
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 0);
  CHECK_RC(submit(&p, 0, 0, 0, NULL), NNRP_ERR_INVALID_STATE);
  pair_free(&p);
}

static void unknown_and_duplicate_results(void) {
  conn_pair p;
  CHECK_RC(start(&p, 4, 1, PAIR_PACKETS), 0);
  uint32_t id;
  CHECK_RC(submit(&p, 0, 0, 0, &id), 0);
  pair_flush(&p);
  CHECK_RC(result(&p, id, 0), 0);
  pair_flush(&p);
  pair_clear_sent(&p);
  /* A RESULT_DROP for a key never submitted: ERROR invalid_state, frame scope. */
  nnrp_packet_params pp;
  memset(&pp, 0, sizeof(pp));
  pp.session_id = 1;
  pp.frame_id = 99;
  uint8_t buf[64];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_result_drop(&pp, &s), 0);
  pair_inject(&p, &p.c, buf, s.len);
  pair_pump(&p, &p.c, &p.s);
  check_last_error(&p.c, NNRP_ERROR_CODE_INVALID_STATE, NNRP_SCOPE_FRAME, 99);
  CHECK_EQ(nnrp_conn_counters_get(p.c.conn)->results_unknown, 1);
  /* A second terminal message for the delivered key: discarded silently. */
  pair_clear_sent(&p);
  pp.frame_id = id;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_result_drop(&pp, &s), 0);
  pair_inject(&p, &p.c, buf, s.len);
  pair_pump(&p, &p.c, &p.s);
  CHECK_EQ(p.c.sent_count, 0);
  CHECK_EQ(p.c.outcome_count, 1);
  CHECK_EQ(nnrp_conn_counters_get(p.c.conn)->results_discarded, 1);
  /* A result with a foreign session id: ERROR invalid_state, session scope. */
  pp.session_id = 77;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_result_drop(&pp, &s), 0);
  pair_inject(&p, &p.c, buf, s.len);
  pair_pump(&p, &p.c, &p.s);
  check_last_error(&p.c, NNRP_ERROR_CODE_INVALID_STATE, NNRP_SCOPE_SESSION, 0);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_ACTIVE);
  pair_free(&p);
}

static void frame_error_outcomes(void) {
  conn_pair p;
  CHECK_RC(start(&p, 4, 1, PAIR_PACKETS), 0);
  uint32_t a, b, c;
  CHECK_RC(submit(&p, 0, 0, 0, &a), 0);
  CHECK_RC(submit(&p, 0, 0, 0, &b), 0);
  CHECK_RC(submit(&p, 0, 0, 0, &c), 0);
  pair_flush(&p);
  uint8_t buf[128];
  size_t n = pair_build_error(buf, sizeof(buf), 1, NNRP_ERROR_CODE_FRAME_EXPIRED, NNRP_SCOPE_FRAME,
                              0, b, 0);
  pair_inject(&p, &p.c, buf, n);
  n = pair_build_error(buf, sizeof(buf), 1, NNRP_ERROR_CODE_SERVER_BUSY, NNRP_SCOPE_FRAME, 0, c, 0);
  pair_inject(&p, &p.c, buf, n);
  CHECK_EQ(p.c.outcome_count, 2);
  CHECK_EQ(p.c.outcomes[0].frame_id, b);
  CHECK_EQ(p.c.outcomes[0].outcome, NNRP_OUTCOME_EXPIRED);
  CHECK_EQ(p.c.outcomes[1].frame_id, c);
  CHECK_EQ(p.c.outcomes[1].outcome, NNRP_OUTCOME_REJECTED);
  CHECK_EQ(p.c.outcomes[1].error_code, NNRP_ERROR_CODE_SERVER_BUSY);
  /* Other frames untouched, session ACTIVE. */
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 1);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_ACTIVE);
  CHECK_EQ(p.c.error_count, 2);
  CHECK_RC(result(&p, a, 0), 0);
  pair_flush(&p);
  CHECK_EQ(p.c.outcomes[2].outcome, NNRP_OUTCOME_DELIVERED);
  pair_free(&p);
}

/* ---- server admission ------------------------------------------------------------------------ */

static void admission_rules(void) {
  conn_pair p;
  CHECK_RC(start(&p, 4, 2, PAIR_PACKETS), 0);
  uint8_t buf[256];
  nnrp_frame_submit_input in;
  /* frame id 0 */
  craft_input(&in, 1, 0, 0);
  pair_inject(&p, &p.s, buf, crafted_submit(buf, sizeof(buf), &in));
  pair_pump(&p, &p.s, &p.c);
  check_last_error(&p.s, NNRP_ERROR_CODE_INVALID_STATE, NNRP_SCOPE_FRAME, 0);
  /* view outside the lanes */
  craft_input(&in, 1, 10, 2);
  pair_inject(&p, &p.s, buf, crafted_submit(buf, sizeof(buf), &in));
  pair_pump(&p, &p.s, &p.c);
  check_last_error(&p.s, NNRP_ERROR_CODE_LIMIT_EXCEEDED, NNRP_SCOPE_FRAME, 10);
  /* admitted, then the same key and a lower id on that view */
  craft_input(&in, 1, 10, 0);
  pair_inject(&p, &p.s, buf, crafted_submit(buf, sizeof(buf), &in));
  CHECK_EQ(p.s.submit_count, 1);
  pair_inject(&p, &p.s, buf, crafted_submit(buf, sizeof(buf), &in));
  pair_pump(&p, &p.s, &p.c);
  check_last_error(&p.s, NNRP_ERROR_CODE_INVALID_STATE, NNRP_SCOPE_FRAME, 10);
  craft_input(&in, 1, 9, 0);
  pair_inject(&p, &p.s, buf, crafted_submit(buf, sizeof(buf), &in));
  pair_pump(&p, &p.s, &p.c);
  check_last_error(&p.s, NNRP_ERROR_CODE_INVALID_STATE, NNRP_SCOPE_FRAME, 9);
  /* id 9 on the other view is fine (views are independent) */
  craft_input(&in, 1, 9, 1);
  pair_inject(&p, &p.s, buf, crafted_submit(buf, sizeof(buf), &in));
  CHECK_EQ(p.s.submit_count, 2);
  /* dependency on an unknown key, then on a known one */
  craft_input(&in, 1, 11, 0);
  in.dependency_frame_id = 7;
  pair_inject(&p, &p.s, buf, crafted_submit(buf, sizeof(buf), &in));
  pair_pump(&p, &p.s, &p.c);
  check_last_error(&p.s, NNRP_ERROR_CODE_INVALID_STATE, NNRP_SCOPE_FRAME, 11);
  in.dependency_frame_id = 10;
  pair_inject(&p, &p.s, buf, crafted_submit(buf, sizeof(buf), &in));
  CHECK_EQ(p.s.submit_count, 3);
  /* payload kind not negotiated (TOKEN only, no tensor) */
  craft_input(&in, 1, 12, 0);
  in.payload_kind_bitmap = NNRP_PAYLOAD_TOKEN_CHUNK;
  nnrp_typed_frame tf = {NNRP_PAYLOAD_TOKEN_CHUNK, 0, 0, {(const uint8_t *)"tok", 3}};
  in.frames = &tf;
  in.frame_count = 1;
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_frame_submit_typed(&in, &s), 0);
  pair_inject(&p, &p.s, buf, s.len);
  pair_pump(&p, &p.s, &p.c);
  check_last_error(&p.s, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY, NNRP_SCOPE_FRAME, 12);
  /* a body that fails validation: malformed_body, frame scope */
  craft_input(&in, 1, 13, 0);
  size_t n = crafted_submit(buf, sizeof(buf), &in);
  buf[40 + 12] = 9; /* frame_class out of range */
  pair_inject(&p, &p.s, buf, n);
  pair_pump(&p, &p.s, &p.c);
  check_last_error(&p.s, NNRP_ERROR_CODE_MALFORMED_BODY, NNRP_SCOPE_FRAME, 13);
  /* a foreign session id: session scope */
  craft_input(&in, 5, 14, 0);
  pair_inject(&p, &p.s, buf, crafted_submit(buf, sizeof(buf), &in));
  pair_pump(&p, &p.s, &p.c);
  check_last_error(&p.s, NNRP_ERROR_CODE_INVALID_STATE, NNRP_SCOPE_SESSION, 0);
  CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_ACTIVE);
  CHECK_EQ(nnrp_conn_in_flight(p.s.conn), 3);
  pair_free(&p);
}

static void queue_full_hint_and_error(void) {
  conn_pair p;
  CHECK_RC(start(&p, 1, 1, PAIR_PACKETS), 0);
  CHECK_RC(submit(&p, 0, 0, 0, NULL), 0);
  pair_flush(&p);
  pair_clear_sent(&p);
  /* A second submit beyond max_concurrent_frames, bypassing the client's window. */
  nnrp_frame_submit_input in;
  craft_input(&in, 1, 2, 0);
  uint8_t buf[256];
  pair_inject(&p, &p.s, buf, crafted_submit(buf, sizeof(buf), &in));
  pair_pump(&p, &p.s, &p.c);
  CHECK_EQ(p.s.sent_count, 2);
  nnrp_packet h;
  CHECK_RC(pair_sent_packet(&p.s, 0, &h), 0);
  CHECK_EQ(h.header.msg_type, NNRP_MSG_RESULT_HINT);
  CHECK_EQ(h.header.frame_id, 2);
  CHECK_EQ(h.meta.result_hint.reason, 1);
  CHECK(h.meta.result_hint.congestion_state >= 2);
  check_last_error(&p.s, NNRP_ERROR_CODE_LIMIT_EXCEEDED, NNRP_SCOPE_FRAME, 2);
  CHECK_EQ(p.s.submit_count, 1);
  pair_free(&p);
}

static void retry_supersedes_original(void) {
  conn_pair p;
  CHECK_RC(start(&p, 4, 1, PAIR_PACKETS), 0);
  uint32_t a, b;
  CHECK_RC(submit(&p, 0, 0, 0, &a), 0);
  pair_flush(&p);
  nnrp_frame_submit_input in;
  pair_submit_input(&in);
  in.retry_of_frame = a;
  in.frame_class = NNRP_FRAME_RETRANSMIT;
  in.packet.flags = NNRP_FLAG_RETRANSMIT;
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, &b, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(p.s.submit_count, 2);
  CHECK_EQ(p.c.outcome_count, 1);
  CHECK_EQ(p.c.outcomes[0].frame_id, a);
  CHECK_EQ(p.c.outcomes[0].outcome, NNRP_OUTCOME_DROPPED);
  CHECK_EQ(p.c.outcomes[0].reason, NNRP_DROP_SUPERSEDED);
  CHECK_EQ(p.s.outcomes[0].cause, NNRP_CAUSE_SUPERSEDED);
  CHECK_EQ(nnrp_conn_in_flight(p.s.conn), 1);
  pair_free(&p);
}

static void supersede_queued_droppable(void) {
  nnrp_settings cs, ss;
  nnrp_settings_default(&cs, NNRP_ROLE_CLIENT);
  nnrp_settings_default(&ss, NNRP_ROLE_SERVER);
  ss.server.max_concurrent_frames = 4;
  ss.server.auto_start = 0; /* frames wait in the host's queue */
  conn_pair p;
  CHECK_RC(pair_init(&p, &cs, &ss), 0);
  CHECK_RC(pair_handshake(&p), 0);
  nnrp_frame_submit_input in;
  pair_submit_input(&in);
  in.budget_policy = NNRP_BUDGET_ALLOW_DROP;
  uint32_t a, b, c;
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, &a, p.now), 0);
  pair_flush(&p);
  CHECK_RC(nnrp_conn_frame_start(p.s.conn, a, 0), 0); /* a is PROCESSING: never superseded */
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, &b, p.now), 0);
  pair_flush(&p);
  in.budget_policy = 0;
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, &c, p.now), 0);
  pair_flush(&p);
  /* b was queued and droppable: superseded by c. */
  CHECK_EQ(p.c.outcome_count, 1);
  CHECK_EQ(p.c.outcomes[0].frame_id, b);
  CHECK_EQ(p.c.outcomes[0].reason, NNRP_DROP_SUPERSEDED);
  CHECK_EQ(nnrp_conn_in_flight(p.s.conn), 2);
  nnrp_frame_info fi;
  CHECK_RC(nnrp_conn_frame_info(p.s.conn, c, 0, &fi), 0);
  CHECK_EQ(fi.state, NNRP_FRAME_SUBMITTED);
  pair_free(&p);
}

/* ---- server send API ------------------------------------------------------------------------- */

static void send_result_checks(void) {
  conn_pair p;
  CHECK_RC(start(&p, 4, 1, PAIR_PACKETS), 0);
  nnrp_frame_submit_input in;
  pair_submit_input(&in);
  in.budget_policy = NNRP_BUDGET_ALLOW_PARTIAL;
  uint32_t id;
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, &id, p.now), 0);
  pair_flush(&p);
  pair_clear_sent(&p);
  nnrp_result_push_input r;
  pair_result_input(&r, id + 1, 0);
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), NNRP_ERR_FRAME_UNKNOWN);
  pair_result_input(&r, id, 0);
  r.applied_budget_policy = NNRP_BUDGET_ALLOW_DEGRADED;
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), NNRP_ERR_BUDGET_POLICY);
  pair_result_input(&r, id, 0);
  r.payload_kind_bitmap = NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_AUDIO_CHUNK;
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), NNRP_ERR_PAYLOAD_KIND);
  /* Coverage: a partial result with nothing dropped breaks C5 in the builder. */
  const uint16_t tiles[2] = {0, 1};
  const nnrp_vec pay[2] = {{(const uint8_t *)"ab", 2}, {(const uint8_t *)"cd", 2}};
  nnrp_tensor_section_data sec = {1, 0, NNRP_DTYPE_UINT8, 0, 0, 0, 2, pay, 2, NULL, 0};
  pair_result_input(&r, id, 0);
  r.tile_ids = tiles;
  r.tile_id_count = 2;
  r.tile_index_mode = NNRP_TILE_RAW_U16;
  r.sections = &sec;
  r.section_count = 1;
  r.result_class = NNRP_RESULT_PARTIAL;
  r.applied_budget_policy = NNRP_BUDGET_ALLOW_PARTIAL;
  r.covered_tile_count = 2;
  r.dropped_tile_count = 0;
  CHECK(nnrp_conn_send_result(p.s.conn, &r, 0, p.now) < 0);
  CHECK_EQ(nnrp_conn_output_pending(p.s.conn), 0); /* nothing left the engine */
  CHECK_EQ(nnrp_conn_in_flight(p.s.conn), 1);
  r.covered_tile_count = 1;
  r.dropped_tile_count = 1;
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(p.c.result_count, 1);
  CHECK_EQ(p.c.results[0].result_class, NNRP_RESULT_PARTIAL);
  CHECK_EQ(p.c.results[0].covered, 1);
  CHECK_EQ(p.c.results[0].dropped, 1);
  CHECK_EQ(p.c.results[0].policy_violation, 0);
  pair_free(&p);
}

static void stale_reuse_and_degraded_surface(void) {
  conn_pair p;
  CHECK_RC(start(&p, 4, 1, PAIR_PACKETS), 0);
  nnrp_frame_submit_input in;
  pair_submit_input(&in);
  in.budget_policy = NNRP_BUDGET_ALLOW_STALE_REUSE | NNRP_BUDGET_ALLOW_DEGRADED;
  uint32_t a, b;
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, &a, p.now), 0);
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, &b, p.now), 0);
  pair_flush(&p);
  nnrp_result_push_input r;
  pair_result_input(&r, a, 0);
  r.result_class = NNRP_RESULT_DEGRADED;
  r.applied_budget_policy = NNRP_BUDGET_ALLOW_DEGRADED;
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  pair_result_input(&r, b, 0);
  r.result_class = NNRP_RESULT_STALE_REUSE;
  r.applied_budget_policy = NNRP_BUDGET_ALLOW_STALE_REUSE;
  r.reused_frame_id = a;
  r.result_flags = NNRP_RESULT_FLAG_STALE;
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(p.c.result_count, 2);
  CHECK_EQ(p.c.results[0].result_class, NNRP_RESULT_DEGRADED);
  CHECK_EQ(p.c.results[1].result_class, NNRP_RESULT_STALE_REUSE);
  CHECK_EQ(p.c.results[1].reused_frame_id, a);
  CHECK_EQ(p.c.outcomes[0].outcome, NNRP_OUTCOME_DELIVERED);
  CHECK_EQ(p.c.outcomes[1].result_class, NNRP_RESULT_STALE_REUSE);
  pair_free(&p);
}

static void policy_violation_flagged(void) {
  conn_pair p;
  CHECK_RC(start(&p, 4, 1, PAIR_PACKETS), 0);
  uint32_t id;
  CHECK_RC(submit(&p, 0, 0, 0, &id), 0); /* budget_policy 0 */
  pair_flush(&p);
  /* A RESULT_PUSH claiming ALLOW_DEGRADED, built outside the server engine. */
  nnrp_result_push_input r;
  pair_result_input(&r, id, 0);
  r.packet.session_id = 1;
  r.result_class = NNRP_RESULT_DEGRADED;
  r.applied_budget_policy = NNRP_BUDGET_ALLOW_DEGRADED;
  uint8_t buf[256];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_result_push(&r, &s), 0);
  pair_inject(&p, &p.c, buf, s.len);
  CHECK_EQ(p.c.result_count, 1);
  CHECK_EQ(p.c.results[0].policy_violation, NNRP_VIOLATION_BUDGET_POLICY);
  pair_free(&p);
}

static void bad_result_body_drops_frame(void) {
  conn_pair p;
  CHECK_RC(start(&p, 4, 1, PAIR_PACKETS), 0);
  uint32_t id;
  CHECK_RC(submit(&p, 0, 0, 0, &id), 0);
  pair_flush(&p);
  pair_clear_sent(&p);
  nnrp_result_push_input r;
  pair_result_input(&r, id, 0);
  r.packet.session_id = 1;
  uint8_t buf[256];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_result_push(&r, &s), 0);
  buf[40 + 44] = 9; /* result_class out of range */
  pair_inject(&p, &p.c, buf, s.len);
  pair_pump(&p, &p.c, &p.s);
  CHECK_EQ(p.c.result_count, 0);
  CHECK_EQ(p.c.outcome_count, 1);
  CHECK_EQ(p.c.outcomes[0].outcome, NNRP_OUTCOME_DROPPED);
  CHECK_EQ(p.c.outcomes[0].cause, NNRP_CAUSE_LOCAL_ERROR);
  check_last_error(&p.c, NNRP_ERROR_CODE_MALFORMED_BODY, NNRP_SCOPE_FRAME, id);
  pair_free(&p);
}

/* ---- no-copy output ------------------------------------------------------------------------- */

static void no_copy_submit(void) {
  conn_pair p;
  CHECK_RC(start(&p, 4, 1, PAIR_PACKETS), 0);
  static uint8_t payload[4096];
  for (size_t i = 0; i < sizeof(payload); i++) payload[i] = (uint8_t)(i * 7);
  const uint16_t tiles[1] = {0};
  const nnrp_vec pay[1] = {{payload, sizeof(payload)}};
  nnrp_tensor_section_data sec = {1, 0, NNRP_DTYPE_FP16, 0, 0, 0, 2048, pay, 1, NULL, 0};
  nnrp_frame_submit_input in;
  pair_submit_input(&in);
  in.src_width = 32, in.src_height = 32, in.tile_width = 32, in.tile_height = 32;
  in.tile_ids = tiles;
  in.tile_id_count = 1;
  in.tile_index_mode = NNRP_TILE_RAW_U16;
  in.sections = &sec;
  in.section_count = 1;
  int tag = 3;
  uint32_t id;
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, NNRP_SEND_NO_COPY, &tag, &id, p.now), 0);
  nnrp_output out;
  CHECK_EQ(nnrp_conn_output_peek(p.c.conn, &out), 1);
  CHECK_EQ(out.msg_type, NNRP_MSG_FRAME_SUBMIT);
  CHECK_EQ(out.channel, NNRP_CHANNEL_SUBMIT);
  CHECK_EQ(out.frame_id, id);
  int referenced = 0;
  for (size_t i = 0; i < out.iov_count; i++)
    if (out.iov[i].base == payload && out.iov[i].len == sizeof(payload)) referenced = 1;
  CHECK(referenced);
  CHECK_EQ(p.c.released, 0);
  pair_flush(&p);
  CHECK_EQ(p.c.released, 1);
  CHECK_EQ(p.s.submit_count, 1);
  /* The copying form gives the same bytes. */
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, &tag, &id, p.now), 0);
  CHECK_EQ(nnrp_conn_output_peek(p.c.conn, &out), 1);
  for (size_t i = 0; i < out.iov_count; i++) CHECK(out.iov[i].base != payload);
  pair_flush(&p);
  CHECK_EQ(p.c.released, 1);
  CHECK_EQ(p.c.sent[p.c.sent_count - 1].len, p.c.sent[p.c.sent_count - 2].len);
  pair_free(&p);
}

static void write_in_small_pieces(void) {
  conn_pair p;
  CHECK_RC(start(&p, 8, 1, PAIR_PACKETS), 0);
  for (int i = 0; i < 5; i++) CHECK_RC(submit(&p, 0, 0, 0, NULL), 0);
  size_t total = nnrp_conn_output_pending(p.c.conn);
  CHECK(total > 0);
  uint8_t buf[4096];
  size_t got = 0;
  while (got < total) {
    uint32_t path = 99;
    size_t n = nnrp_conn_write(p.c.conn, buf + got, 7, &path);
    CHECK_EQ(path, 0);
    CHECK(n > 0 && n <= 7);
    if (!n) break;
    got += n;
  }
  CHECK_EQ(got, total);
  CHECK_EQ(nnrp_conn_output_pending(p.c.conn), 0);
  CHECK_RC(nnrp_conn_read(p.s.conn, buf, got, p.now), 0);
  CHECK_EQ(p.s.submit_count, 5);
  pair_free(&p);
}

int main(void) {
  RUN(out_of_order_packets);
  RUN(out_of_order_stream);
  RUN(out_of_order_bytes);
  RUN(out_of_order_coalesced);
  RUN(frame_ids_and_views);
  RUN(drop_labelled_by_hint);
  RUN(rejected_by_cache_miss);
  RUN(cancel_then_drop);
  RUN(cancel_of_ready_frame_is_ignored);
  RUN(local_deadline_and_hard_timeout);
  RUN(default_budget_from_session);
  RUN(server_deadline_drops);
  RUN(session_loss_expires_all);
  RUN(unknown_and_duplicate_results);
  RUN(frame_error_outcomes);
  RUN(admission_rules);
  RUN(queue_full_hint_and_error);
  RUN(retry_supersedes_original);
  RUN(supersede_queued_droppable);
  RUN(send_result_checks);
  RUN(stale_reuse_and_degraded_surface);
  RUN(policy_violation_flagged);
  RUN(bad_result_body_drops_frame);
  RUN(no_copy_submit);
  RUN(write_in_small_pieces);
  return TEST_REPORT();
}
