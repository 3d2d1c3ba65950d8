/*
 * One TCP connection, cleartext or TLS (transport.md §3): non-blocking connect, TCP_NODELAY,
 * whole packets written in order by a single writer (what the socket does not take at once is
 * copied to a queue), reads handed up as they come, half-close after the queue drained.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "io_int.h"

enum { T_CONNECTING, T_HANDSHAKE, T_OPEN, T_DEAD };

struct nnrpi_tcp {
  nnrpi_watch w;
  int fd;
  nnrp_loop *loop;
  const nnrpi_tcp_cb *cb;
  void *user;
  int state;
  nnrpi_tls *tls;
  uint8_t *q; /* write queue: bytes [qoff, qlen) not yet written */
  size_t qoff, qlen, qcap;
  int shut_req, shut_done, eof;
  nnrp_tstamp last_rx;
};

static void on_event(nnrpi_watch *w, uint32_t events);

static void update_events(nnrpi_tcp *t) {
  uint32_t ev = 0;
  if (t->state == T_CONNECTING)
    ev = EPOLLOUT;
  else if (t->state != T_DEAD) {
    if (!t->eof) ev |= EPOLLIN;
    if (t->qlen > t->qoff) ev |= EPOLLOUT;
  }
  nnrpi_watch_mod(t->loop, &t->w, ev);
}

static nnrpi_tcp *tcp_new(nnrp_loop *loop, int fd, nnrpi_tls_ctx *tls, const nnrpi_tcp_cb *cb,
                          void *user, int *rc) {
  nnrpi_tcp *t = calloc(1, sizeof *t);
  if (!t) {
    *rc = NNRP_ERR_NOMEM;
    return NULL;
  }
  t->loop = loop;
  t->cb = cb;
  t->user = user;
  t->w.on_event = on_event;
  t->fd = fd;
  t->last_rx = nnrp_now();
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (tls && (*rc = nnrpi_tls_new(&t->tls, tls, fd)) != 0) {
    free(t);
    return NULL;
  }
  if ((*rc = nnrpi_watch_add(loop, &t->w, fd, 0)) != 0) {
    nnrpi_tls_free(t->tls);
    free(t);
    return NULL;
  }
  return t;
}

int nnrpi_tcp_connect(nnrpi_tcp **pt, nnrp_loop *loop, const struct sockaddr *addr,
                      socklen_t addrlen, nnrpi_tls_ctx *tls, const nnrpi_tcp_cb *cb, void *user) {
  int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return NNRP_ERR_IO;
  if (connect(fd, addr, addrlen) != 0 && errno != EINPROGRESS) {
    close(fd);
    return NNRP_ERR_CONNECT;
  }
  int rc;
  nnrpi_tcp *t = tcp_new(loop, fd, tls, cb, user, &rc);
  if (!t) {
    close(fd);
    return rc;
  }
  t->state = T_CONNECTING;
  update_events(t);
  *pt = t;
  return 0;
}

int nnrpi_tcp_adopt(nnrpi_tcp **pt, nnrp_loop *loop, int fd, nnrpi_tls_ctx *tls,
                    const nnrpi_tcp_cb *cb, void *user) {
  int rc;
  nnrpi_tcp *t = tcp_new(loop, fd, tls, cb, user, &rc);
  if (!t) return rc;
  t->state = tls ? T_HANDSHAKE : T_OPEN;
  update_events(t);
  *pt = t;
  return 0;
}

void nnrpi_tcp_set_user(nnrpi_tcp *t, void *user) {
  t->user = user;
}
int nnrpi_tcp_is_open(const nnrpi_tcp *t) {
  return t->state == T_OPEN;
}
size_t nnrpi_tcp_queued(const nnrpi_tcp *t) {
  return t->qlen - t->qoff;
}
nnrp_tstamp nnrpi_tcp_last_rx(const nnrpi_tcp *t) {
  return t->last_rx;
}

static void release_tcp(void *p) {
  nnrpi_tcp *t = p;
  free(t->q);
  free(t);
}

void nnrpi_tcp_free(nnrpi_tcp *t) {
  if (!t) return;
  nnrpi_watch_del(t->loop, &t->w);
  if (t->fd >= 0) close(t->fd);
  t->fd = -1;
  nnrpi_tls_free(t->tls);
  t->tls = NULL;
  t->state = T_DEAD;
  nnrpi_loop_release(t->loop, release_tcp, t);
}

static void dead(nnrpi_tcp *t) {
  t->state = T_DEAD;
  nnrpi_watch_mod(t->loop, &t->w, 0);
}

/* Report a fatal condition once (from an event); the owner frees the connection. */
static void fail(nnrpi_tcp *t, int err) {
  if (t->state == T_DEAD) return;
  dead(t);
  t->cb->on_closed(t->user, t, err);
}

static int queue_append(nnrpi_tcp *t, const uint8_t *d, size_t n) {
  if (t->qoff == t->qlen) t->qoff = t->qlen = 0;
  if (t->qcap - t->qlen < n && t->qoff) { /* compact before growing */
    memmove(t->q, t->q + t->qoff, t->qlen - t->qoff);
    t->qlen -= t->qoff;
    t->qoff = 0;
  }
  if (t->qcap - t->qlen < n) {
    size_t cap = t->qcap ? t->qcap : 65536;
    while (cap - t->qlen < n) cap *= 2;
    uint8_t *q = realloc(t->q, cap);
    if (!q) return NNRP_ERR_NOMEM;
    t->q = q;
    t->qcap = cap;
  }
  memcpy(t->q + t->qlen, d, n);
  t->qlen += n;
  return 0;
}

