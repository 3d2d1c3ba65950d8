/*
 * libnnrp — wire layer: codecs for NNRP/1 Preview2 (on-wire NNRP/1.0).
 *
 * Pure codecs.  Nothing here allocates, performs I/O, keeps global state or
 * reads a clock; every function is thread-compatible (distinct objects may be
 * used from distinct threads at once).
 *
 * Decoding fills plain structs with field values and nnrp_vec views that point
 * INTO THE CALLER'S INPUT BUFFER: a view stays valid exactly as long as that
 * buffer does.  Decoders validate every rule of the specification; iterators
 * that walk an already-validated structure cannot fail.
 *
 * Encoding writes through an nnrp_sink: a contiguous caller buffer, a
 * count-only sink (to learn the size first), or a scatter-gather sink whose
 * vector points at the caller's payload bytes instead of copying them.
 *
 * Field names follow the specification tables (shared spec wire-control.md,
 * wire-data.md).  All integers on the wire are little-endian.
 */
#ifndef LIBNNRP_WIRE_H
#define LIBNNRP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <libnnrp/errors.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Constants and enumerations (wire-control §3, wire-data §2)
 * ------------------------------------------------------------------------------------------- */

#define NNRP_MAGIC "NNRP"
#define NNRP_HEADER_LEN 40u
#define NNRP_VERSION_MAJOR 1u
#define NNRP_WIRE_FORMAT 0u
#define NNRP_ALPN_QUIC "nnrp/1"
#define NNRP_ALPN_TCP_TLS "nnrp/1-tcp"

/* MessageType (header byte 6). */
typedef enum nnrp_msg_type {
  NNRP_MSG_CLIENT_HELLO = 0x01,
  NNRP_MSG_SERVER_HELLO_ACK = 0x02,
  NNRP_MSG_SESSION_PATCH = 0x03,
  NNRP_MSG_SESSION_PATCH_ACK = 0x04,
  NNRP_MSG_CLOSE = 0x05,
  NNRP_MSG_ERROR = 0x06,
  NNRP_MSG_FRAME_SUBMIT = 0x10,
  NNRP_MSG_FRAME_CANCEL = 0x11,
  NNRP_MSG_RESULT_PUSH = 0x12,
  NNRP_MSG_RESULT_DROP = 0x13,
  NNRP_MSG_CACHE_PUT = 0x14,
  NNRP_MSG_CACHE_ACK = 0x15,
  NNRP_MSG_CACHE_INVALIDATE = 0x16,
  NNRP_MSG_FLOW_UPDATE = 0x17,
  NNRP_MSG_RESULT_HINT = 0x18,
  NNRP_MSG_TRANSPORT_PROBE = 0x19,
  NNRP_MSG_TRANSPORT_PROBE_ACK = 0x1A,
  NNRP_MSG_SESSION_MIGRATE = 0x1B,
  NNRP_MSG_SESSION_MIGRATE_ACK = 0x1C,
  NNRP_MSG_PING = 0x20,
  NNRP_MSG_PONG = 0x21
} nnrp_msg_type;

/* Fixed metadata lengths. */
#define NNRP_CLIENT_HELLO_META_LEN 64u
#define NNRP_SERVER_HELLO_ACK_META_LEN 80u
#define NNRP_SESSION_PATCH_META_LEN 36u
#define NNRP_SESSION_PATCH_ACK_META_LEN 48u
#define NNRP_ERROR_META_LEN 32u
#define NNRP_FRAME_SUBMIT_META_LEN 72u
#define NNRP_RESULT_PUSH_META_LEN 64u
#define NNRP_CACHE_PUT_META_LEN 32u
#define NNRP_CACHE_ACK_META_LEN 28u
#define NNRP_CACHE_INVALIDATE_META_LEN 20u
#define NNRP_FLOW_UPDATE_META_LEN 32u
#define NNRP_RESULT_HINT_META_LEN 16u
#define NNRP_TRANSPORT_PROBE_META_LEN 16u
#define NNRP_TRANSPORT_PROBE_ACK_META_LEN 16u
#define NNRP_SESSION_MIGRATE_META_LEN 24u
#define NNRP_SESSION_MIGRATE_ACK_META_LEN 24u
#define NNRP_PROFILE_PATCH_LEN 16u
#define NNRP_PRELUDE_LEN 32u
#define NNRP_SECTION_DESC_LEN 32u
#define NNRP_INLINE_OBJECT_HEADER_LEN 16u
#define NNRP_OBJECT_REF_LEN 16u
#define NNRP_TYPED_DESC_LEN 16u
#define NNRP_EXT_FRAME_DESC_LEN 16u
#define NNRP_EXT_ENTRY_HEADER_LEN 8u

/* HeaderFlags. */
#define NNRP_FLAG_ACK_REQUIRED 0x01u
#define NNRP_FLAG_CAN_DROP 0x02u
#define NNRP_FLAG_STALE 0x04u
#define NNRP_FLAG_EOS 0x08u
#define NNRP_FLAG_RETRANSMIT 0x10u
#define NNRP_FLAG_KEYFRAME 0x20u
#define NNRP_FLAGS_KNOWN 0x3Fu

/* Protocol ERROR codes (logical u16 values carried in a u32). */
typedef enum nnrp_error_code {
  NNRP_ERROR_CODE_UNSUPPORTED_VERSION = 0x0001,
  NNRP_ERROR_CODE_AUTH_FAILED = 0x0002,
  NNRP_ERROR_CODE_INVALID_STATE = 0x0003,
  NNRP_ERROR_CODE_MALFORMED_HEADER = 0x0004,
  NNRP_ERROR_CODE_MALFORMED_BODY = 0x0005,
  NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY = 0x0006,
  NNRP_ERROR_CODE_LIMIT_EXCEEDED = 0x0007,
  NNRP_ERROR_CODE_FRAME_EXPIRED = 0x0008,
  NNRP_ERROR_CODE_FRAME_CANCELLED = 0x0009,
  NNRP_ERROR_CODE_CACHE_MISS = 0x000A,
  NNRP_ERROR_CODE_SERVER_BUSY = 0x000B,
  NNRP_ERROR_CODE_INTERNAL_ERROR = 0x000C
} nnrp_error_code;

typedef enum nnrp_error_scope {
  NNRP_SCOPE_CONNECTION = 0,
  NNRP_SCOPE_SESSION = 1,
  NNRP_SCOPE_FRAME = 2
} nnrp_error_scope;

typedef enum nnrp_transport_id {
  NNRP_TRANSPORT_UNSPECIFIED = 0,
  NNRP_TRANSPORT_QUIC = 1,
  NNRP_TRANSPORT_TCP = 2
} nnrp_transport_id;

typedef enum nnrp_transport_policy {
  NNRP_TRANSPORT_POLICY_AUTO = 0,
  NNRP_TRANSPORT_POLICY_PREFER_QUIC = 1,
  NNRP_TRANSPORT_POLICY_PREFER_TCP = 2,
  NNRP_TRANSPORT_POLICY_FORCE_QUIC = 3,
  NNRP_TRANSPORT_POLICY_FORCE_TCP = 4
} nnrp_transport_policy;

typedef enum nnrp_loss_tolerance {
  NNRP_LOSS_STRICT = 0,
  NNRP_LOSS_BEST_EFFORT = 1,
  NNRP_LOSS_LOW_LATENCY = 2,
  NNRP_LOSS_FIRE_AND_FORGET = 3,
  NNRP_LOSS_INHERIT = 0xFF /* FRAME_SUBMIT loss_tolerance_policy only */
} nnrp_loss_tolerance;

/* PayloadKind bits. */
#define NNRP_PAYLOAD_TENSOR 0x01u
#define NNRP_PAYLOAD_TOKEN_CHUNK 0x02u
#define NNRP_PAYLOAD_AUDIO_CHUNK 0x04u
#define NNRP_PAYLOAD_VIDEO_CHUNK 0x08u
#define NNRP_PAYLOAD_STRUCTURED_EVENT 0x10u
#define NNRP_PAYLOAD_TOOL_DELTA 0x20u
#define NNRP_PAYLOAD_OPAQUE_BYTES 0x40u
#define NNRP_PAYLOAD_KNOWN 0x7Fu

typedef enum nnrp_object_kind {
  NNRP_OBJECT_CAMERA_BLOCK = 1,
  NNRP_OBJECT_TILE_INDEX_BLOCK = 2,
  NNRP_OBJECT_TENSOR_SECTION_TABLE = 3,
  NNRP_OBJECT_CODEC_TABLE = 4,
  NNRP_OBJECT_REUSABLE_RESULT_OBJECT = 5,
  NNRP_OBJECT_PAYLOAD_LAYOUT_TEMPLATE = 6,
  NNRP_OBJECT_PROMPT_SEGMENT = 7,
  NNRP_OBJECT_TOOL_SCHEMA = 8,
  NNRP_OBJECT_STRUCTURED_EVENT_SCHEMA = 9
} nnrp_object_kind;

