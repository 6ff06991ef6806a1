/* The tally: verdicts of any number of exchanges folded into report.json in
 * memory that does not grow with the traffic.
 *
 * Per requirement it keeps counts, the first reason of each kind, at most
 * MAX_FINDINGS findings and MAX_EVIDENCE exchange ids; of the exchanges it
 * keeps the records of the first `keep` judged ones that failed or warned
 * and of the first few that passed (so evidence ids resolve), and counts
 * the rest. Judging runs outside the lock, so proxy threads judge in
 * parallel; only the fold is serialised. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "traffic_internal.h"
#include "whopconf/catalog.h"

#define MAX_FINDINGS 50
#define MAX_EVIDENCE 5
#define KEEP_PASSING 20
#define MAX_NOTES 50
#define BODY_CAP ((size_t)64 << 10)

typedef struct req_acc {
  size_t checks, pass, fail, warn, skip;
  char *first_fail, *first_warn, *first_skip, *first_pass;
  cJSON *findings, *evidence, *pass_evidence;
  size_t findings_left_out;
} req_acc;

struct wc_tally {
  pthread_mutex_t lock;
  const wc_judge *judge;
  wc_tally_info info;
  size_t nreq;
  req_acc *acc;
  cJSON *exchanges, *notes;
  size_t kept_failing, kept_passing, left_out, notes_left_out;
  size_t next_seq;
  wc_tally_counts counts;
  char started_at[32];
  double t0_ms; /* monotonic */
};

