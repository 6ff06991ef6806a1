/* What the request builder asks for is what reaches the server: checked end
 * to end against the reference server over loopback. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "whopconf/refserver.h"
#include "whopconf/request.h"
#include "whopconf/transport.h"

/* Builds d against a fresh reference server (its base URL and the default
 * user token are filled in), sends it over loopback, and hands the request
 * and the exchange to check. */
typedef void (*exchange_check)(const wc_request *req, const wc_exchange *x, void *arg);

static void round_trip(wc_request_desc d, exchange_check check, void *arg) {
  wc_refserver_opts so;
  wc_refserver_opts_default(&so);
  wc_err err;
  wc_refserver *srv = wc_refserver_start(&so, &err);
  cr_assert_not_null(srv, "%s", err.msg);
  d.base_url = wc_refserver_base_url(srv);
  d.token = WC_REFSERVER_DEFAULT_USER_TOKEN;
  wc_request *req = wc_request_build(&d, &err);
  cr_assert_not_null(req, "%s", err.msg);
  wc_transport_opts to;
  wc_transport_opts_default(&to);
  wc_transport *t = wc_transport_new(&to, &err);
  cr_assert_not_null(t, "%s", err.msg);
  wc_exchange *x = wc_transport_send(t, req);
  cr_assert_not_null(x);
  cr_assert_eq(wc_exchange_status(x), WC_XFER_OK, "%s", wc_exchange_error(x));
  check(req, x, arg);
  wc_exchange_free(x);
  wc_transport_free(t);
  wc_request_free(req);
  wc_refserver_stop(srv);
}

static void keep_status(const wc_request *req, const wc_exchange *x, void *status) {
  (void)req;
  *(long *)status = wc_exchange_http_status(x);
}

static long send_version(const char *version) {
  long status = 0;
  round_trip((wc_request_desc){.api_version = version}, keep_status, &status);
  return status;
}

/* libcurl silently drops "Name: " with an empty value; an empty version is a
 * negative case, so it must still arrive (and be rejected). */
Test(request_wire, empty_version_header_is_sent) { cr_assert_eq(send_version(""), 400); }

Test(request_wire, blank_version_header_is_sent) { cr_assert_eq(send_version("   "), 400); }

Test(request_wire, known_version_accepted) { cr_assert_eq(send_version("2026-07-01"), 200); }

static void basic_sent_and_masked(const wc_request *req, const wc_exchange *x, void *arg) {
  (void)arg;
  cr_assert_str_eq(wc_request_header_redacted(req, 0), "Authorization: Basic ***");
  cr_assert_str_eq(wc_request_header(req, 0), "Authorization: Basic " WC_REFSERVER_DEFAULT_USER_TOKEN);
  cr_assert_eq(wc_exchange_http_status(x), 401);
  char *curl = wc_exchange_curl_command(x);
  cr_assert(strstr(curl, "Authorization: Basic $WHOPCONF_TOKEN"), "%s", curl);
  cr_assert_null(strstr(curl, WC_REFSERVER_DEFAULT_USER_TOKEN));
  free(curl);
}

/* The scoped token under another scheme is not a bearer credential; the
 * recorded header keeps the scheme and masks the credential. */
Test(request_wire, other_scheme_is_sent_and_masked) {
  round_trip((wc_request_desc){.auth_scheme = "Basic"}, basic_sent_and_masked, NULL);
}
