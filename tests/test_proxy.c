/* The validating proxy's forwarding, over real loopback HTTP: what reaches
 * the upstream (method, target, fields, body; hop-by-hop fields dropped) and
 * what reaches the client (the upstream's response unchanged). */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/proxy_support.h"

Test(proxy, prints_a_base_url_with_the_upstream_prefix) {
  char origin[128];
  wc_proxy *p = proxy_start("http://127.0.0.1:9/api/v1/", NULL, origin);
  char want[160];
  snprintf(want, sizeof want, "%s/api/v1", origin);
  cr_expect_str_eq(wc_proxy_base_url(p), want);
  wc_proxy_free(p);
}

Test(proxy, refuses_unusable_upstreams_and_remote_listeners) {
  static const char *const bad[] = {"", "ftp://127.0.0.1/x", "http://user:pw@127.0.0.1/api/v1",
                                    "http://127.0.0.1/api/v1?x=1", "http://example.com/api/v1"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    wc_proxy_opts o;
    wc_proxy_opts_default(&o);
    o.upstream = bad[i];
    wc_err err;
    wc_proxy *p = wc_proxy_start(&o, &err);
    cr_expect_null(p, "accepted upstream %s", bad[i]);
    cr_expect(strstr(err.msg, "pw") == NULL, "the message quotes the password: %s", err.msg);
    wc_proxy_free(p);
  }
  wc_proxy_opts o;
  wc_proxy_opts_default(&o);
  o.upstream = "http://127.0.0.1:9/api/v1";
  o.host = "0.0.0.0";
  wc_err err;
  cr_expect_null(wc_proxy_start(&o, &err), "listened on 0.0.0.0 without allow_non_loopback");
  cr_expect_eq(err.code, WC_E_REFUSED);
}

Test(proxy, forwards_method_target_fields_and_body_without_hop_by_hop_fields) {
  proxied px = proxied_start(HS_ECHO, NULL, NULL);
  hs_server *up = px.up;
  const char *origin = px.origin;
  CURL *h = curl_easy_init();
  http_resp r;
  http_req rq = {.method = "PUT",
                 .path = "/api/v1/a%2Fb/c?x=%41&y=&z=1+2",
                 .token = "tok_secret_1234",
                 .extra_header = "Connection: X-Drop-Me",
                 .body = "{\"name\":\"\\u00e9\"}\x01"};
  /* More fields than http_do sends: one hop-by-hop field of each kind. */
  http_do(h, origin, &rq, &r);
  cr_assert_eq(r.rc, CURLE_OK);
  http_resp_free(&r);
  curl_easy_cleanup(h);

  char *log = hs_log_copy(up, NULL);
  cr_expect(hs_log_contains(up, "PUT /api/v1/a%2Fb/c?x=%41&y=&z=1+2 HTTP/1.1\r\n"), "target changed: %s", log);
  free(log);
  cr_expect(hs_log_contains(up, "Authorization: Bearer tok_secret_1234\r\n"), "credential not passed through");
  cr_expect(hs_log_contains(up, "Content-Type: application/json\r\n"));
  cr_expect(hs_log_contains(up, "\r\n\r\n{\"name\":\"\\u00e9\"}\x01"), "body changed");
  cr_expect(hs_log_contains(up, "Content-Length: 18\r\n"));
  char host[64];
  snprintf(host, sizeof host, "Host: 127.0.0.1:%u\r\n", hs_port(up));
  cr_expect(hs_log_contains(up, host), "Host is the upstream's");
  cr_expect(!hs_log_contains(up, "X-Drop-Me"), "a field named by Connection was forwarded");
  cr_expect(!hs_log_contains(up, "Connection:"), "Connection was forwarded");
  cr_expect(!hs_log_contains(up, "Expect:"));
  cr_expect(hs_log_contains(up, "Accept: */*\r\n"), "the client's Accept was not passed through");
  proxied_end(&px);
}

