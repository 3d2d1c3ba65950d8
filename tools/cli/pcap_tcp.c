/*
 * TCP reassembly of one direction, by sequence number: bytes are handed over once, in stream
 * order, whatever order the capture holds the segments in and however often it holds them.
 * Sequence numbers wrap; stream offsets are 64-bit, counted from the byte after the SYN (or
 * from the first byte seen when the capture starts inside the connection).
 */
#include <stdlib.h>
#include <string.h>

#include "pcap_int.h"

struct cli_tcp_chunk {
  cli_tcp_chunk *next;
  uint64_t at;
  size_t len;
  uint8_t data[];
};

void cli_tcp_stream_init(cli_tcp_stream *t) {
  memset(t, 0, sizeof(*t));
}

void cli_tcp_stream_free(cli_tcp_stream *t) {
  while (t->pending) {
    cli_tcp_chunk *c = t->pending;
    t->pending = c->next;
    free(c);
  }
  t->pending_bytes = 0;
}

/* Stream offset of a sequence number, relative to the next byte expected (within 2 GiB). */
static int64_t offset_of(const cli_tcp_stream *t, uint32_t seq) {
  return (int64_t)t->delivered + (int32_t)(seq - t->next_seq);
}

static void advance(cli_tcp_stream *t, size_t n) {
  t->delivered += n;
  t->next_seq += (uint32_t)n;
}

/* Hand over data at offset `at`, skipping what was already delivered. */
static void deliver_from(cli_tcp_stream *t, int64_t at, const uint8_t *p, size_t len,
                         cli_tcp_deliver_fn deliver, void *ctx) {
  int64_t skip = (int64_t)t->delivered - at; /* at may precede offset 0 */
  if (skip < 0 || (uint64_t)skip >= len) return;
  deliver(ctx, t->delivered, p + skip, len - (size_t)skip);
  advance(t, len - (size_t)skip);
}

/* Pending chunks that the delivered bytes have reached. */
static void drain(cli_tcp_stream *t, cli_tcp_deliver_fn deliver, void *ctx) {
  while (t->pending && t->pending->at <= t->delivered) {
    cli_tcp_chunk *c = t->pending;
    t->pending = c->next;
    t->pending_bytes -= c->len;
    deliver_from(t, (int64_t)c->at, c->data, c->len, deliver, ctx);
    free(c);
  }
}

/* Keep bytes past a hole, in offset order. */
static int hold(cli_tcp_stream *t, uint64_t at, const uint8_t *p, size_t len) {
  if (len > CLI_TCP_MAX_PENDING - t->pending_bytes) return -1;
  cli_tcp_chunk *c = malloc(sizeof(*c) + len);
  if (!c) return -1;
  c->at = at;
  c->len = len;
  memcpy(c->data, p, len);
  cli_tcp_chunk **link = &t->pending;
  while (*link && (*link)->at <= at) link = &(*link)->next;
  c->next = *link;
  *link = c;
  t->pending_bytes += len;
  return 0;
}

int cli_tcp_stream_segment(cli_tcp_stream *t, const cli_cap_segment *s, cli_tcp_deliver_fn deliver,
                           void *ctx) {
  uint32_t data_seq = s->seq + ((s->flags & CLI_TCP_SYN) ? 1u : 0u);
  if (!t->started && ((s->flags & CLI_TCP_SYN) || s->payload_len || s->missing)) {
    t->started = 1;
    t->next_seq = data_seq;
  }
  if (s->flags & CLI_TCP_RST) t->rst = 1;
  if (!t->started) return 0;
  int64_t at = offset_of(t, data_seq);
  if ((s->flags & CLI_TCP_FIN) && !t->fin) {
    int64_t end = at + (int64_t)s->payload_len + (int64_t)s->missing;
    if (end >= 0) {
      t->fin = 1;
      t->fin_at = (uint64_t)end;
    }
  }
  int64_t wire_end = at + (int64_t)s->payload_len + (int64_t)s->missing;
  if (wire_end > 0 && (uint64_t)wire_end > t->seen_end) t->seen_end = (uint64_t)wire_end;
  if (!s->payload_len) return 0;
  int64_t end = at + (int64_t)s->payload_len;
  if (end <= (int64_t)t->delivered) return 0; /* a retransmission of delivered bytes */
  if (at <= (int64_t)t->delivered) {
    deliver_from(t, at, s->payload, s->payload_len, deliver, ctx);
    drain(t, deliver, ctx);
    return 0;
  }
  return hold(t, (uint64_t)at, s->payload, s->payload_len);
}

int cli_tcp_stream_finished(const cli_tcp_stream *t) {
  return t->rst || (t->fin && t->delivered >= t->fin_at);
}

int cli_tcp_stream_hole(const cli_tcp_stream *t, uint64_t *at, uint64_t *len) {
  uint64_t end = t->pending ? t->pending->at : t->seen_end;
  if (end <= t->delivered) return 0;
  *at = t->delivered;
  *len = end - t->delivered;
  return 1;
}
