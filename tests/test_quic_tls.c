/* The QUIC handshake: the development certificate, peer verification against a CA file and a
 * server name, the insecure switch, ALPN nnrp/1, and the handshake and idle timers
 * (transport.md §2.1, §2.5, C1, C15). */
#define _GNU_SOURCE
#include "quic_env.h"

#include <sys/stat.h>

#include <gnutls/x509.h>

static void test_dev_cert(void) {
  size_t len;
  uint8_t *pem = test_read_file(env_cert, &len);
  CHECK(pem != NULL);
  if (!pem) return;
  gnutls_x509_crt_t crt;
  gnutls_datum_t d = {pem, (unsigned)len};
  CHECK_EQ(gnutls_x509_crt_init(&crt), 0);
  CHECK_EQ(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM), 0);
  CHECK(gnutls_x509_crt_check_hostname(crt, "localhost"));
  CHECK(gnutls_x509_crt_check_hostname(crt, "127.0.0.1"));
  CHECK(!gnutls_x509_crt_check_hostname(crt, "example.com"));
  CHECK(!gnutls_x509_crt_check_hostname(crt, "127.0.0.2"));
  time_t from = gnutls_x509_crt_get_activation_time(crt);
  time_t to = gnutls_x509_crt_get_expiration_time(crt);
  CHECK(from <= time(NULL) && time(NULL) - from < 3600);
  CHECK_EQ(to - from, 7 * 86400 + 60);
  char dn[256];
  size_t dnlen = sizeof dn;
  CHECK_EQ(gnutls_x509_crt_get_dn(crt, dn, &dnlen), 0);
  CHECK(strcmp(dn, "C=CN,O=NNRP,CN=127.0.0.1") == 0);
  unsigned bits;
  CHECK_EQ(gnutls_x509_crt_get_pk_algorithm(crt, &bits), GNUTLS_PK_ECDSA);
  CHECK_EQ(gnutls_x509_crt_get_signature_algorithm(crt), GNUTLS_SIGN_ECDSA_SHA256);
  unsigned status = 1;
  CHECK_EQ(gnutls_x509_crt_verify(crt, &crt, 1, 0, &status), 0); /* self-signed */
  CHECK_EQ(status, 0);
  gnutls_x509_crt_deinit(crt);
  free(pem);
  struct stat st;
  CHECK(stat(env_key, &st) == 0 && (st.st_mode & 0777) == 0600);

  /* Another host name joins the two defaults. */
  char cert[160], key[160];
  snprintf(cert, sizeof cert, "%s/host.pem", env_dir);
  snprintf(key, sizeof key, "%s/host.key", env_dir);
  CHECK_RC(nnrp_tls_make_dev_cert(cert, key, "nnrp.test"), 0);
  pem = test_read_file(cert, &len);
  d = (gnutls_datum_t){pem, (unsigned)len};
  gnutls_x509_crt_init(&crt);
  CHECK_EQ(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM), 0);
  CHECK(gnutls_x509_crt_check_hostname(crt, "nnrp.test"));
  CHECK(gnutls_x509_crt_check_hostname(crt, "localhost"));
  CHECK(gnutls_x509_crt_check_hostname(crt, "127.0.0.1"));
  gnutls_x509_crt_deinit(crt);
  free(pem);
  unlink(cert);
  unlink(key);

  CHECK_RC(nnrp_tls_make_dev_cert(NULL, key, NULL), NNRP_ERR_INVALID_ARGUMENT);
  CHECK_RC(nnrp_tls_make_dev_cert(cert, key, ""), NNRP_ERR_INVALID_ARGUMENT);
  CHECK_RC(nnrp_tls_make_dev_cert("/nonexistent-dir/c.pem", "/nonexistent-dir/k.pem", NULL),
           NNRP_ERR_IO);
}

/* Client with these TLS options against the dev server: returns the client's close error, or
 * 0 when the handshake completed on both sides. */
static int handshake_with(const nnrpi_quic_tls *tls, int *server_err) {
  env e;
  CHECK_RC(env_listen(&e, NULL, NULL), 0);
  CHECK_RC(env_connect(&e, tls, NULL), 0);
  env_pump(&e, cond_handshake, NULL, 5000);
  int rc = e.c_hs && e.s_hs ? 0 : e.c_err;
  if (rc) {
    CHECK(env_pump(&e, cond_both_closed, NULL, 3000));
    CHECK_EQ(e.c_closed, 1);
    CHECK_EQ(e.c_hs, 0);
    CHECK_EQ(e.s_hs, 0);
  }
  if (server_err) *server_err = e.s_err;
  env_close(&e);
  return rc;
}

