/*
 * The client (io.h): one session engine, the connection(s) of its paths, the result router,
 * and blocking calls that run the loop until their condition holds.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "client_int.h"

void nnrp_client_options_default(nnrp_client_options *o) {
  memset(o, 0, sizeof *o);
  o->version = NNRP_IO_OPTIONS_VERSION;
  o->host = "127.0.0.1";
  o->transport = NNRP_TRANSPORT_TCP;
  nnrp_settings_default(&o->settings, NNRP_ROLE_CLIENT);
  o->connect_timeout_ms = 10000;
  o->idle_timeout_ms = 120000;
  o->quic_keepalive_ms = 10000;
  o->probe_samples = NNRP_PROBE_DEFAULT_SAMPLES;
  o->probe_payload_bytes = NNRP_PROBE_DEFAULT_PAYLOAD_BYTES;
  o->probe_timeout_ms = NNRP_PROBE_DEFAULT_TIMEOUT_MS;
  o->policy = NNRP_TRANSPORT_POLICY_AUTO;
}

void nnrpi_client_settings(const nnrp_client_options *o, uint32_t transport, nnrp_settings *s) {
  *s = o->settings;
  s->transport_id = transport;
}

/* ---- engine callbacks ----------------------------------------------------------------------- */

static int cb_handshake(nnrp_conn *conn, const nnrp_negotiated *neg, void *user) {
  (void)conn, (void)neg;
  ((nnrp_client *)user)->handshake_done = 1;
  return 0;
}

static int cb_result(nnrp_conn *conn, const nnrp_result *r, void *user) {
  (void)conn;
  nnrp_client *c = user;
  return nnrpi_router_result(c->router, r) == 0 ? 0 : -1;
}

static int cb_frame_closed(nnrp_conn *conn, const nnrp_frame_outcome *o, void *user) {
  (void)conn;
  nnrp_client *c = user;
  return nnrpi_router_outcome(c->router, o) == 0 ? 0 : -1;
}

static int cb_flow(nnrp_conn *conn, const nnrp_header *h, const nnrp_flow_update_meta *m,
                   int applied, void *user) {
  (void)conn, (void)h, (void)applied;
  nnrp_client *c = user;
  c->flow_updates++;
  c->last_flow = *m;
  return 0;
}

static int cb_cache_ack(nnrp_conn *conn, const nnrp_cache_ack_meta *m, int inv, void *user) {
  (void)conn, (void)inv;
  nnrp_client *c = user;
  c->cache_acks++;
  c->last_cache_ack = *m;
  return 0;
}

static int cb_probe_ack(nnrp_conn *conn, const nnrp_probe_sample *sample, void *user) {
  (void)conn;
  nnrp_client *c = user;
  c->probe = *sample;
  c->probe_done = 1;
  return 0;
}

static int cb_migration(nnrp_conn *conn, const nnrp_migration_info *info, void *user) {
  (void)conn;
  nnrp_client *c = user;
  c->migration = *info;
  c->migration_done = 1;
  if (info->accepted) c->transport = info->new_transport_id;
  return 0;
}

static int cb_path_closed(nnrp_conn *conn, uint32_t path, void *user) {
  (void)conn;
  nnrp_client *c = user;
  nnrpi_link *l = nnrpi_link_find(&c->sess, path);
  if (l) nnrpi_link_close(l, 1);
  return 0;
}

static int cb_closed(nnrp_conn *conn, const nnrp_close_info *info, void *user) {
  (void)conn;
  nnrp_client *c = user;
  c->closed = 1;
  c->close_info = *info;
  for (nnrpi_link *l = c->sess.links; l; l = l->next) nnrpi_link_close(l, 1);
  return 0;
}

static void op_link_open(nnrpi_sess *s, nnrpi_link *l) {
  nnrp_client *c = (nnrp_client *)s;
  if (l == c->pending_link) c->pending_open = 1;
}

