#!/usr/bin/env bash
# Runs the wire demo: builds, decodes and prints NNRP/1 packets, then the reference vectors.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
vectors="$root/../shared/vectors"
bins=()
[ -d "$vectors" ] && bins=("$vectors"/*.bin)
"$root/$build/examples/nnrp_wire_demo" "${bins[@]}"
