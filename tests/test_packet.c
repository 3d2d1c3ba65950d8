/*
 * Whole-packet framing (wire-control §1, wire-data §1): incomplete input, packets back to back,
 * the exact-length mode, the message size limit, lenient headers, and the differences between
 * the strict profile and NNRP_DECODE_PY_COMPAT (wire-control §14 D13, D22) checked against the
 * reference SDK's own accept/reject lists.
 */
#include <jansson.h>
#include <libnnrp/errors.h>
#include <libnnrp/wire.h>

#include "test.h"

static const char *const bins[] = {
    "client_hello.bin",     "server_hello_ack.bin",  "session_patch.bin",
    "session_patch_ack.bin", "cache_put.bin",         "cache_ack.bin",
    "cache_invalidate.bin", "error.bin",             "result_drop.bin",
    "frame_submit_dense.bin", "frame_submit_changed_tiles.bin", "result_push_fresh.bin",
};
#define N_BINS (sizeof(bins) / sizeof(bins[0]))

static uint8_t *vec_bin(const char *file, size_t *len) {
  uint8_t *b = test_read_file(test_vector_path(file), len);
  if (!b) {
    fprintf(stderr, "cannot read %s\n", file);
    exit(1);
  }
  return b;
}

static void put32(uint8_t *b, size_t off, uint32_t v) {
  for (int i = 0; i < 4; i++) b[off + i] = (uint8_t)(v >> (8 * i));
}

/* Every proper prefix asks for more bytes, and says how many it already has. */
static void test_byte_at_a_time(void) {
  for (size_t f = 0; f < N_BINS; f++) {
    size_t n;
    uint8_t *full = vec_bin(bins[f], &n);
    for (size_t k = 0; k < n; k++) {
      /* A fresh allocation of exactly k bytes, so that ASan sees any read past it. */
      uint8_t *part = malloc(k ? k : 1);
      memcpy(part, full, k);
      nnrp_packet p;
      nnrp_diag d = {0, 0};
      int rc = nnrp_packet_decode(&p, part, k, NULL, &d);
      if (rc != NNRP_ERR_INCOMPLETE || d.offset != k) {
        fprintf(stderr, "%s: prefix %zu gave %s at %zu\n", bins[f], k, nnrp_err_name(rc),
                d.offset);
        test_failures++;
      }
      size_t total = 0;
      if (k < 40) CHECK_RC(nnrp_packet_length(part, k, NULL, &total), NNRP_ERR_INCOMPLETE);
      free(part);
    }
    nnrp_packet p;
    CHECK_RC(nnrp_packet_decode(&p, full, n, NULL, NULL), 0);
    CHECK_EQ(p.packet_len, n);
    free(full);
  }
}

/* A stream of packets: each decode consumes exactly one and leaves the rest alone. */
static void test_back_to_back(void) {
  uint8_t *stream = NULL;
  size_t len = 0, sizes[N_BINS];
  for (size_t f = 0; f < N_BINS; f++) {
    size_t n;
    uint8_t *b = vec_bin(bins[f], &n);
    stream = realloc(stream, len + n);
    memcpy(stream + len, b, n);
    len += n;
    sizes[f] = n;
    free(b);
  }
  size_t off = 0;
  for (size_t f = 0; f < N_BINS; f++) {
    size_t total = 0;
    CHECK_RC(nnrp_packet_length(stream + off, len - off, NULL, &total), 0);
    CHECK_EQ(total, sizes[f]);
    nnrp_packet p;
    CHECK_RC(nnrp_packet_decode(&p, stream + off, len - off, NULL, NULL), 0);
    CHECK_EQ(p.packet_len, sizes[f]);
    CHECK(p.body.base + p.body.len == stream + off + sizes[f]);
    /* The exact mode wants this packet alone. */
    nnrp_decode_options exact = {.flags = NNRP_DECODE_EXACT};
    nnrp_diag d = {0, 0};
    int want = f + 1 < N_BINS ? NNRP_ERR_TRAILING_BYTES : 0;
    CHECK_RC(nnrp_packet_decode(&p, stream + off, len - off, &exact, &d), want);
    if (want) CHECK_EQ(d.offset, sizes[f]);
    off += p.packet_len ? p.packet_len : sizes[f];
  }
  CHECK_EQ(off, len);
  free(stream);
}

