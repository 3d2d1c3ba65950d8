/* The per-packet output formats of nnrp inspect: the line, the summary rendering, JSON. */
#include <stdlib.h>
#include <string.h>

#include "cli_tools.h"

#define DEFAULT_PORT 9444

const char cli_inspect_tools_usage[] =
    "\n"
    "  --summary     FRAME_SUBMIT and RESULT_PUSH as the reference's summary line (wire-data\n"
    "                13.2), e.g. subject=frame_submit msg=FRAME_SUBMIT wire=433 meta=72\n"
    "                body=321 tiles=2 sections=2 tile_index=4 camera=214 roles=1,5; other\n"
    "                messages keep their inspect line\n"
    "  --json        one JSON object per line: message_type, session_id, frame_id, wire_bytes,\n"
    "                metadata_bytes, body_bytes and, for FRAME_SUBMIT / RESULT_PUSH, subject,\n"
    "                tile_count, section_count, tile_index_bytes, role_ids, camera_bytes,\n"
    "                result_flags\n"
    "  --subject S   the summary's subject (default frame_submit / result_push)\n"
    "  --pcap FILE   read a pcap or pcapng capture instead: every TCP connection on --port P\n"
    "                (default 9444) is reassembled, both directions, and each NNRP packet is\n"
    "                printed when it completes, after its capture time, connection number\n"
    "                and direction:\n"
    "                  1700000000.000123 conn=1 client->server CLIENT_HELLO session=0 ...\n"
    "                A malformed or unfinished stream is one line\n"
    "                  <time> conn=N <direction> error <ERR_NAME> (<rule>) at offset K: ...\n"
    "                (K counts stream bytes; CAPTURE_GAP: bytes the capture lacks); that\n"
    "                direction stops, the others go on, and the exit status is 1.  With\n"
    "                --json the time, connection, direction and offset lead each object.\n";

/* Remove argv[i] and the n - 1 arguments after it. */
static void drop(int *argc, char **argv, int i, int n) {
  memmove(argv + i, argv + i + n, (size_t)(*argc - i - n + 1) * sizeof(*argv));
  *argc -= n;
}

int cli_inspect_opts_take(int *argc, char **argv, cli_inspect_opts *o) {
  memset(o, 0, sizeof(*o));
  o->port = -1;
  for (int i = 1; i < *argc;) {
    const char *a = argv[i];
    int takes_value =
        strcmp(a, "--subject") == 0 || strcmp(a, "--pcap") == 0 || strcmp(a, "--port") == 0;
    if (takes_value && i + 1 == *argc) return cli_usage_error("inspect", "%s needs an argument", a);
    if (strcmp(a, "--summary") == 0 || strcmp(a, "--json") == 0) {
      cli_inspect_format f = a[2] == 's' ? CLI_INSPECT_SUMMARY : CLI_INSPECT_JSON;
      if (o->format != CLI_INSPECT_LINE && o->format != f)
        return cli_usage_error("inspect", "give either --summary or --json");
      o->format = f;
      drop(argc, argv, i, 1);
    } else if (strcmp(a, "--subject") == 0) {
      o->subject = argv[i + 1];
      drop(argc, argv, i, 2);
    } else if (strcmp(a, "--pcap") == 0) {
      o->pcap = argv[i + 1];
      drop(argc, argv, i, 2);
    } else if (strcmp(a, "--port") == 0) {
      char *end = NULL;
      long port = strtol(argv[i + 1], &end, 10);
      if (!*argv[i + 1] || *end || port < 1 || port > 65535)
        return cli_usage_error("inspect", "--port wants a TCP port (1-65535), not '%s'",
                               argv[i + 1]);
      o->port = port;
      drop(argc, argv, i, 2);
    } else {
      i++;
    }
  }
  if (o->port >= 0 && !o->pcap) return cli_usage_error("inspect", "--port goes with --pcap");
  if (o->port < 0) o->port = DEFAULT_PORT;
  return CLI_OK;
}

static int is_data(const nnrp_packet *p) {
  return p->header.msg_type == NNRP_MSG_FRAME_SUBMIT || p->header.msg_type == NNRP_MSG_RESULT_PUSH;
}

