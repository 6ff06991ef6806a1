/* `whopconf report merge`: N report.json documents of one test (the runs or
 * the fuzz shards of a CI matrix) folded into one (contract in report.h).
 *
 * The inputs are sorted by a key of their own content first, so the result
 * does not depend on the order they were named in; every exchange id of
 * report i (in that order) becomes "r<i>-<id>", which keeps ids unique across
 * reports and every reference (evidence, findings, generated findings)
 * pointing at the same exchange. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "whopconf/assemble.h"

typedef struct input {
  const cJSON *doc;
  const char *name;    /* for error messages only */
  unsigned shard_k, shard_n; /* run.shard "K/N"; 0/0 when absent */
  const char *seed;    /* run.seed as decimal text (into seed_buf when a number) */
  char seed_buf[32];
  char *canon;         /* the whole document, the last tie-breaker of the sort */
  char prefix[32];     /* "r<i>-" once sorted */
} input;

static const cJSON *run_of(const input *in) { return wc_rep_get_obj(in->doc, "run"); }

static const char *run_str(const input *in, const char *key, const char *sub) {
  const cJSON *run = run_of(in);
  return sub ? wc_rep_get_str(wc_rep_get_obj(run, key), sub) : wc_rep_get_str(run, key);
}

/* ---- reading and checking the inputs --------------------------------------- */

static int read_input(input *in, wc_err *err) {
  wc_err inner;
  wc_err_clear(&inner);
  if (wc_rep_check(in->doc, &inner) != 0) {
    wc_err_set(err, WC_E_PARSE, "%s: %s", in->name, inner.msg);
    return -1;
  }
  if (!run_of(in) || !wc_rep_get_arr(in->doc, "exchanges") || !wc_rep_get_obj(in->doc, "summary")) {
    wc_err_set(err, WC_E_PARSE, "%s: not a whopconf report: no \"run\", \"summary\" or \"exchanges\"", in->name);
    return -1;
  }
  const char *shard = run_str(in, "shard", NULL);
  char tail;
  if (shard && (sscanf(shard, "%u/%u%c", &in->shard_k, &in->shard_n, &tail) != 2 || in->shard_k < 1 ||
                in->shard_k > in->shard_n)) {
    wc_err_set(err, WC_E_PARSE, "%s: run.shard '%.40s' is not K/N", in->name, shard);
    return -1;
  }
  const cJSON *seed = wc_rep_get(run_of(in), "seed");
  if (cJSON_IsNumber(seed)) {
    snprintf(in->seed_buf, sizeof in->seed_buf, "%.0f", seed->valuedouble);
    in->seed = in->seed_buf;
  } else {
    in->seed = cJSON_IsString(seed) ? seed->valuestring : "";
  }
  in->canon = cJSON_PrintUnformatted(in->doc);
  if (!in->canon) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return -1;
  }
  return 0;
}

/* The embedded reference server listens on a new port each run: two
 * reports against it tested the same target. */
static bool same_target(const input *a, const input *b) {
  const cJSON *ta = wc_rep_get_obj(run_of(a), "target"), *tb = wc_rep_get_obj(run_of(b), "target");
  bool ea = wc_rep_get_true(ta, "embedded_server"), eb = wc_rep_get_true(tb, "embedded_server");
  if (ea || eb) return ea == eb;
  const char *ua = wc_rep_get_str(ta, "base_url"), *ub = wc_rep_get_str(tb, "base_url");
  return ua && ub && strcmp(ua, ub) == 0;
}

static int differs(const input *a, const input *b, const char *what, const char *va, const char *vb,
                   const char *hint, wc_err *err) {
  wc_err_set(err, WC_E_USAGE, "%s and %s are not reports of the same test: %s differs ('%.80s' vs '%.80s')%s",
             a->name, b->name, what, va ? va : "(none)", vb ? vb : "(none)", hint);
  return -1;
}

static bool text_differs(const char *a, const char *b) { return !a || !b ? a != b : strcmp(a, b) != 0; }

