/* The reference server's HTTP layer on libmicrohttpd: one thread per
 * connection (keep-alive); each request is classified here (route, version,
 * credentials, account_id from the connection) and then goes through the
 * pipeline (refserver_pipeline.c):
 *
 *   route -> Api-Version-Date -> credentials -> account_id -> body size
 *   -> body -> update -> render -> reply
 *
 * Everything up to the body size is decided from the headers alone; the
 * body is read (and dropped when the answer is already known) so the
 * connection stays alive. Faults hook into the pipeline at fixed
 * points (refserver_faults.c); a transport fault replaces the HTTP layer by
 * the raw responder (refserver_raw.c). */
#include <errno.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "refserver_internal.h"
#include "whopconf/versions.h"

#define DEFAULT_MAX_BODY (64 * 1024)
#define CONNECTION_MEMORY (256 * 1024) /* headers up to about this size reach us */
#define IDLE_TIMEOUT_S 30
#define MAX_CONNECTIONS 256

struct wc_refserver {
  rs_server s;
};

void wc_refserver_opts_default(wc_refserver_opts *opts) {
  memset(opts, 0, sizeof *opts);
  opts->host = "127.0.0.1";
  opts->user_token = WC_REFSERVER_DEFAULT_USER_TOKEN;
  opts->token_without_scope = WC_REFSERVER_DEFAULT_TOKEN_WITHOUT_SCOPE;
  opts->api_key = WC_REFSERVER_DEFAULT_API_KEY;
  opts->max_body = DEFAULT_MAX_BODY;
}

/* ---- small utilities ---------------------------------------------------- */

bool rs_server_stopping(rs_server *srv) {
  pthread_mutex_lock(&srv->stop_lock);
  bool stopping = srv->stopping;
  pthread_mutex_unlock(&srv->stop_lock);
  return stopping;
}

bool rs_server_sleep(rs_server *srv, unsigned ms) {
  struct timespec until;
  clock_gettime(CLOCK_MONOTONIC, &until);
  until.tv_sec += ms / 1000;
  until.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&srv->stop_lock);
  while (!srv->stopping && pthread_cond_timedwait(&srv->stop_cond, &srv->stop_lock, &until) != ETIMEDOUT) {
  }
  bool alive = !srv->stopping;
  pthread_mutex_unlock(&srv->stop_lock);
  return alive;
}

void rs_server_logf(rs_server *srv, const char *fmt, ...) {
  if (!srv->log) return;
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  pthread_mutex_lock(&srv->log_lock);
  srv->log(srv->log_ctx, line);
  pthread_mutex_unlock(&srv->log_lock);
}

/* ---- classification ----------------------------------------------------- */

/* A copy without the optional whitespace around a field value (RFC 9110
 * 5.5: it is not part of the value); libmicrohttpd strips only the left. */
static char *field_value(const char *v) {
  if (!v) return NULL;
  while (*v == ' ' || *v == '\t') v++;
  size_t n = strlen(v);
  while (n && (v[n - 1] == ' ' || v[n - 1] == '\t')) n--;
  return wc_strndup(v, n);
}

typedef struct header_count {
  const char *name;
  unsigned count;
} header_count;

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  (void)kind;
  (void)value;
  header_count *hc = cls;
  if (key && strcasecmp(key, hc->name) == 0) hc->count++;
  return MHD_YES;
}

static void classify_version(rs_exchange *x, struct MHD_Connection *conn) {
  rs_server *s = x->srv;
  header_count hc = {"Api-Version-Date", 0};
  MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &hc);
  const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Api-Version-Date");
  x->shape = RS_SHAPE_ORIGINAL;
  if (hc.count == 0 || !v) {
    x->ver_class = RS_VER_ABSENT;
    return;
  }
  x->version = field_value(v);
  if (!x->version) {
    x->ver_class = RS_VER_MALFORMED;
    return;
  }
  v = x->version;
  if (hc.count > 1) {
    x->ver_class = RS_VER_REPEATED;
    return;
  }
  if (wc_version_listed((const char *const *)s->known_versions, s->known_version_count, v)) {
    x->ver_class = RS_VER_KNOWN;
    x->shape = rs_version_shape(v);
    return;
  }
  x->ver_class = wc_version_well_formed(v) ? RS_VER_UNKNOWN_DATE : RS_VER_MALFORMED;
}

