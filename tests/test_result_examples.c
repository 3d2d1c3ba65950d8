/*
 * Every result-builder call of builder-examples.json (nnrp-py's build_result_push_packet, its
 * partial / stale-reuse / degraded wrappers, the typed and the mixed builder) rebuilt from its
 * inputs: same bytes, same bytes through a scatter-gather sink, and the packet decodes back to
 * the inputs.
 */
#include <ctype.h>
#include <jansson.h>
#include <libnnrp/wire.h>

#include "result_check.h"
#include "test.h"

/* JSON with integers beyond int64 (u64 maxima) quoted, so that jansson keeps them. */
static json_t *load_json(const char *name) {
  size_t len, o = 0;
  uint8_t *text = test_read_file(test_vector_path(name), &len);
  if (!text) return NULL;
  char *q = malloc(2 * len + 1);
  int in_string = 0;
  for (size_t i = 0; i < len;) {
    char c = (char)text[i];
    if (in_string) {
      q[o++] = c;
      if (c == '\\' && i + 1 < len) q[o++] = (char)text[++i];
      else if (c == '"') in_string = 0;
      i++;
    } else if (isdigit((unsigned char)c)) {
      size_t j = i;
      while (j < len && isdigit(text[j])) j++;
      int big = j - i >= 19;
      if (big) q[o++] = '"';
      memcpy(q + o, text + i, j - i);
      o += j - i;
      if (big) q[o++] = '"';
      i = j;
    } else {
      in_string = c == '"';
      q[o++] = c;
      i++;
    }
  }
  json_error_t err;
  json_t *root = json_loadb(q, o, 0, &err);
  free(q);
  free(text);
  return root;
}

/* Memory of one example, freed together. */
typedef struct arena {
  void *p[256];
  size_t n;
} arena;

static void *arena_alloc(arena *a, size_t n) {
  void *p = calloc(1, n ? n : 1);
  if (a->n < 256) a->p[a->n++] = p;
  return p;
}

static void arena_free(arena *a) {
  while (a->n) free(a->p[--a->n]);
}

static uint64_t jnum(const json_t *v) {
  if (json_is_object(v)) return jnum(json_object_get(v, "value"));
  if (json_is_string(v)) return strtoull(json_string_value(v), NULL, 10);
  return (uint64_t)json_integer_value(v);
}

static const json_t *jfields(const json_t *v) {
  const json_t *f = json_object_get(v, "fields");
  return f ? f : v;
}

static nnrp_vec jbytes(arena *a, const json_t *v) {
  const char *hex = json_string_value(json_object_get(v, "hex"));
  size_t n = 0;
  uint8_t *p = hex ? test_hex_decode(hex, &n) : NULL;
  if (p && a->n < 256) a->p[a->n++] = p;
  return (nnrp_vec){p, n};
}

static void jsection(arena *a, const json_t *v, nnrp_tensor_section_data *s) {
  const json_t *f = jfields(v);
  const json_t *pays = json_object_get(f, "tile_payloads");
  const json_t *codecs = json_object_get(f, "codec_ids");
  memset(s, 0, sizeof(*s));
  s->role_id = (uint16_t)jnum(json_object_get(f, "role_id"));
  s->default_codec_id = (uint8_t)jnum(json_object_get(f, "default_codec_id"));
  s->dtype_id = (uint8_t)jnum(json_object_get(f, "dtype_id"));
  s->layout_id = (uint8_t)jnum(json_object_get(f, "layout_id"));
  s->scale_policy = (uint8_t)jnum(json_object_get(f, "scale_policy"));
  s->payload_stride_bytes = (uint32_t)jnum(json_object_get(f, "payload_stride_bytes"));
  s->element_count_per_tile = (uint32_t)jnum(json_object_get(f, "element_count_per_tile"));
  nnrp_vec *tp = arena_alloc(a, json_array_size(pays) * sizeof(nnrp_vec));
  for (size_t i = 0; i < json_array_size(pays); i++) tp[i] = jbytes(a, json_array_get(pays, i));
  s->tile_payloads = tp;
  s->tile_payload_count = json_array_size(pays);
  if (json_array_size(codecs)) {
    uint8_t *ids = arena_alloc(a, json_array_size(codecs));
    for (size_t i = 0; i < json_array_size(codecs); i++)
      ids[i] = (uint8_t)jnum(json_array_get(codecs, i));
    s->codec_ids = ids;
    s->codec_id_count = json_array_size(codecs);
  }
}

