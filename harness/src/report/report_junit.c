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
 * Evidence bodies are cut at WC_REP_BODY_CAP with the cut noted. */
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
  cJSON_ArrayForEach(req, wc_rep_get_arr(report, "requirements")) {
    const char *f = wc_rep_req_field(req, "family");
    if (!f || strcmp(f, family) != 0) continue;
    c->tests++;
    if (wc_rep_req_failing(report, req)) c->failures++;
    else if (wc_rep_req_status(req) == WC_REP_SKIP) c->skipped++;
    else if (wc_rep_req_status(req) == WC_REP_OTHER) c->errors++;
  }
}

static void property(wc_rep_out *o, const char *name, const char *value) {
  if (!value) return;
  wc_rep_out_raw(o, "      <property name=\"");
  wc_rep_out_text(o, name, WC_REP_ESC_ATTR);
  wc_rep_out_raw(o, "\" value=\"");
  wc_rep_out_text_cap(o, value, WC_REP_TEXT_CAP, WC_REP_ESC_ATTR);
  wc_rep_out_raw(o, "\"/>\n");
}

static void run_properties(wc_rep_out *o, const cJSON *report, const char *family) {
  const cJSON *run = wc_rep_get_obj(report, "run");
  char number[64];
  wc_rep_out_raw(o, "    <properties>\n");
  if (family) property(o, "whopconf.family", wc_family_title(family));
  property(o, "whopconf.version", wc_rep_get_str(run, "whopconf_version"));
  property(o, "whopconf.target", wc_rep_get_str(wc_rep_get_obj(run, "target"), "base_url"));
  property(o, "whopconf.spec", wc_rep_get_str(wc_rep_get_obj(run, "spec"), "path"));
  property(o, "whopconf.spec.sha256", wc_rep_get_str(wc_rep_get_obj(run, "spec"), "sha256"));
  property(o, "whopconf.api_version", wc_rep_get_str(run, "api_version"));
  const cJSON *seed = wc_rep_get(run, "seed");
  if (cJSON_IsNumber(seed)) {
    snprintf(number, sizeof number, "%.0f", seed->valuedouble);
    property(o, "whopconf.seed", number);
  }
  property(o, "whopconf.strict", wc_rep_strict(report) ? "true" : "false");
  const cJSON *flag;
  cJSON_ArrayForEach(flag, wc_rep_get_arr(run, "weakened")) {
    if (cJSON_IsString(flag)) property(o, "whopconf.weakened", flag->valuestring);
  }
  if (family) {
    const cJSON *req;
    cJSON_ArrayForEach(req, wc_rep_get_arr(report, "requirements")) {
      const char *f = wc_rep_req_field(req, "family");
      if (!f || strcmp(f, family) != 0 || wc_rep_req_status(req) != WC_REP_WARN) continue;
      wc_buf line;
      wc_buf_init(&line);
      if (wc_buf_printf(&line, "%s: %s", wc_rep_get_str(req, "id"), wc_rep_get_str(req, "reason") ? wc_rep_get_str(req, "reason") : "") == 0)
        property(o, "whopconf.warning", line.data);
      else
        o->rc = -1;
      wc_buf_free(&line);
    }
  }
  wc_rep_out_raw(o, "    </properties>\n");
}

static void line(wc_rep_out *o, const char *label, const char *value) {
  wc_rep_out_raw(o, label);
  if (value) wc_rep_out_text_cap(o, value, WC_REP_TEXT_CAP, WC_REP_ESC_XML);
  else wc_rep_out_raw(o, "(none)");
  wc_rep_out_raw(o, "\n");
}

/* The failure (or warning) text: what, where in the spec, every finding,
 * and how to reproduce it. */
