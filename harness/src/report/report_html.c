/* report.html: one self-contained page (inline CSS and JS, no network).
 *
 * The whole table is rendered here, server-side, so the page reads the same
 * with JavaScript disabled; the script only filters rows and honours
 * #expand=ID. The page is also well-formed XML (self-closed void elements,
 * the script in a CDATA section) so tests can parse it strictly, and its
 * Content-Security-Policy allows only the inline style and script by hash:
 * even markup that slipped through escaping could neither run nor load
 * anything. Stable hooks for tests: main#report[data-count-*],
 * tr.req[data-status][data-family], details#d-<ID>, #shown[data-shown]. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"
#include "whopconf/catalog.h"

extern const unsigned char wc_report_html_template[];
extern const size_t wc_report_html_template_len;
extern const unsigned char wc_report_css_template[];
extern const size_t wc_report_css_template_len;
extern const unsigned char wc_report_js_template[];
extern const size_t wc_report_js_template_len;

#define EXCERPT_BEFORE 3
#define EXCERPT_AFTER 8
#define SCRIPT_OPEN "//<![CDATA[\n"
#define SCRIPT_CLOSE "\n//]]>"

typedef struct page {
  wc_rep_out *o;
  const cJSON *report;
  const wc_spec *spec;
  int formats;
  const char *src; /* spec source, for excerpts */
  size_t src_len;
  size_t *starts; /* byte offset of each line */
  size_t nlines;
} page;

typedef struct tally {
  int passed, failed, warnings, skipped, total;
} tally;

static void text(page *p, const char *s) { wc_rep_out_text_cap(p->o, s, WC_REP_TEXT_CAP, WC_REP_ESC_XML); }
static void attr(page *p, const char *s) { wc_rep_out_text_cap(p->o, s, 512, WC_REP_ESC_ATTR); }
static void raw(page *p, const char *s) { wc_rep_out_raw(p->o, s); }

static tally count(const cJSON *report) {
  tally t = {0, 0, 0, 0, 0};
  const cJSON *req;
  cJSON_ArrayForEach(req, wc_rep_get_arr(report, "requirements")) {
    t.total++;
    wc_rep_status s = wc_rep_req_status(req);
    if (s == WC_REP_PASS) t.passed++;
    else if (s == WC_REP_FAIL) t.failed++;
    else if (s == WC_REP_WARN) t.warnings++;
    else if (s == WC_REP_SKIP) t.skipped++;
  }
  return t;
}

static const char *verdict_of(const cJSON *report, const tally *t) {
  const char *v = wc_rep_get_str(wc_rep_get_obj(report, "summary"), "verdict");
  if (v && (strcmp(v, "pass") == 0 || strcmp(v, "fail") == 0 || strcmp(v, "error") == 0)) return v;
  return t->failed > 0 || (wc_rep_strict(report) && t->warnings > 0) ? "fail" : "pass";
}

/* ---- spec excerpts ---- */

static void index_lines(page *p) {
  p->src = p->spec ? wc_spec_source(p->spec, &p->src_len) : NULL;
  if (!p->src) return;
  size_t n = 1;
  for (size_t i = 0; i < p->src_len; i++)
    if (p->src[i] == '\n') n++;
  p->starts = malloc(n * sizeof *p->starts);
  if (!p->starts) {
    p->src = NULL;
    return;
  }
  p->starts[0] = 0;
  p->nlines = 1;
  for (size_t i = 0; i < p->src_len; i++)
    if (p->src[i] == '\n' && i + 1 < p->src_len) p->starts[p->nlines++] = i + 1;
}

static void excerpt(page *p, const cJSON *req) {
  int line = wc_rep_req_spec_line(req, p->spec);
  if (line <= 0) return;
  if (!p->src || (size_t)line > p->nlines) {
    wc_rep_out_printf(p->o, "<h4>Spec</h4><p class=\"note\">%s line %d (the spec source was not available when "
                       "this page was rendered)</p>", WC_REP_SPEC_URI, line);
    return;
  }
  size_t first = line > EXCERPT_BEFORE ? (size_t)line - EXCERPT_BEFORE : 1;
  size_t last = (size_t)line + EXCERPT_AFTER;
  if (last > p->nlines) last = p->nlines;
  wc_rep_out_printf(p->o, "<h4>Spec excerpt: %s lines %zu to %zu</h4><pre class=\"excerpt\">", WC_REP_SPEC_URI,
               first, last);
  for (size_t l = first; l <= last; l++) {
    size_t start = p->starts[l - 1];
    size_t end = l < p->nlines ? p->starts[l] - 1 : p->src_len;
    if (end > start && p->src[end - 1] == '\r') end--;
    wc_rep_out_printf(p->o, "<span class=\"l%s\"><span class=\"ln\">%zu</span>", l == (size_t)line ? " hit" : "", l);
    wc_rep_out_text_n(p->o, p->src + start, end - start, 400, WC_REP_ESC_XML);
    raw(p, "</span>");
  }
  raw(p, "</pre>");
}

