/*
 * Private: the client's send window (session.md §4.2-§4.3).  Pure bookkeeping, no I/O.
 */
#ifndef NNRP_FLOW_H
#define NNRP_FLOW_H

#include <libnnrp/conn.h>

typedef struct nnrp_flow_scope_state {
  uint8_t seen;          /* an update of this scope was accepted */
  uint8_t credit_valid;  /* the last accepted update with credit_valid set a credit */
  uint8_t paused;
  uint8_t backpressure_level;
  uint8_t update_reason;
  uint16_t credit;
  uint32_t epoch;
  uint32_t flags;        /* flow flags of the last accepted update */
} nnrp_flow_scope_state;

/* Last update per operation id (recorded only; no effect on the window). */
#define NNRP_FLOW_OPERATIONS 8
typedef struct nnrp_flow_operation {
  uint64_t operation_id;
  nnrp_flow_scope_state state;
} nnrp_flow_operation;

typedef struct nnrp_flow_state {
  uint16_t max_concurrent_frames;
  nnrp_flow_scope_state connection;
  nnrp_flow_scope_state session;
  nnrp_flow_operation operations[NNRP_FLOW_OPERATIONS];
  size_t operation_next;
  nnrp_tstamp resume_not_before; /* 0 = no wait */
} nnrp_flow_state;

void nnrpi_flow_init(nnrp_flow_state *f, uint16_t max_concurrent_frames);

/*
 * Apply a received FLOW_UPDATE whose codec rules (wire-control §10.1 rules 1-6, 8, 9) already
 * passed.  Checks the scope binding against the header session id (§4.3 step 2:
 * NNRP_ERR_FLOW_SESSION_BINDING), then the epoch rule (step 3).  Returns 1 when applied, 0 when
 * dropped as stale or repeated, or a negative error.
 */
int nnrpi_flow_apply(nnrp_flow_state *f, uint32_t header_session_id, uint32_t session_id,
                     const nnrp_flow_update_meta *m, nnrp_tstamp now);

/* The window: max_concurrent_frames limited by the accepted credits (§4.2). */
uint32_t nnrpi_flow_window(const nnrp_flow_state *f);

/*
 * Why a submission is not allowed now, or 0 if it is.  The connection and session scopes both
 * apply (the more restrictive wins).  The first blocking reason is reported, in this order:
 * the peer's own stop signals first, since only a new FLOW_UPDATE lifts them, then the timed
 * wait, then the window, which the next terminal message may free:
 *   NNRP_ERR_FLOW_PAUSED           a scope is paused, or a credit of 0 was granted (§4.2)
 *   NNRP_ERR_FLOW_HARD_BACKPRESSURE  backpressure_level = hard
 *   NNRP_ERR_FLOW_DRAIN_ONLY       drain_in_flight_only is set
 *   NNRP_ERR_FLOW_RETRY_WAIT       now < resume_not_before
 *   NNRP_ERR_WOULD_BLOCK           in_flight >= window
 * Soft backpressure and background_only never block; they are read from the scope states.
 */
int nnrpi_flow_check_submit(const nnrp_flow_state *f, uint32_t in_flight, nnrp_tstamp now);

/* The last accepted update of an operation scope (recorded only), or NULL if none is held.
 * The table keeps the NNRP_FLOW_OPERATIONS most recently first-seen operation ids. */
const nnrp_flow_scope_state *nnrpi_flow_operation(const nnrp_flow_state *f,
                                                  uint64_t operation_id);

/* When the retry-after wait ends (NNRP_TSTAMP_NEVER when there is none pending). */
nnrp_tstamp nnrpi_flow_next_expiry(const nnrp_flow_state *f, nnrp_tstamp now);

#endif /* NNRP_FLOW_H */
