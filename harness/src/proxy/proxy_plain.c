/* The upstream side for a plain http:// upstream: one keep-alive socket per
 * connection thread, the request written with one sendmsg (head and body),
 * the response read with wc_h1_response. libcurl's generality (URL parsing,
 * connection cache checks, option resets, its own header parsing) was two
 * thirds of the proxy's CPU per request; this path does three system calls
 * per request (send, poll, recv) and no allocation once warm.
 *
 * Same contract as the libcurl path: the connect and total timeouts, the
 * response caps, the failure kinds, a stop of the proxy ends a transfer
 * (checked every WAIT_SLICE_MS while waiting); a reused connection the
 * upstream closed before answering is retried once on a new one, as
 * libcurl does. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "proxy_internal.h"
#include "whopconf/http1.h"

#define WAIT_SLICE_MS 250

typedef struct plain {
  wc_proxy *p;
  px_thread *th;
  px_exchange *x;
  double deadline;     /* of the whole exchange */
  bool connected;      /* a connection to the upstream is up */
  bool reused;         /* it carried an earlier request */
  bool got_first_byte;
  wc_xfer_status fail; /* OK while all goes well */
  char why[160];
} plain;

static bool failed(plain *u, wc_xfer_status kind, const char *fmt, const char *arg) {
  u->fail = kind;
  snprintf(u->why, sizeof u->why, fmt, arg);
  return false;
}

static void drop_connection(px_thread *th) {
  if (th->fd >= 0) close(th->fd);
  th->fd = -1;
}

/* Waits until fd is ready for events, up to the deadline, looking at the
 * stop flag every slice. False (u->fail set) on a timeout or a stop. */
static bool wait_for(plain *u, short events, double deadline) {
  for (;;) {
    if (atomic_load(&u->p->stopping)) return failed(u, WC_XFER_OTHER, "%s", "the proxy is stopping; transfer aborted");
    double left = deadline - wc_monotonic_ms();
    if (left <= 0) {
      wc_xfer_status kind = !u->connected        ? WC_XFER_TIMEOUT_CONNECT
                            : u->got_first_byte ? WC_XFER_TIMEOUT_TOTAL
                                                : WC_XFER_TIMEOUT_FIRST_BYTE;
      return failed(u, kind, "%s within the timeout", !u->connected ? "no connection" : "no complete response");
    }
    struct pollfd pfd = {.fd = u->th->fd, .events = events};
    int n = poll(&pfd, 1, left < WAIT_SLICE_MS ? (int)left + 1 : WAIT_SLICE_MS);
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return failed(u, WC_XFER_OTHER, "poll: %s", strerror(errno));
  }
}

static bool connect_one(plain *u, const struct addrinfo *ai, double deadline) {
  px_thread *th = u->th;
  th->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
  if (th->fd < 0) return failed(u, WC_XFER_OTHER, "socket: %s", strerror(errno));
  int one = 1;
  setsockopt(th->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(th->fd, ai->ai_addr, ai->ai_addrlen) != 0) {
    if (errno != EINPROGRESS) return failed(u, WC_XFER_CONNECT_REFUSED, "connect: %s", strerror(errno));
    if (!wait_for(u, POLLOUT, deadline)) return false;
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(th->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err) return failed(u, WC_XFER_CONNECT_REFUSED, "connect: %s", strerror(err));
  }
  return true;
}

/* A new connection to the upstream, within the connect timeout. */
static bool connect_upstream(plain *u) {
  wc_proxy *p = u->p;
  double t = wc_monotonic_ms() + (double)p->o.connect_timeout_ms;
  double deadline = t < u->deadline ? t : u->deadline;
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *list = NULL;
  int rc = getaddrinfo(p->upstream_host, p->upstream_port, &hints, &list);
  if (rc != 0) return failed(u, WC_XFER_DNS, "cannot resolve the upstream host: %s", gai_strerror(rc));
  bool ok = false;
  for (const struct addrinfo *ai = list; ai && !ok; ai = ai->ai_next) {
    ok = connect_one(u, ai, deadline);
    if (!ok) drop_connection(u->th);
    if (!ok && u->fail != WC_XFER_CONNECT_REFUSED) break; /* a timeout or a stop ends the attempt */
  }
  freeaddrinfo(list);
  u->connected = ok;
  u->reused = false;
  return ok;
}

