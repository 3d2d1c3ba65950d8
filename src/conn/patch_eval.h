/*
 * Private: the server's SESSION_PATCH evaluation (session.md §2.5, server processing steps
 * 1-7).  A pure function of the policy, the current effective values and the request.
 */
#ifndef NNRP_PATCH_EVAL_H
#define NNRP_PATCH_EVAL_H

#include <libnnrp/conn.h>

/* What the server allows a patch to change. */
typedef struct nnrp_patch_policy {
  uint16_t active_profile_id;         /* accepted profile ids: 0 (current) and this one */
  uint32_t min_cadence_x100;          /* window for target cadence (0 = no lower bound) */
  uint32_t max_cadence_x100;          /* 0 = no upper bound */
  uint32_t quality_tier_mask;         /* bit n set: tier n known (tiers >= 32 unknown) */
  uint32_t accepted_codec_bitmap;     /* from the handshake */
  uint32_t accepted_compression_bitmap;
  uint16_t max_lane_count;            /* negotiated */
  int busy;                           /* overloaded: reject everything, reason 5 */
  uint32_t busy_retry_after_ms;
} nnrp_patch_policy;

/* The session's current effective values; updated in place by an applied patch. */
typedef struct nnrp_patch_effective {
  uint16_t profile_id;
  uint32_t target_cadence_x100;
  uint16_t quality_tier;
  uint16_t degrade_policy;
  uint64_t lane_mask;
  uint32_t codec_bitmap;
  uint32_t compression_bitmap;
  int has_clamp;
  nnrp_profile_patch clamp;
} nnrp_patch_effective;

/*
 * Evaluate one SESSION_PATCH.  `clamp` is the decoded profile patch block or NULL.  Fills the
 * whole ACK metadata (masks disjoint, union = request mask; status; first reason in bit order;
 * complete effective values; profile_patch_ack_bytes) and *ack_clamp / *has_ack_clamp, and
 * applies the accepted fields to *eff.  Never fails.
 *
 * Choices where §2.5 is silent: a profile id other than 0 / active_profile_id and a busy
 * policy reject the whole patch (status rejected, even with an empty mask); a busy reject
 * carries busy_retry_after_ms, or 1000 ms when that is 0 (step 4 wants a wait > 0); mask bit
 * 0x40 without a clamp block (clamp NULL) is judged as an all-zero clamp, reason 4; the ack
 * block of a requested but undefined clamp is all zeros.  The effective profile id is
 * eff->profile_id and never changes.
 */
void nnrpi_patch_evaluate(const nnrp_patch_policy *pol, nnrp_patch_effective *eff,
                          const nnrp_session_patch_meta *req, const nnrp_profile_patch *clamp,
                          nnrp_session_patch_ack_meta *ack, nnrp_profile_patch *ack_clamp,
                          int *has_ack_clamp);

#endif /* NNRP_PATCH_EVAL_H */
