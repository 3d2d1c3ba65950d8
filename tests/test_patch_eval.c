/* SESSION_PATCH evaluation, session.md §2.5 server steps 1-7 (src/conn/patch_eval.c). */
#include <libnnrp/conn.h>

#include "conn/patch_eval.h"
#include "test.h"

static const nnrp_patch_policy policy = {
    .active_profile_id = 1,
    .min_cadence_x100 = 1000,
    .max_cadence_x100 = 12000,
    .quality_tier_mask = 0x7, /* tiers 0, 1, 2 */
    .accepted_codec_bitmap = 0x1,
    .accepted_compression_bitmap = 0x3,
    .max_lane_count = 4,
    .busy = 0,
    .busy_retry_after_ms = 0,
};

static nnrp_patch_effective initial(void) {
  nnrp_patch_effective e = {0};
  e.profile_id = 1;
  e.target_cadence_x100 = 3000;
  e.quality_tier = 2;
  e.degrade_policy = 1;
  e.lane_mask = 1;
  e.codec_bitmap = 1;
  e.compression_bitmap = 1;
  return e;
}

typedef struct result {
  nnrp_session_patch_ack_meta ack;
  nnrp_profile_patch clamp;
  int has_clamp;
} result;

static result eval(const nnrp_patch_policy *pol, nnrp_patch_effective *eff,
                   const nnrp_session_patch_meta *req, const nnrp_profile_patch *clamp) {
  result r;
  nnrpi_patch_evaluate(pol, eff, req, clamp, &r.ack, &r.clamp, &r.has_clamp);
  /* Every ACK the evaluator writes must be one the codec accepts. */
  uint8_t out[NNRP_SESSION_PATCH_ACK_META_LEN];
  CHECK_RC(nnrp_session_patch_ack_meta_encode(&r.ack, out), 0);
  CHECK_EQ(r.ack.applied_patch_mask & r.ack.rejected_patch_mask, 0);
  CHECK_EQ(r.ack.applied_patch_mask | r.ack.rejected_patch_mask, req->patch_mask);
  CHECK_EQ(r.ack.profile_patch_ack_bytes, r.has_clamp ? 16 : 0);
  return r;
}

/* The ACK carries the complete effective values. */
static void check_effective(const nnrp_session_patch_ack_meta *a, const nnrp_patch_effective *e) {
  CHECK_EQ(a->effective_profile_id, e->profile_id);
  CHECK_EQ(a->effective_target_cadence_x100, e->target_cadence_x100);
  CHECK_EQ(a->effective_quality_tier, e->quality_tier);
  CHECK_EQ(a->effective_degrade_policy, e->degrade_policy);
  CHECK(a->effective_lane_mask == e->lane_mask);
  CHECK_EQ(a->effective_codec_bitmap, e->codec_bitmap);
  CHECK_EQ(a->effective_compression_bitmap, e->compression_bitmap);
}

static int same_effective(const nnrp_patch_effective *a, const nnrp_patch_effective *b) {
  return a->profile_id == b->profile_id && a->target_cadence_x100 == b->target_cadence_x100 &&
         a->quality_tier == b->quality_tier && a->degrade_policy == b->degrade_policy &&
         a->lane_mask == b->lane_mask && a->codec_bitmap == b->codec_bitmap &&
         a->compression_bitmap == b->compression_bitmap && a->has_clamp == b->has_clamp &&
         (!a->has_clamp || memcmp(&a->clamp, &b->clamp, sizeof a->clamp) == 0);
}

static void test_empty_mask_reads_effective_values(void) {
  nnrp_patch_effective eff = initial(), before = eff;
  nnrp_session_patch_meta req = {0};
  req.target_cadence_x100 = 0; /* unmasked fields are ignored, even invalid ones */
  req.degrade_policy = 99;
  result r = eval(&policy, &eff, &req, NULL);
  CHECK_EQ(r.ack.ack_status, NNRP_PATCH_ACCEPTED);
  CHECK_EQ(r.ack.reject_reason, 0);
  CHECK_EQ(r.ack.applied_patch_mask, 0);
  CHECK_EQ(r.ack.rejected_patch_mask, 0);
  CHECK_EQ(r.ack.retry_after_ms, 0);
  CHECK(!r.has_clamp);
  CHECK(same_effective(&eff, &before));
  check_effective(&r.ack, &eff);
}

