/*
 * Client frames (session §3-§4, §6): submission within the window, the in-flight table keyed
 * by (frame_id, view_id), exactly one terminal outcome per frame (result, drop labelled by the
 * latest frame hint, frame-scope ERROR, cancel, local deadline, session loss), held window
 * slots with a hard timeout, and tombstones that make late messages harmless (§3.5).
 */
#include "conn_int.h"

/* ---- outcomes, tombstones, references -------------------------------------------------------- */

int nnrpi_report(nnrp_conn *c, const nnrp_frame_outcome *o) {
  nnrp_conn_counters *k = &c->s->counters;
  switch (o->outcome) {
    case NNRP_OUTCOME_DELIVERED:
      k->frames_delivered++;
      break;
    case NNRP_OUTCOME_DROPPED:
      k->frames_dropped++;
      break;
    case NNRP_OUTCOME_REJECTED:
      k->frames_rejected++;
      break;
    case NNRP_OUTCOME_CANCELLED:
      k->frames_cancelled++;
      break;
    default:
      k->frames_expired++;
      break;
  }
  if (!c->cb.frame_closed) return 0;
  return nnrpi_cb_rc(c, c->cb.frame_closed(c, o, c->user));
}

void nnrpi_tomb_add(nnrpi_session *s, uint32_t frame_id, uint16_t view_id) {
  if (!s->tomb_cap) return;
  s->tomb[s->tomb_head].frame_id = frame_id;
  s->tomb[s->tomb_head].view_id = view_id;
  s->tomb_head = (s->tomb_head + 1) % s->tomb_cap;
  if (s->tomb_count < s->tomb_cap) s->tomb_count++;
}

int nnrpi_tomb_has(const nnrpi_session *s, uint32_t frame_id, uint16_t view_id) {
  for (uint32_t i = 0; i < s->tomb_count; i++)
    if (s->tomb[i].frame_id == frame_id && s->tomb[i].view_id == view_id) return 1;
  return 0;
}

int nnrpi_resolve_refs(nnrp_conn *c, const nnrp_data_body *b, nnrp_tstamp now, size_t *n,
                       nnrp_object_ref *failed) {
  nnrpi_session *s = c->s;
  size_t count = b->reference_count;
  *n = 0;
  if (!count) return 0;
  if (nnrpi_grow(c->mem, (void **)&s->objs, &s->objs_cap, count, sizeof(*s->objs)))
    return NNRP_ERR_NOMEM;
  const nnrp_vec *region = &b->regions[NNRP_REGION_OBJECT_REFERENCES];
  for (size_t i = 0; i < count; i++) {
    nnrp_object_ref ref;
    nnrp_object_ref_at(region, i, &ref);
    const nnrp_cache_entry *e = NULL;
    int rc =
        s->cache_ready ? nnrpi_cache_lookup(&s->cache, &ref, now, &e) : NNRP_ERR_CACHE_DISABLED;
    if (rc < 0) {
      s->counters.cache_misses++;
      *failed = ref;
      return rc;
    }
    s->counters.cache_hits++;
    nnrp_resolved_object *o = &s->objs[i];
    o->ref = ref;
    o->bytes.base = e->bytes;
    o->bytes.len = e->len;
    o->codec_bitmap = e->codec_bitmap;
    o->cache_flags = e->flags;
  }
  *n = count;
  return 0;
}

static void outcome_init(nnrp_frame_outcome *o, const nnrpi_frame *f, nnrp_outcome out,
                         nnrp_cause cause) {
  memset(o, 0, sizeof(*o));
  o->frame_id = f->frame_id;
  o->view_id = f->view_id;
  o->outcome = out;
  o->cause = cause;
  o->frame_user = f->user;
  if (f->flags & NNRPI_FR_HAS_HINT) {
    o->has_hint = 1;
    o->hint = f->hint;
  }
}

/* The frame is done: forget it, remember its key, and release the window slot. */
static void finish(nnrp_conn *c, nnrpi_frame *f) {
  nnrpi_session *s = c->s;
  if (f->frame_id > s->last_result_frame_id) s->last_result_frame_id = f->frame_id;
  nnrpi_tomb_add(s, f->frame_id, f->view_id);
  nnrpi_frametab_remove(&s->frames, f);
}

/*
 * A terminal message for a key that is not open: silent for tombstones (late, duplicate,
 * cancelled or expired keys), ERROR invalid_state (frame scope) otherwise (§3.5).
 */
