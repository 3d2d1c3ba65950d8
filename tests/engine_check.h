/* Checks shared by the session engine tests (test_engine_*.c), on top of engine_pair.h. */
#ifndef NNRP_ENGINE_CHECK_H
#define NNRP_ENGINE_CHECK_H

#include "engine_pair.h"
#include "test.h"

#define MS 1000u /* microseconds per millisecond */

/* Exactly one ERROR sent by `side` since `mark`, with this code, scope and fatality; the
 * decoded metadata is left in `*out` (may be NULL). */
#define CHECK_ONE_ERROR_META(side, mark, code, scope, fatal, out) \
  do {                                                            \
    nnrp_error_meta e_;                                           \
    size_t n_ = engine_errors_since((side), (mark), &e_);         \
    CHECK_EQ(n_, 1);                                              \
    if (n_) {                                                     \
      CHECK_EQ(e_.error_code, (code));                            \
      CHECK_EQ(e_.error_scope, (scope));                          \
      CHECK_EQ(e_.is_fatal, (fatal));                             \
    }                                                             \
    nnrp_error_meta *o_ = (out);                                  \
    if (o_) *o_ = e_;                                             \
  } while (0)
#define CHECK_ONE_ERROR(side, mark, code, scope, fatal) \
  CHECK_ONE_ERROR_META(side, mark, code, scope, fatal, (nnrp_error_meta *)NULL)

/* A frame-scope ERROR naming (frame, view) in its related ids and in its header. */
#define CHECK_FRAME_ERROR(side, mark, code, frame, view)                  \
  do {                                                                    \
    nnrp_error_meta fe_;                                                  \
    memset(&fe_, 0, sizeof fe_);                                          \
    CHECK_ONE_ERROR_META(side, mark, code, NNRP_SCOPE_FRAME, 0, &fe_);    \
    CHECK_EQ(fe_.related_frame_id, (frame));                              \
    CHECK_EQ(fe_.related_view_id, (view));                                \
    CHECK_EQ(fe_.related_session_id, nnrp_conn_session_id((side)->conn)); \
    nnrp_packet fp_;                                                      \
    if (engine_last_sent((side), (mark), NNRP_MSG_ERROR, &fp_) >= 0) {    \
      CHECK_EQ(fp_.header.frame_id, (frame));                             \
      CHECK_EQ(fp_.header.view_id, (view));                               \
    }                                                                     \
  } while (0)

/* RUN() for a conformance case: prints the case id and the test function, pass or fail, so
 * that the case names appear in the test log. */
#define RUN_CASE(fn, id)                                                                 \
  do {                                                                                   \
    int failed_before_ = test_cases_failed;                                              \
    RUN(fn);                                                                             \
    printf("%s %s (%s)\n", test_cases_failed > failed_before_ ? "FAIL" : "ok", id, #fn); \
  } while (0)

/* Nothing at all sent by `side` since `mark`. */
#define CHECK_SILENT(side, mark) CHECK_EQ(engine_sent_since((side), (mark), 0), 0)

#endif /* NNRP_ENGINE_CHECK_H */
