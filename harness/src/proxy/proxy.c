/* The validating proxy's server side on libmicrohttpd: one thread per client
 * connection (keep-alive; the upstream transfer blocks only its own
 * client), bounded connections, an idle timeout and a request-body cap.
 *
 * An exchange is born in the URI callback (which sees the request target
 * as sent, before libmicrohttpd unescapes it), collects the headers and the
 * body, is forwarded once the body is complete, answered with the
 * upstream's response, and judged and counted when libmicrohttpd reports
 * the request finished: after the response went out, so judging never
 * holds up the answer (unless --annotate needs the verdict in it). */
#include <curl/curl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "proxy_internal.h"
#include "whopconf/traffic.h"
#include "whopconf/versions.h"
#include "whopconf/request.h"
#include "whopconf/spec.h"

#define DEFAULT_MAX_REQUEST_BODY ((size_t)1 << 20)
#define DEFAULT_MAX_RESPONSE_BODY ((size_t)8 << 20)
#define DEFAULT_CONNECT_TIMEOUT_MS 5000L
#define DEFAULT_TIMEOUT_MS 30000L
#define DEFAULT_IDLE_TIMEOUT_S 30U
#define DEFAULT_MAX_CONNECTIONS 256U
#define DEFAULT_MAX_RECORDED 100U
#define CONNECTION_MEMORY (64 * 1024) /* request line + headers of one client */
#define THREAD_STACK (256 * 1024)

void wc_proxy_opts_default(wc_proxy_opts *o) {
  memset(o, 0, sizeof *o);
  o->host = "127.0.0.1";
  o->max_request_body = DEFAULT_MAX_REQUEST_BODY;
  o->max_response_body = DEFAULT_MAX_RESPONSE_BODY;
  o->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
  o->timeout_ms = DEFAULT_TIMEOUT_MS;
  o->idle_timeout_s = DEFAULT_IDLE_TIMEOUT_S;
  o->max_connections = DEFAULT_MAX_CONNECTIONS;
  o->max_recorded = DEFAULT_MAX_RECORDED;
}

const char *px_failure_name(px_failure f) {
  switch (f) {
  case PX_OK: return "ok";
  case PX_UPSTREAM: return "upstream";
  case PX_CLIENT_BODY_LARGE: return "client-body-too-large";
  case PX_CLIENT_BAD_TARGET: return "client-bad-target";
  case PX_CLIENT_TIMEOUT: return "client-timeout";
  case PX_CLIENT_LEFT: return "client-left";
  case PX_PROXY_NOMEM: return "proxy-out-of-memory";
  }
  return "other";
}

/* ---- one exchange ----------------------------------------------------------- */

static void exchange_free(px_exchange *x) {
  if (!x) return;
  free(x->target);
  px_headers_free(&x->req_headers);
  px_headers_free(&x->resp_headers);
  wc_buf_free(&x->req_body);
  wc_buf_free(&x->resp_body);
  free(x);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn) {
  (void)cls;
  (void)conn;
  px_exchange *x = calloc(1, sizeof *x);
  if (!x) return NULL;
  x->t0_ms = wc_monotonic_ms();
  x->target = wc_strdup(uri ? uri : "");
  wc_buf_init(&x->req_body);
  wc_buf_init(&x->resp_body);
  wc_buf_init(&x->req_headers.data);
  wc_buf_init(&x->resp_headers.data);
  if (!x->target) {
    free(x);
    return NULL;
  }
  return x;
}

static enum MHD_Result copy_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  (void)kind;
  px_exchange *x = cls;
  if (!key) return MHD_YES;
  if (!value) value = "";
  return px_headers_add(&x->req_headers, key, strlen(key), value, strlen(value)) == 0 ? MHD_YES : MHD_NO;
}

/* A reply the proxy makes itself (a failed exchange): a short error
 * envelope, so a client that reads error.message learns why. */
static enum MHD_Result reply_own(px_exchange *x, struct MHD_Connection *conn, unsigned status, const char *fmt,
                                 ...) WC_PRINTF(4, 5);

