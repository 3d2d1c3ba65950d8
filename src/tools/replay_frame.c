/*
 * Host frame -> FRAME_SUBMIT (wire-data §13.1, nnrp-py frame_features_to_packet): the same
 * checks in the same order (tile size, camera, compression names, references, session id),
 * then the wire layer's FRAME_SUBMIT builders.
 */
#include <string.h>

#include "replay_int.h"

#define FIELD_COUNT 5

/* The five feature fields in role order, with their section dtype. */
static const struct {
  uint16_t role_id;
  uint8_t dtype_id;
  size_t offset;
} fields[FIELD_COUNT] = {
    {NNRP_REPLAY_ROLE_DEPTH_FP16, NNRP_DTYPE_FP16, offsetof(nnrp_host_tile, depth_fp16)},
    {NNRP_REPLAY_ROLE_NORMAL_OCT, NNRP_DTYPE_UINT8, offsetof(nnrp_host_tile, normal_oct)},
    {NNRP_REPLAY_ROLE_MOTION_I16, NNRP_DTYPE_INT16, offsetof(nnrp_host_tile, motion_i16)},
    {NNRP_REPLAY_ROLE_ROUGH_METAL, NNRP_DTYPE_UINT8, offsetof(nnrp_host_tile, rough_metal)},
    {NNRP_REPLAY_ROLE_LUMA_HINT, NNRP_DTYPE_UINT8, offsetof(nnrp_host_tile, luma_hint)},
};

static nnrp_vec field_of(const nnrp_host_tile *t, int field) {
  nnrp_vec v;
  memcpy(&v, (const uint8_t *)t + fields[field].offset, sizeof(v));
  return v;
}

/* The working arrays, carved from the caller's scratch buffer. */
typedef struct frame_work {
  nnrpi_tile_order *order;         /* tiles by id */
  uint16_t *tile_ids;              /* sorted */
  uint8_t *codecs;                 /* per sorted tile */
  nnrp_vec *payloads[FIELD_COUNT]; /* per field, per sorted tile */
  uint8_t *camera;
  size_t camera_len;
} frame_work;

static void layout(nnrpi_arena *a, const nnrp_host_frame *f, frame_work *w) {
  size_t n = f->tile_count;
  w->order = nnrpi_arena_take(a, n, sizeof(*w->order));
  w->tile_ids = nnrpi_arena_take(a, n, sizeof(*w->tile_ids));
  w->codecs = nnrpi_arena_take(a, n, sizeof(*w->codecs));
  for (int i = 0; i < FIELD_COUNT; i++) w->payloads[i] = nnrpi_arena_take(a, n, sizeof(nnrp_vec));
  w->camera_len = nnrp_replay_camera_encoded_len(f->camera);
  w->camera = w->camera_len == SIZE_MAX ? NULL : nnrpi_arena_take(a, w->camera_len, 1);
}

size_t nnrp_replay_frame_scratch_len(const nnrp_host_frame *f) {
  nnrpi_arena a;
  frame_work w;
  if (!f) return 0;
  nnrpi_arena_init(&a, NULL, 0);
  layout(&a, f, &w);
  /* An oversized camera is reported by the export itself, not as a scratch size. */
  return nnrpi_arena_need(&a);
}

/* Tiles sorted by id (stable), as the reference sorts its tile objects. */
static int sort_tiles(const nnrp_host_frame *f, frame_work *w) {
  if (!f->tile_count) return 0;
  if (f->tile_size == 0) return NNRP_ERR_REPLAY_TILE_SIZE;
  uint64_t per_row = nnrpi_tiles_per_row(f->src_width, f->tile_size);
  for (size_t i = 0; i < f->tile_count; i++) {
    w->order[i].id = nnrpi_tile_id(f->tiles[i].tile_x, f->tiles[i].tile_y, per_row);
    w->order[i].index = i;
  }
  nnrpi_tile_order_sort(w->order, f->tile_count);
  return 0;
}

static int pack_camera(const nnrp_host_frame *f, frame_work *w) {
  nnrp_sink s;
  if (w->camera_len == SIZE_MAX) return NNRP_ERR_BUILD_FIELD_RANGE;
  nnrp_sink_init_buffer(&s, w->camera, w->camera_len);
  return nnrp_replay_camera_encode(f->camera, &s);
}

/* One section per field with a non-empty payload; compression names are read only for
 * fields that make a section (the reference never looks at the others). */
static int build_sections(const nnrp_host_frame *f, frame_work *w,
                          nnrp_tensor_section_data sections[FIELD_COUNT], size_t *count) {
  size_t n = f->tile_count;
  int codecs_read = 0;
  *count = 0;
  for (int k = 0; k < FIELD_COUNT; k++) {
    int any = 0;
    for (size_t i = 0; i < n; i++) {
      w->payloads[k][i] = field_of(&f->tiles[w->order[i].index], k);
      if (w->payloads[k][i].len && !w->payloads[k][i].base) return NNRP_ERR_INVALID_ARGUMENT;
      any |= w->payloads[k][i].len != 0;
    }
    if (!any) continue;
    for (size_t i = 0; !codecs_read && i < n; i++) {
      int rc =
          nnrpi_codec_from_name(f->tiles[w->order[i].index].compression_algorithm, &w->codecs[i]);
      if (rc) return rc;
    }
    codecs_read = 1;
    nnrp_tensor_section_data *s = &sections[(*count)++];
    memset(s, 0, sizeof(*s));
    s->role_id = fields[k].role_id;
    s->dtype_id = fields[k].dtype_id;
    s->layout_id = NNRP_LAYOUT_NHWC;
    s->scale_policy = NNRP_SCALE_NONE;
    s->default_codec_id = nnrpi_default_codec(w->codecs, n);
    s->tile_payloads = w->payloads[k];
    s->tile_payload_count = n;
    s->codec_ids = w->codecs;
    s->codec_id_count = n;
  }
  return 0;
}