wc_tally *wc_tally_new(const wc_judge *judge, const wc_tally_info *info, wc_err *err) {
  wc_tally *t = calloc(1, sizeof *t);
  if (!t) goto nomem;
  t->judge = judge;
  t->info = *info;
  if (!t->info.keep_exchanges) t->info.keep_exchanges = 200;
  t->nreq = wc_catalog_count();
  t->acc = calloc(t->nreq, sizeof *t->acc);
  t->exchanges = cJSON_CreateArray();
  t->notes = cJSON_CreateArray();
  if (!t->acc || !t->exchanges || !t->notes) goto nomem;
  for (size_t i = 0; i < t->nreq; i++) {
    req_acc *a = &t->acc[i];
    a->findings = cJSON_CreateArray();
    a->evidence = cJSON_CreateArray();
    a->pass_evidence = cJSON_CreateArray();
    if (!a->findings || !a->evidence || !a->pass_evidence) goto nomem;
  }
  pthread_mutex_init(&t->lock, NULL);
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(t->started_at, sizeof t->started_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
  t->t0_ms = wc_monotonic_ms();
  return t;
nomem:
  if (t) {
    for (size_t i = 0; t->acc && i < t->nreq; i++) {
      cJSON_Delete(t->acc[i].findings);
      cJSON_Delete(t->acc[i].evidence);
      cJSON_Delete(t->acc[i].pass_evidence);
    }
    free(t->acc);
    cJSON_Delete(t->exchanges);
    cJSON_Delete(t->notes);
    free(t);
  }
  wc_err_set(err, WC_E_NOMEM, "out of memory");
  return NULL;
}

void wc_tally_free(wc_tally *t) {
  if (!t) return;
  for (size_t i = 0; i < t->nreq; i++) {
    req_acc *a = &t->acc[i];
    free(a->first_fail);
    free(a->first_warn);
    free(a->first_skip);
    free(a->first_pass);
    cJSON_Delete(a->findings);
    cJSON_Delete(a->evidence);
    cJSON_Delete(a->pass_evidence);
  }
  free(t->acc);
  cJSON_Delete(t->exchanges);
  cJSON_Delete(t->notes);
  pthread_mutex_destroy(&t->lock);
  free(t);
}

static void add_evidence(cJSON *arr, const char *id) {
  if (cJSON_GetArraySize(arr) >= MAX_EVIDENCE) return;
  const cJSON *e;
  cJSON_ArrayForEach(e, arr) {
    if (strcmp(e->valuestring, id) == 0) return;
  }
  cJSON_AddItemToArray(arr, cJSON_CreateString(id));
}

static cJSON *string_or_null(const char *s) { return s ? cJSON_CreateString(s) : cJSON_CreateNull(); }

static void add_finding(req_acc *a, const wc_requirement *req, const char *source, const char *xid,
                        const wc_finding *f, const char *reason) {
  if (cJSON_GetArraySize(a->findings) >= MAX_FINDINGS) {
    a->findings_left_out++;
    return;
  }
  cJSON *o = cJSON_CreateObject();
  if (!o) return;
  cJSON_AddStringToObject(o, "case", source ? source : "");
  cJSON_AddStringToObject(o, "exchange", xid);
  cJSON_AddStringToObject(o, "side", wc_side_name(wc_requirement_side(req->id)));
  cJSON_AddItemToObject(o, "instance_pointer", string_or_null(f ? f->instance_pointer : NULL));
  cJSON_AddStringToObject(o, "spec_pointer", f && f->schema_pointer ? f->schema_pointer : req->spec_pointer);
  cJSON_AddItemToObject(o, "keyword", string_or_null(f ? f->keyword : NULL));
  cJSON_AddStringToObject(o, "message", f && f->message ? f->message : reason ? reason : "");
  cJSON_AddItemToArray(a->findings, o);
}

static void keep_first(char **slot, const char *reason) {
  if (!*slot) *slot = wc_strdup(reason ? reason : "");
}

/* Folds one exchange's observations in (under the lock). */
static void fold(wc_tally *t, const wc_observations *obs, const char *source, const char *xid) {
  for (size_t i = 0; i < wc_observations_count(obs); i++) {
    const wc_observation *o = wc_observations_get(obs, i);
    const wc_requirement *req = wc_catalog_find(o->requirement);
    if (!req) continue;
    size_t k = (size_t)(req - wc_catalog_get(0));
    req_acc *a = &t->acc[k];
    wc_obs_status st = o->status;
    if (st == WC_OBS_FAIL && req->level == WC_LEVEL_SHOULD) st = WC_OBS_WARN;
    if (st != WC_OBS_SKIP) a->checks++;
    if (st == WC_OBS_PASS) {
      a->pass++;
      keep_first(&a->first_pass, o->reason);
      add_evidence(a->pass_evidence, xid);
    } else if (st == WC_OBS_SKIP) {
      a->skip++;
      keep_first(&a->first_skip, o->reason);
    } else {
      if (st == WC_OBS_FAIL) {
        a->fail++;
        keep_first(&a->first_fail, o->reason);
      } else {
        a->warn++;
        keep_first(&a->first_warn, o->reason);
      }
      add_evidence(a->evidence, xid);
      size_t nf = wc_findings_count(o->findings);
      if (nf == 0) add_finding(a, req, source, xid, NULL, o->reason);
      for (size_t f = 0; f < nf; f++) add_finding(a, req, source, xid, wc_findings_get(o->findings, f), NULL);
    }
  }
}

static void note_locked(wc_tally *t, const char *source, const char *why) {
  if (cJSON_GetArraySize(t->notes) >= MAX_NOTES) {
    t->notes_left_out++;
    return;
  }
  char line[600];
  snprintf(line, sizeof line, "%s: %s", source ? source : "?", why ? why : "");
  cJSON_AddItemToArray(t->notes, cJSON_CreateString(line));
}

/* The exchange's record in report form (credentials redacted). */
static cJSON *record(const wc_wire_exchange *x, const char *xid, const char *source, const char *fallback_time,
                     const char *note) {
  wc_exchange *rec = wc_exchange_from_wire(x);
  cJSON *j = rec ? wc_exchange_to_json(rec, xid, BODY_CAP) : NULL;
  wc_exchange_free(rec);
  if (!j) return NULL;
  /* Same member order as a run's exchanges. */
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "id", xid);
  cJSON_AddStringToObject(o, "case", source ? source : "");
  cJSON_AddStringToObject(o, "started_at", x->started_at && *x->started_at ? x->started_at : fallback_time);
  static const char *const order[] = {"request", "response", "error", "time_ms", "retries", "curl"};
  for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
    cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(j, order[i]);
    if (v) cJSON_AddItemToObject(o, order[i], v);
  }
  if (note && *note) cJSON_AddStringToObject(o, "note", note);
  cJSON_Delete(j);
  return o;
}

