/* UDP for the QUIC binding: sockets, single datagrams, and batches of equal-sized datagrams
 * sent with one sendmsg through UDP generic segmentation offload (GSO) where the kernel has it. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>

#include "quic_int.h"

int quic_udp_socket(int family) {
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  /* Bursts of a whole congestion window arrive at once on fast paths; the default buffers drop
   * them.  Privileged processes may go past the system maximum. */
  int size = 4 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) != 0)
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  int on = 1; /* receive runs of datagrams in one read where the kernel keeps them together */
  (void)setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof on);
  return fd;
}

ssize_t quic_udp_recv(int fd, uint8_t *buf, size_t cap, struct sockaddr_storage *from,
                      socklen_t *fromlen, size_t *segment) {
  struct iovec iov = {buf, cap};
  struct msghdr m = {0};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } ctl;
  m.msg_name = from;
  m.msg_namelen = from ? sizeof *from : 0;
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = ctl.buf;
  m.msg_controllen = sizeof ctl.buf;
  ssize_t n;
  do n = recvmsg(fd, &m, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) return -1;
  if (m.msg_flags & MSG_TRUNC) n = 0; /* larger than any QUIC datagram we accept: drop */
  *segment = (size_t)n;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
    int seg;
    if (c->cmsg_level != SOL_UDP || c->cmsg_type != UDP_GRO) continue;
    memcpy(&seg, CMSG_DATA(c), sizeof seg);
    if (seg > 0 && (size_t)seg < *segment) *segment = (size_t)seg;
  }
  if (fromlen) *fromlen = m.msg_namelen;
  return n;
}

/* Where a datagram of `q` goes: nowhere for a client (its socket is connected), else the
 * path's remote address, or the connection's. */
static void destination(const nnrpi_quic *q, const ngtcp2_path *path, struct msghdr *m) {
  if (!q->server) return;
  if (path && path->remote.addrlen) {
    m->msg_name = path->remote.addr;
    m->msg_namelen = path->remote.addrlen;
  } else {
    m->msg_name = (void *)&q->remote;
    m->msg_namelen = q->remotelen;
  }
}

/* `segment` > 0: one sendmsg that the kernel cuts into datagrams of that size.  1 when the
 * bytes left (or were lost as in any UDP send), 0 when GSO is refused. */
static int send_msg(nnrpi_quic *q, const ngtcp2_path *path, const uint8_t *data, size_t len,
                    size_t segment) {
  struct iovec iov = {(void *)data, len};
  struct msghdr m = {0};
  union {
    char buf[CMSG_SPACE(sizeof(uint16_t))];
    struct cmsghdr align;
  } ctl;
  destination(q, path, &m);
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  if (segment) {
    uint16_t seg = (uint16_t)segment;
    memset(&ctl, 0, sizeof ctl);
    m.msg_control = ctl.buf;
    m.msg_controllen = sizeof ctl.buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_UDP;
    c->cmsg_type = UDP_SEGMENT;
    c->cmsg_len = CMSG_LEN(sizeof seg);
    memcpy(CMSG_DATA(c), &seg, sizeof seg);
  }
  ssize_t n;
  do n = sendmsg(q->fd, &m, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0 && segment &&
      (errno == EIO || errno == EINVAL || errno == ENOPROTOOPT || errno == EOPNOTSUPP)) {
    q->no_gso = 1; /* no offload on this path: one datagram per call from now on */
    return 0;
  }
  /* A full socket buffer or an ICMP error loses the datagram; QUIC recovers as from loss. */
  return 1;
}

void quic_udp_send(nnrpi_quic *q, const ngtcp2_path *path, const uint8_t *data, size_t len) {
  if (q->fd < 0 || (q->server && !q->listener)) return;
  (void)send_msg(q, path, data, len, 0);
}

void quic_tx_flush(nnrpi_quic *q, quic_tx *t) {
  if (!t->count) return;
  if (q->fd >= 0 && (!q->server || q->listener) &&
      (t->count == 1 || q->no_gso || !send_msg(q, &t->path.path, t->buf, t->len, t->segment)))
    for (size_t off = 0; off < t->len; off += t->segment)
      (void)send_msg(q, &t->path.path, t->buf + off,
                     t->len - off < t->segment ? t->len - off : t->segment, 0);
  t->len = t->segment = t->count = 0;
}

static int same_path(const ngtcp2_path *a, const ngtcp2_path *b) {
  return a->remote.addrlen == b->remote.addrlen &&
         memcmp(a->remote.addr, b->remote.addr, a->remote.addrlen) == 0;
}

/* The datagram of n bytes just written at t->buf + t->len, for `path`.  A batch holds datagrams
 * of one size to one address; a shorter one may end it (GSO's rule). */
void quic_tx_add(nnrpi_quic *q, quic_tx *t, const ngtcp2_path *path, size_t n) {
  if (t->count && (n > t->segment || !same_path(path, &t->path.path))) {
    uint8_t *pkt = t->buf + t->len;
    quic_tx_flush(q, t); /* the previous batch goes alone */
    memmove(t->buf, pkt, n);
  }
  if (!t->count) {
    ngtcp2_path_copy(&t->path.path, path);
    t->segment = n;
  }
  t->len += n;
  t->count++;
  if (n < t->segment || t->count == QUIC_GSO_SEGMENTS) quic_tx_flush(q, t);
}