/* Compares without stopping at the first difference (token checks). */
static bool same_secret(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  unsigned char diff = (unsigned char)(la != lb);
  for (size_t i = 0; i < la; i++) diff |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
  return diff == 0;
}

static void classify_credentials(rs_exchange *x, struct MHD_Connection *conn) {
  rs_server *s = x->srv;
  const char *raw = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
  x->user = -1;
  if (!raw) {
    x->cred = RS_CRED_MISSING;
    return;
  }
  char *auth = field_value(raw);
  if (!auth || strncasecmp(auth, "Bearer ", 7) != 0) {
    free(auth);
    x->cred = RS_CRED_MALFORMED;
    return;
  }
  const char *token = auth + 7;
  while (*token == ' ') token++;
  if (!*token || strpbrk(token, " \t")) {
    free(auth);
    x->cred = RS_CRED_MALFORMED;
    return;
  }
  if (same_secret(token, s->user_token)) {
    x->cred = RS_CRED_USER;
    x->user = RS_USER_MAIN;
  } else if (same_secret(token, s->token_without_scope)) {
    x->cred = RS_CRED_NO_SCOPE;
    x->user = RS_USER_NO_SCOPE;
  } else if (same_secret(token, s->api_key)) {
    x->cred = RS_CRED_API_KEY;
  } else {
    x->cred = RS_CRED_UNKNOWN;
  }
  free(auth);
}

typedef struct arg_find {
  bool present;
  const char *value;
} arg_find;

static enum MHD_Result find_account_id(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  (void)kind;
  arg_find *af = cls;
  if (key && strcmp(key, "account_id") == 0 && !af->present) {
    af->present = true;
    af->value = value;
  }
  return MHD_YES;
}

static void classify_account(rs_exchange *x, struct MHD_Connection *conn) {
  arg_find af = {false, NULL};
  MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, find_account_id, &af);
  if (!af.present) return;
  /* The contract takes any string; the id alphabet is the lenient option
   * id-rules. */
  const char *v = af.value ? af.value : "";
  if (!rs_utf8_valid(v) || (x->srv->body_rules.id_rules && !rs_id_valid(v))) {
    x->account_id_bad = true;
    x->account_id_refused = wc_strdup(af.value ? af.value : ""); /* for the faults; NULL if out of memory */
    return;
  }
  x->account_id = wc_strdup(af.value ? af.value : "");
  if (!x->account_id) x->account_id_bad = true;
}

static void classify(rs_exchange *x, struct MHD_Connection *conn, const char *url, const char *method) {
  rs_server *s = x->srv;
  snprintf(x->method, sizeof x->method, "%s", method);
  x->path = wc_strdup(url ? url : "");
  size_t plen = strlen(s->prefix);
  bool on_path = x->path && strncmp(x->path, s->prefix, plen) == 0 && strcmp(x->path + plen, "/users/me") == 0;
  x->route = !on_path ? RS_ROUTE_NOT_FOUND : strcmp(method, "PATCH") == 0 ? RS_ROUTE_OK : RS_ROUTE_METHOD;
  classify_version(x, conn);
  classify_credentials(x, conn);
  classify_account(x, conn);
}

/* ---- MHD glue ------------------------------------------------------------- */

