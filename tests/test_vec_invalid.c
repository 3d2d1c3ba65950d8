/*
 * invalid-examples.json: every byte string the reference SDK rejects must be rejected by
 * nnrp_packet_decode in the strict profile and in the PY-compatible one (both with
 * NNRP_DECODE_EXACT: the reference unpacks whole packets), with an error of the entry's
 * category and, where the entry names a rule of the spec (S/Q/B/M/R/T/C numbers), with the
 * error whose rule reference (nnrp_err_rule) is that rule.  Every "oracle_accepts" entry is
 * rejected by the strict profile and accepted by the PY-compatible one; the C6 entry is
 * accepted by default and rejected with NNRP_DECODE_STRICT_C6 (wire-data §11).
 *
 * Every disagreement is printed with the entry name, the code and rule we got and what the
 * entry expects, so that either the library or the table can be corrected.
 */
#include <ctype.h>
#include <libnnrp/wire.h>

#include "test.h"
#include "vec_data.h"

#define STRICT (NNRP_DECODE_EXACT)
#define PY (NNRP_DECODE_PY_COMPAT | NNRP_DECODE_EXACT)

/* ---- category -> allowed error codes --------------------------------------------------------- */

#define E(x) NNRP_ERR_##x
static const int framing[] = {E(INCOMPLETE), E(TRAILING_BYTES), E(TOO_LARGE)};
static const int header[] = {E(HEADER_MAGIC), E(HEADER_LENGTH),  E(WIRE_FORMAT),
                             E(VERSION),      E(MSG_TYPE),       E(RESERVED_FLAGS)};
static const int metadata_length[] = {E(META_LEN), E(BODY_NOT_EMPTY)};
static const int enums[] = {
    /* metadata */
    E(SUBMIT_MODE), E(INPUT_PROFILE), E(TILE_INDEX_MODE), E(BUDGET_POLICY_BITS), E(FRAME_CLASS),
    E(LOSS_TOLERANCE_POLICY), E(NON_TENSOR_FIELD), E(RESULT_FLAGS_BITS), E(RESULT_CLASS),
    /* sections and objects */
    E(SECTION_DTYPE), E(SECTION_LAYOUT), E(SECTION_SCALE_POLICY), E(OBJECT_KIND),
    /* typed payloads and extension frames */
    E(TYPED_KIND_BITS), E(TYPED_KIND_NOT_SINGLE), E(EXT_FRAME_FLAGS),
    /* control plane */
    E(TRANSPORT_POLICY), E(TRANSPORT_ID), E(LOSS_TOLERANCE), E(PAYLOAD_KIND_BITS),
    E(CRITICAL_FRAME_BITMAP), E(PATCH_ACK_STATUS), E(PATCH_REJECT_REASON), E(ERROR_SCOPE),
    E(CACHE_OBJECT_KIND), E(CACHE_PUT_FLAGS), E(CACHE_ACK_STATUS), E(CACHE_SCOPE),
    E(FLOW_SCOPE), E(FLOW_REASON), E(FLOW_BACKPRESSURE), E(FLOW_FLAGS), E(HINT_POLICY),
    E(HINT_CONGESTION), E(HINT_REASON), E(MIGRATE_TRANSPORT)};
static const int coverage[] = {E(COVERAGE_COVERED), E(COVERAGE_DROPPED), E(COVERAGE_SUM),
                               E(COVERAGE_PARTIAL), E(COVERAGE_STALE_REUSE)};
static const int control_extension[] = {E(EXT_TRUNCATED_HEADER), E(EXT_TRUNCATED_PAYLOAD),
                                        E(EXT_TRUNCATED_PADDING), E(EXT_TOO_LARGE),
                                        E(EXT_LENGTH), E(EXT_TYPE)};
static const int padding[] = {E(EXT_PADDING),     E(SECTION_PADDING),  E(SECTION_ALIGN_TRUNCATED),
                              E(TENSOR_BODY_ALIGN), E(SECTION_STRIDE_PADDING), E(INLINE_PADDING),
                              E(INLINE_TRUNCATED_PAYLOAD), E(CAMERA_PADDING)};
