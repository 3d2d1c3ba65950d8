/*
 * L0 wire cases (cases/l0-wire-vectors.json; session spec 8.2).  Each case names one or two
 * golden vectors.  For each vector the runner
 *   1. renders the suite's recipe through libnnrp's encoders and compares the bytes with the
 *      reference SDK's vector (../shared/vectors/golden-vectors.json);
 *   2. parses the reference bytes with libnnrp's strict decoder and compares every field with
 *      the recipe;
 *   3. re-emits the parsed value and compares the bytes with the reference again.
 */
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

static unsigned msg_type_of(cli_vec_type t) {
  switch (t) {
    case CLI_VEC_CLIENT_HELLO:
      return NNRP_MSG_CLIENT_HELLO;
    case CLI_VEC_SESSION_PATCH_ACK:
      return NNRP_MSG_SESSION_PATCH_ACK;
    case CLI_VEC_FLOW_UPDATE:
      return NNRP_MSG_FLOW_UPDATE;
    case CLI_VEC_RESULT_HINT:
      return NNRP_MSG_RESULT_HINT;
    case CLI_VEC_FRAME_SUBMIT_META:
      return NNRP_MSG_FRAME_SUBMIT;
    case CLI_VEC_RESULT_PUSH_META:
      return NNRP_MSG_RESULT_PUSH;
    default:
      return 0;
  }
}

/* Parse reference bytes of a vector type: the inverse of cli_vec_render. */
static int parse(cli_vec_type t, const uint8_t *b, size_t len, cli_vec_input *out) {
  memset(out, 0, sizeof(*out));
  out->type = t;
  switch (t) {
    case CLI_VEC_HEADER:
      if (len != NNRP_HEADER_LEN) return NNRP_ERR_TRAILING_BYTES;
      return nnrp_header_decode(&out->header, b, len, NULL);
    case CLI_VEC_CLIENT_HELLO:
      return nnrp_client_hello_meta_decode(&out->meta.client_hello, b, len, 0);
    case CLI_VEC_SESSION_PATCH_ACK:
      return nnrp_session_patch_ack_meta_decode(&out->meta.session_patch_ack, b, len, 0);
    case CLI_VEC_FRAME_SUBMIT_META:
      return nnrp_frame_submit_meta_decode(&out->meta.frame_submit, b, len, 0);
    case CLI_VEC_RESULT_PUSH_META:
      return nnrp_result_push_meta_decode(&out->meta.result_push, b, len, 0);
    case CLI_VEC_FLOW_UPDATE:
    case CLI_VEC_RESULT_HINT: {
      static nnrp_packet p;
      const nnrp_decode_options opts = {NNRP_DECODE_EXACT, 0, NULL, 0};
      int rc = nnrp_packet_decode(&p, b, len, &opts, NULL);
      if (rc != 0) return rc;
      if (p.header.msg_type != msg_type_of(t)) return NNRP_ERR_MSG_TYPE;
      out->packet = (nnrp_packet_params){p.header.session_id, p.header.frame_id, p.header.view_id,
                                         p.header.route_id,   p.header.trace_id, p.header.flags};
      out->meta = p.meta;
      return 0;
    }
    case CLI_VEC_PRELUDE:
      if (len != NNRP_PRELUDE_LEN) return NNRP_ERR_PRELUDE_TRUNCATED;
      nnrp_prelude_decode(&out->prelude, b);
      return 0;
    case CLI_VEC_OBJECT_REF:
      if (len != NNRP_OBJECT_REF_LEN) return NNRP_ERR_REF_REGION_ALIGN;
      nnrp_object_ref_decode(&out->ref, b);
      return 0;
    case CLI_VEC_TYPED_DESC:
      if (len != NNRP_TYPED_DESC_LEN) return NNRP_ERR_PRELUDE_TYPED_ALIGN;
      nnrp_typed_desc_decode(&out->desc, b);
      return 0;
    default:
      return NNRP_ERR_INVALID_ARGUMENT; /* the typed regions are parsed as a pair */
  }
}

/* Compare the parsed value with the recipe, field by field. */
static void check_fields(conf_case *c, const cli_vec_input *got, const cli_vec_input *want) {
  switch (got->type) {
    case CLI_VEC_HEADER:
      conf_check_fields(c, "parsed header", &cli_header_fields, &got->header, &want->header);
      return;
    case CLI_VEC_PRELUDE:
      conf_check_fields(c, "parsed prelude", &cli_prelude_fields, &got->prelude, &want->prelude);
      return;
    case CLI_VEC_OBJECT_REF:
      conf_check_fields(c, "parsed reference", &cli_object_ref_fields, &got->ref, &want->ref);
      return;
    case CLI_VEC_TYPED_DESC:
      conf_check_fields(c, "parsed descriptor", &cli_typed_desc_fields, &got->desc, &want->desc);
      return;
    case CLI_VEC_FLOW_UPDATE:
    case CLI_VEC_RESULT_HINT:
      conf_check_fields(c, "parsed header", &conf_packet_fields, &got->packet, &want->packet);
      /* fall through */
    default:
      conf_check_fields(c, "parsed metadata", cli_meta_fields(msg_type_of(got->type)), &got->meta,
                        &want->meta);
  }
}

