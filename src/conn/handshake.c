/*
 * The handshake (session §1): the client's CLIENT_HELLO and its checks of SERVER_HELLO_ACK
 * (§1.3 checks 1-5), the server's rejection paths R1-R14 in order (§1.2) and its negotiation
 * (§1.3, §1.5), and the session tables both sides set up once ACTIVE.
 */
#include "conn_int.h"

#define KNOWN_CODECS 0x3u    /* codec ids 0-1 */
#define KNOWN_DTYPES 0xFFu   /* dtype ids 0-7 */
#define KNOWN_LAYOUTS 0x3u   /* layout ids 0-1 */
#define KNOWN_OBJECTS 0x1FFu /* cache object kinds 1-9 (§1.2 R7 choice) */

/* ---- client: CLIENT_HELLO -------------------------------------------------------------------- */

typedef struct hello_arg {
  nnrp_packet_params p;
  nnrp_client_hello_meta m;
  nnrp_ext_entry exts[3];
  size_t ext_count;
  nnrp_vec auth;
} hello_arg;

static int build_hello(const void *arg, nnrp_sink *sink) {
  const hello_arg *a = arg;
  return nnrp_build_client_hello(&a->p, &a->m, a->exts, a->ext_count, a->auth, sink);
}

int nnrp_conn_connect(nnrp_conn *c, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  if (c->role != NNRP_ROLE_CLIENT) return NNRP_ERR_UNSUPPORTED;
  if (s->state != NNRP_STATE_INIT) return NNRP_ERR_INVALID_STATE;
  c->cb_failed = 0;
  const nnrp_client_settings *cs = &c->settings.client;
  hello_arg a;
  memset(&a, 0, sizeof(a));
  uint8_t buf[3][8];
  int rc;
  if (cs->send_transport_policy) {
    rc = nnrp_ext_transport_policy_build(NNRP_EXT_TRANSPORT_POLICY, &cs->transport_policy, 0,
                                         buf[a.ext_count], &a.exts[a.ext_count]);
    if (rc < 0) return rc;
    a.ext_count++;
  }
  if (cs->send_loss_tolerance) {
    nnrp_loss_tolerance_ext v = {cs->loss_tolerance, 8};
    rc = nnrp_ext_loss_tolerance_build(NNRP_EXT_LOSS_TOLERANCE, &v, 0, buf[a.ext_count],
                                       &a.exts[a.ext_count]);
    if (rc < 0) return rc;
    a.ext_count++;
  }
  if (cs->send_payload_caps) {
    rc = nnrp_ext_payload_caps_build(NNRP_EXT_PAYLOAD_CAPABILITIES, &cs->payload_caps, 0,
                                     buf[a.ext_count], &a.exts[a.ext_count]);
    if (rc < 0) return rc;
    a.ext_count++;
  }
  a.m = cs->hello;
  a.auth = cs->auth;
  a.m.auth_bytes = (uint32_t)a.auth.len;
  a.m.control_extension_bytes = (uint32_t)nnrp_ext_block_len(a.exts, a.ext_count);
  a.p.flags = NNRP_FLAG_ACK_REQUIRED;
  nnrpi_pktinfo info = {nnrpi_primary_gen(c), NNRP_MSG_CLIENT_HELLO, 0, 0, 0, NULL};
  rc = nnrpi_queue(c, &info, build_hello, &a);
  if (rc < 0) return rc;
  s->neg.hello = a.m;
  s->last_send = now;
  s->hs_deadline = nnrpi_add_ms(now, c->settings.handshake_timeout_ms);
  nnrpi_set_state(c, NNRP_STATE_NEGOTIATING, NNRP_CLOSE_LOCAL, 0);
  return c->cb_failed ? NNRP_ERR_CALLBACK : 0;
}

/* ---- both: tables of an ACTIVE session ------------------------------------------------------- */

