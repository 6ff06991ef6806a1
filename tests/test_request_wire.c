/* What the request builder asks for is what reaches the server: checked end
 * to end against the reference server over loopback. */
#include <criterion/criterion.h>
#include <string.h>

#include "whopconf/refserver.h"
#include "whopconf/request.h"
#include "whopconf/transport.h"

static long send_version(const char *version) {
  wc_refserver_opts so;
  wc_refserver_opts_default(&so);
  wc_err err;
  wc_refserver *srv = wc_refserver_start(&so, &err);
  cr_assert_not_null(srv, "%s", err.msg);
  wc_request_desc d = {0};
  d.base_url = wc_refserver_base_url(srv);
  d.token = WC_REFSERVER_DEFAULT_USER_TOKEN;
  d.api_version = version;
  wc_request *req = wc_request_build(&d, &err);
  cr_assert_not_null(req, "%s", err.msg);
  wc_transport_opts to;
  wc_transport_opts_default(&to);
  wc_transport *t = wc_transport_new(&to, &err);
  cr_assert_not_null(t, "%s", err.msg);
  wc_exchange *x = wc_transport_send(t, req);
  cr_assert_not_null(x);
  cr_assert_eq(wc_exchange_status(x), WC_XFER_OK, "%s", wc_exchange_error(x));
  long status = wc_exchange_http_status(x);
  wc_exchange_free(x);
  wc_transport_free(t);
  wc_request_free(req);
  wc_refserver_stop(srv);
  return status;
}

/* libcurl silently drops "Name: " with an empty value; an empty version is a
 * negative case, so it must still arrive (and be rejected). */
Test(request_wire, empty_version_header_is_sent) { cr_assert_eq(send_version(""), 400); }

Test(request_wire, blank_version_header_is_sent) { cr_assert_eq(send_version("   "), 400); }

Test(request_wire, known_version_accepted) { cr_assert_eq(send_version("2026-07-01"), 200); }
