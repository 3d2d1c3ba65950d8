/* The send window of session.md §4.2-§4.3 (src/conn/flow.c). */
#include <libnnrp/conn.h>

#include "conn/flow.h"
#include "test.h"

#define SID 5u
#define MS 1000u /* microseconds per millisecond */

/* A FLOW_UPDATE that passed the codec: built, encoded and decoded back. */
static nnrp_flow_update_meta upd(uint8_t scope, uint8_t reason, uint8_t bp, uint16_t credit,
                                 uint32_t epoch, uint32_t flags, uint32_t retry_ms) {
  nnrp_flow_update_meta m = {0};
  m.scope_kind = scope;
  m.update_reason = reason;
  m.backpressure_level = bp;
  if (scope == NNRP_FLOW_SCOPE_CONNECTION) m.connection_credit = credit;
  if (scope == NNRP_FLOW_SCOPE_SESSION) m.session_credit = credit;
  if (scope == NNRP_FLOW_SCOPE_OPERATION) {
    m.operation_credit = credit;
    m.operation_id = 77;
  }
  m.credit_epoch = epoch;
  m.flags = flags;
  m.retry_after_ms = retry_ms;
  uint8_t out[NNRP_FLOW_UPDATE_META_LEN];
  nnrp_flow_update_meta back;
  CHECK_RC(nnrp_flow_update_meta_encode(&m, out), 0);
  CHECK_RC(nnrp_flow_update_meta_decode(&back, out, sizeof out, 0), 0);
  return back;
}

static nnrp_flow_update_meta session_credit(uint8_t reason, uint16_t credit, uint32_t epoch) {
  return upd(NNRP_FLOW_SCOPE_SESSION, reason, 0, credit, epoch, NNRP_FLOW_CREDIT_VALID, 0);
}

/* Apply with the header session id the scope requires. */
static int apply(nnrp_flow_state *f, const nnrp_flow_update_meta *m, nnrp_tstamp now) {
  uint32_t hdr = m->scope_kind == NNRP_FLOW_SCOPE_CONNECTION ? 0 : SID;
  return nnrpi_flow_apply(f, hdr, SID, m, now);
}

static void test_initial_window(void) {
  nnrp_flow_state f;
  nnrpi_flow_init(&f, 4);
  CHECK_EQ(nnrpi_flow_window(&f), 4);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), 0);
  CHECK_RC(nnrpi_flow_check_submit(&f, 3, 0), 0);
  CHECK_RC(nnrpi_flow_check_submit(&f, 4, 0), NNRP_ERR_WOULD_BLOCK);
  CHECK_RC(nnrpi_flow_check_submit(&f, 9, 0), NNRP_ERR_WOULD_BLOCK);
  CHECK_EQ(nnrpi_flow_next_expiry(&f, 0), NNRP_TSTAMP_NEVER);
}

static void test_credits_are_absolute(void) {
  nnrp_flow_state f;
  nnrpi_flow_init(&f, 8);
  nnrp_flow_update_meta m = session_credit(NNRP_FLOW_GRANT, 3, 1);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_EQ(nnrpi_flow_window(&f), 3);
  m = session_credit(NNRP_FLOW_GRANT, 5, 2); /* absolute, not 3 + 5 */
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_EQ(nnrpi_flow_window(&f), 5);
  m = session_credit(NNRP_FLOW_REDUCE, 1, 3);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_EQ(nnrpi_flow_window(&f), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), 0);
  CHECK_RC(nnrpi_flow_check_submit(&f, 1, 0), NNRP_ERR_WOULD_BLOCK);
  /* Above max_concurrent_frames: the handshake value is the ceiling. */
  m = session_credit(NNRP_FLOW_GRANT, 500, 4);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_EQ(nnrpi_flow_window(&f), 8);
  /* Without credit_valid the credit field is not read: the window stays. */
  m = upd(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_REDUCE, 0, 2, 5, 0, 0);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_EQ(nnrpi_flow_window(&f), 8);
  CHECK_EQ(f.session.credit, 500);
  CHECK_EQ(f.session.update_reason, NNRP_FLOW_REDUCE);
}

