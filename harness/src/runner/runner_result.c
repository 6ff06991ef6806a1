/* Every case's result file -> report.json, through the report assembly
 * (assemble.h), in named steps: load the results, leave out what --only did
 * not select, add each case (its exchanges numbered, its observations
 * folded), state what kept the run from being judged (setup, stop, refused
 * token, crashed cases, failed transfers), finish with the run's metadata.
 *
 * Determinism: cases are read in a fixed order (recover, setup, the
 * Criterion cases by name, teardown) and exchanges numbered x1.. in that
 * order, whatever order the workers finished in; so two runs with the same
 * seed give the same report once timestamps and durations are masked. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner_internal.h"
#include "whopconf/assemble.h"
#include "whopconf/catalog.h"

/* One case's result file. */
typedef struct loaded {
  const char *name; /* in doc */
  int rank;         /* 0 recover, 1 setup, 2 cases, 3 sources (generated phases), 4 teardown */
  cJSON *doc;       /* the file: counters and exchanges (taken by the assembly) */
  wc_observations *obs;
  size_t exchange_count; /* of the file, after drop_after_hole */
} loaded;

static int rank_of(const char *name) {
  if (strcmp(name, WC_CASE_RECOVER) == 0) return 0;
  if (strcmp(name, WC_CASE_SETUP) == 0) return 1;
  if (strcmp(name, WC_CASE_TEARDOWN) == 0) return 4;
  size_t n = strlen(name), k = strlen(WC_CASE_PUT_BACK_SUFFIX);
  if (n > k && strcmp(name + n - k, WC_CASE_PUT_BACK_SUFFIX) == 0) return 3; /* sorts after its source */
  return 2;
}

static int cmp_loaded(const void *a, const void *b) {
  const loaded *x = a, *y = b;
  if (x->rank != y->rank) return x->rank - y->rank;
  return strcmp(x->name, y->name);
}

static char *results_path(const wc_run *run, const char *file) {
  char *dir = wc_path_join(run->dir, WC_RUN_RESULTS);
  char *p = dir ? wc_path_join(dir, file) : NULL;
  free(dir);
  return p;
}

/* A result file: 0 with its document and observations, -1 when it cannot
 * be read or is not one (a case that wrote half a file is a case without a
 * result). */
static int read_result(const char *path, loaded *out) {
  size_t len;
  char *text = path ? wc_read_file(path, (size_t)256 << 20, &len, NULL) : NULL;
  cJSON *doc = text ? cJSON_ParseWithLength(text, len) : NULL;
  free(text);
  const cJSON *name = cJSON_GetObjectItemCaseSensitive(doc, "case");
  wc_observations *obs =
      cJSON_IsString(name) ? wc_observations_from_json(cJSON_GetObjectItemCaseSensitive(doc, "observations"), NULL)
                           : NULL;
  if (!obs) {
    cJSON_Delete(doc);
    return -1;
  }
  int rank = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "source")) ? 3 : rank_of(name->valuestring);
  *out = (loaded){.name = name->valuestring, .rank = rank, .doc = doc, .obs = obs};
  return 0;
}

static void loaded_free(loaded *item) {
  cJSON_Delete(item->doc);
  wc_observations_free(item->obs);
}

static size_t load_all(const wc_run *run, loaded **out) {
  *out = NULL;
  char *dir = results_path(run, "");
  DIR *d = dir ? opendir(dir) : NULL;
  free(dir);
  if (!d) return 0;
  size_t n = 0, cap = 0;
  loaded *items = NULL;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0) continue;
    char *path = results_path(run, e->d_name);
    loaded item;
    int rc = read_result(path, &item);
    free(path);
    if (rc < 0) continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 32;
      loaded *grown = realloc(items, cap * sizeof *grown);
      if (!grown) {
        loaded_free(&item);
        break;
      }
      items = grown;
    }
    items[n++] = item;
  }
  closedir(d);
  if (n) qsort(items, n, sizeof *items, cmp_loaded);
  *out = items;
  return n;
}

static void free_all(loaded *items, size_t n) {
  for (size_t i = 0; i < n; i++) loaded_free(&items[i]);
  free(items);
}

