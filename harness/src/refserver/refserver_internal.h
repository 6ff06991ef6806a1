/* The reference server's private parts, shared by refserver*.c only.
 *
 * refserver.c        the HTTP layer (libmicrohttpd): classification, start/stop
 * refserver_pipeline.c  decisions, update, rendering of replies
 * refserver_version.c  Api-Version-Date: known list, well-formedness, shapes
 * refserver_body.c   request body validation into an rs_update
 * refserver_state.c  users, profiles, per-account overrides, the lock
 * refserver_user.c   rendering a user view as JSON for a shape
 * refserver_faults.c the fault catalogue and its hooks
 * refserver_raw.c    the raw-socket responder behind the transport faults */
#ifndef WC_REFSERVER_INTERNAL_H
#define WC_REFSERVER_INTERNAL_H

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "whopconf/common.h"
#include "whopconf/refserver.h"

/* ---- versions and shapes ---------------------------------------------- */

/* Each shape adds fields to the one before; docs/refserver.md has the table. */
typedef enum rs_shape {
  RS_SHAPE_ORIGINAL = 0, /* absent header, 2025-01-01 */
  RS_SHAPE_VERIFICATION, /* 2026-06-08: + verification */
  RS_SHAPE_BALANCES,     /* 2026-06-09: + total_usd, balances (symbol..price_usd) */
  RS_SHAPE_ICONS,        /* 2026-06-20: + balances[].icon_url */
  RS_SHAPE_FULL          /* 2026-07-01 and any later version: the User schema */
} rs_shape;

typedef enum rs_version_class {
  RS_VER_ABSENT = 0,   /* no header: the original behaviour */
  RS_VER_KNOWN,        /* in the configured list */
  RS_VER_UNKNOWN_DATE, /* well-formed (a real day, maybe suffixed), not in the list */
  RS_VER_MALFORMED,    /* anything else, the empty value included */
  RS_VER_REPEATED,     /* the header given more than once */
  RS_VER_REQUIRED      /* absent, and a fault says that is refused */
} rs_version_class;

rs_shape rs_version_shape(const char *known_version); /* NULL = absent header */

/* ---- the request body -------------------------------------------------- */

/* One profile field of an update or an override: set or not; value NULL
 * means JSON null (only faults ever store that for name/bio). */
typedef struct rs_field {
  bool set;
  char *value;
} rs_field;

typedef struct rs_update {
  rs_field name, bio, username;
  rs_field picture_url; /* from profile_picture.id / direct_upload_id */
} rs_update;

void rs_update_free(rs_update *u);
bool rs_update_empty(const rs_update *u);
int rs_field_set(rs_field *f, const char *value); /* value may be NULL; 0 or -1 */

/* Error kinds of a body: each maps to a 400 with its own error.type. */
typedef enum rs_body_error {
  RS_BODY_OK = 0,
  RS_BODY_MISSING,   /* no bytes at all */
  RS_BODY_NOT_JSON,  /* syntax, encoding, duplicate keys, NaN, depth ... */
  RS_BODY_INVALID,   /* JSON, but not the object the schema describes */
  RS_BODY_NOMEM
} rs_body_error;

#define RS_MSG_LEN 512

/* The rules a body is held to: the defaults of docs/refserver.md, changed
 * only by the lenient options (refserver_lenient.c). */
typedef struct rs_body_rules {
  size_t name_max, bio_max; /* code points; SIZE_MAX = no limit (the default) */
  bool trim;                /* edge White_Space of name and bio is dropped */
  bool username_rules;      /* username only [a-z0-9_.] (3 to 40) */
  bool id_rules;            /* account_id and picture ids 1 to 128 of [A-Za-z0-9_-], one picture id */
  bool late_answer;         /* the answer to an update is read again after a pause */
} rs_body_rules;

void rs_body_rules_default(rs_body_rules *rules);

/* Defects of a body that is not strict JSON, for the faults that answer
 * some of them differently (bits of rs_body_seen.defects). */
