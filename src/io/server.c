/*
 * The server (io.h): listeners on TCP, TCP+TLS and QUIC at once; one engine conn per accepted
 * connection (its first packet decides: hello, probe or migration — the engine answers probes
 * itself); sessions keyed by id for migration; admitted frames go to the host's handler.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io_int.h"

typedef struct srv_conn srv_conn;

struct nnrp_server_session {
  nnrp_server *srv;
  srv_conn *sc; /* the connection currently carrying the session */
  uint32_t id;
  void *user;
  nnrp_server_session *next;
};

struct srv_conn {
  nnrpi_sess sess; /* first */
  nnrp_server *srv;
  nnrp_server_session *session; /* NULL before the handshake and after a migration away */
  uint32_t transport;
  int closed; /* the engine reached CLOSED */
  srv_conn *next;
};

typedef struct listener {
  nnrpi_watch w;
  nnrp_server *srv;
  int tls;
  uint16_t port;
} listener;

struct nnrp_server {
  nnrp_loop *loop;
  nnrp_server_options opt;
  char *host;
  listener tcp, tls;
  nnrpi_quic_listener *quic;
  nnrpi_watch quic_w;
  uint16_t quic_port;
  nnrpi_quic_callbacks quic_cb;
  nnrpi_tls_ctx *tls_ctx;
  srv_conn *conns;
  size_t conn_count;
  nnrp_server_session *sessions;
  size_t session_count;
  uint64_t opened;
  uint32_t next_id;
};

void nnrp_server_options_default(nnrp_server_options *o) {
  memset(o, 0, sizeof *o);
  o->version = NNRP_IO_OPTIONS_VERSION;
  o->host = "127.0.0.1";
  o->tcp_port = 0;
  o->tls_port = NNRP_PORT_OFF;
  o->quic_port = NNRP_PORT_OFF;
  nnrp_settings_default(&o->settings, NNRP_ROLE_SERVER);
  o->idle_timeout_ms = 120000;
  o->orphan_ms = 10000;
  o->max_sessions = 1024;
}

static nnrp_server_session *find_session(nnrp_server *srv, uint32_t id) {
  for (nnrp_server_session *s = srv->sessions; s; s = s->next)
    if (s->id == id) return s;
  return NULL;
}

static void session_end(nnrp_server_session *ss) {
  nnrp_server *srv = ss->srv;
  for (nnrp_server_session **pp = &srv->sessions; *pp; pp = &(*pp)->next)
    if (*pp == ss) {
      *pp = ss->next;
      break;
    }
  srv->session_count--;
  if (srv->opt.handler.on_session)
    srv->opt.handler.on_session(ss, NNRP_SESSION_CLOSED, srv->opt.user);
  if (ss->sc) ss->sc->session = NULL;
  free(ss);
}

/* ---- connections ---------------------------------------------------------------------------- */

static void release_conn(void *p) {
  srv_conn *sc = p;
  if (sc->sess.conn) nnrp_conn_del(sc->sess.conn);
  free(sc);
}

static void conn_free(srv_conn *sc) {
  if (sc->sess.dead) return;
  sc->sess.dead = 1;
  nnrp_server *srv = sc->srv;
  for (srv_conn **pp = &srv->conns; *pp; pp = &(*pp)->next)
    if (*pp == sc) {
      *pp = sc->next;
      srv->conn_count--;
      break;
    }
  nnrpi_timer_set(srv->loop, &sc->sess.timer, NNRP_TSTAMP_NEVER);
  nnrpi_sess_drop_links(&sc->sess);
  if (sc->session && sc->session->sc == sc) session_end(sc->session);
  nnrpi_loop_release(srv->loop, release_conn, sc);
}

static void op_link_gone(nnrpi_sess *s, nnrpi_link *l) {
  (void)l;
  srv_conn *sc = (srv_conn *)s;
  if (sc->closed) {
    conn_free(sc);
    return;
  }
  /* The connection of a live session broke: keep the session for a migration. */
  s->deadline = nnrp_now() + (nnrp_tstamp)sc->srv->opt.orphan_ms * 1000u;
}

static void op_deadline(nnrpi_sess *s, nnrp_tstamp now) {
  /* No migration came: the session is lost (every open frame ends, transport §6.5). */
  s->defer_loss = 0;
  s->pumping++;
  if (s->conn) nnrp_conn_transport_closed(s->conn, nnrp_conn_path(s->conn), now);
  s->pumping--;
}