/* The recipe `name` rendered by libnnrp into *out; 0 or -1 (logged). */
static int render_recipe(conf_case *c, const char *name, conf_recipe *r, cli_vector *out) {
  char why[256];
  json_t *recipe = conf_recipe_find(c->suite->recipes, name);
  if (!conf_check(c, recipe != NULL, "recipe %s is in semantic-vectors.json", name)) return -1;
  if (!conf_check(c, conf_recipe_parse(recipe, r, why, sizeof(why)) == 0, "recipe %s parsed",
                  name)) {
    conf_note(c, "recipe error: %s", why);
    return -1;
  }
  int rc = cli_vec_render(&r->in, out);
  return conf_check_rc(c, rc, 0, "rendered through libnnrp's encoders") ? 0 : -1;
}

/* The reference bytes of `name` (malloc'd into *ref) and a check of its kind. */
static int reference(conf_case *c, const char *name, const char *kind, cli_bytes *ref) {
  json_t *list = json_object_get(c->suite->golden, "vectors"), *v = NULL;
  for (size_t i = 0; !v && i < json_array_size(list); i++) {
    const char *n = json_string_value(json_object_get(json_array_get(list, i), "name"));
    if (n && strcmp(n, name) == 0) v = json_array_get(list, i);
  }
  if (!conf_check(c, v != NULL, "reference vector %s is in golden-vectors.json", name)) return -1;
  const char *theirs = json_string_value(json_object_get(v, "kind"));
  conf_check(c, theirs && strcmp(theirs, kind) == 0, "kind %s (reference: %s)", kind,
             theirs ? theirs : "none");
  const char *hex = json_string_value(json_object_get(v, "hex"));
  size_t bad;
  if (!conf_check(c, hex && cli_hex_decode(hex, strlen(hex), ref, &bad) == 0,
                  "reference hex decodes"))
    return -1;
  conf_note(c, "reference %s: %s", name, hex);
  return 0;
}

/* Steps 1-3 for one vector. */
static void vector_case(conf_case *c, const char *name) {
  static conf_recipe r;
  static cli_vector ours, again;
  static cli_vec_input parsed;
  cli_bytes ref = {NULL, 0};

  conf_note(c, "vector %s", name);
  if (render_recipe(c, name, &r, &ours) != 0) return;
  if (reference(c, name, cli_vec_kind(r.in.type), &ref) != 0) return;
  conf_check_bytes(c, "recipe rendered by libnnrp vs reference", ours.bytes, ours.len, ref.data,
                   ref.len);
  if (conf_check_rc(c, parse(r.in.type, ref.data, ref.len, &parsed), 0,
                    "reference parsed by libnnrp's strict decoder")) {
    check_fields(c, &parsed, &r.in);
    if (conf_check_rc(c, cli_vec_render(&parsed, &again), 0, "parsed value re-emitted"))
      conf_check_bytes(c, "re-emitted vs reference", again.bytes, again.len, ref.data, ref.len);
  }
  free(ref.data);
}

conf_outcome conf_l0_header(conf_case *c) {
  vector_case(c, "current.header.frame_submit_ack_required_keyframe");
  return conf_codec_outcome(c);
}

conf_outcome conf_l0_client_hello(conf_case *c) {
  vector_case(c, "current.metadata.client_hello");
  return conf_codec_outcome(c);
}

conf_outcome conf_l0_session_patch_ack(conf_case *c) {
  vector_case(c, "current.metadata.session_patch_ack");
  return conf_codec_outcome(c);
}

conf_outcome conf_l0_flow_update(conf_case *c) {
  vector_case(c, "current.packet.flow_update");
  return conf_codec_outcome(c);
}

conf_outcome conf_l0_result_hint(conf_case *c) {
  vector_case(c, "current.packet.result_hint");
  return conf_codec_outcome(c);
}

conf_outcome conf_l0_frame_submit(conf_case *c) {
  vector_case(c, "current.metadata.frame_submit");
  return conf_codec_outcome(c);
}

conf_outcome conf_l0_result_push(conf_case *c) {
  vector_case(c, "current.metadata.result_push");
  return conf_codec_outcome(c);
}

