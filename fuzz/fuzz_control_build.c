/*
 * Control-plane builders round trip.  Byte 0 picks the message; the metadata structure is
 * read from the next bytes with the PY-compatible decoder (so it may hold values the strict
 * rules refuse), then come the header fields, extension entries and body bytes.  Whenever a
 * builder accepts, the count, buffer and scatter-gather sinks must agree and the strict
 * decoder must take the packet as it is, with the type and header fields asked for (an
 * unknown critical extension excepted: sending one is allowed, receiving one is an error).
 */
#include "fuzz_common.h"

enum { MAX_EXTS = 4, MAX_IOV = 32 };

typedef struct control_args {
  unsigned msg_type;
  nnrp_packet_params params;
  nnrp_meta meta;
  nnrp_ext_entry exts[MAX_EXTS];
  size_t ext_count;
  nnrp_vec body; /* auth, reason, diagnostic, object or probe padding */
  nnrp_profile_patch patch;
  int has_patch;
} control_args;

static void read_exts(fuzz_reader *r, control_args *a) {
  static const uint16_t types[] = {0x0101, 0x0102, 0x0103, 0x0104, 0x0105, 0x0106, 0x0200};
  a->ext_count = fuzz_u8(r) % (MAX_EXTS + 1);
  for (size_t i = 0; i < a->ext_count; i++) {
    uint8_t t = fuzz_u8(r);
    nnrp_ext_entry *e = &a->exts[i];
    e->ext_type = (t & 0x80) ? fuzz_u16(r) : types[t % 7u];
    e->ext_flags = (t & 0x40) ? NNRP_EXT_FLAG_CRITICAL : 0;
    e->payload = fuzz_bytes(r, (t & 0x20) ? fuzz_u8(r) % 24u : 8u);
  }
}

/* Metadata of the chosen type from the input; 0 when the bytes do not decode at all. */
static int read_meta(fuzz_reader *r, control_args *a) {
  const uint32_t f = NNRP_DECODE_PY_COMPAT;
  int len = nnrp_msg_meta_len(a->msg_type);
  if (len < 0) return 0;
  nnrp_vec in = fuzz_bytes(r, (size_t)len);
  if (in.len != (size_t)len) return 0;
  nnrp_meta *m = &a->meta;
  switch (a->msg_type) {
  case NNRP_MSG_CLIENT_HELLO:
    return nnrp_client_hello_meta_decode(&m->client_hello, in.base, in.len, f) == 0;
  case NNRP_MSG_SERVER_HELLO_ACK:
    return nnrp_server_hello_ack_meta_decode(&m->server_hello_ack, in.base, in.len, f) == 0;
  case NNRP_MSG_SESSION_PATCH:
    return nnrp_session_patch_meta_decode(&m->session_patch, in.base, in.len, f) == 0;
  case NNRP_MSG_SESSION_PATCH_ACK:
    return nnrp_session_patch_ack_meta_decode(&m->session_patch_ack, in.base, in.len, f) == 0;
  case NNRP_MSG_ERROR:
    return nnrp_error_meta_decode(&m->error, in.base, in.len, f) == 0;
  case NNRP_MSG_CACHE_PUT:
    return nnrp_cache_put_meta_decode(&m->cache_put, in.base, in.len, f) == 0;
  case NNRP_MSG_CACHE_ACK:
    return nnrp_cache_ack_meta_decode(&m->cache_ack, in.base, in.len, f) == 0;
  case NNRP_MSG_CACHE_INVALIDATE:
    return nnrp_cache_invalidate_meta_decode(&m->cache_invalidate, in.base, in.len, f) == 0;
  case NNRP_MSG_FLOW_UPDATE:
    return nnrp_flow_update_meta_decode(&m->flow_update, in.base, in.len, f) == 0;
  case NNRP_MSG_RESULT_HINT:
    return nnrp_result_hint_meta_decode(&m->result_hint, in.base, in.len, f) == 0;
  case NNRP_MSG_TRANSPORT_PROBE:
    return nnrp_transport_probe_meta_decode(&m->transport_probe, in.base, in.len, f) == 0;
  case NNRP_MSG_TRANSPORT_PROBE_ACK:
    return nnrp_transport_probe_ack_meta_decode(&m->transport_probe_ack, in.base, in.len, f) ==
           0;
  case NNRP_MSG_SESSION_MIGRATE:
    return nnrp_session_migrate_meta_decode(&m->session_migrate, in.base, in.len, f) == 0;
  case NNRP_MSG_SESSION_MIGRATE_ACK:
    return nnrp_session_migrate_ack_meta_decode(&m->session_migrate_ack, in.base, in.len, f) ==
           0;
  default:
    return 1; /* no metadata */
  }
}

