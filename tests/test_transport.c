/* Transport against a real, misbehaving server on loopback: every failure
 * kind, within its time budget, with the right typed failure.
 *
 * Timeouts are short (0.5-1.5 s) to keep the suite quick; upper bounds are
 * generous (timeout + 2 s) because the machine is shared. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/hostile_server.h"
#include "support/transport_helpers.h"

/* ---- the good path and the record ---- */

/* The suite runs once per engine: test_transport (whopconf's own client
 * carries http://) and test_transport_curl (built from this file with
 * TX_HTTP_CLIENT=WC_HTTP_CLIENT_CURL: libcurl carries everything). */
#ifndef TX_HTTP_CLIENT
#define TX_HTTP_CLIENT WC_HTTP_CLIENT_AUTO
#endif

static void quick_opts(wc_transport_opts *o) {
  tx_quick_opts(o);
  o->http_client = TX_HTTP_CLIENT;
}

Test(transport, ok_and_recorded, .init = hs_watchdog) {
  char base[128];
  hs_server *s = tx_serve(HS_OK, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  wc_exchange *x = tx_send_once(base, &o, NULL);
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
  hs_server *s = tx_serve(HS_OK, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  wc_err err;
  wc_transport *t = wc_transport_new(&o, &err);
  wc_request *req = tx_request(base, TOKEN);
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

/* One transport, four requests of different shapes: each goes out exactly
 * as built, nothing of the one before (method, body, headers) carried over,
 * on the one kept connection. */
Test(transport, request_shapes_do_not_leak_into_the_next, .init = hs_watchdog) {
  char base[128];
  hs_server *s = tx_serve(HS_OK, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  wc_transport *t = wc_transport_new(&o, NULL);
  cr_assert_not_null(t);
  static const struct {
    const char *method, *body; /* body NULL: no body */
    const char *ctype;
  } shapes[] = {
      {"PATCH", "{\"name\":\"Ada\"}", NULL},
      {"GET", NULL, NULL},
      {"DELETE", NULL, NULL},
      {"POST", "x=1", "text/plain"},
      {"PATCH", "{}", NULL},
  };
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
    wc_request_desc d = {.base_url = base, .token = TOKEN, .method = shapes[i].method,
                         .content_type = shapes[i].ctype};
    if (shapes[i].body) d.raw_body = shapes[i].body, d.raw_body_len = strlen(shapes[i].body);
    else d.omit_body = true;
    wc_err err;
    wc_request *req = wc_request_build(&d, &err);
    cr_assert_not_null(req, "%s", err.msg);
    wc_exchange *x = wc_transport_send(t, req);
    EXPECT_KIND(x, WC_XFER_OK);
    cr_expect_str_eq(wc_exchange_method(x), shapes[i].method);
    wc_exchange_free(x);
    wc_request_free(req);
  }
  cr_expect_eq(hs_connections(s), 1);
  size_t len = 0;
  char *log = hs_log_copy(s, &len);
  cr_assert_not_null(log);
  /* The log holds each request followed by "\n----\n", in order. */
  char *req = log;
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
    char *end = strstr(req, "\n----\n");
    cr_assert_not_null(end, "request %zu missing from the log", i);
    *end = '\0';
    char line[64];
    snprintf(line, sizeof line, "%s /api/v1/users/me HTTP/1.1\r\n", shapes[i].method);
    cr_expect(strncmp(req, line, strlen(line)) == 0, "request %zu: %.40s", i, req);
    const char *head_end = strstr(req, "\r\n\r\n");
    cr_assert_not_null(head_end);
    const char *body = head_end + 4;
    if (shapes[i].body) {
      char cl[48];
      snprintf(cl, sizeof cl, "Content-Length: %zu\r\n", strlen(shapes[i].body));
      cr_expect(strstr(req, cl) != NULL, "request %zu: no %s", i, cl);
      cr_expect_str_eq(body, shapes[i].body, "request %zu", i);
    } else {
      cr_expect(strstr(req, "Content-Length") == NULL, "request %zu (%s) carries a length", i, shapes[i].method);
      cr_expect(strstr(req, "Content-Type") == NULL, "request %zu (%s) carries a type", i, shapes[i].method);
      cr_expect_str_eq(body, "", "request %zu (%s) carries a body", i, shapes[i].method);
    }
    cr_expect(strstr(req, "Authorization: Bearer " TOKEN "\r\n") != NULL, "request %zu", i);
    cr_expect(strstr(req, "Expect:") == NULL, "request %zu", i);
    req = end + 6;
  }
  free(log);
  wc_transport_free(t);
  hs_stop(s);
}

/* ---- timeouts ---- */

Test(transport, slow_drip_is_total_timeout, .init = hs_watchdog) {
  char base[128];
  hs_server *s = tx_serve(HS_SLOW_DRIP, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  o.timeout_ms = 1000;
  double ms;
  wc_exchange *x = tx_send_once(base, &o, &ms);
  EXPECT_KIND(x, WC_XFER_TIMEOUT_TOTAL);
  cr_expect_geq(ms, 900);
  cr_expect_leq(ms, 1000 + SLACK_MS);
  cr_expect_eq(wc_exchange_http_status(x), 200, "the status line arrived before the stall");
  wc_exchange_free(x);
  hs_stop(s);
}

Test(transport, silence_is_first_byte_timeout, .init = hs_watchdog) {
  char base[128];
  hs_server *s = tx_serve(HS_SILENCE, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  o.timeout_ms = 1000;
  double ms;
  wc_exchange *x = tx_send_once(base, &o, &ms);
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
  hs_server *s = tx_serve(HS_SILENCE, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  o.timeout_ms = 10000;
  o.first_byte_timeout_ms = 500;
  double ms;
  wc_exchange *x = tx_send_once(base, &o, &ms);
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
  wc_exchange *x = tx_send_once(base, &o, &ms);
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
  wc_exchange *x = tx_send_once(base, &o, &ms);
  EXPECT_KIND(x, WC_XFER_CONNECT_REFUSED);
  cr_expect_leq(ms, SLACK_MS);
  wc_exchange_free(x);
}

Test(transport, reset_mid_body, .init = hs_watchdog) {
  char base[128];
  hs_server *s = tx_serve(HS_RESET_MID_BODY, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  double ms;
  wc_exchange *x = tx_send_once(base, &o, &ms);
  EXPECT_KIND(x, WC_XFER_RESET);
  cr_expect_leq(ms, 1500 + SLACK_MS);
  wc_exchange_free(x);
  hs_stop(s);
}

Test(transport, short_body_is_truncated, .init = hs_watchdog) {
  char base[128];
  hs_server *s = tx_serve(HS_SHORT_BODY, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  double ms;
  wc_exchange *x = tx_send_once(base, &o, &ms);
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
  hs_server *s = tx_serve(HS_ENDLESS_CHUNKED, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  o.max_body = 64 * 1024;
  double ms;
  wc_exchange *x = tx_send_once(base, &o, &ms);
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
  hs_server *s = tx_serve(HS_BIG_BODY, base, sizeof base);
  hs_set_big_size(s, 100000);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  o.max_body = 1000;
  wc_exchange *x = tx_send_once(base, &o, NULL);
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
  hs_server *s = tx_serve(HS_BIG_BODY, base, sizeof base);
  hs_set_big_size(s, 4096);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  o.max_body = 4096;
  wc_exchange *x = tx_send_once(base, &o, NULL);
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
  hs_server *s = tx_serve(HS_HEADER_FLOOD, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  double ms;
  wc_exchange *x = tx_send_once(base, &o, &ms);
  EXPECT_KIND(x, WC_XFER_HEADERS_TOO_LARGE);
  cr_expect(strstr(wc_exchange_error(x), "100") != NULL, "%s", wc_exchange_error(x));
  cr_expect_leq(wc_exchange_header_count(x), 100);
  cr_expect_leq(ms, 1500 + SLACK_MS);
  wc_exchange_free(x);
  hs_stop(s);
}

Test(transport, header_flood_byte_cap, .init = hs_watchdog) {
  char base[128];
  hs_server *s = tx_serve(HS_HEADER_FLOOD, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  o.max_header_count = 100000;
  o.max_header_bytes = 4096;
  wc_exchange *x = tx_send_once(base, &o, NULL);
  EXPECT_KIND(x, WC_XFER_HEADERS_TOO_LARGE);
  cr_expect(strstr(wc_exchange_error(x), "4096 bytes") != NULL, "%s", wc_exchange_error(x));
  wc_exchange_free(x);
  hs_stop(s);
}

/* ---- malformed responses ---- */

Test(transport, garbage_status_line, .init = hs_watchdog) {
  char base[128];
  hs_server *s = tx_serve(HS_GARBAGE_STATUS, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  double ms;
  wc_exchange *x = tx_send_once(base, &o, &ms);
  EXPECT_KIND(x, WC_XFER_MALFORMED);
  cr_expect_leq(ms, 1500 + SLACK_MS);
  wc_exchange_free(x);
  hs_stop(s);
}

Test(transport, header_without_colon, .init = hs_watchdog) {
  char base[128];
  hs_server *s = tx_serve(HS_BAD_HEADER, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  wc_exchange *x = tx_send_once(base, &o, NULL);
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
  hs_server *s = tx_serve(HS_REDIRECT, base, sizeof base);
  hs_set_location(s, "http://127.0.0.2:%u/api/v1/users/me", (unsigned)hs_port(other));
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  wc_exchange *x = tx_send_once(base, &o, NULL);
  EXPECT_KIND(x, WC_XFER_OK);
  cr_expect_eq(wc_exchange_http_status(x), 301, "a 3xx comes back as a normal exchange");
  bool has_location = false;
  for (size_t i = 0; i < wc_exchange_header_count(x); i++)
    if (strcmp(wc_exchange_header_name(x, i), "Location") == 0 &&
        strcmp(wc_exchange_header_value(x, i), hs_location(s)) == 0)
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
  wc_exchange *x = tx_send_once("http://192.0.2.1/api/v1", &o, &ms);
  EXPECT_KIND(x, WC_XFER_REFUSED_POLICY);
  cr_expect_lt(ms, 100, "refused without any network wait (%.1f ms)", ms);
  cr_expect_eq(wc_exchange_connects(x), 0, "no connection attempted");
  cr_expect_not(wc_exchange_has_response(x));
  cr_expect(strstr(wc_exchange_error(x), "allow-http") != NULL, "%s", wc_exchange_error(x));
  cr_expect(strstr(wc_exchange_error(x), "192.0.2.1") != NULL);
  wc_exchange_free(x);
  /* Same for a host name: the policy looks at the URL, never at DNS. */
  x = tx_send_once("http://api.example.test/api/v1", &o, &ms);
  EXPECT_KIND(x, WC_XFER_REFUSED_POLICY);
  cr_expect_lt(ms, 100);
  wc_exchange_free(x);
}

Test(transport, plain_http_to_loopback_allowed, .init = hs_watchdog) {
  char base[128];
  snprintf(base, sizeof base, "http://localhost:%u/api/v1", (unsigned)hs_closed_port());
  wc_transport_opts o;
  quick_opts(&o);
  wc_exchange *x = tx_send_once(base, &o, NULL);
  cr_expect_neq(wc_exchange_status(x), WC_XFER_REFUSED_POLICY, "%s", wc_exchange_error(x));
  wc_exchange_free(x);
}

/* The policy's verdict is kept per origin: a transport that sent to
 * loopback still refuses a remote plain-http origin, and one with the same
 * host but another scheme is judged on its own. */
Test(transport, policy_judges_each_origin, .init = hs_watchdog) {
  char base[128];
  hs_server *s = tx_serve(HS_OK, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  wc_transport *t = wc_transport_new(&o, NULL);
  cr_assert_not_null(t);
  const char *bases[] = {base, "http://192.0.2.1/api/v1", base, "http://api.example.test/api/v1",
                         "ftp://127.0.0.1/api/v1"};
  const wc_xfer_status want[] = {WC_XFER_OK, WC_XFER_REFUSED_POLICY, WC_XFER_OK, WC_XFER_REFUSED_POLICY,
                                 WC_XFER_REFUSED_POLICY};
  for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
    wc_request_desc d = {.base_url = bases[i], .token = TOKEN};
    wc_err err;
    wc_request *req = wc_request_build(&d, &err);
    if (!req) { /* the builder refuses a scheme that is not http(s) itself */
      cr_expect_eq(want[i], WC_XFER_REFUSED_POLICY, "%s: %s", bases[i], err.msg);
      continue;
    }
    wc_exchange *x = wc_transport_send(t, req);
    cr_expect_eq(wc_exchange_status(x), want[i], "%s: got %s (%s)", bases[i],
                 wc_xfer_status_name(wc_exchange_status(x)), wc_exchange_error(x));
    wc_exchange_free(x);
    wc_request_free(req);
  }
  cr_expect_eq(hs_requests(s), 2);
  wc_transport_free(t);
  hs_stop(s);
}

/* ---- retries and rate ---- */

Test(transport, retry_after_seconds_then_ok, .init = hs_watchdog) {
  char base[128];
  hs_server *s = tx_serve(HS_RETRY_SECONDS, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  double ms;
  wc_exchange *x = tx_send_once(base, &o, &ms);
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
  hs_server *s = tx_serve(HS_RETRY_DATE, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  double ms;
  wc_exchange *x = tx_send_once(base, &o, &ms);
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
  hs_server *s = tx_serve(HS_ALWAYS_503, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  o.retry_max = 3;
  wc_exchange *x = tx_send_once(base, &o, NULL);
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
  hs_server *s = tx_serve(HS_RETRY_FAR, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  double ms;
  wc_exchange *x = tx_send_once(base, &o, &ms);
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
  hs_server *s = tx_serve(HS_ALWAYS_503, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  o.retry_max = 0;
  wc_exchange *x = tx_send_once(base, &o, NULL);
  cr_expect_eq(wc_exchange_http_status(x), 503);
  cr_expect_eq(wc_exchange_retries(x), 0);
  cr_expect_eq(hs_requests(s), 1);
  wc_exchange_free(x);
  hs_stop(s);
}

Test(transport, rate_cap_spaces_requests, .init = hs_watchdog) {
  char base[128];
  hs_server *s = tx_serve(HS_OK, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  quick_opts(&o);
  o.rate = 5; /* 200 ms apart */
  wc_err err;
  wc_transport *t = wc_transport_new(&o, &err);
  wc_request *req = tx_request(base, TOKEN);
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
