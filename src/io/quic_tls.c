/* GnuTLS for the QUIC binding: TLS 1.3 only, ALPN exactly nnrp/1, peer verification
 * (transport.md §2.1, C1). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <ngtcp2/ngtcp2_crypto_gnutls.h>

#include "quic_int.h"

/* TLS 1.3 with the AEADs QUIC defines and without the middlebox compatibility mode, which
 * QUIC forbids (RFC 9001 §8.4). */
static const char PRIORITY[] =
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:"
    "+AES-128-CCM:%DISABLE_TLS13_COMPAT_MODE";

/* TLS alerts (RFC 8446 §6.2) that say the certificate was refused. */
enum {
  ALERT_BAD_CERTIFICATE = 42,
  ALERT_CERTIFICATE_EXPIRED = 45,
  ALERT_CERTIFICATE_UNKNOWN = 46,
  ALERT_UNKNOWN_CA = 48,
  ALERT_NO_APPLICATION_PROTOCOL = 120
};

static int is_ip_literal(const char *name) {
  unsigned char buf[16];
  return inet_pton(AF_INET, name, buf) == 1 || inet_pton(AF_INET6, name, buf) == 1;
}

void quic_tls_ctx_ref(quic_tls_ctx *ctx) {
  ctx->refs++;
}

void quic_tls_ctx_unref(quic_tls_ctx *ctx) {
  if (!ctx || --ctx->refs) return;
  if (ctx->cred) gnutls_certificate_free_credentials(ctx->cred);
  free(ctx->server_name);
  free(ctx->alpn);
  free(ctx);
}

static int load_server(quic_tls_ctx *c, const nnrpi_quic_tls *o) {
  if (!o || !o->cert_file || !o->key_file) return NNRP_ERR_INVALID_ARGUMENT;
  if (gnutls_certificate_set_x509_key_file(c->cred, o->cert_file, o->key_file,
                                           GNUTLS_X509_FMT_PEM) < 0)
    return NNRP_ERR_TLS;
  return 0;
}

static int load_client(quic_tls_ctx *c, const nnrpi_quic_tls *o, const char *host) {
  const char *name = o && o->server_name ? o->server_name : host;
  c->verify = !(o && o->insecure_skip_verify);
  if (name && *name) {
    if (!(c->server_name = strdup(name))) return NNRP_ERR_NOMEM;
    c->sni = !is_ip_literal(name); /* SNI carries DNS names only (RFC 6066 §3) */
  }
  if (!c->verify) return 0;
  if (!c->server_name) return NNRP_ERR_INVALID_ARGUMENT; /* nothing to verify against */
  /* A machine without a system store still trusts ca_file. */
  (void)gnutls_certificate_set_x509_system_trust(c->cred);
  if (o && o->ca_file &&
      gnutls_certificate_set_x509_trust_file(c->cred, o->ca_file, GNUTLS_X509_FMT_PEM) <= 0)
    return NNRP_ERR_TLS;
  return 0;
}

int quic_tls_ctx_new(quic_tls_ctx **pctx, int server, const nnrpi_quic_tls *o, const char *host) {
  quic_tls_ctx *c = calloc(1, sizeof *c);
  if (!c) return NNRP_ERR_NOMEM;
  c->server = server;
  c->refs = 1;
  c->alpn = strdup(o && o->alpn ? o->alpn : QUIC_ALPN);
  int rc = NNRP_ERR_NOMEM;
  if (c->alpn && gnutls_certificate_allocate_credentials(&c->cred) == 0)
    rc = server ? load_server(c, o) : load_client(c, o, host);
  if (rc < 0) {
    quic_tls_ctx_unref(c);
    return rc;
  }
  *pctx = c;
  return 0;
}

int quic_tls_alpn_ok(gnutls_session_t s, const quic_tls_ctx *ctx) {
  gnutls_datum_t d;
  size_t n = strlen(ctx->alpn);
  return gnutls_alpn_get_selected_protocol(s, &d) == 0 && d.size == n &&
         memcmp(d.data, ctx->alpn, n) == 0;
}

/* Server: refuse a ClientHello that does not offer our ALPN at all (GnuTLS only enforces a
 * match when the extension is present). */
static int client_hello_hook(gnutls_session_t s, unsigned htype, unsigned when, unsigned incoming,
                             const gnutls_datum_t *msg) {
  (void)htype, (void)when, (void)incoming, (void)msg;
  ngtcp2_crypto_conn_ref *ref = gnutls_session_get_ptr(s);
  nnrpi_quic *q = ref->user_data;
  return quic_tls_alpn_ok(s, q->tlsctx) ? 0 : GNUTLS_E_NO_APPLICATION_PROTOCOL;
}

int quic_tls_session_new(gnutls_session_t *ps, quic_tls_ctx *ctx,
                         ngtcp2_crypto_conn_ref *conn_ref) {
  gnutls_session_t s;
  unsigned flags = (ctx->server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NO_END_OF_EARLY_DATA;
  if (gnutls_init(&s, flags) != 0) return NNRP_ERR_NOMEM;
  gnutls_datum_t alpn = {(unsigned char *)ctx->alpn, (unsigned)strlen(ctx->alpn)};
  int ok = gnutls_priority_set_direct(s, PRIORITY, NULL) == 0 &&
           (ctx->server ? ngtcp2_crypto_gnutls_configure_server_session(s)
                        : ngtcp2_crypto_gnutls_configure_client_session(s)) == 0 &&
           gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, ctx->cred) == 0 &&
           gnutls_alpn_set_protocols(s, &alpn, 1, GNUTLS_ALPN_MANDATORY) == 0;
  if (ok && ctx->server)
    gnutls_handshake_set_hook_function(s, GNUTLS_HANDSHAKE_CLIENT_HELLO, GNUTLS_HOOK_POST,
                                       client_hello_hook);
  if (ok && !ctx->server && ctx->sni)
    ok =
        gnutls_server_name_set(s, GNUTLS_NAME_DNS, ctx->server_name, strlen(ctx->server_name)) == 0;
  if (ok && !ctx->server && ctx->verify)
    gnutls_session_set_verify_cert(s, ctx->server_name, 0); /* chain and name, in handshake */
  if (!ok) {
    gnutls_deinit(s);
    return NNRP_ERR_TLS;
  }
  gnutls_session_set_ptr(s, conn_ref);
  *ps = s;
  return 0;
}

int quic_tls_failure(gnutls_session_t s, uint64_t transport_code) {
  if (s && gnutls_session_get_verify_cert_status(s) != 0) return NNRP_ERR_TLS_VERIFY;
  /* CRYPTO_ERROR is 0x0100 + the TLS alert (RFC 9001 §4.8). */
  if ((transport_code & ~(uint64_t)0xff) != 0x100) return NNRP_ERR_QUIC_TRANSPORT;
  switch (transport_code & 0xff) {
    case ALERT_NO_APPLICATION_PROTOCOL:
      return NNRP_ERR_TLS_ALPN;
    case ALERT_BAD_CERTIFICATE:
    case ALERT_CERTIFICATE_EXPIRED:
    case ALERT_CERTIFICATE_UNKNOWN:
    case ALERT_UNKNOWN_CA:
      return NNRP_ERR_TLS_VERIFY;
    default:
      return NNRP_ERR_TLS;
  }
}
