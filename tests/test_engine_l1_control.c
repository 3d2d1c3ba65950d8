/*
 * Preview2 conformance cases of l1-control-plane (session.md §8.3), shown through a real client
 * engine and a real server engine wired together in memory with a simulated clock: what the
 * engines put on the wire round-trips byte-exactly, hostile variants are answered with the
 * ERROR the spec names, and the session-level behaviour (send window, hint labels, cache
 * admission, probe answers) is what §4, §5 and transport §4 demand.
 */
#include <jansson.h>

#include "engine_check.h"
#include "vec_json.h"

#define SID 21u /* the session id of the golden FLOW_UPDATE / RESULT_HINT packets */

/* ---- helpers -----------------------------------------------------------------------------------
 */

/* A named hex vector of wire-control-hex-vectors.json (malloc'd). */
static uint8_t *control_vector(const char *name, size_t *len) {
  json_t *root = vec_load("wire-control-hex-vectors.json");
  uint8_t *out = NULL;
  const char *groups[] = {"transcribed", "derived"};
  for (size_t g = 0; g < 2 && !out; g++) {
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(root, groups[g]), i, v) {
      if (strcmp(json_string_value(json_object_get(v, "name")), name) == 0) {
        out = test_hex_decode(json_string_value(json_object_get(v, "hex")), len);
        break;
      }
    }
  }
  json_decref(root);
  if (!out) fprintf(stderr, "vector %s not found\n", name);
  return out;
}

/* Decode a packet and build it again from the decoded fields with `rebuild`: same bytes. */
typedef int (*rebuild_fn)(const nnrp_packet *p, nnrp_sink *sink);

static nnrp_packet_params params_of(const nnrp_header *h) {
  nnrp_packet_params pp;
  memset(&pp, 0, sizeof pp);
  pp.session_id = h->session_id;
  pp.frame_id = h->frame_id;
  pp.view_id = h->view_id;
  pp.route_id = h->route_id;
  pp.trace_id = h->trace_id;
  pp.flags = h->flags;
  return pp;
}

static int rebuild_flow(const nnrp_packet *p, nnrp_sink *s) {
  nnrp_packet_params pp = params_of(&p->header);
  return nnrp_build_flow_update(&pp, &p->meta.flow_update, s);
}
static int rebuild_hint(const nnrp_packet *p, nnrp_sink *s) {
  nnrp_packet_params pp = params_of(&p->header);
  return nnrp_build_result_hint(&pp, &p->meta.result_hint, s);
}
static int rebuild_cache_put(const nnrp_packet *p, nnrp_sink *s) {
  nnrp_packet_params pp = params_of(&p->header);
  return nnrp_build_cache_put(&pp, &p->meta.cache_put, p->body, s);
}
static int rebuild_cache_ack(const nnrp_packet *p, nnrp_sink *s) {
  nnrp_packet_params pp = params_of(&p->header);
  return nnrp_build_cache_ack(&pp, &p->meta.cache_ack, s);
}
static int rebuild_cache_inv(const nnrp_packet *p, nnrp_sink *s) {
  nnrp_packet_params pp = params_of(&p->header);
  return nnrp_build_cache_invalidate(&pp, &p->meta.cache_invalidate, s);
}
static int rebuild_probe(const nnrp_packet *p, nnrp_sink *s) {
  nnrp_packet_params pp = params_of(&p->header);
  return nnrp_build_transport_probe(&pp, &p->meta.transport_probe, p->body, s);
}
static int rebuild_probe_ack(const nnrp_packet *p, nnrp_sink *s) {
  nnrp_packet_params pp = params_of(&p->header);
  return nnrp_build_transport_probe_ack(&pp, &p->meta.transport_probe_ack, s);
}

#define CHECK_ROUNDTRIP(bytes, n, fn)                                \
  do {                                                               \
    nnrp_packet rp_;                                                 \
    uint8_t rb_[8192];                                               \
    nnrp_sink rs_;                                                   \
    CHECK_RC(nnrp_packet_decode(&rp_, (bytes), (n), NULL, NULL), 0); \
    nnrp_sink_init_buffer(&rs_, rb_, sizeof rb_);                    \
    CHECK_RC(fn(&rp_, &rs_), 0);                                     \
    CHECK_MEM(rb_, rs_.len, (bytes), (n));                           \
  } while (0)

/* The same for the i-th packet a side sent. */
#define CHECK_ROUNDTRIP_SENT(side, i, fn) \
  CHECK_ROUNDTRIP((side)->sent.v[(i)].bytes, (side)->sent.v[(i)].len, fn)

static void settings_sid(nnrp_settings *s, uint32_t sid) {
  engine_settings(s);
  s->client.hello.requested_session_id = sid;
}

static nnrp_window_info window_of(nnrp_conn *c) {
  nnrp_window_info w;
  nnrp_conn_window(c, &w);
  return w;
}

/* ---- l1.flow_update.metadata.validation ---------------------------------------------------------
 */

static nnrp_flow_update_meta flow(uint8_t scope, uint8_t reason, uint16_t credit, uint32_t epoch) {
  nnrp_flow_update_meta m;
  memset(&m, 0, sizeof m);
  m.scope_kind = scope;
  m.update_reason = reason;
  m.credit_epoch = epoch;
  if (credit != UINT16_MAX) {
    m.flags = NNRP_FLOW_CREDIT_VALID;
    if (scope == NNRP_FLOW_SCOPE_CONNECTION) m.connection_credit = credit;
    if (scope == NNRP_FLOW_SCOPE_SESSION) m.session_credit = credit;
    if (scope == NNRP_FLOW_SCOPE_OPERATION) m.operation_credit = credit;
  }
  if (scope == NNRP_FLOW_SCOPE_OPERATION) m.operation_id = 0x1122334455667788u;
  return m;
}

/* The server sends `m`; the client receives it: returns the client's `applied` flag. */
static int server_flow(engine_pair *p, nnrp_flow_update_meta m) {
  size_t before = p->c.flows.n;
  CHECK_RC(nnrp_conn_send_flow_update(p->s.conn, &m, p->now), 0);
  engine_flush(p);
  CHECK_EQ(p->c.flows.n, before + 1);
  return p->c.flows.n > before ? p->c.flows.v[before].applied : -1;
}

/* A crafted FLOW_UPDATE: header session id, metadata bytes and a zero body as given, with no
 * check at all. */
static size_t bad_flow(uint8_t *buf, size_t cap, uint32_t sid, const uint8_t *meta, size_t meta_len,
                       size_t body_len) {
  uint8_t body[8] = {0};
  return engine_raw_packet(buf, cap, NNRP_MSG_FLOW_UPDATE, sid, 0, 0, meta, meta_len, body,
                           body_len);
}

static void flow_meta_bytes(uint8_t out[32], nnrp_flow_update_meta m) {
  /* Valid metadata, encoded with the codec; callers break one field afterwards. */
  CHECK_RC(nnrp_flow_update_meta_encode(&m, out), 0);
}

