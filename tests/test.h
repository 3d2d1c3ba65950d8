/*
 * Minimal test harness: each test program calls RUN() for its cases and ends with
 * TEST_REPORT(), which prints "N passed, M failed" and returns the exit status.
 */
#ifndef NNRP_TEST_H
#define NNRP_TEST_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int test_failures;  /* checks failed in the current case */
extern int test_cases_passed;
extern int test_cases_failed;

#define CHECK(cond)                                                              \
  do {                                                                           \
    if (!(cond)) {                                                               \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
      test_failures++;                                                           \
    }                                                                            \
  } while (0)

#define CHECK_EQ(a, b)                                                                     \
  do {                                                                                     \
    long long va_ = (long long)(a), vb_ = (long long)(b);                                  \
    if (va_ != vb_) {                                                                      \
      fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a, #b, \
              va_, vb_);                                                                   \
      test_failures++;                                                                     \
    }                                                                                      \
  } while (0)

/* An nnrp call that must return `expected` (0 or an NNRP_ERR_*). */
#define CHECK_RC(expr, expected)                                                           \
  do {                                                                                     \
    int rc_ = (expr), ex_ = (expected);                                                    \
    if (rc_ != ex_) {                                                                      \
      fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d (%s)\n", __FILE__, __LINE__, \
              #expr, rc_, nnrp_err_name(rc_) ? nnrp_err_name(rc_) : "?", ex_,              \
              nnrp_err_name(ex_) ? nnrp_err_name(ex_) : "?");                              \
      test_failures++;                                                                     \
    }                                                                                      \
  } while (0)

#define CHECK_MEM(a, alen, b, blen)                                                        \
  do {                                                                                     \
    size_t al_ = (alen), bl_ = (blen);                                                     \
    if (al_ != bl_ || memcmp((a), (b), al_) != 0) {                                        \
      fprintf(stderr, "%s:%d: bytes differ (%zu vs %zu bytes)\n", __FILE__, __LINE__, al_, \
              bl_);                                                                        \
      test_dump_diff((const uint8_t *)(a), al_, (const uint8_t *)(b), bl_);                \
      test_failures++;                                                                     \
    }                                                                                      \
  } while (0)

#define RUN(fn)                                                            \
  do {                                                                     \
    test_failures = 0;                                                     \
    fn();                                                                  \
    if (test_failures) {                                                   \
      fprintf(stderr, "FAIL %s\n", #fn);                                   \
      test_cases_failed++;                                                 \
    } else {                                                               \
      test_cases_passed++;                                                 \
    }                                                                      \
  } while (0)

#define TEST_REPORT()                                                            \
  (printf("%d passed, %d failed\n", test_cases_passed, test_cases_failed),       \
   test_cases_failed ? 1 : 0)

/* Helpers (tests/test_util.c). */
void test_dump_diff(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
/* Decode a hex string into a malloc'd buffer; NULL on bad hex.  *len gets the length. */
uint8_t *test_hex_decode(const char *hex, size_t *len);
/* Read a whole file into a malloc'd buffer (NUL-terminated); NULL on failure. */
uint8_t *test_read_file(const char *path, size_t *len);
/* Path of a file in the shared vectors folder (static buffer). */
const char *test_vector_path(const char *name);

#endif /* NNRP_TEST_H */
