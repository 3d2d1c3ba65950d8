/*
 * Session engine, server role: after a real in-memory handshake, arbitrary bytes arrive at
 * the server engine (any split, or as whole packets); its answers go to a real client engine
 * and back.  Input layout and checks: fuzz_conn.h.
 */
#include "fuzz_conn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_conn_run(data, size, 1);
  return 0;
}
