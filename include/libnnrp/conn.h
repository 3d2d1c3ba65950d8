/*
 * libnnrp — conn layer: the sans-I/O NNRP/1 session engine.
 *
 * One nnrp_conn per session, client or server role (session spec §1-§7, transport spec §4-§6).
 * Bytes and time go in, events (through callbacks) and bytes to send come out; the engine never
 * opens a socket, reads a clock, sleeps or starts a thread, and keeps no global state.  Time is
 * a caller-supplied monotonic timestamp in microseconds (nnrp_tstamp), passed to every call that
 * may start or check a timer.
 *
 * A host's loop, whatever the transport:
 *
 *   nnrp_conn_client_new(&c, &settings, &callbacks, NULL, host);
 *   nnrp_conn_connect(c, now);                          // queues CLIENT_HELLO
 *   for (;;) {
 *     while (nnrp_conn_output_peek(c, &out)) {          // or nnrp_conn_write() on a byte stream
 *       send out.iov[0..out.iov_count) on the connection of out.path (stream by out.channel);
 *       nnrp_conn_output_pop(c);
 *     }
 *     wait for input or until nnrp_conn_expiry(c);
 *     nnrp_conn_read(c, bytes, n, now);                 // any split, any coalescing
 *     nnrp_conn_handle_expiry(c, now);
 *   }
 *
 * Ownership.  The conn owns everything it allocates (through the nnrp_mem given at creation).
 * Settings and callbacks are copied at creation; the auth bytes of the client settings are
 * copied too.  Input bytes are only borrowed during the read call: every view handed to a
 * callback (packets, results, submits, diagnostics, resolved cache objects) is valid only until
 * that callback returns — copy what you keep.  Output vectors are owned by the conn (see
 * nnrp_conn_output_peek); payloads submitted with NNRP_SEND_NO_COPY stay the caller's and must
 * stay valid and unchanged until the release_payload callback names them.
 *
 * Threads.  A conn is thread-compatible: one thread at a time per conn; distinct conns may be
 * used from distinct threads at once.  nnrp_conn_migrate_adopt() touches two conns: the caller
 * must own both.
 *
 * Re-entrancy.  Callbacks may call the send / submit / cancel / close / ping / cache / flow
 * functions of the same conn (a synchronous server may answer in recv_submit).  They must not
 * call nnrp_conn_read*, nnrp_conn_handle_expiry or nnrp_conn_del on it.  A callback returns 0,
 * or a negative value to abort: the call that invoked it then returns NNRP_ERR_CALLBACK and the
 * conn should be deleted.
 *
 * Return values.  Every int function returns 0 (or a documented non-negative value) or a
 * negative NNRP_ERR_* code.  Protocol violations by the peer are not errors of the read
 * functions: the engine answers them on the wire as the spec says (ERROR with code, scope and
 * fatality), records them (nnrp_conn_last_error_sent) and returns 0; read fails only when the
 * connection cannot continue (an undecodable byte stream, NOMEM, a callback abort).
 */
#ifndef LIBNNRP_CONN_H
#define LIBNNRP_CONN_H

#include <stddef.h>
#include <stdint.h>

#include <libnnrp/errors.h>
#include <libnnrp/wire.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Smallest accepted nnrp_settings.max_packet_bytes: room for a handshake message. */
#define NNRP_MIN_PACKET_BYTES 256u

/* Monotonic time in microseconds, from the caller's clock. */
typedef uint64_t nnrp_tstamp;
#define NNRP_TSTAMP_NEVER UINT64_MAX

/*
 * Allocator hooks.  Every conn object takes an optional nnrp_mem (NULL: the C library's);
 * tests use counting and failing allocators through it.
 */
typedef struct nnrp_mem {
  void *user;
  void *(*malloc)(size_t size, void *user);
  void (*free)(void *ptr, void *user);
  void *(*calloc)(size_t nmemb, size_t size, void *user);
  void *(*realloc)(void *ptr, size_t size, void *user);
} nnrp_mem;

/* The C library's allocator as an nnrp_mem. */
const nnrp_mem *nnrp_mem_default(void);

typedef enum nnrp_role { NNRP_ROLE_CLIENT = 0, NNRP_ROLE_SERVER = 1 } nnrp_role;

/* Session states (session.md §2.1); the numbers never go on the wire. */
typedef enum nnrp_session_state {
  NNRP_STATE_INIT = 0,
  NNRP_STATE_NEGOTIATING = 1,
  NNRP_STATE_ACTIVE = 2,
  NNRP_STATE_DRAINING = 3,
  NNRP_STATE_CLOSED = 4
} nnrp_session_state;

/* Frame states (session.md §3.2). */
typedef enum nnrp_frame_state {
  NNRP_FRAME_ANNOUNCED = 0,
  NNRP_FRAME_SUBMITTED = 1,
  NNRP_FRAME_PROCESSING = 2,
  NNRP_FRAME_READY = 3,
  NNRP_FRAME_DELIVERED = 4,
  NNRP_FRAME_DROPPED = 5,
  NNRP_FRAME_CANCELLED = 6,
  NNRP_FRAME_EXPIRED = 7
} nnrp_frame_state;

typedef struct nnrp_conn nnrp_conn;

/* =============================================================================================
 * Settings
 * ============================================================================================= */

#define NNRP_SETTINGS_VERSION 1u

/* Client side of the handshake (session §1.1, §1.5, §1.6). */
typedef struct nnrp_client_settings {
  /* The CLIENT_HELLO metadata as sent; auth_bytes and control_extension_bytes are computed. */
  nnrp_client_hello_meta hello;
  /* Extensions: each is sent only when its send_* flag is set. */
  int send_transport_policy;                  /* 0x0101 */
  nnrp_transport_policy_ext transport_policy; /* policy and preferred transport id */
  int send_loss_tolerance;                    /* 0x0103 (8-byte form) */
  uint8_t loss_tolerance;                     /* 0..3 */
  int send_payload_caps;                      /* 0x0105 */
  nnrp_payload_caps_ext payload_caps;         /* critical_extension_frame_bitmap must be 0 */
  /* Opaque auth block for the server's authenticator (copied at creation). */
  nnrp_vec auth;
  /* Upper bound of the in-flight table; the window is min(this, max_concurrent_frames). */
  uint32_t max_in_flight;
  /* Maximum number of recently finished keys remembered so that late or duplicate terminal
   * messages are discarded silently (session §3.5 tombstones). */
  uint32_t tombstones;
  /* Wait for SESSION_MIGRATE_ACK (transport §6.6). */
  uint32_t migrate_timeout_ms;
} nnrp_client_settings;

