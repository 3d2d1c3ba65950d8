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

#include "conformance.h"

enum { MAX_PACKET = 8192, MAX_IDS = 1024, MAX_SECTIONS = 8, MAX_FRAMES = 16 };

typedef struct packet {
  uint8_t b[MAX_PACKET];
  size_t len;
} packet;

static const nnrp_decode_options strict = {NNRP_DECODE_EXACT, 0, NULL, 0};

static void st16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static void st32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static nnrp_vec text(const char *s) {
  return (nnrp_vec){(const uint8_t *)s, strlen(s)};
}

static int built(packet *out, const nnrp_sink *s, int rc) {
  out->len = rc == 0 ? s->total : 0;
  return rc;
}

/* ---- decoded content -> builder input -------------------------------------------------------- */

/* What a decoded body gives back to a builder; views point into the decoded packet. */
typedef struct content {
  uint16_t ids[MAX_IDS];
  size_t id_count;
  nnrp_tensor_section_data sections[MAX_SECTIONS];
  size_t section_count;
  nnrp_vec tiles[MAX_SECTIONS][MAX_IDS];
  nnrp_typed_frame frames[MAX_FRAMES];
  nnrp_object_ref refs[MAX_FRAMES];
  size_t ref_count;
} content;

static int read_content(const nnrp_data_body *b, unsigned mode, size_t tile_count, uint32_t base,
                        content *k) {
  k->id_count = 0;
  if (tile_count > MAX_IDS || b->section_count > MAX_SECTIONS ||
      b->typed_frame_count > MAX_FRAMES || b->reference_count > MAX_FRAMES)
    return NNRP_ERR_UNSUPPORTED;
  if (b->present & NNRP_DATA_REF_TILE_INDEX) {
    /* The ids are not on the wire: any that satisfy the mode do for the builder. */
    for (size_t i = 0; i < tile_count; i++)
      k->ids[i] = (uint16_t)(mode == NNRP_TILE_DENSE_RANGE ? base + i : i);
    k->id_count = tile_count;
  } else {
    nnrp_tile_iter it;
    uint32_t id;
    nnrp_tile_iter_init(&it, b->tile_index.base, b->tile_index.len, mode, tile_count, base);
    while (k->id_count < tile_count && nnrp_tile_iter_next(&it, &id))
      k->ids[k->id_count++] = (uint16_t)id;
  }
  nnrp_section_iter si;
  nnrp_section_view v;
  k->section_count = 0;
  nnrp_section_iter_init(&si, b->sections.base, b->sections.len, b->section_count);
  while (k->section_count < b->section_count && nnrp_section_iter_next(&si, &v)) {
    size_t n = k->section_count++, t = 0;
    nnrp_tensor_section_data *s = &k->sections[n];
    nnrp_section_tile_iter ti;
    if (v.tile_count > MAX_IDS) return NNRP_ERR_UNSUPPORTED;
    nnrp_section_tile_iter_init(&ti, &v);
    while (t < v.tile_count && nnrp_section_tile_iter_next(&ti, &k->tiles[n][t])) t++;
    memset(s, 0, sizeof(*s));
    s->role_id = v.desc.role_id;
    s->default_codec_id = v.desc.codec_id;
    s->dtype_id = v.desc.dtype_id;
    s->layout_id = v.desc.layout_id;
    s->scale_policy = v.desc.scale_policy;
    s->payload_stride_bytes = v.desc.payload_stride_bytes;
    s->element_count_per_tile = v.desc.element_count_per_tile;
    s->tile_payloads = k->tiles[n];
    s->tile_payload_count = t;
    if (v.desc.codec_table_bytes) s->codec_ids = v.codec_table, s->codec_id_count = t;
  }
  for (size_t i = 0; i < b->typed_frame_count; i++) nnrp_data_body_typed_frame(b, i, &k->frames[i]);
  k->ref_count = b->reference_count;
  for (size_t i = 0; i < b->reference_count; i++)
    nnrp_object_ref_at(&b->regions[1], i, &k->refs[i]);
  return 0;
}

static nnrp_packet_params params_of(const nnrp_header *h) {
  return (nnrp_packet_params){h->session_id, h->frame_id, h->view_id,
                              h->route_id,   h->trace_id, h->flags};
}

