/*
 * The 13 binary packet vectors (the .bin files of shared/vectors): strict decode, every field
 * against the tables of wire-control §12.3 and wire-data §16.4, and re-encoding byte for byte —
 * through the matching control builder, and for the data plane through the metadata encoder plus
 * the raw packet encoder and through the data-plane builder fed with the decoded content.
 * result_push_stale.bin breaks S12 and must be rejected in both profiles.
 */
#include <libnnrp/wire.h>

#include "test.h"
#include "vec_data.h"

#define DECODE_EXACT (NNRP_DECODE_EXACT)
#define DECODE_PY (NNRP_DECODE_PY_COMPAT | NNRP_DECODE_EXACT)

typedef struct bin {
  uint8_t *data;
  size_t len;
} bin;

static bin load(const char *name) {
  bin b = {NULL, 0};
  b.data = test_read_file(test_vector_path(name), &b.len);
  if (!b.data) {
    fprintf(stderr, "cannot read %s\n", name);
    test_failures++;
  }
  return b;
}

/* Strict, whole-buffer decode; 0 when the packet decoded. */
static int decode(const bin *b, nnrp_packet *p) {
  nnrp_decode_options o = vec_opts(DECODE_EXACT);
  nnrp_diag d = {0, 0};
  memset(p, 0, sizeof(*p));
  int rc = nnrp_packet_decode(p, b->data, b->len, &o, &d);
  CHECK_RC(rc, 0);
  if (rc == 0) {
    CHECK_EQ(p->packet_len, b->len);
    CHECK_EQ(p->metadata.len, p->header.meta_len);
    CHECK_EQ(p->body.len, p->header.body_len);
    CHECK(p->metadata.base == b->data + 40);
    CHECK(p->body.base == b->data + 40 + p->header.meta_len);
    /* The PY-compatible profile accepts every valid packet too. */
    nnrp_packet q;
    nnrp_decode_options po = vec_opts(DECODE_PY);
    CHECK_RC(nnrp_packet_decode(&q, b->data, b->len, &po, NULL), 0);
  } else {
    fprintf(stderr, "  decode failed at offset %zu\n", d.offset);
  }
  return rc;
}

static void check_header(const nnrp_header *h, unsigned type, uint32_t flags, uint32_t meta,
                         uint32_t body, uint32_t session, uint32_t frame, uint16_t view,
                         uint16_t route, uint64_t trace) {
  CHECK_EQ(h->version_major, 1);
  CHECK_EQ(h->wire_format, 0);
  CHECK_EQ(h->header_len, 40);
  CHECK_EQ(h->msg_type, type);
  CHECK_EQ(h->flags, flags);
  CHECK_EQ(h->meta_len, meta);
  CHECK_EQ(h->body_len, body);
  CHECK_EQ(h->session_id, session);
  CHECK_EQ(h->frame_id, frame);
  CHECK_EQ(h->view_id, view);
  CHECK_EQ(h->route_id, route);
  CHECK(h->trace_id == trace);
}

static nnrp_packet_params params(const nnrp_header *h) {
  nnrp_packet_params p;
  memset(&p, 0, sizeof(p));
  p.session_id = h->session_id;
  p.frame_id = h->frame_id;
  p.view_id = h->view_id;
  p.route_id = h->route_id;
  p.trace_id = h->trace_id;
  p.flags = h->flags;
  return p;
}

static uint8_t out[8192];
static nnrp_sink sink;

static nnrp_sink *fresh_sink(void) {
  memset(out, 0xAA, sizeof(out));
  nnrp_sink_init_buffer(&sink, out, sizeof(out));
  return &sink;
}

/* The builder call just made into `sink` must have reproduced the file. */
#define CHECK_REBUILT(call, b)               \
  do {                                       \
    CHECK_RC((call), 0);                     \
    CHECK_MEM(out, sink.len, (b).data, (b).len); \
  } while (0)

static void check_profile_patch(const nnrp_profile_patch *pp) {
  CHECK_EQ(pp->min_width, 320);
  CHECK_EQ(pp->min_height, 180);
  CHECK_EQ(pp->max_width, 1920);
  CHECK_EQ(pp->max_height, 1080);
}

