/* Reports: format selection, writing, golden files for every format, and
 * the format-specific promises (JUnit counts and XSD, SARIF locations, HAR
 * entries, Markdown order, self-contained HTML). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "support/params.h"
#include "support/report_support.h"
#include "whopconf/report.h"
#include "whopconf/spec.h"

static char *render_into(const char *name, const cJSON *doc, const wc_spec *spec, int formats) {
  char *dir = rs_dir(name);
  wc_err err;
  cr_assert_eq(wc_report_write(doc, spec, dir, formats, &err), 0, "write: %s", err.msg);
  return dir;
}

static cJSON *req_by_id(cJSON *doc, const char *id) {
  cJSON *req;
  cJSON_ArrayForEach(req, cJSON_GetObjectItemCaseSensitive(doc, "requirements")) {
    if (strcmp(cJSON_GetObjectItemCaseSensitive(req, "id")->valuestring, id) == 0) return req;
  }
  cr_assert_fail("no requirement %s", id);
  return NULL;
}

static void set_string(cJSON *obj, const char *key, const char *value) {
  cJSON_ReplaceItemInObjectCaseSensitive(obj, key, cJSON_CreateString(value));
}

Test(report_formats, parse) {
  wc_err err;
  cr_assert_eq(wc_report_formats_parse("all", &err), WC_REPORT_ALL);
  cr_assert_eq(wc_report_formats_parse("json", &err), WC_REPORT_JSON);
  cr_assert_eq(wc_report_formats_parse("junit,sarif", &err), WC_REPORT_JUNIT | WC_REPORT_SARIF);
  cr_assert_eq(wc_report_formats_parse("md, html ,har", &err), WC_REPORT_MD | WC_REPORT_HTML | WC_REPORT_HAR);
  cr_assert_eq(wc_report_formats_parse("markdown", &err), WC_REPORT_MD);
  cr_assert_eq(wc_report_formats_parse("JSON,json", &err), WC_REPORT_JSON);
  cr_assert_eq(wc_report_formats_parse("json,xml", &err), -1);
  cr_assert(strstr(err.msg, "xml"), "%s", err.msg);
  cr_assert_eq(wc_report_formats_parse("", &err), -1);
  cr_assert_eq(wc_report_formats_parse("json,", &err), -1);
  cr_assert_eq(wc_report_formats_parse(NULL, &err), -1);
}

Test(report_write, every_format_into_a_new_directory) {
  cJSON *doc = rs_fixture();
  char *base = rs_dir("write");
  char *dir = rs_path(base, "nested/reports");
  wc_err err;
  cr_assert_eq(wc_report_write(doc, NULL, dir, WC_REPORT_ALL, &err), 0, "%s", err.msg);
  const char *files[] = {"report.json", "junit.xml", "report.sarif", "summary.md", "report.html", "traffic.har"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    char *path = rs_path(dir, files[i]);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0, "%s missing", path);
    cr_assert_gt(st.st_size, 100);
    free(path);
  }
  cr_assert_eq(rs_sh("ls -A '%s' | grep -q tmp", dir), 1, "a temporary file was left behind");
  free(dir);
  free(base);
  cJSON_Delete(doc);
}

Test(report_write, only_the_selected_formats) {
  cJSON *doc = rs_fixture();
  char *dir = render_into("subset", doc, NULL, WC_REPORT_JUNIT | WC_REPORT_MD);
  cr_assert_eq(rs_sh("test -f '%s/junit.xml' && test -f '%s/summary.md'", dir, dir), 0);
  cr_assert_neq(rs_sh("test -e '%s/report.json'", dir), 0);
  cr_assert_neq(rs_sh("test -e '%s/report.html'", dir), 0);
  /* summary.md links only to what was written. */
  char *md = rs_read_in(dir, "summary.md");
  cr_assert(strstr(md, "(junit.xml)"));
  cr_assert_null(strstr(md, "(report.html)"));
  free(md);
  free(dir);
  cJSON_Delete(doc);
}

