/*
 * Input: stream reassembly (only a trailing partial packet is ever buffered; whole packets are
 * decoded in place), the checks that apply to every message (session §2.4), the per-state
 * acceptance tables of both roles, and dispatch to the message handlers.  Also the ERROR
 * sender shared by every module (§2.6 sender side).
 */
#include "conn_int.h"

/* ---- ERROR and local failures ---------------------------------------------------------------- */

typedef struct error_arg {
  nnrp_packet_params p;
  nnrp_error_meta m;
  nnrp_vec diag;
} error_arg;

static int build_error(const void *arg, nnrp_sink *sink) {
  const error_arg *a = arg;
  return nnrp_build_error(&a->p, &a->m, a->diag, sink);
}

int nnrpi_send_error(nnrp_conn *c, uint32_t code, uint32_t scope, int fatal,
                     uint32_t retry_after_ms, uint32_t frame_id, uint16_t view_id,
                     uint64_t trace_id, int local_error, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  error_arg a;
  memset(&a, 0, sizeof(a));
  a.m.error_code = code;
  a.m.error_scope = scope;
  a.m.is_fatal = fatal ? 1 : 0;
  a.m.retry_after_ms = retry_after_ms;
  a.m.related_session_id = s->session_id;
  if (scope == NNRP_SCOPE_FRAME) {
    a.m.related_frame_id = frame_id;
    a.m.related_view_id = view_id;
    a.p.frame_id = frame_id;
    a.p.view_id = view_id;
  }
  a.p.session_id = s->session_id;
  a.p.trace_id = trace_id;
  const char *text = local_error ? nnrp_strerror(local_error) : "";
  a.diag.base = (const uint8_t *)text;
  a.diag.len = strlen(text);
  nnrpi_pktinfo info = {nnrpi_primary_gen(c), NNRP_MSG_ERROR, a.p.frame_id, a.p.view_id, 0, NULL};
  int rc = nnrpi_queue(c, &info, build_error, &a);
  if (rc < 0) return rc;
  s->last_send = now;
  s->last_sent.valid = 1;
  s->last_sent.local_error = local_error;
  s->last_sent.meta = a.m;
  s->last_sent.trace_id = trace_id;
  s->counters.errors_sent++;
  if (fatal) {
    if (s->state == NNRP_STATE_INIT || s->state == NNRP_STATE_NEGOTIATING) {
      nnrpi_set_state(c, NNRP_STATE_CLOSED, NNRP_CLOSE_ERROR_SENT, local_error);
    } else if (s->state == NNRP_STATE_ACTIVE) {
      s->fatal_seen = 2;
      nnrpi_begin_drain(c, now);
    }
  }
  return 0;
}

void nnrpi_local_failure(nnrp_conn *c, int err, uint32_t code, nnrp_close_cause cause) {
  nnrpi_session *s = c->s;
  s->last_sent.valid = 1;
  s->last_sent.local_error = err;
  memset(&s->last_sent.meta, 0, sizeof(s->last_sent.meta));
  s->last_sent.meta.error_code = code;
  s->last_sent.meta.error_scope = NNRP_SCOPE_CONNECTION;
  s->last_sent.meta.is_fatal = 1;
  nnrpi_set_state(c, NNRP_STATE_CLOSED, cause, err);
}

/* The byte stream cannot be trusted any more (§2.4 check 3): fatal ERROR, CLOSED at once. */
static int stream_failure(nnrp_conn *c, int err, uint32_t code, uint64_t trace, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  if (s->state != NNRP_STATE_CLOSED) {
    int rc = nnrpi_send_error(c, code, NNRP_SCOPE_CONNECTION, 1, 0, 0, 0, trace, err, now);
    if (rc < 0) return rc;
    nnrpi_set_state(c, NNRP_STATE_CLOSED, NNRP_CLOSE_ERROR_SENT, err);
  }
  return err;
}

/* ---- acceptance tables (§2.4) ---------------------------------------------------------------- */

enum { ACT_OK, ACT_DROP, ACT_INVALID, ACT_LOCAL_CLOSE, ACT_R1 };

