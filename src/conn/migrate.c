/*
 * Transport probing and session migration without sockets (transport §4.2, §5.2-§5.4).
 *
 * Client: one conn carries up to two path generations.  nnrp_conn_migrate_begin() opens a
 * PENDING path whose first packet is SESSION_MIGRATE; an accepting SESSION_MIGRATE_ACK makes it
 * PRIMARY and leaves the old path in GRACE (results of frames already in flight only) until the
 * grace window ends.  Server: a fresh conn whose first packet is SESSION_MIGRATE asks the host
 * for the live session, and nnrp_conn_migrate_adopt() moves the session into it.
 */
#include "conn_int.h"

nnrpi_path *nnrpi_path_get(nnrp_conn *c, uint32_t gen) {
  for (int i = 0; i < NNRPI_PATHS; i++)
    if (c->paths[i].kind != NNRPI_PATH_FREE && c->paths[i].gen == gen) return &c->paths[i];
  return NULL;
}

static nnrpi_path *path_of_kind(nnrp_conn *c, int kind) {
  for (int i = 0; i < NNRPI_PATHS; i++)
    if (c->paths[i].kind == kind) return &c->paths[i];
  return NULL;
}

static void path_release(nnrp_conn *c, nnrpi_path *p) {
  uint32_t gen = p->gen;
  p->kind = NNRPI_PATH_FREE;
  p->rx_len = p->rx_need = 0;
  p->skip = 0;
  p->lost = 0;
  p->until = NNRP_TSTAMP_NEVER;
  if (c->cb.path_closed) nnrpi_cb_rc(c, c->cb.path_closed(c, gen, c->user));
}

/* Remove queued, unstarted packets of one path (a path that will never be written). */
static void outq_drop_path(nnrp_conn *c, uint32_t gen) {
  nnrpi_outq *q = &c->out;
  size_t w = q->head + (q->head_written ? 1 : 0);
  for (size_t r = w; r < q->count; r++) {
    nnrpi_outpkt p = q->pkts[r];
    if (p.path == gen) {
      q->pending -= p.len;
      if (p.nocopy && c->cb.release_payload)
        c->cb.release_payload(c, p.frame_id, p.view_id, p.frame_user, c->user);
      continue;
    }
    q->pkts[w++] = p;
  }
  q->count = w;
}

static int report_migration(nnrp_conn *c, const nnrp_migration_info *info) {
  if (!c->cb.migration) return 0;
  return nnrpi_cb_rc(c, c->cb.migration(c, info, c->user));
}

/* ---- probing --------------------------------------------------------------------------------- */

typedef struct probe_arg {
  nnrp_packet_params p;
  nnrp_transport_probe_meta m;
  nnrp_transport_probe_ack_meta a;
  nnrp_vec padding;
} probe_arg;

static int build_probe(const void *arg, nnrp_sink *sink) {
  const probe_arg *a = arg;
  return nnrp_build_transport_probe(&a->p, &a->m, a->padding, sink);
}
static int build_probe_ack(const void *arg, nnrp_sink *sink) {
  const probe_arg *a = arg;
  return nnrp_build_transport_probe_ack(&a->p, &a->a, sink);
}

int nnrp_conn_probe(nnrp_conn *c, uint32_t probe_id, uint32_t payload_bytes, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  if (c->role != NNRP_ROLE_CLIENT) return NNRP_ERR_UNSUPPORTED;
  if (s->state != NNRP_STATE_INIT) return NNRP_ERR_INVALID_STATE;
  probe_arg a;
  memset(&a, 0, sizeof(a));
  uint8_t *pad = nnrpi_calloc(c->mem, payload_bytes ? payload_bytes : 1, 1);
  if (!pad) return NNRP_ERR_NOMEM;
  a.m.probe_id = probe_id;
  a.m.probe_payload_bytes = payload_bytes;
  a.m.client_send_ts_us = now;
  a.padding.base = pad;
  a.padding.len = payload_bytes;
  nnrpi_pktinfo info = {nnrpi_primary_gen(c), NNRP_MSG_TRANSPORT_PROBE, 0, 0, 0, NULL};
  int rc = nnrpi_queue(c, &info, build_probe, &a);
  nnrpi_free(c->mem, pad);
  if (rc < 0) return rc;
  int slot = 0;
  for (int i = 0; i < NNRPI_PROBES; i++) {
    if (!s->probes[i].used) {
      slot = i;
      break;
    }
    if (s->probes[i].sent < s->probes[slot].sent) slot = i;
  }
  s->probes[slot].used = 1;
  s->probes[slot].probe_id = probe_id;
  s->probes[slot].bytes = payload_bytes;
  s->probes[slot].sent = now;
  return 0;
}

