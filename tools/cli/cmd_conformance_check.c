/*
 * The assertions of the conformance case runners.  Every assertion is one line of the case's
 * evidence log ("ok   ..." or "FAIL ..."), so the log says exactly what was demonstrated.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

static void vlog(conf_case *c, const char *tag, const char *fmt, va_list ap) {
  if (!c->log) return;
  fputs(tag, c->log);
  vfprintf(c->log, fmt, ap);
  fputc('\n', c->log);
}

void conf_note(conf_case *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vlog(c, "# ", fmt, ap);
  va_end(ap);
}

int conf_check(conf_case *c, int ok, const char *fmt, ...) {
  va_list ap;
  c->checks++;
  va_start(ap, fmt);
  vlog(c, ok ? "ok   " : "FAIL ", fmt, ap);
  va_end(ap);
  if (!ok && c->failed++ == 0) {
    va_start(ap, fmt);
    vsnprintf(c->first_failure, sizeof(c->first_failure), fmt, ap);
    va_end(ap);
  }
  return ok;
}

static const char *code_name(int rc) {
  const char *n = nnrp_err_name(rc);
  return n ? n : "UNKNOWN";
}

int conf_check_rc(conf_case *c, int got, int want, const char *what) {
  if (want == 0) return conf_check(c, got == 0, "%s: %s", what, code_name(got));
  return conf_check(c, got == want, "%s: rejected with %s (%s)%s%s", what, code_name(got),
                    nnrp_err_rule(got) ? nnrp_err_rule(got) : "-", got == want ? "" : ", expected ",
                    got == want ? "" : code_name(want));
}

int conf_check_bytes(conf_case *c, const char *what, const uint8_t *got, size_t got_len,
                     const uint8_t *want, size_t want_len) {
  size_t at = 0;
  while (at < got_len && at < want_len && got[at] == want[at]) at++;
  if (at == got_len && at == want_len) return conf_check(c, 1, "%s: %zu identical bytes", what, at);
  return conf_check(c, 0, "%s: %zu bytes vs %zu expected, first difference at byte %zu", what,
                    got_len, want_len, at);
}

int conf_check_fields(conf_case *c, const char *what, const cli_struct *s, const void *got,
                      const void *want) {
  int ok = 1;
  for (size_t i = 0; i < s->count; i++) {
    const cli_field *f = &s->fields[i];
    uint64_t g = cli_field_get(got, f), w = cli_field_get(want, f);
    if (g != w)
      ok = conf_check(c, 0, "%s: %s = %llu, expected %llu", what, f->name, (unsigned long long)g,
                      (unsigned long long)w);
  }
  if (ok) conf_check(c, 1, "%s: all %zu fields as expected", what, s->count);
  return ok;
}

uint8_t *conf_read_vector(conf_case *c, const char *file, size_t *len) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s", c->suite->vectors_dir, file);
  FILE *f = fopen(path, "rb");
  uint8_t *buf = NULL;
  size_t n = 0;
  if (f) {
    buf = malloc(1 << 16);
    if (buf) n = fread(buf, 1, 1 << 16, f);
    if (buf && (ferror(f) || n == 1 << 16)) { /* the reference packets are small */
      free(buf);
      buf = NULL;
    }
    fclose(f);
  }
  if (!conf_check(c, buf != NULL, "read reference packet %s", path)) return NULL;
  *len = n;
  return buf;
}

conf_outcome conf_codec_outcome(conf_case *c) {
  if (c->failed) {
    snprintf(c->message, sizeof(c->message), "%u of %u assertions failed; first: %s", c->failed,
             c->checks, c->first_failure);
    return CONF_FAIL;
  }
  snprintf(c->message, sizeof(c->message), "%u assertions passed", c->checks);
  return CONF_PASS;
}

conf_outcome conf_partial_outcome(conf_case *c, const char *reason, const char *rest) {
  if (c->failed) return conf_codec_outcome(c);
  snprintf(c->message, sizeof(c->message), "%s: %s (the codec part ran: %u assertions passed)",
           reason, rest, c->checks);
  conf_note(c, "skip: %s: %s", reason, rest);
  return CONF_SKIP;
}
