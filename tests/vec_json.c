/* Loading the shared JSON vector files (see vec_json.h). */
#include "vec_json.h"

#include <stdio.h>
#include <stdlib.h>

#include "test.h"

json_t *vec_load(const char *file) {
  size_t len = 0;
  uint8_t *raw = test_read_file(test_vector_path(file), &len);
  if (!raw) {
    fprintf(stderr, "cannot read %s\n", test_vector_path(file));
    exit(2);
  }
  json_error_t err;
  json_t *root = vec_json_loads((const char *)raw, len, &err);
  free(raw);
  if (!root) {
    fprintf(stderr, "%s: JSON error at line %d: %s\n", file, err.line, err.text);
    exit(2);
  }
  return root;
}
