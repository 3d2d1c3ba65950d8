/* Transport probing and migration triggers, transport.md §4.2-§4.5 and §5.5 (src/conn/probe.c). */
#include <math.h>

#include <libnnrp/probe.h>

#include "test.h"

#define MS 1000u

/* Exact comparison of doubles that the arithmetic must reproduce bit for bit. */
#define CHECK_DBL(a, b) CHECK((double)(a) == (double)(b))

/* ---- one sample (§4.2) ------------------------------------------------------------------------
 */

static void test_sample_math(void) {
  CHECK_EQ(nnrp_probe_rtt_us(100, 350), 250);
  CHECK_EQ(nnrp_probe_rtt_us(100, 101), 1);
  CHECK_EQ(nnrp_probe_rtt_us(100, 100), 1); /* the 1 µs floor */
  CHECK_EQ(nnrp_probe_rtt_us(500, 100), 1); /* an ACK stamped before the send */
  CHECK_EQ(nnrp_probe_rtt_us(0, UINT64_MAX), UINT64_MAX);
  CHECK_DBL(nnrp_probe_throughput(2048, 250), 8192000.0);
  CHECK_DBL(nnrp_probe_throughput(32768, 1), 32768000000.0);
  CHECK_DBL(nnrp_probe_throughput(32768, 0), 32768000000.0);
  CHECK_DBL(nnrp_probe_throughput(1, 3), 1e6 / 3.0);
  CHECK_DBL(nnrp_probe_throughput(0, 10), 0.0);
}

/* ---- series and summary (§4.3) ------------------------------------------------------------------
 */

static void add_rtts(nnrp_probe_series *s, uint32_t bytes, const uint64_t *rtt, size_t n) {
  uint64_t t = 1000000;
  for (size_t i = 0; i < n; i++) {
    CHECK_RC(nnrp_probe_series_add(s, bytes, t, t + rtt[i]), 0);
    t += 50 * MS;
  }
}

static void test_summary_odd(void) {
  nnrp_probe_series s;
  nnrp_probe_series_init(&s, NNRP_TRANSPORT_TCP);
  const uint64_t rtt[] = {400, 100, 250};
  add_rtts(&s, 1000, rtt, 3);
  nnrp_probe_series_add_failure(&s);
  nnrp_probe_summary sum;
  nnrp_probe_summarize(&s, &sum);
  CHECK_EQ(sum.transport, NNRP_TRANSPORT_TCP);
  CHECK_EQ(sum.success_count, 3);
  CHECK_EQ(sum.failure_count, 1);
  CHECK_DBL(sum.median_rtt_us, 250.0);
  CHECK_DBL(sum.median_throughput, 4000000.0); /* 1000 B / 250 µs */
  /* consecutive differences 300, 150 -> mean of the two */
  CHECK_DBL(sum.jitter_us, 225.0);
}

static void test_summary_even(void) {
  nnrp_probe_series s;
  nnrp_probe_series_init(&s, NNRP_TRANSPORT_QUIC);
  const uint64_t rtt[] = {100, 301, 250, 401};
  add_rtts(&s, 2000, rtt, 4);
  nnrp_probe_summary sum;
  nnrp_probe_summarize(&s, &sum);
  /* Even count: mean of the two middle values, kept as a double (not truncated). */
  CHECK_DBL(sum.median_rtt_us, 275.5);
  CHECK_DBL(sum.median_throughput, (2000e6 / 301 + 2000e6 / 250) / 2);
  /* differences 201, 51, 151 in sample order -> 151 */
  CHECK_DBL(sum.jitter_us, 151.0);
  /* Two samples: the median is their mean, jitter their difference. */
  nnrp_probe_series_init(&s, NNRP_TRANSPORT_QUIC);
  const uint64_t two[] = {10, 13};
  add_rtts(&s, 10, two, 2);
  nnrp_probe_summarize(&s, &sum);
  CHECK_DBL(sum.median_rtt_us, 11.5);
  CHECK_DBL(sum.jitter_us, 3.0);
  /* One sample: no jitter. */
  nnrp_probe_series_init(&s, NNRP_TRANSPORT_QUIC);
  add_rtts(&s, 10, two, 1);
  nnrp_probe_summarize(&s, &sum);
  CHECK_DBL(sum.median_rtt_us, 10.0);
  CHECK_DBL(sum.median_throughput, 1e6);
  CHECK_DBL(sum.jitter_us, 0.0);
}

