/*
 * Helpers of the tools-layer tests: run an exporter into a buffer, a count sink and a
 * scatter-gather sink, and compare each with the expected packet.
 */
#ifndef NNRP_TOOLS_CHECK_H
#define NNRP_TOOLS_CHECK_H

#include <libnnrp/tools.h>

#include "test.h"

typedef int (*tools_export_fn)(const void *host, const nnrp_replay_options *opts, void *scratch,
                               size_t scratch_len, nnrp_sink *sink);

static inline int tools_export_frame(const void *host, const nnrp_replay_options *opts,
                                     void *scratch, size_t scratch_len, nnrp_sink *sink) {
  return nnrp_replay_frame_to_packet(host, opts, scratch, scratch_len, sink);
}

static inline int tools_export_result(const void *host, const nnrp_replay_options *opts,
                                      void *scratch, size_t scratch_len, nnrp_sink *sink) {
  return nnrp_replay_result_to_packet(host, opts, scratch, scratch_len, sink);
}

/* Export with exactly `scratch_len` bytes of scratch, starting one byte off alignment. */
static inline int tools_export(tools_export_fn fn, const void *host,
                               const nnrp_replay_options *opts, size_t scratch_len, uint8_t *out,
                               size_t cap, size_t *len) {
  uint8_t *scratch = malloc(scratch_len + 1);
  nnrp_sink sink;
  nnrp_sink_init_buffer(&sink, out, cap);
  int rc = fn(host, opts, scratch ? scratch + 1 : NULL, scratch_len, &sink);
  *len = sink.total;
  free(scratch);
  return rc;
}

/* The packet of `host` equals `hex` in buffer, count and scatter-gather modes. */
static inline void tools_check_export(tools_export_fn fn, const void *host, size_t scratch_len,
                                      const nnrp_replay_options *opts, const char *hex) {
  size_t want_len = 0, len = 0;
  uint8_t *want = test_hex_decode(hex, &want_len);
  uint8_t out[2048];
  CHECK(want != NULL);
  if (!want) return;
  CHECK_RC(tools_export(fn, host, opts, scratch_len, out, sizeof(out), &len), 0);
  CHECK_MEM(out, len, want, want_len);

  uint8_t *scratch = malloc(scratch_len + 1);
  nnrp_sink count;
  nnrp_sink_init_count(&count);
  CHECK_RC(fn(host, opts, scratch, scratch_len, &count), 0);
  CHECK_EQ(count.total, want_len);

  /* Scatter-gather: the concatenated vectors are the packet. */
  uint8_t small[1024], joined[2048];
  nnrp_vec iov[64];
  nnrp_sink sg;
  nnrp_sink_init_iov(&sg, small, sizeof(small), iov, 64, 2);
  CHECK_RC(fn(host, opts, scratch, scratch_len, &sg), 0);
  size_t at = 0;
  for (size_t i = 0; i < sg.iov_count && at + iov[i].len <= sizeof(joined); i++) {
    memcpy(joined + at, iov[i].base, iov[i].len);
    at += iov[i].len;
  }
  CHECK_MEM(joined, at, want, want_len);

  /* One byte short is refused before anything is written.  A malloc block is 8-aligned, so
   * it needs scratch_len - 8 bytes (the rest is slack for an unaligned start). */
  if (scratch_len > 9) {
    uint8_t aligned[2048];
    nnrp_sink s;
    nnrp_sink_init_buffer(&s, aligned, sizeof(aligned));
    uint8_t *tight = malloc(scratch_len);
    CHECK_RC(fn(host, opts, tight, scratch_len - 9, &s), NNRP_ERR_REPLAY_SCRATCH);
    CHECK_EQ(s.total, 0);
    free(tight);
  }
  free(scratch);
  free(want);
}

#endif /* NNRP_TOOLS_CHECK_H */
