/*
 * Typed payload frames and extension frames (wire-data §10): descriptor golden bytes, packing
 * (contiguous offsets, scatter-gather), the descriptor and offset rules with their codes, the
 * logical-frame checks, E8's critical semantics, and the body <-> metadata checks T1-T4.
 */
#include "region_test_util.h"
#include "wire/typed_int.h"

/* ---- helpers ------------------------------------------------------------------------------- */

static nnrp_vec bytes(const char *s) {
  nnrp_vec v = {(const uint8_t *)s, strlen(s)};
  return v;
}

static int typed_validate(const uint8_t *desc, size_t dlen, size_t flen, nnrp_diag *d) {
  static const uint8_t frames[64];
  nnrp_vec dv = {desc, dlen}, fv = {frames, flen};
  d->error = 0;
  d->offset = (size_t)-1;
  return nnrp_typed_regions_validate(dv, fv, d);
}

static int ext_validate(const uint8_t *desc, size_t dlen, size_t plen, nnrp_diag *d) {
  static const uint8_t payloads[64];
  nnrp_vec dv = {desc, dlen}, pv = {payloads, plen};
  d->error = 0;
  d->offset = (size_t)-1;
  return nnrp_ext_regions_validate(dv, pv, d);
}

#define CHECK_DIAG(call, err, off)   \
  do {                               \
    nnrp_diag d_;                    \
    CHECK_RC(call, (err));           \
    if (err) {                       \
      CHECK_EQ(d_.error, (err));     \
      CHECK_EQ(d_.offset, (off));    \
    }                                \
  } while (0)

/* ---- descriptors ----------------------------------------------------------------------------- */

static void test_typed_descriptor_golden(void) {
  size_t n;
  uint8_t *want = vector("current.typed_payload.descriptor", &n);
  if (!want) return;
  nnrp_typed_desc d = {NNRP_PAYLOAD_STRUCTURED_EVENT, 0, 3, 4, 7, 0};
  uint8_t out[16];
  nnrp_typed_desc_encode(&d, out);
  CHECK_MEM(out, 16, want, n);
  nnrp_typed_desc g;
  memset(&g, 0xAA, sizeof(g));
  nnrp_typed_desc_decode(&g, want);
  CHECK_EQ(g.payload_kind, 0x10);
  CHECK_EQ(g.descriptor_flags, 0);
  CHECK_EQ(g.profile_id, 3);
  CHECK_EQ(g.payload_offset, 4);
  CHECK_EQ(g.payload_length, 7);
  CHECK_EQ(g.reserved, 0);
  free(want);
}

static void test_ext_descriptor_codec(void) {
  nnrp_ext_frame_desc d = {0x1234, 0x0001, 0x5678, 0x9ABC, 0x01020304, 0x05060708};
  uint8_t out[16];
  nnrp_ext_frame_desc_encode(&d, out);
  static const uint8_t want[16] = {0x34, 0x12, 0x01, 0x00, 0x78, 0x56, 0xBC, 0x9A,
                                   0x04, 0x03, 0x02, 0x01, 0x08, 0x07, 0x06, 0x05};
  CHECK_MEM(out, 16, want, 16);
  nnrp_ext_frame_desc g;
  nnrp_ext_frame_desc_decode(&g, out);
  CHECK(memcmp(&g, &d, sizeof(d)) == 0);
}

/* ---- packing --------------------------------------------------------------------------------- */

/* The four frames of the golden typed region, each payload in its own spot of one pool so that
 * no two payloads are adjacent in memory (the scatter-gather sink would merge those). */
static char pool[] = "tok#au#video#evt";
static void golden_frames(nnrp_typed_frame f[4]) {
  const nnrp_typed_frame g[4] = {
      {NNRP_PAYLOAD_TOKEN_CHUNK, 0, 1, {(const uint8_t *)pool, 3}},
      {NNRP_PAYLOAD_AUDIO_CHUNK, 0, 2, {(const uint8_t *)pool + 4, 2}},
      {NNRP_PAYLOAD_VIDEO_CHUNK, 0, 3, {(const uint8_t *)pool + 7, 5}},
      {NNRP_PAYLOAD_STRUCTURED_EVENT, 0, 4, {(const uint8_t *)pool + 13, 3}},
  };
  memcpy(f, g, sizeof(g));
}

