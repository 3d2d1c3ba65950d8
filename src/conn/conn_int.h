/*
 * Private: the session engine's internal structures, shared by the src/conn/ modules.
 *
 * A conn is one transport connection (or, on a migrating client, up to two path generations);
 * the session it carries lives in a separate nnrpi_session so that a server can move it to
 * another conn (nnrp_conn_migrate_adopt) by swapping pointers.  The output queue belongs to the
 * conn: queued bytes are tied to a connection.
 */
#ifndef NNRP_CONN_INT_H
#define NNRP_CONN_INT_H

#include <string.h>

#include <libnnrp/conn.h>

#include "cache_store.h"
#include "flow.h"
#include "patch_eval.h"

/* ---- allocation ------------------------------------------------------------------------------ */

void *nnrpi_malloc(const nnrp_mem *mem, size_t n);
void *nnrpi_calloc(const nnrp_mem *mem, size_t nmemb, size_t size);
void *nnrpi_realloc(const nnrp_mem *mem, void *p, size_t n);
void nnrpi_free(const nnrp_mem *mem, void *p);
/* Grow *p (elements of `size`) to hold at least `need` elements; doubles. */
int nnrpi_grow(const nnrp_mem *mem, void **p, size_t *cap, size_t need, size_t size);

static inline nnrp_tstamp nnrpi_add_ms(nnrp_tstamp t, uint64_t ms) {
  if (t == NNRP_TSTAMP_NEVER) return t;
  uint64_t us = ms * 1000u;
  return t > NNRP_TSTAMP_NEVER - us ? NNRP_TSTAMP_NEVER - 1 : t + us;
}
static inline nnrp_tstamp nnrpi_min_t(nnrp_tstamp a, nnrp_tstamp b) {
  return a < b ? a : b;
}

/* ---- frame table (frametab.c) ---------------------------------------------------------------- */

#define NNRPI_FR_IN_USE 0x01u
#define NNRPI_FR_HELD 0x02u        /* client: outcome reported, window slot still held */
#define NNRPI_FR_HAS_HINT 0x04u    /* hint holds the latest frame RESULT_HINT */
#define NNRPI_FR_BELOW_FLOOR 0x08u /* client: below an accepted migration's resume floor */

typedef struct nnrpi_frame {
  uint32_t frame_id;
  uint16_t view_id;
  uint8_t state; /* nnrp_frame_state */
  uint8_t flags; /* NNRPI_FR_* */
  uint8_t budget_policy;
  uint8_t frame_class;
  uint8_t loss_tolerance; /* effective level */
  uint8_t reserved;
  uint32_t dependency_frame_id;
  nnrp_tstamp start;      /* client: send time; server: receipt */
  nnrp_tstamp deadline;   /* budget deadline; NEVER when none or already reported */
  nnrp_tstamp hold_until; /* client: hard timeout of a held slot */
  nnrp_result_hint_meta hint;
  void *user;
} nnrpi_frame;

typedef struct nnrpi_frametab {
  nnrpi_frame *recs;
  uint32_t *index; /* open addressing: record index + 1, 0 = empty */
  uint32_t *free_list;
  uint32_t capacity, count, nfree, mask;
} nnrpi_frametab;

int nnrpi_frametab_init(nnrpi_frametab *t, const nnrp_mem *mem, uint32_t capacity);
void nnrpi_frametab_free(nnrpi_frametab *t, const nnrp_mem *mem);
nnrpi_frame *nnrpi_frametab_find(const nnrpi_frametab *t, uint32_t frame_id, uint16_t view_id);
/* NULL when the table is full; the record comes back zeroed except key and IN_USE. */
nnrpi_frame *nnrpi_frametab_add(nnrpi_frametab *t, uint32_t frame_id, uint16_t view_id);
void nnrpi_frametab_remove(nnrpi_frametab *t, nnrpi_frame *f);

/* ---- output queue (outq.c) ------------------------------------------------------------------- */

typedef struct nnrpi_seg {
  const uint8_t *ext; /* caller memory (no-copy payload), or NULL: arena[off..off+len) */
  size_t off;
  size_t len;
} nnrpi_seg;

typedef struct nnrpi_outpkt {
  uint32_t path;
  uint32_t frame_id;
  uint16_t view_id;
  uint8_t msg_type;
  uint8_t nocopy; /* references caller payloads: release_payload when done */
  size_t seg_start, seg_count;
  size_t len;
  size_t arena_end; /* arena bytes in use up to the end of this packet */
  void *frame_user;
} nnrpi_outpkt;

