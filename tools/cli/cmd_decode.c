/* nnrp decode: packets back to back -> a JSON array with one object per packet. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int add_packet(const nnrp_packet *p, void *packets) {
  json_t *obj = cli_packet_to_json(p);
  if (!obj || json_array_append_new(packets, obj) != 0) {
    cli_error("decode", "out of memory");
    return CLI_FAIL;
  }
  return CLI_OK;
}

int cli_cmd_decode(int argc, char **argv) {
  cli_decode_args args;
  int rc = cli_decode_args_parse("decode", argc, argv, 1, &args);
  if (rc != CLI_OK) return rc;

  /* Nothing is printed unless every packet decodes. */
  json_t *packets = json_array();
  rc = cli_decode_each("decode", &args, add_packet, packets);
  if (rc == CLI_OK) {
    char *text = json_dumps(packets, args.compact ? JSON_COMPACT : JSON_INDENT(2));
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
  return rc;
}
