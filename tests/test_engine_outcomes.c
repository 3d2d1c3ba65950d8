/*
 * Exactly one terminal outcome per frame and role (session.md §3.3, §3.6, §3.8, §6.1, §2.3):
 * through a result, a drop, a cancel (also racing a result), deadline expiry (also with the
 * slot held until the hard timeout), rejection, the close procedure and session loss; the same
 * conversation gives the same outcomes whether packets arrive whole, in 13-byte pieces, one
 * byte at a time or all coalesced in one read; and many frames in flight on several views
 * complete out of order, each once, with their host data.
 */
#include "engine_check.h"

/* Every key in `ids` has exactly one outcome on `side`. */
static void check_once(const engine_side *side, const uint32_t *ids, const uint16_t *views,
                       size_t n) {
  for (size_t i = 0; i < n; i++) {
    size_t k = engine_outcomes_of(side, ids[i], views ? views[i] : 0, NULL);
    if (k != 1) fprintf(stderr, "  %s: frame %u has %zu outcomes\n", side->name, ids[i], k);
    CHECK_EQ(k, 1);
  }
}

static nnrp_frame_outcome outcome(const engine_side *side, uint32_t id) {
  nnrp_frame_outcome o;
  memset(&o, 0xFF, sizeof o);
  engine_outcomes_of(side, id, 0, &o);
  return o;
}

static void send_result(engine_pair *p, uint32_t id, uint16_t view) {
  nnrp_result_push_input r;
  engine_result_input(&r, id, view);
  CHECK_RC(nnrp_conn_send_result(p->s.conn, &r, 0, p->now), 0);
}

/* ---- every terminal path --------------------------------------------------------------------- */