static const int extension_critical[] = {E(EXT_UNKNOWN_CRITICAL), E(EXT_FRAME_CRITICAL)};
static const int reserved[] = {
    E(EXT_FLAGS),      E(EXT_RESERVED),     E(HELLO_RESERVED),   E(PATCH_RESERVED),
    E(FLOW_RESERVED),  E(META_RESERVED),    E(SECTION_RESERVED), E(SECTION_FLAGS),
    E(PRELUDE_BODY_FLAGS), E(PRELUDE_RESERVED), E(INLINE_FLAGS), E(INLINE_RESERVED),
    E(REF_FLAGS),      E(TYPED_FLAGS),      E(TYPED_RESERVED),   E(EXT_FRAME_RESERVED)};
static const int length[] = {
    E(HELLO_AUTH_LEN), E(HELLO_BODY_LEN), E(ACK_BODY_LEN), E(PATCH_BYTES), E(PATCH_BODY_LEN),
    E(ERROR_DIAG_LEN), E(CACHE_OBJECT_LEN), E(PROBE_PAYLOAD_LEN), E(BODY_NOT_EMPTY),
    E(SECTION_TRUNCATED_DESC), E(SECTION_TRUNCATED), E(SECTION_ALIGN_TRUNCATED),
    E(TENSOR_TRAILING), E(TENSOR_TILE_INDEX_TRUNCATED), E(LEGACY_BODY_LEN), E(EMPTY_BODY)};
static const int section[] = {
    E(SECTION_TRUNCATED_DESC), E(SECTION_TRUNCATED), E(SECTION_LENGTH_TABLE_ALIGN),
    E(SECTION_STRIDE_MISSING), E(SECTION_STRIDE_FLAG), E(SECTION_CODEC_TABLE_MISSING),
    E(SECTION_CODEC_FLAG), E(SECTION_CODEC_TABLE_COUNT), E(SECTION_STRIDE_PAYLOAD),
    E(SECTION_TILE_EXCEEDS_STRIDE), E(SECTION_STRIDE_PADDING), E(SECTION_PAYLOAD_SUM),
    E(SECTION_DTYPE), E(SECTION_LAYOUT), E(SECTION_SCALE_POLICY), E(SECTION_ORDER),
    E(SECTION_TILE_COUNT), E(SECTION_PADDING), E(SECTION_ALIGN_TRUNCATED), E(TENSOR_TRAILING),
    E(TENSOR_BODY_ALIGN)};
static const int tile_index[] = {
    E(TILE_INDEX_MODE), E(TILE_DENSE_NOT_EMPTY), E(TILE_DENSE_NOT_CONTIGUOUS),
    E(TILE_INDEX_LENGTH), E(TILE_NOT_INCREASING), E(TILE_BITSET_COUNT), E(TILE_ID_RANGE),
    E(RESULT_TILE_INDEX_LEN), E(TENSOR_TILE_INDEX_TRUNCATED), E(SUBMIT_TILE_INDEX_BYTES),
    E(RESULT_TILE_INDEX_BYTES)};
static const int prelude[] = {E(PRELUDE_TRUNCATED), E(PRELUDE_BODY_FLAGS), E(PRELUDE_RESERVED),
                              E(PRELUDE_TYPED_ALIGN), E(PRELUDE_EXT_ALIGN), E(PRELUDE_BODY_LEN)};
static const int inline_object[] = {E(INLINE_TRUNCATED_HEADER), E(INLINE_TRUNCATED_PAYLOAD),
                                    E(INLINE_PADDING)};
static const int object_reference[] = {E(REF_REGION_ALIGN)};
static const int typed[] = {E(TYPED_COUNT), E(TYPED_FRAME_BYTES), E(TYPED_KIND_UNDECLARED),
                            E(TYPED_TENSOR), E(TYPED_KIND_ABSENT)};
