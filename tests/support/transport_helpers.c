/* Test support: the shared set-up of the transport tests (a request with a
 * known token, short timeouts, one send timed). Needs hostile_server.c. */
#include <criterion/criterion.h>

#include "whopconf/request.h"
#include "whopconf/transport.h"

#define TOKEN "tok_transport_test_5f2a9c"
#define SLACK_MS 2000.0

static inline wc_request *make_request(const char *base, const char *token) {
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

static inline void quick_opts(wc_transport_opts *o) {
  wc_transport_opts_default(o);
  o->connect_timeout_ms = 1000;
  o->timeout_ms = 1500;
}

/* One request with these options; *ms = wall time of the send. */
static inline wc_exchange *send_once(const char *base, const wc_transport_opts *o, double *ms) {
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

static inline hs_server *serve(hs_mode mode, char *base, size_t size) {
  hs_server *s = hs_start("127.0.0.1", mode);
  cr_assert_not_null(s, "cannot listen on 127.0.0.1");
  hs_base(s, base, size);
  return s;
}

#define EXPECT_KIND(x, kind)                                                                               \
  cr_expect_eq(wc_exchange_status(x), kind, "got %s (%s), want %s", wc_xfer_status_name(wc_exchange_status(x)), \
               wc_exchange_error(x), wc_xfer_status_name(kind))

