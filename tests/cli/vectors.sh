# nnrp vectors prints the reference golden-vector manifest exactly; --check compares others.
set -euo pipefail
source "$(dirname "$0")/common.bash"

GOLDEN=$VEC/golden-vectors.json

run vectors
check "vectors succeeds" [ "$rc" -eq 0 ]
check "vectors output is the reference manifest byte for byte" cmp -s "$TMP/out" "$GOLDEN"
check "vectors writes nothing on stderr" [ ! -s "$TMP/err" ]

run vectors --check "$GOLDEN"
check "--check accepts the reference" [ "$rc" -eq 0 ]
check "--check says all match" grep -q "all 12 vectors match" "$TMP/out"
run_in "$GOLDEN" vectors --check -
check "--check reads standard input" [ "$rc" -eq 0 ]

# corrupt SED-SCRIPT: a modified copy of the reference in $TMP/bad.json.
corrupt() { sed "$1" "$GOLDEN" >"$TMP/bad.json"; }

# A vector whose bytes differ is listed by name.
corrupt 's/"hex": "4e4e5250010017280000000020/"hex": "4e4e5250010017280100000020/'
run vectors --check "$TMP/bad.json"
check "different hex fails" [ "$rc" -eq 1 ]
check "different hex names the vector" grep -q "^different hex current.packet.flow_update: first difference at byte 8" "$TMP/out"
check "only that vector differs" [ "$(wc -l <"$TMP/out")" -eq 1 ]
check "different hex summary line" one_error_line vectors

# A renamed vector is missing under its name and extra under the other.
corrupt 's/"current.packet.result_hint"/"current.packet.result_hint_v2"/'
run vectors --check "$TMP/bad.json"
check "renamed vector fails" [ "$rc" -eq 1 ]
check "missing vector listed" grep -qx "missing current.packet.result_hint" "$TMP/out"
check "extra vector listed" grep -qx "extra current.packet.result_hint_v2" "$TMP/out"

corrupt 's/"kind": "body_region"/"kind": "metadata"/'
run vectors --check "$TMP/bad.json"
check "different kind fails" [ "$rc" -eq 1 ]
check "different kind listed" grep -q "^different kind current.body_region.prelude" "$TMP/out"

# Manifests that break the schema rules are refused before any comparison.
schema_error() {
  local what=$1 script=$2 pattern=$3
  corrupt "$script"
  run vectors --check "$TMP/bad.json"
  check "$what: exit 1" [ "$rc" -eq 1 ]
  check "$what: one error line" one_error_line vectors
  check "$what: message" grep -q "$pattern" "$TMP/err"
  check "$what: no comparison" [ ! -s "$TMP/out" ]
}
schema_error "wrong schema" 's/golden-vectors.v1/golden-vectors.v2/' "not a manifest of schema"
schema_error "upper-case hex" 's/"hex": "4e4e5250010018/"hex": "4E4E5250010018/' "lower-case"
schema_error "odd hex" 's/"hex": "02000000070000004433221188776655"/"hex": "020000000700000044332211887766550"/' "odd number"
schema_error "bytes mismatch" 's/"bytes": 13,/"bytes": 14,/' '"bytes" different'
schema_error "unknown kind" 's/"kind": "body_region"/"kind": "body"/' "unknown kind"
schema_error "duplicate name" 's/"current.packet.result_hint"/"current.packet.flow_update"/' "repeats a name"
schema_error "name missing" 's/"name": "current.metadata.client_hello"/"label": "x"/' 'no string "name"'
printf '{"schema": ' >"$TMP/bad.json"
run vectors --check "$TMP/bad.json"
check "invalid JSON: exit 1" [ "$rc" -eq 1 ]
check "invalid JSON: one error line" one_error_line vectors
run vectors --check "$TMP/does-not-exist.json"
check "missing file: exit 1" [ "$rc" -eq 1 ]
check "missing file: one error line" one_error_line vectors

run vectors --check
check "--check without a file is a usage error" [ "$rc" -eq 2 ]
run vectors extra
check "unexpected argument is a usage error" [ "$rc" -eq 2 ]

report
