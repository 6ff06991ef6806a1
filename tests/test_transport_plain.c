/* whopconf's own http:// client against real servers on loopback: the
 * bytes it puts on the wire are libcurl's to the byte (each request shape
 * sent by both engines and the two received requests compared), and the
 * connection behaviour libcurl has that it must
 * keep (each address of a name tried, an early answer read, a closed kept
 * connection retried, one connection per origin). The failure kinds are test_transport's, which
 * runs once per engine. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/hostile_server.h"
#include "support/transport_helpers.h"
#include "whopconf/gen.h"
#include "whopconf/spec.h"

static wc_transport *new_transport(wc_http_client engine) {
  wc_transport_opts o;
  tx_quick_opts(&o);
  o.http_client = engine;
  wc_err err;
  wc_transport *t = wc_transport_new(&o, &err);
  cr_assert_not_null(t, "%s", err.msg);
  return t;
}

/* What a server on host received for desc sent by engine. Caller frees. */
static char *received_on(const char *host, const wc_request_desc *shape, wc_http_client engine) {
  char base[128];
  hs_server *s = hs_start(host, HS_OK);
  cr_assert_not_null(s, "cannot listen on %s", host);
  hs_base(s, base, sizeof base);
  hs_run(s);
  wc_request_desc d = *shape;
  d.base_url = base;
  wc_err err;
  wc_request *req = wc_request_build(&d, &err);
  cr_assert_not_null(req, "%s", err.msg);
  wc_transport *t = new_transport(engine);
  wc_exchange *x = wc_transport_send(t, req);
  cr_assert_not_null(x);
  EXPECT_KIND(x, WC_XFER_OK);
  cr_expect_eq(wc_exchange_http_status(x), 200);
  wc_exchange_free(x);
  wc_transport_free(t);
  wc_request_free(req);
  size_t len = 0;
  char *log = hs_log_copy(s, &len);
  hs_stop(s);
  cr_assert_not_null(log);
  /* The port differs between the two servers: the Host line is compared
   * with the port masked. */
  char *line = strstr(log, "\r\nHost: ");
  if (line) {
    char *host = line + 8, *end = strstr(host, "\r\n");
    char *port = NULL;
    for (char *p = host; end && p < end; p++)
      if (*p == ':') port = p; /* the last colon: after an IPv6 literal's */
    if (port && port[-1] != ':' && (host[0] != '[' || port[-1] == ']'))
      for (char *p = port + 1; *p >= '0' && *p <= '9'; p++) *p = 'P';
  }
  return log;
}

static char *received(const wc_request_desc *shape, wc_http_client engine) {
  return received_on("127.0.0.1", shape, engine);
}

static const char raw_json[] = "{\"name\":\"Ada\"}";

Test(plain, wire_bytes_are_libcurls, .init = hs_watchdog) {
  static const char *const empty = "";
  const wc_request_desc shapes[] = {
      {.token = TOKEN, .api_version = "2026-07-01", .name = {WC_FIELD_STRING, "Ada"}},
      {.token = TOKEN, .api_version = "2026-07-01", .account_id = "biz_1%25x", .bio = {WC_FIELD_STRING, ""}},
      {.token = TOKEN, .api_version = "", .raw_body = raw_json, .raw_body_len = sizeof raw_json - 1},
      {.token = TOKEN, .api_version = "  ", .raw_body = raw_json, .raw_body_len = sizeof raw_json - 1},
      {.token = TOKEN, .raw_body = empty, .raw_body_len = 0},
      {.token = TOKEN, .raw_body = raw_json, .raw_body_len = sizeof raw_json - 1, .content_type = ""},
      {.token = TOKEN, .raw_body = "x=1", .raw_body_len = 3, .content_type = "text/plain", .method = "POST"},
      {.token = TOKEN, .method = "GET", .omit_body = true},
      {.token = TOKEN, .method = "DELETE", .omit_body = true},
      {.token = TOKEN, .method = "HEAD", .omit_body = true},
      {.token = NULL, .api_version = "2026-07-01", .name = {WC_FIELD_STRING, "Ada"}},
      {.token = TOKEN, .auth_scheme = "", .name = {WC_FIELD_STRING, "Ada"}},
      {.token = TOKEN, .auth_scheme = "Basic", .name = {WC_FIELD_STRING, "Ada"}},
      {.token = TOKEN, .name = {WC_FIELD_STRING, "\xc3\xa9\\\"\n"}},
  };
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
    char *own = received(&shapes[i], WC_HTTP_CLIENT_AUTO);
    char *curl = received(&shapes[i], WC_HTTP_CLIENT_CURL);
    cr_expect_str_eq(own, curl, "shape %zu: own client sent\n%s\nlibcurl sent\n%s", i, own, curl);
    free(own);
    free(curl);
  }
}

