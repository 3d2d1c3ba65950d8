/*
 * Test helper for the io layer: a server running its own loop in a thread, clients in the
 * test's thread, bindings (TCP, TCP+TLS, QUIC) as a parameter, development certificates
 * generated at run time, and the loopback cases shared by test_io_tcp / _tls / _quic.
 */
#ifndef NNRP_IO_HARNESS_H
#define NNRP_IO_HARNESS_H

#include <pthread.h>
#include <stdatomic.h>

#include <libnnrp/io.h>

typedef struct io_binding {
  uint32_t transport; /* NNRP_TRANSPORT_TCP / _QUIC */
  int tls;            /* TCP+TLS */
  const char *name;
} io_binding;

extern const io_binding io_tcp, io_tls, io_quic;

typedef struct io_srv io_srv;
/* The test's inference handler (server thread). */
typedef int (*io_submit_fn)(io_srv *s, nnrp_server_session *ss, const nnrp_submit *sub);

#define IO_MAX_HELD 4096

struct io_srv {
  nnrp_loop *loop;
  nnrp_server *srv;
  pthread_t thread;
  nnrp_server_options opt;
  io_submit_fn on_submit; /* NULL: answer complete at once */
  void *arg;              /* for the test */
  /* frames held by the handler for later answers (server thread only) */
  struct {
    nnrp_server_session *ss;
    uint32_t frame_id;
    uint16_t view_id;
  } held[IO_MAX_HELD];
  size_t held_count;
  nnrp_server_session *last_session; /* server thread only */
  /* observations, read by the test thread */
  atomic_int submits, opened, closed, migrated, cancelled, frames_closed, cache_puts;
  atomic_int objects_seen;
  atomic_uint last_object_len;
  char last_object[64];
};

/* Paths of a development certificate and key made once per test program (RSA 2048 with SAN
 * localhost + 127.0.0.1, through certtool when available); NULL when none could be made. */
const char *io_dev_cert(void);
const char *io_dev_key(void);

/* Defaults for a server on every listener the bindings need (127.0.0.1, OS ports,
 * max_concurrent_frames 16, cache on). */
void io_srv_options(io_srv *s);
/* Create the server (options in s->opt) and run its loop in a thread. */
int io_srv_start(io_srv *s);
/* Stop the thread and free the server (connections are cut). */
void io_srv_stop(io_srv *s);
/* Run fn(s, arg) on the server's thread and wait for it. */
void io_srv_call(io_srv *s, void (*fn)(io_srv *s, void *arg), void *arg);
uint16_t io_srv_port(const io_srv *s, const io_binding *b);

/* Client options for binding b against server s (certificate of io_dev_cert trusted). */
void io_client_options(nnrp_client_options *o, const io_srv *s, const io_binding *b);

/* A small tensor FRAME_SUBMIT input (2 tiles, one section) for frame 0 (auto id). */
void io_submit_input(nnrp_frame_submit_input *in);
/* A complete RESULT_PUSH input with 2 tiles answering (frame_id, view_id). */
void io_result_input(nnrp_result_push_input *in, uint32_t frame_id, uint16_t view_id);

/* Wait (sleeping) until *counter >= value or timeout_ms passes; 1 when reached. */
int io_wait_count(atomic_int *counter, int value, int timeout_ms);

/* The loopback cases, one per issue item; each returns the number of failed checks. */
void io_case_handshake(const io_binding *b);
void io_case_thousand_frames(const io_binding *b);
void io_case_result_classes(const io_binding *b);
void io_case_drop_and_cancel(const io_binding *b);
void io_case_flow_update(const io_binding *b);
void io_case_cache(const io_binding *b);
void io_case_graceful_close(const io_binding *b);
void io_case_peer_loss(const io_binding *b);
/* from -> to -> from, frames in flight at each switch. */
void io_case_migration(const io_binding *from, const io_binding *to);

#endif /* NNRP_IO_HARNESS_H */
