/*
 * Output sinks.  One writer interface serves three uses: size queries (count),
 * contiguous buffers, and scatter-gather vectors that reference payloads in
 * place, so every builder has a single code path.
 */
#include <string.h>

#include "wire_int.h"

enum { SINK_COUNT = 0, SINK_BUFFER = 1, SINK_IOV = 2 };

void nnrp_sink_init_buffer(nnrp_sink *s, uint8_t *buf, size_t cap) {
  memset(s, 0, sizeof(*s));
  s->buf = buf;
  s->cap = cap;
  s->mode = SINK_BUFFER;
}

void nnrp_sink_init_count(nnrp_sink *s) {
  memset(s, 0, sizeof(*s));
  s->mode = SINK_COUNT;
}

void nnrp_sink_init_iov(nnrp_sink *s, uint8_t *scratch, size_t scratch_cap, nnrp_vec *iov,
                        size_t iov_cap, size_t zero_copy_min) {
  memset(s, 0, sizeof(*s));
  s->buf = scratch;
  s->cap = scratch_cap;
  s->iov = iov;
  s->iov_cap = iov_cap;
  s->zero_copy_min = zero_copy_min ? zero_copy_min : 1;
  s->mode = SINK_IOV;
}

int nnrp_sink_error(const nnrp_sink *s) { return s->err; }

/* Append n bytes to the last iovec when it ends where the scratch bytes continue. */
static void iov_push(nnrp_sink *s, const uint8_t *p, size_t n) {
  if (s->iov_count > 0) {
    nnrp_vec *last = &s->iov[s->iov_count - 1];
    if (last->base + last->len == p) {
      last->len += n;
      return;
    }
  }
  if (s->iov_count == s->iov_cap) {
    s->err = NNRP_ERR_IOV_TOO_SMALL;
    return;
  }
  s->iov[s->iov_count].base = p;
  s->iov[s->iov_count].len = n;
  s->iov_count++;
}

/* Reserve n bytes of buf (buffer or scratch); NULL after an error or in count mode. */
static uint8_t *reserve(nnrp_sink *s, size_t n) {
  s->total += n;
  if (s->err || s->mode == SINK_COUNT) return NULL;
  if (s->cap - s->len < n) {
    s->err = NNRP_ERR_BUFFER_TOO_SMALL;
    return NULL;
  }
  uint8_t *p = s->buf + s->len;
  s->len += n;
  if (s->mode == SINK_IOV) iov_push(s, p, n);
  return s->err ? NULL : p;
}

void nnrp_sink_write(nnrp_sink *s, const void *data, size_t len) {
  if (len == 0) return;
  uint8_t *p = reserve(s, len);
  if (p) memcpy(p, data, len);
}

void nnrp_sink_payload(nnrp_sink *s, const void *data, size_t len) {
  if (len == 0) return;
  if (s->mode != SINK_IOV || len < s->zero_copy_min) {
    nnrp_sink_write(s, data, len);
    return;
  }
  s->total += len;
  if (!s->err) iov_push(s, (const uint8_t *)data, len);
}

void nnrp_sink_zero(nnrp_sink *s, size_t len) {
  if (len == 0) return;
  uint8_t *p = reserve(s, len);
  if (p) memset(p, 0, len);
}

void nnrp_sink_u8(nnrp_sink *s, uint8_t v) { nnrp_sink_write(s, &v, 1); }

void nnrp_sink_u16(nnrp_sink *s, uint16_t v) {
  uint8_t *p = reserve(s, 2);
  if (p) nnrp_st16(p, v);
}

void nnrp_sink_u32(nnrp_sink *s, uint32_t v) {
  uint8_t *p = reserve(s, 4);
  if (p) nnrp_st32(p, v);
}

void nnrp_sink_u64(nnrp_sink *s, uint64_t v) {
  uint8_t *p = reserve(s, 8);
  if (p) nnrp_st64(p, v);
}

void nnrp_sink_pad8(nnrp_sink *s, size_t start) { nnrp_sink_zero(s, nnrp_pad8(s->total - start)); }
