/*
 * RESULT_PUSH packet builders (wire-data §12.2, §12.4, §13.1): the reference SDK's rules,
 * defaults, bytes and error precedence (§14.1 "Builders").
 *
 * Every builder first turns its input into a plan (all checks, the metadata bytes, the region
 * lengths), then writes the body once into a count sink to learn body_len, and finally writes
 * header, metadata and body into the caller's sink.  Payload bytes go through
 * nnrp_sink_payload(), so a scatter-gather sink references them instead of copying.
 */
#include <string.h>

#include "build_int.h"
#include "wire_int.h"

typedef enum body_shape { SHAPE_EMPTY, SHAPE_LEGACY, SHAPE_REGION } body_shape;

typedef struct result_plan {
  const nnrp_result_push_input *in;
  body_shape shape;
  uint8_t meta[NNRP_RESULT_PUSH_META_LEN];
  unsigned mode;
  int write_tile_index;    /* region body: inline TILE_INDEX_BLOCK */
  int write_section_table; /* region body: inline TENSOR_SECTION_TABLE */
  int write_frames;        /* region body: typed regions 3 and 4 */
  size_t tile_index_len;
  size_t section_table_len; /* the section sequence starting at payload offset 0 */
  nnrp_prelude prelude;
} result_plan;

void nnrp_result_push_input_init(nnrp_result_push_input *in) {
  memset(in, 0, sizeof(*in));
  in->tile_index_mode = NNRP_TILE_RAW_U16;
  in->result_class = NNRP_RESULT_COMPLETE;
  in->covered_tile_count = -1;
  in->payload_kind_bitmap = NNRP_PAYLOAD_TENSOR;
}

/* ---- checks ------------------------------------------------------------------------------- */

/* The metadata cannot say which tile index mode was used; only two are implied (§7.2). */
static int check_tile_mode(unsigned mode) {
  return mode == NNRP_TILE_RAW_U16 || mode == NNRP_TILE_DENSE_RANGE ? 0
                                                                      : NNRP_ERR_RESULT_TILE_MODE;
}

/* Q1, Q2 and the S-rules of every section, and the length of the sequence at offset 0. */
static int check_sections(const nnrp_result_push_input *in, size_t *len) {
  nnrp_sink count;
  nnrp_sink_init_count(&count);
  int rc = nnrp_section_seq_encode(in->sections, in->section_count, in->tile_id_count, 0, &count);
  if (rc) return rc;
  *len = count.total;
  return 0;
}

/* Coverage C1-C4 on the builder inputs (covered -1 means "every tile id"). */
static int check_input_coverage(const nnrp_result_push_input *in, size_t *covered) {
  long c = in->covered_tile_count == -1 ? (long)in->tile_id_count : in->covered_tile_count;
  long d = in->dropped_tile_count;
  size_t n = in->tile_id_count;
  if (c < 0 || d < 0) return NNRP_ERR_INVALID_ARGUMENT;
  if ((unsigned long)c > n) return NNRP_ERR_COVERAGE_COVERED;
  if ((unsigned long)d > n) return NNRP_ERR_COVERAGE_DROPPED;
  if ((unsigned long)c + (unsigned long)d != n) return NNRP_ERR_COVERAGE_SUM;
  *covered = (size_t)c;
  return 0;
}

static int ref_cmp(const nnrp_object_ref *a, const nnrp_object_ref *b) {
  if (a->object_kind != b->object_kind) return a->object_kind < b->object_kind ? -1 : 1;
  if (a->cache_namespace != b->cache_namespace)
    return a->cache_namespace < b->cache_namespace ? -1 : 1;
  if (a->cache_key_hi != b->cache_key_hi) return a->cache_key_hi < b->cache_key_hi ? -1 : 1;
  if (a->cache_key_lo != b->cache_key_lo) return a->cache_key_lo < b->cache_key_lo ? -1 : 1;
  return 0;
}

/*
 * References are written sorted, so only what sorting cannot repair is an error: a block the
 * decoder would reject, two equal keys (R1) and a second reference to a tile index or section
 * table (R3).  Sets *tile_ref / *section_ref when those objects are referenced.
 */
