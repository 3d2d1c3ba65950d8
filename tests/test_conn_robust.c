/*
 * Session engine: allocation behaviour and hostile input — no allocation per frame in steady
 * state, the memory of an idle session, every allocation failure handled, and random or
 * mutated bytes fed to both engines at every state without harm to other frames.
 */
#include "conn_pair.h"
#include "test.h"

/* ---- a counting, optionally failing allocator ------------------------------------------------ */

typedef struct counter {
  size_t allocs; /* successful malloc / calloc / growing realloc calls */
  size_t live;   /* bytes currently allocated */
  long fail_at;  /* fail the allocation with this index (-1: never) */
  long index;
} counter;

#define HDR 16

static void *c_malloc(size_t n, void *user) {
  counter *k = user;
  if (k->fail_at >= 0 && k->index++ == k->fail_at) return NULL;
  uint8_t *p = malloc(n + HDR);
  if (!p) return NULL;
  memcpy(p, &n, sizeof(n));
  k->allocs++;
  k->live += n;
  return p + HDR;
}
static void c_free(void *ptr, void *user) {
  if (!ptr) return;
  counter *k = user;
  uint8_t *p = (uint8_t *)ptr - HDR;
  size_t n;
  memcpy(&n, p, sizeof(n));
  k->live -= n;
  free(p);
}
static void *c_calloc(size_t nmemb, size_t size, void *user) {
  size_t n = nmemb * size;
  void *p = c_malloc(n, user);
  if (p) memset(p, 0, n);
  return p;
}
static void *c_realloc(void *ptr, size_t n, void *user) {
  if (!ptr) return c_malloc(n, user);
  counter *k = user;
  if (k->fail_at >= 0 && k->index++ == k->fail_at) return NULL;
  uint8_t *p = (uint8_t *)ptr - HDR;
  size_t old;
  memcpy(&old, p, sizeof(old));
  uint8_t *q = realloc(p, n + HDR);
  if (!q) return NULL;
  memcpy(q, &n, sizeof(n));
  k->live = k->live - old + n;
  k->allocs++;
  return q + HDR;
}

static nnrp_mem counting(counter *k) {
  nnrp_mem m = {k, c_malloc, c_free, c_calloc, c_realloc};
  return m;
}

/* ---- steady state ---------------------------------------------------------------------------- */

static int round_trips(conn_pair *p, int n, const uint8_t *payload, size_t len) {
  const uint16_t tiles[1] = {0};
  const nnrp_vec pay[1] = {{payload, len}};
  nnrp_tensor_section_data sec = {1, 0, NNRP_DTYPE_UINT8, 0, 0, 0, (uint32_t)len, pay, 1, NULL, 0};
  for (int i = 0; i < n; i++) {
    nnrp_frame_submit_input in;
    pair_submit_input(&in);
    if (payload) {
      in.src_width = in.src_height = in.tile_width = in.tile_height = 32;
      in.tile_ids = tiles;
      in.tile_id_count = 1;
      in.tile_index_mode = NNRP_TILE_RAW_U16;
      in.sections = &sec;
      in.section_count = 1;
    }
    uint32_t id;
    int rc = nnrp_conn_submit(p->c.conn, &in, payload ? NNRP_SEND_NO_COPY : 0, NULL, &id, p->now);
    if (rc < 0) return rc;
    pair_flush(p);
    nnrp_result_push_input r;
    pair_result_input(&r, id, 0);
    rc = nnrp_conn_send_result(p->s.conn, &r, 0, p->now);
    if (rc < 0) return rc;
    pair_flush(p);
    pair_clear_sent(p);
  }
  return 0;
}

static void steady_state_in_mode(pair_mode mode, const uint8_t *payload, size_t len) {
  counter k = {0, 0, -1, 0};
  nnrp_mem mem = counting(&k);
  conn_pair p;
  CHECK_RC(pair_init_mem(&p, NULL, NULL, &mem), 0);
  p.mode = mode;
  CHECK_RC(pair_handshake(&p), 0);
  CHECK_RC(round_trips(&p, 20, payload, len), 0); /* warm-up: buffers reach their size */
  size_t before = k.allocs;
  CHECK_RC(round_trips(&p, 1000, payload, len), 0);
  CHECK_EQ(k.allocs - before, 0);
  CHECK_EQ(nnrp_conn_counters_get(p.c.conn)->frames_delivered, 1020);
  pair_free(&p);
  CHECK_EQ(k.live, 0);
}