static const int typed_offsets[] = {E(TYPED_ORDER), E(TYPED_RANGE), E(TYPED_LAYOUT)};
static const int ext_offsets[] = {E(EXT_FRAME_ORDER), E(EXT_FRAME_RANGE), E(EXT_FRAME_LAYOUT)};
static const int object_ref_mask[] = {
    E(SUBMIT_REF_MASK_BITS), E(SUBMIT_INLINE_MASK), E(SUBMIT_INLINE_REFS),
    E(SUBMIT_REF_MISSING), E(SUBMIT_REF_WITHOUT_MASK), E(SUBMIT_REF_ORDER), E(SUBMIT_MODE_MASK)};
static const int object_contract[] = {
    E(SUBMIT_DUP_INLINE), E(SUBMIT_DUP_REF), E(SUBMIT_REF_AND_INLINE), E(SUBMIT_REF_MISSING),
    E(SUBMIT_REFERENCE_INLINE), E(SUBMIT_CAMERA_BYTES), E(SUBMIT_CAMERA_MISSING),
    E(SUBMIT_TILE_INDEX_MISSING), E(SUBMIT_TILE_INDEX_REFERENCED),
    E(SUBMIT_SECTION_TABLE_MISSING), E(SUBMIT_MODE_MASK), E(RESULT_REF_ORDER),
    E(RESULT_DUP_INLINE), E(RESULT_DUP_REF), E(RESULT_REF_AND_INLINE),
    E(RESULT_TILE_INDEX_MISSING), E(RESULT_TILE_INDEX_REFERENCED),
    E(RESULT_SECTION_TABLE_MISSING), E(EMPTY_BODY), E(LEGACY_BODY_LEN),
    /* a legacy body read as a region body (wire-data §5) fails on its prelude */
    E(PRELUDE_TRUNCATED), E(PRELUDE_BODY_FLAGS), E(PRELUDE_RESERVED), E(PRELUDE_BODY_LEN)};
static const int semantic[] = {E(FLOW_RETRY_AFTER), E(FLOW_SCOPE_FIELDS),
                               E(FLOW_SESSION_BINDING)};
#undef E

typedef struct category {
  const char *name;
  const int *codes;
  size_t count;
} category;

#define CAT(x) {#x, x, sizeof(x) / sizeof(x[0])}
static const category categories[] = {
    CAT(framing),       CAT(header),        CAT(metadata_length),
    {"enum", enums, sizeof(enums) / sizeof(enums[0])},
    CAT(coverage),      CAT(control_extension), CAT(padding),
    CAT(extension_critical), CAT(reserved), CAT(length),
    CAT(section),       CAT(tile_index),    CAT(prelude),
    CAT(inline_object), CAT(object_reference), CAT(typed),
    CAT(typed_offsets), CAT(ext_offsets),   CAT(object_ref_mask),
    CAT(object_contract), CAT(semantic)};

static const category *category_named(const char *name) {
  for (size_t i = 0; i < sizeof(categories) / sizeof(categories[0]); i++)
    if (strcmp(categories[i].name, name) == 0) return &categories[i];
  return NULL;
}

/* ---- spec references ------------------------------------------------------------------------- */

/* Rule tokens (S12, Q1, B7, M11, R4, T1, C5) of a reference string, as "S12" strings. */
static size_t rule_tokens(const char *s, char tokens[][8], size_t cap) {
  size_t n = 0;
  for (size_t i = 0; s && s[i]; i++) {
    if (!strchr("SQBMRTC", s[i]) || !isdigit((unsigned char)s[i + 1])) continue;
    if (i > 0 && isalnum((unsigned char)s[i - 1])) continue;
    size_t j = i + 1;
    while (isdigit((unsigned char)s[j])) j++;
    if (isalnum((unsigned char)s[j]) || j - i >= 8) continue;
    if (n < cap) {
      memcpy(tokens[n], s + i, j - i);
      tokens[n][j - i] = 0;
      n++;
    }
    i = j - 1;
  }
  return n;
}

/* The leading section reference ("wire-control 10.1", "wire-data 2.2") or "" when none. */
static void section_ref(const char *spec, char *out, size_t cap) {
  out[0] = 0;
  if (!spec || (strncmp(spec, "wire-control ", 13) != 0 && strncmp(spec, "wire-data ", 10) != 0))
    return;
  size_t n = strcspn(spec, " ") + 1;
  while (isdigit((unsigned char)spec[n]) || spec[n] == '.') n++;
  while (n > 0 && spec[n - 1] == '.') n--;
  if (n >= cap) n = cap - 1;
  memcpy(out, spec, n);
  out[n] = 0;
}

