/* A self-signed development certificate (transport.md §2.1, C1), made with GnuTLS's x509 API. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include <libnnrp/tls.h>

#define DEV_CERT_DAYS 7
#define OID_SERVER_AUTH "1.3.6.1.5.5.7.3.1"

static int write_file(const char *path, const gnutls_datum_t *d, mode_t mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return NNRP_ERR_IO;
  size_t off = 0;
  while (off < d->size) {
    ssize_t n = write(fd, d->data + off, d->size - off);
    if (n <= 0) {
      close(fd);
      return NNRP_ERR_IO;
    }
    off += (size_t)n;
  }
  return close(fd) == 0 ? 0 : NNRP_ERR_IO;
}

static int add_ip(gnutls_x509_crt_t crt, const char *ip) {
  unsigned char a[16];
  if (inet_pton(AF_INET, ip, a) == 1)
    return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, a, 4,
                                                GNUTLS_FSAN_APPEND);
  if (inet_pton(AF_INET6, ip, a) == 1)
    return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, a, 16,
                                                GNUTLS_FSAN_APPEND);
  return GNUTLS_E_INVALID_REQUEST;
}

static int is_ip(const char *s) {
  unsigned char a[16];
  return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

static int set_name(gnutls_x509_crt_t crt, const char *host) {
  static const char localhost[] = "localhost";
  int rc = 0;
  rc |= gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COUNTRY_NAME, 0, "CN", 2);
  rc |= gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0, "NNRP", 4);
  rc |= gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, host,
                                      (unsigned)strlen(host));
  rc |= gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, localhost,
                                             sizeof localhost - 1, GNUTLS_FSAN_APPEND);
  rc |= add_ip(crt, "127.0.0.1");
  if (strcmp(host, localhost) != 0 && strcmp(host, "127.0.0.1") != 0)
    rc |= is_ip(host)
              ? add_ip(crt, host)
              : gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, host,
                                                     (unsigned)strlen(host), GNUTLS_FSAN_APPEND);
  return rc;
}

/*
 * A P-256 key whose private scalar has its top bit clear.  GnuTLS 3.7 writes a scalar with the
 * top bit set as 33 bytes (a leading zero), which RFC 5915 forbids and which other TLS stacks
 * (Python's cryptography, hence aioquic) refuse to load; half of all keys are affected, so a
 * few draws are enough.  Each draw uses a fresh key object: generating into a used one leaks
 * the previous key.
 */
static int generate_key(gnutls_x509_privkey_t *keyp) {
  for (int attempt = 0; attempt < 64; attempt++) {
    if (attempt > 0) {
      gnutls_x509_privkey_deinit(*keyp);
      *keyp = NULL;
      if (gnutls_x509_privkey_init(keyp) != 0) return -1;
    }
    gnutls_x509_privkey_t key = *keyp;
    if (gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                     GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) != 0)
      return -1;
    gnutls_ecc_curve_t curve;
    gnutls_datum_t x = {NULL, 0}, y = {NULL, 0}, k = {NULL, 0};
    if (gnutls_x509_privkey_export_ecc_raw(key, &curve, &x, &y, &k) != 0) return -1;
    int fits = k.size == 32;
    gnutls_free(x.data);
    gnutls_free(y.data);
    if (k.data) gnutls_memset(k.data, 0, k.size);
    gnutls_free(k.data);
    if (fits) return 0;
  }
  return -1;
}

static int build(gnutls_x509_crt_t crt, gnutls_x509_privkey_t *keyp, const char *host) {
  unsigned char serial[16], key_id[64];
  size_t key_id_len = sizeof key_id;
  time_t now = time(NULL);
  if (gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial) != 0) return -1;
  serial[0] &= 0x7f; /* a positive INTEGER (RFC 5280 §4.1.2.2) */
  serial[0] |= 0x01;
  int rc = 0;
  if (generate_key(keyp) != 0) return -1;
  gnutls_x509_privkey_t key = *keyp;
  rc |= gnutls_x509_crt_set_version(crt, 3);
  rc |= gnutls_x509_crt_set_serial(crt, serial, sizeof serial);
  rc |= gnutls_x509_crt_set_activation_time(crt, now - 60);
  rc |= gnutls_x509_crt_set_expiration_time(crt, now + (time_t)DEV_CERT_DAYS * 86400);
  if (rc) return -1;
  rc |= set_name(crt, host);
  rc |= gnutls_x509_crt_set_key(crt, key);
  /* A leaf, trusted directly as its own anchor: verifiers that refuse a CA certificate as an
   * end entity accept it too. */
  rc |= gnutls_x509_crt_set_basic_constraints(crt, 0, -1);
  rc |= gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
  rc |= gnutls_x509_crt_set_key_purpose_oid(crt, OID_SERVER_AUTH, 0);
  if (rc) return -1;
  if (gnutls_x509_crt_get_key_id(crt, 0, key_id, &key_id_len) == 0)
    rc |= gnutls_x509_crt_set_subject_key_id(crt, key_id, key_id_len);
  rc |= gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0);
  return rc ? -1 : 0;
}

int nnrp_tls_make_dev_cert(const char *cert_path, const char *key_path, const char *host) {
  if (!cert_path || !key_path) return NNRP_ERR_INVALID_ARGUMENT;
  if (!host) host = "127.0.0.1";
  if (!*host || strlen(host) > 253) return NNRP_ERR_INVALID_ARGUMENT;
  gnutls_x509_crt_t crt = NULL;
  gnutls_x509_privkey_t key = NULL;
  gnutls_datum_t crt_pem = {NULL, 0}, key_pem = {NULL, 0};
  int rc = NNRP_ERR_TLS;
  if (gnutls_x509_crt_init(&crt) == 0 && gnutls_x509_privkey_init(&key) == 0 &&
      build(crt, &key, host) == 0 &&
      gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &crt_pem) == 0 &&
      gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                        &key_pem) == 0) {
    rc = write_file(key_path, &key_pem, 0600);
    if (rc == 0) rc = write_file(cert_path, &crt_pem, 0644);
  }
  gnutls_free(crt_pem.data);
  if (key_pem.data) {
    gnutls_memset(key_pem.data, 0, key_pem.size);
    gnutls_free(key_pem.data);
  }
  if (crt) gnutls_x509_crt_deinit(crt);
  if (key) gnutls_x509_privkey_deinit(key);
  return rc;
}
