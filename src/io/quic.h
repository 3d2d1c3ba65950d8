/*
 * Private: the QUIC binding (transport.md §2), the only code that knows ngtcp2 and its GnuTLS
 * crypto helper, so that a later ngtcp2 1.x port touches one adapter.  One nnrpi_quic is one
 * QUIC connection carrying one NNRP session: the control stream (client-opened bidirectional
 * stream 0), one client unidirectional stream per FRAME_SUBMIT and one server unidirectional
 * stream per RESULT_PUSH / RESULT_DROP.  It delivers whole NNRP packets per stream (one
 * reassembly buffer per stream) and sends whole packets on the right stream.  It owns its UDP
 * socket; the event loop polls nnrpi_quic_fd() / nnrpi_quic_listener_fd() and calls the
 * readable and timer entry points.  No threads.
 */
#ifndef NNRP_IO_QUIC_H
#define NNRP_IO_QUIC_H

#include <sys/socket.h>

#include <libnnrp/conn.h>

typedef struct nnrpi_quic nnrpi_quic;
typedef struct nnrpi_quic_listener nnrpi_quic_listener;

/* Logical paths, as tagged by the session engine's output packets. */
enum { NNRPI_QUIC_CONTROL = 0, NNRPI_QUIC_SUBMIT = 1, NNRPI_QUIC_RESULT = 2 };

typedef struct nnrpi_quic_tls {
  const char *cert_file; /* server: PEM chain */
  const char *key_file;  /* server: PEM key */
  const char *ca_file;   /* client: extra trust anchor (PEM), may be NULL */
  const char *server_name; /* client: name to verify (and SNI when a DNS name); NULL = host */
  int insecure_skip_verify; /* client: development only; off by default */
  const char *alpn;         /* tests only: offer / accept this instead of "nnrp/1"; NULL */
} nnrpi_quic_tls;

typedef struct nnrpi_quic_callbacks {
  /* A whole NNRP packet arrived on `path`.  The bytes are valid during the call. */
  void (*on_packet)(void *user, nnrpi_quic *q, int path, const uint8_t *pkt, size_t len);
  /* The QUIC handshake completed (ALPN nnrp/1 agreed, peer verified unless insecure). */
  void (*on_handshake_done)(void *user, nnrpi_quic *q);
  /* The connection ended: `err` is 0 for a clean close, else a negative NNRP_ERR_*; app_code
   * is the peer's or our application close code (transport.md §2.5).  Reported exactly once
   * per connection; `err` 0 = an application close by either side (app_code as sent);
   * NNRP_ERR_TLS / _TLS_VERIFY / _TLS_ALPN / NNRP_ERR_TIMEOUT = the handshake failed;
   * NNRP_ERR_QUIC_TRANSPORT / _QUIC_IDLE_TIMEOUT = a transport failure (app_code then holds
   * the QUIC transport error code, 0x0100 + TLS alert for TLS failures); a framing error of a
   * stream (NNRP_ERR_QUIC_STREAM_TRUNCATED, _QUIC_STREAM_RESET, header errors, TOO_LARGE):
   * we sent ERROR on the control stream and closed with its NNRP error code.  The host may
   * free the connection in this callback; the adapter does not touch it afterwards. */
  void (*on_closed)(void *user, nnrpi_quic *q, int err, uint64_t app_code);
  /* Server: a new connection was accepted by a listener. */
  void (*on_accept)(void *user, nnrpi_quic_listener *l, nnrpi_quic *q);
} nnrpi_quic_callbacks;

typedef struct nnrpi_quic_settings {
  uint64_t idle_timeout_us;     /* default 120 s */
  uint64_t keepalive_us;        /* 0 = off; default 10 s, clients only (C15) */
  uint64_t max_streams_uni;     /* inbound unidirectional streams allowed; default 100 */
  size_t max_packet_len;        /* largest NNRP packet accepted on a stream; default 64 MiB */
  uint64_t handshake_timeout_us; /* default 10 s; 0 = none */
} nnrpi_quic_settings;

void nnrpi_quic_settings_default(nnrpi_quic_settings *s);

