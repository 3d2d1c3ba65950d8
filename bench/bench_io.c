/*
 * Sessions over loopback: throughput and latency of libnnrp_io sessions over TCP, TCP+TLS and
 * QUIC, next to a raw TCP exchange of the same sizes measured in the same run.
 *
 *   nnrp_bench_io [--quick] [--seconds S] [--only raw|tcp|tls|quic] [--json]
 *
 * --json prints one JSON object per row instead of the table (bench/interop_session_bench.py).
 *
 * The server (nnrp_server, every listener on an OS-chosen port of 127.0.0.1) runs its loop in a
 * second thread of this process and answers every frame with a small RESULT_PUSH (metadata
 * only).  The client runs in the main thread and keeps 1 or 16 frames in flight on one
 * session; a frame carries one uint8 tensor section of one tile of 1 KiB or 32 KiB.  Latency is
 * submit -> result as the client sees it.  The raw TCP rows use plain sockets and one
 * outstanding request per connection (concurrency 16 = 16 connections): "echo" sends the
 * payload back, "ack" answers 64 bytes (the shape of the session exchange).  With two or more
 * cores the client thread is pinned to CPU 0 and the server thread to CPU 1.  Targets are
 * printed beside the figures, never asserted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libnnrp/io.h>
#include <libnnrp/tls.h>

#include "bench_clock.h"

#define MAX_CONC 16
#define MAX_SAMPLES (1u << 21)
#define ACK_BYTES 64

static int ncpu, pinned;
static double run_seconds = 1.5;
static const char *only; /* run one kind of row only (for profiling) */
static int json;         /* rows as JSON lines, nothing else on stdout */
static uint64_t *lat; /* ns, one per completed request of the current case */

