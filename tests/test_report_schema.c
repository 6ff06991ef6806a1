/* The formats against their schemas, checked with whopconf's own JSON Schema
 * validator: report.json against reports/report.schema.json (the documented
 * format), report.sarif against a reduced SARIF 2.1.0 schema and
 * traffic.har against a reduced HAR 1.2 schema (both in tests/). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/params.h"
#include "support/report_support.h"
#include "whopconf/report.h"
#include "whopconf/schema.h"
#include "whopconf/spec.h"

#define REPORT_SCHEMA WC_SOURCE_DIR "/reports/report.schema.json"
#define SARIF_SCHEMA WC_SOURCE_DIR "/tests/sarif-2.1.0-reduced.schema.json"
#define HAR_SCHEMA WC_SOURCE_DIR "/tests/har-1.2-reduced.schema.json"

static cJSON *render_json(char *(*render)(const cJSON *, wc_err *), const cJSON *doc) {
  wc_err err;
  char *text = render(doc, &err);
  cr_assert_not_null(text, "%s", err.msg);
  cJSON *out = rs_strict_json(text, "rendered document");
  free(text);
  return out;
}

static cJSON *render_sarif(const cJSON *doc, const wc_spec *spec) {
  wc_err err;
  char *text = wc_report_render_sarif(doc, spec, &err);
  cr_assert_not_null(text, "%s", err.msg);
  cJSON *out = rs_strict_json(text, "report.sarif");
  free(text);
  return out;
}

Test(report_schema, the_schema_is_valid_2020_12_and_documented) {
  cJSON *schema = rs_load(REPORT_SCHEMA);
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(schema, "$schema")->valuestring,
                   "https://json-schema.org/draft/2020-12/schema");
  cr_assert(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(schema, "description")));
  wc_schema_opts opts;
  wc_schema_opts_default(&opts);
  wc_err err;
  wc_schema *compiled = wc_schema_compile(schema, "#", &opts, &err);
  cr_assert_not_null(compiled, "%s", err.msg);
  wc_schema_free(compiled);
  cJSON_Delete(schema);
}

Test(report_schema, fixture_is_a_valid_report) {
  cJSON *doc = rs_fixture();
  cr_assert_eq(rs_schema_errors(REPORT_SCHEMA, doc), 0);
  /* and so is what wc_report_write makes of it */
  char *dir = rs_dir("schema");
  wc_err err;
  cr_assert_eq(wc_report_write(doc, NULL, dir, WC_REPORT_JSON, &err), 0, "%s", err.msg);
  cJSON *written = rs_load_in(dir, "report.json");
  cr_assert_eq(rs_schema_errors(REPORT_SCHEMA, written), 0);
  cJSON_Delete(written);
  free(dir);
  cJSON_Delete(doc);
}

/* Each mutation breaks one promise of the format; the schema must notice. */
static const struct {
  const char *what, *pointer, *json; /* pointer: "/a/0/b" replaced by json ("" = removed) */
} broken_reports[] = {
    {"wrong format", "/format", "\"whopconf-rep\""},
    {"future version", "/format_version", "2"},
    {"no summary", "/summary", ""},
    {"bad verdict", "/summary/verdict", "\"ok\""},
    {"negative count", "/summary/failed", "-1"},
    {"error without reason", "/summary/verdict", "\"error\""},
    {"bad status", "/requirements/0/status", "\"failed\""},
    {"bad level", "/requirements/0/level", "\"MAY\""},
    {"bad id", "/requirements/0/id", "\"US-1\""},
    {"fail without findings", "/requirements/0/findings", "[]"},
    {"warning on a MUST", "/requirements/0/status", "\"warn\""},
    {"pointer not a pointer", "/requirements/0/findings/0/instance_pointer", "\"balances/0\""},
    {"finding without message", "/requirements/0/findings/0/message", ""},
    {"unredacted Authorization", "/exchanges/0/request/headers/0/value", "\"Bearer abc.def\""},
    {"credential in curl", "/exchanges/0/curl", "\"curl -H 'Authorization: Bearer abcdef'\""},
    {"response and error both null", "/exchanges/0/response", "null"},
    {"bad sha256", "/run/spec/sha256", "\"xyz\""},
    {"bad started_at", "/run/started_at", "\"yesterday\""},
    {"credentials with a value", "/run/credentials/token", "\"wc_user_token\""},
};
TABLE_PARAMETERS(report_schema, rejects_broken_reports, broken_reports)
ParameterizedTest(const size_t *entry, report_schema, rejects_broken_reports) {
  const size_t i = *entry;
  cJSON *doc = rs_fixture();
  /* Walk to the parent of the pointer's last token. */
  char *path = wc_strdup(broken_reports[i].pointer + 1);
  char *last = strrchr(path, '/');
  cJSON *parent = doc;
  if (last) {
    *last++ = '\0';
    for (char *tok = strtok(path, "/"); tok; tok = strtok(NULL, "/"))
      parent = cJSON_IsArray(parent) ? cJSON_GetArrayItem(parent, atoi(tok))
                                     : cJSON_GetObjectItemCaseSensitive(parent, tok);
  } else {
    last = path;
  }
  cr_assert_not_null(parent, "%s: no parent", broken_reports[i].what);
  if (*broken_reports[i].json)
    cr_assert(cJSON_ReplaceItemInObjectCaseSensitive(parent, last, cJSON_Parse(broken_reports[i].json)), "%s", broken_reports[i].what);
  else
    cJSON_DeleteItemFromObjectCaseSensitive(parent, last);
  free(path);
  cr_expect_gt(rs_schema_errors(REPORT_SCHEMA, doc), 0, "the schema accepts a report with %s", broken_reports[i].what);
  cJSON_Delete(doc);
}

