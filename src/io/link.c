/*
 * Links and the engine pump.  A link is one transport connection (TCP, TCP+TLS or QUIC) that
 * carries one path generation of a session engine; nnrpi_sess is what the client and every
 * server connection share: engine input from the links, engine output to the link of its
 * path (QUIC: on the stream of its channel), one loop timer for every deadline.
 */
#include <stdlib.h>
#include <sys/epoll.h>

#include "io_int.h"

/* Stop taking engine output while this much is queued on a TCP link (backpressure). */
#define TCP_HIGH_WATER (4u << 20)
/* How long a closing link may take to deliver what is queued (transport C8). */
#define LINGER_US 2000000u

typedef struct quic_link {
  nnrpi_link link;
  nnrpi_watch w; /* client QUIC connections own their socket */
} quic_link;

static void link_lost(nnrpi_link *l, int err);

void nnrpi_sess_init(nnrpi_sess *s, nnrp_loop *loop, const nnrpi_sess_ops *ops) {
  s->loop = loop;
  s->ops = ops;
  s->links = NULL;
  s->conn = NULL;
  s->pumping = 0;
  s->single_link = 0;
  s->idle_timeout_ms = 0;
  s->defer_loss = 0;
  s->deadline = NNRP_TSTAMP_NEVER;
}

nnrpi_link *nnrpi_link_find(nnrpi_sess *s, uint32_t path) {
  for (nnrpi_link *l = s->links; l; l = l->next)
    if (l->path == path && !l->gone) return l;
  return NULL;
}

static void release_link(void *p) {
  free(p);
}

static void link_free(nnrpi_link *l) {
  if (l->freed) return;
  l->freed = 1;
  nnrpi_sess *s = l->sess;
  for (nnrpi_link **pp = &s->links; *pp; pp = &(*pp)->next)
    if (*pp == l) {
      *pp = l->next;
      break;
    }
  if (l->tcp) nnrpi_tcp_free(l->tcp);
  if (l->quic) {
    quic_link *ql = (quic_link *)l;
    nnrpi_watch_del(s->loop, &ql->w);
    nnrpi_quic_free(l->quic);
  }
  l->tcp = NULL;
  l->quic = NULL;
  nnrpi_loop_release(s->loop, release_link, l);
}

void nnrpi_sess_drop_links(nnrpi_sess *s) {
  while (s->links) link_free(s->links);
}

/* Feed bytes of a link to the engine. */
static void link_input(nnrpi_link *l, const uint8_t *d, size_t n, uint32_t flags) {
  nnrpi_sess *s = l->sess;
  if (!s->conn || l->gone) return;
  uint32_t path = s->single_link ? nnrp_conn_path(s->conn) : l->path;
  s->pumping++;
  int rc = nnrp_conn_read_path(s->conn, path, d, n, flags, nnrp_now());
  s->pumping--;
  nnrpi_sess_after(s, rc);
  nnrpi_sess_flush(s);
}

void nnrpi_sess_after(nnrpi_sess *s, int rc) {
  if (rc >= 0 || !s->conn || rc == NNRP_ERR_CLOSED) return;
  /* The engine cannot go on (undecodable stream, NOMEM, callback abort): end the session as
   * lost on its primary path; whatever it queued (a fatal ERROR) is still written. */
  if (nnrp_conn_state(s->conn) != NNRP_STATE_CLOSED) {
    s->pumping++;
    nnrp_conn_transport_closed(s->conn, nnrp_conn_path(s->conn), nnrp_now());
    s->pumping--;
  }
}

static void link_opened(nnrpi_link *l) {
  l->open = 1;
  l->deadline = NNRP_TSTAMP_NEVER;
  l->opened_at = nnrp_now();
  if (l->sess->ops->link_open) l->sess->ops->link_open(l->sess, l);
  nnrpi_sess_flush(l->sess);
}

/* ---- TCP ------------------------------------------------------------------------------------ */

static void tcp_open(void *user, nnrpi_tcp *t) {
  (void)t;
  link_opened(user);
}

