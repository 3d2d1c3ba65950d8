/*
 * Capture replay internals (nnrp inspect --pcap): TCP segments read from a capture file and
 * the reassembly of one direction of a TCP connection.
 */
#ifndef NNRP_CLI_PCAP_INT_H
#define NNRP_CLI_PCAP_INT_H

#include "cli_tools.h"

#define CLI_TCP_FIN 0x01u
#define CLI_TCP_SYN 0x02u
#define CLI_TCP_RST 0x04u
#define CLI_TCP_ACK 0x10u

/* One TCP segment of a capture; payload points into libpcap's buffer (valid during the
 * callback only). */
typedef struct cli_cap_segment {
  long long sec;
  long usec;
  int family; /* 4 or 6 */
  uint8_t src[16];
  uint8_t dst[16];
  uint16_t src_port;
  uint16_t dst_port;
  uint32_t seq;
  uint8_t flags; /* CLI_TCP_* */
  const uint8_t *payload;
  size_t payload_len;
  size_t missing; /* payload bytes on the wire that the capture did not keep (snap length) */
} cli_cap_segment;

typedef int (*cli_cap_segment_fn)(const cli_cap_segment *s, void *ctx);

/* Hand every TCP segment of the capture to fn, in file order.  CLI_OK, or CLI_FAIL when the
 * file cannot be read to its end (reported; the segments before were handed over) or fn
 * failed. */
int cli_cap_read(const char *cmd, const char *path, cli_cap_segment_fn fn, void *ctx);

/* ---- pcap_tcp.c: one direction of a connection -------------------------------------------- */

/* Out-of-order bytes a direction may hold before it gives up. */
#define CLI_TCP_MAX_PENDING (64u << 20)

typedef struct cli_tcp_chunk cli_tcp_chunk;

typedef struct cli_tcp_stream {
  int started;            /* the sequence number of stream offset 0 is known */
  uint32_t next_seq;      /* sequence number of the next byte to deliver */
  uint64_t delivered;     /* stream offset of that byte */
  cli_tcp_chunk *pending; /* bytes past a hole, by offset */
  size_t pending_bytes;
  uint64_t seen_end; /* end of the furthest byte any segment carried, captured or not */
  int fin;           /* FIN seen at offset fin_at */
  uint64_t fin_at;
  int rst;
} cli_tcp_stream;

/* In-order bytes at stream offset `at`. */
typedef void (*cli_tcp_deliver_fn)(void *ctx, uint64_t at, const uint8_t *data, size_t len);

void cli_tcp_stream_init(cli_tcp_stream *t);
/* Take a segment: bytes in order are handed to deliver (retransmitted bytes once), bytes past
 * a hole are kept until the hole fills.  0, or -1 when the pending limit is reached or memory
 * runs out (the stream is then unusable). */
int cli_tcp_stream_segment(cli_tcp_stream *t, const cli_cap_segment *s, cli_tcp_deliver_fn deliver,
                           void *ctx);
/* Every byte up to the FIN delivered, or a reset seen. */
int cli_tcp_stream_finished(const cli_tcp_stream *t);
/* The first stretch of bytes that segments announced but the capture does not hold (before
 * bytes held back, or cut by the snap length): 1 and its offset and length, or 0. */
int cli_tcp_stream_hole(const cli_tcp_stream *t, uint64_t *at, uint64_t *len);
void cli_tcp_stream_free(cli_tcp_stream *t);

#endif /* NNRP_CLI_PCAP_INT_H */