typedef struct nnrpi_outq {
  uint8_t *arena;
  size_t arena_len, arena_cap;
  nnrpi_seg *segs;
  size_t seg_len, seg_cap;
  nnrpi_outpkt *pkts;
  size_t head, count, pkt_cap; /* live packets are pkts[head .. count) */
  size_t head_written;         /* bytes of pkts[head] already written by nnrp_conn_write */
  size_t pending;              /* unwritten bytes */
  nnrp_vec *iov;               /* peek scratch */
  size_t iov_cap;
  nnrp_vec *build_iov; /* iov sink scratch */
  size_t build_iov_cap;
} nnrpi_outq;

/* ---- session --------------------------------------------------------------------------------- */

typedef struct nnrpi_key {
  uint32_t frame_id;
  uint16_t view_id;
} nnrpi_key;

/* A cache operation of ours waiting for its CACHE_ACK (installer side). */
typedef struct nnrpi_cache_op {
  int invalidate;
  nnrp_cache_put_meta put;
  nnrp_cache_invalidate_meta inv;
  uint8_t *bytes; /* our copy of the PUT object */
} nnrpi_cache_op;

#define NNRPI_PINGS 8
#define NNRPI_PROBES 8
#define NNRPI_RECENT 128

typedef struct nnrpi_session {
  nnrp_session_state state;
  uint32_t session_id;
  int has_neg;
  nnrp_negotiated neg;
  nnrpi_frametab frames;
  nnrp_cache_store cache;
  int cache_ready;

  /* timers and close procedure */
  nnrp_tstamp hs_deadline;
  nnrp_tstamp drain_deadline;
  nnrp_tstamp last_send;
  nnrp_tstamp frames_next; /* cached earliest frame timer */
  int frames_dirty;
  int close_sent, close_received, fatal_seen;
  int retired; /* server: the session moved to another conn */
  nnrp_tstamp retire_at;

  /* client */
  nnrp_flow_state flow;
  uint32_t last_frame_id; /* highest frame id used */
  uint32_t floor;         /* migration resume floor */
  uint32_t last_result_frame_id;
  uint64_t lane_mask; /* effective active lane mask (all lanes until patched) */
  nnrpi_key *tomb;
  uint32_t tomb_cap, tomb_head, tomb_count;
  int patch_pending;
  uint64_t patch_trace;
  int has_session_hint;
  nnrp_result_hint_meta session_hint;
  struct {
    uint64_t trace_id;
    nnrp_tstamp sent;
    int used;
  } pings[NNRPI_PINGS];
  struct {
    uint32_t probe_id, bytes;
    nnrp_tstamp sent;
    int used;
  } probes[NNRPI_PROBES];

  /* both: cache operations awaiting CACHE_ACK */
  nnrpi_cache_op *cache_ops;
  size_t cache_op_count, cache_op_cap;

  /* server */
  uint32_t *view_high; /* highest frame id seen per view */
  uint32_t view_count;
  nnrpi_key recent[NNRPI_RECENT]; /* recently admitted keys (dependency / retry checks) */
  uint32_t recent_head, recent_count;
  uint32_t highest_admitted;
  nnrp_patch_policy patch_pol;
  nnrp_patch_effective patch_eff;
  int busy;
  uint32_t busy_retry_after_ms;
  uint32_t epoch_sent[3]; /* last FLOW_UPDATE epoch sent per scope */
  int credit_valid;
  uint16_t credit; /* last session credit granted */
  int paused_sent;

  nnrp_failure last_sent, last_recv;
  nnrp_conn_counters counters;

  /* per-packet scratch, reused */
  nnrp_resolved_object *objs;
  size_t objs_cap;
  nnrp_object_ref *exp_keys; /* cache entries expired in one timer run */
  size_t exp_cap;
} nnrpi_session;

/* ---- paths (client migration) ---------------------------------------------------------------- */

enum { NNRPI_PATH_FREE = 0, NNRPI_PATH_PRIMARY, NNRPI_PATH_PENDING, NNRPI_PATH_GRACE };
#define NNRPI_PATHS 2

typedef struct nnrpi_path {
  int kind; /* NNRPI_PATH_* */
  uint32_t gen;
  uint32_t transport_id;
  uint8_t *rx; /* buffered partial packet */
  size_t rx_len, rx_cap;
  size_t rx_need;    /* whole length of the buffered packet once its header is in, else 0 */
  uint64_t skip;     /* bytes of an oversized packet still to discard */
  nnrp_tstamp until; /* PENDING: migrate timeout; GRACE: end of grace */
  int lost;          /* the transport of this path is gone */
} nnrpi_path;

