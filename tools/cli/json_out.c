/*
 * Decoded packet -> JSON.  Everything comes from nnrp_packet_decode() and the library's
 * iterators and descriptor decoders; nothing here looks at raw wire bytes itself.
 *
 * Shape of one packet (see `nnrp help decode`): the header fields at the top level, then
 * "metadata" (the fixed metadata fields) and "body".  Payload bytes are always hex.  Keys marked
 * informational below are ignored by `nnrp encode`.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

json_t *cli_json_u64(uint64_t v) {
  if (v <= (((uint64_t)1 << 53) - 1)) return json_integer((json_int_t)v);
  char text[24];
  snprintf(text, sizeof(text), "%llu", (unsigned long long)v);
  return json_string(text);
}

json_t *cli_json_hex(nnrp_vec v) {
  char *s = cli_hex_encode(v.base, v.len);
  if (!s) return NULL;
  json_t *j = json_string(s);
  free(s);
  return j;
}

static void put(json_t *obj, const char *key, json_t *value) {
  json_object_set_new(obj, key, value);
}

/* Every field of a struct, in table order, into `obj`. */
static void put_fields(json_t *obj, const cli_struct *s, const void *base) {
  for (size_t i = 0; i < s->count; i++)
    put(obj, s->fields[i].name, cli_json_u64(cli_field_get(base, &s->fields[i])));
}

static json_t *fields_object(const cli_struct *s, const void *base) {
  json_t *obj = json_object();
  put_fields(obj, s, base);
  return obj;
}