/* ---- control plane (wire-control §12.3) ---------------------------------------------------- */

static void test_client_hello(void) {
  bin b = load("client_hello.bin");
  nnrp_packet p;
  if (!b.data || decode(&b, &p)) goto done;
  CHECK_EQ(b.len, 104);
  check_header(&p.header, NNRP_MSG_CLIENT_HELLO, NNRP_FLAG_ACK_REQUIRED, 64, 0, 0, 0, 0, 0, 0);
  const nnrp_client_hello_meta *m = &p.meta.client_hello;
  CHECK_EQ(m->min_version_major, 1);
  CHECK_EQ(m->max_version_major, 1);
  CHECK_EQ(m->supported_wire_format_bitmap, 1);
  CHECK_EQ(m->supported_profile_bitmap, 1);
  CHECK_EQ(m->supported_payload_kind_bitmap, 1);
  CHECK_EQ(m->supported_codec_bitmap, 0x3);
  CHECK_EQ(m->supported_compression_bitmap, 0x3);
  CHECK_EQ(m->supported_dtype_bitmap, 0x21);
  CHECK_EQ(m->supported_layout_bitmap, 0x3);
  CHECK_EQ(m->cache_digest_bitmap, 1);
  CHECK_EQ(m->cache_object_bitmap, 7);
  CHECK_EQ(m->cache_namespace_count, 1);
  CHECK_EQ(m->max_lane_count, 2);
  CHECK_EQ(m->max_cache_entries, 64);
  CHECK_EQ(m->max_cache_bytes, 65536);
  CHECK_EQ(m->target_cadence_x100, 6000);
  CHECK_EQ(m->latency_budget_ms, 100);
  CHECK_EQ(m->quality_tier, 2);
  CHECK_EQ(m->degrade_policy, 0);
  CHECK_EQ(m->requested_session_id, 1);
  CHECK_EQ(m->auth_bytes, 0);
  CHECK_EQ(m->control_extension_bytes, 0);
  CHECK_EQ(p.hello.extensions.len, 0);
  CHECK_EQ(p.hello.auth.len, 0);
  CHECK_EQ(p.hello.extension_count, 0);
  CHECK_EQ(p.hello.present, 0);
  nnrp_packet_params pp = params(&p.header);
  nnrp_vec no_auth = {NULL, 0};
  CHECK_REBUILT(nnrp_build_client_hello(&pp, m, NULL, 0, no_auth, fresh_sink()), b);
done:
  free(b.data);
}

static void test_server_hello_ack(void) {
  bin b = load("server_hello_ack.bin");
  nnrp_packet p;
  if (!b.data || decode(&b, &p)) goto done;
  CHECK_EQ(b.len, 120);
  check_header(&p.header, NNRP_MSG_SERVER_HELLO_ACK, 0, 80, 0, 0, 0, 0, 0, 0);
  const nnrp_server_hello_ack_meta *m = &p.meta.server_hello_ack;
  CHECK_EQ(m->selected_version_major, 1);
  CHECK_EQ(m->selected_wire_format, 0);
  CHECK_EQ(m->auth_status, 0);
  CHECK_EQ(m->reserved0, 0);
  CHECK_EQ(m->session_id, 42);
  CHECK_EQ(m->accepted_profile_bitmap, 1);
  CHECK_EQ(m->accepted_payload_kind_bitmap, 1);
  CHECK_EQ(m->accepted_codec_bitmap, 0x1);
  CHECK_EQ(m->accepted_compression_bitmap, 0);
  CHECK_EQ(m->accepted_dtype_bitmap, 0x20);
  CHECK_EQ(m->accepted_layout_bitmap, 0x1);
  CHECK_EQ(m->cache_digest_bitmap, 0);
  CHECK_EQ(m->cache_object_bitmap, 0);
  CHECK_EQ(m->max_cache_entries, 0);
  CHECK_EQ(m->max_cache_bytes, 0);
  CHECK_EQ(m->max_lane_count, 1);
  CHECK_EQ(m->max_concurrent_frames, 8);
  CHECK_EQ(m->target_cadence_x100, 6000);
  CHECK_EQ(m->latency_budget_ms, 16);
  CHECK_EQ(m->quality_tier, 0);
  CHECK_EQ(m->degrade_policy, 0);
  CHECK_EQ(m->max_body_bytes, 1048576);
  CHECK_EQ(m->token_ttl_ms, 0);
  CHECK_EQ(m->retry_after_ms, 0);
  CHECK_EQ(m->control_extension_bytes, 0);
  CHECK_EQ(m->server_flags, 0);
  CHECK_EQ(p.hello.extension_count, 0);
  nnrp_packet_params pp = params(&p.header);
  CHECK_REBUILT(nnrp_build_server_hello_ack(&pp, m, NULL, 0, fresh_sink()), b);
done:
  free(b.data);
}

