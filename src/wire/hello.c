/* CLIENT_HELLO and SERVER_HELLO_ACK: metadata (wire-control §6) and bodies. */
#include "control_int.h"
#include "wire_int.h"

/* The extension types each hello understands; the other hello's types are unknown (§5.2). */
const uint16_t nnrpi_client_hello_ext_types[3] = {
    NNRP_EXT_TRANSPORT_POLICY, NNRP_EXT_LOSS_TOLERANCE, NNRP_EXT_PAYLOAD_CAPABILITIES};
const uint16_t nnrpi_server_hello_ack_ext_types[3] = {
    NNRP_EXT_TRANSPORT_POLICY_ACK, NNRP_EXT_LOSS_TOLERANCE_ACK, NNRP_EXT_PAYLOAD_CAPABILITIES_ACK};

/* ---- CLIENT_HELLO metadata (§6.1) ------------------------------------------------------------ */

enum { CH_PAYLOAD_KIND = 8 };

int nnrp_client_hello_meta_encode(const nnrp_client_hello_meta *m, uint8_t out[64]) {
  /* Neither SDK checks this bitmap; the design document says unknown bits are an error (D20). */
  if (m->supported_payload_kind_bitmap & ~NNRP_PAYLOAD_KNOWN) return NNRP_ERR_PAYLOAD_KIND_BITS;
  out[0] = m->min_version_major;
  out[1] = m->max_version_major;
  nnrp_st16(out + 2, m->supported_wire_format_bitmap);
  nnrp_st32(out + 4, m->supported_profile_bitmap);
  nnrp_st32(out + 8, m->supported_payload_kind_bitmap);
  nnrp_st32(out + 12, m->supported_codec_bitmap);
  nnrp_st32(out + 16, m->supported_compression_bitmap);
  nnrp_st32(out + 20, m->supported_dtype_bitmap);
  nnrp_st32(out + 24, m->supported_layout_bitmap);
  nnrp_st16(out + 28, m->cache_digest_bitmap);
  nnrp_st16(out + 30, m->cache_object_bitmap);
  nnrp_st16(out + 32, m->cache_namespace_count);
  nnrp_st16(out + 34, m->max_lane_count);
  nnrp_st32(out + 36, m->max_cache_entries);
  nnrp_st32(out + 40, m->max_cache_bytes);
  nnrp_st16(out + 44, m->target_cadence_x100);
  nnrp_st16(out + 46, m->latency_budget_ms);
  nnrp_st16(out + 48, m->quality_tier);
  nnrp_st16(out + 50, m->degrade_policy);
  nnrp_st32(out + 52, m->requested_session_id);
  nnrp_st32(out + 56, m->auth_bytes);
  nnrp_st32(out + 60, m->control_extension_bytes);
  return 0;
}

int nnrpi_client_hello_meta_read(nnrp_client_hello_meta *m, const uint8_t *in, uint32_t flags,
                                 nnrp_diag *diag) {
  m->min_version_major = in[0];
  m->max_version_major = in[1];
  m->supported_wire_format_bitmap = nnrp_ld16(in + 2);
  m->supported_profile_bitmap = nnrp_ld32(in + 4);
  m->supported_payload_kind_bitmap = nnrp_ld32(in + 8);
  m->supported_codec_bitmap = nnrp_ld32(in + 12);
  m->supported_compression_bitmap = nnrp_ld32(in + 16);
  m->supported_dtype_bitmap = nnrp_ld32(in + 20);
  m->supported_layout_bitmap = nnrp_ld32(in + 24);
  m->cache_digest_bitmap = nnrp_ld16(in + 28);
  m->cache_object_bitmap = nnrp_ld16(in + 30);
  m->cache_namespace_count = nnrp_ld16(in + 32);
  m->max_lane_count = nnrp_ld16(in + 34);
  m->max_cache_entries = nnrp_ld32(in + 36);
  m->max_cache_bytes = nnrp_ld32(in + 40);
  m->target_cadence_x100 = nnrp_ld16(in + 44);
  m->latency_budget_ms = nnrp_ld16(in + 46);
  m->quality_tier = nnrp_ld16(in + 48);
  m->degrade_policy = nnrp_ld16(in + 50);
  m->requested_session_id = nnrp_ld32(in + 52);
  m->auth_bytes = nnrp_ld32(in + 56);
  m->control_extension_bytes = nnrp_ld32(in + 60);
  if (!(flags & NNRP_DECODE_PY_COMPAT) && (m->supported_payload_kind_bitmap & ~NNRP_PAYLOAD_KNOWN))
    return nnrp_fail(diag, NNRP_ERR_PAYLOAD_KIND_BITS, CH_PAYLOAD_KIND);
  return 0;
}