/* Server policy: what the server accepts and announces (session §1.2-§1.5, §2.5, §3, §4.4). */
typedef struct nnrp_server_settings {
  uint32_t profile_bitmap;      /* accepted profiles (0x1 tensor) */
  uint32_t payload_kind_bitmap; /* NNRP_PAYLOAD_* */
  uint32_t codec_bitmap;
  uint32_t compression_bitmap;
  uint32_t dtype_bitmap;
  uint32_t layout_bitmap;
  int cache_enabled;
  uint32_t cache_object_bitmap; /* bit (kind - 1), kinds 1..9 */
  uint32_t max_cache_entries;
  uint32_t max_cache_bytes;
  uint32_t max_cache_ttl_ms; /* cap on accepted TTLs, 0 = none */
  uint16_t max_lane_count;
  uint16_t max_concurrent_frames; /* >= 1; also the size of the admitted-frame table */
  uint32_t max_body_bytes;        /* announced; larger received bodies -> limit_exceeded */
  uint32_t token_ttl_ms;          /* announced unless the authenticator sets one */
  uint32_t server_flags;          /* extra ACK flags: NNRP_SERVER_SESSION_RESUME,
                                     NNRP_SERVER_PROFILE_PATCH_REQUIRED (cache flag computed) */
  /* Policy windows for the echoed hello values: 0 = no bound. */
  uint16_t min_cadence_x100, max_cadence_x100;
  uint16_t min_latency_budget_ms, max_latency_budget_ms;
  uint32_t quality_tier_mask;   /* bit n: tier n known (patch and hello) */
  uint32_t degrade_policy_mask; /* bit n: degrade_policy enum value n supported (0..3) */
  int can_retransmit;           /* 0: answer 0x0103 with best_effort */
  uint16_t active_profile_id;   /* the profile id SESSION_PATCH may name besides 0 */
  /* Send a session-scope FLOW_UPDATE grant (credit = max_concurrent_frames) after the ACK. */
  int grant_on_handshake;
  /* Frames stay SUBMITTED (queued) after recv_submit until nnrp_conn_frame_start(); when 1
   * (default) they become PROCESSING as soon as recv_submit returns. */
  int auto_start;
  /* Supersede policy U16: drop older queued droppable frames of a view on a newer one. */
  int supersede;
  /* Grace for the old connection after an accepted migration (transport §5.3). */
  uint32_t migrate_grace_window_ms;
} nnrp_server_settings;

typedef struct nnrp_settings {
  uint32_t version; /* NNRP_SETTINGS_VERSION */
  /* Binding this connection runs on: NNRP_TRANSPORT_QUIC / _TCP (0 = unknown). */
  uint32_t transport_id;
  /* Receive profile: NNRP_DECODE_* flags for every received packet (strict when 0). */
  uint32_t decode_flags;
  /* Hard limit for one received packet (header + metadata + body); above it the stream cannot
   * be trusted: ERROR limit_exceeded, connection scope, fatal (transport §10 C7).  Must be at
   * least NNRP_MIN_PACKET_BYTES (creation fails with NNRP_ERR_INVALID_ARGUMENT otherwise);
   * values beyond 40 + 0xFFFFFFFF are capped there. */
  uint64_t max_packet_bytes;
  uint32_t handshake_timeout_ms; /* default 10 000 (session §1.1) */
  uint32_t drain_timeout_ms;     /* default 5 000 (session §2.3) */
  uint32_t keepalive_ms;         /* PING after this much idle time; 0 = off (default) */
  /* No-copy sends: payloads of at least this many bytes are referenced, not copied. */
  uint32_t zero_copy_min;
  nnrp_client_settings client;
  nnrp_server_settings server;
} nnrp_settings;

/*
 * Defaults for a role: the values of session §1.6 / §1.3 choices.
 *  client: versions 1..1, wire format bitmap 0x1, profile 0x1, payload kinds TENSOR, codec and
 *   compression 0x1, dtypes uint8+fp16 (0x21), layout NHWC (0x1), cache digest 0x1, objects
 *   0x1FF, 1 namespace, 1 lane, 256 entries, 1 MiB, cadence 6000, latency 100 ms, quality 2,
 *   degrade 0, requested session id 0, no extensions; max_in_flight 256, 256 tombstones,
 *   migrate timeout 10 000 ms.
 *  server: profile 0x1, payload kinds TENSOR, codec/compression 0x1, dtypes 0x21, layout 0x1,
 *   cache on with objects 0x1FF, 256 entries, 1 MiB; 1 lane, 1 concurrent frame, 16 MiB
 *   bodies, token TTL 300 000 ms, all quality tiers 0..31, degrade policies 0..3, retransmit
 *   supported, active profile 0, no grant, auto start, supersede on, grace 1 000 ms.
 *  both: transport 0, strict decoding, 64 MiB packets, handshake 10 s, drain 5 s, no
 *   keep-alive, zero_copy_min 256.
 */
void nnrp_settings_default(nnrp_settings *s, nnrp_role role);

/* =============================================================================================
 * Events
 * ============================================================================================= */

/* Logical channel of a packet (transport §1): QUIC maps control to the bidirectional control
 * stream, submit / result to one unidirectional stream per packet; TCP sends all in order. */
typedef enum nnrp_channel {
  NNRP_CHANNEL_CONTROL = 0,
  NNRP_CHANNEL_SUBMIT = 1, /* FRAME_SUBMIT */
  NNRP_CHANNEL_RESULT = 2  /* RESULT_PUSH, RESULT_DROP */
} nnrp_channel;

