/*
 * Tile index blocks (wire-data §6.1): the list of tile ids a frame's sections describe, in one
 * of four encodings.  Builders check the preconditions of nnrp-py's pack_tile_index_block;
 * the validator applies the decode rules plus the strict choices of §15 D24.
 */
#include <string.h>

#include "wire_int.h"

/* Highest tile id: ids are u16 on the wire. */
#define TILE_ID_MAX 0xFFFFu
/* A BITSET byte at this index or later describes ids above TILE_ID_MAX. */
#define BITSET_STRICT_BYTES ((TILE_ID_MAX + 1u) / 8u)
/* Even the lenient profile must keep ids within the iterator's u32. */
#define BITSET_COMPAT_BYTES ((size_t)1 << 29)

/* Encoded bytes are staged here and handed to the sink in chunks, not entry by entry. */
#define STAGE_BYTES 256u

static int is_strictly_increasing(const uint16_t *ids, size_t n) {
  for (size_t i = 1; i < n; i++)
    if (ids[i] <= ids[i - 1]) return 0;
  return 1;
}

/* Builder preconditions (wire-data §6.1 "build preconditions") and the encoded length. */
static int check_ids(const uint16_t *ids, size_t n, unsigned mode, uint32_t tile_base_id,
                     size_t *len) {
  switch (mode) {
  case NNRP_TILE_DENSE_RANGE:
    for (size_t i = 0; i < n; i++)
      if ((uint64_t)tile_base_id + i != ids[i]) return NNRP_ERR_TILE_DENSE_NOT_CONTIGUOUS;
    *len = 0;
    return 0;
  case NNRP_TILE_RAW_U16:
    *len = 2 * n;
    return 0;
  case NNRP_TILE_DELTA_U16:
    /* Increasing u16 ids make every delta fit a u16 as well. */
    if (!is_strictly_increasing(ids, n)) return NNRP_ERR_TILE_NOT_INCREASING;
    *len = 2 * n;
    return 0;
  case NNRP_TILE_BITSET:
    if (!is_strictly_increasing(ids, n)) return NNRP_ERR_TILE_NOT_INCREASING;
    *len = n ? (size_t)ids[n - 1] / 8 + 1 : 0;
    return 0;
  default:
    return NNRP_ERR_TILE_INDEX_MODE;
  }
}

int nnrp_tile_index_encoded_len(const uint16_t *ids, size_t n, unsigned mode,
                                uint32_t tile_base_id, size_t *len) {
  size_t l = 0;
  int rc = check_ids(ids, n, mode, tile_base_id, &l);
  if (rc == 0 && len) *len = l;
  return rc;
}

/* RAW_U16 (delta = 0) or DELTA_U16 (delta = 1) entries. */
static void write_u16_entries(const uint16_t *ids, size_t n, int delta, nnrp_sink *sink) {
  uint8_t stage[STAGE_BYTES];
  size_t used = 0;
  uint16_t prev = 0;
  for (size_t i = 0; i < n; i++) {
    uint16_t v = delta && i ? (uint16_t)(ids[i] - prev) : ids[i];
    prev = ids[i];
    nnrp_st16(stage + used, v);
    used += 2;
    if (used == sizeof(stage)) {
      nnrp_sink_write(sink, stage, used);
      used = 0;
    }
  }
  nnrp_sink_write(sink, stage, used);
}

/* Increasing ids -> bitset bytes, produced in order: runs of empty bytes go out as zeros. */
static void write_bitset(const uint16_t *ids, size_t n, nnrp_sink *sink) {
  size_t emitted = 0; /* bytes written so far */
  size_t i = 0;
  while (i < n) {
    size_t byte = ids[i] >> 3;
    uint8_t v = 0;
    while (i < n && (size_t)(ids[i] >> 3) == byte) v |= (uint8_t)(1u << (ids[i++] & 7u));
    nnrp_sink_zero(sink, byte - emitted);
    nnrp_sink_u8(sink, v);
    emitted = byte + 1;
  }
}

int nnrp_tile_index_encode(const uint16_t *ids, size_t n, unsigned mode, uint32_t tile_base_id,
                           nnrp_sink *sink) {
  size_t len;
  int rc = check_ids(ids, n, mode, tile_base_id, &len);
  if (rc) return rc;
  if (mode == NNRP_TILE_RAW_U16 || mode == NNRP_TILE_DELTA_U16)
    write_u16_entries(ids, n, mode == NNRP_TILE_DELTA_U16, sink);
  else if (mode == NNRP_TILE_BITSET)
    write_bitset(ids, n, sink);
  return nnrp_sink_error(sink);
}

static unsigned popcount64(uint64_t w) {
  w = w - ((w >> 1) & 0x5555555555555555ull);
  w = (w & 0x3333333333333333ull) + ((w >> 2) & 0x3333333333333333ull);
  w = (w + (w >> 4)) & 0x0F0F0F0F0F0F0F0Full;
  return (unsigned)((w * 0x0101010101010101ull) >> 56);
}