static void test_session_patch(void) {
  bin b = load("session_patch.bin");
  nnrp_packet p;
  if (!b.data || decode(&b, &p)) goto done;
  CHECK_EQ(b.len, 92);
  check_header(&p.header, NNRP_MSG_SESSION_PATCH, 0, 36, 16, 11, 0, 0, 0, 1);
  const nnrp_session_patch_meta *m = &p.meta.session_patch;
  CHECK_EQ(m->profile_id, 0);
  CHECK_EQ(m->reserved0, 0);
  CHECK_EQ(m->patch_mask, 0x51);
  CHECK_EQ(m->target_cadence_x100, 6000);
  CHECK_EQ(m->quality_tier, 2);
  CHECK_EQ(m->degrade_policy, 3);
  CHECK(m->active_lane_mask == 1);
  CHECK_EQ(m->preferred_codec_bitmap, 3);
  CHECK_EQ(m->preferred_compression_bitmap, 3);
  CHECK_EQ(m->profile_patch_bytes, 16);
  CHECK(p.has_profile_patch);
  check_profile_patch(&p.profile_patch);
  /* The block starts right after the 36-byte metadata, unpadded (wire-control §1). */
  CHECK(p.body.base == b.data + 76);
  nnrp_packet_params pp = params(&p.header);
  CHECK_REBUILT(nnrp_build_session_patch(&pp, m, &p.profile_patch, fresh_sink()), b);
done:
  free(b.data);
}

static void test_session_patch_ack(void) {
  bin b = load("session_patch_ack.bin");
  nnrp_packet p;
  if (!b.data || decode(&b, &p)) goto done;
  CHECK_EQ(b.len, 104);
  check_header(&p.header, NNRP_MSG_SESSION_PATCH_ACK, 0, 48, 16, 11, 0, 0, 0, 2);
  const nnrp_session_patch_ack_meta *m = &p.meta.session_patch_ack;
  CHECK_EQ(m->ack_status, NNRP_PATCH_PARTIALLY_APPLIED);
  CHECK_EQ(m->reject_reason, 3);
  CHECK_EQ(m->applied_patch_mask, 0x01);
  CHECK_EQ(m->rejected_patch_mask, 0x20);
  CHECK_EQ(m->retry_after_ms, 100);
  CHECK_EQ(m->effective_profile_id, 1);
  CHECK_EQ(m->reserved0, 0);
  CHECK_EQ(m->effective_target_cadence_x100, 6000);
  CHECK_EQ(m->effective_quality_tier, 2);
  CHECK_EQ(m->effective_degrade_policy, 1);
  CHECK(m->effective_lane_mask == 1);
  CHECK_EQ(m->effective_codec_bitmap, 1);
  CHECK_EQ(m->effective_compression_bitmap, 1);
  CHECK_EQ(m->profile_patch_ack_bytes, 16);
  CHECK(p.has_profile_patch);
  check_profile_patch(&p.profile_patch);
  nnrp_packet_params pp = params(&p.header);
  CHECK_REBUILT(nnrp_build_session_patch_ack(&pp, m, &p.profile_patch, fresh_sink()), b);
done:
  free(b.data);
}

