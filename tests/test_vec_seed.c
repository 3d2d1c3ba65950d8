/*
 * seed-example.json: the reference SDK's README example (wire-data §8.3).  As written the call
 * fails (DENSE_RANGE ids (5, 6) with tile_base_id 0); the corrected call (tile_base_id 5)
 * produces the listed 162 bytes; unpack_tensor_body works at align8(camera_bytes) = 8 and fails
 * at the README's offset 3, where the descriptor is read five bytes early.
 */
#include <libnnrp/wire.h>

#include "test.h"
#include "vec_data.h"

static json_t *root;

static const json_t *part(const char *key) {
  const json_t *v = json_object_get(root, key);
  if (!json_is_object(v)) {
    fprintf(stderr, "seed-example.json has no object \"%s\"\n", key);
    test_failures++;
  }
  return v;
}

static int build_submit(vec_ctx *c, const void *arg, nnrp_sink *s) {
  (void)c;
  return nnrp_build_frame_submit(arg, s);
}

/* The inputs of a call, mapped like the builder examples; every input must be read. */
static nnrp_frame_submit_input *inputs(vec_ctx *c, const json_t *call) {
  nnrp_frame_submit_input *in = vec_alloc(c, sizeof(*in));
  const json_t *args = json_object_get(call, "inputs");
  CHECK_EQ(strcmp(json_string_value(json_object_get(call, "call")), "build_frame_submit_packet"),
           0);
  vec_read_submit(c, args, in);
  vec_check_used(c, args, "inputs");
  return in;
}

static void test_as_written_fails(void) {
  vec_ctx c;
  vec_ctx_init(&c, "as_written");
  const json_t *aw = part("as_written");
  nnrp_frame_submit_input *in = inputs(&c, aw);
  CHECK_EQ(in->tile_base_id, 0); /* not passed: the builder default */
  CHECK_EQ(in->tile_index_mode, NNRP_TILE_DENSE_RANGE);
  /* The reference raises "dense_range tile ids must be contiguous and start at tile_base_id":
   * the DENSE_RANGE builder precondition of wire-data §6.1. */
  const char *msg = json_string_value(json_object_get(json_object_get(aw, "raises"), "message"));
  CHECK(msg && strstr(msg, "dense_range tile ids must be contiguous") != NULL);
  uint8_t buf[256];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(nnrp_build_frame_submit(in, &s), NNRP_ERR_TILE_DENSE_NOT_CONTIGUOUS);
  nnrp_sink_init_count(&s);
  CHECK_RC(nnrp_build_frame_submit(in, &s), NNRP_ERR_TILE_DENSE_NOT_CONTIGUOUS);
  CHECK(strcmp(nnrp_err_rule(NNRP_ERR_TILE_DENSE_NOT_CONTIGUOUS), "wire-data 6.1") == 0);
  CHECK_RC(nnrp_tile_index_encoded_len(in->tile_ids, in->tile_id_count, NNRP_TILE_DENSE_RANGE, 0,
                                       &(size_t){0}),
           NNRP_ERR_TILE_DENSE_NOT_CONTIGUOUS);
  CHECK_EQ(c.errors, 0);
  vec_ctx_free(&c);
}

