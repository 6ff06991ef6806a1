/* The reference server over real loopback HTTP: versions, credentials,
 * routes, check order, shapes, lifecycle. Bodies, overrides and balances are
 * in test_refserver_body.c; faults, transport, load and the CLI each have
 * their own file. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/params.h"
#include "support/refserver_client.h"
#include "whopconf/catalog.h"
#include "whopconf/versions.h"

static test_srv T;
static void up(void) { srv_start(&T); }
static void down(void) { srv_stop(&T); }

#define SUPPORTED "Supported versions: 2025-01-01, 2026-06-08, 2026-06-09, 2026-06-20, 2026-07-01"

static void expect_version_refused(const char *value) {
  srv_label("%.60s", value);
  http_req rq = req_patch("{}");
  rq.version = value;
  http_resp r;
  send_req(&T, &rq, &r);
  assert_envelope(&r, 400, "invalid_api_version");
  cr_assert(strstr(r.body, SUPPORTED), "%.60s: message must list the supported versions: %s", value, r.body);
  http_resp_free(&r);
}

/* ---- Api-Version-Date ---------------------------------------------------- */

Test(versions, absent_gets_the_original_shape, .init = up, .fini = down) {
  http_req rq = req_patch("{}");
  rq.version = NULL;
  cJSON *u = expect_user(&T, &rq);
  char keys[256];
  keys_of(u, keys, sizeof keys);
  cr_assert_str_eq(keys, "id,username,name,bio,created_at,profile_picture");
  cJSON_Delete(u);
}

Test(versions, each_known_version_has_its_shape, .init = up, .fini = down) {
  static const char *const expected[] = {
      "id,username,name,bio,created_at,profile_picture",
      "id,username,name,bio,created_at,profile_picture,verification",
      "id,username,name,bio,created_at,profile_picture,total_usd,balances,verification",
      "id,username,name,bio,created_at,profile_picture,total_usd,balances,verification",
      "id,username,name,bio,created_at,profile_picture,total_usd,balances,verification",
  };
  cr_assert_eq(wc_default_version_count(), 5);
  for (size_t i = 0; i < wc_default_version_count(); i++) {
    http_req rq = req_patch("{}");
    rq.version = wc_default_version(i);
    cJSON *u = expect_user(&T, &rq);
    char keys[256];
    keys_of(u, keys, sizeof keys);
    cr_assert_str_eq(keys, expected[i], "%s: %s", rq.version, keys);
    cr_assert(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(u, "id")));
    cJSON_Delete(u);
  }
  cr_assert_str_eq(wc_default_version(4), LATEST);
  cr_assert_null(wc_default_version(5));
}

static const char *const unknown_dates[] = {
    "2024-12-31", "1999-01-01", "2025-01-02", /* past */
    "2026-06-10", "2026-06-30",               /* between known versions */
    "2026-07-20", "2099-01-01",               /* future; the SDK's version */
    "2026-07-08-1", "2026-07-01-1",           /* suffixed */
    "2024-02-29",                             /* a leap day */
};
TABLE_PARAMETERS(versions, unknown_date_is_refused_with_the_list, unknown_dates)
ParameterizedTest(const size_t *i, versions, unknown_date_is_refused_with_the_list, .init = up, .fini = down) {
  expect_version_refused(unknown_dates[*i]);
}

Test(versions, unknown_date_message_names_the_value, .init = up, .fini = down) {
  http_req rq = req_patch("{}");
  rq.version = "2026-07-20";
  expect_error(&T, &rq, 400, "invalid_api_version", "Unsupported Api-Version-Date \"2026-07-20\". " SUPPORTED);
}

static const char *const malformed_versions[] = {
    "not-a-date", "2026- 07-01", "2026-07 -01", "2026-07-01T00:00:00Z", "2026-07-01 00:00",
    "\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x96-07-01", "2026-07-01\xc3\xa9", "2026/07/01", "20260701",
    "2026-13-01", "2026-02-30", "2025-02-29", "2026-7-1", "2026-07-01-", "2026-07-01-x", "2026-07-01-12345",
    "v2026-07-01", "latest", "0000-00-00",
};
TABLE_PARAMETERS(versions, malformed_value_is_refused_with_the_list, malformed_versions)
ParameterizedTest(const size_t *i, versions, malformed_value_is_refused_with_the_list, .init = up, .fini = down) {
  expect_version_refused(malformed_versions[*i]);
}

