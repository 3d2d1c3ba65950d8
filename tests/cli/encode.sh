# nnrp encode: derived and informational fields, integer spellings, and every kind of bad input.
set -euo pipefail
source "$(dirname "$0")/common.bash"

# to_bin HEX FILE: the bytes of HEX in FILE.
to_bin() { printf "$(printf '%s' "$1" | sed 's/../\\x&/g')" >"$2"; }
# decoded NAME FILE|--hex HEX: the pretty JSON of a packet in $TMP/NAME.json.
decoded() {
  local name=$1
  shift
  "$NNRP" decode "$@" >"$TMP/$name.json"
}
# encodes_to EXPECTED-FILE JSON-FILE: encode succeeds and gives exactly those bytes.
encodes_to() {
  run encode "$2"
  [ "$rc" -eq 0 ] && cmp -s "$TMP/out" "$1"
}
# encode_fails JSON-FILE PATTERN: exit 1, one line matching PATTERN, nothing on stdout.
encode_fails() {
  run encode "$1"
  [ "$rc" -eq 1 ] && one_error_line encode && grep -q -- "$2" "$TMP/err" && [ ! -s "$TMP/out" ]
}

# A region body with every kind of region: typed frames, extension frames, inline objects.
typed_ext=$(json_hex "$VEC/builder-examples.json" packets |
  sed -n 's/^frame_submit_typed.with_non_critical_extension_frames //p')
to_bin "$typed_ext" "$TMP/typed_ext.bin"
mixed=$(json_hex "$VEC/wire-data-hex-vectors.json" packets | sed -n 's/^E5.frame_submit_mixed_packet //p')
to_bin "$mixed" "$TMP/mixed.bin"
hello=$(json_hex "$VEC/wire-control-hex-vectors.json" packets |
  sed -n 's/^derived.packet.client_hello_with_ext_and_auth //p')
to_bin "$hello" "$TMP/hello.bin"
check "vectors found" [ -s "$TMP/typed_ext.bin" -a -s "$TMP/mixed.bin" -a -s "$TMP/hello.bin" ]

# --hex: one line of lower-case hex.
decoded mixed "$TMP/mixed.bin"
run encode --hex "$TMP/mixed.json"
check "--hex output" [ "$(cat "$TMP/out")" = "$mixed" ]
check "--hex ends with a newline" [ "$(tail -c 1 "$TMP/out" | od -An -tx1 | tr -d ' ')" = 0a ]

# Derived lengths may be left out: the encoders compute them.
for name in mixed typed_ext hello; do
  decoded "$name" "$TMP/$name.bin"
  sed -e '/"meta_len":/d' -e '/"body_len":/d' -e '/"ext_len":/d' -e '/"object_bytes":/d' \
    -e '/"codec_table_bytes":/d' -e '/"length_table_bytes":/d' -e '/"payload_bytes":/d' \
    -e '/"payload_offset":/d' -e '/"payload_length":/d' -e '/"prelude": {/,/},/d' \
    "$TMP/$name.json" >"$TMP/derived.json"
  check "$name: lengths left out were removed" [ "$(wc -l <"$TMP/derived.json")" -lt "$(wc -l <"$TMP/$name.json")" ]
  check "$name: lengths derived" encodes_to "$TMP/$name.bin" "$TMP/derived.json"
done

# Informational fields are ignored.
sed -e 's/"msg_type_name": "[A-Z_]*"/"msg_type_name": "PING"/' -e 's/"text": ".*"/"text": "?"/' \
  -e '/"tile_ids": \[/,/\]/{s/[0-9][0-9]*/999/}' -e 's/"ext_type_name": "[a-z_]*"/"ext_type_name": "x"/' \
  -e 's/"preferred_transport_id": 1/"preferred_transport_id": 2/' "$TMP/mixed.json" >"$TMP/info.json"
