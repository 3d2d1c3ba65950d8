/*
 * Data-plane builders round trip.  The input is read as builder arguments (tile ids,
 * sections, camera, typed frames, references, metadata fields) and one of the FRAME_SUBMIT /
 * RESULT_PUSH builders runs with them.  Whenever a builder accepts:
 *   - the count, buffer and scatter-gather sinks produce the same packet;
 *   - the strict decoder accepts the packet, exactly, with the header lengths it announces;
 *   - the decoded tile ids, tile payloads and typed frames are the ones that went in.
 * A builder that refuses in one sink mode must refuse in every mode with the same error.
 */
#include "fuzz_walk.h"

enum {
  MAX_TILES = 24,
  MAX_SECTIONS = 4,
  MAX_FRAMES = 5,
  MAX_REFS = 4,
  MAX_IOV = 256
};

typedef struct builder_args {
  uint16_t tile_ids[MAX_TILES];
  size_t tile_count;
  nnrp_tensor_section_data sections[MAX_SECTIONS];
  nnrp_vec payloads[MAX_SECTIONS][MAX_TILES];
  uint8_t codec_ids[MAX_SECTIONS][MAX_TILES];
  size_t section_count;
  nnrp_typed_frame frames[MAX_FRAMES];
  size_t frame_count;
  nnrp_object_ref refs[MAX_REFS];
  size_t ref_count;
} builder_args;

/* Ids in the shape the chosen style asks for: contiguous from base, strictly increasing,
 * or anything. */
static void read_tile_ids(fuzz_reader *r, builder_args *a, unsigned style, uint32_t base) {
  a->tile_count = fuzz_u8(r) % (MAX_TILES + 1);
  uint32_t id = style == 0 ? base : fuzz_u16(r) & 0x3FFu;
  for (size_t i = 0; i < a->tile_count; i++) {
    if (style == 2) id = fuzz_u16(r);
    a->tile_ids[i] = (uint16_t)id;
    id += style == 1 ? 1u + (fuzz_u8(r) & 7u) : 1u;
  }
}

static void read_sections(fuzz_reader *r, builder_args *a) {
  a->section_count = fuzz_u8(r) % (MAX_SECTIONS + 1);
  uint16_t role = fuzz_u8(r);
  for (size_t s = 0; s < a->section_count; s++) {
    nnrp_tensor_section_data *d = &a->sections[s];
    uint8_t shape = fuzz_u8(r);
    memset(d, 0, sizeof(*d));
    d->role_id = role;
    role = (uint16_t)(role + (shape & 0x80 ? 0 : 1 + (shape & 3u))); /* rarely out of order */
    d->default_codec_id = fuzz_u8(r) & 3u;
    d->dtype_id = fuzz_u8(r) % 9u; /* 8 is not a dtype */
    d->layout_id = shape & 0x40 ? 2 : 0;
    d->scale_policy = (shape >> 2) & 3u;
    d->payload_stride_bytes = shape & 0x10 ? fuzz_u8(r) & 31u : 0;
    d->element_count_per_tile = fuzz_u16(r);
    /* Usually one payload per tile; sometimes one too many or too few (Q2). */
    size_t n = a->tile_count;
    if ((shape & 0x20) && fuzz_u8(r) & 1) n = n ? n - 1 : 1;
    if (n > MAX_TILES) n = MAX_TILES;
    for (size_t t = 0; t < n; t++) {
      a->payloads[s][t] = fuzz_bytes(r, fuzz_u8(r) % 40u);
      a->codec_ids[s][t] = fuzz_u8(r) & 3u;
    }
    d->tile_payloads = a->payloads[s];
    d->tile_payload_count = n;
    if (shape & 0x08) {
      d->codec_ids = a->codec_ids[s];
      d->codec_id_count = n;
    }
  }
}