static int server_to_client_only(unsigned t) {
  return t == NNRP_MSG_SERVER_HELLO_ACK || t == NNRP_MSG_SESSION_PATCH_ACK ||
         t == NNRP_MSG_RESULT_PUSH || t == NNRP_MSG_RESULT_DROP || t == NNRP_MSG_RESULT_HINT ||
         t == NNRP_MSG_TRANSPORT_PROBE_ACK || t == NNRP_MSG_SESSION_MIGRATE_ACK;
}

static int client_to_server_only(unsigned t) {
  return t == NNRP_MSG_CLIENT_HELLO || t == NNRP_MSG_SESSION_PATCH || t == NNRP_MSG_FRAME_SUBMIT ||
         t == NNRP_MSG_FRAME_CANCEL || t == NNRP_MSG_TRANSPORT_PROBE ||
         t == NNRP_MSG_SESSION_MIGRATE;
}

static int server_accept(nnrp_session_state st, unsigned t) {
  int pre =
      t == NNRP_MSG_CLIENT_HELLO || t == NNRP_MSG_TRANSPORT_PROBE || t == NNRP_MSG_SESSION_MIGRATE;
  int quiet = t == NNRP_MSG_FRAME_CANCEL || t == NNRP_MSG_CACHE_ACK || t == NNRP_MSG_FLOW_UPDATE ||
              t == NNRP_MSG_PING || t == NNRP_MSG_PONG;
  int end = t == NNRP_MSG_CLOSE || t == NNRP_MSG_ERROR;
  switch (st) {
    case NNRP_STATE_INIT:
      return pre || end ? ACT_OK : ACT_R1;
    case NNRP_STATE_NEGOTIATING:
      return end ? ACT_OK : quiet ? ACT_DROP : ACT_INVALID;
    case NNRP_STATE_ACTIVE:
      return pre || server_to_client_only(t) ? ACT_INVALID : ACT_OK;
    case NNRP_STATE_DRAINING:
      if (pre || server_to_client_only(t)) return ACT_DROP;
      if (t == NNRP_MSG_SESSION_PATCH || t == NNRP_MSG_FRAME_SUBMIT || t == NNRP_MSG_CACHE_PUT ||
          t == NNRP_MSG_CACHE_INVALIDATE)
        return ACT_INVALID;
      return ACT_OK;
    default:
      return ACT_DROP;
  }
}

static int client_accept(nnrp_session_state st, unsigned t) {
  switch (st) {
    case NNRP_STATE_INIT:
      return t == NNRP_MSG_TRANSPORT_PROBE_ACK || t == NNRP_MSG_CLOSE || t == NNRP_MSG_ERROR
                 ? ACT_OK
                 : ACT_DROP;
    case NNRP_STATE_NEGOTIATING:
      return t == NNRP_MSG_SERVER_HELLO_ACK || t == NNRP_MSG_ERROR || t == NNRP_MSG_CLOSE
                 ? ACT_OK
                 : ACT_LOCAL_CLOSE;
    case NNRP_STATE_ACTIVE:
      if (client_to_server_only(t) || t == NNRP_MSG_SERVER_HELLO_ACK ||
          t == NNRP_MSG_SESSION_MIGRATE_ACK || t == NNRP_MSG_TRANSPORT_PROBE_ACK)
        return ACT_INVALID;
      return ACT_OK;
    case NNRP_STATE_DRAINING:
      if (client_to_server_only(t) || t == NNRP_MSG_SERVER_HELLO_ACK ||
          t == NNRP_MSG_SESSION_MIGRATE_ACK || t == NNRP_MSG_TRANSPORT_PROBE_ACK ||
          t == NNRP_MSG_CACHE_PUT || t == NNRP_MSG_CACHE_INVALIDATE)
        return ACT_DROP;
      return ACT_OK;
    default:
      return ACT_DROP;
  }
}

/* ---- one packet ------------------------------------------------------------------------------ */

static int recv_close(nnrp_conn *c, nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  if (s->state == NNRP_STATE_INIT || s->state == NNRP_STATE_NEGOTIATING) {
    nnrpi_set_state(c, NNRP_STATE_CLOSED, NNRP_CLOSE_PEER, 0);
    return 0;
  }
  s->close_received = 1;
  if (s->state == NNRP_STATE_ACTIVE)
    nnrpi_begin_drain(c, now);
  else
    nnrpi_check_drained(c, now);
  return 0;
}