/* ---- evidence ---- */

static void headers(page *p, const cJSON *list) {
  const cJSON *h;
  cJSON_ArrayForEach(h, list) {
    const char *name = wc_rep_get_str(h, "name");
    raw(p, "\n");
    wc_rep_out_text_cap(p->o, name ? name : "", 1024, WC_REP_ESC_XML);
    raw(p, ": ");
    text(p, wc_rep_header_value(name, wc_rep_get_str(h, "value")));
  }
}

static void body(page *p, const cJSON *msg, bool response) {
  const char *b = wc_rep_get_str(msg, "body");
  if (!b) {
    raw(p, "<p class=\"note\">no body</p>");
    return;
  }
  size_t len = strlen(b);
  raw(p, "<pre class=\"body\">");
  size_t shown = wc_rep_out_text_n(p->o, b, len, WC_REP_BODY_CAP, WC_REP_ESC_XML);
  raw(p, "</pre>");
  if (shown < len)
    wc_rep_out_printf(p->o, "<p class=\"note\">Body cut by this page: first %zu of %zu bytes shown; the full body "
                       "is in report.json.</p>", shown, len);
  if (wc_rep_get_true(msg, "body_truncated")) {
    double total = wc_rep_get_num(msg, "body_bytes", -1);
    if (response && total >= 0)
      wc_rep_out_printf(p->o, "<p class=\"note\">The run kept %zu of the %.0f bytes received.</p>", len, total);
    else
      raw(p, "<p class=\"note\">The run kept only the start of this body.</p>");
  }
  const char *encoding = wc_rep_get_str(msg, "body_encoding");
  if (encoding && strcmp(encoding, "lossy") == 0)
    raw(p, "<p class=\"note\">Not valid UTF-8: invalid bytes are shown as U+FFFD.</p>");
}

static void missing_exchange(page *p, const char *xid) {
  raw(p, "<p class=\"note\">Exchange ");
  text(p, xid);
  raw(p, " is not in this report.</p>");
}

/* Request and response of x (a grid), then its reproduction command. */
static void exchange_detail(page *p, const cJSON *x) {
  const cJSON *rq = wc_rep_get_obj(x, "request"), *rs = wc_rep_get_obj(x, "response"), *error = wc_rep_get_obj(x, "error");
  raw(p, "<div class=\"exgrid\"><div><h5>Request</h5><pre class=\"headers\">");
  wc_rep_out_text_cap(p->o, wc_rep_get_str(rq, "method"), 32, WC_REP_ESC_XML);
  raw(p, " ");
  text(p, wc_rep_get_str(rq, "url"));
  headers(p, wc_rep_get_arr(rq, "headers"));
  raw(p, "</pre>");
  body(p, rq, false);
  raw(p, "</div><div><h5>Response</h5>");
  if (rs) {
    wc_rep_out_printf(p->o, "<pre class=\"headers\">HTTP %.0f", wc_rep_get_num(rs, "status", 0));
    headers(p, wc_rep_get_arr(rs, "headers"));
    raw(p, "</pre>");
    body(p, rs, true);
  }
  if (error) {
    raw(p, "<p class=\"err\">Transfer failed (");
    wc_rep_out_text_cap(p->o, wc_rep_get_str(error, "kind"), 64, WC_REP_ESC_XML);
    raw(p, "): ");
    text(p, wc_rep_get_str(error, "message"));
    raw(p, "</p>");
  }
  double retries = wc_rep_get_num(x, "retries", 0);
  if (retries > 0 && retries < 1e6) wc_rep_out_printf(p->o, "<p class=\"note\">%.0f retries</p>", retries);
  raw(p, "</div></div>");
  const char *curl = wc_rep_get_str(x, "curl");
  if (curl) {
    raw(p, "<h5>Reproduce (reads the token from $WHOPCONF_TOKEN)</h5><pre class=\"curl\">");
    wc_rep_out_text_cap(p->o, curl, WC_REP_BODY_CAP, WC_REP_ESC_XML);
    raw(p, "</pre>");
  }
}

static void exchange(page *p, const char *req_id, const char *xid) {
  const cJSON *x = wc_rep_exchange(p->report, xid);
  if (!x) {
    missing_exchange(p, xid);
    return;
  }
  const cJSON *rq = wc_rep_get_obj(x, "request"), *rs = wc_rep_get_obj(x, "response");
  char ms[32];
  wc_rep_ms(ms, wc_rep_get_num(x, "time_ms", -1));
  raw(p, "<details class=\"exchange\" id=\"ev-");
  attr(p, req_id);
  raw(p, "-");
  attr(p, xid);
  raw(p, "\" data-exchange=\"");
  attr(p, xid);
  raw(p, "\"><summary>");
  text(p, xid);
  raw(p, " · ");
  wc_rep_out_text_cap(p->o, wc_rep_get_str(rq, "method"), 32, WC_REP_ESC_XML);
  raw(p, " ");
  wc_rep_out_text_cap(p->o, wc_rep_get_str(rq, "url"), 300, WC_REP_ESC_XML);
  raw(p, " · ");
  if (rs) wc_rep_out_printf(p->o, "<b>%.0f</b>", wc_rep_get_num(rs, "status", 0));
  else raw(p, "<span class=\"err\">no response</span>");
  wc_rep_out_printf(p->o, " · %s", ms);
  const char *xcase = wc_rep_get_str(x, "case");
  if (xcase) {
    raw(p, " · case ");
    wc_rep_out_text_cap(p->o, xcase, 200, WC_REP_ESC_XML);
  }
  raw(p, "</summary>");
  exchange_detail(p, x);
  raw(p, "</details>");
}