enum { RS_DEFECT_SURROGATE = 1 << 0, RS_DEFECT_DUP_KEY = 1 << 1 };

/* What a parse saw besides the update: the tree (NULL unless the body is
 * JSON; the caller deletes it) and the strict parser's defects. */
typedef struct rs_body_seen {
  cJSON *json;
  unsigned defects;
} rs_body_seen;

/* Fills u (caller frees with rs_update_free, also on error) or msg; seen
 * may be NULL. */
rs_body_error rs_body_parse(const char *buf, size_t len, const rs_body_rules *rules, rs_update *u,
                            rs_body_seen *seen, char msg[RS_MSG_LEN]);
/* The schema part alone, on a parsed body (u is reset first). */
rs_body_error rs_body_from_json(const cJSON *root, const rs_body_rules *rules, rs_update *u, char msg[RS_MSG_LEN]);
/* True when a set string field holds a character outside the BMP. */
bool rs_update_has_non_bmp(const rs_update *u);
/* An id under the lenient option id-rules: 1 to 128 letters, digits, '_'
 * or '-'. */
bool rs_id_valid(const char *id);
/* True when s is valid UTF-8 (refserver_pipeline.c). */
bool rs_utf8_valid(const char *s);

/* Applies one lenient option ("trim", "max-name=50", ...) to rules;
 * 0, or -1 with err (WC_E_USAGE) for an unknown or malformed one. */
int rs_lenient_apply(const char *option, rs_body_rules *rules, wc_err *err);

/* ---- state ------------------------------------------------------------- */

enum { RS_USER_MAIN = 0, RS_USER_NO_SCOPE = 1, RS_USER_COUNT = 2 };

typedef struct rs_state rs_state;

rs_state *rs_state_new(void);
void rs_state_free(rs_state *st);

typedef struct rs_render_opts {
  rs_shape shape;
  bool show_balances;
} rs_render_opts;

/* Under the lock: applies u to the user's global profile (write_account
 * NULL) or to its override for write_account, then renders the view of
 * view_account (NULL = global). Returns the user JSON, or NULL with msg set
 * (a conflict such as a taken username: 400) or *nomem set. */
cJSON *rs_state_apply(rs_state *st, int user, const char *write_account, const char *view_account,
                      const rs_update *u, const rs_render_opts *ro, char msg[RS_MSG_LEN], bool *nomem);

/* Non-empty updates written so far to the user's override for account_id. */
unsigned rs_state_override_writes(rs_state *st, int user, const char *account_id);

/* ---- rendering (refserver_user.c) ---------------------------------------- */

typedef struct rs_balance {
  const char *symbol, *name, *balance;
  const char *value_usd;  /* NULL = no exchange rate */
  double price_usd;       /* ignored when value_usd is NULL */
  const char *icon_url;   /* may be NULL */
  const char *available, *pending, *reserve;
} rs_balance;

typedef struct rs_view {
  const char *id, *created_at, *username;
  const char *name, *bio, *picture_url;        /* NULL = null */
  const char *kyc_status, *kyb_status;         /* NULL = null */
  const rs_balance *balances;
  size_t balance_count;
} rs_view;

cJSON *rs_render_user(const rs_view *v, const rs_render_opts *ro);
/* Sum of the non-null value_usd, to the cent, as "1234.56"; false if none. */
bool rs_total_usd(const rs_balance *b, size_t n, char out[32]);

/* ---- the exchange: one request travelling through the pipeline --------- */

typedef enum rs_route { RS_ROUTE_OK = 0, RS_ROUTE_NOT_FOUND, RS_ROUTE_METHOD } rs_route;

typedef enum rs_cred {
  RS_CRED_MISSING = 0, /* no Authorization header */
  RS_CRED_MALFORMED,   /* not "Bearer <token>" */
  RS_CRED_UNKNOWN,     /* a token nobody issued */
  RS_CRED_USER,        /* user token with user:profile:update */
  RS_CRED_NO_SCOPE,    /* user token without that scope */
  RS_CRED_API_KEY
} rs_cred;

