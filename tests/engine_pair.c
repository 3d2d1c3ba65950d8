/* The in-memory client <-> server pair of the session engine tests (see engine_pair.h). */
#include "engine_pair.h"

#include <stdlib.h>
#include <string.h>

/* ---- records -----------------------------------------------------------------------------------
 */

static void *vec_push(void **v, size_t *n, size_t *cap, size_t size) {
  if (*n == *cap) {
    size_t c = *cap ? *cap * 2 : 16;
    void *q = realloc(*v, c * size);
    if (!q) abort();
    *v = q;
    *cap = c;
  }
  void *slot = (uint8_t *)*v + (*n)++ * size;
  memset(slot, 0, size);
  return slot;
}

#define PUSH(vec) vec_push((void **)&(vec).v, &(vec).n, &(vec).cap, sizeof(*(vec).v))

static uint8_t *dup_bytes(const uint8_t *b, size_t n) {
  uint8_t *q = malloc(n ? n : 1);
  if (!q) abort();
  if (n) memcpy(q, b, n);
  return q;
}

static void copy_objects(engine_object *dst, const nnrp_resolved_object *src, size_t n) {
  for (size_t i = 0; i < n && i < 4; i++) {
    dst[i].ref = src[i].ref;
    dst[i].len = src[i].bytes.len;
    memcpy(dst[i].bytes, src[i].bytes.base, src[i].bytes.len < 64 ? src[i].bytes.len : 64);
  }
}

/* ---- callbacks ---------------------------------------------------------------------------------
 */

static int on_handshake(nnrp_conn *c, const nnrp_negotiated *neg, void *user) {
  (void)c;
  (void)neg;
  ((engine_side *)user)->handshakes++;
  return 0;
}

static int on_result(nnrp_conn *c, const nnrp_result *r, void *user) {
  (void)c;
  engine_side *side = user;
  engine_result_rec *rec = PUSH(side->results);
  rec->frame_id = r->frame_id;
  rec->view_id = r->view_id;
  rec->header_flags = r->header_flags;
  rec->meta = *r->meta;
  rec->budget_policy = r->budget_policy;
  rec->policy_violation = r->policy_violation;
  rec->latency_us = r->latency_us;
  rec->frame_user = r->frame_user;
  rec->object_count = r->object_count;
  copy_objects(rec->objects, r->objects, r->object_count);
  rec->raw = dup_bytes(r->raw.base, r->raw.len);
  rec->raw_len = r->raw.len;
  return side->result_hook ? side->result_hook(side, r) : 0;
}

static int on_frame_closed(nnrp_conn *c, const nnrp_frame_outcome *o, void *user) {
  (void)c;
  engine_side *side = user;
  nnrp_frame_outcome *rec = PUSH(side->outcomes);
  *rec = *o;
  rec->diagnostic.base = NULL;
  rec->diagnostic.len = 0;
  return 0;
}

static int on_submit(nnrp_conn *c, const nnrp_submit *sub, void *user) {
  engine_side *side = user;
  engine_submit_rec *rec = PUSH(side->submits);
  rec->frame_id = sub->frame_id;
  rec->view_id = sub->view_id;
  rec->meta = *sub->meta;
  rec->loss_tolerance = sub->loss_tolerance;
  rec->budget_ms = sub->budget_ms;
  rec->deadline = sub->deadline;
  rec->object_count = sub->object_count;
  copy_objects(rec->objects, sub->objects, sub->object_count);
  rec->raw = dup_bytes(sub->raw.base, sub->raw.len);
  rec->raw_len = sub->raw.len;
  if (side->submit_hook) {
    int rc = side->submit_hook(side, sub);
    if (rc) return rc;
  }
  if (side->auto_reply) {
    nnrp_result_push_input in;
    engine_result_input(&in, sub->frame_id, sub->view_id);
    nnrp_conn_send_result(c, &in, 0, side->pair->now);
  }
  return 0;
}

static int on_flow(nnrp_conn *c, const nnrp_header *h, const nnrp_flow_update_meta *m, int applied,
                   void *user) {
  (void)c;
  engine_flow_rec *rec = PUSH(((engine_side *)user)->flows);
  rec->header = *h;
  rec->meta = *m;
  rec->applied = applied;
  return 0;
}

