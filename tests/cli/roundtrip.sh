# nnrp decode | nnrp encode reproduces every valid reference packet byte for byte.
set -euo pipefail
source "$(dirname "$0")/common.bash"

# ---- the binary vectors -------------------------------------------------------------------------
bins=0
for bin in "$VEC"/*.bin; do
  name=$(basename "$bin")
  if [ "$name" = result_push_stale.bin ]; then
    # Malformed under nnrp-py's rules (wire-data §15 D2): its length table claims more bytes.
    run decode "$bin"
    check "$name is rejected" [ "$rc" -eq 1 ]
    check "$name error line" lib_error_line decode
    check "$name fails S12" grep -q "^nnrp: decode: SECTION_PAYLOAD_SUM (wire-data 6.2 S12)" "$TMP/err"
    check "$name prints nothing" [ ! -s "$TMP/out" ]
    continue
  fi
  bins=$((bins + 1))
  run decode "$bin"
  check "$name decodes" [ "$rc" -eq 0 ]
  cp "$TMP/out" "$TMP/$name.json"
  run encode "$TMP/$name.json"
  check "$name encodes" [ "$rc" -eq 0 ]
  check "$name round trip" cmp -s "$TMP/out" "$bin"
  # The same through pipes, standard input on both sides.
  rc=0
  "$NNRP" decode - <"$bin" | "$NNRP" encode >"$TMP/piped" || rc=$?
  check "$name piped" [ "$rc" -eq 0 ]
  check "$name piped round trip" cmp -s "$TMP/piped" "$bin"
done
check "twelve valid binary vectors" [ "$bins" -eq 12 ]

# Several packets back to back: one array in, the same stream out.
valid_bins=()
for bin in "$VEC"/*.bin; do [ "$(basename "$bin")" = result_push_stale.bin ] || valid_bins+=("$bin"); done
cat "${valid_bins[@]}" >"$TMP/stream.bin"
run decode "$TMP/stream.bin"
check "stream decodes" [ "$rc" -eq 0 ]
check "stream gives one object per packet" [ "$(grep -c '^    "msg_type": ' "$TMP/out")" -eq 12 ]
cp "$TMP/out" "$TMP/stream.json"
run encode "$TMP/stream.json"
check "stream round trip" cmp -s "$TMP/out" "$TMP/stream.bin"
run decode --exact "$TMP/stream.bin"
check "--exact refuses a stream" [ "$rc" -eq 1 ]
check "--exact error" grep -q "^nnrp: decode: TRAILING_BYTES " "$TMP/err"

# A single packet object (not wrapped in an array) is accepted by encode.
run decode --compact "$VEC/frame_submit_changed_tiles.bin"
check "compact output is one line" [ "$(wc -l <"$TMP/out")" -eq 1 ]
sed 's/^\[//; s/\]$//' "$TMP/out" >"$TMP/one.json"
run encode "$TMP/one.json"
check "single object encodes" cmp -s "$TMP/out" "$VEC/frame_submit_changed_tiles.bin"

# ---- hex vectors of the JSON files ----------------------------------------------------------------
count_and_check() {
  local file=$1 expected=$2 total=0 name hex
  json_hex "$VEC/$file" packets >"$TMP/list"
  while read -r name hex; do
    total=$((total + 1))
    run decode --hex "$hex"
    if [ "$rc" -ne 0 ]; then
      fail "$file $name decodes: $(cat "$TMP/err")"
      continue
    fi
    cp "$TMP/out" "$TMP/vector.json"
    run encode --hex "$TMP/vector.json"
    if [ "$rc" -ne 0 ]; then
      fail "$file $name encodes: $(cat "$TMP/err")"
    elif [ "$(cat "$TMP/out")" != "$hex" ]; then
      fail "$file $name round trip"
    else
      pass
    fi
  done <"$TMP/list"
  check "$file has $expected packets" [ "$total" -eq "$expected" ]
}
count_and_check wire-control-hex-vectors.json 12
count_and_check wire-data-hex-vectors.json 10
count_and_check builder-examples.json 101

report
