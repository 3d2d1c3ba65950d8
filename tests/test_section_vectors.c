/*
 * Tile indexes and tensor sections against the shared reference data: the E2 worked vector,
 * the reference builder's section and legacy-body outputs (re-encoded byte for byte and
 * decoded back to their inputs), the .bin packets, and the legacy-body invalid examples with
 * the error each must produce.
 */
#include <jansson.h>
#include <libnnrp/wire.h>

#include "test.h"
#include "wire/wire_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_TILES 8

/* Integers as doubles: builder-examples.json holds u64 values beyond jansson's int64. */
static json_t *load(const char *name) {
  json_error_t err;
  json_t *root = json_load_file(test_vector_path(name), JSON_DECODE_INT_AS_REAL, &err);
  if (!root) fprintf(stderr, "%s: %s\n", name, err.text);
  return root;
}

/* A number, or the value of an {"enum", "value"} object; `def` when absent. */
static uint64_t num(const json_t *v, uint64_t def) {
  if (json_is_object(v)) v = json_object_get(v, "value");
  return json_is_number(v) ? (uint64_t)json_number_value(v) : def;
}

static const char *str(const json_t *obj, const char *key) {
  const char *s = json_string_value(json_object_get(obj, key));
  return s ? s : "";
}

static const json_t *find(const json_t *root, const char *list, const char *name) {
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(root, list), i, e) if (!strcmp(str(e, "name"), name)) return e;
  fprintf(stderr, "vector %s not found\n", name);
  return NULL;
}

/* A TensorSectionData input of the reference builder. */
typedef struct sec_in {
  nnrp_tensor_section_data d;
  nnrp_vec payloads[MAX_TILES];
  uint8_t *mem[MAX_TILES];
  uint8_t codecs[MAX_TILES];
} sec_in;

static void sec_from_json(sec_in *s, const json_t *v) {
  const json_t *f = json_object_get(v, "fields") ? json_object_get(v, "fields") : v;
  memset(s, 0, sizeof(*s));
  s->d.role_id = (uint16_t)num(json_object_get(f, "role_id"), 0);
  s->d.default_codec_id = (uint8_t)num(json_object_get(f, "default_codec_id"), 0);
  s->d.dtype_id = (uint8_t)num(json_object_get(f, "dtype_id"), 0);
  s->d.layout_id = (uint8_t)num(json_object_get(f, "layout_id"), 0);
  s->d.scale_policy = (uint8_t)num(json_object_get(f, "scale_policy"), 0);
  s->d.payload_stride_bytes = (uint32_t)num(json_object_get(f, "payload_stride_bytes"), 0);
  s->d.element_count_per_tile = (uint32_t)num(json_object_get(f, "element_count_per_tile"), 0);
  const json_t *payloads = json_object_get(f, "tile_payloads");
  const json_t *codecs = json_object_get(f, "codec_ids");
  CHECK(json_array_size(payloads) <= MAX_TILES && json_array_size(codecs) <= MAX_TILES);
  for (size_t i = 0; i < json_array_size(payloads) && i < MAX_TILES; i++) {
    s->mem[i] = test_hex_decode(str(json_array_get(payloads, i), "hex"), &s->payloads[i].len);
    s->payloads[i].base = s->mem[i];
  }
  for (size_t i = 0; i < json_array_size(codecs) && i < MAX_TILES; i++)
    s->codecs[i] = (uint8_t)num(json_array_get(codecs, i), 0);
  s->d.tile_payloads = s->payloads;
  s->d.tile_payload_count = json_array_size(payloads);
  s->d.codec_ids = json_array_size(codecs) ? s->codecs : NULL;
  s->d.codec_id_count = json_array_size(codecs);
}

static void sec_free(sec_in *s) {
  for (size_t i = 0; i < MAX_TILES; i++) free(s->mem[i]);
}

