/* Test support for the reference-server tests: a tiny libcurl client (real
 * loopback HTTP, no whopconf transport involved), a server per test, and the
 * assertions every error and user response must pass. Failures end the
 * calling test through Criterion asserts. */
#ifndef WHOPCONF_TESTS_REFSERVER_CLIENT_H
#define WHOPCONF_TESTS_REFSERVER_CLIENT_H

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "whopconf/common.h"
#include "whopconf/refserver.h"

#define TOKEN WC_REFSERVER_DEFAULT_USER_TOKEN
#define NO_SCOPE WC_REFSERVER_DEFAULT_TOKEN_WITHOUT_SCOPE
#define API_KEY WC_REFSERVER_DEFAULT_API_KEY
#define ME "/api/v1/users/me"
#define LATEST "2026-07-01"

typedef struct http_req {
  const char *method;       /* NULL = PATCH */
  const char *path;         /* from the origin; NULL = ME */
  const char *token;        /* Bearer token; NULL = no Authorization */
  const char *auth;         /* the whole Authorization value (overrides token) */
  const char *version;      /* Api-Version-Date; NULL = absent */
  bool version_empty;       /* send "Api-Version-Date:" with an empty value */
  const char *extra_header; /* one more raw header line, or NULL */
  const char *body;         /* NULL = no body (Content-Length: 0 for PATCH) */
  size_t body_len;          /* 0 = strlen(body) */
  bool chunked;             /* send the body with Transfer-Encoding: chunked */
  long timeout_ms;          /* 0 = 10 s */
} http_req;

/* A PATCH with the user token pinned to the latest version (a compound
 * literal, so &req_patch(...) works). */
#define req_patch(b) ((http_req){.token = TOKEN, .version = LATEST, .body = (b)})

typedef struct http_resp {
  CURLcode rc;
  long status;
  char *body; /* always NUL-terminated, never NULL after http_do */
  size_t len;
  char content_type[128];
  char allow[64];
  char www_authenticate[128];
  char location[256];
  bool has_content_length;
  long new_connections;
  double ms;
} http_resp;

/* One request on handle h (reused: keep-alive). origin: "http://127.0.0.1:N".
 * Free *out with http_resp_free whatever the result. */
CURLcode http_do(CURL *h, const char *origin, const http_req *rq, http_resp *out);
void http_resp_free(http_resp *r);
/* libcurl write callback appending to the body of the http_resp in ud (for
 * tests that drive a curl handle themselves). */
size_t http_body_cb(char *p, size_t sz, size_t n, void *ud);

/* A reference server for one test, with a curl handle to reach it. */
typedef struct test_srv {
  wc_refserver *srv;
  char origin[128];
  CURL *h;
} test_srv;

void srv_start_opts(test_srv *t, const wc_refserver_opts *opts);
void srv_start(test_srv *t);
/* fault: a fault name or NULL. */
/* A server with a fault and a lenient option (each NULL for none). */
void srv_start_with(test_srv *t, const char *fault, const char *lenient, bool show_balances);
void srv_start_fault(test_srv *t, const char *fault, bool show_balances);
void srv_stop(test_srv *t);

/* Names the table entry a parameterized test checks (support/params.h):
 * every assertion message of these helpers starts with "[entry] ". */
void srv_label(const char *fmt, ...) WC_PRINTF(1, 2);

/* Sends rq; the request itself must succeed (any HTTP status). */
void send_req(test_srv *t, const http_req *rq, http_resp *out);
/* The body parsed as JSON (the caller frees it). */
cJSON *json_of(const http_resp *r);
/* The string member key of obj, or NULL. */
const char *jstr(const cJSON *obj, const char *key);
/* The error envelope rules every error response of the server follows;
 * type NULL accepts any non-empty type. */
void assert_envelope(const http_resp *r, long status, const char *type);
/* Sends rq and checks it gets an envelope whose message contains
 * message_part (when given). */
void expect_error(test_srv *t, const http_req *rq, long status, const char *type, const char *message_part);
/* Sends rq, expects 200 with JSON; returns the user (caller frees). */
cJSON *expect_user(test_srv *t, const http_req *rq);
/* "id,username,..." : the member names of an object in order. */
void keys_of(const cJSON *o, char *out, size_t cap);

#endif
