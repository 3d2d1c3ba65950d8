/*
 * libnnrp — conn layer: the sans-I/O NNRP/1 session engine.
 *
 * One nnrp_conn per session, client or server role.  Bytes and time go in, events (through
 * callbacks) and bytes to send come out; the engine never opens a socket, reads a clock,
 * sleeps or starts a thread.  Time is a caller-supplied monotonic timestamp in microseconds.
 *
 * (This header is completed by the engine implementation: settings, callbacks, the client and
 * server operations and introspection.  The types below are shared by every conn module.)
 */
#ifndef LIBNNRP_CONN_H
#define LIBNNRP_CONN_H

#include <stddef.h>
#include <stdint.h>

#include <libnnrp/errors.h>
#include <libnnrp/wire.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Monotonic time in microseconds, from the caller's clock. */
typedef uint64_t nnrp_tstamp;
#define NNRP_TSTAMP_NEVER UINT64_MAX

/*
 * Allocator hooks.  Every conn object takes an optional nnrp_mem (NULL: the C library's);
 * tests use counting and failing allocators through it.
 */
typedef struct nnrp_mem {
  void *user;
  void *(*malloc)(size_t size, void *user);
  void (*free)(void *ptr, void *user);
  void *(*calloc)(size_t nmemb, size_t size, void *user);
  void *(*realloc)(void *ptr, size_t size, void *user);
} nnrp_mem;

/* The C library's allocator as an nnrp_mem. */
const nnrp_mem *nnrp_mem_default(void);

typedef enum nnrp_role { NNRP_ROLE_CLIENT = 0, NNRP_ROLE_SERVER = 1 } nnrp_role;

/* Session states (session.md §2.1); the numbers never go on the wire. */
typedef enum nnrp_session_state {
  NNRP_STATE_INIT = 0,
  NNRP_STATE_NEGOTIATING = 1,
  NNRP_STATE_ACTIVE = 2,
  NNRP_STATE_DRAINING = 3,
  NNRP_STATE_CLOSED = 4
} nnrp_session_state;

/* Frame states (session.md §3.2). */
typedef enum nnrp_frame_state {
  NNRP_FRAME_ANNOUNCED = 0,
  NNRP_FRAME_SUBMITTED = 1,
  NNRP_FRAME_PROCESSING = 2,
  NNRP_FRAME_READY = 3,
  NNRP_FRAME_DELIVERED = 4,
  NNRP_FRAME_DROPPED = 5,
  NNRP_FRAME_CANCELLED = 6,
  NNRP_FRAME_EXPIRED = 7
} nnrp_frame_state;

#ifdef __cplusplus
}
#endif

#endif /* LIBNNRP_CONN_H */