typedef struct rs_server rs_server;

typedef struct rs_reply {
  unsigned status;
  const char *content_type; /* NULL: no Content-Type header */
  char error_type[48];      /* for error replies, before rendering */
  char error_message[RS_MSG_LEN];
  cJSON *user;              /* for 200, before serialising */
  wc_buf body;              /* the bytes sent */
  bool www_authenticate;    /* 401: WWW-Authenticate: Bearer */
  bool allow;               /* 405: Allow: PATCH */
  const char *location;     /* a redirect */
  unsigned delay_ms;
} rs_reply;

typedef struct rs_exchange {
  rs_server *srv;
  char method[16];
  char *path;
  rs_route route;
  /* Api-Version-Date */
  char *version; /* NULL when absent */
  rs_version_class ver_class;
  rs_shape shape;
  /* credentials */
  rs_cred cred;
  int user; /* RS_USER_* for the user credentials */
  /* account_id query parameter */
  char *account_id;
  bool account_id_bad;
  /* body */
  wc_buf body;
  bool body_too_large;
  rs_body_error body_error;
  char body_msg[RS_MSG_LEN]; /* why the body was refused */
  rs_body_seen body_seen;    /* the parsed tree and defects, for faults */
  char *account_id_refused;  /* the account_id value refused as bad */
  rs_update update;
  char *write_account; /* where the update goes (faults may move it) */
  rs_reply reply;
  bool queued;
  double t0_ms;
} rs_exchange;

/* Sets an error reply (type and printf message; invalid UTF-8 becomes '?'). */
void rs_reply_error(rs_reply *r, unsigned status, const char *type, const char *fmt, ...) WC_PRINTF(4, 5);
/* Replaces a rendered reply by a 500 with an error envelope (for faults
 * that crash after the decision). */
void rs_reply_internal_error(rs_reply *r);
/* Printable ASCII as is, other bytes as \xNN, cut with "..." to fit cap. */
void rs_printable(const char *in, char *out, size_t cap);

/* The pipeline (refserver_pipeline.c), called by the HTTP layer: */
/* Route, version, credentials, account_id; true when x->reply is decided. */
bool rs_decide_headers(rs_exchange *x);
void rs_reply_too_large(rs_exchange *x);
/* The body, the update and the rendered user (or the error). */
void rs_decide_body(rs_exchange *x);
/* Renders the decided reply into bytes and runs the reply hooks. */
void rs_finish_reply(rs_exchange *x);

/* ---- the server --------------------------------------------------------- */

typedef struct rs_fault_def rs_fault_def;
typedef struct rs_raw rs_raw;

struct rs_server {
  /* configuration (owned copies) */
  char *host, *prefix, *user_token, *token_without_scope, *api_key;
  char **known_versions;
  size_t known_version_count;
  char *supported_list; /* "2025-01-01, 2026-06-08, ..." */
  const rs_fault_def **faults;
  size_t fault_count;
  const rs_fault_def *transport_fault;
  size_t max_body;
  rs_body_rules body_rules;
  bool show_balances;
  void (*log)(void *ctx, const char *line);
  void *log_ctx;
  /* runtime */
  rs_state *state;
  struct MHD_Daemon *daemon;
  rs_raw *raw;
  int listen_fd;
  unsigned short port;
  char base_url[160];
  pthread_mutex_t log_lock;
  pthread_mutex_t stop_lock;
  pthread_cond_t stop_cond;
  bool stopping;
  char *canned_user; /* the latest-shape user as bytes, for the raw responder */
};

/* Waits ms milliseconds or until the server stops; false when stopping. */
bool rs_server_sleep(rs_server *srv, unsigned ms);
bool rs_server_stopping(rs_server *srv);
void rs_server_logf(rs_server *srv, const char *fmt, ...) WC_PRINTF(2, 3);

/* ---- faults ------------------------------------------------------------- */

