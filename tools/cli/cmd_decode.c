/* nnrp decode: packets back to back -> a JSON array with one object per packet. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_cmd_decode(int argc, char **argv) {
  const char *hex = NULL, *path = NULL;
  int compact = 0;
  nnrp_decode_options opts = {0, 0, NULL, 0};
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--hex") == 0) {
      if (++i == argc) return cli_usage_error("decode", "--hex needs an argument");
      hex = argv[i];
    } else if (strcmp(argv[i], "--py-compat") == 0) {
      opts.flags |= NNRP_DECODE_PY_COMPAT;
    } else if (strcmp(argv[i], "--exact") == 0) {
      opts.flags |= NNRP_DECODE_EXACT;
    } else if (strcmp(argv[i], "--strict-c6") == 0) {
      opts.flags |= NNRP_DECODE_STRICT_C6;
    } else if (strcmp(argv[i], "--compact") == 0) {
      compact = 1;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      return cli_usage_error("decode", "unknown option '%s'", argv[i]);
    } else if (path) {
      return cli_usage_error("decode", "more than one input");
    } else {
      path = argv[i];
    }
  }
  if (hex && path) return cli_usage_error("decode", "give either --hex or an input file");

  cli_bytes in;
  if (cli_load_input("decode", hex, path, &in) != CLI_OK) return CLI_FAIL;
  json_t *packets = json_array();
  size_t offset = 0;
  int rc = CLI_OK;
  /* An empty input is not a packet: the loop runs at least once and reports it. */
  do {
    nnrp_packet p;
    nnrp_diag diag = {0, 0};
    int err = nnrp_packet_decode(&p, in.data + offset, in.len - offset, &opts, &diag);
    if (err != 0) {
      cli_lib_error("decode", NULL, err, (long long)(offset + diag.offset));
      rc = CLI_FAIL;
      break;
    }
    json_array_append_new(packets, cli_packet_to_json(&p));
    offset += p.packet_len;
  } while (offset < in.len);

  if (rc == CLI_OK) {
    char *text = json_dumps(packets, compact ? JSON_COMPACT : JSON_INDENT(2));
    if (!text) {
      cli_error("decode", "out of memory");
      rc = CLI_FAIL;
    } else {
      rc = cli_write("decode", stdout, text, strlen(text));
      if (rc == CLI_OK) rc = cli_write("decode", stdout, "\n", 1);
      free(text);
    }
  }
  json_decref(packets);
  free(in.data);
  return rc;
}
