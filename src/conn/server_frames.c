/*
 * Server frames (session §3-§4, §6): admission of FRAME_SUBMIT (frame id, lanes, dependency
 * and retry rules, payload kinds, load, cache references), the terminal messages the host
 * sends through the engine (RESULT_PUSH with its coverage and budget checks, RESULT_HINT +
 * RESULT_DROP), FRAME_CANCEL, budget deadlines and the supersede policy.
 */
#include "conn_int.h"

static uint8_t effective_loss(const nnrpi_session *s, const nnrp_frame_submit_meta *m) {
  uint8_t l = m->loss_tolerance_policy == NNRP_LOSS_INHERIT ? s->neg.loss_tolerance
                                                            : m->loss_tolerance_policy;
  /* §3.9 choice: a fire-and-forget keyframe is processed as best effort. */
  if (l == NNRP_LOSS_FIRE_AND_FORGET && m->frame_class == NNRP_FRAME_KEYFRAME)
    l = NNRP_LOSS_BEST_EFFORT;
  return l;
}

/* §3.9: a drop before the deadline needs the client's consent. */
static int droppable(const nnrpi_frame *f) {
  return (f->budget_policy & NNRP_BUDGET_ALLOW_DROP) || f->frame_class == NNRP_FRAME_DISCARDABLE ||
         f->loss_tolerance == NNRP_LOSS_LOW_LATENCY ||
         f->loss_tolerance == NNRP_LOSS_FIRE_AND_FORGET;
}

static int depended_on(const nnrpi_session *s, const nnrpi_frame *f) {
  const nnrpi_frametab *t = &s->frames;
  for (uint32_t i = 0; i < t->capacity; i++) {
    const nnrpi_frame *g = &t->recs[i];
    if ((g->flags & NNRPI_FR_IN_USE) && g != f && g->view_id == f->view_id &&
        g->dependency_frame_id == f->frame_id)
      return 1;
  }
  return 0;
}

/* Was (id, view) admitted in this session?  Exact for recent keys; older keys on a view are
 * assumed seen when they lie below everything the ring still remembers for it. */
static int key_seen(const nnrpi_session *s, uint32_t id, uint16_t view) {
  if (view >= s->view_count || id == 0 || id > s->view_high[view]) return 0;
  if (nnrpi_frametab_find(&s->frames, id, view)) return 1;
  uint32_t oldest = UINT32_MAX;
  for (uint32_t i = 0; i < s->recent_count; i++) {
    const nnrpi_key *k = &s->recent[i];
    if (k->view_id != view) continue;
    if (k->frame_id == id) return 1;
    if (k->frame_id < oldest) oldest = k->frame_id;
  }
  return s->recent_count == NNRPI_RECENT && id < oldest;
}

typedef struct hint_arg {
  nnrp_packet_params p;
  nnrp_result_hint_meta m;
} hint_arg;

static int build_hint(const void *arg, nnrp_sink *sink) {
  const hint_arg *a = arg;
  return nnrp_build_result_hint(&a->p, &a->m, sink);
}

static int queue_hint(nnrp_conn *c, uint32_t frame_id, uint16_t view_id,
                      const nnrp_result_hint_meta *m, uint64_t trace) {
  hint_arg a;
  memset(&a, 0, sizeof(a));
  a.p.session_id = c->s->session_id;
  a.p.frame_id = frame_id;
  a.p.view_id = view_id;
  a.p.trace_id = trace;
  a.m = *m;
  nnrpi_pktinfo info = {nnrpi_primary_gen(c), NNRP_MSG_RESULT_HINT, frame_id, view_id, 0, NULL};
  int rc = nnrpi_queue(c, &info, build_hint, &a);
  if (rc == 0) c->s->counters.hints_sent++;
  return rc;
}

static int reason_hint(nnrp_conn *c, uint32_t frame_id, uint16_t view_id, nnrp_drop_reason r,
                       uint32_t retry, uint64_t trace) {
  nnrp_result_hint_meta m;
  memset(&m, 0, sizeof(m));
  m.reason = (uint32_t)r;
  m.retry_after_ms = retry;
  if (r == NNRP_DROP_BUDGET_EXCEEDED || r == NNRP_DROP_SUPERSEDED) m.applied_budget_policy = 4;
  if (r == NNRP_DROP_QUEUE_FULL) m.congestion_state = 2; /* elevated */
  if (r == NNRP_DROP_SERVER_BUSY) m.congestion_state = 3;
  return queue_hint(c, frame_id, view_id, &m, trace);
}

