/* One QUIC connection over ngtcp2 (transport.md §2): reading, writing, timers, closing, and
 * the host callbacks. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>

#include "quic_int.h"

#define MAX_BURST 64 /* datagrams per write call before pacing takes over */

enum { GONE = 1 }; /* the connection reported on_closed: do not touch it any more */

ngtcp2_tstamp quic_ts(nnrp_tstamp now) {
  return (ngtcp2_tstamp)now * NGTCP2_MICROSECONDS;
}

nnrp_tstamp quic_later(nnrp_tstamp now) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  nnrp_tstamp t = (nnrp_tstamp)ts.tv_sec * 1000000u + (nnrp_tstamp)ts.tv_nsec / 1000u;
  return t > now ? t : now;
}

void quic_random(uint8_t *dest, size_t len) {
  if (gnutls_rnd(GNUTLS_RND_NONCE, dest, len) != 0) abort(); /* no safe way on */
}

void nnrpi_quic_settings_default(nnrpi_quic_settings *s) {
  memset(s, 0, sizeof *s);
  s->idle_timeout_us = 120000000u;     /* §2.5 */
  s->keepalive_us = 10000000u;         /* C15, clients only */
  s->handshake_timeout_us = 10000000u; /* §6.6 */
  s->max_streams_uni = 100;            /* C4 */
  s->max_packet_len = 64u << 20;       /* C7 */
}

void quic_path_set(ngtcp2_path *p, nnrpi_quic *q, const struct sockaddr *remote,
                   socklen_t remotelen) {
  memset(p, 0, sizeof *p);
  p->local.addr = (ngtcp2_sockaddr *)&q->local;
  p->local.addrlen = q->locallen;
  p->remote.addr = (ngtcp2_sockaddr *)remote;
  p->remote.addrlen = remotelen;
}

/* ---- connection object ----------------------------------------------------------------------- */

static ngtcp2_conn *get_conn(ngtcp2_crypto_conn_ref *ref) {
  return ((nnrpi_quic *)ref->user_data)->conn;
}

int quic_conn_alloc(nnrpi_quic **pq, int server, const nnrpi_quic_settings *settings,
                    const nnrpi_quic_callbacks *cb, void *user, quic_tls_ctx *tlsctx) {
  nnrpi_quic *q = calloc(1, sizeof *q);
  if (!q) return NNRP_ERR_NOMEM;
  q->server = server;
  q->fd = -1;
  if (settings)
    q->settings = *settings;
  else
    nnrpi_quic_settings_default(&q->settings);
  q->cb = *cb;
  q->user = user;
  q->tlsctx = tlsctx;
  quic_tls_ctx_ref(tlsctx);
  q->conn_ref.get_conn = get_conn;
  q->conn_ref.user_data = q;
  quic_random(q->own_secret, sizeof q->own_secret);
  q->reset_secret = q->own_secret;
  *pq = q;
  return 0;
}

int quic_conn_attach_tls(nnrpi_quic *q) {
  int rc = quic_tls_session_new(&q->tls, q->tlsctx, &q->conn_ref);
  if (rc < 0) return rc;
  ngtcp2_conn_set_tls_native_handle(q->conn, q->tls);
  return 0;
}

void nnrpi_quic_free(nnrpi_quic *q) {
  if (!q) return;
  if (q->in_service) { /* from one of its own callbacks: finish when the callback returns */
    q->free_pending = 1;
    return;
  }
  if (q->listener) quic_listener_unlink(q);
  if (q->conn) ngtcp2_conn_del(q->conn);
  if (q->tls) gnutls_deinit(q->tls);
  quic_tls_ctx_unref(q->tlsctx);
  while (q->streams) quic_stream_free(q, q->streams);
  for (quic_rx *r = q->rxq, *n; r; r = n) {
    n = r->next;
    free(r);
  }
  for (quic_chunk *c = q->dgq, *n; c; c = n) {
    n = c->next;
    free(c);
  }
  if (!q->server && q->fd >= 0) close(q->fd);
  if (!q->server) free(q->txb);
  free(q->rxbuf);
  free(q);
}