/* An unknown critical extension is the sender's choice (§5.1 writes what it is given); the
 * receiver's answer to it is NNRP_ERR_EXT_UNKNOWN_CRITICAL by design (§5.2). */
static int unknown_critical(const control_args *a) {
  uint16_t first = a->msg_type == NNRP_MSG_CLIENT_HELLO ? 0x0101 : 0x0102;
  for (size_t i = 0; i < a->ext_count; i++) {
    uint16_t t = a->exts[i].ext_type;
    int known = t == first || t == first + 2 || t == first + 4;
    if (!known && (a->exts[i].ext_flags & NNRP_EXT_FLAG_CRITICAL)) return 1;
  }
  return 0;
}

static int build(const control_args *a, nnrp_sink *s) {
  const nnrp_packet_params *p = &a->params;
  const nnrp_meta *m = &a->meta;
  const nnrp_profile_patch *patch = a->has_patch ? &a->patch : NULL;
  switch (a->msg_type) {
  case NNRP_MSG_CLIENT_HELLO:
    return nnrp_build_client_hello(p, &m->client_hello, a->exts, a->ext_count, a->body, s);
  case NNRP_MSG_SERVER_HELLO_ACK:
    return nnrp_build_server_hello_ack(p, &m->server_hello_ack, a->exts, a->ext_count, s);
  case NNRP_MSG_SESSION_PATCH:
    return nnrp_build_session_patch(p, &m->session_patch, patch, s);
  case NNRP_MSG_SESSION_PATCH_ACK:
    return nnrp_build_session_patch_ack(p, &m->session_patch_ack, patch, s);
  case NNRP_MSG_CLOSE:
    return nnrp_build_close(p, a->body, s);
  case NNRP_MSG_ERROR:
    return nnrp_build_error(p, &m->error, a->body, s);
  case NNRP_MSG_CACHE_PUT:
    return nnrp_build_cache_put(p, &m->cache_put, a->body, s);
  case NNRP_MSG_CACHE_ACK:
    return nnrp_build_cache_ack(p, &m->cache_ack, s);
  case NNRP_MSG_CACHE_INVALIDATE:
    return nnrp_build_cache_invalidate(p, &m->cache_invalidate, s);
  case NNRP_MSG_FLOW_UPDATE:
    return nnrp_build_flow_update(p, &m->flow_update, s);
  case NNRP_MSG_RESULT_HINT:
    return nnrp_build_result_hint(p, &m->result_hint, s);
  case NNRP_MSG_TRANSPORT_PROBE:
    return nnrp_build_transport_probe(p, &m->transport_probe, a->body, s);
  case NNRP_MSG_TRANSPORT_PROBE_ACK:
    return nnrp_build_transport_probe_ack(p, &m->transport_probe_ack, s);
  case NNRP_MSG_SESSION_MIGRATE:
    return nnrp_build_session_migrate(p, &m->session_migrate, s);
  case NNRP_MSG_SESSION_MIGRATE_ACK:
    return nnrp_build_session_migrate_ack(p, &m->session_migrate_ack, s);
  default: /* header-only types, and undefined ones the builder must refuse */
    return nnrp_build_header_only(p, a->msg_type, s);
  }
}

