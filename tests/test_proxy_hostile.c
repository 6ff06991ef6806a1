/* The proxy under attack from both sides: the transport faults of the
 * reference server as upstreams, and clients that send slowly, too much, or
 * nothing at all. Each costs bounded time and memory, never takes the proxy
 * down, and shows in the report as a failed exchange with its reason. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/proxy_support.h"
#include "whopconf/traffic.h"

#define UPSTREAM_TIMEOUT_MS 1500L
#define RESPONSE_CAP ((size_t)1 << 20)

typedef struct upstream_fault {
  char name[32];
  long client_status; /* what the client gets */
  char kind[32];      /* wc_xfer_status_name of the failure, "" = none */
} upstream_fault;

ParameterizedTestParameters(proxy_hostile, upstream_faults) {
  static upstream_fault faults[] = {
      {"slow-drip", 504, "timeout-total"},
      {"endless-chunked", 502, "body-too-large"},
      {"oversized-body", 502, "body-too-large"},
      {"truncated-body", 502, "truncated"},
      {"reset", 502, "reset"},
      {"silence", 504, "timeout-first-byte"},
      {"malformed-status-line", 502, "malformed"},
      {"deep-nesting", 200, ""}, /* forwarded; the judge finds the body wanting */
  };
  return cr_make_param_array(upstream_fault, faults, sizeof faults / sizeof faults[0]);
}

/* Every transport fault of `whopconf serve`, one exchange each: bounded by
 * the proxy's timeout and body cap, answered 502/504 with a short envelope,
 * and reported; the proxy then still answers. */
ParameterizedTest(upstream_fault *f, proxy_hostile, upstream_faults) {
  test_srv up;
  srv_start_fault(&up, f->name, false);
  char upstream[160], origin[128];
  snprintf(upstream, sizeof upstream, "%s/api/v1", up.origin);
  wc_proxy_opts o;
  wc_proxy_opts_default(&o);
  o.timeout_ms = UPSTREAM_TIMEOUT_MS;
  o.max_response_body = RESPONSE_CAP;
  wc_proxy *p = proxy_start(upstream, &o, origin);
  CURL *h = curl_easy_init();
  for (int round = 0; round < 2; round++) { /* the second shows the proxy survived the first */
    http_resp r;
    http_req rq = req_patch("{\"name\":\"Ada\"}");
    double t0 = hs_now_ms();
    cr_assert_eq(http_do(h, origin, &rq, &r), CURLE_OK, "%s: the client got no answer", f->name);
    double ms = hs_now_ms() - t0;
    cr_expect_eq(r.status, f->client_status, "%s: status %ld: %s", f->name, r.status, r.body);
    cr_expect_lt(ms, UPSTREAM_TIMEOUT_MS + 2500.0, "%s: took %.0f ms", f->name, ms);
    if (f->kind[0]) {
      char want[96];
      snprintf(want, sizeof want, "whopconf proxy: upstream %s", f->kind);
      cr_expect(strstr(r.body, want) != NULL, "%s: body %s", f->name, r.body);
      cr_expect_lt(r.len, 1024, "%s: the error body is not short", f->name);
    }
    http_resp_free(&r);
  }
  curl_easy_cleanup(h);
  wc_proxy_stop(p);
  wc_proxy_stats s;
  wc_proxy_get_stats(p, &s);
  cr_expect_eq(s.exchanges, 2);
  cr_expect_eq(s.judged, 2);
  cr_expect_eq(s.violating, 2, "%s: %zu violating", f->name, s.violating);
  wc_err err;
  cJSON *report = wc_proxy_report(p, NULL, &err);
  cr_assert_not_null(report, "%s", err.msg);
  const cJSON *summary = cJSON_GetObjectItemCaseSensitive(report, "summary");
  int code = cJSON_GetObjectItemCaseSensitive(summary, "exit_code")->valueint;
  if (f->kind[0]) {
    cr_expect_eq(s.upstream_failed, 2);
    cr_expect_eq(code, 3, "%s: never reached, exit %d", f->name, code);
    cr_expect_eq(wc_proxy_exit_code(p), 3);
    char *text = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(report, "run"), "traffic"), "notes"));
    cr_expect(text && strstr(text, f->kind), "%s: the report does not say why: %s", f->name, text);
    free(text);
  } else {
    cr_expect_eq(s.response_violations, 2, "%s", f->name);
    cr_expect_eq(code, 1);
  }
  cJSON_Delete(report);
  wc_proxy_free(p);
  srv_stop(&up);
}

static proxied client_side_proxy(unsigned idle_s, unsigned max_conn, size_t max_body) {
  wc_proxy_opts o;
  wc_proxy_opts_default(&o);
  o.idle_timeout_s = idle_s;
  o.max_connections = max_conn;
  o.max_request_body = max_body;
  return proxied_start(HS_OK, &o, NULL);
}

static const char *report_notes(wc_proxy *p, char **text) {
  wc_err err;
  cJSON *report = wc_proxy_report(p, NULL, &err);
  cr_assert_not_null(report, "%s", err.msg);
  *text = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(report, "run"), "traffic"), "notes"));
  cJSON_Delete(report);
  return *text ? *text : "";
}

/* A client that sends half a request and goes quiet is cut off at the
 * idle timeout; the upstream never hears of it. */
