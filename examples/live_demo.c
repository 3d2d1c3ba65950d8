/*
 * live_demo: a real NNRP/1 server and client talking on 127.0.0.1, once over QUIC and once over
 * TCP.  The server runs its own event loop in a thread; the client, in the main thread, puts a
 * camera block into the server's cache, then streams mixed frames (tensors, a token prompt, a
 * structured event, a frame that references the cached object) with several in flight, and
 * prints every result as it comes back: complete, partial and degraded tensors, typed answers.
 *
 *   nnrp_live_demo
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libnnrp/io.h>
#include <libnnrp/tls.h>

/* ---- the inference server ----------------------------------------------------------------------
 */

static const uint16_t tiles[4] = {0, 1, 2, 3};
static const nnrp_vec masks[4] = {{(const uint8_t *)"mask-0", 6},
                                  {(const uint8_t *)"mask-1", 6},
                                  {(const uint8_t *)"mask-2", 6},
                                  {(const uint8_t *)"mask-3", 6}};

/* Answer one admitted frame.  Tensor frames get a segmentation mask per tile — partial when the
 * frame's budget allows a partial answer, degraded when it allows a degraded one; a token prompt
 * gets a token chunk back, a structured event an event; a frame that referenced a cached object
 * gets a note saying what the server found in its cache. */
static int infer(nnrp_server_session *ss, const nnrp_submit *sub, void *user) {
  (void)user;
  const nnrp_frame_submit_meta *m = sub->meta;
  nnrp_result_push_input in;
  nnrp_result_push_input_init(&in);
  in.packet.frame_id = sub->frame_id;
  in.packet.view_id = sub->view_id;
  in.inference_ms = 7, in.queue_ms = 1, in.server_total_ms = 8;
  nnrp_tensor_section_data mask = {
      .role_id = 100, .dtype_id = NNRP_DTYPE_UINT8, .tile_payloads = masks};
  nnrp_typed_frame typed[1];
  char note[96];
  if (m->payload_kind_bitmap & NNRP_PAYLOAD_TENSOR) {
    in.tile_ids = tiles, in.tile_id_count = m->tile_count;
    mask.tile_payload_count = m->tile_count;
    in.sections = &mask, in.section_count = 1;
    if (m->budget_policy & NNRP_BUDGET_ALLOW_PARTIAL) { /* ran out of time after one tile */
      nnrp_result_input_set_class(&in, NNRP_RESULT_PARTIAL, 0);
      in.covered_tile_count = 1, in.dropped_tile_count = (long)m->tile_count - 1;
    } else if (m->budget_policy & NNRP_BUDGET_ALLOW_DEGRADED) { /* the small model answered */
      nnrp_result_input_set_class(&in, NNRP_RESULT_DEGRADED, 0);
    }
    if (sub->object_count) {
      snprintf(note, sizeof note, "cache hit: camera block \"%.*s\"",
               (int)sub->objects[0].bytes.len, (const char *)sub->objects[0].bytes.base);
      typed[0] = (nnrp_typed_frame){
          NNRP_PAYLOAD_OPAQUE_BYTES, 0, 0, {(const uint8_t *)note, strlen(note)}};
      in.frames = typed, in.frame_count = 1;
    }
  } else if (m->payload_kind_bitmap & NNRP_PAYLOAD_TOKEN_CHUNK) {
    static const char reply[] = "a cat sleeping on a red sofa";
    typed[0] = (nnrp_typed_frame){
        NNRP_PAYLOAD_TOKEN_CHUNK, 0, 0, {(const uint8_t *)reply, sizeof reply - 1}};
    in.frames = typed, in.frame_count = 1;
  } else {
    static const char event[] = "{\"event\":\"person_entered\",\"zone\":2,\"score\":0.93}";
    typed[0] = (nnrp_typed_frame){
        NNRP_PAYLOAD_STRUCTURED_EVENT, 0, 0, {(const uint8_t *)event, sizeof event - 1}};
    in.frames = typed, in.frame_count = 1;
  }
  return nnrp_server_send_result(ss, &in, 0);
}

static void *serve(void *loop) {
  nnrp_loop_run(loop);
  return NULL;
}

/* ---- the client --------------------------------------------------------------------------------
 */

static const char *class_names[] = {"complete", "partial", "stale_reuse", "degraded"};
static const char *what[] = {"",      "tensor", "tensor",           "tokens", "tensor",
                             "event", "tensor", "tensor+cache-ref", "tensor"};

