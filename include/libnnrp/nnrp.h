/*
 * libnnrp — C implementation of NNRP/1 (Preview2 wire, on-wire NNRP/1.0).
 *
 * Umbrella header.  Public headers, by layer:
 *   libnnrp/errors.h  error codes shared by every layer
 *   libnnrp/wire.h    pure codecs: header, metadata, bodies, builders
 *   libnnrp/conn.h    the sans-I/O session engine (client and server)
 *   libnnrp/probe.h   transport probing, selection and migration triggers
 *   libnnrp/tools.h   replay exports, wire-size summaries and their renderings
 */
#ifndef LIBNNRP_NNRP_H
#define LIBNNRP_NNRP_H

#include <libnnrp/errors.h>
#include <libnnrp/version.h>
#include <libnnrp/wire.h>
#include <libnnrp/conn.h>
#include <libnnrp/probe.h>
#include <libnnrp/tools.h>

#endif /* LIBNNRP_NNRP_H */
