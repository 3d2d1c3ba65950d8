/*
 * The reference SDK's block builders mapped to libnnrp (see build_map.h): metadata and block
 * encoders, typed payload and extension frames, control extensions.
 */
#include <string.h>

#include "build_map_int.h"

/* The whole input object is one dataclass (X.pack). */
static void *whole_dataclass(vec_ctx *c, const json_t *in, const char *cls) {
  const vec_struct *st = vec_struct_by_class(cls);
  void *out = vec_alloc(c, st ? st->size : 1);
  if (st) vec_fill(c, st, vec_fields(c, in, cls), out);
  return out;
}

static int sink_rc(const nnrp_sink *s) { return nnrp_sink_error(s); }

/* Writers that fill two sinks (descriptors, payloads): the second goes into a side buffer and
 * follows the first in `s` as a payload, so every sink mode sees one byte string. */
static int pack_two(vec_ctx *c, vec_two_sink_fn fn, const void *arg, size_t n, nnrp_sink *s) {
  nnrp_sink ca, cb, b;
  nnrp_sink_init_count(&ca);
  nnrp_sink_init_count(&cb);
  int rc = fn(arg, n, &ca, &cb);
  if (rc) return rc;
  uint8_t *side = vec_alloc(c, cb.total);
  nnrp_sink_init_buffer(&b, side, cb.total);
  rc = fn(arg, n, s, &b);
  if (rc) return rc;
  nnrp_sink_payload(s, side, b.len);
  return sink_rc(s);
}

/* ---- metadata and block encoders ------------------------------------------------------------- */

#define META_PACK_MAPPER(fn, cls, type, encoder, len)                \
  int fn(vec_ctx *c, const json_t *in, nnrp_sink *s) {               \
    const type *m = whole_dataclass(c, in, cls);                     \
    uint8_t out[len];                                                \
    int rc = encoder(m, out);                                        \
    if (rc) return rc;                                               \
    nnrp_sink_write(s, out, len);                                    \
    return sink_rc(s);                                               \
  }
META_PACK_MAPPER(m_client_hello_meta, "ClientHelloMetadata", nnrp_client_hello_meta,
                 nnrp_client_hello_meta_encode, 64)
META_PACK_MAPPER(m_server_hello_ack_meta, "ServerHelloAckMetadata", nnrp_server_hello_ack_meta,
                 nnrp_server_hello_ack_meta_encode, 80)
META_PACK_MAPPER(m_session_patch_ack_meta, "SessionPatchAckMetadata",
                 nnrp_session_patch_ack_meta, nnrp_session_patch_ack_meta_encode, 48)
META_PACK_MAPPER(m_frame_submit_meta, "FrameSubmitMetadata", nnrp_frame_submit_meta,
                 nnrp_frame_submit_meta_encode, 72)
META_PACK_MAPPER(m_result_push_meta, "ResultPushMetadata", nnrp_result_push_meta,
                 nnrp_result_push_meta_encode, 64)

static int write_ref(const nnrp_object_ref *r, nnrp_sink *s) {
  uint8_t out[16];
  nnrp_object_ref_encode(r, out);
  nnrp_sink_write(s, out, 16);
  return sink_rc(s);
}

/* ObjectReferenceBlock.pack refuses what no decoder accepts: flags, unknown kinds (wire-data
 * §9.3, §2.3); nnrp_object_ref_encode is a plain field encoder. */
int m_object_ref(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  const nnrp_object_ref *r = whole_dataclass(c, in, "ObjectReferenceBlock");
  if (r->object_kind < NNRP_OBJECT_CAMERA_BLOCK ||
      r->object_kind > NNRP_OBJECT_STRUCTURED_EVENT_SCHEMA)
    return NNRP_ERR_OBJECT_KIND;
  if (r->ref_flags) return NNRP_ERR_REF_FLAGS;
  return write_ref(r, s);
}