static void test_scopes_take_the_minimum(void) {
  nnrp_flow_state f;
  nnrpi_flow_init(&f, 10);
  nnrp_flow_update_meta c =
      upd(NNRP_FLOW_SCOPE_CONNECTION, NNRP_FLOW_GRANT, 0, 4, 1, NNRP_FLOW_CREDIT_VALID, 0);
  CHECK_EQ(apply(&f, &c, 0), 1);
  CHECK_EQ(nnrpi_flow_window(&f), 4);
  nnrp_flow_update_meta s = session_credit(NNRP_FLOW_GRANT, 6, 1);
  CHECK_EQ(apply(&f, &s, 0), 1);
  CHECK_EQ(nnrpi_flow_window(&f), 4);
  s = session_credit(NNRP_FLOW_REDUCE, 2, 2);
  CHECK_EQ(apply(&f, &s, 0), 1);
  CHECK_EQ(nnrpi_flow_window(&f), 2);
  c = upd(NNRP_FLOW_SCOPE_CONNECTION, NNRP_FLOW_GRANT, 0, 9, 2, NNRP_FLOW_CREDIT_VALID, 0);
  CHECK_EQ(apply(&f, &c, 0), 1);
  CHECK_EQ(nnrpi_flow_window(&f), 2);
  CHECK_EQ(f.connection.credit, 9);
}

static void test_zero_credit_stops_like_pause(void) {
  nnrp_flow_state f;
  nnrpi_flow_init(&f, 4);
  nnrp_flow_update_meta m = session_credit(NNRP_FLOW_REDUCE, 0, 1);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_EQ(nnrpi_flow_window(&f), 0);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), NNRP_ERR_FLOW_PAUSED);
  m = session_credit(NNRP_FLOW_GRANT, 1, 2);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), 0);
  m = upd(NNRP_FLOW_SCOPE_CONNECTION, NNRP_FLOW_REDUCE, 0, 0, 1, NNRP_FLOW_CREDIT_VALID, 0);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), NNRP_ERR_FLOW_PAUSED);
}

static void test_epoch_rule(void) {
  nnrp_flow_state f;
  nnrpi_flow_init(&f, 8);
  /* The first update of a scope is accepted whatever its epoch. */
  nnrp_flow_update_meta m = session_credit(NNRP_FLOW_GRANT, 6, 100);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_EQ(f.session.epoch, 100);
  /* Equal and older epochs are dropped silently and change nothing. */
  m = session_credit(NNRP_FLOW_REDUCE, 1, 100);
  CHECK_EQ(apply(&f, &m, 0), 0);
  m = session_credit(NNRP_FLOW_REDUCE, 1, 99);
  CHECK_EQ(apply(&f, &m, 0), 0);
  m = upd(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_PAUSE, NNRP_BACKPRESSURE_HARD, 0, 0,
          NNRP_FLOW_RETRY_AFTER_VALID | NNRP_FLOW_DRAIN_IN_FLIGHT_ONLY, 500);
  CHECK_EQ(apply(&f, &m, 0), 0);
  CHECK_EQ(nnrpi_flow_window(&f), 6);
  CHECK_EQ(f.session.epoch, 100);
  CHECK_EQ(f.session.update_reason, NNRP_FLOW_GRANT);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), 0);
  CHECK_EQ(f.resume_not_before, 0);
  /* Strictly greater: applied. */
  m = session_credit(NNRP_FLOW_REDUCE, 2, 101);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_EQ(nnrpi_flow_window(&f), 2);
  /* Plain unsigned compare, no wrap-around: 0 after 0xFFFFFFFF is stale. */
  m = session_credit(NNRP_FLOW_GRANT, 7, 0xFFFFFFFFu);
  CHECK_EQ(apply(&f, &m, 0), 1);
  m = session_credit(NNRP_FLOW_REDUCE, 1, 0);
  CHECK_EQ(apply(&f, &m, 0), 0);
  CHECK_EQ(nnrpi_flow_window(&f), 7);
}

