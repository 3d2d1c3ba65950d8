/* Control extension TLVs (wire-control §5): block codec, iterator, standard payloads. */
#include <jansson.h>
#include <libnnrp/errors.h>
#include <libnnrp/wire.h>

#include "test.h"

static json_t *vectors;

static uint8_t *vec_hex(const char *name, size_t *len) {
  json_t *v;
  size_t i;
  json_array_foreach(json_object_get(vectors, "derived"), i, v) {
    if (strcmp(json_string_value(json_object_get(v, "name")), name) != 0) continue;
    uint8_t *b = test_hex_decode(json_string_value(json_object_get(v, "hex")), len);
    if (b) return b;
  }
  fprintf(stderr, "vector %s missing\n", name);
  exit(1);
}

/* Encode entries into buf; returns the length (0 on error, which is also checked). */
static size_t encode_block(const nnrp_ext_entry *e, size_t n, uint8_t *buf, size_t cap) {
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, cap);
  int rc = nnrp_ext_block_encode(e, n, &s);
  CHECK_RC(rc, 0);
  CHECK_EQ(s.len, nnrp_ext_block_len(e, n));
  return rc ? 0 : s.len;
}

/* The nnrp-py unit test block: (0x0001, "abc") then (0x4001, critical, "current"). */
static void test_block_roundtrip(void) {
  size_t n;
  uint8_t *v = vec_hex("derived.tlv.py_test_block_roundtrip", &n);
  const nnrp_ext_entry e[2] = {{0x0001, 0, {(const uint8_t *)"abc", 3}},
                               {0x4001, NNRP_EXT_FLAG_CRITICAL, {(const uint8_t *)"current", 7}}};
  uint8_t buf[64];
  size_t len = encode_block(e, 2, buf, sizeof(buf));
  CHECK_MEM(buf, len, v, n);
  CHECK_EQ(nnrp_ext_block_len(e, 2), 32);
  CHECK_EQ(nnrp_ext_block_len(NULL, 0), 0);

  /* Known set decides what a critical entry may be (§5.2). */
  nnrp_diag d = {0, 0};
  CHECK_RC(nnrp_ext_block_validate(v, n, NULL, 0, 0, &d), NNRP_ERR_EXT_UNKNOWN_CRITICAL);
  CHECK_EQ(d.offset, 16);
  static const uint16_t known[] = {0x4001};
  CHECK_RC(nnrp_ext_block_validate(v, n, known, 1, 0, NULL), 0);
  CHECK_RC(nnrp_ext_block_validate(v, 0, NULL, 0, 0, NULL), 0); /* empty block */

  nnrp_ext_iter it;
  nnrp_ext_entry got;
  nnrp_ext_iter_init(&it, v, n);
  CHECK_EQ(nnrp_ext_iter_next(&it, &got), 1);
  CHECK_EQ(got.ext_type, 0x0001);
  CHECK_EQ(got.ext_flags, 0);
  CHECK_MEM(got.payload.base, got.payload.len, "abc", 3);
  CHECK_EQ(nnrp_ext_iter_next(&it, &got), 1);
  CHECK_EQ(got.ext_type, 0x4001);
  CHECK_EQ(got.ext_flags, NNRP_EXT_FLAG_CRITICAL);
  CHECK_MEM(got.payload.base, got.payload.len, "current", 7);
  CHECK_EQ(nnrp_ext_iter_next(&it, &got), 0);
  CHECK_EQ(nnrp_ext_iter_next(&it, &got), 0);

  /* Empty payloads still make an 8-byte entry; vendor types keep all 16 bits (§14 D3). */
  const nnrp_ext_entry w[2] = {{0x8001, 0, {NULL, 0}}, {0xC0DE, 0, {(const uint8_t *)"x", 1}}};
  len = encode_block(w, 2, buf, sizeof(buf));
  static const uint8_t want[] = {0x01, 0x80, 0, 0, 0, 0, 0, 0, 0xDE, 0xC0, 0, 0,
                                 1,    0,    0, 0, 'x', 0, 0, 0, 0, 0, 0, 0};
  CHECK_MEM(buf, len, want, sizeof(want));
  CHECK_RC(nnrp_ext_block_validate(buf, len, NULL, 0, 0, NULL), 0);
  free(v);
}

