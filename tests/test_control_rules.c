/*
 * Control-plane rules: one targeted corruption per rule of wire-control §5-§11, with the exact
 * error code and the diag offset (from the packet start), under the strict profile and under
 * NNRP_DECODE_PY_COMPAT; and the encoder-side refusals.
 */
#include <jansson.h>
#include <libnnrp/errors.h>
#include <libnnrp/wire.h>

#include "test.h"

static json_t *vectors;

static uint8_t *vec_hex(const char *name, size_t *len) {
  static const char *const groups[] = {"transcribed", "derived"};
  for (size_t g = 0; g < 2; g++) {
    json_t *v;
    size_t i;
    json_array_foreach(json_object_get(vectors, groups[g]), i, v) {
      if (strcmp(json_string_value(json_object_get(v, "name")), name) != 0) continue;
      uint8_t *b = test_hex_decode(json_string_value(json_object_get(v, "hex")), len);
      if (b) return b;
    }
  }
  fprintf(stderr, "vector %s missing\n", name);
  exit(1);
}

static uint8_t *vec_bin(const char *file, size_t *len) {
  uint8_t *b = test_read_file(test_vector_path(file), len);
  if (!b) {
    fprintf(stderr, "cannot read %s\n", file);
    exit(1);
  }
  return b;
}

static void put16(uint8_t *b, size_t off, uint16_t v) {
  b[off] = (uint8_t)v;
  b[off + 1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *b, size_t off, uint32_t v) {
  for (int i = 0; i < 4; i++) b[off + i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *b, size_t off, uint64_t v) {
  for (int i = 0; i < 8; i++) b[off + i] = (uint8_t)(v >> (8 * i));
}

static const nnrp_decode_options py = {.flags = NNRP_DECODE_PY_COMPAT};

/* Strict decode must fail with `err` at `at`; PY_COMPAT must return `py_rc`. */
static void expect_at(const uint8_t *b, size_t n, int err, size_t at, int py_rc, int line) {
  nnrp_packet p;
  nnrp_diag d = {0, 0};
  int rc = nnrp_packet_decode(&p, b, n, NULL, &d);
  if (rc != err || (err && d.offset != at) || (err && d.error != err)) {
    fprintf(stderr, "line %d: strict gave %s at %zu, expected %s at %zu\n", line,
            nnrp_err_name(rc), d.offset, nnrp_err_name(err), at);
    test_failures++;
  }
  rc = nnrp_packet_decode(&p, b, n, &py, NULL);
  if (rc != py_rc) {
    fprintf(stderr, "line %d: PY_COMPAT gave %s, expected %s\n", line, nnrp_err_name(rc),
            nnrp_err_name(py_rc));
    test_failures++;
  }
}
#define EXPECT(b, n, err, at, py_rc) expect_at(b, n, err, at, py_rc, __LINE__)

/* A copy of a packet with `extra` more body bytes (zero) and body_len adjusted. */
static uint8_t *grow_body(const uint8_t *b, size_t n, size_t extra, size_t *out_len) {
  uint8_t *c = calloc(1, n + extra);
  memcpy(c, b, n);
  uint32_t body = (uint32_t)(b[16] | b[17] << 8 | b[18] << 16 | (uint32_t)b[19] << 24);
  put32(c, 16, body + (uint32_t)extra);
  *out_len = n + extra;
  return c;
}

/* CLIENT_HELLO (metadata of the derived vector) whose body is `block` followed by `auth`. */
static size_t client_hello_with(uint8_t *out, size_t cap, const void *block, size_t blen,
                                const char *auth, uint32_t ext_bytes, uint32_t auth_bytes) {
  nnrp_client_hello_meta m = {1, 1, 1, 1, 1, 3, 3, 0x1F, 3, 1, 7, 1, 1,
                              16, 1048576, 6000, 50, 2, 0, 1, auth_bytes, ext_bytes};
  uint8_t meta[64], body[256];
  nnrp_client_hello_meta_encode(&m, meta);
  size_t alen = auth ? strlen(auth) : 0;
  memcpy(body, block, blen);
  if (alen) memcpy(body + blen, auth, alen);
  nnrp_header h = {.version_major = 1, .msg_type = NNRP_MSG_CLIENT_HELLO, .header_len = 40,
                   .flags = NNRP_FLAG_ACK_REQUIRED, .meta_len = 64,
                   .body_len = (uint32_t)(blen + alen)};
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, out, cap);
  if (nnrp_packet_encode_raw(&h, (nnrp_vec){meta, 64}, (nnrp_vec){body, blen + alen}, &s))
    return 0;
  return s.len;
}

static size_t server_hello_ack_with(uint8_t *out, size_t cap, const void *body, size_t blen,
                                    uint32_t ext_bytes) {
  nnrp_server_hello_ack_meta m = {.selected_version_major = 1, .session_id = 42,
                                  .accepted_profile_bitmap = 1,
                                  .accepted_payload_kind_bitmap = 1,
                                  .control_extension_bytes = ext_bytes};
  uint8_t meta[80];
  nnrp_server_hello_ack_meta_encode(&m, meta);
  nnrp_header h = {.version_major = 1, .msg_type = NNRP_MSG_SERVER_HELLO_ACK, .header_len = 40,
                   .meta_len = 80, .body_len = (uint32_t)blen, .session_id = 42};
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, out, cap);
  if (nnrp_packet_encode_raw(&h, (nnrp_vec){meta, 80}, (nnrp_vec){body, blen}, &s)) return 0;
  return s.len;
}

#define CH_BODY 104u  /* body offset of a CLIENT_HELLO */
#define SHA_BODY 120u /* body offset of a SERVER_HELLO_ACK */

/* ---- hellos and extension blocks -------------------------------------------------------- */

static void test_client_hello_lengths(void) {
  size_t n;
  uint8_t *v = vec_hex("derived.packet.client_hello_with_ext_and_auth", &n);
  uint8_t *b = malloc(n);

  memcpy(b, v, n);
  put32(b, 40 + 56, 22); /* auth_bytes > body_len */
  EXPECT(b, n, NNRP_ERR_HELLO_AUTH_LEN, CH_BODY, 0);
  memcpy(b, v, n);
  put32(b, 40 + 56, 4); /* 16 + 4 != 21 */
  EXPECT(b, n, NNRP_ERR_HELLO_BODY_LEN, CH_BODY, 0);

  /* nnrp-py: the auth block is the last auth_bytes bytes of the body. */
  nnrp_packet p;
  CHECK_RC(nnrp_packet_decode(&p, b, n, &py, NULL), 0);
  CHECK_MEM(p.hello.auth.base, p.hello.auth.len, "odel", 4);

  /* oracle_accepts: control_extension_bytes 16 with an empty body; auth_bytes 5, 3 bytes. */
  uint8_t pkt[256];
  size_t len = client_hello_with(pkt, sizeof(pkt), "", 0, NULL, 16, 0);
  EXPECT(pkt, len, NNRP_ERR_HELLO_BODY_LEN, CH_BODY, 0);
  CHECK_RC(nnrp_packet_decode(&p, pkt, len, &py, NULL), 0);
  CHECK_EQ(p.hello.extensions.len, 0);
  len = client_hello_with(pkt, sizeof(pkt), "", 0, "abc", 0, 5);
  EXPECT(pkt, len, NNRP_ERR_HELLO_AUTH_LEN, CH_BODY, 0);
  CHECK_RC(nnrp_packet_decode(&p, pkt, len, &py, NULL), 0);
  CHECK_EQ(p.hello.auth.len, 3);

  /* Metadata payload kind bits (D20): strict rejects, PY keeps. */
  memcpy(b, v, n);
  put32(b, 40 + 8, 0x81);
  EXPECT(b, n, NNRP_ERR_PAYLOAD_KIND_BITS, 48, 0);
  free(b);
  free(v);
}