typedef enum nnrp_cache_ack_status {
  NNRP_CACHE_ACCEPTED = 0,
  NNRP_CACHE_REJECTED = 1,
  NNRP_CACHE_REPLACED = 2
} nnrp_cache_ack_status;

typedef enum nnrp_cache_scope {
  NNRP_CACHE_SCOPE_WHOLE_SESSION = 0,
  NNRP_CACHE_SCOPE_NAMESPACE = 1,
  NNRP_CACHE_SCOPE_OBJECT_KIND = 2,
  NNRP_CACHE_SCOPE_OBJECT_KEY = 3
} nnrp_cache_scope;

#define NNRP_CACHE_PUT_PINNED 0x1u
#define NNRP_CACHE_PUT_REUSABLE 0x2u

/* SessionPatchField bits. */
#define NNRP_PATCH_TARGET_CADENCE 0x01u
#define NNRP_PATCH_QUALITY_TIER 0x02u
#define NNRP_PATCH_DEGRADE_POLICY 0x04u
#define NNRP_PATCH_ACTIVE_LANE_MASK 0x08u
#define NNRP_PATCH_PREFERRED_CODEC 0x10u
#define NNRP_PATCH_PREFERRED_COMPRESSION 0x20u
#define NNRP_PATCH_PROFILE_PATCH 0x40u

typedef enum nnrp_patch_ack_status {
  NNRP_PATCH_ACCEPTED = 0,
  NNRP_PATCH_PARTIALLY_APPLIED = 1,
  NNRP_PATCH_REJECTED = 2
} nnrp_patch_ack_status;

/* SERVER_HELLO_ACK server_flags. */
#define NNRP_SERVER_CACHE_ENABLED 0x1u
#define NNRP_SERVER_SESSION_RESUME 0x2u
#define NNRP_SERVER_PROFILE_PATCH_REQUIRED 0x4u

/* FLOW_UPDATE. */
typedef enum nnrp_flow_scope {
  NNRP_FLOW_SCOPE_CONNECTION = 0,
  NNRP_FLOW_SCOPE_SESSION = 1,
  NNRP_FLOW_SCOPE_OPERATION = 2
} nnrp_flow_scope;
typedef enum nnrp_flow_reason {
  NNRP_FLOW_GRANT = 0,
  NNRP_FLOW_REDUCE = 1,
  NNRP_FLOW_PAUSE = 2,
  NNRP_FLOW_RESUME = 3,
  NNRP_FLOW_CONGESTION = 4
} nnrp_flow_reason;
typedef enum nnrp_backpressure {
  NNRP_BACKPRESSURE_NONE = 0,
  NNRP_BACKPRESSURE_SOFT = 1,
  NNRP_BACKPRESSURE_HARD = 2
} nnrp_backpressure;
#define NNRP_FLOW_CREDIT_VALID 0x1u
#define NNRP_FLOW_RETRY_AFTER_VALID 0x2u
#define NNRP_FLOW_BACKGROUND_ONLY 0x4u
#define NNRP_FLOW_DRAIN_IN_FLIGHT_ONLY 0x8u

/* RESULT_HINT enumerations: applied_budget_policy 0..4, congestion_state 0..3, reason 0..4. */
#define NNRP_HINT_POLICY_MAX 4u
#define NNRP_HINT_CONGESTION_MAX 3u
#define NNRP_HINT_REASON_MAX 4u

/* Control extension types and flags. */
#define NNRP_EXT_TRANSPORT_POLICY 0x0101u
#define NNRP_EXT_TRANSPORT_POLICY_ACK 0x0102u
#define NNRP_EXT_LOSS_TOLERANCE 0x0103u
#define NNRP_EXT_LOSS_TOLERANCE_ACK 0x0104u
#define NNRP_EXT_PAYLOAD_CAPABILITIES 0x0105u
#define NNRP_EXT_PAYLOAD_CAPABILITIES_ACK 0x0106u
#define NNRP_EXT_FLAG_CRITICAL 0x0001u

/* Data plane enumerations. */
typedef enum nnrp_frame_class {
  NNRP_FRAME_KEYFRAME = 0,
  NNRP_FRAME_DELTA = 1,
  NNRP_FRAME_RETRANSMIT = 2,
  NNRP_FRAME_DISCARDABLE = 3
} nnrp_frame_class;
typedef enum nnrp_input_profile {
  NNRP_INPUT_UNSPECIFIED = 0,
  NNRP_INPUT_CHANGED_TILES_LUMA = 1,
  NNRP_INPUT_DENSE_LUMA_FRAME = 2
} nnrp_input_profile;
typedef enum nnrp_tile_index_mode {
  NNRP_TILE_DENSE_RANGE = 0,
  NNRP_TILE_RAW_U16 = 1,
  NNRP_TILE_DELTA_U16 = 2,
  NNRP_TILE_BITSET = 3
} nnrp_tile_index_mode;
typedef enum nnrp_submit_mode {
  NNRP_SUBMIT_INLINE = 0,
  NNRP_SUBMIT_REFERENCE = 1,
  NNRP_SUBMIT_MIXED = 2
} nnrp_submit_mode;
#define NNRP_BUDGET_ALLOW_PARTIAL 0x01u
#define NNRP_BUDGET_ALLOW_STALE_REUSE 0x02u
#define NNRP_BUDGET_ALLOW_DEGRADED 0x04u
#define NNRP_BUDGET_ALLOW_DROP 0x08u
#define NNRP_BUDGET_KNOWN 0x0Fu
typedef enum nnrp_result_class {
  NNRP_RESULT_COMPLETE = 0,
  NNRP_RESULT_PARTIAL = 1,
  NNRP_RESULT_STALE_REUSE = 2,
  NNRP_RESULT_DEGRADED = 3
} nnrp_result_class;
#define NNRP_RESULT_FLAG_STALE 0x0001u
#define NNRP_RESULT_FLAG_FALLBACK 0x0002u
#define NNRP_RESULT_FLAG_PARTIAL 0x0004u
#define NNRP_RESULT_FLAGS_KNOWN 0x0007u
/* object_ref_mask: standard submit slots. */
#define NNRP_REF_CAMERA_BLOCK 0x1u
#define NNRP_REF_TILE_INDEX_BLOCK 0x2u
#define NNRP_REF_TENSOR_SECTION_TABLE 0x4u
#define NNRP_REF_PAYLOAD_LAYOUT_TEMPLATE 0x8u
#define NNRP_REF_KNOWN 0xFu
typedef enum nnrp_dtype {
  NNRP_DTYPE_FP16 = 0,
  NNRP_DTYPE_FP32 = 1,
  NNRP_DTYPE_FP8_E4M3 = 2,
  NNRP_DTYPE_FP8_E5M2 = 3,
  NNRP_DTYPE_INT8 = 4,
  NNRP_DTYPE_UINT8 = 5,
  NNRP_DTYPE_INT16 = 6,
  NNRP_DTYPE_UINT16 = 7
} nnrp_dtype;
typedef enum nnrp_layout { NNRP_LAYOUT_NHWC = 0, NNRP_LAYOUT_NCHW = 1 } nnrp_layout;
typedef enum nnrp_scale_policy {
  NNRP_SCALE_NONE = 0,
  NNRP_SCALE_LINEAR = 1,
  NNRP_SCALE_ZERO_POINT = 2
} nnrp_scale_policy;
#define NNRP_SECTION_MIXED_CODEC 0x0001u
#define NNRP_SECTION_FIXED_STRIDE 0x0002u
#define NNRP_EXT_FRAME_CRITICAL 0x0001u

/* Name of a message type ("FRAME_SUBMIT"), or NULL when undefined in Preview2. */
const char *nnrp_msg_type_name(unsigned msg_type);
/* Fixed metadata length of a message type, or -1 when undefined. */
int nnrp_msg_meta_len(unsigned msg_type);
/* Name of a protocol ERROR code ("malformed_body"), or NULL. */
const char *nnrp_error_code_name(unsigned code);

/* ---------------------------------------------------------------------------------------------
 * Byte views and output sinks
 * ------------------------------------------------------------------------------------------- */

/* A view of bytes owned by someone else. */
typedef struct nnrp_vec {
  const uint8_t *base;
  size_t len;
} nnrp_vec;

/*
 * Where encoders write.  Three modes, chosen by the init function:
 *  - buffer: bytes are copied into buf[0..cap);
 *  - count:  nothing is written, only `total` grows (size query);
 *  - iov:    small structural bytes are copied into buf (scratch) and every
 *            payload of at least `zero_copy_min` bytes is appended to `iov` as a
 *            view of the caller's memory, never copied.  The packet is the
 *            concatenation of iov[0..iov_count).  The payload memory must stay
 *            valid and unchanged until the iovecs have been consumed.
 * On NNRP_ERR_BUFFER_TOO_SMALL / NNRP_ERR_IOV_TOO_SMALL nothing useful has been
 * written; `total` then still reports how many bytes the packet needs.
 */
