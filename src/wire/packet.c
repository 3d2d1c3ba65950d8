/*
 * Whole-packet decoding: header, the exact metadata length of the type, the type's metadata
 * and its body rules (wire-control §1-§11, wire-data §1).  diag offsets are from the packet
 * start.
 */
#include "control_int.h"
#include "wire_int.h"

#define META_OFF NNRP_HEADER_LEN
#define HEADER_META_LEN_OFF 12u
#define HEADER_SESSION_ID_OFF 20u

static int is_header_only(unsigned msg_type) {
  return nnrp_msg_meta_len(msg_type) == 0;
}

/* Metadata of the control types; diag offsets come back relative to the packet. */
static int control_meta_read(nnrp_packet *p, uint32_t flags, nnrp_diag *diag) {
  const uint8_t *in = p->metadata.base;
  nnrp_meta *m = &p->meta;
  int rc;
  switch (p->header.msg_type) {
    case NNRP_MSG_CLIENT_HELLO:
      rc = nnrpi_client_hello_meta_read(&m->client_hello, in, flags, diag);
      break;
    case NNRP_MSG_SERVER_HELLO_ACK:
      rc = nnrpi_server_hello_ack_meta_read(&m->server_hello_ack, in, flags, diag);
      break;
    case NNRP_MSG_SESSION_PATCH:
      rc = nnrpi_session_patch_meta_read(&m->session_patch, in, flags, diag);
      break;
    case NNRP_MSG_SESSION_PATCH_ACK:
      rc = nnrpi_session_patch_ack_meta_read(&m->session_patch_ack, in, flags, diag);
      break;
    case NNRP_MSG_ERROR:
      rc = nnrpi_error_meta_read(&m->error, in, flags, diag);
      break;
    case NNRP_MSG_CACHE_PUT:
      rc = nnrpi_cache_put_meta_read(&m->cache_put, in, flags, diag);
      break;
    case NNRP_MSG_CACHE_ACK:
      rc = nnrpi_cache_ack_meta_read(&m->cache_ack, in, flags, diag);
      break;
    case NNRP_MSG_CACHE_INVALIDATE:
      rc = nnrpi_cache_invalidate_meta_read(&m->cache_invalidate, in, flags, diag);
      break;
    case NNRP_MSG_FLOW_UPDATE:
      rc = nnrpi_flow_update_meta_read(&m->flow_update, in, flags, diag);
      break;
    case NNRP_MSG_RESULT_HINT:
      rc = nnrpi_result_hint_meta_read(&m->result_hint, in, flags, diag);
      break;
    case NNRP_MSG_TRANSPORT_PROBE:
      rc = nnrpi_transport_probe_meta_read(&m->transport_probe, in, flags, diag);
      break;
    case NNRP_MSG_TRANSPORT_PROBE_ACK:
      rc = nnrpi_transport_probe_ack_meta_read(&m->transport_probe_ack, in, flags, diag);
      break;
    case NNRP_MSG_SESSION_MIGRATE:
      rc = nnrpi_session_migrate_meta_read(&m->session_migrate, in, flags, diag);
      break;
    case NNRP_MSG_SESSION_MIGRATE_ACK:
      rc = nnrpi_session_migrate_ack_meta_read(&m->session_migrate_ack, in, flags, diag);
      break;
    default: /* header-only types */
      rc = 0;
      break;
  }
  return nnrpi_diag_shift(diag, rc, META_OFF);
}

/* SESSION_PATCH(_ACK) body: empty, or the 16-byte block when the metadata declares it (§7). */
static int patch_body(nnrp_packet *p, uint32_t declared, size_t body_off, nnrp_diag *diag) {
  if (p->body.len != declared) return nnrp_fail(diag, NNRP_ERR_PATCH_BODY_LEN, body_off);
  if (declared) {
    nnrp_profile_patch_decode(&p->profile_patch, p->body.base, p->body.len);
    p->has_profile_patch = 1;
  }
  return 0;
}

/* A body whose length a metadata field declares; nnrp-py only slices by it (§14 D22). */
static int declared_body(const nnrp_packet *p, uint32_t declared, int err, uint32_t flags,
                         size_t body_off, nnrp_diag *diag) {
  if (p->body.len != declared && !(flags & NNRP_DECODE_PY_COMPAT))
    return nnrp_fail(diag, err, body_off);
  return 0;
}

static int empty_body(const nnrp_packet *p, size_t body_off, nnrp_diag *diag) {
  return p->body.len ? nnrp_fail(diag, NNRP_ERR_BODY_NOT_EMPTY, body_off) : 0;
}

static int data_plane(nnrp_packet *p, const nnrp_decode_options *opts, uint32_t flags,
                      size_t body_off, nnrp_diag *diag) {
  const uint8_t *body = p->body.base;
  size_t len = p->body.len;
  int rc;
  if (p->header.msg_type == NNRP_MSG_FRAME_SUBMIT) {
    rc = nnrp_frame_submit_meta_decode(&p->meta.frame_submit, p->metadata.base, p->metadata.len,
                                       flags);
    if (rc < 0) return nnrp_fail(diag, rc, META_OFF);
    rc = nnrp_frame_submit_body_decode(&p->data, &p->meta.frame_submit, body, len, opts, diag);
  } else {
    rc = nnrp_result_push_meta_decode(&p->meta.result_push, p->metadata.base, p->metadata.len,
                                      flags);
    if (rc < 0) return nnrp_fail(diag, rc, META_OFF);
    rc = nnrp_result_push_body_decode(&p->data, &p->meta.result_push, body, len, opts, diag);
  }
  return nnrpi_diag_shift(diag, rc, body_off);
}

