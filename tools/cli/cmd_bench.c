/*
 * nnrp bench: runs the scenarios of a benchmark execution plan of the conformance suite
 * (schemas/benchmark-execution-plan) with libnnrp's codecs and writes benchmark results
 * (schemas/benchmark-results).
 *
 * A latency scenario runs `iterations` operations after `warmup_iterations`, timed in batches
 * of consecutive operations (one operation is shorter than the clock's resolution); the
 * percentiles are over the batches' per-operation times.  Scenarios that need a session, a
 * transport or a runtime API libnnrp does not have are reported "skip" with the reason.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../../bench/bench_clock.h"
#include "conformance.h"

#define RESULTS_SCHEMA \
  "https://github.com/NagareWorks/nnrp-conformance/schemas/benchmark-results.schema.json"

const char cli_bench_usage[] =
    "usage: nnrp bench --plan PLAN --output OUT [--evidence-dir DIR] [--sdk-commit REV]\n"
    "\n"
    "Runs the scenarios of a benchmark execution plan of the NNRP conformance suite with\n"
    "libnnrp's codecs and writes the results (schema benchmark-results) to OUT ('-': standard\n"
    "output).  Latency scenarios report p50/p95/p99 in microseconds per operation over batches\n"
    "of consecutive operations, with the raw batch times in DIR (default: the plan's\n"
    "artifacts.evidence_dir).  Scenarios that need the session engine, a transport or a\n"
    "runtime probe are reported skip with the reason.  --sdk-commit records the source\n"
    "revision in the environment block.\n";

/* ---- workloads: n operations each; the number of failed library calls ------------------------ */

static uint64_t sink_sum; /* every result is folded in, so no work can be dropped */

static nnrp_header header;
static uint8_t header_bytes[NNRP_HEADER_LEN];
static nnrp_client_hello_meta hello;
static nnrp_server_hello_ack_meta hello_ack;
static uint8_t hello_bytes[NNRP_CLIENT_HELLO_META_LEN], ack_bytes[NNRP_SERVER_HELLO_ACK_META_LEN];
static nnrp_frame_submit_meta submit_meta;
static nnrp_result_push_meta result_meta;
static uint8_t submit_bytes[NNRP_FRAME_SUBMIT_META_LEN], result_bytes[NNRP_RESULT_PUSH_META_LEN];

enum { TILES = 4, TILE_BYTES = 1024 };
static uint8_t tile_data[TILES][TILE_BYTES], tile_out[TILES * TILE_BYTES], body[8192];
static nnrp_vec tiles[TILES];
static const uint16_t tile_ids[TILES] = {10, 11, 12, 13};
static nnrp_tensor_section_data section;

static void setup(void) {
  header = (nnrp_header){1,
                         0,
                         NNRP_MSG_FRAME_SUBMIT,
                         NNRP_HEADER_LEN,
                         NNRP_FLAG_KEYFRAME,
                         NNRP_FRAME_SUBMIT_META_LEN,
                         4096,
                         7,
                         11,
                         2,
                         0,
                         123456789};
  memset(&hello, 0, sizeof(hello));
  hello.min_version_major = hello.max_version_major = 1;
  hello.supported_wire_format_bitmap = 1, hello.supported_profile_bitmap = 1;
  hello.supported_payload_kind_bitmap = NNRP_PAYLOAD_KNOWN, hello.supported_dtype_bitmap = 0xFF;
  hello.max_lane_count = 4, hello.target_cadence_x100 = 3000, hello.latency_budget_ms = 33;
  memset(&hello_ack, 0, sizeof(hello_ack));
  hello_ack.selected_version_major = 1, hello_ack.session_id = 7;
  hello_ack.accepted_profile_bitmap = 1, hello_ack.accepted_payload_kind_bitmap = 0x3;
  hello_ack.max_lane_count = 4, hello_ack.max_concurrent_frames = 8;
  nnrp_frame_submit_meta_init(&submit_meta);
  submit_meta.src_width = 640, submit_meta.src_height = 360,
  submit_meta.tile_width = submit_meta.tile_height = 32;
  submit_meta.tile_count = 84, submit_meta.section_count = 2,
  submit_meta.tile_index_mode = NNRP_TILE_RAW_U16;
  submit_meta.tile_index_bytes = 168, submit_meta.latency_budget_ms = 100;
  nnrp_result_push_meta_init(&result_meta);
  result_meta.section_count = 1, result_meta.tile_count = 84, result_meta.tile_index_bytes = 168;
  result_meta.covered_tile_count = 84;
  for (int t = 0; t < TILES; t++) {
    for (int i = 0; i < TILE_BYTES; i++) tile_data[t][i] = (uint8_t)(t * 7 + i);
    tiles[t] = (nnrp_vec){tile_data[t], TILE_BYTES};
  }
  memset(&section, 0, sizeof(section));
  section.role_id = 1, section.dtype_id = NNRP_DTYPE_FP16, section.element_count_per_tile = 512;
  section.tile_payloads = tiles, section.tile_payload_count = TILES;
}