static int on_hint(nnrp_conn *c, const nnrp_header *h, const nnrp_result_hint_meta *m, void *user) {
  (void)c;
  engine_hint_rec *rec = PUSH(((engine_side *)user)->hints);
  rec->header = *h;
  rec->meta = *m;
  return 0;
}

static int on_cache_put(nnrp_conn *c, const nnrp_cache_put_meta *m, const nnrp_cache_ack_meta *ack,
                        void *user) {
  (void)c;
  engine_cache_rec *rec = PUSH(((engine_side *)user)->cache_puts);
  rec->put = *m;
  rec->ack = *ack;
  return 0;
}

static int on_cache_ack(nnrp_conn *c, const nnrp_cache_ack_meta *m, int for_invalidate,
                        void *user) {
  (void)c;
  engine_cache_rec *rec = PUSH(((engine_side *)user)->cache_acks);
  rec->ack = *m;
  rec->for_invalidate = for_invalidate;
  return 0;
}

static int on_cache_invalidate(nnrp_conn *c, const nnrp_cache_invalidate_meta *m, size_t removed,
                               void *user) {
  (void)c;
  engine_cache_rec *rec = PUSH(((engine_side *)user)->cache_invalidates);
  rec->inv = *m;
  rec->removed = removed;
  return 0;
}

static int on_error(nnrp_conn *c, const nnrp_error_meta *m, nnrp_vec diag, void *user) {
  (void)c;
  (void)diag;
  nnrp_error_meta *rec = PUSH(((engine_side *)user)->errors);
  *rec = *m;
  return 0;
}

static int on_pong(nnrp_conn *c, uint64_t trace_id, nnrp_tstamp rtt, void *user) {
  (void)c;
  (void)trace_id;
  (void)rtt;
  ((engine_side *)user)->pongs++;
  return 0;
}

static int on_probe_ack(nnrp_conn *c, const nnrp_probe_sample *sample, void *user) {
  (void)c;
  nnrp_probe_sample *rec = PUSH(((engine_side *)user)->probe_acks);
  *rec = *sample;
  return 0;
}

static int on_state(nnrp_conn *c, nnrp_session_state from, nnrp_session_state to, void *user) {
  (void)c;
  (void)from;
  nnrp_session_state *rec = PUSH(((engine_side *)user)->states);
  *rec = to;
  return 0;
}

static int on_closed(nnrp_conn *c, const nnrp_close_info *info, void *user) {
  (void)c;
  engine_side *side = user;
  side->closed++;
  side->close_info = *info;
  return 0;
}

static void on_release(nnrp_conn *c, uint32_t frame_id, uint16_t view_id, void *frame_user,
                       void *user) {
  (void)c;
  (void)frame_id;
  (void)view_id;
  (void)frame_user;
  ((engine_side *)user)->released++;
}

/* ---- lifetime ----------------------------------------------------------------------------------
 */

void engine_settings(nnrp_settings *s) {
  nnrp_settings_default(s, NNRP_ROLE_CLIENT);
  s->client.hello.max_lane_count = 4;
  s->client.hello.latency_budget_ms = 60000;
  s->server.max_lane_count = 4;
  s->server.max_concurrent_frames = 8;
}

int engine_pair_init(engine_pair *p, const nnrp_settings *client, const nnrp_settings *server,
                     const nnrp_mem *mem) {
  return engine_pair_init_mem(p, client, server, mem, mem);
}

