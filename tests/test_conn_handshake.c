/*
 * Session engine: the handshake (session §1) — the happy path in every transfer mode, the
 * negotiation rules of §1.3 / §1.5, every server rejection R1-R14 with its exact ERROR, the
 * client's checks of SERVER_HELLO_ACK, and the handshake timers.
 */
#include "conn_pair.h"
#include "test.h"

#define TRACE 0x1122334455667788ull

static void client_hello_defaults(nnrp_client_hello_meta *m) {
  nnrp_settings s;
  nnrp_settings_default(&s, NNRP_ROLE_CLIENT);
  *m = s.client.hello;
}

/* A CLIENT_HELLO packet built by the wire builder (lengths computed by it). */
static size_t hello_packet(uint8_t *buf, size_t cap, const nnrp_client_hello_meta *m,
                           const nnrp_ext_entry *exts, size_t n, nnrp_vec auth) {
  nnrp_packet_params p;
  memset(&p, 0, sizeof(p));
  p.flags = NNRP_FLAG_ACK_REQUIRED;
  p.trace_id = TRACE;
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, cap);
  CHECK_RC(nnrp_build_client_hello(&p, m, exts, n, auth, &s), 0);
  return s.len;
}

static void check_error_packet(const pair_side *side, uint32_t code, uint32_t scope, int fatal) {
  long i = pair_last_sent(side, NNRP_MSG_ERROR);
  CHECK(i >= 0);
  nnrp_packet p;
  if (i < 0 || pair_sent_packet(side, i, &p) != 0) return;
  CHECK_EQ(p.meta.error.error_code, code);
  CHECK_EQ(p.meta.error.error_scope, scope);
  CHECK_EQ(p.meta.error.is_fatal, fatal);
}

/* Feed a crafted first packet to a fresh server and check the single ERROR it answers with. */
static void expect_reject_bytes(const uint8_t *pkt, size_t len, const nnrp_settings *server,
                                uint32_t code, uint32_t scope, uint32_t retry) {
  conn_pair p;
  CHECK_RC(pair_init(&p, NULL, server), 0);
  pair_inject(&p, &p.s, pkt, len);
  pair_pump(&p, &p.s, &p.c);
  CHECK_EQ(p.s.sent_count, 1);
  CHECK_EQ(pair_count_sent(&p.s, NNRP_MSG_SERVER_HELLO_ACK), 0);
  nnrp_packet e;
  CHECK_RC(pair_sent_packet(&p.s, 0, &e), 0);
  CHECK_EQ(e.header.msg_type, NNRP_MSG_ERROR);
  CHECK_EQ(e.header.session_id, 0);
  CHECK_EQ(e.meta.error.error_code, code);
  CHECK_EQ(e.meta.error.error_scope, scope);
  CHECK_EQ(e.meta.error.is_fatal, 1);
  CHECK_EQ(e.meta.error.related_session_id, 0);
  CHECK_EQ(e.meta.error.retry_after_ms, retry);
  CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(p.s.close_info.cause, NNRP_CLOSE_ERROR_SENT);
  CHECK(nnrp_conn_last_error_sent(p.s.conn)->valid);
  pair_free(&p);
}

static void expect_reject(const nnrp_client_hello_meta *m, const nnrp_settings *server,
                          uint32_t code, uint32_t scope) {
  uint8_t buf[512];
  nnrp_vec none = {NULL, 0};
  size_t n = hello_packet(buf, sizeof(buf), m, NULL, 0, none);
  expect_reject_bytes(buf, n, server, code, scope, 0);
}

/* ---- happy path ------------------------------------------------------------------------------ */

static void handshake_in_mode(pair_mode mode) {
  conn_pair p;
  CHECK_RC(pair_init(&p, NULL, NULL), 0);
  p.mode = mode;
  CHECK_RC(pair_handshake(&p), 0);
  CHECK_EQ(p.c.handshakes, 1);
  CHECK_EQ(p.s.handshakes, 1);
  CHECK_EQ(nnrp_conn_session_id(p.c.conn), 1);
  CHECK_EQ(nnrp_conn_session_id(p.s.conn), 1);
  CHECK_EQ(pair_count_sent(&p.c, NNRP_MSG_CLIENT_HELLO), 1);
  CHECK_EQ(pair_count_sent(&p.s, NNRP_MSG_SERVER_HELLO_ACK), 1);
  CHECK_EQ(p.c.sent_count, 1);
  CHECK_EQ(p.s.sent_count, 1);
  nnrp_packet h;
  CHECK_RC(pair_sent_packet(&p.c, 0, &h), 0);
  CHECK_EQ(h.header.session_id, 0);
  CHECK_EQ(h.header.frame_id, 0);
  CHECK_EQ(h.header.flags, NNRP_FLAG_ACK_REQUIRED);
  CHECK_EQ(h.meta.client_hello.control_extension_bytes, 0);
  CHECK_EQ(h.body.len, 0);
  /* States: INIT -> NEGOTIATING -> ACTIVE on both sides. */
  CHECK_EQ(p.c.state_count, 2);
  CHECK_EQ(p.c.states[0], NNRP_STATE_NEGOTIATING);
  CHECK_EQ(p.c.states[1], NNRP_STATE_ACTIVE);
  CHECK_EQ(p.s.states[1], NNRP_STATE_ACTIVE);
  CHECK_EQ(nnrp_conn_expiry(p.c.conn), NNRP_TSTAMP_NEVER);
  pair_free(&p);
}

