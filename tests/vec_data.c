/* Sink runner and decoded-packet rebuild for the vector tests (see vec_data.h). */
#include "vec_data.h"

#include <string.h>

nnrp_decode_options vec_opts(uint32_t flags) {
  nnrp_decode_options o;
  memset(&o, 0, sizeof(o));
  o.flags = flags;
  return o;
}

enum { IOV_MAX_VECS = 1024 };

int vec_run_sinks(vec_ctx *c, vec_writer fn, const void *arg, nnrp_vec *out) {
  nnrp_sink s;
  out->base = vec_alloc(c, 1);
  out->len = 0;

  nnrp_sink_init_count(&s);
  int rc_count = fn(c, arg, &s);
  size_t total = s.total;

  uint8_t *buf = vec_alloc(c, total);
  nnrp_sink_init_buffer(&s, buf, total);
  int rc = fn(c, arg, &s);
  if (rc != rc_count) vec_fail(c, "count sink returned %d, buffer sink %d", rc_count, rc);
  if (rc != 0) return rc;
  if (s.total != total || s.len != total)
    vec_fail(c, "count sink sized %zu bytes, buffer sink wrote %zu", total, s.len);
  out->base = buf;
  out->len = s.len;

  if (total > 0) {
    uint8_t *shortbuf = vec_alloc(c, total);
    nnrp_sink_init_buffer(&s, shortbuf, total - 1);
    int rc_short = fn(c, arg, &s);
    if (rc_short != NNRP_ERR_BUFFER_TOO_SMALL)
      vec_fail(c, "buffer one byte short returned %d (%s), expected BUFFER_TOO_SMALL", rc_short,
               nnrp_err_name(rc_short) ? nnrp_err_name(rc_short) : "?");
  }

  uint8_t *scratch = vec_alloc(c, total);
  nnrp_vec *iov = vec_alloc(c, IOV_MAX_VECS * sizeof(nnrp_vec));
  nnrp_sink_init_iov(&s, scratch, total, iov, IOV_MAX_VECS, 1);
  int rc_iov = fn(c, arg, &s);
  if (rc_iov != 0) {
    vec_fail(c, "scatter-gather sink returned %d (%s)", rc_iov,
             nnrp_err_name(rc_iov) ? nnrp_err_name(rc_iov) : "?");
    return rc;
  }
  uint8_t *joined = vec_alloc(c, s.total);
  size_t at = 0;
  for (size_t i = 0; i < s.iov_count && at + iov[i].len <= s.total; i++) {
    if (iov[i].len) memcpy(joined + at, iov[i].base, iov[i].len);
    at += iov[i].len;
  }
  if (at != total || s.total != total || memcmp(joined, buf, total) != 0)
    vec_fail(c, "scatter-gather output (%zu bytes in %zu iovecs) differs from the buffer output",
             at, s.iov_count);
  return rc;
}

/* ---- rebuild ------------------------------------------------------------------------------- */

/* Tile ids of a decoded body; when the block is referenced its ids are not on the wire, so any
 * ids of the right count that satisfy the mode's builder preconditions do. */
static size_t body_tile_ids(vec_ctx *c, const nnrp_data_body *b, unsigned mode, size_t count,
                            uint32_t base, uint16_t **out) {
  uint16_t *ids = vec_alloc(c, count * sizeof(uint16_t));
  *out = ids;
  if (b->present & NNRP_DATA_REF_TILE_INDEX) {
    for (size_t i = 0; i < count; i++)
      ids[i] = (uint16_t)(mode == NNRP_TILE_DENSE_RANGE ? base + i : i);
    return count;
  }
  nnrp_tile_iter it;
  uint32_t id;
  size_t n = 0;
  nnrp_tile_iter_init(&it, b->tile_index.base, b->tile_index.len, mode, count, base);
  while (n < count && nnrp_tile_iter_next(&it, &id)) ids[n++] = (uint16_t)id;
  if (n != count) vec_fail(c, "tile iterator gave %zu ids, metadata says %zu", n, count);
  return n;
}

