/* Loopback sessions over TCP+TLS (ALPN nnrp/1-tcp, transport.md §3.1): the shared io cases. */
#include "io_harness.h"
#include "test.h"

static void handshake(void) {
  io_case_handshake(&io_tls);
}
static void thousand_frames(void) {
  io_case_thousand_frames(&io_tls);
}
static void result_classes(void) {
  io_case_result_classes(&io_tls);
}
static void drop_and_cancel(void) {
  io_case_drop_and_cancel(&io_tls);
}
static void flow_update(void) {
  io_case_flow_update(&io_tls);
}
static void cache(void) {
  io_case_cache(&io_tls);
}
static void graceful_close(void) {
  io_case_graceful_close(&io_tls);
}
static void peer_loss(void) {
  io_case_peer_loss(&io_tls);
}

int main(void) {
  RUN(handshake);
  RUN(thousand_frames);
  RUN(result_classes);
  RUN(drop_and_cancel);
  RUN(flow_update);
  RUN(cache);
  RUN(graceful_close);
  RUN(peer_loss);
  return TEST_REPORT();
}