static void no_allocation_per_frame_metadata_only(void) {
  steady_state_in_mode(PAIR_PACKETS, NULL, 0);
  steady_state_in_mode(PAIR_STREAM, NULL, 0);
}

static void no_allocation_per_frame_4k_tensor(void) {
  static uint8_t tensor[4096];
  for (size_t i = 0; i < sizeof(tensor); i++) tensor[i] = (uint8_t)i;
  steady_state_in_mode(PAIR_PACKETS, tensor, sizeof(tensor));
  steady_state_in_mode(PAIR_COALESCE, tensor, sizeof(tensor));
}

static void idle_session_memory(void) {
  counter kc = {0, 0, -1, 0}, ks = {0, 0, -1, 0};
  nnrp_mem mc = counting(&kc), ms = counting(&ks);
  nnrp_conn *c, *s;
  CHECK_RC(nnrp_conn_client_new(&c, NULL, NULL, &mc, NULL), 0);
  CHECK_RC(nnrp_conn_server_new(&s, NULL, NULL, &ms, NULL), 0);
  CHECK_RC(nnrp_conn_connect(c, 1), 0);
  uint8_t buf[1024];
  for (int i = 0; i < 4; i++) {
    size_t n = nnrp_conn_write(c, buf, sizeof(buf), NULL);
    if (n) CHECK_RC(nnrp_conn_read(s, buf, n, 1), 0);
    n = nnrp_conn_write(s, buf, sizeof(buf), NULL);
    if (n) CHECK_RC(nnrp_conn_read(c, buf, n, 1), 0);
  }
  CHECK_EQ(nnrp_conn_state(c), NNRP_STATE_ACTIVE);
  CHECK_EQ(nnrp_conn_state(s), NNRP_STATE_ACTIVE);
  /* The target: an idle session within 16 KiB (struct sizes included). */
  CHECK(kc.live <= 16384);
  CHECK(ks.live <= 16384);
  printf("idle session: client %zu bytes, server %zu bytes\n", kc.live, ks.live);
  nnrp_conn_del(c);
  nnrp_conn_del(s);
  CHECK_EQ(kc.live, 0);
  CHECK_EQ(ks.live, 0);
}

/*
 * A peer announces an 8 MiB FRAME_SUBMIT (within every limit) and sends only its header and a
 * few bytes: the engine's memory follows the bytes that arrived, not the announced length.
 */
static void announced_size_is_not_reserved(void) {
  counter ks = {0, 0, -1, 0};
  nnrp_mem ms = counting(&ks);
  nnrp_conn *c, *s;
  CHECK_RC(nnrp_conn_client_new(&c, NULL, NULL, NULL, NULL), 0);
  CHECK_RC(nnrp_conn_server_new(&s, NULL, NULL, &ms, NULL), 0);
  CHECK_RC(nnrp_conn_connect(c, 1), 0);
  uint8_t buf[1024];
  for (int i = 0; i < 4; i++) {
    size_t n = nnrp_conn_write(c, buf, sizeof(buf), NULL);
    if (n) CHECK_RC(nnrp_conn_read(s, buf, n, 1), 0);
    n = nnrp_conn_write(s, buf, sizeof(buf), NULL);
    if (n) CHECK_RC(nnrp_conn_read(c, buf, n, 1), 0);
  }
  CHECK_EQ(nnrp_conn_state(s), NNRP_STATE_ACTIVE);
  size_t idle = ks.live;
  nnrp_header h = {1, 0, NNRP_MSG_FRAME_SUBMIT, 40, 0, NNRP_FRAME_SUBMIT_META_LEN, 8u << 20,
                   nnrp_conn_session_id(s), 1, 0, 0, 0};
  uint8_t pkt[40 + 100];
  memset(pkt, 0, sizeof(pkt));
  CHECK_RC(nnrp_header_encode(&h, pkt), 0);
  /* The header alone, then in a second read, then a little more of the packet. */
  CHECK_RC(nnrp_conn_read(s, pkt, 40, 2), 0);
  CHECK_RC(nnrp_conn_read(s, pkt + 40, 100, 2), 0);
  CHECK(ks.live - idle < 4096);
  nnrp_conn_del(c);
  nnrp_conn_del(s);
  CHECK_EQ(ks.live, 0);
}

