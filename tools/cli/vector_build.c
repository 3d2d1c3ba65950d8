/*
 * Golden vectors from their inputs: each kind of vector of the cross-language manifests
 * (nnrp vectors) and of the conformance suite's recipes (nnrp conformance vectors) is produced
 * here, by one library encoder or builder, so both commands render the same way.
 */
#include <string.h>

#include "cli.h"

static const char *const kinds[] = {
    [CLI_VEC_HEADER] = "header",
    [CLI_VEC_CLIENT_HELLO] = "metadata",
    [CLI_VEC_SESSION_PATCH_ACK] = "metadata",
    [CLI_VEC_FLOW_UPDATE] = "packet",
    [CLI_VEC_RESULT_HINT] = "packet",
    [CLI_VEC_FRAME_SUBMIT_META] = "metadata",
    [CLI_VEC_RESULT_PUSH_META] = "metadata",
    [CLI_VEC_PRELUDE] = "body_region",
    [CLI_VEC_OBJECT_REF] = "object_reference",
    [CLI_VEC_TYPED_DESC] = "typed_payload_descriptor",
    [CLI_VEC_TYPED_DESC_REGION] = "typed_payload_descriptor_region",
    [CLI_VEC_TYPED_FRAME_REGION] = "typed_payload_frame_region",
};

const char *cli_vec_kind(cli_vec_type type) {
  return (unsigned)type < sizeof(kinds) / sizeof(kinds[0]) ? kinds[type] : NULL;
}

/* A packet builder's sink result: the length written, or its error. */
static int built(cli_vector *out, const nnrp_sink *s, int rc) {
  out->len = rc == 0 ? s->total : 0;
  return rc;
}

int cli_vec_render(const cli_vec_input *in, cli_vector *out) {
  uint8_t *b = out->bytes;
  nnrp_sink s, other;
  int rc;

  out->len = 0;
  nnrp_sink_init_buffer(&s, b, sizeof(out->bytes));
  switch (in->type) {
    case CLI_VEC_HEADER:
      if ((rc = nnrp_header_encode(&in->header, b)) == 0) out->len = NNRP_HEADER_LEN;
      return rc;
    case CLI_VEC_CLIENT_HELLO:
      rc = nnrp_client_hello_meta_encode(&in->meta.client_hello, b);
      if (rc == 0) out->len = NNRP_CLIENT_HELLO_META_LEN;
      return rc;
    case CLI_VEC_SESSION_PATCH_ACK:
      rc = nnrp_session_patch_ack_meta_encode(&in->meta.session_patch_ack, b);
      if (rc == 0) out->len = NNRP_SESSION_PATCH_ACK_META_LEN;
      return rc;
    case CLI_VEC_FLOW_UPDATE:
      return built(out, &s, nnrp_build_flow_update(&in->packet, &in->meta.flow_update, &s));
    case CLI_VEC_RESULT_HINT:
      return built(out, &s, nnrp_build_result_hint(&in->packet, &in->meta.result_hint, &s));
    case CLI_VEC_FRAME_SUBMIT_META:
      rc = nnrp_frame_submit_meta_encode(&in->meta.frame_submit, b);
      if (rc == 0) out->len = NNRP_FRAME_SUBMIT_META_LEN;
      return rc;
    case CLI_VEC_RESULT_PUSH_META:
      rc = nnrp_result_push_meta_encode(&in->meta.result_push, b);
      if (rc == 0) out->len = NNRP_RESULT_PUSH_META_LEN;
      return rc;
    case CLI_VEC_PRELUDE:
      nnrp_prelude_encode(&in->prelude, b);
      out->len = NNRP_PRELUDE_LEN;
      return 0;
    case CLI_VEC_OBJECT_REF:
      nnrp_object_ref_encode(&in->ref, b);
      out->len = NNRP_OBJECT_REF_LEN;
      return 0;
    case CLI_VEC_TYPED_DESC:
      nnrp_typed_desc_encode(&in->desc, b);
      out->len = NNRP_TYPED_DESC_LEN;
      return 0;
    case CLI_VEC_TYPED_DESC_REGION:
      /* Both regions come from one packing; the other one is only counted. */
      nnrp_sink_init_count(&other);
      return built(out, &s, nnrp_typed_frames_pack(in->frames, in->frame_count, &s, &other));
    case CLI_VEC_TYPED_FRAME_REGION:
      nnrp_sink_init_count(&other);
      return built(out, &s, nnrp_typed_frames_pack(in->frames, in->frame_count, &other, &s));
  }
  return NNRP_ERR_INVALID_ARGUMENT;
}
