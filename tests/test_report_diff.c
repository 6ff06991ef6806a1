/* `whopconf report diff`: what regressed between two runs. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/report_support.h"
#include "whopconf/report.h"

static cJSON *req_by_id(cJSON *doc, const char *id) {
  cJSON *req;
  cJSON_ArrayForEach(req, cJSON_GetObjectItemCaseSensitive(doc, "requirements")) {
    if (strcmp(cJSON_GetObjectItemCaseSensitive(req, "id")->valuestring, id) == 0) return req;
  }
  cr_assert_fail("no %s", id);
  return NULL;
}

static void set_status(cJSON *doc, const char *id, const char *status) {
  cJSON_ReplaceItemInObjectCaseSensitive(req_by_id(doc, id), "status", cJSON_CreateString(status));
}

static void add_finding(cJSON *doc, const char *id, const char *message) {
  cJSON *f = cJSON_CreateObject();
  cJSON_AddStringToObject(f, "case", "c");
  cJSON_AddNullToObject(f, "instance_pointer");
  cJSON_AddNullToObject(f, "spec_pointer");
  cJSON_AddNullToObject(f, "keyword");
  cJSON_AddStringToObject(f, "message", message);
  cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(req_by_id(doc, id), "findings"), f);
}

/* Runs the diff; returns its result and leaves the text in *out. */
static int diff(const cJSON *old_doc, const cJSON *new_doc, char **out) {
  wc_buf buf;
  wc_buf_init(&buf);
  wc_err err;
  int rc = wc_report_diff(old_doc, new_doc, &buf, &err);
  if (rc < 0) cr_log_info("diff: %s", err.msg);
  *out = wc_buf_steal(&buf);
  return rc;
}

Test(report_diff, identical_reports_did_not_regress) {
  cJSON *a = rs_fixture(), *b = rs_fixture();
  char *text;
  cr_assert_eq(diff(a, b, &text), 0);
  cr_assert(strstr(text, "no requirement changed status"), "%s", text);
  cr_assert(strstr(text, "Still failing (4): WC-US-001, WC-DM-001, WC-VER-002, WC-TR-001\n"), "%s", text);
  cr_assert(strstr(text, "result: no regression"), "%s", text);
  free(text);
  cJSON_Delete(a);
  cJSON_Delete(b);
}

Test(report_diff, a_new_failure_is_a_regression) {
  cJSON *a = rs_fixture(), *b = rs_fixture();
  set_status(b, "WC-ERR-002", "fail");
  add_finding(b, "WC-ERR-002", "/error/message: expected string, got null");
  char *text;
  add_finding(b, "WC-US-001", "another one");
  cr_assert_eq(diff(a, b, &text), 1);
  cr_assert(strstr(text, "Still failing (4): WC-US-001 (findings differ), WC-DM-001,"), "%s", text);
  cr_assert(strstr(text, "New failures (1):\n  WC-ERR-002 [MUST] pass -> fail: Every 4xx carries"), "%s", text);
  cr_assert(strstr(text, "expected string, got null"), "%s", text);
  cr_assert(strstr(text, "result: REGRESSED (1 new failure)"), "%s", text);
  cr_assert(strstr(text, "counts:  failed 4 -> 5"), "%s", text);
  free(text);
  cJSON_Delete(a);
  cJSON_Delete(b);
}

Test(report_diff, a_fixed_requirement_is_not) {
  cJSON *a = rs_fixture(), *b = rs_fixture();
  set_status(b, "WC-US-001", "pass");
  cJSON_ReplaceItemInObjectCaseSensitive(req_by_id(b, "WC-US-001"), "findings", cJSON_CreateArray());
  char *text;
  cr_assert_eq(diff(a, b, &text), 0);
  cr_assert(strstr(text, "Fixed (1):\n  WC-US-001 [MUST] fail -> pass"), "%s", text);
  cr_assert(strstr(text, "result: no regression (1 fixed"), "%s", text);
  free(text);
  cJSON_Delete(a);
  cJSON_Delete(b);
}

Test(report_diff, changed_warnings_are_reported_not_regressions) {
  cJSON *a = rs_fixture(), *b = rs_fixture();
  /* one new, one gone, one with other findings */
  set_status(b, "WC-ERR-007", "warn");
  add_finding(b, "WC-ERR-007", "status 418 is not documented");
  set_status(b, "WC-TR-006", "pass");
  cJSON_ReplaceItemInObjectCaseSensitive(req_by_id(b, "WC-TR-006"), "findings", cJSON_CreateArray());
  add_finding(b, "WC-DM-008", "another total_usd");
  char *text;
  cr_assert_eq(diff(a, b, &text), 0);
  cr_assert(strstr(text, "New warnings (1):\n  WC-ERR-007 [SHOULD] pass -> warn"), "%s", text);
  cr_assert(strstr(text, "Warnings gone (1):\n  WC-TR-006 [SHOULD] warn -> pass"), "%s", text);
  cr_assert(strstr(text, "Changed warnings (findings differ) (1):\n  WC-DM-008 [SHOULD] warn -> warn"), "%s", text);
  cr_assert(strstr(text, "result: no regression (0 fixed, 3 warning changes)"), "%s", text);
  free(text);
  cJSON_Delete(a);
  cJSON_Delete(b);
}