/* End an open frame with (hint +) RESULT_DROP and report it to the host. */
static int server_end(nnrp_conn *c, nnrpi_frame *f, nnrp_drop_reason reason, uint32_t retry,
                      nnrp_outcome out, nnrp_cause cause, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  int rc = 0;
  if (reason != NNRP_DROP_UNKNOWN && reason != NNRP_DROP_MIGRATION)
    rc = reason_hint(c, f->frame_id, f->view_id, reason, retry, 0);
  if (rc == 0)
    rc = nnrpi_send_simple(c, NNRP_MSG_RESULT_DROP, s->session_id, f->frame_id, f->view_id, 0, 0);
  if (rc < 0) return rc;
  s->last_send = now;
  nnrp_frame_outcome o;
  memset(&o, 0, sizeof(o));
  o.frame_id = f->frame_id;
  o.view_id = f->view_id;
  o.outcome = out;
  o.cause = cause;
  o.reason = reason;
  o.frame_user = f->user;
  nnrpi_frametab_remove(&s->frames, f);
  nnrpi_report(c, &o);
  nnrpi_check_drained(c, now);
  return 0;
}

static int reject(nnrp_conn *c, const nnrp_header *h, uint32_t code, int err, uint32_t retry,
                  nnrp_tstamp now) {
  return nnrpi_send_error(c, code, NNRP_SCOPE_FRAME, 0, retry, h->frame_id, h->view_id, h->trace_id,
                          err, now);
}

/* U16: drop older queued droppable frames of the view the new frame does not depend on. */
static int supersede(nnrp_conn *c, const nnrpi_frame *nf, nnrp_tstamp now) {
  nnrpi_frametab *t = &c->s->frames;
  for (uint32_t i = 0; i < t->capacity; i++) {
    nnrpi_frame *f = &t->recs[i];
    if (!(f->flags & NNRPI_FR_IN_USE) || f == nf || f->view_id != nf->view_id) continue;
    if (f->state != NNRP_FRAME_SUBMITTED || f->frame_id >= nf->frame_id || !droppable(f)) continue;
    if (nf->dependency_frame_id == f->frame_id || depended_on(c->s, f)) continue;
    int rc =
        server_end(c, f, NNRP_DROP_SUPERSEDED, 0, NNRP_OUTCOME_DROPPED, NNRP_CAUSE_SUPERSEDED, now);
    if (rc < 0) return rc;
  }
  return 0;
}

/* Shed one queued droppable frame to make room (§3.4 last choice). */
static int shed_one(nnrp_conn *c, nnrp_tstamp now) {
  nnrpi_frametab *t = &c->s->frames;
  for (uint32_t i = 0; i < t->capacity; i++) {
    nnrpi_frame *f = &t->recs[i];
    if (!(f->flags & NNRPI_FR_IN_USE) || f->state != NNRP_FRAME_SUBMITTED || !droppable(f) ||
        depended_on(c->s, f))
      continue;
    int rc =
        server_end(c, f, NNRP_DROP_SUPERSEDED, 0, NNRP_OUTCOME_DROPPED, NNRP_CAUSE_SUPERSEDED, now);
    return rc < 0 ? rc : 1;
  }
  return 0;
}