static size_t popcount_bytes(const uint8_t *p, size_t n) {
  size_t count = 0, i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8); /* byte order does not matter for a count */
    count += popcount64(w);
  }
  for (; i < n; i++) count += popcount64(p[i]);
  return count;
}

/* RAW_U16 / DELTA_U16 blocks hold exactly two bytes per tile. */
static int check_u16_length(size_t len, size_t tile_count) {
  return (len & 1u) || len / 2 != tile_count ? NNRP_ERR_TILE_INDEX_LENGTH : 0;
}

static int validate_delta(const uint8_t *block, size_t tile_count, int compat) {
  if (tile_count == 0) return 0;
  uint32_t id = nnrp_ld16(block);
  for (size_t i = 1; i < tile_count; i++) {
    uint16_t d = nnrp_ld16(block + 2 * i);
    /* A zero delta repeats an id (D24); PY decodes it, so only the strict profile refuses. */
    if (d == 0 && !compat) return NNRP_ERR_TILE_NOT_INCREASING;
    id += d;
    if (id > TILE_ID_MAX) return NNRP_ERR_TILE_ID_RANGE;
  }
  return 0;
}

int nnrp_tile_index_validate(const uint8_t *block, size_t len, unsigned mode, size_t tile_count,
                             uint32_t tile_base_id, uint32_t flags) {
  int compat = (flags & NNRP_DECODE_PY_COMPAT) != 0;
  int rc;
  switch (mode) {
  case NNRP_TILE_DENSE_RANGE: {
    if (len != 0) return NNRP_ERR_TILE_DENSE_NOT_EMPTY;
    if (tile_count == 0) return 0;
    /* D24: tile_base_id is a u32, so the range can leave the u16 id space. */
    uint64_t last = (uint64_t)tile_base_id + (tile_count - 1);
    if (last > (compat ? UINT32_MAX : TILE_ID_MAX)) return NNRP_ERR_TILE_ID_RANGE;
    return 0;
  }
  case NNRP_TILE_RAW_U16:
    return check_u16_length(len, tile_count);
  case NNRP_TILE_DELTA_U16:
    if ((rc = check_u16_length(len, tile_count)) != 0) return rc;
    return validate_delta(block, tile_count, compat);
  case NNRP_TILE_BITSET: {
    if (popcount_bytes(block, len) != tile_count) return NNRP_ERR_TILE_BITSET_COUNT;
    /* Trailing zero bytes are tolerated, but a set bit must name a representable id. */
    size_t limit = compat ? BITSET_COMPAT_BYTES : BITSET_STRICT_BYTES;
    if (len > limit && !nnrp_all_zero(block + limit, len - limit)) return NNRP_ERR_TILE_ID_RANGE;
    return 0;
  }
  default:
    return NNRP_ERR_TILE_INDEX_MODE;
  }
}

void nnrp_tile_iter_init(nnrp_tile_iter *it, const uint8_t *block, size_t len, unsigned mode,
                         size_t tile_count, uint32_t tile_base_id) {
  memset(it, 0, sizeof(*it));
  it->block = block;
  it->len = len;
  it->mode = mode;
  it->count = tile_count;
  it->base = tile_base_id;
}

/* Index of the lowest set bit of a non-zero byte. */
static unsigned lowest_bit(unsigned v) {
  unsigned n = 0;
  if (!(v & 0x0Fu)) {
    n += 4;
    v >>= 4;
  }
  if (!(v & 0x03u)) {
    n += 2;
    v >>= 2;
  }
  return n + !(v & 1u);
}

int nnrp_tile_iter_next(nnrp_tile_iter *it, uint32_t *id) {
  if (it->index >= it->count) return 0;
  switch (it->mode) {
  case NNRP_TILE_DENSE_RANGE:
    *id = it->base + (uint32_t)it->index;
    break;
  case NNRP_TILE_RAW_U16:
    if (2 * it->index + 2 > it->len) return 0;
    *id = nnrp_ld16(it->block + 2 * it->index);
    break;
  case NNRP_TILE_DELTA_U16:
    if (2 * it->index + 2 > it->len) return 0;
    it->last = (it->index ? it->last : 0) + nnrp_ld16(it->block + 2 * it->index);
    *id = it->last;
    break;
  case NNRP_TILE_BITSET: {
    size_t byte = it->bit >> 3;
    unsigned v = byte < it->len ? it->block[byte] & (0xFFu << (it->bit & 7u)) & 0xFFu : 0;
    while (!v) {
      if (++byte >= it->len) return 0;
      v = it->block[byte];
    }
    size_t bit = byte * 8 + lowest_bit(v);
    it->bit = bit + 1;
    *id = (uint32_t)bit;
    break;
  }
  default:
    return 0;
  }
  it->index++;
  return 1;
}
