/*
 * The conn object: creation and deletion, settings defaults, session state changes and the
 * close procedure (session §2.2-§2.3), timers, and introspection.
 */
#include "conn_int.h"

/* ---- allocation ------------------------------------------------------------------------------ */

void *nnrpi_malloc(const nnrp_mem *mem, size_t n) {
  return mem->malloc(n ? n : 1, mem->user);
}
void *nnrpi_calloc(const nnrp_mem *mem, size_t nmemb, size_t size) {
  return mem->calloc(nmemb ? nmemb : 1, size ? size : 1, mem->user);
}
void *nnrpi_realloc(const nnrp_mem *mem, void *p, size_t n) {
  return mem->realloc(p, n ? n : 1, mem->user);
}
void nnrpi_free(const nnrp_mem *mem, void *p) {
  if (p) mem->free(p, mem->user);
}

int nnrpi_grow(const nnrp_mem *mem, void **p, size_t *cap, size_t need, size_t size) {
  if (*cap >= need) return 0;
  size_t n = *cap ? *cap : 8;
  while (n < need) {
    if (n > SIZE_MAX / 2) return NNRP_ERR_NOMEM;
    n *= 2;
  }
  if (n > SIZE_MAX / size) return NNRP_ERR_NOMEM;
  void *q = nnrpi_realloc(mem, *p, n * size);
  if (!q) return NNRP_ERR_NOMEM;
  *p = q;
  *cap = n;
  return 0;
}

/* ---- settings, callbacks, names -------------------------------------------------------------- */

void nnrp_settings_default(nnrp_settings *s, nnrp_role role) {
  (void)role; /* both halves are filled so one struct can serve either role */
  memset(s, 0, sizeof(*s));
  s->version = NNRP_SETTINGS_VERSION;
  s->max_packet_bytes = 64u << 20;
  s->handshake_timeout_ms = 10000;
  s->drain_timeout_ms = 5000;
  s->zero_copy_min = 256;

  nnrp_client_hello_meta *h = &s->client.hello;
  h->min_version_major = 1;
  h->max_version_major = 1;
  h->supported_wire_format_bitmap = 0x1;
  h->supported_profile_bitmap = 0x1;
  h->supported_payload_kind_bitmap = NNRP_PAYLOAD_TENSOR;
  h->supported_codec_bitmap = 0x1;
  h->supported_compression_bitmap = 0x1;
  h->supported_dtype_bitmap = 0x21;
  h->supported_layout_bitmap = 0x1;
  h->cache_digest_bitmap = 0x1;
  h->cache_object_bitmap = 0x1FF;
  h->cache_namespace_count = 1;
  h->max_lane_count = 1;
  h->max_cache_entries = 256;
  h->max_cache_bytes = 1u << 20;
  h->target_cadence_x100 = 6000;
  h->latency_budget_ms = 100;
  h->quality_tier = 2;
  s->client.loss_tolerance = NNRP_LOSS_BEST_EFFORT;
  s->client.max_in_flight = 256;
  s->client.tombstones = 256;
  s->client.migrate_timeout_ms = 10000;

  nnrp_server_settings *v = &s->server;
  v->profile_bitmap = 0x1;
  v->payload_kind_bitmap = NNRP_PAYLOAD_TENSOR;
  v->codec_bitmap = 0x1;
  v->compression_bitmap = 0x1;
  v->dtype_bitmap = 0x21;
  v->layout_bitmap = 0x1;
  v->cache_enabled = 1;
  v->cache_object_bitmap = 0x1FF;
  v->max_cache_entries = 256;
  v->max_cache_bytes = 1u << 20;
  v->max_lane_count = 1;
  v->max_concurrent_frames = 1;
  v->max_body_bytes = 16u << 20;
  v->token_ttl_ms = 300000;
  v->quality_tier_mask = 0xFFFFFFFFu;
  v->degrade_policy_mask = 0xF;
  v->can_retransmit = 1;
  v->auto_start = 1;
  v->supersede = 1;
  v->migrate_grace_window_ms = 1000;
}

void nnrp_callbacks_init(nnrp_callbacks *cb) {
  memset(cb, 0, sizeof(*cb));
  cb->version = NNRP_CALLBACKS_VERSION;
}