int nnrp_client_hello_meta_decode(nnrp_client_hello_meta *m, const uint8_t *in, size_t len,
                                  uint32_t flags) {
  if (len != NNRP_CLIENT_HELLO_META_LEN) return NNRP_ERR_META_LEN;
  return nnrpi_client_hello_meta_read(m, in, flags, NULL);
}

/* ---- SERVER_HELLO_ACK metadata (§6.2) -------------------------------------------------------- */

enum { SHA_PAYLOAD_KIND = 12 };

int nnrp_server_hello_ack_meta_encode(const nnrp_server_hello_ack_meta *m, uint8_t out[80]) {
  /* reserved0 is written as given: receivers ignore it (§6.2), so decode then encode must
   * reproduce it.  nnrp_build_server_hello_ack is the one that insists on 0. */
  if (m->accepted_payload_kind_bitmap & ~NNRP_PAYLOAD_KNOWN) return NNRP_ERR_PAYLOAD_KIND_BITS;
  out[0] = m->selected_version_major;
  out[1] = m->selected_wire_format;
  out[2] = m->auth_status;
  out[3] = m->reserved0;
  nnrp_st32(out + 4, m->session_id);
  nnrp_st32(out + 8, m->accepted_profile_bitmap);
  nnrp_st32(out + 12, m->accepted_payload_kind_bitmap);
  nnrp_st32(out + 16, m->accepted_codec_bitmap);
  nnrp_st32(out + 20, m->accepted_compression_bitmap);
  nnrp_st32(out + 24, m->accepted_dtype_bitmap);
  nnrp_st32(out + 28, m->accepted_layout_bitmap);
  nnrp_st32(out + 32, m->cache_digest_bitmap);
  nnrp_st32(out + 36, m->cache_object_bitmap);
  nnrp_st32(out + 40, m->max_cache_entries);
  nnrp_st32(out + 44, m->max_cache_bytes);
  nnrp_st16(out + 48, m->max_lane_count);
  nnrp_st16(out + 50, m->max_concurrent_frames);
  nnrp_st16(out + 52, m->target_cadence_x100);
  nnrp_st16(out + 54, m->latency_budget_ms);
  nnrp_st16(out + 56, m->quality_tier);
  nnrp_st16(out + 58, m->degrade_policy);
  nnrp_st32(out + 60, m->max_body_bytes);
  nnrp_st32(out + 64, m->token_ttl_ms);
  nnrp_st32(out + 68, m->retry_after_ms);
  nnrp_st32(out + 72, m->control_extension_bytes);
  nnrp_st32(out + 76, m->server_flags);
  return 0;
}

int nnrpi_server_hello_ack_meta_read(nnrp_server_hello_ack_meta *m, const uint8_t *in,
                                     uint32_t flags, nnrp_diag *diag) {
  m->selected_version_major = in[0];
  m->selected_wire_format = in[1];
  m->auth_status = in[2];
  m->reserved0 = in[3];
  m->session_id = nnrp_ld32(in + 4);
  m->accepted_profile_bitmap = nnrp_ld32(in + 8);
  m->accepted_payload_kind_bitmap = nnrp_ld32(in + 12);
  m->accepted_codec_bitmap = nnrp_ld32(in + 16);
  m->accepted_compression_bitmap = nnrp_ld32(in + 20);
  m->accepted_dtype_bitmap = nnrp_ld32(in + 24);
  m->accepted_layout_bitmap = nnrp_ld32(in + 28);
  m->cache_digest_bitmap = nnrp_ld32(in + 32);
  m->cache_object_bitmap = nnrp_ld32(in + 36);
  m->max_cache_entries = nnrp_ld32(in + 40);
  m->max_cache_bytes = nnrp_ld32(in + 44);
  m->max_lane_count = nnrp_ld16(in + 48);
  m->max_concurrent_frames = nnrp_ld16(in + 50);
  m->target_cadence_x100 = nnrp_ld16(in + 52);
  m->latency_budget_ms = nnrp_ld16(in + 54);
  m->quality_tier = nnrp_ld16(in + 56);
  m->degrade_policy = nnrp_ld16(in + 58);
  m->max_body_bytes = nnrp_ld32(in + 60);
  m->token_ttl_ms = nnrp_ld32(in + 64);
  m->retry_after_ms = nnrp_ld32(in + 68);
  m->control_extension_bytes = nnrp_ld32(in + 72);
  m->server_flags = nnrp_ld32(in + 76);
  if (!(flags & NNRP_DECODE_PY_COMPAT) && (m->accepted_payload_kind_bitmap & ~NNRP_PAYLOAD_KNOWN))
    return nnrp_fail(diag, NNRP_ERR_PAYLOAD_KIND_BITS, SHA_PAYLOAD_KIND);
  return 0;
}

