/*
 * Private: the pieces of the io layer (libnnrp/io.h) and how they fit.
 *
 *   loop.c      epoll, timers, posted functions, deferred frees
 *   tcp.c       one TCP connection (cleartext or TLS): connect/accept, buffered writes,
 *               reads, half-close
 *   tls.c       GnuTLS credentials and sessions for TCP+TLS (ALPN nnrp/1-tcp)
 *   link.c      a transport connection carrying one engine path (TCP or QUIC) and the
 *               engine pump shared by client and server (nnrpi_sess)
 *   addr.c      address resolution
 *   router.c    the client's result router
 *   client.c    nnrp_client_*; client_probe.c probing and connect-with-probe;
 *               client_migrate.c migration
 *   server.c    nnrp_server_*: listeners, connections, sessions, migration adoption
 */
#ifndef NNRP_IO_INT_H
#define NNRP_IO_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <libnnrp/io.h>

#include "quic.h"

/* ---- loop.c ------------------------------------------------------------------------------- */

typedef struct nnrpi_watch nnrpi_watch;
struct nnrpi_watch {
  int fd; /* -1 once removed */
  uint32_t events;
  void (*on_event)(nnrpi_watch *w, uint32_t events);
};

typedef struct nnrpi_timer nnrpi_timer;
struct nnrpi_timer {
  nnrp_tstamp at; /* NNRP_TSTAMP_NEVER when not armed */
  void (*on_timer)(nnrpi_timer *t, nnrp_tstamp now);
  nnrpi_timer *prev, *next;
};

int nnrpi_watch_add(nnrp_loop *loop, nnrpi_watch *w, int fd, uint32_t events);
int nnrpi_watch_mod(nnrp_loop *loop, nnrpi_watch *w, uint32_t events);
void nnrpi_watch_del(nnrp_loop *loop, nnrpi_watch *w);

void nnrpi_timer_init(nnrpi_timer *t, void (*on_timer)(nnrpi_timer *t, nnrp_tstamp now));
/* Arm at `at` (NNRP_TSTAMP_NEVER disarms). */
void nnrpi_timer_set(nnrp_loop *loop, nnrpi_timer *t, nnrp_tstamp at);

/* 1 while the loop dispatches events (blocking calls refuse to nest). */
int nnrpi_loop_dispatching(const nnrp_loop *loop);
/* Free `ptr` with fn at the end of the current (or next) loop iteration, never at once: an
 * object whose events may still be in the current epoll batch, or whose caller is still on the
 * stack, stays valid until then. */
void nnrpi_loop_release(nnrp_loop *loop, void (*fn)(void *), void *ptr);

/* ---- tls.c -------------------------------------------------------------------------------- */

typedef struct nnrpi_tls_ctx nnrpi_tls_ctx;
typedef struct nnrpi_tls nnrpi_tls;

/* Client credentials: system roots + ca_file, verification unless insecure; `host` is the
 * name verified when o->server_name is NULL. */
int nnrpi_tls_ctx_client(nnrpi_tls_ctx **pctx, const nnrp_tls_options *o, const char *host);
int nnrpi_tls_ctx_server(nnrpi_tls_ctx **pctx, const nnrp_tls_options *o);
void nnrpi_tls_ctx_free(nnrpi_tls_ctx *ctx);

int nnrpi_tls_new(nnrpi_tls **ptls, nnrpi_tls_ctx *ctx, int fd);
void nnrpi_tls_free(nnrpi_tls *tls);
/* 0 done; NNRP_ERR_WOULD_BLOCK (call again when the socket is ready, *want_write says which
 * way); NNRP_ERR_TLS / _TLS_VERIFY / _TLS_ALPN. */