/* Each input against the first: the first difference found is the error. */
static int check_compatible(const input *ins, size_t n, bool force, bool *targets_differ, wc_err *err) {
  *targets_differ = false;
  const input *a = &ins[0];
  for (size_t i = 1; i < n; i++) {
    const input *b = &ins[i];
    const char *sa = run_str(a, "spec", "sha256"), *sb = run_str(b, "spec", "sha256");
    if (text_differs(sa, sb)) return differs(a, b, "the spec (sha256)", sa, sb, "", err);
    const char *va = run_str(a, "api_version", NULL), *vb = run_str(b, "api_version", NULL);
    if (text_differs(va, vb)) return differs(a, b, "the pinned Api-Version-Date", va, vb, "", err);
    if (!same_target(a, b)) {
      if (!force)
        return differs(a, b, "the target", run_str(a, "target", "base_url"), run_str(b, "target", "base_url"),
                       " (--force merges reports of different targets)", err);
      *targets_differ = true;
    }
    for (size_t j = 0; j < i; j++) {
      const input *c = &ins[j];
      if (b->shard_n && b->shard_k == c->shard_k && b->shard_n == c->shard_n && strcmp(b->seed, c->seed) == 0) {
        wc_err_set(err, WC_E_USAGE, "%s and %s are the same shard (%u/%u, seed %s) twice", c->name, b->name,
                   b->shard_k, b->shard_n, b->seed);
        return -1;
      }
    }
  }
  return 0;
}

/* Decimal texts by value. */
static int cmp_decimal(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  return la != lb ? (la < lb ? -1 : 1) : strcmp(a, b);
}

static int cmp_text(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : ""); }

static int cmp_inputs(const void *pa, const void *pb) {
  const input *a = pa, *b = pb;
  if (a->shard_n != b->shard_n) return a->shard_n < b->shard_n ? -1 : 1;
  if (a->shard_k != b->shard_k) return a->shard_k < b->shard_k ? -1 : 1;
  int c = cmp_decimal(a->seed, b->seed);
  if (c == 0) c = cmp_text(run_str(a, "started_at", NULL), run_str(b, "started_at", NULL));
  return c ? c : strcmp(a->canon, b->canon);
}

/* ---- exchanges ----------------------------------------------------------------- */

static cJSON *renamed_id(const input *in, const char *id) {
  if (!id) return cJSON_CreateNull();
  char *full = malloc(strlen(in->prefix) + strlen(id) + 1);
  if (!full) return NULL;
  strcpy(full, in->prefix);
  strcat(full, id);
  cJSON *s = cJSON_CreateString(full);
  free(full);
  return s;
}

/* Replaces obj[key] (a string id, or null) by its renamed id. */
static int rename_member(const input *in, cJSON *obj, const char *key) {
  const cJSON *old = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!old) return 0;
  cJSON *now = renamed_id(in, cJSON_IsString(old) ? old->valuestring : NULL);
  return now && cJSON_ReplaceItemInObjectCaseSensitive(obj, key, now) ? 0 : -1;
}

static int append_exchanges(const input *in, cJSON *out) {
  const cJSON *x;
  cJSON_ArrayForEach(x, wc_rep_get_arr(in->doc, "exchanges")) {
    cJSON *copy = cJSON_Duplicate(x, 1);
    if (!copy) return -1;
    cJSON_AddItemToArray(out, copy);
    if (cJSON_IsObject(copy) && rename_member(in, copy, "id") < 0) return -1;
  }
  return 0;
}

/* ---- requirements ------------------------------------------------------------ */

/* Worst status wins: fail, then warn, then pass, then skip. */
static int severity(const cJSON *req) {
  switch (wc_rep_req_status(req)) {
  case WC_REP_FAIL: return 3;
  case WC_REP_WARN: return 2;
  case WC_REP_PASS: return 1;
  default: return 0;
  }
}

static const cJSON *find_requirement(const input *in, const char *id) {
  const cJSON *req;
  cJSON_ArrayForEach(req, wc_rep_get_arr(in->doc, "requirements")) {
    if (strcmp(wc_rep_get_str(req, "id"), id) == 0) return req;
  }
  return NULL;
}

/* Findings and evidence of one input's entry, renamed, into the merged
 * entry's arrays; a "more findings not listed" entry adds to *left_out. */