Test(versions, long_and_empty_values_are_refused, .init = up, .fini = down) {
  char very_long[5001];
  memset(very_long, '7', 5000);
  very_long[5000] = '\0';
  expect_version_refused(very_long);
  http_req rq = req_patch("{}");
  rq.version_empty = true;
  expect_error(&T, &rq, 400, "invalid_api_version", "empty value");
}

Test(versions, message_never_carries_raw_bytes, .init = up, .fini = down) {
  http_req rq = req_patch("{}");
  rq.version = "2026-07-01\xff\xfe";
  http_resp r;
  send_req(&T, &rq, &r);
  assert_envelope(&r, 400, "invalid_api_version");
  cr_assert(strstr(r.body, "2026-07-01\\\\xFF\\\\xFE"), "%s", r.body);
  for (size_t i = 0; i < r.len; i++) cr_assert((unsigned char)r.body[i] < 0x80);
  http_resp_free(&r);
}

Test(versions, repeated_header_is_refused, .init = up, .fini = down) {
  http_req rq = req_patch("{}");
  rq.extra_header = "Api-Version-Date: 2026-07-01";
  expect_error(&T, &rq, 400, "invalid_api_version", "more than once");
}

Test(versions, surrounding_whitespace_is_not_part_of_the_value, .init = up, .fini = down) {
  http_req rq = req_patch("{}");
  rq.version = "  2026-07-01  ";
  cJSON *u = expect_user(&T, &rq);
  cr_assert_not_null(cJSON_GetObjectItemCaseSensitive(u, "verification"));
  cJSON_Delete(u);
}

Test(versions, configured_list_replaces_the_default) {
  wc_refserver_opts o;
  wc_refserver_opts_default(&o);
  const char *known[] = {"2025-01-01", "2026-07-01", "2026-07-08-1", "2026-07-20"};
  o.known_versions = known;
  o.known_version_count = 4;
  srv_start_opts(&T, &o);
  const char *accepted[] = {"2026-07-20", "2026-07-08-1", "2025-01-01"};
  for (size_t i = 0; i < 3; i++) {
    http_req rq = req_patch("{}");
    rq.version = accepted[i];
    cJSON *u = expect_user(&T, &rq);
    bool full = i < 2;
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(u, "balances") != NULL, full, "%s", accepted[i]);
    cJSON_Delete(u);
  }
  http_req rq = req_patch("{}");
  rq.version = "2026-06-08"; /* a default, not configured here */
  expect_error(&T, &rq, 400, "invalid_api_version",
               "Supported versions: 2025-01-01, 2026-07-01, 2026-07-08-1, 2026-07-20");
  srv_stop(&T);
}

/* ---- credentials ------------------------------------------------------------ */

static void expect_401(const http_req *rq) {
  http_resp r;
  send_req(&T, rq, &r);
  assert_envelope(&r, 401, "unauthorized");
  cr_assert(strncmp(r.www_authenticate, "Bearer", 6) == 0, "WWW-Authenticate: %s", r.www_authenticate);
  http_resp_free(&r);
}

Test(credentials, missing_gets_401, .init = up, .fini = down) {
  http_req rq = req_patch("{}");
  rq.token = NULL;
  expect_401(&rq);
}

static const char *const refused_authorizations[] = {
    "Basic d2M6d2M=", "Bearer", "Bearer ", "Token " TOKEN, "Bearer a b", TOKEN,
    "Bearer " TOKEN "x", "Bearer wc_unknown_token_0001"};
TABLE_PARAMETERS(credentials, malformed_or_unknown_gets_401, refused_authorizations)
ParameterizedTest(const size_t *i, credentials, malformed_or_unknown_gets_401, .init = up, .fini = down) {
  http_req rq = req_patch("{}");
  rq.auth = refused_authorizations[*i];
  srv_label("Authorization: %s", rq.auth);
  expect_401(&rq);
}

Test(credentials, scheme_is_case_insensitive, .init = up, .fini = down) {
  http_req rq = req_patch("{}");
  rq.auth = "bearer " TOKEN;
  cJSON_Delete(expect_user(&T, &rq));
  rq.auth = "BEARER   " TOKEN;
  cJSON_Delete(expect_user(&T, &rq));
}

