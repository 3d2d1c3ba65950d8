/*
 * libnnrp — io layer: real sessions over TCP, TCP+TLS and QUIC (transport.md, session.md §7).
 *
 * Library libnnrp_io (static and shared), built on the session engine of conn.h.  It adds what
 * the engine leaves to the host: sockets, TLS, QUIC, an epoll event loop with timers, a client
 * with a result router, a server that listens on TCP and QUIC at once, transport probing and
 * migration.  The core library libnnrp stays free of sockets and TLS.
 *
 * Two ways to use it:
 *  1. This header: create an nnrp_loop, then clients (nnrp_client_connect) and servers
 *     (nnrp_server_new) on it.  A server runs nnrp_loop_run(); a client's blocking calls
 *     (connect, wait_result, cache_put, migrate, close) run the loop themselves until their
 *     condition holds or their timeout passes.
 *  2. Your own loop: drive nnrp_conn (conn.h) directly — it is sans-I/O: feed it bytes and
 *     timestamps, send what nnrp_conn_output_peek() hands out, wake up at nnrp_conn_expiry().
 *
 * Threads.  An nnrp_loop and every object created on it (clients, servers, server sessions,
 * results still inside the router) belong to ONE thread at a time: the thread that calls
 * nnrp_loop_run / nnrp_loop_run_once or any blocking client call.  Only three functions may
 * be called from any thread: nnrp_loop_post(), nnrp_loop_stop() and nnrp_loop_wakeup(); use
 * nnrp_loop_post() to hand work (e.g. an inference result computed by a worker thread) to
 * the loop's thread, which then calls nnrp_server_send_result().  Distinct loops are fully
 * independent (a test may run a server loop in one thread and a client loop in another).
 * Result objects handed out by the client (nnrp_client_result) are owned by the caller and
 * may be read and freed from any thread.
 *
 * Re-entrancy.  Blocking client calls and nnrp_loop_run* must not be called from inside a
 * callback of the same loop (handler, posted function): they return NNRP_ERR_INVALID_STATE.
 * Server handler callbacks may call every nnrp_server_* send function.
 *
 * Return values: 0 or a negative NNRP_ERR_* code (errors.h), as everywhere in libnnrp.
 */
#ifndef LIBNNRP_IO_H
#define LIBNNRP_IO_H

#include <stddef.h>
#include <stdint.h>

#include <libnnrp/conn.h>
#include <libnnrp/probe.h>