static const nnrpi_sess_ops conn_ops = {NULL, op_link_gone, op_deadline};

static srv_conn *sc_of(void *user) {
  return user;
}

static int cb_session_id(nnrp_conn *conn, uint32_t requested, uint32_t *id,
                         uint32_t *retry_after_ms, void *user) {
  (void)conn, (void)retry_after_ms;
  nnrp_server *srv = sc_of(user)->srv;
  if (srv->opt.handler.session_id) {
    uint32_t want = srv->opt.handler.session_id(srv, requested, srv->opt.user);
    if (want) requested = want;
  }
  if (requested && !find_session(srv, requested)) {
    *id = requested;
    return 0;
  }
  do { /* transport C17: a fresh non-zero id */
    if (++srv->next_id == 0) srv->next_id = 1;
  } while (find_session(srv, srv->next_id));
  *id = srv->next_id;
  return 0;
}

static int cb_handshake(nnrp_conn *conn, const nnrp_negotiated *neg, void *user) {
  srv_conn *sc = sc_of(user);
  nnrp_server *srv = sc->srv;
  nnrp_server_session *ss = calloc(1, sizeof *ss);
  if (!ss) return -1;
  ss->srv = srv;
  ss->sc = sc;
  ss->id = neg->session_id ? neg->session_id : nnrp_conn_session_id(conn);
  ss->next = srv->sessions;
  srv->sessions = ss;
  srv->session_count++;
  srv->opened++;
  sc->session = ss;
  sc->sess.defer_loss = srv->opt.orphan_ms > 0;
  if (srv->opt.handler.on_session)
    srv->opt.handler.on_session(ss, NNRP_SESSION_OPENED, srv->opt.user);
  return 0;
}

static int cb_submit(nnrp_conn *conn, const nnrp_submit *sub, void *user) {
  (void)conn;
  srv_conn *sc = sc_of(user);
  nnrp_server *srv = sc->srv;
  if (!sc->session || !srv->opt.handler.on_submit) return 0;
  return srv->opt.handler.on_submit(sc->session, sub, srv->opt.user);
}

static int cb_frame_closed(nnrp_conn *conn, const nnrp_frame_outcome *o, void *user) {
  (void)conn;
  srv_conn *sc = sc_of(user);
  nnrp_server *srv = sc->srv;
  if (sc->session && srv->opt.handler.on_frame_closed)
    srv->opt.handler.on_frame_closed(sc->session, o, srv->opt.user);
  return 0;
}

static int cb_cache_put(nnrp_conn *conn, const nnrp_cache_put_meta *m,
                        const nnrp_cache_ack_meta *ack, void *user) {
  (void)conn;
  srv_conn *sc = sc_of(user);
  nnrp_server *srv = sc->srv;
  if (sc->session && srv->opt.handler.on_cache_put)
    srv->opt.handler.on_cache_put(sc->session, m, ack, srv->opt.user);
  return 0;
}

static int cb_migrate(nnrp_conn *conn, const nnrp_header *h, const nnrp_session_migrate_meta *m,
                      void *user) {
  (void)m;
  srv_conn *fresh = sc_of(user);
  nnrp_server *srv = fresh->srv;
  nnrp_server_session *ss = find_session(srv, h->session_id);
  nnrp_tstamp now = nnrp_now();
  if (!ss || !ss->sc || ss->sc->closed) {
    nnrp_conn_migrate_reject(conn, 1, now); /* unknown session */
    return 0;
  }
  srv_conn *old = ss->sc;
  old->sess.pumping++;
  int rc = nnrp_conn_migrate_adopt(conn, old->sess.conn, now);
  old->sess.pumping--;
  if (rc != 0) return 0; /* a rejecting ACK is queued on the fresh conn */
  /* The session lives on in `fresh`; the old conn only finishes its grace window. */
  old->session = NULL;
  old->sess.defer_loss = 0;
  old->sess.deadline = NNRP_TSTAMP_NEVER;
  ss->sc = fresh;
  fresh->session = ss;
  fresh->sess.defer_loss = srv->opt.orphan_ms > 0;
  nnrpi_sess_flush(&old->sess);
  if (!old->sess.links && old->closed) conn_free(old);
  if (srv->opt.handler.on_session)
    srv->opt.handler.on_session(ss, NNRP_SESSION_MIGRATED, srv->opt.user);
  return 0;
}

