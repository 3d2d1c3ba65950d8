# Help, version and usage errors (exit status 2) of the nnrp command.
set -euo pipefail
source "$(dirname "$0")/common.bash"

run --version
check "--version exits 0" [ "$rc" -eq 0 ]
check "--version names the library" grep -Eq '^nnrp [0-9]+\.[0-9]+\.[0-9]+ \(libnnrp [0-9]+\.[0-9]+\.[0-9]+' "$TMP/out"

run help
check "help exits 0" [ "$rc" -eq 0 ]
cp "$TMP/out" "$TMP/help"
for cmd in decode encode inspect vectors; do
  check "help lists $cmd" grep -q "^  $cmd " "$TMP/help"
  run help "$cmd"
  check "help $cmd exits 0" [ "$rc" -eq 0 ]
  check "help $cmd shows its usage" grep -q "^usage: nnrp $cmd" "$TMP/out"
  run "$cmd" --help
  check "$cmd --help" grep -q "^usage: nnrp $cmd" "$TMP/out"
done
run help decode
check "help decode documents the output shape" grep -q "always a JSON array with one object per packet" "$TMP/out"

# usage_error ARGS...: exit 2 and one line on stderr.
usage_error() {
  run "$@"
  check "nnrp $*: exit 2" [ "$rc" -eq 2 ]
  check "nnrp $*: one line" [ "$(wc -l <"$TMP/err")" -eq 1 ]
  check "nnrp $*: says nnrp" grep -q "^nnrp: " "$TMP/err"
  check "nnrp $*: nothing on stdout" [ ! -s "$TMP/out" ]
}
rc=0
"$NNRP" >"$TMP/out" 2>"$TMP/err" || rc=$?
check "no command: exit 2" [ "$rc" -eq 2 ]
check "no command: usage on stderr" grep -q "^usage: nnrp" "$TMP/err"
usage_error frobnicate
usage_error help frobnicate
usage_error decode --hex
usage_error decode --bogus
usage_error decode a.bin b.bin
usage_error decode --hex 4e4e a.bin
usage_error inspect --hex
usage_error inspect --bogus
usage_error inspect --compact
usage_error encode --bogus
usage_error encode a.json b.json
usage_error vectors --check
usage_error vectors --bogus

# Unreadable or malformed input is invalid input: exit 1, one line.
run decode "$TMP/no-such-file.bin"
check "missing file: exit 1" [ "$rc" -eq 1 ]
check "missing file: one line" one_error_line decode
run decode --hex 4e4e52zz
check "bad hex digit: exit 1" [ "$rc" -eq 1 ]
check "bad hex digit: one line" one_error_line decode
check "bad hex digit: position" grep -q "position 6" "$TMP/err"
run decode --hex 4e4e525
check "odd hex: exit 1" [ "$rc" -eq 1 ]
check "odd hex: one line" one_error_line decode
run decode --hex ""
check "empty input: exit 1" [ "$rc" -eq 1 ]
check "empty input: need more bytes" grep -q "^nnrp: decode: INCOMPLETE (wire-control 1) at offset 0: " "$TMP/err"

# A packet cut short is incomplete; the offset lies inside that packet (offset 40 onwards).
head -c 100 "$VEC/frame_submit_dense.bin" >"$TMP/cut.bin"
cat "$VEC/result_drop.bin" "$TMP/cut.bin" >"$TMP/two.bin"
run decode "$TMP/two.bin"
check "truncated second packet: exit 1" [ "$rc" -eq 1 ]
check "truncated second packet: incomplete" grep -q "^nnrp: decode: INCOMPLETE (wire-control 1) at offset " "$TMP/err"
offset=$(sed -n 's/.* at offset \([0-9]*\): .*/\1/p' "$TMP/err")
check "truncated second packet: offset inside it" [ "${offset:-0}" -ge 40 -a "${offset:-0}" -le 140 ]
check "truncated second packet: no partial output" [ ! -s "$TMP/out" ]

report