nnrp_channel nnrp_msg_channel(unsigned msg_type) {
  if (msg_type == NNRP_MSG_FRAME_SUBMIT) return NNRP_CHANNEL_SUBMIT;
  if (msg_type == NNRP_MSG_RESULT_PUSH || msg_type == NNRP_MSG_RESULT_DROP)
    return NNRP_CHANNEL_RESULT;
  return NNRP_CHANNEL_CONTROL;
}

const char *nnrp_drop_reason_name(nnrp_drop_reason r) {
  static const char *const names[] = {"unknown",         "queue_full", "server_busy",
                                      "budget_exceeded", "superseded", "migration"};
  return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "unknown";
}

const char *nnrp_outcome_name(nnrp_outcome o) {
  static const char *const names[] = {"DELIVERED", "DROPPED", "REJECTED", "CANCELLED", "EXPIRED"};
  return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : "?";
}

const char *nnrp_state_name(nnrp_session_state st) {
  static const char *const names[] = {"INIT", "NEGOTIATING", "ACTIVE", "DRAINING", "CLOSED"};
  return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}

void nnrp_result_typed_group(const nnrp_data_body *b, uint8_t kind, int profile_id, size_t *count,
                             size_t *bytes) {
  size_t n = 0, total = 0;
  for (size_t i = 0; i < b->typed_frame_count; i++) {
    nnrp_typed_frame f;
    nnrp_data_body_typed_frame(b, i, &f);
    if (kind && f.payload_kind != kind) continue;
    if (profile_id >= 0 && f.profile_id != (uint16_t)profile_id) continue;
    n++;
    total += f.payload.len;
  }
  if (count) *count = n;
  if (bytes) *bytes = total;
}

/* ---- session and conn lifetime --------------------------------------------------------------- */

int nnrpi_session_new(nnrp_conn *c, nnrpi_session **ps) {
  nnrpi_session *s = nnrpi_calloc(c->mem, 1, sizeof(*s));
  if (!s) return NNRP_ERR_NOMEM;
  s->state = NNRP_STATE_INIT;
  s->hs_deadline = s->drain_deadline = s->retire_at = NNRP_TSTAMP_NEVER;
  s->frames_next = NNRP_TSTAMP_NEVER;
  s->lane_mask = ~(uint64_t)0;
  if (c->role == NNRP_ROLE_SERVER) {
    int rc = nnrpi_frametab_init(&s->frames, c->mem, c->settings.server.max_concurrent_frames);
    if (rc < 0) {
      nnrpi_free(c->mem, s);
      return rc;
    }
  }
  *ps = s;
  return 0;
}

void nnrpi_session_free(nnrp_conn *c, nnrpi_session *s) {
  if (!s) return;
  nnrpi_frametab_free(&s->frames, c->mem);
  if (s->cache_ready) nnrpi_cache_free(&s->cache);
  nnrpi_cache_ops_free(c, s);
  nnrpi_free(c->mem, s->tomb);
  nnrpi_free(c->mem, s->view_high);
  nnrpi_free(c->mem, s->objs);
  nnrpi_free(c->mem, s->exp_keys);
  nnrpi_free(c->mem, s);
}

