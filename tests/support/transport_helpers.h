/* Test support: the shared set-up of the transport tests (a request with a
 * known token, short timeouts, one send timed, a hostile server on
 * 127.0.0.1). Failures end the calling test through Criterion asserts. */
#ifndef WHOPCONF_TESTS_TRANSPORT_HELPERS_H
#define WHOPCONF_TESTS_TRANSPORT_HELPERS_H

#include <stddef.h>

#include "hostile_server.h"
#include "whopconf/request.h"
#include "whopconf/transport.h"

#define TOKEN "tok_transport_test_5f2a9c"
/* What a timed send may take beyond its configured budget on a loaded machine. */
#define SLACK_MS 2000.0

/* A PATCH setting name to "Ada", pinned to 2026-07-01, with token. */
wc_request *tx_request(const char *base, const char *token);
/* Default transport options with a 1 s connect and 1.5 s total timeout. */
void tx_quick_opts(wc_transport_opts *o);
/* One request (token TOKEN) with these options on a fresh transport;
 * *ms (when given) = wall time of the send. */
wc_exchange *tx_send_once(const char *base, const wc_transport_opts *o, double *ms);
/* A hostile server on 127.0.0.1 (not yet running: hs_run it) whose base URL
 * is written to base. */
hs_server *tx_serve(hs_mode mode, char *base, size_t size);

#define EXPECT_KIND(x, kind)                                                                               \
  cr_expect_eq(wc_exchange_status(x), kind, "got %s (%s), want %s", wc_xfer_status_name(wc_exchange_status(x)), \
               wc_exchange_error(x), wc_xfer_status_name(kind))

#endif
