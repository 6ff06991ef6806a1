/* A case: opened in a Criterion worker from the run context (or by the
 * parent for setup/teardown), it sends requests, records each exchange,
 * runs the generic checks on every response, and at close writes its
 * observations and exchanges to <run dir>/results/<name>.json. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "runner_internal.h"
#include "whopconf/catalog.h"
#include "whopconf/schema.h"

struct wc_case {
  wc_run_ctx *ctx;
  bool own_ctx;
  const wc_spec *spec;
  wc_spec *own_spec;
  char *name;
  char *declared[48];
  size_t declared_count;
  unsigned flags;
  bool ignore_stop;
  bool opened; /* fully opened: only then is a result file written */
  wc_run_checks *checks;
  wc_transport *transport;
  wc_observations *obs;
  cJSON *exchanges;
  wc_response **responses;
  size_t response_count, response_cap;
  int seq;
  uint64_t rng;
  bool stopped;
  bool wrote; /* sent something that could change the profile */
  char stop_reason[512];
  char last_failure[512]; /* the last transport failure, "" when none */
  int lock_fd;
  double t0_ms;
  size_t positive, refused, transport_failures;
};

/* ---- opening --------------------------------------------------------------- */

static uint64_t fnv1a(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; s && *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

static void split_declared(wc_case *c, const char *declared) {
  const char *p = declared ? declared : "";
  while (*p && c->declared_count < sizeof c->declared / sizeof c->declared[0]) {
    while (*p == ' ') p++;
    const char *start = p;
    while (*p && *p != ' ') p++;
    if (p > start) {
      char *id = wc_strndup(start, (size_t)(p - start));
      if (id && wc_catalog_find(id))
        c->declared[c->declared_count++] = id;
      else
        free(id);
    }
  }
}

static void compile_schemas(wc_case *c) {
  c->checks = wc_run_checks_new(c->spec, c->ctx->api_version, (const char *const *)c->ctx->known,
                                c->ctx->known_count, c->ctx->max_response_ms, NULL);
}

static char *run_path(const wc_case *c, const char *a, const char *b) {
  char *dir = wc_path_join(c->ctx->run_dir, a);
  if (!dir || !b) return dir;
  char *p = wc_path_join(dir, b);
  free(dir);
  return p;
}

/* Cases that change the profile hold the state lock exclusively, the
 * others shared: writers run alone, readers together. */
static void take_lock(wc_case *c) {
  c->lock_fd = -1;
  char *path = run_path(c, WC_RUN_LOCK, NULL);
  if (!path) return;
  c->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  free(path);
  if (c->lock_fd < 0) return;
  while (flock(c->lock_fd, (c->flags & WC_CASE_WRITES) ? LOCK_EX : LOCK_SH) != 0 && errno == EINTR) {
  }
}

wc_case *wc_case_open_in(wc_run_ctx *ctx, const wc_spec *spec, const char *name,
                         const char *declared, unsigned flags, bool ignore_stop, wc_err *err) {
  wc_case *c = calloc(1, sizeof *c);
  if (!c) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return NULL;
  }
  c->t0_ms = wc_monotonic_ms();
  c->ctx = ctx;
  c->spec = spec;
  c->name = wc_strdup(name);
  c->flags = flags;
  c->ignore_stop = ignore_stop;
  c->lock_fd = -1;
  c->rng = (ctx->seed ^ fnv1a(name)) + 0x9e3779b97f4a7c15ULL;
  split_declared(c, declared);
  c->obs = wc_observations_new();
  c->exchanges = cJSON_CreateArray();
  if (!c->spec) {
    c->own_spec = ctx->spec_path ? wc_spec_load_file(ctx->spec_path, err) : wc_spec_load_embedded(err);
    c->spec = c->own_spec;
  }
  if (!c->name || !c->obs || !c->exchanges || !c->spec) {
    if (c->name && c->obs && c->exchanges) {
      /* err already says why the spec did not load */
    } else {
      wc_err_set(err, WC_E_NOMEM, "out of memory");
    }
    wc_case_close(c, NULL);
    return NULL;
  }
  compile_schemas(c);
  c->transport = wc_transport_new(&ctx->topts, err);
  if (!c->transport) {
    wc_case_close(c, NULL);
    return NULL;
  }
  if (!ignore_stop) take_lock(c);
  c->opened = true;
  return c;
}

