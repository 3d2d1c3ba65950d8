/*
 * FRAME_SUBMIT builders (wire-data §12.1, §12.4): every build_frame_submit* entry of
 * builder-examples.json, the worked vectors E1, E3, E5, E10 and the Python golden packet of
 * §16.2, the seed example (§8.3), and the scatter-gather sink referencing the caller's
 * payloads instead of copying them.  Every packet
 * built here is decoded again by the strict decoder.
 */
#include <libnnrp/wire.h>

#include "test.h"
#include "vec_data.h"
#include "vec_json.h"

/* ---- mapping the reference's keyword arguments ----------------------------------------------- */

static const nnrp_object_ref *get_ref(vec_ctx *c, const json_t *inp, const char *key) {
  const json_t *v = vec_member(c, inp, key);
  if (!v) return NULL;
  nnrp_object_ref *r = vec_alloc(c, sizeof(*r));
  vec_fill(c, vec_struct_by_class("ObjectReferenceBlock"), vec_fields(c, v, "ObjectReferenceBlock"),
           r);
  return r;
}

/* build_frame_submit_packet / _typed_payload_packet / _mixed_packet keyword arguments. */
static void map_input(vec_ctx *c, const json_t *inp, nnrp_frame_submit_input *in) {
  nnrp_frame_submit_input_init(in);
  if (vec_get(c, inp, "version_major", 1, 255) != 1 || vec_get(c, inp, "wire_format", 0, 255))
    vec_fail(c, "unexpected header version or wire format");
  in->packet.session_id = (uint32_t)vec_get(c, inp, "session_id", 0, UINT32_MAX);
  in->packet.frame_id = (uint32_t)vec_get(c, inp, "frame_id", 0, UINT32_MAX);
  in->packet.view_id = (uint16_t)vec_get(c, inp, "view_id", 0, UINT16_MAX);
  in->packet.route_id = (uint16_t)vec_get(c, inp, "route_id", 0, UINT16_MAX);
  in->packet.trace_id = vec_get(c, inp, "trace_id", 0, UINT64_MAX);
  in->packet.flags = (uint32_t)vec_get(c, inp, "flags", 0, UINT32_MAX);
  in->src_width = (uint16_t)vec_get(c, inp, "src_width", 0, UINT16_MAX);
  in->src_height = (uint16_t)vec_get(c, inp, "src_height", 0, UINT16_MAX);
  in->tile_width = (uint16_t)vec_get(c, inp, "tile_width", 0, UINT16_MAX);
  in->tile_height = (uint16_t)vec_get(c, inp, "tile_height", 0, UINT16_MAX);
  uint16_t *ids = NULL;
  in->tile_id_count = vec_get_u16s(c, inp, "tile_ids", &ids);
  in->tile_ids = ids;
  nnrp_tensor_section_data *sections = NULL;
  in->section_count = vec_get_sections(c, inp, "sections", &sections);
  in->sections = sections;
  in->camera_block = vec_get_bytes(c, inp, "camera_block");
  in->frame_class = (uint8_t)vec_get(c, inp, "frame_class", 0, 255);
  in->input_profile = (uint8_t)vec_get(c, inp, "input_profile", 0, 255);
  in->tile_index_mode = (uint8_t)vec_get(c, inp, "tile_index_mode", NNRP_TILE_RAW_U16, 255);
  in->latency_budget_ms = (uint16_t)vec_get(c, inp, "latency_budget_ms", 0, UINT16_MAX);
  in->target_fps_x100 = (uint16_t)vec_get(c, inp, "target_fps_x100", 0, UINT16_MAX);
  in->retry_of_frame = (uint32_t)vec_get(c, inp, "retry_of_frame", 0, UINT32_MAX);
  in->tile_base_id = (uint32_t)vec_get(c, inp, "tile_base_id", 0, UINT32_MAX);
  in->submit_mode = (uint8_t)vec_get(c, inp, "submit_mode", 0, 255);
  in->object_ref_mask = (uint32_t)vec_get(c, inp, "object_ref_mask", 0, UINT32_MAX);
  in->camera_reference = get_ref(c, inp, "camera_reference");
  in->tile_index_reference = get_ref(c, inp, "tile_index_reference");
  in->tensor_section_table_reference = get_ref(c, inp, "tensor_section_table_reference");
  in->budget_policy = (uint8_t)vec_get(c, inp, "budget_policy", 0, 255);
  in->dependency_frame_id = (uint32_t)vec_get(c, inp, "dependency_frame_id", 0, UINT32_MAX);
  in->loss_tolerance_policy = (uint8_t)vec_get(c, inp, "loss_tolerance_policy", 0xFF, 255);
  in->payload_kind_bitmap =
      (uint32_t)vec_get(c, inp, "payload_kind_bitmap", NNRP_PAYLOAD_TENSOR, UINT32_MAX);
  in->payload_frame_count = (uint16_t)vec_get(c, inp, "payload_frame_count", 0, UINT16_MAX);
  void *frames = NULL;
  in->frame_count = vec_get_list(c, inp, "frames", "TypedPayloadFrame", &frames);
  in->frames = frames;
  vec_check_used(c, inp, "inputs");
}