check "informational fields ignored (mixed)" encodes_to "$TMP/mixed.bin" "$TMP/info.json"
# The sections shown inside an inline TENSOR_SECTION_TABLE are informational: its payload counts.
sed 's/"length_table_bytes": 8,/"length_table_bytes": 12,/' "$TMP/mixed.json" >"$TMP/info.json"
check "inline section table: payload hex counts" encodes_to "$TMP/mixed.bin" "$TMP/info.json"
sed -e 's/"ext_type_name": "[a-z_]*"/"ext_type_name": "x"/' \
  -e 's/"preferred_transport_id": 1/"preferred_transport_id": 2/' "$TMP/hello.json" >"$TMP/info.json"
check "informational fields ignored (hello)" encodes_to "$TMP/hello.bin" "$TMP/info.json"
decoded close --hex 4e4e52500100052800000000000000000b0000000700000000000000000000000000000000000000736d6f6b652d636c6f7365
sed 's/"text": "smoke-close"/"text": "other"/' "$TMP/close.json" >"$TMP/info.json"
run encode --hex "$TMP/info.json"
check "text ignored, reason hex used" grep -q '736d6f6b652d636c6f7365$' "$TMP/out"

# Integers may be strings, in decimal or 0x-hex.
sed -e 's/"session_id": 7,/"session_id": "0x7",/' -e 's/"frame_id": 702,/"frame_id": "702",/' \
  "$TMP/mixed.json" >"$TMP/strings.json"
check "integer strings" encodes_to "$TMP/mixed.bin" "$TMP/strings.json"

# A missing field is 0 (the trace_id of these packets is 0 already).
sed '/"trace_id":/d' "$TMP/mixed.json" >"$TMP/missing.json"
check "missing field is 0" encodes_to "$TMP/mixed.bin" "$TMP/missing.json"

# ---- errors ---------------------------------------------------------------------------------------
printf '[{"msg_type": 32,' >"$TMP/bad.json"
check "invalid JSON" encode_fails "$TMP/bad.json" "invalid JSON at line 1"
printf '[]' >"$TMP/bad.json"
check "empty array" encode_fails "$TMP/bad.json" "no packets"
printf '[{"msg_type": 32, "msg_type": 33}]' >"$TMP/bad.json"
check "duplicate key" encode_fails "$TMP/bad.json" "invalid JSON"
printf '[{"session_id": 7}]' >"$TMP/bad.json"
check "msg_type missing" encode_fails "$TMP/bad.json" 'packet 0: missing "msg_type"'
printf '[{"msg_type": 7}]' >"$TMP/bad.json"
check "undefined msg_type" encode_fails "$TMP/bad.json" "not a Preview2 message type"
printf '[{"msg_type": 32, "sesion_id": 7}]' >"$TMP/bad.json"
check "unknown key" encode_fails "$TMP/bad.json" 'unknown key "sesion_id"'
printf '[{"msg_type": 32, "view_id": 65536}]' >"$TMP/bad.json"
check "value out of range" encode_fails "$TMP/bad.json" "view_id: 65536 does not fit"
printf '[{"msg_type": 32, "view_id": -1}]' >"$TMP/bad.json"
check "negative value" encode_fails "$TMP/bad.json" "view_id: expected an unsigned integer"
printf '[{"msg_type": 32, "view_id": " 1"}]' >"$TMP/bad.json"
check "blank in an integer string" encode_fails "$TMP/bad.json" "expected an unsigned integer"
printf '[{"msg_type": 32, "body": {"bytes": "0g"}}]' >"$TMP/bad.json"
check "bad hex" encode_fails "$TMP/bad.json" "body.bytes: invalid hex"
sed 's/"family": "region"/"family": "tensor"/' "$TMP/mixed.json" >"$TMP/bad.json"
check "unknown family" encode_fails "$TMP/bad.json" '"family" must be'
sed '0,/"payload": "[0-9a-f]*"/s//"payload": "00"/' "$TMP/typed_ext.json" >"$TMP/bad.json"
check "payload_length differs from the payload" encode_fails "$TMP/bad.json" \
  "body.typed_frames\[0\]: payload_length 3 differs from the 1 payload bytes"