static void test_every_field_applied(void) {
  nnrp_patch_effective eff = initial();
  nnrp_patch_policy pol = policy;
  pol.accepted_codec_bitmap = 0x3;
  nnrp_session_patch_meta req = {0};
  req.patch_mask = 0x7F;
  req.target_cadence_x100 = 6000;
  req.quality_tier = 0;
  req.degrade_policy = 3;
  req.active_lane_mask = 0xF;
  req.preferred_codec_bitmap = 0x2;
  req.preferred_compression_bitmap = 0x3;
  req.profile_patch_bytes = 16;
  nnrp_profile_patch clamp = {320, 180, 1920, 1080};
  result r = eval(&pol, &eff, &req, &clamp);
  CHECK_EQ(r.ack.ack_status, NNRP_PATCH_ACCEPTED);
  CHECK_EQ(r.ack.reject_reason, 0);
  CHECK_EQ(r.ack.applied_patch_mask, 0x7F);
  CHECK_EQ(eff.target_cadence_x100, 6000);
  CHECK_EQ(eff.quality_tier, 0);
  CHECK_EQ(eff.degrade_policy, 3);
  CHECK(eff.lane_mask == 0xF);
  CHECK_EQ(eff.codec_bitmap, 2);
  CHECK_EQ(eff.compression_bitmap, 3);
  CHECK(eff.has_clamp);
  CHECK_MEM(&eff.clamp, sizeof clamp, &clamp, sizeof clamp);
  CHECK_EQ(eff.profile_id, 1);
  check_effective(&r.ack, &eff);
  CHECK(r.has_clamp);
  CHECK_MEM(&r.clamp, sizeof clamp, &clamp, sizeof clamp);
  /* A later patch of one field reports every effective value, the clamp included. */
  nnrp_session_patch_meta one = {0};
  one.patch_mask = NNRP_PATCH_QUALITY_TIER;
  one.quality_tier = 1;
  r = eval(&pol, &eff, &one, NULL);
  CHECK_EQ(r.ack.applied_patch_mask, NNRP_PATCH_QUALITY_TIER);
  CHECK_EQ(r.ack.effective_quality_tier, 1);
  CHECK_EQ(r.ack.effective_target_cadence_x100, 6000);
  CHECK(r.ack.effective_lane_mask == 0xF);
  CHECK(r.has_clamp);
  CHECK_MEM(&r.clamp, sizeof clamp, &clamp, sizeof clamp);
}

/* Step 1: a profile the server does not run rejects the whole patch with reason 3. */
static void test_unknown_profile_rejects_everything(void) {
  nnrp_patch_effective eff = initial(), before = eff;
  nnrp_session_patch_meta req = {0};
  req.profile_id = 2;
  req.patch_mask = NNRP_PATCH_TARGET_CADENCE | NNRP_PATCH_DEGRADE_POLICY;
  req.target_cadence_x100 = 6000;
  req.degrade_policy = 2;
  result r = eval(&policy, &eff, &req, NULL);
  CHECK_EQ(r.ack.ack_status, NNRP_PATCH_REJECTED);
  CHECK_EQ(r.ack.reject_reason, 3);
  CHECK_EQ(r.ack.applied_patch_mask, 0);
  CHECK_EQ(r.ack.rejected_patch_mask, 0x05);
  CHECK(same_effective(&eff, &before));
  check_effective(&r.ack, &eff);
  /* Even an empty mask is refused for an unknown profile. */
  req.patch_mask = 0;
  r = eval(&policy, &eff, &req, NULL);
  CHECK_EQ(r.ack.ack_status, NNRP_PATCH_REJECTED);
  CHECK_EQ(r.ack.reject_reason, 3);
  /* 0 (the current profile) and the active profile id are both accepted. */
  req.patch_mask = NNRP_PATCH_TARGET_CADENCE;
  req.profile_id = 1;
  r = eval(&policy, &eff, &req, NULL);
  CHECK_EQ(r.ack.ack_status, NNRP_PATCH_ACCEPTED);
  req.profile_id = 0;
  req.target_cadence_x100 = 5000;
  r = eval(&policy, &eff, &req, NULL);
  CHECK_EQ(r.ack.ack_status, NNRP_PATCH_ACCEPTED);
  CHECK_EQ(eff.target_cadence_x100, 5000);
}

