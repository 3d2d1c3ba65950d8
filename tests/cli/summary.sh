# nnrp inspect --summary / --json and nnrp compare: the reference's summary and size comparison
# renderings (wire-data 13.2), character for character.  The expected lines of the shared
# vectors were rendered once with nnrp-py 1.0.0rc2 (render_wire_summary, compare_wire_size).
set -euo pipefail
source "$(dirname "$0")/common.bash"

# The frame of wire-data 13.2 (96x64, tile 32, two tiles, a 214-byte NRCM camera, roles 1 and
# 5), as the replay exporter builds it (tests/test_tools_replay_frame.c).
SPEC_FRAME=$(tr -d '\n' <<'HEX'
4e4e5250010010280000000048000000410100002ebec0232a00000000000000000000000000000060004000
200020000200020000000100000000000000000000000000d600000004000000000000000000000000000000
000000000000ff00000000000000000001000000000000004e52434d010010001000100000000000803e0000
00bf000000000000803f0000004000004040000080400000a0400000c0400000e04000000041000010410000
204100003041000040410000504100006041000070410000003f0000003f0000003f0000003f0000003f0000
003f0000003f0000003f0000003f0000003f0000003f0000003f0000003f0000003f0000003f0000003f0000
80bf000080bf000080bf000080bf000080bf000080bf000080bf000080bf000080bf000080bf000080bf0000
80bf000080bf000080bf000080bf000080bf0000000002000000000001000000000001000000000002000000
0800000002000000000000000000000000010100000001000000010200000000050000050000010000000000
02000000080000000700000000000000000000000001030000000400000061626364656667
HEX
)
python3 -c 'import sys; open(sys.argv[1], "wb").write(bytes.fromhex(sys.argv[2]))' \
  "$TMP/spec_frame.bin" "$SPEC_FRAME"
head -c 512 /dev/zero >"$TMP/pb512"
head -c 171 /dev/zero >"$TMP/pb171"
head -c 4000 /dev/zero >"$TMP/pb4000"
: >"$TMP/empty"

# prints_line EXPECTED ARGS...: nnrp ARGS prints exactly that line and nothing on stderr.
prints_line() {
  local expected=$1
  shift
  run "$@"
  [ "$rc" -eq 0 ] && [ "$(cat "$TMP/out")" = "$expected" ] && [ ! -s "$TMP/err" ]
}

check "spec summary line" prints_line \
  "subject=frame_submit msg=FRAME_SUBMIT wire=433 meta=72 body=321 tiles=2 sections=2 tile_index=4 camera=214 roles=1,5" \
  inspect --summary "$TMP/spec_frame.bin"
check "spec comparison line" prints_line \
  "reference_label=protobuf reference=512 current=433 delta=-79 current_ratio=84.57% subject=frame_submit msg=FRAME_SUBMIT wire=433 meta=72 body=321 tiles=2 sections=2 tile_index=4 camera=214 roles=1,5" \
  compare "$TMP/spec_frame.bin" "$TMP/pb512"
check "equal sizes" prints_line \
  "reference_label=json reference=171 current=171 delta=0 current_ratio=100.00% subject=frame_submit msg=FRAME_SUBMIT wire=171 meta=72 body=59 tiles=2 sections=1 tile_index=4 camera=2 roles=1" \
  compare "$VEC/frame_submit_changed_tiles.bin" "$TMP/pb171" --label json
check "an empty reference has no ratio" prints_line \
  "reference_label=protobuf reference=0 current=159 delta=159 current_ratio=n/a subject=result_push msg=RESULT_PUSH wire=159 meta=64 body=55 tiles=3 sections=1 tile_index=6 camera=0 roles=256 result_flags=NONE" \
  compare "$VEC/result_push_fresh.bin" "$TMP/empty"
check "label and the other file from standard input" bash -c \
  "'$NNRP' compare '$VEC/frame_submit_dense.bin' - --label flatbuffers <'$TMP/pb4000' | grep -qx 'reference_label=flatbuffers reference=4000 current=3260 delta=-740 current_ratio=81.50% subject=frame_submit msg=FRAME_SUBMIT wire=3260 meta=72 body=3148 tiles=3 sections=1 tile_index=6 camera=22 roles=5'"
