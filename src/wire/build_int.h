/*
 * Private: what every packet builder shares — the common header and the fixed metadata,
 * written before the body (implemented in control_build.c).
 */
#ifndef NNRP_BUILD_INT_H
#define NNRP_BUILD_INT_H

#include <libnnrp/wire.h>

/*
 * Check that the lengths fit the header, then write the 40-byte header (fields from `p`, the
 * message type and the lengths) and `meta_len` metadata bytes.  The caller writes the body.
 */
int nnrpi_packet_head_write(const nnrp_packet_params *p, unsigned msg_type, const uint8_t *meta,
                            size_t meta_len, size_t body_len, nnrp_sink *sink);

#endif /* NNRP_BUILD_INT_H */