static int conn_new(nnrp_conn **pc, nnrp_role role, const nnrp_settings *settings,
                    const nnrp_callbacks *cb, const nnrp_mem *mem, void *user) {
  if (!pc) return NNRP_ERR_INVALID_ARGUMENT;
  *pc = NULL;
  if (settings && (settings->version == 0 || settings->version > NNRP_SETTINGS_VERSION))
    return NNRP_ERR_INVALID_ARGUMENT;
  if (cb && (cb->version == 0 || cb->version > NNRP_CALLBACKS_VERSION))
    return NNRP_ERR_INVALID_ARGUMENT;
  if (!mem) mem = nnrp_mem_default();
  nnrp_conn *c = nnrpi_calloc(mem, 1, sizeof(*c));
  if (!c) return NNRP_ERR_NOMEM;
  c->role = role;
  c->mem = mem;
  c->user = user;
  if (settings)
    c->settings = *settings;
  else
    nnrp_settings_default(&c->settings, role);
  if (cb) c->cb = *cb;
  nnrp_settings *st = &c->settings;
  /* A smaller limit could not carry a handshake, and the wire layer reads a zero message
   * limit as "none": refuse it rather than silently lifting it. */
  if (st->max_packet_bytes > (uint64_t)NNRP_HEADER_LEN + UINT32_MAX)
    st->max_packet_bytes = (uint64_t)NNRP_HEADER_LEN + UINT32_MAX;
  if (st->max_packet_bytes < NNRP_MIN_PACKET_BYTES ||
      (role == NNRP_ROLE_SERVER &&
       (st->server.max_concurrent_frames == 0 || st->server.max_body_bytes == 0))) {
    nnrpi_free(mem, c);
    return NNRP_ERR_INVALID_ARGUMENT;
  }
  if (role == NNRP_ROLE_CLIENT && st->client.auth.len) {
    c->auth = nnrpi_malloc(mem, st->client.auth.len);
    if (!c->auth) {
      nnrpi_free(mem, c);
      return NNRP_ERR_NOMEM;
    }
    memcpy(c->auth, st->client.auth.base, st->client.auth.len);
    st->client.auth.base = c->auth;
  }
  c->dopts.flags = st->decode_flags;
  c->dopts.max_message_len = st->max_packet_bytes - NNRP_HEADER_LEN;
  int rc = nnrpi_session_new(c, &c->s);
  if (rc < 0) {
    nnrpi_free(mem, c->auth);
    nnrpi_free(mem, c);
    return rc;
  }
  c->paths[0].kind = NNRPI_PATH_PRIMARY;
  c->paths[0].gen = 0;
  c->paths[0].transport_id = st->transport_id;
  c->paths[0].until = NNRP_TSTAMP_NEVER;
  c->next_gen = 1;
  *pc = c;
  return 0;
}

int nnrp_conn_client_new(nnrp_conn **pc, const nnrp_settings *settings, const nnrp_callbacks *cb,
                         const nnrp_mem *mem, void *user) {
  return conn_new(pc, NNRP_ROLE_CLIENT, settings, cb, mem, user);
}

int nnrp_conn_server_new(nnrp_conn **pc, const nnrp_settings *settings, const nnrp_callbacks *cb,
                         const nnrp_mem *mem, void *user) {
  return conn_new(pc, NNRP_ROLE_SERVER, settings, cb, mem, user);
}

void nnrp_conn_del(nnrp_conn *c) {
  if (!c) return;
  nnrpi_outq_free(c);
  nnrpi_session_free(c, c->s);
  for (int i = 0; i < NNRPI_PATHS; i++) nnrpi_free(c->mem, c->paths[i].rx);
  nnrpi_free(c->mem, c->auth);
  nnrpi_free(c->mem, c);
}

void nnrp_conn_set_user(nnrp_conn *c, void *user) {
  c->user = user;
}
void *nnrp_conn_get_user(const nnrp_conn *c) {
  return c->user;
}

int nnrpi_cb_rc(nnrp_conn *c, int rc) {
  if (rc == 0) return 0;
  c->cb_failed = 1;
  return NNRP_ERR_CALLBACK;
}

void nnrpi_frames_touch(nnrpi_session *s, nnrp_tstamp t) {
  if (t < s->frames_next) s->frames_next = t;
}

/* ---- state changes and the close procedure --------------------------------------------------- */

void nnrpi_fail_all(nnrp_conn *c) {
  nnrpi_session *s = c->s;
  nnrpi_frametab *t = &s->frames;
  for (uint32_t i = 0; i < t->capacity && t->count; i++) {
    nnrpi_frame *f = &t->recs[i];
    if (!(f->flags & NNRPI_FR_IN_USE)) continue;
    nnrp_frame_outcome o;
    memset(&o, 0, sizeof(o));
    o.frame_id = f->frame_id;
    o.view_id = f->view_id;
    o.outcome = NNRP_OUTCOME_EXPIRED;
    o.cause = NNRP_CAUSE_SESSION_LOST;
    o.local_error = NNRP_ERR_CLOSED;
    o.frame_user = f->user;
    int held = (f->flags & NNRPI_FR_HELD) != 0;
    nnrpi_frametab_remove(t, f);
    if (!held) nnrpi_report(c, &o);
  }
  if (s->patch_pending) nnrpi_patch_fail(c, NNRP_ERR_CLOSED);
  if (c->mig.pending) nnrpi_migration_failed(c, NNRP_ERR_CLOSED, 0);
}