/* Every hop-by-hop field of RFC 9110 7.6.1, sent by a raw client. */
Test(proxy, drops_every_hop_by_hop_request_field) {
  proxied px = proxied_start(HS_OK, NULL, NULL);
  hs_server *up = px.up;
  const char *origin = px.origin;
  CURL *h = curl_easy_init();
  struct curl_slist *f = NULL;
  static const char *const fields[] = {"Connection: close, X-Named", "X-Named: 1", "Keep-Alive: timeout=5",
                                       "Proxy-Connection: keep-alive", "TE: trailers", "Trailer: X-Sum",
                                       "Upgrade: h2c", "Proxy-Authorization: Basic c2VjcmV0",
                                       "X-End-To-End: kept", "X-Empty;", "Accept:"};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) f = curl_slist_append(f, fields[i]);
  char url[200];
  snprintf(url, sizeof url, "%s/api/v1/users/me", origin);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, f);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_body_cb);
  http_resp r = {0};
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
  cr_assert_eq(curl_easy_perform(h), CURLE_OK);
  curl_slist_free_all(f);
  curl_easy_cleanup(h);
  http_resp_free(&r);
  static const char *const dropped[] = {"Connection:", "X-Named", "Keep-Alive", "Proxy-Connection", "TE:",
                                        "Trailer", "Upgrade", "Proxy-Authorization", "c2VjcmV0"};
  char *log = hs_log_copy(up, NULL);
  for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++)
    cr_expect(!hs_log_contains(up, dropped[i]), "%s reached the upstream: %s", dropped[i], log);
  free(log);
  cr_expect(hs_log_contains(up, "X-End-To-End: kept\r\n"));
  cr_expect(hs_log_contains(up, "X-Empty: \r\n") || hs_log_contains(up, "X-Empty:\r\n"), "empty field lost");
  cr_expect(hs_log_contains(up, "GET /api/v1/users/me HTTP/1.1"));
  cr_expect(!hs_log_contains(up, "Accept:"), "the proxy invented an Accept field");
  proxied_end(&px);
}

typedef struct seen_headers {
  wc_buf all;
} seen_headers;

static size_t keep_header(char *buf, size_t size, size_t n, void *ud) {
  wc_buf_append(&((seen_headers *)ud)->all, buf, size * n);
  return size * n;
}

/* GET {origin}/api/v1/anything: every response header line into seen (the
 * caller frees seen->all), the body into r; returns the status. */
static long get_anything(const char *origin, seen_headers *seen, http_resp *r) {
  CURL *h = curl_easy_init();
  char url[200];
  snprintf(url, sizeof url, "%s/api/v1/anything", origin);
  wc_buf_init(&seen->all);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, keep_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, seen);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_body_cb);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
  cr_assert_eq(curl_easy_perform(h), CURLE_OK);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(h);
  return status;
}

Test(proxy, returns_the_response_unchanged_but_for_hop_by_hop_fields) {
  proxied px = proxied_start(HS_HOP_BY_HOP, NULL, NULL);
  seen_headers seen;
  http_resp r = {0};
  long status = get_anything(px.origin, &seen, &r);
  cr_expect_eq(status, 201);
  cr_expect_str_eq(r.body, "{\"id\":\"user_1\",\"name\":\"Ada\"}");
  const char *all = seen.all.data;
  cr_expect(strstr(all, "X-Kept: one\r\nX-Kept: two\r\n"), "repeated fields not kept in order: %s", all);
  cr_expect(strstr(all, "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n"), "%s", all);
  cr_expect(strstr(all, "Content-Type: application/json\r\n"), "%s", all);
  cr_expect(strstr(all, "X-Hop") == NULL, "a field named by Connection came through: %s", all);
  cr_expect(strstr(all, "Upgrade") == NULL && strstr(all, "Trailer") == NULL && strstr(all, "timeout=5") == NULL,
            "hop-by-hop fields came through: %s", all);
  cr_expect(strstr(all, "Whopconf-Violations") == NULL, "annotated without --annotate");
  wc_buf_free(&seen.all);
  http_resp_free(&r);
  proxied_end(&px);
}

static void redirect_elsewhere(hs_server *s) {
  hs_set_location(s, "http://127.0.0.1:9/elsewhere");
}

Test(proxy, never_follows_a_redirect) {
  proxied px = proxied_start(HS_REDIRECT, NULL, redirect_elsewhere);
  hs_server *up = px.up;
  const char *origin = px.origin;
  CURL *h = curl_easy_init();
  http_resp r;
  http_req rq = {.method = "GET", .path = "/api/v1/users/me"};
  http_do(h, origin, &rq, &r);
  cr_expect_eq(r.status, 301);
  cr_expect_str_eq(r.location, "http://127.0.0.1:9/elsewhere");
  cr_expect_eq(hs_requests(up), 1);
  http_resp_free(&r);
  curl_easy_cleanup(h);
  proxied_end(&px);
}

/* In front of the reference server: the same bytes as straight to it, and
 * keep-alive on both sides (one upstream connection for many requests). */
