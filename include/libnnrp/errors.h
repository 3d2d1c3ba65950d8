/*
 * libnnrp — error codes.
 *
 * Every function of libnnrp returns 0 on success or a negative NNRP_ERR_*
 * code.  Each rule of the NNRP/1 Preview2 specification that a decoder or an
 * encoder checks has its own code, so a caller (and a test) can tell exactly
 * which rule a packet broke.  nnrp_strerror() gives a one-line message,
 * nnrp_err_name() the symbolic name, nnrp_err_rule() the rule reference in the
 * specification, and nnrp_err_protocol_code() the NNRP ERROR code a receiver
 * reports to its peer for that failure.
 *
 * Library error codes are not the protocol's ERROR codes (NNRP_ERROR_CODE_*,
 * see wire.h): the first describe what went wrong here, the second what goes
 * on the wire.
 */
#ifndef LIBNNRP_ERRORS_H
#define LIBNNRP_ERRORS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * X(name, value, protocol_error_code, rule, message)
 *
 * protocol_error_code: the logical ERROR code (wire-control §3.3) a receiver
 * answers with; 0 where the failure is local and never reported to a peer.
 * Values are grouped in ranges: generic -1.., header/framing -100..,
 * control plane -200.., tensor -300.., regions and objects -400..,
 * typed payloads and extension frames -500.., data-plane metadata -600..,
 * builders -700.., session engine -800.., transports -900.., tools -1000...
 */
