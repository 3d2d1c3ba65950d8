/*
 * nnrp smoke (also installed as nnrp-quic-smoke): the reference bring-up command of
 * transport.md §8 — a client that handshakes, submits one frame and waits for its result, and
 * a server that serves exactly one such session — over QUIC (default) or cleartext TCP.
 * Output: nine key=value lines on standard output; notes on standard error.
 * Exit status: 0 success, 1 runtime failure, 2 usage error.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libnnrp/io.h>
#include <libnnrp/tls.h>

#include "cli.h"
#include "smoke.h"

const char cli_smoke_usage[] =
    "usage: nnrp smoke client [--host H] [--port P] [--requested-session-id N] [--frame-id N]\n"
    "                         [--timeout S] [--cafile F] [--verify-peer]\n"
    "                         [--tls-server-name NAME] [--transport quic|tcp]\n"
    "       nnrp smoke server-once [--host H] [--port P] [--certificate F --private-key F]\n"
    "                         [--session-id N] [--timeout S] [--transport quic|tcp]\n"
    "       (the same as nnrp-quic-smoke client | server-once ...)\n"
    "\n"
    "One NNRP/1 session on a real connection: CLIENT_HELLO -> SERVER_HELLO_ACK, one FRAME_SUBMIT\n"
    "(frame --frame-id, 3 tiles) -> one RESULT_PUSH (3 tiles), then CLOSE.  The server serves\n"
    "exactly one session.  Defaults: host 127.0.0.1, port 4433 for QUIC and 9444 for TCP,\n"
    "requested session 1, frame 101, granted session 7, timeout 10 s.\n"
    "  --transport      quic (default; ALPN nnrp/1) or tcp (cleartext, packets back to back)\n"
    "  --verify-peer    client: verify the server certificate (system roots + --cafile).\n"
    "                   Without it the smoke client does NOT verify (a development default,\n"
    "                   as in the reference command); a note on standard error says so.\n"
    "  --certificate, --private-key\n"
    "                   server, QUIC: PEM files; without them a self-signed development\n"
    "                   certificate is generated in a temporary folder (noted on stderr).\n"
    "\n"
    "Output (standard output), one per line: role, requested_session_id,\n"
    "negotiated_session_id, frame_id, control_stream_id, submit_stream_id, result_stream_id,\n"
    "submit_tile_count, result_tile_count.  QUIC stream ids are the real ones (control 0, first\n"
    "client unidirectional 2, first server unidirectional 3); TCP reports the reference's\n"
    "synthetic ids (0, 2, 2).\n"
    "Exit status: 0 success, 1 failure (timeout, refused, TLS, wrong message), 2 usage error.\n";

typedef struct smoke_args {
  int server;
  const char *host, *cafile, *cert, *key, *server_name;
  long port;
  unsigned long requested, frame_id, session_id;
  double timeout;
  int verify, tcp;
} smoke_args;

static int parse_uint(const char *s, unsigned long max, unsigned long *out) {
  char *end;
  unsigned long v = strtoul(s, &end, 0);
  if (!*s || *end || v > max || s[0] == '-') return -1;
  *out = v;
  return 0;
}

static int parse(const char *cmd, int argc, char **argv, smoke_args *a) {
  memset(a, 0, sizeof *a);
  a->host = "127.0.0.1", a->port = -1, a->requested = 1, a->frame_id = 101, a->session_id = 7;
  a->timeout = 10.0;
  if (argc < 2) return cli_usage_error(cmd, "a subcommand is required: client or server-once");
  if (strcmp(argv[1], "server-once") == 0)
    a->server = 1;
  else if (strcmp(argv[1], "client") != 0)
    return cli_usage_error(cmd, "unknown subcommand '%s'", argv[1]);
  for (int i = 2; i < argc; i++) {
    const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    unsigned long n;
    if (strcmp(o, "--verify-peer") == 0 && !a->server) {
      a->verify = 1;
      continue;
    }
    if (!v) return cli_usage_error(cmd, "unknown option or missing value: %s", o);
    i++;
    if (strcmp(o, "--host") == 0)
      a->host = v;
    else if (strcmp(o, "--port") == 0 && parse_uint(v, 65535, &n) == 0)
      a->port = (long)n;
    else if (strcmp(o, "--timeout") == 0 && (a->timeout = strtod(v, NULL)) > 0)
      continue;
    else if (strcmp(o, "--transport") == 0 && (!strcmp(v, "quic") || !strcmp(v, "tcp")))
      a->tcp = strcmp(v, "tcp") == 0;
    else if (!a->server && strcmp(o, "--requested-session-id") == 0 &&
             parse_uint(v, 0xFFFFFFFFul, &a->requested) == 0)
      continue;
    else if (!a->server && strcmp(o, "--frame-id") == 0 &&
             parse_uint(v, 0xFFFFFFFFul, &a->frame_id) == 0 && a->frame_id)
      continue;
    else if (!a->server && strcmp(o, "--cafile") == 0)
      a->cafile = v;
    else if (!a->server && strcmp(o, "--tls-server-name") == 0)
      a->server_name = v;
    else if (a->server && strcmp(o, "--certificate") == 0)
      a->cert = v;
    else if (a->server && strcmp(o, "--private-key") == 0)
      a->key = v;
    else if (a->server && strcmp(o, "--session-id") == 0 &&
             parse_uint(v, 0xFFFFFFFFul, &a->session_id) == 0 && a->session_id)
      continue;
    else
      return cli_usage_error(cmd, "bad option or value: %s %s", o, v);
  }
  if (!a->cert != !a->key)
    return cli_usage_error(cmd, "--certificate and --private-key go together");
  if (a->port < 0) a->port = a->tcp ? 9444 : 4433;
  return CLI_OK;
}

static void transcript(int server, unsigned long requested, uint32_t negotiated, uint32_t frame_id,
                       int tcp, unsigned submit_tiles, unsigned result_tiles) {
  printf("role=%s\nrequested_session_id=%lu\nnegotiated_session_id=%u\nframe_id=%u\n",
         server ? "server" : "client", requested, negotiated, frame_id);
  printf("control_stream_id=0\nsubmit_stream_id=2\nresult_stream_id=%d\n", tcp ? 2 : 3);
  printf("submit_tile_count=%u\nresult_tile_count=%u\n", submit_tiles, result_tiles);
}

static const uint16_t tiles[3] = {0, 1, 2};

/* ---- client ------------------------------------------------------------------------------------
 */

