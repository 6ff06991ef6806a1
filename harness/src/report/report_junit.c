/* junit.xml: one <testsuite> per requirement family (catalogue order), one
 * <testcase> per requirement.
 *
 * How statuses map (documented in docs/reports.md):
 *   fail -> <failure type="MUST"|"SHOULD">, text = findings + curl commands
 *   skip -> <skipped message="reason"/>
 *   warn -> a passing testcase whose <system-out> starts with "WARNING", and
 *           a whopconf.warning property on its testsuite; with --strict
 *           (run.strict) it is a <failure type="SHOULD"> instead, because
 *           then it fails the run.
 *   verdict "error" (could not test) -> one extra testsuite "whopconf" with
 *           an <error>, so CI shows why nothing was tested.
 *   a status whopconf does not know (a foreign document) -> <error>, never a pass.
 * Evidence bodies are cut at WC_REPORT_BODY_CAP with the cut noted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "whopconf/catalog.h"

typedef struct counts {
  int tests, failures, errors, skipped;
} counts;

static void count_family(const cJSON *report, const char *family, counts *c) {
  const cJSON *req;
  cJSON_ArrayForEach(req, wc_rj_arr(report, "requirements")) {
    const char *f = wc_req_field(req, "family");
    if (!f || strcmp(f, family) != 0) continue;
    c->tests++;
    if (wc_req_failing(report, req)) c->failures++;
    else if (wc_req_status(req) == WC_RS_SKIP) c->skipped++;
    else if (wc_req_status(req) == WC_RS_OTHER) c->errors++;
  }
}

static void property(wc_rout *o, const char *name, const char *value) {
  if (!value) return;
  wc_ro_raw(o, "      <property name=\"");
  wc_ro_text(o, name, WC_ESC_ATTR);
  wc_ro_raw(o, "\" value=\"");
  wc_ro_text_cap(o, value, WC_REPORT_TEXT_CAP, WC_ESC_ATTR);
  wc_ro_raw(o, "\"/>\n");
}

static void run_properties(wc_rout *o, const cJSON *report, const char *family) {
  const cJSON *run = wc_rj_obj(report, "run");
  char number[64];
  wc_ro_raw(o, "    <properties>\n");
  if (family) property(o, "whopconf.family", wc_family_title(family));
  property(o, "whopconf.version", wc_rj_str(run, "whopconf_version"));
  property(o, "whopconf.target", wc_rj_str(wc_rj_obj(run, "target"), "base_url"));
  property(o, "whopconf.spec", wc_rj_str(wc_rj_obj(run, "spec"), "path"));
  property(o, "whopconf.spec.sha256", wc_rj_str(wc_rj_obj(run, "spec"), "sha256"));
  property(o, "whopconf.api_version", wc_rj_str(run, "api_version"));
  const cJSON *seed = wc_rj(run, "seed");
  if (cJSON_IsNumber(seed)) {
    snprintf(number, sizeof number, "%.0f", seed->valuedouble);
    property(o, "whopconf.seed", number);
  }
  property(o, "whopconf.strict", wc_report_strict(report) ? "true" : "false");
  const cJSON *flag;
  cJSON_ArrayForEach(flag, wc_rj_arr(run, "weakened")) {
    if (cJSON_IsString(flag)) property(o, "whopconf.weakened", flag->valuestring);
  }
  if (family) {
    const cJSON *req;
    cJSON_ArrayForEach(req, wc_rj_arr(report, "requirements")) {
      const char *f = wc_req_field(req, "family");
      if (!f || strcmp(f, family) != 0 || wc_req_status(req) != WC_RS_WARN) continue;
      wc_buf line;
      wc_buf_init(&line);
      if (wc_buf_printf(&line, "%s: %s", wc_rj_str(req, "id"), wc_rj_str(req, "reason") ? wc_rj_str(req, "reason") : "") == 0)
        property(o, "whopconf.warning", line.data);
      else
        o->rc = -1;
      wc_buf_free(&line);
    }
  }
  wc_ro_raw(o, "    </properties>\n");
}

static void line(wc_rout *o, const char *label, const char *value) {
  wc_ro_raw(o, label);
  if (value) wc_ro_text_cap(o, value, WC_REPORT_TEXT_CAP, WC_ESC_XML);
  else wc_ro_raw(o, "(none)");
  wc_ro_raw(o, "\n");
}

/* The failure (or warning) text: what, where in the spec, every finding,
 * and how to reproduce it. */
