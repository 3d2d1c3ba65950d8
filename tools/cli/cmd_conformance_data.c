/*
 * L1 data-plane cases (cases/l1-data-plane.json; session spec 8.4).  Parse and re-emit are
 * codec work: a packet is decoded by the strict decoder, fed back to the matching builder from
 * its decoded content only, and must come out byte for byte; invalid combinations must be
 * rejected with their rule's code.  Resolving references against the session cache and
 * delivering results to a host are checked afterwards on two engines in memory
 * (cmd_conformance_session.c).
 */
#include <stdlib.h>
#include <string.h>

#include "conformance_data.h"

static void st16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

/* ---- shared tensor content ------------------------------------------------------------------- */

static uint8_t tile_bytes[2][4][16];
static nnrp_vec tiles[2][4];
static nnrp_tensor_section_data two_sections[2]; /* role_id 1 and 5, four 16-byte tiles each */
nnrp_tensor_section_data conf_two_tiles;          /* role_id 1, two tiles */

static void tensor_init(void) {
  for (int s = 0; s < 2; s++) {
    for (int t = 0; t < 4; t++) {
      for (int i = 0; i < 16; i++) tile_bytes[s][t][i] = (uint8_t)(s * 64 + t * 16 + i);
      tiles[s][t] = (nnrp_vec){tile_bytes[s][t], 16};
    }
    memset(&two_sections[s], 0, sizeof(two_sections[s]));
    two_sections[s].role_id = s ? 5 : 1;
    two_sections[s].dtype_id = NNRP_DTYPE_FP16;
    two_sections[s].element_count_per_tile = 8;
    two_sections[s].tile_payloads = tiles[s];
    two_sections[s].tile_payload_count = 4;
  }
  conf_two_tiles = two_sections[0];
  conf_two_tiles.tile_payload_count = 2;
}

/* ---- FRAME_SUBMIT
 * -------------------------------------------------------------------------------- */

static void submit_input(nnrp_frame_submit_input *in, const uint16_t *ids, unsigned mode,
                         uint32_t base) {
  nnrp_frame_submit_input_init(in);
  in->packet = (nnrp_packet_params){7, 42, 3, 0, 1001, NNRP_FLAG_ACK_REQUIRED};
  in->src_width = 640, in->src_height = 360, in->tile_width = 32, in->tile_height = 32;
  in->tile_ids = ids, in->tile_id_count = 4, in->tile_index_mode = (uint8_t)mode;
  in->tile_base_id = base, in->sections = two_sections, in->section_count = 2;
  in->input_profile = NNRP_INPUT_CHANGED_TILES_LUMA, in->latency_budget_ms = 50;
}

/* Byte offset in the packet of the second section's role_id. */
static size_t second_role_offset(const packet *pk, const nnrp_packet *p) {
  nnrp_section_desc d;
  nnrp_section_desc_decode(&d, p->data.sections.base);
  size_t first =
      NNRP_SECTION_DESC_LEN + (size_t)d.codec_table_bytes + d.length_table_bytes + d.payload_bytes;
  return (size_t)(p->data.sections.base - pk->b) + nnrp_align8(first);
}

static size_t role_at;
static void swap_roles(packet *p) {
  st16(p->b + role_at, 1);
} /* second role equals the first */