/* ---- per case ---------------------------------------------------------------- */

static int severity(wc_obs_status s) {
  switch (s) {
  case WC_OBS_FAIL: return 3;
  case WC_OBS_WARN: return 2;
  case WC_OBS_PASS: return 1;
  default: return 0;
  }
}

int wc_run_case_summary(const wc_run *run, const char *case_name, wc_case_summary *out) {
  memset(out, 0, sizeof *out);
  out->verdict = WC_OBS_SKIP;
  char file[300];
  snprintf(file, sizeof file, "%s.json", case_name);
  char *path = results_path(run, file);
  loaded result;
  int rc = read_result(path, &result);
  free(path);
  if (rc < 0) return -1;
  out->finished = true;
  out->ms = wc_json_num(result.doc, "duration_ms", 0);
  out->exchanges = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(result.doc, "exchanges"));
  int worst = -1;
  for (size_t i = 0; i < wc_observations_count(result.obs); i++) {
    const wc_observation *o = wc_observations_get(result.obs, i);
    if (!wc_run_requirement_selected(&run->opts, o->requirement)) continue;
    wc_obs_status status = wc_assembly_effective(o->requirement, o->status);
    if (severity(status) > worst) {
      worst = severity(status);
      out->verdict = status;
      snprintf(out->reason, sizeof out->reason, "%s: %s", o->requirement, o->reason);
    }
  }
  loaded_free(&result);
  return 0;
}

size_t wc_run_slowest(const wc_run *run, const char **names, double *ms, size_t max) {
  size_t n = 0;
  for (size_t i = 0; run && i < run->case_count; i++) {
    if (!run->cases[i].ended) continue;
    double t = run->cases[i].elapsed_ms;
    size_t pos = n < max ? n : max;
    while (pos > 0 && ms[pos - 1] < t) {
      if (pos < max) {
        ms[pos] = ms[pos - 1];
        names[pos] = names[pos - 1];
      }
      pos--;
    }
    if (pos < max) {
      ms[pos] = t;
      names[pos] = run->cases[i].name;
      if (n < max) n++;
    }
  }
  return n;
}

/* ---- report.json ---------------------------------------------------------------- */

/* Exchanges a worker recorded, up to the first hole in their sequence (a
 * worker that ran out of memory mid-case): observations point at them by
 * sequence, so numbering stops where the sequence does. */
static void drop_after_hole(cJSON *exchanges) {
  int expected = 1, kept = 0;
  const cJSON *x;
  cJSON_ArrayForEach(x, exchanges) {
    if ((int)wc_json_num(x, "seq", 0) != expected) break;
    expected++, kept++;
  }
  while (cJSON_GetArraySize(exchanges) > kept) cJSON_DeleteItemFromArray(exchanges, kept);
}

/* Every case's exchanges and observations, in report order. */
static int add_cases(wc_assembly *a, loaded *cases, size_t ncases, wc_err *err) {
  for (size_t c = 0; c < ncases; c++) {
    cJSON *exchanges = cJSON_GetObjectItemCaseSensitive(cases[c].doc, "exchanges");
    drop_after_hole(exchanges);
    cases[c].exchange_count = (size_t)cJSON_GetArraySize(exchanges);
    /* Taken, not copied: a fuzz phase's kept exchanges are most of the
     * report, and a second tree of them raised the peak of memory. */
    if (wc_assembly_take_source(a, cases[c].name, cases[c].obs, exchanges, err) < 0) return -1;
  }
  return 0;
}

/* --only: requirements not selected are left out; the others, when nothing
 * observed them, say why. */
static int set_skip_reasons(wc_assembly *a, const wc_run *run, wc_err *err) {
  if (wc_assembly_omit_family(a, "client", err) < 0) return -1;
  for (size_t k = 0; k < wc_catalog_count(); k++) {
    const char *id = wc_catalog_get(k)->id;
    if (!wc_run_requirement_selected(&run->opts, id) &&
        wc_assembly_exclude(a, id, "not selected (--only)", err) < 0)
      return -1;
  }
  if (run->opts.only_count) return wc_assembly_unobserved_reason(a, NULL, "not selected (--only)", err);
  if (run->ctx->max_response_ms <= 0 &&
      wc_assembly_unobserved_reason(a, WC_REQ_RESPONSE_TIME, "no budget given (--max-response-time MS)",
                                    err) < 0)
    return -1;
  if (!run->setup_failed) return 0;
  char reason[600];
  snprintf(reason, sizeof reason, "not tested: %s", run->setup_reason);
  return wc_assembly_unobserved_reason(a, NULL, reason, err);
}

