/*
 * JSON -> packet bytes, private to json_in.c (JSON -> packet model) and json_encode.c (model ->
 * bytes through the library's encoders).
 */
#ifndef NNRP_CLI_JSON_IN_H
#define NNRP_CLI_JSON_IN_H

#include "cli.h"

typedef struct section_in {
  nnrp_section_desc desc;
  nnrp_vec codec_table, length_table, payload;
} section_in;
typedef struct object_in {
  nnrp_inline_object_header header;
  nnrp_vec payload;
} object_in;
typedef struct frame_in {
  nnrp_typed_desc typed;   /* typed frames */
  nnrp_ext_frame_desc ext; /* extension frames */
  nnrp_vec payload;
  int offset_given;
} frame_in;
typedef struct list_in {
  void *items;
  size_t count;
} list_in;

/* The packet model: what the JSON says, before any byte is written. */
typedef struct packet_in {
  nnrp_header header;
  int has_meta_len, has_body_len;
  nnrp_meta meta;
  nnrp_vec raw_meta, raw_body; /* types without metadata / with opaque bodies */
  list_in extensions;          /* nnrp_ext_entry */
  nnrp_vec auth;
  int has_patch;
  nnrp_profile_patch patch;
  int family;
  nnrp_vec camera, tile_index;
  list_in sections;       /* section_in (legacy bodies) */
  list_in objects;        /* object_in */
  list_in refs;           /* nnrp_object_ref */
  list_in typed, ext;     /* frame_in */
  uint32_t prelude_given; /* bit i: field i of the prelude table was given */
  nnrp_prelude prelude;
  int has_typed_region, has_ext_region;
  nnrp_vec typed_region, ext_region;
} packet_in;

/* Reader state: the JSON path of the value at hand (for messages) and every allocation, freed
 * together when the packet is done. */
typedef struct jin {
  const char *cmd;
  size_t index;
  char path[256];
  size_t path_len;
  void **allocs;
  size_t alloc_count, alloc_cap;
} jin;

/* "nnrp: <cmd>: packet <i>: <path>: <message>" on stderr; returns CLI_FAIL. */
int jin_fail(jin *j, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* A library error at the current path; returns CLI_FAIL. */
int jin_fail_lib(jin *j, int err);
/* Append a path segment; returns the mark that jin_pop() goes back to. */
size_t jin_push(jin *j, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void jin_pop(jin *j, size_t mark);
/* Zeroed memory owned by the reader; NULL when out of memory. */
void *jin_alloc(jin *j, size_t n);

/* Bit i of a read_fields() mask: field i of the table was present in the JSON. */
static inline int jin_given(const cli_struct *s, uint32_t given, const char *name) {
  const cli_field *f = cli_field_find(s, name);
  return f && (given >> (f - s->fields) & 1u);
}

/* json_encode.c: the model's bytes appended to *out, then checked with the strict decoder. */
int jin_encode_packet(jin *j, packet_in *in, cli_bytes *out);

#endif /* NNRP_CLI_JSON_IN_H */
