/* Loopback sessions over cleartext TCP (transport.md §3): the shared io cases. */
#include "io_harness.h"
#include "test.h"

static void handshake(void) {
  io_case_handshake(&io_tcp);
}
static void thousand_frames(void) {
  io_case_thousand_frames(&io_tcp);
}
static void result_classes(void) {
  io_case_result_classes(&io_tcp);
}
static void drop_and_cancel(void) {
  io_case_drop_and_cancel(&io_tcp);
}
static void flow_update(void) {
  io_case_flow_update(&io_tcp);
}
static void cache(void) {
  io_case_cache(&io_tcp);
}
static void graceful_close(void) {
  io_case_graceful_close(&io_tcp);
}
static void peer_loss(void) {
  io_case_peer_loss(&io_tcp);
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
