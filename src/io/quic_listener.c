/* The QUIC server socket: one UDP socket for every connection, datagrams routed by the
 * connection ID prefix each server connection puts in the IDs it issues. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "quic_int.h"

struct nnrpi_quic_listener {
  int fd;
  struct sockaddr_storage local;
  socklen_t locallen;
  quic_tls_ctx *tlsctx;
  nnrpi_quic_settings settings;
  nnrpi_quic_callbacks cb;
  void *user;
  nnrpi_quic *conns;
  uint8_t secret[32]; /* stateless reset tokens */
  uint8_t *rxbuf;
  uint8_t *txb; /* the quic_tx buffer of every connection (one thread, one write at a time) */
};

int quic_listener_fd(const nnrpi_quic_listener *l) {
  return l->fd;
}

void quic_listener_unlink(nnrpi_quic *q) {
  nnrpi_quic_listener *l = q->listener;
  if (!l) return;
  if (q->lprev)
    q->lprev->lnext = q->lnext;
  else
    l->conns = q->lnext;
  if (q->lnext) q->lnext->lprev = q->lprev;
  q->lprev = q->lnext = NULL;
  q->listener = NULL;
  q->txb = NULL; /* the listener's */
}

int nnrpi_quic_listen(nnrpi_quic_listener **pl, const struct sockaddr *addr, socklen_t addrlen,
                      const nnrpi_quic_tls *tls, const nnrpi_quic_settings *settings,
                      const nnrpi_quic_callbacks *cb, void *user) {
  if (!pl || !addr || !cb || !cb->on_packet || !cb->on_closed || !cb->on_accept ||
      addrlen > sizeof(struct sockaddr_storage) || quic_settings_check(settings) < 0)
    return NNRP_ERR_INVALID_ARGUMENT;
  nnrpi_quic_listener *l = calloc(1, sizeof *l);
  if (!l) return NNRP_ERR_NOMEM;
  l->fd = -1;
  int rc = quic_tls_ctx_new(&l->tlsctx, 1, tls, NULL);
  if (rc == 0 &&
      (!(l->rxbuf = malloc(QUIC_RX_BUF)) || !(l->txb = malloc(QUIC_GSO_SEGMENTS * QUIC_MAX_UDP))))
    rc = NNRP_ERR_NOMEM;
  if (rc == 0) {
    l->locallen = sizeof l->local;
    if ((l->fd = quic_udp_socket(addr->sa_family)) < 0 || bind(l->fd, addr, addrlen) != 0 ||
        getsockname(l->fd, (struct sockaddr *)&l->local, &l->locallen) != 0)
      rc = NNRP_ERR_IO;
  }
  if (rc < 0) {
    nnrpi_quic_listener_free(l);
    return rc;
  }
  if (settings)
    l->settings = *settings;
  else
    nnrpi_quic_settings_default(&l->settings);
  l->settings.keepalive_us = 0; /* servers do not need one (C15) */
  l->cb = *cb;
  l->user = user;
  quic_random(l->secret, sizeof l->secret);
  *pl = l;
  return 0;
}

int nnrpi_quic_listener_addr(nnrpi_quic_listener *l, struct sockaddr_storage *addr,
                             socklen_t *addrlen) {
  if (!l || !addr || !addrlen) return NNRP_ERR_INVALID_ARGUMENT;
  memcpy(addr, &l->local, l->locallen);
  *addrlen = l->locallen;
  return 0;
}

int nnrpi_quic_listener_fd(const nnrpi_quic_listener *l) {
  return l ? l->fd : -1;
}

void nnrpi_quic_listener_free(nnrpi_quic_listener *l) {
  if (!l) return;
  while (l->conns) quic_listener_unlink(l->conns); /* they stay the host's to free */
  if (l->fd >= 0) close(l->fd);
  quic_tls_ctx_unref(l->tlsctx);
  free(l->rxbuf);
  free(l->txb);
  free(l);
}

static nnrpi_quic *find(nnrpi_quic_listener *l, const uint8_t *dcid, size_t len) {
  for (nnrpi_quic *q = l->conns; q; q = q->lnext) {
    if (len == QUIC_SCID_LEN && memcmp(dcid, q->route, QUIC_ROUTE_LEN) == 0) return q;
    /* Initial packets the client repeats before it learns our connection ID */
    if (len == q->odcid.datalen && memcmp(dcid, q->odcid.data, len) == 0) return q;
  }
  return NULL;
}