void nnrpi_set_state(nnrp_conn *c, nnrp_session_state to, nnrp_close_cause cause, int error) {
  nnrpi_session *s = c->s;
  nnrp_session_state from = s->state;
  if (from == to) return;
  s->state = to;
  if (to == NNRP_STATE_CLOSED) {
    s->hs_deadline = s->drain_deadline = NNRP_TSTAMP_NEVER;
    c->close_info.cause = cause;
    c->close_info.error = error;
    nnrpi_fail_all(c);
  }
  if (c->cb.state_change) nnrpi_cb_rc(c, c->cb.state_change(c, from, to, c->user));
  if (to == NNRP_STATE_CLOSED && c->cb.closed)
    nnrpi_cb_rc(c, c->cb.closed(c, &c->close_info, c->user));
}

void nnrpi_begin_drain(nnrp_conn *c, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  if (s->state != NNRP_STATE_ACTIVE) return;
  nnrpi_set_state(c, NNRP_STATE_DRAINING, NNRP_CLOSE_LOCAL, 0);
  s->drain_deadline = nnrpi_add_ms(now, c->settings.drain_timeout_ms);
  if (s->patch_pending) nnrpi_patch_fail(c, NNRP_ERR_CLOSED);
  /* §2.3 step 2: the server ends every open frame at once, then sends its own CLOSE. */
  if (c->role == NNRP_ROLE_SERVER) nnrpi_server_drop_all(c, NNRP_CAUSE_SESSION_LOST, now);
  nnrpi_check_drained(c, now);
}

void nnrpi_check_drained(nnrp_conn *c, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  if (s->state != NNRP_STATE_DRAINING || s->retired) return;
  if (s->frames.count) return;
  if (!s->close_sent) {
    s->close_sent = 1;
    s->last_send = now;
    nnrpi_send_simple(c, NNRP_MSG_CLOSE, s->session_id, 0, 0, 0, 0);
  }
  if (s->close_received || s->fatal_seen) {
    nnrp_close_cause cause = NNRP_CLOSE_LOCAL;
    if (s->fatal_seen == 1) cause = NNRP_CLOSE_ERROR_RECEIVED;
    if (s->fatal_seen == 2) cause = NNRP_CLOSE_ERROR_SENT;
    nnrpi_set_state(c, NNRP_STATE_CLOSED, cause, s->fatal_seen ? NNRP_ERR_PEER_ERROR : 0);
  }
}

int nnrp_conn_close(nnrp_conn *c, nnrp_vec reason, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  c->cb_failed = 0;
  switch (s->state) {
    case NNRP_STATE_INIT:
    case NNRP_STATE_NEGOTIATING:
      nnrpi_set_state(c, NNRP_STATE_CLOSED, NNRP_CLOSE_LOCAL, 0);
      break;
    case NNRP_STATE_ACTIVE: {
      int rc = nnrpi_send_close(c, reason);
      if (rc < 0) return rc;
      s->close_sent = 1;
      s->last_send = now;
      nnrpi_begin_drain(c, now);
      break;
    }
    case NNRP_STATE_DRAINING:
      nnrpi_set_state(c, NNRP_STATE_CLOSED, NNRP_CLOSE_LOCAL, 0);
      break;
    default:
      return NNRP_ERR_CLOSED;
  }
  return c->cb_failed ? NNRP_ERR_CALLBACK : 0;
}

/* ---- timers ---------------------------------------------------------------------------------- */

static nnrp_tstamp frames_expiry(nnrpi_session *s) {
  if (!s->frames_dirty) return s->frames_next;
  nnrp_tstamp t = NNRP_TSTAMP_NEVER;
  const nnrpi_frametab *ft = &s->frames;
  for (uint32_t i = 0, seen = 0; i < ft->capacity && seen < ft->count; i++) {
    const nnrpi_frame *f = &ft->recs[i];
    if (!(f->flags & NNRPI_FR_IN_USE)) continue;
    seen++;
    t = nnrpi_min_t(t, (f->flags & NNRPI_FR_HELD) ? f->hold_until : f->deadline);
  }
  s->frames_next = t;
  s->frames_dirty = 0;
  return t;
}

