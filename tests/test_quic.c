/* The QUIC binding over loopback: control stream 0, one unidirectional stream per submit and
 * per result, reassembly of large packets, routing, stream limits, datagrams, close codes and
 * stream failures (transport.md §2.2-§2.6). */
#define _GNU_SOURCE
#include "quic_env.h"

/* Ids of the unidirectional streams `q` has opened and not yet released, ascending. */
static size_t uni_ids(const nnrpi_quic *q, int64_t *ids, size_t cap) {
  size_t n = 0;
  for (const quic_stream *s = q->streams; s; s = s->next)
    if (s->id >= 0 && (s->id & 0x2) && !s->remote && n < cap) ids[n++] = s->id;
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
      int64_t t = ids[j];
      ids[j] = ids[j - 1];
      ids[j - 1] = t;
    }
  return n;
}

/* The received packet equal to p, or NULL. */
static const env_rx *find_rx(const env *e, const uint8_t *p, size_t len) {
  for (size_t i = 0; i < e->nrx; i++)
    if (e->rx[i].len == len && memcmp(e->rx[i].data, p, len) == 0) return &e->rx[i];
  return NULL;
}

static void test_control_both_ways(void) {
  env e;
  CHECK_RC(env_open(&e, NULL, NULL), 0);
  size_t hl, al;
  uint8_t *hello = env_packet(NNRP_MSG_CLIENT_HELLO, 1, 52, &hl);
  uint8_t *ack = env_packet(NNRP_MSG_SERVER_HELLO_ACK, 1, 0, &al);
  CHECK_RC(env_send(e.c, NNRPI_QUIC_CONTROL, hello, hl), 0);
  CHECK_RC(nnrpi_quic_flush(e.c, env_now()), 0);
  CHECK_EQ(e.c->control->id, 0); /* the first client bidirectional stream */
  size_t want = 1;
  CHECK(env_pump(&e, cond_rx, &want, 3000));
  CHECK_RC(env_send(e.s, NNRPI_QUIC_CONTROL, ack, al), 0);
  CHECK_RC(nnrpi_quic_flush(e.s, env_now()), 0);
  want = 2;
  CHECK(env_pump(&e, cond_rx, &want, 3000));
  CHECK_EQ(e.nrx, 2);
  CHECK(e.rx[0].server && e.rx[0].path == NNRPI_QUIC_CONTROL);
  CHECK_MEM(e.rx[0].data, e.rx[0].len, hello, hl);
  CHECK(!e.rx[1].server && e.rx[1].path == NNRPI_QUIC_CONTROL);
  CHECK_MEM(e.rx[1].data, e.rx[1].len, ack, al);
  CHECK_EQ(e.s->control->id, 0);
  /* Several control packets back to back on the one stream, split and coalesced freely. */
  uint8_t *pk[3];
  size_t pl[3];
  for (uint32_t i = 0; i < 3; i++) {
    pk[i] = env_packet(i == 1 ? NNRP_MSG_FLOW_UPDATE : NNRP_MSG_PING, 10 + i, 100 * i, &pl[i]);
    CHECK_RC(env_send(e.c, NNRPI_QUIC_CONTROL, pk[i], pl[i]), 0);
  }
  CHECK_RC(nnrpi_quic_flush(e.c, env_now()), 0);
  want = 5;
  CHECK(env_pump(&e, cond_rx, &want, 3000));
  for (int i = 0; i < 3; i++) {
    CHECK(e.rx[2 + i].server && e.rx[2 + i].path == NNRPI_QUIC_CONTROL);
    CHECK_MEM(e.rx[2 + i].data, e.rx[2 + i].len, pk[i], pl[i]);
    free(pk[i]);
  }
  free(hello);
  free(ack);
  env_close(&e);
}

/* The server queues a control packet before the client has opened stream 0: it leaves on
 * stream 0 once the client's first control packet opens it. */
static void test_server_speaks_first(void) {
  env e;
  CHECK_RC(env_open(&e, NULL, NULL), 0);
  size_t al, hl;
  uint8_t *early = env_packet(NNRP_MSG_PING, 1, 24, &al);
  uint8_t *hello = env_packet(NNRP_MSG_CLIENT_HELLO, 2, 52, &hl);
  CHECK_RC(env_send(e.s, NNRPI_QUIC_CONTROL, early, al), 0);
  CHECK_RC(nnrpi_quic_flush(e.s, env_now()), 0);
  env_pump(&e, NULL, NULL, 50);
  CHECK_EQ(e.nrx, 0);
  CHECK_RC(env_send(e.c, NNRPI_QUIC_CONTROL, hello, hl), 0);
  CHECK_RC(nnrpi_quic_flush(e.c, env_now()), 0);
  size_t want = 2;
  CHECK(env_pump(&e, cond_rx, &want, 3000));
  const env_rx *r = find_rx(&e, early, al);
  CHECK(r && !r->server && r->path == NNRPI_QUIC_CONTROL);
  r = find_rx(&e, hello, hl);
  CHECK(r && r->server && r->path == NNRPI_QUIC_CONTROL);
  CHECK(e.s && e.s->control && e.s->control->id == 0);
  free(early);
  free(hello);
  env_close(&e);
}

