/*
 * The session engine's allocations, seen through the nnrp_mem hooks: no allocation per frame
 * in steady state (submit -> result after warm-up, metadata-only and with a 4 KiB inline
 * tensor, copied or referenced), at most 16 KiB per engine for an idle session, and a failing
 * allocator that refuses the n-th allocation for every n of the handshake, a submit, a result,
 * a cache put and a cache invalidation: every refusal comes back as an error and a refused call
 * has no effect (its message never leaves), after which the engine either goes on working or
 * closes cleanly, every frame still ends exactly once, and nothing leaks (the allocator counts
 * live blocks; ASan checks too).
 */
#include "engine_check.h"

/* ---- a counting, failing allocator ----------------------------------------------------------- */

typedef struct counting {
  size_t allocs;      /* successful malloc / calloc / realloc calls */
  size_t live_blocks; /* blocks not freed */
  size_t live_bytes;
  long fail_at; /* refuse the fail_at-th allocation attempt after arming (0 = never) */
  long seen;    /* attempts since arming */
  int failed;   /* a refusal happened */
} counting;

#define HDR 16 /* room for the block size, keeping max_align_t alignment */

static int refuse(counting *c) {
  if (c->fail_at <= 0) return 0;
  if (++c->seen != c->fail_at) return 0;
  c->failed = 1;
  return 1;
}

static void *c_malloc(size_t n, void *user) {
  counting *c = user;
  if (refuse(c) || n > SIZE_MAX - HDR) return NULL;
  uint8_t *p = malloc(n + HDR);
  if (!p) return NULL;
  memcpy(p, &n, sizeof n);
  c->allocs++;
  c->live_blocks++;
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
  counting *c = user;
  if (!ptr) return c_malloc(n, user);
  if (refuse(c) || n > SIZE_MAX - HDR) return NULL;
  uint8_t *base = (uint8_t *)ptr - HDR;
  size_t old;
  memcpy(&old, base, sizeof old);
  uint8_t *q = realloc(base, n + HDR);
  if (!q) return NULL;
  memcpy(q, &n, sizeof n);
  c->allocs++;
  c->live_bytes = c->live_bytes - old + n;
  return q + HDR;
}

static void c_free(void *ptr, void *user) {
  counting *c = user;
  if (!ptr) return;
  uint8_t *base = (uint8_t *)ptr - HDR;
  size_t n;
  memcpy(&n, base, sizeof n);
  c->live_blocks--;
  c->live_bytes -= n;
  free(base);
}

static nnrp_mem counting_mem(counting *c) {
  memset(c, 0, sizeof *c);
  nnrp_mem m = {c, c_malloc, c_free, c_calloc, c_realloc};
  return m;
}

/* ---- steady state ---------------------------------------------------------------------------- */

static uint8_t tile4k[4096];
static const uint16_t one_tile[1] = {0};

static void tensor_section(nnrp_tensor_section_data *sec, nnrp_vec *tile) {
  tile->base = tile4k;
  tile->len = sizeof tile4k;
  memset(sec, 0, sizeof *sec);
  sec->role_id = 1;
  sec->dtype_id = NNRP_DTYPE_UINT8;
  sec->element_count_per_tile = 4096;
  sec->tile_payloads = tile;
  sec->tile_payload_count = 1;
}

/* The server answers each submit at once with a result of the same shape. */
static int answer_hook(engine_side *side, const nnrp_submit *sub) {
  uint32_t flags = *(const uint32_t *)side->hook_user;
  nnrp_result_push_input r;
  engine_result_input(&r, sub->frame_id, sub->view_id);
  nnrp_tensor_section_data sec;
  nnrp_vec tile;
  if (sub->meta->tile_count) {
    tensor_section(&sec, &tile);
    r.tile_ids = one_tile;
    r.tile_id_count = 1;
    r.sections = &sec;
    r.section_count = 1;
  }
  return nnrp_conn_send_result(side->conn, &r, flags, side->pair->now);
}