#ifdef __cplusplus
extern "C" {
#endif

/* =============================================================================================
 * Event loop (epoll)
 * ============================================================================================= */

typedef struct nnrp_loop nnrp_loop;

/* The monotonic clock every io object uses, in microseconds (CLOCK_MONOTONIC). */
nnrp_tstamp nnrp_now(void);

int nnrp_loop_new(nnrp_loop **ploop);
/* Free the loop.  Clients and servers created on it must be freed first. */
void nnrp_loop_del(nnrp_loop *loop);
/* Run until nnrp_loop_stop().  Returns 0, or NNRP_ERR_IO when epoll fails. */
int nnrp_loop_run(nnrp_loop *loop);
/* One iteration: wait at most timeout_ms (-1 = until an event or timer, 0 = poll), dispatch
 * socket events, due timers and posted functions.  Returns the number of events handled. */
int nnrp_loop_run_once(nnrp_loop *loop, int timeout_ms);
/* Thread-safe: make nnrp_loop_run return after the current iteration. */
void nnrp_loop_stop(nnrp_loop *loop);
/* Thread-safe: interrupt a wait in nnrp_loop_run_once. */
void nnrp_loop_wakeup(nnrp_loop *loop);
/* Thread-safe: run fn(arg) on the loop's thread, in posting order, during its next iteration.
 * NNRP_ERR_NOMEM when the entry cannot be allocated. */
int nnrp_loop_post(nnrp_loop *loop, void (*fn)(void *arg), void *arg);

/* =============================================================================================
 * TLS (QUIC always; TCP when tls is on — ALPN nnrp/1 and nnrp/1-tcp, transport §2.1, §3.1)
 * ============================================================================================= */

typedef struct nnrp_tls_options {
  const char *cert_file;    /* server: PEM certificate chain (NULL: no TLS listener) */
  const char *key_file;     /* server: PEM private key */
  const char *ca_file;      /* client: extra trust anchors (PEM) besides the system roots */
  const char *server_name;  /* client: name to verify; sent as SNI when it is a DNS name.
                               NULL = the dial host */
  int insecure_skip_verify; /* client: accept any certificate (development only; off) */
} nnrp_tls_options;

/* =============================================================================================
 * Client
 * ============================================================================================= */

#define NNRP_IO_OPTIONS_VERSION 1u

typedef struct nnrp_client_options {
  uint32_t version;   /* NNRP_IO_OPTIONS_VERSION */
  const char *host;   /* numeric address or host name, e.g. "127.0.0.1" */
  uint16_t tcp_port;  /* 0: the same number as quic_port (transport §3.3) */
  uint16_t quic_port; /* 0: the same number as tcp_port */
  /* Binding: NNRP_TRANSPORT_TCP or NNRP_TRANSPORT_QUIC; NNRP_TRANSPORT_UNSPECIFIED only with
   * nnrp_client_connect_probe. */
  uint32_t transport;
  int tcp_tls;                 /* TCP+TLS 1.3 with ALPN nnrp/1-tcp instead of cleartext TCP */
  nnrp_tls_options tls;        /* for QUIC and TCP+TLS */
  nnrp_settings settings;      /* engine settings (client role); transport_id is set per binding */
  uint32_t connect_timeout_ms; /* TCP connect + TLS / QUIC handshake + SERVER_HELLO_ACK; 10 s */
  uint32_t idle_timeout_ms;    /* TCP read inactivity (0 = off), QUIC max idle; 120 s */
  uint32_t quic_keepalive_ms;  /* QUIC keep-alive; 10 s */
  /* Probing (transport §4.3, C9). */
  uint32_t probe_samples;       /* scored samples per binding; 3 */
  uint32_t probe_payload_bytes; /* 32 768 */
  uint32_t probe_timeout_ms;    /* ACK wait per sample, plus the connect timeout; 2 s */
  int probe_warmup;             /* one unscored warm-up sample first */
  uint32_t policy;              /* TransportPolicy for selection (wire-control §3.5); auto */
} nnrp_client_options;

/* Defaults: host 127.0.0.1, no ports, TCP cleartext, engine defaults for the client role,
 * timeouts as above, verification on. */
void nnrp_client_options_default(nnrp_client_options *o);

/* What probing found (transport §4.3-§4.5). */
typedef struct nnrp_probe_report {
  nnrp_probe_summary quic, tcp;
  nnrp_transport_id selected; /* 0 when probing failed */
  int error;                  /* 0 or NNRP_ERR_PROBE_NO_CANDIDATE */
  char reason[160];           /* one line: why `selected` won */
} nnrp_probe_report;

typedef struct nnrp_client nnrp_client;

/*
 * Connect on o->transport, send CLIENT_HELLO and wait for SERVER_HELLO_ACK (blocking, at most
 * connect_timeout_ms).  On success *pc is an ACTIVE session.  Errors: NNRP_ERR_RESOLVE,
 * NNRP_ERR_CONNECT, NNRP_ERR_TLS / _TLS_VERIFY / _TLS_ALPN, NNRP_ERR_TIMEOUT,
 * NNRP_ERR_PEER_ERROR (the server answered ERROR), NNRP_ERR_TRANSPORT_LOST, engine errors.
 */
int nnrp_client_connect(nnrp_client **pc, nnrp_loop *loop, const nnrp_client_options *o);

/*
 * Probe QUIC and TCP in parallel (one fresh connection per TRANSPORT_PROBE sample, samples of
 * a binding one after another), select by nnrp_probe_select() with o->policy, then connect on
 * the winner with extension 0x0101 {prefer_<winner>, winner} (force_<id> under a force
 * policy, which skips probing).  report (may be NULL) says what was measured and why.
 */
int nnrp_client_connect_probe(nnrp_client **pc, nnrp_loop *loop, const nnrp_client_options *o,
                              nnrp_probe_report *report);
/* Only the probing part (no session). */
int nnrp_probe_transports(nnrp_loop *loop, const nnrp_client_options *o, nnrp_probe_report *report);

/* The engine of the session: introspection (nnrp_conn_window, counters, negotiated values)
 * and the engine calls this header does not wrap (patch, ping), same thread rules. */
nnrp_conn *nnrp_client_conn(nnrp_client *c);
/* The binding of the primary path: NNRP_TRANSPORT_TCP or NNRP_TRANSPORT_QUIC. */
uint32_t nnrp_client_transport(const nnrp_client *c);

/*
 * Submit a frame (non-blocking; nnrp_conn_submit rules): the packet is queued and written as
 * far as the socket takes it.  Window and flow refusals come back as the engine's codes
 * (NNRP_ERR_WOULD_BLOCK, NNRP_ERR_FLOW_*); nothing is queued then.  *frame_id (may be NULL)
 * gets the id (allocated when in->packet.frame_id is 0).
 */
int nnrp_client_submit(nnrp_client *c, const nnrp_frame_submit_input *in, uint32_t flags,
                       uint32_t *frame_id);
/* Run the loop until a submit would be allowed, or timeout_ms passes (NNRP_ERR_TIMEOUT, or
 * the engine's refusal code when it still holds at the end). */
int nnrp_client_wait_writable(nnrp_client *c, int timeout_ms);

/*
 * One frame's terminal outcome, copied out of the engine's callback views.  Owned by the
 * caller: nnrp_client_result_free().
 */
typedef struct nnrp_client_result {
  uint32_t frame_id;
  uint16_t view_id;
  nnrp_outcome outcome; /* DELIVERED, DROPPED, REJECTED, CANCELLED, EXPIRED */
  nnrp_cause cause;
  nnrp_drop_reason reason; /* DROPPED */
  uint8_t result_class;    /* DELIVERED: NNRP_RESULT_* */
  uint32_t error_code;     /* REJECTED / EXPIRED by ERROR */
  uint32_t retry_after_ms;
  int has_hint;
  nnrp_result_hint_meta hint;
  /* DELIVERED only (has_packet): the RESULT_PUSH, decoded again from `bytes`, so every view
   * of `packet` (tensor sections, tile index, typed frames) points into `bytes`. */
  int has_packet;
  nnrp_packet packet;
  nnrp_vec bytes;
  uint32_t policy_violation; /* NNRP_VIOLATION_* */
  nnrp_tstamp latency_us;    /* submit -> result */
  uint32_t path;             /* path generation the result arrived on */
  size_t object_count;       /* resolved cache references of the body */
  const nnrp_vec *objects;   /* their bytes, copies owned by the result */
} nnrp_client_result;

void nnrp_client_result_free(nnrp_client_result *r);

/*
 * The result router (PY manage_results / CS ReceiveResultAsync): every outcome is kept under
 * (frame_id, view_id) until taken, so many frames stay in flight.  wait_result runs the loop
 * until the outcome of that key is there or timeout_ms passes (-1 = no limit): NNRP_ERR_TIMEOUT;
 * NNRP_ERR_CLOSED when the session ended and the key never got an outcome (frames in flight
 * at the end always get one: EXPIRED, cause SESSION_LOST).  next_result takes any outcome,
 * oldest first.  try_result does not wait (NNRP_ERR_WOULD_BLOCK).
 */
int nnrp_client_wait_result(nnrp_client *c, uint32_t frame_id, uint16_t view_id, int timeout_ms,
                            nnrp_client_result **out);
int nnrp_client_next_result(nnrp_client *c, int timeout_ms, nnrp_client_result **out);
int nnrp_client_try_result(nnrp_client *c, uint32_t frame_id, uint16_t view_id,
                           nnrp_client_result **out);
/* Outcomes waiting in the router. */
size_t nnrp_client_buffered(const nnrp_client *c);

/* FRAME_CANCEL; the CANCELLED outcome goes to the router at once. */
int nnrp_client_cancel(nnrp_client *c, uint32_t frame_id, uint16_t view_id);

/* FLOW_UPDATE to the server (advisory, session §4.4). */
int nnrp_client_flow_update(nnrp_client *c, const nnrp_flow_update_meta *m);
/* FLOW_UPDATEs received from the server so far (every one passed to the engine; the window is
 * nnrp_conn_window(nnrp_client_conn(c))), and the latest; wait_flow_update runs the loop until
 * the count exceeds `seen` or timeout_ms passes. */
uint64_t nnrp_client_flow_updates(const nnrp_client *c, nnrp_flow_update_meta *last);
int nnrp_client_wait_flow_update(nnrp_client *c, uint64_t seen, int timeout_ms);

/* CACHE_PUT and wait for the CACHE_ACK (ack may be NULL).  NNRP_ERR_TIMEOUT; the ACK's status
 * is in ack->status (REJECTED is not an error of this call). */
int nnrp_client_cache_put(nnrp_client *c, const nnrp_cache_put_meta *m, nnrp_vec object,
                          int timeout_ms, nnrp_cache_ack_meta *ack);
/* CACHE_INVALIDATE and wait for its CACHE_ACK. */
int nnrp_client_cache_invalidate(nnrp_client *c, const nnrp_cache_invalidate_meta *m,
                                 int timeout_ms, nnrp_cache_ack_meta *ack);

/*
 * Move the live session to the other binding (transport §5.2): open a new connection on
 * `transport_id` (TLS for TCP as configured), send SESSION_MIGRATE there, wait for the ACK.
 * Accepted: the new connection is the primary path, frames below resume_from_frame_id end
 * DROPPED (reason migration) unless their result still arrives on the old path within the
 * grace window, and the old connection is closed when the grace window ends.  Rejected or
 * failed: the old path stays primary; NNRP_ERR_MIGRATE_REJECTED / _TIMEOUT / _PEER_ERROR /
 * _SESSION_ID / connection errors.  NNRP_ERR_INVALID_ARGUMENT for the binding already in use
 * (before dialling); NNRP_ERR_INVALID_STATE when the session is not ACTIVE, or while an earlier
 * migration is pending or its old path is still in its grace window.  info (may be NULL) gets
 * the engine's telemetry.
 */
int nnrp_client_migrate(nnrp_client *c, uint32_t transport_id, uint32_t trigger, int timeout_ms,
                        nnrp_migration_info *info);

/* Run the loop for up to timeout_ms (0 = handle what is ready), e.g. to let results arrive. */
int nnrp_client_run(nnrp_client *c, int timeout_ms);

/*
 * Graceful close (transport §6.3, C8): CLOSE, then results of frames in flight are still
 * routed until they all finished, the server closed, or the drain timeout passed; then the
 * connection is shut down.  Outcomes left in the router stay takeable until nnrp_client_free.
 * Returns 0, or NNRP_ERR_TIMEOUT when timeout_ms ran out first (the session is then cut).
 */
int nnrp_client_close(nnrp_client *c, const char *reason, int timeout_ms);
/* The session state (CLOSED after close or transport loss). */
nnrp_session_state nnrp_client_state(const nnrp_client *c);
/* Why it ended (valid once CLOSED). */
nnrp_close_info nnrp_client_close_info(const nnrp_client *c);
/* Free everything; an open connection is cut without CLOSE (abrupt). */
void nnrp_client_free(nnrp_client *c);

/* =============================================================================================
 * Server
 * ============================================================================================= */

typedef struct nnrp_server nnrp_server;
typedef struct nnrp_server_session nnrp_server_session;

/* nnrp_server_handler.on_session events. */
typedef enum nnrp_session_event {
  NNRP_SESSION_OPENED = 0,   /* handshake completed (ACTIVE) */
  NNRP_SESSION_MIGRATED = 1, /* the session moved to a connection of another binding */
  NNRP_SESSION_CLOSED = 2    /* CLOSED; the handle is invalid after the callback returns */
} nnrp_session_event;

typedef struct nnrp_server_handler {
  /* An admitted FRAME_SUBMIT: answer with nnrp_server_send_result / _send_drop now or later
   * (the views of `sub` are valid during the call only). */
  int (*on_submit)(nnrp_server_session *s, const nnrp_submit *sub, void *user);
  /* Optional: session events. */
  void (*on_session)(nnrp_server_session *s, nnrp_session_event ev, void *user);
  /* Optional: the terminal outcome of every admitted frame (cancel, deadline, sent result). */
  void (*on_frame_closed)(nnrp_server_session *s, const nnrp_frame_outcome *o, void *user);
  /* Optional: a CACHE_PUT of the client was answered. */
  void (*on_cache_put)(nnrp_server_session *s, const nnrp_cache_put_meta *m,
                       const nnrp_cache_ack_meta *ack, void *user);
  /* Optional: choose the session id for a CLIENT_HELLO requesting `requested` (0 = assign).
   * Return the id, or 0 for the default (transport C17: the requested id when non-zero and
   * free, else a fresh non-zero id).  An id already in use is replaced by a fresh one. */
  uint32_t (*session_id)(nnrp_server *srv, uint32_t requested, void *user);
} nnrp_server_handler;

/* Listener switch: NNRP_PORT_OFF disables a listener, 0 lets the OS choose the port. */
#define NNRP_PORT_OFF (-1)

typedef struct nnrp_server_options {
  uint32_t version; /* NNRP_IO_OPTIONS_VERSION */
  const char *host; /* bind address; "127.0.0.1" by default */
  int tcp_port;     /* cleartext TCP; default 0 */
  int tls_port;     /* TCP+TLS (needs tls.cert_file); default NNRP_PORT_OFF */
  int quic_port;    /* QUIC (needs tls.cert_file); default NNRP_PORT_OFF */
  nnrp_tls_options tls;
  nnrp_settings settings; /* engine settings (server role) */
  nnrp_server_handler handler;
  void *user;               /* handed to every handler callback */
  uint32_t idle_timeout_ms; /* TCP read inactivity / QUIC max idle; 120 s (0 = off on TCP) */
  uint32_t orphan_ms;       /* a session whose connection broke waits this long for a
                               SESSION_MIGRATE (transport §6.5); 10 s */
  uint32_t max_sessions;    /* refuse further connections beyond this; 1024 */
} nnrp_server_options;

void nnrp_server_options_default(nnrp_server_options *o);

/* Bind every listener that is switched on and start accepting on `loop`. */
int nnrp_server_new(nnrp_server **ps, nnrp_loop *loop, const nnrp_server_options *o);
/* The bound port of a listener (transport NNRP_TRANSPORT_TCP with tls 0/1, or _QUIC), 0 when
 * that listener is off. */
uint16_t nnrp_server_port(const nnrp_server *s, uint32_t transport, int tls);
/* Live sessions (ACTIVE or DRAINING, orphans included). */
size_t nnrp_server_session_count(const nnrp_server *s);
/* Sessions opened since the server started. */
uint64_t nnrp_server_sessions_opened(const nnrp_server *s);
/* Cut every connection and free the server (no CLOSE is sent; see nnrp_server_shutdown). */
void nnrp_server_free(nnrp_server *s);
/* Send CLOSE on every session and stop accepting; sessions then drain and close. */
int nnrp_server_shutdown(nnrp_server *s, const char *reason);

/* Set result_class with the flags and applied_budget_policy the reference wrappers give it
 * (wire-data §12.2): partial = PARTIAL flag + allow_partial (coverage counts are the
 * caller's: covered + dropped = tiles, dropped > 0), stale_reuse = STALE flag +
 * allow_stale_reuse + reused_frame_id, degraded = FALLBACK flag + allow_degraded,
 * complete = no flag, no policy. */
void nnrp_result_input_set_class(nnrp_result_push_input *in, uint8_t result_class,
                                 uint32_t reused_frame_id);

/* RESULT_PUSH for an admitted frame (nnrp_conn_send_result rules; the class is whatever
 * in->result_class says — see nnrp_result_input_set_class). */
int nnrp_server_send_result(nnrp_server_session *s, const nnrp_result_push_input *in,
                            uint32_t flags);
/* RESULT_HINT (unless reason is NNRP_DROP_UNKNOWN) then RESULT_DROP. */
int nnrp_server_send_drop(nnrp_server_session *s, uint32_t frame_id, uint16_t view_id,
                          nnrp_drop_reason reason, uint32_t retry_after_ms);
int nnrp_server_send_hint(nnrp_server_session *s, uint32_t frame_id, uint16_t view_id,
                          const nnrp_result_hint_meta *m);
int nnrp_server_flow_update(nnrp_server_session *s, const nnrp_flow_update_meta *m);
/* CLOSE; the session drains (open frames dropped) and closes. */
int nnrp_server_session_close(nnrp_server_session *s, const char *reason);

nnrp_conn *nnrp_server_session_conn(nnrp_server_session *s);
uint32_t nnrp_server_session_id(const nnrp_server_session *s);
/* Binding of the session's current connection. */
uint32_t nnrp_server_session_transport(const nnrp_server_session *s);
nnrp_server *nnrp_server_session_server(nnrp_server_session *s);
void nnrp_server_session_set_user(nnrp_server_session *s, void *user);
void *nnrp_server_session_get_user(const nnrp_server_session *s);

#ifdef __cplusplus
}
#endif

#endif /* LIBNNRP_IO_H */