/* Every allocation may fail: the engine reports NNRP_ERR_NOMEM (or an aborted exchange) and
 * never crashes or leaks. */
static void allocation_failures(void) {
  for (long fail = 0; fail < 200; fail++) {
    counter k = {0, 0, fail, 0};
    nnrp_mem mem = counting(&k);
    conn_pair p;
    int rc = pair_init_mem(&p, NULL, NULL, &mem);
    if (rc == 0) {
      p.mode = fail % 2 ? PAIR_STREAM : PAIR_PACKETS;
      if (pair_handshake(&p) == 0) {
        const uint8_t obj[3] = {1, 2, 3};
        nnrp_cache_put_meta m;
        memset(&m, 0, sizeof(m));
        m.cache_namespace = 1, m.cache_key_lo = 1, m.object_kind = 1;
        nnrp_conn_cache_put(p.c.conn, &m, (nnrp_vec){obj, 3}, p.now);
        round_trips(&p, 3, NULL, 0);
        pair_flush(&p);
      }
    }
    pair_free(&p);
    CHECK_EQ(k.live, 0);
  }
}

/* ---- hostile input --------------------------------------------------------------------------- */

static uint32_t rng_state = 12345;
static uint32_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

/* Valid packets of both directions, captured from a real exchange. */
static void capture(pair_packet *out, size_t *n, size_t cap) {
  conn_pair p;
  nnrp_settings ss;
  nnrp_settings_default(&ss, NNRP_ROLE_SERVER);
  ss.server.max_concurrent_frames = 4;
  pair_init(&p, NULL, &ss);
  pair_handshake(&p);
  nnrp_frame_submit_input in;
  pair_submit_input(&in);
  uint32_t id;
  nnrp_conn_submit(p.c.conn, &in, 0, NULL, &id, p.now);
  nnrp_conn_submit(p.c.conn, &in, 0, NULL, NULL, p.now);
  nnrp_conn_ping(p.c.conn, 3, p.now);
  nnrp_session_patch_meta pm;
  memset(&pm, 0, sizeof(pm));
  pm.patch_mask = NNRP_PATCH_QUALITY_TIER;
  pm.quality_tier = 1;
  nnrp_conn_patch(p.c.conn, &pm, NULL, 1, p.now);
  pair_flush(&p);
  nnrp_result_push_input r;
  pair_result_input(&r, id, 0);
  nnrp_conn_send_result(p.s.conn, &r, 0, p.now);
  nnrp_conn_send_drop(p.s.conn, id + 1, 0, NNRP_DROP_QUEUE_FULL, 5, p.now);
  nnrp_flow_update_meta f;
  memset(&f, 0, sizeof(f));
  f.scope_kind = 1;
  f.session_credit = 2;
  f.flags = NNRP_FLOW_CREDIT_VALID;
  nnrp_conn_send_flow_update(p.s.conn, &f, p.now);
  pair_flush(&p);
  nnrp_vec none = {NULL, 0};
  nnrp_conn_close(p.c.conn, none, p.now);
  pair_flush(&p);
  *n = 0;
  for (int side = 0; side < 2; side++) {
    pair_side *s = side ? &p.s : &p.c;
    for (size_t i = 0; i < s->sent_count && *n < cap; i++) {
      out[*n] = s->sent[i];
      out[*n].bytes = malloc(s->sent[i].len);
      memcpy(out[*n].bytes, s->sent[i].bytes, s->sent[i].len);
      (*n)++;
    }
  }
  pair_free(&p);
}