typedef int (*builder_fn)(const nnrp_frame_submit_input *, nnrp_sink *);

typedef struct build_arg {
  builder_fn fn;
  const nnrp_frame_submit_input *in;
} build_arg;

static int run_builder(vec_ctx *c, const void *arg, nnrp_sink *s) {
  (void)c;
  const build_arg *a = arg;
  return a->fn(a->in, s);
}

/* Build through every sink mode (vec_run_sinks checks that they agree). */
static int build(vec_ctx *c, builder_fn fn, const nnrp_frame_submit_input *in, nnrp_vec *out) {
  build_arg a = {fn, in};
  return vec_run_sinks(c, run_builder, &a, out);
}

/* Strict decode of a whole packet; fills header, metadata and body. */
static int decode(const nnrp_vec *pkt, uint32_t flags, nnrp_header *h, nnrp_frame_submit_meta *m,
                  nnrp_data_body *b) {
  nnrp_decode_options opts = {.flags = flags};
  int rc = nnrp_header_decode(h, pkt->base, pkt->len, &opts);
  if (rc) return rc;
  if ((uint64_t)NNRP_HEADER_LEN + h->meta_len + h->body_len != pkt->len)
    return NNRP_ERR_TRAILING_BYTES;
  rc = nnrp_frame_submit_meta_decode(m, pkt->base + NNRP_HEADER_LEN, h->meta_len, flags);
  if (rc) return rc;
  return nnrp_frame_submit_body_decode(b, m, pkt->base + NNRP_HEADER_LEN + h->meta_len,
                                       h->body_len, &opts, NULL);
}

static const char *family_name(nnrp_body_family f) {
  return f == NNRP_BODY_LEGACY ? "legacy" : f == NNRP_BODY_REGION ? "region" : "empty";
}

/* The decoded packet says what the builder was given. */
static void check_decoded(vec_ctx *c, const nnrp_vec *pkt, const nnrp_frame_submit_input *in,
                          const char *family) {
  nnrp_header h;
  nnrp_frame_submit_meta m;
  nnrp_data_body b;
  for (int profile = 0; profile < 2; profile++) {
    int rc = decode(pkt, profile ? NNRP_DECODE_PY_COMPAT : 0, &h, &m, &b);
    if (rc) vec_fail(c, "decode (%s) failed: %s", profile ? "compat" : "strict", nnrp_err_name(rc));
  }
  if (family && strcmp(family, family_name(b.family)) != 0)
    vec_fail(c, "body family %s, expected %s", family_name(b.family), family);
  if (!in) return;
  if (h.session_id != in->packet.session_id || h.frame_id != in->packet.frame_id ||
      h.flags != in->packet.flags || h.trace_id != in->packet.trace_id)
    vec_fail(c, "header fields differ from the input");
  if (m.tile_count != in->tile_id_count || m.section_count != in->section_count)
    vec_fail(c, "tile_count %u / section_count %u", m.tile_count, m.section_count);
  if (b.typed_frame_count != in->frame_count)
    vec_fail(c, "%zu typed frames, built with %zu", b.typed_frame_count, in->frame_count);
  for (size_t i = 0; i < b.typed_frame_count && i < in->frame_count; i++) {
    nnrp_typed_frame f;
    nnrp_data_body_typed_frame(&b, i, &f);
    if (f.payload_kind != in->frames[i].payload_kind ||
        f.profile_id != in->frames[i].profile_id || f.payload.len != in->frames[i].payload.len ||
        (f.payload.len && memcmp(f.payload.base, in->frames[i].payload.base, f.payload.len)))
      vec_fail(c, "typed frame %zu differs", i);
  }
  /* Tile ids come back in the builder's order. */
  if (m.tile_count && !(m.object_ref_mask & NNRP_REF_TILE_INDEX_BLOCK)) {
    nnrp_tile_iter it;
    uint32_t id;
    size_t i = 0;
    nnrp_tile_iter_init(&it, b.tile_index.base, b.tile_index.len, m.tile_index_mode, m.tile_count,
                        m.tile_base_id);
    while (nnrp_tile_iter_next(&it, &id))
      if (i >= in->tile_id_count || id != in->tile_ids[i++]) vec_fail(c, "tile id %zu", i);
    if (i != in->tile_id_count) vec_fail(c, "%zu tile ids decoded", i);
  }
}