/* The MUSTs whose oracle allows some answers as warnings may warn; the
 * others may not (rejects_broken_reports, "warning on a MUST"). */
Test(report_schema, warning_on_a_must_with_allowed_answers) {
  static const struct {
    const char *id;
    bool valid;
  } cases[] = {{"WC-UPD-005", true}, {"WC-UPD-001", true}, {"WC-ERR-004", true},
                 {"WC-UPD-002", false}, {"WC-TR-001", false}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cJSON *doc = rs_fixture();
    cJSON *req = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "requirements"), 0);
    cJSON_ReplaceItemInObjectCaseSensitive(req, "id", cJSON_CreateString(cases[i].id));
    cJSON_ReplaceItemInObjectCaseSensitive(req, "level", cJSON_CreateString("MUST"));
    cJSON_ReplaceItemInObjectCaseSensitive(req, "status", cJSON_CreateString("warn"));
    size_t errors = rs_schema_errors(REPORT_SCHEMA, doc);
    if (cases[i].valid)
      cr_expect_eq(errors, 0, "a warning on %s is refused", cases[i].id);
    else
      cr_expect_gt(errors, 0, "a warning on %s is accepted", cases[i].id);
    cJSON_Delete(doc);
  }
}

Test(report_schema, sarif_matches_the_reduced_sarif_schema) {
  cJSON *doc = rs_fixture();
  wc_spec *spec = rs_spec();
  cJSON *sarif = render_sarif(doc, spec);
  cr_assert_eq(rs_schema_errors(SARIF_SCHEMA, sarif), 0);
  cJSON_Delete(sarif);
  sarif = render_sarif(doc, NULL);
  cr_assert_eq(rs_schema_errors(SARIF_SCHEMA, sarif), 0);
  cJSON_Delete(sarif);
  /* The reduced schema does catch mistakes. */
  cJSON *broken = render_sarif(doc, spec);
  cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(broken, "runs"), 0);
  cJSON *result = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(run, "results"), 0);
  cJSON_AddStringToObject(result, "ruleID", "typo");
  cr_assert_gt(rs_schema_errors(SARIF_SCHEMA, broken), 0);
  cJSON_Delete(broken);
  wc_spec_free(spec);
  cJSON_Delete(doc);
}

Test(report_schema, sarif_of_a_run_that_could_not_test) {
  cJSON *doc = rs_fixture();
  cJSON *summary = cJSON_GetObjectItemCaseSensitive(doc, "summary");
  cJSON_ReplaceItemInObjectCaseSensitive(summary, "verdict", cJSON_CreateString("error"));
  cJSON_AddStringToObject(summary, "reason", "timeout");
  cJSON *sarif = render_sarif(doc, NULL);
  cr_assert_eq(rs_schema_errors(SARIF_SCHEMA, sarif), 0);
  cJSON_Delete(sarif);
  cJSON_Delete(doc);
}

Test(report_schema, har_matches_the_reduced_har_schema) {
  cJSON *doc = rs_fixture();
  cJSON *har = render_json(wc_report_render_har, doc);
  cr_assert_eq(rs_schema_errors(HAR_SCHEMA, har), 0);
  cJSON_Delete(har);
  cJSON_Delete(doc);
}
