/*
 * Region bodies against hostile and rejected input: every region body the reference SDK rejects
 * (shared/vectors/invalid-examples.json) comes out with the code of the rule it names, and
 * truncated, mutated or random bodies never make the decoder or the iterators read outside the
 * input (run under AddressSanitizer).
 */
#include "region_test_util.h"

/* ---- the reference SDK's rejected bodies ----------------------------------------------------- */

struct stem_code {
  const char *stem;
  int err;
};

/* Message stems of the reference for the B-rules (§9.1, §9.2, §9.3, §10.1, §10.3). */
static const struct stem_code b_stems[] = {
    {"for current body prelude", NNRP_ERR_PRELUDE_TRUNCATED},
    {"body_flags must be 0", NNRP_ERR_PRELUDE_BODY_FLAGS},
    {"reserved must be 0 in current body prelude", NNRP_ERR_PRELUDE_RESERVED},
    {"typed_payload_descriptor_bytes must be a multiple", NNRP_ERR_PRELUDE_TYPED_ALIGN},
    {"extension_descriptor_bytes must be a multiple", NNRP_ERR_PRELUDE_EXT_ALIGN},
    {"current body length mismatch", NNRP_ERR_PRELUDE_BODY_LEN},
    {"ends before a full block header", NNRP_ERR_INLINE_TRUNCATED_HEADER},
    {"ends before declared block payload", NNRP_ERR_INLINE_TRUNCATED_PAYLOAD},
    {"padding bytes must be zero", NNRP_ERR_INLINE_PADDING},
    {"is not a valid CacheObjectKind", NNRP_ERR_OBJECT_KIND},
    {"object_flags must be 0", NNRP_ERR_INLINE_FLAGS},
    {"reserved0 must be 0 in current inline", NNRP_ERR_INLINE_RESERVED},
    {"reserved1 must be 0 in current inline", NNRP_ERR_INLINE_RESERVED},
    {"object reference block payload length", NNRP_ERR_REF_REGION_ALIGN},
    {"ref_flags must be 0", NNRP_ERR_REF_FLAGS},
    {"payload_kind_bitmap contains unknown bits", NNRP_ERR_TYPED_KIND_BITS},
    {"exactly one current payload kind bit", NNRP_ERR_TYPED_KIND_NOT_SINGLE},
    {"descriptor_flags must be 0", NNRP_ERR_TYPED_FLAGS},
    {"reserved must be 0 in current typed", NNRP_ERR_TYPED_RESERVED},
    {"typed payload frame region descriptors must be ordered", NNRP_ERR_TYPED_ORDER},
    {"typed payload frame region is shorter", NNRP_ERR_TYPED_RANGE},
    {"extension_flags contains unknown bits", NNRP_ERR_EXT_FRAME_FLAGS},
    {"reserved0 must be 0 in current extension", NNRP_ERR_EXT_FRAME_RESERVED},
    {"extension payload region descriptors must be ordered", NNRP_ERR_EXT_FRAME_ORDER},
    {"extension payload region is shorter", NNRP_ERR_EXT_FRAME_RANGE},
};

static int expected_b_code(const char *msg) {
  for (size_t i = 0; i < sizeof(b_stems) / sizeof(b_stems[0]); i++)
    if (strstr(msg, b_stems[i].stem)) return b_stems[i].err;
  return 0;
}

static int is_region_parser(const char *parser) {
  return strcmp(parser, "validate_frame_submit_body") == 0 ||
         strcmp(parser, "validate_result_push_body") == 0 ||
         strcmp(parser, "unpack_extension_frames") == 0 ||
         strcmp(parser, "unpack_typed_payload_frames") == 0;
}

/*
 * Every region body the reference rejects: a B-rule message must come out of nnrp_body_unpack
 * as its code (both profiles); a later rule (T, M, R, C, unknown critical) must pass it.
 */
