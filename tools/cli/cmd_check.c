/*
 * nnrp check: many packets, one per line of hex, each decoded on its own as a whole packet
 * (trailing bytes are an error); one verdict line per packet.  Batch validation for test
 * harnesses and for hosts that receive packets from another implementation.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct check_args {
  const char *path;
  nnrp_decode_options opts;
  int json; /* --json: the decoded packet after "ok" */
} check_args;

static int parse_args(int argc, char **argv, check_args *a) {
  memset(a, 0, sizeof(*a));
  a->opts.flags = NNRP_DECODE_EXACT;
  for (int i = 1; i < argc; i++) {
    uint32_t flag = cli_profile_flag(argv[i]);
    if (flag)
      a->opts.flags |= flag;
    else if (strcmp(argv[i], "--json") == 0)
      a->json = 1;
    else if (argv[i][0] == '-' && argv[i][1] != '\0')
      return cli_usage_error("check", "unknown option '%s'", argv[i]);
    else if (a->path)
      return cli_usage_error("check", "more than one input");
    else
      a->path = argv[i];
  }
  return CLI_OK;
}

/* The verdict line of one packet. */
static void check_one(const check_args *a, const char *hex) {
  cli_bytes in;
  size_t bad = 0;
  if (cli_hex_decode(hex, strlen(hex), &in, &bad) != 0) {
    printf("invalid hex at position %zu\n", bad == (size_t)-1 ? strlen(hex) : bad);
    return;
  }
  nnrp_packet p;
  nnrp_diag diag = {0, 0};
  int err = nnrp_packet_decode(&p, in.data, in.len, &a->opts, &diag);
  if (err) {
    printf("error %s %zu\n", nnrp_err_name(err) ? nnrp_err_name(err) : "UNKNOWN", diag.offset);
  } else if (a->json) {
    json_t *obj = cli_packet_to_json(&p);
    char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    if (text)
      printf("ok %s\n", text);
    else
      printf("invalid out of memory\n");
    free(text);
    json_decref(obj);
  } else {
    const char *name = nnrp_msg_type_name(p.header.msg_type);
    printf("ok %s\n", name ? name : "UNKNOWN");
  }
  free(in.data);
}

int cli_cmd_check(int argc, char **argv) {
  check_args a;
  int rc = parse_args(argc, argv, &a);
  if (rc != CLI_OK) return rc;
  int use_stdin = !a.path || strcmp(a.path, "-") == 0;
  FILE *f = use_stdin ? stdin : fopen(a.path, "r");
  if (!f) {
    cli_error("check", "cannot open '%s'", a.path);
    return CLI_FAIL;
  }
  char *buf = NULL;
  size_t cap = 0;
  const char *line;
  while ((line = cli_read_line("check", f, &buf, &cap)) != NULL) {
    check_one(&a, line);
    fflush(stdout);
  }
  int failed = ferror(f) || ferror(stdout);
  if (failed) cli_error("check", "read or write error");
  free(buf);
  if (!use_stdin) fclose(f);
  return failed ? CLI_FAIL : CLI_OK;
}