static void op_link_gone(nnrpi_sess *s, nnrpi_link *l) {
  nnrp_client *c = (nnrp_client *)s;
  if (l == c->pending_link) {
    c->pending_link = NULL;
    c->link_error = l->err ? l->err : NNRP_ERR_TRANSPORT_LOST;
  }
  if (!c->handshake_done && !c->link_error)
    c->link_error = l->err ? l->err : NNRP_ERR_TRANSPORT_LOST;
}

static const nnrpi_sess_ops client_ops = {op_link_open, op_link_gone, NULL};

static void client_callbacks(nnrp_callbacks *cb) {
  nnrp_callbacks_init(cb);
  cb->handshake_completed = cb_handshake;
  cb->recv_result = cb_result;
  cb->frame_closed = cb_frame_closed;
  cb->recv_flow_update = cb_flow;
  cb->recv_cache_ack = cb_cache_ack;
  cb->recv_probe_ack = cb_probe_ack;
  cb->migration = cb_migration;
  cb->path_closed = cb_path_closed;
  cb->closed = cb_closed;
}

/* ---- construction and connection ------------------------------------------------------------ */

static char *dup_or_null(const char *s) {
  return s ? strdup(s) : NULL;
}

int nnrpi_client_new(nnrp_client **pc, nnrp_loop *loop, const nnrp_client_options *o) {
  if (!pc || !loop || !o || o->version == 0 || o->version > NNRP_IO_OPTIONS_VERSION)
    return NNRP_ERR_INVALID_ARGUMENT;
  nnrp_client *c = calloc(1, sizeof *c);
  if (!c) return NNRP_ERR_NOMEM;
  nnrpi_sess_init(&c->sess, loop, &client_ops);
  c->loop = loop;
  c->opt = *o;
  c->host = strdup(o->host ? o->host : "127.0.0.1");
  c->server_name = dup_or_null(o->tls.server_name);
  c->ca_file = dup_or_null(o->tls.ca_file);
  c->opt.host = c->host;
  c->opt.tls.server_name = c->server_name;
  c->opt.tls.ca_file = c->ca_file;
  c->opt.tls.cert_file = c->opt.tls.key_file = NULL;
  if (!c->opt.tcp_port) c->opt.tcp_port = o->quic_port;
  if (!c->opt.quic_port) c->opt.quic_port = o->tcp_port;
  c->sess.idle_timeout_ms = o->idle_timeout_ms;
  if (!c->host || nnrpi_router_init(&c->router) != 0) {
    nnrp_client_free(c);
    return NNRP_ERR_NOMEM;
  }
  *pc = c;
  return 0;
}

int nnrpi_client_wait(nnrp_client *c, int (*done)(nnrp_client *c, void *arg), void *arg,
                      int timeout_ms) {
  if (nnrpi_loop_dispatching(c->loop)) return NNRP_ERR_INVALID_STATE;
  nnrp_tstamp end =
      timeout_ms < 0 ? NNRP_TSTAMP_NEVER : nnrp_now() + (nnrp_tstamp)timeout_ms * 1000u;
  for (;;) {
    int r = done(c, arg);
    if (r) return r > 0 ? 0 : r;
    nnrp_tstamp now = nnrp_now();
    if (now >= end) return NNRP_ERR_TIMEOUT;
    int wait = end == NNRP_TSTAMP_NEVER ? -1 : (int)((end - now + 999) / 1000);
    int rc = nnrp_loop_run_once(c->loop, wait);
    if (rc < 0) return rc;
  }
}

static int link_ready(nnrp_client *c, void *arg) {
  (void)arg;
  if (c->pending_open) return 1;
  if (!c->pending_link) return c->link_error ? c->link_error : NNRP_ERR_CONNECT;
  return 0;
}

