/* The proxy's upstream side: each connection thread's state (a pthread
 * key), and the https:// forwarder on libcurl (a plain http:// upstream
 * goes to proxy_plain.c, which costs a third of the CPU per request).
 * whopconf's transport builds requests from a typed description of PATCH
 * /users/me; the proxy forwards any method, target, header and body as the
 * client sent them, so it has its own few options here and shares the
 * rest: the failure kinds (wc_xfer_status_from_curl), the head parser
 * (wc_h1_head_line), never following redirects, no proxy from the
 * environment, TLS verification on unless --insecure.
 *
 * One easy handle per connection thread, configured once with what never
 * changes; each transfer sets every option that varies (URL, fields,
 * method, body, the callbacks' data), so none carries over, and the live
 * connection and TLS session are kept (keep-alive). */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proxy_internal.h"
#include "whopconf/h1_client.h"
#include "whopconf/http1.h"

/* ---- one transfer ------------------------------------------------------------ */

typedef struct transfer {
  wc_proxy *p;
  px_exchange *x;
  bool connected, got_first_byte;
  wc_h1_head head;
  bool body_too_large, headers_too_large, malformed, nomem;
} transfer;

static int prereq_cb(void *ud, char *primary_ip, char *local_ip, int primary_port, int local_port) {
  (void)primary_ip;
  (void)local_ip;
  (void)primary_port;
  (void)local_port;
  ((transfer *)ud)->connected = true;
  return CURL_PREREQFUNC_OK;
}

/* Ends a transfer in flight once the proxy stops. */
static int xferinfo_cb(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
  (void)dltotal;
  (void)dlnow;
  (void)ultotal;
  (void)ulnow;
  return atomic_load(&((transfer *)ud)->p->stopping) ? 1 : 0;
}

static size_t header_cb(char *buf, size_t size, size_t nitems, void *ud) {
  transfer *t = ud;
  px_exchange *x = t->x;
  size_t len = size * nitems;
  t->got_first_byte = true;
  wc_h1_line l;
  switch (wc_h1_head_line(&t->head, buf, len, &l)) {
  case WC_H1_LINE_STATUS: /* a new response (the first, or the final one after a 1xx) */
    px_headers_free(&x->resp_headers);
    return len;
  case WC_H1_LINE_END: return len;
  case WC_H1_LINE_FIELD:
    if (px_headers_add(&x->resp_headers, l.name, l.name_len, l.value, l.value_len) == 0) return len;
    t->nomem = true;
    return 0;
  case WC_H1_LINE_FOLD:
    if (px_headers_extend(&x->resp_headers, l.value, l.value_len) == 0) return len;
    t->malformed = !x->resp_headers.count; /* a block cannot start with a continuation */
    t->nomem = !t->malformed;
    return 0;
  case WC_H1_LINE_TOO_LARGE: t->headers_too_large = true; return 0;
  case WC_H1_LINE_MALFORMED: t->malformed = true; return 0;
  }
  return 0;
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *ud) {
  transfer *t = ud;
  size_t len = size * nmemb;
  wc_buf *body = &t->x->resp_body;
  if (body->len + len > t->p->o.max_response_body) {
    t->body_too_large = true;
    return 0;
  }
  if (wc_buf_append(body, data, len) != 0) {
    t->nomem = true;
    return 0;
  }
  return len;
}

/* "Name: value", or "Name;" for an empty value (curl reads "Name:" as
 * "remove this header"). */
static struct curl_slist *append_field(struct curl_slist *list, wc_buf *line, const char *name, const char *value) {
  line->len = 0;
  int rc = wc_buf_puts(line, name);
  if (rc == 0) rc = *value ? wc_buf_append(line, ": ", 2) : wc_buf_append(line, ";", 1);
  if (rc == 0) rc = wc_buf_puts(line, value);
  if (rc != 0) return NULL;
  return curl_slist_append(list, line->data);
}

/* The client's fields minus the hop-by-hop ones and those libcurl writes
 * for this hop (Host, Content-Length); curl's own Expect and Accept, and
 * its form Content-Type, are suppressed so the upstream sees what the
 * client sent. */
static struct curl_slist *request_fields(const px_exchange *x, bool *ok) {
  wc_buf tokens, line;
  wc_buf_init(&tokens);
  wc_buf_init(&line);
  struct curl_slist *list = NULL, *next;
  *ok = px_connection_tokens(&x->req_headers, &tokens) == 0;
  bool has_accept = false, has_ctype = false;
  size_t pos = 0;
  const char *n, *v;
  while (*ok && px_headers_next(&x->req_headers, &pos, &n, &v)) {
    if (!px_forwarded_request_field(n, tokens.data)) continue;
    if (strcasecmp(n, "Accept") == 0) has_accept = true;
    if (strcasecmp(n, "Content-Type") == 0) has_ctype = true;
    if (!(next = append_field(list, &line, n, v))) *ok = false;
    else list = next;
  }
  const char *suppress[] = {"Expect:", has_accept ? NULL : "Accept:", has_ctype ? NULL : "Content-Type:"};
  for (size_t i = 0; *ok && i < 3; i++) {
    if (!suppress[i]) continue;
    if (!(next = curl_slist_append(list, suppress[i]))) *ok = false;
    else list = next;
  }
  wc_buf_free(&tokens);
  wc_buf_free(&line);
  return list;
}

/* What every transfer of this handle shares. */
static void configure_once(CURL *c, const wc_proxy *p) {
  const wc_proxy_opts *o = &p->o;
  curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L); /* the target as the client wrote it */
  wc_transport_curl_defaults(c, (long)o->connect_timeout_ms, (long)o->timeout_ms, o->insecure, o->cacert);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, prereq_cb);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
}

