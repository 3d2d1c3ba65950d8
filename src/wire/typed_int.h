/*
 * Private: the typed-payload and extension-frame checks that FRAME_SUBMIT and RESULT_PUSH
 * body decoders share (implemented in typed.c).  Internal non-static functions use the
 * `nnrpi_` prefix so that the symbol version script does not export them.
 */
#ifndef NNRP_TYPED_INT_H
#define NNRP_TYPED_INT_H

#include <libnnrp/wire.h>

/*
 * wire-data §10.2 T1-T4 over validated typed regions, plus the strict rules that no typed
 * descriptor carries TENSOR (§10.1) and, unless `flags` has NNRP_DECODE_PY_COMPAT, that every
 * declared non-tensor kind is present (§15 D8).  `desc_offset` is the offset of the descriptor
 * region from the start of whatever the caller's diag offsets are relative to.
 */
int nnrpi_typed_contract_check(nnrp_vec descriptors, nnrp_vec frames,
                               uint32_t payload_kind_bitmap, uint16_t payload_frame_count,
                               uint32_t flags, size_t desc_offset, nnrp_diag *diag);

/*
 * wire-data §10.3: run after every other body rule passed.  Fails with
 * NNRP_ERR_EXT_FRAME_CRITICAL on the first CRITICAL frame whose kind is not in
 * opts->known_extension_kinds (opts may be NULL: every kind unknown).
 */
int nnrpi_ext_frames_check(nnrp_vec descriptors, nnrp_vec payloads,
                           const nnrp_decode_options *opts, size_t desc_offset, nnrp_diag *diag);

#endif /* NNRP_TYPED_INT_H */