static void test_submits_and_results(void) {
  env e;
  CHECK_RC(env_open(&e, NULL, NULL), 0);
  uint8_t *sub[4], *res[4];
  size_t sl[4], rl[4];
  for (uint32_t i = 0; i < 4; i++) {
    sub[i] = env_packet(NNRP_MSG_FRAME_SUBMIT, 100 + i, 1000 + 3000 * i, &sl[i]);
    CHECK_RC(env_send(e.c, NNRPI_QUIC_SUBMIT, sub[i], sl[i]), 0);
  }
  CHECK_RC(nnrpi_quic_flush(e.c, env_now()), 0);
  int64_t ids[8];
  CHECK_EQ(uni_ids(e.c, ids, 8), 4);
  for (int i = 0; i < 4; i++) CHECK_EQ(ids[i], 2 + 4 * i); /* 2, 6, 10, 14 */
  size_t want = 4;
  CHECK(env_pump(&e, cond_rx, &want, 3000));
  for (uint32_t i = 0; i < 4; i++) {
    /* a RESULT_DROP and a FLOW_UPDATE among the results: routing is by type (§1) */
    uint8_t t = i == 1   ? NNRP_MSG_RESULT_DROP
                : i == 3 ? NNRP_MSG_FLOW_UPDATE
                         : NNRP_MSG_RESULT_PUSH;
    res[i] = env_packet(t, 200 + i, i == 1 ? 0 : 5000 * (i + 1), &rl[i]);
    CHECK_RC(env_send(e.s, NNRPI_QUIC_RESULT, res[i], rl[i]), 0);
  }
  CHECK_RC(nnrpi_quic_flush(e.s, env_now()), 0);
  CHECK_EQ(uni_ids(e.s, ids, 8), 4);
  for (int i = 0; i < 4; i++) CHECK_EQ(ids[i], 3 + 4 * i); /* 3, 7, 11, 15 */
  want = 8;
  CHECK(env_pump(&e, cond_rx, &want, 3000));
  CHECK_EQ(e.nrx, 8);
  for (int i = 0; i < 4; i++) {
    const env_rx *r = find_rx(&e, sub[i], sl[i]);
    CHECK(r && r->server && r->path == NNRPI_QUIC_SUBMIT);
    r = find_rx(&e, res[i], rl[i]);
    CHECK(r && !r->server && r->path == (i == 3 ? NNRPI_QUIC_CONTROL : NNRPI_QUIC_RESULT));
    free(sub[i]);
    free(res[i]);
  }
  /* Direction rules and argument checks. */
  CHECK_RC(env_send(e.s, NNRPI_QUIC_SUBMIT, e.rx[0].data, e.rx[0].len), NNRP_ERR_INVALID_ARGUMENT);
  CHECK_RC(env_send(e.c, NNRPI_QUIC_RESULT, e.rx[0].data, e.rx[0].len), NNRP_ERR_INVALID_ARGUMENT);
  CHECK_RC(env_send(e.c, 3, e.rx[0].data, e.rx[0].len), NNRP_ERR_INVALID_ARGUMENT);
  CHECK_RC(env_send(e.c, NNRPI_QUIC_SUBMIT, e.rx[0].data, 39), NNRP_ERR_INVALID_ARGUMENT);
  CHECK_RC(nnrpi_quic_on_readable(e.s, env_now()), NNRP_ERR_INVALID_ARGUMENT); /* listener reads */
  env_close(&e);
}