conf_outcome conf_l1_frame_submit(conf_case *c) {
  static packet pk;
  static nnrp_packet p;
  static nnrp_frame_submit_input in;
  tensor_init();

  conf_note(c, "the reference SDK's FRAME_SUBMIT packets");
  conf_reference_packet(c, "frame_submit_dense.bin", &pk, &p);
  conf_reference_packet(c, "frame_submit_changed_tiles.bin", &pk, &p);

  conf_note(c, "two sections (role_id 1, 5) under every tile index mode");
  static const uint16_t dense[4] = {3, 4, 5, 6}, sparse[4] = {2, 5, 9, 200};
  static const char *const mode_names[4] = {"DENSE_RANGE", "RAW_U16", "DELTA_U16", "BITSET"};
  for (unsigned mode = 0; mode < 4; mode++) {
    const uint16_t *ids = mode == NNRP_TILE_DENSE_RANGE ? dense : sparse;
    nnrp_sink s;
    submit_input(&in, ids, mode, mode == NNRP_TILE_DENSE_RANGE ? 3 : 0);
    nnrp_sink_init_buffer(&s, pk.b, sizeof(pk.b));
    if (conf_check_rc(c, built(&pk, &s, nnrp_build_frame_submit(&in, &s)), 0, mode_names[mode]) &&
        conf_parse_emit(c, mode_names[mode], &pk, &p)) {
      conf_check(c, p.meta.frame_submit.tile_index_mode == mode, "%s: mode kept", mode_names[mode]);
      conf_check_layout(c, mode_names[mode], &p, ids, 4, two_sections, 2);
      if (mode == NNRP_TILE_RAW_U16) {
        role_at = second_role_offset(&pk, &p);
        conf_rejects(c, "sections whose role_id does not increase", &pk, swap_roles,
                     NNRP_ERR_SECTION_ORDER);
      }
    }
  }
  nnrp_tensor_section_data reversed[2] = {two_sections[1], two_sections[0]};
  submit_input(&in, sparse, NNRP_TILE_RAW_U16, 0);
  in.sections = reversed;
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, pk.b, sizeof(pk.b));
  conf_check_rc(c, nnrp_build_frame_submit(&in, &s), NNRP_ERR_SECTION_ORDER,
                "build with sections in decreasing role_id order");

  conf_note(c, "mixed submit mode: camera and tile index referenced, in slot order");
  submit_input(&in, sparse, NNRP_TILE_RAW_U16, 0);
  in.submit_mode = NNRP_SUBMIT_MIXED;
  in.object_ref_mask = NNRP_REF_CAMERA_BLOCK | NNRP_REF_TILE_INDEX_BLOCK;
  in.camera_reference = &camera_ref, in.tile_index_reference = &tile_ref;
  in.budget_policy = NNRP_BUDGET_ALLOW_PARTIAL | NNRP_BUDGET_ALLOW_DEGRADED;
  in.dependency_frame_id = 41;
  nnrp_sink_init_buffer(&s, pk.b, sizeof(pk.b));
  if (conf_check_rc(c, built(&pk, &s, nnrp_build_frame_submit(&in, &s)), 0, "mixed-mode submit") &&
      conf_parse_emit(c, "mixed-mode submit", &pk, &p)) {
    const nnrp_frame_submit_meta *m = &p.meta.frame_submit;
    conf_check(c,
               m->submit_mode == NNRP_SUBMIT_MIXED && m->object_ref_mask == 0x3 &&
                   m->dependency_frame_id == 41 && m->budget_policy == 0x5,
               "mixed metadata kept: submit_mode %u, object_ref_mask 0x%x", m->submit_mode,
               m->object_ref_mask);
    conf_check(c,
               p.data.reference_count == 2 &&
                   !memcmp(&p.data.refs[0], &camera_ref, sizeof(camera_ref)) &&
                   !memcmp(&p.data.refs[1], &tile_ref, sizeof(tile_ref)),
               "reference region in slot order: camera, then tile index");
    conf_check_layout(c, "mixed-mode submit", &p, sparse, 4, two_sections, 2);
  }

  conf_note(c, "mixed payloads: the tensor and a structured event frame, inline");
  nnrp_typed_frame frame = {NNRP_PAYLOAD_STRUCTURED_EVENT, 0, 2, text("{\"type\":\"pose\"}")};
  submit_input(&in, sparse, NNRP_TILE_RAW_U16, 0);
  in.frames = &frame, in.frame_count = 1;
  nnrp_sink_init_buffer(&s, pk.b, sizeof(pk.b));
  if (conf_check_rc(c, built(&pk, &s, nnrp_build_frame_submit_mixed(&in, &s)), 0,
                    "tensor + typed submit") &&
      conf_parse_emit(c, "tensor + typed submit", &pk, &p)) {
    nnrp_typed_frame got;
    nnrp_data_body_typed_frame(&p.data, 0, &got);
    conf_check(c,
               p.data.typed_frame_count == 1 && got.payload.len == frame.payload.len &&
                   !memcmp(got.payload.base, frame.payload.base, got.payload.len) &&
                   p.meta.frame_submit.payload_kind_bitmap == 0x11,
               "typed event frame kept beside the tensor, payload_kind_bitmap 0x%x",
               p.meta.frame_submit.payload_kind_bitmap);
    conf_check_layout(c, "tensor + typed submit", &p, sparse, 4, two_sections, 2);
  }

  conf_note(c, "invalid object combinations (wire-data 9.3 M1-M11)");
  conf_m_rules(c);
  return conf_codec_outcome(c);
}