Test(proxy, is_transparent_in_front_of_the_reference_server) {
  test_srv direct;
  srv_start(&direct);
  char upstream[160], origin[128];
  snprintf(upstream, sizeof upstream, "%s/api/v1", direct.origin);
  wc_proxy *p = proxy_start(upstream, NULL, origin);
  CURL *h = curl_easy_init();
  static const char *const bodies[] = {"{\"name\":\"Ada P\"}", "{}", "{\"name\":1}", "not json"};
  for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
    http_resp via, straight;
    http_req rq = req_patch(bodies[i]);
    http_do(h, origin, &rq, &via);
    send_req(&direct, &rq, &straight);
    cr_expect_eq(via.status, straight.status, "%s", bodies[i]);
    cr_expect_str_eq(via.content_type, straight.content_type);
    cr_expect_str_eq(via.body, straight.body, "%s", bodies[i]);
    cr_expect(i == 0 || via.new_connections == 0, "the client connection was not kept alive");
    http_resp_free(&via);
    http_resp_free(&straight);
  }
  curl_easy_cleanup(h);
  wc_proxy_stop(p);
  wc_proxy_stats s;
  wc_proxy_get_stats(p, &s);
  cr_expect_eq(s.exchanges, 4);
  cr_expect_eq(s.upstream_reached, 4);
  cr_expect_eq(s.passed_through, 0);
  /* {"name":1} and "not json" are client bugs; the server answered both right. */
  cr_expect_eq(s.judged, 4);
  cr_expect_eq(s.conformed, 2);
  cr_expect_eq(s.violating, 2);
  cr_expect_eq(s.request_violations, 2);
  cr_expect_eq(s.response_violations, 0);
  cr_expect_eq(wc_proxy_exit_code(p), 1);
  wc_proxy_free(p);
  srv_stop(&direct);
}

static const char *header_of(const seen_headers *seen, const char *name, char *out, size_t cap) {
  const char *at = seen->all.data ? strstr(seen->all.data, name) : NULL;
  if (!at) return NULL;
  at += strlen(name);
  size_t n = strcspn(at, "\r\n");
  snprintf(out, cap, "%.*s", (int)n, at);
  return out;
}

/* --annotate: the judged responses say how many violations they carry,
 * others are left alone. */
Test(proxy, annotates_judged_responses_only_when_asked) {
  wc_refserver_opts so;
  wc_refserver_opts_default(&so);
  const char *faults[] = {"id-no-prefix"};
  so.faults = faults;
  so.fault_count = 1;
  test_srv direct;
  srv_start_opts(&direct, &so);
  char upstream[160], origin[128];
  snprintf(upstream, sizeof upstream, "%s/api/v1", direct.origin);
  wc_proxy_opts o;
  wc_proxy_opts_default(&o);
  o.annotate = true;
  wc_proxy *p = proxy_start(upstream, &o, origin);
  struct {
    const char *method, *path, *body, *want;
  } cases[] = {{"PATCH", "/api/v1/users/me", "{\"name\":\"Ada\"}", "1; see report"},
               {"PATCH", "/api/v1/users/me", "{}", "1; see report"},
               {"GET", "/api/v1/users/me", NULL, NULL}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    CURL *h = curl_easy_init();
    char url[200];
    snprintf(url, sizeof url, "%s%s", origin, cases[i].path);
    struct curl_slist *f = curl_slist_append(NULL, "Authorization: Bearer " TOKEN);
    f = curl_slist_append(f, "Api-Version-Date: " LATEST);
    f = curl_slist_append(f, "Content-Type: application/json");
    seen_headers seen;
    wc_buf_init(&seen.all);
    http_resp r = {0};
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, cases[i].method);
    if (cases[i].body) curl_easy_setopt(h, CURLOPT_POSTFIELDS, cases[i].body);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, f);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, keep_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &seen);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_body_cb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
    cr_assert_eq(curl_easy_perform(h), CURLE_OK);
    char v[64];
    const char *got = header_of(&seen, "Whopconf-Violations: ", v, sizeof v);
    if (cases[i].want) cr_expect(got && strcmp(got, cases[i].want) == 0, "case %zu: %s", i, seen.all.data);
    else cr_expect_null(got, "case %zu annotated: %s", i, seen.all.data);
    wc_buf_free(&seen.all);
    http_resp_free(&r);
    curl_slist_free_all(f);
    curl_easy_cleanup(h);
  }
  wc_proxy_free(p);
  srv_stop(&direct);
}

/* One client connection (one proxy thread, one upstream handle) with
 * methods and bodies changing from request to request: nothing set for one
 * request leaks into the next. */