static void test_one_outcome_per_path(void) {
  engine_pair p;
  nnrp_settings st;
  engine_settings(&st);
  st.server.max_concurrent_frames = 16;
  CHECK_RC(engine_pair_init(&p, &st, &st, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  uint32_t ids[8];
  for (int i = 0; i < 4; i++) ids[i] = engine_submit_simple(&p, 0);
  nnrp_frame_submit_input in;
  engine_submit_input(&in);
  in.latency_budget_ms = 30;
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, &ids[4], p.now), 0); /* deadline */
  static const uint16_t tile[1] = {0};
  nnrp_object_ref missing = {NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 9, 9, 9};
  engine_submit_input(&in);
  in.tile_ids = tile;
  in.tile_id_count = 1;
  in.submit_mode = NNRP_SUBMIT_REFERENCE;
  in.object_ref_mask = NNRP_REF_TILE_INDEX_BLOCK;
  in.tile_index_reference = &missing;
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, &ids[5], p.now), 0); /* rejected */
  ids[6] = engine_submit_simple(&p, 0);
  ids[7] = engine_submit_simple(&p, 0);
  engine_flush(&p);
  CHECK_EQ(nnrp_conn_in_flight(p.s.conn), 7);

  send_result(&p, ids[0], 0);                                                         /* result */
  CHECK_RC(nnrp_conn_send_drop(p.s.conn, ids[1], 0, NNRP_DROP_UNKNOWN, 0, p.now), 0); /* drop */
  CHECK_RC(nnrp_conn_cancel(p.c.conn, ids[2], 0, p.now), 0);                          /* cancel */
  CHECK_EQ(outcome(&p.c, ids[2]).outcome, NNRP_OUTCOME_CANCELLED);                    /* at once */
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 7); /* the slot is held */
  CHECK_RC(nnrp_conn_cancel(p.c.conn, ids[2], 0, p.now), NNRP_ERR_FRAME_UNKNOWN);
  /* Cancel racing a result: the result is already on its way when the cancel leaves. */
  send_result(&p, ids[3], 0);
  CHECK_RC(nnrp_conn_cancel(p.c.conn, ids[3], 0, p.now), 0);
  engine_flush(&p);
  /* Deadline: both ends expire the frame at the budget. */
  engine_advance(&p, 30 * MS);

  nnrp_frame_outcome o = outcome(&p.c, ids[0]);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_DELIVERED);
  CHECK_EQ(outcome(&p.c, ids[1]).outcome, NNRP_OUTCOME_DROPPED);
  CHECK_EQ(outcome(&p.c, ids[2]).outcome, NNRP_OUTCOME_CANCELLED);
  CHECK_EQ(outcome(&p.s, ids[2]).outcome, NNRP_OUTCOME_CANCELLED);
  CHECK_EQ(outcome(&p.s, ids[2]).cause, NNRP_CAUSE_CANCEL);
  CHECK_EQ(outcome(&p.c, ids[3]).outcome, NNRP_OUTCOME_CANCELLED);
  CHECK_EQ(outcome(&p.s, ids[3]).outcome, NNRP_OUTCOME_DELIVERED);
  CHECK(engine_result_of(&p.c, ids[3], 0) == NULL); /* the late result is not delivered */
  o = outcome(&p.c, ids[4]);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_EXPIRED);
  CHECK_EQ(o.cause, NNRP_CAUSE_DEADLINE);
  CHECK_EQ(outcome(&p.s, ids[4]).outcome, NNRP_OUTCOME_EXPIRED);
  o = outcome(&p.c, ids[5]);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_REJECTED);
  CHECK_EQ(o.error_code, NNRP_ERROR_CODE_CACHE_MISS);
  /* Every slot but the two still open is free again: terminal messages arrived for all. */
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 2);
  CHECK_EQ(nnrp_conn_in_flight(p.s.conn), 2);

  /* Session loss: the transport goes away under the last two frames. */
  CHECK_RC(nnrp_conn_transport_closed(p.c.conn, nnrp_conn_path(p.c.conn), p.now), 0);
  CHECK_RC(nnrp_conn_transport_closed(p.s.conn, nnrp_conn_path(p.s.conn), p.now), 0);
  for (int i = 6; i < 8; i++) {
    o = outcome(&p.c, ids[i]);
    CHECK_EQ(o.outcome, NNRP_OUTCOME_EXPIRED);
    CHECK_EQ(o.cause, NNRP_CAUSE_SESSION_LOST);
    CHECK_EQ(engine_outcomes_of(&p.s, ids[i], 0, NULL), 1);
  }
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(p.c.close_info.cause, NNRP_CLOSE_TRANSPORT_LOST);
  check_once(&p.c, ids, NULL, 8);
  uint32_t admitted[7] = {ids[0], ids[1], ids[2], ids[3], ids[4], ids[6], ids[7]};
  check_once(&p.s, admitted, NULL, 7);
  CHECK_EQ(engine_outcomes_of(&p.s, ids[5], 0, NULL), 0); /* never admitted */
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 0);
  CHECK_EQ(nnrp_conn_in_flight(p.s.conn), 0);
  const nnrp_conn_counters *k = nnrp_conn_counters_get(p.c.conn);
  CHECK_EQ(k->frames_delivered + k->frames_dropped + k->frames_rejected + k->frames_cancelled +
               k->frames_expired,
           8);
  engine_pair_free(&p);
}

/* A cancelled or expired frame holds its window slot until its terminal message or the hard
 * timeout (budget + drain timeout); neither end reports it twice. */
