/* The transport: policy, rate, retries (only on 429/503 within a budget)
 * and the libcurl engine; whopconf's own client for http:// is in
 * transport_plain.c. libcurl: one easy handle per transport (connections
 * are kept alive between sends), every limit enforced inside the
 * callbacks, failures mapped to distinct kinds.
 *
 * What never changes (limits, TLS, protocols, callbacks) is set once when
 * the handle is made; every attempt sets all of the rest (URL, headers,
 * method, body, the callbacks' data) and clears what points into the
 * request afterwards, so no option can leak from one request into the
 * next. (A curl_easy_reset and the whole set again per attempt were a
 * visible share of a fuzz run's CPU.) Live connections and the TLS session
 * cache stay with the handle: keep-alive survives. See docs/transport.md
 * for the behaviour in prose. */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "transport_internal.h"
#include "whopconf/http1.h"

#define WC_DEFAULT_MAX_HEADER_COUNT 100
#define WC_DEFAULT_MAX_HEADER_BYTES ((size_t)64 << 10)
#define WC_DEFAULT_RETRY_MAX 2
#define WC_DEFAULT_RETRY_MAX_WAIT_MS 10000L
#define WC_AUTO_RATE_REMOTE 5.0   /* req/s to non-loopback targets when rate < 0 */
#define WC_RETRY_AFTER_ABSENT_MS 1000L /* 429/503 without a usable Retry-After */

struct wc_transport {
  CURL *curl;
  wc_tx_plain *plain; /* whopconf's own client for http:// (NULL: libcurl only) */
  wc_transport_opts opts;
  char *cacert;
  double last_send_ms; /* monotonic; < 0 = never sent */
  /* The scheme and authority ("http://127.0.0.1:8080") of the last URL the
   * policy let through, and whether its host is loopback: the policy and
   * the automatic rate depend on nothing else, and parsing every URL of a
   * fuzz run with curl's URL API was a visible share of its CPU. */
  char vetted_origin[256];
  bool vetted_loopback;
};

const char *wc_xfer_status_name(wc_xfer_status status) {
  static const char *const names[] = {
#define WC_XFER_STATUS_NAME(name, text) [WC_XFER_##name] = text,
      WC_XFER_STATUS_MAP(WC_XFER_STATUS_NAME)
#undef WC_XFER_STATUS_NAME
  };
  return (unsigned)status < sizeof names / sizeof names[0] ? names[status] : "other";
}