Test(credentials, token_without_scope_gets_403_and_changes_nothing, .init = up, .fini = down) {
  http_req rq = req_patch("{\"name\": \"Mallory\"}");
  rq.token = NO_SCOPE;
  expect_error(&T, &rq, 403, "forbidden", "user:profile:update");
  cJSON *u = expect_user(&T, &(http_req){.token = TOKEN, .version = LATEST, .body = "{}"});
  cr_assert_str_eq(jstr(u, "name"), "Ada Lovelace");
  cJSON_Delete(u);
}

Test(credentials, api_key_gets_400_global_and_per_account, .init = up, .fini = down) {
  http_req rq = req_patch("{\"name\": \"Key\"}");
  rq.token = API_KEY;
  expect_error(&T, &rq, 400, "invalid_parameters", "API keys cannot update a global profile");
  rq.path = ME "?account_id=biz_123";
  expect_error(&T, &rq, 400, "invalid_parameters", "API keys cannot update");
  cJSON *u = expect_user(&T, &(http_req){.token = TOKEN, .version = LATEST, .body = "{}"});
  cr_assert_str_eq(jstr(u, "name"), "Ada Lovelace");
  cJSON_Delete(u);
}

Test(credentials, custom_credentials) {
  wc_refserver_opts o;
  wc_refserver_opts_default(&o);
  o.user_token = "tok_custom";
  o.token_without_scope = "tok_noscope";
  o.api_key = "key_custom";
  srv_start_opts(&T, &o);
  cJSON_Delete(expect_user(&T, &(http_req){.token = "tok_custom", .version = LATEST, .body = "{}"}));
  expect_401(&(http_req){.token = TOKEN, .version = LATEST, .body = "{}"});
  expect_error(&T, &(http_req){.token = "tok_noscope", .version = LATEST, .body = "{}"}, 403, "forbidden", NULL);
  expect_error(&T, &(http_req){.token = "key_custom", .version = LATEST, .body = "{}"}, 400, NULL, "API keys");
  srv_stop(&T);
}

Test(credentials, each_user_token_acts_for_its_user, .init = up, .fini = down) {
  cJSON *main_user = expect_user(&T, &req_patch("{}"));
  cr_assert_str_eq(jstr(main_user, "id"), "user_Vq7Zp3KxR2mN8");
  cr_assert_str_eq(jstr(main_user, "created_at"), "2023-04-05T10:11:12.000Z");
  cJSON_Delete(main_user);
}

Test(credentials, tokens_never_echoed, .init = up, .fini = down) {
  const char *tokens[] = {TOKEN, NO_SCOPE, API_KEY, "secret_unknown_token"};
  for (size_t i = 0; i < 4; i++) {
    http_req rq = req_patch("not json");
    rq.token = tokens[i];
    http_resp r;
    send_req(&T, &rq, &r);
    cr_assert_null(strstr(r.body, tokens[i]), "%s", r.body);
    http_resp_free(&r);
  }
}

/* ---- routes and order ------------------------------------------------------- */

static const char *const other_paths[] = {"/",        "/users/me",          "/api/v1/users/you",
                                          "/api/v1/users/me/", "/api/v2/users/me", "/api/v1/users/me/extra",
                                          "/api/v1/USERS/me"};
TABLE_PARAMETERS(routes, other_path_gets_404, other_paths)
ParameterizedTest(const size_t *i, routes, other_path_gets_404, .init = up, .fini = down) {
  http_req rq = req_patch("{}");
  rq.path = other_paths[*i];
  srv_label("PATCH %s", rq.path);
  expect_error(&T, &rq, 404, "not_found", NULL);
  rq.method = "GET";
  rq.body = NULL;
  srv_label("GET %s", rq.path);
  expect_error(&T, &rq, 404, "not_found", NULL);
}

Test(routes, query_string_is_not_part_of_the_path, .init = up, .fini = down) {
  http_req rq = req_patch("{}");
  rq.path = ME "?unrelated=1";
  cJSON_Delete(expect_user(&T, &rq));
}

