/*
 * Test helper: an in-memory client <-> server pair of session engines with simulated time.
 * Every callback is recorded per side, every packet moved between the two is kept (bytes and
 * type) so tests can decode what went over the "wire".
 */
#ifndef NNRP_CONN_PAIR_H
#define NNRP_CONN_PAIR_H

#include <libnnrp/conn.h>

#define PAIR_MAX_EVENTS 512
#define PAIR_MAX_PACKETS 1024

/* How bytes travel from one engine to the other. */
typedef enum pair_mode {
  PAIR_PACKETS = 0, /* nnrp_conn_output_peek/pop + nnrp_conn_read_packet */
  PAIR_STREAM = 1,  /* nnrp_conn_write into a buffer, nnrp_conn_read of all of it */
  PAIR_BYTES = 2,   /* nnrp_conn_write, then nnrp_conn_read one byte at a time */
  PAIR_COALESCE = 3 /* everything queued in one nnrp_conn_read call */
} pair_mode;

typedef struct pair_packet {
  uint8_t *bytes;
  size_t len;
  uint8_t type;
  uint32_t path;
} pair_packet;

typedef struct pair_side {
  nnrp_conn *conn;
  /* recorded events */
  nnrp_frame_outcome outcomes[PAIR_MAX_EVENTS];
  size_t outcome_count;
  struct {
    uint32_t frame_id;
    uint16_t view_id;
    uint8_t result_class;
    uint32_t policy_violation;
    size_t object_count;
    nnrp_vec first_object; /* copy (malloc) of the first resolved object */
    uint32_t reused_frame_id;
    uint16_t covered, dropped;
    nnrp_tstamp latency_us;
  } results[PAIR_MAX_EVENTS];
  size_t result_count;
  struct {
    uint32_t frame_id;
    uint16_t view_id;
    size_t object_count;
    uint8_t budget_policy;
    nnrp_tstamp deadline;
  } submits[PAIR_MAX_EVENTS];
  size_t submit_count;
  nnrp_error_meta errors[PAIR_MAX_EVENTS];
  size_t error_count;
  nnrp_session_state states[64];
  size_t state_count;
  int handshakes;
  nnrp_negotiated neg;
  size_t flow_updates, flow_applied;
  nnrp_flow_update_meta last_flow;
  size_t hints;
  nnrp_result_hint_meta last_hint;
  uint32_t last_hint_frame;
  size_t patch_acks;
  int last_patch_error;
  nnrp_session_patch_ack_meta last_patch_ack;
  size_t patches_handled;
  size_t cache_acks;
  nnrp_cache_ack_meta last_cache_ack;
  size_t cache_puts;
  size_t cache_invalidates;
  size_t cache_expired;
  size_t pongs;
  nnrp_tstamp last_rtt;
  size_t probe_acks;
  nnrp_probe_sample last_probe;
  size_t migrations;
  nnrp_migration_info last_migration;
  size_t migrate_requests;
  uint32_t closed_paths[8];
  size_t closed_path_count;
  int closed;
  nnrp_close_info close_info;
  size_t released;
  /* behaviour */
  int auth_reject;    /* server: the authenticator refuses */
  int busy_session;   /* server: the session-id hook answers busy */
  uint32_t assign_id; /* server: the session-id hook assigns this (0 = default) */
  int reply_complete; /* server: answer every admitted submit with a complete result */
  /* packets this side sent (moved to the peer) */
  pair_packet sent[PAIR_MAX_PACKETS];
  size_t sent_count;
} pair_side;

typedef struct conn_pair {
  pair_side c, s;
  nnrp_tstamp now;
  pair_mode mode;
  nnrp_callbacks callbacks;
} conn_pair;

/* Create both engines with recording callbacks; NULL settings = the library defaults. */
int pair_init(conn_pair *p, const nnrp_settings *client, const nnrp_settings *server);
/* The same with an allocator for both engines (NULL: the default). */
int pair_init_mem(conn_pair *p, const nnrp_settings *client, const nnrp_settings *server,
                  const nnrp_mem *mem);
void pair_free(conn_pair *p);
/* Move packets both ways until neither side has output; returns packets moved. */
size_t pair_flush(conn_pair *p);
/* Move one side's output to the other; returns packets moved. */
size_t pair_pump(conn_pair *p, pair_side *from, pair_side *to);
/* connect + flush; 0 when both sides are ACTIVE. */
int pair_handshake(conn_pair *p);
/* Advance simulated time by `us` and run both timers, then flush. */
void pair_advance(conn_pair *p, uint64_t us);
/* Feed raw bytes (a crafted packet) to one side as stream input. */
int pair_inject(conn_pair *p, pair_side *to, const uint8_t *bytes, size_t len);

/* Decode the i-th packet a side sent (-1 = last); 0 on success. */
int pair_sent_packet(const pair_side *side, long i, nnrp_packet *out);
/* The last packet of a type a side sent: index or -1. */
long pair_last_sent(const pair_side *side, uint8_t type);
/* Number of packets of a type a side sent. */
size_t pair_count_sent(const pair_side *side, uint8_t type);
/* Forget the recorded packets of both sides. */
void pair_clear_sent(conn_pair *p);

/* A metadata-only FRAME_SUBMIT input (tensor kind, no tiles) with frame id 0 (auto). */
void pair_submit_input(nnrp_frame_submit_input *in);
/* A complete, tile-less RESULT_PUSH input for (frame_id, view_id). */
void pair_result_input(nnrp_result_push_input *in, uint32_t frame_id, uint16_t view_id);
/* Build one packet of a control message into buf with the wire builders; returns its length. */
size_t pair_build_error(uint8_t *buf, size_t cap, uint32_t session_id, uint32_t code,
                        uint32_t scope, int fatal, uint32_t frame_id, uint16_t view_id);

#endif /* NNRP_CONN_PAIR_H */
