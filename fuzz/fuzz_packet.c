/*
 * Whole-packet decoder: nnrp_packet_decode in the strict and the PY-compatible profile
 * (stream and exact framing).  The PY-compatible profile must accept whatever the strict
 * one does.  Every view of an accepted packet must lie inside it, the iterators must walk
 * what the decoder validated, and the packet must re-encode through nnrp_packet_encode_raw
 * to the very same bytes.
 */
#include "fuzz_walk.h"

static void walk_hello(const nnrp_packet *p) {
  nnrp_ext_iter it;
  nnrp_ext_entry e;
  size_t n = 0;
  FUZZ_CHECK(fuzz_within(p->hello.extensions, p->body.base, p->body.len));
  FUZZ_CHECK(fuzz_within(p->hello.auth, p->body.base, p->body.len));
  nnrp_ext_iter_init(&it, p->hello.extensions.base, p->hello.extensions.len);
  while (nnrp_ext_iter_next(&it, &e)) {
    FUZZ_CHECK(fuzz_within(e.payload, p->hello.extensions.base, p->hello.extensions.len));
    n++;
  }
  FUZZ_CHECK(n == p->hello.extension_count);
}

static int check_profile(const uint8_t *data, size_t size, uint32_t flags) {
  nnrp_decode_options opts = {0};
  opts.flags = flags;
  nnrp_packet p;
  nnrp_diag diag = {0, 0};
  int rc = nnrp_packet_decode(&p, data, size, &opts, &diag);
  if (rc != 0) {
    FUZZ_CHECK(rc < 0);
    FUZZ_CHECK(diag.error == rc);
    FUZZ_CHECK(diag.offset <= size);
    return rc;
  }
  FUZZ_CHECK(p.packet_len <= size);
  FUZZ_CHECK(p.packet_len == NNRP_HEADER_LEN + p.metadata.len + p.body.len);
  FUZZ_CHECK(p.metadata.base == data + NNRP_HEADER_LEN);
  FUZZ_CHECK(p.body.base == data + NNRP_HEADER_LEN + p.metadata.len);
  if (flags & NNRP_DECODE_EXACT) FUZZ_CHECK(p.packet_len == size);
  fuzz_touch(p.metadata);
  fuzz_touch(p.body);
  int strict = (flags & NNRP_DECODE_PY_COMPAT) == 0;

  switch (p.header.msg_type) {
  case NNRP_MSG_FRAME_SUBMIT: {
    const nnrp_frame_submit_meta *m = &p.meta.frame_submit;
    fuzz_walk_data(&p.data, p.body, m->tile_index_mode, m->tile_count, m->tile_base_id, strict);
    break;
  }
  case NNRP_MSG_RESULT_PUSH: {
    const nnrp_result_push_meta *m = &p.meta.result_push;
    fuzz_walk_data(&p.data, p.body, nnrp_result_tile_mode(m), m->tile_count, m->tile_base_id,
                   strict);
    break;
  }
  case NNRP_MSG_CLIENT_HELLO:
  case NNRP_MSG_SERVER_HELLO_ACK:
    walk_hello(&p);
    break;
  default:
    break;
  }

  /* Re-encode.  The PY-compatible profile accepts headers the encoder refuses on purpose
   * (version, flag bits); those need not re-encode, every other packet must. */
  static uint8_t out[1u << 20];
  nnrp_sink sink;
  nnrp_sink_init_buffer(&sink, out, sizeof(out));
  int erc = nnrp_packet_encode_raw(&p.header, p.metadata, p.body, &sink);
  nnrp_header hdr;
  int must_encode = (flags & NNRP_DECODE_PY_COMPAT) == 0 ||
                    nnrp_header_decode(&hdr, data, size, NULL) == 0;
  if (erc == NNRP_ERR_BUFFER_TOO_SMALL) {
    FUZZ_CHECK(p.packet_len > sizeof(out));
    return 0;
  }
  if (must_encode) FUZZ_CHECK(erc == 0);
  if (erc != 0) return 0;
  FUZZ_CHECK(sink.len == p.packet_len);
  FUZZ_CHECK(memcmp(out, data, p.packet_len) == 0);
  return 0;
}

/* Stream framing: the packet alone decodes exactly, and every shorter prefix of it (a
 * packet still arriving) is NNRP_ERR_INCOMPLETE, never an error about its content. */
static void check_framing(const uint8_t *data, size_t size) {
  nnrp_packet p;
  FUZZ_CHECK(nnrp_packet_decode(&p, data, size, NULL, NULL) == 0);
  size_t len = p.packet_len;
  nnrp_decode_options exact = {0};
  exact.flags = NNRP_DECODE_EXACT;
  FUZZ_CHECK(nnrp_packet_decode(&p, data, len, &exact, NULL) == 0);
  size_t cuts[3] = {len - 1, len / 2, NNRP_HEADER_LEN};
  for (int i = 0; i < 3; i++) {
    if (cuts[i] >= len) continue;
    uint8_t *prefix = fuzz_dup((nnrp_vec){data, cuts[i]});
    FUZZ_CHECK(nnrp_packet_decode(&p, prefix, cuts[i], NULL, NULL) == NNRP_ERR_INCOMPLETE);
    free(prefix);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* The PY-compatible profile only relaxes rules: what strict takes, it takes too. */
  int strict = check_profile(data, size, 0);
  int compat = check_profile(data, size, NNRP_DECODE_PY_COMPAT);
  if (strict == 0) FUZZ_CHECK(compat == 0);
  int exact = check_profile(data, size, NNRP_DECODE_EXACT);
  if (exact == 0) FUZZ_CHECK(strict == 0);
  if (strict == 0) check_framing(data, size);
  check_profile(data, size, NNRP_DECODE_PY_COMPAT | NNRP_DECODE_EXACT);
  return 0;
}