static void test_summary_without_success(void) {
  nnrp_probe_series s;
  nnrp_probe_series_init(&s, NNRP_TRANSPORT_TCP);
  for (int i = 0; i < 3; i++) nnrp_probe_series_add_failure(&s);
  nnrp_probe_summary sum;
  memset(&sum, 0xFF, sizeof sum);
  nnrp_probe_summarize(&s, &sum);
  CHECK_EQ(sum.success_count, 0);
  CHECK_EQ(sum.failure_count, 3);
  CHECK_DBL(sum.median_rtt_us, 0.0);
  CHECK_DBL(sum.median_throughput, 0.0);
  CHECK_DBL(sum.jitter_us, 0.0);
}

static void test_series_full(void) {
  nnrp_probe_series s;
  nnrp_probe_series_init(&s, NNRP_TRANSPORT_TCP);
  for (uint64_t i = 0; i < NNRP_PROBE_MAX_SAMPLES; i++)
    CHECK_RC(nnrp_probe_series_add(&s, 100, 0, i + 1), 0);
  CHECK_RC(nnrp_probe_series_add(&s, 100, 0, 5), NNRP_ERR_PROBE_SERIES_FULL);
  CHECK_EQ(s.success_count, NNRP_PROBE_MAX_SAMPLES);
  nnrp_probe_summary sum;
  nnrp_probe_summarize(&s, &sum);
  CHECK_DBL(sum.median_rtt_us, 32.5); /* 1..64 */
  CHECK_DBL(sum.jitter_us, 1.0);
}

/* ---- selection (§4.4, §4.5) --------------------------------------------------------------------
 */

static nnrp_probe_summary summary(nnrp_transport_id t, uint32_t ok, uint32_t failed, double tput,
                                  double rtt) {
  nnrp_probe_summary s = {t, ok, failed, tput, rtt, 0};
  return s;
}

static void test_compare(void) {
  nnrp_probe_summary a = summary(NNRP_TRANSPORT_QUIC, 3, 0, 100, 50);
  nnrp_probe_summary b = summary(NNRP_TRANSPORT_TCP, 2, 1, 900, 5);
  CHECK(nnrp_probe_compare(&a, &b) > 0); /* success count first */
  CHECK(nnrp_probe_compare(&b, &a) < 0);
  b = summary(NNRP_TRANSPORT_TCP, 3, 0, 101, 500);
  CHECK(nnrp_probe_compare(&b, &a) > 0); /* then throughput */
  b = summary(NNRP_TRANSPORT_TCP, 3, 5, 100, 49);
  CHECK(nnrp_probe_compare(&b, &a) > 0); /* then lower RTT; failures do not count */
  b = summary(NNRP_TRANSPORT_TCP, 3, 1, 100, 50);
  CHECK_EQ(nnrp_probe_compare(&a, &b), 0);
  CHECK_EQ(nnrp_probe_compare(&b, &a), 0);
}

static nnrp_transport_id select2(const nnrp_probe_summary *a, const nnrp_probe_summary *b,
                                 unsigned policy) {
  nnrp_probe_summary v[2] = {*a, *b};
  nnrp_transport_id x = NNRP_TRANSPORT_UNSPECIFIED, y = NNRP_TRANSPORT_UNSPECIFIED;
  CHECK_RC(nnrp_probe_select(v, 2, policy, &x), 0);
  /* The order in which the summaries are listed never matters. */
  nnrp_probe_summary w[2] = {*b, *a};
  CHECK_RC(nnrp_probe_select(w, 2, policy, &y), 0);
  CHECK_EQ(x, y);
  return x;
}

