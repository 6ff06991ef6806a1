/* Test support for the proxy tests: a proxy in front of an upstream, the
 * hostile upstream server, the loopback HTTP client of the reference-server
 * tests, and a raw client socket for clients that misbehave. */
#ifndef TEST_PROXY_SUPPORT_H
#define TEST_PROXY_SUPPORT_H

#include <netinet/in.h>
#include <sys/socket.h>

#include "hostile_server.c"
#include "../test_refserver_http.h"
#include "whopconf/proxy.h"

/* A proxy in front of upstream; o may be NULL (defaults). origin gets
 * "http://127.0.0.1:PORT". */
static UNUSED_FN wc_proxy *proxy_start(const char *upstream, wc_proxy_opts *o, char origin[128]) {
  wc_proxy_opts d;
  if (!o) {
    wc_proxy_opts_default(&d);
    o = &d;
  }
  o->upstream = upstream;
  wc_err err;
  wc_proxy *p = wc_proxy_start(o, &err);
  cr_assert_not_null(p, "proxy start: %s", err.msg);
  snprintf(origin, 128, "http://127.0.0.1:%u", wc_proxy_port(p));
  return p;
}

static UNUSED_FN hs_server *hs_started(hs_mode mode) {
  hs_server *s = hs_start("127.0.0.1", mode);
  cr_assert_not_null(s, "cannot start the upstream");
  return s;
}

static UNUSED_FN void hs_upstream(hs_server *s, char out[128]) {
  snprintf(out, 128, "http://127.0.0.1:%u/api/v1", s->port);
}

/* A hostile-server upstream (mode, configured by setup when not NULL) with
 * a proxy in front of it (o may be NULL). */
typedef struct proxied {
  hs_server *up;
  wc_proxy *p;
  char origin[128]; /* the proxy's */
} proxied;

static UNUSED_FN proxied proxied_start(hs_mode mode, wc_proxy_opts *o, void (*setup)(hs_server *)) {
  proxied x;
  x.up = hs_started(mode);
  if (setup) setup(x.up);
  hs_run(x.up);
  char upstream[128];
  hs_upstream(x.up, upstream);
  x.p = proxy_start(upstream, o, x.origin);
  return x;
}

static UNUSED_FN void proxied_end(proxied *x) {
  wc_proxy_free(x->p);
  hs_stop(x->up);
}

/* A connected TCP socket to the proxy, or an assertion failure. */
static UNUSED_FN int raw_connect(wc_proxy *p) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  cr_assert_geq(fd, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons(wc_proxy_port(p));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0, "connect: %s", strerror(errno));
  return fd;
}

/* Waits until the peer closes fd (read returns 0 or an error) and returns
 * the milliseconds it took, or -1 after limit_ms; what arrives is kept in
 * got (may be NULL). */
static UNUSED_FN double raw_wait_close(int fd, int limit_ms, wc_buf *got) {
  double t0 = hs_now_ms();
  for (;;) {
    double left = limit_ms - (hs_now_ms() - t0);
    if (left <= 0) return -1;
    struct pollfd pfd = {fd, POLLIN, 0};
    if (poll(&pfd, 1, (int)left) <= 0) continue;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return hs_now_ms() - t0;
    if (got) wc_buf_append(got, buf, (size_t)n);
  }
}

#endif