Test(report_write, refuses_what_is_not_a_report) {
  wc_err err;
  cJSON *doc = cJSON_Parse("{\"format\": \"something-else\", \"requirements\": []}");
  char *dir = rs_dir("refuse");
  cr_assert_eq(wc_report_write(doc, NULL, dir, WC_REPORT_ALL, &err), -1);
  cr_assert(strstr(err.msg, "not a whopconf report"), "%s", err.msg);
  cr_assert_null(wc_report_render_junit(doc, &err));
  cr_assert_null(wc_report_render_html(doc, NULL, &err));
  cr_assert_null(wc_report_render_sarif(doc, NULL, &err));
  cr_assert_null(wc_report_render_markdown(doc, &err));
  cr_assert_null(wc_report_render_har(doc, &err));
  cJSON_Delete(doc);
  doc = cJSON_Parse("{\"format\": \"whopconf-report\", \"format_version\": 2, \"requirements\": []}");
  cr_assert_null(wc_report_render_junit(doc, &err));
  cr_assert(strstr(err.msg, "format_version"), "%s", err.msg);
  cJSON_Delete(doc);
  doc = rs_fixture();
  cr_assert_eq(wc_report_write(doc, NULL, dir, 0, &err), -1);
  cr_assert_eq(wc_report_write(doc, NULL, "/proc/whopconf-cannot-be-here", WC_REPORT_MD, &err), -1);
  cr_assert_eq(err.code, WC_E_IO);
  cJSON_Delete(doc);
  free(dir);
}

/* The golden files are what the fixture renders to; a change to a renderer
 * shows up as a readable diff (regenerate with tests/golden/report/regen.sh). */
Test(report_golden, fixture_renders_to_the_golden_files, .timeout = 60) {
  cJSON *doc = rs_fixture();
  wc_spec *spec = rs_spec();
  char *dir = render_into("golden", doc, spec, WC_REPORT_ALL);
  const char *files[] = {"report.json", "junit.xml", "report.sarif", "summary.md", "report.html", "traffic.har"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    char *golden = rs_fmt("%s/fixture/%s", RS_GOLDEN, files[i]);
    int rc = rs_sh("diff -u '%s' '%s/%s' | head -40 >&2; cmp -s '%s' '%s/%s'", golden, dir, files[i], golden,
                   dir, files[i]);
    cr_expect_eq(rc, 0, "%s differs from its golden file (tests/golden/report/regen.sh regenerates it)", files[i]);
    free(golden);
  }
  wc_spec_free(spec);
  free(dir);
  cJSON_Delete(doc);
}

Test(report_golden, rendering_is_deterministic) {
  cJSON *doc = rs_fixture();
  wc_spec *spec = rs_spec();
  wc_err err;
  char *a[5] = {wc_report_render_junit(doc, &err), wc_report_render_sarif(doc, spec, &err),
                wc_report_render_markdown(doc, &err), wc_report_render_html(doc, spec, &err),
                wc_report_render_har(doc, &err)};
  char *b[5] = {wc_report_render_junit(doc, &err), wc_report_render_sarif(doc, spec, &err),
                wc_report_render_markdown(doc, &err), wc_report_render_html(doc, spec, &err),
                wc_report_render_har(doc, &err)};
  for (int i = 0; i < 5; i++) {
    cr_assert_not_null(a[i]);
    cr_assert_str_eq(a[i], b[i], "renderer %d is not deterministic", i);
    free(a[i]);
    free(b[i]);
  }
  wc_spec_free(spec);
  cJSON_Delete(doc);
}

Test(report_json, written_as_is_pretty_printed) {
  cJSON *doc = rs_fixture();
  char *dir = render_into("json", doc, NULL, WC_REPORT_JSON);
  cJSON *back = rs_load_in(dir, "report.json");
  cr_assert(cJSON_Compare(doc, back, true), "report.json is not the document");
  char *text = rs_read_in(dir, "report.json");
  cr_assert(strchr(text, '\n') && text[strlen(text) - 1] == '\n', "not pretty-printed with a final newline");
  free(text);
  cJSON_Delete(back);
  cJSON_Delete(doc);
  free(dir);
}

/* ---- JUnit ---- */

