/*
 * FRAME_SUBMIT bodies built by hand: the fourth standard slot (PAYLOAD_LAYOUT_TEMPLATE),
 * non-standard objects, M8-M11 with their diag offsets, the place of the D8 and unknown-critical
 * checks, empty bodies (§5), the legacy camera block (§8.1), and hostile bytes.
 */
#include <jansson.h>
#include <libnnrp/wire.h>

#include "test.h"

/* Header, metadata and body of a FRAME_SUBMIT packet. */
static int decode_submit(const uint8_t *pkt, size_t len, const nnrp_decode_options *opts,
                         nnrp_frame_submit_meta *m, nnrp_data_body *b, nnrp_diag *diag) {
  nnrp_header h;
  int rc = nnrp_header_decode(&h, pkt, len, opts);
  if (rc) return rc;
  if ((uint64_t)NNRP_HEADER_LEN + h.meta_len + h.body_len != len) return NNRP_ERR_TRAILING_BYTES;
  rc = nnrp_frame_submit_meta_decode(m, pkt + NNRP_HEADER_LEN, h.meta_len, opts->flags);
  if (rc) return rc;
  return nnrp_frame_submit_body_decode(b, m, pkt + NNRP_HEADER_LEN + h.meta_len, h.body_len,
                                       opts, diag);
}

static uint8_t *read_vector(const char *name, size_t *len) {
  uint8_t *p = test_read_file(test_vector_path(name), len);
  CHECK(p != NULL);
  return p;
}

/* Region body under construction: inline objects, references, typed and extension frames. */
typedef struct region {
  uint8_t objects[256], refs[128], typed_desc[64], typed[64], ext_desc[64], ext[64];
  nnrp_sink so, sr, std, st, sed, se;
} region;

static void region_init(region *r) {
  nnrp_sink_init_buffer(&r->so, r->objects, sizeof(r->objects));
  nnrp_sink_init_buffer(&r->sr, r->refs, sizeof(r->refs));
  nnrp_sink_init_buffer(&r->std, r->typed_desc, sizeof(r->typed_desc));
  nnrp_sink_init_buffer(&r->st, r->typed, sizeof(r->typed));
  nnrp_sink_init_buffer(&r->sed, r->ext_desc, sizeof(r->ext_desc));
  nnrp_sink_init_buffer(&r->se, r->ext, sizeof(r->ext));
}

static void add_inline(region *r, uint16_t kind, const char *payload, size_t n) {
  nnrp_inline_object_header h = {.object_kind = kind, .object_bytes = (uint32_t)n};
  CHECK_RC(nnrp_inline_object_encode(&h, (nnrp_vec){(const uint8_t *)payload, n}, &r->so), 0);
}

static void add_ref(region *r, uint16_t kind, uint32_t key) {
  nnrp_object_ref ref = {kind, 0, 1, 0, key};
  uint8_t out[16];
  nnrp_object_ref_encode(&ref, out);
  nnrp_sink_write(&r->sr, out, 16);
}

static void add_typed(region *r, uint8_t kind, const char *payload) {
  nnrp_typed_frame f = {kind, 0, 0, {(const uint8_t *)payload, strlen(payload)}};
  CHECK_RC(nnrp_typed_frames_pack(&f, 1, &r->std, &r->st), 0);
}

static void add_ext(region *r, uint16_t kind, uint16_t flags) {
  nnrp_ext_frame f = {kind, flags, 0, {(const uint8_t *)"x", 1}};
  CHECK_RC(nnrp_ext_frames_pack(&f, 1, &r->sed, &r->se), 0);
}

/* The packed body in out[]; returns its length. */
static size_t region_pack(region *r, uint8_t *out, size_t cap) {
  nnrp_vec v[6] = {{r->objects, r->so.len}, {r->refs, r->sr.len},      {r->typed_desc, r->std.len},
                   {r->typed, r->st.len},   {r->ext_desc, r->sed.len}, {r->ext, r->se.len}};
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, out, cap);
  CHECK_RC(nnrp_body_pack(v, &s), 0);
  return s.len;
}

static nnrp_frame_submit_meta submit_meta(uint8_t mode, uint32_t mask) {
  nnrp_frame_submit_meta m;
  nnrp_frame_submit_meta_init(&m);
  m.submit_mode = mode;
  m.object_ref_mask = mask;
  return m;
}

