/*
 * libnnrp — transport probing and migration triggers (transport.md §4.2-§4.5, §5.5).
 *
 * The arithmetic of a probe run and of path-health monitoring, without the network: the
 * caller opens one connection per sample, sends TRANSPORT_PROBE, reads the ACK and hands
 * the timestamps to these functions.  Plain structs in caller-provided storage; nothing
 * allocates, reads a clock or does I/O.  Times are microseconds from the caller's monotonic
 * clock, throughputs bytes per second.
 */
#ifndef LIBNNRP_PROBE_H
#define LIBNNRP_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include <libnnrp/errors.h>
#include <libnnrp/wire.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Probe samples and series (§4.2, §4.3)
 * ------------------------------------------------------------------------------------------- */

/* Recommended run (§10 C9): 3 scored samples of 32 768 bytes, 2 s ACK wait per sample. */
#define NNRP_PROBE_DEFAULT_SAMPLES 3u
#define NNRP_PROBE_DEFAULT_PAYLOAD_BYTES 32768u
#define NNRP_PROBE_DEFAULT_TIMEOUT_MS 2000u

/* Successful samples one series can hold. */
#define NNRP_PROBE_MAX_SAMPLES 64u

/* A sample's round-trip time: max(ack_recv_ts_us - client_send_ts_us, 1).  An ACK stamped
 * at or before the send (clock step, same tick) counts as 1 µs. */
uint64_t nnrp_probe_rtt_us(uint64_t client_send_ts_us, uint64_t ack_recv_ts_us);

/* A sample's throughput: payload_bytes * 1 000 000 / rtt_us bytes per second (an rtt of 0
 * is read as 1). */
double nnrp_probe_throughput(uint32_t payload_bytes, uint64_t rtt_us);

/* The scored samples of one binding, in the order they ran (warm-ups are not added). */
typedef struct nnrp_probe_series {
  nnrp_transport_id transport;
  uint32_t success_count;
  uint32_t failure_count;
  uint64_t rtt_us[NNRP_PROBE_MAX_SAMPLES];    /* of the successful samples */
  double throughput[NNRP_PROBE_MAX_SAMPLES];  /* of the successful samples */
} nnrp_probe_series;

/* Start an empty series for `transport` (NNRP_TRANSPORT_QUIC or NNRP_TRANSPORT_TCP). */
void nnrp_probe_series_init(nnrp_probe_series *s, nnrp_transport_id transport);

/*
 * Record a successful sample: its ACK was a TRANSPORT_PROBE_ACK carrying the probe_id sent,
 * within the timeout.  NNRP_ERR_PROBE_SERIES_FULL (series unchanged) when the series already
 * holds NNRP_PROBE_MAX_SAMPLES successes.
 */
int nnrp_probe_series_add(nnrp_probe_series *s, uint32_t payload_bytes,
                          uint64_t client_send_ts_us, uint64_t ack_recv_ts_us);

/* Record a failed sample: error, timeout, another message type or another probe_id. */
void nnrp_probe_series_add_failure(nnrp_probe_series *s);

/* What selection looks at, per binding. */
typedef struct nnrp_probe_summary {
  nnrp_transport_id transport;
  uint32_t success_count;
  uint32_t failure_count;
  double median_throughput; /* over successful samples; 0 when there is none */
  double median_rtt_us;     /* over successful samples, not truncated; 0 when there is none */
  /* Median absolute difference of consecutive successful RTTs, in sample order; 0 with fewer
   * than two.  Reported only, never used for selection. */
  double jitter_us;
} nnrp_probe_summary;

/* Summarise a series.  A median over an even count is the mean of the two middle values. */
void nnrp_probe_summarize(const nnrp_probe_series *s, nnrp_probe_summary *out);

/* ---------------------------------------------------------------------------------------------
 * Selection (§4.4, §4.5)
 * ------------------------------------------------------------------------------------------- */

/*
 * Rank two summaries: > 0 when `a` ranks above `b`, < 0 when below, 0 on an exact tie.
 * Higher success_count first, then higher median_throughput, then lower median_rtt_us.
 */
int nnrp_probe_compare(const nnrp_probe_summary *a, const nnrp_probe_summary *b);

/*
 * Pick the binding to dial (`policy` is a TransportPolicy, wire-control §3.5):
 *  - force_quic / force_tcp: that binding, without looking at the summaries (no fallback);
 *  - otherwise the best-ranked summary with at least one success; an exact tie goes to the
 *    binding a prefer_* policy names, else to QUIC.
 * Errors: NNRP_ERR_PROBE_NO_CANDIDATE when no binding has a success (probing failed: a
 * connection failure); NNRP_ERR_TRANSPORT_POLICY for a policy above 4;
 * NNRP_ERR_INVALID_ARGUMENT for a summary of another transport or two of the same one.
 */
int nnrp_probe_select(const nnrp_probe_summary *summaries, size_t count, unsigned policy,
                      nnrp_transport_id *selected);