/* ---- builder-examples.json ------------------------------------------------------------------- */

static void test_builder_examples(void) {
  json_t *root = vec_load("builder-examples.json");
  size_t i, built = 0, decoded = 0, metas = 0;
  json_t *e;
  json_array_foreach(json_object_get(root, "examples"), i, e) {
    const char *builder = json_string_value(json_object_get(e, "builder"));
    const char *name = json_string_value(json_object_get(e, "name"));
    const json_t *inputs = json_object_get(e, "inputs");
    vec_ctx c;
    vec_ctx_init(&c, name);
    nnrp_vec expect = vec_hex(&c, json_string_value(json_object_get(e, "hex")));
    builder_fn fn = NULL;
    if (strcmp(builder, "build_frame_submit_packet") == 0) fn = nnrp_build_frame_submit;
    if (strcmp(builder, "build_frame_submit_typed_payload_packet") == 0)
      fn = nnrp_build_frame_submit_typed;
    if (strcmp(builder, "build_frame_submit_mixed_packet") == 0) fn = nnrp_build_frame_submit_mixed;
    if (fn) {
      nnrp_frame_submit_input in;
      nnrp_vec out;
      map_input(&c, inputs, &in);
      int rc = build(&c, fn, &in, &out);
      if (rc) vec_fail(&c, "builder returned %s", nnrp_err_name(rc));
      if (!rc && (out.len != expect.len || memcmp(out.base, expect.base, out.len))) {
        vec_fail(&c, "bytes differ");
        test_dump_diff(out.base, out.len, expect.base, expect.len);
      }
      if (!rc) check_decoded(&c, &out, &in, json_string_value(json_object_get(e, "body_family")));
      built++;
    } else if (strcmp(builder, "NnrpPacket.build(metadata=FrameSubmitMetadata.pack())") == 0) {
      check_decoded(&c, &expect, NULL, json_string_value(json_object_get(e, "body_family")));
      decoded++;
    } else if (strcmp(builder, "FrameSubmitMetadata.pack") == 0) {
      nnrp_frame_submit_meta m, back;
      uint8_t out[72];
      memset(&m, 0, sizeof(m));
      vec_fill(&c, vec_struct_by_class("FrameSubmitMetadata"),
               vec_fields(&c, inputs, "FrameSubmitMetadata"), &m);
      CHECK_RC(nnrp_frame_submit_meta_encode(&m, out), 0);
      CHECK_MEM(out, 72, expect.base, expect.len);
      CHECK_RC(nnrp_frame_submit_meta_decode(&back, expect.base, expect.len, 0), 0);
      vec_compare(&c, vec_struct_by_class("FrameSubmitMetadata"),
                  vec_fields(&c, inputs, "FrameSubmitMetadata"), &back, 0);
      metas++;
    }
    if (c.errors) fprintf(stderr, "  example %s\n", name);
    CHECK_EQ(c.errors, 0);
    vec_ctx_free(&c);
  }
  CHECK_EQ(built, 21); /* 13 build_frame_submit_packet, 4 typed, 4 mixed */
  CHECK_EQ(decoded, 2);
  CHECK_EQ(metas, 3);
  json_decref(root);
}