static void test_typed_pack_golden(void) {
  size_t dn, fn;
  uint8_t *want_desc = vector("current.typed_payload.frame_descriptor_region", &dn);
  uint8_t *want_frames = vector("current.typed_payload.frame_region", &fn);
  if (!want_desc || !want_frames) return;
  nnrp_typed_frame f[4];
  golden_frames(f);

  uint8_t dbuf[64], fbuf[16];
  nnrp_sink ds, fs;
  nnrp_sink_init_buffer(&ds, dbuf, sizeof(dbuf));
  nnrp_sink_init_buffer(&fs, fbuf, sizeof(fbuf));
  CHECK_RC(nnrp_typed_frames_pack(f, 4, &ds, &fs), 0);
  CHECK_MEM(dbuf, ds.len, want_desc, dn);
  CHECK_MEM(fbuf, fs.len, want_frames, fn);

  /* One sink for both: the two regions back to back, as in a body. */
  uint8_t both[96];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, both, sizeof(both));
  CHECK_RC(nnrp_typed_frames_pack(f, 4, &s, &s), 0);
  CHECK_EQ(s.len, 77);
  CHECK_MEM(both, 64, want_desc, dn);
  CHECK_MEM(both + 64, 13, want_frames, fn);

  /* The packed regions validate and give the frames back, as views into the region. */
  nnrp_vec dv = {dbuf, 64}, fv = {fbuf, 13};
  nnrp_diag d;
  CHECK_RC(nnrp_typed_regions_validate(dv, fv, &d), 0);
  for (size_t i = 0; i < 4; i++) {
    nnrp_typed_frame g;
    nnrp_typed_frame_at(dv, fv, i, &g);
    CHECK_EQ(g.payload_kind, f[i].payload_kind);
    CHECK_EQ(g.profile_id, f[i].profile_id);
    CHECK_EQ(g.descriptor_flags, 0);
    CHECK_MEM(g.payload.base, g.payload.len, f[i].payload.base, f[i].payload.len);
    CHECK(g.payload.base >= fbuf && g.payload.base + g.payload.len <= fbuf + 13);
  }

  /* Count sinks and no frames. */
  nnrp_sink_init_count(&ds);
  nnrp_sink_init_count(&fs);
  CHECK_RC(nnrp_typed_frames_pack(f, 4, &ds, &fs), 0);
  CHECK_EQ(ds.total, 64);
  CHECK_EQ(fs.total, 13);
  nnrp_sink_init_count(&ds);
  CHECK_RC(nnrp_typed_frames_pack(NULL, 0, &ds, &ds), 0);
  CHECK_EQ(ds.total, 0);
  CHECK_RC(nnrp_typed_frames_pack(NULL, 1, &ds, &ds), NNRP_ERR_INVALID_ARGUMENT);

  /* Too small: the sink's error. */
  nnrp_sink_init_buffer(&ds, dbuf, 40);
  nnrp_sink_init_buffer(&fs, fbuf, sizeof(fbuf));
  CHECK_RC(nnrp_typed_frames_pack(f, 4, &ds, &fs), NNRP_ERR_BUFFER_TOO_SMALL);
  nnrp_sink_init_buffer(&ds, dbuf, sizeof(dbuf));
  nnrp_sink_init_buffer(&fs, fbuf, 12);
  CHECK_RC(nnrp_typed_frames_pack(f, 4, &ds, &fs), NNRP_ERR_BUFFER_TOO_SMALL);
  free(want_desc);
  free(want_frames);
}

/* Payloads go out as views of the caller's memory; descriptors are the only copied bytes. */
static void test_typed_pack_scatter_gather(void) {
  nnrp_typed_frame f[4];
  golden_frames(f);
  uint8_t scratch[64];
  nnrp_vec iov[8];
  nnrp_sink s;
  nnrp_sink_init_iov(&s, scratch, sizeof(scratch), iov, 8, 1);
  CHECK_RC(nnrp_typed_frames_pack(f, 4, &s, &s), 0);
  CHECK_EQ(s.len, 64);   /* only the descriptor region sits in scratch */
  CHECK_EQ(s.iov_count, 5);
  CHECK(iov[0].base == scratch && iov[0].len == 64);
  for (size_t i = 0; i < 4; i++) {
    CHECK(iov[1 + i].base == f[i].payload.base);
    CHECK_EQ(iov[1 + i].len, f[i].payload.len);
  }
  /* Below the zero-copy threshold payloads are copied instead. */
  nnrp_sink_init_iov(&s, scratch, sizeof(scratch), iov, 8, 4);
  CHECK_RC(nnrp_typed_frames_pack(f, 4, &s, &s), NNRP_ERR_BUFFER_TOO_SMALL);
  uint8_t big[96];
  nnrp_sink_init_iov(&s, big, sizeof(big), iov, 8, 4);
  CHECK_RC(nnrp_typed_frames_pack(f, 4, &s, &s), 0);
  CHECK_EQ(s.len, 64 + 3 + 2 + 3);
  CHECK_EQ(s.total, 77);
  int video_is_view = 0;
  for (size_t i = 0; i < s.iov_count; i++)
    if (iov[i].base == f[2].payload.base && iov[i].len == 5) video_is_view = 1;
  CHECK(video_is_view);
}