static void test_cache_put(void) {
  bin b = load("cache_put.bin");
  nnrp_packet p;
  if (!b.data || decode(&b, &p)) goto done;
  CHECK_EQ(b.len, 75);
  check_header(&p.header, NNRP_MSG_CACHE_PUT, 0, 32, 3, 5, 0, 0, 0, 0);
  const nnrp_cache_put_meta *m = &p.meta.cache_put;
  CHECK_EQ(m->cache_namespace, 1);
  CHECK_EQ(m->cache_key_hi, 2);
  CHECK_EQ(m->cache_key_lo, 3);
  CHECK_EQ(m->object_kind, NNRP_OBJECT_CAMERA_BLOCK);
  CHECK_EQ(m->ttl_ms, 1000);
  CHECK_EQ(m->object_bytes, 3);
  CHECK_EQ(m->codec_bitmap, 1);
  CHECK_EQ(m->flags, NNRP_CACHE_PUT_PINNED);
  static const uint8_t object[] = {0x09, 0x08, 0x07};
  CHECK_MEM(p.body.base, p.body.len, object, sizeof(object));
  nnrp_packet_params pp = params(&p.header);
  CHECK_REBUILT(nnrp_build_cache_put(&pp, m, p.body, fresh_sink()), b);
done:
  free(b.data);
}

static void test_cache_ack(void) {
  bin b = load("cache_ack.bin");
  nnrp_packet p;
  if (!b.data || decode(&b, &p)) goto done;
  CHECK_EQ(b.len, 68);
  check_header(&p.header, NNRP_MSG_CACHE_ACK, 0, 28, 0, 5, 0, 0, 0, 0);
  const nnrp_cache_ack_meta *m = &p.meta.cache_ack;
  CHECK_EQ(m->cache_namespace, 1);
  CHECK_EQ(m->cache_key_hi, 2);
  CHECK_EQ(m->cache_key_lo, 3);
  CHECK_EQ(m->status, NNRP_CACHE_REPLACED);
  CHECK_EQ(m->accepted_ttl_ms, 900);
  CHECK_EQ(m->max_object_bytes, 1024);
  CHECK_EQ(m->detail_code, 7);
  nnrp_packet_params pp = params(&p.header);
  CHECK_REBUILT(nnrp_build_cache_ack(&pp, m, fresh_sink()), b);
done:
  free(b.data);
}

static void test_cache_invalidate(void) {
  bin b = load("cache_invalidate.bin");
  nnrp_packet p;
  if (!b.data || decode(&b, &p)) goto done;
  CHECK_EQ(b.len, 60);
  check_header(&p.header, NNRP_MSG_CACHE_INVALIDATE, 0, 20, 0, 5, 0, 0, 0, 0);
  const nnrp_cache_invalidate_meta *m = &p.meta.cache_invalidate;
  CHECK_EQ(m->invalidate_scope, NNRP_CACHE_SCOPE_NAMESPACE);
  CHECK_EQ(m->cache_namespace, 1);
  CHECK_EQ(m->cache_key_hi, 2);
  CHECK_EQ(m->cache_key_lo, 3);
  CHECK_EQ(m->reason_code, 4);
  nnrp_packet_params pp = params(&p.header);
  CHECK_REBUILT(nnrp_build_cache_invalidate(&pp, m, fresh_sink()), b);
done:
  free(b.data);
}

static void test_error(void) {
  bin b = load("error.bin");
  nnrp_packet p;
  if (!b.data || decode(&b, &p)) goto done;
  CHECK_EQ(b.len, 72);
  check_header(&p.header, NNRP_MSG_ERROR, 0, 32, 0, 1, 0, 0, 0, 0);
  const nnrp_error_meta *m = &p.meta.error;
  CHECK_EQ(m->error_code, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY);
  CHECK_EQ(m->error_scope, NNRP_SCOPE_SESSION);
  CHECK_EQ(m->is_fatal, 1);
  CHECK_EQ(m->retry_after_ms, 0);
  CHECK_EQ(m->related_session_id, 0);
  CHECK_EQ(m->related_frame_id, 0);
  CHECK_EQ(m->related_view_id, 0);
  CHECK_EQ(m->diagnostic_bytes, 0);
  nnrp_packet_params pp = params(&p.header);
  nnrp_vec no_text = {NULL, 0};
  CHECK_REBUILT(nnrp_build_error(&pp, m, no_text, fresh_sink()), b);
done:
  free(b.data);
}