typedef struct nnrpi_migration {
  int pending;
  nnrp_migration_info info;
  nnrp_tstamp started;
  uint64_t trace_id;
  /* server, fresh conn: the SESSION_MIGRATE waiting for adopt / reject */
  int request;
  nnrp_header req_header;
  nnrp_session_migrate_meta req;
} nnrpi_migration;

struct nnrp_conn {
  nnrp_role role;
  const nnrp_mem *mem;
  nnrp_settings settings;
  uint8_t *auth; /* copy of settings.client.auth */
  nnrp_callbacks cb;
  void *user;
  nnrp_decode_options dopts;
  nnrpi_session *s;
  nnrpi_outq out;
  nnrpi_path paths[NNRPI_PATHS];
  uint32_t next_gen;
  nnrpi_migration mig;
  int cb_failed; /* a callback returned non-zero during the current call */
  nnrp_close_info close_info;
};

/* ---- conn.c: state, close, callbacks --------------------------------------------------------- */

int nnrpi_session_new(nnrp_conn *c, nnrpi_session **ps);
void nnrpi_session_free(nnrp_conn *c, nnrpi_session *s);
/* Change state (callbacks state_change, and closed on CLOSED with `cause`, `error`). */
void nnrpi_set_state(nnrp_conn *c, nnrp_session_state to, nnrp_close_cause cause, int error);
/* Enter DRAINING from ACTIVE (server drops open frames, sends CLOSE); checks completion. */
void nnrpi_begin_drain(nnrp_conn *c, nnrp_tstamp now);
/* CLOSED once the close procedure is complete (§2.3 step 4). */
void nnrpi_check_drained(nnrp_conn *c, nnrp_tstamp now);
/* Every open frame ends EXPIRED (SESSION_LOST); pending patch / migration fail. */
void nnrpi_fail_all(nnrp_conn *c);
/* Record a callback failure; returns NNRP_ERR_CALLBACK when rc != 0. */
int nnrpi_cb_rc(nnrp_conn *c, int rc);
/* A frame timer was set: keep the cached earliest frame timer current. */
void nnrpi_frames_touch(nnrpi_session *s, nnrp_tstamp t);

/* ---- outq.c ---------------------------------------------------------------------------------- */

void nnrpi_outq_free(nnrp_conn *c);
/* Release and forget every queued packet (no-copy payloads released). */
void nnrpi_outq_clear(nnrp_conn *c);

/* A builder callback writing one packet into a sink. */
typedef int (*nnrpi_build_fn)(const void *arg, nnrp_sink *sink);

typedef struct nnrpi_pktinfo {
  uint32_t path;
  uint8_t msg_type;
  uint32_t frame_id;
  uint16_t view_id;
  int nocopy;
  void *frame_user;
} nnrpi_pktinfo;

/* Build a packet with `fn` straight into the queue (copied, or scatter-gather when nocopy). */
int nnrpi_queue(nnrp_conn *c, const nnrpi_pktinfo *info, nnrpi_build_fn fn, const void *arg);
/* The primary path generation (where new packets go). */
uint32_t nnrpi_primary_gen(const nnrp_conn *c);
/* Move queued packets of path `from` that have not started to path `to`. */
void nnrpi_outq_retag(nnrp_conn *c, uint32_t from, uint32_t to);
/* Move every queued, unstarted packet of `src` to the end of `dst`'s queue. */
int nnrpi_outq_move(nnrp_conn *dst, nnrp_conn *src);

/* CLOSE with an optional reason text. */
int nnrpi_send_close(nnrp_conn *c, nnrp_vec reason);
/* Header-only control packets and the other simple control builders. */
int nnrpi_send_simple(nnrp_conn *c, unsigned msg_type, uint32_t session_id, uint32_t frame_id,
                      uint16_t view_id, uint64_t trace_id, uint32_t flags);

/* ---- input.c --------------------------------------------------------------------------------- */

/*
 * Send ERROR (§2.6 sender side): related ids, the header ids for frame scope, trace echo,
 * diagnostic = nnrp_strerror(local_error).  Records the failure; a fatal one changes state
 * (CLOSED before ACTIVE or when `stream_broken`, else DRAINING).
 */
int nnrpi_send_error(nnrp_conn *c, uint32_t code, uint32_t scope, int fatal,
                     uint32_t retry_after_ms, uint32_t frame_id, uint16_t view_id,
                     uint64_t trace_id, int local_error, nnrp_tstamp now);
/* A local failure that closes the conn without sending anything. */
void nnrpi_local_failure(nnrp_conn *c, int err, uint32_t code, nnrp_close_cause cause);