nnrp_tstamp nnrp_conn_expiry(nnrp_conn *c) {
  nnrpi_session *s = c->s;
  if (s->state == NNRP_STATE_CLOSED) return NNRP_TSTAMP_NEVER;
  nnrp_tstamp t = nnrpi_min_t(s->hs_deadline, s->drain_deadline);
  t = nnrpi_min_t(t, s->retire_at);
  t = nnrpi_min_t(t, frames_expiry(s));
  if (c->role == NNRP_ROLE_CLIENT && s->state == NNRP_STATE_ACTIVE && s->flow.resume_not_before)
    t = nnrpi_min_t(t, s->flow.resume_not_before);
  if (c->settings.keepalive_ms && s->state == NNRP_STATE_ACTIVE)
    t = nnrpi_min_t(t, nnrpi_add_ms(s->last_send, c->settings.keepalive_ms));
  if (s->cache_ready) t = nnrpi_min_t(t, nnrpi_cache_next_expiry(&s->cache));
  t = nnrpi_min_t(t, nnrpi_paths_expiry(c));
  return t;
}

int nnrp_conn_handle_expiry(nnrp_conn *c, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  c->cb_failed = 0;
  if (c->role == NNRP_ROLE_SERVER && s->state == NNRP_STATE_INIT &&
      s->hs_deadline == NNRP_TSTAMP_NEVER && !c->mig.request)
    s->hs_deadline = nnrpi_add_ms(now, c->settings.handshake_timeout_ms);
  if (s->state == NNRP_STATE_CLOSED) return 0;
  if (now >= s->hs_deadline) {
    /* §1.1 / transport §6.2: close without sending anything. */
    nnrpi_set_state(c, NNRP_STATE_CLOSED, NNRP_CLOSE_HANDSHAKE_TIMEOUT, NNRP_ERR_TIMEOUT);
    return c->cb_failed ? NNRP_ERR_CALLBACK : 0;
  }
  if (s->retired) {
    if (now >= s->retire_at) nnrpi_set_state(c, NNRP_STATE_CLOSED, NNRP_CLOSE_MIGRATED, 0);
    return c->cb_failed ? NNRP_ERR_CALLBACK : 0;
  }
  if (s->state == NNRP_STATE_DRAINING && now >= s->drain_deadline) {
    nnrpi_set_state(c, NNRP_STATE_CLOSED, NNRP_CLOSE_DRAIN_TIMEOUT, NNRP_ERR_TIMEOUT);
    return c->cb_failed ? NNRP_ERR_CALLBACK : 0;
  }
  int rc = 0;
  if (now >= frames_expiry(s)) {
    rc = c->role == NNRP_ROLE_CLIENT ? nnrpi_client_frames_expire(c, now)
                                     : nnrpi_server_frames_expire(c, now);
    if (rc < 0) return rc;
  }
  rc = nnrpi_paths_expire(c, now);
  if (rc < 0) return rc;
  if (s->cache_ready && now >= nnrpi_cache_next_expiry(&s->cache)) {
    rc = nnrpi_cache_expire_run(c, now);
    if (rc < 0) return rc;
  }
  if (c->settings.keepalive_ms && s->state == NNRP_STATE_ACTIVE &&
      now >= nnrpi_add_ms(s->last_send, c->settings.keepalive_ms)) {
    rc = nnrp_conn_ping(c, 0, now);
    if (rc < 0) return rc;
  }
  nnrpi_check_drained(c, now);
  return c->cb_failed ? NNRP_ERR_CALLBACK : 0;
}

/* ---- introspection --------------------------------------------------------------------------- */

nnrp_role nnrp_conn_role(const nnrp_conn *c) {
  return c->role;
}
nnrp_session_state nnrp_conn_state(const nnrp_conn *c) {
  return c->s->state;
}
uint32_t nnrp_conn_session_id(const nnrp_conn *c) {
  return c->s->session_id;
}
const nnrp_negotiated *nnrp_conn_negotiated(const nnrp_conn *c) {
  return c->s->has_neg ? &c->s->neg : NULL;
}
uint32_t nnrp_conn_path(const nnrp_conn *c) {
  return nnrpi_primary_gen(c);
}
uint32_t nnrp_conn_transport_id(const nnrp_conn *c) {
  for (int i = 0; i < NNRPI_PATHS; i++)
    if (c->paths[i].kind == NNRPI_PATH_PRIMARY) return c->paths[i].transport_id;
  return 0;
}

