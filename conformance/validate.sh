#!/usr/bin/env bash
# Validates libnnrp's side of the NNRP conformance suite against the suite's JSON schemas:
# the capability manifest, the vector manifest rendered from the recipes (and its bytes against
# the reference golden vectors, all 12 identical), adapter plans and the results the adapter
# writes for them, and the benchmark results.
#
#   conformance/validate.sh NNRP WORKDIR [SHARED]
#
# NNRP is the nnrp command, WORKDIR a scratch folder (a Python venv with a pinned jsonschema is
# created there once and reused), SHARED the shared folder (default: ../shared beside the
# repository).  Prints one line per failed check and "N passed, M failed"; exit 1 on failure.
set -uo pipefail

NNRP=${1:?usage: $0 NNRP WORKDIR [SHARED]}
WORK=${2:?usage: $0 NNRP WORKDIR [SHARED]}
REPO=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${3:-$REPO/../shared}
SUITE=$SHARED/conformance
SCHEMAS=$SUITE/schemas
BASELINE=$SUITE/protocol/nnrp-1-preview2
CAPS=$REPO/conformance/nnrp-1-preview2.capabilities.json
JSONSCHEMA=jsonschema==4.23.0

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
  failed=$((failed + 1))
  echo "FAIL: $*" >&2
}
check() {
  local name=$1
  shift
  if "$@"; then pass; else fail "$name"; fi
}
report() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
# quiet CMD...: runs a command with its output in $OUT/commands.log, shown when it fails.
quiet() {
  local rc=0
  echo "+ $*" >"$OUT/last.log"
  "$@" >>"$OUT/last.log" 2>&1 || rc=$?
  cat "$OUT/last.log" >>"$OUT/commands.log"
  [ "$rc" -eq 0 ] || tail -n 20 "$OUT/last.log" >&2
  return "$rc"
}

mkdir -p "$WORK"
VENV=$WORK/venv
OUT=$WORK/out
rm -rf "$OUT"
mkdir -p "$OUT"

# The venv: created once, reused while it holds the pinned jsonschema.
if ! "$VENV/bin/python" -c 'import importlib.metadata as m; assert m.version("jsonschema") == "4.23.0"' \
  2>/dev/null; then
  rm -rf "$VENV"
  if ! python3 -m venv "$VENV" >"$OUT/venv.log" 2>&1 ||
    ! "$VENV/bin/pip" install --quiet --disable-pip-version-check "$JSONSCHEMA" >>"$OUT/venv.log" 2>&1; then
    cat "$OUT/venv.log" >&2
    fail "cannot create the Python venv with $JSONSCHEMA in $VENV"
    report
    exit 1
  fi
fi
PY=$VENV/bin/python

# valid SCHEMA FILE: FILE validates against the suite's schema (draft 2020-12).
valid() {
  "$PY" - "$SCHEMAS/$1" "$2" <<'EOF'
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
errors = list(Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))))
for e in errors:
    print(f"  {sys.argv[2]}: {'/'.join(map(str, e.path)) or '(root)'}: {e.message}", file=sys.stderr)
sys.exit(1 if errors else 0)
EOF
}

# py CODE ARGS...: a Python assertion over JSON files; prints its own reason on failure.
py() {
  local code=$1
  shift
  "$PY" -c "import json, sys
$code" "$@"
}

# ---- 1. capability manifest ------------------------------------------------------------------
check "capability manifest follows capability-manifest.schema.json" \
  valid capability-manifest.schema.json "$CAPS"
check "capability manifest claims only tokens the Preview2 baseline uses" py '
import glob, os
caps = json.load(open(sys.argv[1]))
known = set(json.load(open(sys.argv[2]))["supports"])
for f in glob.glob(os.path.join(sys.argv[3], "*.json")):  # tokens the cases require
    for c in json.load(open(f)).get("cases", []):
        known.update(c.get("required_capabilities", []))
assert caps["protocol_version"] == "nnrp-1-preview2", caps["protocol_version"]
unknown = set(caps["supports"]) - known
assert not unknown, f"unknown tokens: {sorted(unknown)}"
assert len(caps["supports"]) == 16, len(caps["supports"])' \
  "$CAPS" "$BASELINE/example-capabilities.json" "$BASELINE/cases"

# ---- 2. recipe vectors -----------------------------------------------------------------------
check "nnrp conformance vectors renders every recipe" \
  quiet "$NNRP" conformance vectors --recipes "$BASELINE/vectors/semantic-vectors.json" \
  --output "$OUT/vectors.json"
check "vector manifest follows vector-manifest.schema.json" \
  valid vector-manifest.schema.json "$OUT/vectors.json"
