/*
 * RESULT_PUSH region bodies assembled by hand (wire-data §9.3 R1-R6, §10, §5): the object
 * rules the reference data does not reach, their precedence and diag offsets, the
 * legacy/region fallback, empty bodies, and the typed / extension frame accessors.
 */
#include <libnnrp/wire.h>

#include "result_check.h"
#include "test.h"

typedef struct object {
  uint16_t kind;
  nnrp_vec payload;
} object;

/*
 * A RESULT_PUSH packet with a region body: inline objects, then references as given (not
 * sorted), one token frame when the metadata counts one, no extension frames.  Returns the
 * packet length.
 */
static size_t region_packet(uint8_t *out, size_t cap, const nnrp_result_push_meta *m,
                            const object *objs, size_t nobj, const nnrp_object_ref *refs,
                            size_t nref) {
  uint8_t inl[512], ref[256];
  nnrp_sink si, sr, sp;
  nnrp_sink_init_buffer(&si, inl, sizeof(inl));
  nnrp_sink_init_buffer(&sr, ref, sizeof(ref));
  for (size_t i = 0; i < nobj; i++) {
    nnrp_inline_object_header h = {.object_kind = objs[i].kind,
                                   .object_bytes = (uint32_t)objs[i].payload.len};
    CHECK_RC(nnrp_inline_object_encode(&h, objs[i].payload, &si), 0);
  }
  for (size_t i = 0; i < nref; i++) {
    uint8_t b[16];
    nnrp_object_ref_encode(&refs[i], b);
    nnrp_sink_write(&sr, b, 16);
  }
  nnrp_vec regions[6] = {{inl, si.len}, {ref, sr.len}, {NULL, 0}, {NULL, 0}, {NULL, 0}, {NULL, 0}};
  static const nnrp_typed_frame token = {NNRP_PAYLOAD_TOKEN_CHUNK, 0, 0, {(const uint8_t *)"t", 1}};
  uint8_t desc[16], frame[1];
  if (m->payload_frame_count == 1) {
    nnrp_sink sd, sf;
    nnrp_sink_init_buffer(&sd, desc, sizeof(desc));
    nnrp_sink_init_buffer(&sf, frame, sizeof(frame));
    CHECK_RC(nnrp_typed_frames_pack(&token, 1, &sd, &sf), 0);
    regions[NNRP_REGION_TYPED_DESCRIPTORS] = (nnrp_vec){desc, sizeof(desc)};
    regions[NNRP_REGION_TYPED_FRAMES] = (nnrp_vec){frame, sizeof(frame)};
  }
  nnrp_sink_init_buffer(&sp, out + 104, cap - 104);
  CHECK_RC(nnrp_body_pack(regions, &sp), 0);
  nnrp_header h = {1, 0, NNRP_MSG_RESULT_PUSH, 40, 0, 64, (uint32_t)sp.len, 7, 9, 0, 0, 0};
  CHECK_RC(nnrp_header_encode(&h, out), 0);
  CHECK_RC(nnrp_result_push_meta_encode(m, out + 40), 0);
  return 104 + sp.len;
}

/*
 * Metadata of a two-tile, one-section tensor result with one token frame.  The TOKEN_CHUNK
 * bit selects the region reading alone; TENSOR-only metadata would report the legacy
 * reading's error when both fail (test_fallback).
 */
static void tensor_meta(nnrp_result_push_meta *m) {
  nnrp_result_push_meta_init(m);
  m->payload_kind_bitmap = NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_TOKEN_CHUNK;
  m->payload_frame_count = 1;
  m->tile_count = 2;
  m->covered_tile_count = 2;
  m->section_count = 1;
  m->tile_index_bytes = 4;
}

static const uint8_t TILES[4] = {0, 0, 1, 0};
/* One 42-byte section: role 1, UINT8, lengths (1, 1), payload "ab". */
static const uint8_t SECTION[42] = {
    1, 0, 0, 5, 0, 0, 0, 0, /* role 1, codec 0, UINT8, NHWC, no scale, flags 0 */
    0, 0, 0, 0, 0, 0, 0, 0, /* element_count_per_tile, codec_table_bytes */
    8, 0, 0, 0, 2, 0, 0, 0, /* length_table_bytes, payload_bytes */
    0, 0, 0, 0, 0, 0, 0, 0, /* stride, reserved */
    1, 0, 0, 0, 1, 0, 0, 0, /* lengths */
    'a', 'b'};