int nnrpi_server_submit(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  const nnrp_header *h = &p->header;
  const nnrp_frame_submit_meta *m = &p->meta.frame_submit;
  const nnrp_server_settings *v = &c->settings.server;
  uint16_t view = h->view_id;
  int rc;

  /* §3.1: ids and lanes. */
  if (h->frame_id == 0)
    return reject(c, h, NNRP_ERROR_CODE_INVALID_STATE, NNRP_ERR_FRAME_ID, 0, now);
  if (view >= s->view_count || (view < 64 && !(s->lane_mask >> view & 1)))
    return reject(c, h, NNRP_ERROR_CODE_LIMIT_EXCEEDED, NNRP_ERR_VIEW_ID, 0, now);
  if (h->frame_id <= s->view_high[view])
    return reject(c, h, NNRP_ERROR_CODE_INVALID_STATE, NNRP_ERR_FRAME_ID, 0, now);
  /* §3.7: dependency and retry name earlier keys of the view. */
  uint32_t dep = m->dependency_frame_id, retry = m->retry_of_frame;
  if ((dep && (dep >= h->frame_id || !key_seen(s, dep, view))) ||
      (retry && (retry == h->frame_id || !key_seen(s, retry, view))))
    return reject(c, h, NNRP_ERROR_CODE_INVALID_STATE, NNRP_ERR_FRAME_DEPENDENCY, 0, now);
  if (m->payload_kind_bitmap & ~s->neg.ack.accepted_payload_kind_bitmap)
    return reject(c, h, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY, NNRP_ERR_PAYLOAD_KIND, 0, now);
  if (s->busy) {
    rc = reason_hint(c, h->frame_id, view, NNRP_DROP_SERVER_BUSY, s->busy_retry_after_ms,
                     h->trace_id);
    if (rc < 0) return rc;
    return reject(c, h, NNRP_ERROR_CODE_SERVER_BUSY, NNRP_ERR_SERVER_BUSY, s->busy_retry_after_ms,
                  now);
  }
  /* §5.5: references resolve at admission; a miss is never a silent fallback. */
  size_t nobj = 0;
  nnrp_object_ref miss;
  rc = nnrpi_resolve_refs(c, &p->data, now, &nobj, &miss);
  if (rc == NNRP_ERR_NOMEM) return rc;
  if (rc < 0) return reject(c, h, nnrp_err_protocol_code(rc), rc, 0, now);
  /* §3.4: window and granted credit. */
  uint32_t limit = v->max_concurrent_frames;
  if (limit > s->frames.capacity) limit = s->frames.capacity; /* an adopted session's table */
  if (s->credit_valid && s->credit < limit) limit = s->credit;
  if (s->paused_sent) limit = 0;
  while (s->frames.count >= limit) {
    rc = (v->supersede && limit) ? shed_one(c, now) : 0;
    if (rc < 0) return rc;
    if (rc == 0) {
      rc = reason_hint(c, h->frame_id, view, NNRP_DROP_QUEUE_FULL, 0, h->trace_id);
      if (rc < 0) return rc;
      return reject(c, h, NNRP_ERROR_CODE_LIMIT_EXCEEDED, NNRP_ERR_LIMIT, 0, now);
    }
  }

  /* Admitted. */
  s->view_high[view] = h->frame_id;
  s->recent[s->recent_head].frame_id = h->frame_id;
  s->recent[s->recent_head].view_id = view;
  s->recent_head = (s->recent_head + 1) % NNRPI_RECENT;
  if (s->recent_count < NNRPI_RECENT) s->recent_count++;
  if (h->frame_id > s->highest_admitted) s->highest_admitted = h->frame_id;
  nnrpi_frame *f = nnrpi_frametab_add(&s->frames, h->frame_id, view);
  f->state = NNRP_FRAME_SUBMITTED;
  f->budget_policy = m->budget_policy;
  f->frame_class = m->frame_class;
  f->loss_tolerance = effective_loss(s, m);
  f->dependency_frame_id = dep;
  f->start = now;
  uint32_t budget = m->latency_budget_ms           ? m->latency_budget_ms
                    : s->neg.ack.latency_budget_ms ? s->neg.ack.latency_budget_ms
                                                   : s->neg.hello.latency_budget_ms;
  f->deadline = budget ? nnrpi_add_ms(now, budget) : NNRP_TSTAMP_NEVER;
  nnrpi_frames_touch(s, f->deadline);
  s->counters.frames_submitted++;

  nnrp_submit sub;
  memset(&sub, 0, sizeof(sub));
  sub.frame_id = h->frame_id;
  sub.view_id = view;
  sub.packet = p;
  sub.meta = m;
  sub.loss_tolerance = f->loss_tolerance;
  sub.budget_ms = (uint16_t)budget;
  sub.deadline = f->deadline;
  sub.objects = s->objs;
  sub.object_count = nobj;
  sub.raw.base = p->metadata.base - NNRP_HEADER_LEN;
  sub.raw.len = p->packet_len;

  /* A retry supersedes its original (§3.7); U16 supersedes older queued frames. */
  if (retry) {
    nnrpi_frame *orig = nnrpi_frametab_find(&s->frames, retry, view);
    if (orig) {
      rc = server_end(c, orig, NNRP_DROP_SUPERSEDED, 0, NNRP_OUTCOME_DROPPED, NNRP_CAUSE_SUPERSEDED,
                      now);
      if (rc < 0) return rc;
    }
  }
  if (v->supersede) {
    rc = supersede(c, nnrpi_frametab_find(&s->frames, h->frame_id, view), now);
    if (rc < 0) return rc;
  }
  if (c->cb.recv_submit) nnrpi_cb_rc(c, c->cb.recv_submit(c, &sub, c->user));
  f = nnrpi_frametab_find(&s->frames, h->frame_id, view);
  if (f && v->auto_start && f->state == NNRP_FRAME_SUBMITTED) f->state = NNRP_FRAME_PROCESSING;
  return 0;
}