/* Channel of a message type (the routing rule of transport §1). */
nnrp_channel nnrp_msg_channel(unsigned msg_type);

/* Terminal outcome of a frame as the host sees it (session §6.1). */
typedef enum nnrp_outcome {
  NNRP_OUTCOME_DELIVERED = 0, /* RESULT_PUSH: displayable, see result_class */
  NNRP_OUTCOME_DROPPED = 1,   /* RESULT_DROP (or a local drop: cache miss, bad body, migration) */
  NNRP_OUTCOME_REJECTED = 2,  /* frame-scope ERROR: never admitted */
  NNRP_OUTCOME_CANCELLED = 3, /* the client cancelled it */
  NNRP_OUTCOME_EXPIRED = 4    /* deadline passed, ERROR frame_expired, or the session was lost */
} nnrp_outcome;

/* Why an outcome happened (beyond the wire message). */
typedef enum nnrp_cause {
  NNRP_CAUSE_PEER = 0,         /* the terminal message from the peer (client) / host call */
  NNRP_CAUSE_DEADLINE = 1,     /* latency budget passed (§3.8) */
  NNRP_CAUSE_SESSION_LOST = 2, /* session closed, drain timeout or transport lost */
  NNRP_CAUSE_MIGRATION = 3,    /* below the resume floor of an accepted migration */
  NNRP_CAUSE_LOCAL_ERROR = 4,  /* the engine refused the result (cache miss, malformed body) */
  NNRP_CAUSE_SUPERSEDED = 5,   /* server: superseded by a newer frame or a retry */
  NNRP_CAUSE_CANCEL = 6,       /* server: FRAME_CANCEL received; client: host cancel */
  NNRP_CAUSE_HOST = 7          /* server: the host sent the terminal message */
} nnrp_cause;

/* Drop reason labels (RESULT_HINT reason, session §4.6) plus local causes. */
typedef enum nnrp_drop_reason {
  NNRP_DROP_UNKNOWN = 0, /* no frame hint arrived first (hint reason 0 = none) */
  NNRP_DROP_QUEUE_FULL = 1,
  NNRP_DROP_SERVER_BUSY = 2,
  NNRP_DROP_BUDGET_EXCEEDED = 3,
  NNRP_DROP_SUPERSEDED = 4,
  NNRP_DROP_MIGRATION = 5 /* local: below the migration resume floor */
} nnrp_drop_reason;

/* "queue_full", "server_busy", "budget_exceeded", "superseded", "migration", "unknown". */
const char *nnrp_drop_reason_name(nnrp_drop_reason reason);
/* "DELIVERED", "DROPPED", ... */
const char *nnrp_outcome_name(nnrp_outcome outcome);
/* "INIT", "NEGOTIATING", ... */
const char *nnrp_state_name(nnrp_session_state state);

/*
 * What the handshake settled (session §1.3): the CLIENT_HELLO as sent / received, the
 * SERVER_HELLO_ACK metadata and its extension answers.
 */
typedef struct nnrp_negotiated {
  uint32_t session_id;
  nnrp_client_hello_meta hello;
  nnrp_server_hello_ack_meta ack;
  uint32_t ack_extensions;                    /* NNRP_HELLO_HAS_* answered in the ACK */
  nnrp_transport_policy_ext transport_policy; /* 0x0102 when answered */
  uint8_t loss_tolerance;                     /* session level: 0x0104, else best_effort */
  nnrp_payload_caps_ext payload_caps;         /* 0x0106 when answered */
  int cache_enabled;
  uint32_t transport_id; /* binding the session was negotiated on */
} nnrp_negotiated;

/* A cached object resolved for a reference (session §5.5).  bytes: valid during the callback. */
typedef struct nnrp_resolved_object {
  nnrp_object_ref ref; /* as carried on the wire */
  nnrp_vec bytes;
  uint32_t codec_bitmap;
  uint32_t cache_flags; /* CACHE_PUT flags of the entry */
} nnrp_resolved_object;

/* Bits of nnrp_result.policy_violation (session §3.5: delivered, but flagged). */
#define NNRP_VIOLATION_BUDGET_POLICY 0x1u /* applied_budget_policy not within budget_policy */
#define NNRP_VIOLATION_PAYLOAD_KIND 0x2u  /* payload kinds outside the negotiated set */

/*
 * A delivered result (client, session §6.2).  Every pointer is valid during the callback only.
 * The tensor part, typed frames and extension frames are read from packet->data with the wire
 * iterators (nnrp_section_iter_*, nnrp_tile_iter_* with nnrp_result_tile_mode(meta),
 * nnrp_data_body_typed_frame, nnrp_data_body_ext_frame) or nnrp_result_typed_group().
 */
typedef struct nnrp_result {
  uint32_t session_id;
  uint32_t frame_id;
  uint16_t view_id;
  uint16_t route_id;
  uint64_t trace_id;
  uint32_t header_flags; /* STALE / CAN_DROP ... as received */
  const nnrp_packet *packet;
  const nnrp_result_push_meta *meta;   /* class, coverage, reused id, timing, payload set */
  uint8_t budget_policy;               /* the frame's FRAME_SUBMIT budget_policy */
  uint32_t policy_violation;           /* NNRP_VIOLATION_* */
  nnrp_tstamp latency_us;              /* submit -> result, client-measured */
  const nnrp_resolved_object *objects; /* references of the body, resolved */
  size_t object_count;
  nnrp_vec raw; /* the exact packet bytes */
  void *frame_user;
  uint32_t path; /* path generation the result arrived on */
} nnrp_result;

/* Typed frames of a data body with one kind (0 = any) and profile (-1 = any): count and total
 * payload bytes (session §6.2 typed part). */
void nnrp_result_typed_group(const nnrp_data_body *b, uint8_t kind, int profile_id, size_t *count,
                             size_t *bytes);

/* The end of a frame: exactly one per frame and role (client: every submitted frame; server:
 * every admitted frame). */