static size_t body_sections(vec_ctx *c, const nnrp_data_body *b,
                            nnrp_tensor_section_data **out) {
  nnrp_tensor_section_data *secs = vec_alloc(c, b->section_count * sizeof(*secs));
  nnrp_section_iter it;
  nnrp_section_view v;
  size_t n = 0;
  *out = secs;
  nnrp_section_iter_init(&it, b->sections.base, b->sections.len, b->section_count);
  while (n < b->section_count && nnrp_section_iter_next(&it, &v)) {
    nnrp_tensor_section_data *s = &secs[n++];
    nnrp_vec *tiles = vec_alloc(c, v.tile_count * sizeof(nnrp_vec));
    nnrp_section_tile_iter ti;
    size_t k = 0;
    nnrp_section_tile_iter_init(&ti, &v);
    while (k < v.tile_count && nnrp_section_tile_iter_next(&ti, &tiles[k])) k++;
    if (k != v.tile_count) vec_fail(c, "section tile iterator gave %zu of %zu", k, v.tile_count);
    s->role_id = v.desc.role_id;
    s->default_codec_id = v.desc.codec_id;
    s->dtype_id = v.desc.dtype_id;
    s->layout_id = v.desc.layout_id;
    s->scale_policy = v.desc.scale_policy;
    s->payload_stride_bytes = v.desc.payload_stride_bytes;
    s->element_count_per_tile = v.desc.element_count_per_tile;
    s->tile_payloads = tiles;
    s->tile_payload_count = k;
    if (v.desc.codec_table_bytes) {
      s->codec_ids = v.codec_table;
      s->codec_id_count = v.desc.codec_table_bytes;
    }
  }
  if (n != b->section_count) vec_fail(c, "section iterator gave %zu of %zu", n, b->section_count);
  return n;
}

static nnrp_typed_frame *body_frames(vec_ctx *c, const nnrp_data_body *b) {
  nnrp_typed_frame *f = vec_alloc(c, b->typed_frame_count * sizeof(*f));
  for (size_t i = 0; i < b->typed_frame_count; i++) nnrp_data_body_typed_frame(b, i, &f[i]);
  return f;
}

static nnrp_packet_params params_of(const nnrp_header *h) {
  nnrp_packet_params p;
  memset(&p, 0, sizeof(p));
  p.session_id = h->session_id;
  p.frame_id = h->frame_id;
  p.view_id = h->view_id;
  p.route_id = h->route_id;
  p.trace_id = h->trace_id;
  p.flags = h->flags;
  return p;
}

static int popcount(uint32_t v) {
  int n = 0;
  for (; v; v &= v - 1) n++;
  return n;
}

/* A region body carrying inline objects besides the standard slots (no builder emits them). */
static int nonstandard_inline(const nnrp_data_body *b) {
  if (b->family != NNRP_BODY_REGION) return 0;
  return (size_t)popcount(b->present & (NNRP_DATA_HAS_CAMERA | NNRP_DATA_HAS_TILE_INDEX |
                                        NNRP_DATA_HAS_SECTION_TABLE)) != b->inline_object_count;
}

typedef int (*submit_builder)(const nnrp_frame_submit_input *, nnrp_sink *);
typedef int (*result_builder)(const nnrp_result_push_input *, nnrp_sink *);
typedef struct submit_job { submit_builder fn; nnrp_frame_submit_input in; } submit_job;
typedef struct result_job { result_builder fn; nnrp_result_push_input in; } result_job;

static int run_submit(vec_ctx *c, const void *arg, nnrp_sink *s) {
  (void)c;
  const submit_job *j = arg;
  return j->fn(&j->in, s);
}

static int run_result(vec_ctx *c, const void *arg, nnrp_sink *s) {
  (void)c;
  const result_job *j = arg;
  return j->fn(&j->in, s);
}

