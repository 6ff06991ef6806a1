/* What the generated phases need from a run: its options, the check context
 * compiled from the spec, the stop flag, and a way to hand their
 * observations and exchanges to the report (a result file like a case's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner_internal.h"

const wc_run_opts *wc_run_options(const wc_run *run) { return &run->opts; }
const wc_transport_opts *wc_run_transport_opts(const wc_run *run) { return &run->ctx->topts; }
size_t wc_run_known_count(const wc_run *run) { return run->ctx->known_count; }
const char *wc_run_known(const wc_run *run, size_t i) {
  return i < run->ctx->known_count ? run->ctx->known[i] : NULL;
}
const char *wc_run_api_version(const wc_run *run) { return run->ctx->api_version; }

bool wc_run_stopped(const wc_run *run) {
  if (!run || !run->stop_path) return false;
  /* The fields are atomics of a run that is never itself const: only the
   * cache of what the marker file said changes here. */
  wc_run *r = (wc_run *)run;
  if (atomic_load(&r->stop_seen)) return true;
  long long now_us = (long long)(wc_monotonic_ms() * 1000.0);
  if (now_us < atomic_load(&r->stop_next_check_us)) return false;
  atomic_store(&r->stop_next_check_us, now_us + WC_RUN_STOP_POLL_MS * 1000LL);
  if (access(run->stop_path, F_OK) != 0) return false;
  atomic_store(&r->stop_seen, true);
  return true;
}

struct wc_run_checks {
  wc_schema *user_schema, *error_schema;
  char *documented[16];
  size_t documented_count;
  wc_check_ctx ctx;
};

wc_run_checks *wc_run_checks_new(const wc_spec *spec, const char *api_version,
                                 const char *const *known, size_t known_count,
                                 double max_response_ms, wc_err *err) {
  wc_run_checks *c = calloc(1, sizeof *c);
  if (!c) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return NULL;
  }
  wc_schema_opts so;
  wc_schema_opts_default(&so);
  const cJSON *doc = wc_spec_document(spec);
  /* A spec without these schemas still gets the envelope and status rules:
   * the checks skip what has no schema. */
  c->user_schema = wc_schema_compile(doc, "#/components/schemas/User", &so, NULL);
  char *ptr = wc_spec_response_schema_pointer(spec, "PATCH", "/users/me", "400", "application/json", NULL);
  if (ptr) c->error_schema = wc_schema_compile(doc, ptr, &so, NULL);
  free(ptr);
  cJSON *statuses = wc_spec_documented_statuses(spec, "PATCH", "/users/me", NULL);
  const cJSON *s;
  cJSON_ArrayForEach(s, statuses) {
    if (cJSON_IsString(s) && c->documented_count < sizeof c->documented / sizeof c->documented[0])
      c->documented[c->documented_count++] = wc_strdup(s->valuestring);
  }
  cJSON_Delete(statuses);
  c->ctx = (wc_check_ctx){
      .user_schema = c->user_schema,
      .error_schema = c->error_schema,
      .api_version = api_version,
      .known_versions = known,
      .known_count = known_count,
      .max_response_ms = max_response_ms,
      .documented = c->documented_count ? (const char *const *)c->documented : NULL,
      .documented_count = c->documented_count,
  };
  return c;
}

const wc_check_ctx *wc_run_checks_ctx(const wc_run_checks *c) { return &c->ctx; }

void wc_run_checks_free(wc_run_checks *c) {
  if (!c) return;
  wc_schema_free(c->user_schema);
  wc_schema_free(c->error_schema);
  for (size_t i = 0; i < c->documented_count; i++) free(c->documented[i]);
  free(c);
}

int wc_run_add_source(wc_run *run, const char *name, const cJSON *doc, wc_err *err) {
  if (!name || !*name || strchr(name, '/') || name[0] == '.') {
    wc_err_set(err, WC_E_USAGE, "a source needs a plain name");
    return -1;
  }
  /* The file is doc with "case" and "source" set: a wrapper whose other
   * members are references to doc's, so the phase's exchanges (most of a
   * run's memory when it found much) are not copied to be written. */
  cJSON *file_doc = cJSON_CreateObject();
  bool ok = file_doc != NULL;
  for (const cJSON *m = doc ? doc->child : NULL; ok && m; m = m->next) {
    if (strcmp(m->string, "case") == 0 || strcmp(m->string, "source") == 0) continue;
    ok = cJSON_AddItemReferenceToObject(file_doc, m->string, (cJSON *)m);
  }
  ok = ok && cJSON_AddStringToObject(file_doc, "case", name) && cJSON_AddTrueToObject(file_doc, "source");
  char *text = ok ? cJSON_PrintUnformatted(file_doc) : NULL;
  cJSON_Delete(file_doc);
  char file[300];
  snprintf(file, sizeof file, "%s/%s.json", WC_RUN_RESULTS, name);
  char *path = wc_path_join(run->dir, file);
  int rc = -1;
  if (!text || !path)
    wc_err_set(err, WC_E_NOMEM, "out of memory");
  else
    rc = wc_write_file_atomic(path, text, 0600, err);
  free(text);
  free(path);
  return rc;
}