static void do_shutdown(nnrpi_tcp *t) {
  if (t->shut_done || t->state != T_OPEN) return;
  t->shut_done = 1;
  if (t->tls) nnrpi_tls_bye(t->tls);
  shutdown(t->fd, SHUT_WR);
}

/* Write queued bytes.  0, or a negative error (the connection is then failed). */
static int drain(nnrpi_tcp *t) {
  while (t->qoff < t->qlen) {
    size_t n = t->qlen - t->qoff;
    long w;
    if (t->tls) {
      w = nnrpi_tls_send(t->tls, t->q + t->qoff, n > 16384 ? 16384 : n);
      if (w == NNRP_ERR_WOULD_BLOCK) break;
      if (w < 0) return (int)w;
    } else {
      w = send(t->fd, t->q + t->qoff, n, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno == EINTR) continue;
        return NNRP_ERR_TRANSPORT_LOST;
      }
    }
    t->qoff += (size_t)w;
  }
  if (t->qoff == t->qlen) {
    t->qoff = t->qlen = 0;
    if (t->shut_req) do_shutdown(t);
  }
  return 0;
}

int nnrpi_tcp_send(nnrpi_tcp *t, const nnrp_vec *iov, size_t n) {
  if (t->state == T_DEAD) return NNRP_ERR_TRANSPORT_LOST;
  if (t->shut_req) return NNRP_ERR_CLOSED;
  if (n == 0) return 0;
  size_t i = 0, skip = 0;
  if (t->state == T_OPEN && !t->tls && t->qlen == t->qoff) {
    /* The common case: straight from the engine's vectors to the socket, no copy. */
    struct iovec v[64];
    size_t cnt = n < 64 ? n : 64;
    for (size_t k = 0; k < cnt; k++) v[k] = (struct iovec){(void *)iov[k].base, iov[k].len};
    ssize_t w = writev(t->fd, v, (int)cnt);
    if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      dead(t); /* the caller learns it from the return value, not a callback */
      return NNRP_ERR_TRANSPORT_LOST;
    }
    size_t done = w > 0 ? (size_t)w : 0;
    while (i < n && done >= iov[i].len) done -= iov[i++].len;
    skip = done;
  }
  for (; i < n; i++, skip = 0)
    if (queue_append(t, iov[i].base + skip, iov[i].len - skip) != 0) return NNRP_ERR_NOMEM;
  if (t->state == T_OPEN && t->qlen > t->qoff) {
    int rc = drain(t);
    if (rc) {
      dead(t);
      return rc;
    }
  }
  update_events(t);
  return 0;
}

void nnrpi_tcp_shutdown(nnrpi_tcp *t) {
  if (t->state == T_DEAD) return;
  t->shut_req = 1;
  if (t->qlen == t->qoff) do_shutdown(t);
}

static void opened(nnrpi_tcp *t) {
  t->state = T_OPEN;
  update_events(t);
  t->cb->on_open(t->user, t);
}

static void handshake(nnrpi_tcp *t) {
  int want_write = 0;
  int rc = nnrpi_tls_handshake(t->tls, &want_write);
  if (rc == NNRP_ERR_WOULD_BLOCK) {
    nnrpi_watch_mod(t->loop, &t->w, want_write ? EPOLLOUT : EPOLLIN);
    return;
  }
  if (rc) {
    fail(t, rc);
    return;
  }
  opened(t);
}

static void readable(nnrpi_tcp *t) {
  uint8_t buf[65536];
  /* TLS may hold decrypted records the socket no longer signals: read it dry. */
  for (int rounds = 0; (t->tls || rounds < 16) && t->state == T_OPEN && !t->eof; rounds++) {
    long n;
    if (t->tls) {
      n = nnrpi_tls_recv(t->tls, buf, sizeof buf);
      if (n == NNRP_ERR_WOULD_BLOCK) return;
    } else {
      n = recv(t->fd, buf, sizeof buf, 0);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) n = NNRP_ERR_TRANSPORT_LOST;
    }
    if (n < 0) {
      fail(t, (int)n);
      return;
    }
    if (n == 0) { /* end of stream: the socket stays writable for what is queued */
      t->eof = 1;
      update_events(t);
      t->cb->on_closed(t->user, t, 0);
      return;
    }
    t->last_rx = nnrp_now();
    t->cb->on_data(t->user, t, buf, (size_t)n);
    if ((size_t)n < sizeof buf && !t->tls) return;
  }
}

static void on_event(nnrpi_watch *w, uint32_t events) {
  nnrpi_tcp *t = (nnrpi_tcp *)w;
  if (t->state == T_CONNECTING) {
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
      fail(t, NNRP_ERR_CONNECT);
      return;
    }
    if (t->tls) {
      t->state = T_HANDSHAKE;
      handshake(t);
    } else {
      opened(t);
    }
    return;
  }
  if (t->state == T_HANDSHAKE) {
    handshake(t);
    return;
  }
  if (t->state != T_OPEN) return;
  if (t->eof && (events & (EPOLLHUP | EPOLLERR)) && t->qlen == t->qoff) {
    nnrpi_watch_del(t->loop, &t->w); /* nothing left to read or write: stop the wakeups */
    return;
  }
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) readable(t);
  if (t->state == T_OPEN && (events & (EPOLLOUT | EPOLLERR)) && t->qlen > t->qoff) {
    int rc = drain(t);
    if (rc) {
      fail(t, rc);
      return;
    }
    update_events(t);
    if (t->qlen == t->qoff && t->cb->on_drained) t->cb->on_drained(t->user, t);
  }
}
