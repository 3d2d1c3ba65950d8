/*
 * nnrp compare A B: the wire size of the FRAME_SUBMIT / RESULT_PUSH packet in file A against
 * the bytes of the same content in another encoding, file B (for example a protobuf message),
 * rendered as the reference's size comparison line (wire-data §13.2).  Only B's length counts.
 */
#include <stdlib.h>
#include <string.h>

#include "cli_tools.h"

const char cli_compare_usage[] =
    "usage: nnrp compare PACKET OTHER [--label L] [--subject S] [--py-compat] [--cs-dialect]\n"
    "                    [--strict-c6]\n"
    "\n"
    "PACKET holds one FRAME_SUBMIT or RESULT_PUSH packet, OTHER the same content in another\n"
    "encoding (a protobuf message, say; only its length counts; - is standard input).  Prints\n"
    "the reference's size comparison line (wire-data 13.2):\n"
    "  reference_label=protobuf reference=512 current=433 delta=-79 current_ratio=84.57%\n"
    "  subject=frame_submit msg=FRAME_SUBMIT wire=433 ...\n"
    "(one line).  --label names the other encoding (default protobuf); current_ratio is n/a\n"
    "when OTHER is empty.\n";

typedef struct compare_args {
  const char *packet;
  const char *reference;
  const char *label;
  const char *subject;
  nnrp_decode_options opts;
} compare_args;

static int parse_args(int argc, char **argv, compare_args *a) {
  memset(a, 0, sizeof(*a));
  a->opts.flags = NNRP_DECODE_EXACT;
  for (int i = 1; i < argc; i++) {
    uint32_t flag = cli_profile_flag(argv[i]);
    if (flag) {
      a->opts.flags |= flag;
    } else if (strcmp(argv[i], "--label") == 0 || strcmp(argv[i], "--subject") == 0) {
      if (i + 1 == argc) return cli_usage_error("compare", "%s needs an argument", argv[i]);
      *(argv[i][2] == 'l' ? &a->label : &a->subject) = argv[i + 1];
      i++;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      return cli_usage_error("compare", "unknown option '%s'", argv[i]);
    } else if (!a->packet) {
      a->packet = argv[i];
    } else if (!a->reference) {
      a->reference = argv[i];
    } else {
      return cli_usage_error("compare", "two files: the packet and the other encoding");
    }
  }
  if (!a->reference)
    return cli_usage_error("compare", "two files: the packet and the other encoding");
  if (strcmp(a->packet, "-") == 0 && strcmp(a->reference, "-") == 0)
    return cli_usage_error("compare", "only one of the files can be standard input");
  return CLI_OK;
}

int cli_cmd_compare(int argc, char **argv) {
  compare_args a;
  int rc = parse_args(argc, argv, &a);
  if (rc != CLI_OK) return rc;
  cli_bytes packet = {NULL, 0}, reference = {NULL, 0};
  if (cli_read_file("compare", a.packet, &packet) != CLI_OK) return CLI_FAIL;
  if (cli_read_file("compare", a.reference, &reference) != CLI_OK) {
    free(packet.data);
    return CLI_FAIL;
  }
  nnrp_wire_size_comparison c = {a.label, reference.len, {0}};
  nnrp_diag diag = {0, 0};
  int err =
      nnrp_summarize_wire_packet(&c.current, packet.data, packet.len, a.subject, &a.opts, &diag);
  rc = CLI_FAIL;
  if (err) {
    cli_lib_error("compare", NULL, err, (long long)diag.offset);
  } else {
    size_t need = 0;
    nnrp_render_wire_size_comparison(&c, NULL, 0, &need);
    char *line = malloc(need + 1);
    if (!line) {
      cli_error("compare", "out of memory");
    } else if (nnrp_render_wire_size_comparison(&c, line, need + 1, NULL) == 0) {
      printf("%s\n", line);
      rc = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
      if (rc != CLI_OK) cli_error("compare", "write failed");
    }
    free(line);
  }
  free(packet.data);
  free(reference.data);
  return rc;
}