/* ---- one requirement ---- */

static void kv(page *p, const char *key, const char *value, bool code) {
  if (!value) return;
  raw(p, "<dt>");
  raw(p, key);
  raw(p, code ? "</dt><dd><code>" : "</dt><dd>");
  text(p, value);
  raw(p, code ? "</code></dd>" : "</dd>");
}

static void findings(page *p, const cJSON *req) {
  const cJSON *list = wc_rep_get_arr(req, "findings");
  int total = cJSON_GetArraySize(list);
  if (total == 0) return;
  wc_rep_out_printf(p->o, "<h4>Findings (%d)</h4><table class=\"findings\"><thead><tr><th>Instance pointer</th>"
                     "<th>Spec pointer</th><th>Keyword</th><th>Message</th><th>Case / exchange</th></tr></thead>"
                     "<tbody>", total);
  int i = 0;
  const cJSON *f;
  cJSON_ArrayForEach(f, list) {
    if (++i > WC_REP_MAX_FINDINGS) break;
    const char *ip = wc_rep_get_str(f, "instance_pointer");
    raw(p, "<tr><td class=\"ptr\">");
    if (ip) text(p, *ip ? ip : "(root)");
    else raw(p, "—");
    raw(p, "</td><td class=\"ptr\">");
    const char *sp = wc_rep_get_str(f, "spec_pointer");
    int line = p->spec && sp ? wc_spec_line(p->spec, sp) : 0;
    if (sp) text(p, sp);
    else raw(p, "—");
    if (line > 0) wc_rep_out_printf(p->o, " <span class=\"note\">(line %d)</span>", line);
    raw(p, "</td><td>");
    text(p, wc_rep_get_str(f, "keyword"));
    raw(p, "</td><td>");
    text(p, wc_rep_get_str(f, "message"));
    raw(p, "</td><td>");
    text(p, wc_rep_get_str(f, "case"));
    if (wc_rep_get_str(f, "exchange")) {
      raw(p, " / ");
      text(p, wc_rep_get_str(f, "exchange"));
    }
    raw(p, "</td></tr>");
  }
  raw(p, "</tbody></table>");
  if (total > WC_REP_MAX_FINDINGS)
    wc_rep_out_printf(p->o, "<p class=\"note\">%d more findings are in report.json.</p>", total - WC_REP_MAX_FINDINGS);
}

static void first_line(page *p, const cJSON *req) {
  wc_rep_status s = wc_rep_req_status(req);
  const cJSON *first = cJSON_GetArrayItem(wc_rep_get_arr(req, "findings"), 0);
  raw(p, "<span class=\"first\">");
  if ((s == WC_REP_FAIL || s == WC_REP_WARN) && first) {
    const char *ip = wc_rep_get_str(first, "instance_pointer");
    if (ip) {
      wc_rep_out_text_cap(p->o, *ip ? ip : "(root)", 200, WC_REP_ESC_XML);
      raw(p, ": ");
    }
    wc_rep_out_text_cap(p->o, wc_rep_get_str(first, "message"), 300, WC_REP_ESC_XML);
    int more = cJSON_GetArraySize(wc_rep_get_arr(req, "findings")) - 1;
    if (more > 0) wc_rep_out_printf(p->o, " (+%d more)", more);
  } else {
    wc_rep_out_text_cap(p->o, wc_rep_get_str(req, "reason"), 300, WC_REP_ESC_XML);
  }
  raw(p, "</span>");
}

