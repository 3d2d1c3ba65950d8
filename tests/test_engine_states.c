/*
 * Hostile input at every session state (session.md §2.4 tables, §1.2 R1, §3.1, §3.4, §3.5,
 * §5.5 and wire-control §2.3): every message that a role must not accept in a state is
 * answered with the ERROR the spec names (decoded from what the engine emits: code, scope,
 * fatal flag, related ids) or with the specified local failure, or dropped silently where the
 * table says so; duplicate and unknown frame ids, over-credit submits, cache misses, malformed
 * packets and header corruption likewise; and none of it disturbs the frames in flight.
 */
#include "engine_check.h"

/* ---- crafted packets
 * ------------------------------------------------------------------------------ */

/* A well-formed packet of `type`, built with the wire builders (so only its place in the
 * conversation is wrong).  Returns its length. */
static size_t craft(uint8_t *buf, size_t cap, unsigned type, uint32_t sid, uint32_t frame,
                    uint16_t view) {
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, cap);
  nnrp_packet_params pp;
  memset(&pp, 0, sizeof pp);
  pp.session_id = sid;
  pp.frame_id = frame;
  pp.view_id = view;
  pp.trace_id = 0x77;
  static const uint8_t four[4] = {1, 2, 3, 4};
  nnrp_vec obj = {four, 4}, none = {NULL, 0};
  int rc = NNRP_ERR_INVALID_ARGUMENT;
  switch (type) {
    case NNRP_MSG_CLIENT_HELLO: {
      nnrp_settings d;
      engine_settings(&d);
      rc = nnrp_build_client_hello(&pp, &d.client.hello, NULL, 0, none, &s);
      break;
    }
    case NNRP_MSG_SERVER_HELLO_ACK: {
      nnrp_server_hello_ack_meta m;
      memset(&m, 0, sizeof m);
      m.selected_version_major = 1;
      m.session_id = sid;
      m.accepted_profile_bitmap = 1;
      m.accepted_payload_kind_bitmap = NNRP_PAYLOAD_TENSOR;
      m.accepted_codec_bitmap = m.accepted_compression_bitmap = 1;
      m.accepted_dtype_bitmap = 0x21;
      m.accepted_layout_bitmap = 1;
      m.max_lane_count = 4;
      m.max_concurrent_frames = 1;
      m.max_body_bytes = 1024;
      rc = nnrp_build_server_hello_ack(&pp, &m, NULL, 0, &s);
      break;
    }
    case NNRP_MSG_SESSION_PATCH: {
      nnrp_session_patch_meta m;
      memset(&m, 0, sizeof m);
      rc = nnrp_build_session_patch(&pp, &m, NULL, &s);
      break;
    }
    case NNRP_MSG_SESSION_PATCH_ACK: {
      nnrp_session_patch_ack_meta m;
      memset(&m, 0, sizeof m);
      rc = nnrp_build_session_patch_ack(&pp, &m, NULL, &s);
      break;
    }
    case NNRP_MSG_CLOSE:
      rc = nnrp_build_close(&pp, none, &s);
      break;
    case NNRP_MSG_ERROR: {
      nnrp_error_meta m;
      memset(&m, 0, sizeof m);
      m.error_code = NNRP_ERROR_CODE_INTERNAL_ERROR;
      m.error_scope = NNRP_SCOPE_SESSION;
      m.related_session_id = sid;
      rc = nnrp_build_error(&pp, &m, none, &s);
      break;
    }
    case NNRP_MSG_FRAME_SUBMIT: {
      nnrp_frame_submit_input in;
      engine_submit_input(&in);
      in.packet = pp;
      rc = nnrp_build_frame_submit(&in, &s);
      break;
    }
    case NNRP_MSG_RESULT_PUSH: {
      nnrp_result_push_input in;
      engine_result_input(&in, frame, view);
      in.packet = pp;
      rc = nnrp_build_result_push(&in, &s);
      break;
    }
    case NNRP_MSG_FRAME_CANCEL:
    case NNRP_MSG_RESULT_DROP:
    case NNRP_MSG_PING:
    case NNRP_MSG_PONG:
      rc = nnrp_build_header_only(&pp, type, &s);
      break;
    case NNRP_MSG_CACHE_PUT: {
      nnrp_cache_put_meta m = {1, 2, 3, NNRP_OBJECT_CAMERA_BLOCK, 0, 4, 1, 0};
      rc = nnrp_build_cache_put(&pp, &m, obj, &s);
      break;
    }
    case NNRP_MSG_CACHE_ACK: {
      nnrp_cache_ack_meta m = {1, 2, 3, 0, 0, 0, 0};
      rc = nnrp_build_cache_ack(&pp, &m, &s);
      break;
    }
    case NNRP_MSG_CACHE_INVALIDATE: {
      nnrp_cache_invalidate_meta m = {NNRP_CACHE_SCOPE_OBJECT_KEY, 1, 2, 3, 0};
      rc = nnrp_build_cache_invalidate(&pp, &m, &s);
      break;
    }
    case NNRP_MSG_FLOW_UPDATE: {
      nnrp_flow_update_meta m;
      memset(&m, 0, sizeof m);
      m.scope_kind = sid ? NNRP_FLOW_SCOPE_SESSION : NNRP_FLOW_SCOPE_CONNECTION;
      m.update_reason = NNRP_FLOW_CONGESTION;
      m.credit_epoch = 1000;
      rc = nnrp_build_flow_update(&pp, &m, &s);
      break;
    }
    case NNRP_MSG_RESULT_HINT: {
      nnrp_result_hint_meta m = {0, 1, 0, 0};
      rc = nnrp_build_result_hint(&pp, &m, &s);
      break;
    }
    case NNRP_MSG_TRANSPORT_PROBE: {
      nnrp_transport_probe_meta m = {9, 4, 1};
      rc = nnrp_build_transport_probe(&pp, &m, obj, &s);
      break;
    }
    case NNRP_MSG_TRANSPORT_PROBE_ACK: {
      nnrp_transport_probe_ack_meta m = {9, 0, 1};
      rc = nnrp_build_transport_probe_ack(&pp, &m, &s);
      break;
    }
    case NNRP_MSG_SESSION_MIGRATE: {
      nnrp_session_migrate_meta m = {NNRP_TRANSPORT_TCP, NNRP_TRANSPORT_QUIC, 0, 1};
      rc = nnrp_build_session_migrate(&pp, &m, &s);
      break;
    }
    case NNRP_MSG_SESSION_MIGRATE_ACK: {
      nnrp_session_migrate_ack_meta m = {0, 1, 100, 1};
      rc = nnrp_build_session_migrate_ack(&pp, &m, &s);
      break;
    }
    default:
      break;
  }
  CHECK_RC(rc, 0);
  return rc < 0 ? 0 : s.len;
}