Test(report_diff, findings_order_and_exchange_ids_do_not_count) {
  cJSON *a = rs_fixture(), *b = rs_fixture();
  add_finding(a, "WC-DM-008", "one");
  add_finding(a, "WC-DM-008", "two");
  add_finding(b, "WC-DM-008", "two");
  add_finding(b, "WC-DM-008", "one");
  cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(req_by_id(b, "WC-DM-008"), "findings"), 0);
  cJSON_ReplaceItemInObjectCaseSensitive(f, "exchange", cJSON_CreateString("x99"));
  char *text;
  cr_assert_eq(diff(a, b, &text), 0);
  cr_assert_null(strstr(text, "Changed warnings"), "%s", text);
  free(text);
  cJSON_Delete(a);
  cJSON_Delete(b);
}

Test(report_diff, strict_warning_that_fails_is_a_regression) {
  cJSON *a = rs_fixture(), *b = rs_fixture();
  cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(b, "run"), "strict", cJSON_CreateTrue());
  char *text;
  cr_assert_eq(diff(a, b, &text), 1);
  cr_assert(strstr(text, "New failures (4):"), "%s", text);
  free(text);
  cJSON_Delete(a);
  cJSON_Delete(b);
}

Test(report_diff, could_not_test_is_a_regression) {
  cJSON *a = rs_fixture(), *b = rs_fixture();
  cJSON *summary = cJSON_GetObjectItemCaseSensitive(b, "summary");
  cJSON_ReplaceItemInObjectCaseSensitive(summary, "verdict", cJSON_CreateString("error"));
  cJSON_AddStringToObject(summary, "reason", "connection refused\x1b[2J");
  char *text;
  cr_assert_eq(diff(a, b, &text), 1);
  cr_assert(strstr(text, "the new run could not test the target: connection refused\xe2\x90\x9b[2J"), "%s", text);
  cr_assert_null(strchr(text, '\x1b'), "terminal escapes from the report reach the terminal");
  free(text);
  cJSON_Delete(a);
  cJSON_Delete(b);
}

Test(report_diff, untested_and_missing_requirements) {
  cJSON *a = rs_fixture(), *b = rs_fixture();
  set_status(b, "WC-UPD-001", "skip");
  cJSON_ReplaceItemInObjectCaseSensitive(req_by_id(b, "WC-UPD-001"), "reason", cJSON_CreateString("--allow-writes not given"));
  cJSON *reqs = cJSON_GetObjectItemCaseSensitive(b, "requirements");
  cJSON_DeleteItemFromArray(reqs, cJSON_GetArraySize(reqs) - 1); /* WC-TR-006 */
  char *text;
  cr_assert_eq(diff(a, b, &text), 0);
  cr_assert(strstr(text, "No longer tested (now skipped) (1):\n  WC-UPD-001 [MUST] pass -> skip"), "%s", text);
  cr_assert(strstr(text, "--allow-writes not given"), "%s", text);
  cr_assert(strstr(text, "Requirements missing from the new report (1):\n  WC-TR-006 [SHOULD] warn -> absent"), "%s", text);
  free(text);
  cJSON_Delete(a);
  cJSON_Delete(b);
}

Test(report_diff, a_requirement_new_in_the_catalogue_that_fails_regresses) {
  cJSON *a = rs_fixture(), *b = rs_fixture();
  cJSON *reqs = cJSON_GetObjectItemCaseSensitive(a, "requirements");
  cJSON_DeleteItemFromArray(reqs, 0); /* WC-US-001 did not exist before */
  char *text;
  cr_assert_eq(diff(a, b, &text), 1);
  cr_assert(strstr(text, "WC-US-001 [MUST] absent -> fail"), "%s", text);
  free(text);
  cJSON_Delete(a);
  cJSON_Delete(b);
}

Test(report_diff, refuses_what_is_not_a_report) {
  cJSON *a = rs_fixture();
  cJSON *b = cJSON_Parse("{\"format\":\"whopconf-run-context\"}");
  wc_buf buf;
  wc_buf_init(&buf);
  wc_err err;
  cr_assert_eq(wc_report_diff(a, b, &buf, &err), -1);
  cr_assert(strncmp(err.msg, "NEW: not a whopconf report", 26) == 0, "%s", err.msg);
  cr_assert_eq(wc_report_diff(b, a, &buf, &err), -1);
  cr_assert(strncmp(err.msg, "OLD: ", 5) == 0, "%s", err.msg);
  wc_buf_free(&buf);
  cJSON_Delete(a);
  cJSON_Delete(b);
}