int nnrpi_recv_probe(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now) {
  /* Step 4: same probe_id, receipt time, session 0, trace echoed, flags 0. */
  probe_arg a;
  memset(&a, 0, sizeof(a));
  a.p.trace_id = p->header.trace_id;
  a.a.probe_id = p->meta.transport_probe.probe_id;
  a.a.server_recv_ts_us = now;
  nnrpi_pktinfo info = {nnrpi_primary_gen(c), NNRP_MSG_TRANSPORT_PROBE_ACK, 0, 0, 0, NULL};
  return nnrpi_queue(c, &info, build_probe_ack, &a);
}

int nnrpi_recv_probe_ack(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  const nnrp_transport_probe_ack_meta *m = &p->meta.transport_probe_ack;
  nnrp_probe_sample smp;
  memset(&smp, 0, sizeof(smp));
  smp.probe_id = m->probe_id;
  smp.server_recv_ts_us = m->server_recv_ts_us;
  smp.error = NNRP_ERR_FRAME_UNKNOWN; /* correlation mismatch unless matched below */
  for (int i = 0; i < NNRPI_PROBES; i++) {
    if (!s->probes[i].used || s->probes[i].probe_id != m->probe_id) continue;
    s->probes[i].used = 0;
    smp.error = 0;
    smp.payload_bytes = s->probes[i].bytes;
    smp.rtt_us = now > s->probes[i].sent ? now - s->probes[i].sent : 1;
    smp.throughput = (double)smp.payload_bytes * 1e6 / (double)smp.rtt_us;
    break;
  }
  if (c->cb.recv_probe_ack) nnrpi_cb_rc(c, c->cb.recv_probe_ack(c, &smp, c->user));
  return 0;
}

/* ---- client migration ----------------------------------------------------------------------- */

typedef struct migrate_arg {
  nnrp_packet_params p;
  nnrp_session_migrate_meta m;
  nnrp_session_migrate_ack_meta a;
} migrate_arg;

static int build_migrate(const void *arg, nnrp_sink *sink) {
  const migrate_arg *a = arg;
  return nnrp_build_session_migrate(&a->p, &a->m, sink);
}
static int build_migrate_ack(const void *arg, nnrp_sink *sink) {
  const migrate_arg *a = arg;
  return nnrp_build_session_migrate_ack(&a->p, &a->a, sink);
}

int nnrp_conn_migrate_begin(nnrp_conn *c, uint32_t new_transport_id, uint32_t trigger,
                            nnrp_tstamp now, uint32_t *path) {
  nnrpi_session *s = c->s;
  if (c->role != NNRP_ROLE_CLIENT) return NNRP_ERR_UNSUPPORTED;
  if (s->state != NNRP_STATE_ACTIVE || s->close_sent || c->mig.pending)
    return NNRP_ERR_INVALID_STATE;
  nnrpi_path *old = path_of_kind(c, NNRPI_PATH_PRIMARY);
  if ((new_transport_id != NNRP_TRANSPORT_QUIC && new_transport_id != NNRP_TRANSPORT_TCP) ||
      new_transport_id == old->transport_id)
    return NNRP_ERR_INVALID_ARGUMENT;
  nnrpi_path *np = path_of_kind(c, NNRPI_PATH_FREE);
  if (!np) return NNRP_ERR_INVALID_STATE; /* the previous old path is still in its grace */
  uint32_t gen = c->next_gen;

  migrate_arg a;
  memset(&a, 0, sizeof(a));
  a.p.session_id = s->session_id;
  a.p.trace_id = gen;
  a.m.old_transport_id =
      old->transport_id
          ? old->transport_id
          : (new_transport_id == NNRP_TRANSPORT_QUIC ? NNRP_TRANSPORT_TCP : NNRP_TRANSPORT_QUIC);
  a.m.new_transport_id = new_transport_id;
  a.m.last_result_frame_id = s->last_result_frame_id;
  a.m.client_migrate_ts_us = now;
  nnrpi_pktinfo info = {gen, NNRP_MSG_SESSION_MIGRATE, 0, 0, 0, NULL};
  int rc = nnrpi_queue(c, &info, build_migrate, &a);
  if (rc < 0) return rc;

  c->next_gen++;
  np->kind = NNRPI_PATH_PENDING;
  np->gen = gen;
  np->transport_id = new_transport_id;
  np->rx_len = np->rx_need = 0;
  np->skip = 0;
  np->lost = 0;
  np->until = nnrpi_add_ms(now, c->settings.client.migrate_timeout_ms);
  memset(&c->mig, 0, sizeof(c->mig));
  c->mig.pending = 1;
  c->mig.started = now;
  c->mig.trace_id = gen;
  nnrp_migration_info *mi = &c->mig.info;
  mi->path = gen;
  mi->old_path = old->gen;
  mi->old_transport_id = a.m.old_transport_id;
  mi->new_transport_id = new_transport_id;
  mi->trigger = trigger;
  mi->last_result_frame_id = s->last_result_frame_id;
  if (path) *path = gen;
  return 0;
}

