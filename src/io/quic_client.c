/* The client side of quic.h: a connected UDP socket and a connection that starts the
 * handshake at once (transport.md §2.1, §6.2). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "quic_int.h"

static int addr_host(const struct sockaddr *a, char *buf, size_t cap) {
  const void *p = a->sa_family == AF_INET
                      ? (const void *)&((const struct sockaddr_in *)a)->sin_addr
                      : (const void *)&((const struct sockaddr_in6 *)a)->sin6_addr;
  return inet_ntop(a->sa_family, p, buf, (socklen_t)cap) ? 0 : NNRP_ERR_INVALID_ARGUMENT;
}

static int client_start(nnrpi_quic *q, const struct sockaddr *addr, socklen_t addrlen,
                        nnrp_tstamp now) {
  if ((q->fd = quic_udp_socket(addr->sa_family)) < 0) return NNRP_ERR_IO;
  memcpy(&q->remote, addr, addrlen);
  q->remotelen = addrlen;
  q->locallen = sizeof q->local;
  if (connect(q->fd, addr, addrlen) != 0 ||
      getsockname(q->fd, (struct sockaddr *)&q->local, &q->locallen) != 0)
    return NNRP_ERR_IO;
  if (!(q->rxbuf = malloc(QUIC_RX_BUF)) || !(q->txb = malloc(QUIC_GSO_SEGMENTS * QUIC_MAX_UDP)))
    return NNRP_ERR_NOMEM;
  uint8_t buf[18];
  ngtcp2_cid dcid, scid;
  quic_random(buf, sizeof buf);
  ngtcp2_cid_init(&dcid, buf, 18);
  quic_random(buf, QUIC_SCID_LEN);
  ngtcp2_cid_init(&scid, buf, QUIC_SCID_LEN);
  ngtcp2_path path;
  quic_path_set(&path, q, (struct sockaddr *)&q->remote, q->remotelen);
  ngtcp2_callbacks cb;
  ngtcp2_settings s;
  ngtcp2_transport_params p;
  quic_callbacks_fill(&cb, 0);
  quic_settings_fill(q, &s, &p, now);
  if (ngtcp2_conn_client_new(&q->conn, &dcid, &scid, &path, NGTCP2_PROTO_VER_V1, &cb, &s, &p, NULL,
                             q) != 0)
    return NNRP_ERR_NOMEM;
  int rc = quic_conn_attach_tls(q);
  if (rc < 0) return rc;
  if (q->settings.keepalive_us)
    ngtcp2_conn_set_keep_alive_timeout(q->conn, q->settings.keepalive_us * 1000);
  return 0;
}

int quic_settings_check(const nnrpi_quic_settings *s) {
  return !s || (s->max_packet_len > NNRP_HEADER_LEN && s->max_streams_uni > 0 &&
                s->idle_timeout_us <= UINT64_MAX / 1000 && s->keepalive_us <= UINT64_MAX / 1000 &&
                s->handshake_timeout_us <= UINT64_MAX / 1000)
             ? 0
             : NNRP_ERR_INVALID_ARGUMENT;
}

int nnrpi_quic_connect(nnrpi_quic **pq, const struct sockaddr *addr, socklen_t addrlen,
                       const nnrpi_quic_tls *tls, const nnrpi_quic_settings *settings,
                       const nnrpi_quic_callbacks *cb, void *user, nnrp_tstamp now) {
  if (!pq || !addr || !cb || !cb->on_packet || !cb->on_closed ||
      (addr->sa_family != AF_INET && addr->sa_family != AF_INET6) ||
      addrlen > sizeof(struct sockaddr_storage) || quic_settings_check(settings) < 0)
    return NNRP_ERR_INVALID_ARGUMENT;
  char host[INET6_ADDRSTRLEN];
  int rc = addr_host(addr, host, sizeof host);
  quic_tls_ctx *ctx = NULL;
  if (rc == 0) rc = quic_tls_ctx_new(&ctx, 0, tls, host);
  if (rc < 0) return rc;
  nnrpi_quic *q;
  rc = quic_conn_alloc(&q, 0, settings, cb, user, ctx);
  quic_tls_ctx_unref(ctx); /* q holds it now */
  if (rc < 0) return rc;
  if ((rc = client_start(q, addr, addrlen, now)) < 0) {
    nnrpi_quic_free(q);
    return rc;
  }
  if (quic_conn_write_raw(q, now) != 0) { /* the first Initial: TLS could not start */
    nnrpi_quic_free(q);
    return NNRP_ERR_TLS;
  }
  *pq = q;
  return 0;
}

int nnrpi_quic_on_readable(nnrpi_quic *q, nnrp_tstamp now) {
  if (!q || q->server) return NNRP_ERR_INVALID_ARGUMENT;
  if (q->closed) return NNRP_ERR_CLOSED;
  unsigned got = 0;
  for (;;) {
    size_t seg;
    ssize_t n = quic_udp_recv(q->fd, q->rxbuf, QUIC_RX_BUF, NULL, NULL, &seg);
    if (n < 0) {
      if (errno == ECONNREFUSED) continue; /* ICMP: a lost datagram */
      break;                               /* EAGAIN: all read */
    }
    for (size_t off = 0; off < (size_t)n; off += seg) {
      if (got++) now = quic_later(now);
      size_t len = (size_t)n - off < seg ? (size_t)n - off : seg;
      if (quic_conn_recv(q, (struct sockaddr *)&q->remote, q->remotelen, q->rxbuf + off, len,
                         now) != 0)
        return 0; /* closed and reported */
      if (got % QUIC_RX_BATCH == 0 && quic_conn_service(q, now) != 0) return 0;
    }
  }
  (void)quic_conn_service(q, now);
  return 0;
}
