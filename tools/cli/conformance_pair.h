/*
 * nnrp conformance run: a client engine and a server engine wired together in memory with a
 * fake clock, for the session parts of the L1 cases (cmd_conformance_session.c).  Every packet
 * goes whole from one engine's output queue to the other's nnrp_conn_read_packet; what the
 * hosts are told (results, frame outcomes, flow updates, hints, cache ACKs) is recorded.
 */
#ifndef NNRP_CLI_CONFORMANCE_PAIR_H
#define NNRP_CLI_CONFORMANCE_PAIR_H

#include <libnnrp/conn.h>

#define CPAIR_MAX 16 /* records kept per kind and side; the runners stay far below */

typedef struct cpair_result {
  uint32_t frame_id;
  nnrp_result_push_meta meta;
  uint8_t budget_policy;
  uint32_t policy_violation;
  size_t object_count;
  uint8_t object[16]; /* first bytes of the first resolved object */
  size_t object_len;
} cpair_result;

typedef struct cpair_side {
  nnrp_conn *conn;
  cpair_result results[CPAIR_MAX];
  size_t result_count;
  nnrp_frame_outcome outcomes[CPAIR_MAX]; /* diagnostic views cleared */
  size_t outcome_count;
  int flow_applied[CPAIR_MAX];
  size_t flow_count;
  size_t hint_count;
  nnrp_cache_ack_meta last_ack; /* installer: the peer's last CACHE_ACK */
  size_t ack_count;
  size_t submit_count;   /* server: frames admitted */
  size_t sent[256];      /* packets emitted, per message type */
  nnrp_error_meta last_error_sent;
  int read_rc; /* first failed read */
} cpair_side;

typedef struct cpair {
  cpair_side c, s;
  nnrp_tstamp now;
  int auto_reply; /* server: answer every admitted frame with a complete RESULT_PUSH */
} cpair;

/* The settings the runners start from: library defaults, 8 frames in flight, 4 lanes, long
 * budgets, cache kinds 1..3 with 4 entries and 4096 bytes. */
void cpair_settings(nnrp_settings *s);
/* Create both engines (settings NULL: cpair_settings), connect and flush.  0 when both are
 * ACTIVE, otherwise an error (the pair is freed then). */
int cpair_open(cpair *p, const nnrp_settings *settings);
void cpair_close(cpair *p);
/* Move packets both ways until neither side has output. */
void cpair_flush(cpair *p);
/* Submit a metadata-only frame (budget_policy as given); its id, 0 on failure. */
uint32_t cpair_submit(cpair *p, uint8_t budget_policy);
/* The last outcome recorded for a frame, or NULL. */
const nnrp_frame_outcome *cpair_outcome(const cpair_side *s, uint32_t frame_id);
const cpair_result *cpair_result_of(const cpair_side *s, uint32_t frame_id);

#endif /* NNRP_CLI_CONFORMANCE_PAIR_H */
