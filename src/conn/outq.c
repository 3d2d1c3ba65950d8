/*
 * The output queue: packets are built by the wire builders straight into one reusable byte
 * arena (copy mode) or into the arena plus references to the caller's payloads (no-copy mode,
 * through a scatter-gather sink).  Each packet is a run of segments; the host takes packets in
 * order with nnrp_conn_output_peek / _pop, or as a byte stream with nnrp_conn_write.
 *
 * Segments name arena bytes by offset, so the arena can grow or be compacted between calls.
 * In steady state (the queue drains regularly) nothing is allocated: buffers only grow.
 */
#include "conn_int.h"

static void release_pkt(nnrp_conn *c, const nnrpi_outpkt *p) {
  if (p->nocopy && c->cb.release_payload)
    c->cb.release_payload(c, p->frame_id, p->view_id, p->frame_user, c->user);
}

static void reset_if_empty(nnrpi_outq *q) {
  if (q->head < q->count) return;
  q->head = q->count = 0;
  q->arena_len = 0;
  q->seg_len = 0;
  q->head_written = 0;
  q->pending = 0;
}

/* Drop everything before the head packet: arena bytes, segments and packet slots. */
static void compact(nnrpi_outq *q) {
  if (q->head == 0) return;
  if (q->head == q->count) {
    reset_if_empty(q);
    return;
  }
  const nnrpi_outpkt *first = &q->pkts[q->head];
  size_t arena0 = q->pkts[q->head - 1].arena_end, seg0 = first->seg_start;
  memmove(q->arena, q->arena + arena0, q->arena_len - arena0);
  q->arena_len -= arena0;
  memmove(q->segs, q->segs + seg0, (q->seg_len - seg0) * sizeof(*q->segs));
  q->seg_len -= seg0;
  for (size_t i = 0; i < q->seg_len; i++)
    if (!q->segs[i].ext) q->segs[i].off -= arena0;
  size_t live = q->count - q->head;
  memmove(q->pkts, q->pkts + q->head, live * sizeof(*q->pkts));
  q->head = 0;
  q->count = live;
  for (size_t i = 0; i < live; i++) {
    q->pkts[i].seg_start -= seg0;
    q->pkts[i].arena_end -= arena0;
  }
}

static int ensure_arena(nnrp_conn *c, size_t need) {
  nnrpi_outq *q = &c->out;
  if (q->arena_cap - q->arena_len >= need) return 0;
  compact(q);
  if (q->arena_cap - q->arena_len >= need) return 0;
  if (need > SIZE_MAX - q->arena_len) return NNRP_ERR_NOMEM;
  return nnrpi_grow(c->mem, (void **)&q->arena, &q->arena_cap, q->arena_len + need, 1);
}

int nnrpi_queue(nnrp_conn *c, const nnrpi_pktinfo *info, nnrpi_build_fn fn, const void *arg) {
  nnrpi_outq *q = &c->out;
  if (q->count == q->pkt_cap) {
    compact(q);
    if (q->count == q->pkt_cap &&
        nnrpi_grow(c->mem, (void **)&q->pkts, &q->pkt_cap, q->count + 1, sizeof(*q->pkts)))
      return NNRP_ERR_NOMEM;
  }
  if (info->nocopy && q->build_iov_cap == 0 &&
      nnrpi_grow(c->mem, (void **)&q->build_iov, &q->build_iov_cap, 16, sizeof(nnrp_vec)))
    return NNRP_ERR_NOMEM;

  size_t need = 256;
  nnrp_sink s;
  for (;;) {
    if (ensure_arena(c, need)) return NNRP_ERR_NOMEM;
    uint8_t *base = q->arena + q->arena_len;
    size_t room = q->arena_cap - q->arena_len;
    if (info->nocopy)
      nnrp_sink_init_iov(&s, base, room, q->build_iov, q->build_iov_cap, c->settings.zero_copy_min);
    else
      nnrp_sink_init_buffer(&s, base, room);
    int rc = fn(arg, &s);
    if (rc == NNRP_ERR_BUFFER_TOO_SMALL) {
      /* Copy mode needs exactly total; scatter-gather needs at most total. */
      size_t want = info->nocopy ? room * 2 + 256 : s.total;
      if (want > s.total) want = s.total;
      if (want <= room) want = room + 256;
      need = want;
      continue;
    }
    if (rc == NNRP_ERR_IOV_TOO_SMALL) {
      if (nnrpi_grow(c->mem, (void **)&q->build_iov, &q->build_iov_cap, q->build_iov_cap * 2,
                     sizeof(nnrp_vec)))
        return NNRP_ERR_NOMEM;
      continue;
    }
    if (rc < 0) return rc;
    break;
  }

  size_t nseg = info->nocopy ? s.iov_count : 1;
  if (q->seg_len + nseg > q->seg_cap &&
      nnrpi_grow(c->mem, (void **)&q->segs, &q->seg_cap, q->seg_len + nseg, sizeof(*q->segs)))
    return NNRP_ERR_NOMEM;
  nnrpi_outpkt *p = &q->pkts[q->count];
  memset(p, 0, sizeof(*p));
  p->seg_start = q->seg_len;
  p->seg_count = nseg;
  if (info->nocopy) {
    const uint8_t *lo = q->arena, *hi = q->arena + q->arena_cap;
    for (size_t i = 0; i < nseg; i++) {
      nnrpi_seg *g = &q->segs[q->seg_len++];
      const uint8_t *b = s.iov[i].base;
      g->len = s.iov[i].len;
      if (b >= lo && b < hi) {
        g->ext = NULL;
        g->off = (size_t)(b - lo);
      } else {
        g->ext = b;
        g->off = 0;
      }
    }
  } else {
    nnrpi_seg *g = &q->segs[q->seg_len++];
    g->ext = NULL;
    g->off = q->arena_len;
    g->len = s.len;
  }
  q->arena_len += s.len;
  p->path = info->path;
  p->frame_id = info->frame_id;
  p->view_id = info->view_id;
  p->msg_type = info->msg_type;
  p->nocopy = (uint8_t)(info->nocopy != 0);
  p->frame_user = info->frame_user;
  p->len = s.total;
  p->arena_end = q->arena_len;
  q->count++;
  q->pending += s.total;
  c->s->counters.packets_out++;
  c->s->counters.bytes_out += s.total;
  return 0;
}

