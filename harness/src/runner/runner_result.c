/* Aggregation: every case's result file -> report.json (format in report.h).
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
#include "whopconf/catalog.h"

#define MAX_FINDINGS_PER_REQ 50
#define MAX_EVIDENCE 5

typedef struct loaded {
  char *name;
  int rank; /* 0 recover, 1 setup, 2 cases, 3 teardown */
  cJSON *doc;
  size_t first_id; /* exchange number of its first exchange */
} loaded;

static int rank_of(const char *name) {
  if (strcmp(name, WC_CASE_RECOVER) == 0) return 0;
  if (strcmp(name, WC_CASE_SETUP) == 0) return 1;
  if (strcmp(name, WC_CASE_TEARDOWN) == 0) return 3;
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

static cJSON *read_json(const char *path) {
  size_t len;
  char *text = wc_read_file(path, (size_t)256 << 20, &len, NULL);
  if (!text) return NULL;
  cJSON *j = cJSON_ParseWithLength(text, len);
  free(text);
  return j;
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
    cJSON *doc = path ? read_json(path) : NULL;
    free(path);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(doc, "case");
    if (!cJSON_IsString(name)) {
      cJSON_Delete(doc);
      continue;
    }
    if (n == cap) {
      cap = cap ? cap * 2 : 32;
      loaded *grown = realloc(items, cap * sizeof *grown);
      if (!grown) {
        cJSON_Delete(doc);
        break;
      }
      items = grown;
    }
    items[n++] = (loaded){.name = name->valuestring, .rank = rank_of(name->valuestring), .doc = doc};
  }
  closedir(d);
  if (n) qsort(items, n, sizeof *items, cmp_loaded);
  *out = items;
  return n;
}

static void free_all(loaded *items, size_t n) {
  for (size_t i = 0; i < n; i++) cJSON_Delete(items[i].doc);
  free(items);
}

/* ---- per case ---------------------------------------------------------------- */

static wc_obs_status effective(const char *req_id, wc_obs_status s) {
  if (s != WC_OBS_FAIL) return s;
  const wc_requirement *r = wc_catalog_find(req_id);
  return r && r->level == WC_LEVEL_SHOULD ? WC_OBS_WARN : WC_OBS_FAIL;
}

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
  cJSON *doc = path ? read_json(path) : NULL;
  free(path);
  if (!doc) return -1;
  out->finished = true;
  out->ms = wc_json_num(doc, "duration_ms", 0);
  out->exchanges = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "exchanges"));
  const cJSON *o;
  int worst = -1;
  cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(doc, "observations")) {
    const char *req = wc_json_str(o, "requirement", NULL);
    int st = wc_obs_status_parse(wc_json_str(o, "status", NULL));
    if (!req || st < 0 || !wc_run_requirement_selected(&run->opts, req)) continue;
    wc_obs_status eff = effective(req, (wc_obs_status)st);
    if (severity(eff) > worst) {
      worst = severity(eff);
      out->verdict = eff;
      snprintf(out->reason, sizeof out->reason, "%s: %s", req, wc_json_str(o, "reason", ""));
    }
  }
  cJSON_Delete(doc);
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

/* ---- aggregation ---------------------------------------------------------------- */

typedef struct req_acc {
  size_t checks, pass, fail, warn, skip;
  const char *first_fail, *first_warn, *first_skip;
  cJSON *findings;
  size_t findings_left_out;
  cJSON *evidence;
  cJSON *pass_evidence;
  wc_buf notes;
} req_acc;

static void add_evidence(cJSON *arr, const char *id) {
  if (!id || cJSON_GetArraySize(arr) >= MAX_EVIDENCE) return;
  const cJSON *e;
  cJSON_ArrayForEach(e, arr) {
    if (strcmp(e->valuestring, id) == 0) return;
  }
  cJSON_AddItemToArray(arr, cJSON_CreateString(id));
}