static void test_held_slots_and_hard_timeout(void) {
  engine_pair p;
  nnrp_settings st;
  engine_settings(&st);
  st.drain_timeout_ms = 1000;
  CHECK_RC(engine_pair_init(&p, &st, &st, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  nnrp_frame_submit_input in;
  engine_submit_input(&in);
  in.latency_budget_ms = 100;
  uint32_t a = 0, b = 0;
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, &a, p.now), 0);
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, &b, p.now), 0);
  engine_flush(&p);
  nnrp_tstamp t0 = p.now;

  /* a: cancelled, and the server's RESULT_DROP answer is lost. */
  CHECK_RC(nnrp_conn_cancel(p.c.conn, a, 0, p.now), 0);
  engine_pump(&p, &p.c);
  size_t lost = p.s.sent.n;
  engine_collect(&p.s);
  CHECK_EQ(engine_sent_since(&p.s, lost, NNRP_MSG_RESULT_DROP), 1);
  /* b: the server never answers (its answers are lost too); the client expires it. */
  p.now = t0 + 100 * MS;
  CHECK_RC(nnrp_conn_handle_expiry(p.c.conn, p.now), 0);
  CHECK_RC(nnrp_conn_handle_expiry(p.s.conn, p.now), 0);
  engine_collect(&p.s);
  CHECK_EQ(outcome(&p.c, b).outcome, NNRP_OUTCOME_EXPIRED);
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 2); /* both slots held */
  CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), 0);
  nnrp_frame_info fi;
  CHECK_RC(nnrp_conn_frame_info(p.c.conn, a, 0, &fi), 0);
  CHECK_EQ(fi.state, NNRP_FRAME_CANCELLED);
  CHECK_RC(nnrp_conn_frame_info(p.c.conn, b, 0, &fi), 0);
  CHECK_EQ(fi.state, NNRP_FRAME_EXPIRED);
  /* The hard timeout: deadline + drain timeout. */
  CHECK(nnrp_conn_expiry(p.c.conn) <= t0 + 1100 * MS);
  p.now = t0 + 1100 * MS;
  CHECK_RC(nnrp_conn_handle_expiry(p.c.conn, p.now), 0);
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 0);
  CHECK_EQ(engine_outcomes_of(&p.c, a, 0, NULL), 1);
  CHECK_EQ(engine_outcomes_of(&p.c, b, 0, NULL), 1);
  /* The lost answers arrive even later: discarded silently (tombstones). */
  size_t mark = p.c.sent.n;
  for (size_t i = lost; i < p.s.sent.n; i++) CHECK_RC(engine_redeliver(&p, &p.c, i), 0);
  engine_collect(&p.c);
  CHECK_SILENT(&p.c, mark);
  CHECK_EQ(engine_outcomes_of(&p.c, a, 0, NULL), 1);
  CHECK_EQ(engine_outcomes_of(&p.c, b, 0, NULL), 1);
  CHECK_EQ(engine_outcomes_of(&p.s, a, 0, NULL), 1);
  CHECK_EQ(engine_outcomes_of(&p.s, b, 0, NULL), 1);
  engine_pair_free(&p);
}

/* ---- close procedure
 * ------------------------------------------------------------------------------ */

static void submit_n(engine_pair *p, uint32_t *ids, size_t n) {
  for (size_t i = 0; i < n; i++) ids[i] = engine_submit_simple(p, 0);
  engine_flush(p);
}