static void read_frames(fuzz_reader *r, builder_args *a) {
  a->frame_count = fuzz_u8(r) % (MAX_FRAMES + 1);
  for (size_t i = 0; i < a->frame_count; i++) {
    uint8_t k = fuzz_u8(r);
    nnrp_typed_frame *f = &a->frames[i];
    f->payload_kind = (uint8_t)(1u << (k & 7u)); /* 0x01 (TENSOR) and 0x80 are refused */
    f->descriptor_flags = (k & 0xF0) == 0xF0 ? 1 : 0;
    f->profile_id = fuzz_u8(r);
    f->payload = fuzz_bytes(r, fuzz_u8(r) % 64u);
  }
}

static void read_refs(fuzz_reader *r, builder_args *a) {
  a->ref_count = fuzz_u8(r) % (MAX_REFS + 1);
  for (size_t i = 0; i < a->ref_count; i++) {
    nnrp_object_ref *ref = &a->refs[i];
    ref->object_kind = (uint16_t)(1 + fuzz_u8(r) % 9u);
    ref->ref_flags = 0;
    ref->cache_namespace = fuzz_u8(r);
    ref->cache_key_hi = fuzz_u8(r);
    ref->cache_key_lo = fuzz_u32(r);
  }
}

static void read_params(fuzz_reader *r, nnrp_packet_params *p) {
  p->session_id = fuzz_u32(r);
  p->frame_id = fuzz_u32(r);
  p->view_id = fuzz_u16(r);
  p->route_id = fuzz_u8(r);
  p->trace_id = fuzz_u32(r);
  uint8_t f = fuzz_u8(r);
  p->flags = f == 0xFF ? 0x40u : f & NNRP_FLAGS_KNOWN; /* rarely a reserved bit */
}

/* Kinds of the standard submit slots, in slot order (wire-data §9.3). */
static const uint16_t slot_kind[3] = {NNRP_OBJECT_CAMERA_BLOCK, NNRP_OBJECT_TILE_INDEX_BLOCK,
                                      NNRP_OBJECT_TENSOR_SECTION_TABLE};

typedef int (*submit_fn)(const nnrp_frame_submit_input *, nnrp_sink *);
typedef int (*result_fn)(const nnrp_result_push_input *, nnrp_sink *);

typedef struct build_call {
  submit_fn submit;
  result_fn result;
  const nnrp_frame_submit_input *submit_in;
  const nnrp_result_push_input *result_in;
} build_call;

static int build(const build_call *c, nnrp_sink *sink) {
  return c->submit ? c->submit(c->submit_in, sink) : c->result(c->result_in, sink);
}

/* Compare what the decoder saw with what went into the builder. */
static void check_contents(const nnrp_packet *p, const builder_args *a, unsigned mode,
                           uint32_t tile_base, int tensor) {
  const nnrp_data_body *b = &p->data;
  if (tensor && (b->family == NNRP_BODY_LEGACY || (b->present & NNRP_DATA_HAS_TILE_INDEX))) {
    nnrp_tile_iter it;
    uint32_t id;
    size_t i = 0;
    nnrp_tile_iter_init(&it, b->tile_index.base, b->tile_index.len, mode, a->tile_count,
                        tile_base);
    while (nnrp_tile_iter_next(&it, &id)) {
      FUZZ_CHECK(i < a->tile_count && id == a->tile_ids[i]);
      i++;
    }
    FUZZ_CHECK(i == a->tile_count);
  }
  if (tensor && !(b->present & NNRP_DATA_REF_SECTION_TABLE) && b->section_count) {
    nnrp_section_iter it;
    nnrp_section_view s;
    size_t i = 0;
    FUZZ_CHECK(b->section_count == a->section_count);
    nnrp_section_iter_init(&it, b->sections.base, b->sections.len, b->section_count);
    while (nnrp_section_iter_next(&it, &s)) {
      const nnrp_tensor_section_data *d = &a->sections[i++];
      FUZZ_CHECK(s.desc.role_id == d->role_id && s.desc.dtype_id == d->dtype_id);
      nnrp_section_tile_iter ti;
      nnrp_vec tile;
      size_t t = 0;
      nnrp_section_tile_iter_init(&ti, &s);
      while (nnrp_section_tile_iter_next(&ti, &tile)) {
        const nnrp_vec *want = &d->tile_payloads[t];
        FUZZ_CHECK(tile.len == want->len);
        FUZZ_CHECK(tile.len == 0 || memcmp(tile.base, want->base, tile.len) == 0);
        uint8_t codec = d->codec_ids ? d->codec_ids[t] : d->default_codec_id;
        FUZZ_CHECK(nnrp_section_tile_codec(&s, t) == codec);
        t++;
      }
      FUZZ_CHECK(t == d->tile_payload_count);
    }
    FUZZ_CHECK(i == a->section_count);
  }
  if (b->family == NNRP_BODY_REGION && b->typed_frame_count) {
    FUZZ_CHECK(b->typed_frame_count == a->frame_count);
    for (size_t i = 0; i < a->frame_count; i++) {
      nnrp_typed_frame f;
      nnrp_data_body_typed_frame(b, i, &f);
      FUZZ_CHECK(f.payload_kind == a->frames[i].payload_kind);
      FUZZ_CHECK(f.profile_id == a->frames[i].profile_id);
      FUZZ_CHECK(f.payload.len == a->frames[i].payload.len);
      FUZZ_CHECK(f.payload.len == 0 ||
                 memcmp(f.payload.base, a->frames[i].payload.base, f.payload.len) == 0);
    }
  }
}