void wc_transport_opts_default(wc_transport_opts *o) {
  if (!o) return;
  memset(o, 0, sizeof *o);
  o->connect_timeout_ms = WC_DEFAULT_CONNECT_TIMEOUT_MS;
  o->timeout_ms = WC_DEFAULT_TIMEOUT_MS;
  o->first_byte_timeout_ms = 0;
  o->max_body = WC_DEFAULT_MAX_BODY;
  o->max_header_count = WC_DEFAULT_MAX_HEADER_COUNT;
  o->max_header_bytes = WC_DEFAULT_MAX_HEADER_BYTES;
  o->rate = -1.0;
  o->retry_max = WC_DEFAULT_RETRY_MAX;
  o->retry_max_wait_ms = WC_DEFAULT_RETRY_MAX_WAIT_MS;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;
static void curl_init_once(void) { curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

static void sleep_ms(double ms) {
  if (ms <= 0) return;
  long long ns = (long long)(ms * 1e6);
  struct timespec req = {(time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL)};
  while (nanosleep(&req, &req) != 0 && errno == EINTR) {
  }
}

/* ---- one attempt ---- */

/* libcurl's attempt: what the callbacks share. */
typedef struct attempt {
  wc_tx_attempt base;
  double connected_ms;
  bool connected;
  bool got_first_byte;
  wc_h1_head head; /* the response head, line by line */
} attempt;

static int prereq_cb(void *ud, char *conn_primary_ip, char *conn_local_ip, int conn_primary_port,
                     int conn_local_port) {
  (void)conn_primary_ip;
  (void)conn_local_ip;
  (void)conn_primary_port;
  (void)conn_local_port;
  attempt *a = ud;
  a->connected = true;
  a->connected_ms = wc_monotonic_ms();
  return CURL_PREREQFUNC_OK;
}

static int xferinfo_cb(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
  (void)dltotal;
  (void)dlnow;
  (void)ultotal;
  (void)ulnow;
  attempt *a = ud;
  long fbt = a->base.o->first_byte_timeout_ms;
  if (fbt > 0 && a->connected && !a->got_first_byte && wc_monotonic_ms() - a->connected_ms > (double)fbt) {
    a->base.first_byte_timeout = true;
    return 1; /* abort: CURLE_ABORTED_BY_CALLBACK */
  }
  return 0;
}

static size_t header_cb(char *buf, size_t size, size_t nitems, void *ud) {
  attempt *ca = ud;
  wc_tx_attempt *a = &ca->base;
  size_t len = size * nitems;
  ca->got_first_byte = true;
  wc_h1_line l;
  switch (wc_h1_head_line(&ca->head, buf, len, &l)) {
  case WC_H1_LINE_STATUS: /* a new response (the first, or the final one after a 1xx): only the last is recorded */
    wc_exchange_reset_response(a->x);
    a->x->has_response = true;
    return len;
  case WC_H1_LINE_END: return len;
  case WC_H1_LINE_FOLD:
    if (a->x->header_count == 0) {
      a->malformed = true;
      snprintf(a->why, sizeof a->why, "response header block starts with a continuation line");
      return 0;
    }
    if (wc_exchange_extend_header(a->x, l.value, l.value_len) == 0) return len;
    a->nomem = true;
    return 0;
  case WC_H1_LINE_FIELD:
    if (wc_exchange_add_header(a->x, l.name, l.name_len, l.value, l.value_len) == 0) return len;
    a->nomem = true;
    return 0;
  case WC_H1_LINE_TOO_LARGE: wc_tx_headers_too_large(a, ca->head.bytes > a->o->max_header_bytes); return 0;
  case WC_H1_LINE_MALFORMED:
    a->malformed = true;
    snprintf(a->why, sizeof a->why, "%s", l.why);
    return 0;
  }
  return 0;
}

int wc_tx_record_body(wc_tx_attempt *a, const char *data, size_t len) {
  wc_buf *body = &a->x->body;
  size_t room = a->o->max_body > body->len ? a->o->max_body - body->len : 0;
  if (len > room) {
    if (room > 0 && wc_buf_append(body, data, room) != 0) a->nomem = true;
    a->x->body_truncated = true;
    a->body_too_large = true;
    snprintf(a->why, sizeof a->why, "response body exceeds %zu bytes", a->o->max_body);
    return -1;
  }
  if (wc_buf_append(body, data, len) != 0) {
    a->nomem = true;
    return -1;
  }
  return 0;
}

void wc_tx_headers_too_large(wc_tx_attempt *a, bool over_bytes) {
  a->headers_too_large = true;
  if (over_bytes)
    snprintf(a->why, sizeof a->why, "response headers exceed %zu bytes", a->o->max_header_bytes);
  else
    snprintf(a->why, sizeof a->why, "more than %zu response header fields", a->o->max_header_count);
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *ud) {
  size_t len = size * nmemb;
  return wc_tx_record_body(&((attempt *)ud)->base, data, len) == 0 ? len : 0;
}

wc_xfer_status wc_xfer_status_from_curl(int curl_code, long os_errno, const char *errbuf, bool connected,
                                        bool got_first_byte) {
  switch ((CURLcode)curl_code) {
  case CURLE_OK: return WC_XFER_OK;
  case CURLE_OPERATION_TIMEDOUT:
    if (!connected) return WC_XFER_TIMEOUT_CONNECT;
    return got_first_byte ? WC_XFER_TIMEOUT_TOTAL : WC_XFER_TIMEOUT_FIRST_BYTE;
  case CURLE_COULDNT_CONNECT: return WC_XFER_CONNECT_REFUSED;
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY: return WC_XFER_DNS;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_CRL_BADFILE:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_SSL_INVALIDCERTSTATUS:
  case CURLE_SSL_SHUTDOWN_FAILED:
  case CURLE_SSL_ENGINE_NOTFOUND:
  case CURLE_SSL_ENGINE_SETFAILED:
  case CURLE_SSL_ENGINE_INITFAILED:
  case CURLE_USE_SSL_FAILED:
  case CURLE_SSL_CLIENTCERT: return WC_XFER_TLS;
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
    /* TLS back ends do not always pass errno up; their message still says. */
    if (os_errno == ECONNRESET || os_errno == EPIPE || os_errno == ECONNABORTED ||
        (errbuf && (strstr(errbuf, "reset by peer") || strstr(errbuf, "Broken pipe"))))
      return WC_XFER_RESET;
    return WC_XFER_OTHER;
  case CURLE_GOT_NOTHING: return WC_XFER_RESET;
  case CURLE_PARTIAL_FILE: return WC_XFER_TRUNCATED;
  case CURLE_FILESIZE_EXCEEDED: return WC_XFER_BODY_TOO_LARGE;
  case CURLE_WEIRD_SERVER_REPLY:
  case CURLE_UNSUPPORTED_PROTOCOL:
  case CURLE_BAD_CONTENT_ENCODING:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
  case CURLE_HTTP3:
  case CURLE_RANGE_ERROR: return WC_XFER_MALFORMED;
  default: return WC_XFER_OTHER;
  }
}

/* Maps a curl result and what the callbacks saw to a failure kind. */
static wc_xfer_status classify(CURLcode rc, const attempt *ca, long os_errno, const char *errbuf) {
  const wc_tx_attempt *a = &ca->base;
  switch (rc) {
  case CURLE_WRITE_ERROR:
    if (a->body_too_large) return WC_XFER_BODY_TOO_LARGE;
    if (a->headers_too_large) return WC_XFER_HEADERS_TOO_LARGE;
    if (a->malformed) return WC_XFER_MALFORMED;
    return WC_XFER_OTHER;
  case CURLE_ABORTED_BY_CALLBACK:
    return a->first_byte_timeout ? WC_XFER_TIMEOUT_FIRST_BYTE : WC_XFER_OTHER;
  default: return wc_xfer_status_from_curl(rc, os_errno, errbuf, ca->connected, ca->got_first_byte);
  }
}

void wc_tx_describe_failure(const wc_tx_attempt *a, wc_xfer_status st, const char *detail) {
  wc_exchange *x = a->x;
  const wc_transport_opts *o = a->o;
  switch (st) {
  case WC_XFER_TIMEOUT_CONNECT:
    wc_exchange_set_error(x, st, "connection not established within %ld ms (%s)",
                          o->connect_timeout_ms, detail);
    break;
  case WC_XFER_TIMEOUT_FIRST_BYTE:
    if (a->first_byte_timeout)
      wc_exchange_set_error(x, st, "no response byte within %ld ms of sending the request",
                            o->first_byte_timeout_ms);
    else
      wc_exchange_set_error(x, st, "no response byte before the %ld ms timeout (%s)", o->timeout_ms,
                            detail);
    break;
  case WC_XFER_TIMEOUT_TOTAL:
    wc_exchange_set_error(x, st, "response not complete within %ld ms (%s)", o->timeout_ms, detail);
    break;
  case WC_XFER_BODY_TOO_LARGE:
  case WC_XFER_HEADERS_TOO_LARGE:
    wc_exchange_set_error(x, st, "%s; transfer aborted", a->why[0] ? a->why : detail);
    break;
  case WC_XFER_MALFORMED:
    wc_exchange_set_error(x, st, "malformed response: %s", a->malformed ? a->why : detail);
    break;
  case WC_XFER_RESET:
    wc_exchange_set_error(x, st, "connection reset or closed by the server (%s)", detail);
    break;
  case WC_XFER_TRUNCATED:
    wc_exchange_set_error(x, st, "body shorter than announced: connection closed early (%s)",
                          detail);
    break;
  case WC_XFER_CONNECT_REFUSED:
    wc_exchange_set_error(x, st, "could not connect (%s)", detail);
    break;
  case WC_XFER_DNS:
    wc_exchange_set_error(x, st, "host name not resolved (%s)", detail);
    break;
  case WC_XFER_TLS:
    wc_exchange_set_error(x, st, "TLS failure (%s)", detail);
    break;
  default:
    if (a->nomem) wc_exchange_set_error(x, WC_XFER_OTHER, "out of memory recording the response");
    else wc_exchange_set_error(x, st, "transfer failed (%s)", detail);
    break;
  }
}

/* The header list handed to libcurl: nodes of our own pointing at the
 * request's lines (curl neither copies nor changes them, and the request
 * outlives the transfer), so no line is copied per request. */
#define WC_XFER_MAX_HEADERS 16
typedef struct header_list {
  struct curl_slist nodes[WC_XFER_MAX_HEADERS];
  size_t count;
  char *owned[WC_XFER_MAX_HEADERS]; /* lines made here ("Name;"), freed after */
  size_t owned_count;
} header_list;

static bool list_add(header_list *l, const char *line) {
  if (l->count == WC_XFER_MAX_HEADERS) return false;
  struct curl_slist *n = &l->nodes[l->count];
  n->data = (char *)line; /* read only by libcurl */
  n->next = NULL;
  if (l->count) l->nodes[l->count - 1].next = n;
  l->count++;
  return true;
}

static void list_release(header_list *l) {
  for (size_t i = 0; i < l->owned_count; i++) free(l->owned[i]);
  l->owned_count = 0;
  l->count = 0;
}

/* libcurl drops a custom header whose value is empty ("Name: "), and sends
 * "Name;" as the header with an empty value: an empty Api-Version-Date is a
 * negative case the server must see, so it is passed in that form.
 * (A value of only blanks goes out empty as well: curl trims it.) */
static bool append_header(header_list *l, const char *line) {
  const char *colon = strchr(line, ':');
  if (!colon || colon[strspn(colon + 1, " \t") + 1] != '\0') return list_add(l, line);
  size_t name_len = (size_t)(colon - line);
  char *empty = malloc(name_len + 2);
  if (!empty) return false;
  memcpy(empty, line, name_len);
  empty[name_len] = ';';
  empty[name_len + 1] = '\0';
  l->owned[l->owned_count++] = empty;
  return list_add(l, empty);
}

static bool set_request_options(CURL *c, const wc_request *req, header_list *headers) {
  const char *method = wc_request_method(req);
  size_t body_len = 0;
  const char *body = wc_request_body(req, &body_len);
  bool has_ctype = false;
  for (size_t i = 0; i < wc_request_header_count(req); i++) {
    const char *h = wc_request_header(req, i);
    if (strncasecmp(h, "Content-Type:", 13) == 0) has_ctype = true;
    if (!append_header(headers, h)) goto nomem;
  }
  /* Send exactly the request that was built: no Expect: 100-continue, and
   * no form Content-Type invented by libcurl for a body without one. */
  if (!list_add(headers, "Expect:")) goto nomem;
  if (!has_ctype && body && !list_add(headers, "Content-Type:")) goto nomem;
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers->count ? &headers->nodes[0] : NULL);
  curl_easy_setopt(c, CURLOPT_URL, wc_request_url(req));
  /* The method of the previous request is undone first: every branch below
   * sets all it needs from there. */
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
  curl_easy_setopt(c, CURLOPT_NOBODY, 0L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)-1);
  if (strcmp(method, "HEAD") == 0 && !body) {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    if (strcmp(method, "POST") != 0) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  } else {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    if (strcmp(method, "GET") != 0) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  }
  return true;
nomem:
  list_release(headers);
  return false;
}