/* What the table says a role does with a message in a state. */
enum {
  X_SILENT = 0,        /* processed or dropped, nothing sent back */
  X_INVALID = 1,       /* ERROR invalid_state, session scope, non-fatal */
  X_INVALID_FRAME = 2, /* ERROR invalid_state, frame scope (related ids), non-fatal */
  X_ANSWER = 3         /* answered with the `answer` message */
};

typedef struct row {
  uint8_t type;
  int expect;
  uint8_t answer;
} row;

/* Inject every row into `to` (state unchanged afterwards) and check the reaction. */
static void run_rows(engine_pair *p, engine_side *to, const row *rows, size_t n,
                     nnrp_session_state state, uint32_t frame0) {
  uint32_t sid = nnrp_conn_session_id(to->conn);
  static uint8_t pkt[2048];
  for (size_t i = 0; i < n; i++) {
    uint32_t frame = rows[i].type == NNRP_MSG_FRAME_SUBMIT ? frame0 + (uint32_t)i : 0;
    if (rows[i].type == NNRP_MSG_RESULT_PUSH || rows[i].type == NNRP_MSG_RESULT_DROP)
      frame = frame0 + 1000; /* a key nobody submitted */
    size_t len = craft(pkt, sizeof pkt, rows[i].type, sid, frame, 0);
    size_t mark = to->sent.n;
    CHECK_RC(engine_inject(p, to, pkt, len), 0);
    engine_collect(to);
    int ok = 1;
    switch (rows[i].expect) {
      case X_SILENT:
        ok = engine_sent_since(to, mark, 0) == 0;
        CHECK_SILENT(to, mark);
        break;
      case X_INVALID:
        ok = engine_errors_since(to, mark, NULL) == 1;
        CHECK_ONE_ERROR(to, mark, NNRP_ERROR_CODE_INVALID_STATE, NNRP_SCOPE_SESSION, 0);
        CHECK_EQ(engine_sent_since(to, mark, 0), 1);
        break;
      case X_INVALID_FRAME:
        ok = engine_errors_since(to, mark, NULL) == 1;
        CHECK_FRAME_ERROR(to, mark, NNRP_ERROR_CODE_INVALID_STATE, frame, 0);
        break;
      default:
        ok = engine_sent_since(to, mark, rows[i].answer) == 1 &&
             engine_errors_since(to, mark, NULL) == 0;
        CHECK_EQ(engine_sent_since(to, mark, rows[i].answer), 1);
        CHECK_EQ(engine_errors_since(to, mark, NULL), 0);
        break;
    }
    if (!ok)
      fprintf(stderr, "  %s in %s: %s\n", to->name, nnrp_state_name(state),
              nnrp_msg_type_name(rows[i].type));
    CHECK_EQ(nnrp_conn_state(to->conn), state);
  }
}

/* One frame in flight on both sides (server: not answered yet). */
static uint32_t open_frame(engine_pair *p) {
  uint32_t id = engine_submit_simple(p, 0);
  engine_flush(p);
  CHECK_EQ(nnrp_conn_in_flight(p->s.conn), 1);
  return id;
}

/* The open frame still completes normally, with exactly one outcome on each side. */
static void close_frame(engine_pair *p, uint32_t id) {
  nnrp_result_push_input r;
  engine_result_input(&r, id, 0);
  CHECK_RC(nnrp_conn_send_result(p->s.conn, &r, 0, p->now), 0);
  engine_flush(p);
  nnrp_frame_outcome o;
  CHECK_EQ(engine_outcomes_of(&p->c, id, 0, &o), 1);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_DELIVERED);
  CHECK_EQ(engine_outcomes_of(&p->s, id, 0, NULL), 1);
}

/* ---- per-state tables
 * ---------------------------------------------------------------------------- */

static void test_server_init_accepts_only_the_handshake(void) {
  static const uint8_t types[] = {NNRP_MSG_PING,
                                  NNRP_MSG_FRAME_SUBMIT,
                                  NNRP_MSG_SESSION_PATCH,
                                  NNRP_MSG_CACHE_PUT,
                                  NNRP_MSG_RESULT_PUSH,
                                  NNRP_MSG_FLOW_UPDATE,
                                  NNRP_MSG_SERVER_HELLO_ACK,
                                  NNRP_MSG_FRAME_CANCEL};
  static uint8_t pkt[2048];
  for (size_t i = 0; i < sizeof types; i++) {
    engine_pair p;
    CHECK_RC(engine_pair_init(&p, NULL, NULL, NULL), 0);
    size_t len = craft(pkt, sizeof pkt, types[i], 0, types[i] == NNRP_MSG_FRAME_SUBMIT, 0);
    engine_inject(&p, &p.s, pkt, len);
    engine_collect(&p.s);
    /* R1: ERROR malformed_body, connection scope, fatal; no SERVER_HELLO_ACK; CLOSED. */
    if (engine_errors_since(&p.s, 0, NULL) != 1)
      fprintf(stderr, "  first message %s\n", nnrp_msg_type_name(types[i]));
    CHECK_ONE_ERROR(&p.s, 0, NNRP_ERROR_CODE_MALFORMED_BODY, NNRP_SCOPE_CONNECTION, 1);
    CHECK_EQ(engine_sent_since(&p.s, 0, 0), 1);
    CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_CLOSED);
    CHECK_EQ(p.s.submits.n, 0);
    engine_pair_free(&p);
  }
  /* A CLOSE or an ERROR first: CLOSED, nothing sent (never answer an ERROR). */
  static const uint8_t quiet[] = {NNRP_MSG_CLOSE, NNRP_MSG_ERROR};
  for (size_t i = 0; i < sizeof quiet; i++) {
    engine_pair p;
    CHECK_RC(engine_pair_init(&p, NULL, NULL, NULL), 0);
    size_t len = craft(pkt, sizeof pkt, quiet[i], 0, 0, 0);
    engine_inject(&p, &p.s, pkt, len);
    engine_collect(&p.s);
    CHECK_SILENT(&p.s, 0);
    CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_CLOSED);
    engine_pair_free(&p);
  }
}

