/* nnrp encode: the JSON of `nnrp decode` (an array, or one packet object) -> packet bytes. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_cmd_encode(int argc, char **argv) {
  const char *path = NULL;
  int hex = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--hex") == 0) {
      hex = 1;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      return cli_usage_error("encode", "unknown option '%s'", argv[i]);
    } else if (path) {
      return cli_usage_error("encode", "more than one input");
    } else {
      path = argv[i];
    }
  }
  if (!hex && isatty(STDOUT_FILENO))
    return cli_usage_error("encode", "refusing to write binary packets to a terminal (use --hex)");

  cli_bytes text;
  if (cli_read_file("encode", path, &text) != CLI_OK) return CLI_FAIL;
  json_error_t jerr;
  json_t *root = json_loadb((const char *)text.data, text.len, JSON_REJECT_DUPLICATES, &jerr);
  free(text.data);
  if (!root) {
    cli_error("encode", "invalid JSON at line %d column %d: %s", jerr.line, jerr.column, jerr.text);
    return CLI_FAIL;
  }

  /* One packet object is accepted as well as the array `nnrp decode` prints. */
  cli_bytes out = {NULL, 0};
  int rc = CLI_OK;
  if (json_is_array(root)) {
    if (json_array_size(root) == 0) {
      cli_error("encode", "no packets in the input");
      rc = CLI_FAIL;
    }
    for (size_t i = 0; rc == CLI_OK && i < json_array_size(root); i++)
      rc = cli_packet_from_json("encode", json_array_get(root, i), i, &out);
  } else {
    rc = cli_packet_from_json("encode", root, 0, &out);
  }
  json_decref(root);

  /* Nothing is written unless every packet encoded. */
  if (rc == CLI_OK && hex) {
    char *s = cli_hex_encode(out.data ? out.data : (const uint8_t *)"", out.len);
    if (!s) {
      cli_error("encode", "out of memory");
      rc = CLI_FAIL;
    } else {
      rc = cli_write("encode", stdout, s, strlen(s));
      if (rc == CLI_OK) rc = cli_write("encode", stdout, "\n", 1);
      free(s);
    }
  } else if (rc == CLI_OK) {
    rc = cli_write("encode", stdout, out.data, out.len);
  }
  free(out.data);
  return rc;
}