static void handshake_packets(void) {
  handshake_in_mode(PAIR_PACKETS);
}
static void handshake_stream(void) {
  handshake_in_mode(PAIR_STREAM);
}
static void handshake_byte_at_a_time(void) {
  handshake_in_mode(PAIR_BYTES);
}
static void handshake_coalesced(void) {
  handshake_in_mode(PAIR_COALESCE);
}

static void negotiation_values(void) {
  nnrp_settings cs, ss;
  nnrp_settings_default(&cs, NNRP_ROLE_CLIENT);
  nnrp_settings_default(&ss, NNRP_ROLE_SERVER);
  cs.client.hello.supported_codec_bitmap = 0x7; /* bit 2: unknown codec id, ignored */
  cs.client.hello.supported_dtype_bitmap = 0x1F;
  cs.client.hello.supported_layout_bitmap = 0x3;
  cs.client.hello.supported_compression_bitmap = 0x3;
  cs.client.hello.supported_payload_kind_bitmap = NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_TOKEN_CHUNK;
  cs.client.hello.cache_object_bitmap = 0x7;
  cs.client.hello.max_cache_entries = 16;
  cs.client.hello.max_cache_bytes = 4096;
  cs.client.hello.requested_session_id = 42;
  cs.client.hello.target_cadence_x100 = 24000;
  cs.client.hello.latency_budget_ms = 5;
  cs.client.hello.degrade_policy = 2;
  cs.client.hello.max_lane_count = 2;
  ss.server.max_lane_count = 4;
  ss.server.max_concurrent_frames = 8;
  ss.server.dtype_bitmap = 0x21;
  ss.server.payload_kind_bitmap = NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_AUDIO_CHUNK;
  ss.server.max_cadence_x100 = 6000;
  ss.server.min_latency_budget_ms = 10;
  ss.server.degrade_policy_mask = 0x3; /* 0 and 1 only */
  ss.server.server_flags = NNRP_SERVER_SESSION_RESUME;
  conn_pair p;
  CHECK_RC(pair_init(&p, &cs, &ss), 0);
  CHECK_RC(pair_handshake(&p), 0);
  const nnrp_negotiated *n = nnrp_conn_negotiated(p.c.conn);
  CHECK(n != NULL);
  if (!n) return;
  const nnrp_server_hello_ack_meta *a = &n->ack;
  CHECK_EQ(n->session_id, 42);
  CHECK_EQ(a->session_id, 42);
  CHECK_EQ(a->accepted_codec_bitmap, 0x1);
  CHECK_EQ(a->accepted_dtype_bitmap, 0x1);
  CHECK_EQ(a->accepted_layout_bitmap, 0x1);
  CHECK_EQ(a->accepted_compression_bitmap, 0x1);
  CHECK_EQ(a->accepted_payload_kind_bitmap, NNRP_PAYLOAD_TENSOR);
  CHECK_EQ(a->cache_digest_bitmap, 0x1);
  CHECK_EQ(a->cache_object_bitmap, 0x7);
  CHECK_EQ(a->max_cache_entries, 16);
  CHECK_EQ(a->max_cache_bytes, 4096);
  CHECK_EQ(a->max_lane_count, 2);
  CHECK_EQ(a->max_concurrent_frames, 8);
  CHECK_EQ(a->target_cadence_x100, 6000);
  CHECK_EQ(a->latency_budget_ms, 10);
  CHECK_EQ(a->quality_tier, 2);
  CHECK_EQ(a->degrade_policy, 0);
  CHECK_EQ(a->max_body_bytes, 16u << 20);
  CHECK_EQ(a->token_ttl_ms, 300000);
  CHECK_EQ(a->server_flags, NNRP_SERVER_CACHE_ENABLED | NNRP_SERVER_SESSION_RESUME);
  CHECK_EQ(a->control_extension_bytes, 0);
  CHECK_EQ(n->ack_extensions, 0);
  CHECK_EQ(n->loss_tolerance, NNRP_LOSS_BEST_EFFORT);
  CHECK(n->cache_enabled);
  /* Both ends hold the same view; the server's header id is the assigned id, trace echoed. */
  CHECK_EQ(p.s.neg.ack.max_concurrent_frames, 8);
  nnrp_packet ack;
  CHECK_RC(pair_sent_packet(&p.s, 0, &ack), 0);
  CHECK_EQ(ack.header.session_id, 42);
  nnrp_window_info w;
  nnrp_conn_window(p.c.conn, &w);
  CHECK_EQ(w.window, 8);
  CHECK_EQ(w.max_concurrent_frames, 8);
  pair_free(&p);
}