sed 's/"ext_len": 8,/"ext_len": 9,/' "$TMP/hello.json" >"$TMP/bad.json"
check "ext_len differs from the payload" encode_fails "$TMP/bad.json" "body.extensions\[0\]: ext_len 9"

# Packets that break a rule: reported by the library, nothing written.
sed 's/"tile_count": 2,/"tile_count": 3,/' "$TMP/mixed.json" >"$TMP/bad.json"
check "rule broken after encoding" encode_fails "$TMP/bad.json" \
  "^nnrp: encode: packet 0: [A-Z_0-9]* (.*) at offset [0-9]*: "
sed 's/"payload_kind": 2,/"payload_kind": 6,/' "$TMP/typed_ext.json" >"$TMP/bad.json"
check "typed frame of two kinds" encode_fails "$TMP/bad.json" "^nnrp: encode: packet 0: TYPED_"
sed 's/"meta_len": 72,/"meta_len": 71,/' "$TMP/mixed.json" >"$TMP/bad.json"
check "meta_len differs from the metadata" encode_fails "$TMP/bad.json" "^nnrp: encode: packet 0: [A-Z_]* ("
sed 's/"version_major": 1,/"version_major": 2,/' "$TMP/mixed.json" >"$TMP/bad.json"
check "header encoder refuses version 2" encode_fails "$TMP/bad.json" "^nnrp: encode: packet 0: "
sed 's/"loss_tolerance_policy": 255,/"loss_tolerance_policy": 7,/' "$TMP/mixed.json" >"$TMP/bad.json"
check "metadata encoder error names the metadata" encode_fails "$TMP/bad.json" \
  "^nnrp: encode: packet 0: metadata: LOSS_TOLERANCE_POLICY ("

# Legacy sections go through the section encoder; its errors carry the section's path.
decoded dense "$VEC/frame_submit_dense.bin"
sed 's/"payload_bytes": 3072,/"payload_bytes": 3071,/' "$TMP/dense.json" >"$TMP/bad.json"
check "legacy section error has its path" encode_fails "$TMP/bad.json" \
  "^nnrp: encode: packet 0: body.sections\[0\]: SECTION_LENGTH_MISMATCH ("

# One bad packet among good ones: nothing at all is written.
cat "$VEC/result_drop.bin" "$TMP/mixed.bin" >"$TMP/two.bin"
decoded two "$TMP/two.bin"
sed 's/"tile_count": 2,/"tile_count": 3,/' "$TMP/two.json" >"$TMP/bad.json"
check "second packet bad, no output" encode_fails "$TMP/bad.json" "^nnrp: encode: packet 1: "

# Bytes between typed frames survive decoding with --py-compat (the strict profile rejects
# such gaps, wire-data 15 D8); encode writes them back and its strict check refuses them.
gaps=4e4e5250010010280000000048000000600000000700000009000000000000000000000000000000000000000000000000000000000001000000000000000000000000000000000000000000000000000000000000000000000000000000ff00000000000000000012000000020000000000000000000000200000000a000000100000000600000000000000000000000200010000000000030000000000000010000200050000000400000000000000746f6b2a2a657674212364000000000000000200000003000000010261626303
run decode --hex "$gaps"
check "gaps: strict decode refuses" grep -q "^nnrp: decode: TYPED_LAYOUT " "$TMP/err"
run decode --py-compat --hex "$gaps"
check "gaps: --py-compat decodes" [ "$rc" -eq 0 ]
check "gaps: raw typed region kept" grep -q '"typed_payload_frame_region": "746f6b2a2a6576742123"' "$TMP/out"
check "gaps: raw extension region kept" grep -q '"extension_payload_region": "010261626303"' "$TMP/out"
cp "$TMP/out" "$TMP/gaps.json"
check "gaps: strict encode refuses" encode_fails "$TMP/gaps.json" "^nnrp: encode: packet 0: TYPED_LAYOUT "

report
