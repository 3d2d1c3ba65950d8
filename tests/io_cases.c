/*
 * The loopback cases of the io layer, run over every binding by test_io_tcp, test_io_tls and
 * test_io_quic: a real server in a thread, a real client in the test thread, 127.0.0.1 only,
 * ports chosen by the OS.
 */
#include <string.h>

#include "io_harness.h"
#include "l3_smoke.h"
#include "test.h"

#define T_MS 5000

static nnrp_client *connect_to_idle(io_srv *s, const io_binding *b, uint32_t idle_ms) {
  nnrp_client_options o;
  io_client_options(&o, s, b);
  if (idle_ms) o.idle_timeout_ms = idle_ms;
  nnrp_client *c = NULL;
  nnrp_loop *loop = s->arg;
  int rc = nnrp_client_connect(&c, loop, &o);
  if (rc) fprintf(stderr, "%s: connect: %s\n", b->name, nnrp_err_name(rc));
  return c;
}

static nnrp_client *connect_to(io_srv *s, const io_binding *b) {
  return connect_to_idle(s, b, 0);
}

/* A server and a client loop; s->arg holds the client loop. */
static uint32_t grace_ms; /* server migration grace window, 0 = default */

static int setup(io_srv *s, const io_binding *b, io_submit_fn fn) {
  (void)b;
  io_srv_options(s);
  if (grace_ms) s->opt.settings.server.migrate_grace_window_ms = grace_ms;
  s->on_submit = fn;
  nnrp_loop *loop;
  if (nnrp_loop_new(&loop) != 0) return -1;
  s->arg = loop;
  if (io_srv_start(s) != 0) {
    nnrp_loop_del(loop);
    return -1;
  }
  return 0;
}

static void teardown(io_srv *s, nnrp_client *c) {
  nnrp_loop *loop = s->arg;
  nnrp_client_free(c);
  io_srv_stop(s);
  nnrp_loop_run_once(loop, 0);
  nnrp_loop_del(loop);
}

/* ---- handshake --------------------------------------------------------------------------------
 */

void io_case_handshake(const io_binding *b) {
  io_srv s;
  CHECK(setup(&s, b, NULL) == 0);
  nnrp_client *c = connect_to(&s, b);
  CHECK(c != NULL);
  if (c) {
    CHECK_EQ(nnrp_client_state(c), NNRP_STATE_ACTIVE);
    CHECK_EQ(nnrp_client_transport(c), b->transport);
    const nnrp_negotiated *neg = nnrp_conn_negotiated(nnrp_client_conn(c));
    CHECK(neg != NULL);
    if (neg) {
      CHECK(neg->session_id != 0);
      CHECK_EQ(neg->ack.max_concurrent_frames, 16);
      CHECK_EQ(neg->transport_id, b->transport);
    }
    CHECK(io_wait_count(&s.opened, 1, T_MS));
    /* One submit/result round trip. */
    nnrp_frame_submit_input in;
    io_submit_input(&in);
    uint32_t id = 0;
    CHECK_RC(nnrp_client_submit(c, &in, 0, &id), 0);
    CHECK_EQ(id, 1);
    nnrp_client_result *r = NULL;
    CHECK_RC(nnrp_client_wait_result(c, id, 0, T_MS, &r), 0);
    CHECK(r != NULL);
    if (r) {
      CHECK_EQ(r->outcome, NNRP_OUTCOME_DELIVERED);
      CHECK_EQ(r->result_class, NNRP_RESULT_COMPLETE);
      CHECK(r->has_packet);
      CHECK_EQ(r->packet.header.frame_id, id);
      CHECK_EQ(r->packet.meta.result_push.tile_count, 2);
      nnrp_section_iter it;
      nnrp_section_view sv;
      nnrp_section_iter_init(&it, r->packet.data.sections.base, r->packet.data.sections.len,
                             r->packet.data.section_count);
      CHECK(nnrp_section_iter_next(&it, &sv));
      CHECK_EQ(sv.desc.role_id, 100);
      nnrp_client_result_free(r);
    }
  }
  teardown(&s, c);
}