int nnrpi_session_activate(nnrp_conn *c, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  const nnrp_negotiated *n = &s->neg;
  s->session_id = n->session_id;
  s->has_neg = 1;
  s->last_send = now;
  s->hs_deadline = NNRP_TSTAMP_NEVER;

  nnrp_cache_limits lim;
  memset(&lim, 0, sizeof(lim));
  lim.enabled = n->cache_enabled;
  lim.object_bitmap = n->cache_enabled ? n->ack.cache_object_bitmap : 0;
  if (c->role == NNRP_ROLE_SERVER) {
    lim.max_entries = n->ack.max_cache_entries;
    lim.max_bytes = n->ack.max_cache_bytes;
    lim.max_ttl_ms = c->settings.server.max_cache_ttl_ms;
  } else {
    /* §5.2: the client as holder enforces what it announced. */
    lim.max_entries = n->hello.max_cache_entries;
    lim.max_bytes = n->hello.max_cache_bytes;
  }
  nnrpi_cache_init(&s->cache, c->mem, &lim);
  s->cache_ready = 1;

  if (c->role == NNRP_ROLE_CLIENT) {
    uint32_t cap = n->ack.max_concurrent_frames;
    if (cap > c->settings.client.max_in_flight) cap = c->settings.client.max_in_flight;
    if (cap == 0) cap = 1;
    int rc = nnrpi_frametab_init(&s->frames, c->mem, cap);
    if (rc < 0) return rc;
    nnrpi_flow_init(&s->flow, n->ack.max_concurrent_frames);
    s->tomb_cap = c->settings.client.tombstones ? c->settings.client.tombstones : 1;
    s->tomb = nnrpi_calloc(c->mem, s->tomb_cap, sizeof(*s->tomb));
    if (!s->tomb) return NNRP_ERR_NOMEM;
  } else {
    s->view_count = n->ack.max_lane_count ? n->ack.max_lane_count : 1;
    s->view_high = nnrpi_calloc(c->mem, s->view_count, sizeof(*s->view_high));
    if (!s->view_high) return NNRP_ERR_NOMEM;
    const nnrp_server_settings *v = &c->settings.server;
    nnrp_patch_policy *pol = &s->patch_pol;
    pol->active_profile_id = v->active_profile_id;
    pol->min_cadence_x100 = v->min_cadence_x100;
    pol->max_cadence_x100 = v->max_cadence_x100;
    pol->quality_tier_mask = v->quality_tier_mask;
    pol->accepted_codec_bitmap = n->ack.accepted_codec_bitmap;
    pol->accepted_compression_bitmap = n->ack.accepted_compression_bitmap;
    pol->max_lane_count = n->ack.max_lane_count;
    nnrp_patch_effective *e = &s->patch_eff;
    e->profile_id = v->active_profile_id;
    e->target_cadence_x100 = n->ack.target_cadence_x100;
    e->quality_tier = n->ack.quality_tier;
    e->degrade_policy = n->ack.degrade_policy;
    e->lane_mask =
        n->ack.max_lane_count >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << n->ack.max_lane_count) - 1);
    e->codec_bitmap = n->ack.accepted_codec_bitmap;
    e->compression_bitmap = n->ack.accepted_compression_bitmap;
    s->lane_mask = e->lane_mask;
  }
  return 0;
}

/* ---- server: R1-R14 and negotiation ---------------------------------------------------------- */

static uint16_t clamp16(uint16_t v, uint16_t lo, uint16_t hi) {
  if (lo && v < lo) return lo;
  if (hi && v > hi) return hi;
  return v;
}

static int reject(nnrp_conn *c, uint32_t code, uint32_t scope, uint32_t retry, uint64_t trace,
                  int err, nnrp_tstamp now) {
  return nnrpi_send_error(c, code, scope, 1, retry, 0, 0, trace, err, now);
}

/* §1.2 R7: the client's capability set must make sense on its own. */
static int hello_caps_valid(const nnrp_client_hello_meta *m) {
  if (!(m->supported_codec_bitmap & KNOWN_CODECS)) return 0;
  if (!(m->supported_dtype_bitmap & KNOWN_DTYPES)) return 0;
  if (!(m->supported_layout_bitmap & KNOWN_LAYOUTS)) return 0;
  if (!m->supported_payload_kind_bitmap || (m->supported_payload_kind_bitmap & ~NNRP_PAYLOAD_KNOWN))
    return 0;
  if (m->cache_object_bitmap & ~KNOWN_OBJECTS) return 0;
  if (m->max_lane_count == 0) return 0;
  if (m->cache_namespace_count > 0 && m->max_cache_entries == 0) return 0;
  if (m->target_cadence_x100 == 0 || m->latency_budget_ms == 0) return 0;
  return 1;
}