/* `batch` submits, then everything delivered (results come back within the flush). */
static void round_trip(engine_pair *p, int tensor, uint32_t flags, size_t batch) {
  nnrp_tensor_section_data sec;
  nnrp_vec tile;
  tensor_section(&sec, &tile);
  for (size_t i = 0; i < batch; i++) {
    nnrp_frame_submit_input in;
    engine_submit_input(&in);
    if (tensor) {
      in.tile_ids = one_tile;
      in.tile_id_count = 1;
      in.sections = &sec;
      in.section_count = 1;
    }
    CHECK_RC(nnrp_conn_submit(p->c.conn, &in, flags, NULL, NULL, p->now), 0);
  }
  engine_flush(p);
  p->now += 10;
}

static void steady_state(int tensor, uint32_t flags, size_t batch) {
  counting cc, cs;
  nnrp_mem mc = counting_mem(&cc), ms = counting_mem(&cs);
  engine_pair p;
  nnrp_settings st;
  engine_settings(&st);
  st.server.max_concurrent_frames = 16;
  CHECK_RC(engine_pair_init_mem(&p, &st, &st, &mc, &ms), 0);
  p.s.submit_hook = answer_hook;
  p.s.hook_user = &flags;
  CHECK_RC(engine_handshake(&p), 0);
  for (int i = 0; i < 64; i++) round_trip(&p, tensor, flags, batch); /* warm-up */
  /* The recorders of the pair grow their arrays; they are not the engines' memory. */
  engine_pair_clear(&p);
  size_t c0 = cc.allocs, s0 = cs.allocs;
  const int rounds = 1000;
  for (int i = 0; i < rounds; i++) round_trip(&p, tensor, flags, batch);
  size_t frames = (size_t)rounds * batch;
  CHECK_EQ(p.c.outcomes.n, frames);
  CHECK_EQ(p.c.results.n, frames);
  if (cc.allocs != c0 || cs.allocs != s0)
    fprintf(stderr, "  %s%s, batch %zu: client %zu, server %zu allocations over %zu frames\n",
            tensor ? "4 KiB tensor" : "metadata only", flags ? " (no copy)" : "", batch,
            cc.allocs - c0, cs.allocs - s0, frames);
  CHECK_EQ(cc.allocs - c0, 0);
  CHECK_EQ(cs.allocs - s0, 0);
  engine_pair_free(&p);
  CHECK_EQ(cc.live_blocks, 0);
  CHECK_EQ(cs.live_blocks, 0);
}

static void test_no_allocation_per_frame(void) {
  steady_state(0, 0, 1);
  steady_state(0, 0, 8);
  steady_state(1, 0, 1);
  steady_state(1, 0, 8);
  steady_state(1, NNRP_SEND_NO_COPY, 1);
  steady_state(1, NNRP_SEND_NO_COPY, 8);
}

/* An idle session (ACTIVE, nothing in flight) holds at most 16 KiB per engine with the
 * library's defaults, and with a window of 64 frames. */
static void test_idle_session_memory(void) {
  static const uint16_t windows[] = {1, 64};
  for (int i = 0; i < 2; i++) {
    counting cc, cs;
    nnrp_mem mc = counting_mem(&cc), ms = counting_mem(&cs);
    nnrp_settings st;
    nnrp_settings_default(&st, NNRP_ROLE_CLIENT);
    st.server.max_concurrent_frames = windows[i];
    engine_pair p;
    CHECK_RC(engine_pair_init_mem(&p, &st, &st, &mc, &ms), 0);
    CHECK_RC(engine_handshake(&p), 0);
    if (cc.live_bytes > 16384 || cs.live_bytes > 16384)
      fprintf(stderr, "  window %u: client %zu, server %zu bytes\n", (unsigned)windows[i],
              cc.live_bytes, cs.live_bytes);
    CHECK(cc.live_bytes <= 16384);
    CHECK(cs.live_bytes <= 16384);
    engine_pair_free(&p);
  }
}