/* The worked examples of §4.4, with the series built from sample timestamps. */
static void test_worked_examples(void) {
  /* QUIC ACKs delayed 30 ms, TCP ACKs immediate; 3 samples of 2 048 bytes -> TCP. */
  nnrp_probe_series q, t;
  nnrp_probe_series_init(&q, NNRP_TRANSPORT_QUIC);
  nnrp_probe_series_init(&t, NNRP_TRANSPORT_TCP);
  const uint64_t quic_rtt[] = {30 * MS + 410, 30 * MS + 380, 30 * MS + 455};
  const uint64_t tcp_rtt[] = {390, 420, 405};
  add_rtts(&q, 2048, quic_rtt, 3);
  add_rtts(&t, 2048, tcp_rtt, 3);
  nnrp_probe_summary sq, st;
  nnrp_probe_summarize(&q, &sq);
  nnrp_probe_summarize(&t, &st);
  CHECK_EQ(sq.success_count, 3);
  CHECK_EQ(st.success_count, 3);
  CHECK_DBL(sq.median_rtt_us, 30410.0);
  CHECK_DBL(st.median_rtt_us, 405.0);
  CHECK_DBL(st.median_throughput, 2048e6 / 405);
  CHECK_EQ(select2(&sq, &st, NNRP_TRANSPORT_POLICY_AUTO), NNRP_TRANSPORT_TCP);
  /* prefer_quic does not outrank a better measurement. */
  CHECK_EQ(select2(&sq, &st, NNRP_TRANSPORT_POLICY_PREFER_QUIC), NNRP_TRANSPORT_TCP);

  /* QUIC up, TCP port closed: TCP 0 successes / 3 failures, QUIC selected. */
  nnrp_probe_series_init(&t, NNRP_TRANSPORT_TCP);
  for (int i = 0; i < 3; i++) nnrp_probe_series_add_failure(&t);
  nnrp_probe_summarize(&t, &st);
  CHECK_EQ(st.success_count, 0);
  CHECK_EQ(st.failure_count, 3);
  CHECK_EQ(select2(&sq, &st, NNRP_TRANSPORT_POLICY_AUTO), NNRP_TRANSPORT_QUIC);
  CHECK_EQ(select2(&sq, &st, NNRP_TRANSPORT_POLICY_PREFER_TCP), NNRP_TRANSPORT_QUIC);

  /* TCP 3 successes vs QUIC 2 successes: TCP regardless of throughput. */
  nnrp_probe_series_init(&q, NNRP_TRANSPORT_QUIC);
  nnrp_probe_series_init(&t, NNRP_TRANSPORT_TCP);
  const uint64_t fast[] = {100, 120}, slow[] = {9000, 9100, 9050};
  add_rtts(&q, 32768, fast, 2);
  nnrp_probe_series_add_failure(&q);
  add_rtts(&t, 32768, slow, 3);
  nnrp_probe_summarize(&q, &sq);
  nnrp_probe_summarize(&t, &st);
  CHECK(sq.median_throughput > st.median_throughput);
  CHECK_EQ(select2(&sq, &st, NNRP_TRANSPORT_POLICY_AUTO), NNRP_TRANSPORT_TCP);
}

static void test_tie_breaks(void) {
  nnrp_probe_summary q = summary(NNRP_TRANSPORT_QUIC, 3, 0, 1e6, 200);
  nnrp_probe_summary t = summary(NNRP_TRANSPORT_TCP, 3, 2, 1e6, 200);
  CHECK_EQ(select2(&q, &t, NNRP_TRANSPORT_POLICY_AUTO), NNRP_TRANSPORT_QUIC);
  CHECK_EQ(select2(&q, &t, NNRP_TRANSPORT_POLICY_PREFER_QUIC), NNRP_TRANSPORT_QUIC);
  CHECK_EQ(select2(&q, &t, NNRP_TRANSPORT_POLICY_PREFER_TCP), NNRP_TRANSPORT_TCP);
  /* Equal throughput, lower RTT wins. */
  t.median_rtt_us = 199.5;
  CHECK_EQ(select2(&q, &t, NNRP_TRANSPORT_POLICY_PREFER_QUIC), NNRP_TRANSPORT_TCP);
}

