/*
 * nnrp inspect --pcap FILE --port P: every TCP connection with P on one side, each direction
 * reassembled and cut into NNRP packets, printed in capture order as they complete, with the
 * capture time, the connection number and the direction.  A malformed or unfinished stream is
 * one error line (rule and stream offset); that direction stops, everything else goes on.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pcap_int.h"

/* Largest NNRP packet a capture replay buffers (the declared length of a hostile header must
 * not decide how much memory the tool takes). */
#define MAX_PACKET (64u << 20)

enum { CLIENT_TO_SERVER = 0, SERVER_TO_CLIENT = 1 };
static const char *const direction_names[2] = {"client->server", "server->client"};

typedef struct replay replay;

typedef struct direction {
  cli_tcp_stream tcp;
  uint8_t *buf; /* delivered bytes not yet cut into packets */
  size_t len, cap;
  uint64_t buf_at; /* stream offset of buf[0] */
  int stopped;     /* after an error: the rest of this direction is ignored */
} direction;

typedef struct conn {
  int family;
  uint8_t client[16], server[16];
  uint16_t client_port, server_port;
  unsigned id;
  int has_isn; /* the client's SYN was seen, with sequence number isn */
  uint32_t isn;
  int closed; /* both directions finished and reported */
  direction dir[2];
} conn;

struct replay {
  const cli_inspect_opts *o;
  nnrp_decode_options dopts;
  conn **conns; /* by id - 1 */
  size_t count, cap;
  size_t *table; /* open addressing: index + 1 into conns, 0 = empty */
  size_t table_cap;
  long long sec; /* time of the segment being handled */
  long usec;
  int errors;
  int fatal; /* out of memory */
  /* The callback context of the segment being handled. */
  conn *cur;
  int cur_dir;
};

/* ---- output ------------------------------------------------------------------------------------
 */

static void time_text(const replay *r, char buf[48]) {
  snprintf(buf, 48, "%lld.%06ld", r->sec, r->usec);
}

static json_t *json_prefix(const replay *r, int dir, uint64_t at) {
  char t[48];
  time_text(r, t);
  json_t *o = json_object();
  if (o && (json_object_set_new(o, "time", json_string(t)) ||
            json_object_set_new(o, "connection", json_integer(r->cur->id)) ||
            json_object_set_new(o, "direction", json_string(direction_names[dir])) ||
            json_object_set_new(o, "offset", json_integer((json_int_t)at)))) {
    json_decref(o);
    o = NULL;
  }
  return o;
}

static void print_packet(replay *r, int dir, uint64_t at, const nnrp_packet *p) {
  char prefix[96], t[48];
  time_text(r, t);
  snprintf(prefix, sizeof(prefix), "%s conn=%u %s ", t, r->cur->id, direction_names[dir]);
  json_t *extra = r->o->format == CLI_INSPECT_JSON ? json_prefix(r, dir, at) : NULL;
  if (r->o->format == CLI_INSPECT_JSON && !extra)
    r->fatal = 1;
  else if (cli_inspect_print(stdout, p, r->o, prefix, extra) != CLI_OK)
    r->errors++;
  json_decref(extra);
}

/* One error line: a library error (name and rule from the error table) or a capture problem. */
static void print_error(replay *r, int dir, uint64_t at, const char *name, const char *rule,
                        const char *message) {
  char t[48];
  r->errors++;
  if (r->o->format == CLI_INSPECT_JSON) {
    json_t *o = json_prefix(r, dir, at);
    if (!o || json_object_set_new(o, "error", json_string(name)) ||
        json_object_set_new(o, "rule", json_string(rule)) ||
        json_object_set_new(o, "message", json_string(message)) ||
        json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER)) {
      r->fatal = 1;
    }
    json_decref(o);
    fputc('\n', stdout);
    return;
  }
  time_text(r, t);
  printf("%s conn=%u %s error %s (%s) at offset %" PRIu64 ": %s\n", t, r->cur->id,
         direction_names[dir], name, rule, at, message);
}

static void print_lib_error(replay *r, int dir, uint64_t at, int err) {
  const char *name = nnrp_err_name(err), *rule = nnrp_err_rule(err);
  print_error(r, dir, at, name ? name : "UNKNOWN", rule ? rule : "-", nnrp_strerror(err));
}

/* ---- NNRP packets out of a direction's bytes ---------------------------------------------------
 */

static void stop(direction *d) {
  d->stopped = 1;
  free(d->buf);
  d->buf = NULL;
  d->len = d->cap = 0;
  cli_tcp_stream_free(&d->tcp);
}