static void flow_roundtrip(void) {
  engine_pair p;
  nnrp_settings cs;
  settings_sid(&cs, SID);
  CHECK_RC(engine_pair_init(&p, &cs, &cs, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  CHECK_EQ(nnrp_conn_session_id(p.c.conn), SID);

  /* (a) one update per scope, from the server engine; the client sees each one. */
  static const uint8_t scopes[] = {NNRP_FLOW_SCOPE_CONNECTION, NNRP_FLOW_SCOPE_SESSION,
                                   NNRP_FLOW_SCOPE_OPERATION};
  for (size_t i = 0; i < 3; i++) {
    size_t mark = p.s.sent.n;
    nnrp_flow_update_meta m = flow(scopes[i], NNRP_FLOW_GRANT, 6, 0);
    CHECK_EQ(server_flow(&p, m), 1);
    long at = engine_last_sent(&p.s, mark, NNRP_MSG_FLOW_UPDATE, NULL);
    CHECK(at >= 0);
    if (at < 0) continue;
    CHECK_ROUNDTRIP_SENT(&p.s, at, rebuild_flow);
    const engine_flow_rec *r = &p.c.flows.v[p.c.flows.n - 1];
    CHECK_EQ(r->header.session_id, scopes[i] == NNRP_FLOW_SCOPE_CONNECTION ? 0 : SID);
    CHECK_EQ(r->meta.scope_kind, scopes[i]);
    CHECK_EQ(r->meta.credit_epoch, 1); /* epoch 0 asks for the next epoch of the scope */
  }
  /* The operation scope is recorded only: the window is min(8, connection credit 6). */
  CHECK_EQ(window_of(p.c.conn).window, 6);

  /* The golden packet (session 21, route 6) decodes, re-encodes identically and is applied. */
  size_t glen = 0;
  uint8_t *golden = control_vector("current.packet.flow_update", &glen);
  if (golden) {
    CHECK_ROUNDTRIP(golden, glen, rebuild_flow);
    size_t mark = p.c.sent.n, flows = p.c.flows.n;
    CHECK_RC(engine_inject(&p, &p.c, golden, glen), 0);
    engine_collect(&p.c);
    CHECK_SILENT(&p.c, mark); /* a non-zero route id is not an error (§8.2 note) */
    CHECK_EQ(p.c.flows.n, flows + 1);
    nnrp_window_info w = window_of(p.c.conn);
    CHECK_EQ(w.window, 1); /* session credit 1 */
    CHECK_EQ(w.backpressure, NNRP_BACKPRESSURE_HARD);
    CHECK_EQ(w.session_epoch, 5);
    CHECK_EQ(w.resume_not_before, p.now + 40 * MS); /* congestion with retry 40 ms */
    CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), NNRP_ERR_FLOW_HARD_BACKPRESSURE);
    free(golden);
  }
  engine_pair_free(&p);
}