int nnrpi_tls_handshake(nnrpi_tls *tls, int *want_write);
/* Bytes read (> 0), 0 on close_notify / EOF, NNRP_ERR_WOULD_BLOCK, NNRP_ERR_TLS. */
long nnrpi_tls_recv(nnrpi_tls *tls, uint8_t *buf, size_t cap);
/* Bytes written (> 0), NNRP_ERR_WOULD_BLOCK (then call again with the same data), NNRP_ERR_TLS. */
long nnrpi_tls_send(nnrpi_tls *tls, const uint8_t *data, size_t len);
/* close_notify (best effort, non-blocking). */
void nnrpi_tls_bye(nnrpi_tls *tls);

/* ---- tcp.c -------------------------------------------------------------------------------- */

typedef struct nnrpi_tcp nnrpi_tcp;

typedef struct nnrpi_tcp_cb {
  void (*on_open)(void *user, nnrpi_tcp *t); /* connected (TLS done) */
  void (*on_data)(void *user, nnrpi_tcp *t, const uint8_t *d, size_t n);
  void (*on_drained)(void *user, nnrpi_tcp *t);         /* the write queue emptied */
  void (*on_closed)(void *user, nnrpi_tcp *t, int err); /* EOF (0) or error; final */
} nnrpi_tcp_cb;

/* Non-blocking connect; tls NULL for cleartext. */
int nnrpi_tcp_connect(nnrpi_tcp **pt, nnrp_loop *loop, const struct sockaddr *addr,
                      socklen_t addrlen, nnrpi_tls_ctx *tls, const nnrpi_tcp_cb *cb, void *user);
/* Take an accepted socket. */
int nnrpi_tcp_adopt(nnrpi_tcp **pt, nnrp_loop *loop, int fd, nnrpi_tls_ctx *tls,
                    const nnrpi_tcp_cb *cb, void *user);
void nnrpi_tcp_set_user(nnrpi_tcp *t, void *user);
int nnrpi_tcp_is_open(const nnrpi_tcp *t);
/* Write the packet; what the socket does not take now is copied and written later. */
int nnrpi_tcp_send(nnrpi_tcp *t, const nnrp_vec *iov, size_t n);
size_t nnrpi_tcp_queued(const nnrpi_tcp *t);
/* Half-close once the queue is written (TLS: close_notify first); reading goes on. */
void nnrpi_tcp_shutdown(nnrpi_tcp *t);
nnrp_tstamp nnrpi_tcp_last_rx(const nnrpi_tcp *t);
/* Close the socket now; no callback follows. */
void nnrpi_tcp_free(nnrpi_tcp *t);

/* ---- addr.c ------------------------------------------------------------------------------- */

/* Numeric address or host name + port (first result; IPv4 or IPv6). */
int nnrpi_resolve(const char *host, uint16_t port, int udp, struct sockaddr_storage *out,
                  socklen_t *outlen);
uint16_t nnrpi_sockaddr_port(const struct sockaddr_storage *ss);
/* A bound listening TCP socket (non-blocking). */
int nnrpi_tcp_listen_fd(const char *host, int port, int *pfd);

/* ---- link.c: a transport connection under an engine conn ---------------------------------- */

typedef struct nnrpi_sess nnrpi_sess;
typedef struct nnrpi_link nnrpi_link;

struct nnrpi_link {
  nnrpi_sess *sess;
  uint32_t path;      /* engine path generation it carries */
  uint32_t transport; /* NNRP_TRANSPORT_TCP / _QUIC */
  int tls;
  nnrpi_tcp *tcp;
  nnrpi_quic *quic;
  int open;       /* carries packets */
  int closing;    /* close once the queued output is written */
  int gone;       /* the transport ended; waiting to be freed */
  int eof;        /* TCP: the peer finished sending */
  int close_sent; /* QUIC: the application close was sent */
  int freed;
  int err; /* why it ended */
  uint64_t quic_app_code;
  nnrp_tstamp opened_at;
  nnrp_tstamp deadline; /* connect / handshake / drain limit, NEVER when none */
  nnrpi_link *next;
};

