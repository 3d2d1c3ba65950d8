/*
 * Packet model -> bytes, through the library's encoders only (header, metadata, extension block,
 * tensor sections with their 8-byte padding, inline objects, references, typed and extension
 * descriptors, body prelude, raw packet writer).  The bytes are finally decoded again with the
 * strict profile, so an invalid packet is reported with the rule it breaks instead of being
 * written.
 */
#include <stdlib.h>
#include <string.h>

#include "json_in.h"

static int encode_meta(const packet_in *in, uint8_t *out, size_t *len) {
  const nnrp_meta *m = &in->meta;
  int n = nnrp_msg_meta_len(in->header.msg_type);
  *len = n > 0 ? (size_t)n : 0;
  switch (in->header.msg_type) {
    case NNRP_MSG_CLIENT_HELLO:
      return nnrp_client_hello_meta_encode(&m->client_hello, out);
    case NNRP_MSG_SERVER_HELLO_ACK:
      return nnrp_server_hello_ack_meta_encode(&m->server_hello_ack, out);
    case NNRP_MSG_SESSION_PATCH:
      return nnrp_session_patch_meta_encode(&m->session_patch, out);
    case NNRP_MSG_SESSION_PATCH_ACK:
      return nnrp_session_patch_ack_meta_encode(&m->session_patch_ack, out);
    case NNRP_MSG_ERROR:
      return nnrp_error_meta_encode(&m->error, out);
    case NNRP_MSG_FRAME_SUBMIT:
      return nnrp_frame_submit_meta_encode(&m->frame_submit, out);
    case NNRP_MSG_RESULT_PUSH:
      return nnrp_result_push_meta_encode(&m->result_push, out);
    case NNRP_MSG_CACHE_PUT:
      return nnrp_cache_put_meta_encode(&m->cache_put, out);
    case NNRP_MSG_CACHE_ACK:
      return nnrp_cache_ack_meta_encode(&m->cache_ack, out);
    case NNRP_MSG_CACHE_INVALIDATE:
      return nnrp_cache_invalidate_meta_encode(&m->cache_invalidate, out);
    case NNRP_MSG_FLOW_UPDATE:
      return nnrp_flow_update_meta_encode(&m->flow_update, out);
    case NNRP_MSG_RESULT_HINT:
      return nnrp_result_hint_meta_encode(&m->result_hint, out);
    case NNRP_MSG_TRANSPORT_PROBE:
      return nnrp_transport_probe_meta_encode(&m->transport_probe, out);
    case NNRP_MSG_TRANSPORT_PROBE_ACK:
      return nnrp_transport_probe_ack_meta_encode(&m->transport_probe_ack, out);
    case NNRP_MSG_SESSION_MIGRATE:
      return nnrp_session_migrate_meta_encode(&m->session_migrate, out);
    case NNRP_MSG_SESSION_MIGRATE_ACK:
      return nnrp_session_migrate_ack_meta_encode(&m->session_migrate_ack, out);
    default:
      return 0; /* no metadata */
  }
}

/* Legacy tensor body (wire-data §8): camera + pad, tile index, 8-aligned sections. */
static int write_legacy(jin *j, const packet_in *in, nnrp_sink *s) {
  size_t start = s->total;
  const section_in *sec = in->sections.items;
  if (in->header.msg_type == NNRP_MSG_FRAME_SUBMIT) {
    nnrp_sink_payload(s, in->camera.base, in->camera.len);
    nnrp_sink_pad8(s, start);
  }
  nnrp_sink_payload(s, in->tile_index.base, in->tile_index.len);
  for (size_t i = 0; i < in->sections.count; i++) {
    nnrp_sink_pad8(s, start);
    int rc = nnrp_tensor_section_pack(&sec[i].desc, sec[i].codec_table, sec[i].length_table,
                                      sec[i].payload, s);
    if (rc) {
      size_t mark = jin_push(j, ".sections[%zu]", i);
      jin_fail_lib(j, rc);
      jin_pop(j, mark);
      return rc;
    }
  }
  return nnrp_sink_error(s);
}

static int write_objects(jin *j, const packet_in *in, nnrp_sink *s) {
  const object_in *o = in->objects.items;
  for (size_t i = 0; i < in->objects.count; i++) {
    int rc = nnrp_inline_object_encode(&o[i].header, o[i].payload, s);
    if (rc) {
      size_t mark = jin_push(j, ".inline_objects[%zu]", i);
      jin_fail_lib(j, rc);
      jin_pop(j, mark);
      return rc;
    }
  }
  return nnrp_sink_error(s);
}

