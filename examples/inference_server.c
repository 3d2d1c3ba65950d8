/*
 * inference_server: a minimal NNRP/1 inference server.  It listens on TCP (and on QUIC when a
 * certificate is given), accepts any number of sessions and answers every frame with one
 * result whose tensor section holds, per tile, the tile's input bytes reversed (the "model").
 *
 *   nnrp_inference_server [TCP_PORT [QUIC_PORT CERT.pem KEY.pem]]     (defaults: 9444)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnnrp/io.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
  (void)sig;
  stop = 1; /* the loop below looks at it at least every 200 ms */
}

/* The "model": every tile of the first input section, bytes reversed. */
static int infer(nnrp_server_session *ss, const nnrp_submit *sub, void *user) {
  (void)user;
  enum { MAX_TILES = 256, MAX_BYTES = 1 << 16 };
  static uint8_t out[MAX_BYTES];
  static nnrp_vec tiles[MAX_TILES];
  static uint16_t ids[MAX_TILES];
  size_t n = 0, used = 0;

  nnrp_section_iter it;
  nnrp_section_view sec;
  nnrp_section_iter_init(&it, sub->packet->data.sections.base, sub->packet->data.sections.len,
                         sub->packet->data.section_count);
  if (nnrp_section_iter_next(&it, &sec)) {
    nnrp_section_tile_iter ti;
    nnrp_vec in;
    nnrp_section_tile_iter_init(&ti, &sec);
    while (n < MAX_TILES && nnrp_section_tile_iter_next(&ti, &in) && used + in.len <= MAX_BYTES) {
      for (size_t i = 0; i < in.len; i++) out[used + i] = in.base[in.len - 1 - i];
      tiles[n] = (nnrp_vec){out + used, in.len};
      used += in.len;
      n++;
    }
  }
  nnrp_tile_iter ids_it;
  uint32_t id;
  size_t k = 0;
  nnrp_tile_iter_init(&ids_it, sub->packet->data.tile_index.base, sub->packet->data.tile_index.len,
                      sub->meta->tile_index_mode, sub->meta->tile_count, sub->meta->tile_base_id);
  while (k < n && nnrp_tile_iter_next(&ids_it, &id)) ids[k++] = (uint16_t)id;

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
  r.inference_ms = 1, r.server_total_ms = 1;
  int rc = nnrp_server_send_result(ss, &r, 0);
  if (rc) /* e.g. the frame carried something this toy model cannot answer */
    nnrp_server_send_drop(ss, sub->frame_id, sub->view_id, NNRP_DROP_SERVER_BUSY, 0);
  return 0;
}

static void on_session(nnrp_server_session *ss, nnrp_session_event ev, void *user) {
  (void)user;
  static const char *names[] = {"opened", "migrated", "closed"};
  printf("session %u %s (%s)\n", nnrp_server_session_id(ss), names[ev],
         nnrp_server_session_transport(ss) == NNRP_TRANSPORT_QUIC ? "quic" : "tcp");
  fflush(stdout);
}

int main(int argc, char **argv) {
  nnrp_server_options o;
  nnrp_server_options_default(&o);
  o.tcp_port = argc > 1 ? atoi(argv[1]) : 9444;
  if (argc > 4) {
    o.quic_port = atoi(argv[2]);
    o.tls.cert_file = argv[3];
    o.tls.key_file = argv[4];
  }
  o.settings.server.max_concurrent_frames = 16;
  o.handler.on_submit = infer;
  o.handler.on_session = on_session;

  nnrp_loop *loop;
  nnrp_server *srv;
  int rc = nnrp_loop_new(&loop);
  if (rc == 0) rc = nnrp_server_new(&srv, loop, &o);
  if (rc) {
    fprintf(stderr, "inference_server: %s\n", nnrp_strerror(rc));
    return 1;
  }
  printf("listening: tcp/%u", nnrp_server_port(srv, NNRP_TRANSPORT_TCP, 0));
  if (o.quic_port != NNRP_PORT_OFF)
    printf(", udp/%u (QUIC)", nnrp_server_port(srv, NNRP_TRANSPORT_QUIC, 0));
  printf("\n");
  fflush(stdout);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  while (!stop) nnrp_loop_run_once(loop, 200);
  nnrp_server_free(srv);
  nnrp_loop_run_once(loop, 0);
  nnrp_loop_del(loop);
  return 0;
}