int engine_pair_init_mem(engine_pair *p, const nnrp_settings *client, const nnrp_settings *server,
                         const nnrp_mem *client_mem, const nnrp_mem *server_mem) {
  memset(p, 0, sizeof(*p));
  p->now = 1000000; /* 1 s: a non-zero start catches "0 means unset" mistakes */
  p->c.pair = p->s.pair = p;
  p->c.name = "client";
  p->s.name = "server";
  nnrp_settings defaults;
  engine_settings(&defaults);
  nnrp_callbacks cb;
  nnrp_callbacks_init(&cb);
  cb.handshake_completed = on_handshake;
  cb.recv_result = on_result;
  cb.frame_closed = on_frame_closed;
  cb.recv_submit = on_submit;
  cb.recv_flow_update = on_flow;
  cb.recv_result_hint = on_hint;
  cb.recv_cache_put = on_cache_put;
  cb.recv_cache_ack = on_cache_ack;
  cb.recv_cache_invalidate = on_cache_invalidate;
  cb.recv_error = on_error;
  cb.recv_pong = on_pong;
  cb.recv_probe_ack = on_probe_ack;
  cb.state_change = on_state;
  cb.closed = on_closed;
  cb.release_payload = on_release;
  int rc = nnrp_conn_client_new(&p->c.conn, client ? client : &defaults, &cb, client_mem, &p->c);
  if (rc < 0) return rc;
  rc = nnrp_conn_server_new(&p->s.conn, server ? server : &defaults, &cb, server_mem, &p->s);
  if (rc < 0) {
    nnrp_conn_del(p->c.conn);
    p->c.conn = NULL;
  }
  return rc;
}

static void side_clear(engine_side *s) {
  for (size_t i = 0; i < s->results.n; i++) free(s->results.v[i].raw);
  for (size_t i = 0; i < s->submits.n; i++) free(s->submits.v[i].raw);
  for (size_t i = 0; i < s->sent.n; i++) free(s->sent.v[i].bytes);
  s->outcomes.n = s->results.n = s->submits.n = s->errors.n = s->flows.n = s->hints.n = 0;
  s->cache_puts.n = s->cache_acks.n = s->cache_invalidates.n = s->probe_acks.n = 0;
  s->states.n = s->sent.n = 0;
}

static void side_free(engine_side *s) {
  side_clear(s);
  free(s->outcomes.v);
  free(s->results.v);
  free(s->submits.v);
  free(s->errors.v);
  free(s->flows.v);
  free(s->hints.v);
  free(s->cache_puts.v);
  free(s->cache_acks.v);
  free(s->cache_invalidates.v);
  free(s->probe_acks.v);
  free(s->states.v);
  free(s->sent.v);
}

void engine_pair_free(engine_pair *p) {
  nnrp_conn_del(p->c.conn);
  nnrp_conn_del(p->s.conn);
  p->c.conn = p->s.conn = NULL;
  side_free(&p->c);
  side_free(&p->s);
}

void engine_pair_clear(engine_pair *p) {
  side_clear(&p->c);
  side_clear(&p->s);
}

/* ---- moving bytes ------------------------------------------------------------------------------
 */

static engine_side *peer_of(engine_pair *p, const engine_side *side) {
  return side == &p->c ? &p->s : &p->c;
}

static int note_rc(engine_side *to, int rc) {
  if (rc != 0) {
    if (!to->read_rc) to->read_rc = rc;
    to->read_failures++;
  }
  return rc;
}

/* Feed bytes to `to` the way the pair's mode says (whole: one packet, ENGINE_PACKETS).  A
 * failed read ends the delivery: a host would drop that connection. */
static int deliver(engine_pair *p, engine_side *to, const uint8_t *b, size_t n) {
  size_t piece = p->mode == ENGINE_BYTES ? 1 : p->mode == ENGINE_STREAM ? 13 : n;
  if (p->mode == ENGINE_PACKETS) return note_rc(to, nnrp_conn_read_packet(to->conn, b, n, p->now));
  for (size_t off = 0; off < n; off += piece) {
    size_t k = n - off < piece ? n - off : piece;
    int rc = note_rc(to, nnrp_conn_read(to->conn, b + off, k, p->now));
    if (rc) return rc;
  }
  return 0;
}

static void log_packet(engine_side *side, const uint8_t *b, size_t n) {
  engine_packet *pk = PUSH(side->sent);
  pk->bytes = dup_bytes(b, n);
  pk->len = n;
  pk->type = n > 6 ? b[6] : 0;
}