static void flow_rejections(void) {
  engine_pair p;
  nnrp_settings cs;
  settings_sid(&cs, SID);
  CHECK_RC(engine_pair_init(&p, &cs, &cs, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  CHECK_EQ(server_flow(&p, flow(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_GRANT, 3, 4)), 1);
  nnrp_window_info before = window_of(p.c.conn);
  CHECK_EQ(before.window, 3);

  struct {
    const char *what;
    nnrp_flow_update_meta m;
    int offset, value; /* one byte of the encoded metadata set to value (-1: none) */
    uint32_t header_sid;
    size_t meta_len, body_len;
    uint32_t code;
  } cases[] = {
      {"scope 3", flow(1, 0, 5, 9), 0, 3, SID, 32, 0, NNRP_ERROR_CODE_MALFORMED_BODY},
      {"reason 5", flow(1, 0, 5, 9), 1, 5, SID, 32, 0, NNRP_ERROR_CODE_MALFORMED_BODY},
      {"backpressure 3", flow(1, 0, 5, 9), 2, 3, SID, 32, 0, NNRP_ERROR_CODE_MALFORMED_BODY},
      {"unknown flag 0x10", flow(1, 0, 5, 9), 28, 0x11, SID, 32, 0, NNRP_ERROR_CODE_MALFORMED_BODY},
      {"retry without retry_after_valid", flow(1, 0, 5, 9), 20, 40, SID, 32, 0,
       NNRP_ERROR_CODE_MALFORMED_BODY},
      {"connection credit in session scope", flow(1, 0, 5, 9), 4, 2, SID, 32, 0,
       NNRP_ERROR_CODE_MALFORMED_BODY},
      {"operation credit in session scope", flow(1, 0, 5, 9), 8, 2, SID, 32, 0,
       NNRP_ERROR_CODE_MALFORMED_BODY},
      {"operation id in session scope", flow(1, 0, 5, 9), 12, 1, SID, 32, 0,
       NNRP_ERROR_CODE_MALFORMED_BODY},
      {"session credit in connection scope", flow(0, 0, 5, 9), 6, 2, 0, 32, 0,
       NNRP_ERROR_CODE_MALFORMED_BODY},
      {"operation id in connection scope", flow(0, 0, 5, 9), 19, 1, 0, 32, 0,
       NNRP_ERROR_CODE_MALFORMED_BODY},
      {"operation scope, operation id 0", flow(2, 0, 5, 9), 12, -2, SID, 32, 0,
       NNRP_ERROR_CODE_MALFORMED_BODY},
      {"non-empty body", flow(1, 0, 5, 9), -1, 0, SID, 32, 4, NNRP_ERROR_CODE_MALFORMED_BODY},
      {"metadata of 28 bytes", flow(1, 0, 5, 9), -1, 0, SID, 28, 0, NNRP_ERROR_CODE_MALFORMED_BODY},
      {"reserved0", flow(1, 0, 5, 9), 3, 1, SID, 32, 0, NNRP_ERROR_CODE_MALFORMED_BODY},
      {"reserved1", flow(1, 0, 5, 9), 10, 1, SID, 32, 0, NNRP_ERROR_CODE_MALFORMED_BODY},
      {"connection scope, header session id", flow(0, 0, 5, 9), -1, 0, SID, 32, 0,
       NNRP_ERROR_CODE_INVALID_STATE},
      {"session scope, header session id 0", flow(1, 0, 5, 9), -1, 0, 0, 32, 0,
       NNRP_ERROR_CODE_INVALID_STATE},
      {"session scope, foreign session id", flow(1, 0, 5, 9), -1, 0, SID + 1, 32, 0,
       NNRP_ERROR_CODE_INVALID_STATE},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint8_t meta[32], pkt[128];
    flow_meta_bytes(meta, cases[i].m);
    if (cases[i].offset >= 0 && cases[i].value == -2) {
      memset(meta + 12, 0, 8); /* operation id 0 */
    } else if (cases[i].offset >= 0) {
      meta[cases[i].offset] = (uint8_t)cases[i].value;
    }
    size_t n =
        bad_flow(pkt, sizeof pkt, cases[i].header_sid, meta, cases[i].meta_len, cases[i].body_len);
    size_t mark = p.c.sent.n, flows = p.c.flows.n;
    CHECK_RC(engine_inject(&p, &p.c, pkt, n), 0);
    engine_collect(&p.c);
    size_t errors = engine_errors_since(&p.c, mark, NULL);
    if (errors != 1) fprintf(stderr, "  case: %s\n", cases[i].what);
    CHECK_ONE_ERROR(&p.c, mark, cases[i].code, NNRP_SCOPE_SESSION, 0);
    CHECK_EQ(p.c.flows.n, flows); /* ignored: not applied, not surfaced */
    nnrp_window_info w = window_of(p.c.conn);
    CHECK_EQ(w.window, before.window);
    CHECK_EQ(w.session_epoch, before.session_epoch);
    CHECK_EQ(w.connection_epoch, before.connection_epoch);
    CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_ACTIVE);
  }
  engine_pair_free(&p);
}

static void flow_session_rules(void) {
  engine_pair p;
  CHECK_RC(engine_pair_init(&p, NULL, NULL, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  CHECK_EQ(window_of(p.c.conn).window, 8); /* max_concurrent_frames before any update */

  /* A session-scope grant changes the window: the credit is absolute. */
  CHECK_EQ(server_flow(&p, flow(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_GRANT, 2, 5)), 1);
  CHECK_EQ(window_of(p.c.conn).window, 2);
  CHECK(engine_submit_simple(&p, 0) != 0);
  CHECK(engine_submit_simple(&p, 0) != 0);
  CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), NNRP_ERR_WOULD_BLOCK);
  nnrp_frame_submit_input in;
  engine_submit_input(&in);
  uint32_t id = 0;
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, &id, p.now), NNRP_ERR_WOULD_BLOCK);
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 2); /* refused, never queued */
  CHECK_EQ(engine_flush(&p), 2);              /* only the two admitted submits travel */
  CHECK_EQ(p.s.submits.n, 2);

  /* Equal and older epochs of the scope are not applied (but surfaced with applied = 0). */
  CHECK_EQ(server_flow(&p, flow(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_GRANT, 6, 5)), 0);
  CHECK_EQ(server_flow(&p, flow(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_GRANT, 6, 3)), 0);
  CHECK_EQ(window_of(p.c.conn).window, 2);
  CHECK_EQ(window_of(p.c.conn).session_epoch, 5);
  /* A newer epoch is. */
  CHECK_EQ(server_flow(&p, flow(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_GRANT, 4, 6)), 1);
  CHECK_EQ(window_of(p.c.conn).window, 4);
  CHECK(engine_submit_simple(&p, 0) != 0);
  /* reduce below what is in flight: nothing new until frames end. */
  CHECK_EQ(server_flow(&p, flow(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_REDUCE, 1, 7)), 1);
  CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), NNRP_ERR_WOULD_BLOCK);
  engine_flush(&p);
  for (size_t i = 0; i < p.s.submits.n; i++) {
    nnrp_result_push_input r;
    engine_result_input(&r, p.s.submits.v[i].frame_id, p.s.submits.v[i].view_id);
    CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  }
  engine_flush(&p);
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 0);
  CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), 0);

  /* A credit above max_concurrent_frames is capped; a credit of 0 stops like pause. */
  CHECK_EQ(server_flow(&p, flow(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_GRANT, 100, 8)), 1);
  CHECK_EQ(window_of(p.c.conn).window, 8);
  CHECK_EQ(server_flow(&p, flow(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_REDUCE, 0, 9)), 1);
  CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), NNRP_ERR_FLOW_PAUSED);
  CHECK_EQ(server_flow(&p, flow(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_GRANT, 8, 10)), 1);
  CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), 0);

  /* pause / resume block and unblock submission; the server's view follows. */
  CHECK_EQ(server_flow(&p, flow(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_PAUSE, UINT16_MAX, 11)), 1);
  CHECK(window_of(p.c.conn).paused);
  CHECK(window_of(p.s.conn).paused);
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, &id, p.now), NNRP_ERR_FLOW_PAUSED);
  CHECK_EQ(server_flow(&p, flow(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_RESUME, UINT16_MAX, 12)), 1);
  CHECK(!window_of(p.c.conn).paused);
  CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), 0);

  /* A restrictive update with retry_after_valid: no submission before the wait is over, even
   * after resume; the engine's expiry names the moment. */
  nnrp_flow_update_meta m = flow(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_PAUSE, UINT16_MAX, 13);
  m.flags |= NNRP_FLOW_RETRY_AFTER_VALID;
  m.retry_after_ms = 50;
  nnrp_tstamp paused_at = p.now;
  CHECK_EQ(server_flow(&p, m), 1);
  CHECK_EQ(server_flow(&p, flow(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_RESUME, UINT16_MAX, 14)), 1);
  CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), NNRP_ERR_FLOW_RETRY_WAIT);
  CHECK_EQ(window_of(p.c.conn).resume_not_before, paused_at + 50 * MS);
  CHECK(nnrp_conn_expiry(p.c.conn) <= paused_at + 50 * MS);
  engine_advance(&p, 49 * MS);
  CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), NNRP_ERR_FLOW_RETRY_WAIT);
  engine_advance(&p, 1 * MS);
  CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), 0);

  /* Hard backpressure and drain_in_flight_only block; soft and background_only do not. */
  m = flow(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_CONGESTION, UINT16_MAX, 15);
  m.backpressure_level = NNRP_BACKPRESSURE_HARD;
  CHECK_EQ(server_flow(&p, m), 1);
  CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), NNRP_ERR_FLOW_HARD_BACKPRESSURE);
  m = flow(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_CONGESTION, UINT16_MAX, 16);
  m.backpressure_level = NNRP_BACKPRESSURE_SOFT;
  m.flags |= NNRP_FLOW_BACKGROUND_ONLY;
  CHECK_EQ(server_flow(&p, m), 1);
  CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), 0);
  CHECK_EQ(window_of(p.c.conn).backpressure, NNRP_BACKPRESSURE_SOFT);
  CHECK(window_of(p.c.conn).background_only);
  m = flow(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_REDUCE, UINT16_MAX, 17);
  m.flags |= NNRP_FLOW_DRAIN_IN_FLIGHT_ONLY;
  CHECK_EQ(server_flow(&p, m), 1);
  CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), NNRP_ERR_FLOW_DRAIN_ONLY);
  CHECK_EQ(server_flow(&p, flow(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_GRANT, 8, 18)), 1);
  CHECK_RC(nnrp_conn_can_submit(p.c.conn, p.now), 0);

  /* The connection scope has its own epochs (its first update is accepted whatever the
   * session epoch) and the most restrictive scope wins. */
  CHECK_EQ(server_flow(&p, flow(NNRP_FLOW_SCOPE_CONNECTION, NNRP_FLOW_REDUCE, 1, 2)), 1);
  CHECK_EQ(window_of(p.c.conn).window, 1);
  CHECK_EQ(window_of(p.c.conn).connection_epoch, 2);
  CHECK_EQ(server_flow(&p, flow(NNRP_FLOW_SCOPE_CONNECTION, NNRP_FLOW_GRANT, 8, 2)), 0);
  CHECK_EQ(window_of(p.c.conn).window, 1);
  CHECK_EQ(server_flow(&p, flow(NNRP_FLOW_SCOPE_CONNECTION, NNRP_FLOW_GRANT, 8, 3)), 1);
  CHECK_EQ(window_of(p.c.conn).window, 8);

  /* The client may send FLOW_UPDATE too: advisory for the server, recorded and surfaced. */
  m = flow(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_PAUSE, UINT16_MAX, 0);
  CHECK_RC(nnrp_conn_send_flow_update(p.c.conn, &m, p.now), 0);
  engine_flush(&p);
  CHECK_EQ(p.s.flows.n, 1);
  if (p.s.flows.n) CHECK_EQ(p.s.flows.v[0].meta.update_reason, NNRP_FLOW_PAUSE);
  CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_ACTIVE);
  engine_pair_free(&p);
}

