/*
 * Control-plane messages (wire-control §6-§12): every hex vector and .bin file of the shared
 * vectors decodes to the field values of §12 and re-encodes byte for byte, through the
 * metadata encoder and through the packet builder.
 */
#include <jansson.h>
#include <libnnrp/errors.h>
#include <libnnrp/wire.h>

#include "test.h"

static json_t *vectors;

/* Bytes of a named vector of wire-control-hex-vectors.json (malloc'd); exits if missing. */
static uint8_t *vec_hex(const char *name, size_t *len) {
  static const char *const groups[] = {"transcribed", "derived"};
  for (size_t g = 0; g < 2; g++) {
    json_t *v;
    size_t i;
    json_array_foreach(json_object_get(vectors, groups[g]), i, v) {
      if (strcmp(json_string_value(json_object_get(v, "name")), name) != 0) continue;
      uint8_t *b = test_hex_decode(json_string_value(json_object_get(v, "hex")), len);
      if (b && (json_int_t)*len == json_integer_value(json_object_get(v, "bytes"))) return b;
    }
  }
  fprintf(stderr, "vector %s missing or malformed\n", name);
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

/*
 * Metadata vector: the expected struct encodes to the vector, the vector decodes (strict) to
 * a struct that encodes back to the same bytes.  Since every field is written, equal bytes
 * mean equal fields.
 */
#define CHECK_META(kind, LEN, name, want, got)                  \
  do {                                                          \
    size_t n_;                                                  \
    uint8_t *v_ = vec_hex(name, &n_);                           \
    uint8_t out_[LEN];                                          \
    CHECK_EQ(n_, LEN);                                          \
    CHECK_RC(nnrp_##kind##_meta_encode(&(want), out_), 0);      \
    CHECK_MEM(out_, sizeof(out_), v_, n_);                      \
    CHECK_RC(nnrp_##kind##_meta_decode(&(got), v_, n_, 0), 0);  \
    memset(out_, 0xAA, sizeof(out_));                           \
    CHECK_RC(nnrp_##kind##_meta_encode(&(got), out_), 0);       \
    CHECK_MEM(out_, sizeof(out_), v_, n_);                      \
    CHECK_RC(nnrp_##kind##_meta_decode(&(got), v_, n_ - 1, 0),  \
             NNRP_ERR_META_LEN);                                \
    free(v_);                                                   \
  } while (0)

/* ---- metadata vectors --------------------------------------------------------------------- */

static void test_client_hello_meta(void) {
  nnrp_client_hello_meta g2 = {1, 1, 0x0001, 0x1, 0x1, 0x7, 0x3, 0x1F, 0x3, 0x1, 0x7, 4, 2,
                               256, 8388608, 6000, 100, 2, 2, 0, 96, 0};
  nnrp_client_hello_meta got;
  CHECK_META(client_hello, 64, "current.metadata.client_hello", g2, got);
  CHECK_EQ(got.supported_dtype_bitmap, 0x1F);
  CHECK_EQ(got.max_cache_bytes, 8388608);
  CHECK_EQ(got.auth_bytes, 96);

  nnrp_client_hello_meta cs = {1, 1, 0x0001, 0x1, 0x1, 0x3, 0x3, 0x21, 0x3, 0x1, 0x7, 1, 2,
                               64, 65536, 6000, 100, 2, 0, 0, 96, 0};
  CHECK_META(client_hello, 64, "cs_interop.metadata.client_hello", cs, got);
  CHECK_EQ(got.max_cache_entries, 64);
}

static void test_server_hello_ack_meta(void) {
  nnrp_server_hello_ack_meta want = {
      .selected_version_major = 1, .session_id = 42, .accepted_profile_bitmap = 1,
      .accepted_payload_kind_bitmap = 1, .accepted_codec_bitmap = 3,
      .accepted_compression_bitmap = 3, .accepted_dtype_bitmap = 7, .accepted_layout_bitmap = 1,
      .cache_digest_bitmap = 1, .cache_object_bitmap = 7, .max_cache_entries = 512,
      .max_cache_bytes = 16777216, .max_lane_count = 2, .max_concurrent_frames = 2,
      .target_cadence_x100 = 6000, .latency_budget_ms = 100, .quality_tier = 2,
      .degrade_policy = 2, .max_body_bytes = 33554432, .token_ttl_ms = 300000,
      .server_flags = NNRP_SERVER_CACHE_ENABLED};
  nnrp_server_hello_ack_meta got;
  CHECK_META(server_hello_ack, 80, "derived.metadata.server_hello_ack.py_test", want, got);
  CHECK_EQ(got.session_id, 42);
  CHECK_EQ(got.token_ttl_ms, 300000);
}

static void test_session_patch_meta(void) {
  nnrp_session_patch_meta cs = {.profile_id = 29, .patch_mask = 0x5D,
                                .target_cadence_x100 = 9000, .quality_tier = 360,
                                .degrade_policy = 5, .active_lane_mask = 3,
                                .preferred_codec_bitmap = 5, .profile_patch_bytes = 16};
  nnrp_session_patch_meta got;
  CHECK_META(session_patch, 36, "cs_interop.metadata.session_patch", cs, got);
  CHECK_EQ(got.quality_tier, 360);
  CHECK(got.active_lane_mask == 3); /* the u64 at offset 16 */

  nnrp_session_patch_meta py = {.patch_mask = 0x5B, .target_cadence_x100 = 9000,
                                .quality_tier = 2, .active_lane_mask = 3,
                                .preferred_codec_bitmap = 5, .profile_patch_bytes = 16};
  CHECK_META(session_patch, 36, "derived.metadata.session_patch.py_test", py, got);
}

static void test_session_patch_ack_meta(void) {
  nnrp_session_patch_ack_meta g3 = {.ack_status = NNRP_PATCH_PARTIALLY_APPLIED,
                                    .reject_reason = 3, .applied_patch_mask = 0x0B,
                                    .rejected_patch_mask = 0x10, .effective_profile_id = 1,
                                    .effective_target_cadence_x100 = 9000,
                                    .effective_quality_tier = 2, .effective_degrade_policy = 2,
                                    .effective_lane_mask = 3, .effective_codec_bitmap = 1,
                                    .effective_compression_bitmap = 3};
  nnrp_session_patch_ack_meta got;
  CHECK_META(session_patch_ack, 48, "current.metadata.session_patch_ack", g3, got);
  CHECK(got.effective_lane_mask == 3); /* the unaligned u64 at offset 28 */

  nnrp_session_patch_ack_meta cs = {.ack_status = 1, .reject_reason = 3,
                                    .applied_patch_mask = 0x11, .rejected_patch_mask = 0x44,
                                    .effective_profile_id = 2,
                                    .effective_target_cadence_x100 = 9000,
                                    .effective_quality_tier = 360, .effective_degrade_policy = 5,
                                    .effective_lane_mask = 3, .effective_codec_bitmap = 1,
                                    .effective_compression_bitmap = 3,
                                    .profile_patch_ack_bytes = 16};
  CHECK_META(session_patch_ack, 48, "cs_interop.metadata.session_patch_ack", cs, got);
}

static void test_profile_patch_block(void) {
  size_t n;
  uint8_t *v = vec_hex("derived.body.tensor_profile_patch_block.py_test", &n);
  nnrp_profile_patch want = {640, 360, 1920, 1080}, got;
  uint8_t out[16];
  CHECK_RC(nnrp_profile_patch_encode(&want, out), 0);
  CHECK_MEM(out, sizeof(out), v, n);
  CHECK_RC(nnrp_profile_patch_decode(&got, v, n), 0);
  CHECK_EQ(got.min_width, 640);
  CHECK_EQ(got.min_height, 360);
  CHECK_EQ(got.max_width, 1920);
  CHECK_EQ(got.max_height, 1080);
  CHECK_RC(nnrp_profile_patch_decode(&got, v, 15), NNRP_ERR_PATCH_BODY_LEN);
  free(v);
}

static void test_error_meta(void) {
  nnrp_error_meta want = {.error_code = NNRP_ERROR_CODE_SERVER_BUSY,
                          .error_scope = NNRP_SCOPE_SESSION, .retry_after_ms = 500,
                          .related_session_id = 42, .diagnostic_bytes = 24};
  nnrp_error_meta got;
  CHECK_META(error, 32, "derived.metadata.error.py_test", want, got);
  CHECK_EQ(got.error_code, 0x000B);
  CHECK_EQ(got.retry_after_ms, 500);
}

static void test_cache_meta(void) {
  nnrp_cache_put_meta put_cs = {1, 0x01020304, 0x05060708, NNRP_OBJECT_CAMERA_BLOCK, 15000,
                                2048, 3, NNRP_CACHE_PUT_PINNED | NNRP_CACHE_PUT_REUSABLE};
  nnrp_cache_put_meta put;
  CHECK_META(cache_put, 32, "cs_interop.metadata.cache_put", put_cs, put);
  CHECK_EQ(put.cache_key_hi, 0x01020304);
  nnrp_cache_put_meta put_py = put_cs;
  put_py.object_kind = NNRP_OBJECT_TILE_INDEX_BLOCK;
  CHECK_META(cache_put, 32, "derived.metadata.cache_put.py_test", put_py, put);

  nnrp_cache_ack_meta ack_want = {1, 0x01020304, 0x05060708, NNRP_CACHE_ACCEPTED, 15000, 8192, 0};
  nnrp_cache_ack_meta ack;
  CHECK_META(cache_ack, 28, "cs_interop.metadata.cache_ack", ack_want, ack);
  CHECK_META(cache_ack, 28, "derived.metadata.cache_ack.py_test", ack_want, ack);
  CHECK_EQ(ack.max_object_bytes, 8192);

  nnrp_cache_invalidate_meta inv_cs = {NNRP_CACHE_SCOPE_WHOLE_SESSION, 1, 0x01020304,
                                       0x05060708, 2};
  nnrp_cache_invalidate_meta inv;
  CHECK_META(cache_invalidate, 20, "cs_interop.metadata.cache_invalidate", inv_cs, inv);
  nnrp_cache_invalidate_meta inv_py = inv_cs;
  inv_py.invalidate_scope = NNRP_CACHE_SCOPE_OBJECT_KEY;
  CHECK_META(cache_invalidate, 20, "derived.metadata.cache_invalidate.py_test", inv_py, inv);
  CHECK_EQ(inv.invalidate_scope, 3);
}

static void test_transport_meta(void) {
  nnrp_transport_probe_meta probe_want = {17, 32768, 123456789}, probe;
  CHECK_META(transport_probe, 16, "derived.metadata.transport_probe.py_test", probe_want, probe);
  nnrp_transport_probe_ack_meta ack_want = {17, 0, 223456789}, ack;
  CHECK_META(transport_probe_ack, 16, "derived.metadata.transport_probe_ack.py_test", ack_want,
             ack);
  CHECK(ack.server_recv_ts_us == 223456789);

  nnrp_session_migrate_meta mig_want = {NNRP_TRANSPORT_QUIC, NNRP_TRANSPORT_TCP, 44, 3000}, mig;
  CHECK_META(session_migrate, 24, "derived.metadata.session_migrate.py_test", mig_want, mig);
  CHECK(mig.last_result_frame_id == 44);
  nnrp_session_migrate_ack_meta mack_want = {0, 45, 250, 4000}, mack;
  CHECK_META(session_migrate_ack, 24, "derived.metadata.session_migrate_ack.py_test", mack_want,
             mack);
  CHECK(mack.resume_from_frame_id == 45); /* the unaligned u64 at offset 4 */
  CHECK_EQ(mack.grace_window_ms, 250);
}

/* ---- whole packets ------------------------------------------------------------------------ */

static nnrp_packet_params params_of(const nnrp_header *h) {
  nnrp_packet_params p = {h->session_id, h->frame_id, h->view_id,
                          h->route_id,   h->trace_id, h->flags};
  return p;
}

/* Decode strictly (and exactly); the views cover the whole input; re-emit raw. */
static int decode_whole(nnrp_packet *p, const uint8_t *b, size_t n, unsigned type) {
  nnrp_decode_options exact = {.flags = NNRP_DECODE_EXACT};
  nnrp_diag d = {0, 0};
  int rc = nnrp_packet_decode(p, b, n, &exact, &d);
  CHECK_RC(rc, 0);
  if (rc) {
    fprintf(stderr, "  at offset %zu\n", d.offset);
    return rc;
  }
  CHECK_EQ(p->header.msg_type, type);
  CHECK_EQ(p->packet_len, n);
  CHECK(p->metadata.base == b + 40);
  CHECK_EQ(40 + p->metadata.len + p->body.len, n);

  uint8_t *raw = malloc(n);
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, raw, n);
  CHECK_RC(nnrp_packet_encode_raw(&p->header, p->metadata, p->body, &s), 0);
  CHECK_MEM(raw, s.len, b, n);
  free(raw);
  return 0;
}

/* Run a builder into an exactly sized buffer and compare with the vector. */
#define CHECK_BUILD(call_with_sink, want, n)                        \
  do {                                                              \
    nnrp_sink cnt_;                                                 \
    nnrp_sink_init_count(&cnt_);                                    \
    nnrp_sink *sink = &cnt_;                                        \
    CHECK_RC(call_with_sink, 0);                                    \
    CHECK_EQ(cnt_.total, n);                                        \
    uint8_t *buf_ = malloc((n) + 1);                                \
    nnrp_sink out_;                                                 \
    nnrp_sink_init_buffer(&out_, buf_, n);                          \
    sink = &out_;                                                   \
    CHECK_RC(call_with_sink, 0);                                    \
    CHECK_MEM(buf_, out_.len, want, n);                             \
    free(buf_);                                                     \
  } while (0)

static void test_client_hello_packets(void) {
  size_t n;
  uint8_t *b = vec_bin("client_hello.bin", &n);
  nnrp_packet p;
  if (decode_whole(&p, b, n, NNRP_MSG_CLIENT_HELLO) == 0) {
    CHECK_EQ(p.header.flags, NNRP_FLAG_ACK_REQUIRED);
    CHECK_EQ(p.header.session_id, 0);
    const nnrp_client_hello_meta *m = &p.meta.client_hello;
    nnrp_client_hello_meta want = {1, 1, 1, 1, 1, 0x3, 0x3, 0x21, 0x3, 1, 7, 1, 2,
                                   64, 65536, 6000, 100, 2, 0, 1, 0, 0};
    uint8_t a[64], c[64];
    nnrp_client_hello_meta_encode(m, a);
    nnrp_client_hello_meta_encode(&want, c);
    CHECK_MEM(a, 64, c, 64);
    CHECK_EQ(p.hello.extensions.len, 0);
    CHECK_EQ(p.hello.auth.len, 0);
    CHECK_EQ(p.hello.present, 0);
    nnrp_packet_params pp = params_of(&p.header);
    CHECK_BUILD(nnrp_build_client_hello(&pp, &want, NULL, 0, (nnrp_vec){NULL, 0}, sink), b, n);
  }
  free(b);

  /* Extension block first, then auth (§6.1, D1). */
  b = vec_hex("derived.packet.client_hello_with_ext_and_auth", &n);
  if (decode_whole(&p, b, n, NNRP_MSG_CLIENT_HELLO) == 0) {
    const nnrp_client_hello_meta *m = &p.meta.client_hello;
    CHECK_EQ(m->auth_bytes, 5);
    CHECK_EQ(m->control_extension_bytes, 16);
    CHECK_EQ(m->max_cache_entries, 16);
    CHECK_EQ(m->max_cache_bytes, 1048576);
    CHECK_EQ(m->latency_budget_ms, 50);
    CHECK_EQ(m->requested_session_id, 1);
    CHECK(p.hello.extensions.base == p.body.base);
    CHECK_EQ(p.hello.extensions.len, 16);
    CHECK_EQ(p.hello.extension_count, 1);
    CHECK_MEM(p.hello.auth.base, p.hello.auth.len, "model", 5);
    CHECK_EQ(p.hello.present, NNRP_HELLO_HAS_TRANSPORT_POLICY);
    CHECK_EQ(p.hello.transport_policy.transport_policy, NNRP_TRANSPORT_POLICY_AUTO);
    CHECK_EQ(p.hello.transport_policy.transport_id, NNRP_TRANSPORT_QUIC);

    nnrp_client_hello_meta want = *m;
    want.auth_bytes = 999; /* the builder computes both length fields */
    want.control_extension_bytes = 0;
    nnrp_transport_policy_ext tp = {NNRP_TRANSPORT_POLICY_AUTO, 0, NNRP_TRANSPORT_QUIC};
    uint8_t payload[8];
    nnrp_ext_entry e;
    CHECK_RC(nnrp_ext_transport_policy_build(NNRP_EXT_TRANSPORT_POLICY, &tp, 0, payload, &e), 0);
    nnrp_packet_params pp = params_of(&p.header);
    CHECK_BUILD(nnrp_build_client_hello(&pp, &want, &e, 1, (nnrp_vec){(const uint8_t *)"model", 5},
                                        sink),
                b, n);
  }
  free(b);
}

static void test_server_hello_ack_packet(void) {
  size_t n;
  uint8_t *b = vec_bin("server_hello_ack.bin", &n);
  nnrp_packet p;
  if (decode_whole(&p, b, n, NNRP_MSG_SERVER_HELLO_ACK) == 0) {
    const nnrp_server_hello_ack_meta *m = &p.meta.server_hello_ack;
    nnrp_server_hello_ack_meta want = {
        .selected_version_major = 1, .session_id = 42, .accepted_profile_bitmap = 1,
        .accepted_payload_kind_bitmap = 1, .accepted_codec_bitmap = 1,
        .accepted_dtype_bitmap = 0x20, .accepted_layout_bitmap = 1, .max_lane_count = 1,
        .max_concurrent_frames = 8, .target_cadence_x100 = 6000, .latency_budget_ms = 16,
        .max_body_bytes = 1048576};
    uint8_t a[80], c[80];
    nnrp_server_hello_ack_meta_encode(m, a);
    nnrp_server_hello_ack_meta_encode(&want, c);
    CHECK_MEM(a, 80, c, 80);
    CHECK_EQ(p.header.session_id, 0);
    CHECK_EQ(m->session_id, 42);
    CHECK_EQ(p.hello.present, 0);
    nnrp_packet_params pp = params_of(&p.header);
    CHECK_BUILD(nnrp_build_server_hello_ack(&pp, &want, NULL, 0, sink), b, n);
  }
  free(b);
}

static void test_session_patch_packets(void) {
  size_t n;
  uint8_t *b = vec_bin("session_patch.bin", &n);
  nnrp_packet p;
  const nnrp_profile_patch clamp = {320, 180, 1920, 1080};
  if (decode_whole(&p, b, n, NNRP_MSG_SESSION_PATCH) == 0) {
    CHECK_EQ(p.header.session_id, 11);
    CHECK(p.header.trace_id == 1);
    /* The block starts right after the 36-byte metadata: packet offset 76 (§1). */
    CHECK(p.body.base == b + 76);
    nnrp_session_patch_meta want = {.patch_mask = 0x51, .target_cadence_x100 = 6000,
                                    .quality_tier = 2, .degrade_policy = 3,
                                    .active_lane_mask = 1, .preferred_codec_bitmap = 3,
                                    .preferred_compression_bitmap = 3, .profile_patch_bytes = 16};
    uint8_t a[36], c[36];
    nnrp_session_patch_meta_encode(&p.meta.session_patch, a);
    nnrp_session_patch_meta_encode(&want, c);
    CHECK_MEM(a, 36, c, 36);
    CHECK(p.has_profile_patch);
    CHECK_EQ(p.profile_patch.min_width, 320);
    CHECK_EQ(p.profile_patch.max_height, 1080);
    nnrp_packet_params pp = params_of(&p.header);
    want.profile_patch_bytes = 0; /* computed by the builder */
    CHECK_BUILD(nnrp_build_session_patch(&pp, &want, &clamp, sink), b, n);
  }
  free(b);

  b = vec_bin("session_patch_ack.bin", &n);
  if (decode_whole(&p, b, n, NNRP_MSG_SESSION_PATCH_ACK) == 0) {
    CHECK(p.header.trace_id == 2);
    nnrp_session_patch_ack_meta want = {
        .ack_status = 1, .reject_reason = 3, .applied_patch_mask = 0x01,
        .rejected_patch_mask = 0x20, .retry_after_ms = 100, .effective_profile_id = 1,
        .effective_target_cadence_x100 = 6000, .effective_quality_tier = 2,
        .effective_degrade_policy = 1, .effective_lane_mask = 1, .effective_codec_bitmap = 1,
        .effective_compression_bitmap = 1, .profile_patch_ack_bytes = 16};
    uint8_t a[48], c[48];
    nnrp_session_patch_ack_meta_encode(&p.meta.session_patch_ack, a);
    nnrp_session_patch_ack_meta_encode(&want, c);
    CHECK_MEM(a, 48, c, 48);
    CHECK(p.has_profile_patch);
    CHECK_EQ(p.profile_patch.min_height, 180);
    nnrp_packet_params pp = params_of(&p.header);
    CHECK_BUILD(nnrp_build_session_patch_ack(&pp, &want, &clamp, sink), b, n);
    /* Without a block the length field and the body both go to zero. */
    uint8_t buf[128];
    nnrp_sink s;
    nnrp_sink_init_buffer(&s, buf, sizeof(buf));
    CHECK_RC(nnrp_build_session_patch_ack(&pp, &want, NULL, &s), 0);
    CHECK_EQ(s.len, 88);
    nnrp_packet q;
    CHECK_RC(nnrp_packet_decode(&q, buf, s.len, NULL, NULL), 0);
    CHECK_EQ(q.meta.session_patch_ack.profile_patch_ack_bytes, 0);
    CHECK(!q.has_profile_patch);
  }
  free(b);
}

static void test_error_and_close_packets(void) {
  size_t n;
  uint8_t *b = vec_bin("error.bin", &n);
  nnrp_packet p;
  if (decode_whole(&p, b, n, NNRP_MSG_ERROR) == 0) {
    const nnrp_error_meta *m = &p.meta.error;
    CHECK_EQ(m->error_code, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY);
    CHECK_EQ(m->error_scope, NNRP_SCOPE_SESSION);
    CHECK_EQ(m->is_fatal, 1);
    CHECK_EQ(m->diagnostic_bytes, 0);
    CHECK_EQ(p.header.session_id, 1);
    nnrp_packet_params pp = params_of(&p.header);
    CHECK_BUILD(nnrp_build_error(&pp, m, (nnrp_vec){NULL, 0}, sink), b, n);
  }
  free(b);

  /* A diagnostic text: the builder sets diagnostic_bytes. */
  nnrp_error_meta em = {.error_code = NNRP_ERROR_CODE_SERVER_BUSY, .error_scope = 1,
                        .retry_after_ms = 500, .related_session_id = 42, .diagnostic_bytes = 7};
  nnrp_packet_params pp = {.session_id = 42};
  uint8_t buf[128];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  static const char text[] = "server is busy right now";
  CHECK_RC(nnrp_build_error(&pp, &em, (nnrp_vec){(const uint8_t *)text, 24}, &s), 0);
  size_t mn;
  uint8_t *meta = vec_hex("derived.metadata.error.py_test", &mn);
  CHECK_MEM(buf + 40, 32, meta, mn);
  free(meta);
  if (decode_whole(&p, buf, s.len, NNRP_MSG_ERROR) == 0)
    CHECK_MEM(p.body.base, p.body.len, text, 24);

  b = vec_hex("derived.packet.close_smoke", &n);
  if (decode_whole(&p, b, n, NNRP_MSG_CLOSE) == 0) {
    CHECK_EQ(p.header.session_id, 7);
    CHECK_MEM(p.body.base, p.body.len, "smoke-close", 11);
    nnrp_packet_params cp = params_of(&p.header);
    CHECK_BUILD(nnrp_build_close(&cp, (nnrp_vec){(const uint8_t *)"smoke-close", 11}, sink), b, n);
  }
  free(b);
}

static void test_header_only_packets(void) {
  static const struct {
    const char *name;
    unsigned type;
    uint32_t session, frame;
    uint16_t view;
    uint64_t trace;
  } cases[] = {
      {"derived.packet.frame_cancel", NNRP_MSG_FRAME_CANCEL, 7, 11, 2, 99},
      {"derived.packet.ping", NNRP_MSG_PING, 7, 0, 0, 10},
      {"derived.packet.pong", NNRP_MSG_PONG, 7, 0, 0, 10},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    size_t n;
    uint8_t *b = vec_hex(cases[i].name, &n);
    nnrp_packet p;
    if (decode_whole(&p, b, n, cases[i].type) == 0) {
      CHECK_EQ(p.header.flags, NNRP_FLAG_CAN_DROP);
      CHECK_EQ(p.header.session_id, cases[i].session);
      CHECK_EQ(p.header.frame_id, cases[i].frame);
      CHECK_EQ(p.header.view_id, cases[i].view);
      CHECK(p.header.trace_id == cases[i].trace);
      nnrp_packet_params pp = params_of(&p.header);
      CHECK_BUILD(nnrp_build_header_only(&pp, cases[i].type, sink), b, n);
    }
    nnrp_packet_params pp = params_of(&p.header);
    if (cases[i].type == NNRP_MSG_FRAME_CANCEL) CHECK_BUILD(nnrp_build_frame_cancel(&pp, sink), b, n);
    if (cases[i].type == NNRP_MSG_PING) CHECK_BUILD(nnrp_build_ping(&pp, sink), b, n);
    if (cases[i].type == NNRP_MSG_PONG) CHECK_BUILD(nnrp_build_pong(&pp, sink), b, n);
    free(b);
  }

  size_t n;
  uint8_t *b = vec_bin("result_drop.bin", &n);
  nnrp_packet p;
  if (decode_whole(&p, b, n, NNRP_MSG_RESULT_DROP) == 0) {
    CHECK_EQ(p.header.flags, NNRP_FLAG_CAN_DROP);
    CHECK_EQ(p.header.session_id, 100);
    CHECK_EQ(p.header.frame_id, 5);
    CHECK(p.header.trace_id == 0xFFFFFFFFu);
    nnrp_packet_params pp = params_of(&p.header);
    CHECK_BUILD(nnrp_build_result_drop(&pp, sink), b, n);
  }
  free(b);
}

static void test_cache_packets(void) {
  size_t n;
  nnrp_packet p;
  uint8_t *b = vec_bin("cache_put.bin", &n);
  if (decode_whole(&p, b, n, NNRP_MSG_CACHE_PUT) == 0) {
    nnrp_cache_put_meta want = {1, 2, 3, NNRP_OBJECT_CAMERA_BLOCK, 1000, 3, 1,
                                NNRP_CACHE_PUT_PINNED};
    uint8_t a[32], c[32];
    nnrp_cache_put_meta_encode(&p.meta.cache_put, a);
    nnrp_cache_put_meta_encode(&want, c);
    CHECK_MEM(a, 32, c, 32);
    CHECK_MEM(p.body.base, p.body.len, "\x09\x08\x07", 3);
    CHECK_EQ(p.header.session_id, 5);
    nnrp_packet_params pp = params_of(&p.header);
    want.object_bytes = 0; /* computed */
    CHECK_BUILD(nnrp_build_cache_put(&pp, &want, (nnrp_vec){(const uint8_t *)"\x09\x08\x07", 3},
                                     sink),
                b, n);
  }
  free(b);

  b = vec_bin("cache_ack.bin", &n);
  if (decode_whole(&p, b, n, NNRP_MSG_CACHE_ACK) == 0) {
    nnrp_cache_ack_meta want = {1, 2, 3, NNRP_CACHE_REPLACED, 900, 1024, 7};
    uint8_t a[28], c[28];
    nnrp_cache_ack_meta_encode(&p.meta.cache_ack, a);
    nnrp_cache_ack_meta_encode(&want, c);
    CHECK_MEM(a, 28, c, 28);
    nnrp_packet_params pp = params_of(&p.header);
    CHECK_BUILD(nnrp_build_cache_ack(&pp, &want, sink), b, n);
  }
  free(b);

  b = vec_bin("cache_invalidate.bin", &n);
  if (decode_whole(&p, b, n, NNRP_MSG_CACHE_INVALIDATE) == 0) {
    nnrp_cache_invalidate_meta want = {NNRP_CACHE_SCOPE_NAMESPACE, 1, 2, 3, 4};
    uint8_t a[20], c[20];
    nnrp_cache_invalidate_meta_encode(&p.meta.cache_invalidate, a);
    nnrp_cache_invalidate_meta_encode(&want, c);
    CHECK_MEM(a, 20, c, 20);
    nnrp_packet_params pp = params_of(&p.header);
    CHECK_BUILD(nnrp_build_cache_invalidate(&pp, &want, sink), b, n);
  }
  free(b);
}

static void test_flow_and_hint_packets(void) {
  static const struct {
    const char *name;
    uint32_t session;
    uint16_t route;
    uint64_t trace;
    nnrp_flow_update_meta m;
  } flows[] = {
      {"current.packet.flow_update", 21, 6, 13,
       {.scope_kind = NNRP_FLOW_SCOPE_SESSION, .update_reason = NNRP_FLOW_CONGESTION,
        .backpressure_level = NNRP_BACKPRESSURE_HARD, .session_credit = 1,
        .retry_after_ms = 40, .credit_epoch = 5,
        .flags = NNRP_FLOW_CREDIT_VALID | NNRP_FLOW_RETRY_AFTER_VALID}},
      {"derived.packet.flow_update_connection_grant", 0, 0, 0,
       {.scope_kind = NNRP_FLOW_SCOPE_CONNECTION, .connection_credit = 2,
        .flags = NNRP_FLOW_CREDIT_VALID}},
      {"derived.packet.flow_update_operation_grant", 5, 0, 0,
       {.scope_kind = NNRP_FLOW_SCOPE_OPERATION, .operation_credit = 3,
        .operation_id = 0x0102030405060708ull, .credit_epoch = 9,
        .flags = NNRP_FLOW_CREDIT_VALID}},
  };
  for (size_t i = 0; i < sizeof(flows) / sizeof(flows[0]); i++) {
    size_t n;
    uint8_t *b = vec_hex(flows[i].name, &n);
    nnrp_packet p;
    if (decode_whole(&p, b, n, NNRP_MSG_FLOW_UPDATE) == 0) {
      CHECK_EQ(p.header.session_id, flows[i].session);
      CHECK_EQ(p.header.route_id, flows[i].route);
      CHECK(p.header.trace_id == flows[i].trace);
      uint8_t a[32], c[32];
      nnrp_flow_update_meta_encode(&p.meta.flow_update, a);
      CHECK_RC(nnrp_flow_update_meta_encode(&flows[i].m, c), 0);
      CHECK_MEM(a, 32, c, 32);
      nnrp_packet_params pp = params_of(&p.header);
      CHECK_BUILD(nnrp_build_flow_update(&pp, &flows[i].m, sink), b, n);
    }
    free(b);
  }

  size_t n;
  uint8_t *b = vec_hex("current.packet.result_hint", &n);
  nnrp_packet p;
  if (decode_whole(&p, b, n, NNRP_MSG_RESULT_HINT) == 0) {
    CHECK_EQ(p.header.frame_id, 303);
    CHECK_EQ(p.header.route_id, 7);
    const nnrp_result_hint_meta *m = &p.meta.result_hint;
    CHECK_EQ(m->applied_budget_policy, 3);
    CHECK_EQ(m->congestion_state, 3);
    CHECK_EQ(m->reason, 3);
    CHECK_EQ(m->retry_after_ms, 60);
    nnrp_packet_params pp = params_of(&p.header);
    CHECK_BUILD(nnrp_build_result_hint(&pp, m, sink), b, n);
  }
  free(b);
}

static void test_probe_and_migrate_packets(void) {
  size_t n;
  nnrp_packet p;
  uint8_t *b = vec_hex("derived.packet.transport_probe", &n);
  if (decode_whole(&p, b, n, NNRP_MSG_TRANSPORT_PROBE) == 0) {
    const nnrp_transport_probe_meta *m = &p.meta.transport_probe;
    CHECK_EQ(m->probe_id, 5);
    CHECK_EQ(m->probe_payload_bytes, 3);
    CHECK(m->client_send_ts_us == 123456789);
    CHECK_MEM(p.body.base, p.body.len, "\x01\x02\x03", 3);
    nnrp_transport_probe_meta want = {5, 0, 123456789};
    nnrp_packet_params pp = params_of(&p.header);
    CHECK_BUILD(nnrp_build_transport_probe(&pp, &want, (nnrp_vec){p.body.base, 3}, sink), b, n);
  }
  free(b);

  b = vec_hex("derived.packet.session_migrate", &n);
  if (decode_whole(&p, b, n, NNRP_MSG_SESSION_MIGRATE) == 0) {
    const nnrp_session_migrate_meta *m = &p.meta.session_migrate;
    CHECK_EQ(p.header.session_id, 41);
    CHECK_EQ(m->old_transport_id, NNRP_TRANSPORT_QUIC);
    CHECK_EQ(m->new_transport_id, NNRP_TRANSPORT_TCP);
    CHECK(m->last_result_frame_id == 77);
    CHECK(m->client_migrate_ts_us == 123456789);
    nnrp_packet_params pp = params_of(&p.header);
    CHECK_BUILD(nnrp_build_session_migrate(&pp, m, sink), b, n);
  }
  free(b);

  b = vec_hex("derived.packet.session_migrate_ack", &n);
  if (decode_whole(&p, b, n, NNRP_MSG_SESSION_MIGRATE_ACK) == 0) {
    const nnrp_session_migrate_ack_meta *m = &p.meta.session_migrate_ack;
    CHECK_EQ(m->accept_code, 0);
    CHECK(m->resume_from_frame_id == 77);
    CHECK_EQ(m->grace_window_ms, 250);
    CHECK(m->server_migrate_ts_us == 123456999);
    nnrp_packet_params pp = params_of(&p.header);
    CHECK_BUILD(nnrp_build_session_migrate_ack(&pp, m, sink), b, n);
  }
  free(b);

  /* TRANSPORT_PROBE_ACK has no packet vector: build from the metadata vector and read back. */
  size_t mn;
  uint8_t *meta = vec_hex("derived.metadata.transport_probe_ack.py_test", &mn);
  nnrp_transport_probe_ack_meta am = {17, 0, 223456789};
  nnrp_packet_params pp = {0};
  uint8_t buf[56];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_transport_probe_ack(&pp, &am, &s), 0);
  CHECK_EQ(s.len, 56);
  CHECK_MEM(buf + 40, 16, meta, mn);
  if (decode_whole(&p, buf, s.len, NNRP_MSG_TRANSPORT_PROBE_ACK) == 0)
    CHECK_EQ(p.meta.transport_probe_ack.probe_id, 17);
  free(meta);
}

/* The builders never copy payloads in scatter-gather mode: auth, objects, probe padding. */
static void test_builders_zero_copy(void) {
  static const uint8_t object[64] = {1, 2, 3};
  nnrp_cache_put_meta m = {1, 2, 3, NNRP_OBJECT_CAMERA_BLOCK, 1000, 0, 1, 0};
  nnrp_packet_params pp = {.session_id = 5};
  uint8_t scratch[80];
  nnrp_vec iov[4];
  nnrp_sink s;
  nnrp_sink_init_iov(&s, scratch, sizeof(scratch), iov, 4, 16);
  CHECK_RC(nnrp_build_cache_put(&pp, &m, (nnrp_vec){object, sizeof(object)}, &s), 0);
  CHECK_EQ(s.iov_count, 2);
  CHECK_EQ(iov[0].len, 72);
  CHECK(iov[1].base == object);
  CHECK_EQ(iov[1].len, 64);
  CHECK_EQ(s.total, 136);

  /* Too small a buffer: nothing useful written, total tells what is needed. */
  uint8_t small[50];
  nnrp_sink_init_buffer(&s, small, sizeof(small));
  CHECK_RC(nnrp_build_cache_put(&pp, &m, (nnrp_vec){object, sizeof(object)}, &s),
           NNRP_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(s.total, 136);
}

int main(void) {
  json_error_t err;
  vectors = json_load_file(test_vector_path("wire-control-hex-vectors.json"), 0, &err);
  if (!vectors) {
    fprintf(stderr, "cannot load vectors: %s\n", err.text);
    return 1;
  }
  RUN(test_client_hello_meta);
  RUN(test_server_hello_ack_meta);
  RUN(test_session_patch_meta);
  RUN(test_session_patch_ack_meta);
  RUN(test_profile_patch_block);
  RUN(test_error_meta);
  RUN(test_cache_meta);
  RUN(test_transport_meta);
  RUN(test_client_hello_packets);
  RUN(test_server_hello_ack_packet);
  RUN(test_session_patch_packets);
  RUN(test_error_and_close_packets);
  RUN(test_header_only_packets);
  RUN(test_cache_packets);
  RUN(test_flow_and_hint_packets);
  RUN(test_probe_and_migrate_packets);
  RUN(test_builders_zero_copy);
  json_decref(vectors);
  return TEST_REPORT();
}
