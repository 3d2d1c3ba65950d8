/*
 * Test helper of the session engine tests (test_engine_*.c): a client engine and a server
 * engine wired together in memory with a simulated clock.  Every callback is recorded per
 * side and every packet a side emits is kept, so a test can decode exactly what went over the
 * "wire" (the ERROR an engine answered with, the bytes of a RESULT_PUSH ...).
 *
 * The harness allocates with the C library directly, never through the engines' nnrp_mem, so a
 * counting allocator given to engine_pair_init sees the engines' allocations only.
 */
#ifndef NNRP_ENGINE_PAIR_H
#define NNRP_ENGINE_PAIR_H

#include <libnnrp/conn.h>

/* How bytes travel from one engine to the other. */
typedef enum engine_mode {
  ENGINE_PACKETS = 0, /* nnrp_conn_output_peek/pop, one nnrp_conn_read_packet per packet */
  ENGINE_STREAM = 1,  /* nnrp_conn_write, fed to nnrp_conn_read in 13-byte pieces */
  ENGINE_BYTES = 2,   /* nnrp_conn_write, fed to nnrp_conn_read one byte at a time */
  ENGINE_COALESCE = 3 /* everything queued, fed to nnrp_conn_read in one call */
} engine_mode;

typedef struct engine_packet {
  uint8_t *bytes;
  size_t len;
  uint8_t type;
} engine_packet;

/* A copy of one resolved object (first bytes only). */
typedef struct engine_object {
  nnrp_object_ref ref;
  uint8_t bytes[64];
  size_t len;
} engine_object;

typedef struct engine_result_rec {
  uint32_t frame_id;
  uint16_t view_id;
  uint32_t header_flags;
  nnrp_result_push_meta meta;
  uint8_t budget_policy;
  uint32_t policy_violation;
  nnrp_tstamp latency_us;
  void *frame_user;
  size_t object_count;
  engine_object objects[4];
  uint8_t *raw; /* copy of the packet */
  size_t raw_len;
} engine_result_rec;

typedef struct engine_submit_rec {
  uint32_t frame_id;
  uint16_t view_id;
  nnrp_frame_submit_meta meta;
  uint8_t loss_tolerance;
  uint16_t budget_ms;
  nnrp_tstamp deadline;
  size_t object_count;
  engine_object objects[4];
  uint8_t *raw;
  size_t raw_len;
} engine_submit_rec;

typedef struct engine_flow_rec {
  nnrp_header header;
  nnrp_flow_update_meta meta;
  int applied;
} engine_flow_rec;

typedef struct engine_hint_rec {
  nnrp_header header;
  nnrp_result_hint_meta meta;
} engine_hint_rec;

typedef struct engine_cache_rec {
  nnrp_cache_put_meta put; /* holder: the peer's PUT */
  nnrp_cache_ack_meta ack; /* holder: our answer; installer: the peer's ACK */
  nnrp_cache_invalidate_meta inv;
  int for_invalidate;
  size_t removed;
} engine_cache_rec;

/* A growable array of records. */
#define ENGINE_VEC(type) \
  struct {               \
    type *v;             \
    size_t n, cap;       \
  }

typedef struct engine_pair engine_pair;
typedef struct engine_side engine_side;

struct engine_side {
  nnrp_conn *conn;
  engine_pair *pair;
  const char *name;

  /* recorded events */
  ENGINE_VEC(nnrp_frame_outcome) outcomes; /* diagnostic views cleared */
  ENGINE_VEC(engine_result_rec) results;
  ENGINE_VEC(engine_submit_rec) submits;
  ENGINE_VEC(nnrp_error_meta) errors; /* ERRORs received */
  ENGINE_VEC(engine_flow_rec) flows;
  ENGINE_VEC(engine_hint_rec) hints;
  ENGINE_VEC(engine_cache_rec) cache_puts;        /* holder: recv_cache_put */
  ENGINE_VEC(engine_cache_rec) cache_acks;        /* installer: recv_cache_ack */
  ENGINE_VEC(engine_cache_rec) cache_invalidates; /* recv_cache_invalidate */
  ENGINE_VEC(nnrp_probe_sample) probe_acks;
  ENGINE_VEC(nnrp_session_state) states; /* every state entered */
  ENGINE_VEC(engine_packet) sent;        /* every packet this side emitted */
  int handshakes;
  size_t pongs;
  int closed;
  nnrp_close_info close_info;
  size_t released;