/* A metadata / body failure of a well-framed packet (§2.4 check 4). */
static int body_failure(nnrp_conn *c, const nnrp_packet *p, int err, nnrp_tstamp now) {
  const nnrp_header *h = &p->header;
  nnrpi_session *s = c->s;
  uint32_t code = nnrp_err_protocol_code(err);
  if (!code) code = NNRP_ERROR_CODE_MALFORMED_BODY;
  if (s->state == NNRP_STATE_INIT) {
    /* R1 (and a malformed probe or SESSION_MIGRATE): the first packet was not usable. */
    if (h->msg_type == NNRP_MSG_CLIENT_HELLO) return nnrpi_server_hello(c, p, err, now);
    return nnrpi_send_error(c, NNRP_ERROR_CODE_MALFORMED_BODY, NNRP_SCOPE_CONNECTION, 1, 0, 0, 0,
                            h->trace_id, err, now);
  }
  if (s->state == NNRP_STATE_NEGOTIATING && c->role == NNRP_ROLE_CLIENT) {
    nnrpi_local_failure(c, err, code, NNRP_CLOSE_HANDSHAKE_FAILED);
    return 0;
  }
  switch (h->msg_type) {
    case NNRP_MSG_FRAME_SUBMIT:
      return nnrpi_send_error(c, code, NNRP_SCOPE_FRAME, 0, 0, h->frame_id, h->view_id, h->trace_id,
                              err, now);
    case NNRP_MSG_RESULT_PUSH:
      return nnrpi_client_bad_result(c, h, err, now);
    case NNRP_MSG_ERROR:
      return 0; /* never answer an ERROR with an ERROR */
    case NNRP_MSG_FLOW_UPDATE:
      if (err == NNRP_ERR_FLOW_SESSION_BINDING) /* §4.3 step 2: a state error */
        return nnrpi_send_error(c, NNRP_ERROR_CODE_INVALID_STATE, NNRP_SCOPE_SESSION, 0, 0, 0, 0,
                                h->trace_id, err, now);
      break;
    default:
      break;
  }
  return nnrpi_send_error(c, code, NNRP_SCOPE_SESSION, 0, 0, 0, 0, h->trace_id, err, now);
}

static int dispatch(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now) {
  const nnrp_header *h = &p->header;
  switch (h->msg_type) {
    case NNRP_MSG_CLIENT_HELLO:
      return nnrpi_server_hello(c, p, 0, now);
    case NNRP_MSG_SERVER_HELLO_ACK:
      return nnrpi_client_ack(c, p, now);
    case NNRP_MSG_CLOSE:
      return recv_close(c, now);
    case NNRP_MSG_ERROR:
      return nnrpi_recv_error(c, p, now);
    case NNRP_MSG_SESSION_PATCH:
      return nnrpi_recv_patch(c, p, now);
    case NNRP_MSG_SESSION_PATCH_ACK:
      return nnrpi_recv_patch_ack(c, p, now);
    case NNRP_MSG_FRAME_SUBMIT:
      return nnrpi_server_submit(c, p, now);
    case NNRP_MSG_FRAME_CANCEL:
      return nnrpi_server_cancel(c, h, now);
    case NNRP_MSG_RESULT_PUSH:
      return nnrpi_client_result(c, p, nnrpi_primary_gen(c), now);
    case NNRP_MSG_RESULT_DROP:
      return nnrpi_client_drop(c, h, now);
    case NNRP_MSG_CACHE_PUT:
      return nnrpi_recv_cache_put(c, p, now);
    case NNRP_MSG_CACHE_ACK:
      return nnrpi_recv_cache_ack(c, p, now);
    case NNRP_MSG_CACHE_INVALIDATE:
      return nnrpi_recv_cache_invalidate(c, p, now);
    case NNRP_MSG_FLOW_UPDATE:
      return nnrpi_recv_flow_update(c, p, now);
    case NNRP_MSG_RESULT_HINT:
      nnrpi_client_hint(c, h, &p->meta.result_hint);
      return 0;
    case NNRP_MSG_TRANSPORT_PROBE:
      return nnrpi_recv_probe(c, p, now);
    case NNRP_MSG_TRANSPORT_PROBE_ACK:
      return nnrpi_recv_probe_ack(c, p, now);
    case NNRP_MSG_SESSION_MIGRATE:
      return nnrpi_recv_migrate(c, p, now);
    case NNRP_MSG_PING:
      return nnrpi_recv_ping(c, h, now);
    case NNRP_MSG_PONG:
      return nnrpi_recv_pong(c, h, now);
    default:
      return 0;
  }
}

