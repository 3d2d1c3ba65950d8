/*
 * nnrp_bench_conn: the session engine on one core.  A client engine and a server engine are
 * wired together in memory the way a TCP host drives them (nnrp_conn_write into a buffer,
 * nnrp_conn_read of that buffer on the other side); the server answers each admitted frame
 * from its recv_submit callback.  One operation is one submit -> result round trip: FRAME_SUBMIT
 * built and queued, written, read and admitted by the server, RESULT_PUSH built, written, read
 * and delivered to the client host.
 *
 *   nnrp_bench_conn [--quick] [--filter TEXT] [--rounds N]
 *
 * --filter runs only the cases whose name contains TEXT.  --rounds N replaces the timing by
 * exactly N round trips per case in run_fixed() after a warm-up, for instruction counts:
 *   valgrind --tool=callgrind --toggle-collect=run_fixed nnrp_bench_conn --rounds 10000
 *
 * Each case grows a run of round trips until it lasts about 20 ms (the warm-up), then times 11
 * runs: round trips per second come from the median process CPU time per round trip (what one
 * core spends, whatever else the machine runs); the median and fastest wall-clock times are
 * printed beside it.  Every engine allocation goes through a counting nnrp_mem, which gives
 * allocations per frame over the measured runs and the memory of an idle session (bytes held
 * through nnrp_mem once the handshake is done).  Targets are printed beside the figures, never
 * asserted; the exit status is non-zero only when a round trip does not complete.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnnrp/conn.h>

#include "bench_clock.h"

/* ---- counting allocator ---------------------------------------------------------------------- */

typedef struct counter {
  uint64_t allocs;
  size_t live_bytes;
} counter;

#define HDR 16

static void *c_malloc(size_t n, void *user) {
  uint8_t *p = malloc(n + HDR);
  if (!p) return NULL;
  memcpy(p, &n, sizeof n);
  counter *c = user;
  c->allocs++;
  c->live_bytes += n;
  return p + HDR;
}

static void *c_calloc(size_t m, size_t n, void *user) {
  if (n && m > SIZE_MAX / n) return NULL;
  void *p = c_malloc(m * n, user);
  if (p) memset(p, 0, m * n);
  return p;
}

static void *c_realloc(void *ptr, size_t n, void *user) {
  if (!ptr) return c_malloc(n, user);
  uint8_t *base = (uint8_t *)ptr - HDR;
  size_t old;
  memcpy(&old, base, sizeof old);
  uint8_t *q = realloc(base, n + HDR);
  if (!q) return NULL;
  memcpy(q, &n, sizeof n);
  counter *c = user;
  c->allocs++;
  c->live_bytes = c->live_bytes - old + n;
  return q + HDR;
}

static void c_free(void *ptr, void *user) {
  if (!ptr) return;
  uint8_t *base = (uint8_t *)ptr - HDR;
  size_t n;
  memcpy(&n, base, sizeof n);
  ((counter *)user)->live_bytes -= n;
  free(base);
}

/* ---- the pair -------------------------------------------------------------------------------- */

enum { TILE_BYTES = 4096, WIRE = 1 << 20 };

typedef struct pair {
  nnrp_conn *c, *s;
  counter cc, cs;
  nnrp_mem mc, ms;
  nnrp_tstamp now;
  int tensor;          /* 4 KiB inline tensor instead of metadata only */
  uint32_t send_flags; /* NNRP_SEND_NO_COPY or 0, both directions */
  uint64_t delivered;  /* results delivered to the client host */
  uint64_t failures;
  uint8_t *wire;
} pair;

static uint8_t tile[TILE_BYTES];
static const uint16_t tile_id[1] = {0};
static nnrp_vec tile_vec = {tile, TILE_BYTES};
static nnrp_tensor_section_data section;

static int on_submit(nnrp_conn *conn, const nnrp_submit *sub, void *user) {
  pair *p = user;
  nnrp_result_push_input in;
  nnrp_result_push_input_init(&in);
  in.packet.frame_id = sub->frame_id;
  in.packet.view_id = sub->view_id;
  if (p->tensor) {
    in.tile_ids = tile_id;
    in.tile_id_count = 1;
    in.sections = &section;
    in.section_count = 1;
  }
  if (nnrp_conn_send_result(conn, &in, p->send_flags, p->now) != 0) p->failures++;
  return 0;
}