/* The first case the CLI ran that wrote no result (crash, Criterion
 * timeout); "" when every one did. */
static void find_crashed(const wc_run *run, const loaded *cases, size_t ncases, char *out, size_t size) {
  out[0] = '\0';
  for (size_t i = 0; i < run->case_count; i++) {
    const wc_run_case_entry *e = &run->cases[i];
    bool found = false;
    for (size_t c = 0; c < ncases && !found; c++) found = strcmp(cases[c].name, e->name) == 0;
    if (found) continue;
    snprintf(out, size, "case %s did not finish (%s)", e->name,
             e->timed_out ? "timed out" : e->crashed ? "crashed" : "no result");
    return;
  }
}

/* What stops the run from being judged, in order of precedence: a failed
 * setup, a stopped run, a refused token; then what only matters when
 * nothing failed: a case without a result, transfers that failed. */
static void state_trouble(wc_assembly *a, const wc_run *run, const loaded *cases, size_t ncases) {
  size_t transport_failures = 0, positive = 0, refused = 0;
  for (size_t c = 0; c < ncases; c++) {
    transport_failures += (size_t)wc_json_num(cases[c].doc, "transport_failures", 0);
    positive += (size_t)wc_json_num(cases[c].doc, "positive", 0);
    refused += (size_t)wc_json_num(cases[c].doc, "refused", 0);
  }
  if (run->setup_failed) wc_assembly_stopped(a, run->setup_reason);
  size_t stop_len = 0;
  char *stop = wc_read_file(run->stop_path, 500, &stop_len, NULL);
  if (stop && !run->ctx->keep_going) wc_assembly_stopped(a, stop_len ? stop : "the run was stopped");
  free(stop);
  if (positive > 0 && refused == positive)
    wc_assembly_stopped(a, "the target refused the token on every request made with it (401/403): check --token");
  char crashed[300];
  find_crashed(run, cases, ncases, crashed, sizeof crashed);
  if (crashed[0]) wc_assembly_incomplete(a, crashed);
  if (transport_failures > 0) {
    char why[96];
    snprintf(why, sizeof why, "%zu transfer%s failed (--keep-going)", transport_failures,
             transport_failures == 1 ? "" : "s");
    wc_assembly_incomplete(a, why);
  }
}

/* Flags that weaken the checks, as the report names them. */
static size_t weakened_flags(const wc_run_opts *o, const char **out) {
  size_t n = 0;
  if (o->insecure) out[n++] = "--insecure";
  if (o->allow_http && o->base_url && !wc_url_is_loopback(o->base_url)) out[n++] = "--allow-http";
  if (o->only_count) out[n++] = "--only";
  if (o->keep_going) out[n++] = "--keep-going";
  return n;
}

/* Makes the exchanges of a generated finding (its ids "minimal" and
 * "original") evidence of its requirement: the assembly keeps only the
 * first few exchanges of a requirement, a generated phase has one pair per
 * distinct finding and all of them belong there. */
static void add_generated_evidence(cJSON *report, const cJSON *finding) {
  const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(finding, "requirement"));
  const cJSON *req;
  cJSON *evidence = NULL;
  cJSON_ArrayForEach(req, cJSON_GetObjectItemCaseSensitive(report, "requirements")) {
    const char *rid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req, "id"));
    if (id && rid && strcmp(id, rid) == 0) evidence = cJSON_GetObjectItemCaseSensitive(req, "evidence");
  }
  if (!cJSON_IsArray(evidence)) return;
  static const char *const refs[] = {"minimal", "original"};
  for (size_t i = 0; i < 2; i++) {
    const char *xid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(finding, refs[i]));
    if (!xid) continue;
    bool present = false;
    const cJSON *e;
    cJSON_ArrayForEach(e, evidence) present = present || (cJSON_IsString(e) && strcmp(e->valuestring, xid) == 0);
    if (!present) cJSON_AddItemToArray(evidence, cJSON_CreateString(xid));
  }
}