/* Body decode in one profile, checking the diag offset when `at` is not (size_t)-1. */
static void body_rc(const nnrp_frame_submit_meta *m, const uint8_t *body, size_t len,
                    uint32_t flags, int want, size_t at) {
  nnrp_decode_options opts = {.flags = flags};
  nnrp_data_body b;
  nnrp_diag diag = {0, 0};
  int rc = nnrp_frame_submit_body_decode(&b, m, body, len, &opts, &diag);
  CHECK_RC(rc, want);
  if (rc && at != (size_t)-1) {
    CHECK_EQ(diag.error, rc);
    CHECK_EQ(diag.offset, at);
  }
}

static void test_layout_template_slot(void) {
  region r;
  uint8_t body[512];
  nnrp_data_body b;
  nnrp_frame_submit_meta m = submit_meta(NNRP_SUBMIT_REFERENCE, 0x9);
  region_init(&r);
  add_ref(&r, NNRP_OBJECT_CAMERA_BLOCK, 1);
  add_ref(&r, NNRP_OBJECT_PAYLOAD_LAYOUT_TEMPLATE, 2);
  size_t n = region_pack(&r, body, sizeof(body));
  CHECK_RC(nnrp_frame_submit_body_decode(&b, &m, body, n, NULL, NULL), 0);
  CHECK_EQ(b.family, NNRP_BODY_REGION);
  CHECK_EQ(b.present, NNRP_DATA_REF_CAMERA | NNRP_DATA_REF_LAYOUT_TEMPLATE);
  CHECK_EQ(b.refs[3].object_kind, NNRP_OBJECT_PAYLOAD_LAYOUT_TEMPLATE);
  CHECK_EQ(b.refs[3].cache_key_lo, 2);
  CHECK_EQ(b.reference_count, 2);

  /* M7: slot order, reported at the first block out of place. */
  region_init(&r);
  add_ref(&r, NNRP_OBJECT_PAYLOAD_LAYOUT_TEMPLATE, 2);
  add_ref(&r, NNRP_OBJECT_CAMERA_BLOCK, 1);
  n = region_pack(&r, body, sizeof(body));
  body_rc(&m, body, n, 0, NNRP_ERR_SUBMIT_REF_ORDER, 32);
  /* M6: no inline standard object, layout templates included. */
  region_init(&r);
  add_inline(&r, NNRP_OBJECT_PAYLOAD_LAYOUT_TEMPLATE, "lay", 3);
  add_ref(&r, NNRP_OBJECT_CAMERA_BLOCK, 1);
  n = region_pack(&r, body, sizeof(body));
  m = submit_meta(NNRP_SUBMIT_REFERENCE, 0x1);
  body_rc(&m, body, n, 0, NNRP_ERR_SUBMIT_REFERENCE_INLINE, 32);
  m.submit_mode = NNRP_SUBMIT_MIXED; /* MIXED may keep it inline */
  body_rc(&m, body, n, 0, 0, 0);
  /* M3 for the fourth slot: the second block is the one reported. */
  region_init(&r);
  add_inline(&r, NNRP_OBJECT_PAYLOAD_LAYOUT_TEMPLATE, "lay", 3);
  add_inline(&r, NNRP_OBJECT_PAYLOAD_LAYOUT_TEMPLATE, "out", 3);
  add_ref(&r, NNRP_OBJECT_CAMERA_BLOCK, 1);
  n = region_pack(&r, body, sizeof(body));
  body_rc(&m, body, n, 0, NNRP_ERR_SUBMIT_DUP_INLINE, 32 + 24);
}

static void test_non_standard_objects(void) {
  region r;
  uint8_t body[512];
  nnrp_data_body b;
  nnrp_frame_submit_meta m = submit_meta(NNRP_SUBMIT_MIXED, 0x1);
  /* Inline blocks of other kinds are allowed and ignored by the contract. */
  region_init(&r);
  add_inline(&r, NNRP_OBJECT_PROMPT_SEGMENT, "prompt", 6);
  add_ref(&r, NNRP_OBJECT_CAMERA_BLOCK, 1);
  size_t n = region_pack(&r, body, sizeof(body));
  CHECK_RC(nnrp_frame_submit_body_decode(&b, &m, body, n, NULL, NULL), 0);
  CHECK_EQ(b.inline_object_count, 1);
  CHECK_EQ(b.present, NNRP_DATA_REF_CAMERA);
  /* ...but not in the reference region (M7), even after the standard ones. */
  add_ref(&r, NNRP_OBJECT_PROMPT_SEGMENT, 3);
  n = region_pack(&r, body, sizeof(body));
  body_rc(&m, body, n, 0, NNRP_ERR_SUBMIT_REF_ORDER, 32 + 24 + 16);
  body_rc(&m, body, n, NNRP_DECODE_PY_COMPAT, NNRP_ERR_SUBMIT_REF_ORDER, 32 + 24 + 16);
}

