/* summary.md: for a pull-request comment or $GITHUB_STEP_SUMMARY.
 *
 * Verdict first (one line), weakened checks called out, then ONE table of
 * every requirement, failures first, then links to the other files. Every
 * string from the document is escaped for a GitHub-flavoured Markdown table
 * cell (| and newlines, HTML and Markdown syntax, @mentions). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

#define CELL_CAP 300

typedef struct tally {
  int passed, failed, warnings, skipped, total;
} tally;

static tally count(const cJSON *report) {
  tally t = {0, 0, 0, 0, 0};
  const cJSON *req;
  cJSON_ArrayForEach(req, wc_rep_get_arr(report, "requirements")) {
    t.total++;
    switch (wc_rep_req_status(req)) {
    case WC_REP_PASS: t.passed++; break;
    case WC_REP_FAIL: t.failed++; break;
    case WC_REP_WARN: t.warnings++; break;
    case WC_REP_SKIP: t.skipped++; break;
    case WC_REP_OTHER: break;
    }
  }
  return t;
}

/* "pass" / "fail" / "error": the document's verdict, else what the
 * requirements say. */
static const char *verdict_of(const cJSON *report, const tally *t) {
  const char *v = wc_rep_get_str(wc_rep_get_obj(report, "summary"), "verdict");
  if (v && (strcmp(v, "pass") == 0 || strcmp(v, "fail") == 0 || strcmp(v, "error") == 0)) return v;
  bool failing = t->failed > 0 || (wc_rep_strict(report) && t->warnings > 0);
  return failing ? "fail" : "pass";
}

static const char *status_cell(wc_rep_status s) {
  switch (s) {
  case WC_REP_FAIL: return "❌ fail";
  case WC_REP_WARN: return "⚠️ warn";
  case WC_REP_SKIP: return "⏭️ skip";
  case WC_REP_PASS: return "✅ pass";
  case WC_REP_OTHER: break;
  }
  return "❔ unknown";
}

static void md_text(wc_rep_out *o, const char *text, size_t cap) {
  if (text && *text) {
    size_t len = strlen(text);
    size_t used = wc_rep_out_text_n(o, text, len, cap, WC_REP_ESC_MD);
    if (used < len) wc_rep_out_raw(o, "…");
  } else {
    wc_rep_out_raw(o, "—");
  }
}

static void cell(wc_rep_out *o, const char *text) {
  wc_rep_out_raw(o, " ");
  md_text(o, text, CELL_CAP);
  wc_rep_out_raw(o, " |");
}

static void finding_cell(wc_rep_out *o, const cJSON *req) {
  wc_rep_status status = wc_rep_req_status(req);
  const cJSON *findings = wc_rep_get_arr(req, "findings");
  const cJSON *first = cJSON_GetArrayItem(findings, 0);
  if ((status == WC_REP_FAIL || status == WC_REP_WARN) && first) {
    const char *ip = wc_rep_get_str(first, "instance_pointer");
    const char *msg = wc_rep_get_str(first, "message");
    wc_rep_out text;
    wc_rep_out_init(&text);
    if (ip) {
      wc_rep_out_raw(&text, *ip ? ip : "(root)");
      wc_rep_out_raw(&text, ": ");
    }
    wc_rep_out_raw(&text, msg ? msg : "");
    int more = cJSON_GetArraySize(findings) - 1;
    if (more > 0) wc_rep_out_printf(&text, " (+%d more)", more);
    if (text.rc != 0) o->rc = -1;
    cell(o, text.b.data);
    wc_buf_free(&text.b);
    return;
  }
  cell(o, wc_rep_get_str(req, "reason"));
}

/* The distinct findings of the generated phases, grouped by requirement
 * (failures first, like the table above). */
static void generated(wc_rep_out *o, const cJSON *report, const cJSON **sorted, size_t nreq) {
  const cJSON *section = wc_rep_get_obj(report, "generated");
  if (!section) return;
  double requests, left_out;
  wc_rep_generated_totals(report, &requests, &left_out);
  int total = cJSON_GetArraySize(wc_rep_get_arr(section, "findings"));
  wc_rep_out_printf(o, "**Generated requests:** %.0f sent, %d distinct finding%s, %.0f exchanges not kept (passed, or "
                  "another occurrence of a finding).\n\n",
               requests, total, total == 1 ? "" : "s", left_out);
  if (!total) return;
  wc_rep_out_raw(o, "| Requirement | Finding (minimal and original exchange) |\n|---|---|\n");
  for (size_t r = 0; r < nreq; r++) {
    const char *id = wc_rep_get_str(sorted[r], "id");
    const cJSON *list[WC_REP_MAX_GENERATED];
    size_t count = wc_rep_req_generated(report, id, list, WC_REP_MAX_GENERATED);
    size_t shown = count < WC_REP_MAX_GENERATED ? count : WC_REP_MAX_GENERATED;
    for (size_t i = 0; i < shown; i++) {
      wc_buf text;
      wc_buf_init(&text);
      if (wc_rep_generated_line(&text, list[i]) != 0) o->rc = -1;
      wc_rep_out_raw(o, "|");
      cell(o, id);
      cell(o, text.data);
      wc_rep_out_raw(o, "\n");
      wc_buf_free(&text);
    }
    if (count > shown) {
      wc_rep_out_raw(o, "|");
      cell(o, id);
      wc_rep_out_printf(o, " … and %zu more in report.json |\n", count - shown);
    }
  }
  wc_rep_out_raw(o, "\n");
}