static void test_block_encode_refusals(void) {
  uint8_t buf[64];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  nnrp_ext_entry e = {0x7001, 0x0004, {(const uint8_t *)"a", 1}};
  CHECK_RC(nnrp_ext_block_encode(&e, 1, &s), NNRP_ERR_EXT_FLAGS);
  e.ext_flags = 0;
  e.payload.len = (size_t)0x80000000u;
  CHECK_RC(nnrp_ext_block_encode(&e, 1, &s), NNRP_ERR_EXT_TOO_LARGE);
  e.payload = (nnrp_vec){NULL, 2};
  CHECK_RC(nnrp_ext_block_encode(&e, 1, &s), NNRP_ERR_INVALID_ARGUMENT);
  CHECK_EQ(s.total, 0);

  /* The block encoder checks structure only; a hello builder checks the standard payloads its
   * message knows (§5.2), so a decoded block always re-encodes. */
  static const uint8_t caps[8] = {0x80};
  e = (nnrp_ext_entry){NNRP_EXT_PAYLOAD_CAPABILITIES, 0, {caps, 8}};
  CHECK_RC(nnrp_ext_block_encode(&e, 1, &s), 0);
  CHECK_EQ(s.total, 16);
  uint8_t pkt[256];
  nnrp_packet_params pp = {0};
  nnrp_client_hello_meta ch = {.min_version_major = 1, .max_version_major = 1};
  nnrp_sink_init_buffer(&s, pkt, sizeof(pkt));
  CHECK_RC(nnrp_build_client_hello(&pp, &ch, &e, 1, (nnrp_vec){NULL, 0}, &s),
           NNRP_ERR_PAYLOAD_KIND_BITS);
  /* 0x0106 belongs to SERVER_HELLO_ACK: unknown here, so not interpreted. */
  e.ext_type = NNRP_EXT_PAYLOAD_CAPABILITIES_ACK;
  nnrp_sink_init_buffer(&s, pkt, sizeof(pkt));
  CHECK_RC(nnrp_build_client_hello(&pp, &ch, &e, 1, (nnrp_vec){NULL, 0}, &s), 0);
  nnrp_server_hello_ack_meta sha = {.selected_version_major = 1};
  nnrp_sink_init_buffer(&s, pkt, sizeof(pkt));
  CHECK_RC(nnrp_build_server_hello_ack(&pp, &sha, &e, 1, &s), NNRP_ERR_PAYLOAD_KIND_BITS);

  /* Sizes that cannot exist saturate instead of wrapping. */
  nnrp_ext_entry big[2] = {{1, 0, {NULL, SIZE_MAX - 3}}, {2, 0, {NULL, 0}}};
  CHECK(nnrp_ext_block_len(big, 2) == SIZE_MAX);
}