static int ref_of_kind(vec_ctx *c, const json_t *in, nnrp_sink *s, uint16_t kind) {
  nnrp_object_ref r;
  memset(&r, 0, sizeof(r));
  r.object_kind = kind;
  r.cache_namespace = (uint32_t)vec_get(c, in, "cache_namespace", 0, UINT32_MAX);
  r.cache_key_hi = (uint32_t)vec_get(c, in, "cache_key_hi", 0, UINT32_MAX);
  r.cache_key_lo = (uint32_t)vec_get(c, in, "cache_key_lo", 0, UINT32_MAX);
  return write_ref(&r, s);
}
int m_camera_ref(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  return ref_of_kind(c, in, s, NNRP_OBJECT_CAMERA_BLOCK);
}
int m_tile_index_ref(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  return ref_of_kind(c, in, s, NNRP_OBJECT_TILE_INDEX_BLOCK);
}
int m_section_table_ref(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  return ref_of_kind(c, in, s, NNRP_OBJECT_TENSOR_SECTION_TABLE);
}

static int inline_block(vec_ctx *c, const json_t *in, nnrp_sink *s, uint16_t kind,
                        nnrp_vec payload) {
  nnrp_inline_object_header h;
  memset(&h, 0, sizeof(h));
  h.object_kind = kind;
  h.profile_id = (uint16_t)vec_get(c, in, "profile_id", 0, 0xFFFF);
  h.object_bytes = (uint32_t)payload.len;
  return nnrp_inline_object_encode(&h, payload, s);
}
int m_camera_inline(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  return inline_block(c, in, s, NNRP_OBJECT_CAMERA_BLOCK, vec_get_bytes(c, in, "payload"));
}
int m_section_table_inline(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  return inline_block(c, in, s, NNRP_OBJECT_TENSOR_SECTION_TABLE,
                      vec_get_bytes(c, in, "payload"));
}

/* pack_tile_index_block inputs -> block bytes (owned by c). */
static int tile_index_bytes(vec_ctx *c, const json_t *in, nnrp_vec *out) {
  uint16_t *ids;
  size_t n = vec_get_u16s(c, in, "tile_ids", &ids);
  unsigned mode = (unsigned)vec_get(c, in, "mode", NNRP_TILE_RAW_U16, 0xFF);
  uint32_t base = (uint32_t)vec_get(c, in, "tile_base_id", 0, UINT32_MAX);
  size_t len = 0;
  int rc = nnrp_tile_index_encoded_len(ids, n, mode, base, &len);
  if (rc) return rc;
  uint8_t *buf = vec_alloc(c, len);
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, len);
  rc = nnrp_tile_index_encode(ids, n, mode, base, &s);
  if (rc == 0 && s.len != len) vec_fail(c, "tile index encoded_len %zu, wrote %zu", len, s.len);
  out->base = buf;
  out->len = s.len;
  return rc;
}

int m_tile_index_inline(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  nnrp_vec block;
  int rc = tile_index_bytes(c, in, &block);
  return rc ? rc : inline_block(c, in, s, NNRP_OBJECT_TILE_INDEX_BLOCK, block);
}

int m_pack_tile_index(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  uint16_t *ids;
  size_t n = vec_get_u16s(c, in, "tile_ids", &ids);
  unsigned mode = (unsigned)vec_get(c, in, "mode", NNRP_TILE_RAW_U16, 0xFF);
  uint32_t base = (uint32_t)vec_get(c, in, "tile_base_id", 0, UINT32_MAX);
  return nnrp_tile_index_encode(ids, n, mode, base, s);
}

int m_pack_section(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  nnrp_tensor_section_data sd;
  const json_t *v = vec_member(c, in, "section");
  if (!v) {
    vec_fail(c, "missing section");
    return NNRP_ERR_INVALID_ARGUMENT;
  }
  vec_section(c, v, &sd);
  size_t len = 0;
  int rc = nnrp_tensor_section_encoded_len(&sd, &len);
  if (rc) return rc;
  size_t before = s->total;
  rc = nnrp_tensor_section_encode(&sd, s);
  if (rc == 0 && s->total - before != len)
    vec_fail(c, "encoded_len %zu, section wrote %zu", len, s->total - before);
  return rc;
}