uint32_t nnrpi_primary_gen(const nnrp_conn *c) {
  for (int i = 0; i < NNRPI_PATHS; i++)
    if (c->paths[i].kind == NNRPI_PATH_PRIMARY) return c->paths[i].gen;
  return 0;
}

void nnrpi_outq_retag(nnrp_conn *c, uint32_t from, uint32_t to) {
  nnrpi_outq *q = &c->out;
  for (size_t i = q->head; i < q->count; i++) {
    if (i == q->head && q->head_written) continue;
    if (q->pkts[i].path == from) q->pkts[i].path = to;
  }
}

/* Rebuild one packet of another queue from its segments. */
typedef struct move_arg {
  const nnrpi_outq *src;
  const nnrpi_outpkt *p;
} move_arg;

static int build_moved(const void *arg, nnrp_sink *sink) {
  const move_arg *m = arg;
  for (size_t i = 0; i < m->p->seg_count; i++) {
    const nnrpi_seg *g = &m->src->segs[m->p->seg_start + i];
    if (g->ext)
      nnrp_sink_payload(sink, g->ext, g->len);
    else
      nnrp_sink_write(sink, m->src->arena + g->off, g->len);
  }
  return nnrp_sink_error(sink);
}

int nnrpi_outq_move(nnrp_conn *dst, nnrp_conn *src) {
  nnrpi_outq *q = &src->out;
  size_t first = q->head + (q->head_written ? 1 : 0);
  for (size_t i = first; i < q->count; i++) {
    const nnrpi_outpkt *p = &q->pkts[i];
    nnrpi_pktinfo info = {nnrpi_primary_gen(dst), p->msg_type, p->frame_id, p->view_id, p->nocopy,
                          p->frame_user};
    move_arg m = {q, p};
    int rc = nnrpi_queue(dst, &info, build_moved, &m);
    if (rc < 0) return rc;
    q->pending -= p->len;
  }
  q->count = first;
  reset_if_empty(q);
  return 0;
}

void nnrpi_outq_clear(nnrp_conn *c) {
  nnrpi_outq *q = &c->out;
  for (size_t i = q->head; i < q->count; i++) release_pkt(c, &q->pkts[i]);
  q->head = q->count;
  reset_if_empty(q);
}

void nnrpi_outq_free(nnrp_conn *c) {
  nnrpi_outq_clear(c);
  nnrpi_outq *q = &c->out;
  nnrpi_free(c->mem, q->arena);
  nnrpi_free(c->mem, q->segs);
  nnrpi_free(c->mem, q->pkts);
  nnrpi_free(c->mem, q->iov);
  nnrpi_free(c->mem, q->build_iov);
  memset(q, 0, sizeof(*q));
}

static const uint8_t *seg_base(const nnrpi_outq *q, const nnrpi_seg *g) {
  return g->ext ? g->ext : q->arena + g->off;
}

