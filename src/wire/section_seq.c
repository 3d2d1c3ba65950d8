/*
 * Section sequences (wire-data §6.3) and the tensor body walk of nnrp-py's unpack_tensor_body
 * (§6.4): a tile index block, zero padding to 8, then sections, each after the first starting
 * at the next multiple of 8 of the enclosing buffer, with nothing after the last.
 */
#include "section_int.h"
#include "wire_int.h"

/* p + off without forming NULL + 0 (undefined) for an empty buffer given as NULL. */
static const uint8_t *at(const uint8_t *p, size_t off) { return off ? p + off : p; }

int nnrp_section_seq_encode(const nnrp_tensor_section_data *sections, size_t n,
                            size_t tile_count, size_t start, nnrp_sink *sink) {
  if (n && !sections) return NNRP_ERR_INVALID_ARGUMENT;
  for (size_t i = 0; i < n; i++) {
    const nnrp_tensor_section_data *s = &sections[i];
    if (i > 0 && s->role_id <= sections[i - 1].role_id) return NNRP_ERR_SECTION_ORDER;
    if (s->tile_payload_count != tile_count) return NNRP_ERR_SECTION_TILE_COUNT;
    nnrp_sink_pad8(sink, start);
    int rc = nnrp_tensor_section_encode(s, sink);
    if (rc) return rc;
  }
  return nnrp_sink_error(sink);
}

/*
 * The walk behind both public validators.  `buf` starts at a multiple of 8 of the enclosing
 * buffer, so alignment relative to `buf` is alignment relative to that buffer; `base` is the
 * offset of `buf` in whatever the caller's diag offsets are relative to.
 */
static int seq_validate(const uint8_t *buf, size_t len, size_t section_count, long tile_count,
                        uint32_t flags, size_t base, nnrp_diag *diag) {
  size_t cursor = 0;
  uint32_t previous_role = 0;
  for (size_t i = 0; i < section_count; i++) {
    nnrp_section_view s;
    size_t size, where;
    int rc = nnrpi_section_parse(at(buf, cursor), len - cursor, flags, &s, &size, &where);
    if (rc) return nnrp_fail(diag, rc, base + cursor + where);
    if (i > 0 && s.desc.role_id <= previous_role)
      return nnrp_fail(diag, NNRP_ERR_SECTION_ORDER, base + cursor);
    if (tile_count >= 0 && s.tile_count != (unsigned long)tile_count)
      return nnrp_fail(diag, NNRP_ERR_SECTION_TILE_COUNT, base + cursor);
    previous_role = s.desc.role_id;
    cursor += size;
    if (i + 1 < section_count) {
      size_t pad = nnrp_pad8(cursor);
      if (pad > len - cursor)
        return nnrp_fail(diag, NNRP_ERR_SECTION_ALIGN_TRUNCATED, base + cursor);
      if (!nnrp_all_zero(buf + cursor, pad))
        return nnrp_fail(diag, NNRP_ERR_SECTION_PADDING, base + cursor);
      cursor += pad;
    }
  }
  if (cursor != len) return nnrp_fail(diag, NNRP_ERR_TENSOR_TRAILING, base + cursor);
  return 0;
}

int nnrp_section_seq_validate(const uint8_t *buf, size_t len, size_t section_count,
                              long tile_count, uint32_t flags, nnrp_diag *diag) {
  return seq_validate(buf, len, section_count, tile_count, flags, 0, diag);
}

void nnrp_section_iter_init(nnrp_section_iter *it, const uint8_t *buf, size_t len,
                            size_t section_count) {
  it->buf = buf;
  it->len = len;
  it->offset = 0;
  it->remaining = section_count;
}

int nnrp_section_iter_next(nnrp_section_iter *it, nnrp_section_view *s) {
  if (it->remaining == 0 || it->offset > it->len || it->len - it->offset < NNRP_SECTION_DESC_LEN)
    return 0;
  const uint8_t *p = it->buf + it->offset;
  nnrp_section_desc_decode(&s->desc, p);
  const nnrp_section_desc *d = &s->desc;
  uint64_t size = (uint64_t)NNRP_SECTION_DESC_LEN + d->codec_table_bytes +
                  d->length_table_bytes + d->payload_bytes;
  /* Validated input never trips this; it keeps a misuse from reading past the buffer. */
  if (size > it->len - it->offset) return 0;
  s->codec_table = p + NNRP_SECTION_DESC_LEN;
  s->length_table = s->codec_table + d->codec_table_bytes;
  s->payload = s->length_table + d->length_table_bytes;
  s->tile_count = d->length_table_bytes / 4u;
  it->offset = nnrp_align8(it->offset + (size_t)size);
  it->remaining--;
  return 1;
}

int nnrp_tensor_body_unpack(nnrp_tensor_body_view *v, const uint8_t *buf, size_t len,
                            size_t tile_index_bytes, size_t section_count, long tile_count,
                            uint32_t flags, nnrp_diag *diag) {
  if (len < tile_index_bytes) return nnrp_fail(diag, NNRP_ERR_TENSOR_TILE_INDEX_TRUNCATED, 0);
  size_t start = tile_index_bytes;
  if (section_count > 0) {
    size_t pad = nnrp_pad8(tile_index_bytes);
    if (pad > len - tile_index_bytes || !nnrp_all_zero(at(buf, tile_index_bytes), pad))
      return nnrp_fail(diag, NNRP_ERR_TENSOR_BODY_ALIGN, tile_index_bytes);
    start += pad;
  }
  int rc = seq_validate(at(buf, start), len - start, section_count, tile_count, flags, start, diag);
  if (rc) return rc;
  v->tile_index.base = buf;
  v->tile_index.len = tile_index_bytes;
  v->sections.base = at(buf, start);
  v->sections.len = len - start;
  v->section_count = section_count;
  return 0;
}