static void detail_text(wc_rep_out *o, const cJSON *req) {
  line(o, "Requirement: ", wc_rep_req_field(req, "title"));
  line(o, "Reason:      ", wc_rep_get_str(req, "reason"));
  int spec_line = wc_rep_req_spec_line(req, NULL);
  wc_rep_out_raw(o, "Spec:        ");
  if (spec_line > 0) wc_rep_out_printf(o, "%s line %d, ", WC_REP_SPEC_URI, spec_line);
  wc_rep_out_text(o, wc_rep_req_field(req, "spec_pointer"), WC_REP_ESC_XML);
  wc_rep_out_raw(o, "\n");
  line(o, "Source:      ", wc_rep_req_field(req, "source"));
  const cJSON *findings = wc_rep_get_arr(req, "findings");
  int total = cJSON_GetArraySize(findings), index = 0;
  const cJSON *f;
  cJSON_ArrayForEach(f, findings) {
    if (++index > WC_REP_MAX_FINDINGS) {
      wc_rep_out_printf(o, "\n... and %d more findings (see report.json)\n", total - WC_REP_MAX_FINDINGS);
      break;
    }
    wc_rep_out_printf(o, "\nFinding %d of %d", index, total);
    const char *fcase = wc_rep_get_str(f, "case"), *x = wc_rep_get_str(f, "exchange");
    if (fcase || x) {
      wc_rep_out_raw(o, " (");
      if (fcase) {
        wc_rep_out_raw(o, "case ");
        wc_rep_out_text_cap(o, fcase, 256, WC_REP_ESC_XML);
      }
      if (fcase && x) wc_rep_out_raw(o, ", ");
      if (x) {
        wc_rep_out_raw(o, "exchange ");
        wc_rep_out_text_cap(o, x, 256, WC_REP_ESC_XML);
      }
      wc_rep_out_raw(o, ")");
    }
    wc_rep_out_raw(o, "\n");
    line(o, "  instance pointer: ", wc_rep_get_str(f, "instance_pointer"));
    line(o, "  spec pointer:     ", wc_rep_get_str(f, "spec_pointer"));
    line(o, "  keyword:          ", wc_rep_get_str(f, "keyword"));
    line(o, "  message:          ", wc_rep_get_str(f, "message"));
  }
}

/* Each distinct finding of the generated phases, with the reproduction of
 * its minimal request (the original when it was not shrunk). */
static void generated_text(wc_rep_out *o, const cJSON *report, const cJSON *req) {
  const cJSON *list[WC_REP_MAX_GENERATED];
  size_t total = wc_rep_req_generated(report, wc_rep_get_str(req, "id"), list, WC_REP_MAX_GENERATED);
  size_t n = total < WC_REP_MAX_GENERATED ? total : WC_REP_MAX_GENERATED;
  if (!n) return;
  wc_rep_out_printf(o, "\nGenerated findings (%zu distinct; the token is read from $WHOPCONF_TOKEN):\n", total);
  for (size_t i = 0; i < n; i++) {
    wc_buf text;
    wc_buf_init(&text);
    if (wc_rep_generated_line(&text, list[i]) != 0) o->rc = -1;
    wc_rep_out_printf(o, "  %zu. ", i + 1);
    wc_rep_out_text_cap(o, text.data ? text.data : "", WC_REP_TEXT_CAP, WC_REP_ESC_XML);
    wc_buf_free(&text);
    const char *xid = wc_rep_get_str(list[i], "minimal");
    if (!xid) xid = wc_rep_get_str(list[i], "original");
    const char *curl = xid ? wc_rep_get_str(wc_rep_exchange(report, xid), "curl") : NULL;
    if (curl) {
      wc_rep_out_raw(o, "\n     ");
      wc_rep_out_text_cap(o, curl, WC_REP_BODY_CAP, WC_REP_ESC_XML);
    }
    wc_rep_out_raw(o, "\n");
  }
  if (total > n) wc_rep_out_printf(o, "  ... and %zu more (see report.json)\n", total - n);
}

