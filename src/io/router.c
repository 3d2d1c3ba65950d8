/*
 * The client's result router: every frame outcome is copied out of the engine's callback
 * views and kept under (frame_id, view_id) until the host takes it, so any number of frames
 * can be in flight while the host waits for one of them.  A hash table for lookups by key and
 * a list in arrival order for "the next outcome, whatever its key".
 */
#include <stdlib.h>
#include <string.h>

#include "io_int.h"

struct nnrpi_entry {
  nnrp_client_result res; /* first: the pointer handed out is the entry */
  uint64_t key;
  int finished;
  nnrpi_entry *hnext;       /* hash chain */
  nnrpi_entry *prev, *next; /* arrival order of finished entries */
  uint8_t *data;            /* packet bytes, object views and object bytes */
};

struct nnrpi_router {
  nnrpi_entry **buckets;
  size_t nbuckets; /* power of two */
  size_t count;    /* entries in the table */
  size_t finished; /* of which finished */
  nnrpi_entry *head, *tail;
};

static uint64_t key_of(uint32_t frame_id, uint16_t view_id) {
  return ((uint64_t)frame_id << 16) | view_id;
}

static size_t slot(const nnrpi_router *r, uint64_t key) {
  return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & (r->nbuckets - 1);
}

int nnrpi_router_init(nnrpi_router **pr) {
  nnrpi_router *r = calloc(1, sizeof *r);
  if (!r) return NNRP_ERR_NOMEM;
  r->nbuckets = 64;
  r->buckets = calloc(r->nbuckets, sizeof *r->buckets);
  if (!r->buckets) {
    free(r);
    return NNRP_ERR_NOMEM;
  }
  *pr = r;
  return 0;
}

void nnrp_client_result_free(nnrp_client_result *res) {
  if (!res) return;
  nnrpi_entry *e = (nnrpi_entry *)res;
  free(e->data);
  free(e);
}

void nnrpi_router_free(nnrpi_router *r) {
  if (!r) return;
  for (size_t i = 0; i < r->nbuckets; i++)
    for (nnrpi_entry *e = r->buckets[i], *n; e; e = n) {
      n = e->hnext;
      nnrp_client_result_free(&e->res);
    }
  free(r->buckets);
  free(r);
}

static void grow(nnrpi_router *r) {
  size_t nb = r->nbuckets * 2;
  nnrpi_entry **b = calloc(nb, sizeof *b);
  if (!b) return; /* longer chains, still correct */
  size_t old = r->nbuckets;
  nnrpi_entry **ob = r->buckets;
  r->buckets = b;
  r->nbuckets = nb;
  for (size_t i = 0; i < old; i++)
    for (nnrpi_entry *e = ob[i], *n; e; e = n) {
      n = e->hnext;
      size_t s = slot(r, e->key);
      e->hnext = b[s];
      b[s] = e;
    }
  free(ob);
}

/* The unfinished entry of a key, or NULL. */
static nnrpi_entry *find(nnrpi_router *r, uint64_t key, int finished) {
  for (nnrpi_entry *e = r->buckets[slot(r, key)]; e; e = e->hnext)
    if (e->key == key && e->finished == finished) return e;
  return NULL;
}

static nnrpi_entry *insert(nnrpi_router *r, uint32_t frame_id, uint16_t view_id) {
  nnrpi_entry *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  if (r->count >= r->nbuckets * 2) grow(r);
  e->key = key_of(frame_id, view_id);
  e->res.frame_id = frame_id;
  e->res.view_id = view_id;
  size_t s = slot(r, e->key);
  e->hnext = r->buckets[s];
  r->buckets[s] = e;
  r->count++;
  return e;
}

int nnrpi_router_result(nnrpi_router *r, const nnrp_result *res) {
  uint64_t key = key_of(res->frame_id, res->view_id);
  nnrpi_entry *e = find(r, key, 0);
  if (e) { /* an earlier non-terminal result of the key: the latest one wins */
    free(e->data);
    e->data = NULL;
  } else if (!(e = insert(r, res->frame_id, res->view_id))) {
    return NNRP_ERR_NOMEM;
  }
  size_t len = res->raw.len, objs = 0;
  for (size_t i = 0; i < res->object_count; i++) objs += res->objects[i].bytes.len;
  size_t views = res->object_count * sizeof(nnrp_vec);
  e->data = malloc(views + len + objs + 1);
  if (!e->data) return NNRP_ERR_NOMEM;
  nnrp_vec *ov = (nnrp_vec *)(void *)e->data; /* malloc alignment suits the vectors */
  uint8_t *pkt = e->data + views;
  memcpy(pkt, res->raw.base, len);
  uint8_t *ob = pkt + len;
  for (size_t i = 0; i < res->object_count; i++) {
    memcpy(ob, res->objects[i].bytes.base, res->objects[i].bytes.len);
    ov[i] = (nnrp_vec){ob, res->objects[i].bytes.len};
    ob += res->objects[i].bytes.len;
  }
  nnrp_client_result *c = &e->res;
  c->bytes = (nnrp_vec){pkt, len};
  c->objects = res->object_count ? ov : NULL;
  c->object_count = res->object_count;
  c->policy_violation = res->policy_violation;
  c->latency_us = res->latency_us;
  c->path = res->path;
  /* The engine validated these bytes with its profile; decode them again over the copy so the
   * host's views point into memory it owns.  The lenient profile accepts whatever the engine
   * was configured to accept. */
  nnrp_decode_options opts = {NNRP_DECODE_PY_COMPAT | NNRP_DECODE_CS_DIALECT, 0, NULL, 0};
  c->has_packet = nnrp_packet_decode(&c->packet, pkt, len, &opts, NULL) == 0;
  if (!c->has_packet) c->packet.meta.result_push = *res->meta;
  return 0;
}

int nnrpi_router_outcome(nnrpi_router *r, const nnrp_frame_outcome *o) {
  nnrpi_entry *e = find(r, key_of(o->frame_id, o->view_id), 0);
  if (!e && !(e = insert(r, o->frame_id, o->view_id))) return NNRP_ERR_NOMEM;
  nnrp_client_result *c = &e->res;
  c->outcome = o->outcome;
  c->cause = o->cause;
  c->reason = o->reason;
  c->result_class = o->result_class;
  c->error_code = o->error_code;
  c->retry_after_ms = o->retry_after_ms;
  c->has_hint = o->has_hint;
  c->hint = o->hint;
  if (o->outcome != NNRP_OUTCOME_DELIVERED && c->has_packet) {
    /* A partial result arrived, then the frame ended another way: keep the packet only for a
     * delivery. */
    c->has_packet = 0;
  }
  e->finished = 1;
  r->finished++;
  e->prev = r->tail;
  e->next = NULL;
  if (r->tail)
    r->tail->next = e;
  else
    r->head = e;
  r->tail = e;
  return 0;
}

nnrp_client_result *nnrpi_router_take(nnrpi_router *r, uint32_t frame_id, uint16_t view_id,
                                      int any) {
  nnrpi_entry *e = any ? r->head : find(r, key_of(frame_id, view_id), 1);
  if (!e) return NULL;
  for (nnrpi_entry **pp = &r->buckets[slot(r, e->key)]; *pp; pp = &(*pp)->hnext)
    if (*pp == e) {
      *pp = e->hnext;
      break;
    }
  if (e->prev)
    e->prev->next = e->next;
  else
    r->head = e->next;
  if (e->next)
    e->next->prev = e->prev;
  else
    r->tail = e->prev;
  r->count--;
  r->finished--;
  return &e->res;
}

size_t nnrpi_router_count(const nnrpi_router *r) {
  return r->finished;
}