static int take_findings(const input *in, const cJSON *req, cJSON *findings, cJSON *evidence, size_t *left_out) {
  const cJSON *f;
  cJSON_ArrayForEach(f, wc_rep_get_arr(req, "findings")) {
    size_t more = wc_report_findings_left_out(f);
    if (more || cJSON_GetArraySize(findings) >= WC_REP_MAX_FINDINGS) {
      *left_out += more ? more : 1;
      continue;
    }
    cJSON *copy = cJSON_Duplicate(f, 1);
    if (!copy) return -1;
    cJSON_AddItemToArray(findings, copy);
    if (cJSON_IsObject(copy) && rename_member(in, copy, "exchange") < 0) return -1;
  }
  const cJSON *e;
  cJSON_ArrayForEach(e, wc_rep_get_arr(req, "evidence")) {
    cJSON *id = renamed_id(in, cJSON_IsString(e) ? e->valuestring : NULL);
    if (!id) return -1;
    cJSON_AddItemToArray(evidence, id);
  }
  return 0;
}

static int set_member(cJSON *obj, const char *key, cJSON *value) {
  if (!value) return -1;
  if (cJSON_GetObjectItemCaseSensitive(obj, key)) return cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value) ? 0 : -1;
  return cJSON_AddItemToObject(obj, key, value) ? 0 : -1;
}

/* The reason of the first report with the merged status, and for a
 * failure or a warning in how many of the reports it was one. */
static cJSON *merged_reason(const cJSON *worst, size_t with_status, size_t n) {
  const char *reason = wc_rep_get_str(worst, "reason");
  wc_rep_status status = wc_rep_req_status(worst);
  if (n < 2 || (status != WC_REP_FAIL && status != WC_REP_WARN)) return cJSON_CreateString(reason ? reason : "");
  wc_buf b;
  wc_buf_init(&b);
  wc_buf_printf(&b, "%s [%s in %zu of %zu reports]", reason ? reason : "", wc_rep_status_name(status),
                with_status, n);
  cJSON *s = b.data ? cJSON_CreateString(b.data) : NULL;
  wc_buf_free(&b);
  return s;
}

/* The side of a requirement's findings ("request"/"response" in reports of
 * judged traffic), NULL in reports without sides. */
static const char *findings_side(const cJSON *req) {
  const cJSON *f;
  cJSON_ArrayForEach(f, wc_rep_get_arr(req, "findings")) {
    const char *side = wc_rep_get_str(f, "side");
    if (side) return side;
  }
  return NULL;
}

/* One requirement over every input: the first entry's description, the
 * worst status, checks summed, findings and evidence of the inputs that had
 * that status. NULL when out of memory. */
static cJSON *merge_requirement(const input *ins, size_t n, const char *id) {
  const cJSON *first = NULL, *worst = NULL;
  double checks = 0;
  for (size_t i = 0; i < n; i++) {
    const cJSON *req = find_requirement(&ins[i], id);
    if (!req) continue;
    if (!first) first = req;
    if (!worst || severity(req) > severity(worst)) worst = req;
    checks += wc_rep_get_num(req, "checks", 0);
  }
  cJSON *out = cJSON_Duplicate(first, 1);
  cJSON *findings = cJSON_CreateArray(), *evidence = cJSON_CreateArray();
  size_t with_status = 0, left_out = 0;
  bool ok = out && findings && evidence;
  for (size_t i = 0; ok && i < n; i++) {
    const cJSON *req = find_requirement(&ins[i], id);
    if (!req || severity(req) != severity(worst)) continue;
    with_status++;
    ok = take_findings(&ins[i], req, findings, evidence, &left_out) == 0;
  }
  if (ok && left_out) {
    cJSON *more = wc_report_more_findings(wc_rep_req_field(first, "spec_pointer"), findings_side(worst), left_out);
    ok = more && cJSON_AddItemToArray(findings, more);
  }
  if (ok) {
    ok = set_member(out, "status", cJSON_CreateString(wc_rep_status_name(wc_rep_req_status(worst)))) == 0 &&
         set_member(out, "reason", merged_reason(worst, with_status, n)) == 0 &&
         set_member(out, "checks", cJSON_CreateNumber(checks)) == 0;
    ok = ok && set_member(out, "findings", findings) == 0;
    findings = NULL;
    ok = ok && set_member(out, "evidence", evidence) == 0;
    evidence = NULL;
  }
  cJSON_Delete(findings);
  cJSON_Delete(evidence);
  if (!ok) {
    cJSON_Delete(out);
    return NULL;
  }
  return out;
}