static int on_closed(nnrp_conn *conn, const nnrp_frame_outcome *o, void *user) {
  pair *p = user;
  if (conn != p->c) return 0; /* the server reports its side of the frame too */
  if (o->outcome == NNRP_OUTCOME_DELIVERED)
    p->delivered++;
  else
    p->failures++;
  return 0;
}

/* Everything `from` has queued, written and read by `to`. */
static void move(pair *p, nnrp_conn *from, nnrp_conn *to) {
  size_t n;
  while ((n = nnrp_conn_write(from, p->wire, WIRE, NULL)) > 0)
    if (nnrp_conn_read(to, p->wire, n, p->now) != 0) p->failures++;
}

static void pair_open(pair *p, const nnrp_settings *st) {
  memset(p, 0, sizeof *p);
  p->wire = malloc(WIRE);
  if (!p->wire) exit(1);
  p->mc = (nnrp_mem){&p->cc, c_malloc, c_free, c_calloc, c_realloc};
  p->ms = (nnrp_mem){&p->cs, c_malloc, c_free, c_calloc, c_realloc};
  p->now = 1000000;
  nnrp_callbacks cb;
  nnrp_callbacks_init(&cb);
  cb.recv_submit = on_submit;
  cb.frame_closed = on_closed;
  if (nnrp_conn_client_new(&p->c, st, &cb, &p->mc, p) != 0 ||
      nnrp_conn_server_new(&p->s, st, &cb, &p->ms, p) != 0 ||
      nnrp_conn_connect(p->c, p->now) != 0) {
    fprintf(stderr, "nnrp_bench_conn: cannot create the engines\n");
    exit(1);
  }
  move(p, p->c, p->s);
  move(p, p->s, p->c);
  if (nnrp_conn_state(p->c) != NNRP_STATE_ACTIVE || nnrp_conn_state(p->s) != NNRP_STATE_ACTIVE) {
    fprintf(stderr, "nnrp_bench_conn: handshake failed\n");
    exit(1);
  }
}

static void pair_close(pair *p) {
  nnrp_conn_del(p->c);
  nnrp_conn_del(p->s);
  free(p->wire);
}

/* `window` submits, then both directions moved: `window` round trips. */
static void batch(pair *p, size_t window) {
  for (size_t i = 0; i < window; i++) {
    nnrp_frame_submit_input in;
    nnrp_frame_submit_input_init(&in);
    if (p->tensor) {
      in.src_width = in.src_height = 64;
      in.tile_width = in.tile_height = 32;
      in.tile_ids = tile_id;
      in.tile_id_count = 1;
      in.sections = &section;
      in.section_count = 1;
    }
    if (nnrp_conn_submit(p->c, &in, p->send_flags, NULL, NULL, p->now) != 0) p->failures++;
  }
  move(p, p->c, p->s);
  move(p, p->s, p->c);
  p->now += 1;
}

/* ---- measuring ------------------------------------------------------------------------------- */

static int quick;

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

typedef struct result {
  double ns_per_rt, best_ns; /* wall clock: median and fastest run */
  double cpu_ns;             /* process CPU time, median: what one core spends */
  double allocs_per_frame;
} result;

static result measure(pair *p, size_t window) {
  const uint64_t batch_ns = quick ? 2000000u : 20000000u;
  const int reps = quick ? 3 : 11;
  size_t n = 1; /* batches of `window` per timed run */
  for (;;) {    /* grow until a run lasts batch_ns (warm-up) */
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < n; i++) batch(p, window);
    uint64_t dt = bench_now_ns() - t0;
    if (dt >= batch_ns || n >= ((size_t)1 << 30)) break;
    n = dt < batch_ns / 64 ? n * 16 : n * 2;
  }
  double per[16], cpu[16];
  uint64_t a0 = p->cc.allocs + p->cs.allocs, d0 = p->delivered;
  for (int r = 0; r < reps; r++) {
    uint64_t t0 = bench_now_ns(), c0 = bench_cpu_ns();
    for (size_t i = 0; i < n; i++) batch(p, window);
    per[r] = (double)(bench_now_ns() - t0) / (double)(n * window);
    cpu[r] = (double)(bench_cpu_ns() - c0) / (double)(n * window);
  }
  uint64_t frames = p->delivered - d0;
  if (frames != (uint64_t)reps * n * window) p->failures++;
  qsort(per, (size_t)reps, sizeof per[0], cmp_double);
  qsort(cpu, (size_t)reps, sizeof cpu[0], cmp_double);
  result res = {per[reps / 2], per[0], cpu[reps / 2],
                frames ? (double)(p->cc.allocs + p->cs.allocs - a0) / (double)frames : -1};
  return res;
}