typedef struct nnrp_sink {
  uint8_t *buf;
  size_t cap;
  size_t len;   /* bytes used in buf */
  size_t total; /* bytes of output produced (or that would be produced) */
  nnrp_vec *iov;
  size_t iov_cap;
  size_t iov_count;
  size_t zero_copy_min;
  int mode;
  int err; /* first error; later writes are ignored */
} nnrp_sink;

void nnrp_sink_init_buffer(nnrp_sink *s, uint8_t *buf, size_t cap);
void nnrp_sink_init_count(nnrp_sink *s);
void nnrp_sink_init_iov(nnrp_sink *s, uint8_t *scratch, size_t scratch_cap, nnrp_vec *iov,
                        size_t iov_cap, size_t zero_copy_min);
/* Copy bytes. */
void nnrp_sink_write(nnrp_sink *s, const void *data, size_t len);
/* Payload bytes: referenced in iov mode (when len >= zero_copy_min), copied otherwise. */
void nnrp_sink_payload(nnrp_sink *s, const void *data, size_t len);
void nnrp_sink_zero(nnrp_sink *s, size_t len);
void nnrp_sink_u8(nnrp_sink *s, uint8_t v);
void nnrp_sink_u16(nnrp_sink *s, uint16_t v);
void nnrp_sink_u32(nnrp_sink *s, uint32_t v);
void nnrp_sink_u64(nnrp_sink *s, uint64_t v);
/* Pad with zeros so that (total - start) becomes a multiple of 8. */
void nnrp_sink_pad8(nnrp_sink *s, size_t start);
/* 0 or the first error recorded by the sink. */
int nnrp_sink_error(const nnrp_sink *s);

/* 8-byte alignment helpers (wire-control §4). */
static inline size_t nnrp_pad8(size_t n) { return (8u - (n & 7u)) & 7u; }
static inline size_t nnrp_align8(size_t n) { return n + nnrp_pad8(n); }

/* ---------------------------------------------------------------------------------------------
 * Decode options
 * ------------------------------------------------------------------------------------------- */

/* Accept what nnrp-py 1.0.0rc2 accepts but the strict profile rejects (wire-data §15 D25,
 * wire-control §14 D13/D22): unchecked version and flag bits, non-zero reserved fields the
 * reference ignores, surplus metadata/body on header-only types, length fields it does not
 * cross-check, non-zero camera padding, section reserved/flag bits.  Off by default. */
#define NNRP_DECODE_PY_COMPAT 0x0001u
/* Enforce nnrp-cs's C6 rule (stale_reuse <=> reused_frame_id != 0).  Off by default. */
#define NNRP_DECODE_STRICT_C6 0x0002u
/* Lenient header (CS lenient mode): skip the version, message-type and flag checks. */
#define NNRP_DECODE_LENIENT_HEADER 0x0004u
/* Require the buffer to hold exactly one packet (nnrp-py whole-packet rule). */
#define NNRP_DECODE_EXACT 0x0008u
/* Also accept the nnrp-cs encodings that are unambiguous but that nnrp-py rejects: the 4-byte
 * loss-tolerance extension payload (wire-control §14 D2).  Off by default. */
#define NNRP_DECODE_CS_DIALECT 0x0010u

typedef struct nnrp_decode_options {
  uint32_t flags;
  /* Upper bound for meta_len + body_len; 0 means 0xFFFFFFFF. */
  uint64_t max_message_len;
  /* Extension-frame kinds this receiver understands; an unknown CRITICAL frame is an error,
   * an unknown non-critical one is skipped.  NULL/0: every kind is unknown. */
  const uint16_t *known_extension_kinds;
  size_t known_extension_kind_count;
} nnrp_decode_options;

/* ---------------------------------------------------------------------------------------------
 * Common header (wire-control §2)
 * ------------------------------------------------------------------------------------------- */

typedef struct nnrp_header {
  uint8_t version_major;
  uint8_t wire_format;
  uint8_t msg_type;
  uint8_t header_len;
  uint32_t flags;
  uint32_t meta_len;
  uint32_t body_len;
  uint32_t session_id;
  uint32_t frame_id;
  uint16_t view_id;
  uint16_t route_id;
  uint64_t trace_id;
} nnrp_header;

/* Encode 40 bytes.  Refuses header_len != 40, wire_format != 0, version != 1, an undefined
 * msg_type and reserved flag bits, each with the header error code of §2.3 (HEADER_LENGTH,
 * WIRE_FORMAT, VERSION, MSG_TYPE, RESERVED_FLAGS). */
int nnrp_header_encode(const nnrp_header *h, uint8_t out[40]);
/*
 * Decode and validate a header in the order of wire-control §2.3 (steps 1-9).
 * len < 40 gives NNRP_ERR_INCOMPLETE.  It does not require the rest of the packet.
 */
int nnrp_header_decode(nnrp_header *h, const uint8_t *data, size_t len,
                       const nnrp_decode_options *opts);
/*
 * Framing helper for stream transports: when `data` holds a valid header, stores the whole
 * packet length (40 + meta_len + body_len) in *packet_len and returns 0.  Returns
 * NNRP_ERR_INCOMPLETE for fewer than 40 bytes and a header error otherwise.
 */
int nnrp_packet_length(const uint8_t *data, size_t len, const nnrp_decode_options *opts,
                       size_t *packet_len);

/* Header fields a packet builder takes from the caller; it computes the rest. */
typedef struct nnrp_packet_params {
  uint32_t session_id;
  uint32_t frame_id;
  uint16_t view_id;
  uint16_t route_id;
  uint64_t trace_id;
  uint32_t flags;
} nnrp_packet_params;

/* ---------------------------------------------------------------------------------------------
 * Control-plane metadata (wire-control §6-§11).  Each struct has an encoder that validates and
 * writes exactly the fixed length, and a decoder that requires exactly that length.
 * ------------------------------------------------------------------------------------------- */

typedef struct nnrp_client_hello_meta {
  uint8_t min_version_major;
  uint8_t max_version_major;
  uint16_t supported_wire_format_bitmap;
  uint32_t supported_profile_bitmap;
  uint32_t supported_payload_kind_bitmap;
  uint32_t supported_codec_bitmap;
  uint32_t supported_compression_bitmap;
  uint32_t supported_dtype_bitmap;
  uint32_t supported_layout_bitmap;
  uint16_t cache_digest_bitmap;
  uint16_t cache_object_bitmap;
  uint16_t cache_namespace_count;
  uint16_t max_lane_count;
  uint32_t max_cache_entries;
  uint32_t max_cache_bytes;
  uint16_t target_cadence_x100;
  uint16_t latency_budget_ms;
  uint16_t quality_tier;
  uint16_t degrade_policy;
  uint32_t requested_session_id;
  uint32_t auth_bytes;
  uint32_t control_extension_bytes;
} nnrp_client_hello_meta;

typedef struct nnrp_server_hello_ack_meta {
  uint8_t selected_version_major;
  uint8_t selected_wire_format;
  uint8_t auth_status;
  uint8_t reserved0;
  uint32_t session_id;
  uint32_t accepted_profile_bitmap;
  uint32_t accepted_payload_kind_bitmap;
  uint32_t accepted_codec_bitmap;
  uint32_t accepted_compression_bitmap;
  uint32_t accepted_dtype_bitmap;
  uint32_t accepted_layout_bitmap;
  uint32_t cache_digest_bitmap;
  uint32_t cache_object_bitmap;
  uint32_t max_cache_entries;
  uint32_t max_cache_bytes;
  uint16_t max_lane_count;
  uint16_t max_concurrent_frames;
  uint16_t target_cadence_x100;
  uint16_t latency_budget_ms;
  uint16_t quality_tier;
  uint16_t degrade_policy;
  uint32_t max_body_bytes;
  uint32_t token_ttl_ms;
  uint32_t retry_after_ms;
  uint32_t control_extension_bytes;
  uint32_t server_flags;
} nnrp_server_hello_ack_meta;

typedef struct nnrp_session_patch_meta {
  uint16_t profile_id;
  uint16_t reserved0;
  uint32_t patch_mask;
  uint32_t target_cadence_x100;
  uint16_t quality_tier;
  uint16_t degrade_policy;
  uint64_t active_lane_mask;
  uint32_t preferred_codec_bitmap;
  uint32_t preferred_compression_bitmap;
  uint32_t profile_patch_bytes;
} nnrp_session_patch_meta;

typedef struct nnrp_session_patch_ack_meta {
  uint16_t ack_status;
  uint16_t reject_reason;
  uint32_t applied_patch_mask;
  uint32_t rejected_patch_mask;
  uint32_t retry_after_ms;
  uint16_t effective_profile_id;
  uint16_t reserved0;
  uint32_t effective_target_cadence_x100;
  uint16_t effective_quality_tier;
  uint16_t effective_degrade_policy;
  uint64_t effective_lane_mask;
  uint32_t effective_codec_bitmap;
  uint32_t effective_compression_bitmap;
  uint32_t profile_patch_ack_bytes;
} nnrp_session_patch_ack_meta;