/* Step 2: mask bits outside 0x7F are rejected with reason 1, the rest still evaluated. */
static void test_invalid_mask_bits(void) {
  nnrp_patch_effective eff = initial();
  nnrp_session_patch_meta req = {0};
  req.patch_mask = 0x80000081u;
  req.target_cadence_x100 = 2500;
  result r = eval(&policy, &eff, &req, NULL);
  CHECK_EQ(r.ack.ack_status, NNRP_PATCH_PARTIALLY_APPLIED);
  CHECK_EQ(r.ack.applied_patch_mask, 0x01);
  CHECK_EQ(r.ack.rejected_patch_mask, 0x80000080u);
  CHECK_EQ(r.ack.reject_reason, 1);
  CHECK_EQ(eff.target_cadence_x100, 2500);
  req.patch_mask = 0x100;
  r = eval(&policy, &eff, &req, NULL);
  CHECK_EQ(r.ack.ack_status, NNRP_PATCH_REJECTED);
  CHECK_EQ(r.ack.reject_reason, 1);
  CHECK_EQ(r.ack.rejected_patch_mask, 0x100);
}

/* One rejected field: status 2 (nothing applied), its reason, nothing changes. */
static void check_field_rejected(const nnrp_patch_policy *pol, const nnrp_session_patch_meta *req,
                                 const nnrp_profile_patch *clamp, uint16_t reason) {
  nnrp_patch_effective eff = initial(), before = eff;
  result r = eval(pol, &eff, req, clamp);
  CHECK_EQ(r.ack.ack_status, NNRP_PATCH_REJECTED);
  CHECK_EQ(r.ack.reject_reason, reason);
  CHECK_EQ(r.ack.rejected_patch_mask, req->patch_mask);
  CHECK(same_effective(&eff, &before));
}

static void check_field_applied(const nnrp_patch_policy *pol, const nnrp_session_patch_meta *req,
                                const nnrp_profile_patch *clamp) {
  nnrp_patch_effective eff = initial();
  result r = eval(pol, &eff, req, clamp);
  CHECK_EQ(r.ack.ack_status, NNRP_PATCH_ACCEPTED);
  CHECK_EQ(r.ack.applied_patch_mask, req->patch_mask);
}

static void test_cadence(void) {
  nnrp_session_patch_meta req = {0};
  req.patch_mask = NNRP_PATCH_TARGET_CADENCE;
  uint32_t bad[] = {0, 999, 12001, 0xFFFFFFFFu};
  for (size_t i = 0; i < 4; i++) {
    req.target_cadence_x100 = bad[i];
    check_field_rejected(&policy, &req, NULL, 4);
  }
  uint32_t good[] = {1000, 6000, 12000};
  for (size_t i = 0; i < 3; i++) {
    req.target_cadence_x100 = good[i];
    check_field_applied(&policy, &req, NULL);
  }
  /* Without a window every non-zero cadence is in range; 0 never is. */
  nnrp_patch_policy open = policy;
  open.min_cadence_x100 = open.max_cadence_x100 = 0;
  req.target_cadence_x100 = 1;
  check_field_applied(&open, &req, NULL);
  req.target_cadence_x100 = 0xFFFFFFFFu;
  check_field_applied(&open, &req, NULL);
  req.target_cadence_x100 = 0;
  check_field_rejected(&open, &req, NULL, 4);
}

static void test_quality_tier_and_degrade_policy(void) {
  nnrp_session_patch_meta req = {0};
  req.patch_mask = NNRP_PATCH_QUALITY_TIER;
  req.quality_tier = 3;
  check_field_rejected(&policy, &req, NULL, 3);
  req.quality_tier = 40; /* beyond the 32-bit tier mask */
  check_field_rejected(&policy, &req, NULL, 3);
  req.quality_tier = 1;
  check_field_applied(&policy, &req, NULL);
  req.patch_mask = NNRP_PATCH_DEGRADE_POLICY;
  req.degrade_policy = 4;
  check_field_rejected(&policy, &req, NULL, 3);
  for (uint16_t d = 0; d <= 3; d++) {
    req.degrade_policy = d;
    check_field_applied(&policy, &req, NULL);
  }
}

static void test_lane_mask(void) {
  nnrp_session_patch_meta req = {0};
  req.patch_mask = NNRP_PATCH_ACTIVE_LANE_MASK;
  req.active_lane_mask = 0;
  check_field_rejected(&policy, &req, NULL, 4);
  req.active_lane_mask = 0x10; /* lane 4 with max_lane_count 4 */
  check_field_rejected(&policy, &req, NULL, 4);
  req.active_lane_mask = 0x8000000000000001ull;
  check_field_rejected(&policy, &req, NULL, 4);
  req.active_lane_mask = 0xF;
  check_field_applied(&policy, &req, NULL);
  nnrp_patch_policy wide = policy;
  wide.max_lane_count = 64;
  req.active_lane_mask = UINT64_MAX;
  check_field_applied(&wide, &req, NULL);
  wide.max_lane_count = 0;
  req.active_lane_mask = 1;
  check_field_rejected(&wide, &req, NULL, 4);
}