/* Exactly `rounds` round trips (a whole number of windows), untimed.  Kept out of line so
 * that callgrind can collect in it alone. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static void
run_fixed(pair *p, size_t window, size_t rounds) {
  for (size_t i = 0; i < rounds / window; i++) batch(p, window);
}

static void settings(nnrp_settings *st, uint16_t window) {
  nnrp_settings_default(st, NNRP_ROLE_CLIENT);
  st->server.max_concurrent_frames = window;
  st->zero_copy_min = 1024;
}

int main(int argc, char **argv) {
  const char *filter = NULL;
  size_t rounds = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) {
      quick = 1;
    } else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc) {
      filter = argv[++i];
    } else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
      rounds = strtoul(argv[++i], NULL, 10);
    } else {
      fprintf(stderr, "usage: %s [--quick] [--filter TEXT] [--rounds N]\n", argv[0]);
      return 2;
    }
  }
  for (size_t i = 0; i < TILE_BYTES; i++) tile[i] = (uint8_t)(i * 7);
  section.role_id = 1;
  section.dtype_id = NNRP_DTYPE_UINT8;
  section.layout_id = NNRP_LAYOUT_NHWC;
  section.element_count_per_tile = TILE_BYTES;
  section.tile_payloads = &tile_vec;
  section.tile_payload_count = 1;

  static const struct {
    const char *name;
    int tensor;
    uint32_t flags;
    uint16_t window;
  } cases[] = {
      {"metadata only, 1 in flight", 0, 0, 1},
      {"metadata only, 64 in flight", 0, 0, 64},
      {"4 KiB tensor, 1 in flight", 1, 0, 1},
      {"4 KiB tensor, 64 in flight", 1, 0, 64},
      {"4 KiB tensor, no-copy, 64 in flight", 1, NNRP_SEND_NO_COPY, 64},
  };
  int failed = 0;
  if (!rounds) {
    printf("session engine: submit -> result round trips, client and server on one core\n");
    printf("%-38s %13s %9s %9s %9s %12s\n", "case", "round trips/s", "cpu ns", "wall ns", "best ns",
           "allocs/frame");
  }
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    if (filter && !strstr(cases[k].name, filter)) continue;
    nnrp_settings st;
    settings(&st, cases[k].window);
    pair p;
    pair_open(&p, &st);
    p.tensor = cases[k].tensor;
    p.send_flags = cases[k].flags;
    if (rounds) {
      run_fixed(&p, cases[k].window, 4096); /* warm-up */
      uint64_t d0 = p.delivered;
      run_fixed(&p, cases[k].window, rounds);
      printf("%-38s %llu round trips\n", cases[k].name, (unsigned long long)(p.delivered - d0));
      failed |= p.failures != 0;
      pair_close(&p);
      continue;
    }
    result r = measure(&p, cases[k].window);
    printf("%-38s %13.0f %9.1f %9.1f %9.1f %12.3f\n", cases[k].name, 1e9 / r.cpu_ns, r.cpu_ns,
           r.ns_per_rt, r.best_ns, r.allocs_per_frame);
    if (p.failures) {
      fprintf(stderr, "nnrp_bench_conn: %s: %llu round trips failed\n", cases[k].name,
              (unsigned long long)p.failures);
      failed = 1;
    }
    pair_close(&p);
  }
  if (rounds) return failed;
  printf(
      "targets: >= 2000000 round trips/s metadata-only on one core; 0 allocations per frame\n\n");

  /* An idle session: what each engine holds through nnrp_mem once ACTIVE. */
  printf("%-38s %12s %12s\n", "idle session (bytes via nnrp_mem)", "client", "server");
  static const uint16_t windows[] = {1, 64, 256};
  for (size_t k = 0; k < sizeof windows / sizeof windows[0]; k++) {
    nnrp_settings st;
    settings(&st, windows[k]);
    pair p;
    pair_open(&p, &st);
    char name[64];
    snprintf(name, sizeof name, "max_concurrent_frames %u%s", (unsigned)windows[k],
             windows[k] == 1 ? " (default)" : "");
    printf("%-38s %12zu %12zu\n", name, p.cc.live_bytes, p.cs.live_bytes);
    pair_close(&p);
  }
  printf("target: idle session <= 16384 bytes\n");
  return failed;
}