# same_as_golden FILE: all 12 vectors of FILE have the reference names, kinds, lengths and hex.
same_as_golden() {
  py '
ours = {v["name"]: v for v in json.load(open(sys.argv[1]))["vectors"]}
ref = {v["name"]: v for v in json.load(open(sys.argv[2]))["vectors"]}
assert len(ref) == 12 and set(ours) == set(ref), f"names differ: {sorted(set(ours) ^ set(ref))}"
bad = [n for n in ref if (ours[n]["hex"], ours[n]["kind"], ours[n]["bytes"]) !=
       (ref[n]["hex"], ref[n]["kind"], len(ref[n]["hex"]) // 2)]
assert not bad, f"different: {bad}"' "$1" "$SHARED/vectors/golden-vectors.json"
}
check "all 12 recipe vectors identical to the reference golden vectors" \
  same_as_golden "$OUT/vectors.json"

# The checks can fail: a changed byte and an unknown outcome are caught.
invalid() { ! valid "$@" 2>/dev/null; }
sed 's/"hex": "4e4e5250010017/"hex": "4e4e5250010117/' "$OUT/vectors.json" >"$OUT/bad-vectors.json"
check "a vector manifest with one changed byte is not the reference" \
  eval '! same_as_golden "$OUT/bad-vectors.json" 2>/dev/null'
printf '{"protocol_version": "p", "implementation_name": "i", "results": [{"id": "x", "outcome": "maybe"}]}' \
  >"$OUT/bad-results.json"
check "results with an unknown outcome break adapter-case-results.schema.json" \
  invalid adapter-case-results.schema.json "$OUT/bad-results.json"

# ---- 3. adapter: the suite's sample plan -----------------------------------------------------
SAMPLE=$SUITE/examples/adapter-execution-plan.sample.json
check "sample plan follows adapter-execution-plan.schema.json" \
  valid adapter-execution-plan.schema.json "$SAMPLE"
check "adapter runs the sample plan" quiet "$NNRP" conformance run --plan "$SAMPLE" \
  --output "$OUT/sample-results.json" --evidence-dir "$OUT/sample-evidence" --shared "$SHARED"
check "sample results follow adapter-case-results.schema.json" \
  valid adapter-case-results.schema.json "$OUT/sample-results.json"
check "sample cases (Preview3 ids) are skipped, never passed" py '
res = json.load(open(sys.argv[1]))["results"]
assert len(res) == 2 and all(r["outcome"] == "skip" and r["message"] for r in res), res' \
  "$OUT/sample-results.json"

# ---- 4. adapter: the Preview2 baseline ---------------------------------------------------------
# plan: selected by the capability manifest; all: every case of the baseline.
for kind in selected all; do
  if [ "$kind" = selected ]; then select=(--capabilities "$CAPS"); else select=(--all); fi
  check "$kind plan written" quiet "$NNRP" conformance plan --suite "$SUITE" "${select[@]}" \
    --output "$OUT/plan-$kind.json" --results "$OUT/results-$kind.json" \
    --evidence-dir "$OUT/evidence-$kind"
  check "$kind plan follows adapter-execution-plan.schema.json" \
    valid adapter-execution-plan.schema.json "$OUT/plan-$kind.json"
  check "adapter runs the $kind plan without a failing case" \
    quiet "$NNRP" conformance run --plan "$OUT/plan-$kind.json" --shared "$SHARED"
  check "$kind results follow adapter-case-results.schema.json" \
    valid adapter-case-results.schema.json "$OUT/results-$kind.json"
  check "$kind results: one per case, no mandatory case fails or is skipped, evidence present" py '
import os
plan = json.load(open(sys.argv[1]))
res = json.load(open(sys.argv[2]))["results"]
assert [r["id"] for r in res] == [c["id"] for c in plan["cases"]], "results do not follow the plan"
for r in res:
    assert r["outcome"] in ("pass", "skip"), r
    status = next(c.get("status") for c in plan["cases"] if c["id"] == r["id"])
    if r["id"].startswith("l0.") or status == "mandatory":
        assert r["outcome"] == "pass", r
    if r["outcome"] == "skip":  # only an nnrp built without the io library skips (L3)
        assert r["id"].startswith("l3.") and "without the io library" in r["message"], r
    for p in r.get("evidence_paths", []):
        assert os.path.isfile(p), p
    assert r.get("evidence_paths"), "no evidence for " + r["id"]' \
    "$OUT/plan-$kind.json" "$OUT/results-$kind.json"
done
check "the selected plan has the 22 mandatory and optional cases (all 16 tokens claimed); the full plan all 23" py '
assert len(json.load(open(sys.argv[1]))["cases"]) == 22
assert len(json.load(open(sys.argv[2]))["cases"]) == 23' \
  "$OUT/plan-selected.json" "$OUT/plan-all.json"

# ---- 5. benchmark results ----------------------------------------------------------------------
BPLAN=$SUITE/examples/benchmark-execution-plan.sample.json
check "sample benchmark plan follows benchmark-execution-plan.schema.json" \
  valid benchmark-execution-plan.schema.json "$BPLAN"
commit=$(git -C "$REPO" rev-parse HEAD 2>/dev/null || true)
check "nnrp bench runs the sample plan" quiet "$NNRP" bench --plan "$BPLAN" --output "$OUT/bench.json" \
  --evidence-dir "$OUT/bench-evidence" ${commit:+--sdk-commit "$commit"}
check "benchmark results follow benchmark-results.schema.json" \
  valid benchmark-results.schema.json "$OUT/bench.json"
check "benchmark results: codec scenarios measured, the others skipped with a reason" py '
res = {r["id"]: r for r in json.load(open(sys.argv[1]))["results"]}
measured = {"l4.header.encode_decode.latency", "l4.metadata.session_open_ack.latency",
            "l4.metadata.submit_result.latency", "l4.typed_payload.tensor_pack_unpack.latency"}
assert len(res) == 9, len(res)
for i, r in res.items():
    if i in measured:
        m = r["metrics"]
        assert r["outcome"] == "measured" and 0 < m["p50_us"] <= m["p95_us"] <= m["p99_us"], r
    else:
        assert r["outcome"] == "skip" and r["message"], r' "$OUT/bench.json"

report
