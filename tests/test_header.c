/* The common header (wire-control §2): layout, check order, strict and lenient profiles. */
#include <jansson.h>
#include <libnnrp/errors.h>
#include <libnnrp/wire.h>

#include "test.h"

/* G1 of wire-control §12.1, read from the shared vector file. */
static uint8_t g1[40];

static void load_g1(void) {
  json_error_t err;
  json_t *root = json_load_file(test_vector_path("wire-control-hex-vectors.json"), 0, &err);
  if (!root) {
    fprintf(stderr, "cannot load vectors: %s\n", err.text);
    exit(1);
  }
  json_t *v;
  size_t i;
  json_array_foreach(json_object_get(root, "transcribed"), i, v) {
    if (strcmp(json_string_value(json_object_get(v, "name")),
               "current.header.frame_submit_ack_required_keyframe") != 0)
      continue;
    size_t n;
    uint8_t *b = test_hex_decode(json_string_value(json_object_get(v, "hex")), &n);
    if (b && n == sizeof(g1)) memcpy(g1, b, n);
    free(b);
  }
  json_decref(root);
}

static nnrp_header g1_fields(void) {
  nnrp_header h = {.version_major = 1,
                   .wire_format = 0,
                   .msg_type = NNRP_MSG_FRAME_SUBMIT,
                   .header_len = 40,
                   .flags = NNRP_FLAG_ACK_REQUIRED | NNRP_FLAG_KEYFRAME,
                   .meta_len = 48,
                   .body_len = 4096,
                   .session_id = 7,
                   .frame_id = 11,
                   .view_id = 2,
                   .route_id = 0,
                   .trace_id = 123456789};
  return h;
}

/* Field by field: the struct has padding before trace_id. */
static void check_same_header(const nnrp_header *a, const nnrp_header *b) {
  CHECK_EQ(a->version_major, b->version_major);
  CHECK_EQ(a->wire_format, b->wire_format);
  CHECK_EQ(a->msg_type, b->msg_type);
  CHECK_EQ(a->header_len, b->header_len);
  CHECK_EQ(a->flags, b->flags);
  CHECK_EQ(a->meta_len, b->meta_len);
  CHECK_EQ(a->body_len, b->body_len);
  CHECK_EQ(a->session_id, b->session_id);
  CHECK_EQ(a->frame_id, b->frame_id);
  CHECK_EQ(a->view_id, b->view_id);
  CHECK_EQ(a->route_id, b->route_id);
  CHECK(a->trace_id == b->trace_id);
}

static void test_golden_header(void) {
  static const char hex[] =
      "4e4e525001001028210000003000000000100000070000000b0000000200000015cd5b0700000000";
  size_t n;
  uint8_t *lit = test_hex_decode(hex, &n);
  CHECK_MEM(g1, sizeof(g1), lit, n); /* the shared file and the spec agree */
  free(lit);

  nnrp_header h;
  CHECK_RC(nnrp_header_decode(&h, g1, sizeof(g1), NULL), 0);
  nnrp_header want = g1_fields();
  CHECK_EQ(h.version_major, 1);
  CHECK_EQ(h.wire_format, 0);
  CHECK_EQ(h.msg_type, 0x10);
  CHECK_EQ(h.header_len, 40);
  CHECK_EQ(h.flags, 0x21);
  CHECK_EQ(h.meta_len, 48);
  CHECK_EQ(h.body_len, 4096);
  CHECK_EQ(h.session_id, 7);
  CHECK_EQ(h.frame_id, 11);
  CHECK_EQ(h.view_id, 2);
  CHECK_EQ(h.route_id, 0);
  CHECK_EQ(h.trace_id, 123456789);
  check_same_header(&h, &want);

  uint8_t out[40];
  CHECK_RC(nnrp_header_encode(&want, out), 0);
  CHECK_MEM(out, sizeof(out), g1, sizeof(g1));
}

static void test_every_field_little_endian(void) {
  nnrp_header h = {.version_major = 1,
                   .msg_type = NNRP_MSG_PING,
                   .header_len = 40,
                   .flags = 0x3F,
                   .meta_len = 0x04030201,
                   .body_len = 0x08070605,
                   .session_id = 0x0C0B0A09,
                   .frame_id = 0x100F0E0D,
                   .view_id = 0x1211,
                   .route_id = 0x1413,
                   .trace_id = 0x1C1B1A1918171615ull};
  uint8_t out[40];
  CHECK_RC(nnrp_header_encode(&h, out), 0);
  static const uint8_t want[40] = {'N',  'N',  'R',  'P',  1,    0,    0x20, 40,   0x3F, 0,
                                   0,    0,    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                                   0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x12,
                                   0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C};
  CHECK_MEM(out, sizeof(out), want, sizeof(want));
  nnrp_decode_options big = {.max_message_len = UINT64_MAX};
  nnrp_header back;
  CHECK_RC(nnrp_header_decode(&back, out, sizeof(out), &big), 0);
  check_same_header(&back, &h);
}