static void test_close_with_frames_open(void) {
  uint32_t ids[3];
  nnrp_vec none = {NULL, 0};
  for (int who = 0; who < 2; who++) {
    /* Either side closes: the server drops every open frame, CLOSE goes both ways. */
    engine_pair p;
    CHECK_RC(engine_pair_init(&p, NULL, NULL, NULL), 0);
    CHECK_RC(engine_handshake(&p), 0);
    submit_n(&p, ids, 3);
    CHECK_RC(nnrp_conn_close(who ? p.c.conn : p.s.conn, none, p.now), 0);
    engine_flush(&p);
    for (int i = 0; i < 3; i++) CHECK_EQ(outcome(&p.c, ids[i]).outcome, NNRP_OUTCOME_DROPPED);
    check_once(&p.c, ids, NULL, 3);
    check_once(&p.s, ids, NULL, 3);
    CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
    CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_CLOSED);
    CHECK_EQ(engine_sent_since(&p.c, 0, NNRP_MSG_CLOSE), 1);
    CHECK_EQ(engine_sent_since(&p.s, 0, NNRP_MSG_CLOSE), 1);
    CHECK_EQ(p.c.closed, 1);
    CHECK_EQ(p.s.closed, 1);
    engine_pair_free(&p);
  }

  /* The peer never answers: the drain timeout ends the session; open frames EXPIRED. */
  engine_pair p;
  CHECK_RC(engine_pair_init(&p, NULL, NULL, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  submit_n(&p, ids, 3);
  CHECK_RC(nnrp_conn_close(p.c.conn, none, p.now), 0);
  engine_collect(&p.c);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_DRAINING);
  CHECK_EQ(nnrp_conn_expiry(p.c.conn), p.now + 5000 * MS);
  p.now += 5000 * MS;
  CHECK_RC(nnrp_conn_handle_expiry(p.c.conn, p.now), 0);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(p.c.close_info.cause, NNRP_CLOSE_DRAIN_TIMEOUT);
  for (int i = 0; i < 3; i++) {
    nnrp_frame_outcome o = outcome(&p.c, ids[i]);
    CHECK_EQ(o.outcome, NNRP_OUTCOME_EXPIRED);
    CHECK_EQ(o.cause, NNRP_CAUSE_SESSION_LOST);
  }
  check_once(&p.c, ids, NULL, 3);
  engine_pair_free(&p);

  /* A fatal ERROR from the peer: DRAINING; frames end once, by their terminal messages or by
   * the drain timeout. */
  CHECK_RC(engine_pair_init(&p, NULL, NULL, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  submit_n(&p, ids, 3);
  send_result(&p, ids[0], 0);
  engine_collect(&p.s);
  nnrp_error_meta em;
  memset(&em, 0, sizeof em);
  em.error_code = NNRP_ERROR_CODE_INTERNAL_ERROR;
  em.error_scope = NNRP_SCOPE_CONNECTION;
  em.is_fatal = 1;
  nnrp_packet_params pp = {nnrp_conn_session_id(p.c.conn), 0, 0, 0, 0, 0};
  static uint8_t pkt[256];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, pkt, sizeof pkt);
  CHECK_RC(nnrp_build_error(&pp, &em, none, &s), 0);
  size_t mark = p.c.sent.n;
  CHECK_RC(engine_inject(&p, &p.c, pkt, s.len), 0);
  engine_collect(&p.c);
  CHECK_EQ(engine_errors_since(&p.c, mark, NULL), 0); /* never answered with an ERROR */
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_DRAINING);
  CHECK_RC(nnrp_conn_submit(p.c.conn, &(nnrp_frame_submit_input){0}, 0, NULL, NULL, p.now),
           NNRP_ERR_INVALID_STATE);
  CHECK_RC(engine_redeliver(&p, &p.c, p.s.sent.n - 1), 0); /* ids[0]'s result still counts */
  CHECK_EQ(outcome(&p.c, ids[0]).outcome, NNRP_OUTCOME_DELIVERED);
  p.now += 5000 * MS;
  CHECK_RC(nnrp_conn_handle_expiry(p.c.conn, p.now), 0);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
  check_once(&p.c, ids, NULL, 3);
  engine_pair_free(&p);
}

/* ---- transfer modes ----------------------------------------------------------------------------
 */

typedef struct transcript {
  uint32_t id[32];
  uint8_t outcome[32], cls[32], reason[32];
  size_t n;
  uint64_t result_sum; /* over the bytes of every delivered result */
} transcript;