/* ---- RESULT_PUSH
 * --------------------------------------------------------------------------------- */

static void result_input(nnrp_result_push_input *in, const uint16_t *ids) {
  nnrp_result_push_input_init(in);
  in->packet = (nnrp_packet_params){7, 42, 3, 0, 1001, 0};
  in->tile_ids = ids, in->tile_id_count = 4;
  in->sections = two_sections, in->section_count = 1;
  in->inference_ms = 12, in->queue_ms = 1, in->server_total_ms = 14;
}

static void cov_covered5(packet *p) {
  st16(p->b + 40 + 52, 5);
}
static void cov_dropped5(packet *p) {
  st16(p->b + 40 + 54, 5);
}
static void cov_sum(packet *p) {
  st16(p->b + 40 + 52, 2);
}
static void cov_partial(packet *p) {
  st16(p->b + 40 + 52, 4);
  st16(p->b + 40 + 54, 0);
}

conf_outcome conf_l1_result_push(conf_case *c) {
  static packet pk, partial;
  static nnrp_packet p;
  static nnrp_result_push_input in;
  static const uint16_t ids[4] = {10, 11, 12, 13};
  nnrp_sink s;
  tensor_init();

  conf_note(c, "the reference SDK's RESULT_PUSH packets");
  conf_reference_packet(c, "result_push_fresh.bin", &pk, &p);
  size_t len = 0;
  uint8_t *stale = conf_read_vector(c, "result_push_stale.bin", &len);
  if (stale)
    conf_check_rc(c, nnrp_packet_decode(&p, stale, len, &strict, NULL),
                  NNRP_ERR_SECTION_PAYLOAD_SUM,
                  "result_push_stale.bin (length table over a short payload, wire-data 15 D2)");
  free(stale);

  conf_note(c, "partial result: 3 of 4 tiles covered, 1 dropped");
  result_input(&in, ids);
  in.covered_tile_count = 3, in.dropped_tile_count = 1;
  nnrp_sink_init_buffer(&s, partial.b, sizeof(partial.b));
  if (conf_check_rc(c, built(&partial, &s, nnrp_build_result_push_partial(&in, &s)), 0,
                    "partial result") &&
      conf_parse_emit(c, "partial result", &partial, &p)) {
    const nnrp_result_push_meta *m = &p.meta.result_push;
    conf_check(c,
               m->result_class == NNRP_RESULT_PARTIAL &&
                   m->result_flags == NNRP_RESULT_FLAG_PARTIAL &&
                   m->applied_budget_policy == NNRP_BUDGET_ALLOW_PARTIAL &&
                   m->covered_tile_count == 3 && m->dropped_tile_count == 1 &&
                   m->covered_tile_count + m->dropped_tile_count == m->tile_count,
               "class partial, covered %u + dropped %u = tile_count %u", m->covered_tile_count,
               m->dropped_tile_count, m->tile_count);
    conf_check_layout(c, "partial result", &p, ids, 4, two_sections, 1);
  }

  conf_note(c, "stale-reuse result naming frame 41");
  result_input(&in, ids);
  in.reused_frame_id = 41;
  nnrp_sink_init_buffer(&s, pk.b, sizeof(pk.b));
  if (conf_check_rc(c, built(&pk, &s, nnrp_build_result_push_stale_reuse(&in, &s)), 0,
                    "stale-reuse result") &&
      conf_parse_emit(c, "stale-reuse result", &pk, &p)) {
    const nnrp_result_push_meta *m = &p.meta.result_push;
    conf_check(c,
               m->result_class == NNRP_RESULT_STALE_REUSE && m->reused_frame_id == 41 &&
                   m->result_flags == NNRP_RESULT_FLAG_STALE &&
                   m->applied_budget_policy == NNRP_BUDGET_ALLOW_STALE_REUSE,
               "class stale_reuse, reused_frame_id %u", m->reused_frame_id);
    conf_check_layout(c, "stale-reuse result", &p, ids, 4, two_sections, 1);
  }

  conf_note(c, "coverage violations (wire-data 11 C2-C5)");
  conf_rejects(c, "C2 covered 5 of 4 tiles", &partial, cov_covered5, NNRP_ERR_COVERAGE_COVERED);
  conf_rejects(c, "C3 dropped 5 of 4 tiles", &partial, cov_dropped5, NNRP_ERR_COVERAGE_DROPPED);
  conf_rejects(c, "C4 covered 2 + dropped 1 != 4", &partial, cov_sum, NNRP_ERR_COVERAGE_SUM);
  conf_rejects(c, "C5 partial result without dropped tiles", &partial, cov_partial,
               NNRP_ERR_COVERAGE_PARTIAL);
  result_input(&in, ids);
  in.covered_tile_count = 3, in.dropped_tile_count = 0;
  nnrp_sink_init_buffer(&s, pk.b, sizeof(pk.b));
  conf_check_rc(c, nnrp_build_result_push_partial(&in, &s), NNRP_ERR_COVERAGE_SUM,
                "build a partial result with covered 3 + dropped 0 != 4");

  conf_note(c, "(session) the same messages in a running session, two engines in memory");
  conf_l1_result_session(c);
  return conf_codec_outcome(c);
}