static void test_reference_rejections(void) {
  json_error_t jerr;
  json_t *root = json_load_file(test_vector_path("invalid-examples.json"), 0, &jerr);
  CHECK(root != NULL);
  if (!root) return;
  const json_t *list = json_object_get(root, "examples");
  int b_rules = 0, later_rules = 0;
  for (size_t i = 0; i < json_array_size(list); i++) {
    const json_t *e = json_array_get(list, i);
    const char *parser = json_string_value(json_object_get(e, "parser"));
    if (!is_region_parser(parser)) continue;
    const char *name = json_string_value(json_object_get(e, "name"));
    const char *msg = json_string_value(json_object_get(e, "error_message"));
    size_t n;
    uint8_t *pkt = test_hex_decode(json_string_value(json_object_get(e, "hex")), &n);
    CHECK(pkt != NULL && n >= 40);
    if (!pkt) continue;
    nnrp_vec body = packet_body(pkt, n);
    int want = expected_b_code(msg);
    for (int compat = 0; compat < 2; compat++) {
      nnrp_diag d;
      int rc = unpack(body.base, body.len, compat ? NNRP_DECODE_PY_COMPAT : 0, &d);
      if (rc != want) {
        fprintf(stderr, "  %s (%s): got %s, expected %s\n", name, msg, nnrp_err_name(rc),
                nnrp_err_name(want));
        test_failures++;
      }
      if (rc) CHECK(d.offset < body.len || (rc == NNRP_ERR_PRELUDE_TRUNCATED && d.offset == 0));
    }
    if (want) b_rules++;
    else later_rules++;
    free(pkt);
  }
  CHECK(b_rules >= 30);
  CHECK(later_rules >= 30);

  /* What the reference accepts and the strict profile does not (D8). */
  static const struct stem_code accepts[] = {
      {"typed.gap_between_frames", NNRP_ERR_TYPED_LAYOUT},
      {"typed.unreferenced_trailing_bytes", NNRP_ERR_TYPED_LAYOUT},
      {"ext.region_without_descriptors", NNRP_ERR_EXT_FRAME_LAYOUT},
  };
  list = json_object_get(root, "oracle_accepts");
  int found = 0;
  for (size_t i = 0; i < json_array_size(list); i++) {
    const json_t *e = json_array_get(list, i);
    const char *name = json_string_value(json_object_get(e, "name"));
    for (size_t k = 0; k < sizeof(accepts) / sizeof(accepts[0]); k++) {
      if (strcmp(name, accepts[k].stem) != 0) continue;
      size_t n;
      uint8_t *pkt = test_hex_decode(json_string_value(json_object_get(e, "hex")), &n);
      if (!pkt) continue;
      nnrp_vec body = packet_body(pkt, n);
      nnrp_diag d;
      CHECK_RC(unpack(body.base, body.len, 0, &d), accepts[k].err);
      CHECK_RC(unpack(body.base, body.len, NNRP_DECODE_PY_COMPAT, &d), 0);
      found++;
      free(pkt);
    }
  }
  CHECK_EQ(found, 3);
  json_decref(root);
}

/* ---- hostile input --------------------------------------------------------------------------- */

/* Walk everything a successful unpack exposes, touching every byte of every view. */
static unsigned touch_all(const nnrp_vec r[6]) {
  unsigned sum = 0;
  nnrp_inline_object_iter it;
  nnrp_inline_object o;
  nnrp_inline_object_iter_init(&it, r[NNRP_REGION_INLINE_OBJECTS]);
  while (nnrp_inline_object_iter_next(&it, &o))
    for (size_t i = 0; i < o.payload.len; i++) sum += o.payload.base[i];
  for (size_t i = 0; i < r[NNRP_REGION_OBJECT_REFERENCES].len / 16; i++) {
    nnrp_object_ref ref;
    nnrp_object_ref_at(&r[NNRP_REGION_OBJECT_REFERENCES], i, &ref);
    sum += ref.object_kind;
  }
  for (size_t i = 0; i < r[NNRP_REGION_TYPED_DESCRIPTORS].len / 16; i++) {
    nnrp_typed_frame f;
    nnrp_typed_frame_at(r[NNRP_REGION_TYPED_DESCRIPTORS], r[NNRP_REGION_TYPED_FRAMES], i, &f);
    for (size_t k = 0; k < f.payload.len; k++) sum += f.payload.base[k];
  }
  for (size_t i = 0; i < r[NNRP_REGION_EXT_DESCRIPTORS].len / 16; i++) {
    nnrp_ext_frame f;
    nnrp_ext_frame_at(r[NNRP_REGION_EXT_DESCRIPTORS], r[NNRP_REGION_EXT_PAYLOADS], i, &f);
    for (size_t k = 0; k < f.payload.len; k++) sum += f.payload.base[k];
  }
  return sum;
}

/* Unpack from an exactly-sized heap copy, so that any read past the end is caught by ASan. */
static int unpack_copy(const uint8_t *src, size_t len, uint32_t flags) {
  uint8_t *copy = malloc(len ? len : 1);
  if (len) memcpy(copy, src, len);
  nnrp_vec r[6];
  nnrp_diag d;
  int rc = nnrp_body_unpack(r, copy, len, flags, &d);
  if (rc == 0) (void)touch_all(r);
  else if (d.error != rc) test_failures++;
  free(copy);
  return rc;
}

static const char *const body_vectors[] = {
    "E3.frame_submit_typed_packet", "E5.frame_submit_mixed_packet",
    "E6.result_push_typed_packet", "E7.result_push_mixed_packet",
    "E10.frame_submit_mixed_mode_camera_reference"};

static void test_truncation_every_offset(void) {
  for (size_t v = 0; v < sizeof(body_vectors) / sizeof(body_vectors[0]); v++) {
    size_t n;
    uint8_t *pkt = vector(body_vectors[v], &n);
    if (!pkt) continue;
    nnrp_vec body = packet_body(pkt, n);
    for (size_t len = 0; len < body.len; len++) {
      int rc = unpack_copy(body.base, len, 0);
      CHECK_EQ(rc, len < 32 ? NNRP_ERR_PRELUDE_TRUNCATED : NNRP_ERR_PRELUDE_BODY_LEN);
    }
    CHECK_EQ(unpack_copy(body.base, body.len, 0), 0);
    free(pkt);
  }
}

