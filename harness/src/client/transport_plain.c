/* The transport's engine for http://: whopconf's own HTTP/1.1 client
 * (whopconf/h1_client.h). It takes a request only when it can put on the
 * wire the bytes libcurl would send for it (docs/transport.md, "Two
 * engines"): http:// with a plain host, a target of visible ASCII without
 * dot segments, header lines without line breaks and none of the fields
 * libcurl writes itself. Anything else is libcurl's to send: one rule for
 * the odd URL, not a second interpretation of it. (wc_request_build already
 * hands over URLs normalised by libcurl's URL API and refuses line breaks
 * in fields, so these checks are a guard, not a path taken in practice.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "transport_internal.h"
#include "whopconf/h1_client.h"

struct wc_tx_plain {
  const wc_transport_opts *o;
  wc_h1_client *client; /* on first use */
  wc_buf head;          /* the request head being written */
  char host[256], port[8]; /* where to connect (no brackets) */
};

wc_tx_plain *wc_tx_plain_new(const wc_transport_opts *o) {
  wc_tx_plain *pl = calloc(1, sizeof *pl);
  if (!pl) return NULL;
  pl->o = o;
  wc_buf_init(&pl->head);
  return pl;
}

void wc_tx_plain_free(wc_tx_plain *pl) {
  if (!pl) return;
  wc_h1_client_free(pl->client);
  wc_buf_free(&pl->head);
  free(pl);
}

/* ---- does the request fit? ---- */

typedef struct target {
  const char *host; /* as written in the URL, brackets included */
  size_t host_len;
  const char *path; /* from the first '/' or '?' up to '#' or the end */
  size_t path_len;
} target;

static bool host_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_';
}

/* host and port of "host[:port]" or "[v6][:port]" into pl, and the length
 * of the host as written (brackets included) into *written; false when the
 * authority is not that simple (user info, percent-encoding, a zone). */
static bool split_authority(wc_tx_plain *pl, const char *a, size_t n, size_t *written) {
  const char *host = a, *colon;
  size_t host_len;
  if (n && a[0] == '[') {
    const char *close = memchr(a, ']', n);
    if (!close) return false;
    host = a + 1;
    host_len = (size_t)(close - host);
    for (size_t i = 0; i < host_len; i++)
      if (!strchr("0123456789abcdefABCDEF:.", host[i])) return false;
    colon = close + 1 < a + n ? close + 1 : NULL;
    if (colon && *colon != ':') return false;
    *written = host_len + 2;
  } else {
    colon = memchr(a, ':', n);
    host_len = colon ? (size_t)(colon - a) : n;
    for (size_t i = 0; i < host_len; i++)
      if (!host_char((unsigned char)host[i])) return false;
    *written = host_len;
  }
  if (host_len == 0 || host_len >= sizeof pl->host) return false;
  const char *port = colon ? colon + 1 : "80";
  size_t port_len = colon ? (size_t)(a + n - port) : 2;
  if (port_len == 0 || port_len > 5) return false;
  long value = 0;
  for (size_t i = 0; i < port_len; i++) {
    if (port[i] < '0' || port[i] > '9') return false;
    value = value * 10 + (port[i] - '0');
  }
  if (value < 1 || value > 65535) return false;
  memcpy(pl->host, host, host_len);
  pl->host[host_len] = '\0';
  snprintf(pl->port, sizeof pl->port, "%ld", value);
  return true;
}

/* libcurl sends the path as written (a '?' first gets a '/' before it) and
 * drops a fragment; it would rewrite dot segments and escape other bytes,
 * so such targets stay with it. */
static bool plain_target(wc_tx_plain *pl, const char *url, target *t) {
  if (strncmp(url, "http://", 7) != 0) return false;
  const char *a = url + 7;
  size_t an = strcspn(a, "/?#");
  if (!split_authority(pl, a, an, &t->host_len)) return false;
  t->host = a;
  t->path = a + an;
  t->path_len = strcspn(t->path, "#");
  bool in_query = false;
  for (size_t i = 0; i < t->path_len; i++) {
    unsigned char c = (unsigned char)t->path[i];
    if (c <= 0x20 || c >= 0x7f || c == '\\') return false;
    in_query = in_query || c == '?';
    if (!in_query && c == '.' && i > 0 && t->path[i - 1] == '/') return false; /* a segment starting with a dot */
  }
  return true;
}

static bool field_is(const char *line, const char *name) {
  size_t n = strlen(name);
  return strncasecmp(line, name, n) == 0 && line[n] == ':';
}

/* Fields libcurl writes or treats specially: a request carrying one of
 * these goes through libcurl. */
static bool curl_managed_field(const char *line) {
  return field_is(line, "Host") || field_is(line, "Content-Length") || field_is(line, "Transfer-Encoding") ||
         field_is(line, "Expect") || field_is(line, "Connection");
}

static bool token(const char *s) {
  if (!*s) return false;
  for (; *s; s++)
    if (!wc_http_tchar((unsigned char)*s)) return false;
  return true;
}

/* ---- the request head, as libcurl writes it ---- */

/* "METHOD target HTTP/1.1", Host (the URL's host as written, and the port
 * unless it is 80, in decimal: libcurl's form), Accept (libcurl's default,
 * unless the request has one), the request's fields in order (a blank
 * value goes out as "Name:"), Content-Length when there is a body, the
 * blank line. */
