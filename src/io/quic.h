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
} nnrpi_quic_tls;

typedef struct nnrpi_quic_callbacks {
  /* A whole NNRP packet arrived on `path`.  The bytes are valid during the call. */
  void (*on_packet)(void *user, nnrpi_quic *q, int path, const uint8_t *pkt, size_t len);
  /* The QUIC handshake completed (ALPN nnrp/1 agreed, peer verified unless insecure). */
  void (*on_handshake_done)(void *user, nnrpi_quic *q);
  /* The connection ended: `err` is 0 for a clean close, else a negative NNRP_ERR_*; app_code
   * is the peer's or our application close code (transport.md §2.5). */
  void (*on_closed)(void *user, nnrpi_quic *q, int err, uint64_t app_code);
  /* Server: a new connection was accepted by a listener. */
  void (*on_accept)(void *user, nnrpi_quic_listener *l, nnrpi_quic *q);
} nnrpi_quic_callbacks;

typedef struct nnrpi_quic_settings {
  uint64_t idle_timeout_us;     /* default 120 s */
  uint64_t keepalive_us;        /* 0 = off */
  uint64_t max_streams_uni;     /* inbound unidirectional streams allowed; default 100 */
  size_t max_packet_len;        /* largest NNRP packet accepted on a stream */
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
/* Read every datagram waiting on the socket and process it. */
int nnrpi_quic_on_readable(nnrpi_quic *q, nnrp_tstamp now);
int nnrpi_quic_listener_on_readable(nnrpi_quic_listener *l, nnrp_tstamp now);
/* Timers: next deadline of a connection, and what to do when it passes. */
nnrp_tstamp nnrpi_quic_expiry(const nnrpi_quic *q);
int nnrpi_quic_on_timer(nnrpi_quic *q, nnrp_tstamp now);
/* Flush what ngtcp2 has to send (after sends or timers). */
int nnrpi_quic_flush(nnrpi_quic *q, nnrp_tstamp now);

/* Send one whole NNRP packet on its path (control stream, or a new unidirectional stream that
 * is ended after it).  The bytes are copied or kept until acknowledged. */
int nnrpi_quic_send(nnrpi_quic *q, int path, const nnrp_vec *iov, size_t iovcnt,
                    nnrp_tstamp now);

/* Application close with a code of transport.md §2.5; the connection is freed by the caller
 * after on_closed. */
int nnrpi_quic_close(nnrpi_quic *q, uint64_t app_code, const char *reason, nnrp_tstamp now);
void nnrpi_quic_free(nnrpi_quic *q);
void nnrpi_quic_listener_free(nnrpi_quic_listener *l);

void nnrpi_quic_set_user(nnrpi_quic *q, void *user);
void *nnrpi_quic_user(const nnrpi_quic *q);

#endif /* NNRP_IO_QUIC_H */
