/*
 * host_client: a minimal NNRP/1 host.  It connects to a server, keeps up to the negotiated
 * number of frames in flight, and prints every result as it arrives.
 *
 *   nnrp_host_client [HOST [PORT [tcp|quic [FRAMES]]]]   (defaults: 127.0.0.1 9444 tcp 8)
 *
 * QUIC verifies the server certificate; NNRP_CA=FILE names an extra trusted CA (PEM).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnnrp/io.h>

static void print(const nnrp_client_result *r) {
  printf("frame %u: %s", r->frame_id, nnrp_outcome_name(r->outcome));
  if (r->has_packet) {
    const nnrp_result_push_meta *m = &r->packet.meta.result_push;
    printf(", class %u, %u tiles, %u ms on the server, %.2f ms round trip", r->result_class,
           m->tile_count, m->server_total_ms, (double)r->latency_us / 1000.0);
    nnrp_section_iter it;
    nnrp_section_view s;
    nnrp_section_iter_init(&it, r->packet.data.sections.base, r->packet.data.sections.len,
                           r->packet.data.section_count);
    if (nnrp_section_iter_next(&it, &s)) {
      nnrp_section_tile_iter ti;
      nnrp_vec tile;
      nnrp_section_tile_iter_init(&ti, &s);
      if (nnrp_section_tile_iter_next(&ti, &tile))
        printf(", first tile \"%.*s\"", (int)tile.len, (const char *)tile.base);
    }
  }
  printf("\n");
}

int main(int argc, char **argv) {
  nnrp_client_options o;
  nnrp_client_options_default(&o);
  o.host = argc > 1 ? argv[1] : "127.0.0.1";
  o.tcp_port = o.quic_port = (uint16_t)(argc > 2 ? atoi(argv[2]) : 9444);
  o.transport = argc > 3 && strcmp(argv[3], "quic") == 0 ? NNRP_TRANSPORT_QUIC : NNRP_TRANSPORT_TCP;
  int frames = argc > 4 ? atoi(argv[4]) : 8;
  o.tls.ca_file = getenv("NNRP_CA");

  nnrp_loop *loop;
  nnrp_client *c;
  int rc = nnrp_loop_new(&loop);
  if (rc == 0) rc = nnrp_client_connect(&c, loop, &o);
  if (rc) {
    fprintf(stderr, "host_client: cannot connect: %s\n", nnrp_strerror(rc));
    return 1;
  }
  printf("session %u over %s\n", nnrp_conn_session_id(nnrp_client_conn(c)),
         o.transport == NNRP_TRANSPORT_QUIC ? "QUIC" : "TCP");

  static const uint16_t tile_ids[2] = {0, 1};
  static const nnrp_vec pixels[2] = {{(const uint8_t *)"abcd", 4}, {(const uint8_t *)"wxyz", 4}};
  nnrp_tensor_section_data luma = {
      .role_id = 1, .dtype_id = NNRP_DTYPE_UINT8, .tile_payloads = pixels, .tile_payload_count = 2};
  nnrp_frame_submit_input in;
  nnrp_frame_submit_input_init(&in);
  in.src_width = 64, in.src_height = 32, in.tile_width = 32, in.tile_height = 32;
  in.tile_ids = tile_ids, in.tile_id_count = 2;
  in.sections = &luma, in.section_count = 1;
  in.input_profile = NNRP_INPUT_DENSE_LUMA_FRAME;

  int sent = 0, done = 0;
  while (done < frames) {
    /* Submit while the window allows, then take whatever result comes first. */
    while (sent < frames && (rc = nnrp_client_submit(c, &in, 0, NULL)) == 0) sent++;
    if (sent < frames && rc != NNRP_ERR_WOULD_BLOCK) {
      fprintf(stderr, "host_client: submit: %s\n", nnrp_strerror(rc));
      break;
    }
    nnrp_client_result *r;
    if ((rc = nnrp_client_next_result(c, 5000, &r)) != 0) {
      fprintf(stderr, "host_client: no result: %s\n", nnrp_strerror(rc));
      break;
    }
    print(r);
    nnrp_client_result_free(r);
    done++;
  }
  nnrp_client_close(c, "bye", 2000);
  nnrp_client_free(c);
  nnrp_loop_del(loop);
  return done == frames ? 0 : 1;
}
