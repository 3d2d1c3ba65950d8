/*
 * Transport probing (transport.md §4): QUIC and TCP are probed at the same time, each with its
 * samples one after another, one fresh connection per sample (TRANSPORT_PROBE as its first
 * packet, no CLIENT_HELLO), the RTT measured by the engine from the probe's send to the ACK's
 * arrival (connection setup excluded).  Selection is nnrp_probe_select (probe.h); the winner
 * is dialled with extension 0x0101 {prefer_<winner>, winner}.
 */
#include <stdio.h>
#include <string.h>

#include "client_int.h"

enum { P_IDLE, P_CONNECTING, P_WAITING, P_DONE };

typedef struct prober {
  uint32_t transport;
  int state;
  uint32_t sample; /* samples started, warm-up included */
  uint32_t total;  /* samples to run */
  nnrp_client *c;  /* the connection of the current sample */
  nnrp_tstamp deadline;
  nnrp_probe_series series;
  nnrp_client *retired[NNRP_PROBE_MAX_SAMPLES + 1]; /* closing, freed at the end */
  size_t retired_count;
} prober;

typedef struct probe_run {
  const nnrp_client_options *o;
  nnrp_loop *loop;
  prober p[2];
  uint32_t next_probe_id;
} probe_run;

static void retire(prober *p) {
  nnrp_client *c = p->c;
  p->c = NULL;
  if (!c) return;
  if (c->sess.conn && nnrp_conn_state(c->sess.conn) != NNRP_STATE_CLOSED) {
    c->sess.pumping++;
    nnrp_conn_close(c->sess.conn, (nnrp_vec){NULL, 0}, nnrp_now()); /* INIT: CLOSED at once */
    c->sess.pumping--;
  }
  for (nnrpi_link *l = c->sess.links; l; l = l->next) nnrpi_link_close(l, 1);
  nnrpi_sess_flush(&c->sess);
  if (p->retired_count < sizeof p->retired / sizeof p->retired[0])
    p->retired[p->retired_count++] = c;
  else
    nnrp_client_free(c);
}

/* Record the sample's outcome and move on. */
static void sample_done(probe_run *r, prober *p, int ok) {
  int scored = p->sample > (r->o->probe_warmup ? 1u : 0u); /* the warm-up is not scored */
  if (scored) {
    if (ok)
      nnrp_probe_series_add(&p->series, p->c->probe.payload_bytes, 0, p->c->probe.rtt_us);
    else
      nnrp_probe_series_add_failure(&p->series);
  }
  retire(p);
  p->state = p->sample < p->total ? P_IDLE : P_DONE;
}

static void step(probe_run *r, prober *p) {
  nnrp_tstamp now = nnrp_now();
  if (p->state == P_IDLE) {
    nnrp_client *c;
    p->sample++;
    int rc = nnrpi_client_new(&c, r->loop, r->o);
    if (rc == 0) {
      p->c = c;
      nnrp_settings s;
      nnrpi_client_settings(r->o, p->transport, &s);
      rc = nnrpi_client_engine(c, &s, p->transport);
    }
    if (rc == 0) rc = nnrpi_client_start_link(p->c, 0, p->transport, (int)r->o->connect_timeout_ms);
    if (rc) {
      sample_done(r, p, 0);
      return;
    }
    p->state = P_CONNECTING;
    return;
  }
  nnrp_client *c = p->c;
  if (p->state == P_CONNECTING) {
    if (c->pending_open) {
      c->pending_link = NULL;
      c->probe_done = 0;
      int rc;
      c->sess.pumping++;
      rc = nnrp_conn_probe(c->sess.conn, r->next_probe_id++, r->o->probe_payload_bytes, now);
      c->sess.pumping--;
      nnrpi_sess_flush(&c->sess);
      if (rc) {
        sample_done(r, p, 0);
        return;
      }
      p->state = P_WAITING;
      p->deadline = now + (nnrp_tstamp)r->o->probe_timeout_ms * 1000u;
    } else if (!c->pending_link || c->link_error) {
      sample_done(r, p, 0); /* connection refused, TLS failure, connect timeout */
    }
    return;
  }
  if (p->state == P_WAITING) {
    if (c->probe_done)
      sample_done(r, p, c->probe.error == 0);
    else if (now >= p->deadline || c->closed || !c->sess.links)
      sample_done(r, p, 0);
  }
}

static int all_done(nnrp_client *unused, void *arg) {
  (void)unused;
  probe_run *r = arg;
  for (int i = 0; i < 2; i++) {
    prober *p = &r->p[i];
    /* A state change can free the slot for the next sample at once. */
    for (int k = 0; k < 4 && p->state != P_DONE; k++) {
      int before = p->state;
      uint32_t sample = p->sample;
      step(r, p);
      if (p->state == before && p->sample == sample) break;
    }
  }
  return r->p[0].state == P_DONE && r->p[1].state == P_DONE;
}

static const char *bind_name(uint32_t t) {
  return t == NNRP_TRANSPORT_QUIC ? "quic" : "tcp";
}