/* Descriptor and payload regions of typed (or extension) frames, payloads at their offsets. */
static int frame_regions(jin *j, const list_in *list, int typed, int has_raw, nnrp_vec raw,
                         int has_len, uint32_t len, nnrp_vec *descs, nnrp_vec *payloads) {
  frame_in *f = list->items;
  uint64_t end = 0;
  for (size_t i = 0; i < list->count; i++) {
    uint32_t *offset = typed ? &f[i].typed.payload_offset : &f[i].ext.payload_offset;
    if (!f[i].offset_given) *offset = (uint32_t)end; /* right after the previous frames */
    if ((uint64_t)*offset + f[i].payload.len > end) end = (uint64_t)*offset + f[i].payload.len;
  }
  size_t region_len = has_len ? len : has_raw ? raw.len : (size_t)end;
  uint8_t *d = jin_alloc(j, list->count * 16), *p = jin_alloc(j, region_len);
  if (!d || !p) return jin_fail(j, "out of memory");
  if (has_raw) memcpy(p, raw.base, raw.len < region_len ? raw.len : region_len);
  for (size_t i = 0; i < list->count; i++) {
    uint32_t offset = typed ? f[i].typed.payload_offset : f[i].ext.payload_offset;
    if ((uint64_t)offset + f[i].payload.len > region_len) {
      size_t mark = jin_push(j, ".%s[%zu]", typed ? "typed_frames" : "extension_frames", i);
      jin_fail(j, "payload ends at %llu, past the %zu-byte region",
               (unsigned long long)offset + f[i].payload.len, region_len);
      jin_pop(j, mark);
      return CLI_FAIL;
    }
    if (f[i].payload.len) memcpy(p + offset, f[i].payload.base, f[i].payload.len);
    if (typed)
      nnrp_typed_desc_encode(&f[i].typed, d + 16 * i);
    else
      nnrp_ext_frame_desc_encode(&f[i].ext, d + 16 * i);
  }
  *descs = (nnrp_vec){d, list->count * 16};
  *payloads = (nnrp_vec){p, region_len};
  return CLI_OK;
}

/* The six regions of a region body, built before the body is written. */
static int build_regions(jin *j, packet_in *in, nnrp_vec regions[NNRP_REGION_COUNT]) {
  nnrp_sink s;
  nnrp_sink_init_count(&s);
  if (write_objects(j, in, &s)) return CLI_FAIL;
  uint8_t *objects = jin_alloc(j, s.total), *refs = jin_alloc(j, in->refs.count * 16);
  if (!objects || !refs) return jin_fail(j, "out of memory");
  nnrp_sink_init_buffer(&s, objects, s.total);
  if (write_objects(j, in, &s)) return CLI_FAIL;
  regions[NNRP_REGION_INLINE_OBJECTS] = (nnrp_vec){objects, s.total};
  for (size_t i = 0; i < in->refs.count; i++)
    nnrp_object_ref_encode((const nnrp_object_ref *)in->refs.items + i, refs + 16 * i);
  regions[NNRP_REGION_OBJECT_REFERENCES] = (nnrp_vec){refs, in->refs.count * 16};
  const cli_struct *pf = &cli_prelude_fields;
  if (frame_regions(j, &in->typed, 1, in->has_typed_region, in->typed_region,
                    jin_given(pf, in->prelude_given, "typed_payload_frame_bytes"),
                    in->prelude.typed_payload_frame_bytes, &regions[NNRP_REGION_TYPED_DESCRIPTORS],
                    &regions[NNRP_REGION_TYPED_FRAMES]) ||
      frame_regions(j, &in->ext, 0, in->has_ext_region, in->ext_region,
                    jin_given(pf, in->prelude_given, "extension_payload_bytes"),
                    in->prelude.extension_payload_bytes, &regions[NNRP_REGION_EXT_DESCRIPTORS],
                    &regions[NNRP_REGION_EXT_PAYLOADS]))
    return CLI_FAIL;
  /* Prelude fields left out take the region lengths. */
  for (size_t i = 0; i < NNRP_REGION_COUNT; i++)
    if (!(in->prelude_given >> i & 1u)) cli_field_set(&in->prelude, &pf->fields[i], regions[i].len);
  return CLI_OK;
}