/* `rule` starts with the section reference `ref` as a whole reference ("wire-data 2.2" matches
 * "wire-data 2.2" and "wire-data 2.2 x", not "wire-data 2.21"). */
static int rule_has_prefix(const char *rule, const char *ref) {
  size_t n = strlen(ref);
  return n && strncmp(rule, ref, n) == 0 && (rule[n] == 0 || rule[n] == ' ');
}

/*
 * Rules that the spec states by delegation: B7-B10 are "every block/descriptor valid" over the
 * rules of §9.2, §9.3, §10.1, §10.3 (and the object-kind enum of §2.3); M9/R4 include decoding
 * the tile index (§6.1, §7.2); M11/R6 include the section-sequence rules (§6.2-§6.4).  Q4 is
 * written for sections 2..n; the same zero-padding rule before the first section is §6.4 step
 * 2, and the reference data labels both Q4 (nnrp-py raises one message for both).
 */
static const struct {
  const char *token;
  const char *prefixes[3];
} delegations[] = {
    {"B7", {"wire-data 9.2", "wire-data 2.3", NULL}},
    {"B8", {"wire-data 9.3", "wire-data 2.3", NULL}},
    {"B9", {"wire-data 10.1", NULL, NULL}},
    {"B10", {"wire-data 10.3", NULL, NULL}},
    {"M9", {"wire-data 6.1", "wire-data 6.4", NULL}},
    {"R4", {"wire-data 6.1", "wire-data 7.2", "wire-data 6.4"}},
    {"M11", {"wire-data 6.2", "wire-data 6.3", "wire-data 6.4"}},
    {"R6", {"wire-data 6.2", "wire-data 6.3", "wire-data 6.4"}},
    {"Q4", {"wire-data 6.4", NULL, NULL}},
};

/* 1 when the error's rule is one the entry names (or the entry names none: -1). */
static int rule_matches(const char *spec, int code) {
  char want[8][8], got[8][8];
  size_t nw = rule_tokens(spec, want, 8);
  if (nw == 0) return -1;
  const char *rule = nnrp_err_rule(code);
  if (!rule) return 0;
  size_t ng = rule_tokens(rule, got, 8);
  for (size_t i = 0; i < nw; i++) {
    for (size_t k = 0; k < ng; k++)
      if (strcmp(want[i], got[k]) == 0) return 1;
    for (size_t d = 0; d < sizeof(delegations) / sizeof(delegations[0]); d++) {
      if (strcmp(delegations[d].token, want[i]) != 0) continue;
      for (size_t p = 0; p < 3 && delegations[d].prefixes[p]; p++)
        if (rule_has_prefix(rule, delegations[d].prefixes[p])) return 1;
    }
  }
  return 0;
}

/* The error belongs to the entry's category, or its rule is the section the entry cites. */
static int class_matches(const char *cat, const char *spec, int code) {
  const category *c = category_named(cat);
  for (size_t i = 0; c && i < c->count; i++)
    if (c->codes[i] == code) return 1;
  char ref[48];
  section_ref(spec, ref, sizeof(ref));
  const char *rule = nnrp_err_rule(code);
  return rule && rule_has_prefix(rule, ref);
}

/* ---- running the entries --------------------------------------------------------------------- */

static const char *nm(int code) {
  const char *n = nnrp_err_name(code);
  return n ? n : "?";
}
static const char *rl(int code) {
  const char *r = nnrp_err_rule(code);
  return r ? r : "?";
}

typedef struct entry {
  const char *name, *category, *spec, *error;
  nnrp_vec bytes;
} entry;