int nnrpi_client_start_link(nnrp_client *c, uint32_t path, uint32_t transport, int timeout_ms) {
  uint16_t port = transport == NNRP_TRANSPORT_QUIC ? c->opt.quic_port : c->opt.tcp_port;
  struct sockaddr_storage ss;
  socklen_t len;
  int rc = nnrpi_resolve(c->host, port, transport == NNRP_TRANSPORT_QUIC, &ss, &len);
  if (rc) return rc;
  int tls = transport == NNRP_TRANSPORT_TCP && c->opt.tcp_tls;
  if (tls && !c->tls_ctx && (rc = nnrpi_tls_ctx_client(&c->tls_ctx, &c->opt.tls, c->host)) != 0)
    return rc;
  nnrpi_quic_tls qtls = {.ca_file = c->ca_file,
                         .server_name = c->server_name ? c->server_name : c->host,
                         .insecure_skip_verify = c->opt.tls.insecure_skip_verify};
  nnrpi_quic_settings qset;
  nnrpi_quic_settings_default(&qset);
  qset.idle_timeout_us = (uint64_t)c->opt.idle_timeout_ms * 1000u;
  qset.keepalive_us = (uint64_t)c->opt.quic_keepalive_ms * 1000u;
  if (c->opt.settings.max_packet_bytes) qset.max_packet_len = c->opt.settings.max_packet_bytes;
  c->pending_open = 0;
  c->link_error = 0;
  nnrp_tstamp deadline = nnrp_now() + (nnrp_tstamp)timeout_ms * 1000u;
  return nnrpi_link_connect(&c->sess, path, transport, tls, (struct sockaddr *)&ss, len, c->tls_ctx,
                            &qtls, &qset, deadline, &c->pending_link);
}

int nnrpi_client_open_link(nnrp_client *c, uint32_t path, uint32_t transport, int timeout_ms,
                           nnrpi_link **pl) {
  int rc = nnrpi_client_start_link(c, path, transport, timeout_ms);
  if (rc) return rc;
  nnrpi_link *l = c->pending_link;
  rc = nnrpi_client_wait(c, link_ready, NULL, timeout_ms);
  c->pending_link = NULL;
  if (rc) {
    if (rc == NNRP_ERR_TIMEOUT && nnrpi_link_find(&c->sess, path) == l) nnrpi_link_close(l, 0);
    return rc;
  }
  if (pl) *pl = l;
  return 0;
}

static int handshake_over(nnrp_client *c, void *arg) {
  (void)arg;
  if (c->handshake_done) return 1;
  if (c->closed) {
    if (c->close_info.cause == NNRP_CLOSE_ERROR_RECEIVED) return NNRP_ERR_PEER_ERROR;
    return c->close_info.error ? c->close_info.error : NNRP_ERR_CLOSED;
  }
  if (c->link_error) return c->link_error;
  return 0;
}

int nnrpi_client_engine(nnrp_client *c, const nnrp_settings *settings, uint32_t transport) {
  nnrp_callbacks cb;
  client_callbacks(&cb);
  nnrp_settings s = *settings;
  s.transport_id = transport;
  c->transport = transport;
  return nnrp_conn_client_new(&c->sess.conn, &s, &cb, NULL, c);
}

int nnrpi_client_connect_with(nnrp_client **pc, nnrp_loop *loop, const nnrp_client_options *o,
                              const nnrp_settings *settings, uint32_t transport) {
  if (transport != NNRP_TRANSPORT_TCP && transport != NNRP_TRANSPORT_QUIC)
    return NNRP_ERR_INVALID_ARGUMENT;
  nnrp_client *c;
  int rc = nnrpi_client_new(&c, loop, o);
  if (rc) return rc;
  if ((rc = nnrpi_client_engine(c, settings, transport)) != 0) goto fail;
  nnrp_tstamp start = nnrp_now();
  int timeout = (int)o->connect_timeout_ms;
  if ((rc = nnrpi_client_open_link(c, 0, transport, timeout, NULL)) != 0) goto fail;
  c->sess.pumping++;
  rc = nnrp_conn_connect(c->sess.conn, nnrp_now());
  c->sess.pumping--;
  if (rc) goto fail;
  nnrpi_sess_flush(&c->sess);
  int left = timeout - (int)((nnrp_now() - start) / 1000u);
  if ((rc = nnrpi_client_wait(c, handshake_over, NULL, left > 0 ? left : 0)) != 0) goto fail;
  *pc = c;
  return 0;
fail:
  nnrp_client_free(c);
  return rc;
}