Test(proxy, methods_and_bodies_do_not_leak_between_requests) {
  proxied px = proxied_start(HS_OK, NULL, NULL);
  hs_server *up = px.up;
  const char *origin = px.origin;
  CURL *h = curl_easy_init();
  static const http_req seq[] = {
      {.method = "PATCH", .path = "/api/v1/users/me", .body = "{\"a\":1}"},
      {.method = "HEAD", .path = "/api/v1/h"},
      {.method = "GET", .path = "/api/v1/g"},
      {.method = "POST", .path = "/api/v1/p", .body = "xy"},
      {.method = "DELETE", .path = "/api/v1/d"},
      {.method = "PATCH", .path = "/api/v1/users/me", .body = "", .body_len = 0},
      {.method = "GET", .path = "/api/v1/g2"},
  };
  for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
    http_resp r;
    http_do(h, origin, &seq[i], &r);
    cr_expect_eq(r.rc, CURLE_OK, "request %zu: %s", i, curl_easy_strerror(r.rc));
    http_resp_free(&r);
  }
  curl_easy_cleanup(h);
  char *log = hs_log_copy(up, NULL);
  cr_assert_not_null(log);
  static const char *const want[] = {
      "PATCH /api/v1/users/me HTTP/1.1\r\n", "{\"a\":1}\n----\nHEAD /api/v1/h HTTP/1.1\r\n",
      "GET /api/v1/g HTTP/1.1\r\n",          "POST /api/v1/p HTTP/1.1\r\n",
      "xy\n----\nDELETE /api/v1/d HTTP/1.1\r\n", "PATCH /api/v1/users/me HTTP/1.1\r\n",
      "GET /api/v1/g2 HTTP/1.1\r\n"};
  const char *at = log;
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    const char *hit = at ? strstr(at, want[i]) : NULL;
    cr_expect(hit != NULL, "'%s' not found in order in: %s", want[i], log);
    if (hit) at = hit + strlen(want[i]);
  }
  /* Requests without a body carry no Content-Length: split the log and look. */
  static const char *const bodiless[] = {"HEAD /api/v1/h ", "GET /api/v1/g ", "DELETE /api/v1/d ", "GET /api/v1/g2 "};
  for (size_t i = 0; i < sizeof bodiless / sizeof bodiless[0]; i++) {
    const char *start = strstr(log, bodiless[i]);
    cr_assert_not_null(start);
    const char *end = strstr(start, "\r\n\r\n");
    cr_assert_not_null(end);
    char head[1024];
    snprintf(head, sizeof head, "%.*s", (int)(end - start), start);
    cr_expect(strstr(head, "Content-Length") == NULL && strstr(head, "Content-Type: application/x-www") == NULL,
              "%s carries a body or a form type: %s", bodiless[i], head);
  }
  cr_expect(strstr(log, "PATCH /api/v1/users/me HTTP/1.1\r\n") != NULL);
  free(log);
  proxied_end(&px);
}

/* An upstream that closes a kept connection after each answer: the next
 * request goes out again on a new connection, once, and nothing fails. */
Test(proxy, retries_once_when_the_upstream_closed_a_kept_connection) {
  proxied px = proxied_start(HS_OK_THEN_CLOSE, NULL, NULL);
  CURL *h = curl_easy_init();
  for (int i = 0; i < 3; i++) {
    http_resp r;
    http_req rq = req_patch("{\"name\":\"Ada\"}");
    http_do(h, px.origin, &rq, &r);
    cr_expect_eq(r.rc, CURLE_OK);
    cr_expect_eq(r.status, 200, "request %d: %ld %s", i, r.status, r.body);
    http_resp_free(&r);
  }
  curl_easy_cleanup(h);
  cr_expect_eq(hs_connections(px.up), 3, "one upstream connection per answer");
  cr_expect_eq(hs_requests(px.up), 3, "a request answered twice");
  wc_proxy_stop(px.p);
  wc_proxy_stats s;
  wc_proxy_get_stats(px.p, &s);
  cr_expect_eq(s.upstream_failed, 0);
  cr_expect_eq(s.upstream_reached, 3);
  proxied_end(&px);
}

/* Fields folded over two lines by the upstream (obs-fold) reach the client
 * as one line, the fields around them unchanged. */
Test(proxy, unfolds_folded_response_fields) {
  proxied px = proxied_start(HS_REPEATED, NULL, NULL);
  seen_headers seen;
  http_resp r = {0};
  get_anything(px.origin, &seen, &r);
  const char *all = seen.all.data;
  cr_expect(strstr(all, "HTTP/1.1 422 "), "%s", all);
  cr_expect(strstr(all, "X-Folded: one two\r\n"), "the folded field: %s", all);
  cr_expect(strstr(all, "Set-Cookie: a=1\r\nX-Multi: first\r\nset-cookie: b=2\r\n"), "%s", all);
  wc_buf_free(&seen.all);
  http_resp_free(&r);
  proxied_end(&px);
}