static int run_client(const char *cmd, const smoke_args *a) {
  nnrp_client_options o;
  nnrp_client_options_default(&o);
  o.host = a->host;
  o.transport = a->tcp ? NNRP_TRANSPORT_TCP : NNRP_TRANSPORT_QUIC;
  o.tcp_port = o.quic_port = (uint16_t)a->port;
  o.connect_timeout_ms = (uint32_t)(a->timeout * 1000);
  o.tls.ca_file = a->cafile;
  o.tls.server_name = a->server_name;
  o.tls.insecure_skip_verify = !a->verify;
  if (!a->tcp && !a->verify)
    fprintf(stderr,
            "note: server certificate NOT verified (smoke client development default; "
            "--verify-peer turns verification on)\n");
  nnrp_client_hello_meta *h = &o.settings.client.hello; /* the reference smoke hello, §8.2 */
  h->supported_codec_bitmap = 0x3, h->supported_compression_bitmap = 0x3;
  h->supported_dtype_bitmap = 0x1F, h->supported_layout_bitmap = 0x3;
  h->cache_object_bitmap = 0x0007, h->max_cache_entries = 256, h->max_cache_bytes = 8u << 20;
  h->target_cadence_x100 = 6000, h->latency_budget_ms = 50, h->quality_tier = 2;
  h->requested_session_id = (uint32_t)a->requested;
  nnrp_loop *loop;
  nnrp_client *c = NULL;
  int rc = nnrp_loop_new(&loop);
  if (rc == 0) rc = nnrp_client_connect(&c, loop, &o);
  nnrp_client_result *r = NULL;
  if (rc == 0) {
    static const nnrp_vec pay[3] = {
        {(const uint8_t *)"\xaa", 1}, {(const uint8_t *)"\xbb", 1}, {(const uint8_t *)"\xcc", 1}};
    nnrp_tensor_section_data sec = {
        .role_id = 1, .dtype_id = NNRP_DTYPE_UINT8, .tile_payloads = pay, .tile_payload_count = 3};
    nnrp_frame_submit_input in;
    nnrp_frame_submit_input_init(&in);
    in.packet.frame_id = (uint32_t)a->frame_id;
    in.src_width = 640, in.src_height = 360, in.tile_width = 32, in.tile_height = 32;
    in.tile_ids = tiles, in.tile_id_count = 3, in.sections = &sec, in.section_count = 1;
    in.camera_block = (nnrp_vec){(const uint8_t *)"camera!!", 8};
    in.input_profile = NNRP_INPUT_DENSE_LUMA_FRAME;
    in.latency_budget_ms = 50, in.target_fps_x100 = 6000;
    /* Byte-identical to the reference smoke frame (transport §8.4), latency budget 50 ms
     * included: the engine ends the frame EXPIRED if no result comes within it. */
    rc = nnrp_client_submit(c, &in, 0, NULL);
    if (rc == 0)
      rc = nnrp_client_wait_result(c, (uint32_t)a->frame_id, 0, (int)(a->timeout * 1000), &r);
    if (rc == 0 && (r->outcome != NNRP_OUTCOME_DELIVERED || !r->has_packet)) {
      cli_error(cmd, "frame %lu ended %s, not with a RESULT_PUSH", a->frame_id,
                nnrp_outcome_name(r->outcome));
      rc = NNRP_ERR_PEER_ERROR;
    }
  }
  if (rc == 0) {
    transcript(0, a->requested, nnrp_conn_session_id(nnrp_client_conn(c)), r->frame_id, a->tcp, 3,
               r->packet.meta.result_push.tile_count);
    nnrp_client_close(c, "smoke-close", 1000);
  } else {
    cli_error(cmd, "client failed: %s (%s)", nnrp_err_name(rc), nnrp_strerror(rc));
  }
  nnrp_client_result_free(r);
  nnrp_client_free(c);
  if (loop) nnrp_loop_del(loop);
  return rc ? CLI_FAIL : CLI_OK;
}

