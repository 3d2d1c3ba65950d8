/*
 * libnnrp — tools layer: replay exports, wire-size summaries and their renderings
 * (wire-data §13).
 *
 * A host describes one of its frames (the features it sends) or one of its enhance results in
 * plain C structs; the exporters turn them into the FRAME_SUBMIT / RESULT_PUSH packet nnrp-py's
 * replay helpers (frame_features_to_packet, enhance_result_to_packet) produce for the same
 * host object, byte for byte.  Summaries describe any FRAME_SUBMIT / RESULT_PUSH packet in the
 * fields of the reference's WireSummary, and the renderers print them character for character
 * as the reference does, for regression fixtures and size comparisons against another encoding.
 *
 * Built on the wire layer only.  Nothing here allocates: the exporters take a caller scratch
 * buffer for their working arrays and write the packet through an nnrp_sink; renderers write
 * into a caller char buffer.  Views in the results point into the caller's buffers.
 */
#ifndef LIBNNRP_TOOLS_H
#define LIBNNRP_TOOLS_H

#include <stddef.h>
#include <stdint.h>

#include <libnnrp/errors.h>
#include <libnnrp/wire.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Replay camera block "NRCM" (wire-data §13.3): magic, u16 version 1, u16 view / proj /
 * prev_view_proj counts, u16 reserved 0, f32 jitter_x, f32 jitter_y, then the three f32 arrays,
 * all little-endian.  The exporters carry it as the FRAME_SUBMIT camera block.
 * ------------------------------------------------------------------------------------------- */

#define NNRP_REPLAY_CAMERA_MAGIC "NRCM"
#define NNRP_REPLAY_CAMERA_HEADER_LEN 22u
#define NNRP_REPLAY_CAMERA_VERSION 1u

/* Host camera: three float arrays (any length up to 65535 each) and the jitter. */
typedef struct nnrp_replay_camera {
  const float *view;
  size_t view_count;
  const float *proj;
  size_t proj_count;
  const float *prev_view_proj;
  size_t prev_view_proj_count;
  float jitter_x;
  float jitter_y;
} nnrp_replay_camera;

/* A decoded block: the arrays stay little-endian bytes inside the caller's buffer; read them
 * with nnrp_replay_camera_float(). */
typedef struct nnrp_replay_camera_view {
  uint16_t version;
  uint16_t reserved; /* not checked, as in the reference */
  float jitter_x;
  float jitter_y;
  nnrp_vec view; /* 4 bytes per float */
  nnrp_vec proj;
  nnrp_vec prev_view_proj;
} nnrp_replay_camera_view;

/* Encoded length (22 + 4 per float); SIZE_MAX when a count exceeds 65535. */
size_t nnrp_replay_camera_encoded_len(const nnrp_replay_camera *c);
/* Write the block (c == NULL: the empty camera, 22 bytes).  NNRP_ERR_BUILD_FIELD_RANGE when a
 * count does not fit its u16. */
int nnrp_replay_camera_encode(const nnrp_replay_camera *c, nnrp_sink *sink);
/* Parse a block: NNRP_ERR_REPLAY_CAMERA_TRUNCATED, _MAGIC, _VERSION, _ARRAYS, _TRAILING, in
 * that order; diag->offset is the offset of the failing field. */
int nnrp_replay_camera_decode(nnrp_replay_camera_view *v, const uint8_t *in, size_t len,
                              nnrp_diag *diag);
/* Float i of a decoded array (i < array.len / 4). */
float nnrp_replay_camera_float(nnrp_vec array, size_t i);

/* ---------------------------------------------------------------------------------------------
 * Host descriptions (wire-data §13.1).  Strings are NUL-terminated UTF-8; NULL reads as "".
 * ------------------------------------------------------------------------------------------- */

