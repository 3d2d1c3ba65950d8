/*
 * L1 control-plane cases (cases/l1-control-plane.json; session spec 8.3).  Each runner does the
 * codec part of its case in memory: whole packets built by libnnrp's builders, decoded by the
 * strict decoder, re-emitted from the decoded values byte for byte, and packets that break one
 * rule each rejected with that rule's code.  What a case demands of a running session (credit
 * epochs, the send window, the cache store) is checked afterwards on two engines in memory
 * (cmd_conformance_session.c).
 */
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

enum { MAX_PACKET = 1024 };

typedef struct packet {
  uint8_t b[MAX_PACKET];
  size_t len;
} packet;

static void st16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static void st32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* Header offsets (wire-control 2.1) and the metadata start. */
enum { H_META_LEN = 12, H_BODY_LEN = 16, H_SESSION = 20, META = 40 };

/* Re-emit a decoded control packet with the builder of its type. */
static int reemit(const nnrp_packet *p, packet *out) {
  const nnrp_header *h = &p->header;
  const nnrp_packet_params pp = {h->session_id, h->frame_id, h->view_id,
                                 h->route_id,   h->trace_id, h->flags};
  nnrp_sink s;
  int rc;
  nnrp_sink_init_buffer(&s, out->b, sizeof(out->b));
  switch (h->msg_type) {
    case NNRP_MSG_FLOW_UPDATE:
      rc = nnrp_build_flow_update(&pp, &p->meta.flow_update, &s);
      break;
    case NNRP_MSG_RESULT_HINT:
      rc = nnrp_build_result_hint(&pp, &p->meta.result_hint, &s);
      break;
    case NNRP_MSG_CACHE_PUT:
      rc = nnrp_build_cache_put(&pp, &p->meta.cache_put, p->body, &s);
      break;
    case NNRP_MSG_CACHE_ACK:
      rc = nnrp_build_cache_ack(&pp, &p->meta.cache_ack, &s);
      break;
    case NNRP_MSG_CACHE_INVALIDATE:
      rc = nnrp_build_cache_invalidate(&pp, &p->meta.cache_invalidate, &s);
      break;
    case NNRP_MSG_TRANSPORT_PROBE:
      rc = nnrp_build_transport_probe(&pp, &p->meta.transport_probe, p->body, &s);
      break;
    case NNRP_MSG_TRANSPORT_PROBE_ACK:
      rc = nnrp_build_transport_probe_ack(&pp, &p->meta.transport_probe_ack, &s);
      break;
    default:
      return NNRP_ERR_UNSUPPORTED;
  }
  out->len = rc == 0 ? s.total : 0;
  return rc;
}

static const nnrp_decode_options strict = {NNRP_DECODE_EXACT, 0, NULL, 0};

/* A built packet decodes, keeps its metadata, and re-emits to the same bytes.  `p` gets the
 * decoded packet (views into `in`). */
static int round_trip(conf_case *c, const char *what, const packet *in, nnrp_packet *p) {
  static packet again;
  char label[160];
  snprintf(label, sizeof(label), "%s: decoded", what);
  if (!conf_check_rc(c, nnrp_packet_decode(p, in->b, in->len, &strict, NULL), 0, label)) return 0;
  snprintf(label, sizeof(label), "%s: re-emitted from the decoded packet", what);
  if (!conf_check_rc(c, reemit(p, &again), 0, label)) return 0;
  snprintf(label, sizeof(label), "%s: re-emitted vs built", what);
  return conf_check_bytes(c, label, again.b, again.len, in->b, in->len);
}

/* A copy of `base` with a change applied rejects with `want`. */
typedef void (*mutation)(packet *p);

static void rejects(conf_case *c, const char *what, const packet *base, mutation m, int want) {
  static packet bad;
  static nnrp_packet p;
  bad = *base;
  m(&bad);
  conf_check_rc(c, nnrp_packet_decode(&p, bad.b, bad.len, &strict, NULL), want, what);
}

/* Appends a non-empty body (8 bytes) and declares it in the header. */
static void add_body(packet *p) {
  memset(p->b + p->len, 0xAB, 8);
  p->len += 8;
  st32(p->b + H_BODY_LEN, 8);
}

static int build_done(packet *out, nnrp_sink *s, int rc) {
  out->len = rc == 0 ? s->total : 0;
  return rc;
}

/* ---- FLOW_UPDATE ----------------------------------------------------------------------------- */