static void test_codec_and_compression(void) {
  nnrp_session_patch_meta req = {0};
  req.patch_mask = NNRP_PATCH_PREFERRED_CODEC;
  req.preferred_codec_bitmap = 0;
  check_field_rejected(&policy, &req, NULL, 3);
  req.preferred_codec_bitmap = 0x3; /* accepted is 0x1 */
  check_field_rejected(&policy, &req, NULL, 3);
  req.preferred_codec_bitmap = 0x1;
  check_field_applied(&policy, &req, NULL);
  req.patch_mask = NNRP_PATCH_PREFERRED_COMPRESSION;
  req.preferred_compression_bitmap = 0;
  check_field_rejected(&policy, &req, NULL, 3);
  req.preferred_compression_bitmap = 0x4;
  check_field_rejected(&policy, &req, NULL, 3);
  req.preferred_compression_bitmap = 0x2;
  check_field_applied(&policy, &req, NULL);
}

static void test_clamp(void) {
  nnrp_session_patch_meta req = {0};
  req.patch_mask = NNRP_PATCH_PROFILE_PATCH;
  req.profile_patch_bytes = 16;
  const nnrp_profile_patch bad[] = {
      {641, 180, 640, 1080},   /* min_width > max_width */
      {320, 1081, 1920, 1080}, /* min_height > max_height */
      {0, 0, 0, 1080},         /* zero width extent */
      {0, 0, 1920, 0},         /* zero height extent */
      {0, 0, 0, 0},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    nnrp_patch_effective eff = initial();
    result r = eval(&policy, &eff, &req, &bad[i]);
    CHECK_EQ(r.ack.ack_status, NNRP_PATCH_REJECTED);
    CHECK_EQ(r.ack.reject_reason, 4);
    CHECK(!eff.has_clamp);
    /* Requested but undefined: the block is present and all zeros. */
    CHECK(r.has_clamp);
    CHECK(r.clamp.min_width == 0 && r.clamp.min_height == 0 && r.clamp.max_width == 0 &&
          r.clamp.max_height == 0);
  }
  /* Mask bit 0x40 without a block reads as an all-zero clamp. */
  req.profile_patch_bytes = 0;
  check_field_rejected(&policy, &req, NULL, 4);
  /* A clamp that is a single size (min == max) and one with no lower bound are valid. */
  req.profile_patch_bytes = 16;
  const nnrp_profile_patch exact = {640, 360, 640, 360}, upper = {0, 0, 1, 1};
  check_field_applied(&policy, &req, &exact);
  check_field_applied(&policy, &req, &upper);
  /* A rejected clamp patch keeps the previous clamp and reports it. */
  nnrp_patch_effective eff = initial();
  eff.has_clamp = 1;
  eff.clamp = exact;
  result r = eval(&policy, &eff, &req, &bad[0]);
  CHECK_EQ(r.ack.reject_reason, 4);
  CHECK(r.has_clamp);
  CHECK_MEM(&r.clamp, sizeof exact, &exact, sizeof exact);
  /* A block without mask bit 0x40 is ignored. */
  req.patch_mask = 0;
  eff = initial();
  r = eval(&policy, &eff, &req, &exact);
  CHECK(!eff.has_clamp);
  CHECK(!r.has_clamp);
}

/* Step 5: the first rejected field in bit order names the reason; statuses 0 / 1 / 2. */
static void test_first_reason_in_bit_order(void) {
  nnrp_patch_effective eff = initial();
  nnrp_session_patch_meta req = {0};
  req.patch_mask = 0x7F | 0x200;
  req.target_cadence_x100 = 6000;                /* ok */
  req.quality_tier = 9;                          /* 3 */
  req.degrade_policy = 0;                        /* ok */
  req.active_lane_mask = 0;                      /* 4 */
  req.preferred_codec_bitmap = 1;                /* ok */
  req.preferred_compression_bitmap = 8;          /* 3 */
  const nnrp_profile_patch clamp = {9, 9, 1, 1}; /* 4 */
  result r = eval(&policy, &eff, &req, &clamp);
  CHECK_EQ(r.ack.ack_status, NNRP_PATCH_PARTIALLY_APPLIED);
  CHECK_EQ(r.ack.applied_patch_mask, 0x15);
  CHECK_EQ(r.ack.rejected_patch_mask, 0x26A);
  CHECK_EQ(r.ack.reject_reason, 3);
  CHECK_EQ(eff.target_cadence_x100, 6000);
  CHECK_EQ(eff.degrade_policy, 0);
  CHECK_EQ(eff.quality_tier, 2);
  check_effective(&r.ack, &eff);
  /* With the cadence out of range it is the first rejected field: reason 4. */
  req.target_cadence_x100 = 0;
  eff = initial();
  r = eval(&policy, &eff, &req, &clamp);
  CHECK_EQ(r.ack.reject_reason, 4);
  CHECK_EQ(r.ack.applied_patch_mask, 0x14);
  /* Everything refused: status 2 with the first reason. */
  req.patch_mask = 0x0A; /* tier (3) then lanes (4) */
  eff = initial();
  r = eval(&policy, &eff, &req, &clamp);
  CHECK_EQ(r.ack.ack_status, NNRP_PATCH_REJECTED);
  CHECK_EQ(r.ack.reject_reason, 3);
}