/* Client: open a UDP socket, start the handshake to `addr`. */
int nnrpi_quic_connect(nnrpi_quic **q, const struct sockaddr *addr, socklen_t addrlen,
                       const nnrpi_quic_tls *tls, const nnrpi_quic_settings *settings,
                       const nnrpi_quic_callbacks *cb, void *user, nnrp_tstamp now);
/* Server: bind a UDP socket; connections arrive through cb->on_accept. */
int nnrpi_quic_listen(nnrpi_quic_listener **l, const struct sockaddr *addr, socklen_t addrlen,
                      const nnrpi_quic_tls *tls, const nnrpi_quic_settings *settings,
                      const nnrpi_quic_callbacks *cb, void *user);
/* The bound local address (for port 0 listeners). */
int nnrpi_quic_listener_addr(nnrpi_quic_listener *l, struct sockaddr_storage *addr,
                             socklen_t *addrlen);

int nnrpi_quic_fd(const nnrpi_quic *q);            /* client connections: their socket */
int nnrpi_quic_listener_fd(const nnrpi_quic_listener *l);
/* Read every datagram waiting on the socket and process it, acknowledging and writing every
 * few datagrams.  Timestamps (`now`) are CLOCK_MONOTONIC microseconds, as nnrp_now(): during a
 * long read the adapter advances `now` from that clock for each datagram.
 * Callbacks run from these entry points (never from inside ngtcp2).  They may call
 * nnrpi_quic_send / _send_datagram / _flush / _close / _set_user / _free on any connection
 * (freeing the connection whose callback runs takes effect when the callback returns); no
 * callback may free a listener. */
int nnrpi_quic_on_readable(nnrpi_quic *q, nnrp_tstamp now);
int nnrpi_quic_listener_on_readable(nnrpi_quic_listener *l, nnrp_tstamp now);
/* Timers: next deadline of a connection, and what to do when it passes. */
nnrp_tstamp nnrpi_quic_expiry(const nnrpi_quic *q);
int nnrpi_quic_on_timer(nnrpi_quic *q, nnrp_tstamp now);
/* Flush what ngtcp2 has to send (after sends or timers). */
int nnrpi_quic_flush(nnrpi_quic *q, nnrp_tstamp now);

/* Send one whole NNRP packet on its path (control stream, or a new unidirectional stream that
 * is ended after it).  The bytes are copied or kept until acknowledged.  Queues only:
 * nnrpi_quic_flush (or the next readable / timer call) writes.  Submits only from clients,
 * results only from servers (NNRP_ERR_INVALID_ARGUMENT otherwise); NNRP_ERR_CLOSED once
 * closing.  A packet waits for stream credit when the peer's stream limit is reached. */
int nnrpi_quic_send(nnrpi_quic *q, int path, const nnrp_vec *iov, size_t iovcnt,
                    nnrp_tstamp now);
/* One whole small packet as a QUIC DATAGRAM (C5: FRAME_CANCEL, PING, PONG, RESULT_DROP only
 * are taken by a receiver; never used by default).  Dropped if the peer has no DATAGRAM. */
int nnrpi_quic_send_datagram(nnrpi_quic *q, const uint8_t *pkt, size_t len);

/* Application close with a code of transport.md §2.5; the connection is freed by the caller
 * after on_closed.  Packets already queued are delivered first: CONNECTION_CLOSE follows once
 * every stream byte is acknowledged, at most 1 s later (C8), so on_closed may come from this
 * call or from a later readable / timer call.  Packets arriving meanwhile are discarded. */
int nnrpi_quic_close(nnrpi_quic *q, uint64_t app_code, const char *reason, nnrp_tstamp now);
/* Freeing a connection that is still open sends nothing (the peer sees an idle timeout).  A
 * listener's free leaves its connections to the host, unable to send. */
void nnrpi_quic_free(nnrpi_quic *q);
void nnrpi_quic_listener_free(nnrpi_quic_listener *l);

void nnrpi_quic_set_user(nnrpi_quic *q, void *user);
void *nnrpi_quic_user(const nnrpi_quic *q);

#endif /* NNRP_IO_QUIC_H */
