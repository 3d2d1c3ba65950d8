/*
 * Control extension TLV blocks (wire-control §5): the entry list of the hello bodies and the
 * six standard extension payloads.
 */
#include "control_int.h"
#include "wire_int.h"

/* nnrp-cs refuses entries above this (§5.2); nothing legitimate comes close. */
#define EXT_LEN_MAX 0x7FFFFFFFu
#define STD_PAYLOAD_LEN 8u
#define CS_LOSS_PAYLOAD_LEN 4u

/* ---- standard payloads --------------------------------------------------------------------- */

static int is_transport_policy(uint16_t t) {
  return t == NNRP_EXT_TRANSPORT_POLICY || t == NNRP_EXT_TRANSPORT_POLICY_ACK;
}
static int is_loss_tolerance(uint16_t t) {
  return t == NNRP_EXT_LOSS_TOLERANCE || t == NNRP_EXT_LOSS_TOLERANCE_ACK;
}
static int is_payload_caps(uint16_t t) {
  return t == NNRP_EXT_PAYLOAD_CAPABILITIES || t == NNRP_EXT_PAYLOAD_CAPABILITIES_ACK;
}

/* §5.3.1 / §5.3.2.  Reserved bytes 2..3 (and byte 1 of 0x0101) are ignored, as both SDKs do. */
static int transport_policy_read(uint16_t type, nnrp_vec p, nnrp_transport_policy_ext *v,
                                 nnrp_diag *diag) {
  if (p.len != STD_PAYLOAD_LEN) return nnrp_fail(diag, NNRP_ERR_EXT_LENGTH, 0);
  v->transport_policy = p.base[0];
  v->accepted_transport_policy = type == NNRP_EXT_TRANSPORT_POLICY_ACK ? p.base[1] : 0;
  v->transport_id = nnrp_ld32(p.base + 4);
  if (v->transport_policy > NNRP_TRANSPORT_POLICY_FORCE_TCP)
    return nnrp_fail(diag, NNRP_ERR_TRANSPORT_POLICY, 0);
  if (v->accepted_transport_policy > NNRP_TRANSPORT_POLICY_FORCE_TCP)
    return nnrp_fail(diag, NNRP_ERR_TRANSPORT_POLICY, 1);
  /* active_transport_id 0 is tolerated on receive (§14 D8); builders refuse it. */
  if (v->transport_id > NNRP_TRANSPORT_TCP) return nnrp_fail(diag, NNRP_ERR_TRANSPORT_ID, 4);
  return 0;
}

/*
 * §5.3.3 / §5.3.4.  nnrp-py sends 8 bytes, nnrp-cs 4 (§14 D2); the value sits in byte 0 either
 * way and every other byte is zero, so the short form is read without ambiguity where the
 * caller allows it (NNRP_DECODE_CS_DIALECT, or the explicit typed accessor).
 */
static int loss_tolerance_read(nnrp_vec p, int allow_short, nnrp_loss_tolerance_ext *v,
                               nnrp_diag *diag) {
  if (p.len != STD_PAYLOAD_LEN && (!allow_short || p.len != CS_LOSS_PAYLOAD_LEN))
    return nnrp_fail(diag, NNRP_ERR_EXT_LENGTH, 0);
  for (size_t i = 1; i < p.len; i++)
    if (p.base[i]) return nnrp_fail(diag, NNRP_ERR_EXT_RESERVED, i);
  if (p.base[0] > NNRP_LOSS_FIRE_AND_FORGET) return nnrp_fail(diag, NNRP_ERR_LOSS_TOLERANCE, 0);
  v->loss_tolerance = p.base[0];
  v->payload_len = (uint8_t)p.len;
  return 0;
}