static void test_result_drop(void) {
  bin b = load("result_drop.bin");
  nnrp_packet p;
  if (!b.data || decode(&b, &p)) goto done;
  CHECK_EQ(b.len, 40);
  check_header(&p.header, NNRP_MSG_RESULT_DROP, NNRP_FLAG_CAN_DROP, 0, 0, 100, 5, 0, 0,
               0xFFFFFFFFu);
  nnrp_packet_params pp = params(&p.header);
  CHECK_REBUILT(nnrp_build_result_drop(&pp, fresh_sink()), b);
  CHECK_REBUILT(nnrp_build_header_only(&pp, NNRP_MSG_RESULT_DROP, fresh_sink()), b);
done:
  free(b.data);
}

/* ---- data plane (wire-data §16.4) ---------------------------------------------------------- */

/* Metadata encoder + raw packet encoder, then the builder fed with the decoded content. */
static void check_data_reencode(const bin *b, const nnrp_packet *p) {
  uint8_t meta[72];
  if (p->header.msg_type == NNRP_MSG_FRAME_SUBMIT)
    CHECK_RC(nnrp_frame_submit_meta_encode(&p->meta.frame_submit, meta), 0);
  else
    CHECK_RC(nnrp_result_push_meta_encode(&p->meta.result_push, meta), 0);
  CHECK_MEM(meta, p->metadata.len, p->metadata.base, p->metadata.len);
  nnrp_vec mv = {meta, p->metadata.len};
  CHECK_REBUILT(nnrp_packet_encode_raw(&p->header, mv, p->body, fresh_sink()), *b);

  vec_ctx c;
  vec_ctx_init(&c, "rebuild");
  nnrp_vec rebuilt;
  const char *how;
  int rc = vec_rebuild(&c, p, &rebuilt, &how);
  CHECK_EQ(rc, VEC_REBUILT);
  if (rc < 0) fprintf(stderr, "  %s: %s\n", how, nnrp_err_name(rc) ? nnrp_err_name(rc) : "?");
  if (rc == VEC_REBUILT) CHECK_MEM(rebuilt.base, rebuilt.len, b->data, b->len);
  CHECK_EQ(c.errors, 0);
  vec_ctx_free(&c);
}

/* Tile ids of the decoded body under the metadata mode. */
static size_t tile_ids(const nnrp_packet *p, unsigned mode, size_t count, uint32_t base,
                       uint32_t *ids, size_t cap) {
  nnrp_tile_iter it;
  uint32_t id;
  size_t n = 0;
  nnrp_tile_iter_init(&it, p->data.tile_index.base, p->data.tile_index.len, mode, count, base);
  while (nnrp_tile_iter_next(&it, &id)) {
    if (n < cap) ids[n] = id;
    n++;
  }
  return n;
}

/* The single section of a body: descriptor fields, tile lengths and per-tile payloads. */
static int only_section(const nnrp_packet *p, nnrp_section_view *v) {
  nnrp_section_iter it;
  CHECK_EQ(p->data.section_count, 1);
  nnrp_section_iter_init(&it, p->data.sections.base, p->data.sections.len,
                         p->data.section_count);
  int got = nnrp_section_iter_next(&it, v);
  CHECK(got == 1);
  if (got != 1) return -1;
  nnrp_section_view extra;
  CHECK(nnrp_section_iter_next(&it, &extra) == 0);
  return 0;
}

