/*
 * Client migration (transport.md §5.2): open a connection on the other binding, hand it to
 * the engine as a new path generation (SESSION_MIGRATE is its first packet, no CLIENT_HELLO),
 * wait for SESSION_MIGRATE_ACK.  The engine does the rest: resume floor, old-path grace
 * window, path_closed for the connection that is no longer used.
 */
#include "client_int.h"

/* The path number of a connection opened before the engine has numbered it. */
#define UNNUMBERED 0xFFFFFFFFu

static int migration_over(nnrp_client *c, void *arg) {
  (void)arg;
  if (c->migration_done) return 1;
  return c->closed ? NNRP_ERR_CLOSED : 0;
}

int nnrp_client_migrate(nnrp_client *c, uint32_t transport_id, uint32_t trigger, int timeout_ms,
                        nnrp_migration_info *info) {
  if (!c || !c->sess.conn) return NNRP_ERR_INVALID_ARGUMENT;
  if (transport_id != NNRP_TRANSPORT_TCP && transport_id != NNRP_TRANSPORT_QUIC)
    return NNRP_ERR_INVALID_ARGUMENT;
  if (transport_id == c->transport) return NNRP_ERR_INVALID_ARGUMENT; /* §5.4: before dialling */
  if (nnrp_conn_state(c->sess.conn) != NNRP_STATE_ACTIVE) return NNRP_ERR_INVALID_STATE;
  /* A second connection still open: an earlier migration is pending or in its grace window. */
  int open_links = 0;
  for (nnrpi_link *k = c->sess.links; k; k = k->next) open_links += !k->gone;
  if (open_links > 1) return NNRP_ERR_INVALID_STATE;
  nnrp_tstamp start = nnrp_now();
  nnrpi_link *l;
  int rc = nnrpi_client_open_link(c, UNNUMBERED, transport_id, timeout_ms, &l);
  if (rc) return rc; /* the old path stays primary */
  uint32_t path;
  c->migration_done = 0;
  c->sess.pumping++;
  rc = nnrp_conn_migrate_begin(c->sess.conn, transport_id, trigger, nnrp_now(), &path);
  c->sess.pumping--;
  if (rc) {
    nnrpi_link_close(l, 0);
    return rc;
  }
  l->path = path;
  nnrpi_sess_flush(&c->sess);
  int left = timeout_ms - (int)((nnrp_now() - start) / 1000u);
  rc = nnrpi_client_wait(c, migration_over, NULL, left > 0 ? left : 0);
  if (rc) return rc; /* the engine's own migrate timeout reports it later */
  if (info) *info = c->migration;
  if (c->migration.accepted) return 0;
  return c->migration.error ? c->migration.error : NNRP_ERR_MIGRATE_REJECTED;
}