/* The section a view describes equals its logical input, tile by tile. */
static void check_section(const nnrp_section_view *v, const nnrp_tensor_section_data *d) {
  CHECK_EQ(v->desc.role_id, d->role_id);
  CHECK_EQ(v->desc.codec_id, d->default_codec_id);
  CHECK_EQ(v->desc.dtype_id, d->dtype_id);
  CHECK_EQ(v->desc.payload_stride_bytes, d->payload_stride_bytes);
  CHECK_EQ(v->tile_count, d->tile_payload_count);
  nnrp_section_tile_iter it;
  nnrp_vec p;
  size_t i = 0;
  nnrp_section_tile_iter_init(&it, v);
  while (nnrp_section_tile_iter_next(&it, &p) && i < d->tile_payload_count) {
    CHECK_MEM(p.base, p.len, d->tile_payloads[i].base, d->tile_payloads[i].len);
    uint8_t codec = d->codec_id_count ? d->codec_ids[i] : d->default_codec_id;
    CHECK_EQ(nnrp_section_tile_codec(v, i), codec);
    i++;
  }
  CHECK_EQ(i, d->tile_payload_count);
}

static void check_encodes_to(const nnrp_tensor_section_data *d, const char *hex) {
  size_t want_len, len = 0;
  uint8_t *want = test_hex_decode(hex, &want_len), out[512];
  CHECK_RC(nnrp_tensor_section_encoded_len(d, &len), 0);
  CHECK_EQ(len, want_len);
  nnrp_sink sink;
  nnrp_sink_init_buffer(&sink, out, sizeof(out));
  CHECK_RC(nnrp_tensor_section_encode(d, &sink), 0);
  CHECK_MEM(out, sink.len, want, want_len);
  nnrp_diag diag;
  CHECK_RC(nnrp_section_seq_validate(want, want_len, 1, (long)d->tile_payload_count, 0, &diag), 0);
  nnrp_section_iter it;
  nnrp_section_view v;
  nnrp_section_iter_init(&it, want, want_len, 1);
  CHECK(nnrp_section_iter_next(&it, &v));
  check_section(&v, d);
  free(want);
}

/* ---- sections ----------------------------------------------------------------------------- */

static void test_e2_vector(void) {
  json_t *root = load("wire-data-hex-vectors.json");
  const json_t *e2 = root ? find(root, "vectors", "E2.section_fixed_stride_codec_table") : NULL;
  CHECK(e2 != NULL);
  if (!e2) goto out;
  const nnrp_vec payloads[] = {{(const uint8_t *)"ab", 2}, {(const uint8_t *)"cde", 3}};
  const uint8_t codecs[] = {1, 2};
  nnrp_tensor_section_data d;
  memset(&d, 0, sizeof(d));
  d.role_id = 9;
  d.dtype_id = NNRP_DTYPE_UINT8;
  d.tile_payloads = payloads;
  d.tile_payload_count = 2;
  d.codec_ids = codecs;
  d.codec_id_count = 2;
  d.payload_stride_bytes = 4;
  CHECK_EQ(num(json_object_get(e2, "bytes"), 0), 50);
  check_encodes_to(&d, str(e2, "hex"));
out:
  json_decref(root);
}

/* pack_tensor_section_data examples: plain, mixed codec, all-default codecs, fixed stride,
 * empty payloads, zero tiles, mixed codec with stride. */
static void test_pack_section_examples(void) {
  json_t *root = load("builder-examples.json");
  size_t i, seen = 0;
  json_t *ex;
  json_array_foreach(json_object_get(root, "examples"), i, ex) {
    if (strcmp(str(ex, "builder"), "pack_tensor_section_data")) continue;
    sec_in s;
    sec_from_json(&s, json_object_get(json_object_get(ex, "inputs"), "section"));
    check_encodes_to(&s.d, str(ex, "hex"));
    sec_free(&s);
    seen++;
  }
  CHECK_EQ(seen, 7);
  json_decref(root);
}

/* ---- legacy bodies ------------------------------------------------------------------------ */

/* Where the tensor walk of a legacy FRAME_SUBMIT / RESULT_PUSH body runs (wire-data §8). */
typedef struct legacy {
  const uint8_t *tensor; /* body[align8(camera_bytes):] or the whole RESULT_PUSH body */
  size_t len;
  size_t offset; /* of `tensor` in the packet */
  uint32_t tile_index_bytes;
  uint16_t section_count, tile_count;
  unsigned mode;
  uint32_t tile_base_id;
} legacy;