  /* the first non-zero return of a read / output / expiry call on this side, and how many */
  int read_rc;
  size_t read_failures;

  /* behaviour */
  int auto_reply; /* server: answer every admitted submit with a complete RESULT_PUSH */
  int (*submit_hook)(engine_side *side, const nnrp_submit *sub);
  int (*result_hook)(engine_side *side, const nnrp_result *r);
  void *hook_user;
};

struct engine_pair {
  engine_side c, s;
  nnrp_tstamp now;
  engine_mode mode;
};

/* Settings for both roles: the library defaults with room for tests (8 concurrent frames,
 * 4 lanes on both sides, long budgets so that nothing expires unless a test wants it). */
void engine_settings(nnrp_settings *s);

/* Create both engines (NULL settings = engine_settings()); mem may be NULL.  0 or an error. */
int engine_pair_init(engine_pair *p, const nnrp_settings *client, const nnrp_settings *server,
                     const nnrp_mem *mem);
/* The same with an allocator per engine. */
int engine_pair_init_mem(engine_pair *p, const nnrp_settings *client, const nnrp_settings *server,
                         const nnrp_mem *client_mem, const nnrp_mem *server_mem);
/* Delete both engines and every record. */
void engine_pair_free(engine_pair *p);
/* Forget the records (events and packets) of both sides. */
void engine_pair_clear(engine_pair *p);

/* Move one side's queued output to the other; returns the packets moved. */
size_t engine_pump(engine_pair *p, engine_side *from);
/* Move output both ways until neither side has any; returns the packets moved. */
size_t engine_flush(engine_pair *p);
/* Take a side's queued output into its `sent` log without delivering it; returns packets. */
size_t engine_collect(engine_side *from);
/* Deliver a packet of the `sent` log of the other side again (or late) to `to`. */
int engine_redeliver(engine_pair *p, engine_side *to, size_t index);
/* connect + flush: 0 when both sides are ACTIVE. */
int engine_handshake(engine_pair *p);
/* Advance the clock by `us`, run both timers, flush. */
void engine_advance(engine_pair *p, uint64_t us);
/* Feed bytes to a side as stream input (nnrp_conn_read); returns its return value. */
int engine_inject(engine_pair *p, engine_side *to, const uint8_t *bytes, size_t len);

/* Packets a side sent since index `mark` with this type (0 = any). */
size_t engine_sent_since(const engine_side *side, size_t mark, uint8_t type);
/* Decode the last packet of `type` sent at or after `mark`: its index, or -1. */
long engine_last_sent(const engine_side *side, size_t mark, uint8_t type, nnrp_packet *out);
/* The number of ERRORs sent since `mark`; *last (may be NULL) gets the last one. */
size_t engine_errors_since(const engine_side *side, size_t mark, nnrp_error_meta *last);

/* Outcomes recorded for a key, and the last one (may be NULL). */
size_t engine_outcomes_of(const engine_side *side, uint32_t frame_id, uint16_t view_id,
                          nnrp_frame_outcome *last);
/* The record of the result / submit of a key, or NULL. */
const engine_result_rec *engine_result_of(const engine_side *side, uint32_t frame_id,
                                          uint16_t view_id);
const engine_submit_rec *engine_submit_of(const engine_side *side, uint32_t frame_id,
                                          uint16_t view_id);

/* A metadata-only FRAME_SUBMIT (tensor kind, no tiles), frame id 0 (allocated). */
void engine_submit_input(nnrp_frame_submit_input *in);
/* A complete, tile-less RESULT_PUSH for a key. */
void engine_result_input(nnrp_result_push_input *in, uint32_t frame_id, uint16_t view_id);
/* Submit a metadata-only frame on `view`; returns the frame id, 0 on failure. */
uint32_t engine_submit_simple(engine_pair *p, uint16_t view);

/*
 * Write one packet with a hand-made header and no validation at all: any type, flags,
 * lengths.  meta / body may be NULL with a length of 0.  Returns the packet length, or 0 when
 * it does not fit `cap`.
 */
size_t engine_raw_packet(uint8_t *buf, size_t cap, uint8_t type, uint32_t session_id,
                         uint32_t frame_id, uint16_t view_id, const void *meta, size_t meta_len,
                         const void *body, size_t body_len);
/* Little-endian stores into crafted bytes. */
void engine_st16(uint8_t *p, uint16_t v);
void engine_st32(uint8_t *p, uint32_t v);

#endif /* NNRP_ENGINE_PAIR_H */
