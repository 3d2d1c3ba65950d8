/* Loopback sessions over QUIC (ALPN nnrp/1, transport.md §2): the shared io cases. */
#include "io_harness.h"
#include "test.h"

static void handshake(void) {
  io_case_handshake(&io_quic);
}
static void thousand_frames(void) {
  io_case_thousand_frames(&io_quic);
}
static void result_classes(void) {
  io_case_result_classes(&io_quic);
}
static void drop_and_cancel(void) {
  io_case_drop_and_cancel(&io_quic);
}
static void flow_update(void) {
  io_case_flow_update(&io_quic);
}
static void cache(void) {
  io_case_cache(&io_quic);
}
static void graceful_close(void) {
  io_case_graceful_close(&io_quic);
}
static void peer_loss(void) {
  io_case_peer_loss(&io_quic);
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
