/* In-memory client <-> server pair for the session engine tests (see conn_pair.h). */
#include "conn_pair.h"

#include <stdlib.h>
#include <string.h>

static pair_side *side_of(nnrp_conn *conn, void *user) {
  conn_pair *p = user;
  return conn == p->c.conn ? &p->c : &p->s;
}

static int on_handshake(nnrp_conn *conn, const nnrp_negotiated *neg, void *user) {
  pair_side *s = side_of(conn, user);
  s->handshakes++;
  s->neg = *neg;
  return 0;
}

static int on_result(nnrp_conn *conn, const nnrp_result *r, void *user) {
  pair_side *s = side_of(conn, user);
  if (s->result_count == PAIR_MAX_EVENTS) return 0;
  size_t i = s->result_count++;
  s->results[i].frame_id = r->frame_id;
  s->results[i].view_id = r->view_id;
  s->results[i].result_class = r->meta->result_class;
  s->results[i].policy_violation = r->policy_violation;
  s->results[i].object_count = r->object_count;
  s->results[i].reused_frame_id = r->meta->reused_frame_id;
  s->results[i].covered = r->meta->covered_tile_count;
  s->results[i].dropped = r->meta->dropped_tile_count;
  s->results[i].latency_us = r->latency_us;
  s->results[i].first_object.base = NULL;
  s->results[i].first_object.len = 0;
  if (r->object_count) {
    uint8_t *copy = malloc(r->objects[0].bytes.len + 1);
    memcpy(copy, r->objects[0].bytes.base, r->objects[0].bytes.len);
    s->results[i].first_object.base = copy;
    s->results[i].first_object.len = r->objects[0].bytes.len;
  }
  return 0;
}

static int on_frame_closed(nnrp_conn *conn, const nnrp_frame_outcome *o, void *user) {
  pair_side *s = side_of(conn, user);
  if (s->outcome_count < PAIR_MAX_EVENTS) {
    s->outcomes[s->outcome_count] = *o;
    s->outcomes[s->outcome_count].diagnostic.base = NULL;
    s->outcome_count++;
  }
  return 0;
}

static int on_submit(nnrp_conn *conn, const nnrp_submit *sub, void *user) {
  pair_side *s = side_of(conn, user);
  if (s->submit_count < PAIR_MAX_EVENTS) {
    size_t i = s->submit_count++;
    s->submits[i].frame_id = sub->frame_id;
    s->submits[i].view_id = sub->view_id;
    s->submits[i].object_count = sub->object_count;
    s->submits[i].budget_policy = sub->meta->budget_policy;
    s->submits[i].deadline = sub->deadline;
  }
  if (s->reply_complete) {
    nnrp_result_push_input in;
    pair_result_input(&in, sub->frame_id, sub->view_id);
    return nnrp_conn_send_result(conn, &in, 0, ((conn_pair *)user)->now);
  }
  return 0;
}

static int on_flow(nnrp_conn *conn, const nnrp_header *h, const nnrp_flow_update_meta *m,
                   int applied, void *user) {
  (void)h;
  pair_side *s = side_of(conn, user);
  s->flow_updates++;
  if (applied) s->flow_applied++;
  s->last_flow = *m;
  return 0;
}

static int on_hint(nnrp_conn *conn, const nnrp_header *h, const nnrp_result_hint_meta *m,
                   void *user) {
  pair_side *s = side_of(conn, user);
  s->hints++;
  s->last_hint = *m;
  s->last_hint_frame = h->frame_id;
  return 0;
}

static int on_patch_ack(nnrp_conn *conn, const nnrp_session_patch_ack_meta *a,
                        const nnrp_profile_patch *clamp, int error, void *user) {
  (void)clamp;
  pair_side *s = side_of(conn, user);
  s->patch_acks++;
  s->last_patch_error = error;
  if (a) s->last_patch_ack = *a;
  return 0;
}