static void test_l1_flow_update_metadata_validation(void) {
  flow_roundtrip();
  flow_rejections();
  flow_session_rules();
}

/* ---- l1.result_hint.metadata.validation --------------------------------------------------------
 */

static nnrp_result_hint_meta hint(uint32_t policy, uint32_t congestion, uint32_t reason,
                                  uint32_t retry) {
  nnrp_result_hint_meta m = {policy, congestion, reason, retry};
  return m;
}

static void hint_roundtrip_and_rejections(void) {
  engine_pair p;
  nnrp_settings cs;
  settings_sid(&cs, SID);
  CHECK_RC(engine_pair_init(&p, &cs, &cs, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  uint32_t f = engine_submit_simple(&p, 1);
  engine_flush(&p);

  /* (a) frame-specific and session-wide hints from the server engine round-trip. */
  size_t mark = p.s.sent.n;
  nnrp_result_hint_meta h1 = hint(2, 1, NNRP_DROP_QUEUE_FULL, 0);
  nnrp_result_hint_meta h0 = hint(0, 3, NNRP_DROP_SERVER_BUSY, 250);
  CHECK_RC(nnrp_conn_send_hint(p.s.conn, f, 1, &h1, p.now), 0);
  CHECK_RC(nnrp_conn_send_hint(p.s.conn, 0, 0, &h0, p.now), 0);
  engine_flush(&p);
  CHECK_EQ(engine_sent_since(&p.s, mark, NNRP_MSG_RESULT_HINT), 2);
  for (size_t i = mark; i < p.s.sent.n; i++) CHECK_ROUNDTRIP_SENT(&p.s, i, rebuild_hint);
  nnrp_packet pk;
  if (engine_last_sent(&p.s, mark, NNRP_MSG_RESULT_HINT, &pk) >= 0) {
    CHECK_EQ(pk.header.frame_id, 0);
    CHECK_EQ(pk.header.session_id, SID);
    CHECK_EQ(pk.body.len, 0);
  }
  CHECK_EQ(p.c.hints.n, 2);
  if (p.c.hints.n == 2) {
    CHECK_EQ(p.c.hints.v[0].header.frame_id, f);
    CHECK_EQ(p.c.hints.v[0].header.view_id, 1);
    CHECK_EQ(p.c.hints.v[0].meta.reason, NNRP_DROP_QUEUE_FULL);
    CHECK_EQ(p.c.hints.v[1].header.frame_id, 0);
    CHECK_EQ(p.c.hints.v[1].meta.retry_after_ms, 250);
  }
  size_t glen = 0;
  uint8_t *golden = control_vector("current.packet.result_hint", &glen);
  if (golden) {
    CHECK_ROUNDTRIP(golden, glen, rebuild_hint);
    free(golden);
  }

  /* (b) rejections: reason 99, policy 5, congestion 4, metadata other than 16, a body. */
  struct {
    const char *what;
    nnrp_result_hint_meta m;
    size_t meta_len, body_len;
  } bad[] = {
      {"reason 99", hint(0, 0, 99, 0), 16, 0},
      {"applied_budget_policy 5", hint(5, 0, 0, 0), 16, 0},
      {"congestion_state 4", hint(0, 4, 0, 0), 16, 0},
      {"metadata of 20 bytes", hint(0, 0, 1, 0), 20, 0},
      {"metadata of 12 bytes", hint(0, 0, 1, 0), 12, 0},
      {"non-empty body", hint(0, 0, 1, 0), 16, 8},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    uint8_t meta[24] = {0}, body[8] = {0}, pkt[128];
    engine_st32(meta + 0, bad[i].m.applied_budget_policy);
    engine_st32(meta + 4, bad[i].m.congestion_state);
    engine_st32(meta + 8, bad[i].m.reason);
    engine_st32(meta + 12, bad[i].m.retry_after_ms);
    size_t n = engine_raw_packet(pkt, sizeof pkt, NNRP_MSG_RESULT_HINT, SID, f, 1, meta,
                                 bad[i].meta_len, body, bad[i].body_len);
    size_t cmark = p.c.sent.n, hints = p.c.hints.n;
    CHECK_RC(engine_inject(&p, &p.c, pkt, n), 0);
    engine_collect(&p.c);
    if (engine_errors_since(&p.c, cmark, NULL) != 1) fprintf(stderr, "  case: %s\n", bad[i].what);
    CHECK_ONE_ERROR(&p.c, cmark, NNRP_ERROR_CODE_MALFORMED_BODY, NNRP_SCOPE_SESSION, 0);
    CHECK_EQ(p.c.hints.n, hints);
    CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 1);
    CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_ACTIVE);
  }
  CHECK_EQ(p.c.outcomes.n, 0);
  engine_pair_free(&p);
}

