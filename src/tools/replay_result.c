/*
 * Host enhance result -> RESULT_PUSH (wire-data §13.1, nnrp-py enhance_result_to_packet): tile
 * ids resolved from the requested and delivered tiles, residual sections over those ids,
 * flags / class / policy derived from stale, degraded and dropped, then the wire layer's
 * RESULT_PUSH builders.
 */
#include <string.h>

#include "replay_int.h"

#define FIELD_COUNT 2

static const uint16_t field_roles[FIELD_COUNT] = {NNRP_REPLAY_ROLE_SR_RESIDUAL,
                                                  NNRP_REPLAY_ROLE_DETAIL_RESIDUAL};

static nnrp_vec field_of(const nnrp_host_result_tile *t, int field) {
  return field ? t->detail_residual : t->sr_residual;
}

static const char *compression_of(const nnrp_host_result_tile *t, int field) {
  return field ? t->detail_residual_compression : t->sr_residual_compression;
}

typedef struct result_work {
  nnrpi_tile_order *order;             /* delivered tiles by id */
  uint32_t *requested;                 /* sorted copy of requested_tile_ids */
  uint16_t *tile_ids;                  /* the packet's ids */
  const nnrp_host_result_tile **by_id; /* delivered tile of each packet id, or NULL */
  uint8_t *codecs[FIELD_COUNT];
  nnrp_vec *payloads[FIELD_COUNT];
  size_t id_count; /* an upper bound while measuring, then the packet's tile count */
} result_work;

static void layout(nnrpi_arena *a, const nnrp_host_result *r, result_work *w) {
  size_t n = r->tile_count;
  size_t m = r->requested_tile_ids ? r->requested_tile_id_count : n;
  w->order = nnrpi_arena_take(a, n, sizeof(*w->order));
  w->requested = nnrpi_arena_take(a, r->requested_tile_ids ? m : 0, sizeof(*w->requested));
  w->tile_ids = nnrpi_arena_take(a, m, sizeof(*w->tile_ids));
  w->by_id = nnrpi_arena_take(a, m, sizeof(*w->by_id));
  for (int k = 0; k < FIELD_COUNT; k++) {
    w->codecs[k] = nnrpi_arena_take(a, m, sizeof(uint8_t));
    w->payloads[k] = nnrpi_arena_take(a, m, sizeof(nnrp_vec));
  }
  w->id_count = m;
}

size_t nnrp_replay_result_scratch_len(const nnrp_host_result *r) {
  nnrpi_arena a;
  result_work w;
  if (!r) return 0;
  nnrpi_arena_init(&a, NULL, 0);
  layout(&a, r, &w);
  return nnrpi_arena_need(&a);
}

/* Delivered tiles by id; width and tile size inferred as the reference does. */
static int sort_tiles(const nnrp_host_result *r, result_work *w) {
  if (!r->tile_count) return 0;
  uint64_t tile_size = r->tile_size < 0 ? 1 : (uint64_t)r->tile_size;
  if (tile_size == 0) return NNRP_ERR_REPLAY_TILE_SIZE;
  uint64_t per_row;
  if (r->src_width >= 0) {
    per_row = nnrpi_tiles_per_row((uint64_t)r->src_width, tile_size);
  } else {
    /* (max tile_x + 1) * tile_size divided by tile_size again: exactly max tile_x + 1. */
    uint64_t max_x = 0;
    for (size_t i = 0; i < r->tile_count; i++)
      if (r->tiles[i].tile_x > max_x) max_x = r->tiles[i].tile_x;
    per_row = max_x + 1;
  }
  for (size_t i = 0; i < r->tile_count; i++) {
    w->order[i].id = nnrpi_tile_id(r->tiles[i].tile_x, r->tiles[i].tile_y, per_row);
    w->order[i].index = i;
  }
  nnrpi_tile_order_sort(w->order, r->tile_count);
  return 0;
}

/*
 * The packet's tile ids: the sorted requested ids (unique, containing every delivered id) or
 * the delivered ids; either way enough of them for covered + dropped.  Ids stay 64-bit here;
 * the range of the wire's u16 is checked when the packet is built.
 */