static void exchange_free(rs_exchange *x) {
  if (!x) return;
  free(x->path);
  free(x->version);
  free(x->account_id);
  free(x->account_id_refused);
  free(x->write_account);
  cJSON_Delete(x->body_seen.json);
  wc_buf_free(&x->body);
  wc_buf_free(&x->reply.body);
  cJSON_Delete(x->reply.user);
  rs_update_free(&x->update);
  free(x);
}

static enum MHD_Result send_reply(rs_exchange *x, struct MHD_Connection *conn) {
  rs_reply *r = &x->reply;
  if (r->delay_ms) rs_server_sleep(x->srv, r->delay_ms);
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(r->body.len, r->body.data ? r->body.data : (char *)"", MHD_RESPMEM_MUST_COPY);
  if (!resp) return MHD_NO;
  if (r->content_type) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
  if (r->www_authenticate) MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"whop\"");
  if (r->allow) MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "PATCH");
  if (r->location) MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  enum MHD_Result ok = MHD_queue_response(conn, r->status, resp);
  MHD_destroy_response(resp);
  x->queued = true;
  char shown[240];
  rs_printable(x->path ? x->path : "", shown, sizeof shown);
  /* "write": a 2xx that applied a non-empty update (what a test of a
   * read-only run looks for). */
  bool wrote = r->status >= 200 && r->status < 300 && !rs_update_empty(&x->update);
  rs_server_logf(x->srv, "%s %s %u %.1fms%s", x->method, shown, r->status, wc_monotonic_ms() - x->t0_ms,
                 wrote ? " write" : "");
  return ok;
}

static unsigned long long content_length(struct MHD_Connection *conn, bool *present) {
  const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
  *present = v != NULL;
  return v ? strtoull(v, NULL, 10) : 0;
}

/* Decisions are made from the headers on the first call, but answered only
 * once the body has been read (and dropped), so the connection stays
 * alive; a body announced over the limit is answered at once instead (the
 * connection then closes rather than reading it). */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
  (void)version;
  rs_server *s = cls;
  rs_exchange *x = *con_cls;
  if (!x) {
    x = calloc(1, sizeof *x);
    if (!x) return MHD_NO;
    *con_cls = x;
    x->srv = s;
    x->t0_ms = wc_monotonic_ms();
    wc_buf_init(&x->body);
    wc_buf_init(&x->reply.body);
    classify(x, conn, url, method);
    bool cl_present;
    unsigned long long cl = content_length(conn, &cl_present);
    bool decided = rs_decide_headers(x);
    if (cl_present && cl > s->max_body) {
      if (!decided) rs_reply_too_large(x);
      rs_finish_reply(x);
      return send_reply(x, conn);
    }
    return MHD_YES;
  }
  if (*upload_data_size) {
    if (!x->reply.status && !x->body_too_large) {
      if (x->body.len + *upload_data_size > s->max_body) x->body_too_large = true;
      else if (wc_buf_append(&x->body, upload_data, *upload_data_size) != 0) return MHD_NO;
    }
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (x->queued) return MHD_YES;
  if (!x->reply.status) rs_decide_body(x);
  rs_finish_reply(x);
  return send_reply(x, conn);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode code) {
  (void)conn;
  rs_exchange *x = *con_cls;
  if (x && !x->queued) {
    char shown[240];
    rs_printable(x->path ? x->path : "", shown, sizeof shown);
    rs_server_logf(cls, "%s %s - client left (code %d)", x->method, shown, (int)code);
  }
  exchange_free(x);
  *con_cls = NULL;
}

/* Library code never prints: libmicrohttpd's messages go nowhere. */
static void quiet(void *cls, const char *fmt, va_list ap) {
  (void)cls;
  (void)fmt;
  (void)ap;
}

/* ---- start / stop ----------------------------------------------------------- */