/* ---- 1 000 frames, results out of order ----------------------------------------------------- */

/* Hold frames and answer them newest first, four at a time (or all on the EOS flag). */
static void answer_held_reverse(io_srv *s) {
  while (s->held_count) {
    s->held_count--;
    nnrp_result_push_input in;
    io_result_input(&in, s->held[s->held_count].frame_id, s->held[s->held_count].view_id);
    nnrp_server_send_result(s->held[s->held_count].ss, &in, 0);
  }
}

static int reverse_submit(io_srv *s, nnrp_server_session *ss, const nnrp_submit *sub) {
  s->held[s->held_count].ss = ss;
  s->held[s->held_count].frame_id = sub->frame_id;
  s->held[s->held_count].view_id = sub->view_id;
  s->held_count++;
  if (s->held_count == 4 || (sub->packet->header.flags & NNRP_FLAG_EOS)) answer_held_reverse(s);
  return 0;
}

void io_case_thousand_frames(const io_binding *b) {
  io_srv s;
  CHECK(setup(&s, b, reverse_submit) == 0);
  nnrp_client *c = connect_to(&s, b);
  CHECK(c != NULL);
  if (!c) {
    teardown(&s, c);
    return;
  }
  enum { N = 1000 };
  static unsigned char seen[N + 1];
  memset(seen, 0, sizeof seen);
  size_t got = 0, out_of_order = 0, max_in_flight = 0, blocked = 0;
  uint32_t last = 0;
  nnrp_frame_submit_input in;
  io_submit_input(&in);
  for (uint32_t i = 1; i <= N; i++) {
    in.packet.flags = i == N ? NNRP_FLAG_EOS : 0;
    uint32_t id = 0;
    int rc;
    while ((rc = nnrp_client_submit(c, &in, 0, &id)) == NNRP_ERR_WOULD_BLOCK) {
      blocked++;
      nnrp_client_result *r = NULL;
      CHECK_RC(nnrp_client_next_result(c, T_MS, &r), 0);
      if (!r) break;
      CHECK_EQ(r->outcome, NNRP_OUTCOME_DELIVERED);
      if (r->frame_id <= N) seen[r->frame_id]++;
      if (r->frame_id < last) out_of_order++;
      last = r->frame_id;
      got++;
      nnrp_client_result_free(r);
    }
    CHECK_RC(rc, 0);
    if (rc) break;
    CHECK_EQ(id, i);
    size_t f = nnrp_conn_in_flight(nnrp_client_conn(c));
    if (f > max_in_flight) max_in_flight = f;
  }
  while (got < N) {
    nnrp_client_result *r = NULL;
    int rc = nnrp_client_next_result(c, T_MS, &r);
    CHECK_RC(rc, 0);
    if (!r) break;
    CHECK_EQ(r->outcome, NNRP_OUTCOME_DELIVERED);
    if (r->frame_id <= N) seen[r->frame_id]++;
    if (r->frame_id < last) out_of_order++;
    last = r->frame_id;
    got++;
    nnrp_client_result_free(r);
  }
  CHECK_EQ(got, N);
  size_t once = 0;
  for (uint32_t i = 1; i <= N; i++) once += seen[i] == 1;
  CHECK_EQ(once, N);
  CHECK(out_of_order > 0);
  CHECK_EQ(max_in_flight, 16); /* the negotiated concurrency, never more */
  CHECK(blocked > 0);
  CHECK_EQ(nnrp_conn_in_flight(nnrp_client_conn(c)), 0);
  CHECK_EQ(atomic_load(&s.submits), N);
  teardown(&s, c);
}

/* ---- every result class -----------------------------------------------------------------------
 */

static int class_submit(io_srv *s, nnrp_server_session *ss, const nnrp_submit *sub) {
  (void)s;
  nnrp_result_push_input in;
  io_result_input(&in, sub->frame_id, sub->view_id);
  uint8_t cls = (uint8_t)((sub->frame_id - 1) % 4);
  nnrp_result_input_set_class(&in, cls, sub->frame_id > 1 ? sub->frame_id - 1 : 0);
  if (cls == NNRP_RESULT_PARTIAL) in.covered_tile_count = 1, in.dropped_tile_count = 1;
  return nnrp_server_send_result(ss, &in, 0);
}

