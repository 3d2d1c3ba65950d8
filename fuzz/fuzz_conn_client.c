/*
 * Session engine, client role: after a real in-memory handshake, arbitrary bytes arrive at
 * the client engine (any split, or as whole packets); its answers go to a real server engine
 * and back.  Input layout and checks: fuzz_conn.h.
 */
#include "fuzz_conn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_conn_run(data, size, 0);
  return 0;
}