/* ---- the handle ---- */

void wc_transport_curl_defaults(void *curl, long connect_timeout_ms, long timeout_ms, bool insecure,
                                const char *cacert) {
  CURL *c = curl;
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROXY, "");
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_HTTP_CONTENT_DECODING, 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, insecure ? 0L : 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, insecure ? 0L : 2L);
  if (cacert) curl_easy_setopt(c, CURLOPT_CAINFO, cacert);
}

/* The options that are the same for every request of a transport. */
static void set_fixed_options(CURL *c, const wc_transport_opts *o) {
  wc_transport_curl_defaults(c, (long)o->connect_timeout_ms, (long)o->timeout_ms, o->insecure, o->cacert);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, prereq_cb);
  /* The progress callback only enforces the first-byte timeout. */
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, o->first_byte_timeout_ms > 0 ? 0L : 1L);
}

wc_transport *wc_transport_new(const wc_transport_opts *opts, wc_err *err) {
  wc_err_clear(err);
  pthread_once(&curl_once, curl_init_once);
  if (curl_init_rc != CURLE_OK) {
    wc_err_set(err, WC_E_TRANSPORT, "libcurl initialisation failed: %s", curl_easy_strerror(curl_init_rc));
    return NULL;
  }
  wc_transport *t = calloc(1, sizeof *t);
  if (!t) {
    wc_err_set(err, WC_E_NOMEM, "out of memory creating the transport");
    return NULL;
  }
  wc_transport_opts d;
  wc_transport_opts_default(&d);
  t->opts = opts ? *opts : d;
  /* Zero means "default" for the limits: a zero timeout or cap would mean
   * "unbounded" to libcurl, which the harness never wants. */
  if (t->opts.connect_timeout_ms <= 0) t->opts.connect_timeout_ms = d.connect_timeout_ms;
  if (t->opts.timeout_ms <= 0) t->opts.timeout_ms = d.timeout_ms;
  if (t->opts.first_byte_timeout_ms < 0) t->opts.first_byte_timeout_ms = 0;
  if (t->opts.max_body == 0) t->opts.max_body = d.max_body;
  if (t->opts.max_header_count == 0) t->opts.max_header_count = d.max_header_count;
  if (t->opts.max_header_bytes == 0) t->opts.max_header_bytes = d.max_header_bytes;
  if (t->opts.retry_max < 0) t->opts.retry_max = 0;
  if (t->opts.retry_max_wait_ms < 0) t->opts.retry_max_wait_ms = 0;
  if (t->opts.cacert) {
    t->cacert = wc_strdup(t->opts.cacert);
    if (!t->cacert) {
      free(t);
      wc_err_set(err, WC_E_NOMEM, "out of memory creating the transport");
      return NULL;
    }
  }
  t->opts.cacert = t->cacert;
  t->last_send_ms = -1;
  t->curl = curl_easy_init();
  if (t->curl) set_fixed_options(t->curl, &t->opts);
  if (!t->curl) {
    free(t->cacert);
    free(t);
    wc_err_set(err, WC_E_TRANSPORT, "curl_easy_init failed");
    return NULL;
  }
  if (t->opts.http_client == WC_HTTP_CLIENT_AUTO && !(t->plain = wc_tx_plain_new(&t->opts))) {
    wc_transport_free(t);
    wc_err_set(err, WC_E_NOMEM, "out of memory creating the transport");
    return NULL;
  }
  return t;
}