/* Tensor profile patch (ack) block: the 16-byte SESSION_PATCH(_ACK) body. */
typedef struct nnrp_profile_patch {
  uint32_t min_width;
  uint32_t min_height;
  uint32_t max_width;
  uint32_t max_height;
} nnrp_profile_patch;

typedef struct nnrp_error_meta {
  uint32_t error_code;
  uint32_t error_scope;
  uint32_t is_fatal;
  uint32_t retry_after_ms;
  uint32_t related_session_id;
  uint32_t related_frame_id;
  uint32_t related_view_id;
  uint32_t diagnostic_bytes;
} nnrp_error_meta;

typedef struct nnrp_cache_put_meta {
  uint32_t cache_namespace;
  uint32_t cache_key_hi;
  uint32_t cache_key_lo;
  uint32_t object_kind;
  uint32_t ttl_ms;
  uint32_t object_bytes;
  uint32_t codec_bitmap;
  uint32_t flags;
} nnrp_cache_put_meta;

typedef struct nnrp_cache_ack_meta {
  uint32_t cache_namespace;
  uint32_t cache_key_hi;
  uint32_t cache_key_lo;
  uint32_t status;
  uint32_t accepted_ttl_ms;
  uint32_t max_object_bytes;
  uint32_t detail_code;
} nnrp_cache_ack_meta;

typedef struct nnrp_cache_invalidate_meta {
  uint32_t invalidate_scope;
  uint32_t cache_namespace;
  uint32_t cache_key_hi;
  uint32_t cache_key_lo;
  uint32_t reason_code;
} nnrp_cache_invalidate_meta;

typedef struct nnrp_flow_update_meta {
  uint8_t scope_kind;
  uint8_t update_reason;
  uint8_t backpressure_level;
  uint8_t reserved0;
  uint16_t connection_credit;
  uint16_t session_credit;
  uint16_t operation_credit;
  uint16_t reserved1;
  uint64_t operation_id;
  uint32_t retry_after_ms;
  uint32_t credit_epoch;
  uint32_t flags;
} nnrp_flow_update_meta;

typedef struct nnrp_result_hint_meta {
  uint32_t applied_budget_policy;
  uint32_t congestion_state;
  uint32_t reason;
  uint32_t retry_after_ms;
} nnrp_result_hint_meta;

typedef struct nnrp_transport_probe_meta {
  uint32_t probe_id;
  uint32_t probe_payload_bytes;
  uint64_t client_send_ts_us;
} nnrp_transport_probe_meta;

typedef struct nnrp_transport_probe_ack_meta {
  uint32_t probe_id;
  uint32_t reserved;
  uint64_t server_recv_ts_us;
} nnrp_transport_probe_ack_meta;

typedef struct nnrp_session_migrate_meta {
  uint32_t old_transport_id;
  uint32_t new_transport_id;
  uint64_t last_result_frame_id;
  uint64_t client_migrate_ts_us;
} nnrp_session_migrate_meta;

typedef struct nnrp_session_migrate_ack_meta {
  uint32_t accept_code;
  uint64_t resume_from_frame_id;
  uint32_t grace_window_ms;
  uint64_t server_migrate_ts_us;
} nnrp_session_migrate_ack_meta;

/*
 * Per-message metadata codecs.  `flags` are NNRP_DECODE_* bits (strict when 0).  Encoders
 * validate the same field rules the decoders check and write exactly the fixed length.
 */
int nnrp_client_hello_meta_encode(const nnrp_client_hello_meta *m, uint8_t out[64]);
int nnrp_client_hello_meta_decode(nnrp_client_hello_meta *m, const uint8_t *in, size_t len,
                                  uint32_t flags);
int nnrp_server_hello_ack_meta_encode(const nnrp_server_hello_ack_meta *m, uint8_t out[80]);
int nnrp_server_hello_ack_meta_decode(nnrp_server_hello_ack_meta *m, const uint8_t *in,
                                      size_t len, uint32_t flags);
int nnrp_session_patch_meta_encode(const nnrp_session_patch_meta *m, uint8_t out[36]);
int nnrp_session_patch_meta_decode(nnrp_session_patch_meta *m, const uint8_t *in, size_t len,
                                   uint32_t flags);
int nnrp_session_patch_ack_meta_encode(const nnrp_session_patch_ack_meta *m, uint8_t out[48]);
int nnrp_session_patch_ack_meta_decode(nnrp_session_patch_ack_meta *m, const uint8_t *in,
                                       size_t len, uint32_t flags);
int nnrp_profile_patch_encode(const nnrp_profile_patch *p, uint8_t out[16]);
int nnrp_profile_patch_decode(nnrp_profile_patch *p, const uint8_t *in, size_t len);
int nnrp_error_meta_encode(const nnrp_error_meta *m, uint8_t out[32]);
int nnrp_error_meta_decode(nnrp_error_meta *m, const uint8_t *in, size_t len, uint32_t flags);
int nnrp_cache_put_meta_encode(const nnrp_cache_put_meta *m, uint8_t out[32]);
int nnrp_cache_put_meta_decode(nnrp_cache_put_meta *m, const uint8_t *in, size_t len,
                               uint32_t flags);
int nnrp_cache_ack_meta_encode(const nnrp_cache_ack_meta *m, uint8_t out[28]);
int nnrp_cache_ack_meta_decode(nnrp_cache_ack_meta *m, const uint8_t *in, size_t len,
                               uint32_t flags);
int nnrp_cache_invalidate_meta_encode(const nnrp_cache_invalidate_meta *m, uint8_t out[20]);
int nnrp_cache_invalidate_meta_decode(nnrp_cache_invalidate_meta *m, const uint8_t *in,
                                      size_t len, uint32_t flags);
/* FLOW_UPDATE rule 7 (header binding) is checked by the packet codec, not here. */
int nnrp_flow_update_meta_encode(const nnrp_flow_update_meta *m, uint8_t out[32]);
int nnrp_flow_update_meta_decode(nnrp_flow_update_meta *m, const uint8_t *in, size_t len,
                                 uint32_t flags);
int nnrp_result_hint_meta_encode(const nnrp_result_hint_meta *m, uint8_t out[16]);
int nnrp_result_hint_meta_decode(nnrp_result_hint_meta *m, const uint8_t *in, size_t len,
                                 uint32_t flags);
int nnrp_transport_probe_meta_encode(const nnrp_transport_probe_meta *m, uint8_t out[16]);
int nnrp_transport_probe_meta_decode(nnrp_transport_probe_meta *m, const uint8_t *in, size_t len,
                                     uint32_t flags);
int nnrp_transport_probe_ack_meta_encode(const nnrp_transport_probe_ack_meta *m, uint8_t out[16]);
int nnrp_transport_probe_ack_meta_decode(nnrp_transport_probe_ack_meta *m, const uint8_t *in,
                                         size_t len, uint32_t flags);
int nnrp_session_migrate_meta_encode(const nnrp_session_migrate_meta *m, uint8_t out[24]);
int nnrp_session_migrate_meta_decode(nnrp_session_migrate_meta *m, const uint8_t *in, size_t len,
                                     uint32_t flags);
int nnrp_session_migrate_ack_meta_encode(const nnrp_session_migrate_ack_meta *m, uint8_t out[24]);
int nnrp_session_migrate_ack_meta_decode(nnrp_session_migrate_ack_meta *m, const uint8_t *in,
                                         size_t len, uint32_t flags);

/* Capability bitmap helpers (wire-control §3.8): 1 << id, and 1 << (kind - 1). */
int nnrp_capability_bitmap(const uint8_t *ids, size_t n, uint32_t *bitmap);
int nnrp_cache_object_bitmap(const uint16_t *kinds, size_t n, uint32_t *bitmap);

/* ---------------------------------------------------------------------------------------------
 * Control extension TLVs (wire-control §5)
 * ------------------------------------------------------------------------------------------- */

typedef struct nnrp_ext_entry {
  uint16_t ext_type;
  uint16_t ext_flags;
  nnrp_vec payload;
} nnrp_ext_entry;

/* Bytes an extension block of these entries takes (sum of 8 + align8(len)); SIZE_MAX when
 * that does not fit a size_t. */
size_t nnrp_ext_block_len(const nnrp_ext_entry *entries, size_t n);
/* Write entries in the given order, each padded to 8. */
int nnrp_ext_block_encode(const nnrp_ext_entry *entries, size_t n, nnrp_sink *sink);

/*
 * Validate a whole extension block.  `known_types` is the set of types understood for the
 * enclosing message (NULL/0: none); an unknown critical entry fails with
 * NNRP_ERR_EXT_UNKNOWN_CRITICAL.  Known standard entries are also parsed and checked.
 */
int nnrp_ext_block_validate(const uint8_t *block, size_t len, const uint16_t *known_types,
                            size_t known_count, uint32_t flags, nnrp_diag *diag);