static void reproduce(wc_rep_out *o, const cJSON *report, const char **ids, size_t n) {
  bool any = false;
  for (size_t i = 0; i < n; i++) {
    const cJSON *x = wc_rep_exchange(report, ids[i]);
    const char *curl = wc_rep_get_str(x, "curl");
    if (!curl) continue;
    if (!any) wc_rep_out_raw(o, "\nReproduce (the token is read from $WHOPCONF_TOKEN):\n");
    any = true;
    wc_rep_out_raw(o, "  # ");
    wc_rep_out_text_cap(o, ids[i], 256, WC_REP_ESC_XML);
    const char *xcase = wc_rep_get_str(x, "case");
    if (xcase) {
      wc_rep_out_raw(o, " (");
      wc_rep_out_text_cap(o, xcase, 256, WC_REP_ESC_XML);
      wc_rep_out_raw(o, ")");
    }
    wc_rep_out_raw(o, "\n  ");
    wc_rep_out_text_cap(o, curl, WC_REP_BODY_CAP, WC_REP_ESC_XML);
    wc_rep_out_raw(o, "\n");
  }
}

/* prefix and label are markup (already escaped). */
static void headers(wc_rep_out *o, const cJSON *list, const char *prefix) {
  const cJSON *h;
  cJSON_ArrayForEach(h, list) {
    const char *name = wc_rep_get_str(h, "name");
    wc_rep_out_raw(o, prefix);
    wc_rep_out_text_n(o, name ? name : "", name ? strlen(name) : 0, 1024, WC_REP_ESC_XML);
    wc_rep_out_raw(o, ": ");
    const char *value = wc_rep_header_value(name, wc_rep_get_str(h, "value"));
    if (value) wc_rep_out_text_cap(o, value, WC_REP_TEXT_CAP, WC_REP_ESC_XML);
    wc_rep_out_raw(o, "\n");
  }
}

static void body(wc_rep_out *o, const char *text, const char *prefix, double total, bool cut_upstream) {
  if (!text) return;
  size_t len = strlen(text);
  wc_rep_out_raw(o, prefix);
  wc_rep_out_raw(o, "\n");
  size_t shown = wc_rep_out_text_n(o, text, len, WC_REP_BODY_CAP, WC_REP_ESC_XML);
  wc_rep_out_raw(o, "\n");
  if (shown < len)
    wc_rep_out_printf(o, "[body cut by the JUnit report: first %zu of %zu bytes shown; full body in report.json]\n",
                 shown, len);
  else if (cut_upstream)
    wc_rep_out_printf(o, "[body cut by the run at %zu of %.0f bytes]\n", len, total);
}

static void evidence(wc_rep_out *o, const cJSON *report, const char **ids, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const cJSON *x = wc_rep_exchange(report, ids[i]);
    if (!x) continue;
    const cJSON *req = wc_rep_get_obj(x, "request"), *resp = wc_rep_get_obj(x, "response");
    char ms[32];
    wc_rep_ms(ms, wc_rep_get_num(x, "time_ms", -1));
    wc_rep_out_raw(o, "\n=== exchange ");
    wc_rep_out_text_cap(o, ids[i], 256, WC_REP_ESC_XML);
    const char *xcase = wc_rep_get_str(x, "case");
    if (xcase) {
      wc_rep_out_raw(o, " (case ");
      wc_rep_out_text_cap(o, xcase, 256, WC_REP_ESC_XML);
      wc_rep_out_raw(o, ")");
    }
    wc_rep_out_raw(o, ": ");
    wc_rep_out_text_cap(o, wc_rep_get_str(req, "method"), 64, WC_REP_ESC_XML);
    wc_rep_out_raw(o, " ");
    const char *url = wc_rep_get_str(req, "url");
    if (url) wc_rep_out_text_cap(o, url, WC_REP_TEXT_CAP, WC_REP_ESC_XML);
    if (resp) wc_rep_out_printf(o, " -> %.0f in %s\n", wc_rep_get_num(resp, "status", 0), ms);
    else wc_rep_out_printf(o, " -> no response after %s\n", ms);
    headers(o, wc_rep_get_arr(req, "headers"), "&gt; ");
    body(o, wc_rep_get_str(req, "body"), "&gt; body:", -1, wc_rep_get_true(req, "body_truncated"));
    const cJSON *error = wc_rep_get_obj(x, "error");
    if (error) {
      wc_rep_out_raw(o, "! transfer failed (");
      wc_rep_out_text_cap(o, wc_rep_get_str(error, "kind"), 64, WC_REP_ESC_XML);
      wc_rep_out_raw(o, "): ");
      line(o, "", wc_rep_get_str(error, "message"));
    }
    if (resp) {
      wc_rep_out_printf(o, "&lt; %.0f\n", wc_rep_get_num(resp, "status", 0));
      headers(o, wc_rep_get_arr(resp, "headers"), "&lt; ");
      body(o, wc_rep_get_str(resp, "body"), "&lt; body:", wc_rep_get_num(resp, "body_bytes", -1),
           wc_rep_get_true(resp, "body_truncated"));
    }
  }
}

