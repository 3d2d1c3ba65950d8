/* The default allocator behind NULL nnrp_mem arguments. */
#include <stdlib.h>

#include <libnnrp/conn.h>

static void *mem_malloc(size_t size, void *user) {
  (void)user;
  return malloc(size);
}
static void mem_free(void *ptr, void *user) {
  (void)user;
  free(ptr);
}
static void *mem_calloc(size_t nmemb, size_t size, void *user) {
  (void)user;
  return calloc(nmemb, size);
}
static void *mem_realloc(void *ptr, size_t size, void *user) {
  (void)user;
  return realloc(ptr, size);
}

static const nnrp_mem default_mem = {NULL, mem_malloc, mem_free, mem_calloc, mem_realloc};

const nnrp_mem *nnrp_mem_default(void) { return &default_mem; }