static void test_large_packets(void) {
  env e;
  CHECK_RC(env_open(&e, NULL, NULL), 0);
  size_t sl, rl;
  uint8_t *sub = env_packet(NNRP_MSG_FRAME_SUBMIT, 1, 1u << 20, &sl);
  uint8_t *res = env_packet(NNRP_MSG_RESULT_PUSH, 2, (1u << 20) + 333, &rl);
  /* split over three vectors: the adapter gathers them */
  nnrp_vec v[3] = {{sub, 17}, {sub + 17, 70000}, {sub + 70017, sl - 70017}};
  CHECK_RC(nnrpi_quic_send(e.c, NNRPI_QUIC_SUBMIT, v, 3, env_now()), 0);
  CHECK_RC(env_send(e.s, NNRPI_QUIC_RESULT, res, rl), 0);
  CHECK_RC(nnrpi_quic_flush(e.c, env_now()), 0);
  CHECK_RC(nnrpi_quic_flush(e.s, env_now()), 0);
  size_t want = 2;
  CHECK(env_pump(&e, cond_rx, &want, 10000));
  const env_rx *r = find_rx(&e, sub, sl);
  CHECK(r && r->server && r->path == NNRPI_QUIC_SUBMIT);
  r = find_rx(&e, res, rl);
  CHECK(r && !r->server && r->path == NNRPI_QUIC_RESULT);
  free(sub);
  free(res);
  env_close(&e);
}

/* The peer allows 4 streams at a time: 24 submits wait for credit and all arrive. */
static void test_stream_limit(void) {
  env e;
  nnrpi_quic_settings st;
  nnrpi_quic_settings_default(&st);
  st.max_streams_uni = 4;
  CHECK_RC(env_open(&e, &st, NULL), 0);
  uint8_t *p[24];
  size_t pl[24];
  for (uint32_t i = 0; i < 24; i++) {
    p[i] = env_packet(NNRP_MSG_FRAME_SUBMIT, i + 1, 2000, &pl[i]);
    CHECK_RC(env_send(e.c, NNRPI_QUIC_SUBMIT, p[i], pl[i]), 0);
  }
  CHECK_RC(nnrpi_quic_flush(e.c, env_now()), 0);
  int64_t ids[32];
  CHECK_EQ(uni_ids(e.c, ids, 32), 4);
  size_t want = 24;
  CHECK(env_pump(&e, cond_rx, &want, 5000));
  for (int i = 0; i < 24; i++) {
    const env_rx *r = find_rx(&e, p[i], pl[i]);
    CHECK(r && r->path == NNRPI_QUIC_SUBMIT);
    free(p[i]);
  }
  /* The credit is given back one stream at a time, never beyond the limit. */
  CHECK(ngtcp2_conn_get_streams_uni_left(e.c->conn) <= 4);
  env_close(&e);
}

static int cond_ping(env *e, void *arg) {
  (void)arg;
  for (size_t i = 0; i < e->nrx; i++)
    if (e->rx[i].data[6] == NNRP_MSG_PING || e->rx[i].len == 40) return 1;
  return 0;
}

/* C5: a datagram holding one valid PING is delivered as control; a FRAME_SUBMIT is dropped. */
static void test_datagrams(void) {
  env e;
  CHECK_RC(env_open(&e, NULL, NULL), 0);
  uint8_t ping[64];
  nnrp_sink sink;
  nnrp_sink_init_buffer(&sink, ping, sizeof ping);
  nnrp_packet_params pp = {0};
  pp.session_id = 7;
  pp.trace_id = 99;
  CHECK_RC(nnrp_build_ping(&pp, &sink), 0);
  size_t sl;
  uint8_t *sub = env_packet(NNRP_MSG_FRAME_SUBMIT, 5, 8, &sl);
  CHECK_RC(nnrpi_quic_send_datagram(e.c, sub, sl), 0);
  CHECK_RC(nnrpi_quic_send_datagram(e.c, ping, sink.len), 0);
  CHECK_RC(nnrpi_quic_flush(e.c, env_now()), 0);
  CHECK(env_pump(&e, cond_ping, NULL, 3000));
  env_pump(&e, NULL, NULL, 100);
  CHECK_EQ(e.nrx, 1);
  CHECK(e.rx[0].server && e.rx[0].path == NNRPI_QUIC_CONTROL);
  CHECK_MEM(e.rx[0].data, e.rx[0].len, ping, sink.len);
  CHECK_RC(nnrpi_quic_send_datagram(e.c, ping, 0), NNRP_ERR_INVALID_ARGUMENT);
  free(sub);
  env_close(&e);
}

