/*
 * nnrp conformance and nnrp bench: what their files share.
 *
 *   cmd_conformance.c          the subcommands: vectors, plan, run (dispatch and options)
 *   cmd_conformance_recipes.c  semantic vector recipes -> vector inputs (enum names, aliases)
 *   cmd_conformance_run.c      the adapter: plan in, case results and evidence out, case table
 *   cmd_conformance_check.c    the checks every runner logs to its evidence file
 *   cmd_conformance_l0.c       L0 wire cases (recipes, reference vectors, parse and re-emit)
 *   cmd_conformance_ctl.c      L1 control-plane cases (codec parts)
 *   cmd_conformance_data.c     L1 data-plane cases (codec parts)
 *   conformance_reemit.c       their parse and re-emit (conformance_data.h: what they share)
 *   conformance_m_rules.c      their FRAME_SUBMIT M1-M11 packets, assembled block by block
 *   cmd_conformance_session.c  session parts of the L1 cases (conformance_pair.c: two engines)
 *   cmd_conformance_l3.c       L3 transport cases over loopback sockets
 *   cmd_bench.c                benchmark plans -> benchmark results
 *
 * The suite's contract: ../shared/conformance (README.md, schemas/) and the session
 * specification's section 8 (what each case demands); docs/conformance.md says how libnnrp
 * meets it.
 */
#ifndef NNRP_CLI_CONFORMANCE_H
#define NNRP_CLI_CONFORMANCE_H

#include "cli.h"

#define CONF_PROTOCOL "nnrp-1-preview2"
#define CONF_IMPLEMENTATION "libnnrp"

/* ---- recipes --------------------------------------------------------------------------------- */

typedef struct conf_recipe {
  const char *name; /* views into the recipe JSON, which must outlive this */
  const char *description;
  cli_vec_input in;
  uint8_t arena[2048]; /* payload_hex bytes of typed frames */
  size_t arena_used;
} conf_recipe;

/* Parse one recipe object.  0, or -1 with the reason in why[0..cap). */
int conf_recipe_parse(json_t *recipe, conf_recipe *out, char *why, size_t cap);
/* The recipe named `name` in a recipe manifest, or NULL. */
json_t *conf_recipe_find(json_t *manifest, const char *name);
/* Header fields a packet recipe gives (the nnrp_packet_params members). */
extern const cli_struct conf_packet_fields;

/* ---- JSON files ------------------------------------------------------------------------------ */

/* Load a JSON file; NULL after an error line on stderr. */
json_t *conf_load_json(const char *cmd, const char *path);
/* Write `root` to path ("-": stdout), 2-space indentation and a final newline.  CLI_OK/FAIL. */
int conf_write_json(const char *cmd, const char *path, json_t *root);
/* Create a directory and its parents.  0 or -1 (errno). */
int conf_mkdirs(const char *path);

/* ---- case runners ---------------------------------------------------------------------------- */

typedef enum conf_outcome { CONF_PASS, CONF_FAIL, CONF_SKIP, CONF_ERROR } conf_outcome;

/* Reference data the runners read (../shared). */
typedef struct conf_suite {
  json_t *recipes;         /* conformance/protocol/nnrp-1-preview2/vectors/semantic-vectors.json */
  json_t *golden;          /* vectors/golden-vectors.json, the reference SDK's bytes */
  const char *vectors_dir; /* vectors/, for the reference packets (*.bin) */
} conf_suite;

/* One case being run: its checks go to the evidence log. */
typedef struct conf_case {
  const conf_suite *suite;
  FILE *log;
  unsigned checks;
  unsigned failed;
  char first_failure[256];
  char message[768]; /* the result's message */
} conf_case;

typedef conf_outcome (*conf_runner)(conf_case *c);

/* Why nnrp bench skips its session and transport scenarios. */
#define CONF_NEEDS_ENGINE "not yet wired to the session engine in nnrp bench"
#define CONF_NEEDS_TRANSPORT "not yet wired to the session engine and the transports in nnrp bench"

/* Free text in the evidence log. */
void conf_note(conf_case *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* One assertion: logged as "ok" or "FAIL"; returns ok. */
int conf_check(conf_case *c, int ok, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* A library call returned `want` (0 or an NNRP_ERR_* code); logged with the code names. */
int conf_check_rc(conf_case *c, int got, int want, const char *what);
/* Two byte strings are identical; the first difference is logged. */
int conf_check_bytes(conf_case *c, const char *what, const uint8_t *got, size_t got_len,
                     const uint8_t *want, size_t want_len);
/* Every field of `s` equal in `got` and `want`. */
int conf_check_fields(conf_case *c, const char *what, const cli_struct *s, const void *got,
                      const void *want);
/* Bytes of a reference vector file (malloc'd), NULL after a FAIL line. */
uint8_t *conf_read_vector(conf_case *c, const char *file, size_t *len);

/* Outcome of a case whose every assertion is a codec assertion: pass, or fail. */
conf_outcome conf_codec_outcome(conf_case *c);
/* Outcome of a case whose codec part ran here and whose remaining part needs code libnnrp does
 * not have yet: fail when a codec assertion failed, otherwise skip with `reason` and `rest`
 * (what is left to demonstrate). */
conf_outcome conf_partial_outcome(conf_case *c, const char *reason, const char *rest);

/* L0 (cmd_conformance_l0.c). */
conf_outcome conf_l0_header(conf_case *c);
conf_outcome conf_l0_client_hello(conf_case *c);
conf_outcome conf_l0_session_patch_ack(conf_case *c);
conf_outcome conf_l0_flow_update(conf_case *c);
conf_outcome conf_l0_result_hint(conf_case *c);
conf_outcome conf_l0_frame_submit(conf_case *c);
conf_outcome conf_l0_result_push(conf_case *c);
conf_outcome conf_l0_prelude(conf_case *c);
conf_outcome conf_l0_object_reference(conf_case *c);
conf_outcome conf_l0_typed_descriptor(conf_case *c);
conf_outcome conf_l0_typed_regions(conf_case *c);

/* L1 control plane (cmd_conformance_ctl.c). */
conf_outcome conf_l1_flow_update(conf_case *c);
conf_outcome conf_l1_result_hint(conf_case *c);
conf_outcome conf_l1_cache_lifecycle(conf_case *c);
conf_outcome conf_l1_transport_probe(conf_case *c);

/* L1 data plane (cmd_conformance_data.c). */
conf_outcome conf_l1_frame_submit(conf_case *c);
conf_outcome conf_l1_result_push(conf_case *c);
conf_outcome conf_l1_object_reference(conf_case *c);
conf_outcome conf_l1_typed_payload(conf_case *c);
conf_outcome conf_l1_degraded(conf_case *c);

/* Session parts of the L1 cases, in memory (cmd_conformance_session.c). */
void conf_l1_flow_session(conf_case *c);
void conf_l1_hint_session(conf_case *c);
void conf_l1_cache_session(conf_case *c);
void conf_l1_result_session(conf_case *c);
void conf_l1_reference_session(conf_case *c);
void conf_l1_degraded_session(conf_case *c);

/* L3 over loopback sockets (cmd_conformance_l3.c; with the io library only). */
conf_outcome conf_l3_probe_selection(conf_case *c);
conf_outcome conf_l3_tcp_smoke(conf_case *c);
conf_outcome conf_l3_quic_smoke(conf_case *c);

/* ---- subcommands ----------------------------------------------------------------------------- */

int conf_cmd_vectors(int argc, char **argv);
int conf_cmd_plan(int argc, char **argv);
int conf_cmd_run(int argc, char **argv);

#endif /* NNRP_CLI_CONFORMANCE_H */
