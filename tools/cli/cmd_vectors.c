/*
 * nnrp vectors: the cross-language golden-vector manifest (schema
 * nnrp.cross-language-golden-vectors.v1), every vector produced by libnnrp's own encoders from
 * the inputs of wire-control §12.1 and wire-data §16.1; or, with --check, a comparison of
 * another implementation's manifest with ours.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define SCHEMA "nnrp.cross-language-golden-vectors.v1"
#define VECTOR_COUNT 12

typedef cli_vector vector;

static const char *const allowed_kinds[] = {"header",
                                            "metadata",
                                            "packet",
                                            "body_region",
                                            "object_reference",
                                            "typed_payload_descriptor",
                                            "typed_payload_descriptor_region",
                                            "typed_payload_frame_region"};

static nnrp_vec text_vec(const char *s) {
  return (nnrp_vec){(const uint8_t *)s, strlen(s)};
}

/* Render the next vector from `in` (its kind follows from in->type). */
static int add(vector *v, size_t *n, const char *name, const char *description,
               const cli_vec_input *in) {
  vector *x = &v[(*n)++];
  x->name = name;
  x->kind = cli_vec_kind(in->type);
  x->description = description;
  return cli_vec_render(in, x);
}

/* The 12 vectors, in the order of the reference manifest.  0 or the failing library error. */
static int build_vectors(vector *v, const char **failed) {
  size_t n = 0;
  cli_vec_input in;
  int rc;

  memset(&in, 0, sizeof(in));
  in.type = CLI_VEC_HEADER;
  in.header = (nnrp_header){.version_major = 1,
                            .wire_format = 0,
                            .msg_type = NNRP_MSG_FRAME_SUBMIT,
                            .header_len = NNRP_HEADER_LEN,
                            .flags = NNRP_FLAG_ACK_REQUIRED | NNRP_FLAG_KEYFRAME,
                            .meta_len = 48,
                            .body_len = 4096,
                            .session_id = 7,
                            .frame_id = 11,
                            .view_id = 2,
                            .route_id = 0,
                            .trace_id = 123456789};
  if ((rc = add(v, &n, "current.header.frame_submit_ack_required_keyframe",
                "current FRAME_SUBMIT header golden vector", &in)) != 0)
    goto fail;

  memset(&in, 0, sizeof(in));
  in.type = CLI_VEC_CLIENT_HELLO;
  in.meta.client_hello = (nnrp_client_hello_meta){.min_version_major = 1,
                                                  .max_version_major = 1,
                                                  .supported_wire_format_bitmap = 0x1,
                                                  .supported_profile_bitmap = 0x1,
                                                  .supported_payload_kind_bitmap =
                                                      NNRP_PAYLOAD_TENSOR,
                                                  .supported_codec_bitmap = 0x7,
                                                  .supported_compression_bitmap = 0x3,
                                                  .supported_dtype_bitmap = 0x1F,
                                                  .supported_layout_bitmap = 0x3,
                                                  .cache_digest_bitmap = 0x1,
                                                  .cache_object_bitmap = 0x7,
                                                  .cache_namespace_count = 4,
                                                  .max_lane_count = 2,
                                                  .max_cache_entries = 256,
                                                  .max_cache_bytes = 8388608,
                                                  .target_cadence_x100 = 6000,
                                                  .latency_budget_ms = 100,
                                                  .quality_tier = 2,
                                                  .degrade_policy = 2,
                                                  .requested_session_id = 0,
                                                  .auth_bytes = 96,
                                                  .control_extension_bytes = 0};
  if ((rc = add(v, &n, "current.metadata.client_hello",
                "current CLIENT_HELLO fixed metadata golden vector", &in)) != 0)
    goto fail;

  memset(&in, 0, sizeof(in));
  in.type = CLI_VEC_SESSION_PATCH_ACK;
  in.meta.session_patch_ack = (nnrp_session_patch_ack_meta){
      .ack_status = NNRP_PATCH_PARTIALLY_APPLIED,
      .reject_reason = 3,
      .applied_patch_mask =
          NNRP_PATCH_TARGET_CADENCE | NNRP_PATCH_QUALITY_TIER | NNRP_PATCH_ACTIVE_LANE_MASK,
      .rejected_patch_mask = NNRP_PATCH_PREFERRED_CODEC,
      .retry_after_ms = 0,
      .effective_profile_id = 1,
      .effective_target_cadence_x100 = 9000,
      .effective_quality_tier = 2,
      .effective_degrade_policy = 2,
      .effective_lane_mask = 3,
      .effective_codec_bitmap = 0x1,
      .effective_compression_bitmap = 0x3,
      .profile_patch_ack_bytes = 0};
  if ((rc = add(v, &n, "current.metadata.session_patch_ack",
                "current SESSION_PATCH_ACK fixed metadata golden vector", &in)) != 0)
    goto fail;

  memset(&in, 0, sizeof(in));
  in.type = CLI_VEC_FLOW_UPDATE;
  in.packet = (nnrp_packet_params){.session_id = 21, .route_id = 6, .trace_id = 13};
  in.meta.flow_update =
      (nnrp_flow_update_meta){.scope_kind = NNRP_FLOW_SCOPE_SESSION,
                              .update_reason = NNRP_FLOW_CONGESTION,
                              .backpressure_level = NNRP_BACKPRESSURE_HARD,
                              .session_credit = 1,
                              .retry_after_ms = 40,
                              .credit_epoch = 5,
                              .flags = NNRP_FLOW_CREDIT_VALID | NNRP_FLOW_RETRY_AFTER_VALID};
  if ((rc = add(v, &n, "current.packet.flow_update", "current FLOW_UPDATE packet golden vector",
                &in)) != 0)
    goto fail;

  memset(&in, 0, sizeof(in));
  in.type = CLI_VEC_RESULT_HINT;
  in.packet = (nnrp_packet_params){.session_id = 21, .frame_id = 303, .route_id = 7, .trace_id = 14};
  in.meta.result_hint = (nnrp_result_hint_meta){
      .applied_budget_policy = 3, .congestion_state = 3, .reason = 3, .retry_after_ms = 60};
  if ((rc = add(v, &n, "current.packet.result_hint", "current RESULT_HINT packet golden vector",
                &in)) != 0)
    goto fail;

  memset(&in, 0, sizeof(in));
  in.type = CLI_VEC_FRAME_SUBMIT_META;
  nnrp_frame_submit_meta *submit = &in.meta.frame_submit;
  nnrp_frame_submit_meta_init(submit);
  submit->src_width = 640, submit->src_height = 360, submit->tile_width = 32;
  submit->tile_height = 32, submit->tile_count = 84, submit->section_count = 2;
  submit->frame_class = NNRP_FRAME_DELTA, submit->input_profile = NNRP_INPUT_DENSE_LUMA_FRAME;
  submit->tile_index_mode = NNRP_TILE_DENSE_RANGE;
  submit->latency_budget_ms = 100, submit->target_fps_x100 = 6000, submit->retry_of_frame = 7;
  submit->tile_base_id = 0, submit->camera_bytes = 192, submit->tile_index_bytes = 0;
  submit->submit_mode = NNRP_SUBMIT_MIXED;
  submit->budget_policy = NNRP_BUDGET_ALLOW_PARTIAL | NNRP_BUDGET_ALLOW_DEGRADED;
  submit->loss_tolerance_policy = NNRP_LOSS_INHERIT;
  submit->object_ref_mask = NNRP_REF_CAMERA_BLOCK | NNRP_REF_TILE_INDEX_BLOCK;
  submit->dependency_frame_id = 41;
  submit->payload_kind_bitmap = NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_STRUCTURED_EVENT;
  submit->payload_frame_count = 2;
  if ((rc = add(v, &n, "current.metadata.frame_submit",
                "current FRAME_SUBMIT metadata golden vector", &in)) != 0)
    goto fail;

  memset(&in, 0, sizeof(in));
  in.type = CLI_VEC_RESULT_PUSH_META;
  nnrp_result_push_meta *result = &in.meta.result_push;
  nnrp_result_push_meta_init(result);
  result->status_code = 0, result->result_flags = NNRP_RESULT_FLAG_PARTIAL;
  result->section_count = 1, result->tile_count = 84, result->active_profile_id = 2;
  result->inference_ms = 843, result->queue_ms = 2, result->server_total_ms = 846;
  result->tile_base_id = 0, result->tile_index_bytes = 16;
  result->result_class = NNRP_RESULT_PARTIAL;
  result->applied_budget_policy = NNRP_BUDGET_ALLOW_PARTIAL, result->reused_frame_id = 41;
  result->covered_tile_count = 53, result->dropped_tile_count = 31;
  result->payload_kind_bitmap = NNRP_PAYLOAD_TENSOR | NNRP_PAYLOAD_TOKEN_CHUNK;
  result->payload_frame_count = 3;
  if ((rc = add(v, &n, "current.metadata.result_push",
                "current RESULT_PUSH metadata golden vector", &in)) != 0)
    goto fail;

  memset(&in, 0, sizeof(in));
  in.type = CLI_VEC_PRELUDE;
  in.prelude = (nnrp_prelude){.inline_object_bytes = 24,
                              .object_reference_bytes = 16,
                              .typed_payload_descriptor_bytes = 16,
                              .typed_payload_frame_bytes = 14,
                              .extension_descriptor_bytes = 16,
                              .extension_payload_bytes = 5};
  if ((rc = add(v, &n, "current.body_region.prelude", "current body region prelude golden vector",
                &in)) != 0)
    goto fail;

  memset(&in, 0, sizeof(in));
  in.type = CLI_VEC_OBJECT_REF;
  in.ref = (nnrp_object_ref){.object_kind = NNRP_OBJECT_TILE_INDEX_BLOCK,
                             .cache_namespace = 7,
                             .cache_key_hi = 0x11223344,
                             .cache_key_lo = 0x55667788};
  if ((rc = add(v, &n, "current.object_reference.tile_index_block",
                "current TILE_INDEX_BLOCK reference golden vector", &in)) != 0)
    goto fail;

  memset(&in, 0, sizeof(in));
  in.type = CLI_VEC_TYPED_DESC;
  in.desc = (nnrp_typed_desc){.payload_kind = NNRP_PAYLOAD_STRUCTURED_EVENT,
                              .profile_id = 3,
                              .payload_offset = 4,
                              .payload_length = 7};
  if ((rc = add(v, &n, "current.typed_payload.descriptor",
                "current typed-payload descriptor golden vector", &in)) != 0)
    goto fail;

  memset(&in, 0, sizeof(in));
  const nnrp_typed_frame frames[4] = {{NNRP_PAYLOAD_TOKEN_CHUNK, 0, 1, text_vec("tok")},
                                      {NNRP_PAYLOAD_AUDIO_CHUNK, 0, 2, text_vec("au")},
                                      {NNRP_PAYLOAD_VIDEO_CHUNK, 0, 3, text_vec("video")},
                                      {NNRP_PAYLOAD_STRUCTURED_EVENT, 0, 4, text_vec("evt")}};
  memcpy(in.frames, frames, sizeof(frames));
  in.frame_count = 4;
  in.type = CLI_VEC_TYPED_DESC_REGION;
  if ((rc = add(v, &n, "current.typed_payload.frame_descriptor_region",
                "current typed-payload descriptor region for token/audio/video/event frames",
                &in)) != 0)
    goto fail;
  in.type = CLI_VEC_TYPED_FRAME_REGION;
  if ((rc = add(v, &n, "current.typed_payload.frame_region",
                "current typed-payload frame region for token/audio/video/event frames", &in)) !=
      0)
    goto fail;
  return 0;

fail:
  *failed = v[n - 1].name;
  return rc;
}

