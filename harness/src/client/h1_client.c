/* whopconf's own http:// client: see whopconf/h1_client.h for what it keeps
 * of libcurl's contract. One socket, non-blocking; every wait is a poll
 * bounded by the call's deadline (in slices when a stop flag is given). */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "whopconf/common.h"
#include "whopconf/h1_client.h"

#define WAIT_SLICE_MS 250
#define ORIGIN_MAX 320

struct wc_h1_client {
  int fd;                  /* -1: no connection */
  char origin[ORIGIN_MAX]; /* "host port" of the connection */
  wc_h1_response *parser;
  char in[32768];
};

/* The state of one exchange. */
typedef struct call_state {
  wc_h1_client *c;
  const wc_h1_call *call;
  wc_h1_outcome *out;
  double ready_ms; /* the connection was ready for the request */
  bool reused;     /* the connection carried an earlier request */
  bool unsent;     /* the server answered before the whole request was sent */
} call_state;

wc_h1_client *wc_h1_client_new(const wc_h1_limits *limits) {
  wc_h1_client *c = malloc(sizeof *c);
  if (!c) return NULL;
  c->fd = -1;
  c->origin[0] = '\0';
  if (!(c->parser = wc_h1_response_new(limits))) {
    free(c);
    return NULL;
  }
  return c;
}

void wc_h1_client_close(wc_h1_client *c) {
  if (!c || c->fd < 0) return;
  close(c->fd);
  c->fd = -1;
}

void wc_h1_client_free(wc_h1_client *c) {
  if (!c) return;
  wc_h1_client_close(c);
  wc_h1_response_free(c->parser);
  free(c);
}

static bool failed(call_state *s, wc_xfer_status kind, const char *what, const char *detail) {
  s->out->status = kind;
  snprintf(s->out->why, sizeof s->out->why, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
  return false;
}

/* Why a wait ran out, from how far the exchange got. */
static bool timed_out(call_state *s, bool first_byte_watchdog) {
  wc_h1_outcome *o = s->out;
  if (!o->connected) return failed(s, WC_XFER_TIMEOUT_CONNECT, "no connection within the timeout", NULL);
  if (o->got_first_byte) return failed(s, WC_XFER_TIMEOUT_TOTAL, "response not complete within the timeout", NULL);
  o->first_byte_timeout = first_byte_watchdog;
  return failed(s, WC_XFER_TIMEOUT_FIRST_BYTE, "no response byte within the timeout", NULL);
}

/* Waits until the socket is ready for one of events (*revents says which)
 * or the deadline passes. False (the outcome set) on a timeout or a stop. */
static bool wait_for(call_state *s, short events, double deadline, short *revents) {
  const wc_h1_call *call = s->call;
  for (;;) {
    if (call->stop && atomic_load(call->stop)) {
      s->out->stopped = true;
      return failed(s, WC_XFER_OTHER, "stopped; transfer aborted", NULL);
    }
    double left = deadline - wc_monotonic_ms();
    if (left <= 0) return timed_out(s, deadline < call->deadline);
    double slice = call->stop && left > WAIT_SLICE_MS ? WAIT_SLICE_MS : left + 1;
    struct pollfd pfd = {.fd = s->c->fd, .events = events};
    int n = poll(&pfd, 1, slice > INT_MAX ? INT_MAX : (int)slice);
    if (n > 0) {
      if (revents) *revents = pfd.revents;
      return true;
    }
    if (n < 0 && errno != EINTR) return failed(s, WC_XFER_OTHER, "poll", strerror(errno));
  }
}

static bool connect_one(call_state *s, const struct addrinfo *ai, double deadline) {
  wc_h1_client *c = s->c;
  c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
  if (c->fd < 0) return failed(s, WC_XFER_OTHER, "socket", strerror(errno));
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0) return true;
  if (errno != EINPROGRESS) return failed(s, WC_XFER_CONNECT_REFUSED, "connect", strerror(errno));
  if (!wait_for(s, POLLOUT, deadline, NULL)) return false;
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  return err == 0 || failed(s, WC_XFER_CONNECT_REFUSED, "connect", strerror(err));
}

/* A new connection, within the connect timeout; each address in turn while
 * they refuse. */