static void test_client_hello_extensions(void) {
  size_t n;
  uint8_t *v = vec_hex("derived.packet.client_hello_with_ext_and_auth", &n);
  uint8_t *b = malloc(n);
  nnrp_packet p;

  memcpy(b, v, n);
  put16(b, CH_BODY + 2, 0x0002); /* unknown ext_flags bit (oracle_accepts uses 0x8000) */
  EXPECT(b, n, NNRP_ERR_EXT_FLAGS, CH_BODY + 2, 0);
  put16(b, CH_BODY + 2, 0x8000);
  EXPECT(b, n, NNRP_ERR_EXT_FLAGS, CH_BODY + 2, 0);
  CHECK_RC(nnrp_packet_decode(&p, b, n, &py, NULL), 0);
  CHECK_EQ(p.hello.present, NNRP_HELLO_HAS_TRANSPORT_POLICY);

  memcpy(b, v, n);
  put16(b, CH_BODY, 0x7001);
  put16(b, CH_BODY + 2, NNRP_EXT_FLAG_CRITICAL);
  EXPECT(b, n, NNRP_ERR_EXT_UNKNOWN_CRITICAL, CH_BODY, NNRP_ERR_EXT_UNKNOWN_CRITICAL);
  put16(b, CH_BODY + 2, 0); /* not critical: skipped, still counted */
  EXPECT(b, n, 0, 0, 0);
  CHECK_RC(nnrp_packet_decode(&p, b, n, NULL, NULL), 0);
  CHECK_EQ(p.hello.extension_count, 1);
  CHECK_EQ(p.hello.present, 0);

  /* The other hello's standard type is unknown here (§5.2). */
  memcpy(b, v, n);
  put16(b, CH_BODY, NNRP_EXT_TRANSPORT_POLICY_ACK);
  put16(b, CH_BODY + 2, NNRP_EXT_FLAG_CRITICAL);
  EXPECT(b, n, NNRP_ERR_EXT_UNKNOWN_CRITICAL, CH_BODY, NNRP_ERR_EXT_UNKNOWN_CRITICAL);
  put16(b, CH_BODY + 2, 0);
  b[CH_BODY + 8 + 1] = 9; /* malformed but unknown here, so never parsed */
  EXPECT(b, n, 0, 0, 0);

  memcpy(b, v, n);
  b[CH_BODY + 8] = 5;
  EXPECT(b, n, NNRP_ERR_TRANSPORT_POLICY, CH_BODY + 8, NNRP_ERR_TRANSPORT_POLICY);
  memcpy(b, v, n);
  b[CH_BODY + 12] = 3;
  EXPECT(b, n, NNRP_ERR_TRANSPORT_ID, CH_BODY + 12, NNRP_ERR_TRANSPORT_ID);
  memcpy(b, v, n);
  b[CH_BODY + 9] = 7; /* reserved byte 1 of 0x0101: ignored by every reader */
  b[CH_BODY + 10] = 7;
  EXPECT(b, n, 0, 0, 0);
  memcpy(b, v, n);
  put32(b, CH_BODY + 4, 7); /* the eighth payload byte (zero) becomes padding */
  EXPECT(b, n, NNRP_ERR_EXT_LENGTH, CH_BODY + 8, NNRP_ERR_EXT_LENGTH);
  free(b);
  free(v);
}