static int decode(const uint8_t *pkt, size_t len, uint32_t flags, nnrp_diag *d) {
  nnrp_result_push_meta m;
  nnrp_data_body b;
  return decode_result(pkt, len, flags, &m, &b, d);
}

static void test_valid_region(void) {
  uint8_t pkt[1024];
  nnrp_result_push_meta m;
  nnrp_data_body b;
  tensor_meta(&m);
  object o[3] = {{NNRP_OBJECT_CAMERA_BLOCK, {(const uint8_t *)"cam", 3}},
                 {NNRP_OBJECT_TENSOR_SECTION_TABLE, {SECTION, 42}},
                 {NNRP_OBJECT_TILE_INDEX_BLOCK, {TILES, 4}}};
  size_t n = region_packet(pkt, sizeof(pkt), &m, o, 3, NULL, 0);
  nnrp_result_push_meta mm;
  CHECK_RC(decode_result(pkt, n, 0, &mm, &b, NULL), 0);
  CHECK_EQ(b.family, NNRP_BODY_REGION);
  CHECK_EQ(b.inline_object_count, 3); /* other kinds are allowed and ignored */
  CHECK_EQ(b.present, NNRP_DATA_HAS_TILE_INDEX | NNRP_DATA_HAS_SECTION_TABLE);
  CHECK_EQ(b.prelude.inline_object_bytes, 24 + 64 + 24);
  CHECK_EQ(b.tile_index.len, 4);
  CHECK_EQ(b.sections.len, 42);
  CHECK_EQ(b.section_count, 1);
}

