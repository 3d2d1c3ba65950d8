/*
 * TLS for the TCP binding with GnuTLS (transport.md §3.1, C2): TLS 1.3, ALPN exactly
 * nnrp/1-tcp on both sides (mandatory: no silent fallback), the peer certificate verified
 * against the system roots plus an optional CA file unless the insecure switch is on; SNI only
 * for DNS names.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <stdlib.h>
#include <string.h>

#include "io_int.h"

struct nnrpi_tls_ctx {
  gnutls_certificate_credentials_t cred;
  int server;
  int insecure;
  char *name; /* client: the name to verify */
};

struct nnrpi_tls {
  gnutls_session_t s;
  int send_pending; /* a record send returned AGAIN: the next call resumes it */
};

static const char priority[] = "NORMAL:-VERS-ALL:+VERS-TLS1.3";

static int is_ip_literal(const char *name) {
  unsigned char buf[16];
  return inet_pton(AF_INET, name, buf) == 1 || inet_pton(AF_INET6, name, buf) == 1;
}

int nnrpi_tls_ctx_client(nnrpi_tls_ctx **pctx, const nnrp_tls_options *o, const char *host) {
  nnrpi_tls_ctx *c = calloc(1, sizeof *c);
  if (!c) return NNRP_ERR_NOMEM;
  const char *name = o && o->server_name ? o->server_name : host;
  c->name = strdup(name ? name : "localhost");
  c->insecure = o ? o->insecure_skip_verify : 0;
  if (!c->name || gnutls_certificate_allocate_credentials(&c->cred) < 0) {
    free(c->name);
    free(c);
    return NNRP_ERR_NOMEM;
  }
  if (!c->insecure) {
    /* An empty system store is fine when a CA file is given. */
    int n = gnutls_certificate_set_x509_system_trust(c->cred);
    if (o && o->ca_file) {
      if (gnutls_certificate_set_x509_trust_file(c->cred, o->ca_file, GNUTLS_X509_FMT_PEM) <= 0) {
        nnrpi_tls_ctx_free(c);
        return NNRP_ERR_TLS;
      }
    } else if (n <= 0) {
      nnrpi_tls_ctx_free(c);
      return NNRP_ERR_TLS_VERIFY;
    }
  }
  *pctx = c;
  return 0;
}

int nnrpi_tls_ctx_server(nnrpi_tls_ctx **pctx, const nnrp_tls_options *o) {
  if (!o || !o->cert_file || !o->key_file) return NNRP_ERR_INVALID_ARGUMENT;
  nnrpi_tls_ctx *c = calloc(1, sizeof *c);
  if (!c) return NNRP_ERR_NOMEM;
  c->server = 1;
  if (gnutls_certificate_allocate_credentials(&c->cred) < 0) {
    free(c);
    return NNRP_ERR_NOMEM;
  }
  if (gnutls_certificate_set_x509_key_file(c->cred, o->cert_file, o->key_file,
                                           GNUTLS_X509_FMT_PEM) < 0) {
    nnrpi_tls_ctx_free(c);
    return NNRP_ERR_TLS;
  }
  *pctx = c;
  return 0;
}

void nnrpi_tls_ctx_free(nnrpi_tls_ctx *c) {
  if (!c) return;
  if (c->cred) gnutls_certificate_free_credentials(c->cred);
  free(c->name);
  free(c);
}

int nnrpi_tls_new(nnrpi_tls **ptls, nnrpi_tls_ctx *c, int fd) {
  nnrpi_tls *t = calloc(1, sizeof *t);
  if (!t) return NNRP_ERR_NOMEM;
  if (gnutls_init(&t->s, (c->server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NONBLOCK) < 0) {
    free(t);
    return NNRP_ERR_NOMEM;
  }
  gnutls_datum_t alpn = {(unsigned char *)NNRP_ALPN_TCP_TLS, sizeof NNRP_ALPN_TCP_TLS - 1};
  int rc = gnutls_priority_set_direct(t->s, priority, NULL);
  if (rc >= 0) rc = gnutls_credentials_set(t->s, GNUTLS_CRD_CERTIFICATE, c->cred);
  if (rc >= 0) rc = gnutls_alpn_set_protocols(t->s, &alpn, 1, GNUTLS_ALPN_MANDATORY);
  if (rc >= 0 && !c->server) {
    if (!is_ip_literal(c->name))
      rc = gnutls_server_name_set(t->s, GNUTLS_NAME_DNS, c->name, strlen(c->name));
    if (rc >= 0 && !c->insecure) gnutls_session_set_verify_cert(t->s, c->name, 0);
  }
  if (rc < 0) {
    gnutls_deinit(t->s);
    free(t);
    return NNRP_ERR_TLS;
  }
  gnutls_transport_set_int(t->s, fd);
  *ptls = t;
  return 0;
}

void nnrpi_tls_free(nnrpi_tls *t) {
  if (!t) return;
  gnutls_deinit(t->s);
  free(t);
}

int nnrpi_tls_handshake(nnrpi_tls *t, int *want_write) {
  int rc = gnutls_handshake(t->s);
  if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED) {
    *want_write = gnutls_record_get_direction(t->s);
    return NNRP_ERR_WOULD_BLOCK;
  }
  if (rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR || rc == GNUTLS_E_CERTIFICATE_ERROR)
    return NNRP_ERR_TLS_VERIFY;
  if (rc == GNUTLS_E_NO_APPLICATION_PROTOCOL) return NNRP_ERR_TLS_ALPN;
  if (rc < 0) return NNRP_ERR_TLS;
  gnutls_datum_t sel;
  if (gnutls_alpn_get_selected_protocol(t->s, &sel) < 0 ||
      sel.size != sizeof NNRP_ALPN_TCP_TLS - 1 ||
      memcmp(sel.data, NNRP_ALPN_TCP_TLS, sel.size) != 0)
    return NNRP_ERR_TLS_ALPN;
  return 0;
}

long nnrpi_tls_recv(nnrpi_tls *t, uint8_t *buf, size_t cap) {
  for (;;) {
    ssize_t n = gnutls_record_recv(t->s, buf, cap);
    if (n >= 0) return (long)n;
    if (n == GNUTLS_E_AGAIN) return NNRP_ERR_WOULD_BLOCK;
    if (n == GNUTLS_E_INTERRUPTED) continue;
    if (n == GNUTLS_E_PREMATURE_TERMINATION) return 0; /* EOF without close_notify */
    return NNRP_ERR_TLS;
  }
}

long nnrpi_tls_send(nnrpi_tls *t, const uint8_t *data, size_t len) {
  ssize_t n =
      t->send_pending ? gnutls_record_send(t->s, NULL, 0) : gnutls_record_send(t->s, data, len);
  if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) {
    t->send_pending = 1;
    return NNRP_ERR_WOULD_BLOCK;
  }
  t->send_pending = 0;
  if (n < 0) return NNRP_ERR_TLS;
  return (long)n;
}

void nnrpi_tls_bye(nnrpi_tls *t) {
  gnutls_bye(t->s, GNUTLS_SHUT_WR);
}
