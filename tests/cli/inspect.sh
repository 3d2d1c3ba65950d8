# nnrp inspect: one line per packet with the key fields of each message.
set -euo pipefail
source "$(dirname "$0")/common.bash"

# inspects_to EXPECTED-LINE ARGS...: inspect prints exactly that one line.
inspects_to() {
  local expected=$1
  shift
  run inspect "$@"
  [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$expected" ] && [ ! -s "$TMP/err" ]
}
hex_of() { json_hex "$VEC/$1" packets | sed -n "s/^$2 //p"; }

check "python golden FRAME_SUBMIT" inspects_to \
  "FRAME_SUBMIT session=7 frame=42 view=3 meta=72 body=100 tiles=2 sections=2 roles=1,5 family=legacy flags=ACK_REQUIRED" \
  --hex "$(hex_of wire-data-hex-vectors.json python_golden.frame_submit_packet)"
check "partial RESULT_PUSH" inspects_to \
  "RESULT_PUSH session=7 frame=801 view=0 meta=64 body=52 tiles=2 sections=1 roles=1 class=partial covered=1 dropped=1 result_flags=PARTIAL family=legacy" \
  --hex "$(hex_of wire-data-hex-vectors.json E9.result_push_partial_packet)"
check "typed FRAME_SUBMIT" inspects_to \
  "FRAME_SUBMIT session=7 frame=101 view=0 meta=72 body=87 tiles=0 sections=0 roles=- kinds=token_chunk|structured_event frames=2 objects=0 references=0 extensions=0 family=region" \
  --hex "$(hex_of wire-data-hex-vectors.json E3.frame_submit_typed_packet)"
check "MIXED FRAME_SUBMIT with a reference" inspects_to \
  "FRAME_SUBMIT session=7 frame=900 view=0 meta=72 body=136 tiles=2 sections=1 roles=1 submit=mixed refs=0x1 objects=2 references=1 extensions=0 family=region" \
  --hex "$(hex_of wire-data-hex-vectors.json E10.frame_submit_mixed_mode_camera_reference)"
check "FLOW_UPDATE" inspects_to \
  "FLOW_UPDATE session=21 frame=0 view=0 meta=32 body=0 scope=session reason=congestion backpressure=hard credits=0/1/0 operation=0 epoch=5 retry_after=40 flow_flags=0x3" \
  --hex "$(hex_of wire-control-hex-vectors.json current.packet.flow_update)"
check "RESULT_HINT" inspects_to \
  "RESULT_HINT session=21 frame=303 view=0 meta=16 body=0 policy=stale_reuse congestion=saturated reason=budget_exceeded retry_after=60" \
  --hex "$(hex_of wire-control-hex-vectors.json current.packet.result_hint)"
check "CLOSE with a reason" inspects_to \
  'CLOSE session=7 frame=0 view=0 meta=0 body=11 reason="smoke-close"' \
  --hex "$(hex_of wire-control-hex-vectors.json derived.packet.close_smoke)"
check "ERROR" inspects_to \
  'ERROR session=21 frame=42 view=0 meta=32 body=9 code=malformed_body scope=frame fatal=0 retry_after=0 text="bad body!"' \
  --hex "$(hex_of builder-examples.json error.frame_scope_with_text)"
check "CLIENT_HELLO" inspects_to \
  "CLIENT_HELLO session=0 frame=0 view=0 meta=64 body=21 requested_session=1 extensions=1 auth=5 flags=ACK_REQUIRED" \
  --hex "$(hex_of wire-control-hex-vectors.json derived.packet.client_hello_with_ext_and_auth)"
check "SESSION_PATCH from a file" inspects_to \
  "SESSION_PATCH session=11 frame=0 view=0 meta=36 body=16 profile=0 mask=0x51 patch=yes" \
  "$VEC/session_patch.bin"
check "CACHE_PUT" inspects_to \
  "CACHE_PUT session=5 frame=0 view=0 meta=32 body=3 namespace=1 key=0000000200000003 kind=camera_block object=3 ttl=1000" \
  "$VEC/cache_put.bin"
check "header-only RESULT_DROP" inspects_to \
  "RESULT_DROP session=100 frame=5 view=0 meta=0 body=0 flags=CAN_DROP" "$VEC/result_drop.bin"

# One line per packet of a stream, from standard input.
cat "$VEC"/client_hello.bin "$VEC"/server_hello_ack.bin "$VEC"/result_push_fresh.bin >"$TMP/stream.bin"
run_in "$TMP/stream.bin" inspect -
check "stream: exit 0" [ "$rc" -eq 0 ]
check "stream: three lines" [ "$(wc -l <"$TMP/out")" -eq 3 ]
check "stream: in order" [ "$(cut -d' ' -f1 "$TMP/out" | tr '\n' ' ')" = "CLIENT_HELLO SERVER_HELLO_ACK RESULT_PUSH " ]

# The lines of the valid packets before a bad one are printed, then the error.
cat "$VEC"/client_hello.bin "$VEC"/result_push_stale.bin >"$TMP/bad.bin"
run inspect "$TMP/bad.bin"
check "bad packet: exit 1" [ "$rc" -eq 1 ]
check "bad packet: valid line first" grep -q "^CLIENT_HELLO " "$TMP/out"
check "bad packet: error at its absolute offset" grep -q "^nnrp: inspect: SECTION_PAYLOAD_SUM (wire-data 6.2 S12) at offset 216: " "$TMP/err"

report
