# The Wireshark dissector (tools/wireshark/nnrp.lua) under tshark and nnrp inspect --pcap read
# the same captures (written by capture.py from the shared vectors) and must agree on every
# packet: time, direction, message type, session, frame and lengths.
set -euo pipefail
source "$(dirname "$0")/common.bash"

LUA="$(cd "$(dirname "$0")/../.." && pwd)/tools/wireshark/nnrp.lua"
if ! command -v tshark >/dev/null; then
  echo "tshark is not installed (scripts/deps.sh installs it)" >&2
  exit 1
fi
python3 "$(dirname "$0")/capture.py" "$TMP" "$VEC"

# tshark_rows CAPTURE [PORT]: one line per NNRP packet the dissector shows, in capture order:
# time, tcp stream, direction, msg_type, session_id, frame_id, meta_len, body_len.  A frame
# that completes several packets lists each field once per packet.
tshark_rows() {
  tshark -X lua_script:"$LUA" -r "$1" -o tcp.reassemble_out_of_order:TRUE \
    ${2:+-o nnrp.tcp_port:$2} -Y nnrp.msg_type -T fields -E separator=/t -E occurrence=a \
    -E aggregator=, -e frame.time_epoch -e tcp.stream -e tcp.srcport -e nnrp.msg_type \
    -e nnrp.session_id -e nnrp.frame_id -e nnrp.meta_len -e nnrp.body_len 2>"$TMP/tshark.err" |
    python3 -c '
import sys
names = {0x01: "CLIENT_HELLO", 0x02: "SERVER_HELLO_ACK", 0x03: "SESSION_PATCH",
         0x04: "SESSION_PATCH_ACK", 0x05: "CLOSE", 0x06: "ERROR", 0x10: "FRAME_SUBMIT",
         0x11: "FRAME_CANCEL", 0x12: "RESULT_PUSH", 0x13: "RESULT_DROP", 0x14: "CACHE_PUT",
         0x15: "CACHE_ACK", 0x16: "CACHE_INVALIDATE", 0x17: "FLOW_UPDATE", 0x18: "RESULT_HINT",
         0x19: "TRANSPORT_PROBE", 0x1A: "TRANSPORT_PROBE_ACK", 0x1B: "SESSION_MIGRATE",
         0x1C: "SESSION_MIGRATE_ACK", 0x20: "PING", 0x21: "PONG"}
port = int(sys.argv[1])
for line in sys.stdin:
    t, stream, sport, *cols = line.rstrip("\n").split("\t")
    direction = "server->client" if int(sport) == port else "client->server"
    per_packet = [c.split(",") for c in cols]
    for msg, session, frame, meta, body in zip(*per_packet):
        print("\t".join([t[:-3], stream, direction, names[int(msg, 0)], session, frame, meta,
                         body]))
' "${2:-9444}"
}

# nnrp_rows CAPTURE [PORT]: the same columns from nnrp inspect --pcap --json (the connection
# number in place of the stream); errors are left out.
nnrp_rows() {
  "$NNRP" inspect --pcap "$1" ${2:+--port $2} --json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if "error" not in o:
        print("\t".join(str(o[k]) for k in ("time", "connection", "direction", "message_type",
              "session_id", "frame_id", "metadata_bytes", "body_bytes")))
' || true
}

# Number connections by first appearance, so that tshark's stream indexes (which count every
# TCP connection) and nnrp's connection numbers (port 9444 only) compare.
renumber() {
  awk -F'\t' 'BEGIN { OFS = "\t" } { if (!($2 in id)) id[$2] = ++n; $2 = id[$2]; print }'
}

for cap in session.pcap session.pcapng raw.pcap; do
  tshark_rows "$TMP/$cap" | renumber >"$TMP/tshark.tsv"
  nnrp_rows "$TMP/$cap" | renumber >"$TMP/nnrp.tsv"
  check "$cap: tshark dissects packets" [ -s "$TMP/tshark.tsv" ]
  check "$cap: tshark and nnrp inspect list the same packets" cmp -s "$TMP/tshark.tsv" "$TMP/nnrp.tsv"
  if ! cmp -s "$TMP/tshark.tsv" "$TMP/nnrp.tsv"; then diff "$TMP/tshark.tsv" "$TMP/nnrp.tsv" >&2 || true; fi
done
check "session: tshark agrees with capture.py's model too" \
  cmp -s <(tshark_rows "$TMP/session.pcap" | renumber) <(renumber <"$TMP/expected.tsv")
check "session: every message type of Preview2" \
  [ "$(tshark_rows "$TMP/session.pcap" | cut -f4 | sort -u | wc -l)" -eq 21 ]