static void test_server_active_table(void) {
  engine_pair p;
  CHECK_RC(engine_pair_init(&p, NULL, NULL, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  uint32_t id = open_frame(&p);
  static const row rows[] = {
      {NNRP_MSG_CLIENT_HELLO, X_INVALID, 0},
      {NNRP_MSG_TRANSPORT_PROBE, X_INVALID, 0},
      {NNRP_MSG_SESSION_MIGRATE, X_INVALID, 0},
      {NNRP_MSG_SERVER_HELLO_ACK, X_INVALID, 0},
      {NNRP_MSG_SESSION_PATCH_ACK, X_INVALID, 0},
      {NNRP_MSG_RESULT_PUSH, X_INVALID, 0},
      {NNRP_MSG_RESULT_DROP, X_INVALID, 0},
      {NNRP_MSG_RESULT_HINT, X_INVALID, 0},
      {NNRP_MSG_TRANSPORT_PROBE_ACK, X_INVALID, 0},
      {NNRP_MSG_SESSION_MIGRATE_ACK, X_INVALID, 0},
      {NNRP_MSG_CACHE_ACK, X_SILENT, 0},    /* answers nothing of the server's: dropped */
      {NNRP_MSG_FRAME_CANCEL, X_SILENT, 0}, /* unknown key: a hint only */
      {NNRP_MSG_PONG, X_SILENT, 0},
      {NNRP_MSG_FLOW_UPDATE, X_SILENT, 0}, /* advisory */
      {NNRP_MSG_PING, X_ANSWER, NNRP_MSG_PONG},
      {NNRP_MSG_SESSION_PATCH, X_ANSWER, NNRP_MSG_SESSION_PATCH_ACK},
      {NNRP_MSG_CACHE_PUT, X_ANSWER, NNRP_MSG_CACHE_ACK},
      {NNRP_MSG_CACHE_INVALIDATE, X_ANSWER, NNRP_MSG_CACHE_ACK},
  };
  run_rows(&p, &p.s, rows, sizeof rows / sizeof rows[0], NNRP_STATE_ACTIVE, id + 1);
  CHECK_EQ(nnrp_conn_in_flight(p.s.conn), 1);
  close_frame(&p, id);
  engine_pair_free(&p);
}

static void test_server_draining_table(void) {
  engine_pair p;
  CHECK_RC(engine_pair_init(&p, NULL, NULL, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  uint32_t id = open_frame(&p);
  /* The server closes: its open frame ends with RESULT_DROP, then CLOSE; it drains until the
   * client's CLOSE (held back here). */
  nnrp_vec why = {(const uint8_t *)"maintenance", 11};
  CHECK_RC(nnrp_conn_close(p.s.conn, why, p.now), 0);
  CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_DRAINING);
  engine_collect(&p.s);
  CHECK_EQ(engine_sent_since(&p.s, 0, NNRP_MSG_RESULT_DROP), 1);
  CHECK_EQ(engine_sent_since(&p.s, 0, NNRP_MSG_CLOSE), 1);
  nnrp_frame_outcome o;
  CHECK_EQ(engine_outcomes_of(&p.s, id, 0, &o), 1);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_DROPPED);
  static const row rows[] = {
      {NNRP_MSG_FRAME_SUBMIT, X_INVALID_FRAME, 0}, {NNRP_MSG_SESSION_PATCH, X_INVALID, 0},
      {NNRP_MSG_CACHE_PUT, X_INVALID, 0},          {NNRP_MSG_CACHE_INVALIDATE, X_INVALID, 0},
      {NNRP_MSG_CLIENT_HELLO, X_SILENT, 0},        {NNRP_MSG_TRANSPORT_PROBE, X_SILENT, 0},
      {NNRP_MSG_SESSION_MIGRATE, X_SILENT, 0},     {NNRP_MSG_SERVER_HELLO_ACK, X_SILENT, 0},
      {NNRP_MSG_SESSION_PATCH_ACK, X_SILENT, 0},   {NNRP_MSG_RESULT_PUSH, X_SILENT, 0},
      {NNRP_MSG_RESULT_DROP, X_SILENT, 0},         {NNRP_MSG_RESULT_HINT, X_SILENT, 0},
      {NNRP_MSG_TRANSPORT_PROBE_ACK, X_SILENT, 0}, {NNRP_MSG_SESSION_MIGRATE_ACK, X_SILENT, 0},
      {NNRP_MSG_FRAME_CANCEL, X_SILENT, 0},        {NNRP_MSG_CACHE_ACK, X_SILENT, 0},
      {NNRP_MSG_FLOW_UPDATE, X_SILENT, 0},         {NNRP_MSG_PONG, X_SILENT, 0},
      {NNRP_MSG_PING, X_ANSWER, NNRP_MSG_PONG},
  };
  run_rows(&p, &p.s, rows, sizeof rows / sizeof rows[0], NNRP_STATE_DRAINING, id + 1);
  CHECK_EQ(p.s.submits.n, 1);
  /* The client gets the drop and the CLOSE, answers with its CLOSE: both CLOSED. */
  for (size_t i = 0; i < p.s.sent.n; i++)
    if (p.s.sent.v[i].type == NNRP_MSG_RESULT_DROP || p.s.sent.v[i].type == NNRP_MSG_CLOSE)
      CHECK_RC(engine_redeliver(&p, &p.c, i), 0);
  engine_flush(&p);
  CHECK_EQ(engine_outcomes_of(&p.c, id, 0, &o), 1);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_DROPPED);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(p.s.closed, 1);
  CHECK_EQ(p.c.closed, 1);

  /* CLOSED: inbound bytes are discarded, nothing is sent, operations refuse. */
  static uint8_t pkt[2048];
  static const uint8_t types[] = {NNRP_MSG_PING, NNRP_MSG_FRAME_SUBMIT, NNRP_MSG_CLIENT_HELLO,
                                  NNRP_MSG_CLOSE, NNRP_MSG_ERROR};
  uint32_t sid = nnrp_conn_session_id(p.s.conn);
  for (size_t i = 0; i < sizeof types; i++) {
    size_t len = craft(pkt, sizeof pkt, types[i], sid, id + 50, 0);
    size_t ms = p.s.sent.n, mc = p.c.sent.n;
    CHECK_RC(engine_inject(&p, &p.s, pkt, len), 0);
    CHECK_RC(engine_inject(&p, &p.c, pkt, len), 0);
    engine_collect(&p.s);
    engine_collect(&p.c);
    CHECK_SILENT(&p.s, ms);
    CHECK_SILENT(&p.c, mc);
  }
  CHECK_RC(nnrp_conn_close(p.c.conn, why, p.now), NNRP_ERR_CLOSED);
  nnrp_frame_submit_input in;
  engine_submit_input(&in);
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, NULL, p.now), NNRP_ERR_INVALID_STATE);
  CHECK_EQ(p.s.submits.n, 1);
  engine_pair_free(&p);
}

