/* The report assembly (see assemble.h): sources are folded as they come,
 * one accumulator per catalogue requirement, so the caller can free each
 * source's observations and exchanges right after adding it. */
#include "whopconf/assemble.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whopconf/catalog.h"
#include "whopconf/report.h"

#define DEFAULT_FINDINGS 50
#define DEFAULT_EVIDENCE 5
#define MAX_NOTES_LEN 1500

/* What the sources said about one requirement. */
typedef struct req_acc {
  bool excluded;
  bool omitted; /* not in this report at all */
  char *unobserved_reason; /* or the exclusion's reason; NULL = the default */
  size_t checks, pass, fail, warn, skip;
  char *first_fail, *first_warn, *first_skip;
  cJSON *findings;
  size_t findings_count, findings_left_out;
  cJSON *evidence;      /* of failures and warnings */
  cJSON *pass_evidence; /* shown when nothing failed */
  size_t evidence_count, pass_evidence_count;
  wc_buf notes;         /* reasons of passing observations marked note */
} req_acc;

struct wc_assembly {
  req_acc *reqs; /* catalogue order */
  size_t req_count;
  char *unobserved_default;
  cJSON *exchanges;
  size_t next_exchange; /* number of the next exchange: x<next_exchange> */
  size_t exchanges_kept, exchanges_left_out;
  wc_assembly_caps caps; /* zeros replaced by the defaults */
  char *stopped, *incomplete;
};

wc_assembly *wc_assembly_new(wc_err *err) {
  wc_assembly *a = calloc(1, sizeof *a);
  size_t n = wc_catalog_count();
  if (a) {
    a->req_count = n;
    a->reqs = calloc(n, sizeof *a->reqs);
    a->exchanges = cJSON_CreateArray();
    a->next_exchange = 1;
    a->caps = (wc_assembly_caps){.findings = DEFAULT_FINDINGS, .evidence = DEFAULT_EVIDENCE};
  }
  bool ok = a && a->reqs && a->exchanges;
  for (size_t k = 0; ok && k < n; k++) {
    req_acc *r = &a->reqs[k];
    r->findings = cJSON_CreateArray();
    r->evidence = cJSON_CreateArray();
    r->pass_evidence = cJSON_CreateArray();
    wc_buf_init(&r->notes);
    ok = r->findings && r->evidence && r->pass_evidence;
  }
  if (!ok) {
    wc_assembly_free(a);
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return NULL;
  }
  return a;
}

void wc_assembly_free(wc_assembly *a) {
  if (!a) return;
  for (size_t k = 0; a->reqs && k < a->req_count; k++) {
    req_acc *r = &a->reqs[k];
    free(r->unobserved_reason);
    free(r->first_fail);
    free(r->first_warn);
    free(r->first_skip);
    cJSON_Delete(r->findings);
    cJSON_Delete(r->evidence);
    cJSON_Delete(r->pass_evidence);
    wc_buf_free(&r->notes);
  }
  free(a->reqs);
  free(a->unobserved_default);
  cJSON_Delete(a->exchanges);
  free(a->stopped);
  free(a->incomplete);
  free(a);
}

wc_obs_status wc_assembly_effective(const char *requirement, wc_obs_status observed) {
  if (observed != WC_OBS_FAIL) return observed;
  const wc_requirement *r = wc_catalog_find(requirement);
  return r && r->level == WC_LEVEL_SHOULD ? WC_OBS_WARN : WC_OBS_FAIL;
}

void wc_assembly_set_caps(wc_assembly *a, const wc_assembly_caps *caps) {
  a->caps = *caps;
  if (!a->caps.findings) a->caps.findings = DEFAULT_FINDINGS;
  if (!a->caps.evidence) a->caps.evidence = DEFAULT_EVIDENCE;
}

size_t wc_assembly_exchanges_left_out(const wc_assembly *a) { return a->exchanges_left_out; }

/* The accumulator of a catalogue id, and its catalogue entry; NULL when the
 * id is not in the catalogue. Observations hold the catalogue's own id
 * pointers, which the catalogue matches without string compares. */
