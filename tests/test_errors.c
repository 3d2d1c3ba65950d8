/* The error table: every code has a distinct value, a name, a message and a rule. */
#include <libnnrp/nnrp.h>

#include "test.h"

static const int all_codes[] = {
#define X(name, value, proto, rule, msg) NNRP_ERR_##name,
    NNRP_ERROR_LIST(X)
#undef X
};
#define N_CODES (sizeof(all_codes) / sizeof(all_codes[0]))

static void test_codes_distinct_and_negative(void) {
  for (size_t i = 0; i < N_CODES; i++) {
    CHECK(all_codes[i] < 0);
    for (size_t j = i + 1; j < N_CODES; j++) CHECK(all_codes[i] != all_codes[j]);
  }
}

static void test_every_code_is_described(void) {
  for (size_t i = 0; i < N_CODES; i++) {
    CHECK(nnrp_err_name(all_codes[i]) != NULL);
    CHECK(nnrp_err_rule(all_codes[i]) != NULL);
    CHECK(strcmp(nnrp_strerror(all_codes[i]), "unknown error") != 0);
  }
  CHECK(strcmp(nnrp_strerror(0), "success") == 0);
  CHECK(strcmp(nnrp_strerror(-99999), "unknown error") == 0);
  CHECK(nnrp_err_name(-99999) == NULL);
}

static void test_protocol_mapping(void) {
  /* Header failures map as wire-control §2.3 says. */
  CHECK_EQ(nnrp_err_protocol_code(NNRP_ERR_HEADER_MAGIC), NNRP_ERROR_CODE_MALFORMED_HEADER);
  CHECK_EQ(nnrp_err_protocol_code(NNRP_ERR_VERSION), NNRP_ERROR_CODE_UNSUPPORTED_VERSION);
  CHECK_EQ(nnrp_err_protocol_code(NNRP_ERR_TOO_LARGE), NNRP_ERROR_CODE_LIMIT_EXCEEDED);
  CHECK_EQ(nnrp_err_protocol_code(NNRP_ERR_EXT_UNKNOWN_CRITICAL),
           NNRP_ERROR_CODE_UNSUPPORTED_CAPABILITY);
  CHECK_EQ(nnrp_err_protocol_code(NNRP_ERR_SECTION_ORDER), NNRP_ERROR_CODE_MALFORMED_BODY);
  CHECK_EQ(nnrp_err_protocol_code(NNRP_ERR_BUFFER_TOO_SMALL), 0);
  CHECK(nnrp_err_is_fatal(NNRP_ERR_NOMEM));
  CHECK(!nnrp_err_is_fatal(NNRP_ERR_SECTION_ORDER));
}

int main(void) {
  RUN(test_codes_distinct_and_negative);
  RUN(test_every_code_is_described);
  RUN(test_protocol_mapping);
  return TEST_REPORT();
}