static void detail_text(wc_rout *o, const cJSON *req) {
  line(o, "Requirement: ", wc_req_field(req, "title"));
  line(o, "Reason:      ", wc_rj_str(req, "reason"));
  int spec_line = wc_req_spec_line(req, NULL);
  wc_ro_raw(o, "Spec:        ");
  if (spec_line > 0) wc_ro_printf(o, "%s line %d, ", WC_REPORT_SPEC_URI, spec_line);
  wc_ro_text(o, wc_req_field(req, "spec_pointer"), WC_ESC_XML);
  wc_ro_raw(o, "\n");
  line(o, "Source:      ", wc_req_field(req, "source"));
  const cJSON *findings = wc_rj_arr(req, "findings");
  int total = cJSON_GetArraySize(findings), index = 0;
  const cJSON *f;
  cJSON_ArrayForEach(f, findings) {
    if (++index > WC_REPORT_MAX_FINDINGS) {
      wc_ro_printf(o, "\n... and %d more findings (see report.json)\n", total - WC_REPORT_MAX_FINDINGS);
      break;
    }
    wc_ro_printf(o, "\nFinding %d of %d", index, total);
    const char *fcase = wc_rj_str(f, "case"), *x = wc_rj_str(f, "exchange");
    if (fcase || x) {
      wc_ro_raw(o, " (");
      if (fcase) {
        wc_ro_raw(o, "case ");
        wc_ro_text_cap(o, fcase, 256, WC_ESC_XML);
      }
      if (fcase && x) wc_ro_raw(o, ", ");
      if (x) {
        wc_ro_raw(o, "exchange ");
        wc_ro_text_cap(o, x, 256, WC_ESC_XML);
      }
      wc_ro_raw(o, ")");
    }
    wc_ro_raw(o, "\n");
    line(o, "  instance pointer: ", wc_rj_str(f, "instance_pointer"));
    line(o, "  spec pointer:     ", wc_rj_str(f, "spec_pointer"));
    line(o, "  keyword:          ", wc_rj_str(f, "keyword"));
    line(o, "  message:          ", wc_rj_str(f, "message"));
  }
}

/* Each distinct finding of the generated phases, with the reproduction of
 * its minimal request (the original when it was not shrunk). */
static void generated_text(wc_rout *o, const cJSON *report, const cJSON *req) {
  const cJSON *list[WC_REPORT_MAX_GENERATED];
  size_t total = wc_req_generated(report, wc_rj_str(req, "id"), list, WC_REPORT_MAX_GENERATED);
  size_t n = total < WC_REPORT_MAX_GENERATED ? total : WC_REPORT_MAX_GENERATED;
  if (!n) return;
  wc_ro_printf(o, "\nGenerated findings (%zu distinct; the token is read from $WHOPCONF_TOKEN):\n", total);
  for (size_t i = 0; i < n; i++) {
    wc_buf text;
    wc_buf_init(&text);
    if (wc_rep_generated_line(&text, list[i]) != 0) o->rc = -1;
    wc_ro_printf(o, "  %zu. ", i + 1);
    wc_ro_text_cap(o, text.data ? text.data : "", WC_REPORT_TEXT_CAP, WC_ESC_XML);
    wc_buf_free(&text);
    const char *xid = wc_rj_str(list[i], "minimal");
    if (!xid) xid = wc_rj_str(list[i], "original");
    const char *curl = xid ? wc_rj_str(wc_report_exchange(report, xid), "curl") : NULL;
    if (curl) {
      wc_ro_raw(o, "\n     ");
      wc_ro_text_cap(o, curl, WC_REPORT_BODY_CAP, WC_ESC_XML);
    }
    wc_ro_raw(o, "\n");
  }
  if (total > n) wc_ro_printf(o, "  ... and %zu more (see report.json)\n", total - n);
}

