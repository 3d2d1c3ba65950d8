/*
 * Preview2 conformance cases of l1-data-plane (session.md §8.4), shown through a real client
 * engine and a real server engine wired together in memory: FRAME_SUBMIT and RESULT_PUSH
 * messages the engines emit are parsed and emitted again byte-identically from the parsed
 * fields, invalid combinations are refused before anything leaves or answered with the ERROR
 * the spec names, references resolve against the session cache (and a miss is never a silent
 * fallback), typed payloads come back unchanged per kind and profile, and partial, stale and
 * degraded results reach the host as displayable results, distinct from a drop.
 */
#include "engine_check.h"

/* ---- fixtures
 * ------------------------------------------------------------------------------------ */

#define MAXT 16

/* Tiles and sections of a tensor part: section s, tile t has (s * 16 + t + 1) bytes of value
 * s * 16 + t, or a fixed stride with shorter payloads when `fixed`. */
typedef struct tensor {
  uint16_t ids[MAXT];
  size_t n;
  uint8_t bytes[2][MAXT][40];
  nnrp_vec tiles[2][MAXT];
  nnrp_tensor_section_data sec[2];
  size_t nsec;
} tensor;

static void tensor_make(tensor *t, const uint16_t *ids, size_t n, size_t nsec) {
  memset(t, 0, sizeof *t);
  memcpy(t->ids, ids, n * sizeof *ids);
  t->n = n;
  t->nsec = nsec;
  for (size_t s = 0; s < nsec; s++) {
    for (size_t k = 0; k < n; k++) {
      size_t len = s == 0 ? k + 1 : 24 - k; /* section 1: fixed stride 24, shorter tiles */
      memset(t->bytes[s][k], (int)(s * 16 + k), len);
      t->tiles[s][k].base = t->bytes[s][k];
      t->tiles[s][k].len = len;
    }
    nnrp_tensor_section_data *d = &t->sec[s];
    d->role_id = (uint16_t)(s == 0 ? 1 : 3); /* strictly increasing role ids */
    d->default_codec_id = 0;
    d->dtype_id = NNRP_DTYPE_UINT8;
    d->layout_id = NNRP_LAYOUT_NHWC;
    d->scale_policy = NNRP_SCALE_NONE;
    d->payload_stride_bytes = s == 0 ? 0 : 24;
    d->element_count_per_tile = 4;
    d->tile_payloads = t->tiles[s];
    d->tile_payload_count = n;
  }
}

/* What a decoder read out of a data-plane packet, as builder input again. */
typedef struct parsed {
  uint16_t ids[MAXT];
  nnrp_tensor_section_data sec[8];
  nnrp_vec tiles[8][MAXT];
  uint8_t codecs[8][MAXT];
  nnrp_typed_frame frames[16];
  nnrp_object_ref refs[8];
} parsed;

static nnrp_packet_params params_of(const nnrp_header *h) {
  nnrp_packet_params pp;
  memset(&pp, 0, sizeof pp);
  pp.session_id = h->session_id;
  pp.frame_id = h->frame_id;
  pp.view_id = h->view_id;
  pp.route_id = h->route_id;
  pp.trace_id = h->trace_id;
  pp.flags = h->flags;
  return pp;
}

/* Tile ids of an inline block (or of a dense range), or placeholders for a referenced block
 * (they are not on the wire then). */
static size_t parsed_ids(parsed *x, const nnrp_data_body *b, uint32_t ref_bit, unsigned mode,
                         size_t count, uint32_t base) {
  if (count > MAXT) return 0;
  if (b->present & ref_bit) {
    for (size_t i = 0; i < count; i++) x->ids[i] = (uint16_t)i;
    return count;
  }
  nnrp_tile_iter it;
  nnrp_tile_iter_init(&it, b->tile_index.base, b->tile_index.len, mode, count, base);
  uint32_t id;
  size_t n = 0;
  while (n < MAXT && nnrp_tile_iter_next(&it, &id)) x->ids[n++] = (uint16_t)id;
  return n;
}

static size_t parsed_sections(parsed *x, const nnrp_data_body *b) {
  nnrp_section_iter it;
  nnrp_section_iter_init(&it, b->sections.base, b->sections.len, b->section_count);
  nnrp_section_view v;
  size_t n = 0;
  while (n < 8 && nnrp_section_iter_next(&it, &v)) {
    nnrp_tensor_section_data *d = &x->sec[n];
    memset(d, 0, sizeof *d);
    d->role_id = v.desc.role_id;
    d->default_codec_id = v.desc.codec_id;
    d->dtype_id = v.desc.dtype_id;
    d->layout_id = v.desc.layout_id;
    d->scale_policy = v.desc.scale_policy;
    d->payload_stride_bytes = v.desc.payload_stride_bytes;
    d->element_count_per_tile = v.desc.element_count_per_tile;
    nnrp_section_tile_iter ti;
    nnrp_section_tile_iter_init(&ti, &v);
    size_t k = 0;
    while (k < MAXT && nnrp_section_tile_iter_next(&ti, &x->tiles[n][k])) {
      x->codecs[n][k] = nnrp_section_tile_codec(&v, k);
      k++;
    }
    d->tile_payloads = x->tiles[n];
    d->tile_payload_count = k;
    if (v.desc.codec_table_bytes) {
      d->codec_ids = x->codecs[n];
      d->codec_id_count = k;
    }
    n++;
  }
  return n;
}

static size_t parsed_frames(parsed *x, const nnrp_data_body *b) {
  size_t n = b->typed_frame_count < 16 ? b->typed_frame_count : 16;
  for (size_t i = 0; i < n; i++) nnrp_data_body_typed_frame(b, i, &x->frames[i]);
  return n;
}

/* FRAME_SUBMIT built again from its decoded fields. */
static int reemit_submit(const nnrp_packet *p, parsed *x, nnrp_sink *sink) {
  const nnrp_frame_submit_meta *m = &p->meta.frame_submit;
  const nnrp_data_body *b = &p->data;
  nnrp_frame_submit_input in;
  nnrp_frame_submit_input_init(&in);
  in.packet = params_of(&p->header);
  in.src_width = m->src_width;
  in.src_height = m->src_height;
  in.tile_width = m->tile_width;
  in.tile_height = m->tile_height;
  in.frame_class = m->frame_class;
  in.input_profile = m->input_profile;
  in.tile_index_mode = m->tile_index_mode;
  in.latency_budget_ms = m->latency_budget_ms;
  in.target_fps_x100 = m->target_fps_x100;
  in.retry_of_frame = m->retry_of_frame;
  in.tile_base_id = m->tile_base_id;
  in.submit_mode = m->submit_mode;
  in.object_ref_mask = m->object_ref_mask;
  in.budget_policy = m->budget_policy;
  in.dependency_frame_id = m->dependency_frame_id;
  in.loss_tolerance_policy = m->loss_tolerance_policy;
  in.payload_kind_bitmap = m->payload_kind_bitmap;
  in.payload_frame_count = m->payload_frame_count;
  in.frame_count = parsed_frames(x, b);
  in.frames = x->frames;
  if (m->payload_kind_bitmap & NNRP_PAYLOAD_TENSOR) {
    in.tile_ids = x->ids;
    in.tile_id_count = parsed_ids(x, b, NNRP_DATA_REF_TILE_INDEX, m->tile_index_mode, m->tile_count,
                                  m->tile_base_id);
    in.sections = x->sec;
    in.section_count = parsed_sections(x, b);
    if (b->present & NNRP_DATA_HAS_CAMERA) in.camera_block = b->camera;
    if (b->present & NNRP_DATA_REF_CAMERA) in.camera_reference = &b->refs[0];
    if (b->present & NNRP_DATA_REF_TILE_INDEX) in.tile_index_reference = &b->refs[1];
    if (b->present & NNRP_DATA_REF_SECTION_TABLE) in.tensor_section_table_reference = &b->refs[2];
  }
  if (in.frame_count)
    return in.tile_id_count || in.section_count || in.camera_block.len
               ? nnrp_build_frame_submit_mixed(&in, sink)
               : nnrp_build_frame_submit_typed(&in, sink);
  return nnrp_build_frame_submit(&in, sink);
}

