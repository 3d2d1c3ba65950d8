/*
 * Private: the pieces of the header and control-plane codecs that the whole-packet decoder and
 * the builders share.  The `_read` functions take metadata of exactly the fixed length (the
 * caller has checked it) and report diag offsets relative to the first metadata byte; the
 * public `_decode` functions are these plus the length check.  Internal non-static functions
 * use the `nnrpi_` prefix so that the symbol version script does not export them.
 */
#ifndef NNRP_CONTROL_INT_H
#define NNRP_CONTROL_INT_H

#include <libnnrp/wire.h>

/* Header decode (wire-control §2.3 steps 1-9) with the offset of the failing field. */
int nnrpi_header_read(nnrp_header *h, const uint8_t *data, size_t len,
                      const nnrp_decode_options *opts, nnrp_diag *diag);

/* Largest meta_len + body_len the options allow (max_message_len, 0 = 0xFFFFFFFF). */
uint64_t nnrpi_max_message_len(const nnrp_decode_options *opts);

/* Per-message metadata readers (metadata of the fixed length, `flags` = NNRP_DECODE_*). */
int nnrpi_client_hello_meta_read(nnrp_client_hello_meta *m, const uint8_t *in, uint32_t flags,
                                 nnrp_diag *diag);
int nnrpi_server_hello_ack_meta_read(nnrp_server_hello_ack_meta *m, const uint8_t *in,
                                     uint32_t flags, nnrp_diag *diag);
int nnrpi_session_patch_meta_read(nnrp_session_patch_meta *m, const uint8_t *in, uint32_t flags,
                                  nnrp_diag *diag);
int nnrpi_session_patch_ack_meta_read(nnrp_session_patch_ack_meta *m, const uint8_t *in,
                                      uint32_t flags, nnrp_diag *diag);
int nnrpi_error_meta_read(nnrp_error_meta *m, const uint8_t *in, uint32_t flags, nnrp_diag *diag);
int nnrpi_cache_put_meta_read(nnrp_cache_put_meta *m, const uint8_t *in, uint32_t flags,
                              nnrp_diag *diag);
int nnrpi_cache_ack_meta_read(nnrp_cache_ack_meta *m, const uint8_t *in, uint32_t flags,
                              nnrp_diag *diag);
int nnrpi_cache_invalidate_meta_read(nnrp_cache_invalidate_meta *m, const uint8_t *in,
                                     uint32_t flags, nnrp_diag *diag);
int nnrpi_flow_update_meta_read(nnrp_flow_update_meta *m, const uint8_t *in, uint32_t flags,
                                nnrp_diag *diag);
int nnrpi_result_hint_meta_read(nnrp_result_hint_meta *m, const uint8_t *in, uint32_t flags,
                                nnrp_diag *diag);
int nnrpi_transport_probe_meta_read(nnrp_transport_probe_meta *m, const uint8_t *in,
                                    uint32_t flags, nnrp_diag *diag);
int nnrpi_transport_probe_ack_meta_read(nnrp_transport_probe_ack_meta *m, const uint8_t *in,
                                        uint32_t flags, nnrp_diag *diag);
int nnrpi_session_migrate_meta_read(nnrp_session_migrate_meta *m, const uint8_t *in,
                                    uint32_t flags, nnrp_diag *diag);
int nnrpi_session_migrate_ack_meta_read(nnrp_session_migrate_ack_meta *m, const uint8_t *in,
                                        uint32_t flags, nnrp_diag *diag);

/* FLOW_UPDATE rule 7: connection scope <=> header session_id == 0. */
int nnrpi_flow_session_binding_check(uint8_t scope_kind, uint32_t session_id);

/*
 * Check a standard extension payload (types 0x0101..0x0106).  The nnrp-cs 4-byte
 * loss-tolerance form passes only in NNRPI_EXT_DECODE_CS mode (NNRP_DECODE_CS_DIALECT); the
 * encode mode also refuses what only receivers tolerate.  diag offsets are relative to the
 * payload.  Other types pass unchecked.
 */
enum { NNRPI_EXT_DECODE = 0, NNRPI_EXT_ENCODE = 1, NNRPI_EXT_DECODE_CS = 2 };
int nnrpi_ext_payload_check(uint16_t ext_type, nnrp_vec payload, int mode, nnrp_diag *diag);

/*
 * What an encoder refuses before it writes: the structural rules of §5.2 for every entry, and
 * the standard payload rules (encode mode) for entries whose type is in `known`.
 */
int nnrpi_ext_entries_check(const nnrp_ext_entry *entries, size_t n, const uint16_t *known,
                            size_t known_count);

/* The extension types each hello understands (§5.2, "carried in"); three each. */
extern const uint16_t nnrpi_client_hello_ext_types[3];
extern const uint16_t nnrpi_server_hello_ack_ext_types[3];

/*
 * Hello bodies (§6.1, §6.2): length rules, then the extension block with the message's known
 * types; fills b.  diag offsets are relative to the body.  Under NNRP_DECODE_PY_COMPAT the
 * length fields only slice the body, as nnrp-py does.
 */
int nnrpi_client_hello_body_decode(nnrp_hello_body *b, const nnrp_client_hello_meta *m,
                                   const uint8_t *body, size_t len, uint32_t flags,
                                   nnrp_diag *diag);
int nnrpi_server_hello_ack_body_decode(nnrp_hello_body *b, const nnrp_server_hello_ack_meta *m,
                                       const uint8_t *body, size_t len, uint32_t flags,
                                       nnrp_diag *diag);

/* Add `base` to a diag offset that a nested decoder filled (no-op when diag is NULL). */
static inline int nnrpi_diag_shift(nnrp_diag *d, int rc, size_t base) {
  if (d && rc < 0) d->offset += base;
  return rc;
}

#endif /* NNRP_CONTROL_INT_H */