void wc_transport_free(wc_transport *t) {
  if (!t) return;
  curl_easy_cleanup(t->curl);
  wc_tx_plain_free(t->plain);
  free(t->cacert);
  free(t);
}

/* ---- one attempt through libcurl ---- */

static void curl_attempt(wc_transport *t, const wc_request *req, wc_exchange *x) {
  CURL *c = t->curl;
  const wc_transport_opts *o = &t->opts;
  attempt a = {0};
  a.base.x = x;
  a.base.o = o;
  wc_h1_head_init(&a.head, o->max_header_bytes, o->max_header_count);
  char errbuf[CURL_ERROR_SIZE];
  errbuf[0] = '\0';

  wc_exchange_reset_response(x);
  header_list headers = {.count = 0, .owned_count = 0};
  if (!set_request_options(c, req, &headers)) {
    wc_exchange_set_error(x, WC_XFER_OTHER, "out of memory preparing the request");
    return;
  }
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &a);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
  curl_easy_setopt(c, CURLOPT_PREREQDATA, &a);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &a);

  CURLcode rc = curl_easy_perform(c);

  long code = 0, os_errno = 0, connects = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
  curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
  x->connects += connects;
  x->http_status = x->has_response ? code : 0;
  if (x->http_status == 0) x->has_response = false;

  wc_xfer_status st = classify(rc, &a, os_errno, errbuf);
  if (a.base.nomem) st = WC_XFER_OTHER;
  if (st == WC_XFER_OK) {
    wc_exchange_set_ok(x);
  } else {
    char detail[CURL_ERROR_SIZE + 32];
    snprintf(detail, sizeof detail, "curl %d: %s", (int)rc, errbuf[0] ? errbuf : curl_easy_strerror(rc));
    wc_tx_describe_failure(&a.base, st, detail);
  }

  /* Nothing the handle keeps may point into this request or this frame. */
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
  list_release(&headers);
}