static void test_client_negotiating_table(void) {
  /* While NEGOTIATING the client accepts only SERVER_HELLO_ACK, ERROR and CLOSE: anything else
   * is a local invalid_state failure, nothing is sent, the conn closes. */
  static const uint8_t types[] = {
      NNRP_MSG_PING,      NNRP_MSG_RESULT_PUSH,       NNRP_MSG_FLOW_UPDATE, NNRP_MSG_RESULT_HINT,
      NNRP_MSG_CACHE_PUT, NNRP_MSG_SESSION_PATCH_ACK, NNRP_MSG_FRAME_SUBMIT};
  static uint8_t pkt[2048];
  for (size_t i = 0; i < sizeof types; i++) {
    engine_pair p;
    CHECK_RC(engine_pair_init(&p, NULL, NULL, NULL), 0);
    CHECK_RC(nnrp_conn_connect(p.c.conn, p.now), 0);
    engine_collect(&p.c); /* the hello, not delivered */
    size_t mark = p.c.sent.n;
    size_t len = craft(pkt, sizeof pkt, types[i], 7, 1, 0);
    engine_inject(&p, &p.c, pkt, len);
    engine_collect(&p.c);
    if (nnrp_conn_state(p.c.conn) != NNRP_STATE_CLOSED)
      fprintf(stderr, "  NEGOTIATING client kept going after %s\n", nnrp_msg_type_name(types[i]));
    CHECK_SILENT(&p.c, mark);
    CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
    CHECK_EQ(p.c.close_info.cause, NNRP_CLOSE_HANDSHAKE_FAILED);
    const nnrp_failure *f = nnrp_conn_last_error_sent(p.c.conn);
    CHECK(f->valid);
    CHECK_EQ(f->local_error, NNRP_ERR_INVALID_STATE);
    engine_pair_free(&p);
  }
  /* An ERROR answer closes the conn (the handshake was refused); nothing is sent back. */
  engine_pair p;
  CHECK_RC(engine_pair_init(&p, NULL, NULL, NULL), 0);
  CHECK_RC(nnrp_conn_connect(p.c.conn, p.now), 0);
  engine_collect(&p.c);
  size_t mark = p.c.sent.n;
  size_t len = craft(pkt, sizeof pkt, NNRP_MSG_ERROR, 0, 0, 0);
  engine_inject(&p, &p.c, pkt, len);
  engine_collect(&p.c);
  CHECK_SILENT(&p.c, mark);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(p.c.close_info.cause, NNRP_CLOSE_ERROR_RECEIVED);
  CHECK_EQ(p.c.errors.n, 1);
  engine_pair_free(&p);
}

static void test_client_active_table(void) {
  engine_pair p;
  CHECK_RC(engine_pair_init(&p, NULL, NULL, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  uint32_t id = open_frame(&p);
  static const row rows[] = {
      {NNRP_MSG_SERVER_HELLO_ACK, X_INVALID, 0},
      {NNRP_MSG_CLIENT_HELLO, X_INVALID, 0},
      {NNRP_MSG_SESSION_PATCH, X_INVALID, 0},
      {NNRP_MSG_FRAME_SUBMIT, X_INVALID, 0}, /* C->S-only: session scope on the client */
      {NNRP_MSG_FRAME_CANCEL, X_INVALID, 0},
      {NNRP_MSG_TRANSPORT_PROBE, X_INVALID, 0},
      {NNRP_MSG_SESSION_MIGRATE, X_INVALID, 0},
      {NNRP_MSG_TRANSPORT_PROBE_ACK, X_INVALID, 0},
      {NNRP_MSG_SESSION_MIGRATE_ACK, X_INVALID, 0}, /* no migration started */
      {NNRP_MSG_SESSION_PATCH_ACK, X_INVALID, 0},   /* no patch pending */
      {NNRP_MSG_CACHE_ACK, X_SILENT, 0},            /* answers nothing of ours */
      {NNRP_MSG_RESULT_HINT, X_SILENT, 0},
      {NNRP_MSG_FLOW_UPDATE, X_SILENT, 0},
      {NNRP_MSG_PONG, X_SILENT, 0},
      {NNRP_MSG_PING, X_ANSWER, NNRP_MSG_PONG},
      {NNRP_MSG_CACHE_PUT, X_ANSWER, NNRP_MSG_CACHE_ACK},
      {NNRP_MSG_CACHE_INVALIDATE, X_ANSWER, NNRP_MSG_CACHE_ACK},
  };
  run_rows(&p, &p.c, rows, sizeof rows / sizeof rows[0], NNRP_STATE_ACTIVE, id + 1);
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 1);
  CHECK_EQ(p.c.outcomes.n, 0);
  close_frame(&p, id);
  engine_pair_free(&p);
}

static void test_client_draining_table(void) {
  engine_pair p;
  CHECK_RC(engine_pair_init(&p, NULL, NULL, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  uint32_t id = open_frame(&p);
  /* The client closes with a frame in flight: CLOSE goes out (held back here), the client
   * keeps consuming results while DRAINING. */
  nnrp_vec none = {NULL, 0};
  CHECK_RC(nnrp_conn_close(p.c.conn, none, p.now), 0);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_DRAINING);
  engine_collect(&p.c);
  CHECK_EQ(engine_sent_since(&p.c, 0, NNRP_MSG_CLOSE), 1);
  nnrp_frame_submit_input in;
  engine_submit_input(&in);
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, NULL, p.now), NNRP_ERR_INVALID_STATE);
  static const row rows[] = {
      {NNRP_MSG_CLIENT_HELLO, X_SILENT, 0},        {NNRP_MSG_SESSION_PATCH, X_SILENT, 0},
      {NNRP_MSG_FRAME_SUBMIT, X_SILENT, 0},        {NNRP_MSG_FRAME_CANCEL, X_SILENT, 0},
      {NNRP_MSG_TRANSPORT_PROBE, X_SILENT, 0},     {NNRP_MSG_SESSION_MIGRATE, X_SILENT, 0},
      {NNRP_MSG_SERVER_HELLO_ACK, X_SILENT, 0},    {NNRP_MSG_SESSION_MIGRATE_ACK, X_SILENT, 0},
      {NNRP_MSG_TRANSPORT_PROBE_ACK, X_SILENT, 0}, {NNRP_MSG_SESSION_PATCH_ACK, X_SILENT, 0},
      {NNRP_MSG_CACHE_PUT, X_SILENT, 0},           {NNRP_MSG_CACHE_INVALIDATE, X_SILENT, 0},
      {NNRP_MSG_CACHE_ACK, X_SILENT, 0},           {NNRP_MSG_RESULT_HINT, X_SILENT, 0},
      {NNRP_MSG_FLOW_UPDATE, X_SILENT, 0},         {NNRP_MSG_PONG, X_SILENT, 0},
      {NNRP_MSG_PING, X_ANSWER, NNRP_MSG_PONG},
  };
  run_rows(&p, &p.c, rows, sizeof rows / sizeof rows[0], NNRP_STATE_DRAINING, id + 1);
  /* The result of the frame in flight is still delivered, exactly once. */
  static uint8_t pkt[2048];
  size_t len = craft(pkt, sizeof pkt, NNRP_MSG_RESULT_PUSH, nnrp_conn_session_id(p.c.conn), id, 0);
  CHECK_RC(engine_inject(&p, &p.c, pkt, len), 0);
  nnrp_frame_outcome o;
  CHECK_EQ(engine_outcomes_of(&p.c, id, 0, &o), 1);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_DELIVERED);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_DRAINING);
  /* The server's CLOSE completes the close. */
  len = craft(pkt, sizeof pkt, NNRP_MSG_CLOSE, nnrp_conn_session_id(p.c.conn), 0, 0);
  CHECK_RC(engine_inject(&p, &p.c, pkt, len), 0);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(p.c.close_info.cause, NNRP_CLOSE_LOCAL);
  CHECK_EQ(engine_outcomes_of(&p.c, id, 0, NULL), 1);
  engine_pair_free(&p);
}