static int cb_closed(nnrp_conn *conn, const nnrp_close_info *info, void *user) {
  (void)conn, (void)info;
  srv_conn *sc = sc_of(user);
  sc->closed = 1;
  sc->sess.deadline = NNRP_TSTAMP_NEVER;
  if (sc->session && sc->session->sc == sc) session_end(sc->session);
  if (!sc->sess.links) {
    conn_free(sc);
    return 0;
  }
  for (nnrpi_link *l = sc->sess.links; l; l = l->next) nnrpi_link_close(l, 1);
  return 0;
}

static srv_conn *conn_new(nnrp_server *srv, uint32_t transport) {
  if (srv->conn_count >= srv->opt.max_sessions) return NULL;
  srv_conn *sc = calloc(1, sizeof *sc);
  if (!sc) return NULL;
  nnrpi_sess_init(&sc->sess, srv->loop, &conn_ops);
  sc->sess.single_link = 1;
  sc->sess.idle_timeout_ms = srv->opt.idle_timeout_ms;
  sc->srv = srv;
  sc->transport = transport;
  nnrp_callbacks cb;
  nnrp_callbacks_init(&cb);
  cb.session_id = cb_session_id;
  cb.handshake_completed = cb_handshake;
  cb.recv_submit = cb_submit;
  cb.frame_closed = cb_frame_closed;
  cb.recv_cache_put = cb_cache_put;
  cb.recv_migrate = cb_migrate;
  cb.closed = cb_closed;
  nnrp_settings s = srv->opt.settings;
  s.transport_id = transport;
  if (nnrp_conn_server_new(&sc->sess.conn, &s, &cb, NULL, sc) != 0) {
    free(sc);
    return NULL;
  }
  sc->next = srv->conns;
  srv->conns = sc;
  srv->conn_count++;
  return sc;
}

/* ---- listeners ------------------------------------------------------------------------------ */

static void on_accept_tcp(nnrpi_watch *w, uint32_t events) {
  (void)events;
  listener *li = (listener *)w;
  nnrp_server *srv = li->srv;
  for (int i = 0; i < 64; i++) {
    int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    srv_conn *sc = conn_new(srv, NNRP_TRANSPORT_TCP);
    nnrpi_tcp *t = NULL;
    if (!sc || nnrpi_tcp_adopt(&t, srv->loop, fd, li->tls ? srv->tls_ctx : NULL,
                               nnrpi_link_tcp_callbacks(), NULL) != 0) {
      if (sc) conn_free(sc);
      close(fd);
      continue;
    }
    if (nnrpi_link_adopt_tcp(&sc->sess, t, li->tls, NULL) != 0) {
      nnrpi_tcp_free(t);
      conn_free(sc);
      continue;
    }
    nnrpi_sess_rearm(&sc->sess); /* the engine's hello timeout */
  }
}

static void on_accept_quic(void *user, nnrpi_quic_listener *l, nnrpi_quic *q) {
  (void)l;
  nnrp_server *srv = user;
  srv_conn *sc = conn_new(srv, NNRP_TRANSPORT_QUIC);
  if (!sc || nnrpi_link_adopt_quic(&sc->sess, q, NULL) != 0) {
    if (sc) conn_free(sc);
    nnrpi_quic_close(q, 0x000B, "busy", nnrp_now()); /* server_busy */
    return;
  }
  nnrpi_sess_rearm(&sc->sess);
}

static void on_quic_readable(nnrpi_watch *w, uint32_t events) {
  (void)events;
  nnrp_server *srv = (nnrp_server *)((char *)w - offsetof(nnrp_server, quic_w));
  nnrpi_quic_listener_on_readable(srv->quic, nnrp_now());
  /* Datagrams change the QUIC timers and flow credit of the connections they reached. */
  for (srv_conn *sc = srv->conns; sc; sc = sc->next)
    if (sc->transport == NNRP_TRANSPORT_QUIC) nnrpi_sess_flush(&sc->sess);
}

static int listen_tcp(nnrp_server *srv, listener *li, int port, int tls) {
  int fd;
  int rc = nnrpi_tcp_listen_fd(srv->host, port, &fd);
  if (rc) return rc;
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  getsockname(fd, (struct sockaddr *)&ss, &len);
  li->srv = srv;
  li->tls = tls;
  li->port = nnrpi_sockaddr_port(&ss);
  li->w.on_event = on_accept_tcp;
  if ((rc = nnrpi_watch_add(srv->loop, &li->w, fd, EPOLLIN)) != 0) close(fd);
  return rc;
}