static void test_tile_index_and_sections_in_regions(void) {
  region r;
  uint8_t body[512];
  nnrp_frame_submit_meta m = submit_meta(NNRP_SUBMIT_MIXED, 0x1);
  m.tile_count = 2;
  m.tile_index_bytes = 4;
  /* M9 decodes the inline block with the metadata mode: RAW_U16 wants 2 x 2 bytes. */
  region_init(&r);
  add_inline(&r, NNRP_OBJECT_TILE_INDEX_BLOCK, "\x01\x00\x02", 3);
  add_ref(&r, NNRP_OBJECT_CAMERA_BLOCK, 1);
  size_t n = region_pack(&r, body, sizeof(body));
  body_rc(&m, body, n, 0, NNRP_ERR_SUBMIT_TILE_INDEX_BYTES, 32);
  m.tile_index_bytes = 3;
  body_rc(&m, body, n, 0, NNRP_ERR_TILE_INDEX_LENGTH, 32 + 16);
  /* M10: the error points at the reference block. */
  region_init(&r);
  add_ref(&r, NNRP_OBJECT_CAMERA_BLOCK, 1);
  add_ref(&r, NNRP_OBJECT_TILE_INDEX_BLOCK, 2);
  n = region_pack(&r, body, sizeof(body));
  m.object_ref_mask = 0x3;
  body_rc(&m, body, n, 0, NNRP_ERR_SUBMIT_TILE_INDEX_REFERENCED, 32 + 16);
  m.tile_index_bytes = 0;
  body_rc(&m, body, n, 0, 0, 0);
  /* M11: a referenced section table needs no inline one; an inline one must have the count. */
  m.section_count = 1;
  body_rc(&m, body, n, 0, NNRP_ERR_SUBMIT_SECTION_TABLE_MISSING, 32);
  m.object_ref_mask = 0x7;
  add_ref(&r, NNRP_OBJECT_TENSOR_SECTION_TABLE, 3);
  n = region_pack(&r, body, sizeof(body));
  body_rc(&m, body, n, 0, 0, 0);
  m.object_ref_mask = 0x3;
  region_init(&r);
  add_inline(&r, NNRP_OBJECT_TENSOR_SECTION_TABLE, "", 0);
  add_ref(&r, NNRP_OBJECT_CAMERA_BLOCK, 1);
  add_ref(&r, NNRP_OBJECT_TILE_INDEX_BLOCK, 2);
  n = region_pack(&r, body, sizeof(body));
  body_rc(&m, body, n, 0, NNRP_ERR_SECTION_TRUNCATED_DESC, 32 + 16);
  m.section_count = 0;
  body_rc(&m, body, n, 0, 0, 0);
}

static void test_typed_and_extension_order(void) {
  region r;
  uint8_t body[512];
  nnrp_data_body b;
  nnrp_frame_submit_meta m = submit_meta(NNRP_SUBMIT_INLINE, 0);
  m.payload_kind_bitmap = NNRP_PAYLOAD_TOKEN_CHUNK | NNRP_PAYLOAD_AUDIO_CHUNK;
  m.payload_frame_count = 1;
  region_init(&r);
  add_typed(&r, NNRP_PAYLOAD_TOKEN_CHUNK, "tok");
  size_t n = region_pack(&r, body, sizeof(body));
  /* D8: a declared kind without a frame, strict only, after T1-T4. */
  body_rc(&m, body, n, 0, NNRP_ERR_TYPED_KIND_ABSENT, 32);
  body_rc(&m, body, n, NNRP_DECODE_PY_COMPAT, 0, 0);
  m.payload_frame_count = 2;
  body_rc(&m, body, n, 0, NNRP_ERR_TYPED_COUNT, 32);
  m.payload_kind_bitmap = NNRP_PAYLOAD_TOKEN_CHUNK, m.payload_frame_count = 1;
  CHECK_RC(nnrp_frame_submit_body_decode(&b, &m, body, n, NULL, NULL), 0);
  CHECK_EQ(b.typed_frame_count, 1);
  CHECK_EQ(b.present, 0);

  /* Unknown critical extension frames: known kinds come from the options, and the check runs
   * only once every other rule passed. */
  add_ext(&r, 66, NNRP_EXT_FRAME_CRITICAL);
  n = region_pack(&r, body, sizeof(body));
  body_rc(&m, body, n, 0, NNRP_ERR_EXT_FRAME_CRITICAL, 32 + 16 + 3);
  const uint16_t known[] = {65, 66};
  nnrp_decode_options opts = {.known_extension_kinds = known, .known_extension_kind_count = 2};
  CHECK_RC(nnrp_frame_submit_body_decode(&b, &m, body, n, &opts, NULL), 0);
  CHECK_EQ(b.ext_frame_count, 1);
  nnrp_ext_frame f;
  nnrp_data_body_ext_frame(&b, 0, &f);
  CHECK_EQ(f.extension_kind, 66);
  CHECK_MEM(f.payload.base, f.payload.len, "x", 1);
  m.camera_bytes = 1; /* M8 wins over the critical frame */
  body_rc(&m, body, n, 0, NNRP_ERR_SUBMIT_CAMERA_MISSING, 32);
}

