/*
 * The nnrp command: shared declarations of its files.
 *
 *   main.c         dispatch, usage texts, --version
 *   io.c           input (file, stdin, --hex), hex helpers, error lines
 *   fields.c       field tables: wire struct members by their spec names
 *   json_out.c     decoded packet -> JSON
 *   json_in.c      JSON -> packet model (json_in.h)
 *   json_encode.c  packet model -> bytes, through the library's encoders
 *   build_json.c   reference-SDK builder inputs (JSON) -> libnnrp structs (build_json.h)
 *   build_map.c    reference-SDK builder names -> libnnrp calls (build_map.h)
 *   cmd_*.c        one subcommand each
 *
 * Exit status of every command: 0 success, 1 invalid input, 2 usage error.
 */
#ifndef NNRP_CLI_H
#define NNRP_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include <libnnrp/nnrp.h>

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* ---- io.c ------------------------------------------------------------------------------------ */

/* A malloc'd byte string. */
typedef struct cli_bytes {
  uint8_t *data;
  size_t len;
} cli_bytes;

/* "nnrp: <cmd>: <message>\n" on stderr. */
void cli_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* "nnrp: <cmd>: <prefix><ERR_NAME> (<rule>) at offset N: <message>\n"; offset < 0: none. */
void cli_lib_error(const char *cmd, const char *prefix, int err, long long offset);

/* Whole file (path "-" or NULL: stdin).  CLI_OK or CLI_FAIL (reported). */
int cli_read_file(const char *cmd, const char *path, cli_bytes *out);
/* Bytes from --hex text (hex != NULL) or from a file / stdin.  CLI_OK or CLI_FAIL (reported). */
int cli_load_input(const char *cmd, const char *hex, const char *path, cli_bytes *out);

/* Input options of the commands that decode (decode, inspect). */
typedef struct cli_decode_args {
  const char *hex;  /* --hex HEX */
  const char *path; /* FILE, "-" or NULL for standard input */
  nnrp_decode_options opts;
  int compact; /* --compact (decode only) */
} cli_decode_args;
/* The decode-profile option named by `arg` (--py-compat, --cs-dialect, --strict-c6), or 0. */
uint32_t cli_profile_flag(const char *arg);
/* Parse them (--compact only when allowed).  CLI_OK or CLI_USAGE (reported). */
int cli_decode_args_parse(const char *cmd, int argc, char **argv, int allow_compact,
                          cli_decode_args *a);
/*
 * Load the input and decode its packets one after another, handing each to `on_packet`.  The
 * first invalid packet (an empty input included) is reported with its absolute offset and
 * gives CLI_FAIL; so does a non-zero return of `on_packet`.
 */
int cli_decode_each(const char *cmd, const cli_decode_args *a,
                    int (*on_packet)(const nnrp_packet *p, void *ctx), void *ctx);

/* Hex text -> bytes; whitespace is skipped.  0, or -1 with *bad = offending character index. */
int cli_hex_decode(const char *hex, size_t hex_len, cli_bytes *out, size_t *bad);
/* Lower-case hex of p[0..n), malloc'd and NUL-terminated; NULL when out of memory. */
char *cli_hex_encode(const uint8_t *p, size_t n);
/* One line of `f` without its line end, any length, in *buf (reused, realloc'd); NULL at the
 * end of input.  Out of memory is reported and exits.  (cmd_build.c) */
char *cli_read_line(const char *cmd, FILE *f, char **buf, size_t *cap);
/* Write everything; CLI_OK or CLI_FAIL (reported). */
int cli_write(const char *cmd, FILE *f, const void *data, size_t len);

/* ---- fields.c -------------------------------------------------------------------------------- */

/* One integer member of a wire struct, named as in the specification tables. */
typedef struct cli_field {
  const char *name;
  unsigned short offset;
  unsigned char size; /* 1, 2, 4 or 8 */
} cli_field;

typedef struct cli_struct {
  const cli_field *fields;
  size_t count;
} cli_struct;

extern const cli_struct cli_header_fields; /* nnrp_header without magic */
extern const cli_struct cli_profile_patch_fields;
extern const cli_struct cli_section_desc_fields;
extern const cli_struct cli_prelude_fields;
extern const cli_struct cli_inline_object_fields;
extern const cli_struct cli_object_ref_fields;
extern const cli_struct cli_typed_desc_fields;
extern const cli_struct cli_ext_frame_desc_fields;

