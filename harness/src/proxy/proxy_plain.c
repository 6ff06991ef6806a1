/* The upstream side for a plain http:// upstream: whopconf's own HTTP/1.1
 * client (whopconf/h1_client.h), one per connection thread, so one
 * keep-alive connection each. libcurl's generality (URL parsing, connection
 * cache checks, option resets, its own header parsing) was two thirds of the
 * proxy's CPU per request. Same contract as the libcurl path: the connect
 * and total timeouts, the response caps, the failure kinds; a stop of the
 * proxy ends a transfer. */
#include <stdio.h>
#include <string.h>

#include "proxy_internal.h"
#include "whopconf/h1_client.h"

/* The request head: what the client sent, for this hop. NULL, or why not. */
static const char *write_head(wc_proxy *p, px_thread *th, px_exchange *x) {
  wc_buf *out = &th->out;
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
      return "a request field holds a line break";
    }
    ok = wc_buf_puts(out, n) == 0 && wc_buf_append(out, ":", 1) == 0 && (!*v || wc_buf_append(out, " ", 1) == 0) &&
         wc_buf_puts(out, v) == 0 && wc_buf_append(out, "\r\n", 2) == 0;
  }
  if (ok && x->has_body && strcmp(x->method, "HEAD") != 0)
    ok = wc_buf_printf(out, "Content-Length: %zu\r\n", x->req_body.len) == 0;
  ok = ok && wc_buf_append(out, "\r\n", 2) == 0;
  wc_buf_free(&tokens);
  return ok ? NULL : "out of memory writing the request";
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


void px_forward_plain(wc_proxy *p, px_thread *th, px_exchange *x) {
  if (!th->h1) {
    wc_h1_limits lim = {PX_MAX_RESPONSE_HEADER_BYTES, PX_MAX_RESPONSE_HEADER_FIELDS, p->o.max_response_body};
    if (!(th->h1 = wc_h1_client_new(&lim))) {
      x->failure = PX_PROXY_NOMEM;
      snprintf(x->error, sizeof x->error, "out of memory preparing the upstream request");
      return;
    }
  }
  const char *unsendable = write_head(p, th, x);
  if (unsendable) {
    x->failure = PX_UPSTREAM;
    x->xfer = WC_XFER_OTHER;
    snprintf(x->error, sizeof x->error, "%s (%s)", wc_xfer_status_name(WC_XFER_OTHER), unsendable);
    return;
  }
  bool body = x->has_body && strcmp(x->method, "HEAD") != 0 && x->req_body.len;
  struct iovec iov[2] = {{th->out.data, th->out.len}, {x->req_body.data, body ? x->req_body.len : 0}};
  wc_h1_call call = {
      .host = p->upstream_host,
      .port = p->upstream_port,
      .request = iov,
      .request_parts = body ? 2 : 1,
      .head_request = strcmp(x->method, "HEAD") == 0,
      .deadline = wc_monotonic_ms() + (double)p->o.timeout_ms,
      .connect_timeout_ms = p->o.connect_timeout_ms,
      .stop = &p->stopping,
      .sink = {x, on_status, on_field, on_fold, on_body},
  };
  wc_h1_outcome out;
  wc_h1_client_exchange(th->h1, &call, &out);
  if (out.status == WC_XFER_OK) {
    x->xfer = WC_XFER_OK;
    return;
  }
  px_headers_free(&x->resp_headers);
  wc_buf_free(&x->resp_body);
  x->status = 0;
  x->failure = PX_UPSTREAM;
  if (out.status == WC_XFER_BODY_TOO_LARGE || out.status == WC_XFER_HEADERS_TOO_LARGE) {
    px_describe_too_large(p, x, out.status);
  } else if (out.failure == WC_H1_SINK) {
    x->xfer = WC_XFER_OTHER;
    snprintf(x->error, sizeof x->error, "out of memory recording the response");
  } else if (out.stopped) {
    x->xfer = WC_XFER_OTHER;
    snprintf(x->error, sizeof x->error, "the proxy is stopping; transfer aborted");
  } else {
    x->xfer = out.status;
    snprintf(x->error, sizeof x->error, "%s (%s)", wc_xfer_status_name(out.status), out.why);
  }
}
