/*
 * nnrp conformance: libnnrp's side of the public NNRP conformance suite (nnrp-1-preview2).
 *
 *   vectors  the suite's semantic vector recipes rendered by libnnrp into a vector manifest
 *   plan     an adapter execution plan for the Preview2 baseline (the suite's case selection)
 *   run      the adapter: executes the cases of a plan, writes case results and evidence
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conformance.h"

const char cli_conformance_usage[] =
    "usage: nnrp conformance vectors --recipes FILE [--output OUT]\n"
    "       nnrp conformance plan (--capabilities FILE | --all) [--suite DIR] [--output PLAN]\n"
    "                             [--results PATH] [--evidence-dir DIR]\n"
    "       nnrp conformance run --plan PLAN [--output RESULTS] [--evidence-dir DIR]\n"
    "                            [--shared DIR]\n"
    "\n"
    "libnnrp's side of the public NNRP conformance suite, protocol nnrp-1-preview2.\n"
    "\n"
    "vectors  renders every recipe of a semantic vector recipe file (semantic-vectors.json)\n"
    "         through libnnrp's encoders into a vector manifest (schema vector-manifest);\n"
    "         OUT defaults to standard output.  A recipe libnnrp cannot render is an error and\n"
    "         no manifest is written.\n"
    "plan     writes an adapter execution plan for the Preview2 baseline of the suite in DIR\n"
    "         (default ../shared/conformance): the mandatory and optional cases whose required\n"
    "         capabilities the capability manifest FILE claims, or every case with --all.\n"
    "run      the adapter: runs each case of PLAN with libnnrp and writes the case results\n"
    "         (schema adapter-case-results; default path: the plan's artifacts.results_path)\n"
    "         and one evidence log per case into DIR (default: artifacts.evidence_dir).  The\n"
    "         reference data comes from the shared folder (default ../shared).  A case that\n"
    "         needs the session engine or a transport is reported skip with the reason.\n"
    "\n"
    "Exit status: 0 success (run: no case failed), 1 failure, 2 usage error.\n";

#define VECTOR_SCHEMA \
  "https://github.com/NagareWorks/nnrp-conformance/schemas/vector-manifest.schema.json"
#define PLAN_SCHEMA \
  "https://github.com/NagareWorks/nnrp-conformance/schemas/adapter-execution-plan.schema.json"

/* ---- JSON files ------------------------------------------------------------------------------ */

json_t *conf_load_json(const char *cmd, const char *path) {
  json_error_t err;
  json_t *root = json_load_file(path, 0, &err);
  if (!root) {
    if (err.line < 0)
      cli_error(cmd, "%s: %s", path, err.text);
    else
      cli_error(cmd, "%s: invalid JSON at line %d column %d: %s", path, err.line, err.column,
                err.text);
  }
  return root;
}

int conf_write_json(const char *cmd, const char *path, json_t *root) {
  char *text = json_dumps(root, JSON_INDENT(2));
  if (!text) {
    cli_error(cmd, "out of memory");
    return CLI_FAIL;
  }
  int use_stdout = strcmp(path, "-") == 0;
  FILE *f = use_stdout ? stdout : fopen(path, "w");
  int rc = CLI_FAIL;
  if (!f) {
    cli_error(cmd, "cannot create '%s': %s", path, strerror(errno));
  } else {
    rc = cli_write(cmd, f, text, strlen(text));
    if (rc == CLI_OK) rc = cli_write(cmd, f, "\n", 1);
    if (!use_stdout && fclose(f) != 0 && rc == CLI_OK) {
      cli_error(cmd, "cannot write '%s': %s", path, strerror(errno));
      rc = CLI_FAIL;
    }
  }
  free(text);
  return rc;
}

int conf_mkdirs(const char *path) {
  char buf[4096];
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof(buf)) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memcpy(buf, path, n + 1);
  for (size_t i = 1; i <= n; i++) {
    if (buf[i] != '/' && buf[i] != '\0') continue;
    char c = buf[i];
    buf[i] = '\0';
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
    buf[i] = c;
  }
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