static void test_corrected_bytes(void) {
  vec_ctx c;
  vec_ctx_init(&c, "corrected");
  const json_t *co = part("corrected");
  nnrp_frame_submit_input *in = inputs(&c, co);
  CHECK_EQ(in->tile_base_id, 5);
  nnrp_vec want = vec_hex(&c, json_string_value(json_object_get(co, "hex")));
  CHECK_EQ(want.len, json_integer_value(json_object_get(co, "packet_bytes")));
  CHECK_EQ(want.len, 162);
  nnrp_vec got;
  CHECK_RC(vec_run_sinks(&c, build_submit, in, &got), 0);
  CHECK_MEM(got.base, got.len, want.base, want.len);

  /* The three parts and their lengths. */
  nnrp_vec h = vec_hex(&c, json_string_value(json_object_get(co, "header_hex")));
  nnrp_vec m = vec_hex(&c, json_string_value(json_object_get(co, "metadata_hex")));
  nnrp_vec b = vec_hex(&c, json_string_value(json_object_get(co, "body_hex")));
  CHECK_EQ(json_integer_value(json_object_get(co, "meta_len")), 72);
  CHECK_EQ(json_integer_value(json_object_get(co, "body_len")), 50);
  CHECK_EQ(h.len + m.len + b.len, want.len);
  CHECK(memcmp(want.base, h.base, h.len) == 0);
  CHECK(memcmp(want.base + h.len, m.base, m.len) == 0);
  CHECK(memcmp(want.base + h.len + m.len, b.base, b.len) == 0);

  /* Decoded metadata equals metadata_fields; the body layout is where the file says. */
  nnrp_packet p;
  nnrp_decode_options o = vec_opts(NNRP_DECODE_EXACT);
  CHECK_RC(nnrp_packet_decode(&p, want.base, want.len, &o, NULL), 0);
  CHECK_EQ(p.header.meta_len, 72);
  CHECK_EQ(p.header.body_len, 50);
  CHECK_EQ(p.header.flags, NNRP_FLAG_ACK_REQUIRED);
  CHECK_EQ(p.header.session_id, 7);
  CHECK_EQ(p.header.frame_id, 42);
  int n = vec_compare(&c, vec_struct_by_class("FrameSubmitMetadata"),
                      json_object_get(co, "metadata_fields"), &p.meta.frame_submit, 0);
  CHECK_EQ(n, 27);
  const json_t *layout = json_object_get(co, "body_layout");
  CHECK_EQ(json_object_size(layout), 4);
  for (void *it = json_object_iter((json_t *)layout); it;
       it = json_object_iter_next((json_t *)layout, it)) {
    const json_t *v = json_object_iter_value(it);
    size_t off = (size_t)json_integer_value(json_object_get(v, "offset"));
    nnrp_vec bytes = vec_hex(&c, json_string_value(json_object_get(v, "hex")));
    CHECK(off + bytes.len <= b.len);
    if (off + bytes.len <= b.len) CHECK(memcmp(b.base + off, bytes.base, bytes.len) == 0);
  }
  CHECK_MEM(p.data.camera.base, p.data.camera.len, "cam", 3);
  CHECK_EQ(p.data.tile_index.len, 0);
  CHECK_EQ(p.data.section_count, 1);
  CHECK(p.data.sections.base == p.body.base + 8); /* align8(camera_bytes) */
  CHECK_EQ(c.errors, 0);
  vec_ctx_free(&c);
}

/* Section descriptor fields, for comparing with the file's "desc" object. */
#define F(m) VEC_FIELD(nnrp_section_desc, m)
static const vec_field desc_fields[] = {
    F(role_id),           F(codec_id),          F(dtype_id),      F(layout_id),
    F(scale_policy),      F(flags),             F(element_count_per_tile),
    F(codec_table_bytes), F(length_table_bytes), F(payload_bytes), F(payload_stride_bytes),
    F(reserved)};
#undef F
static const vec_struct desc_struct = {"TensorSectionDesc", desc_fields,
                                       sizeof(desc_fields) / sizeof(desc_fields[0]),
                                       sizeof(nnrp_section_desc)};

