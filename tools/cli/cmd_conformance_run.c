/*
 * nnrp conformance run: the adapter of the conformance suite.  It reads an adapter execution
 * plan, runs every case of it with libnnrp, and writes the case results and one evidence log
 * per case.
 *
 * Every case id of the Preview2 baseline has one runner in the table below: L0 and L1 in
 * memory (L1 session parts on two engines wired together), L3 over loopback sockets.  A case
 * passes only when every assertion of its runner held (docs/conformance.md has the table).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

#define RESULTS_SCHEMA \
  "https://github.com/NagareWorks/nnrp-conformance/schemas/adapter-case-results.schema.json"

/* ---- L3: real sockets need the io library ------------------------------------------------- */

#ifndef NNRP_CLI_SMOKE
static conf_outcome no_io(conf_case *c) {
  snprintf(c->message, sizeof(c->message),
           "this nnrp was built without the io library (NNRP_BUILD_IO off): no sockets");
  conf_note(c, "skip: %s", c->message);
  return CONF_SKIP;
}
#define conf_l3_probe_selection no_io
#define conf_l3_tcp_smoke no_io
#define conf_l3_quic_smoke no_io
#endif

/* ---- the case table -------------------------------------------------------------------------- */

static const struct {
  const char *id;
  conf_runner run;
} runners[] = {
    {"l0.header.fixed_shape.golden", conf_l0_header},
    {"l0.control.client_hello.golden", conf_l0_client_hello},
    {"l0.control.session_patch_ack.golden", conf_l0_session_patch_ack},
    {"l0.flow_update.packet.golden", conf_l0_flow_update},
    {"l0.result_hint.packet.golden", conf_l0_result_hint},
    {"l0.frame_submit.metadata.golden", conf_l0_frame_submit},
    {"l0.result_push.metadata.golden", conf_l0_result_push},
    {"l0.body_region.prelude.golden", conf_l0_prelude},
    {"l0.object_reference.block.golden", conf_l0_object_reference},
    {"l0.typed_payload.descriptor.golden", conf_l0_typed_descriptor},
    {"l0.typed_payload.frame_regions.golden", conf_l0_typed_regions},
    {"l1.flow_update.metadata.validation", conf_l1_flow_update},
    {"l1.result_hint.metadata.validation", conf_l1_result_hint},
    {"l1.cache.lifecycle.roundtrip", conf_l1_cache_lifecycle},
    {"l1.transport_probe.metadata.roundtrip", conf_l1_transport_probe},
    {"l1.frame_submit.message.parse_emit", conf_l1_frame_submit},
    {"l1.result_push.message.parse_emit", conf_l1_result_push},
    {"l1.result_push.object_reference.resolve", conf_l1_object_reference},
    {"l1.typed_payload.region.pack", conf_l1_typed_payload},
    {"l1.result_push.degraded_semantics", conf_l1_degraded},
    {"l3.transport.probe.selection", conf_l3_probe_selection},
    {"l3.transport.tcp.session_smoke", conf_l3_tcp_smoke},
    {"l3.transport.quic.session_smoke", conf_l3_quic_smoke},
};

static conf_runner find_runner(const char *id) {
  for (size_t i = 0; i < sizeof(runners) / sizeof(runners[0]); i++)
    if (strcmp(runners[i].id, id) == 0) return runners[i].run;
  return NULL;
}

static const char *const outcome_names[] = {"pass", "fail", "skip", "error"};

/* ---- the plan -------------------------------------------------------------------------------- */