static void tcp_data(void *user, nnrpi_tcp *t, const uint8_t *d, size_t n) {
  (void)t;
  link_input(user, d, n, 0);
}

static void tcp_drained(void *user, nnrpi_tcp *t) {
  (void)t;
  nnrpi_link *l = user;
  nnrpi_sess_flush(l->sess); /* more engine output may be waiting for room */
}

static void tcp_closed(void *user, nnrpi_tcp *t, int err) {
  (void)t;
  link_lost(user, err);
}

static const nnrpi_tcp_cb tcp_cb = {tcp_open, tcp_data, tcp_drained, tcp_closed};

/* ---- QUIC ----------------------------------------------------------------------------------- */

static nnrpi_link *quic_user(void *user, nnrpi_quic *q) {
  void *u = nnrpi_quic_user(q);
  return u ? u : user;
}

static void quic_packet(void *user, nnrpi_quic *q, int chan, const uint8_t *pkt, size_t len) {
  (void)chan; /* the engine routes by message type (transport §1) */
  link_input(quic_user(user, q), pkt, len, NNRP_READ_WHOLE_PACKETS);
}

static void quic_handshake(void *user, nnrpi_quic *q) {
  link_opened(quic_user(user, q));
}

static void quic_closed(void *user, nnrpi_quic *q, int err, uint64_t app_code) {
  nnrpi_link *l = quic_user(user, q);
  l->quic_app_code = app_code;
  link_lost(l, err);
}

static const nnrpi_quic_callbacks quic_cb = {quic_packet, quic_handshake, quic_closed, NULL};

static void quic_readable(nnrpi_watch *w, uint32_t events) {
  (void)events;
  quic_link *ql = (quic_link *)((char *)w - offsetof(quic_link, w));
  nnrpi_sess *s = ql->link.sess;
  if (ql->link.quic) nnrpi_quic_on_readable(ql->link.quic, nnrp_now());
  nnrpi_sess_flush(s);
}

/* ---- links ---------------------------------------------------------------------------------- */

static nnrpi_link *link_new(nnrpi_sess *s, uint32_t path, uint32_t transport, int tls) {
  nnrpi_link *l = calloc(1, transport == NNRP_TRANSPORT_QUIC ? sizeof(quic_link) : sizeof *l);
  if (!l) return NULL;
  l->sess = s;
  l->path = path;
  l->transport = transport;
  l->tls = tls;
  l->deadline = NNRP_TSTAMP_NEVER;
  if (transport == NNRP_TRANSPORT_QUIC) ((quic_link *)l)->w.fd = -1;
  l->next = s->links;
  s->links = l;
  return l;
}

int nnrpi_link_connect(nnrpi_sess *s, uint32_t path, uint32_t transport, int tls,
                       const struct sockaddr *addr, socklen_t addrlen, nnrpi_tls_ctx *tls_ctx,
                       const nnrpi_quic_tls *qtls, const nnrpi_quic_settings *qset,
                       nnrp_tstamp deadline, nnrpi_link **pl) {
  nnrpi_link *l = link_new(s, path, transport, tls);
  if (!l) return NNRP_ERR_NOMEM;
  int rc;
  if (transport == NNRP_TRANSPORT_QUIC) {
    rc = nnrpi_quic_connect(&l->quic, addr, addrlen, qtls, qset, &quic_cb, l, nnrp_now());
    if (rc == 0) {
      nnrpi_quic_set_user(l->quic, l);
      quic_link *ql = (quic_link *)l;
      ql->w.on_event = quic_readable;
      rc = nnrpi_watch_add(s->loop, &ql->w, nnrpi_quic_fd(l->quic), EPOLLIN);
      if (rc == 0) nnrpi_quic_flush(l->quic, nnrp_now());
    }
  } else {
    rc = nnrpi_tcp_connect(&l->tcp, s->loop, addr, addrlen, tls ? tls_ctx : NULL, &tcp_cb, l);
  }
  if (rc) {
    link_free(l);
    return rc;
  }
  l->deadline = deadline;
  if (pl) *pl = l;
  nnrpi_sess_rearm(s);
  return 0;
}