/* The request head: what the client sent, for this hop. */
static bool write_head(plain *u) {
  wc_proxy *p = u->p;
  px_exchange *x = u->x;
  wc_buf *out = &u->th->out;
  wc_buf tokens;
  wc_buf_init(&tokens);
  out->len = 0;
  bool ok = px_connection_tokens(&x->req_headers, &tokens) == 0 &&
            wc_buf_printf(out, "%s %s HTTP/1.1\r\nHost: %s\r\n", x->method, x->target, p->upstream_authority) == 0;
  size_t pos = 0;
  const char *n, *v;
  while (ok && px_headers_next(&x->req_headers, &pos, &n, &v)) {
    if (!px_forwarded_request_field(n, tokens.data)) continue;
    if (strpbrk(v, "\r\n")) { /* libmicrohttpd unfolds lines: never, but never a line break upstream either */
      wc_buf_free(&tokens);
      return failed(u, WC_XFER_OTHER, "%s", "a request field holds a line break");
    }
    ok = wc_buf_puts(out, n) == 0 && wc_buf_append(out, ":", 1) == 0 && (!*v || wc_buf_append(out, " ", 1) == 0) &&
         wc_buf_puts(out, v) == 0 && wc_buf_append(out, "\r\n", 2) == 0;
  }
  if (ok && x->has_body && strcmp(x->method, "HEAD") != 0)
    ok = wc_buf_printf(out, "Content-Length: %zu\r\n", x->req_body.len) == 0;
  ok = ok && wc_buf_append(out, "\r\n", 2) == 0;
  wc_buf_free(&tokens);
  return ok || failed(u, WC_XFER_OTHER, "%s", "out of memory writing the request");
}

/* Moves msg past n bytes sent. */
static void advance(struct msghdr *msg, size_t n) {
  while (msg->msg_iovlen && n >= msg->msg_iov->iov_len) {
    n -= msg->msg_iov->iov_len;
    msg->msg_iov++;
    msg->msg_iovlen--;
  }
  if (msg->msg_iovlen) {
    msg->msg_iov->iov_base = (char *)msg->msg_iov->iov_base + n;
    msg->msg_iov->iov_len -= n;
  }
}

/* Head and body in one sendmsg (more only when the socket buffer is full). */
static bool send_request(plain *u) {
  px_exchange *x = u->x;
  bool body = x->has_body && strcmp(x->method, "HEAD") != 0 && x->req_body.len;
  struct iovec iov[2] = {{u->th->out.data, u->th->out.len}, {x->req_body.data, body ? x->req_body.len : 0}};
  struct msghdr msg = {.msg_iov = iov, .msg_iovlen = body ? 2 : 1};
  while (msg.msg_iovlen) {
    ssize_t n = sendmsg(u->th->fd, &msg, MSG_NOSIGNAL);
    if (n >= 0) advance(&msg, (size_t)n);
    else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_for(u, POLLOUT, u->deadline)) return false;
    } else if (errno != EINTR) {
      return failed(u, errno == EPIPE || errno == ECONNRESET ? WC_XFER_RESET : WC_XFER_OTHER,
                    "sending the request: %s", strerror(errno));
    }
  }
  return true;
}

/* ---- the response, into the exchange ---------------------------------------- */

static int on_status(void *ud, int status) {
  px_exchange *x = ud;
  x->status = status;
  return 0;
}

static int on_field(void *ud, const char *name, size_t name_len, const char *value, size_t value_len) {
  return px_headers_add(&((px_exchange *)ud)->resp_headers, name, name_len, value, value_len);
}

static int on_fold(void *ud, const char *text, size_t len) {
  return px_headers_extend(&((px_exchange *)ud)->resp_headers, text, len);
}

static int on_body(void *ud, const char *data, size_t len) {
  return wc_buf_append(&((px_exchange *)ud)->resp_body, data, len);
}

