/*
 * FRAME_SUBMIT's invalid object combinations (wire-data 9.3 M1-M11) for the L1 data-plane case:
 * a region-body packet is assembled block by block, bypassing the builders, so that each rule
 * can be broken alone and the strict decoder's code checked.
 */
#include <string.h>

#include "conformance_data.h"

static void st32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void unknown_mask_bit(packet *p) {
  p->b[40 + 56] |= 0x10;
}

/* A region-body FRAME_SUBMIT assembled block by block, to break one M-rule at a time. */
typedef struct submit_parts {
  nnrp_frame_submit_meta meta;
  int camera, tile_index, section_table; /* inline standard objects */
  nnrp_object_ref refs[4];
  size_t ref_count;
  int typed_event; /* one structured_event typed frame */
} submit_parts;

static const uint8_t camera8[8] = "camera!";
static const uint16_t two_ids[2] = {1, 2};

static int assemble(const submit_parts *sp, packet *out) {
  static uint8_t inl[1024], refs[128], tix[64], table[512], descs[64], frames[64], body[4096];
  static uint8_t meta[NNRP_FRAME_SUBMIT_META_LEN];
  nnrp_sink s, t, d, f;
  int rc;
  nnrp_sink_init_buffer(&t, tix, sizeof(tix));
  if ((rc = nnrp_tile_index_encode(two_ids, 2, NNRP_TILE_RAW_U16, 0, &t))) return rc;
  nnrp_sink_init_buffer(&s, table, sizeof(table));
  if ((rc = nnrp_section_seq_encode(&conf_two_tiles, 1, 2, 0, &s))) return rc;
  size_t table_len = s.total;
  nnrp_sink_init_buffer(&s, inl, sizeof(inl));
  const nnrp_inline_object_header cam = {NNRP_OBJECT_CAMERA_BLOCK, 0, 0, 0, sizeof(camera8), 0};
  const nnrp_inline_object_header ti = {
      NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 0, 0, (uint32_t)t.total, 0};
  const nnrp_inline_object_header st = {
      NNRP_OBJECT_TENSOR_SECTION_TABLE, 0, 0, 0, (uint32_t)table_len, 0};
  if (sp->camera) nnrp_inline_object_encode(&cam, (nnrp_vec){camera8, sizeof(camera8)}, &s);
  if (sp->tile_index) nnrp_inline_object_encode(&ti, (nnrp_vec){tix, t.total}, &s);
  if (sp->section_table) nnrp_inline_object_encode(&st, (nnrp_vec){table, table_len}, &s);
  if ((rc = nnrp_sink_error(&s))) return rc;
  for (size_t i = 0; i < sp->ref_count; i++) nnrp_object_ref_encode(&sp->refs[i], refs + 16 * i);
  nnrp_sink_init_buffer(&d, descs, sizeof(descs));
  nnrp_sink_init_buffer(&f, frames, sizeof(frames));
  const nnrp_typed_frame ev = {NNRP_PAYLOAD_STRUCTURED_EVENT, 0, 4, text("{\"e\":1}")};
  if (sp->typed_event && (rc = nnrp_typed_frames_pack(&ev, 1, &d, &f))) return rc;
  const nnrp_vec regions[NNRP_REGION_COUNT] = {{inl, s.total},   {refs, 16 * sp->ref_count},
                                               {descs, d.total}, {frames, f.total},
                                               {NULL, 0},        {NULL, 0}};
  nnrp_sink_init_buffer(&s, body, sizeof(body));
  if ((rc = nnrp_body_pack(regions, &s))) return rc;
  /* The metadata as given: its own rules are checked by the decoder, not here. */
  nnrp_frame_submit_meta m = sp->meta;
  uint32_t mask = m.object_ref_mask;
  if (m.submit_mode == NNRP_SUBMIT_INLINE) m.object_ref_mask = 0;
  if ((rc = nnrp_frame_submit_meta_encode(&m, meta))) return rc;
  st32(meta + 56, mask);
  const nnrp_header h = {
      1, 0, NNRP_MSG_FRAME_SUBMIT, NNRP_HEADER_LEN, 0, sizeof(meta), (uint32_t)s.total, 7, 43, 0,
      0, 0};
  nnrp_sink o;
  nnrp_sink_init_buffer(&o, out->b, sizeof(out->b));
  rc = nnrp_packet_encode_raw(&h, (nnrp_vec){meta, sizeof(meta)}, (nnrp_vec){body, s.total}, &o);
  return built(out, &o, rc);
}