static void test_empty_bodies(void) {
  nnrp_data_body b;
  nnrp_frame_submit_meta m = submit_meta(NNRP_SUBMIT_INLINE, 0);
  /* A bitmap without TENSOR and no frames: the builder's empty body. */
  m.payload_kind_bitmap = NNRP_PAYLOAD_TOKEN_CHUNK;
  CHECK_RC(nnrp_frame_submit_body_decode(&b, &m, NULL, 0, NULL, NULL), 0);
  CHECK_EQ(b.family, NNRP_BODY_EMPTY);
  m.payload_frame_count = 1;
  body_rc(&m, NULL, 0, NNRP_DECODE_PY_COMPAT, NNRP_ERR_EMPTY_BODY, 0);
  /* TENSOR-only INLINE metadata declaring nothing: empty as well. */
  m = submit_meta(NNRP_SUBMIT_INLINE, 0);
  CHECK_RC(nnrp_frame_submit_body_decode(&b, &m, (const uint8_t *)"", 0, NULL, NULL), 0);
  CHECK_EQ(b.family, NNRP_BODY_EMPTY);
  /* DENSE_RANGE ids need no bytes: a legacy body of length 0 that carries tile ids. */
  m.tile_index_mode = NNRP_TILE_DENSE_RANGE, m.tile_count = 2, m.tile_base_id = 5;
  CHECK_RC(nnrp_frame_submit_body_decode(&b, &m, NULL, 0, NULL, NULL), 0);
  CHECK_EQ(b.family, NNRP_BODY_LEGACY);
  CHECK_EQ(b.present, NNRP_DATA_HAS_TILE_INDEX);
  m.tile_index_mode = NNRP_TILE_RAW_U16;
  body_rc(&m, NULL, 0, 0, NNRP_ERR_TILE_INDEX_LENGTH, 0);
  /* A tensor packet of the region family needs its prelude, whatever it declares (so does
   * nnrp-py: an empty body means "no payload" only without the TENSOR bit). */
  m = submit_meta(NNRP_SUBMIT_MIXED, 0x1);
  m.tile_count = 1;
  body_rc(&m, NULL, 0, 0, NNRP_ERR_PRELUDE_TRUNCATED, 0);
  m.tile_count = 0;
  body_rc(&m, NULL, 0, NNRP_DECODE_PY_COMPAT, NNRP_ERR_PRELUDE_TRUNCATED, 0);
  /* Without it, a mask announces references that are absent (M4): strict only. */
  m.payload_kind_bitmap = NNRP_PAYLOAD_TOKEN_CHUNK;
  body_rc(&m, NULL, 0, 0, NNRP_ERR_SUBMIT_REF_MISSING, 0);
  body_rc(&m, NULL, 0, NNRP_DECODE_PY_COMPAT, 0, 0);
  m.object_ref_mask = 0x21;
  body_rc(&m, NULL, 0, 0, NNRP_ERR_SUBMIT_REF_MASK_BITS, 0);
  CHECK_RC(nnrp_frame_submit_body_decode(&b, &m, NULL, 3, NULL, NULL), NNRP_ERR_INVALID_ARGUMENT);
}

