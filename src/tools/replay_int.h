/*
 * Private helpers of the replay exporters (wire-data §13.1): the scratch arena, tile ordering,
 * names the host hands over as text, and tensor sections built from per-tile payloads.
 */
#ifndef NNRP_REPLAY_INT_H
#define NNRP_REPLAY_INT_H

#include <libnnrp/tools.h>

/*
 * The caller's scratch buffer, carved into 8-aligned arrays.  With base == NULL it only
 * measures, so one layout function gives both the scratch length and the arrays.
 */
typedef struct nnrpi_arena {
  uint8_t *base;
  size_t cap;
  size_t used;
  int overflow; /* a size did not fit a size_t */
} nnrpi_arena;

void nnrpi_arena_init(nnrpi_arena *a, void *base, size_t cap);
/* count * size bytes, 8-aligned; NULL when measuring, out of room or on overflow. */
void *nnrpi_arena_take(nnrpi_arena *a, size_t count, size_t size);
/* Bytes a measuring arena needs (slack for an unaligned base included), SIZE_MAX on overflow. */
size_t nnrpi_arena_need(const nnrpi_arena *a);

/* A tile by id, then by input position: sorting on both is a stable sort on the id. */
typedef struct nnrpi_tile_order {
  uint64_t id;
  size_t index;
} nnrpi_tile_order;

void nnrpi_tile_order_sort(nnrpi_tile_order *o, size_t n);
void nnrpi_u32_sort(uint32_t *v, size_t n);

/* Tiles per row: max(1, ceil(src_width / tile_size)); tile_size must be non-zero. */
uint64_t nnrpi_tiles_per_row(uint64_t src_width, uint64_t tile_size);
/* tile_y * per_row + tile_x, saturating at UINT64_MAX (which no u16 tile id reaches). */
uint64_t nnrpi_tile_id(uint64_t tile_x, uint64_t tile_y, uint64_t per_row);

/* Codec of a compression name: NULL / "" / "none" -> 0, "lz4" -> 1 (trimmed, any case). */
int nnrpi_codec_from_name(const char *name, uint8_t *codec);
/* Input profile of a name: changed_tiles_luma, dense_luma_frame, else UNSPECIFIED. */
uint8_t nnrpi_input_profile_from_name(const char *name);
/* The most common codec (0 or 1) of the tiles, the first seen on a tie. */
uint8_t nnrpi_default_codec(const uint8_t *codecs, size_t n);

/* The slot's reference with its kind filled in (kind 0 = the slot's, the "mapping" form). */
int nnrpi_slot_reference(const nnrp_object_ref *given, uint16_t kind, nnrp_object_ref *out);

/* Header ids: the override when set, else CRC-32 of the host strings. */
int nnrpi_session_id(const char *host_id, const nnrp_replay_options *o, uint32_t *id);
uint64_t nnrpi_trace_id(const char *host_trace, const nnrp_replay_options *o);

#endif /* NNRP_REPLAY_INT_H */