typedef struct nnrp_frame_outcome {
  uint32_t frame_id;
  uint16_t view_id;
  nnrp_outcome outcome;
  nnrp_cause cause;
  nnrp_drop_reason reason; /* DROPPED: label from the latest frame RESULT_HINT */
  int has_hint;            /* hint: the latest RESULT_HINT for the key */
  nnrp_result_hint_meta hint;
  uint32_t error_code; /* REJECTED / EXPIRED by ERROR: the peer's ERROR fields */
  uint32_t error_scope;
  uint32_t retry_after_ms;
  nnrp_vec diagnostic;  /* valid during the callback */
  int local_error;      /* NNRP_ERR_* when the engine decided (cache miss, ...) */
  uint8_t result_class; /* DELIVERED */
  void *frame_user;
} nnrp_frame_outcome;

/* An admitted FRAME_SUBMIT (server).  Views valid during the callback. */
typedef struct nnrp_submit {
  uint32_t frame_id;
  uint16_t view_id;
  const nnrp_packet *packet; /* header, meta.frame_submit, data body */
  const nnrp_frame_submit_meta *meta;
  uint8_t loss_tolerance;              /* effective level (§3.9): frame value or the session's */
  uint16_t budget_ms;                  /* effective latency budget (§3.8), 0 = none */
  nnrp_tstamp deadline;                /* receipt + budget, NNRP_TSTAMP_NEVER without budget */
  const nnrp_resolved_object *objects; /* references resolved at admission */
  size_t object_count;
  nnrp_vec raw;
} nnrp_submit;

/* One TRANSPORT_PROBE sample (transport §4.2). */
typedef struct nnrp_probe_sample {
  uint32_t probe_id;
  uint32_t payload_bytes;
  nnrp_tstamp rtt_us; /* max(ack receipt - send, 1) */
  double throughput;  /* payload_bytes * 1e6 / rtt_us, bytes per second */
  uint64_t server_recv_ts_us;
  int error; /* 0, or NNRP_ERR_FRAME_UNKNOWN for an unmatched probe_id */
} nnrp_probe_sample;

/* Migration telemetry (session §9, transport §5). */
typedef struct nnrp_migration_info {
  uint32_t path; /* generation of the new path (client) */
  uint32_t old_path;
  uint32_t old_transport_id;
  uint32_t new_transport_id;
  uint32_t trigger; /* host-chosen reason code given to migrate_begin */
  int accepted;
  uint32_t accept_code; /* 0 accepted; 1 unknown session, 2 not ACTIVE, 3 transport ids,
                           4 not allowed / busy (server choices) */
  int error;            /* 0, NNRP_ERR_MIGRATE_REJECTED, NNRP_ERR_TIMEOUT,
                           NNRP_ERR_PEER_ERROR, NNRP_ERR_SESSION_ID */
  uint64_t last_result_frame_id;
  uint64_t resume_from_frame_id;
  uint32_t grace_window_ms;
  nnrp_tstamp duration_us;   /* begin -> ACK (client) */
  size_t frames_below_floor; /* reported DROPPED with reason migration */
} nnrp_migration_info;

/* Why a conn reached CLOSED. */
typedef enum nnrp_close_cause {
  NNRP_CLOSE_LOCAL = 0,      /* both CLOSE sent and received, or local close before ACTIVE */
  NNRP_CLOSE_PEER = 1,       /* the peer closed before ACTIVE */
  NNRP_CLOSE_ERROR_SENT = 2, /* this side sent a fatal ERROR */
  NNRP_CLOSE_ERROR_RECEIVED = 3,
  NNRP_CLOSE_HANDSHAKE_TIMEOUT = 4,
  NNRP_CLOSE_DRAIN_TIMEOUT = 5,
  NNRP_CLOSE_TRANSPORT_LOST = 6,
  NNRP_CLOSE_MIGRATED = 7,        /* server: the session moved to another conn (grace over) */
  NNRP_CLOSE_HANDSHAKE_FAILED = 8 /* client: the ACK failed a local check */
} nnrp_close_cause;

typedef struct nnrp_close_info {
  nnrp_close_cause cause;
  int error; /* NNRP_ERR_* behind the cause, 0 for an orderly close */
} nnrp_close_info;

/* A failure sent or received as ERROR, or decided locally (session §2.6 "last failure"). */
typedef struct nnrp_failure {
  int valid;
  int local_error;      /* NNRP_ERR_* that caused it (0 when received) */
  nnrp_error_meta meta; /* code, scope, fatal, retry, related ids */
  uint64_t trace_id;
} nnrp_failure;

#define NNRP_CALLBACKS_VERSION 1u

/*
 * Callbacks.  Every member may be NULL.  Each receives the conn and the user pointer given at
 * creation (nnrp_conn_get_user).
 */
