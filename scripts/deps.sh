#!/usr/bin/env bash
# Installs the Debian 12 packages libnnrp needs to build and test, when they are missing.
# Safe to run repeatedly: it only calls apt-get when a package is absent.
set -euo pipefail

packages=(build-essential cmake ninja-build pkg-config clang llvm libclang-rt-14-dev
          libjansson-dev libpcap-dev tshark valgrind python3 python3-venv
          libgnutls28-dev libngtcp2-dev libngtcp2-crypto-gnutls-dev)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# tshark's wireshark-common asks whether non-root users may capture; answer for it (no).
echo "wireshark-common wireshark-common/install-setuid boolean false" |
  $sudo debconf-set-selections
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