/* One whole packet whose header already passed the framing checks. */
static int process(nnrp_conn *c, nnrpi_path *path, const uint8_t *data, size_t len,
                   nnrp_tstamp now) {
  nnrpi_session *s = c->s;
  if (s->state == NNRP_STATE_CLOSED || s->retired) return 0;
  s->counters.packets_in++;
  s->counters.bytes_in += len;

  nnrp_packet p;
  nnrp_diag diag;
  unsigned type = data[6];

  if (path->kind == NNRPI_PATH_PENDING) {
    int rc = nnrp_packet_decode(&p, data, len, &c->dopts, &diag);
    return nnrpi_pending_path_packet(c, &p, rc, now);
  }
  if (path->kind == NNRPI_PATH_GRACE) {
    /* The old path only delivers results of frames already in flight (transport §5.2). */
    if (type != NNRP_MSG_RESULT_PUSH && type != NNRP_MSG_RESULT_DROP) return 0;
    if (nnrp_packet_decode(&p, data, len, &c->dopts, &diag) < 0) return 0;
    if (type == NNRP_MSG_RESULT_DROP) return nnrpi_client_drop(c, &p.header, now);
    return nnrpi_client_result(c, &p, path->gen, now);
  }

  int act =
      c->role == NNRP_ROLE_SERVER ? server_accept(s->state, type) : client_accept(s->state, type);
  if (act == ACT_DROP) return 0;

  int rc = nnrp_packet_decode(&p, data, len, &c->dopts, &diag);
  const nnrp_header *h = &p.header;
  if (act == ACT_R1) {
    /* §1.2 R1: the first message is not a CLIENT_HELLO. */
    return nnrpi_send_error(c, NNRP_ERROR_CODE_MALFORMED_BODY, NNRP_SCOPE_CONNECTION, 1, 0, 0, 0,
                            h->trace_id, NNRP_ERR_INVALID_STATE, now);
  }
  if (act == ACT_LOCAL_CLOSE) {
    nnrpi_local_failure(c, NNRP_ERR_INVALID_STATE, NNRP_ERROR_CODE_INVALID_STATE,
                        NNRP_CLOSE_HANDSHAKE_FAILED);
    return 0;
  }
  if (act == ACT_INVALID) {
    /* A misplaced FRAME_SUBMIT names its frame (server tables); everything else the session. */
    int frame = type == NNRP_MSG_FRAME_SUBMIT && c->role == NNRP_ROLE_SERVER;
    return nnrpi_send_error(c, NNRP_ERROR_CODE_INVALID_STATE,
                            frame ? NNRP_SCOPE_FRAME : NNRP_SCOPE_SESSION, 0, 0, h->frame_id,
                            h->view_id, h->trace_id, NNRP_ERR_INVALID_STATE, now);
  }
  /* §2.4 check 1: the header session id (connection-scope FLOW_UPDATE is bound by §4.3). */
  if ((s->state == NNRP_STATE_ACTIVE || s->state == NNRP_STATE_DRAINING) &&
      type != NNRP_MSG_FLOW_UPDATE && type != NNRP_MSG_ERROR && h->session_id != s->session_id)
    return nnrpi_send_error(c, NNRP_ERROR_CODE_INVALID_STATE, NNRP_SCOPE_SESSION, 0, 0, 0, 0,
                            h->trace_id, NNRP_ERR_SESSION_ID, now);
  if (rc < 0) return body_failure(c, &p, rc, now);
  return dispatch(c, &p, now);
}

/*
 * Framing checks on a complete header: strict header validation (a failure breaks the stream)
 * and the negotiated body limit (§2.4 check 2; the packet is skipped, not buffered).
 * Returns 0, 1 (skip the packet) or a negative error.
 */