Test(proxy_hostile, slow_senders_are_cut_off_at_the_idle_timeout) {
  proxied px = client_side_proxy(1, 0, 0);
  hs_server *up = px.up;
  wc_proxy *p = px.p;
  static const char *const partial[] = {
      "PATCH /api/v1/users/me HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
      "PATCH /api/v1/users/me HTTP/1.1\r\nHost: x\r\nAuthor",
  };
  for (size_t i = 0; i < 2; i++) {
    int fd = raw_connect(p);
    cr_assert(hs_send(fd, partial[i], strlen(partial[i])));
    double ms = raw_wait_close(fd, 8000, NULL);
    close(fd);
    cr_expect(ms >= 0 && ms < 5000, "case %zu: not closed within 5 s (%.0f ms)", i, ms);
  }
  wc_proxy_stop(p);
  wc_proxy_stats s;
  wc_proxy_get_stats(p, &s);
  cr_expect_eq(s.client_failed, 2);
  cr_expect_eq(hs_requests(up), 0, "the upstream saw a half request");
  char *text;
  cr_expect(strstr(report_notes(p, &text), "client-timeout"), "not in the report: %s", text);
  free(text);
  proxied_end(&px);
}

/* Bodies over the cap: refused with 413 whether announced or chunked, never
 * read into memory beyond the cap, never forwarded. */
Test(proxy_hostile, oversized_bodies_get_413_and_never_reach_the_upstream) {
  proxied px = client_side_proxy(5, 0, 64 << 10);
  hs_server *up = px.up;
  wc_proxy *p = px.p;
  const char *origin = px.origin;
  size_t big = 300 << 10;
  char *body = malloc(big + 1);
  memset(body, 'a', big);
  body[0] = '"';
  body[big - 1] = '"';
  body[big] = '\0';
  CURL *h = curl_easy_init();
  for (int chunked = 0; chunked < 2; chunked++) {
    http_resp r;
    http_req rq = {.token = TOKEN, .version = LATEST, .body = body, .chunked = chunked != 0};
    http_do(h, origin, &rq, &r);
    cr_expect_eq(r.status, 413, "chunked=%d: status %ld (%s)", chunked, r.status, curl_easy_strerror(r.rc));
    http_resp_free(&r);
  }
  /* An announced size alone is enough: nothing of it is read. */
  int fd = raw_connect(p);
  const char *head = "PATCH /api/v1/users/me HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000000\r\n\r\n";
  cr_assert(hs_send(fd, head, strlen(head)));
  wc_buf got;
  wc_buf_init(&got);
  raw_wait_close(fd, 5000, &got);
  close(fd);
  cr_expect(got.data && strncmp(got.data, "HTTP/1.1 413", 12) == 0, "got %s", got.data ? got.data : "nothing");
  wc_buf_free(&got);
  curl_easy_cleanup(h);
  free(body);
  wc_proxy_stop(p);
  wc_proxy_stats s;
  wc_proxy_get_stats(p, &s);
  cr_expect_eq(s.client_failed, 3);
  cr_expect_eq(hs_requests(up), 0);
  char *text;
  cr_expect(strstr(report_notes(p, &text), "client-body-too-large"), "not in the report: %s", text);
  free(text);
  proxied_end(&px);
}

/* Many idle connections: the connection limit holds them (beyond it they
 * are closed at once), the idle timeout ends them, and real clients are
 * served again right after. */
Test(proxy_hostile, many_idle_connections_cost_bounded_resources) {
  proxied px = client_side_proxy(1, 16, 0);
  wc_proxy *p = px.p;
  const char *origin = px.origin;
  enum { IDLE = 200 };
  int fds[IDLE];
  for (int i = 0; i < IDLE; i++) fds[i] = raw_connect(p);
  double t0 = hs_now_ms();
  int closed = 0;
  for (int i = 0; i < IDLE; i++)
    if (raw_wait_close(fds[i], 6000, NULL) >= 0) closed++;
  cr_expect_eq(closed, IDLE, "%d of %d idle connections still open after the idle timeout", IDLE - closed, IDLE);
  cr_expect_lt(hs_now_ms() - t0, 10000.0);
  for (int i = 0; i < IDLE; i++) close(fds[i]);
  CURL *h = curl_easy_init();
  http_resp r;
  http_req rq = {.method = "GET", .path = "/api/v1/ping"};
  double t1 = hs_now_ms();
  int status = 0;
  while (hs_now_ms() - t1 < 5000 && status != 200) { /* the last threads may still be ending */
    http_do(h, origin, &rq, &r);
    status = (int)r.status;
    http_resp_free(&r);
  }
  cr_expect_eq(status, 200, "a real client is not served after the idle ones left");
  curl_easy_cleanup(h);
  wc_proxy_stop(p);
  wc_proxy_stats s;
  wc_proxy_get_stats(p, &s);
  cr_expect_eq(s.client_failed, 0, "an idle connection without a request is no exchange");
  proxied_end(&px);
}

/* A client that leaves before its request is complete: the upstream never
 * hears of it, and the report says the client left. */
Test(proxy_hostile, a_client_leaving_mid_request_is_reported) {
  proxied px = client_side_proxy(5, 0, 0);
  hs_server *up = px.up;
  wc_proxy *p = px.p;
  int fd = raw_connect(p);
  const char *head = "PATCH /api/v1/users/me HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{\"name\"";
  cr_assert(hs_send(fd, head, strlen(head)));
  poll(NULL, 0, 100);
  close(fd);
  double t0 = hs_now_ms();
  wc_proxy_stats s = {0};
  while (hs_now_ms() - t0 < 5000 && s.exchanges == 0) {
    poll(NULL, 0, 20);
    wc_proxy_get_stats(p, &s);
  }
  cr_expect_eq(s.client_failed, 1);
  cr_expect_eq(hs_requests(up), 0);
  char *text;
  cr_expect(strstr(report_notes(p, &text), "client-left"), "not in the report: %s", text);
  free(text);
  proxied_end(&px);
}