int nnrp_client_connect(nnrp_client **pc, nnrp_loop *loop, const nnrp_client_options *o) {
  if (!o) return NNRP_ERR_INVALID_ARGUMENT;
  nnrp_settings s;
  nnrpi_client_settings(o, o->transport, &s);
  return nnrpi_client_connect_with(pc, loop, o, &s, o->transport);
}

void nnrp_client_free(nnrp_client *c) {
  if (!c) return;
  nnrpi_timer_set(c->loop, &c->sess.timer, NNRP_TSTAMP_NEVER);
  nnrpi_sess_drop_links(&c->sess);
  if (c->sess.conn) nnrp_conn_del(c->sess.conn);
  nnrpi_router_free(c->router);
  nnrpi_tls_ctx_free(c->tls_ctx);
  free(c->host);
  free(c->server_name);
  free(c->ca_file);
  free(c);
}

/* ---- operations ----------------------------------------------------------------------------- */

nnrp_conn *nnrp_client_conn(nnrp_client *c) {
  return c->sess.conn;
}
uint32_t nnrp_client_transport(const nnrp_client *c) {
  return c->transport;
}
nnrp_session_state nnrp_client_state(const nnrp_client *c) {
  return c->sess.conn ? nnrp_conn_state(c->sess.conn) : NNRP_STATE_CLOSED;
}
nnrp_close_info nnrp_client_close_info(const nnrp_client *c) {
  return c->close_info;
}
size_t nnrp_client_buffered(const nnrp_client *c) {
  return nnrpi_router_count(c->router);
}

/* Run one engine call with the pump held, then write what it queued. */
#define ENGINE_CALL(c, expr)      \
  do {                            \
    (c)->sess.pumping++;          \
    rc = (expr);                  \
    (c)->sess.pumping--;          \
    nnrpi_sess_flush(&(c)->sess); \
  } while (0)

int nnrp_client_submit(nnrp_client *c, const nnrp_frame_submit_input *in, uint32_t flags,
                       uint32_t *frame_id) {
  int rc;
  ENGINE_CALL(c, nnrp_conn_submit(c->sess.conn, in, flags, NULL, frame_id, nnrp_now()));
  return rc;
}

static int can_submit(nnrp_client *c, void *arg) {
  (void)arg;
  int rc = nnrp_conn_can_submit(c->sess.conn, nnrp_now());
  if (rc == 0) return 1;
  if (c->closed) return NNRP_ERR_CLOSED;
  return 0;
}

int nnrp_client_wait_writable(nnrp_client *c, int timeout_ms) {
  int rc = nnrpi_client_wait(c, can_submit, NULL, timeout_ms);
  if (rc == NNRP_ERR_TIMEOUT) {
    int why = nnrp_conn_can_submit(c->sess.conn, nnrp_now());
    if (why) rc = why;
  }
  return rc;
}

typedef struct want {
  uint32_t frame_id;
  uint16_t view_id;
  int any;
  nnrp_client_result *got;
} want;

static int result_ready(nnrp_client *c, void *arg) {
  want *w = arg;
  w->got = nnrpi_router_take(c->router, w->frame_id, w->view_id, w->any);
  if (w->got) return 1;
  if (c->closed || !c->sess.conn) return NNRP_ERR_CLOSED;
  return 0;
}

int nnrp_client_wait_result(nnrp_client *c, uint32_t frame_id, uint16_t view_id, int timeout_ms,
                            nnrp_client_result **out) {
  want w = {frame_id, view_id, 0, NULL};
  int rc = nnrpi_client_wait(c, result_ready, &w, timeout_ms);
  *out = w.got;
  return rc;
}

int nnrp_client_next_result(nnrp_client *c, int timeout_ms, nnrp_client_result **out) {
  want w = {0, 0, 1, NULL};
  int rc = nnrpi_client_wait(c, result_ready, &w, timeout_ms);
  *out = w.got;
  return rc;
}