/* Section roles and codec ids of the replay exports. */
#define NNRP_REPLAY_ROLE_DEPTH_FP16 1u        /* FP16 */
#define NNRP_REPLAY_ROLE_NORMAL_OCT 2u        /* UINT8 */
#define NNRP_REPLAY_ROLE_MOTION_I16 3u        /* INT16 */
#define NNRP_REPLAY_ROLE_ROUGH_METAL 4u       /* UINT8 */
#define NNRP_REPLAY_ROLE_LUMA_HINT 5u         /* UINT8 */
#define NNRP_REPLAY_ROLE_SR_RESIDUAL 100u     /* UINT8 */
#define NNRP_REPLAY_ROLE_DETAIL_RESIDUAL 101u /* UINT8 */
#define NNRP_REPLAY_CODEC_NONE 0u
#define NNRP_REPLAY_CODEC_LZ4 1u

/*
 * One tile of a host frame.  Tile id = tile_y * max(1, ceil(src_width / tile_size)) + tile_x.
 * Each field is one byte payload (empty when absent).  compression_algorithm applies to every
 * field of the tile: NULL, "" or "none" -> codec 0, "lz4" -> codec 1 (case and surrounding
 * white space ignored), anything else NNRP_ERR_REPLAY_CODEC_NAME.
 */
typedef struct nnrp_host_tile {
  uint32_t tile_x;
  uint32_t tile_y;
  nnrp_vec depth_fp16;
  nnrp_vec normal_oct;
  nnrp_vec motion_i16;
  nnrp_vec rough_metal;
  nnrp_vec luma_hint;
  const char *compression_algorithm;
} nnrp_host_tile;

/*
 * A host frame (the reference's frame-features object).
 * References: NULL = none.  A reference whose object_kind is 0 takes its slot's kind (the
 * reference's "mapping" form); any other kind must be the slot's (NNRP_ERR_REF_KIND_MISMATCH).
 * frames: typed payload frames, a libnnrp addition the reference has no way to express; when
 * present the packet comes from nnrp_build_frame_submit_mixed() (no references allowed).
 */
typedef struct nnrp_host_frame {
  const char *session_id; /* header session_id = CRC-32 of these bytes, unless overridden */
  uint32_t frame_id;
  uint16_t src_width;
  uint16_t src_height;
  uint16_t tile_size; /* tile_width = tile_height; 0 is an error only when there are tiles */
  const nnrp_host_tile *tiles;
  size_t tile_count;
  const nnrp_replay_camera *camera; /* NULL: an empty NRCM block (22 bytes), as the reference */
  const char *input_profile;        /* "changed_tiles_luma", "dense_luma_frame", else UNSPECIFIED */
  uint16_t latency_budget_ms;
  const char *client_trace_id; /* header trace_id = CRC-32, 0 when empty, unless overridden */
  int allow_stale_reuse;       /* budget_policy ALLOW_STALE_REUSE */
  const nnrp_object_ref *camera_reference;
  const nnrp_object_ref *tile_index_reference;
  const nnrp_object_ref *tensor_section_table_reference;
  const nnrp_typed_frame *frames;
  size_t frame_count;
} nnrp_host_frame;

/* One tile of a host enhance result; the compression names read as in nnrp_host_tile. */
typedef struct nnrp_host_result_tile {
  uint32_t tile_x;
  uint32_t tile_y;
  nnrp_vec sr_residual;
  nnrp_vec detail_residual;
  const char *sr_residual_compression;
  const char *detail_residual_compression;
} nnrp_host_result_tile;

/*
 * A host enhance result.  A negative src_width, tile_size, covered_tile_count, result_flags,
 * result_class or applied_budget_policy means "not given" (the reference's None), which is
 * what nnrp_host_result_init() sets.
 */