static void test_verification(void) {
  nnrpi_quic_tls t = {0};
  int serr;
  /* Verification is on by default: the self-signed certificate is not in the system roots. */
  CHECK_RC(handshake_with(&t, &serr), NNRP_ERR_TLS_VERIFY);
  CHECK_RC(serr, NNRP_ERR_TLS_VERIFY); /* the client's bad_certificate alert */
  /* Trusted through the CA file; the name checked is the dial address 127.0.0.1. */
  t.ca_file = env_cert;
  CHECK_RC(handshake_with(&t, NULL), 0);
  /* An explicit DNS server name (sent as SNI) from the certificate. */
  t.server_name = "localhost";
  CHECK_RC(handshake_with(&t, NULL), 0);
  /* A name the certificate does not carry. */
  t.server_name = "example.com";
  CHECK_RC(handshake_with(&t, NULL), NNRP_ERR_TLS_VERIFY);
  /* The development switch accepts anything. */
  nnrpi_quic_tls insecure = {0};
  insecure.insecure_skip_verify = 1;
  insecure.server_name = "example.com";
  CHECK_RC(handshake_with(&insecure, NULL), 0);
}

static void test_alpn(void) {
  /* The client offers another protocol: the server refuses the handshake. */
  nnrpi_quic_tls t = {0};
  t.ca_file = env_cert;
  t.alpn = "nnrp/0-test";
  int serr;
  CHECK_RC(handshake_with(&t, &serr), NNRP_ERR_TLS_ALPN);
  CHECK_RC(serr, NNRP_ERR_TLS_ALPN);
  /* A server that speaks another protocol: refused too. */
  env e;
  nnrpi_quic_tls st = {0};
  st.cert_file = env_cert;
  st.key_file = env_key;
  st.alpn = "h3";
  CHECK_RC(env_listen(&e, &st, NULL), 0);
  CHECK_RC(env_connect(&e, NULL, NULL), 0);
  CHECK(env_pump(&e, cond_both_closed, NULL, 5000));
  CHECK_RC(e.c_err, NNRP_ERR_TLS_ALPN);
  CHECK_EQ(e.c_code, 0x100 + 120); /* CRYPTO_ERROR no_application_protocol */
  CHECK_EQ(e.c_hs + e.s_hs, 0);
  env_close(&e);
}

static void test_setup_errors(void) {
  env e;
  nnrpi_quic_tls t = {0};
  t.cert_file = env_cert;
  CHECK_RC(env_listen(&e, &t, NULL), NNRP_ERR_INVALID_ARGUMENT); /* no key */
  t.key_file = "/nonexistent-dir/key.pem";
  CHECK_RC(env_listen(&e, &t, NULL), NNRP_ERR_TLS);
  CHECK_RC(env_listen(&e, NULL, NULL), 0);
  nnrpi_quic_tls c = {0};
  c.ca_file = "/nonexistent-dir/ca.pem";
  CHECK_RC(env_connect(&e, &c, NULL), NNRP_ERR_TLS);
  nnrpi_quic_settings s;
  nnrpi_quic_settings_default(&s);
  s.max_packet_len = 40;
  CHECK_RC(env_connect(&e, NULL, &s), NNRP_ERR_INVALID_ARGUMENT);
  CHECK(e.c == NULL);
  env_close(&e);
}

/* Nobody answers: the handshake gives up after handshake_timeout_us. */
static void test_handshake_timeout(void) {
  env e;
  CHECK_RC(env_listen(&e, NULL, NULL), 0);
  int fd = dup(nnrpi_quic_listener_fd(e.l));
  uint16_t port = env_port(&e);
  nnrpi_quic_listener_free(e.l); /* keep the port bound but never read it */
  e.l = NULL;
  nnrpi_quic_settings s;
  nnrpi_quic_settings_default(&s);
  s.handshake_timeout_us = 300000;
  struct sockaddr_in a;
  env_addr(&a, port);
  nnrp_tstamp t0 = env_now();
  CHECK_RC(nnrpi_quic_connect(&e.c, (struct sockaddr *)&a, sizeof a, &(nnrpi_quic_tls){0}, &s,
                              &env_cb, &e, t0),
           0);
  CHECK(env_pump(&e, cond_both_closed, NULL, 3000));
  CHECK_RC(e.c_err, NNRP_ERR_TIMEOUT);
  CHECK(env_now() - t0 >= 300000);
  close(fd);
  env_close(&e);
}