static enum MHD_Result reply_own(px_exchange *x, struct MHD_Connection *conn, unsigned status, const char *fmt,
                                 ...) {
  char msg[sizeof x->error];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (!x->error[0]) snprintf(x->error, sizeof x->error, "%s", msg);
  cJSON *env = cJSON_CreateObject();
  cJSON *e = cJSON_AddObjectToObject(env, "error");
  cJSON_AddStringToObject(e, "type", "whopconf_proxy_error");
  cJSON_AddStringToObject(e, "message", msg);
  char *body = env ? cJSON_PrintUnformatted(env) : NULL;
  cJSON_Delete(env);
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(body ? strlen(body) : 0, body ? body : (char *)"", MHD_RESPMEM_MUST_COPY);
  free(body);
  if (!resp) return MHD_NO;
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  enum MHD_Result ok = MHD_queue_response(conn, status, resp);
  MHD_destroy_response(resp);
  x->queued = true;
  x->client_status = status;
  return ok;
}

static bool add_response_headers(wc_proxy *p, px_exchange *x, struct MHD_Response *resp) {
  wc_buf conn_tokens;
  wc_buf_init(&conn_tokens);
  if (px_connection_tokens(&x->resp_headers, &conn_tokens) != 0) return false;
  size_t pos = 0;
  const char *name, *value;
  while (px_headers_next(&x->resp_headers, &pos, &name, &value)) {
    /* libmicrohttpd frames the body itself (it is complete in memory). */
    if (strcasecmp(name, "Content-Length") == 0) continue;
    if (px_hop_by_hop(name, conn_tokens.data ? conn_tokens.data : "")) continue;
    MHD_add_response_header(resp, name, value);
  }
  wc_buf_free(&conn_tokens);
  if (p->o.annotate && x->judged) {
    char note[64];
    snprintf(note, sizeof note, "%zu; see report", x->violations);
    MHD_add_response_header(resp, "Whopconf-Violations", note);
  }
  return true;
}

static enum MHD_Result reply_upstream(wc_proxy *p, px_exchange *x, struct MHD_Connection *conn) {
  if (x->failure == PX_UPSTREAM) {
    bool slow = x->xfer == WC_XFER_TIMEOUT_CONNECT || x->xfer == WC_XFER_TIMEOUT_FIRST_BYTE ||
                x->xfer == WC_XFER_TIMEOUT_TOTAL;
    return reply_own(x, conn, slow ? MHD_HTTP_GATEWAY_TIMEOUT : MHD_HTTP_BAD_GATEWAY,
                     "whopconf proxy: upstream %s: %s", wc_xfer_status_name(x->xfer), x->error);
  }
  if (p->o.annotate) px_settle(p, x); /* the verdict goes into the response */
  struct MHD_Response *resp = MHD_create_response_from_buffer(
      x->resp_body.len, x->resp_body.data ? x->resp_body.data : (char *)"", MHD_RESPMEM_MUST_COPY);
  if (!resp || !add_response_headers(p, x, resp)) {
    if (resp) MHD_destroy_response(resp);
    x->failure = PX_PROXY_NOMEM;
    return reply_own(x, conn, MHD_HTTP_BAD_GATEWAY, "whopconf proxy: out of memory");
  }
  enum MHD_Result ok = MHD_queue_response(conn, (unsigned)x->status, resp);
  MHD_destroy_response(resp);
  x->queued = true;
  x->client_status = (unsigned)x->status;
  return ok;
}

static bool announced_too_large(const wc_proxy *p, struct MHD_Connection *conn) {
  const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
  return v && strtoull(v, NULL, 10) > p->o.max_request_body;
}

