/*
 * FRAME_SUBMIT packet builders (wire-data §12.1, §12.4): the reference SDK's rules, defaults,
 * bytes and error precedence (§14.1 "Builders").
 *
 * Each builder turns its input into a plan (every check, the metadata, the lengths of what the
 * body carries), writes the body once into a count sink to learn body_len, then writes header,
 * metadata and body into the caller's sink.  Camera bytes, tile payloads and typed frames go
 * through nnrp_sink_payload(), so a scatter-gather sink references them in place.
 *
 * Inputs the reference builders have no way to receive (typed frames for the tensor builder,
 * tensor content for the typed builder, references for the mixed one) and the loose
 * bitmap/frame-count combinations of D22 are rejected after every reference check has passed,
 * so that an input the reference rejects gets the reference's error.
 */
#include "build_int.h"
#include "wire_int.h"

typedef struct submit_plan {
  const nnrp_frame_submit_input *in;
  nnrp_frame_submit_meta meta;
  uint8_t meta_bytes[NNRP_FRAME_SUBMIT_META_LEN]; /* set by seal_meta() */
  nnrp_body_family family;
  int inline_camera;      /* region body: inline CAMERA_BLOCK */
  int inline_tile_index;  /* region body: inline TILE_INDEX_BLOCK (payload may be empty) */
  int inline_sections;    /* region body: inline TENSOR_SECTION_TABLE */
  int with_frames;        /* region body: typed regions 3 and 4 */
  const nnrp_object_ref *refs[3]; /* region body: references in slot order, NULL = none */
  size_t tile_index_len;
  size_t section_table_len; /* the section sequence, first section at offset 0 */
  size_t frame_bytes;
  uint32_t frame_kinds;
} submit_plan;

void nnrp_frame_submit_input_init(nnrp_frame_submit_input *in) {
  memset(in, 0, sizeof(*in));
  in->tile_index_mode = NNRP_TILE_RAW_U16;
  in->submit_mode = NNRP_SUBMIT_INLINE;
  in->loss_tolerance_policy = NNRP_LOSS_INHERIT;
  in->payload_kind_bitmap = NNRP_PAYLOAD_TENSOR;
}

/* ---- checks ---------------------------------------------------------------------------------- */

/* A reference block the caller hands in for slot `kind` (PY parse_*_reference_block). */
static int check_reference(const nnrp_object_ref *r, uint16_t kind) {
  if (!r) return 0;
  if (r->object_kind < NNRP_OBJECT_CAMERA_BLOCK ||
      r->object_kind > NNRP_OBJECT_STRUCTURED_EVENT_SCHEMA)
    return NNRP_ERR_OBJECT_KIND;
  if (r->ref_flags) return NNRP_ERR_REF_FLAGS;
  return r->object_kind == kind ? 0 : NNRP_ERR_REF_KIND_MISMATCH;
}

/* Reference slots 0-2 as given, and the mask they amount to. */
static int check_references(const nnrp_frame_submit_input *in, uint32_t *provided) {
  const nnrp_object_ref *r[3] = {in->camera_reference, in->tile_index_reference,
                                 in->tensor_section_table_reference};
  static const uint16_t kind[3] = {NNRP_OBJECT_CAMERA_BLOCK, NNRP_OBJECT_TILE_INDEX_BLOCK,
                                   NNRP_OBJECT_TENSOR_SECTION_TABLE};
  *provided = 0;
  for (int s = 0; s < 3; s++) {
    int rc = check_reference(r[s], kind[s]);
    if (rc) return rc;
    if (r[s]) *provided |= 1u << s;
  }
  return 0;
}

/* Sections (per section Q1, Q2, S-rules), then the tile index (§6.1 preconditions). */
static int plan_tensor_content(submit_plan *p) {
  const nnrp_frame_submit_input *in = p->in;
  if ((in->tile_id_count && !in->tile_ids) || (in->camera_block.len && !in->camera_block.base))
    return NNRP_ERR_INVALID_ARGUMENT;
  nnrp_sink count;
  nnrp_sink_init_count(&count);
  int rc = nnrp_section_seq_encode(in->sections, in->section_count, in->tile_id_count, 0, &count);
  if (rc) return rc;
  p->section_table_len = count.total;
  return nnrp_tile_index_encoded_len(in->tile_ids, in->tile_id_count, in->tile_index_mode,
                                     in->tile_base_id, &p->tile_index_len);
}

