/* The builder-input readers of the nnrp command (tools/cli/build_json.h), plus file loading. */
#ifndef NNRP_VEC_JSON_H
#define NNRP_VEC_JSON_H

#include "build_json.h"

/* Load a file of the shared vectors folder (see vec_json_loads).  Exits the test program when
 * the file cannot be read or parsed. */
json_t *vec_load(const char *file);

#endif /* NNRP_VEC_JSON_H */
