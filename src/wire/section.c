/*
 * One tensor section (wire-data §6.2): 32-byte descriptor, optional codec table, length table
 * and payload blob, with no padding inside.  Parsing checks S1-S13; building follows nnrp-py's
 * pack_tensor_section_data (logical input) and pack_tensor_section (explicit descriptor).
 */
#include <string.h>

#include "section_int.h"
#include "wire_int.h"

#define SECTION_FLAGS_KNOWN (NNRP_SECTION_MIXED_CODEC | NNRP_SECTION_FIXED_STRIDE)
#define LENGTH_ENTRY_BYTES 4u

/* Length-table entries are staged here and handed to the sink in chunks. */
#define STAGE_BYTES 256u

void nnrp_section_desc_encode(const nnrp_section_desc *d, uint8_t out[32]) {
  nnrp_st16(out + 0, d->role_id);
  out[2] = d->codec_id;
  out[3] = d->dtype_id;
  out[4] = d->layout_id;
  out[5] = d->scale_policy;
  nnrp_st16(out + 6, d->flags);
  nnrp_st32(out + 8, d->element_count_per_tile);
  nnrp_st32(out + 12, d->codec_table_bytes);
  nnrp_st32(out + 16, d->length_table_bytes);
  nnrp_st32(out + 20, d->payload_bytes);
  nnrp_st32(out + 24, d->payload_stride_bytes);
  nnrp_st32(out + 28, d->reserved);
}

void nnrp_section_desc_decode(nnrp_section_desc *d, const uint8_t in[32]) {
  d->role_id = nnrp_ld16(in + 0);
  d->codec_id = in[2];
  d->dtype_id = in[3];
  d->layout_id = in[4];
  d->scale_policy = in[5];
  d->flags = nnrp_ld16(in + 6);
  d->element_count_per_tile = nnrp_ld32(in + 8);
  d->codec_table_bytes = nnrp_ld32(in + 12);
  d->length_table_bytes = nnrp_ld32(in + 16);
  d->payload_bytes = nnrp_ld32(in + 20);
  d->payload_stride_bytes = nnrp_ld32(in + 24);
  d->reserved = nnrp_ld32(in + 28);
}

/* S13 (enums, in field order), then the strict descriptor bits of §15 D25 unless compat. */
static int check_desc_fields(const nnrp_section_desc *d, uint32_t flags) {
  if (d->dtype_id > NNRP_DTYPE_UINT16) return NNRP_ERR_SECTION_DTYPE;
  if (d->layout_id > NNRP_LAYOUT_NCHW) return NNRP_ERR_SECTION_LAYOUT;
  if (d->scale_policy > NNRP_SCALE_ZERO_POINT) return NNRP_ERR_SECTION_SCALE_POLICY;
  if (flags & NNRP_DECODE_PY_COMPAT) return 0;
  if (d->flags & ~SECTION_FLAGS_KNOWN) return NNRP_ERR_SECTION_FLAGS;
  if (d->reserved != 0) return NNRP_ERR_SECTION_RESERVED;
  return 0;
}

/*
 * S3-S12 over tables whose sizes already match the descriptor.  *where gets the offset from
 * the section start of what broke the rule.
 */
static int check_tables(const nnrp_section_desc *d, const uint8_t *length_table,
                        const uint8_t *payload, size_t *where) {
  const size_t length_at = NNRP_SECTION_DESC_LEN + (size_t)d->codec_table_bytes;
  const size_t payload_at = length_at + d->length_table_bytes;
  const size_t entries = d->length_table_bytes / LENGTH_ENTRY_BYTES;
  const int fixed = (d->flags & NNRP_SECTION_FIXED_STRIDE) != 0;
  const int mixed = (d->flags & NNRP_SECTION_MIXED_CODEC) != 0;

  *where = 0;
  if (d->length_table_bytes % LENGTH_ENTRY_BYTES) return NNRP_ERR_SECTION_LENGTH_TABLE_ALIGN;
  if (fixed && d->payload_stride_bytes == 0) return NNRP_ERR_SECTION_STRIDE_MISSING;
  if (!fixed && d->payload_stride_bytes != 0) return NNRP_ERR_SECTION_STRIDE_FLAG;
  if (mixed && d->codec_table_bytes == 0) return NNRP_ERR_SECTION_CODEC_TABLE_MISSING;
  if (!mixed && d->codec_table_bytes != 0) return NNRP_ERR_SECTION_CODEC_FLAG;
  if (d->codec_table_bytes != 0 && d->codec_table_bytes != entries)
    return NNRP_ERR_SECTION_CODEC_TABLE_COUNT;

  if (d->payload_stride_bytes) {
    const size_t stride = d->payload_stride_bytes;
    if ((uint64_t)stride * entries != d->payload_bytes) return NNRP_ERR_SECTION_STRIDE_PAYLOAD;
    /* Per tile, as the reference walks them: S10 then S11. */
    for (size_t i = 0; i < entries; i++) {
      uint32_t len = nnrp_ld32(length_table + LENGTH_ENTRY_BYTES * i);
      if (len > stride) {
        *where = length_at + LENGTH_ENTRY_BYTES * i;
        return NNRP_ERR_SECTION_TILE_EXCEEDS_STRIDE;
      }
      const uint8_t *pad = payload + i * stride + len;
      if (!nnrp_all_zero(pad, stride - len)) {
        *where = payload_at + i * stride + len;
        return NNRP_ERR_SECTION_STRIDE_PADDING;
      }
    }
    return 0;
  }
  uint64_t sum = 0; /* at most 2^30 entries of 2^32 - 1: no overflow */
  for (size_t i = 0; i < entries; i++) sum += nnrp_ld32(length_table + LENGTH_ENTRY_BYTES * i);
  return sum == d->payload_bytes ? 0 : NNRP_ERR_SECTION_PAYLOAD_SUM;
}