static void testcase(wc_rep_out *o, const cJSON *report, const cJSON *req, const char *family) {
  const char *id = wc_rep_get_str(req, "id");
  const char *title = wc_rep_req_field(req, "title");
  const char *level = wc_rep_req_field(req, "level");
  const char *reason = wc_rep_get_str(req, "reason");
  wc_rep_status status = wc_rep_req_status(req);
  wc_rep_out_raw(o, "    <testcase classname=\"");
  wc_rep_out_text(o, family, WC_REP_ESC_ATTR);
  wc_rep_out_raw(o, "\" name=\"");
  wc_rep_out_text_cap(o, id, 256, WC_REP_ESC_ATTR);
  wc_rep_out_raw(o, ": ");
  if (title) wc_rep_out_text_cap(o, title, WC_REP_TEXT_CAP, WC_REP_ESC_ATTR);
  wc_rep_out_raw(o, "\"");
  double checks = wc_rep_get_num(req, "checks", -1);
  if (checks >= 0 && checks < 1e15) wc_rep_out_printf(o, " assertions=\"%.0f\"", checks);
  wc_rep_out_raw(o, " time=\"0\"");

  const char *ids[WC_REP_MAX_EVIDENCE];
  size_t n = wc_rep_req_evidence(req, ids, WC_REP_MAX_EVIDENCE);
  bool failing = wc_rep_req_failing(report, req);
  if (failing) {
    wc_rep_out_raw(o, ">\n      <failure message=\"");
    if (reason) wc_rep_out_text_cap(o, reason, WC_REP_TEXT_CAP, WC_REP_ESC_ATTR);
    wc_rep_out_printf(o, "\" type=\"%s\">", level && strcmp(level, "SHOULD") == 0 ? "SHOULD" : "MUST");
    if (status == WC_REP_WARN)
      wc_rep_out_raw(o, "SHOULD warning counted as a failure because the run used --strict.\n");
    detail_text(o, req);
    generated_text(o, report, req);
    reproduce(o, report, ids, n);
    wc_rep_out_raw(o, "</failure>\n");
    if (n) {
      wc_rep_out_raw(o, "      <system-out>Evidence (redacted; bodies cut at 64 KiB):\n");
      evidence(o, report, ids, n);
      wc_rep_out_raw(o, "</system-out>\n");
    }
    wc_rep_out_raw(o, "    </testcase>\n");
  } else if (status == WC_REP_SKIP) {
    wc_rep_out_raw(o, ">\n      <skipped message=\"");
    if (reason) wc_rep_out_text_cap(o, reason, WC_REP_TEXT_CAP, WC_REP_ESC_ATTR);
    wc_rep_out_raw(o, "\"/>\n    </testcase>\n");
  } else if (status == WC_REP_WARN) {
    wc_rep_out_raw(o, ">\n      <system-out>WARNING ");
    wc_rep_out_text_cap(o, id, 256, WC_REP_ESC_XML);
    wc_rep_out_raw(o, " (SHOULD; fails the run only with --strict): ");
    if (reason) wc_rep_out_text_cap(o, reason, WC_REP_TEXT_CAP, WC_REP_ESC_XML);
    wc_rep_out_raw(o, "\n\n");
    detail_text(o, req);
    generated_text(o, report, req);
    reproduce(o, report, ids, n);
    evidence(o, report, ids, n);
    wc_rep_out_raw(o, "</system-out>\n    </testcase>\n");
  } else if (status == WC_REP_OTHER) { /* a document from elsewhere: say so, never pass it */
    wc_rep_out_raw(o, ">\n      <error type=\"unknown-status\" message=\"status '");
    wc_rep_out_text_cap(o, wc_rep_get_str(req, "status") ? wc_rep_get_str(req, "status") : "(none)", 64, WC_REP_ESC_ATTR);
    wc_rep_out_raw(o, "' is not pass, fail, warn or skip\"/>\n    </testcase>\n");
  } else {
    wc_rep_out_raw(o, "/>\n");
  }
}

