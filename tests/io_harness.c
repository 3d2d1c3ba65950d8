/* Server thread, bindings and certificates for the io tests (see io_harness.h). */
#define _GNU_SOURCE
#include "io_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libnnrp/tls.h>

const io_binding io_tcp = {NNRP_TRANSPORT_TCP, 0, "tcp"};
const io_binding io_tls = {NNRP_TRANSPORT_TCP, 1, "tcp+tls"};
const io_binding io_quic = {NNRP_TRANSPORT_QUIC, 0, "quic"};

static char cert_path[256], key_path[256];
static int cert_state; /* 0 not tried, 1 made, -1 failed */

static void remove_cert(void) {
  unlink(cert_path);
  unlink(key_path);
  char dir[256];
  snprintf(dir, sizeof dir, "%s", cert_path);
  char *slash = strrchr(dir, '/');
  if (slash) {
    *slash = 0;
    rmdir(dir);
  }
}

static void make_cert(void) {
  if (cert_state) return;
  char dir[] = "/tmp/nnrp-io-test-XXXXXX";
  if (!mkdtemp(dir)) {
    cert_state = -1;
    return;
  }
  snprintf(cert_path, sizeof cert_path, "%s/cert.pem", dir);
  snprintf(key_path, sizeof key_path, "%s/key.pem", dir);
  cert_state = nnrp_tls_make_dev_cert(cert_path, key_path, "127.0.0.1") == 0 ? 1 : -1;
  atexit(remove_cert);
}

const char *io_dev_cert(void) {
  make_cert();
  return cert_state > 0 ? cert_path : NULL;
}

const char *io_dev_key(void) {
  make_cert();
  return cert_state > 0 ? key_path : NULL;
}

static int default_submit(io_srv *s, nnrp_server_session *ss, const nnrp_submit *sub) {
  (void)s;
  nnrp_result_push_input in;
  io_result_input(&in, sub->frame_id, sub->view_id);
  return nnrp_server_send_result(ss, &in, 0);
}

static int h_submit(nnrp_server_session *ss, const nnrp_submit *sub, void *user) {
  io_srv *s = user;
  s->last_session = ss;
  atomic_fetch_add(&s->submits, 1);
  for (size_t i = 0; i < sub->object_count; i++) {
    size_t n = sub->objects[i].bytes.len;
    if (n > sizeof s->last_object) n = sizeof s->last_object;
    memcpy(s->last_object, sub->objects[i].bytes.base, n);
    atomic_store(&s->last_object_len, (unsigned)n);
    atomic_fetch_add(&s->objects_seen, 1);
  }
  int rc = (s->on_submit ? s->on_submit : default_submit)(s, ss, sub);
  return rc < 0 && rc != NNRP_ERR_CALLBACK ? 0 : rc; /* a refused answer is the test's check */
}

static void h_session(nnrp_server_session *ss, nnrp_session_event ev, void *user) {
  io_srv *s = user;
  if (ev == NNRP_SESSION_OPENED) {
    s->last_session = ss;
    atomic_fetch_add(&s->opened, 1);
  }
  if (ev == NNRP_SESSION_MIGRATED) atomic_fetch_add(&s->migrated, 1);
  if (ev == NNRP_SESSION_CLOSED) {
    if (s->last_session == ss) s->last_session = NULL;
    /* Frames held for this session can no longer be answered. */
    size_t k = 0;
    for (size_t i = 0; i < s->held_count; i++)
      if (s->held[i].ss != ss) s->held[k++] = s->held[i];
    s->held_count = k;
    atomic_fetch_add(&s->closed, 1);
  }
}

static void h_frame_closed(nnrp_server_session *ss, const nnrp_frame_outcome *o, void *user) {
  (void)ss;
  io_srv *s = user;
  atomic_fetch_add(&s->frames_closed, 1);
  if (o->outcome == NNRP_OUTCOME_CANCELLED) atomic_fetch_add(&s->cancelled, 1);
}

static void h_cache_put(nnrp_server_session *ss, const nnrp_cache_put_meta *m,
                        const nnrp_cache_ack_meta *ack, void *user) {
  (void)ss, (void)m, (void)ack;
  atomic_fetch_add(&((io_srv *)user)->cache_puts, 1);
}

void io_srv_options(io_srv *s) {
  memset(s, 0, sizeof *s);
  nnrp_server_options_default(&s->opt);
  s->opt.tcp_port = 0;
  const char *cert = io_dev_cert();
  if (cert) {
    s->opt.tls_port = 0;
    s->opt.quic_port = 0;
    s->opt.tls.cert_file = cert;
    s->opt.tls.key_file = io_dev_key();
  }
  s->opt.settings.server.max_concurrent_frames = 16;
  s->opt.settings.server.payload_kind_bitmap = NNRP_PAYLOAD_KNOWN;
  s->opt.handler.on_submit = h_submit;
  s->opt.handler.on_session = h_session;
  s->opt.handler.on_frame_closed = h_frame_closed;
  s->opt.handler.on_cache_put = h_cache_put;
  s->opt.user = s;
}

