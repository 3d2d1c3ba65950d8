/* QUIC stream records: what we still have to send (kept until acknowledged, as ngtcp2
 * requires) and the per-stream reassembly of received packets (transport.md §2.2). */
#include <stdlib.h>
#include <string.h>

#include "quic_int.h"

int quic_path_of(uint8_t msg_type) {
  switch (msg_type) {
    case NNRP_MSG_FRAME_SUBMIT:
      return NNRPI_QUIC_SUBMIT;
    case NNRP_MSG_RESULT_PUSH:
    case NNRP_MSG_RESULT_DROP:
      return NNRPI_QUIC_RESULT;
    default:
      return NNRPI_QUIC_CONTROL;
  }
}

int quic_stream_new(nnrpi_quic *q, quic_stream **ps) {
  quic_stream *s = calloc(1, sizeof *s);
  if (!s) return NNRP_ERR_NOMEM;
  s->id = -1;
  s->next = q->streams;
  if (q->streams) q->streams->prev = s;
  q->streams = s;
  *ps = s;
  return 0;
}

void quic_stream_free(nnrpi_quic *q, quic_stream *s) {
  if (s->queued) quic_sendq_remove(q, s);
  if (s->prev)
    s->prev->next = s->next;
  else
    q->streams = s->next;
  if (s->next) s->next->prev = s->prev;
  if (q->control == s) q->control = NULL;
  q->unacked -= s->end - s->acked; /* never to be acknowledged now */
  for (quic_chunk *c = s->head, *n; c; c = n) {
    n = c->next;
    free(c);
  }
  free(s->rx);
  free(s);
}

int quic_stream_append(nnrpi_quic *q, quic_stream *s, const nnrp_vec *iov, size_t iovcnt,
                       size_t total) {
  if (total > SIZE_MAX - sizeof(quic_chunk)) return NNRP_ERR_NOMEM;
  quic_chunk *c = malloc(sizeof *c + total);
  if (!c) return NNRP_ERR_NOMEM;
  c->next = NULL;
  c->len = total;
  size_t off = 0;
  for (size_t i = 0; i < iovcnt; i++) {
    if (iov[i].len) memcpy(c->data + off, iov[i].base, iov[i].len);
    off += iov[i].len;
  }
  if (s->tail)
    s->tail->next = c;
  else {
    s->head = c;
    s->base = s->end; /* everything before was acknowledged and freed */
  }
  s->tail = c;
  s->end += total;
  q->unacked += total;
  return 0;
}

size_t quic_stream_unsent(const quic_stream *s, ngtcp2_vec *v, size_t cap) {
  uint64_t off = s->base;
  size_t n = 0;
  for (const quic_chunk *c = s->head; c && n < cap; off += c->len, c = c->next) {
    if (off + c->len <= s->sent) continue;
    size_t skip = s->sent > off ? (size_t)(s->sent - off) : 0;
    v[n].base = (uint8_t *)c->data + skip;
    v[n].len = c->len - skip;
    n++;
  }
  return n;
}

void quic_stream_sent(quic_stream *s, size_t n) {
  s->sent += n;
}

void quic_stream_acked(nnrpi_quic *q, quic_stream *s, uint64_t offset, uint64_t len) {
  uint64_t end = offset + len;
  if (end <= s->acked) return;
  q->unacked -= end - s->acked;
  s->acked = end;
  while (s->head && s->base + s->head->len <= s->acked) {
    quic_chunk *c = s->head;
    s->head = c->next;
    s->base += c->len;
    free(c);
  }
  if (!s->head) s->tail = NULL;
}

/* The header is complete: check it and allocate exactly the packet.  Framing needs only magic,
 * header_len, wire_format and the lengths; the session engine judges the rest (it answers a
 * bad message type or version with ERROR), so the header check here is the lenient one. */
enum { RX_INITIAL = 256 };