#define NNRP_ERROR_LIST(X)                                                                        \
  /* generic */                                                                                   \
  X(INVALID_ARGUMENT, -1, 0, "-", "invalid argument")                                             \
  X(NOMEM, -2, 0x000C, "-", "out of memory")                                                      \
  X(BUFFER_TOO_SMALL, -3, 0, "wire-control 0", "output buffer too small")                         \
  X(INCOMPLETE, -4, 0, "wire-control 1", "need more bytes")                                       \
  X(INTERNAL, -5, 0x000C, "-", "internal error")                                                  \
  X(UNSUPPORTED, -6, 0, "-", "operation not supported")                                           \
  X(IOV_TOO_SMALL, -7, 0, "-", "scatter-gather vector too small")                                 \
  /* header and framing */                                                                        \
  X(HEADER_MAGIC, -100, 0x0004, "wire-control 2.3 step 2", "magic is not NNRP")                   \
  X(HEADER_LENGTH, -101, 0x0004, "wire-control 2.3 step 3", "header_len is not 40")               \
  X(WIRE_FORMAT, -102, 0x0004, "wire-control 2.3 step 4", "unknown wire_format")                  \
  X(VERSION, -103, 0x0001, "wire-control 2.3 step 5", "unsupported version_major")                \
  X(MSG_TYPE, -104, 0x0004, "wire-control 2.3 step 6", "unknown msg_type")                        \
  X(RESERVED_FLAGS, -105, 0x0004, "wire-control 2.3 step 7", "reserved header flag bits set")     \
  X(TOO_LARGE, -106, 0x0007, "wire-control 2.3 step 8", "message larger than the limit")          \
  X(TRAILING_BYTES, -107, 0x0004, "wire-data 1", "bytes after the end of the packet")             \
  X(META_LEN, -108, 0x0005, "wire-control 1", "meta_len does not match the message type")         \
  X(BODY_NOT_EMPTY, -109, 0x0005, "wire-control 1", "message must have an empty body")            \
  /* control plane */                                                                             \
  X(EXT_TRUNCATED_HEADER, -200, 0x0005, "wire-control 5.2", "truncated control extension header") \
  X(EXT_TRUNCATED_PAYLOAD, -201, 0x0005, "wire-control 5.2",                                      \
    "truncated control extension payload")                                                        \
  X(EXT_TRUNCATED_PADDING, -202, 0x0005, "wire-control 5.2",                                      \
    "truncated control extension padding")                                                        \
  X(EXT_PADDING, -203, 0x0005, "wire-control 5.2", "non-zero control extension padding")          \
  X(EXT_FLAGS, -204, 0x0005, "wire-control 5.2", "unknown control extension flag bits")           \
  X(EXT_TOO_LARGE, -205, 0x0007, "wire-control 5.2", "control extension too large")               \
  X(EXT_UNKNOWN_CRITICAL, -206, 0x0006, "wire-control 5.2",                                       \
    "unknown critical control extension")                                                         \
  X(EXT_LENGTH, -207, 0x0005, "wire-control 5.3", "standard control extension has wrong length")  \
  X(EXT_TYPE, -208, 0x0005, "wire-control 5.3", "control extension has another type")             \
  X(EXT_RESERVED, -209, 0x0005, "wire-control 5.3.3", "non-zero reserved extension bytes")        \
  X(TRANSPORT_POLICY, -210, 0x0005, "wire-control 3.5", "unknown transport policy")               \
  X(TRANSPORT_ID, -211, 0x0005, "wire-control 3.5", "invalid transport id")                       \
  X(LOSS_TOLERANCE, -212, 0x0005, "wire-control 3.6", "unknown loss tolerance")                   \
  X(PAYLOAD_KIND_BITS, -213, 0x0005, "wire-control 3.7", "payload kind bitmap has unknown bits")  \
  X(CRITICAL_FRAME_BITMAP, -214, 0x0005, "wire-control 5.3.5",                                    \
    "critical_extension_frame_bitmap must be 0")                                                  \
  X(HELLO_AUTH_LEN, -215, 0x0005, "wire-control 6.1", "auth_bytes exceeds body_len")              \
  X(HELLO_BODY_LEN, -216, 0x0005, "wire-control 6.1",                                             \
    "body_len != control_extension_bytes + auth_bytes")                                           \
  X(ACK_BODY_LEN, -217, 0x0005, "wire-control 6.2", "body_len != control_extension_bytes")        \
  X(PATCH_BYTES, -218, 0x0005, "wire-control 7.1", "profile patch bytes must be 0 or 16")         \
  X(PATCH_BODY_LEN, -219, 0x0005, "wire-control 7.1", "body_len != profile patch bytes")          \
  X(PATCH_RESERVED, -220, 0x0005, "wire-control 7.1", "SESSION_PATCH(_ACK) reserved0 is not zero")      \
  X(PATCH_ACK_STATUS, -221, 0x0005, "wire-control 3.11", "unknown SESSION_PATCH_ACK status")      \
  X(PATCH_REJECT_REASON, -222, 0x0005, "wire-control 3.11", "unknown SESSION_PATCH reject reason") \
  X(ERROR_SCOPE, -223, 0x0005, "wire-control 3.4", "unknown ERROR scope")                         \
  X(ERROR_DIAG_LEN, -224, 0x0005, "wire-control 8.2", "body_len != diagnostic_bytes")             \
  X(CACHE_OBJECT_KIND, -225, 0x0005, "wire-control 3.9", "unknown cache object kind")             \
  X(CACHE_PUT_FLAGS, -226, 0x0005, "wire-control 3.10", "unknown CACHE_PUT flag bits")            \
  X(CACHE_OBJECT_LEN, -227, 0x0005, "wire-control 9.1", "body_len != object_bytes")               \
  X(CACHE_ACK_STATUS, -228, 0x0005, "wire-control 3.10", "unknown CACHE_ACK status")              \
  X(CACHE_SCOPE, -229, 0x0005, "wire-control 3.10", "unknown CACHE_INVALIDATE scope")             \
  X(FLOW_SCOPE, -230, 0x0005, "wire-control 10.1 rule 1", "unknown FLOW_UPDATE scope_kind")       \
  X(FLOW_REASON, -231, 0x0005, "wire-control 10.1 rule 1", "unknown FLOW_UPDATE update_reason")   \
  X(FLOW_BACKPRESSURE, -232, 0x0005, "wire-control 10.1 rule 1",                                  \
    "unknown FLOW_UPDATE backpressure_level")                                                     \
  X(FLOW_FLAGS, -233, 0x0005, "wire-control 10.1 rule 2", "unknown FLOW_UPDATE flag bits")        \
  X(FLOW_RETRY_AFTER, -234, 0x0005, "wire-control 10.1 rule 3",                                   \
    "retry_after_ms without retry_after_valid")                                                   \
  X(FLOW_SCOPE_FIELDS, -235, 0x0005, "wire-control 10.1 rules 4-6",                               \
    "FLOW_UPDATE credits or operation_id do not match the scope")                                 \
  X(FLOW_SESSION_BINDING, -236, 0x0005, "wire-control 10.1 rule 7",                               \
    "FLOW_UPDATE header session_id does not match the scope")                                     \
  X(FLOW_RESERVED, -237, 0x0005, "wire-control 10.1 rule 9", "FLOW_UPDATE reserved bytes not 0")  \
  X(HINT_POLICY, -238, 0x0005, "wire-control 3.16", "unknown RESULT_HINT applied_budget_policy")  \
  X(HINT_CONGESTION, -239, 0x0005, "wire-control 3.16", "unknown RESULT_HINT congestion_state")    \
  X(HINT_REASON, -240, 0x0005, "wire-control 3.16", "unknown RESULT_HINT reason")                 \
  X(PROBE_PAYLOAD_LEN, -241, 0x0005, "wire-control 11.1", "body_len != probe_payload_bytes")      \
  X(MIGRATE_TRANSPORT, -242, 0x0005, "wire-control 11.3", "invalid SESSION_MIGRATE transport id") \
  X(BITMAP_ID, -243, 0, "wire-control 3.8", "capability id outside 0..31")                        \
  X(HELLO_RESERVED, -244, 0x0005, "wire-control 6.2", "non-zero reserved byte in a hello")        \
  X(PROBE_RESERVED, -245, 0, "wire-control 11.2", "TRANSPORT_PROBE_ACK reserved must be zero")     \
  /* tensor: tile index, sections, tensor bodies */                                               \
  X(TILE_INDEX_MODE, -300, 0x0005, "wire-data 2.2", "unknown tile_index_mode")                    \
  X(TILE_DENSE_NOT_EMPTY, -301, 0x0005, "wire-data 6.1", "dense_range expects an empty block")    \
  X(TILE_DENSE_NOT_CONTIGUOUS, -302, 0x0005, "wire-data 6.1",                                     \
    "dense_range tile ids must be contiguous from tile_base_id")                                  \
  X(TILE_INDEX_LENGTH, -303, 0x0005, "wire-data 6.1", "tile index block has the wrong length")    \
  X(TILE_NOT_INCREASING, -304, 0x0005, "wire-data 6.1", "tile ids must be strictly increasing")   \
  X(TILE_BITSET_COUNT, -305, 0x0005, "wire-data 6.1", "bitset tile count differs from tile_count") \
  X(TILE_ID_RANGE, -306, 0x0005, "wire-data 6.1", "tile id or delta outside 0..65535")            \
  X(RESULT_TILE_MODE, -307, 0, "wire-data 7.2",                                                   \
    "RESULT_PUSH represents only raw_u16 and dense_range tile indexes")                           \
  X(SECTION_TRUNCATED_DESC, -310, 0x0005, "wire-data 6.2 S1", "truncated tensor section header")  \
  X(SECTION_TRUNCATED, -311, 0x0005, "wire-data 6.2 S2", "truncated tensor section")              \
  X(SECTION_LENGTH_TABLE_ALIGN, -312, 0x0005, "wire-data 6.2 S3",                                 \
    "length_table_bytes is not a multiple of 4")                                                  \
  X(SECTION_STRIDE_MISSING, -313, 0x0005, "wire-data 6.2 S4",                                     \
    "fixed-stride section without payload_stride_bytes")                                          \
  X(SECTION_STRIDE_FLAG, -314, 0x0005, "wire-data 6.2 S5",                                        \
    "payload_stride_bytes without FIXED_STRIDE flag")                                             \
  X(SECTION_CODEC_TABLE_MISSING, -315, 0x0005, "wire-data 6.2 S6",                                \
    "mixed-codec section without codec table")                                                    \
  X(SECTION_CODEC_FLAG, -316, 0x0005, "wire-data 6.2 S7", "codec table without MIXED_CODEC flag") \
  X(SECTION_CODEC_TABLE_COUNT, -317, 0x0005, "wire-data 6.2 S8",                                  \
    "codec table entry count mismatch")                                                           \
  X(SECTION_STRIDE_PAYLOAD, -318, 0x0005, "wire-data 6.2 S9",                                     \
    "fixed-stride payload_bytes != stride x tiles")                                               \
  X(SECTION_TILE_EXCEEDS_STRIDE, -319, 0x0005, "wire-data 6.2 S10", "tile length exceeds stride") \
  X(SECTION_STRIDE_PADDING, -320, 0x0005, "wire-data 6.2 S11",                                    \
    "fixed-stride payload padding is not zero")                                                   \
  X(SECTION_PAYLOAD_SUM, -321, 0x0005, "wire-data 6.2 S12",                                       \
    "payload_bytes != sum of tile lengths")                                                       \
  X(SECTION_DTYPE, -322, 0x0005, "wire-data 6.2 S13", "unknown dtype_id")                         \
  X(SECTION_LAYOUT, -323, 0x0005, "wire-data 6.2 S13", "unknown layout_id")                       \
  X(SECTION_SCALE_POLICY, -324, 0x0005, "wire-data 6.2 S13", "unknown scale_policy")              \
  X(SECTION_RESERVED, -325, 0x0005, "wire-data 15 D25", "tensor section reserved is not zero")    \
  X(SECTION_FLAGS, -326, 0x0005, "wire-data 15 D25", "unknown tensor section flag bits")          \
  X(SECTION_ORDER, -327, 0x0005, "wire-data 6.3 Q1",                                              \
    "tensor sections must have strictly increasing role_id")                                      \
  X(SECTION_TILE_COUNT, -328, 0x0005, "wire-data 6.3 Q2/Q3",                                      \
    "section tile count differs from tile_count")                                                 \
  X(SECTION_PADDING, -329, 0x0005, "wire-data 6.3 Q4", "padding between sections is not zero")    \
  X(SECTION_ALIGN_TRUNCATED, -330, 0x0005, "wire-data 6.3 Q4", "truncated padding before section") \
  X(TENSOR_TRAILING, -331, 0x0005, "wire-data 6.3 Q5", "trailing bytes in tensor body")           \
  X(TENSOR_TILE_INDEX_TRUNCATED, -332, 0x0005, "wire-data 6.4",                                   \
    "tensor body shorter than tile_index_bytes")                                                  \
  X(TENSOR_BODY_ALIGN, -333, 0x0005, "wire-data 6.4", "bad alignment before first section")       \
  X(CAMERA_PADDING, -334, 0x0005, "wire-data 8.1", "camera padding is not zero")                  \
  X(CAMERA_TRUNCATED, -335, 0x0005, "wire-data 8.1", "body shorter than the camera block")        \
  X(SECTION_CODEC_IDS, -336, 0, "wire-data 6.2", "codec_ids count differs from tile count")       \
  X(SECTION_LENGTH_MISMATCH, -337, 0, "wire-data 12.6",                                           \
    "section table or payload length differs from the descriptor")                                \
  /* region bodies and objects */                                                                 \
  X(PRELUDE_TRUNCATED, -400, 0x0005, "wire-data 9.1 B1", "body shorter than the 32-byte prelude") \
  X(PRELUDE_BODY_FLAGS, -401, 0x0005, "wire-data 9.1 B2", "body_flags must be 0")                 \
  X(PRELUDE_RESERVED, -402, 0x0005, "wire-data 9.1 B3", "prelude reserved must be 0")             \
  X(PRELUDE_TYPED_ALIGN, -403, 0x0005, "wire-data 9.1 B4",                                        \
    "typed_payload_descriptor_bytes not a multiple of 16")                                        \
  X(PRELUDE_EXT_ALIGN, -404, 0x0005, "wire-data 9.1 B5",                                          \
    "extension_descriptor_bytes not a multiple of 16")                                            \
  X(PRELUDE_BODY_LEN, -405, 0x0005, "wire-data 9.1 B6", "body length differs from the prelude")   \
  X(INLINE_TRUNCATED_HEADER, -406, 0x0005, "wire-data 9.2",                                       \
    "inline object region ends before a block header")                                            \
  X(INLINE_TRUNCATED_PAYLOAD, -407, 0x0005, "wire-data 9.2",                                      \
    "inline object region ends before the block payload")                                         \
  X(INLINE_PADDING, -408, 0x0005, "wire-data 9.2", "inline object padding is not zero")           \
  X(OBJECT_KIND, -409, 0x0005, "wire-data 2.3", "unknown object_kind")                            \
  X(INLINE_FLAGS, -410, 0x0005, "wire-data 9.2", "inline object_flags must be 0")                 \
  X(INLINE_RESERVED, -411, 0x0005, "wire-data 9.2", "inline object reserved must be 0")           \
  X(INLINE_PAYLOAD_LEN, -412, 0, "wire-data 12.5", "inline object payload length mismatch")       \
  X(REF_REGION_ALIGN, -413, 0x0005, "wire-data 9.1 B8",                                           \
    "object reference region not a multiple of 16")                                              \
  X(REF_FLAGS, -414, 0x0005, "wire-data 9.3", "ref_flags must be 0")                              \
  X(REF_KIND_MISMATCH, -415, 0, "wire-data 12.5", "reference block of another kind")              \
  X(SUBMIT_REF_MASK_BITS, -416, 0x0005, "wire-data 9.3 M1", "object_ref_mask has unknown bits")   \
  X(SUBMIT_INLINE_MASK, -417, 0x0005, "wire-data 9.3 M2",                                         \
    "inline FRAME_SUBMIT must not declare object_ref_mask")                                       \
  X(SUBMIT_INLINE_REFS, -418, 0x0005, "wire-data 9.3 M2",                                         \
    "inline FRAME_SUBMIT must not carry reference blocks")                                        \
  X(SUBMIT_DUP_INLINE, -419, 0x0005, "wire-data 9.3 M3", "duplicate standard inline object")      \
  X(SUBMIT_DUP_REF, -420, 0x0005, "wire-data 9.3 M3", "duplicate standard reference block")       \
  X(SUBMIT_REF_AND_INLINE, -421, 0x0005, "wire-data 9.3 M4",                                      \
    "object both referenced and carried inline")                                                  \
  X(SUBMIT_REF_MISSING, -422, 0x0005, "wire-data 9.3 M4",                                         \
    "object_ref_mask bit without exactly one reference")                                          \
  X(SUBMIT_REF_WITHOUT_MASK, -423, 0x0005, "wire-data 9.3 M5",                                    \
    "reference block without object_ref_mask bit")                                               \
  X(SUBMIT_REFERENCE_INLINE, -424, 0x0005, "wire-data 9.3 M6",                                    \
    "reference FRAME_SUBMIT carries standard inline objects")                                     \
  X(SUBMIT_REF_ORDER, -425, 0x0005, "wire-data 9.3 M7",                                           \
    "reference region does not match object_ref_mask order")                                      \
  X(SUBMIT_CAMERA_BYTES, -426, 0x0005, "wire-data 9.3 M8",                                        \
    "inline CAMERA_BLOCK length differs from camera_bytes")                                       \
  X(SUBMIT_CAMERA_MISSING, -427, 0x0005, "wire-data 9.3 M8", "camera_bytes without CAMERA_BLOCK") \
  X(SUBMIT_TILE_INDEX_BYTES, -428, 0x0005, "wire-data 9.3 M9",                                    \
    "inline TILE_INDEX_BLOCK length differs from tile_index_bytes")                               \
  X(SUBMIT_TILE_INDEX_MISSING, -429, 0x0005, "wire-data 9.3 M9", "missing TILE_INDEX_BLOCK")      \
  X(SUBMIT_TILE_INDEX_REFERENCED, -430, 0x0005, "wire-data 9.3 M10",                              \
    "tile_index_bytes must be 0 when TILE_INDEX_BLOCK is referenced")                             \
  X(SUBMIT_SECTION_TABLE_MISSING, -431, 0x0005, "wire-data 9.3 M11",                              \
    "missing TENSOR_SECTION_TABLE")                                                               \
  X(SUBMIT_MODE_MASK, -432, 0x0005, "wire-data 3 rule 7",                                         \
    "reference or mixed FRAME_SUBMIT needs a non-zero object_ref_mask")                           \
  X(RESULT_REF_ORDER, -433, 0x0005, "wire-data 9.3 R1", "result references not strictly ordered") \
  X(RESULT_DUP_INLINE, -434, 0x0005, "wire-data 9.3 R2", "duplicate inline object in result")     \
  X(RESULT_DUP_REF, -435, 0x0005, "wire-data 9.3 R3", "duplicate reference in result")            \
  X(RESULT_REF_AND_INLINE, -436, 0x0005, "wire-data 9.3 R3",                                      \
    "result object both inline and referenced")                                                   \
  X(RESULT_TILE_INDEX_BYTES, -437, 0x0005, "wire-data 9.3 R4",                                    \
    "inline TILE_INDEX_BLOCK length differs from tile_index_bytes")                               \
  X(RESULT_TILE_INDEX_MISSING, -438, 0x0005, "wire-data 9.3 R4", "missing TILE_INDEX_BLOCK")      \
  X(RESULT_TILE_INDEX_REFERENCED, -439, 0x0005, "wire-data 9.3 R5",                               \
    "tile_index_bytes must be 0 when TILE_INDEX_BLOCK is referenced")                             \
  X(RESULT_SECTION_TABLE_MISSING, -440, 0x0005, "wire-data 9.3 R6",                               \
    "missing TENSOR_SECTION_TABLE")                                                               \
  X(EMPTY_BODY, -441, 0x0005, "wire-data 5", "empty body but metadata declares content")          \
  X(LEGACY_BODY_LEN, -442, 0x0005, "wire-data 8.1", "legacy body length mismatch")                \
  /* typed payloads and extension frames */                                                       \
  X(TYPED_KIND_BITS, -500, 0x0005, "wire-data 10.1", "typed payload kind has unknown bits")       \
  X(TYPED_KIND_NOT_SINGLE, -501, 0x0005, "wire-data 10.1",                                        \
    "typed payload kind must be exactly one bit")                                                 \
  X(TYPED_FLAGS, -502, 0x0005, "wire-data 10.1", "descriptor_flags must be 0")                    \
  X(TYPED_RESERVED, -503, 0x0005, "wire-data 10.1", "typed descriptor reserved must be 0")        \
  X(TYPED_ORDER, -504, 0x0005, "wire-data 10.1", "typed descriptors overlap or are unordered")    \
  X(TYPED_RANGE, -505, 0x0005, "wire-data 10.1", "typed frame extends past its region")           \
  X(TYPED_COUNT, -506, 0x0005, "wire-data 10.2 T1/T2",                                            \
    "typed descriptor count differs from payload_frame_count")                                    \
  X(TYPED_FRAME_BYTES, -507, 0x0005, "wire-data 10.2 T3",                                         \
    "typed frame bytes without payload frames")                                                   \
  X(TYPED_KIND_UNDECLARED, -508, 0x0005, "wire-data 10.2 T4",                                     \
    "typed frame kind not in payload_kind_bitmap")                                                \
  X(TYPED_TENSOR, -509, 0x0005, "wire-data 10.1", "tensor data cannot be a typed frame")          \
  X(TYPED_KIND_MISMATCH, -510, 0, "wire-data 12.3", "typed frame of another kind")                \
  X(EXT_FRAME_FLAGS, -511, 0x0005, "wire-data 10.3", "extension_flags has unknown bits")          \
  X(EXT_FRAME_RESERVED, -512, 0x0005, "wire-data 10.3", "extension reserved0 must be 0")          \
  X(EXT_FRAME_ORDER, -513, 0x0005, "wire-data 10.3", "extension descriptors overlap")             \
  X(EXT_FRAME_RANGE, -514, 0x0005, "wire-data 10.3", "extension frame extends past its region")   \
  X(EXT_FRAME_CRITICAL, -515, 0x0006, "wire-data 10.3", "unknown critical extension frame")       \
  X(TYPED_LAYOUT, -516, 0x0005, "wire-data 15 D8",                                                \
    "typed frames must be contiguous from offset 0 and fill their region")                        \
  X(EXT_FRAME_LAYOUT, -517, 0x0005, "wire-data 15 D8",                                            \
    "extension frames must be contiguous from offset 0 and fill their region")                    \
  /* data-plane metadata and coverage */                                                          \
  X(SUBMIT_MODE, -600, 0x0005, "wire-data 3 rule 1", "unknown submit_mode")                       \
  X(INPUT_PROFILE, -601, 0x0005, "wire-data 3 rule 1", "unknown input_profile")                   \
  X(BUDGET_POLICY_BITS, -602, 0x0005, "wire-data 3 rule 2", "budget policy has unknown bits")     \
  X(LOSS_TOLERANCE_POLICY, -603, 0x0005, "wire-data 3 rule 3", "unknown loss_tolerance_policy")   \
  X(NON_TENSOR_FIELD, -604, 0x0005, "wire-data 3 rule 5", "tensor field set without tensor bit")  \
  X(META_RESERVED, -605, 0x0005, "wire-data 3 rule 6", "reserved metadata field is not zero")     \
  X(RESULT_FLAGS_BITS, -606, 0x0005, "wire-data 4", "result_flags has unknown bits")              \
  X(RESULT_CLASS, -607, 0x0005, "wire-data 4", "unknown result_class")                            \
  X(COVERAGE_COVERED, -608, 0x0005, "wire-data 11 C2", "covered_tile_count exceeds tile_count")   \
  X(COVERAGE_DROPPED, -609, 0x0005, "wire-data 11 C3", "dropped_tile_count exceeds tile_count")   \
  X(COVERAGE_SUM, -610, 0x0005, "wire-data 11 C4", "covered + dropped != tile_count")             \
  X(COVERAGE_PARTIAL, -611, 0x0005, "wire-data 11 C5", "partial result needs dropped tiles")      \
  X(COVERAGE_STALE_REUSE, -612, 0x0005, "wire-data 11 C6",                                        \
    "stale_reuse class and reused_frame_id disagree")                                             \
  X(RESULT_TILE_INDEX_LEN, -613, 0x0005, "wire-data 7.2", "tile_index_bytes != 2 x tile_count")   \
  X(FRAME_CLASS, -614, 0x0005, "wire-data 2.2", "unknown frame_class")                            \
  X(TYPED_KIND_ABSENT, -615, 0x0005, "wire-data 15 D8",                                           \
    "payload_kind_bitmap declares a kind no typed frame carries")                                 \
  /* tools: replay exports, NRCM camera blocks, summaries */                                      \
  X(REPLAY_CAMERA_TRUNCATED, -1000, 0, "wire-data 13.3",                                          \
    "replay camera block shorter than its 22-byte header")                                        \
  X(REPLAY_CAMERA_MAGIC, -1001, 0, "wire-data 13.3", "replay camera block magic is not NRCM")     \
  X(REPLAY_CAMERA_VERSION, -1002, 0, "wire-data 13.3", "unsupported replay camera block version") \
  X(REPLAY_CAMERA_ARRAYS, -1003, 0, "wire-data 13.3",                                             \
    "replay camera float arrays extend past the block")                                           \
  X(REPLAY_CAMERA_TRAILING, -1004, 0, "wire-data 13.3", "trailing bytes in replay camera block")  \
  X(REPLAY_TILE_SIZE, -1005, 0, "wire-data 13.1", "tile_size must be positive")                   \
  X(REPLAY_CODEC_NAME, -1006, 0, "wire-data 13.1", "unsupported replay codec/compression name")   \
  X(REPLAY_DUPLICATE_TILE, -1007, 0, "wire-data 13.1", "duplicate replay tile id")                \
  X(REPLAY_REQUESTED_DUPLICATE, -1008, 0, "wire-data 13.1",                                       \
    "requested_tile_ids must not contain duplicates")                                             \
  X(REPLAY_REQUESTED_MISSING, -1009, 0, "wire-data 13.1",                                         \
    "requested_tile_ids must contain every delivered tile id")                                    \
  X(REPLAY_REQUESTED_SHORT, -1010, 0, "wire-data 13.1",                                           \
    "requested_tile_ids must describe covered and dropped tiles")                                 \
  X(REPLAY_SCRATCH, -1011, 0, "-", "replay scratch buffer too small")                             \
  X(SUMMARY_MSG_TYPE, -1012, 0, "wire-data 13.2",                                                 \
    "summaries only support FRAME_SUBMIT and RESULT_PUSH")                                        \
  /* builders */                                                                                  \
  X(BUILD_INLINE_MASK, -700, 0, "wire-data 12.1", "inline builder does not take object_ref_mask") \
  X(BUILD_INLINE_REFS, -701, 0, "wire-data 12.1", "inline builder does not take references")      \
  X(BUILD_REFERENCE_NO_REFS, -702, 0, "wire-data 12.1", "reference mode needs reference blocks")  \
  X(BUILD_MIXED_MASK, -703, 0, "wire-data 12.1", "mixed builder needs a non-zero object_ref_mask") \
  X(BUILD_REFERENCE_MISSING, -704, 0, "wire-data 12.1",                                           \
    "reference mode needs a reference for every present object")                                  \
  X(BUILD_NON_TENSOR_INPUT, -705, 0, "wire-data 12.1", "non-tensor packet given tensor input")    \
  X(BUILD_MASK_MISMATCH, -706, 0, "wire-data 12.1",                                               \
    "object_ref_mask differs from the references given")                                          \
  X(BUILD_NO_TENSOR_CONTENT, -707, 0, "wire-data 12.4", "mixed builder needs tensor content")     \
  X(BUILD_NO_FRAMES, -708, 0, "wire-data 12.4", "typed builder needs at least one frame")         \
  X(BUILD_LEGACY_BITMAP, -709, 0, "wire-data 15 D22",                                             \
    "tensor builder needs payload_kind_bitmap TENSOR and no frames")                              \
  X(BUILD_FIELD_RANGE, -710, 0, "wire-data 12", "value does not fit its wire field")              \
  X(BUILD_LENGTH_MISMATCH, -711, 0, "wire-control 1", "declared length differs from actual bytes") \
  X(BUILD_MSG_TYPE, -712, 0, "wire-control 2.2", "builder does not produce this message type") \
  /* transports: probing and migration triggers */                                              \
  X(PROBE_NO_CANDIDATE, -900, 0, "transport 4.4", "no binding answered a probe")                \
  X(PROBE_SERIES_FULL, -901, 0, "transport 4.3", "probe series already holds its maximum")      \
  X(MIGRATION_POLICY, -902, 0, "transport 5.5", "invalid migration trigger policy")             \
  X(PATH_SAMPLE, -903, 0, "transport 5.5", "path sample with a negative or NaN throughput")     \
  /* transports: sockets, TLS and the runtime (libnnrp/io.h) */                                 \
  X(IO, -930, 0, "-", "a socket or system call failed")                                         \
  X(CONNECT, -931, 0, "transport 6.2", "the connection could not be established")               \
  X(RESOLVE, -932, 0, "-", "the host name or address did not resolve")                          \
  X(TLS, -933, 0, "transport 3.1", "TLS handshake or record layer failed")                      \
  X(TLS_VERIFY, -934, 0, "transport 2.1", "the peer certificate is not trusted")                \
  X(TLS_ALPN, -935, 0, "transport 3.1", "the peer did not agree on the ALPN protocol")          \
  X(TRANSPORT_LOST, -936, 0, "transport 6.5", "the connection was lost without CLOSE")          \
  /* transports: the QUIC binding */                                                            \
  X(QUIC_STREAM_TRUNCATED, -950, 0x0004, "transport 2.2", "a QUIC stream ended inside a packet") \
  X(QUIC_STREAM_RESET, -951, 0x0004, "transport 2.2", "the peer reset a QUIC stream")           \
  X(QUIC_TRANSPORT, -952, 0, "transport 2.5", "the QUIC connection failed with a transport error") \
  X(QUIC_IDLE_TIMEOUT, -953, 0, "transport 2.5", "the QUIC connection was idle too long")       \
  /* session engine */                                                                           \
  X(INVALID_STATE, -800, 0x0003, "session 2.4", "not allowed in this session state")             \
  X(WOULD_BLOCK, -801, 0, "session 4.2", "send window full")                                     \
  X(FLOW_PAUSED, -802, 0, "session 4.2", "the peer paused submissions")                          \
  X(FLOW_HARD_BACKPRESSURE, -803, 0, "session 4.2", "the peer signals hard backpressure")        \
  X(FLOW_DRAIN_ONLY, -804, 0, "session 4.2", "the peer accepts no new work (drain in flight only)") \
  X(FLOW_RETRY_WAIT, -805, 0, "session 4.2", "the peer asked to wait (retry_after_ms)")          \
  X(CACHE_DISABLED, -806, 0x0006, "session 5.2", "the object cache is not enabled")              \
  X(CACHE_KIND, -807, 0x0006, "session 5.2", "object kind not negotiated for the cache")         \
  X(CACHE_MISS, -808, 0x000A, "session 5.5", "referenced object is not in the cache")            \
  X(FRAME_ID, -809, 0x0003, "session 3.1", "frame id is zero, reused or decreasing")             \
  X(FRAME_UNKNOWN, -810, 0x0003, "session 3.5", "message for a frame that is not in flight")     \
  X(SESSION_ID, -811, 0x0003, "session 2.4", "header session_id is not the session's")           \
  X(NEGOTIATION, -812, 0x0006, "session 1.2", "no common capability")                            \
  X(LIMIT, -813, 0x0007, "session 1.2", "negotiated limit exceeded")                             \
  X(AUTH_FAILED, -814, 0x0002, "session 1.2 R6", "authentication rejected")                      \
  X(TIMEOUT, -815, 0, "session 1.1", "timed out")                                                \
  X(PEER_ERROR, -816, 0, "session 2.6", "the peer reported an ERROR")                            \
  X(CLOSED, -817, 0, "session 2.3", "the session is closed")                                     \
  X(PATCH_PENDING, -818, 0x0003, "session 2.5", "a SESSION_PATCH is already outstanding")        \
  X(MIGRATE_REJECTED, -819, 0, "transport 5.4", "the server rejected the migration")             \
  X(FRAME_DEPENDENCY, -820, 0x0003, "session 3.7", "dependency or retry names an unknown frame") \
  X(VIEW_ID, -821, 0x0007, "session 3.1", "view id outside the negotiated lanes")             \
  X(SERVER_BUSY, -822, 0x000B, "session 1.2 R14", "the server cannot admit a session now")     \
  X(CALLBACK, -823, 0, "-", "a host callback aborted the call")                                 \
  X(BUDGET_POLICY, -824, 0, "session 6.2", "applied_budget_policy outside the frame budget_policy") \
  X(PAYLOAD_KIND, -825, 0x0006, "session 1.3", "payload kind outside the negotiated set")