/* ---------------------------------------------------------------------------------------------
 * Migration trigger monitor (§5.5: a sliding window over the active path's health)
 * ------------------------------------------------------------------------------------------- */

/* Largest window the monitor holds. */
#define NNRP_MIGRATION_MAX_WINDOW 64u

/* Degradation reasons, as bits of nnrp_migration_verdict.reasons. */
#define NNRP_MIGRATION_TIMEOUT_RATE 0x1u /* "timeout_rate" */
#define NNRP_MIGRATION_THROUGHPUT 0x2u   /* "throughput" */
#define NNRP_MIGRATION_ROUND_TRIP 0x4u   /* "round_trip" */
#define NNRP_MIGRATION_JITTER 0x8u       /* "jitter" */

/* Name of one reason bit ("timeout_rate", "throughput", "round_trip", "jitter"), or NULL. */
const char *nnrp_migration_reason_name(uint32_t reason);

/*
 * Thresholds.  A window is degraded when its timeout rate exceeds max_timeout_rate, or, for
 * each threshold switched on, the median throughput is below the minimum, the median RTT or
 * the jitter above the maximum.
 */
typedef struct nnrp_migration_policy {
  uint32_t window_size;                  /* samples per window, 1..NNRP_MIGRATION_MAX_WINDOW */
  uint32_t consecutive_degraded_windows; /* degraded windows in a row that trigger, >= 1 */
  double max_timeout_rate;               /* 0..1 */
  int use_min_throughput;
  double min_median_throughput; /* bytes/s, >= 0 */
  int use_max_rtt;
  double max_median_rtt_us; /* >= 0 */
  int use_max_jitter;
  double max_jitter_us; /* >= 0 */
} nnrp_migration_policy;

/* The defaults: window 4, 2 consecutive degraded windows, timeout rate 0.25, no other
 * thresholds. */
void nnrp_migration_policy_default(nnrp_migration_policy *p);

/* 0, or NNRP_ERR_MIGRATION_POLICY for a value outside the ranges above (NaN included). */
int nnrp_migration_policy_validate(const nnrp_migration_policy *p);

/* One observation of the active path. */
typedef struct nnrp_path_sample {
  uint64_t rtt_us;
  double throughput; /* bytes/s, >= 0 */
  int timed_out;     /* the RTT and throughput of a timed-out sample are ignored */
} nnrp_path_sample;

/* The sample a successful probe gives (transport §5.5: a probe result converts directly). */
nnrp_path_sample nnrp_path_sample_from_probe(uint32_t payload_bytes, uint64_t client_send_ts_us,
                                             uint64_t ack_recv_ts_us);

/* The monitor's reading after an observation. */
typedef struct nnrp_migration_verdict {
  uint32_t sample_count; /* samples in the window */
  int window_full;       /* no reading before window_size samples; the fields below are 0 */
  double timeout_rate;   /* timed-out samples / window_size */
  int has_medians;       /* at least one sample did not time out */
  double median_rtt_us;
  double median_throughput;
  int has_jitter; /* at least two samples did not time out */
  double jitter_us; /* median absolute difference of consecutive non-timed-out RTTs */
  uint32_t reasons; /* NNRP_MIGRATION_* bits; 0 = healthy window */
  uint32_t consecutive_degraded;
  int migrate; /* consecutive_degraded >= policy.consecutive_degraded_windows */
} nnrp_migration_verdict;

typedef struct nnrp_migration_monitor {
  nnrp_migration_policy policy;
  nnrp_path_sample window[NNRP_MIGRATION_MAX_WINDOW]; /* ring buffer */
  uint32_t head;  /* index of the oldest sample */
  uint32_t count; /* samples held, <= policy.window_size */
  uint32_t consecutive_degraded;
} nnrp_migration_monitor;

/* Start a monitor with `policy` (NULL: the defaults).  NNRP_ERR_MIGRATION_POLICY when the
 * policy does not validate. */
int nnrp_migration_monitor_init(nnrp_migration_monitor *m, const nnrp_migration_policy *policy);

/*
 * Slide the window by one sample and judge it.  Each full window counts as degraded or
 * healthy; a healthy one resets the count of consecutive degraded windows, a partial window
 * leaves it alone.  The count keeps growing after `migrate` turns on; call
 * nnrp_migration_monitor_reset() once the session has moved.  NNRP_ERR_PATH_SAMPLE (monitor
 * unchanged) for a negative or NaN throughput.  `v` may be NULL.
 */
int nnrp_migration_monitor_observe(nnrp_migration_monitor *m, const nnrp_path_sample *s,
                                   nnrp_migration_verdict *v);

/* Forget every sample and the degraded count (after a migration or on a new path). */
void nnrp_migration_monitor_reset(nnrp_migration_monitor *m);

#ifdef __cplusplus
}
#endif

#endif /* LIBNNRP_PROBE_H */
