/* nnrp inspect: one readable line per packet. */
#include <stdlib.h>
#include <string.h>

#include "cli_tools.h"

/* Name of value v in a table of names, or its number. */
static const char *enum_name(const char *const *names, size_t n, unsigned v, char buf[16]) {
  if (v < n && names[v]) return names[v];
  snprintf(buf, 16, "%u", v);
  return buf;
}
#define ENUM(names, v, buf) enum_name(names, sizeof(names) / sizeof(names[0]), (v), (buf))

/* "A|B" names of the set bits, 0x.. for bits without a name, NONE when no bit is set. */
static void print_bits(FILE *f, const char *const *names, size_t n, uint32_t bits) {
  const char *sep = "";
  if (!bits) fputs("NONE", f);
  for (size_t i = 0; i < n && i < 32; i++)
    if (bits >> i & 1u) {
      fprintf(f, "%s%s", sep, names[i]);
      sep = "|";
      bits &= ~(1u << i);
    }
  if (bits) fprintf(f, "%s0x%x", sep, bits);
}
#define BITS(f, names, v) print_bits(f, names, sizeof(names) / sizeof(names[0]), (v))

static const char *const header_flags[] = {"ACK_REQUIRED", "CAN_DROP",   "STALE",
                                           "EOS",          "RETRANSMIT", "KEYFRAME"};
static const char *const payload_kinds[] = {"tensor",      "token_chunk",      "audio_chunk",
                                            "video_chunk", "structured_event", "tool_delta",
                                            "opaque_bytes"};
static const char *const result_flags[] = {"STALE", "FALLBACK", "PARTIAL"};
static const char *const result_classes[] = {"complete", "partial", "stale_reuse", "degraded"};
static const char *const submit_modes[] = {"inline", "reference", "mixed"};
static const char *const families[] = {"empty", "legacy", "region"};
static const char *const scopes[] = {"connection", "session", "frame"};
static const char *const flow_scopes[] = {"connection", "session", "operation"};
static const char *const flow_reasons[] = {"grant", "reduce", "pause", "resume", "congestion"};
static const char *const backpressure[] = {"none", "soft", "hard"};
static const char *const hint_policies[] = {"none", "full", "partial", "stale_reuse", "drop"};
static const char *const congestion[] = {"none", "steady", "elevated", "saturated"};
static const char *const hint_reasons[] = {"none", "queue_full", "server_busy", "budget_exceeded",
                                           "superseded"};
static const char *const patch_status[] = {"accepted", "partially_applied", "rejected"};
static const char *const cache_status[] = {"accepted", "rejected", "replaced"};
static const char *const cache_scopes[] = {"whole_session", "namespace", "object_kind",
                                           "object_key"};
static const char *const transports[] = {"unspecified", "quic", "tcp"};
static const char *const object_kinds[] = {
    NULL,          "camera_block",           "tile_index_block",        "tensor_section_table",
    "codec_table", "reusable_result_object", "payload_layout_template", "prompt_segment",
    "tool_schema", "structured_event_schema"};

/* Text bytes, quoted, with anything unprintable escaped. */
static void print_text(FILE *f, nnrp_vec v) {
  fputc('"', f);
  for (size_t i = 0; i < v.len; i++) {
    uint8_t c = v.base[i];
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c >= 0x20 && c < 0x7F)
      fputc(c, f);
    else
      fprintf(f, "\\x%02x", c);
  }
  fputc('"', f);
}

static void print_roles(FILE *f, const nnrp_data_body *b) {
  nnrp_section_iter it;
  nnrp_section_view s;
  const char *sep = "";
  fputs(" roles=", f);
  if (b->section_count == 0 ||
      !(b->family == NNRP_BODY_LEGACY || (b->present & NNRP_DATA_HAS_SECTION_TABLE))) {
    fputs("-", f);
    return;
  }
  nnrp_section_iter_init(&it, b->sections.base, b->sections.len, b->section_count);
  while (nnrp_section_iter_next(&it, &s)) {
    fprintf(f, "%s%u", sep, s.desc.role_id);
    sep = ",";
  }
}