/* ---- typed payload and extension frames ------------------------------------------------------ */

static int one_typed_frame(vec_ctx *c, nnrp_typed_frame *f, nnrp_sink *s) {
  int rc = nnrp_typed_frame_check(f);
  if (rc) return rc;
  rc = nnrp_typed_frame_expect(f, f->payload_kind); /* the parse_*_frame counterpart */
  if (rc) return rc;
  nnrp_typed_frame *copy = vec_alloc(c, sizeof(*copy));
  *copy = *f;
  return pack_two(c, vec_typed_pack, copy, 1, s);
}

static int typed_shorthand(vec_ctx *c, const json_t *in, nnrp_sink *s, uint8_t kind) {
  nnrp_typed_frame f;
  memset(&f, 0, sizeof(f));
  f.payload_kind = kind;
  f.payload = vec_get_bytes(c, in, "payload");
  f.profile_id = (uint16_t)vec_get(c, in, "profile_id", 0, 0xFFFF);
  return one_typed_frame(c, &f, s);
}
#define TYPED_MAPPER(fn, kind)                                  \
  int fn(vec_ctx *c, const json_t *in, nnrp_sink *s) {          \
    return typed_shorthand(c, in, s, kind);                     \
  }
TYPED_MAPPER(m_token_frame, NNRP_PAYLOAD_TOKEN_CHUNK)
TYPED_MAPPER(m_audio_frame, NNRP_PAYLOAD_AUDIO_CHUNK)
TYPED_MAPPER(m_video_frame, NNRP_PAYLOAD_VIDEO_CHUNK)
TYPED_MAPPER(m_event_frame, NNRP_PAYLOAD_STRUCTURED_EVENT)
TYPED_MAPPER(m_tool_frame, NNRP_PAYLOAD_TOOL_DELTA)
TYPED_MAPPER(m_opaque_frame, NNRP_PAYLOAD_OPAQUE_BYTES)

int m_typed_frame(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  nnrp_typed_frame f;
  memset(&f, 0, sizeof(f));
  f.payload_kind = (uint8_t)vec_get(c, in, "payload_kind", 0, 0xFF);
  f.payload = vec_get_bytes(c, in, "payload");
  f.profile_id = (uint16_t)vec_get(c, in, "profile_id", 0, 0xFFFF);
  f.descriptor_flags = (uint8_t)vec_get(c, in, "descriptor_flags", 0, 0xFF);
  return one_typed_frame(c, &f, s);
}

int m_ext_frame(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  nnrp_ext_frame *f = vec_alloc(c, sizeof(*f));
  f->extension_kind = (uint16_t)vec_get(c, in, "extension_kind", 0, 0xFFFF);
  f->payload = vec_get_bytes(c, in, "payload");
  f->profile_id = (uint16_t)vec_get(c, in, "profile_id", 0, 0xFFFF);
  f->extension_flags = (uint16_t)vec_get(c, in, "extension_flags", 0, 0xFFFF);
  int rc = nnrp_ext_frame_check(f);
  return rc ? rc : pack_two(c, vec_ext_pack, f, 1, s);
}

int m_pack_typed_frames(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  void *frames;
  size_t n = vec_get_list(c, in, "frames", "TypedPayloadFrame", &frames);
  return pack_two(c, vec_typed_pack, frames, n, s);
}

int m_pack_ext_frames(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  void *frames;
  size_t n = vec_get_list(c, in, "frames", "ExtensionFrame", &frames);
  return pack_two(c, vec_ext_pack, frames, n, s);
}

int m_pack_body(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  static const char *const keys[NNRP_REGION_COUNT] = {
      "inline_object_region", "object_reference_region", "typed_payload_descriptor_region",
      "typed_payload_frame_region", "extension_descriptor_region", "extension_payload_region"};
  nnrp_vec regions[NNRP_REGION_COUNT];
  for (size_t i = 0; i < NNRP_REGION_COUNT; i++) regions[i] = vec_get_bytes(c, in, keys[i]);
  return nnrp_body_pack(regions, s);
}