static void test_object_rules(void) {
  uint8_t pkt[1024];
  nnrp_result_push_meta m;
  nnrp_diag d;
  tensor_meta(&m);
  object tile = {NNRP_OBJECT_TILE_INDEX_BLOCK, {TILES, 4}};
  object table = {NNRP_OBJECT_TENSOR_SECTION_TABLE, {SECTION, 42}};
  nnrp_object_ref rt = {NNRP_OBJECT_TENSOR_SECTION_TABLE, 0, 1, 0, 1};
  nnrp_object_ref rt2 = {NNRP_OBJECT_TENSOR_SECTION_TABLE, 0, 1, 0, 2};
  nnrp_object_ref rr = {NNRP_OBJECT_REUSABLE_RESULT_OBJECT, 0, 0, 0, 0};

  /* R2: the duplicate table is reported at its second block... */
  object two_tables[3] = {tile, table, table};
  size_t n = region_packet(pkt, sizeof(pkt), &m, two_tables, 3, NULL, 0);
  CHECK_RC(decode(pkt, n, 0, &d), NNRP_ERR_RESULT_DUP_INLINE);
  CHECK_EQ(d.offset, 32 + 24 + 64);
  /* ...and duplicate tile index blocks win over duplicate tables wherever they sit. */
  object both[4] = {table, table, tile, tile};
  n = region_packet(pkt, sizeof(pkt), &m, both, 4, NULL, 0);
  CHECK_RC(decode(pkt, n, 0, &d), NNRP_ERR_RESULT_DUP_INLINE);
  CHECK_EQ(d.offset, 32 + 64 + 64 + 24);
  /* R1 before R2. */
  nnrp_object_ref desc[2] = {rt2, rt};
  n = region_packet(pkt, sizeof(pkt), &m, both, 4, desc, 2);
  CHECK_RC(decode(pkt, n, 0, &d), NNRP_ERR_RESULT_REF_ORDER);
  CHECK_EQ(d.offset, 32 + 2 * 24 + 2 * 64 + 16);
  /* R3: two table references (in order), table inline and referenced. */
  nnrp_object_ref asc[3] = {rt, rt2, rr};
  object tile_only[1] = {tile};
  n = region_packet(pkt, sizeof(pkt), &m, tile_only, 1, asc, 3);
  CHECK_RC(decode(pkt, n, 0, &d), NNRP_ERR_RESULT_DUP_REF);
  object tile_table[2] = {tile, table};
  n = region_packet(pkt, sizeof(pkt), &m, tile_table, 2, &rt, 1);
  CHECK_RC(decode(pkt, n, 0, &d), NNRP_ERR_RESULT_REF_AND_INLINE);
  /* Table referenced and a reusable result object: accepted. */
  nnrp_object_ref ok[2] = {rt, rr};
  n = region_packet(pkt, sizeof(pkt), &m, tile_only, 1, ok, 2);
  nnrp_result_push_meta mm;
  nnrp_data_body b;
  CHECK_RC(decode_result(pkt, n, 0, &mm, &b, NULL), 0);
  CHECK_EQ(b.present, NNRP_DATA_HAS_TILE_INDEX | NNRP_DATA_REF_SECTION_TABLE);
  CHECK_EQ(b.reference_count, 2);
  CHECK_EQ(b.section_count, 0);
  /* Tile-index rules come before section-table rules (R4 before R6). */
  object table_only[1] = {table};
  n = region_packet(pkt, sizeof(pkt), &m, table_only, 1, NULL, 0);
  CHECK_RC(decode(pkt, n, 0, &d), NNRP_ERR_RESULT_TILE_INDEX_MISSING);
  /* R6: the section table inside its block, with offsets into the body. */
  uint8_t broken[42];
  memcpy(broken, SECTION, 42);
  broken[20] = 3; /* payload_bytes 3 over lengths (1, 1): S12 */
  object bad[2] = {tile, {NNRP_OBJECT_TENSOR_SECTION_TABLE, {broken, 42}}};
  n = region_packet(pkt, sizeof(pkt), &m, bad, 2, NULL, 0);
  CHECK_RC(decode(pkt, n, 0, &d), NNRP_ERR_SECTION_TRUNCATED);
  CHECK_EQ(d.offset, 32 + 24 + 16);
  broken[20] = 2;
  broken[32] = 2; /* lengths (2, 1) over 2 bytes */
  n = region_packet(pkt, sizeof(pkt), &m, bad, 2, NULL, 0);
  CHECK_RC(decode(pkt, n, 0, &d), NNRP_ERR_SECTION_PAYLOAD_SUM);
  m.tile_count = 1;
  m.covered_tile_count = 1;
  m.tile_index_bytes = 2;
  object one_tile[2] = {{NNRP_OBJECT_TILE_INDEX_BLOCK, {TILES, 2}}, table};
  n = region_packet(pkt, sizeof(pkt), &m, one_tile, 2, NULL, 0);
  CHECK_RC(decode(pkt, n, 0, &d), NNRP_ERR_SECTION_TILE_COUNT);
}

static void test_tile_index_rules(void) {
  uint8_t pkt[1024];
  nnrp_result_push_meta m;
  nnrp_diag d;
  tensor_meta(&m);
  object table = {NNRP_OBJECT_TENSOR_SECTION_TABLE, {SECTION, 42}};
  /* R4 with the implied RAW_U16 mode: 3 bytes for 2 tiles. */
  m.tile_index_bytes = 3;
  object odd[2] = {{NNRP_OBJECT_TILE_INDEX_BLOCK, {TILES, 3}}, table};
  size_t n = region_packet(pkt, sizeof(pkt), &m, odd, 2, NULL, 0);
  CHECK_RC(decode(pkt, n, 0, &d), NNRP_ERR_RESULT_TILE_INDEX_LEN);
  CHECK_EQ(d.offset, 32 + 16);
  /* Implied DENSE_RANGE: an empty block; ids beyond 65535 only in the PY profile (§15 D24). */
  m.tile_index_bytes = 0;
  m.tile_base_id = 65535;
  object dense[2] = {{NNRP_OBJECT_TILE_INDEX_BLOCK, {NULL, 0}}, table};
  n = region_packet(pkt, sizeof(pkt), &m, dense, 2, NULL, 0);
  CHECK_RC(decode(pkt, n, 0, &d), NNRP_ERR_TILE_ID_RANGE);
  CHECK_RC(decode(pkt, n, NNRP_DECODE_PY_COMPAT, &d), 0);
  m.tile_base_id = 65534;
  n = region_packet(pkt, sizeof(pkt), &m, dense, 2, NULL, 0);
  CHECK_RC(decode(pkt, n, 0, &d), 0);
  /* R5: a referenced tile index needs tile_index_bytes 0. */
  nnrp_object_ref rt = {NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 4, 0, 1};
  n = region_packet(pkt, sizeof(pkt), &m, &table, 1, &rt, 1);
  CHECK_RC(decode(pkt, n, 0, &d), 0);
  m.tile_index_bytes = 4;
  n = region_packet(pkt, sizeof(pkt), &m, &table, 1, &rt, 1);
  CHECK_RC(decode(pkt, n, 0, &d), NNRP_ERR_RESULT_TILE_INDEX_REFERENCED);
}