static void print_data(FILE *f, const nnrp_packet *p) {
  const nnrp_data_body *b = &p->data;
  char n1[16];
  uint32_t kinds;
  unsigned frames;
  if (p->header.msg_type == NNRP_MSG_FRAME_SUBMIT) {
    const nnrp_frame_submit_meta *m = &p->meta.frame_submit;
    fprintf(f, " tiles=%u sections=%u", m->tile_count, m->section_count);
    print_roles(f, b);
    if (m->submit_mode != NNRP_SUBMIT_INLINE)
      fprintf(f, " submit=%s refs=0x%x", ENUM(submit_modes, m->submit_mode, n1),
              m->object_ref_mask);
    kinds = m->payload_kind_bitmap;
    frames = m->payload_frame_count;
  } else {
    const nnrp_result_push_meta *m = &p->meta.result_push;
    fprintf(f, " tiles=%u sections=%u", m->tile_count, m->section_count);
    print_roles(f, b);
    fprintf(f, " class=%s covered=%u dropped=%u result_flags=",
            ENUM(result_classes, m->result_class, n1), m->covered_tile_count,
            m->dropped_tile_count);
    BITS(f, result_flags, m->result_flags);
    if (m->reused_frame_id) fprintf(f, " reused=%u", m->reused_frame_id);
    kinds = m->payload_kind_bitmap;
    frames = m->payload_frame_count;
  }
  if (kinds != NNRP_PAYLOAD_TENSOR || frames) {
    fputs(" kinds=", f);
    BITS(f, payload_kinds, kinds);
    fprintf(f, " frames=%u", frames);
  }
  if (b->family == NNRP_BODY_REGION)
    fprintf(f, " objects=%zu references=%zu extensions=%zu", b->inline_object_count,
            b->reference_count,
            b->regions[NNRP_REGION_EXT_DESCRIPTORS].len / NNRP_EXT_FRAME_DESC_LEN);
  fprintf(f, " family=%s", ENUM(families, (unsigned)b->family, n1));
}