static void hint_session_rules(void) {
  engine_pair p;
  CHECK_RC(engine_pair_init(&p, NULL, NULL, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  nnrp_result_hint_meta got;
  CHECK_RC(nnrp_conn_session_hint(p.c.conn, &got), NNRP_ERR_FRAME_UNKNOWN);

  uint32_t f1 = engine_submit_simple(&p, 0), f2 = engine_submit_simple(&p, 0);
  uint32_t f3 = engine_submit_simple(&p, 0), f4 = engine_submit_simple(&p, 0);
  engine_flush(&p);
  nnrp_window_info w0 = window_of(p.c.conn);

  /* A hint changes no state: the frames stay in flight, the window and session stay. */
  nnrp_result_hint_meta h = hint(0, 2, NNRP_DROP_SERVER_BUSY, 30);
  CHECK_RC(nnrp_conn_send_hint(p.s.conn, f1, 0, &h, p.now), 0);
  nnrp_result_hint_meta hs = hint(2, 1, 0, 0);
  CHECK_RC(nnrp_conn_send_hint(p.s.conn, 0, 0, &hs, p.now), 0);
  nnrp_result_hint_meta h3 = hint(3, 1, NNRP_DROP_SUPERSEDED, 0);
  CHECK_RC(nnrp_conn_send_hint(p.s.conn, f3, 0, &h3, p.now), 0);
  engine_flush(&p);
  CHECK_EQ(p.c.hints.n, 3);
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 4);
  CHECK_EQ(nnrp_conn_in_flight(p.s.conn), 4);
  CHECK_EQ(p.c.outcomes.n, 0);
  nnrp_frame_info fi;
  CHECK_RC(nnrp_conn_frame_info(p.c.conn, f1, 0, &fi), 0);
  CHECK_EQ(fi.state, NNRP_FRAME_SUBMITTED);
  CHECK_EQ(window_of(p.c.conn).window, w0.window);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_ACTIVE);
  CHECK_RC(nnrp_conn_session_hint(p.c.conn, &got), 0);
  CHECK_EQ(got.applied_budget_policy, 2);
  CHECK_EQ(got.congestion_state, 1);

  /* The frame hint labels the later RESULT_DROP; a drop with no hint is "unknown". */
  CHECK_RC(nnrp_conn_send_drop(p.s.conn, f1, 0, NNRP_DROP_UNKNOWN, 0, p.now), 0);
  CHECK_RC(nnrp_conn_send_drop(p.s.conn, f2, 0, NNRP_DROP_UNKNOWN, 0, p.now), 0);
  engine_flush(&p);
  nnrp_frame_outcome o;
  CHECK_EQ(engine_outcomes_of(&p.c, f1, 0, &o), 1);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_DROPPED);
  CHECK_EQ(o.reason, NNRP_DROP_SERVER_BUSY);
  CHECK(o.has_hint);
  CHECK_EQ(o.hint.retry_after_ms, 30);
  CHECK_EQ(engine_outcomes_of(&p.c, f2, 0, &o), 1);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_DROPPED);
  CHECK_EQ(o.reason, NNRP_DROP_UNKNOWN);
  CHECK(!o.has_hint);

  /* A hinted frame that still gets a RESULT_PUSH is delivered: the hint was only advice. */
  nnrp_result_push_input r;
  engine_result_input(&r, f3, 0);
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  /* The engine's own drop with a reason sends the hint first: the label is that reason. */
  CHECK_RC(nnrp_conn_send_drop(p.s.conn, f4, 0, NNRP_DROP_SUPERSEDED, 0, p.now), 0);
  engine_flush(&p);
  CHECK_EQ(engine_outcomes_of(&p.c, f3, 0, &o), 1);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_DELIVERED);
  CHECK_EQ(engine_outcomes_of(&p.c, f4, 0, &o), 1);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_DROPPED);
  CHECK_EQ(o.reason, NNRP_DROP_SUPERSEDED);
  CHECK_EQ(p.c.hints.n, 4);

  /* Deadline on the server (its clock a little ahead): budget_exceeded hint, then the drop. */
  nnrp_frame_submit_input in;
  engine_submit_input(&in);
  in.latency_budget_ms = 40;
  uint32_t f5 = 0;
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, &f5, p.now), 0);
  engine_flush(&p);
  CHECK_EQ(nnrp_conn_expiry(p.s.conn), p.now + 40 * MS);
  CHECK_RC(nnrp_conn_handle_expiry(p.s.conn, p.now + 40 * MS), 0);
  engine_flush(&p);
  CHECK_EQ(engine_outcomes_of(&p.c, f5, 0, &o), 1);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_DROPPED);
  CHECK_EQ(o.reason, NNRP_DROP_BUDGET_EXCEEDED);
  CHECK_EQ(o.hint.applied_budget_policy, 4); /* the hint's enum: drop */
  CHECK_EQ(engine_outcomes_of(&p.s, f5, 0, &o), 1);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_EXPIRED);
  CHECK_EQ(o.cause, NNRP_CAUSE_DEADLINE);
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 0);
  engine_pair_free(&p);
}

static void test_l1_result_hint_metadata_validation(void) {
  hint_roundtrip_and_rejections();
  hint_session_rules();
}

/* ---- l1.cache.lifecycle.roundtrip -------------------------------------------------------------
 */

#define KEY_HI 0x01020304u

static nnrp_cache_put_meta put_meta(uint32_t ns, uint32_t lo, uint32_t kind) {
  nnrp_cache_put_meta m;
  memset(&m, 0, sizeof m);
  m.cache_namespace = ns;
  m.cache_key_hi = KEY_HI;
  m.cache_key_lo = lo;
  m.object_kind = kind;
  m.ttl_ms = 15000;
  m.codec_bitmap = 0x1;
  m.flags = NNRP_CACHE_PUT_PINNED;
  return m;
}

static nnrp_object_ref ref_of(uint32_t ns, uint32_t lo, uint16_t kind) {
  nnrp_object_ref r;
  memset(&r, 0, sizeof r);
  r.object_kind = kind;
  r.cache_namespace = ns;
  r.cache_key_hi = KEY_HI;
  r.cache_key_lo = lo;
  return r;
}

/* The client installs an object in the server's cache; returns the CACHE_ACK status it got
 * (-1 when none arrived).  The PUT and the ACK packets must round-trip byte-exactly. */
static long install(engine_pair *p, nnrp_cache_put_meta m, const uint8_t *obj, size_t len,
                    nnrp_cache_ack_meta *ack_out) {
  size_t cmark = p->c.sent.n, smark = p->s.sent.n, acks = p->c.cache_acks.n;
  nnrp_vec v = {obj, len};
  CHECK_RC(nnrp_conn_cache_put(p->c.conn, &m, v, p->now), 0);
  engine_flush(p);
  nnrp_packet pk;
  long i = engine_last_sent(&p->c, cmark, NNRP_MSG_CACHE_PUT, &pk);
  CHECK(i >= 0);
  if (i >= 0) {
    CHECK_MEM(pk.body.base, pk.body.len, obj, len); /* body = the object bytes */
    CHECK_EQ(pk.meta.cache_put.object_bytes, len);
    CHECK_EQ(pk.header.session_id, nnrp_conn_session_id(p->c.conn));
    CHECK_ROUNDTRIP_SENT(&p->c, i, rebuild_cache_put);
  }
  i = engine_last_sent(&p->s, smark, NNRP_MSG_CACHE_ACK, &pk);
  CHECK(i >= 0);
  CHECK_EQ(engine_errors_since(&p->s, smark, NULL), 0);
  if (i < 0 || p->c.cache_acks.n != acks + 1) return -1;
  CHECK_ROUNDTRIP_SENT(&p->s, i, rebuild_cache_ack);
  const nnrp_cache_ack_meta *a = &p->c.cache_acks.v[acks].ack;
  CHECK_EQ(a->cache_namespace, m.cache_namespace); /* the key is echoed */
  CHECK_EQ(a->cache_key_hi, m.cache_key_hi);
  CHECK_EQ(a->cache_key_lo, m.cache_key_lo);
  CHECK_EQ(p->c.cache_acks.v[acks].for_invalidate, 0);
  CHECK_EQ(memcmp(&pk.meta.cache_ack, a, sizeof *a), 0);
  if (ack_out) *ack_out = *a;
  return (long)a->status;
}

/* Submit a REFERENCE frame naming a tile index (and optionally a camera) in the cache. */
static uint32_t submit_ref(engine_pair *p, const nnrp_object_ref *tiles,
                           const nnrp_object_ref *camera) {
  static const uint16_t ids[2] = {0, 1};
  nnrp_frame_submit_input in;
  engine_submit_input(&in);
  in.tile_ids = ids;
  in.tile_id_count = 2;
  in.submit_mode = NNRP_SUBMIT_REFERENCE;
  in.tile_index_reference = tiles;
  in.object_ref_mask = NNRP_REF_TILE_INDEX_BLOCK;
  if (camera) {
    static const uint8_t cam[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    in.camera_block.base = cam;
    in.camera_block.len = sizeof cam;
    in.camera_reference = camera;
    in.object_ref_mask |= NNRP_REF_CAMERA_BLOCK;
  }
  uint32_t id = 0;
  CHECK_RC(nnrp_conn_submit(p->c.conn, &in, 0, NULL, &id, p->now), 0);
  return id;
}

/* The frame was admitted with these object bytes (first resolved object). */
static void check_admitted(engine_pair *p, size_t smark, uint32_t id, const uint8_t *obj,
                           size_t len, size_t count) {
  engine_flush(p);
  CHECK_EQ(engine_errors_since(&p->s, smark, NULL), 0);
  const engine_submit_rec *sub = engine_submit_of(&p->s, id, 0);
  CHECK(sub != NULL);
  if (!sub) return;
  CHECK_EQ(sub->object_count, count);
  int found = 0;
  for (size_t i = 0; i < sub->object_count && i < 4; i++)
    if (sub->objects[i].len == len && memcmp(sub->objects[i].bytes, obj, len) == 0) found = 1;
  CHECK(found);
  nnrp_frame_outcome o;
  CHECK_EQ(engine_outcomes_of(&p->c, id, 0, &o), 1);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_DELIVERED);
}