static void test_exact_mode(void) {
  size_t n;
  uint8_t *b = vec_bin("cache_put.bin", &n);
  uint8_t *more = calloc(1, n + 8);
  memcpy(more, b, n);
  nnrp_decode_options exact = {.flags = NNRP_DECODE_EXACT};
  nnrp_packet p;
  nnrp_diag d = {0, 0};
  CHECK_RC(nnrp_packet_decode(&p, more, n, &exact, NULL), 0);
  CHECK_RC(nnrp_packet_decode(&p, more, n + 1, &exact, &d), NNRP_ERR_TRAILING_BYTES);
  CHECK_EQ(d.offset, n);
  CHECK_RC(nnrp_packet_decode(&p, more, n + 8, NULL, NULL), 0); /* stream mode */
  CHECK_EQ(p.packet_len, n);
  CHECK_RC(nnrp_packet_decode(&p, more, n - 1, &exact, &d), NNRP_ERR_INCOMPLETE);
  free(more);
  free(b);
}

static void test_max_message_len(void) {
  size_t n;
  uint8_t *b = vec_bin("cache_put.bin", &n); /* meta 32 + body 3 */
  nnrp_packet p;
  nnrp_diag d = {0, 0};
  nnrp_decode_options lim = {.max_message_len = 35};
  CHECK_RC(nnrp_packet_decode(&p, b, n, &lim, NULL), 0);
  lim.max_message_len = 34;
  CHECK_RC(nnrp_packet_decode(&p, b, n, &lim, &d), NNRP_ERR_TOO_LARGE);
  CHECK_EQ(d.offset, 12);
  size_t total;
  CHECK_RC(nnrp_packet_length(b, 40, &lim, &total), NNRP_ERR_TOO_LARGE);

  /* Declared sizes far beyond the buffer: the default limit admits up to 0xFFFFFFFF, the
   * decoder waits for the bytes and never reads past the 40 it has. */
  uint8_t h[40];
  memcpy(h, b, 40);
  put32(h, 12, 0);
  put32(h, 16, 0xFFFFFFFFu);
  CHECK_RC(nnrp_packet_decode(&p, h, 40, NULL, &d), NNRP_ERR_INCOMPLETE);
  put32(h, 12, 0xFFFFFFFFu);
  CHECK_RC(nnrp_packet_decode(&p, h, 40, NULL, &d), NNRP_ERR_TOO_LARGE);
  free(b);
}

/* With the message-type check off, an unknown type is framed but not interpreted. */
static void test_lenient_unknown_type(void) {
  uint8_t pkt[48] = {'N', 'N', 'R', 'P', 1, 0, 0x30, 40};
  put32(pkt, 12, 4);
  put32(pkt, 16, 4);
  memcpy(pkt + 40, "metabody", 8);
  nnrp_packet p;
  CHECK_RC(nnrp_packet_decode(&p, pkt, sizeof(pkt), NULL, NULL), NNRP_ERR_MSG_TYPE);
  nnrp_decode_options lenient = {.flags = NNRP_DECODE_LENIENT_HEADER};
  CHECK_RC(nnrp_packet_decode(&p, pkt, sizeof(pkt), &lenient, NULL), 0);
  CHECK_EQ(p.header.msg_type, 0x30);
  CHECK_MEM(p.metadata.base, p.metadata.len, "meta", 4);
  CHECK_MEM(p.body.base, p.body.len, "body", 4);
  CHECK_EQ(p.packet_len, 48);
  pkt[4] = 7; /* and any version */
  CHECK_RC(nnrp_packet_decode(&p, pkt, sizeof(pkt), &lenient, NULL), 0);
}

