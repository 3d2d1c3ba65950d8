/*
 * The reference SDK's builders (nnrp-py 1.0.0rc2, as builder-examples.json names them: 66 of
 * them) mapped to libnnrp calls.  Each takes the builder's keyword arguments in the JSON input
 * encoding of build_json.h and writes what the reference builder returns, in the output
 * convention of builder-examples.json: a whole packet; the block bytes; a control-extension
 * entry; the 16-byte descriptor followed by the payload for single typed / extension frames;
 * the descriptor region followed by the payload region for pack_*_frames; a u32 (little
 * endian) for build_cache_object_bitmap.
 */
#ifndef NNRP_BUILD_MAP_H
#define NNRP_BUILD_MAP_H

#include "build_json.h"

/*
 * Writes the builder's output for `in` to `s`.  Returns 0 or the NNRP_ERR_* with which libnnrp
 * refuses; inputs it cannot map (unknown members, values that do not fit) are counted in
 * c->errors.  A mapper may run several times on one input (count sink, then buffer).
 */
typedef int (*vec_builder_fn)(vec_ctx *c, const json_t *in, nnrp_sink *s);

/* The mapping of reference builder `name`; NULL when there is none. */
vec_builder_fn vec_builder_find(const char *name);
/* Every mapped builder name: i < vec_builder_count(). */
size_t vec_builder_count(void);
const char *vec_builder_name(size_t i);

/* Header keyword arguments of the reference packet builders (session_id, frame_id, view_id,
 * route_id, trace_id, flags; 0 when omitted). */
nnrp_packet_params vec_read_params(vec_ctx *c, const json_t *in);
/* Keyword arguments of build_frame_submit_packet and its typed/mixed variants, over the
 * defaults of nnrp_frame_submit_input_init (the reference SDK's, wire-data §12.1, §12.4). */
void vec_read_submit(vec_ctx *c, const json_t *in, nnrp_frame_submit_input *x);
/* Keyword arguments of build_result_push_packet and its wrappers and typed/mixed variants, over
 * nnrp_result_push_input_init (covered_tile_count None = every tile, wire-data §12.2). */
void vec_read_result(vec_ctx *c, const json_t *in, nnrp_result_push_input *x);

#endif /* NNRP_BUILD_MAP_H */