static json_t *manifest_json(const vector *v, size_t n) {
  json_t *root = json_object(), *list = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(v[i].name));
    json_object_set_new(o, "kind", json_string(v[i].kind));
    json_object_set_new(o, "hex", cli_json_hex((nnrp_vec){v[i].bytes, v[i].len}));
    json_object_set_new(o, "bytes", json_integer((json_int_t)v[i].len));
    json_object_set_new(o, "description", json_string(v[i].description));
    json_array_append_new(list, o);
  }
  json_object_set_new(root, "schema", json_string(SCHEMA));
  json_object_set_new(root, "vectors", list);
  return root;
}

/* Schema rules of a manifest (those of the reference parser, hex lower-case). */
static int check_manifest(const char *file, json_t *root) {
  json_t *list = json_object_get(root, "vectors");
  if (!json_is_object(root) || !json_is_string(json_object_get(root, "schema")) ||
      strcmp(json_string_value(json_object_get(root, "schema")), SCHEMA) != 0) {
    cli_error("vectors", "%s: not a manifest of schema %s", file, SCHEMA);
    return CLI_FAIL;
  }
  if (!json_is_array(list)) {
    cli_error("vectors", "%s: \"vectors\" must be a list", file);
    return CLI_FAIL;
  }
  for (size_t i = 0; i < json_array_size(list); i++) {
    json_t *e = json_array_get(list, i);
    json_t *name = json_object_get(e, "name"), *kind = json_object_get(e, "kind");
    json_t *hex = json_object_get(e, "hex"), *bytes = json_object_get(e, "bytes");
    json_t *description = json_object_get(e, "description");
    const char *problem = NULL;
    if (!json_is_object(e))
      problem = "is not an object";
    else if (!json_is_string(name))
      problem = "has no string \"name\"";
    else if (!json_is_string(kind))
      problem = "has no string \"kind\"";
    else if (!json_is_string(hex))
      problem = "has no string \"hex\"";
    else if (description && !json_is_string(description))
      problem = "has a non-string description";
    if (!problem) {
      size_t k = 0, nk = sizeof(allowed_kinds) / sizeof(allowed_kinds[0]);
      while (k < nk && strcmp(allowed_kinds[k], json_string_value(kind)) != 0) k++;
      const char *h = json_string_value(hex);
      size_t len = json_string_length(hex);
      if (k == nk)
        problem = "has an unknown kind";
      else if (len % 2)
        problem = "has an odd number of hex digits";
      else if (strspn(h, "0123456789abcdef") != len)
        problem = "has hex that is not lower-case hex";
      else if (bytes && (!json_is_integer(bytes) || (size_t)json_integer_value(bytes) != len / 2))
        problem = "has \"bytes\" different from its hex length";
      for (size_t k2 = 0; !problem && k2 < i; k2++)
        if (json_equal(json_object_get(json_array_get(list, k2), "name"), name))
          problem = "repeats a name";
    }
    if (problem) {
      cli_error("vectors", "%s: vector %zu%s%s%s %s", file, i,
                name && json_is_string(name) ? " (" : "",
                name && json_is_string(name) ? json_string_value(name) : "",
                name && json_is_string(name) ? ")" : "", problem);
      return CLI_FAIL;
    }
  }
  return CLI_OK;
}