static void test_force_and_errors(void) {
  nnrp_probe_summary v[2] = {summary(NNRP_TRANSPORT_QUIC, 0, 3, 0, 0),
                             summary(NNRP_TRANSPORT_TCP, 0, 3, 0, 0)};
  nnrp_transport_id sel = NNRP_TRANSPORT_UNSPECIFIED;
  /* Nothing answered: probing failed. */
  CHECK_RC(nnrp_probe_select(v, 2, NNRP_TRANSPORT_POLICY_AUTO, &sel), NNRP_ERR_PROBE_NO_CANDIDATE);
  CHECK_RC(nnrp_probe_select(v, 0, NNRP_TRANSPORT_POLICY_PREFER_TCP, &sel),
           NNRP_ERR_PROBE_NO_CANDIDATE);
  CHECK_EQ(sel, NNRP_TRANSPORT_UNSPECIFIED);
  /* force_*: the forced binding, no probing needed and no fallback. */
  CHECK_RC(nnrp_probe_select(v, 2, NNRP_TRANSPORT_POLICY_FORCE_TCP, &sel), 0);
  CHECK_EQ(sel, NNRP_TRANSPORT_TCP);
  v[1].success_count = 3;
  CHECK_RC(nnrp_probe_select(NULL, 0, NNRP_TRANSPORT_POLICY_FORCE_QUIC, &sel), 0);
  CHECK_EQ(sel, NNRP_TRANSPORT_QUIC);
  CHECK_RC(nnrp_probe_select(v, 2, NNRP_TRANSPORT_POLICY_FORCE_QUIC, &sel), 0);
  CHECK_EQ(sel, NNRP_TRANSPORT_QUIC);
  /* A single candidate is selected. */
  CHECK_RC(nnrp_probe_select(v, 2, NNRP_TRANSPORT_POLICY_PREFER_QUIC, &sel), 0);
  CHECK_EQ(sel, NNRP_TRANSPORT_TCP);
  CHECK_RC(nnrp_probe_select(&v[1], 1, NNRP_TRANSPORT_POLICY_AUTO, &sel), 0);
  CHECK_EQ(sel, NNRP_TRANSPORT_TCP);
  /* Bad arguments. */
  CHECK_RC(nnrp_probe_select(v, 2, 5, &sel), NNRP_ERR_TRANSPORT_POLICY);
  nnrp_probe_summary dup[2] = {summary(NNRP_TRANSPORT_TCP, 1, 0, 1, 1),
                               summary(NNRP_TRANSPORT_TCP, 2, 0, 1, 1)};
  CHECK_RC(nnrp_probe_select(dup, 2, NNRP_TRANSPORT_POLICY_AUTO, &sel), NNRP_ERR_INVALID_ARGUMENT);
  nnrp_probe_summary other = summary(NNRP_TRANSPORT_UNSPECIFIED, 1, 0, 1, 1);
  CHECK_RC(nnrp_probe_select(&other, 1, NNRP_TRANSPORT_POLICY_AUTO, &sel),
           NNRP_ERR_INVALID_ARGUMENT);
  other.transport = (nnrp_transport_id)3;
  CHECK_RC(nnrp_probe_select(&other, 1, NNRP_TRANSPORT_POLICY_AUTO, &sel),
           NNRP_ERR_INVALID_ARGUMENT);
}

/* ---- migration trigger monitor (§5.5) -----------------------------------------------------------
 */