static int on_patch_handled(nnrp_conn *conn, const nnrp_session_patch_meta *req,
                            const nnrp_profile_patch *rc, const nnrp_session_patch_ack_meta *ack,
                            const nnrp_profile_patch *ac, void *user) {
  (void)req, (void)rc, (void)ack, (void)ac;
  side_of(conn, user)->patches_handled++;
  return 0;
}

static int on_cache_put(nnrp_conn *conn, const nnrp_cache_put_meta *m,
                        const nnrp_cache_ack_meta *ack, void *user) {
  (void)m, (void)ack;
  side_of(conn, user)->cache_puts++;
  return 0;
}

static int on_cache_ack(nnrp_conn *conn, const nnrp_cache_ack_meta *m, int inv, void *user) {
  (void)inv;
  pair_side *s = side_of(conn, user);
  s->cache_acks++;
  s->last_cache_ack = *m;
  return 0;
}

static int on_cache_inv(nnrp_conn *conn, const nnrp_cache_invalidate_meta *m, size_t removed,
                        void *user) {
  (void)m, (void)removed;
  side_of(conn, user)->cache_invalidates++;
  return 0;
}

static int on_cache_expired(nnrp_conn *conn, const nnrp_object_ref *k, void *user) {
  (void)k;
  side_of(conn, user)->cache_expired++;
  return 0;
}

static int on_error(nnrp_conn *conn, const nnrp_error_meta *m, nnrp_vec diag, void *user) {
  (void)diag;
  pair_side *s = side_of(conn, user);
  if (s->error_count < PAIR_MAX_EVENTS) s->errors[s->error_count++] = *m;
  return 0;
}

static int on_pong(nnrp_conn *conn, uint64_t trace, nnrp_tstamp rtt, void *user) {
  (void)trace;
  pair_side *s = side_of(conn, user);
  s->pongs++;
  s->last_rtt = rtt;
  return 0;
}

static int on_probe_ack(nnrp_conn *conn, const nnrp_probe_sample *smp, void *user) {
  pair_side *s = side_of(conn, user);
  s->probe_acks++;
  s->last_probe = *smp;
  return 0;
}

static int on_migration(nnrp_conn *conn, const nnrp_migration_info *info, void *user) {
  pair_side *s = side_of(conn, user);
  s->migrations++;
  s->last_migration = *info;
  return 0;
}

static int on_recv_migrate(nnrp_conn *conn, const nnrp_header *h,
                           const nnrp_session_migrate_meta *m, void *user) {
  (void)h, (void)m;
  side_of(conn, user)->migrate_requests++;
  return 0;
}

static int on_path_closed(nnrp_conn *conn, uint32_t path, void *user) {
  pair_side *s = side_of(conn, user);
  if (s->closed_path_count < 8) s->closed_paths[s->closed_path_count++] = path;
  return 0;
}

static int on_state(nnrp_conn *conn, nnrp_session_state from, nnrp_session_state to, void *user) {
  (void)from;
  pair_side *s = side_of(conn, user);
  if (s->state_count < 64) s->states[s->state_count++] = to;
  return 0;
}

static int on_closed(nnrp_conn *conn, const nnrp_close_info *info, void *user) {
  pair_side *s = side_of(conn, user);
  s->closed++;
  s->close_info = *info;
  return 0;
}

static void on_release(nnrp_conn *conn, uint32_t frame_id, uint16_t view_id, void *fu, void *user) {
  (void)frame_id, (void)view_id, (void)fu;
  side_of(conn, user)->released++;
}

static int on_auth(nnrp_conn *conn, const nnrp_client_hello_meta *h, nnrp_vec auth, uint32_t *ttl,
                   void *user) {
  (void)h, (void)auth, (void)ttl;
  return side_of(conn, user)->auth_reject ? -1 : 0;
}

static int on_session_id(nnrp_conn *conn, uint32_t requested, uint32_t *id, uint32_t *retry,
                         void *user) {
  pair_side *s = side_of(conn, user);
  if (s->busy_session) {
    *retry = 250;
    return NNRP_ERR_SERVER_BUSY;
  }
  *id = s->assign_id ? s->assign_id : (requested ? requested : 1);
  return 0;
}