/* Every difference between their manifest and ours, one line each on stdout. */
static size_t compare(json_t *root, const vector *v, size_t n) {
  json_t *list = json_object_get(root, "vectors");
  size_t differences = 0;
  for (size_t i = 0; i < n; i++) {
    json_t *theirs = NULL;
    for (size_t k = 0; !theirs && k < json_array_size(list); k++)
      if (strcmp(json_string_value(json_object_get(json_array_get(list, k), "name")), v[i].name) ==
          0)
        theirs = json_array_get(list, k);
    if (!theirs) {
      printf("missing %s\n", v[i].name);
      differences++;
      continue;
    }
    const char *kind = json_string_value(json_object_get(theirs, "kind"));
    const char *hex = json_string_value(json_object_get(theirs, "hex"));
    char *ours = cli_hex_encode(v[i].bytes, v[i].len);
    if (strcmp(kind, v[i].kind) != 0) {
      printf("different kind %s: %s, libnnrp has %s\n", v[i].name, kind, v[i].kind);
      differences++;
    }
    if (ours && strcmp(hex, ours) != 0) {
      size_t at = 0;
      while (hex[at] && hex[at] == ours[at]) at++;
      printf("different hex %s: first difference at byte %zu (%zu bytes, libnnrp has %zu)\n",
             v[i].name, at / 2, strlen(hex) / 2, v[i].len);
      differences++;
    }
    free(ours);
  }
  for (size_t k = 0; k < json_array_size(list); k++) {
    const char *name = json_string_value(json_object_get(json_array_get(list, k), "name"));
    size_t i = 0;
    while (i < n && strcmp(v[i].name, name) != 0) i++;
    if (i == n) {
      printf("extra %s\n", name);
      differences++;
    }
  }
  return differences;
}

