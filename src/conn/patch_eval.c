/* SESSION_PATCH evaluation on the server (session.md §2.5, processing steps 1-7). */
#include <string.h>

#include "patch_eval.h"

#define PATCH_KNOWN 0x7Fu

/* SessionPatchRejectReason numbers (wire-control §3.11). */
enum {
  REASON_NONE = 0,
  REASON_INVALID_MASK = 1,
  REASON_UNSUPPORTED_VALUE = 3,
  REASON_OUT_OF_RANGE = 4,
  REASON_BUSY = 5
};

/* Used when the policy gives no wait: step 4 demands retry_after_ms > 0. */
#define BUSY_RETRY_DEFAULT_MS 1000u

static int nonempty_subset(uint32_t bits, uint32_t allowed) {
  return bits != 0 && (bits & ~allowed) == 0;
}

/* A clamp is usable when each axis has min <= max and a non-zero maximum. */
static int clamp_valid(const nnrp_profile_patch *c) {
  return c && c->max_width != 0 && c->max_height != 0 && c->min_width <= c->max_width &&
         c->min_height <= c->max_height;
}

/* Reason a single known field is refused, 0 when it may be applied (step 3). */
static uint16_t field_reason(const nnrp_patch_policy *pol, const nnrp_session_patch_meta *req,
                             const nnrp_profile_patch *clamp, uint32_t bit) {
  switch (bit) {
    case NNRP_PATCH_TARGET_CADENCE: {
      uint32_t v = req->target_cadence_x100;
      if (v == 0 || (pol->min_cadence_x100 && v < pol->min_cadence_x100) ||
          (pol->max_cadence_x100 && v > pol->max_cadence_x100))
        return REASON_OUT_OF_RANGE;
      return 0;
    }
    case NNRP_PATCH_QUALITY_TIER:
      if (req->quality_tier >= 32 || !(pol->quality_tier_mask & (1u << req->quality_tier)))
        return REASON_UNSUPPORTED_VALUE;
      return 0;
    case NNRP_PATCH_DEGRADE_POLICY:
      return req->degrade_policy > 3 ? REASON_UNSUPPORTED_VALUE : 0;
    case NNRP_PATCH_ACTIVE_LANE_MASK: {
      uint64_t lanes = req->active_lane_mask;
      uint64_t allowed =
          pol->max_lane_count >= 64 ? UINT64_MAX : ((uint64_t)1 << pol->max_lane_count) - 1;
      return lanes == 0 || (lanes & ~allowed) ? REASON_OUT_OF_RANGE : 0;
    }
    case NNRP_PATCH_PREFERRED_CODEC:
      return nonempty_subset(req->preferred_codec_bitmap, pol->accepted_codec_bitmap)
                 ? 0
                 : REASON_UNSUPPORTED_VALUE;
    case NNRP_PATCH_PREFERRED_COMPRESSION:
      return nonempty_subset(req->preferred_compression_bitmap, pol->accepted_compression_bitmap)
                 ? 0
                 : REASON_UNSUPPORTED_VALUE;
    default: /* NNRP_PATCH_PROFILE_PATCH; a missing block reads as an all-zero clamp */
      return clamp_valid(clamp) ? 0 : REASON_OUT_OF_RANGE;
  }
}

static void apply_field(nnrp_patch_effective *eff, const nnrp_session_patch_meta *req,
                        const nnrp_profile_patch *clamp, uint32_t bit) {
  switch (bit) {
    case NNRP_PATCH_TARGET_CADENCE:
      eff->target_cadence_x100 = req->target_cadence_x100;
      break;
    case NNRP_PATCH_QUALITY_TIER:
      eff->quality_tier = req->quality_tier;
      break;
    case NNRP_PATCH_DEGRADE_POLICY:
      eff->degrade_policy = req->degrade_policy;
      break;
    case NNRP_PATCH_ACTIVE_LANE_MASK:
      eff->lane_mask = req->active_lane_mask;
      break;
    case NNRP_PATCH_PREFERRED_CODEC:
      eff->codec_bitmap = req->preferred_codec_bitmap;
      break;
    case NNRP_PATCH_PREFERRED_COMPRESSION:
      eff->compression_bitmap = req->preferred_compression_bitmap;
      break;
    default:
      eff->has_clamp = 1;
      eff->clamp = *clamp;
      break;
  }
}

void nnrpi_patch_evaluate(const nnrp_patch_policy *pol, nnrp_patch_effective *eff,
                          const nnrp_session_patch_meta *req, const nnrp_profile_patch *clamp,
                          nnrp_session_patch_ack_meta *ack, nnrp_profile_patch *ack_clamp,
                          int *has_ack_clamp) {
  const uint32_t mask = req->patch_mask;
  uint32_t applied = 0, rejected = 0;
  uint16_t reason = REASON_NONE;
  int whole_patch_rejected = 0;
  memset(ack, 0, sizeof *ack);

  if (req->profile_id != 0 && req->profile_id != pol->active_profile_id) {
    /* Step 1: a profile the server does not run rejects the whole patch. */
    rejected = mask;
    reason = REASON_UNSUPPORTED_VALUE;
    whole_patch_rejected = 1;
  } else if (pol->busy) {
    /* Step 4: an overloaded server evaluates nothing. */
    rejected = mask;
    reason = REASON_BUSY;
    whole_patch_rejected = 1;
    ack->retry_after_ms =
        pol->busy_retry_after_ms ? pol->busy_retry_after_ms : BUSY_RETRY_DEFAULT_MS;
  } else {
    /* Steps 2-3 in bit order, so the first refused field names the reason.  Fields are
     * judged against the policy only, never against each other, so applying them as we go
     * gives the same result as applying them after the loop. */
    for (uint32_t i = 0; i < 32; i++) {
      uint32_t bit = 1u << i;
      if (!(mask & bit)) continue;
      uint16_t r = bit & PATCH_KNOWN ? field_reason(pol, req, clamp, bit) : REASON_INVALID_MASK;
      if (r) {
        rejected |= bit;
        if (reason == REASON_NONE) reason = r;
      } else {
        applied |= bit;
        apply_field(eff, req, clamp, bit);
      }
    }
  }

  /* Step 5. */
  ack->applied_patch_mask = applied;
  ack->rejected_patch_mask = rejected;
  ack->reject_reason = reason;
  if (whole_patch_rejected || (rejected && !applied))
    ack->ack_status = NNRP_PATCH_REJECTED;
  else if (rejected)
    ack->ack_status = NNRP_PATCH_PARTIALLY_APPLIED;
  else
    ack->ack_status = NNRP_PATCH_ACCEPTED;
  ack->effective_profile_id = eff->profile_id;
  ack->effective_target_cadence_x100 = eff->target_cadence_x100;
  ack->effective_quality_tier = eff->quality_tier;
  ack->effective_degrade_policy = eff->degrade_policy;
  ack->effective_lane_mask = eff->lane_mask;
  ack->effective_codec_bitmap = eff->codec_bitmap;
  ack->effective_compression_bitmap = eff->compression_bitmap;

  /* The clamp block: the effective clamp when one is defined; when a clamp was requested
   * but none is in effect, all zeros, which no valid clamp can be. */
  *has_ack_clamp = eff->has_clamp || (mask & NNRP_PATCH_PROFILE_PATCH);
  memset(ack_clamp, 0, sizeof *ack_clamp);
  if (eff->has_clamp) *ack_clamp = eff->clamp;
  ack->profile_patch_ack_bytes = *has_ack_clamp ? 16u : 0u;
}