wc_case *wc_case_open(const char *name, const char *declared, unsigned flags, wc_err *err) {
  const char *path = getenv(WC_ENV_RUN_CTX);
  if (!path || !*path) {
    wc_err_set(err, WC_E_USAGE, "%s is not set: cases run under `whopconf run`", WC_ENV_RUN_CTX);
    return NULL;
  }
  size_t len;
  char *text = wc_read_file(path, 1 << 20, &len, err);
  if (!text) return NULL;
  cJSON *j = cJSON_ParseWithLength(text, len);
  free(text);
  wc_run_ctx *ctx = j ? wc_run_ctx_from_json(j, err) : NULL;
  if (!j) wc_err_set(err, WC_E_PARSE, "the run context %s is not JSON", path);
  cJSON_Delete(j);
  if (!ctx) return NULL;
  wc_case *c = wc_case_open_in(ctx, NULL, name, declared, flags, false, err);
  if (!c) {
    wc_run_ctx_free(ctx);
    return NULL;
  }
  c->own_ctx = true;
  return c;
}

/* ---- accessors --------------------------------------------------------------- */

const char *wc_case_credential(const wc_case *c, unsigned which) {
  switch (which) {
  case WC_CRED_TOKEN: return c->ctx->token;
  case WC_CRED_API_KEY: return c->ctx->api_key;
  case WC_CRED_NO_SCOPE: return c->ctx->token_without_scope;
  default: return NULL;
  }
}

const char *wc_case_api_version(const wc_case *c) { return c->ctx->api_version; }
size_t wc_case_known_count(const wc_case *c) { return c->ctx->known_count; }
const char *wc_case_known(const wc_case *c, size_t i) {
  return i < c->ctx->known_count ? c->ctx->known[i] : NULL;
}
size_t wc_case_account_count(const wc_case *c) { return c->ctx->account_count; }
const char *wc_case_account(const wc_case *c, size_t i) {
  return i < c->ctx->account_count ? c->ctx->accounts[i] : NULL;
}
bool wc_case_embedded(const wc_case *c) { return c->ctx->embedded; }
bool wc_case_picture_writes(const wc_case *c) { return c->ctx->allow_picture_writes; }
const char *wc_case_picture_id(const wc_case *c) { return c->ctx->picture_id; }
const wc_check_ctx *wc_case_checks(const wc_case *c) {
  static const wc_check_ctx none;
  return c->checks ? wc_run_checks_ctx(c->checks) : &none;
}
wc_observations *wc_case_obs(wc_case *c) { return c->obs; }