static void extension_answers(void) {
  nnrp_settings cs, ss;
  nnrp_settings_default(&cs, NNRP_ROLE_CLIENT);
  nnrp_settings_default(&ss, NNRP_ROLE_SERVER);
  cs.transport_id = ss.transport_id = NNRP_TRANSPORT_TCP;
  cs.client.send_transport_policy = 1;
  cs.client.transport_policy.transport_policy = NNRP_TRANSPORT_POLICY_FORCE_TCP;
  cs.client.transport_policy.transport_id = NNRP_TRANSPORT_TCP;
  cs.client.send_loss_tolerance = 1;
  cs.client.loss_tolerance = NNRP_LOSS_STRICT;
  cs.client.send_payload_caps = 1;
  cs.client.payload_caps.payload_kind_bitmap = NNRP_PAYLOAD_TENSOR;
  ss.server.can_retransmit = 0;
  conn_pair p;
  CHECK_RC(pair_init(&p, &cs, &ss), 0);
  CHECK_RC(pair_handshake(&p), 0);
  const nnrp_negotiated *n = nnrp_conn_negotiated(p.c.conn);
  CHECK(n && n->ack_extensions == (NNRP_HELLO_HAS_TRANSPORT_POLICY | NNRP_HELLO_HAS_LOSS_TOLERANCE |
                                   NNRP_HELLO_HAS_PAYLOAD_CAPS));
  if (n) {
    CHECK_EQ(n->transport_policy.transport_policy, NNRP_TRANSPORT_POLICY_FORCE_TCP);
    CHECK_EQ(n->transport_policy.accepted_transport_policy, NNRP_TRANSPORT_POLICY_FORCE_TCP);
    CHECK_EQ(n->transport_policy.transport_id, NNRP_TRANSPORT_TCP);
    CHECK_EQ(n->loss_tolerance, NNRP_LOSS_BEST_EFFORT); /* strict needs retransmission */
    CHECK_EQ(n->payload_caps.payload_kind_bitmap, NNRP_PAYLOAD_TENSOR);
    CHECK_EQ(n->payload_caps.critical_extension_frame_bitmap, 0);
    CHECK_EQ(n->ack.control_extension_bytes, 48);
  }
  nnrp_packet h;
  CHECK_RC(pair_sent_packet(&p.c, 0, &h), 0);
  CHECK_EQ(h.hello.extension_count, 3);
  pair_free(&p);
}

static void forced_transport_mismatch(void) {
  nnrp_settings cs, ss;
  nnrp_settings_default(&cs, NNRP_ROLE_CLIENT);
  nnrp_settings_default(&ss, NNRP_ROLE_SERVER);
  ss.transport_id = NNRP_TRANSPORT_QUIC;
  cs.client.send_transport_policy = 1;
  cs.client.transport_policy.transport_policy = NNRP_TRANSPORT_POLICY_FORCE_TCP;
  cs.client.transport_policy.transport_id = NNRP_TRANSPORT_TCP;
  conn_pair p;
  CHECK_RC(pair_init(&p, &cs, &ss), 0);
  CHECK_RC(nnrp_conn_connect(p.c.conn, p.now), 0);
  pair_flush(&p);
  check_error_packet(&p.s, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY, NNRP_SCOPE_CONNECTION, 1);
  CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_CLOSED);
  /* The client takes the ERROR in NEGOTIATING: CLOSED, the failure recorded. */
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(p.c.close_info.cause, NNRP_CLOSE_ERROR_RECEIVED);
  CHECK_EQ(nnrp_conn_last_error_received(p.c.conn)->meta.error_code,
           NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY);
  CHECK_EQ(p.c.error_count, 1);
  pair_free(&p);
}

/* ---- R1 - R14 -------------------------------------------------------------------------------- */

static void r1_first_message_not_hello(void) {
  uint8_t buf[64];
  nnrp_packet_params pp;
  memset(&pp, 0, sizeof(pp));
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_ping(&pp, &s), 0);
  expect_reject_bytes(buf, s.len, NULL, NNRP_ERROR_CODE_MALFORMED_BODY, NNRP_SCOPE_CONNECTION, 0);
  /* A server-to-client type first, too. */
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_result_drop(&pp, &s), 0);
  expect_reject_bytes(buf, s.len, NULL, NNRP_ERROR_CODE_MALFORMED_BODY, NNRP_SCOPE_CONNECTION, 0);
}

static void r1_unparseable_hello(void) {
  nnrp_client_hello_meta m;
  client_hello_defaults(&m);
  uint8_t buf[256];
  uint8_t auth[4] = {1, 2, 3, 4};
  nnrp_vec a = {auth, 4};
  size_t n = hello_packet(buf, sizeof(buf), &m, NULL, 0, a);
  /* auth_bytes (metadata offset 56) larger than the body. */
  buf[40 + 56] = 9;
  expect_reject_bytes(buf, n, NULL, NNRP_ERROR_CODE_MALFORMED_BODY, NNRP_SCOPE_CONNECTION, 0);
}

