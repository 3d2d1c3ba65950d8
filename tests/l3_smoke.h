/* The l3.transport.*.session_smoke case (transport.md §7), shared by the TCP and QUIC tests. */
#ifndef NNRP_L3_SMOKE_H
#define NNRP_L3_SMOKE_H

#include "io_harness.h"

/* CLIENT_HELLO -> SERVER_HELLO_ACK (requested id 41), FRAME_SUBMIT 303 -> RESULT_PUSH 303,
 * CLOSE observed by the server. */
void l3_session_smoke(const io_binding *b);

#endif
