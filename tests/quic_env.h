/*
 * A QUIC listener and a client in one process, driven by a small poll() loop (the QUIC tests:
 * test_quic*.c).  A development certificate is made once per program in a temporary folder.
 * Callbacks record everything; on_closed frees the connection, as quic.h allows.  Include it
 * first, after `#define _GNU_SOURCE` (mkdtemp, clock_gettime).
 */
#ifndef NNRP_TEST_QUIC_ENV_H
#define NNRP_TEST_QUIC_ENV_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libnnrp/tls.h>

#include "io/quic_int.h"
#include "test.h"

#define ENV_MAX_RX 256

typedef struct env_rx {
  int server; /* received by the server */
  int path;
  size_t len;
  uint8_t *data;
} env_rx;

typedef struct env {
  nnrpi_quic_listener *l;
  nnrpi_quic *c, *s; /* client; the server side of it */
  int c_hs, s_hs, accepts;
  int c_closed, s_closed, c_err, s_err;
  uint64_t c_code, s_code;
  env_rx rx[ENV_MAX_RX];
  size_t nrx;
  /* what the server does from its callbacks */
  uint64_t refuse; /* on_accept: close with refuse - 1 */
  int free_accept; /* on_accept: free the connection */
  int free_packet; /* on_packet: free the connection */
} env;

static char env_dir[64], env_cert[128], env_key[128];

static inline nnrp_tstamp env_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (nnrp_tstamp)ts.tv_sec * 1000000u + (nnrp_tstamp)ts.tv_nsec / 1000u;
}

static inline int env_make_cert(void) {
  snprintf(env_dir, sizeof env_dir, "/tmp/nnrp-quic-XXXXXX");
  if (!mkdtemp(env_dir)) return -1;
  snprintf(env_cert, sizeof env_cert, "%s/cert.pem", env_dir);
  snprintf(env_key, sizeof env_key, "%s/key.pem", env_dir);
  return nnrp_tls_make_dev_cert(env_cert, env_key, NULL);
}

static inline void env_remove_cert(void) {
  unlink(env_cert);
  unlink(env_key);
  rmdir(env_dir);
}

static inline void on_packet(void *user, nnrpi_quic *q, int path, const uint8_t *pkt, size_t len) {
  env *e = user;
  if (e->nrx == ENV_MAX_RX) return;
  env_rx *r = &e->rx[e->nrx++];
  r->server = q == e->s;
  r->path = path;
  r->len = len;
  r->data = malloc(len);
  memcpy(r->data, pkt, len);
  if (r->server && e->free_packet) {
    nnrpi_quic_free(q); /* takes effect when this callback returns */
    e->s = NULL;
  }
}

static inline void on_handshake_done(void *user, nnrpi_quic *q) {
  env *e = user;
  if (q == e->c) e->c_hs++;
  if (q == e->s) e->s_hs++;
}

static inline void on_closed(void *user, nnrpi_quic *q, int err, uint64_t code) {
  env *e = user;
  if (q == e->c) {
    e->c_closed++, e->c_err = err, e->c_code = code;
    e->c = NULL;
  } else if (q == e->s) {
    e->s_closed++, e->s_err = err, e->s_code = code;
    e->s = NULL;
  }
  nnrpi_quic_free(q);
}

static inline void on_accept(void *user, nnrpi_quic_listener *l, nnrpi_quic *q) {
  env *e = user;
  (void)l;
  e->accepts++;
  if (e->free_accept) {
    nnrpi_quic_free(q); /* takes effect when this callback returns */
    return;
  }
  if (!e->s) e->s = q;
  if (e->refuse) nnrpi_quic_close(q, e->refuse - 1, "busy", env_now());
}

static const nnrpi_quic_callbacks env_cb = {on_packet, on_handshake_done, on_closed, on_accept};