void io_case_result_classes(const io_binding *b) {
  io_srv s;
  CHECK(setup(&s, b, class_submit) == 0);
  nnrp_client *c = connect_to(&s, b);
  CHECK(c != NULL);
  if (c) {
    nnrp_frame_submit_input in;
    io_submit_input(&in);
    for (uint32_t i = 1; i <= 4; i++) CHECK_RC(nnrp_client_submit(c, &in, 0, NULL), 0);
    for (uint32_t i = 1; i <= 4; i++) {
      nnrp_client_result *r = NULL;
      CHECK_RC(nnrp_client_wait_result(c, i, 0, T_MS, &r), 0);
      if (!r) continue;
      const nnrp_result_push_meta *m = &r->packet.meta.result_push;
      CHECK_EQ(r->outcome, NNRP_OUTCOME_DELIVERED);
      CHECK_EQ(r->result_class, i - 1);
      CHECK_EQ(m->result_class, i - 1);
      if (i == 2) {
        CHECK_EQ(m->result_flags, NNRP_RESULT_FLAG_PARTIAL);
        CHECK_EQ(m->covered_tile_count, 1);
        CHECK_EQ(m->dropped_tile_count, 1);
      }
      if (i == 3) {
        CHECK_EQ(m->reused_frame_id, 2);
        CHECK_EQ(m->applied_budget_policy, NNRP_BUDGET_ALLOW_STALE_REUSE);
      }
      if (i == 4) CHECK_EQ(m->applied_budget_policy, NNRP_BUDGET_ALLOW_DEGRADED);
      CHECK_EQ(r->policy_violation, 0);
      nnrp_client_result_free(r);
    }
  }
  teardown(&s, c);
}

/* ---- RESULT_DROP and cancel -------------------------------------------------------------------
 */

static int drop_or_hold(io_srv *s, nnrp_server_session *ss, const nnrp_submit *sub) {
  if (sub->frame_id == 1) return nnrp_server_send_drop(ss, 1, 0, NNRP_DROP_QUEUE_FULL, 0);
  s->held[s->held_count].ss = ss;
  s->held[s->held_count].frame_id = sub->frame_id;
  s->held[s->held_count++].view_id = sub->view_id;
  return 0;
}

void io_case_drop_and_cancel(const io_binding *b) {
  io_srv s;
  CHECK(setup(&s, b, drop_or_hold) == 0);
  nnrp_client *c = connect_to(&s, b);
  CHECK(c != NULL);
  if (c) {
    nnrp_frame_submit_input in;
    io_submit_input(&in);
    CHECK_RC(nnrp_client_submit(c, &in, 0, NULL), 0);
    CHECK_RC(nnrp_client_submit(c, &in, 0, NULL), 0);
    nnrp_client_result *r = NULL;
    CHECK_RC(nnrp_client_wait_result(c, 1, 0, T_MS, &r), 0);
    if (r) {
      CHECK_EQ(r->outcome, NNRP_OUTCOME_DROPPED);
      CHECK_EQ(r->reason, NNRP_DROP_QUEUE_FULL);
      CHECK(!r->has_packet);
      nnrp_client_result_free(r);
    }
    CHECK(io_wait_count(&s.submits, 2, T_MS));
    CHECK_RC(nnrp_client_cancel(c, 2, 0), 0);
    CHECK_RC(nnrp_client_try_result(c, 2, 0, &r), 0);
    if (r) {
      CHECK_EQ(r->outcome, NNRP_OUTCOME_CANCELLED);
      nnrp_client_result_free(r);
    }
    CHECK_RC(nnrp_client_cancel(c, 2, 0), NNRP_ERR_FRAME_UNKNOWN);
    /* The server learns of the cancel: the frame ends there too. */
    CHECK(io_wait_count(&s.cancelled, 1, T_MS));
    CHECK_RC(nnrp_client_try_result(c, 2, 0, &r), NNRP_ERR_WOULD_BLOCK);
  }
  teardown(&s, c);
}

