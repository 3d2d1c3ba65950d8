#!/usr/bin/env bash
# Runs the live demo: a real NNRP/1 server and client on 127.0.0.1, one session over QUIC and
# one over TCP (examples/live_demo.c).  The wire-only demo stays available as
# examples/nnrp_wire_demo.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
exec "$root/$build/examples/nnrp_live_demo"
