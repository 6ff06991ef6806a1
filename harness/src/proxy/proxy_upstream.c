/* The proxy's upstream side: a lean libcurl forwarder. whopconf's transport
 * builds requests from a typed description of PATCH /users/me; the proxy
 * forwards any method, target, header and body as the client sent them, so
 * it has its own few options here and shares the rest: the failure kinds
 * (wc_xfer_status_from_curl), never following redirects, no proxy from the
 * environment, TLS verification on unless --insecure.
 *
 * One easy handle per connection thread (a pthread key), configured once
 * with what never changes; each transfer sets every option that varies
 * (URL, fields, method, body, the callbacks' data), so none carries over,
 * and the live connection and TLS session are kept (keep-alive). */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proxy_internal.h"

#define MAX_RESPONSE_HEADER_BYTES ((size_t)64 << 10)
#define MAX_RESPONSE_HEADER_FIELDS 200

/* ---- header lists ------------------------------------------------------------ */

int px_headers_add(px_headers *h, const char *name, size_t name_len, const char *value, size_t value_len) {
  size_t old = h->data.len;
  if (wc_buf_append(&h->data, name, name_len) != 0 || wc_buf_append(&h->data, "", 1) != 0 ||
      wc_buf_append(&h->data, value, value_len) != 0 || wc_buf_append(&h->data, "", 1) != 0) {
    h->data.len = old;
    return -1;
  }
  h->count++;
  return 0;
}

bool px_headers_next(const px_headers *h, size_t *pos, const char **name, const char **value) {
  if (!h->data.data || *pos >= h->data.len) return false;
  *name = h->data.data + *pos;
  *value = *name + strlen(*name) + 1;
  *pos = (size_t)(*value - h->data.data) + strlen(*value) + 1;
  return true;
}

const char *px_headers_get(const px_headers *h, const char *name) {
  size_t pos = 0;
  const char *n, *v;
  while (px_headers_next(h, &pos, &n, &v))
    if (strcasecmp(n, name) == 0) return v;
  return NULL;
}

void px_headers_free(px_headers *h) {
  wc_buf_free(&h->data);
  h->count = 0;
}

int px_connection_tokens(const px_headers *h, wc_buf *out) {
  size_t pos = 0;
  const char *n, *v;
  if (wc_buf_append(out, "", 0) != 0) return -1;
  while (px_headers_next(h, &pos, &n, &v))
    if (strcasecmp(n, "Connection") == 0 && ((out->len && wc_buf_puts(out, ",") != 0) || wc_buf_puts(out, v) != 0))
      return -1;
  return 0;
}

/* name appears as a token of the comma-separated list (optional blanks). */
static bool named_in(const char *name, const char *list) {
  size_t n = strlen(name);
  for (const char *p = list; *p;) {
    while (*p == ' ' || *p == '\t' || *p == ',') p++;
    size_t len = strcspn(p, ",");
    size_t t = len;
    while (t > 0 && (p[t - 1] == ' ' || p[t - 1] == '\t')) t--;
    if (t == n && strncasecmp(p, name, n) == 0) return true;
    p += len;
  }
  return false;
}

bool px_hop_by_hop(const char *name, const char *connection) {
  static const char *const fixed[] = {"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer",
                                      "Transfer-Encoding", "Upgrade", "Proxy-Authorization"};
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
    if (strcasecmp(name, fixed[i]) == 0) return true;
  return connection && *connection && named_in(name, connection);
}

/* ---- one transfer ------------------------------------------------------------ */

typedef struct transfer {
  wc_proxy *p;
  px_exchange *x;
  bool connected, got_first_byte, expect_status_line;
  int block_status;
  size_t header_bytes;
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
  t->header_bytes += len;
  if (t->header_bytes > MAX_RESPONSE_HEADER_BYTES || x->resp_headers.count >= MAX_RESPONSE_HEADER_FIELDS) {
    t->headers_too_large = true;
    return 0;
  }
  size_t n = len;
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) n--;
  if (n == 0) { /* end of a header block: another follows only after a 1xx */
    t->expect_status_line = t->block_status >= 100 && t->block_status < 200;
    return len;
  }
  if (t->expect_status_line) {
    if (n < 12 || memcmp(buf, "HTTP/", 5) != 0) {
      t->malformed = true;
      return 0;
    }
    /* A new response (the first, or the final one after a 1xx). */
    px_headers_free(&x->resp_headers);
    const char *sp = memchr(buf, ' ', n);
    t->block_status = sp && (size_t)(sp - buf) + 4 <= n ? atoi(sp + 1) : 0;
    t->expect_status_line = false;
    return len;
  }
  const char *colon = memchr(buf, ':', n);
  if (!colon || colon == buf) {
    t->malformed = true;
    return 0;
  }
  const char *v = colon + 1;
  size_t vlen = n - (size_t)(v - buf);
  while (vlen > 0 && (*v == ' ' || *v == '\t')) v++, vlen--;
  while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t')) vlen--;
  if (px_headers_add(&x->resp_headers, buf, (size_t)(colon - buf), v, vlen) != 0) {
    t->nomem = true;
    return 0;
  }
  return len;
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
    if (px_hop_by_hop(n, tokens.data) || strcasecmp(n, "Host") == 0 || strcasecmp(n, "Content-Length") == 0 ||
        strcasecmp(n, "Expect") == 0)
      continue;
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
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROXY, ""); /* credentials go to the upstream and nowhere else */
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms);
  curl_easy_setopt(c, CURLOPT_HTTP_CONTENT_DECODING, 0L); /* the bytes as the upstream sent them */
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, o->insecure ? 0L : 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, o->insecure ? 0L : 2L);
  if (o->cacert) curl_easy_setopt(c, CURLOPT_CAINFO, o->cacert);
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

static void describe(px_exchange *x, const transfer *t, CURLcode rc, long os_errno, const char *errbuf) {
  const char *curl_msg = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  if (rc == CURLE_WRITE_ERROR && t->body_too_large) {
    x->xfer = WC_XFER_BODY_TOO_LARGE;
    snprintf(x->error, sizeof x->error, "response body over %zu bytes; transfer aborted", t->p->o.max_response_body);
  } else if (rc == CURLE_WRITE_ERROR && t->headers_too_large) {
    x->xfer = WC_XFER_HEADERS_TOO_LARGE;
    snprintf(x->error, sizeof x->error, "response headers over %zu bytes or %d fields; transfer aborted",
             MAX_RESPONSE_HEADER_BYTES, MAX_RESPONSE_HEADER_FIELDS);
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

void px_upstream_thread_end(void *curl) { curl_easy_cleanup(curl); }

static CURL *thread_handle(wc_proxy *p) {
  CURL *c = pthread_getspecific(p->curl_key);
  if (c) return c;
  if (!(c = curl_easy_init())) return NULL;
  if (pthread_setspecific(p->curl_key, c) != 0) {
    curl_easy_cleanup(c);
    return NULL;
  }
  configure_once(c, p);
  return c;
}

void px_forward(wc_proxy *p, px_exchange *x) {
  double t0 = wc_monotonic_ms();
  CURL *c = thread_handle(p);
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
  transfer t = {.p = p, .x = x, .expect_status_line = true};
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
  x->upstream_ms = wc_monotonic_ms() - t0;
}