size_t nnrp_conn_in_flight(const nnrp_conn *c) {
  return c->s->frames.count;
}

static void frame_info(const nnrpi_frame *f, nnrp_frame_info *info) {
  info->frame_id = f->frame_id;
  info->view_id = f->view_id;
  info->state = (nnrp_frame_state)f->state;
  info->submitted = f->start;
  info->deadline = f->deadline;
  info->budget_policy = f->budget_policy;
  info->frame_user = f->user;
}

size_t nnrp_conn_in_flight_list(const nnrp_conn *c, nnrp_frame_info *out, size_t cap) {
  const nnrpi_frametab *t = &c->s->frames;
  size_t n = 0;
  for (uint32_t i = 0; i < t->capacity && n < t->count; i++) {
    const nnrpi_frame *f = &t->recs[i];
    if (!(f->flags & NNRPI_FR_IN_USE)) continue;
    if (n < cap) frame_info(f, &out[n]);
    n++;
  }
  return n;
}

int nnrp_conn_frame_info(const nnrp_conn *c, uint32_t frame_id, uint16_t view_id,
                         nnrp_frame_info *info) {
  const nnrpi_frame *f = nnrpi_frametab_find(&c->s->frames, frame_id, view_id);
  if (!f) return NNRP_ERR_FRAME_UNKNOWN;
  frame_info(f, info);
  return 0;
}

int nnrp_conn_frame_set_user(nnrp_conn *c, uint32_t frame_id, uint16_t view_id, void *frame_user) {
  nnrpi_frame *f = nnrpi_frametab_find(&c->s->frames, frame_id, view_id);
  if (!f) return NNRP_ERR_FRAME_UNKNOWN;
  f->user = frame_user;
  return 0;
}

void nnrp_conn_window(const nnrp_conn *c, nnrp_window_info *w) {
  const nnrpi_session *s = c->s;
  memset(w, 0, sizeof(*w));
  w->in_flight = s->frames.count;
  if (c->role == NNRP_ROLE_SERVER) {
    w->max_concurrent_frames = c->settings.server.max_concurrent_frames;
    w->window = s->credit_valid && s->credit < w->max_concurrent_frames ? s->credit
                                                                        : w->max_concurrent_frames;
    w->paused = s->paused_sent;
    w->connection_epoch = s->epoch_sent[NNRP_FLOW_SCOPE_CONNECTION];
    w->session_epoch = s->epoch_sent[NNRP_FLOW_SCOPE_SESSION];
    return;
  }
  const nnrp_flow_state *f = &s->flow;
  w->max_concurrent_frames = f->max_concurrent_frames;
  w->window = s->has_neg ? nnrpi_flow_window(f) : 0;
  if (w->window > s->frames.capacity) w->window = s->frames.capacity;
  w->paused = f->connection.paused || f->session.paused;
  w->backpressure = f->connection.backpressure_level > f->session.backpressure_level
                        ? f->connection.backpressure_level
                        : f->session.backpressure_level;
  uint32_t flags = f->connection.flags | f->session.flags;
  w->drain_in_flight_only = (flags & NNRP_FLOW_DRAIN_IN_FLIGHT_ONLY) != 0;
  w->background_only = (flags & NNRP_FLOW_BACKGROUND_ONLY) != 0;
  w->resume_not_before = f->resume_not_before;
  w->connection_epoch = f->connection.epoch;
  w->session_epoch = f->session.epoch;
}

int nnrp_conn_session_hint(const nnrp_conn *c, nnrp_result_hint_meta *m) {
  if (!c->s->has_session_hint) return NNRP_ERR_FRAME_UNKNOWN;
  *m = c->s->session_hint;
  return 0;
}

const nnrp_failure *nnrp_conn_last_error_sent(const nnrp_conn *c) {
  return &c->s->last_sent;
}
const nnrp_failure *nnrp_conn_last_error_received(const nnrp_conn *c) {
  return &c->s->last_recv;
}
const nnrp_conn_counters *nnrp_conn_counters_get(const nnrp_conn *c) {
  return &c->s->counters;
}