/* RESULT_PUSH built again from its decoded fields. */
static int reemit_result(const nnrp_packet *p, parsed *x, nnrp_sink *sink) {
  const nnrp_result_push_meta *m = &p->meta.result_push;
  const nnrp_data_body *b = &p->data;
  nnrp_result_push_input in;
  nnrp_result_push_input_init(&in);
  in.packet = params_of(&p->header);
  in.result_flags = m->result_flags;
  in.active_profile_id = m->active_profile_id;
  in.inference_ms = m->inference_ms;
  in.queue_ms = m->queue_ms;
  in.server_total_ms = m->server_total_ms;
  in.status_code = m->status_code;
  in.tile_base_id = m->tile_base_id;
  in.result_class = m->result_class;
  in.applied_budget_policy = m->applied_budget_policy;
  in.reused_frame_id = m->reused_frame_id;
  in.covered_tile_count = m->covered_tile_count;
  in.dropped_tile_count = m->dropped_tile_count;
  in.payload_kind_bitmap = m->payload_kind_bitmap;
  in.payload_frame_count = m->payload_frame_count;
  in.frame_count = parsed_frames(x, b);
  in.frames = x->frames;
  in.reference_count = b->reference_count < 8 ? b->reference_count : 8;
  for (size_t i = 0; i < in.reference_count; i++)
    nnrp_object_ref_at(&b->regions[NNRP_REGION_OBJECT_REFERENCES], i, &x->refs[i]);
  in.references = x->refs;
  if (m->payload_kind_bitmap & NNRP_PAYLOAD_TENSOR) {
    in.tile_index_mode = (uint8_t)nnrp_result_tile_mode(m);
    in.tile_ids = x->ids;
    in.tile_id_count = parsed_ids(x, b, NNRP_DATA_REF_TILE_INDEX, in.tile_index_mode, m->tile_count,
                                  m->tile_base_id);
    in.sections = x->sec;
    in.section_count = parsed_sections(x, b);
  }
  if (in.frame_count)
    return in.tile_id_count || in.section_count ? nnrp_build_result_push_mixed(&in, sink)
                                                : nnrp_build_result_push_typed(&in, sink);
  return nnrp_build_result_push(&in, sink);
}

typedef int (*reemit_fn)(const nnrp_packet *p, parsed *x, nnrp_sink *sink);

/* Parse `bytes`, emit them again from the parsed fields: identical. */
#define CHECK_REEMIT(bytes, n, fn)                                  \
  do {                                                              \
    static parsed x_;                                               \
    static uint8_t buf_[16384];                                     \
    nnrp_packet p_;                                                 \
    nnrp_sink s_;                                                   \
    CHECK_RC(nnrp_packet_decode(&p_, (bytes), (n), NULL, NULL), 0); \
    nnrp_sink_init_buffer(&s_, buf_, sizeof buf_);                  \
    CHECK_RC(fn(&p_, &x_, &s_), 0);                                 \
    CHECK_MEM(buf_, s_.len, (bytes), (n));                          \
  } while (0)

static nnrp_settings data_settings(void) {
  nnrp_settings s;
  engine_settings(&s);
  s.client.hello.supported_payload_kind_bitmap = NNRP_PAYLOAD_KNOWN;
  s.server.payload_kind_bitmap = NNRP_PAYLOAD_KNOWN;
  return s;
}

static nnrp_cache_put_meta put_meta(uint32_t lo, uint32_t kind) {
  nnrp_cache_put_meta m;
  memset(&m, 0, sizeof m);
  m.cache_namespace = 1;
  m.cache_key_hi = 0xAB;
  m.cache_key_lo = lo;
  m.object_kind = kind;
  m.ttl_ms = 60000;
  m.codec_bitmap = 0x1;
  return m;
}

static nnrp_object_ref ref_of(uint32_t lo, uint16_t kind) {
  nnrp_object_ref r;
  memset(&r, 0, sizeof r);
  r.object_kind = kind;
  r.cache_namespace = 1;
  r.cache_key_hi = 0xAB;
  r.cache_key_lo = lo;
  return r;
}

/* `from` installs an object in its peer's cache; 1 when the peer accepted it. */
static int install(engine_pair *p, engine_side *from, nnrp_cache_put_meta m, const void *obj,
                   size_t len) {
  size_t acks = from->cache_acks.n;
  nnrp_vec v = {obj, len};
  CHECK_RC(nnrp_conn_cache_put(from->conn, &m, v, p->now), 0);
  engine_flush(p);
  CHECK_EQ(from->cache_acks.n, acks + 1);
  return from->cache_acks.n == acks + 1 && from->cache_acks.v[acks].ack.status == 0;
}

/* The FRAME_SUBMIT the client sent for `id` (index in its log), and the server's view. */
static long submit_packet(const engine_pair *p, size_t mark, uint32_t id) {
  for (size_t i = mark; i < p->c.sent.n; i++) {
    const engine_packet *pk = &p->c.sent.v[i];
    nnrp_header h;
    if (pk->type == NNRP_MSG_FRAME_SUBMIT &&
        nnrp_header_decode(&h, pk->bytes, pk->len, NULL) == 0 && h.frame_id == id)
      return (long)i;
  }
  return -1;
}

/* Submit `in`, deliver it, and check: the server admitted exactly these bytes, and they
 * re-emit identically.  Returns the frame id. */
static uint32_t submit_and_check(engine_pair *p, const nnrp_frame_submit_input *in) {
  size_t cmark = p->c.sent.n, smark = p->s.sent.n;
  uint32_t id = 0;
  CHECK_RC(nnrp_conn_submit(p->c.conn, in, 0, NULL, &id, p->now), 0);
  engine_flush(p);
  CHECK_EQ(engine_errors_since(&p->s, smark, NULL), 0);
  long at = submit_packet(p, cmark, id);
  const engine_submit_rec *sub = engine_submit_of(&p->s, id, in->packet.view_id);
  CHECK(at >= 0 && sub != NULL);
  if (at < 0 || !sub) return id;
  const engine_packet *pk = &p->c.sent.v[at];
  CHECK_MEM(sub->raw, sub->raw_len, pk->bytes, pk->len);
  CHECK_REEMIT(pk->bytes, pk->len, reemit_submit);
  return id;
}

