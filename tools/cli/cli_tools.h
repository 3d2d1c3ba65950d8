/*
 * The nnrp command's host tooling: summary and JSON output of inspect, nnrp compare, and
 * capture replay (inspect --pcap).
 *
 *   inspect_out.c  the per-packet output formats of nnrp inspect
 *   cmd_compare.c  nnrp compare: wire size against another encoding
 *   pcap_read.c    capture files (libpcap) -> TCP segments
 *   pcap_tcp.c     TCP stream reassembly, one direction at a time
 *   pcap_inspect.c connections on a port -> NNRP packets, printed in capture order
 */
#ifndef NNRP_CLI_TOOLS_H
#define NNRP_CLI_TOOLS_H

#include "cli.h"

/* ---- inspect_out.c -----------------------------------------------------------------------------
 */

typedef enum cli_inspect_format {
  CLI_INSPECT_LINE = 0, /* the inspect line */
  CLI_INSPECT_SUMMARY,  /* the reference's summary rendering (other messages: the inspect line) */
  CLI_INSPECT_JSON      /* one JSON object per packet: the summary fields */
} cli_inspect_format;

typedef struct cli_inspect_opts {
  cli_inspect_format format;
  const char *subject; /* --subject, NULL: the message's default */
  const char *pcap;    /* --pcap FILE */
  long port;           /* --port P (capture replay), default 9444 */
} cli_inspect_opts;

/* The part of `nnrp help inspect` about these options. */
extern const char cli_inspect_tools_usage[];

/* Take the tools options (--summary, --json, --subject S, --pcap FILE, --port P) out of argv,
 * leaving the others for cli_decode_args_parse().  CLI_OK or CLI_USAGE (reported). */
int cli_inspect_opts_take(int *argc, char **argv, cli_inspect_opts *o);

/* The inspect line of a packet, without the newline (cmd_inspect.c). */
void cli_inspect_line(FILE *f, const nnrp_packet *p);

/* A packet in the chosen format, with its newline.  `prefix` (may be NULL) comes before a
 * line; `extra` (may be NULL) holds keys that come first in a JSON object. */
int cli_inspect_print(FILE *f, const nnrp_packet *p, const cli_inspect_opts *o, const char *prefix,
                      json_t *extra);

/* Summary fields as a JSON object (NULL when out of memory); `s` may be NULL for messages
 * without a summary, which then carry their header fields only. */
json_t *cli_summary_json(const nnrp_packet *p, const nnrp_wire_summary *s);

/* ---- cmd_compare.c -----------------------------------------------------------------------------
 */

extern const char cli_compare_usage[];
int cli_cmd_compare(int argc, char **argv);

/* ---- pcap_*.c ----------------------------------------------------------------------------------
 */

/* nnrp inspect --pcap: CLI_OK, or CLI_FAIL when the capture or a stream had errors (each
 * reported on its own line, in order). */
int cli_pcap_inspect(const cli_inspect_opts *o, const nnrp_decode_options *dopts);

#endif /* NNRP_CLI_TOOLS_H */