/* Every byte of every vector body set to a few values: whatever the verdict, no stray read. */
static void test_mutations_never_crash(void) {
  static const uint8_t values[] = {0x00, 0x01, 0x07, 0x10, 0x7F, 0x80, 0xFF};
  for (size_t v = 0; v < sizeof(body_vectors) / sizeof(body_vectors[0]); v++) {
    size_t n;
    uint8_t *pkt = vector(body_vectors[v], &n);
    if (!pkt) continue;
    nnrp_vec body = packet_body(pkt, n);
    uint8_t *m = malloc(body.len);
    for (size_t i = 0; i < body.len; i++) {
      for (size_t k = 0; k < sizeof(values); k++) {
        memcpy(m, body.base, body.len);
        m[i] = values[k];
        (void)unpack_copy(m, body.len, 0);
        (void)unpack_copy(m, body.len, NNRP_DECODE_PY_COMPAT);
      }
    }
    free(m);
    free(pkt);
  }
}

/* xorshift64: a fixed sequence, so that a failure reproduces. */
static uint32_t rnd(uint64_t *x) {
  *x ^= *x << 13;
  *x ^= *x >> 7;
  *x ^= *x << 17;
  return (uint32_t)(*x >> 11);
}

/* Descriptors with small offsets and lengths, mostly ordered, over a region of `*data` bytes. */
static size_t random_descs(uint64_t *x, uint8_t *p, int typed, size_t *data) {
  size_t count = rnd(x) % 4, at = 0;
  uint32_t off = 0;
  for (size_t i = 0; i < count; i++, at += 16) {
    uint32_t len = rnd(x) % 6;
    if (rnd(x) % 4 == 0) off = rnd(x) % 8;
    if (typed) typed_desc(p + at, (uint8_t)(1u << (rnd(x) % 8)), 0, off, len, 0);
    else ext_desc(p + at, (uint16_t)rnd(x), (uint16_t)(rnd(x) % 3), 0, off, len);
    off += len;
  }
  *data = off + (rnd(x) % 4 == 0 ? rnd(x) % 3 : 0);
  return at;
}

/* Random bodies built from plausible structures and then damaged in a few bytes. */
static void test_random_bodies(void) {
  uint64_t x = 0x9E3779B97F4A7C15u;
  static uint8_t b[1024];
  int accepted = 0, rejected = 0;
  for (int iter = 0; iter < 20000; iter++) {
    uint8_t inl[160], refs[64], td[64], ed[64];
    size_t inl_len = 0, ref_len = 0, tf_len, ep_len;
    for (uint32_t k = rnd(&x) % 3; k > 0; k--) {
      uint32_t bytes = rnd(&x) % 12;
      put_block(inl + inl_len, (uint16_t)(rnd(&x) % 11), 0, 0, bytes, 0);
      memset(inl + inl_len + 16, 0, nnrp_align8(bytes));
      memset(inl + inl_len + 16, 0x61, bytes);
      inl_len += 16 + nnrp_align8(bytes);
    }
    for (uint32_t k = rnd(&x) % 3; k > 0; k--, ref_len += 16) {
      nnrp_object_ref r = {(uint16_t)(1 + rnd(&x) % 9), 0, rnd(&x), rnd(&x), rnd(&x)};
      nnrp_object_ref_encode(&r, refs + ref_len);
    }
    size_t td_len = random_descs(&x, td, 1, &tf_len);
    size_t ed_len = random_descs(&x, ed, 0, &ep_len);

    set_prelude(b, (uint32_t)inl_len, (uint32_t)ref_len, (uint32_t)td_len, (uint32_t)tf_len,
                (uint32_t)ed_len, (uint32_t)ep_len, 0, 0);
    size_t at = 32;
    memcpy(b + at, inl, inl_len);
    at += inl_len;
    memcpy(b + at, refs, ref_len);
    at += ref_len;
    memcpy(b + at, td, td_len);
    at += td_len;
    memset(b + at, 0x74, tf_len);
    at += tf_len;
    memcpy(b + at, ed, ed_len);
    at += ed_len;
    memset(b + at, 0x65, ep_len);
    at += ep_len;
    for (uint32_t k = rnd(&x) % 3; k > 0; k--) b[rnd(&x) % at] = (uint8_t)rnd(&x);

    if (unpack_copy(b, at, NNRP_DECODE_PY_COMPAT) == 0) accepted++;
    else rejected++;
    (void)unpack_copy(b, at, 0);
  }
  CHECK(accepted > 1000);
  CHECK(rejected > 1000);
}

int main(void) {
  RUN(test_reference_rejections);
  RUN(test_truncation_every_offset);
  RUN(test_mutations_never_crash);
  RUN(test_random_bodies);
  vectors_free();
  return TEST_REPORT();
}
