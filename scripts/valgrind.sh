#!/usr/bin/env bash
# Runs the test programs of a build under valgrind memcheck; any memory error or definite leak
# fails the run.  The loopback socket tests (test_io_*, test_l3_*, test_quic*) are left to the
# ASan+UBSan run: under valgrind's slowdown their real-time deadlines expire.
#
#   scripts/valgrind.sh [BUILD_DIR]     (default: build)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-build}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
passed=0 failed=0
for t in "$build"/tests/test_*; do
  [ -x "$t" ] && [ -f "$t" ] || continue
  name="$(basename "$t")"
  case "$name" in test_io_* | test_l3_* | test_quic*) continue ;; esac
  if (cd "$build/tests" && valgrind -q --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite "$t" >"$build/tests/$name.valgrind.log" 2>&1); then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "valgrind: $name failed (see $build/tests/$name.valgrind.log)" >&2
    tail -20 "$build/tests/$name.valgrind.log" >&2
  fi
done
echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