static int not_open(nnrp_conn *c, const nnrp_header *h, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  if (nnrpi_tomb_has(s, h->frame_id, h->view_id) || s->state != NNRP_STATE_ACTIVE) {
    s->counters.results_discarded++;
    return 0;
  }
  s->counters.results_unknown++;
  return nnrpi_send_error(c, NNRP_ERROR_CODE_INVALID_STATE, NNRP_SCOPE_FRAME, 0, 0, h->frame_id,
                          h->view_id, h->trace_id, NNRP_ERR_FRAME_UNKNOWN, now);
}

/* A held slot (cancelled / expired locally) gets its terminal message: release it quietly. */
static int release_held(nnrp_conn *c, nnrpi_frame *f, nnrp_tstamp now) {
  c->s->counters.results_discarded++;
  finish(c, f);
  nnrpi_check_drained(c, now);
  return 0;
}

/* ---- submit, cancel -------------------------------------------------------------------------- */

int nnrp_conn_can_submit(nnrp_conn *c, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  if (c->role != NNRP_ROLE_CLIENT) return NNRP_ERR_UNSUPPORTED;
  if (s->state != NNRP_STATE_ACTIVE || s->close_sent) return NNRP_ERR_INVALID_STATE;
  if (s->frames.count >= s->frames.capacity) return NNRP_ERR_WOULD_BLOCK;
  return nnrpi_flow_check_submit(&s->flow, s->frames.count, now);
}

static int build_submit(const void *arg, nnrp_sink *sink) {
  const nnrp_frame_submit_input *in = arg;
  if (in->frame_count) {
    if (in->tile_id_count || in->section_count) return nnrp_build_frame_submit_mixed(in, sink);
    return nnrp_build_frame_submit_typed(in, sink);
  }
  return nnrp_build_frame_submit(in, sink);
}

int nnrp_conn_submit(nnrp_conn *c, const nnrp_frame_submit_input *in, uint32_t flags,
                     void *frame_user, uint32_t *frame_id, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  if (!in) return NNRP_ERR_INVALID_ARGUMENT;
  c->cb_failed = 0;
  int rc = nnrp_conn_can_submit(c, now);
  if (rc < 0) return rc;
  uint16_t view = in->packet.view_id;
  uint32_t id = in->packet.frame_id;
  if (id == 0) {
    if (s->last_frame_id == UINT32_MAX) return NNRP_ERR_FRAME_ID;
    id = s->last_frame_id + 1;
    if (id < s->floor) id = s->floor;
  } else if (id < s->floor || id < s->last_frame_id ||
             (id == s->last_frame_id &&
              (nnrpi_frametab_find(&s->frames, id, view) || nnrpi_tomb_has(s, id, view)))) {
    return NNRP_ERR_FRAME_ID;
  }
  if (view >= s->neg.ack.max_lane_count || (view < 64 && !(s->lane_mask >> view & 1)))
    return NNRP_ERR_VIEW_ID;

  nnrp_frame_submit_input x = *in;
  x.packet.session_id = s->session_id;
  x.packet.frame_id = id;
  nnrpi_pktinfo info = {nnrpi_primary_gen(c),
                        NNRP_MSG_FRAME_SUBMIT,
                        id,
                        view,
                        (flags & NNRP_SEND_NO_COPY) != 0,
                        frame_user};
  rc = nnrpi_queue(c, &info, build_submit, &x);
  if (rc < 0) return rc;

  nnrpi_frame *f = nnrpi_frametab_add(&s->frames, id, view);
  f->state = NNRP_FRAME_SUBMITTED;
  f->budget_policy = in->budget_policy;
  f->frame_class = in->frame_class;
  f->loss_tolerance = in->loss_tolerance_policy;
  f->dependency_frame_id = in->dependency_frame_id;
  f->start = now;
  f->user = frame_user;
  /* §3.8: the frame's budget, else the accepted session value, else the hello value. */
  uint32_t budget = in->latency_budget_ms          ? in->latency_budget_ms
                    : s->neg.ack.latency_budget_ms ? s->neg.ack.latency_budget_ms
                                                   : s->neg.hello.latency_budget_ms;
  f->deadline = budget ? nnrpi_add_ms(now, budget) : NNRP_TSTAMP_NEVER;
  nnrpi_frames_touch(s, f->deadline);
  s->last_frame_id = id;
  s->last_send = now;
  s->counters.frames_submitted++;
  if (frame_id) *frame_id = id;
  return 0;
}