static void reproduce(wc_rout *o, const cJSON *report, const char **ids, size_t n) {
  bool any = false;
  for (size_t i = 0; i < n; i++) {
    const cJSON *x = wc_report_exchange(report, ids[i]);
    const char *curl = wc_rj_str(x, "curl");
    if (!curl) continue;
    if (!any) wc_ro_raw(o, "\nReproduce (the token is read from $WHOPCONF_TOKEN):\n");
    any = true;
    wc_ro_raw(o, "  # ");
    wc_ro_text_cap(o, ids[i], 256, WC_ESC_XML);
    const char *xcase = wc_rj_str(x, "case");
    if (xcase) {
      wc_ro_raw(o, " (");
      wc_ro_text_cap(o, xcase, 256, WC_ESC_XML);
      wc_ro_raw(o, ")");
    }
    wc_ro_raw(o, "\n  ");
    wc_ro_text_cap(o, curl, WC_REPORT_BODY_CAP, WC_ESC_XML);
    wc_ro_raw(o, "\n");
  }
}

/* prefix and label are markup (already escaped). */
static void headers(wc_rout *o, const cJSON *list, const char *prefix) {
  const cJSON *h;
  cJSON_ArrayForEach(h, list) {
    const char *name = wc_rj_str(h, "name");
    wc_ro_raw(o, prefix);
    wc_ro_text_n(o, name ? name : "", name ? strlen(name) : 0, 1024, WC_ESC_XML);
    wc_ro_raw(o, ": ");
    const char *value = wc_rep_header_value(name, wc_rj_str(h, "value"));
    if (value) wc_ro_text_cap(o, value, WC_REPORT_TEXT_CAP, WC_ESC_XML);
    wc_ro_raw(o, "\n");
  }
}

static void body(wc_rout *o, const char *text, const char *prefix, double total, bool cut_upstream) {
  if (!text) return;
  size_t len = strlen(text);
  wc_ro_raw(o, prefix);
  wc_ro_raw(o, "\n");
  size_t shown = wc_ro_text_n(o, text, len, WC_REPORT_BODY_CAP, WC_ESC_XML);
  wc_ro_raw(o, "\n");
  if (shown < len)
    wc_ro_printf(o, "[body cut by the JUnit report: first %zu of %zu bytes shown; full body in report.json]\n",
                 shown, len);
  else if (cut_upstream)
    wc_ro_printf(o, "[body cut by the run at %zu of %.0f bytes]\n", len, total);
}

static void evidence(wc_rout *o, const cJSON *report, const char **ids, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const cJSON *x = wc_report_exchange(report, ids[i]);
    if (!x) continue;
    const cJSON *req = wc_rj_obj(x, "request"), *resp = wc_rj_obj(x, "response");
    char ms[32];
    wc_rep_ms(ms, wc_rj_num(x, "time_ms", -1));
    wc_ro_raw(o, "\n=== exchange ");
    wc_ro_text_cap(o, ids[i], 256, WC_ESC_XML);
    const char *xcase = wc_rj_str(x, "case");
    if (xcase) {
      wc_ro_raw(o, " (case ");
      wc_ro_text_cap(o, xcase, 256, WC_ESC_XML);
      wc_ro_raw(o, ")");
    }
    wc_ro_raw(o, ": ");
    wc_ro_text_cap(o, wc_rj_str(req, "method"), 64, WC_ESC_XML);
    wc_ro_raw(o, " ");
    const char *url = wc_rj_str(req, "url");
    if (url) wc_ro_text_cap(o, url, WC_REPORT_TEXT_CAP, WC_ESC_XML);
    if (resp) wc_ro_printf(o, " -> %.0f in %s\n", wc_rj_num(resp, "status", 0), ms);
    else wc_ro_printf(o, " -> no response after %s\n", ms);
    headers(o, wc_rj_arr(req, "headers"), "&gt; ");
    body(o, wc_rj_str(req, "body"), "&gt; body:", -1, wc_rj_true(req, "body_truncated"));
    const cJSON *error = wc_rj_obj(x, "error");
    if (error) {
      wc_ro_raw(o, "! transfer failed (");
      wc_ro_text_cap(o, wc_rj_str(error, "kind"), 64, WC_ESC_XML);
      wc_ro_raw(o, "): ");
      line(o, "", wc_rj_str(error, "message"));
    }
    if (resp) {
      wc_ro_printf(o, "&lt; %.0f\n", wc_rj_num(resp, "status", 0));
      headers(o, wc_rj_arr(resp, "headers"), "&lt; ");
      body(o, wc_rj_str(resp, "body"), "&lt; body:", wc_rj_num(resp, "body_bytes", -1),
           wc_rj_true(resp, "body_truncated"));
    }
  }
}