typedef struct ack_arg {
  nnrp_packet_params p;
  nnrp_server_hello_ack_meta m;
  nnrp_ext_entry exts[3];
  size_t ext_count;
} ack_arg;

static int build_ack(const void *arg, nnrp_sink *sink) {
  const ack_arg *a = arg;
  return nnrp_build_server_hello_ack(&a->p, &a->m, a->exts, a->ext_count, sink);
}

int nnrpi_server_hello(nnrp_conn *c, const nnrp_packet *p, int decode_rc, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  const nnrp_server_settings *v = &c->settings.server;
  const nnrp_client_hello_meta *m = &p->meta.client_hello;
  const nnrp_hello_body *b = &p->hello;
  uint64_t trace = p->header.trace_id;
  int rc;
  if (c->role != NNRP_ROLE_SERVER) return 0;
  nnrpi_set_state(c, NNRP_STATE_NEGOTIATING, NNRP_CLOSE_LOCAL, 0);

  /* Metadata payload-kind bits are R7 (unsupported_capability), not a parse failure. */
  int meta_kinds = decode_rc == NNRP_ERR_PAYLOAD_KIND_BITS &&
                   (m->supported_payload_kind_bitmap & ~NNRP_PAYLOAD_KNOWN);
  if (decode_rc < 0 && !meta_kinds) {
    /* R1 / R4 / R5 / R13: malformed_body, or unsupported_capability for an unknown critical
     * extension. */
    uint32_t code = decode_rc == NNRP_ERR_EXT_UNKNOWN_CRITICAL
                        ? NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY
                        : NNRP_ERROR_CODE_MALFORMED_BODY;
    return reject(c, code, NNRP_SCOPE_CONNECTION, 0, trace, decode_rc, now);
  }
  /* R2, R3. */
  if (!(m->supported_wire_format_bitmap & 0x1))
    return reject(c, NNRP_ERROR_CODE_UNSUPPORTED_VERSION, NNRP_SCOPE_CONNECTION, 0, trace,
                  NNRP_ERR_WIRE_FORMAT, now);
  if (!(c->settings.decode_flags & NNRP_DECODE_PY_COMPAT) &&
      (m->min_version_major > NNRP_VERSION_MAJOR || m->max_version_major < NNRP_VERSION_MAJOR))
    return reject(c, NNRP_ERROR_CODE_UNSUPPORTED_VERSION, NNRP_SCOPE_CONNECTION, 0, trace,
                  NNRP_ERR_VERSION, now);
  /* R6 (R4/R5 were decode failures). */
  uint32_t token_ttl = v->token_ttl_ms;
  if (!meta_kinds && c->cb.authenticate &&
      c->cb.authenticate(c, m, b->auth, &token_ttl, c->user) != 0)
    return reject(c, NNRP_ERROR_CODE_AUTH_FAILED, NNRP_SCOPE_CONNECTION, 0, trace,
                  NNRP_ERR_AUTH_FAILED, now);
  /* R7 - R12: session scope, fatal during the handshake. */
  if (meta_kinds || !hello_caps_valid(m))
    return reject(c, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY, NNRP_SCOPE_SESSION, 0, trace,
                  NNRP_ERR_NEGOTIATION, now);
  if (m->max_lane_count > v->max_lane_count)
    return reject(c, NNRP_ERROR_CODE_LIMIT_EXCEEDED, NNRP_SCOPE_SESSION, 0, trace, NNRP_ERR_LIMIT,
                  now);
  uint32_t codecs = m->supported_codec_bitmap & v->codec_bitmap & KNOWN_CODECS;
  uint32_t dtypes = m->supported_dtype_bitmap & v->dtype_bitmap & KNOWN_DTYPES;
  uint32_t layouts = m->supported_layout_bitmap & v->layout_bitmap & KNOWN_LAYOUTS;
  uint32_t kinds = m->supported_payload_kind_bitmap & v->payload_kind_bitmap;
  if (b->present & NNRP_HELLO_HAS_PAYLOAD_CAPS) kinds &= b->payload_caps.payload_kind_bitmap;
  if (!codecs || !dtypes || !layouts || !kinds)
    return reject(c, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY, NNRP_SCOPE_SESSION, 0, trace,
                  NNRP_ERR_NEGOTIATION, now);
  /* §1.5: a forced transport must be the one in use. */
  uint32_t transport = c->settings.transport_id;
  if (b->present & NNRP_HELLO_HAS_TRANSPORT_POLICY) {
    uint8_t pol = b->transport_policy.transport_policy;
    if (transport &&
        ((pol == NNRP_TRANSPORT_POLICY_FORCE_QUIC && transport != NNRP_TRANSPORT_QUIC) ||
         (pol == NNRP_TRANSPORT_POLICY_FORCE_TCP && transport != NNRP_TRANSPORT_TCP)))
      return reject(c, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY, NNRP_SCOPE_CONNECTION, 0, trace,
                    NNRP_ERR_NEGOTIATION, now);
  }
  /* R14 and the session id (§1.4). */
  uint32_t sid = m->requested_session_id ? m->requested_session_id : 1, retry = 0;
  if (s->busy)
    return reject(c, NNRP_ERROR_CODE_SERVER_BUSY, NNRP_SCOPE_CONNECTION, s->busy_retry_after_ms,
                  trace, NNRP_ERR_SERVER_BUSY, now);
  if (c->cb.session_id) {
    rc = c->cb.session_id(c, m->requested_session_id, &sid, &retry, c->user);
    if (rc != 0 || sid == 0)
      return reject(c, NNRP_ERROR_CODE_SERVER_BUSY, NNRP_SCOPE_CONNECTION, retry, trace,
                    NNRP_ERR_SERVER_BUSY, now);
  }

  /* Negotiate (§1.3). */
  nnrp_negotiated *n = &s->neg;
  memset(n, 0, sizeof(*n));
  n->session_id = sid;
  n->hello = *m;
  n->transport_id = transport;
  nnrp_server_hello_ack_meta *a = &n->ack;
  a->selected_version_major = NNRP_VERSION_MAJOR;
  a->selected_wire_format = NNRP_WIRE_FORMAT;
  a->session_id = sid;
  a->accepted_profile_bitmap = m->supported_profile_bitmap & v->profile_bitmap;
  a->accepted_payload_kind_bitmap = kinds;
  a->accepted_codec_bitmap = m->supported_codec_bitmap & v->codec_bitmap;
  a->accepted_compression_bitmap = m->supported_compression_bitmap & v->compression_bitmap;
  a->accepted_dtype_bitmap = m->supported_dtype_bitmap & v->dtype_bitmap;
  a->accepted_layout_bitmap = m->supported_layout_bitmap & v->layout_bitmap;
  uint32_t objects = m->cache_object_bitmap & v->cache_object_bitmap;
  n->cache_enabled = m->cache_namespace_count > 0 && v->cache_enabled && objects != 0;
  if (n->cache_enabled) {
    a->cache_digest_bitmap = 0x1;
    a->cache_object_bitmap = objects;
    a->max_cache_entries =
        m->max_cache_entries < v->max_cache_entries ? m->max_cache_entries : v->max_cache_entries;
    a->max_cache_bytes =
        m->max_cache_bytes < v->max_cache_bytes ? m->max_cache_bytes : v->max_cache_bytes;
  }
  a->max_lane_count = m->max_lane_count;
  a->max_concurrent_frames = v->max_concurrent_frames;
  a->target_cadence_x100 =
      clamp16(m->target_cadence_x100, v->min_cadence_x100, v->max_cadence_x100);
  a->latency_budget_ms =
      clamp16(m->latency_budget_ms, v->min_latency_budget_ms, v->max_latency_budget_ms);
  a->quality_tier =
      m->quality_tier < 32 && (v->quality_tier_mask >> m->quality_tier & 1) ? m->quality_tier : 0;
  a->degrade_policy = m->degrade_policy <= 3 && (v->degrade_policy_mask >> m->degrade_policy & 1)
                          ? m->degrade_policy
                          : 0;
  a->max_body_bytes = v->max_body_bytes;
  a->token_ttl_ms = token_ttl;
  a->server_flags =
      (v->server_flags & (NNRP_SERVER_SESSION_RESUME | NNRP_SERVER_PROFILE_PATCH_REQUIRED)) |
      (n->cache_enabled ? NNRP_SERVER_CACHE_ENABLED : 0);

  /* Extension answers, only when asked (§1.5). */
  ack_arg aa;
  memset(&aa, 0, sizeof(aa));
  uint8_t buf[3][8];
  n->loss_tolerance = NNRP_LOSS_BEST_EFFORT;
  if (b->present & NNRP_HELLO_HAS_TRANSPORT_POLICY) {
    nnrp_transport_policy_ext t = b->transport_policy;
    t.accepted_transport_policy = t.transport_policy;
    t.transport_id = transport ? transport : (t.transport_id ? t.transport_id : NNRP_TRANSPORT_TCP);
    rc = nnrp_ext_transport_policy_build(NNRP_EXT_TRANSPORT_POLICY_ACK, &t, 0, buf[aa.ext_count],
                                         &aa.exts[aa.ext_count]);
    if (rc < 0) return rc;
    aa.ext_count++;
    n->transport_policy = t;
    n->ack_extensions |= NNRP_HELLO_HAS_TRANSPORT_POLICY;
  }
  if (b->present & NNRP_HELLO_HAS_LOSS_TOLERANCE) {
    nnrp_loss_tolerance_ext l = {b->loss_tolerance.loss_tolerance, 8};
    if (!v->can_retransmit && l.loss_tolerance == NNRP_LOSS_STRICT)
      l.loss_tolerance = NNRP_LOSS_BEST_EFFORT;
    rc = nnrp_ext_loss_tolerance_build(NNRP_EXT_LOSS_TOLERANCE_ACK, &l, 0, buf[aa.ext_count],
                                       &aa.exts[aa.ext_count]);
    if (rc < 0) return rc;
    aa.ext_count++;
    n->loss_tolerance = l.loss_tolerance;
    n->ack_extensions |= NNRP_HELLO_HAS_LOSS_TOLERANCE;
  }
  if (b->present & NNRP_HELLO_HAS_PAYLOAD_CAPS) {
    nnrp_payload_caps_ext pc = {kinds, 0};
    rc = nnrp_ext_payload_caps_build(NNRP_EXT_PAYLOAD_CAPABILITIES_ACK, &pc, 0, buf[aa.ext_count],
                                     &aa.exts[aa.ext_count]);
    if (rc < 0) return rc;
    aa.ext_count++;
    n->payload_caps = pc;
    n->ack_extensions |= NNRP_HELLO_HAS_PAYLOAD_CAPS;
  }
  a->control_extension_bytes = (uint32_t)nnrp_ext_block_len(aa.exts, aa.ext_count);
  aa.m = *a;
  aa.p.session_id = sid;
  aa.p.trace_id = trace;
  nnrpi_pktinfo info = {nnrpi_primary_gen(c), NNRP_MSG_SERVER_HELLO_ACK, 0, 0, 0, NULL};
  rc = nnrpi_queue(c, &info, build_ack, &aa);
  if (rc < 0) return rc;
  rc = nnrpi_session_activate(c, now);
  if (rc < 0) return rc;
  nnrpi_set_state(c, NNRP_STATE_ACTIVE, NNRP_CLOSE_LOCAL, 0);
  if (c->cb.handshake_completed) nnrpi_cb_rc(c, c->cb.handshake_completed(c, n, c->user));
  if (v->grant_on_handshake && s->state == NNRP_STATE_ACTIVE) {
    nnrp_flow_update_meta g;
    memset(&g, 0, sizeof(g));
    g.scope_kind = NNRP_FLOW_SCOPE_SESSION;
    g.update_reason = NNRP_FLOW_GRANT;
    g.session_credit = v->max_concurrent_frames;
    g.flags = NNRP_FLOW_CREDIT_VALID;
    rc = nnrp_conn_send_flow_update(c, &g, now);
    if (rc < 0) return rc;
  }
  return 0;
}