/* Iterate over a validated block, unknown entries included. */
typedef struct nnrp_ext_iter {
  const uint8_t *pos;
  const uint8_t *end;
} nnrp_ext_iter;
void nnrp_ext_iter_init(nnrp_ext_iter *it, const uint8_t *block, size_t len);
/* 1 and fills *e while entries remain, 0 at the end. */
int nnrp_ext_iter_next(nnrp_ext_iter *it, nnrp_ext_entry *e);

/* Standard extension payloads. */
typedef struct nnrp_transport_policy_ext {
  uint8_t transport_policy;
  uint8_t accepted_transport_policy; /* 0x0102 only; written as 0 in 0x0101 */
  uint32_t transport_id;             /* 0x0101: preferred_transport_id; 0x0102: active */
} nnrp_transport_policy_ext;

typedef struct nnrp_loss_tolerance_ext {
  uint8_t loss_tolerance; /* session (0x0103) or accepted (0x0104) level, 0..3 */
  uint8_t payload_len;    /* 8 (nnrp-py) or 4 (nnrp-cs dialect, decode only) */
} nnrp_loss_tolerance_ext;

typedef struct nnrp_payload_caps_ext {
  uint32_t payload_kind_bitmap;
  uint32_t critical_extension_frame_bitmap;
} nnrp_payload_caps_ext;

/* Build a standard entry: writes the 8-byte payload into `buf` and points e->payload at it.
 * The values are checked as a decoder checks them; in addition a 0x0102 entry needs a
 * non-zero active transport (§14 D8), and loss tolerance is always the 8-byte form (D2). */
int nnrp_ext_transport_policy_build(uint16_t ext_type, const nnrp_transport_policy_ext *v,
                                    int critical, uint8_t buf[8], nnrp_ext_entry *e);
int nnrp_ext_loss_tolerance_build(uint16_t ext_type, const nnrp_loss_tolerance_ext *v,
                                  int critical, uint8_t buf[8], nnrp_ext_entry *e);
int nnrp_ext_payload_caps_build(uint16_t ext_type, const nnrp_payload_caps_ext *v, int critical,
                                uint8_t buf[8], nnrp_ext_entry *e);
/* Parse a standard entry; the entry's type must be the accessor's (NNRP_ERR_EXT_TYPE). */
int nnrp_ext_transport_policy_parse(const nnrp_ext_entry *e, nnrp_transport_policy_ext *v);
int nnrp_ext_loss_tolerance_parse(const nnrp_ext_entry *e, nnrp_loss_tolerance_ext *v);
int nnrp_ext_payload_caps_parse(const nnrp_ext_entry *e, nnrp_payload_caps_ext *v);

/* Standard extensions found in a hello body (first occurrence of each type wins). */
#define NNRP_HELLO_HAS_TRANSPORT_POLICY 0x1u
#define NNRP_HELLO_HAS_LOSS_TOLERANCE 0x2u
#define NNRP_HELLO_HAS_PAYLOAD_CAPS 0x4u
typedef struct nnrp_hello_body {
  nnrp_vec extensions; /* the raw extension block */
  nnrp_vec auth;       /* CLIENT_HELLO only */
  size_t extension_count;
  uint32_t present; /* NNRP_HELLO_HAS_* */
  nnrp_transport_policy_ext transport_policy;
  nnrp_loss_tolerance_ext loss_tolerance;
  nnrp_payload_caps_ext payload_caps;
} nnrp_hello_body;

/* ---------------------------------------------------------------------------------------------
 * Data-plane metadata (wire-data §3, §4)
 * ------------------------------------------------------------------------------------------- */

typedef struct nnrp_frame_submit_meta {
  uint16_t src_width;
  uint16_t src_height;
  uint16_t tile_width;
  uint16_t tile_height;
  uint16_t tile_count;
  uint16_t section_count;
  uint8_t frame_class;
  uint8_t input_profile;
  uint8_t tile_index_mode;
  uint8_t reserved0;
  uint16_t latency_budget_ms;
  uint16_t target_fps_x100;
  uint32_t retry_of_frame;
  uint32_t tile_base_id;
  uint32_t camera_bytes;
  uint32_t tile_index_bytes;
  uint64_t reserved1;
  uint64_t reserved2;
  uint8_t submit_mode;
  uint8_t budget_policy;
  uint8_t loss_tolerance_policy;
  uint8_t reserved3;
  uint32_t object_ref_mask;
  uint32_t dependency_frame_id;
  uint32_t payload_kind_bitmap;
  uint16_t payload_frame_count;
  uint16_t reserved4;
} nnrp_frame_submit_meta;

typedef struct nnrp_result_push_meta {
  uint16_t status_code;
  uint16_t result_flags;
  uint16_t section_count;
  uint16_t tile_count;
  uint16_t active_profile_id;
  uint16_t reserved0;
  uint16_t inference_ms;
  uint16_t queue_ms;
  uint16_t server_total_ms;
  uint16_t reserved1;
  uint32_t tile_base_id;
  uint32_t tile_index_bytes;
  uint64_t reserved2;
  uint64_t reserved3;
  uint8_t result_class;
  uint8_t applied_budget_policy;
  uint16_t reserved4;
  uint32_t reused_frame_id;
  uint16_t covered_tile_count;
  uint16_t dropped_tile_count;
  uint32_t payload_kind_bitmap;
  uint16_t payload_frame_count;
  uint16_t reserved5;
} nnrp_result_push_meta;

/* Metadata defaults of the reference builders (submit INLINE, loss 0xFF, bitmap TENSOR...). */
void nnrp_frame_submit_meta_init(nnrp_frame_submit_meta *m);
void nnrp_result_push_meta_init(nnrp_result_push_meta *m);

/* Field rules of wire-data §3 rules 1-7 / §4.  RESULT_PUSH coverage is not part of them (as in
 * nnrp-py, whose golden metadata decodes without it): nnrp_result_push_check_coverage() runs in
 * body validation and in the builders. */
/* FRAME_SUBMIT: rules 1-5 in every profile; the frame_class range, rule 6 (reserved fields)
 * and rule 7 (object_ref_mask against submit_mode) in the strict profile only.  The encoder
 * always applies the strict rules. */
int nnrp_frame_submit_meta_encode(const nnrp_frame_submit_meta *m, uint8_t out[72]);
int nnrp_frame_submit_meta_decode(nnrp_frame_submit_meta *m, const uint8_t *in, size_t len,
                                  uint32_t flags);
int nnrp_result_push_meta_encode(const nnrp_result_push_meta *m, uint8_t out[64]);
int nnrp_result_push_meta_decode(nnrp_result_push_meta *m, const uint8_t *in, size_t len,
                                 uint32_t flags);
/* Coverage rules C2-C5 (C6 with NNRP_DECODE_STRICT_C6); no-op without the TENSOR bit. */
int nnrp_result_push_check_coverage(const nnrp_result_push_meta *m, uint32_t flags);

/* ---------------------------------------------------------------------------------------------
 * Tile index blocks (wire-data §6.1)
 * ------------------------------------------------------------------------------------------- */

/* Encoded length of ids under a mode; checks the builder preconditions. */
int nnrp_tile_index_encoded_len(const uint16_t *ids, size_t n, unsigned mode,
                                uint32_t tile_base_id, size_t *len);
int nnrp_tile_index_encode(const uint16_t *ids, size_t n, unsigned mode, uint32_t tile_base_id,
                           nnrp_sink *sink);
/*
 * Validate a block against mode, tile_count and tile_base_id (decode rules, strict D24): the
 * strict profile also refuses DENSE_RANGE ids above 65535, zero DELTA_U16 deltas and BITSET
 * bits past id 65535; NNRP_DECODE_PY_COMPAT accepts them as long as every id fits a u32.
 * A DELTA_U16 running sum above 65535 is refused by both profiles.
 */
int nnrp_tile_index_validate(const uint8_t *block, size_t len, unsigned mode, size_t tile_count,
                             uint32_t tile_base_id, uint32_t flags);
/* Iterate ids of a validated block. */
typedef struct nnrp_tile_iter {
  const uint8_t *block;
  size_t len;
  unsigned mode;
  size_t count;
  size_t index;
  size_t bit; /* BITSET cursor */
  uint32_t base;
  uint32_t last;
} nnrp_tile_iter;
void nnrp_tile_iter_init(nnrp_tile_iter *it, const uint8_t *block, size_t len, unsigned mode,
                         size_t tile_count, uint32_t tile_base_id);
/* 1 and stores the next id while ids remain, 0 at the end. */
int nnrp_tile_iter_next(nnrp_tile_iter *it, uint32_t *id);

/* ---------------------------------------------------------------------------------------------
 * Tensor sections (wire-data §6.2-§6.4)
 * ------------------------------------------------------------------------------------------- */