static void test_epochs_are_per_scope(void) {
  nnrp_flow_state f;
  nnrpi_flow_init(&f, 8);
  nnrp_flow_update_meta m = session_credit(NNRP_FLOW_GRANT, 6, 50);
  CHECK_EQ(apply(&f, &m, 0), 1);
  /* A connection-scope update with a lower epoch is the first of its scope. */
  m = upd(NNRP_FLOW_SCOPE_CONNECTION, NNRP_FLOW_REDUCE, 0, 3, 1, NNRP_FLOW_CREDIT_VALID, 0);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_EQ(nnrpi_flow_window(&f), 3);
  m = upd(NNRP_FLOW_SCOPE_CONNECTION, NNRP_FLOW_GRANT, 0, 5, 1, NNRP_FLOW_CREDIT_VALID, 0);
  CHECK_EQ(apply(&f, &m, 0), 0);
  CHECK_EQ(nnrpi_flow_window(&f), 3);
  /* And an operation scope has its own epoch too. */
  m = upd(NNRP_FLOW_SCOPE_OPERATION, NNRP_FLOW_GRANT, 0, 2, 0, NNRP_FLOW_CREDIT_VALID, 0);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_EQ(f.session.epoch, 50);
  CHECK_EQ(f.connection.epoch, 1);
}

static void test_pause_resume(void) {
  nnrp_flow_state f;
  nnrpi_flow_init(&f, 4);
  nnrp_flow_update_meta m = upd(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_PAUSE, 0, 0, 1, 0, 0);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), NNRP_ERR_FLOW_PAUSED);
  /* Other reasons leave the pause in place. */
  m = upd(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_GRANT, 0, 4, 2, NNRP_FLOW_CREDIT_VALID, 0);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), NNRP_ERR_FLOW_PAUSED);
  m = upd(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_RESUME, 0, 0, 3, 0, 0);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), 0);
  /* A pause holds per scope: a session resume does not lift a connection pause. */
  m = upd(NNRP_FLOW_SCOPE_CONNECTION, NNRP_FLOW_PAUSE, 0, 0, 1, 0, 0);
  CHECK_EQ(apply(&f, &m, 0), 1);
  m = upd(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_RESUME, 0, 0, 4, 0, 0);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), NNRP_ERR_FLOW_PAUSED);
  m = upd(NNRP_FLOW_SCOPE_CONNECTION, NNRP_FLOW_RESUME, 0, 0, 2, 0, 0);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), 0);
}

static void test_backpressure_and_flags(void) {
  nnrp_flow_state f;
  nnrpi_flow_init(&f, 4);
  nnrp_flow_update_meta m =
      upd(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_CONGESTION, NNRP_BACKPRESSURE_SOFT, 0, 1, 0, 0);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), 0); /* soft: surfaced, not blocking */
  CHECK_EQ(f.session.backpressure_level, NNRP_BACKPRESSURE_SOFT);
  m = upd(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_CONGESTION, 0, 0, 2, NNRP_FLOW_BACKGROUND_ONLY, 0);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), 0);
  CHECK_EQ(f.session.flags, NNRP_FLOW_BACKGROUND_ONLY);
  m = upd(NNRP_FLOW_SCOPE_CONNECTION, NNRP_FLOW_CONGESTION, NNRP_BACKPRESSURE_HARD, 0, 1, 0, 0);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), NNRP_ERR_FLOW_HARD_BACKPRESSURE);
  m = upd(NNRP_FLOW_SCOPE_CONNECTION, NNRP_FLOW_GRANT, NNRP_BACKPRESSURE_NONE, 0, 2, 0, 0);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), 0);
  m = upd(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_CONGESTION, 0, 0, 3, NNRP_FLOW_DRAIN_IN_FLIGHT_ONLY,
          0);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), NNRP_ERR_FLOW_DRAIN_ONLY);
  /* The most recent accepted update of the scope replaces the flags. */
  m = upd(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_GRANT, 0, 0, 4, 0, 0);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), 0);
}

