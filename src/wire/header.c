/* The 40-byte common header (wire-control §2) and stream framing. */
#include <stdint.h>

#include "control_int.h"
#include "wire_int.h"

_Static_assert(NNRP_HEADER_LEN == 40, "the common header is 40 bytes");

/* Field offsets inside the header, used for diag. */
enum {
  OFF_MAGIC = 0,
  OFF_VERSION = 4,
  OFF_WIRE_FORMAT = 5,
  OFF_MSG_TYPE = 6,
  OFF_HEADER_LEN = 7,
  OFF_FLAGS = 8,
  OFF_META_LEN = 12,
  OFF_BODY_LEN = 16,
  OFF_SESSION_ID = 20,
  OFF_FRAME_ID = 24,
  OFF_VIEW_ID = 28,
  OFF_ROUTE_ID = 30,
  OFF_TRACE_ID = 32
};

uint64_t nnrpi_max_message_len(const nnrp_decode_options *opts) {
  if (!opts || opts->max_message_len == 0) return UINT32_MAX;
  return opts->max_message_len;
}

int nnrp_header_encode(const nnrp_header *h, uint8_t out[40]) {
  if (h->header_len != NNRP_HEADER_LEN) return NNRP_ERR_HEADER_LENGTH;
  if (h->wire_format != NNRP_WIRE_FORMAT) return NNRP_ERR_WIRE_FORMAT;
  if (h->version_major != NNRP_VERSION_MAJOR) return NNRP_ERR_VERSION;
  if (!nnrp_msg_type_name(h->msg_type)) return NNRP_ERR_MSG_TYPE;
  if (h->flags & ~NNRP_FLAGS_KNOWN) return NNRP_ERR_RESERVED_FLAGS;
  memcpy(out + OFF_MAGIC, NNRP_MAGIC, 4);
  out[OFF_VERSION] = h->version_major;
  out[OFF_WIRE_FORMAT] = h->wire_format;
  out[OFF_MSG_TYPE] = h->msg_type;
  out[OFF_HEADER_LEN] = h->header_len;
  nnrp_st32(out + OFF_FLAGS, h->flags);
  nnrp_st32(out + OFF_META_LEN, h->meta_len);
  nnrp_st32(out + OFF_BODY_LEN, h->body_len);
  nnrp_st32(out + OFF_SESSION_ID, h->session_id);
  nnrp_st32(out + OFF_FRAME_ID, h->frame_id);
  nnrp_st16(out + OFF_VIEW_ID, h->view_id);
  nnrp_st16(out + OFF_ROUTE_ID, h->route_id);
  nnrp_st64(out + OFF_TRACE_ID, h->trace_id);
  return 0;
}

/*
 * The order of the checks is nnrp-cs's (§2.3); it decides which error a broken header
 * reports.  nnrp-py checks neither version_major nor flag bits, but does reject an unknown
 * msg_type; lenient mode (nnrp-cs) skips all three.
 */
int nnrpi_header_read(nnrp_header *h, const uint8_t *data, size_t len,
                      const nnrp_decode_options *opts, nnrp_diag *diag) {
  uint32_t flags = opts ? opts->flags : 0;
  int lenient = (flags & NNRP_DECODE_LENIENT_HEADER) != 0;
  int py = (flags & NNRP_DECODE_PY_COMPAT) != 0;

  if (len < NNRP_HEADER_LEN) return nnrp_fail(diag, NNRP_ERR_INCOMPLETE, len);
  if (memcmp(data + OFF_MAGIC, NNRP_MAGIC, 4) != 0)
    return nnrp_fail(diag, NNRP_ERR_HEADER_MAGIC, OFF_MAGIC);
  if (data[OFF_HEADER_LEN] != NNRP_HEADER_LEN)
    return nnrp_fail(diag, NNRP_ERR_HEADER_LENGTH, OFF_HEADER_LEN);
  if (data[OFF_WIRE_FORMAT] != NNRP_WIRE_FORMAT)
    return nnrp_fail(diag, NNRP_ERR_WIRE_FORMAT, OFF_WIRE_FORMAT);
  if (!lenient && !py && data[OFF_VERSION] != NNRP_VERSION_MAJOR)
    return nnrp_fail(diag, NNRP_ERR_VERSION, OFF_VERSION);
  if (!lenient && !nnrp_msg_type_name(data[OFF_MSG_TYPE]))
    return nnrp_fail(diag, NNRP_ERR_MSG_TYPE, OFF_MSG_TYPE);
  uint32_t hflags = nnrp_ld32(data + OFF_FLAGS);
  if (!lenient && !py && (hflags & ~NNRP_FLAGS_KNOWN))
    return nnrp_fail(diag, NNRP_ERR_RESERVED_FLAGS, OFF_FLAGS);

  uint32_t meta_len = nnrp_ld32(data + OFF_META_LEN);
  uint32_t body_len = nnrp_ld32(data + OFF_BODY_LEN);
  uint64_t lengths = (uint64_t)meta_len + body_len;
  if (lengths > nnrpi_max_message_len(opts))
    return nnrp_fail(diag, NNRP_ERR_TOO_LARGE, OFF_META_LEN);
  /* The whole packet must be addressable (only bites where size_t is 32 bits). */
  if (lengths > (uint64_t)(SIZE_MAX - NNRP_HEADER_LEN))
    return nnrp_fail(diag, NNRP_ERR_TOO_LARGE, OFF_META_LEN);

  h->version_major = data[OFF_VERSION];
  h->wire_format = data[OFF_WIRE_FORMAT];
  h->msg_type = data[OFF_MSG_TYPE];
  h->header_len = data[OFF_HEADER_LEN];
  h->flags = hflags;
  h->meta_len = meta_len;
  h->body_len = body_len;
  h->session_id = nnrp_ld32(data + OFF_SESSION_ID);
  h->frame_id = nnrp_ld32(data + OFF_FRAME_ID);
  h->view_id = nnrp_ld16(data + OFF_VIEW_ID);
  h->route_id = nnrp_ld16(data + OFF_ROUTE_ID);
  h->trace_id = nnrp_ld64(data + OFF_TRACE_ID);
  return 0;
}

int nnrp_header_decode(nnrp_header *h, const uint8_t *data, size_t len,
                       const nnrp_decode_options *opts) {
  return nnrpi_header_read(h, data, len, opts, NULL);
}

int nnrp_packet_length(const uint8_t *data, size_t len, const nnrp_decode_options *opts,
                       size_t *packet_len) {
  nnrp_header h;
  int rc = nnrpi_header_read(&h, data, len, opts, NULL);
  if (rc < 0) return rc;
  *packet_len = (size_t)NNRP_HEADER_LEN + h.meta_len + h.body_len;
  return 0;
}
