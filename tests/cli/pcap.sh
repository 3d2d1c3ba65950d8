# nnrp inspect --pcap: TCP captures (pcap, pcapng, raw IP) written by capture.py from the
# shared vectors, reassembled and cut into NNRP packets; broken captures are reported and
# never stop the tool early.
set -euo pipefail
source "$(dirname "$0")/common.bash"

python3 "$(dirname "$0")/capture.py" "$TMP" "$VEC"

# as_tsv: nnrp inspect --json lines -> the columns of capture.py's expected.tsv.
as_tsv() {
  python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if "error" in o:
        print("%s\t%d\t%s\terror\t%s\t%d" % (o["time"], o["connection"], o["direction"],
                                             o["error"], o["offset"]))
    else:
        print("\t".join(str(o[k]) for k in ("time", "connection", "direction", "message_type",
              "session_id", "frame_id", "metadata_bytes", "body_bytes")))
'
}

# Every packet of every connection, in the order a correct reader completes them: split and
# coalesced segments, out of order, retransmitted, IPv6 with a sequence wrap, port reuse.
for cap in session.pcap session.pcapng; do
  run inspect --pcap "$TMP/$cap" --json
  check "$cap: exit 0" [ "$rc" -eq 0 ]
  check "$cap: nothing on stderr" [ ! -s "$TMP/err" ]
  as_tsv <"$TMP/out" >"$TMP/got.tsv"
  check "$cap: every packet, in order, with time, connection and direction" \
    cmp -s "$TMP/got.tsv" "$TMP/expected.tsv"
done
check "session: 29 packets in 3 connections" [ "$(wc -l <"$TMP/expected.tsv")" -eq 29 ]
check "session: the port-80 connection is not listed" \
  [ "$(cut -f2 "$TMP/expected.tsv" | sort -u | tr '\n' ' ')" = "1 2 3 " ]

run inspect --pcap "$TMP/raw.pcap" --json
as_tsv <"$TMP/out" >"$TMP/got.tsv"
check "raw IP link type" cmp -s "$TMP/got.tsv" "$TMP/expected_raw.tsv"

# The line formats: the inspect line, or the summary rendering, after time, connection and
# direction.
run inspect --pcap "$TMP/session.pcap"
check "line: exit 0" [ "$rc" -eq 0 ]
check "line: first packet" grep -qx "1700000000.001500 conn=1 client->server CLIENT_HELLO session=0 frame=0 view=0 meta=64 body=0 requested_session=1 extensions=0 auth=0 flags=ACK_REQUIRED" "$TMP/out"
check "line: two results completed by one segment" [ "$(grep -c '^1700000000.003500 conn=1 server->client RESULT_PUSH ' "$TMP/out")" -eq 2 ]
run inspect --pcap "$TMP/session.pcap" --summary
check "summary: FRAME_SUBMIT rendering" grep -qx "1700000000.002750 conn=1 client->server subject=frame_submit msg=FRAME_SUBMIT wire=3260 meta=72 body=3148 tiles=3 sections=1 tile_index=6 camera=22 roles=5" "$TMP/out"
check "summary: RESULT_PUSH rendering" grep -qx "1700000000.003500 conn=1 server->client subject=result_push msg=RESULT_PUSH wire=156 meta=64 body=52 tiles=2 sections=1 tile_index=4 camera=0 roles=1 result_flags=PARTIAL" "$TMP/out"
check "summary: other messages keep the inspect line" grep -qx "1700000000.006500 conn=1 client->server PING session=7 frame=0 view=0 meta=0 body=0 flags=CAN_DROP" "$TMP/out"

# A different port: nothing of ours there.
run inspect --pcap "$TMP/session.pcap" --port 80
check "port 80: exit 1 (the HTTP bytes are no NNRP framing)" [ "$rc" -eq 1 ]
check "port 80: one error line" [ "$(wc -l <"$TMP/out")" -eq 1 ]
check "port 80: bad magic at offset 0" grep -q "conn=1 client->server error HEADER_MAGIC (wire-control 2.3 step 2) at offset 0: " "$TMP/out"

# Broken streams: each reported once, with its rule and stream offset; the rest goes on.
run inspect --pcap "$TMP/bad.pcap"
check "bad: exit 1" [ "$rc" -eq 1 ]
check "bad: one summary line on stderr" one_error_line inspect
check "bad: the summary counts 5 errors" grep -q "5 stream errors" "$TMP/err"
expect_line() { check "bad: $1" grep -qx "$2" "$TMP/out"; }
expect_line "malformed RESULT_PUSH (offset 120 + 112)" \
  "1700000000.001250 conn=1 server->client error SECTION_PAYLOAD_SUM (wire-data 6.2 S12) at offset 232: payload_bytes != sum of tile lengths"