/* Header-only types: nnrp-py has no metadata struct for them (D22). */
static void test_header_only_surplus(void) {
  uint8_t pkt[52] = {'N', 'N', 'R', 'P', 1, 0, NNRP_MSG_PING, 40};
  nnrp_decode_options pyc = {.flags = NNRP_DECODE_PY_COMPAT};
  nnrp_packet p;
  nnrp_diag d = {0, 0};
  put32(pkt, 12, 4);
  CHECK_RC(nnrp_packet_decode(&p, pkt, 44, NULL, &d), NNRP_ERR_META_LEN);
  CHECK_EQ(d.offset, 12);
  CHECK_RC(nnrp_packet_decode(&p, pkt, 44, &pyc, NULL), 0);
  CHECK_EQ(p.metadata.len, 4);
  put32(pkt, 12, 0);
  put32(pkt, 16, 12);
  CHECK_RC(nnrp_packet_decode(&p, pkt, 52, NULL, &d), NNRP_ERR_BODY_NOT_EMPTY);
  CHECK_EQ(d.offset, 40);
  CHECK_RC(nnrp_packet_decode(&p, pkt, 52, &pyc, NULL), 0);
  CHECK_EQ(p.body.len, 12);
  /* CLOSE carries its reason in the body, but no metadata even for nnrp-cs. */
  pkt[6] = NNRP_MSG_CLOSE;
  CHECK_RC(nnrp_packet_decode(&p, pkt, 52, NULL, NULL), 0);
  put32(pkt, 12, 4);
  put32(pkt, 16, 8);
  CHECK_RC(nnrp_packet_decode(&p, pkt, 52, NULL, NULL), NNRP_ERR_META_LEN);
  CHECK_RC(nnrp_packet_decode(&p, pkt, 52, &pyc, NULL), 0);
  /* A control type with metadata keeps its exact length even for nnrp-py. */
  pkt[6] = NNRP_MSG_RESULT_HINT;
  CHECK_RC(nnrp_packet_decode(&p, pkt, 52, &pyc, NULL), NNRP_ERR_META_LEN);
}

/* FRAME_SUBMIT and RESULT_PUSH go to the data-plane decoders; their offsets come back
 * relative to the packet (metadata failures at the metadata start). */
static void test_data_plane_dispatch(void) {
  size_t n;
  nnrp_packet p;
  nnrp_diag d = {0, 0};
  uint8_t *b = vec_bin("result_push_stale.bin", &n); /* malformed under nnrp-py's rules */
  CHECK_RC(nnrp_packet_decode(&p, b, n, NULL, &d), NNRP_ERR_SECTION_PAYLOAD_SUM);
  CHECK(d.offset >= 40 + 64 && d.offset < n);
  free(b);

  b = vec_bin("frame_submit_dense.bin", &n);
  CHECK_RC(nnrp_packet_decode(&p, b, n, NULL, NULL), 0);
  CHECK_EQ(p.meta.frame_submit.payload_kind_bitmap, NNRP_PAYLOAD_TENSOR);
  CHECK_EQ(p.data.section_count, p.meta.frame_submit.section_count);
  b[40 + 52] = 3; /* submit_mode */
  CHECK_RC(nnrp_packet_decode(&p, b, n, NULL, &d), NNRP_ERR_SUBMIT_MODE);
  CHECK_EQ(d.offset, 40);
  put32(b, 12, 71); /* meta_len: the type's fixed length is checked before its metadata */
  CHECK_RC(nnrp_packet_decode(&p, b, n, NULL, &d), NNRP_ERR_META_LEN);
  CHECK_EQ(d.offset, 12);
  free(b);
}

/* ---- the reference SDK's lists ------------------------------------------------------------- */

typedef struct named_error {
  const char *name;
  int strict;
} named_error;

/* Control and framing entries of `oracle_accepts`: rejected strictly, accepted by PY. */
static const named_error accepted_by_py[] = {
    {"header.version_major_2", NNRP_ERR_VERSION},
    {"header.version_major_0", NNRP_ERR_VERSION},
    {"header.reserved_flag_bit_0x40", NNRP_ERR_RESERVED_FLAGS},
    {"ping.with_metadata", NNRP_ERR_META_LEN},
    {"result_drop.with_body", NNRP_ERR_BODY_NOT_EMPTY},
    {"client_hello.ext_unknown_flag_bits", NNRP_ERR_EXT_FLAGS},
    {"client_hello.ext_bytes_gt_body", NNRP_ERR_HELLO_BODY_LEN},
    {"client_hello.auth_bytes_mismatch", NNRP_ERR_HELLO_AUTH_LEN},
    {"server_hello_ack.body_longer_than_ext_bytes", NNRP_ERR_ACK_BODY_LEN},
    {"session_patch.reserved0_nonzero", NNRP_ERR_PATCH_RESERVED},
    {"error.diagnostic_bytes_mismatch", NNRP_ERR_ERROR_DIAG_LEN},
    {"cache_put.unknown_flag_bits", NNRP_ERR_CACHE_PUT_FLAGS},
    {"cache_put.object_bytes_mismatch", NNRP_ERR_CACHE_OBJECT_LEN},
    {"flow_update.connection_scope_nonzero_session_id", NNRP_ERR_FLOW_SESSION_BINDING},
    {"flow_update.reserved0_nonzero", NNRP_ERR_FLOW_RESERVED},
    {"transport_probe.payload_bytes_mismatch", NNRP_ERR_PROBE_PAYLOAD_LEN},
};