/* ---- flow update ---------------------------------------------------------------------------- */

static int hold_all(io_srv *s, nnrp_server_session *ss, const nnrp_submit *sub) {
  s->held[s->held_count].ss = ss;
  s->held[s->held_count].frame_id = sub->frame_id;
  s->held[s->held_count++].view_id = sub->view_id;
  return 0;
}

static void send_credit(io_srv *s, void *arg) {
  nnrp_flow_update_meta m;
  memset(&m, 0, sizeof m);
  m.scope_kind = NNRP_FLOW_SCOPE_SESSION;
  m.update_reason = NNRP_FLOW_REDUCE;
  m.session_credit = (uint16_t)(uintptr_t)arg;
  m.flags = NNRP_FLOW_CREDIT_VALID;
  if (m.session_credit > 2) m.update_reason = NNRP_FLOW_GRANT;
  if (s->last_session) nnrp_server_flow_update(s->last_session, &m);
}

static void answer_all(io_srv *s, void *arg) {
  (void)arg;
  answer_held_reverse(s);
}

void io_case_flow_update(const io_binding *b) {
  io_srv s;
  CHECK(setup(&s, b, hold_all) == 0);
  nnrp_client *c = connect_to(&s, b);
  CHECK(c != NULL);
  if (c) {
    CHECK(io_wait_count(&s.opened, 1, T_MS));
    uint64_t seen = nnrp_client_flow_updates(c, NULL);
    io_srv_call(&s, send_credit, (void *)(uintptr_t)2); /* tighten to 2 */
    CHECK_RC(nnrp_client_wait_flow_update(c, seen, T_MS), 0);
    nnrp_window_info w;
    nnrp_conn_window(nnrp_client_conn(c), &w);
    CHECK_EQ(w.window, 2);
    nnrp_frame_submit_input in;
    io_submit_input(&in);
    CHECK_RC(nnrp_client_submit(c, &in, 0, NULL), 0);
    CHECK_RC(nnrp_client_submit(c, &in, 0, NULL), 0);
    CHECK_RC(nnrp_client_submit(c, &in, 0, NULL), NNRP_ERR_WOULD_BLOCK);
    seen = nnrp_client_flow_updates(c, NULL);
    io_srv_call(&s, send_credit, (void *)(uintptr_t)8); /* relax to 8 */
    CHECK_RC(nnrp_client_wait_flow_update(c, seen, T_MS), 0);
    nnrp_conn_window(nnrp_client_conn(c), &w);
    CHECK_EQ(w.window, 8);
    int sent = 0;
    while (nnrp_client_submit(c, &in, 0, NULL) == 0) sent++;
    CHECK_EQ(sent, 6);
    CHECK(io_wait_count(&s.submits, 8, T_MS));
    io_srv_call(&s, answer_all, NULL);
    for (uint32_t i = 1; i <= 8; i++) {
      nnrp_client_result *r = NULL;
      CHECK_RC(nnrp_client_wait_result(c, i, 0, T_MS, &r), 0);
      if (r) CHECK_EQ(r->outcome, NNRP_OUTCOME_DELIVERED);
      nnrp_client_result_free(r);
    }
    /* The client's own FLOW_UPDATE reaches the server (advisory). */
    nnrp_flow_update_meta m;
    memset(&m, 0, sizeof m);
    m.scope_kind = NNRP_FLOW_SCOPE_CONNECTION;
    m.update_reason = NNRP_FLOW_CONGESTION;
    m.backpressure_level = NNRP_BACKPRESSURE_SOFT;
    m.connection_credit = 4;
    m.flags = NNRP_FLOW_CREDIT_VALID;
    CHECK_RC(nnrp_client_flow_update(c, &m), 0);
    CHECK_RC(nnrp_client_run(c, 20), 0);
  }
  teardown(&s, c);
}

/* ---- cache put / reference / invalidate / miss ---------------------------------------------- */