static void run(const build_call *c, const builder_args *a, size_t zero_copy_min) {
  nnrp_sink count;
  nnrp_sink_init_count(&count);
  int rc = build(c, &count);

  /* The buffer sink: exact size, so that a write past the announced total is caught. */
  size_t total = rc == 0 ? count.total : 4096;
  uint8_t *buf = (uint8_t *)malloc(total ? total : 1);
  FUZZ_CHECK(buf != NULL);
  nnrp_sink sink;
  nnrp_sink_init_buffer(&sink, buf, total);
  int brc = build(c, &sink);
  FUZZ_CHECK(brc == rc || (rc != 0 && brc == NNRP_ERR_BUFFER_TOO_SMALL));
  if (rc != 0) {
    FUZZ_CHECK(rc < 0);
    free(buf);
    return;
  }
  FUZZ_CHECK(sink.len == total && sink.total == total);

  /* Scatter-gather: same bytes; payloads referenced, structural bytes in the scratch. */
  uint8_t *scratch = (uint8_t *)malloc(total ? total : 1);
  FUZZ_CHECK(scratch != NULL);
  nnrp_vec iov[MAX_IOV];
  nnrp_sink gs;
  nnrp_sink_init_iov(&gs, scratch, total, iov, MAX_IOV, zero_copy_min);
  int grc = build(c, &gs);
  FUZZ_CHECK(grc == 0 || grc == NNRP_ERR_IOV_TOO_SMALL);
  if (grc == 0) {
    FUZZ_CHECK(gs.total == total);
    FUZZ_CHECK(fuzz_iov_equals(iov, gs.iov_count, buf, total));
  }
  free(scratch);

  /* The strict decoder takes every packet a builder makes. */
  nnrp_decode_options opts = {0};
  opts.flags = NNRP_DECODE_EXACT;
  nnrp_packet p;
  nnrp_diag diag = {0, 0};
  int drc = nnrp_packet_decode(&p, buf, total, &opts, &diag);
  if (drc != 0) {
    fprintf(stderr, "decoder refused builder output: %s at offset %zu\n", nnrp_err_name(drc),
            diag.offset);
    FUZZ_CHECK(drc == 0);
  }
  FUZZ_CHECK(p.packet_len == total);
  if (c->submit) {
    const nnrp_frame_submit_meta *m = &p.meta.frame_submit;
    FUZZ_CHECK(p.header.msg_type == NNRP_MSG_FRAME_SUBMIT);
    FUZZ_CHECK(p.header.session_id == c->submit_in->packet.session_id);
    FUZZ_CHECK(p.header.frame_id == c->submit_in->packet.frame_id);
    fuzz_walk_data(&p.data, p.body, m->tile_index_mode, m->tile_count, m->tile_base_id, 1);
    check_contents(&p, a, m->tile_index_mode, m->tile_base_id, m->payload_kind_bitmap & 1u);
    /* An inline camera block comes back as it went in. */
    const nnrp_vec *cam = &c->submit_in->camera_block;
    if (p.data.family == NNRP_BODY_LEGACY || (p.data.present & NNRP_DATA_HAS_CAMERA)) {
      FUZZ_CHECK(p.data.camera.len == cam->len && m->camera_bytes == cam->len);
      FUZZ_CHECK(cam->len == 0 || memcmp(p.data.camera.base, cam->base, cam->len) == 0);
    }
  } else {
    const nnrp_result_push_meta *m = &p.meta.result_push;
    FUZZ_CHECK(p.header.msg_type == NNRP_MSG_RESULT_PUSH);
    FUZZ_CHECK(p.header.session_id == c->result_in->packet.session_id);
    fuzz_walk_data(&p.data, p.body, nnrp_result_tile_mode(m), m->tile_count, m->tile_base_id, 1);
    check_contents(&p, a, nnrp_result_tile_mode(m), m->tile_base_id,
                   m->payload_kind_bitmap & 1u);
  }
  free(buf);
}