/* First call: the headers. Then the body in pieces. Last call (no data):
 * forward and answer. A body announced over the cap is refused at once
 * (the connection then closes instead of reading it). */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
  (void)url;
  (void)version;
  wc_proxy *p = cls;
  px_exchange *x = *con_cls;
  if (!x) return MHD_NO; /* the URI callback ran out of memory */
  if (!x->method[0]) {
    snprintf(x->method, sizeof x->method, "%s", method);
    if (MHD_get_connection_values(conn, MHD_HEADER_KIND, copy_header, x) < 0 || !x->req_headers.data.data) {
      x->failure = PX_PROXY_NOMEM;
      return reply_own(x, conn, MHD_HTTP_BAD_GATEWAY, "whopconf proxy: out of memory");
    }
    x->has_body = px_headers_get(&x->req_headers, "Content-Length") ||
                  px_headers_get(&x->req_headers, "Transfer-Encoding");
    x->judged = wc_judge_applies(p->judge, method, x->target);
    if (x->target[0] != '/') {
      x->failure = PX_CLIENT_BAD_TARGET;
      return reply_own(x, conn, MHD_HTTP_BAD_REQUEST, "whopconf proxy: only origin-form request targets (/path)");
    }
    if (announced_too_large(p, conn)) {
      x->failure = PX_CLIENT_BODY_LARGE;
      return reply_own(x, conn, MHD_HTTP_CONTENT_TOO_LARGE, "whopconf proxy: request body over %zu bytes",
                       p->o.max_request_body);
    }
    return MHD_YES;
  }
  if (*upload_data_size) {
    size_t n = *upload_data_size;
    *upload_data_size = 0;
    if (x->failure != PX_OK) return MHD_YES; /* read and dropped */
    if (x->req_body.len + n > p->o.max_request_body) {
      x->failure = PX_CLIENT_BODY_LARGE;
      wc_buf_free(&x->req_body);
      return MHD_YES;
    }
    if (wc_buf_append(&x->req_body, upload_data, n) != 0) x->failure = PX_PROXY_NOMEM;
    return MHD_YES;
  }
  if (x->queued) return MHD_YES;
  if (x->failure == PX_CLIENT_BODY_LARGE)
    return reply_own(x, conn, MHD_HTTP_CONTENT_TOO_LARGE, "whopconf proxy: request body over %zu bytes",
                     p->o.max_request_body);
  if (x->failure == PX_PROXY_NOMEM) return reply_own(x, conn, MHD_HTTP_BAD_GATEWAY, "whopconf proxy: out of memory");
  px_forward(p, x);
  return reply_upstream(p, x, conn);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode code) {
  (void)conn;
  wc_proxy *p = cls;
  px_exchange *x = *con_cls;
  *con_cls = NULL;
  if (!x) return;
  if (!x->method[0]) {
    /* The request line arrived, the headers never did. */
    snprintf(x->method, sizeof x->method, "-");
  }
  if (x->failure == PX_OK && (!x->queued || code != MHD_REQUEST_TERMINATED_COMPLETED_OK)) {
    x->failure = code == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? PX_CLIENT_TIMEOUT : PX_CLIENT_LEFT;
    snprintf(x->error, sizeof x->error, "%s",
             x->failure == PX_CLIENT_TIMEOUT
                 ? (x->queued ? "the client stopped reading the response (idle timeout)"
                              : "the client went silent before its request was complete (idle timeout)")
                 : (x->queued ? "the client closed the connection before the response was sent"
                              : "the client closed the connection before its request was complete"));
  }
  px_settle(p, x);
  exchange_free(x);
}

/* Library code never prints: libmicrohttpd's messages go nowhere. */
static void quiet(void *cls, const char *fmt, va_list ap) {
  (void)cls;
  (void)fmt;
  (void)ap;
}

/* ---- start / stop ------------------------------------------------------------ */

/* Splits the upstream base URL into origin and path prefix; refuses what
 * the transport refuses (query, fragment, userinfo, other schemes). */