/* ---- l1.frame_submit.message.parse_emit ---------------------------------------------------------
 */

static void test_l1_frame_submit_message_parse_emit(void) {
  engine_pair p;
  nnrp_settings st = data_settings();
  CHECK_RC(engine_pair_init(&p, &st, &st, NULL), 0);
  p.s.auto_reply = 1;
  CHECK_RC(engine_handshake(&p), 0);

  /* Inline tensor bodies in every tile index mode, two sections in role order, a camera. */
  static const uint16_t sparse[4] = {2, 5, 9, 30}, dense[4] = {10, 11, 12, 13};
  static const uint8_t camera[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  static tensor t;
  const struct {
    uint8_t mode;
    const uint16_t *ids;
    uint32_t base;
  } modes[] = {{NNRP_TILE_RAW_U16, sparse, 0},
               {NNRP_TILE_DELTA_U16, sparse, 0},
               {NNRP_TILE_BITSET, sparse, 0},
               {NNRP_TILE_DENSE_RANGE, dense, 10}};
  for (size_t i = 0; i < 4; i++) {
    tensor_make(&t, modes[i].ids, 4, 2);
    nnrp_frame_submit_input in;
    engine_submit_input(&in);
    in.tile_ids = t.ids;
    in.tile_id_count = t.n;
    in.tile_index_mode = modes[i].mode;
    in.tile_base_id = modes[i].base;
    in.sections = t.sec;
    in.section_count = t.nsec;
    in.camera_block.base = camera;
    in.camera_block.len = sizeof camera;
    in.input_profile = NNRP_INPUT_CHANGED_TILES_LUMA;
    in.frame_class = i == 0 ? NNRP_FRAME_KEYFRAME : NNRP_FRAME_DELTA;
    in.budget_policy = NNRP_BUDGET_ALLOW_PARTIAL;
    in.packet.trace_id = 1000 + i;
    in.packet.view_id = (uint16_t)(i % 2);
    uint32_t id = submit_and_check(&p, &in);
    const engine_submit_rec *sub = engine_submit_of(&p.s, id, in.packet.view_id);
    if (sub) {
      CHECK_EQ(sub->meta.tile_index_mode, modes[i].mode); /* the mode survives */
      CHECK_EQ(sub->meta.tile_count, 4);
      CHECK_EQ(sub->meta.section_count, 2);
      CHECK_EQ(sub->meta.submit_mode, NNRP_SUBMIT_INLINE);
      CHECK_EQ(sub->meta.camera_bytes, sizeof camera);
      nnrp_packet pk;
      CHECK_RC(nnrp_packet_decode(&pk, sub->raw, sub->raw_len, NULL, NULL), 0);
      /* Tile ids come back in order, sections in strictly increasing role order. */
      parsed *x = calloc(1, sizeof *x);
      CHECK_EQ(parsed_ids(x, &pk.data, NNRP_DATA_REF_TILE_INDEX, modes[i].mode, 4, modes[i].base),
               4);
      CHECK_EQ(memcmp(x->ids, modes[i].ids, sizeof sparse), 0);
      CHECK_EQ(parsed_sections(x, &pk.data), 2);
      CHECK(x->sec[0].role_id < x->sec[1].role_id);
      CHECK_MEM(x->tiles[1][2].base, x->tiles[1][2].len, t.bytes[1][2], t.tiles[1][2].len);
      free(x);
    }
  }

  /* MIXED and REFERENCE submit modes: objects installed first, references in slot order. */
  static const uint8_t tix[8] = {2, 0, 5, 0, 9, 0, 30, 0};
  CHECK(install(&p, &p.c, put_meta(1, NNRP_OBJECT_TILE_INDEX_BLOCK), tix, sizeof tix));
  CHECK(install(&p, &p.c, put_meta(2, NNRP_OBJECT_CAMERA_BLOCK), camera, sizeof camera));
  nnrp_object_ref rt = ref_of(1, NNRP_OBJECT_TILE_INDEX_BLOCK);
  nnrp_object_ref rc = ref_of(2, NNRP_OBJECT_CAMERA_BLOCK);
  tensor_make(&t, sparse, 4, 2);
  nnrp_frame_submit_input in;
  engine_submit_input(&in);
  in.tile_ids = t.ids;
  in.tile_id_count = t.n;
  in.sections = t.sec;
  in.section_count = t.nsec;
  in.camera_block.base = camera;
  in.camera_block.len = sizeof camera;
  in.submit_mode = NNRP_SUBMIT_MIXED;
  in.object_ref_mask = NNRP_REF_TILE_INDEX_BLOCK;
  in.tile_index_reference = &rt;
  uint32_t id = submit_and_check(&p, &in);
  const engine_submit_rec *sub = engine_submit_of(&p.s, id, 0);
  if (sub) {
    CHECK_EQ(sub->meta.submit_mode, NNRP_SUBMIT_MIXED);
    CHECK_EQ(sub->meta.object_ref_mask, NNRP_REF_TILE_INDEX_BLOCK);
    CHECK_EQ(sub->meta.tile_index_bytes, 0); /* M10 */
    CHECK_EQ(sub->object_count, 1);
    CHECK_MEM(sub->objects[0].bytes, sub->objects[0].len, tix, sizeof tix);
  }
  in.submit_mode = NNRP_SUBMIT_REFERENCE;
  in.object_ref_mask = NNRP_REF_CAMERA_BLOCK | NNRP_REF_TILE_INDEX_BLOCK;
  in.camera_reference = &rc;
  in.sections = NULL;
  in.section_count = 0;
  id = submit_and_check(&p, &in);
  sub = engine_submit_of(&p.s, id, 0);
  if (sub) {
    CHECK_EQ(sub->meta.submit_mode, NNRP_SUBMIT_REFERENCE);
    CHECK_EQ(sub->object_count, 2);
    nnrp_packet pk;
    CHECK_RC(nnrp_packet_decode(&pk, sub->raw, sub->raw_len, NULL, NULL), 0);
    CHECK_EQ(pk.data.reference_count, 2);
    nnrp_object_ref r0, r1;
    nnrp_object_ref_at(&pk.data.regions[NNRP_REGION_OBJECT_REFERENCES], 0, &r0);
    nnrp_object_ref_at(&pk.data.regions[NNRP_REGION_OBJECT_REFERENCES], 1, &r1);
    CHECK_EQ(r0.object_kind, NNRP_OBJECT_CAMERA_BLOCK); /* slot order: camera, tile index */
    CHECK_EQ(r1.object_kind, NNRP_OBJECT_TILE_INDEX_BLOCK);
    CHECK_EQ(r1.cache_key_lo, 1);
  }

  /* Invalid combinations (wire-data §9.3) are refused by the client before anything is
   * queued, and the frame id counter does not move. */
  size_t cmark = p.c.sent.n;
  uint32_t before = 0;
  nnrp_frame_submit_input bad;
  struct {
    uint8_t mode;
    uint32_t mask;
    const nnrp_object_ref *tiles;
    int err;
  } refusals[] = {
      {NNRP_SUBMIT_INLINE, NNRP_REF_TILE_INDEX_BLOCK, NULL, NNRP_ERR_BUILD_INLINE_MASK},
      {NNRP_SUBMIT_INLINE, 0, &rt, NNRP_ERR_BUILD_INLINE_REFS},
      {NNRP_SUBMIT_REFERENCE, 0, NULL, NNRP_ERR_BUILD_REFERENCE_NO_REFS},
      {NNRP_SUBMIT_MIXED, 0, &rt, NNRP_ERR_BUILD_MIXED_MASK},
      {NNRP_SUBMIT_MIXED, NNRP_REF_CAMERA_BLOCK, &rt, NNRP_ERR_BUILD_MASK_MISMATCH},
  };
  size_t in_flight = nnrp_conn_in_flight(p.c.conn);
  for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
    engine_submit_input(&bad);
    bad.tile_ids = t.ids;
    bad.tile_id_count = t.n;
    bad.submit_mode = refusals[i].mode;
    bad.object_ref_mask = refusals[i].mask;
    bad.tile_index_reference = refusals[i].tiles;
    CHECK_RC(nnrp_conn_submit(p.c.conn, &bad, 0, NULL, &before, p.now), refusals[i].err);
    CHECK_EQ(nnrp_conn_in_flight(p.c.conn), in_flight);
  }
  engine_collect(&p.c);
  CHECK_SILENT(&p.c, cmark);
  uint32_t next = engine_submit_simple(&p, 0);
  CHECK_EQ(next, id + 1);
  engine_flush(&p);

  /* Crafted FRAME_SUBMITs that break M-rules reach the server: ERROR malformed_body, frame
   * scope, related ids; nothing is admitted and the open frame is not disturbed. */
  p.s.auto_reply = 0;
  uint32_t open = engine_submit_simple(&p, 0);
  engine_flush(&p);
  CHECK_EQ(nnrp_conn_in_flight(p.s.conn), 1);
  static uint8_t pkt[4096];
  uint32_t crafted = open + 10;
  struct {
    const char *what;
    uint8_t mode;
    size_t off;
    uint32_t value;
  } mrules[] = {
      {"M1 unknown mask bit", NNRP_SUBMIT_REFERENCE, 56, 0x12},
      {"M2 inline with a mask", NNRP_SUBMIT_INLINE, 56, NNRP_REF_TILE_INDEX_BLOCK},
      {"M4/M7 mask names a slot without a reference", NNRP_SUBMIT_REFERENCE, 56, 0x3},
      {"M10 referenced tile index with tile_index_bytes", NNRP_SUBMIT_REFERENCE, 32, 8},
      {"reference mode without a mask", NNRP_SUBMIT_REFERENCE, 56, 0},
  };
  for (size_t i = 0; i < sizeof mrules / sizeof mrules[0]; i++) {
    engine_submit_input(&bad);
    bad.packet.session_id = nnrp_conn_session_id(p.c.conn);
    bad.packet.frame_id = crafted;
    bad.tile_ids = t.ids;
    bad.tile_id_count = t.n;
    if (mrules[i].mode == NNRP_SUBMIT_REFERENCE) {
      bad.submit_mode = NNRP_SUBMIT_REFERENCE;
      bad.object_ref_mask = NNRP_REF_TILE_INDEX_BLOCK;
      bad.tile_index_reference = &rt;
    }
    nnrp_sink s;
    nnrp_sink_init_buffer(&s, pkt, sizeof pkt);
    CHECK_RC(nnrp_build_frame_submit(&bad, &s), 0);
    engine_st32(pkt + NNRP_HEADER_LEN + mrules[i].off, mrules[i].value);
    size_t smark = p.s.sent.n, admitted = p.s.submits.n;
    CHECK_RC(engine_inject(&p, &p.s, pkt, s.len), 0);
    engine_collect(&p.s);
    if (engine_errors_since(&p.s, smark, NULL) != 1)
      fprintf(stderr, "  case: %s\n", mrules[i].what);
    CHECK_FRAME_ERROR(&p.s, smark, NNRP_ERROR_CODE_MALFORMED_BODY, crafted, 0);
    CHECK_EQ(p.s.submits.n, admitted);
    CHECK_EQ(nnrp_conn_in_flight(p.s.conn), 1);
    crafted++;
  }
  nnrp_result_push_input r;
  engine_result_input(&r, open, 0);
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  engine_flush(&p);
  nnrp_frame_outcome o;
  CHECK_EQ(engine_outcomes_of(&p.c, open, 0, &o), 1);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_DELIVERED);
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 0);
  engine_pair_free(&p);
}