check "--subject" prints_line \
  "reference_label=protobuf reference=512 current=433 delta=-79 current_ratio=84.57% subject=features msg=FRAME_SUBMIT wire=433 meta=72 body=321 tiles=2 sections=2 tile_index=4 camera=214 roles=1,5" \
  compare "$TMP/spec_frame.bin" "$TMP/pb512" --subject features

# compare refuses what has no summary, with the rule and the offset.
run compare "$VEC/client_hello.bin" "$TMP/pb512"
check "compare: a CLIENT_HELLO is refused" [ "$rc" -eq 1 ]
check "compare: with the summary rule" grep -q "^nnrp: compare: SUMMARY_MSG_TYPE (wire-data 13.2) at offset 6: " "$TMP/err"
run compare "$VEC/result_push_stale.bin" "$TMP/pb512"
check "compare: a malformed packet" [ "$rc" -eq 1 ]
check "compare: its rule and offset" grep -q "^nnrp: compare: SECTION_PAYLOAD_SUM (wire-data 6.2 S12) at offset 112: " "$TMP/err"
cat "$TMP/spec_frame.bin" "$TMP/spec_frame.bin" >"$TMP/two.bin"
run compare "$TMP/two.bin" "$TMP/pb512"
check "compare: one packet only" grep -q "TRAILING_BYTES" "$TMP/err"
run compare "$TMP/spec_frame.bin"
check "compare: needs two files" [ "$rc" -eq 2 ]
run compare - -
check "compare: one standard input only" [ "$rc" -eq 2 ]
run compare a b c
check "compare: three files" [ "$rc" -eq 2 ]
run compare a b --label
check "compare: --label needs a value" [ "$rc" -eq 2 ]
run help compare
check "help compare" grep -q "^usage: nnrp compare PACKET OTHER" "$TMP/out"

# inspect --summary over a stream: data messages as summaries, others as inspect lines.
cat "$VEC/client_hello.bin" "$VEC/frame_submit_changed_tiles.bin" "$VEC/result_push_fresh.bin" \
  >"$TMP/stream.bin"
run inspect --summary "$TMP/stream.bin"
check "stream --summary: exit 0" [ "$rc" -eq 0 ]
check "stream --summary: three lines" [ "$(wc -l <"$TMP/out")" -eq 3 ]
check "stream --summary: control message" grep -q "^CLIENT_HELLO session=0 " "$TMP/out"
check "stream --summary: result rendering" grep -qx "subject=result_push msg=RESULT_PUSH wire=159 meta=64 body=55 tiles=3 sections=1 tile_index=6 camera=0 roles=256 result_flags=NONE" "$TMP/out"
run inspect --summary --subject replay --hex "$(json_hex "$VEC/wire-data-hex-vectors.json" packets | sed -n 's/^E9.result_push_partial_packet //p')"
check "--subject and a PARTIAL result" [ "$(cat "$TMP/out")" = "subject=replay msg=RESULT_PUSH wire=156 meta=64 body=52 tiles=2 sections=1 tile_index=4 camera=0 roles=1 result_flags=PARTIAL" ]

# inspect --json: one object per line with the summary fields.
run inspect --json "$TMP/stream.bin"
check "--json: exit 0" [ "$rc" -eq 0 ]
check "--json: the fields" python3 - "$TMP/out" <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines[0] == {"message_type": "CLIENT_HELLO", "session_id": 0, "frame_id": 0,
                    "wire_bytes": 104, "metadata_bytes": 64, "body_bytes": 0}, lines[0]
assert lines[1] == {"subject": "frame_submit", "message_type": "FRAME_SUBMIT", "session_id": 9,
                    "frame_id": 15, "wire_bytes": 171, "metadata_bytes": 72, "body_bytes": 59,
                    "tile_count": 2, "section_count": 1, "tile_index_bytes": 4, "role_ids": [1],
                    "camera_bytes": 2, "result_flags": "NONE"}, lines[1]
assert lines[2]["role_ids"] == [256] and lines[2]["subject"] == "result_push", lines[2]
assert len(lines) == 3
EOF
run inspect --json --summary "$TMP/stream.bin"
check "--json and --summary: usage error" [ "$rc" -eq 2 ]
run inspect --subject
check "--subject needs a value" [ "$rc" -eq 2 ]

report