static const char *str(json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

/* The parts of the plan schema the adapter relies on.  NULL, or what is wrong. */
static const char *plan_problem(json_t *plan) {
  json_t *artifacts = json_object_get(plan, "artifacts"), *cases = json_object_get(plan, "cases");
  if (!json_is_object(plan)) return "the plan is not a JSON object";
  if (!str(plan, "protocol_version") || !str(plan, "implementation_name"))
    return "protocol_version and implementation_name must be strings";
  if (!str(artifacts, "results_path") || !str(artifacts, "evidence_dir"))
    return "artifacts.results_path and artifacts.evidence_dir must be strings";
  if (!json_is_array(cases)) return "cases must be a list";
  for (size_t i = 0; i < json_array_size(cases); i++)
    if (!str(json_array_get(cases, i), "id")) return "every case needs a string id";
  return NULL;
}

/* Evidence file name of a case id: the id with anything but [A-Za-z0-9._-] replaced. */
static void evidence_name(char *out, size_t cap, const char *dir, const char *id) {
  size_t n = (size_t)snprintf(out, cap, "%s/", dir);
  for (; *id && n + 5 < cap; id++) {
    char ch = *id;
    int safe = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               ch == '.' || ch == '_' || ch == '-';
    out[n++] = safe && !(ch == '.' && id[1] == '.') ? ch : '_';
  }
  snprintf(out + n, cap - n, ".log");
}

static json_t *load_suite(const char *shared, conf_suite *suite, char *vectors_dir, size_t cap) {
  char path[4096];
  snprintf(vectors_dir, cap, "%s/vectors", shared);
  suite->vectors_dir = vectors_dir;
  snprintf(path, sizeof(path), "%s/conformance/protocol/%s/vectors/semantic-vectors.json", shared,
           CONF_PROTOCOL);
  suite->recipes = conf_load_json("conformance run", path);
  snprintf(path, sizeof(path), "%.3000s/golden-vectors.json", vectors_dir);
  suite->golden = conf_load_json("conformance run", path);
  return suite->recipes && suite->golden ? suite->recipes : NULL;
}

/* Run one case of the plan into a result object. */
static json_t *run_case(json_t *plan_case, const char *plan_protocol, const conf_suite *suite,
                        int suite_ok, const char *evidence_dir, conf_outcome *outcome) {
  const char *id = str(plan_case, "id");
  conf_runner run = find_runner(id);
  json_t *result = json_object();
  json_object_set_new(result, "id", json_string(id));

  static conf_case c;
  memset(&c, 0, sizeof(c));
  c.suite = suite;
  char path[4096];
  evidence_name(path, sizeof(path), evidence_dir, id);

  if (strcmp(plan_protocol, CONF_PROTOCOL) != 0) {
    *outcome = CONF_SKIP;
    snprintf(c.message, sizeof(c.message),
             "the plan is for %s; libnnrp implements %s only, which has no case of this id",
             plan_protocol, CONF_PROTOCOL);
  } else if (!run) {
    *outcome = CONF_SKIP;
    snprintf(c.message, sizeof(c.message), "not a case of the %s baseline", CONF_PROTOCOL);
  } else if (!(c.log = fopen(path, "w"))) {
    *outcome = CONF_ERROR;
    snprintf(c.message, sizeof(c.message), "cannot create the evidence file %.500s: %s", path,
             strerror(errno));
  } else {
    fprintf(c.log, "# case %s\n# %s\n# libnnrp %s, %s\n", id,
            str(plan_case, "description") ? str(plan_case, "description") : "", nnrp_version(),
            CONF_PROTOCOL);
    if (!suite_ok) {
      *outcome = CONF_ERROR;
      snprintf(c.message, sizeof(c.message),
               "the suite's reference data could not be read (see --shared)");
    } else {
      *outcome = run(&c);
    }
    fprintf(c.log, "# outcome: %s (%u assertions, %u failed)\n", outcome_names[*outcome], c.checks,
            c.failed);
    fclose(c.log);
    json_t *paths = json_array();
    json_array_append_new(paths, json_string(path));
    json_object_set_new(result, "evidence_paths", paths);
  }
  json_object_set_new(result, "outcome", json_string(outcome_names[*outcome]));
  if (*outcome == CONF_FAIL)
    json_object_set_new(result, "failure_kind", json_string("assertion_failed"));
  if (*outcome == CONF_ERROR)
    json_object_set_new(result, "failure_kind", json_string("adapter_error"));
  if (c.message[0]) json_object_set_new(result, "message", json_string(c.message));
  return result;
}

int conf_cmd_run(int argc, char **argv) {
  const char *cmd = "conformance run", *plan_path = NULL, *output = NULL, *evidence = NULL;
  const char *shared = "../shared";
  for (int i = 1; i < argc; i++) {
    const char **slot = NULL;
    if (strcmp(argv[i], "--plan") == 0) slot = &plan_path;
    if (strcmp(argv[i], "--output") == 0) slot = &output;
    if (strcmp(argv[i], "--evidence-dir") == 0) slot = &evidence;
    if (strcmp(argv[i], "--shared") == 0) slot = &shared;
    if (!slot) return cli_usage_error("conformance", "unexpected argument '%s'", argv[i]);
    if (i + 1 >= argc) return cli_usage_error("conformance", "%s needs a value", argv[i]);
    *slot = argv[++i];
  }
  if (!plan_path) return cli_usage_error("conformance", "run needs --plan PLAN");

  json_t *plan = conf_load_json(cmd, plan_path);
  if (!plan) return CLI_FAIL;
  const char *problem = plan_problem(plan);
  if (problem) {
    cli_error(cmd, "%s: %s", plan_path, problem);
    json_decref(plan);
    return CLI_FAIL;
  }
  json_t *artifacts = json_object_get(plan, "artifacts");
  if (!output) output = str(artifacts, "results_path");
  if (!evidence) evidence = str(artifacts, "evidence_dir");
  if (conf_mkdirs(evidence) != 0) {
    cli_error(cmd, "cannot create the evidence directory '%s': %s", evidence, strerror(errno));
    json_decref(plan);
    return CLI_FAIL;
  }

  conf_suite suite = {NULL, NULL, NULL};
  char vectors_dir[4096];
  int suite_ok = load_suite(shared, &suite, vectors_dir, sizeof(vectors_dir)) != NULL;

  const char *protocol = str(plan, "protocol_version");
  json_t *results = json_object(), *list = json_array(), *cases = json_object_get(plan, "cases");
  json_object_set_new(results, "$schema", json_string(RESULTS_SCHEMA));
  json_object_set_new(results, "protocol_version", json_string(protocol));
  json_object_set(results, "implementation_name", json_object_get(plan, "implementation_name"));
  json_object_set_new(results, "results", list);

  size_t count[4] = {0, 0, 0, 0};
  FILE *say = strcmp(output, "-") == 0 ? stderr : stdout; /* the results may be on stdout */
  for (size_t i = 0; i < json_array_size(cases); i++) {
    json_t *c = json_array_get(cases, i);
    conf_outcome o;
    json_array_append_new(list, run_case(c, protocol, &suite, suite_ok, evidence, &o));
    count[o]++;
    fprintf(say, "%-5s %s\n", outcome_names[o], str(c, "id"));
  }
  int rc = conf_write_json(cmd, output, results);
  fprintf(say, "%zu cases: %zu pass, %zu fail, %zu skip, %zu error; results in %s\n",
          json_array_size(cases), count[CONF_PASS], count[CONF_FAIL], count[CONF_SKIP],
          count[CONF_ERROR], output);
  json_decref(results);
  json_decref(suite.recipes);
  json_decref(suite.golden);
  json_decref(plan);
  if (rc != CLI_OK) return rc;
  return count[CONF_FAIL] || count[CONF_ERROR] ? CLI_FAIL : CLI_OK;
}