typedef struct nnrp_callbacks {
  uint32_t version; /* NNRP_CALLBACKS_VERSION */

  /* Both roles: the session is ACTIVE (client: the ACK passed §1.3 checks 1-5). */
  int (*handshake_completed)(nnrp_conn *conn, const nnrp_negotiated *neg, void *user);
  /* Client: a RESULT_PUSH for an in-flight frame; frame_closed(DELIVERED) follows. */
  int (*recv_result)(nnrp_conn *conn, const nnrp_result *r, void *user);
  /* Both roles: the frame's terminal outcome, exactly once per frame. */
  int (*frame_closed)(nnrp_conn *conn, const nnrp_frame_outcome *o, void *user);
  /* Server: an admitted FRAME_SUBMIT.  Answer with nnrp_conn_send_result / _send_drop, now or
   * later; attach host state with nnrp_conn_frame_set_user. */
  int (*recv_submit)(nnrp_conn *conn, const nnrp_submit *s, void *user);
  /* Both roles: every FLOW_UPDATE that passed the codec and binding checks; applied = 0 when
   * its epoch was stale (client) — the server only records it (advisory, §4.4). */
  int (*recv_flow_update)(nnrp_conn *conn, const nnrp_header *h, const nnrp_flow_update_meta *m,
                          int applied, void *user);
  /* Client: every RESULT_HINT (frame_id 0 = session-wide). */
  int (*recv_result_hint)(nnrp_conn *conn, const nnrp_header *h, const nnrp_result_hint_meta *m,
                          void *user);
  /* Client: the SESSION_PATCH_ACK of the outstanding patch (clamp NULL when absent), or
   * error != 0 when an ERROR / close failed the patch (ack NULL then). */
  int (*recv_patch_ack)(nnrp_conn *conn, const nnrp_session_patch_ack_meta *ack,
                        const nnrp_profile_patch *clamp, int error, void *user);
  /* Server: a SESSION_PATCH was evaluated and its ACK queued. */
  int (*patch_handled)(nnrp_conn *conn, const nnrp_session_patch_meta *req,
                       const nnrp_profile_patch *req_clamp, const nnrp_session_patch_ack_meta *ack,
                       const nnrp_profile_patch *ack_clamp, void *user);
  /* Holder: a peer's CACHE_PUT was processed and answered with `ack`. */
  int (*recv_cache_put)(nnrp_conn *conn, const nnrp_cache_put_meta *m,
                        const nnrp_cache_ack_meta *ack, void *user);
  /* Installer: the CACHE_ACK answering our CACHE_PUT (for_invalidate 0) or CACHE_INVALIDATE. */
  int (*recv_cache_ack)(nnrp_conn *conn, const nnrp_cache_ack_meta *m, int for_invalidate,
                        void *user);
  /* A peer's CACHE_INVALIDATE was applied (`removed` entries) and answered. */
  int (*recv_cache_invalidate)(nnrp_conn *conn, const nnrp_cache_invalidate_meta *m, size_t removed,
                               void *user);
  /* An entry this side holds for the peer expired (a scope-3 CACHE_INVALIDATE was queued). */
  int (*cache_expired)(nnrp_conn *conn, const nnrp_object_ref *key, void *user);
  /* Every ERROR received (after the engine applied it, §2.6). */
  int (*recv_error)(nnrp_conn *conn, const nnrp_error_meta *m, nnrp_vec diagnostic, void *user);
  /* A PONG answering nnrp_conn_ping (matched by trace id); rtt_us measured by the engine. */
  int (*recv_pong)(nnrp_conn *conn, uint64_t trace_id, nnrp_tstamp rtt_us, void *user);
  /* Client: a TRANSPORT_PROBE_ACK (or an unmatched one, error set). */
  int (*recv_probe_ack)(nnrp_conn *conn, const nnrp_probe_sample *sample, void *user);
  /* Server, fresh conn: the first packet is SESSION_MIGRATE.  Look the live session up by
   * h->session_id and call nnrp_conn_migrate_adopt() or nnrp_conn_migrate_reject(), inside
   * the callback or later.  Without this callback the migration is rejected (code 1). */
  int (*recv_migrate)(nnrp_conn *conn, const nnrp_header *h, const nnrp_session_migrate_meta *m,
                      void *user);
  /* Both roles: a migration finished (accepted, rejected or failed). */
  int (*migration)(nnrp_conn *conn, const nnrp_migration_info *info, void *user);
  /* Client: a path generation is no longer used (old path after its grace window, or a new
   * path whose migration failed): close that connection once its output is written. */
  int (*path_closed)(nnrp_conn *conn, uint32_t path, void *user);
  /* Both roles: every session state change. */
  int (*state_change)(nnrp_conn *conn, nnrp_session_state from, nnrp_session_state to, void *user);
  /* Both roles: CLOSED reached.  Write the remaining output, then close the transport. */
  int (*closed)(nnrp_conn *conn, const nnrp_close_info *info, void *user);
  /* A packet sent with NNRP_SEND_NO_COPY has been written (or discarded): its payloads are
   * the caller's again.  frame_user as given to submit (client) or set on the frame (server). */
  void (*release_payload)(nnrp_conn *conn, uint32_t frame_id, uint16_t view_id, void *frame_user,
                          void *user);

  /* Server policy hooks. */
  /* R6: accept (return 0) or reject (non-zero) the auth block; may set *token_ttl_ms. */
  int (*authenticate)(nnrp_conn *conn, const nnrp_client_hello_meta *hello, nnrp_vec auth,
                      uint32_t *token_ttl_ms, void *user);
  /* §1.4 / R14: choose the session id (never 0) for `requested` (0 = assign).  Return 0, or
   * NNRP_ERR_SERVER_BUSY (with *retry_after_ms) to refuse the session.  Default without the
   * hook: the requested id, or 1. */
  int (*session_id)(nnrp_conn *conn, uint32_t requested, uint32_t *id, uint32_t *retry_after_ms,
                    void *user);
} nnrp_callbacks;

/* Zero every member and set the version. */
void nnrp_callbacks_init(nnrp_callbacks *cb);

/* =============================================================================================
 * Lifecycle
 * ============================================================================================= */

/*
 * Create a conn (state INIT).  settings: NULL = nnrp_settings_default(role); its version must
 * be <= NNRP_SETTINGS_VERSION (NNRP_ERR_INVALID_ARGUMENT otherwise); callbacks likewise (NULL
 * = none).  mem: NULL = nnrp_mem_default().  user: passed to every callback.  The server
 * allocates its frame table here (max_concurrent_frames), the client when the ACK arrives.
 */
int nnrp_conn_client_new(nnrp_conn **pconn, const nnrp_settings *settings,
                         const nnrp_callbacks *callbacks, const nnrp_mem *mem, void *user);
int nnrp_conn_server_new(nnrp_conn **pconn, const nnrp_settings *settings,
                         const nnrp_callbacks *callbacks, const nnrp_mem *mem, void *user);
/* Free everything.  Queued no-copy packets are released (release_payload) first.  No frame
 * outcomes are reported: call nnrp_conn_transport_closed first if the host wants them. */
void nnrp_conn_del(nnrp_conn *conn);

void nnrp_conn_set_user(nnrp_conn *conn, void *user);
void *nnrp_conn_get_user(const nnrp_conn *conn);

/* =============================================================================================
 * Input
 * ============================================================================================= */