# The dissector's field names are the specification's: a few metadata fields, by name.
fields() {
  tshark -X lua_script:"$LUA" -r "$TMP/session.pcap" -o tcp.reassemble_out_of_order:TRUE \
    -Y "$1" -T fields -E occurrence=a -E aggregator=, -e "$2" 2>/dev/null | head -1
}
check "frame_submit.tile_count" [ "$(fields 'nnrp.frame_submit.camera_bytes == 22' nnrp.frame_submit.tile_count)" = 3 ]
# One segment completes two results: the fresh one (3 tiles) and the partial one (1 of 2).
check "result_push.covered_tile_count" [ "$(fields 'nnrp.result_push.dropped_tile_count == 1' nnrp.result_push.covered_tile_count)" = 3,1 ]
check "client_hello.requested_session_id" [ "$(fields nnrp.client_hello nnrp.client_hello.requested_session_id)" = 1 ]
check "server_hello_ack.session_id" [ "$(fields nnrp.server_hello_ack nnrp.server_hello_ack.session_id)" = 42 ]
check "flow_update.credit_epoch" [ "$(fields nnrp.flow_update nnrp.flow_update.credit_epoch)" = 5 ]
check "session_migrate_ack.grace_window_ms" [ "$(fields nnrp.session_migrate_ack nnrp.session_migrate_ack.grace_window_ms)" = 250 ]
check "cache_put.object_kind" [ "$(fields nnrp.cache_put nnrp.cache_put.object_kind)" = 1 ]
check "profile patch block" [ "$(fields nnrp.profile_patch.max_width nnrp.profile_patch.max_width)" != "" ]
check "CLOSE reason text" [ "$(fields 'nnrp.msg_type == 0x05' nnrp.text)" = smoke-close ]
check "header flags" [ "$(fields 'nnrp.msg_type == 0x11' nnrp.flags.can_drop)" = 1 ]

# The port preference (heuristic off): only the connection from client port 40002 is NNRP.
# The heuristic alone (the preference on an unused port) finds every connection that starts
# with an NNRP header.
ports() {
  tshark -X lua_script:"$LUA" -r "$TMP/session.pcap" -o tcp.reassemble_out_of_order:TRUE "$@" \
    -Y nnrp.msg_type -T fields -e tcp.stream 2>/dev/null | sort -u | tr '\n' ' '
}
all_streams=$(ports)
check "port preference" [ "$(ports -o nnrp.tcp_port:40002 --disable-heuristic nnrp_tcp)" = "2 " ]
check "heuristic" [ "$(ports -o nnrp.tcp_port:1)" = "$all_streams" ]
check "heuristic: three connections" [ "$all_streams" = "0 2 3 " ]

# A broken capture: tshark must not fail; where nnrp stops a direction, what it printed is the
# beginning of what the dissector shows (the dissector frames by header only); everywhere
# else they agree.  The stream without NNRP framing is flagged as malformed.
run_tshark_bad() {
  tshark -X lua_script:"$LUA" -r "$TMP/bad.pcap" -o tcp.reassemble_out_of_order:TRUE \
    -T fields -e tcp.stream -e _ws.expert.message "$@" 2>/dev/null
}
rc=0
run_tshark_bad >/dev/null || rc=$?
check "bad: tshark exits 0" [ "$rc" -eq 0 ]
check "bad: the unframed stream is malformed" \
  run_tshark_bad -Y 'nnrp && tcp.srcport == 41002' | grep -q "bytes where an NNRP header should start"
tshark_rows "$TMP/bad.pcap" | renumber >"$TMP/tshark.tsv"
"$NNRP" inspect --pcap "$TMP/bad.pcap" --json 2>/dev/null >"$TMP/bad.json" || true
python3 - "$TMP/tshark.tsv" "$TMP/bad.json" >"$TMP/verdict" <<'EOF'
import json, sys
tshark = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
objs = [json.loads(l) for l in open(sys.argv[2])]
stopped = {(o["connection"], o["direction"]) for o in objs if "error" in o}
rows = [[o["time"], str(o["connection"]), o["direction"], o["message_type"], str(o["session_id"]),
         str(o["frame_id"]), str(o["metadata_bytes"]), str(o["body_bytes"])]
        for o in objs if "error" not in o]
# Packets per (connection, direction).  tshark's streams are renumbered among those with
# packets, nnrp numbers every connection on the port: both list them in the same order.
def by_dir(rs):
    out = {}
    for r in rs:
        out.setdefault((r[1], r[2]), []).append(r[3:])
    return out
t_conns = sorted({int(r[1]) for r in tshark})
n_conns = sorted({int(r[1]) for r in rows})
ok = True
# Connections 2 and 5 carry no whole packet for either reader.
mapping = dict(zip(t_conns, n_conns))
t = by_dir([[r[0], str(mapping[int(r[1])])] + r[2:] for r in tshark])
n = by_dir(rows)
for key in set(t) | set(n):
    a, b = t.get(key, []), n.get(key, [])
    if (int(key[0]), key[1]) in stopped:
        ok &= a[:len(b)] == b
    else:
        ok &= a == b
print("agree" if ok and len(stopped) == 5 else "disagree %r %r" % (t, n))
EOF
check "bad: tshark and nnrp agree up to each error" grep -qx agree "$TMP/verdict"

report
