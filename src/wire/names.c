/* Names and fixed metadata lengths of the Preview2 message types and protocol ERROR codes. */
#include "control_int.h"

typedef struct msg_info {
  const char *name;
  int meta_len;
} msg_info;

/* Indexed by msg_type; a NULL name marks a value Preview2 does not define (§3.1). */
static const msg_info msg_table[0x22] = {
    [NNRP_MSG_CLIENT_HELLO] = {"CLIENT_HELLO", NNRP_CLIENT_HELLO_META_LEN},
    [NNRP_MSG_SERVER_HELLO_ACK] = {"SERVER_HELLO_ACK", NNRP_SERVER_HELLO_ACK_META_LEN},
    [NNRP_MSG_SESSION_PATCH] = {"SESSION_PATCH", NNRP_SESSION_PATCH_META_LEN},
    [NNRP_MSG_SESSION_PATCH_ACK] = {"SESSION_PATCH_ACK", NNRP_SESSION_PATCH_ACK_META_LEN},
    [NNRP_MSG_CLOSE] = {"CLOSE", 0},
    [NNRP_MSG_ERROR] = {"ERROR", NNRP_ERROR_META_LEN},
    [NNRP_MSG_FRAME_SUBMIT] = {"FRAME_SUBMIT", NNRP_FRAME_SUBMIT_META_LEN},
    [NNRP_MSG_FRAME_CANCEL] = {"FRAME_CANCEL", 0},
    [NNRP_MSG_RESULT_PUSH] = {"RESULT_PUSH", NNRP_RESULT_PUSH_META_LEN},
    [NNRP_MSG_RESULT_DROP] = {"RESULT_DROP", 0},
    [NNRP_MSG_CACHE_PUT] = {"CACHE_PUT", NNRP_CACHE_PUT_META_LEN},
    [NNRP_MSG_CACHE_ACK] = {"CACHE_ACK", NNRP_CACHE_ACK_META_LEN},
    [NNRP_MSG_CACHE_INVALIDATE] = {"CACHE_INVALIDATE", NNRP_CACHE_INVALIDATE_META_LEN},
    [NNRP_MSG_FLOW_UPDATE] = {"FLOW_UPDATE", NNRP_FLOW_UPDATE_META_LEN},
    [NNRP_MSG_RESULT_HINT] = {"RESULT_HINT", NNRP_RESULT_HINT_META_LEN},
    [NNRP_MSG_TRANSPORT_PROBE] = {"TRANSPORT_PROBE", NNRP_TRANSPORT_PROBE_META_LEN},
    [NNRP_MSG_TRANSPORT_PROBE_ACK] = {"TRANSPORT_PROBE_ACK", NNRP_TRANSPORT_PROBE_ACK_META_LEN},
    [NNRP_MSG_SESSION_MIGRATE] = {"SESSION_MIGRATE", NNRP_SESSION_MIGRATE_META_LEN},
    [NNRP_MSG_SESSION_MIGRATE_ACK] = {"SESSION_MIGRATE_ACK", NNRP_SESSION_MIGRATE_ACK_META_LEN},
    [NNRP_MSG_PING] = {"PING", 0},
    [NNRP_MSG_PONG] = {"PONG", 0},
};

static const msg_info *msg_lookup(unsigned msg_type) {
  if (msg_type >= sizeof(msg_table) / sizeof(msg_table[0])) return NULL;
  return msg_table[msg_type].name ? &msg_table[msg_type] : NULL;
}

const char *nnrp_msg_type_name(unsigned msg_type) {
  const msg_info *m = msg_lookup(msg_type);
  return m ? m->name : NULL;
}

int nnrp_msg_meta_len(unsigned msg_type) {
  const msg_info *m = msg_lookup(msg_type);
  return m ? m->meta_len : -1;
}

/* §3.3, lower-case as the specification spells them. */
static const char *const error_code_names[] = {
    NULL,
    "unsupported_version",
    "auth_failed",
    "invalid_state",
    "malformed_header",
    "malformed_body",
    "unsupported_capability",
    "limit_exceeded",
    "frame_expired",
    "frame_cancelled",
    "cache_miss",
    "server_busy",
    "internal_error",
};

const char *nnrp_error_code_name(unsigned code) {
  if (code >= sizeof(error_code_names) / sizeof(error_code_names[0])) return NULL;
  return error_code_names[code];
}