/* Step 4: a busy server rejects everything with reason 5 and a wait. */
static void test_busy(void) {
  nnrp_patch_policy pol = policy;
  pol.busy = 1;
  pol.busy_retry_after_ms = 250;
  nnrp_patch_effective eff = initial(), before = eff;
  nnrp_session_patch_meta req = {0};
  req.patch_mask = NNRP_PATCH_TARGET_CADENCE | NNRP_PATCH_QUALITY_TIER | 0x80;
  req.target_cadence_x100 = 6000;
  req.quality_tier = 1;
  result r = eval(&pol, &eff, &req, NULL);
  CHECK_EQ(r.ack.ack_status, NNRP_PATCH_REJECTED);
  CHECK_EQ(r.ack.reject_reason, 5);
  CHECK_EQ(r.ack.applied_patch_mask, 0);
  CHECK_EQ(r.ack.rejected_patch_mask, 0x83);
  CHECK_EQ(r.ack.retry_after_ms, 250);
  CHECK(same_effective(&eff, &before));
  check_effective(&r.ack, &eff);
  pol.busy_retry_after_ms = 0;
  r = eval(&pol, &eff, &req, NULL);
  CHECK_EQ(r.ack.retry_after_ms, 1000);
}

/* session_patch.bin (profile 0, mask 0x51: cadence 6000, codec 0x3, clamp 320x180..1920x1080)
 * against a server accepting only codec 0x1: cadence and clamp applied, codec refused. */
static void test_vector_session_patch(void) {
  size_t len = 0;
  uint8_t *bin = test_read_file(test_vector_path("session_patch.bin"), &len);
  CHECK(bin != NULL);
  if (!bin) return;
  nnrp_packet p;
  CHECK_RC(nnrp_packet_decode(&p, bin, len, NULL, NULL), 0);
  CHECK_EQ(p.header.msg_type, NNRP_MSG_SESSION_PATCH);
  CHECK(p.has_profile_patch);
  nnrp_patch_effective eff = initial();
  result r = eval(&policy, &eff, &p.meta.session_patch, &p.profile_patch);
  nnrp_packet_params pp = {.session_id = p.header.session_id, .trace_id = p.header.trace_id};
  uint8_t out[128];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, out, sizeof out);
  CHECK_RC(nnrp_build_session_patch_ack(&pp, &r.ack, r.has_clamp ? &r.clamp : NULL, &s), 0);
  size_t want_len = 0;
  uint8_t *want = test_hex_decode(
      /* header: SESSION_PATCH_ACK, meta 48, body 16, session 11, trace 1 */
      "4e4e5250010004280000000030000000100000000b0000000000000000000000"
      "0100000000000000"
      /* status 1, reason 3, applied 0x41, rejected 0x10, retry 0, profile 1, reserved */
      "0100030041000000100000000000000001000000"
      /* cadence 6000, tier 2, degrade 1, lanes 1, codec 1, compression 1, ack bytes 16 */
      "701700000200010001000000000000000100000001000000"
      "10000000"
      /* effective clamp 320, 180, 1920, 1080 */
      "40010000b40000008007000038040000",
      &want_len);
  CHECK(want != NULL);
  if (want) CHECK_MEM(out, s.total, want, want_len);
  free(want);
  free(bin);
}

int main(void) {
  RUN(test_empty_mask_reads_effective_values);
  RUN(test_every_field_applied);
  RUN(test_unknown_profile_rejects_everything);
  RUN(test_invalid_mask_bits);
  RUN(test_cadence);
  RUN(test_quality_tier_and_degrade_policy);
  RUN(test_lane_mask);
  RUN(test_codec_and_compression);
  RUN(test_clamp);
  RUN(test_first_reason_in_bit_order);
  RUN(test_busy);
  RUN(test_vector_session_patch);
  return TEST_REPORT();
}