static void test_policy_defaults_and_validation(void) {
  nnrp_migration_policy p;
  nnrp_migration_policy_default(&p);
  CHECK_EQ(p.window_size, 4);
  CHECK_EQ(p.consecutive_degraded_windows, 2);
  CHECK_DBL(p.max_timeout_rate, 0.25);
  CHECK(!p.use_min_throughput && !p.use_max_rtt && !p.use_max_jitter);
  CHECK_RC(nnrp_migration_policy_validate(&p), 0);

  nnrp_migration_policy q = p;
  q.window_size = 0;
  CHECK_RC(nnrp_migration_policy_validate(&q), NNRP_ERR_MIGRATION_POLICY);
  q.window_size = NNRP_MIGRATION_MAX_WINDOW + 1;
  CHECK_RC(nnrp_migration_policy_validate(&q), NNRP_ERR_MIGRATION_POLICY);
  q.window_size = NNRP_MIGRATION_MAX_WINDOW;
  CHECK_RC(nnrp_migration_policy_validate(&q), 0);
  q = p;
  q.consecutive_degraded_windows = 0;
  CHECK_RC(nnrp_migration_policy_validate(&q), NNRP_ERR_MIGRATION_POLICY);
  const double bad_rates[] = {-0.01, 1.01, NAN};
  for (size_t i = 0; i < 3; i++) {
    q = p;
    q.max_timeout_rate = bad_rates[i];
    CHECK_RC(nnrp_migration_policy_validate(&q), NNRP_ERR_MIGRATION_POLICY);
  }
  q.max_timeout_rate = 0.0;
  CHECK_RC(nnrp_migration_policy_validate(&q), 0);
  q.max_timeout_rate = 1.0;
  CHECK_RC(nnrp_migration_policy_validate(&q), 0);
  /* Thresholds must be non-negative when switched on; off, their value is not read. */
  q = p;
  q.min_median_throughput = q.max_median_rtt_us = q.max_jitter_us = -1;
  CHECK_RC(nnrp_migration_policy_validate(&q), 0);
  q.use_min_throughput = 1;
  CHECK_RC(nnrp_migration_policy_validate(&q), NNRP_ERR_MIGRATION_POLICY);
  q.min_median_throughput = 0;
  q.use_max_rtt = 1;
  CHECK_RC(nnrp_migration_policy_validate(&q), NNRP_ERR_MIGRATION_POLICY);
  q.max_median_rtt_us = 0;
  q.use_max_jitter = 1;
  CHECK_RC(nnrp_migration_policy_validate(&q), NNRP_ERR_MIGRATION_POLICY);
  q.max_jitter_us = NAN;
  CHECK_RC(nnrp_migration_policy_validate(&q), NNRP_ERR_MIGRATION_POLICY);
  q.max_jitter_us = 0;
  CHECK_RC(nnrp_migration_policy_validate(&q), 0);

  nnrp_migration_monitor m;
  CHECK_RC(nnrp_migration_monitor_init(&m, NULL), 0);
  CHECK_EQ(m.policy.window_size, 4);
  q.window_size = 0;
  CHECK_RC(nnrp_migration_monitor_init(&m, &q), NNRP_ERR_MIGRATION_POLICY);
}

static void test_reason_names(void) {
  CHECK(strcmp(nnrp_migration_reason_name(NNRP_MIGRATION_TIMEOUT_RATE), "timeout_rate") == 0);
  CHECK(strcmp(nnrp_migration_reason_name(NNRP_MIGRATION_THROUGHPUT), "throughput") == 0);
  CHECK(strcmp(nnrp_migration_reason_name(NNRP_MIGRATION_ROUND_TRIP), "round_trip") == 0);
  CHECK(strcmp(nnrp_migration_reason_name(NNRP_MIGRATION_JITTER), "jitter") == 0);
  CHECK(nnrp_migration_reason_name(0) == NULL);
  CHECK(nnrp_migration_reason_name(0x3) == NULL);
  CHECK(nnrp_migration_reason_name(0x10) == NULL);
}

static nnrp_path_sample ok_sample(uint64_t rtt, double tput) {
  nnrp_path_sample s = {rtt, tput, 0};
  return s;
}
static const nnrp_path_sample timeout_sample = {0, 0, 1};

static nnrp_migration_verdict observe(nnrp_migration_monitor *m, nnrp_path_sample s) {
  nnrp_migration_verdict v;
  CHECK_RC(nnrp_migration_monitor_observe(m, &s, &v), 0);
  return v;
}

