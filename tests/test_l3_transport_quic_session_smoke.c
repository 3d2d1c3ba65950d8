/* Conformance case l3.transport.quic.session_smoke (transport.md §7): a minimal Preview2
 * session over the QUIC binding (control stream, one unidirectional stream per submit and per
 * result) — handshake, one submit/result round trip, close. */
#include "l3_smoke.h"
#include "test.h"

static void session_smoke(void) {
  l3_session_smoke(&io_quic);
}

int main(void) {
  RUN(session_smoke);
  return TEST_REPORT();
}