static void run_conversation(engine_mode mode, transcript *t) {
  memset(t, 0, sizeof *t);
  engine_pair p;
  nnrp_settings st;
  engine_settings(&st);
  st.server.max_concurrent_frames = 16;
  CHECK_RC(engine_pair_init(&p, &st, &st, NULL), 0);
  p.mode = mode;
  CHECK_RC(engine_handshake(&p), 0);
  static const uint16_t tiles[4] = {1, 2, 3, 4};
  static uint8_t payload[4][300];
  nnrp_vec tv[4];
  for (int i = 0; i < 4; i++) {
    memset(payload[i], 0x30 + i, sizeof payload[i]);
    tv[i].base = payload[i];
    tv[i].len = 100 + 50 * (size_t)i;
  }
  nnrp_tensor_section_data sec;
  memset(&sec, 0, sizeof sec);
  sec.role_id = 2;
  sec.dtype_id = NNRP_DTYPE_UINT8;
  sec.element_count_per_tile = 1;
  sec.tile_payloads = tv;
  sec.tile_payload_count = 4;
  uint32_t ids[12];
  for (int i = 0; i < 12; i++) {
    nnrp_frame_submit_input in;
    engine_submit_input(&in);
    in.tile_ids = tiles;
    in.tile_id_count = 4;
    in.sections = &sec;
    in.section_count = 1;
    in.budget_policy = NNRP_BUDGET_ALLOW_PARTIAL;
    in.packet.view_id = (uint16_t)(i % 2);
    CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, &ids[i], p.now), 0);
  }
  CHECK_RC(nnrp_conn_ping(p.c.conn, 99, p.now), 0);
  engine_flush(&p);
  CHECK_EQ(p.s.submits.n, 12);
  /* Answers in reverse order, mixed with a hint, a flow update and a cache put. */
  nnrp_flow_update_meta fm;
  memset(&fm, 0, sizeof fm);
  fm.scope_kind = NNRP_FLOW_SCOPE_SESSION;
  fm.session_credit = 12;
  fm.flags = NNRP_FLOW_CREDIT_VALID;
  CHECK_RC(nnrp_conn_send_flow_update(p.s.conn, &fm, p.now), 0);
  static const uint8_t obj[16] = "cached-object-1";
  nnrp_cache_put_meta cm = {1, 2, 3, NNRP_OBJECT_REUSABLE_RESULT_OBJECT, 0, 0, 1, 0};
  CHECK_RC(nnrp_conn_cache_put(p.s.conn, &cm, (nnrp_vec){obj, sizeof obj}, p.now), 0);
  for (int i = 11; i >= 0; i--) {
    uint16_t view = (uint16_t)(i % 2);
    if (i % 4 == 1) {
      nnrp_result_hint_meta h = {0, 2, NNRP_DROP_SERVER_BUSY, 5};
      CHECK_RC(nnrp_conn_send_hint(p.s.conn, ids[i], view, &h, p.now), 0);
      CHECK_RC(nnrp_conn_send_drop(p.s.conn, ids[i], view, NNRP_DROP_UNKNOWN, 0, p.now), 0);
      continue;
    }
    nnrp_result_push_input r;
    engine_result_input(&r, ids[i], view);
    r.tile_ids = tiles;
    r.tile_id_count = 4;
    r.sections = &sec;
    r.section_count = 1;
    if (i % 4 == 2) {
      r.result_class = NNRP_RESULT_PARTIAL;
      r.applied_budget_policy = NNRP_BUDGET_ALLOW_PARTIAL;
      r.covered_tile_count = 3;
      r.dropped_tile_count = 1;
    }
    CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, i % 3 == 0 ? NNRP_SEND_NO_COPY : 0, p.now), 0);
  }
  engine_flush(&p);
  CHECK_EQ(p.c.read_failures, 0);
  CHECK_EQ(p.s.read_failures, 0);
  CHECK_EQ(p.c.pongs, 1);
  CHECK_EQ(p.c.cache_puts.n, 1);
  CHECK_EQ(p.s.cache_acks.n, 1);
  CHECK_EQ(p.c.flows.n, 1);
  uint16_t views[12];
  for (int i = 0; i < 12; i++) views[i] = (uint16_t)(i % 2);
  check_once(&p.c, ids, views, 12);
  check_once(&p.s, ids, views, 12);
  for (size_t i = 0; i < p.c.outcomes.n && t->n < 32; i++) {
    const nnrp_frame_outcome *o = &p.c.outcomes.v[i];
    t->id[t->n] = o->frame_id;
    t->outcome[t->n] = (uint8_t)o->outcome;
    t->cls[t->n] = o->result_class;
    t->reason[t->n] = (uint8_t)o->reason;
    t->n++;
  }
  for (size_t i = 0; i < p.c.results.n; i++)
    for (size_t k = 0; k < p.c.results.v[i].raw_len; k++)
      t->result_sum = t->result_sum * 31 + p.c.results.v[i].raw[k];
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 0);
  engine_pair_free(&p);
}