conf_outcome conf_l0_prelude(conf_case *c) {
  vector_case(c, "current.body_region.prelude");
  /* The layout: the body packer writes this very prelude in front of regions of these sizes. */
  static uint8_t zeros[64], body[256];
  const size_t sizes[NNRP_REGION_COUNT] = {24, 16, 16, 14, 16, 5};
  nnrp_vec regions[NNRP_REGION_COUNT];
  for (int i = 0; i < NNRP_REGION_COUNT; i++) regions[i] = (nnrp_vec){zeros, sizes[i]};
  nnrp_sink s;
  nnrp_sink_init_buffer(&s, body, sizeof(body));
  static cli_vector prelude;
  cli_vec_input in;
  memset(&in, 0, sizeof(in));
  in.type = CLI_VEC_PRELUDE;
  in.prelude = (nnrp_prelude){24, 16, 16, 14, 16, 5, 0, 0};
  if (conf_check_rc(c, nnrp_body_pack(regions, &s), 0,
                    "body packed from regions 24/16/16/14/16/5") &&
      cli_vec_render(&in, &prelude) == 0) {
    conf_check_bytes(c, "packed body's prelude", body, NNRP_PRELUDE_LEN, prelude.bytes,
                     prelude.len);
    conf_check(c, s.total == NNRP_PRELUDE_LEN + 91, "regions follow without padding: %zu bytes",
               s.total);
  }
  return conf_codec_outcome(c);
}

conf_outcome conf_l0_object_reference(conf_case *c) {
  vector_case(c, "current.object_reference.tile_index_block");
  return conf_codec_outcome(c);
}

conf_outcome conf_l0_typed_descriptor(conf_case *c) {
  vector_case(c, "current.typed_payload.descriptor");
  return conf_codec_outcome(c);
}

/* The descriptor region and the frame region describe one set of frames: each is compared
 * with the reference, then the pair is validated, read back and packed again. */
conf_outcome conf_l0_typed_regions(conf_case *c) {
  static const char *const names[2] = {"current.typed_payload.frame_descriptor_region",
                                       "current.typed_payload.frame_region"};
  static conf_recipe r[2];
  static cli_vector ours[2];
  cli_bytes ref[2] = {{NULL, 0}, {NULL, 0}};
  for (int i = 0; i < 2; i++) {
    conf_note(c, "vector %s", names[i]);
    if (render_recipe(c, names[i], &r[i], &ours[i]) != 0 ||
        reference(c, names[i], cli_vec_kind(r[i].in.type), &ref[i]) != 0)
      goto out;
    conf_check_bytes(c, "recipe rendered by libnnrp vs reference", ours[i].bytes, ours[i].len,
                     ref[i].data, ref[i].len);
  }
  nnrp_vec descs = {ref[0].data, ref[0].len}, frames = {ref[1].data, ref[1].len};
  if (!conf_check_rc(c, nnrp_typed_regions_validate(descs, frames, NULL), 0,
                     "reference regions validated as a pair"))
    goto out;
  size_t n = descs.len / NNRP_TYPED_DESC_LEN;
  conf_check(c, n == r[0].in.frame_count, "%zu frames (recipe: %zu)", n, r[0].in.frame_count);
  nnrp_typed_frame parsed[CLI_VEC_MAX_FRAMES];
  for (size_t i = 0; i < n && i < CLI_VEC_MAX_FRAMES && i < r[0].in.frame_count; i++) {
    const nnrp_typed_frame *want = &r[0].in.frames[i];
    nnrp_typed_frame_at(descs, frames, i, &parsed[i]);
    conf_check(c,
               parsed[i].payload_kind == want->payload_kind &&
                   parsed[i].profile_id == want->profile_id &&
                   parsed[i].descriptor_flags == want->descriptor_flags &&
                   parsed[i].payload.len == want->payload.len &&
                   memcmp(parsed[i].payload.base, want->payload.base, want->payload.len) == 0,
               "frame %zu read back: kind 0x%02x profile %u, %zu payload bytes", i,
               parsed[i].payload_kind, parsed[i].profile_id, parsed[i].payload.len);
  }
  if (n == r[0].in.frame_count) {
    static uint8_t d[512], f[512];
    nnrp_sink sd, sf;
    nnrp_sink_init_buffer(&sd, d, sizeof(d));
    nnrp_sink_init_buffer(&sf, f, sizeof(f));
    if (conf_check_rc(c, nnrp_typed_frames_pack(parsed, n, &sd, &sf), 0, "frames packed again")) {
      conf_check_bytes(c, "re-emitted descriptor region", d, sd.total, ref[0].data, ref[0].len);
      conf_check_bytes(c, "re-emitted frame region", f, sf.total, ref[1].data, ref[1].len);
    }
  }
out:
  free(ref[0].data);
  free(ref[1].data);
  return conf_codec_outcome(c);
}