Test(report_junit, valid_against_the_xsd_with_correct_counts) {
  cJSON *doc = rs_fixture();
  char *dir = render_into("junit-counts", doc, NULL, WC_REPORT_JUNIT);
  cr_assert_eq(rs_sh("xmllint --noout --schema '%s/tests/junit.xsd' '%s/junit.xml'", WC_SOURCE_DIR, dir), 0,
               "junit.xml is not valid against tests/junit.xsd");
  char *xml = rs_read_in(dir, "junit.xml");
  cr_assert(strstr(xml, "<testsuites name=\"whopconf\" tests=\"34\" failures=\"4\" errors=\"0\" skipped=\"4\""),
            "%.300s", xml);
  cr_assert_eq(rs_count(xml, "<testsuite "), 6, "one testsuite per family");
  cr_assert_eq(rs_count(xml, "<testcase "), 34);
  cr_assert_eq(rs_count(xml, "<failure "), 4);
  cr_assert_eq(rs_count(xml, "<skipped "), 4);
  cr_assert(strstr(xml, "<testsuite name=\"user-schema\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"0\""));
  cr_assert(strstr(xml, "<testsuite name=\"meaning\" tests=\"9\" failures=\"1\" errors=\"0\" skipped=\"1\""));
  cr_assert(strstr(xml, "<testsuite name=\"transport\" tests=\"6\" failures=\"1\" errors=\"0\" skipped=\"1\""));
  /* Families in catalogue order, classname = family, name = "ID: title". */
  const char *order[] = {"user-schema", "meaning", "versioning", "errors", "updates", "transport"};
  const char *at = xml;
  for (size_t i = 0; i < 6; i++) {
    char *needle = rs_fmt("<testsuite name=\"%s\"", order[i]);
    const char *next = strstr(at, needle);
    cr_assert_not_null(next, "%s out of order", order[i]);
    at = next;
    free(needle);
  }
  cr_assert(strstr(xml, "<testcase classname=\"user-schema\" name=\"WC-US-001: Every 200 to a request pinned"));
  /* The failure text: instance pointer, spec pointer, message, curl. */
  const char *failure = strstr(xml, "<failure message=\"1 of 7 responses");
  cr_assert_not_null(failure);
  const char *end = strstr(failure, "</failure>");
  cr_assert(strstr(failure, "instance pointer: /balances/0/price_usd") < end);
  cr_assert(strstr(failure, "#/components/schemas/AccountBalanceToken/properties/price_usd/type") < end);
  cr_assert(strstr(failure, "expected number or null, got string") < end);
  cr_assert(strstr(failure, "curl -sS -X PATCH") < end);
  cr_assert(strstr(failure, "type=\"MUST\""));
  /* Warnings: passing testcases whose output says WARNING, plus a property. */
  cr_assert_eq(rs_count(xml, "<system-out>WARNING WC-"), 4);
  cr_assert_eq(rs_count(xml, "<property name=\"whopconf.warning\""), 4);
  cr_assert(strstr(xml, "<skipped message=\"--max-response-time not set\"/>"));
  free(xml);
  cJSON_Delete(doc);
  free(dir);
}

/* The XSD is strict where it matters: it must reject these. */
static const char *const bad_junit[] = {
    "<testsuites><testsuite name=\"a\" tests=\"-1\"/></testsuites>",
    "<testsuites><testsuite name=\"a\" tests=\"1\"><testcase name=\"t\"><system-out>x</system-out>"
    "<failure message=\"m\">t</failure></testcase></testsuite></testsuites>",
    "<testsuites><testsuite name=\"a\" tests=\"1\"><testcase classname=\"c\"/></testsuite></testsuites>",
    "<testsuites><testsuite name=\"a\" tests=\"1\" failures=\"one\"/></testsuites>",
    "<testsuites><testsuite name=\"a\" tests=\"1\"><testcase name=\"t\" time=\"fast\"/></testsuite></testsuites>",
    "<testsuites><testsuite name=\"a\" tests=\"1\"><testcase name=\"t\"><skipped/><skipped/></testcase>"
    "</testsuite></testsuites>",
    "<testsuites><testsuite name=\"a\" tests=\"1\"><properties><property name=\"p\"/></properties>"
    "</testsuite></testsuites>",
};
TABLE_PARAMETERS(report_junit, the_xsd_catches_mistakes, bad_junit)
ParameterizedTest(const size_t *i, report_junit, the_xsd_catches_mistakes) {
  char *name = rs_fmt("xsd-%zu", *i);
  char *dir = rs_dir(name);
  char *path = rs_path(dir, "bad.xml");
  rs_write(path, bad_junit[*i]);
  cr_expect_neq(rs_sh("xmllint --noout --schema '%s/tests/junit.xsd' '%s' 2>/dev/null", WC_SOURCE_DIR, path), 0,
                "the XSD accepts %s", bad_junit[*i]);
  free(path);
  free(dir);
  free(name);
}