/* ---- frame ids, unknown frames, credit, cache --------------------------------------------------
 */

/* A crafted FRAME_SUBMIT reaches the server; returns the server's log mark before it. */
static size_t inject_submit(engine_pair *p, uint32_t frame, uint16_t view) {
  static uint8_t pkt[2048];
  size_t len =
      craft(pkt, sizeof pkt, NNRP_MSG_FRAME_SUBMIT, nnrp_conn_session_id(p->s.conn), frame, view);
  size_t mark = p->s.sent.n;
  CHECK_RC(engine_inject(p, &p->s, pkt, len), 0);
  engine_collect(&p->s); /* answers are inspected, not delivered to the client */
  return mark;
}

static void test_duplicate_and_bad_frame_ids(void) {
  engine_pair p;
  CHECK_RC(engine_pair_init(&p, NULL, NULL, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  uint32_t a = open_frame(&p);
  uint32_t b = engine_submit_simple(&p, 1);
  engine_flush(&p);
  CHECK_EQ(nnrp_conn_in_flight(p.s.conn), 2);

  /* The same key again: invalid_state, frame scope; the original is untouched. */
  size_t mark = inject_submit(&p, a, 0);
  CHECK_FRAME_ERROR(&p.s, mark, NNRP_ERROR_CODE_INVALID_STATE, a, 0);
  /* Frame id 0, and an id below the highest one seen on the view. */
  mark = inject_submit(&p, 0, 0);
  CHECK_FRAME_ERROR(&p.s, mark, NNRP_ERROR_CODE_INVALID_STATE, 0, 0);
  mark = inject_submit(&p, b + 5, 1);
  CHECK_EQ(engine_errors_since(&p.s, mark, NULL), 0); /* admitted */
  mark = inject_submit(&p, b + 3, 1);
  CHECK_FRAME_ERROR(&p.s, mark, NNRP_ERROR_CODE_INVALID_STATE, b + 3, 1);
  /* The same id on another view is another lifecycle. */
  mark = inject_submit(&p, a, 2);
  CHECK_EQ(engine_errors_since(&p.s, mark, NULL), 0);
  /* A view outside the negotiated lanes: limit_exceeded, frame scope. */
  mark = inject_submit(&p, b + 9, 9);
  CHECK_FRAME_ERROR(&p.s, mark, NNRP_ERROR_CODE_LIMIT_EXCEEDED, b + 9, 9);
  CHECK_EQ(nnrp_conn_in_flight(p.s.conn), 4);
  CHECK_EQ(p.s.submits.n, 4);

  /* The client refuses its own bad ids locally. */
  nnrp_frame_submit_input in;
  engine_submit_input(&in);
  in.packet.frame_id = a;
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, NULL, p.now), NNRP_ERR_FRAME_ID);
  in.packet.frame_id = 0;
  in.packet.view_id = 9;
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, NULL, p.now), NNRP_ERR_VIEW_ID);
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 2);

  /* The real frames complete normally, one outcome each; a reused key after completion is
   * refused as well. */
  close_frame(&p, a);
  nnrp_result_push_input r;
  engine_result_input(&r, b, 1);
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  engine_flush(&p);
  CHECK_EQ(engine_outcomes_of(&p.c, b, 1, NULL), 1);
  mark = inject_submit(&p, a, 0);
  CHECK_FRAME_ERROR(&p.s, mark, NNRP_ERROR_CODE_INVALID_STATE, a, 0);
  CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_ACTIVE);
  engine_pair_free(&p);
}