/* Crafted blocks inside a CLIENT_HELLO. */
static void test_extension_block_rules(void) {
  uint8_t pkt[256];
  size_t len;
  nnrp_packet p;

  static const uint8_t trunc_header[] = {0x01, 0x01, 0, 0};
  len = client_hello_with(pkt, sizeof(pkt), trunc_header, 4, NULL, 4, 0);
  EXPECT(pkt, len, NNRP_ERR_EXT_TRUNCATED_HEADER, CH_BODY, NNRP_ERR_EXT_TRUNCATED_HEADER);

  uint8_t blk[64] = {0};
  put16(blk, 0, 0x0101);
  put32(blk, 4, 16); /* 16-byte payload, 8 present */
  len = client_hello_with(pkt, sizeof(pkt), blk, 16, NULL, 16, 0);
  EXPECT(pkt, len, NNRP_ERR_EXT_TRUNCATED_PAYLOAD, CH_BODY + 4, NNRP_ERR_EXT_TRUNCATED_PAYLOAD);

  memset(blk, 0, sizeof(blk));
  put16(blk, 0, 0x7001);
  put32(blk, 4, 3);
  memcpy(blk + 8, "abc", 3);
  len = client_hello_with(pkt, sizeof(pkt), blk, 13, NULL, 13, 0); /* 2 of 5 padding bytes */
  EXPECT(pkt, len, NNRP_ERR_EXT_TRUNCATED_PADDING, CH_BODY + 4, NNRP_ERR_EXT_TRUNCATED_PADDING);
  blk[13] = 1;
  len = client_hello_with(pkt, sizeof(pkt), blk, 16, NULL, 16, 0);
  EXPECT(pkt, len, NNRP_ERR_EXT_PADDING, CH_BODY + 13, NNRP_ERR_EXT_PADDING);
  blk[13] = 0;
  blk[15] = 1;
  len = client_hello_with(pkt, sizeof(pkt), blk, 16, NULL, 16, 0);
  EXPECT(pkt, len, NNRP_ERR_EXT_PADDING, CH_BODY + 15, NNRP_ERR_EXT_PADDING);

  memset(blk, 0, sizeof(blk));
  put16(blk, 0, 0x7001);
  put32(blk, 4, 0x80000000u);
  len = client_hello_with(pkt, sizeof(pkt), blk, 16, NULL, 16, 0);
  EXPECT(pkt, len, NNRP_ERR_EXT_TOO_LARGE, CH_BODY + 4, NNRP_ERR_EXT_TOO_LARGE);
  put32(blk, 4, 0xFFFFFFF9u); /* align8 would wrap in 32 bits */
  len = client_hello_with(pkt, sizeof(pkt), blk, 16, NULL, 16, 0);
  EXPECT(pkt, len, NNRP_ERR_EXT_TOO_LARGE, CH_BODY + 4, NNRP_ERR_EXT_TOO_LARGE);

  /* Structure is checked over the whole block before any payload (two passes, as nnrp-py). */
  memset(blk, 0, sizeof(blk));
  put16(blk, 0, NNRP_EXT_PAYLOAD_CAPABILITIES);
  put32(blk, 4, 8);
  put32(blk, 8, 0x80); /* bad payload ... */
  blk[16] = 0x01;      /* ... then a truncated header */
  len = client_hello_with(pkt, sizeof(pkt), blk, 20, NULL, 20, 0);
  EXPECT(pkt, len, NNRP_ERR_EXT_TRUNCATED_HEADER, CH_BODY + 16, NNRP_ERR_EXT_TRUNCATED_HEADER);
  len = client_hello_with(pkt, sizeof(pkt), blk, 16, NULL, 16, 0);
  EXPECT(pkt, len, NNRP_ERR_PAYLOAD_KIND_BITS, CH_BODY + 8, NNRP_ERR_PAYLOAD_KIND_BITS);
  put32(blk, 8, 0x03);
  put32(blk, 12, 1);
  len = client_hello_with(pkt, sizeof(pkt), blk, 16, NULL, 16, 0);
  EXPECT(pkt, len, NNRP_ERR_CRITICAL_FRAME_BITMAP, CH_BODY + 12, NNRP_ERR_CRITICAL_FRAME_BITMAP);
  put32(blk, 4, 4);
  len = client_hello_with(pkt, sizeof(pkt), blk, 16, NULL, 16, 0);
  EXPECT(pkt, len, NNRP_ERR_EXT_PADDING, CH_BODY + 12, NNRP_ERR_EXT_PADDING);
  put32(blk, 12, 0);
  len = client_hello_with(pkt, sizeof(pkt), blk, 16, NULL, 16, 0);
  EXPECT(pkt, len, NNRP_ERR_EXT_LENGTH, CH_BODY + 8, NNRP_ERR_EXT_LENGTH);

  /* Loss tolerance: 8 bytes (nnrp-py) and the 4-byte nnrp-cs dialect, both read. */
  size_t n;
  uint8_t *py8 = vec_hex("derived.tlv.client_loss_tolerance.py_8byte", &n);
  len = client_hello_with(pkt, sizeof(pkt), py8, n, NULL, 16, 0);
  EXPECT(pkt, len, 0, 0, 0);
  CHECK_RC(nnrp_packet_decode(&p, pkt, len, NULL, NULL), 0);
  CHECK_EQ(p.hello.present, NNRP_HELLO_HAS_LOSS_TOLERANCE);
  CHECK_EQ(p.hello.loss_tolerance.loss_tolerance, NNRP_LOSS_LOW_LATENCY);
  CHECK_EQ(p.hello.loss_tolerance.payload_len, 8);
  uint8_t *cs4 = vec_hex("derived.tlv.client_loss_tolerance.cs_4byte", &n);
  /* nnrp-cs's 4-byte form: refused by both reference profiles, read under CS_DIALECT. */
  const nnrp_decode_options cs = {.flags = NNRP_DECODE_CS_DIALECT};
  len = client_hello_with(pkt, sizeof(pkt), cs4, n, NULL, 16, 0);
  EXPECT(pkt, len, NNRP_ERR_EXT_LENGTH, CH_BODY + 8, NNRP_ERR_EXT_LENGTH);
  CHECK_RC(nnrp_packet_decode(&p, pkt, len, &cs, NULL), 0);
  CHECK_EQ(p.hello.loss_tolerance.loss_tolerance, NNRP_LOSS_LOW_LATENCY);
  CHECK_EQ(p.hello.loss_tolerance.payload_len, 4);
  memcpy(blk, cs4, 16);
  blk[10] = 1; /* inside the 4-byte payload */
  len = client_hello_with(pkt, sizeof(pkt), blk, 16, NULL, 16, 0);
  nnrp_diag d = {0, 0};
  CHECK_RC(nnrp_packet_decode(&p, pkt, len, &cs, &d), NNRP_ERR_EXT_RESERVED);
  CHECK_EQ(d.offset, CH_BODY + 10);
  blk[10] = 0;
  blk[12] = 1; /* padding of the 4-byte payload */
  len = client_hello_with(pkt, sizeof(pkt), blk, 16, NULL, 16, 0);
  EXPECT(pkt, len, NNRP_ERR_EXT_PADDING, CH_BODY + 12, NNRP_ERR_EXT_PADDING);
  memcpy(blk, py8, 16);
  blk[15] = 1;
  len = client_hello_with(pkt, sizeof(pkt), blk, 16, NULL, 16, 0);
  EXPECT(pkt, len, NNRP_ERR_EXT_RESERVED, CH_BODY + 15, NNRP_ERR_EXT_RESERVED);
  blk[15] = 0;
  blk[8] = 4;
  len = client_hello_with(pkt, sizeof(pkt), blk, 16, NULL, 16, 0);
  EXPECT(pkt, len, NNRP_ERR_LOSS_TOLERANCE, CH_BODY + 8, NNRP_ERR_LOSS_TOLERANCE);
  put32(blk, 4, 6);
  blk[8] = 1;
  len = client_hello_with(pkt, sizeof(pkt), blk, 16, NULL, 16, 0);
  EXPECT(pkt, len, NNRP_ERR_EXT_LENGTH, CH_BODY + 8, NNRP_ERR_EXT_LENGTH);

  /* Duplicates are kept; the first of each type wins; unknown entries are counted. */
  uint8_t *tp = vec_hex("derived.tlv.client_transport_policy", &n);
  uint8_t *caps = vec_hex("derived.tlv.client_payload_capabilities", &n);
  memcpy(blk, tp, 16);
  memcpy(blk + 16, py8, 16);
  memcpy(blk + 32, tp, 16);
  blk[40] = NNRP_TRANSPORT_POLICY_FORCE_QUIC;
  memcpy(blk + 48, caps, 16);
  len = client_hello_with(pkt, sizeof(pkt), blk, 64, "tok", 64, 3);
  EXPECT(pkt, len, 0, 0, 0);
  CHECK_RC(nnrp_packet_decode(&p, pkt, len, NULL, NULL), 0);
  CHECK_EQ(p.hello.extension_count, 4);
  CHECK_EQ(p.hello.present, NNRP_HELLO_HAS_TRANSPORT_POLICY | NNRP_HELLO_HAS_LOSS_TOLERANCE |
                                NNRP_HELLO_HAS_PAYLOAD_CAPS);
  CHECK_EQ(p.hello.transport_policy.transport_policy, NNRP_TRANSPORT_POLICY_PREFER_TCP);
  CHECK_EQ(p.hello.transport_policy.transport_id, NNRP_TRANSPORT_TCP);
  CHECK_EQ(p.hello.payload_caps.payload_kind_bitmap, 0x3);
  CHECK_MEM(p.hello.auth.base, p.hello.auth.len, "tok", 3);
  free(py8);
  free(cs4);
  free(tp);
  free(caps);
}