static void r1a_header_failures(void) {
  nnrp_client_hello_meta m;
  client_hello_defaults(&m);
  uint8_t buf[512];
  nnrp_vec none = {NULL, 0};
  size_t n = hello_packet(buf, sizeof(buf), &m, NULL, 0, none);
  buf[0] = 'X';
  expect_reject_bytes(buf, n, NULL, NNRP_ERROR_CODE_MALFORMED_HEADER, NNRP_SCOPE_CONNECTION, 0);
  n = hello_packet(buf, sizeof(buf), &m, NULL, 0, none);
  buf[4] = 2; /* version_major */
  expect_reject_bytes(buf, n, NULL, NNRP_ERROR_CODE_UNSUPPORTED_VERSION, NNRP_SCOPE_CONNECTION, 0);
  /* A hello with a 200-byte auth block is 304 bytes, over the smallest allowed limit. */
  static const uint8_t token[200];
  n = hello_packet(buf, sizeof(buf), &m, NULL, 0, (nnrp_vec){token, sizeof(token)});
  nnrp_settings ss;
  nnrp_settings_default(&ss, NNRP_ROLE_SERVER);
  ss.max_packet_bytes = NNRP_MIN_PACKET_BYTES;
  expect_reject_bytes(buf, n, &ss, NNRP_ERROR_CODE_LIMIT_EXCEEDED, NNRP_SCOPE_CONNECTION, 0);
  /* A limit that could not carry a handshake is refused at creation. */
  nnrp_conn *c = NULL;
  ss.max_packet_bytes = NNRP_MIN_PACKET_BYTES - 1;
  CHECK_RC(nnrp_conn_server_new(&c, &ss, NULL, NULL, NULL), NNRP_ERR_INVALID_ARGUMENT);
  CHECK(c == NULL);
}

static void r2_wire_format(void) {
  nnrp_client_hello_meta m;
  client_hello_defaults(&m);
  m.supported_wire_format_bitmap = 0x2;
  expect_reject(&m, NULL, NNRP_ERROR_CODE_UNSUPPORTED_VERSION, NNRP_SCOPE_CONNECTION);
}

static void r3_version_range(void) {
  nnrp_client_hello_meta m;
  client_hello_defaults(&m);
  m.min_version_major = 2;
  m.max_version_major = 3;
  expect_reject(&m, NULL, NNRP_ERROR_CODE_UNSUPPORTED_VERSION, NNRP_SCOPE_CONNECTION);
  client_hello_defaults(&m);
  m.min_version_major = 0;
  m.max_version_major = 0;
  expect_reject(&m, NULL, NNRP_ERROR_CODE_UNSUPPORTED_VERSION, NNRP_SCOPE_CONNECTION);
}

static void r4_unknown_critical_extension(void) {
  nnrp_client_hello_meta m;
  client_hello_defaults(&m);
  uint8_t payload[4] = {1, 2, 3, 4};
  nnrp_ext_entry e = {0x7777, NNRP_EXT_FLAG_CRITICAL, {payload, 4}};
  uint8_t buf[256];
  nnrp_vec none = {NULL, 0};
  m.control_extension_bytes = (uint32_t)nnrp_ext_block_len(&e, 1);
  size_t n = hello_packet(buf, sizeof(buf), &m, &e, 1, none);
  expect_reject_bytes(buf, n, NULL, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY, NNRP_SCOPE_CONNECTION,
                      0);
  /* The same entry without the critical bit is ignored: the handshake succeeds. */
  e.ext_flags = 0;
  n = hello_packet(buf, sizeof(buf), &m, &e, 1, none);
  conn_pair p;
  CHECK_RC(pair_init(&p, NULL, NULL), 0);
  pair_inject(&p, &p.s, buf, n);
  CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_ACTIVE);
  pair_free(&p);
}

static void r5_malformed_tlv(void) {
  nnrp_client_hello_meta m;
  client_hello_defaults(&m);
  uint8_t payload[3] = {1, 2, 3};
  nnrp_ext_entry e = {0x7777, 0, {payload, 3}};
  uint8_t buf[256];
  nnrp_vec none = {NULL, 0};
  size_t n = hello_packet(buf, sizeof(buf), &m, &e, 1, none);
  buf[n - 1] = 0xAA; /* non-zero padding after the 3-byte payload */
  expect_reject_bytes(buf, n, NULL, NNRP_ERROR_CODE_MALFORMED_BODY, NNRP_SCOPE_CONNECTION, 0);
}

static void r6_auth_rejected(void) {
  conn_pair p;
  CHECK_RC(pair_init(&p, NULL, NULL), 0);
  p.s.auth_reject = 1;
  CHECK_RC(nnrp_conn_connect(p.c.conn, p.now), 0);
  pair_flush(&p);
  CHECK_EQ(pair_count_sent(&p.s, NNRP_MSG_SERVER_HELLO_ACK), 0);
  check_error_packet(&p.s, NNRP_ERROR_CODE_AUTH_FAILED, NNRP_SCOPE_CONNECTION, 1);
  CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
  pair_free(&p);
}