static req_acc *acc_of(wc_assembly *a, const char *id, const wc_requirement **req) {
  const wc_requirement *r = wc_catalog_find(id);
  if (!r) return NULL;
  if (req) *req = r;
  return &a->reqs[r - wc_catalog_get(0)];
}

/* Replaces *slot with a copy of text (NULL stays NULL). */
static int set_text(char **slot, const char *text) {
  char *copy = text ? wc_strdup(text) : NULL;
  if (text && !copy) return -1;
  free(*slot);
  *slot = copy;
  return 0;
}

static int unknown_requirement(const char *id, wc_err *err) {
  wc_err_set(err, WC_E_USAGE, "%s is not a requirement of the catalogue", id ? id : "(null)");
  return -1;
}

int wc_assembly_exclude(wc_assembly *a, const char *requirement, const char *reason, wc_err *err) {
  req_acc *r = acc_of(a, requirement, NULL);
  if (!r) return unknown_requirement(requirement, err);
  if (set_text(&r->unobserved_reason, reason ? reason : "not selected") < 0) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return -1;
  }
  r->excluded = true;
  return 0;
}

int wc_assembly_omit_family(wc_assembly *a, const char *family, wc_err *err) {
  bool known = false;
  for (size_t k = 0; k < a->req_count; k++) {
    if (strcmp(wc_catalog_get(k)->family, family) != 0) continue;
    a->reqs[k].omitted = a->reqs[k].excluded = known = true;
  }
  if (!known) {
    wc_err_set(err, WC_E_USAGE, "%s is not a family of the catalogue", family);
    return -1;
  }
  return 0;
}

int wc_assembly_unobserved_reason(wc_assembly *a, const char *requirement, const char *reason,
                                  wc_err *err) {
  char **slot;
  if (!requirement) {
    slot = &a->unobserved_default;
  } else {
    req_acc *r = acc_of(a, requirement, NULL);
    if (!r) return unknown_requirement(requirement, err);
    if (r->excluded) return 0; /* the exclusion's reason stands */
    slot = &r->unobserved_reason;
  }
  if (set_text(slot, reason) < 0) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return -1;
  }
  return 0;
}

/* ---- exchanges ------------------------------------------------------------ */

/* The report's member order: id, case, then the transport's members with
 * started_at first; "seq" and a previous "id" are dropped. */
/* The exchange as the report lists it; copy is consumed (freed) either way. */
static cJSON *reshaped_exchange(cJSON *copy, const char *id, const char *source) {
  cJSON *o = cJSON_CreateObject();
  if (!copy || !o) {
    cJSON_Delete(copy);
    cJSON_Delete(o);
    return NULL;
  }
  cJSON_AddStringToObject(o, "id", id);
  cJSON_AddStringToObject(o, "case", source);
  static const char *const order[] = {"started_at", "request", "response", "error",
                                      "time_ms",    "retries", "curl"};
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
    cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(copy, order[i]);
    if (v) cJSON_AddItemToObject(o, order[i], v);
  }
  cJSON *rest;
  while ((rest = copy->child) != NULL) {
    cJSON_DetachItemViaPointer(copy, rest);
    if (rest->string && (strcmp(rest->string, "seq") == 0 || strcmp(rest->string, "id") == 0)) {
      cJSON_Delete(rest);
      continue;
    }
    char *key = wc_strdup(rest->string ? rest->string : "extra");
    if (key) cJSON_AddItemToObject(o, key, rest);
    else cJSON_Delete(rest);
    free(key);
  }
  cJSON_Delete(copy);
  return o;
}

/* Numbers the source's exchanges and keeps their records (a null one, or
 * one past the cap, is numbered and counted only); take: moved out of the
 * array, not copied. *first gets the number of its first exchange. */
