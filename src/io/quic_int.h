/*
 * Private to the QUIC binding (quic_*.c): the connection, stream and TLS records behind
 * quic.h.  Only these files include ngtcp2.
 *
 *   quic_tls.c      GnuTLS credentials and per-connection sessions (ALPN nnrp/1, TLS 1.3,
 *                   verification)
 *   quic_stream.c   stream records: send chunks, per-stream packet reassembly, queues
 *   quic_callbacks.c ngtcp2 callbacks (they record, never call the host), settings
 *   quic_conn.c     one connection: read, write, timers, close, host callbacks
 *   quic_client.c   the client socket and connect
 *   quic_udp.c      UDP sockets and sends (GSO batches)
 *   quic_listener.c the server socket: routing datagrams to connections, accepting
 *
 * Re-entrancy.  ngtcp2 callbacks never call the host: they only record (stream bytes,
 * complete packets, handshake completion, failures).  The host callbacks run afterwards, from
 * quic_conn_service(), where the host may call nnrpi_quic_send / _close / _set_user.
 */
#ifndef NNRP_IO_QUIC_INT_H
#define NNRP_IO_QUIC_INT_H

#include <sys/types.h>

#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include "quic.h"

#define QUIC_ALPN "nnrp/1"
#define QUIC_SCID_LEN 16 /* QUIC_ROUTE_LEN bytes naming the connection, then random */
#define QUIC_ROUTE_LEN 8
#define QUIC_MAX_UDP 1452           /* largest UDP payload we send */
#define QUIC_RX_BUF 65536           /* largest datagram we read */
#define QUIC_RX_BATCH 16            /* datagrams read between acknowledging and writing */
#define QUIC_LINGER_US 1000000u     /* close: wait at most this long for stream data acks (C8) */
#define QUIC_GSO_SEGMENTS 44        /* 44 x 1452 bytes: one GSO send stays under 64 KiB */
#define QUIC_MAX_DGRAM_FRAME 65536u /* advertised DATAGRAM frame size (C5) */

/* ---- quic_tls.c ---------------------------------------------------------------------------- */

typedef struct quic_tls_ctx {
  gnutls_certificate_credentials_t cred;
  int server;
  int verify;        /* client: check the chain and server_name */
  int sni;           /* client: server_name is a DNS name, send it */
  char *server_name; /* client */
  char *alpn;        /* "nnrp/1" unless a test overrides it */
  unsigned refs;
} quic_tls_ctx;

/* Credentials for a listener (cert + key) or a client (trust store, CA file, name). */
int quic_tls_ctx_new(quic_tls_ctx **pctx, int server, const nnrpi_quic_tls *o, const char *host);
void quic_tls_ctx_ref(quic_tls_ctx *ctx);
void quic_tls_ctx_unref(quic_tls_ctx *ctx);
/* A GnuTLS session configured for QUIC, pointing at conn_ref. */
int quic_tls_session_new(gnutls_session_t *ps, quic_tls_ctx *ctx, ngtcp2_crypto_conn_ref *conn_ref);
/* After a failed handshake: NNRP_ERR_TLS_VERIFY, NNRP_ERR_TLS_ALPN or NNRP_ERR_TLS for a TLS
 * failure (a CRYPTO_ERROR code or our own verification status), else NNRP_ERR_QUIC_TRANSPORT. */
int quic_tls_failure(gnutls_session_t s, uint64_t transport_code);
/* 1 when the session agreed on the context's ALPN. */
int quic_tls_alpn_ok(gnutls_session_t s, const quic_tls_ctx *ctx);

/* ---- quic_udp.c ---------------------------------------------------------------------------- */

/* Datagrams written in one round, sent together (GSO) when they have one size and address. */
typedef struct quic_tx {
  uint8_t *buf; /* QUIC_GSO_SEGMENTS * QUIC_MAX_UDP bytes */
  size_t len, segment, count;
  ngtcp2_path_storage path;
} quic_tx;

/* A non-blocking UDP socket with large buffers; -1 on failure. */
int quic_udp_socket(int family);
/* One read of n bytes (-1 with errno when nothing is read): several datagrams of *segment
 * bytes each (the last may be shorter) when the kernel joined them (GRO), else one datagram of
 * n bytes.  n == 0: a datagram too large, dropped. */
