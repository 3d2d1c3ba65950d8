/*
 * Control extension block (TLV list): nnrp_ext_block_validate with the known-type set of a
 * CLIENT_HELLO, of a SERVER_HELLO_ACK or none (first byte, bits 0-1; bit 2: PY-compatible
 * profile), then iteration.  A block that validates must be walked to its end, its standard
 * entries must parse, and in the strict profile what the encoder writes of it is the block.
 */
#include "fuzz_common.h"

static const uint16_t client_known[] = {NNRP_EXT_TRANSPORT_POLICY, NNRP_EXT_LOSS_TOLERANCE,
                                        NNRP_EXT_PAYLOAD_CAPABILITIES};
static const uint16_t server_known[] = {NNRP_EXT_TRANSPORT_POLICY_ACK,
                                        NNRP_EXT_LOSS_TOLERANCE_ACK,
                                        NNRP_EXT_PAYLOAD_CAPABILITIES_ACK};

static int is_known(uint16_t type, const uint16_t *known, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (known[i] == type) return 1;
  return 0;
}

static int is_standard(uint16_t type) {
  return type >= NNRP_EXT_TRANSPORT_POLICY && type <= NNRP_EXT_PAYLOAD_CAPABILITIES_ACK;
}

/* A known standard entry parses; when its builder takes the parsed values (it may refuse
 * decode-only ones), the entry it builds parses to the same values. */
static void parse_standard(const nnrp_ext_entry *e) {
  nnrp_transport_policy_ext tp, tp2;
  nnrp_loss_tolerance_ext lt, lt2;
  nnrp_payload_caps_ext pc, pc2;
  nnrp_ext_entry b;
  uint8_t buf[8];
  int critical = e->ext_flags & NNRP_EXT_FLAG_CRITICAL;
  switch (e->ext_type) {
  case NNRP_EXT_TRANSPORT_POLICY:
  case NNRP_EXT_TRANSPORT_POLICY_ACK:
    FUZZ_CHECK(nnrp_ext_transport_policy_parse(e, &tp) == 0);
    if (nnrp_ext_transport_policy_build(e->ext_type, &tp, critical, buf, &b) != 0) break;
    FUZZ_CHECK(b.ext_type == e->ext_type && b.ext_flags == critical);
    FUZZ_CHECK(nnrp_ext_transport_policy_parse(&b, &tp2) == 0);
    FUZZ_CHECK(tp2.transport_policy == tp.transport_policy && tp2.transport_id == tp.transport_id);
    FUZZ_CHECK(tp2.accepted_transport_policy == tp.accepted_transport_policy);
    break;
  case NNRP_EXT_LOSS_TOLERANCE:
  case NNRP_EXT_LOSS_TOLERANCE_ACK:
    FUZZ_CHECK(nnrp_ext_loss_tolerance_parse(e, &lt) == 0);
    if (nnrp_ext_loss_tolerance_build(e->ext_type, &lt, critical, buf, &b) != 0) break;
    FUZZ_CHECK(nnrp_ext_loss_tolerance_parse(&b, &lt2) == 0);
    FUZZ_CHECK(lt2.loss_tolerance == lt.loss_tolerance && lt2.payload_len == 8);
    break;
  case NNRP_EXT_PAYLOAD_CAPABILITIES:
  case NNRP_EXT_PAYLOAD_CAPABILITIES_ACK:
    FUZZ_CHECK(nnrp_ext_payload_caps_parse(e, &pc) == 0);
    FUZZ_CHECK(nnrp_ext_payload_caps_build(e->ext_type, &pc, critical, buf, &b) == 0);
    FUZZ_CHECK(nnrp_ext_payload_caps_parse(&b, &pc2) == 0);
    FUZZ_CHECK(b.payload.len == e->payload.len && memcmp(buf, e->payload.base, 8) == 0);
    break;
  default:
    break;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  uint8_t sel = data[0];
  const uint16_t *known = NULL;
  size_t known_count = 0;
  if ((sel & 3) == 1) known = client_known, known_count = 3;
  if ((sel & 3) == 2) known = server_known, known_count = 3;
  uint32_t flags = (sel & 4) ? NNRP_DECODE_PY_COMPAT : 0;
  const uint8_t *block = data + 1;
  size_t len = size - 1;

  nnrp_diag diag = {0, 0};
  int rc = nnrp_ext_block_validate(block, len, known, known_count, flags, &diag);
  if (rc != 0) {
    FUZZ_CHECK(rc < 0);
    FUZZ_CHECK(diag.offset <= len);
    return 0;
  }

  enum { MAX_ENTRIES = 512 };
  nnrp_ext_entry entries[MAX_ENTRIES];
  size_t n = 0;
  int overflow = 0;
  nnrp_ext_iter it;
  nnrp_ext_entry e;
  nnrp_ext_iter_init(&it, block, len);
  while (nnrp_ext_iter_next(&it, &e)) {
    FUZZ_CHECK(fuzz_within(e.payload, block, len));
    fuzz_touch(e.payload);
    if (is_known(e.ext_type, known, known_count)) parse_standard(&e);
    if (n < MAX_ENTRIES)
      entries[n++] = e;
    else
      overflow = 1;
  }
  if (overflow) return 0;
  FUZZ_CHECK(nnrp_ext_block_len(entries, n) == len);
  if (flags & NNRP_DECODE_PY_COMPAT) return 0;

  /* Strict re-encode.  The encoder may refuse a standard payload that a decoder reads
   * (active transport id 0, the 4-byte loss tolerance of nnrp-cs, a standard type that is
   * unknown to this hello), but nothing else, and what it writes must be the block. */
  uint8_t *out = (uint8_t *)malloc(len ? len : 1);
  FUZZ_CHECK(out != NULL);
  nnrp_sink sink;
  nnrp_sink_init_buffer(&sink, out, len);
  if (nnrp_ext_block_encode(entries, n, &sink) == 0) {
    FUZZ_CHECK(sink.len == len && memcmp(out, block, len) == 0);
  } else {
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
      if (!is_standard(entries[i].ext_type)) entries[m++] = entries[i];
    nnrp_sink_init_buffer(&sink, out, len);
    FUZZ_CHECK(nnrp_ext_block_encode(entries, m, &sink) == 0);
  }
  free(out);
  return 0;
}