static int flow_packet(packet *out, uint32_t session, const nnrp_flow_update_meta *m) {
  const nnrp_packet_params pp = {session, 0, 0, 6, 13, 0};
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, out->b, sizeof(out->b));
  return build_done(out, &s, nnrp_build_flow_update(&pp, m, &s));
}

static void fu_scope3(packet *p) {
  p->b[META + 0] = 3;
}
static void fu_reason5(packet *p) {
  p->b[META + 1] = 5;
}
static void fu_backpressure3(packet *p) {
  p->b[META + 2] = 3;
}
static void fu_reserved0(packet *p) {
  p->b[META + 3] = 1;
}
static void fu_foreign_credit(packet *p) {
  st16(p->b + META + 4, 1);
}
static void fu_reserved1(packet *p) {
  st16(p->b + META + 10, 1);
}
static void fu_operation_id(packet *p) {
  p->b[META + 12] = 9;
}
static void fu_no_operation_id(packet *p) {
  memset(p->b + META + 12, 0, 8);
}
static void fu_retry_without_flag(packet *p) {
  st32(p->b + META + 28, NNRP_FLOW_CREDIT_VALID);
}
static void fu_unknown_flag(packet *p) {
  p->b[META + 28] |= 0x10;
}
static void fu_session_zero(packet *p) {
  st32(p->b + H_SESSION, 0);
}
static void fu_session_set(packet *p) {
  st32(p->b + H_SESSION, 21);
}

conf_outcome conf_l1_flow_update(conf_case *c) {
  static packet scoped[3];
  static nnrp_packet p;
  const nnrp_flow_update_meta metas[3] = {
      {NNRP_FLOW_SCOPE_CONNECTION, NNRP_FLOW_GRANT, NNRP_BACKPRESSURE_NONE, 0, 64, 0, 0, 0, 0, 0, 1,
       NNRP_FLOW_CREDIT_VALID},
      {NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_CONGESTION, NNRP_BACKPRESSURE_HARD, 0, 0, 1, 0, 0, 0, 40,
       5, NNRP_FLOW_CREDIT_VALID | NNRP_FLOW_RETRY_AFTER_VALID},
      {NNRP_FLOW_SCOPE_OPERATION, NNRP_FLOW_PAUSE, NNRP_BACKPRESSURE_SOFT, 0, 0, 0, 2, 0,
       0x0102030405060708u, 0, 7, NNRP_FLOW_CREDIT_VALID | NNRP_FLOW_DRAIN_IN_FLIGHT_ONLY}};
  const uint32_t sessions[3] = {0, 21, 21};
  static const char *const scope_names[3] = {"connection scope", "session scope",
                                             "operation scope"};

  conf_note(c, "(a) round trip through the framed message, one update per scope");
  for (int i = 0; i < 3; i++) {
    if (!conf_check_rc(c, flow_packet(&scoped[i], sessions[i], &metas[i]), 0, scope_names[i]))
      continue;
    if (round_trip(c, scope_names[i], &scoped[i], &p)) {
      conf_check_fields(c, scope_names[i], cli_meta_fields(NNRP_MSG_FLOW_UPDATE),
                        &p.meta.flow_update, &metas[i]);
      conf_check(c, p.header.session_id == sessions[i], "%s: header session_id %u", scope_names[i],
                 p.header.session_id);
    }
  }

  conf_note(c, "(b) one broken rule per packet (wire-control 10.1)");
  if (scoped[1].len) {
    rejects(c, "scope_kind 3", &scoped[1], fu_scope3, NNRP_ERR_FLOW_SCOPE);
    rejects(c, "update_reason 5", &scoped[1], fu_reason5, NNRP_ERR_FLOW_REASON);
    rejects(c, "backpressure_level 3", &scoped[1], fu_backpressure3, NNRP_ERR_FLOW_BACKPRESSURE);
    rejects(c, "unknown flag bit 0x10", &scoped[1], fu_unknown_flag, NNRP_ERR_FLOW_FLAGS);
    rejects(c, "retry_after_ms 40 without retry_after_valid", &scoped[1], fu_retry_without_flag,
            NNRP_ERR_FLOW_RETRY_AFTER);
    rejects(c, "session scope with a connection credit", &scoped[1], fu_foreign_credit,
            NNRP_ERR_FLOW_SCOPE_FIELDS);
    rejects(c, "session scope with an operation_id", &scoped[1], fu_operation_id,
            NNRP_ERR_FLOW_SCOPE_FIELDS);
    rejects(c, "session scope with header session_id 0", &scoped[1], fu_session_zero,
            NNRP_ERR_FLOW_SESSION_BINDING);
    rejects(c, "non-empty body", &scoped[1], add_body, NNRP_ERR_BODY_NOT_EMPTY);
    rejects(c, "reserved0 not zero", &scoped[1], fu_reserved0, NNRP_ERR_FLOW_RESERVED);
    rejects(c, "reserved1 not zero", &scoped[1], fu_reserved1, NNRP_ERR_FLOW_RESERVED);
  }
  if (scoped[0].len) {
    rejects(c, "connection scope with an operation_id", &scoped[0], fu_operation_id,
            NNRP_ERR_FLOW_SCOPE_FIELDS);
    rejects(c, "connection scope with header session_id 21", &scoped[0], fu_session_set,
            NNRP_ERR_FLOW_SESSION_BINDING);
  }
  if (scoped[2].len)
    rejects(c, "operation scope with operation_id 0", &scoped[2], fu_no_operation_id,
            NNRP_ERR_FLOW_SCOPE_FIELDS);

  conf_note(c, "(b) the builder refuses what the decoder refuses");
  static packet refused;
  nnrp_flow_update_meta m = metas[1];
  m.scope_kind = 3;
  conf_check_rc(c, flow_packet(&refused, 21, &m), NNRP_ERR_FLOW_SCOPE, "build with scope_kind 3");
  m = metas[1];
  m.retry_after_ms = 40, m.flags = NNRP_FLOW_CREDIT_VALID;
  conf_check_rc(c, flow_packet(&refused, 21, &m), NNRP_ERR_FLOW_RETRY_AFTER,
                "build with retry_after_ms but no retry_after_valid");
  conf_check_rc(c, flow_packet(&refused, 0, &metas[1]), NNRP_ERR_FLOW_SESSION_BINDING,
                "build a session-scope update for session 0");

  conf_note(c, "(session) the same messages in a running session, two engines in memory");
  conf_l1_flow_session(c);
  return conf_codec_outcome(c);
}