static void fuzz_submit(fuzz_reader *r, builder_args *a, unsigned which, size_t zcm) {
  static const submit_fn fns[] = {nnrp_build_frame_submit, nnrp_build_frame_submit_typed,
                                  nnrp_build_frame_submit_mixed};
  nnrp_frame_submit_input in;
  nnrp_frame_submit_input_init(&in);
  read_params(r, &in.packet);
  uint8_t shape = fuzz_u8(r);
  in.tile_index_mode = shape & 3u;
  in.tile_base_id = shape & 0x80 ? fuzz_u32(r) : fuzz_u8(r);
  read_tile_ids(r, a, in.tile_index_mode == NNRP_TILE_DENSE_RANGE ? 0 : (shape >> 2) % 3u,
                in.tile_base_id);
  read_sections(r, a);
  read_frames(r, a);
  in.src_width = fuzz_u16(r);
  in.src_height = fuzz_u16(r);
  in.tile_width = fuzz_u8(r);
  in.tile_height = fuzz_u8(r);
  in.tile_ids = a->tile_ids;
  in.tile_id_count = a->tile_count;
  in.sections = a->sections;
  in.section_count = a->section_count;
  in.camera_block = fuzz_bytes(r, fuzz_u8(r) % 24u);
  uint8_t m = fuzz_u8(r);
  in.frame_class = m & 3u;
  in.input_profile = (m >> 2) % 3u;
  in.submit_mode = (m >> 4) & 3u; /* 3 is not a mode */
  in.budget_policy = fuzz_u8(r) & 0x1F;
  in.loss_tolerance_policy = (m & 0x40) ? fuzz_u8(r) % 5u : 0xFF;
  in.latency_budget_ms = fuzz_u8(r);
  in.dependency_frame_id = fuzz_u8(r);
  uint8_t refs = fuzz_u8(r);
  nnrp_object_ref slot_refs[3];
  const nnrp_object_ref **slot[3] = {&in.camera_reference, &in.tile_index_reference,
                                     &in.tensor_section_table_reference};
  for (unsigned i = 0; i < 3; i++) {
    if (!(refs & (1u << i))) continue;
    slot_refs[i].object_kind = (refs & 0x80) ? (uint16_t)(fuzz_u8(r) % 10u) : slot_kind[i];
    slot_refs[i].ref_flags = 0;
    slot_refs[i].cache_namespace = fuzz_u8(r);
    slot_refs[i].cache_key_hi = 0;
    slot_refs[i].cache_key_lo = fuzz_u32(r);
    *slot[i] = &slot_refs[i];
  }
  /* The mask usually matches the references given (the builder checks it). */
  in.object_ref_mask = (refs & 0x40) ? (refs >> 3) & 0xFu : refs & 7u;
  if (which == 0 && (refs & 0x20)) {
    uint8_t kinds = fuzz_u8(r);
    in.payload_kind_bitmap = kinds & 0x7F ? kinds : NNRP_PAYLOAD_TENSOR;
    in.payload_frame_count = fuzz_u8(r) & 1u;
  }
  in.frames = a->frames;
  in.frame_count = a->frame_count;
  build_call c = {fns[which], NULL, &in, NULL};
  run(&c, a, zcm);
}