static int rebuild_submit(vec_ctx *c, const nnrp_packet *p, nnrp_vec *out, const char **how) {
  const nnrp_frame_submit_meta *m = &p->meta.frame_submit;
  const nnrp_data_body *b = &p->data;
  if (b->ext_frame_count || (b->present & (NNRP_DATA_REF_LAYOUT_TEMPLATE |
                                           NNRP_DATA_REF_SECTION_TABLE)) ||
      nonstandard_inline(b))
    return VEC_NO_BUILDER;
  submit_job *j = vec_alloc(c, sizeof(*j));
  nnrp_frame_submit_input *in = &j->in;
  nnrp_frame_submit_input_init(in);
  in->packet = params_of(&p->header);
  in->src_width = m->src_width;
  in->src_height = m->src_height;
  in->tile_width = m->tile_width;
  in->tile_height = m->tile_height;
  in->frame_class = m->frame_class;
  in->input_profile = m->input_profile;
  in->tile_index_mode = m->tile_index_mode;
  in->latency_budget_ms = m->latency_budget_ms;
  in->target_fps_x100 = m->target_fps_x100;
  in->retry_of_frame = m->retry_of_frame;
  in->tile_base_id = m->tile_base_id;
  in->submit_mode = m->submit_mode;
  in->object_ref_mask = m->object_ref_mask;
  in->budget_policy = m->budget_policy;
  in->dependency_frame_id = m->dependency_frame_id;
  in->loss_tolerance_policy = m->loss_tolerance_policy;
  in->payload_kind_bitmap = m->payload_kind_bitmap;
  in->payload_frame_count = m->payload_frame_count;
  uint16_t *ids;
  nnrp_tensor_section_data *secs;
  in->tile_id_count = body_tile_ids(c, b, m->tile_index_mode, m->tile_count, m->tile_base_id,
                                    &ids);
  in->tile_ids = ids;
  in->section_count = body_sections(c, b, &secs);
  in->sections = secs;
  if (b->present & NNRP_DATA_HAS_CAMERA) in->camera_block = b->camera;
  if (b->present & NNRP_DATA_REF_CAMERA) in->camera_reference = &b->refs[0];
  if (b->present & NNRP_DATA_REF_TILE_INDEX) in->tile_index_reference = &b->refs[1];
  in->frames = body_frames(c, b);
  in->frame_count = b->typed_frame_count;

  int tensor = (m->payload_kind_bitmap & NNRP_PAYLOAD_TENSOR) != 0;
  if (b->family != NNRP_BODY_REGION || m->submit_mode != NNRP_SUBMIT_INLINE) {
    if (b->typed_frame_count) return VEC_NO_BUILDER;
    j->fn = nnrp_build_frame_submit;
    *how = "nnrp_build_frame_submit";
  } else if (!tensor) {
    j->fn = nnrp_build_frame_submit_typed;
    *how = "nnrp_build_frame_submit_typed";
  } else {
    j->fn = nnrp_build_frame_submit_mixed;
    *how = "nnrp_build_frame_submit_mixed";
  }
  int rc = vec_run_sinks(c, run_submit, j, out);
  return rc ? rc : VEC_REBUILT;
}