static void test_server_hello_ack_rules(void) {
  uint8_t pkt[256];
  size_t len, n;
  nnrp_packet p;

  /* oracle_accepts: a 1-byte body with control_extension_bytes 0 (the D21 server module). */
  len = server_hello_ack_with(pkt, sizeof(pkt), "m", 1, 0);
  EXPECT(pkt, len, NNRP_ERR_ACK_BODY_LEN, SHA_BODY, 0);
  CHECK_RC(nnrp_packet_decode(&p, pkt, len, &py, NULL), 0);
  CHECK_EQ(p.hello.extensions.len, 0);
  CHECK_EQ(p.body.len, 1);

  uint8_t *ack = vec_hex("derived.tlv.server_transport_policy_ack", &n);
  len = server_hello_ack_with(pkt, sizeof(pkt), ack, n, 16);
  EXPECT(pkt, len, 0, 0, 0);
  CHECK_RC(nnrp_packet_decode(&p, pkt, len, NULL, NULL), 0);
  CHECK_EQ(p.hello.present, NNRP_HELLO_HAS_TRANSPORT_POLICY);
  CHECK_EQ(p.hello.transport_policy.transport_policy, NNRP_TRANSPORT_POLICY_PREFER_QUIC);
  CHECK_EQ(p.hello.transport_policy.accepted_transport_policy, NNRP_TRANSPORT_POLICY_FORCE_TCP);
  CHECK_EQ(p.hello.transport_policy.transport_id, NNRP_TRANSPORT_TCP);

  uint8_t blk[32];
  memcpy(blk, ack, 16);
  blk[9] = 7;
  len = server_hello_ack_with(pkt, sizeof(pkt), blk, 16, 16);
  EXPECT(pkt, len, NNRP_ERR_TRANSPORT_POLICY, SHA_BODY + 9, NNRP_ERR_TRANSPORT_POLICY);
  memcpy(blk, ack, 16);
  blk[12] = 9;
  len = server_hello_ack_with(pkt, sizeof(pkt), blk, 16, 16);
  EXPECT(pkt, len, NNRP_ERR_TRANSPORT_ID, SHA_BODY + 12, NNRP_ERR_TRANSPORT_ID);
  blk[12] = 0; /* active_transport_id 0 is tolerated on receive (D8) */
  len = server_hello_ack_with(pkt, sizeof(pkt), blk, 16, 16);
  EXPECT(pkt, len, 0, 0, 0);

  /* 0x0101 is a CLIENT_HELLO type: unknown in an ACK. */
  memcpy(blk, ack, 16);
  put16(blk, 0, NNRP_EXT_TRANSPORT_POLICY);
  put16(blk, 2, NNRP_EXT_FLAG_CRITICAL);
  len = server_hello_ack_with(pkt, sizeof(pkt), blk, 16, 16);
  EXPECT(pkt, len, NNRP_ERR_EXT_UNKNOWN_CRITICAL, SHA_BODY, NNRP_ERR_EXT_UNKNOWN_CRITICAL);

  /* 0x0104 and 0x0106. */
  memset(blk, 0, sizeof(blk));
  put16(blk, 0, NNRP_EXT_LOSS_TOLERANCE_ACK);
  put32(blk, 4, 8);
  blk[8] = NNRP_LOSS_STRICT;
  put16(blk, 16, NNRP_EXT_PAYLOAD_CAPABILITIES_ACK);
  put16(blk, 18, NNRP_EXT_FLAG_CRITICAL);
  put32(blk, 20, 8);
  put32(blk, 24, NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_TOOL_DELTA);
  len = server_hello_ack_with(pkt, sizeof(pkt), blk, 32, 32);
  EXPECT(pkt, len, 0, 0, 0);
  CHECK_RC(nnrp_packet_decode(&p, pkt, len, NULL, NULL), 0);
  CHECK_EQ(p.hello.present, NNRP_HELLO_HAS_LOSS_TOLERANCE | NNRP_HELLO_HAS_PAYLOAD_CAPS);
  CHECK_EQ(p.hello.loss_tolerance.loss_tolerance, NNRP_LOSS_STRICT);
  CHECK_EQ(p.hello.payload_caps.payload_kind_bitmap, 0x21);
  put32(blk, 28, 2);
  len = server_hello_ack_with(pkt, sizeof(pkt), blk, 32, 32);
  EXPECT(pkt, len, NNRP_ERR_CRITICAL_FRAME_BITMAP, SHA_BODY + 28, NNRP_ERR_CRITICAL_FRAME_BITMAP);

  /* Metadata: payload kind bits (D20); reserved0 is nobody's business on receive. */
  uint8_t *bin = vec_bin("server_hello_ack.bin", &n);
  bin[40 + 12] = 0x80;
  EXPECT(bin, n, NNRP_ERR_PAYLOAD_KIND_BITS, 52, 0);
  bin[40 + 12] = 0x01;
  bin[40 + 3] = 0x5A;
  EXPECT(bin, n, 0, 0, 0);
  free(bin);
  free(ack);
}

/* ---- session patch --------------------------------------------------------------------------- */

static void test_session_patch_rules(void) {
  size_t n, m;
  uint8_t *v = vec_bin("session_patch.bin", &n);
  uint8_t *b = malloc(n);

  memcpy(b, v, n);
  put16(b, 42, 1); /* reserved0: nnrp-cs rejects, nnrp-py keeps */
  EXPECT(b, n, NNRP_ERR_PATCH_RESERVED, 42, 0);
  memcpy(b, v, n);
  put32(b, 72, 8);
  EXPECT(b, n, NNRP_ERR_PATCH_BYTES, 72, NNRP_ERR_PATCH_BYTES);
  memcpy(b, v, n);
  put32(b, 72, 0); /* no block declared, 16 bytes present */
  EXPECT(b, n, NNRP_ERR_PATCH_BODY_LEN, 76, NNRP_ERR_PATCH_BODY_LEN);
  uint8_t *g = grow_body(v, n, 1, &m); /* block plus a trailing byte */
  EXPECT(g, m, NNRP_ERR_PATCH_BODY_LEN, 76, NNRP_ERR_PATCH_BODY_LEN);
  free(g);
  memcpy(b, v, n);
  put32(b, 16, 0); /* block declared, body empty */
  EXPECT(b, 76, NNRP_ERR_PATCH_BODY_LEN, 76, NNRP_ERR_PATCH_BODY_LEN);
  free(b);
  free(v);

  v = vec_bin("session_patch_ack.bin", &n);
  b = malloc(n);
  memcpy(b, v, n);
  put16(b, 40, 3);
  EXPECT(b, n, NNRP_ERR_PATCH_ACK_STATUS, 40, NNRP_ERR_PATCH_ACK_STATUS);
  memcpy(b, v, n);
  put16(b, 42, 6);
  EXPECT(b, n, NNRP_ERR_PATCH_REJECT_REASON, 42, NNRP_ERR_PATCH_REJECT_REASON);
  memcpy(b, v, n);
  put32(b, 84, 12);
  EXPECT(b, n, NNRP_ERR_PATCH_BYTES, 84, NNRP_ERR_PATCH_BYTES);
  memcpy(b, v, n);
  put16(b, 58, 9); /* reserved0 of the ack: not validated by either SDK */
  EXPECT(b, n, 0, 0, 0);
  free(b);
  free(v);
}