static void test_timeout_rate_and_consecutive_windows(void) {
  nnrp_migration_monitor m;
  CHECK_RC(nnrp_migration_monitor_init(&m, NULL), 0);
  /* No verdict before the window is full, whatever the samples. */
  for (uint32_t i = 1; i <= 3; i++) {
    nnrp_migration_verdict v = observe(&m, timeout_sample);
    CHECK_EQ(v.sample_count, i);
    CHECK(!v.window_full && !v.migrate);
    CHECK_EQ(v.reasons, 0);
    CHECK_EQ(v.consecutive_degraded, 0);
    CHECK_DBL(v.timeout_rate, 0.0);
  }
  /* window: T T T ok -> rate 0.75 > 0.25: degraded, 1 in a row. */
  nnrp_migration_verdict v = observe(&m, ok_sample(100, 5e6));
  CHECK(v.window_full);
  CHECK_EQ(v.sample_count, 4);
  CHECK_DBL(v.timeout_rate, 0.75);
  CHECK_EQ(v.reasons, NNRP_MIGRATION_TIMEOUT_RATE);
  CHECK(v.has_medians && !v.has_jitter);
  CHECK_DBL(v.median_rtt_us, 100.0);
  CHECK_DBL(v.median_throughput, 5e6);
  CHECK_EQ(v.consecutive_degraded, 1);
  CHECK(!v.migrate);
  /* window: T T ok ok -> 0.5: degraded again, migration due. */
  v = observe(&m, ok_sample(300, 1e6));
  CHECK_DBL(v.timeout_rate, 0.5);
  CHECK_EQ(v.consecutive_degraded, 2);
  CHECK(v.migrate);
  CHECK(v.has_jitter);
  CHECK_DBL(v.jitter_us, 200.0);
  CHECK_DBL(v.median_rtt_us, 200.0);
  CHECK_DBL(v.median_throughput, 3e6);
  /* window: T ok ok ok -> 0.25 is not above the maximum: healthy, the count resets. */
  v = observe(&m, ok_sample(200, 2e6));
  CHECK_DBL(v.timeout_rate, 0.25);
  CHECK_EQ(v.reasons, 0);
  CHECK_EQ(v.consecutive_degraded, 0);
  CHECK(!v.migrate);
  /* Reset forgets the window. */
  nnrp_migration_monitor_reset(&m);
  v = observe(&m, timeout_sample);
  CHECK_EQ(v.sample_count, 1);
  CHECK(!v.window_full);
}

static void test_count_keeps_growing(void) {
  nnrp_migration_policy p;
  nnrp_migration_policy_default(&p);
  p.window_size = 2;
  p.consecutive_degraded_windows = 3;
  nnrp_migration_monitor m;
  CHECK_RC(nnrp_migration_monitor_init(&m, &p), 0);
  observe(&m, timeout_sample);
  for (uint32_t i = 1; i <= 5; i++) {
    nnrp_migration_verdict v = observe(&m, timeout_sample);
    CHECK_EQ(v.consecutive_degraded, i);
    CHECK_EQ(v.migrate, i >= 3);
    CHECK(!v.has_medians);
    CHECK_DBL(v.timeout_rate, 1.0);
    CHECK_EQ(v.reasons, NNRP_MIGRATION_TIMEOUT_RATE);
  }
}