/* ---- object references in results
 * ---------------------------------------------------------------- */

static void swap_refs(packet *p) {
  /* The reference region follows the prelude and the inline objects. */
  uint8_t *body = p->b + 40 + NNRP_RESULT_PUSH_META_LEN, tmp[16];
  nnrp_prelude pre;
  nnrp_prelude_decode(&pre, body);
  uint8_t *r = body + NNRP_PRELUDE_LEN + pre.inline_object_bytes;
  memcpy(tmp, r, 16);
  memcpy(r, r + 16, 16);
  memcpy(r + 16, tmp, 16);
}

conf_outcome conf_l1_object_reference(conf_case *c) {
  static packet pk;
  static nnrp_packet p;
  static nnrp_result_push_input in;
  static const uint16_t ids[4] = {10, 11, 12, 13};
  const nnrp_object_ref refs[2] = {{NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 7, 0x11223344, 0x55667788},
                                   {NNRP_OBJECT_REUSABLE_RESULT_OBJECT, 0, 7, 0, 1}};
  nnrp_sink s;
  tensor_init();

  /* A token chunk beside the tensor makes the metadata announce a region body; a TENSOR-only
   * result with references (the replay export form) is decoded legacy first (wire-data 5). */
  const nnrp_typed_frame token = {NNRP_PAYLOAD_TOKEN_CHUNK, 0, 1, text("partial")};
  conf_note(c, "composite (region-body) partial result with two cache references");
  result_input(&in, ids);
  in.covered_tile_count = 3, in.dropped_tile_count = 1;
  in.result_flags = NNRP_RESULT_FLAG_PARTIAL, in.result_class = NNRP_RESULT_PARTIAL;
  in.applied_budget_policy = NNRP_BUDGET_ALLOW_PARTIAL;
  in.references = refs, in.reference_count = 2;
  in.frames = &token, in.frame_count = 1;
  nnrp_sink_init_buffer(&s, pk.b, sizeof(pk.b));
  if (conf_check_rc(c, built(&pk, &s, nnrp_build_result_push_mixed(&in, &s)), 0,
                    "partial result with references") &&
      conf_parse_emit(c, "partial result with references", &pk, &p)) {
    nnrp_object_ref got[2];
    conf_check(c, p.data.family == NNRP_BODY_REGION && p.data.reference_count == 2,
               "region body with %zu reference blocks", p.data.reference_count);
    if (p.data.reference_count == 2) {
      nnrp_object_ref_at(&p.data.regions[1], 0, &got[0]);
      nnrp_object_ref_at(&p.data.regions[1], 1, &got[1]);
      conf_check(c, !memcmp(got, refs, sizeof(refs)),
                 "references read back in (kind, namespace, key) order");
      conf_check(
          c,
          (p.data.present & NNRP_DATA_REF_TILE_INDEX) && p.meta.result_push.tile_index_bytes == 0,
          "tile index carried by reference, tile_index_bytes 0");
    }
    conf_rejects(c, "R1 references out of order", &pk, swap_refs, NNRP_ERR_RESULT_REF_ORDER);
  }
  conf_note(c, "(session) the same messages in a running session, two engines in memory");
  conf_l1_reference_session(c);
  return conf_codec_outcome(c);
}