void nnrpi_migration_failed(nnrp_conn *c, int err, nnrp_tstamp now) {
  (void)now;
  if (!c->mig.pending) return;
  c->mig.pending = 0;
  nnrp_migration_info info = c->mig.info;
  info.accepted = 0;
  info.error = err;
  nnrpi_path *np = path_of_kind(c, NNRPI_PATH_PENDING);
  if (np) {
    outq_drop_path(c, np->gen);
    path_release(c, np);
  }
  report_migration(c, &info);
  nnrpi_path *old = path_of_kind(c, NNRPI_PATH_PRIMARY);
  if (old && old->lost)
    nnrpi_set_state(c, NNRP_STATE_CLOSED, NNRP_CLOSE_TRANSPORT_LOST, NNRP_ERR_CLOSED);
}

/* Frames below the resume floor that did not get a result on the old path (§9 choice). */
static void drop_below_floor(nnrp_conn *c) {
  nnrpi_frametab *t = &c->s->frames;
  for (uint32_t i = 0; i < t->capacity; i++) {
    nnrpi_frame *f = &t->recs[i];
    if (!(f->flags & NNRPI_FR_IN_USE) || !(f->flags & NNRPI_FR_BELOW_FLOOR)) continue;
    int held = (f->flags & NNRPI_FR_HELD) != 0;
    nnrp_frame_outcome o;
    memset(&o, 0, sizeof(o));
    o.frame_id = f->frame_id;
    o.view_id = f->view_id;
    o.outcome = NNRP_OUTCOME_DROPPED;
    o.cause = NNRP_CAUSE_MIGRATION;
    o.reason = NNRP_DROP_MIGRATION;
    o.frame_user = f->user;
    nnrpi_tomb_add(c->s, f->frame_id, f->view_id);
    nnrpi_frametab_remove(t, f);
    if (!held) nnrpi_report(c, &o);
  }
}

static void grace_end(nnrp_conn *c, nnrpi_path *old, nnrp_tstamp now) {
  drop_below_floor(c);
  path_release(c, old);
  nnrpi_check_drained(c, now);
}

static int migrate_accepted(nnrp_conn *c, const nnrp_session_migrate_ack_meta *m, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  nnrpi_path *old = path_of_kind(c, NNRPI_PATH_PRIMARY);
  nnrpi_path *np = path_of_kind(c, NNRPI_PATH_PENDING);
  np->kind = NNRPI_PATH_PRIMARY;
  np->until = NNRP_TSTAMP_NEVER;
  old->kind = NNRPI_PATH_GRACE;
  old->until = nnrpi_add_ms(now, m->grace_window_ms);
  nnrpi_outq_retag(c, old->gen, np->gen);
  uint32_t floor =
      m->resume_from_frame_id > UINT32_MAX ? UINT32_MAX : (uint32_t)m->resume_from_frame_id;
  if (floor > s->floor) s->floor = floor;
  size_t below = 0;
  nnrpi_frametab *t = &s->frames;
  for (uint32_t i = 0; i < t->capacity; i++) {
    nnrpi_frame *f = &t->recs[i];
    if ((f->flags & NNRPI_FR_IN_USE) && f->frame_id < s->floor) {
      f->flags |= NNRPI_FR_BELOW_FLOOR;
      if (!(f->flags & NNRPI_FR_HELD)) below++;
    }
  }
  c->mig.pending = 0;
  nnrp_migration_info info = c->mig.info;
  info.accepted = 1;
  info.resume_from_frame_id = m->resume_from_frame_id;
  info.grace_window_ms = m->grace_window_ms;
  info.duration_us = now - c->mig.started;
  info.frames_below_floor = below;
  report_migration(c, &info);
  if (m->grace_window_ms == 0 || old->lost) grace_end(c, old, now);
  return 0;
}