static bool listed(const cJSON *reqs, const char *id) {
  const cJSON *req;
  cJSON_ArrayForEach(req, reqs) {
    if (strcmp(wc_rep_get_str(req, "id"), id) == 0) return true;
  }
  return false;
}

/* Every requirement of any input once: the first input's order, then those
 * only later inputs know (a newer catalogue). */
static cJSON *merge_requirements(const input *ins, size_t n) {
  cJSON *out = cJSON_CreateArray();
  for (size_t i = 0; out && i < n; i++) {
    const cJSON *req;
    cJSON_ArrayForEach(req, wc_rep_get_arr(ins[i].doc, "requirements")) {
      const char *id = wc_rep_get_str(req, "id");
      if (listed(out, id)) continue;
      cJSON *merged = merge_requirement(ins, n, id);
      if (!merged) {
        cJSON_Delete(out);
        return NULL;
      }
      cJSON_AddItemToArray(out, merged);
    }
  }
  return out;
}

/* ---- generated findings ------------------------------------------------------ */

static bool same_finding(const cJSON *a, const cJSON *b) {
  static const char *const key[] = {"requirement", "status", "location", "edge_class"};
  for (size_t i = 0; i < sizeof key / sizeof key[0]; i++)
    if (text_differs(wc_rep_get_str(a, key[i]), wc_rep_get_str(b, key[i]))) return false;
  return true;
}

/* The better reproducer of one finding: a shrunk one, then the smaller. */
static bool better_reproducer(const cJSON *a, const cJSON *b) {
  if (!wc_rep_get_true(a, "shrunk")) return false;
  return !wc_rep_get_true(b, "shrunk") || wc_rep_get_num(a, "minimal_size", 0) < wc_rep_get_num(b, "minimal_size", 0);
}

static cJSON *renamed_finding(const input *in, const cJSON *g) {
  cJSON *copy = cJSON_Duplicate(g, 1);
  if (copy && (rename_member(in, copy, "original") < 0 || rename_member(in, copy, "minimal") < 0)) {
    cJSON_Delete(copy);
    return NULL;
  }
  return copy;
}

/* Adds g to the de-duplicated list: a new entry, or its count (and the
 * number of reports that found it) added to the entry with its key, whose
 * requests become g's when g is the better reproducer. */
static int add_generated_finding(const input *in, const cJSON *g, cJSON *list) {
  cJSON *have = NULL, *item;
  cJSON_ArrayForEach(item, list) {
    if (same_finding(item, g)) have = item;
  }
  double count = wc_rep_get_num(g, "count", 1), reports = 1;
  if (have) {
    count += wc_rep_get_num(have, "count", 1);
    reports += wc_rep_get_num(have, "reports", 1);
  }
  cJSON *entry = have;
  if (!have || better_reproducer(g, have)) {
    entry = renamed_finding(in, g);
    if (!entry) return -1;
    if (have) cJSON_ReplaceItemViaPointer(list, have, entry);
    else cJSON_AddItemToArray(list, entry);
  }
  return set_member(entry, "count", cJSON_CreateNumber(count)) | set_member(entry, "reports", cJSON_CreateNumber(reports));
}

/* Phases of the same name: their counters summed. */
static int add_phase(const cJSON *phase, cJSON *phases) {
  const char *name = wc_rep_get_str(phase, "name");
  cJSON *have = NULL, *item;
  cJSON_ArrayForEach(item, phases) {
    if (!text_differs(wc_rep_get_str(item, "name"), name)) have = item;
  }
  if (!have) {
    cJSON *copy = cJSON_Duplicate(phase, 1);
    return copy && cJSON_AddItemToArray(phases, copy) ? 0 : -1;
  }
  const cJSON *counter;
  cJSON_ArrayForEach(counter, phase) {
    cJSON *sum = cJSON_GetObjectItemCaseSensitive(have, counter->string);
    if (cJSON_IsNumber(counter) && cJSON_IsNumber(sum)) cJSON_SetNumberValue(sum, sum->valuedouble + counter->valuedouble);
  }
  return 0;
}