static int check_references(const nnrp_result_push_input *in, int *tile_ref, int *section_ref) {
  const nnrp_object_ref *r = in->references;
  size_t n = in->reference_count;
  int tiles = 0, tables = 0;
  if (n && !r) return NNRP_ERR_INVALID_ARGUMENT;
  for (size_t i = 0; i < n; i++) {
    if (r[i].object_kind < NNRP_OBJECT_CAMERA_BLOCK ||
        r[i].object_kind > NNRP_OBJECT_STRUCTURED_EVENT_SCHEMA)
      return NNRP_ERR_OBJECT_KIND;
    if (r[i].ref_flags) return NNRP_ERR_REF_FLAGS;
    for (size_t j = 0; j < i; j++)
      if (ref_cmp(&r[i], &r[j]) == 0) return NNRP_ERR_RESULT_REF_ORDER;
    tiles += r[i].object_kind == NNRP_OBJECT_TILE_INDEX_BLOCK;
    tables += r[i].object_kind == NNRP_OBJECT_TENSOR_SECTION_TABLE;
  }
  if (tiles > 1 || tables > 1) return NNRP_ERR_RESULT_DUP_REF;
  *tile_ref = tiles;
  *section_ref = tables;
  return 0;
}

/* Frame checks of the typed builders and the OR of their kinds. */
static int check_frames(const nnrp_result_push_input *in, uint32_t *bitmap) {
  if (in->frame_count == 0) return NNRP_ERR_BUILD_NO_FRAMES;
  if (!in->frames) return NNRP_ERR_INVALID_ARGUMENT;
  uint32_t bits = 0;
  for (size_t i = 0; i < in->frame_count; i++) {
    int rc = nnrp_typed_frame_check(&in->frames[i]);
    if (rc) return rc;
    bits |= in->frames[i].payload_kind;
  }
  if (in->frame_count > UINT16_MAX) return NNRP_ERR_BUILD_FIELD_RANGE;
  *bitmap = bits;
  return 0;
}

/* The metadata fields every builder copies from its input. */
static void meta_from_input(nnrp_result_push_meta *m, const nnrp_result_push_input *in) {
  nnrp_result_push_meta_init(m);
  m->status_code = in->status_code;
  m->result_flags = in->result_flags;
  m->active_profile_id = in->active_profile_id;
  m->inference_ms = in->inference_ms;
  m->queue_ms = in->queue_ms;
  m->server_total_ms = in->server_total_ms;
  m->result_class = in->result_class;
  m->applied_budget_policy = in->applied_budget_policy;
  m->reused_frame_id = in->reused_frame_id;
}

/* Tensor content in the reference's order: sections (Q1, Q2, S-rules), then the tile index. */
static int plan_tensor_content(result_plan *p) {
  const nnrp_result_push_input *in = p->in;
  if (in->tile_id_count && !in->tile_ids) return NNRP_ERR_INVALID_ARGUMENT;
  int rc = check_sections(in, &p->section_table_len);
  if (rc) return rc;
  return nnrp_tile_index_encoded_len(in->tile_ids, in->tile_id_count, p->mode, in->tile_base_id,
                                     &p->tile_index_len);
}

/* Coverage of the inputs (C1-C4), the references this library adds (§13.1), tensor fields. */
static int plan_tensor_fields(result_plan *p, nnrp_result_push_meta *m, int *tile_ref,
                              int *section_ref) {
  const nnrp_result_push_input *in = p->in;
  size_t covered = 0;
  int rc = check_input_coverage(in, &covered);
  if (!rc) rc = check_references(in, tile_ref, section_ref);
  if (rc) return rc;
  if (in->tile_id_count > UINT16_MAX || in->section_count > UINT16_MAX)
    return NNRP_ERR_BUILD_FIELD_RANGE;
  m->section_count = (uint16_t)in->section_count;
  m->tile_count = (uint16_t)in->tile_id_count;
  m->tile_base_id = in->tile_base_id;
  m->tile_index_bytes = *tile_ref ? 0 : (uint32_t)p->tile_index_len;
  m->covered_tile_count = (uint16_t)covered;
  m->dropped_tile_count = (uint16_t)in->dropped_tile_count;
  return 0;
}

/* Field rules of the finished metadata, then coverage C5 (the reference's order). */
static int seal_meta(result_plan *p, const nnrp_result_push_meta *m) {
  int rc = nnrp_result_push_meta_encode(m, p->meta);
  return rc ? rc : nnrp_result_push_check_coverage(m, 0);
}

/* ---- body writers ------------------------------------------------------------------------- */