/* ---- RESULT_HINT ----------------------------------------------------------------------------- */

static int hint_packet(packet *out, uint32_t frame, const nnrp_result_hint_meta *m) {
  const nnrp_packet_params pp = {21, frame, 0, 7, 14, 0};
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, out->b, sizeof(out->b));
  return build_done(out, &s, nnrp_build_result_hint(&pp, m, &s));
}

static void rh_policy5(packet *p) {
  st32(p->b + META + 0, 5);
}
static void rh_congestion4(packet *p) {
  st32(p->b + META + 4, 4);
}
static void rh_reason99(packet *p) {
  st32(p->b + META + 8, 99);
}
/* Metadata of 20 bytes: four more bytes inside the packet, declared in meta_len. */
static void rh_meta20(packet *p) {
  memset(p->b + p->len, 0, 4);
  p->len += 4;
  st32(p->b + H_META_LEN, 20);
}

conf_outcome conf_l1_result_hint(conf_case *c) {
  static packet frame_hint, session_hint, refused;
  static nnrp_packet p;
  const nnrp_result_hint_meta m = {3, 3, 3, 60};   /* stale_reuse, saturated, budget_exceeded */
  const nnrp_result_hint_meta wide = {0, 2, 1, 0}; /* none, elevated, queue_full */

  conf_note(c, "(a) round trip of a frame hint and a session-wide hint (frame_id 0)");
  if (conf_check_rc(c, hint_packet(&frame_hint, 303, &m), 0, "hint for frame 303") &&
      round_trip(c, "hint for frame 303", &frame_hint, &p))
    conf_check(c,
               p.header.frame_id == 303 &&
                   conf_check_fields(c, "frame hint", cli_meta_fields(NNRP_MSG_RESULT_HINT),
                                     &p.meta.result_hint, &m),
               "frame hint: frame_id 303 kept");
  if (conf_check_rc(c, hint_packet(&session_hint, 0, &wide), 0, "session-wide hint") &&
      round_trip(c, "session-wide hint", &session_hint, &p))
    conf_check(c,
               p.header.frame_id == 0 &&
                   conf_check_fields(c, "session-wide hint", cli_meta_fields(NNRP_MSG_RESULT_HINT),
                                     &p.meta.result_hint, &wide),
               "session-wide hint: frame_id 0 kept");

  conf_note(c, "(b) malformed hints (wire-control 10.2)");
  if (frame_hint.len) {
    rejects(c, "reason 99", &frame_hint, rh_reason99, NNRP_ERR_HINT_REASON);
    rejects(c, "applied_budget_policy 5", &frame_hint, rh_policy5, NNRP_ERR_HINT_POLICY);
    rejects(c, "congestion_state 4", &frame_hint, rh_congestion4, NNRP_ERR_HINT_CONGESTION);
    rejects(c, "metadata of 20 bytes", &frame_hint, rh_meta20, NNRP_ERR_META_LEN);
    rejects(c, "non-empty body", &frame_hint, add_body, NNRP_ERR_BODY_NOT_EMPTY);
  }
  nnrp_result_hint_meta bad = m;
  bad.reason = 99;
  conf_check_rc(c, hint_packet(&refused, 303, &bad), NNRP_ERR_HINT_REASON, "build with reason 99");

  conf_note(c, "(session) the same messages in a running session, two engines in memory");
  conf_l1_hint_session(c);
  return conf_codec_outcome(c);
}