int nnrp_conn_cancel(nnrp_conn *c, uint32_t frame_id, uint16_t view_id, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  if (c->role != NNRP_ROLE_CLIENT) return NNRP_ERR_UNSUPPORTED;
  c->cb_failed = 0;
  nnrpi_frame *f = nnrpi_frametab_find(&s->frames, frame_id, view_id);
  if (!f || (f->flags & NNRPI_FR_HELD)) return NNRP_ERR_FRAME_UNKNOWN;
  int rc = nnrpi_send_simple(c, NNRP_MSG_FRAME_CANCEL, s->session_id, frame_id, view_id, 0, 0);
  if (rc < 0) return rc;
  s->last_send = now;
  /* §3.6: CANCELLED now; the slot is held until a terminal message or the hard timeout. */
  nnrp_tstamp base = f->deadline != NNRP_TSTAMP_NEVER ? f->deadline : now;
  f->hold_until = nnrpi_add_ms(base, c->settings.drain_timeout_ms);
  f->deadline = NNRP_TSTAMP_NEVER;
  f->state = NNRP_FRAME_CANCELLED;
  f->flags |= NNRPI_FR_HELD;
  nnrpi_frames_touch(s, f->hold_until);
  nnrp_frame_outcome o;
  outcome_init(&o, f, NNRP_OUTCOME_CANCELLED, NNRP_CAUSE_CANCEL);
  nnrpi_report(c, &o);
  return c->cb_failed ? NNRP_ERR_CALLBACK : 0;
}

/* ---- terminal messages ----------------------------------------------------------------------- */

int nnrpi_client_result(nnrp_conn *c, const nnrp_packet *p, uint32_t path, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  const nnrp_header *h = &p->header;
  const nnrp_result_push_meta *m = &p->meta.result_push;
  nnrpi_frame *f = nnrpi_frametab_find(&s->frames, h->frame_id, h->view_id);
  if (!f) return not_open(c, h, now);
  if (f->flags & NNRPI_FR_HELD) return release_held(c, f, now);

  nnrp_frame_outcome o;
  size_t nobj = 0;
  nnrp_object_ref miss;
  int rc = nnrpi_resolve_refs(c, &p->data, now, &nobj, &miss);
  if (rc == NNRP_ERR_NOMEM) return rc;
  if (rc < 0) {
    /* §5.5 result side: no silent fallback. */
    outcome_init(&o, f, NNRP_OUTCOME_DROPPED, NNRP_CAUSE_LOCAL_ERROR);
    o.local_error = rc;
    finish(c, f);
    int e = nnrpi_send_error(c, nnrp_err_protocol_code(rc), NNRP_SCOPE_FRAME, 0, 0, h->frame_id,
                             h->view_id, h->trace_id, rc, now);
    if (e < 0) return e;
    nnrpi_report(c, &o);
    nnrpi_check_drained(c, now);
    return 0;
  }

  nnrp_result r;
  memset(&r, 0, sizeof(r));
  r.session_id = h->session_id;
  r.frame_id = h->frame_id;
  r.view_id = h->view_id;
  r.route_id = h->route_id;
  r.trace_id = h->trace_id;
  r.header_flags = h->flags;
  r.packet = p;
  r.meta = m;
  r.budget_policy = f->budget_policy;
  if (m->applied_budget_policy & ~f->budget_policy)
    r.policy_violation |= NNRP_VIOLATION_BUDGET_POLICY;
  if (m->payload_kind_bitmap & ~s->neg.ack.accepted_payload_kind_bitmap)
    r.policy_violation |= NNRP_VIOLATION_PAYLOAD_KIND;
  r.latency_us = now - f->start;
  r.objects = s->objs;
  r.object_count = nobj;
  r.raw.base = p->metadata.base - NNRP_HEADER_LEN;
  r.raw.len = p->packet_len;
  r.frame_user = f->user;
  r.path = path;
  outcome_init(&o, f, NNRP_OUTCOME_DELIVERED, NNRP_CAUSE_PEER);
  o.result_class = m->result_class;
  /* Forget the frame before the callbacks: they may submit or cancel. */
  finish(c, f);
  if (c->cb.recv_result) nnrpi_cb_rc(c, c->cb.recv_result(c, &r, c->user));
  nnrpi_report(c, &o);
  nnrpi_check_drained(c, now);
  return 0;
}

int nnrpi_client_drop(nnrp_conn *c, const nnrp_header *h, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  nnrpi_frame *f = nnrpi_frametab_find(&s->frames, h->frame_id, h->view_id);
  if (!f) return not_open(c, h, now);
  if (f->flags & NNRPI_FR_HELD) return release_held(c, f, now);
  nnrp_frame_outcome o;
  outcome_init(&o, f, NNRP_OUTCOME_DROPPED, NNRP_CAUSE_PEER);
  /* §4.6: labelled by the latest frame hint, best effort. */
  if (o.has_hint && o.hint.reason <= NNRP_HINT_REASON_MAX)
    o.reason = (nnrp_drop_reason)o.hint.reason;
  finish(c, f);
  nnrpi_report(c, &o);
  nnrpi_check_drained(c, now);
  return 0;
}

