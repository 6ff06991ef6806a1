/* Transport over TLS with a certificate made at test time: verification is
 * on by default (a private CA is refused without --cacert), --cacert makes
 * it pass, --insecure skips it, and a host name the certificate does not
 * name is refused even with the CA. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/hostile_server.h"
#include "support/tls_server.h"
#include "whopconf/request.h"
#include "whopconf/transport.h"

#define CANARY "tok_tls_canary_8d1e77b2"

static tls_server *start_tls(char *base, size_t size) {
  const char *why = NULL;
  tls_server *s = tls_start(&why);
  cr_assert_not_null(s, "%s", why);
  snprintf(base, size, "https://127.0.0.1:%u/api/v1", (unsigned)tls_port(s));
  return s;
}

static wc_exchange *send_tls(const char *base, const wc_transport_opts *o, double *ms) {
  wc_request_desc d = {0};
  d.base_url = base;
  d.token = CANARY;
  d.name = (wc_field){WC_FIELD_STRING, "Ada"};
  wc_err err;
  wc_request *req = wc_request_build(&d, &err);
  cr_assert_not_null(req, "%s", err.msg);
  wc_transport *t = wc_transport_new(o, &err);
  cr_assert_not_null(t, "%s", err.msg);
  double start = hs_now_ms();
  wc_exchange *x = wc_transport_send(t, req);
  if (ms) *ms = hs_now_ms() - start;
  cr_assert_not_null(x);
  wc_transport_free(t);
  wc_request_free(req);
  return x;
}

static void no_canary(const wc_exchange *x) {
  char *cmd = wc_exchange_curl_command(x);
  cJSON *j = wc_exchange_to_json(x, "t", 0);
  char *json = cJSON_PrintUnformatted(j);
  cr_expect(strstr(cmd, CANARY) == NULL);
  cr_expect(strstr(json, CANARY) == NULL);
  cr_expect(strstr(wc_exchange_error(x), CANARY) == NULL);
  free(json);
  cJSON_Delete(j);
  free(cmd);
}

static void opts(wc_transport_opts *o) {
  wc_transport_opts_default(o);
  o->connect_timeout_ms = 1500;
  o->timeout_ms = 3000;
}

#define EXPECT_KIND(x, kind)                                                                               \
  cr_expect_eq(wc_exchange_status(x), kind, "got %s (%s), want %s", wc_xfer_status_name(wc_exchange_status(x)), \
               wc_exchange_error(x), wc_xfer_status_name(kind))

Test(tls, private_ca_refused_without_cacert, .init = hs_watchdog) {
  char base[128];
  tls_server *s = start_tls(base, sizeof base);
  wc_transport_opts o;
  opts(&o);
  double ms;
  wc_exchange *x = send_tls(base, &o, &ms);
  EXPECT_KIND(x, WC_XFER_TLS);
  cr_expect_leq(ms, 1500 + 2000);
  cr_expect_not(wc_exchange_has_response(x));
  cr_expect_eq(tls_requests(s, NULL), 0, "no request may reach an unverified server");
  no_canary(x);
  wc_exchange_free(x);
  tls_stop(s);
}

Test(tls, accepted_with_cacert, .init = hs_watchdog) {
  char base[128];
  tls_server *s = start_tls(base, sizeof base);
  wc_transport_opts o;
  opts(&o);
  o.cacert = tls_cert_path(s);
  wc_exchange *x = send_tls(base, &o, NULL);
  EXPECT_KIND(x, WC_XFER_OK);
  cr_expect_eq(wc_exchange_http_status(x), 200);
  int bearer = 0;
  cr_expect_eq(tls_requests(s, &bearer), 1);
  cr_expect_eq(bearer, 1);
  char *cmd = wc_exchange_curl_command(x);
  cr_expect(strstr(cmd, "--cacert '") != NULL, "%s", cmd);
  cr_expect(strstr(cmd, "--insecure") == NULL);
  free(cmd);
  no_canary(x);
  wc_exchange_free(x);
  tls_stop(s);
}

Test(tls, accepted_with_insecure, .init = hs_watchdog) {
  char base[128];
  tls_server *s = start_tls(base, sizeof base);
  wc_transport_opts o;
  opts(&o);
  o.insecure = true;
  wc_exchange *x = send_tls(base, &o, NULL);
  EXPECT_KIND(x, WC_XFER_OK);
  cr_expect_eq(wc_exchange_http_status(x), 200);
  char *cmd = wc_exchange_curl_command(x);
  cr_expect(strstr(cmd, " --insecure") != NULL, "%s", cmd);
  free(cmd);
  wc_exchange_free(x);
  tls_stop(s);
}

Test(tls, wrong_host_name_refused_even_with_cacert, .init = hs_watchdog) {
  char base[128];
  tls_server *s = start_tls(base, sizeof base);
  snprintf(base, sizeof base, "https://localhost:%u/api/v1", (unsigned)tls_port(s));
  wc_transport_opts o;
  opts(&o);
  o.cacert = tls_cert_path(s);
  wc_exchange *x = send_tls(base, &o, NULL);
  EXPECT_KIND(x, WC_XFER_TLS);
  cr_expect_eq(tls_requests(s, NULL), 0);
  wc_exchange_free(x);
  tls_stop(s);
}

Test(tls, missing_cacert_file, .init = hs_watchdog) {
  char base[128];
  tls_server *s = start_tls(base, sizeof base);
  wc_transport_opts o;
  opts(&o);
  o.cacert = "/nonexistent/wc-ca.pem";
  wc_exchange *x = send_tls(base, &o, NULL);
  EXPECT_KIND(x, WC_XFER_TLS);
  wc_exchange_free(x);
  tls_stop(s);
}

Test(tls, keep_alive_over_tls, .init = hs_watchdog) {
  char base[128];
  tls_server *s = start_tls(base, sizeof base);
  wc_transport_opts o;
  opts(&o);
  o.cacert = tls_cert_path(s);
  wc_request_desc d = {0};
  d.base_url = base;
  d.token = CANARY;
  wc_err err;
  wc_request *req = wc_request_build(&d, &err);
  wc_transport *t = wc_transport_new(&o, &err);
  wc_exchange *a = wc_transport_send(t, req);
  wc_exchange *b = wc_transport_send(t, req);
  EXPECT_KIND(a, WC_XFER_OK);
  EXPECT_KIND(b, WC_XFER_OK);
  cr_expect_eq(wc_exchange_connects(a), 1);
  cr_expect_eq(wc_exchange_connects(b), 0, "the TLS connection is reused");
  wc_exchange_free(a);
  wc_exchange_free(b);
  wc_transport_free(t);
  wc_request_free(req);
  tls_stop(s);
}

Test(tls, handshake_stall_is_connect_timeout, .init = hs_watchdog) {
  /* A plain TCP server that never answers the ClientHello. */
  hs_server *h = hs_start("127.0.0.1", HS_SILENCE);
  cr_assert_not_null(h);
  hs_run(h);
  char base[128];
  snprintf(base, sizeof base, "https://127.0.0.1:%u/api/v1", (unsigned)hs_port(h));
  wc_transport_opts o;
  opts(&o);
  o.connect_timeout_ms = 600;
  double ms;
  wc_exchange *x = send_tls(base, &o, &ms);
  EXPECT_KIND(x, WC_XFER_TIMEOUT_CONNECT);
  cr_expect_geq(ms, 550);
  cr_expect_leq(ms, 600 + 2000);
  no_canary(x);
  wc_exchange_free(x);
  hs_stop(h);
}

Test(tls, plain_server_closing_is_tls_failure, .init = hs_watchdog) {
  hs_server *h = hs_start("127.0.0.1", HS_CLOSE);
  cr_assert_not_null(h);
  hs_run(h);
  char base[128];
  snprintf(base, sizeof base, "https://127.0.0.1:%u/api/v1", (unsigned)hs_port(h));
  wc_transport_opts o;
  opts(&o);
  wc_exchange *x = send_tls(base, &o, NULL);
  EXPECT_KIND(x, WC_XFER_TLS);
  wc_exchange_free(x);
  hs_stop(h);
}
