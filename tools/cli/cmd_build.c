/*
 * nnrp build: reference-SDK builder calls, one JSON request per line, answered one line each
 * with libnnrp's output.  This is how other implementations (the interoperability harness,
 * hosts written in other languages) drive libnnrp's builders without a binding.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "build_map.h"
#include "cli.h"

char *cli_read_line(const char *cmd, FILE *f, char **buf, size_t *cap) {
  size_t len = 0;
  for (;;) {
    if (*cap - len < 2) {
      size_t bigger = *cap ? *cap * 2 : 4096;
      char *p = bigger > *cap ? realloc(*buf, bigger) : NULL;
      if (!p) {
        cli_error(cmd, "out of memory");
        exit(CLI_FAIL);
      }
      *buf = p;
      *cap = bigger;
    }
    size_t room = *cap - len;
    if (!fgets(*buf + len, room > INT_MAX ? INT_MAX : (int)room, f))
      return len ? *buf : NULL;
    len += strlen(*buf + len);
    if (len && (*buf)[len - 1] == '\n') {
      (*buf)[--len] = '\0';
      if (len && (*buf)[len - 1] == '\r') (*buf)[--len] = '\0';
      return *buf;
    }
  }
}

/* A mapper run after the first: mapping errors were reported on the first run. */
static int run_again(vec_ctx *c, vec_builder_fn fn, const json_t *in, nnrp_sink *s) {
  int errors = c->errors;
  c->quiet = 1;
  int rc = fn(c, in, s);
  c->errors = errors;
  return rc;
}

/* Answer one request on stdout.  Returns 1 when the request itself was invalid. */
static int answer(const char *line, size_t index) {
  json_error_t jerr;
  json_t *req = vec_json_loads(line, strlen(line), &jerr);
  vec_ctx c;
  char name[32];
  snprintf(name, sizeof(name), "request %zu", index);
  vec_ctx_init(&c, name);
  c.quiet = 1;
  const char *builder = json_string_value(json_object_get(req, "builder"));
  const json_t *in = json_object_get(req, "inputs");
  vec_builder_fn fn = builder ? vec_builder_find(builder) : NULL;
  int invalid = 1;
  if (!req) {
    printf("invalid JSON: %s\n", jerr.text);
  } else if (!builder || !json_is_object(in)) {
    printf("invalid request: needs \"builder\" (a string) and \"inputs\" (an object)\n");
  } else if (!fn) {
    printf("invalid builder: no libnnrp mapping for \"%s\"\n", builder);
  } else {
    nnrp_sink s;
    nnrp_sink_init_count(&s);
    int rc = fn(&c, in, &s);
    /* A refusal may come before every input was read; an accepted call must read them all. */
    if (rc == 0) vec_check_used(&c, in, "inputs");
    if (c.errors) {
      printf("invalid input: %s\n", c.first_error);
    } else if (rc) {
      printf("error %s\n", nnrp_err_name(rc) ? nnrp_err_name(rc) : "UNKNOWN");
      invalid = 0;
    } else {
      size_t total = s.total;
      uint8_t *out = vec_alloc(&c, total);
      nnrp_sink_init_buffer(&s, out, total);
      rc = run_again(&c, fn, in, &s);
      char *hex = rc == 0 ? cli_hex_encode(out, s.len) : NULL;
      if (hex) {
        puts(hex);
        invalid = 0;
      } else {
        printf("invalid internal: the buffer run returned %s\n",
               rc ? nnrp_err_name(rc) : "no memory");
      }
      free(hex);
    }
  }
  vec_ctx_free(&c);
  json_decref(req);
  return invalid;
}

int cli_cmd_build(int argc, char **argv) {
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] == '-' && argv[i][1] != '\0')
      return cli_usage_error("build", "unknown option '%s'", argv[i]);
    if (path) return cli_usage_error("build", "more than one input");
    path = argv[i];
  }
  int use_stdin = !path || strcmp(path, "-") == 0;
  FILE *f = use_stdin ? stdin : fopen(path, "r");
  if (!f) {
    cli_error("build", "cannot open '%s'", path);
    return CLI_FAIL;
  }
  char *buf = NULL;
  size_t cap = 0, index = 0, invalid = 0;
  const char *line;
  while ((line = cli_read_line("build", f, &buf, &cap)) != NULL) {
    if (line[strspn(line, " \t")] == '\0') continue; /* blank lines separate nothing */
    invalid += (size_t)answer(line, index++);
    fflush(stdout); /* one answer per request, as it comes: usable as a coprocess */
  }
  int failed = ferror(f) || ferror(stdout);
  if (failed) cli_error("build", "read or write error");
  free(buf);
  if (!use_stdin) fclose(f);
  return failed || invalid ? CLI_FAIL : CLI_OK;
}
