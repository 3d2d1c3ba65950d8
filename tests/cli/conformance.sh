# nnrp conformance and nnrp bench: options, recipe errors, plan selection, adapter outcomes.
# (conformance/validate.sh checks the files they write against the suite's schemas.)
set -euo pipefail
source "$(dirname "$0")/common.bash"

SUITE=$SHARED/conformance
RECIPES=$SUITE/protocol/nnrp-1-preview2/vectors/semantic-vectors.json
CAPS=$(cd "$(dirname "$0")/../.." && pwd)/conformance/nnrp-1-preview2.capabilities.json

# ---- vectors ----------------------------------------------------------------------------------
run conformance vectors --recipes "$RECIPES"
check "vectors succeeds" [ "$rc" -eq 0 ]
check "vectors names its generator and source" grep -q '"generated_from": "semantic-vectors.json"' "$TMP/out"
check "vectors writes the flow update packet" grep -q '"hex": "4e4e525001001728000000002000000000000000150000000000000000000600' "$TMP/out"
check "vectors keeps the recipe description" grep -q "Preview2 FRAME_SUBMIT fixed metadata golden vector for mixed submit mode." "$TMP/out"

# recipe RECIPE-JSON: a recipe file holding that one recipe.
recipe() {
  printf '{"protocol_version": "nnrp-1-preview2", "vectors": [%s]}' "$1" >"$TMP/r.json"
  run conformance vectors --recipes "$TMP/r.json"
}
recipe '{"recipe_type": "result_hint_packet", "name": "h", "description": "", "session_id": 1, "applied_budget_policy": "drop", "congestion_state": 1, "reason": "superseded", "flags": ["can_drop"]}'
check "names and numbers mix" [ "$rc" -eq 0 ]
check "a named enum value becomes its number" grep -q '"hex": "4e4e5250010018280200000010000000000000000100000000000000000000000000000000000000040000000100000004000000' "$TMP/out"
recipe '{"recipe_type": "object_reference_block", "name": "r", "description": "", "object_kind": "camera_block", "cache_namespace": 1, "cache_key_hi": "4294967295", "cache_key_lo": 2}'
check "decimal strings are accepted" grep -q '"hex": "01000000010000..ffffffff02000000"' "$TMP/out"
recipe '{"recipe_type": "header_v9", "name": "x", "description": ""}'
check "an unknown recipe_type fails" [ "$rc" -eq 1 ]
check "an unknown recipe_type is named" grep -q 'recipe_type "header_v9" is not one libnnrp renders' "$TMP/err"
check "nothing is written for a failed recipe" [ ! -s "$TMP/out" ]
recipe '{"recipe_type": "header", "name": "x", "description": "", "colour": 1}'
check "an unknown field fails" grep -q 'unknown field "colour" for recipe_type header' "$TMP/err"
recipe '{"recipe_type": "frame_submit_metadata", "name": "x", "description": "", "submit_mode": "sideways"}'
check "an unknown name fails" grep -q 'field "submit_mode": not an integer or a known name' "$TMP/err"
recipe '{"recipe_type": "result_hint_packet", "name": "x", "description": "", "reason": 99}'
check "a library rule is reported with its code" grep -q 'recipe x: HINT_REASON' "$TMP/err"
recipe '{"recipe_type": "header", "name": "x", "description": "", "view_id": 65536}'
check "a value too wide for its field fails" grep -q 'field "view_id": 65536 does not fit its 2-byte wire field' "$TMP/err"
printf '{"protocol_version": "nnrp-1-preview3", "vectors": []}' >"$TMP/r.json"
run conformance vectors --recipes "$TMP/r.json"
check "another protocol version is refused" grep -q "libnnrp implements nnrp-1-preview2 only" "$TMP/err"