static int listen_quic(nnrp_server *srv) {
  struct sockaddr_storage ss;
  socklen_t len;
  int rc = nnrpi_resolve(srv->host, (uint16_t)srv->opt.quic_port, 1, &ss, &len);
  if (rc) return rc;
  nnrpi_quic_tls qtls = {.cert_file = srv->opt.tls.cert_file, .key_file = srv->opt.tls.key_file};
  nnrpi_quic_settings qset;
  nnrpi_quic_settings_default(&qset);
  qset.idle_timeout_us = (uint64_t)srv->opt.idle_timeout_ms * 1000u;
  if (qset.max_streams_uni < srv->opt.settings.server.max_concurrent_frames)
    qset.max_streams_uni = srv->opt.settings.server.max_concurrent_frames; /* C4 */
  if (srv->opt.settings.max_packet_bytes) qset.max_packet_len = srv->opt.settings.max_packet_bytes;
  srv->quic_cb = *nnrpi_link_quic_callbacks();
  srv->quic_cb.on_accept = on_accept_quic;
  rc = nnrpi_quic_listen(&srv->quic, (struct sockaddr *)&ss, len, &qtls, &qset, &srv->quic_cb, srv);
  if (rc) return rc;
  len = sizeof ss;
  nnrpi_quic_listener_addr(srv->quic, &ss, &len);
  srv->quic_port = nnrpi_sockaddr_port(&ss);
  srv->quic_w.on_event = on_quic_readable;
  return nnrpi_watch_add(srv->loop, &srv->quic_w, nnrpi_quic_listener_fd(srv->quic), EPOLLIN);
}

int nnrp_server_new(nnrp_server **ps, nnrp_loop *loop, const nnrp_server_options *o) {
  if (!ps || !loop || !o || o->version == 0 || o->version > NNRP_IO_OPTIONS_VERSION)
    return NNRP_ERR_INVALID_ARGUMENT;
  nnrp_server *srv = calloc(1, sizeof *srv);
  if (!srv) return NNRP_ERR_NOMEM;
  srv->loop = loop;
  srv->opt = *o;
  srv->host = strdup(o->host ? o->host : "127.0.0.1");
  srv->tcp.w.fd = srv->tls.w.fd = srv->quic_w.fd = -1;
  if (!srv->opt.max_sessions) srv->opt.max_sessions = 1024;
  int rc = srv->host ? 0 : NNRP_ERR_NOMEM;
  if (!rc && o->tls_port != NNRP_PORT_OFF) rc = nnrpi_tls_ctx_server(&srv->tls_ctx, &o->tls);
  if (!rc && o->tcp_port != NNRP_PORT_OFF) rc = listen_tcp(srv, &srv->tcp, o->tcp_port, 0);
  if (!rc && o->tls_port != NNRP_PORT_OFF) rc = listen_tcp(srv, &srv->tls, o->tls_port, 1);
  if (!rc && o->quic_port != NNRP_PORT_OFF) rc = listen_quic(srv);
  if (rc) {
    nnrp_server_free(srv);
    return rc;
  }
  *ps = srv;
  return 0;
}

uint16_t nnrp_server_port(const nnrp_server *s, uint32_t transport, int tls) {
  if (transport == NNRP_TRANSPORT_QUIC) return s->quic ? s->quic_port : 0;
  const listener *li = tls ? &s->tls : &s->tcp;
  return li->w.fd >= 0 ? li->port : 0;
}

size_t nnrp_server_session_count(const nnrp_server *s) {
  return s->session_count;
}
uint64_t nnrp_server_sessions_opened(const nnrp_server *s) {
  return s->opened;
}

static void close_listener(nnrp_server *srv, listener *li) {
  int fd = li->w.fd;
  nnrpi_watch_del(srv->loop, &li->w);
  if (fd >= 0) close(fd);
}

static void close_listeners(nnrp_server *srv) {
  close_listener(srv, &srv->tcp);
  close_listener(srv, &srv->tls);
  if (srv->quic) {
    nnrpi_watch_del(srv->loop, &srv->quic_w);
    /* QUIC connections share the listener's socket: they go first. */
    for (srv_conn *sc = srv->conns; sc; sc = sc->next)
      if (sc->transport == NNRP_TRANSPORT_QUIC) nnrpi_sess_drop_links(&sc->sess);
    nnrpi_quic_listener_free(srv->quic);
    srv->quic = NULL;
  }
}