static void r7_invalid_capability_sets(void) {
  nnrp_client_hello_meta m;
  uint32_t cap = NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY;
  client_hello_defaults(&m);
  m.supported_codec_bitmap = 0x4; /* only an unknown codec id */
  expect_reject(&m, NULL, cap, NNRP_SCOPE_SESSION);
  client_hello_defaults(&m);
  m.supported_dtype_bitmap = 0x100;
  expect_reject(&m, NULL, cap, NNRP_SCOPE_SESSION);
  client_hello_defaults(&m);
  m.supported_layout_bitmap = 0;
  expect_reject(&m, NULL, cap, NNRP_SCOPE_SESSION);
  client_hello_defaults(&m);
  m.supported_payload_kind_bitmap = 0;
  expect_reject(&m, NULL, cap, NNRP_SCOPE_SESSION);
  client_hello_defaults(&m);
  m.cache_object_bitmap = 0x200;
  expect_reject(&m, NULL, cap, NNRP_SCOPE_SESSION);
  client_hello_defaults(&m);
  m.max_lane_count = 0;
  expect_reject(&m, NULL, cap, NNRP_SCOPE_SESSION);
  client_hello_defaults(&m);
  m.max_cache_entries = 0; /* one namespace announced */
  expect_reject(&m, NULL, cap, NNRP_SCOPE_SESSION);
  client_hello_defaults(&m);
  m.target_cadence_x100 = 0;
  expect_reject(&m, NULL, cap, NNRP_SCOPE_SESSION);
  client_hello_defaults(&m);
  m.latency_budget_ms = 0;
  expect_reject(&m, NULL, cap, NNRP_SCOPE_SESSION);
  /* Payload-kind bits >= 7 (the builder refuses them, so patch the bytes). */
  client_hello_defaults(&m);
  uint8_t buf[256];
  nnrp_vec none = {NULL, 0};
  size_t n = hello_packet(buf, sizeof(buf), &m, NULL, 0, none);
  buf[40 + 8] = 0x81;
  expect_reject_bytes(buf, n, NULL, cap, NNRP_SCOPE_SESSION, 0);
}

static void r8_too_many_lanes(void) {
  nnrp_client_hello_meta m;
  client_hello_defaults(&m);
  m.max_lane_count = 2;
  expect_reject(&m, NULL, NNRP_ERROR_CODE_LIMIT_EXCEEDED, NNRP_SCOPE_SESSION);
}

static void r9_to_r12_no_common_set(void) {
  nnrp_client_hello_meta m;
  uint32_t cap = NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY;
  client_hello_defaults(&m);
  m.supported_codec_bitmap = 0x2;
  expect_reject(&m, NULL, cap, NNRP_SCOPE_SESSION);
  client_hello_defaults(&m);
  m.supported_dtype_bitmap = 0x2;
  expect_reject(&m, NULL, cap, NNRP_SCOPE_SESSION);
  client_hello_defaults(&m);
  m.supported_layout_bitmap = 0x2;
  expect_reject(&m, NULL, cap, NNRP_SCOPE_SESSION);
  client_hello_defaults(&m);
  m.supported_payload_kind_bitmap = NNRP_PAYLOAD_TOKEN_CHUNK;
  expect_reject(&m, NULL, cap, NNRP_SCOPE_SESSION);
}

static void r13_payload_caps_critical_bitmap(void) {
  nnrp_client_hello_meta m;
  client_hello_defaults(&m);
  /* 0x0105 with critical_extension_frame_bitmap = 1 (builders refuse it: patch the byte at
   * header 40 + metadata 64 + entry header 8 + payload kinds 4). */
  uint8_t payload[8] = {1, 0, 0, 0, 0, 0, 0, 0};
  nnrp_ext_entry e = {NNRP_EXT_PAYLOAD_CAPABILITIES, 0, {payload, 8}};
  uint8_t buf[256];
  nnrp_vec none = {NULL, 0};
  size_t n = hello_packet(buf, sizeof(buf), &m, &e, 1, none);
  buf[40 + 64 + 8 + 4] = 1;
  expect_reject_bytes(buf, n, NULL, NNRP_ERROR_CODE_MALFORMED_BODY, NNRP_SCOPE_CONNECTION, 0);
}

static void r14_server_busy(void) {
  nnrp_client_hello_meta m;
  client_hello_defaults(&m);
  uint8_t buf[256];
  nnrp_vec none = {NULL, 0};
  size_t n = hello_packet(buf, sizeof(buf), &m, NULL, 0, none);
  /* Through the overload switch. */
  conn_pair p;
  CHECK_RC(pair_init(&p, NULL, NULL), 0);
  CHECK_RC(nnrp_conn_set_busy(p.s.conn, 1, 700, p.now), 0);
  pair_inject(&p, &p.s, buf, n);
  pair_pump(&p, &p.s, &p.c);
  CHECK_EQ(p.s.sent_count, 1);
  nnrp_packet e;
  CHECK_RC(pair_sent_packet(&p.s, 0, &e), 0);
  CHECK_EQ(e.meta.error.error_code, NNRP_ERROR_CODE_SERVER_BUSY);
  CHECK_EQ(e.meta.error.error_scope, NNRP_SCOPE_CONNECTION);
  CHECK_EQ(e.meta.error.is_fatal, 1);
  CHECK_EQ(e.meta.error.retry_after_ms, 700);
  CHECK_EQ(e.header.trace_id, TRACE);
  pair_free(&p);
  /* Through the session-id hook. */
  CHECK_RC(pair_init(&p, NULL, NULL), 0);
  p.s.busy_session = 1;
  pair_inject(&p, &p.s, buf, n);
  pair_pump(&p, &p.s, &p.c);
  CHECK_RC(pair_sent_packet(&p.s, 0, &e), 0);
  CHECK_EQ(e.meta.error.error_code, NNRP_ERROR_CODE_SERVER_BUSY);
  CHECK_EQ(e.meta.error.retry_after_ms, 250);
  CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_CLOSED);
  pair_free(&p);
}

