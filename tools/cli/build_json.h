/*
 * Builder inputs in the JSON encoding of the reference vectors (builder-examples.json), read
 * into libnnrp structs.  Used by `nnrp build` and by the vector tests.
 *
 * Inputs are written the way the reference SDK takes them: integers, enums as
 * {"enum": "Class.MEMBER", "value": n}, byte strings as {"hex": "..."}, dataclasses as
 * {"class": "Name", "fields": {...}}.  A vec_ctx collects every mapping error of one vector
 * (so a mapper reads straight through and the caller checks once), owns every buffer it hands
 * out, and remembers which JSON values were consumed so that an input nobody mapped is
 * reported instead of silently ignored.
 */
#ifndef NNRP_BUILD_JSON_H
#define NNRP_BUILD_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libnnrp/wire.h>

typedef struct vec_ctx {
  const char *name; /* vector name, for messages */
  int errors;       /* mapping errors so far */
  int quiet;        /* count errors without printing them (repeated runs of one mapping) */
  char first_error[160]; /* the first mapping error's message */
  void **allocs;
  size_t alloc_count, alloc_cap;
  const char **used; /* keys of consumed object members (jansson's stored key pointers) */
  size_t used_count, used_cap;
} vec_ctx;

/* Parse JSON text; integers beyond int64 are kept as digit strings (vec_num reads both), so
 * that u64 values such as 2^64-1 survive jansson.  NULL on a syntax error (in *err). */
json_t *vec_json_loads(const char *text, size_t len, json_error_t *err);

void vec_ctx_init(vec_ctx *c, const char *name);
void vec_ctx_free(vec_ctx *c);
/* Report a mapping error (counted in c->errors). */
void vec_fail(vec_ctx *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Zeroed memory owned by the context (never NULL; at least 1 byte). */
void *vec_alloc(vec_ctx *c, size_t n);

/* Mark member `key` of `obj` as consumed. */
void vec_mark(vec_ctx *c, const json_t *obj, const char *key);
/* Report every member of `obj` that was not consumed; returns how many. */
int vec_check_used(vec_ctx *c, const json_t *obj, const char *where);

/* A number: JSON integer, {"enum", "value"}, or a string starting with a decimal or 0x number
 * ("0x21 ACK_REQUIRED|KEYFRAME").  Values above `max` are mapping errors. */
uint64_t vec_num(vec_ctx *c, const json_t *v, uint64_t max);
/* Member `key` of `obj` as a number, `def` when absent or null. */
uint64_t vec_get(vec_ctx *c, const json_t *obj, const char *key, uint64_t def, uint64_t max);
/* Member lookup that marks the member consumed; NULL when absent or null. */
const json_t *vec_member(vec_ctx *c, const json_t *obj, const char *key);
/* A string member (consumed), or NULL. */
const char *vec_get_str(vec_ctx *c, const json_t *obj, const char *key);

/* Bytes from {"hex": "..."} or a plain hex string. */
nnrp_vec vec_bytes(vec_ctx *c, const json_t *v);
/* Member `key` as bytes, empty when absent or null. */
nnrp_vec vec_get_bytes(vec_ctx *c, const json_t *obj, const char *key);
/* Bytes of a hex literal. */
nnrp_vec vec_hex(vec_ctx *c, const char *hex);

/* The field object of a dataclass value ({"class", "fields"}) or the object itself.  When
 * `cls` is not NULL and a class is named, it must be `cls`. */
const json_t *vec_fields(vec_ctx *c, const json_t *v, const char *cls);

/* A JSON array member as u16 values (ids, kinds); returns the count. */
size_t vec_get_u16s(vec_ctx *c, const json_t *obj, const char *key, uint16_t **out);

/* ---- struct field tables ------------------------------------------------------------------- */

enum { VEC_INT = 0, VEC_BYTES = 1 };

typedef struct vec_field {
  const char *json; /* key in the vector files */
  size_t offset;
  size_t size; /* integer width in bytes (VEC_INT) */
  int kind;
} vec_field;

#define VEC_FIELD_AS(type, member, key) \
  { key, offsetof(type, member), sizeof(((type *)0)->member), VEC_INT }
#define VEC_FIELD(type, member) VEC_FIELD_AS(type, member, #member)
#define VEC_BYTES_AS(type, member, key) { key, offsetof(type, member), sizeof(nnrp_vec), VEC_BYTES }

typedef struct vec_struct {
  const char *cls; /* dataclass name in the vector files */
  const vec_field *fields;
  size_t count;
  size_t size; /* sizeof the C struct */
} vec_struct;

/* Tables for the structs the vectors name (NULL when unknown). */
const vec_struct *vec_struct_by_class(const char *cls);
extern const vec_struct vec_header_struct;

/* Fill `dst` (zeroed by the caller or pre-set to defaults) from a field object: every member
 * must be a known field, each value must fit its width. */
void vec_fill(vec_ctx *c, const vec_struct *st, const json_t *fields, void *dst);
/* Compare `src` with every member of `fields` that names a field; unknown members are mapping
 * errors unless `allow_unknown`.  Returns the number of fields compared; differences are
 * counted in c->errors. */
int vec_compare(vec_ctx *c, const vec_struct *st, const json_t *fields, const void *src,
                int allow_unknown);
/* Compare `src` with "key=value" tokens of a free-text description; tokens whose key is not a
 * field name are skipped.  Returns the number of fields compared. */
int vec_compare_text(vec_ctx *c, const vec_struct *st, const char *text, const void *src);
/* Read an integer field of a struct by name (for messages); 0 when unknown. */
uint64_t vec_struct_get(const vec_struct *st, const void *src, const char *field);

/* A member holding a list of dataclass values of class `cls` (a vec_struct): an array of
 * st->size-byte structs, each zeroed then filled.  Returns the count. */
size_t vec_get_list(vec_ctx *c, const json_t *obj, const char *key, const char *cls,
                    void **out);
/* TensorSectionData (class form or plain field object) as a builder input, with the reference
 * SDK's defaults (NHWC, scale NONE, variable length, no codec ids). */
void vec_section(vec_ctx *c, const json_t *v, nnrp_tensor_section_data *s);
size_t vec_get_sections(vec_ctx *c, const json_t *obj, const char *key,
                        nnrp_tensor_section_data **out);

/* Hex dump helper for messages. */
void vec_print_hex(const char *label, const uint8_t *p, size_t n);

#endif /* NNRP_BUILD_JSON_H */