int nnrpi_server_cancel(nnrp_conn *c, const nnrp_header *h, nnrp_tstamp now) {
  nnrpi_frame *f = nnrpi_frametab_find(&c->s->frames, h->frame_id, h->view_id);
  /* §3.6: unknown or terminal keys are a hint only; a READY frame gets its result. */
  if (!f || f->state == NNRP_FRAME_READY) return 0;
  return server_end(c, f, NNRP_DROP_UNKNOWN, 0, NNRP_OUTCOME_CANCELLED, NNRP_CAUSE_CANCEL, now);
}

int nnrpi_server_frames_expire(nnrp_conn *c, nnrp_tstamp now) {
  nnrpi_frametab *t = &c->s->frames;
  for (uint32_t i = 0; i < t->capacity; i++) {
    nnrpi_frame *f = &t->recs[i];
    if (!(f->flags & NNRPI_FR_IN_USE) || f->deadline > now) continue;
    /* §3.8 / §4.6: RESULT_HINT budget_exceeded, then RESULT_DROP; EXPIRED here. */
    int rc = server_end(c, f, NNRP_DROP_BUDGET_EXCEEDED, 0, NNRP_OUTCOME_EXPIRED,
                        NNRP_CAUSE_DEADLINE, now);
    if (rc < 0) return rc;
  }
  c->s->frames_dirty = 1;
  return 0;
}

void nnrpi_server_drop_all(nnrp_conn *c, nnrp_cause cause, nnrp_tstamp now) {
  nnrpi_frametab *t = &c->s->frames;
  for (uint32_t i = 0; i < t->capacity && t->count; i++) {
    nnrpi_frame *f = &t->recs[i];
    if (f->flags & NNRPI_FR_IN_USE)
      server_end(c, f, NNRP_DROP_UNKNOWN, 0, NNRP_OUTCOME_DROPPED, cause, now);
  }
}

/* ---- the host's side ------------------------------------------------------------------------- */

static nnrpi_frame *open_frame(nnrp_conn *c, uint32_t frame_id, uint16_t view_id) {
  if (c->role != NNRP_ROLE_SERVER || c->s->retired) return NULL;
  return nnrpi_frametab_find(&c->s->frames, frame_id, view_id);
}

static int build_result(const void *arg, nnrp_sink *sink) {
  const nnrp_result_push_input *in = arg;
  if (in->frame_count) {
    if (in->tile_id_count || in->section_count) return nnrp_build_result_push_mixed(in, sink);
    return nnrp_build_result_push_typed(in, sink);
  }
  return nnrp_build_result_push(in, sink);
}

int nnrp_conn_send_result(nnrp_conn *c, const nnrp_result_push_input *in, uint32_t flags,
                          nnrp_tstamp now) {
  if (!in) return NNRP_ERR_INVALID_ARGUMENT;
  nnrpi_session *s = c->s;
  c->cb_failed = 0;
  nnrpi_frame *f = open_frame(c, in->packet.frame_id, in->packet.view_id);
  if (!f) return NNRP_ERR_FRAME_UNKNOWN;
  if (in->applied_budget_policy & ~f->budget_policy) return NNRP_ERR_BUDGET_POLICY;
  if (in->payload_kind_bitmap & ~s->neg.ack.accepted_payload_kind_bitmap)
    return NNRP_ERR_PAYLOAD_KIND;
  nnrp_result_push_input x = *in;
  x.packet.session_id = s->session_id;
  nnrpi_pktinfo info = {nnrpi_primary_gen(c),
                        NNRP_MSG_RESULT_PUSH,
                        f->frame_id,
                        f->view_id,
                        (flags & NNRP_SEND_NO_COPY) != 0,
                        f->user};
  int rc = nnrpi_queue(c, &info, build_result, &x); /* the builders enforce coverage */
  if (rc < 0) return rc;
  s->last_send = now;
  nnrp_frame_outcome o;
  memset(&o, 0, sizeof(o));
  o.frame_id = f->frame_id;
  o.view_id = f->view_id;
  o.outcome = NNRP_OUTCOME_DELIVERED;
  o.cause = NNRP_CAUSE_HOST;
  o.result_class = in->result_class;
  o.frame_user = f->user;
  nnrpi_frametab_remove(&s->frames, f);
  nnrpi_report(c, &o);
  nnrpi_check_drained(c, now);
  return c->cb_failed ? NNRP_ERR_CALLBACK : 0;
}