/* Re-emit a decoded FRAME_SUBMIT with the builder its body family calls for. */
static int reemit_submit(const nnrp_packet *p, packet *out) {
  static content k;
  static nnrp_frame_submit_input in;
  const nnrp_frame_submit_meta *m = &p->meta.frame_submit;
  const nnrp_data_body *b = &p->data;
  int rc = read_content(b, m->tile_index_mode, m->tile_count, m->tile_base_id, &k);
  if (rc) return rc;
  nnrp_frame_submit_input_init(&in);
  in.packet = params_of(&p->header);
  in.src_width = m->src_width, in.src_height = m->src_height;
  in.tile_width = m->tile_width, in.tile_height = m->tile_height;
  in.frame_class = m->frame_class, in.input_profile = m->input_profile;
  in.tile_index_mode = m->tile_index_mode, in.tile_base_id = m->tile_base_id;
  in.latency_budget_ms = m->latency_budget_ms, in.target_fps_x100 = m->target_fps_x100;
  in.retry_of_frame = m->retry_of_frame, in.submit_mode = m->submit_mode;
  in.object_ref_mask = m->object_ref_mask, in.budget_policy = m->budget_policy;
  in.dependency_frame_id = m->dependency_frame_id;
  in.loss_tolerance_policy = m->loss_tolerance_policy;
  in.payload_kind_bitmap = m->payload_kind_bitmap;
  in.payload_frame_count = m->payload_frame_count;
  in.tile_ids = k.ids, in.tile_id_count = k.id_count;
  in.sections = k.sections, in.section_count = k.section_count;
  if (b->present & NNRP_DATA_HAS_CAMERA) in.camera_block = b->camera;
  if (b->present & NNRP_DATA_REF_CAMERA) in.camera_reference = &b->refs[0];
  if (b->present & NNRP_DATA_REF_TILE_INDEX) in.tile_index_reference = &b->refs[1];
  if (b->present & NNRP_DATA_REF_SECTION_TABLE) in.tensor_section_table_reference = &b->refs[2];
  in.frames = k.frames, in.frame_count = b->typed_frame_count;

  /* The builders of wire-data 12.1/12.4: references (REFERENCE, MIXED) go through the tensor
   * builder, typed frames only inline. */
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, out->b, sizeof(out->b));
  if (b->family != NNRP_BODY_REGION || m->submit_mode != NNRP_SUBMIT_INLINE)
    rc = b->typed_frame_count ? NNRP_ERR_UNSUPPORTED : nnrp_build_frame_submit(&in, &s);
  else if (!(m->payload_kind_bitmap & NNRP_PAYLOAD_TENSOR))
    rc = nnrp_build_frame_submit_typed(&in, &s);
  else
    rc = nnrp_build_frame_submit_mixed(&in, &s);
  return built(out, &s, rc);
}

/* Re-emit a decoded RESULT_PUSH. */
static int reemit_result(const nnrp_packet *p, packet *out) {
  static content k;
  static nnrp_result_push_input in;
  const nnrp_result_push_meta *m = &p->meta.result_push;
  const nnrp_data_body *b = &p->data;
  unsigned mode = nnrp_result_tile_mode(m);
  int rc = read_content(b, mode, m->tile_count, m->tile_base_id, &k);
  if (rc) return rc;
  nnrp_result_push_input_init(&in);
  in.packet = params_of(&p->header);
  in.result_flags = m->result_flags, in.active_profile_id = m->active_profile_id;
  in.inference_ms = m->inference_ms, in.queue_ms = m->queue_ms;
  in.server_total_ms = m->server_total_ms, in.status_code = m->status_code;
  in.tile_index_mode = (uint8_t)mode, in.tile_base_id = m->tile_base_id;
  in.result_class = m->result_class, in.applied_budget_policy = m->applied_budget_policy;
  in.reused_frame_id = m->reused_frame_id;
  in.covered_tile_count = m->covered_tile_count, in.dropped_tile_count = m->dropped_tile_count;
  in.payload_kind_bitmap = m->payload_kind_bitmap;
  in.payload_frame_count = m->payload_frame_count;
  in.tile_ids = k.ids, in.tile_id_count = k.id_count;
  in.sections = k.sections, in.section_count = k.section_count;
  in.frames = k.frames, in.frame_count = b->typed_frame_count;
  in.references = k.refs, in.reference_count = k.ref_count;

  nnrp_sink s;
  nnrp_sink_init_buffer(&s, out->b, sizeof(out->b));
  int tensor = (m->payload_kind_bitmap & NNRP_PAYLOAD_TENSOR) != 0;
  if (b->family != NNRP_BODY_REGION || (tensor && !b->typed_frame_count))
    rc = nnrp_build_result_push(&in, &s); /* a region body here: references only */
  else if (!tensor)
    rc = nnrp_build_result_push_typed(&in, &s);
  else
    rc = nnrp_build_result_push_mixed(&in, &s);
  return built(out, &s, rc);
}