static void test_frame_submit_changed_tiles(void) {
  bin b = load("frame_submit_changed_tiles.bin");
  nnrp_packet p;
  if (!b.data || decode(&b, &p)) goto done;
  CHECK_EQ(b.len, 171);
  check_header(&p.header, NNRP_MSG_FRAME_SUBMIT, 0, 72, 59, 9, 15, 1, 0, 88);
  const nnrp_frame_submit_meta *m = &p.meta.frame_submit;
  CHECK_EQ(m->src_width, 640);
  CHECK_EQ(m->src_height, 360);
  CHECK_EQ(m->tile_width, 32);
  CHECK_EQ(m->tile_height, 32);
  CHECK_EQ(m->tile_count, 2);
  CHECK_EQ(m->section_count, 1);
  CHECK_EQ(m->frame_class, NNRP_FRAME_DELTA);
  CHECK_EQ(m->input_profile, NNRP_INPUT_CHANGED_TILES_LUMA);
  CHECK_EQ(m->tile_index_mode, NNRP_TILE_RAW_U16);
  CHECK_EQ(m->latency_budget_ms, 33);
  CHECK_EQ(m->target_fps_x100, 6000);
  CHECK_EQ(m->retry_of_frame, 7);
  CHECK_EQ(m->dependency_frame_id, 7); /* wire-data §15 D15 */
  CHECK_EQ(m->tile_base_id, 0);
  CHECK_EQ(m->camera_bytes, 2);
  CHECK_EQ(m->tile_index_bytes, 4);
  CHECK_EQ(m->submit_mode, NNRP_SUBMIT_INLINE);
  CHECK_EQ(m->budget_policy, 0);
  CHECK_EQ(m->loss_tolerance_policy, NNRP_LOSS_INHERIT);
  CHECK_EQ(m->object_ref_mask, 0);
  CHECK_EQ(m->payload_kind_bitmap, NNRP_PAYLOAD_TENSOR);
  CHECK_EQ(m->payload_frame_count, 0);
  CHECK_EQ(p.data.family, NNRP_BODY_LEGACY);
  static const uint8_t camera[] = {0xca, 0xfe};
  CHECK_MEM(p.data.camera.base, p.data.camera.len, camera, sizeof(camera));
  uint32_t ids[4];
  CHECK_EQ(tile_ids(&p, m->tile_index_mode, m->tile_count, m->tile_base_id, ids, 4), 2);
  CHECK_EQ(ids[0], 1);
  CHECK_EQ(ids[1], 9);
  nnrp_section_view v;
  if (only_section(&p, &v) == 0) {
    CHECK_EQ(v.desc.role_id, 1);
    CHECK_EQ(v.desc.dtype_id, NNRP_DTYPE_UINT8);
    CHECK_EQ(v.desc.element_count_per_tile, 1);
    CHECK_EQ(v.tile_count, 2);
    CHECK_EQ(nnrp_section_tile_length(&v, 0), 1);
    CHECK_EQ(nnrp_section_tile_length(&v, 1), 2);
    static const uint8_t payload[] = {0xaa, 0xbb, 0xcc};
    CHECK_MEM(v.payload, v.desc.payload_bytes, payload, sizeof(payload));
  }
  check_data_reencode(&b, &p);
done:
  free(b.data);
}