/* Bytes of the one byte stream of the primary path (TCP, or the QUIC control stream), split or
 * coalesced in any way.  Whole packets are decoded in place; only a trailing partial packet is
 * buffered (one buffer per path).  Other QUIC streams (one packet each) are reassembled by the
 * host and handed over with nnrp_conn_read_packet. */
int nnrp_conn_read(nnrp_conn *conn, const uint8_t *data, size_t len, nnrp_tstamp now);
/* One or more whole packets (a finished QUIC stream); a trailing partial packet is a fatal
 * malformed_header.  Does not touch the stream buffer of nnrp_conn_read. */
int nnrp_conn_read_packet(nnrp_conn *conn, const uint8_t *data, size_t len, nnrp_tstamp now);

#define NNRP_READ_WHOLE_PACKETS 0x1u
/* The general form: input of path generation `path` (see migration). */
int nnrp_conn_read_path(nnrp_conn *conn, uint32_t path, const uint8_t *data, size_t len,
                        uint32_t flags, nnrp_tstamp now);

/*
 * The transport of `path` is gone (EOF, reset, idle timeout).  On the primary path (with no
 * migration pending) the session ends: CLOSED, every open frame EXPIRED with cause
 * SESSION_LOST (§6.5).  A partially received packet is discarded.  On an old path in grace or
 * a pending new path only that path is dropped (a pending migration then fails).  A server that
 * keeps an orphaned session for a migration (transport §6.5, 10 s) simply does not report the
 * loss until its own orphan timer ends: the conn stays ACTIVE and can still be adopted.
 */
int nnrp_conn_transport_closed(nnrp_conn *conn, uint32_t path, nnrp_tstamp now);

/* =============================================================================================
 * Output
 * ============================================================================================= */

/* One queued packet. */
typedef struct nnrp_output {
  uint32_t path; /* path generation (0 until the first migration) */
  nnrp_channel channel;
  uint8_t msg_type;
  uint32_t frame_id; /* header ids, for stream mapping and logging */
  uint16_t view_id;
  const nnrp_vec *iov; /* the packet is iov[0] .. iov[iov_count - 1] */
  size_t iov_count;
  size_t len; /* total bytes */
} nnrp_output;

/*
 * The oldest queued packet: 1 and fills *out, 0 when nothing is queued (NNRP_ERR_NOMEM when the
 * vector array cannot grow).  The vectors point into
 * the conn's buffers (and, for no-copy sends, the caller's payloads); they stay valid until
 * nnrp_conn_output_pop or any call that queues output on this conn.  A packet partly written by
 * nnrp_conn_write is described from its first unwritten byte.
 */
int nnrp_conn_output_peek(nnrp_conn *conn, nnrp_output *out);
/* Remove the oldest packet (it was sent); releases no-copy payloads. */
void nnrp_conn_output_pop(nnrp_conn *conn);
/*
 * Byte-stream form: copy queued bytes into buf (at most cap), packets of one path only, packet
 * boundaries not preserved.  Returns the number of bytes written (0 = nothing queued) and
 * stores the path generation in *path (may be NULL).
 */
size_t nnrp_conn_write(nnrp_conn *conn, uint8_t *buf, size_t cap, uint32_t *path);
/* Bytes queued and not yet written. */
size_t nnrp_conn_output_pending(const nnrp_conn *conn);

/* =============================================================================================
 * Time
 * ============================================================================================= */

/* The next deadline (handshake, drain, frame budgets, hard timeouts, retry-after, keep-alive,
 * cache TTL, migration and grace timers), NNRP_TSTAMP_NEVER when none. */
nnrp_tstamp nnrp_conn_expiry(nnrp_conn *conn);
/* Run every timer due at `now`. */
int nnrp_conn_handle_expiry(nnrp_conn *conn, nnrp_tstamp now);

/* =============================================================================================
 * Client operations
 * ============================================================================================= */

/* Queue CLIENT_HELLO (built from settings.client): INIT -> NEGOTIATING.  NNRP_ERR_INVALID_STATE
 * outside INIT. */
int nnrp_conn_connect(nnrp_conn *conn, nnrp_tstamp now);

/* nnrp_conn_submit / nnrp_conn_send_result flags. */
#define NNRP_SEND_NO_COPY 0x1u /* reference payloads until release_payload instead of copying */

/*
 * Submit a frame (session §3, §4.2).  `in` is the FRAME_SUBMIT builder input: the engine fills
 * packet.session_id; packet.frame_id 0 = allocate the next id of the session counter (stored
 * in *frame_id, may be NULL); an explicit id must not be below the last id used (equal only for
 * another view of the same multi-view frame) nor below the migration floor.  typed frames select
 * the typed builder (mixed when tensor content is present too).  Refused, never queued, when:
 *   NNRP_ERR_INVALID_STATE (not ACTIVE), NNRP_ERR_FRAME_ID (zero/reused/decreasing/below floor),
 *   NNRP_ERR_VIEW_ID (outside the negotiated lanes / lane mask), NNRP_ERR_FLOW_PAUSED,
 *   NNRP_ERR_FLOW_HARD_BACKPRESSURE, NNRP_ERR_FLOW_DRAIN_ONLY, NNRP_ERR_FLOW_RETRY_WAIT,
 *   NNRP_ERR_WOULD_BLOCK (window full), a builder error.
 * frame_user is handed back in every event of the frame.  The deadline starts now (§3.8).
 */
int nnrp_conn_submit(nnrp_conn *conn, const nnrp_frame_submit_input *in, uint32_t flags,
                     void *frame_user, uint32_t *frame_id, nnrp_tstamp now);
/* Would a submit be allowed now (0) or why not (the codes above). */
int nnrp_conn_can_submit(nnrp_conn *conn, nnrp_tstamp now);

/* Cancel an in-flight frame (§3.6): FRAME_CANCEL is queued and frame_closed(CANCELLED) is
 * reported at once; the window slot stays held until a terminal message or the hard timeout.
 * NNRP_ERR_FRAME_UNKNOWN when the key is not in flight. */
int nnrp_conn_cancel(nnrp_conn *conn, uint32_t frame_id, uint16_t view_id, nnrp_tstamp now);

