/* Transport probing arithmetic, selection and the migration trigger monitor
 * (transport.md §4.2-§4.5, §5.5). */
#include <string.h>

#include <libnnrp/probe.h>

/* ---- medians over small arrays ----------------------------------------------------------- */

/* Median of v[0..n) (n >= 1), sorting v in place; insertion sort suits n <= 64. */
static double median(double *v, size_t n) {
  for (size_t i = 1; i < n; i++) {
    double x = v[i];
    size_t j = i;
    for (; j > 0 && v[j - 1] > x; j--) v[j] = v[j - 1];
    v[j] = x;
  }
  if (n % 2) return v[n / 2];
  return (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* Median absolute difference of consecutive values of rtt[0..n) (n >= 2), in their order. */
static double jitter(const double *rtt, size_t n, double *scratch) {
  for (size_t i = 1; i < n; i++)
    scratch[i - 1] = rtt[i] > rtt[i - 1] ? rtt[i] - rtt[i - 1] : rtt[i - 1] - rtt[i];
  return median(scratch, n - 1);
}

/* ---- samples and series ------------------------------------------------------------------ */

uint64_t nnrp_probe_rtt_us(uint64_t client_send_ts_us, uint64_t ack_recv_ts_us) {
  if (ack_recv_ts_us <= client_send_ts_us) return 1;
  return ack_recv_ts_us - client_send_ts_us;
}

double nnrp_probe_throughput(uint32_t payload_bytes, uint64_t rtt_us) {
  return (double)payload_bytes * 1e6 / (double)(rtt_us ? rtt_us : 1);
}

void nnrp_probe_series_init(nnrp_probe_series *s, nnrp_transport_id transport) {
  memset(s, 0, sizeof *s);
  s->transport = transport;
}

int nnrp_probe_series_add(nnrp_probe_series *s, uint32_t payload_bytes, uint64_t client_send_ts_us,
                          uint64_t ack_recv_ts_us) {
  if (s->success_count >= NNRP_PROBE_MAX_SAMPLES) return NNRP_ERR_PROBE_SERIES_FULL;
  uint64_t rtt = nnrp_probe_rtt_us(client_send_ts_us, ack_recv_ts_us);
  s->rtt_us[s->success_count] = rtt;
  s->throughput[s->success_count] = nnrp_probe_throughput(payload_bytes, rtt);
  s->success_count++;
  return 0;
}

void nnrp_probe_series_add_failure(nnrp_probe_series *s) {
  s->failure_count++;
}

void nnrp_probe_summarize(const nnrp_probe_series *s, nnrp_probe_summary *out) {
  double v[NNRP_PROBE_MAX_SAMPLES], scratch[NNRP_PROBE_MAX_SAMPLES];
  size_t n = s->success_count < NNRP_PROBE_MAX_SAMPLES ? s->success_count : NNRP_PROBE_MAX_SAMPLES;
  memset(out, 0, sizeof *out);
  out->transport = s->transport;
  out->success_count = s->success_count;
  out->failure_count = s->failure_count;
  if (n == 0) return;
  for (size_t i = 0; i < n; i++) v[i] = (double)s->rtt_us[i];
  if (n >= 2) out->jitter_us = jitter(v, n, scratch);
  out->median_rtt_us = median(v, n);
  memcpy(v, s->throughput, n * sizeof v[0]);
  out->median_throughput = median(v, n);
}

/* ---- selection --------------------------------------------------------------------------- */

int nnrp_probe_compare(const nnrp_probe_summary *a, const nnrp_probe_summary *b) {
  if (a->success_count != b->success_count) return a->success_count > b->success_count ? 1 : -1;
  if (a->median_throughput != b->median_throughput)
    return a->median_throughput > b->median_throughput ? 1 : -1;
  if (a->median_rtt_us != b->median_rtt_us) return a->median_rtt_us < b->median_rtt_us ? 1 : -1;
  return 0;
}

int nnrp_probe_select(const nnrp_probe_summary *summaries, size_t count, unsigned policy,
                      nnrp_transport_id *selected) {
  if (policy > NNRP_TRANSPORT_POLICY_FORCE_TCP) return NNRP_ERR_TRANSPORT_POLICY;
  if (policy == NNRP_TRANSPORT_POLICY_FORCE_QUIC || policy == NNRP_TRANSPORT_POLICY_FORCE_TCP) {
    *selected =
        policy == NNRP_TRANSPORT_POLICY_FORCE_QUIC ? NNRP_TRANSPORT_QUIC : NNRP_TRANSPORT_TCP;
    return 0;
  }
  unsigned seen = 0;
  for (size_t i = 0; i < count; i++) {
    nnrp_transport_id t = summaries[i].transport;
    if (t != NNRP_TRANSPORT_QUIC && t != NNRP_TRANSPORT_TCP) return NNRP_ERR_INVALID_ARGUMENT;
    if (seen & (1u << t)) return NNRP_ERR_INVALID_ARGUMENT;
    seen |= 1u << t;
  }
  /* The preference only settles an exact tie (§10 C10); QUIC wins it by default. */
  nnrp_transport_id tie_winner =
      policy == NNRP_TRANSPORT_POLICY_PREFER_TCP ? NNRP_TRANSPORT_TCP : NNRP_TRANSPORT_QUIC;
  const nnrp_probe_summary *best = NULL;
  for (size_t i = 0; i < count; i++) {
    const nnrp_probe_summary *s = &summaries[i];
    if (s->success_count == 0) continue;
    int c = best ? nnrp_probe_compare(s, best) : 1;
    if (c > 0 || (c == 0 && s->transport == tie_winner)) best = s;
  }
  if (!best) return NNRP_ERR_PROBE_NO_CANDIDATE;
  *selected = best->transport;
  return 0;
}

/* ---- migration trigger monitor ----------------------------------------------------------- */

const char *nnrp_migration_reason_name(uint32_t reason) {
  switch (reason) {
    case NNRP_MIGRATION_TIMEOUT_RATE:
      return "timeout_rate";
    case NNRP_MIGRATION_THROUGHPUT:
      return "throughput";
    case NNRP_MIGRATION_ROUND_TRIP:
      return "round_trip";
    case NNRP_MIGRATION_JITTER:
      return "jitter";
    default:
      return NULL;
  }
}

void nnrp_migration_policy_default(nnrp_migration_policy *p) {
  memset(p, 0, sizeof *p);
  p->window_size = 4;
  p->consecutive_degraded_windows = 2;
  p->max_timeout_rate = 0.25;
}

/* Written as a positive test so that NaN fails it. */
static int non_negative(double x) {
  return x >= 0.0;
}

int nnrp_migration_policy_validate(const nnrp_migration_policy *p) {
  if (p->window_size == 0 || p->window_size > NNRP_MIGRATION_MAX_WINDOW)
    return NNRP_ERR_MIGRATION_POLICY;
  if (p->consecutive_degraded_windows == 0) return NNRP_ERR_MIGRATION_POLICY;
  if (!(p->max_timeout_rate >= 0.0 && p->max_timeout_rate <= 1.0)) return NNRP_ERR_MIGRATION_POLICY;
  if (p->use_min_throughput && !non_negative(p->min_median_throughput))
    return NNRP_ERR_MIGRATION_POLICY;
  if (p->use_max_rtt && !non_negative(p->max_median_rtt_us)) return NNRP_ERR_MIGRATION_POLICY;
  if (p->use_max_jitter && !non_negative(p->max_jitter_us)) return NNRP_ERR_MIGRATION_POLICY;
  return 0;
}

nnrp_path_sample nnrp_path_sample_from_probe(uint32_t payload_bytes, uint64_t client_send_ts_us,
                                             uint64_t ack_recv_ts_us) {
  nnrp_path_sample s;
  s.rtt_us = nnrp_probe_rtt_us(client_send_ts_us, ack_recv_ts_us);
  s.throughput = nnrp_probe_throughput(payload_bytes, s.rtt_us);
  s.timed_out = 0;
  return s;
}

int nnrp_migration_monitor_init(nnrp_migration_monitor *m, const nnrp_migration_policy *policy) {
  nnrp_migration_policy p;
  if (policy)
    p = *policy;
  else
    nnrp_migration_policy_default(&p);
  int rc = nnrp_migration_policy_validate(&p);
  if (rc) return rc;
  memset(m, 0, sizeof *m);
  m->policy = p;
  return 0;
}

void nnrp_migration_monitor_reset(nnrp_migration_monitor *m) {
  m->head = m->count = m->consecutive_degraded = 0;
}

/* Judge the full window (oldest sample first) into v. */
static void judge(const nnrp_migration_monitor *m, nnrp_migration_verdict *v) {
  const nnrp_migration_policy *p = &m->policy;
  double rtt[NNRP_MIGRATION_MAX_WINDOW], tput[NNRP_MIGRATION_MAX_WINDOW];
  double scratch[NNRP_MIGRATION_MAX_WINDOW];
  size_t ok = 0, timeouts = 0;
  for (uint32_t i = 0; i < m->count; i++) {
    const nnrp_path_sample *s = &m->window[(m->head + i) % p->window_size];
    if (s->timed_out) {
      timeouts++;
      continue;
    }
    rtt[ok] = (double)s->rtt_us;
    tput[ok] = s->throughput;
    ok++;
  }
  v->timeout_rate = (double)timeouts / (double)p->window_size;
  if (ok >= 2) {
    v->has_jitter = 1;
    v->jitter_us = jitter(rtt, ok, scratch);
  }
  if (ok >= 1) {
    v->has_medians = 1;
    v->median_rtt_us = median(rtt, ok);
    v->median_throughput = median(tput, ok);
  }
  if (v->timeout_rate > p->max_timeout_rate) v->reasons |= NNRP_MIGRATION_TIMEOUT_RATE;
  if (p->use_min_throughput && v->has_medians && v->median_throughput < p->min_median_throughput)
    v->reasons |= NNRP_MIGRATION_THROUGHPUT;
  if (p->use_max_rtt && v->has_medians && v->median_rtt_us > p->max_median_rtt_us)
    v->reasons |= NNRP_MIGRATION_ROUND_TRIP;
  if (p->use_max_jitter && v->has_jitter && v->jitter_us > p->max_jitter_us)
    v->reasons |= NNRP_MIGRATION_JITTER;
}

int nnrp_migration_monitor_observe(nnrp_migration_monitor *m, const nnrp_path_sample *s,
                                   nnrp_migration_verdict *v) {
  if (!non_negative(s->throughput)) return NNRP_ERR_PATH_SAMPLE;
  const uint32_t w = m->policy.window_size;
  if (m->count < w) {
    m->window[(m->head + m->count) % w] = *s;
    m->count++;
  } else {
    m->window[m->head] = *s; /* the newest replaces the oldest */
    m->head = (m->head + 1) % w;
  }
  nnrp_migration_verdict local;
  if (!v) v = &local;
  memset(v, 0, sizeof *v);
  v->sample_count = m->count;
  if (m->count == w) {
    v->window_full = 1;
    judge(m, v);
    if (!v->reasons)
      m->consecutive_degraded = 0;
    else if (m->consecutive_degraded < UINT32_MAX)
      m->consecutive_degraded++;
    v->migrate = m->consecutive_degraded >= m->policy.consecutive_degraded_windows;
  }
  v->consecutive_degraded = m->consecutive_degraded;
  return 0;
}