/* ---- policy, rate, retries ---- */

/* Length of "scheme://authority" at the start of url; 0 when there is no
 * such prefix or it holds a backslash (parsers differ on those: never
 * cached). */
static size_t origin_len(const char *url) {
  const char *sep = strstr(url, "://");
  if (!sep) return 0;
  size_t n = (size_t)(sep + 3 - url) + strcspn(sep + 3, "/?#\\");
  return url[n] == '\\' ? 0 : n;
}

static bool origin_vetted(const wc_transport *t, const char *url) {
  size_t n = origin_len(url);
  return n && t->vetted_origin[n] == '\0' && memcmp(t->vetted_origin, url, n) == 0;
}

static void origin_remember(wc_transport *t, const char *url, bool loopback) {
  size_t n = origin_len(url);
  t->vetted_origin[0] = '\0';
  if (!n || n >= sizeof t->vetted_origin) return;
  memcpy(t->vetted_origin, url, n);
  t->vetted_origin[n] = '\0';
  t->vetted_loopback = loopback;
}

static bool policy_refuses(wc_transport *t, const wc_request *req, wc_exchange *x) {
  const char *url = wc_request_url(req);
  if (origin_vetted(t, url)) return false;
  CURLU *u = curl_url();
  char *scheme = NULL, *host = NULL;
  bool refused = false;
  if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
    wc_exchange_set_error(x, WC_XFER_REFUSED_POLICY, "request URL does not parse; nothing sent");
    refused = true;
  } else if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
    wc_exchange_set_error(x, WC_XFER_REFUSED_POLICY, "scheme %s is not http or https; nothing sent", scheme);
    refused = true;
  } else if (strcmp(scheme, "http") == 0 && !t->opts.allow_http && !wc_url_is_loopback(url)) {
    wc_exchange_set_error(x, WC_XFER_REFUSED_POLICY,
                          "plain http:// to non-loopback host %s refused: the credential would travel "
                          "in clear; use https:// or --allow-http; nothing sent",
                          host);
    refused = true;
  }
  if (!refused) origin_remember(t, url, wc_url_is_loopback(url));
  curl_free(scheme);
  curl_free(host);
  curl_url_cleanup(u);
  return refused;
}