/* ---- l1.result_push.message.parse_emit ---------------------------------------------------------
 */

/* Deliver the server's queued result and check the client's view of `id`: same bytes as the
 * server sent, re-emitted identically, DELIVERED once with the class. */
static const engine_result_rec *deliver_result(engine_pair *p, uint32_t id, uint8_t cls) {
  size_t smark = p->s.sent.n, cmark = p->c.sent.n;
  engine_flush(p);
  long at = engine_last_sent(&p->s, smark, NNRP_MSG_RESULT_PUSH, NULL);
  const engine_result_rec *r = engine_result_of(&p->c, id, 0);
  CHECK(at >= 0 && r != NULL);
  if (at < 0 || !r) return NULL;
  CHECK_MEM(r->raw, r->raw_len, p->s.sent.v[at].bytes, p->s.sent.v[at].len);
  CHECK_REEMIT(r->raw, r->raw_len, reemit_result);
  CHECK_EQ(r->meta.result_class, cls);
  nnrp_frame_outcome o;
  CHECK_EQ(engine_outcomes_of(&p->c, id, 0, &o), 1);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_DELIVERED);
  CHECK_EQ(o.result_class, cls);
  CHECK_EQ(engine_errors_since(&p->c, cmark, NULL), 0);
  return r;
}

static uint32_t submit_policy(engine_pair *p, uint8_t budget_policy) {
  nnrp_frame_submit_input in;
  engine_submit_input(&in);
  in.budget_policy = budget_policy;
  uint32_t id = 0;
  CHECK_RC(nnrp_conn_submit(p->c.conn, &in, 0, NULL, &id, p->now), 0);
  return id;
}

static void result_input_tensor(nnrp_result_push_input *in, uint32_t id, tensor *t) {
  engine_result_input(in, id, 0);
  in->tile_ids = t->ids;
  in->tile_id_count = t->n;
  in->sections = t->sec;
  in->section_count = t->nsec;
}