/* ---- typed payloads
 * ------------------------------------------------------------------------------- */

static int same_frames(const nnrp_packet *p, const nnrp_typed_frame *f, size_t n) {
  if (p->data.typed_frame_count != n) return 0;
  for (size_t i = 0; i < n; i++) {
    nnrp_typed_frame g;
    nnrp_data_body_typed_frame(&p->data, i, &g);
    if (g.payload_kind != f[i].payload_kind || g.profile_id != f[i].profile_id ||
        g.descriptor_flags != f[i].descriptor_flags || g.payload.len != f[i].payload.len ||
        memcmp(g.payload.base, f[i].payload.base, g.payload.len) != 0)
      return 0;
  }
  return 1;
}

conf_outcome conf_l1_typed_payload(conf_case *c) {
  static packet pk;
  static nnrp_packet p;
  static nnrp_frame_submit_input sub;
  static nnrp_result_push_input res;
  static const uint16_t ids[4] = {10, 11, 12, 13};
  const nnrp_typed_frame frames[6] = {
      {NNRP_PAYLOAD_TOKEN_CHUNK, 0, 1, text("tokens")},
      {NNRP_PAYLOAD_AUDIO_CHUNK, 0, 2, text("pcm16")},
      {NNRP_PAYLOAD_VIDEO_CHUNK, 0, 3, text("h264 nal")},
      {NNRP_PAYLOAD_STRUCTURED_EVENT, 0, 4, text("{\"event\":\"done\"}")},
      {NNRP_PAYLOAD_TOOL_DELTA, 0, 5, text("{\"args\":\"+1\"}")},
      {NNRP_PAYLOAD_OPAQUE_BYTES, 0, 6, text("\x01\x02\x03")}};
  nnrp_sink s;
  tensor_init();

  conf_note(c, "one frame of every non-tensor kind, each with its own profile_id");
  nnrp_frame_submit_input_init(&sub);
  sub.packet = (nnrp_packet_params){7, 50, 0, 0, 0, 0};
  sub.frames = frames, sub.frame_count = 6;
  nnrp_sink_init_buffer(&s, pk.b, sizeof(pk.b));
  if (conf_check_rc(c, built(&pk, &s, nnrp_build_frame_submit_typed(&sub, &s)), 0,
                    "typed FRAME_SUBMIT") &&
      conf_parse_emit(c, "typed FRAME_SUBMIT", &pk, &p))
    conf_check(c, same_frames(&p, frames, 6) && p.meta.frame_submit.payload_kind_bitmap == 0x7E,
               "FRAME_SUBMIT: 6 frames read back unchanged, payload_kind_bitmap 0x%x",
               p.meta.frame_submit.payload_kind_bitmap);

  nnrp_result_push_input_init(&res);
  res.packet = (nnrp_packet_params){7, 50, 0, 0, 0, 0};
  res.payload_kind_bitmap = 0;
  res.frames = frames, res.frame_count = 6;
  nnrp_sink_init_buffer(&s, pk.b, sizeof(pk.b));
  if (conf_check_rc(c, built(&pk, &s, nnrp_build_result_push_typed(&res, &s)), 0,
                    "typed RESULT_PUSH") &&
      conf_parse_emit(c, "typed RESULT_PUSH", &pk, &p))
    conf_check(c, same_frames(&p, frames, 6), "RESULT_PUSH: 6 frames read back unchanged");

  conf_note(c, "tensor result with a token chunk beside it");
  result_input(&res, ids);
  res.frames = frames, res.frame_count = 1;
  nnrp_sink_init_buffer(&s, pk.b, sizeof(pk.b));
  if (conf_check_rc(c, built(&pk, &s, nnrp_build_result_push_mixed(&res, &s)), 0,
                    "mixed RESULT_PUSH") &&
      conf_parse_emit(c, "mixed RESULT_PUSH", &pk, &p)) {
    conf_check(c, same_frames(&p, frames, 1), "mixed RESULT_PUSH: token frame unchanged");
    conf_check_layout(c, "mixed RESULT_PUSH", &p, ids, 4, two_sections, 1);
  }

  conf_note(c, "frames a typed region cannot carry (wire-data 10.1)");
  nnrp_typed_frame bad = frames[0];
  bad.payload_kind = NNRP_PAYLOAD_TENSOR;
  conf_check_rc(c, nnrp_typed_frame_check(&bad), NNRP_ERR_TYPED_TENSOR, "tensor as a typed frame");
  bad.payload_kind = NNRP_PAYLOAD_TOKEN_CHUNK | NNRP_PAYLOAD_AUDIO_CHUNK;
  conf_check_rc(c, nnrp_typed_frame_check(&bad), NNRP_ERR_TYPED_KIND_NOT_SINGLE,
                "two kinds in one frame");
  bad = frames[0];
  bad.descriptor_flags = 1;
  conf_check_rc(c, nnrp_typed_frame_check(&bad), NNRP_ERR_TYPED_FLAGS, "descriptor_flags 1");
  return conf_codec_outcome(c);
}