static const char *const other_methods[] = {"GET", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PROPFIND"};
TABLE_PARAMETERS(routes, other_method_gets_405_with_allow, other_methods)
ParameterizedTest(const size_t *i, routes, other_method_gets_405_with_allow, .init = up, .fini = down) {
  const char *method = other_methods[*i];
  srv_label("%s", method);
  http_req rq = req_patch(strcmp(method, "GET") == 0 ? NULL : "{}");
  rq.method = method;
  http_resp r;
  send_req(&T, &rq, &r);
  assert_envelope(&r, 405, "method_not_allowed");
  cr_assert_str_eq(r.allow, "PATCH", "%s: Allow %s", method, r.allow);
  http_resp_free(&r);
}

Test(routes, head_gets_405_with_allow, .init = up, .fini = down) {
  http_req rq = req_patch(NULL);
  rq.method = "HEAD";
  http_resp r;
  send_req(&T, &rq, &r);
  cr_assert_eq(r.status, 405);
  cr_assert_str_eq(r.allow, "PATCH");
  http_resp_free(&r);
}

Test(routes, check_order_is_route_version_auth_body, .init = up, .fini = down) {
  /* 404 and 405 before anything else */
  expect_error(&T, &(http_req){.path = "/nope", .version = "bad", .body = "x"}, 404, NULL, NULL);
  expect_error(&T, &(http_req){.method = "POST", .version = "bad", .body = "x"}, 405, NULL, NULL);
  /* version before credentials */
  expect_error(&T, &(http_req){.version = "bad", .body = "x"}, 400, "invalid_api_version", NULL);
  /* credentials before the body */
  expect_error(&T, &(http_req){.version = LATEST, .body = "x"}, 401, NULL, NULL);
  expect_error(&T, &(http_req){.token = NO_SCOPE, .version = LATEST, .body = "x"}, 403, NULL, NULL);
  /* account_id (not UTF-8: not a string) before the body */
  expect_error(&T, &(http_req){.token = TOKEN, .version = LATEST, .path = ME "?account_id=%FF", .body = "x"}, 400,
               "invalid_parameters", "account_id");
  /* then the body */
  expect_error(&T, &(http_req){.token = TOKEN, .version = LATEST, .body = "x"}, 400, "invalid_json", NULL);
}

Test(routes, keep_alive_reuses_the_connection, .init = up, .fini = down) {
  http_resp r;
  send_req(&T, &(http_req){.token = TOKEN, .version = LATEST, .body = "{}"}, &r);
  cr_assert_eq(r.new_connections, 1);
  http_resp_free(&r);
  for (int i = 0; i < 5; i++) {
    send_req(&T, &(http_req){.token = TOKEN, .version = LATEST, .body = "{\"bio\": \"again\"}"}, &r);
    cr_assert_eq(r.status, 200);
    cr_assert_eq(r.new_connections, 0, "request %d opened a new connection", i);
    http_resp_free(&r);
  }
  /* errors keep the connection too, whatever decided them */
  const http_req errors[] = {
      {.token = TOKEN, .version = LATEST, .body = "[1]"},
      {.token = NULL, .version = LATEST, .body = "{\"name\": \"x\"}"},
      {.token = TOKEN, .version = "bad", .body = "{}"},
      {.method = "GET", .token = TOKEN, .version = LATEST},
      {.path = "/nope", .token = TOKEN, .version = LATEST, .body = "{}"},
  };
  for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
    send_req(&T, &errors[i], &r);
    cr_assert_geq(r.status, 400);
    http_resp_free(&r);
    send_req(&T, &(http_req){.token = TOKEN, .version = LATEST, .body = "{}"}, &r);
    cr_assert_eq(r.new_connections, 0, "error %zu closed the connection", i);
    http_resp_free(&r);
  }
}

/* ---- lifecycle ----------------------------------------------------------------- */

static int open_fds(void) {
  int n = 0;
  DIR *d = opendir("/proc/self/fd");
  if (!d) return -1;
  while (readdir(d)) n++;
  closedir(d);
  return n;
}

Test(lifecycle, start_stop_releases_everything) {
  /* warm up curl/MHD one-time allocations */
  srv_start(&T);
  cJSON_Delete(expect_user(&T, &req_patch("{}")));
  srv_stop(&T);
  int before = open_fds();
  for (int i = 0; i < 5; i++) {
    srv_start(&T);
    cJSON_Delete(expect_user(&T, &req_patch("{}")));
    srv_stop(&T);
  }
  cr_assert_eq(open_fds(), before, "file descriptors leaked");
}