static void test_results_for_unknown_frames(void) {
  engine_pair p;
  CHECK_RC(engine_pair_init(&p, NULL, NULL, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  uint32_t open = open_frame(&p);
  uint32_t done = engine_submit_simple(&p, 0);
  engine_flush(&p);
  nnrp_result_push_input r;
  engine_result_input(&r, done, 0);
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  engine_flush(&p);
  CHECK_EQ(engine_outcomes_of(&p.c, done, 0, NULL), 1);
  uint32_t sid = nnrp_conn_session_id(p.c.conn);
  static uint8_t pkt[2048];

  /* Never submitted: ERROR invalid_state, frame scope, related ids. */
  static const uint8_t terminal[] = {NNRP_MSG_RESULT_PUSH, NNRP_MSG_RESULT_DROP};
  for (size_t i = 0; i < 2; i++) {
    size_t len = craft(pkt, sizeof pkt, terminal[i], sid, 999 + (uint32_t)i, 3);
    size_t mark = p.c.sent.n;
    CHECK_RC(engine_inject(&p, &p.c, pkt, len), 0);
    engine_collect(&p.c);
    CHECK_FRAME_ERROR(&p.c, mark, NNRP_ERROR_CODE_INVALID_STATE, 999 + i, 3);
  }
  CHECK_EQ(nnrp_conn_counters_get(p.c.conn)->results_unknown, 2);
  /* Finished already (duplicate / late): discarded silently, still one outcome. */
  for (size_t i = 0; i < 2; i++) {
    size_t len = craft(pkt, sizeof pkt, terminal[i], sid, done, 0);
    size_t mark = p.c.sent.n;
    CHECK_RC(engine_inject(&p, &p.c, pkt, len), 0);
    engine_collect(&p.c);
    CHECK_SILENT(&p.c, mark);
  }
  CHECK_EQ(engine_outcomes_of(&p.c, done, 0, NULL), 1);
  CHECK_EQ(p.c.results.n, 1);
  CHECK(nnrp_conn_counters_get(p.c.conn)->results_discarded >= 2);
  /* A frame-scope ERROR about an unknown frame is never answered. */
  nnrp_error_meta em;
  memset(&em, 0, sizeof em);
  em.error_code = NNRP_ERROR_CODE_FRAME_EXPIRED;
  em.error_scope = NNRP_SCOPE_FRAME;
  em.related_session_id = sid;
  em.related_frame_id = 4242;
  nnrp_packet_params pp = {sid, 4242, 0, 0, 0, 0};
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, pkt, sizeof pkt);
  nnrp_vec none = {NULL, 0};
  CHECK_RC(nnrp_build_error(&pp, &em, none, &s), 0);
  size_t mark = p.c.sent.n;
  CHECK_RC(engine_inject(&p, &p.c, pkt, s.len), 0);
  engine_collect(&p.c);
  CHECK_SILENT(&p.c, mark);
  /* A result with another session id: invalid_state, session scope. */
  size_t len = craft(pkt, sizeof pkt, NNRP_MSG_RESULT_PUSH, sid + 1, open, 0);
  mark = p.c.sent.n;
  CHECK_RC(engine_inject(&p, &p.c, pkt, len), 0);
  engine_collect(&p.c);
  CHECK_ONE_ERROR(&p.c, mark, NNRP_ERROR_CODE_INVALID_STATE, NNRP_SCOPE_SESSION, 0);
  /* None of it touched the open frame. */
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 1);
  CHECK_EQ(engine_outcomes_of(&p.c, open, 0, NULL), 0);
  close_frame(&p, open);
  engine_pair_free(&p);
}

static void test_over_credit_submit(void) {
  engine_pair p;
  nnrp_settings st;
  engine_settings(&st);
  st.server.max_concurrent_frames = 3;
  CHECK_RC(engine_pair_init(&p, &st, &st, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  uint32_t a = open_frame(&p);

  /* Credit 1 granted: the client refuses locally; a client that submits anyway is refused by
   * the server with RESULT_HINT queue_full, then ERROR limit_exceeded (frame scope). */
  nnrp_flow_update_meta m;
  memset(&m, 0, sizeof m);
  m.scope_kind = NNRP_FLOW_SCOPE_SESSION;
  m.session_credit = 1;
  m.flags = NNRP_FLOW_CREDIT_VALID;
  CHECK_RC(nnrp_conn_send_flow_update(p.s.conn, &m, p.now), 0);
  engine_flush(&p);
  nnrp_frame_submit_input in;
  engine_submit_input(&in);
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, NULL, p.now), NNRP_ERR_WOULD_BLOCK);
  size_t mark = inject_submit(&p, a + 1, 0);
  CHECK_FRAME_ERROR(&p.s, mark, NNRP_ERROR_CODE_LIMIT_EXCEEDED, a + 1, 0);
  nnrp_packet hint;
  CHECK(engine_last_sent(&p.s, mark, NNRP_MSG_RESULT_HINT, &hint) == (long)mark);
  CHECK_EQ(hint.header.frame_id, a + 1);
  CHECK_EQ(hint.meta.result_hint.reason, NNRP_DROP_QUEUE_FULL);
  CHECK(hint.meta.result_hint.congestion_state >= 2); /* elevated or worse */
  CHECK_EQ(p.s.submits.n, 1);

  /* More credit, but beyond max_concurrent_frames: the same answer. */
  m.session_credit = 100;
  CHECK_RC(nnrp_conn_send_flow_update(p.s.conn, &m, p.now), 0);
  engine_flush(&p);
  CHECK(engine_submit_simple(&p, 0) != 0);
  CHECK(engine_submit_simple(&p, 0) != 0);
  engine_flush(&p);
  CHECK_EQ(nnrp_conn_in_flight(p.s.conn), 3);
  uint32_t next = a + 10;
  mark = inject_submit(&p, next, 0);
  CHECK_FRAME_ERROR(&p.s, mark, NNRP_ERROR_CODE_LIMIT_EXCEEDED, next, 0);
  CHECK_EQ(engine_sent_since(&p.s, mark, NNRP_MSG_RESULT_HINT), 1);

  /* Paused: nothing is admitted, even with room. */
  for (size_t i = 0; i < p.s.submits.n; i++)
    if (p.s.submits.v[i].frame_id != a) {
      nnrp_result_push_input r;
      engine_result_input(&r, p.s.submits.v[i].frame_id, 0);
      CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
    }
  engine_flush(&p);
  CHECK_EQ(nnrp_conn_in_flight(p.s.conn), 1);
  memset(&m, 0, sizeof m);
  m.scope_kind = NNRP_FLOW_SCOPE_SESSION;
  m.update_reason = NNRP_FLOW_PAUSE;
  CHECK_RC(nnrp_conn_send_flow_update(p.s.conn, &m, p.now), 0);
  engine_flush(&p);
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, NULL, p.now), NNRP_ERR_FLOW_PAUSED);
  mark = inject_submit(&p, next + 1, 0);
  CHECK_FRAME_ERROR(&p.s, mark, NNRP_ERROR_CODE_LIMIT_EXCEEDED, next + 1, 0);
  /* The frame that was admitted first never noticed. */
  CHECK_EQ(nnrp_conn_in_flight(p.s.conn), 1);
  m.update_reason = NNRP_FLOW_RESUME;
  CHECK_RC(nnrp_conn_send_flow_update(p.s.conn, &m, p.now), 0);
  engine_flush(&p);
  close_frame(&p, a);
  engine_pair_free(&p);
}

