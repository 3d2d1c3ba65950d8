/*
 * L3 transport cases (transport.md 4.4 and 7): real sessions over loopback sockets with the io
 * library.  A server runs its own loop in a thread on 127.0.0.1 (OS-assigned ports, TCP and
 * QUIC with a generated development certificate); the runner is the client.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libnnrp/io.h>
#include <libnnrp/tls.h>

#include "conformance.h"

#define T_MS 5000

typedef struct l3_server {
  nnrp_loop *loop;
  nnrp_server *srv;
  pthread_t thread;
  atomic_int stop, closed, submits;
  char dir[32], cert[64], key[64];
} l3_server;

static int l3_submit(nnrp_server_session *ss, const nnrp_submit *sub, void *user) {
  static const uint16_t ids[2] = {0, 1};
  static const nnrp_vec pay[2] = {{(const uint8_t *)"r0", 2}, {(const uint8_t *)"r1", 2}};
  nnrp_tensor_section_data sec = {
      .role_id = 100, .dtype_id = NNRP_DTYPE_UINT8, .tile_payloads = pay, .tile_payload_count = 2};
  nnrp_result_push_input in;
  nnrp_result_push_input_init(&in);
  in.packet.frame_id = sub->frame_id, in.packet.view_id = sub->view_id;
  in.tile_ids = ids, in.tile_id_count = 2, in.sections = &sec, in.section_count = 1;
  atomic_fetch_add(&((l3_server *)user)->submits, 1);
  return nnrp_server_send_result(ss, &in, 0);
}

static void l3_session(nnrp_server_session *ss, nnrp_session_event ev, void *user) {
  (void)ss;
  if (ev == NNRP_SESSION_CLOSED) atomic_fetch_add(&((l3_server *)user)->closed, 1);
}

static void *l3_thread(void *arg) {
  l3_server *s = arg;
  while (!atomic_load(&s->stop)) nnrp_loop_run_once(s->loop, 20);
  return NULL;
}

static void server_stop(l3_server *s) {
  if (s->srv) {
    atomic_store(&s->stop, 1);
    nnrp_loop_wakeup(s->loop);
    pthread_join(s->thread, NULL);
    nnrp_server_free(s->srv);
    nnrp_loop_run_once(s->loop, 0);
  }
  if (s->loop) nnrp_loop_del(s->loop);
  if (s->cert[0]) unlink(s->cert), unlink(s->key), rmdir(s->dir);
}

static int server_start(conf_case *c, l3_server *s) {
  memset(s, 0, sizeof *s);
  snprintf(s->dir, sizeof s->dir, "/tmp/nnrp-conf-XXXXXX");
  if (!mkdtemp(s->dir)) return conf_check(c, 0, "temporary folder for the certificate");
  snprintf(s->cert, sizeof s->cert, "%s/cert.pem", s->dir);
  snprintf(s->key, sizeof s->key, "%s/key.pem", s->dir);
  conf_check_rc(c, nnrp_tls_make_dev_cert(s->cert, s->key, "127.0.0.1"), 0,
                "generate a development certificate for QUIC");
  nnrp_server_options o;
  nnrp_server_options_default(&o);
  o.host = "127.0.0.1";
  o.tcp_port = 0, o.quic_port = 0;
  o.tls.cert_file = s->cert, o.tls.key_file = s->key;
  o.settings.server.max_concurrent_frames = 16;
  o.handler.on_submit = l3_submit;
  o.handler.on_session = l3_session;
  o.user = s;
  int rc = nnrp_loop_new(&s->loop);
  if (rc == 0) rc = nnrp_server_new(&s->srv, s->loop, &o);
  conf_check_rc(c, rc, 0, "server listening on 127.0.0.1 (TCP and QUIC, OS-assigned ports)");
  if (rc == 0 && pthread_create(&s->thread, NULL, l3_thread, s) != 0) {
    nnrp_server_free(s->srv);
    s->srv = NULL;
    rc = -1;
  }
  return rc == 0;
}

static void client_options(nnrp_client_options *o, l3_server *s, uint32_t transport) {
  nnrp_client_options_default(o);
  o->host = "127.0.0.1";
  o->transport = transport;
  o->tcp_port = nnrp_server_port(s->srv, NNRP_TRANSPORT_TCP, 0);
  o->quic_port = nnrp_server_port(s->srv, NNRP_TRANSPORT_QUIC, 0);
  o->tls.ca_file = s->cert;
  o->tls.server_name = "127.0.0.1";
  o->connect_timeout_ms = T_MS;
}

static int wait_closed(l3_server *s) {
  struct timespec ten_ms = {0, 10000000};
  for (int i = 0; i < T_MS / 10 && !atomic_load(&s->closed); i++) nanosleep(&ten_ms, NULL);
  return atomic_load(&s->closed) > 0;
}

static conf_outcome smoke(conf_case *c, uint32_t transport, const char *name) {
  l3_server s;
  if (server_start(c, &s)) {
    nnrp_loop *loop = NULL;
    nnrp_client *cl = NULL;
    nnrp_client_options o;
    client_options(&o, &s, transport);
    o.settings.client.hello.requested_session_id = 41;
    int rc = nnrp_loop_new(&loop);
    if (rc == 0) rc = nnrp_client_connect(&cl, loop, &o);
    conf_check_rc(c, rc, 0, "CLIENT_HELLO -> SERVER_HELLO_ACK over the binding");
    if (cl) {
      conf_check(c, nnrp_client_transport(cl) == transport, "the session runs over %s", name);
      conf_check(c, nnrp_conn_session_id(nnrp_client_conn(cl)) == 41,
                 "the granted session id is the requested one (41)");
      static const uint16_t ids[2] = {0, 1};
      static const nnrp_vec pay[2] = {{(const uint8_t *)"\xaa", 1}, {(const uint8_t *)"\xbb", 1}};
      nnrp_tensor_section_data sec = {.role_id = 1, .dtype_id = NNRP_DTYPE_UINT8,
                                      .tile_payloads = pay, .tile_payload_count = 2};
      nnrp_frame_submit_input in;
      nnrp_frame_submit_input_init(&in);
      in.packet.frame_id = 303;
      in.src_width = 64, in.src_height = 32, in.tile_width = in.tile_height = 32;
      in.tile_ids = ids, in.tile_id_count = 2, in.sections = &sec, in.section_count = 1;
      conf_check_rc(c, nnrp_client_submit(cl, &in, 0, NULL), 0, "FRAME_SUBMIT 303 sent");
      nnrp_client_result *r = NULL;
      conf_check_rc(c, nnrp_client_wait_result(cl, 303, 0, T_MS, &r), 0,
                    "a RESULT_PUSH for frame 303 arrives");
      conf_check(c, r && r->outcome == NNRP_OUTCOME_DELIVERED && r->has_packet &&
                        r->packet.header.msg_type == NNRP_MSG_RESULT_PUSH &&
                        r->packet.header.session_id == 41 &&
                        r->packet.meta.result_push.tile_count == 2,
                 "RESULT_PUSH: delivered, session 41, 2 tiles");
      nnrp_client_result_free(r);
      conf_check_rc(c, nnrp_client_close(cl, "conformance-close", T_MS), 0, "CLOSE sent");
      conf_check(c, wait_closed(&s), "the server saw the session end");
      nnrp_client_free(cl);
    }
    if (loop) nnrp_loop_del(loop);
  }
  server_stop(&s);
  return conf_codec_outcome(c);
}

conf_outcome conf_l3_tcp_smoke(conf_case *c) {
  return smoke(c, NNRP_TRANSPORT_TCP, "TCP");
}

conf_outcome conf_l3_quic_smoke(conf_case *c) {
  return smoke(c, NNRP_TRANSPORT_QUIC, "QUIC");
}

static nnrp_probe_summary summary(nnrp_transport_id t, uint32_t ok, uint32_t bad, double tput,
                                  double rtt) {
  nnrp_probe_summary s;
  memset(&s, 0, sizeof s);
  s.transport = t, s.success_count = ok, s.failure_count = bad;
  s.median_throughput = tput, s.median_rtt_us = rtt;
  return s;
}

static void rank(conf_case *c, const char *what, nnrp_probe_summary q, nnrp_probe_summary t,
                 uint32_t policy, int want_rc, nnrp_transport_id want) {
  nnrp_probe_summary s[2] = {q, t};
  nnrp_transport_id sel = 0;
  int rc = nnrp_probe_select(s, 2, policy, &sel);
  conf_check(c, rc == want_rc && (rc != 0 || sel == want), "%s", what);
}

conf_outcome conf_l3_probe_selection(conf_case *c) {
  const nnrp_transport_id Q = NNRP_TRANSPORT_QUIC, T = NNRP_TRANSPORT_TCP;
  const uint32_t AUTO = NNRP_TRANSPORT_POLICY_AUTO;
  rank(c, "more successes win over throughput: TCP", summary(Q, 2, 1, 9e9, 1),
       summary(T, 3, 0, 1e6, 900), AUTO, 0, T);
  rank(c, "equal successes: higher median throughput wins (TCP)", summary(Q, 3, 0, 1e5, 30000),
       summary(T, 3, 0, 1e7, 200), AUTO, 0, T);
  rank(c, "equal throughput: lower median RTT wins (QUIC)", summary(Q, 3, 0, 1e6, 100),
       summary(T, 3, 0, 1e6, 101), AUTO, 0, Q);
  rank(c, "a binding without a success loses even under prefer_quic", summary(Q, 0, 3, 0, 0),
       summary(T, 1, 2, 1, 1e6), NNRP_TRANSPORT_POLICY_PREFER_QUIC, 0, T);
  rank(c, "no success anywhere: PROBE_NO_CANDIDATE", summary(Q, 0, 3, 0, 0),
       summary(T, 0, 3, 0, 0), AUTO, NNRP_ERR_PROBE_NO_CANDIDATE, 0);

  l3_server s;
  if (server_start(c, &s)) {
    nnrp_loop *loop = NULL;
    nnrp_client_options o;
    client_options(&o, &s, NNRP_TRANSPORT_TCP);
    o.probe_payload_bytes = 2048;
    o.probe_timeout_ms = 1000;
    o.probe_warmup = 1;
    nnrp_probe_report rep;
    memset(&rep, 0, sizeof rep);
    int rc = nnrp_loop_new(&loop);
    if (rc == 0) rc = nnrp_probe_transports(loop, &o, &rep);
    conf_check_rc(c, rc, 0, "live probe of QUIC and TCP on 127.0.0.1");
    conf_check(c, rep.quic.success_count == 3 && rep.tcp.success_count == 3,
               "3 scored samples on each binding (warm-up not counted): quic %u, tcp %u",
               rep.quic.success_count, rep.tcp.success_count);
    nnrp_probe_summary both[2] = {rep.quic, rep.tcp};
    nnrp_transport_id sel = 0;
    conf_check(c, nnrp_probe_select(both, 2, AUTO, &sel) == 0 && sel == rep.selected,
               "the selected binding (%u) is the ranking's winner: %s", rep.selected, rep.reason);
    nnrp_client *cl = NULL;
    conf_check_rc(c, rc == 0 ? nnrp_client_connect_probe(&cl, loop, &o, &rep) : rc, 0,
                  "connect with probing dials the winner");
    if (cl) {
      conf_check(c, nnrp_client_transport(cl) == rep.selected,
                 "the session runs over the selected binding");
      nnrp_client_close(cl, "conformance-close", T_MS);
      nnrp_client_free(cl);
    }
    if (loop) nnrp_loop_del(loop);
  }
  server_stop(&s);
  return conf_codec_outcome(c);
}
