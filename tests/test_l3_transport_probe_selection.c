/*
 * Conformance case l3.transport.probe.selection (transport.md §4.4, §7): the ranking contract
 * (more successes, then higher median throughput, then lower median RTT; warm-ups not scored;
 * a binding without a success loses; none anywhere is a failure), checked on the selection
 * rule and on live probe runs against a server on 127.0.0.1.
 */
#include <string.h>

#include "io_harness.h"
#include "test.h"

static nnrp_probe_summary summary(nnrp_transport_id t, uint32_t ok, uint32_t bad, double tput,
                                  double rtt) {
  nnrp_probe_summary s;
  memset(&s, 0, sizeof s);
  s.transport = t, s.success_count = ok, s.failure_count = bad;
  s.median_throughput = tput, s.median_rtt_us = rtt;
  return s;
}

static void ranking(void) {
  nnrp_transport_id sel;
  nnrp_probe_summary s[2];
  /* Success count dominates throughput (CS test). */
  s[0] = summary(NNRP_TRANSPORT_QUIC, 2, 1, 9e9, 1);
  s[1] = summary(NNRP_TRANSPORT_TCP, 3, 0, 1e6, 900);
  CHECK_RC(nnrp_probe_select(s, 2, NNRP_TRANSPORT_POLICY_AUTO, &sel), 0);
  CHECK_EQ(sel, NNRP_TRANSPORT_TCP);
  /* Equal successes: higher median throughput (PY-T: QUIC delayed 30 ms -> TCP). */
  s[0] = summary(NNRP_TRANSPORT_QUIC, 3, 0, 2048e6 / 30000, 30000);
  s[1] = summary(NNRP_TRANSPORT_TCP, 3, 0, 2048e6 / 200, 200);
  CHECK_RC(nnrp_probe_select(s, 2, NNRP_TRANSPORT_POLICY_AUTO, &sel), 0);
  CHECK_EQ(sel, NNRP_TRANSPORT_TCP);
  /* Equal throughput: lower RTT. */
  s[0] = summary(NNRP_TRANSPORT_QUIC, 3, 0, 1e6, 100);
  s[1] = summary(NNRP_TRANSPORT_TCP, 3, 0, 1e6, 101);
  CHECK_RC(nnrp_probe_select(s, 2, NNRP_TRANSPORT_POLICY_AUTO, &sel), 0);
  CHECK_EQ(sel, NNRP_TRANSPORT_QUIC);
  /* Exact tie: QUIC, unless prefer_tcp. */
  s[1] = summary(NNRP_TRANSPORT_TCP, 3, 0, 1e6, 100);
  CHECK_RC(nnrp_probe_select(s, 2, NNRP_TRANSPORT_POLICY_AUTO, &sel), 0);
  CHECK_EQ(sel, NNRP_TRANSPORT_QUIC);
  CHECK_RC(nnrp_probe_select(s, 2, NNRP_TRANSPORT_POLICY_PREFER_TCP, &sel), 0);
  CHECK_EQ(sel, NNRP_TRANSPORT_TCP);
  /* A failed QUIC loses even under prefer_quic (nnrp-rs case). */
  s[0] = summary(NNRP_TRANSPORT_QUIC, 0, 3, 0, 0);
  s[1] = summary(NNRP_TRANSPORT_TCP, 1, 2, 1, 1e6);
  CHECK_RC(nnrp_probe_select(s, 2, NNRP_TRANSPORT_POLICY_PREFER_QUIC, &sel), 0);
  CHECK_EQ(sel, NNRP_TRANSPORT_TCP);
  /* Nothing answered: probing failed. */
  s[1] = summary(NNRP_TRANSPORT_TCP, 0, 3, 0, 0);
  CHECK_RC(nnrp_probe_select(s, 2, NNRP_TRANSPORT_POLICY_AUTO, &sel), NNRP_ERR_PROBE_NO_CANDIDATE);
}

static void probe_options(nnrp_client_options *o, const io_srv *s) {
  io_client_options(o, s, &io_tcp);
  o->probe_payload_bytes = 2048;
  o->connect_timeout_ms = 1000;
  o->probe_timeout_ms = 1000;
}