static void test_transfer_modes_agree(void) {
  static transcript base, t;
  run_conversation(ENGINE_PACKETS, &base);
  CHECK_EQ(base.n, 12);
  size_t dropped = 0, partial = 0;
  for (size_t i = 0; i < base.n; i++) {
    if (base.outcome[i] == NNRP_OUTCOME_DROPPED) {
      dropped++;
      CHECK_EQ(base.reason[i], NNRP_DROP_SERVER_BUSY);
    }
    if (base.outcome[i] == NNRP_OUTCOME_DELIVERED && base.cls[i] == NNRP_RESULT_PARTIAL) partial++;
  }
  CHECK_EQ(dropped, 3);
  CHECK_EQ(partial, 3);
  static const engine_mode modes[] = {ENGINE_STREAM, ENGINE_BYTES, ENGINE_COALESCE};
  for (size_t m = 0; m < 3; m++) {
    run_conversation(modes[m], &t);
    if (memcmp(&t, &base, sizeof t) != 0) fprintf(stderr, "  mode %d differs\n", (int)modes[m]);
    CHECK_EQ(memcmp(&t, &base, sizeof t), 0);
  }
}

/* ---- many frames, out of order ------------------------------------------------------------------
 */

static void many_frames(engine_mode mode) {
  enum { N = 256, VIEWS = 4 };
  engine_pair p;
  nnrp_settings st;
  engine_settings(&st);
  st.server.max_concurrent_frames = N;
  st.client.max_in_flight = N;
  st.client.tombstones = 2 * N;
  CHECK_RC(engine_pair_init(&p, &st, &st, NULL), 0);
  p.mode = mode;
  CHECK_RC(engine_handshake(&p), 0);
  static int users[N];
  static uint32_t ids[N];
  static uint16_t views[N];
  for (int round = 0; round < 2; round++) {
    size_t first = p.c.outcomes.n;
    for (int i = 0; i < N; i++) {
      nnrp_frame_submit_input in;
      engine_submit_input(&in);
      in.packet.view_id = views[i] = (uint16_t)(i % VIEWS);
      CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, &users[i], &ids[i], p.now), 0);
    }
    CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), NNRP_ERR_WOULD_BLOCK);
    engine_flush(&p);
    CHECK_EQ(nnrp_conn_in_flight(p.s.conn), N);
    /* A fixed permutation (multiplier coprime with N); every 7th dropped, hints between. */
    for (int k = 0; k < N; k++) {
      int i = (k * 97 + 13) % N;
      if (k % 5 == 0) {
        nnrp_result_hint_meta h = {0, 1, 0, 0};
        CHECK_RC(nnrp_conn_send_hint(p.s.conn, 0, 0, &h, p.now), 0);
      }
      if (i % 7 == 0)
        CHECK_RC(nnrp_conn_send_drop(p.s.conn, ids[i], views[i], NNRP_DROP_UNKNOWN, 0, p.now), 0);
      else
        send_result(&p, ids[i], views[i]);
      if (k % 32 == 31) engine_flush(&p); /* results interleave with nothing else pending */
    }
    engine_flush(&p);
    CHECK_EQ(p.c.outcomes.n - first, N);
    for (int i = 0; i < N; i++) {
      nnrp_frame_outcome o;
      CHECK_EQ(engine_outcomes_of(&p.c, ids[i], views[i], &o), 1);
      CHECK(o.frame_user == &users[i]);
      CHECK_EQ(o.outcome, i % 7 == 0 ? NNRP_OUTCOME_DROPPED : NNRP_OUTCOME_DELIVERED);
      CHECK_EQ(engine_outcomes_of(&p.s, ids[i], views[i], NULL), 1);
    }
    CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 0);
    CHECK_EQ(nnrp_conn_in_flight(p.s.conn), 0);
  }
  for (size_t i = 0; i < p.c.results.n; i++) {
    const engine_result_rec *r = &p.c.results.v[i];
    CHECK(r->frame_user != NULL);
  }
  CHECK_EQ(p.c.read_failures + p.s.read_failures, 0);
  CHECK_EQ(engine_errors_since(&p.c, 0, NULL) + engine_errors_since(&p.s, 0, NULL), 0);
  engine_pair_free(&p);
}

static void test_many_frames_out_of_order(void) {
  many_frames(ENGINE_PACKETS);
  many_frames(ENGINE_COALESCE);
  many_frames(ENGINE_STREAM);
}

int main(void) {
  RUN(test_one_outcome_per_path);
  RUN(test_held_slots_and_hard_timeout);
  RUN(test_close_with_frames_open);
  RUN(test_transfer_modes_agree);
  RUN(test_many_frames_out_of_order);
  return TEST_REPORT();
}