/* Called after policy_refuses let url through: its origin is the vetted one. */
static void rate_wait(wc_transport *t, const char *url) {
  double rate = t->opts.rate;
  if (rate < 0) {
    bool loopback = origin_vetted(t, url) ? t->vetted_loopback : wc_url_is_loopback(url);
    rate = loopback ? 0 : WC_AUTO_RATE_REMOTE;
  }
  if (rate > 0 && t->last_send_ms >= 0) {
    double next = t->last_send_ms + 1000.0 / rate;
    double now = wc_monotonic_ms();
    if (next > now) sleep_ms(next - now);
  }
  t->last_send_ms = wc_monotonic_ms();
}

/* Retry-After (RFC 9110 10.2.3): delta-seconds or an HTTP-date. Returns the
 * wait in ms, or -1 when absent or unusable. */
static long retry_after_ms(const wc_exchange *x) {
  const char *v = NULL;
  for (size_t i = 0; i < x->header_count; i++)
    if (strcasecmp(x->headers[i].name, "Retry-After") == 0) {
      v = x->headers[i].value;
      break;
    }
  if (!v || !*v) return -1;
  bool digits = true;
  for (const char *p = v; *p; p++)
    if (*p < '0' || *p > '9') digits = false;
  if (digits) {
    if (strlen(v) > 7) return 9999999L * 1000L; /* far beyond any budget */
    return strtol(v, NULL, 10) * 1000L;
  }
  time_t when = curl_getdate(v, NULL);
  if (when == -1) return -1;
  time_t now = time(NULL);
  if (when <= now) return 0;
  double ms = difftime(when, now) * 1000.0;
  return ms > 9999999000.0 ? 9999999000L : (long)ms;
}

wc_exchange *wc_transport_send(wc_transport *t, const wc_request *req) {
  if (!t || !req) return NULL;
  wc_exchange *x = wc_exchange_new_from_request(req, &t->opts);
  if (!x) return NULL;
  double start = wc_monotonic_ms();
  if (!policy_refuses(t, req, x)) {
    for (;;) {
      rate_wait(t, wc_request_url(req));
      if (!t->plain || !wc_tx_plain_attempt(t->plain, req, x)) curl_attempt(t, req, x);
      if (x->status != WC_XFER_OK || (x->http_status != 429 && x->http_status != 503)) break;
      if (x->retries >= t->opts.retry_max) {
        if (t->opts.retry_max > 0)
          wc_exchange_set_note(x, "still %ld after %d retries; giving up", x->http_status, x->retries);
        break;
      }
      long wait = retry_after_ms(x);
      bool absent = wait < 0;
      if (absent) wait = WC_RETRY_AFTER_ABSENT_MS;
      if (x->retry_wait_ms + wait > t->opts.retry_max_wait_ms) {
        wc_exchange_set_note(x, "%ld with Retry-After %s%ld ms: beyond the retry wait budget (%ld ms left); "
                                "not retried",
                             x->http_status, absent ? "(absent, default) " : "", wait,
                             t->opts.retry_max_wait_ms - x->retry_wait_ms);
        break;
      }
      sleep_ms((double)wait);
      x->retry_wait_ms += wait;
      x->retries++;
    }
  }
  x->total_ms = wc_monotonic_ms() - start;
  wc_exchange_scrub(x, wc_request_credential(req));
  return x;
}
