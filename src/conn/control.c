/*
 * Control messages of an ACTIVE session: ERROR handling (session §2.6), FLOW_UPDATE (§4.3-§4.4),
 * SESSION_PATCH / _ACK (§2.5), the object cache messages in both directions (§5.3-§5.4) and
 * PING / PONG (§2.7).
 */
#include "conn_int.h"

static int active(const nnrp_conn *c) {
  return c->s->state == NNRP_STATE_ACTIVE && !c->s->close_sent;
}

/* ---- ERROR (§2.6) ---------------------------------------------------------------------------- */

int nnrpi_recv_error(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  const nnrp_error_meta *m = &p->meta.error;
  s->last_recv.valid = 1;
  s->last_recv.local_error = 0;
  s->last_recv.meta = *m;
  s->last_recv.trace_id = p->header.trace_id;
  s->counters.errors_received++;
  if (s->state == NNRP_STATE_INIT || s->state == NNRP_STATE_NEGOTIATING) {
    nnrpi_set_state(c, NNRP_STATE_CLOSED, NNRP_CLOSE_ERROR_RECEIVED, NNRP_ERR_PEER_ERROR);
  } else {
    if (m->error_scope == NNRP_SCOPE_FRAME && c->role == NNRP_ROLE_CLIENT)
      nnrpi_client_frame_error(c, m, p->body, now);
    else if (m->error_scope == NNRP_SCOPE_SESSION && !m->is_fatal && s->patch_pending)
      nnrpi_patch_fail(c, NNRP_ERR_PEER_ERROR);
    /* The is_fatal field, not the code, decides. */
    if (m->is_fatal) {
      s->fatal_seen = 1;
      if (s->state == NNRP_STATE_ACTIVE)
        nnrpi_begin_drain(c, now);
      else
        nnrpi_check_drained(c, now);
    }
  }
  if (c->cb.recv_error) nnrpi_cb_rc(c, c->cb.recv_error(c, m, p->body, c->user));
  return 0;
}

/* ---- FLOW_UPDATE ----------------------------------------------------------------------------- */

int nnrpi_recv_flow_update(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  const nnrp_header *h = &p->header;
  const nnrp_flow_update_meta *m = &p->meta.flow_update;
  int applied = 1;
  if (c->role == NNRP_ROLE_CLIENT) {
    int rc = nnrpi_flow_apply(&s->flow, h->session_id, s->session_id, m, now);
    if (rc < 0)
      return nnrpi_send_error(c, NNRP_ERROR_CODE_INVALID_STATE, NNRP_SCOPE_SESSION, 0, 0, 0, 0,
                              h->trace_id, rc, now);
    applied = rc;
  } else {
    /* §4.4: advisory for the server; only the binding is checked. */
    uint32_t want = m->scope_kind == NNRP_FLOW_SCOPE_CONNECTION ? 0 : s->session_id;
    if (h->session_id != want)
      return nnrpi_send_error(c, NNRP_ERROR_CODE_INVALID_STATE, NNRP_SCOPE_SESSION, 0, 0, 0, 0,
                              h->trace_id, NNRP_ERR_FLOW_SESSION_BINDING, now);
  }
  if (applied)
    s->counters.flow_updates_applied++;
  else
    s->counters.flow_updates_stale++;
  if (c->cb.recv_flow_update) nnrpi_cb_rc(c, c->cb.recv_flow_update(c, h, m, applied, c->user));
  return 0;
}

typedef struct flow_arg {
  nnrp_packet_params p;
  nnrp_flow_update_meta m;
} flow_arg;

static int build_flow(const void *arg, nnrp_sink *sink) {
  const flow_arg *a = arg;
  return nnrp_build_flow_update(&a->p, &a->m, sink);
}

int nnrp_conn_send_flow_update(nnrp_conn *c, const nnrp_flow_update_meta *m, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  if (!m || m->scope_kind > NNRP_FLOW_SCOPE_OPERATION) return NNRP_ERR_INVALID_ARGUMENT;
  if (s->state != NNRP_STATE_ACTIVE) return NNRP_ERR_INVALID_STATE;
  flow_arg a;
  memset(&a, 0, sizeof(a));
  a.m = *m;
  uint32_t *epoch = &s->epoch_sent[m->scope_kind];
  if (a.m.credit_epoch == 0) a.m.credit_epoch = *epoch + 1;
  a.p.session_id = m->scope_kind == NNRP_FLOW_SCOPE_CONNECTION ? 0 : s->session_id;
  nnrpi_pktinfo info = {nnrpi_primary_gen(c), NNRP_MSG_FLOW_UPDATE, 0, 0, 0, NULL};
  int rc = nnrpi_queue(c, &info, build_flow, &a);
  if (rc < 0) return rc;
  if (a.m.credit_epoch > *epoch) *epoch = a.m.credit_epoch;
  s->last_send = now;
  if (c->role == NNRP_ROLE_SERVER && m->scope_kind == NNRP_FLOW_SCOPE_SESSION) {
    if (m->flags & NNRP_FLOW_CREDIT_VALID) {
      s->credit_valid = 1;
      s->credit = m->session_credit;
    }
    if (m->update_reason == NNRP_FLOW_PAUSE) s->paused_sent = 1;
    if (m->update_reason == NNRP_FLOW_RESUME) s->paused_sent = 0;
  }
  return 0;
}