int nnrpi_section_parse(const uint8_t *p, size_t avail, uint32_t flags, nnrp_section_view *s,
                        size_t *size, size_t *where) {
  *where = 0;
  if (avail < NNRP_SECTION_DESC_LEN) return NNRP_ERR_SECTION_TRUNCATED_DESC;
  nnrp_section_desc_decode(&s->desc, p);
  const nnrp_section_desc *d = &s->desc;
  int rc = check_desc_fields(d, flags);
  if (rc) return rc;
  /* S2 in 64 bits: three u32 lengths cannot overflow it. */
  uint64_t total = (uint64_t)NNRP_SECTION_DESC_LEN + d->codec_table_bytes +
                   d->length_table_bytes + d->payload_bytes;
  if (total > avail) return NNRP_ERR_SECTION_TRUNCATED;
  s->codec_table = p + NNRP_SECTION_DESC_LEN;
  s->length_table = s->codec_table + d->codec_table_bytes;
  s->payload = s->length_table + d->length_table_bytes;
  s->tile_count = d->length_table_bytes / LENGTH_ENTRY_BYTES;
  rc = check_tables(d, s->length_table, s->payload, where);
  if (rc) return rc;
  *size = (size_t)total;
  return 0;
}

uint32_t nnrp_section_tile_length(const nnrp_section_view *s, size_t tile) {
  return nnrp_ld32(s->length_table + LENGTH_ENTRY_BYTES * tile);
}

uint8_t nnrp_section_tile_codec(const nnrp_section_view *s, size_t tile) {
  return s->desc.codec_table_bytes ? s->codec_table[tile] : s->desc.codec_id;
}

void nnrp_section_tile_iter_init(nnrp_section_tile_iter *it, const nnrp_section_view *s) {
  it->section = s;
  it->index = 0;
  it->offset = 0;
}

int nnrp_section_tile_iter_next(nnrp_section_tile_iter *it, nnrp_vec *payload) {
  const nnrp_section_view *s = it->section;
  if (it->index >= s->tile_count) return 0;
  const size_t stride = s->desc.payload_stride_bytes;
  const uint32_t len = nnrp_section_tile_length(s, it->index);
  /* Stride mode: tile i sits at i * stride; variable mode: at the running sum. */
  const size_t at = stride ? it->index * stride : it->offset;
  payload->base = s->payload + at;
  payload->len = len;
  it->offset = at + len;
  it->index++;
  return 1;
}

/* ---- building ------------------------------------------------------------------------------ */

/* True when the codec ids need a table: at least one differs from the section default. */
static int needs_codec_table(const nnrp_tensor_section_data *s) {
  for (size_t i = 0; i < s->codec_id_count; i++)
    if (s->codec_ids[i] != s->default_codec_id) return 1;
  return 0;
}

/*
 * The descriptor pack_tensor_section_data derives from logical input (wire-data §6.2 rules
 * 1-5), checking the inputs on the way; rule 6 holds by construction apart from S13.
 */