int nnrpi_link_adopt_tcp(nnrpi_sess *s, nnrpi_tcp *t, int tls, nnrpi_link **pl) {
  nnrpi_link *l = link_new(s, 0, NNRP_TRANSPORT_TCP, tls);
  if (!l) return NNRP_ERR_NOMEM;
  l->tcp = t;
  nnrpi_tcp_set_user(t, l);
  if (nnrpi_tcp_is_open(t)) {
    l->open = 1;
    l->opened_at = nnrp_now();
  }
  if (pl) *pl = l;
  return 0;
}

const nnrpi_tcp_cb *nnrpi_link_tcp_callbacks(void) {
  return &tcp_cb;
}
const nnrpi_quic_callbacks *nnrpi_link_quic_callbacks(void) {
  return &quic_cb;
}

int nnrpi_link_adopt_quic(nnrpi_sess *s, nnrpi_quic *q, nnrpi_link **pl) {
  nnrpi_link *l = link_new(s, 0, NNRP_TRANSPORT_QUIC, 1);
  if (!l) return NNRP_ERR_NOMEM;
  l->quic = q;
  nnrpi_quic_set_user(q, l);
  if (pl) *pl = l;
  return 0;
}

void nnrpi_link_close(nnrpi_link *l, int graceful) {
  if (l->gone) return;
  if (!graceful || !l->open) {
    l->gone = 1;
    link_free(l);
    return;
  }
  if (!l->closing) {
    l->closing = 1;
    l->deadline = nnrp_now() + LINGER_US;
  }
  /* The actual shutdown happens in the flush, after the engine's last packets. */
}

/* The transport of a link ended (EOF, error, connect failure, QUIC close). */
static void link_lost(nnrpi_link *l, int err) {
  if (l->gone) return;
  nnrpi_sess *s = l->sess;
  int was_open = l->open;
  if (was_open && s->conn && nnrp_conn_state(s->conn) != NNRP_STATE_CLOSED &&
      !(s->defer_loss && nnrp_conn_state(s->conn) == NNRP_STATE_ACTIVE)) {
    uint32_t path = s->single_link ? nnrp_conn_path(s->conn) : l->path;
    s->pumping++;
    nnrp_conn_transport_closed(s->conn, path, nnrp_now());
    s->pumping--;
  }
  if (err == 0 && l->tcp && was_open) {
    /* End of stream: what we still have queued goes out before the socket closes. */
    l->eof = 1;
    nnrpi_link_close(l, 1);
    nnrpi_sess_flush(s);
    return;
  }
  l->err = err;
  l->gone = 1;
  l->open = 0;
  if (s->ops->link_gone) s->ops->link_gone(s, l);
  link_free(l);
  nnrpi_sess_flush(s);
}

/* A closing link that delivered everything (or ran out of time). */
static void finish(nnrpi_link *l) {
  l->gone = 1;
  l->open = 0;
  if (l->sess->ops->link_gone) l->sess->ops->link_gone(l->sess, l);
  link_free(l);
}

static void flush_once(nnrpi_sess *s);

/* ---- pump ----------------------------------------------------------------------------------- */

static int link_send(nnrpi_link *l, const nnrp_output *out, nnrp_tstamp now) {
  if (l->tcp) {
    if (nnrpi_tcp_queued(l->tcp) > TCP_HIGH_WATER) return NNRP_ERR_WOULD_BLOCK;
    return nnrpi_tcp_send(l->tcp, out->iov, out->iov_count);
  }
  return nnrpi_quic_send(l->quic, (int)out->channel, out->iov, out->iov_count, now);
}

void nnrpi_sess_flush(nnrpi_sess *s) {
  if (s->pumping || s->dead) return; /* the engine call in progress flushes when it returns */
  if (s->flushing) {                 /* a transport callback during the flush: go round once more */
    s->reflush = 1;
    return;
  }
  s->flushing = 1;
  do {
    s->reflush = 0;
    flush_once(s);
  } while (s->reflush && !s->dead);
  s->flushing = 0;
  nnrpi_sess_rearm(s);
}