/* ---- worked vectors (wire-data §16.2, §16.3) ------------------------------------------------- */

static nnrp_vec data_vector(vec_ctx *c, const char *name) {
  json_t *root = vec_load("wire-data-hex-vectors.json");
  size_t i;
  json_t *v;
  nnrp_vec out = {NULL, 0};
  json_array_foreach(json_object_get(root, "vectors"), i, v) {
    if (strcmp(json_string_value(json_object_get(v, "name")), name) == 0)
      out = vec_hex(c, json_string_value(json_object_get(v, "hex")));
  }
  json_decref(root);
  if (!out.base) vec_fail(c, "no vector %s", name);
  return out;
}

static void expect_vector(vec_ctx *c, builder_fn fn, const nnrp_frame_submit_input *in,
                          const char *name, const char *family) {
  nnrp_vec want = data_vector(c, name), got;
  CHECK_RC(build(c, fn, in, &got), 0);
  CHECK_MEM(got.base, got.len, want.base, want.len);
  check_decoded(c, &got, in, family);
  CHECK_EQ(c->errors, 0);
}

static const nnrp_vec AA_BB[] = {{(const uint8_t *)"aa", 2}, {(const uint8_t *)"bb", 2}};
static const uint16_t IDS_0_1[] = {0, 1};

static nnrp_tensor_section_data uint8_section(uint16_t role, const nnrp_vec *tiles, size_t n) {
  nnrp_tensor_section_data s = {.role_id = role, .dtype_id = NNRP_DTYPE_UINT8,
                                .tile_payloads = tiles, .tile_payload_count = n};
  return s;
}

static void test_e1_seed_fixed(void) {
  vec_ctx c;
  vec_ctx_init(&c, "E1");
  const nnrp_vec tiles[] = {{(const uint8_t *)"aa", 2}, {(const uint8_t *)"", 0}};
  const uint16_t ids[] = {5, 6};
  nnrp_tensor_section_data s = uint8_section(1, tiles, 2);
  s.dtype_id = NNRP_DTYPE_FP16;
  nnrp_frame_submit_input in;
  nnrp_frame_submit_input_init(&in);
  in.packet = (nnrp_packet_params){.session_id = 7, .frame_id = 42,
                                   .flags = NNRP_FLAG_ACK_REQUIRED};
  in.src_width = 640, in.src_height = 360, in.tile_width = 32, in.tile_height = 32;
  in.tile_ids = ids, in.tile_id_count = 2, in.sections = &s, in.section_count = 1;
  in.camera_block = (nnrp_vec){(const uint8_t *)"cam", 3};
  in.input_profile = NNRP_INPUT_DENSE_LUMA_FRAME;
  in.tile_index_mode = NNRP_TILE_DENSE_RANGE;
  in.tile_base_id = 5;
  expect_vector(&c, nnrp_build_frame_submit, &in, "E1.seed_frame_submit_tile_base_5", "legacy");
  vec_ctx_free(&c);
}

static void test_python_golden_packet(void) {
  vec_ctx c;
  vec_ctx_init(&c, "python_golden");
  const nnrp_vec t1[] = {{(const uint8_t *)"aa", 2}, {(const uint8_t *)"", 0}};
  const nnrp_vec t5[] = {{(const uint8_t *)"xyz", 3}, {(const uint8_t *)"q", 1}};
  const uint16_t ids[] = {5, 6};
  nnrp_tensor_section_data s[2] = {uint8_section(1, t1, 2), uint8_section(5, t5, 2)};
  nnrp_frame_submit_input in;
  nnrp_frame_submit_input_init(&in);
  in.packet = (nnrp_packet_params){.session_id = 7, .frame_id = 42, .view_id = 3,
                                   .route_id = 99, .flags = NNRP_FLAG_ACK_REQUIRED};
  in.src_width = 640, in.src_height = 360, in.tile_width = 32, in.tile_height = 32;
  in.tile_ids = ids, in.tile_id_count = 2, in.sections = s, in.section_count = 2;
  in.camera_block = (nnrp_vec){(const uint8_t *)"cam", 3};
  in.input_profile = NNRP_INPUT_DENSE_LUMA_FRAME;
  in.tile_index_mode = NNRP_TILE_DENSE_RANGE;
  in.tile_base_id = 5;
  in.latency_budget_ms = 50;
  in.target_fps_x100 = 6000;
  expect_vector(&c, nnrp_build_frame_submit, &in, "python_golden.frame_submit_packet", "legacy");
  vec_ctx_free(&c);
}