static void add_finding(req_acc *a, const wc_requirement *req, const char *case_name,
                        const char *xid, const cJSON *f, const char *fallback_message) {
  if (cJSON_GetArraySize(a->findings) >= MAX_FINDINGS_PER_REQ) {
    a->findings_left_out++;
    return;
  }
  cJSON *o = cJSON_CreateObject();
  if (!o) return;
  cJSON_AddStringToObject(o, "case", case_name);
  cJSON_AddItemToObject(o, "exchange", xid ? cJSON_CreateString(xid) : cJSON_CreateNull());
  const char *ip = f ? wc_json_str(f, "instance_pointer", NULL) : NULL;
  const char *sp = f ? wc_json_str(f, "spec_pointer", NULL) : NULL;
  const char *kw = f ? wc_json_str(f, "keyword", NULL) : NULL;
  const char *msg = f ? wc_json_str(f, "message", NULL) : NULL;
  cJSON_AddItemToObject(o, "instance_pointer", ip ? cJSON_CreateString(ip) : cJSON_CreateNull());
  cJSON_AddStringToObject(o, "spec_pointer", sp ? sp : req->spec_pointer);
  cJSON_AddItemToObject(o, "keyword", kw ? cJSON_CreateString(kw) : cJSON_CreateNull());
  cJSON_AddStringToObject(o, "message", msg ? msg : (fallback_message ? fallback_message : ""));
  cJSON_AddItemToArray(a->findings, o);
}

static void note_add(req_acc *a, const char *reason) {
  if (!reason || !*reason || a->notes.len > 1500) return;
  if (a->notes.data && strstr(a->notes.data, reason)) return;
  wc_buf_printf(&a->notes, "%s%s", a->notes.len ? "; " : "", reason);
}

/* The exchange's id ("x12") from its case and sequence number. */
static void exchange_id(const loaded *c, int seq, char out[24]) {
  if (seq <= 0) {
    out[0] = '\0';
    return;
  }
  snprintf(out, 24, "x%zu", c->first_id + (size_t)seq - 1);
}

static cJSON *reshaped_exchange(cJSON *x, const char *id, const char *case_name) {
  cJSON *o = cJSON_CreateObject();
  if (!o) return NULL;
  cJSON_AddStringToObject(o, "id", id);
  cJSON_AddStringToObject(o, "case", case_name);
  static const char *const order[] = {"started_at", "request", "response", "error",
                                      "time_ms",    "retries", "curl"};
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
    cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(x, order[i]);
    if (v) cJSON_AddItemToObject(o, order[i], v);
  }
  cJSON *rest;
  while ((rest = x->child) != NULL) {
    cJSON_DetachItemViaPointer(x, rest);
    if (rest->string && (strcmp(rest->string, "seq") == 0 || strcmp(rest->string, "id") == 0)) {
      cJSON_Delete(rest);
      continue;
    }
    const char *name = rest->string ? rest->string : "extra";
    char *key = wc_strdup(name);
    if (key) cJSON_AddItemToObject(o, key, rest);
    else cJSON_Delete(rest);
    free(key);
  }
  return o;
}

static void weakened_flags(const wc_run_opts *o, cJSON *arr) {
  if (o->insecure) cJSON_AddItemToArray(arr, cJSON_CreateString("--insecure"));
  if (o->allow_http && o->base_url && !wc_url_is_loopback(o->base_url))
    cJSON_AddItemToArray(arr, cJSON_CreateString("--allow-http"));
  if (o->only_count) cJSON_AddItemToArray(arr, cJSON_CreateString("--only"));
  if (o->keep_going) cJSON_AddItemToArray(arr, cJSON_CreateString("--keep-going"));
}