static void pin(int cpu) {
  if (!pinned) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

/* ---------------------------------------------------------------------------------------------
 * Results
 * ------------------------------------------------------------------------------------------- */

typedef struct figures {
  double fps, mbit, p50_us, p99_us, cpu_us; /* cpu_us: process CPU time per frame, both ends */
  size_t frames, failed;
} figures;

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static figures summarise(size_t n, size_t failed, uint64_t ns, uint64_t cpu_ns, size_t payload) {
  figures f = {0};
  f.frames = n, f.failed = failed;
  if (n == 0 || ns == 0) return f;
  f.cpu_us = (double)cpu_ns / 1e3 / (double)n;
  qsort(lat, n, sizeof *lat, cmp_u64);
  f.fps = (double)n * 1e9 / (double)ns;
  f.mbit = f.fps * (double)payload * 8 / 1e6;
  f.p50_us = (double)lat[n / 2] / 1e3;
  f.p99_us = (double)lat[n * 99 / 100 < n ? n * 99 / 100 : n - 1] / 1e3;
  return f;
}

/* ---------------------------------------------------------------------------------------------
 * The libnnrp server (its own loop, in a thread)
 * ------------------------------------------------------------------------------------------- */

typedef struct server {
  nnrp_loop *loop;
  nnrp_server *srv;
  int cpu;
} server;

static int echo_result(nnrp_server_session *ss, const nnrp_submit *sub, void *user) {
  (void)user;
  nnrp_result_push_input r;
  nnrp_result_push_input_init(&r);
  r.packet.frame_id = sub->frame_id;
  r.packet.view_id = sub->view_id;
  r.inference_ms = 0, r.server_total_ms = 0;
  return nnrp_server_send_result(ss, &r, 0);
}

static void *server_main(void *arg) {
  server *s = arg;
  pin(1);
  nnrp_loop_run(s->loop);
  s->cpu = sched_getcpu();
  return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * One session case: connect, keep `conc` frames in flight for the run time, close
 * ------------------------------------------------------------------------------------------- */

static figures run_session(const nnrp_client_options *base, uint32_t transport, int tls,
                           size_t payload, int conc, int *err) {
  figures none = {0};
  nnrp_client_options o = *base;
  o.transport = transport;
  o.tcp_tls = tls;
  nnrp_loop *loop;
  nnrp_client *c;
  int rc = nnrp_loop_new(&loop);
  if (rc) return *err = rc, none;
  if ((rc = nnrp_client_connect(&c, loop, &o)) != 0) {
    nnrp_loop_del(loop);
    return *err = rc, none;
  }

  static uint8_t pixels[32768];
  uint16_t tile_id = 0;
  nnrp_vec tile = {pixels, payload};
  nnrp_tensor_section_data sec = {
      .role_id = 1, .dtype_id = NNRP_DTYPE_UINT8, .tile_payloads = &tile, .tile_payload_count = 1};
  nnrp_frame_submit_input in;
  nnrp_frame_submit_input_init(&in);
  in.tile_width = 32, in.tile_height = (uint16_t)(payload / 32);
  in.src_width = in.tile_width, in.src_height = in.tile_height;
  in.tile_ids = &tile_id, in.tile_id_count = 1;
  in.sections = &sec, in.section_count = 1;
  in.input_profile = NNRP_INPUT_DENSE_LUMA_FRAME;
  in.latency_budget_ms = 10000; /* a slow run must not turn into EXPIRED frames */

  uint64_t sent_at[1024];
  size_t inflight = 0, done = 0, failed = 0, counted = 0;
  uint64_t t0 = 0, t_end = 0, t_stop, cpu0 = 0, cpu1 = 0;
  int warm = 1;
  uint64_t start = bench_now_ns();
  t_stop = start + (uint64_t)(run_seconds * 0.1 * 1e9); /* warm-up: a tenth of the run */
  for (;;) {
    uint64_t now = bench_now_ns();
    if (warm && now >= t_stop) {
      /* Measurement starts here; frames still in flight are not counted. */
      warm = 0, t0 = now, counted = 0, cpu0 = bench_cpu_ns();
      t_stop = now + (uint64_t)(run_seconds * 1e9);
    }
    int stopping = !warm && (now >= t_stop || counted >= MAX_SAMPLES - MAX_CONC);
    if (stopping && inflight == 0) break;
    while (!stopping && inflight < (size_t)conc) {
      uint32_t id;
      uint64_t t = bench_now_ns();
      rc = nnrp_client_submit(c, &in, 0, &id);
      if (rc == NNRP_ERR_WOULD_BLOCK) break;
      if (rc) goto out;
      sent_at[id & 1023] = t | (uint64_t)!warm << 63;
      inflight++;
    }
    nnrp_client_result *r;
    if ((rc = nnrp_client_next_result(c, 5000, &r)) != 0) goto out;
    uint64_t t = bench_now_ns(), s = sent_at[r->frame_id & 1023];
    inflight--, done++;
    if (s >> 63) { /* submitted during the measurement */
      if (r->outcome == NNRP_OUTCOME_DELIVERED)
        lat[counted++] = t - (s & ~(1ull << 63)), t_end = t, cpu1 = bench_cpu_ns();
      else
        failed++;
    }
    nnrp_client_result_free(r);
  }
  rc = 0;
out:
  *err = rc;
  nnrp_client_close(c, "done", 2000);
  nnrp_client_free(c);
  nnrp_loop_del(loop);
  return rc ? none : summarise(counted, failed, t_end > t0 ? t_end - t0 : 0, cpu1 - cpu0, payload);
}

/* ---------------------------------------------------------------------------------------------
 * Raw TCP: each connection sends `req` bytes and waits for `resp` bytes, then again.
 * ------------------------------------------------------------------------------------------- */

typedef struct raw_conn {
  int fd;
  int phase; /* server: 0 reading, 1 writing; client: 0 writing, 1 reading */
  size_t off;
  uint64_t sent_at;
} raw_conn;

typedef struct raw_server {
  int lfd, cpu;
  size_t req, resp;
  atomic_int stop;
} raw_server;

static uint8_t raw_buf[2][32768];

static void *raw_server_main(void *arg) {
  raw_server *s = arg;
  pin(1);
  raw_conn cs[MAX_CONC];
  struct pollfd p[MAX_CONC + 1];
  int n = 0;
  while (!atomic_load(&s->stop)) {
    p[0] = (struct pollfd){s->lfd, POLLIN, 0};
    for (int i = 0; i < n; i++) p[i + 1] = (struct pollfd){cs[i].fd, cs[i].phase ? POLLOUT : POLLIN, 0};
    if (poll(p, (nfds_t)n + 1, 20) <= 0) continue;
    if ((p[0].revents & POLLIN) && n < MAX_CONC) {
      int fd = accept(s->lfd, NULL, NULL), one = 1;
      if (fd >= 0) {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        cs[n++] = (raw_conn){fd, 0, 0, 0};
      }
    }
    for (int i = 0; i < n; i++) {
      raw_conn *k = &cs[i];
      if (!p[i + 1].revents) continue;
      ssize_t m = k->phase ? send(k->fd, raw_buf[1], s->resp - k->off, MSG_DONTWAIT | MSG_NOSIGNAL)
                           : recv(k->fd, raw_buf[1], s->req - k->off, MSG_DONTWAIT);
      if (m <= 0) {
        if (m < 0 && errno == EAGAIN) continue;
        close(k->fd);
        cs[i--] = cs[--n];
        continue;
      }
      k->off += (size_t)m;
      if (k->off == (k->phase ? s->resp : s->req)) k->phase ^= 1, k->off = 0;
    }
  }
  for (int i = 0; i < n; i++) close(cs[i].fd);
  s->cpu = sched_getcpu();
  return NULL;
}

static figures run_raw(size_t payload, size_t resp, int conc, int *err, int *server_cpu) {
  figures none = {0};
  raw_server s = {.req = payload, .resp = resp};
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t al = sizeof a;
  s.lfd = socket(AF_INET, SOCK_STREAM, 0);
  if (s.lfd < 0 || bind(s.lfd, (struct sockaddr *)&a, sizeof a) || listen(s.lfd, 64) ||
      getsockname(s.lfd, (struct sockaddr *)&a, &al))
    return *err = NNRP_ERR_IO, none;
  pthread_t th;
  pthread_create(&th, NULL, raw_server_main, &s);

  raw_conn cs[MAX_CONC];
  struct pollfd p[MAX_CONC];
  for (int i = 0; i < conc; i++) {
    int one = 1;
    cs[i] = (raw_conn){socket(AF_INET, SOCK_STREAM, 0), 0, 0, 0};
    connect(cs[i].fd, (struct sockaddr *)&a, sizeof a);
    setsockopt(cs[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  size_t counted = 0;
  uint64_t now = bench_now_ns(), t0 = 0, t_end = 0, cpu0 = 0, cpu1 = 0;
  uint64_t t_stop = now + (uint64_t)(run_seconds * 0.1 * 1e9);
  int warm = 1, active = conc;
  *err = 0;
  for (int i = 0; i < conc; i++) cs[i].sent_at = now;
  while (active > 0) {
    now = bench_now_ns();
    if (warm && now >= t_stop)
      warm = 0, t0 = now, t_stop = now + (uint64_t)(run_seconds * 1e9), cpu0 = bench_cpu_ns();
    int stopping = !warm && (now >= t_stop || counted >= MAX_SAMPLES - MAX_CONC);
    for (int i = 0; i < conc; i++)
      p[i] = (struct pollfd){cs[i].fd, cs[i].fd < 0 ? 0 : cs[i].phase ? POLLIN : POLLOUT, 0};
    if (poll(p, (nfds_t)conc, 5000) <= 0) {
      *err = NNRP_ERR_TIMEOUT;
      break;
    }
    for (int i = 0; i < conc; i++) {
      raw_conn *k = &cs[i];
      if (!p[i].revents || k->fd < 0) continue;
      ssize_t m = k->phase ? recv(k->fd, raw_buf[0], resp - k->off, MSG_DONTWAIT)
                           : send(k->fd, raw_buf[0], payload - k->off, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (m <= 0) {
        if (m < 0 && errno == EAGAIN) continue;
        *err = NNRP_ERR_IO;
        active = 0;
        break;
      }
      k->off += (size_t)m;
      if (k->off < (k->phase ? resp : payload)) continue;
      k->phase ^= 1, k->off = 0;
      if (k->phase) continue; /* request written; now the response */
      uint64_t t = bench_now_ns();
      if (!warm && k->sent_at >= t0)
        lat[counted++] = t - k->sent_at, t_end = t, cpu1 = bench_cpu_ns();
      k->sent_at = t;
      if (stopping) {
        close(k->fd);
        k->fd = -1;
        active--;
      }
    }
  }
  for (int i = 0; i < conc; i++)
    if (cs[i].fd >= 0) close(cs[i].fd);
  atomic_store(&s.stop, 1);
  pthread_join(th, NULL);
  close(s.lfd);
  *server_cpu = s.cpu;
  return *err ? none : summarise(counted, 0, t_end > t0 ? t_end - t0 : 0, cpu1 - cpu0, payload);
}

/* ---------------------------------------------------------------------------------------------
 * Table
 * ------------------------------------------------------------------------------------------- */

static void machine(void) {
  char model[256] = "unknown", line[512];
  FILE *f = fopen("/proc/cpuinfo", "r");
  while (f && fgets(line, sizeof line, f)) {
    char *colon = strchr(line, ':');
    if (!strncmp(line, "model name", 10) && colon) {
      snprintf(model, sizeof model, "%s", colon + 2);
      model[strcspn(model, "\n")] = 0;
      break;
    }
  }
  if (f) fclose(f);
  printf("machine: %d CPU(s) online, %s\n", ncpu, model);
}

static void row(const char *name, size_t payload, int conc, const figures *f, int err,
                const char *note) {
  if (json) {
    printf("{\"path\": \"%s\", \"bytes\": %zu, \"conc\": %d, \"error\": \"%s\", \"fps\": %.1f, "
           "\"p50_us\": %.2f, \"p99_us\": %.2f, \"cpu_us\": %.2f, \"frames\": %zu, \"failed\": %zu}\n",
           name, payload, conc, err ? nnrp_strerror(err) : "", f->fps, f->p50_us, f->p99_us,
           f->cpu_us, f->frames, f->failed);
    return;
  }
  if (err) {
    printf("| %-12s | %2zu KiB | %2d | failed: %s |\n", name, payload / 1024, conc,
           nnrp_strerror(err));
    return;
  }
  printf("| %-12s | %2zu KiB | %2d | %9.0f | %8.0f | %7.1f | %7.1f | %6.1f | %s |\n", name,
         payload / 1024, conc, f->fps, f->mbit, f->p50_us, f->p99_us, f->cpu_us, note);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--quick"))
      run_seconds = 0.12;
    else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
      run_seconds = atof(argv[++i]);
    else if (!strcmp(argv[i], "--only") && i + 1 < argc)
      only = argv[++i];
    else if (!strcmp(argv[i], "--json"))
      json = 1;
    else {
      fprintf(stderr, "usage: nnrp_bench_io [--quick] [--seconds S] [--only raw|tcp|tls|quic] [--json]\n");
      return 2;
    }
  }
  ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
  pinned = ncpu >= 2;
  lat = malloc(MAX_SAMPLES * sizeof *lat);
  if (!lat) return 1;
  pin(0);

  char cert[64], key[64];
  snprintf(cert, sizeof cert, "/tmp/nnrp-bench-io-%d.crt", (int)getpid());
  snprintf(key, sizeof key, "/tmp/nnrp-bench-io-%d.key", (int)getpid());
  if (nnrp_tls_make_dev_cert(cert, key, NULL) != 0) return 1;

  server s = {0};
  nnrp_server_options so;
  nnrp_server_options_default(&so);
  so.tcp_port = 0, so.tls_port = 0, so.quic_port = 0;
  so.tls.cert_file = cert, so.tls.key_file = key;
  so.settings.server.max_concurrent_frames = MAX_CONC;
  so.handler.on_submit = echo_result;
  int rc = nnrp_loop_new(&s.loop);
  if (rc == 0) rc = nnrp_server_new(&s.srv, s.loop, &so);
  if (rc) {
    fprintf(stderr, "nnrp_bench_io: server: %s\n", nnrp_strerror(rc));
    return 1;
  }
  nnrp_client_options co;
  nnrp_client_options_default(&co);
  co.host = "127.0.0.1";
  co.tls.ca_file = cert;
  pthread_t th;
  pthread_create(&th, NULL, server_main, &s);

  if (!json) {
    machine();
    printf("placement: %s; %.2f s per case after a %.2f s warm-up\n",
           pinned ? "client thread pinned to CPU 0, server thread to CPU 1"
                  : "one CPU: client and server threads share it",
           run_seconds, run_seconds * 0.1);
    printf("sessions: one per case, one uint8 tile per frame, server answers a metadata-only "
           "RESULT_PUSH; raw: concurrency = connections, one request outstanding each\n\n");
    printf("| path         | frame  |  c | frames/s  | Mbit/s   | p50 µs  | p99 µs  | CPU µs | target |\n");
    printf("| ------------ | ------ | -- | --------: | -------: | ------: | ------: | -----: | ------ |\n");
  }

  static const size_t sizes[2] = {1024, 32768};
  static const int concs[2] = {1, 16};
  figures echo[2][2] = {{{0}}}, ack[2][2] = {{{0}}};
  int echo_err[2][2], ack_err[2][2], raw_cpu = -1;
  for (int si = 0; si < 2; si++)
    for (int ci = 0; ci < 2 && (!only || !strcmp(only, "raw")); ci++) {
      echo[si][ci] = run_raw(sizes[si], sizes[si], concs[ci], &echo_err[si][ci], &raw_cpu);
      row("raw echo", sizes[si], concs[ci], &echo[si][ci], echo_err[si][ci], "");
      ack[si][ci] = run_raw(sizes[si], ACK_BYTES, concs[ci], &ack_err[si][ci], &raw_cpu);
      row("raw ack", sizes[si], concs[ci], &ack[si][ci], ack_err[si][ci], "");
    }

  static const struct {
    const char *name;
    uint32_t transport;
    const char *key;
    int tls;
  } paths[3] = {{"nnrp tcp", NNRP_TRANSPORT_TCP, "tcp", 0},
                {"nnrp tcp+tls", NNRP_TRANSPORT_TCP, "tls", 1},
                {"nnrp quic", NNRP_TRANSPORT_QUIC, "quic", 0}};
  co.tcp_port = nnrp_server_port(s.srv, NNRP_TRANSPORT_TCP, 0);
  uint16_t tls_port = nnrp_server_port(s.srv, NNRP_TRANSPORT_TCP, 1);
  co.quic_port = nnrp_server_port(s.srv, NNRP_TRANSPORT_QUIC, 0);
  for (int pi = 0; pi < 3; pi++)
    for (int si = 0; si < 2 && (!only || !strcmp(only, paths[pi].key)); si++)
      for (int ci = 0; ci < 2; ci++) {
        nnrp_client_options o = co;
        if (paths[pi].tls) o.tcp_port = tls_port;
        int err;
        figures f = run_session(&o, paths[pi].transport, paths[pi].tls, sizes[si], concs[ci], &err);
        char note[160] = "";
        double re = echo[si][ci].fps, ra = ack[si][ci].fps;
        if (sizes[si] == 1024 && concs[ci] == 16 && pi == 0)
          snprintf(note, sizeof note, "≥ 100 000 frames/s: %s", f.fps >= 100000 ? "met" : "missed");
        else if (sizes[si] == 32768 && pi == 0 && re > 0)
          snprintf(note, sizeof note, "raw echo / nnrp %.2f× (≤ 1.5×: %s); raw ack / nnrp %.2f×",
                   f.fps > 0 ? re / f.fps : 0, f.fps > 0 && re / f.fps <= 1.5 ? "met" : "missed",
                   f.fps > 0 ? ra / f.fps : 0);
        else if (sizes[si] == 32768 && re > 0)
          snprintf(note, sizeof note, "raw echo / nnrp %.2f×%s", f.fps > 0 ? re / f.fps : 0,
                   pi == 2 ? f.mbit >= 1000 ? "; ≥ 1 Gbit/s: met" : "; ≥ 1 Gbit/s: missed" : "");
        if (f.failed) {
          size_t l = strlen(note);
          snprintf(note + l, sizeof note - l, " (%zu frames not delivered)", f.failed);
        }
        row(paths[pi].name, sizes[si], concs[ci], &f, err, note);
        fflush(stdout);
      }

  nnrp_loop_stop(s.loop);
  nnrp_loop_wakeup(s.loop);
  pthread_join(th, NULL);
  if (!json) printf("\nthreads ran on: client CPU %d, session server CPU %d, raw server CPU %d\n",
         sched_getcpu(), s.cpu, raw_cpu);
  nnrp_server_free(s.srv);
  nnrp_loop_run_once(s.loop, 0);
  nnrp_loop_del(s.loop);
  unlink(cert);
  unlink(key);
  free(lat);
  return 0;
}