/* The "generated" section over every input (absent when no input has one). */
static int merge_generated(const input *ins, size_t n, cJSON *report) {
  cJSON *phases = NULL, *findings = NULL;
  for (size_t i = 0; i < n; i++) {
    const cJSON *gen = wc_rep_get_obj(ins[i].doc, "generated");
    if (!gen) continue;
    if (!phases) {
      cJSON *section = cJSON_AddObjectToObject(report, "generated");
      phases = cJSON_AddArrayToObject(section, "phases");
      findings = cJSON_AddArrayToObject(section, "findings");
      if (!phases || !findings) return -1;
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, wc_rep_get_arr(gen, "phases")) {
      if (cJSON_IsObject(item) && add_phase(item, phases) < 0) return -1;
    }
    cJSON_ArrayForEach(item, wc_rep_get_arr(gen, "findings")) {
      if (cJSON_IsObject(item) && add_generated_finding(&ins[i], item, findings) < 0) return -1;
    }
  }
  return 0;
}

/* ---- run and summary ---------------------------------------------------------- */

static void add_unique_strings(cJSON *out, const cJSON *strings) {
  const cJSON *s, *have;
  cJSON_ArrayForEach(s, strings) {
    bool found = !cJSON_IsString(s);
    cJSON_ArrayForEach(have, out) { found = found || strcmp(have->valuestring, s->valuestring) == 0; }
    if (!found) cJSON_AddItemToArray(out, cJSON_CreateString(s->valuestring));
  }
}

/* What each merged report was: its id prefix, shard label and seed. */
static cJSON *merged_entry(const input *in) {
  const cJSON *run = run_of(in), *summary = wc_rep_get_obj(in->doc, "summary");
  cJSON *o = cJSON_CreateObject();
  if (!o) return NULL;
  cJSON_AddStringToObject(o, "exchange_prefix", in->prefix);
  if (in->shard_n) cJSON_AddStringToObject(o, "shard", run_str(in, "shard", NULL));
  cJSON_AddItemToObject(o, "seed", cJSON_Duplicate(wc_rep_get(run, "seed"), 1));
  cJSON_AddStringToObject(o, "started_at", run_str(in, "started_at", NULL) ? run_str(in, "started_at", NULL) : "");
  cJSON_AddNumberToObject(o, "duration_ms", wc_rep_get_num(run, "duration_ms", 0));
  cJSON_AddStringToObject(o, "base_url", run_str(in, "target", "base_url") ? run_str(in, "target", "base_url") : "");
  cJSON_AddStringToObject(o, "verdict", wc_rep_get_str(summary, "verdict") ? wc_rep_get_str(summary, "verdict") : "");
  cJSON_AddNumberToObject(o, "exchanges", cJSON_GetArraySize(wc_rep_get_arr(in->doc, "exchanges")));
  return o;
}

/* The first input's run, with: the earliest start, durations summed, a flag
 * (strict, allow_writes, a credential) set when any report had it set, the
 * weakening flags of all, and "merged" listing the reports. */
