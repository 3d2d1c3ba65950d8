/*
 * Helpers of the RESULT_PUSH tests: decoding a whole packet rule by rule, and building one
 * through every kind of sink.
 */
#ifndef NNRP_RESULT_CHECK_H
#define NNRP_RESULT_CHECK_H

#include <jansson.h>
#include <libnnrp/wire.h>

#include "test.h"

typedef int (*builder_fn)(const nnrp_result_push_input *, nnrp_sink *);

static inline nnrp_vec str_vec(const char *s) {
  return (nnrp_vec){(const uint8_t *)s, strlen(s)};
}

/* Header, metadata and body of a RESULT_PUSH packet; each rule reports its own code. */
static inline int decode_result(const uint8_t *pkt, size_t len, uint32_t flags,
                                nnrp_result_push_meta *m, nnrp_data_body *b, nnrp_diag *diag) {
  nnrp_decode_options opts = {.flags = flags};
  nnrp_header h;
  int rc = nnrp_header_decode(&h, pkt, len, &opts);
  if (rc) return rc;
  if ((uint64_t)NNRP_HEADER_LEN + h.meta_len + h.body_len != len) return NNRP_ERR_TRAILING_BYTES;
  if (h.msg_type != NNRP_MSG_RESULT_PUSH) return NNRP_ERR_MSG_TYPE;
  if ((rc = nnrp_result_push_meta_decode(m, pkt + NNRP_HEADER_LEN, h.meta_len, flags)) != 0)
    return rc;
  return nnrp_result_push_body_decode(b, m, pkt + NNRP_HEADER_LEN + h.meta_len, h.body_len,
                                      &opts, diag);
}

/*
 * Build into a buffer and check the bytes (when `expect` is given); build again through a
 * scatter-gather sink (same bytes, payloads referenced) and into a buffer one byte too small;
 * decode the packet in both profiles.  `m` / `b` (may be NULL) get the strict decode.
 */
static inline void build_and_check(builder_fn fn, const nnrp_result_push_input *in,
                                   const uint8_t *expect, size_t expect_len,
                                   nnrp_result_push_meta *m, nnrp_data_body *b) {
  static uint8_t buf[1 << 16], scratch[1 << 16], joined[1 << 16];
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, buf, sizeof(buf));
  CHECK_RC(fn(in, &s), 0);
  if (expect) CHECK_MEM(buf, s.len, expect, expect_len);

  nnrp_vec iov[64];
  nnrp_sink g;
  nnrp_sink_init_iov(&g, scratch, sizeof(scratch), iov, 64, 1);
  CHECK_RC(fn(in, &g), 0);
  size_t at = 0;
  for (size_t i = 0; i < g.iov_count && at + iov[i].len <= sizeof(joined); i++) {
    memcpy(joined + at, iov[i].base, iov[i].len);
    at += iov[i].len;
  }
  CHECK_EQ(g.total, s.len);
  CHECK_MEM(joined, at, buf, s.len);

  /* Too small by one byte, or with room for the header only: the size is still reported. */
  size_t caps[2] = {s.len - 1, NNRP_HEADER_LEN + 1};
  for (int i = 0; i < 2; i++) {
    nnrp_sink small;
    nnrp_sink_init_buffer(&small, buf + s.len, caps[i]);
    CHECK_RC(fn(in, &small), NNRP_ERR_BUFFER_TOO_SMALL);
    CHECK_EQ(small.total, s.len);
  }
  /* A vector one entry short. */
  size_t needed = g.iov_count;
  if (needed > 1) {
    nnrp_sink_init_iov(&g, scratch, sizeof(scratch), iov, needed - 1, 1);
    CHECK_RC(fn(in, &g), NNRP_ERR_IOV_TOO_SMALL);
    CHECK_EQ(g.total, s.len);
  }

  nnrp_result_push_meta mm;
  nnrp_data_body bb;
  CHECK_RC(decode_result(buf, s.len, NNRP_DECODE_PY_COMPAT, &mm, &bb, NULL), 0);
  CHECK_RC(decode_result(buf, s.len, 0, m ? m : &mm, b ? b : &bb, NULL), 0);
}

/* Expected bytes of a named entry of builder-examples.json. */
static inline uint8_t *builder_example_hex(const char *name, size_t *len) {
  json_error_t err;
  json_t *root = json_load_file(test_vector_path("builder-examples.json"), JSON_DECODE_INT_AS_REAL,
                                &err);
  uint8_t *out = NULL;
  size_t i;
  json_t *v;
  if (!root) return NULL;
  json_array_foreach(json_object_get(root, "examples"), i, v) {
    if (strcmp(json_string_value(json_object_get(v, "name")), name) == 0)
      out = test_hex_decode(json_string_value(json_object_get(v, "hex")), len);
  }
  json_decref(root);
  CHECK(out != NULL);
  return out;
}

#endif /* NNRP_RESULT_CHECK_H */