static void feed_random(conn_pair *p, pair_side *to, const pair_packet *pk, size_t npk) {
  uint8_t buf[2048];
  for (int k = 0; k < 8; k++) {
    size_t len;
    if (rnd() % 3 == 0) {
      len = rnd() % 200;
      for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)rnd();
    } else {
      const pair_packet *src = &pk[rnd() % npk];
      len = src->len < sizeof(buf) ? src->len : sizeof(buf);
      memcpy(buf, src->bytes, len);
      int flips = 1 + (int)(rnd() % 3);
      for (int f = 0; f < flips; f++) buf[rnd() % len] ^= (uint8_t)(1u << (rnd() % 8));
      if (rnd() % 4 == 0) buf[20] = 1; /* keep the session id plausible */
    }
    /* Random split into reads. */
    size_t off = 0;
    while (off < len) {
      size_t n = 1 + rnd() % (len - off);
      nnrp_conn_read(to->conn, buf + off, n, p->now);
      off += n;
    }
    if (rnd() % 8 == 0) nnrp_conn_read_packet(to->conn, buf, len, p->now);
  }
}

static void random_and_mutated_input(void) {
  pair_packet pk[64];
  size_t npk = 0;
  capture(pk, &npk, 64);
  CHECK(npk >= 10);
  for (int iter = 0; iter < 300; iter++) {
    conn_pair p;
    CHECK_RC(pair_init(&p, NULL, NULL), 0);
    int stage = iter % 3; /* hostile bytes in INIT / after the handshake / with a frame open */
    if (stage >= 1 && pair_handshake(&p) != 0) {
      CHECK(0);
      pair_free(&p);
      continue;
    }
    uint32_t id = 0;
    if (stage == 2) {
      nnrp_frame_submit_input in;
      pair_submit_input(&in);
      in.latency_budget_ms = 60000;
      CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, &id, p.now), 0);
      pair_flush(&p);
    }
    feed_random(&p, (iter & 4) ? &p.c : &p.s, pk, npk);
    pair_flush(&p);
    pair_advance(&p, 1000);
    /* Whatever happened, the invariants hold. */
    nnrp_session_state cs = nnrp_conn_state(p.c.conn), ss = nnrp_conn_state(p.s.conn);
    CHECK(cs <= NNRP_STATE_CLOSED && ss <= NNRP_STATE_CLOSED);
    CHECK(nnrp_conn_in_flight(p.c.conn) <= 1);
    /* Each frame ends at most once. */
    size_t ends = 0;
    for (size_t i = 0; i < p.c.outcome_count; i++) ends += p.c.outcomes[i].frame_id == id;
    CHECK(ends <= 1);
    /* When the client's frame is still open and both are ACTIVE, it can still complete. */
    if (stage == 2 && ends == 0 && cs == NNRP_STATE_ACTIVE && ss == NNRP_STATE_ACTIVE &&
        nnrp_conn_in_flight(p.s.conn) == 1) {
      nnrp_result_push_input r;
      pair_result_input(&r, id, 0);
      CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
      pair_flush(&p);
      CHECK_EQ(p.c.outcomes[p.c.outcome_count - 1].frame_id, id);
    }
    pair_free(&p);
  }
  for (size_t i = 0; i < npk; i++) free(pk[i].bytes);
}