static void test_encode_refusals(void) {
  uint8_t out[40];
  nnrp_header h = g1_fields();
  h.header_len = 41;
  CHECK_RC(nnrp_header_encode(&h, out), NNRP_ERR_HEADER_LENGTH);
  h = g1_fields();
  h.wire_format = 2;
  CHECK_RC(nnrp_header_encode(&h, out), NNRP_ERR_WIRE_FORMAT);
  h = g1_fields();
  h.version_major = 2;
  CHECK_RC(nnrp_header_encode(&h, out), NNRP_ERR_VERSION);
  h = g1_fields();
  h.msg_type = 0x07;
  CHECK_RC(nnrp_header_encode(&h, out), NNRP_ERR_MSG_TYPE);
  h = g1_fields();
  h.flags = 0x40;
  CHECK_RC(nnrp_header_encode(&h, out), NNRP_ERR_RESERVED_FLAGS);
}

/* One corruption per step of §2.3. */
static void test_decode_each_step(void) {
  uint8_t b[40];
  nnrp_header h;
  for (size_t n = 0; n < 40; n++)
    CHECK_RC(nnrp_header_decode(&h, g1, n, NULL), NNRP_ERR_INCOMPLETE);

  memcpy(b, g1, 40);
  b[3] = 'Q';
  CHECK_RC(nnrp_header_decode(&h, b, 40, NULL), NNRP_ERR_HEADER_MAGIC);
  memcpy(b, g1, 40);
  b[0] = 'n';
  CHECK_RC(nnrp_header_decode(&h, b, 40, NULL), NNRP_ERR_HEADER_MAGIC);

  static const uint8_t bad_hlen[] = {0, 39, 41, 80, 255};
  for (size_t i = 0; i < sizeof(bad_hlen); i++) {
    memcpy(b, g1, 40);
    b[7] = bad_hlen[i];
    CHECK_RC(nnrp_header_decode(&h, b, 40, NULL), NNRP_ERR_HEADER_LENGTH);
  }
  /* Retired stage codes 1..3 and everything else (§2.4). */
  static const uint8_t bad_wf[] = {1, 2, 3, 4, 255};
  for (size_t i = 0; i < sizeof(bad_wf); i++) {
    memcpy(b, g1, 40);
    b[5] = bad_wf[i];
    CHECK_RC(nnrp_header_decode(&h, b, 40, NULL), NNRP_ERR_WIRE_FORMAT);
  }
  memcpy(b, g1, 40);
  b[4] = 2;
  CHECK_RC(nnrp_header_decode(&h, b, 40, NULL), NNRP_ERR_VERSION);
  b[4] = 0;
  CHECK_RC(nnrp_header_decode(&h, b, 40, NULL), NNRP_ERR_VERSION);

  static const uint8_t bad_type[] = {0x00, 0x07, 0x0F, 0x1D, 0x1F, 0x22, 0x30, 0x49, 0xFF};
  for (size_t i = 0; i < sizeof(bad_type); i++) {
    memcpy(b, g1, 40);
    b[6] = bad_type[i];
    CHECK_RC(nnrp_header_decode(&h, b, 40, NULL), NNRP_ERR_MSG_TYPE);
  }
  memcpy(b, g1, 40);
  b[8] = 0x40;
  CHECK_RC(nnrp_header_decode(&h, b, 40, NULL), NNRP_ERR_RESERVED_FLAGS);
  memcpy(b, g1, 40);
  b[11] = 0x80;
  CHECK_RC(nnrp_header_decode(&h, b, 40, NULL), NNRP_ERR_RESERVED_FLAGS);
}