# ---- plan ---------------------------------------------------------------------------------------
run conformance plan --suite "$SUITE" --capabilities "$CAPS"
check "plan succeeds" [ "$rc" -eq 0 ]
check "plan selects the 22 mandatory and optional cases" [ "$(grep -c '"id": "l' "$TMP/out")" -eq 22 ]
check "plan leaves out the experimental case" bash -c "! grep -q 'degraded_semantics' '$TMP/out'"
run conformance plan --suite "$SUITE" --all
check "plan --all has all 23 cases" [ "$(grep -c '"id": "l' "$TMP/out")" -eq 23 ]
check "plan --all keeps the experimental case" grep -q '"l1.result_push.degraded_semantics"' "$TMP/out"

# ---- run --------------------------------------------------------------------------------------
run conformance plan --suite "$SUITE" --all --results "$TMP/results.json" --evidence-dir "$TMP/ev"
cp "$TMP/out" "$TMP/plan.json"
run conformance run --plan "$TMP/plan.json" --shared "$SHARED"
check "run succeeds" [ "$rc" -eq 0 ]
check "run summary" grep -Eq "^23 cases: (23 pass, 0 fail, 0 skip|20 pass, 0 fail, 3 skip), 0 error" "$TMP/out"
check "an L0 case passes" grep -q "^pass  l0.result_push.metadata.golden" "$TMP/out"
check "a case with a session part passes" grep -q "^pass  l1.flow_update.metadata.validation" "$TMP/out"
check "evidence logs the session part" grep -q "^ok   equal credit_epoch 5: surfaced to the host, not applied" "$TMP/ev/l1.flow_update.metadata.validation.log"
check "evidence logs every assertion" grep -q "^ok   M7 references out of slot order: rejected with SUBMIT_REF_ORDER" "$TMP/ev/l1.frame_submit.message.parse_emit.log"
check "evidence shows the codec part too" grep -q "^ok   reason 99: rejected with HINT_REASON" "$TMP/ev/l1.result_hint.metadata.validation.log"

printf '{"protocol_version": "nnrp-1-preview2", "suite_version": "0", "implementation_name": "libnnrp", "artifacts": {"results_path": "%s", "evidence_dir": "%s"}, "cases": [{"id": "l9.unknown", "layer": "L1", "status": "mandatory", "feature": "f", "required_capabilities": [], "description": "d"}]}' \
  "$TMP/r2.json" "$TMP/ev2" >"$TMP/plan2.json"
run conformance run --plan "$TMP/plan2.json" --shared "$SHARED"
check "an unknown case id is skipped" grep -q '"message": "not a case of the nnrp-1-preview2 baseline"' "$TMP/r2.json"
run conformance run --plan "$TMP/plan2.json" --shared "$TMP/nowhere"
check "an unknown case needs no reference data" [ "$rc" -eq 0 ]
sed 's/l9.unknown/l0.header.fixed_shape.golden/' "$TMP/plan2.json" >"$TMP/plan3.json"
run conformance run --plan "$TMP/plan3.json" --shared "$TMP/nowhere"
check "missing reference data: exit 1" [ "$rc" -eq 1 ]
check "missing reference data: outcome error" grep -q '"outcome": "error"' "$TMP/r2.json"
printf '{"cases": 3}' >"$TMP/bad.json"
run conformance run --plan "$TMP/bad.json"
check "a malformed plan fails" [ "$rc" -eq 1 ]
check "a malformed plan is explained" grep -q "protocol_version and implementation_name must be strings" "$TMP/err"

# ---- usage --------------------------------------------------------------------------------------
run conformance
check "conformance without a subcommand is a usage error" [ "$rc" -eq 2 ]
run conformance frobnicate
check "an unknown subcommand is a usage error" [ "$rc" -eq 2 ]
run conformance vectors
check "vectors without --recipes is a usage error" [ "$rc" -eq 2 ]
run conformance run --plan
check "an option without its value is a usage error" [ "$rc" -eq 2 ]
run bench --plan x.json
check "bench without --output is a usage error" [ "$rc" -eq 2 ]
run help conformance
check "help conformance" grep -q "^usage: nnrp conformance vectors --recipes FILE" "$TMP/out"

report