static void requirement(page *p, const cJSON *req) {
  const char *id = wc_rep_get_str(req, "id");
  const char *family = wc_rep_req_field(req, "family");
  const char *level = wc_rep_req_field(req, "level");
  const char *status = wc_rep_status_name(wc_rep_req_status(req));
  bool should = level && strcmp(level, "SHOULD") == 0;
  wc_rep_out_printf(p->o, "<tr class=\"req st-%s\" id=\"req-", status);
  attr(p, id);
  raw(p, "\" data-id=\"");
  attr(p, id);
  wc_rep_out_printf(p->o, "\" data-status=\"%s\" data-family=\"", status);
  attr(p, family ? family : "other");
  wc_rep_out_printf(p->o, "\" data-level=\"%s\"><td><span class=\"badge b-%s\">%s</span></td><td class=\"id\">",
               should ? "SHOULD" : "MUST", status, status);
  text(p, id);
  wc_rep_out_printf(p->o, "</td><td class=\"lvl-%s\">%s</td><td class=\"family\">", should ? "SHOULD" : "MUST",
               should ? "SHOULD" : "MUST");
  text(p, family ? wc_family_title(family) : "");
  raw(p, "</td><td><details class=\"req\" id=\"d-");
  attr(p, id);
  raw(p, "\"><summary><span class=\"title\">");
  text(p, wc_rep_req_field(req, "title"));
  raw(p, "</span>");
  first_line(p, req);
  raw(p, "</summary><div class=\"more\"><dl class=\"kv\">");
  kv(p, "Reason", wc_rep_get_str(req, "reason"), false);
  kv(p, "Source", wc_rep_req_field(req, "source"), false);
  const char *pointer = wc_rep_req_field(req, "spec_pointer");
  if (pointer) {
    int line = wc_rep_req_spec_line(req, p->spec);
    raw(p, "<dt>Spec</dt><dd>");
    if (line > 0) wc_rep_out_printf(p->o, "%s line %d: ", WC_REP_SPEC_URI, line);
    raw(p, "<code>");
    text(p, pointer);
    raw(p, "</code></dd>");
  }
  double checks = wc_rep_get_num(req, "checks", -1);
  if (checks >= 0 && checks < 1e15) wc_rep_out_printf(p->o, "<dt>Checks</dt><dd>%.0f observations</dd>", checks);
  kv(p, "Schemathesis", wc_rep_req_field(req, "schemathesis"), true);
  raw(p, "</dl>");
  findings(p, req);
  excerpt(p, req);
  const char *ids[WC_REP_MAX_EVIDENCE];
  size_t n = wc_rep_req_evidence(req, ids, WC_REP_MAX_EVIDENCE);
  if (n) {
    wc_rep_out_printf(p->o, "<h4>Evidence (%zu exchange%s, credentials redacted)</h4>", n, n == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++) exchange(p, id, ids[i]);
  }
  raw(p, "</div></details></td></tr>\n");
}

/* ---- generated findings (whopconf fuzz, the coverage phase of run) ---- */

/* One side of a finding: the minimal or the original request. */
static void finding_side(page *p, const char *kind, const char *label, const char *xid, double size) {
  wc_rep_out_printf(p->o, "<div class=\"side side-%s\" data-side=\"%s\"", kind, kind);
  if (xid) {
    raw(p, " data-exchange=\"");
    attr(p, xid);
    raw(p, "\"");
  }
  wc_rep_out_printf(p->o, "><h5 class=\"sidehead\">%s", label);
  if (xid) {
    raw(p, " · ");
    text(p, xid);
  }
  if (size >= 0 && size < 1e15) wc_rep_out_printf(p->o, " · %.0f bytes", size);
  raw(p, "</h5>");
  const cJSON *x = xid ? wc_rep_exchange(p->report, xid) : NULL;
  if (x) exchange_detail(p, x);
  else if (xid) missing_exchange(p, xid);
  else raw(p, "<p class=\"note\">No smaller request: the original is the one to reproduce.</p>");
  raw(p, "</div>");
}

static void generated_finding(page *p, const cJSON *f, int n) {
  const char *req = wc_rep_get_str(f, "requirement"), *status = wc_rep_get_str(f, "status");
  const char *minimal = wc_rep_get_str(f, "minimal"), *original = wc_rep_get_str(f, "original");
  if (!status || (strcmp(status, "fail") != 0 && strcmp(status, "warn") != 0)) status = "unknown";
  wc_rep_out_printf(p->o, "<details class=\"gen\" id=\"g-%d\" data-requirement=\"", n);
  attr(p, req ? req : "");
  wc_rep_out_printf(p->o, "\" data-status=\"%s\" data-shrink-steps=\"%.0f\"><summary><span class=\"badge b-%s\">%s"
                     "</span> <a href=\"#req-", status, wc_rep_get_num(f, "shrink_steps", 0), status, status);
  attr(p, req ? req : "");
  raw(p, "\">");
  text(p, req);
  raw(p, "</a> · ");
  text(p, wc_rep_get_str(f, "location"));
  raw(p, " · ");
  text(p, wc_rep_get_str(f, "edge_class"));
  double http = wc_rep_get_num(f, "http_status", 0);
  if (http > 0 && http < 1000) wc_rep_out_printf(p->o, " · HTTP %.0f", http);
  wc_rep_out_printf(p->o, " · ×%.0f · ", wc_rep_get_num(f, "count", 0));
  text(p, wc_rep_get_str(f, "case"));
  raw(p, "</summary><div class=\"more\"><p>");
  text(p, wc_rep_get_str(f, "reason"));
  raw(p, "</p><p class=\"shrink\">");
  if (wc_rep_get_true(f, "shrunk") && minimal)
    wc_rep_out_printf(p->o, "Shrunk in %.0f steps (%.0f requests re-sent) from %.0f to %.0f bytes: ",
                 wc_rep_get_num(f, "shrink_steps", 0), wc_rep_get_num(f, "shrink_requests", 0),
                 wc_rep_get_num(f, "original_size", 0), wc_rep_get_num(f, "minimal_size", 0));
  else if (wc_rep_get_true(f, "shrunk"))
    wc_rep_out_printf(p->o, "Nothing smaller failed the same way (%.0f requests re-sent). ",
                 wc_rep_get_num(f, "shrink_requests", 0));
  else
    raw(p, "Not shrunk. ");
  if (minimal) text(p, wc_rep_get_str(f, "minimal_description"));
  else text(p, wc_rep_get_str(f, "description"));
  raw(p, "</p><div class=\"pair\">");
  finding_side(p, "minimal", "Minimal request", minimal, minimal ? wc_rep_get_num(f, "minimal_size", -1) : -1);
  finding_side(p, "original", "Original request", original, wc_rep_get_num(f, "original_size", -1));
  raw(p, "</div></div></details>\n");
}