/* ---- server ------------------------------------------------------------------------------------
 */

typedef struct server_state {
  const smoke_args *a;
  nnrp_loop *loop;
  uint32_t requested, negotiated, frame_id;
  unsigned submit_tiles, result_tiles;
  int answered, closed;
} server_state;

static uint32_t smoke_session_id(nnrp_server *srv, uint32_t requested, void *user) {
  (void)srv, (void)requested;
  return (uint32_t)((server_state *)user)->a->session_id;
}

static int smoke_submit(nnrp_server_session *ss, const nnrp_submit *sub, void *user) {
  server_state *st = user;
  static const nnrp_vec pay[3] = {
      {(const uint8_t *)"ra", 2}, {(const uint8_t *)"rb", 2}, {(const uint8_t *)"rc", 2}};
  nnrp_tensor_section_data sec = {
      .role_id = 100, .dtype_id = NNRP_DTYPE_UINT8, .tile_payloads = pay, .tile_payload_count = 3};
  nnrp_result_push_input in;
  nnrp_result_push_input_init(&in);
  in.packet.frame_id = sub->frame_id, in.packet.view_id = sub->view_id;
  in.tile_ids = tiles, in.tile_id_count = 3, in.sections = &sec, in.section_count = 1;
  in.active_profile_id = 1, in.inference_ms = 12, in.queue_ms = 2, in.server_total_ms = 14;
  const nnrp_negotiated *neg = nnrp_conn_negotiated(nnrp_server_session_conn(ss));
  st->requested = neg ? neg->hello.requested_session_id : 0;
  st->negotiated = nnrp_server_session_id(ss);
  st->frame_id = sub->frame_id;
  st->submit_tiles = sub->meta->tile_count;
  st->result_tiles = 3;
  int rc = nnrp_server_send_result(ss, &in, 0);
  st->answered = rc == 0;
  return rc;
}