static int write_head(wc_tx_plain *pl, const wc_request *req, const target *t, bool has_body, size_t body_len) {
  wc_buf *h = &pl->head;
  h->len = 0;
  const char *method = wc_request_method(req);
  if (!token(method)) return 1;
  bool has_accept = false;
  for (size_t i = 0; i < wc_request_header_count(req); i++) {
    const char *line = wc_request_header(req, i);
    const char *colon = strchr(line, ':');
    if (!colon || colon == line || strpbrk(line, "\r\n") || curl_managed_field(line)) return 1;
    if (field_is(line, "Accept")) has_accept = true;
  }
  bool port80 = strcmp(pl->port, "80") == 0;
  int rc = wc_buf_printf(h, "%s %s%.*s HTTP/1.1\r\nHost: %.*s%s%s\r\n%s", method, t->path[0] == '/' ? "" : "/",
                         (int)t->path_len, t->path, (int)t->host_len, t->host, port80 ? "" : ":",
                         port80 ? "" : pl->port, has_accept ? "" : "Accept: */*\r\n");
  for (size_t i = 0; rc == 0 && i < wc_request_header_count(req); i++) {
    const char *line = wc_request_header(req, i);
    const char *colon = strchr(line, ':');
    if (colon[strspn(colon + 1, " \t") + 1] == '\0') rc = wc_buf_append(h, line, (size_t)(colon + 1 - line));
    else rc = wc_buf_puts(h, line);
    if (rc == 0) rc = wc_buf_append(h, "\r\n", 2);
  }
  if (rc == 0 && has_body) rc = wc_buf_printf(h, "Content-Length: %zu\r\n", body_len);
  if (rc == 0) rc = wc_buf_append(h, "\r\n", 2);
  return rc == 0 ? 0 : -1;
}

/* ---- the response, into the exchange ---- */

static int on_status(void *ud, int status) {
  wc_tx_attempt *a = ud;
  a->x->has_response = true;
  a->x->http_status = status;
  return 0;
}

static int on_field(void *ud, const char *name, size_t name_len, const char *value, size_t value_len) {
  wc_tx_attempt *a = ud;
  if (wc_exchange_add_header(a->x, name, name_len, value, value_len) == 0) return 0;
  a->nomem = true;
  return -1;
}

static int on_fold(void *ud, const char *text, size_t len) {
  wc_tx_attempt *a = ud;
  if (wc_exchange_extend_header(a->x, text, len) == 0) return 0;
  a->nomem = true;
  return -1;
}

static int on_body(void *ud, const char *data, size_t len) { return wc_tx_record_body(ud, data, len); }

/* The outcome in the exchange's words. */
static void record_outcome(wc_tx_attempt *a, const wc_h1_outcome *out) {
  wc_exchange *x = a->x;
  x->connects += out->connects;
  if (out->status == WC_XFER_OK) {
    wc_exchange_set_ok(x);
    return;
  }
  wc_xfer_status st = out->status;
  a->first_byte_timeout = out->first_byte_timeout;
  if (out->failure == WC_H1_SINK) {
    st = a->nomem ? WC_XFER_OTHER : WC_XFER_BODY_TOO_LARGE;
  } else if (st == WC_XFER_HEADERS_TOO_LARGE) {
    wc_tx_headers_too_large(a, x->header_count < a->o->max_header_count);
  } else if (st == WC_XFER_MALFORMED) {
    a->malformed = true;
    snprintf(a->why, sizeof a->why, "%s", out->why);
  }
  wc_tx_describe_failure(a, st, out->why);
}

bool wc_tx_plain_attempt(wc_tx_plain *pl, const wc_request *req, wc_exchange *x) {
  const wc_transport_opts *o = pl->o;
  target t;
  if (!plain_target(pl, wc_request_url(req), &t)) return false;
  size_t body_len = 0;
  const char *body = wc_request_body(req, &body_len);
  int rc = write_head(pl, req, &t, body != NULL, body_len);
  if (rc > 0) return false;
  wc_exchange_reset_response(x);
  if (rc < 0) {
    wc_exchange_set_error(x, WC_XFER_OTHER, "out of memory preparing the request");
    return true;
  }
  if (!pl->client) {
    /* The body cap is the recorder's (it keeps the start of a longer body). */
    wc_h1_limits lim = {o->max_header_bytes, o->max_header_count, SIZE_MAX};
    if (!(pl->client = wc_h1_client_new(&lim))) {
      wc_exchange_set_error(x, WC_XFER_OTHER, "out of memory preparing the request");
      return true;
    }
  }
  wc_tx_attempt a = {.x = x, .o = o};
  struct iovec iov[2] = {{pl->head.data, pl->head.len}, {(void *)body, body ? body_len : 0}};
  wc_h1_call call = {
      .host = pl->host,
      .port = pl->port,
      .request = iov,
      .request_parts = body && body_len ? 2 : 1,
      .head_request = strcmp(wc_request_method(req), "HEAD") == 0,
      .deadline = wc_monotonic_ms() + (double)o->timeout_ms,
      .connect_timeout_ms = o->connect_timeout_ms,
      .first_byte_timeout_ms = o->first_byte_timeout_ms,
      .sink = {&a, on_status, on_field, on_fold, on_body},
  };
  wc_h1_outcome out;
  wc_h1_client_exchange(pl->client, &call, &out);
  record_outcome(&a, &out);
  return true;
}
