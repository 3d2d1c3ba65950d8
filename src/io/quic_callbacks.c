/* The ngtcp2 side of a connection: callbacks that only record what happened (bytes, complete
 * packets, handshake completion, failures) for quic_conn_service to act on, and the settings
 * and transport parameters of both roles (transport.md §2.1-§2.5, C4, C5, C15). */
#include <stdlib.h>
#include <string.h>

#include "quic_int.h"

static void fail_later(nnrpi_quic *q, int err) {
  if (!q->fail_err) q->fail_err = err;
}

static void rand_cb(uint8_t *dest, size_t len, const ngtcp2_rand_ctx *ctx) {
  (void)ctx;
  quic_random(dest, len);
}

static int new_cid_cb(ngtcp2_conn *conn, ngtcp2_cid *cid, uint8_t *token, size_t cidlen,
                      void *user) {
  (void)conn;
  nnrpi_quic *q = user;
  uint8_t data[NGTCP2_MAX_CIDLEN];
  size_t keep = q->server && cidlen >= QUIC_ROUTE_LEN ? QUIC_ROUTE_LEN : 0;
  memcpy(data, q->route, keep); /* the listener routes on this prefix */
  quic_random(data + keep, cidlen - keep);
  ngtcp2_cid_init(cid, data, cidlen);
  if (ngtcp2_crypto_generate_stateless_reset_token(token, q->reset_secret, 32, cid) != 0)
    return NGTCP2_ERR_CALLBACK_FAILURE;
  return 0;
}