void io_case_cache(const io_binding *b) {
  io_srv s;
  CHECK(setup(&s, b, NULL) == 0);
  nnrp_client *c = connect_to(&s, b);
  CHECK(c != NULL);
  if (c) {
    static const uint8_t camera[16] = "camera-object!!";
    nnrp_cache_put_meta put;
    memset(&put, 0, sizeof put);
    put.cache_namespace = 1, put.cache_key_hi = 0, put.cache_key_lo = 42;
    put.object_kind = NNRP_OBJECT_CAMERA_BLOCK;
    put.ttl_ms = 60000;
    nnrp_cache_ack_meta ack;
    CHECK_RC(nnrp_client_cache_put(c, &put, (nnrp_vec){camera, sizeof camera}, T_MS, &ack), 0);
    CHECK_EQ(ack.status, NNRP_CACHE_ACCEPTED);
    CHECK_EQ(ack.cache_key_lo, 42);
    CHECK(io_wait_count(&s.cache_puts, 1, T_MS));

    nnrp_object_ref ref;
    memset(&ref, 0, sizeof ref);
    ref.object_kind = NNRP_OBJECT_CAMERA_BLOCK;
    ref.cache_namespace = 1, ref.cache_key_hi = 0, ref.cache_key_lo = 42;
    nnrp_frame_submit_input in;
    io_submit_input(&in);
    in.submit_mode = NNRP_SUBMIT_MIXED;
    in.object_ref_mask = NNRP_REF_CAMERA_BLOCK;
    in.camera_reference = &ref;
    CHECK_RC(nnrp_client_submit(c, &in, 0, NULL), 0);
    nnrp_client_result *r = NULL;
    CHECK_RC(nnrp_client_wait_result(c, 1, 0, T_MS, &r), 0);
    if (r) CHECK_EQ(r->outcome, NNRP_OUTCOME_DELIVERED);
    nnrp_client_result_free(r);
    CHECK_EQ(atomic_load(&s.objects_seen), 1);
    CHECK_MEM(s.last_object, atomic_load(&s.last_object_len), camera, sizeof camera);

    nnrp_cache_invalidate_meta inv;
    memset(&inv, 0, sizeof inv);
    inv.invalidate_scope = NNRP_CACHE_SCOPE_OBJECT_KEY;
    inv.cache_namespace = 1, inv.cache_key_lo = 42;
    CHECK_RC(nnrp_client_cache_invalidate(c, &inv, T_MS, &ack), 0);

    /* The object is gone: the reference is a cache miss, the frame ends REJECTED. */
    CHECK_RC(nnrp_client_submit(c, &in, 0, NULL), 0);
    CHECK_RC(nnrp_client_wait_result(c, 2, 0, T_MS, &r), 0);
    if (r) {
      CHECK_EQ(r->outcome, NNRP_OUTCOME_REJECTED);
      CHECK_EQ(r->error_code, NNRP_ERROR_CODE_CACHE_MISS);
    }
    nnrp_client_result_free(r);
    CHECK_EQ(atomic_load(&s.submits), 1);
  }
  teardown(&s, c);
}

/* ---- graceful close ---------------------------------------------------------------------------
 */

void io_case_graceful_close(const io_binding *b) {
  io_srv s;
  CHECK(setup(&s, b, hold_all) == 0);
  nnrp_client *c = connect_to(&s, b);
  CHECK(c != NULL);
  if (c) {
    nnrp_frame_submit_input in;
    io_submit_input(&in);
    CHECK_RC(nnrp_client_submit(c, &in, 0, NULL), 0);
    CHECK(io_wait_count(&s.submits, 1, T_MS));
    CHECK_RC(nnrp_client_close(c, "done", T_MS), 0);
    CHECK_EQ(nnrp_client_state(c), NNRP_STATE_CLOSED);
    CHECK_EQ(nnrp_client_close_info(c).cause, NNRP_CLOSE_LOCAL);
    /* The held frame still ends exactly once: the server drops it while draining. */
    nnrp_client_result *r = NULL;
    CHECK_RC(nnrp_client_try_result(c, 1, 0, &r), 0);
    if (r) CHECK_EQ(r->outcome, NNRP_OUTCOME_DROPPED);
    nnrp_client_result_free(r);
    CHECK_EQ(nnrp_client_buffered(c), 0);
    CHECK(io_wait_count(&s.closed, 1, T_MS));
    CHECK_RC(nnrp_client_submit(c, &in, 0, NULL), NNRP_ERR_INVALID_STATE);
  }
  teardown(&s, c);
}

