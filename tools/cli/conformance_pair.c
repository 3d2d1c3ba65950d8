/* The in-memory engine pair of the conformance adapter (see conformance_pair.h). */
#include "conformance_pair.h"

#include <string.h>

static int on_result(nnrp_conn *c, const nnrp_result *r, void *user) {
  (void)c;
  cpair_side *s = user;
  if (s->result_count == CPAIR_MAX) return 0;
  cpair_result *rec = &s->results[s->result_count++];
  memset(rec, 0, sizeof *rec);
  rec->frame_id = r->frame_id;
  rec->meta = *r->meta;
  rec->budget_policy = r->budget_policy;
  rec->policy_violation = r->policy_violation;
  rec->object_count = r->object_count;
  if (r->object_count) {
    rec->object_len = r->objects[0].bytes.len;
    size_t n = rec->object_len < sizeof rec->object ? rec->object_len : sizeof rec->object;
    memcpy(rec->object, r->objects[0].bytes.base, n);
  }
  return 0;
}

static int on_frame_closed(nnrp_conn *c, const nnrp_frame_outcome *o, void *user) {
  (void)c;
  cpair_side *s = user;
  if (s->outcome_count == CPAIR_MAX) return 0;
  nnrp_frame_outcome *rec = &s->outcomes[s->outcome_count++];
  *rec = *o;
  rec->diagnostic.base = NULL;
  rec->diagnostic.len = 0;
  return 0;
}

static cpair *pair_of(nnrp_conn *c);

static int on_submit(nnrp_conn *c, const nnrp_submit *sub, void *user) {
  cpair_side *s = user;
  s->submit_count++;
  cpair *p = pair_of(c);
  if (!p || !p->auto_reply) return 0;
  nnrp_result_push_input in;
  nnrp_result_push_input_init(&in);
  in.packet.frame_id = sub->frame_id;
  in.packet.view_id = sub->view_id;
  return nnrp_conn_send_result(c, &in, 0, p->now);
}

static int on_flow(nnrp_conn *c, const nnrp_header *h, const nnrp_flow_update_meta *m, int applied,
                   void *user) {
  (void)c, (void)h, (void)m;
  cpair_side *s = user;
  if (s->flow_count < CPAIR_MAX) s->flow_applied[s->flow_count] = applied;
  s->flow_count++;
  return 0;
}

static int on_hint(nnrp_conn *c, const nnrp_header *h, const nnrp_result_hint_meta *m, void *user) {
  (void)c, (void)h, (void)m;
  ((cpair_side *)user)->hint_count++;
  return 0;
}

static int on_cache_ack(nnrp_conn *c, const nnrp_cache_ack_meta *m, int for_invalidate,
                        void *user) {
  (void)c, (void)for_invalidate;
  cpair_side *s = user;
  s->last_ack = *m;
  s->ack_count++;
  return 0;
}

/* The callbacks see a side; the auto-reply needs the pair and its clock.  One pair runs at a
 * time (the adapter runs its cases one after the other). */
static cpair *current;
static cpair *pair_of(nnrp_conn *c) {
  return current && (current->s.conn == c || current->c.conn == c) ? current : NULL;
}

void cpair_settings(nnrp_settings *s) {
  nnrp_settings_default(s, NNRP_ROLE_CLIENT);
  s->client.hello.max_lane_count = 4;
  s->client.hello.latency_budget_ms = 60000;
  s->server.max_lane_count = 4;
  s->server.max_concurrent_frames = 8;
  s->server.cache_object_bitmap = 0x7;
  s->server.max_cache_entries = 4;
  s->server.max_cache_bytes = 4096;
  s->client.hello.supported_payload_kind_bitmap = NNRP_PAYLOAD_KNOWN;
  s->server.payload_kind_bitmap = NNRP_PAYLOAD_KNOWN;
}

int cpair_open(cpair *p, const nnrp_settings *settings) {
  memset(p, 0, sizeof *p);
  p->now = 1000000;
  nnrp_settings st;
  if (!settings) {
    cpair_settings(&st);
    settings = &st;
  }
  nnrp_callbacks cb;
  nnrp_callbacks_init(&cb);
  cb.recv_result = on_result;
  cb.frame_closed = on_frame_closed;
  cb.recv_submit = on_submit;
  cb.recv_flow_update = on_flow;
  cb.recv_result_hint = on_hint;
  cb.recv_cache_ack = on_cache_ack;
  int rc = nnrp_conn_client_new(&p->c.conn, settings, &cb, NULL, &p->c);
  if (rc == 0) rc = nnrp_conn_server_new(&p->s.conn, settings, &cb, NULL, &p->s);
  current = p;
  if (rc == 0) rc = nnrp_conn_connect(p->c.conn, p->now);
  if (rc == 0) cpair_flush(p);
  if (rc == 0 && (nnrp_conn_state(p->c.conn) != NNRP_STATE_ACTIVE ||
                  nnrp_conn_state(p->s.conn) != NNRP_STATE_ACTIVE))
    rc = NNRP_ERR_INVALID_STATE;
  if (rc) cpair_close(p);
  return rc;
}

void cpair_close(cpair *p) {
  nnrp_conn_del(p->c.conn);
  nnrp_conn_del(p->s.conn);
  p->c.conn = p->s.conn = NULL;
  if (current == p) current = NULL;
}

/* Move one side's queued packets to the other; how many moved. */
static size_t pump(cpair *p, cpair_side *from, cpair_side *to) {
  static uint8_t buf[1 << 16];
  size_t n = 0;
  nnrp_output out;
  while (nnrp_conn_output_peek(from->conn, &out) > 0) {
    size_t len = 0;
    for (size_t i = 0; i < out.iov_count && len + out.iov[i].len <= sizeof buf; i++) {
      memcpy(buf + len, out.iov[i].base, out.iov[i].len);
      len += out.iov[i].len;
    }
    nnrp_conn_output_pop(from->conn);
    n++;
    if (len > 6) from->sent[buf[6]]++;
    if (len > 6 && buf[6] == NNRP_MSG_ERROR && len >= NNRP_HEADER_LEN + NNRP_ERROR_META_LEN)
      nnrp_error_meta_decode(&from->last_error_sent, buf + NNRP_HEADER_LEN, NNRP_ERROR_META_LEN,
                             0);
    int rc = nnrp_conn_read_packet(to->conn, buf, len, p->now);
    if (rc && !to->read_rc) to->read_rc = rc;
  }
  return n;
}

void cpair_flush(cpair *p) {
  current = p;
  for (int i = 0; i < 1000; i++)
    if (pump(p, &p->c, &p->s) + pump(p, &p->s, &p->c) == 0) break;
}

uint32_t cpair_submit(cpair *p, uint8_t budget_policy) {
  nnrp_frame_submit_input in;
  nnrp_frame_submit_input_init(&in);
  in.src_width = in.src_height = 64;
  in.tile_width = in.tile_height = 32;
  in.budget_policy = budget_policy;
  uint32_t id = 0;
  return nnrp_conn_submit(p->c.conn, &in, 0, NULL, &id, p->now) == 0 ? id : 0;
}

const nnrp_frame_outcome *cpair_outcome(const cpair_side *s, uint32_t frame_id) {
  for (size_t i = s->outcome_count; i-- > 0;)
    if (s->outcomes[i].frame_id == frame_id) return &s->outcomes[i];
  return NULL;
}

const cpair_result *cpair_result_of(const cpair_side *s, uint32_t frame_id) {
  for (size_t i = s->result_count; i-- > 0;)
    if (s->results[i].frame_id == frame_id) return &s->results[i];
  return NULL;
}