static void generated(page *p) {
  const cJSON *section = wc_rep_get_obj(p->report, "generated");
  if (!section) return;
  const cJSON *list = wc_rep_get_arr(section, "findings");
  int total = cJSON_GetArraySize(list);
  wc_rep_out_printf(p->o, "<section class=\"panel\" id=\"generated\" data-count=\"%d\"><h2>Generated requests: %d "
                     "distinct finding%s</h2><ul class=\"phases\">", total, total, total == 1 ? "" : "s");
  const cJSON *ph;
  cJSON_ArrayForEach(ph, wc_rep_get_arr(section, "phases")) {
    raw(p, "<li>");
    text(p, wc_rep_get_str(ph, "name"));
    wc_rep_out_printf(p->o, ": %.0f requests, %.0f not sent (writes not allowed), %.0f exchanges not kept (passed, or "
                       "another occurrence of a finding below)",
                 wc_rep_get_num(ph, "requests", 0), wc_rep_get_num(ph, "skipped_requests", 0),
                 wc_rep_get_num(ph, "exchanges_left_out", 0));
    double left = wc_rep_get_num(ph, "findings_left_out", 0);
    if (left > 0 && left < 1e15) wc_rep_out_printf(p->o, ", %.0f occurrences of findings beyond the first 1000", left);
    raw(p, "</li>");
  }
  raw(p, "</ul>");
  int n = 0;
  const cJSON *f;
  cJSON_ArrayForEach(f, list) {
    if (n == WC_REP_MAX_FINDINGS) {
      wc_rep_out_printf(p->o, "<p class=\"note\">%d more findings are in report.json.</p>", total - n);
      break;
    }
    if (cJSON_IsObject(f)) generated_finding(p, f, ++n);
  }
  raw(p, "</section>\n");
}

/* ---- the page ---- */

static void meta_item(page *p, const char *key, const char *value) {
  if (!value) return;
  raw(p, "<div><dt>");
  raw(p, key);
  raw(p, "</dt><dd>");
  text(p, value);
  raw(p, "</dd></div>");
}