/* Typed frames: at least one, each valid (§10.1); their byte total and kinds. */
static int plan_frames(submit_plan *p) {
  const nnrp_frame_submit_input *in = p->in;
  if (in->frame_count == 0) return NNRP_ERR_BUILD_NO_FRAMES;
  nnrp_sink descriptors, payloads;
  nnrp_sink_init_count(&descriptors);
  nnrp_sink_init_count(&payloads);
  int rc = nnrp_typed_frames_pack(in->frames, in->frame_count, &descriptors, &payloads);
  if (rc) return rc;
  if (in->frame_count > UINT16_MAX) return NNRP_ERR_BUILD_FIELD_RANGE;
  for (size_t i = 0; i < in->frame_count; i++) p->frame_kinds |= in->frames[i].payload_kind;
  p->frame_bytes = payloads.total;
  p->with_frames = 1;
  return 0;
}

/* Fields every builder copies from its input. */
static void meta_common(nnrp_frame_submit_meta *m, const nnrp_frame_submit_input *in) {
  nnrp_frame_submit_meta_init(m);
  m->frame_class = in->frame_class;
  m->latency_budget_ms = in->latency_budget_ms;
  m->target_fps_x100 = in->target_fps_x100;
  m->retry_of_frame = in->retry_of_frame;
  m->budget_policy = in->budget_policy;
  m->dependency_frame_id = in->dependency_frame_id;
  m->loss_tolerance_policy = in->loss_tolerance_policy;
}

/* Tensor fields of the metadata; camera_bytes / tile_index_bytes count inline payloads only. */
static int meta_tensor(submit_plan *p, size_t camera_bytes, size_t tile_index_bytes) {
  const nnrp_frame_submit_input *in = p->in;
  nnrp_frame_submit_meta *m = &p->meta;
  if (in->tile_id_count > UINT16_MAX || in->section_count > UINT16_MAX ||
      camera_bytes > UINT32_MAX || tile_index_bytes > UINT32_MAX)
    return NNRP_ERR_BUILD_FIELD_RANGE;
  m->src_width = in->src_width;
  m->src_height = in->src_height;
  m->tile_width = in->tile_width;
  m->tile_height = in->tile_height;
  m->tile_count = (uint16_t)in->tile_id_count;
  m->section_count = (uint16_t)in->section_count;
  m->input_profile = in->input_profile;
  m->tile_index_mode = in->tile_index_mode;
  m->tile_base_id = in->tile_base_id;
  m->camera_bytes = (uint32_t)camera_bytes;
  m->tile_index_bytes = (uint32_t)tile_index_bytes;
  return 0;
}

/* The finished metadata: field rules of §3, then its bytes. */
static int seal_meta(submit_plan *p) {
  return nnrp_frame_submit_meta_encode(&p->meta, p->meta_bytes);
}

/* ---- body writers ---------------------------------------------------------------------------- */

static void inline_header(nnrp_sink *s, uint16_t kind, size_t object_bytes) {
  nnrp_inline_object_header h = {.object_kind = kind, .object_bytes = (uint32_t)object_bytes};
  uint8_t out[NNRP_INLINE_OBJECT_HEADER_LEN];
  nnrp_inline_object_header_encode(&h, out);
  nnrp_sink_write(s, out, sizeof(out));
}

/* §8.1: camera, zero padding to 8 (even when nothing follows), tile index, sections. */
static int write_legacy(const submit_plan *p, nnrp_sink *s) {
  const nnrp_frame_submit_input *in = p->in;
  size_t start = s->total;
  nnrp_sink_payload(s, in->camera_block.base, in->camera_block.len);
  nnrp_sink_pad8(s, start);
  int rc = nnrp_tile_index_encode(in->tile_ids, in->tile_id_count, in->tile_index_mode,
                                  in->tile_base_id, s);
  if (rc) return rc;
  /* Each section starts at the next multiple of 8 of the body. */
  rc = nnrp_section_seq_encode(in->sections, in->section_count, in->tile_id_count, start, s);
  return rc ? rc : nnrp_sink_error(s);
}

