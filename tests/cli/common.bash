# Helpers of the nnrp command tests (sourced by tests/cli/*.sh; not a test itself).
# Every script is run as: bash script.sh <path-to-nnrp> <shared-dir>

NNRP=${1:?usage: $0 <path-to-nnrp> <shared-dir>}
SHARED=${2:?usage: $0 <path-to-nnrp> <shared-dir>}
VEC=$SHARED/vectors
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

passed=0
failed=0

pass() { passed=$((passed + 1)); }
fail() {
  failed=$((failed + 1))
  echo "FAIL: $*" >&2
}
# check NAME COMMAND...: one assertion.
check() {
  local name=$1
  shift
  if "$@"; then pass; else fail "$name"; fi
}
report() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# run ARGS...: runs nnrp; sets $rc, stdout in $TMP/out, stderr in $TMP/err.
run() {
  rc=0
  "$NNRP" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
}
# run_in FILE ARGS...: the same with FILE on standard input.
run_in() {
  local input=$1
  shift
  rc=0
  "$NNRP" "$@" <"$input" >"$TMP/out" 2>"$TMP/err" || rc=$?
}

# The error contract: exactly one line on stderr, "nnrp: <cmd>: ...".
one_error_line() {
  local cmd=$1
  [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "^nnrp: $cmd: " "$TMP/err"
}
# A library error: "nnrp: <cmd>: <ERR_NAME> (<rule>) at offset N: <message>".
lib_error_line() {
  local cmd=$1
  one_error_line "$cmd" &&
    grep -Eq "^nnrp: $cmd: [A-Z][A-Z0-9_]* \([^)]*\) at offset [0-9]+: .+" "$TMP/err"
}

# Names and hex of JSON vectors, one "name hex" line each (python3 only reads the JSON).
# json_hex FILE KIND: KIND is "packets" (every whole packet), "invalid" or "oracle_accepts".
json_hex() {
  python3 - "$1" "$2" <<'EOF'
import json, struct, sys
path, kind = sys.argv[1], sys.argv[2]
doc = json.load(open(path))
def is_packet(h):
    b = bytes.fromhex(h)
    if len(b) < 40 or b[:4] != b"NNRP":
        return False
    meta_len, body_len = struct.unpack_from("<II", b, 12)
    return 40 + meta_len + body_len == len(b)
if kind == "packets":
    if "examples" in doc:  # builder-examples.json says which outputs are packets
        entries = [e for e in doc["examples"] if e["output_kind"] == "packet"]
    else:  # the hex-vector files mix packets with headers, metadata and blocks
        entries = doc["vectors"] if "vectors" in doc else doc["transcribed"] + doc["derived"]
        entries = [e for e in entries if is_packet(e["hex"])]
else:
    entries = doc["examples" if kind == "invalid" else "oracle_accepts"]
for e in entries:
    print(e["name"], e["hex"] or "-")
EOF
}