static void test_thresholds(void) {
  nnrp_migration_policy p;
  nnrp_migration_policy_default(&p);
  p.window_size = 5;
  p.consecutive_degraded_windows = 1;
  p.use_min_throughput = 1;
  p.min_median_throughput = 1e6;
  p.use_max_rtt = 1;
  p.max_median_rtt_us = 250;
  p.use_max_jitter = 1;
  p.max_jitter_us = 100;
  nnrp_migration_monitor m;
  CHECK_RC(nnrp_migration_monitor_init(&m, &p), 0);
  /* RTTs 100 200 (timeout) 300 250: medians over the four answered samples, jitter over
   * their consecutive differences 100, 100, 50. */
  observe(&m, ok_sample(100, 2e6));
  observe(&m, ok_sample(200, 1e6));
  observe(&m, timeout_sample);
  observe(&m, ok_sample(300, 0.5e6));
  nnrp_migration_verdict v = observe(&m, ok_sample(250, 0.9e6));
  CHECK(v.window_full);
  CHECK_DBL(v.timeout_rate, 0.2);
  CHECK_DBL(v.median_rtt_us, 225.0);
  CHECK_DBL(v.median_throughput, 0.95e6);
  CHECK_DBL(v.jitter_us, 100.0);
  /* throughput 0.95e6 < 1e6; RTT 225 <= 250; jitter 100 is not above 100 */
  CHECK_EQ(v.reasons, NNRP_MIGRATION_THROUGHPUT);
  CHECK(v.migrate);
  /* Slide: 200 T 300 250 900 -> RTT median 275 > 250, jitter diffs 100 50 650 -> 100. */
  v = observe(&m, ok_sample(900, 3e6));
  CHECK_DBL(v.median_rtt_us, 275.0);
  CHECK_DBL(v.median_throughput, (0.9e6 + 1e6) / 2);
  CHECK_DBL(v.jitter_us, 100.0);
  CHECK_EQ(v.reasons, NNRP_MIGRATION_THROUGHPUT | NNRP_MIGRATION_ROUND_TRIP);
  /* T 300 250 900 10 -> jitter diffs 50 650 890 -> 650; RTT median 275; tput 0.9e6..3e6 */
  v = observe(&m, ok_sample(10, 4e6));
  CHECK_DBL(v.jitter_us, 650.0);
  CHECK_DBL(v.median_throughput, (0.9e6 + 3e6) / 2);
  CHECK_EQ(v.reasons, NNRP_MIGRATION_ROUND_TRIP | NNRP_MIGRATION_JITTER);
  /* Healthy window: 5 quick, steady samples. */
  for (int i = 0; i < 5; i++) v = observe(&m, ok_sample(100 + (uint64_t)i, 2e6));
  CHECK_EQ(v.reasons, 0);
  CHECK_EQ(v.consecutive_degraded, 0);
  CHECK(!v.migrate);
}

static void test_samples(void) {
  nnrp_path_sample s = nnrp_path_sample_from_probe(2048, 1000, 1250);
  CHECK_EQ(s.rtt_us, 250);
  CHECK_DBL(s.throughput, 8192000.0);
  CHECK(!s.timed_out);
  s = nnrp_path_sample_from_probe(2048, 1000, 900);
  CHECK_EQ(s.rtt_us, 1);
  /* A bad sample is refused and changes nothing. */
  nnrp_migration_monitor m;
  CHECK_RC(nnrp_migration_monitor_init(&m, NULL), 0);
  nnrp_path_sample bad = ok_sample(10, -1.0);
  nnrp_migration_verdict v;
  CHECK_RC(nnrp_migration_monitor_observe(&m, &bad, &v), NNRP_ERR_PATH_SAMPLE);
  bad.throughput = NAN;
  CHECK_RC(nnrp_migration_monitor_observe(&m, &bad, NULL), NNRP_ERR_PATH_SAMPLE);
  CHECK_EQ(m.count, 0);
  /* The verdict is optional. */
  nnrp_path_sample good = ok_sample(10, 0.0);
  CHECK_RC(nnrp_migration_monitor_observe(&m, &good, NULL), 0);
  CHECK_EQ(m.count, 1);
}

int main(void) {
  RUN(test_sample_math);
  RUN(test_summary_odd);
  RUN(test_summary_even);
  RUN(test_summary_without_success);
  RUN(test_series_full);
  RUN(test_compare);
  RUN(test_worked_examples);
  RUN(test_tie_breaks);
  RUN(test_force_and_errors);
  RUN(test_policy_defaults_and_validation);
  RUN(test_reason_names);
  RUN(test_timeout_rate_and_consecutive_windows);
  RUN(test_count_keeps_growing);
  RUN(test_thresholds);
  RUN(test_samples);
  return TEST_REPORT();
}