/* The generated phases' findings (sources with "generated"): which
 * exchange is the original request and which the minimal one, by their
 * report ids, and how many exchanges each phase left out. Present only when
 * a generated phase ran. */
static void add_generated(cJSON *report, const loaded *cases, size_t ncases) {
  cJSON *section = NULL, *findings = NULL, *phases = NULL;
  size_t first_id = 1;
  for (size_t c = 0; c < ncases; c++) {
    const cJSON *doc = cases[c].doc;
    size_t nx = cases[c].exchange_count;
    const cJSON *gen = cJSON_GetObjectItemCaseSensitive(doc, "generated");
    if (cJSON_IsArray(gen)) {
      if (!section) {
        section = cJSON_AddObjectToObject(report, "generated");
        phases = cJSON_AddArrayToObject(section, "phases");
        findings = cJSON_AddArrayToObject(section, "findings");
      }
      cJSON *ph = cJSON_CreateObject();
      cJSON_AddStringToObject(ph, "name", cases[c].name);
      static const char *const counters[] = {"requests", "skipped_requests", "exchanges_left_out",
                                             "findings_left_out"};
      for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++)
        cJSON_AddNumberToObject(ph, counters[i], wc_json_num(doc, counters[i], 0));
      cJSON_AddItemToArray(phases, ph);
      const cJSON *g;
      cJSON_ArrayForEach(g, gen) {
        cJSON *copy = cJSON_Duplicate(g, 1);
        if (!copy) continue;
        cJSON_AddStringToObject(copy, "case", cases[c].name);
        static const char *const refs[] = {"original", "minimal"};
        for (size_t i = 0; i < 2; i++) {
          int seq = (int)wc_json_num(copy, refs[i], 0);
          cJSON_DeleteItemFromObjectCaseSensitive(copy, refs[i]);
          char id[24];
          snprintf(id, sizeof id, "x%zu", first_id + (size_t)seq - 1);
          cJSON_AddItemToObject(copy, refs[i], seq > 0 && (size_t)seq <= nx ? cJSON_CreateString(id)
                                                                            : cJSON_CreateNull());
        }
        cJSON_AddItemToArray(findings, copy);
        add_generated_evidence(report, copy);
      }
    }
    first_id += nx;
  }
}

cJSON *wc_run_report(wc_run *run, int *exit_code, wc_err *err) {
  loaded *cases = NULL;
  size_t ncases = load_all(run, &cases);
  wc_assembly *a = wc_assembly_new(err);
  cJSON *report = NULL;
  if (a && set_skip_reasons(a, run, err) == 0 && add_cases(a, cases, ncases, err) == 0) {
    state_trouble(a, run, cases, ncases);
    const wc_run_ctx *ctx = run->ctx;
    const char *weakened[4];
    wc_report_meta meta = {
        .spec = run->spec,
        .base_url = ctx->base_url,
        .embedded_server = ctx->embedded,
        .http_client = ctx->base_url && strncmp(ctx->base_url, "http://", 7) == 0 &&
                               ctx->topts.http_client == WC_HTTP_CLIENT_AUTO
                           ? "whopconf"
                           : "libcurl",
        .api_version = ctx->api_version,
        .known_versions = (const char *const *)ctx->known,
        .known_count = ctx->known_count,
        .seed = ctx->seed,
        .started_at = run->started_at,
        .duration_ms = (double)(long long)(wc_monotonic_ms() - run->t0_ms),
        .strict = run->opts.strict,
        .allow_writes = ctx->allow_writes,
        .weakened = weakened,
        .weakened_count = weakened_flags(&run->opts, weakened),
        .token = ctx->token != NULL,
        .api_key = ctx->api_key != NULL,
        .token_without_scope = ctx->token_without_scope != NULL,
    };
    report = wc_assembly_finish(a, &meta, exit_code, err);
    if (report) add_generated(report, cases, ncases);
  }
  wc_assembly_free(a);
  free_all(cases, ncases);
  return report;
}