/* Where two rules are broken at once, the earlier step of §2.3 is the one reported. */
static void test_check_order(void) {
  uint8_t b[40];
  nnrp_header h;
  memcpy(b, g1, 40);
  b[0] = 'X';  /* magic */
  b[7] = 39;   /* header_len */
  b[5] = 1;    /* wire_format */
  b[4] = 9;    /* version */
  b[6] = 0x07; /* msg_type */
  b[8] = 0xC0; /* flags */
  CHECK_RC(nnrp_header_decode(&h, b, 40, NULL), NNRP_ERR_HEADER_MAGIC);
  b[0] = 'N';
  CHECK_RC(nnrp_header_decode(&h, b, 40, NULL), NNRP_ERR_HEADER_LENGTH);
  b[7] = 40;
  CHECK_RC(nnrp_header_decode(&h, b, 40, NULL), NNRP_ERR_WIRE_FORMAT);
  b[5] = 0;
  CHECK_RC(nnrp_header_decode(&h, b, 40, NULL), NNRP_ERR_VERSION);
  b[4] = 1;
  CHECK_RC(nnrp_header_decode(&h, b, 40, NULL), NNRP_ERR_MSG_TYPE);
  b[6] = NNRP_MSG_PING;
  CHECK_RC(nnrp_header_decode(&h, b, 40, NULL), NNRP_ERR_RESERVED_FLAGS);
  b[8] = 0;
  nnrp_decode_options small = {.max_message_len = 100};
  CHECK_RC(nnrp_header_decode(&h, b, 40, &small), NNRP_ERR_TOO_LARGE);
  CHECK_RC(nnrp_header_decode(&h, b, 40, NULL), 0);
}

/* nnrp-cs lenient mode skips steps 5-7; nnrp-py skips 5 and 7 but not 6 (§2.3, D13). */
static void test_profiles(void) {
  uint8_t b[40];
  nnrp_header h;
  nnrp_decode_options lenient = {.flags = NNRP_DECODE_LENIENT_HEADER};
  nnrp_decode_options py = {.flags = NNRP_DECODE_PY_COMPAT};

  memcpy(b, g1, 40);
  b[4] = 2;
  b[8] = 0x40;
  CHECK_RC(nnrp_header_decode(&h, b, 40, &lenient), 0);
  CHECK_EQ(h.version_major, 2);
  CHECK_EQ(h.flags, 0x40);
  CHECK_RC(nnrp_header_decode(&h, b, 40, &py), 0);
  CHECK_EQ(h.flags, 0x40);

  b[6] = 0x30;
  CHECK_RC(nnrp_header_decode(&h, b, 40, &lenient), 0);
  CHECK_EQ(h.msg_type, 0x30);
  CHECK_RC(nnrp_header_decode(&h, b, 40, &py), NNRP_ERR_MSG_TYPE);

  /* Neither relaxes magic, header_len or wire_format. */
  memcpy(b, g1, 40);
  b[5] = 2;
  CHECK_RC(nnrp_header_decode(&h, b, 40, &lenient), NNRP_ERR_WIRE_FORMAT);
  CHECK_RC(nnrp_header_decode(&h, b, 40, &py), NNRP_ERR_WIRE_FORMAT);
  memcpy(b, g1, 40);
  b[7] = 41;
  CHECK_RC(nnrp_header_decode(&h, b, 40, &lenient), NNRP_ERR_HEADER_LENGTH);
  CHECK_RC(nnrp_header_decode(&h, b, 40, &py), NNRP_ERR_HEADER_LENGTH);
}

static void set_lengths(uint8_t *b, uint32_t meta, uint32_t body) {
  b[12] = (uint8_t)meta;
  b[13] = (uint8_t)(meta >> 8);
  b[14] = (uint8_t)(meta >> 16);
  b[15] = (uint8_t)(meta >> 24);
  b[16] = (uint8_t)body;
  b[17] = (uint8_t)(body >> 8);
  b[18] = (uint8_t)(body >> 16);
  b[19] = (uint8_t)(body >> 24);
}

/* Step 8: meta_len + body_len in 64 bits against the limit; 0 means 0xFFFFFFFF. */
static void test_max_message_len(void) {
  uint8_t b[40];
  nnrp_header h;
  size_t total = 0;
  memcpy(b, g1, 40);

  set_lengths(b, 0xFFFFFFFFu, 0);
  CHECK_RC(nnrp_header_decode(&h, b, 40, NULL), 0);
  set_lengths(b, 0xFFFFFFFFu, 1);
  CHECK_RC(nnrp_header_decode(&h, b, 40, NULL), NNRP_ERR_TOO_LARGE);
  set_lengths(b, 0x80000000u, 0x80000000u);
  CHECK_RC(nnrp_header_decode(&h, b, 40, NULL), NNRP_ERR_TOO_LARGE);
  nnrp_decode_options zero = {.max_message_len = 0};
  CHECK_RC(nnrp_header_decode(&h, b, 40, &zero), NNRP_ERR_TOO_LARGE);
  set_lengths(b, 0x7FFFFFFFu, 0x80000000u);
  CHECK_RC(nnrp_header_decode(&h, b, 40, &zero), 0);

  /* A limit above 32 bits admits the largest sum the header can express. */
  nnrp_decode_options huge = {.max_message_len = UINT64_MAX};
  set_lengths(b, 0xFFFFFFFFu, 0xFFFFFFFFu);
  if (SIZE_MAX > 0xFFFFFFFFu) {
    CHECK_RC(nnrp_packet_length(b, 40, &huge, &total), 0);
    CHECK_EQ((unsigned long long)total, 40ull + 0xFFFFFFFFull * 2);
  } else {
    CHECK_RC(nnrp_packet_length(b, 40, &huge, &total), NNRP_ERR_TOO_LARGE);
  }

  nnrp_decode_options tight = {.max_message_len = 4096 + 48};
  set_lengths(b, 48, 4096);
  CHECK_RC(nnrp_header_decode(&h, b, 40, &tight), 0);
  set_lengths(b, 49, 4096);
  CHECK_RC(nnrp_header_decode(&h, b, 40, &tight), NNRP_ERR_TOO_LARGE);
}