static void test_e3_typed(void) {
  vec_ctx c;
  vec_ctx_init(&c, "E3");
  const char *event = "{\"phase\":\"thinking\"}";
  const nnrp_typed_frame frames[] = {
      {NNRP_PAYLOAD_TOKEN_CHUNK, 0, 1, {(const uint8_t *)"tok", 3}},
      {NNRP_PAYLOAD_STRUCTURED_EVENT, 0, 2, {(const uint8_t *)event, strlen(event)}},
  };
  nnrp_frame_submit_input in;
  nnrp_frame_submit_input_init(&in);
  in.packet = (nnrp_packet_params){.session_id = 7, .frame_id = 101};
  in.frames = frames, in.frame_count = 2;
  expect_vector(&c, nnrp_build_frame_submit_typed, &in, "E3.frame_submit_typed_packet", "region");
  vec_ctx_free(&c);
}

static nnrp_frame_submit_input e5_input(const nnrp_tensor_section_data *s,
                                        const nnrp_typed_frame *f) {
  nnrp_frame_submit_input in;
  nnrp_frame_submit_input_init(&in);
  in.packet = (nnrp_packet_params){.session_id = 7, .frame_id = 702};
  in.src_width = 640, in.src_height = 360, in.tile_width = 32, in.tile_height = 32;
  in.tile_ids = IDS_0_1, in.tile_id_count = 2, in.sections = s, in.section_count = 1;
  in.camera_block = (nnrp_vec){(const uint8_t *)"camera!!", 8};
  in.frames = f, in.frame_count = 1;
  return in;
}

static void test_e5_mixed(void) {
  vec_ctx c;
  vec_ctx_init(&c, "E5");
  nnrp_tensor_section_data s = uint8_section(1, AA_BB, 2);
  const nnrp_typed_frame f = {NNRP_PAYLOAD_TOKEN_CHUNK, 0, 0, {(const uint8_t *)"tok", 3}};
  nnrp_frame_submit_input in = e5_input(&s, &f);
  expect_vector(&c, nnrp_build_frame_submit_mixed, &in, "E5.frame_submit_mixed_packet", "region");

  /* What the decoder makes of it: INLINE mode although the body is a region body (§12.4). */
  nnrp_vec pkt = data_vector(&c, "E5.frame_submit_mixed_packet");
  nnrp_header h;
  nnrp_frame_submit_meta m;
  nnrp_data_body b;
  CHECK_RC(decode(&pkt, 0, &h, &m, &b), 0);
  CHECK_EQ(m.submit_mode, NNRP_SUBMIT_INLINE);
  CHECK_EQ(m.camera_bytes, 8);
  CHECK_EQ(m.tile_index_bytes, 4);
  CHECK_EQ(m.payload_kind_bitmap, NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_TOKEN_CHUNK);
  CHECK_EQ(m.payload_frame_count, 1);
  CHECK_EQ(b.present, NNRP_DATA_HAS_CAMERA | NNRP_DATA_HAS_TILE_INDEX |
                          NNRP_DATA_HAS_SECTION_TABLE);
  CHECK_EQ(b.prelude.inline_object_bytes, 112);
  CHECK_EQ(b.prelude.typed_payload_descriptor_bytes, 16);
  CHECK_EQ(b.prelude.typed_payload_frame_bytes, 3);
  CHECK_EQ(b.inline_object_count, 3);
  CHECK_EQ(b.reference_count, 0);
  CHECK_MEM(b.camera.base, b.camera.len, "camera!!", 8);
  CHECK(b.camera.base == pkt.base + 112 + 32 + 16);
  CHECK_EQ(b.section_count, 1);
  nnrp_section_iter si;
  nnrp_section_view sv;
  nnrp_section_iter_init(&si, b.sections.base, b.sections.len, b.section_count);
  CHECK(nnrp_section_iter_next(&si, &sv));
  CHECK_MEM(sv.payload, sv.desc.payload_bytes, "aabb", 4);
  vec_ctx_free(&c);
}