static int parse_upstream(wc_proxy *p, const char *upstream, bool allow_http, wc_err *err) {
  char *joined = wc_url_join(upstream, "users/me", err);
  if (!joined) return -1;
  free(joined);
  CURLU *u = curl_url();
  char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
  int rc = -1;
  if (!u || curl_url_set(u, CURLUPART_URL, upstream, 0) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
    wc_err_set(err, WC_E_USAGE, "the upstream URL does not parse");
    goto out;
  }
  if (strcmp(scheme, "http") == 0 && !allow_http && !wc_url_is_loopback(upstream)) {
    wc_err_set(err, WC_E_REFUSED,
               "plain http:// to non-loopback upstream %s refused: credentials would travel in clear; use https:// "
               "or --allow-http",
               host);
    goto out;
  }
  wc_buf b;
  wc_buf_init(&b);
  if (wc_buf_printf(&b, "%s://%s:%s", scheme, host, port) != 0) goto nomem;
  p->upstream_origin = wc_buf_steal(&b);
  /* For the plain forwarder: where to connect, and the Host field libcurl
   * would write (the port only when it is not the scheme's). */
  p->upstream_plain = strcmp(scheme, "http") == 0;
  size_t hlen = strlen(host);
  bool bracketed = hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']';
  p->upstream_host = bracketed ? wc_strndup(host + 1, hlen - 2) : wc_strdup(host);
  p->upstream_port = wc_strdup(port);
  if (wc_buf_printf(&b, "%s%s%s", host, strcmp(port, p->upstream_plain ? "80" : "443") ? ":" : "",
                    strcmp(port, p->upstream_plain ? "80" : "443") ? port : "") != 0)
    goto nomem;
  p->upstream_authority = wc_buf_steal(&b);
  if (!p->upstream_host || !p->upstream_port || !p->upstream_authority) goto nomem;
  size_t n = strlen(path);
  while (n > 0 && path[n - 1] == '/') n--;
  p->prefix = wc_strndup(path, n);
  if (!p->upstream_origin || !p->prefix) goto nomem;
  rc = 0;
  goto out;
nomem:
  wc_buf_free(&b);
  wc_err_set(err, WC_E_NOMEM, "out of memory");
out:
  curl_free(scheme);
  curl_free(host);
  curl_free(port);
  curl_free(path);
  curl_url_cleanup(u);
  return rc;
}

static int copy_config(wc_proxy *p, const wc_proxy_opts *o, wc_err *err) {
  wc_proxy_opts d;
  wc_proxy_opts_default(&d);
  p->o = *o;
  /* Zero means the default for every limit: none of them may be unbounded. */
  if (!p->o.max_request_body) p->o.max_request_body = d.max_request_body;
  if (!p->o.max_response_body) p->o.max_response_body = d.max_response_body;
  if (p->o.connect_timeout_ms <= 0) p->o.connect_timeout_ms = d.connect_timeout_ms;
  if (p->o.timeout_ms <= 0) p->o.timeout_ms = d.timeout_ms;
  if (!p->o.idle_timeout_s) p->o.idle_timeout_s = d.idle_timeout_s;
  if (!p->o.max_connections) p->o.max_connections = d.max_connections;
  if (!p->o.max_recorded) p->o.max_recorded = d.max_recorded;
  if (!o->upstream || !*o->upstream) {
    wc_err_set(err, WC_E_USAGE, "an upstream base URL is needed");
    return -1;
  }
  if (parse_upstream(p, o->upstream, o->allow_http, err) != 0) return -1;
  if (!(p->upstream = wc_strdup(o->upstream))) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return -1;
  }
  p->spec = o->spec_path ? wc_spec_load_file(o->spec_path, err) : wc_spec_load_embedded(err);
  if (!p->spec) return -1;
  p->host = wc_strdup(o->host ? o->host : d.host);
  p->cacert = o->cacert ? wc_strdup(o->cacert) : NULL;
  size_t n = o->known_versions ? o->known_count : 0;
  const char *const *known = o->known_versions ? o->known_versions : wc_versions_or_default(NULL, &n);
  p->known_versions = calloc(n ? n : 1, sizeof *p->known_versions);
  bool ok = p->host && (!o->cacert || p->cacert) && p->known_versions;
  for (size_t i = 0; ok && i < n; i++) {
    ok = known[i] && (p->known_versions[i] = wc_strdup(known[i])) != NULL;
    p->known_count = i + 1;
  }
  const char *newest = wc_version_newest((const char *const *)p->known_versions, p->known_count);
  const char *pinned = o->api_version ? o->api_version : newest;
  if (ok && pinned) ok = (p->api_version = wc_strdup(pinned)) != NULL;
  if (!ok) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return -1;
  }
  p->o.upstream = NULL;
  p->o.spec_path = NULL;
  p->o.host = p->host;
  p->o.cacert = p->cacert;
  p->o.known_versions = (const char *const *)p->known_versions;
  p->o.known_count = p->known_count;
  p->o.api_version = p->api_version;
  return 0;
}