static void fuzz_result(fuzz_reader *r, builder_args *a, unsigned which, size_t zcm) {
  static const result_fn fns[] = {nnrp_build_result_push,         nnrp_build_result_push_partial,
                                  nnrp_build_result_push_stale_reuse,
                                  nnrp_build_result_push_degraded, nnrp_build_result_push_typed,
                                  nnrp_build_result_push_mixed};
  nnrp_result_push_input in;
  nnrp_result_push_input_init(&in);
  read_params(r, &in.packet);
  uint8_t shape = fuzz_u8(r);
  in.tile_index_mode = (shape & 1) ? NNRP_TILE_DENSE_RANGE : NNRP_TILE_RAW_U16;
  if ((shape & 0x0E) == 0x0E) in.tile_index_mode = NNRP_TILE_BITSET; /* refused */
  in.tile_base_id = fuzz_u8(r);
  read_tile_ids(r, a, in.tile_index_mode == NNRP_TILE_DENSE_RANGE ? 0 : 2, in.tile_base_id);
  read_sections(r, a);
  read_frames(r, a);
  in.tile_ids = a->tile_ids;
  in.tile_id_count = a->tile_count;
  in.sections = a->sections;
  in.section_count = a->section_count;
  in.frames = a->frames;
  in.frame_count = a->frame_count;
  uint8_t m = fuzz_u8(r);
  in.result_flags = m & 0x80 ? (uint16_t)(m & 0xF) : 0;
  in.result_class = (m >> 4) & 3u;
  in.applied_budget_policy = fuzz_u8(r) & 0x1F;
  in.reused_frame_id = (m & 0x40) ? fuzz_u8(r) : 0;
  in.active_profile_id = fuzz_u8(r);
  in.inference_ms = fuzz_u16(r);
  in.status_code = fuzz_u8(r);
  uint8_t cov = fuzz_u8(r);
  if (cov & 1) {
    in.covered_tile_count = (long)(fuzz_u8(r) % (MAX_TILES + 2)) - ((cov & 2) ? 1 : 0);
    in.dropped_tile_count = (long)(fuzz_u8(r) % (MAX_TILES + 2));
  }
  if (which == 0 && (cov & 4)) {
    uint8_t kinds = fuzz_u8(r);
    in.payload_kind_bitmap = kinds & 0x7F ? kinds : NNRP_PAYLOAD_TENSOR;
  }
  if (cov & 8) {
    read_refs(r, a);
    in.references = a->refs;
    in.reference_count = a->ref_count;
  }
  build_call c = {NULL, fns[which], NULL, &in};
  run(&c, a, zcm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_reader r;
  fuzz_reader_init(&r, data, size);
  uint8_t sel = fuzz_u8(&r);
  size_t zero_copy_min = (size_t)(sel >> 4) * 4u; /* 0 (every payload referenced) .. 60 */
  builder_args *a = (builder_args *)calloc(1, sizeof(*a));
  FUZZ_CHECK(a != NULL);
  unsigned which = (sel & 0x0F) % 9u;
  if (which < 3)
    fuzz_submit(&r, a, which, zero_copy_min);
  else
    fuzz_result(&r, a, which - 3, zero_copy_min);
  free(a);
  return 0;
}