static void test_typed_pack_rules(void) {
  uint8_t buf[128];
  struct {
    uint8_t kind, flags;
    int err;
  } cases[] = {
      {0x00, 0, NNRP_ERR_TYPED_KIND_NOT_SINGLE}, {0x80, 0, NNRP_ERR_TYPED_KIND_BITS},
      {0x81, 0, NNRP_ERR_TYPED_KIND_BITS},       {0x06, 0, NNRP_ERR_TYPED_KIND_NOT_SINGLE},
      {0x01, 0, NNRP_ERR_TYPED_TENSOR},          {0x02, 1, NNRP_ERR_TYPED_FLAGS},
      {0x01, 1, NNRP_ERR_TYPED_FLAGS},           {0x80, 1, NNRP_ERR_TYPED_KIND_BITS},
      {0x40, 0, 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    /* a good frame first: a failing frame stops the whole pack before any byte is written */
    nnrp_typed_frame f[2] = {{NNRP_PAYLOAD_TOKEN_CHUNK, 0, 0, bytes("ok")},
                             {cases[i].kind, cases[i].flags, 0, bytes("x")}};
    nnrp_sink ds, fs;
    nnrp_sink_init_buffer(&ds, buf, 64);
    nnrp_sink_init_buffer(&fs, buf + 64, 64);
    CHECK_RC(nnrp_typed_frames_pack(f, 2, &ds, &fs), cases[i].err);
    CHECK_RC(nnrp_typed_frame_check(&f[1]), cases[i].err);
    if (cases[i].err) CHECK_EQ(ds.total + fs.total, 0);
  }

  /* Offsets are u32: a frame region beyond 4 GiB cannot be described (bytes never read). */
  if ((uint64_t)SIZE_MAX > UINT32_MAX) {
    static const uint8_t mem[1];
    nnrp_typed_frame big[2] = {{0x02, 0, 0, {mem, 0x80000000u}},
                               {0x04, 0, 0, {mem, 0x80000000u}}};
    nnrp_sink ds, fs;
    nnrp_sink_init_count(&ds);
    nnrp_sink_init_count(&fs);
    CHECK_RC(nnrp_typed_frames_pack(big, 2, &ds, &fs), NNRP_ERR_BUILD_FIELD_RANGE);
    CHECK_EQ(ds.total + fs.total, 0);
    big[1].payload.len = 0x7FFFFFFFu;
    CHECK_RC(nnrp_typed_frames_pack(big, 2, &ds, &fs), 0);
    CHECK_EQ(fs.total, 0xFFFFFFFFu);
  }
}

static void test_typed_frame_expect(void) {
  nnrp_typed_frame tok = {NNRP_PAYLOAD_TOKEN_CHUNK, 0, 7, bytes("t")};
  CHECK_RC(nnrp_typed_frame_expect(&tok, 0), 0);
  CHECK_RC(nnrp_typed_frame_expect(&tok, NNRP_PAYLOAD_TOKEN_CHUNK), 0);
  CHECK_RC(nnrp_typed_frame_expect(&tok, NNRP_PAYLOAD_AUDIO_CHUNK), NNRP_ERR_TYPED_KIND_MISMATCH);
  CHECK_RC(nnrp_typed_frame_expect(&tok, NNRP_PAYLOAD_TENSOR), NNRP_ERR_TYPED_KIND_MISMATCH);
  CHECK_RC(nnrp_typed_frame_expect(&tok, 0x03), NNRP_ERR_TYPED_KIND_NOT_SINGLE);
  CHECK_RC(nnrp_typed_frame_expect(&tok, 0x80), NNRP_ERR_TYPED_KIND_BITS);
  /* the frame itself is checked first */
  nnrp_typed_frame bad = {NNRP_PAYLOAD_TOKEN_CHUNK, 2, 0, bytes("t")};
  CHECK_RC(nnrp_typed_frame_expect(&bad, 0x80), NNRP_ERR_TYPED_FLAGS);
  nnrp_typed_frame tensor = {NNRP_PAYLOAD_TENSOR, 0, 0, bytes("t")};
  CHECK_RC(nnrp_typed_frame_expect(&tensor, NNRP_PAYLOAD_TENSOR), NNRP_ERR_TYPED_TENSOR);
  static const uint8_t kinds[6] = {0x02, 0x04, 0x08, 0x10, 0x20, 0x40};
  for (int i = 0; i < 6; i++) {
    nnrp_typed_frame f = {kinds[i], 0, 0, bytes("")};
    CHECK_RC(nnrp_typed_frame_check(&f), 0);
    CHECK_RC(nnrp_typed_frame_expect(&f, kinds[i]), 0);
    CHECK_RC(nnrp_typed_frame_expect(&f, kinds[(i + 1) % 6]), NNRP_ERR_TYPED_KIND_MISMATCH);
  }
}

/* ---- typed region rules ---------------------------------------------------------------------- */

static void test_typed_descriptor_rules(void) {
  uint8_t d[48];
  struct {
    uint8_t kind, flags;
    uint32_t reserved;
    int err;
  } cases[] = {
      {0x80, 0, 0, NNRP_ERR_TYPED_KIND_BITS},      {0xC0, 0, 0, NNRP_ERR_TYPED_KIND_BITS},
      {0x00, 0, 0, NNRP_ERR_TYPED_KIND_NOT_SINGLE}, {0x06, 0, 0, NNRP_ERR_TYPED_KIND_NOT_SINGLE},
      {0x7F, 0, 0, NNRP_ERR_TYPED_KIND_NOT_SINGLE}, {0x02, 1, 0, NNRP_ERR_TYPED_FLAGS},
      {0x02, 0x80, 0, NNRP_ERR_TYPED_FLAGS},       {0x02, 0, 1, NNRP_ERR_TYPED_RESERVED},
      {0x02, 0, 0x80000000u, NNRP_ERR_TYPED_RESERVED},
      /* order: kind bits, one bit, flags, reserved */
      {0x81, 1, 1, NNRP_ERR_TYPED_KIND_BITS},      {0x03, 1, 1, NNRP_ERR_TYPED_KIND_NOT_SINGLE},
      {0x04, 1, 1, NNRP_ERR_TYPED_FLAGS},
      /* decode accepts the TENSOR kind; T4 and the strict contract rule deal with it */
      {0x01, 0, 0, 0},                             {0x40, 0, 0, 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    typed_desc(d, 0x02, 0, 0, 2, 0);
    typed_desc(d + 16, cases[i].kind, cases[i].flags, 2, 2, cases[i].reserved);
    typed_desc(d + 32, 0x02, 0, 4, 2, 0);
    CHECK_DIAG(typed_validate(d, 48, 6, &d_), cases[i].err, 16);
  }
  /* Every descriptor is checked before any offset. */
  typed_desc(d, 0x02, 0, 0, 99, 0);
  typed_desc(d + 16, 0x02, 0, 0, 0, 5);
  CHECK_DIAG(typed_validate(d, 32, 6, &d_), NNRP_ERR_TYPED_RESERVED, 16);
  /* A ragged descriptor region (standalone use). */
  CHECK_DIAG(typed_validate(d, 24, 6, &d_), NNRP_ERR_PRELUDE_TYPED_ALIGN, 0);
  CHECK_DIAG(typed_validate(d, 0, 6, &d_), 0, 0); /* no descriptors: anything goes */
}

static void test_typed_offset_rules(void) {
  uint8_t d[48];
  struct {
    uint32_t o0, l0, o1, l1;
    size_t region;
    int err;
    size_t at;
  } cases[] = {
      {0, 3, 3, 2, 5, 0, 0},                              /* contiguous, exact */
      {0, 1, 2, 1, 5, 0, 0},                              /* gap tolerated */
      {0, 1, 1, 1, 5, 0, 0},                              /* trailing bytes tolerated */
      {2, 1, 3, 0, 5, 0, 0},                              /* first starts anywhere */
      {0, 0, 0, 0, 0, 0, 0},                              /* empty frames share an offset */
      {0, 3, 3, 0, 3, 0, 0},                              /* empty frame at the region end */
      {0, 3, 2, 1, 5, NNRP_ERR_TYPED_ORDER, 16},          /* overlap */
      {3, 1, 0, 1, 5, NNRP_ERR_TYPED_ORDER, 16},          /* descending */
      {0, 5, 5, 1, 5, NNRP_ERR_TYPED_RANGE, 16},          /* second past the end */
      {0, 6, 6, 0, 5, NNRP_ERR_TYPED_RANGE, 0},           /* first past the end */
      {1, 3, 4, 0, 3, NNRP_ERR_TYPED_RANGE, 0},           /* offset + length past */
      {0xFFFFFFFFu, 1, 0, 0, 3, NNRP_ERR_TYPED_RANGE, 0}, /* 2^32 must not wrap to 0 */
      {0, 0xFFFFFFFFu, 0, 0, 3, NNRP_ERR_TYPED_RANGE, 0},
      {0xFFFFFFFFu, 0xFFFFFFFFu, 0, 0, 3, NNRP_ERR_TYPED_RANGE, 0},
      {0, 2, 0xFFFFFFFFu, 1, 5, NNRP_ERR_TYPED_RANGE, 16},
      {0, 4, 3, 1, 5, NNRP_ERR_TYPED_ORDER, 16}, /* order is checked before range */
      {0, 6, 3, 9, 5, NNRP_ERR_TYPED_RANGE, 0},  /* an earlier descriptor fails first */
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    typed_desc(d, 0x02, 0, cases[i].o0, cases[i].l0, 0);
    typed_desc(d + 16, 0x04, 0, cases[i].o1, cases[i].l1, 0);
    nnrp_diag d_;
    int rc = typed_validate(d, 32, cases[i].region, &d_);
    if (rc != cases[i].err) fprintf(stderr, "  offset case %zu\n", i);
    CHECK_RC(rc, cases[i].err);
    if (cases[i].err) CHECK_EQ(d_.offset, cases[i].at);
  }
}

/* ---- extension frames ------------------------------------------------------------------------ */

static void test_ext_pack_e8(void) {
  size_t dn, pn;
  uint8_t *want_desc = vector("E8.extension_descriptor_region", &dn);
  uint8_t *want_payload = vector("E8.extension_payload_region", &pn);
  if (!want_desc || !want_payload) return;
  const nnrp_ext_frame f[2] = {{100, 0, 1, bytes("alpha")},
                               {101, NNRP_EXT_FRAME_CRITICAL, 2, bytes("beta")}};
  uint8_t dbuf[32], pbuf[16];
  nnrp_sink ds, ps;
  nnrp_sink_init_buffer(&ds, dbuf, sizeof(dbuf));
  nnrp_sink_init_buffer(&ps, pbuf, sizeof(pbuf));
  CHECK_RC(nnrp_ext_frames_pack(f, 2, &ds, &ps), 0);
  CHECK_MEM(dbuf, ds.len, want_desc, dn);
  CHECK_MEM(pbuf, ps.len, want_payload, pn);

  nnrp_vec dv = {want_desc, dn}, pv = {want_payload, pn};
  nnrp_diag d;
  CHECK_RC(nnrp_ext_regions_validate(dv, pv, &d), 0);
  nnrp_ext_frame g[2];
  nnrp_ext_frame_at(dv, pv, 0, &g[0]);
  nnrp_ext_frame_at(dv, pv, 1, &g[1]);
  CHECK_EQ(g[0].extension_kind, 100);
  CHECK_EQ(g[0].extension_flags, 0);
  CHECK_EQ(g[0].profile_id, 1);
  CHECK_MEM(g[0].payload.base, g[0].payload.len, "alpha", 5);
  CHECK(g[0].payload.base == want_payload);
  CHECK_EQ(g[1].extension_kind, 101);
  CHECK_EQ(g[1].extension_flags, NNRP_EXT_FRAME_CRITICAL);
  CHECK_EQ(g[1].profile_id, 2);
  CHECK_MEM(g[1].payload.base, g[1].payload.len, "beta", 4);

  /* E8: with known {101} frame 100 is skipped and 101 returned; with {100, 101} both. */
  static const uint16_t k101[1] = {101}, both[2] = {100, 101};
  CHECK_EQ(nnrp_ext_frame_filter(&g[0], k101, 1), 0);
  CHECK_EQ(nnrp_ext_frame_filter(&g[1], k101, 1), 1);
  CHECK_EQ(nnrp_ext_frame_filter(&g[0], both, 2), 1);
  CHECK_EQ(nnrp_ext_frame_filter(&g[1], both, 2), 1);
  /* ... and a lone CRITICAL kind 102 with known {101} fails. */
  nnrp_ext_frame lone = {102, NNRP_EXT_FRAME_CRITICAL, 0, bytes("")};
  CHECK_RC(nnrp_ext_frame_filter(&lone, k101, 1), NNRP_ERR_EXT_FRAME_CRITICAL);
  /* No registry: every kind is unknown. */
  CHECK_EQ(nnrp_ext_frame_filter(&g[0], NULL, 0), 0);
  CHECK_RC(nnrp_ext_frame_filter(&g[1], NULL, 0), NNRP_ERR_EXT_FRAME_CRITICAL);
  CHECK_RC(nnrp_ext_frame_filter(&g[1], both, 0), NNRP_ERR_EXT_FRAME_CRITICAL);

  /* The same through the decoders' shared check, diag at the failing descriptor. */
  nnrp_decode_options opts = {0, 0, k101, 1};
  CHECK_RC(nnrpi_ext_frames_check(dv, pv, &opts, 500, &d), 0);
  opts.known_extension_kinds = both;
  opts.known_extension_kind_count = 2;
  CHECK_RC(nnrpi_ext_frames_check(dv, pv, &opts, 500, &d), 0);
  d.offset = 0;
  CHECK_RC(nnrpi_ext_frames_check(dv, pv, NULL, 500, &d), NNRP_ERR_EXT_FRAME_CRITICAL);
  CHECK_EQ(d.error, NNRP_ERR_EXT_FRAME_CRITICAL);
  CHECK_EQ(d.offset, 516);
  static const uint16_t k100[1] = {100};
  opts.known_extension_kinds = k100;
  opts.known_extension_kind_count = 1;
  CHECK_RC(nnrpi_ext_frames_check(dv, pv, &opts, 0, &d), NNRP_ERR_EXT_FRAME_CRITICAL);
  CHECK_EQ(d.offset, 16);
  nnrp_vec none = {NULL, 0};
  CHECK_RC(nnrpi_ext_frames_check(none, none, NULL, 0, &d), 0);
  free(want_desc);
  free(want_payload);
}

static void test_ext_pack_rules(void) {
  uint8_t buf[64];
  nnrp_sink ds, ps;
  nnrp_ext_frame f[2] = {{1, 0, 0, bytes("a")}, {2, 0x0002, 0, bytes("b")}};
  nnrp_sink_init_buffer(&ds, buf, 32);
  nnrp_sink_init_buffer(&ps, buf + 32, 32);
  CHECK_RC(nnrp_ext_frames_pack(f, 2, &ds, &ps), NNRP_ERR_EXT_FRAME_FLAGS);
  CHECK_EQ(ds.total + ps.total, 0);
  CHECK_RC(nnrp_ext_frame_check(&f[1]), NNRP_ERR_EXT_FRAME_FLAGS);
  f[1].extension_flags = 0x8001;
  CHECK_RC(nnrp_ext_frame_check(&f[1]), NNRP_ERR_EXT_FRAME_FLAGS);
  f[1].extension_flags = NNRP_EXT_FRAME_CRITICAL;
  CHECK_RC(nnrp_ext_frame_check(&f[1]), 0);
  CHECK_RC(nnrp_ext_frames_pack(f, 2, &ds, &ps), 0);
  CHECK_EQ(ds.len, 32);
  CHECK_EQ(ps.len, 2);
  CHECK_EQ(ld32(buf + 16 + 8), 1); /* second frame at offset 1 */
  CHECK_RC(nnrp_ext_frames_pack(NULL, 2, &ds, &ps), NNRP_ERR_INVALID_ARGUMENT);

  /* Scatter-gather: payloads are the caller's bytes. */
  uint8_t scratch[64];
  nnrp_vec iov[4];
  static const uint8_t blob[40];
  nnrp_ext_frame one = {9, 0, 0, {blob, sizeof(blob)}};
  nnrp_sink s;
  nnrp_sink_init_iov(&s, scratch, sizeof(scratch), iov, 4, 16);
  CHECK_RC(nnrp_ext_frames_pack(&one, 1, &s, &s), 0);
  CHECK_EQ(s.iov_count, 2);
  CHECK(iov[1].base == blob && iov[1].len == 40);

  if ((uint64_t)SIZE_MAX > UINT32_MAX) {
    nnrp_ext_frame big = {9, 0, 0, {blob, (size_t)UINT32_MAX + 1}};
    nnrp_sink_init_count(&s);
    CHECK_RC(nnrp_ext_frames_pack(&big, 1, &s, &s), NNRP_ERR_BUILD_FIELD_RANGE);
  }
}

static void test_ext_region_rules(void) {
  uint8_t d[32];
  struct {
    uint16_t flags, r0;
    uint32_t o1, l1;
    int err;
    size_t at;
  } cases[] = {
      {0x0001, 0, 2, 2, 0, 0},
      {0x0002, 0, 2, 2, NNRP_ERR_EXT_FRAME_FLAGS, 16},
      {0x8001, 0, 2, 2, NNRP_ERR_EXT_FRAME_FLAGS, 16},
      {0x0000, 1, 2, 2, NNRP_ERR_EXT_FRAME_RESERVED, 16},
      {0x0002, 1, 2, 2, NNRP_ERR_EXT_FRAME_FLAGS, 16}, /* flags before reserved0 */
      {0x0002, 0, 0, 99, NNRP_ERR_EXT_FRAME_FLAGS, 16}, /* descriptors before offsets */
      {0, 0, 1, 2, NNRP_ERR_EXT_FRAME_ORDER, 16},
      {0, 0, 2, 3, NNRP_ERR_EXT_FRAME_RANGE, 16},
      {0, 0, 0xFFFFFFFFu, 1, NNRP_ERR_EXT_FRAME_RANGE, 16},
      {0, 0, 3, 1, 0, 0}, /* gaps tolerated */
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    ext_desc(d, 1, 0, 0, 0, 2);
    ext_desc(d + 16, 2, cases[i].flags, cases[i].r0, cases[i].o1, cases[i].l1);
    CHECK_DIAG(ext_validate(d, 32, 4, &d_), cases[i].err, cases[i].at);
  }
  CHECK_DIAG(ext_validate(d, 20, 4, &d_), NNRP_ERR_PRELUDE_EXT_ALIGN, 0);
  CHECK_DIAG(ext_validate(d, 0, 4, &d_), 0, 0);
}

/* ---- body <-> metadata (T1-T4) --------------------------------------------------------------- */

static uint32_t contract_flags; /* decode profile of contract() */

static int contract(const uint8_t *desc, size_t dlen, size_t flen, uint32_t bitmap,
                    uint16_t count, nnrp_diag *d) {
  static const uint8_t frames[16];
  nnrp_vec dv = {desc, dlen}, fv = {frames, flen};
  d->error = 0;
  d->offset = (size_t)-1;
  return nnrpi_typed_contract_check(dv, fv, bitmap, count, contract_flags, 1000, d);
}

static void test_typed_contract(void) {
  uint8_t d[48];
  typed_desc(d, 0x02, 0, 0, 3, 0);
  typed_desc(d + 16, 0x10, 0, 3, 2, 0);
  CHECK_DIAG(contract(d, 32, 5, 0x12, 2, &d_), 0, 0);
  CHECK_DIAG(contract(d, 32, 5, 0x13, 2, &d_), 0, 0); /* TENSOR may be declared too */
  /* Declared kinds without a frame: strict D8 rejects, nnrp-py accepts a subset. */
  CHECK_DIAG(contract(d, 32, 5, 0x7F, 2, &d_), NNRP_ERR_TYPED_KIND_ABSENT, 1000);
  contract_flags = NNRP_DECODE_PY_COMPAT;
  CHECK_DIAG(contract(d, 32, 5, 0x7F, 2, &d_), 0, 0);
  contract_flags = 0;
  CHECK_DIAG(contract(d, 32, 5, 0x12, 3, &d_), NNRP_ERR_TYPED_COUNT, 1000); /* T1 */
  CHECK_DIAG(contract(d, 32, 5, 0x12, 1, &d_), NNRP_ERR_TYPED_COUNT, 1000);
  CHECK_DIAG(contract(d, 0, 5, 0x12, 2, &d_), NNRP_ERR_TYPED_COUNT, 1000);
  CHECK_DIAG(contract(d, 40, 5, 0x12, 2, &d_), NNRP_ERR_TYPED_COUNT, 1000); /* T2, ragged */
  CHECK_DIAG(contract(d, 0, 0, 0x01, 0, &d_), 0, 0);
  CHECK_DIAG(contract(d, 0, 3, 0x01, 0, &d_), NNRP_ERR_TYPED_FRAME_BYTES, 1000); /* T3 */
  CHECK_DIAG(contract(d, 16, 3, 0x12, 0, &d_), NNRP_ERR_TYPED_COUNT, 1000);     /* T1 first */
  CHECK_DIAG(contract(d, 32, 5, 0x02, 2, &d_), NNRP_ERR_TYPED_KIND_UNDECLARED, 1016); /* T4 */
  CHECK_DIAG(contract(d, 32, 5, 0x10, 2, &d_), NNRP_ERR_TYPED_KIND_UNDECLARED, 1000);
  CHECK_DIAG(contract(d, 32, 5, 0x00, 2, &d_), NNRP_ERR_TYPED_KIND_UNDECLARED, 1000);

  /* TENSOR descriptors: undeclared is T4; declared is the strict rule. */
  typed_desc(d, 0x01, 0, 0, 3, 0);
  CHECK_DIAG(contract(d, 32, 5, 0x10, 2, &d_), NNRP_ERR_TYPED_KIND_UNDECLARED, 1000);
  CHECK_DIAG(contract(d, 32, 5, 0x11, 2, &d_), NNRP_ERR_TYPED_TENSOR, 1000);
  /* every T4 before the TENSOR rule */
  typed_desc(d + 16, 0x20, 0, 3, 2, 0);
  CHECK_DIAG(contract(d, 32, 5, 0x11, 2, &d_), NNRP_ERR_TYPED_KIND_UNDECLARED, 1016);
}

/* The typed packets of §16.3: regions as the decoders see them satisfy the contract. */
static void check_typed_packet(const char *name, uint32_t bitmap_at, uint32_t count_at,
                               size_t frames, const char *first) {
  size_t n;
  uint8_t *pkt = vector(name, &n);
  if (!pkt) return;
  const uint8_t *meta = pkt + 40;
  const uint8_t *body = meta + ld32(pkt + 12);
  nnrp_vec r[6];
  nnrp_diag d;
  CHECK_RC(nnrp_body_unpack(r, body, (size_t)(pkt + n - body), 0, &d), 0);
  uint32_t bitmap = ld32(meta + bitmap_at);
  uint16_t count = (uint16_t)(meta[count_at] | meta[count_at + 1] << 8);
  CHECK_EQ(count, frames);
  CHECK_RC(nnrpi_typed_contract_check(r[2], r[3], bitmap, count, 0, 0, &d), 0);
  CHECK_RC(nnrpi_ext_frames_check(r[4], r[5], NULL, 0, &d), 0);
  nnrp_typed_frame f;
  nnrp_typed_frame_at(r[2], r[3], 0, &f);
  CHECK_MEM(f.payload.base, f.payload.len, first, strlen(first));
  CHECK_RC(nnrp_typed_frame_check(&f), 0);
  free(pkt);
}

static void test_vector_packets(void) {
  check_typed_packet("E3.frame_submit_typed_packet", 64, 68, 2, "tok");
  check_typed_packet("E5.frame_submit_mixed_packet", 64, 68, 1, "tok");
  check_typed_packet("E6.result_push_typed_packet", 56, 60, 2, "{\"state\":\"ok\"}");
  check_typed_packet("E7.result_push_mixed_packet", 56, 60, 1, "bin");
}

/* The reference's rejections of the typed contract and of unknown critical frames. */
static void test_reference_rejections(void) {
  static const struct {
    const char *stem;
    int err;
  } stems[] = {
      {"typed payload descriptor count does not match", NNRP_ERR_TYPED_COUNT},
      {"typed payload descriptor byte count does not match", NNRP_ERR_TYPED_COUNT},
      {"typed payload frame bytes must be 0", NNRP_ERR_TYPED_FRAME_BYTES},
      {"is not declared by payload_kind_bitmap", NNRP_ERR_TYPED_KIND_UNDECLARED},
      {"unknown critical extension frame kind", NNRP_ERR_EXT_FRAME_CRITICAL},
  };
  json_error_t jerr;
  json_t *root = json_load_file(test_vector_path("invalid-examples.json"), 0, &jerr);
  CHECK(root != NULL);
  if (!root) return;
  const json_t *list = json_object_get(root, "examples");
  int seen = 0;
  for (size_t i = 0; i < json_array_size(list); i++) {
    const json_t *e = json_array_get(list, i);
    const char *msg = json_string_value(json_object_get(e, "error_message"));
    int want = 0;
    for (size_t k = 0; k < sizeof(stems) / sizeof(stems[0]); k++)
      if (strstr(msg, stems[k].stem)) want = stems[k].err;
    if (!want) continue;
    size_t n;
    uint8_t *pkt = test_hex_decode(json_string_value(json_object_get(e, "hex")), &n);
    if (!pkt) continue;
    const uint8_t *meta = pkt + 40;
    int submit = pkt[6] == NNRP_MSG_FRAME_SUBMIT;
    uint32_t bitmap = ld32(meta + (submit ? 64 : 56));
    const uint8_t *c = meta + (submit ? 68 : 60);
    uint16_t count = (uint16_t)(c[0] | c[1] << 8);
    const uint8_t *body = meta + ld32(pkt + 12);
    nnrp_vec r[6];
    nnrp_diag d;
    for (int compat = 0; compat < 2; compat++) {
      CHECK_RC(nnrp_body_unpack(r, body, (size_t)(pkt + n - body),
                                compat ? NNRP_DECODE_PY_COMPAT : 0, &d),
               0);
      int rc = nnrpi_typed_contract_check(r[2], r[3], bitmap, count,
                                          compat ? NNRP_DECODE_PY_COMPAT : 0, 0, &d);
      if (rc == 0) rc = nnrpi_ext_frames_check(r[4], r[5], NULL, 0, &d);
      if (rc != want) {
        fprintf(stderr, "  %s: got %s, expected %s\n",
                json_string_value(json_object_get(e, "name")), nnrp_err_name(rc),
                nnrp_err_name(want));
        test_failures++;
      }
    }
    seen++;
    free(pkt);
  }
  CHECK_EQ(seen, 8); /* T1 x2, T3, T4 x3, unknown critical x2 */
  json_decref(root);
}

/* ---- hostile input ------------------------------------------------------------------------- */

/* Validate exactly-sized heap copies (ASan catches any stray read), then read every frame. */
static int validate_copies(const uint8_t *desc, size_t dlen, const uint8_t *data, size_t plen,
                           int typed) {
  uint8_t *dc = malloc(dlen ? dlen : 1), *pc = malloc(plen ? plen : 1);
  if (dlen) memcpy(dc, desc, dlen);
  if (plen) memcpy(pc, data, plen);
  nnrp_vec dv = {dc, dlen}, pv = {pc, plen};
  nnrp_diag d;
  int rc = typed ? nnrp_typed_regions_validate(dv, pv, &d)
                 : nnrp_ext_regions_validate(dv, pv, &d);
  if (rc == 0) {
    unsigned sum = 0;
    for (size_t i = 0; i < dlen / 16; i++) {
      nnrp_vec payload;
      if (typed) {
        nnrp_typed_frame f;
        nnrp_typed_frame_at(dv, pv, i, &f);
        payload = f.payload;
      } else {
        nnrp_ext_frame f;
        nnrp_ext_frame_at(dv, pv, i, &f);
        payload = f.payload;
      }
      for (size_t k = 0; k < payload.len; k++) sum += payload.base[k];
    }
    (void)sum;
  } else {
    CHECK_EQ(d.error, rc);
    CHECK(d.offset < dlen || d.offset == 0);
  }
  free(dc);
  free(pc);
  return rc;
}

static void test_truncation_every_offset(void) {
  size_t dn, fn, en, pn;
  uint8_t *desc = vector("current.typed_payload.frame_descriptor_region", &dn);
  uint8_t *frames = vector("current.typed_payload.frame_region", &fn);
  uint8_t *edesc = vector("E8.extension_descriptor_region", &en);
  uint8_t *payload = vector("E8.extension_payload_region", &pn);
  if (!desc || !frames || !edesc || !payload) return;
  for (size_t len = 0; len <= dn; len++)
    CHECK_EQ(validate_copies(desc, len, frames, fn, 1),
             len % 16 ? NNRP_ERR_PRELUDE_TYPED_ALIGN : 0);
  for (size_t len = 0; len <= fn; len++)
    CHECK_EQ(validate_copies(desc, dn, frames, len, 1), len < fn ? NNRP_ERR_TYPED_RANGE : 0);
  for (size_t len = 0; len <= en; len++)
    CHECK_EQ(validate_copies(edesc, len, payload, pn, 0),
             len % 16 ? NNRP_ERR_PRELUDE_EXT_ALIGN : 0);
  for (size_t len = 0; len <= pn; len++)
    CHECK_EQ(validate_copies(edesc, en, payload, len, 0), len < pn ? NNRP_ERR_EXT_FRAME_RANGE : 0);
  free(desc);
  free(frames);
  free(edesc);
  free(payload);
}

/* Random descriptor tables with small offsets and lengths over small regions. */
static void test_random_descriptors(void) {
  uint64_t x = 0x243F6A8885A308D3u;
  uint8_t desc[64], data[24];
  memset(data, 0x5A, sizeof(data));
  int ok = 0, bad = 0;
  for (int iter = 0; iter < 20000; iter++) {
    for (size_t at = 0; at < sizeof(desc); at++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      desc[at] = (uint8_t)(x >> 20);
    }
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    size_t count = (size_t)(x % 5);
    for (size_t i = 0; i < count; i++) {
      uint8_t *d = desc + 16 * i;
      int typed = iter & 1;
      if ((x >> (i + 8)) & 1) { /* mostly well-formed fields, offsets in range */
        if (typed) {
          d[0] = (uint8_t)(1u << (d[0] % 8));
          d[1] = 0;
          memset(d + 12, 0, 4);
          d[5] = d[6] = d[7] = d[9] = d[10] = d[11] = 0;
          d[4] %= 24;
          d[8] %= 8;
        } else {
          d[2] &= 1, d[3] = 0, d[6] = d[7] = 0;
          d[9] = d[10] = d[11] = d[13] = d[14] = d[15] = 0;
          d[8] %= 24;
          d[12] %= 8;
        }
      }
    }
    size_t len = (size_t)((x >> 40) % 25);
    int rc = validate_copies(desc, 16 * count, data, len, iter & 1);
    if (rc == 0) ok++;
    else bad++;
  }
  CHECK(ok > 1000);
  CHECK(bad > 1000);
}

int main(void) {
  RUN(test_typed_descriptor_golden);
  RUN(test_ext_descriptor_codec);
  RUN(test_typed_pack_golden);
  RUN(test_typed_pack_scatter_gather);
  RUN(test_typed_pack_rules);
  RUN(test_typed_frame_expect);
  RUN(test_typed_descriptor_rules);
  RUN(test_typed_offset_rules);
  RUN(test_ext_pack_e8);
  RUN(test_ext_pack_rules);
  RUN(test_ext_region_rules);
  RUN(test_typed_contract);
  RUN(test_vector_packets);
  RUN(test_reference_rejections);
  RUN(test_truncation_every_offset);
  RUN(test_random_descriptors);
  vectors_free();
  return TEST_REPORT();
}
