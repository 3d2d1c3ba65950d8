#!/usr/bin/env bash
# Build the libFuzzer targets with clang in build-fuzz/, seed a corpus per target from the
# reference vectors (../shared/vectors next to the repository) and run each target.
#
#   scripts/fuzz.sh [--seconds N] [--jobs J] [target...]
#
# N: seconds per target (default 60).  J: targets run at the same time (default: CPU count).
# Targets: the names of fuzz/fuzz_<name>.c (default: all).  Exit status is non-zero when a
# target crashed; its inputs are kept in build-fuzz/crashes/.  See fuzz/README.md.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-fuzz"
vectors="$(cd "$root/.." && pwd)/shared/vectors"

seconds=60
jobs="$(nproc 2>/dev/null || echo 1)"
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --seconds=*) seconds="${1#*=}"; shift ;;
    --jobs) jobs="$2"; shift 2 ;;
    --jobs=*) jobs="${1#*=}"; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
case "$seconds$jobs" in
  *[!0-9]*) echo "fuzz.sh: --seconds and --jobs take numbers" >&2; exit 2 ;;
esac
[ "$jobs" -ge 1 ] || jobs=1

"$root/scripts/deps.sh"

CC=clang cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DNNRP_BUILD_FUZZ=ON -DNNRP_BUILD_TOOLS=OFF -DNNRP_BUILD_TESTS=OFF -DNNRP_BUILD_BENCH=OFF \
  -DNNRP_BUILD_EXAMPLES=OFF >/dev/null

mapfile -t all_targets < "$build/fuzz/targets.txt"
if [ ${#targets[@]} -eq 0 ]; then
  targets=("${all_targets[@]}")
fi
for t in "${targets[@]}"; do
  case " ${all_targets[*]} " in
    *" $t "*) ;;
    *) echo "fuzz.sh: unknown target '$t' (known: ${all_targets[*]})" >&2; exit 2 ;;
  esac
done

cmake --build "$build" --target $(printf 'fuzz_%s ' "${targets[@]}")

if [ -d "$vectors" ]; then
  python3 "$root/fuzz/make_corpus.py" "$vectors" "$build/corpus" >/dev/null
else
  echo "fuzz.sh: $vectors not found; starting from empty corpora" >&2
fi
mkdir -p "$build/crashes" "$build/logs"

# One target: its corpus (written to), the checked-in regression inputs (read only), the
# dictionary; crash inputs land in build-fuzz/crashes/<target>-crash-<sha1>.
run_target() {
  local t="$1"
  local corpus="$build/corpus/$t"
  local dirs=("$corpus")
  mkdir -p "$corpus"
  [ -d "$root/fuzz/regressions/$t" ] && dirs+=("$root/fuzz/regressions/$t")
  local rc=0
  ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}" \
  UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
    "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -dict="$root/fuzz/nnrp.dict" \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$build/crashes/$t-" "${dirs[@]}" >"$build/logs/$t.log" 2>&1 || rc=$?
  echo "$rc" >"$build/logs/$t.rc"
}

echo "fuzzing ${#targets[@]} target(s), ${seconds}s each, $jobs at a time"
running=0
for t in "${targets[@]}"; do
  run_target "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

total_execs=0
total_corpus=0
failed=()
printf '%-20s %14s %8s  %s\n' target executions corpus result
for t in "${targets[@]}"; do
  log="$build/logs/$t.log"
  rc="$(cat "$build/logs/$t.rc")"
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  execs="${execs:-0}"
  corpus="$(find "$build/corpus/$t" -type f | wc -l)"
  result=ok
  if [ "$rc" != 0 ]; then
    result="CRASH (exit $rc, see $log)"
    failed+=("$t")
  fi
  printf '%-20s %14s %8s  %s\n' "$t" "$execs" "$corpus" "$result"
  total_execs=$((total_execs + execs))
  total_corpus=$((total_corpus + corpus))
done
printf '%-20s %14s %8s  %s\n' total "$total_execs" "$total_corpus" \
  "$(( ${#targets[@]} - ${#failed[@]} ))/${#targets[@]} clean"

if [ ${#failed[@]} -gt 0 ]; then
  echo "crashing inputs:" >&2
  for t in "${failed[@]}"; do
    (cd "$root" && ls -1d build-fuzz/crashes/"$t"-* 2>/dev/null | sed 's/^/  /') >&2
  done
  exit 1
fi