static void test_transport_policy(void) {
  size_t n;
  uint8_t *v = vec_hex("derived.tlv.client_transport_policy", &n);
  uint8_t payload[8], buf[32];
  nnrp_ext_entry e;
  nnrp_transport_policy_ext tp = {NNRP_TRANSPORT_POLICY_PREFER_TCP, 4, NNRP_TRANSPORT_TCP}, got;
  CHECK_RC(nnrp_ext_transport_policy_build(NNRP_EXT_TRANSPORT_POLICY, &tp, 0, payload, &e), 0);
  CHECK(e.payload.base == payload);
  CHECK_EQ(payload[1], 0); /* accepted_transport_policy is not part of 0x0101 */
  CHECK_MEM(buf, encode_block(&e, 1, buf, sizeof(buf)), v, n);
  CHECK_RC(nnrp_ext_transport_policy_parse(&e, &got), 0);
  CHECK_EQ(got.transport_policy, NNRP_TRANSPORT_POLICY_PREFER_TCP);
  CHECK_EQ(got.accepted_transport_policy, 0);
  CHECK_EQ(got.transport_id, NNRP_TRANSPORT_TCP);
  free(v);

  v = vec_hex("derived.tlv.server_transport_policy_ack", &n);
  tp = (nnrp_transport_policy_ext){NNRP_TRANSPORT_POLICY_PREFER_QUIC,
                                   NNRP_TRANSPORT_POLICY_FORCE_TCP, NNRP_TRANSPORT_TCP};
  CHECK_RC(nnrp_ext_transport_policy_build(NNRP_EXT_TRANSPORT_POLICY_ACK, &tp, 0, payload, &e),
           0);
  CHECK_MEM(buf, encode_block(&e, 1, buf, sizeof(buf)), v, n);
  CHECK_RC(nnrp_ext_transport_policy_parse(&e, &got), 0);
  CHECK_EQ(got.accepted_transport_policy, NNRP_TRANSPORT_POLICY_FORCE_TCP);
  free(v);

  /* Refusals, the same rules on both sides. */
  tp.transport_policy = 5;
  CHECK_RC(nnrp_ext_transport_policy_build(NNRP_EXT_TRANSPORT_POLICY, &tp, 0, payload, &e),
           NNRP_ERR_TRANSPORT_POLICY);
  tp.transport_policy = 0;
  tp.accepted_transport_policy = 5;
  CHECK_RC(nnrp_ext_transport_policy_build(NNRP_EXT_TRANSPORT_POLICY_ACK, &tp, 0, payload, &e),
           NNRP_ERR_TRANSPORT_POLICY);
  tp.accepted_transport_policy = 0;
  tp.transport_id = 3;
  CHECK_RC(nnrp_ext_transport_policy_build(NNRP_EXT_TRANSPORT_POLICY, &tp, 0, payload, &e),
           NNRP_ERR_TRANSPORT_ID);
  tp.transport_id = 0; /* "no preference" in a request; never an active transport (D8) */
  CHECK_RC(nnrp_ext_transport_policy_build(NNRP_EXT_TRANSPORT_POLICY, &tp, 1, payload, &e), 0);
  CHECK_EQ(e.ext_flags, NNRP_EXT_FLAG_CRITICAL);
  CHECK_RC(nnrp_ext_transport_policy_build(NNRP_EXT_TRANSPORT_POLICY_ACK, &tp, 0, payload, &e),
           NNRP_ERR_TRANSPORT_ID);
  CHECK_RC(nnrp_ext_transport_policy_build(NNRP_EXT_LOSS_TOLERANCE, &tp, 0, payload, &e),
           NNRP_ERR_EXT_TYPE);

  /* Typed accessors insist on their own type and length. */
  static const uint8_t raw[8] = {1, 0, 0, 0, 2, 0, 0, 0};
  nnrp_ext_entry other = {NNRP_EXT_PAYLOAD_CAPABILITIES, 0, {raw, 8}};
  CHECK_RC(nnrp_ext_transport_policy_parse(&other, &got), NNRP_ERR_EXT_TYPE);
  nnrp_ext_entry shortp = {NNRP_EXT_TRANSPORT_POLICY, 0, {raw, 4}};
  CHECK_RC(nnrp_ext_transport_policy_parse(&shortp, &got), NNRP_ERR_EXT_LENGTH);
}

