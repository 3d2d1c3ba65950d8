#!/usr/bin/env bash
# Live sessions between libnnrp and the reference SDK nnrp-py over TCP and QUIC (README.md).
#
#   tests/interop/live.sh [--nnrp PATH] [--peer PATH] [--venv DIR] [-- live.py options]
#
# Uses the same pinned virtual environment as run.sh (created here when it is missing).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
nnrp="$root/build/tools/nnrp"
peer="$root/build/tests/live_peer"
venv="${NNRP_INTEROP_VENV:-$root/build/interop-venv}"
while [ $# -gt 0 ]; do
  case "$1" in
    --nnrp) nnrp="$2"; shift 2 ;;
    --peer) peer="$2"; shift 2 ;;
    --venv) venv="$2"; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
[ -x "$nnrp" ] || { echo "live: no nnrp command at $nnrp (build it first)" >&2; exit 2; }
[ -x "$peer" ] || { echo "live: no live_peer at $peer (build it first)" >&2; exit 2; }
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    "$root/scripts/deps.sh" # python3-venv
  fi
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$here/requirements.txt"
  echo "$want" >"$stamp"
fi
"$venv/bin/python" -c 'import importlib.metadata as m; assert m.version("nnrp-py") == "1.0.0rc2"'
exec timeout 150 "$venv/bin/python" "$here/live.py" --nnrp "$nnrp" --peer "$peer" \
  --smoke "$venv/bin/nnrp-quic-smoke" "$@"