static void test_packet_length(void) {
  size_t total = 0;
  CHECK_RC(nnrp_packet_length(g1, 40, NULL, &total), 0);
  CHECK_EQ(total, 40 + 48 + 4096);
  CHECK_RC(nnrp_packet_length(g1, 39, NULL, &total), NNRP_ERR_INCOMPLETE);
  uint8_t b[40];
  memcpy(b, g1, 40);
  b[6] = 0x07;
  CHECK_RC(nnrp_packet_length(b, 40, NULL, &total), NNRP_ERR_MSG_TYPE);
  nnrp_decode_options lenient = {.flags = NNRP_DECODE_LENIENT_HEADER};
  CHECK_RC(nnrp_packet_length(b, 40, &lenient, &total), 0);
  CHECK_EQ(total, 40 + 48 + 4096);
}

static void test_names(void) {
  static const struct {
    unsigned type;
    const char *name;
    int meta_len;
  } table[] = {
      {0x01, "CLIENT_HELLO", 64},     {0x02, "SERVER_HELLO_ACK", 80},
      {0x03, "SESSION_PATCH", 36},    {0x04, "SESSION_PATCH_ACK", 48},
      {0x05, "CLOSE", 0},             {0x06, "ERROR", 32},
      {0x10, "FRAME_SUBMIT", 72},     {0x11, "FRAME_CANCEL", 0},
      {0x12, "RESULT_PUSH", 64},      {0x13, "RESULT_DROP", 0},
      {0x14, "CACHE_PUT", 32},        {0x15, "CACHE_ACK", 28},
      {0x16, "CACHE_INVALIDATE", 20}, {0x17, "FLOW_UPDATE", 32},
      {0x18, "RESULT_HINT", 16},      {0x19, "TRANSPORT_PROBE", 16},
      {0x1A, "TRANSPORT_PROBE_ACK", 16}, {0x1B, "SESSION_MIGRATE", 24},
      {0x1C, "SESSION_MIGRATE_ACK", 24}, {0x20, "PING", 0},
      {0x21, "PONG", 0},
  };
  size_t defined = 0;
  for (unsigned t = 0; t < 0x200; t++) {
    const char *name = nnrp_msg_type_name(t);
    int meta = nnrp_msg_meta_len(t);
    size_t k;
    for (k = 0; k < sizeof(table) / sizeof(table[0]); k++)
      if (table[k].type == t) break;
    if (k == sizeof(table) / sizeof(table[0])) {
      CHECK(name == NULL);
      CHECK_EQ(meta, -1);
      continue;
    }
    defined++;
    CHECK(name && strcmp(name, table[k].name) == 0);
    CHECK_EQ(meta, table[k].meta_len);
  }
  CHECK_EQ(defined, 21);

  static const char *const codes[] = {
      "unsupported_version", "auth_failed",   "invalid_state", "malformed_header",
      "malformed_body",      "unsupported_capability", "limit_exceeded", "frame_expired",
      "frame_cancelled",     "cache_miss",    "server_busy",   "internal_error"};
  CHECK(nnrp_error_code_name(0) == NULL);
  for (unsigned c = 1; c <= 12; c++) {
    const char *n = nnrp_error_code_name(c);
    CHECK(n && strcmp(n, codes[c - 1]) == 0);
  }
  CHECK(nnrp_error_code_name(13) == NULL);
  CHECK(nnrp_error_code_name(0xFFFFFFFFu) == NULL);
  CHECK_EQ(NNRP_ERROR_CODE_SERVER_BUSY, 0x000B);
}

int main(void) {
  load_g1();
  RUN(test_golden_header);
  RUN(test_every_field_little_endian);
  RUN(test_encode_refusals);
  RUN(test_decode_each_step);
  RUN(test_check_order);
  RUN(test_profiles);
  RUN(test_max_message_len);
  RUN(test_packet_length);
  RUN(test_names);
  return TEST_REPORT();
}