static void test_loss_tolerance(void) {
  size_t n8, n4;
  uint8_t *py8 = vec_hex("derived.tlv.client_loss_tolerance.py_8byte", &n8);
  uint8_t *cs4 = vec_hex("derived.tlv.client_loss_tolerance.cs_4byte", &n4);
  uint8_t payload[8], buf[32];
  nnrp_ext_entry e;
  nnrp_loss_tolerance_ext lt = {NNRP_LOSS_LOW_LATENCY, 4}, got;
  /* Always the 8-byte form, whatever payload_len says. */
  CHECK_RC(nnrp_ext_loss_tolerance_build(NNRP_EXT_LOSS_TOLERANCE, &lt, 0, payload, &e), 0);
  CHECK_EQ(e.payload.len, 8);
  CHECK_MEM(buf, encode_block(&e, 1, buf, sizeof(buf)), py8, n8);

  nnrp_ext_entry parsed = {NNRP_EXT_LOSS_TOLERANCE, 0, {py8 + 8, 8}};
  CHECK_RC(nnrp_ext_loss_tolerance_parse(&parsed, &got), 0);
  CHECK_EQ(got.loss_tolerance, NNRP_LOSS_LOW_LATENCY);
  CHECK_EQ(got.payload_len, 8);
  parsed.payload = (nnrp_vec){cs4 + 8, 4};
  CHECK_RC(nnrp_ext_loss_tolerance_parse(&parsed, &got), 0);
  CHECK_EQ(got.loss_tolerance, NNRP_LOSS_LOW_LATENCY);
  CHECK_EQ(got.payload_len, 4);
  parsed.ext_type = NNRP_EXT_LOSS_TOLERANCE_ACK;
  CHECK_RC(nnrp_ext_loss_tolerance_parse(&parsed, &got), 0);
  CHECK_RC(nnrp_ext_block_validate(cs4, n4, (const uint16_t[]){NNRP_EXT_LOSS_TOLERANCE}, 1, 0,
                                   NULL),
           NNRP_ERR_EXT_LENGTH);
  CHECK_RC(nnrp_ext_block_validate(cs4, n4, (const uint16_t[]){NNRP_EXT_LOSS_TOLERANCE}, 1,
                                   NNRP_DECODE_CS_DIALECT, NULL),
           0);

  static const uint8_t reserved[8] = {1, 0, 0, 0, 0, 0, 1, 0};
  parsed.payload = (nnrp_vec){reserved, 8};
  CHECK_RC(nnrp_ext_loss_tolerance_parse(&parsed, &got), NNRP_ERR_EXT_RESERVED);
  parsed.payload = (nnrp_vec){reserved, 6};
  CHECK_RC(nnrp_ext_loss_tolerance_parse(&parsed, &got), NNRP_ERR_EXT_LENGTH);
  static const uint8_t four[4] = {4, 0, 0, 0};
  parsed.payload = (nnrp_vec){four, 4};
  CHECK_RC(nnrp_ext_loss_tolerance_parse(&parsed, &got), NNRP_ERR_LOSS_TOLERANCE);
  parsed.ext_type = NNRP_EXT_TRANSPORT_POLICY;
  CHECK_RC(nnrp_ext_loss_tolerance_parse(&parsed, &got), NNRP_ERR_EXT_TYPE);

  lt.loss_tolerance = NNRP_LOSS_INHERIT; /* a FRAME_SUBMIT value only (§3.6) */
  CHECK_RC(nnrp_ext_loss_tolerance_build(NNRP_EXT_LOSS_TOLERANCE_ACK, &lt, 0, payload, &e),
           NNRP_ERR_LOSS_TOLERANCE);
  lt.loss_tolerance = NNRP_LOSS_STRICT;
  CHECK_RC(nnrp_ext_loss_tolerance_build(NNRP_EXT_PAYLOAD_CAPABILITIES, &lt, 0, payload, &e),
           NNRP_ERR_EXT_TYPE);
  free(py8);
  free(cs4);
}