static void test_retry_after(void) {
  nnrp_flow_state f;
  nnrpi_flow_init(&f, 4);
  const nnrp_tstamp t0 = 1000000;
  nnrp_flow_update_meta m =
      upd(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_PAUSE, 0, 0, 1, NNRP_FLOW_RETRY_AFTER_VALID, 250);
  CHECK_EQ(apply(&f, &m, t0), 1);
  CHECK_EQ(f.resume_not_before, t0 + 250 * MS);
  CHECK_EQ(nnrpi_flow_next_expiry(&f, t0), t0 + 250 * MS);
  /* Resume without a retry hint leaves the wait in place. */
  m = upd(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_RESUME, 0, 0, 2, 0, 0);
  CHECK_EQ(apply(&f, &m, t0 + 100 * MS), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, t0 + 100 * MS), NNRP_ERR_FLOW_RETRY_WAIT);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, t0 + 250 * MS - 1), NNRP_ERR_FLOW_RETRY_WAIT);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, t0 + 250 * MS), 0);
  CHECK_EQ(nnrpi_flow_next_expiry(&f, t0 + 250 * MS), NNRP_TSTAMP_NEVER);
  /* A grant with a retry hint is not restrictive: no new wait. */
  m = upd(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_GRANT, 0, 0, 3, NNRP_FLOW_RETRY_AFTER_VALID, 900);
  CHECK_EQ(apply(&f, &m, t0 + 300 * MS), 1);
  CHECK_EQ(f.resume_not_before, t0 + 250 * MS);
  /* Each restrictive kind starts a wait from its arrival: reduce, congestion, hard, drain. */
  struct {
    uint8_t reason, bp;
    uint32_t flags;
  } cases[] = {{NNRP_FLOW_REDUCE, 0, 0},
               {NNRP_FLOW_CONGESTION, 0, 0},
               {NNRP_FLOW_GRANT, NNRP_BACKPRESSURE_HARD, 0},
               {NNRP_FLOW_GRANT, 0, NNRP_FLOW_DRAIN_IN_FLIGHT_ONLY}};
  uint32_t epoch = 10;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    nnrp_tstamp now = t0 + (nnrp_tstamp)(i + 1) * 1000 * MS;
    m = upd(NNRP_FLOW_SCOPE_CONNECTION, cases[i].reason, cases[i].bp, 0, epoch++,
            NNRP_FLOW_RETRY_AFTER_VALID | cases[i].flags, 40 + (uint32_t)i);
    CHECK_EQ(apply(&f, &m, now), 1);
    CHECK_EQ(f.resume_not_before, now + (40 + i) * MS);
  }
  /* A restrictive update without retry_after_valid leaves the wait unchanged. */
  nnrp_tstamp before = f.resume_not_before;
  m = upd(NNRP_FLOW_SCOPE_CONNECTION, NNRP_FLOW_PAUSE, 0, 0, epoch++, 0, 0);
  CHECK_EQ(apply(&f, &m, t0 + 9000 * MS), 1);
  CHECK_EQ(f.resume_not_before, before);
  /* The most recent restrictive update wins even when its wait ends earlier. */
  m = upd(NNRP_FLOW_SCOPE_CONNECTION, NNRP_FLOW_REDUCE, 0, 0, epoch++, NNRP_FLOW_RETRY_AFTER_VALID,
          0);
  CHECK_EQ(apply(&f, &m, t0), 1);
  CHECK_EQ(f.resume_not_before, t0);
  /* No overflow near the end of time. */
  m = upd(NNRP_FLOW_SCOPE_CONNECTION, NNRP_FLOW_REDUCE, 0, 0, epoch++, NNRP_FLOW_RETRY_AFTER_VALID,
          0xFFFFFFFFu);
  CHECK_EQ(apply(&f, &m, NNRP_TSTAMP_NEVER - 5), 1);
  CHECK_EQ(f.resume_not_before, NNRP_TSTAMP_NEVER);
}