static void links(wc_rep_out *o, int formats) {
  static const struct {
    int bit;
    const char *file, *what;
  } files[] = {{WC_REPORT_HTML, WC_REP_FILE_HTML, "HTML report with evidence"},
               {WC_REPORT_JUNIT, WC_REP_FILE_JUNIT, "JUnit"},
               {WC_REPORT_SARIF, WC_REP_FILE_SARIF, "SARIF"},
               {WC_REPORT_HAR, WC_REP_FILE_HAR, "HAR traffic"},
               {WC_REPORT_JSON, WC_REP_FILE_JSON, "JSON"}};
  bool any = false;
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    if (!(formats & files[i].bit)) continue;
    wc_rep_out_printf(o, "%s[%s](%s) (%s)", any ? " · " : "Reports: ", files[i].file, files[i].file, files[i].what);
    any = true;
  }
  if (any) wc_rep_out_raw(o, "\n");
}

/* The first line a reader sees in a pull-request comment: the verdict and
 * the counts behind it. */
static void verdict_heading(wc_rep_out *o, const char *verdict, const tally *t) {
  if (strcmp(verdict, "pass") == 0) wc_rep_out_raw(o, "## ✅ whopconf: PASS");
  else if (strcmp(verdict, "fail") == 0) wc_rep_out_raw(o, "## ❌ whopconf: FAIL");
  else wc_rep_out_raw(o, "## ❌ whopconf: ERROR (could not test)");
  wc_rep_out_printf(o, " — %d failed, %d warning%s, %d passed, %d skipped (%d requirements)\n\n", t->failed,
               t->warnings, t->warnings == 1 ? "" : "s", t->passed, t->skipped, t->total);
}

/* An "error" verdict means the target could not be tested: the counts alone
 * do not say why, so the reason comes right after the heading. */
static void error_reason(wc_rep_out *o, const cJSON *summary) {
  const char *reason = wc_rep_get_str(summary, "reason");
  wc_rep_out_raw(o, "**Why:** ");
  md_text(o, reason ? reason : "the target could not be tested", 2000);
  wc_rep_out_raw(o, "\n\n");
}

/* A pass with weakened checks proves less; GitHub renders this callout in red
 * so it is not skimmed past. */
static void weakened_callout(wc_rep_out *o, const cJSON *run) {
  const cJSON *weakened = wc_rep_get_arr(run, "weakened");
  if (cJSON_GetArraySize(weakened) <= 0) return;
  wc_rep_out_raw(o, "> [!CAUTION]\n> **Checks were weakened in this run:**");
  const cJSON *flag;
  int i = 0;
  cJSON_ArrayForEach(flag, weakened) {
    if (!cJSON_IsString(flag)) continue;
    wc_rep_out_raw(o, i++ ? ", **" : " **");
    wc_rep_out_text_cap(o, flag->valuestring, 128, WC_REP_ESC_MD);
    wc_rep_out_raw(o, "**");
  }
  wc_rep_out_raw(o, ". A pass proves less than it would without them.\n\n");
}

/* One line saying what was tested against what (target, spec, versions, seed,
 * timing, exit code), enough to reproduce or compare two runs. Every string
 * comes from the document, so each is escaped and capped. */