static cJSON *merged_run(const input *ins, size_t n, bool targets_differ) {
  cJSON *run = cJSON_Duplicate(run_of(&ins[0]), 1);
  if (!run) return NULL;
  cJSON_DeleteItemFromObjectCaseSensitive(run, "shard");
  const char *started = run_str(&ins[0], "started_at", NULL);
  double duration = 0;
  bool strict = false, writes = false;
  cJSON *weakened = cJSON_CreateArray(), *reports = cJSON_CreateArray();
  cJSON *creds = cJSON_GetObjectItemCaseSensitive(run, "credentials");
  for (size_t i = 0; i < n && weakened && reports; i++) {
    const cJSON *r = run_of(&ins[i]);
    const char *s = wc_rep_get_str(r, "started_at");
    if (s && (!started || strcmp(s, started) < 0)) started = s;
    duration += wc_rep_get_num(r, "duration_ms", 0);
    strict = strict || wc_rep_get_true(r, "strict");
    writes = writes || wc_rep_get_true(r, "allow_writes");
    add_unique_strings(weakened, wc_rep_get_arr(r, "weakened"));
    const cJSON *c;
    cJSON_ArrayForEach(c, wc_rep_get_obj(r, "credentials")) {
      if (cJSON_IsTrue(c) && cJSON_IsObject(creds) && c->string) set_member(creds, c->string, cJSON_CreateTrue());
    }
    cJSON_AddItemToArray(reports, merged_entry(&ins[i]));
  }
  if (weakened && targets_differ) cJSON_AddItemToArray(weakened, cJSON_CreateString("--force"));
  cJSON *merged = cJSON_CreateObject();
  int rc = set_member(run, "started_at", cJSON_CreateString(started ? started : "")) |
           set_member(run, "duration_ms", cJSON_CreateNumber(duration)) |
           set_member(run, "strict", cJSON_CreateBool(strict)) |
           set_member(run, "allow_writes", cJSON_CreateBool(writes)) | set_member(run, "weakened", weakened);
  if (merged) {
    cJSON_AddNumberToObject(merged, "count", (double)n);
    cJSON_AddItemToObject(merged, "reports", reports);
    reports = NULL;
  }
  rc |= set_member(run, "merged", merged);
  cJSON_Delete(reports);
  if (rc) {
    cJSON_Delete(run);
    return NULL;
  }
  return run;
}

/* Counts of the merged requirements, and the verdict: could not test when
 * any report could not (part of the picture is missing), else fail when a
 * requirement fails (or warns under strict), else pass. */
static cJSON *merged_summary(const input *ins, size_t n, const cJSON *reqs, bool strict, int *exit_code) {
  double count[4] = {0}; /* pass, fail, warn, skip */
  const cJSON *req;
  cJSON_ArrayForEach(req, reqs) {
    wc_rep_status s = wc_rep_req_status(req);
    count[s == WC_REP_PASS ? 0 : s == WC_REP_FAIL ? 1 : s == WC_REP_WARN ? 2 : 3]++;
  }
  const input *untested = NULL;
  for (size_t i = 0; i < n && !untested; i++) {
    const char *verdict = wc_rep_get_str(wc_rep_get_obj(ins[i].doc, "summary"), "verdict");
    if (verdict && strcmp(verdict, "error") == 0) untested = &ins[i];
  }
  int code = untested ? 3 : count[1] > 0 || (strict && count[2] > 0) ? 1 : 0;
  cJSON *s = cJSON_CreateObject();
  if (!s) return NULL;
  cJSON_AddStringToObject(s, "verdict", code == 3 ? "error" : code == 1 ? "fail" : "pass");
  static const char *const names[] = {"passed", "failed", "warnings", "skipped"};
  for (size_t i = 0; i < 4; i++) cJSON_AddNumberToObject(s, names[i], count[i]);
  cJSON_AddNumberToObject(s, "total", (double)cJSON_GetArraySize(reqs));
  cJSON_AddNumberToObject(s, "exit_code", code);
  if (untested) {
    const char *why = wc_rep_get_str(wc_rep_get_obj(untested->doc, "summary"), "reason");
    wc_buf b;
    wc_buf_init(&b);
    wc_buf_printf(&b, "report %.*s: %s", (int)strlen(untested->prefix) - 1, untested->prefix,
                  why ? why : "could not test");
    cJSON_AddStringToObject(s, "reason", b.data ? b.data : "could not test");
    wc_buf_free(&b);
  }
  *exit_code = code;
  return s;
}

/* ---- what the renderers say about a merge ------------------------------------ */

/* Appends the distinct values of member key of the merged reports. */
static void list_values(wc_buf *b, const cJSON *reports, const char *key, const char *title) {
  size_t shown = 0;
  const cJSON *r, *q;
  cJSON_ArrayForEach(r, reports) {
    const cJSON *v = wc_rep_get(r, key);
    char text[64];
    if (cJSON_IsNumber(v)) snprintf(text, sizeof text, "%.0f", v->valuedouble);
    else if (cJSON_IsString(v)) snprintf(text, sizeof text, "%.60s", v->valuestring);
    else continue;
    bool seen = false;
    for (q = reports->child; q != r && !seen; q = q->next) {
      const cJSON *w = wc_rep_get(q, key);
      seen = w && cJSON_Compare(v, w, true);
    }
    if (!seen) wc_buf_printf(b, "%s%s", shown++ ? ", " : title, text);
  }
  if (shown) wc_buf_puts(b, "; ");
}