static void meta(page *p) {
  const cJSON *run = wc_rep_get_obj(p->report, "run");
  const cJSON *spec = wc_rep_get_obj(run, "spec"), *target = wc_rep_get_obj(run, "target");
  const cJSON *summary = wc_rep_get_obj(p->report, "summary");
  char number[64];
  raw(p, "<section class=\"panel\"><dl class=\"meta\">");
  meta_item(p, "Target", wc_rep_get_str(target, "base_url"));
  meta_item(p, "Spec", wc_rep_get_str(spec, "path"));
  meta_item(p, "Spec sha256", wc_rep_get_str(spec, "sha256"));
  meta_item(p, "Api-Version-Date (pinned)", wc_rep_get_str(run, "api_version"));
  wc_rep_out versions;
  wc_rep_out_init(&versions);
  const cJSON *v;
  cJSON_ArrayForEach(v, wc_rep_get_arr(run, "known_versions")) {
    if (!cJSON_IsString(v)) continue;
    if (versions.b.len) wc_rep_out_raw(&versions, ", ");
    wc_rep_out_raw(&versions, v->valuestring);
  }
  if (versions.rc) p->o->rc = -1;
  meta_item(p, "Known versions", versions.b.data);
  wc_buf_free(&versions.b);
  const cJSON *seed = wc_rep_get(run, "seed");
  if (cJSON_IsNumber(seed)) {
    snprintf(number, sizeof number, "%.0f", seed->valuedouble);
    meta_item(p, "Seed", number);
  }
  meta_item(p, "Started", wc_rep_get_str(run, "started_at"));
  char *merged = wc_rep_merged_note(p->report);
  if (merged) {
    meta_item(p, "Merge", merged);
    free(merged);
  }
  double duration = wc_rep_get_num(run, "duration_ms", -1);
  if (duration >= 0 && duration < 1e12) {
    snprintf(number, sizeof number, "%.0f ms", duration);
    meta_item(p, "Duration", number);
  }
  snprintf(number, sizeof number, "strict: %s, writes: %s", wc_rep_strict(p->report) ? "yes" : "no",
           wc_rep_get_true(run, "allow_writes") ? "allowed" : "not allowed");
  meta_item(p, "Mode", number);
  meta_item(p, "Sent with", wc_rep_http_client(p->report));
  const cJSON *cred = wc_rep_get_obj(run, "credentials");
  if (cred) {
    char creds[160];
    snprintf(creds, sizeof creds, "token: %s, API key: %s, token without scope: %s",
             wc_rep_get_true(cred, "token") ? "given" : "not given", wc_rep_get_true(cred, "api_key") ? "given" : "not given",
             wc_rep_get_true(cred, "token_without_scope") ? "given" : "not given");
    meta_item(p, "Credentials", creds);
  }
  snprintf(number, sizeof number, "%d", cJSON_GetArraySize(wc_rep_get_arr(p->report, "exchanges")));
  meta_item(p, "Exchanges", number);
  const char *version = wc_rep_get_str(run, "whopconf_version");
  const cJSON *exit_code = wc_rep_get(summary, "exit_code");
  snprintf(number, sizeof number, "%.32s%s", version ? version : WC_VERSION,
           wc_rep_get_true(target, "embedded_server") ? " (embedded reference server)" : "");
  meta_item(p, "whopconf", number);
  if (cJSON_IsNumber(exit_code)) {
    snprintf(number, sizeof number, "%.0f", exit_code->valuedouble);
    meta_item(p, "Exit code", number);
  }
  raw(p, "</dl>");
  static const struct {
    int bit;
    const char *file;
  } files[] = {{WC_REPORT_JSON, WC_REP_FILE_JSON}, {WC_REPORT_JUNIT, WC_REP_FILE_JUNIT},
               {WC_REPORT_SARIF, WC_REP_FILE_SARIF}, {WC_REPORT_MD, WC_REP_FILE_MD},
               {WC_REPORT_HAR, WC_REP_FILE_HAR}};
  bool any = false;
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    if (!(p->formats & files[i].bit)) continue;
    if (!any) raw(p, "<nav class=\"files\">Other formats in this directory: ");
    wc_rep_out_printf(p->o, "<a href=\"%s\">%s</a>", files[i].file, files[i].file);
    any = true;
  }
  if (any) raw(p, "</nav>");
  raw(p, "</section>\n");
}

static void filters(page *p, const tally *t) {
  raw(p, "<section class=\"panel filters\" id=\"filters\" hidden=\"hidden\"><fieldset><legend>Status</legend>");
  const struct {
    const char *value, *label;
    int n;
  } st[] = {{"fail", "failed", t->failed}, {"warn", "warnings", t->warnings},
            {"skip", "skipped", t->skipped}, {"pass", "passed", t->passed},
            {"unknown", "unknown", t->total - t->failed - t->warnings - t->skipped - t->passed}};
  for (size_t i = 0; i < sizeof st / sizeof st[0]; i++) {
    if (i == 4 && st[i].n == 0) continue;
    wc_rep_out_printf(p->o, "<label><input type=\"checkbox\" name=\"status\" value=\"%s\" checked=\"checked\"/> %s (%d)</label>",
                 st[i].value, st[i].label, st[i].n);
  }
  raw(p, "</fieldset><fieldset><legend>Family</legend>");
  size_t nfam = 0;
  const char **families = wc_rep_families(p->report, &nfam);
  if (!families) p->o->rc = -1;
  for (size_t i = 0; families && i < nfam; i++) {
    raw(p, "<label><input type=\"checkbox\" name=\"family\" value=\"");
    attr(p, families[i]);
    raw(p, "\" checked=\"checked\"/> ");
    text(p, wc_family_title(families[i]));
    raw(p, "<span class=\"n\"></span></label>");
  }
  free(families);
  raw(p, "</fieldset><div class=\"actions\"><button type=\"button\" data-action=\"failures\">Failures and "
         "warnings</button><button type=\"button\" data-action=\"all\">All</button><button type=\"button\" "
         "data-action=\"expand\">Expand all</button><button type=\"button\" data-action=\"collapse\">Collapse "
         "all</button><span id=\"shown\"></span></div></section>\n");
}