static cJSON *run_object(const wc_run *run) {
  const wc_run_ctx *ctx = run->ctx;
  cJSON *r = cJSON_CreateObject();
  cJSON_AddStringToObject(r, "whopconf_version", WC_VERSION);
  cJSON *spec = cJSON_AddObjectToObject(r, "spec");
  cJSON_AddStringToObject(spec, "path", run->spec ? wc_spec_name(run->spec) : "?");
  cJSON_AddStringToObject(spec, "sha256", run->spec ? wc_spec_sha256(run->spec) : "");
  cJSON *target = cJSON_AddObjectToObject(r, "target");
  cJSON_AddStringToObject(target, "base_url", ctx->base_url);
  cJSON_AddBoolToObject(target, "embedded_server", ctx->embedded);
  cJSON_AddStringToObject(r, "api_version", ctx->api_version ? ctx->api_version : "");
  cJSON *known = cJSON_AddArrayToObject(r, "known_versions");
  for (size_t i = 0; i < ctx->known_count; i++)
    cJSON_AddItemToArray(known, cJSON_CreateString(ctx->known[i]));
  cJSON_AddNumberToObject(r, "seed", (double)ctx->seed);
  cJSON_AddStringToObject(r, "started_at", run->started_at);
  cJSON_AddNumberToObject(r, "duration_ms", (double)(long long)(wc_monotonic_ms() - run->t0_ms));
  cJSON_AddBoolToObject(r, "strict", run->opts.strict);
  cJSON_AddBoolToObject(r, "allow_writes", ctx->allow_writes);
  weakened_flags(&run->opts, cJSON_AddArrayToObject(r, "weakened"));
  cJSON *creds = cJSON_AddObjectToObject(r, "credentials");
  cJSON_AddBoolToObject(creds, "token", ctx->token != NULL);
  cJSON_AddBoolToObject(creds, "api_key", ctx->api_key != NULL);
  cJSON_AddBoolToObject(creds, "token_without_scope", ctx->token_without_scope != NULL);
  return r;
}

static const char *pass_reason(req_acc *a, char *buf, size_t n) {
  if (a->notes.len)
    snprintf(buf, n, "%zu check%s passed; %s", a->pass, a->pass == 1 ? "" : "s", a->notes.data);
  else
    snprintf(buf, n, "%zu check%s passed", a->pass, a->pass == 1 ? "" : "s");
  return buf;
}