void nnrpi_quic_set_user(nnrpi_quic *q, void *user) {
  q->user = user;
}
void *nnrpi_quic_user(const nnrpi_quic *q) {
  return q->user;
}

int nnrpi_quic_fd(const nnrpi_quic *q) {
  if (!q) return -1;
  return q->server ? (q->listener ? quic_listener_fd(q->listener) : -1) : q->fd;
}

/* ---- writing --------------------------------------------------------------------------------- */

static int report(nnrpi_quic *q, int err, uint64_t code) {
  q->closed = 1;
  q->closing = 0;
  if (q->listener) quic_listener_unlink(q);
  q->cb.on_closed(q->user, q, err, code);
  return GONE;
}

static void send_close(nnrpi_quic *q, const ngtcp2_connection_close_error *cc, nnrp_tstamp now) {
  ngtcp2_path_storage ps;
  ngtcp2_path_storage_zero(&ps);
  ngtcp2_pkt_info pi;
  ngtcp2_ssize n = ngtcp2_conn_write_connection_close(q->conn, &ps.path, &pi, q->txbuf,
                                                      sizeof q->txbuf, cc, quic_ts(now));
  if (n > 0) quic_udp_send(q, &ps.path, q->txbuf, (size_t)n);
}

static int deliver_rx(nnrpi_quic *q);

/* An ngtcp2 call failed with `rv`: close as ngtcp2 asks and report why. */
static int fail_liberr(nnrpi_quic *q, int rv, nnrp_tstamp now) {
  ngtcp2_connection_close_error cc;
  ngtcp2_connection_close_error_default(&cc);
  int handshake = ngtcp2_conn_get_handshake_completed(q->conn);
  switch (rv) {
    case NGTCP2_ERR_DRAINING: /* the peer closed */
      /* Its last packets may sit in the receive queue (data and CONNECTION_CLOSE back to back):
       * they reach the host before the close does. */
      if (deliver_rx(q) == GONE) return GONE;
      ngtcp2_conn_get_connection_close_error(q->conn, &cc);
      if (cc.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION)
        return report(q, 0, cc.error_code);
      return report(q, handshake ? NNRP_ERR_QUIC_TRANSPORT : quic_tls_failure(NULL, cc.error_code),
                    cc.error_code); /* an application close before the handshake: 0x0c */
    case NGTCP2_ERR_IDLE_CLOSE:
      return report(q, NNRP_ERR_QUIC_IDLE_TIMEOUT, 0);
    case NGTCP2_ERR_HANDSHAKE_TIMEOUT:
      return report(q, NNRP_ERR_TIMEOUT, 0);
    case NGTCP2_ERR_DROP_CONN:
      return report(q, NNRP_ERR_QUIC_TRANSPORT, 0);
    case NGTCP2_ERR_CRYPTO: {
      uint8_t alert = ngtcp2_conn_get_tls_alert(q->conn);
      ngtcp2_connection_close_error_set_transport_error_tls_alert(&cc, alert, NULL, 0);
      send_close(q, &cc, now);
      /* only a verifying client has a verification status to look at */
      gnutls_session_t verified = !q->server && q->tlsctx->verify ? q->tls : NULL;
      return report(q, quic_tls_failure(verified, cc.error_code), cc.error_code);
    }
    case NGTCP2_ERR_CALLBACK_FAILURE:
      if (q->fail_err == NNRP_ERR_TLS_ALPN) {
        ngtcp2_connection_close_error_set_transport_error_tls_alert(&cc, 120, NULL, 0);
        send_close(q, &cc, now);
        return report(q, NNRP_ERR_TLS_ALPN, cc.error_code);
      } else {
        int err = q->fail_err ? q->fail_err : NNRP_ERR_INTERNAL;
        uint64_t code = (uint64_t)nnrp_err_protocol_code(err);
        ngtcp2_connection_close_error_set_application_error(
            &cc, code ? code : NNRP_ERROR_CODE_INTERNAL_ERROR, NULL, 0);
        send_close(q, &cc, now);
        return report(q, err, cc.error_code);
      }
    default:
      ngtcp2_connection_close_error_set_transport_error_liberr(&cc, rv, NULL, 0);
      send_close(q, &cc, now);
      return report(q, NNRP_ERR_QUIC_TRANSPORT, cc.error_code);
  }
}