/* Cut every whole packet off the front of the buffer; the first bad one stops the direction. */
static void cut_packets(replay *r, int dir) {
  direction *d = &r->cur->dir[dir];
  size_t used = 0;
  while (!d->stopped) {
    const uint8_t *p = d->buf + used;
    size_t avail = d->len - used, plen = 0;
    int err = nnrp_packet_length(p, avail, &r->dopts, &plen);
    /* Bytes that cannot begin a header are wrong now, not after 40 of them have come. */
    if (err == NNRP_ERR_INCOMPLETE && avail && memcmp(p, NNRP_MAGIC, avail < 4 ? avail : 4) != 0)
      err = NNRP_ERR_HEADER_MAGIC;
    else if (err == NNRP_ERR_INCOMPLETE || (!err && avail < plen))
      break;
    nnrp_packet pkt;
    nnrp_diag diag = {0, 0};
    if (!err)
      err = nnrp_packet_decode(&pkt, p, plen, &r->dopts, &diag);
    else if (avail >= NNRP_HEADER_LEN)
      nnrp_packet_decode(&pkt, p, avail, &r->dopts, &diag); /* where in the header */
    if (err) {
      print_lib_error(r, dir, d->buf_at + used + diag.offset, err);
      stop(d);
      return;
    }
    print_packet(r, dir, d->buf_at + used, &pkt);
    used += plen;
  }
  if (d->stopped) return;
  memmove(d->buf, d->buf + used, d->len - used);
  d->len -= used;
  d->buf_at += used;
}

static void on_bytes(void *ctx, uint64_t at, const uint8_t *data, size_t len) {
  replay *r = ctx;
  direction *d = &r->cur->dir[r->cur_dir];
  (void)at;
  if (d->stopped || r->fatal) return;
  if (len > d->cap - d->len) {
    size_t cap = d->cap ? d->cap : 4096;
    while (cap - d->len < len) cap *= 2;
    uint8_t *bigger = realloc(d->buf, cap);
    if (!bigger) {
      r->fatal = 1;
      return;
    }
    d->buf = bigger;
    d->cap = cap;
  }
  memcpy(d->buf + d->len, data, len);
  d->len += len;
  cut_packets(r, r->cur_dir);
}

/* A direction that will get no more bytes: report what it left unfinished. */
static void finish_direction(replay *r, int dir) {
  direction *d = &r->cur->dir[dir];
  uint64_t at, len;
  char msg[128];
  if (d->stopped) return;
  if (cli_tcp_stream_hole(&d->tcp, &at, &len)) {
    snprintf(msg, sizeof(msg), "%" PRIu64 " stream bytes are missing from the capture", len);
    print_error(r, dir, at, "CAPTURE_GAP", "tcp", msg);
  } else if (d->len) {
    print_lib_error(r, dir, d->buf_at, NNRP_ERR_INCOMPLETE);
  }
  stop(d);
}

static void close_conn(replay *r, conn *c) {
  if (c->closed) return;
  conn *saved = r->cur;
  r->cur = c;
  finish_direction(r, CLIENT_TO_SERVER);
  finish_direction(r, SERVER_TO_CLIENT);
  c->closed = 1;
  r->cur = saved;
}

/* ---- connections -------------------------------------------------------------------------------
 */

static size_t hash_key(int family, const uint8_t *a, uint16_t ap, const uint8_t *b, uint16_t bp) {
  uint64_t h = 1469598103934665603u;
  size_t n = family == 4 ? 4 : 16;
  for (size_t i = 0; i < n; i++) h = (h ^ a[i]) * 1099511628211u;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211u;
  h = (h ^ ap) * 1099511628211u;
  h = (h ^ bp) * 1099511628211u;
  return (size_t)h;
}

static int same_endpoints(const conn *c, int family, const uint8_t *cl, uint16_t clp,
                          const uint8_t *sv, uint16_t svp) {
  size_t n = family == 4 ? 4 : 16;
  return c->family == family && c->client_port == clp && c->server_port == svp &&
         memcmp(c->client, cl, n) == 0 && memcmp(c->server, sv, n) == 0;
}

/* Slot of the connection between these endpoints, or of the empty slot where it goes. */
static size_t *find_slot(replay *r, int family, const uint8_t *cl, uint16_t clp, const uint8_t *sv,
                         uint16_t svp) {
  size_t mask = r->table_cap - 1;
  for (size_t i = hash_key(family, cl, clp, sv, svp) & mask;; i = (i + 1) & mask) {
    size_t *slot = &r->table[i];
    if (!*slot || same_endpoints(r->conns[*slot - 1], family, cl, clp, sv, svp)) return slot;
  }
}

static int grow_table(replay *r) {
  size_t cap = r->table_cap ? r->table_cap * 2 : 256;
  size_t *t = calloc(cap, sizeof(*t));
  if (!t) return -1;
  size_t *old = r->table, old_cap = r->table_cap;
  r->table = t;
  r->table_cap = cap;
  for (size_t i = 0; i < old_cap; i++) {
    if (!old[i]) continue;
    const conn *c = r->conns[old[i] - 1];
    *find_slot(r, c->family, c->client, c->client_port, c->server, c->server_port) = old[i];
  }
  free(old);
  return 0;
}

static conn *new_conn(replay *r, const cli_cap_segment *s, int from_client, size_t *slot) {
  if (r->count == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 64;
    conn **bigger = realloc(r->conns, cap * sizeof(*bigger));
    if (!bigger) return NULL;
    r->conns = bigger;
    r->cap = cap;
  }
  conn *c = calloc(1, sizeof(*c));
  if (!c) return NULL;
  c->family = s->family;
  memcpy(c->client, from_client ? s->src : s->dst, 16);
  memcpy(c->server, from_client ? s->dst : s->src, 16);
  c->client_port = from_client ? s->src_port : s->dst_port;
  c->server_port = from_client ? s->dst_port : s->src_port;
  c->id = (unsigned)r->count + 1;
  cli_tcp_stream_init(&c->dir[0].tcp);
  cli_tcp_stream_init(&c->dir[1].tcp);
  r->conns[r->count++] = c;
  *slot = r->count;
  return c;
}

