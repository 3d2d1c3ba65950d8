/*
 * Replay camera block "NRCM" (wire-data §13.3): a 22-byte header (magic, version 1, three
 * array counts, reserved, jitter x/y) and three little-endian float32 arrays.
 */
#include <string.h>

#include <libnnrp/tools.h>

#include "../wire/wire_int.h"

#define FLOAT_BYTES 4u

static uint32_t float_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof(u));
  return u;
}

static float bits_float(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof(f));
  return f;
}

size_t nnrp_replay_camera_encoded_len(const nnrp_replay_camera *c) {
  if (!c) return NNRP_REPLAY_CAMERA_HEADER_LEN;
  if (c->view_count > UINT16_MAX || c->proj_count > UINT16_MAX ||
      c->prev_view_proj_count > UINT16_MAX)
    return SIZE_MAX;
  return NNRP_REPLAY_CAMERA_HEADER_LEN +
         FLOAT_BYTES * (c->view_count + c->proj_count + c->prev_view_proj_count);
}

static void write_floats(nnrp_sink *sink, const float *v, size_t n) {
  for (size_t i = 0; i < n; i++) nnrp_sink_u32(sink, float_bits(v[i]));
}

int nnrp_replay_camera_encode(const nnrp_replay_camera *c, nnrp_sink *sink) {
  static const nnrp_replay_camera empty = {0};
  if (!sink) return NNRP_ERR_INVALID_ARGUMENT;
  if (!c) c = &empty;
  if (nnrp_replay_camera_encoded_len(c) == SIZE_MAX) return NNRP_ERR_BUILD_FIELD_RANGE;
  if ((c->view_count && !c->view) || (c->proj_count && !c->proj) ||
      (c->prev_view_proj_count && !c->prev_view_proj))
    return NNRP_ERR_INVALID_ARGUMENT;
  uint8_t h[NNRP_REPLAY_CAMERA_HEADER_LEN];
  memcpy(h, NNRP_REPLAY_CAMERA_MAGIC, 4);
  nnrp_st16(h + 4, NNRP_REPLAY_CAMERA_VERSION);
  nnrp_st16(h + 6, (uint16_t)c->view_count);
  nnrp_st16(h + 8, (uint16_t)c->proj_count);
  nnrp_st16(h + 10, (uint16_t)c->prev_view_proj_count);
  nnrp_st16(h + 12, 0);
  nnrp_st32(h + 14, float_bits(c->jitter_x));
  nnrp_st32(h + 18, float_bits(c->jitter_y));
  nnrp_sink_write(sink, h, sizeof(h));
  write_floats(sink, c->view, c->view_count);
  write_floats(sink, c->proj, c->proj_count);
  write_floats(sink, c->prev_view_proj, c->prev_view_proj_count);
  return nnrp_sink_error(sink);
}

/* The next array of `count` floats at *at, or NNRP_ERR_REPLAY_CAMERA_ARRAYS. */
static int take_array(nnrp_vec *out, const uint8_t *in, size_t len, size_t *at, size_t count) {
  size_t bytes = FLOAT_BYTES * count; /* count <= 65535 */
  if (bytes > len - *at) return NNRP_ERR_REPLAY_CAMERA_ARRAYS;
  out->base = in + *at;
  out->len = bytes;
  *at += bytes;
  return 0;
}

int nnrp_replay_camera_decode(nnrp_replay_camera_view *v, const uint8_t *in, size_t len,
                              nnrp_diag *diag) {
  if (!v || (!in && len)) return NNRP_ERR_INVALID_ARGUMENT;
  if (len < NNRP_REPLAY_CAMERA_HEADER_LEN)
    return nnrp_fail(diag, NNRP_ERR_REPLAY_CAMERA_TRUNCATED, 0);
  if (memcmp(in, NNRP_REPLAY_CAMERA_MAGIC, 4) != 0)
    return nnrp_fail(diag, NNRP_ERR_REPLAY_CAMERA_MAGIC, 0);
  memset(v, 0, sizeof(*v));
  v->version = nnrp_ld16(in + 4);
  if (v->version != NNRP_REPLAY_CAMERA_VERSION)
    return nnrp_fail(diag, NNRP_ERR_REPLAY_CAMERA_VERSION, 4);
  v->reserved = nnrp_ld16(in + 12);
  v->jitter_x = bits_float(nnrp_ld32(in + 14));
  v->jitter_y = bits_float(nnrp_ld32(in + 18));
  size_t at = NNRP_REPLAY_CAMERA_HEADER_LEN;
  nnrp_vec *arrays[3] = {&v->view, &v->proj, &v->prev_view_proj};
  for (int i = 0; i < 3; i++) {
    size_t before = at;
    if (take_array(arrays[i], in, len, &at, nnrp_ld16(in + 6 + 2 * i)) != 0)
      return nnrp_fail(diag, NNRP_ERR_REPLAY_CAMERA_ARRAYS, before);
  }
  if (at != len) return nnrp_fail(diag, NNRP_ERR_REPLAY_CAMERA_TRAILING, at);
  return 0;
}

float nnrp_replay_camera_float(nnrp_vec array, size_t i) {
  return bits_float(nnrp_ld32(array.base + FLOAT_BYTES * i));
}