/* Everything that varies from one transfer to the next, set every time. */
static void configure_transfer(CURL *c, const px_exchange *x, transfer *t, const char *url, char *errbuf,
                               struct curl_slist *fields) {
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, fields);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
  curl_easy_setopt(c, CURLOPT_PREREQDATA, t);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, t);
  /* The method and the body: each branch resets what another one set. */
  const char *m = x->method;
  bool head = strcmp(m, "HEAD") == 0;
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
  if (x->has_body && !head) {
    curl_easy_setopt(c, CURLOPT_NOBODY, 0L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->req_body.len);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, x->req_body.data ? x->req_body.data : "");
    if (strcmp(m, "POST") != 0) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
  } else {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L); /* no body, and clears POST and NOBODY */
    if (head) curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else if (strcmp(m, "GET") != 0) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
  }
}

void px_describe_too_large(wc_proxy *p, px_exchange *x, wc_xfer_status kind) {
  x->xfer = kind;
  if (kind == WC_XFER_BODY_TOO_LARGE)
    snprintf(x->error, sizeof x->error, "response body over %zu bytes; transfer aborted", p->o.max_response_body);
  else
    snprintf(x->error, sizeof x->error, "response headers over %zu bytes or %d fields; transfer aborted",
             PX_MAX_RESPONSE_HEADER_BYTES, PX_MAX_RESPONSE_HEADER_FIELDS);
}

static void describe(px_exchange *x, const transfer *t, CURLcode rc, long os_errno, const char *errbuf) {
  const char *curl_msg = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  if (rc == CURLE_WRITE_ERROR && (t->body_too_large || t->headers_too_large)) {
    px_describe_too_large(t->p, x, t->body_too_large ? WC_XFER_BODY_TOO_LARGE : WC_XFER_HEADERS_TOO_LARGE);
  } else if (rc == CURLE_WRITE_ERROR && t->malformed) {
    x->xfer = WC_XFER_MALFORMED;
    snprintf(x->error, sizeof x->error, "malformed response: not an HTTP status line or header field");
  } else if (t->nomem) {
    x->xfer = WC_XFER_OTHER;
    snprintf(x->error, sizeof x->error, "out of memory recording the response");
  } else if (rc == CURLE_ABORTED_BY_CALLBACK) {
    x->xfer = WC_XFER_OTHER;
    snprintf(x->error, sizeof x->error, "the proxy is stopping; transfer aborted");
  } else {
    x->xfer = wc_xfer_status_from_curl(rc, os_errno, errbuf, t->connected, t->got_first_byte);
    snprintf(x->error, sizeof x->error, "%s (curl: %s)", wc_xfer_status_name(x->xfer), curl_msg);
  }
}

void px_upstream_thread_end(void *thread) {
  px_thread *th = thread;
  if (!th) return;
  if (th->curl) curl_easy_cleanup(th->curl);
  wc_h1_client_free(th->h1);
  wc_buf_free(&th->out);
  free(th);
}

static px_thread *thread_state(wc_proxy *p) {
  px_thread *th = pthread_getspecific(p->upstream_key);
  if (th) return th;
  if (!(th = calloc(1, sizeof *th))) return NULL;
  wc_buf_init(&th->out);
  if (pthread_setspecific(p->upstream_key, th) != 0) {
    free(th);
    return NULL;
  }
  return th;
}

static CURL *curl_handle(wc_proxy *p, px_thread *th) {
  if (!th->curl && (th->curl = curl_easy_init())) configure_once(th->curl, p);
  return th->curl;
}

static void forward_curl(wc_proxy *p, px_thread *th, px_exchange *x) {
  CURL *c = curl_handle(p, th);
  bool ok = c != NULL;
  wc_buf url;
  wc_buf_init(&url);
  ok = ok && wc_buf_puts(&url, p->upstream_origin) == 0 && wc_buf_puts(&url, x->target) == 0;
  struct curl_slist *fields = ok ? request_fields(x, &ok) : NULL;
  if (!ok) {
    curl_slist_free_all(fields);
    wc_buf_free(&url);
    x->failure = PX_PROXY_NOMEM;
    snprintf(x->error, sizeof x->error, "out of memory preparing the upstream request");
    return;
  }
  transfer t = {.p = p, .x = x};
  wc_h1_head_init(&t.head, PX_MAX_RESPONSE_HEADER_BYTES, PX_MAX_RESPONSE_HEADER_FIELDS);
  char errbuf[CURL_ERROR_SIZE];
  errbuf[0] = '\0';
  configure_transfer(c, x, &t, url.data, errbuf, fields);
  CURLcode rc = curl_easy_perform(c);
  long code = 0, os_errno = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
  if (rc == CURLE_OK && code >= 100 && code <= 999) {
    x->status = code;
    x->xfer = WC_XFER_OK;
  } else {
    if (rc == CURLE_OK) rc = CURLE_WEIRD_SERVER_REPLY; /* a status libmicrohttpd cannot send on */
    describe(x, &t, rc, os_errno, errbuf);
    x->failure = PX_UPSTREAM;
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
  curl_slist_free_all(fields);
  wc_buf_free(&url);
}

void px_forward(wc_proxy *p, px_exchange *x) {
  double t0 = wc_monotonic_ms();
  px_thread *th = thread_state(p);
  if (!th) {
    x->failure = PX_PROXY_NOMEM;
    snprintf(x->error, sizeof x->error, "out of memory preparing the upstream request");
    return;
  }
  if (p->upstream_plain) px_forward_plain(p, th, x);
  else forward_curl(p, th, x);
  x->upstream_ms = wc_monotonic_ms() - t0;
}