/* Map the inputs of one example; returns 0 when a key is unknown. */
static int map_inputs(arena *a, const json_t *inputs, nnrp_result_push_input *in) {
  const char *key;
  const json_t *v;
  nnrp_result_push_input_init(in);
  json_object_foreach((json_t *)inputs, key, v) {
    uint64_t n = json_is_array(v) ? 0 : jnum(v);
    if (!strcmp(key, "session_id")) in->packet.session_id = (uint32_t)n;
    else if (!strcmp(key, "frame_id")) in->packet.frame_id = (uint32_t)n;
    else if (!strcmp(key, "view_id")) in->packet.view_id = (uint16_t)n;
    else if (!strcmp(key, "route_id")) in->packet.route_id = (uint16_t)n;
    else if (!strcmp(key, "trace_id")) in->packet.trace_id = n;
    else if (!strcmp(key, "flags")) in->packet.flags = (uint32_t)n;
    else if (!strcmp(key, "result_flags")) in->result_flags = (uint16_t)n;
    else if (!strcmp(key, "active_profile_id")) in->active_profile_id = (uint16_t)n;
    else if (!strcmp(key, "inference_ms")) in->inference_ms = (uint16_t)n;
    else if (!strcmp(key, "queue_ms")) in->queue_ms = (uint16_t)n;
    else if (!strcmp(key, "server_total_ms")) in->server_total_ms = (uint16_t)n;
    else if (!strcmp(key, "status_code")) in->status_code = (uint16_t)n;
    else if (!strcmp(key, "tile_index_mode")) in->tile_index_mode = (uint8_t)n;
    else if (!strcmp(key, "tile_base_id")) in->tile_base_id = (uint32_t)n;
    else if (!strcmp(key, "result_class")) in->result_class = (uint8_t)n;
    else if (!strcmp(key, "applied_budget_policy")) in->applied_budget_policy = (uint8_t)n;
    else if (!strcmp(key, "reused_frame_id")) in->reused_frame_id = (uint32_t)n;
    else if (!strcmp(key, "covered_tile_count")) in->covered_tile_count = (long)n;
    else if (!strcmp(key, "dropped_tile_count")) in->dropped_tile_count = (long)n;
    else if (!strcmp(key, "payload_kind_bitmap")) in->payload_kind_bitmap = (uint32_t)n;
    else if (!strcmp(key, "payload_frame_count")) in->payload_frame_count = (uint16_t)n;
    else if (!strcmp(key, "tile_ids")) {
      uint16_t *ids = arena_alloc(a, json_array_size(v) * sizeof(uint16_t));
      for (size_t i = 0; i < json_array_size(v); i++) ids[i] = (uint16_t)jnum(json_array_get(v, i));
      in->tile_ids = ids;
      in->tile_id_count = json_array_size(v);
    } else if (!strcmp(key, "sections")) {
      nnrp_tensor_section_data *s = arena_alloc(a, json_array_size(v) * sizeof(*s));
      for (size_t i = 0; i < json_array_size(v); i++) jsection(a, json_array_get(v, i), &s[i]);
      in->sections = s;
      in->section_count = json_array_size(v);
    } else if (!strcmp(key, "frames")) {
      nnrp_typed_frame *f = arena_alloc(a, json_array_size(v) * sizeof(*f));
      for (size_t i = 0; i < json_array_size(v); i++) {
        const json_t *ff = jfields(json_array_get(v, i));
        f[i].payload_kind = (uint8_t)jnum(json_object_get(ff, "payload_kind"));
        f[i].descriptor_flags = (uint8_t)jnum(json_object_get(ff, "descriptor_flags"));
        f[i].profile_id = (uint16_t)jnum(json_object_get(ff, "profile_id"));
        f[i].payload = jbytes(a, json_object_get(ff, "payload"));
      }
      in->frames = f;
      in->frame_count = json_array_size(v);
    } else {
      fprintf(stderr, "  unmapped input %s\n", key);
      return 0;
    }
  }
  return 1;
}

static const struct {
  const char *name;
  builder_fn fn;
} BUILDERS[] = {
    {"build_result_push_packet", nnrp_build_result_push},
    {"build_partial_result_push_packet", nnrp_build_result_push_partial},
    {"build_stale_reuse_result_push_packet", nnrp_build_result_push_stale_reuse},
    {"build_degraded_result_push_packet", nnrp_build_result_push_degraded},
    {"build_result_push_typed_payload_packet", nnrp_build_result_push_typed},
    {"build_result_push_mixed_packet", nnrp_build_result_push_mixed},
};

static void test_builder_examples(void) {
  json_t *root = load_json("builder-examples.json");
  CHECK(root != NULL);
  if (!root) return;
  size_t i, seen[6] = {0};
  json_t *e;
  json_array_foreach(json_object_get(root, "examples"), i, e) {
    const char *builder = json_string_value(json_object_get(e, "builder"));
    size_t k = 0;
    while (k < 6 && strcmp(BUILDERS[k].name, builder)) k++;
    if (k == 6) continue;
    seen[k]++;
    arena a = {.n = 0};
    nnrp_result_push_input in;
    size_t n;
    uint8_t *expect = test_hex_decode(json_string_value(json_object_get(e, "hex")), &n);
    const char *name = json_string_value(json_object_get(e, "name"));
    int before = test_failures;
    CHECK(map_inputs(&a, json_object_get(e, "inputs"), &in));
    nnrp_result_push_meta m;
    nnrp_data_body b;
    build_and_check(BUILDERS[k].fn, &in, expect, n, &m, &b);
    /* The decoded body gives the input tile ids back. */
    if (b.present & NNRP_DATA_HAS_TILE_INDEX) {
      nnrp_tile_iter it;
      uint32_t id;
      size_t count = 0;
      nnrp_tile_iter_init(&it, b.tile_index.base, b.tile_index.len, nnrp_result_tile_mode(&m),
                          m.tile_count, m.tile_base_id);
      while (nnrp_tile_iter_next(&it, &id)) {
        if (count < in.tile_id_count) CHECK_EQ(id, in.tile_ids[count]);
        count++;
      }
      CHECK_EQ(count, in.tile_id_count);
    }
    CHECK_EQ(m.inference_ms, in.inference_ms);
    CHECK_EQ(m.status_code, in.status_code);
    CHECK_EQ(m.section_count, in.section_count);
    const char *family = json_string_value(json_object_get(e, "body_family"));
    if (family)
      CHECK_EQ(b.family, !strcmp(family, "empty")    ? NNRP_BODY_EMPTY
                         : !strcmp(family, "legacy") ? NNRP_BODY_LEGACY
                                                     : NNRP_BODY_REGION);
    if (test_failures != before) fprintf(stderr, "  in example %s\n", name);
    free(expect);
    arena_free(&a);
  }
  for (size_t k = 0; k < 6; k++) CHECK(seen[k] >= 1);
  json_decref(root);
}

int main(void) {
  RUN(test_builder_examples);
  return TEST_REPORT();
}
