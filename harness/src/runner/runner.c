/* The run: options, --only selection, the private run directory, the
 * context file the workers read, and the bookkeeping of cases. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runner_internal.h"
#include "whopconf/catalog.h"
#include "whopconf/versions.h"

void wc_run_opts_default(wc_run_opts *o) {
  if (!o) return;
  memset(o, 0, sizeof *o);
  o->report_dir = "reports";
  o->seed = 1;
  o->timeout_ms = WC_DEFAULT_TIMEOUT_MS;
  o->connect_timeout_ms = WC_DEFAULT_CONNECT_TIMEOUT_MS;
  o->max_body = WC_DEFAULT_MAX_BODY;
  o->rate = -1.0;
  o->retries = -1;
}

/* ---- selection ------------------------------------------------------------- */

static bool declared_has(const char *declared, const char *id) {
  size_t n = strlen(id);
  for (const char *p = declared; p && (p = strstr(p, id)) != NULL; p += n) {
    bool start = p == declared || p[-1] == ' ';
    bool end = p[n] == '\0' || p[n] == ' ';
    if (start && end) return true;
  }
  return false;
}

bool wc_run_case_selected(const wc_run_opts *opts, const char *case_name, const char *declared) {
  if (!opts || opts->only_count == 0) return true;
  for (size_t i = 0; i < opts->only_count; i++) {
    const char *want = opts->only[i];
    if (strcmp(want, case_name) == 0) return true;
    if (wc_requirement_is_generic(want)) return true;
    if (declared_has(declared, want)) return true;
  }
  return false;
}

bool wc_run_requirement_selected(const wc_run_opts *opts, const char *id) {
  if (!opts || opts->only_count == 0) return true;
  for (size_t i = 0; i < opts->only_count; i++)
    if (strcmp(opts->only[i], id) == 0) return true;
  /* A case name keeps whatever that case observes. */
  for (size_t i = 0; i < opts->only_count; i++)
    if (!wc_catalog_find(opts->only[i])) return true;
  return false;
}

/* ---- small utilities ---------------------------------------------------------- */

void wc_now_iso(char out[32]) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
  unsigned ms = (unsigned)(ts.tv_nsec / 1000000L) % 1000u;
  if (n + 6 <= 32) {
    out[n++] = '.';
    out[n++] = (char)('0' + ms / 100);
    out[n++] = (char)('0' + ms / 10 % 10);
    out[n++] = (char)('0' + ms % 10);
    out[n++] = 'Z';
    out[n] = '\0';
  }
}

/* ---- the context ------------------------------------------------------------ */

static char *dup_or_null(const char *s) { return s ? wc_strdup(s) : NULL; }

wc_run_ctx *wc_run_ctx_from_opts(const wc_run_opts *o, const char *run_dir) {
  wc_run_ctx *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->base_url = dup_or_null(o->base_url);
  c->embedded = o->embedded;
  c->token = dup_or_null(o->token);
  c->api_key = dup_or_null(o->api_key);
  c->token_without_scope = dup_or_null(o->token_without_scope);
  for (size_t i = 0; i < o->account_count && i < WC_RUN_MAX_LIST; i++)
    c->accounts[c->account_count++] = wc_strdup(o->account_ids[i]);
  size_t known_count = o->known_count;
  const char *const *known = wc_versions_or_default(o->known_versions, &known_count);
  for (size_t i = 0; i < known_count && i < WC_RUN_MAX_LIST; i++) c->known[c->known_count++] = wc_strdup(known[i]);
  const char *newest = wc_version_newest((const char *const *)c->known, c->known_count);
  c->api_version = dup_or_null(o->api_version ? o->api_version : newest);
  c->allow_writes = o->allow_writes;
  c->allow_picture_writes = o->allow_picture_writes;
  c->picture_id = dup_or_null(o->picture_id);
  c->spec_path = dup_or_null(o->spec_path);
  c->run_dir = dup_or_null(run_dir);
  c->seed = o->seed;
  wc_transport_opts_default(&c->topts);
  if (o->timeout_ms > 0) c->topts.timeout_ms = o->timeout_ms;
  if (o->connect_timeout_ms > 0) c->topts.connect_timeout_ms = o->connect_timeout_ms;
  if (c->topts.connect_timeout_ms > c->topts.timeout_ms) c->topts.connect_timeout_ms = c->topts.timeout_ms;
  if (o->max_body) c->topts.max_body = o->max_body;
  c->cacert = dup_or_null(o->cacert);
  c->topts.cacert = c->cacert;
  c->topts.insecure = o->insecure;
  c->topts.allow_http = o->allow_http;
  c->topts.http_client = o->http_client;
  if (o->rate >= 0) c->topts.rate = o->rate;
  if (o->retries >= 0) c->topts.retry_max = o->retries;
  c->max_response_ms = o->max_response_ms;
  c->keep_going = o->keep_going;
  return c;
}