static int framing(nnrp_conn *c, const uint8_t *data, size_t len, size_t *plen, nnrp_tstamp now) {
  nnrp_header h;
  int rc = nnrp_header_decode(&h, data, len, &c->dopts);
  if (rc < 0) {
    uint32_t code = nnrp_err_protocol_code(rc);
    if (!code) code = NNRP_ERROR_CODE_MALFORMED_HEADER;
    return stream_failure(c, rc, code, 0, now);
  }
  *plen = (size_t)NNRP_HEADER_LEN + h.meta_len + h.body_len;
  nnrpi_session *s = c->s;
  if (c->role == NNRP_ROLE_SERVER && s->has_neg &&
      (s->state == NNRP_STATE_ACTIVE || s->state == NNRP_STATE_DRAINING) &&
      h.body_len > s->neg.ack.max_body_bytes) {
    int frame = h.msg_type == NNRP_MSG_FRAME_SUBMIT;
    rc = nnrpi_send_error(c, NNRP_ERROR_CODE_LIMIT_EXCEEDED,
                          frame ? NNRP_SCOPE_FRAME : NNRP_SCOPE_SESSION, 0, 0, h.frame_id,
                          h.view_id, h.trace_id, NNRP_ERR_LIMIT, now);
    return rc < 0 ? rc : 1;
  }
  return 0;
}

/*
 * Room for `need` buffered bytes of a packet of `plen`.  The buffer grows with the bytes that
 * actually arrive (doubling, never past the packet), so a peer that announces a large packet
 * and sends only its header holds a few bytes, not the declared size.
 */
static int rx_reserve(nnrp_conn *c, nnrpi_path *path, size_t need, size_t plen) {
  if (path->rx_cap >= need) return 0;
  size_t n = path->rx_cap ? path->rx_cap : 256;
  while (n < need) n = n > plen / 2 ? plen : n * 2;
  if (n < need) n = need;
  void *q = nnrpi_realloc(c->mem, path->rx, n);
  if (!q) return NNRP_ERR_NOMEM;
  path->rx = q;
  path->rx_cap = n;
  return 0;
}

static int read_stream(nnrp_conn *c, nnrpi_path *path, const uint8_t *data, size_t len,
                       nnrp_tstamp now) {
  while (len > 0) {
    if (c->s->state == NNRP_STATE_CLOSED) return 0; /* §2.2: inbound bytes are discarded */
    if (path->skip) {
      size_t n = path->skip < len ? (size_t)path->skip : len;
      path->skip -= n;
      data += n;
      len -= n;
      continue;
    }
    if (path->rx_len == 0 && len >= NNRP_HEADER_LEN) {
      /* Fast path: whole packets straight from the caller's buffer. */
      size_t plen;
      int rc = framing(c, data, len, &plen, now);
      if (rc < 0) return rc;
      if (rc == 1) {
        size_t n = plen < len ? plen : len;
        path->skip = plen - n;
        data += n;
        len -= n;
        continue;
      }
      if (len >= plen) {
        rc = process(c, path, data, plen, now);
        if (rc < 0) return rc;
        data += plen;
        len -= plen;
        continue;
      }
      if (rx_reserve(c, path, len, plen)) return NNRP_ERR_NOMEM;
      memcpy(path->rx, data, len);
      path->rx_len = len;
      path->rx_need = plen;
      return 0;
    }
    /* Complete the buffered header, then the buffered packet. */
    if (path->rx_need == 0) {
      if (rx_reserve(c, path, NNRP_HEADER_LEN, NNRP_HEADER_LEN)) return NNRP_ERR_NOMEM;
      size_t n = NNRP_HEADER_LEN - path->rx_len;
      if (n > len) n = len;
      memcpy(path->rx + path->rx_len, data, n);
      path->rx_len += n;
      data += n;
      len -= n;
      if (path->rx_len < NNRP_HEADER_LEN) return 0;
      size_t plen;
      int rc = framing(c, path->rx, path->rx_len, &plen, now);
      if (rc < 0) {
        path->rx_len = 0;
        return rc;
      }
      if (rc == 1) {
        path->skip = plen - NNRP_HEADER_LEN;
        path->rx_len = 0;
        continue;
      }
      path->rx_need = plen;
    }
    size_t n = path->rx_need - path->rx_len;
    if (n > len) n = len;
    if (rx_reserve(c, path, path->rx_len + n, path->rx_need)) return NNRP_ERR_NOMEM;
    memcpy(path->rx + path->rx_len, data, n);
    path->rx_len += n;
    data += n;
    len -= n;
    if (path->rx_len == path->rx_need) {
      size_t plen = path->rx_need;
      path->rx_len = path->rx_need = 0;
      int rc = process(c, path, path->rx, plen, now);
      if (rc < 0) return rc;
    }
  }
  return 0;
}