/* TENSOR-only metadata: the legacy reading first, the region reading on failure (§5). */
static void test_fallback(void) {
  uint8_t pkt[1024];
  nnrp_result_push_meta m;
  nnrp_data_body b;
  nnrp_diag d = {0, 0};
  tensor_meta(&m);
  m.payload_kind_bitmap = NNRP_PAYLOAD_TENSOR;
  m.payload_frame_count = 0;
  m.tile_index_bytes = 0;
  object table = {NNRP_OBJECT_TENSOR_SECTION_TABLE, {SECTION, 42}};
  nnrp_object_ref rt = {NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 4, 0, 1};
  nnrp_object_ref rr = {NNRP_OBJECT_REUSABLE_RESULT_OBJECT, 0, 0, 0, 0};
  nnrp_object_ref refs[2] = {rt, rr};
  size_t n = region_packet(pkt, sizeof(pkt), &m, &table, 1, refs, 2);
  nnrp_result_push_meta mm;
  CHECK_RC(decode_result(pkt, n, 0, &mm, &b, &d), 0);
  CHECK_EQ(b.family, NNRP_BODY_REGION);
  CHECK_EQ(b.present, NNRP_DATA_REF_TILE_INDEX | NNRP_DATA_HAS_SECTION_TABLE);
  /* Both readings fail: the legacy error is reported.  Read as a legacy body, the prelude is a
   * section descriptor whose layout byte (low byte of inline_object_bytes' neighbour) is 32. */
  nnrp_object_ref swapped[2] = {rr, rt};
  n = region_packet(pkt, sizeof(pkt), &m, &table, 1, swapped, 2);
  CHECK_RC(decode_result(pkt, n, 0, &mm, &b, &d), NNRP_ERR_SECTION_LAYOUT);
  CHECK_EQ(d.error, NNRP_ERR_SECTION_LAYOUT);
  CHECK_EQ(d.offset, 0);
  CHECK_EQ(b.family, NNRP_BODY_EMPTY);
  CHECK_EQ(b.present, 0);
}