/* Give queued packets their streams once the peer's limits allow. */
static int open_streams(nnrpi_quic *q) {
  quic_stream *c = q->control;
  if (c && c->id < 0 && !q->server && c->end) {
    int64_t id;
    int rv = ngtcp2_conn_open_bidi_stream(q->conn, &id, c);
    if (rv == 0)
      c->id = id; /* 0: the first client bidirectional stream (§2.2) */
    else if (rv != NGTCP2_ERR_STREAM_ID_BLOCKED)
      return rv;
  }
  while (q->openq) {
    quic_stream *s = q->openq;
    int64_t id;
    int rv = ngtcp2_conn_open_uni_stream(q->conn, &id, s);
    if (rv == NGTCP2_ERR_STREAM_ID_BLOCKED) break;
    if (rv != 0) return rv;
    s->id = id;
    q->openq = s->next_q;
    if (!q->openq) q->openq_tail = NULL;
    s->next_q = NULL;
    quic_sendq_push(q, s);
  }
  return 0;
}

static int write_datagrams(nnrpi_quic *q, ngtcp2_path_storage *ps, ngtcp2_tstamp ts) {
  while (q->dgq) {
    quic_chunk *d = q->dgq;
    ngtcp2_vec v = {d->data, d->len};
    ngtcp2_pkt_info pi;
    int accepted = 0;
    ngtcp2_ssize n =
        ngtcp2_conn_writev_datagram(q->conn, &ps->path, &pi, q->txbuf, sizeof q->txbuf, &accepted,
                                    NGTCP2_WRITE_DATAGRAM_FLAG_NONE, 0, &v, 1, ts);
    if (n < 0 && n != NGTCP2_ERR_INVALID_STATE && n != NGTCP2_ERR_INVALID_ARGUMENT) return (int)n;
    if (n == 0) break;       /* congestion limited: later */
    if (n < 0 || accepted) { /* sent, or the peer cannot take it: drop */
      q->dgq = d->next;
      if (!q->dgq) q->dgq_tail = NULL;
      free(d);
    }
    if (n > 0) quic_udp_send(q, &ps->path, q->txbuf, (size_t)n);
  }
  return 0;
}

/* The next stream with bytes to send: the control stream first, then unidirectional streams in
 * the order their packets were queued.  Streams blocked by flow control in this round are
 * skipped. */
static quic_stream *next_sendable(nnrpi_quic *q, unsigned round) {
  quic_stream *c = q->control;
  if (c && c->id >= 0 && c->sent < c->end && c->blocked != round) return c;
  for (quic_stream *s = q->sendq; s; s = s->next_q)
    if (s->blocked != round) return s;
  return NULL;
}