static void page_body(page *p) {
  tally t = count(p->report);
  const char *verdict = verdict_of(p->report, &t);
  const cJSON *run = wc_rep_get_obj(p->report, "run");
  const cJSON *summary = wc_rep_get_obj(p->report, "summary");
  raw(p, "<header class=\"top\"><div class=\"wrap\"><div class=\"heading\"><div class=\"brand\">whopconf "
         "compliance report</div><h1>PATCH /users/me<span class=\"target\">");
  text(p, wc_rep_get_str(wc_rep_get_obj(run, "target"), "base_url"));
  wc_rep_out_printf(p->o, "</span></h1></div><div id=\"verdict\" class=\"verdict verdict-%s\" data-verdict=\"%s\">%s</div>"
                     "</div></header>\n",
               verdict, verdict, strcmp(verdict, "pass") == 0 ? "PASS" : strcmp(verdict, "fail") == 0 ? "FAIL" : "ERROR");
  wc_rep_out_printf(p->o, "<main id=\"report\" class=\"wrap\" data-verdict=\"%s\" data-count-failed=\"%d\" "
                     "data-count-warnings=\"%d\" data-count-passed=\"%d\" data-count-skipped=\"%d\" "
                     "data-count-total=\"%d\">\n<section class=\"counts\">",
               verdict, t.failed, t.warnings, t.passed, t.skipped, t.total);
  const struct {
    const char *key, *label;
    int n;
  } cards[] = {{"failed", "failed", t.failed}, {"warnings", "warnings", t.warnings},
               {"passed", "passed", t.passed}, {"skipped", "skipped", t.skipped},
               {"total", "requirements", t.total}};
  for (size_t i = 0; i < sizeof cards / sizeof cards[0]; i++)
    wc_rep_out_printf(p->o, "<div class=\"count count-%s\" id=\"count-%s\" data-count-%s=\"%d\"><span class=\"n\">%d"
                       "</span><span class=\"l\">%s</span></div>",
                 cards[i].key, cards[i].key, cards[i].key, cards[i].n, cards[i].n, cards[i].label);
  raw(p, "</section>\n");
  if (strcmp(verdict, "error") == 0) {
    raw(p, "<div class=\"banner banner-error\" id=\"error-reason\"><strong>Could not test the target:</strong>");
    text(p, wc_rep_get_str(summary, "reason") ? wc_rep_get_str(summary, "reason") : "no reason recorded");
    raw(p, "</div>\n");
  }
  const cJSON *weakened = wc_rep_get_arr(run, "weakened");
  if (cJSON_GetArraySize(weakened) > 0) {
    raw(p, "<div class=\"banner banner-weak\" id=\"weakened\"><strong>⚠ Checks were weakened in this run:</strong>");
    const cJSON *flag;
    int i = 0;
    cJSON_ArrayForEach(flag, weakened) {
      if (!cJSON_IsString(flag)) continue;
      raw(p, i++ ? ", <code>" : "<code>");
      wc_rep_out_text_cap(p->o, flag->valuestring, 128, WC_REP_ESC_XML);
      raw(p, "</code>");
    }
    raw(p, ". A pass proves less than it would without them.</div>\n");
  }
  if (wc_rep_strict(p->report) && t.warnings > 0)
    raw(p, "<div class=\"banner banner-strict\" id=\"strict\"><strong>--strict:</strong>SHOULD warnings fail "
           "this run.</div>\n");
  meta(p);
  filters(p, &t);
  raw(p, "<section class=\"panel\"><table class=\"reqs\" id=\"requirements\"><colgroup><col class=\"c-status\"/>"
         "<col class=\"c-id\"/><col class=\"c-level\"/><col class=\"c-family\"/><col/></colgroup><thead><tr>"
         "<th>Status</th><th>ID</th><th>Level</th><th>Family</th><th>Requirement (click for findings, spec and "
         "evidence)</th></tr></thead><tbody>\n");
  size_t n = 0;
  const cJSON **sorted = wc_rep_sorted(p->report, &n);
  if (n == SIZE_MAX) p->o->rc = -1;
  for (size_t i = 0; sorted && i < n; i++) requirement(p, sorted[i]);
  free(sorted);
  raw(p, "</tbody></table></section>\n");
  generated(p);
  raw(p, "<footer>Rendered by whopconf from report.json (format ");
  wc_rep_out_printf(p->o, "%d). Self-contained: this page loads nothing from the network. Bodies longer than %zu KiB "
                     "are cut here; report.json has what the run kept.</footer>\n</main>",
               WC_REPORT_FORMAT_VERSION, WC_REP_BODY_CAP / 1024);
}

/* The data block: the document without the exchanges (they are rendered
 * above and can be large), repaired, then made safe inside <script>. */
static void data_block(page *p) {
  cJSON *data = cJSON_CreateObject();
  static const char *const top[] = {"format", "format_version", "run", "summary", "requirements"};
  bool ok = data != NULL;
  for (size_t i = 0; ok && i < sizeof top / sizeof top[0]; i++) {
    const cJSON *item = wc_rep_get(p->report, top[i]);
    if (!item) continue;
    cJSON *copy = cJSON_Duplicate(item, true);
    ok = copy && cJSON_AddItemToObject(data, top[i], copy);
    if (!ok) cJSON_Delete(copy);
  }
  if (ok) ok = wc_rep_repair_tree(data) == 0;
  char *json = ok ? cJSON_PrintUnformatted(data) : NULL;
  cJSON_Delete(data);
  if (!json) {
    p->o->rc = -1;
    return;
  }
  wc_rep_out_text_n(p->o, json, strlen(json), 0, WC_REP_ESC_JSON);
  free(json);
}