static int add_exchanges(wc_assembly *a, const char *source, cJSON *exchanges, bool take, size_t *first) {
  *first = a->next_exchange;
  cJSON *next;
  for (cJSON *x = exchanges ? exchanges->child : NULL; x; x = next) {
    next = x->next;
    char id[24];
    snprintf(id, sizeof id, "x%zu", a->next_exchange++);
    if (cJSON_IsNull(x) || (a->caps.exchanges && a->exchanges_kept >= a->caps.exchanges)) {
      a->exchanges_left_out++;
      continue;
    }
    a->exchanges_kept++;
    cJSON *own = take ? cJSON_DetachItemViaPointer(exchanges, x) : cJSON_Duplicate(x, 1);
    cJSON *shaped = own ? reshaped_exchange(own, id, source) : NULL;
    if (!shaped) return -1;
    cJSON_AddItemToArray(a->exchanges, shaped);
  }
  return 0;
}

/* ---- observations ---------------------------------------------------------- */

/* Exchange number n as its id "x<n>"; 0 = none (NULL). */
static const char *exchange_id(size_t n, char *buf, size_t size) {
  if (!n) return NULL;
  snprintf(buf, size, "x%zu", n);
  return buf;
}

/* Adds exchange n to a requirement's evidence (up to cap, no repeats). */
static void add_evidence(cJSON *arr, size_t *count, size_t cap, size_t n) {
  if (!n || *count >= cap) return;
  char buf[24];
  const char *id = exchange_id(n, buf, sizeof buf);
  const cJSON *e;
  cJSON_ArrayForEach(e, arr) {
    if (strcmp(e->valuestring, id) == 0) return;
  }
  cJSON_AddItemToArray(arr, cJSON_CreateString(id));
  (*count)++;
}

static cJSON *string_or_null(const char *s) { return s ? cJSON_CreateString(s) : cJSON_CreateNull(); }

/* One finding; f NULL: the observation's reason stands for it. */
static void add_finding(const wc_assembly *a, req_acc *r, const wc_requirement *req, const char *source,
                        size_t n, const wc_finding *f, const char *reason) {
  if (r->findings_count >= a->caps.findings) {
    r->findings_left_out++;
    return;
  }
  cJSON *o = cJSON_CreateObject();
  if (!o) return;
  char buf[24];
  cJSON_AddStringToObject(o, "case", source);
  cJSON_AddItemToObject(o, "exchange", string_or_null(exchange_id(n, buf, sizeof buf)));
  if (a->caps.sides)
    cJSON_AddStringToObject(o, "side", wc_requirement_is_client(req) ? "request" : "response");
  cJSON_AddItemToObject(o, "instance_pointer", string_or_null(f ? f->instance_pointer : NULL));
  cJSON_AddStringToObject(o, "spec_pointer", f && f->schema_pointer ? f->schema_pointer : req->spec_pointer);
  cJSON_AddItemToObject(o, "keyword", string_or_null(f ? f->keyword : NULL));
  const char *message = f ? f->message : reason;
  cJSON_AddStringToObject(o, "message", message ? message : "");
  cJSON_AddItemToArray(r->findings, o);
  r->findings_count++;
}

static void add_note(req_acc *r, const char *reason) {
  if (!reason || !*reason || r->notes.len > MAX_NOTES_LEN) return;
  if (r->notes.data && strstr(r->notes.data, reason)) return;
  wc_buf_printf(&r->notes, "%s%s", r->notes.len ? "; " : "", reason);
}

static int keep_first(char **slot, const char *reason) {
  return *slot ? 0 : set_text(slot, reason ? reason : "");
}

/* n: the observation's exchange number in the report (0 = none). */
static int fold_observation(const wc_assembly *a, req_acc *r, const wc_requirement *req, const char *source,
                            const wc_observation *o, size_t n) {
  wc_obs_status status = wc_assembly_effective(req->id, o->status);
  size_t weight = o->count > 1 ? (size_t)o->count : 1; /* a generated phase sums up */
  if (status != WC_OBS_SKIP) r->checks += weight;
  switch (status) {
  case WC_OBS_PASS:
    r->pass += weight;
    add_evidence(r->pass_evidence, &r->pass_evidence_count, a->caps.evidence, n);
    if (o->note) add_note(r, o->reason);
    return 0;
  case WC_OBS_FAIL:
  case WC_OBS_WARN: {
    if (status == WC_OBS_FAIL) r->fail += weight;
    else r->warn += weight;
    if (keep_first(status == WC_OBS_FAIL ? &r->first_fail : &r->first_warn, o->reason) < 0) return -1;
    add_evidence(r->evidence, &r->evidence_count, a->caps.evidence, n);
    size_t count = wc_findings_count(o->findings);
    if (count == 0) add_finding(a, r, req, source, n, NULL, o->reason);
    for (size_t i = 0; i < count; i++) add_finding(a, r, req, source, n, wc_findings_get(o->findings, i), NULL);
    return 0;
  }
  default:
    r->skip += weight;
    return keep_first(&r->first_skip, o->reason);
  }
}