/* What the role (client, server connection) wants to hear about its links. */
typedef struct nnrpi_sess_ops {
  void (*link_open)(nnrpi_sess *s, nnrpi_link *l);
  /* The link ended and is about to be freed (it is still in s->links). */
  void (*link_gone)(nnrpi_sess *s, nnrpi_link *l);
  /* s->deadline passed. */
  void (*deadline)(nnrpi_sess *s, nnrp_tstamp now);
} nnrpi_sess_ops;

struct nnrpi_sess {
  nnrp_loop *loop;
  nnrp_conn *conn;
  nnrpi_link *links;
  nnrpi_timer timer;
  const nnrpi_sess_ops *ops;
  int single_link; /* server connection: every path goes to its one link */
  int pumping;     /* inside an engine call: the outer call flushes */
  int dead;        /* being freed: no more flushes or timers */
  int flushing, reflush;
  uint32_t idle_timeout_ms;
  /* Server connections: a broken connection of an ACTIVE session is not reported to the
   * engine at once (the session waits for a migration, transport §6.5); output stays queued. */
  int defer_loss;
  nnrp_tstamp deadline; /* role deadline (ops->deadline), NEVER when none */
};

void nnrpi_sess_init(nnrpi_sess *s, nnrp_loop *loop, const nnrpi_sess_ops *ops);
/* Open a link for `path` (client) and start connecting. */
int nnrpi_link_connect(nnrpi_sess *s, uint32_t path, uint32_t transport, int tls,
                       const struct sockaddr *addr, socklen_t addrlen, nnrpi_tls_ctx *tls_ctx,
                       const nnrpi_quic_tls *qtls, const nnrpi_quic_settings *qset,
                       nnrp_tstamp deadline, nnrpi_link **pl);
/* Attach an accepted TCP socket / QUIC connection (server). */
int nnrpi_link_adopt_tcp(nnrpi_sess *s, nnrpi_tcp *t, int tls, nnrpi_link **pl);
int nnrpi_link_adopt_quic(nnrpi_sess *s, nnrpi_quic *q, nnrpi_link **pl);
nnrpi_link *nnrpi_link_find(nnrpi_sess *s, uint32_t path);
/* Close gracefully: write what is queued, half-close (TCP) / close (QUIC), drop it. */
void nnrpi_link_close(nnrpi_link *l, int graceful);
/* The callbacks every link uses (servers hand them to accepted sockets / QUIC listeners). */
const nnrpi_tcp_cb *nnrpi_link_tcp_callbacks(void);
const nnrpi_quic_callbacks *nnrpi_link_quic_callbacks(void);
/* Free every link at once (abrupt). */
void nnrpi_sess_drop_links(nnrpi_sess *s);

/* Write the engine's output to the links; re-arm the timer. */
void nnrpi_sess_flush(nnrpi_sess *s);
/* Re-arm the session timer from the engine and link deadlines. */
void nnrpi_sess_rearm(nnrpi_sess *s);
/* Run the engine call result through the common error path (a callback abort, NOMEM). */
void nnrpi_sess_after(nnrpi_sess *s, int rc);

/* ---- router.c ----------------------------------------------------------------------------- */

typedef struct nnrpi_router nnrpi_router;
typedef struct nnrpi_entry nnrpi_entry;

int nnrpi_router_init(nnrpi_router **pr);
void nnrpi_router_free(nnrpi_router *r);
/* A RESULT_PUSH (before its frame_closed): keep a copy of the packet. */
int nnrpi_router_result(nnrpi_router *r, const nnrp_result *res);
/* The terminal outcome: completes the entry (or makes one). */
int nnrpi_router_outcome(nnrpi_router *r, const nnrp_frame_outcome *o);
/* Take a finished entry for the key (any key when any != 0); NULL when none. */
nnrp_client_result *nnrpi_router_take(nnrpi_router *r, uint32_t frame_id, uint16_t view_id,
                                      int any);
size_t nnrpi_router_count(const nnrpi_router *r);

#endif /* NNRP_IO_INT_H */