typedef struct nnrp_host_result {
  const char *session_id;
  uint32_t frame_id;
  const nnrp_host_result_tile *tiles;
  size_t tile_count;
  int64_t src_width; /* < 0: (max tile_x + 1) * tile_size */
  int64_t tile_size; /* < 0: 1; 0 is an error only when there are tiles */
  int stale;
  int degraded;
  long covered_tile_count; /* < 0: the number of tile ids */
  long dropped_tile_count; /* default 0 */
  /* NULL: the delivered ids.  Otherwise the ids the client asked for (any order, unique, a
   * superset of the delivered ids); a non-NULL pointer with count 0 is an empty request. */
  const uint32_t *requested_tile_ids;
  size_t requested_tile_id_count;
  uint32_t reused_frame_id;
  int32_t result_flags; /* < 0: STALE if stale | FALLBACK if degraded | PARTIAL if dropped */
  int32_t result_class; /* < 0: STALE_REUSE, DEGRADED, PARTIAL or COMPLETE, in that order */
  int32_t applied_budget_policy; /* < 0: the ALLOW_* bits matching the flags */
  uint16_t inference_ms;
  uint16_t queue_ms;
  uint16_t round_trip_ms; /* -> server_total_ms */
  const char *request_id; /* trace: request_id when non-empty, else client_trace_id */
  const char *client_trace_id;
  const nnrp_object_ref *tile_index_reference;
  const nnrp_object_ref *tensor_section_table_reference;
  /* Typed payload frames (libnnrp addition): nnrp_build_result_push_mixed() when there are tile
   * ids or sections, nnrp_build_result_push_typed() otherwise; no references allowed. */
  const nnrp_typed_frame *frames;
  size_t frame_count;
} nnrp_host_result;

/* Keyword arguments of the reference exporters. */
#define NNRP_REPLAY_SET_SESSION_ID 0x1u /* use session_id instead of the CRC-32 */
#define NNRP_REPLAY_SET_TRACE_ID 0x2u   /* use trace_id instead of the CRC-32 */
typedef struct nnrp_replay_options {
  uint32_t set; /* NNRP_REPLAY_SET_* */
  uint32_t session_id;
  uint64_t trace_id;
  uint16_t view_id;
  uint8_t frame_class;        /* FRAME_SUBMIT only */
  uint16_t active_profile_id; /* RESULT_PUSH only */
} nnrp_replay_options;

void nnrp_host_frame_init(nnrp_host_frame *f);
void nnrp_host_result_init(nnrp_host_result *r);
void nnrp_replay_options_init(nnrp_replay_options *o);

/* zlib-compatible CRC-32 of a string (NULL: ""): the replay session and trace ids. */
uint32_t nnrp_replay_crc32(const char *s);

/* ---------------------------------------------------------------------------------------------
 * Replay exports (wire-data §13.1)
 * ------------------------------------------------------------------------------------------- */

/* Scratch bytes an export needs (tile order, tile ids, per-section views, the NRCM block);
 * SIZE_MAX when that does not fit a size_t. */
size_t nnrp_replay_frame_scratch_len(const nnrp_host_frame *f);
size_t nnrp_replay_result_scratch_len(const nnrp_host_result *r);

/*
 * Build the FRAME_SUBMIT of a host frame: tiles sorted by id, one section per field that has a
 * non-empty payload (roles 1-5, in role order; default codec = the most common tile codec, the
 * first seen on a tie; a codec table only when tiles disagree), the NRCM camera block,
 * RAW_U16 tile index, loss policy 0xFF, no header flags.  Without references: INLINE with a
 * legacy body; with references: a region body, REFERENCE when nothing stays inline, else
 * MIXED.  `opts` may be NULL.  The scratch buffer must hold nnrp_replay_frame_scratch_len()
 * bytes (NNRP_ERR_REPLAY_SCRATCH); tile payloads are referenced by the sink, not copied, in
 * scatter-gather mode, but the camera block lives in the scratch buffer.  Errors: those of the
 * wire builders, NNRP_ERR_REPLAY_TILE_SIZE, NNRP_ERR_REPLAY_CODEC_NAME,
 * NNRP_ERR_REF_KIND_MISMATCH, NNRP_ERR_TILE_ID_RANGE (an id above 65535), NNRP_ERR_INVALID_ARGUMENT
 * (no session_id and no override).
 */
int nnrp_replay_frame_to_packet(const nnrp_host_frame *f, const nnrp_replay_options *opts,
                                void *scratch, size_t scratch_len, nnrp_sink *sink);

