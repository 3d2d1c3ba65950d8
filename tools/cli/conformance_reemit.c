/*
 * Parse and re-emit for the L1 data-plane cases (cmd_conformance_data.c): a packet is decoded by
 * the strict decoder, fed back to the matching builder from its decoded content only, and must
 * come out byte for byte.
 */
#include <stdlib.h>
#include <string.h>

#include "conformance_data.h"

enum { MAX_IDS = 1024, MAX_SECTIONS = 8, MAX_FRAMES = 16 };

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

int conf_parse_emit(conf_case *c, const char *what, const packet *in, nnrp_packet *p) {
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

void conf_reference_packet(conf_case *c, const char *file, packet *out, nnrp_packet *p) {
  size_t len = 0;
  uint8_t *b = conf_read_vector(c, file, &len);
  out->len = 0;
  if (!b) return;
  if (conf_check(c, len <= sizeof(out->b), "%s: %zu bytes", file, len)) {
    memcpy(out->b, b, len);
    out->len = len;
    conf_parse_emit(c, file, out, p);
  }
  free(b);
}

void conf_check_layout(conf_case *c, const char *what, const nnrp_packet *p, const uint16_t *ids,
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

void conf_rejects(conf_case *c, const char *what, const packet *base, mutation m, int want) {
  static packet bad;
  static nnrp_packet p;
  if (!base->len) return;
  bad = *base;
  m(&bad);
  conf_check_rc(c, nnrp_packet_decode(&p, bad.b, bad.len, &strict, NULL), want, what);
}