static size_t w_header(size_t n) {
  size_t failed = 0;
  nnrp_header h;
  for (size_t i = 0; i < n; i++) {
    header.frame_id = (uint32_t)i;
    int rc = nnrp_header_encode(&header, header_bytes);
    KEEP(header_bytes);
    rc |= nnrp_header_decode(&h, header_bytes, sizeof(header_bytes), NULL);
    failed += rc != 0;
    sink_sum += h.frame_id;
  }
  return failed;
}

static size_t w_hello_meta(size_t n) {
  size_t failed = 0;
  nnrp_client_hello_meta c;
  nnrp_server_hello_ack_meta a;
  for (size_t i = 0; i < n; i++) {
    hello.requested_session_id = hello_ack.session_id = (uint32_t)i;
    int rc = nnrp_client_hello_meta_encode(&hello, hello_bytes);
    rc |= nnrp_server_hello_ack_meta_encode(&hello_ack, ack_bytes);
    KEEP(hello_bytes);
    KEEP(ack_bytes);
    rc |= nnrp_client_hello_meta_decode(&c, hello_bytes, sizeof(hello_bytes), 0);
    rc |= nnrp_server_hello_ack_meta_decode(&a, ack_bytes, sizeof(ack_bytes), 0);
    failed += rc != 0;
    sink_sum += c.requested_session_id + a.session_id;
  }
  return failed;
}

static size_t w_data_meta(size_t n) {
  size_t failed = 0;
  nnrp_frame_submit_meta s;
  nnrp_result_push_meta r;
  for (size_t i = 0; i < n; i++) {
    submit_meta.retry_of_frame = (uint32_t)i;
    result_meta.inference_ms = (uint16_t)i;
    int rc = nnrp_frame_submit_meta_encode(&submit_meta, submit_bytes);
    rc |= nnrp_result_push_meta_encode(&result_meta, result_bytes);
    KEEP(submit_bytes);
    KEEP(result_bytes);
    rc |= nnrp_frame_submit_meta_decode(&s, submit_bytes, sizeof(submit_bytes), 0);
    rc |= nnrp_result_push_meta_decode(&r, result_bytes, sizeof(result_bytes), 0);
    failed += rc != 0;
    sink_sum += s.retry_of_frame + r.inference_ms;
  }
  return failed;
}

/* Tensor body of one section (descriptor, length table, 4 x 1 KiB) with its RAW_U16 tile
 * index: packed, validated, and every tile copied out again. */
static size_t w_tensor(size_t n) {
  size_t failed = 0;
  for (size_t i = 0; i < n; i++) {
    nnrp_sink s;
    tile_data[0][0] = (uint8_t)i;
    nnrp_sink_init_buffer(&s, body, sizeof(body));
    int rc = nnrp_tile_index_encode(tile_ids, TILES, NNRP_TILE_RAW_U16, 0, &s);
    if (!rc) rc = nnrp_section_seq_encode(&section, 1, TILES, 0, &s);
    KEEP(body);
    nnrp_tensor_body_view v;
    if (!rc) rc = nnrp_tensor_body_unpack(&v, body, s.len, 2 * TILES, 1, TILES, 0, NULL);
    if (!rc)
      rc = nnrp_tile_index_validate(v.tile_index.base, v.tile_index.len, NNRP_TILE_RAW_U16, TILES,
                                    0, 0);
    if (!rc) {
      nnrp_section_iter it;
      nnrp_section_view sv;
      size_t off = 0;
      nnrp_section_iter_init(&it, v.sections.base, v.sections.len, v.section_count);
      while (nnrp_section_iter_next(&it, &sv)) {
        nnrp_section_tile_iter ti;
        nnrp_vec tile;
        nnrp_section_tile_iter_init(&ti, &sv);
        while (nnrp_section_tile_iter_next(&ti, &tile) && off + tile.len <= sizeof(tile_out)) {
          memcpy(tile_out + off, tile.base, tile.len);
          off += tile.len;
        }
      }
      KEEP(tile_out);
      sink_sum += off + tile_out[0];
    }
    failed += rc != 0;
  }
  return failed;
}