int nnrp_server_hello_ack_meta_decode(nnrp_server_hello_ack_meta *m, const uint8_t *in,
                                      size_t len, uint32_t flags) {
  if (len != NNRP_SERVER_HELLO_ACK_META_LEN) return NNRP_ERR_META_LEN;
  return nnrpi_server_hello_ack_meta_read(m, in, flags, NULL);
}

/* ---- bodies ---------------------------------------------------------------------------------- */

/* Validate the extension block and note the first entry of each standard type. */
static int hello_extensions(nnrp_hello_body *b, const uint8_t *block, size_t len,
                            const uint16_t *known, uint32_t flags, nnrp_diag *diag) {
  int rc = nnrp_ext_block_validate(block, len, known, 3, flags, diag);
  if (rc < 0) return rc;
  b->extensions.base = block;
  b->extensions.len = len;

  nnrp_ext_iter it;
  nnrp_ext_entry e;
  nnrp_ext_iter_init(&it, block, len);
  while (nnrp_ext_iter_next(&it, &e)) {
    b->extension_count++;
    /* known[0..2] are the transport policy, loss tolerance and payload capability types. */
    if (e.ext_type == known[0] && !(b->present & NNRP_HELLO_HAS_TRANSPORT_POLICY)) {
      nnrp_ext_transport_policy_parse(&e, &b->transport_policy);
      b->present |= NNRP_HELLO_HAS_TRANSPORT_POLICY;
    } else if (e.ext_type == known[1] && !(b->present & NNRP_HELLO_HAS_LOSS_TOLERANCE)) {
      nnrp_ext_loss_tolerance_parse(&e, &b->loss_tolerance);
      b->present |= NNRP_HELLO_HAS_LOSS_TOLERANCE;
    } else if (e.ext_type == known[2] && !(b->present & NNRP_HELLO_HAS_PAYLOAD_CAPS)) {
      nnrp_ext_payload_caps_parse(&e, &b->payload_caps);
      b->present |= NNRP_HELLO_HAS_PAYLOAD_CAPS;
    }
  }
  return 0;
}

/*
 * §6.1: [extension block][auth block].  nnrp-py checks neither length against body_len: it
 * parses body[:control_extension_bytes] and its server takes the last auth_bytes bytes
 * (§14 D22), which is what the PY-compatible profile reproduces.
 */
int nnrpi_client_hello_body_decode(nnrp_hello_body *b, const nnrp_client_hello_meta *m,
                                   const uint8_t *body, size_t len, uint32_t flags,
                                   nnrp_diag *diag) {
  memset(b, 0, sizeof(*b));
  size_t ext_len = m->control_extension_bytes, auth_len = m->auth_bytes;
  if (flags & NNRP_DECODE_PY_COMPAT) {
    if (ext_len > len) ext_len = len;
    if (auth_len > len) auth_len = len;
  } else {
    if (auth_len > len) return nnrp_fail(diag, NNRP_ERR_HELLO_AUTH_LEN, 0);
    if ((uint64_t)ext_len + auth_len != len) return nnrp_fail(diag, NNRP_ERR_HELLO_BODY_LEN, 0);
  }
  b->auth.base = body + (len - auth_len);
  b->auth.len = auth_len;
  return hello_extensions(b, body, ext_len, nnrpi_client_hello_ext_types, flags, diag);
}

/* §6.2: the whole body is the extension block (nnrp-py ignores bytes after it, D21). */
int nnrpi_server_hello_ack_body_decode(nnrp_hello_body *b, const nnrp_server_hello_ack_meta *m,
                                       const uint8_t *body, size_t len, uint32_t flags,
                                       nnrp_diag *diag) {
  memset(b, 0, sizeof(*b));
  size_t ext_len = m->control_extension_bytes;
  if (flags & NNRP_DECODE_PY_COMPAT) {
    if (ext_len > len) ext_len = len;
  } else if (ext_len != len) {
    return nnrp_fail(diag, NNRP_ERR_ACK_BODY_LEN, 0);
  }
  return hello_extensions(b, body, ext_len, nnrpi_server_hello_ack_ext_types, flags, diag);
}