/* Body rules per type, after the metadata has been read. */
static int body_rules(nnrp_packet *p, const nnrp_decode_options *opts, uint32_t flags,
                      nnrp_diag *diag) {
  const nnrp_meta *m = &p->meta;
  size_t body_off = META_OFF + p->metadata.len;
  int rc;
  switch (p->header.msg_type) {
    case NNRP_MSG_CLIENT_HELLO:
      rc = nnrpi_client_hello_body_decode(&p->hello, &m->client_hello, p->body.base, p->body.len,
                                          flags, diag);
      return nnrpi_diag_shift(diag, rc, body_off);
    case NNRP_MSG_SERVER_HELLO_ACK:
      rc = nnrpi_server_hello_ack_body_decode(&p->hello, &m->server_hello_ack, p->body.base,
                                              p->body.len, flags, diag);
      return nnrpi_diag_shift(diag, rc, body_off);
    case NNRP_MSG_SESSION_PATCH:
      return patch_body(p, m->session_patch.profile_patch_bytes, body_off, diag);
    case NNRP_MSG_SESSION_PATCH_ACK:
      return patch_body(p, m->session_patch_ack.profile_patch_ack_bytes, body_off, diag);
    case NNRP_MSG_ERROR:
      return declared_body(p, m->error.diagnostic_bytes, NNRP_ERR_ERROR_DIAG_LEN, flags, body_off,
                           diag);
    case NNRP_MSG_CACHE_PUT:
      return declared_body(p, m->cache_put.object_bytes, NNRP_ERR_CACHE_OBJECT_LEN, flags,
                           body_off, diag);
    case NNRP_MSG_TRANSPORT_PROBE:
      return declared_body(p, m->transport_probe.probe_payload_bytes, NNRP_ERR_PROBE_PAYLOAD_LEN,
                           flags, body_off, diag);
    case NNRP_MSG_FLOW_UPDATE:
      /* Rule 7 binds the scope to the header; nnrp-py checks it only when building. */
      if (!(flags & NNRP_DECODE_PY_COMPAT) &&
          nnrpi_flow_session_binding_check(m->flow_update.scope_kind, p->header.session_id))
        return nnrp_fail(diag, NNRP_ERR_FLOW_SESSION_BINDING, HEADER_SESSION_ID_OFF);
      return empty_body(p, body_off, diag);
    case NNRP_MSG_SESSION_MIGRATE:
      /* nnrp-py's builder takes an opaque body that nothing defines (§14 D10). */
      return (flags & NNRP_DECODE_PY_COMPAT) ? 0 : empty_body(p, body_off, diag);
    case NNRP_MSG_CACHE_ACK:
    case NNRP_MSG_CACHE_INVALIDATE:
    case NNRP_MSG_RESULT_HINT:
    case NNRP_MSG_TRANSPORT_PROBE_ACK:
    case NNRP_MSG_SESSION_MIGRATE_ACK:
      return empty_body(p, body_off, diag);
    case NNRP_MSG_FRAME_SUBMIT:
    case NNRP_MSG_RESULT_PUSH:
      return data_plane(p, opts, flags, body_off, diag);
    case NNRP_MSG_CLOSE:
      return 0; /* the body is the reason text */
    default: /* FRAME_CANCEL, RESULT_DROP, PING, PONG */
      return (flags & NNRP_DECODE_PY_COMPAT) ? 0 : empty_body(p, body_off, diag);
  }
}

int nnrp_packet_decode(nnrp_packet *p, const uint8_t *data, size_t len,
                       const nnrp_decode_options *opts, nnrp_diag *diag) {
  uint32_t flags = opts ? opts->flags : 0;
  memset(p, 0, sizeof(*p));
  int rc = nnrpi_header_read(&p->header, data, len, opts, diag);
  if (rc < 0) return rc;

  const nnrp_header *h = &p->header;
  size_t total = (size_t)NNRP_HEADER_LEN + h->meta_len + h->body_len;
  if (len < total) return nnrp_fail(diag, NNRP_ERR_INCOMPLETE, len);
  if (len > total && (flags & NNRP_DECODE_EXACT))
    return nnrp_fail(diag, NNRP_ERR_TRAILING_BYTES, total);
  p->packet_len = total;
  p->metadata.base = data + META_OFF;
  p->metadata.len = h->meta_len;
  p->body.base = data + META_OFF + h->meta_len;
  p->body.len = h->body_len;

  int expected = nnrp_msg_meta_len(h->msg_type);
  /* Only reachable with NNRP_DECODE_LENIENT_HEADER: framed, but nothing to validate. */
  if (expected < 0) return 0;
  if (h->meta_len != (uint32_t)expected) {
    /* nnrp-py has no metadata struct for the header-only types and ignores any (§14 D22). */
    if (!(is_header_only(h->msg_type) && (flags & NNRP_DECODE_PY_COMPAT)))
      return nnrp_fail(diag, NNRP_ERR_META_LEN, HEADER_META_LEN_OFF);
  }

  if (h->msg_type != NNRP_MSG_FRAME_SUBMIT && h->msg_type != NNRP_MSG_RESULT_PUSH) {
    rc = control_meta_read(p, flags, diag);
    if (rc < 0) return rc;
  }
  return body_rules(p, opts, flags, diag);
}