static void test_e10_camera_reference(void) {
  vec_ctx c;
  vec_ctx_init(&c, "E10");
  nnrp_tensor_section_data s = uint8_section(1, AA_BB, 2);
  const nnrp_object_ref cam = {NNRP_OBJECT_CAMERA_BLOCK, 0, 3, 11, 12};
  nnrp_frame_submit_input in;
  nnrp_frame_submit_input_init(&in);
  in.packet = (nnrp_packet_params){.session_id = 7, .frame_id = 900};
  in.src_width = 64, in.src_height = 32, in.tile_width = 32, in.tile_height = 32;
  in.tile_ids = IDS_0_1, in.tile_id_count = 2, in.sections = &s, in.section_count = 1;
  in.submit_mode = NNRP_SUBMIT_MIXED;
  in.object_ref_mask = NNRP_REF_CAMERA_BLOCK;
  in.camera_reference = &cam;
  expect_vector(&c, nnrp_build_frame_submit, &in, "E10.frame_submit_mixed_mode_camera_reference",
                "region");

  nnrp_vec pkt = data_vector(&c, "E10.frame_submit_mixed_mode_camera_reference");
  nnrp_header h;
  nnrp_frame_submit_meta m;
  nnrp_data_body b;
  CHECK_RC(decode(&pkt, 0, &h, &m, &b), 0);
  CHECK_EQ(m.camera_bytes, 0);
  CHECK_EQ(m.tile_index_bytes, 4);
  CHECK_EQ(b.present, NNRP_DATA_REF_CAMERA | NNRP_DATA_HAS_TILE_INDEX |
                          NNRP_DATA_HAS_SECTION_TABLE);
  CHECK_EQ(b.refs[0].object_kind, NNRP_OBJECT_CAMERA_BLOCK);
  CHECK_EQ(b.refs[0].cache_namespace, 3);
  CHECK_EQ(b.refs[0].cache_key_hi, 11);
  CHECK_EQ(b.refs[0].cache_key_lo, 12);
  CHECK_EQ(b.camera.len, 0);
  CHECK_EQ(b.prelude.inline_object_bytes, 88);
  CHECK_EQ(b.prelude.object_reference_bytes, 16);
  CHECK_EQ(b.inline_object_count, 2);
  CHECK_EQ(b.reference_count, 1);
  vec_ctx_free(&c);
}

/* ---- the seed example (§8.3) ----------------------------------------------------------------- */

static void test_seed_example(void) {
  json_t *root = vec_load("seed-example.json");
  vec_ctx c;
  vec_ctx_init(&c, "seed");
  nnrp_frame_submit_input in;
  nnrp_vec out;
  /* As written: tile ids (5, 6) in DENSE_RANGE with the default tile_base_id 0. */
  map_input(&c, json_object_get(json_object_get(root, "as_written"), "inputs"), &in);
  CHECK_EQ(in.tile_base_id, 0);
  CHECK_RC(build(&c, nnrp_build_frame_submit, &in, &out), NNRP_ERR_TILE_DENSE_NOT_CONTIGUOUS);

  const json_t *fixed = json_object_get(root, "corrected");
  map_input(&c, json_object_get(fixed, "inputs"), &in);
  CHECK_RC(build(&c, nnrp_build_frame_submit, &in, &out), 0);
  nnrp_vec want = vec_hex(&c, json_string_value(json_object_get(fixed, "hex")));
  CHECK_EQ(out.len, 162);
  CHECK_MEM(out.base, out.len, want.base, want.len);
  nnrp_vec body = vec_hex(&c, json_string_value(json_object_get(fixed, "body_hex")));
  CHECK_MEM(out.base + 112, out.len - 112, body.base, body.len);

  /* The section starts at align8(camera_bytes) = 8, where the README's slice [3:] misses it. */
  nnrp_tensor_body_view v;
  nnrp_diag diag;
  CHECK_RC(nnrp_tensor_body_unpack(&v, body.base + 8, body.len - 8, 0, 1, 2, 0, &diag), 0);
  CHECK_EQ(v.tile_index.len, 0);
  CHECK_EQ(v.section_count, 1);
  CHECK_RC(nnrp_tensor_body_unpack(&v, body.base + 3, body.len - 3, 0, 1, 2, 0, &diag),
           NNRP_ERR_SECTION_TRUNCATED);
  check_decoded(&c, &out, &in, "legacy");
  CHECK_EQ(c.errors, 0);
  vec_ctx_free(&c);
  json_decref(root);
}

