/*
 * Session engine: transport probing on an INIT connection and session migration without
 * sockets (transport §4.2, §5.2-§5.4): the client's path generations, the server's adoption of
 * a live session by a fresh conn, the resume floor, the grace window and the failure paths.
 */
#include "conn_pair.h"
#include "test.h"

typedef struct env {
  conn_pair p;
  nnrp_conn *s2;        /* the server conn of the new connection */
  uint32_t gen;         /* the client's new path generation */
  int drop_old_results; /* lose server results written on the old path */
  uint8_t held[4096];   /* old-path bytes written but not yet delivered */
  size_t held_len;
  int hold_old;
} env;

static int env_start(env *e) {
  memset(e, 0, sizeof(*e));
  nnrp_settings cs, ss, s2;
  nnrp_settings_default(&cs, NNRP_ROLE_CLIENT);
  nnrp_settings_default(&ss, NNRP_ROLE_SERVER);
  cs.transport_id = ss.transport_id = NNRP_TRANSPORT_QUIC;
  ss.server.max_concurrent_frames = 8;
  ss.server.server_flags = NNRP_SERVER_SESSION_RESUME;
  s2 = ss;
  s2.transport_id = NNRP_TRANSPORT_TCP;
  if (pair_init(&e->p, &cs, &ss) < 0) return -1;
  if (nnrp_conn_server_new(&e->s2, &s2, &e->p.callbacks, NULL, &e->p) < 0) return -1;
  return pair_handshake(&e->p);
}

static void env_free(env *e) {
  nnrp_conn_del(e->s2);
  pair_free(&e->p);
}

/* Move packets: client path 0 -> s, path gen -> s2, s -> client path 0, s2 -> client gen. */
static void route(env *e) {
  conn_pair *p = &e->p;
  uint8_t buf[8192];
  for (int round = 0; round < 100; round++) {
    int moved = 0;
    nnrp_output o;
    while (nnrp_conn_output_peek(p->c.conn, &o) == 1) {
      size_t n = 0;
      for (size_t i = 0; i < o.iov_count; i++, n += o.iov[i - 1].len)
        memcpy(buf + n, o.iov[i].base, o.iov[i].len);
      uint32_t path = o.path;
      nnrp_conn_output_pop(p->c.conn);
      nnrp_conn_read_packet(path == 0 ? p->s.conn : e->s2, buf, n, p->now);
      moved = 1;
    }
    while (nnrp_conn_output_peek(p->s.conn, &o) == 1) {
      size_t n = 0;
      for (size_t i = 0; i < o.iov_count; i++, n += o.iov[i - 1].len)
        memcpy(buf + n, o.iov[i].base, o.iov[i].len);
      nnrp_conn_output_pop(p->s.conn);
      if (e->hold_old) {
        memcpy(e->held + e->held_len, buf, n);
        e->held_len += n;
      } else if (!e->drop_old_results) {
        nnrp_conn_read_path(p->c.conn, 0, buf, n, NNRP_READ_WHOLE_PACKETS, p->now);
      }
      moved = 1;
    }
    while (nnrp_conn_output_peek(e->s2, &o) == 1) {
      size_t n = 0;
      for (size_t i = 0; i < o.iov_count; i++, n += o.iov[i - 1].len)
        memcpy(buf + n, o.iov[i].base, o.iov[i].len);
      nnrp_conn_output_pop(e->s2);
      nnrp_conn_read_path(p->c.conn, e->gen, buf, n, NNRP_READ_WHOLE_PACKETS, p->now);
      moved = 1;
    }
    if (!moved) break;
  }
}

static int submit(env *e, uint32_t *id) {
  nnrp_frame_submit_input in;
  pair_submit_input(&in);
  in.latency_budget_ms = 60000; /* no deadline within these tests */
  return nnrp_conn_submit(e->p.c.conn, &in, 0, NULL, id, e->p.now);
}

static int reply(nnrp_conn *server, uint32_t frame_id, nnrp_tstamp now) {
  nnrp_result_push_input r;
  pair_result_input(&r, frame_id, 0);
  return nnrp_conn_send_result(server, &r, 0, now);
}