static void proxy_free(wc_proxy *p) {
  px_tally_free(p);
  wc_spec_free(p->spec);
  free(p->upstream);
  free(p->upstream_origin);
  free(p->upstream_host);
  free(p->upstream_port);
  free(p->upstream_authority);
  free(p->prefix);
  free(p->host);
  free(p->cacert);
  for (size_t i = 0; i < p->known_count; i++) free(p->known_versions[i]);
  free(p->known_versions);
  free(p->api_version);
  pthread_mutex_destroy(&p->lock);
  free(p);
}

wc_proxy *wc_proxy_start(const wc_proxy_opts *opts, wc_err *err) {
  wc_err_clear(err);
  if (!opts) {
    wc_err_set(err, WC_E_USAGE, "no proxy options");
    return NULL;
  }
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    wc_err_set(err, WC_E_TRANSPORT, "libcurl initialisation failed");
    return NULL;
  }
  wc_proxy *p = calloc(1, sizeof *p);
  if (!p) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return NULL;
  }
  pthread_mutex_init(&p->lock, NULL);
  atomic_init(&p->stopping, false);
  if (copy_config(p, opts, err) != 0 || px_tally_start(p, err) != 0) {
    proxy_free(p);
    return NULL;
  }
  unsigned short port = 0;
  int fd = wc_listen_tcp(p->host, opts->port, opts->allow_non_loopback, 512, &port, err);
  if (fd < 0) {
    proxy_free(p);
    return NULL;
  }
  p->port = port;
  wc_http_base_url(p->base_url, sizeof p->base_url, p->host, port, p->prefix);
  if (pthread_key_create(&p->upstream_key, px_upstream_thread_end) != 0) {
    close(fd);
    proxy_free(p);
    wc_err_set(err, WC_E_INTERNAL, "cannot create a thread key");
    return NULL;
  }
  p->daemon = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL | MHD_USE_ITC, 0, NULL, NULL,
      on_request, p, MHD_OPTION_EXTERNAL_LOGGER, quiet, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
      MHD_OPTION_CONNECTION_TIMEOUT, p->o.idle_timeout_s, MHD_OPTION_CONNECTION_LIMIT, p->o.max_connections,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY, MHD_OPTION_THREAD_STACK_SIZE,
      (size_t)THREAD_STACK, MHD_OPTION_URI_LOG_CALLBACK, on_uri, p, MHD_OPTION_NOTIFY_COMPLETED, on_completed, p,
      MHD_OPTION_END);
  if (!p->daemon) {
    close(fd);
    pthread_key_delete(p->upstream_key);
    proxy_free(p);
    wc_err_set(err, WC_E_INTERNAL, "libmicrohttpd could not start on %s", p->base_url);
    return NULL;
  }
  return p;
}

const char *wc_proxy_base_url(const wc_proxy *p) { return p ? p->base_url : NULL; }

unsigned short wc_proxy_port(const wc_proxy *p) { return p ? p->port : 0; }

const wc_spec *wc_proxy_spec(const wc_proxy *p) { return p ? p->spec : NULL; }

void wc_proxy_stop(wc_proxy *p) {
  if (!p || !p->daemon) return;
  atomic_store(&p->stopping, true);
  /* Quiesced, the listening socket is ours again: MHD_stop_daemon does not
   * close it, we do (after the daemon's threads are gone). */
  MHD_socket fd = MHD_quiesce_daemon(p->daemon);
  MHD_stop_daemon(p->daemon);
  if (fd != MHD_INVALID_SOCKET) close(fd);
  p->daemon = NULL;
  pthread_key_delete(p->upstream_key);
}

void wc_proxy_free(wc_proxy *p) {
  if (!p) return;
  wc_proxy_stop(p);
  proxy_free(p);
}