static entry read_entry(vec_ctx *c, const json_t *v) {
  entry e;
  e.name = json_string_value(json_object_get(v, "name"));
  e.category = json_string_value(json_object_get(v, "category"));
  e.spec = json_string_value(json_object_get(v, "spec"));
  e.error = json_string_value(json_object_get(v, "error"));
  e.bytes = vec_hex(c, json_string_value(json_object_get(v, "hex")));
  if (!e.name) e.name = "?";
  if (!e.category) e.category = "?";
  return e;
}

static int decode(const entry *e, uint32_t flags, nnrp_diag *d) {
  nnrp_packet p;
  nnrp_decode_options o = vec_opts(flags);
  d->error = 0;
  d->offset = 0;
  /* A packet shorter than the header is handed over as is; the decoder sees len < 40. */
  return nnrp_packet_decode(&p, e->bytes.base, e->bytes.len, &o, d);
}

static json_t *root;
static size_t n_examples, n_accepts;

/* Examples: rejected, with an error of the category, in one profile. */
static void check_examples(uint32_t flags, const char *profile) {
  const json_t *arr = json_object_get(root, "examples");
  size_t rejected = 0, classed = 0, mismatches = 0;
  for (size_t i = 0; i < json_array_size(arr); i++) {
    vec_ctx c;
    vec_ctx_init(&c, "");
    entry e = read_entry(&c, json_array_get(arr, i));
    nnrp_diag d;
    int rc = decode(&e, flags, &d);
    if (rc >= 0) {
      fprintf(stderr, "ACCEPTED [%s] %s (%s): reference says \"%s\"\n", profile, e.name,
              e.category, e.error ? e.error : "");
      mismatches++;
    } else {
      rejected++;
      if (d.error != rc)
        fprintf(stderr, "DIAG [%s] %s: diag.error %d != returned %d\n", profile, e.name, d.error,
                rc);
      if (class_matches(e.category, e.spec, rc)) {
        classed++;
      } else {
        fprintf(stderr, "CLASS [%s] %s: got %s (%s), expected category %s%s%s; reference: %s\n",
                profile, e.name, nm(rc), rl(rc), e.category, e.spec ? " / " : "",
                e.spec ? e.spec : "", e.error ? e.error : "");
        mismatches++;
      }
      if (d.offset > e.bytes.len) {
        fprintf(stderr, "DIAG [%s] %s: offset %zu beyond %zu bytes\n", profile, e.name, d.offset,
                e.bytes.len);
        mismatches++;
      }
    }
    vec_ctx_free(&c);
  }
  n_examples = json_array_size(arr);
  printf("%s: %zu examples, %zu rejected, %zu with an error of their category\n", profile,
         n_examples, rejected, classed);
  CHECK_EQ(mismatches, 0);
  CHECK_EQ(rejected, n_examples);
}

static void test_examples_strict(void) { check_examples(STRICT, "strict"); }

/* The one example nnrp-cs writes: accepted only with NNRP_DECODE_CS_DIALECT (§14 D2). */
static void test_cs_dialect(void) {
  const json_t *arr = json_object_get(root, "examples");
  size_t seen = 0;
  for (size_t i = 0; i < json_array_size(arr); i++) {
    vec_ctx c;
    vec_ctx_init(&c, "");
    entry e = read_entry(&c, json_array_get(arr, i));
    if (strcmp(e.name, "client_hello.ext_loss_tolerance_short") == 0) {
      nnrp_diag d;
      seen++;
      CHECK_RC(decode(&e, STRICT | NNRP_DECODE_CS_DIALECT, &d), 0);
      CHECK_RC(decode(&e, STRICT, &d), NNRP_ERR_EXT_LENGTH);
    }
    vec_ctx_free(&c);
  }
  CHECK_EQ(seen, 1);
}
static void test_examples_py_compat(void) { check_examples(PY, "py-compat"); }

/* Examples that name a rule: the error must be that rule, in both profiles.  Entries that cite
 * only a section may legitimately fail by a rule of another section (an enum of §3 inside a
 * §5.3 payload); NNRP_VEC_VERBOSE=1 lists those. */