/* Control and framing entries of `examples`: rejected by both profiles, with this error. */
static const named_error rejected[] = {
    {"framing.empty", NNRP_ERR_INCOMPLETE},
    {"framing.short_header_39", NNRP_ERR_INCOMPLETE},
    {"header.bad_magic_NNRQ", NNRP_ERR_HEADER_MAGIC},
    {"header.bad_magic_lowercase", NNRP_ERR_HEADER_MAGIC},
    {"header.bad_magic_frame_submit", NNRP_ERR_HEADER_MAGIC},
    {"header.header_len_0", NNRP_ERR_HEADER_LENGTH},
    {"header.header_len_39", NNRP_ERR_HEADER_LENGTH},
    {"header.header_len_41", NNRP_ERR_HEADER_LENGTH},
    {"header.header_len_80", NNRP_ERR_HEADER_LENGTH},
    {"header.header_len_255", NNRP_ERR_HEADER_LENGTH},
    {"header.wire_format_1", NNRP_ERR_WIRE_FORMAT},
    {"header.wire_format_2", NNRP_ERR_WIRE_FORMAT},
    {"header.wire_format_3", NNRP_ERR_WIRE_FORMAT},
    {"header.wire_format_255", NNRP_ERR_WIRE_FORMAT},
    {"header.msg_type_0x00", NNRP_ERR_MSG_TYPE},
    {"header.msg_type_0x07", NNRP_ERR_MSG_TYPE},
    {"header.msg_type_0x0f", NNRP_ERR_MSG_TYPE},
    {"header.msg_type_0x1d", NNRP_ERR_MSG_TYPE},
    {"header.msg_type_0x1f", NNRP_ERR_MSG_TYPE},
    {"header.msg_type_0x22", NNRP_ERR_MSG_TYPE},
    {"header.msg_type_0xff", NNRP_ERR_MSG_TYPE},
    {"framing.trailing_1_byte", NNRP_ERR_TRAILING_BYTES},
    {"framing.trailing_8_bytes_frame_submit", NNRP_ERR_TRAILING_BYTES},
    {"framing.second_packet_appended", NNRP_ERR_TRAILING_BYTES},
    {"framing.truncated_to_header", NNRP_ERR_INCOMPLETE},
    {"framing.truncated_mid_metadata", NNRP_ERR_INCOMPLETE},
    {"framing.truncated_mid_body", NNRP_ERR_INCOMPLETE},
    {"framing.truncated_last_byte", NNRP_ERR_INCOMPLETE},
    {"framing.truncated_typed_last_byte", NNRP_ERR_INCOMPLETE},
    {"framing.meta_len_plus_1", NNRP_ERR_INCOMPLETE},
    {"framing.body_len_plus_1", NNRP_ERR_INCOMPLETE},
    {"framing.body_len_minus_1", NNRP_ERR_TRAILING_BYTES},
    {"framing.body_len_huge", NNRP_ERR_INCOMPLETE},
    {"framing.meta_len_huge", NNRP_ERR_INCOMPLETE},
    {"frame_submit.meta_len_71_body_len_plus_1", NNRP_ERR_META_LEN},
    {"result_push.meta_len_65", NNRP_ERR_META_LEN},
    {"flow_update.meta_len_31", NNRP_ERR_META_LEN},
    {"client_hello.meta_len_65", NNRP_ERR_META_LEN},
    {"error.meta_len_28", NNRP_ERR_META_LEN},
    {"client_hello.ext_truncated_header", NNRP_ERR_EXT_TRUNCATED_HEADER},
    {"client_hello.ext_truncated_payload", NNRP_ERR_EXT_TRUNCATED_PAYLOAD},
    {"client_hello.ext_truncated_padding", NNRP_ERR_EXT_TRUNCATED_PADDING},
    {"client_hello.ext_nonzero_padding", NNRP_ERR_EXT_PADDING},
    {"client_hello.ext_unknown_critical", NNRP_ERR_EXT_UNKNOWN_CRITICAL},
    {"client_hello.ext_server_type_critical", NNRP_ERR_EXT_UNKNOWN_CRITICAL},
    {"client_hello.ext_loss_tolerance_reserved", NNRP_ERR_EXT_RESERVED},
    {"client_hello.ext_loss_tolerance_value_4", NNRP_ERR_LOSS_TOLERANCE},
    {"client_hello.ext_payload_caps_critical_bitmap", NNRP_ERR_CRITICAL_FRAME_BITMAP},
    {"client_hello.ext_payload_caps_unknown_bits", NNRP_ERR_PAYLOAD_KIND_BITS},
    {"client_hello.ext_transport_policy_5", NNRP_ERR_TRANSPORT_POLICY},
    {"client_hello.ext_preferred_transport_3", NNRP_ERR_TRANSPORT_ID},
    {"server_hello_ack.ext_unknown_critical", NNRP_ERR_EXT_UNKNOWN_CRITICAL},
    {"server_hello_ack.ext_active_transport_9", NNRP_ERR_TRANSPORT_ID},
    {"server_hello_ack.ext_accepted_policy_7", NNRP_ERR_TRANSPORT_POLICY},
    {"server_hello_ack.ext_payload_caps_critical_bitmap", NNRP_ERR_CRITICAL_FRAME_BITMAP},
    {"session_patch.profile_patch_bytes_8", NNRP_ERR_PATCH_BYTES},
    {"session_patch.block_declared_body_empty", NNRP_ERR_PATCH_BODY_LEN},
    {"session_patch.body_without_block", NNRP_ERR_PATCH_BODY_LEN},
    {"session_patch.block_plus_trailing", NNRP_ERR_PATCH_BODY_LEN},
    {"session_patch_ack.ack_status_3", NNRP_ERR_PATCH_ACK_STATUS},
    {"session_patch_ack.reject_reason_6", NNRP_ERR_PATCH_REJECT_REASON},
    {"session_patch_ack.profile_patch_ack_bytes_12", NNRP_ERR_PATCH_BYTES},
    {"error.error_scope_3", NNRP_ERR_ERROR_SCOPE},
    {"cache_put.object_kind_0", NNRP_ERR_CACHE_OBJECT_KIND},
    {"cache_put.object_kind_10", NNRP_ERR_CACHE_OBJECT_KIND},
    {"cache_ack.status_3", NNRP_ERR_CACHE_ACK_STATUS},
    {"cache_invalidate.scope_4", NNRP_ERR_CACHE_SCOPE},
    {"flow_update.scope_3", NNRP_ERR_FLOW_SCOPE},
    {"flow_update.reason_5", NNRP_ERR_FLOW_REASON},
    {"flow_update.backpressure_3", NNRP_ERR_FLOW_BACKPRESSURE},
    {"flow_update.flags_0x10", NNRP_ERR_FLOW_FLAGS},
    {"flow_update.retry_without_flag", NNRP_ERR_FLOW_RETRY_AFTER},
    {"flow_update.session_scope_connection_credit", NNRP_ERR_FLOW_SCOPE_FIELDS},
    {"flow_update.connection_scope_session_credit", NNRP_ERR_FLOW_SCOPE_FIELDS},
    {"flow_update.operation_scope_zero_id", NNRP_ERR_FLOW_SCOPE_FIELDS},
    {"flow_update.operation_scope_session_credit", NNRP_ERR_FLOW_SCOPE_FIELDS},
    {"result_hint.budget_5", NNRP_ERR_HINT_POLICY},
    {"result_hint.congestion_4", NNRP_ERR_HINT_CONGESTION},
    {"result_hint.reason_99", NNRP_ERR_HINT_REASON},
    {"session_migrate.old_transport_0", NNRP_ERR_MIGRATE_TRANSPORT},
    {"session_migrate.new_transport_3", NNRP_ERR_MIGRATE_TRANSPORT},
};