/* ---- ERROR, cache ------------------------------------------------------------------------ */

static void test_error_and_cache_rules(void) {
  size_t n, m;
  uint8_t *v = vec_bin("error.bin", &n);
  uint8_t *b = malloc(n + 8);
  memcpy(b, v, n);
  put32(b, 44, 3);
  EXPECT(b, n, NNRP_ERR_ERROR_SCOPE, 44, NNRP_ERR_ERROR_SCOPE);
  uint8_t *g = grow_body(v, n, 1, &m);
  put32(g, 68, 2); /* oracle_accepts: diagnostic_bytes 2 with a 1-byte body */
  EXPECT(g, m, NNRP_ERR_ERROR_DIAG_LEN, 72, 0);
  free(g);
  free(b);
  free(v);

  v = vec_bin("cache_put.bin", &n);
  b = malloc(n);
  memcpy(b, v, n);
  put32(b, 52, 0);
  EXPECT(b, n, NNRP_ERR_CACHE_OBJECT_KIND, 52, NNRP_ERR_CACHE_OBJECT_KIND);
  put32(b, 52, 10);
  EXPECT(b, n, NNRP_ERR_CACHE_OBJECT_KIND, 52, NNRP_ERR_CACHE_OBJECT_KIND);
  memcpy(b, v, n);
  put32(b, 68, 0x4); /* oracle_accepts: unknown CachePutFlags bit */
  EXPECT(b, n, NNRP_ERR_CACHE_PUT_FLAGS, 68, 0);
  memcpy(b, v, n);
  put32(b, 60, 2); /* object_bytes 2, body 3 */
  EXPECT(b, n, NNRP_ERR_CACHE_OBJECT_LEN, 72, 0);
  free(b);
  free(v);

  v = vec_bin("cache_ack.bin", &n);
  b = malloc(n);
  memcpy(b, v, n);
  put32(b, 52, 3);
  EXPECT(b, n, NNRP_ERR_CACHE_ACK_STATUS, 52, NNRP_ERR_CACHE_ACK_STATUS);
  g = grow_body(v, n, 2, &m);
  EXPECT(g, m, NNRP_ERR_BODY_NOT_EMPTY, 68, NNRP_ERR_BODY_NOT_EMPTY);
  free(g);
  memcpy(b, v, n);
  put32(b, 12, 27); /* meta_len one short; the packet still frames */
  put32(b, 16, 1);
  EXPECT(b, n, NNRP_ERR_META_LEN, 12, NNRP_ERR_META_LEN);
  free(b);
  free(v);

  v = vec_bin("cache_invalidate.bin", &n);
  b = malloc(n);
  memcpy(b, v, n);
  put32(b, 40, 4);
  EXPECT(b, n, NNRP_ERR_CACHE_SCOPE, 40, NNRP_ERR_CACHE_SCOPE);
  g = grow_body(v, n, 1, &m);
  EXPECT(g, m, NNRP_ERR_BODY_NOT_EMPTY, 60, NNRP_ERR_BODY_NOT_EMPTY);
  free(g);
  free(b);
  free(v);
}

/* ---- FLOW_UPDATE rules 1-9, RESULT_HINT ------------------------------------------------------ */

static void test_flow_update_rules(void) {
  size_t n, m;
  uint8_t *v = vec_hex("current.packet.flow_update", &n); /* session scope, session 21 */
  uint8_t *b = malloc(n);
#define FLOW_CASE(off, byte, err, at, py_rc) \
  memcpy(b, v, n);                           \
  b[off] = byte;                             \
  EXPECT(b, n, err, at, py_rc)
  FLOW_CASE(40, 3, NNRP_ERR_FLOW_SCOPE, 40, NNRP_ERR_FLOW_SCOPE);
  FLOW_CASE(41, 5, NNRP_ERR_FLOW_REASON, 41, NNRP_ERR_FLOW_REASON);
  FLOW_CASE(42, 3, NNRP_ERR_FLOW_BACKPRESSURE, 42, NNRP_ERR_FLOW_BACKPRESSURE);
  FLOW_CASE(68, 0x13, NNRP_ERR_FLOW_FLAGS, 68, NNRP_ERR_FLOW_FLAGS);
  FLOW_CASE(71, 0x80, NNRP_ERR_FLOW_FLAGS, 68, NNRP_ERR_FLOW_FLAGS);
  FLOW_CASE(68, 0x01, NNRP_ERR_FLOW_RETRY_AFTER, 60, NNRP_ERR_FLOW_RETRY_AFTER);
  FLOW_CASE(44, 1, NNRP_ERR_FLOW_SCOPE_FIELDS, 44, NNRP_ERR_FLOW_SCOPE_FIELDS);
  FLOW_CASE(48, 1, NNRP_ERR_FLOW_SCOPE_FIELDS, 48, NNRP_ERR_FLOW_SCOPE_FIELDS);
  FLOW_CASE(59, 1, NNRP_ERR_FLOW_SCOPE_FIELDS, 52, NNRP_ERR_FLOW_SCOPE_FIELDS);
  FLOW_CASE(43, 1, NNRP_ERR_FLOW_RESERVED, 43, 0); /* rule 9: nnrp-py ignores */
  FLOW_CASE(51, 1, NNRP_ERR_FLOW_RESERVED, 50, 0);
  FLOW_CASE(20, 0, NNRP_ERR_FLOW_SESSION_BINDING, 20, 0); /* rule 7, session scope, id 0 */
  uint8_t *g = grow_body(v, n, 1, &m);                    /* rule 8 */
  EXPECT(g, m, NNRP_ERR_BODY_NOT_EMPTY, 72, NNRP_ERR_BODY_NOT_EMPTY);
  free(g);
  free(v);

  v = vec_hex("derived.packet.flow_update_connection_grant", &n);
  FLOW_CASE(46, 1, NNRP_ERR_FLOW_SCOPE_FIELDS, 46, NNRP_ERR_FLOW_SCOPE_FIELDS);
  FLOW_CASE(48, 1, NNRP_ERR_FLOW_SCOPE_FIELDS, 48, NNRP_ERR_FLOW_SCOPE_FIELDS);
  FLOW_CASE(52, 1, NNRP_ERR_FLOW_SCOPE_FIELDS, 52, NNRP_ERR_FLOW_SCOPE_FIELDS);
  /* oracle_accepts: connection scope with header session_id 21. */
  FLOW_CASE(20, 21, NNRP_ERR_FLOW_SESSION_BINDING, 20, 0);
  free(v);

  v = vec_hex("derived.packet.flow_update_operation_grant", &n);
  memcpy(b, v, n);
  put64(b, 52, 0);
  EXPECT(b, n, NNRP_ERR_FLOW_SCOPE_FIELDS, 52, NNRP_ERR_FLOW_SCOPE_FIELDS);
  FLOW_CASE(44, 1, NNRP_ERR_FLOW_SCOPE_FIELDS, 44, NNRP_ERR_FLOW_SCOPE_FIELDS);
  FLOW_CASE(46, 1, NNRP_ERR_FLOW_SCOPE_FIELDS, 46, NNRP_ERR_FLOW_SCOPE_FIELDS);
  FLOW_CASE(20, 0, NNRP_ERR_FLOW_SESSION_BINDING, 20, 0);
  /* background_only with drain_in_flight_only: allowed by every validator (§14). */
  FLOW_CASE(68, 0x0D, 0, 0, 0);
#undef FLOW_CASE
  free(b);
  free(v);

  v = vec_hex("current.packet.result_hint", &n);
  b = malloc(n);
  memcpy(b, v, n);
  put32(b, 40, 5);
  EXPECT(b, n, NNRP_ERR_HINT_POLICY, 40, NNRP_ERR_HINT_POLICY);
  memcpy(b, v, n);
  put32(b, 44, 4);
  EXPECT(b, n, NNRP_ERR_HINT_CONGESTION, 44, NNRP_ERR_HINT_CONGESTION);
  memcpy(b, v, n);
  put32(b, 48, 99);
  EXPECT(b, n, NNRP_ERR_HINT_REASON, 48, NNRP_ERR_HINT_REASON);
  g = grow_body(v, n, 1, &m);
  EXPECT(g, m, NNRP_ERR_BODY_NOT_EMPTY, 56, NNRP_ERR_BODY_NOT_EMPTY);
  free(g);
  free(b);
  free(v);
}