/* ---- SESSION_PATCH (§2.5) -------------------------------------------------------------------- */

typedef struct patch_arg {
  nnrp_packet_params p;
  nnrp_session_patch_meta m;
  nnrp_session_patch_ack_meta a;
  const nnrp_profile_patch *clamp;
} patch_arg;

static int build_patch(const void *arg, nnrp_sink *sink) {
  const patch_arg *a = arg;
  return nnrp_build_session_patch(&a->p, &a->m, a->clamp, sink);
}

static int build_patch_ack(const void *arg, nnrp_sink *sink) {
  const patch_arg *a = arg;
  return nnrp_build_session_patch_ack(&a->p, &a->a, a->clamp, sink);
}

int nnrp_conn_patch(nnrp_conn *c, const nnrp_session_patch_meta *m, const nnrp_profile_patch *clamp,
                    uint64_t trace_id, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  if (c->role != NNRP_ROLE_CLIENT) return NNRP_ERR_UNSUPPORTED;
  if (!m) return NNRP_ERR_INVALID_ARGUMENT;
  if (!active(c)) return NNRP_ERR_INVALID_STATE;
  if (s->patch_pending) return NNRP_ERR_PATCH_PENDING;
  patch_arg a;
  memset(&a, 0, sizeof(a));
  a.p.session_id = s->session_id;
  a.p.trace_id = trace_id;
  a.m = *m;
  a.m.profile_patch_bytes = clamp ? NNRP_PROFILE_PATCH_LEN : 0;
  a.clamp = clamp;
  nnrpi_pktinfo info = {nnrpi_primary_gen(c), NNRP_MSG_SESSION_PATCH, 0, 0, 0, NULL};
  int rc = nnrpi_queue(c, &info, build_patch, &a);
  if (rc < 0) return rc;
  s->patch_pending = 1;
  s->patch_trace = trace_id;
  s->last_send = now;
  return 0;
}

int nnrpi_patch_fail(nnrp_conn *c, int err) {
  c->s->patch_pending = 0;
  if (!c->cb.recv_patch_ack) return 0;
  return nnrpi_cb_rc(c, c->cb.recv_patch_ack(c, NULL, NULL, err, c->user));
}

int nnrpi_recv_patch_ack(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  const nnrp_header *h = &p->header;
  if (!s->patch_pending) {
    if (s->state != NNRP_STATE_ACTIVE) return 0;
    return nnrpi_send_error(c, NNRP_ERROR_CODE_INVALID_STATE, NNRP_SCOPE_SESSION, 0, 0, 0, 0,
                            h->trace_id, NNRP_ERR_INVALID_STATE, now);
  }
  const nnrp_session_patch_ack_meta *a = &p->meta.session_patch_ack;
  s->patch_pending = 0;
  if (a->effective_lane_mask) s->lane_mask = a->effective_lane_mask;
  if (c->cb.recv_patch_ack)
    nnrpi_cb_rc(
        c, c->cb.recv_patch_ack(c, a, p->has_profile_patch ? &p->profile_patch : NULL, 0, c->user));
  return 0;
}

int nnrpi_recv_patch(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  const nnrp_session_patch_meta *req = &p->meta.session_patch;
  const nnrp_profile_patch *clamp = p->has_profile_patch ? &p->profile_patch : NULL;
  patch_arg a;
  memset(&a, 0, sizeof(a));
  nnrp_profile_patch ack_clamp;
  int has_clamp = 0;
  memset(&ack_clamp, 0, sizeof(ack_clamp));
  nnrpi_patch_evaluate(&s->patch_pol, &s->patch_eff, req, clamp, &a.a, &ack_clamp, &has_clamp);
  s->lane_mask = s->patch_eff.lane_mask;
  a.p.session_id = s->session_id;
  a.p.trace_id = p->header.trace_id;
  a.clamp = has_clamp ? &ack_clamp : NULL;
  a.a.profile_patch_ack_bytes = has_clamp ? NNRP_PROFILE_PATCH_LEN : 0;
  nnrpi_pktinfo info = {nnrpi_primary_gen(c), NNRP_MSG_SESSION_PATCH_ACK, 0, 0, 0, NULL};
  int rc = nnrpi_queue(c, &info, build_patch_ack, &a);
  if (rc < 0) return rc;
  s->last_send = now;
  if (c->cb.patch_handled)
    nnrpi_cb_rc(c, c->cb.patch_handled(c, req, clamp, &a.a, a.clamp, c->user));
  return 0;
}