static void test_l1_result_push_message_parse_emit(void) {
  engine_pair p;
  nnrp_settings st = data_settings();
  CHECK_RC(engine_pair_init(&p, &st, &st, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  const uint8_t consent = NNRP_BUDGET_ALLOW_PARTIAL | NNRP_BUDGET_ALLOW_STALE_REUSE;
  uint32_t f1 = submit_policy(&p, consent), f2 = submit_policy(&p, consent);
  uint32_t f3 = submit_policy(&p, consent), f4 = submit_policy(&p, consent);
  engine_flush(&p);
  static const uint16_t sparse[4] = {2, 5, 9, 30}, dense[4] = {10, 11, 12, 13};
  static tensor t;
  tensor_make(&t, sparse, 4, 2);

  /* Results arrive out of order: partial first, then complete, then stale reuse. */
  nnrp_result_push_input r;
  result_input_tensor(&r, f2, &t);
  r.result_class = NNRP_RESULT_PARTIAL;
  r.result_flags = NNRP_RESULT_FLAG_PARTIAL;
  r.applied_budget_policy = NNRP_BUDGET_ALLOW_PARTIAL;
  r.covered_tile_count = 3;
  r.dropped_tile_count = 1;
  r.inference_ms = 7;
  r.queue_ms = 2;
  r.server_total_ms = 10;
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  const engine_result_rec *rec = deliver_result(&p, f2, NNRP_RESULT_PARTIAL);
  if (rec) {
    CHECK_EQ(rec->meta.covered_tile_count, 3); /* the host sees the coverage */
    CHECK_EQ(rec->meta.dropped_tile_count, 1);
    CHECK_EQ(rec->meta.tile_count, 4);
    CHECK_EQ(rec->meta.result_flags, NNRP_RESULT_FLAG_PARTIAL);
    CHECK_EQ(rec->meta.server_total_ms, 10);
    CHECK_EQ(rec->policy_violation, 0);
    /* Tile index and section bytes unchanged. */
    nnrp_packet pk;
    CHECK_RC(nnrp_packet_decode(&pk, rec->raw, rec->raw_len, NULL, NULL), 0);
    parsed *x = calloc(1, sizeof *x);
    CHECK_EQ(parsed_ids(x, &pk.data, NNRP_DATA_REF_TILE_INDEX, NNRP_TILE_RAW_U16, 4, 0), 4);
    CHECK_EQ(memcmp(x->ids, sparse, sizeof sparse), 0);
    CHECK_EQ(parsed_sections(x, &pk.data), 2);
    for (size_t k = 0; k < 4; k++)
      CHECK_MEM(x->tiles[0][k].base, x->tiles[0][k].len, t.bytes[0][k], t.tiles[0][k].len);
    free(x);
  }
  result_input_tensor(&r, f1, &t);
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  deliver_result(&p, f1, NNRP_RESULT_COMPLETE);
  tensor_make(&t, dense, 4, 1);
  result_input_tensor(&r, f3, &t);
  r.tile_index_mode = NNRP_TILE_DENSE_RANGE;
  r.tile_base_id = 10;
  r.result_class = NNRP_RESULT_STALE_REUSE;
  r.result_flags = NNRP_RESULT_FLAG_STALE;
  r.applied_budget_policy = NNRP_BUDGET_ALLOW_STALE_REUSE;
  r.reused_frame_id = f1;
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  rec = deliver_result(&p, f3, NNRP_RESULT_STALE_REUSE);
  if (rec) {
    CHECK_EQ(rec->meta.reused_frame_id, f1); /* the host sees the reuse relation */
    CHECK_EQ(rec->meta.tile_index_bytes, 0);
    CHECK_EQ(rec->meta.tile_base_id, 10);
    CHECK_EQ(rec->meta.covered_tile_count, 4);
  }

  /* Coverage rules C2-C5 at the server: refused before anything is queued; the frame stays
   * open and a correct result still goes out. */
  tensor_make(&t, sparse, 4, 1);
  struct {
    long covered, dropped;
    uint8_t cls;
    uint16_t flags;
    int err;
  } cov[] = {
      {5, 0, NNRP_RESULT_COMPLETE, 0, NNRP_ERR_COVERAGE_COVERED},
      {0, 5, NNRP_RESULT_COMPLETE, 0, NNRP_ERR_COVERAGE_DROPPED},
      {2, 1, NNRP_RESULT_COMPLETE, 0, NNRP_ERR_COVERAGE_SUM},
      {4, 0, NNRP_RESULT_PARTIAL, 0, NNRP_ERR_COVERAGE_PARTIAL},
      {4, 0, NNRP_RESULT_COMPLETE, NNRP_RESULT_FLAG_PARTIAL, NNRP_ERR_COVERAGE_PARTIAL},
  };
  for (size_t i = 0; i < sizeof cov / sizeof cov[0]; i++) {
    size_t smark = p.s.sent.n;
    result_input_tensor(&r, f4, &t);
    r.covered_tile_count = cov[i].covered;
    r.dropped_tile_count = cov[i].dropped;
    r.result_class = cov[i].cls;
    r.result_flags = cov[i].flags;
    r.applied_budget_policy = cov[i].cls == NNRP_RESULT_PARTIAL ? NNRP_BUDGET_ALLOW_PARTIAL : 0;
    CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), cov[i].err);
    engine_collect(&p.s);
    CHECK_SILENT(&p.s, smark);
    nnrp_frame_info fi;
    CHECK_RC(nnrp_conn_frame_info(p.s.conn, f4, 0, &fi), 0);
  }
  CHECK_EQ(engine_outcomes_of(&p.s, f4, 0, NULL), 0);
  result_input_tensor(&r, f4, &t);
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  deliver_result(&p, f4, NNRP_RESULT_COMPLETE);

  /* The same rules on receipt (a peer that does not check): the frame is DROPPED with the
   * local error, the client answers ERROR malformed_body (frame scope), no result reaches the
   * host, and a frame beside it is not disturbed. */
  struct {
    size_t off;
    uint16_t value;
    uint8_t cls;
    int err;
  } recv_cov[] = {
      {52, 5, NNRP_RESULT_COMPLETE, NNRP_ERR_COVERAGE_COVERED},
      {52, 2, NNRP_RESULT_COMPLETE, NNRP_ERR_COVERAGE_SUM},
      {54, 5, NNRP_RESULT_COMPLETE, NNRP_ERR_COVERAGE_DROPPED},
      {54, 0, NNRP_RESULT_PARTIAL, NNRP_ERR_COVERAGE_PARTIAL},
  };
  uint32_t beside = submit_policy(&p, consent);
  for (size_t i = 0; i < sizeof recv_cov / sizeof recv_cov[0]; i++) {
    uint32_t f = submit_policy(&p, consent);
    engine_flush(&p);
    static uint8_t pkt[4096];
    nnrp_sink s;
    nnrp_sink_init_buffer(&s, pkt, sizeof pkt);
    result_input_tensor(&r, f, &t);
    r.packet.session_id = nnrp_conn_session_id(p.c.conn);
    if (recv_cov[i].cls == NNRP_RESULT_PARTIAL) {
      r.result_class = NNRP_RESULT_PARTIAL;
      r.covered_tile_count = 3;
      r.dropped_tile_count = 1;
    }
    CHECK_RC(nnrp_build_result_push(&r, &s), 0);
    if (recv_cov[i].cls == NNRP_RESULT_PARTIAL) {
      engine_st16(pkt + NNRP_HEADER_LEN + 52, 4); /* covered 4 + dropped 0: C4 holds, C5 not */
    }
    engine_st16(pkt + NNRP_HEADER_LEN + recv_cov[i].off, recv_cov[i].value);
    size_t cmark = p.c.sent.n, results = p.c.results.n;
    CHECK_RC(engine_inject(&p, &p.c, pkt, s.len), 0);
    engine_collect(&p.c);
    CHECK_FRAME_ERROR(&p.c, cmark, NNRP_ERROR_CODE_MALFORMED_BODY, f, 0);
    CHECK_EQ(p.c.results.n, results);
    nnrp_frame_outcome o;
    CHECK_EQ(engine_outcomes_of(&p.c, f, 0, &o), 1);
    CHECK_EQ(o.outcome, NNRP_OUTCOME_DROPPED);
    CHECK_EQ(o.cause, NNRP_CAUSE_LOCAL_ERROR);
    CHECK_EQ(o.local_error, recv_cov[i].err);
    CHECK_EQ(engine_outcomes_of(&p.c, beside, 0, NULL), 0);
    CHECK_RC(nnrp_conn_send_drop(p.s.conn, f, 0, NNRP_DROP_UNKNOWN, 0, p.now), 0);
    engine_flush(&p); /* the late drop of a finished frame is discarded quietly */
    CHECK_EQ(engine_outcomes_of(&p.c, f, 0, NULL), 1);
  }
  result_input_tensor(&r, beside, &t);
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  deliver_result(&p, beside, NNRP_RESULT_COMPLETE);
  CHECK_EQ(nnrp_conn_in_flight(p.c.conn), 0);
  engine_pair_free(&p);
}