uint64_t wc_case_random(wc_case *c) {
  /* splitmix64: tiny, and the same seed gives the same sequence */
  uint64_t z = (c->rng += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void wc_case_random_token(wc_case *c, const char *prefix, char *out, size_t size) {
  snprintf(out, size, "%s%08x", prefix ? prefix : "", (unsigned)(wc_case_random(c) & 0xffffffffu));
}

const char *wc_case_stop_reason_internal(const wc_case *c) {
  return c->stop_reason[0] ? c->stop_reason : c->last_failure;
}

/* ---- skips -------------------------------------------------------------------- */

static bool observed(const wc_case *c, const char *id) {
  for (size_t i = 0; i < wc_observations_count(c->obs); i++)
    if (strcmp(wc_observations_get(c->obs, i)->requirement, id) == 0) return true;
  return false;
}

static void skip_rest_v(wc_case *c, const char *fmt, va_list ap) {
  char reason[512];
  vsnprintf(reason, sizeof reason, fmt, ap);
  for (size_t i = 0; i < c->declared_count; i++)
    if (!observed(c, c->declared[i]))
      wc_observe(c->obs, c->declared[i], WC_OBS_SKIP, 0, "%s", reason);
}

void wc_case_skip_rest(wc_case *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  skip_rest_v(c, fmt, ap);
  va_end(ap);
}

static const struct {
  unsigned bit;
  const char *what;
} cred_names[] = {
    {WC_CRED_TOKEN, "a user token with user:profile:update (--token or " WC_ENV_TOKEN ")"},
    {WC_CRED_API_KEY, "an API key (--api-key or " WC_ENV_API_KEY ")"},
    {WC_CRED_NO_SCOPE, "a user token without user:profile:update (--token-without-scope or "
                       WC_ENV_TOKEN_WITHOUT_SCOPE ")"},
};

bool wc_case_need_for(wc_case *c, unsigned creds, const char *requirement) {
  for (size_t i = 0; i < sizeof cred_names / sizeof cred_names[0]; i++) {
    if (!(creds & cred_names[i].bit) || wc_case_credential(c, cred_names[i].bit)) continue;
    if (requirement)
      wc_observe(c->obs, requirement, WC_OBS_SKIP, 0, "needs %s, which was not given", cred_names[i].what);
    else
      wc_case_skip_rest(c, "needs %s, which was not given", cred_names[i].what);
    return false;
  }
  return true;
}

bool wc_case_need(wc_case *c, unsigned creds) { return wc_case_need_for(c, creds, NULL); }

bool wc_case_need_writes(wc_case *c) {
  if (c->ctx->allow_writes) return true;
  wc_case_skip_rest(c, "changes the profile: needs --allow-writes against a remote target");
  return false;
}

/* ---- sending -------------------------------------------------------------------- */

static bool stop_marker(wc_case *c) {
  if (c->ignore_stop) return false;
  char *path = run_path(c, WC_RUN_ABORT, NULL);
  if (!path) return false;
  size_t len = 0;
  char *why = wc_read_file(path, 400, &len, NULL);
  free(path);
  if (!why) return false;
  snprintf(c->stop_reason, sizeof c->stop_reason, "the run was stopped: %s", why);
  free(why);
  return true;
}

bool wc_case_stopped(wc_case *c) {
  if (!c->stopped && stop_marker(c)) c->stopped = true;
  return c->stopped;
}

static int keep_response(wc_case *c, wc_response *r) {
  if (c->response_count == c->response_cap) {
    size_t cap = c->response_cap ? c->response_cap * 2 : 16;
    wc_response **n = realloc(c->responses, cap * sizeof *n);
    if (!n) return -1;
    c->responses = n;
    c->response_cap = cap;
  }
  c->responses[c->response_count++] = r;
  return 0;
}

/* The transport's reproduction command reads the credential from
 * $WHOPCONF_TOKEN. A request made with another configured credential names
 * that one's variable instead; one made with a token we invented (unknown,
 * empty: not a secret) shows it, so the command reproduces what was sent. */
static void fix_curl_credential(cJSON *exchange, const wc_run_ctx *ctx, const char *token) {
  cJSON *curl = cJSON_GetObjectItemCaseSensitive(exchange, "curl");
  if (!token || !cJSON_IsString(curl) || (ctx->token && strcmp(token, ctx->token) == 0)) return;
  const char *replacement;
  if (ctx->api_key && strcmp(token, ctx->api_key) == 0)
    replacement = "$" WC_ENV_API_KEY;
  else if (ctx->token_without_scope && strcmp(token, ctx->token_without_scope) == 0)
    replacement = "$" WC_ENV_TOKEN_WITHOUT_SCOPE;
  else
    replacement = token;
  for (const char *p = replacement; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
          *p == '-' || *p == '$'))
      return; /* not shell-safe inside double quotes: leave the command alone */
  const char *at = strstr(curl->valuestring, "$" WC_ENV_TOKEN "\"");
  if (!at) return;
  wc_buf b;
  wc_buf_init(&b);
  wc_buf_append(&b, curl->valuestring, (size_t)(at - curl->valuestring));
  wc_buf_puts(&b, replacement);
  wc_buf_puts(&b, at + strlen("$" WC_ENV_TOKEN));
  if (b.data) cJSON_SetValuestring(curl, b.data);
  wc_buf_free(&b);
}

static void record_exchange(wc_case *c, const wc_exchange *x, const char *started, const char *token) {
  cJSON *j = wc_exchange_to_json(x, NULL, WC_RUN_BODY_CAP);
  if (!j) return;
  fix_curl_credential(j, c->ctx, token);
  cJSON_AddNumberToObject(j, "seq", c->seq);
  cJSON_AddStringToObject(j, "started_at", started);
  cJSON_AddItemToArray(c->exchanges, j);
}

const wc_response *wc_case_send(wc_case *c, const wc_request_desc *desc, const char *what,
                                unsigned flags, wc_sent *sent) {
  if (sent) memset(sent, 0, sizeof *sent);
  if (!c || wc_case_stopped(c)) return NULL;
  wc_request_desc d = *desc;
  if (!d.base_url) d.base_url = c->ctx->base_url;
  wc_err err;
  wc_err_clear(&err);
  wc_request *req = wc_request_build(&d, &err);
  if (!req) {
    /* Our own values are refused (a bug in a case, or an option such as a
     * token with a line break): nothing is sent. */
    wc_case_skip_rest(c, "could not build %s: %s", what ? what : "the request", err.msg);
    return NULL;
  }
  /* Counted before sending: a write that fails in transit may still have
   * reached the target. */
  if (d.name.kind || d.bio.kind || d.username.kind || d.picture_id.kind || d.picture_direct_upload_id.kind ||
      d.profile_picture_null || d.raw_body || d.method)
    c->wrote = true;
  char started[32];
  wc_now_iso(started);
  wc_exchange *x = wc_transport_send(c->transport, req);
  wc_request_free(req);
  if (!x) {
    wc_case_skip_rest(c, "out of memory");
    c->stopped = true;
    return NULL;
  }
  c->seq++;
  record_exchange(c, x, started, d.token);
  if (wc_exchange_status(x) != WC_XFER_OK) {
    c->transport_failures++;
    char reason[512];
    snprintf(reason, sizeof reason, "%s to %s failed (%s): %s", what ? what : "a request",
             c->ctx->base_url, wc_xfer_status_name(wc_exchange_status(x)), wc_exchange_error(x));
    wc_exchange_free(x);
    if (!c->ctx->keep_going) {
      /* The first transport failure stops every case: the target is not
       * in a state where more requests tell us anything. */
      char *path = run_path(c, WC_RUN_ABORT, NULL);
      if (path) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
          if (write(fd, reason, strlen(reason)) < 0) { /* the marker exists, reason or not */
          }
          close(fd);
        }
        free(path);
      }
      c->stopped = true;
      snprintf(c->stop_reason, sizeof c->stop_reason, "%s", reason);
    } else {
      wc_case_skip_rest(c, "%s", reason);
    }
    snprintf(c->last_failure, sizeof c->last_failure, "%s", reason);
    return NULL;
  }
  wc_response *r = wc_response_from_exchange(x, NULL, &err);
  wc_sent s = {
      .method = d.method ? d.method : "PATCH",
      .documented_op = !d.method && !d.path,
      .api_version = d.api_version,
      .time_ms = wc_exchange_total_ms(x),
      .exchange = c->seq,
      .what = what,
  };
  wc_exchange_free(x);
  if (!r || keep_response(c, r) != 0) {
    wc_response_free(r);
    wc_case_skip_rest(c, "out of memory");
    c->stopped = true;
    return NULL;
  }
  wc_check_response(wc_case_checks(c), &s, r, c->obs);
  if (flags & WC_SEND_POSITIVE) {
    c->positive++;
    long st = wc_response_status(r);
    if (st == 401 || st == 403) c->refused++;
  }
  if (sent) {
    *sent = s;
    /* s.what and s.api_version point into desc, which the caller owns */
  }
  return r;
}