/* ---- cache lifecycle ------------------------------------------------------------------------- */

static void cp_kind0(packet *p) {
  st32(p->b + META + 12, 0);
}
static void cp_kind10(packet *p) {
  st32(p->b + META + 12, 10);
}
static void cp_object_bytes(packet *p) {
  st32(p->b + META + 20, 3);
}
static void ca_status3(packet *p) {
  st32(p->b + META + 12, 3);
}
static void ci_scope4(packet *p) {
  st32(p->b + META + 0, 4);
}

/* A reference SDK packet decodes and re-emits to the same bytes. */
static void reference_packet(conf_case *c, const char *file, unsigned msg_type) {
  static packet ref;
  static nnrp_packet p;
  size_t len = 0;
  uint8_t *b = conf_read_vector(c, file, &len);
  if (!b) return;
  if (conf_check(c, len <= sizeof(ref.b), "%s: %zu bytes", file, len)) {
    memcpy(ref.b, b, len);
    ref.len = len;
    if (round_trip(c, file, &ref, &p))
      conf_check(c, p.header.msg_type == msg_type, "%s: message type %s", file,
                 nnrp_msg_type_name(p.header.msg_type));
  }
  free(b);
}

conf_outcome conf_l1_cache_lifecycle(conf_case *c) {
  static packet put, ack[3], inval[4];
  static nnrp_packet p;
  static const uint8_t object[24] = "camera block bytes 0123";
  const nnrp_packet_params pp = {7, 0, 0, 0, 99, 0};
  nnrp_sink s;

  conf_note(c, "(a) CACHE_PUT with its object, CACHE_ACK per status, CACHE_INVALIDATE per scope");
  const nnrp_cache_put_meta pm = {3,    0x11223344, 0x55667788, NNRP_OBJECT_CAMERA_BLOCK,
                                  5000, 0,          0x1,        NNRP_CACHE_PUT_REUSABLE};
  nnrp_sink_init_buffer(&s, put.b, sizeof(put.b));
  if (conf_check_rc(
          c,
          build_done(&put, &s,
                     nnrp_build_cache_put(&pp, &pm, (nnrp_vec){object, sizeof(object)}, &s)),
          0, "CACHE_PUT built") &&
      round_trip(c, "CACHE_PUT", &put, &p))
    conf_check(c,
               p.meta.cache_put.object_bytes == sizeof(object) && p.body.len == sizeof(object) &&
                   memcmp(p.body.base, object, sizeof(object)) == 0,
               "CACHE_PUT: body is the object, object_bytes %u", p.meta.cache_put.object_bytes);
  for (uint32_t st = 0; st < 3; st++) {
    const nnrp_cache_ack_meta am = {3, 0x11223344, 0x55667788, st, 5000, 1 << 20, 0};
    char what[48];
    snprintf(what, sizeof(what), "CACHE_ACK status %u", st);
    nnrp_sink_init_buffer(&s, ack[st].b, sizeof(ack[st].b));
    if (conf_check_rc(c, build_done(&ack[st], &s, nnrp_build_cache_ack(&pp, &am, &s)), 0, what))
      round_trip(c, what, &ack[st], &p);
  }
  for (uint32_t scope = 0; scope < 4; scope++) {
    const nnrp_cache_invalidate_meta im = {scope, 3, 0x11223344, 0x55667788, 1};
    char what[48];
    snprintf(what, sizeof(what), "CACHE_INVALIDATE scope %u", scope);
    nnrp_sink_init_buffer(&s, inval[scope].b, sizeof(inval[scope].b));
    if (conf_check_rc(c, build_done(&inval[scope], &s, nnrp_build_cache_invalidate(&pp, &im, &s)),
                      0, what))
      round_trip(c, what, &inval[scope], &p);
  }
  conf_note(c, "(a) the reference SDK's cache packets");
  reference_packet(c, "cache_put.bin", NNRP_MSG_CACHE_PUT);
  reference_packet(c, "cache_ack.bin", NNRP_MSG_CACHE_ACK);
  reference_packet(c, "cache_invalidate.bin", NNRP_MSG_CACHE_INVALIDATE);

  conf_note(c, "(b) malformed cache messages (wire-control 9)");
  if (put.len) {
    rejects(c, "CACHE_PUT object kind 0", &put, cp_kind0, NNRP_ERR_CACHE_OBJECT_KIND);
    rejects(c, "CACHE_PUT object kind 10", &put, cp_kind10, NNRP_ERR_CACHE_OBJECT_KIND);
    rejects(c, "CACHE_PUT body_len != object_bytes", &put, cp_object_bytes,
            NNRP_ERR_CACHE_OBJECT_LEN);
  }
  if (ack[0].len) {
    rejects(c, "CACHE_ACK status 3", &ack[0], ca_status3, NNRP_ERR_CACHE_ACK_STATUS);
    rejects(c, "CACHE_ACK with a body", &ack[0], add_body, NNRP_ERR_BODY_NOT_EMPTY);
  }
  if (inval[0].len) {
    rejects(c, "CACHE_INVALIDATE scope 4", &inval[0], ci_scope4, NNRP_ERR_CACHE_SCOPE);
    rejects(c, "CACHE_INVALIDATE with a body", &inval[0], add_body, NNRP_ERR_BODY_NOT_EMPTY);
  }

  conf_note(c, "(session) the same messages in a running session, two engines in memory");
  conf_l1_cache_session(c);
  return conf_codec_outcome(c);
}