/* ---- cache (§5.3-§5.4) ----------------------------------------------------------------------- */

typedef struct cache_arg {
  nnrp_packet_params p;
  nnrp_cache_put_meta put;
  nnrp_cache_ack_meta ack;
  nnrp_cache_invalidate_meta inv;
  nnrp_vec object;
} cache_arg;

static int build_cache_put(const void *arg, nnrp_sink *sink) {
  const cache_arg *a = arg;
  return nnrp_build_cache_put(&a->p, &a->put, a->object, sink);
}
static int build_cache_ack(const void *arg, nnrp_sink *sink) {
  const cache_arg *a = arg;
  return nnrp_build_cache_ack(&a->p, &a->ack, sink);
}
static int build_cache_inv(const void *arg, nnrp_sink *sink) {
  const cache_arg *a = arg;
  return nnrp_build_cache_invalidate(&a->p, &a->inv, sink);
}

static int queue_cache(nnrp_conn *c, unsigned type, const cache_arg *a) {
  nnrpi_build_fn fn = type == NNRP_MSG_CACHE_PUT   ? build_cache_put
                      : type == NNRP_MSG_CACHE_ACK ? build_cache_ack
                                                   : build_cache_inv;
  nnrpi_pktinfo info = {nnrpi_primary_gen(c), (uint8_t)type, 0, 0, 0, NULL};
  return nnrpi_queue(c, &info, fn, a);
}

/* Room for one more pending operation, made before the packet is queued so that a call
 * failing with NOMEM has no effect at all (nothing sent, nothing recorded). */
static int reserve_op(nnrp_conn *c) {
  nnrpi_session *s = c->s;
  if (nnrpi_grow(c->mem, (void **)&s->cache_ops, &s->cache_op_cap, s->cache_op_count + 1,
                 sizeof(*s->cache_ops)))
    return NNRP_ERR_NOMEM;
  return 0;
}

static void push_op(nnrp_conn *c, const nnrpi_cache_op *op) {
  c->s->cache_ops[c->s->cache_op_count++] = *op;
}

void nnrpi_cache_ops_free(nnrp_conn *c, nnrpi_session *s) {
  for (size_t i = 0; i < s->cache_op_count; i++) nnrpi_free(c->mem, s->cache_ops[i].bytes);
  nnrpi_free(c->mem, s->cache_ops);
  s->cache_ops = NULL;
  s->cache_op_count = s->cache_op_cap = 0;
}

int nnrp_conn_cache_put(nnrp_conn *c, const nnrp_cache_put_meta *m, nnrp_vec object,
                        nnrp_tstamp now) {
  if (!m || (!object.base && object.len)) return NNRP_ERR_INVALID_ARGUMENT;
  if (!active(c)) return NNRP_ERR_INVALID_STATE;
  nnrpi_cache_op op;
  memset(&op, 0, sizeof(op));
  op.put = *m;
  op.put.object_bytes = (uint32_t)object.len;
  if (object.len > UINT32_MAX) return NNRP_ERR_INVALID_ARGUMENT;
  /* Our copy is stored once the holder accepts (§5.3 installer rules). */
  op.bytes = nnrpi_malloc(c->mem, object.len);
  if (!op.bytes) return NNRP_ERR_NOMEM;
  if (object.len) memcpy(op.bytes, object.base, object.len);
  cache_arg a;
  memset(&a, 0, sizeof(a));
  a.p.session_id = c->s->session_id;
  a.put = op.put;
  a.object = object;
  int rc = reserve_op(c);
  if (rc == 0) rc = queue_cache(c, NNRP_MSG_CACHE_PUT, &a);
  if (rc < 0) {
    nnrpi_free(c->mem, op.bytes);
    return rc;
  }
  push_op(c, &op);
  c->s->last_send = now;
  return 0;
}