static void test_payload_caps(void) {
  size_t n;
  uint8_t *v = vec_hex("derived.tlv.client_payload_capabilities", &n);
  uint8_t payload[8], buf[32];
  nnrp_ext_entry e;
  nnrp_payload_caps_ext pc = {NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_TOKEN_CHUNK, 0}, got;
  CHECK_RC(nnrp_ext_payload_caps_build(NNRP_EXT_PAYLOAD_CAPABILITIES, &pc, 0, payload, &e), 0);
  CHECK_MEM(buf, encode_block(&e, 1, buf, sizeof(buf)), v, n);
  CHECK_RC(nnrp_ext_payload_caps_parse(&e, &got), 0);
  CHECK_EQ(got.payload_kind_bitmap, 0x3);
  CHECK_EQ(got.critical_extension_frame_bitmap, 0);

  pc.payload_kind_bitmap = 0x81;
  CHECK_RC(nnrp_ext_payload_caps_build(NNRP_EXT_PAYLOAD_CAPABILITIES, &pc, 0, payload, &e),
           NNRP_ERR_PAYLOAD_KIND_BITS);
  pc.payload_kind_bitmap = NNRP_PAYLOAD_KNOWN;
  pc.critical_extension_frame_bitmap = 1;
  CHECK_RC(nnrp_ext_payload_caps_build(NNRP_EXT_PAYLOAD_CAPABILITIES_ACK, &pc, 0, payload, &e),
           NNRP_ERR_CRITICAL_FRAME_BITMAP);
  CHECK_RC(nnrp_ext_payload_caps_build(NNRP_EXT_TRANSPORT_POLICY, &pc, 0, payload, &e),
           NNRP_ERR_EXT_TYPE);
  static const uint8_t crit[8] = {1, 0, 0, 0, 0, 0, 0, 0x80};
  nnrp_ext_entry bad = {NNRP_EXT_PAYLOAD_CAPABILITIES_ACK, 0, {crit, 8}};
  CHECK_RC(nnrp_ext_payload_caps_parse(&bad, &got), NNRP_ERR_CRITICAL_FRAME_BITMAP);
  bad.payload.len = 7;
  CHECK_RC(nnrp_ext_payload_caps_parse(&bad, &got), NNRP_ERR_EXT_LENGTH);
  free(v);
}

/* Block validation on its own: flags and the PY profile, offsets relative to the block. */
static void test_block_validate(void) {
  uint8_t blk[32] = {0};
  nnrp_diag d;
  blk[0] = 0x01;
  blk[1] = 0x70;
  blk[2] = 0x00;
  blk[3] = 0x80; /* ext_flags 0x8000 */
  CHECK_RC(nnrp_ext_block_validate(blk, 8, NULL, 0, 0, &d), NNRP_ERR_EXT_FLAGS);
  CHECK_EQ(d.offset, 2);
  CHECK_RC(nnrp_ext_block_validate(blk, 8, NULL, 0, NNRP_DECODE_PY_COMPAT, NULL), 0);
  blk[3] = 0;
  blk[4] = 9; /* 9-byte payload in a 16-byte block: padding runs out */
  CHECK_RC(nnrp_ext_block_validate(blk, 16, NULL, 0, 0, &d), NNRP_ERR_EXT_TRUNCATED_PAYLOAD);
  CHECK_RC(nnrp_ext_block_validate(blk, 17, NULL, 0, 0, &d), NNRP_ERR_EXT_TRUNCATED_PADDING);
  CHECK_RC(nnrp_ext_block_validate(blk, 24, NULL, 0, 0, &d), 0);
  CHECK_RC(nnrp_ext_block_validate(blk, 25, NULL, 0, 0, &d), NNRP_ERR_EXT_TRUNCATED_HEADER);
  CHECK_EQ(d.offset, 24);
}

int main(void) {
  json_error_t err;
  vectors = json_load_file(test_vector_path("wire-control-hex-vectors.json"), 0, &err);
  if (!vectors) {
    fprintf(stderr, "cannot load vectors: %s\n", err.text);
    return 1;
  }
  RUN(test_block_roundtrip);
  RUN(test_block_encode_refusals);
  RUN(test_transport_policy);
  RUN(test_loss_tolerance);
  RUN(test_payload_caps);
  RUN(test_block_validate);
  json_decref(vectors);
  return TEST_REPORT();
}