/* ---- transport probe ------------------------------------------------------------------------- */

static void tp_length(packet *p) {
  st32(p->b + META + 4, 63);
}

conf_outcome conf_l1_transport_probe(conf_case *c) {
  static packet probe, ack;
  static nnrp_packet p, q;
  static uint8_t padding[64];
  const nnrp_packet_params pp = {0, 0, 0, 0, 77, 0};
  const nnrp_transport_probe_meta pm = {0x0badcafe, 0, 1700000000123456u};
  nnrp_sink s;

  conf_note(c, "TRANSPORT_PROBE carries probe_payload_bytes of padding; the ACK echoes probe_id");
  memset(padding, 0x5A, sizeof(padding));
  nnrp_sink_init_buffer(&s, probe.b, sizeof(probe.b));
  if (conf_check_rc(c,
                    build_done(&probe, &s,
                               nnrp_build_transport_probe(
                                   &pp, &pm, (nnrp_vec){padding, sizeof(padding)}, &s)),
                    0, "TRANSPORT_PROBE with 64 padding bytes") &&
      round_trip(c, "TRANSPORT_PROBE", &probe, &p)) {
    conf_check(c, p.meta.transport_probe.probe_payload_bytes == 64 && p.body.len == 64,
               "probe_payload_bytes %u = body length %zu",
               p.meta.transport_probe.probe_payload_bytes, p.body.len);
    /* The answer a responder builds from the probe it decoded (transport 4.2). */
    const nnrp_transport_probe_ack_meta am = {p.meta.transport_probe.probe_id, 0,
                                              1700000000200000u};
    const nnrp_packet_params ap = {0, 0, 0, 0, p.header.trace_id, 0};
    nnrp_sink_init_buffer(&s, ack.b, sizeof(ack.b));
    if (conf_check_rc(c, build_done(&ack, &s, nnrp_build_transport_probe_ack(&ap, &am, &s)), 0,
                      "TRANSPORT_PROBE_ACK") &&
        round_trip(c, "TRANSPORT_PROBE_ACK", &ack, &q))
      conf_check(c,
                 q.meta.transport_probe_ack.probe_id == pm.probe_id &&
                     q.meta.transport_probe_ack.server_recv_ts_us == am.server_recv_ts_us,
                 "ACK: probe_id 0x%08x echoed, server_recv_ts_us kept",
                 q.meta.transport_probe_ack.probe_id);
  }
  if (probe.len)
    rejects(c, "probe_payload_bytes 63 over a 64-byte body", &probe, tp_length,
            NNRP_ERR_PROBE_PAYLOAD_LEN);
  if (ack.len)
    rejects(c, "TRANSPORT_PROBE_ACK with a body", &ack, add_body, NNRP_ERR_BODY_NOT_EMPTY);
  return conf_codec_outcome(c);
}