static int legacy_split(const uint8_t *pkt, size_t n, legacy *l) {
  if (n < NNRP_HEADER_LEN) return -1;
  const uint8_t *meta = pkt + NNRP_HEADER_LEN;
  uint64_t meta_len = nnrp_ld32(pkt + 12), body_len = nnrp_ld32(pkt + 16);
  if (NNRP_HEADER_LEN + meta_len + body_len > n) return -1;
  const uint8_t *body = meta + meta_len;
  size_t skip = 0;
  if (pkt[6] == NNRP_MSG_FRAME_SUBMIT && meta_len == NNRP_FRAME_SUBMIT_META_LEN) {
    l->tile_count = nnrp_ld16(meta + 8);
    l->section_count = nnrp_ld16(meta + 10);
    l->mode = meta[14];
    l->tile_base_id = nnrp_ld32(meta + 24);
    skip = nnrp_align8(nnrp_ld32(meta + 28));
    l->tile_index_bytes = nnrp_ld32(meta + 32);
  } else if (pkt[6] == NNRP_MSG_RESULT_PUSH && meta_len == NNRP_RESULT_PUSH_META_LEN) {
    l->section_count = nnrp_ld16(meta + 4);
    l->tile_count = nnrp_ld16(meta + 6);
    l->tile_base_id = nnrp_ld32(meta + 20);
    l->tile_index_bytes = nnrp_ld32(meta + 24);
    l->mode = l->tile_index_bytes ? NNRP_TILE_RAW_U16 : NNRP_TILE_DENSE_RANGE;
  } else {
    return -1;
  }
  if (skip > body_len) return -1;
  l->tensor = body + skip;
  l->len = (size_t)body_len - skip;
  l->offset = (size_t)(l->tensor - pkt);
  return 0;
}

/* The legacy walk then the tile index decode, as the order of §14.1 has them. */
static int legacy_walk(const legacy *l, uint32_t flags, nnrp_tensor_body_view *v,
                       nnrp_diag *diag) {
  int rc = nnrp_tensor_body_unpack(v, l->tensor, l->len, l->tile_index_bytes, l->section_count,
                                   l->tile_count, flags, diag);
  if (rc) return rc;
  return nnrp_tile_index_validate(v->tile_index.base, v->tile_index.len, l->mode, l->tile_count,
                                  l->tile_base_id, flags);
}

static void check_tile_ids(const legacy *l, const nnrp_tensor_body_view *v, const uint32_t *ids,
                           size_t n) {
  nnrp_tile_iter it;
  uint32_t id;
  size_t i = 0;
  CHECK_EQ(l->tile_count, n);
  nnrp_tile_iter_init(&it, v->tile_index.base, v->tile_index.len, l->mode, l->tile_count,
                      l->tile_base_id);
  while (nnrp_tile_iter_next(&it, &id)) {
    if (i < n) CHECK_EQ(id, ids[i]);
    i++;
  }
  CHECK_EQ(i, n);
}

/* Every legacy-body packet of builder-examples.json: decodes to its inputs, and the tile index
 * and sections re-encode to exactly the bytes after the camera block. */
static void test_builder_legacy_bodies(void) {
  json_t *root = load("builder-examples.json");
  size_t i, seen = 0;
  json_t *ex;
  json_array_foreach(json_object_get(root, "examples"), i, ex) {
    if (strcmp(str(ex, "body_family"), "legacy")) continue;
    const json_t *in = json_object_get(ex, "inputs");
    size_t pkt_len;
    uint8_t *pkt = test_hex_decode(str(ex, "hex"), &pkt_len);
    legacy l;
    nnrp_tensor_body_view v;
    nnrp_diag diag = {0, 0};
    CHECK(legacy_split(pkt, pkt_len, &l) == 0);
    CHECK_RC(legacy_walk(&l, 0, &v, &diag), 0);

    const json_t *jids = json_object_get(in, "tile_ids");
    size_t n = json_array_size(jids);
    uint32_t ids32[MAX_TILES];
    uint16_t ids[MAX_TILES];
    CHECK(n <= MAX_TILES);
    for (size_t k = 0; k < n && k < MAX_TILES; k++)
      ids32[k] = ids[k] = (uint16_t)num(json_array_get(jids, k), 0);
    check_tile_ids(&l, &v, ids32, n);

    const json_t *jsecs = json_object_get(in, "sections");
    size_t ns = json_array_size(jsecs);
    sec_in secs[4];
    nnrp_tensor_section_data data[4];
    CHECK(ns <= 4 && ns == l.section_count);
    for (size_t k = 0; k < ns && k < 4; k++) {
      sec_from_json(&secs[k], json_array_get(jsecs, k));
      data[k] = secs[k].d;
    }
    nnrp_section_iter it;
    nnrp_section_view sv;
    size_t k = 0;
    nnrp_section_iter_init(&it, v.sections.base, v.sections.len, v.section_count);
    while (nnrp_section_iter_next(&it, &sv) && k < ns) check_section(&sv, &data[k++]);
    CHECK_EQ(k, ns);

    /* Re-encode: tile index, then the sections aligned to the same buffer start. */
    uint8_t out[1024];
    nnrp_sink sink;
    nnrp_sink_init_buffer(&sink, out, sizeof(out));
    unsigned mode = (unsigned)num(json_object_get(in, "tile_index_mode"), NNRP_TILE_RAW_U16);
    uint32_t base = (uint32_t)num(json_object_get(in, "tile_base_id"), 0);
    CHECK_RC(nnrp_tile_index_encode(ids, n, mode, base, &sink), 0);
    CHECK_RC(nnrp_section_seq_encode(data, ns, n, 0, &sink), 0);
    CHECK_MEM(out, sink.len, l.tensor, l.len);
    if (test_failures) fprintf(stderr, "  in %s\n", str(ex, "name"));
    for (k = 0; k < ns && k < 4; k++) sec_free(&secs[k]);
    free(pkt);
    seen++;
  }
  CHECK_EQ(seen, 17);
  json_decref(root);
}