/* ---- l1.result_push.object_reference.resolve ---------------------------------------------------
 */

static void test_l1_result_push_object_reference_resolve(void) {
  engine_pair p;
  nnrp_settings st = data_settings();
  CHECK_RC(engine_pair_init(&p, &st, &st, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);

  /* The server installs result-side objects in the client's cache. */
  static const uint8_t obj[24] = "reusable result object";
  static const uint8_t tix[8] = {2, 0, 5, 0, 9, 0, 30, 0};
  CHECK(install(&p, &p.s, put_meta(50, NNRP_OBJECT_REUSABLE_RESULT_OBJECT), obj, sizeof obj));
  CHECK(install(&p, &p.s, put_meta(51, NNRP_OBJECT_TILE_INDEX_BLOCK), tix, sizeof tix));
  CHECK_EQ(p.c.cache_puts.n, 2);
  nnrp_object_ref r50 = ref_of(50, NNRP_OBJECT_REUSABLE_RESULT_OBJECT);
  nnrp_object_ref r51 = ref_of(51, NNRP_OBJECT_TILE_INDEX_BLOCK);
  nnrp_vec got;
  CHECK_RC(nnrp_conn_cache_lookup(p.c.conn, &r50, p.now, &got), 0);

  uint32_t f1 = submit_policy(&p, NNRP_BUDGET_ALLOW_PARTIAL);
  uint32_t f2 = submit_policy(&p, NNRP_BUDGET_ALLOW_PARTIAL);
  uint32_t f3 = submit_policy(&p, 0), f4 = submit_policy(&p, 0);
  engine_flush(&p);

  /* A composite (region body) result with one reference: resolved for the host. */
  nnrp_result_push_input r;
  engine_result_input(&r, f1, 0);
  r.references = &r50;
  r.reference_count = 1;
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  const engine_result_rec *rec = deliver_result(&p, f1, NNRP_RESULT_COMPLETE);
  if (rec) {
    CHECK_EQ(rec->object_count, 1);
    CHECK_EQ(rec->objects[0].ref.object_kind, NNRP_OBJECT_REUSABLE_RESULT_OBJECT);
    CHECK_EQ(rec->objects[0].ref.cache_key_lo, 50);
    CHECK_MEM(rec->objects[0].bytes, rec->objects[0].len, obj, sizeof obj);
  }

  /* A partial result whose tile index is referenced, with a second reference beside it. */
  static tensor t;
  static const uint16_t sparse[4] = {2, 5, 9, 30};
  tensor_make(&t, sparse, 4, 1);
  nnrp_object_ref refs[2] = {r51, r50};
  if (refs[0].object_kind > refs[1].object_kind) { /* R1: sorted by kind */
    nnrp_object_ref tmp = refs[0];
    refs[0] = refs[1];
    refs[1] = tmp;
  }
  result_input_tensor(&r, f2, &t);
  r.references = refs;
  r.reference_count = 2;
  r.result_class = NNRP_RESULT_PARTIAL;
  r.result_flags = NNRP_RESULT_FLAG_PARTIAL;
  r.applied_budget_policy = NNRP_BUDGET_ALLOW_PARTIAL;
  r.covered_tile_count = 2;
  r.dropped_tile_count = 2;
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  rec = deliver_result(&p, f2, NNRP_RESULT_PARTIAL);
  if (rec) {
    CHECK_EQ(rec->object_count, 2);
    int tiles = 0, other = 0;
    for (size_t i = 0; i < rec->object_count && i < 4; i++) {
      if (rec->objects[i].ref.object_kind == NNRP_OBJECT_TILE_INDEX_BLOCK)
        tiles = rec->objects[i].len == sizeof tix &&
                memcmp(rec->objects[i].bytes, tix, sizeof tix) == 0;
      if (rec->objects[i].ref.object_kind == NNRP_OBJECT_REUSABLE_RESULT_OBJECT)
        other = rec->objects[i].len == sizeof obj;
    }
    CHECK(tiles && other);
    CHECK_EQ(rec->meta.tile_index_bytes, 0);
    CHECK_EQ(rec->meta.dropped_tile_count, 2);
  }

  /* A reference to a key the client does not hold: rejected, never a silent fallback. */
  nnrp_object_ref missing = ref_of(99, NNRP_OBJECT_REUSABLE_RESULT_OBJECT);
  engine_result_input(&r, f3, 0);
  r.references = &missing;
  r.reference_count = 1;
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  size_t cmark = p.c.sent.n, results = p.c.results.n;
  engine_flush(&p);
  CHECK_EQ(p.c.results.n, results);
  CHECK_FRAME_ERROR(&p.c, cmark, NNRP_ERROR_CODE_CACHE_MISS, f3, 0);
  nnrp_frame_outcome o;
  CHECK_EQ(engine_outcomes_of(&p.c, f3, 0, &o), 1);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_DROPPED);
  CHECK_EQ(o.cause, NNRP_CAUSE_LOCAL_ERROR);
  CHECK_EQ(o.local_error, NNRP_ERR_CACHE_MISS);
  CHECK(nnrp_conn_counters_get(p.c.conn)->cache_misses >= 1);
  /* Nor after an invalidation by the installer. */
  nnrp_cache_invalidate_meta inv = {NNRP_CACHE_SCOPE_OBJECT_KEY, 1, 0xAB, 50, 0};
  CHECK_RC(nnrp_conn_cache_invalidate(p.s.conn, &inv, p.now), 0);
  engine_flush(&p);
  CHECK_RC(nnrp_conn_cache_lookup(p.c.conn, &r50, p.now, &got), NNRP_ERR_CACHE_MISS);
  engine_result_input(&r, f4, 0);
  r.references = &r50;
  r.reference_count = 1;
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  cmark = p.c.sent.n;
  engine_flush(&p);
  CHECK_FRAME_ERROR(&p.c, cmark, NNRP_ERROR_CODE_CACHE_MISS, f4, 0);
  CHECK_EQ(engine_outcomes_of(&p.c, f4, 0, &o), 1);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_DROPPED);
  CHECK_EQ(nnrp_conn_state(p.c.conn), NNRP_STATE_ACTIVE);
  engine_pair_free(&p);
}