int wc_tally_add(wc_tally *t, const wc_wire_exchange *x, const char *source, wc_verdict *verdict) {
  wc_verdict local;
  if (!verdict) verdict = &local;
  pthread_mutex_lock(&t->lock);
  size_t seq = ++t->next_seq;
  bool room_failing = t->kept_failing < t->info.keep_exchanges, room_passing = t->kept_passing < KEEP_PASSING;
  pthread_mutex_unlock(&t->lock);
  char xid[32];
  snprintf(xid, sizeof xid, "x%zu", seq);
  wc_observations *obs = wc_observations_new();
  if (!obs || wc_judge_exchange(t->judge, x, (int)seq, obs, verdict) != 0) {
    wc_observations_free(obs);
    return -1;
  }
  bool violating = verdict->request_failures || verdict->response_failures || verdict->warnings;
  bool no_response = verdict->judged && x->status <= 0;
  /* A record is built only where its kind still has room: conforming
   * traffic past the first few costs the judging alone. */
  bool room = (violating || no_response) ? room_failing : room_passing;
  cJSON *rec = verdict->judged && room ? record(x, xid, source, t->started_at, NULL) : NULL;

  pthread_mutex_lock(&t->lock);
  wc_tally_counts *c = &t->counts;
  c->exchanges++;
  if (!verdict->judged) {
    c->other++;
  } else {
    c->judged++;
    if (verdict->request_failures) c->request_violations++;
    if (verdict->response_failures) c->response_violations++;
    if (!verdict->request_failures && !verdict->response_failures) c->conformant++;
    if (no_response) {
      c->failed++;
      note_locked(t, source ? source : xid, x->error && *x->error ? x->error : "no response");
    }
    fold(t, obs, source, xid);
    bool keep = (violating || no_response) ? t->kept_failing < t->info.keep_exchanges
                                           : t->kept_passing < KEEP_PASSING;
    if (rec && keep) {
      cJSON_AddItemToArray(t->exchanges, rec);
      rec = NULL;
      if (violating || no_response) t->kept_failing++;
      else t->kept_passing++;
    } else {
      t->left_out++;
    }
  }
  pthread_mutex_unlock(&t->lock);
  cJSON_Delete(rec);
  wc_observations_free(obs);
  return 0;
}

void wc_tally_unreadable(wc_tally *t, const char *source, const char *why) {
  pthread_mutex_lock(&t->lock);
  t->counts.unreadable++;
  note_locked(t, source, why);
  pthread_mutex_unlock(&t->lock);
}

void wc_tally_counts_get(wc_tally *t, wc_tally_counts *out) {
  pthread_mutex_lock(&t->lock);
  *out = t->counts;
  pthread_mutex_unlock(&t->lock);
}

/* ---- report.json ------------------------------------------------------------ */

static cJSON *run_object(wc_tally *t) {
  cJSON *r = cJSON_CreateObject();
  cJSON_AddStringToObject(r, "whopconf_version", WC_VERSION);
  cJSON *spec = cJSON_AddObjectToObject(r, "spec");
  cJSON_AddStringToObject(spec, "path", wc_spec_name(t->info.spec));
  cJSON_AddStringToObject(spec, "sha256", wc_spec_sha256(t->info.spec));
  cJSON *target = cJSON_AddObjectToObject(r, "target");
  cJSON_AddStringToObject(target, "base_url", t->info.target && *t->info.target ? t->info.target : "(none)");
  cJSON_AddBoolToObject(target, "embedded_server", false);
  cJSON_AddStringToObject(r, "api_version", wc_judge_api_version(t->judge));
  cJSON *known = cJSON_AddArrayToObject(r, "known_versions");
  for (size_t i = 0; i < wc_judge_known_count(t->judge); i++)
    cJSON_AddItemToArray(known, cJSON_CreateString(wc_judge_known(t->judge, i)));
  cJSON_AddNumberToObject(r, "seed", 0);
  cJSON_AddStringToObject(r, "started_at", t->started_at);
  cJSON_AddNumberToObject(r, "duration_ms", (double)(long long)(wc_monotonic_ms() - t->t0_ms));
  cJSON_AddBoolToObject(r, "strict", t->info.strict);
  cJSON_AddBoolToObject(r, "allow_writes", false);
  cJSON_AddArrayToObject(r, "weakened");
  cJSON *creds = cJSON_AddObjectToObject(r, "credentials"); /* whopconf was given none */
  cJSON_AddBoolToObject(creds, "token", false);
  cJSON_AddBoolToObject(creds, "api_key", false);
  cJSON_AddBoolToObject(creds, "token_without_scope", false);
  cJSON *tr = cJSON_AddObjectToObject(r, "traffic");
  const wc_tally_counts *c = &t->counts;
  cJSON_AddStringToObject(tr, "command", t->info.command ? t->info.command : "check");
  cJSON_AddStringToObject(tr, "base_path", wc_judge_base_path(t->judge));
  cJSON_AddNumberToObject(tr, "exchanges", (double)c->exchanges);
  cJSON_AddNumberToObject(tr, "judged", (double)c->judged);
  cJSON_AddNumberToObject(tr, "other", (double)c->other);
  cJSON_AddNumberToObject(tr, "unreadable", (double)c->unreadable);
  cJSON_AddNumberToObject(tr, "conformant", (double)c->conformant);
  cJSON_AddNumberToObject(tr, "request_violations", (double)c->request_violations);
  cJSON_AddNumberToObject(tr, "response_violations", (double)c->response_violations);
  cJSON_AddNumberToObject(tr, "no_response", (double)c->failed);
  cJSON_AddNumberToObject(tr, "exchanges_left_out", (double)t->left_out);
  cJSON_AddItemToObject(tr, "notes", cJSON_Duplicate(t->notes, 1));
  if (t->notes_left_out) cJSON_AddNumberToObject(tr, "notes_left_out", (double)t->notes_left_out);
  return r;
}