static uint8_t *read_vector(const char *name, size_t *len) {
  uint8_t *p = test_read_file(test_vector_path(name), len);
  CHECK(p != NULL);
  return p;
}

/* The nnrp-cs packets (wire-data §16.4) and the hex packets of §16.2/§16.3. */
static void test_packets(void) {
  size_t len;
  legacy l;
  nnrp_tensor_body_view v;
  nnrp_diag diag = {0, 0};
  nnrp_section_iter it;
  nnrp_section_view s;

  uint8_t *p = read_vector("frame_submit_changed_tiles.bin", &len);
  CHECK(p && legacy_split(p, len, &l) == 0);
  CHECK_RC(legacy_walk(&l, 0, &v, &diag), 0);
  const uint32_t changed[] = {1, 9};
  check_tile_ids(&l, &v, changed, 2);
  nnrp_section_iter_init(&it, v.sections.base, v.sections.len, v.section_count);
  CHECK(nnrp_section_iter_next(&it, &s));
  CHECK_EQ(s.desc.role_id, 1);
  CHECK_EQ(s.desc.element_count_per_tile, 1);
  CHECK_EQ(nnrp_section_tile_length(&s, 0), 1);
  CHECK_EQ(nnrp_section_tile_length(&s, 1), 2);
  CHECK_MEM(s.payload, s.desc.payload_bytes, "\xaa\xbb\xcc", 3);
  CHECK(!nnrp_section_iter_next(&it, &s));
  free(p);

  p = read_vector("frame_submit_dense.bin", &len);
  CHECK(p && legacy_split(p, len, &l) == 0);
  CHECK_RC(legacy_walk(&l, 0, &v, &diag), 0);
  const uint32_t dense[] = {0, 1, 2};
  check_tile_ids(&l, &v, dense, 3);
  nnrp_section_iter_init(&it, v.sections.base, v.sections.len, v.section_count);
  CHECK(nnrp_section_iter_next(&it, &s));
  CHECK_EQ(s.desc.role_id, 5);
  CHECK_EQ(s.desc.payload_bytes, 3072);
  nnrp_section_tile_iter ti;
  nnrp_vec t;
  nnrp_section_tile_iter_init(&ti, &s);
  for (unsigned k = 0; k < 3 && nnrp_section_tile_iter_next(&ti, &t); k++) {
    CHECK_EQ(t.len, 1024);
    CHECK_EQ(t.base[0], 7 + 2 * k);
    CHECK_EQ(t.base[1023], 7 + 2 * k);
  }
  free(p);

  p = read_vector("result_push_fresh.bin", &len);
  CHECK(p && legacy_split(p, len, &l) == 0);
  CHECK_RC(legacy_walk(&l, 0, &v, &diag), 0);
  check_tile_ids(&l, &v, dense, 3);
  nnrp_section_iter_init(&it, v.sections.base, v.sections.len, v.section_count);
  CHECK(nnrp_section_iter_next(&it, &s));
  CHECK_EQ(s.desc.role_id, 0x0100);
  CHECK_MEM(s.payload, s.desc.payload_bytes, "\x10\x20\x30", 3);
  free(p);

  /* nnrp-cs accepts it; its first section claims 104 payload bytes over 2 (D2). */
  p = read_vector("result_push_stale.bin", &len);
  CHECK(p && legacy_split(p, len, &l) == 0);
  CHECK_RC(legacy_walk(&l, 0, &v, &diag), NNRP_ERR_SECTION_PAYLOAD_SUM);
  CHECK_EQ(diag.offset, 8); /* after the 4-byte tile index and its padding */
  CHECK_RC(legacy_walk(&l, NNRP_DECODE_PY_COMPAT, &v, &diag), NNRP_ERR_SECTION_PAYLOAD_SUM);
  free(p);

  /* Hex packets: the PY golden FRAME_SUBMIT (DENSE_RANGE from 5), E1, E4. */
  json_t *root = load("wire-data-hex-vectors.json");
  const char *names[] = {"python_golden.frame_submit_packet", "E1.seed_frame_submit_tile_base_5",
                         "E4.result_push_tensor_packet"};
  const uint32_t golden[] = {5, 6}, e4[] = {0, 1, 2};
  const uint32_t *want[] = {golden, golden, e4};
  const size_t want_n[] = {2, 2, 3}, want_sections[] = {2, 1, 1};
  for (size_t k = 0; k < N(names); k++) {
    const json_t *e = root ? find(root, "vectors", names[k]) : NULL;
    CHECK(e != NULL);
    if (!e) continue;
    p = test_hex_decode(str(e, "hex"), &len);
    CHECK(legacy_split(p, len, &l) == 0);
    CHECK_RC(legacy_walk(&l, 0, &v, &diag), 0);
    check_tile_ids(&l, &v, want[k], want_n[k]);
    CHECK_EQ(v.section_count, want_sections[k]);
    free(p);
  }
  json_decref(root);
}