/* ---- probing and migration ------------------------------------------------------------------- */

static void test_probe_and_migrate_rules(void) {
  size_t n, m;
  uint8_t *v = vec_hex("derived.packet.transport_probe", &n);
  uint8_t *b = malloc(n);
  memcpy(b, v, n);
  put32(b, 44, 8); /* oracle_accepts: probe_payload_bytes 8 with a shorter body */
  EXPECT(b, n, NNRP_ERR_PROBE_PAYLOAD_LEN, 56, 0);
  free(b);
  free(v);

  v = vec_hex("derived.packet.session_migrate", &n);
  b = malloc(n);
  memcpy(b, v, n);
  put32(b, 40, 0);
  EXPECT(b, n, NNRP_ERR_MIGRATE_TRANSPORT, 40, NNRP_ERR_MIGRATE_TRANSPORT);
  memcpy(b, v, n);
  put32(b, 44, 3);
  EXPECT(b, n, NNRP_ERR_MIGRATE_TRANSPORT, 44, NNRP_ERR_MIGRATE_TRANSPORT);
  uint8_t *g = grow_body(v, n, 4, &m); /* a migration token: only the PY profile ignores it */
  EXPECT(g, m, NNRP_ERR_BODY_NOT_EMPTY, 64, 0);
  free(g);
  free(b);
  free(v);

  v = vec_hex("derived.packet.session_migrate_ack", &n);
  g = grow_body(v, n, 1, &m);
  EXPECT(g, m, NNRP_ERR_BODY_NOT_EMPTY, 64, NNRP_ERR_BODY_NOT_EMPTY);
  free(g);
  free(v);

  nnrp_transport_probe_ack_meta am = {17, 0, 223456789};
  uint8_t pkt[64];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, pkt, sizeof(pkt));
  nnrp_packet_params pp = {0};
  CHECK_RC(nnrp_build_transport_probe_ack(&pp, &am, &s), 0);
  put32(pkt, 44, 0xDEAD); /* reserved: not validated on receive */
  EXPECT(pkt, 56, 0, 0, 0);
  g = grow_body(pkt, 56, 3, &m);
  EXPECT(g, m, NNRP_ERR_BODY_NOT_EMPTY, 56, NNRP_ERR_BODY_NOT_EMPTY);
  free(g);
}

/* ---- encoders refuse what decoders reject ---------------------------------------------------- */