static int resolve_ids(const nnrp_host_result *r, result_work *w) {
  size_t n = r->tile_count, m = n;
  if (r->requested_tile_ids) {
    m = r->requested_tile_id_count;
    memcpy(w->requested, r->requested_tile_ids, m * sizeof(*w->requested));
    nnrpi_u32_sort(w->requested, m);
    for (size_t i = 1; i < m; i++)
      if (w->requested[i] == w->requested[i - 1]) return NNRP_ERR_REPLAY_REQUESTED_DUPLICATE;
    /* Both lists are sorted: one merge walk finds a delivered id that was not requested. */
    for (size_t i = 0, j = 0; i < n; i++) {
      while (j < m && w->requested[j] < w->order[i].id) j++;
      if (j == m || w->requested[j] != w->order[i].id) return NNRP_ERR_REPLAY_REQUESTED_MISSING;
    }
  }
  /* Without covered_tile_count the reference expects only the delivered tiles. */
  long long expected = r->covered_tile_count < 0
                           ? (long long)n
                           : (long long)r->covered_tile_count + (long long)r->dropped_tile_count;
  if (expected > 0 && (unsigned long long)expected > m) return NNRP_ERR_REPLAY_REQUESTED_SHORT;
  w->id_count = m;
  return 0;
}

static uint64_t packet_id(const nnrp_host_result *r, const result_work *w, size_t i) {
  return r->requested_tile_ids ? w->requested[i] : w->order[i].id;
}

/* Delivered tile of every packet id (ids are unique; a repeated delivered id is an error). */
static int match_tiles(const nnrp_host_result *r, result_work *w) {
  for (size_t i = 1; i < r->tile_count; i++)
    if (w->order[i].id == w->order[i - 1].id) return NNRP_ERR_REPLAY_DUPLICATE_TILE;
  for (size_t i = 0, j = 0; i < w->id_count; i++) {
    uint64_t id = packet_id(r, w, i);
    while (j < r->tile_count && w->order[j].id < id) j++;
    w->by_id[i] = j < r->tile_count && w->order[j].id == id ? &r->tiles[w->order[j].index] : NULL;
  }
  return 0;
}

/* sr_residual then detail_residual, each only when some tile has a payload for it. */
static int build_sections(result_work *w, nnrp_tensor_section_data sections[FIELD_COUNT],
                          size_t *count) {
  size_t m = w->id_count;
  *count = 0;
  for (int k = 0; k < FIELD_COUNT; k++) {
    int any = 0;
    for (size_t i = 0; i < m; i++) {
      nnrp_vec v = w->by_id[i] ? field_of(w->by_id[i], k) : (nnrp_vec){NULL, 0};
      if (v.len && !v.base) return NNRP_ERR_INVALID_ARGUMENT;
      w->payloads[k][i] = v;
      any |= v.len != 0;
    }
    if (!any) continue;
    for (size_t i = 0; i < m; i++) {
      int rc = nnrpi_codec_from_name(w->by_id[i] ? compression_of(w->by_id[i], k) : NULL,
                                     &w->codecs[k][i]);
      if (rc) return rc;
    }
    nnrp_tensor_section_data *s = &sections[(*count)++];
    memset(s, 0, sizeof(*s));
    s->role_id = field_roles[k];
    s->dtype_id = NNRP_DTYPE_UINT8;
    s->layout_id = NNRP_LAYOUT_NHWC;
    s->scale_policy = NNRP_SCALE_NONE;
    s->default_codec_id = nnrpi_default_codec(w->codecs[k], m);
    s->tile_payloads = w->payloads[k];
    s->tile_payload_count = m;
    s->codec_ids = w->codecs[k];
    s->codec_id_count = m;
  }
  return 0;
}

/* Given values win; otherwise the bits of stale, degraded and dropped tiles. */
static int outcome(const nnrp_host_result *r, nnrp_result_push_input *in) {
  int partial = r->dropped_tile_count > 0;
  uint32_t flags = 0, policy = 0;
  uint32_t cls = NNRP_RESULT_COMPLETE;
  if (r->stale) flags |= NNRP_RESULT_FLAG_STALE, policy |= NNRP_BUDGET_ALLOW_STALE_REUSE;
  if (r->degraded) flags |= NNRP_RESULT_FLAG_FALLBACK, policy |= NNRP_BUDGET_ALLOW_DEGRADED;
  if (partial) flags |= NNRP_RESULT_FLAG_PARTIAL, policy |= NNRP_BUDGET_ALLOW_PARTIAL;
  if (r->stale)
    cls = NNRP_RESULT_STALE_REUSE;
  else if (r->degraded)
    cls = NNRP_RESULT_DEGRADED;
  else if (partial)
    cls = NNRP_RESULT_PARTIAL;
  if (r->result_flags >= 0) flags = (uint32_t)r->result_flags;
  if (r->result_class >= 0) cls = (uint32_t)r->result_class;
  if (r->applied_budget_policy >= 0) policy = (uint32_t)r->applied_budget_policy;
  if (flags > UINT16_MAX || cls > UINT8_MAX || policy > UINT8_MAX)
    return NNRP_ERR_BUILD_FIELD_RANGE;
  in->result_flags = (uint16_t)flags;
  in->result_class = (uint8_t)cls;
  in->applied_budget_policy = (uint8_t)policy;
  return 0;
}