/* The frame was refused with ERROR cache_miss (frame scope) and never admitted. */
static void check_miss(engine_pair *p, size_t smark, uint32_t id) {
  engine_flush(p);
  CHECK_FRAME_ERROR(&p->s, smark, NNRP_ERROR_CODE_CACHE_MISS, id, 0);
  CHECK(engine_submit_of(&p->s, id, 0) == NULL);
  nnrp_frame_outcome o;
  CHECK_EQ(engine_outcomes_of(&p->c, id, 0, &o), 1);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_REJECTED);
  CHECK_EQ(o.error_code, NNRP_ERROR_CODE_CACHE_MISS);
  CHECK_EQ(o.error_scope, NNRP_SCOPE_FRAME);
  CHECK_EQ(nnrp_conn_state(p->s.conn), NNRP_STATE_ACTIVE);
}

/* The client invalidates; the server answers with CACHE_ACK accepted; both tables lose the
 * entries.  Returns the count the server removed. */
static size_t invalidate(engine_pair *p, uint32_t scope, uint32_t ns, uint32_t hi, uint32_t lo) {
  nnrp_cache_invalidate_meta m = {scope, ns, hi, lo, 7};
  size_t cmark = p->c.sent.n, smark = p->s.sent.n, before = p->s.cache_invalidates.n;
  size_t acks = p->c.cache_acks.n;
  CHECK_RC(nnrp_conn_cache_invalidate(p->c.conn, &m, p->now), 0);
  engine_flush(p);
  long i = engine_last_sent(&p->c, cmark, NNRP_MSG_CACHE_INVALIDATE, NULL);
  CHECK(i >= 0);
  if (i >= 0) CHECK_ROUNDTRIP_SENT(&p->c, i, rebuild_cache_inv);
  nnrp_packet pk;
  i = engine_last_sent(&p->s, smark, NNRP_MSG_CACHE_ACK, &pk);
  CHECK(i >= 0);
  if (i >= 0) {
    CHECK_ROUNDTRIP_SENT(&p->s, i, rebuild_cache_ack);
    CHECK_EQ(pk.meta.cache_ack.status, NNRP_CACHE_ACCEPTED);
    CHECK_EQ(pk.meta.cache_ack.cache_key_lo, lo);
  }
  CHECK_EQ(p->c.cache_acks.n, acks + 1);
  if (p->c.cache_acks.n == acks + 1) CHECK_EQ(p->c.cache_acks.v[acks].for_invalidate, 1);
  CHECK_EQ(p->s.cache_invalidates.n, before + 1);
  if (p->s.cache_invalidates.n != before + 1) return 0;
  CHECK_EQ(p->s.cache_invalidates.v[before].inv.invalidate_scope, scope);
  return p->s.cache_invalidates.v[before].removed;
}

static void cache_settings(nnrp_settings *s) {
  engine_settings(s);
  s->server.cache_object_bitmap = 0x7; /* kinds 1..3 */
  s->server.max_cache_entries = 4;
  s->server.max_cache_bytes = 4096;
}