char *wc_report_render_junit(const cJSON *report, wc_err *err) {
  if (wc_rep_check(report, err) != 0) return NULL;
  size_t nfam = 0;
  const char **families = wc_rep_families(report, &nfam);
  if (!families) {
    wc_err_set(err, WC_E_NOMEM, "out of memory while rendering junit.xml");
    return NULL;
  }
  const cJSON *run = wc_rep_get_obj(report, "run");
  const cJSON *summary = wc_rep_get_obj(report, "summary");
  const char *verdict = wc_rep_get_str(summary, "verdict");
  bool error = verdict && strcmp(verdict, "error") == 0;
  counts all = {0, 0, 0, 0};
  for (size_t i = 0; i < nfam; i++) count_family(report, families[i], &all);

  wc_rep_out o;
  wc_rep_out_init(&o);
  wc_rep_out_raw(&o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  wc_rep_out_raw(&o, "<!-- whopconf compliance report for PATCH /users/me, rendered from report.json. -->\n");
  wc_rep_out_printf(&o, "<testsuites name=\"whopconf\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\"",
               all.tests + (error ? 1 : 0), all.failures, all.errors + (error ? 1 : 0), all.skipped);
  double duration = wc_rep_get_num(run, "duration_ms", -1);
  if (duration >= 0 && duration < 1e15) wc_rep_out_printf(&o, " time=\"%.3f\"", duration / 1000.0);
  wc_rep_out_raw(&o, ">\n");
  const char *started = wc_rep_get_str(run, "started_at");
  for (size_t i = 0; i < nfam; i++) {
    counts c = {0, 0, 0, 0};
    count_family(report, families[i], &c);
    if (c.tests == 0) continue;
    wc_rep_out_raw(&o, "  <testsuite name=\"");
    wc_rep_out_text(&o, families[i], WC_REP_ESC_ATTR);
    wc_rep_out_printf(&o, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\"", c.tests, c.failures,
                 c.errors, c.skipped);
    if (started) {
      wc_rep_out_raw(&o, " timestamp=\"");
      wc_rep_out_text_n(&o, started, strlen(started), 64, WC_REP_ESC_ATTR);
      wc_rep_out_raw(&o, "\"");
    }
    wc_rep_out_raw(&o, ">\n");
    run_properties(&o, report, families[i]);
    const cJSON *req;
    cJSON_ArrayForEach(req, wc_rep_get_arr(report, "requirements")) {
      const char *f = wc_rep_req_field(req, "family");
      if (f && strcmp(f, families[i]) == 0) testcase(&o, report, req, families[i]);
    }
    wc_rep_out_raw(&o, "  </testsuite>\n");
  }
  if (error) {
    const char *reason = wc_rep_get_str(summary, "reason");
    wc_rep_out_raw(&o, "  <testsuite name=\"whopconf\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n");
    run_properties(&o, report, NULL);
    wc_rep_out_raw(&o, "    <testcase classname=\"whopconf\" name=\"run: the target could be tested\">\n"
                  "      <error type=\"could-not-test\" message=\"");
    wc_rep_out_text_cap(&o, reason ? reason : "could not test", WC_REP_TEXT_CAP, WC_REP_ESC_ATTR);
    wc_rep_out_raw(&o, "\">");
    wc_rep_out_text_cap(&o, reason ? reason : "could not test", WC_REP_TEXT_CAP, WC_REP_ESC_XML);
    wc_rep_out_raw(&o, "</error>\n    </testcase>\n  </testsuite>\n");
  }
  wc_rep_out_raw(&o, "</testsuites>\n");
  free(families);
  return wc_rep_out_finish(&o, err);
}