static void base64(wc_rep_out *o, const unsigned char *in, size_t len) {
  static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < len; i += 3) {
    unsigned v = (unsigned)in[i] << 16 | (i + 1 < len ? (unsigned)in[i + 1] << 8 : 0) |
                 (i + 2 < len ? in[i + 2] : 0);
    char out[5] = {abc[(v >> 18) & 63], abc[(v >> 12) & 63], i + 1 < len ? abc[(v >> 6) & 63] : '=',
                   i + 2 < len ? abc[v & 63] : '=', '\0'};
    wc_rep_out_raw(o, out);
  }
}

static void csp_hash(wc_rep_out *o, const char *text, size_t len) {
  char hex[65];
  unsigned char digest[32];
  wc_sha256_hex(text, len, hex);
  for (size_t i = 0; i < 32; i++) {
    digest[i] = (unsigned char)(wc_hex_digit(hex[2 * i]) << 4 | wc_hex_digit(hex[2 * i + 1]));
  }
  wc_rep_out_raw(o, "'sha256-");
  base64(o, digest, sizeof digest);
  wc_rep_out_raw(o, "'");
}

char *wc_rep_render_html_linked(const cJSON *report, const wc_spec *spec, int formats, wc_err *err) {
  if (wc_rep_check(report, err) != 0) return NULL;
  wc_rep_out script, out;
  wc_rep_out_init(&script);
  wc_rep_out_init(&out);
  wc_rep_out_raw(&script, SCRIPT_OPEN);
  if (script.rc == 0 && wc_buf_append(&script.b, wc_report_js_template, wc_report_js_template_len) != 0)
    script.rc = -1;
  wc_rep_out_raw(&script, SCRIPT_CLOSE);
  const char *css = (const char *)wc_report_css_template;
  page p = {&out, report, spec, formats, NULL, 0, NULL, 0};
  index_lines(&p);

  const char *tpl = (const char *)wc_report_html_template;
  size_t len = wc_report_html_template_len, i = 0;
  while (i < len && out.rc == 0 && script.rc == 0) {
    const char *mark = strstr(tpl + i, "@@WC_");
    size_t upto = mark ? (size_t)(mark - tpl) : len;
    if (wc_buf_append(&out.b, tpl + i, upto - i) != 0) out.rc = -1;
    if (!mark) break;
    const char *end = strstr(mark + 5, "@@");
    if (!end) break;
    size_t nlen = (size_t)(end - mark - 5);
    const char *name = mark + 5;
#define IS(n) (nlen == sizeof(n) - 1 && strncmp(name, n, nlen) == 0)
    if (IS("TITLE")) {
      tally t = count(report);
      const char *v = verdict_of(report, &t);
      wc_rep_out_printf(&out, "whopconf %s: PATCH /users/me at ",
                   strcmp(v, "pass") == 0 ? "PASS" : strcmp(v, "fail") == 0 ? "FAIL" : "ERROR");
      wc_rep_out_text_cap(&out, wc_rep_get_str(wc_rep_get_obj(wc_rep_get_obj(report, "run"), "target"), "base_url"), 300,
                     WC_REP_ESC_XML);
    } else if (IS("CSP")) {
      wc_rep_out_raw(&out, "default-src 'none'; style-src ");
      csp_hash(&out, css, wc_report_css_template_len);
      wc_rep_out_raw(&out, "; script-src ");
      csp_hash(&out, script.b.data, script.b.len);
      wc_rep_out_raw(&out, "; img-src data:; base-uri 'none'; form-action 'none'");
    } else if (IS("GENERATOR")) {
      const char *version = wc_rep_get_str(wc_rep_get_obj(report, "run"), "whopconf_version");
      wc_rep_out_raw(&out, "whopconf ");
      wc_rep_out_text_cap(&out, version ? version : WC_VERSION, 32, WC_REP_ESC_ATTR);
    } else if (IS("CSS")) {
      if (wc_buf_append(&out.b, css, wc_report_css_template_len) != 0) out.rc = -1;
    } else if (IS("BODY")) {
      page_body(&p);
    } else if (IS("DATA")) {
      data_block(&p);
    } else if (IS("JS")) {
      if (wc_buf_append(&out.b, script.b.data, script.b.len) != 0) out.rc = -1;
    }
#undef IS
    i = (size_t)(end - tpl) + 2;
  }
  free(p.starts);
  if (script.rc != 0) out.rc = -1;
  wc_buf_free(&script.b);
  return wc_rep_out_finish(&out, err);
}

char *wc_report_render_html(const cJSON *report, const wc_spec *spec, wc_err *err) {
  return wc_rep_render_html_linked(report, spec, WC_REPORT_ALL, err);
}
