#!/usr/bin/env bash
# Differential test of libnnrp against the reference SDK nnrp-py (see README.md).
#
#   tests/interop/run.sh [--nnrp PATH] [--shared DIR] [--venv DIR] [-- differential.py options]
#
# Creates (or reuses) a virtual environment with the pinned nnrp-py, then runs differential.py.
# Defaults: build/tools/nnrp, ../shared beside the checkout, build/interop-venv.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
nnrp="$root/build/tools/nnrp"
shared="$root/../shared"
venv="${NNRP_INTEROP_VENV:-$root/build/interop-venv}"
while [ $# -gt 0 ]; do
  case "$1" in
    --nnrp) nnrp="$2"; shift 2 ;;
    --shared) shared="$2"; shift 2 ;;
    --venv) venv="$2"; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
[ -x "$nnrp" ] || { echo "interop: no nnrp command at $nnrp (build it first)" >&2; exit 2; }

# The environment is rebuilt when requirements.txt changes (its hash is kept in the venv).
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
exec "$venv/bin/python" "$here/differential.py" --nnrp "$nnrp" --shared "$shared" "$@"