static void test_empty_bodies(void) {
  uint8_t pkt[104];
  nnrp_result_push_meta m;
  nnrp_data_body b;
  nnrp_diag d;
  nnrp_header h = {1, 0, NNRP_MSG_RESULT_PUSH, 40, 0, 64, 0, 1, 2, 0, 0, 0};
  CHECK_RC(nnrp_header_encode(&h, pkt), 0);
  /* TENSOR-only, dense tiles, no sections: an empty legacy body. */
  nnrp_result_push_meta_init(&m);
  m.tile_count = 2;
  m.covered_tile_count = 2;
  CHECK_RC(nnrp_result_push_meta_encode(&m, pkt + 40), 0);
  CHECK_RC(decode_result(pkt, 104, 0, &m, &b, &d), 0);
  CHECK_EQ(b.family, NNRP_BODY_EMPTY);
  m.tile_index_bytes = 4;
  CHECK_RC(nnrp_result_push_meta_encode(&m, pkt + 40), 0);
  CHECK_RC(decode_result(pkt, 104, 0, &m, &b, &d), NNRP_ERR_TENSOR_TILE_INDEX_TRUNCATED);
  /* Without the TENSOR bit an empty body is "no payload": accepted (coverage rules apply to
   * tensor results only, so a partial class passes too). */
  nnrp_result_push_meta_init(&m);
  m.payload_kind_bitmap = NNRP_PAYLOAD_TOKEN_CHUNK;
  CHECK_RC(nnrp_result_push_meta_encode(&m, pkt + 40), 0);
  CHECK_RC(decode_result(pkt, 104, 0, &m, &b, &d), 0);
  CHECK_EQ(b.family, NNRP_BODY_EMPTY);
  m.result_class = NNRP_RESULT_PARTIAL;
  CHECK_RC(nnrp_result_push_meta_encode(&m, pkt + 40), 0);
  CHECK_RC(decode_result(pkt, 104, 0, &m, &b, &d), 0);
  /* A tensor result of the region family needs its prelude, as in nnrp-py. */
  nnrp_result_push_meta_init(&m);
  m.payload_kind_bitmap = NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_TOKEN_CHUNK;
  CHECK_RC(nnrp_result_push_meta_encode(&m, pkt + 40), 0);
  CHECK_RC(decode_result(pkt, 104, 0, &m, &b, &d), NNRP_ERR_PRELUDE_TRUNCATED);
  CHECK_RC(decode_result(pkt, 104, NNRP_DECODE_PY_COMPAT, &m, &b, &d),
           NNRP_ERR_PRELUDE_TRUNCATED);
  /* ...and a packet without it may not announce frames or tiles. */
  nnrp_result_push_meta_init(&m);
  m.payload_kind_bitmap = NNRP_PAYLOAD_TOKEN_CHUNK;
  m.payload_frame_count = 1;
  CHECK_RC(nnrp_result_push_meta_encode(&m, pkt + 40), 0);
  CHECK_RC(decode_result(pkt, 104, 0, &m, &b, &d), NNRP_ERR_EMPTY_BODY);
  nnrp_result_push_meta_init(&m);
  m.payload_kind_bitmap = NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_TOKEN_CHUNK;
  m.tile_count = 1;
  m.covered_tile_count = 1;
  CHECK_RC(nnrp_result_push_meta_encode(&m, pkt + 40), 0);
  CHECK_RC(decode_result(pkt, 104, 0, &m, &b, &d), NNRP_ERR_PRELUDE_TRUNCATED);
}

/* Typed and extension frames of a decoded body; critical frames against a known-kind set. */
static void test_frames(void) {
  size_t n;
  uint8_t *pkt = builder_example_hex("result_push_typed.with_non_critical_extension_frame", &n);
  nnrp_result_push_meta m;
  nnrp_data_body b;
  CHECK(pkt != NULL);
  if (!pkt) return;
  CHECK_RC(decode_result(pkt, n, 0, &m, &b, NULL), 0);
  CHECK_EQ(b.typed_frame_count, 1);
  CHECK_EQ(b.ext_frame_count, 1);
  nnrp_typed_frame tf;
  nnrp_ext_frame ef;
  nnrp_data_body_typed_frame(&b, 0, &tf);
  CHECK_EQ(tf.payload_kind, NNRP_PAYLOAD_STRUCTURED_EVENT);
  CHECK_MEM(tf.payload.base, tf.payload.len, "{\"ok\":true}", 11);
  nnrp_data_body_ext_frame(&b, 0, &ef);
  CHECK_EQ(ef.extension_kind, 256);
  CHECK_EQ(ef.extension_flags, 0);
  CHECK_MEM(ef.payload.base, ef.payload.len, "\x01\x02\x03", 3);
  /* The same frame marked CRITICAL: unknown unless the receiver knows kind 256. */
  pkt[n - 3 - 16 + 2] = 0x01;
  nnrp_diag d;
  CHECK_RC(decode_result(pkt, n, 0, &m, &b, &d), NNRP_ERR_EXT_FRAME_CRITICAL);
  static const uint16_t known[] = {256};
  nnrp_decode_options opts = {.flags = 0, .known_extension_kinds = known,
                              .known_extension_kind_count = 1};
  CHECK_RC(nnrp_result_push_meta_decode(&m, pkt + 40, 64, 0), 0);
  CHECK_RC(nnrp_result_push_body_decode(&b, &m, pkt + 104, n - 104, &opts, &d), 0);
  CHECK_EQ(b.ext_frame_count, 1);
  free(pkt);
}

int main(void) {
  RUN(test_valid_region);
  RUN(test_object_rules);
  RUN(test_tile_index_rules);
  RUN(test_fallback);
  RUN(test_empty_bodies);
  RUN(test_frames);
  return TEST_REPORT();
}