ssize_t quic_udp_recv(int fd, uint8_t *buf, size_t cap, struct sockaddr_storage *from,
                      socklen_t *fromlen, size_t *segment);
/* One datagram (lost silently if the socket refuses it, as UDP may). */
void quic_udp_send(nnrpi_quic *q, const ngtcp2_path *path, const uint8_t *data, size_t len);
/* The datagram of n bytes just written at t->buf + t->len; sends the batch when it is full or
 * the datagram cannot join it. */
void quic_tx_add(nnrpi_quic *q, quic_tx *t, const ngtcp2_path *path, size_t n);
void quic_tx_flush(nnrpi_quic *q, quic_tx *t);

/* ---- quic_stream.c ------------------------------------------------------------------------- */

typedef struct quic_chunk {
  struct quic_chunk *next;
  size_t len;
  uint8_t data[];
} quic_chunk;

/* A complete received packet (or datagram) waiting to be handed to the host. */
typedef struct quic_rx {
  struct quic_rx *next;
  int path;
  size_t len; /* the whole packet */
  size_t cap; /* bytes allocated for data: grows with what arrives, up to len */
  uint8_t data[];
} quic_rx;

typedef struct quic_stream {
  int64_t id;                      /* -1 until opened */
  struct quic_stream *prev, *next; /* all streams of the connection */
  struct quic_stream *next_q;      /* send queue or open queue */
  int queued;                      /* on the send queue */
  unsigned blocked;                /* flow-blocked in this write round (0: never) */
  /* send side: chunks from offset `base` on; bytes below `sent` were handed to ngtcp2, bytes
   * below `acked` may be freed */
  quic_chunk *head, *tail;
  uint64_t base, sent, end, acked;
  int fin; /* end the stream after `end` (unidirectional) */
  int fin_sent;
  /* receive side: one packet at a time */
  uint8_t hdr[40];
  size_t hdr_have;
  quic_rx *rx; /* the packet being filled (header known) */
  size_t rx_have;
  int remote; /* opened by the peer */
  int broken; /* failed: ignore further bytes */
} quic_stream;

struct nnrpi_quic {
  ngtcp2_conn *conn;
  gnutls_session_t tls;
  quic_tls_ctx *tlsctx;
  ngtcp2_crypto_conn_ref conn_ref;
  int server;
  int fd;                        /* client: own socket; server: the listener's */
  nnrpi_quic_listener *listener; /* server connections, until closed */
  nnrpi_quic *lprev, *lnext;     /* the listener's list */
  uint8_t route[QUIC_ROUTE_LEN]; /* server: prefix of every CID we issue */
  ngtcp2_cid odcid;              /* server: the client's first DCID */
  struct sockaddr_storage local, remote;
  socklen_t locallen, remotelen;
  nnrpi_quic_callbacks cb;
  void *user;
  nnrpi_quic_settings settings;
  const uint8_t *reset_secret; /* 32 bytes for stateless reset tokens */
  uint8_t own_secret[32];
  uint8_t *rxbuf;        /* client: one datagram */
  int dirty;             /* server: fed by the listener, service pending */
  unsigned round;        /* write rounds, to skip flow-blocked streams */
  int closed;            /* on_closed was reported */
  int in_service;        /* a host callback runs: defer closing and freeing */
  int free_pending;      /* nnrpi_quic_free from one of its callbacks */
  int handshake_pending; /* ngtcp2 reported completion; tell the host */
  /* streams */
  quic_stream *streams;            /* all */
  quic_stream *control;            /* stream 0 (may wait for its id) */
  quic_stream *sendq, *sendq_tail; /* uni streams with unsent bytes, in send order */
  quic_stream *openq, *openq_tail; /* uni packets waiting for stream credit */
  quic_rx *rxq, *rxq_tail;         /* complete packets for the host */
  quic_chunk *dgq, *dgq_tail;      /* datagrams to send */
  uint64_t unacked;                /* stream bytes queued and not acknowledged */
  uint32_t session_id;             /* last header session id seen (for our own ERROR) */
  /* failure recorded inside an ngtcp2 callback, acted on afterwards */
  int fail_err;
  uint64_t fail_app_code;
  /* closing */
  int closing; /* linger: waiting for acks before CONNECTION_CLOSE */
  nnrp_tstamp linger_until;
  uint64_t close_code;
  char close_reason[64];
  int close_err;               /* reported with on_closed for a local close */
  uint8_t *txb;                /* a quic_tx buffer: the client's, or its listener's */
  int no_gso;                  /* the socket refused a GSO send */
  uint8_t txbuf[QUIC_MAX_UDP]; /* single packets: CONNECTION_CLOSE, DATAGRAM frames */
};