static void migration_accepted(void) {
  env e;
  CHECK_RC(env_start(&e), 0);
  conn_pair *p = &e.p;
  uint32_t ids[3];
  for (int i = 0; i < 3; i++) CHECK_RC(submit(&e, &ids[i]), 0);
  route(&e);
  CHECK_RC(reply(p->s.conn, ids[0], p->now), 0);
  route(&e);
  CHECK_EQ(p->c.result_count, 1);

  CHECK_RC(nnrp_conn_migrate_begin(p->c.conn, NNRP_TRANSPORT_QUIC, 0, p->now, NULL),
           NNRP_ERR_INVALID_ARGUMENT); /* same binding */
  CHECK_RC(nnrp_conn_migrate_begin(p->c.conn, NNRP_TRANSPORT_TCP, 7, p->now, &e.gen), 0);
  CHECK_EQ(e.gen, 1);
  CHECK_RC(nnrp_conn_migrate_begin(p->c.conn, NNRP_TRANSPORT_TCP, 7, p->now, NULL),
           NNRP_ERR_INVALID_STATE);
  nnrp_output o;
  CHECK_EQ(nnrp_conn_output_peek(p->c.conn, &o), 1);
  CHECK_EQ(o.msg_type, NNRP_MSG_SESSION_MIGRATE);
  CHECK_EQ(o.path, 1);
  route(&e);
  /* The fresh server conn asked for the session; the host adopts it. */
  CHECK_EQ(p->s.migrate_requests, 1);
  CHECK_EQ(nnrp_conn_state(e.s2), NNRP_STATE_INIT);
  p->now += 2000;
  CHECK_RC(nnrp_conn_migrate_adopt(e.s2, p->s.conn, p->now), 0);
  CHECK_EQ(nnrp_conn_state(e.s2), NNRP_STATE_ACTIVE);
  CHECK_EQ(nnrp_conn_session_id(e.s2), 1);
  CHECK_EQ(nnrp_conn_session_id(p->s.conn), 0);
  CHECK_EQ(nnrp_conn_in_flight(e.s2), 2);
  CHECK_EQ(nnrp_conn_state(p->s.conn), NNRP_STATE_DRAINING);
  route(&e);
  CHECK_EQ(p->c.migrations, 1);
  CHECK(p->c.last_migration.accepted);
  CHECK_EQ(p->c.last_migration.resume_from_frame_id, ids[1]);
  CHECK_EQ(p->c.last_migration.grace_window_ms, 1000);
  CHECK_EQ(p->c.last_migration.last_result_frame_id, ids[0]);
  CHECK_EQ(p->c.last_migration.trigger, 7);
  CHECK_EQ(p->c.last_migration.duration_us, 2000);
  CHECK_EQ(p->c.last_migration.frames_below_floor, 0);
  CHECK_EQ(nnrp_conn_path(p->c.conn), 1);
  CHECK_EQ(nnrp_conn_transport_id(p->c.conn), NNRP_TRANSPORT_TCP);
  /* New frames continue the counter on the new path; old frames finish there too. */
  uint32_t next;
  CHECK_RC(submit(&e, &next), 0);
  CHECK_EQ(next, ids[2] + 1);
  CHECK_EQ(nnrp_conn_output_peek(p->c.conn, &o), 1);
  CHECK_EQ(o.path, 1);
  route(&e);
  CHECK_RC(reply(e.s2, ids[1], p->now), 0);
  CHECK_RC(reply(e.s2, ids[2], p->now), 0);
  CHECK_RC(reply(e.s2, next, p->now), 0);
  route(&e);
  CHECK_EQ(p->c.result_count, 4);
  CHECK_EQ(nnrp_conn_in_flight(p->c.conn), 0);
  /* The old path and the old server conn end with the grace window. */
  p->now += 1000000;
  CHECK_RC(nnrp_conn_handle_expiry(p->c.conn, p->now), 0);
  CHECK_RC(nnrp_conn_handle_expiry(p->s.conn, p->now), 0);
  CHECK_EQ(p->c.closed_path_count, 1);
  CHECK_EQ(p->c.closed_paths[0], 0);
  CHECK_EQ(nnrp_conn_state(p->s.conn), NNRP_STATE_CLOSED);
  CHECK_EQ(p->s.close_info.cause, NNRP_CLOSE_MIGRATED);
  CHECK_EQ(nnrp_conn_state(p->c.conn), NNRP_STATE_ACTIVE);
  env_free(&e);
}