/* "--name VALUE": stores VALUE and advances *i; a usage error when it is missing. */
static int option(const char *cmd, int argc, char **argv, int *i, const char *name,
                  const char **out) {
  if (strcmp(argv[*i], name) != 0) return 0;
  (void)cmd;
  if (*i + 1 >= argc) return cli_usage_error("conformance", "%s needs a value", name), -1;
  *out = argv[++*i];
  return 1;
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

/* ---- vectors --------------------------------------------------------------------------------- */

int conf_cmd_vectors(int argc, char **argv) {
  const char *cmd = "conformance vectors", *recipes = NULL, *output = "-";
  for (int i = 1; i < argc; i++) {
    int r = option(cmd, argc, argv, &i, "--recipes", &recipes);
    if (r == 0) r = option(cmd, argc, argv, &i, "--output", &output);
    if (r < 0) return CLI_USAGE;
    if (r == 0) return cli_usage_error("conformance", "unexpected argument '%s'", argv[i]);
  }
  if (!recipes) return cli_usage_error("conformance", "vectors needs --recipes FILE");

  json_t *root = conf_load_json(cmd, recipes);
  if (!root) return CLI_FAIL;
  json_t *list = json_object_get(root, "vectors");
  const char *protocol = json_string_value(json_object_get(root, "protocol_version"));
  int rc = CLI_FAIL;
  if (!protocol || !json_is_array(list)) {
    cli_error(cmd, "%s: not a recipe manifest (protocol_version and vectors are required)",
              recipes);
    goto out;
  }
  if (strcmp(protocol, CONF_PROTOCOL) != 0) {
    cli_error(cmd, "%s: protocol_version %s: libnnrp implements %s only", recipes, protocol,
              CONF_PROTOCOL);
    goto out;
  }

  json_t *manifest = json_object(), *vectors = json_array();
  json_object_set_new(manifest, "$schema", json_string(VECTOR_SCHEMA));
  json_object_set_new(manifest, "protocol_version", json_string(protocol));
  char generator[96];
  snprintf(generator, sizeof(generator), "libnnrp %s (nnrp conformance vectors)", nnrp_version());
  json_object_set_new(manifest, "generator", json_string(generator));
  json_object_set_new(manifest, "generated_from", json_string(base_name(recipes)));
  json_object_set_new(manifest, "vectors", vectors);

  static conf_recipe r; /* large: frames and their payload arena */
  static cli_vector v;
  size_t failures = 0;
  for (size_t i = 0; i < json_array_size(list); i++) {
    char why[256];
    json_t *recipe = json_array_get(list, i);
    const char *name = json_string_value(json_object_get(recipe, "name"));
    if (conf_recipe_parse(recipe, &r, why, sizeof(why)) != 0) {
      cli_error(cmd, "recipe %zu (%s): %s", i, name ? name : "unnamed", why);
      failures++;
      continue;
    }
    int err = cli_vec_render(&r.in, &v);
    if (err != 0) {
      char prefix[160];
      snprintf(prefix, sizeof(prefix), "recipe %s: ", r.name);
      cli_lib_error(cmd, prefix, err, -1);
      failures++;
      continue;
    }
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(r.name));
    json_object_set_new(o, "kind", json_string(cli_vec_kind(r.in.type)));
    json_object_set_new(o, "hex", cli_json_hex((nnrp_vec){v.bytes, v.len}));
    json_object_set_new(o, "bytes", json_integer((json_int_t)v.len));
    json_object_set_new(o, "description", json_string(r.description));
    json_array_append_new(vectors, o);
  }
  /* A manifest with a recipe left out would read as a mismatch: write none. */
  if (failures == 0) rc = conf_write_json(cmd, output, manifest);
  json_decref(manifest);
out:
  json_decref(root);
  return rc;
}

/* ---- plan ------------------------------------------------------------------------------------ */

static int claimed(json_t *supports, json_t *required) {
  for (size_t i = 0; i < json_array_size(required); i++) {
    int found = 0;
    for (size_t k = 0; !found && k < json_array_size(supports); k++)
      found = json_equal(json_array_get(required, i), json_array_get(supports, k));
    if (!found) return 0;
  }
  return 1;
}

/* The suite's selection rule (session spec 8.1): mandatory and optional cases whose required
 * capabilities are all claimed. */
static int selected(json_t *c, json_t *supports) {
  const char *status = json_string_value(json_object_get(c, "status"));
  return status && (!strcmp(status, "mandatory") || !strcmp(status, "optional")) &&
         claimed(supports, json_object_get(c, "required_capabilities"));
}