static int write_streams(nnrpi_quic *q, ngtcp2_path_storage *ps, ngtcp2_tstamp ts) {
  if (!q->txb) return 0; /* a server connection whose listener is gone */
  unsigned round = ++q->round ? q->round : ++q->round; /* 0 means "not blocked" */
  size_t quantum = ngtcp2_conn_get_send_quantum(q->conn) / QUIC_MAX_UDP;
  size_t burst = quantum < 1 ? 1 : quantum > MAX_BURST ? MAX_BURST : quantum;
  ngtcp2_pkt_info pi;
  quic_tx tx;
  memset(&tx, 0, sizeof tx);
  tx.buf = q->txb;
  ngtcp2_path_storage_zero(&tx.path);
  int rv = 0;
  for (size_t sent = 0; sent < burst;) {
    quic_stream *s = next_sendable(q, round);
    ngtcp2_vec v[16];
    size_t vn = 0;
    int64_t id = -1;
    uint32_t flags = NGTCP2_WRITE_STREAM_FLAG_NONE;
    if (s) {
      vn = quic_stream_unsent(s, v, 16);
      id = s->id;
      flags = NGTCP2_WRITE_STREAM_FLAG_MORE;
      uint64_t left = s->end - s->sent, in_v = 0;
      for (size_t i = 0; i < vn; i++) in_v += v[i].len;
      if (s->fin && in_v == left) flags |= NGTCP2_WRITE_STREAM_FLAG_FIN;
    }
    ngtcp2_ssize datalen = -1;
    ngtcp2_ssize n = ngtcp2_conn_writev_stream(q->conn, &ps->path, &pi, tx.buf + tx.len,
                                               QUIC_MAX_UDP, &datalen, flags, id, v, vn, ts);
    if (s && datalen >= 0) {
      quic_stream_sent(s, (size_t)datalen);
      if (s->sent == s->end && (flags & NGTCP2_WRITE_STREAM_FLAG_FIN)) s->fin_sent = 1;
      if (s != q->control && s->sent == s->end && (!s->fin || s->fin_sent)) quic_sendq_remove(q, s);
    }
    if (n == NGTCP2_ERR_WRITE_MORE) continue;
    if (n == NGTCP2_ERR_STREAM_DATA_BLOCKED) {
      s->blocked = round;
      continue;
    }
    if (n == NGTCP2_ERR_STREAM_SHUT_WR || n == NGTCP2_ERR_STREAM_NOT_FOUND) {
      if (s != q->control) quic_sendq_remove(q, s); /* the peer stopped it: STOP_SENDING */
      s->sent = s->end;
      continue;
    }
    if (n < 0) {
      rv = (int)n;
      break;
    }
    if (n == 0) break;
    quic_tx_add(q, &tx, &ps->path, (size_t)n);
    sent++;
  }
  quic_tx_flush(q, &tx);
  if (rv == 0) ngtcp2_conn_update_pkt_tx_time(q->conn, ts);
  return rv;
}

int quic_conn_write_raw(nnrpi_quic *q, nnrp_tstamp now) {
  ngtcp2_tstamp ts = quic_ts(now);
  ngtcp2_path_storage ps;
  ngtcp2_path_storage_zero(&ps);
  int rv = open_streams(q);
  if (rv == 0) rv = write_datagrams(q, &ps, ts);
  if (rv == 0) rv = write_streams(q, &ps, ts);
  return rv;
}

static int conn_write(nnrpi_quic *q, nnrp_tstamp now) {
  int rv = quic_conn_write_raw(q, now);
  return rv ? fail_liberr(q, rv, now) : 0;
}

/* ---- closing --------------------------------------------------------------------------------- */

static void queue_error(nnrpi_quic *q, uint32_t code, int err) {
  quic_stream *c = q->control;
  if (!c || c->id < 0) return; /* no control stream to carry it */
  const char *why = nnrp_strerror(err);
  nnrp_packet_params p = {0};
  p.session_id = q->session_id;
  nnrp_error_meta m = {0};
  m.error_code = code;
  m.error_scope = NNRP_SCOPE_CONNECTION;
  m.is_fatal = 1;
  m.related_session_id = q->session_id;
  uint8_t buf[512];
  nnrp_sink sink;
  nnrp_sink_init_buffer(&sink, buf, sizeof buf);
  nnrp_vec diag = {(const uint8_t *)why, strlen(why)};
  if (nnrp_build_error(&p, &m, diag, &sink) < 0) return;
  nnrp_vec v = {buf, sink.len};
  (void)quic_stream_append(q, c, &v, 1, sink.len);
}

static void start_close(nnrpi_quic *q, uint64_t code, const char *reason, int err,
                        nnrp_tstamp now) {
  q->closing = 1;
  q->close_code = code;
  q->close_err = err;
  snprintf(q->close_reason, sizeof q->close_reason, "%s", reason ? reason : "");
  /* Before the handshake nothing of ours can be in flight: close at once. */
  q->linger_until = ngtcp2_conn_get_handshake_completed(q->conn) ? now + QUIC_LINGER_US : now;
  for (quic_rx *r = q->rxq, *n; r; r = n) { /* the host does not want more */
    n = r->next;
    free(r);
  }
  q->rxq = q->rxq_tail = NULL;
}