enum {
  RS_FAULT_SHOWS_BALANCES = 1 << 0, /* the violation needs balances in the reply */
  RS_FAULT_ID_RULES = 1 << 1,       /* it breaks the reply to a refused id: implies --lenient id-rules */
};

/* The raw responder calls this with a connected socket whose request has
 * been read; it owns nothing and must return within RS_RAW_BUDGET_MS or when
 * the peer leaves or the server stops. */
typedef struct rs_raw_conn {
  rs_server *srv;
  int fd;
  double deadline_ms;
} rs_raw_conn;

#define RS_RAW_BUDGET_MS 30000.0

typedef void (*rs_raw_fn)(rs_raw_conn *c);

/* A fault: one table entry with the hooks it needs (NULL = not involved).
 * Hooks run in pipeline order:
 *   request: after the request is classified (route, version, credentials),
 *            before the server decides; a fault may misclassify.
 *   body:    after the body is parsed (x->body_error, x->update, x->reply
 *            when it is already an error).
 *   update:  before the update is applied (may change x->update or
 *            x->write_account).
 *   user:    on the rendered user (a 200).
 *   error:   on an error envelope {"error": {...}}.
 *   reply:   last, on the status, headers and serialised bytes. */
struct rs_fault_def {
  wc_fault_info info;
  unsigned flags;
  const char *also_breaks; /* requirement ids this fault cannot help breaking too */
  void (*request)(rs_exchange *x);
  void (*body)(rs_exchange *x);
  void (*update)(rs_exchange *x);
  void (*user)(rs_exchange *x, cJSON *user);
  void (*error)(rs_exchange *x, cJSON *envelope);
  void (*reply)(rs_exchange *x);
  rs_raw_fn raw;
};

const rs_fault_def *rs_fault_def_find(const char *name);

/* The narrow faults' hooks (refserver_narrow.c), listed in the table of
 * refserver_faults.c with kind "narrow". */
void rs_narrow_name_over_64_truncated(rs_exchange *x);
void rs_narrow_bio_over_255_error(rs_exchange *x);
void rs_narrow_zwj_dropped(rs_exchange *x);
void rs_narrow_bio_cr_422(rs_exchange *x);
void rs_narrow_nbsp_replaced(rs_exchange *x);
void rs_narrow_name_bio_angle_error(rs_exchange *x);
void rs_narrow_account_id_percent_error(rs_exchange *x);
void rs_narrow_account_id_empty_plain(rs_exchange *x);
void rs_narrow_picture_both_ids_error(rs_exchange *x);
void rs_narrow_bio_array_accepted(rs_exchange *x);
void rs_narrow_name_negative_zero_accepted(rs_exchange *x);
void rs_narrow_third_override_write_leaks(rs_exchange *x);
void rs_narrow_uppercase_username_lowered(rs_exchange *x, cJSON *user);
void rs_narrow_lone_surrogate_empty_message(rs_exchange *x, cJSON *envelope);
void rs_narrow_duplicate_key_html(rs_exchange *x);

void rs_faults_request(rs_exchange *x);
void rs_faults_body(rs_exchange *x);
void rs_faults_update(rs_exchange *x);
void rs_faults_user(rs_exchange *x, cJSON *user);
void rs_faults_error(rs_exchange *x, cJSON *envelope);
void rs_faults_reply(rs_exchange *x);

/* ---- the raw responder (refserver_raw.c) --------------------------------- */

rs_raw *rs_raw_start(rs_server *srv, int listen_fd, rs_raw_fn fn, const char *name, wc_err *err);
void rs_raw_stop(rs_raw *raw);

void rs_raw_slow_drip(rs_raw_conn *c);
void rs_raw_endless_chunked(rs_raw_conn *c);
void rs_raw_oversized_body(rs_raw_conn *c);
void rs_raw_deep_nesting(rs_raw_conn *c);
void rs_raw_truncated_body(rs_raw_conn *c);
void rs_raw_reset(rs_raw_conn *c);
void rs_raw_silence(rs_raw_conn *c);
void rs_raw_malformed_status(rs_raw_conn *c);

#endif