static void rejection_order(void) {
  /* Several faults at once: the first rule in order wins (R2 before R7 before R8). */
  nnrp_client_hello_meta m;
  client_hello_defaults(&m);
  m.supported_wire_format_bitmap = 0x2;
  m.max_lane_count = 9;
  m.latency_budget_ms = 0;
  expect_reject(&m, NULL, NNRP_ERROR_CODE_UNSUPPORTED_VERSION, NNRP_SCOPE_CONNECTION);
  client_hello_defaults(&m);
  m.max_lane_count = 9;
  m.latency_budget_ms = 0;
  expect_reject(&m, NULL, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY, NNRP_SCOPE_SESSION);
}

/* ---- client checks of SERVER_HELLO_ACK (§1.3) ------------------------------------------------ */

/* Client in NEGOTIATING fed a crafted ACK. */
static void ack_case(void (*edit)(nnrp_server_hello_ack_meta *), size_t patch_off, uint8_t patch,
                     int expect_close, uint32_t expect_code) {
  conn_pair p;
  CHECK_RC(pair_init(&p, NULL, NULL), 0);
  CHECK_RC(nnrp_conn_connect(p.c.conn, p.now), 0);
  pair_pump(&p, &p.c, &p.s); /* the server answers with a good ACK: capture it */
  nnrp_packet good;
  CHECK_RC(pair_sent_packet(&p.c, 0, &good), 0);
  nnrp_server_hello_ack_meta a = p.s.neg.ack;
  if (edit) edit(&a);
  nnrp_packet_params pp;
  memset(&pp, 0, sizeof(pp));
  pp.session_id = a.session_id;
  uint8_t buf[256];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_server_hello_ack(&pp, &a, NULL, 0, &s), 0);
  if (patch_off) buf[patch_off] = patch;
  /* Drop the server's real answer; feed ours. */
  while (nnrp_conn_output_peek(p.s.conn, &(nnrp_output){0}) == 1) nnrp_conn_output_pop(p.s.conn);
  pair_inject(&p, &p.c, buf, s.len);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(p.c.close_info.cause, NNRP_CLOSE_HANDSHAKE_FAILED);
  CHECK_EQ(p.c.handshakes, 0);
  const nnrp_failure *f = nnrp_conn_last_error_sent(p.c.conn);
  CHECK(f->valid);
  CHECK_EQ(f->meta.error_code, expect_code);
  pair_clear_sent(&p);
  pair_pump(&p, &p.c, &p.s);
  CHECK_EQ(pair_count_sent(&p.c, NNRP_MSG_CLOSE), expect_close ? 1 : 0);
  CHECK_EQ(pair_count_sent(&p.c, NNRP_MSG_ERROR), 0);
  pair_free(&p);
}

static void edit_auth(nnrp_server_hello_ack_meta *a) {
  a->auth_status = 1;
}
static void edit_frames(nnrp_server_hello_ack_meta *a) {
  a->max_concurrent_frames = 0;
}
static void edit_codec(nnrp_server_hello_ack_meta *a) {
  a->accepted_codec_bitmap = 0x2;
}
static void edit_cache(nnrp_server_hello_ack_meta *a) {
  a->max_cache_entries = 0;
}

static void client_ack_checks(void) {
  /* 1: wire format (metadata byte 1) and version (byte 0): no CLOSE. */
  ack_case(NULL, 40 + 1, 1, 0, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY);
  ack_case(NULL, 40 + 0, 2, 0, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY);
  /* 2: auth status. */
  ack_case(edit_auth, 0, 0, 0, NNRP_ERROR_CODE_AUTH_FAILED);
  /* 3: re-validation; the server believes it is ACTIVE, so CLOSE is sent. */
  ack_case(edit_frames, 0, 0, 1, NNRP_ERROR_CODE_LIMIT_EXCEEDED);
  ack_case(edit_codec, 0, 0, 1, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY);
  ack_case(edit_cache, 0, 0, 1, NNRP_ERROR_CODE_LIMIT_EXCEEDED);
}

