/*
 * live_peer: the libnnrp side of the live interoperability test (tests/interop/live.py).
 *
 *   live_peer server CERT KEY        TCP + QUIC on OS-chosen ports; prints "tcp=P quic=Q"
 *   live_peer client tcp|quic PORT   a scripted session against a peer server (lines on stdout)
 *   live_peer probe QUIC_PORT TCP_PORT   nnrp_probe_transports against a peer probe server
 *   live_peer cert CERT KEY          nnrp_tls_make_dev_cert only
 *
 * The server answers a frame by the hundreds of its frame id, so that the peer client chooses
 * what it gets: 1 complete (tiles reversed, typed frames echoed, resolved cache objects echoed
 * as OPAQUE_BYTES), 2 partial, 3 stale_reuse, 4 degraded, 5 RESULT_DROP (server_busy),
 * 6 a FLOW_UPDATE first and then complete.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnnrp/io.h>
#include <libnnrp/tls.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

enum { MAX_TILES = 64, MAX_BYTES = 1 << 16, MAX_TYPED = 16 };

static int answer(nnrp_server_session *ss, const nnrp_submit *sub, void *user) {
  (void)user;
  static uint8_t out[MAX_BYTES];
  static nnrp_vec tiles[MAX_TILES];
  static uint16_t ids[MAX_TILES];
  static nnrp_typed_frame typed[MAX_TYPED];
  size_t n = 0, used = 0, k = 0, nt = 0;
  unsigned mode = sub->frame_id / 100;

  if (mode == 5) return nnrp_server_send_drop(ss, sub->frame_id, sub->view_id, NNRP_DROP_SERVER_BUSY, 0);
  if (mode == 6) {
    nnrp_flow_update_meta f = {0};
    f.scope_kind = 1, f.update_reason = 1, f.session_credit = 8, f.credit_epoch = 1;
    if (nnrp_server_flow_update(ss, &f)) fprintf(stderr, "live_peer: flow update refused\n");
  }
  const nnrp_data_body *b = &sub->packet->data;
  nnrp_section_iter it;
  nnrp_section_view sec;
  nnrp_section_iter_init(&it, b->sections.base, b->sections.len, b->section_count);
  if (nnrp_section_iter_next(&it, &sec)) {
    nnrp_section_tile_iter ti;
    nnrp_vec in;
    nnrp_section_tile_iter_init(&ti, &sec);
    while (n < MAX_TILES && nnrp_section_tile_iter_next(&ti, &in) && used + in.len <= MAX_BYTES) {
      for (size_t i = 0; i < in.len; i++) out[used + i] = in.base[in.len - 1 - i];
      tiles[n++] = (nnrp_vec){out + used, in.len};
      used += in.len;
    }
  }
  nnrp_tile_iter ids_it;
  uint32_t id;
  nnrp_tile_iter_init(&ids_it, b->tile_index.base, b->tile_index.len, sub->meta->tile_index_mode,
                      sub->meta->tile_count, sub->meta->tile_base_id);
  while (k < n && nnrp_tile_iter_next(&ids_it, &id)) ids[k++] = (uint16_t)id;
  for (size_t i = 0; i < b->typed_frame_count && nt < MAX_TYPED; i++)
    nnrp_data_body_typed_frame(b, i, &typed[nt++]);
  for (size_t i = 0; i < sub->object_count && nt < MAX_TYPED; i++)
    typed[nt++] = (nnrp_typed_frame){.payload_kind = NNRP_PAYLOAD_OPAQUE_BYTES,
                                     .payload = sub->objects[i].bytes};

  nnrp_tensor_section_data result = {.role_id = 100,
                                     .dtype_id = NNRP_DTYPE_UINT8,
                                     .tile_payloads = tiles,
                                     .tile_payload_count = k};
  nnrp_result_push_input r;
  nnrp_result_push_input_init(&r);
  r.packet.frame_id = sub->frame_id;
  r.packet.view_id = sub->view_id;
  r.tile_ids = ids, r.tile_id_count = k;
  if (k) r.sections = &result, r.section_count = 1;
  r.frames = typed, r.frame_count = nt;
  r.inference_ms = 1, r.server_total_ms = 1;
  if (mode == 2) nnrp_result_input_set_class(&r, NNRP_RESULT_PARTIAL, 0);
  if (mode == 2) r.covered_tile_count = 1, r.dropped_tile_count = (long)k - 1;
  if (mode == 3) nnrp_result_input_set_class(&r, NNRP_RESULT_STALE_REUSE, sub->frame_id - 1);
  if (mode == 4) nnrp_result_input_set_class(&r, NNRP_RESULT_DEGRADED, 0);
  int rc = nnrp_server_send_result(ss, &r, 0);
  if (rc) fprintf(stderr, "live_peer: result of frame %u: %s\n", sub->frame_id, nnrp_strerror(rc));
  return rc;
}

static void on_session(nnrp_server_session *ss, nnrp_session_event ev, void *user) {
  (void)user;
  static const char *names[] = {"opened", "migrated", "closed"};
  fprintf(stderr, "live_peer: session %u %s (%s)\n", nnrp_server_session_id(ss), names[ev],
          nnrp_server_session_transport(ss) == NNRP_TRANSPORT_QUIC ? "quic" : "tcp");
}

static int serve(const char *cert, const char *key) {
  if (nnrp_tls_make_dev_cert(cert, key, "localhost")) return fprintf(stderr, "no certificate\n"), 1;
  nnrp_server_options o;
  nnrp_server_options_default(&o);
  o.tcp_port = 0, o.quic_port = 0;
  o.tls.cert_file = cert, o.tls.key_file = key;
  o.settings.server.max_concurrent_frames = 16;
  o.handler.on_submit = answer;
  o.handler.on_session = on_session;
  nnrp_loop *loop;
  nnrp_server *srv;
  int rc = nnrp_loop_new(&loop);
  if (rc == 0) rc = nnrp_server_new(&srv, loop, &o);
  if (rc) return fprintf(stderr, "live_peer: %s\n", nnrp_strerror(rc)), 1;
  printf("tcp=%u quic=%u\n", nnrp_server_port(srv, NNRP_TRANSPORT_TCP, 0),
         nnrp_server_port(srv, NNRP_TRANSPORT_QUIC, 0));
  fflush(stdout);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  while (!stop) nnrp_loop_run_once(loop, 100);
  nnrp_server_free(srv);
  nnrp_loop_run_once(loop, 0);
  nnrp_loop_del(loop);
  return 0;
}

static const char *outcome_name(nnrp_outcome o) {
  static const char *n[] = {"delivered", "dropped", "rejected", "cancelled", "expired"};
  return (unsigned)o < 5 ? n[o] : "?";
}

/* Frames 1 (tensor, 3 tiles), 2 (tokens + structured event), 3..6, a FLOW_UPDATE each way,
 * CLOSE.  One line per observation; the peer server decides what each frame gets. */