/* ---- sinks ----------------------------------------------------------------------------------- */

static int points_into(const nnrp_vec *iov, size_t n, const void *p) {
  for (size_t i = 0; i < n; i++)
    if (iov[i].base == p) return 1;
  return 0;
}

static void test_scatter_gather(void) {
  nnrp_tensor_section_data s = uint8_section(1, AA_BB, 2);
  const nnrp_typed_frame f = {NNRP_PAYLOAD_TOKEN_CHUNK, 0, 0, {(const uint8_t *)"tok", 3}};
  nnrp_frame_submit_input in = e5_input(&s, &f);
  uint8_t buf[275], scratch[275];
  nnrp_vec iov[16];
  nnrp_sink sink;
  nnrp_sink_init_buffer(&sink, buf, sizeof(buf));
  CHECK_RC(nnrp_build_frame_submit_mixed(&in, &sink), 0);
  CHECK_EQ(sink.len, 275);

  /* Payloads of at least one byte are referenced where the caller keeps them. */
  nnrp_sink_init_iov(&sink, scratch, sizeof(scratch), iov, 16, 1);
  CHECK_RC(nnrp_build_frame_submit_mixed(&in, &sink), 0);
  CHECK(points_into(iov, sink.iov_count, in.camera_block.base));
  CHECK(points_into(iov, sink.iov_count, AA_BB[0].base));
  CHECK(points_into(iov, sink.iov_count, AA_BB[1].base));
  CHECK(points_into(iov, sink.iov_count, f.payload.base));
  CHECK_EQ(sink.len, 275 - 8 - 2 - 2 - 3); /* only structure bytes were copied */
  uint8_t joined[275];
  size_t at = 0;
  for (size_t i = 0; i < sink.iov_count; i++) {
    CHECK(at + iov[i].len <= sizeof(joined));
    if (at + iov[i].len > sizeof(joined)) break;
    memcpy(joined + at, iov[i].base, iov[i].len);
    at += iov[i].len;
  }
  CHECK_MEM(joined, at, buf, 275);

  /* The legacy body too (camera and tile payloads). */
  in.frames = NULL, in.frame_count = 0;
  uint8_t legacy[256];
  nnrp_sink_init_buffer(&sink, legacy, sizeof(legacy));
  CHECK_RC(nnrp_build_frame_submit(&in, &sink), 0);
  size_t legacy_len = sink.len;
  nnrp_sink_init_iov(&sink, scratch, sizeof(scratch), iov, 16, 2);
  CHECK_RC(nnrp_build_frame_submit(&in, &sink), 0);
  CHECK(points_into(iov, sink.iov_count, in.camera_block.base));
  CHECK(points_into(iov, sink.iov_count, AA_BB[1].base));
  CHECK_EQ(sink.total, legacy_len);

  /* Too few iovecs / too little room: the sink's error, and the size still counted. */
  nnrp_sink_init_iov(&sink, scratch, sizeof(scratch), iov, 2, 1);
  CHECK_RC(nnrp_build_frame_submit(&in, &sink), NNRP_ERR_IOV_TOO_SMALL);
  nnrp_sink_init_buffer(&sink, legacy, legacy_len - 1);
  CHECK_RC(nnrp_build_frame_submit(&in, &sink), NNRP_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(sink.total, legacy_len);
  nnrp_sink_init_count(&sink);
  CHECK_RC(nnrp_build_frame_submit(&in, &sink), 0);
  CHECK_EQ(sink.total, legacy_len);
}

int main(void) {
  RUN(test_builder_examples);
  RUN(test_e1_seed_fixed);
  RUN(test_python_golden_packet);
  RUN(test_e3_typed);
  RUN(test_e5_mixed);
  RUN(test_e10_camera_reference);
  RUN(test_seed_example);
  RUN(test_scatter_gather);
  return TEST_REPORT();
}