static int add_source(wc_assembly *a, const char *name, const wc_observations *obs, cJSON *exchanges, bool take,
                      wc_err *err) {
  const char *source = name ? name : "";
  size_t first = 0;
  if (add_exchanges(a, source, exchanges, take, &first) < 0) goto nomem;
  for (size_t i = 0; i < wc_observations_count(obs); i++) {
    const wc_observation *o = wc_observations_get(obs, i);
    const wc_requirement *req = NULL;
    req_acc *r = acc_of(a, o->requirement, &req);
    if (!r || r->excluded) continue;
    size_t n = o->exchange > 0 ? first + (size_t)o->exchange - 1 : 0;
    if (fold_observation(a, r, req, source, o, n) < 0) goto nomem;
  }
  return 0;
nomem:
  wc_err_set(err, WC_E_NOMEM, "out of memory");
  return -1;
}

int wc_assembly_add_source(wc_assembly *a, const char *name, const wc_observations *obs,
                           const cJSON *exchanges, wc_err *err) {
  /* Read only: with take false nothing of the array is changed. */
  return add_source(a, name, obs, (cJSON *)exchanges, false, err);
}

int wc_assembly_take_source(wc_assembly *a, const char *name, const wc_observations *obs, cJSON *exchanges,
                            wc_err *err) {
  return add_source(a, name, obs, exchanges, true, err);
}

void wc_assembly_stopped(wc_assembly *a, const char *reason) {
  if (!a->stopped) a->stopped = wc_strdup(reason ? reason : "the run was stopped");
}

void wc_assembly_incomplete(wc_assembly *a, const char *reason) {
  if (!a->incomplete) a->incomplete = wc_strdup(reason ? reason : "the run is incomplete");
}

/* ---- the document ------------------------------------------------------------ */

#define MORE_FINDINGS " more findings not listed"

cJSON *wc_report_more_findings(const char *spec_pointer, const char *side, size_t count) {
  cJSON *more = cJSON_CreateObject();
  if (!more) return NULL;
  cJSON_AddStringToObject(more, "case", "");
  cJSON_AddNullToObject(more, "exchange");
  if (side) cJSON_AddStringToObject(more, "side", side);
  cJSON_AddNullToObject(more, "instance_pointer");
  cJSON_AddStringToObject(more, "spec_pointer", spec_pointer ? spec_pointer : "#");
  cJSON_AddNullToObject(more, "keyword");
  char msg[96];
  snprintf(msg, sizeof msg, "%zu" MORE_FINDINGS, count);
  cJSON_AddStringToObject(more, "message", msg);
  return more;
}

size_t wc_report_findings_left_out(const cJSON *finding) {
  const cJSON *c = cJSON_GetObjectItemCaseSensitive(finding, "case");
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(finding, "message");
  if (!cJSON_IsString(c) || c->valuestring[0] || !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(finding, "exchange")) ||
      !cJSON_IsString(m))
    return 0;
  char *end;
  unsigned long long n = strtoull(m->valuestring, &end, 10);
  return end != m->valuestring && m->valuestring[0] != '-' && strcmp(end, MORE_FINDINGS) == 0 ? (size_t)n : 0;
}