/* Standard slots in order: the kinds of the given references, the mask they make. */
static int take_references(const nnrp_host_frame *f, nnrp_object_ref refs[3], uint32_t *mask) {
  const nnrp_object_ref *given[3] = {f->camera_reference, f->tile_index_reference,
                                     f->tensor_section_table_reference};
  static const uint16_t kind[3] = {NNRP_OBJECT_CAMERA_BLOCK, NNRP_OBJECT_TILE_INDEX_BLOCK,
                                   NNRP_OBJECT_TENSOR_SECTION_TABLE};
  *mask = 0;
  for (int s = 0; s < 3; s++) {
    if (!given[s]) continue;
    int rc = nnrpi_slot_reference(given[s], kind[s], &refs[s]);
    if (rc) return rc;
    *mask |= 1u << s;
  }
  return 0;
}

/* Tile ids to the wire's u16; the reference fails here when packing (struct range). */
static int narrow_tile_ids(const nnrp_host_frame *f, frame_work *w) {
  for (size_t i = 0; i < f->tile_count; i++) {
    if (w->order[i].id > UINT16_MAX) return NNRP_ERR_TILE_ID_RANGE;
    w->tile_ids[i] = (uint16_t)w->order[i].id;
  }
  return 0;
}

int nnrp_replay_frame_to_packet(const nnrp_host_frame *f, const nnrp_replay_options *opts,
                                void *scratch, size_t scratch_len, nnrp_sink *sink) {
  if (!f || !sink || (f->tile_count && !f->tiles) || (f->frame_count && !f->frames))
    return NNRP_ERR_INVALID_ARGUMENT;
  nnrpi_arena a;
  frame_work w;
  nnrpi_arena_init(&a, scratch, scratch_len);
  layout(&a, f, &w);
  if (a.overflow || a.used > a.cap) return NNRP_ERR_REPLAY_SCRATCH;

  nnrp_tensor_section_data sections[FIELD_COUNT];
  nnrp_object_ref refs[3];
  size_t section_count = 0;
  uint32_t mask = 0;
  int rc = sort_tiles(f, &w);
  if (!rc) rc = pack_camera(f, &w);
  if (!rc) rc = build_sections(f, &w, sections, &section_count);
  if (!rc) rc = take_references(f, refs, &mask);
  if (rc) return rc;

  nnrp_frame_submit_input in;
  nnrp_frame_submit_input_init(&in);
  if ((rc = nnrpi_session_id(f->session_id, opts, &in.packet.session_id)) != 0) return rc;
  in.packet.frame_id = f->frame_id;
  in.packet.view_id = opts ? opts->view_id : 0;
  in.packet.trace_id = nnrpi_trace_id(f->client_trace_id, opts);
  in.frame_class = opts ? opts->frame_class : 0;
  in.src_width = f->src_width;
  in.src_height = f->src_height;
  in.tile_width = f->tile_size;
  in.tile_height = f->tile_size;
  if ((rc = narrow_tile_ids(f, &w)) != 0) return rc;
  in.tile_ids = w.tile_ids;
  in.tile_id_count = f->tile_count;
  in.sections = sections;
  in.section_count = section_count;
  in.camera_block = (nnrp_vec){w.camera, w.camera_len};
  in.input_profile = nnrpi_input_profile_from_name(f->input_profile);
  in.latency_budget_ms = f->latency_budget_ms;
  in.budget_policy = f->allow_stale_reuse ? NNRP_BUDGET_ALLOW_STALE_REUSE : 0;

  if (f->frame_count) {
    /* libnnrp addition: typed frames travel beside the tensor content (the camera block is
     * always there), inline only. */
    in.frames = f->frames;
    in.frame_count = f->frame_count;
    if (mask) return NNRP_ERR_BUILD_INLINE_REFS;
    return nnrp_build_frame_submit_mixed(&in, sink);
  }
  if (mask) {
    in.camera_reference = mask & NNRP_REF_CAMERA_BLOCK ? &refs[0] : NULL;
    in.tile_index_reference = mask & NNRP_REF_TILE_INDEX_BLOCK ? &refs[1] : NULL;
    in.tensor_section_table_reference = mask & NNRP_REF_TENSOR_SECTION_TABLE ? &refs[2] : NULL;
    in.object_ref_mask = mask;
    /* REFERENCE when every object present is referenced, MIXED when something stays inline
     * (the camera block is always present). */
    int inline_left = !(mask & NNRP_REF_CAMERA_BLOCK) ||
                      (f->tile_count && !(mask & NNRP_REF_TILE_INDEX_BLOCK)) ||
                      (section_count && !(mask & NNRP_REF_TENSOR_SECTION_TABLE));
    in.submit_mode = inline_left ? NNRP_SUBMIT_MIXED : NNRP_SUBMIT_REFERENCE;
  }
  return nnrp_build_frame_submit(&in, sink);
}