static void test_frame_submit_dense(void) {
  bin b = load("frame_submit_dense.bin");
  nnrp_packet p;
  if (!b.data || decode(&b, &p)) goto done;
  CHECK_EQ(b.len, 3260);
  check_header(&p.header, NNRP_MSG_FRAME_SUBMIT, 0, 72, 3260 - 112, 0x100, 1, 0, 0,
               UINT64_C(0xABBABABBA));
  const nnrp_frame_submit_meta *m = &p.meta.frame_submit;
  CHECK_EQ(m->src_width, 64);
  CHECK_EQ(m->src_height, 64);
  CHECK_EQ(m->tile_width, 32);
  CHECK_EQ(m->tile_height, 32);
  CHECK_EQ(m->tile_count, 3);
  CHECK_EQ(m->section_count, 1);
  CHECK_EQ(m->frame_class, NNRP_FRAME_KEYFRAME);
  CHECK_EQ(m->input_profile, NNRP_INPUT_CHANGED_TILES_LUMA);
  CHECK_EQ(m->tile_index_mode, NNRP_TILE_RAW_U16);
  CHECK_EQ(m->latency_budget_ms, 16);
  CHECK_EQ(m->camera_bytes, 22);
  CHECK_EQ(m->tile_index_bytes, 6);
  CHECK_EQ(m->submit_mode, NNRP_SUBMIT_INLINE);
  CHECK_EQ(m->payload_kind_bitmap, NNRP_PAYLOAD_TENSOR);
  CHECK_EQ(p.data.family, NNRP_BODY_LEGACY);
  CHECK_EQ(p.data.camera.len, 22);
  if (p.data.camera.len == 22) {
    CHECK(memcmp(p.data.camera.base, "NRCM", 4) == 0);
    /* wire-data §16.4 / §13.3: an NRCM camera with zero arrays. */
  }
  uint32_t ids[4];
  CHECK_EQ(tile_ids(&p, m->tile_index_mode, m->tile_count, m->tile_base_id, ids, 4), 3);
  CHECK_EQ(ids[0], 0);
  CHECK_EQ(ids[1], 1);
  CHECK_EQ(ids[2], 2);
  nnrp_section_view v;
  if (only_section(&p, &v) == 0) {
    CHECK_EQ(v.desc.role_id, 5);
    CHECK_EQ(v.desc.dtype_id, NNRP_DTYPE_UINT8);
    CHECK_EQ(v.tile_count, 3);
    CHECK_EQ(v.desc.payload_bytes, 3072);
    static const uint8_t fill[3] = {7, 9, 11};
    nnrp_section_tile_iter ti;
    nnrp_vec tile;
    size_t k = 0;
    nnrp_section_tile_iter_init(&ti, &v);
    while (nnrp_section_tile_iter_next(&ti, &tile)) {
      CHECK_EQ(tile.len, 1024);
      if (k < 3 && tile.len == 1024) {
        size_t bad = 0;
        for (size_t i = 0; i < 1024; i++) bad += tile.base[i] != fill[k];
        CHECK_EQ(bad, 0);
      }
      k++;
    }
    CHECK_EQ(k, 3);
  }
  check_data_reencode(&b, &p);
done:
  free(b.data);
}

static void test_result_push_fresh(void) {
  bin b = load("result_push_fresh.bin");
  nnrp_packet p;
  if (!b.data || decode(&b, &p)) goto done;
  CHECK_EQ(b.len, 159);
  check_header(&p.header, NNRP_MSG_RESULT_PUSH, 0, 64, 55, 0x200, 1, 0, 0, 0);
  const nnrp_result_push_meta *m = &p.meta.result_push;
  CHECK_EQ(m->status_code, 0);
  CHECK_EQ(m->result_flags, 0);
  CHECK_EQ(m->section_count, 1);
  CHECK_EQ(m->tile_count, 3);
  CHECK_EQ(m->active_profile_id, 1);
  CHECK_EQ(m->inference_ms, 2);
  CHECK_EQ(m->queue_ms, 1);
  CHECK_EQ(m->server_total_ms, 4);
  CHECK_EQ(m->tile_index_bytes, 6);
  CHECK_EQ(m->result_class, NNRP_RESULT_COMPLETE);
  CHECK_EQ(m->covered_tile_count, 3);
  CHECK_EQ(m->dropped_tile_count, 0);
  CHECK_EQ(m->payload_kind_bitmap, NNRP_PAYLOAD_TENSOR);
  CHECK_EQ(nnrp_result_tile_mode(m), NNRP_TILE_RAW_U16);
  CHECK_EQ(p.data.family, NNRP_BODY_LEGACY);
  uint32_t ids[4];
  CHECK_EQ(tile_ids(&p, nnrp_result_tile_mode(m), m->tile_count, m->tile_base_id, ids, 4), 3);
  CHECK_EQ(ids[0], 0);
  CHECK_EQ(ids[1], 1);
  CHECK_EQ(ids[2], 2);
  nnrp_section_view v;
  if (only_section(&p, &v) == 0) {
    CHECK_EQ(v.desc.role_id, 0x0100);
    CHECK_EQ(v.desc.dtype_id, NNRP_DTYPE_UINT8);
    CHECK_EQ(v.tile_count, 3);
    for (size_t i = 0; i < 3 && v.tile_count == 3; i++)
      CHECK_EQ(nnrp_section_tile_length(&v, i), 1);
    static const uint8_t payload[] = {0x10, 0x20, 0x30};
    CHECK_MEM(v.payload, v.desc.payload_bytes, payload, sizeof(payload));
  }
  check_data_reencode(&b, &p);
done:
  free(b.data);
}

