/* Moving a live session between bindings (transport.md §5): TCP -> QUIC -> TCP and
 * TCP+TLS -> QUIC -> TCP+TLS, frames in flight at every switch, none lost or duplicated. */
#include "io_harness.h"
#include "test.h"

static void tcp_quic_tcp(void) {
  io_case_migration(&io_tcp, &io_quic);
}
static void quic_tcp_quic(void) {
  io_case_migration(&io_quic, &io_tcp);
}
static void tls_quic_tls(void) {
  io_case_migration(&io_tls, &io_quic);
}

int main(void) {
  RUN(tcp_quic_tcp);
  RUN(quic_tcp_quic);
  RUN(tls_quic_tls);
  return TEST_REPORT();
}