/* ---- failing allocator ------------------------------------------------------------------------
 */

enum { PHASE_HANDSHAKE, PHASE_SUBMIT, PHASE_RESULT, PHASE_CACHE_PUT, PHASE_INVALIDATE, PHASES };
static const char *const phase_names[] = {"handshake", "submit", "result", "cache put",
                                          "cache invalidate"};

typedef struct run {
  counting cnt;
  nnrp_mem mem;
  engine_pair p;
  int api_rc; /* the first failing API call's return value */
  uint32_t frames[8];
  size_t nframes;
} run;

static void note(run *r, int rc) {
  if (rc < 0 && r->api_rc == 0) r->api_rc = rc;
}

/* One attempt of each phase; returns 0 when it went through. */
static int do_phase(run *r, int phase) {
  engine_pair *p = &r->p;
  int rc = 0;
  switch (phase) {
    case PHASE_HANDSHAKE:
      if (nnrp_conn_state(p->c.conn) == NNRP_STATE_INIT) rc = nnrp_conn_connect(p->c.conn, p->now);
      engine_flush(p);
      break;
    case PHASE_SUBMIT: {
      nnrp_frame_submit_input in;
      engine_submit_input(&in);
      nnrp_tensor_section_data sec;
      nnrp_vec tile;
      tensor_section(&sec, &tile);
      in.tile_ids = one_tile;
      in.tile_id_count = 1;
      in.sections = &sec;
      in.section_count = 1;
      uint32_t id = 0;
      rc = nnrp_conn_submit(p->c.conn, &in, 0, NULL, &id, p->now);
      if (rc == 0) r->frames[r->nframes++] = id;
      engine_flush(p);
      break;
    }
    case PHASE_RESULT: {
      if (!p->s.submits.n) return -1;
      nnrp_result_push_input in;
      const engine_submit_rec *sub = &p->s.submits.v[p->s.submits.n - 1];
      engine_result_input(&in, sub->frame_id, sub->view_id);
      nnrp_tensor_section_data sec;
      nnrp_vec tile;
      tensor_section(&sec, &tile);
      in.tile_ids = one_tile;
      in.tile_id_count = 1;
      in.sections = &sec;
      in.section_count = 1;
      rc = nnrp_conn_send_result(p->s.conn, &in, 0, p->now);
      engine_flush(p);
      break;
    }
    case PHASE_INVALIDATE: {
      nnrp_cache_invalidate_meta m = {NNRP_CACHE_SCOPE_WHOLE_SESSION, 0, 0, 0, 0};
      rc = nnrp_conn_cache_invalidate(p->c.conn, &m, p->now);
      engine_flush(p);
      break;
    }
    default: {
      static const uint8_t obj[64] = "an object for the peer's cache";
      nnrp_cache_put_meta m = {1, 2, (uint32_t)p->c.cache_acks.n, NNRP_OBJECT_CAMERA_BLOCK, 0, 0,
                               1, 0};
      rc = nnrp_conn_cache_put(p->c.conn, &m, (nnrp_vec){obj, sizeof obj}, p->now);
      engine_flush(p);
      break;
    }
  }
  note(r, rc);
  return rc;
}

/* The phase's effect is there. */
static int phase_done(run *r, int phase) {
  engine_pair *p = &r->p;
  switch (phase) {
    case PHASE_HANDSHAKE:
      return nnrp_conn_state(p->c.conn) == NNRP_STATE_ACTIVE &&
             nnrp_conn_state(p->s.conn) == NNRP_STATE_ACTIVE;
    case PHASE_SUBMIT:
      return r->nframes && engine_submit_of(&p->s, r->frames[r->nframes - 1], 0) != NULL;
    case PHASE_RESULT:
      return r->nframes && engine_result_of(&p->c, r->frames[r->nframes - 1], 0) != NULL;
    case PHASE_INVALIDATE:
      return p->s.cache_invalidates.n > 0 && p->c.cache_acks.n > 0 &&
             p->c.cache_acks.v[p->c.cache_acks.n - 1].for_invalidate;
    default:
      return p->c.cache_acks.n > 0 &&
             p->c.cache_acks.v[p->c.cache_acks.n - 1].ack.status != NNRP_CACHE_REJECTED;
  }
}