/* ---- l1.typed_payload.region.pack
 * ----------------------------------------------------------------- */

typedef struct typed_set {
  nnrp_typed_frame f[8];
  size_t n;
} typed_set;

static void typed_add(typed_set *s, uint8_t kind, uint16_t profile, const char *text) {
  nnrp_typed_frame *f = &s->f[s->n++];
  memset(f, 0, sizeof *f);
  f->payload_kind = kind;
  f->profile_id = profile;
  f->payload.base = (const uint8_t *)text;
  f->payload.len = strlen(text);
}

/* The typed frames of a data body are exactly `want`, in order, kind, profile and bytes. */
static void check_typed(const uint8_t *raw, size_t len, const typed_set *want) {
  nnrp_packet pk;
  CHECK_RC(nnrp_packet_decode(&pk, raw, len, NULL, NULL), 0);
  CHECK_EQ(pk.data.typed_frame_count, want->n);
  for (size_t i = 0; i < want->n && i < pk.data.typed_frame_count; i++) {
    nnrp_typed_frame f;
    nnrp_data_body_typed_frame(&pk.data, i, &f);
    CHECK_EQ(f.payload_kind, want->f[i].payload_kind);
    CHECK_EQ(f.profile_id, want->f[i].profile_id);
    CHECK_EQ(f.descriptor_flags, 0);
    CHECK_MEM(f.payload.base, f.payload.len, want->f[i].payload.base, want->f[i].payload.len);
  }
}