Test(report_junit, strict_turns_warnings_into_failures) {
  cJSON *doc = rs_fixture();
  cJSON *run = cJSON_GetObjectItemCaseSensitive(doc, "run");
  cJSON_ReplaceItemInObjectCaseSensitive(run, "strict", cJSON_CreateTrue());
  char *dir = render_into("junit-strict", doc, NULL, WC_REPORT_JUNIT | WC_REPORT_MD | WC_REPORT_SARIF);
  cr_assert_eq(rs_sh("xmllint --noout --schema '%s/tests/junit.xsd' '%s/junit.xml'", WC_SOURCE_DIR, dir), 0);
  char *xml = rs_read_in(dir, "junit.xml");
  cr_assert(strstr(xml, "tests=\"34\" failures=\"8\""), "%.300s", xml);
  cr_assert_eq(rs_count(xml, "type=\"SHOULD\""), 4);
  cr_assert_eq(rs_count(xml, "<system-out>WARNING"), 0);
  char *md = rs_read_in(dir, "summary.md");
  cr_assert(strstr(md, "--strict"));
  cJSON *sarif = rs_load_in(dir, "report.sarif");
  cJSON *results = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(sarif, "runs"), 0), "results");
  cJSON *r;
  cJSON_ArrayForEach(r, results) {
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(r, "level")->valuestring, "error");
  }
  cJSON_Delete(sarif);
  free(md);
  free(xml);
  cJSON_Delete(doc);
  free(dir);
}

Test(report_junit, a_run_that_could_not_test_is_an_error) {
  cJSON *doc = rs_fixture();
  cJSON *summary = cJSON_GetObjectItemCaseSensitive(doc, "summary");
  set_string(summary, "verdict", "error");
  cJSON_AddStringToObject(summary, "reason", "connect to 127.0.0.1:9 refused <again>");
  char *dir = render_into("junit-error", doc, NULL, WC_REPORT_ALL);
  cr_assert_eq(rs_sh("xmllint --noout --schema '%s/tests/junit.xsd' '%s/junit.xml'", WC_SOURCE_DIR, dir), 0);
  char *xml = rs_read_in(dir, "junit.xml");
  cr_assert(strstr(xml, "errors=\"1\""));
  cr_assert(strstr(xml, "<error type=\"could-not-test\" message=\"connect to 127.0.0.1:9 refused &lt;again&gt;\""));
  char *md = rs_read_in(dir, "summary.md");
  cr_assert(strncmp(md, "## ❌ whopconf: ERROR", strlen("## ❌ whopconf: ERROR")) == 0, "%.80s", md);
  cr_assert(strstr(md, "refused &lt;again&gt;"));
  char *html = rs_read_in(dir, "report.html");
  cr_assert(strstr(html, "data-verdict=\"error\""));
  cr_assert(strstr(html, "id=\"error-reason\""));
  cJSON *sarif = rs_load_in(dir, "report.sarif");
  cJSON *inv = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(sarif, "runs"), 0), "invocations"), 0);
  cr_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(inv, "executionSuccessful")));
  cJSON_Delete(sarif);
  free(html);
  free(md);
  free(xml);
  cJSON_Delete(doc);
  free(dir);
}

/* ---- SARIF ---- */

