/*
 * Wire summaries and their renderings (wire-data §13.2, nnrp-py summarize_wire_packet,
 * render_wire_summary, render_wire_size_comparison): the same fields, the same characters.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <libnnrp/tools.h>

int nnrp_summarize_packet(nnrp_wire_summary *s, const nnrp_packet *p, const char *subject) {
  if (!s || !p) return NNRP_ERR_INVALID_ARGUMENT;
  const nnrp_data_body *b = &p->data;
  memset(s, 0, sizeof(*s));
  s->message_type = p->header.msg_type;
  if (p->header.msg_type == NNRP_MSG_FRAME_SUBMIT) {
    const nnrp_frame_submit_meta *m = &p->meta.frame_submit;
    s->subject = "frame_submit";
    s->tile_count = m->tile_count;
    s->section_count = m->section_count;
    s->tile_index_bytes = m->tile_index_bytes;
    s->camera_bytes = m->camera_bytes;
  } else if (p->header.msg_type == NNRP_MSG_RESULT_PUSH) {
    const nnrp_result_push_meta *m = &p->meta.result_push;
    s->subject = "result_push";
    s->tile_count = m->tile_count;
    s->section_count = m->section_count;
    s->tile_index_bytes = m->tile_index_bytes;
    s->result_flags = m->result_flags;
  } else {
    return NNRP_ERR_SUMMARY_MSG_TYPE;
  }
  if (subject && subject[0]) s->subject = subject;
  s->wire_bytes = p->packet_len;
  s->metadata_bytes = p->metadata.len;
  s->body_bytes = p->body.len;
  /* Roles come from the sections the body carries: a legacy body's, or a region body's inline
   * section table; a referenced table names none. */
  if (b->section_count &&
      (b->family == NNRP_BODY_LEGACY || (b->present & NNRP_DATA_HAS_SECTION_TABLE))) {
    s->roles = b->sections;
    s->role_count = b->section_count;
  }
  return 0;
}

int nnrp_summarize_wire_packet(nnrp_wire_summary *s, const uint8_t *data, size_t len,
                               const char *subject, const nnrp_decode_options *opts,
                               nnrp_diag *diag) {
  nnrp_packet p;
  if (!s) return NNRP_ERR_INVALID_ARGUMENT;
  int rc = nnrp_packet_decode(&p, data, len, opts, diag);
  if (rc) return rc;
  rc = nnrp_summarize_packet(s, &p, subject);
  if (rc && diag) {
    diag->error = rc;
    diag->offset = 6; /* msg_type */
  }
  return rc;
}

size_t nnrp_wire_summary_roles(const nnrp_wire_summary *s, uint16_t *out, size_t cap) {
  nnrp_section_iter it;
  nnrp_section_view v;
  size_t i = 0;
  if (!s || !s->role_count) return 0;
  nnrp_section_iter_init(&it, s->roles.base, s->roles.len, s->role_count);
  while (nnrp_section_iter_next(&it, &v)) {
    if (i < cap && out) out[i] = v.desc.role_id;
    i++;
  }
  return i;
}

int64_t nnrp_wire_size_delta(const nnrp_wire_size_comparison *c) {
  uint64_t wire = c->current.wire_bytes, ref = c->reference_bytes;
  if (wire >= ref) return wire - ref > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)(wire - ref);
  return ref - wire > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)(ref - wire);
}

int64_t nnrp_wire_size_ratio_bp(const nnrp_wire_size_comparison *c) {
  uint64_t wire = c->current.wire_bytes;
  if (c->reference_bytes == 0) return -1;
  /* A packet has at most 40 + 2 * (2^32 - 1) bytes, so wire * 10000 fits; larger summaries
   * can only be made up by hand. */
  if (wire > (uint64_t)INT64_MAX / 10000u) return INT64_MAX;
  return (int64_t)(wire * 10000u / c->reference_bytes);
}

/* ---- rendering ---------------------------------------------------------------------------------
 */

/* A line being written into buf[0..cap): `len` counts every character, written or not. */
typedef struct line {
  char *buf;
  size_t cap;
  size_t len;
} line;