/* SESSION_PATCH (§2.5): one outstanding at a time (NNRP_ERR_PATCH_PENDING).  clamp may be
 * NULL; profile_patch_bytes is computed. */
int nnrp_conn_patch(nnrp_conn *conn, const nnrp_session_patch_meta *m,
                    const nnrp_profile_patch *clamp, uint64_t trace_id, nnrp_tstamp now);

/* TRANSPORT_PROBE on an INIT conn (transport §4.2): probe_id, payload_bytes of zero padding,
 * client_send_ts_us = now.  The ACK arrives as recv_probe_ack with the RTT. */
int nnrp_conn_probe(nnrp_conn *conn, uint32_t probe_id, uint32_t payload_bytes, nnrp_tstamp now);

/*
 * Start a migration of the ACTIVE session to a new connection (transport §5.2).  Exact steps:
 *  1. the host opens the new connection on new_transport_id (!= the current one);
 *  2. nnrp_conn_migrate_begin(): the engine allocates a new path generation (*path) and queues
 *     SESSION_MIGRATE (last_result_frame_id = highest frame id with a terminal result) as the
 *     first packet of that path; everything else keeps going out on the current path;
 *  3. the host writes output of `path` on the new connection and feeds its input with
 *     nnrp_conn_read_path(conn, path, ...), the old connection's with the old path number;
 *  4. on SESSION_MIGRATE_ACK accepted: the new path becomes primary, queued output moves to it,
 *     frames below resume_from_frame_id end DROPPED (reason migration) unless their result
 *     arrives on the old path within grace_window_ms, the frame-id counter jumps to the floor;
 *     when the grace ends path_closed(old path) tells the host to close the old connection;
 *  5. on rejection, ERROR, session-id mismatch or timeout: migration(info with error) and
 *     path_closed(new path); the old path stays primary.
 * NNRP_ERR_INVALID_STATE when not ACTIVE or a migration is pending; NNRP_ERR_INVALID_ARGUMENT
 * for a transport id not in {1, 2} or equal to the current one.
 */
int nnrp_conn_migrate_begin(nnrp_conn *conn, uint32_t new_transport_id, uint32_t trigger,
                            nnrp_tstamp now, uint32_t *path);

/* =============================================================================================
 * Both roles
 * ============================================================================================= */

/* Install an object in the peer's cache (§5.3); the engine keeps a copy of `object` and stores
 * it locally when the CACHE_ACK says accepted or replaced.  ACTIVE only. */
int nnrp_conn_cache_put(nnrp_conn *conn, const nnrp_cache_put_meta *m, nnrp_vec object,
                        nnrp_tstamp now);
/* CACHE_INVALIDATE (§5.4, any scope): removes matching local entries and tells the peer. */
int nnrp_conn_cache_invalidate(nnrp_conn *conn, const nnrp_cache_invalidate_meta *m,
                               nnrp_tstamp now);
/* Look a reference up in the local table; *bytes valid until the next call on the conn. */
int nnrp_conn_cache_lookup(nnrp_conn *conn, const nnrp_object_ref *ref, nnrp_tstamp now,
                           nnrp_vec *bytes);

/* FLOW_UPDATE (§4.4).  credit_epoch 0 = the next epoch of that scope.  The header session id is
 * set by scope (0 for connection scope). */
int nnrp_conn_send_flow_update(nnrp_conn *conn, const nnrp_flow_update_meta *m, nnrp_tstamp now);
/* PING; the PONG comes back as recv_pong with the RTT (matched by trace id). */
int nnrp_conn_ping(nnrp_conn *conn, uint64_t trace_id, nnrp_tstamp now);
/*
 * Close (§2.3).  Before ACTIVE: CLOSED at once, nothing sent.  ACTIVE: CLOSE is queued,
 * DRAINING; the server drops every open frame (RESULT_DROP); CLOSED once CLOSE went both ways
 * and no frame is open, or when the drain timeout passes (open frames EXPIRED).  DRAINING: a
 * second call ends at once (CLOSED).  CLOSED: NNRP_ERR_CLOSED.
 */
int nnrp_conn_close(nnrp_conn *conn, nnrp_vec reason, nnrp_tstamp now);

/* =============================================================================================
 * Server operations
 * ============================================================================================= */

/*
 * RESULT_PUSH for an admitted, non-terminal frame (packet.frame_id / view_id of `in`).  The
 * engine sets the header session id; typed frames select the typed / mixed builder.  Checked
 * before anything is queued: NNRP_ERR_FRAME_UNKNOWN (not admitted or already terminal),
 * NNRP_ERR_BUDGET_POLICY (applied_budget_policy not a subset of the frame's budget_policy),
 * NNRP_ERR_PAYLOAD_KIND (kinds outside the negotiated set), every builder rule (coverage
 * C2-C5 ...).  The frame becomes DELIVERED (frame_closed, cause HOST).
 */
int nnrp_conn_send_result(nnrp_conn *conn, const nnrp_result_push_input *in, uint32_t flags,
                          nnrp_tstamp now);
/* RESULT_HINT with `reason` (unless NNRP_DROP_UNKNOWN) then RESULT_DROP (§4.6): DROPPED. */
int nnrp_conn_send_drop(nnrp_conn *conn, uint32_t frame_id, uint16_t view_id,
                        nnrp_drop_reason reason, uint32_t retry_after_ms, nnrp_tstamp now);
/* A RESULT_HINT (frame_id 0 = session-wide); no state change. */
int nnrp_conn_send_hint(nnrp_conn *conn, uint32_t frame_id, uint16_t view_id,
                        const nnrp_result_hint_meta *m, nnrp_tstamp now);
/* SUBMITTED -> PROCESSING (only needed with settings.server.auto_start = 0). */
int nnrp_conn_frame_start(nnrp_conn *conn, uint32_t frame_id, uint16_t view_id);
/* -> READY: the result exists; FRAME_CANCEL no longer cancels it (§3.2). */
int nnrp_conn_frame_ready(nnrp_conn *conn, uint32_t frame_id, uint16_t view_id);
/* Attach host data to an open frame (both roles); handed back in its events. */
int nnrp_conn_frame_set_user(nnrp_conn *conn, uint32_t frame_id, uint16_t view_id,
                             void *frame_user);