int nnrpi_client_bad_result(nnrp_conn *c, const nnrp_header *h, int err, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  uint32_t code = nnrp_err_protocol_code(err);
  int rc = nnrpi_send_error(c, code ? code : NNRP_ERROR_CODE_MALFORMED_BODY, NNRP_SCOPE_FRAME, 0, 0,
                            h->frame_id, h->view_id, h->trace_id, err, now);
  if (rc < 0) return rc;
  nnrpi_frame *f = nnrpi_frametab_find(&s->frames, h->frame_id, h->view_id);
  if (!f) return 0;
  if (f->flags & NNRPI_FR_HELD) return release_held(c, f, now);
  nnrp_frame_outcome o;
  outcome_init(&o, f, NNRP_OUTCOME_DROPPED, NNRP_CAUSE_LOCAL_ERROR);
  o.local_error = err;
  finish(c, f);
  nnrpi_report(c, &o);
  nnrpi_check_drained(c, now);
  return 0;
}

int nnrpi_client_frame_error(nnrp_conn *c, const nnrp_error_meta *m, nnrp_vec diag,
                             nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  if (m->related_view_id > UINT16_MAX) return 0;
  nnrpi_frame *f =
      nnrpi_frametab_find(&s->frames, m->related_frame_id, (uint16_t)m->related_view_id);
  if (!f) return 0;
  if (f->flags & NNRPI_FR_HELD) {
    release_held(c, f, now);
    return 1;
  }
  nnrp_outcome out = NNRP_OUTCOME_REJECTED;
  if (m->error_code == NNRP_ERROR_CODE_FRAME_EXPIRED) out = NNRP_OUTCOME_EXPIRED;
  if (m->error_code == NNRP_ERROR_CODE_FRAME_CANCELLED) out = NNRP_OUTCOME_CANCELLED;
  nnrp_frame_outcome o;
  outcome_init(&o, f, out, NNRP_CAUSE_PEER);
  o.error_code = m->error_code;
  o.error_scope = m->error_scope;
  o.retry_after_ms = m->retry_after_ms;
  o.diagnostic = diag;
  if (o.has_hint && o.hint.reason <= NNRP_HINT_REASON_MAX)
    o.reason = (nnrp_drop_reason)o.hint.reason;
  finish(c, f);
  nnrpi_report(c, &o);
  nnrpi_check_drained(c, now);
  return 1;
}

void nnrpi_client_hint(nnrp_conn *c, const nnrp_header *h, const nnrp_result_hint_meta *m) {
  nnrpi_session *s = c->s;
  s->counters.hints_received++;
  if (h->frame_id == 0) {
    s->has_session_hint = 1;
    s->session_hint = *m;
  } else {
    nnrpi_frame *f = nnrpi_frametab_find(&s->frames, h->frame_id, h->view_id);
    if (f) {
      f->hint = *m;
      f->flags |= NNRPI_FR_HAS_HINT;
    }
  }
  if (c->cb.recv_result_hint) nnrpi_cb_rc(c, c->cb.recv_result_hint(c, h, m, c->user));
}

/* ---- deadlines (§3.8) ------------------------------------------------------------------------ */

int nnrpi_client_frames_expire(nnrp_conn *c, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  nnrpi_frametab *t = &s->frames;
  for (uint32_t i = 0; i < t->capacity; i++) {
    nnrpi_frame *f = &t->recs[i];
    if (!(f->flags & NNRPI_FR_IN_USE)) continue;
    if (f->flags & NNRPI_FR_HELD) {
      if (f->hold_until <= now) { /* hard timeout: the slot is free, the key a tombstone */
        nnrpi_tomb_add(s, f->frame_id, f->view_id);
        nnrpi_frametab_remove(t, f);
      }
      continue;
    }
    if (f->deadline > now) continue;
    nnrp_frame_outcome o;
    outcome_init(&o, f, NNRP_OUTCOME_EXPIRED, NNRP_CAUSE_DEADLINE);
    o.local_error = NNRP_ERR_TIMEOUT;
    f->hold_until = nnrpi_add_ms(f->deadline, c->settings.drain_timeout_ms);
    f->deadline = NNRP_TSTAMP_NEVER;
    f->state = NNRP_FRAME_EXPIRED;
    f->flags |= NNRPI_FR_HELD;
    nnrpi_report(c, &o);
  }
  s->frames_dirty = 1;
  nnrpi_check_drained(c, now);
  return 0;
}