static uint64_t block_len(size_t object_bytes) {
  return nnrp_align8((uint64_t)NNRP_INLINE_OBJECT_HEADER_LEN + object_bytes);
}

/* Region lengths of the prelude (§9.1); refuses what a u32 cannot describe. */
static int region_prelude(const submit_plan *p, nnrp_prelude *pre) {
  uint64_t inline_bytes = 0, refs = 0;
  if (p->inline_camera) inline_bytes += block_len(p->in->camera_block.len);
  if (p->inline_tile_index) inline_bytes += block_len(p->tile_index_len);
  if (p->inline_sections) inline_bytes += block_len(p->section_table_len);
  for (int s = 0; s < 3; s++) refs += p->refs[s] ? NNRP_OBJECT_REF_LEN : 0;
  uint64_t descriptors = p->with_frames ? (uint64_t)p->in->frame_count * NNRP_TYPED_DESC_LEN : 0;
  uint64_t frames = p->with_frames ? p->frame_bytes : 0;
  if (inline_bytes > UINT32_MAX || descriptors > UINT32_MAX || frames > UINT32_MAX)
    return NNRP_ERR_BUILD_FIELD_RANGE;
  memset(pre, 0, sizeof(*pre));
  pre->inline_object_bytes = (uint32_t)inline_bytes;
  pre->object_reference_bytes = (uint32_t)refs;
  pre->typed_payload_descriptor_bytes = (uint32_t)descriptors;
  pre->typed_payload_frame_bytes = (uint32_t)frames;
  return 0;
}

/* §9: prelude, inline objects in slot order, references in slot order, typed regions. */
static int write_region(const submit_plan *p, nnrp_sink *s) {
  const nnrp_frame_submit_input *in = p->in;
  nnrp_prelude pre;
  int rc = region_prelude(p, &pre);
  if (rc) return rc;
  uint8_t out[NNRP_PRELUDE_LEN];
  nnrp_prelude_encode(&pre, out);
  nnrp_sink_write(s, out, sizeof(out));

  if (p->inline_camera) {
    nnrp_inline_object_header h = {.object_kind = NNRP_OBJECT_CAMERA_BLOCK,
                                   .object_bytes = (uint32_t)in->camera_block.len};
    rc = nnrp_inline_object_encode(&h, in->camera_block, s);
    if (rc) return rc;
  }
  if (p->inline_tile_index) {
    size_t start = s->total;
    inline_header(s, NNRP_OBJECT_TILE_INDEX_BLOCK, p->tile_index_len);
    rc = nnrp_tile_index_encode(in->tile_ids, in->tile_id_count, in->tile_index_mode,
                                in->tile_base_id, s);
    if (rc) return rc;
    nnrp_sink_pad8(s, start);
  }
  if (p->inline_sections) {
    size_t start = s->total;
    inline_header(s, NNRP_OBJECT_TENSOR_SECTION_TABLE, p->section_table_len);
    rc = nnrp_section_seq_encode(in->sections, in->section_count, in->tile_id_count, s->total,
                                 s);
    if (rc) return rc;
    nnrp_sink_pad8(s, start);
  }
  for (int slot = 0; slot < 3; slot++) {
    if (!p->refs[slot]) continue;
    uint8_t ref[NNRP_OBJECT_REF_LEN];
    nnrp_object_ref_encode(p->refs[slot], ref);
    nnrp_sink_write(s, ref, sizeof(ref));
  }
  if (p->with_frames) {
    /* Descriptors first, then the frames: one pass per region into the same sink. */
    nnrp_sink skip;
    nnrp_sink_init_count(&skip);
    rc = nnrp_typed_frames_pack(in->frames, in->frame_count, s, &skip);
    if (!rc) rc = nnrp_typed_frames_pack(in->frames, in->frame_count, &skip, s);
    if (rc) return rc;
  }
  return nnrp_sink_error(s);
}

static int write_body(const submit_plan *p, nnrp_sink *s) {
  switch (p->family) {
  case NNRP_BODY_LEGACY: return write_legacy(p, s);
  case NNRP_BODY_REGION: return write_region(p, s);
  default: return 0;
  }
}

