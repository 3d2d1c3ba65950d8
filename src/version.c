#include <libnnrp/version.h>

const char *nnrp_version(void) { return NNRP_VERSION_STRING; }