/* The body, through a sink (run once to count and once to write). */
static int write_body(jin *j, const packet_in *in, const nnrp_vec regions[NNRP_REGION_COUNT],
                      nnrp_sink *s) {
  int rc = 0;
  switch (in->header.msg_type) {
    case NNRP_MSG_CLIENT_HELLO:
    case NNRP_MSG_SERVER_HELLO_ACK:
      rc = nnrp_ext_block_encode(in->extensions.items, in->extensions.count, s);
      nnrp_sink_payload(s, in->auth.base, in->auth.len);
      break;
    case NNRP_MSG_SESSION_PATCH:
    case NNRP_MSG_SESSION_PATCH_ACK:
      if (in->has_patch) {
        uint8_t block[NNRP_PROFILE_PATCH_LEN];
        rc = nnrp_profile_patch_encode(&in->patch, block);
        nnrp_sink_write(s, block, sizeof(block));
      }
      break;
    case NNRP_MSG_FRAME_SUBMIT:
    case NNRP_MSG_RESULT_PUSH: {
      if (in->family == NNRP_BODY_LEGACY) return write_legacy(j, in, s);
      if (in->family != NNRP_BODY_REGION) break;
      nnrp_prelude computed = {0};
      for (size_t i = 0; i < NNRP_REGION_COUNT; i++)
        cli_field_set(&computed, &cli_prelude_fields.fields[i], regions[i].len);
      /* A prelude that disagrees with its regions is written as given: the check reports it. */
      if (memcmp(&computed, &in->prelude, sizeof(computed)) == 0) {
        rc = nnrp_body_pack(regions, s);
      } else {
        uint8_t prelude[NNRP_PRELUDE_LEN];
        nnrp_prelude_encode(&in->prelude, prelude);
        nnrp_sink_write(s, prelude, sizeof(prelude));
        for (size_t i = 0; i < NNRP_REGION_COUNT; i++)
          nnrp_sink_payload(s, regions[i].base, regions[i].len);
      }
      break;
    }
    default:
      nnrp_sink_payload(s, in->raw_body.base, in->raw_body.len);
      break;
  }
  if (rc) {
    jin_fail_lib(j, rc);
    return rc;
  }
  return nnrp_sink_error(s);
}

int jin_encode_packet(jin *j, packet_in *in, cli_bytes *out) {
  uint8_t meta[NNRP_SERVER_HELLO_ACK_META_LEN]; /* the longest fixed metadata */
  uint8_t header[NNRP_HEADER_LEN];
  nnrp_vec regions[NNRP_REGION_COUNT] = {{0}};
  nnrp_vec mv, bv;
  size_t meta_len;
  nnrp_sink s;
  int rc;

  size_t mark = jin_push(j, "metadata");
  if ((rc = encode_meta(in, meta, &meta_len)) != 0) return jin_fail_lib(j, rc);
  jin_pop(j, mark);
  mv = meta_len ? (nnrp_vec){meta, meta_len} : in->raw_meta;

  mark = jin_push(j, "body");
  if (in->family == NNRP_BODY_REGION && build_regions(j, in, regions)) return CLI_FAIL;
  nnrp_sink_init_count(&s);
  if (write_body(j, in, regions, &s)) return CLI_FAIL;
  uint8_t *body = jin_alloc(j, s.total);
  if (!body) return jin_fail(j, "out of memory");
  nnrp_sink_init_buffer(&s, body, s.total);
  if (write_body(j, in, regions, &s)) return CLI_FAIL;
  bv = (nnrp_vec){body, s.total};
  jin_pop(j, mark);

  if (!in->has_meta_len) in->header.meta_len = (uint32_t)mv.len;
  if (!in->has_body_len) in->header.body_len = (uint32_t)bv.len;
  /* The header encoder's checks name the header's own rule before the raw writer runs. */
  if ((rc = nnrp_header_encode(&in->header, header)) != 0) return jin_fail_lib(j, rc);
  nnrp_sink_init_count(&s);
  if ((rc = nnrp_packet_encode_raw(&in->header, mv, bv, &s)) != 0) return jin_fail_lib(j, rc);
  size_t len = s.total;
  uint8_t *grown = realloc(out->data, out->len + len + 1);
  if (!grown) return jin_fail(j, "out of memory");
  out->data = grown;
  nnrp_sink_init_buffer(&s, out->data + out->len, len);
  if ((rc = nnrp_packet_encode_raw(&in->header, mv, bv, &s)) != 0) return jin_fail_lib(j, rc);

  /* The bytes must be a valid packet under the strict profile. */
  nnrp_decode_options opts = {NNRP_DECODE_EXACT, 0, NULL, 0};
  nnrp_packet p;
  nnrp_diag diag = {0, 0};
  if ((rc = nnrp_packet_decode(&p, out->data + out->len, len, &opts, &diag)) != 0) {
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "packet %zu: ", j->index);
    cli_lib_error(j->cmd, prefix, rc, (long long)diag.offset);
    return CLI_FAIL;
  }
  out->len += len;
  return CLI_OK;
}
