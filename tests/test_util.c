#include "test.h"

int test_failures;
int test_cases_passed;
int test_cases_failed;

void test_dump_diff(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
  size_t n = alen < blen ? alen : blen, i = 0;
  while (i < n && a[i] == b[i]) i++;
  fprintf(stderr, "  first difference at offset %zu\n  got:      ", i);
  for (size_t k = i; k < alen && k < i + 24; k++) fprintf(stderr, "%02x", a[k]);
  fprintf(stderr, "\n  expected: ");
  for (size_t k = i; k < blen && k < i + 24; k++) fprintf(stderr, "%02x", b[k]);
  fprintf(stderr, "\n");
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

uint8_t *test_hex_decode(const char *hex, size_t *len) {
  size_t n = strlen(hex);
  if (n % 2) return NULL;
  uint8_t *out = malloc(n / 2 + 1);
  if (!out) return NULL;
  for (size_t i = 0; i < n / 2; i++) {
    int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      free(out);
      return NULL;
    }
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  *len = n / 2;
  return out;
}

uint8_t *test_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = malloc((size_t)n + 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  if (buf) {
    buf[n] = 0;
    *len = (size_t)n;
  }
  return buf;
}

const char *test_vector_path(const char *name) {
  static char path[4096];
  snprintf(path, sizeof(path), "%s/vectors/%s", NNRP_SHARED_DIR, name);
  return path;
}