static void test_blocking_order(void) {
  nnrp_flow_state f;
  nnrpi_flow_init(&f, 2);
  nnrp_flow_update_meta m =
      upd(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_PAUSE, NNRP_BACKPRESSURE_HARD, 0, 1,
          NNRP_FLOW_RETRY_AFTER_VALID | NNRP_FLOW_DRAIN_IN_FLIGHT_ONLY, 10);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, 2, 0), NNRP_ERR_FLOW_PAUSED);
  m = upd(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_RESUME, NNRP_BACKPRESSURE_HARD, 0, 2,
          NNRP_FLOW_DRAIN_IN_FLIGHT_ONLY, 0);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, 2, 0), NNRP_ERR_FLOW_HARD_BACKPRESSURE);
  m = upd(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_RESUME, 0, 0, 3, NNRP_FLOW_DRAIN_IN_FLIGHT_ONLY, 0);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, 2, 0), NNRP_ERR_FLOW_DRAIN_ONLY);
  m = upd(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_RESUME, 0, 0, 4, 0, 0);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, 2, 0), NNRP_ERR_FLOW_RETRY_WAIT);
  CHECK_RC(nnrpi_flow_check_submit(&f, 2, 10 * MS), NNRP_ERR_WOULD_BLOCK);
  CHECK_RC(nnrpi_flow_check_submit(&f, 1, 10 * MS), 0);
}

static void test_scope_binding(void) {
  nnrp_flow_state f;
  nnrpi_flow_init(&f, 4);
  nnrp_flow_update_meta c = upd(NNRP_FLOW_SCOPE_CONNECTION, NNRP_FLOW_PAUSE, 0, 0, 1, 0, 0);
  nnrp_flow_update_meta s = upd(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_PAUSE, 0, 0, 1, 0, 0);
  nnrp_flow_update_meta o = upd(NNRP_FLOW_SCOPE_OPERATION, NNRP_FLOW_PAUSE, 0, 0, 1, 0, 0);
  CHECK_RC(nnrpi_flow_apply(&f, SID, SID, &c, 0), NNRP_ERR_FLOW_SESSION_BINDING);
  CHECK_RC(nnrpi_flow_apply(&f, 0, SID, &s, 0), NNRP_ERR_FLOW_SESSION_BINDING);
  CHECK_RC(nnrpi_flow_apply(&f, SID + 1, SID, &s, 0), NNRP_ERR_FLOW_SESSION_BINDING);
  CHECK_RC(nnrpi_flow_apply(&f, 0, SID, &o, 0), NNRP_ERR_FLOW_SESSION_BINDING);
  CHECK_RC(nnrpi_flow_apply(&f, SID + 1, SID, &o, 0), NNRP_ERR_FLOW_SESSION_BINDING);
  /* Nothing was recorded by the refused updates. */
  CHECK(!f.connection.seen && !f.session.seen);
  CHECK(nnrpi_flow_operation(&f, 77) == NULL);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), 0);
  CHECK_RC(nnrpi_flow_apply(&f, 0, SID, &c, 0), 1);
  CHECK_RC(nnrpi_flow_apply(&f, SID, SID, &s, 0), 1);
  CHECK_RC(nnrpi_flow_apply(&f, SID, SID, &o, 0), 1);
}