static void cache_lifecycle(void) {
  engine_pair p;
  nnrp_settings st;
  cache_settings(&st);
  CHECK_RC(engine_pair_init(&p, &st, &st, NULL), 0);
  p.s.auto_reply = 1;
  CHECK_RC(engine_handshake(&p), 0);
  const nnrp_negotiated *neg = nnrp_conn_negotiated(p.c.conn);
  CHECK(neg && neg->cache_enabled);
  if (neg) {
    CHECK_EQ(neg->ack.cache_object_bitmap, 0x7);
    CHECK_EQ(neg->ack.max_cache_entries, 4);
    CHECK_EQ(neg->ack.max_cache_bytes, 4096);
  }

  /* PUT -> ACK accepted -> a FRAME_SUBMIT referencing the key is admitted. */
  static const uint8_t tix[4] = {0, 0, 1, 0}, tix2[4] = {0, 0, 2, 0};
  nnrp_cache_ack_meta ack;
  CHECK_EQ(install(&p, put_meta(1, 1, NNRP_OBJECT_TILE_INDEX_BLOCK), tix, 4, &ack),
           NNRP_CACHE_ACCEPTED);
  CHECK_EQ(ack.accepted_ttl_ms, 15000);
  CHECK_EQ(ack.detail_code, 0);
  CHECK_EQ(p.s.cache_puts.n, 1);
  nnrp_object_ref k1 = ref_of(1, 1, NNRP_OBJECT_TILE_INDEX_BLOCK);
  nnrp_vec got = {NULL, 0};
  CHECK_RC(nnrp_conn_cache_lookup(p.s.conn, &k1, p.now, &got), 0); /* the holder's entry */
  CHECK_MEM(got.base, got.len, tix, 4);
  CHECK_RC(nnrp_conn_cache_lookup(p.c.conn, &k1, p.now, &got), 0); /* the installer's copy */
  CHECK_MEM(got.base, got.len, tix, 4);
  size_t smark = p.s.sent.n;
  uint32_t id = submit_ref(&p, &k1, NULL);
  check_admitted(&p, smark, id, tix, 4, 1);

  /* PUT of the same key: replaced; later references resolve the new bytes. */
  CHECK_EQ(install(&p, put_meta(1, 1, NNRP_OBJECT_TILE_INDEX_BLOCK), tix2, 4, NULL),
           NNRP_CACHE_REPLACED);
  smark = p.s.sent.n;
  id = submit_ref(&p, &k1, NULL);
  check_admitted(&p, smark, id, tix2, 4, 1);

  /* Beyond the limits, or of a kind that was not negotiated: rejected, with the reason. */
  static uint8_t big[5000];
  CHECK_EQ(install(&p, put_meta(1, 2, NNRP_OBJECT_TILE_INDEX_BLOCK), big, sizeof big, &ack),
           NNRP_CACHE_REJECTED);
  CHECK_EQ(ack.detail_code, NNRP_ERROR_CODE_LIMIT_EXCEEDED);
  CHECK_EQ(install(&p, put_meta(1, 2, NNRP_OBJECT_REUSABLE_RESULT_OBJECT), tix, 4, &ack),
           NNRP_CACHE_REJECTED);
  CHECK_EQ(ack.detail_code, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY);
  nnrp_object_ref k2 = ref_of(1, 2, NNRP_OBJECT_TILE_INDEX_BLOCK);
  CHECK_RC(nnrp_conn_cache_lookup(p.s.conn, &k2, p.now, &got), NNRP_ERR_CACHE_MISS);
  CHECK_RC(nnrp_conn_cache_lookup(p.c.conn, &k2, p.now, &got), NNRP_ERR_CACHE_MISS);
  for (uint32_t lo = 2; lo <= 4; lo++)
    CHECK_EQ(install(&p, put_meta(1, lo, NNRP_OBJECT_TILE_INDEX_BLOCK), tix, 4, NULL),
             NNRP_CACHE_ACCEPTED);
  CHECK_EQ(install(&p, put_meta(1, 5, NNRP_OBJECT_TILE_INDEX_BLOCK), tix, 4, &ack),
           NNRP_CACHE_REJECTED); /* a fifth entry: no silent eviction */
  CHECK_EQ(ack.detail_code, NNRP_ERROR_CODE_LIMIT_EXCEEDED);
  smark = p.s.sent.n;
  id = submit_ref(&p, &k2, NULL);
  check_admitted(&p, smark, id, tix, 4, 1);

  /* INVALIDATE by key: a later reference to it is a cache_miss, frame scope. */
  CHECK_EQ(invalidate(&p, NNRP_CACHE_SCOPE_OBJECT_KEY, 1, KEY_HI, 2), 1);
  CHECK_RC(nnrp_conn_cache_lookup(p.c.conn, &k2, p.now, &got), NNRP_ERR_CACHE_MISS);
  smark = p.s.sent.n;
  check_miss(&p, smark, submit_ref(&p, &k2, NULL));

  /* By namespace: only that namespace goes. */
  static const uint8_t tix3[4] = {0, 0, 3, 0};
  CHECK_EQ(install(&p, put_meta(2, 1, NNRP_OBJECT_TILE_INDEX_BLOCK), tix3, 4, NULL),
           NNRP_CACHE_ACCEPTED);
  nnrp_object_ref n2 = ref_of(2, 1, NNRP_OBJECT_TILE_INDEX_BLOCK);
  smark = p.s.sent.n;
  id = submit_ref(&p, &n2, NULL);
  check_admitted(&p, smark, id, tix3, 4, 1);
  CHECK_EQ(invalidate(&p, NNRP_CACHE_SCOPE_NAMESPACE, 2, 0, 0), 1);
  smark = p.s.sent.n;
  check_miss(&p, smark, submit_ref(&p, &n2, NULL));
  smark = p.s.sent.n;
  id = submit_ref(&p, &k1, NULL);
  check_admitted(&p, smark, id, tix2, 4, 1);

  /* By kind (carried in cache_key_lo): the camera goes, the tile index stays. */
  static const uint8_t cam[8] = {9, 9, 9, 9, 9, 9, 9, 9};
  CHECK_EQ(install(&p, put_meta(1, 9, NNRP_OBJECT_CAMERA_BLOCK), cam, 8, NULL),
           NNRP_CACHE_ACCEPTED);
  nnrp_object_ref kc = ref_of(1, 9, NNRP_OBJECT_CAMERA_BLOCK);
  smark = p.s.sent.n;
  id = submit_ref(&p, &k1, &kc);
  check_admitted(&p, smark, id, cam, 8, 2);
  CHECK_EQ(invalidate(&p, NNRP_CACHE_SCOPE_OBJECT_KIND, 0, 0, NNRP_OBJECT_CAMERA_BLOCK), 1);
  smark = p.s.sent.n;
  check_miss(&p, smark, submit_ref(&p, &k1, &kc));
  smark = p.s.sent.n;
  id = submit_ref(&p, &k1, NULL);
  check_admitted(&p, smark, id, tix2, 4, 1);

  /* The whole session: everything goes, in both tables. */
  CHECK_EQ(invalidate(&p, NNRP_CACHE_SCOPE_WHOLE_SESSION, 0, 0, 0), 3);
  CHECK_RC(nnrp_conn_cache_lookup(p.c.conn, &k1, p.now, &got), NNRP_ERR_CACHE_MISS);
  CHECK_RC(nnrp_conn_cache_lookup(p.s.conn, &k1, p.now, &got), NNRP_ERR_CACHE_MISS);
  smark = p.s.sent.n;
  check_miss(&p, smark, submit_ref(&p, &k1, NULL));
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_ACTIVE);
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 0);
  engine_pair_free(&p);
}

/* Malformed cache messages: ERROR malformed_body (session, non-fatal), no CACHE_ACK, the
 * table untouched. */
