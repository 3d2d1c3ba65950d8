/*
 * Shared part of the session engine targets (fuzz_conn_server.c, fuzz_conn_client.c): a client
 * and a server engine that complete a real handshake in memory, then arbitrary bytes fed to
 * one of them, then whatever the engines answer moved between them until they are quiet,
 * timers, and the transport lost.
 *
 * Input layout:
 *   byte 0     mode: bits 0-1 how the bytes are fed (0 one nnrp_conn_read, 1 pieces of
 *              byte 1's size, 2 nnrp_conn_read_packet, 3 one byte at a time); bit 2 the server
 *              answers every admitted frame at once; bit 3 the client has two frames in flight
 *              before the bytes arrive; bit 4 the clock jumps 10 s before the end; bit 5 the
 *              attacked engine closes before the end
 *   byte 1     piece size (0 = 1)
 *   bytes 2-5  requested session id (u32, 0 = the server's choice)
 *   rest       the bytes
 *
 * The target aborts when the engine breaks a promise of conn.h: a frame reported twice, a
 * frame left without an outcome once the transport is gone, a conn not CLOSED then, a return
 * value that is not 0 or a negative NNRP_ERR_*.
 */
#ifndef NNRP_FUZZ_CONN_H
#define NNRP_FUZZ_CONN_H

#include <libnnrp/conn.h>

#include "fuzz_common.h"

#define FUZZ_KEYS 256

typedef struct fuzz_side {
  nnrp_conn *conn;
  struct {
    uint32_t frame_id;
    uint16_t view_id;
    uint16_t count;
  } keys[FUZZ_KEYS];
  size_t nkeys;
  int answer; /* server: answer admitted frames at once */
  nnrp_tstamp now;
} fuzz_side;

static int fuzz_conn_closed(nnrp_conn *c, const nnrp_frame_outcome *o, void *user) {
  (void)c;
  fuzz_side *s = user;
  for (size_t i = 0; i < s->nkeys; i++) {
    if (s->keys[i].frame_id == o->frame_id && s->keys[i].view_id == o->view_id) {
      FUZZ_CHECK(s->keys[i].count == 0); /* exactly one outcome per frame */
      s->keys[i].count++;
      return 0;
    }
  }
  if (s->nkeys < FUZZ_KEYS) {
    s->keys[s->nkeys].frame_id = o->frame_id;
    s->keys[s->nkeys].view_id = o->view_id;
    s->keys[s->nkeys].count = 1;
    s->nkeys++;
  }
  return 0;
}

static int fuzz_conn_submit(nnrp_conn *c, const nnrp_submit *sub, void *user) {
  fuzz_side *s = user;
  if (!s->answer) return 0;
  nnrp_result_push_input in;
  nnrp_result_push_input_init(&in);
  in.packet.frame_id = sub->frame_id;
  in.packet.view_id = sub->view_id;
  int rc = nnrp_conn_send_result(c, &in, 0, s->now);
  FUZZ_CHECK(rc <= 0);
  return 0;
}

static int fuzz_conn_rc(int rc) {
  FUZZ_CHECK(rc <= 0);
  FUZZ_CHECK(rc == 0 || nnrp_err_name(rc) != NULL);
  return rc;
}

/* Move every queued packet of `from` to `to`; returns the number moved. */
static size_t fuzz_conn_move(fuzz_side *from, fuzz_side *to) {
  size_t n = 0;
  nnrp_output out;
  static uint8_t buf[1 << 16];
  while (nnrp_conn_output_peek(from->conn, &out) == 1) {
    size_t len = 0;
    int fits = out.len <= sizeof buf;
    for (size_t i = 0; fits && i < out.iov_count; i++) {
      memcpy(buf + len, out.iov[i].base, out.iov[i].len);
      len += out.iov[i].len;
    }
    nnrp_conn_output_pop(from->conn);
    n++;
    if (fits) fuzz_conn_rc(nnrp_conn_read_packet(to->conn, buf, len, to->now));
  }
  return n;
}

static void fuzz_conn_flush(fuzz_side *a, fuzz_side *b) {
  for (int i = 0; i < 64; i++)
    if (fuzz_conn_move(a, b) + fuzz_conn_move(b, a) == 0) break;
}