static int read_whole(nnrp_conn *c, nnrpi_path *path, const uint8_t *data, size_t len,
                      nnrp_tstamp now) {
  while (len > 0) {
    if (c->s->state == NNRP_STATE_CLOSED) return 0;
    if (len < NNRP_HEADER_LEN)
      return stream_failure(c, NNRP_ERR_INCOMPLETE, NNRP_ERROR_CODE_MALFORMED_HEADER, 0, now);
    size_t plen;
    int rc = framing(c, data, len, &plen, now);
    if (rc < 0) return rc;
    if (rc == 0 && plen > len)
      return stream_failure(c, NNRP_ERR_INCOMPLETE, NNRP_ERROR_CODE_MALFORMED_HEADER, 0, now);
    if (rc == 0) {
      rc = process(c, path, data, plen, now);
      if (rc < 0) return rc;
    }
    if (plen >= len) break;
    data += plen;
    len -= plen;
  }
  return 0;
}

int nnrp_conn_read_path(nnrp_conn *c, uint32_t gen, const uint8_t *data, size_t len, uint32_t flags,
                        nnrp_tstamp now) {
  c->cb_failed = 0;
  nnrpi_path *path = nnrpi_path_get(c, gen);
  if (!path || (!data && len)) return NNRP_ERR_INVALID_ARGUMENT;
  nnrpi_session *s = c->s;
  if (c->role == NNRP_ROLE_SERVER && s->state == NNRP_STATE_INIT &&
      s->hs_deadline == NNRP_TSTAMP_NEVER && !c->mig.request)
    s->hs_deadline = nnrpi_add_ms(now, c->settings.handshake_timeout_ms);
  int rc = (flags & NNRP_READ_WHOLE_PACKETS) ? read_whole(c, path, data, len, now)
                                             : read_stream(c, path, data, len, now);
  if (rc < 0) return rc;
  return c->cb_failed ? NNRP_ERR_CALLBACK : 0;
}

int nnrp_conn_read(nnrp_conn *c, const uint8_t *data, size_t len, nnrp_tstamp now) {
  return nnrp_conn_read_path(c, nnrpi_primary_gen(c), data, len, 0, now);
}

int nnrp_conn_read_packet(nnrp_conn *c, const uint8_t *data, size_t len, nnrp_tstamp now) {
  return nnrp_conn_read_path(c, nnrpi_primary_gen(c), data, len, NNRP_READ_WHOLE_PACKETS, now);
}

int nnrp_conn_transport_closed(nnrp_conn *c, uint32_t gen, nnrp_tstamp now) {
  c->cb_failed = 0;
  nnrpi_path *path = nnrpi_path_get(c, gen);
  if (!path) return NNRP_ERR_INVALID_ARGUMENT;
  (void)now;
  path->rx_len = path->rx_need = 0;
  path->skip = 0;
  if (path->kind == NNRPI_PATH_PRIMARY) {
    if (c->mig.pending) {
      path->lost = 1; /* the pending migration decides the session's fate (§6.5) */
      return 0;
    }
    nnrpi_set_state(c, NNRP_STATE_CLOSED, NNRP_CLOSE_TRANSPORT_LOST, NNRP_ERR_CLOSED);
  } else if (path->kind == NNRPI_PATH_PENDING) {
    nnrpi_migration_failed(c, NNRP_ERR_CLOSED, now);
  } else {
    path->kind = NNRPI_PATH_FREE;
    if (c->cb.path_closed) nnrpi_cb_rc(c, c->cb.path_closed(c, gen, c->user));
  }
  return c->cb_failed ? NNRP_ERR_CALLBACK : 0;
}