static int narrow_tile_ids(const nnrp_host_result *r, result_work *w) {
  for (size_t i = 0; i < w->id_count; i++) {
    uint64_t id = packet_id(r, w, i);
    if (id > UINT16_MAX) return NNRP_ERR_TILE_ID_RANGE;
    w->tile_ids[i] = (uint16_t)id;
  }
  return 0;
}

int nnrp_replay_result_to_packet(const nnrp_host_result *r, const nnrp_replay_options *opts,
                                 void *scratch, size_t scratch_len, nnrp_sink *sink) {
  if (!r || !sink || (r->tile_count && !r->tiles) || (r->frame_count && !r->frames))
    return NNRP_ERR_INVALID_ARGUMENT;
  nnrpi_arena a;
  result_work w;
  nnrpi_arena_init(&a, scratch, scratch_len);
  layout(&a, r, &w);
  if (a.overflow || a.used > a.cap) return NNRP_ERR_REPLAY_SCRATCH;

  nnrp_tensor_section_data sections[FIELD_COUNT];
  nnrp_object_ref refs[2];
  size_t section_count = 0, ref_count = 0;
  int rc = sort_tiles(r, &w);
  if (!rc) rc = resolve_ids(r, &w);
  if (!rc) rc = match_tiles(r, &w);
  if (!rc) rc = build_sections(&w, sections, &section_count);
  if (!rc && r->tile_index_reference)
    rc = nnrpi_slot_reference(r->tile_index_reference, NNRP_OBJECT_TILE_INDEX_BLOCK,
                              &refs[ref_count++]);
  if (!rc && r->tensor_section_table_reference)
    rc = nnrpi_slot_reference(r->tensor_section_table_reference, NNRP_OBJECT_TENSOR_SECTION_TABLE,
                              &refs[ref_count++]);
  if (rc) return rc;

  nnrp_result_push_input in;
  nnrp_result_push_input_init(&in);
  if ((rc = nnrpi_session_id(r->session_id, opts, &in.packet.session_id)) != 0) return rc;
  in.packet.frame_id = r->frame_id;
  in.packet.view_id = opts ? opts->view_id : 0;
  in.packet.trace_id =
      nnrpi_trace_id(r->request_id && r->request_id[0] ? r->request_id : r->client_trace_id, opts);
  if ((rc = outcome(r, &in)) != 0) return rc;
  in.active_profile_id = opts ? opts->active_profile_id : 0;
  in.inference_ms = r->inference_ms;
  in.queue_ms = r->queue_ms;
  in.server_total_ms = r->round_trip_ms;
  in.reused_frame_id = r->reused_frame_id;
  in.covered_tile_count = r->covered_tile_count < 0 ? (long)w.id_count : r->covered_tile_count;
  in.dropped_tile_count = r->dropped_tile_count;
  if ((rc = narrow_tile_ids(r, &w)) != 0) return rc;
  in.tile_ids = w.tile_ids;
  in.tile_id_count = w.id_count;
  in.sections = sections;
  in.section_count = section_count;
  in.references = refs;
  in.reference_count = ref_count;

  if (r->frame_count) {
    /* libnnrp addition: typed frames, inline only. */
    if (ref_count) return NNRP_ERR_BUILD_INLINE_REFS;
    in.frames = r->frames;
    in.frame_count = r->frame_count;
    if (!w.id_count && !section_count) {
      in.covered_tile_count = -1;
      return nnrp_build_result_push_typed(&in, sink);
    }
    return nnrp_build_result_push_mixed(&in, sink);
  }
  return nnrp_build_result_push(&in, sink);
}