static int copy_config(rs_server *s, const wc_refserver_opts *o, wc_err *err) {
  s->host = wc_strdup(o->host ? o->host : "127.0.0.1");
  s->prefix = wc_strdup(o->prefix ? o->prefix : WC_REFSERVER_DEFAULT_PREFIX);
  s->user_token = wc_strdup(o->user_token ? o->user_token : WC_REFSERVER_DEFAULT_USER_TOKEN);
  s->token_without_scope =
      wc_strdup(o->token_without_scope ? o->token_without_scope : WC_REFSERVER_DEFAULT_TOKEN_WITHOUT_SCOPE);
  s->api_key = wc_strdup(o->api_key ? o->api_key : WC_REFSERVER_DEFAULT_API_KEY);
  s->max_body = o->max_body ? o->max_body : DEFAULT_MAX_BODY;
  rs_body_rules_default(&s->body_rules);
  for (size_t i = 0; i < o->lenient_count; i++)
    if (rs_lenient_apply(o->lenient[i], &s->body_rules, err) != 0) return -1;
  s->show_balances = o->show_balances;
  s->log = o->log;
  s->log_ctx = o->log_ctx;
  if (!s->host || !s->prefix || !s->user_token || !s->token_without_scope || !s->api_key) goto nomem;
  if (!*s->user_token || !*s->token_without_scope || !*s->api_key || strcmp(s->user_token, s->api_key) == 0 ||
      strcmp(s->user_token, s->token_without_scope) == 0 || strcmp(s->token_without_scope, s->api_key) == 0) {
    wc_err_set(err, WC_E_USAGE, "the user token, the token without scope and the API key must be non-empty and differ");
    return -1;
  }
  size_t n = o->known_versions ? o->known_version_count : 0;
  const char *const *known = o->known_versions ? o->known_versions : wc_versions_or_default(NULL, &n);
  if (n == 0) {
    wc_err_set(err, WC_E_USAGE, "the list of known versions is empty");
    return -1;
  }
  if (!(s->known_versions = calloc(n, sizeof *s->known_versions))) goto nomem;
  s->known_version_count = n;
  wc_buf list;
  wc_buf_init(&list);
  for (size_t i = 0; i < n; i++) {
    const char *v = known[i];
    if (!v || !*v) {
      wc_buf_free(&list);
      wc_err_set(err, WC_E_USAGE, "known version %zu is empty", i + 1);
      return -1;
    }
    if (!(s->known_versions[i] = wc_strdup(v)) || (i && wc_buf_puts(&list, ", ")) || wc_buf_puts(&list, v)) {
      wc_buf_free(&list);
      goto nomem;
    }
  }
  s->supported_list = wc_buf_steal(&list);
  if (!s->supported_list) goto nomem;
  if (o->fault_count && !(s->faults = calloc(o->fault_count, sizeof *s->faults))) goto nomem;
  for (size_t i = 0; i < o->fault_count; i++) {
    const rs_fault_def *f = rs_fault_def_find(o->faults[i]);
    if (!f) {
      wc_err_set(err, WC_E_USAGE, "unknown fault \"%s\" (see --list-faults)", o->faults[i] ? o->faults[i] : "");
      return -1;
    }
    if (f->raw) {
      if (s->transport_fault && s->transport_fault != f) {
        wc_err_set(err, WC_E_USAGE, "only one transport fault at a time (%s and %s)", s->transport_fault->info.name,
                   f->info.name);
        return -1;
      }
      s->transport_fault = f;
      continue;
    }
    if (f->flags & RS_FAULT_SHOWS_BALANCES) s->show_balances = true;
    if (f->flags & RS_FAULT_ID_RULES) s->body_rules.id_rules = true;
    s->faults[s->fault_count++] = f;
  }
  if (s->transport_fault && s->fault_count) {
    wc_err_set(err, WC_E_USAGE, "transport fault %s cannot be combined with conformance faults",
               s->transport_fault->info.name);
    return -1;
  }
  return 0;
nomem:
  wc_err_set(err, WC_E_NOMEM, "out of memory");
  return -1;
}