/*
 * Overload switch (§1.2 R14, §2.5 step 4, §4.4).  busy != 0: new CLIENT_HELLOs get ERROR
 * server_busy, SESSION_PATCH is rejected with reason 5, FRAME_SUBMITs get RESULT_HINT
 * server_busy + ERROR server_busy, and an ACTIVE session is sent FLOW_UPDATE pause / hard
 * (with retry_after_ms); busy == 0 sends resume.
 */
int nnrp_conn_set_busy(nnrp_conn *conn, int busy, uint32_t retry_after_ms, nnrp_tstamp now);

/*
 * Migration, server side (transport §5.3).  Host steps:
 *  1. create a fresh server conn for every new connection; when its first packet is
 *     SESSION_MIGRATE the recv_migrate callback names the session id;
 *  2. find the live conn of that session (the host's table, keyed by nnrp_conn_session_id)
 *     and call nnrp_conn_migrate_adopt(fresh, live, now).  It validates: live is ACTIVE, the
 *     session ids match, old_transport_id == live's transport, new_transport_id == fresh's
 *     transport, ids in {1, 2} and different.  On success the session (frames, cache, flow,
 *     negotiated values, unsent output) moves into `fresh`, which queues SESSION_MIGRATE_ACK
 *     (accept 0, resume_from_frame_id per §5.3, grace) as its first packet and continues as
 *     the session; `live` keeps only a partly written packet, answers nothing, and reaches
 *     CLOSED (cause MIGRATED) when the grace window ends — then delete it.  Re-key the host
 *     table to `fresh`.  On a validation failure a rejecting ACK (code 2 or 3) is queued on
 *     `fresh`, which then closes; the return value is NNRP_ERR_MIGRATE_REJECTED.
 *  3. if no live session exists: nnrp_conn_migrate_reject(fresh, 1, now) (or 4 when not
 *     allowed); fresh queues the rejecting ACK and goes CLOSED — write it, then close.
 */
int nnrp_conn_migrate_adopt(nnrp_conn *fresh, nnrp_conn *live, nnrp_tstamp now);
int nnrp_conn_migrate_reject(nnrp_conn *fresh, uint32_t accept_code, nnrp_tstamp now);

/* =============================================================================================
 * Introspection
 * ============================================================================================= */

nnrp_role nnrp_conn_role(const nnrp_conn *conn);
nnrp_session_state nnrp_conn_state(const nnrp_conn *conn);
/* The negotiated session id, 0 before the handshake. */
uint32_t nnrp_conn_session_id(const nnrp_conn *conn);
/* The settled handshake, NULL before ACTIVE. */
const nnrp_negotiated *nnrp_conn_negotiated(const nnrp_conn *conn);
/* The primary path generation. */
uint32_t nnrp_conn_path(const nnrp_conn *conn);
/* The binding of the primary path. */
uint32_t nnrp_conn_transport_id(const nnrp_conn *conn);

/* One open frame. */
typedef struct nnrp_frame_info {
  uint32_t frame_id;
  uint16_t view_id;
  nnrp_frame_state state; /* client: SUBMITTED, or CANCELLED / EXPIRED while the slot is held */
  nnrp_tstamp submitted;  /* client: send time; server: receipt */
  nnrp_tstamp deadline;
  uint8_t budget_policy;
  void *frame_user;
} nnrp_frame_info;

/* Frames counted against the window (client) / admitted and not terminal (server). */
size_t nnrp_conn_in_flight(const nnrp_conn *conn);
/* Copy up to cap entries; returns the number of open frames. */
size_t nnrp_conn_in_flight_list(const nnrp_conn *conn, nnrp_frame_info *out, size_t cap);
/* 0 and *info, or NNRP_ERR_FRAME_UNKNOWN. */
int nnrp_conn_frame_info(const nnrp_conn *conn, uint32_t frame_id, uint16_t view_id,
                         nnrp_frame_info *info);

/* Flow-control view (§4.2). */
typedef struct nnrp_window_info {
  uint32_t max_concurrent_frames;
  uint32_t window; /* client: effective window; server: credit last granted */
  uint32_t in_flight;
  int paused;
  uint8_t backpressure; /* most restrictive of connection / session scope */
  int drain_in_flight_only;
  int background_only;
  nnrp_tstamp resume_not_before;
  uint32_t connection_epoch, session_epoch; /* last accepted (client) / sent (server) */
} nnrp_window_info;
void nnrp_conn_window(const nnrp_conn *conn, nnrp_window_info *info);

/* The latest session-wide RESULT_HINT (client); 0 and *m, or NNRP_ERR_FRAME_UNKNOWN if none. */
int nnrp_conn_session_hint(const nnrp_conn *conn, nnrp_result_hint_meta *m);

/* The last failure this side reported / the peer reported (valid = 0 when none). */
const nnrp_failure *nnrp_conn_last_error_sent(const nnrp_conn *conn);
const nnrp_failure *nnrp_conn_last_error_received(const nnrp_conn *conn);

typedef struct nnrp_conn_counters {
  uint64_t packets_in, packets_out;
  uint64_t bytes_in, bytes_out;
  uint64_t frames_submitted; /* client: sent; server: admitted */
  uint64_t frames_delivered, frames_dropped, frames_rejected, frames_cancelled, frames_expired;
  uint64_t results_discarded; /* late / duplicate terminal messages dropped silently */
  uint64_t results_unknown;   /* terminal messages for keys never submitted */
  uint64_t errors_sent, errors_received;
  uint64_t flow_updates_applied, flow_updates_stale;
  uint64_t hints_received, hints_sent;
  uint64_t cache_puts, cache_hits, cache_misses;
  uint64_t pings_answered;
} nnrp_conn_counters;
const nnrp_conn_counters *nnrp_conn_counters_get(const nnrp_conn *conn);

#ifdef __cplusplus
}
#endif

#endif /* LIBNNRP_CONN_H */