/*
 * Build the RESULT_PUSH of a host enhance result: tile ids = the sorted requested ids (or the
 * delivered ids), sections sr_residual (role 100) and detail_residual (101) over those ids with
 * empty payloads for tiles not delivered, flags / class / policy derived from stale, degraded
 * and dropped unless given, covered = the id count unless given.  Without references a legacy
 * body; with references a region body with the references sorted by (kind, namespace, hi, lo)
 * and TENSOR-only metadata.  Errors as above plus NNRP_ERR_REPLAY_REQUESTED_DUPLICATE,
 * NNRP_ERR_REPLAY_REQUESTED_MISSING, NNRP_ERR_REPLAY_REQUESTED_SHORT,
 * NNRP_ERR_REPLAY_DUPLICATE_TILE and the coverage rules.
 */
int nnrp_replay_result_to_packet(const nnrp_host_result *r, const nnrp_replay_options *opts,
                                 void *scratch, size_t scratch_len, nnrp_sink *sink);

/* ---------------------------------------------------------------------------------------------
 * Summaries (wire-data §13.2)
 * ------------------------------------------------------------------------------------------- */

/* The reference's WireSummary.  `roles` views the section sequence the role ids come from
 * (inside the packet buffer); read them with nnrp_wire_summary_roles(). */
typedef struct nnrp_wire_summary {
  const char *subject; /* "frame_submit", "result_push" or the caller's (not copied) */
  uint8_t message_type;
  size_t wire_bytes;
  size_t metadata_bytes;
  size_t body_bytes;
  uint32_t tile_count;
  uint32_t section_count;
  uint32_t tile_index_bytes;
  uint32_t camera_bytes; /* FRAME_SUBMIT only, else 0 */
  uint16_t result_flags; /* RESULT_PUSH only, else 0 (NONE) */
  size_t role_count;     /* 0 when the section table is referenced or absent */
  nnrp_vec roles;
} nnrp_wire_summary;

/* Summary of a decoded FRAME_SUBMIT / RESULT_PUSH (NNRP_ERR_SUMMARY_MSG_TYPE otherwise).
 * subject NULL or "": the message's default. */
int nnrp_summarize_packet(nnrp_wire_summary *s, const nnrp_packet *p, const char *subject);
/* Decode the packet at the start of `data` (nnrp_packet_decode() rules, `opts` may be NULL)
 * and summarize it. */
int nnrp_summarize_wire_packet(nnrp_wire_summary *s, const uint8_t *data, size_t len,
                               const char *subject, const nnrp_decode_options *opts,
                               nnrp_diag *diag);
/* Role ids, in section order: copies min(cap, role_count) of them, returns role_count. */
size_t nnrp_wire_summary_roles(const nnrp_wire_summary *s, uint16_t *out, size_t cap);

/* The reference's WireSizeComparison: this packet against `reference_bytes` of another
 * encoding (only its length matters). */
typedef struct nnrp_wire_size_comparison {
  const char *reference_label; /* NULL reads as "protobuf" */
  uint64_t reference_bytes;
  nnrp_wire_summary current;
} nnrp_wire_size_comparison;

/* wire_bytes - reference_bytes. */
int64_t nnrp_wire_size_delta(const nnrp_wire_size_comparison *c);
/* Basis points wire * 10000 / reference (rounded down); -1 when the reference is 0. */
int64_t nnrp_wire_size_ratio_bp(const nnrp_wire_size_comparison *c);

/*
 * Renderings, one line without a newline, NUL-terminated in buf[0..cap).  *len (may be NULL)
 * gets the line length; NNRP_ERR_BUFFER_TOO_SMALL when cap <= that length (nothing useful is
 * written then, but *len says how much is needed).
 *
 * Summary: "subject=S msg=M wire=N meta=N body=N tiles=N sections=N tile_index=N camera=N
 * roles=R[,R...]|-" and, for RESULT_PUSH, " result_flags=NONE|STALE|FALLBACK|PARTIAL" (the set
 * names joined by '|').  Comparison: "reference_label=L reference=N current=N delta=N
 * current_ratio=P.PP%|n/a " followed by the summary.
 */
int nnrp_render_wire_summary(const nnrp_wire_summary *s, char *buf, size_t cap, size_t *len);
int nnrp_render_wire_size_comparison(const nnrp_wire_size_comparison *c, char *buf, size_t cap,
                                     size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* LIBNNRP_TOOLS_H */