Test(lifecycle, base_url_and_port) {
  srv_start(&T);
  char expected[128];
  snprintf(expected, sizeof expected, "http://127.0.0.1:%u/api/v1", wc_refserver_port(T.srv));
  cr_assert_str_eq(wc_refserver_base_url(T.srv), expected);
  cr_assert_neq(wc_refserver_port(T.srv), 0);
  srv_stop(&T);
}

Test(lifecycle, ipv6_loopback) {
  wc_refserver_opts o;
  wc_refserver_opts_default(&o);
  o.host = "::1";
  wc_err err;
  wc_refserver *s = wc_refserver_start(&o, &err);
  if (!s) cr_skip_test("no IPv6 loopback here: %s", err.msg);
  char expected[128];
  snprintf(expected, sizeof expected, "http://[::1]:%u/api/v1", wc_refserver_port(s));
  cr_assert_str_eq(wc_refserver_base_url(s), expected);
  CURL *h = curl_easy_init();
  char origin[64];
  snprintf(origin, sizeof origin, "http://[::1]:%u", wc_refserver_port(s));
  http_resp r;
  cr_assert_eq(http_do(h, origin, &req_patch("{}"), &r), CURLE_OK);
  cr_assert_eq(r.status, 200);
  http_resp_free(&r);
  curl_easy_cleanup(h);
  wc_refserver_stop(s);
}

Test(lifecycle, refuses_non_loopback_unless_allowed) {
  wc_refserver_opts o;
  wc_refserver_opts_default(&o);
  o.host = "0.0.0.0";
  wc_err err;
  cr_assert_null(wc_refserver_start(&o, &err));
  cr_assert_eq(err.code, WC_E_REFUSED);
  cr_assert(strstr(err.msg, "non-loopback"), "%s", err.msg);
  o.host = "localhost";
  wc_refserver *s = wc_refserver_start(&o, &err);
  cr_assert_not_null(s, "%s", err.msg);
  wc_refserver_stop(s);
}