/* One packet from the head of the queue, copied and logged; 0 when none. */
static int take_one(engine_side *from) {
  nnrp_output out;
  int rc = nnrp_conn_output_peek(from->conn, &out);
  if (rc <= 0) {
    (void)note_rc(from, rc);
    return 0;
  }
  uint8_t *buf = malloc(out.len ? out.len : 1);
  if (!buf) abort();
  size_t off = 0;
  for (size_t i = 0; i < out.iov_count; i++) {
    memcpy(buf + off, out.iov[i].base, out.iov[i].len);
    off += out.iov[i].len;
  }
  nnrp_conn_output_pop(from->conn);
  engine_packet *pk = PUSH(from->sent);
  pk->bytes = buf;
  pk->len = off;
  pk->type = off > 6 ? buf[6] : 0;
  return 1;
}

size_t engine_collect(engine_side *from) {
  size_t n = 0;
  while (take_one(from)) n++;
  return n;
}

/* Stream modes: everything queued as bytes; the packets are logged one by one. */
static size_t take_stream(engine_side *from, uint8_t **pbuf, size_t *plen) {
  size_t len = 0, cap = 4096;
  uint8_t *buf = malloc(cap);
  if (!buf) abort();
  for (;;) {
    if (cap - len < 4096) {
      cap *= 2;
      buf = realloc(buf, cap);
      if (!buf) abort();
    }
    size_t n = nnrp_conn_write(from->conn, buf + len, cap - len, NULL);
    if (n == 0) break;
    len += n;
  }
  size_t packets = 0, off = 0;
  while (off < len) {
    size_t one;
    if (nnrp_packet_length(buf + off, len - off, NULL, &one) < 0 || one > len - off) {
      log_packet(from, buf + off, len - off); /* keep whatever it was */
      packets++;
      break;
    }
    log_packet(from, buf + off, one);
    off += one;
    packets++;
  }
  *pbuf = buf;
  *plen = len;
  return packets;
}

size_t engine_pump(engine_pair *p, engine_side *from) {
  engine_side *to = peer_of(p, from);
  if (p->mode == ENGINE_PACKETS) {
    size_t n = 0;
    while (take_one(from)) {
      const engine_packet *pk = &from->sent.v[from->sent.n - 1];
      n++;
      if (deliver(p, to, pk->bytes, pk->len)) break;
    }
    return n;
  }
  uint8_t *buf;
  size_t len;
  size_t n = take_stream(from, &buf, &len);
  if (len) deliver(p, to, buf, len);
  free(buf);
  return n;
}

size_t engine_flush(engine_pair *p) {
  size_t total = 0;
  for (int i = 0; i < 100000; i++) {
    size_t n = engine_pump(p, &p->c) + engine_pump(p, &p->s);
    if (n == 0) break;
    total += n;
  }
  return total;
}

int engine_redeliver(engine_pair *p, engine_side *to, size_t index) {
  engine_side *from = peer_of(p, to);
  if (index >= from->sent.n) return -1;
  return deliver(p, to, from->sent.v[index].bytes, from->sent.v[index].len);
}

int engine_handshake(engine_pair *p) {
  int rc = nnrp_conn_connect(p->c.conn, p->now);
  if (rc < 0) return rc;
  engine_flush(p);
  if (nnrp_conn_state(p->c.conn) != NNRP_STATE_ACTIVE ||
      nnrp_conn_state(p->s.conn) != NNRP_STATE_ACTIVE)
    return NNRP_ERR_INVALID_STATE;
  return 0;
}

void engine_advance(engine_pair *p, uint64_t us) {
  p->now += us;
  (void)note_rc(&p->c, nnrp_conn_handle_expiry(p->c.conn, p->now));
  (void)note_rc(&p->s, nnrp_conn_handle_expiry(p->s.conn, p->now));
  engine_flush(p);
}

int engine_inject(engine_pair *p, engine_side *to, const uint8_t *bytes, size_t len) {
  return note_rc(to, nnrp_conn_read(to->conn, bytes, len, p->now));
}

/* ---- inspecting what was sent ------------------------------------------------------------------
 */

size_t engine_sent_since(const engine_side *side, size_t mark, uint8_t type) {
  size_t n = 0;
  for (size_t i = mark; i < side->sent.n; i++)
    if (!type || side->sent.v[i].type == type) n++;
  return n;
}