static void test_metadata_encoder_refusals(void) {
  uint8_t out[80];
  nnrp_client_hello_meta ch = {.supported_payload_kind_bitmap = 0x80};
  CHECK_RC(nnrp_client_hello_meta_encode(&ch, out), NNRP_ERR_PAYLOAD_KIND_BITS);
  /* Fields receivers ignore are written as given (decode then encode reproduces them); the
   * packet builders are the ones that send zeros. */
  nnrp_packet_params pp = {.session_id = 1};
  uint8_t pkt[256];
  nnrp_sink s;
  nnrp_server_hello_ack_meta sha = {.reserved0 = 1};
  CHECK_RC(nnrp_server_hello_ack_meta_encode(&sha, out), 0);
  CHECK_EQ(out[3], 1);
  nnrp_sink_init_buffer(&s, pkt, sizeof(pkt));
  CHECK_RC(nnrp_build_server_hello_ack(&pp, &sha, NULL, 0, &s), NNRP_ERR_HELLO_RESERVED);
  sha.reserved0 = 0;
  sha.accepted_payload_kind_bitmap = 0x100;
  CHECK_RC(nnrp_server_hello_ack_meta_encode(&sha, out), NNRP_ERR_PAYLOAD_KIND_BITS);

  nnrp_session_patch_meta sp = {.reserved0 = 1};
  CHECK_RC(nnrp_session_patch_meta_encode(&sp, out), NNRP_ERR_PATCH_RESERVED);
  sp.reserved0 = 0;
  sp.profile_patch_bytes = 8;
  CHECK_RC(nnrp_session_patch_meta_encode(&sp, out), NNRP_ERR_PATCH_BYTES);
  nnrp_session_patch_ack_meta spa = {.ack_status = 3};
  CHECK_RC(nnrp_session_patch_ack_meta_encode(&spa, out), NNRP_ERR_PATCH_ACK_STATUS);
  spa.ack_status = 2;
  spa.reject_reason = 6;
  CHECK_RC(nnrp_session_patch_ack_meta_encode(&spa, out), NNRP_ERR_PATCH_REJECT_REASON);
  spa.reject_reason = 5;
  spa.profile_patch_ack_bytes = 32;
  CHECK_RC(nnrp_session_patch_ack_meta_encode(&spa, out), NNRP_ERR_PATCH_BYTES);
  spa.profile_patch_ack_bytes = 16;
  spa.reserved0 = 1;
  CHECK_RC(nnrp_session_patch_ack_meta_encode(&spa, out), 0);
  CHECK_EQ(out[18], 1);
  nnrp_sink_init_buffer(&s, pkt, sizeof(pkt));
  CHECK_RC(nnrp_build_session_patch_ack(&pp, &spa, NULL, &s), NNRP_ERR_PATCH_RESERVED);

  nnrp_error_meta em = {.error_scope = 3};
  CHECK_RC(nnrp_error_meta_encode(&em, out), NNRP_ERR_ERROR_SCOPE);
  nnrp_cache_put_meta put = {.object_kind = 0};
  CHECK_RC(nnrp_cache_put_meta_encode(&put, out), NNRP_ERR_CACHE_OBJECT_KIND);
  put.object_kind = NNRP_OBJECT_STRUCTURED_EVENT_SCHEMA;
  put.flags = 0x4;
  CHECK_RC(nnrp_cache_put_meta_encode(&put, out), NNRP_ERR_CACHE_PUT_FLAGS);
  nnrp_cache_ack_meta ack = {.status = 3};
  CHECK_RC(nnrp_cache_ack_meta_encode(&ack, out), NNRP_ERR_CACHE_ACK_STATUS);
  nnrp_cache_invalidate_meta inv = {.invalidate_scope = 4};
  CHECK_RC(nnrp_cache_invalidate_meta_encode(&inv, out), NNRP_ERR_CACHE_SCOPE);

  const nnrp_flow_update_meta ok = {.scope_kind = NNRP_FLOW_SCOPE_SESSION, .session_credit = 1};
  nnrp_flow_update_meta f = ok;
  CHECK_RC(nnrp_flow_update_meta_encode(&f, out), 0);
  f.scope_kind = 3;
  CHECK_RC(nnrp_flow_update_meta_encode(&f, out), NNRP_ERR_FLOW_SCOPE);
  f = ok;
  f.update_reason = 5;
  CHECK_RC(nnrp_flow_update_meta_encode(&f, out), NNRP_ERR_FLOW_REASON);
  f = ok;
  f.backpressure_level = 3;
  CHECK_RC(nnrp_flow_update_meta_encode(&f, out), NNRP_ERR_FLOW_BACKPRESSURE);
  f = ok;
  f.flags = 0x10;
  CHECK_RC(nnrp_flow_update_meta_encode(&f, out), NNRP_ERR_FLOW_FLAGS);
  f = ok;
  f.retry_after_ms = 5;
  CHECK_RC(nnrp_flow_update_meta_encode(&f, out), NNRP_ERR_FLOW_RETRY_AFTER);
  f = ok;
  f.operation_id = 5;
  CHECK_RC(nnrp_flow_update_meta_encode(&f, out), NNRP_ERR_FLOW_SCOPE_FIELDS);
  f = ok;
  f.reserved1 = 1;
  CHECK_RC(nnrp_flow_update_meta_encode(&f, out), NNRP_ERR_FLOW_RESERVED);

  nnrp_result_hint_meta h = {.applied_budget_policy = 5};
  CHECK_RC(nnrp_result_hint_meta_encode(&h, out), NNRP_ERR_HINT_POLICY);
  h = (nnrp_result_hint_meta){.congestion_state = 4};
  CHECK_RC(nnrp_result_hint_meta_encode(&h, out), NNRP_ERR_HINT_CONGESTION);
  h = (nnrp_result_hint_meta){.reason = 99};
  CHECK_RC(nnrp_result_hint_meta_encode(&h, out), NNRP_ERR_HINT_REASON);

  nnrp_transport_probe_ack_meta pa = {.reserved = 1};
  CHECK_RC(nnrp_transport_probe_ack_meta_encode(&pa, out), 0);
  CHECK_EQ(out[4], 1);
  nnrp_sink_init_buffer(&s, pkt, sizeof(pkt));
  CHECK_RC(nnrp_build_transport_probe_ack(&pp, &pa, &s), NNRP_ERR_PROBE_RESERVED);
  nnrp_session_migrate_meta mig = {NNRP_TRANSPORT_UNSPECIFIED, NNRP_TRANSPORT_TCP, 0, 0};
  CHECK_RC(nnrp_session_migrate_meta_encode(&mig, out), NNRP_ERR_MIGRATE_TRANSPORT);
  mig.old_transport_id = NNRP_TRANSPORT_QUIC;
  mig.new_transport_id = 3;
  CHECK_RC(nnrp_session_migrate_meta_encode(&mig, out), NNRP_ERR_MIGRATE_TRANSPORT);

  /* The decoders check the length first. */
  nnrp_cache_ack_meta a;
  CHECK_RC(nnrp_cache_ack_meta_decode(&a, out, 29, 0), NNRP_ERR_META_LEN);
}

