# Every invalid reference example makes nnrp decode fail with one error line; the packets that
# only nnrp-py accepts are rejected by the strict profile and accepted with --py-compat.
set -euo pipefail
source "$(dirname "$0")/common.bash"

# The error names the rule and an offset inside the input.
offset_inside() {
  local bytes=$1 offset
  offset=$(sed -n 's/.* at offset \([0-9]*\): .*/\1/p' "$TMP/err")
  [ -n "$offset" ] && [ "$offset" -le "$bytes" ]
}

json_hex "$VEC/invalid-examples.json" invalid >"$TMP/invalid"
examples=0
while read -r name hex; do
  examples=$((examples + 1))
  [ "$hex" = - ] && hex=""
  bytes=$((${#hex} / 2))

  run decode --hex "$hex"
  if [ "$name" = framing.second_packet_appended ]; then
    # Two whole packets: a stream decoder returns both; the whole-packet rule refuses them.
    check "$name: stream of two packets" [ "$rc" -eq 0 ]
    check "$name: two objects" [ "$(grep -c '^    "msg_type": ' "$TMP/out")" -eq 2 ]
  else
    check "$name: exit 1" [ "$rc" -eq 1 ]
    check "$name: one error line" lib_error_line decode
    check "$name: offset inside the input" offset_inside "$bytes"
    check "$name: no output" [ ! -s "$TMP/out" ]
  fi

  run decode --exact --hex "$hex"
  check "$name --exact: exit 1" [ "$rc" -eq 1 ]
  check "$name --exact: one error line" lib_error_line decode
  run inspect --exact --hex "$hex"
  check "$name inspect: exit 1" [ "$rc" -eq 1 ]
  check "$name inspect: one error line" lib_error_line inspect
done <"$TMP/invalid"
check "all invalid examples seen" [ "$examples" -eq 214 ]

# nnrp-cs's 4-byte loss-tolerance payload is read only when asked for (wire-control 14 D2).
short=$(sed -n 's/^client_hello.ext_loss_tolerance_short //p' "$TMP/invalid")
run decode --cs-dialect --hex "$short"
check "--cs-dialect reads the 4-byte loss tolerance" grep -q '"session_loss_tolerance": 1' "$TMP/out"
run decode --py-compat --hex "$short"
check "--py-compat refuses it like nnrp-py" [ "$rc" -eq 1 ]

json_hex "$VEC/invalid-examples.json" oracle_accepts >"$TMP/accepts"
accepts=0
while read -r name hex; do
  accepts=$((accepts + 1))
  strict=()
  # C6 is optional in the strict profile (wire-data 11); --strict-c6 turns it on.
  [ "$name" = result_push.stale_class_reused_zero ] && strict=(--strict-c6)
  run decode "${strict[@]}" --hex "$hex"
  check "$name strict: exit 1" [ "$rc" -eq 1 ]
  check "$name strict: one error line" lib_error_line decode
  run decode --py-compat --hex "$hex"
  check "$name --py-compat: accepted" [ "$rc" -eq 0 ]
  check "$name --py-compat: one packet" [ "$(grep -c '^    "msg_type": ' "$TMP/out")" -eq 1 ]
done <"$TMP/accepts"
check "all oracle_accepts entries seen" [ "$accepts" -eq 31 ]

report