/* A failure found in a callback (stream framing, reset, memory): tell the peer with ERROR on
 * the control stream when possible (§6.4), then close with the NNRP error code (C6). */
static void start_fatal(nnrpi_quic *q, int err, nnrp_tstamp now) {
  uint32_t code = (uint32_t)nnrp_err_protocol_code(err);
  if (!code) code = NNRP_ERROR_CODE_INTERNAL_ERROR;
  if (ngtcp2_conn_get_handshake_completed(q->conn)) queue_error(q, code, err);
  start_close(q, code, nnrp_err_name(err), err, now);
}

static int close_now(nnrpi_quic *q, nnrp_tstamp now) {
  ngtcp2_connection_close_error cc;
  ngtcp2_connection_close_error_default(&cc);
  ngtcp2_connection_close_error_set_application_error(
      &cc, q->close_code, (const uint8_t *)q->close_reason, strlen(q->close_reason));
  send_close(q, &cc, now);
  return report(q, q->close_err, q->close_code);
}

/* ---- the host side --------------------------------------------------------------------------- */

int quic_callback_done(nnrpi_quic *q) {
  if (--q->in_service || !q->free_pending) return 0;
  nnrpi_quic_free(q);
  return GONE;
}

/* Hand every whole packet taken off the streams to the host, unless we are closing. */
static int deliver_rx(nnrpi_quic *q) {
  while (q->rxq && !q->closing && !q->closed) {
    quic_rx *r = q->rxq;
    q->rxq = r->next;
    if (!q->rxq) q->rxq_tail = NULL;
    q->in_service++;
    q->cb.on_packet(q->user, q, r->path, r->data, r->len);
    free(r);
    if (quic_callback_done(q)) return GONE;
  }
  return q->closed ? GONE : 0;
}

int quic_conn_service(nnrpi_quic *q, nnrp_tstamp now) {
  if (q->closed) return GONE;
  if (q->fail_err && !q->closing) start_fatal(q, q->fail_err, now);
  if (q->handshake_pending && !q->closing) {
    q->handshake_pending = 0;
    q->in_service++;
    if (q->cb.on_handshake_done) q->cb.on_handshake_done(q->user, q);
    if (quic_callback_done(q)) return GONE;
  }
  if (deliver_rx(q) == GONE) return GONE;
  if (conn_write(q, now) == GONE) return GONE;
  if (q->closing && (q->unacked == 0 || now >= q->linger_until)) return close_now(q, now);
  return 0;
}

int quic_conn_recv(nnrpi_quic *q, const struct sockaddr *from, socklen_t fromlen,
                   const uint8_t *data, size_t len, nnrp_tstamp now) {
  if (q->closed) return GONE;
  ngtcp2_path path;
  quic_path_set(&path, q, from, fromlen);
  ngtcp2_pkt_info pi = {0};
  int rv = ngtcp2_conn_read_pkt(q->conn, &path, &pi, data, len, quic_ts(now));
  return rv ? fail_liberr(q, rv, now) : 0;
}

/* The session id carried by the packet's header, so an ERROR of our own can name it. */
static void note_session(nnrpi_quic *q, const nnrp_vec *iov, size_t iovcnt) {
  uint8_t hdr[NNRP_HEADER_LEN];
  size_t have = 0;
  for (size_t i = 0; i < iovcnt && have < sizeof hdr; i++) {
    size_t take = iov[i].len < sizeof hdr - have ? iov[i].len : sizeof hdr - have;
    memcpy(hdr + have, iov[i].base, take);
    have += take;
  }
  nnrp_decode_options o = {0};
  o.flags = NNRP_DECODE_LENIENT_HEADER;
  nnrp_header h;
  if (nnrp_header_decode(&h, hdr, have, &o) == 0 && h.session_id) q->session_id = h.session_id;
}