static void print_control(FILE *f, const nnrp_packet *p) {
  const nnrp_meta *m = &p->meta;
  char n1[16], n2[16], n3[16];
  switch (p->header.msg_type) {
    case NNRP_MSG_CLIENT_HELLO:
      fprintf(f, " requested_session=%u extensions=%zu auth=%zu",
              m->client_hello.requested_session_id, p->hello.extension_count, p->hello.auth.len);
      break;
    case NNRP_MSG_SERVER_HELLO_ACK:
      fprintf(f, " assigned_session=%u auth_status=%u extensions=%zu",
              m->server_hello_ack.session_id, m->server_hello_ack.auth_status,
              p->hello.extension_count);
      break;
    case NNRP_MSG_SESSION_PATCH:
      fprintf(f, " profile=%u mask=0x%x patch=%s", m->session_patch.profile_id,
              m->session_patch.patch_mask, p->has_profile_patch ? "yes" : "no");
      break;
    case NNRP_MSG_SESSION_PATCH_ACK:
      fprintf(f, " status=%s reason=%u applied=0x%x rejected=0x%x patch=%s",
              ENUM(patch_status, m->session_patch_ack.ack_status, n1),
              m->session_patch_ack.reject_reason, m->session_patch_ack.applied_patch_mask,
              m->session_patch_ack.rejected_patch_mask, p->has_profile_patch ? "yes" : "no");
      break;
    case NNRP_MSG_CLOSE:
      fputs(" reason=", f);
      print_text(f, p->body);
      break;
    case NNRP_MSG_ERROR: {
      const char *code = nnrp_error_code_name(m->error.error_code);
      fprintf(f, " code=%s scope=%s fatal=%u retry_after=%u text=", code ? code : "?",
              ENUM(scopes, m->error.error_scope, n1), m->error.is_fatal, m->error.retry_after_ms);
      print_text(f, p->body);
      break;
    }
    case NNRP_MSG_CACHE_PUT:
      fprintf(f, " namespace=%u key=%08x%08x kind=%s object=%u ttl=%u",
              m->cache_put.cache_namespace, m->cache_put.cache_key_hi, m->cache_put.cache_key_lo,
              ENUM(object_kinds, m->cache_put.object_kind, n1), m->cache_put.object_bytes,
              m->cache_put.ttl_ms);
      break;
    case NNRP_MSG_CACHE_ACK:
      fprintf(f, " namespace=%u key=%08x%08x status=%s", m->cache_ack.cache_namespace,
              m->cache_ack.cache_key_hi, m->cache_ack.cache_key_lo,
              ENUM(cache_status, m->cache_ack.status, n1));
      break;
    case NNRP_MSG_CACHE_INVALIDATE:
      fprintf(f, " scope=%s namespace=%u key=%08x%08x reason=%u",
              ENUM(cache_scopes, m->cache_invalidate.invalidate_scope, n1),
              m->cache_invalidate.cache_namespace, m->cache_invalidate.cache_key_hi,
              m->cache_invalidate.cache_key_lo, m->cache_invalidate.reason_code);
      break;
    case NNRP_MSG_FLOW_UPDATE: {
      const nnrp_flow_update_meta *u = &m->flow_update;
      fprintf(f,
              " scope=%s reason=%s backpressure=%s credits=%u/%u/%u operation=%llu epoch=%u"
              " retry_after=%u flow_flags=0x%x",
              ENUM(flow_scopes, u->scope_kind, n1), ENUM(flow_reasons, u->update_reason, n2),
              ENUM(backpressure, u->backpressure_level, n3), u->connection_credit,
              u->session_credit, u->operation_credit, (unsigned long long)u->operation_id,
              u->credit_epoch, u->retry_after_ms, u->flags);
      break;
    }
    case NNRP_MSG_RESULT_HINT:
      fprintf(f, " policy=%s congestion=%s reason=%s retry_after=%u",
              ENUM(hint_policies, m->result_hint.applied_budget_policy, n1),
              ENUM(congestion, m->result_hint.congestion_state, n2),
              ENUM(hint_reasons, m->result_hint.reason, n3), m->result_hint.retry_after_ms);
      break;
    case NNRP_MSG_TRANSPORT_PROBE:
      fprintf(f, " probe=%u padding=%u sent_us=%llu", m->transport_probe.probe_id,
              m->transport_probe.probe_payload_bytes,
              (unsigned long long)m->transport_probe.client_send_ts_us);
      break;
    case NNRP_MSG_TRANSPORT_PROBE_ACK:
      fprintf(f, " probe=%u received_us=%llu", m->transport_probe_ack.probe_id,
              (unsigned long long)m->transport_probe_ack.server_recv_ts_us);
      break;
    case NNRP_MSG_SESSION_MIGRATE:
      fprintf(f, " from=%s to=%s last_result=%llu",
              ENUM(transports, m->session_migrate.old_transport_id, n1),
              ENUM(transports, m->session_migrate.new_transport_id, n2),
              (unsigned long long)m->session_migrate.last_result_frame_id);
      break;
    case NNRP_MSG_SESSION_MIGRATE_ACK:
      fprintf(f, " accept=%u resume_from=%llu grace=%u", m->session_migrate_ack.accept_code,
              (unsigned long long)m->session_migrate_ack.resume_from_frame_id,
              m->session_migrate_ack.grace_window_ms);
      break;
    default: /* header-only messages: the header says it all */
      break;
  }
}

void cli_inspect_line(FILE *f, const nnrp_packet *p) {
  const nnrp_header *h = &p->header;
  fprintf(f, "%s session=%u frame=%u view=%u meta=%u body=%u", nnrp_msg_type_name(h->msg_type),
          h->session_id, h->frame_id, h->view_id, h->meta_len, h->body_len);
  if (h->msg_type == NNRP_MSG_FRAME_SUBMIT || h->msg_type == NNRP_MSG_RESULT_PUSH)
    print_data(f, p);
  else
    print_control(f, p);
  if (h->flags) {
    fputs(" flags=", f);
    BITS(f, header_flags, h->flags);
  }
}

static int print_line(const nnrp_packet *p, void *ctx) {
  return cli_inspect_print(stdout, p, ctx, NULL, NULL);
}

int cli_cmd_inspect(int argc, char **argv) {
  cli_inspect_opts o;
  cli_decode_args args;
  int rc = cli_inspect_opts_take(&argc, argv, &o);
  if (rc == CLI_OK) rc = cli_decode_args_parse("inspect", argc, argv, 0, &args);
  if (rc != CLI_OK) return rc;
  if (o.pcap && (args.hex || args.path))
    return cli_usage_error("inspect", "--pcap replaces the packet input");
  /* The lines of the packets before an invalid one are printed: they are valid. */
  if (o.pcap)
    rc = cli_pcap_inspect(&o, &args.opts);
  else
    rc = cli_decode_each("inspect", &args, print_line, &o);
  if (fflush(stdout) != 0 && rc == CLI_OK) {
    cli_error("inspect", "write failed");
    rc = CLI_FAIL;
  }
  return rc;
}