static bool open_connection(call_state *s) {
  const wc_h1_call *call = s->call;
  double t = wc_monotonic_ms() + (double)call->connect_timeout_ms;
  /* The connect phase has its own deadline: running out of it is a connect
   * timeout even when it is also the end of the whole exchange. */
  double deadline = t < call->deadline ? t : call->deadline;
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *list = NULL;
  int rc = getaddrinfo(call->host, call->port, &hints, &list);
  if (rc != 0) return failed(s, WC_XFER_DNS, "host name not resolved", gai_strerror(rc));
  bool ok = false;
  for (const struct addrinfo *ai = list; ai && !ok; ai = ai->ai_next) {
    ok = connect_one(s, ai, deadline);
    if (!ok) wc_h1_client_close(s->c);
    if (!ok && s->out->status != WC_XFER_CONNECT_REFUSED) break; /* a timeout or a stop ends it */
  }
  freeaddrinfo(list);
  if (!ok) return false;
  s->out->connects++;
  s->reused = false;
  snprintf(s->c->origin, sizeof s->c->origin, "%s %s", call->host, call->port);
  return true;
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

#define MAX_PARTS 8

/* The request in as few sendmsg calls as the socket buffer allows. A server
 * that answers (or closes) before taking the whole body has its answer
 * read: s->unsent, and the connection is not kept. */
static bool send_request(call_state *s) {
  const wc_h1_call *call = s->call;
  struct iovec iov[MAX_PARTS];
  size_t parts = call->request_parts;
  if (parts > MAX_PARTS) return failed(s, WC_XFER_OTHER, "a request in more than 8 parts", NULL);
  memcpy(iov, call->request, parts * sizeof *iov);
  struct msghdr msg = {.msg_iov = iov, .msg_iovlen = parts};
  while (msg.msg_iovlen) {
    ssize_t n = sendmsg(s->c->fd, &msg, MSG_NOSIGNAL);
    if (n >= 0) {
      advance(&msg, (size_t)n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      short revents = 0;
      if (!wait_for(s, POLLOUT | POLLIN, call->deadline, &revents)) return false;
      if (revents & POLLOUT) continue;
      s->unsent = true; /* readable or closed: an early answer, or the end */
      return true;
    }
    if (errno == EPIPE || errno == ECONNRESET) {
      s->unsent = true; /* an answer may still wait in the receive buffer */
      return true;
    }
    return failed(s, WC_XFER_OTHER, "sending the request", strerror(errno));
  }
  return true;
}

static bool parse_failed(call_state *s) {
  const wc_h1_response *r = s->c->parser;
  wc_h1_failure f = wc_h1_response_failure(r);
  s->out->failure = f;
  const char *why = wc_h1_response_why(r);
  switch (f) {
  case WC_H1_BODY_TOO_LARGE: return failed(s, WC_XFER_BODY_TOO_LARGE, why, NULL);
  case WC_H1_HEAD_TOO_LARGE: return failed(s, WC_XFER_HEADERS_TOO_LARGE, why, NULL);
  case WC_H1_TRUNCATED: return failed(s, WC_XFER_TRUNCATED, why, NULL);
  case WC_H1_EMPTY: return failed(s, WC_XFER_RESET, why, NULL);
  case WC_H1_SINK: return failed(s, WC_XFER_OTHER, "the response was refused by its recorder", NULL);
  default: return failed(s, WC_XFER_MALFORMED, why, NULL);
  }
}

/* Reads until the response is complete; keeps the connection when the
 * response allows it and nothing followed it. */
static bool read_response(call_state *s) {
  wc_h1_client *c = s->c;
  const wc_h1_call *call = s->call;
  double first_byte_deadline = call->deadline;
  if (call->first_byte_timeout_ms > 0 && s->ready_ms + (double)call->first_byte_timeout_ms < call->deadline)
    first_byte_deadline = s->ready_ms + (double)call->first_byte_timeout_ms;
  wc_h1_response_begin(c->parser, call->head_request, &call->sink);
  for (;;) {
    double deadline = s->out->got_first_byte ? call->deadline : first_byte_deadline;
    if (!wait_for(s, POLLIN, deadline, NULL)) return false;
    ssize_t n = recv(c->fd, c->in, sizeof c->in, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n < 0 && errno != ECONNRESET) return failed(s, WC_XFER_OTHER, "receiving the response", strerror(errno));
    if (n < 0)
      return failed(s, WC_XFER_RESET, "connection reset by the server",
                    wc_h1_response_bytes(c->parser) ? "inside the response" : "before any response");
    if (n == 0) {
      wc_h1_progress end = wc_h1_response_eof(c->parser);
      wc_h1_client_close(c);
      return end == WC_H1_DONE || parse_failed(s);
    }
    s->out->got_first_byte = true;
    size_t used = 0;
    wc_h1_progress pr = wc_h1_response_feed(c->parser, c->in, (size_t)n, &used);
    if (pr == WC_H1_FAILED) return parse_failed(s);
    if (pr == WC_H1_DONE) {
      if (s->unsent || used < (size_t)n || !wc_h1_response_reusable(c->parser)) wc_h1_client_close(c);
      return true;
    }
  }
}

/* A kept connection with something to read before a request was sent is
 * not fit for one: the server closed it, or sent bytes nobody asked for (a
 * 408 on an idle connection) that would be taken for the next answer.
 * libcurl checks the same before it reuses a connection. */
static bool stale(const wc_h1_client *c) {
  struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
  return poll(&pfd, 1, 0) != 0;
}

/* The connection leads where call goes: c->origin is "host port". */
static bool same_origin(const wc_h1_client *c, const wc_h1_call *call) {
  size_t h = strlen(call->host);
  return strncmp(c->origin, call->host, h) == 0 && c->origin[h] == ' ' && strcmp(c->origin + h + 1, call->port) == 0;
}

/* One attempt: on the kept connection when it leads to the same place. */
static bool attempt(call_state *s) {
  wc_h1_client *c = s->c;
  if (c->fd >= 0 && (!same_origin(c, s->call) || stale(c))) wc_h1_client_close(c);
  if (c->fd >= 0) s->reused = true;
  else if (!open_connection(s)) return false;
  s->out->connected = true;
  s->ready_ms = wc_monotonic_ms();
  s->unsent = false;
  return send_request(s) && read_response(s);
}

void wc_h1_client_exchange(wc_h1_client *c, const wc_h1_call *call, wc_h1_outcome *out) {
  memset(out, 0, sizeof *out);
  out->status = WC_XFER_OK;
  call_state s = {.c = c, .call = call, .out = out};
  bool ok = attempt(&s);
  /* A kept connection the server closed before answering: once more on a
   * new one (the request reached no server that answered it). */
  if (!ok && s.reused && !out->got_first_byte && out->status == WC_XFER_RESET) {
    wc_h1_client_close(c);
    out->status = WC_XFER_OK;
    out->why[0] = '\0';
    out->failure = WC_H1_NONE;
    ok = attempt(&s);
  }
  if (!ok) wc_h1_client_close(c);
}