static json_t *invalid;

static uint8_t *example(const char *list, const char *name, size_t *len) {
  json_t *v;
  size_t i;
  json_array_foreach(json_object_get(invalid, list), i, v) {
    if (strcmp(json_string_value(json_object_get(v, "name")), name) != 0) continue;
    const char *hex = json_string_value(json_object_get(v, "hex"));
    if (!*hex) {
      *len = 0;
      return malloc(1);
    }
    return test_hex_decode(hex, len);
  }
  fprintf(stderr, "%s: %s missing\n", list, name);
  test_failures++;
  return NULL;
}

/* nnrp-py's unpack is whole-packet, so the reference lists are replayed in exact mode. */
static int decode_as(const uint8_t *b, size_t n, uint32_t flags) {
  nnrp_decode_options o = {.flags = NNRP_DECODE_EXACT | flags};
  nnrp_packet p;
  return nnrp_packet_decode(&p, b, n, &o, NULL);
}

static void test_oracle_accepts(void) {
  for (size_t i = 0; i < sizeof(accepted_by_py) / sizeof(accepted_by_py[0]); i++) {
    size_t n;
    uint8_t *b = example("oracle_accepts", accepted_by_py[i].name, &n);
    if (!b) continue;
    int strict = decode_as(b, n, 0), pyc = decode_as(b, n, NNRP_DECODE_PY_COMPAT);
    if (strict != accepted_by_py[i].strict || pyc != 0) {
      fprintf(stderr, "%s: strict %s (want %s), PY_COMPAT %s (want OK)\n", accepted_by_py[i].name,
              nnrp_err_name(strict), nnrp_err_name(accepted_by_py[i].strict), nnrp_err_name(pyc));
      test_failures++;
    }
    free(b);
  }
}