static int plan_section(const nnrp_tensor_section_data *s, nnrp_section_desc *d, int *mixed) {
  const size_t n = s->tile_payload_count;
  if ((n && !s->tile_payloads) || (s->codec_id_count && !s->codec_ids))
    return NNRP_ERR_INVALID_ARGUMENT;
  /* Rule 1: codec table. */
  if (s->codec_id_count != 0 && s->codec_id_count != n) return NNRP_ERR_SECTION_CODEC_IDS;
  *mixed = needs_codec_table(s);
  /* Rules 2-3: length table and blob, and the u32 fields they end up in. */
  if (n > UINT32_MAX / LENGTH_ENTRY_BYTES) return NNRP_ERR_BUILD_FIELD_RANGE;
  const size_t stride = s->payload_stride_bytes;
  uint64_t blob = 0;
  for (size_t i = 0; i < n; i++) {
    size_t len = s->tile_payloads[i].len;
    if (len > UINT32_MAX) return NNRP_ERR_BUILD_FIELD_RANGE;
    if (stride && len > stride) return NNRP_ERR_SECTION_TILE_EXCEEDS_STRIDE;
    blob += stride ? stride : len;
    if (blob > UINT32_MAX) return NNRP_ERR_BUILD_FIELD_RANGE;
  }
  /* Rules 4-5: flags and descriptor. */
  memset(d, 0, sizeof(*d));
  d->role_id = s->role_id;
  d->codec_id = s->default_codec_id;
  d->dtype_id = s->dtype_id;
  d->layout_id = s->layout_id;
  d->scale_policy = s->scale_policy;
  d->flags = (uint16_t)((stride ? NNRP_SECTION_FIXED_STRIDE : 0) |
                        (*mixed ? NNRP_SECTION_MIXED_CODEC : 0));
  d->element_count_per_tile = s->element_count_per_tile;
  d->codec_table_bytes = *mixed ? (uint32_t)n : 0;
  d->length_table_bytes = (uint32_t)(n * LENGTH_ENTRY_BYTES);
  d->payload_bytes = (uint32_t)blob;
  d->payload_stride_bytes = s->payload_stride_bytes;
  /* Rule 6: the parse rules; only the enums are not guaranteed by the steps above. */
  return check_desc_fields(d, 0);
}

int nnrp_tensor_section_encoded_len(const nnrp_tensor_section_data *s, size_t *len) {
  nnrp_section_desc d;
  int mixed;
  int rc = plan_section(s, &d, &mixed);
  if (rc) return rc;
  if (len)
    *len = NNRP_SECTION_DESC_LEN + (size_t)d.codec_table_bytes + d.length_table_bytes +
           d.payload_bytes;
  return 0;
}

static void write_desc(const nnrp_section_desc *d, nnrp_sink *sink) {
  uint8_t raw[NNRP_SECTION_DESC_LEN];
  nnrp_section_desc_encode(d, raw);
  nnrp_sink_write(sink, raw, sizeof(raw));
}

static void write_length_table(const nnrp_vec *payloads, size_t n, nnrp_sink *sink) {
  uint8_t stage[STAGE_BYTES];
  size_t used = 0;
  for (size_t i = 0; i < n; i++) {
    nnrp_st32(stage + used, (uint32_t)payloads[i].len);
    used += LENGTH_ENTRY_BYTES;
    if (used == sizeof(stage)) {
      nnrp_sink_write(sink, stage, used);
      used = 0;
    }
  }
  nnrp_sink_write(sink, stage, used);
}

int nnrp_tensor_section_encode(const nnrp_tensor_section_data *s, nnrp_sink *sink) {
  nnrp_section_desc d;
  int mixed;
  int rc = plan_section(s, &d, &mixed);
  if (rc) return rc;
  const size_t n = s->tile_payload_count;
  const size_t stride = s->payload_stride_bytes;
  write_desc(&d, sink);
  if (mixed) nnrp_sink_write(sink, s->codec_ids, n);
  write_length_table(s->tile_payloads, n, sink);
  for (size_t i = 0; i < n; i++) {
    const nnrp_vec *p = &s->tile_payloads[i];
    nnrp_sink_payload(sink, p->base, p->len);
    if (stride) nnrp_sink_zero(sink, stride - p->len);
  }
  return nnrp_sink_error(sink);
}

int nnrp_tensor_section_pack(const nnrp_section_desc *d, nnrp_vec codec_table,
                             nnrp_vec length_table, nnrp_vec payload, nnrp_sink *sink) {
  size_t where;
  int rc = check_desc_fields(d, 0);
  if (rc) return rc;
  if (codec_table.len != d->codec_table_bytes || length_table.len != d->length_table_bytes ||
      payload.len != d->payload_bytes)
    return NNRP_ERR_SECTION_LENGTH_MISMATCH;
  if ((codec_table.len && !codec_table.base) || (length_table.len && !length_table.base) ||
      (payload.len && !payload.base))
    return NNRP_ERR_INVALID_ARGUMENT;
  rc = check_tables(d, length_table.base, payload.base, &where);
  if (rc) return rc;
  write_desc(d, sink);
  nnrp_sink_write(sink, codec_table.base, codec_table.len);
  nnrp_sink_write(sink, length_table.base, length_table.len);
  nnrp_sink_payload(sink, payload.base, payload.len);
  return nnrp_sink_error(sink);
}
