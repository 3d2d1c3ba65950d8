/*
 * Header decoder and stream framing helper: nnrp_header_decode in every profile and
 * nnrp_packet_length.  A header the strict decoder accepts must encode back to the same
 * 40 bytes, and the framing helper must agree with the decoder.
 */
#include "fuzz_common.h"

static void check_profile(const uint8_t *data, size_t size, uint32_t flags) {
  nnrp_decode_options opts = {0};
  opts.flags = flags;
  nnrp_header h;
  int rc = nnrp_header_decode(&h, data, size, &opts);
  size_t packet_len = 0;
  int lrc = nnrp_packet_length(data, size, &opts, &packet_len);
  FUZZ_CHECK(rc == lrc);
  if (size < NNRP_HEADER_LEN) FUZZ_CHECK(rc == NNRP_ERR_INCOMPLETE);
  if (rc != 0) return;
  FUZZ_CHECK(h.header_len == NNRP_HEADER_LEN);
  FUZZ_CHECK(packet_len == (size_t)NNRP_HEADER_LEN + h.meta_len + h.body_len);
  if (flags == 0) {
    uint8_t out[NNRP_HEADER_LEN];
    FUZZ_CHECK(nnrp_header_encode(&h, out) == 0);
    FUZZ_CHECK(memcmp(out, data, NNRP_HEADER_LEN) == 0);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  check_profile(data, size, 0);
  check_profile(data, size, NNRP_DECODE_PY_COMPAT);
  check_profile(data, size, NNRP_DECODE_LENIENT_HEADER);

  /* A message limit taken from the input exercises step 8. */
  if (size >= NNRP_HEADER_LEN + 4) {
    nnrp_decode_options opts = {0};
    opts.max_message_len = (uint64_t)data[40] | (uint64_t)data[41] << 8 |
                           (uint64_t)data[42] << 16 | (uint64_t)data[43] << 24;
    nnrp_header h;
    int rc = nnrp_header_decode(&h, data, size, &opts);
    if (rc == 0 && opts.max_message_len != 0)
      FUZZ_CHECK((uint64_t)h.meta_len + h.body_len <= opts.max_message_len);
  }
  return 0;
}
