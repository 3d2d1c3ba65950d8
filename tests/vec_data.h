/*
 * Helpers shared by the vector tests: running a builder through every sink mode, and
 * re-building a decoded FRAME_SUBMIT / RESULT_PUSH through the builder that produces it.
 */
#ifndef NNRP_VEC_DATA_H
#define NNRP_VEC_DATA_H

#include "build_map.h"
#include "vec_json.h"

/* Decode options with only `flags` set. */
nnrp_decode_options vec_opts(uint32_t flags);

/* Writes one encoding of `arg` to `sink`; returns 0 or an NNRP_ERR_*. */
typedef int (*vec_writer)(vec_ctx *c, const void *arg, nnrp_sink *sink);

/*
 * Run `fn` into a count sink, a buffer of exactly the counted size, a buffer one byte short
 * (must give NNRP_ERR_BUFFER_TOO_SMALL) and a scatter-gather sink whose iovecs are joined.
 * Every mode must agree (return code, size, bytes); disagreements are mapping errors of `c`.
 * Returns the buffer run's code; on success *out holds the bytes (owned by c).
 */
int vec_run_sinks(vec_ctx *c, vec_writer fn, const void *arg, nnrp_vec *out);

/* Outcome of vec_rebuild. */
enum { VEC_REBUILT = 1, VEC_NO_BUILDER = 0 };

/*
 * Turn a decoded FRAME_SUBMIT or RESULT_PUSH back into builder inputs (tile ids, sections,
 * camera, references, typed frames, metadata fields) and build it again with the libnnrp
 * builder for its body family.  Returns VEC_REBUILT with the bytes in *out, VEC_NO_BUILDER
 * when no builder can express the packet (extension frames, layout-template or result
 * references, referenced section tables, non-standard inline objects), or the builder's
 * error.  *builder names the builder used.
 */
int vec_rebuild(vec_ctx *c, const nnrp_packet *p, nnrp_vec *out, const char **builder);

/*
 * Re-encode any decoded packet through the libnnrp builder of its message type (data-plane
 * packets through vec_rebuild).  Same return values as vec_rebuild.
 */
int vec_reencode(vec_ctx *c, const nnrp_packet *p, nnrp_vec *out, const char **builder);

#endif /* NNRP_VEC_DATA_H */