int cli_cmd_vectors(int argc, char **argv) {
  const char *check = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--check") == 0) {
      if (++i == argc) return cli_usage_error("vectors", "--check needs a file");
      check = argv[i];
    } else {
      return cli_usage_error("vectors", "unexpected argument '%s'", argv[i]);
    }
  }

  vector v[VECTOR_COUNT];
  const char *failed = NULL;
  int err = build_vectors(v, &failed);
  if (err != 0) {
    char prefix[128];
    snprintf(prefix, sizeof(prefix), "%s: ", failed);
    cli_lib_error("vectors", prefix, err, -1);
    return CLI_FAIL;
  }

  if (!check) {
    json_t *root = manifest_json(v, VECTOR_COUNT);
    /* The reference renders with 2-space indentation and sorted keys, plus a final newline. */
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(root);
    if (!text) {
      cli_error("vectors", "out of memory");
      return CLI_FAIL;
    }
    int rc = cli_write("vectors", stdout, text, strlen(text));
    if (rc == CLI_OK) rc = cli_write("vectors", stdout, "\n", 1);
    free(text);
    return rc;
  }

  cli_bytes text;
  if (cli_read_file("vectors", check, &text) != CLI_OK) return CLI_FAIL;
  json_error_t jerr;
  json_t *root = json_loadb((const char *)text.data, text.len, 0, &jerr);
  free(text.data);
  if (!root) {
    cli_error("vectors", "%s: invalid JSON at line %d column %d: %s", check, jerr.line, jerr.column,
              jerr.text);
    return CLI_FAIL;
  }
  int rc = check_manifest(check, root);
  if (rc == CLI_OK) {
    size_t differences = compare(root, v, VECTOR_COUNT);
    if (differences) {
      fflush(stdout);
      cli_error("vectors", "%s: %zu difference%s from libnnrp's vectors", check, differences,
                differences == 1 ? "" : "s");
      rc = CLI_FAIL;
    } else {
      printf("%s: all %d vectors match\n", check, VECTOR_COUNT);
    }
  }
  json_decref(root);
  return rc;
}