void wc_run_ctx_free(wc_run_ctx *c) {
  if (!c) return;
  free(c->base_url);
  free(c->token);
  free(c->api_key);
  free(c->token_without_scope);
  for (size_t i = 0; i < c->account_count; i++) free(c->accounts[i]);
  for (size_t i = 0; i < c->known_count; i++) free(c->known[i]);
  free(c->api_version);
  free(c->picture_id);
  free(c->spec_path);
  free(c->run_dir);
  free(c->cacert);
  free(c);
}

static void add_str(cJSON *o, const char *name, const char *v) {
  cJSON_AddItemToObject(o, name, v ? cJSON_CreateString(v) : cJSON_CreateNull());
}

cJSON *wc_run_ctx_to_json(const wc_run_ctx *c) {
  cJSON *o = cJSON_CreateObject();
  if (!o) return NULL;
  cJSON_AddStringToObject(o, "format", "whopconf-run-context");
  add_str(o, "base_url", c->base_url);
  cJSON_AddBoolToObject(o, "embedded", c->embedded);
  cJSON *acc = cJSON_AddArrayToObject(o, "account_ids");
  for (size_t i = 0; acc && i < c->account_count; i++)
    cJSON_AddItemToArray(acc, cJSON_CreateString(c->accounts[i]));
  cJSON *known = cJSON_AddArrayToObject(o, "known_versions");
  for (size_t i = 0; known && i < c->known_count; i++)
    cJSON_AddItemToArray(known, cJSON_CreateString(c->known[i]));
  add_str(o, "api_version", c->api_version);
  cJSON_AddBoolToObject(o, "allow_writes", c->allow_writes);
  cJSON_AddBoolToObject(o, "allow_picture_writes", c->allow_picture_writes);
  add_str(o, "picture_id", c->picture_id);
  add_str(o, "spec_path", c->spec_path);
  add_str(o, "run_dir", c->run_dir);
  char seed[32];
  snprintf(seed, sizeof seed, "%llu", (unsigned long long)c->seed);
  cJSON_AddStringToObject(o, "seed", seed);
  cJSON_AddNumberToObject(o, "timeout_ms", (double)c->topts.timeout_ms);
  cJSON_AddNumberToObject(o, "connect_timeout_ms", (double)c->topts.connect_timeout_ms);
  cJSON_AddNumberToObject(o, "max_body", (double)c->topts.max_body);
  add_str(o, "cacert", c->cacert);
  cJSON_AddBoolToObject(o, "insecure", c->topts.insecure);
  cJSON_AddBoolToObject(o, "allow_http", c->topts.allow_http);
  cJSON_AddBoolToObject(o, "curl_only", c->topts.http_client == WC_HTTP_CLIENT_CURL);
  cJSON_AddNumberToObject(o, "rate", c->topts.rate);
  cJSON_AddNumberToObject(o, "retries", c->topts.retry_max);
  cJSON_AddNumberToObject(o, "max_response_ms", c->max_response_ms);
  cJSON_AddBoolToObject(o, "keep_going", c->keep_going);
  return o;
}