int quic_stream_new(nnrpi_quic *q, quic_stream **ps);
void quic_stream_free(nnrpi_quic *q, quic_stream *s);
/* Append a copy of the packet's bytes to the stream's send side. */
int quic_stream_append(nnrpi_quic *q, quic_stream *s, const nnrp_vec *iov, size_t iovcnt,
                       size_t total);
/* Up to `cap` vectors of the unsent bytes; returns the count (0 when nothing is left). */
size_t quic_stream_unsent(const quic_stream *s, ngtcp2_vec *v, size_t cap);
void quic_stream_sent(quic_stream *s, size_t n);
void quic_stream_acked(nnrpi_quic *q, quic_stream *s, uint64_t offset, uint64_t len);
/* Receive bytes: complete packets go to q->rxq.  0, or a framing error (the stream is broken
 * and the connection must fail with it). */
int quic_stream_recv(nnrpi_quic *q, quic_stream *s, const uint8_t *data, size_t len, int fin);
void quic_sendq_push(nnrpi_quic *q, quic_stream *s);
void quic_sendq_remove(nnrpi_quic *q, quic_stream *s);
void quic_rxq_push(nnrpi_quic *q, quic_rx *rx);
/* The path of a packet that arrived on a unidirectional stream or in a datagram (§1 routing:
 * by msg_type). */
int quic_path_of(uint8_t msg_type);

/* ---- quic_conn.c --------------------------------------------------------------------------- */

/* Shared connection setup for both roles; the ngtcp2 conn is created by the caller. */
void quic_callbacks_fill(ngtcp2_callbacks *cb, int server);
void quic_settings_fill(const nnrpi_quic *q, ngtcp2_settings *s, ngtcp2_transport_params *p,
                        nnrp_tstamp now);
/* New connection object (no ngtcp2 conn yet). */
int quic_conn_alloc(nnrpi_quic **pq, int server, const nnrpi_quic_settings *settings,
                    const nnrpi_quic_callbacks *cb, void *user, quic_tls_ctx *tlsctx);
int quic_conn_attach_tls(nnrpi_quic *q);
/* Our local address and `remote` as an ngtcp2 path (views, not copies). */
void quic_path_set(ngtcp2_path *p, nnrpi_quic *q, const struct sockaddr *remote,
                   socklen_t remotelen);
/* Process one received UDP datagram; returns 1 when the connection was closed and reported
 * (the object may be gone), else 0. */
int quic_conn_recv(nnrpi_quic *q, const struct sockaddr *from, socklen_t fromlen,
                   const uint8_t *data, size_t len, nnrp_tstamp now);
/* After a host callback (in_service was raised for it): 1 when the host freed the connection
 * from the callback, which is now done. */
int quic_callback_done(nnrpi_quic *q);
/* Write what ngtcp2 has (streams, datagrams); 0 or an ngtcp2 error, nothing reported. */
int quic_conn_write_raw(nnrpi_quic *q, nnrp_tstamp now);
/* Host callbacks, pending close, writes; 1 when closed and reported (or freed). */
int quic_conn_service(nnrpi_quic *q, nnrp_tstamp now);
void quic_random(uint8_t *dest, size_t len);
/* 0, or NNRP_ERR_INVALID_ARGUMENT for settings out of range (NULL: the defaults). */
int quic_settings_check(const nnrpi_quic_settings *s);
ngtcp2_tstamp quic_ts(nnrp_tstamp now);
/* `now` moved to the present of CLOCK_MONOTONIC (the host's clock, see quic.h), for each
 * datagram of a long read: we write in between, and a packet sent and acknowledged within one
 * read call must not share a timestamp, or the RTT estimate collapses to 0. */
nnrp_tstamp quic_later(nnrp_tstamp now);

/* ---- quic_listener.c ----------------------------------------------------------------------- */

void quic_listener_unlink(nnrpi_quic *q);
int quic_listener_fd(const nnrpi_quic_listener *l);

#endif /* NNRP_IO_QUIC_INT_H */