int pair_init(conn_pair *p, const nnrp_settings *client, const nnrp_settings *server) {
  return pair_init_mem(p, client, server, NULL);
}

int pair_init_mem(conn_pair *p, const nnrp_settings *client, const nnrp_settings *server,
                  const nnrp_mem *mem) {
  memset(p, 0, sizeof(*p));
  p->now = 1000000;
  nnrp_callbacks *cb = &p->callbacks;
  nnrp_callbacks_init(cb);
  cb->handshake_completed = on_handshake;
  cb->recv_result = on_result;
  cb->frame_closed = on_frame_closed;
  cb->recv_submit = on_submit;
  cb->recv_flow_update = on_flow;
  cb->recv_result_hint = on_hint;
  cb->recv_patch_ack = on_patch_ack;
  cb->patch_handled = on_patch_handled;
  cb->recv_cache_put = on_cache_put;
  cb->recv_cache_ack = on_cache_ack;
  cb->recv_cache_invalidate = on_cache_inv;
  cb->cache_expired = on_cache_expired;
  cb->recv_error = on_error;
  cb->recv_pong = on_pong;
  cb->recv_probe_ack = on_probe_ack;
  cb->recv_migrate = on_recv_migrate;
  cb->migration = on_migration;
  cb->path_closed = on_path_closed;
  cb->state_change = on_state;
  cb->closed = on_closed;
  cb->release_payload = on_release;
  cb->authenticate = on_auth;
  cb->session_id = on_session_id;
  int rc = nnrp_conn_client_new(&p->c.conn, client, cb, mem, p);
  if (rc < 0) return rc;
  return nnrp_conn_server_new(&p->s.conn, server, cb, mem, p);
}

static void clear_side_packets(pair_side *s) {
  for (size_t i = 0; i < s->sent_count; i++) free(s->sent[i].bytes);
  s->sent_count = 0;
}

void pair_clear_sent(conn_pair *p) {
  clear_side_packets(&p->c);
  clear_side_packets(&p->s);
}

void pair_free(conn_pair *p) {
  pair_clear_sent(p);
  for (size_t i = 0; i < p->c.result_count; i++) free((void *)p->c.results[i].first_object.base);
  nnrp_conn_del(p->c.conn);
  nnrp_conn_del(p->s.conn);
  p->c.conn = p->s.conn = NULL;
}

static void record(pair_side *s, const uint8_t *bytes, size_t len, uint32_t path) {
  if (s->sent_count == PAIR_MAX_PACKETS || len < 40) return;
  pair_packet *k = &s->sent[s->sent_count++];
  k->bytes = malloc(len);
  memcpy(k->bytes, bytes, len);
  k->len = len;
  k->type = bytes[6];
  k->path = path;
}

/* Record every packet of a byte run (whole packets only). */
static void record_stream(pair_side *s, const uint8_t *b, size_t len, uint32_t path) {
  size_t off = 0;
  while (off + 40 <= len) {
    size_t plen;
    if (nnrp_packet_length(b + off, len - off, NULL, &plen) < 0 || off + plen > len) break;
    record(s, b + off, plen, path);
    off += plen;
  }
}

size_t pair_pump(conn_pair *p, pair_side *from, pair_side *to) {
  size_t moved = 0;
  if (p->mode == PAIR_PACKETS) {
    nnrp_output out;
    while (nnrp_conn_output_peek(from->conn, &out) == 1) {
      uint8_t *buf = malloc(out.len ? out.len : 1);
      size_t off = 0;
      for (size_t i = 0; i < out.iov_count; i++) {
        memcpy(buf + off, out.iov[i].base, out.iov[i].len);
        off += out.iov[i].len;
      }
      uint32_t path = out.path;
      nnrp_conn_output_pop(from->conn);
      record(from, buf, off, path);
      nnrp_conn_read_packet(to->conn, buf, off, p->now);
      free(buf);
      moved++;
    }
    return moved;
  }
  size_t pending = nnrp_conn_output_pending(from->conn);
  if (!pending) return 0;
  uint8_t *buf = malloc(pending);
  uint32_t path = 0;
  size_t n = nnrp_conn_write(from->conn, buf, pending, &path);
  record_stream(from, buf, n, path);
  for (size_t off = 0; off + 40 <= n;) {
    size_t plen;
    if (nnrp_packet_length(buf + off, n - off, NULL, &plen) < 0) break;
    moved++;
    off += plen;
  }
  if (p->mode == PAIR_BYTES) {
    for (size_t i = 0; i < n; i++) nnrp_conn_read(to->conn, buf + i, 1, p->now);
  } else {
    nnrp_conn_read(to->conn, buf, n, p->now);
  }
  free(buf);
  return moved ? moved : 1;
}