static void status_and_reason(const wc_assembly *a, const req_acc *r, const char **status,
                              char *reason, size_t size) {
  if (r->fail || r->warn) {
    bool fail = r->fail > 0;
    const char *first = fail ? r->first_fail : r->first_warn;
    size_t count = fail ? r->fail : r->warn;
    *status = fail ? "fail" : "warn";
    if (!first) first = fail ? "failed" : "warning";
    if (count > 1)
      snprintf(reason, size, "%s [%zu of %zu checks failed]", first, count, r->checks);
    else
      snprintf(reason, size, "%s", first);
  } else if (r->pass) {
    *status = "pass";
    const char *s = r->pass == 1 ? "" : "s";
    if (r->notes.len)
      snprintf(reason, size, "%zu check%s passed; %s", r->pass, s, r->notes.data);
    else
      snprintf(reason, size, "%zu check%s passed", r->pass, s);
  } else {
    *status = "skip";
    const char *why = r->excluded ? r->unobserved_reason
                      : r->first_skip ? r->first_skip
                      : r->unobserved_reason ? r->unobserved_reason
                      : a->unobserved_default ? a->unobserved_default
                                              : "not observed in this run";
    snprintf(reason, size, "%s", why);
  }
}

/* What r holds, moved out (take) or copied. */
static cJSON *taken(cJSON **slot, bool take) {
  if (!take) return cJSON_Duplicate(*slot, 1);
  cJSON *v = *slot;
  *slot = NULL;
  return v;
}

/* The requirement's entry; its findings and evidence moved into it (take)
 * or copied. */
static cJSON *requirement_object(const wc_assembly *a, req_acc *r, const wc_requirement *req,
                                 const wc_spec *spec, const char **status, bool take) {
  char reason[2048];
  status_and_reason(a, r, status, reason, sizeof reason);
  cJSON *o = cJSON_CreateObject();
  if (!o) return NULL;
  cJSON_AddStringToObject(o, "id", req->id);
  cJSON_AddStringToObject(o, "family", req->family);
  cJSON_AddStringToObject(o, "level", wc_level_name(req->level));
  cJSON_AddStringToObject(o, "title", req->title);
  cJSON_AddStringToObject(o, "source", req->source);
  cJSON_AddStringToObject(o, "spec_pointer", req->spec_pointer);
  cJSON_AddNumberToObject(o, "spec_line", spec ? wc_spec_line(spec, req->spec_pointer) : 0);
  cJSON_AddItemToObject(o, "schemathesis", string_or_null(req->schemathesis));
  cJSON_AddStringToObject(o, "status", *status);
  cJSON_AddStringToObject(o, "reason", reason);
  cJSON_AddNumberToObject(o, "checks", (double)r->checks);
  cJSON *findings = taken(&r->findings, take);
  if (r->findings_left_out && findings) {
    const char *side = a->caps.sides ? (wc_requirement_is_client(req) ? "request" : "response") : NULL;
    cJSON_AddItemToArray(findings, wc_report_more_findings(req->spec_pointer, side, r->findings_left_out));
  }
  cJSON_AddItemToObject(o, "findings", findings);
  cJSON_AddItemToObject(o, "evidence", taken(r->fail || r->warn ? &r->evidence : &r->pass_evidence, take));
  return o;
}

static cJSON *strings_array(const char *const *items, size_t count) {
  cJSON *arr = cJSON_CreateArray();
  for (size_t i = 0; arr && i < count; i++) cJSON_AddItemToArray(arr, cJSON_CreateString(items[i]));
  return arr;
}