/* Application close codes travel both ways; a packet queued before close is delivered. */
static void test_close_codes(void) {
  env e;
  CHECK_RC(env_open(&e, NULL, NULL), 0);
  size_t cl;
  uint8_t *closepkt = env_packet(NNRP_MSG_CLOSE, 1, 5, &cl);
  CHECK_RC(env_send(e.c, NNRPI_QUIC_CONTROL, closepkt, cl), 0);
  CHECK_RC(nnrpi_quic_close(e.c, 0x0003, "test close", env_now()), 0);
  CHECK_RC(env_send(e.c, NNRPI_QUIC_CONTROL, closepkt, cl), NNRP_ERR_CLOSED);
  CHECK(env_pump(&e, cond_both_closed, NULL, 3000));
  CHECK_EQ(e.c_err, 0);
  CHECK_EQ(e.c_code, 3);
  CHECK_EQ(e.s_err, 0);
  CHECK_EQ(e.s_code, 3);
  CHECK_EQ(e.nrx, 1);
  CHECK(e.nrx == 1 && e.rx[0].server);
  CHECK_MEM(e.rx[0].data, e.rx[0].len, closepkt, cl);
  env_close(&e);
  /* The server closes with 0 (normal close, C6). */
  CHECK_RC(env_open(&e, NULL, NULL), 0);
  CHECK_RC(nnrpi_quic_close(e.s, 0, "close", env_now()), 0);
  CHECK(env_pump(&e, cond_both_closed, NULL, 3000));
  CHECK_EQ(e.c_err, 0);
  CHECK_EQ(e.c_code, 0);
  CHECK_EQ(e.s_closed, 1);
  CHECK_EQ(e.s_code, 0);
  free(closepkt);
  env_close(&e);
}

/* A stream failure: the receiver answers ERROR on the control stream (scope connection, fatal)
 * and closes with the NNRP error code (§2.2, §6.4, C6). */
static void stream_failure(const uint8_t *pkt, size_t len, size_t server_max, int err,
                           uint32_t code) {
  env e;
  nnrpi_quic_settings st;
  nnrpi_quic_settings_default(&st);
  if (server_max) st.max_packet_len = server_max;
  CHECK_RC(env_open(&e, &st, NULL), 0);
  size_t hl;
  uint8_t *hello = env_packet(NNRP_MSG_CLIENT_HELLO, 1, 52, &hl);
  CHECK_RC(env_send(e.c, NNRPI_QUIC_CONTROL, hello, hl), 0);
  CHECK_RC(nnrpi_quic_flush(e.c, env_now()), 0);
  size_t want = 1;
  CHECK(env_pump(&e, cond_rx, &want, 3000));
  CHECK_RC(env_send(e.c, NNRPI_QUIC_SUBMIT, pkt, len), 0);
  CHECK_RC(nnrpi_quic_flush(e.c, env_now()), 0);
  CHECK(env_pump(&e, cond_both_closed, NULL, 5000));
  CHECK_EQ(e.s_err, err);
  CHECK_EQ(e.s_code, code);
  CHECK_EQ(e.c_err, 0);
  CHECK_EQ(e.c_code, code);
  /* hello at the server, then the ERROR at the client */
  CHECK_EQ(e.nrx, 2);
  if (e.nrx == 2) {
    nnrp_packet p;
    CHECK(!e.rx[1].server && e.rx[1].path == NNRPI_QUIC_CONTROL);
    CHECK_RC(nnrp_packet_decode(&p, e.rx[1].data, e.rx[1].len, NULL, NULL), 0);
    CHECK_EQ(p.header.msg_type, NNRP_MSG_ERROR);
    CHECK_EQ(p.header.session_id, 7);
    CHECK_EQ(p.meta.error.error_code, code);
    CHECK_EQ(p.meta.error.error_scope, NNRP_SCOPE_CONNECTION);
    CHECK_EQ(p.meta.error.is_fatal, 1);
  }
  free(hello);
  env_close(&e);
}

static void test_stream_failures(void) {
  size_t len;
  uint8_t *p = env_packet(NNRP_MSG_FRAME_SUBMIT, 3, 100, &len);
  /* the stream ends 40 bytes into a 140-byte packet */
  stream_failure(p, 80, 0, NNRP_ERR_QUIC_STREAM_TRUNCATED, NNRP_ERROR_CODE_MALFORMED_HEADER);
  /* larger than the receiver's limit: refused from the header, before buffering (C7) */
  stream_failure(p, len, 100, NNRP_ERR_TOO_LARGE, NNRP_ERROR_CODE_LIMIT_EXCEEDED);
  p[0] ^= 0xff; /* not NNRP */
  stream_failure(p, len, 0, NNRP_ERR_HEADER_MAGIC, NNRP_ERROR_CODE_MALFORMED_HEADER);
  free(p);
}

int main(void) {
  if (env_make_cert() != 0) {
    fprintf(stderr, "cannot create the development certificate\n");
    return 1;
  }
  RUN(test_control_both_ways);
  RUN(test_server_speaks_first);
  RUN(test_submits_and_results);
  RUN(test_large_packets);
  RUN(test_stream_limit);
  RUN(test_datagrams);
  RUN(test_close_codes);
  RUN(test_stream_failures);
  env_remove_cert();
  return TEST_REPORT();
}