Test(report_sarif, rules_results_and_spec_lines) {
  cJSON *doc = rs_fixture();
  wc_spec *spec = rs_spec();
  wc_err err;
  char *text = wc_report_render_sarif(doc, spec, &err);
  cr_assert_not_null(text, "%s", err.msg);
  cJSON *sarif = rs_strict_json(text, "report.sarif");
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(sarif, "version")->valuestring, "2.1.0");
  cr_assert(strstr(cJSON_GetObjectItemCaseSensitive(sarif, "$schema")->valuestring, "sarif"));
  cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(sarif, "runs"), 0);
  cJSON *driver = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(run, "tool"), "driver");
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(driver, "name")->valuestring, "whopconf");
  cJSON *rules = cJSON_GetObjectItemCaseSensitive(driver, "rules");
  cr_assert_eq(cJSON_GetArraySize(rules), 34);
  cJSON *results = cJSON_GetObjectItemCaseSensitive(run, "results");
  cr_assert_eq(cJSON_GetArraySize(results), 8, "4 failures and 4 warnings");
  cJSON *r;
  int errors = 0, warnings = 0;
  cJSON_ArrayForEach(r, results) {
    const char *rule_id = cJSON_GetObjectItemCaseSensitive(r, "ruleId")->valuestring;
    int index = (int)cJSON_GetObjectItemCaseSensitive(r, "ruleIndex")->valuedouble;
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rules, index), "id")->valuestring, rule_id);
    const char *level = cJSON_GetObjectItemCaseSensitive(r, "level")->valuestring;
    errors += strcmp(level, "error") == 0;
    warnings += strcmp(level, "warning") == 0;
    cJSON *phys = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "locations"), 0), "physicalLocation");
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(phys, "artifactLocation"), "uri")->valuestring,
                     "spec/openapi.yml");
    int line = (int)cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(phys, "region"), "startLine")->valuedouble;
    const char *pointer = cJSON_GetObjectItemCaseSensitive(req_by_id(doc, rule_id), "spec_pointer")->valuestring;
    cr_assert_eq(line, wc_spec_line(spec, pointer), "%s: line %d", rule_id, line);
    cr_assert_gt(line, 0);
    cJSON *fp = cJSON_GetObjectItemCaseSensitive(r, "partialFingerprints");
    cr_assert_eq(strlen(cJSON_GetObjectItemCaseSensitive(fp, "whopconfRequirement/v1")->valuestring), 64);
  }
  cr_assert_eq(errors, 4);
  cr_assert_eq(warnings, 4);
  /* WC-US-001 is stated at line 61 of spec/openapi.yml; its finding's
   * keyword (price_usd type) is a related location. */
  r = cJSON_GetArrayItem(results, 0);
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(r, "ruleId")->valuestring, "WC-US-001");
  cJSON *related = cJSON_GetObjectItemCaseSensitive(r, "relatedLocations");
  cr_assert_eq(cJSON_GetArraySize(related), 1);
  cJSON *region = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(related, 0), "physicalLocation"), "region");
  cr_assert_eq((int)cJSON_GetObjectItemCaseSensitive(region, "startLine")->valuedouble,
               wc_spec_line(spec, "#/components/schemas/AccountBalanceToken/properties/price_usd/type"));
  cJSON_Delete(sarif);
  free(text);
  wc_spec_free(spec);
  cJSON_Delete(doc);
}

Test(report_sarif, without_a_spec_uses_the_documents_lines) {
  cJSON *doc = rs_fixture();
  wc_err err;
  char *text = wc_report_render_sarif(doc, NULL, &err);
  cJSON *sarif = rs_strict_json(text, "report.sarif");
  cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(sarif, "runs"), 0);
  cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(run, "results"), 0);
  cJSON *phys = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "locations"), 0), "physicalLocation");
  cr_assert_eq((int)cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(phys, "region"), "startLine")->valuedouble, 61);
  cr_assert_null(cJSON_GetObjectItemCaseSensitive(r, "relatedLocations"));
  /* Fingerprints identify the requirement, not this run's findings. */
  const char *fp1 = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "partialFingerprints"), "whopconfRequirement/v1")->valuestring;
  cJSON *finding = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(req_by_id(doc, "WC-US-001"), "findings"), 0);
  set_string(finding, "message", "a different message this time");
  char *text2 = wc_report_render_sarif(doc, NULL, &err);
  cJSON *sarif2 = rs_strict_json(text2, "report.sarif");
  cJSON *r2 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(sarif2, "runs"), 0), "results"), 0);
  cr_assert_str_eq(fp1, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r2, "partialFingerprints"), "whopconfRequirement/v1")->valuestring);
  cJSON_Delete(sarif2);
  free(text2);
  cJSON_Delete(sarif);
  free(text);
  cJSON_Delete(doc);
}