/* ---- client: SERVER_HELLO_ACK checks (§1.3 client checks 1-5) -------------------------------- */

static void ack_failure(nnrp_conn *c, int err, uint32_t code, int send_close, uint32_t sid) {
  if (send_close) {
    /* The server already considers the session ACTIVE. */
    c->s->session_id = sid;
    nnrpi_send_simple(c, NNRP_MSG_CLOSE, sid, 0, 0, 0, 0);
  }
  nnrpi_local_failure(c, err, code, NNRP_CLOSE_HANDSHAKE_FAILED);
}

int nnrpi_client_ack(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  const nnrp_server_hello_ack_meta *a = &p->meta.server_hello_ack;
  const nnrp_client_hello_meta *h = &s->neg.hello;
  const nnrp_client_settings *cs = &c->settings.client;
  if (c->role != NNRP_ROLE_CLIENT) return 0;
  /* 1, 2: no CLOSE. */
  if (a->selected_wire_format != NNRP_WIRE_FORMAT) {
    ack_failure(c, NNRP_ERR_WIRE_FORMAT, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY, 0, 0);
    return 0;
  }
  if (a->selected_version_major != NNRP_VERSION_MAJOR) {
    ack_failure(c, NNRP_ERR_VERSION, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY, 0, 0);
    return 0;
  }
  if (a->auth_status != 0) {
    ack_failure(c, NNRP_ERR_AUTH_FAILED, NNRP_ERROR_CODE_AUTH_FAILED, 0, 0);
    return 0;
  }
  /* 3: re-validate the ACK as server capabilities. */
  int cache_on = (a->server_flags & NNRP_SERVER_CACHE_ENABLED) || a->cache_digest_bitmap ||
                 a->cache_object_bitmap;
  if (!(a->accepted_codec_bitmap & h->supported_codec_bitmap) ||
      !(a->accepted_dtype_bitmap & h->supported_dtype_bitmap) ||
      !(a->accepted_layout_bitmap & h->supported_layout_bitmap) ||
      !(a->accepted_payload_kind_bitmap & h->supported_payload_kind_bitmap)) {
    ack_failure(c, NNRP_ERR_NEGOTIATION, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY, 1, a->session_id);
    return 0;
  }
  if (a->max_concurrent_frames == 0 || a->max_body_bytes == 0 || a->max_lane_count == 0 ||
      a->max_lane_count < h->max_lane_count || (cache_on && a->max_cache_entries == 0)) {
    ack_failure(c, NNRP_ERR_LIMIT, NNRP_ERROR_CODE_LIMIT_EXCEEDED, 1, a->session_id);
    return 0;
  }
  /* 4: a forced transport must be echoed and be the one in use. */
  const nnrp_hello_body *b = &p->hello;
  uint8_t pol = cs->transport_policy.transport_policy;
  if (cs->send_transport_policy &&
      (pol == NNRP_TRANSPORT_POLICY_FORCE_QUIC || pol == NNRP_TRANSPORT_POLICY_FORCE_TCP)) {
    if (!(b->present & NNRP_HELLO_HAS_TRANSPORT_POLICY)) {
      ack_failure(c, NNRP_ERR_EXT_TYPE, NNRP_ERROR_CODE_MALFORMED_BODY, 1, a->session_id);
      return 0;
    }
    uint32_t want =
        c->settings.transport_id
            ? c->settings.transport_id
            : (pol == NNRP_TRANSPORT_POLICY_FORCE_QUIC ? NNRP_TRANSPORT_QUIC : NNRP_TRANSPORT_TCP);
    if (b->transport_policy.transport_id != want) {
      ack_failure(c, NNRP_ERR_NEGOTIATION, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY, 1,
                  a->session_id);
      return 0;
    }
  }
  /* 5: adopt the metadata session id and the limits. */
  nnrp_negotiated *n = &s->neg;
  n->session_id = a->session_id;
  n->ack = *a;
  n->cache_enabled = cache_on && a->cache_object_bitmap != 0;
  n->transport_id = c->settings.transport_id;
  n->ack_extensions = b->present;
  n->transport_policy = b->transport_policy;
  n->payload_caps = b->payload_caps;
  n->loss_tolerance = (b->present & NNRP_HELLO_HAS_LOSS_TOLERANCE)
                          ? b->loss_tolerance.loss_tolerance
                          : (uint8_t)NNRP_LOSS_BEST_EFFORT;
  int rc = nnrpi_session_activate(c, now);
  if (rc < 0) return rc;
  nnrpi_set_state(c, NNRP_STATE_ACTIVE, NNRP_CLOSE_LOCAL, 0);
  if (c->cb.handshake_completed) nnrpi_cb_rc(c, c->cb.handshake_completed(c, n, c->user));
  return 0;
}