/* ---- abrupt peer loss --------------------------------------------------------------------------
 */

void io_case_peer_loss(const io_binding *b) {
  io_srv s;
  CHECK(setup(&s, b, hold_all) == 0);
  /* A QUIC peer that vanishes is noticed by the idle timeout (TCP sees the reset at once). */
  nnrp_client *c = connect_to_idle(&s, b, 1000);
  CHECK(c != NULL);
  if (c) {
    nnrp_frame_submit_input in;
    io_submit_input(&in);
    for (int i = 0; i < 10; i++) CHECK_RC(nnrp_client_submit(c, &in, 0, NULL), 0);
    CHECK(io_wait_count(&s.submits, 10, T_MS));
    io_srv_stop(&s); /* the server process "dies": every connection is cut, no CLOSE */
    int outcomes[11] = {0};
    for (int i = 0; i < 10; i++) {
      nnrp_client_result *r = NULL;
      CHECK_RC(nnrp_client_next_result(c, T_MS, &r), 0);
      if (!r) break;
      CHECK_EQ(r->outcome, NNRP_OUTCOME_EXPIRED);
      CHECK_EQ(r->cause, NNRP_CAUSE_SESSION_LOST);
      if (r->frame_id >= 1 && r->frame_id <= 10) outcomes[r->frame_id]++;
      nnrp_client_result_free(r);
    }
    for (int i = 1; i <= 10; i++) CHECK_EQ(outcomes[i], 1);
    CHECK_EQ(nnrp_client_state(c), NNRP_STATE_CLOSED);
    CHECK_EQ(nnrp_client_close_info(c).cause, NNRP_CLOSE_TRANSPORT_LOST);
    nnrp_client_result *r = NULL;
    CHECK_RC(nnrp_client_next_result(c, 50, &r), NNRP_ERR_CLOSED);
  }
  teardown(&s, c);
}

/* ---- migration --------------------------------------------------------------------------------
 */

/* Odd frames are answered at once, even ones held until the test says so. */
static int odd_now_even_later(io_srv *s, nnrp_server_session *ss, const nnrp_submit *sub) {
  if (sub->frame_id % 2) {
    nnrp_result_push_input in;
    io_result_input(&in, sub->frame_id, sub->view_id);
    return nnrp_server_send_result(ss, &in, 0);
  }
  return hold_all(s, ss, sub);
}

/* Take `n` outcomes, counting deliveries per frame id. */
static void collect(nnrp_client *c, int n, int *seen, int max) {
  for (int i = 0; i < n; i++) {
    nnrp_client_result *r = NULL;
    CHECK_RC(nnrp_client_next_result(c, T_MS, &r), 0);
    if (!r) return;
    CHECK_EQ(r->outcome, NNRP_OUTCOME_DELIVERED);
    if ((int)r->frame_id < max) seen[r->frame_id]++;
    nnrp_client_result_free(r);
  }
}

/* One switch: frames 2k-1..2k+4 submitted, the odd ones answered before the switch, the even
 * ones (in flight at the switch) answered after it on the new path. */
static void switch_once(io_srv *s, nnrp_client *c, uint32_t to, uint32_t first, int *seen) {
  nnrp_frame_submit_input in;
  io_submit_input(&in);
  for (uint32_t i = 0; i < 6; i++) CHECK_RC(nnrp_client_submit(c, &in, 0, NULL), 0);
  CHECK(io_wait_count(&s->submits, (int)first + 5, T_MS));
  collect(c, 3, seen, 64); /* the odd ones */
  nnrp_migration_info info;
  CHECK_RC(nnrp_client_migrate(c, to, 1, T_MS, &info), 0);
  CHECK(info.accepted);
  CHECK_EQ(info.new_transport_id, to);
  CHECK_EQ(info.resume_from_frame_id, first + 1); /* the oldest frame still in flight */
  CHECK_EQ(info.frames_below_floor, 0);
  CHECK_EQ(nnrp_client_transport(c), to);
  io_srv_call(s, answer_all, NULL); /* results of frames accepted before the switch */
  collect(c, 3, seen, 64);
  CHECK_EQ(nnrp_conn_in_flight(nnrp_client_conn(c)), 0);
}