/* ---- control extensions ---------------------------------------------------------------------- */

int m_pack_ext_block(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  void *e;
  size_t n = vec_get_list(c, in, "entries", "ControlExtensionEntry", &e);
  return nnrp_ext_block_encode(e, n, s);
}

typedef enum { EXT_TP, EXT_LT, EXT_PC } ext_kind;

static int standard_ext(vec_ctx *c, const json_t *in, nnrp_sink *s, uint16_t type, ext_kind k,
                        const char *cls) {
  uint8_t *buf = vec_alloc(c, 8);
  nnrp_ext_entry *e = vec_alloc(c, sizeof(*e));
  int critical = (int)vec_get(c, in, "critical", 0, 1);
  const void *v = vec_dataclass(c, in, "extension", cls);
  int rc;
  if (k == EXT_TP) {
    rc = nnrp_ext_transport_policy_build(type, v, critical, buf, e);
  } else if (k == EXT_LT) {
    nnrp_loss_tolerance_ext lt = *(const nnrp_loss_tolerance_ext *)v;
    lt.payload_len = 8; /* nnrp-py's form */
    rc = nnrp_ext_loss_tolerance_build(type, &lt, critical, buf, e);
  } else {
    rc = nnrp_ext_payload_caps_build(type, v, critical, buf, e);
  }
  return rc ? rc : nnrp_ext_block_encode(e, 1, s);
}
#define EXT_MAPPER(fn, type, kind, cls)                         \
  int fn(vec_ctx *c, const json_t *in, nnrp_sink *s) {          \
    return standard_ext(c, in, s, type, kind, cls);             \
  }
EXT_MAPPER(m_ext_client_tp, NNRP_EXT_TRANSPORT_POLICY, EXT_TP,
           "ClientHelloTransportPolicyExtension")
EXT_MAPPER(m_ext_server_tp, NNRP_EXT_TRANSPORT_POLICY_ACK, EXT_TP,
           "ServerHelloAckTransportPolicyExtension")
EXT_MAPPER(m_ext_client_lt, NNRP_EXT_LOSS_TOLERANCE, EXT_LT, "ClientHelloLossToleranceExtension")
EXT_MAPPER(m_ext_server_lt, NNRP_EXT_LOSS_TOLERANCE_ACK, EXT_LT,
           "ServerHelloAckLossToleranceExtension")
EXT_MAPPER(m_ext_client_pc, NNRP_EXT_PAYLOAD_CAPABILITIES, EXT_PC,
           "ClientHelloPayloadCapabilitiesExtension")
EXT_MAPPER(m_ext_server_pc, NNRP_EXT_PAYLOAD_CAPABILITIES_ACK, EXT_PC,
           "ServerHelloAckPayloadCapabilitiesExtension")

int m_cache_object_bitmap(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  uint16_t *kinds;
  size_t n = vec_get_u16s(c, in, "*args", &kinds);
  uint32_t bitmap = 0;
  int rc = nnrp_cache_object_bitmap(kinds, n, &bitmap);
  if (rc) return rc;
  nnrp_sink_u32(s, bitmap);
  return sink_rc(s);
}

static int patch_body(vec_ctx *c, const json_t *in, nnrp_sink *s, const char *key,
                      const char *cls) {
  if (!vec_member(c, in, key)) return 0; /* None: empty body */
  uint8_t out[16];
  int rc = nnrp_profile_patch_encode(vec_dataclass(c, in, key, cls), out);
  if (rc) return rc;
  nnrp_sink_write(s, out, 16);
  return sink_rc(s);
}
int m_patch_body(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  return patch_body(c, in, s, "profile_patch_block", "TensorProfilePatchBlock");
}
int m_patch_ack_body(vec_ctx *c, const json_t *in, nnrp_sink *s) {
  return patch_body(c, in, s, "profile_patch_ack_block", "TensorProfilePatchAckBlock");
}