int nnrp_conn_cache_invalidate(nnrp_conn *c, const nnrp_cache_invalidate_meta *m, nnrp_tstamp now) {
  if (!m) return NNRP_ERR_INVALID_ARGUMENT;
  if (!active(c)) return NNRP_ERR_INVALID_STATE;
  cache_arg a;
  memset(&a, 0, sizeof(a));
  a.p.session_id = c->s->session_id;
  a.inv = *m;
  int rc = reserve_op(c);
  if (rc == 0) rc = queue_cache(c, NNRP_MSG_CACHE_INVALIDATE, &a);
  if (rc < 0) return rc;
  nnrpi_cache_op op;
  memset(&op, 0, sizeof(op));
  op.invalidate = 1;
  op.inv = *m;
  push_op(c, &op);
  if (c->s->cache_ready) nnrpi_cache_invalidate(&c->s->cache, m, NULL);
  c->s->last_send = now;
  return 0;
}

int nnrp_conn_cache_lookup(nnrp_conn *c, const nnrp_object_ref *ref, nnrp_tstamp now,
                           nnrp_vec *bytes) {
  if (!ref || !bytes) return NNRP_ERR_INVALID_ARGUMENT;
  if (!c->s->cache_ready) return NNRP_ERR_CACHE_DISABLED;
  const nnrp_cache_entry *e;
  int rc = nnrpi_cache_lookup(&c->s->cache, ref, now, &e);
  if (rc < 0) return rc;
  bytes->base = e->bytes;
  bytes->len = e->len;
  return 0;
}

int nnrpi_recv_cache_put(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  const nnrp_cache_put_meta *m = &p->meta.cache_put;
  cache_arg a;
  memset(&a, 0, sizeof(a));
  int rc = nnrpi_cache_put(&s->cache, m, p->body, now, &a.ack);
  if (rc < 0) return rc;
  a.p.session_id = s->session_id;
  a.p.trace_id = p->header.trace_id;
  rc = queue_cache(c, NNRP_MSG_CACHE_ACK, &a);
  if (rc < 0) return rc;
  s->counters.cache_puts++;
  s->last_send = now;
  if (c->cb.recv_cache_put) nnrpi_cb_rc(c, c->cb.recv_cache_put(c, m, &a.ack, c->user));
  return 0;
}

static int op_matches(const nnrpi_cache_op *op, const nnrp_cache_ack_meta *m) {
  if (op->invalidate)
    return op->inv.cache_namespace == m->cache_namespace &&
           op->inv.cache_key_hi == m->cache_key_hi && op->inv.cache_key_lo == m->cache_key_lo;
  return op->put.cache_namespace == m->cache_namespace && op->put.cache_key_hi == m->cache_key_hi &&
         op->put.cache_key_lo == m->cache_key_lo;
}

int nnrpi_recv_cache_ack(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  const nnrp_cache_ack_meta *m = &p->meta.cache_ack;
  size_t i = 0;
  while (i < s->cache_op_count && !op_matches(&s->cache_ops[i], m)) i++;
  if (i == s->cache_op_count) return 0; /* answers nothing of ours (§2.4): drop */
  nnrpi_cache_op op = s->cache_ops[i];
  memmove(&s->cache_ops[i], &s->cache_ops[i + 1], (s->cache_op_count - i - 1) * sizeof(op));
  s->cache_op_count--;
  int rc = 0;
  if (!op.invalidate && (m->status == NNRP_CACHE_ACCEPTED || m->status == NNRP_CACHE_REPLACED) &&
      s->cache_ready) {
    nnrp_vec obj = {op.bytes, op.put.object_bytes};
    rc = nnrpi_cache_store_own(&s->cache, &op.put, obj, m->accepted_ttl_ms, now);
  }
  nnrpi_free(c->mem, op.bytes);
  if (rc < 0) return rc;
  if (c->cb.recv_cache_ack) nnrpi_cb_rc(c, c->cb.recv_cache_ack(c, m, op.invalidate, c->user));
  return 0;
}

int nnrpi_recv_cache_invalidate(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  const nnrp_cache_invalidate_meta *m = &p->meta.cache_invalidate;
  size_t removed = 0;
  if (s->cache_ready) nnrpi_cache_invalidate(&s->cache, m, &removed);
  /* §5.4 (U20): answered with CACHE_ACK accepted, the key fields echoed. */
  cache_arg a;
  memset(&a, 0, sizeof(a));
  a.p.session_id = s->session_id;
  a.p.trace_id = p->header.trace_id;
  a.ack.cache_namespace = m->cache_namespace;
  a.ack.cache_key_hi = m->cache_key_hi;
  a.ack.cache_key_lo = m->cache_key_lo;
  a.ack.status = NNRP_CACHE_ACCEPTED;
  int rc = queue_cache(c, NNRP_MSG_CACHE_ACK, &a);
  if (rc < 0) return rc;
  s->last_send = now;
  if (c->cb.recv_cache_invalidate)
    nnrpi_cb_rc(c, c->cb.recv_cache_invalidate(c, m, removed, c->user));
  return 0;
}