/* Decode, re-emit from the decoded content, compare.  `p` keeps the decoded packet. */
static int parse_emit(conf_case *c, const char *what, const packet *in, nnrp_packet *p) {
  static packet again;
  char label[160];
  snprintf(label, sizeof(label), "%s: parsed", what);
  if (!conf_check_rc(c, nnrp_packet_decode(p, in->b, in->len, &strict, NULL), 0, label)) return 0;
  int rc = p->header.msg_type == NNRP_MSG_FRAME_SUBMIT ? reemit_submit(p, &again)
                                                       : reemit_result(p, &again);
  snprintf(label, sizeof(label), "%s: re-emitted from the parsed content", what);
  if (!conf_check_rc(c, rc, 0, label)) return 0;
  snprintf(label, sizeof(label), "%s: re-emitted vs original", what);
  return conf_check_bytes(c, label, again.b, again.len, in->b, in->len);
}

static void reference_packet(conf_case *c, const char *file, packet *out, nnrp_packet *p) {
  size_t len = 0;
  uint8_t *b = conf_read_vector(c, file, &len);
  out->len = 0;
  if (!b) return;
  if (conf_check(c, len <= sizeof(out->b), "%s: %zu bytes", file, len)) {
    memcpy(out->b, b, len);
    out->len = len;
    parse_emit(c, file, out, p);
  }
  free(b);
}

/* Tile ids and roles as parsed, logged and compared with what was built. */
static void check_layout(conf_case *c, const char *what, const nnrp_packet *p, const uint16_t *ids,
                         size_t n, const nnrp_tensor_section_data *secs, size_t ns) {
  static content k;
  const nnrp_data_body *b = &p->data;
  int submit = p->header.msg_type == NNRP_MSG_FRAME_SUBMIT;
  unsigned mode =
      submit ? p->meta.frame_submit.tile_index_mode : nnrp_result_tile_mode(&p->meta.result_push);
  uint32_t base = submit ? p->meta.frame_submit.tile_base_id : p->meta.result_push.tile_base_id;
  size_t count = submit ? p->meta.frame_submit.tile_count : p->meta.result_push.tile_count;
  if (!conf_check_rc(c, read_content(b, mode, count, base, &k), 0, "content read back")) return;
  if (b->present & NNRP_DATA_REF_TILE_INDEX) {
    conf_check(c, b->tile_index.len == 0, "%s: tile index by reference, no ids on the wire", what);
  } else {
    int same_ids = k.id_count == n;
    for (size_t i = 0; same_ids && i < n; i++) same_ids = k.ids[i] == ids[i];
    conf_check(c, same_ids, "%s: tile index mode %u keeps the %zu tile ids", what, mode, n);
  }
  int ok = k.section_count == ns;
  for (size_t s = 0; ok && s < ns; s++) {
    ok = k.sections[s].role_id == secs[s].role_id &&
         k.sections[s].tile_payload_count == secs[s].tile_payload_count &&
         (s == 0 || k.sections[s].role_id > k.sections[s - 1].role_id);
    for (size_t t = 0; ok && t < secs[s].tile_payload_count; t++)
      ok = k.sections[s].tile_payloads[t].len == secs[s].tile_payloads[t].len &&
           memcmp(k.sections[s].tile_payloads[t].base, secs[s].tile_payloads[t].base,
                  secs[s].tile_payloads[t].len) == 0;
  }
  conf_check(c, ok, "%s: %zu sections in increasing role_id order, tile bytes unchanged", what, ns);
}

typedef void (*mutation)(packet *p);