static int client(const char *transport, int port) {
  nnrp_client_options o;
  nnrp_client_options_default(&o);
  o.host = "127.0.0.1";
  o.transport = strcmp(transport, "quic") == 0 ? NNRP_TRANSPORT_QUIC : NNRP_TRANSPORT_TCP;
  o.tcp_port = o.quic_port = (uint16_t)port;
  o.tls.insecure_skip_verify = 1;
  o.connect_timeout_ms = 5000;
  nnrp_loop *loop;
  nnrp_client *c;
  int rc = nnrp_loop_new(&loop);
  if (rc == 0) rc = nnrp_client_connect(&c, loop, &o);
  if (rc) return printf("connect error=%s\n", nnrp_strerror(rc)), 1;
  printf("session id=%u\n", nnrp_conn_session_id(nnrp_client_conn(c)));
  static const uint8_t t0[] = {1, 2, 3, 4}, t1[] = {5, 6, 7, 8}, t2[] = {9, 10, 11, 12};
  const nnrp_vec tp[] = {{t0, 4}, {t1, 4}, {t2, 4}};
  const uint16_t ids[] = {0, 1, 2};
  nnrp_tensor_section_data sec = {.role_id = 1, .dtype_id = NNRP_DTYPE_UINT8, .tile_payloads = tp,
                                  .tile_payload_count = 3};
  static const char tok[] = "hello", ev[] = "{\"event\":\"x\"}";
  const nnrp_typed_frame tf[] = {
      {.payload_kind = NNRP_PAYLOAD_TOKEN_CHUNK, .payload = {(const uint8_t *)tok, 5}},
      {.payload_kind = NNRP_PAYLOAD_STRUCTURED_EVENT, .payload = {(const uint8_t *)ev, strlen(ev)}}};
  for (uint32_t f = 1; f <= 6 && rc == 0; f++) {
    nnrp_frame_submit_input in;
    nnrp_frame_submit_input_init(&in);
    in.packet.frame_id = f;
    in.latency_budget_ms = 5000; /* the hello's default budget is tighter than a Python peer */
    if (f == 2) {
      in.frames = tf, in.frame_count = 2;
    } else {
      in.src_width = 48, in.src_height = 16, in.tile_width = 16, in.tile_height = 16;
      in.tile_ids = ids, in.tile_id_count = 3, in.sections = &sec, in.section_count = 1;
    }
    rc = nnrp_client_wait_writable(c, 3000);
    if (rc == 0) rc = nnrp_client_submit(c, &in, 0, NULL);
    if (rc) printf("submit frame=%u error=%s\n", f, nnrp_strerror(rc));
  }
  for (uint32_t f = 1; f <= 6; f++) {
    nnrp_client_result *r;
    if (nnrp_client_wait_result(c, f, 0, 5000, &r)) {
      printf("result frame=%u outcome=none\n", f);
      continue;
    }
    printf("result frame=%u outcome=%s class=%u tiles=%u typed=%zu", f, outcome_name(r->outcome),
           r->result_class, r->has_packet ? r->packet.meta.result_push.tile_count : 0,
           r->has_packet ? r->packet.data.typed_frame_count : 0);
    for (size_t i = 0; r->has_packet && i < r->packet.data.typed_frame_count; i++) {
      nnrp_typed_frame t;
      nnrp_data_body_typed_frame(&r->packet.data, i, &t);
      printf(" kind%u=%.*s", t.payload_kind, (int)t.payload.len, (const char *)t.payload.base);
    }
    printf("\n");
    nnrp_client_result_free(r);
  }
  nnrp_flow_update_meta seen;
  if (nnrp_client_wait_flow_update(c, 0, 3000) == 0 && nnrp_client_flow_updates(c, &seen))
    printf("flow_in session_credit=%u epoch=%u\n", seen.session_credit, seen.credit_epoch);
  nnrp_flow_update_meta fu = {0};
  fu.scope_kind = 1, fu.update_reason = 1, fu.session_credit = 4, fu.credit_epoch = 9;
  printf("flow_out rc=%d\n", nnrp_client_flow_update(c, &fu));
  nnrp_client_run(c, 200);
  rc = nnrp_client_close(c, "done", 1000);
  printf("close rc=%s\n", rc ? nnrp_strerror(rc) : "ok");
  fflush(stdout);
  nnrp_client_free(c);
  nnrp_loop_del(loop);
  return 0;
}