static void oversized_body_is_skipped(void) {
  nnrp_settings ss;
  nnrp_settings_default(&ss, NNRP_ROLE_SERVER);
  ss.server.max_body_bytes = 64;
  ss.server.max_concurrent_frames = 4;
  conn_pair p;
  CHECK_RC(pair_init(&p, NULL, &ss), 0);
  p.mode = PAIR_BYTES;
  CHECK_RC(pair_handshake(&p), 0);
  /* A CLOSE with a 100-byte reason: limit_exceeded, session scope, read and discarded. */
  uint8_t buf[256];
  nnrp_packet_params pp;
  memset(&pp, 0, sizeof(pp));
  pp.session_id = 1;
  char reason[100];
  memset(reason, 'r', sizeof(reason));
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_close(&pp, (nnrp_vec){(const uint8_t *)reason, 100}, &s), 0);
  size_t n = s.len;
  /* Followed by a PING in the same read. */
  nnrp_sink_init_buffer(&s, buf + n, sizeof(buf) - n);
  CHECK_RC(nnrp_build_ping(&pp, &s), 0);
  n += s.len;
  for (size_t i = 0; i < n; i += 7) nnrp_conn_read(p.s.conn, buf + i, n - i < 7 ? n - i : 7, p.now);
  pair_flush(&p);
  CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_ACTIVE);
  long e = pair_last_sent(&p.s, NNRP_MSG_ERROR);
  CHECK(e >= 0);
  nnrp_packet err;
  CHECK_RC(pair_sent_packet(&p.s, e, &err), 0);
  CHECK_EQ(err.meta.error.error_code, NNRP_ERROR_CODE_LIMIT_EXCEEDED);
  CHECK_EQ(err.meta.error.error_scope, NNRP_SCOPE_SESSION);
  CHECK_EQ(err.meta.error.is_fatal, 0);
  CHECK_EQ(pair_count_sent(&p.s, NNRP_MSG_PONG), 1);
  pair_free(&p);
}

static void broken_stream_closes(void) {
  conn_pair p;
  CHECK_RC(pair_init(&p, NULL, NULL), 0);
  CHECK_RC(pair_handshake(&p), 0);
  nnrp_frame_submit_input in;
  pair_submit_input(&in);
  CHECK_RC(nnrp_conn_submit(p.c.conn, &in, 0, NULL, NULL, p.now), 0);
  pair_flush(&p);
  uint8_t junk[48];
  memset(junk, 0x5A, sizeof(junk));
  CHECK_RC(nnrp_conn_read(p.c.conn, junk, sizeof(junk), p.now), NNRP_ERR_HEADER_MAGIC);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(p.c.outcome_count, 1);
  CHECK_EQ(p.c.outcomes[0].cause, NNRP_CAUSE_SESSION_LOST);
  nnrp_output o;
  CHECK_EQ(nnrp_conn_output_peek(p.c.conn, &o), 1);
  CHECK_EQ(o.msg_type, NNRP_MSG_ERROR);
  /* Later bytes are discarded. */
  CHECK_RC(nnrp_conn_read(p.c.conn, junk, sizeof(junk), p.now), 0);
  /* A truncated whole-packet read is a broken stream too. */
  CHECK_RC(nnrp_conn_read_packet(p.s.conn, junk, 10, p.now), NNRP_ERR_INCOMPLETE);
  CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_CLOSED);
  pair_free(&p);
}

static int abort_cb(nnrp_conn *c, const nnrp_submit *s, void *user) {
  (void)c, (void)s, (void)user;
  return -1;
}

static void callback_abort(void) {
  conn_pair q;
  CHECK_RC(pair_init(&q, NULL, NULL), 0);
  /* The server's recv_submit aborts. */
  nnrp_callbacks cb = q.callbacks;
  cb.recv_submit = abort_cb;
  nnrp_conn_del(q.s.conn);
  CHECK_RC(nnrp_conn_server_new(&q.s.conn, NULL, &cb, NULL, &q), 0);
  CHECK_RC(pair_handshake(&q), 0);
  CHECK_RC(nnrp_conn_connect(q.c.conn, q.now), NNRP_ERR_INVALID_STATE);
  nnrp_frame_submit_input in;
  pair_submit_input(&in);
  CHECK_RC(nnrp_conn_submit(q.c.conn, &in, 0, NULL, NULL, q.now), 0);
  uint8_t buf[512];
  size_t n = nnrp_conn_write(q.c.conn, buf, sizeof(buf), NULL);
  CHECK_RC(nnrp_conn_read(q.s.conn, buf, n, q.now), NNRP_ERR_CALLBACK);
  pair_free(&q);
}

int main(void) {
  RUN(no_allocation_per_frame_metadata_only);
  RUN(no_allocation_per_frame_4k_tensor);
  RUN(idle_session_memory);
  RUN(allocation_failures);
  RUN(random_and_mutated_input);
  RUN(oversized_body_is_skipped);
  RUN(announced_size_is_not_reserved);
  RUN(broken_stream_closes);
  RUN(callback_abort);
  return TEST_REPORT();
}