static void inline_header(nnrp_sink *s, uint16_t kind, size_t object_bytes) {
  nnrp_inline_object_header h = {.object_kind = kind, .object_bytes = (uint32_t)object_bytes};
  uint8_t out[NNRP_INLINE_OBJECT_HEADER_LEN];
  nnrp_inline_object_header_encode(&h, out);
  nnrp_sink_write(s, out, sizeof(out));
}

/* Inline TILE_INDEX_BLOCK and TENSOR_SECTION_TABLE blocks, each padded to 8. */
static int write_inline_region(const result_plan *p, nnrp_sink *s) {
  const nnrp_result_push_input *in = p->in;
  int rc = 0;
  if (p->write_tile_index) {
    size_t start = s->total;
    inline_header(s, NNRP_OBJECT_TILE_INDEX_BLOCK, p->tile_index_len);
    rc = nnrp_tile_index_encode(in->tile_ids, in->tile_id_count, p->mode, in->tile_base_id, s);
    if (rc) return rc;
    nnrp_sink_pad8(s, start);
  }
  if (p->write_section_table) {
    size_t start = s->total;
    inline_header(s, NNRP_OBJECT_TENSOR_SECTION_TABLE, p->section_table_len);
    rc = nnrp_section_seq_encode(in->sections, in->section_count, in->tile_id_count,
                                 s->total, s);
    if (rc) return rc;
    nnrp_sink_pad8(s, start);
  }
  return nnrp_sink_error(s);
}

/* References in (kind, namespace, hi, lo) order; keys are distinct (check_references). */
static void write_references(const nnrp_result_push_input *in, nnrp_sink *s) {
  const nnrp_object_ref *prev = NULL;
  for (size_t k = 0; k < in->reference_count; k++) {
    const nnrp_object_ref *next = NULL;
    for (size_t i = 0; i < in->reference_count; i++) {
      const nnrp_object_ref *r = &in->references[i];
      if ((!prev || ref_cmp(r, prev) > 0) && (!next || ref_cmp(r, next) < 0)) next = r;
    }
    uint8_t out[NNRP_OBJECT_REF_LEN];
    nnrp_object_ref_encode(next, out);
    nnrp_sink_write(s, out, sizeof(out));
    prev = next;
  }
}

static int write_body(const result_plan *p, nnrp_sink *s) {
  const nnrp_result_push_input *in = p->in;
  size_t start = s->total;
  int rc;
  switch (p->shape) {
  case SHAPE_EMPTY:
    return 0;
  case SHAPE_LEGACY:
    rc = nnrp_tile_index_encode(in->tile_ids, in->tile_id_count, p->mode, in->tile_base_id, s);
    if (!rc)
      rc = nnrp_section_seq_encode(in->sections, in->section_count, in->tile_id_count, start, s);
    return rc ? rc : nnrp_sink_error(s);
  case SHAPE_REGION: {
    uint8_t prelude[NNRP_PRELUDE_LEN];
    nnrp_prelude_encode(&p->prelude, prelude);
    nnrp_sink_write(s, prelude, sizeof(prelude));
    if ((rc = write_inline_region(p, s)) != 0) return rc;
    write_references(in, s);
    /* One sink for both: descriptors (region 3) are written before the frames (region 4). */
    if (p->write_frames && (rc = nnrp_typed_frames_pack(in->frames, in->frame_count, s, s)) != 0)
      return rc;
    return nnrp_sink_error(s);
  }
  }
  return NNRP_ERR_INTERNAL;
}

/* Region lengths for the prelude, measured with the writers themselves. */
static int plan_regions(result_plan *p) {
  const nnrp_result_push_input *in = p->in;
  nnrp_sink inl, desc, frames;
  nnrp_sink_init_count(&inl);
  nnrp_sink_init_count(&desc);
  nnrp_sink_init_count(&frames);
  int rc = write_inline_region(p, &inl);
  if (!rc && p->write_frames)
    rc = nnrp_typed_frames_pack(in->frames, in->frame_count, &desc, &frames);
  if (rc) return rc;
  uint64_t refs = (uint64_t)in->reference_count * NNRP_OBJECT_REF_LEN;
  if (inl.total > UINT32_MAX || refs > UINT32_MAX || desc.total > UINT32_MAX ||
      frames.total > UINT32_MAX)
    return NNRP_ERR_BUILD_FIELD_RANGE;
  memset(&p->prelude, 0, sizeof(p->prelude));
  p->prelude.inline_object_bytes = (uint32_t)inl.total;
  p->prelude.object_reference_bytes = (uint32_t)refs;
  p->prelude.typed_payload_descriptor_bytes = (uint32_t)desc.total;
  p->prelude.typed_payload_frame_bytes = (uint32_t)frames.total;
  return 0;
}

