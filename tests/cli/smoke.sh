# nnrp smoke / nnrp-quic-smoke: a real session on 127.0.0.1 over QUIC and over TCP, the nine
# transcript lines on both sides, and the exit codes (transport.md §8).
set -euo pipefail
source "$(dirname "$0")/common.bash"

SMOKE=$(dirname "$NNRP")/nnrp-quic-smoke
check "nnrp-quic-smoke is installed beside nnrp" [ -x "$SMOKE" ]

expect_transcript() { # FILE ROLE RESULT_STREAM
  local want
  want=$(printf 'role=%s\nrequested_session_id=1\nnegotiated_session_id=7\nframe_id=101\ncontrol_stream_id=0\nsubmit_stream_id=2\nresult_stream_id=%s\nsubmit_tile_count=3\nresult_tile_count=3' "$2" "$3")
  [ "$(cat "$1")" = "$want" ]
}

# A free port pair: the server binds it (UDP for QUIC, TCP for TCP); retried on a clash.
for transport in quic tcp; do
  stream=3
  [ "$transport" = tcp ] && stream=2
  ok=0
  for attempt in 1 2 3 4 5; do
    port=$((20000 + (RANDOM % 40000)))
    "$SMOKE" server-once --transport "$transport" --port "$port" --timeout 10 \
      >"$TMP/srv" 2>"$TMP/srv.err" &
    pid=$!
    sleep 0.3
    rc=0
    "$NNRP" smoke client --transport "$transport" --port "$port" --timeout 5 \
      >"$TMP/cli" 2>"$TMP/cli.err" || rc=$?
    srv_rc=0
    wait "$pid" || srv_rc=$?
    if [ "$rc" -eq 0 ] && [ "$srv_rc" -eq 0 ]; then ok=1; break; fi
    grep -q "cannot listen" "$TMP/srv.err" || break
  done
  check "$transport: client and server succeed" [ "$ok" -eq 1 ]
  check "$transport: client transcript" expect_transcript "$TMP/cli" client "$stream"
  check "$transport: server transcript" expect_transcript "$TMP/srv" server "$stream"
  if [ "$transport" = quic ]; then
    check "quic: the client says it does not verify" grep -q "NOT verified" "$TMP/cli.err"
    check "quic: the server says it made a certificate" grep -q "development certificate" "$TMP/srv.err"
  fi
done

# Usage errors: exit 2, nothing on stdout.
for args in "" "bogus" "client --port" "client --port 70000" "server-once --verify-peer" \
            "client --transport sctp" "server-once --certificate only.pem"; do
  rc=0
  # shellcheck disable=SC2086
  "$SMOKE" $args >"$TMP/out" 2>"$TMP/err" || rc=$?
  check "nnrp-quic-smoke $args: exit 2" [ "$rc" -eq 2 ]
  check "nnrp-quic-smoke $args: nothing on stdout" [ ! -s "$TMP/out" ]
done

# A failure at run time: exit 1 (nobody listens; TCP refuses at once).
run smoke client --transport tcp --port 9 --timeout 2
check "refused connection: exit 1" [ "$rc" -eq 1 ]
check "refused connection: says why" grep -q "client failed" "$TMP/err"

run help smoke
check "help smoke" grep -q "^usage: nnrp smoke client" "$TMP/out"

report
