/* Helpers shared by the replay exporters (wire-data §13.1). */
#include <string.h>

#include "replay_int.h"

#define ALIGN 8u

void nnrpi_arena_init(nnrpi_arena *a, void *base, size_t cap) {
  a->base = base;
  a->cap = base ? cap : 0;
  a->used = 0;
  a->overflow = 0;
  /* Carve from the first 8-aligned byte of the caller's buffer. */
  if (base) {
    size_t skew = (size_t)((uintptr_t)base % ALIGN);
    size_t skip = skew ? ALIGN - skew : 0;
    skip = skip < cap ? skip : cap;
    a->base += skip;
    a->cap -= skip;
  }
}

void *nnrpi_arena_take(nnrpi_arena *a, size_t count, size_t size) {
  if (a->overflow || (size && count > SIZE_MAX / size)) {
    a->overflow = 1;
    return NULL;
  }
  size_t n = count * size;
  size_t pad = (ALIGN - a->used % ALIGN) % ALIGN;
  if (n > SIZE_MAX - ALIGN || a->used > SIZE_MAX - ALIGN - n) {
    a->overflow = 1;
    return NULL;
  }
  size_t at = a->used + pad;
  a->used = at + n;
  if (!a->base || a->used > a->cap) return NULL;
  return a->base + at;
}

size_t nnrpi_arena_need(const nnrpi_arena *a) {
  if (a->overflow || a->used > SIZE_MAX - ALIGN) return SIZE_MAX;
  return a->used + ALIGN; /* the caller's buffer may start anywhere */
}

/* ---- ordering ------------------------------------------------------------------------------ */

static int order_less(const nnrpi_tile_order *a, const nnrpi_tile_order *b) {
  return a->id < b->id || (a->id == b->id && a->index < b->index);
}

static void order_sift(nnrpi_tile_order *o, size_t root, size_t end) {
  for (size_t child; (child = 2 * root + 1) < end; root = child) {
    if (child + 1 < end && order_less(&o[child], &o[child + 1])) child++;
    if (!order_less(&o[root], &o[child])) return;
    nnrpi_tile_order t = o[root];
    o[root] = o[child];
    o[child] = t;
  }
}

/* Heap sort: O(n log n) without extra memory; the (id, index) keys are distinct. */
void nnrpi_tile_order_sort(nnrpi_tile_order *o, size_t n) {
  for (size_t i = n / 2; i-- > 0;) order_sift(o, i, n);
  for (size_t end = n; end > 1;) {
    end--;
    nnrpi_tile_order t = o[0];
    o[0] = o[end];
    o[end] = t;
    order_sift(o, 0, end);
  }
}

static void u32_sift(uint32_t *v, size_t root, size_t end) {
  for (size_t child; (child = 2 * root + 1) < end; root = child) {
    if (child + 1 < end && v[child] < v[child + 1]) child++;
    if (v[root] >= v[child]) return;
    uint32_t t = v[root];
    v[root] = v[child];
    v[child] = t;
  }
}

void nnrpi_u32_sort(uint32_t *v, size_t n) {
  for (size_t i = n / 2; i-- > 0;) u32_sift(v, i, n);
  for (size_t end = n; end > 1;) {
    end--;
    uint32_t t = v[0];
    v[0] = v[end];
    v[end] = t;
    u32_sift(v, 0, end);
  }
}

uint64_t nnrpi_tiles_per_row(uint64_t src_width, uint64_t tile_size) {
  uint64_t n = src_width / tile_size + (src_width % tile_size != 0);
  return n ? n : 1;
}

uint64_t nnrpi_tile_id(uint64_t tile_x, uint64_t tile_y, uint64_t per_row) {
  if (tile_y && per_row > (UINT64_MAX - tile_x) / tile_y) return UINT64_MAX;
  return tile_y * per_row + tile_x;
}

/* ---- names ----------------------------------------------------------------------------------- */

/* The ASCII characters Python's str.strip() removes. */
static int is_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

/* Does `name`, trimmed and compared without case, equal the lower-case `word`? */
static int name_is(const char *name, const char *word) {
  const char *end = name + strlen(name);
  while (name < end && is_space(*name)) name++;
  while (end > name && is_space(end[-1])) end--;
  size_t n = strlen(word);
  if ((size_t)(end - name) != n) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    if (c != word[i]) return 0;
  }
  return 1;
}

int nnrpi_codec_from_name(const char *name, uint8_t *codec) {
  if (!name || name_is(name, "") || name_is(name, "none")) {
    *codec = NNRP_REPLAY_CODEC_NONE;
    return 0;
  }
  if (name_is(name, "lz4")) {
    *codec = NNRP_REPLAY_CODEC_LZ4;
    return 0;
  }
  return NNRP_ERR_REPLAY_CODEC_NAME;
}

uint8_t nnrpi_input_profile_from_name(const char *name) {
  if (name && name_is(name, "changed_tiles_luma")) return NNRP_INPUT_CHANGED_TILES_LUMA;
  if (name && name_is(name, "dense_luma_frame")) return NNRP_INPUT_DENSE_LUMA_FRAME;
  return NNRP_INPUT_UNSPECIFIED;
}

uint8_t nnrpi_default_codec(const uint8_t *codecs, size_t n) {
  /* Codecs come from nnrpi_codec_from_name(): 0 or 1.  LZ4 wins only with more tiles than
   * NONE, or on a tie when a tile saw it first. */
  size_t lz4 = 0;
  for (size_t i = 0; i < n; i++) lz4 += codecs[i] == NNRP_REPLAY_CODEC_LZ4;
  if (2 * lz4 > n || (2 * lz4 == n && n && codecs[0] == NNRP_REPLAY_CODEC_LZ4))
    return NNRP_REPLAY_CODEC_LZ4;
  return NNRP_REPLAY_CODEC_NONE;
}

/* ---- references and ids ------------------------------------------------------------------------
 */

int nnrpi_slot_reference(const nnrp_object_ref *given, uint16_t kind, nnrp_object_ref *out) {
  *out = *given;
  if (out->object_kind == 0) out->object_kind = kind;
  return out->object_kind == kind ? 0 : NNRP_ERR_REF_KIND_MISMATCH;
}

int nnrpi_session_id(const char *host_id, const nnrp_replay_options *o, uint32_t *id) {
  if (o && (o->set & NNRP_REPLAY_SET_SESSION_ID)) {
    *id = o->session_id;
    return 0;
  }
  if (!host_id) return NNRP_ERR_INVALID_ARGUMENT;
  *id = nnrp_replay_crc32(host_id);
  return 0;
}

uint64_t nnrpi_trace_id(const char *host_trace, const nnrp_replay_options *o) {
  if (o && (o->set & NNRP_REPLAY_SET_TRACE_ID)) return o->trace_id;
  return host_trace && host_trace[0] ? nnrp_replay_crc32(host_trace) : 0;
}

/* ---- defaults -------------------------------------------------------------------------------- */

void nnrp_host_frame_init(nnrp_host_frame *f) {
  memset(f, 0, sizeof(*f));
}

void nnrp_host_result_init(nnrp_host_result *r) {
  memset(r, 0, sizeof(*r));
  r->src_width = -1;
  r->tile_size = -1;
  r->covered_tile_count = -1;
  r->result_flags = -1;
  r->result_class = -1;
  r->applied_budget_policy = -1;
}

void nnrp_replay_options_init(nnrp_replay_options *o) {
  memset(o, 0, sizeof(*o));
}