/* §5.3.5 / §5.3.6. */
static int payload_caps_read(nnrp_vec p, nnrp_payload_caps_ext *v, nnrp_diag *diag) {
  if (p.len != STD_PAYLOAD_LEN) return nnrp_fail(diag, NNRP_ERR_EXT_LENGTH, 0);
  v->payload_kind_bitmap = nnrp_ld32(p.base);
  v->critical_extension_frame_bitmap = nnrp_ld32(p.base + 4);
  if (v->payload_kind_bitmap & ~NNRP_PAYLOAD_KNOWN)
    return nnrp_fail(diag, NNRP_ERR_PAYLOAD_KIND_BITS, 0);
  if (v->critical_extension_frame_bitmap != 0)
    return nnrp_fail(diag, NNRP_ERR_CRITICAL_FRAME_BITMAP, 4);
  return 0;
}

int nnrpi_ext_payload_check(uint16_t ext_type, nnrp_vec payload, int mode, nnrp_diag *diag) {
  int encoding = mode == NNRPI_EXT_ENCODE;
  if (is_transport_policy(ext_type)) {
    nnrp_transport_policy_ext v;
    int rc = transport_policy_read(ext_type, payload, &v, diag);
    if (rc == 0 && encoding && ext_type == NNRP_EXT_TRANSPORT_POLICY_ACK &&
        v.transport_id == NNRP_TRANSPORT_UNSPECIFIED)
      rc = nnrp_fail(diag, NNRP_ERR_TRANSPORT_ID, 4);
    return rc;
  }
  if (is_loss_tolerance(ext_type)) {
    nnrp_loss_tolerance_ext v;
    return loss_tolerance_read(payload, mode == NNRPI_EXT_DECODE_CS, &v, diag);
  }
  if (is_payload_caps(ext_type)) {
    nnrp_payload_caps_ext v;
    return payload_caps_read(payload, &v, diag);
  }
  return 0;
}

int nnrp_ext_transport_policy_parse(const nnrp_ext_entry *e, nnrp_transport_policy_ext *v) {
  if (!is_transport_policy(e->ext_type)) return NNRP_ERR_EXT_TYPE;
  return transport_policy_read(e->ext_type, e->payload, v, NULL);
}

int nnrp_ext_loss_tolerance_parse(const nnrp_ext_entry *e, nnrp_loss_tolerance_ext *v) {
  if (!is_loss_tolerance(e->ext_type)) return NNRP_ERR_EXT_TYPE;
  return loss_tolerance_read(e->payload, 1, v, NULL);
}

int nnrp_ext_payload_caps_parse(const nnrp_ext_entry *e, nnrp_payload_caps_ext *v) {
  if (!is_payload_caps(e->ext_type)) return NNRP_ERR_EXT_TYPE;
  return payload_caps_read(e->payload, v, NULL);
}

static void entry_init(nnrp_ext_entry *e, uint16_t type, int critical, const uint8_t *buf) {
  e->ext_type = type;
  e->ext_flags = critical ? NNRP_EXT_FLAG_CRITICAL : 0;
  e->payload.base = buf;
  e->payload.len = STD_PAYLOAD_LEN;
}

int nnrp_ext_transport_policy_build(uint16_t ext_type, const nnrp_transport_policy_ext *v,
                                    int critical, uint8_t buf[8], nnrp_ext_entry *e) {
  if (!is_transport_policy(ext_type)) return NNRP_ERR_EXT_TYPE;
  uint8_t tmp[STD_PAYLOAD_LEN] = {0};
  tmp[0] = v->transport_policy;
  if (ext_type == NNRP_EXT_TRANSPORT_POLICY_ACK) tmp[1] = v->accepted_transport_policy;
  nnrp_st32(tmp + 4, v->transport_id);
  int rc = nnrpi_ext_payload_check(ext_type, (nnrp_vec){tmp, sizeof(tmp)}, NNRPI_EXT_ENCODE, NULL);
  if (rc < 0) return rc;
  memcpy(buf, tmp, sizeof(tmp));
  entry_init(e, ext_type, critical, buf);
  return 0;
}

