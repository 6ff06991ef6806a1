/* Test support for the proxy tests: a proxy in front of an upstream, a
 * hostile-server upstream with a proxy in front of it, and a raw client
 * socket for clients that misbehave. Failures end the calling test through
 * Criterion asserts. The proxy tests also use the hostile server and the
 * reference-server tests' HTTP client, included here. */
#ifndef WHOPCONF_TESTS_PROXY_SUPPORT_H
#define WHOPCONF_TESTS_PROXY_SUPPORT_H

#include "support/hostile_server.h"
#include "support/refserver_client.h"
#include "whopconf/common.h"
#include "whopconf/proxy.h"

/* A proxy in front of upstream; o may be NULL (defaults). origin gets
 * "http://127.0.0.1:PORT". */
wc_proxy *proxy_start(const char *upstream, wc_proxy_opts *o, char origin[128]);

/* A hostile-server upstream (mode, configured by setup when not NULL) with
 * a proxy in front of it (o may be NULL). */
typedef struct proxied {
  hs_server *up;
  wc_proxy *p;
  char origin[128]; /* the proxy's */
} proxied;

proxied proxied_start(hs_mode mode, wc_proxy_opts *o, void (*setup)(hs_server *));
void proxied_end(proxied *x);

/* A connected TCP socket to the proxy, or an assertion failure. */
int raw_connect(wc_proxy *p);
/* Waits until the peer closes fd (read returns 0 or an error) and returns
 * the milliseconds it took, or -1 after limit_ms; what arrives is kept in
 * got (may be NULL). */
double raw_wait_close(int fd, int limit_ms, wc_buf *got);

#endif