static void test_cache_miss_keeps_other_frames(void) {
  engine_pair p;
  CHECK_RC(engine_pair_init(&p, NULL, NULL, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  uint32_t a = open_frame(&p);
  static const uint16_t ids[1] = {3};
  nnrp_object_ref ref = {NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 1, 2, 3};
  nnrp_frame_submit_input in;
  engine_submit_input(&in);
  in.tile_ids = ids;
  in.tile_id_count = 1;
  in.submit_mode = NNRP_SUBMIT_REFERENCE;
  in.object_ref_mask = NNRP_REF_TILE_INDEX_BLOCK;
  in.tile_index_reference = &ref;
  uint32_t b = 0;
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, &b, p.now), 0);
  size_t mark = p.s.sent.n;
  engine_flush(&p);
  CHECK_FRAME_ERROR(&p.s, mark, NNRP_ERROR_CODE_CACHE_MISS, b, 0);
  nnrp_frame_outcome o;
  CHECK_EQ(engine_outcomes_of(&p.c, b, 0, &o), 1);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_REJECTED);
  CHECK_EQ(o.error_code, NNRP_ERROR_CODE_CACHE_MISS);
  CHECK_EQ(engine_outcomes_of(&p.s, b, 0, NULL), 0); /* never admitted */
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 1);
  close_frame(&p, a);
  engine_pair_free(&p);
}

/* ---- malformed packets and header corruption ------------------------------------------------ */

static void test_malformed_packets(void) {
  engine_pair p;
  nnrp_settings st;
  engine_settings(&st);
  st.server.max_body_bytes = 1024;
  CHECK_RC(engine_pair_init(&p, &st, &st, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  uint32_t a = open_frame(&p);
  uint32_t sid = nnrp_conn_session_id(p.s.conn);
  static uint8_t pkt[8192];

  /* A FRAME_SUBMIT whose tensor body breaks a section rule: malformed_body, frame scope. */
  static const uint16_t ids[2] = {0, 1};
  static const uint8_t t0[3] = {1, 2, 3}, t1[5] = {4, 5, 6, 7, 8};
  nnrp_vec tiles[2] = {{t0, 3}, {t1, 5}};
  nnrp_tensor_section_data sec;
  memset(&sec, 0, sizeof sec);
  sec.role_id = 1;
  sec.dtype_id = NNRP_DTYPE_UINT8;
  sec.element_count_per_tile = 1;
  sec.tile_payloads = tiles;
  sec.tile_payload_count = 2;
  nnrp_frame_submit_input in;
  engine_submit_input(&in);
  in.packet.session_id = sid;
  in.packet.frame_id = a + 1;
  in.tile_ids = ids;
  in.tile_id_count = 2;
  in.sections = &sec;
  in.section_count = 1;
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, pkt, sizeof pkt);
  CHECK_RC(nnrp_build_frame_submit(&in, &s), 0);
  /* Legacy body: tile index (4 bytes) + padding to 8, then the section descriptor; its
   * payload_bytes (descriptor offset 20) no longer matches the length table. */
  size_t desc = NNRP_HEADER_LEN + NNRP_FRAME_SUBMIT_META_LEN + 8;
  engine_st32(pkt + desc + 20, 9);
  size_t mark = p.s.sent.n;
  CHECK_RC(engine_inject(&p, &p.s, pkt, s.len), 0);
  engine_collect(&p.s);
  CHECK_FRAME_ERROR(&p.s, mark, NNRP_ERROR_CODE_MALFORMED_BODY, a + 1, 0);

  /* Control messages with broken metadata: malformed_body, session scope. */
  size_t len = craft(pkt, sizeof pkt, NNRP_MSG_SESSION_PATCH, sid, 0, 0);
  engine_st32(pkt + NNRP_HEADER_LEN + 4, 0x80); /* an unknown patch field bit */
  mark = p.s.sent.n;
  CHECK_RC(engine_inject(&p, &p.s, pkt, len), 0);
  engine_collect(&p.s);
  /* (unknown mask bits are a patch rejection, not a codec error: an ACK, no ERROR) */
  CHECK_EQ(engine_errors_since(&p.s, mark, NULL), 0);
  CHECK_EQ(engine_sent_since(&p.s, mark, NNRP_MSG_SESSION_PATCH_ACK), 1);
  len = craft(pkt, sizeof pkt, NNRP_MSG_SESSION_PATCH, sid, 0, 0);
  pkt[NNRP_HEADER_LEN + 2] = 1; /* reserved0 */
  mark = p.s.sent.n;
  CHECK_RC(engine_inject(&p, &p.s, pkt, len), 0);
  engine_collect(&p.s);
  CHECK_ONE_ERROR(&p.s, mark, NNRP_ERROR_CODE_MALFORMED_BODY, NNRP_SCOPE_SESSION, 0);
  uint8_t junk[4] = {0};
  len = engine_raw_packet(pkt, sizeof pkt, NNRP_MSG_PING, sid, 0, 0, junk, 4, NULL, 0);
  mark = p.s.sent.n;
  CHECK_RC(engine_inject(&p, &p.s, pkt, len), 0);
  engine_collect(&p.s);
  CHECK_ONE_ERROR(&p.s, mark, NNRP_ERROR_CODE_MALFORMED_BODY, NNRP_SCOPE_SESSION, 0);
  CHECK_EQ(engine_sent_since(&p.s, mark, NNRP_MSG_PONG), 0);

  /* Header session id of another session: invalid_state, session scope. */
  len = craft(pkt, sizeof pkt, NNRP_MSG_PING, sid + 1, 0, 0);
  mark = p.s.sent.n;
  CHECK_RC(engine_inject(&p, &p.s, pkt, len), 0);
  engine_collect(&p.s);
  CHECK_ONE_ERROR(&p.s, mark, NNRP_ERROR_CODE_INVALID_STATE, NNRP_SCOPE_SESSION, 0);

  /* body_len above max_body_bytes: limit_exceeded, frame scope, and the packet is skipped so
   * that the next packet of the same read is still understood. */
  static uint8_t big[2048];
  nnrp_frame_submit_meta fm;
  nnrp_frame_submit_meta_init(&fm);
  uint8_t meta[72];
  CHECK_RC(nnrp_frame_submit_meta_encode(&fm, meta), 0);
  len = engine_raw_packet(pkt, sizeof pkt, NNRP_MSG_FRAME_SUBMIT, sid, a + 2, 0, meta, 72, big,
                          sizeof big);
  len += craft(pkt + len, sizeof pkt - len, NNRP_MSG_PING, sid, 0, 0);
  mark = p.s.sent.n;
  CHECK_RC(engine_inject(&p, &p.s, pkt, len), 0);
  engine_collect(&p.s);
  CHECK_FRAME_ERROR(&p.s, mark, NNRP_ERROR_CODE_LIMIT_EXCEEDED, a + 2, 0);
  CHECK_EQ(engine_sent_since(&p.s, mark, NNRP_MSG_PONG), 1);
  /* The same split into small pieces. */
  mark = p.s.sent.n;
  for (size_t off = 0; off < len; off += 100)
    CHECK_RC(engine_inject(&p, &p.s, pkt + off, len - off < 100 ? len - off : 100), 0);
  engine_collect(&p.s);
  CHECK_FRAME_ERROR(&p.s, mark, NNRP_ERROR_CODE_LIMIT_EXCEEDED, a + 2, 0);
  CHECK_EQ(engine_sent_since(&p.s, mark, NNRP_MSG_PONG), 1);

  CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_ACTIVE);
  CHECK_EQ(p.s.submits.n, 1);
  close_frame(&p, a);
  engine_pair_free(&p);
}