int nnrp_conn_output_peek(nnrp_conn *c, nnrp_output *out) {
  nnrpi_outq *q = &c->out;
  if (q->head >= q->count) return 0;
  const nnrpi_outpkt *p = &q->pkts[q->head];
  if (q->iov_cap < p->seg_count &&
      nnrpi_grow(c->mem, (void **)&q->iov, &q->iov_cap, p->seg_count, sizeof(nnrp_vec)))
    return NNRP_ERR_NOMEM;
  size_t skip = q->head_written, n = 0;
  for (size_t i = 0; i < p->seg_count; i++) {
    const nnrpi_seg *g = &q->segs[p->seg_start + i];
    if (skip >= g->len) {
      skip -= g->len;
      continue;
    }
    q->iov[n].base = seg_base(q, g) + skip;
    q->iov[n].len = g->len - skip;
    skip = 0;
    n++;
  }
  out->path = p->path;
  out->channel = nnrp_msg_channel(p->msg_type);
  out->msg_type = p->msg_type;
  out->frame_id = p->frame_id;
  out->view_id = p->view_id;
  out->iov = q->iov;
  out->iov_count = n;
  out->len = p->len - q->head_written;
  return 1;
}

void nnrp_conn_output_pop(nnrp_conn *c) {
  nnrpi_outq *q = &c->out;
  if (q->head >= q->count) return;
  nnrpi_outpkt p = q->pkts[q->head];
  q->pending -= p.len - q->head_written;
  q->head_written = 0;
  q->head++;
  reset_if_empty(q);
  release_pkt(c, &p);
}

size_t nnrp_conn_write(nnrp_conn *c, uint8_t *buf, size_t cap, uint32_t *path) {
  nnrpi_outq *q = &c->out;
  size_t done = 0;
  int first = 1;
  uint32_t gen = 0;
  while (q->head < q->count && done < cap) {
    const nnrpi_outpkt *p = &q->pkts[q->head];
    if (first)
      gen = p->path;
    else if (p->path != gen)
      break;
    first = 0;
    size_t skip = q->head_written;
    for (size_t i = 0; i < p->seg_count && done < cap; i++) {
      const nnrpi_seg *g = &q->segs[p->seg_start + i];
      if (skip >= g->len) {
        skip -= g->len;
        continue;
      }
      size_t n = g->len - skip;
      if (n > cap - done) n = cap - done;
      memcpy(buf + done, seg_base(q, g) + skip, n);
      done += n;
      q->head_written += n;
      q->pending -= n;
      skip = 0;
    }
    if (q->head_written < p->len) break;
    nnrp_conn_output_pop(c); /* nothing unwritten is left to subtract */
  }
  if (path) *path = gen;
  return done;
}

size_t nnrp_conn_output_pending(const nnrp_conn *c) {
  return c->out.pending;
}

/* ---- simple control packets ------------------------------------------------------------------ */

typedef struct simple_arg {
  nnrp_packet_params p;
  unsigned type;
} simple_arg;

static int build_simple(const void *arg, nnrp_sink *sink) {
  const simple_arg *a = arg;
  return nnrp_build_header_only(&a->p, a->type, sink);
}

int nnrpi_send_simple(nnrp_conn *c, unsigned msg_type, uint32_t session_id, uint32_t frame_id,
                      uint16_t view_id, uint64_t trace_id, uint32_t flags) {
  simple_arg a;
  memset(&a, 0, sizeof(a));
  a.p.session_id = session_id;
  a.p.frame_id = frame_id;
  a.p.view_id = view_id;
  a.p.trace_id = trace_id;
  a.p.flags = flags;
  a.type = msg_type;
  nnrpi_pktinfo info = {nnrpi_primary_gen(c), (uint8_t)msg_type, frame_id, view_id, 0, NULL};
  return nnrpi_queue(c, &info, build_simple, &a);
}

typedef struct close_arg {
  nnrp_packet_params p;
  nnrp_vec reason;
} close_arg;

static int build_close(const void *arg, nnrp_sink *sink) {
  const close_arg *a = arg;
  return nnrp_build_close(&a->p, a->reason, sink);
}

int nnrpi_send_close(nnrp_conn *c, nnrp_vec reason) {
  close_arg a;
  memset(&a, 0, sizeof(a));
  a.p.session_id = c->s->session_id;
  a.reason = reason;
  nnrpi_pktinfo info = {nnrpi_primary_gen(c), NNRP_MSG_CLOSE, 0, 0, 0, NULL};
  return nnrpi_queue(c, &info, build_close, &a);
}