static int rebuild_result(vec_ctx *c, const nnrp_packet *p, nnrp_vec *out, const char **how) {
  const nnrp_result_push_meta *m = &p->meta.result_push;
  const nnrp_data_body *b = &p->data;
  if (b->ext_frame_count || b->reference_count || nonstandard_inline(b)) return VEC_NO_BUILDER;
  result_job *j = vec_alloc(c, sizeof(*j));
  nnrp_result_push_input *in = &j->in;
  nnrp_result_push_input_init(in);
  in->packet = params_of(&p->header);
  in->result_flags = m->result_flags;
  in->active_profile_id = m->active_profile_id;
  in->inference_ms = m->inference_ms;
  in->queue_ms = m->queue_ms;
  in->server_total_ms = m->server_total_ms;
  in->status_code = m->status_code;
  in->tile_index_mode = (uint8_t)nnrp_result_tile_mode(m);
  in->tile_base_id = m->tile_base_id;
  in->result_class = m->result_class;
  in->applied_budget_policy = m->applied_budget_policy;
  in->reused_frame_id = m->reused_frame_id;
  in->covered_tile_count = m->covered_tile_count;
  in->dropped_tile_count = m->dropped_tile_count;
  in->payload_kind_bitmap = m->payload_kind_bitmap;
  in->payload_frame_count = m->payload_frame_count;
  uint16_t *ids;
  nnrp_tensor_section_data *secs;
  in->tile_id_count = body_tile_ids(c, b, in->tile_index_mode, m->tile_count, m->tile_base_id,
                                    &ids);
  in->tile_ids = ids;
  in->section_count = body_sections(c, b, &secs);
  in->sections = secs;
  in->frames = body_frames(c, b);
  in->frame_count = b->typed_frame_count;

  if (b->family != NNRP_BODY_REGION) {
    j->fn = nnrp_build_result_push;
    *how = "nnrp_build_result_push";
  } else if (!(m->payload_kind_bitmap & NNRP_PAYLOAD_TENSOR)) {
    j->fn = nnrp_build_result_push_typed;
    *how = "nnrp_build_result_push_typed";
  } else {
    j->fn = nnrp_build_result_push_mixed;
    *how = "nnrp_build_result_push_mixed";
  }
  int rc = vec_run_sinks(c, run_result, j, out);
  return rc ? rc : VEC_REBUILT;
}

int vec_rebuild(vec_ctx *c, const nnrp_packet *p, nnrp_vec *out, const char **builder) {
  *builder = "none";
  if (p->header.msg_type == NNRP_MSG_FRAME_SUBMIT) return rebuild_submit(c, p, out, builder);
  if (p->header.msg_type == NNRP_MSG_RESULT_PUSH) return rebuild_result(c, p, out, builder);
  return VEC_NO_BUILDER;
}

/* ---- control-plane re-encoding ------------------------------------------------------------- */

typedef struct control_job {
  const nnrp_packet *p;
  nnrp_packet_params params;
  const nnrp_ext_entry *exts;
  size_t ext_count;
} control_job;

static int run_control(vec_ctx *c, const void *arg, nnrp_sink *s) {
  (void)c;
  const control_job *j = arg;
  const nnrp_packet *p = j->p;
  const nnrp_packet_params *pp = &j->params;
  const nnrp_meta *m = &p->meta;
  const nnrp_profile_patch *patch = p->has_profile_patch ? &p->profile_patch : NULL;
  switch (p->header.msg_type) {
    case NNRP_MSG_CLIENT_HELLO:
      return nnrp_build_client_hello(pp, &m->client_hello, j->exts, j->ext_count, p->hello.auth,
                                     s);
    case NNRP_MSG_SERVER_HELLO_ACK:
      return nnrp_build_server_hello_ack(pp, &m->server_hello_ack, j->exts, j->ext_count, s);
    case NNRP_MSG_SESSION_PATCH: return nnrp_build_session_patch(pp, &m->session_patch, patch, s);
    case NNRP_MSG_SESSION_PATCH_ACK:
      return nnrp_build_session_patch_ack(pp, &m->session_patch_ack, patch, s);
    case NNRP_MSG_CLOSE: return nnrp_build_close(pp, p->body, s);
    case NNRP_MSG_ERROR: return nnrp_build_error(pp, &m->error, p->body, s);
    case NNRP_MSG_FRAME_CANCEL: return nnrp_build_frame_cancel(pp, s);
    case NNRP_MSG_RESULT_DROP: return nnrp_build_result_drop(pp, s);
    case NNRP_MSG_PING: return nnrp_build_ping(pp, s);
    case NNRP_MSG_PONG: return nnrp_build_pong(pp, s);
    case NNRP_MSG_CACHE_PUT: return nnrp_build_cache_put(pp, &m->cache_put, p->body, s);
    case NNRP_MSG_CACHE_ACK: return nnrp_build_cache_ack(pp, &m->cache_ack, s);
    case NNRP_MSG_CACHE_INVALIDATE:
      return nnrp_build_cache_invalidate(pp, &m->cache_invalidate, s);
    case NNRP_MSG_FLOW_UPDATE: return nnrp_build_flow_update(pp, &m->flow_update, s);
    case NNRP_MSG_RESULT_HINT: return nnrp_build_result_hint(pp, &m->result_hint, s);
    case NNRP_MSG_TRANSPORT_PROBE:
      return nnrp_build_transport_probe(pp, &m->transport_probe, p->body, s);
    case NNRP_MSG_TRANSPORT_PROBE_ACK:
      return nnrp_build_transport_probe_ack(pp, &m->transport_probe_ack, s);
    case NNRP_MSG_SESSION_MIGRATE: return nnrp_build_session_migrate(pp, &m->session_migrate, s);
    case NNRP_MSG_SESSION_MIGRATE_ACK:
      return nnrp_build_session_migrate_ack(pp, &m->session_migrate_ack, s);
    default: return NNRP_ERR_UNSUPPORTED;
  }
}