static void frames_below_floor(void) {
  env e;
  CHECK_RC(env_start(&e), 0);
  conn_pair *p = &e.p;
  uint32_t ids[3];
  for (int i = 0; i < 3; i++) CHECK_RC(submit(&e, &ids[i]), 0);
  route(&e);
  /* Results for 1 and 2 are on the old wire; 1 arrives late, 2 is lost. */
  e.hold_old = 1;
  CHECK_RC(reply(p->s.conn, ids[0], p->now), 0);
  route(&e);
  size_t first_len = e.held_len;
  CHECK_RC(reply(p->s.conn, ids[1], p->now), 0);
  route(&e);
  e.hold_old = 0;
  CHECK_RC(nnrp_conn_migrate_begin(p->c.conn, NNRP_TRANSPORT_TCP, 0, p->now, &e.gen), 0);
  route(&e);
  CHECK_RC(nnrp_conn_migrate_adopt(e.s2, p->s.conn, p->now), 0);
  route(&e);
  CHECK_EQ(p->c.last_migration.resume_from_frame_id, ids[2]);
  CHECK_EQ(p->c.last_migration.frames_below_floor, 2);
  /* The floor refuses old explicit ids. */
  nnrp_frame_submit_input in;
  pair_submit_input(&in);
  in.packet.frame_id = ids[2] - 1;
  CHECK_RC(nnrp_conn_submit(p->c.conn, &in, 0, NULL, NULL, p->now), NNRP_ERR_FRAME_ID);
  /* The late result on the old path (grace) is delivered. */
  CHECK_RC(nnrp_conn_read_path(p->c.conn, 0, e.held, first_len, NNRP_READ_WHOLE_PACKETS, p->now),
           0);
  CHECK_EQ(p->c.result_count, 1);
  CHECK_EQ(p->c.results[0].frame_id, ids[0]);
  /* Grace over: frame 2 is DROPPED with the migration reason, not an error. */
  p->now += 1000000;
  CHECK_RC(nnrp_conn_handle_expiry(p->c.conn, p->now), 0);
  CHECK_EQ(p->c.outcome_count, 2);
  CHECK_EQ(p->c.outcomes[1].frame_id, ids[1]);
  CHECK_EQ(p->c.outcomes[1].outcome, NNRP_OUTCOME_DROPPED);
  CHECK_EQ(p->c.outcomes[1].reason, NNRP_DROP_MIGRATION);
  CHECK_EQ(p->c.outcomes[1].cause, NNRP_CAUSE_MIGRATION);
  CHECK_EQ(nnrp_conn_in_flight(p->c.conn), 1);
  CHECK_EQ(strcmp(nnrp_drop_reason_name(NNRP_DROP_MIGRATION), "migration"), 0);
  env_free(&e);
}

static void migration_rejected(void) {
  env e;
  CHECK_RC(env_start(&e), 0);
  conn_pair *p = &e.p;
  CHECK_RC(nnrp_conn_migrate_begin(p->c.conn, NNRP_TRANSPORT_TCP, 0, p->now, &e.gen), 0);
  route(&e);
  /* The live session is no longer ACTIVE: code 2. */
  e.drop_old_results = 1; /* the old connection's CLOSE never reaches the client */
  CHECK_RC(nnrp_conn_close(p->s.conn, (nnrp_vec){NULL, 0}, p->now), 0);
  CHECK_RC(nnrp_conn_migrate_adopt(e.s2, p->s.conn, p->now), NNRP_ERR_MIGRATE_REJECTED);
  CHECK_EQ(nnrp_conn_state(e.s2), NNRP_STATE_CLOSED);
  route(&e);
  CHECK_EQ(p->c.migrations, 1);
  CHECK(!p->c.last_migration.accepted);
  CHECK_EQ(p->c.last_migration.accept_code, 2);
  CHECK_EQ(p->c.last_migration.error, NNRP_ERR_MIGRATE_REJECTED);
  CHECK_EQ(p->c.closed_path_count, 1);
  CHECK_EQ(p->c.closed_paths[0], e.gen);
  CHECK_EQ(nnrp_conn_path(p->c.conn), 0);
  env_free(&e);
}

static void migration_unknown_session_and_timeout(void) {
  env e;
  CHECK_RC(env_start(&e), 0);
  conn_pair *p = &e.p;
  CHECK_RC(nnrp_conn_migrate_begin(p->c.conn, NNRP_TRANSPORT_TCP, 0, p->now, &e.gen), 0);
  route(&e);
  CHECK_RC(nnrp_conn_migrate_reject(e.s2, 1, p->now), 0);
  route(&e);
  CHECK_EQ(p->c.last_migration.accept_code, 1);
  CHECK_EQ(nnrp_conn_state(p->c.conn), NNRP_STATE_ACTIVE);
  /* A second attempt nobody answers: timeout, the old path stays primary. */
  uint32_t gen2;
  CHECK_RC(nnrp_conn_migrate_begin(p->c.conn, NNRP_TRANSPORT_TCP, 0, p->now, &gen2), 0);
  CHECK_EQ(gen2, 2);
  CHECK_EQ(nnrp_conn_expiry(p->c.conn), p->now + 10000000);
  p->now += 10000000;
  CHECK_RC(nnrp_conn_handle_expiry(p->c.conn, p->now), 0);
  CHECK_EQ(p->c.migrations, 2);
  CHECK_EQ(p->c.last_migration.error, NNRP_ERR_TIMEOUT);
  CHECK_EQ(p->c.closed_paths[1], gen2);
  /* The unsent SESSION_MIGRATE of the dead path is gone from the queue. */
  nnrp_output o;
  CHECK_EQ(nnrp_conn_output_peek(p->c.conn, &o), 0);
  /* The session carries on. */
  CHECK_RC(submit(&e, NULL), 0);
  CHECK_EQ(nnrp_conn_output_peek(p->c.conn, &o), 1);
  CHECK_EQ(o.path, 0);
  env_free(&e);
}