static void flush_once(nnrpi_sess *s) {
  nnrp_tstamp now = nnrp_now();
  nnrpi_link *failed = NULL;
  int failed_rc = 0;
  nnrpi_link *done = NULL;
  nnrp_output out;
  while (s->conn && nnrp_conn_output_peek(s->conn, &out)) {
    nnrpi_link *l = s->single_link ? s->links : nnrpi_link_find(s, out.path);
    if (!l || l->gone) {
      if (s->single_link) break;     /* kept for the connection a migration may bring */
      nnrp_conn_output_pop(s->conn); /* its connection is gone: nobody will read it */
      continue;
    }
    if (!l->open) break;
    int rc = link_send(l, &out, now);
    if (rc == NNRP_ERR_WOULD_BLOCK) break;
    nnrp_conn_output_pop(s->conn);
    if (rc < 0) {
      failed = l;
      failed_rc = rc;
      break;
    }
  }
  for (nnrpi_link *l = s->links; l; l = l->next) {
    if (l->quic && !l->gone) nnrpi_quic_flush(l->quic, now);
    if (!l->closing || l->gone || !l->open) continue;
    if (l->tcp) {
      nnrpi_tcp_shutdown(l->tcp);
      if (l->eof && !nnrpi_tcp_queued(l->tcp)) done = l; /* both directions finished */
    } else if (l->quic && !l->close_sent) {
      l->close_sent = 1;
      nnrpi_quic_close(l->quic, 0, "close", now);
    }
  }
  if (done) finish(done);
  if (failed && failed != done) link_lost(failed, failed_rc);
}

static void sess_timer(nnrpi_timer *t, nnrp_tstamp now) {
  nnrpi_sess *s = (nnrpi_sess *)((char *)t - offsetof(nnrpi_sess, timer));
  if (s->deadline <= now && s->ops->deadline) {
    s->deadline = NNRP_TSTAMP_NEVER;
    s->ops->deadline(s, now);
  }
  if (s->conn) {
    s->pumping++;
    int rc = nnrp_conn_handle_expiry(s->conn, now);
    s->pumping--;
    nnrpi_sess_after(s, rc);
  }
  for (nnrpi_link *l = s->links, *next; l; l = next) {
    next = l->next;
    if (l->gone) continue;
    if (l->quic && nnrpi_quic_expiry(l->quic) <= now) nnrpi_quic_on_timer(l->quic, now);
    if (l->deadline <= now) {
      if (l->closing) {
        finish(l);
      } else {
        link_lost(l, NNRP_ERR_TIMEOUT); /* connect or handshake took too long */
      }
      continue;
    }
    if (l->tcp && l->open && !l->closing && s->idle_timeout_ms &&
        now - nnrpi_tcp_last_rx(l->tcp) >= (nnrp_tstamp)s->idle_timeout_ms * 1000u)
      link_lost(l, NNRP_ERR_TIMEOUT); /* read inactivity (transport §3.4) */
  }
  nnrpi_sess_flush(s);
}

void nnrpi_sess_rearm(nnrpi_sess *s) {
  if (!s->timer.on_timer) nnrpi_timer_init(&s->timer, sess_timer);
  if (s->dead) {
    nnrpi_timer_set(s->loop, &s->timer, NNRP_TSTAMP_NEVER);
    return;
  }
  nnrp_tstamp at = s->conn ? nnrp_conn_expiry(s->conn) : NNRP_TSTAMP_NEVER;
  if (s->deadline < at) at = s->deadline;
  for (nnrpi_link *l = s->links; l; l = l->next) {
    if (l->gone) continue;
    if (l->deadline < at) at = l->deadline;
    if (l->quic) {
      nnrp_tstamp q = nnrpi_quic_expiry(l->quic);
      if (q < at) at = q;
    }
    if (l->tcp && l->open && !l->closing && s->idle_timeout_ms) {
      nnrp_tstamp idle = nnrpi_tcp_last_rx(l->tcp) + (nnrp_tstamp)s->idle_timeout_ms * 1000u;
      if (idle < at) at = idle;
    }
  }
  nnrpi_timer_set(s->loop, &s->timer, at);
}