/* ---- scenarios ------------------------------------------------------------------------------- */

typedef struct workload {
  const char *operation;
  const char *payload; /* NULL: any */
  size_t (*run)(size_t n);
  const char *skip;    /* the reason when run is NULL */
  const char *message; /* what was measured, when it is not exactly the scenario's wording */
} workload;

static const workload workloads[] = {
    {"header_encode_decode", NULL, w_header, NULL,
     "40-byte common header: encode, then strict decode and validation"},
    {"metadata_encode_decode", "session_open_ack", w_hello_meta, NULL,
     "NNRP/1 Preview2 has no SESSION_OPEN / SESSION_OPEN_ACK: sessions open with CLIENT_HELLO "
     "and SERVER_HELLO_ACK, whose fixed metadata (64 + 80 bytes) is encoded and decoded here"},
    {"submit_result_metadata_encode_decode", NULL, w_data_meta, NULL,
     "FRAME_SUBMIT (72 bytes) and RESULT_PUSH (64 bytes) fixed metadata: encode, then strict "
     "decode"},
    {"typed_payload_pack_unpack", NULL, w_tensor, NULL,
     "one tensor section of 4 x 1 KiB tiles with its RAW_U16 tile index: packed (payload "
     "copied), unpacked and validated, every tile copied out"},
    {"runtime_probe", NULL, NULL,
     "libnnrp has no runtime capability probe: its capabilities are the static manifest "
     "conformance/nnrp-1-preview2.capabilities.json",
     NULL},
    {"session_lifecycle", NULL, NULL, CONF_NEEDS_ENGINE, NULL},
    {"submit_result_loop", NULL, NULL,
     CONF_NEEDS_ENGINE ": the scenario measures the runtime submit/result path, not the codecs",
     NULL},
    {"transport_loopback", NULL, NULL, CONF_NEEDS_TRANSPORT, NULL},
};