typedef struct nnrp_section_desc {
  uint16_t role_id;
  uint8_t codec_id;
  uint8_t dtype_id;
  uint8_t layout_id;
  uint8_t scale_policy;
  uint16_t flags;
  uint32_t element_count_per_tile;
  uint32_t codec_table_bytes;
  uint32_t length_table_bytes;
  uint32_t payload_bytes;
  uint32_t payload_stride_bytes;
  uint32_t reserved;
} nnrp_section_desc;

void nnrp_section_desc_encode(const nnrp_section_desc *d, uint8_t out[32]);
void nnrp_section_desc_decode(nnrp_section_desc *d, const uint8_t in[32]);

/* A validated section inside the caller's buffer. */
typedef struct nnrp_section_view {
  nnrp_section_desc desc;
  const uint8_t *codec_table;  /* codec_table_bytes bytes, may be empty */
  const uint8_t *length_table; /* length_table_bytes / 4 u32 entries */
  const uint8_t *payload;      /* payload_bytes bytes */
  size_t tile_count;           /* length-table entries */
} nnrp_section_view;

uint32_t nnrp_section_tile_length(const nnrp_section_view *s, size_t tile);
uint8_t nnrp_section_tile_codec(const nnrp_section_view *s, size_t tile);

/* Walks tiles of a section in order; payload views come out in O(1) each. */
typedef struct nnrp_section_tile_iter {
  const nnrp_section_view *section;
  size_t index;
  size_t offset;
} nnrp_section_tile_iter;
void nnrp_section_tile_iter_init(nnrp_section_tile_iter *it, const nnrp_section_view *s);
/* 1 and fills the tile payload view (real length, stride padding excluded), 0 at the end. */
int nnrp_section_tile_iter_next(nnrp_section_tile_iter *it, nnrp_vec *payload);

/* Logical section input of the builders (PY TensorSectionData). */
typedef struct nnrp_tensor_section_data {
  uint16_t role_id;
  uint8_t default_codec_id;
  uint8_t dtype_id;
  uint8_t layout_id;    /* default NHWC */
  uint8_t scale_policy; /* default NONE */
  uint32_t payload_stride_bytes; /* 0 = variable length */
  uint32_t element_count_per_tile;
  const nnrp_vec *tile_payloads; /* one per tile */
  size_t tile_payload_count;
  const uint8_t *codec_ids; /* NULL or one per tile */
  size_t codec_id_count;
} nnrp_tensor_section_data;

/* Encoded size of a section (descriptor + tables + blob); checks S-rules of the input. */
int nnrp_tensor_section_encoded_len(const nnrp_tensor_section_data *s, size_t *len);
/* PY pack_tensor_section_data: emits one section (payloads through nnrp_sink_payload). */
int nnrp_tensor_section_encode(const nnrp_tensor_section_data *s, nnrp_sink *sink);
/* PY pack_tensor_section: a section from an explicit descriptor and raw tables.  Checks S13
 * and the strict descriptor bits (reserved 0, known flags), then SECTION_LENGTH_MISMATCH, then
 * S3-S12. */
int nnrp_tensor_section_pack(const nnrp_section_desc *d, nnrp_vec codec_table,
                             nnrp_vec length_table, nnrp_vec payload, nnrp_sink *sink);
/* A sequence of sections, 8-aligned relative to `start` (the enclosing buffer's offset in the
 * sink, usually s->total before the enclosing buffer began); checks Q1/Q2 with tile_count. */
int nnrp_section_seq_encode(const nnrp_tensor_section_data *sections, size_t n,
                            size_t tile_count, size_t start, nnrp_sink *sink);

/*
 * Validate a section sequence occupying exactly buf[0..len): S1-S13 per section (plus the
 * strict reserved/flags checks unless NNRP_DECODE_PY_COMPAT), Q1, Q3 when tile_count >= 0,
 * Q4, Q5.  The first section starts at offset 0.
 */
int nnrp_section_seq_validate(const uint8_t *buf, size_t len, size_t section_count,
                              long tile_count, uint32_t flags, nnrp_diag *diag);
typedef struct nnrp_section_iter {
  const uint8_t *buf;
  size_t len;
  size_t offset;
  size_t remaining;
} nnrp_section_iter;
void nnrp_section_iter_init(nnrp_section_iter *it, const uint8_t *buf, size_t len,
                            size_t section_count);
/* 1 and fills *s while sections remain, 0 at the end (validated input only). */
int nnrp_section_iter_next(nnrp_section_iter *it, nnrp_section_view *s);

/* PY unpack_tensor_body: tile index block (sliced, not decoded), zero padding to 8 before the
 * first section, section sequence, no trailing bytes.  diag offsets are relative to buf. */
typedef struct nnrp_tensor_body_view {
  nnrp_vec tile_index;
  nnrp_vec sections; /* starts at the first section */
  size_t section_count;
} nnrp_tensor_body_view;
int nnrp_tensor_body_unpack(nnrp_tensor_body_view *v, const uint8_t *buf, size_t len,
                            size_t tile_index_bytes, size_t section_count, long tile_count,
                            uint32_t flags, nnrp_diag *diag);

/* ---------------------------------------------------------------------------------------------
 * Region bodies (wire-data §9)
 * ------------------------------------------------------------------------------------------- */

typedef struct nnrp_prelude {
  uint32_t inline_object_bytes;
  uint32_t object_reference_bytes;
  uint32_t typed_payload_descriptor_bytes;
  uint32_t typed_payload_frame_bytes;
  uint32_t extension_descriptor_bytes;
  uint32_t extension_payload_bytes;
  uint32_t body_flags;
  uint32_t reserved;
} nnrp_prelude;

enum {
  NNRP_REGION_INLINE_OBJECTS = 0,
  NNRP_REGION_OBJECT_REFERENCES = 1,
  NNRP_REGION_TYPED_DESCRIPTORS = 2,
  NNRP_REGION_TYPED_FRAMES = 3,
  NNRP_REGION_EXT_DESCRIPTORS = 4,
  NNRP_REGION_EXT_PAYLOADS = 5,
  NNRP_REGION_COUNT = 6
};

typedef struct nnrp_inline_object_header {
  uint16_t object_kind;
  uint16_t object_flags;
  uint16_t profile_id;
  uint16_t reserved0;
  uint32_t object_bytes;
  uint32_t reserved1;
} nnrp_inline_object_header;

typedef struct nnrp_object_ref {
  uint16_t object_kind;
  uint16_t ref_flags;
  uint32_t cache_namespace;
  uint32_t cache_key_hi;
  uint32_t cache_key_lo;
} nnrp_object_ref;

void nnrp_prelude_encode(const nnrp_prelude *p, uint8_t out[32]);
void nnrp_prelude_decode(nnrp_prelude *p, const uint8_t in[32]);
void nnrp_object_ref_encode(const nnrp_object_ref *r, uint8_t out[16]);
void nnrp_object_ref_decode(nnrp_object_ref *r, const uint8_t in[16]);
void nnrp_inline_object_header_encode(const nnrp_inline_object_header *h, uint8_t out[16]);
void nnrp_inline_object_header_decode(nnrp_inline_object_header *h, const uint8_t in[16]);

/* PY pack_body: prelude with the six lengths, then the regions back to back (each region
 * through nnrp_sink_payload).  Descriptor regions must be multiples of 16. */
int nnrp_body_pack(const nnrp_vec regions[6], nnrp_sink *sink);
/* PY unpack_body: B1-B10 in the order of wire-data §14.1; fills the six region views (into
 * `body`); diag offsets are relative to `body`.  The strict profile (no NNRP_DECODE_PY_COMPAT)
 * also wants typed frames and extension frames contiguous from offset 0 and filling their
 * regions (§15 D8): NNRP_ERR_TYPED_LAYOUT / NNRP_ERR_EXT_FRAME_LAYOUT. */
int nnrp_body_unpack(nnrp_vec regions[6], const uint8_t *body, size_t len, uint32_t flags,
                     nnrp_diag *diag);
/* One inline object block (header, payload, zero padding to 8). */
int nnrp_inline_object_encode(const nnrp_inline_object_header *h, nnrp_vec payload,
                              nnrp_sink *sink);

typedef struct nnrp_inline_object {
  nnrp_inline_object_header header;
  nnrp_vec payload;
} nnrp_inline_object;
typedef struct nnrp_inline_object_iter {
  const uint8_t *pos;
  const uint8_t *end;
} nnrp_inline_object_iter;
void nnrp_inline_object_iter_init(nnrp_inline_object_iter *it, nnrp_vec region);
int nnrp_inline_object_iter_next(nnrp_inline_object_iter *it, nnrp_inline_object *o);

/* Reference block i of a validated reference region. */
void nnrp_object_ref_at(const nnrp_vec *region, size_t i, nnrp_object_ref *r);

/* ---------------------------------------------------------------------------------------------
 * Typed payload frames and extension frames (wire-data §10)
 * ------------------------------------------------------------------------------------------- */