int nnrp_conn_send_drop(nnrp_conn *c, uint32_t frame_id, uint16_t view_id, nnrp_drop_reason reason,
                        uint32_t retry_after_ms, nnrp_tstamp now) {
  c->cb_failed = 0;
  nnrpi_frame *f = open_frame(c, frame_id, view_id);
  if (!f) return NNRP_ERR_FRAME_UNKNOWN;
  if ((unsigned)reason > NNRP_DROP_SUPERSEDED) return NNRP_ERR_INVALID_ARGUMENT;
  int rc = server_end(c, f, reason, retry_after_ms, NNRP_OUTCOME_DROPPED, NNRP_CAUSE_HOST, now);
  if (rc < 0) return rc;
  return c->cb_failed ? NNRP_ERR_CALLBACK : 0;
}

int nnrp_conn_send_hint(nnrp_conn *c, uint32_t frame_id, uint16_t view_id,
                        const nnrp_result_hint_meta *m, nnrp_tstamp now) {
  if (c->role != NNRP_ROLE_SERVER) return NNRP_ERR_UNSUPPORTED;
  if (!m) return NNRP_ERR_INVALID_ARGUMENT;
  nnrp_session_state st = c->s->state;
  if (st != NNRP_STATE_ACTIVE && st != NNRP_STATE_DRAINING) return NNRP_ERR_INVALID_STATE;
  int rc = queue_hint(c, frame_id, view_id, m, 0);
  if (rc == 0) c->s->last_send = now;
  return rc;
}

int nnrp_conn_frame_start(nnrp_conn *c, uint32_t frame_id, uint16_t view_id) {
  nnrpi_frame *f = open_frame(c, frame_id, view_id);
  if (!f) return NNRP_ERR_FRAME_UNKNOWN;
  if (f->state != NNRP_FRAME_SUBMITTED) return NNRP_ERR_INVALID_STATE;
  f->state = NNRP_FRAME_PROCESSING;
  return 0;
}

int nnrp_conn_frame_ready(nnrp_conn *c, uint32_t frame_id, uint16_t view_id) {
  nnrpi_frame *f = open_frame(c, frame_id, view_id);
  if (!f) return NNRP_ERR_FRAME_UNKNOWN;
  f->state = NNRP_FRAME_READY;
  return 0;
}

int nnrp_conn_set_busy(nnrp_conn *c, int busy, uint32_t retry_after_ms, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  if (c->role != NNRP_ROLE_SERVER) return NNRP_ERR_UNSUPPORTED;
  int was = s->busy;
  s->busy = busy != 0;
  s->busy_retry_after_ms = retry_after_ms;
  s->patch_pol.busy = s->busy;
  s->patch_pol.busy_retry_after_ms = retry_after_ms;
  if (s->state != NNRP_STATE_ACTIVE || was == s->busy) return 0;
  nnrp_flow_update_meta m;
  memset(&m, 0, sizeof(m));
  m.scope_kind = NNRP_FLOW_SCOPE_SESSION;
  if (s->busy) {
    m.update_reason = NNRP_FLOW_PAUSE;
    m.backpressure_level = NNRP_BACKPRESSURE_HARD;
    if (retry_after_ms) {
      m.flags = NNRP_FLOW_RETRY_AFTER_VALID;
      m.retry_after_ms = retry_after_ms;
    }
  } else {
    m.update_reason = NNRP_FLOW_RESUME;
  }
  return nnrp_conn_send_flow_update(c, &m, now);
}