/* ---- HAR ---- */

Test(report_har, every_exchange_redacted) {
  cJSON *doc = rs_fixture();
  wc_err err;
  char *text = wc_report_render_har(doc, &err);
  cr_assert_not_null(text, "%s", err.msg);
  cJSON *har = rs_strict_json(text, "traffic.har");
  cJSON *log = cJSON_GetObjectItemCaseSensitive(har, "log");
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(log, "version")->valuestring, "1.2");
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(log, "creator"), "name")->valuestring, "whopconf");
  cJSON *entries = cJSON_GetObjectItemCaseSensitive(log, "entries");
  cr_assert_eq(cJSON_GetArraySize(entries), cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "exchanges")));
  int failed = 0;
  cJSON *e;
  cJSON_ArrayForEach(e, entries) {
    cJSON *request = cJSON_GetObjectItemCaseSensitive(e, "request");
    cJSON *h;
    cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(request, "headers")) {
      if (strcasecmp(cJSON_GetObjectItemCaseSensitive(h, "name")->valuestring, "authorization") == 0)
        cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(h, "value")->valuestring, "Bearer ***");
    }
    cJSON *response = cJSON_GetObjectItemCaseSensitive(e, "response");
    if (cJSON_GetObjectItemCaseSensitive(response, "status")->valuedouble == 0) {
      failed++;
      cr_assert(strstr(cJSON_GetObjectItemCaseSensitive(response, "comment")->valuestring, "transfer failed (reset)"));
    }
    cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "timings");
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(t, "wait")->valuedouble, cJSON_GetObjectItemCaseSensitive(e, "time")->valuedouble);
  }
  cr_assert_eq(failed, 1);
  cJSON_Delete(har);
  free(text);
  cJSON_Delete(doc);
}

Test(report_har, unredacted_authorization_is_masked_anyway) {
  cJSON *doc = rs_fixture();
  cJSON *x = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "exchanges"), 0);
  cJSON *h = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(x, "request"), "headers"), 0);
  set_string(h, "value", "Bearer abc");
  wc_err err;
  char *text = wc_report_render_har(doc, &err);
  cr_assert_null(strstr(text, "Bearer abc"));
  char *json = wc_report_render_junit(doc, &err);
  cr_assert_null(strstr(json, "Bearer abc"));
  free(json);
  free(text);
  cJSON_Delete(doc);
}

/* ---- Markdown ---- */

Test(report_md, verdict_first_failures_first_one_table) {
  cJSON *doc = rs_fixture();
  wc_err err;
  char *md = wc_report_render_markdown(doc, &err);
  cr_assert_not_null(md, "%s", err.msg);
  cr_assert(strncmp(md, "## ❌ whopconf: FAIL — 4 failed, 4 warnings, 22 passed, 4 skipped (34 requirements)\n",
                    strlen("## ❌ whopconf: FAIL — 4 failed, 4 warnings, 22 passed, 4 skipped (34 requirements)\n")) == 0,
            "%.120s", md);
  cr_assert(strstr(md, "> [!CAUTION]") && strstr(md, "--insecure"), "weakened flags not called out");
  cr_assert_eq(rs_count(md, "|---|---|---|---|---|"), 1, "one table");
  const char *fail = strstr(md, "| ❌ fail |"), *warn = strstr(md, "| ⚠️ warn |");
  const char *skip = strstr(md, "| ⏭️ skip |"), *pass = strstr(md, "| ✅ pass |");
  cr_assert(fail && warn && skip && pass && fail < warn && warn < skip && skip < pass);
  cr_assert_eq(rs_count(md, "| ❌ fail |"), 4);
  cr_assert(strstr(md, "[report.html](report.html)") && strstr(md, "[junit.xml](junit.xml)") &&
            strstr(md, "[report.sarif](report.sarif)"));
  /* Every table row has exactly six unescaped pipes. */
  for (const char *line = md; *line;) {
    const char *eol = strchr(line, '\n');
    size_t len = eol ? (size_t)(eol - line) : strlen(line);
    if (len > 2 && line[0] == '|' && line[1] == ' ') {
      int pipes = 0;
      for (size_t i = 0; i < len; i++) pipes += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
      cr_assert_eq(pipes, 6, "row with %d pipes: %.*s", pipes, (int)len, line);
    }
    line = eol ? eol + 1 : line + len;
  }
  free(md);
  cJSON *ok = rs_fixture();
  cJSON *req;
  cJSON_ArrayForEach(req, cJSON_GetObjectItemCaseSensitive(ok, "requirements")) {
    const char *status = cJSON_GetObjectItemCaseSensitive(req, "status")->valuestring;
    if (strcmp(status, "fail") == 0) set_string(req, "status", "pass");
  }
  set_string(cJSON_GetObjectItemCaseSensitive(ok, "summary"), "verdict", "pass");
  cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(ok, "run"), "weakened", cJSON_CreateArray());
  md = wc_report_render_markdown(ok, &err);
  cr_assert(strncmp(md, "## ✅ whopconf: PASS — 0 failed", strlen("## ✅ whopconf: PASS — 0 failed")) == 0, "%.80s", md);
  cr_assert_null(strstr(md, "[!CAUTION]"));
  free(md);
  cJSON_Delete(ok);
  cJSON_Delete(doc);
}