static cJSON *requirement_object(const wc_tally *t, const wc_requirement *req, const req_acc *a,
                                 const char *status, const char *reason) {
  cJSON *r = cJSON_CreateObject();
  cJSON_AddStringToObject(r, "id", req->id);
  cJSON_AddStringToObject(r, "family", req->family);
  cJSON_AddStringToObject(r, "level", wc_level_name(req->level));
  cJSON_AddStringToObject(r, "title", req->title);
  cJSON_AddStringToObject(r, "source", req->source);
  cJSON_AddStringToObject(r, "spec_pointer", req->spec_pointer);
  cJSON_AddNumberToObject(r, "spec_line", wc_spec_line(t->info.spec, req->spec_pointer));
  cJSON_AddItemToObject(r, "schemathesis", string_or_null(req->schemathesis));
  cJSON_AddStringToObject(r, "status", status);
  cJSON_AddStringToObject(r, "reason", reason);
  cJSON_AddNumberToObject(r, "checks", (double)a->checks);
  cJSON *findings = cJSON_Duplicate(a->findings, 1);
  if (a->findings_left_out && findings) {
    cJSON *more = cJSON_CreateObject();
    cJSON_AddStringToObject(more, "case", "");
    cJSON_AddNullToObject(more, "exchange");
    cJSON_AddNullToObject(more, "instance_pointer");
    cJSON_AddStringToObject(more, "spec_pointer", req->spec_pointer);
    cJSON_AddNullToObject(more, "keyword");
    char msg[96];
    snprintf(msg, sizeof msg, "%zu more findings not listed", a->findings_left_out);
    cJSON_AddStringToObject(more, "message", msg);
    cJSON_AddItemToArray(findings, more);
  }
  cJSON_AddItemToObject(r, "findings", findings);
  cJSON_AddItemToObject(r, "evidence", cJSON_Duplicate(a->fail || a->warn ? a->evidence : a->pass_evidence, 1));
  return r;
}

cJSON *wc_tally_report(wc_tally *t, int *exit_code, wc_err *err) {
  pthread_mutex_lock(&t->lock);
  cJSON *report = cJSON_CreateObject();
  cJSON *reqs = cJSON_CreateArray();
  size_t passed = 0, failed = 0, warnings = 0, skipped = 0;
  for (size_t k = 0; report && reqs && k < t->nreq; k++) {
    const wc_requirement *req = wc_catalog_get(k);
    const req_acc *a = &t->acc[k];
    char reason[1024];
    const char *status;
    if (a->fail) {
      status = "fail";
      failed++;
      snprintf(reason, sizeof reason, "%s [%zu of %zu checks failed]", a->first_fail, a->fail, a->checks);
    } else if (a->warn) {
      status = "warn";
      warnings++;
      snprintf(reason, sizeof reason, "%s [%zu of %zu checks failed]", a->first_warn, a->warn, a->checks);
    } else if (a->pass) {
      status = "pass";
      passed++;
      snprintf(reason, sizeof reason, "%zu check%s passed", a->pass, a->pass == 1 ? "" : "s");
    } else {
      status = "skip";
      skipped++;
      snprintf(reason, sizeof reason, "%s", a->first_skip ? a->first_skip : "not observed in this traffic");
    }
    cJSON_AddItemToArray(reqs, requirement_object(t, req, a, status, reason));
  }
  int code = failed > 0 || (t->info.strict && warnings > 0) ? 1 : 0;
  if (report && reqs) {
    cJSON_AddStringToObject(report, "format", "whopconf-report");
    cJSON_AddNumberToObject(report, "format_version", 1);
    cJSON_AddItemToObject(report, "run", run_object(t));
    cJSON *summary = cJSON_AddObjectToObject(report, "summary");
    cJSON_AddStringToObject(summary, "verdict", code ? "fail" : "pass");
    cJSON_AddNumberToObject(summary, "passed", (double)passed);
    cJSON_AddNumberToObject(summary, "failed", (double)failed);
    cJSON_AddNumberToObject(summary, "warnings", (double)warnings);
    cJSON_AddNumberToObject(summary, "skipped", (double)skipped);
    cJSON_AddNumberToObject(summary, "total", (double)t->nreq);
    cJSON_AddNumberToObject(summary, "exit_code", code);
    cJSON_AddItemToObject(report, "requirements", reqs);
    reqs = NULL;
    cJSON_AddItemToObject(report, "exchanges", cJSON_Duplicate(t->exchanges, 1));
  }
  pthread_mutex_unlock(&t->lock);
  cJSON_Delete(reqs);
  if (!report) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return NULL;
  }
  if (exit_code) *exit_code = code;
  return report;
}