static bool get_bool(const cJSON *o, const char *name) {
  return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static char *env_dup(const char *name) {
  const char *v = getenv(name);
  return v && *v ? wc_strdup(v) : NULL;
}

wc_run_ctx *wc_run_ctx_from_json(const cJSON *j, wc_err *err) {
  const char *fmt = wc_json_str(j, "format", NULL);
  if (!fmt || strcmp(fmt, "whopconf-run-context") != 0 || !wc_json_str(j, "base_url", NULL) ||
      !wc_json_str(j, "run_dir", NULL)) {
    wc_err_set(err, WC_E_PARSE, "the run context is not a whopconf run context");
    return NULL;
  }
  wc_run_ctx *c = calloc(1, sizeof *c);
  if (!c) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return NULL;
  }
  c->base_url = wc_strdup(wc_json_str(j, "base_url", NULL));
  c->embedded = get_bool(j, "embedded");
  c->token = env_dup(WC_ENV_TOKEN);
  c->api_key = env_dup(WC_ENV_API_KEY);
  c->token_without_scope = env_dup(WC_ENV_TOKEN_WITHOUT_SCOPE);
  const cJSON *v;
  cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(j, "account_ids")) {
    if (cJSON_IsString(v) && c->account_count < WC_RUN_MAX_LIST)
      c->accounts[c->account_count++] = wc_strdup(v->valuestring);
  }
  cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(j, "known_versions")) {
    if (cJSON_IsString(v) && c->known_count < WC_RUN_MAX_LIST)
      c->known[c->known_count++] = wc_strdup(v->valuestring);
  }
  c->api_version = dup_or_null(wc_json_str(j, "api_version", NULL));
  c->allow_writes = get_bool(j, "allow_writes");
  c->allow_picture_writes = get_bool(j, "allow_picture_writes");
  c->picture_id = dup_or_null(wc_json_str(j, "picture_id", NULL));
  c->spec_path = dup_or_null(wc_json_str(j, "spec_path", NULL));
  c->run_dir = wc_strdup(wc_json_str(j, "run_dir", NULL));
  const char *seed = wc_json_str(j, "seed", NULL);
  c->seed = seed ? strtoull(seed, NULL, 10) : 1;
  wc_transport_opts_default(&c->topts);
  c->topts.timeout_ms = (long)wc_json_num(j, "timeout_ms", (double)c->topts.timeout_ms);
  c->topts.connect_timeout_ms = (long)wc_json_num(j, "connect_timeout_ms", (double)c->topts.connect_timeout_ms);
  c->topts.max_body = (size_t)wc_json_num(j, "max_body", (double)c->topts.max_body);
  c->cacert = dup_or_null(wc_json_str(j, "cacert", NULL));
  c->topts.cacert = c->cacert;
  c->topts.insecure = get_bool(j, "insecure");
  c->topts.allow_http = get_bool(j, "allow_http");
  c->topts.http_client = get_bool(j, "curl_only") ? WC_HTTP_CLIENT_CURL : WC_HTTP_CLIENT_AUTO;
  c->topts.rate = wc_json_num(j, "rate", c->topts.rate);
  c->topts.retry_max = (int)wc_json_num(j, "retries", c->topts.retry_max);
  c->max_response_ms = wc_json_num(j, "max_response_ms", 0);
  c->keep_going = get_bool(j, "keep_going");
  return c;
}

/* ---- the run ------------------------------------------------------------------ */

static void set_or_unset(const char *name, const char *value) {
  if (value)
    setenv(name, value, 1);
  else
    unsetenv(name);
}

/* Journal name: one per target, so runs against different targets never
 * meet; the hash keeps the URL (and anything odd in it) out of the name. */
static char *journal_path_for(const char *report_dir, const char *base_url) {
  char hex[65];
  wc_sha256_hex(base_url, strlen(base_url), hex);
  char name[64];
  snprintf(name, sizeof name, ".whopconf-journal-%.16s.json", hex);
  return wc_path_join(report_dir, name);
}

wc_run *wc_run_new(const wc_run_opts *opts, const wc_spec *spec, wc_err *err) {
  if (!opts || !opts->base_url) {
    wc_err_set(err, WC_E_USAGE, "no target base URL");
    return NULL;
  }
  wc_run *run = calloc(1, sizeof *run);
  if (!run) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return NULL;
  }
  run->opts = *opts;
  run->spec = spec;
  run->t0_ms = wc_monotonic_ms();
  wc_now_iso(run->started_at);
  pthread_mutex_init(&run->teardown_lock, NULL);

  const char *tmpdir = getenv("TMPDIR");
  char templ[4096];
  snprintf(templ, sizeof templ, "%s/whopconf-run-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
  if (!mkdtemp(templ)) { /* mkdtemp makes it 0700: the run directory is private */
    wc_err_set(err, WC_E_IO, "cannot create a private run directory under %s: %s",
               tmpdir && *tmpdir ? tmpdir : "/tmp", strerror(errno));
    wc_run_free(run);
    return NULL;
  }
  run->dir = wc_strdup(templ);
  char *results = wc_path_join(run->dir, WC_RUN_RESULTS);
  run->ctx_path = wc_path_join(run->dir, WC_RUN_CTX_FILE);
  run->stop_path = wc_path_join(run->dir, WC_RUN_ABORT);
  if (!results || !run->ctx_path || !run->stop_path || mkdir(results, 0700) != 0) {
    wc_err_set(err, WC_E_IO, "cannot prepare the run directory %s", run->dir);
    free(results);
    wc_run_free(run);
    return NULL;
  }
  free(results);
  if (wc_mkdir_p(opts->report_dir, err) != 0) {
    wc_run_free(run);
    return NULL;
  }
  if (!opts->embedded) run->journal_path = journal_path_for(opts->report_dir, opts->base_url);

  run->ctx = wc_run_ctx_from_opts(opts, run->dir);
  cJSON *cj = run->ctx ? wc_run_ctx_to_json(run->ctx) : NULL;
  char *text = cj ? cJSON_Print(cj) : NULL;
  cJSON_Delete(cj);
  if (!text || wc_write_file_atomic(run->ctx_path, text, 0600, err) != 0) {
    if (!text) wc_err_set(err, WC_E_NOMEM, "out of memory");
    free(text);
    wc_run_free(run);
    return NULL;
  }
  free(text);
  /* The workers inherit these: the context path, and the credentials
   * (never written to any file). */
  setenv(WC_ENV_RUN_CTX, run->ctx_path, 1);
  set_or_unset(WC_ENV_TOKEN, opts->token);
  set_or_unset(WC_ENV_API_KEY, opts->api_key);
  set_or_unset(WC_ENV_TOKEN_WITHOUT_SCOPE, opts->token_without_scope);
  return run;
}