static void test_unpack_at_align8(void) {
  vec_ctx c;
  vec_ctx_init(&c, "unpack_tensor_body_correct_offset");
  const json_t *u = part("unpack_tensor_body_correct_offset");
  nnrp_vec body = vec_hex(&c, json_string_value(json_object_get(part("corrected"), "body_hex")));
  nnrp_vec input = vec_hex(&c, json_string_value(json_object_get(u, "input_hex")));
  size_t off = (size_t)json_integer_value(json_object_get(u, "offset"));
  CHECK_EQ(off, nnrp_align8(3));
  CHECK_MEM(body.base + off, body.len - off, input.base, input.len);

  nnrp_tensor_body_view v;
  nnrp_diag d = {0, 0};
  CHECK_RC(nnrp_tensor_body_unpack(&v, input.base, input.len, 0, 1, 2, 0, &d), 0);
  const json_t *dec = json_object_get(u, "decoded");
  nnrp_vec ti = vec_bytes(&c, json_object_get(dec, "tile_index_block"));
  CHECK_MEM(v.tile_index.base, v.tile_index.len, ti.base, ti.len);
  CHECK_EQ(v.section_count, 1);
  const json_t *secs = json_object_get(dec, "sections");
  CHECK_EQ(json_array_size(secs), 1);
  const json_t *s0 = json_array_get(secs, 0);

  nnrp_section_iter it;
  nnrp_section_view sv;
  nnrp_section_iter_init(&it, v.sections.base, v.sections.len, v.section_count);
  CHECK(nnrp_section_iter_next(&it, &sv) == 1);
  CHECK_EQ(vec_compare(&c, &desc_struct, json_object_get(s0, "desc"), &sv.desc, 0), 12);
  nnrp_vec ct = vec_bytes(&c, json_object_get(s0, "codec_table"));
  nnrp_vec lt = vec_bytes(&c, json_object_get(s0, "length_table"));
  nnrp_vec pl = vec_bytes(&c, json_object_get(s0, "payload"));
  CHECK_MEM(sv.codec_table, sv.desc.codec_table_bytes, ct.base, ct.len);
  CHECK_MEM(sv.length_table, sv.desc.length_table_bytes, lt.base, lt.len);
  CHECK_MEM(sv.payload, sv.desc.payload_bytes, pl.base, pl.len);
  const json_t *lens = json_object_get(s0, "tile_lengths");
  const json_t *tiles = json_object_get(s0, "tile_payloads");
  CHECK_EQ(sv.tile_count, json_array_size(lens));
  nnrp_section_tile_iter ti_it;
  nnrp_vec tile;
  size_t k = 0;
  nnrp_section_tile_iter_init(&ti_it, &sv);
  while (nnrp_section_tile_iter_next(&ti_it, &tile)) {
    nnrp_vec want = vec_bytes(&c, json_array_get(tiles, k));
    CHECK_EQ(nnrp_section_tile_length(&sv, k), json_integer_value(json_array_get(lens, k)));
    CHECK_MEM(tile.base, tile.len, want.base, want.len);
    k++;
  }
  CHECK_EQ(k, 2);
  CHECK_EQ(32 + sv.desc.codec_table_bytes + sv.desc.length_table_bytes + sv.desc.payload_bytes,
           json_integer_value(json_object_get(s0, "total_bytes")));

  /* unpack_tile_index_block(DENSE_RANGE, tile_count 2, tile_base_id 5) -> (5, 6). */
  const json_t *ids = json_object_get(json_object_get(u, "tile_ids"), "result");
  CHECK_RC(nnrp_tile_index_validate(v.tile_index.base, v.tile_index.len, NNRP_TILE_DENSE_RANGE, 2,
                                    5, 0),
           0);
  nnrp_tile_iter tit;
  uint32_t id;
  size_t n = 0;
  nnrp_tile_iter_init(&tit, v.tile_index.base, v.tile_index.len, NNRP_TILE_DENSE_RANGE, 2, 5);
  while (nnrp_tile_iter_next(&tit, &id)) {
    CHECK_EQ(id, json_integer_value(json_array_get(ids, n)));
    n++;
  }
  CHECK_EQ(n, json_array_size(ids));
  CHECK_EQ(c.errors, 0);
  vec_ctx_free(&c);
}

static void test_unpack_at_readme_offset(void) {
  vec_ctx c;
  vec_ctx_init(&c, "unpack_tensor_body_readme_offset");
  const json_t *u = part("unpack_tensor_body_readme_offset");
  nnrp_vec body = vec_hex(&c, json_string_value(json_object_get(part("corrected"), "body_hex")));
  nnrp_vec input = vec_hex(&c, json_string_value(json_object_get(u, "input_hex")));
  size_t off = (size_t)json_integer_value(json_object_get(u, "offset"));
  CHECK_EQ(off, 3);
  CHECK_MEM(body.base + off, body.len - off, input.base, input.len);
  /* "expected 2080 section bytes, got 47": S2, the section does not fit (wire-data §6.2). */
  const char *msg = json_string_value(json_object_get(json_object_get(u, "raises"), "message"));
  CHECK(msg && strcmp(msg, "expected 2080 section bytes, got 47") == 0);
  nnrp_tensor_body_view v;
  static const uint32_t profiles[] = {0, NNRP_DECODE_PY_COMPAT};
  for (size_t i = 0; i < 2; i++) {
    nnrp_diag d = {0, 0};
    CHECK_RC(nnrp_tensor_body_unpack(&v, input.base, input.len, 0, 1, 2, profiles[i], &d),
             NNRP_ERR_SECTION_TRUNCATED);
    CHECK_EQ(d.error, NNRP_ERR_SECTION_TRUNCATED);
    CHECK_EQ(d.offset, 0); /* the section starts at the buffer start */
  }
  /* Why: five padding bytes shift the descriptor, which then claims a 2048-byte payload. */
  nnrp_section_desc sd;
  nnrp_section_desc_decode(&sd, input.base);
  CHECK_EQ(sd.payload_bytes, 2048);
  CHECK_EQ(32u + sd.codec_table_bytes + sd.length_table_bytes + sd.payload_bytes, 2080);
  CHECK_EQ(input.len, 47);
  CHECK(json_is_true(json_object_get(root, "matches_spec_wire_data_8_3")));
  CHECK_EQ(c.errors, 0);
  vec_ctx_free(&c);
}

int main(void) {
  root = vec_load("seed-example.json");
  RUN(test_as_written_fails);
  RUN(test_corrected_bytes);
  RUN(test_unpack_at_align8);
  RUN(test_unpack_at_readme_offset);
  json_decref(root);
  return TEST_REPORT();
}