static const uint8_t msg_types[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x11, 0x13, 0x14,
                                    0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x20,
                                    0x21, 0x10, 0x12, 0x07, 0xFF};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_reader r;
  fuzz_reader_init(&r, data, size);
  control_args a;
  memset(&a, 0, sizeof(a));
  uint8_t sel = fuzz_u8(&r);
  a.msg_type = msg_types[sel % sizeof(msg_types)];
  if (!read_meta(&r, &a)) return 0;
  a.params.session_id = fuzz_u8(&r);
  a.params.frame_id = fuzz_u8(&r);
  a.params.view_id = fuzz_u8(&r);
  a.params.trace_id = fuzz_u32(&r);
  uint8_t f = fuzz_u8(&r);
  a.params.flags = f == 0xFF ? 0x100u : f & NNRP_FLAGS_KNOWN;
  read_exts(&r, &a);
  uint8_t p = fuzz_u8(&r);
  a.has_patch = p & 1;
  a.patch.min_width = fuzz_u16(&r);
  a.patch.min_height = fuzz_u16(&r);
  a.patch.max_width = fuzz_u16(&r);
  a.patch.max_height = fuzz_u16(&r);
  a.body = fuzz_rest(&r);

  nnrp_sink count;
  nnrp_sink_init_count(&count);
  int rc = build(&a, &count);
  size_t total = rc == 0 ? count.total : 256;
  uint8_t *buf = (uint8_t *)malloc(total ? total : 1);
  FUZZ_CHECK(buf != NULL);
  nnrp_sink sink;
  nnrp_sink_init_buffer(&sink, buf, total);
  int brc = build(&a, &sink);
  FUZZ_CHECK(brc == rc || (rc != 0 && brc == NNRP_ERR_BUFFER_TOO_SMALL));
  if (rc != 0) {
    FUZZ_CHECK(rc < 0);
    free(buf);
    return 0;
  }
  FUZZ_CHECK(sink.len == total);

  uint8_t *scratch = (uint8_t *)malloc(total ? total : 1);
  FUZZ_CHECK(scratch != NULL);
  nnrp_vec iov[MAX_IOV];
  nnrp_sink gs;
  nnrp_sink_init_iov(&gs, scratch, total, iov, MAX_IOV, (size_t)(sel >> 5) * 8u);
  int grc = build(&a, &gs);
  FUZZ_CHECK(grc == 0 || grc == NNRP_ERR_IOV_TOO_SMALL);
  if (grc == 0) FUZZ_CHECK(fuzz_iov_equals(iov, gs.iov_count, buf, total));
  free(scratch);

  nnrp_decode_options opts = {0};
  opts.flags = NNRP_DECODE_EXACT;
  nnrp_packet pk;
  nnrp_diag diag = {0, 0};
  int drc = nnrp_packet_decode(&pk, buf, total, &opts, &diag);
  if (drc == NNRP_ERR_EXT_UNKNOWN_CRITICAL && unknown_critical(&a)) {
    free(buf);
    return 0;
  }
  if (drc != 0) {
    fprintf(stderr, "decoder refused builder output (msg_type 0x%02x): %s at offset %zu\n",
            a.msg_type, nnrp_err_name(drc), diag.offset);
    FUZZ_CHECK(drc == 0);
  }
  FUZZ_CHECK(pk.header.msg_type == a.msg_type);
  FUZZ_CHECK(pk.header.session_id == a.params.session_id);
  FUZZ_CHECK(pk.header.frame_id == a.params.frame_id);
  FUZZ_CHECK(pk.header.trace_id == a.params.trace_id);
  FUZZ_CHECK(pk.header.flags == a.params.flags);
  free(buf);
  return 0;
}