int conf_cmd_plan(int argc, char **argv) {
  const char *cmd = "conformance plan", *suite = "../shared/conformance", *caps_path = NULL;
  const char *output = "-", *results = "conformance-results.json";
  const char *evidence = "conformance-evidence";
  int all = 0;
  for (int i = 1; i < argc; i++) {
    int r = option(cmd, argc, argv, &i, "--suite", &suite);
    if (r == 0) r = option(cmd, argc, argv, &i, "--capabilities", &caps_path);
    if (r == 0) r = option(cmd, argc, argv, &i, "--output", &output);
    if (r == 0) r = option(cmd, argc, argv, &i, "--results", &results);
    if (r == 0) r = option(cmd, argc, argv, &i, "--evidence-dir", &evidence);
    if (r == 0 && strcmp(argv[i], "--all") == 0) all = r = 1;
    if (r < 0) return CLI_USAGE;
    if (r == 0) return cli_usage_error("conformance", "unexpected argument '%s'", argv[i]);
  }
  if (!caps_path && !all)
    return cli_usage_error("conformance", "plan needs --capabilities FILE or --all");

  char dir[2048], path[4096]; /* dir + a manifest's relative name always fits path */
  snprintf(dir, sizeof(dir), "%s/protocol/%s", suite, CONF_PROTOCOL);
  snprintf(path, sizeof(path), "%s/manifest.json", dir);
  json_t *manifest = conf_load_json(cmd, path), *caps = NULL, *plan = NULL;
  int rc = CLI_FAIL;
  if (!manifest) return CLI_FAIL;
  if (caps_path && !(caps = conf_load_json(cmd, caps_path))) goto out;
  json_t *supports = caps ? json_object_get(caps, "supports") : NULL;
  if (caps && !json_is_array(supports)) {
    cli_error(cmd, "%s: not a capability manifest (\"supports\" is required)", caps_path);
    goto out;
  }
  const char *name = caps ? json_string_value(json_object_get(caps, "implementation_name")) : NULL;

  plan = json_object();
  json_t *cases = json_array(), *artifacts = json_object();
  json_object_set_new(plan, "$schema", json_string(PLAN_SCHEMA));
  json_object_set_new(plan, "protocol_version", json_string(CONF_PROTOCOL));
  json_object_set(plan, "suite_version", json_object_get(manifest, "suite_version"));
  json_object_set_new(plan, "implementation_name", json_string(name ? name : CONF_IMPLEMENTATION));
  json_object_set_new(artifacts, "results_path", json_string(results));
  json_object_set_new(artifacts, "evidence_dir", json_string(evidence));
  json_object_set_new(plan, "artifacts", artifacts);
  json_object_set_new(plan, "cases", cases);

  json_t *files = json_object_get(manifest, "case_manifests");
  for (size_t i = 0; i < json_array_size(files); i++) {
    const char *file = json_string_value(json_array_get(files, i));
    snprintf(path, sizeof(path), "%s/%.1000s", dir, file ? file : "");
    json_t *m = conf_load_json(cmd, path);
    if (!m) goto out;
    json_t *list = json_object_get(m, "cases");
    for (size_t k = 0; k < json_array_size(list); k++) {
      json_t *c = json_array_get(list, k);
      if (all || selected(c, supports)) json_array_append(cases, c);
    }
    json_decref(m);
  }
  rc = conf_write_json(cmd, output, plan);
out:
  json_decref(plan);
  json_decref(caps);
  json_decref(manifest);
  return rc;
}

/* ---- dispatch -------------------------------------------------------------------------------- */

int cli_cmd_conformance(int argc, char **argv) {
  if (argc < 2)
    return cli_usage_error("conformance", "a subcommand is required: vectors, plan or run");
  if (strcmp(argv[1], "vectors") == 0) return conf_cmd_vectors(argc - 1, argv + 1);
  if (strcmp(argv[1], "plan") == 0) return conf_cmd_plan(argc - 1, argv + 1);
  if (strcmp(argv[1], "run") == 0) return conf_cmd_run(argc - 1, argv + 1);
  return cli_usage_error("conformance", "unknown subcommand '%s'", argv[1]);
}