size_t pair_flush(conn_pair *p) {
  size_t total = 0;
  for (int round = 0; round < 1000; round++) {
    size_t n = pair_pump(p, &p->c, &p->s);
    n += pair_pump(p, &p->s, &p->c);
    total += n;
    if (!n) break;
  }
  return total;
}

int pair_handshake(conn_pair *p) {
  int rc = nnrp_conn_connect(p->c.conn, p->now);
  if (rc < 0) return rc;
  pair_flush(p);
  if (nnrp_conn_state(p->c.conn) != NNRP_STATE_ACTIVE) return -1;
  if (nnrp_conn_state(p->s.conn) != NNRP_STATE_ACTIVE) return -1;
  return 0;
}

void pair_advance(conn_pair *p, uint64_t us) {
  p->now += us;
  nnrp_conn_handle_expiry(p->c.conn, p->now);
  nnrp_conn_handle_expiry(p->s.conn, p->now);
  pair_flush(p);
}

int pair_inject(conn_pair *p, pair_side *to, const uint8_t *bytes, size_t len) {
  return nnrp_conn_read(to->conn, bytes, len, p->now);
}

int pair_sent_packet(const pair_side *side, long i, nnrp_packet *out) {
  if (i < 0) i = (long)side->sent_count - 1;
  if (i < 0 || (size_t)i >= side->sent_count) return -1;
  return nnrp_packet_decode(out, side->sent[i].bytes, side->sent[i].len, NULL, NULL);
}

long pair_last_sent(const pair_side *side, uint8_t type) {
  for (long i = (long)side->sent_count - 1; i >= 0; i--)
    if (side->sent[i].type == type) return i;
  return -1;
}

size_t pair_count_sent(const pair_side *side, uint8_t type) {
  size_t n = 0;
  for (size_t i = 0; i < side->sent_count; i++) n += side->sent[i].type == type;
  return n;
}

void pair_submit_input(nnrp_frame_submit_input *in) {
  nnrp_frame_submit_input_init(in);
  in->tile_index_mode = NNRP_TILE_DENSE_RANGE;
}

void pair_result_input(nnrp_result_push_input *in, uint32_t frame_id, uint16_t view_id) {
  nnrp_result_push_input_init(in);
  in->packet.frame_id = frame_id;
  in->packet.view_id = view_id;
  in->tile_index_mode = NNRP_TILE_DENSE_RANGE;
}

size_t pair_build_error(uint8_t *buf, size_t cap, uint32_t session_id, uint32_t code,
                        uint32_t scope, int fatal, uint32_t frame_id, uint16_t view_id) {
  nnrp_packet_params pp;
  memset(&pp, 0, sizeof(pp));
  pp.session_id = session_id;
  nnrp_error_meta m;
  memset(&m, 0, sizeof(m));
  m.error_code = code;
  m.error_scope = scope;
  m.is_fatal = fatal ? 1u : 0u;
  m.related_session_id = session_id;
  if (scope == NNRP_SCOPE_FRAME) {
    m.related_frame_id = frame_id;
    m.related_view_id = view_id;
    pp.frame_id = frame_id;
    pp.view_id = view_id;
  }
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, cap);
  nnrp_vec none = {NULL, 0};
  if (nnrp_build_error(&pp, &m, none, &s) < 0) return 0;
  return s.len;
}
