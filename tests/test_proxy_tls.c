/* The proxy towards an https upstream: TLS verified by default (a private
 * CA is refused: 502, reported as tls), accepted with --cacert, or with
 * --insecure (then listed as weakening the report). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/proxy_support.h"
#include "support/tls_server.h"

static tls_server *tls_upstream(char base[128]) {
  const char *why = NULL;
  tls_server *s = tls_start(&why);
  if (!s) cr_skip_test("no TLS server: %s", why);
  snprintf(base, 128, "https://127.0.0.1:%u/api/v1", (unsigned)tls_port(s));
  return s;
}

/* One GET through a proxy with the given TLS options; returns the status. */
static long through(const char *upstream, const char *cacert, bool insecure, wc_proxy **out) {
  wc_proxy_opts o;
  wc_proxy_opts_default(&o);
  o.cacert = cacert;
  o.insecure = insecure;
  char origin[128];
  wc_proxy *p = proxy_start(upstream, &o, origin);
  CURL *h = curl_easy_init();
  http_resp r;
  http_req rq = {.method = "GET", .path = "/api/v1/users/me", .token = "tls_token_1234"};
  http_do(h, origin, &rq, &r);
  long status = r.status;
  http_resp_free(&r);
  curl_easy_cleanup(h);
  wc_proxy_stop(p);
  *out = p;
  return status;
}

static char *weakened(wc_proxy *p) {
  wc_err err;
  cJSON *report = wc_proxy_report(p, NULL, &err);
  cr_assert_not_null(report, "%s", err.msg);
  char *text = cJSON_PrintUnformatted(
      cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(report, "run"), "weakened"));
  cJSON_Delete(report);
  return text;
}

Test(proxy_tls, private_ca_refused_without_cacert) {
  char base[128];
  tls_server *s = tls_upstream(base);
  wc_proxy *p;
  cr_expect_eq(through(base, NULL, false, &p), 502);
  cr_expect_eq(tls_requests(s, NULL), 0, "a request reached an unverified upstream");
  wc_proxy_stats st;
  wc_proxy_get_stats(p, &st);
  cr_expect_eq(st.upstream_failed, 1);
  cr_expect_eq(wc_proxy_exit_code(p), 3);
  wc_proxy_free(p);
  tls_stop(s);
}

Test(proxy_tls, accepted_with_cacert_and_credential_passed) {
  char base[128];
  tls_server *s = tls_upstream(base);
  wc_proxy *p;
  cr_expect_eq(through(base, tls_cert_path(s), false, &p), 200);
  int bearer = 0;
  cr_expect_eq(tls_requests(s, &bearer), 1);
  cr_expect_eq(bearer, 1, "the credential did not reach the upstream");
  char *w = weakened(p);
  cr_expect_str_eq(w, "[]");
  free(w);
  wc_proxy_free(p);
  tls_stop(s);
}

Test(proxy_tls, insecure_is_accepted_and_reported) {
  char base[128];
  tls_server *s = tls_upstream(base);
  wc_proxy *p;
  cr_expect_eq(through(base, NULL, true, &p), 200);
  char *w = weakened(p);
  cr_expect_str_eq(w, "[\"--insecure\"]");
  free(w);
  wc_proxy_free(p);
  tls_stop(s);
}