/* ---- handshake.c ----------------------------------------------------------------------------- */

int nnrpi_server_hello(nnrp_conn *c, const nnrp_packet *p, int decode_rc, nnrp_tstamp now);
int nnrpi_client_ack(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now);
/* Prepare the session-level tables after negotiation (both roles). */
int nnrpi_session_activate(nnrp_conn *c, nnrp_tstamp now);

/* ---- client_frames.c ------------------------------------------------------------------------- */

int nnrpi_client_result(nnrp_conn *c, const nnrp_packet *p, uint32_t path, nnrp_tstamp now);
int nnrpi_client_drop(nnrp_conn *c, const nnrp_header *h, nnrp_tstamp now);
/* A RESULT_PUSH whose body failed validation (§3.5 last row). */
int nnrpi_client_bad_result(nnrp_conn *c, const nnrp_header *h, int err, nnrp_tstamp now);
/* Frame-scope ERROR received: returns 1 when it named an open frame. */
int nnrpi_client_frame_error(nnrp_conn *c, const nnrp_error_meta *m, nnrp_vec diag,
                             nnrp_tstamp now);
void nnrpi_client_hint(nnrp_conn *c, const nnrp_header *h, const nnrp_result_hint_meta *m);
int nnrpi_client_frames_expire(nnrp_conn *c, nnrp_tstamp now);
void nnrpi_tomb_add(nnrpi_session *s, uint32_t frame_id, uint16_t view_id);
int nnrpi_tomb_has(const nnrpi_session *s, uint32_t frame_id, uint16_t view_id);
/* Report one frame's end (frame_closed callback and counters); the record is gone already. */
int nnrpi_report(nnrp_conn *c, const nnrp_frame_outcome *o);
/* Resolve the references of a data body into s->objs: 0, or the lookup error. */
int nnrpi_resolve_refs(nnrp_conn *c, const nnrp_data_body *b, nnrp_tstamp now, size_t *n,
                       nnrp_object_ref *failed);

/* ---- server_frames.c ------------------------------------------------------------------------- */

int nnrpi_server_submit(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now);
int nnrpi_server_cancel(nnrp_conn *c, const nnrp_header *h, nnrp_tstamp now);
int nnrpi_server_frames_expire(nnrp_conn *c, nnrp_tstamp now);
/* Drop every open frame (close / drain): RESULT_DROP each, frame_closed(DROPPED, cause). */
void nnrpi_server_drop_all(nnrp_conn *c, nnrp_cause cause, nnrp_tstamp now);

/* ---- control.c ------------------------------------------------------------------------------- */

int nnrpi_recv_error(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now);
int nnrpi_recv_flow_update(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now);
int nnrpi_recv_patch(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now);
int nnrpi_recv_patch_ack(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now);
int nnrpi_recv_cache_put(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now);
int nnrpi_recv_cache_ack(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now);
int nnrpi_recv_cache_invalidate(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now);
int nnrpi_recv_ping(nnrp_conn *c, const nnrp_header *h, nnrp_tstamp now);
int nnrpi_recv_pong(nnrp_conn *c, const nnrp_header *h, nnrp_tstamp now);
int nnrpi_cache_expire_run(nnrp_conn *c, nnrp_tstamp now);
/* Fail the outstanding SESSION_PATCH (ERROR or close). */
int nnrpi_patch_fail(nnrp_conn *c, int err);
/* Free the pending cache operations. */
void nnrpi_cache_ops_free(nnrp_conn *c, nnrpi_session *s);

/* ---- migrate.c ------------------------------------------------------------------------------- */

int nnrpi_recv_probe(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now);
int nnrpi_recv_probe_ack(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now);
int nnrpi_recv_migrate(nnrp_conn *c, const nnrp_packet *p, nnrp_tstamp now);
/* A packet on a PENDING path (client): the migration answer. */
int nnrpi_pending_path_packet(nnrp_conn *c, const nnrp_packet *p, int decode_rc, nnrp_tstamp now);
/* The pending migration failed (timeout, rejection, ERROR, lost path). */
void nnrpi_migration_failed(nnrp_conn *c, int err, nnrp_tstamp now);
/* Migration and path timers. */
int nnrpi_paths_expire(nnrp_conn *c, nnrp_tstamp now);
nnrp_tstamp nnrpi_paths_expiry(const nnrp_conn *c);
nnrpi_path *nnrpi_path_get(nnrp_conn *c, uint32_t gen);

#endif /* NNRP_CONN_INT_H */
