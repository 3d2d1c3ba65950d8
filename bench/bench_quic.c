/*
 * QUIC binding throughput over loopback: a client streams FRAME_SUBMIT-shaped packets (one
 * unidirectional stream each) to a listener running in a second thread, which counts the
 * packets it receives whole.  Prints MB/s of packet bytes.  Usage:
 *   nnrp_bench_quic [--size BYTES] [--count N] [--quick]
 * The sender keeps at most 8 MiB unacknowledged (a send window), as a real host would.
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libnnrp/tls.h>

#include "bench_clock.h"
#include "io/quic_int.h"

#define WINDOW (8u << 20)

static char cert[64], key[64];

typedef struct server {
  nnrpi_quic_listener *l;
  nnrpi_quic *conn;
  atomic_size_t packets, bytes;
  atomic_int stop;
} server;

static nnrp_tstamp now_us(void) {
  return bench_now_ns() / 1000u;
}

static void srv_packet(void *user, nnrpi_quic *q, int path, const uint8_t *pkt, size_t len) {
  (void)q, (void)pkt;
  server *s = user;
  if (path != NNRPI_QUIC_SUBMIT) return;
  atomic_fetch_add(&s->packets, 1);
  atomic_fetch_add(&s->bytes, len);
}
static void srv_closed(void *user, nnrpi_quic *q, int err, uint64_t code) {
  (void)err, (void)code;
  server *s = user;
  if (s->conn == q) s->conn = NULL;
  nnrpi_quic_free(q);
}
static void srv_accept(void *user, nnrpi_quic_listener *l, nnrpi_quic *q) {
  (void)l;
  ((server *)user)->conn = q;
}

static void *server_main(void *arg) {
  server *s = arg;
  int fd = nnrpi_quic_listener_fd(s->l);
  while (!atomic_load(&s->stop)) {
    nnrp_tstamp t = now_us(), at = s->conn ? nnrpi_quic_expiry(s->conn) : NNRP_TSTAMP_NEVER;
    int wait = at <= t ? 0 : at - t > 20000 ? 20 : (int)((at - t + 999) / 1000);
    struct pollfd p = {fd, POLLIN, 0};
    poll(&p, 1, wait);
    if (p.revents & POLLIN) nnrpi_quic_listener_on_readable(s->l, now_us());
    if (s->conn && nnrpi_quic_expiry(s->conn) <= now_us()) nnrpi_quic_on_timer(s->conn, now_us());
  }
  return NULL;
}

typedef struct client {
  int up, closed;
} client;

static void cli_packet(void *user, nnrpi_quic *q, int path, const uint8_t *pkt, size_t len) {
  (void)user, (void)q, (void)path, (void)pkt, (void)len;
}
static void cli_handshake(void *user, nnrpi_quic *q) {
  (void)q;
  ((client *)user)->up = 1;
}
static void cli_closed(void *user, nnrpi_quic *q, int err, uint64_t code) {
  (void)q, (void)code;
  ((client *)user)->closed = err ? err : 1;
}

/* One loop turn of the client: read, timers, writes. */
static void client_turn(nnrpi_quic *q, int max_wait_ms) {
  nnrp_tstamp t = now_us(), at = nnrpi_quic_expiry(q);
  int wait = at <= t                                    ? 0
             : at - t > (nnrp_tstamp)max_wait_ms * 1000 ? max_wait_ms
                                                        : (int)((at - t + 999) / 1000);
  struct pollfd p = {nnrpi_quic_fd(q), POLLIN, 0};
  poll(&p, 1, wait);
  if (p.revents & POLLIN) nnrpi_quic_on_readable(q, now_us());
  if (nnrpi_quic_expiry(q) <= now_us()) nnrpi_quic_on_timer(q, now_us());
}

int main(int argc, char **argv) {
  size_t size = 32768, count = 20000;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--size") && i + 1 < argc)
      size = strtoul(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--count") && i + 1 < argc)
      count = strtoul(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--quick"))
      count = 2000;
  }
  if (size < NNRP_HEADER_LEN) size = NNRP_HEADER_LEN;
  snprintf(cert, sizeof cert, "/tmp/nnrp-bench-quic-%d.crt", (int)getpid());
  snprintf(key, sizeof key, "/tmp/nnrp-bench-quic-%d.key", (int)getpid());
  if (nnrp_tls_make_dev_cert(cert, key, NULL) != 0) return 1;

  static server srv;
  nnrpi_quic_callbacks scb = {srv_packet, NULL, srv_closed, srv_accept};
  nnrpi_quic_tls stls = {.cert_file = cert, .key_file = key};
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (nnrpi_quic_listen(&srv.l, (struct sockaddr *)&a, sizeof a, &stls, NULL, &scb, &srv) != 0)
    return 1;
  struct sockaddr_storage ss;
  socklen_t sl;
  nnrpi_quic_listener_addr(srv.l, &ss, &sl);
  pthread_t th;
  pthread_create(&th, NULL, server_main, &srv);

  client cl = {0};
  nnrpi_quic *q;
  nnrpi_quic_callbacks ccb = {cli_packet, cli_handshake, cli_closed, NULL};
  nnrpi_quic_tls ctls = {.ca_file = cert};
  if (nnrpi_quic_connect(&q, (struct sockaddr *)&ss, sl, &ctls, NULL, &ccb, &cl, now_us()) != 0)
    return 1;
  while (!cl.up && !cl.closed) client_turn(q, 20);
  if (!cl.up) {
    fprintf(stderr, "handshake failed: %s\n", nnrp_strerror(cl.closed));
    return 1;
  }

  uint8_t *pkt = calloc(1, size);
  nnrp_header h = {.version_major = 1, .msg_type = NNRP_MSG_FRAME_SUBMIT, .header_len = 40};
  h.body_len = (uint32_t)(size - NNRP_HEADER_LEN);
  nnrp_header_encode(&h, pkt);
  nnrp_vec v = {pkt, size};

  uint64_t t0 = bench_now_ns(), cpu0 = bench_cpu_ns();
  size_t sent = 0;
  while (atomic_load(&srv.packets) < count && !cl.closed) {
    while (sent < count && q->unacked < WINDOW) {
      nnrpi_quic_send(q, NNRPI_QUIC_SUBMIT, &v, 1, now_us());
      sent++;
    }
    nnrpi_quic_flush(q, now_us());
    client_turn(q, 1);
  }
  uint64_t ns = bench_now_ns() - t0, cpu = bench_cpu_ns() - cpu0;
  double mb = (double)atomic_load(&srv.bytes) / 1e6, secs = (double)ns / 1e9;
  printf(
      "quic loopback: %zu packets of %zu bytes in %.3f s: %.1f MB/s (%.2f Gbit/s), "
      "CPU %.0f%% of one core (both ends)\n",
      (size_t)atomic_load(&srv.packets), size, secs, mb / secs, mb * 8 / 1000 / secs,
      100.0 * (double)cpu / (double)ns);

  nnrpi_quic_close(q, 0, "done", now_us());
  for (int i = 0; i < 200 && !cl.closed; i++) client_turn(q, 5);
  nnrpi_quic_free(q);
  atomic_store(&srv.stop, 1);
  pthread_join(th, NULL);
  if (srv.conn) nnrpi_quic_free(srv.conn);
  nnrpi_quic_listener_free(srv.l);
  unlink(cert);
  unlink(key);
  free(pkt);
  return 0;
}