/* The base: mixed mode, camera referenced, tile index (RAW_U16) and section table inline. */
static void parts_base(submit_parts *sp) {
  memset(sp, 0, sizeof(*sp));
  nnrp_frame_submit_meta_init(&sp->meta);
  sp->meta.src_width = 64, sp->meta.src_height = 32, sp->meta.tile_width = 32;
  sp->meta.tile_height = 32, sp->meta.tile_count = 2, sp->meta.section_count = 1;
  sp->meta.tile_index_mode = NNRP_TILE_RAW_U16, sp->meta.tile_index_bytes = 4;
  sp->meta.submit_mode = NNRP_SUBMIT_MIXED, sp->meta.object_ref_mask = NNRP_REF_CAMERA_BLOCK;
  sp->tile_index = sp->section_table = 1;
  sp->refs[0] = camera_ref;
  sp->ref_count = 1;
}

static void m_rule(conf_case *c, const char *what, const submit_parts *sp, int want) {
  static packet pk;
  static nnrp_packet p;
  char label[160];
  snprintf(label, sizeof(label), "%s: assembled", what);
  if (conf_check_rc(c, assemble(sp, &pk), 0, label))
    conf_check_rc(c, nnrp_packet_decode(&p, pk.b, pk.len, &strict, NULL), want, what);
}

void conf_m_rules(conf_case *c) {
  submit_parts sp;
  parts_base(&sp);
  m_rule(c, "base: mixed, camera referenced, tile index and section table inline", &sp, 0);
  static packet base;
  if (assemble(&sp, &base) == 0)
    conf_rejects(c, "M1 object_ref_mask bit 0x10", &base, unknown_mask_bit,
                 NNRP_ERR_SUBMIT_REF_MASK_BITS);
  parts_base(&sp);
  sp.meta.submit_mode = NNRP_SUBMIT_INLINE, sp.meta.object_ref_mask = 0;
  sp.meta.payload_kind_bitmap |= NNRP_PAYLOAD_STRUCTURED_EVENT, sp.meta.payload_frame_count = 1;
  sp.typed_event = 1;
  m_rule(c, "M2 inline submit carrying a reference block", &sp, NNRP_ERR_SUBMIT_INLINE_REFS);
  parts_base(&sp);
  sp.refs[1] = camera_ref, sp.ref_count = 2;
  m_rule(c, "M3 two CAMERA_BLOCK references", &sp, NNRP_ERR_SUBMIT_DUP_REF);
  parts_base(&sp);
  sp.ref_count = 0;
  m_rule(c, "M4 camera mask bit without a reference", &sp, NNRP_ERR_SUBMIT_REF_MISSING);
  parts_base(&sp);
  sp.refs[1] = tile_ref, sp.ref_count = 2, sp.tile_index = 0, sp.meta.tile_index_bytes = 0;
  m_rule(c, "M5 TILE_INDEX_BLOCK reference without its mask bit", &sp,
         NNRP_ERR_SUBMIT_REF_WITHOUT_MASK);
  parts_base(&sp);
  sp.meta.submit_mode = NNRP_SUBMIT_REFERENCE;
  m_rule(c, "M6 reference submit carrying inline standard objects", &sp,
         NNRP_ERR_SUBMIT_REFERENCE_INLINE);
  parts_base(&sp);
  sp.meta.object_ref_mask = NNRP_REF_CAMERA_BLOCK | NNRP_REF_TILE_INDEX_BLOCK;
  sp.refs[0] = tile_ref, sp.refs[1] = camera_ref, sp.ref_count = 2;
  sp.tile_index = 0, sp.meta.tile_index_bytes = 0;
  m_rule(c, "M7 references out of slot order", &sp, NNRP_ERR_SUBMIT_REF_ORDER);
  parts_base(&sp);
  sp.meta.camera_bytes = 8;
  m_rule(c, "M8 camera_bytes without an inline CAMERA_BLOCK", &sp, NNRP_ERR_SUBMIT_CAMERA_MISSING);
  parts_base(&sp);
  sp.tile_index = 0;
  m_rule(c, "M9 tile index neither inline nor referenced", &sp, NNRP_ERR_SUBMIT_TILE_INDEX_MISSING);
  parts_base(&sp);
  sp.meta.object_ref_mask |= NNRP_REF_TILE_INDEX_BLOCK;
  sp.refs[1] = tile_ref, sp.ref_count = 2, sp.tile_index = 0;
  m_rule(c, "M10 tile index referenced with tile_index_bytes 4", &sp,
         NNRP_ERR_SUBMIT_TILE_INDEX_REFERENCED);
  parts_base(&sp);
  sp.section_table = 0;
  m_rule(c, "M11 section table neither inline nor referenced", &sp,
         NNRP_ERR_SUBMIT_SECTION_TABLE_MISSING);
}