/* How much of the phase's message the peer has seen. */
static size_t peer_seen(const run *r, int phase) {
  const engine_pair *p = &r->p;
  switch (phase) {
    case PHASE_HANDSHAKE:
      return p->s.states.n;
    case PHASE_SUBMIT:
      return p->s.submits.n;
    case PHASE_RESULT:
      return p->c.results.n;
    case PHASE_CACHE_PUT:
      return p->s.cache_puts.n;
    default:
      return p->s.cache_invalidates.n;
  }
}

static int read_failed(const run *r) {
  return r->p.c.read_failures || r->p.s.read_failures;
}

/* One run with the n-th allocation of `phase` refused, bytes moved the `mode` way.  Returns 1
 * when a refusal happened. */
static int fail_once(int phase, long n, engine_mode mode) {
  run *r = calloc(1, sizeof *r);
  if (!r) return 0;
  r->mem = counting_mem(&r->cnt);
  nnrp_settings st;
  engine_settings(&st);
  if (phase == PHASE_HANDSHAKE) r->cnt.fail_at = n; /* creation included */
  int rc = engine_pair_init(&r->p, &st, &st, &r->mem);
  if (rc < 0) {
    /* Refused while creating: the error says so and nothing is left behind. */
    CHECK_RC(rc, NNRP_ERR_NOMEM);
    CHECK(r->cnt.failed);
    CHECK_EQ(r->cnt.live_blocks, 0);
    free(r);
    return 1;
  }
  /* Byte-stream input in small pieces allocates reassembly buffers; whole packets through
   * nnrp_conn_output_peek allocate its vector. */
  r->p.mode = mode;
  size_t seen_before = 0;
  for (int ph = 0; ph <= phase; ph++) {
    /* What each phase needs first: the handshake; a result needs a submit. */
    if (ph != PHASE_HANDSHAKE && ph != phase && !(ph == PHASE_SUBMIT && phase == PHASE_RESULT))
      continue;
    if (ph == phase && phase != PHASE_HANDSHAKE) {
      r->cnt.fail_at = n;
      r->cnt.seen = 0;
    }
    seen_before = peer_seen(r, phase);
    do_phase(r, ph);
    if (ph < phase) CHECK(phase_done(r, ph));
  }
  /* A call that failed had no effect: its message never reached the peer. */
  if (r->api_rc == NNRP_ERR_NOMEM && peer_seen(r, phase) != seen_before)
    fprintf(stderr, "  %s, allocation %ld refused: the call failed but its message was sent\n",
            phase_names[phase], n);
  if (r->api_rc == NNRP_ERR_NOMEM) CHECK_EQ(peer_seen(r, phase), seen_before);
  r->cnt.fail_at = 0;
  int hit = r->cnt.failed;
  if (hit) {
    /* Every refusal surfaces: a call fails with NNRP_ERR_NOMEM (read and output calls
     * included), or the engine tells its peer (ERROR internal_error). */
    int surfaced = r->api_rc == NNRP_ERR_NOMEM || r->p.c.read_rc == NNRP_ERR_NOMEM ||
                   r->p.s.read_rc == NNRP_ERR_NOMEM;
    nnrp_error_meta e;
    for (int side = 0; side < 2 && !surfaced; side++) {
      const engine_side *sd = side ? &r->p.s : &r->p.c;
      if (engine_errors_since(sd, 0, &e) && e.error_code == NNRP_ERROR_CODE_INTERNAL_ERROR)
        surfaced = 1;
    }
    if (!surfaced || (r->api_rc && r->api_rc != NNRP_ERR_NOMEM))
      fprintf(stderr, "  %s, allocation %ld refused: api rc %d, read rc %d / %d\n",
              phase_names[phase], n, r->api_rc, r->p.c.read_rc, r->p.s.read_rc);
    CHECK(surfaced);
    CHECK(r->api_rc == 0 || r->api_rc == NNRP_ERR_NOMEM);
    if (!read_failed(r)) {
      /* A refused call changed nothing: the engine goes on working.  Do it again, then a
       * whole round trip. */
      if (!phase_done(r, phase)) CHECK_RC(do_phase(r, phase), 0);
      if (!phase_done(r, phase))
        fprintf(stderr, "  %s, allocation %ld refused: no recovery (api rc %d, states %s / %s)\n",
                phase_names[phase], n, r->api_rc, nnrp_state_name(nnrp_conn_state(r->p.c.conn)),
                nnrp_state_name(nnrp_conn_state(r->p.s.conn)));
      CHECK(phase_done(r, phase));
      CHECK(phase_done(r, PHASE_HANDSHAKE));
      CHECK_RC(do_phase(r, PHASE_SUBMIT), 0);
      CHECK_RC(do_phase(r, PHASE_RESULT), 0);
      CHECK(phase_done(r, PHASE_RESULT));
      CHECK_EQ(read_failed(r), 0);
    } else {
      /* The connection cannot continue: the host drops the transport; both ends close and
       * every frame still ends exactly once. */
      nnrp_conn_transport_closed(r->p.c.conn, nnrp_conn_path(r->p.c.conn), r->p.now);
      nnrp_conn_transport_closed(r->p.s.conn, nnrp_conn_path(r->p.s.conn), r->p.now);
      CHECK_EQ(nnrp_conn_state(r->p.c.conn), NNRP_STATE_CLOSED);
      CHECK_EQ(nnrp_conn_state(r->p.s.conn), NNRP_STATE_CLOSED);
      CHECK_EQ(nnrp_conn_in_flight(r->p.c.conn), 0);
    }
    for (size_t i = 0; i < r->nframes; i++)
      CHECK_EQ(engine_outcomes_of(&r->p.c, r->frames[i], 0, NULL),
               nnrp_conn_state(r->p.c.conn) == NNRP_STATE_CLOSED ||
                       engine_result_of(&r->p.c, r->frames[i], 0)
                   ? 1
                   : 0);
  } else {
    if (!phase_done(r, phase))
      fprintf(stderr, "  %s did not complete: api rc %d, read rc %d / %d, states %d / %d\n",
              phase_names[phase], r->api_rc, r->p.c.read_rc, r->p.s.read_rc,
              nnrp_conn_state(r->p.c.conn), nnrp_conn_state(r->p.s.conn));
    CHECK(phase_done(r, phase));
  }
  engine_pair_free(&r->p);
  if (r->cnt.live_blocks) {
    fprintf(stderr, "  %s, allocation %ld refused: %zu blocks (%zu bytes) leaked\n",
            phase_names[phase], n, r->cnt.live_blocks, r->cnt.live_bytes);
  }
  CHECK_EQ(r->cnt.live_blocks, 0);
  free(r);
  return hit;
}

static void test_every_allocation_failure(void) {
  static const engine_mode modes[] = {ENGINE_STREAM, ENGINE_PACKETS};
  for (int m = 0; m < 2; m++) {
    for (int phase = 0; phase < PHASES; phase++) {
      long n = 1;
      while (n < 10000 && fail_once(phase, n, modes[m])) n++;
      /* n - 1 allocation points were refused one by one; the phase then ran to the end. */
      if (modes[m] == ENGINE_STREAM) CHECK(n > 1);
      printf("  %s, %s: %ld allocation points refused one by one\n",
             modes[m] == ENGINE_STREAM ? "stream" : "packets", phase_names[phase], n - 1);
    }
  }
}

int main(void) {
  RUN(test_no_allocation_per_frame);
  RUN(test_idle_session_memory);
  RUN(test_every_allocation_failure);
  return TEST_REPORT();
}