static const char *control_builder_name(unsigned type) {
  switch (type) {
    case NNRP_MSG_CLIENT_HELLO: return "nnrp_build_client_hello";
    case NNRP_MSG_SERVER_HELLO_ACK: return "nnrp_build_server_hello_ack";
    case NNRP_MSG_SESSION_PATCH: return "nnrp_build_session_patch";
    case NNRP_MSG_SESSION_PATCH_ACK: return "nnrp_build_session_patch_ack";
    case NNRP_MSG_CLOSE: return "nnrp_build_close";
    case NNRP_MSG_ERROR: return "nnrp_build_error";
    case NNRP_MSG_FRAME_CANCEL: return "nnrp_build_frame_cancel";
    case NNRP_MSG_RESULT_DROP: return "nnrp_build_result_drop";
    case NNRP_MSG_PING: return "nnrp_build_ping";
    case NNRP_MSG_PONG: return "nnrp_build_pong";
    case NNRP_MSG_CACHE_PUT: return "nnrp_build_cache_put";
    case NNRP_MSG_CACHE_ACK: return "nnrp_build_cache_ack";
    case NNRP_MSG_CACHE_INVALIDATE: return "nnrp_build_cache_invalidate";
    case NNRP_MSG_FLOW_UPDATE: return "nnrp_build_flow_update";
    case NNRP_MSG_RESULT_HINT: return "nnrp_build_result_hint";
    case NNRP_MSG_TRANSPORT_PROBE: return "nnrp_build_transport_probe";
    case NNRP_MSG_TRANSPORT_PROBE_ACK: return "nnrp_build_transport_probe_ack";
    case NNRP_MSG_SESSION_MIGRATE: return "nnrp_build_session_migrate";
    case NNRP_MSG_SESSION_MIGRATE_ACK: return "nnrp_build_session_migrate_ack";
    default: return "none";
  }
}

int vec_reencode(vec_ctx *c, const nnrp_packet *p, nnrp_vec *out, const char **builder) {
  unsigned type = p->header.msg_type;
  if (type == NNRP_MSG_FRAME_SUBMIT || type == NNRP_MSG_RESULT_PUSH)
    return vec_rebuild(c, p, out, builder);
  control_job *j = vec_alloc(c, sizeof(*j));
  j->p = p;
  j->params = params_of(&p->header);
  if (type == NNRP_MSG_CLIENT_HELLO || type == NNRP_MSG_SERVER_HELLO_ACK) {
    /* The hello body keeps every entry, unknown ones included, in wire order. */
    nnrp_ext_entry *e = vec_alloc(c, (p->hello.extensions.len / 8 + 1) * sizeof(*e));
    nnrp_ext_iter it;
    size_t n = 0;
    nnrp_ext_iter_init(&it, p->hello.extensions.base, p->hello.extensions.len);
    while (nnrp_ext_iter_next(&it, &e[n])) n++;
    if (n != p->hello.extension_count)
      vec_fail(c, "extension iterator gave %zu entries, the packet counted %zu", n,
               p->hello.extension_count);
    j->exts = e;
    j->ext_count = n;
  }
  *builder = control_builder_name(type);
  int rc = vec_run_sinks(c, run_control, j, out);
  return rc ? rc : VEC_REBUILT;
}
