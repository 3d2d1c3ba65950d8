/* Private: the client object, shared by client.c, client_probe.c and client_migrate.c. */
#ifndef NNRP_IO_CLIENT_INT_H
#define NNRP_IO_CLIENT_INT_H

#include "io_int.h"

struct nnrp_client {
  nnrpi_sess sess; /* first: the session pump; sess.conn is the engine */
  nnrp_loop *loop;
  nnrp_client_options opt;
  char *host;
  char *server_name, *ca_file; /* copies of the TLS option strings */
  nnrpi_tls_ctx *tls_ctx;      /* TCP+TLS, made on first use */
  nnrpi_router *router;
  uint32_t transport; /* binding of the primary path */
  int handshake_done;
  int closed;
  nnrp_close_info close_info;
  int link_error;           /* why the connection of the handshake went away */
  nnrpi_link *pending_link; /* a connection being opened (connect, migrate) */
  int pending_open;
  uint64_t flow_updates;
  nnrp_flow_update_meta last_flow;
  uint64_t cache_acks;
  nnrp_cache_ack_meta last_cache_ack;
  int migration_done;
  nnrp_migration_info migration;
  int probe_done; /* probe conns: the ACK or a failure arrived */
  nnrp_probe_sample probe;
};

/* Engine settings of a client connection on `transport` (the options' settings, with the
 * binding and the transport-policy extension). */
void nnrpi_client_settings(const nnrp_client_options *o, uint32_t transport, nnrp_settings *s);
/* A client object without a session (probe and connect share it); not yet connected. */
int nnrpi_client_new(nnrp_client **pc, nnrp_loop *loop, const nnrp_client_options *o);
/* The engine conn of a client on `transport` (the client callbacks). */
int nnrpi_client_engine(nnrp_client *c, const nnrp_settings *settings, uint32_t transport);
/* Start opening the connection of `path` (c->pending_link; c->pending_open / c->link_error
 * tell how it went). */
int nnrpi_client_start_link(nnrp_client *c, uint32_t path, uint32_t transport, int timeout_ms);
/* Open the connection of path `path` on `transport` and wait until it is open.  */
int nnrpi_client_open_link(nnrp_client *c, uint32_t path, uint32_t transport, int timeout_ms,
                           nnrpi_link **pl);
/* Run the loop until done(c, arg) returns non-zero (1: met, < 0: that error) or timeout_ms
 * passes (NNRP_ERR_TIMEOUT); -1 waits without limit. */
int nnrpi_client_wait(nnrp_client *c, int (*done)(nnrp_client *c, void *arg), void *arg,
                      int timeout_ms);
/* Connect on one binding with the given engine settings (connect and connect_probe). */
int nnrpi_client_connect_with(nnrp_client **pc, nnrp_loop *loop, const nnrp_client_options *o,
                              const nnrp_settings *settings, uint32_t transport);

#endif /* NNRP_IO_CLIENT_INT_H */