/* ---- HTML ---- */

Test(report_html, self_contained_well_formed_with_counts) {
  cJSON *doc = rs_fixture();
  wc_spec *spec = rs_spec();
  char *dir = render_into("html", doc, spec, WC_REPORT_HTML);
  cr_assert_eq(rs_sh("xmllint --noout '%s/report.html'", dir), 0, "report.html is not well-formed");
  /* libxml2's HTML parser does not know HTML5 elements: only those complaints are allowed. */
  cr_assert_eq(rs_sh("xmllint --html --noout '%s/report.html' 2>&1 | grep 'error' | grep -v 'Tag [a-z]* invalid'",
                     dir), 1, "HTML parser errors");
  char *html = rs_read_in(dir, "report.html");
  cr_assert(strstr(html, "data-count-failed=\"4\" data-count-warnings=\"4\" data-count-passed=\"22\" "
                         "data-count-skipped=\"4\" data-count-total=\"34\""));
  cr_assert(strstr(html, "id=\"verdict\" class=\"verdict verdict-fail\""));
  cr_assert(strstr(html, "id=\"weakened\""));
  cr_assert_eq(rs_count(html, "<tr class=\"req "), 34);
  /* Failures first. */
  cr_assert(strstr(html, "<tr class=\"req st-fail\"") < strstr(html, "<tr class=\"req st-warn\""));
  cr_assert(strstr(html, "<tr class=\"req st-warn\"") < strstr(html, "<tr class=\"req st-skip\""));
  cr_assert(strstr(html, "<tr class=\"req st-skip\"") < strstr(html, "<tr class=\"req st-pass\""));
  /* Self-contained: nothing is loaded from anywhere. */
  cr_assert_null(strstr(html, " src="));
  cr_assert_null(strstr(html, "<link"));
  cr_assert_null(strstr(html, "url("));
  cr_assert_null(strstr(html, "@import"));
  cr_assert(strstr(html, "default-src 'none'"));
  cr_assert(strstr(html, "script-src 'sha256-"));
  /* Evidence and spec excerpt of a failed requirement. */
  const char *d = strstr(html, "<details class=\"req\" id=\"d-WC-US-001\">");
  cr_assert_not_null(d);
  const char *end = strstr(d, "</details></td></tr>");
  cr_assert(strstr(d, "<details class=\"exchange\" id=\"ev-WC-US-001-x2\"") < end);
  cr_assert(strstr(d, "Spec excerpt: spec/openapi.yml lines 58 to 69") < end);
  cr_assert(strstr(d, "<span class=\"l hit\"><span class=\"ln\">61</span>") < end);
  cr_assert(strstr(d, "Authorization: Bearer ***") < end);
  cr_assert(strstr(d, "curl -sS -X PATCH") < end);
  /* Data block parses and is the document (exchanges aside). */
  const char *data = strstr(html, "<script type=\"application/json\" id=\"wc-data\">");
  cr_assert_not_null(data);
  data += strlen("<script type=\"application/json\" id=\"wc-data\">");
  char *json = wc_strndup(data, (size_t)(strstr(data, "</script>") - data));
  cJSON *parsed = rs_strict_json(json, "the data block");
  cr_assert(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(parsed, "summary"), cJSON_GetObjectItemCaseSensitive(doc, "summary"), true));
  cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(parsed, "requirements")), 34);
  cJSON_Delete(parsed);
  free(json);
  free(html);
  wc_spec_free(spec);
  cJSON_Delete(doc);
  free(dir);
}