int nnrpi_pending_path_packet(nnrp_conn *c, const nnrp_packet *p, int decode_rc, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  if (!c->mig.pending) return 0;
  if (decode_rc < 0) {
    nnrpi_migration_failed(c, decode_rc, now);
    return 0;
  }
  const nnrp_header *h = &p->header;
  if (h->msg_type == NNRP_MSG_ERROR) {
    s->last_recv.valid = 1;
    s->last_recv.local_error = 0;
    s->last_recv.meta = p->meta.error;
    s->last_recv.trace_id = h->trace_id;
    s->counters.errors_received++;
    if (c->cb.recv_error) nnrpi_cb_rc(c, c->cb.recv_error(c, &p->meta.error, p->body, c->user));
    nnrpi_migration_failed(c, NNRP_ERR_PEER_ERROR, now);
    return 0;
  }
  if (h->msg_type != NNRP_MSG_SESSION_MIGRATE_ACK) {
    nnrpi_migration_failed(c, NNRP_ERR_INVALID_STATE, now);
    return 0;
  }
  if (h->session_id != s->session_id) {
    nnrpi_migration_failed(c, NNRP_ERR_SESSION_ID, now);
    return 0;
  }
  const nnrp_session_migrate_ack_meta *m = &p->meta.session_migrate_ack;
  if (m->accept_code != 0) {
    c->mig.info.accept_code = m->accept_code;
    nnrpi_migration_failed(c, NNRP_ERR_MIGRATE_REJECTED, now);
    return 0;
  }
  return migrate_accepted(c, m, now);
}

nnrp_tstamp nnrpi_paths_expiry(const nnrp_conn *c) {
  nnrp_tstamp t = NNRP_TSTAMP_NEVER;
  for (int i = 0; i < NNRPI_PATHS; i++)
    if (c->paths[i].kind == NNRPI_PATH_PENDING || c->paths[i].kind == NNRPI_PATH_GRACE)
      t = nnrpi_min_t(t, c->paths[i].until);
  return t;
}

int nnrpi_paths_expire(nnrp_conn *c, nnrp_tstamp now) {
  for (int i = 0; i < NNRPI_PATHS; i++) {
    nnrpi_path *p = &c->paths[i];
    if (p->until > now) continue;
    if (p->kind == NNRPI_PATH_PENDING)
      nnrpi_migration_failed(c, NNRP_ERR_TIMEOUT, now);
    else if (p->kind == NNRPI_PATH_GRACE)
      grace_end(c, p, now);
  }
  return 0;
}

/* ---- server migration (transport §5.3) ------------------------------------------------------- */

int nnrpi_recv_migrate(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now) {
  if (c->role != NNRP_ROLE_SERVER || c->mig.request) return 0;
  c->mig.request = 1;
  c->mig.req_header = p->header;
  c->mig.req = p->meta.session_migrate;
  c->s->hs_deadline = NNRP_TSTAMP_NEVER; /* the host decides now */
  if (!c->cb.recv_migrate) return nnrp_conn_migrate_reject(c, 1, now);
  nnrpi_cb_rc(c, c->cb.recv_migrate(c, &p->header, &p->meta.session_migrate, c->user));
  return 0;
}

static int queue_migrate_ack(nnrp_conn *c, uint32_t code, uint64_t resume, uint32_t grace,
                             nnrp_tstamp now) {
  migrate_arg a;
  memset(&a, 0, sizeof(a));
  a.p.session_id = c->mig.req_header.session_id;
  a.p.trace_id = c->mig.req_header.trace_id;
  a.a.accept_code = code;
  a.a.resume_from_frame_id = resume;
  a.a.grace_window_ms = grace;
  a.a.server_migrate_ts_us = now;
  nnrpi_pktinfo info = {nnrpi_primary_gen(c), NNRP_MSG_SESSION_MIGRATE_ACK, 0, 0, 0, NULL};
  return nnrpi_queue(c, &info, build_migrate_ack, &a);
}