/* "NONE" or the names of the set result flags joined by '|', as the summary renders them. */
static const char *result_flags_text(uint16_t flags, char buf[32]) {
  static const char *const names[3] = {"STALE", "FALLBACK", "PARTIAL"};
  buf[0] = '\0';
  if (!flags) return "NONE";
  for (int i = 0; i < 3; i++)
    if (flags >> i & 1u) {
      if (buf[0]) strcat(buf, "|");
      strcat(buf, names[i]);
    }
  return buf;
}

/* Set a key, taking the reference of the value (a NULL value marks the object failed). */
static int put(json_t *o, const char *key, json_t *v) {
  return v ? json_object_set_new(o, key, v) : -1;
}

json_t *cli_summary_json(const nnrp_packet *p, const nnrp_wire_summary *s) {
  const char *name = nnrp_msg_type_name(p->header.msg_type);
  json_t *o = json_object();
  int bad = !o;
  if (s) bad |= put(o, "subject", json_string(s->subject));
  bad |= put(o, "message_type", json_string(name ? name : "?"));
  bad |= put(o, "session_id", json_integer(p->header.session_id));
  bad |= put(o, "frame_id", json_integer(p->header.frame_id));
  bad |= put(o, "wire_bytes", json_integer((json_int_t)p->packet_len));
  bad |= put(o, "metadata_bytes", json_integer((json_int_t)p->metadata.len));
  bad |= put(o, "body_bytes", json_integer((json_int_t)p->body.len));
  if (s && !bad) {
    json_t *roles = json_array();
    nnrp_section_iter it;
    nnrp_section_view v;
    char flags[32];
    bad |= put(o, "tile_count", json_integer(s->tile_count));
    bad |= put(o, "section_count", json_integer(s->section_count));
    bad |= put(o, "tile_index_bytes", json_integer(s->tile_index_bytes));
    if (roles && s->role_count) {
      nnrp_section_iter_init(&it, s->roles.base, s->roles.len, s->role_count);
      while (nnrp_section_iter_next(&it, &v))
        bad |= json_array_append_new(roles, json_integer(v.desc.role_id));
    }
    bad |= put(o, "role_ids", roles);
    bad |= put(o, "camera_bytes", json_integer(s->camera_bytes));
    bad |= put(o, "result_flags", json_string(result_flags_text(s->result_flags, flags)));
  }
  if (bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

static int print_json(FILE *f, const nnrp_packet *p, const cli_inspect_opts *o, json_t *extra) {
  nnrp_wire_summary s;
  int has_summary = is_data(p) && nnrp_summarize_packet(&s, p, o->subject) == 0;
  json_t *obj = cli_summary_json(p, has_summary ? &s : NULL);
  json_t *out = extra ? json_deep_copy(extra) : json_object();
  if (!obj || !out || json_object_update(out, obj) != 0) {
    json_decref(obj);
    json_decref(out);
    cli_error("inspect", "out of memory");
    return CLI_FAIL;
  }
  json_decref(obj);
  int rc = json_dumpf(out, f, JSON_COMPACT | JSON_PRESERVE_ORDER) == 0 ? CLI_OK : CLI_FAIL;
  json_decref(out);
  fputc('\n', f);
  return rc;
}

int cli_inspect_print(FILE *f, const nnrp_packet *p, const cli_inspect_opts *o, const char *prefix,
                      json_t *extra) {
  if (o->format == CLI_INSPECT_JSON) return print_json(f, p, o, extra);
  if (prefix) fputs(prefix, f);
  nnrp_wire_summary s;
  char line[512];
  if (o->format == CLI_INSPECT_SUMMARY && is_data(p) &&
      nnrp_summarize_packet(&s, p, o->subject) == 0) {
    size_t need = 0;
    int rc = nnrp_render_wire_summary(&s, line, sizeof(line), &need);
    if (rc == NNRP_ERR_BUFFER_TOO_SMALL) {
      /* Only a long --subject or thousands of roles get here. */
      char *big = malloc(need + 1);
      if (!big) {
        cli_error("inspect", "out of memory");
        return CLI_FAIL;
      }
      if (nnrp_render_wire_summary(&s, big, need + 1, NULL) == 0) fputs(big, f);
      free(big);
    } else {
      fputs(line, f);
    }
  } else {
    cli_inspect_line(f, p);
  }
  fputc('\n', f);
  return CLI_OK;
}