static void put(line *l, const char *text) {
  size_t n = strlen(text);
  if (l->len < l->cap) {
    size_t room = l->cap - l->len;
    memcpy(l->buf + l->len, text, n < room ? n : room);
  }
  l->len += n;
}

static void put_u64(line *l, uint64_t v) {
  char digits[24];
  snprintf(digits, sizeof(digits), "%" PRIu64, v);
  put(l, digits);
}

static void put_field(line *l, const char *key, uint64_t v) {
  put(l, key);
  put_u64(l, v);
}

static void put_roles(line *l, const nnrp_wire_summary *s) {
  nnrp_section_iter it;
  nnrp_section_view v;
  put(l, " roles=");
  if (!s->role_count) {
    put(l, "-");
    return;
  }
  nnrp_section_iter_init(&it, s->roles.base, s->roles.len, s->role_count);
  for (int first = 1; nnrp_section_iter_next(&it, &v); first = 0) {
    if (!first) put(l, ",");
    put_u64(l, v.desc.role_id);
  }
}

/* NONE, or the names of the set bits in the order STALE, FALLBACK, PARTIAL. */
static void put_result_flags(line *l, uint16_t flags) {
  static const char *const names[3] = {"STALE", "FALLBACK", "PARTIAL"};
  if (!flags) {
    put(l, "NONE");
    return;
  }
  const char *sep = "";
  for (int i = 0; i < 3; i++)
    if (flags >> i & 1u) {
      put(l, sep);
      put(l, names[i]);
      sep = "|";
    }
}

static void put_summary(line *l, const nnrp_wire_summary *s) {
  const char *msg = nnrp_msg_type_name(s->message_type);
  put(l, "subject=");
  put(l, s->subject ? s->subject : "");
  put(l, " msg=");
  put(l, msg ? msg : "?");
  put_field(l, " wire=", s->wire_bytes);
  put_field(l, " meta=", s->metadata_bytes);
  put_field(l, " body=", s->body_bytes);
  put_field(l, " tiles=", s->tile_count);
  put_field(l, " sections=", s->section_count);
  put_field(l, " tile_index=", s->tile_index_bytes);
  put_field(l, " camera=", s->camera_bytes);
  put_roles(l, s);
  if (s->message_type == NNRP_MSG_RESULT_PUSH) {
    put(l, " result_flags=");
    put_result_flags(l, s->result_flags);
  }
}

/* NUL-terminate, or report the room the line needs. */
static int finish(line *l, size_t *len) {
  if (len) *len = l->len;
  if (l->len >= l->cap) {
    if (l->cap) l->buf[0] = '\0';
    return NNRP_ERR_BUFFER_TOO_SMALL;
  }
  l->buf[l->len] = '\0';
  return 0;
}

int nnrp_render_wire_summary(const nnrp_wire_summary *s, char *buf, size_t cap, size_t *len) {
  if (!s || (!buf && cap)) return NNRP_ERR_INVALID_ARGUMENT;
  line l = {buf, cap, 0};
  put_summary(&l, s);
  return finish(&l, len);
}

int nnrp_render_wire_size_comparison(const nnrp_wire_size_comparison *c, char *buf, size_t cap,
                                     size_t *len) {
  if (!c || (!buf && cap)) return NNRP_ERR_INVALID_ARGUMENT;
  line l = {buf, cap, 0};
  uint64_t wire = c->current.wire_bytes, ref = c->reference_bytes;
  put(&l, "reference_label=");
  put(&l, c->reference_label ? c->reference_label : "protobuf");
  put_field(&l, " reference=", ref);
  put_field(&l, " current=", wire);
  /* The difference of two u64 values, exact in both directions. */
  put(&l, wire >= ref ? " delta=" : " delta=-");
  put_u64(&l, wire >= ref ? wire - ref : ref - wire);
  put(&l, " current_ratio=");
  int64_t bp = nnrp_wire_size_ratio_bp(c);
  if (bp < 0) {
    put(&l, "n/a");
  } else {
    char ratio[32];
    snprintf(ratio, sizeof(ratio), "%" PRId64 ".%02d%%", bp / 100, (int)(bp % 100));
    put(&l, ratio);
  }
  put(&l, " ");
  put_summary(&l, &c->current);
  return finish(&l, len);
}