Test(lifecycle, bad_options_are_errors) {
  wc_refserver_opts o;
  wc_err err;
  const char *unknown[] = {"no-such-fault"};
  const char *two_transport[] = {"silence", "reset"};
  const char *mixed[] = {"silence", "id-no-prefix"};
  const char *empty_version[] = {""};
  struct {
    const char *const *faults;
    size_t nf;
    const char *const *versions;
    size_t nv;
    const char *token;
  } cases[] = {
      {unknown, 1, NULL, 0, NULL},       {two_transport, 2, NULL, 0, NULL}, {mixed, 2, NULL, 0, NULL},
      {NULL, 0, empty_version, 1, NULL}, {NULL, 0, empty_version, 0, NULL}, {NULL, 0, NULL, 0, API_KEY},
      {NULL, 0, NULL, 0, ""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wc_refserver_opts_default(&o);
    o.faults = cases[i].faults;
    o.fault_count = cases[i].nf;
    o.known_versions = cases[i].versions;
    o.known_version_count = cases[i].nv;
    if (cases[i].token) o.user_token = cases[i].token;
    cr_assert_null(wc_refserver_start(&o, &err), "case %zu started", i);
    cr_assert_eq(err.code, WC_E_USAGE, "case %zu: %s", i, err.msg);
  }
  /* a port in use */
  srv_start(&T);
  wc_refserver_opts_default(&o);
  o.port = wc_refserver_port(T.srv);
  cr_assert_null(wc_refserver_start(&o, &err));
  cr_assert_eq(err.code, WC_E_IO, "%s", err.msg);
  srv_stop(&T);
}

static void *slow_client(void *arg) {
  test_srv *t = arg;
  CURL *h = curl_easy_init();
  http_resp r;
  http_req rq = {.token = TOKEN, .body = "{}"}; /* unversioned: the slow path */
  http_do(h, t->origin, &rq, &r);
  http_resp_free(&r);
  curl_easy_cleanup(h);
  return NULL;
}

Test(lifecycle, stop_is_prompt_with_a_request_in_flight) {
  srv_start_fault(&T, "slow-response", false);
  pthread_t th;
  pthread_create(&th, NULL, slow_client, &T);
  usleep(200 * 1000);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  srv_stop(&T);
  clock_gettime(CLOCK_MONOTONIC, &b);
  double ms = (double)(b.tv_sec - a.tv_sec) * 1000.0 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
  pthread_join(th, NULL);
  cr_assert_lt(ms, 1000.0, "stop took %.0f ms", ms);
}

typedef struct log_sink {
  pthread_mutex_t lock;
  char text[8192];
  int lines;
} log_sink;

static void sink_log(void *ctx, const char *line) {
  log_sink *s = ctx;
  pthread_mutex_lock(&s->lock);
  strncat(s->text, line, sizeof s->text - strlen(s->text) - 2);
  strcat(s->text, "\n");
  s->lines++;
  pthread_mutex_unlock(&s->lock);
}

Test(lifecycle, one_log_line_per_request_without_tokens) {
  log_sink sink = {.lock = PTHREAD_MUTEX_INITIALIZER};
  wc_refserver_opts o;
  wc_refserver_opts_default(&o);
  o.log = sink_log;
  o.log_ctx = &sink;
  srv_start_opts(&T, &o);
  cJSON_Delete(expect_user(&T, &req_patch("{}")));
  expect_error(&T, &(http_req){.token = API_KEY, .version = LATEST, .body = "{}"}, 400, NULL, NULL);
  expect_error(&T, &(http_req){.method = "GET", .path = "/x%01y", .token = NO_SCOPE}, 404, NULL, NULL);
  srv_stop(&T);
  cr_assert_eq(sink.lines, 3, "%s", sink.text);
  cr_assert(strstr(sink.text, "PATCH /api/v1/users/me 200 "), "%s", sink.text);
  cr_assert(strstr(sink.text, "PATCH /api/v1/users/me 400 "), "%s", sink.text);
  cr_assert(strstr(sink.text, "GET /x\\x01y 404 "), "%s", sink.text);
  cr_assert_null(strstr(sink.text, TOKEN));
  cr_assert_null(strstr(sink.text, API_KEY));
  cr_assert_null(strstr(sink.text, NO_SCOPE));
}

/* ---- the fault catalogue itself -------------------------------------------------- */

Test(catalogue, faults_declare_known_requirements) {
  size_t conformance = 0, transport = 0, narrow = 0;
  cr_assert_geq(wc_fault_count(), 25);
  for (size_t i = 0; i < wc_fault_count(); i++) {
    const wc_fault_info *f = wc_fault_get(i);
    cr_assert(f->name && *f->name && f->description && *f->description);
    cr_assert_eq(wc_fault_find(f->name), f);
    for (size_t j = 0; j < i; j++) cr_assert_str_neq(wc_fault_get(j)->name, f->name);
    if (strcmp(f->kind, "conformance") == 0 || strcmp(f->kind, "narrow") == 0) {
      *(strcmp(f->kind, "narrow") == 0 ? &narrow : &conformance) += 1;
      cr_assert_not_null(wc_catalog_find(f->requirement), "%s: %s", f->name, f->requirement);
    } else {
      cr_assert_str_eq(f->kind, "transport");
      cr_assert_null(f->requirement);
      transport++;
    }
    const char *also = wc_fault_also_breaks(f);
    char ids[128];
    snprintf(ids, sizeof ids, "%s", also ? also : "");
    for (char *id = strtok(ids, ","); id; id = strtok(NULL, ","))
      cr_assert_not_null(wc_catalog_find(id), "%s also breaks %s", f->name, id);
  }
  cr_assert_geq(conformance, 25);
  cr_assert_eq(transport, 8);
  cr_assert_geq(narrow, 12);
  cr_assert_null(wc_fault_get(wc_fault_count()));
  cr_assert_null(wc_fault_find("nope"));
  cr_assert_null(wc_fault_find(NULL));
}

/* Every requirement the conformance cases can observe has a fault. */
Test(catalogue, every_requirement_has_a_fault) {
  for (size_t i = 0; i < wc_catalog_count(); i++) {
    const wc_requirement *req = wc_catalog_get(i);
    if (wc_requirement_is_client(req)) continue; /* judged on client traffic, not on a server */
    bool covered = false;
    for (size_t j = 0; j < wc_fault_count() && !covered; j++) {
      const wc_fault_info *f = wc_fault_get(j);
      covered = f->requirement && strcmp(f->requirement, req->id) == 0;
    }
    cr_assert(covered, "no fault breaks %s", req->id);
  }
}