static void migrate_on_active_connection_is_invalid(void) {
  env e;
  CHECK_RC(env_start(&e), 0);
  conn_pair *p = &e.p;
  nnrp_packet_params pp;
  memset(&pp, 0, sizeof(pp));
  pp.session_id = 1;
  nnrp_session_migrate_meta m = {NNRP_TRANSPORT_QUIC, NNRP_TRANSPORT_TCP, 0, 0};
  uint8_t buf[128];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_session_migrate(&pp, &m, &s), 0);
  pair_inject(p, &p->s, buf, s.len);
  pair_pump(p, &p->s, &p->c);
  long i = pair_last_sent(&p->s, NNRP_MSG_ERROR);
  CHECK(i >= 0);
  nnrp_packet err;
  CHECK_RC(pair_sent_packet(&p->s, i, &err), 0);
  CHECK_EQ(err.meta.error.error_code, NNRP_ERROR_CODE_INVALID_STATE);
  CHECK_EQ(err.meta.error.error_scope, NNRP_SCOPE_SESSION);
  CHECK_EQ(err.meta.error.is_fatal, 0);
  env_free(&e);
}

static void probe_on_init_connection(void) {
  conn_pair p;
  CHECK_RC(pair_init(&p, NULL, NULL), 0);
  CHECK_RC(nnrp_conn_probe(p.c.conn, 77, 2048, p.now), 0);
  pair_pump(&p, &p.c, &p.s);
  p.now += 500;
  pair_pump(&p, &p.s, &p.c);
  CHECK_EQ(p.c.probe_acks, 1);
  CHECK_EQ(p.c.last_probe.probe_id, 77);
  CHECK_EQ(p.c.last_probe.error, 0);
  CHECK_EQ(p.c.last_probe.payload_bytes, 2048);
  CHECK_EQ(p.c.last_probe.rtt_us, 500);
  CHECK((long)p.c.last_probe.throughput == 2048L * 2000);
  CHECK_EQ(p.c.last_probe.server_recv_ts_us, p.now - 500);
  nnrp_packet ack;
  CHECK_RC(pair_sent_packet(&p.s, 0, &ack), 0);
  CHECK_EQ(ack.header.msg_type, NNRP_MSG_TRANSPORT_PROBE_ACK);
  CHECK_EQ(ack.header.session_id, 0);
  nnrp_packet probe;
  CHECK_RC(pair_sent_packet(&p.c, 0, &probe), 0);
  CHECK_EQ(probe.body.len, 2048);
  CHECK_EQ(probe.meta.transport_probe.client_send_ts_us, p.now - 500);
  /* Both stay in INIT; a handshake may follow on the same connection. */
  CHECK_EQ(nnrp_conn_state(p.s.conn), NNRP_STATE_INIT);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_INIT);
  CHECK_RC(pair_handshake(&p), 0);
  CHECK_RC(nnrp_conn_probe(p.c.conn, 78, 16, p.now), NNRP_ERR_INVALID_STATE);
  pair_free(&p);
}

static void probe_correlation_mismatch(void) {
  conn_pair p;
  CHECK_RC(pair_init(&p, NULL, NULL), 0);
  nnrp_packet_params pp;
  memset(&pp, 0, sizeof(pp));
  nnrp_transport_probe_ack_meta a = {999, 0, 5};
  uint8_t buf[128];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_transport_probe_ack(&pp, &a, &s), 0);
  pair_inject(&p, &p.c, buf, s.len);
  CHECK_EQ(p.c.probe_acks, 1);
  CHECK_EQ(p.c.last_probe.error, NNRP_ERR_FRAME_UNKNOWN);
  pair_free(&p);
}

int main(void) {
  RUN(migration_accepted);
  RUN(frames_below_floor);
  RUN(migration_rejected);
  RUN(migration_unknown_session_and_timeout);
  RUN(migrate_on_active_connection_is_invalid);
  RUN(probe_on_init_connection);
  RUN(probe_correlation_mismatch);
  return TEST_REPORT();
}