static void run_line(wc_rep_out *o, const cJSON *report, const cJSON *run, const cJSON *summary) {
  const cJSON *target = wc_rep_get_obj(run, "target");
  const cJSON *spec = wc_rep_get_obj(run, "spec");
  wc_rep_out_raw(o, "PATCH /users/me at ");
  wc_rep_out_text_cap(o, wc_rep_get_str(target, "base_url") ? wc_rep_get_str(target, "base_url") : "?", 512, WC_REP_ESC_MD);
  if (wc_rep_get_true(target, "embedded_server")) wc_rep_out_raw(o, " (embedded reference server)");
  const char *client = wc_rep_http_client(report);
  if (client) {
    wc_rep_out_raw(o, ", sent with ");
    wc_rep_out_raw(o, client); /* one of three fixed texts */
  }
  wc_rep_out_raw(o, " · spec ");
  wc_rep_out_text_cap(o, wc_rep_get_str(spec, "path") ? wc_rep_get_str(spec, "path") : "?", 512, WC_REP_ESC_MD);
  const char *sha = wc_rep_get_str(spec, "sha256");
  if (sha) {
    wc_rep_out_raw(o, " (sha256 ");
    wc_rep_out_text_cap(o, sha, 12, WC_REP_ESC_MD);
    wc_rep_out_raw(o, "…)");
  }
  const char *api = wc_rep_get_str(run, "api_version");
  if (api) {
    wc_rep_out_raw(o, " · Api-Version-Date ");
    wc_rep_out_text_cap(o, api, 64, WC_REP_ESC_MD);
  }
  const cJSON *seed = wc_rep_get(run, "seed");
  if (cJSON_IsNumber(seed)) wc_rep_out_printf(o, " · seed %.0f", seed->valuedouble);
  const char *version = wc_rep_get_str(run, "whopconf_version");
  wc_rep_out_raw(o, " · whopconf ");
  wc_rep_out_text_cap(o, version ? version : WC_VERSION, 32, WC_REP_ESC_MD);
  const char *started = wc_rep_get_str(run, "started_at");
  if (started) {
    wc_rep_out_raw(o, " · ");
    wc_rep_out_text_cap(o, started, 64, WC_REP_ESC_MD);
  }
  double duration = wc_rep_get_num(run, "duration_ms", -1);
  if (duration >= 0 && duration < 1e12) wc_rep_out_printf(o, " (%.0f ms)", duration);
  const cJSON *exit_code = wc_rep_get(summary, "exit_code");
  if (cJSON_IsNumber(exit_code)) wc_rep_out_printf(o, " · exit code %.0f", exit_code->valuedouble);
  char *merged = wc_rep_merged_note(report);
  if (merged) {
    wc_rep_out_raw(o, " · ");
    wc_rep_out_text_cap(o, merged, 512, WC_REP_ESC_MD);
    free(merged);
  }
  wc_rep_out_raw(o, "\n\n");
}

/* The one table of every requirement, in the order wc_rep_sorted gives
 * (failures first). */
static void requirements_table(wc_rep_out *o, const cJSON **sorted, size_t n) {
  wc_rep_out_raw(o, "| Status | ID | Level | Requirement | First finding / reason |\n|---|---|---|---|---|\n");
  for (size_t i = 0; i < n; i++) {
    const cJSON *req = sorted[i];
    wc_rep_out_printf(o, "| %s |", status_cell(wc_rep_req_status(req)));
    cell(o, wc_rep_get_str(req, "id"));
    cell(o, wc_rep_req_field(req, "level"));
    cell(o, wc_rep_req_field(req, "title"));
    finding_cell(o, req);
    wc_rep_out_raw(o, "\n");
  }
  wc_rep_out_raw(o, "\n");
}

char *wc_rep_render_markdown_linked(const cJSON *report, int formats, wc_err *err) {
  if (wc_rep_check(report, err) != 0) return NULL;
  size_t n = 0;
  const cJSON **sorted = wc_rep_sorted(report, &n);
  if (n == SIZE_MAX) {
    wc_err_set(err, WC_E_NOMEM, "out of memory while rendering summary.md");
    return NULL;
  }
  tally t = count(report);
  const char *verdict = verdict_of(report, &t);
  const cJSON *run = wc_rep_get_obj(report, "run");
  const cJSON *summary = wc_rep_get_obj(report, "summary");
  wc_rep_out o;
  wc_rep_out_init(&o);

  verdict_heading(&o, verdict, &t);
  if (strcmp(verdict, "error") == 0) error_reason(&o, summary);
  weakened_callout(&o, run);
  if (wc_rep_strict(report) && t.warnings > 0)
    wc_rep_out_raw(&o, "> [!WARNING]\n> **--strict**: the SHOULD warnings below fail this run.\n\n");
  run_line(&o, report, run, summary);
  requirements_table(&o, sorted, n);
  generated(&o, report, sorted, n);
  links(&o, formats);
  free(sorted);
  return wc_rep_out_finish(&o, err);
}

char *wc_report_render_markdown(const cJSON *report, wc_err *err) {
  return wc_rep_render_markdown_linked(report, WC_REPORT_ALL, err);
}