static void client_forced_transport_echo(void) {
  nnrp_settings cs;
  nnrp_settings_default(&cs, NNRP_ROLE_CLIENT);
  cs.transport_id = NNRP_TRANSPORT_QUIC;
  cs.client.send_transport_policy = 1;
  cs.client.transport_policy.transport_policy = NNRP_TRANSPORT_POLICY_FORCE_QUIC;
  cs.client.transport_policy.transport_id = NNRP_TRANSPORT_QUIC;
  conn_pair p;
  CHECK_RC(pair_init(&p, &cs, NULL), 0);
  CHECK_RC(nnrp_conn_connect(p.c.conn, p.now), 0);
  /* An ACK without the 0x0102 answer. */
  nnrp_settings ss;
  nnrp_settings_default(&ss, NNRP_ROLE_SERVER);
  nnrp_server_hello_ack_meta a;
  memset(&a, 0, sizeof(a));
  a.selected_version_major = 1;
  a.session_id = 5;
  a.accepted_profile_bitmap = a.accepted_payload_kind_bitmap = a.accepted_codec_bitmap = 1;
  a.accepted_compression_bitmap = a.accepted_dtype_bitmap = a.accepted_layout_bitmap = 1;
  a.max_lane_count = a.max_concurrent_frames = 1;
  a.max_body_bytes = 1024;
  nnrp_packet_params pp;
  memset(&pp, 0, sizeof(pp));
  uint8_t buf[256];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_server_hello_ack(&pp, &a, NULL, 0, &s), 0);
  pair_inject(&p, &p.c, buf, s.len);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(nnrp_conn_last_error_sent(p.c.conn)->meta.error_code, NNRP_ERROR_CODE_MALFORMED_BODY);
  pair_free(&p);
  /* With an answer naming the wrong transport. */
  CHECK_RC(pair_init(&p, &cs, NULL), 0);
  CHECK_RC(nnrp_conn_connect(p.c.conn, p.now), 0);
  uint8_t eb[8];
  nnrp_ext_entry e;
  nnrp_transport_policy_ext t = {NNRP_TRANSPORT_POLICY_FORCE_QUIC, NNRP_TRANSPORT_POLICY_FORCE_QUIC,
                                 NNRP_TRANSPORT_TCP};
  CHECK_RC(nnrp_ext_transport_policy_build(NNRP_EXT_TRANSPORT_POLICY_ACK, &t, 0, eb, &e), 0);
  a.control_extension_bytes = 16;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_server_hello_ack(&pp, &a, &e, 1, &s), 0);
  pair_inject(&p, &p.c, buf, s.len);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(nnrp_conn_last_error_sent(p.c.conn)->meta.error_code,
           NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY);
  pair_free(&p);
}

static void client_adopts_metadata_session_id(void) {
  conn_pair p;
  CHECK_RC(pair_init(&p, NULL, NULL), 0);
  CHECK_RC(nnrp_conn_connect(p.c.conn, p.now), 0);
  nnrp_server_hello_ack_meta a;
  memset(&a, 0, sizeof(a));
  a.selected_version_major = 1;
  a.session_id = 7; /* header session id stays 0, as nnrp-py's smoke helper sends it */
  a.accepted_profile_bitmap = a.accepted_payload_kind_bitmap = a.accepted_codec_bitmap = 1;
  a.accepted_compression_bitmap = a.accepted_dtype_bitmap = a.accepted_layout_bitmap = 1;
  a.max_lane_count = 1;
  a.max_concurrent_frames = 2;
  a.max_body_bytes = 4u << 20;
  a.server_flags = NNRP_SERVER_CACHE_ENABLED;
  a.cache_digest_bitmap = 1;
  a.cache_object_bitmap = 0x7;
  a.max_cache_entries = 16;
  a.max_cache_bytes = 1u << 20;
  nnrp_packet_params pp;
  memset(&pp, 0, sizeof(pp));
  uint8_t buf[256];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_server_hello_ack(&pp, &a, NULL, 0, &s), 0);
  pair_inject(&p, &p.c, buf, s.len);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_ACTIVE);
  CHECK_EQ(nnrp_conn_session_id(p.c.conn), 7);
  CHECK_EQ(p.c.handshakes, 1);
  CHECK(p.c.neg.cache_enabled);
  pair_free(&p);
}

/* ---- states and timers ----------------------------------------------------------------------- */

static void client_unexpected_in_negotiating(void) {
  conn_pair p;
  CHECK_RC(pair_init(&p, NULL, NULL), 0);
  CHECK_RC(nnrp_conn_connect(p.c.conn, p.now), 0);
  pair_clear_sent(&p);
  nnrp_packet_params pp;
  memset(&pp, 0, sizeof(pp));
  uint8_t buf[64];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_ping(&pp, &s), 0);
  pair_inject(&p, &p.c, buf, s.len);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(nnrp_conn_last_error_sent(p.c.conn)->local_error, NNRP_ERR_INVALID_STATE);
  /* Nothing but the CLIENT_HELLO is ever sent. */
  while (nnrp_conn_output_peek(p.c.conn, &(nnrp_output){0}) == 1) {
    nnrp_output o;
    nnrp_conn_output_peek(p.c.conn, &o);
    CHECK_EQ(o.msg_type, NNRP_MSG_CLIENT_HELLO);
    nnrp_conn_output_pop(p.c.conn);
  }
  pair_free(&p);
}