static inline void env_addr(struct sockaddr_in *a, uint16_t port) {
  memset(a, 0, sizeof *a);
  a->sin_family = AF_INET;
  a->sin_port = htons(port);
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* Listener on 127.0.0.1, port 0. */
static inline int env_listen(env *e, const nnrpi_quic_tls *tls, const nnrpi_quic_settings *st) {
  memset(e, 0, sizeof *e);
  nnrpi_quic_tls t = {0};
  if (!tls) {
    t.cert_file = env_cert;
    t.key_file = env_key;
    tls = &t;
  }
  struct sockaddr_in a;
  env_addr(&a, 0);
  return nnrpi_quic_listen(&e->l, (struct sockaddr *)&a, sizeof a, tls, st, &env_cb, e);
}

static inline uint16_t env_port(env *e) {
  struct sockaddr_storage ss;
  socklen_t n;
  if (nnrpi_quic_listener_addr(e->l, &ss, &n) != 0) return 0;
  return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* Client to the listener; tls NULL: trust the dev certificate through the CA file. */
static inline int env_connect(env *e, const nnrpi_quic_tls *tls, const nnrpi_quic_settings *st) {
  nnrpi_quic_tls t = {0};
  if (!tls) {
    t.ca_file = env_cert;
    tls = &t;
  }
  struct sockaddr_in a;
  env_addr(&a, env_port(e));
  return nnrpi_quic_connect(&e->c, (struct sockaddr *)&a, sizeof a, tls, st, &env_cb, e, env_now());
}

typedef int (*env_cond)(env *e, void *arg);

/* Run the loop until cond holds (1) or ms pass (0). */
static inline int env_pump(env *e, env_cond cond, void *arg, int ms) {
  nnrp_tstamp end = env_now() + (nnrp_tstamp)ms * 1000;
  while (!cond || !cond(e, arg)) {
    nnrp_tstamp t = env_now();
    if (t >= end) return cond ? 0 : 1;
    struct pollfd p[2];
    int n = 0, li = -1, ci = -1;
    if (e->l) li = n, p[n++] = (struct pollfd){nnrpi_quic_listener_fd(e->l), POLLIN, 0};
    if (e->c) ci = n, p[n++] = (struct pollfd){nnrpi_quic_fd(e->c), POLLIN, 0};
    nnrp_tstamp next = end;
    if (e->c && nnrpi_quic_expiry(e->c) < next) next = nnrpi_quic_expiry(e->c);
    if (e->s && nnrpi_quic_expiry(e->s) < next) next = nnrpi_quic_expiry(e->s);
    int wait = next > t ? (int)((next - t + 999) / 1000) : 0;
    poll(p, (nfds_t)n, wait > 50 ? 50 : wait);
    t = env_now();
    if (li >= 0 && e->l && (p[li].revents & POLLIN)) nnrpi_quic_listener_on_readable(e->l, t);
    if (ci >= 0 && e->c && (p[ci].revents & POLLIN)) nnrpi_quic_on_readable(e->c, t);
    if (e->c && nnrpi_quic_expiry(e->c) <= t) nnrpi_quic_on_timer(e->c, t);
    if (e->s && nnrpi_quic_expiry(e->s) <= t) nnrpi_quic_on_timer(e->s, t);
  }
  return 1;
}

static inline int cond_handshake(env *e, void *arg) {
  (void)arg;
  return (e->c_hs && e->s_hs) || e->c_closed;
}
static inline int cond_both_closed(env *e, void *arg) {
  (void)arg;
  return e->c_closed && (e->s_closed || !e->accepts);
}
static inline int cond_client_closed(env *e, void *arg) {
  (void)arg;
  return e->c_closed;
}
static inline int cond_rx(env *e, void *arg) {
  return e->nrx >= *(size_t *)arg;
}

/* Listener + client + handshake with the dev certificate. */
static inline int env_open(env *e, const nnrpi_quic_settings *server_st,
                           const nnrpi_quic_settings *client_st) {
  if (env_listen(e, NULL, server_st) != 0 || env_connect(e, NULL, client_st) != 0) return -1;
  return env_pump(e, cond_handshake, NULL, 5000) && e->c_hs && e->s_hs ? 0 : -1;
}

static inline void env_close(env *e) {
  if (e->c) nnrpi_quic_free(e->c);
  if (e->s) nnrpi_quic_free(e->s);
  nnrpi_quic_listener_free(e->l);
  for (size_t i = 0; i < e->nrx; i++) free(e->rx[i].data);
  memset(e, 0, sizeof *e);
}

/* A packet: a header of `type` with body_len bytes of a pattern derived from `seed`. */
static inline uint8_t *env_packet(uint8_t type, uint32_t seed, size_t body_len, size_t *len) {
  nnrp_header h = {0};
  h.version_major = 1;
  h.msg_type = type;
  h.header_len = NNRP_HEADER_LEN;
  h.body_len = (uint32_t)body_len;
  h.session_id = 7;
  h.frame_id = seed;
  uint8_t *p = malloc(NNRP_HEADER_LEN + body_len);
  if (!p || nnrp_header_encode(&h, p) != 0) abort();
  for (size_t i = 0; i < body_len; i++) p[NNRP_HEADER_LEN + i] = (uint8_t)(seed * 131 + i * 7);
  *len = NNRP_HEADER_LEN + body_len;
  return p;
}

static inline int env_send(nnrpi_quic *q, int path, const uint8_t *p, size_t len) {
  nnrp_vec v = {p, len};
  return nnrpi_quic_send(q, path, &v, 1, env_now());
}

#endif /* NNRP_TEST_QUIC_ENV_H */