int nnrp_client_try_result(nnrp_client *c, uint32_t frame_id, uint16_t view_id,
                           nnrp_client_result **out) {
  *out = nnrpi_router_take(c->router, frame_id, view_id, 0);
  return *out ? 0 : NNRP_ERR_WOULD_BLOCK;
}

int nnrp_client_cancel(nnrp_client *c, uint32_t frame_id, uint16_t view_id) {
  int rc;
  ENGINE_CALL(c, nnrp_conn_cancel(c->sess.conn, frame_id, view_id, nnrp_now()));
  return rc;
}

int nnrp_client_flow_update(nnrp_client *c, const nnrp_flow_update_meta *m) {
  int rc;
  ENGINE_CALL(c, nnrp_conn_send_flow_update(c->sess.conn, m, nnrp_now()));
  return rc;
}

uint64_t nnrp_client_flow_updates(const nnrp_client *c, nnrp_flow_update_meta *last) {
  if (last) *last = c->last_flow;
  return c->flow_updates;
}

static int flow_seen(nnrp_client *c, void *arg) {
  if (c->flow_updates > *(uint64_t *)arg) return 1;
  return c->closed ? NNRP_ERR_CLOSED : 0;
}

int nnrp_client_wait_flow_update(nnrp_client *c, uint64_t seen, int timeout_ms) {
  return nnrpi_client_wait(c, flow_seen, &seen, timeout_ms);
}

static int cache_acked(nnrp_client *c, void *arg) {
  if (c->cache_acks > *(uint64_t *)arg) return 1;
  return c->closed ? NNRP_ERR_CLOSED : 0;
}

int nnrp_client_cache_put(nnrp_client *c, const nnrp_cache_put_meta *m, nnrp_vec object,
                          int timeout_ms, nnrp_cache_ack_meta *ack) {
  uint64_t seen = c->cache_acks;
  int rc;
  ENGINE_CALL(c, nnrp_conn_cache_put(c->sess.conn, m, object, nnrp_now()));
  if (rc) return rc;
  rc = nnrpi_client_wait(c, cache_acked, &seen, timeout_ms);
  if (rc == 0 && ack) *ack = c->last_cache_ack;
  return rc;
}

int nnrp_client_cache_invalidate(nnrp_client *c, const nnrp_cache_invalidate_meta *m,
                                 int timeout_ms, nnrp_cache_ack_meta *ack) {
  uint64_t seen = c->cache_acks;
  int rc;
  ENGINE_CALL(c, nnrp_conn_cache_invalidate(c->sess.conn, m, nnrp_now()));
  if (rc) return rc;
  rc = nnrpi_client_wait(c, cache_acked, &seen, timeout_ms);
  if (rc == 0 && ack) *ack = c->last_cache_ack;
  return rc;
}

static int never(nnrp_client *c, void *arg) {
  (void)c, (void)arg;
  return 0;
}

int nnrp_client_run(nnrp_client *c, int timeout_ms) {
  int rc = nnrpi_client_wait(c, never, NULL, timeout_ms);
  return rc == NNRP_ERR_TIMEOUT ? 0 : rc;
}

static int closed_and_quiet(nnrp_client *c, void *arg) {
  (void)arg;
  return c->closed && !c->sess.links;
}

int nnrp_client_close(nnrp_client *c, const char *reason, int timeout_ms) {
  if (!c->sess.conn) return NNRP_ERR_CLOSED;
  nnrp_vec why = {(const uint8_t *)(reason ? reason : ""), reason ? strlen(reason) : 0};
  int rc;
  if (!c->closed) {
    ENGINE_CALL(c, nnrp_conn_close(c->sess.conn, why, nnrp_now()));
    if (rc && rc != NNRP_ERR_CLOSED) return rc;
  }
  rc = nnrpi_client_wait(c, closed_and_quiet, NULL, timeout_ms);
  if (rc == NNRP_ERR_TIMEOUT) { /* cut what is left */
    if (!c->closed) {
      ENGINE_CALL(c, nnrp_conn_close(c->sess.conn, why, nnrp_now()));
    }
    nnrpi_sess_drop_links(&c->sess);
    return NNRP_ERR_TIMEOUT;
  }
  return rc;
}