int nnrpi_quic_send(nnrpi_quic *q, int path, const nnrp_vec *iov, size_t iovcnt, nnrp_tstamp now) {
  (void)now;
  if (!q || (!iov && iovcnt)) return NNRP_ERR_INVALID_ARGUMENT;
  if (q->closed || q->closing) return NNRP_ERR_CLOSED;
  size_t total = 0;
  for (size_t i = 0; i < iovcnt; i++) {
    if (iov[i].len > SIZE_MAX - total || (iov[i].len && !iov[i].base))
      return NNRP_ERR_INVALID_ARGUMENT;
    total += iov[i].len;
  }
  if (total < NNRP_HEADER_LEN) return NNRP_ERR_INVALID_ARGUMENT;
  if (path == NNRPI_QUIC_SUBMIT   ? q->server
      : path == NNRPI_QUIC_RESULT ? !q->server
                                  : path != NNRPI_QUIC_CONTROL)
    return NNRP_ERR_INVALID_ARGUMENT; /* submits go client -> server, results the other way */
  note_session(q, iov, iovcnt);
  quic_stream *s;
  if (path == NNRPI_QUIC_CONTROL) {
    if (!q->control && quic_stream_new(q, &q->control) < 0) return NNRP_ERR_NOMEM;
    return quic_stream_append(q, q->control, iov, iovcnt, total);
  }
  if (quic_stream_new(q, &s) < 0) return NNRP_ERR_NOMEM;
  int rc = quic_stream_append(q, s, iov, iovcnt, total);
  if (rc < 0) {
    quic_stream_free(q, s);
    return rc;
  }
  s->fin = 1; /* one packet per stream (§2.2) */
  if (q->openq_tail)
    q->openq_tail->next_q = s;
  else
    q->openq = s;
  q->openq_tail = s;
  return 0;
}

int nnrpi_quic_send_datagram(nnrpi_quic *q, const uint8_t *pkt, size_t len) {
  if (!q || !pkt || !len || len > QUIC_MAX_DGRAM_FRAME) return NNRP_ERR_INVALID_ARGUMENT;
  if (q->closed || q->closing) return NNRP_ERR_CLOSED;
  quic_chunk *d = malloc(sizeof *d + len);
  if (!d) return NNRP_ERR_NOMEM;
  d->next = NULL;
  d->len = len;
  memcpy(d->data, pkt, len);
  if (q->dgq_tail)
    q->dgq_tail->next = d;
  else
    q->dgq = d;
  q->dgq_tail = d;
  return 0;
}

int nnrpi_quic_flush(nnrpi_quic *q, nnrp_tstamp now) {
  if (!q) return NNRP_ERR_INVALID_ARGUMENT;
  if (q->closed) return NNRP_ERR_CLOSED;
  if (!q->in_service) (void)quic_conn_service(q, now);
  return 0;
}

int nnrpi_quic_close(nnrpi_quic *q, uint64_t app_code, const char *reason, nnrp_tstamp now) {
  if (!q) return NNRP_ERR_INVALID_ARGUMENT;
  if (q->closed) return NNRP_ERR_CLOSED;
  if (q->closing) return 0;
  start_close(q, app_code, reason, 0, now);
  if (!q->in_service) (void)quic_conn_service(q, now);
  return 0;
}

nnrp_tstamp nnrpi_quic_expiry(const nnrpi_quic *q) {
  if (!q || q->closed || !q->conn) return NNRP_TSTAMP_NEVER;
  ngtcp2_tstamp t = ngtcp2_conn_get_expiry(q->conn);
  nnrp_tstamp e =
      t == UINT64_MAX ? NNRP_TSTAMP_NEVER : (t + NGTCP2_MICROSECONDS - 1) / NGTCP2_MICROSECONDS;
  if (q->closing && q->linger_until < e) e = q->linger_until;
  return e;
}

int nnrpi_quic_on_timer(nnrpi_quic *q, nnrp_tstamp now) {
  if (!q) return NNRP_ERR_INVALID_ARGUMENT;
  if (q->closed) return NNRP_ERR_CLOSED;
  int rv = ngtcp2_conn_handle_expiry(q->conn, quic_ts(now));
  if (rv && fail_liberr(q, rv, now) == GONE) return 0;
  (void)quic_conn_service(q, now);
  return 0;
}