static bool parse_failed(plain *u) {
  const wc_h1_response *r = u->th->h1;
  switch (wc_h1_response_failure(r)) {
  case WC_H1_BODY_TOO_LARGE: return failed(u, WC_XFER_BODY_TOO_LARGE, "%s", "");
  case WC_H1_HEAD_TOO_LARGE: return failed(u, WC_XFER_HEADERS_TOO_LARGE, "%s", "");
  case WC_H1_TRUNCATED: return failed(u, WC_XFER_TRUNCATED, "%s", wc_h1_response_why(r));
  case WC_H1_EMPTY: return failed(u, WC_XFER_RESET, "%s", wc_h1_response_why(r));
  case WC_H1_SINK: return failed(u, WC_XFER_OTHER, "%s", "out of memory recording the response");
  default: return failed(u, WC_XFER_MALFORMED, "malformed response: %s", wc_h1_response_why(r));
  }
}

/* Reads until the response is complete; keeps the connection when the
 * response allows it and nothing followed it. */
static bool read_response(plain *u) {
  px_thread *th = u->th;
  wc_h1_sink sink = {u->x, on_status, on_field, on_fold, on_body};
  wc_h1_response_begin(th->h1, strcmp(u->x->method, "HEAD") == 0, &sink);
  for (;;) {
    if (!wait_for(u, POLLIN, u->deadline)) return false;
    ssize_t n = recv(th->fd, th->in, sizeof th->in, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n < 0 && errno != ECONNRESET)
      return failed(u, WC_XFER_OTHER, "receiving the response: %s", strerror(errno));
    if (n <= 0) {
      if (n < 0 && wc_h1_response_bytes(th->h1) == 0)
        return failed(u, WC_XFER_RESET, "%s", "connection reset before any response");
      if (n < 0) return failed(u, WC_XFER_RESET, "%s", "connection reset inside the response");
      wc_h1_progress end = wc_h1_response_eof(th->h1);
      if (end == WC_H1_DONE) drop_connection(th);
      return end == WC_H1_DONE || parse_failed(u);
    }
    u->got_first_byte = true;
    size_t used = 0;
    wc_h1_progress pr = wc_h1_response_feed(th->h1, th->in, (size_t)n, &used);
    if (pr == WC_H1_FAILED) return parse_failed(u);
    if (pr == WC_H1_DONE) {
      if (used < (size_t)n || !wc_h1_response_reusable(th->h1)) drop_connection(th);
      return true;
    }
  }
}

/* One attempt on the thread's connection (a new one when there is none). */
static bool attempt(plain *u) {
  if (u->th->fd >= 0) u->connected = u->reused = true;
  else if (!connect_upstream(u)) return false;
  return send_request(u) && read_response(u);
}

static void describe(plain *u) {
  px_exchange *x = u->x;
  x->failure = PX_UPSTREAM;
  if (u->fail == WC_XFER_BODY_TOO_LARGE || u->fail == WC_XFER_HEADERS_TOO_LARGE) {
    px_describe_too_large(u->p, x, u->fail);
    return;
  }
  x->xfer = u->fail;
  snprintf(x->error, sizeof x->error, "%s (%s)", wc_xfer_status_name(u->fail), u->why);
}

void px_forward_plain(wc_proxy *p, px_thread *th, px_exchange *x) {
  if (!th->h1) {
    wc_h1_limits lim = {PX_MAX_RESPONSE_HEADER_BYTES, PX_MAX_RESPONSE_HEADER_FIELDS, p->o.max_response_body};
    if (!(th->h1 = wc_h1_response_new(&lim))) {
      x->failure = PX_PROXY_NOMEM;
      snprintf(x->error, sizeof x->error, "out of memory preparing the upstream request");
      return;
    }
  }
  plain u = {.p = p, .th = th, .x = x, .deadline = wc_monotonic_ms() + (double)p->o.timeout_ms};
  if (!write_head(&u)) {
    describe(&u);
    return;
  }
  bool ok = attempt(&u);
  /* A kept connection the upstream closed before answering: once more on a
   * new one (the request never reached a server that answered it). */
  if (!ok && u.reused && !u.got_first_byte && u.fail == WC_XFER_RESET) {
    drop_connection(th);
    u.fail = WC_XFER_OK;
    ok = attempt(&u);
  }
  if (ok) {
    x->xfer = WC_XFER_OK;
    return;
  }
  drop_connection(th);
  px_headers_free(&x->resp_headers);
  wc_buf_free(&x->resp_body);
  x->status = 0;
  describe(&u);
}