/* Header corruption breaks the byte stream: ERROR (connection scope, fatal), CLOSED at once,
 * and every open frame of that side ends exactly once. */
static void test_header_corruption(void) {
  struct {
    const char *what;
    size_t off;
    uint8_t value;
    uint32_t code;
  } cases[] = {
      {"magic", 0, 'X', NNRP_ERROR_CODE_MALFORMED_HEADER},
      {"version_major 2", 4, 2, NNRP_ERROR_CODE_UNSUPPORTED_VERSION},
      {"wire_format 1", 5, 1, NNRP_ERROR_CODE_MALFORMED_HEADER},
      {"unknown msg_type", 6, 0x7F, NNRP_ERROR_CODE_MALFORMED_HEADER},
      {"header_len 41", 7, 41, NNRP_ERROR_CODE_MALFORMED_HEADER},
      {"reserved flag bit", 9, 0x01, NNRP_ERROR_CODE_MALFORMED_HEADER},
      {"declared length above the packet limit", 15, 0x10, NNRP_ERROR_CODE_LIMIT_EXCEEDED},
  };
  static uint8_t pkt[2048];
  for (int side = 0; side < 2; side++) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
      engine_pair p;
      nnrp_settings st;
      engine_settings(&st);
      st.max_packet_bytes = 1 << 20;
      CHECK_RC(engine_pair_init(&p, &st, &st, NULL), 0);
      CHECK_RC(engine_handshake(&p), 0);
      uint32_t a = open_frame(&p), b = engine_submit_simple(&p, 1);
      engine_flush(&p);
      engine_side *to = side ? &p.c : &p.s;
      size_t len = craft(pkt, sizeof pkt, NNRP_MSG_PING, nnrp_conn_session_id(to->conn), 0, 0);
      pkt[cases[i].off] = cases[i].value;
      size_t mark = to->sent.n;
      int rc = engine_inject(&p, to, pkt, len);
      engine_collect(to);
      if (engine_errors_since(to, mark, NULL) != 1 || rc >= 0)
        fprintf(stderr, "  %s: %s\n", to->name, cases[i].what);
      CHECK(rc < 0); /* the connection cannot continue */
      CHECK_ONE_ERROR(to, mark, cases[i].code, NNRP_SCOPE_CONNECTION, 1);
      CHECK_EQ(nnrp_conn_state(to->conn), NNRP_STATE_CLOSED);
      CHECK_EQ(to->closed, 1);
      nnrp_frame_outcome o;
      CHECK_EQ(engine_outcomes_of(to, a, 0, &o), 1);
      CHECK_EQ(engine_outcomes_of(to, b, 1, NULL), 1);
      CHECK_EQ(nnrp_conn_in_flight(to->conn), 0);
      /* Later bytes are discarded. */
      mark = to->sent.n;
      len = craft(pkt, sizeof pkt, NNRP_MSG_PING, nnrp_conn_session_id(to->conn), 0, 0);
      CHECK_RC(engine_inject(&p, to, pkt, len), 0);
      engine_collect(to);
      CHECK_SILENT(to, mark);
      engine_pair_free(&p);
    }
  }
}

/* Two sessions side by side: one is attacked (a broken stream, then garbage), the other goes
 * on as if nothing happened. */
static void test_other_sessions_untouched(void) {
  engine_pair a, b;
  CHECK_RC(engine_pair_init(&a, NULL, NULL, NULL), 0);
  CHECK_RC(engine_pair_init(&b, NULL, NULL, NULL), 0);
  CHECK_RC(engine_handshake(&a), 0);
  CHECK_RC(engine_handshake(&b), 0);
  uint32_t fa = open_frame(&a), fb = open_frame(&b);
  static uint8_t junk[512];
  for (size_t i = 0; i < sizeof junk; i++) junk[i] = (uint8_t)(i * 37 + 11);
  memcpy(junk, "NNRP\x01\x00\x10\x28", 8); /* a header start, then nonsense */
  CHECK(engine_inject(&a, &a.s, junk, sizeof junk) < 0);
  CHECK(engine_inject(&a, &a.c, junk, sizeof junk) < 0);
  CHECK_EQ(nnrp_conn_state(a.s.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(nnrp_conn_state(a.c.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(engine_outcomes_of(&a.c, fa, 0, NULL), 1);
  CHECK_EQ(engine_outcomes_of(&a.s, fa, 0, NULL), 1);
  CHECK_EQ(nnrp_conn_state(b.s.conn), NNRP_STATE_ACTIVE);
  CHECK_EQ(nnrp_conn_in_flight(b.s.conn), 1);
  CHECK_EQ(b.s.read_failures + b.c.read_failures, 0);
  close_frame(&b, fb);
  CHECK_EQ(engine_errors_since(&b.s, 0, NULL) + engine_errors_since(&b.c, 0, NULL), 0);
  engine_pair_free(&a);
  engine_pair_free(&b);
}

int main(void) {
  RUN(test_server_init_accepts_only_the_handshake);
  RUN(test_server_active_table);
  RUN(test_server_draining_table);
  RUN(test_client_negotiating_table);
  RUN(test_client_active_table);
  RUN(test_client_draining_table);
  RUN(test_duplicate_and_bad_frame_ids);
  RUN(test_results_for_unknown_frames);
  RUN(test_over_credit_submit);
  RUN(test_cache_miss_keeps_other_frames);
  RUN(test_malformed_packets);
  RUN(test_header_corruption);
  RUN(test_other_sessions_untouched);
  return TEST_REPORT();
}