static int probe(int quic_port, int tcp_port) {
  nnrp_client_options o;
  nnrp_client_options_default(&o);
  o.host = "127.0.0.1";
  o.quic_port = (uint16_t)quic_port, o.tcp_port = (uint16_t)tcp_port;
  o.tls.insecure_skip_verify = 1;
  o.probe_samples = 3;
  nnrp_loop *loop;
  nnrp_probe_report rep;
  int rc = nnrp_loop_new(&loop);
  if (rc == 0) rc = nnrp_probe_transports(loop, &o, &rep);
  printf("probe rc=%s selected=%u error=%d reason=%s\n", rc ? nnrp_strerror(rc) : "ok",
         rc ? 0 : rep.selected, rc ? 0 : rep.error, rc ? "" : rep.reason);
  nnrp_loop_del(loop);
  return rc != 0;
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "server") == 0) return serve(argv[2], argv[3]);
  if (argc == 4 && strcmp(argv[1], "client") == 0) return client(argv[2], atoi(argv[3]));
  if (argc == 4 && strcmp(argv[1], "cert") == 0)
    return nnrp_tls_make_dev_cert(argv[2], argv[3], "localhost") != 0;
  if (argc == 4 && strcmp(argv[1], "probe") == 0) return probe(atoi(argv[2]), atoi(argv[3]));
  fprintf(stderr, "usage: live_peer server CERT KEY | client tcp|quic PORT | probe QPORT TPORT |\n"
                  "       cert CERT KEY\n");
  return 2;
}