/* ---- invalid examples --------------------------------------------------------------------- */

static const struct {
  const char *name;
  int error;
} invalid[] = {
    {"frame_submit.legacy.role_id_decreasing", NNRP_ERR_SECTION_ORDER},
    {"frame_submit.legacy.role_id_equal", NNRP_ERR_SECTION_ORDER},
    {"frame_submit.legacy.section_tile_count_mismatch", NNRP_ERR_SECTION_TILE_COUNT},
    {"frame_submit.legacy.section_count_too_high", NNRP_ERR_SECTION_ALIGN_TRUNCATED},
    {"frame_submit.legacy.section_count_too_low", NNRP_ERR_TENSOR_TRAILING},
    {"frame_submit.legacy.length_table_not_multiple_of_4", NNRP_ERR_SECTION_LENGTH_TABLE_ALIGN},
    {"frame_submit.legacy.length_sum_ne_payload", NNRP_ERR_SECTION_PAYLOAD_SUM},
    {"frame_submit.legacy.fixed_stride_flag_zero_stride", NNRP_ERR_SECTION_STRIDE_MISSING},
    {"frame_submit.legacy.stride_without_flag", NNRP_ERR_SECTION_STRIDE_FLAG},
    {"frame_submit.legacy.stride_payload_size_mismatch", NNRP_ERR_SECTION_STRIDE_PAYLOAD},
    {"frame_submit.legacy.tile_length_exceeds_stride", NNRP_ERR_SECTION_TILE_EXCEEDS_STRIDE},
    {"frame_submit.legacy.stride_padding_nonzero", NNRP_ERR_SECTION_STRIDE_PADDING},
    {"frame_submit.legacy.mixed_codec_without_table", NNRP_ERR_SECTION_CODEC_TABLE_MISSING},
    {"frame_submit.legacy.codec_table_without_flag", NNRP_ERR_SECTION_CODEC_FLAG},
    {"frame_submit.legacy.codec_table_count_mismatch", NNRP_ERR_SECTION_CODEC_TABLE_COUNT},
    {"frame_submit.legacy.dtype_8", NNRP_ERR_SECTION_DTYPE},
    {"frame_submit.legacy.layout_2", NNRP_ERR_SECTION_LAYOUT},
    {"frame_submit.legacy.scale_policy_3", NNRP_ERR_SECTION_SCALE_POLICY},
    {"frame_submit.legacy.nonzero_padding_between_sections", NNRP_ERR_SECTION_PADDING},
    {"frame_submit.legacy.nonzero_padding_before_first_section", NNRP_ERR_TENSOR_BODY_ALIGN},
    {"frame_submit.legacy.trailing_bytes", NNRP_ERR_TENSOR_TRAILING},
    {"frame_submit.legacy.section_truncated", NNRP_ERR_SECTION_TRUNCATED},
    {"frame_submit.legacy.section_desc_truncated", NNRP_ERR_SECTION_TRUNCATED_DESC},
    {"frame_submit.legacy.raw_u16_index_short", NNRP_ERR_TILE_INDEX_LENGTH},
    {"frame_submit.legacy.raw_u16_index_bytes_gt_body", NNRP_ERR_TENSOR_TILE_INDEX_TRUNCATED},
    {"frame_submit.legacy.delta_index_wrong_length", NNRP_ERR_TILE_INDEX_LENGTH},
    {"frame_submit.legacy.bitset_count_mismatch", NNRP_ERR_TILE_BITSET_COUNT},
    {"frame_submit.legacy.dense_range_nonempty_index", NNRP_ERR_TILE_DENSE_NOT_EMPTY},
    {"result_push.legacy.role_id_decreasing", NNRP_ERR_SECTION_ORDER},
    {"result_push.legacy.odd_tile_index_bytes", NNRP_ERR_TILE_INDEX_LENGTH},
    {"result_push.legacy.length_sum_ne_payload", NNRP_ERR_SECTION_PAYLOAD_SUM},
    {"result_push.legacy.trailing_bytes", NNRP_ERR_TENSOR_TRAILING},
    {"result_push.legacy.nonzero_padding_after_index", NNRP_ERR_TENSOR_BODY_ALIGN},
    {"result_push.legacy.section_count_mismatch", NNRP_ERR_SECTION_ALIGN_TRUNCATED},
};