/* CS-valid, PY-invalid (wire-data §15 D2): S12 in both profiles. */
static void test_result_push_stale(void) {
  bin b = load("result_push_stale.bin");
  if (!b.data) return;
  CHECK_EQ(b.len, 202);
  static const uint32_t profiles[] = {0, NNRP_DECODE_EXACT, NNRP_DECODE_PY_COMPAT,
                                      NNRP_DECODE_PY_COMPAT | NNRP_DECODE_EXACT};
  for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
    nnrp_packet p;
    nnrp_decode_options o = vec_opts(profiles[i]);
    nnrp_diag d = {0, 0};
    CHECK_RC(nnrp_packet_decode(&p, b.data, b.len, &o, &d), NNRP_ERR_SECTION_PAYLOAD_SUM);
    CHECK_EQ(d.error, NNRP_ERR_SECTION_PAYLOAD_SUM);
    /* The broken section starts at 40 + 64 + align8(4 tile index bytes) = 112. */
    CHECK(d.offset >= 112 && d.offset < b.len);
  }
  CHECK(strcmp(nnrp_err_rule(NNRP_ERR_SECTION_PAYLOAD_SUM), "wire-data 6.2 S12") == 0);
  /* Header and metadata are fine; their fields are the ones wire-data §16.4 lists. */
  nnrp_header h;
  CHECK_RC(nnrp_header_decode(&h, b.data, b.len, NULL), 0);
  check_header(&h, NNRP_MSG_RESULT_PUSH, 0, 64, 98, 0x2C, 0x5B, 7, 0x54, 0x7B);
  nnrp_result_push_meta m;
  CHECK_RC(nnrp_result_push_meta_decode(&m, b.data + 40, 64, 0), 0);
  CHECK_EQ(m.result_flags, NNRP_RESULT_FLAG_STALE | NNRP_RESULT_FLAG_PARTIAL);
  CHECK_EQ(m.result_class, NNRP_RESULT_PARTIAL);
  CHECK_EQ(m.applied_budget_policy, 0);
  CHECK_EQ(m.covered_tile_count, 1);
  CHECK_EQ(m.dropped_tile_count, 1);
  CHECK_EQ(m.tile_count, 2);
  CHECK_EQ(m.section_count, 2);
  CHECK_EQ(m.tile_index_bytes, 4);
  /* Tile ids (5, 6) RAW_U16 at the start of the body. */
  CHECK_RC(nnrp_tile_index_validate(b.data + 104, 4, NNRP_TILE_RAW_U16, 2, 0, 0), 0);
  nnrp_tile_iter it;
  uint32_t id0 = 0, id1 = 0;
  nnrp_tile_iter_init(&it, b.data + 104, 4, NNRP_TILE_RAW_U16, 2, 0);
  CHECK(nnrp_tile_iter_next(&it, &id0) == 1);
  CHECK(nnrp_tile_iter_next(&it, &id1) == 1);
  CHECK_EQ(id0, 5);
  CHECK_EQ(id1, 6);
  free(b.data);
}

int main(void) {
  RUN(test_client_hello);
  RUN(test_server_hello_ack);
  RUN(test_session_patch);
  RUN(test_session_patch_ack);
  RUN(test_cache_put);
  RUN(test_cache_ack);
  RUN(test_cache_invalidate);
  RUN(test_error);
  RUN(test_result_drop);
  RUN(test_frame_submit_changed_tiles);
  RUN(test_frame_submit_dense);
  RUN(test_result_push_fresh);
  RUN(test_result_push_stale);
  return TEST_REPORT();
}