long engine_last_sent(const engine_side *side, size_t mark, uint8_t type, nnrp_packet *out) {
  for (size_t i = side->sent.n; i-- > mark;) {
    const engine_packet *pk = &side->sent.v[i];
    if (type && pk->type != type) continue;
    if (out && nnrp_packet_decode(out, pk->bytes, pk->len, NULL, NULL) < 0) return -1;
    return (long)i;
  }
  return -1;
}

size_t engine_errors_since(const engine_side *side, size_t mark, nnrp_error_meta *last) {
  size_t n = 0;
  for (size_t i = mark; i < side->sent.n; i++) {
    const engine_packet *pk = &side->sent.v[i];
    if (pk->type != NNRP_MSG_ERROR) continue;
    n++;
    if (last) {
      memset(last, 0, sizeof(*last));
      if (pk->len >= NNRP_HEADER_LEN + NNRP_ERROR_META_LEN)
        nnrp_error_meta_decode(last, pk->bytes + NNRP_HEADER_LEN, NNRP_ERROR_META_LEN, 0);
    }
  }
  return n;
}

size_t engine_outcomes_of(const engine_side *side, uint32_t frame_id, uint16_t view_id,
                          nnrp_frame_outcome *last) {
  size_t n = 0;
  for (size_t i = 0; i < side->outcomes.n; i++) {
    const nnrp_frame_outcome *o = &side->outcomes.v[i];
    if (o->frame_id != frame_id || o->view_id != view_id) continue;
    n++;
    if (last) *last = *o;
  }
  return n;
}

const engine_result_rec *engine_result_of(const engine_side *side, uint32_t frame_id,
                                          uint16_t view_id) {
  for (size_t i = 0; i < side->results.n; i++)
    if (side->results.v[i].frame_id == frame_id && side->results.v[i].view_id == view_id)
      return &side->results.v[i];
  return NULL;
}

const engine_submit_rec *engine_submit_of(const engine_side *side, uint32_t frame_id,
                                          uint16_t view_id) {
  for (size_t i = 0; i < side->submits.n; i++)
    if (side->submits.v[i].frame_id == frame_id && side->submits.v[i].view_id == view_id)
      return &side->submits.v[i];
  return NULL;
}

/* ---- inputs and crafted packets ----------------------------------------------------------------
 */

void engine_submit_input(nnrp_frame_submit_input *in) {
  nnrp_frame_submit_input_init(in);
  in->src_width = 64;
  in->src_height = 64;
  in->tile_width = 32;
  in->tile_height = 32;
}

void engine_result_input(nnrp_result_push_input *in, uint32_t frame_id, uint16_t view_id) {
  nnrp_result_push_input_init(in);
  in->packet.frame_id = frame_id;
  in->packet.view_id = view_id;
}

uint32_t engine_submit_simple(engine_pair *p, uint16_t view) {
  nnrp_frame_submit_input in;
  engine_submit_input(&in);
  in.packet.view_id = view;
  uint32_t id = 0;
  if (nnrp_conn_submit(p->c.conn, &in, 0, NULL, &id, p->now) < 0) return 0;
  return id;
}

void engine_st16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

void engine_st32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

size_t engine_raw_packet(uint8_t *buf, size_t cap, uint8_t type, uint32_t session_id,
                         uint32_t frame_id, uint16_t view_id, const void *meta, size_t meta_len,
                         const void *body, size_t body_len) {
  size_t n = NNRP_HEADER_LEN + meta_len + body_len;
  if (n > cap) return 0;
  memset(buf, 0, NNRP_HEADER_LEN);
  memcpy(buf, "NNRP", 4);
  buf[4] = 1;
  buf[5] = 0;
  buf[6] = type;
  buf[7] = NNRP_HEADER_LEN;
  engine_st32(buf + 12, (uint32_t)meta_len);
  engine_st32(buf + 16, (uint32_t)body_len);
  engine_st32(buf + 20, session_id);
  engine_st32(buf + 24, frame_id);
  engine_st16(buf + 28, view_id);
  if (meta_len) memcpy(buf + NNRP_HEADER_LEN, meta, meta_len);
  if (body_len) memcpy(buf + NNRP_HEADER_LEN + meta_len, body, body_len);
  return n;
}