/* Error codes. */
typedef enum nnrp_error {
  NNRP_OK = 0,
#define NNRP_X_ENUM(name, value, proto, rule, msg) NNRP_ERR_##name = (value),
  NNRP_ERROR_LIST(NNRP_X_ENUM)
#undef NNRP_X_ENUM
} nnrp_error;

/* One-line English message for an error code ("success" for 0, "unknown error" otherwise). */
const char *nnrp_strerror(int err);

/* Symbolic name without the prefix, e.g. "SECTION_ORDER"; "OK" for 0; NULL if unknown. */
const char *nnrp_err_name(int err);

/* Specification reference of the rule, e.g. "wire-data 6.3 Q1"; "-" if none; NULL if unknown. */
const char *nnrp_err_rule(int err);

/* Logical NNRP ERROR code (wire-control §3.3) to report to a peer, 0 if local only. */
unsigned nnrp_err_protocol_code(int err);

/* Nonzero if the error leaves the object it came from unusable (NOMEM, INTERNAL). */
int nnrp_err_is_fatal(int err);

/*
 * Where a decoder stopped.  Decoders that take an nnrp_diag fill it on
 * failure: `offset` is the byte offset from the start of the buffer handed to
 * the decoder (the packet start for packet decoders) of the structure or field
 * that broke the rule.
 */
typedef struct nnrp_diag {
  int error;
  size_t offset;
} nnrp_diag;

#ifdef __cplusplus
}
#endif

#endif /* LIBNNRP_ERRORS_H */