static void print_result(const char *tag, const nnrp_client_result *r) {
  printf("  %s result frame %u %-16s %-9s", tag, r->frame_id,
         r->frame_id < 9 ? what[r->frame_id] : "", nnrp_outcome_name(r->outcome));
  if (r->outcome != NNRP_OUTCOME_DELIVERED || !r->has_packet) {
    printf("\n");
    return;
  }
  const nnrp_result_push_meta *m = &r->packet.meta.result_push;
  printf(" %-9s", class_names[r->result_class & 3]);
  if (m->payload_kind_bitmap & NNRP_PAYLOAD_TENSOR)
    printf(" tiles=%u covered=%u dropped=%u", m->tile_count, m->covered_tile_count,
           m->dropped_tile_count);
  if (r->result_class == NNRP_RESULT_DEGRADED) printf(" applied_budget_policy=allow_degraded");
  for (size_t i = 0; i < r->packet.data.typed_frame_count; i++) {
    nnrp_typed_frame f;
    nnrp_data_body_typed_frame(&r->packet.data, i, &f);
    const char *kind = f.payload_kind == NNRP_PAYLOAD_TOKEN_CHUNK        ? "tokens"
                       : f.payload_kind == NNRP_PAYLOAD_STRUCTURED_EVENT ? "event"
                                                                         : "note";
    printf(" %s: %.*s", kind, (int)f.payload.len, (const char *)f.payload.base);
  }
  printf("  (%.2f ms)\n", (double)r->latency_us / 1000.0);
}

/* One frame of the stream: kind 't' tensor, 'p' partial-allowed tensor, 'd' degraded-allowed,
 * 'r' tensor referencing the cached camera block, 'k' token prompt, 'e' structured event. */
static int submit(nnrp_client *c, char kind, uint32_t *id) {
  static const nnrp_vec luma[4] = {{(const uint8_t *)"luma-0", 6},
                                   {(const uint8_t *)"luma-1", 6},
                                   {(const uint8_t *)"luma-2", 6},
                                   {(const uint8_t *)"luma-3", 6}};
  static const nnrp_tensor_section_data section = {
      .role_id = 1, .dtype_id = NNRP_DTYPE_UINT8, .tile_payloads = luma, .tile_payload_count = 4};
  static const char prompt[] = "describe the scene";
  static const char event[] = "{\"sensor\":\"door\",\"state\":\"open\"}";
  nnrp_frame_submit_input in;
  nnrp_frame_submit_input_init(&in);
  nnrp_typed_frame typed;
  nnrp_object_ref ref = {
      .object_kind = NNRP_OBJECT_CAMERA_BLOCK, .cache_namespace = 1, .cache_key_lo = 7};
  if (kind == 'k' || kind == 'e') {
    typed = (nnrp_typed_frame){
        kind == 'k' ? NNRP_PAYLOAD_TOKEN_CHUNK : NNRP_PAYLOAD_STRUCTURED_EVENT, 0, 0,
        kind == 'k' ? (nnrp_vec){(const uint8_t *)prompt, sizeof prompt - 1}
                    : (nnrp_vec){(const uint8_t *)event, sizeof event - 1}};
    in.frames = &typed, in.frame_count = 1;
  } else {
    in.src_width = 64, in.src_height = 64, in.tile_width = 32, in.tile_height = 32;
    in.tile_ids = tiles, in.tile_id_count = 4;
    in.sections = &section, in.section_count = 1;
    in.input_profile = NNRP_INPUT_DENSE_LUMA_FRAME;
    in.camera_block = (nnrp_vec){(const uint8_t *)"camera!!", 8};
    in.budget_policy = kind == 'p'   ? NNRP_BUDGET_ALLOW_PARTIAL
                       : kind == 'd' ? NNRP_BUDGET_ALLOW_DEGRADED
                                     : 0;
    if (kind == 'r') {
      in.camera_block = (nnrp_vec){NULL, 0};
      in.submit_mode = NNRP_SUBMIT_MIXED;
      in.object_ref_mask = NNRP_REF_CAMERA_BLOCK;
      in.camera_reference = &ref;
    }
  }
  return nnrp_client_submit(c, &in, 0, id);
}