static void test_reference_rejections(void) {
  for (size_t i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++) {
    size_t n;
    uint8_t *b = example("examples", rejected[i].name, &n);
    if (!b) continue;
    int strict = decode_as(b, n, 0), pyc = decode_as(b, n, NNRP_DECODE_PY_COMPAT);
    if (strict != rejected[i].strict || pyc != rejected[i].strict) {
      fprintf(stderr, "%s: strict %s, PY_COMPAT %s, want %s\n", rejected[i].name,
              nnrp_err_name(strict), nnrp_err_name(pyc), nnrp_err_name(rejected[i].strict));
      test_failures++;
    }
    free(b);
  }
}

/*
 * A 4-byte loss_tolerance payload is exactly nnrp-cs's encoding (value, then zeros).  nnrp-py
 * rejects it, and so do the strict and PY-compatible profiles; NNRP_DECODE_CS_DIALECT reads it
 * (wire-control §5.3.3, §14 D2).
 */
static void test_cs_loss_tolerance_dialect(void) {
  size_t n;
  uint8_t *b = example("examples", "client_hello.ext_loss_tolerance_short", &n);
  CHECK(b != NULL);
  if (!b) return;
  CHECK_RC(decode_as(b, n, NNRP_DECODE_EXACT), NNRP_ERR_EXT_LENGTH);
  CHECK_RC(decode_as(b, n, NNRP_DECODE_PY_COMPAT), NNRP_ERR_EXT_LENGTH);
  nnrp_decode_options cs = {.flags = NNRP_DECODE_EXACT | NNRP_DECODE_CS_DIALECT};
  nnrp_packet p;
  CHECK_RC(nnrp_packet_decode(&p, b, n, &cs, NULL), 0);
  CHECK_EQ(p.hello.present, NNRP_HELLO_HAS_LOSS_TOLERANCE);
  CHECK_EQ(p.hello.loss_tolerance.loss_tolerance, NNRP_LOSS_BEST_EFFORT);
  CHECK_EQ(p.hello.loss_tolerance.payload_len, 4);
  free(b);
}

int main(void) {
  json_error_t err;
  invalid = json_load_file(test_vector_path("invalid-examples.json"), 0, &err);
  if (!invalid) {
    fprintf(stderr, "cannot load invalid examples: %s\n", err.text);
    return 1;
  }
  RUN(test_byte_at_a_time);
  RUN(test_back_to_back);
  RUN(test_exact_mode);
  RUN(test_max_message_len);
  RUN(test_lenient_unknown_type);
  RUN(test_header_only_surplus);
  RUN(test_data_plane_dispatch);
  RUN(test_oracle_accepts);
  RUN(test_reference_rejections);
  RUN(test_cs_loss_tolerance_dialect);
  json_decref(invalid);
  return TEST_REPORT();
}