static void smoke_session(nnrp_server_session *ss, nnrp_session_event ev, void *user) {
  (void)ss;
  if (ev == NNRP_SESSION_CLOSED) ((server_state *)user)->closed = 1;
}

static int run_server(const char *cmd, const smoke_args *a) {
  char dir[] = "/tmp/nnrp-smoke-XXXXXX", cert[64] = "", key[64] = "";
  server_state st = {.a = a};
  nnrp_server_options so;
  nnrp_server_options_default(&so);
  so.host = a->host;
  so.tcp_port = a->tcp ? (int)a->port : NNRP_PORT_OFF;
  so.quic_port = a->tcp ? NNRP_PORT_OFF : (int)a->port;
  so.tls.cert_file = a->cert, so.tls.key_file = a->key;
  if (!a->tcp && !a->cert) {
    if (!mkdtemp(dir)) return CLI_FAIL;
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    int rc = nnrp_tls_make_dev_cert(cert, key, a->host);
    if (rc) {
      cli_error(cmd, "cannot generate a development certificate: %s", nnrp_strerror(rc));
      rmdir(dir);
      return CLI_FAIL;
    }
    fprintf(stderr,
            "note: no --certificate given: using a generated self-signed development "
            "certificate (%s)\n",
            cert);
    so.tls.cert_file = cert, so.tls.key_file = key;
  }
  nnrp_server_settings *ss = &so.settings.server; /* the reference smoke ACK, §8.2 */
  ss->codec_bitmap = 0x3, ss->compression_bitmap = 0x3, ss->dtype_bitmap = 0x7;
  ss->layout_bitmap = 0x1, ss->cache_object_bitmap = 0x0007, ss->max_cache_entries = 16;
  ss->max_cache_bytes = 1u << 20, ss->max_concurrent_frames = 2, ss->max_body_bytes = 4u << 20;
  ss->token_ttl_ms = 300000;
  so.handler.on_submit = smoke_submit;
  so.handler.on_session = smoke_session;
  so.handler.session_id = smoke_session_id;
  so.user = &st;
  nnrp_server *srv = NULL;
  int rc = nnrp_loop_new(&st.loop);
  if (rc == 0) rc = nnrp_server_new(&srv, st.loop, &so);
  if (rc)
    cli_error(cmd, "cannot listen on %s port %ld: %s", a->tcp ? "tcp" : "udp", a->port,
              nnrp_strerror(rc));
  nnrp_tstamp end = nnrp_now() + (nnrp_tstamp)(a->timeout * 1e6);
  while (rc == 0 && !st.closed && nnrp_now() < end) {
    nnrp_loop_run_once(st.loop, 50);
    /* Served: the result went out; wait a moment for the client's CLOSE, then stop. */
    if (st.answered && end > nnrp_now() + 1000000) end = nnrp_now() + 1000000;
  }
  if (rc == 0 && !st.answered) {
    cli_error(cmd, "no session was served within %.1f s", a->timeout);
    rc = NNRP_ERR_TIMEOUT;
  }
  if (rc == 0)
    transcript(1, st.requested, st.negotiated, st.frame_id, a->tcp, st.submit_tiles,
               st.result_tiles);
  nnrp_server_free(srv);
  if (st.loop) {
    nnrp_loop_run_once(st.loop, 0);
    nnrp_loop_del(st.loop);
  }
  if (cert[0]) unlink(cert), unlink(key), rmdir(dir);
  return rc ? CLI_FAIL : CLI_OK;
}

int cli_cmd_smoke(int argc, char **argv) {
  const char *cmd = "smoke";
  smoke_args a;
  int rc = parse(cmd, argc, argv, &a);
  if (rc != CLI_OK) return rc;
  fflush(stdout);
  return a.server ? run_server(cmd, &a) : run_client(cmd, &a);
}