typedef struct nnrp_typed_frame {
  uint8_t payload_kind; /* exactly one NNRP_PAYLOAD_* bit, never TENSOR */
  uint8_t descriptor_flags;
  uint16_t profile_id;
  nnrp_vec payload;
} nnrp_typed_frame;

typedef struct nnrp_typed_desc {
  uint8_t payload_kind;
  uint8_t descriptor_flags;
  uint16_t profile_id;
  uint32_t payload_offset;
  uint32_t payload_length;
  uint32_t reserved;
} nnrp_typed_desc;

typedef struct nnrp_ext_frame {
  uint16_t extension_kind;
  uint16_t extension_flags;
  uint16_t profile_id;
  nnrp_vec payload;
} nnrp_ext_frame;

typedef struct nnrp_ext_frame_desc {
  uint16_t extension_kind;
  uint16_t extension_flags;
  uint16_t profile_id;
  uint16_t reserved0;
  uint32_t payload_offset;
  uint32_t payload_length;
} nnrp_ext_frame_desc;

void nnrp_typed_desc_encode(const nnrp_typed_desc *d, uint8_t out[16]);
void nnrp_typed_desc_decode(nnrp_typed_desc *d, const uint8_t in[16]);
void nnrp_ext_frame_desc_encode(const nnrp_ext_frame_desc *d, uint8_t out[16]);
void nnrp_ext_frame_desc_decode(nnrp_ext_frame_desc *d, const uint8_t in[16]);

/* PY build_typed_payload_frame validation: single known kind, not TENSOR, flags 0. */
int nnrp_typed_frame_check(const nnrp_typed_frame *f);
/* PY parse_*_frame: check and require a kind (0 = any). */
int nnrp_typed_frame_expect(const nnrp_typed_frame *f, uint8_t kind);
/* PY build_extension_frame validation: unknown flag bits rejected. */
int nnrp_ext_frame_check(const nnrp_ext_frame *f);

/* PY pack_typed_payload_frames: descriptors (contiguous offsets) then frames, to two sinks.
 * Every descriptor is written before any payload, so one sink passed twice receives both
 * regions back to back.  Nothing is written when a frame breaks a rule. */
int nnrp_typed_frames_pack(const nnrp_typed_frame *frames, size_t n, nnrp_sink *descriptors,
                           nnrp_sink *payloads);
int nnrp_ext_frames_pack(const nnrp_ext_frame *frames, size_t n, nnrp_sink *descriptors,
                         nnrp_sink *payloads);
/* Descriptor + offset rules of a typed (resp. extension) region pair. */
int nnrp_typed_regions_validate(nnrp_vec descriptors, nnrp_vec frames, nnrp_diag *diag);
int nnrp_ext_regions_validate(nnrp_vec descriptors, nnrp_vec payloads, nnrp_diag *diag);
/* Frame i of validated regions. */
void nnrp_typed_frame_at(nnrp_vec descriptors, nnrp_vec frames, size_t i, nnrp_typed_frame *f);
void nnrp_ext_frame_at(nnrp_vec descriptors, nnrp_vec payloads, size_t i, nnrp_ext_frame *f);
/* PY unpack_extension_frames with a known-kind set: 1 if frame i is to be handed over, 0 if it
 * is an unknown non-critical frame to skip, NNRP_ERR_EXT_FRAME_CRITICAL if unknown critical. */
int nnrp_ext_frame_filter(const nnrp_ext_frame *f, const uint16_t *known, size_t known_count);

/* ---------------------------------------------------------------------------------------------
 * FRAME_SUBMIT / RESULT_PUSH bodies (wire-data §5, §8-§11)
 * ------------------------------------------------------------------------------------------- */

typedef enum nnrp_body_family {
  NNRP_BODY_EMPTY = 0,
  NNRP_BODY_LEGACY = 1,
  NNRP_BODY_REGION = 2
} nnrp_body_family;

/* Presence bits of nnrp_data_body.present. */
#define NNRP_DATA_HAS_CAMERA 0x01u            /* camera carried inline */
#define NNRP_DATA_HAS_TILE_INDEX 0x02u        /* tile index block carried inline */
#define NNRP_DATA_HAS_SECTION_TABLE 0x04u     /* section table carried inline */
#define NNRP_DATA_REF_CAMERA 0x10u            /* referenced, see refs[0] */
#define NNRP_DATA_REF_TILE_INDEX 0x20u        /* refs[1] */
#define NNRP_DATA_REF_SECTION_TABLE 0x40u     /* refs[2] */
#define NNRP_DATA_REF_LAYOUT_TEMPLATE 0x80u   /* refs[3] */

/*
 * A validated FRAME_SUBMIT or RESULT_PUSH body.  Every view points into the packet.
 * Sections are walked with nnrp_section_iter_init(&it, sections.base, sections.len,
 * section_count); tile ids with nnrp_tile_iter_init(..., tile_index, mode, tile_count, base),
 * where the mode of a RESULT_PUSH is the implied one (nnrp_result_tile_mode()).
 */
typedef struct nnrp_data_body {
  nnrp_body_family family;
  uint32_t present;
  nnrp_vec camera;
  nnrp_vec tile_index;
  nnrp_vec sections;
  size_t section_count;
  nnrp_object_ref refs[4]; /* standard slots: camera, tile index, section table, layout */
  /* Region bodies only. */
  nnrp_prelude prelude;
  nnrp_vec regions[6];
  size_t inline_object_count;
  size_t reference_count;
  size_t typed_frame_count;
  size_t ext_frame_count;
} nnrp_data_body;

/* RESULT_PUSH implied tile-index mode: RAW_U16 when tile_index_bytes != 0, else DENSE_RANGE. */
static inline unsigned nnrp_result_tile_mode(const nnrp_result_push_meta *m) {
  return m->tile_index_bytes ? NNRP_TILE_RAW_U16 : NNRP_TILE_DENSE_RANGE;
}

/* Body validators (PY validate_*_body plus the legacy walk and tile-index decode). */
/* FRAME_SUBMIT (wire-data §5): INLINE + TENSOR-only + no typed frames selects the legacy body
 * (camera, its padding, tile index, sections); anything else a region body (B1-B10, T1-T4,
 * M1-M11, then unknown critical extension frames).  A zero-length body whose metadata declares
 * no content is NNRP_BODY_EMPTY.  `m` must have passed nnrp_frame_submit_meta_decode() with the
 * same flags; diag offsets are relative to `body`. */
int nnrp_frame_submit_body_decode(nnrp_data_body *b, const nnrp_frame_submit_meta *m,
                                  const uint8_t *body, size_t len,
                                  const nnrp_decode_options *opts, nnrp_diag *diag);
int nnrp_result_push_body_decode(nnrp_data_body *b, const nnrp_result_push_meta *m,
                                 const uint8_t *body, size_t len,
                                 const nnrp_decode_options *opts, nnrp_diag *diag);
/* Typed frame i (0..typed_frame_count) and extension frame i of a region body. */
void nnrp_data_body_typed_frame(const nnrp_data_body *b, size_t i, nnrp_typed_frame *f);
void nnrp_data_body_ext_frame(const nnrp_data_body *b, size_t i, nnrp_ext_frame *f);

/* ---------------------------------------------------------------------------------------------
 * Whole packets
 * ------------------------------------------------------------------------------------------- */

typedef union nnrp_meta {
  nnrp_client_hello_meta client_hello;
  nnrp_server_hello_ack_meta server_hello_ack;
  nnrp_session_patch_meta session_patch;
  nnrp_session_patch_ack_meta session_patch_ack;
  nnrp_error_meta error;
  nnrp_frame_submit_meta frame_submit;
  nnrp_result_push_meta result_push;
  nnrp_cache_put_meta cache_put;
  nnrp_cache_ack_meta cache_ack;
  nnrp_cache_invalidate_meta cache_invalidate;
  nnrp_flow_update_meta flow_update;
  nnrp_result_hint_meta result_hint;
  nnrp_transport_probe_meta transport_probe;
  nnrp_transport_probe_ack_meta transport_probe_ack;
  nnrp_session_migrate_meta session_migrate;
  nnrp_session_migrate_ack_meta session_migrate_ack;
} nnrp_meta;

typedef struct nnrp_packet {
  nnrp_header header;
  size_t packet_len; /* 40 + meta_len + body_len */
  nnrp_vec metadata;
  nnrp_vec body;
  nnrp_meta meta;
  /* Body, by message type:
   *  CLIENT_HELLO, SERVER_HELLO_ACK     -> hello
   *  SESSION_PATCH(_ACK)                -> profile_patch when has_profile_patch
   *  FRAME_SUBMIT, RESULT_PUSH          -> data
   *  CLOSE (reason), ERROR (diagnostic), CACHE_PUT (object), TRANSPORT_PROBE (padding),
   *  SESSION_MIGRATE (PY-compat only)   -> `body` itself */
  nnrp_hello_body hello;
  int has_profile_patch;
  nnrp_profile_patch profile_patch;
  nnrp_data_body data;
} nnrp_packet;