/* Both bindings answer: 3 scored samples each (the warm-up is not counted). */
static void live_both(void) {
  io_srv s;
  io_srv_options(&s);
  CHECK(io_srv_start(&s) == 0);
  nnrp_loop *loop;
  CHECK(nnrp_loop_new(&loop) == 0);
  nnrp_client_options o;
  probe_options(&o, &s);
  o.probe_warmup = 1;
  nnrp_probe_report rep;
  CHECK_RC(nnrp_probe_transports(loop, &o, &rep), 0);
  CHECK_EQ(rep.quic.success_count, 3);
  CHECK_EQ(rep.quic.failure_count, 0);
  CHECK_EQ(rep.tcp.success_count, 3);
  CHECK_EQ(rep.tcp.failure_count, 0);
  CHECK(rep.quic.median_rtt_us >= 1 && rep.tcp.median_rtt_us >= 1);
  nnrp_probe_summary both[2] = {rep.quic, rep.tcp};
  nnrp_transport_id sel;
  CHECK_RC(nnrp_probe_select(both, 2, NNRP_TRANSPORT_POLICY_AUTO, &sel), 0);
  CHECK_EQ(rep.selected, sel);
  CHECK(strlen(rep.reason) > 0);

  /* Connect with probing: the winner is dialled and announced (0x0101 -> 0x0102). */
  nnrp_client *c = NULL;
  CHECK_RC(nnrp_client_connect_probe(&c, loop, &o, &rep), 0);
  if (c) {
    CHECK_EQ(nnrp_client_transport(c), rep.selected);
    const nnrp_negotiated *neg = nnrp_conn_negotiated(nnrp_client_conn(c));
    CHECK(neg && (neg->ack_extensions & NNRP_HELLO_HAS_TRANSPORT_POLICY));
    if (neg) {
      CHECK_EQ(neg->transport_policy.transport_id, rep.selected);
      CHECK_EQ(neg->transport_policy.transport_policy, rep.selected == NNRP_TRANSPORT_QUIC
                                                           ? NNRP_TRANSPORT_POLICY_PREFER_QUIC
                                                           : NNRP_TRANSPORT_POLICY_PREFER_TCP);
    }
    CHECK_RC(nnrp_client_close(c, "done", 2000), 0);
    nnrp_client_free(c);
  }
  /* A forced binding is not probed. */
  o.policy = NNRP_TRANSPORT_POLICY_FORCE_TCP;
  CHECK_RC(nnrp_client_connect_probe(&c, loop, &o, &rep), 0);
  CHECK_EQ(rep.selected, NNRP_TRANSPORT_TCP);
  CHECK_EQ(rep.quic.success_count + rep.quic.failure_count, 0);
  if (c) CHECK_EQ(nnrp_client_transport(c), NNRP_TRANSPORT_TCP);
  nnrp_client_free(c);
  io_srv_stop(&s);
  nnrp_loop_run_once(loop, 0);
  nnrp_loop_del(loop);
}

/* One binding down: the other wins, the dead one has 0 successes and 3 failures. */
static void live_one_down(int quic_up) {
  io_srv s;
  io_srv_options(&s);
  if (quic_up)
    s.opt.tcp_port = NNRP_PORT_OFF, s.opt.tls_port = NNRP_PORT_OFF;
  else
    s.opt.quic_port = NNRP_PORT_OFF;
  CHECK(io_srv_start(&s) == 0);
  nnrp_loop *loop;
  CHECK(nnrp_loop_new(&loop) == 0);
  nnrp_client_options o;
  probe_options(&o, &s);
  /* The dead binding's port: the live one's number (nothing listens there on the other
   * protocol, transport §3.3). */
  uint16_t live = quic_up ? nnrp_server_port(s.srv, NNRP_TRANSPORT_QUIC, 0)
                          : nnrp_server_port(s.srv, NNRP_TRANSPORT_TCP, 0);
  o.tcp_port = o.quic_port = live;
  nnrp_probe_report rep;
  CHECK_RC(nnrp_probe_transports(loop, &o, &rep), 0);
  const nnrp_probe_summary *up = quic_up ? &rep.quic : &rep.tcp;
  const nnrp_probe_summary *down = quic_up ? &rep.tcp : &rep.quic;
  CHECK_EQ(rep.selected, quic_up ? NNRP_TRANSPORT_QUIC : NNRP_TRANSPORT_TCP);
  CHECK_EQ(up->success_count, 3);
  CHECK_EQ(down->success_count, 0);
  CHECK_EQ(down->failure_count, 3);
  CHECK(strstr(rep.reason, "answered no probe") != NULL);
  io_srv_stop(&s);
  /* Nobody listens at all: probing fails, no connection is made. */
  nnrp_client *c = NULL;
  CHECK_RC(nnrp_client_connect_probe(&c, loop, &o, &rep), NNRP_ERR_PROBE_NO_CANDIDATE);
  CHECK(c == NULL);
  CHECK_EQ(rep.selected, NNRP_TRANSPORT_UNSPECIFIED);
  nnrp_loop_run_once(loop, 0);
  nnrp_loop_del(loop);
}

static void live_quic_only(void) {
  live_one_down(1);
}
static void live_tcp_only(void) {
  live_one_down(0);
}

int main(void) {
  RUN(ranking);
  RUN(live_both);
  RUN(live_quic_only);
  RUN(live_tcp_only);
  return TEST_REPORT();
}