static void *thread_main(void *arg) {
  io_srv *s = arg;
  nnrp_loop_run(s->loop);
  return NULL;
}

int io_srv_start(io_srv *s) {
  s->opt.user = s;
  int rc = nnrp_loop_new(&s->loop);
  if (rc) return rc;
  rc = nnrp_server_new(&s->srv, s->loop, &s->opt);
  if (rc) {
    fprintf(stderr, "io_srv_start: %s\n", nnrp_err_name(rc));
    nnrp_loop_del(s->loop);
    s->loop = NULL;
    return rc;
  }
  return pthread_create(&s->thread, NULL, thread_main, s) == 0 ? 0 : NNRP_ERR_IO;
}

void io_srv_stop(io_srv *s) {
  if (!s->loop) return;
  nnrp_loop_stop(s->loop);
  pthread_join(s->thread, NULL);
  nnrp_server_free(s->srv);
  nnrp_loop_run_once(s->loop, 0); /* deferred frees */
  nnrp_loop_del(s->loop);
  s->loop = NULL;
}

typedef struct call {
  io_srv *s;
  void (*fn)(io_srv *s, void *arg);
  void *arg;
  atomic_int done;
} call;

static void run_call(void *arg) {
  call *c = arg;
  c->fn(c->s, c->arg);
  atomic_store(&c->done, 1);
}

void io_srv_call(io_srv *s, void (*fn)(io_srv *s, void *arg), void *arg) {
  call c = {s, fn, arg, 0};
  if (nnrp_loop_post(s->loop, run_call, &c) != 0) return;
  io_wait_count(&c.done, 1, 10000);
}

uint16_t io_srv_port(const io_srv *s, const io_binding *b) {
  return nnrp_server_port(s->srv, b->transport, b->tls);
}

void io_client_options(nnrp_client_options *o, const io_srv *s, const io_binding *b) {
  nnrp_client_options_default(o);
  o->transport = b->transport;
  o->tcp_tls = b->tls;
  o->tcp_port = nnrp_server_port(s->srv, NNRP_TRANSPORT_TCP, b->tls);
  o->quic_port = nnrp_server_port(s->srv, NNRP_TRANSPORT_QUIC, 0);
  o->tls.ca_file = io_dev_cert();
  o->connect_timeout_ms = 5000;
  o->settings.client.hello.supported_payload_kind_bitmap = NNRP_PAYLOAD_KNOWN;
  o->settings.client.hello.max_lane_count = 1;
  /* Frames take their deadline from the session budget (session §3.8): long enough that a
   * slow test machine never expires a frame the test holds on purpose. */
  o->settings.client.hello.latency_budget_ms = 30000;
}

static const uint16_t tiles[2] = {0, 1};
static const nnrp_vec in_payloads[2] = {{(const uint8_t *)"in-0", 4}, {(const uint8_t *)"in-1", 4}};
static const nnrp_vec out_payloads[2] = {{(const uint8_t *)"out0", 4},
                                         {(const uint8_t *)"out1", 4}};
static const nnrp_tensor_section_data in_section = {.role_id = 1,
                                                    .dtype_id = NNRP_DTYPE_UINT8,
                                                    .tile_payloads = in_payloads,
                                                    .tile_payload_count = 2};
static const nnrp_tensor_section_data out_section = {.role_id = 100,
                                                     .dtype_id = NNRP_DTYPE_UINT8,
                                                     .tile_payloads = out_payloads,
                                                     .tile_payload_count = 2};

void io_submit_input(nnrp_frame_submit_input *in) {
  nnrp_frame_submit_input_init(in);
  in->src_width = 64, in->src_height = 32, in->tile_width = 32, in->tile_height = 32;
  in->tile_ids = tiles, in->tile_id_count = 2;
  in->sections = &in_section, in->section_count = 1;
  in->input_profile = NNRP_INPUT_DENSE_LUMA_FRAME;
  in->budget_policy = NNRP_BUDGET_KNOWN;
}

void io_result_input(nnrp_result_push_input *in, uint32_t frame_id, uint16_t view_id) {
  nnrp_result_push_input_init(in);
  in->packet.frame_id = frame_id;
  in->packet.view_id = view_id;
  in->tile_ids = tiles, in->tile_id_count = 2;
  in->sections = &out_section, in->section_count = 1;
  in->active_profile_id = 1;
  in->inference_ms = 3, in->queue_ms = 1, in->server_total_ms = 4;
}

int io_wait_count(atomic_int *counter, int value, int timeout_ms) {
  for (int waited = 0; atomic_load(counter) < value; waited++) {
    if (waited >= timeout_ms) return 0;
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  return 1;
}
