/* Address resolution and listening sockets. */
#define _GNU_SOURCE
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io_int.h"

int nnrpi_resolve(const char *host, uint16_t port, int udp, struct sockaddr_storage *out,
                  socklen_t *outlen) {
  char service[8];
  snprintf(service, sizeof service, "%u", (unsigned)port);
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = udp ? SOCK_DGRAM : SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV;
  if (getaddrinfo(host && *host ? host : "127.0.0.1", service, &hints, &res) != 0 || !res)
    return NNRP_ERR_RESOLVE;
  memcpy(out, res->ai_addr, res->ai_addrlen);
  *outlen = res->ai_addrlen;
  freeaddrinfo(res);
  return 0;
}

uint16_t nnrpi_sockaddr_port(const struct sockaddr_storage *ss) {
  if (ss->ss_family == AF_INET) return ntohs(((const struct sockaddr_in *)ss)->sin_port);
  if (ss->ss_family == AF_INET6) return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
  return 0;
}

int nnrpi_tcp_listen_fd(const char *host, int port, int *pfd) {
  struct sockaddr_storage ss;
  socklen_t len;
  int rc = nnrpi_resolve(host, (uint16_t)port, 0, &ss, &len);
  if (rc) return rc;
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return NNRP_ERR_IO;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 128) != 0) {
    close(fd);
    return NNRP_ERR_IO;
  }
  *pfd = fd;
  return 0;
}
