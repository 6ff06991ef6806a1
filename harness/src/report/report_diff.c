/* `whopconf report diff OLD.json NEW.json`: what changed between two runs.
 *
 * A regression is a requirement that fails CI in the new run (status fail,
 * or warn under --strict) and did not in the old one (or was absent), or a
 * new run that could not test at all (verdict "error") when the old one
 * could. Fixed requirements, changed warnings (new, gone, or with different
 * findings) and requirements no longer tested are reported but are not
 * regressions. Text from the documents is shown with control characters
 * neutralised (no terminal escapes from a hostile server). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

#define MAX_COMPARED_FINDINGS 1000

typedef enum change {
  CH_NEW_FAILURE,
  CH_FIXED,
  CH_NEW_WARNING,
  CH_WARNING_GONE,
  CH_WARNING_CHANGED,
  CH_STILL_FAILING,
  CH_UNTESTED,
  CH_REMOVED,
  CH_COUNT
} change;

static const char *const headings[CH_COUNT] = {
    "New failures",   "Fixed", "New warnings", "Warnings gone", "Changed warnings (findings differ)",
    "Still failing", "No longer tested (now skipped)", "Requirements missing from the new report"};

static const cJSON *find_req(const cJSON *report, const char *id) {
  const cJSON *req;
  cJSON_ArrayForEach(req, wc_rep_get_arr(report, "requirements")) {
    const char *rid = wc_rep_get_str(req, "id");
    if (rid && strcmp(rid, id) == 0) return req;
  }
  return NULL;
}

static bool same_finding(const cJSON *a, const cJSON *b) {
  static const char *const keys[] = {"instance_pointer", "spec_pointer", "keyword", "message"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    const char *x = wc_rep_get_str(a, keys[i]), *y = wc_rep_get_str(b, keys[i]);
    if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0)) return false;
  }
  return true;
}

/* Same findings in any order (case and exchange ids are run details). */
static bool same_findings(const cJSON *old_req, const cJSON *new_req) {
  const cJSON *a = wc_rep_get_arr(old_req, "findings"), *b = wc_rep_get_arr(new_req, "findings");
  int na = cJSON_GetArraySize(a), nb = cJSON_GetArraySize(b);
  if (na != nb) return false;
  if (na > MAX_COMPARED_FINDINGS) return true;
  const cJSON *f;
  cJSON_ArrayForEach(f, a) {
    bool found = false;
    const cJSON *g;
    cJSON_ArrayForEach(g, b) {
      if (same_finding(f, g)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

static change classify(const cJSON *old_report, const cJSON *old_req, const cJSON *new_report,
                       const cJSON *new_req, bool *changed) {
  *changed = true;
  bool old_failing = old_req && wc_rep_req_failing(old_report, old_req);
  bool new_failing = new_req && wc_rep_req_failing(new_report, new_req);
  wc_rep_status os = old_req ? wc_rep_req_status(old_req) : WC_REP_OTHER;
  wc_rep_status ns = new_req ? wc_rep_req_status(new_req) : WC_REP_OTHER;
  if (!new_req) return CH_REMOVED;
  if (new_failing && !old_failing) return CH_NEW_FAILURE;
  if (old_failing && !new_failing && ns != WC_REP_SKIP) return CH_FIXED;
  if (new_failing) return CH_STILL_FAILING;
  if (ns == WC_REP_SKIP && old_req && os != WC_REP_SKIP) return CH_UNTESTED;
  if (ns == WC_REP_WARN && os != WC_REP_WARN) return CH_NEW_WARNING;
  if (os == WC_REP_WARN && ns != WC_REP_WARN) return CH_WARNING_GONE;
  if (os == WC_REP_WARN && ns == WC_REP_WARN && !same_findings(old_req, new_req)) return CH_WARNING_CHANGED;
  *changed = false;
  return CH_COUNT;
}

static void describe(wc_rep_out *o, const cJSON *old_req, const cJSON *new_req) {
  const cJSON *req = new_req ? new_req : old_req;
  const char *level = wc_rep_req_field(req, "level");
  wc_rep_out_raw(o, "  ");
  wc_rep_out_text_cap(o, wc_rep_get_str(req, "id"), 64, WC_REP_ESC_TEXT);
  wc_rep_out_raw(o, " [");
  wc_rep_out_text_cap(o, level ? level : "?", 16, WC_REP_ESC_TEXT);
  wc_rep_out_printf(o, "] %s -> %s: ", old_req ? wc_rep_status_name(wc_rep_req_status(old_req)) : "absent",
               new_req ? wc_rep_status_name(wc_rep_req_status(new_req)) : "absent");
  wc_rep_out_text_cap(o, wc_rep_req_field(req, "title"), 200, WC_REP_ESC_TEXT);
  wc_rep_out_raw(o, "\n");
  const cJSON *shown = new_req && cJSON_GetArraySize(wc_rep_get_arr(new_req, "findings")) ? new_req : NULL;
  if (shown) {
    const cJSON *first = cJSON_GetArrayItem(wc_rep_get_arr(shown, "findings"), 0);
    const char *ip = wc_rep_get_str(first, "instance_pointer");
    wc_rep_out_raw(o, "      ");
    if (ip) {
      wc_rep_out_text_cap(o, *ip ? ip : "(root)", 200, WC_REP_ESC_TEXT);
      wc_rep_out_raw(o, ": ");
    }
    wc_rep_out_text_cap(o, wc_rep_get_str(first, "message"), 300, WC_REP_ESC_TEXT);
    int more = cJSON_GetArraySize(wc_rep_get_arr(shown, "findings")) - 1;
    if (more > 0) wc_rep_out_printf(o, " (+%d more)", more);
    wc_rep_out_raw(o, "\n");
  } else if (new_req && wc_rep_req_status(new_req) == WC_REP_SKIP && wc_rep_get_str(new_req, "reason")) {
    wc_rep_out_raw(o, "      ");
    wc_rep_out_text_cap(o, wc_rep_get_str(new_req, "reason"), 300, WC_REP_ESC_TEXT);
    wc_rep_out_raw(o, "\n");
  }
}

static void counts(const cJSON *report, int out[4]) {
  memset(out, 0, 4 * sizeof out[0]);
  const cJSON *req;
  cJSON_ArrayForEach(req, wc_rep_get_arr(report, "requirements")) {
    wc_rep_status s = wc_rep_req_status(req);
    if (s != WC_REP_OTHER) out[s]++;
  }
}

typedef struct pair {
  const cJSON *old_req, *new_req;
  change kind;
} pair;

static const char *verdict(const cJSON *report) {
  const char *v = wc_rep_get_str(wc_rep_get_obj(report, "summary"), "verdict");
  return v ? v : "unknown";
}

/* Every requirement of NEW that changed, then those only OLD has, each with
 * its change; *n is how many. NULL when out of memory. */
static pair *changed_requirements(const cJSON *old_report, const cJSON *new_report, size_t *n) {
  size_t cap = (size_t)cJSON_GetArraySize(wc_rep_get_arr(new_report, "requirements")) +
               (size_t)cJSON_GetArraySize(wc_rep_get_arr(old_report, "requirements"));
  pair *pairs = malloc((cap ? cap : 1) * sizeof *pairs);
  if (!pairs) return NULL;
  *n = 0;
  const cJSON *req;
  cJSON_ArrayForEach(req, wc_rep_get_arr(new_report, "requirements")) {
    const cJSON *old_req = find_req(old_report, wc_rep_get_str(req, "id"));
    bool changed;
    change kind = classify(old_report, old_req, new_report, req, &changed);
    if (changed) pairs[(*n)++] = (pair){old_req, req, kind};
  }
  cJSON_ArrayForEach(req, wc_rep_get_arr(old_report, "requirements")) {
    if (!find_req(new_report, wc_rep_get_str(req, "id"))) pairs[(*n)++] = (pair){req, NULL, CH_REMOVED};
  }
  return pairs;
}

/* The two verdicts and the status counts, old -> new. */
static void print_overview(wc_rep_out *o, const cJSON *old_report, const cJSON *new_report) {
  int oc[4], nc[4];
  counts(old_report, oc);
  counts(new_report, nc);
  wc_rep_out_raw(o, "verdict: ");
  wc_rep_out_text_cap(o, verdict(old_report), 16, WC_REP_ESC_TEXT);
  wc_rep_out_raw(o, " -> ");
  wc_rep_out_text_cap(o, verdict(new_report), 16, WC_REP_ESC_TEXT);
  wc_rep_out_printf(o, "\ncounts:  failed %d -> %d, warnings %d -> %d, passed %d -> %d, skipped %d -> %d\n",
               oc[WC_REP_FAIL], nc[WC_REP_FAIL], oc[WC_REP_WARN], nc[WC_REP_WARN], oc[WC_REP_PASS],
               nc[WC_REP_PASS], oc[WC_REP_SKIP], nc[WC_REP_SKIP]);
}

/* One section per kind of change, in the order of `headings`; fills
 * tally[kind] with how many requirements each section lists. */
static void print_changes(wc_rep_out *o, const pair *pairs, size_t n, int tally[CH_COUNT]) {
  for (size_t i = 0; i < n; i++) tally[pairs[i].kind]++;
  for (int kind = 0; kind < CH_COUNT; kind++) {
    if (tally[kind] == 0) continue;
    wc_rep_out_printf(o, "\n%s (%d):%s", headings[kind], tally[kind], kind == CH_STILL_FAILING ? "" : "\n");
    int listed = 0;
    for (size_t i = 0; i < n; i++) {
      if ((int)pairs[i].kind != kind) continue;
      if (kind != CH_STILL_FAILING) {
        describe(o, pairs[i].old_req, pairs[i].new_req);
        continue;
      }
      /* Old news: one line, flagging those whose findings changed. */
      wc_rep_out_raw(o, listed++ ? ", " : " ");
      wc_rep_out_text_cap(o, wc_rep_get_str(pairs[i].new_req, "id"), 64, WC_REP_ESC_TEXT);
      if (!same_findings(pairs[i].old_req, pairs[i].new_req)) wc_rep_out_raw(o, " (findings differ)");
    }
    if (kind == CH_STILL_FAILING) wc_rep_out_raw(o, "\n");
  }
  if (n == (size_t)tally[CH_STILL_FAILING]) wc_rep_out_raw(o, "\nno requirement changed status\n");
}

/* The closing result line (and why the new run could not test, if so);
 * returns 1 when NEW regressed, 0 otherwise. */
static int print_result(wc_rep_out *o, const cJSON *old_report, const cJSON *new_report,
                        const int tally[CH_COUNT]) {
  const char *ov = verdict(old_report), *nv = verdict(new_report);
  bool untestable = strcmp(nv, "error") == 0 && strcmp(ov, "error") != 0;
  int regressed = tally[CH_NEW_FAILURE] > 0 || untestable;
  wc_rep_out_raw(o, "\n");
  if (untestable) {
    wc_rep_out_raw(o, "the new run could not test the target: ");
    wc_rep_out_text_cap(o, wc_rep_get_str(wc_rep_get_obj(new_report, "summary"), "reason"), 300, WC_REP_ESC_TEXT);
    wc_rep_out_raw(o, "\n");
  }
  int warning_changes = tally[CH_NEW_WARNING] + tally[CH_WARNING_GONE] + tally[CH_WARNING_CHANGED];
  if (regressed)
    wc_rep_out_printf(o, "result: REGRESSED (%d new failure%s%s)\n", tally[CH_NEW_FAILURE],
                 tally[CH_NEW_FAILURE] == 1 ? "" : "s", untestable ? ", could not test" : "");
  else
    wc_rep_out_printf(o, "result: no regression (%d fixed, %d warning change%s)\n", tally[CH_FIXED],
                 warning_changes, warning_changes == 1 ? "" : "s");
  return regressed;
}

int wc_report_diff(const cJSON *old_report, const cJSON *new_report, wc_buf *out, wc_err *err) {
  wc_err e;
  wc_err_clear(&e);
  if (wc_rep_check(old_report, &e) != 0) {
    wc_err_set(err, e.code, "OLD: %s", e.msg);
    return -1;
  }
  if (wc_rep_check(new_report, &e) != 0) {
    wc_err_set(err, e.code, "NEW: %s", e.msg);
    return -1;
  }
  size_t n = 0;
  pair *pairs = changed_requirements(old_report, new_report, &n);
  if (!pairs) {
    wc_err_set(err, WC_E_NOMEM, "out of memory while comparing reports");
    return -1;
  }
  wc_rep_out o;
  wc_rep_out_init(&o);
  print_overview(&o, old_report, new_report);
  int tally[CH_COUNT] = {0};
  print_changes(&o, pairs, n, tally);
  free(pairs);
  int regressed = print_result(&o, old_report, new_report, tally);
  if (o.rc != 0 || wc_buf_append(out, o.b.data ? o.b.data : "", o.b.len) != 0) {
    wc_buf_free(&o.b);
    wc_err_set(err, WC_E_NOMEM, "out of memory while comparing reports");
    return -1;
  }
  wc_buf_free(&o.b);
  return regressed;
}