static void test_legacy_camera(void) {
  nnrp_frame_submit_meta m = submit_meta(NNRP_SUBMIT_INLINE, 0);
  m.camera_bytes = 3;
  uint8_t body[8] = {'c', 'a', 'm', 0, 0, 0, 0, 0};
  body_rc(&m, body, 2, 0, NNRP_ERR_CAMERA_TRUNCATED, 0);
  body_rc(&m, body, 3, 0, NNRP_ERR_LEGACY_BODY_LEN, 3);
  body_rc(&m, body, 7, NNRP_DECODE_PY_COMPAT, NNRP_ERR_LEGACY_BODY_LEN, 7);
  body_rc(&m, body, 8, 0, 0, 0);
  body[6] = 1;
  body_rc(&m, body, 8, 0, NNRP_ERR_CAMERA_PADDING, 6);
  body_rc(&m, body, 8, NNRP_DECODE_PY_COMPAT, 0, 0);
  /* Errors of the tensor walk and the tile index are body-relative. */
  m.tile_count = 1, m.tile_index_bytes = 2;
  uint8_t more[10] = {'c', 'a', 'm', 0, 0, 0, 0, 0, 7, 0};
  body_rc(&m, more, 9, 0, NNRP_ERR_TENSOR_TILE_INDEX_TRUNCATED, 8);
  m.tile_index_mode = NNRP_TILE_DENSE_RANGE;
  body_rc(&m, more, 10, 0, NNRP_ERR_TILE_DENSE_NOT_EMPTY, 8);
  m.tile_index_mode = NNRP_TILE_RAW_U16;
  body_rc(&m, more, 10, 0, 0, 0);
}

/* A packet of the reference data: a .bin file or a named hex vector. */
static uint8_t *packet_by_name(json_t *hex_vectors, const char *name, size_t *len) {
  if (strstr(name, ".bin")) return read_vector(name, len);
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(hex_vectors, "vectors"), i, e) {
    if (strcmp(json_string_value(json_object_get(e, "name")), name) == 0)
      return test_hex_decode(json_string_value(json_object_get(e, "hex")), len);
  }
  return NULL;
}

/* Overwrite bytes of valid packets and cut their bodies short: never a crash or a read outside
 * the body, views of an accepted body stay inside it, and no proper prefix is accepted. */
static void test_hostile_bytes(void) {
  static const char *names[] = {
      "frame_submit_changed_tiles.bin", "frame_submit_dense.bin",
      "E1.seed_frame_submit_tile_base_5", "E3.frame_submit_typed_packet",
      "E5.frame_submit_mixed_packet", "E10.frame_submit_mixed_mode_camera_reference"};
  static const uint8_t values[] = {0x00, 0xFF, 0x80, 0x07};
  json_error_t jerr;
  json_t *root = json_load_file(test_vector_path("wire-data-hex-vectors.json"), 0, &jerr);
  CHECK(root != NULL);
  for (size_t v = 0; root && v < sizeof(names) / sizeof(names[0]); v++) {
    size_t len = 0;
    uint8_t *pkt = packet_by_name(root, names[v], &len);
    CHECK(pkt != NULL);
    if (!pkt) continue;
    size_t limit = len < 400 ? len : 400;
    for (size_t at = 0; at < limit; at++) {
      uint8_t saved = pkt[at];
      for (size_t k = 0; k < sizeof(values); k++) {
        pkt[at] = values[k];
        for (int profile = 0; profile < 2; profile++) {
          nnrp_decode_options opts = {.flags = profile ? NNRP_DECODE_PY_COMPAT : 0};
          nnrp_frame_submit_meta m;
          nnrp_data_body b;
          if (decode_submit(pkt, len, &opts, &m, &b, NULL) != 0) continue;
          const uint8_t *lo = pkt + 112, *hi = pkt + len;
          CHECK(!b.camera.len || (b.camera.base >= lo && b.camera.base + b.camera.len <= hi));
          CHECK(!b.tile_index.len ||
                (b.tile_index.base >= lo && b.tile_index.base + b.tile_index.len <= hi));
          CHECK(!b.sections.len ||
                (b.sections.base >= lo && b.sections.base + b.sections.len <= hi));
        }
      }
      pkt[at] = saved;
    }
    nnrp_frame_submit_meta m;
    CHECK_RC(nnrp_frame_submit_meta_decode(&m, pkt + 40, 72, 0), 0);
    for (size_t cut = 112; cut < len; cut++) {
      nnrp_data_body b;
      CHECK(nnrp_frame_submit_body_decode(&b, &m, pkt + 112, cut - 112, NULL, NULL) != 0);
    }
    free(pkt);
  }
  json_decref(root);
}

int main(void) {
  RUN(test_layout_template_slot);
  RUN(test_non_standard_objects);
  RUN(test_tile_index_and_sections_in_regions);
  RUN(test_typed_and_extension_order);
  RUN(test_empty_bodies);
  RUN(test_legacy_camera);
  RUN(test_hostile_bytes);
  return TEST_REPORT();
}