int nnrp_ext_loss_tolerance_build(uint16_t ext_type, const nnrp_loss_tolerance_ext *v,
                                  int critical, uint8_t buf[8], nnrp_ext_entry *e) {
  if (!is_loss_tolerance(ext_type)) return NNRP_ERR_EXT_TYPE;
  if (v->loss_tolerance > NNRP_LOSS_FIRE_AND_FORGET) return NNRP_ERR_LOSS_TOLERANCE;
  /* Always the 8-byte form of nnrp-py and the design document (§14 D2). */
  memset(buf, 0, STD_PAYLOAD_LEN);
  buf[0] = v->loss_tolerance;
  entry_init(e, ext_type, critical, buf);
  return 0;
}

int nnrp_ext_payload_caps_build(uint16_t ext_type, const nnrp_payload_caps_ext *v, int critical,
                                uint8_t buf[8], nnrp_ext_entry *e) {
  if (!is_payload_caps(ext_type)) return NNRP_ERR_EXT_TYPE;
  uint8_t tmp[STD_PAYLOAD_LEN];
  nnrp_st32(tmp, v->payload_kind_bitmap);
  nnrp_st32(tmp + 4, v->critical_extension_frame_bitmap);
  int rc = payload_caps_read((nnrp_vec){tmp, sizeof(tmp)}, &(nnrp_payload_caps_ext){0}, NULL);
  if (rc < 0) return rc;
  memcpy(buf, tmp, sizeof(tmp));
  entry_init(e, ext_type, critical, buf);
  return 0;
}

/* ---- the entry list ------------------------------------------------------------------------ */

size_t nnrp_ext_block_len(const nnrp_ext_entry *entries, size_t n) {
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    size_t len = entries[i].payload.len;
    /* Saturate: a length that does not fit is refused by the encoder anyway. */
    if (len > SIZE_MAX - NNRP_EXT_ENTRY_HEADER_LEN - 7) return SIZE_MAX;
    size_t entry = NNRP_EXT_ENTRY_HEADER_LEN + nnrp_align8(len);
    if (entry > SIZE_MAX - total) return SIZE_MAX;
    total += entry;
  }
  return total;
}

/* What the block encoder refuses in one entry: the structural rules of §5.2. */
static int entry_check(const nnrp_ext_entry *e) {
  if (e->ext_flags & ~NNRP_EXT_FLAG_CRITICAL) return NNRP_ERR_EXT_FLAGS;
  if (e->payload.len > EXT_LEN_MAX) return NNRP_ERR_EXT_TOO_LARGE;
  if (e->payload.len && !e->payload.base) return NNRP_ERR_INVALID_ARGUMENT;
  return 0;
}

int nnrpi_ext_entries_check(const nnrp_ext_entry *entries, size_t n, const uint16_t *known,
                            size_t known_count) {
  for (size_t i = 0; i < n; i++) {
    int rc = entry_check(&entries[i]);
    if (rc < 0) return rc;
  }
  /* Standard payloads are checked where the message knows them, as receivers do (§5.2). */
  for (size_t i = 0; i < n; i++) {
    for (size_t k = 0; k < known_count; k++) {
      if (entries[i].ext_type != known[k]) continue;
      int rc = nnrpi_ext_payload_check(entries[i].ext_type, entries[i].payload, NNRPI_EXT_ENCODE,
                                       NULL);
      if (rc < 0) return rc;
    }
  }
  return 0;
}

int nnrp_ext_block_encode(const nnrp_ext_entry *entries, size_t n, nnrp_sink *sink) {
  int rc = nnrpi_ext_entries_check(entries, n, NULL, 0);
  if (rc < 0) return rc;
  for (size_t i = 0; i < n; i++) {
    const nnrp_ext_entry *e = &entries[i];
    nnrp_sink_u16(sink, e->ext_type);
    nnrp_sink_u16(sink, e->ext_flags);
    nnrp_sink_u32(sink, (uint32_t)e->payload.len);
    nnrp_sink_payload(sink, e->payload.base, e->payload.len);
    nnrp_sink_zero(sink, nnrp_pad8(e->payload.len));
  }
  return nnrp_sink_error(sink);
}

static int type_known(uint16_t type, const uint16_t *known, size_t count) {
  for (size_t i = 0; i < count; i++)
    if (known[i] == type) return 1;
  return 0;
}