void io_case_migration(const io_binding *from, const io_binding *to) {
  io_srv s;
  grace_ms = 50; /* PY-T's value: the old path closes soon after each switch */
  CHECK(setup(&s, from, odd_now_even_later) == 0);
  grace_ms = 0;
  nnrp_client *c = connect_to(&s, from);
  CHECK(c != NULL);
  if (c) {
    int seen[64] = {0};
    uint32_t sid = nnrp_conn_session_id(nnrp_client_conn(c));
    switch_once(&s, c, to->transport, 1, seen);
    CHECK(io_wait_count(&s.migrated, 1, T_MS));
    /* During the old path's grace window a second switch is refused. */
    nnrp_migration_info info;
    CHECK_RC(nnrp_client_migrate(c, from->transport, 1, T_MS, &info), NNRP_ERR_INVALID_STATE);
    CHECK_RC(nnrp_client_run(c, 300), 0);
    switch_once(&s, c, from->transport, 7, seen); /* and back */
    CHECK(io_wait_count(&s.migrated, 2, T_MS));
    for (int i = 1; i <= 12; i++) CHECK_EQ(seen[i], 1);
    CHECK_EQ(nnrp_conn_session_id(nnrp_client_conn(c)), sid);
    CHECK_EQ(atomic_load(&s.opened), 1); /* one session, never a new handshake */
    /* Migrating to the binding already in use is refused before dialling. */
    CHECK_RC(nnrp_client_migrate(c, from->transport, 1, T_MS, &info), NNRP_ERR_INVALID_ARGUMENT);
    CHECK_RC(nnrp_client_close(c, "done", T_MS), 0);
    CHECK(io_wait_count(&s.closed, 1, T_MS));
  }
  teardown(&s, c);
}

/* ---- l3.transport.*.session_smoke --------------------------------------------------------------
 */

void l3_session_smoke(const io_binding *b) {
  io_srv s;
  CHECK(setup(&s, b, NULL) == 0);
  nnrp_client_options o;
  io_client_options(&o, &s, b);
  o.settings.client.hello.requested_session_id = 41;
  nnrp_client *c = NULL;
  CHECK_RC(nnrp_client_connect(&c, s.arg, &o), 0);
  if (c) {
    CHECK_EQ(nnrp_conn_session_id(nnrp_client_conn(c)), 41); /* C17: the requested id */
    CHECK_EQ(nnrp_client_transport(c), b->transport);
    nnrp_frame_submit_input in;
    io_submit_input(&in);
    in.packet.frame_id = 303;
    CHECK_RC(nnrp_client_submit(c, &in, 0, NULL), 0);
    nnrp_client_result *r = NULL;
    CHECK_RC(nnrp_client_wait_result(c, 303, 0, T_MS, &r), 0);
    if (r) {
      CHECK_EQ(r->outcome, NNRP_OUTCOME_DELIVERED);
      CHECK_EQ(r->packet.header.msg_type, NNRP_MSG_RESULT_PUSH);
      CHECK_EQ(r->packet.header.frame_id, 303);
      CHECK_EQ(r->packet.header.session_id, 41);
      CHECK_EQ(r->packet.meta.result_push.tile_count, 2);
    }
    nnrp_client_result_free(r);
    CHECK_RC(nnrp_client_close(c, "smoke-close", T_MS), 0);
    CHECK(io_wait_count(&s.closed, 1, T_MS)); /* the server saw the session end */
    CHECK_EQ(nnrp_client_close_info(c).cause, NNRP_CLOSE_LOCAL);
  }
  teardown(&s, c);
}