/*
 * Count pass, then header, metadata and body into the caller's sink.  When the sink runs out
 * of room its `total` is set to the whole packet, whatever the writers got to.
 */
static int emit(const result_plan *p, nnrp_sink *sink) {
  const nnrp_packet_params *pp = &p->in->packet;
  size_t start = sink->total;
  nnrp_sink count;
  nnrp_sink_init_count(&count);
  int rc = write_body(p, &count);
  if (rc) return rc;
  if (count.total > UINT32_MAX) return NNRP_ERR_BUILD_FIELD_RANGE;
  rc = nnrpi_packet_head_write(pp, NNRP_MSG_RESULT_PUSH, p->meta, sizeof(p->meta),
                               (size_t)count.total, sink);
  if (rc) return rc;
  rc = write_body(p, sink);
  if (!rc) rc = nnrp_sink_error(sink);
  if (rc == NNRP_ERR_BUFFER_TOO_SMALL || rc == NNRP_ERR_IOV_TOO_SMALL)
    sink->total = start + NNRP_HEADER_LEN + NNRP_RESULT_PUSH_META_LEN + (size_t)count.total;
  return rc;
}

/* ---- builders ----------------------------------------------------------------------------- */

static void plan_init(result_plan *p, const nnrp_result_push_input *in) {
  memset(p, 0, sizeof(*p));
  p->in = in;
  p->mode = in->tile_index_mode;
}

/* Non-tensor RESULT_PUSH from the tensor builder: nothing tensor-shaped may be given. */
static int check_non_tensor_input(const nnrp_result_push_input *in) {
  if (in->tile_id_count || in->section_count || (in->covered_tile_count != -1 &&
                                                 in->covered_tile_count != 0) ||
      in->dropped_tile_count || in->payload_frame_count || in->frame_count ||
      in->reference_count)
    return NNRP_ERR_BUILD_NON_TENSOR_INPUT;
  return 0;
}

int nnrp_build_result_push(const nnrp_result_push_input *in, nnrp_sink *sink) {
  if (!in || !sink) return NNRP_ERR_INVALID_ARGUMENT;
  result_plan p;
  nnrp_result_push_meta m;
  int tile_ref = 0, section_ref = 0, rc;
  plan_init(&p, in);
  meta_from_input(&m, in);
  m.payload_kind_bitmap = in->payload_kind_bitmap;
  m.payload_frame_count = in->payload_frame_count;
  if ((rc = check_tile_mode(p.mode)) != 0) return rc;
  int tensor = (in->payload_kind_bitmap & NNRP_PAYLOAD_TENSOR) != 0;
  if (tensor) {
    rc = plan_tensor_content(&p);
    if (!rc) rc = plan_tensor_fields(&p, &m, &tile_ref, &section_ref);
  } else
    rc = check_non_tensor_input(in);
  if (!rc) rc = seal_meta(&p, &m);
  if (rc) return rc;
  /* D22: a legacy body carries no typed frames, so the metadata must not announce any. */
  if (tensor && (in->payload_kind_bitmap != NNRP_PAYLOAD_TENSOR || in->payload_frame_count ||
                 in->frame_count))
    return NNRP_ERR_BUILD_LEGACY_BITMAP;

  if (!tensor || (!in->tile_id_count && !in->section_count && !in->reference_count)) {
    p.shape = SHAPE_EMPTY;
  } else if (!in->reference_count) {
    p.shape = SHAPE_LEGACY;
  } else {
    /* Replay exports with cache references (§13.1): region body, TENSOR-only metadata. */
    p.shape = SHAPE_REGION;
    p.write_tile_index = in->tile_id_count && !tile_ref;
    p.write_section_table = in->section_count && !section_ref;
    if ((rc = plan_regions(&p)) != 0) return rc;
  }
  return emit(&p, sink);
}