/*
 * Two passes, as nnrp-py does it: the whole entry list must be well formed (and free of
 * unknown critical entries) before any known entry's payload is looked at.
 */
int nnrp_ext_block_validate(const uint8_t *block, size_t len, const uint16_t *known_types,
                            size_t known_count, uint32_t flags, nnrp_diag *diag) {
  size_t off = 0;
  while (off < len) {
    if (len - off < NNRP_EXT_ENTRY_HEADER_LEN)
      return nnrp_fail(diag, NNRP_ERR_EXT_TRUNCATED_HEADER, off);
    uint16_t type = nnrp_ld16(block + off);
    uint16_t ext_flags = nnrp_ld16(block + off + 2);
    uint32_t ext_len = nnrp_ld32(block + off + 4);
    /* nnrp-py keeps unknown flag bits (§14 D3). */
    if ((ext_flags & ~NNRP_EXT_FLAG_CRITICAL) && !(flags & NNRP_DECODE_PY_COMPAT))
      return nnrp_fail(diag, NNRP_ERR_EXT_FLAGS, off + 2);
    if (ext_len > EXT_LEN_MAX) return nnrp_fail(diag, NNRP_ERR_EXT_TOO_LARGE, off + 4);
    size_t room = len - off - NNRP_EXT_ENTRY_HEADER_LEN;
    if (ext_len > room) return nnrp_fail(diag, NNRP_ERR_EXT_TRUNCATED_PAYLOAD, off + 4);
    size_t pad = nnrp_pad8(ext_len);
    if (pad > room - ext_len) return nnrp_fail(diag, NNRP_ERR_EXT_TRUNCATED_PADDING, off + 4);
    size_t pad_off = off + NNRP_EXT_ENTRY_HEADER_LEN + ext_len;
    for (size_t i = 0; i < pad; i++)
      if (block[pad_off + i]) return nnrp_fail(diag, NNRP_ERR_EXT_PADDING, pad_off + i);
    if ((ext_flags & NNRP_EXT_FLAG_CRITICAL) && !type_known(type, known_types, known_count))
      return nnrp_fail(diag, NNRP_ERR_EXT_UNKNOWN_CRITICAL, off);
    off = pad_off + pad;
  }

  nnrp_ext_iter it;
  nnrp_ext_entry e;
  nnrp_ext_iter_init(&it, block, len);
  while (nnrp_ext_iter_next(&it, &e)) {
    if (!type_known(e.ext_type, known_types, known_count)) continue;
    int rc = nnrpi_ext_payload_check(
        e.ext_type, e.payload,
        (flags & NNRP_DECODE_CS_DIALECT) ? NNRPI_EXT_DECODE_CS : NNRPI_EXT_DECODE, diag);
    if (rc < 0) return nnrpi_diag_shift(diag, rc, (size_t)(e.payload.base - block));
  }
  return 0;
}

void nnrp_ext_iter_init(nnrp_ext_iter *it, const uint8_t *block, size_t len) {
  it->pos = block;
  it->end = block + len;
}

int nnrp_ext_iter_next(nnrp_ext_iter *it, nnrp_ext_entry *e) {
  size_t left = (size_t)(it->end - it->pos);
  if (left < NNRP_EXT_ENTRY_HEADER_LEN) return 0;
  uint32_t ext_len = nnrp_ld32(it->pos + 4);
  /* Defensive only: a validated block never trips this. */
  if (ext_len > left - NNRP_EXT_ENTRY_HEADER_LEN) return 0;
  e->ext_type = nnrp_ld16(it->pos);
  e->ext_flags = nnrp_ld16(it->pos + 2);
  e->payload.base = it->pos + NNRP_EXT_ENTRY_HEADER_LEN;
  e->payload.len = ext_len;
  size_t step = NNRP_EXT_ENTRY_HEADER_LEN + nnrp_align8(ext_len);
  it->pos = step < left ? it->pos + step : it->end;
  return 1;
}
