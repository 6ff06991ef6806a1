/* Transport against a real, misbehaving server on loopback: every failure
 * kind, within its time budget, with the credential kept out of the record.
 *
 * Timeouts are short (0.5-1.5 s) to keep the suite quick; upper bounds are
 * generous (timeout + 2 s) because the machine is shared. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "support/hostile_server.c"
#include "whopconf/request.h"
#include "whopconf/transport.h"

#define TOKEN "tok_transport_test_5f2a9c"
#define SLACK_MS 2000.0

static wc_request *make_request(const char *base, const char *token) {
  wc_request_desc d = {0};
  d.base_url = base;
  d.token = token;
  d.api_version = "2026-07-01";
  d.name = (wc_field){WC_FIELD_STRING, "Ada"};
  wc_err err;
  wc_request *r = wc_request_build(&d, &err);
  cr_assert_not_null(r, "%s", err.msg);
  return r;
}

static void quick_opts(wc_transport_opts *o) {
  wc_transport_opts_default(o);
  o->connect_timeout_ms = 1000;
  o->timeout_ms = 1500;
}

/* One request with these options; *ms = wall time of the send. */
static wc_exchange *send_once(const char *base, const wc_transport_opts *o, double *ms) {
  wc_err err;
  wc_transport *t = wc_transport_new(o, &err);
  cr_assert_not_null(t, "%s", err.msg);
  wc_request *req = make_request(base, TOKEN);
  double start = hs_now_ms();
  wc_exchange *x = wc_transport_send(t, req);
  if (ms) *ms = hs_now_ms() - start;
  cr_assert_not_null(x);
  wc_request_free(req);
  wc_transport_free(t);
  return x;
}

static hs_server *serve(hs_mode mode, char *base, size_t size) {
  hs_server *s = hs_start("127.0.0.1", mode);
  cr_assert_not_null(s, "cannot listen on 127.0.0.1");
  hs_base(s, base, size);
  return s;
}

#define EXPECT_KIND(x, kind)                                                                               \
  cr_expect_eq(wc_exchange_status(x), kind, "got %s (%s), want %s", wc_xfer_status_name(wc_exchange_status(x)), \
               wc_exchange_error(x), wc_xfer_status_name(kind))

/* ---- the good path and the record ---- */