static void testcase(wc_rout *o, const cJSON *report, const cJSON *req, const char *family) {
  const char *id = wc_rj_str(req, "id");
  const char *title = wc_req_field(req, "title");
  const char *level = wc_req_field(req, "level");
  const char *reason = wc_rj_str(req, "reason");
  wc_rstatus status = wc_req_status(req);
  wc_ro_raw(o, "    <testcase classname=\"");
  wc_ro_text(o, family, WC_ESC_ATTR);
  wc_ro_raw(o, "\" name=\"");
  wc_ro_text_cap(o, id, 256, WC_ESC_ATTR);
  wc_ro_raw(o, ": ");
  if (title) wc_ro_text_cap(o, title, WC_REPORT_TEXT_CAP, WC_ESC_ATTR);
  wc_ro_raw(o, "\"");
  double checks = wc_rj_num(req, "checks", -1);
  if (checks >= 0 && checks < 1e15) wc_ro_printf(o, " assertions=\"%.0f\"", checks);
  wc_ro_raw(o, " time=\"0\"");

  const char *ids[WC_REPORT_MAX_EVIDENCE];
  size_t n = wc_req_evidence(req, ids, WC_REPORT_MAX_EVIDENCE);
  bool failing = wc_req_failing(report, req);
  if (failing) {
    wc_ro_raw(o, ">\n      <failure message=\"");
    if (reason) wc_ro_text_cap(o, reason, WC_REPORT_TEXT_CAP, WC_ESC_ATTR);
    wc_ro_printf(o, "\" type=\"%s\">", level && strcmp(level, "SHOULD") == 0 ? "SHOULD" : "MUST");
    if (status == WC_RS_WARN)
      wc_ro_raw(o, "SHOULD warning counted as a failure because the run used --strict.\n");
    detail_text(o, req);
    generated_text(o, report, req);
    reproduce(o, report, ids, n);
    wc_ro_raw(o, "</failure>\n");
    if (n) {
      wc_ro_raw(o, "      <system-out>Evidence (redacted; bodies cut at 64 KiB):\n");
      evidence(o, report, ids, n);
      wc_ro_raw(o, "</system-out>\n");
    }
    wc_ro_raw(o, "    </testcase>\n");
  } else if (status == WC_RS_SKIP) {
    wc_ro_raw(o, ">\n      <skipped message=\"");
    if (reason) wc_ro_text_cap(o, reason, WC_REPORT_TEXT_CAP, WC_ESC_ATTR);
    wc_ro_raw(o, "\"/>\n    </testcase>\n");
  } else if (status == WC_RS_WARN) {
    wc_ro_raw(o, ">\n      <system-out>WARNING ");
    wc_ro_text_cap(o, id, 256, WC_ESC_XML);
    wc_ro_raw(o, " (SHOULD; fails the run only with --strict): ");
    if (reason) wc_ro_text_cap(o, reason, WC_REPORT_TEXT_CAP, WC_ESC_XML);
    wc_ro_raw(o, "\n\n");
    detail_text(o, req);
    generated_text(o, report, req);
    reproduce(o, report, ids, n);
    evidence(o, report, ids, n);
    wc_ro_raw(o, "</system-out>\n    </testcase>\n");
  } else if (status == WC_RS_OTHER) { /* a document from elsewhere: say so, never pass it */
    wc_ro_raw(o, ">\n      <error type=\"unknown-status\" message=\"status '");
    wc_ro_text_cap(o, wc_rj_str(req, "status") ? wc_rj_str(req, "status") : "(none)", 64, WC_ESC_ATTR);
    wc_ro_raw(o, "' is not pass, fail, warn or skip\"/>\n    </testcase>\n");
  } else {
    wc_ro_raw(o, "/>\n");
  }
}