/* Header, metadata and body into the caller's sink. */
static int emit(const submit_plan *p, nnrp_sink *sink) {
  size_t start = sink->total;
  nnrp_sink count;
  nnrp_sink_init_count(&count);
  int rc = write_body(p, &count);
  if (rc) return rc;
  if (count.total > UINT32_MAX) return NNRP_ERR_BUILD_FIELD_RANGE;

  rc = nnrpi_packet_head_write(&p->in->packet, NNRP_MSG_FRAME_SUBMIT, p->meta_bytes,
                               sizeof(p->meta_bytes), (size_t)count.total, sink);
  if (rc) return rc;
  rc = write_body(p, sink);
  if (!rc) rc = nnrp_sink_error(sink);
  /* A sink that ran out of room still reports the size the whole packet needs. */
  if (rc == NNRP_ERR_BUFFER_TOO_SMALL || rc == NNRP_ERR_IOV_TOO_SMALL)
    sink->total = start + NNRP_HEADER_LEN + NNRP_FRAME_SUBMIT_META_LEN + (size_t)count.total;
  return rc;
}

/* ---- build_frame_submit_packet --------------------------------------------------------------- */

/* §12.1 step 2 (submit_mode itself is checked before the references are looked at). */
static int check_mode(const nnrp_frame_submit_input *in, uint32_t provided) {
  if (in->submit_mode == NNRP_SUBMIT_INLINE && in->object_ref_mask)
    return NNRP_ERR_BUILD_INLINE_MASK;
  if (in->submit_mode == NNRP_SUBMIT_INLINE && provided) return NNRP_ERR_BUILD_INLINE_REFS;
  if (in->submit_mode == NNRP_SUBMIT_REFERENCE && !provided)
    return NNRP_ERR_BUILD_REFERENCE_NO_REFS;
  if (in->submit_mode == NNRP_SUBMIT_MIXED && !in->object_ref_mask)
    return NNRP_ERR_BUILD_MIXED_MASK;
  return 0;
}

/* §12.1 step 3, non-INLINE: each standard slot by reference if given, else inline if present. */
static int plan_object_regions(submit_plan *p) {
  const nnrp_frame_submit_input *in = p->in;
  int reference = in->submit_mode == NNRP_SUBMIT_REFERENCE;
  p->family = NNRP_BODY_REGION;
  p->refs[0] = in->camera_reference;
  p->refs[1] = in->tile_index_reference;
  p->refs[2] = in->tensor_section_table_reference;
  if (!p->refs[0] && in->camera_block.len) {
    if (reference) return NNRP_ERR_BUILD_REFERENCE_MISSING;
    p->inline_camera = 1;
  }
  if (!p->refs[1] && in->tile_id_count) {
    if (reference) return NNRP_ERR_BUILD_REFERENCE_MISSING;
    p->inline_tile_index = 1;
  }
  if (!p->refs[2] && in->section_count) {
    if (reference) return NNRP_ERR_BUILD_REFERENCE_MISSING;
    p->inline_sections = 1;
  }
  return 0;
}

/* §12.1 step 4: a packet without the TENSOR bit takes no tensor input and has an empty body. */
static int check_non_tensor_input(const nnrp_frame_submit_input *in, uint32_t provided) {
  if (in->tile_id_count || in->section_count || in->camera_block.len || provided ||
      in->payload_frame_count)
    return NNRP_ERR_BUILD_NON_TENSOR_INPUT;
  return 0;
}