static int handshake_completed_cb(ngtcp2_conn *conn, void *user) {
  (void)conn;
  nnrpi_quic *q = user;
  if (!q->server && !quic_tls_alpn_ok(q->tls, q->tlsctx)) {
    fail_later(q, NNRP_ERR_TLS_ALPN);
    return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  q->handshake_pending = 1;
  return 0;
}

/* The stream record of a peer-opened stream, made on its first bytes. */
static quic_stream *remote_stream(nnrpi_quic *q, int64_t id) {
  quic_stream *s;
  if (!(id & 0x2) && q->control && q->control->id < 0) {
    s = q->control; /* server: control packets were queued before the client opened stream 0 */
  } else if (quic_stream_new(q, &s) < 0) {
    return NULL;
  }
  s->id = id;
  s->remote = 1;
  if (!(id & 0x2) && !q->control) q->control = s;
  if (ngtcp2_conn_set_stream_user_data(q->conn, id, s) != 0) {
    quic_stream_free(q, s);
    return NULL;
  }
  return s;
}

static int recv_stream_data_cb(ngtcp2_conn *conn, uint32_t flags, int64_t id, uint64_t offset,
                               const uint8_t *data, size_t len, void *user, void *stream_user) {
  (void)offset;
  nnrpi_quic *q = user;
  quic_stream *s = stream_user;
  if (!s && !(s = remote_stream(q, id))) {
    fail_later(q, NNRP_ERR_NOMEM);
    return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  /* The bytes are copied out at once, so the peer may send more right away; memory stays
   * bounded by max_packet_len per stream and the stream count limit. */
  ngtcp2_conn_extend_max_stream_offset(conn, id, len);
  ngtcp2_conn_extend_max_offset(conn, len);
  if (q->closing) return 0;
  int fin = flags & NGTCP2_STREAM_DATA_FLAG_FIN;
  int rc = quic_stream_recv(q, s, data, len, fin);
  if (rc < 0) {
    fail_later(q, rc); /* the connection fails after this packet (§2.2) */
  } else if (fin && (id & 0x2)) {
    /* ngtcp2 0.12 never closes a peer's unidirectional stream (fixed in 0.13, ngtcp2 issue
     * 662): release ours here and give the peer its stream credit back ourselves. */
    ngtcp2_conn_set_stream_user_data(conn, id, NULL);
    quic_stream_free(q, s);
    ngtcp2_conn_extend_max_streams_uni(conn, 1);
  }
  return 0;
}

static int acked_cb(ngtcp2_conn *conn, int64_t id, uint64_t offset, uint64_t len, void *user,
                    void *stream_user) {
  (void)conn, (void)id;
  if (stream_user) quic_stream_acked(user, stream_user, offset, len);
  return 0;
}

static int stream_close_cb(ngtcp2_conn *conn, uint32_t flags, int64_t id, uint64_t app_code,
                           void *user, void *stream_user) {
  (void)conn, (void)flags, (void)id, (void)app_code;
  if (stream_user) quic_stream_free(user, stream_user);
  return 0;
}

static int stream_reset_cb(ngtcp2_conn *conn, int64_t id, uint64_t final_size, uint64_t app_code,
                           void *user, void *stream_user) {
  (void)conn, (void)id, (void)final_size, (void)app_code, (void)stream_user;
  fail_later(user, NNRP_ERR_QUIC_STREAM_RESET); /* as nnrp-py: the connection fails (§2.2) */
  return 0;
}

static int extend_stream_data_cb(ngtcp2_conn *conn, int64_t id, uint64_t max_data, void *user,
                                 void *stream_user) {
  (void)conn, (void)id, (void)max_data;
  quic_stream *s = stream_user;
  if (s && (id & 0x2) && !s->remote && s->sent < s->end) quic_sendq_push(user, s);
  return 0;
}

/* C5: a datagram is taken only when it is exactly one valid FRAME_CANCEL, PING, PONG or
 * RESULT_DROP, delivered like a control-stream packet; anything else is dropped silently. */
static int recv_datagram_cb(ngtcp2_conn *conn, uint32_t flags, const uint8_t *data, size_t len,
                            void *user) {
  (void)conn, (void)flags;
  nnrpi_quic *q = user;
  nnrp_decode_options o = {0};
  o.flags = NNRP_DECODE_EXACT;
  nnrp_packet p;
  if (q->closing || nnrp_packet_decode(&p, data, len, &o, NULL) < 0) return 0;
  uint8_t t = p.header.msg_type;
  if (t != NNRP_MSG_FRAME_CANCEL && t != NNRP_MSG_PING && t != NNRP_MSG_PONG &&
      t != NNRP_MSG_RESULT_DROP)
    return 0;
  quic_rx *rx = malloc(sizeof *rx + len);
  if (!rx) return 0; /* loss-tolerant by definition */
  rx->path = NNRPI_QUIC_CONTROL;
  rx->len = rx->cap = len;
  memcpy(rx->data, data, len);
  quic_rxq_push(q, rx);
  return 0;
}

void quic_callbacks_fill(ngtcp2_callbacks *cb, int server) {
  memset(cb, 0, sizeof *cb);
  if (server)
    cb->recv_client_initial = ngtcp2_crypto_recv_client_initial_cb;
  else {
    cb->client_initial = ngtcp2_crypto_client_initial_cb;
    cb->recv_retry = ngtcp2_crypto_recv_retry_cb;
  }
  cb->recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb;
  cb->encrypt = ngtcp2_crypto_encrypt_cb;
  cb->decrypt = ngtcp2_crypto_decrypt_cb;
  cb->hp_mask = ngtcp2_crypto_hp_mask_cb;
  cb->update_key = ngtcp2_crypto_update_key_cb;
  cb->delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
  cb->delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
  cb->get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
  cb->version_negotiation = ngtcp2_crypto_version_negotiation_cb;
  cb->rand = rand_cb;
  cb->get_new_connection_id = new_cid_cb;
  cb->handshake_completed = handshake_completed_cb;
  cb->recv_stream_data = recv_stream_data_cb;
  cb->acked_stream_data_offset = acked_cb;
  cb->stream_close = stream_close_cb;
  cb->stream_reset = stream_reset_cb;
  cb->extend_max_stream_data = extend_stream_data_cb;
  cb->recv_datagram = recv_datagram_cb;
}

void quic_settings_fill(const nnrpi_quic *q, ngtcp2_settings *s, ngtcp2_transport_params *p,
                        nnrp_tstamp now) {
  ngtcp2_settings_default(s);
  s->initial_ts = quic_ts(now);
  s->max_tx_udp_payload_size = QUIC_MAX_UDP;
  s->no_pmtud = 1; /* sockets do not set DF; stay at a size every path carries */
  s->handshake_timeout =
      q->settings.handshake_timeout_us ? q->settings.handshake_timeout_us * 1000 : UINT64_MAX;
  s->max_window = 64u << 20; /* flow-control auto-tuning ceilings */
  s->max_stream_window = 16u << 20;
  ngtcp2_transport_params_default(p);
  p->initial_max_data = 8u << 20;
  p->initial_max_stream_data_bidi_local = 1u << 20;
  p->initial_max_stream_data_bidi_remote = 1u << 20;
  p->initial_max_stream_data_uni = 1u << 20;
  p->initial_max_streams_bidi = q->server ? 1 : 0; /* C4: only the control stream */
  p->initial_max_streams_uni = q->settings.max_streams_uni;
  p->max_idle_timeout = q->settings.idle_timeout_us * 1000;
  p->max_datagram_frame_size = QUIC_MAX_DGRAM_FRAME;
}
