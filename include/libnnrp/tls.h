/*
 * libnnrp — TLS helpers of the io layer (link with nnrp_io).
 */
#ifndef LIBNNRP_TLS_H
#define LIBNNRP_TLS_H

#include <libnnrp/errors.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Write a self-signed development certificate and its private key as PEM files, for QUIC and
 * TCP+TLS servers on a developer's machine and in tests (transport.md §2.1 "Dev self-signed
 * certificate", §10 C1).  ECDSA P-256, SHA-256, subject and issuer C=CN, O=NNRP,
 * CN=`host` (NULL: "127.0.0.1"), subjectAltName DNS:localhost and IP:127.0.0.1 plus `host`
 * (as a DNS name or an IP address, when it is neither of those), valid from one minute ago for
 * 7 days, serverAuth.  A client trusts it by using the certificate file as its CA file.  The key
 * file is created with mode 0600.  Never use it in production.
 *
 * Returns 0, NNRP_ERR_INVALID_ARGUMENT (NULL path, a host that does not fit), NNRP_ERR_TLS
 * (generation failed) or NNRP_ERR_IO (a file could not be written).
 */
int nnrp_tls_make_dev_cert(const char *cert_path, const char *key_path, const char *host);

#ifdef __cplusplus
}
#endif

#endif /* LIBNNRP_TLS_H */