/* Room for `need` bytes of the packet being reassembled: doubling, never past the packet. */
static int rx_room(quic_stream *s, size_t need) {
  quic_rx *rx = s->rx;
  if (rx->cap >= need) return 0;
  size_t n = rx->cap;
  while (n < need) n = n > rx->len / 2 ? rx->len : n * 2;
  quic_rx *grown = realloc(rx, sizeof *grown + n);
  if (!grown) return NNRP_ERR_NOMEM;
  grown->cap = n;
  s->rx = grown;
  return 0;
}

static int start_packet(nnrpi_quic *q, quic_stream *s) {
  nnrp_decode_options o = {0};
  o.flags = NNRP_DECODE_LENIENT_HEADER;
  o.max_message_len = q->settings.max_packet_len - NNRP_HEADER_LEN;
  nnrp_header h;
  int rc = nnrp_header_decode(&h, s->hdr, NNRP_HEADER_LEN, &o);
  if (rc < 0) return rc;
  size_t len = NNRP_HEADER_LEN + (size_t)h.meta_len + (size_t)h.body_len; /* <= max_packet_len */
  /* Memory follows the bytes that arrive (rx_room), not the length the header announces. */
  size_t cap = len < RX_INITIAL ? len : RX_INITIAL;
  quic_rx *rx = malloc(sizeof *rx + cap);
  if (!rx) return NNRP_ERR_NOMEM;
  rx->next = NULL;
  rx->len = len;
  rx->cap = cap;
  /* The control stream delivers whatever it carries; other streams are routed by type (§1). */
  rx->path = (s->id & 0x2) ? quic_path_of(h.msg_type) : NNRPI_QUIC_CONTROL;
  memcpy(rx->data, s->hdr, NNRP_HEADER_LEN);
  if (h.session_id) q->session_id = h.session_id;
  s->rx = rx;
  s->rx_have = NNRP_HEADER_LEN;
  s->hdr_have = 0;
  return 0;
}

int quic_stream_recv(nnrpi_quic *q, quic_stream *s, const uint8_t *data, size_t len, int fin) {
  if (s->broken) return 0;
  while (len) {
    if (!s->rx) {
      size_t take = NNRP_HEADER_LEN - s->hdr_have;
      if (take > len) take = len;
      memcpy(s->hdr + s->hdr_have, data, take);
      s->hdr_have += take;
      data += take;
      len -= take;
      if (s->hdr_have < NNRP_HEADER_LEN) break;
      int rc = start_packet(q, s);
      if (rc < 0) {
        s->broken = 1;
        return rc;
      }
    }
    size_t take = s->rx->len - s->rx_have;
    if (take > len) take = len;
    int rc = rx_room(s, s->rx_have + take);
    if (rc < 0) {
      s->broken = 1;
      return rc;
    }
    memcpy(s->rx->data + s->rx_have, data, take);
    s->rx_have += take;
    data += take;
    len -= take;
    if (s->rx_have == s->rx->len) {
      quic_rxq_push(q, s->rx);
      s->rx = NULL;
    }
  }
  if (fin && (s->hdr_have || s->rx)) {
    s->broken = 1;
    return NNRP_ERR_QUIC_STREAM_TRUNCATED;
  }
  return 0;
}

void quic_sendq_push(nnrpi_quic *q, quic_stream *s) {
  if (s->queued) return;
  s->queued = 1;
  s->next_q = NULL;
  if (q->sendq_tail)
    q->sendq_tail->next_q = s;
  else
    q->sendq = s;
  q->sendq_tail = s;
}

void quic_sendq_remove(nnrpi_quic *q, quic_stream *s) {
  quic_stream **pp = &q->sendq, *prev = NULL;
  while (*pp && *pp != s) {
    prev = *pp;
    pp = &(*pp)->next_q;
  }
  if (!*pp) return;
  *pp = s->next_q;
  if (q->sendq_tail == s) q->sendq_tail = prev;
  s->next_q = NULL;
  s->queued = 0;
}

void quic_rxq_push(nnrpi_quic *q, quic_rx *rx) {
  rx->next = NULL;
  if (q->rxq_tail)
    q->rxq_tail->next = rx;
  else
    q->rxq = rx;
  q->rxq_tail = rx;
}