static void test_examples_rules(void) {
  const json_t *arr = json_object_get(root, "examples");
  int verbose = getenv("NNRP_VEC_VERBOSE") != NULL;
  size_t named = 0, matched = 0, notes = 0;
  for (size_t i = 0; i < json_array_size(arr); i++) {
    vec_ctx c;
    vec_ctx_init(&c, "");
    entry e = read_entry(&c, json_array_get(arr, i));
    nnrp_diag d;
    int rs = decode(&e, STRICT, &d), rp = decode(&e, PY, &d);
    int ms = rule_matches(e.spec, rs), mp = rule_matches(e.spec, rp);
    if (ms < 0) {
      /* Section references only: report differences, they do not decide. */
      char ref[48];
      section_ref(e.spec, ref, sizeof(ref));
      if (ref[0] && rs < 0 && !rule_has_prefix(rl(rs), ref)) {
        if (verbose)
          printf("note: %s cites %s, error %s has rule \"%s\"\n", e.name, ref, nm(rs), rl(rs));
        notes++;
      }
    } else {
      named++;
      if (ms == 1 && mp == 1) {
        matched++;
      } else {
        fprintf(stderr, "RULE %s: expected %s; strict got %s (%s), py-compat got %s (%s); "
                "reference: %s\n", e.name, e.spec, nm(rs), rl(rs), nm(rp), rl(rp),
                e.error ? e.error : "");
      }
    }
    vec_ctx_free(&c);
  }
  printf("rule references: %zu examples name a rule, %zu matched; %zu cite a section whose rule "
         "differs (informational)\n", named, matched, notes);
  CHECK_EQ(matched, named);
}

/* oracle_accepts: strict rejects (an error of the category), PY-compatible accepts; C6 is off
 * by default and on with NNRP_DECODE_STRICT_C6. */
static void test_oracle_accepts(void) {
  const json_t *arr = json_object_get(root, "oracle_accepts");
  size_t ok = 0;
  n_accepts = json_array_size(arr);
  for (size_t i = 0; i < n_accepts; i++) {
    vec_ctx c;
    vec_ctx_init(&c, "");
    const json_t *v = json_array_get(arr, i);
    entry e = read_entry(&c, v);
    const char *why = json_string_value(json_object_get(v, "why_spec_invalid"));
    int is_c6 = e.spec && strncmp(e.spec, "C6", 2) == 0;
    nnrp_diag d;
    int rs = decode(&e, STRICT, &d), rp = decode(&e, PY, &d);
    int good = 1;
    if (rp != 0) {
      fprintf(stderr, "PY-COMPAT REJECTS %s (%s): %s (%s)\n", e.name, why ? why : "", nm(rp),
              rl(rp));
      good = 0;
    }
    if (is_c6) {
      int rc6 = decode(&e, STRICT | NNRP_DECODE_STRICT_C6, &d);
      if (rs != 0) {
        fprintf(stderr, "C6 ON BY DEFAULT %s: strict got %s (%s)\n", e.name, nm(rs), rl(rs));
        good = 0;
      }
      if (rc6 != NNRP_ERR_COVERAGE_STALE_REUSE) {
        fprintf(stderr, "STRICT_C6 %s: got %s (%s), expected COVERAGE_STALE_REUSE\n", e.name,
                nm(rc6), rl(rc6));
        good = 0;
      }
    } else if (rs >= 0) {
      fprintf(stderr, "STRICT ACCEPTS %s (%s; %s)\n", e.name, why ? why : "",
              e.spec ? e.spec : "");
      good = 0;
    } else if (!class_matches(e.category, e.spec, rs)) {
      fprintf(stderr, "CLASS [strict] %s: got %s (%s), expected category %s / %s\n", e.name,
              nm(rs), rl(rs), e.category, e.spec ? e.spec : "");
      good = 0;
    }
    ok += good;
    vec_ctx_free(&c);
  }
  printf("oracle_accepts: %zu entries, %zu as expected\n", n_accepts, ok);
  CHECK_EQ(ok, n_accepts);
}

int main(void) {
  root = vec_load("invalid-examples.json");
  RUN(test_examples_strict);
  RUN(test_examples_py_compat);
  RUN(test_examples_rules);
  RUN(test_oracle_accepts);
  RUN(test_cs_dialect);
  json_decref(root);
  return TEST_REPORT();
}