/*
 * Decode and fully validate the packet at the start of `data`.  NNRP_ERR_INCOMPLETE when
 * `len` does not yet hold the whole packet; bytes after it are left alone (stream use),
 * unless NNRP_DECODE_EXACT is set, which rejects them with NNRP_ERR_TRAILING_BYTES.
 * `opts` may be NULL (strict defaults).  On failure `diag` (may be NULL) says where.
 * A message type Preview2 does not define (only accepted with NNRP_DECODE_LENIENT_HEADER)
 * comes back framed, with `metadata` and `body` views and nothing else decoded.
 */
int nnrp_packet_decode(nnrp_packet *p, const uint8_t *data, size_t len,
                       const nnrp_decode_options *opts, nnrp_diag *diag);

/* Raw packet: header (lengths must equal the views), metadata and body bytes as given. */
int nnrp_packet_encode_raw(const nnrp_header *h, nnrp_vec metadata, nnrp_vec body,
                           nnrp_sink *sink);

/* ---------------------------------------------------------------------------------------------
 * Control-plane packet builders.  Each computes meta_len/body_len and the length fields of the
 * metadata (auth_bytes, control_extension_bytes, diagnostic_bytes, object_bytes,
 * probe_payload_bytes, profile_patch(_ack)_bytes) from the actual inputs.
 * ------------------------------------------------------------------------------------------- */

int nnrp_build_client_hello(const nnrp_packet_params *p, const nnrp_client_hello_meta *m,
                            const nnrp_ext_entry *exts, size_t ext_count, nnrp_vec auth,
                            nnrp_sink *sink);
int nnrp_build_server_hello_ack(const nnrp_packet_params *p, const nnrp_server_hello_ack_meta *m,
                                const nnrp_ext_entry *exts, size_t ext_count, nnrp_sink *sink);
/* patch may be NULL (no profile patch block). */
int nnrp_build_session_patch(const nnrp_packet_params *p, const nnrp_session_patch_meta *m,
                             const nnrp_profile_patch *patch, nnrp_sink *sink);
int nnrp_build_session_patch_ack(const nnrp_packet_params *p,
                                 const nnrp_session_patch_ack_meta *m,
                                 const nnrp_profile_patch *patch, nnrp_sink *sink);
int nnrp_build_close(const nnrp_packet_params *p, nnrp_vec reason, nnrp_sink *sink);
int nnrp_build_error(const nnrp_packet_params *p, const nnrp_error_meta *m, nnrp_vec diagnostic,
                     nnrp_sink *sink);
/* Header-only messages: FRAME_CANCEL, RESULT_DROP, PING, PONG (CLOSE with an empty reason). */
int nnrp_build_header_only(const nnrp_packet_params *p, unsigned msg_type, nnrp_sink *sink);
int nnrp_build_frame_cancel(const nnrp_packet_params *p, nnrp_sink *sink);
int nnrp_build_result_drop(const nnrp_packet_params *p, nnrp_sink *sink);
int nnrp_build_ping(const nnrp_packet_params *p, nnrp_sink *sink);
int nnrp_build_pong(const nnrp_packet_params *p, nnrp_sink *sink);
int nnrp_build_cache_put(const nnrp_packet_params *p, const nnrp_cache_put_meta *m,
                         nnrp_vec object, nnrp_sink *sink);
int nnrp_build_cache_ack(const nnrp_packet_params *p, const nnrp_cache_ack_meta *m,
                         nnrp_sink *sink);
int nnrp_build_cache_invalidate(const nnrp_packet_params *p, const nnrp_cache_invalidate_meta *m,
                                nnrp_sink *sink);
/* Checks the header binding (rule 7) against p->session_id. */
int nnrp_build_flow_update(const nnrp_packet_params *p, const nnrp_flow_update_meta *m,
                           nnrp_sink *sink);
int nnrp_build_result_hint(const nnrp_packet_params *p, const nnrp_result_hint_meta *m,
                           nnrp_sink *sink);
int nnrp_build_transport_probe(const nnrp_packet_params *p, const nnrp_transport_probe_meta *m,
                               nnrp_vec padding, nnrp_sink *sink);
int nnrp_build_transport_probe_ack(const nnrp_packet_params *p,
                                   const nnrp_transport_probe_ack_meta *m, nnrp_sink *sink);
int nnrp_build_session_migrate(const nnrp_packet_params *p, const nnrp_session_migrate_meta *m,
                               nnrp_sink *sink);
int nnrp_build_session_migrate_ack(const nnrp_packet_params *p,
                                   const nnrp_session_migrate_ack_meta *m, nnrp_sink *sink);

/* ---------------------------------------------------------------------------------------------
 * Data-plane packet builders (wire-data §12): the same rules, defaults and bytes as nnrp-py's
 * build_frame_submit_packet, build_frame_submit_typed_payload_packet,
 * build_frame_submit_mixed_packet, build_result_push_packet and its partial / stale-reuse /
 * degraded wrappers, build_result_push_typed_payload_packet, build_result_push_mixed_packet.
 * ------------------------------------------------------------------------------------------- */

typedef struct nnrp_frame_submit_input {
  nnrp_packet_params packet;
  uint16_t src_width;
  uint16_t src_height;
  uint16_t tile_width;
  uint16_t tile_height;
  const uint16_t *tile_ids;
  size_t tile_id_count;
  const nnrp_tensor_section_data *sections;
  size_t section_count;
  nnrp_vec camera_block;
  uint8_t frame_class;
  uint8_t input_profile;
  uint8_t tile_index_mode; /* default RAW_U16 */
  uint16_t latency_budget_ms;
  uint16_t target_fps_x100;
  uint32_t retry_of_frame;
  uint32_t tile_base_id;
  uint8_t submit_mode;
  uint32_t object_ref_mask;
  const nnrp_object_ref *camera_reference; /* NULL = none */
  const nnrp_object_ref *tile_index_reference;
  const nnrp_object_ref *tensor_section_table_reference;
  uint8_t budget_policy;
  uint32_t dependency_frame_id;
  uint8_t loss_tolerance_policy; /* default 0xFF (inherit) */
  uint32_t payload_kind_bitmap;  /* default TENSOR; the typed/mixed builders compute it */
  uint16_t payload_frame_count;  /* the typed/mixed builders compute it */
  const nnrp_typed_frame *frames; /* typed and mixed builders */
  size_t frame_count;
} nnrp_frame_submit_input;

typedef struct nnrp_result_push_input {
  nnrp_packet_params packet;
  const uint16_t *tile_ids;
  size_t tile_id_count;
  const nnrp_tensor_section_data *sections;
  size_t section_count;
  uint16_t result_flags;
  uint16_t active_profile_id;
  uint16_t inference_ms;
  uint16_t queue_ms;
  uint16_t server_total_ms;
  uint16_t status_code;
  uint8_t tile_index_mode; /* RAW_U16 (default) or DENSE_RANGE */
  uint32_t tile_base_id;
  uint8_t result_class;
  uint8_t applied_budget_policy;
  uint32_t reused_frame_id;
  long covered_tile_count; /* -1 (default) = tile_id_count */
  long dropped_tile_count;
  uint32_t payload_kind_bitmap; /* default TENSOR */
  uint16_t payload_frame_count;
  const nnrp_typed_frame *frames;
  size_t frame_count;
  /* Cache references (replay exports, wire-data §13.1): when non-empty the body is a region
   * body whose references are sorted by (kind, namespace, hi, lo); referenced objects are not
   * carried inline. */
  const nnrp_object_ref *references;
  size_t reference_count;
} nnrp_result_push_input;

/* Set every field to the reference builders' defaults. */
void nnrp_frame_submit_input_init(nnrp_frame_submit_input *in);
void nnrp_result_push_input_init(nnrp_result_push_input *in);

int nnrp_build_frame_submit(const nnrp_frame_submit_input *in, nnrp_sink *sink);
int nnrp_build_frame_submit_typed(const nnrp_frame_submit_input *in, nnrp_sink *sink);
int nnrp_build_frame_submit_mixed(const nnrp_frame_submit_input *in, nnrp_sink *sink);
int nnrp_build_result_push(const nnrp_result_push_input *in, nnrp_sink *sink);
/* Wrappers force flags/class/policy as the reference does (wire-data §12.2), and a TENSOR-only
 * bitmap with no frames; the partial wrapper needs an explicit covered_tile_count (not -1). */
int nnrp_build_result_push_partial(const nnrp_result_push_input *in, nnrp_sink *sink);
int nnrp_build_result_push_stale_reuse(const nnrp_result_push_input *in, nnrp_sink *sink);
int nnrp_build_result_push_degraded(const nnrp_result_push_input *in, nnrp_sink *sink);
int nnrp_build_result_push_typed(const nnrp_result_push_input *in, nnrp_sink *sink);
int nnrp_build_result_push_mixed(const nnrp_result_push_input *in, nnrp_sink *sink);

#ifdef __cplusplus
}
#endif

#endif /* LIBNNRP_WIRE_H */