static void test_builder_refusals(void) {
  uint8_t buf[256];
  nnrp_sink s;
  nnrp_packet_params pp = {.session_id = 0};
  nnrp_flow_update_meta f = {.scope_kind = NNRP_FLOW_SCOPE_SESSION, .session_credit = 1};
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_flow_update(&pp, &f, &s), NNRP_ERR_FLOW_SESSION_BINDING);
  f = (nnrp_flow_update_meta){.scope_kind = NNRP_FLOW_SCOPE_CONNECTION};
  pp.session_id = 9;
  CHECK_RC(nnrp_build_flow_update(&pp, &f, &s), NNRP_ERR_FLOW_SESSION_BINDING);
  CHECK_EQ(s.total, 0); /* nothing was written */

  CHECK_RC(nnrp_build_header_only(&pp, NNRP_MSG_CACHE_ACK, &s), NNRP_ERR_BUILD_MSG_TYPE);
  CHECK_RC(nnrp_build_header_only(&pp, 0x07, &s), NNRP_ERR_BUILD_MSG_TYPE);
  pp.flags = 0x40;
  CHECK_RC(nnrp_build_ping(&pp, &s), NNRP_ERR_RESERVED_FLAGS);
  pp.flags = 0;

  nnrp_header h = {.version_major = 1, .msg_type = NNRP_MSG_PING, .header_len = 40,
                   .meta_len = 0, .body_len = 1};
  CHECK_RC(nnrp_packet_encode_raw(&h, (nnrp_vec){NULL, 0}, (nnrp_vec){NULL, 0}, &s),
           NNRP_ERR_BUILD_LENGTH_MISMATCH);
  h.body_len = 0;
  h.meta_len = 4;
  CHECK_RC(nnrp_packet_encode_raw(&h, (nnrp_vec){NULL, 0}, (nnrp_vec){NULL, 0}, &s),
           NNRP_ERR_BUILD_LENGTH_MISMATCH);
  h.meta_len = 0;
  h.version_major = 2;
  CHECK_RC(nnrp_packet_encode_raw(&h, (nnrp_vec){NULL, 0}, (nnrp_vec){NULL, 0}, &s),
           NNRP_ERR_VERSION);

  /* Lengths that do not fit their u32 fields (never dereferenced). */
  if (SIZE_MAX > UINT32_MAX) {
    static const uint8_t one = 1;
    nnrp_vec huge = {&one, (size_t)UINT32_MAX + 1};
    nnrp_cache_put_meta put = {.object_kind = 1};
    CHECK_RC(nnrp_build_cache_put(&pp, &put, huge, &s), NNRP_ERR_BUILD_FIELD_RANGE);
    nnrp_transport_probe_meta probe = {0};
    CHECK_RC(nnrp_build_transport_probe(&pp, &probe, huge, &s), NNRP_ERR_BUILD_FIELD_RANGE);
    nnrp_vec big = {&one, UINT32_MAX - 10};
    CHECK_RC(nnrp_build_transport_probe(&pp, &probe, big, &s), NNRP_ERR_TOO_LARGE);
  }

  /* Metadata rules reach the builders. */
  nnrp_cache_put_meta bad_put = {.object_kind = 12};
  CHECK_RC(nnrp_build_cache_put(&pp, &bad_put, (nnrp_vec){NULL, 0}, &s),
           NNRP_ERR_CACHE_OBJECT_KIND);
  nnrp_session_migrate_meta mig = {0};
  CHECK_RC(nnrp_build_session_migrate(&pp, &mig, &s), NNRP_ERR_MIGRATE_TRANSPORT);
  nnrp_error_meta em = {.error_scope = 7};
  CHECK_RC(nnrp_build_error(&pp, &em, (nnrp_vec){NULL, 0}, &s), NNRP_ERR_ERROR_SCOPE);
  CHECK_EQ(s.total, 0);

  /* Extension entries: flags, the 4-byte dialect (never emitted), D8's active transport 0. */
  nnrp_client_hello_meta ch = {.min_version_major = 1, .max_version_major = 1};
  static const uint8_t lt4[4] = {2, 0, 0, 0};
  nnrp_ext_entry e = {NNRP_EXT_LOSS_TOLERANCE, 0, {lt4, 4}};
  CHECK_RC(nnrp_build_client_hello(&pp, &ch, &e, 1, (nnrp_vec){NULL, 0}, &s),
           NNRP_ERR_EXT_LENGTH);
  static const uint8_t any[3] = {1, 2, 3};
  e = (nnrp_ext_entry){0x7001, 0x0002, {any, 3}};
  CHECK_RC(nnrp_build_client_hello(&pp, &ch, &e, 1, (nnrp_vec){NULL, 0}, &s), NNRP_ERR_EXT_FLAGS);
  static const uint8_t ack0[8] = {1, 1, 0, 0, 0, 0, 0, 0};
  e = (nnrp_ext_entry){NNRP_EXT_TRANSPORT_POLICY_ACK, 0, {ack0, 8}};
  nnrp_server_hello_ack_meta sha = {.selected_version_major = 1};
  CHECK_RC(nnrp_build_server_hello_ack(&pp, &sha, &e, 1, &s), NNRP_ERR_TRANSPORT_ID);
  CHECK_EQ(s.total, 0);

  /* An unknown critical entry is the receiver's business: the builder sends it. */
  e = (nnrp_ext_entry){0x4001, NNRP_EXT_FLAG_CRITICAL, {any, 3}};
  CHECK_RC(nnrp_build_client_hello(&pp, &ch, &e, 1, (nnrp_vec){NULL, 0}, &s), 0);
  nnrp_packet p;
  CHECK_RC(nnrp_packet_decode(&p, buf, s.len, NULL, NULL), NNRP_ERR_EXT_UNKNOWN_CRITICAL);
}

static void test_bitmaps(void) {
  uint32_t bm = 0;
  static const uint8_t codecs[] = {0, 1, 2};
  CHECK_RC(nnrp_capability_bitmap(codecs, 3, &bm), 0);
  CHECK_EQ(bm, 0x7);
  static const uint8_t dtypes[] = {0, 5};
  CHECK_RC(nnrp_capability_bitmap(dtypes, 2, &bm), 0);
  CHECK_EQ(bm, 0x21);
  static const uint8_t edge[] = {31};
  CHECK_RC(nnrp_capability_bitmap(edge, 1, &bm), 0);
  CHECK_EQ(bm, 0x80000000u);
  static const uint8_t bad[] = {3, 32};
  bm = 77;
  CHECK_RC(nnrp_capability_bitmap(bad, 2, &bm), NNRP_ERR_BITMAP_ID);
  CHECK_EQ(bm, 77);
  CHECK_RC(nnrp_capability_bitmap(NULL, 0, &bm), 0);
  CHECK_EQ(bm, 0);

  static const uint16_t tensor[] = {NNRP_OBJECT_CAMERA_BLOCK, NNRP_OBJECT_TILE_INDEX_BLOCK,
                                    NNRP_OBJECT_TENSOR_SECTION_TABLE};
  CHECK_RC(nnrp_cache_object_bitmap(tensor, 3, &bm), 0);
  CHECK_EQ(bm, 0x0007);
  static const uint16_t all[] = {1, 2, 3, 4, 5, 6};
  CHECK_RC(nnrp_cache_object_bitmap(all, 6, &bm), 0);
  CHECK_EQ(bm, 0x003F);
  static const uint16_t zero[] = {0}, ten[] = {10};
  CHECK_RC(nnrp_cache_object_bitmap(zero, 1, &bm), NNRP_ERR_CACHE_OBJECT_KIND);
  CHECK_RC(nnrp_cache_object_bitmap(ten, 1, &bm), NNRP_ERR_CACHE_OBJECT_KIND);
}

int main(void) {
  json_error_t err;
  vectors = json_load_file(test_vector_path("wire-control-hex-vectors.json"), 0, &err);
  if (!vectors) {
    fprintf(stderr, "cannot load vectors: %s\n", err.text);
    return 1;
  }
  RUN(test_client_hello_lengths);
  RUN(test_client_hello_extensions);
  RUN(test_extension_block_rules);
  RUN(test_server_hello_ack_rules);
  RUN(test_session_patch_rules);
  RUN(test_error_and_cache_rules);
  RUN(test_flow_update_rules);
  RUN(test_probe_and_migrate_rules);
  RUN(test_metadata_encoder_refusals);
  RUN(test_builder_refusals);
  RUN(test_bitmaps);
  json_decref(vectors);
  return TEST_REPORT();
}