static const workload *find_workload(const char *operation, const char *payload) {
  for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
    if (strcmp(workloads[i].operation, operation) == 0 &&
        (!workloads[i].payload || (payload && strcmp(workloads[i].payload, payload) == 0)))
      return &workloads[i];
  return NULL;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted values. */
static double percentile(const double *v, size_t n, double p) {
  size_t rank = (size_t)(p / 100.0 * (double)n + 0.999999);
  return v[rank == 0 ? 0 : (rank > n ? n - 1 : rank - 1)];
}

enum { MAX_SAMPLES = 1000 };

/* Run a latency workload; fills the result's metrics, or its message on failure. */
static int measure(const workload *w, size_t iterations, size_t warmup, json_t *result,
                   FILE *evidence) {
  static double samples[MAX_SAMPLES];
  size_t batch = iterations / MAX_SAMPLES ? iterations / MAX_SAMPLES : 1;
  size_t count = iterations / batch, failed = warmup ? w->run(warmup) : 0;
  uint64_t wall0 = bench_now_ns(), cpu0 = bench_cpu_ns();
  for (size_t i = 0; i < count; i++) {
    uint64_t t0 = bench_now_ns();
    failed += w->run(batch);
    samples[i] = (double)(bench_now_ns() - t0) / (double)batch / 1000.0;
  }
  uint64_t wall = bench_now_ns() - wall0, cpu = bench_cpu_ns() - cpu0;
  if (failed) return -1;
  if (evidence) {
    fprintf(evidence, "# %zu batches of %zu operations, microseconds per operation\n", count,
            batch);
    for (size_t i = 0; i < count; i++) fprintf(evidence, "%.6f\n", samples[i]);
  }
  double mean = 0;
  for (size_t i = 0; i < count; i++) mean += samples[i];
  mean /= (double)count;
  qsort(samples, count, sizeof(samples[0]), cmp_double);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  json_t *m = json_object();
  json_object_set_new(m, "p50_us", json_real(percentile(samples, count, 50)));
  json_object_set_new(m, "p95_us", json_real(percentile(samples, count, 95)));
  json_object_set_new(m, "p99_us", json_real(percentile(samples, count, 99)));
  json_object_set_new(m, "mean_us", json_real(mean));
  json_object_set_new(m, "throughput_ops_per_sec",
                      json_real(wall ? (double)(count * batch) * 1e9 / (double)wall : 0));
  json_object_set_new(m, "cpu_percent", json_real(wall ? 100.0 * (double)cpu / (double)wall : 0));
  json_object_set_new(m, "peak_memory_bytes", json_integer((json_int_t)ru.ru_maxrss * 1024));
  json_object_set_new(m, "iterations", json_integer((json_int_t)(count * batch)));
  json_object_set_new(m, "batch_operations", json_integer((json_int_t)batch));
  json_object_set_new(result, "metrics", m);
  return 0;
}

/* ---- environment
 * --------------------------------------------------------------------------------- */

static json_t *environment(const char *commit) {
  json_t *env = json_object();
  struct utsname u;
  char text[512], cpu[256] = "";
  int have_uname = uname(&u) == 0;
  FILE *f = fopen("/proc/cpuinfo", "r");
  while (f && fgets(text, sizeof(text), f)) {
    if (strncmp(text, "model name", 10) != 0) continue;
    char *colon = strchr(text, ':'), *end = text + strlen(text);
    while (end > text && (end[-1] == '\n' || end[-1] == ' ')) *--end = '\0';
    if (colon) snprintf(cpu, sizeof(cpu), "%s", colon + 2);
    break;
  }
  if (f) fclose(f);
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  if (commit) json_object_set_new(env, "sdk_commit", json_string(commit));
#if defined(__clang__)
  const char *compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
  const char *compiler = "gcc " __VERSION__;
#else
  const char *compiler = "unknown compiler";
#endif
#if defined(__OPTIMIZE__)
  const char *optimized = "optimized";
#else
  const char *optimized = "not optimized";
#endif
  snprintf(text, sizeof(text), "libnnrp %s (C11; nnrp built with %s, %s)", nnrp_version(), compiler,
           optimized);
  json_object_set_new(env, "host_runtime", json_string(text));
  if (have_uname) {
    char os[65];
    size_t i = 0;
    for (; u.sysname[i] && i + 1 < sizeof(os); i++)
      os[i] = u.sysname[i] >= 'A' && u.sysname[i] <= 'Z' ? (char)(u.sysname[i] + 32) : u.sysname[i];
    os[i] = '\0';
    json_object_set_new(env, "os", json_string(os));
    json_object_set_new(env, "arch", json_string(u.machine));
  } else {
    json_object_set_new(env, "os", json_string("unknown"));
    json_object_set_new(env, "arch", json_string("unknown"));
  }
  snprintf(text, sizeof(text), "%s (%ld logical CPUs online)", cpu[0] ? cpu : "unknown CPU", cores);
  json_object_set_new(env, "cpu", json_string(text));
  snprintf(text, sizeof(text),
           "kernel %s; single thread; latency percentiles are over batches of consecutive "
           "operations; cpu_percent is process CPU time over wall time while measuring; "
           "peak_memory_bytes is the process's maximum resident set",
           have_uname ? u.release : "unknown");
  json_object_set_new(env, "notes", json_string(text));
  return env;
}

/* ---- command
 * ------------------------------------------------------------------------------------- */

static const char *str(json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

static size_t count_of(json_t *spec, const char *key, size_t dflt) {
  json_t *v = json_object_get(spec, key);
  return json_is_integer(v) && json_integer_value(v) >= 0 ? (size_t)json_integer_value(v) : dflt;
}

int cli_cmd_bench(int argc, char **argv) {
  const char *cmd = "bench", *plan_path = NULL, *output = NULL, *evidence = NULL, *commit = NULL;
  for (int i = 1; i < argc; i++) {
    const char **slot = NULL;
    if (strcmp(argv[i], "--plan") == 0) slot = &plan_path;
    if (strcmp(argv[i], "--output") == 0) slot = &output;
    if (strcmp(argv[i], "--evidence-dir") == 0) slot = &evidence;
    if (strcmp(argv[i], "--sdk-commit") == 0) slot = &commit;
    if (!slot) return cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
    if (i + 1 >= argc) return cli_usage_error(cmd, "%s needs a value", argv[i]);
    *slot = argv[++i];
  }
  if (!plan_path || !output)
    return cli_usage_error(cmd, "--plan PLAN and --output OUT are required");

  json_t *plan = conf_load_json(cmd, plan_path);
  if (!plan) return CLI_FAIL;
  json_t *scenarios = json_object_get(plan, "scenarios");
  if (!str(plan, "protocol_version") || !str(plan, "implementation_name") ||
      !json_is_array(scenarios)) {
    cli_error(cmd, "%s: not a benchmark execution plan", plan_path);
    json_decref(plan);
    return CLI_FAIL;
  }
  if (!evidence) evidence = str(json_object_get(plan, "artifacts"), "evidence_dir");
  if (evidence && conf_mkdirs(evidence) != 0) {
    cli_error(cmd, "cannot create the evidence directory '%s'", evidence);
    json_decref(plan);
    return CLI_FAIL;
  }

  setup();
  json_t *out = json_object(), *results = json_array();
  json_object_set_new(out, "$schema", json_string(RESULTS_SCHEMA));
  json_object_set(out, "protocol_version", json_object_get(plan, "protocol_version"));
  json_object_set(out, "implementation_name", json_object_get(plan, "implementation_name"));
  json_object_set_new(out, "environment", environment(commit));
  json_object_set_new(out, "results", results);
  size_t errors = 0;
  for (size_t i = 0; i < json_array_size(scenarios); i++) {
    json_t *sc = json_array_get(scenarios, i), *w = json_object_get(sc, "workload");
    const char *id = str(sc, "id"), *op = str(w, "operation"), *category = str(sc, "category");
    json_t *r = json_object();
    json_object_set_new(r, "id", json_string(id ? id : ""));
    const workload *wl = op ? find_workload(op, str(w, "payload")) : NULL;
    const char *outcome = "skip";
    char message[512];
    if (!wl) {
      snprintf(message, sizeof(message), "no libnnrp workload for operation %s",
               op ? op : "(none)");
    } else if (!wl->run) {
      snprintf(message, sizeof(message), "%s", wl->skip);
    } else if (!category || strcmp(category, "latency") != 0) {
      snprintf(message, sizeof(message), "only latency scenarios run on the codecs");
    } else {
      char path[4096] = "";
      FILE *ev = NULL;
      if (evidence && id) {
        snprintf(path, sizeof(path), "%s/%.200s.samples.txt", evidence, id);
        ev = fopen(path, "w");
      }
      int rc = measure(wl, count_of(w, "iterations", 100000), count_of(w, "warmup_iterations", 0),
                       r, ev);
      if (ev) fclose(ev);
      outcome = rc == 0 ? "measured" : "error";
      snprintf(message, sizeof(message), "%s",
               rc == 0 ? wl->message : "a library call failed while measuring");
      errors += rc != 0;
      if (rc == 0 && ev) {
        json_t *paths = json_array();
        json_array_append_new(paths, json_string(path));
        json_object_set_new(r, "evidence_paths", paths);
      }
    }
    json_object_set_new(r, "outcome", json_string(outcome));
    json_object_set_new(r, "message", json_string(message));
    json_array_append_new(results, r);
    fprintf(stderr, "%-8s %s\n", outcome, id ? id : "");
  }
  int rc = conf_write_json(cmd, output, out);
  json_decref(out);
  json_decref(plan);
  KEEP(&sink_sum); /* the results are used */
  return rc != CLI_OK ? rc : errors ? CLI_FAIL : CLI_OK;
}