static int run_session(const char *tag, uint32_t transport, uint16_t port, const char *ca) {
  nnrp_loop *loop;
  nnrp_client *c;
  nnrp_client_options o;
  nnrp_client_options_default(&o);
  o.transport = transport;
  o.tcp_port = o.quic_port = port;
  o.tls.ca_file = ca; /* verification stays on: the demo trusts its own development CA */
  o.settings.client.hello.supported_payload_kind_bitmap = NNRP_PAYLOAD_KNOWN;
  o.settings.client.hello.latency_budget_ms = 5000;
  if (nnrp_loop_new(&loop) != 0) return 1;
  int rc = nnrp_client_connect(&c, loop, &o);
  if (rc) {
    fprintf(stderr, "%s: connect failed: %s\n", tag, nnrp_strerror(rc));
    nnrp_loop_del(loop);
    return 1;
  }
  const nnrp_negotiated *neg = nnrp_conn_negotiated(nnrp_client_conn(c));
  printf("  %s connected: session %u, up to %u frames in flight\n", tag, neg->session_id,
         neg->ack.max_concurrent_frames);

  static const char camera[] = "fov=70 pos=(1,2,3)";
  nnrp_cache_put_meta put = {.cache_namespace = 1,
                             .cache_key_lo = 7,
                             .object_kind = NNRP_OBJECT_CAMERA_BLOCK,
                             .ttl_ms = 60000};
  nnrp_cache_ack_meta ack;
  rc = nnrp_client_cache_put(c, &put, (nnrp_vec){(const uint8_t *)camera, sizeof camera - 1}, 2000,
                             &ack);
  printf("  %s cache put: camera block ns=1 key=7 \"%s\" -> %s\n", tag, camera,
         rc                                  ? nnrp_strerror(rc)
         : ack.status == NNRP_CACHE_ACCEPTED ? "accepted"
                                             : "refused");

  const char *stream = "tpktedrt"; /* frames 1..8 */
  int delivered = 0, counts[4] = {0}, done = 0, total = (int)strlen(stream);
  for (int i = 0; i < total || done < total;) {
    uint32_t id;
    if (i < total && (rc = submit(c, stream[i], &id)) == 0) {
      printf("  %s submit frame %u %-16s (in flight: %zu)\n", tag, id, what[id],
             nnrp_conn_in_flight(nnrp_client_conn(c)));
      i++;
      continue;
    }
    if (i < total && rc != NNRP_ERR_WOULD_BLOCK) {
      fprintf(stderr, "%s: submit: %s\n", tag, nnrp_strerror(rc));
      break;
    }
    nnrp_client_result *r;
    if (nnrp_client_next_result(c, 5000, &r) != 0) break;
    print_result(tag, r);
    if (r->outcome == NNRP_OUTCOME_DELIVERED) delivered++, counts[r->result_class & 3]++;
    nnrp_client_result_free(r);
    done++;
  }
  rc = nnrp_client_close(c, "demo done", 3000);
  printf("  %s closed (%s): %d/%d delivered: %d complete, %d partial, %d degraded\n", tag,
         rc ? nnrp_strerror(rc) : "CLOSE sent and answered", delivered, total, counts[0], counts[1],
         counts[3]);
  nnrp_client_free(c);
  nnrp_loop_run_once(loop, 0);
  nnrp_loop_del(loop);
  return delivered == total ? 0 : 1;
}

int main(void) {
  char dir[] = "/tmp/nnrp-demo-XXXXXX", cert[64], key[64];
  if (!mkdtemp(dir)) return 1;
  snprintf(cert, sizeof cert, "%s/cert.pem", dir);
  snprintf(key, sizeof key, "%s/key.pem", dir);
  int rc = nnrp_tls_make_dev_cert(cert, key, "127.0.0.1");
  if (rc) {
    fprintf(stderr, "cannot make a development certificate: %s\n", nnrp_strerror(rc));
    return 1;
  }
  nnrp_loop *loop;
  nnrp_server *srv;
  nnrp_server_options so;
  nnrp_server_options_default(&so);
  so.tcp_port = 0, so.quic_port = 0; /* the OS picks free ports */
  so.tls.cert_file = cert, so.tls.key_file = key;
  so.settings.server.max_concurrent_frames = 4;
  so.settings.server.payload_kind_bitmap = NNRP_PAYLOAD_KNOWN;
  so.handler.on_submit = infer;
  if (nnrp_loop_new(&loop) != 0 || (rc = nnrp_server_new(&srv, loop, &so)) != 0) {
    fprintf(stderr, "server: %s\n", nnrp_strerror(rc));
    return 1;
  }
  uint16_t qport = nnrp_server_port(srv, NNRP_TRANSPORT_QUIC, 0);
  uint16_t tport = nnrp_server_port(srv, NNRP_TRANSPORT_TCP, 0);
  printf("libnnrp live demo: one server, two sessions on 127.0.0.1\n");
  printf(
      "server: QUIC on udp/%u (ALPN nnrp/1), TCP on tcp/%u; a development certificate was "
      "generated in %s (the client trusts it as its CA)\n",
      qport, tport, dir);
  pthread_t th;
  pthread_create(&th, NULL, serve, loop);
  int failed = 0;
  printf("\n== session over QUIC ==\n");
  failed |= run_session("[quic]", NNRP_TRANSPORT_QUIC, qport, cert);
  printf("\n== session over TCP ==\n");
  failed |= run_session("[tcp] ", NNRP_TRANSPORT_TCP, tport, cert);
  nnrp_loop_stop(loop);
  pthread_join(th, NULL);
  printf("\nserver: %llu sessions served\n", (unsigned long long)nnrp_server_sessions_opened(srv));
  nnrp_server_free(srv);
  nnrp_loop_run_once(loop, 0);
  nnrp_loop_del(loop);
  unlink(cert), unlink(key), rmdir(dir);
  return failed;
}