static void explain(nnrp_probe_report *rep, unsigned policy) {
  const nnrp_probe_summary *w = rep->selected == NNRP_TRANSPORT_QUIC ? &rep->quic : &rep->tcp;
  const nnrp_probe_summary *l = rep->selected == NNRP_TRANSPORT_QUIC ? &rep->tcp : &rep->quic;
  const char *why;
  if (!l->success_count)
    why = "the other binding answered no probe";
  else if (w->success_count != l->success_count)
    why = "more successful probes";
  else if (w->median_throughput != l->median_throughput)
    why = "higher median throughput";
  else if (w->median_rtt_us != l->median_rtt_us)
    why = "lower median RTT";
  else
    why = policy == NNRP_TRANSPORT_POLICY_PREFER_TCP || policy == NNRP_TRANSPORT_POLICY_PREFER_QUIC
              ? "exact tie, the preferred binding"
              : "exact tie, QUIC by default";
  snprintf(rep->reason, sizeof rep->reason,
           "%s: %s (%s %u/%u ok, %.0f B/s, rtt %.0f us; %s %u/%u ok, %.0f B/s, rtt %.0f us)",
           bind_name(rep->selected), why, bind_name(w->transport), w->success_count,
           w->success_count + w->failure_count, w->median_throughput, w->median_rtt_us,
           bind_name(l->transport), l->success_count, l->success_count + l->failure_count,
           l->median_throughput, l->median_rtt_us);
}

int nnrp_probe_transports(nnrp_loop *loop, const nnrp_client_options *o,
                          nnrp_probe_report *report) {
  if (!loop || !o || !o->probe_samples || !o->probe_payload_bytes ||
      o->probe_samples > NNRP_PROBE_MAX_SAMPLES)
    return NNRP_ERR_INVALID_ARGUMENT;
  if (nnrpi_loop_dispatching(loop)) return NNRP_ERR_INVALID_STATE;
  nnrp_probe_report local;
  nnrp_probe_report *rep = report ? report : &local;
  memset(rep, 0, sizeof *rep);
  probe_run r;
  memset(&r, 0, sizeof r);
  r.o = o;
  r.loop = loop;
  r.next_probe_id = (uint32_t)nnrp_now(); /* unique per series (C9) */
  r.p[0].transport = NNRP_TRANSPORT_QUIC;
  r.p[1].transport = NNRP_TRANSPORT_TCP;
  for (int i = 0; i < 2; i++) {
    r.p[i].total = o->probe_samples + (o->probe_warmup ? 1u : 0u);
    nnrp_probe_series_init(&r.p[i].series, r.p[i].transport);
  }
  /* A dummy client carries the wait loop; it has no connection of its own. */
  nnrp_client *w;
  int rc = nnrpi_client_new(&w, loop, o);
  if (rc) return rc;
  uint32_t per_sample = o->connect_timeout_ms + o->probe_timeout_ms;
  rc = nnrpi_client_wait(w, all_done, &r, (int)(per_sample * (o->probe_samples + 1u)));
  for (int i = 0; i < 2; i++) {
    if (r.p[i].c) retire(&r.p[i]);
    /* Give the probe connections a moment to close cleanly (QUIC CONNECTION_CLOSE). */
  }
  nnrp_client_run(w, 20);
  for (int i = 0; i < 2; i++)
    for (size_t k = 0; k < r.p[i].retired_count; k++) nnrp_client_free(r.p[i].retired[k]);
  nnrp_client_free(w);
  if (rc) return rc;
  nnrp_probe_summarize(&r.p[0].series, &rep->quic);
  nnrp_probe_summarize(&r.p[1].series, &rep->tcp);
  nnrp_probe_summary both[2] = {rep->quic, rep->tcp};
  rc = nnrp_probe_select(both, 2, o->policy, &rep->selected);
  rep->error = rc;
  if (rc) {
    rep->selected = NNRP_TRANSPORT_UNSPECIFIED;
    snprintf(rep->reason, sizeof rep->reason, "no binding answered a probe");
    return rc;
  }
  explain(rep, o->policy);
  return 0;
}

int nnrp_client_connect_probe(nnrp_client **pc, nnrp_loop *loop, const nnrp_client_options *o,
                              nnrp_probe_report *report) {
  if (!o) return NNRP_ERR_INVALID_ARGUMENT;
  nnrp_probe_report local;
  nnrp_probe_report *rep = report ? report : &local;
  uint32_t transport;
  uint8_t policy;
  if (o->policy == NNRP_TRANSPORT_POLICY_FORCE_QUIC ||
      o->policy == NNRP_TRANSPORT_POLICY_FORCE_TCP) {
    /* A forced binding skips probing and never falls back (C10). */
    memset(rep, 0, sizeof *rep);
    transport =
        o->policy == NNRP_TRANSPORT_POLICY_FORCE_QUIC ? NNRP_TRANSPORT_QUIC : NNRP_TRANSPORT_TCP;
    rep->selected = (nnrp_transport_id)transport;
    snprintf(rep->reason, sizeof rep->reason, "%s: forced by policy, not probed",
             bind_name(transport));
    policy = (uint8_t)o->policy;
  } else {
    int rc = nnrp_probe_transports(loop, o, rep);
    if (rc) return rc;
    transport = rep->selected;
    policy = transport == NNRP_TRANSPORT_QUIC ? NNRP_TRANSPORT_POLICY_PREFER_QUIC
                                              : NNRP_TRANSPORT_POLICY_PREFER_TCP;
  }
  nnrp_settings s;
  nnrpi_client_settings(o, transport, &s);
  s.client.send_transport_policy = 1; /* transport §4.5: the PY form */
  s.client.transport_policy.transport_policy = policy;
  s.client.transport_policy.accepted_transport_policy = 0;
  s.client.transport_policy.transport_id = transport;
  return nnrpi_client_connect_with(pc, loop, o, &s, transport);
}