expect_line "the other direction goes on" \
  "1700000000.001500 conn=1 client->server PING session=7 frame=0 view=0 meta=0 body=0 flags=CAN_DROP"
check "bad: nothing after the malformed packet in its direction" \
  bash -c "! grep -q 'conn=1 server->client PONG' '$TMP/out'"
expect_line "no NNRP framing" \
  "1700000000.003000 conn=2 client->server error HEADER_MAGIC (wire-control 2.3 step 2) at offset 0: magic is not NNRP"
expect_line "a packet cut by the end of the stream" \
  "1700000000.004500 conn=3 client->server error INCOMPLETE (wire-control 1) at offset 40: need more bytes"
expect_line "a lost segment" \
  "1700000000.009250 conn=4 client->server error CAPTURE_GAP (tcp) at offset 60: 30 stream bytes are missing from the capture"
expect_line "a snap length cut" \
  "1700000000.009250 conn=5 client->server error CAPTURE_GAP (tcp) at offset 2760: 500 stream bytes are missing from the capture"
expect_line "a good connection after the bad ones" \
  "1700000000.008750 conn=6 server->client SERVER_HELLO_ACK session=0 frame=0 view=0 meta=80 body=0 assigned_session=42 auth_status=0 extensions=0"
check "bad: 7 packet lines" [ "$(grep -vc ' error ' "$TMP/out")" -eq 7 ]
check "bad: 5 error lines" [ "$(grep -c ' error ' "$TMP/out")" -eq 5 ]

run inspect --pcap "$TMP/bad.pcap" --json
as_tsv <"$TMP/out" >"$TMP/got.tsv"
check "bad --json: errors are objects too" \
  grep -qx "1700000000.003000	2	client->server	error	HEADER_MAGIC	0" "$TMP/got.tsv"
check "bad --json: 12 objects" [ "$(wc -l <"$TMP/got.tsv")" -eq 12 ]

# A capture file cut inside a record: the packets before are printed, then the error.
run inspect --pcap "$TMP/cut.pcap"
check "cut file: exit 1" [ "$rc" -eq 1 ]
check "cut file: packets before the cut" grep -q "conn=1 client->server CLIENT_HELLO" "$TMP/out"
check "cut file: the reader says where" grep -q "^nnrp: inspect: capture '.*cut.pcap': truncated dump file" "$TMP/err"

# Not a capture at all; every prefix of a capture; random bytes after a valid header.
run inspect --pcap "$VEC/client_hello.bin"
check "not a capture: exit 1" [ "$rc" -eq 1 ]
check "not a capture: one line" one_error_line inspect
run inspect --pcap "$TMP/missing.pcap"
check "missing file: exit 1" [ "$rc" -eq 1 ]
python3 - "$TMP" <<'EOF'
import os, random, sys
tmp = sys.argv[1]
data = open(os.path.join(tmp, "bad.pcap"), "rb").read()
rnd = random.Random(6)
for i in range(40):
    b = bytearray(data)
    for _ in range(rnd.randint(1, 64)):
        b[rnd.randrange(24, len(b))] = rnd.randrange(256)
    open(os.path.join(tmp, "fuzz%d.pcap" % i), "wb").write(b)
EOF
survived=0
for i in $(seq 0 39); do
  rc=0
  "$NNRP" inspect --pcap "$TMP/fuzz$i.pcap" >/dev/null 2>&1 || rc=$?
  [ "$rc" -le 1 ] && survived=$((survived + 1))
done
check "40 corrupted captures: exit 0 or 1, never a crash" [ "$survived" -eq 40 ]

# Usage errors.
run inspect --pcap "$TMP/session.pcap" --port 0
check "--port 0: usage error" [ "$rc" -eq 2 ]
run inspect --port 9444 "$VEC/client_hello.bin"
check "--port without --pcap: usage error" [ "$rc" -eq 2 ]
run inspect --pcap "$TMP/session.pcap" "$VEC/client_hello.bin"
check "--pcap with another input: usage error" [ "$rc" -eq 2 ]
run inspect --pcap
check "--pcap without a file: usage error" [ "$rc" -eq 2 ]

report