static void test_l1_typed_payload_region_pack(void) {
  engine_pair p;
  nnrp_settings st = data_settings();
  CHECK_RC(engine_pair_init(&p, &st, &st, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  const nnrp_negotiated *neg = nnrp_conn_negotiated(p.c.conn);
  CHECK(neg && neg->ack.accepted_payload_kind_bitmap == NNRP_PAYLOAD_KNOWN);

  /* Every typed kind, with profiles, in one FRAME_SUBMIT. */
  typed_set sub = {.n = 0};
  typed_add(&sub, NNRP_PAYLOAD_TOKEN_CHUNK, 1, "hello");
  typed_add(&sub, NNRP_PAYLOAD_AUDIO_CHUNK, 2, "\x01\x02\x03\x04pcm-bytes");
  typed_add(&sub, NNRP_PAYLOAD_TOKEN_CHUNK, 2, " world");
  typed_add(&sub, NNRP_PAYLOAD_VIDEO_CHUNK, 0, "annexb-nal-units");
  typed_add(&sub, NNRP_PAYLOAD_STRUCTURED_EVENT, 5, "{\"event\":\"click\",\"x\":12}");
  typed_add(&sub, NNRP_PAYLOAD_TOOL_DELTA, 3, "{\"tool\":\"search\",\"arg\":\"n\"}");
  typed_add(&sub, NNRP_PAYLOAD_OPAQUE_BYTES, 7, "\xff\xfe opaque");
  nnrp_frame_submit_input in;
  nnrp_frame_submit_input_init(&in);
  in.frames = sub.f;
  in.frame_count = sub.n;
  uint32_t id = submit_and_check(&p, &in);
  const engine_submit_rec *srec = engine_submit_of(&p.s, id, 0);
  if (srec) {
    CHECK_EQ(srec->meta.payload_kind_bitmap, NNRP_PAYLOAD_KNOWN & ~NNRP_PAYLOAD_TENSOR);
    CHECK_EQ(srec->meta.payload_frame_count, sub.n);
    check_typed(srec->raw, srec->raw_len, &sub);
    nnrp_packet pk;
    CHECK_RC(nnrp_packet_decode(&pk, srec->raw, srec->raw_len, NULL, NULL), 0);
    size_t count, bytes;
    nnrp_result_typed_group(&pk.data, NNRP_PAYLOAD_TOKEN_CHUNK, -1, &count, &bytes);
    CHECK_EQ(count, 2);
    CHECK_EQ(bytes, 11);
    nnrp_result_typed_group(&pk.data, NNRP_PAYLOAD_TOKEN_CHUNK, 2, &count, &bytes);
    CHECK_EQ(count, 1);
    nnrp_result_typed_group(&pk.data, 0, 2, &count, &bytes);
    CHECK_EQ(count, 2); /* audio and the second token chunk */
    nnrp_result_typed_group(&pk.data, 0, -1, &count, &bytes);
    CHECK_EQ(count, sub.n);
  }

  /* A typed RESULT_PUSH back: the client reads the same frames per kind and profile. */
  typed_set res = {.n = 0};
  typed_add(&res, NNRP_PAYLOAD_TOKEN_CHUNK, 1, "answer: 42");
  typed_add(&res, NNRP_PAYLOAD_STRUCTURED_EVENT, 5, "{\"done\":true}");
  nnrp_result_push_input r;
  engine_result_input(&r, id, 0);
  r.frames = res.f;
  r.frame_count = res.n;
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  const engine_result_rec *rec = deliver_result(&p, id, NNRP_RESULT_COMPLETE);
  if (rec) {
    CHECK_EQ(rec->meta.payload_kind_bitmap,
             NNRP_PAYLOAD_TOKEN_CHUNK | NNRP_PAYLOAD_STRUCTURED_EVENT);
    CHECK_EQ(rec->meta.payload_frame_count, 2);
    CHECK_EQ(rec->meta.covered_tile_count, 0);
    check_typed(rec->raw, rec->raw_len, &res);
  }

  /* Mixed: tensor content and typed frames in one message, both ways. */
  static tensor t;
  static const uint16_t ids[2] = {4, 7};
  tensor_make(&t, ids, 2, 1);
  typed_set mix = {.n = 0};
  typed_add(&mix, NNRP_PAYLOAD_TOKEN_CHUNK, 9, "caption");
  engine_submit_input(&in);
  in.tile_ids = t.ids;
  in.tile_id_count = t.n;
  in.sections = t.sec;
  in.section_count = t.nsec;
  in.frames = mix.f;
  in.frame_count = mix.n;
  id = submit_and_check(&p, &in);
  srec = engine_submit_of(&p.s, id, 0);
  if (srec) {
    CHECK_EQ(srec->meta.payload_kind_bitmap, NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_TOKEN_CHUNK);
    CHECK_EQ(srec->meta.section_count, 1);
    check_typed(srec->raw, srec->raw_len, &mix);
  }
  result_input_tensor(&r, id, &t);
  r.frames = mix.f;
  r.frame_count = mix.n;
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  rec = deliver_result(&p, id, NNRP_RESULT_COMPLETE);
  if (rec) {
    CHECK_EQ(rec->meta.payload_kind_bitmap, NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_TOKEN_CHUNK);
    CHECK_EQ(rec->meta.tile_count, 2);
    check_typed(rec->raw, rec->raw_len, &mix);
  }
  engine_pair_free(&p);

  /* A kind outside the negotiated set is refused by the server (frame scope). */
  st = data_settings();
  st.client.hello.supported_payload_kind_bitmap = NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_TOKEN_CHUNK;
  CHECK_RC(engine_pair_init(&p, &st, &st, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  typed_set audio = {.n = 0};
  typed_add(&audio, NNRP_PAYLOAD_AUDIO_CHUNK, 0, "pcm");
  nnrp_frame_submit_input_init(&in);
  in.packet.session_id = nnrp_conn_session_id(p.s.conn);
  in.packet.frame_id = 5;
  in.frames = audio.f;
  in.frame_count = audio.n;
  static uint8_t pkt[1024];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, pkt, sizeof pkt);
  CHECK_RC(nnrp_build_frame_submit_typed(&in, &s), 0);
  size_t smark = p.s.sent.n;
  CHECK_RC(engine_inject(&p, &p.s, pkt, s.len), 0);
  engine_collect(&p.s);
  CHECK_FRAME_ERROR(&p.s, smark, NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY, 5, 0);
  CHECK_EQ(p.s.submits.n, 0);
  engine_pair_free(&p);
}

/* ---- l1.result_push.degraded_semantics ---------------------------------------------------------
 */

static void test_l1_result_push_degraded_semantics(void) {
  engine_pair p;
  nnrp_settings st = data_settings();
  CHECK_RC(engine_pair_init(&p, &st, &st, NULL), 0);
  CHECK_RC(engine_handshake(&p), 0);
  uint32_t a = submit_policy(&p, NNRP_BUDGET_ALLOW_DEGRADED);
  uint32_t b = submit_policy(&p, NNRP_BUDGET_ALLOW_DEGRADED);
  uint32_t c = submit_policy(&p, 0);
  engine_flush(&p);

  /* Degraded: a displayable result carrying ALLOW_DEGRADED. */
  nnrp_result_push_input r;
  engine_result_input(&r, a, 0);
  r.result_class = NNRP_RESULT_DEGRADED;
  r.result_flags = NNRP_RESULT_FLAG_FALLBACK;
  r.applied_budget_policy = NNRP_BUDGET_ALLOW_DEGRADED;
  r.status_code = 1;
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), 0);
  /* A drop: nothing to display. */
  CHECK_RC(nnrp_conn_send_drop(p.s.conn, b, 0, NNRP_DROP_UNKNOWN, 0, p.now), 0);
  engine_flush(&p);
  /* Degraded without the frame's consent: refused by the server engine, nothing sent. */
  size_t smark = p.s.sent.n;
  engine_result_input(&r, c, 0);
  r.result_class = NNRP_RESULT_DEGRADED;
  r.applied_budget_policy = NNRP_BUDGET_ALLOW_DEGRADED;
  CHECK_RC(nnrp_conn_send_result(p.s.conn, &r, 0, p.now), NNRP_ERR_BUDGET_POLICY);
  engine_collect(&p.s);
  CHECK_SILENT(&p.s, smark);
  nnrp_frame_info fi;
  CHECK_RC(nnrp_conn_frame_info(p.s.conn, c, 0, &fi), 0);

  const engine_result_rec *rec = engine_result_of(&p.c, a, 0);
  CHECK(rec != NULL);
  if (rec) {
    CHECK_EQ(rec->meta.result_class, NNRP_RESULT_DEGRADED);
    CHECK_EQ(rec->meta.applied_budget_policy, NNRP_BUDGET_ALLOW_DEGRADED);
    CHECK_EQ(rec->meta.result_flags, NNRP_RESULT_FLAG_FALLBACK);
    CHECK_EQ(rec->meta.status_code, 1);
    CHECK_EQ(rec->budget_policy, NNRP_BUDGET_ALLOW_DEGRADED);
    CHECK_EQ(rec->policy_violation, 0);
  }
  nnrp_frame_outcome o;
  CHECK_EQ(engine_outcomes_of(&p.c, a, 0, &o), 1);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_DELIVERED);
  CHECK_EQ(o.result_class, NNRP_RESULT_DEGRADED);
  CHECK(engine_result_of(&p.c, b, 0) == NULL);
  CHECK_EQ(engine_outcomes_of(&p.c, b, 0, &o), 1);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_DROPPED);
  const nnrp_conn_counters *k = nnrp_conn_counters_get(p.c.conn);
  CHECK_EQ(k->frames_delivered, 1);
  CHECK_EQ(k->frames_dropped, 1);

  /* A peer that sends degraded without consent: still delivered and displayable, but the
   * host is told the policy was violated (§3.5). */
  static uint8_t pkt[1024];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, pkt, sizeof pkt);
  engine_result_input(&r, c, 0);
  r.packet.session_id = nnrp_conn_session_id(p.c.conn);
  CHECK_RC(nnrp_build_result_push_degraded(&r, &s), 0);
  CHECK_RC(engine_inject(&p, &p.c, pkt, s.len), 0);
  rec = engine_result_of(&p.c, c, 0);
  CHECK(rec != NULL);
  if (rec) {
    CHECK_EQ(rec->meta.result_class, NNRP_RESULT_DEGRADED);
    CHECK(rec->policy_violation & NNRP_VIOLATION_BUDGET_POLICY);
  }
  CHECK_EQ(engine_outcomes_of(&p.c, c, 0, &o), 1);
  CHECK_EQ(o.outcome, NNRP_OUTCOME_DELIVERED);
  CHECK_EQ(o.result_class, NNRP_RESULT_DEGRADED);
  engine_pair_free(&p);
}

int main(void) {
  RUN_CASE(test_l1_frame_submit_message_parse_emit, "l1.frame_submit.message.parse_emit");
  RUN_CASE(test_l1_result_push_message_parse_emit, "l1.result_push.message.parse_emit");
  RUN_CASE(test_l1_result_push_object_reference_resolve, "l1.result_push.object_reference.resolve");
  RUN_CASE(test_l1_typed_payload_region_pack, "l1.typed_payload.region.pack");
  RUN_CASE(test_l1_result_push_degraded_semantics, "l1.result_push.degraded_semantics");
  return TEST_REPORT();
}
