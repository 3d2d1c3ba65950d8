/* The client's send window: FLOW_UPDATE bookkeeping of session.md §4.2-§4.3. */
#include <string.h>

#include "flow.h"

void nnrpi_flow_init(nnrp_flow_state *f, uint16_t max_concurrent_frames) {
  memset(f, 0, sizeof *f);
  f->max_concurrent_frames = max_concurrent_frames;
}

/* The state of the update's scope; operation ids get a slot on first sight (oldest reused). */
static nnrp_flow_scope_state *scope_state(nnrp_flow_state *f, const nnrp_flow_update_meta *m) {
  if (m->scope_kind == NNRP_FLOW_SCOPE_CONNECTION) return &f->connection;
  if (m->scope_kind == NNRP_FLOW_SCOPE_SESSION) return &f->session;
  for (size_t i = 0; i < NNRP_FLOW_OPERATIONS; i++)
    if (f->operations[i].operation_id == m->operation_id) return &f->operations[i].state;
  nnrp_flow_operation *op = &f->operations[f->operation_next];
  f->operation_next = (f->operation_next + 1) % NNRP_FLOW_OPERATIONS;
  memset(op, 0, sizeof *op);
  op->operation_id = m->operation_id;
  return &op->state;
}

static uint16_t scope_credit(const nnrp_flow_update_meta *m) {
  switch (m->scope_kind) {
    case NNRP_FLOW_SCOPE_CONNECTION:
      return m->connection_credit;
    case NNRP_FLOW_SCOPE_SESSION:
      return m->session_credit;
    default:
      return m->operation_credit;
  }
}

/* Restrictive updates start a retry-after wait (§4.2). */
static int restrictive(const nnrp_flow_update_meta *m) {
  return m->update_reason == NNRP_FLOW_PAUSE || m->update_reason == NNRP_FLOW_REDUCE ||
         m->update_reason == NNRP_FLOW_CONGESTION ||
         m->backpressure_level == NNRP_BACKPRESSURE_HARD ||
         (m->flags & NNRP_FLOW_DRAIN_IN_FLIGHT_ONLY);
}

int nnrpi_flow_apply(nnrp_flow_state *f, uint32_t header_session_id, uint32_t session_id,
                     const nnrp_flow_update_meta *m, nnrp_tstamp now) {
  if (m->scope_kind == NNRP_FLOW_SCOPE_CONNECTION) {
    if (header_session_id != 0) return NNRP_ERR_FLOW_SESSION_BINDING;
  } else if (header_session_id == 0 || header_session_id != session_id) {
    return NNRP_ERR_FLOW_SESSION_BINDING;
  }
  nnrp_flow_scope_state *st = scope_state(f, m);
  /* Reordering under QUIC makes stale epochs legitimate: drop them without an error. */
  if (st->seen && m->credit_epoch <= st->epoch) return 0;
  st->seen = 1;
  st->epoch = m->credit_epoch;
  st->update_reason = m->update_reason;
  st->backpressure_level = m->backpressure_level;
  st->flags = m->flags;
  if (m->flags & NNRP_FLOW_CREDIT_VALID) {
    st->credit_valid = 1;
    st->credit = scope_credit(m);
  }
  if (m->update_reason == NNRP_FLOW_PAUSE) st->paused = 1;
  if (m->update_reason == NNRP_FLOW_RESUME) st->paused = 0;
  /* Operation scope is recorded only: it never touches the window or the wait. */
  if (m->scope_kind != NNRP_FLOW_SCOPE_OPERATION && (m->flags & NNRP_FLOW_RETRY_AFTER_VALID) &&
      restrictive(m)) {
    uint64_t wait = (uint64_t)m->retry_after_ms * 1000u;
    f->resume_not_before = now > NNRP_TSTAMP_NEVER - wait ? NNRP_TSTAMP_NEVER : now + wait;
  }
  return 1;
}

uint32_t nnrpi_flow_window(const nnrp_flow_state *f) {
  uint32_t w = f->max_concurrent_frames;
  if (f->session.credit_valid && f->session.credit < w) w = f->session.credit;
  if (f->connection.credit_valid && f->connection.credit < w) w = f->connection.credit;
  return w;
}

/* A granted credit of 0 is a stop signal like pause (§4.2), not a full window. */
static int stopped(const nnrp_flow_scope_state *s) {
  return s->paused || (s->credit_valid && s->credit == 0);
}

int nnrpi_flow_check_submit(const nnrp_flow_state *f, uint32_t in_flight, nnrp_tstamp now) {
  const nnrp_flow_scope_state *c = &f->connection, *s = &f->session;
  if (stopped(c) || stopped(s)) return NNRP_ERR_FLOW_PAUSED;
  if (c->backpressure_level == NNRP_BACKPRESSURE_HARD ||
      s->backpressure_level == NNRP_BACKPRESSURE_HARD)
    return NNRP_ERR_FLOW_HARD_BACKPRESSURE;
  if ((c->flags | s->flags) & NNRP_FLOW_DRAIN_IN_FLIGHT_ONLY) return NNRP_ERR_FLOW_DRAIN_ONLY;
  if (now < f->resume_not_before) return NNRP_ERR_FLOW_RETRY_WAIT;
  if (in_flight >= nnrpi_flow_window(f)) return NNRP_ERR_WOULD_BLOCK;
  return 0;
}

nnrp_tstamp nnrpi_flow_next_expiry(const nnrp_flow_state *f, nnrp_tstamp now) {
  return f->resume_not_before > now ? f->resume_not_before : NNRP_TSTAMP_NEVER;
}

const nnrp_flow_scope_state *nnrpi_flow_operation(const nnrp_flow_state *f, uint64_t operation_id) {
  if (operation_id == 0) return NULL;
  for (size_t i = 0; i < NNRP_FLOW_OPERATIONS; i++)
    if (f->operations[i].operation_id == operation_id) return &f->operations[i].state;
  return NULL;
}