static cJSON *run_object(const wc_report_meta *m) {
  cJSON *r = cJSON_CreateObject();
  if (!r) return NULL;
  cJSON_AddStringToObject(r, "whopconf_version", WC_VERSION);
  cJSON *spec = cJSON_AddObjectToObject(r, "spec");
  cJSON_AddStringToObject(spec, "path", m->spec ? wc_spec_name(m->spec) : "?");
  cJSON_AddStringToObject(spec, "sha256", m->spec ? wc_spec_sha256(m->spec) : "");
  cJSON *target = cJSON_AddObjectToObject(r, "target");
  cJSON_AddStringToObject(target, "base_url", m->base_url ? m->base_url : "");
  cJSON_AddBoolToObject(target, "embedded_server", m->embedded_server);
  if (m->http_client) cJSON_AddStringToObject(target, "http_client", m->http_client);
  cJSON_AddStringToObject(r, "api_version", m->api_version ? m->api_version : "");
  cJSON_AddItemToObject(r, "known_versions", strings_array(m->known_versions, m->known_count));
  cJSON_AddNumberToObject(r, "seed", (double)m->seed);
  cJSON_AddStringToObject(r, "started_at", m->started_at ? m->started_at : "");
  cJSON_AddNumberToObject(r, "duration_ms", m->duration_ms);
  cJSON_AddBoolToObject(r, "strict", m->strict);
  cJSON_AddBoolToObject(r, "allow_writes", m->allow_writes);
  cJSON_AddItemToObject(r, "weakened", strings_array(m->weakened, m->weakened_count));
  cJSON *creds = cJSON_AddObjectToObject(r, "credentials");
  cJSON_AddBoolToObject(creds, "token", m->token);
  cJSON_AddBoolToObject(creds, "api_key", m->api_key);
  cJSON_AddBoolToObject(creds, "token_without_scope", m->token_without_scope);
  return r;
}

/* Could-not-test beats non-conformant (what was seen is partial), which
 * beats a harness hiccup. */
static int verdict(const wc_assembly *a, bool failing, const char **why) {
  *why = NULL;
  if (a->stopped) return *why = a->stopped, 3;
  if (failing) return 1;
  if (a->incomplete) return *why = a->incomplete, 3;
  return 0;
}

static cJSON *document(wc_assembly *a, const wc_report_meta *meta, int *exit_code, bool take, wc_err *err) {
  size_t passed = 0, failed = 0, warnings = 0, skipped = 0, listed = 0;
  cJSON *report = cJSON_CreateObject();
  cJSON *reqs = cJSON_CreateArray();
  for (size_t k = 0; report && reqs && k < a->req_count; k++) {
    if (a->reqs[k].omitted) continue;
    listed++;
    const char *status;
    cJSON *o = requirement_object(a, &a->reqs[k], wc_catalog_get(k), meta->spec, &status, take);
    if (!o) break;
    cJSON_AddItemToArray(reqs, o);
    switch (status[0]) {
    case 'f': failed++; break;
    case 'w': warnings++; break;
    case 'p': passed++; break;
    default: skipped++;
    }
  }
  if (!report || !reqs || (size_t)cJSON_GetArraySize(reqs) != listed) {
    cJSON_Delete(report);
    cJSON_Delete(reqs);
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return NULL;
  }
  const char *why;
  int code = verdict(a, failed > 0 || (meta->strict && warnings > 0), &why);
  cJSON_AddStringToObject(report, "format", "whopconf-report");
  cJSON_AddNumberToObject(report, "format_version", WC_REPORT_FORMAT_VERSION);
  cJSON_AddItemToObject(report, "run", run_object(meta));
  cJSON *summary = cJSON_AddObjectToObject(report, "summary");
  cJSON_AddStringToObject(summary, "verdict", code == 3 ? "error" : code == 1 ? "fail" : "pass");
  cJSON_AddNumberToObject(summary, "passed", (double)passed);
  cJSON_AddNumberToObject(summary, "failed", (double)failed);
  cJSON_AddNumberToObject(summary, "warnings", (double)warnings);
  cJSON_AddNumberToObject(summary, "skipped", (double)skipped);
  cJSON_AddNumberToObject(summary, "total", (double)listed);
  cJSON_AddNumberToObject(summary, "exit_code", code);
  if (why) cJSON_AddStringToObject(summary, "reason", why);
  cJSON_AddItemToObject(report, "requirements", reqs);
  cJSON_AddItemToObject(report, "exchanges", taken(&a->exchanges, take));
  if (exit_code) *exit_code = code;
  return report;
}

cJSON *wc_assembly_finish(wc_assembly *a, const wc_report_meta *meta, int *exit_code, wc_err *err) {
  return document(a, meta, exit_code, true, err);
}

cJSON *wc_assembly_snapshot(wc_assembly *a, const wc_report_meta *meta, int *exit_code, wc_err *err) {
  return document(a, meta, exit_code, false, err);
}