static void remove_tree(const char *path, int depth) {
  DIR *d = depth < 3 ? opendir(path) : NULL;
  if (d) {
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      char *child = wc_path_join(path, e->d_name);
      if (!child) continue;
      struct stat st;
      if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
        remove_tree(child, depth + 1);
      else
        unlink(child);
      free(child);
    }
    closedir(d);
  }
  rmdir(path);
}

void wc_run_remove_files(wc_run *run) {
  if (run && run->dir) remove_tree(run->dir, 0);
}

void wc_run_free(wc_run *run) {
  if (!run) return;
  wc_run_remove_files(run);
  const char *env = getenv(WC_ENV_RUN_CTX);
  if (env && run->ctx_path && strcmp(env, run->ctx_path) == 0) unsetenv(WC_ENV_RUN_CTX);
  for (size_t i = 0; i < run->snap_count; i++) {
    free(run->snaps[i].account_id);
    cJSON_Delete(run->snaps[i].user);
  }
  for (size_t i = 0; i < run->case_count; i++) {
    free(run->cases[i].name);
    free(run->cases[i].declared);
  }
  free(run->cases);
  wc_run_ctx_free(run->ctx);
  pthread_mutex_destroy(&run->teardown_lock);
  free(run->dir);
  free(run->ctx_path);
  free(run->stop_path);
  free(run->journal_path);
  free(run);
}

const char *wc_run_dir(const wc_run *run) { return run ? run->dir : NULL; }
const char *wc_run_journal_path(const wc_run *run) { return run ? run->journal_path : NULL; }

void wc_run_request_stop(wc_run *run, const char *reason) {
  if (!run || !run->stop_path) return;
  /* A lock-free atomic store and open/write/close only: this runs in signal
   * handlers. The first reason wins (O_EXCL). */
  atomic_store(&run->stop_seen, true);
  int fd = open(run->stop_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return;
  size_t len = 0;
  while (reason && reason[len]) len++;
  if (len && write(fd, reason, len) < 0) { /* nothing more to do in a handler */
  }
  close(fd);
}

int wc_run_add_case(wc_run *run, const char *case_name, const char *declared) {
  if (run->case_count == run->case_cap) {
    size_t cap = run->case_cap ? run->case_cap * 2 : 32;
    wc_run_case_entry *c = realloc(run->cases, cap * sizeof *c);
    if (!c) return -1;
    run->cases = c;
    run->case_cap = cap;
  }
  wc_run_case_entry *e = &run->cases[run->case_count];
  memset(e, 0, sizeof *e);
  e->name = wc_strdup(case_name);
  e->declared = wc_strdup(declared ? declared : "");
  if (!e->name || !e->declared) {
    free(e->name);
    free(e->declared);
    return -1;
  }
  run->case_count++;
  return 0;
}

void wc_run_case_ended(wc_run *run, const char *case_name, bool crashed, bool timed_out,
                       double elapsed_ms) {
  for (size_t i = 0; run && i < run->case_count; i++) {
    if (strcmp(run->cases[i].name, case_name) != 0) continue;
    run->cases[i].ended = true;
    run->cases[i].crashed = crashed;
    run->cases[i].timed_out = timed_out;
    run->cases[i].elapsed_ms = elapsed_ms;
  }
}