/* An IPv6 literal: the connection goes to ::1 and the Host line keeps the
 * brackets, as libcurl writes it. */
Test(plain, ipv6_literal_is_libcurls_too, .init = hs_watchdog) {
  hs_server *probe = hs_start("::1", HS_OK);
  if (!probe) cr_skip_test("no IPv6 loopback on this machine");
  hs_stop(probe);
  const wc_request_desc shape = {.token = TOKEN, .api_version = "2026-07-01", .name = {WC_FIELD_STRING, "Ada"}};
  char *own = received_on("::1", &shape, WC_HTTP_CLIENT_AUTO);
  char *curl = received_on("::1", &shape, WC_HTTP_CLIENT_CURL);
  cr_expect(strstr(own, "\r\nHost: [::1]:P") != NULL, "%s", own);
  cr_expect_str_eq(own, curl, "own client sent\n%s\nlibcurl sent\n%s", own, curl);
  free(own);
  free(curl);
}

/* A host name, not an address: each address it resolves to is tried in
 * turn (the server listens on 127.0.0.1 only; "localhost" may resolve to
 * ::1 first), and the Host line is the name as typed, as libcurl sends it. */
Test(plain, host_name_tries_each_address, .init = hs_watchdog) {
  char base[128], named[160];
  hs_server *s = tx_serve(HS_OK, base, sizeof base);
  hs_run(s);
  snprintf(named, sizeof named, "http://localhost:%u/api/v1", hs_port(s));
  wc_request *req = tx_request(named, TOKEN);
  wc_transport *t = new_transport(WC_HTTP_CLIENT_AUTO);
  wc_exchange *x = wc_transport_send(t, req);
  EXPECT_KIND(x, WC_XFER_OK);
  char host[64];
  snprintf(host, sizeof host, "\r\nHost: localhost:%u\r\n", hs_port(s));
  cr_expect(hs_log_contains(s, host), "no %s", host);
  wc_exchange_free(x);
  wc_transport_free(t);
  wc_request_free(req);
  hs_stop(s);
}

/* A server refusing a body by its head answers while the client is still
 * sending and never reads the rest: the answer is the exchange. */
Test(plain, early_answer_is_read, .init = hs_watchdog) {
  char base[128];
  hs_server *s = tx_serve(HS_EARLY_ANSWER, base, sizeof base);
  hs_run(s);
  size_t big = (size_t)16 << 20;
  char *body = malloc(big);
  cr_assert_not_null(body);
  memset(body, 'a', big);
  wc_request_desc d = {.base_url = base, .token = TOKEN, .raw_body = body, .raw_body_len = big};
  wc_err err;
  wc_request *req = wc_request_build(&d, &err);
  cr_assert_not_null(req, "%s", err.msg);
  wc_transport *t = new_transport(WC_HTTP_CLIENT_AUTO);
  double t0 = hs_now_ms();
  wc_exchange *x = wc_transport_send(t, req);
  double ms = hs_now_ms() - t0;
  EXPECT_KIND(x, WC_XFER_OK);
  cr_expect_eq(wc_exchange_http_status(x), 413);
  size_t len = 0;
  cr_expect(strstr(wc_exchange_body(x, &len), "payload_too_large") != NULL);
  /* Read at once, not after the server gave up on the connection (3 s). */
  cr_expect_lt(ms, 2500.0, "took %.0f ms", ms);
  wc_exchange_free(x);
  wc_transport_free(t);
  wc_request_free(req);
  free(body);
  hs_stop(s);
}

/* n sends of the suite's PATCH on one own-client transport to a server in
 * mode, pause_ms apart: each answered 200 on a connection of its own (the
 * server left none fit for the next request). */
static void each_on_a_new_connection(hs_mode mode, int n, int pause_ms) {
  char base[128];
  hs_server *s = tx_serve(mode, base, sizeof base);
  hs_run(s);
  wc_request *req = tx_request(base, TOKEN);
  wc_transport *t = new_transport(WC_HTTP_CLIENT_AUTO);
  for (int i = 0; i < n; i++) {
    wc_exchange *x = wc_transport_send(t, req);
    EXPECT_KIND(x, WC_XFER_OK);
    cr_expect_eq(wc_exchange_http_status(x), 200, "request %d: %ld", i, wc_exchange_http_status(x));
    cr_expect_eq(wc_exchange_connects(x), 1, "request %d opened %ld connections", i, wc_exchange_connects(x));
    wc_exchange_free(x);
    if (pause_ms) usleep((useconds_t)pause_ms * 1000);
  }
  cr_expect_eq(hs_requests(s), n);
  cr_expect_eq(hs_connections(s), n, "%d connections", hs_connections(s));
  wc_transport_free(t);
  wc_request_free(req);
  hs_stop(s);
}

/* A kept connection the server closed after answering: the next request
 * goes once more on a new connection, as libcurl does. */
