/* Test support: transport test set-up (see transport_helpers.h). */
#include "transport_helpers.h"

#include <criterion/criterion.h>

wc_request *tx_request(const char *base, const char *token) {
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

void tx_quick_opts(wc_transport_opts *o) {
  wc_transport_opts_default(o);
  o->connect_timeout_ms = 1000;
  o->timeout_ms = 1500;
}

wc_exchange *tx_send_once(const char *base, const wc_transport_opts *o, double *ms) {
  wc_err err;
  wc_transport *t = wc_transport_new(o, &err);
  cr_assert_not_null(t, "%s", err.msg);
  wc_request *req = tx_request(base, TOKEN);
  double start = hs_now_ms();
  wc_exchange *x = wc_transport_send(t, req);
  if (ms) *ms = hs_now_ms() - start;
  cr_assert_not_null(x);
  wc_request_free(req);
  wc_transport_free(t);
  return x;
}

hs_server *tx_serve(hs_mode mode, char *base, size_t size) {
  hs_server *s = hs_start("127.0.0.1", mode);
  cr_assert_not_null(s, "cannot listen on 127.0.0.1");
  hs_base(s, base, size);
  return s;
}