static void rejects(conf_case *c, const char *what, const packet *base, mutation m, int want) {
  static packet bad;
  static nnrp_packet p;
  if (!base->len) return;
  bad = *base;
  m(&bad);
  conf_check_rc(c, nnrp_packet_decode(&p, bad.b, bad.len, &strict, NULL), want, what);
}

/* ---- shared tensor content ------------------------------------------------------------------- */

static uint8_t tile_bytes[2][4][16];
static nnrp_vec tiles[2][4];
static nnrp_tensor_section_data two_sections[2]; /* role_id 1 and 5, four 16-byte tiles each */
static nnrp_tensor_section_data two_tiles;       /* role_id 1, two tiles */

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
  two_tiles = two_sections[0];
  two_tiles.tile_payload_count = 2;
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
  if ((rc = nnrp_section_seq_encode(&two_tiles, 1, 2, 0, &s))) return rc;
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

static const nnrp_object_ref camera_ref = {NNRP_OBJECT_CAMERA_BLOCK, 0, 3, 0x10, 0x20};
static const nnrp_object_ref tile_ref = {NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 3, 0x10, 0x21};

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

static void m_rules(conf_case *c) {
  submit_parts sp;
  parts_base(&sp);
  m_rule(c, "base: mixed, camera referenced, tile index and section table inline", &sp, 0);
  static packet base;
  if (assemble(&sp, &base) == 0)
    rejects(c, "M1 object_ref_mask bit 0x10", &base, unknown_mask_bit,
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

conf_outcome conf_l1_frame_submit(conf_case *c) {
  static packet pk;
  static nnrp_packet p;
  static nnrp_frame_submit_input in;
  tensor_init();

  conf_note(c, "the reference SDK's FRAME_SUBMIT packets");
  reference_packet(c, "frame_submit_dense.bin", &pk, &p);
  reference_packet(c, "frame_submit_changed_tiles.bin", &pk, &p);

  conf_note(c, "two sections (role_id 1, 5) under every tile index mode");
  static const uint16_t dense[4] = {3, 4, 5, 6}, sparse[4] = {2, 5, 9, 200};
  static const char *const mode_names[4] = {"DENSE_RANGE", "RAW_U16", "DELTA_U16", "BITSET"};
  for (unsigned mode = 0; mode < 4; mode++) {
    const uint16_t *ids = mode == NNRP_TILE_DENSE_RANGE ? dense : sparse;
    nnrp_sink s;
    submit_input(&in, ids, mode, mode == NNRP_TILE_DENSE_RANGE ? 3 : 0);
    nnrp_sink_init_buffer(&s, pk.b, sizeof(pk.b));
    if (conf_check_rc(c, built(&pk, &s, nnrp_build_frame_submit(&in, &s)), 0, mode_names[mode]) &&
        parse_emit(c, mode_names[mode], &pk, &p)) {
      conf_check(c, p.meta.frame_submit.tile_index_mode == mode, "%s: mode kept", mode_names[mode]);
      check_layout(c, mode_names[mode], &p, ids, 4, two_sections, 2);
      if (mode == NNRP_TILE_RAW_U16) {
        role_at = second_role_offset(&pk, &p);
        rejects(c, "sections whose role_id does not increase", &pk, swap_roles,
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
      parse_emit(c, "mixed-mode submit", &pk, &p)) {
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
    check_layout(c, "mixed-mode submit", &p, sparse, 4, two_sections, 2);
  }

  conf_note(c, "mixed payloads: the tensor and a structured event frame, inline");
  nnrp_typed_frame frame = {NNRP_PAYLOAD_STRUCTURED_EVENT, 0, 2, text("{\"type\":\"pose\"}")};
  submit_input(&in, sparse, NNRP_TILE_RAW_U16, 0);
  in.frames = &frame, in.frame_count = 1;
  nnrp_sink_init_buffer(&s, pk.b, sizeof(pk.b));
  if (conf_check_rc(c, built(&pk, &s, nnrp_build_frame_submit_mixed(&in, &s)), 0,
                    "tensor + typed submit") &&
      parse_emit(c, "tensor + typed submit", &pk, &p)) {
    nnrp_typed_frame got;
    nnrp_data_body_typed_frame(&p.data, 0, &got);
    conf_check(c,
               p.data.typed_frame_count == 1 && got.payload.len == frame.payload.len &&
                   !memcmp(got.payload.base, frame.payload.base, got.payload.len) &&
                   p.meta.frame_submit.payload_kind_bitmap == 0x11,
               "typed event frame kept beside the tensor, payload_kind_bitmap 0x%x",
               p.meta.frame_submit.payload_kind_bitmap);
    check_layout(c, "tensor + typed submit", &p, sparse, 4, two_sections, 2);
  }

  conf_note(c, "invalid object combinations (wire-data 9.3 M1-M11)");
  m_rules(c);
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
  reference_packet(c, "result_push_fresh.bin", &pk, &p);
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
      parse_emit(c, "partial result", &partial, &p)) {
    const nnrp_result_push_meta *m = &p.meta.result_push;
    conf_check(c,
               m->result_class == NNRP_RESULT_PARTIAL &&
                   m->result_flags == NNRP_RESULT_FLAG_PARTIAL &&
                   m->applied_budget_policy == NNRP_BUDGET_ALLOW_PARTIAL &&
                   m->covered_tile_count == 3 && m->dropped_tile_count == 1 &&
                   m->covered_tile_count + m->dropped_tile_count == m->tile_count,
               "class partial, covered %u + dropped %u = tile_count %u", m->covered_tile_count,
               m->dropped_tile_count, m->tile_count);
    check_layout(c, "partial result", &p, ids, 4, two_sections, 1);
  }

  conf_note(c, "stale-reuse result naming frame 41");
  result_input(&in, ids);
  in.reused_frame_id = 41;
  nnrp_sink_init_buffer(&s, pk.b, sizeof(pk.b));
  if (conf_check_rc(c, built(&pk, &s, nnrp_build_result_push_stale_reuse(&in, &s)), 0,
                    "stale-reuse result") &&
      parse_emit(c, "stale-reuse result", &pk, &p)) {
    const nnrp_result_push_meta *m = &p.meta.result_push;
    conf_check(c,
               m->result_class == NNRP_RESULT_STALE_REUSE && m->reused_frame_id == 41 &&
                   m->result_flags == NNRP_RESULT_FLAG_STALE &&
                   m->applied_budget_policy == NNRP_BUDGET_ALLOW_STALE_REUSE,
               "class stale_reuse, reused_frame_id %u", m->reused_frame_id);
    check_layout(c, "stale-reuse result", &p, ids, 4, two_sections, 1);
  }

  conf_note(c, "coverage violations (wire-data 11 C2-C5)");
  rejects(c, "C2 covered 5 of 4 tiles", &partial, cov_covered5, NNRP_ERR_COVERAGE_COVERED);
  rejects(c, "C3 dropped 5 of 4 tiles", &partial, cov_dropped5, NNRP_ERR_COVERAGE_DROPPED);
  rejects(c, "C4 covered 2 + dropped 1 != 4", &partial, cov_sum, NNRP_ERR_COVERAGE_SUM);
  rejects(c, "C5 partial result without dropped tiles", &partial, cov_partial,
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
      parse_emit(c, "partial result with references", &pk, &p)) {
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
    rejects(c, "R1 references out of order", &pk, swap_refs, NNRP_ERR_RESULT_REF_ORDER);
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
      parse_emit(c, "typed FRAME_SUBMIT", &pk, &p))
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
      parse_emit(c, "typed RESULT_PUSH", &pk, &p))
    conf_check(c, same_frames(&p, frames, 6), "RESULT_PUSH: 6 frames read back unchanged");

  conf_note(c, "tensor result with a token chunk beside it");
  result_input(&res, ids);
  res.frames = frames, res.frame_count = 1;
  nnrp_sink_init_buffer(&s, pk.b, sizeof(pk.b));
  if (conf_check_rc(c, built(&pk, &s, nnrp_build_result_push_mixed(&res, &s)), 0,
                    "mixed RESULT_PUSH") &&
      parse_emit(c, "mixed RESULT_PUSH", &pk, &p)) {
    conf_check(c, same_frames(&p, frames, 1), "mixed RESULT_PUSH: token frame unchanged");
    check_layout(c, "mixed RESULT_PUSH", &p, ids, 4, two_sections, 1);
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
      parse_emit(c, "degraded result", &pk, &p))
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