Test(plain, closed_kept_connection_is_retried, .init = hs_watchdog) {
  each_on_a_new_connection(HS_OK_THEN_CLOSE, 3, 0);
}

/* One transport, two servers in turn: each request reaches its own server,
 * each server sees one connection per turn it was left for. */
Test(plain, each_origin_its_connection, .init = hs_watchdog) {
  char base_a[128], base_b[128];
  hs_server *a = tx_serve(HS_OK, base_a, sizeof base_a);
  hs_server *b = tx_serve(HS_OK, base_b, sizeof base_b);
  hs_run(a);
  hs_run(b);
  wc_transport *t = new_transport(WC_HTTP_CLIENT_AUTO);
  const char *order[] = {base_a, base_a, base_b, base_a};
  for (size_t i = 0; i < 4; i++) {
    wc_request *req = tx_request(order[i], TOKEN);
    wc_exchange *x = wc_transport_send(t, req);
    EXPECT_KIND(x, WC_XFER_OK);
    wc_exchange_free(x);
    wc_request_free(req);
  }
  cr_expect_eq(hs_requests(a), 3);
  cr_expect_eq(hs_requests(b), 1);
  cr_expect_eq(hs_connections(a), 2);
  cr_expect_eq(hs_connections(b), 1);
  wc_transport_free(t);
  hs_stop(a);
  hs_stop(b);
}

/* Bytes on an idle kept connection (here a 408 the server sent unasked)
 * make it unfit: the next request goes on a new connection and gets its own
 * answer, not the stale one. (libcurl 7.88 reuses such a connection and
 * takes the 408 for the answer: the own client checks before reuse.) The
 * 408 arrives during the 300 ms pause. */
Test(plain, stale_kept_connection_is_not_reused, .init = hs_watchdog) {
  each_on_a_new_connection(HS_OK_THEN_408, 2, 300);
}

/* Every request of the coverage list and 300 of the random stream (bodies
 * up to 1 MiB, every string class in the query and in Api-Version-Date),
 * sent by both engines on one connection each: the two servers receive the
 * same bytes, request for request. */
static char *received_all(wc_gen *gen, wc_http_client engine, size_t random_count) {
  char base[128];
  hs_server *s = tx_serve(HS_OK, base, sizeof base);
  hs_run(s);
  wc_transport *t = new_transport(engine);
  size_t total = wc_gen_coverage_count(gen) + random_count;
  for (size_t i = 0; i < total; i++) {
    wc_err err;
    size_t cov = wc_gen_coverage_count(gen);
    wc_gen_request *g = i < cov ? wc_gen_coverage(gen, i, &err) : wc_gen_random(gen, 7, i - cov, &err);
    cr_assert_not_null(g, "%s", err.msg);
    wc_request_desc d = {.base_url = base, .token = TOKEN};
    wc_gen_request_to_desc(g, &d);
    wc_request *req = wc_request_build(&d, &err);
    if (req) { /* what the builder refuses is sent by neither */
      wc_exchange *x = wc_transport_send(t, req);
      EXPECT_KIND(x, WC_XFER_OK);
      wc_exchange_free(x);
      wc_request_free(req);
    }
    wc_gen_request_free(g);
  }
  wc_transport_free(t);
  cr_expect_eq(hs_connections(s), 1, "engine %d: %d connections", (int)engine, hs_connections(s));
  size_t len = 0;
  char *log = hs_log_copy(s, &len);
  hs_stop(s);
  cr_assert_not_null(log);
  /* Mask the port of every Host line (the two servers differ in it). */
  for (char *h = strstr(log, "\r\nHost: 127.0.0.1:"); h; h = strstr(h + 1, "\r\nHost: 127.0.0.1:"))
    for (char *p = h + 18; *p >= '0' && *p <= '9'; p++) *p = 'P';
  return log;
}

Test(plain, generated_requests_are_libcurls, .init = hs_watchdog) {
  wc_err err;
  wc_spec *spec = wc_spec_load_embedded(&err);
  cr_assert_not_null(spec, "%s", err.msg);
  wc_gen *gen = wc_gen_new(spec, NULL, &err);
  cr_assert_not_null(gen, "%s", err.msg);
  char *own = received_all(gen, WC_HTTP_CLIENT_AUTO, 300);
  char *curl = received_all(gen, WC_HTTP_CLIENT_CURL, 300);
  size_t i = 0;
  while (own[i] && own[i] == curl[i]) i++;
  cr_expect(own[i] == curl[i], "differ at byte %zu: own ...%.80s... libcurl ...%.80s...", i,
            own + (i > 40 ? i - 40 : 0), curl + (i > 40 ? i - 40 : 0));
  cr_expect_gt(strlen(own), (size_t)1 << 20, "too little sent to mean anything: %zu bytes", strlen(own));
  free(own);
  free(curl);
  wc_gen_free(gen);
  wc_spec_free(spec);
}