Test(transport, ok_and_recorded, .init = hs_watchdog) {
  char base[128];
  hs_server *s = serve(HS_OK, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  wc_exchange *x = send_once(base, &o, NULL);
  EXPECT_KIND(x, WC_XFER_OK);
  cr_expect_str_eq(wc_exchange_error(x), "");
  cr_expect_eq(wc_exchange_http_status(x), 200);
  cr_expect(wc_exchange_has_response(x));
  size_t len;
  cr_expect_str_eq(wc_exchange_body(x, &len), "{\"id\":\"user_1\",\"name\":\"Ada\"}");
  cr_expect_not(wc_exchange_body_truncated(x));
  cr_expect_str_eq(wc_exchange_method(x), "PATCH");
  char want_url[160];
  snprintf(want_url, sizeof want_url, "%s/users/me", base);
  cr_expect_str_eq(wc_exchange_url(x), want_url);
  cr_expect_str_eq(wc_exchange_request_header(x, 0), "Authorization: Bearer ***");
  cr_expect_str_eq(wc_exchange_request_body(x, &len), "{\"name\":\"Ada\"}");
  cr_expect_eq(wc_exchange_header_count(x), 2);
  cr_expect_str_eq(wc_exchange_header_name(x, 0), "Content-Type");
  cr_expect_str_eq(wc_exchange_header_value(x, 0), "application/json");
  cr_expect_gt(wc_exchange_total_ms(x), 0);
  cr_expect_eq(wc_exchange_retries(x), 0);
  cr_expect_eq(wc_exchange_connects(x), 1);
  /* What went on the wire: the real credential, our headers, no Expect. */
  cr_expect(hs_log_contains(s, "Authorization: Bearer " TOKEN "\r\n"));
  cr_expect(hs_log_contains(s, "PATCH /api/v1/users/me HTTP/1.1\r\n"));
  cr_expect(hs_log_contains(s, "Api-Version-Date: 2026-07-01\r\n"));
  cr_expect(hs_log_contains(s, "User-Agent: whopconf/" WC_VERSION "\r\n"));
  cr_expect(hs_log_contains(s, "Accept: application/json\r\n"));
  cr_expect(hs_log_contains(s, "Content-Length: 14\r\n\r\n{\"name\":\"Ada\"}"));
  cr_expect_not(hs_log_contains(s, "Expect:"));
  wc_exchange_free(x);
  hs_stop(s);
}

Test(transport, keep_alive_one_connection, .init = hs_watchdog) {
  char base[128];
  hs_server *s = serve(HS_OK, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  wc_err err;
  wc_transport *t = wc_transport_new(&o, &err);
  wc_request *req = make_request(base, TOKEN);
  wc_exchange *a = wc_transport_send(t, req);
  wc_exchange *b = wc_transport_send(t, req);
  EXPECT_KIND(a, WC_XFER_OK);
  EXPECT_KIND(b, WC_XFER_OK);
  cr_expect_eq(hs_requests(s), 2);
  cr_expect_eq(hs_connections(s), 1, "the second request must reuse the connection");
  cr_expect_eq(wc_exchange_connects(a), 1);
  cr_expect_eq(wc_exchange_connects(b), 0);
  wc_exchange_free(a);
  wc_exchange_free(b);
  wc_request_free(req);
  wc_transport_free(t);
  hs_stop(s);
}

/* ---- timeouts ---- */

Test(transport, slow_drip_is_total_timeout, .init = hs_watchdog) {
  char base[128];
  hs_server *s = serve(HS_SLOW_DRIP, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  o.timeout_ms = 1000;
  double ms;
  wc_exchange *x = send_once(base, &o, &ms);
  EXPECT_KIND(x, WC_XFER_TIMEOUT_TOTAL);
  cr_expect_geq(ms, 900);
  cr_expect_leq(ms, 1000 + SLACK_MS);
  cr_expect_eq(wc_exchange_http_status(x), 200, "the status line arrived before the stall");
  wc_exchange_free(x);
  hs_stop(s);
}

Test(transport, silence_is_first_byte_timeout, .init = hs_watchdog) {
  char base[128];
  hs_server *s = serve(HS_SILENCE, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  o.timeout_ms = 1000;
  double ms;
  wc_exchange *x = send_once(base, &o, &ms);
  EXPECT_KIND(x, WC_XFER_TIMEOUT_FIRST_BYTE);
  cr_expect_geq(ms, 900);
  cr_expect_leq(ms, 1000 + SLACK_MS);
  cr_expect_not(wc_exchange_has_response(x));
  cr_expect_eq(wc_exchange_http_status(x), 0);
  wc_exchange_free(x);
  hs_stop(s);
}

Test(transport, first_byte_watchdog, .init = hs_watchdog) {
  char base[128];
  hs_server *s = serve(HS_SILENCE, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  o.timeout_ms = 10000;
  o.first_byte_timeout_ms = 500;
  double ms;
  wc_exchange *x = send_once(base, &o, &ms);
  EXPECT_KIND(x, WC_XFER_TIMEOUT_FIRST_BYTE);
  cr_expect_geq(ms, 450);
  cr_expect_leq(ms, 500 + SLACK_MS, "the watchdog, not the 10 s total, must end it (took %.0f ms)", ms);
  wc_exchange_free(x);
  hs_stop(s);
}

Test(transport, full_backlog_is_connect_timeout, .init = hs_watchdog) {
  int listener, filler;
  unsigned short port = hs_backlog_full(&listener, &filler);
  char base[128];
  snprintf(base, sizeof base, "http://127.0.0.1:%u/api/v1", (unsigned)port);
  wc_transport_opts o;
  quick_opts(&o);
  o.connect_timeout_ms = 500;
  o.timeout_ms = 5000;
  double ms;
  wc_exchange *x = send_once(base, &o, &ms);
  EXPECT_KIND(x, WC_XFER_TIMEOUT_CONNECT);
  cr_expect_geq(ms, 450);
  cr_expect_leq(ms, 500 + SLACK_MS);
  wc_exchange_free(x);
  close(filler);
  close(listener);
}

/* ---- connection failures ---- */

Test(transport, closed_port_is_connect_refused, .init = hs_watchdog) {
  char base[128];
  snprintf(base, sizeof base, "http://127.0.0.1:%u/api/v1", (unsigned)hs_closed_port());
  wc_transport_opts o;
  quick_opts(&o);
  double ms;
  wc_exchange *x = send_once(base, &o, &ms);
  EXPECT_KIND(x, WC_XFER_CONNECT_REFUSED);
  cr_expect_leq(ms, SLACK_MS);
  wc_exchange_free(x);
}

Test(transport, reset_mid_body, .init = hs_watchdog) {
  char base[128];
  hs_server *s = serve(HS_RESET_MID_BODY, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  double ms;
  wc_exchange *x = send_once(base, &o, &ms);
  EXPECT_KIND(x, WC_XFER_RESET);
  cr_expect_leq(ms, 1500 + SLACK_MS);
  wc_exchange_free(x);
  hs_stop(s);
}

Test(transport, short_body_is_truncated, .init = hs_watchdog) {
  char base[128];
  hs_server *s = serve(HS_SHORT_BODY, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  double ms;
  wc_exchange *x = send_once(base, &o, &ms);
  EXPECT_KIND(x, WC_XFER_TRUNCATED);
  cr_expect_leq(ms, 1500 + SLACK_MS);
  size_t len;
  const char *body = wc_exchange_body(x, &len);
  cr_expect_eq(len, 9, "the bytes that did arrive are kept");
  cr_expect(body && memcmp(body, "{\"id\":\"us", 9) == 0);
  wc_exchange_free(x);
  hs_stop(s);
}

/* ---- caps ---- */

Test(transport, endless_chunked_hits_the_cap, .init = hs_watchdog) {
  char base[128];
  hs_server *s = serve(HS_ENDLESS_CHUNKED, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  o.max_body = 64 * 1024;
  double ms;
  wc_exchange *x = send_once(base, &o, &ms);
  EXPECT_KIND(x, WC_XFER_BODY_TOO_LARGE);
  cr_expect_leq(ms, 1500 + SLACK_MS);
  size_t len;
  wc_exchange_body(x, &len);
  cr_expect_eq(len, 64 * 1024);
  cr_expect(wc_exchange_body_truncated(x));
  wc_exchange_free(x);
  hs_stop(s);
}

Test(transport, body_over_cap_keeps_the_start, .init = hs_watchdog) {
  char base[128];
  hs_server *s = serve(HS_BIG_BODY, base, sizeof base);
  s->big_size = 100000;
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  o.max_body = 1000;
  wc_exchange *x = send_once(base, &o, NULL);
  EXPECT_KIND(x, WC_XFER_BODY_TOO_LARGE);
  size_t len;
  const char *body = wc_exchange_body(x, &len);
  cr_assert_eq(len, 1000);
  for (size_t i = 0; i < len; i++) cr_assert_eq(body[i], (char)('a' + i % 26), "byte %zu", i);
  cr_expect(wc_exchange_body_truncated(x));
  cr_expect_eq(wc_exchange_http_status(x), 200);
  cr_expect(strstr(wc_exchange_error(x), "1000") != NULL, "%s", wc_exchange_error(x));
  wc_exchange_free(x);
  hs_stop(s);
}

Test(transport, body_exactly_at_cap_is_fine, .init = hs_watchdog) {
  char base[128];
  hs_server *s = serve(HS_BIG_BODY, base, sizeof base);
  s->big_size = 4096;
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  o.max_body = 4096;
  wc_exchange *x = send_once(base, &o, NULL);
  EXPECT_KIND(x, WC_XFER_OK);
  size_t len;
  wc_exchange_body(x, &len);
  cr_expect_eq(len, 4096);
  cr_expect_not(wc_exchange_body_truncated(x));
  wc_exchange_free(x);
  hs_stop(s);
}

Test(transport, header_flood_count_cap, .init = hs_watchdog) {
  char base[128];
  hs_server *s = serve(HS_HEADER_FLOOD, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  double ms;
  wc_exchange *x = send_once(base, &o, &ms);
  EXPECT_KIND(x, WC_XFER_HEADERS_TOO_LARGE);
  cr_expect(strstr(wc_exchange_error(x), "100") != NULL, "%s", wc_exchange_error(x));
  cr_expect_leq(wc_exchange_header_count(x), 100);
  cr_expect_leq(ms, 1500 + SLACK_MS);
  wc_exchange_free(x);
  hs_stop(s);
}

Test(transport, header_flood_byte_cap, .init = hs_watchdog) {
  char base[128];
  hs_server *s = serve(HS_HEADER_FLOOD, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  o.max_header_count = 100000;
  o.max_header_bytes = 4096;
  wc_exchange *x = send_once(base, &o, NULL);
  EXPECT_KIND(x, WC_XFER_HEADERS_TOO_LARGE);
  cr_expect(strstr(wc_exchange_error(x), "4096 bytes") != NULL, "%s", wc_exchange_error(x));
  wc_exchange_free(x);
  hs_stop(s);
}

/* ---- malformed responses ---- */

Test(transport, garbage_status_line, .init = hs_watchdog) {
  char base[128];
  hs_server *s = serve(HS_GARBAGE_STATUS, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  double ms;
  wc_exchange *x = send_once(base, &o, &ms);
  EXPECT_KIND(x, WC_XFER_MALFORMED);
  cr_expect_leq(ms, 1500 + SLACK_MS);
  wc_exchange_free(x);
  hs_stop(s);
}

Test(transport, header_without_colon, .init = hs_watchdog) {
  char base[128];
  hs_server *s = serve(HS_BAD_HEADER, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  wc_exchange *x = send_once(base, &o, NULL);
  EXPECT_KIND(x, WC_XFER_MALFORMED);
  wc_exchange_free(x);
  hs_stop(s);
}

/* ---- redirects and policy ---- */

Test(transport, redirect_not_followed, .init = hs_watchdog) {
  hs_server *other = hs_start("127.0.0.2", HS_OK);
  cr_assert_not_null(other, "cannot listen on 127.0.0.2");
  hs_run(other);
  char base[128];
  hs_server *s = serve(HS_REDIRECT, base, sizeof base);
  snprintf(s->location, sizeof s->location, "http://127.0.0.2:%u/api/v1/users/me", (unsigned)other->port);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  wc_exchange *x = send_once(base, &o, NULL);
  EXPECT_KIND(x, WC_XFER_OK);
  cr_expect_eq(wc_exchange_http_status(x), 301, "a 3xx comes back as a normal exchange");
  bool has_location = false;
  for (size_t i = 0; i < wc_exchange_header_count(x); i++)
    if (strcmp(wc_exchange_header_name(x, i), "Location") == 0 &&
        strcmp(wc_exchange_header_value(x, i), s->location) == 0)
      has_location = true;
  cr_expect(has_location);
  hs_pause(other, 200); /* give a (wrongly) followed redirect time to land */
  cr_expect_eq(hs_connections(other), 0, "nothing may connect to the redirect target");
  cr_expect_not(hs_log_contains(other, TOKEN));
  cr_expect_eq(hs_requests(s), 1);
  wc_exchange_free(x);
  hs_stop(s);
  hs_stop(other);
}

Test(transport, plain_http_to_remote_refused_before_connect, .init = hs_watchdog) {
  wc_transport_opts o;
  quick_opts(&o);
  double ms;
  wc_exchange *x = send_once("http://192.0.2.1/api/v1", &o, &ms);
  EXPECT_KIND(x, WC_XFER_REFUSED_POLICY);
  cr_expect_lt(ms, 100, "refused without any network wait (%.1f ms)", ms);
  cr_expect_eq(wc_exchange_connects(x), 0, "no connection attempted");
  cr_expect_not(wc_exchange_has_response(x));
  cr_expect(strstr(wc_exchange_error(x), "allow-http") != NULL, "%s", wc_exchange_error(x));
  cr_expect(strstr(wc_exchange_error(x), "192.0.2.1") != NULL);
  wc_exchange_free(x);
  /* Same for a host name: the policy looks at the URL, never at DNS. */
  x = send_once("http://api.example.test/api/v1", &o, &ms);
  EXPECT_KIND(x, WC_XFER_REFUSED_POLICY);
  cr_expect_lt(ms, 100);
  wc_exchange_free(x);
}

Test(transport, plain_http_to_loopback_allowed, .init = hs_watchdog) {
  char base[128];
  snprintf(base, sizeof base, "http://localhost:%u/api/v1", (unsigned)hs_closed_port());
  wc_transport_opts o;
  quick_opts(&o);
  wc_exchange *x = send_once(base, &o, NULL);
  cr_expect_neq(wc_exchange_status(x), WC_XFER_REFUSED_POLICY, "%s", wc_exchange_error(x));
  wc_exchange_free(x);
}

/* ---- retries and rate ---- */

Test(transport, retry_after_seconds_then_ok, .init = hs_watchdog) {
  char base[128];
  hs_server *s = serve(HS_RETRY_SECONDS, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  double ms;
  wc_exchange *x = send_once(base, &o, &ms);
  EXPECT_KIND(x, WC_XFER_OK);
  cr_expect_eq(wc_exchange_http_status(x), 200, "the last response is kept");
  cr_expect_eq(wc_exchange_retries(x), 1);
  cr_expect_eq(wc_exchange_retry_wait_ms(x), 1000);
  cr_expect_geq(ms, 950);
  cr_expect_leq(ms, 1000 + SLACK_MS);
  cr_expect_eq(hs_requests(s), 2);
  cr_expect_geq(wc_exchange_total_ms(x), 950, "time_ms covers the retries");
  wc_exchange_free(x);
  hs_stop(s);
}

Test(transport, retry_after_http_date_then_ok, .init = hs_watchdog) {
  char base[128];
  hs_server *s = serve(HS_RETRY_DATE, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  double ms;
  wc_exchange *x = send_once(base, &o, &ms);
  EXPECT_KIND(x, WC_XFER_OK);
  cr_expect_eq(wc_exchange_http_status(x), 200);
  cr_expect_eq(wc_exchange_retries(x), 1);
  /* now + 2 s at one-second resolution: between 1 and 2 s, plus scheduling. */
  cr_expect_geq(wc_exchange_retry_wait_ms(x), 900);
  cr_expect_leq(wc_exchange_retry_wait_ms(x), 2100);
  cr_expect_leq(ms, 2000 + SLACK_MS);
  wc_exchange_free(x);
  hs_stop(s);
}

Test(transport, retries_exhausted_on_503, .init = hs_watchdog) {
  char base[128];
  hs_server *s = serve(HS_ALWAYS_503, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  o.retry_max = 3;
  wc_exchange *x = send_once(base, &o, NULL);
  EXPECT_KIND(x, WC_XFER_OK);
  cr_expect_eq(wc_exchange_http_status(x), 503);
  cr_expect_eq(wc_exchange_retries(x), 3);
  cr_expect_eq(hs_requests(s), 4);
  cr_expect(strstr(wc_exchange_note(x), "giving up") != NULL, "%s", wc_exchange_note(x));
  wc_exchange_free(x);
  hs_stop(s);
}

Test(transport, retry_after_beyond_budget_not_waited, .init = hs_watchdog) {
  char base[128];
  hs_server *s = serve(HS_RETRY_FAR, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  double ms;
  wc_exchange *x = send_once(base, &o, &ms);
  EXPECT_KIND(x, WC_XFER_OK);
  cr_expect_eq(wc_exchange_http_status(x), 429);
  cr_expect_eq(wc_exchange_retries(x), 0);
  cr_expect_leq(ms, SLACK_MS, "Retry-After: 3600 must not be slept");
  cr_expect(strstr(wc_exchange_note(x), "budget") != NULL, "%s", wc_exchange_note(x));
  wc_exchange_free(x);
  hs_stop(s);
}

Test(transport, no_retry_when_retry_max_zero, .init = hs_watchdog) {
  char base[128];
  hs_server *s = serve(HS_ALWAYS_503, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  o.retry_max = 0;
  wc_exchange *x = send_once(base, &o, NULL);
  cr_expect_eq(wc_exchange_http_status(x), 503);
  cr_expect_eq(wc_exchange_retries(x), 0);
  cr_expect_eq(hs_requests(s), 1);
  wc_exchange_free(x);
  hs_stop(s);
}

Test(transport, rate_cap_spaces_requests, .init = hs_watchdog) {
  char base[128];
  hs_server *s = serve(HS_OK, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  o.rate = 5; /* 200 ms apart */
  wc_err err;
  wc_transport *t = wc_transport_new(&o, &err);
  wc_request *req = make_request(base, TOKEN);
  double start = hs_now_ms();
  for (int i = 0; i < 3; i++) wc_exchange_free(wc_transport_send(t, req));
  double ms = hs_now_ms() - start;
  cr_expect_geq(ms, 390, "3 requests at 5/s take at least 400 ms (took %.0f)", ms);
  cr_expect_leq(ms, 400 + SLACK_MS);
  cr_expect_eq(hs_requests(s), 3);
  wc_request_free(req);
  wc_transport_free(t);
  hs_stop(s);
}

/* ---- the report form and the reproduction command ---- */

static bool has_exactly(const cJSON *obj, const char *const *keys) {
  size_t n = 0;
  for (const cJSON *c = obj ? obj->child : NULL; c; c = c->next) n++;
  size_t want = 0;
  for (; keys[want]; want++)
    if (!cJSON_GetObjectItemCaseSensitive(obj, keys[want])) return false;
  return n == want;
}

Test(record, json_form, .init = hs_watchdog) {
  char base[128];
  hs_server *s = serve(HS_OK, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  wc_exchange *x = send_once(base, &o, NULL);
  cJSON *j = wc_exchange_to_json(x, "x7", 0);
  cr_assert_not_null(j);
  static const char *const top[] = {"id", "request", "response", "error", "time_ms", "retries", "curl", NULL};
  static const char *const reqk[] = {"method", "url", "headers", "body", "body_truncated", NULL};
  static const char *const respk[] = {"status", "headers", "body", "body_bytes", "body_truncated", NULL};
  cr_expect(has_exactly(j, top));
  const cJSON *req = cJSON_GetObjectItemCaseSensitive(j, "request");
  const cJSON *resp = cJSON_GetObjectItemCaseSensitive(j, "response");
  cr_expect(has_exactly(req, reqk));
  cr_expect(has_exactly(resp, respk));
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(j, "id")->valuestring, "x7");
  cr_expect(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "error")));
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(req, "method")->valuestring, "PATCH");
  const cJSON *h0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(req, "headers"), 0);
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(h0, "name")->valuestring, "Authorization");
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(h0, "value")->valuestring, "Bearer ***");
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(req, "body")->valuestring, "{\"name\":\"Ada\"}");
  cr_expect_eq(cJSON_GetObjectItemCaseSensitive(resp, "status")->valuedouble, 200);
  cr_expect_eq(cJSON_GetObjectItemCaseSensitive(resp, "body_bytes")->valuedouble, 28);
  cr_expect(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(resp, "body_truncated")));
  cr_expect_eq(cJSON_GetObjectItemCaseSensitive(j, "retries")->valuedouble, 0);
  cr_expect(strstr(cJSON_GetObjectItemCaseSensitive(j, "curl")->valuestring, "$WHOPCONF_TOKEN") != NULL);
  cJSON_Delete(j);

  /* body_cap cuts and says so; id may be left to the runner. */
  j = wc_exchange_to_json(x, NULL, 5);
  cr_expect_null(cJSON_GetObjectItemCaseSensitive(j, "id"));
  resp = cJSON_GetObjectItemCaseSensitive(j, "response");
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(resp, "body")->valuestring, "{\"id\"");
  cr_expect(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(resp, "body_truncated")));
  cr_expect_eq(cJSON_GetObjectItemCaseSensitive(resp, "body_bytes")->valuedouble, 28);
  req = cJSON_GetObjectItemCaseSensitive(j, "request");
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(req, "body")->valuestring, "{\"nam");
  cr_expect(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "body_truncated")));
  cJSON_Delete(j);
  wc_exchange_free(x);
  hs_stop(s);
}

Test(record, json_form_of_failure_and_lossy_body, .init = hs_watchdog) {
  wc_transport_opts o;
  quick_opts(&o);
  wc_exchange *x = send_once("http://192.0.2.1/api/v1", &o, NULL);
  cJSON *j = wc_exchange_to_json(x, "x1", 0);
  cr_expect(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "response")));
  const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(e, "kind")->valuestring, "refused-policy");
  cr_expect(strstr(cJSON_GetObjectItemCaseSensitive(e, "message")->valuestring, "allow-http") != NULL);
  cJSON_Delete(j);
  wc_exchange_free(x);

  char base[128];
  hs_server *s = serve(HS_BINARY, base, sizeof base);
  hs_run(s);
  x = send_once(base, &o, NULL);
  EXPECT_KIND(x, WC_XFER_OK);
  j = wc_exchange_to_json(x, "x2", 0);
  const cJSON *resp = cJSON_GetObjectItemCaseSensitive(j, "response");
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(resp, "body")->valuestring,
                   "ok \xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD end \xC3\xA9 \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(resp, "body_encoding")->valuestring, "lossy");
  cr_expect_eq(cJSON_GetObjectItemCaseSensitive(resp, "body_bytes")->valuedouble, 18);
  cr_expect_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "request"), "body_encoding"));
  cJSON_Delete(j);
  /* A cut never splits a character: cap 13 falls inside "é" (bytes 12-13). */
  j = wc_exchange_to_json(x, "x2", 13);
  resp = cJSON_GetObjectItemCaseSensitive(j, "response");
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(resp, "body")->valuestring,
                   "ok \xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD end ");
  cJSON_Delete(j);
  wc_exchange_free(x);
  hs_stop(s);
}