int nnrp_build_frame_submit(const nnrp_frame_submit_input *in, nnrp_sink *sink) {
  submit_plan p;
  memset(&p, 0, sizeof(p));
  p.in = in;
  if (in->submit_mode > NNRP_SUBMIT_MIXED) return NNRP_ERR_SUBMIT_MODE;
  uint32_t provided;
  int rc = check_references(in, &provided);
  if (!rc) rc = check_mode(in, provided);
  if (rc) return rc;

  int tensor = (in->payload_kind_bitmap & NNRP_PAYLOAD_TENSOR) != 0;
  int is_inline = in->submit_mode == NNRP_SUBMIT_INLINE;
  meta_common(&p.meta, in);
  if (tensor) {
    rc = plan_tensor_content(&p);
    if (rc) return rc;
    if (is_inline) {
      p.family = NNRP_BODY_LEGACY;
      rc = meta_tensor(&p, in->camera_block.len, p.tile_index_len);
    } else {
      rc = plan_object_regions(&p);
      if (!rc)
        rc = meta_tensor(&p, p.refs[0] ? 0 : in->camera_block.len,
                         p.refs[1] ? 0 : p.tile_index_len);
    }
  } else {
    p.family = NNRP_BODY_EMPTY;
    rc = check_non_tensor_input(in, provided);
    p.meta.tile_index_mode = in->tile_index_mode; /* still written (§12.1 step 4) */
  }
  if (rc) return rc;
  /* §12.1 step 5, just before the metadata. */
  if (!is_inline && in->object_ref_mask != provided) return NNRP_ERR_BUILD_MASK_MISMATCH;

  p.meta.submit_mode = in->submit_mode;
  p.meta.object_ref_mask = in->object_ref_mask;
  p.meta.payload_kind_bitmap = in->payload_kind_bitmap;
  p.meta.payload_frame_count = in->payload_frame_count;
  rc = seal_meta(&p);
  if (rc) return rc;
  /* Full body validation of a region body: with the body built from checked parts, the only
   * rule it can break is T1 (descriptor count != payload_frame_count: this body has none). */
  if (p.family == NNRP_BODY_REGION && in->payload_frame_count) return NNRP_ERR_TYPED_COUNT;

  /* D22: this body carries no typed frames, so the metadata must not announce any. */
  if (in->frame_count ||
      (tensor && (in->payload_kind_bitmap != NNRP_PAYLOAD_TENSOR || in->payload_frame_count)))
    return NNRP_ERR_BUILD_LEGACY_BITMAP;
  return emit(&p, sink);
}

/* ---- typed and mixed builders (§12.4) -------------------------------------------------------- */

/* Inputs these builders have no place for. */
static int check_inline_only(const nnrp_frame_submit_input *in) {
  if (in->submit_mode != NNRP_SUBMIT_INLINE) return NNRP_ERR_INVALID_ARGUMENT;
  if (in->object_ref_mask) return NNRP_ERR_BUILD_INLINE_MASK;
  if (in->camera_reference || in->tile_index_reference || in->tensor_section_table_reference)
    return NNRP_ERR_BUILD_INLINE_REFS;
  return 0;
}

int nnrp_build_frame_submit_typed(const nnrp_frame_submit_input *in, nnrp_sink *sink) {
  submit_plan p;
  memset(&p, 0, sizeof(p));
  p.in = in;
  int rc = plan_frames(&p);
  if (rc) return rc;
  meta_common(&p.meta, in);
  p.meta.tile_index_mode = NNRP_TILE_RAW_U16; /* what the reference writes, tensor or not */
  p.meta.payload_kind_bitmap = p.frame_kinds;
  p.meta.payload_frame_count = (uint16_t)in->frame_count;
  rc = seal_meta(&p);
  if (!rc) rc = check_inline_only(in);
  if (rc) return rc;
  if (in->tile_id_count || in->section_count || in->camera_block.len)
    return NNRP_ERR_BUILD_NON_TENSOR_INPUT;
  p.family = NNRP_BODY_REGION;
  return emit(&p, sink);
}

int nnrp_build_frame_submit_mixed(const nnrp_frame_submit_input *in, nnrp_sink *sink) {
  submit_plan p;
  memset(&p, 0, sizeof(p));
  p.in = in;
  int rc = plan_frames(&p);
  if (!rc) rc = plan_tensor_content(&p);
  if (rc) return rc;
  if (!in->camera_block.len && !in->tile_id_count && !in->section_count)
    return NNRP_ERR_BUILD_NO_TENSOR_CONTENT;
  p.family = NNRP_BODY_REGION;
  p.inline_camera = in->camera_block.len != 0;
  p.inline_tile_index = in->tile_id_count != 0;
  p.inline_sections = in->section_count != 0;
  meta_common(&p.meta, in);
  rc = meta_tensor(&p, in->camera_block.len, p.tile_index_len);
  if (rc) return rc;
  p.meta.payload_kind_bitmap = NNRP_PAYLOAD_TENSOR | p.frame_kinds;
  p.meta.payload_frame_count = (uint16_t)in->frame_count;
  rc = seal_meta(&p);
  if (!rc) rc = check_inline_only(in);
  return rc ? rc : emit(&p, sink);
}