/* ---- degraded results
 * ----------------------------------------------------------------------------- */

conf_outcome conf_l1_degraded(conf_case *c) {
  static packet pk;
  static nnrp_packet p;
  static nnrp_result_push_input in;
  static const uint16_t ids[4] = {10, 11, 12, 13};
  nnrp_sink s;
  tensor_init();

  result_input(&in, ids);
  nnrp_sink_init_buffer(&s, pk.b, sizeof(pk.b));
  if (conf_check_rc(c, built(&pk, &s, nnrp_build_result_push_degraded(&in, &s)), 0,
                    "degraded result") &&
      conf_parse_emit(c, "degraded result", &pk, &p))
    conf_check(c,
               p.meta.result_push.result_class == NNRP_RESULT_DEGRADED &&
                   p.meta.result_push.applied_budget_policy == NNRP_BUDGET_ALLOW_DEGRADED &&
                   p.meta.result_push.result_flags == NNRP_RESULT_FLAG_FALLBACK,
               "class degraded, applied_budget_policy ALLOW_DEGRADED, flag FALLBACK");
  const nnrp_packet_params drop = {7, 42, 3, 0, 1001, 0};
  nnrp_sink_init_buffer(&s, pk.b, sizeof(pk.b));
  if (conf_check_rc(c, built(&pk, &s, nnrp_build_result_drop(&drop, &s)), 0, "RESULT_DROP") &&
      conf_check_rc(c, nnrp_packet_decode(&p, pk.b, pk.len, &strict, NULL), 0,
                    "RESULT_DROP parsed"))
    conf_check(c, p.header.msg_type == NNRP_MSG_RESULT_DROP && p.packet_len == NNRP_HEADER_LEN,
               "RESULT_DROP is a distinct, header-only message");
  conf_note(c, "(session) the same messages in a running session, two engines in memory");
  conf_l1_degraded_session(c);
  return conf_codec_outcome(c);
}