Test(report_html, without_a_spec_says_so) {
  cJSON *doc = rs_fixture();
  wc_err err;
  char *html = wc_report_render_html(doc, NULL, &err);
  cr_assert_not_null(html);
  cr_assert_null(strstr(html, "Spec excerpt"));
  cr_assert(strstr(html, "spec/openapi.yml line 61 (the spec source was not available"));
  free(html);
  cJSON_Delete(doc);
}

Test(report_html, template_assets_are_xml_safe) {
  /* The CSS and JS are inlined in a page that must stay well-formed XML. */
  char *css = rs_read(WC_SOURCE_DIR "/reports/templates/report.css", NULL);
  cr_assert_null(strchr(css, '<'));
  cr_assert_null(strchr(css, '&'));
  char *js = rs_read(WC_SOURCE_DIR "/reports/templates/report.js", NULL);
  cr_assert_null(strstr(js, "]]>"));
  cr_assert_null(strstr(js, "</script"));
  cr_assert_eq(rs_sh("command -v node >/dev/null || exit 0; node --check '%s/reports/templates/report.js'",
                     WC_SOURCE_DIR), 0);
  free(css);
  free(js);
}

/* ---- robustness: what a hand-edited or foreign document may look like ---- */

Test(report_robust, minimal_and_mistyped_documents_render) {
  const char *docs[] = {
      "{\"format\":\"whopconf-report\",\"format_version\":1,\"requirements\":[]}",
      "{\"format\":\"whopconf-report\",\"format_version\":1,\"requirements\":[{\"id\":\"WC-US-001\"}]}",
      "{\"format\":\"whopconf-report\",\"format_version\":1,\"run\":7,\"summary\":[],\"exchanges\":{},"
      "\"requirements\":[{\"id\":\"WC-ZZ-999\",\"status\":\"fail\",\"family\":5,\"findings\":[1,null,"
      "{\"exchange\":\"nope\",\"instance_pointer\":3}],\"evidence\":[\"x1\",7],\"checks\":-4,\"spec_line\":1e300}]}",
      "{\"format\":\"whopconf-report\",\"format_version\":1,\"exchanges\":[{\"id\":\"x1\",\"request\":null,"
      "\"response\":{\"status\":\"200\",\"headers\":[{\"name\":null}],\"body\":5}},7],"
      "\"requirements\":[{\"id\":\"WC-TR-001\",\"status\":\"warn\",\"evidence\":[\"x1\"],"
      "\"findings\":[{\"exchange\":\"x1\"}]}]}",
  };
  wc_spec *spec = rs_spec();
  wc_err err;
  cJSON *odd = cJSON_Parse(docs[1]); /* no status at all */
  char *xml = wc_report_render_junit(odd, &err);
  cr_assert(strstr(xml, "<error type=\"unknown-status\""), "an unknown status must not pass: %s", xml);
  cr_assert(strstr(xml, "errors=\"1\""));
  free(xml);
  cJSON_Delete(odd);
  for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
    cJSON *doc = cJSON_Parse(docs[i]);
    cr_assert_not_null(doc);
    char *dir = render_into("robust", doc, spec, WC_REPORT_ALL);
    cr_assert_eq(rs_sh("xmllint --noout --schema '%s/tests/junit.xsd' '%s/junit.xml'", WC_SOURCE_DIR, dir), 0,
                 "document %zu", i);
    cr_assert_eq(rs_sh("xmllint --noout '%s/report.html'", dir), 0, "document %zu", i);
    const char *json_files[] = {"report.json", "report.sarif", "traffic.har"};
    for (size_t j = 0; j < 3; j++) {
      char *text = rs_read_in(dir, json_files[j]);
      cJSON_Delete(rs_strict_json(text, json_files[j]));
      free(text);
    }
    free(dir);
    cJSON_Delete(doc);
  }
  wc_spec_free(spec);
}