static void server_free(rs_server *s) {
  free(s->host);
  free(s->prefix);
  free(s->user_token);
  free(s->token_without_scope);
  free(s->api_key);
  for (size_t i = 0; i < s->known_version_count; i++) free(s->known_versions[i]);
  free(s->known_versions);
  free(s->supported_list);
  free(s->faults);
  free(s->canned_user);
  rs_state_free(s->state);
  pthread_mutex_destroy(&s->log_lock);
  pthread_mutex_destroy(&s->stop_lock);
  pthread_cond_destroy(&s->stop_cond);
}

/* The raw responder answers every request with the main user's latest view. */
static char *canned_user(rs_server *s) {
  rs_update none = {0};
  rs_render_opts ro = {RS_SHAPE_FULL, false};
  char msg[RS_MSG_LEN];
  bool nomem;
  cJSON *u = rs_state_apply(s->state, RS_USER_MAIN, NULL, NULL, &none, &ro, msg, &nomem);
  char *text = u ? cJSON_PrintUnformatted(u) : NULL;
  cJSON_Delete(u);
  return text;
}

wc_refserver *wc_refserver_start(const wc_refserver_opts *opts, wc_err *err) {
  wc_err_clear(err);
  wc_refserver_opts defaults;
  if (!opts) {
    wc_refserver_opts_default(&defaults);
    opts = &defaults;
  }
  wc_refserver *srv = calloc(1, sizeof *srv);
  if (!srv) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return NULL;
  }
  rs_server *s = &srv->s;
  s->listen_fd = -1;
  pthread_mutex_init(&s->log_lock, NULL);
  pthread_mutex_init(&s->stop_lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&s->stop_cond, &ca);
  pthread_condattr_destroy(&ca);
  if (copy_config(s, opts, err) != 0) goto fail;
  if (!(s->state = rs_state_new()) || !(s->canned_user = canned_user(s))) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    goto fail;
  }
  if ((s->listen_fd = wc_listen_tcp(s->host, opts->port, opts->allow_non_loopback, 128, &s->port, err)) < 0) goto fail;
  wc_http_base_url(s->base_url, sizeof s->base_url, s->host, s->port, s->prefix);
  if (s->transport_fault) {
    s->raw = rs_raw_start(s, s->listen_fd, s->transport_fault->raw, s->transport_fault->info.name, err);
    if (!s->raw) goto fail;
    return srv;
  }
  s->daemon = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL | MHD_USE_ITC, 0, NULL, NULL,
      on_request, s, MHD_OPTION_EXTERNAL_LOGGER, quiet, NULL, MHD_OPTION_LISTEN_SOCKET, s->listen_fd,
      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT,
      (unsigned)MAX_CONNECTIONS, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
      MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
  if (!s->daemon) {
    wc_err_set(err, WC_E_INTERNAL, "libmicrohttpd could not start on %s", s->base_url);
    goto fail;
  }
  return srv;
fail:
  if (s->listen_fd >= 0) close(s->listen_fd);
  server_free(s);
  free(srv);
  return NULL;
}

const char *wc_refserver_base_url(const wc_refserver *srv) { return srv ? srv->s.base_url : NULL; }

unsigned short wc_refserver_port(const wc_refserver *srv) { return srv ? srv->s.port : 0; }

void wc_refserver_stop(wc_refserver *srv) {
  if (!srv) return;
  rs_server *s = &srv->s;
  pthread_mutex_lock(&s->stop_lock);
  s->stopping = true;
  pthread_cond_broadcast(&s->stop_cond);
  pthread_mutex_unlock(&s->stop_lock);
  if (s->daemon) {
    /* Quiesced, the listening socket is ours again: MHD_stop_daemon will
     * not close it, we do (after the daemon's threads are gone). */
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    MHD_stop_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET) close(fd);
  } else {
    rs_raw_stop(s->raw);
    close(s->listen_fd);
  }
  server_free(s);
  free(srv);
}