static void fill_info(const nnrp_conn *fresh, nnrp_migration_info *info) {
  memset(info, 0, sizeof(*info));
  info->old_transport_id = fresh->mig.req.old_transport_id;
  info->new_transport_id = fresh->mig.req.new_transport_id;
  info->last_result_frame_id = fresh->mig.req.last_result_frame_id;
}

int nnrp_conn_migrate_reject(nnrp_conn *fresh, uint32_t accept_code, nnrp_tstamp now) {
  if (fresh->role != NNRP_ROLE_SERVER || !fresh->mig.request) return NNRP_ERR_INVALID_STATE;
  if (accept_code == 0) return NNRP_ERR_INVALID_ARGUMENT;
  int rc = queue_migrate_ack(fresh, accept_code, 0, 0, now);
  if (rc < 0) return rc;
  nnrp_migration_info info;
  fill_info(fresh, &info);
  info.accept_code = accept_code;
  info.error = NNRP_ERR_MIGRATE_REJECTED;
  fresh->mig.request = 0;
  report_migration(fresh, &info);
  nnrpi_set_state(fresh, NNRP_STATE_CLOSED, NNRP_CLOSE_LOCAL, NNRP_ERR_MIGRATE_REJECTED);
  return 0;
}

static int transport_ok(uint32_t t) {
  return t == NNRP_TRANSPORT_QUIC || t == NNRP_TRANSPORT_TCP;
}

int nnrp_conn_migrate_adopt(nnrp_conn *fresh, nnrp_conn *live, nnrp_tstamp now) {
  if (!fresh || fresh->role != NNRP_ROLE_SERVER || !fresh->mig.request ||
      fresh->s->state != NNRP_STATE_INIT)
    return NNRP_ERR_INVALID_STATE;
  const nnrp_session_migrate_meta *m = &fresh->mig.req;
  uint32_t code = 0;
  if (!live || live == fresh || live->role != NNRP_ROLE_SERVER || !live->s->has_neg ||
      live->s->session_id != fresh->mig.req_header.session_id)
    code = 1;
  else if (live->s->state != NNRP_STATE_ACTIVE || live->s->retired)
    code = 2;
  else if (!transport_ok(m->old_transport_id) || !transport_ok(m->new_transport_id) ||
           m->old_transport_id == m->new_transport_id ||
           (live->settings.transport_id && m->old_transport_id != live->settings.transport_id) ||
           (fresh->settings.transport_id && m->new_transport_id != fresh->settings.transport_id))
    code = 3;
  if (code) {
    int rc = nnrp_conn_migrate_reject(fresh, code, now);
    return rc < 0 ? rc : NNRP_ERR_MIGRATE_REJECTED;
  }

  /* Resume cursor: the oldest open frame, else past everything finished or admitted. */
  nnrpi_session *s = live->s;
  uint64_t resume = 0;
  for (uint32_t i = 0; i < s->frames.capacity; i++) {
    const nnrpi_frame *f = &s->frames.recs[i];
    if ((f->flags & NNRPI_FR_IN_USE) && (resume == 0 || f->frame_id < resume)) resume = f->frame_id;
  }
  if (resume == 0) {
    uint64_t top = m->last_result_frame_id > s->highest_admitted ? m->last_result_frame_id
                                                                 : s->highest_admitted;
    resume = top + 1;
  }
  uint32_t grace = fresh->settings.server.migrate_grace_window_ms;

  nnrpi_session *empty = fresh->s;
  fresh->s = live->s;
  live->s = empty;
  int rc = queue_migrate_ack(fresh, 0, resume, grace, now);
  if (rc == 0) rc = nnrpi_outq_move(fresh, live);
  live->s->retired = 1;
  live->s->retire_at = nnrpi_add_ms(now, grace);
  nnrpi_set_state(live, NNRP_STATE_DRAINING, NNRP_CLOSE_MIGRATED, 0);
  fresh->mig.request = 0;
  if (rc < 0) return rc;

  nnrp_migration_info info;
  fill_info(fresh, &info);
  info.accepted = 1;
  info.resume_from_frame_id = resume;
  info.grace_window_ms = grace;
  if (fresh->cb.state_change)
    nnrpi_cb_rc(fresh,
                fresh->cb.state_change(fresh, NNRP_STATE_INIT, NNRP_STATE_ACTIVE, fresh->user));
  report_migration(fresh, &info);
  return fresh->cb_failed ? NNRP_ERR_CALLBACK : 0;
}