/* Runs the reproduction command with the real curl CLI and WHOPCONF_TOKEN
 * set; returns its exit status. */
static int run_shell(const char *cmd) {
  pid_t pid = fork();
  if (pid == 0) {
    setenv("WHOPCONF_TOKEN", TOKEN, 1);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char *find_bytes(const char *hay, size_t n, const char *needle) {
  size_t m = strlen(needle);
  for (size_t i = 0; i + m <= n; i++)
    if (memcmp(hay + i, needle, m) == 0) return hay + i;
  return NULL;
}

typedef struct repro_case {
  const char *name;     /* name field, or NULL for raw */
  const char *raw;      /* raw body */
  size_t raw_len;
  const char *expect;   /* bytes the server must see as the body */
  size_t expect_len;
} repro_case;

Test(record, curl_command_reproduces, .init = hs_watchdog) {
  if (access("/usr/bin/curl", X_OK) != 0) cr_skip_test("curl CLI not installed");
  static const repro_case cases[] = {
      {"O'Brien \"$(touch /tmp/wc_pwned)\" `id` $HOME \\ \xF0\x9F\x98\x80", NULL, 0,
       "{\"name\":\"O'Brien \\\"$(touch /tmp/wc_pwned)\\\" `id` $HOME \\\\ \xF0\x9F\x98\x80\"}", 0},
      {NULL, "{\"a\":1,\0\"b\":\"\xff'%\\n\"}", 17, "{\"a\":1,\0\"b\":\"\xff'%\\n\"}", 17},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char base[128];
    hs_server *s = serve(HS_OK, base, sizeof base);
    hs_run(s);
    wc_request_desc d = {0};
    d.base_url = base;
    d.token = TOKEN;
    d.api_version = "2026-07-01";
    if (cases[i].name) d.name = (wc_field){WC_FIELD_STRING, cases[i].name};
    d.raw_body = cases[i].raw;
    d.raw_body_len = cases[i].raw_len;
    wc_err err;
    wc_request *req = wc_request_build(&d, &err);
    cr_assert_not_null(req, "%s", err.msg);
    wc_transport *t = wc_transport_new(NULL, &err);
    wc_exchange *x = wc_transport_send(t, req);
    EXPECT_KIND(x, WC_XFER_OK);
    wc_transport_free(t); /* closes the kept-alive connection: the server serves one at a time */
    char *cmd = wc_exchange_curl_command(x);
    cr_assert_not_null(cmd);
    cr_expect(strstr(cmd, TOKEN) == NULL);
    cr_expect(strstr(cmd, "-H \"Authorization: Bearer $WHOPCONF_TOKEN\"") != NULL, "%s", cmd);
    unlink("/tmp/wc_pwned");
    cr_expect_eq(run_shell(cmd), 0, "case %zu: %s", i, cmd);
    cr_expect_neq(access("/tmp/wc_pwned", F_OK), 0, "case %zu: the command ran a substitution", i);
    cr_expect_eq(hs_requests(s), 2);
    /* The server saw the same request twice, credential included. */
    pthread_mutex_lock(&s->lock);
    const char *log = s->log.data;
    size_t log_len = s->log.len;
    const char *sep = find_bytes(log, log_len, "\n----\n");
    cr_assert_not_null(sep);
    const char *second = sep + 6;
    size_t want_len = cases[i].expect_len ? cases[i].expect_len : strlen(cases[i].expect);
    const char *b1 = find_bytes(log, log_len, "\r\n\r\n") + 4;
    const char *b2 = find_bytes(second, log_len - (size_t)(second - log), "\r\n\r\n") + 4;
    cr_expect(memcmp(b1, cases[i].expect, want_len) == 0, "case %zu: first body differs", i);
    cr_expect(b2 + want_len <= log + log_len && memcmp(b2, cases[i].expect, want_len) == 0,
              "case %zu: the curl command sent another body", i);
    cr_expect(strstr(second, "Authorization: Bearer " TOKEN "\r\n") != NULL, "case %zu", i);
    cr_expect(strstr(second, "Api-Version-Date: 2026-07-01\r\n") != NULL, "case %zu", i);
    cr_expect(strstr(second, "Content-Type: application/json\r\n") != NULL, "case %zu", i);
    cr_expect(strstr(second, "PATCH /api/v1/users/me HTTP/1.1\r\n") != NULL, "case %zu", i);
    pthread_mutex_unlock(&s->lock);
    free(cmd);
    wc_exchange_free(x);
    wc_request_free(req);
    hs_stop(s);
  }
}

/* ---- the secret canary ---- */

static void canary_check(const wc_exchange *x, const char *canary, const char *label) {
  char *cmd = wc_exchange_curl_command(x);
  cJSON *j = wc_exchange_to_json(x, "x", 0);
  char *json = cJSON_PrintUnformatted(j);
  cr_assert(cmd && json);
  cr_expect(strstr(cmd, canary) == NULL, "%s: curl command leaks", label);
  cr_expect(strstr(json, canary) == NULL, "%s: JSON leaks", label);
  cr_expect(strstr(wc_exchange_error(x), canary) == NULL, "%s: error leaks", label);
  cr_expect(strstr(wc_exchange_note(x), canary) == NULL, "%s: note leaks", label);
  cr_expect(strstr(wc_exchange_url(x), canary) == NULL, "%s: URL leaks", label);
  for (size_t i = 0; i < wc_exchange_request_header_count(x); i++)
    cr_expect(strstr(wc_exchange_request_header(x, i), canary) == NULL, "%s: request header leaks", label);
  for (size_t i = 0; i < wc_exchange_header_count(x); i++) {
    cr_expect(strstr(wc_exchange_header_name(x, i), canary) == NULL, "%s: response header leaks", label);
    cr_expect(strstr(wc_exchange_header_value(x, i), canary) == NULL, "%s: response header leaks", label);
  }
  size_t len;
  const char *body = wc_exchange_body(x, &len);
  size_t clen = strlen(canary);
  for (size_t i = 0; body && i + clen <= len; i++)
    cr_expect(memcmp(body + i, canary, clen) != 0, "%s: response body leaks", label);
  body = wc_exchange_request_body(x, &len);
  for (size_t i = 0; body && i + clen <= len; i++)
    cr_expect(memcmp(body + i, canary, clen) != 0, "%s: request body leaks", label);
  free(json);
  cJSON_Delete(j);
  free(cmd);
}

Test(canary, token_never_recorded, .init = hs_watchdog) {
  char canary[64];
  FILE *f = fopen("/dev/urandom", "rb");
  unsigned char raw[12];
  cr_assert(f && fread(raw, 1, sizeof raw, f) == sizeof raw);
  fclose(f);
  int n = snprintf(canary, sizeof canary, "wc_canary_");
  for (size_t i = 0; i < sizeof raw; i++) n += snprintf(canary + n, sizeof canary - (size_t)n, "%02x", raw[i]);

  static const hs_mode modes[] = {HS_OK,          HS_ECHO,        HS_RETRY_SECONDS, HS_ALWAYS_503, HS_SILENCE,
                                  HS_GARBAGE_STATUS, HS_BAD_HEADER, HS_REDIRECT,   HS_SHORT_BODY, HS_RESET_MID_BODY,
                                  HS_BIG_BODY,    HS_HEADER_FLOOD, HS_RETRY_FAR,    HS_BINARY};
  wc_transport_opts o;
  quick_opts(&o);
  o.timeout_ms = 800;
  o.max_body = 500;
  o.retry_max = 1;
  int exchanges = 0;
  for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
    char base[128];
    hs_server *s = serve(modes[m], base, sizeof base);
    snprintf(s->location, sizeof s->location, "http://127.0.0.2:9/%s", "x");
    hs_run(s);
    wc_request_desc d = {0};
    d.base_url = base;
    d.token = canary;
    d.api_version = "2026-07-01";
    d.account_id = "biz_1";
    d.name = (wc_field){WC_FIELD_STRING, "Ada"};
    wc_err err;
    wc_request *req = wc_request_build(&d, &err);
    cr_assert_not_null(req, "%s", err.msg);
    wc_transport *t = wc_transport_new(&o, &err);
    wc_exchange *x = wc_transport_send(t, req);
    char label[32];
    snprintf(label, sizeof label, "mode %d", (int)modes[m]);
    canary_check(x, canary, label);
    exchanges++;
    /* Positive control: the credential really was on the wire. */
    cr_expect(hs_log_contains(s, canary), "%s: the server never saw the token", label);
    if (modes[m] == HS_ECHO) {
      cr_expect_eq(wc_exchange_http_status(x), 400);
      bool echoed = false;
      for (size_t i = 0; i < wc_exchange_header_count(x); i++)
        if (strcmp(wc_exchange_header_name(x, i), "X-Echo") == 0)
          echoed = strcmp(wc_exchange_header_value(x, i), "Bearer ***") == 0;
      cr_expect(echoed, "the reflected credential is scrubbed to ***");
    }
    wc_exchange_free(x);
    wc_transport_free(t);
    wc_request_free(req);
    hs_stop(s);
  }

  /* Failures that never reach a server. */
  const char *bases[] = {"http://192.0.2.1/api/v1", NULL};
  char refused[128];
  snprintf(refused, sizeof refused, "http://127.0.0.1:%u/api/v1", (unsigned)hs_closed_port());
  bases[1] = refused;
  for (size_t i = 0; i < 2; i++) {
    wc_request_desc d = {0};
    d.base_url = bases[i];
    d.token = canary;
    wc_err err;
    wc_request *req = wc_request_build(&d, &err);
    wc_transport *t = wc_transport_new(&o, &err);
    wc_exchange *x = wc_transport_send(t, req);
    cr_expect_neq(wc_exchange_status(x), WC_XFER_OK);
    canary_check(x, canary, bases[i]);
    exchanges++;
    wc_exchange_free(x);
    wc_transport_free(t);
    wc_request_free(req);
  }

  /* Builder refusals: the canary in the token, in a URL, next to CR/LF. */
  char bad_token[96], userinfo[160], path[96];
  snprintf(bad_token, sizeof bad_token, "%s\r\nX: 1", canary);
  snprintf(userinfo, sizeof userinfo, "https://user:%s@api.example.test/v1", canary);
  snprintf(path, sizeof path, "/%s\r\n", canary);
  struct {
    const char *base, *token, *path, *version;
  } refusals[] = {{"http://127.0.0.1/api", bad_token, NULL, NULL},
                  {userinfo, canary, NULL, NULL},
                  {"http://127.0.0.1/api", canary, path, NULL},
                  {"ftp://127.0.0.1/", canary, NULL, NULL},
                  {"http://127.0.0.1/api", canary, NULL, "2026\n"}};
  for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
    wc_request_desc d = {0};
    d.base_url = refusals[i].base;
    d.token = refusals[i].token;
    d.path = refusals[i].path;
    d.api_version = refusals[i].version;
    wc_err err;
    wc_request *req = wc_request_build(&d, &err);
    cr_expect_null(req, "refusal %zu", i);
    wc_request_free(req);
    cr_expect(strstr(err.msg, canary) == NULL, "refusal %zu leaks: %s", i, err.msg);
  }
  cr_expect_eq(exchanges, 16);
}