/* The connection of a segment on the port, opening one when needed. */
static conn *lookup(replay *r, const cli_cap_segment *s, int *dir) {
  if (r->count + 1 > r->table_cap / 2 && grow_table(r) != 0) return NULL;
  /* The server is the side on the port; when both are, the first segment's receiver. */
  int from_client = s->dst_port == r->o->port;
  const uint8_t *cl = from_client ? s->src : s->dst, *sv = from_client ? s->dst : s->src;
  uint16_t clp = from_client ? s->src_port : s->dst_port;
  uint16_t svp = from_client ? s->dst_port : s->src_port;
  size_t *slot = find_slot(r, s->family, cl, clp, sv, svp);
  if (!*slot && s->src_port == r->o->port && s->dst_port == r->o->port) {
    size_t *rev = find_slot(r, s->family, sv, svp, cl, clp);
    if (*rev) {
      slot = rev;
      from_client = 0;
    }
  }
  conn *c = *slot ? r->conns[*slot - 1] : NULL;
  /* A SYN with a new sequence number (not a retransmitted one) on the endpoints of a known
   * connection opens the next connection: the port was reused. */
  int syn = (s->flags & (CLI_TCP_SYN | CLI_TCP_ACK)) == CLI_TCP_SYN;
  if (c && syn && (c->closed || (c->has_isn ? c->isn != s->seq : c->dir[0].tcp.started))) {
    close_conn(r, c);
    c = NULL;
  }
  if (!c) c = new_conn(r, s, from_client, slot);
  if (c && syn && !c->has_isn) {
    c->has_isn = 1;
    c->isn = s->seq;
  }
  *dir = from_client ? CLIENT_TO_SERVER : SERVER_TO_CLIENT;
  return c;
}

static int on_segment(const cli_cap_segment *s, void *ctx) {
  replay *r = ctx;
  if (r->fatal) return CLI_FAIL;
  if (s->src_port != r->o->port && s->dst_port != r->o->port) return CLI_OK;
  int dir;
  conn *c = lookup(r, s, &dir);
  if (!c) {
    r->fatal = 1;
    return CLI_FAIL;
  }
  if (c->closed) return CLI_OK; /* stray segments after the end */
  r->sec = s->sec;
  r->usec = s->usec;
  r->cur = c;
  r->cur_dir = dir;
  direction *d = &c->dir[dir];
  if (!d->stopped && cli_tcp_stream_segment(&d->tcp, s, on_bytes, r) != 0) {
    print_error(r, dir, d->tcp.delivered, "CAPTURE_LIMIT", "tcp",
                "too many out-of-order bytes held back");
    stop(d);
  }
  if (s->flags & CLI_TCP_RST) {
    /* A reset ends both directions. */
    finish_direction(r, CLIENT_TO_SERVER);
    finish_direction(r, SERVER_TO_CLIENT);
  } else if (cli_tcp_stream_finished(&d->tcp)) {
    finish_direction(r, dir);
  }
  if (c->dir[0].stopped && c->dir[1].stopped) c->closed = 1;
  return r->fatal ? CLI_FAIL : CLI_OK;
}

int cli_pcap_inspect(const cli_inspect_opts *o, const nnrp_decode_options *dopts) {
  replay r;
  memset(&r, 0, sizeof(r));
  r.o = o;
  r.dopts = *dopts;
  r.dopts.flags &= ~NNRP_DECODE_EXACT; /* packets are cut to their length before decoding */
  if (!r.dopts.max_message_len || r.dopts.max_message_len > MAX_PACKET - NNRP_HEADER_LEN)
    r.dopts.max_message_len = MAX_PACKET - NNRP_HEADER_LEN;
  int rc = cli_cap_read("inspect", o->pcap, on_segment, &r);
  /* The end of the capture ends every connection still open. */
  for (size_t i = 0; i < r.count; i++) {
    if (!r.fatal) close_conn(&r, r.conns[i]);
    cli_tcp_stream_free(&r.conns[i]->dir[0].tcp);
    cli_tcp_stream_free(&r.conns[i]->dir[1].tcp);
    free(r.conns[i]->dir[0].buf);
    free(r.conns[i]->dir[1].buf);
    free(r.conns[i]);
  }
  free(r.conns);
  free(r.table);
  if (fflush(stdout) != 0) {
    cli_error("inspect", "write failed");
    return CLI_FAIL;
  }
  if (r.fatal) {
    cli_error("inspect", "out of memory");
    return CLI_FAIL;
  }
  if (r.errors)
    cli_error("inspect", "%d stream error%s in '%s'", r.errors, r.errors == 1 ? "" : "s", o->pcap);
  return r.errors ? CLI_FAIL : rc;
}