static void second_hello_is_invalid_state(void) {
  conn_pair p;
  CHECK_RC(pair_init(&p, NULL, NULL), 0);
  CHECK_RC(pair_handshake(&p), 0);
  nnrp_client_hello_meta m;
  client_hello_defaults(&m);
  uint8_t buf[256];
  nnrp_vec none = {NULL, 0};
  size_t n = hello_packet(buf, sizeof(buf), &m, NULL, 0, none);
  pair_clear_sent(&p);
  pair_inject(&p, &p.s, buf, n);
  pair_pump(&p, &p.s, &p.c);
  check_error_packet(&p.s, NNRP_ERROR_CODE_INVALID_STATE, NNRP_SCOPE_SESSION, 0);
  CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_ACTIVE);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_ACTIVE);
  CHECK_EQ(p.c.error_count, 1);
  pair_free(&p);
}

static void handshake_timeouts(void) {
  conn_pair p;
  CHECK_RC(pair_init(&p, NULL, NULL), 0);
  CHECK_RC(nnrp_conn_connect(p.c.conn, p.now), 0);
  CHECK_EQ(nnrp_conn_expiry(p.c.conn), p.now + 10000000);
  p.now += 9999999;
  CHECK_RC(nnrp_conn_handle_expiry(p.c.conn, p.now), 0);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_NEGOTIATING);
  p.now += 1;
  CHECK_RC(nnrp_conn_handle_expiry(p.c.conn, p.now), 0);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(p.c.close_info.cause, NNRP_CLOSE_HANDSHAKE_TIMEOUT);
  /* The server's hello timer starts with the first call that passes a time. */
  CHECK_RC(nnrp_conn_handle_expiry(p.s.conn, p.now), 0);
  CHECK_EQ(nnrp_conn_expiry(p.s.conn), p.now + 10000000);
  CHECK_RC(nnrp_conn_handle_expiry(p.s.conn, p.now + 10000000), 0);
  CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(nnrp_conn_output_pending(p.s.conn), 0); /* closed without ERROR */
  pair_free(&p);
}

static void local_close_before_active(void) {
  conn_pair p;
  CHECK_RC(pair_init(&p, NULL, NULL), 0);
  CHECK_RC(nnrp_conn_connect(p.c.conn, p.now), 0);
  nnrp_vec none = {NULL, 0};
  CHECK_RC(nnrp_conn_close(p.c.conn, none, p.now), 0);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
  CHECK_RC(nnrp_conn_close(p.c.conn, none, p.now), NNRP_ERR_CLOSED);
  CHECK_RC(nnrp_conn_connect(p.c.conn, p.now), NNRP_ERR_INVALID_STATE);
  pair_free(&p);
}

static void settings_versions(void) {
  nnrp_settings s;
  nnrp_settings_default(&s, NNRP_ROLE_SERVER);
  nnrp_conn *c = NULL;
  s.version = NNRP_SETTINGS_VERSION + 1;
  CHECK_RC(nnrp_conn_server_new(&c, &s, NULL, NULL, NULL), NNRP_ERR_INVALID_ARGUMENT);
  s.version = NNRP_SETTINGS_VERSION;
  s.server.max_concurrent_frames = 0;
  CHECK_RC(nnrp_conn_server_new(&c, &s, NULL, NULL, NULL), NNRP_ERR_INVALID_ARGUMENT);
  nnrp_callbacks cb;
  nnrp_callbacks_init(&cb);
  cb.version = 0;
  CHECK_RC(nnrp_conn_client_new(&c, NULL, &cb, NULL, NULL), NNRP_ERR_INVALID_ARGUMENT);
  CHECK_RC(nnrp_conn_client_new(&c, NULL, NULL, NULL, NULL), 0);
  CHECK_EQ(nnrp_conn_role(c), NNRP_ROLE_CLIENT);
  CHECK_EQ(nnrp_conn_state(c), NNRP_STATE_INIT);
  CHECK(nnrp_conn_negotiated(c) == NULL);
  nnrp_conn_del(c);
}

int main(void) {
  RUN(handshake_packets);
  RUN(handshake_stream);
  RUN(handshake_byte_at_a_time);
  RUN(handshake_coalesced);
  RUN(negotiation_values);
  RUN(extension_answers);
  RUN(forced_transport_mismatch);
  RUN(r1_first_message_not_hello);
  RUN(r1_unparseable_hello);
  RUN(r1a_header_failures);
  RUN(r2_wire_format);
  RUN(r3_version_range);
  RUN(r4_unknown_critical_extension);
  RUN(r5_malformed_tlv);
  RUN(r6_auth_rejected);
  RUN(r7_invalid_capability_sets);
  RUN(r8_too_many_lanes);
  RUN(r9_to_r12_no_common_set);
  RUN(r13_payload_caps_critical_bitmap);
  RUN(r14_server_busy);
  RUN(rejection_order);
  RUN(client_ack_checks);
  RUN(client_forced_transport_echo);
  RUN(client_adopts_metadata_session_id);
  RUN(client_unexpected_in_negotiating);
  RUN(second_hello_is_invalid_state);
  RUN(handshake_timeouts);
  RUN(local_close_before_active);
  RUN(settings_versions);
  return TEST_REPORT();
}