cJSON *wc_run_report(wc_run *run, int *exit_code, wc_err *err) {
  loaded *cases = NULL;
  size_t ncases = load_all(run, &cases);
  size_t nreq = wc_catalog_count();
  req_acc *acc = calloc(nreq, sizeof *acc);
  cJSON *report = cJSON_CreateObject();
  cJSON *exchanges = cJSON_CreateArray();
  if (!acc || !report || !exchanges) {
    free(acc);
    cJSON_Delete(report);
    cJSON_Delete(exchanges);
    free_all(cases, ncases);
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return NULL;
  }
  for (size_t i = 0; i < nreq; i++) {
    acc[i].findings = cJSON_CreateArray();
    acc[i].evidence = cJSON_CreateArray();
    acc[i].pass_evidence = cJSON_CreateArray();
    wc_buf_init(&acc[i].notes);
  }

  /* Exchanges first: their ids are what observations point at. */
  size_t next_id = 1, transport_failures = 0, positive = 0, refused = 0;
  for (size_t c = 0; c < ncases; c++) {
    cases[c].first_id = next_id;
    cJSON *xs = cJSON_GetObjectItemCaseSensitive(cases[c].doc, "exchanges");
    cJSON *x;
    int expected_seq = 1;
    cJSON_ArrayForEach(x, xs) {
      int seq = (int)wc_json_num(x, "seq", 0);
      if (seq != expected_seq) break; /* a hole (out of memory in the worker): stop numbering */
      expected_seq++;
      char id[24];
      snprintf(id, sizeof id, "x%zu", next_id++);
      cJSON *copy = cJSON_Duplicate(x, 1);
      cJSON *shaped = copy ? reshaped_exchange(copy, id, cases[c].name) : NULL;
      cJSON_Delete(copy);
      if (shaped) cJSON_AddItemToArray(exchanges, shaped);
    }
    transport_failures += (size_t)wc_json_num(cases[c].doc, "transport_failures", 0);
    positive += (size_t)wc_json_num(cases[c].doc, "positive", 0);
    refused += (size_t)wc_json_num(cases[c].doc, "refused", 0);
  }

  for (size_t c = 0; c < ncases; c++) {
    const cJSON *o;
    cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(cases[c].doc, "observations")) {
      const char *id = wc_json_str(o, "requirement", NULL);
      int st = wc_obs_status_parse(wc_json_str(o, "status", NULL));
      if (!id || st < 0 || !wc_run_requirement_selected(&run->opts, id)) continue;
      size_t k = 0;
      while (k < nreq && strcmp(wc_catalog_get(k)->id, id) != 0) k++;
      if (k == nreq) continue;
      const wc_requirement *req = wc_catalog_get(k);
      req_acc *a = &acc[k];
      char xid[24];
      exchange_id(&cases[c], (int)wc_json_num(o, "exchange", 0), xid);
      const char *reason = wc_json_str(o, "reason", NULL);
      wc_obs_status eff = effective(id, (wc_obs_status)st);
      if (eff != WC_OBS_SKIP) a->checks++;
      switch (eff) {
      case WC_OBS_PASS:
        a->pass++;
        add_evidence(a->pass_evidence, xid[0] ? xid : NULL);
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "note"))) note_add(a, reason);
        break;
      case WC_OBS_FAIL:
      case WC_OBS_WARN: {
        if (eff == WC_OBS_FAIL) {
          a->fail++;
          if (!a->first_fail) a->first_fail = reason;
        } else {
          a->warn++;
          if (!a->first_warn) a->first_warn = reason;
        }
        add_evidence(a->evidence, xid[0] ? xid : NULL);
        const cJSON *fs = cJSON_GetObjectItemCaseSensitive(o, "findings");
        if (cJSON_GetArraySize(fs) == 0) {
          add_finding(a, req, cases[c].name, xid[0] ? xid : NULL, NULL, reason);
        } else {
          const cJSON *f;
          cJSON_ArrayForEach(f, fs) add_finding(a, req, cases[c].name, xid[0] ? xid : NULL, f, NULL);
        }
        break;
      }
      default:
        a->skip++;
        if (!a->first_skip) a->first_skip = reason;
      }
    }
  }

  /* Cases that never wrote a result (crash, Criterion timeout). */
  char crashed_reason[300] = "";
  for (size_t i = 0; i < run->case_count; i++) {
    bool found = false;
    for (size_t c = 0; c < ncases && !found; c++) found = strcmp(cases[c].name, run->cases[i].name) == 0;
    if (found || crashed_reason[0]) continue;
    snprintf(crashed_reason, sizeof crashed_reason, "case %s did not finish (%s)", run->cases[i].name,
             run->cases[i].timed_out ? "timed out" : run->cases[i].crashed ? "crashed" : "no result");
  }

  size_t passed = 0, failed = 0, warnings = 0, skipped = 0;
  cJSON *reqs = cJSON_CreateArray();
  for (size_t k = 0; k < nreq; k++) {
    const wc_requirement *req = wc_catalog_get(k);
    req_acc *a = &acc[k];
    const char *status;
    char reason[2048];
    bool selected = wc_run_requirement_selected(&run->opts, req->id);
    if (a->fail) {
      status = "fail";
      if (a->fail > 1)
        snprintf(reason, sizeof reason, "%s [%zu of %zu checks failed]", a->first_fail ? a->first_fail : "failed",
                 a->fail, a->checks);
      else
        snprintf(reason, sizeof reason, "%s", a->first_fail ? a->first_fail : "failed");
      failed++;
    } else if (a->warn) {
      status = "warn";
      if (a->warn > 1)
        snprintf(reason, sizeof reason, "%s [%zu of %zu checks failed]", a->first_warn ? a->first_warn : "warning",
                 a->warn, a->checks);
      else
        snprintf(reason, sizeof reason, "%s", a->first_warn ? a->first_warn : "warning");
      warnings++;
    } else if (a->pass) {
      status = "pass";
      pass_reason(a, reason, sizeof reason);
      passed++;
    } else {
      status = "skip";
      if (!selected || (run->opts.only_count && !a->first_skip))
        snprintf(reason, sizeof reason, "not selected (--only)");
      else if (a->first_skip)
        snprintf(reason, sizeof reason, "%s", a->first_skip);
      else if (strcmp(req->id, WC_REQ_RESPONSE_TIME) == 0 && run->ctx->max_response_ms <= 0)
        snprintf(reason, sizeof reason, "no budget given (--max-response-time MS)");
      else if (run->setup_failed)
        snprintf(reason, sizeof reason, "not tested: %s", run->setup_reason);
      else
        snprintf(reason, sizeof reason, "not observed in this run");
      skipped++;
    }
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "id", req->id);
    cJSON_AddStringToObject(r, "family", req->family);
    cJSON_AddStringToObject(r, "level", wc_level_name(req->level));
    cJSON_AddStringToObject(r, "title", req->title);
    cJSON_AddStringToObject(r, "source", req->source);
    cJSON_AddStringToObject(r, "spec_pointer", req->spec_pointer);
    cJSON_AddNumberToObject(r, "spec_line", run->spec ? wc_spec_line(run->spec, req->spec_pointer) : 0);
    cJSON_AddItemToObject(r, "schemathesis",
                          req->schemathesis ? cJSON_CreateString(req->schemathesis) : cJSON_CreateNull());
    cJSON_AddStringToObject(r, "status", status);
    cJSON_AddStringToObject(r, "reason", reason);
    cJSON_AddNumberToObject(r, "checks", (double)a->checks);
    if (a->findings_left_out) {
      cJSON *more = cJSON_CreateObject();
      cJSON_AddStringToObject(more, "case", "");
      cJSON_AddNullToObject(more, "exchange");
      cJSON_AddNullToObject(more, "instance_pointer");
      cJSON_AddStringToObject(more, "spec_pointer", req->spec_pointer);
      cJSON_AddNullToObject(more, "keyword");
      char msg[96];
      snprintf(msg, sizeof msg, "%zu more findings not listed", a->findings_left_out);
      cJSON_AddStringToObject(more, "message", msg);
      cJSON_AddItemToArray(a->findings, more);
    }
    cJSON_AddItemToObject(r, "findings", a->findings);
    a->findings = NULL;
    if (a->fail || a->warn) {
      cJSON_AddItemToObject(r, "evidence", a->evidence);
      a->evidence = NULL;
    } else {
      cJSON_AddItemToObject(r, "evidence", a->pass_evidence);
      a->pass_evidence = NULL;
    }
    cJSON_AddItemToArray(reqs, r);
  }

  /* The verdict: could-not-test beats non-conformant (the run stopped, so
   * what was seen is partial), which beats a harness hiccup. */
  int code = 0;
  char why[600] = "";
  size_t stop_len = 0;
  char *stop = wc_read_file(run->stop_path, 500, &stop_len, NULL);
  bool any_warn_fails = run->opts.strict && warnings > 0;
  if (run->setup_failed) {
    code = 3;
    snprintf(why, sizeof why, "%s", run->setup_reason);
  } else if (stop && !run->ctx->keep_going) {
    code = 3;
    snprintf(why, sizeof why, "%s", stop_len ? stop : "the run was stopped");
  } else if (positive > 0 && refused == positive) {
    code = 3;
    snprintf(why, sizeof why,
             "the target refused the token on every request made with it (401/403): check --token");
  } else if (failed > 0 || any_warn_fails) {
    code = 1;
  } else if (crashed_reason[0]) {
    code = 3;
    snprintf(why, sizeof why, "%s", crashed_reason);
  } else if (transport_failures > 0) {
    code = 3;
    snprintf(why, sizeof why, "%zu transfer%s failed (--keep-going)", transport_failures,
             transport_failures == 1 ? "" : "s");
  }
  free(stop);

  cJSON_AddStringToObject(report, "format", "whopconf-report");
  cJSON_AddNumberToObject(report, "format_version", 1);
  cJSON_AddItemToObject(report, "run", run_object(run));
  cJSON *summary = cJSON_AddObjectToObject(report, "summary");
  cJSON_AddStringToObject(summary, "verdict", code == 3 ? "error" : code == 1 ? "fail" : "pass");
  cJSON_AddNumberToObject(summary, "passed", (double)passed);
  cJSON_AddNumberToObject(summary, "failed", (double)failed);
  cJSON_AddNumberToObject(summary, "warnings", (double)warnings);
  cJSON_AddNumberToObject(summary, "skipped", (double)skipped);
  cJSON_AddNumberToObject(summary, "total", (double)nreq);
  cJSON_AddNumberToObject(summary, "exit_code", code);
  if (code == 3) cJSON_AddStringToObject(summary, "reason", why);
  cJSON_AddItemToObject(report, "requirements", reqs);
  cJSON_AddItemToObject(report, "exchanges", exchanges);

  for (size_t k = 0; k < nreq; k++) {
    cJSON_Delete(acc[k].findings);
    cJSON_Delete(acc[k].evidence);
    cJSON_Delete(acc[k].pass_evidence);
    wc_buf_free(&acc[k].notes);
  }
  free(acc);
  free_all(cases, ncases);
  if (exit_code) *exit_code = code;
  return report;
}