char *wc_rep_merged_note(const cJSON *report) {
  const cJSON *merged = wc_rep_get_obj(wc_rep_get_obj(report, "run"), "merged");
  if (!merged) return NULL;
  const cJSON *reports = wc_rep_get_arr(merged, "reports");
  wc_buf lists, note;
  wc_buf_init(&lists);
  wc_buf_init(&note);
  list_values(&lists, reports, "shard", "shards ");
  list_values(&lists, reports, "seed", "seeds ");
  wc_buf_printf(&note, "merged from %.0f reports", wc_rep_get_num(merged, "count", cJSON_GetArraySize(reports)));
  if (lists.len >= 2) wc_buf_printf(&note, " (%.*s)", (int)(lists.len - 2), lists.data); /* without the last "; " */
  wc_buf_free(&lists);
  return wc_buf_steal(&note);
}

/* ---- the merge ------------------------------------------------------------------- */

static cJSON *assemble(const input *ins, size_t n, bool targets_differ, int *exit_code) {
  cJSON *report = cJSON_CreateObject();
  cJSON *run = merged_run(ins, n, targets_differ);
  cJSON *reqs = merge_requirements(ins, n);
  cJSON *exchanges = cJSON_CreateArray();
  bool ok = report && run && reqs && exchanges;
  for (size_t i = 0; ok && i < n; i++) ok = append_exchanges(&ins[i], exchanges) == 0;
  cJSON *summary = ok ? merged_summary(ins, n, reqs, wc_rep_get_true(run, "strict"), exit_code) : NULL;
  if (!summary) {
    cJSON_Delete(report);
    cJSON_Delete(run);
    cJSON_Delete(reqs);
    cJSON_Delete(exchanges);
    return NULL;
  }
  cJSON_AddStringToObject(report, "format", "whopconf-report");
  cJSON_AddNumberToObject(report, "format_version", WC_REPORT_FORMAT_VERSION);
  cJSON_AddItemToObject(report, "run", run);
  cJSON_AddItemToObject(report, "summary", summary);
  cJSON_AddItemToObject(report, "requirements", reqs);
  cJSON_AddItemToObject(report, "exchanges", exchanges);
  if (merge_generated(ins, n, report) < 0) {
    cJSON_Delete(report);
    return NULL;
  }
  return report;
}

cJSON *wc_report_merge(const cJSON *const *reports, const char *const *names, size_t count, bool force,
                       int *exit_code, wc_err *err) {
  if (count == 0) {
    wc_err_set(err, WC_E_USAGE, "no report to merge");
    return NULL;
  }
  input *ins = calloc(count, sizeof *ins);
  char (*fallback)[32] = calloc(count, sizeof *fallback);
  cJSON *out = NULL;
  bool targets_differ = false;
  int code = 0;
  if (!ins || !fallback) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < count; i++) {
    snprintf(fallback[i], sizeof fallback[i], "report %zu", i + 1);
    ins[i].doc = reports[i];
    ins[i].name = names && names[i] ? names[i] : fallback[i];
    if (read_input(&ins[i], err) < 0) goto done;
  }
  if (check_compatible(ins, count, force, &targets_differ, err) < 0) goto done;
  qsort(ins, count, sizeof *ins, cmp_inputs);
  for (size_t i = 0; i < count; i++) {
    snprintf(ins[i].prefix, sizeof ins[i].prefix, "r%zu-", i + 1);
    ins[i].name = NULL; /* the names followed the arguments' order; nothing after this may use them */
  }
  out = assemble(ins, count, targets_differ, &code);
  if (!out) wc_err_set(err, WC_E_NOMEM, "out of memory");
  else if (exit_code) *exit_code = code;
done:
  for (size_t i = 0; ins && i < count; i++) cJSON_free(ins[i].canon);
  free(ins);
  free(fallback);
  return out;
}