/* ---- closing ---------------------------------------------------------------------- */

int wc_case_close(wc_case *c, wc_err *err) {
  if (!c) return 0;
  int rc = 0;
  /* An update case leaves the profile as found before it releases the
   * exclusive lock, so no other case ever sees what it wrote (a stopped
   * case sends nothing more: the end-of-run restore is the safety net). */
  if (c->opened && (c->flags & WC_CASE_WRITES) && c->wrote) (void)wc_case_put_back(c, c->ctx);
  if (c->stopped && c->stop_reason[0]) wc_case_skip_rest(c, "%s", c->stop_reason);
  if (c->opened) {
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "case", c->name);
    cJSON *decl = cJSON_AddArrayToObject(doc, "declared");
    for (size_t i = 0; decl && i < c->declared_count; i++)
      cJSON_AddItemToArray(decl, cJSON_CreateString(c->declared[i]));
    cJSON_AddNumberToObject(doc, "duration_ms", wc_monotonic_ms() - c->t0_ms);
    cJSON_AddBoolToObject(doc, "stopped", c->stopped);
    cJSON_AddStringToObject(doc, "stop_reason", c->stop_reason);
    cJSON_AddNumberToObject(doc, "positive", (double)c->positive);
    cJSON_AddNumberToObject(doc, "refused", (double)c->refused);
    cJSON_AddNumberToObject(doc, "transport_failures", (double)c->transport_failures);
    cJSON_AddItemToObject(doc, "observations", wc_observations_to_json(c->obs));
    cJSON_AddItemToObject(doc, "exchanges", c->exchanges);
    c->exchanges = NULL;
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    char file[300];
    snprintf(file, sizeof file, "%s.json", c->name);
    char *path = run_path(c, WC_RUN_RESULTS, file);
    if (!text || !path)
      rc = -1, wc_err_set(err, WC_E_NOMEM, "out of memory");
    else
      rc = wc_write_file_atomic(path, text, 0600, err);
    free(text);
    free(path);
  }
  if (c->lock_fd >= 0) close(c->lock_fd); /* releases the lock */
  for (size_t i = 0; i < c->response_count; i++) wc_response_free(c->responses[i]);
  free(c->responses);
  cJSON_Delete(c->exchanges);
  wc_observations_free(c->obs);
  wc_transport_free(c->transport);
  wc_run_checks_free(c->checks);
  for (size_t i = 0; i < c->declared_count; i++) free(c->declared[i]);
  wc_spec_free(c->own_spec);
  if (c->own_ctx) wc_run_ctx_free(c->ctx);
  free(c->name);
  free(c);
  return rc;
}