/* Idle timeout closes silent connections; the client's keep-alive holds one open. */
static void test_idle_and_keepalive(void) {
  env e;
  nnrpi_quic_settings s;
  nnrpi_quic_settings_default(&s);
  s.idle_timeout_us = 400000;
  s.keepalive_us = 0;
  CHECK_RC(env_open(&e, &s, &s), 0);
  nnrp_tstamp t0 = env_now();
  CHECK(env_pump(&e, cond_both_closed, NULL, 5000));
  CHECK_RC(e.c_err, NNRP_ERR_QUIC_IDLE_TIMEOUT);
  CHECK_RC(e.s_err, NNRP_ERR_QUIC_IDLE_TIMEOUT);
  CHECK(env_now() - t0 >= 400000);
  env_close(&e);

  s.keepalive_us = 100000;
  CHECK_RC(env_open(&e, &s, &s), 0);
  CHECK(env_pump(&e, NULL, NULL, 1500)); /* well past the idle timeout */
  CHECK(e.c && e.s);
  CHECK_EQ(e.c_closed + e.s_closed, 0);
  size_t pl;
  uint8_t *p = env_packet(NNRP_MSG_PING, 1, 0, &pl);
  if (e.c) CHECK_RC(env_send(e.c, NNRPI_QUIC_CONTROL, p, pl), 0);
  if (e.c) nnrpi_quic_flush(e.c, env_now());
  size_t want = 1;
  CHECK(env_pump(&e, cond_rx, &want, 2000));
  free(p);
  env_close(&e);
}

/* The host refuses or drops a connection from on_accept, and drops one from on_packet. */
static void test_host_callbacks(void) {
  env e;
  CHECK_RC(env_listen(&e, NULL, NULL), 0);
  e.refuse = 0x000B + 1; /* server_busy */
  CHECK_RC(env_connect(&e, NULL, NULL), 0);
  CHECK(env_pump(&e, cond_both_closed, NULL, 3000));
  CHECK_RC(e.s_err, 0);
  CHECK_EQ(e.s_code, 0x000B);
  /* before the handshake an application close travels as APPLICATION_ERROR (RFC 9000 10.2.3) */
  CHECK_RC(e.c_err, NNRP_ERR_QUIC_TRANSPORT);
  CHECK_EQ(e.c_code, 0x0c);
  env_close(&e);

  nnrpi_quic_settings st;
  nnrpi_quic_settings_default(&st);
  st.handshake_timeout_us = 300000;
  CHECK_RC(env_listen(&e, NULL, NULL), 0);
  e.free_accept = 1;
  CHECK_RC(env_connect(&e, NULL, &st), 0);
  CHECK(env_pump(&e, cond_client_closed, NULL, 3000));
  CHECK_RC(e.c_err, NNRP_ERR_TIMEOUT); /* the server forgot it: no answer */
  CHECK_EQ(e.accepts >= 1, 1);
  env_close(&e);

  st.idle_timeout_us = 300000;
  CHECK_RC(env_open(&e, NULL, &st), 0);
  e.free_packet = 1;
  size_t pl;
  uint8_t *p = env_packet(NNRP_MSG_CLIENT_HELLO, 1, 52, &pl);
  CHECK_RC(env_send(e.c, NNRPI_QUIC_CONTROL, p, pl), 0);
  CHECK_RC(env_send(e.c, NNRPI_QUIC_CONTROL, p, pl), 0);
  nnrpi_quic_flush(e.c, env_now());
  CHECK(env_pump(&e, cond_client_closed, NULL, 5000));
  CHECK_EQ(e.nrx, 1); /* the second packet died with the connection */
  CHECK(e.s == NULL);
  CHECK_RC(e.c_err, NNRP_ERR_QUIC_IDLE_TIMEOUT);
  free(p);
  env_close(&e);
}

int main(void) {
  if (env_make_cert() != 0) {
    fprintf(stderr, "cannot create the development certificate\n");
    return 1;
  }
  RUN(test_dev_cert);
  RUN(test_verification);
  RUN(test_alpn);
  RUN(test_setup_errors);
  RUN(test_handshake_timeout);
  RUN(test_idle_and_keepalive);
  RUN(test_host_callbacks);
  env_remove_cert();
  return TEST_REPORT();
}
