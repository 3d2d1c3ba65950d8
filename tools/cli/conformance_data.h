/*
 * What the L1 data-plane files share:
 *
 *   cmd_conformance_data.c   the cases: FRAME_SUBMIT, RESULT_PUSH, object references, typed
 *                            payloads, degraded results; the tensor content they build with
 *   conformance_reemit.c     parse and re-emit: decoded content fed back to the builders
 *   conformance_m_rules.c    FRAME_SUBMIT assembled block by block to break M1-M11 one at a time
 */
#ifndef NNRP_CLI_CONFORMANCE_DATA_H
#define NNRP_CLI_CONFORMANCE_DATA_H

#include <string.h>

#include "conformance.h"

enum { MAX_PACKET = 8192 };

typedef struct packet {
  uint8_t b[MAX_PACKET];
  size_t len;
} packet;

static const nnrp_decode_options strict = {NNRP_DECODE_EXACT, 0, NULL, 0};

static inline nnrp_vec text(const char *s) {
  return (nnrp_vec){(const uint8_t *)s, strlen(s)};
}

static inline int built(packet *out, const nnrp_sink *s, int rc) {
  out->len = rc == 0 ? s->total : 0;
  return rc;
}

static const nnrp_object_ref camera_ref = {NNRP_OBJECT_CAMERA_BLOCK, 0, 3, 0x10, 0x20};
static const nnrp_object_ref tile_ref = {NNRP_OBJECT_TILE_INDEX_BLOCK, 0, 3, 0x10, 0x21};

/* ---- parse and re-emit (conformance_reemit.c) ------------------------------------------------ */

/* Decode, re-emit from the decoded content, compare.  `p` keeps the decoded packet. */
int conf_parse_emit(conf_case *c, const char *what, const packet *in, nnrp_packet *p);
/* A reference vector file read into `out`, then parsed and re-emitted. */
void conf_reference_packet(conf_case *c, const char *file, packet *out, nnrp_packet *p);
/* Tile ids and roles as parsed, logged and compared with what was built. */
void conf_check_layout(conf_case *c, const char *what, const nnrp_packet *p, const uint16_t *ids,
                       size_t n, const nnrp_tensor_section_data *secs, size_t ns);

typedef void (*mutation)(packet *p);

/* `base` changed by `m` must be refused by the strict decoder with `want`. */
void conf_rejects(conf_case *c, const char *what, const packet *base, mutation m, int want);

/* ---- shared tensor content (cmd_conformance_data.c) ------------------------------------------ */

extern nnrp_tensor_section_data conf_two_tiles; /* role_id 1, two tiles */

/* ---- FRAME_SUBMIT M1-M11 (conformance_m_rules.c) --------------------------------------------- */

/* The invalid object combinations of wire-data 9.3, one rule broken at a time. */
void conf_m_rules(conf_case *c);

#endif /* NNRP_CLI_CONFORMANCE_DATA_H */