/* TTL expiry of held entries: a scope-3 CACHE_INVALIDATE tells the installer (§5.4).  Keys
 * are collected first: the store must not change while it walks its entries. */
typedef struct expire_ctx {
  nnrp_conn *c;
  size_t n;
  int rc;
} expire_ctx;

static void on_expired(void *user, const nnrp_cache_entry *e) {
  expire_ctx *x = user;
  nnrpi_session *s = x->c->s;
  if (nnrpi_grow(x->c->mem, (void **)&s->exp_keys, &s->exp_cap, x->n + 1, sizeof(*s->exp_keys))) {
    x->rc = NNRP_ERR_NOMEM;
    return;
  }
  nnrp_object_ref *k = &s->exp_keys[x->n++];
  memset(k, 0, sizeof(*k));
  k->object_kind = e->object_kind;
  k->cache_namespace = e->cache_namespace;
  k->cache_key_hi = e->cache_key_hi;
  k->cache_key_lo = e->cache_key_lo;
}

int nnrpi_cache_expire_run(nnrp_conn *c, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  expire_ctx x;
  memset(&x, 0, sizeof(x));
  x.c = c;
  nnrpi_cache_expire(&s->cache, now, on_expired, &x);
  if (s->state != NNRP_STATE_ACTIVE) return x.rc;
  for (size_t i = 0; i < x.n; i++) {
    const nnrp_object_ref key = s->exp_keys[i];
    cache_arg a;
    memset(&a, 0, sizeof(a));
    a.p.session_id = s->session_id;
    a.inv.invalidate_scope = NNRP_CACHE_SCOPE_OBJECT_KEY;
    a.inv.cache_namespace = key.cache_namespace;
    a.inv.cache_key_hi = key.cache_key_hi;
    a.inv.cache_key_lo = key.cache_key_lo;
    int rc = reserve_op(c);
    if (rc == 0) rc = queue_cache(c, NNRP_MSG_CACHE_INVALIDATE, &a);
    if (rc < 0) return rc;
    nnrpi_cache_op op;
    memset(&op, 0, sizeof(op));
    op.invalidate = 1;
    op.inv = a.inv;
    push_op(c, &op);
    if (c->cb.cache_expired) nnrpi_cb_rc(c, c->cb.cache_expired(c, &key, c->user));
  }
  return x.rc;
}

/* ---- PING / PONG (§2.7) ---------------------------------------------------------------------- */

int nnrp_conn_ping(nnrp_conn *c, uint64_t trace_id, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  if (s->state != NNRP_STATE_ACTIVE && s->state != NNRP_STATE_DRAINING)
    return NNRP_ERR_INVALID_STATE;
  int rc = nnrpi_send_simple(c, NNRP_MSG_PING, s->session_id, 0, 0, trace_id, NNRP_FLAG_CAN_DROP);
  if (rc < 0) return rc;
  s->last_send = now;
  /* Remember it in a free slot, else over the oldest. */
  int slot = 0;
  for (int i = 0; i < NNRPI_PINGS; i++) {
    if (!s->pings[i].used) {
      slot = i;
      break;
    }
    if (s->pings[i].sent < s->pings[slot].sent) slot = i;
  }
  s->pings[slot].used = 1;
  s->pings[slot].trace_id = trace_id;
  s->pings[slot].sent = now;
  return 0;
}

int nnrpi_recv_ping(nnrp_conn *c, const nnrp_header *h, nnrp_tstamp now) {
  /* Answered at once, echoing the session id and trace id. */
  int rc =
      nnrpi_send_simple(c, NNRP_MSG_PONG, h->session_id, 0, 0, h->trace_id, NNRP_FLAG_CAN_DROP);
  if (rc < 0) return rc;
  c->s->counters.pings_answered++;
  c->s->last_send = now;
  return 0;
}

int nnrpi_recv_pong(nnrp_conn *c, const nnrp_header *h, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  for (int i = 0; i < NNRPI_PINGS; i++) {
    if (!s->pings[i].used || s->pings[i].trace_id != h->trace_id) continue;
    s->pings[i].used = 0;
    nnrp_tstamp rtt = now >= s->pings[i].sent ? now - s->pings[i].sent : 0;
    if (c->cb.recv_pong) nnrpi_cb_rc(c, c->cb.recv_pong(c, h->trace_id, rtt, c->user));
    return 0;
  }
  return 0;
}
