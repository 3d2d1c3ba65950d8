/* Input, output and error lines of the nnrp command. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "nnrp: %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

void cli_lib_error(const char *cmd, const char *prefix, int err, long long offset) {
  const char *name = nnrp_err_name(err), *rule = nnrp_err_rule(err);
  fprintf(stderr, "nnrp: %s: %s%s (%s)", cmd, prefix ? prefix : "", name ? name : "UNKNOWN",
          rule ? rule : "-");
  if (offset >= 0) fprintf(stderr, " at offset %lld", offset);
  fprintf(stderr, ": %s\n", nnrp_strerror(err));
}

int cli_read_file(const char *cmd, const char *path, cli_bytes *out) {
  int use_stdin = path == NULL || strcmp(path, "-") == 0;
  FILE *f = use_stdin ? stdin : fopen(path, "rb");
  if (!f) {
    cli_error(cmd, "cannot open '%s': %s", path, strerror(errno));
    return CLI_FAIL;
  }
  size_t cap = 4096, len = 0;
  uint8_t *buf = malloc(cap);
  for (;;) {
    if (!buf) {
      cli_error(cmd, "out of memory");
      break;
    }
    len += fread(buf + len, 1, cap - len, f);
    if (len < cap) break;
    uint8_t *bigger = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
    if (!bigger) free(buf);
    buf = bigger;
    cap *= 2;
  }
  int failed = !buf || ferror(f);
  if (buf && ferror(f))
    cli_error(cmd, "cannot read '%s': %s", use_stdin ? "<stdin>" : path, strerror(errno));
  if (!use_stdin) fclose(f);
  if (failed) {
    free(buf);
    return CLI_FAIL;
  }
  out->data = buf;
  out->len = len;
  return CLI_OK;
}

int cli_load_input(const char *cmd, const char *hex, const char *path, cli_bytes *out) {
  if (!hex) return cli_read_file(cmd, path, out);
  size_t bad = 0;
  if (cli_hex_decode(hex, strlen(hex), out, &bad) != 0) {
    if (bad == (size_t)-1)
      cli_error(cmd, "--hex: odd number of hex digits");
    else
      cli_error(cmd, "--hex: invalid hex digit at position %zu", bad);
    return CLI_FAIL;
  }
  return CLI_OK;
}

uint32_t cli_profile_flag(const char *arg) {
  static const struct {
    const char *name;
    uint32_t flag;
  } profile[] = {
      {"--py-compat", NNRP_DECODE_PY_COMPAT},
      {"--cs-dialect", NNRP_DECODE_CS_DIALECT},
      {"--strict-c6", NNRP_DECODE_STRICT_C6},
  };
  for (size_t k = 0; k < sizeof(profile) / sizeof(profile[0]); k++)
    if (strcmp(arg, profile[k].name) == 0) return profile[k].flag;
  return 0;
}

int cli_decode_args_parse(const char *cmd, int argc, char **argv, int allow_compact,
                          cli_decode_args *a) {
  memset(a, 0, sizeof(*a));
  for (int i = 1; i < argc; i++) {
    uint32_t flag = cli_profile_flag(argv[i]);
    if (flag) {
      a->opts.flags |= flag;
    } else if (strcmp(argv[i], "--exact") == 0) {
      a->opts.flags |= NNRP_DECODE_EXACT;
    } else if (strcmp(argv[i], "--hex") == 0) {
      if (++i == argc) return cli_usage_error(cmd, "--hex needs an argument");
      a->hex = argv[i];
    } else if (allow_compact && strcmp(argv[i], "--compact") == 0) {
      a->compact = 1;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      return cli_usage_error(cmd, "unknown option '%s'", argv[i]);
    } else if (a->path) {
      return cli_usage_error(cmd, "more than one input");
    } else {
      a->path = argv[i];
    }
  }
  if (a->hex && a->path) return cli_usage_error(cmd, "give either --hex or an input file");
  return CLI_OK;
}

int cli_decode_each(const char *cmd, const cli_decode_args *a,
                    int (*on_packet)(const nnrp_packet *p, void *ctx), void *ctx) {
  cli_bytes in;
  size_t offset = 0;
  int rc = CLI_OK;
  if (cli_load_input(cmd, a->hex, a->path, &in) != CLI_OK) return CLI_FAIL;
  /* An empty input is not a packet: the loop runs at least once and reports it. */
  do {
    nnrp_packet p;
    nnrp_diag diag = {0, 0};
    int err = nnrp_packet_decode(&p, in.data + offset, in.len - offset, &a->opts, &diag);
    if (err != 0) {
      fflush(stdout); /* what was printed before comes first */
      cli_lib_error(cmd, NULL, err, (long long)(offset + diag.offset));
      rc = CLI_FAIL;
      break;
    }
    rc = on_packet(&p, ctx);
    offset += p.packet_len;
  } while (rc == CLI_OK && offset < in.len);
  free(in.data);
  return rc;
}

static int hex_value(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int cli_hex_decode(const char *hex, size_t hex_len, cli_bytes *out, size_t *bad) {
  uint8_t *buf = malloc(hex_len / 2 + 1);
  size_t n = 0;
  int hi = -1;
  if (!buf) {
    *bad = 0;
    return -1;
  }
  for (size_t i = 0; i < hex_len; i++) {
    int c = (unsigned char)hex[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    int v = hex_value(c);
    if (v < 0) {
      free(buf);
      *bad = i;
      return -1;
    }
    if (hi < 0) {
      hi = v;
    } else {
      buf[n++] = (uint8_t)(hi << 4 | v);
      hi = -1;
    }
  }
  if (hi >= 0) {
    free(buf);
    *bad = (size_t)-1;
    return -1;
  }
  out->data = buf;
  out->len = n;
  return 0;
}

char *cli_hex_encode(const uint8_t *p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  char *s = n > (SIZE_MAX - 1) / 2 ? NULL : malloc(2 * n + 1);
  if (!s) return NULL;
  for (size_t i = 0; i < n; i++) {
    s[2 * i] = digits[p[i] >> 4];
    s[2 * i + 1] = digits[p[i] & 15];
  }
  s[2 * n] = '\0';
  return s;
}

int cli_write(const char *cmd, FILE *f, const void *data, size_t len) {
  if (fwrite(data, 1, len, f) != len || fflush(f) != 0) {
    cli_error(cmd, "write failed: %s", strerror(errno));
    return CLI_FAIL;
  }
  return CLI_OK;
}