/* The wrappers fix flags, class and policy (§12.2) and build a TENSOR-only result. */
static int build_wrapped(const nnrp_result_push_input *in, nnrp_sink *sink, uint16_t flags,
                         uint8_t cls, uint8_t policy, uint32_t reused) {
  if (!in) return NNRP_ERR_INVALID_ARGUMENT;
  nnrp_result_push_input w = *in;
  w.result_flags = flags;
  w.result_class = cls;
  w.applied_budget_policy = policy;
  w.reused_frame_id = reused;
  w.payload_kind_bitmap = NNRP_PAYLOAD_TENSOR;
  w.payload_frame_count = 0;
  return nnrp_build_result_push(&w, sink);
}

int nnrp_build_result_push_partial(const nnrp_result_push_input *in, nnrp_sink *sink) {
  /* Both counts are required by the reference wrapper; -1 ("every tile") is no answer. */
  if (!in || in->covered_tile_count == -1) return NNRP_ERR_INVALID_ARGUMENT;
  return build_wrapped(in, sink, NNRP_RESULT_FLAG_PARTIAL, NNRP_RESULT_PARTIAL,
                       NNRP_BUDGET_ALLOW_PARTIAL, 0);
}

int nnrp_build_result_push_stale_reuse(const nnrp_result_push_input *in, nnrp_sink *sink) {
  if (!in) return NNRP_ERR_INVALID_ARGUMENT;
  return build_wrapped(in, sink, NNRP_RESULT_FLAG_STALE, NNRP_RESULT_STALE_REUSE,
                       NNRP_BUDGET_ALLOW_STALE_REUSE, in->reused_frame_id);
}

int nnrp_build_result_push_degraded(const nnrp_result_push_input *in, nnrp_sink *sink) {
  return build_wrapped(in, sink, NNRP_RESULT_FLAG_FALLBACK, NNRP_RESULT_DEGRADED,
                       NNRP_BUDGET_ALLOW_DEGRADED, 0);
}

int nnrp_build_result_push_typed(const nnrp_result_push_input *in, nnrp_sink *sink) {
  if (!in || !sink) return NNRP_ERR_INVALID_ARGUMENT;
  result_plan p;
  nnrp_result_push_meta m;
  uint32_t bits = 0;
  int tile_ref = 0, section_ref = 0;
  plan_init(&p, in);
  int rc = check_frames(in, &bits);
  if (rc) return rc;
  /* The typed result carries no tensor part; covered/dropped must stay at their defaults. */
  if (in->tile_id_count || in->section_count ||
      (in->covered_tile_count != -1 && in->covered_tile_count != 0) || in->dropped_tile_count)
    return NNRP_ERR_BUILD_NON_TENSOR_INPUT;
  if ((rc = check_references(in, &tile_ref, &section_ref)) != 0) return rc;
  meta_from_input(&m, in);
  m.payload_kind_bitmap = bits;
  m.payload_frame_count = (uint16_t)in->frame_count;
  if ((rc = seal_meta(&p, &m)) != 0) return rc;
  p.shape = SHAPE_REGION;
  p.write_frames = 1;
  if ((rc = plan_regions(&p)) != 0) return rc;
  return emit(&p, sink);
}

int nnrp_build_result_push_mixed(const nnrp_result_push_input *in, nnrp_sink *sink) {
  if (!in || !sink) return NNRP_ERR_INVALID_ARGUMENT;
  result_plan p;
  nnrp_result_push_meta m;
  uint32_t bits = 0;
  int tile_ref = 0, section_ref = 0;
  plan_init(&p, in);
  int rc = check_frames(in, &bits);
  if (!rc) rc = check_tile_mode(p.mode);
  if (rc) return rc;
  meta_from_input(&m, in);
  /* The reference packs sections and tile ids before it looks for tensor content. */
  if ((rc = plan_tensor_content(&p)) != 0) return rc;
  if (!in->tile_id_count && !in->section_count) return NNRP_ERR_BUILD_NO_TENSOR_CONTENT;
  if ((rc = plan_tensor_fields(&p, &m, &tile_ref, &section_ref)) != 0) return rc;
  m.payload_kind_bitmap = NNRP_PAYLOAD_TENSOR | bits;
  m.payload_frame_count = (uint16_t)in->frame_count;
  if ((rc = seal_meta(&p, &m)) != 0) return rc;
  p.shape = SHAPE_REGION;
  p.write_tile_index = in->tile_id_count && !tile_ref;
  p.write_section_table = in->section_count && !section_ref;
  p.write_frames = 1;
  if ((rc = plan_regions(&p)) != 0) return rc;
  return emit(&p, sink);
}
