/*
 * Fixed-length metadata decoders, one per message type, chosen by the first input byte
 * (low 5 bits: the decoder; bit 5: PY-compatible profile; bit 6: strict C6).  The rest is
 * the metadata.  Every structure field maps to wire bytes, so metadata the strict decoder
 * accepts must be written back byte for byte (see META_CASE for the reserved fields).
 */
#include "fuzz_common.h"

/*
 * One decoder/encoder pair: decode; in the strict profile encode again.  The encoder must
 * write the input back, except that it may refuse non-zero reserved fields that receivers
 * ignore (wire-control §7, wire-data §3 rule 6): then, with those fields cleared, it must
 * accept and write what decodes to the same values.
 */
#define META_CASE(name, len, clear_reserved)                                           \
  static void fuzz_##name(const uint8_t *in, size_t n, uint32_t flags) {              \
    nnrp_##name##_meta m, again;                                                      \
    memset(&m, 0, sizeof(m));                                                         \
    int rc = nnrp_##name##_meta_decode(&m, in, n, flags);                             \
    if (n != (len)) FUZZ_CHECK(rc != 0);                                              \
    if (rc != 0 || (flags & NNRP_DECODE_PY_COMPAT)) return;                           \
    uint8_t out[len];                                                                 \
    if (nnrp_##name##_meta_encode(&m, out) == 0) {                                    \
      FUZZ_CHECK(memcmp(out, in, (len)) == 0);                                        \
      return;                                                                         \
    }                                                                                 \
    clear_reserved;                                                                   \
    FUZZ_CHECK(nnrp_##name##_meta_encode(&m, out) == 0);                              \
    memset(&again, 0, sizeof(again));                                                 \
    FUZZ_CHECK(nnrp_##name##_meta_decode(&again, out, (len), flags) == 0);            \
    FUZZ_CHECK(memcmp(&again, &m, sizeof(m)) == 0);                                   \
  }

#define NONE ((void)0)
META_CASE(client_hello, NNRP_CLIENT_HELLO_META_LEN, NONE)
META_CASE(server_hello_ack, NNRP_SERVER_HELLO_ACK_META_LEN, m.reserved0 = 0)
META_CASE(session_patch, NNRP_SESSION_PATCH_META_LEN, m.reserved0 = 0)
META_CASE(session_patch_ack, NNRP_SESSION_PATCH_ACK_META_LEN, m.reserved0 = 0)
META_CASE(error, NNRP_ERROR_META_LEN, NONE)
META_CASE(cache_put, NNRP_CACHE_PUT_META_LEN, NONE)
META_CASE(cache_ack, NNRP_CACHE_ACK_META_LEN, NONE)
META_CASE(cache_invalidate, NNRP_CACHE_INVALIDATE_META_LEN, NONE)
META_CASE(flow_update, NNRP_FLOW_UPDATE_META_LEN, (m.reserved0 = 0, m.reserved1 = 0))
META_CASE(result_hint, NNRP_RESULT_HINT_META_LEN, NONE)
META_CASE(transport_probe, NNRP_TRANSPORT_PROBE_META_LEN, NONE)
META_CASE(transport_probe_ack, NNRP_TRANSPORT_PROBE_ACK_META_LEN, m.reserved = 0)
META_CASE(session_migrate, NNRP_SESSION_MIGRATE_META_LEN, NONE)
META_CASE(session_migrate_ack, NNRP_SESSION_MIGRATE_ACK_META_LEN, NONE)
META_CASE(frame_submit, NNRP_FRAME_SUBMIT_META_LEN,
          (m.reserved0 = 0, m.reserved1 = 0, m.reserved2 = 0, m.reserved3 = 0, m.reserved4 = 0))
META_CASE(result_push, NNRP_RESULT_PUSH_META_LEN,
          (m.reserved0 = 0, m.reserved1 = 0, m.reserved2 = 0, m.reserved3 = 0, m.reserved4 = 0,
           m.reserved5 = 0))

static void fuzz_profile_patch(const uint8_t *in, size_t n, uint32_t flags) {
  nnrp_profile_patch pp;
  int rc = nnrp_profile_patch_decode(&pp, in, n);
  if (n != NNRP_PROFILE_PATCH_LEN) FUZZ_CHECK(rc != 0);
  if (rc != 0 || (flags & NNRP_DECODE_PY_COMPAT)) return;
  uint8_t out[NNRP_PROFILE_PATCH_LEN];
  FUZZ_CHECK(nnrp_profile_patch_encode(&pp, out) == 0);
  FUZZ_CHECK(memcmp(out, in, NNRP_PROFILE_PATCH_LEN) == 0);
}

/* RESULT_PUSH coverage rules on decoded metadata: must not crash, C2-C4 must hold. */
static void fuzz_coverage(const uint8_t *in, size_t n, uint32_t flags) {
  nnrp_result_push_meta m;
  if (nnrp_result_push_meta_decode(&m, in, n, flags | NNRP_DECODE_PY_COMPAT) != 0) return;
  if (nnrp_result_push_check_coverage(&m, flags) == 0 && (m.payload_kind_bitmap & 1u)) {
    FUZZ_CHECK(m.covered_tile_count <= m.tile_count);
    FUZZ_CHECK(m.dropped_tile_count <= m.tile_count);
    FUZZ_CHECK((unsigned)m.covered_tile_count + m.dropped_tile_count == m.tile_count);
  }
}

typedef void (*meta_fn)(const uint8_t *, size_t, uint32_t);
static const meta_fn decoders[] = {
    fuzz_client_hello,     fuzz_server_hello_ack, fuzz_session_patch,   fuzz_session_patch_ack,
    fuzz_error,            fuzz_cache_put,        fuzz_cache_ack,       fuzz_cache_invalidate,
    fuzz_flow_update,      fuzz_result_hint,      fuzz_transport_probe, fuzz_transport_probe_ack,
    fuzz_session_migrate,  fuzz_session_migrate_ack, fuzz_frame_submit, fuzz_result_push,
    fuzz_profile_patch,    fuzz_coverage,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  uint8_t sel = data[0];
  uint32_t flags = 0;
  if (sel & 0x20) flags |= NNRP_DECODE_PY_COMPAT;
  if (sel & 0x40) flags |= NNRP_DECODE_STRICT_C6;
  size_t which = (size_t)(sel & 0x1F) % (sizeof(decoders) / sizeof(decoders[0]));
  decoders[which](data + 1, size - 1, flags);
  return 0;
}