static void test_operation_scope_recorded_only(void) {
  nnrp_flow_state f;
  nnrpi_flow_init(&f, 4);
  nnrp_flow_update_meta m = upd(
      NNRP_FLOW_SCOPE_OPERATION, NNRP_FLOW_PAUSE, NNRP_BACKPRESSURE_HARD, 1, 7,
      NNRP_FLOW_CREDIT_VALID | NNRP_FLOW_RETRY_AFTER_VALID | NNRP_FLOW_DRAIN_IN_FLIGHT_ONLY, 300);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_EQ(nnrpi_flow_window(&f), 4);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), 0);
  CHECK_EQ(f.resume_not_before, 0);
  const nnrp_flow_scope_state *st = nnrpi_flow_operation(&f, 77);
  CHECK(st != NULL);
  if (st) {
    CHECK_EQ(st->credit, 1);
    CHECK(st->credit_valid && st->paused);
    CHECK_EQ(st->backpressure_level, NNRP_BACKPRESSURE_HARD);
    CHECK_EQ(st->epoch, 7);
  }
  CHECK(nnrpi_flow_operation(&f, 78) == NULL);
  CHECK(nnrpi_flow_operation(&f, 0) == NULL);
  m.credit_epoch = 7; /* repeated epoch for the same operation: dropped */
  CHECK_EQ(apply(&f, &m, 0), 0);
  /* Each operation id is its own scope; the oldest of NNRP_FLOW_OPERATIONS + 1 is forgotten. */
  for (uint64_t id = 100; id < 100 + NNRP_FLOW_OPERATIONS; id++) {
    m.operation_id = id;
    m.credit_epoch = 1;
    CHECK_EQ(apply(&f, &m, 0), 1);
  }
  CHECK(nnrpi_flow_operation(&f, 77) == NULL);
  CHECK(nnrpi_flow_operation(&f, 100) != NULL);
  CHECK(nnrpi_flow_operation(&f, 100 + NNRP_FLOW_OPERATIONS - 1) != NULL);
}

/* session.md §8.3 l1.flow_update.metadata.validation part (c). */
static void test_conformance_flow_update_session_level(void) {
  nnrp_flow_state f;
  nnrpi_flow_init(&f, 16);
  uint32_t in_flight = 0;
  /* A session-scope grant with credit_valid changes the send window. */
  nnrp_flow_update_meta m = session_credit(NNRP_FLOW_GRANT, 2, 10);
  CHECK_EQ(apply(&f, &m, 0), 1);
  while (nnrpi_flow_check_submit(&f, in_flight, 0) == 0) in_flight++;
  CHECK_EQ(in_flight, 2);
  CHECK_RC(nnrpi_flow_check_submit(&f, in_flight, 0), NNRP_ERR_WOULD_BLOCK);
  /* An older or equal epoch for the same scope is not applied. */
  m = session_credit(NNRP_FLOW_GRANT, 8, 10);
  CHECK_EQ(apply(&f, &m, 0), 0);
  m = session_credit(NNRP_FLOW_GRANT, 8, 9);
  CHECK_EQ(apply(&f, &m, 0), 0);
  CHECK_RC(nnrpi_flow_check_submit(&f, in_flight, 0), NNRP_ERR_WOULD_BLOCK);
  m = session_credit(NNRP_FLOW_GRANT, 8, 11);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, in_flight, 0), 0);
  /* A reduce below the in-flight count blocks until frames finish. */
  m = session_credit(NNRP_FLOW_REDUCE, 1, 12);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, in_flight, 0), NNRP_ERR_WOULD_BLOCK);
  CHECK_RC(nnrpi_flow_check_submit(&f, in_flight - 1, 0), NNRP_ERR_WOULD_BLOCK);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), 0);
  /* Pause blocks, resume unblocks. */
  m = upd(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_PAUSE, 0, 0, 13, 0, 0);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), NNRP_ERR_FLOW_PAUSED);
  m = upd(NNRP_FLOW_SCOPE_SESSION, NNRP_FLOW_RESUME, 0, 0, 14, 0, 0);
  CHECK_EQ(apply(&f, &m, 0), 1);
  CHECK_RC(nnrpi_flow_check_submit(&f, 0, 0), 0);
}

int main(void) {
  RUN(test_initial_window);
  RUN(test_credits_are_absolute);
  RUN(test_scopes_take_the_minimum);
  RUN(test_zero_credit_stops_like_pause);
  RUN(test_epoch_rule);
  RUN(test_epochs_are_per_scope);
  RUN(test_pause_resume);
  RUN(test_backpressure_and_flags);
  RUN(test_retry_after);
  RUN(test_blocking_order);
  RUN(test_scope_binding);
  RUN(test_operation_scope_recorded_only);
  RUN(test_conformance_flow_update_session_level);
  return TEST_REPORT();
}