static void fuzz_conn_run(const uint8_t *data, size_t size, int attack_server) {
  fuzz_reader r;
  fuzz_reader_init(&r, data, size);
  uint8_t mode = fuzz_u8(&r);
  size_t piece = fuzz_u8(&r);
  uint32_t sid = fuzz_u32(&r);
  if (piece == 0) piece = 1;

  static fuzz_side c, s;
  memset(&c, 0, sizeof c);
  memset(&s, 0, sizeof s);
  c.now = s.now = 1000000;
  s.answer = (mode & 0x4) != 0;
  nnrp_settings st;
  nnrp_settings_default(&st, NNRP_ROLE_CLIENT);
  st.client.hello.requested_session_id = sid;
  st.client.hello.max_lane_count = 2;
  st.client.hello.supported_payload_kind_bitmap = NNRP_PAYLOAD_KNOWN;
  st.server.payload_kind_bitmap = NNRP_PAYLOAD_KNOWN;
  st.server.max_lane_count = 2;
  st.server.max_concurrent_frames = 4;
  st.max_packet_bytes = 1 << 20;
  nnrp_callbacks cb;
  nnrp_callbacks_init(&cb);
  cb.frame_closed = fuzz_conn_closed;
  cb.recv_submit = fuzz_conn_submit;
  FUZZ_CHECK(nnrp_conn_client_new(&c.conn, &st, &cb, NULL, &c) == 0);
  FUZZ_CHECK(nnrp_conn_server_new(&s.conn, &st, &cb, NULL, &s) == 0);
  FUZZ_CHECK(nnrp_conn_connect(c.conn, c.now) == 0);
  fuzz_conn_flush(&c, &s);
  FUZZ_CHECK(nnrp_conn_state(c.conn) == NNRP_STATE_ACTIVE);
  FUZZ_CHECK(nnrp_conn_state(s.conn) == NNRP_STATE_ACTIVE);
  if (mode & 0x8) {
    for (int i = 0; i < 2; i++) {
      nnrp_frame_submit_input in;
      nnrp_frame_submit_input_init(&in);
      FUZZ_CHECK(nnrp_conn_submit(c.conn, &in, 0, NULL, NULL, c.now) == 0);
    }
    fuzz_conn_flush(&c, &s);
  }

  fuzz_side *t = attack_server ? &s : &c;
  fuzz_side *peer = attack_server ? &c : &s;
  const uint8_t *p = r.p;
  size_t n = r.n;
  switch (mode & 0x3) {
    case 0:
      fuzz_conn_rc(nnrp_conn_read(t->conn, p, n, t->now));
      break;
    case 2:
      fuzz_conn_rc(nnrp_conn_read_packet(t->conn, p, n, t->now));
      break;
    default: {
      size_t step = (mode & 0x3) == 3 ? 1 : piece;
      for (size_t off = 0; off < n; off += step) {
        size_t k = n - off < step ? n - off : step;
        if (fuzz_conn_rc(nnrp_conn_read(t->conn, p + off, k, t->now)) < 0) break;
      }
      break;
    }
  }
  fuzz_conn_flush(t, peer);
  if (mode & 0x10) {
    c.now += 10000000;
    s.now += 10000000;
    fuzz_conn_rc(nnrp_conn_handle_expiry(c.conn, c.now));
    fuzz_conn_rc(nnrp_conn_handle_expiry(s.conn, s.now));
    fuzz_conn_flush(t, peer);
  }
  if (mode & 0x20) {
    nnrp_vec none = {NULL, 0};
    fuzz_conn_rc(nnrp_conn_close(t->conn, none, t->now));
    fuzz_conn_flush(t, peer);
  }

  /* The transport goes away: both CLOSED, no frame left open, every frame ended once. */
  fuzz_conn_rc(nnrp_conn_transport_closed(c.conn, nnrp_conn_path(c.conn), c.now));
  fuzz_conn_rc(nnrp_conn_transport_closed(s.conn, nnrp_conn_path(s.conn), s.now));
  FUZZ_CHECK(nnrp_conn_state(c.conn) == NNRP_STATE_CLOSED);
  FUZZ_CHECK(nnrp_conn_state(s.conn) == NNRP_STATE_CLOSED);
  FUZZ_CHECK(nnrp_conn_in_flight(c.conn) == 0);
  FUZZ_CHECK(nnrp_conn_in_flight(s.conn) == 0);
  nnrp_conn_del(c.conn);
  nnrp_conn_del(s.conn);
}

#endif /* NNRP_FUZZ_CONN_H */
