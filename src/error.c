/* Error code table: one X-macro list (errors.h) gives names, messages, rules and mapping. */
#include <libnnrp/errors.h>

typedef struct err_info {
  int code;
  unsigned proto;
  const char *name;
  const char *rule;
  const char *msg;
} err_info;

static const err_info errors[] = {
#define NNRP_X_INFO(name, value, proto, rule, msg) {value, proto, #name, rule, msg},
    NNRP_ERROR_LIST(NNRP_X_INFO)
#undef NNRP_X_INFO
};

static const err_info *find(int err) {
  for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
    if (errors[i].code == err) return &errors[i];
  return NULL;
}

const char *nnrp_strerror(int err) {
  if (err == 0) return "success";
  const err_info *e = find(err);
  return e ? e->msg : "unknown error";
}

const char *nnrp_err_name(int err) {
  if (err == 0) return "OK";
  const err_info *e = find(err);
  return e ? e->name : NULL;
}

const char *nnrp_err_rule(int err) {
  if (err == 0) return "-";
  const err_info *e = find(err);
  return e ? e->rule : NULL;
}

unsigned nnrp_err_protocol_code(int err) {
  const err_info *e = find(err);
  return e ? e->proto : 0;
}

int nnrp_err_is_fatal(int err) { return err == NNRP_ERR_NOMEM || err == NNRP_ERR_INTERNAL; }