void nnrp_server_free(nnrp_server *srv) {
  if (!srv) return;
  while (srv->conns) {
    conn_free(srv->conns);
  }
  close_listeners(srv);
  while (srv->sessions) session_end(srv->sessions);
  nnrpi_tls_ctx_free(srv->tls_ctx);
  free(srv->host);
  nnrpi_loop_release(srv->loop, free, srv);
}

void nnrp_result_input_set_class(nnrp_result_push_input *in, uint8_t result_class,
                                 uint32_t reused_frame_id) {
  static const uint16_t flags[4] = {0, NNRP_RESULT_FLAG_PARTIAL, NNRP_RESULT_FLAG_STALE,
                                    NNRP_RESULT_FLAG_FALLBACK};
  static const uint8_t policy[4] = {0, NNRP_BUDGET_ALLOW_PARTIAL, NNRP_BUDGET_ALLOW_STALE_REUSE,
                                    NNRP_BUDGET_ALLOW_DEGRADED};
  in->result_class = result_class;
  in->result_flags = result_class < 4 ? flags[result_class] : 0;
  in->applied_budget_policy = result_class < 4 ? policy[result_class] : 0;
  in->reused_frame_id = result_class == NNRP_RESULT_STALE_REUSE ? reused_frame_id : 0;
}

/* ---- sessions ------------------------------------------------------------------------------- */

#define SESSION_CALL(ss, expr)                      \
  do {                                              \
    if (!(ss) || !(ss)->sc) return NNRP_ERR_CLOSED; \
    nnrpi_sess *s_ = &(ss)->sc->sess;               \
    s_->pumping++;                                  \
    rc = (expr);                                    \
    s_->pumping--;                                  \
    nnrpi_sess_flush(s_);                           \
  } while (0)

int nnrp_server_send_result(nnrp_server_session *ss, const nnrp_result_push_input *in,
                            uint32_t flags) {
  int rc;
  SESSION_CALL(ss, nnrp_conn_send_result(ss->sc->sess.conn, in, flags, nnrp_now()));
  return rc;
}

int nnrp_server_send_drop(nnrp_server_session *ss, uint32_t frame_id, uint16_t view_id,
                          nnrp_drop_reason reason, uint32_t retry_after_ms) {
  int rc;
  SESSION_CALL(ss, nnrp_conn_send_drop(ss->sc->sess.conn, frame_id, view_id, reason, retry_after_ms,
                                       nnrp_now()));
  return rc;
}

int nnrp_server_send_hint(nnrp_server_session *ss, uint32_t frame_id, uint16_t view_id,
                          const nnrp_result_hint_meta *m) {
  int rc;
  SESSION_CALL(ss, nnrp_conn_send_hint(ss->sc->sess.conn, frame_id, view_id, m, nnrp_now()));
  return rc;
}

int nnrp_server_flow_update(nnrp_server_session *ss, const nnrp_flow_update_meta *m) {
  int rc;
  SESSION_CALL(ss, nnrp_conn_send_flow_update(ss->sc->sess.conn, m, nnrp_now()));
  return rc;
}

int nnrp_server_session_close(nnrp_server_session *ss, const char *reason) {
  nnrp_vec why = {(const uint8_t *)(reason ? reason : ""), reason ? strlen(reason) : 0};
  int rc;
  SESSION_CALL(ss, nnrp_conn_close(ss->sc->sess.conn, why, nnrp_now()));
  return rc;
}

int nnrp_server_shutdown(nnrp_server *srv, const char *reason) {
  close_listeners(srv);
  for (nnrp_server_session *ss = srv->sessions, *next; ss; ss = next) {
    next = ss->next; /* closing may end the session at once */
    nnrp_server_session_close(ss, reason);
  }
  return 0;
}

nnrp_conn *nnrp_server_session_conn(nnrp_server_session *ss) {
  return ss->sc->sess.conn;
}
uint32_t nnrp_server_session_id(const nnrp_server_session *ss) {
  return ss->id;
}
uint32_t nnrp_server_session_transport(const nnrp_server_session *ss) {
  return ss->sc->transport;
}
nnrp_server *nnrp_server_session_server(nnrp_server_session *ss) {
  return ss->srv;
}
void nnrp_server_session_set_user(nnrp_server_session *ss, void *user) {
  ss->user = user;
}
void *nnrp_server_session_get_user(const nnrp_server_session *ss) {
  return ss->user;
}
