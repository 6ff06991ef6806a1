/* Test support: proxy test set-up (see proxy_support.h). */
#include "proxy_support.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

wc_proxy *proxy_start(const char *upstream, wc_proxy_opts *o, char origin[128]) {
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

proxied proxied_start(hs_mode mode, wc_proxy_opts *o, void (*setup)(hs_server *)) {
  proxied x;
  x.up = hs_start("127.0.0.1", mode);
  cr_assert_not_null(x.up, "cannot start the upstream");
  if (setup) setup(x.up);
  hs_run(x.up);
  char upstream[128];
  hs_base(x.up, upstream, sizeof upstream);
  x.p = proxy_start(upstream, o, x.origin);
  return x;
}

void proxied_end(proxied *x) {
  wc_proxy_free(x->p);
  hs_stop(x->up);
}

int raw_connect(wc_proxy *p) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  cr_assert_geq(fd, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons(wc_proxy_port(p));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0, "connect: %s", strerror(errno));
  return fd;
}

double raw_wait_close(int fd, int limit_ms, wc_buf *got) {
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