static void test_invalid_examples(void) {
  json_t *root = load("invalid-examples.json");
  size_t found = 0;
  for (size_t k = 0; k < N(invalid); k++) {
    const json_t *e = root ? find(root, "examples", invalid[k].name) : NULL;
    if (!e) continue;
    found++;
    size_t len;
    uint8_t *p = test_hex_decode(str(e, "hex"), &len);
    legacy l;
    nnrp_tensor_body_view v;
    nnrp_diag diag = {0, 0};
    CHECK(legacy_split(p, len, &l) == 0);
    int rc = legacy_walk(&l, 0, &v, &diag);
    CHECK_RC(rc, invalid[k].error);
    /* The lenient profile rejects every one of them as well, with the same rule. */
    CHECK_RC(legacy_walk(&l, NNRP_DECODE_PY_COMPAT, &v, &diag), invalid[k].error);
    if (test_failures) fprintf(stderr, "  in %s\n", invalid[k].name);
    free(p);
  }
  CHECK_EQ(found, N(invalid));

  /* Accepted by the reference, refused by the strict profile (§15 D25). */
  const char *accepts[] = {"frame_submit.legacy.section_reserved_nonzero",
                           "frame_submit.legacy.section_unknown_flag_bit"};
  const int strict_error[] = {NNRP_ERR_SECTION_RESERVED, NNRP_ERR_SECTION_FLAGS};
  for (size_t k = 0; k < N(accepts); k++) {
    const json_t *e = root ? find(root, "oracle_accepts", accepts[k]) : NULL;
    CHECK(e != NULL);
    if (!e) continue;
    size_t len;
    uint8_t *p = test_hex_decode(str(e, "hex"), &len);
    legacy l;
    nnrp_tensor_body_view v;
    nnrp_diag diag = {0, 0};
    CHECK(legacy_split(p, len, &l) == 0);
    CHECK_RC(legacy_walk(&l, 0, &v, &diag), strict_error[k]);
    CHECK_RC(legacy_walk(&l, NNRP_DECODE_PY_COMPAT, &v, &diag), 0);
    free(p);
  }
  json_decref(root);
}

int main(void) {
  RUN(test_e2_vector);
  RUN(test_pack_section_examples);
  RUN(test_builder_legacy_bodies);
  RUN(test_packets);
  RUN(test_invalid_examples);
  return TEST_REPORT();
}