/* Metadata fields of a message type (a member of nnrp_meta); NULL when it has no metadata. */
const cli_struct *cli_meta_fields(unsigned msg_type);
/* JSON name of the opaque body of CLOSE, ERROR, CACHE_PUT, TRANSPORT_PROBE; NULL otherwise. */
const char *cli_raw_body_name(unsigned msg_type);
/* Look a field up by name; NULL if the struct has none of that name. */
const cli_field *cli_field_find(const cli_struct *s, const char *name);

uint64_t cli_field_get(const void *base, const cli_field *f);
void cli_field_set(void *base, const cli_field *f, uint64_t v);
/* Largest value the field holds. */
uint64_t cli_field_max(const cli_field *f);

/* ---- json_out.c ------------------------------------------------------------------------------ */

/* JSON object of a decoded packet (NULL when out of memory). */
json_t *cli_packet_to_json(const nnrp_packet *p);
/* Integer as JSON: a number up to 2^53 - 1, a decimal string above (exact in every reader). */
json_t *cli_json_u64(uint64_t v);
/* Bytes as a lower-case hex string. */
json_t *cli_json_hex(nnrp_vec v);

/* ---- json_in.c, json_encode.c ------------------------------------------------------------------
 */

/*
 * Encode the packet described by `obj` (one element of `nnrp decode` output) and append its
 * bytes to *out (realloc'd).  The result is decoded again with the strict profile; any
 * failure is reported on stderr as "nnrp: <cmd>: packet <index>: ..." and gives CLI_FAIL.
 */
int cli_packet_from_json(const char *cmd, json_t *obj, size_t index, cli_bytes *out);

/* ---- vector_build.c -------------------------------------------------------------------------- */

/* The kinds of golden vectors (cross-language manifest, conformance recipes). */
typedef enum cli_vec_type {
  CLI_VEC_HEADER,
  CLI_VEC_CLIENT_HELLO,      /* fixed metadata */
  CLI_VEC_SESSION_PATCH_ACK, /* fixed metadata */
  CLI_VEC_FLOW_UPDATE,       /* whole packet */
  CLI_VEC_RESULT_HINT,       /* whole packet */
  CLI_VEC_FRAME_SUBMIT_META,
  CLI_VEC_RESULT_PUSH_META,
  CLI_VEC_PRELUDE,
  CLI_VEC_OBJECT_REF,
  CLI_VEC_TYPED_DESC,
  CLI_VEC_TYPED_DESC_REGION,  /* the descriptors of `frames` */
  CLI_VEC_TYPED_FRAME_REGION, /* the payloads of `frames` */
} cli_vec_type;

enum { CLI_VEC_MAX_FRAMES = 16 };

/* The inputs of one vector; `type` says which members are used. */
typedef struct cli_vec_input {
  cli_vec_type type;
  nnrp_header header;        /* HEADER */
  nnrp_packet_params packet; /* FLOW_UPDATE, RESULT_HINT */
  nnrp_meta meta;            /* the metadata and packet types */
  nnrp_prelude prelude;
  nnrp_object_ref ref;
  nnrp_typed_desc desc;
  nnrp_typed_frame frames[CLI_VEC_MAX_FRAMES]; /* the typed regions */
  size_t frame_count;
} cli_vec_input;

typedef struct cli_vector {
  const char *name;
  const char *kind;
  const char *description;
  uint8_t bytes[512];
  size_t len;
} cli_vector;

/* Manifest kind of a vector type ("metadata", "packet", ...). */
const char *cli_vec_kind(cli_vec_type type);
/* Bytes of the vector through libnnrp's encoders: 0, or the library error (out->len 0). */
int cli_vec_render(const cli_vec_input *in, cli_vector *out);

/* ---- commands -------------------------------------------------------------------------------- */

int cli_cmd_decode(int argc, char **argv);
int cli_cmd_encode(int argc, char **argv);
int cli_cmd_inspect(int argc, char **argv);
int cli_cmd_vectors(int argc, char **argv);
int cli_cmd_conformance(int argc, char **argv);
int cli_cmd_bench(int argc, char **argv);
/* Usage texts of the commands defined with their code. */
extern const char cli_conformance_usage[];
extern const char cli_bench_usage[];
int cli_cmd_build(int argc, char **argv);
int cli_cmd_check(int argc, char **argv);

/* Usage text of a command (NULL: the general one) on `f`. */
void cli_usage(FILE *f, const char *cmd);
/* Report a usage error and return CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif /* NNRP_CLI_H */