/* Strict UTF-8 check (no overlongs, no surrogates, nothing above U+10FFFF, no NUL). */
static int valid_utf8(const uint8_t *p, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = p[i];
    size_t more;
    uint32_t cp;
    if (c == 0) return 0;
    if (c < 0x80) {
      i++;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF)
      more = 1, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
      more = 2, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
      more = 3, cp = c & 0x07;
    else
      return 0;
    if (n - i <= more) return 0;
    for (size_t k = 1; k <= more; k++) {
      if ((p[i + k] & 0xC0) != 0x80) return 0;
      cp = cp << 6 | (p[i + k] & 0x3F);
    }
    if ((more == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (more == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
      return 0;
    i += more + 1;
  }
  return 1;
}

/* Hex under `key`, plus informational "text" when the bytes are valid UTF-8. */
static void put_text(json_t *obj, const char *key, nnrp_vec v) {
  put(obj, key, cli_json_hex(v));
  if (valid_utf8(v.base, v.len)) put(obj, "text", json_stringn((const char *)v.base, v.len));
}

/* ---- control extensions ---------------------------------------------------------------------- */

static const char *ext_type_name(unsigned type) {
  switch (type) {
    case NNRP_EXT_TRANSPORT_POLICY:
      return "transport_policy";
    case NNRP_EXT_TRANSPORT_POLICY_ACK:
      return "transport_policy_ack";
    case NNRP_EXT_LOSS_TOLERANCE:
      return "loss_tolerance";
    case NNRP_EXT_LOSS_TOLERANCE_ACK:
      return "loss_tolerance_ack";
    case NNRP_EXT_PAYLOAD_CAPABILITIES:
      return "payload_capabilities";
    case NNRP_EXT_PAYLOAD_CAPABILITIES_ACK:
      return "payload_capabilities_ack";
    default:
      return NULL;
  }
}

/* Informational "parsed" object of a standard entry known for this hello, or NULL. */
static json_t *ext_parsed(const nnrp_ext_entry *e, int server) {
  json_t *o;
  nnrp_transport_policy_ext tp;
  nnrp_loss_tolerance_ext lt;
  nnrp_payload_caps_ext pc;
  switch (e->ext_type) {
    case NNRP_EXT_TRANSPORT_POLICY:
    case NNRP_EXT_TRANSPORT_POLICY_ACK:
      if (server != (e->ext_type == NNRP_EXT_TRANSPORT_POLICY_ACK)) return NULL;
      if (nnrp_ext_transport_policy_parse(e, &tp) != 0) return NULL;
      o = json_object();
      put(o, "transport_policy", json_integer(tp.transport_policy));
      if (server) put(o, "accepted_transport_policy", json_integer(tp.accepted_transport_policy));
      put(o, server ? "active_transport_id" : "preferred_transport_id",
          json_integer(tp.transport_id));
      return o;
    case NNRP_EXT_LOSS_TOLERANCE:
    case NNRP_EXT_LOSS_TOLERANCE_ACK:
      if (server != (e->ext_type == NNRP_EXT_LOSS_TOLERANCE_ACK)) return NULL;
      if (nnrp_ext_loss_tolerance_parse(e, &lt) != 0) return NULL;
      o = json_object();
      put(o, server ? "accepted_loss_tolerance" : "session_loss_tolerance",
          json_integer(lt.loss_tolerance));
      return o;
    case NNRP_EXT_PAYLOAD_CAPABILITIES:
    case NNRP_EXT_PAYLOAD_CAPABILITIES_ACK:
      if (server != (e->ext_type == NNRP_EXT_PAYLOAD_CAPABILITIES_ACK)) return NULL;
      if (nnrp_ext_payload_caps_parse(e, &pc) != 0) return NULL;
      o = json_object();
      put(o, server ? "accepted_payload_kind_bitmap" : "payload_kind_bitmap",
          json_integer(pc.payload_kind_bitmap));
      put(o,
          server ? "accepted_critical_extension_frame_bitmap" : "critical_extension_frame_bitmap",
          json_integer(pc.critical_extension_frame_bitmap));
      return o;
    default:
      return NULL;
  }
}

static json_t *hello_body(const nnrp_hello_body *h, int server) {
  json_t *body = json_object(), *list = json_array();
  nnrp_ext_iter it;
  nnrp_ext_entry e;
  nnrp_ext_iter_init(&it, h->extensions.base, h->extensions.len);
  while (nnrp_ext_iter_next(&it, &e)) {
    json_t *o = json_object(), *parsed = ext_parsed(&e, server);
    const char *name = ext_type_name(e.ext_type);
    put(o, "ext_type", json_integer(e.ext_type));
    if (name) put(o, "ext_type_name", json_string(name));
    put(o, "ext_flags", json_integer(e.ext_flags));
    put(o, "ext_len", cli_json_u64(e.payload.len));
    put(o, "payload", cli_json_hex(e.payload));
    if (parsed) put(o, "parsed", parsed);
    json_array_append_new(list, o);
  }
  put(body, "extensions", list);
  if (!server) put(body, "auth", cli_json_hex(h->auth));
  return body;
}

/* ---- data plane ------------------------------------------------------------------------------ */

static json_t *tile_ids(nnrp_vec block, unsigned mode, size_t count, uint32_t base) {
  json_t *ids = json_array();
  nnrp_tile_iter it;
  uint32_t id;
  nnrp_tile_iter_init(&it, block.base, block.len, mode, count, base);
  while (nnrp_tile_iter_next(&it, &id)) json_array_append_new(ids, json_integer(id));
  return ids;
}

static json_t *sections(nnrp_vec seq, size_t count) {
  json_t *list = json_array();
  nnrp_section_iter it;
  nnrp_section_view s;
  nnrp_section_iter_init(&it, seq.base, seq.len, count);
  while (nnrp_section_iter_next(&it, &s)) {
    json_t *o = fields_object(&cli_section_desc_fields, &s.desc), *lengths = json_array();
    for (size_t t = 0; t < s.tile_count; t++)
      json_array_append_new(lengths, json_integer(nnrp_section_tile_length(&s, t)));
    put(o, "codec_table", cli_json_hex((nnrp_vec){s.codec_table, s.desc.codec_table_bytes}));
    put(o, "tile_lengths", lengths);
    put(o, "payload", cli_json_hex((nnrp_vec){s.payload, s.desc.payload_bytes}));
    json_array_append_new(list, o);
  }
  return list;
}

/* Tile-index mode, tile count and base of the packet's tile index block. */
static void tile_params(const nnrp_packet *p, unsigned *mode, size_t *count, uint32_t *base) {
  if (p->header.msg_type == NNRP_MSG_FRAME_SUBMIT) {
    *mode = p->meta.frame_submit.tile_index_mode;
    *count = p->meta.frame_submit.tile_count;
    *base = p->meta.frame_submit.tile_base_id;
  } else {
    *mode = nnrp_result_tile_mode(&p->meta.result_push);
    *count = p->meta.result_push.tile_count;
    *base = p->meta.result_push.tile_base_id;
  }
}

static json_t *inline_objects(const nnrp_packet *p) {
  const nnrp_data_body *b = &p->data;
  json_t *list = json_array();
  nnrp_inline_object_iter it;
  nnrp_inline_object o;
  unsigned mode;
  size_t count;
  uint32_t base;
  tile_params(p, &mode, &count, &base);
  nnrp_inline_object_iter_init(&it, b->regions[NNRP_REGION_INLINE_OBJECTS]);
  while (nnrp_inline_object_iter_next(&it, &o)) {
    json_t *j = fields_object(&cli_inline_object_fields, &o.header);
    put(j, "payload", cli_json_hex(o.payload));
    /* Informational: the content the body validator decoded from this block. */
    if ((b->present & NNRP_DATA_HAS_TILE_INDEX) && o.payload.base == b->tile_index.base &&
        o.header.object_kind == NNRP_OBJECT_TILE_INDEX_BLOCK)
      put(j, "tile_ids", tile_ids(o.payload, mode, count, base));
    if ((b->present & NNRP_DATA_HAS_SECTION_TABLE) && o.payload.base == b->sections.base &&
        o.header.object_kind == NNRP_OBJECT_TENSOR_SECTION_TABLE)
      put(j, "sections", sections(b->sections, b->section_count));
    json_array_append_new(list, j);
  }
  return list;
}

/* True when `region` holds bytes that no frame covers and that are not zero. */
static int region_has_gap_bytes(nnrp_vec region, const nnrp_vec *frames, size_t n) {
  size_t pos = 0;
  for (size_t i = 0; i <= n; i++) {
    size_t start = i < n ? (size_t)(frames[i].base - region.base) : region.len;
    for (size_t k = pos; k < start; k++)
      if (region.base[k]) return 1;
    if (i < n && start + frames[i].len > pos) pos = start + frames[i].len;
  }
  return 0;
}

static void region_frames(json_t *body, const nnrp_data_body *b) {
  nnrp_vec descs = b->regions[NNRP_REGION_TYPED_DESCRIPTORS];
  nnrp_vec typed = b->regions[NNRP_REGION_TYPED_FRAMES];
  nnrp_vec ext_descs = b->regions[NNRP_REGION_EXT_DESCRIPTORS];
  nnrp_vec ext = b->regions[NNRP_REGION_EXT_PAYLOADS];
  size_t n = descs.len / NNRP_TYPED_DESC_LEN, m = ext_descs.len / NNRP_EXT_FRAME_DESC_LEN;
  nnrp_vec *views = calloc(n + m + 1, sizeof(*views));
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) {
    nnrp_typed_desc d;
    nnrp_typed_desc_decode(&d, descs.base + i * NNRP_TYPED_DESC_LEN);
    if (views) views[i] = (nnrp_vec){typed.base + d.payload_offset, d.payload_length};
    json_t *o = fields_object(&cli_typed_desc_fields, &d);
    put(o, "payload", cli_json_hex((nnrp_vec){typed.base + d.payload_offset, d.payload_length}));
    json_array_append_new(list, o);
  }
  put(body, "typed_frames", list);
  /* Bytes between frames survive only through the raw region (the decoder tolerates gaps). */
  if (views && region_has_gap_bytes(typed, views, n))
    put(body, "typed_payload_frame_region", cli_json_hex(typed));

  list = json_array();
  for (size_t i = 0; i < m; i++) {
    nnrp_ext_frame_desc d;
    nnrp_ext_frame_desc_decode(&d, ext_descs.base + i * NNRP_EXT_FRAME_DESC_LEN);
    if (views) views[n + i] = (nnrp_vec){ext.base + d.payload_offset, d.payload_length};
    json_t *o = fields_object(&cli_ext_frame_desc_fields, &d);
    put(o, "payload", cli_json_hex((nnrp_vec){ext.base + d.payload_offset, d.payload_length}));
    json_array_append_new(list, o);
  }
  put(body, "extension_frames", list);
  if (views && region_has_gap_bytes(ext, views + n, m))
    put(body, "extension_payload_region", cli_json_hex(ext));
  free(views);
}

static json_t *data_body(const nnrp_packet *p) {
  const nnrp_data_body *b = &p->data;
  json_t *body = json_object();
  unsigned mode;
  size_t count;
  uint32_t base;
  tile_params(p, &mode, &count, &base);
  switch (b->family) {
    case NNRP_BODY_EMPTY:
      put(body, "family", json_string("empty"));
      break;
    case NNRP_BODY_LEGACY:
      put(body, "family", json_string("legacy"));
      if (p->header.msg_type == NNRP_MSG_FRAME_SUBMIT) put(body, "camera", cli_json_hex(b->camera));
      put(body, "tile_index", cli_json_hex(b->tile_index));
      put(body, "tile_ids", tile_ids(b->tile_index, mode, count, base));
      put(body, "sections", sections(b->sections, b->section_count));
      break;
    case NNRP_BODY_REGION: {
      put(body, "family", json_string("region"));
      put(body, "prelude", fields_object(&cli_prelude_fields, &b->prelude));
      put(body, "inline_objects", inline_objects(p));
      nnrp_vec refs = b->regions[NNRP_REGION_OBJECT_REFERENCES];
      json_t *list = json_array();
      for (size_t i = 0; i < refs.len / NNRP_OBJECT_REF_LEN; i++) {
        nnrp_object_ref r;
        nnrp_object_ref_at(&refs, i, &r);
        json_array_append_new(list, fields_object(&cli_object_ref_fields, &r));
      }
      put(body, "object_references", list);
      region_frames(body, b);
      break;
    }
  }
  return body;
}

/* ---- packets --------------------------------------------------------------------------------- */

static json_t *body_json(const nnrp_packet *p) {
  unsigned type = p->header.msg_type;
  const char *raw = cli_raw_body_name(type);
  json_t *body;
  switch (type) {
    case NNRP_MSG_CLIENT_HELLO:
      return hello_body(&p->hello, 0);
    case NNRP_MSG_SERVER_HELLO_ACK:
      return hello_body(&p->hello, 1);
    case NNRP_MSG_FRAME_SUBMIT:
    case NNRP_MSG_RESULT_PUSH:
      return data_body(p);
    case NNRP_MSG_SESSION_PATCH:
    case NNRP_MSG_SESSION_PATCH_ACK:
      body = json_object();
      if (p->has_profile_patch)
        put(body, "profile_patch", fields_object(&cli_profile_patch_fields, &p->profile_patch));
      return body;
    default:
      body = json_object();
      if (raw)
        put_text(body, raw, p->body);
      else if (p->body.len)
        put(body, "bytes", cli_json_hex(p->body)); /* PY-compat surplus */
      return body;
  }
}

json_t *cli_packet_to_json(const nnrp_packet *p) {
  json_t *obj = json_object(), *meta;
  const cli_struct *mf = cli_meta_fields(p->header.msg_type);
  const char *name = nnrp_msg_type_name(p->header.msg_type);
  for (size_t i = 0; i < cli_header_fields.count; i++) {
    const cli_field *f = &cli_header_fields.fields[i];
    put(obj, f->name, cli_json_u64(cli_field_get(&p->header, f)));
    if (strcmp(f->name, "msg_type") == 0 && name) put(obj, "msg_type_name", json_string(name));
  }
  if (mf) {
    meta = fields_object(mf, &p->meta);
  } else {
    meta = json_object();
    if (p->metadata.len) put(meta, "bytes", cli_json_hex(p->metadata)); /* PY-compat surplus */
  }
  put(obj, "metadata", meta);
  put(obj, "body", body_json(p));
  return obj;
}