static int new_server_conn(nnrpi_quic_listener *l, nnrpi_quic *q, const ngtcp2_pkt_hd *hd,
                           const struct sockaddr *from, socklen_t fromlen, nnrp_tstamp now) {
  q->fd = l->fd;
  q->txb = l->txb;
  q->reset_secret = l->secret;
  memcpy(&q->local, &l->local, l->locallen);
  q->locallen = l->locallen;
  memcpy(&q->remote, from, fromlen);
  q->remotelen = fromlen;
  uint8_t id[QUIC_SCID_LEN];
  do quic_random(q->route, QUIC_ROUTE_LEN);
  while (find(l, q->route, QUIC_SCID_LEN));
  memcpy(id, q->route, QUIC_ROUTE_LEN);
  quic_random(id + QUIC_ROUTE_LEN, QUIC_SCID_LEN - QUIC_ROUTE_LEN);
  ngtcp2_cid scid;
  ngtcp2_cid_init(&scid, id, sizeof id);
  q->odcid = hd->dcid;
  ngtcp2_path path;
  quic_path_set(&path, q, (struct sockaddr *)&q->remote, q->remotelen);
  ngtcp2_callbacks cb;
  ngtcp2_settings s;
  ngtcp2_transport_params p;
  quic_callbacks_fill(&cb, 1);
  quic_settings_fill(q, &s, &p, now);
  p.original_dcid = hd->dcid;
  p.stateless_reset_token_present = 1;
  if (ngtcp2_crypto_generate_stateless_reset_token(p.stateless_reset_token, l->secret,
                                                   sizeof l->secret, &scid) != 0)
    return NNRP_ERR_INTERNAL;
  if (ngtcp2_conn_server_new(&q->conn, &hd->scid, &scid, &path, hd->version, &cb, &s, &p, NULL,
                             q) != 0)
    return NNRP_ERR_NOMEM;
  return quic_conn_attach_tls(q);
}

/* A first Initial from a new client: a connection, announced to the host. */
static nnrpi_quic *accept_conn(nnrpi_quic_listener *l, const struct sockaddr *from,
                               socklen_t fromlen, const uint8_t *data, size_t len,
                               nnrp_tstamp now) {
  ngtcp2_pkt_hd hd;
  if (ngtcp2_accept(&hd, data, len) != 0) return NULL;
  nnrpi_quic *q;
  if (quic_conn_alloc(&q, 1, &l->settings, &l->cb, l->user, l->tlsctx) < 0) return NULL;
  if (new_server_conn(l, q, &hd, from, fromlen, now) < 0) {
    nnrpi_quic_free(q);
    return NULL;
  }
  q->listener = l;
  q->lnext = l->conns;
  if (l->conns) l->conns->lprev = q;
  l->conns = q;
  q->in_service++; /* a close or free from on_accept waits for the callback's end */
  l->cb.on_accept(l->user, l, q);
  return quic_callback_done(q) ? NULL : q;
}

/* Host callbacks and writes of the connections that received datagrams.  Callbacks may close
 * or free other connections of this listener: rescan after each. */
static void service_dirty(nnrpi_quic_listener *l, nnrp_tstamp now) {
  for (int again = 1; again;) {
    again = 0;
    for (nnrpi_quic *q = l->conns; q; q = q->lnext) {
      if (!q->dirty) continue;
      q->dirty = 0;
      (void)quic_conn_service(q, now);
      again = 1;
      break;
    }
  }
}

/* One datagram from `from`: to its connection, or a new one. */
static void dispatch(nnrpi_quic_listener *l, const struct sockaddr_storage *from, socklen_t fromlen,
                     const uint8_t *data, size_t len, nnrp_tstamp now) {
  ngtcp2_version_cid vc;
  if (ngtcp2_pkt_decode_version_cid(&vc, data, len, QUIC_SCID_LEN) != 0) return;
  nnrpi_quic *q = find(l, vc.dcid, vc.dcidlen);
  if (!q && !(q = accept_conn(l, (const struct sockaddr *)from, fromlen, data, len, now))) return;
  if (quic_conn_recv(q, (const struct sockaddr *)from, fromlen, data, len, now) == 0) q->dirty = 1;
}

int nnrpi_quic_listener_on_readable(nnrpi_quic_listener *l, nnrp_tstamp now) {
  if (!l) return NNRP_ERR_INVALID_ARGUMENT;
  unsigned got = 0;
  for (;;) {
    struct sockaddr_storage from;
    socklen_t fromlen;
    size_t seg;
    ssize_t n = quic_udp_recv(l->fd, l->rxbuf, QUIC_RX_BUF, &from, &fromlen, &seg);
    if (n < 0) break; /* EAGAIN: all read */
    for (size_t off = 0; off < (size_t)n; off += seg) {
      if (got++) now = quic_later(now);
      dispatch(l, &from, fromlen, l->rxbuf + off, (size_t)n - off < seg ? (size_t)n - off : seg,
               now);
      if (got % QUIC_RX_BATCH == 0) service_dirty(l, now);
    }
  }
  service_dirty(l, now);
  return 0;
}