char *wc_report_render_junit(const cJSON *report, wc_err *err) {
  if (wc_report_check(report, err) != 0) return NULL;
  size_t nfam = 0;
  const char **families = wc_report_families(report, &nfam);
  if (!families) {
    wc_err_set(err, WC_E_NOMEM, "out of memory while rendering junit.xml");
    return NULL;
  }
  const cJSON *run = wc_rj_obj(report, "run");
  const cJSON *summary = wc_rj_obj(report, "summary");
  const char *verdict = wc_rj_str(summary, "verdict");
  bool error = verdict && strcmp(verdict, "error") == 0;
  counts all = {0, 0, 0, 0};
  for (size_t i = 0; i < nfam; i++) count_family(report, families[i], &all);

  wc_rout o;
  wc_ro_init(&o);
  wc_ro_raw(&o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  wc_ro_raw(&o, "<!-- whopconf compliance report for PATCH /users/me, rendered from report.json. -->\n");
  wc_ro_printf(&o, "<testsuites name=\"whopconf\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\"",
               all.tests + (error ? 1 : 0), all.failures, all.errors + (error ? 1 : 0), all.skipped);
  double duration = wc_rj_num(run, "duration_ms", -1);
  if (duration >= 0 && duration < 1e15) wc_ro_printf(&o, " time=\"%.3f\"", duration / 1000.0);
  wc_ro_raw(&o, ">\n");
  const char *started = wc_rj_str(run, "started_at");
  for (size_t i = 0; i < nfam; i++) {
    counts c = {0, 0, 0, 0};
    count_family(report, families[i], &c);
    if (c.tests == 0) continue;
    wc_ro_raw(&o, "  <testsuite name=\"");
    wc_ro_text(&o, families[i], WC_ESC_ATTR);
    wc_ro_printf(&o, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\"", c.tests, c.failures,
                 c.errors, c.skipped);
    if (started) {
      wc_ro_raw(&o, " timestamp=\"");
      wc_ro_text_n(&o, started, strlen(started), 64, WC_ESC_ATTR);
      wc_ro_raw(&o, "\"");
    }
    wc_ro_raw(&o, ">\n");
    run_properties(&o, report, families[i]);
    const cJSON *req;
    cJSON_ArrayForEach(req, wc_rj_arr(report, "requirements")) {
      const char *f = wc_req_field(req, "family");
      if (f && strcmp(f, families[i]) == 0) testcase(&o, report, req, families[i]);
    }
    wc_ro_raw(&o, "  </testsuite>\n");
  }
  if (error) {
    const char *reason = wc_rj_str(summary, "reason");
    wc_ro_raw(&o, "  <testsuite name=\"whopconf\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n");
    run_properties(&o, report, NULL);
    wc_ro_raw(&o, "    <testcase classname=\"whopconf\" name=\"run: the target could be tested\">\n"
                  "      <error type=\"could-not-test\" message=\"");
    wc_ro_text_cap(&o, reason ? reason : "could not test", WC_REPORT_TEXT_CAP, WC_ESC_ATTR);
    wc_ro_raw(&o, "\">");
    wc_ro_text_cap(&o, reason ? reason : "could not test", WC_REPORT_TEXT_CAP, WC_ESC_XML);
    wc_ro_raw(&o, "</error>\n    </testcase>\n  </testsuite>\n");
  }
  wc_ro_raw(&o, "</testsuites>\n");
  free(families);
  return wc_ro_finish(&o, err);
}