static void cache_rejections(void) {
  engine_pair p;
  nnrp_settings st;
  cache_settings(&st);
  CHECK_RC(engine_pair_init(&p, &st, &st, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  static const uint8_t tix[4] = {0, 0, 1, 0};
  CHECK_EQ(install(&p, put_meta(1, 1, NNRP_OBJECT_TILE_INDEX_BLOCK), tix, 4, NULL),
           NNRP_CACHE_ACCEPTED);
  uint32_t sid = nnrp_conn_session_id(p.s.conn);

  struct {
    const char *what;
    uint8_t type;
    uint32_t f[8];
    size_t meta_len, body_len;
  } bad[] = {
      {"CACHE_PUT kind 0", NNRP_MSG_CACHE_PUT, {1, 0, 7, 0, 0, 4, 1, 0}, 32, 4},
      {"CACHE_PUT kind 10", NNRP_MSG_CACHE_PUT, {1, 0, 7, 10, 0, 4, 1, 0}, 32, 4},
      {"CACHE_PUT body_len != object_bytes", NNRP_MSG_CACHE_PUT, {1, 0, 7, 2, 0, 8, 1, 0}, 32, 4},
      {"CACHE_PUT unknown flags", NNRP_MSG_CACHE_PUT, {1, 0, 7, 2, 0, 4, 1, 0x10}, 32, 4},
      {"CACHE_INVALIDATE scope 4", NNRP_MSG_CACHE_INVALIDATE, {4, 1, KEY_HI, 1, 0}, 20, 0},
      {"CACHE_INVALIDATE with a body", NNRP_MSG_CACHE_INVALIDATE, {3, 1, KEY_HI, 1, 0}, 20, 4},
      {"CACHE_ACK with a body", NNRP_MSG_CACHE_ACK, {1, KEY_HI, 1, 0, 0, 0, 0}, 28, 4},
      {"CACHE_ACK status 3", NNRP_MSG_CACHE_ACK, {1, KEY_HI, 1, 3, 0, 0, 0}, 28, 0},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    uint8_t meta[32], body[8] = {0}, pkt[128];
    for (int k = 0; k < 8; k++) engine_st32(meta + 4 * k, bad[i].f[k]);
    size_t n = engine_raw_packet(pkt, sizeof pkt, bad[i].type, sid, 0, 0, meta, bad[i].meta_len,
                                 body, bad[i].body_len);
    size_t mark = p.s.sent.n, puts = p.s.cache_puts.n, invs = p.s.cache_invalidates.n;
    CHECK_RC(engine_inject(&p, &p.s, pkt, n), 0);
    engine_collect(&p.s);
    if (engine_errors_since(&p.s, mark, NULL) != 1) fprintf(stderr, "  case: %s\n", bad[i].what);
    CHECK_ONE_ERROR(&p.s, mark, NNRP_ERROR_CODE_MALFORMED_BODY, NNRP_SCOPE_SESSION, 0);
    CHECK_EQ(engine_sent_since(&p.s, mark, NNRP_MSG_CACHE_ACK), 0);
    CHECK_EQ(p.s.cache_puts.n, puts);
    CHECK_EQ(p.s.cache_invalidates.n, invs);
    nnrp_object_ref k1 = ref_of(1, 1, NNRP_OBJECT_TILE_INDEX_BLOCK);
    nnrp_vec got;
    CHECK_RC(nnrp_conn_cache_lookup(p.s.conn, &k1, p.now, &got), 0);
    CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_ACTIVE);
  }
  /* A well-formed CACHE_ACK that answers nothing of the server's is dropped silently. */
  uint8_t meta[28] = {0}, pkt[128];
  size_t n = engine_raw_packet(pkt, sizeof pkt, NNRP_MSG_CACHE_ACK, sid, 0, 0, meta, 28, NULL, 0);
  size_t mark = p.s.sent.n;
  CHECK_RC(engine_inject(&p, &p.s, pkt, n), 0);
  engine_collect(&p.s);
  CHECK_SILENT(&p.s, mark);
  engine_pair_free(&p);
}

/* A session without a cache: PUTs are answered "rejected, unsupported_capability" and every
 * reference is ERROR unsupported_capability (frame scope), never a silent fallback. */
static void cache_disabled(void) {
  engine_pair p;
  nnrp_settings st;
  engine_settings(&st);
  st.server.cache_enabled = 0;
  CHECK_RC(engine_pair_init(&p, &st, &st, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  const nnrp_negotiated *neg = nnrp_conn_negotiated(p.c.conn);
  CHECK(neg && !neg->cache_enabled);
  if (neg) CHECK_EQ(neg->ack.server_flags & NNRP_SERVER_CACHE_ENABLED, 0);
  static const uint8_t tix[4] = {0, 0, 1, 0};
  nnrp_cache_ack_meta ack;
  CHECK_EQ(install(&p, put_meta(1, 1, NNRP_OBJECT_TILE_INDEX_BLOCK), tix, 4, &ack),
           NNRP_CACHE_REJECTED);
  CHECK_EQ(ack.detail_code, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY);
  nnrp_object_ref k1 = ref_of(1, 1, NNRP_OBJECT_TILE_INDEX_BLOCK);
  size_t smark = p.s.sent.n;
  uint32_t id = submit_ref(&p, &k1, NULL);
  engine_flush(&p);
  CHECK_FRAME_ERROR(&p.s, smark, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY, id, 0);
  nnrp_frame_outcome o;
  CHECK_EQ(engine_outcomes_of(&p.c, id, 0, &o), 1);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_REJECTED);
  CHECK_EQ(o.error_code, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY);
  engine_pair_free(&p);
}

static void test_l1_cache_lifecycle_roundtrip(void) {
  cache_lifecycle();
  cache_rejections();
  cache_disabled();
}

/* ---- l1.transport_probe.metadata.roundtrip ----------------------------------------------------
 */

static void test_l1_transport_probe_metadata_roundtrip(void) {
  engine_pair p;
  CHECK_RC(engine_pair_init(&p, NULL, NULL, NULL), 0);

  /* A probe before CLIENT_HELLO: the body carries probe_payload_bytes of padding. */
  nnrp_tstamp sent_at = p.now;
  CHECK_RC(nnrp_conn_probe(p.c.conn, 77, 300, p.now), 0);
  CHECK_EQ(engine_collect(&p.c), 1);
  nnrp_packet pk;
  CHECK_EQ(engine_last_sent(&p.c, 0, NNRP_MSG_TRANSPORT_PROBE, &pk), 0);
  CHECK_EQ(pk.meta.transport_probe.probe_id, 77);
  CHECK_EQ(pk.meta.transport_probe.probe_payload_bytes, 300);
  CHECK_EQ(pk.body.len, 300);
  CHECK_EQ(pk.meta.transport_probe.client_send_ts_us, sent_at);
  CHECK_EQ(pk.header.session_id, 0);
  CHECK_ROUNDTRIP_SENT(&p.c, 0, rebuild_probe);

  /* The server answers 3 ms later with the probe id and its receive time; both stay INIT. */
  p.now += 3 * MS;
  CHECK_RC(engine_redeliver(&p, &p.s, 0), 0);
  CHECK_EQ(engine_collect(&p.s), 1);
  CHECK_EQ(engine_last_sent(&p.s, 0, NNRP_MSG_TRANSPORT_PROBE_ACK, &pk), 0);
  CHECK_EQ(pk.meta.transport_probe_ack.probe_id, 77);
  CHECK_EQ(pk.meta.transport_probe_ack.reserved, 0);
  CHECK_EQ(pk.meta.transport_probe_ack.server_recv_ts_us, p.now);
  CHECK_EQ(pk.body.len, 0);
  CHECK_ROUNDTRIP_SENT(&p.s, 0, rebuild_probe_ack);
  CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_INIT);
  p.now += 2 * MS;
  CHECK_RC(engine_redeliver(&p, &p.c, 0), 0);
  CHECK_EQ(p.c.probe_acks.n, 1);
  if (p.c.probe_acks.n) {
    const nnrp_probe_sample *sm = &p.c.probe_acks.v[0];
    CHECK_EQ(sm->error, 0);
    CHECK_EQ(sm->probe_id, 77);
    CHECK_EQ(sm->payload_bytes, 300);
    CHECK_EQ(sm->rtt_us, 5 * MS);
    CHECK_EQ(sm->server_recv_ts_us, sent_at + 3 * MS);
  }
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_INIT);
  /* An ACK nobody asked for is reported as unmatched. */
  CHECK_RC(engine_redeliver(&p, &p.c, 0), 0);
  CHECK_EQ(p.c.probe_acks.n, 2);
  if (p.c.probe_acks.n == 2) CHECK_EQ(p.c.probe_acks.v[1].error, NNRP_ERR_FRAME_UNKNOWN);
  /* The connection can still carry the session. */
  CHECK_RC(engine_handshake(&p), 0);
  engine_pair_free(&p);

  /* body_len != probe_payload_bytes: the first packet is unusable (R1): ERROR malformed_body,
   * connection scope, fatal, and the server closes. */
  CHECK_RC(engine_pair_init(&p, NULL, NULL, NULL), 0);
  nnrp_transport_probe_meta m = {5, 300, 1};
  uint8_t meta[16], pad[200] = {0}, pkt[512];
  CHECK_RC(nnrp_transport_probe_meta_encode(&m, meta), 0);
  size_t n = engine_raw_packet(pkt, sizeof pkt, NNRP_MSG_TRANSPORT_PROBE, 0, 0, 0, meta, 16, pad,
                               sizeof pad);
  CHECK_RC(engine_inject(&p, &p.s, pkt, n), 0);
  engine_collect(&p.s);
  CHECK_ONE_ERROR(&p.s, 0, NNRP_ERROR_CODE_MALFORMED_BODY, NNRP_SCOPE_CONNECTION, 1);
  CHECK_EQ(engine_sent_since(&p.s, 0, NNRP_MSG_TRANSPORT_PROBE_ACK), 0);
  CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_CLOSED);
  engine_pair_free(&p);
}

int main(void) {
  RUN_CASE(test_l1_flow_update_metadata_validation, "l1.flow_update.metadata.validation");
  RUN_CASE(test_l1_result_hint_metadata_validation, "l1.result_hint.metadata.validation");
  RUN_CASE(test_l1_cache_lifecycle_roundtrip, "l1.cache.lifecycle.roundtrip");
  RUN_CASE(test_l1_transport_probe_metadata_roundtrip, "l1.transport_probe.metadata.roundtrip");
  return TEST_REPORT();
}
