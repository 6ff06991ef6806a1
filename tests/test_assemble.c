/* The report assembly (assemble.h) without the runner: sources made of real
 * exchanges with the reference server over loopback and their observations,
 * folded into report.json; exchange numbering across sources, SHOULD as a
 * warning, exclusions, skip reasons and the verdict's precedence. Every
 * report is checked against reports/report.schema.json. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/report_support.h"
#include "whopconf/assemble.h"
#include "whopconf/catalog.h"
#include "whopconf/checks.h"
#include "whopconf/refserver.h"
#include "whopconf/request.h"
#include "whopconf/transport.h"

#define REPORT_SCHEMA WC_SOURCE_DIR "/reports/report.schema.json"

static wc_refserver *srv;
static wc_transport *transport;
static wc_spec *spec;
static wc_report_meta meta;

static void start(void) {
  wc_err err;
  wc_refserver_opts so;
  wc_refserver_opts_default(&so);
  srv = wc_refserver_start(&so, &err);
  cr_assert_not_null(srv, "%s", err.msg);
  transport = wc_transport_new(NULL, &err);
  cr_assert_not_null(transport, "%s", err.msg);
  spec = rs_spec();
  meta = (wc_report_meta){
      .spec = spec,
      .base_url = wc_refserver_base_url(srv),
      .embedded_server = true,
      .api_version = "2026-07-01",
      .started_at = "2026-11-27T12:00:00.000Z",
      .token = true,
  };
}

static void stop(void) {
  wc_spec_free(spec);
  wc_transport_free(transport);
  wc_refserver_stop(srv);
}

/* n real exchanges (PATCH {} with the reference server's token), as
 * wc_exchange_to_json objects with a "seq" and a "started_at", as the
 * runner records them. */
static cJSON *exchanges(int n) {
  cJSON *arr = cJSON_CreateArray();
  for (int i = 1; i <= n; i++) {
    wc_request_desc d = {.base_url = wc_refserver_base_url(srv), .token = WC_REFSERVER_DEFAULT_USER_TOKEN};
    wc_err err;
    wc_request *req = wc_request_build(&d, &err);
    cr_assert_not_null(req, "%s", err.msg);
    wc_exchange *x = wc_transport_send(transport, req);
    cr_assert_eq(wc_exchange_status(x), WC_XFER_OK);
    cJSON *j = wc_exchange_to_json(x, NULL, 0);
    cJSON_AddNumberToObject(j, "seq", i);
    cJSON_AddStringToObject(j, "started_at", "2026-11-27T12:00:00.000Z");
    cJSON_AddItemToArray(arr, j);
    wc_exchange_free(x);
    wc_request_free(req);
  }
  return arr;
}

static const cJSON *requirement(const cJSON *report, const char *id) {
  const cJSON *r;
  cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(report, "requirements")) {
    if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "id")), id) == 0) return r;
  }
  cr_assert_fail("%s not in the report", id);
  return NULL;
}

static const char *member(const cJSON *o, const char *name) {
  return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static double count_of(const cJSON *report, const char *name) {
  return cJSON_GetNumberValue(
      cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(report, "summary"), name));
}

/* The report of whatever was added, checked against the documented format. */
static cJSON *finish(wc_assembly *a, const wc_report_meta *m, int *code) {
  wc_err err;
  cJSON *report = wc_assembly_finish(a, m, code, &err);
  cr_assert_not_null(report, "%s", err.msg);
  wc_assembly_free(a);
  cr_assert_eq(rs_schema_errors(REPORT_SCHEMA, report), 0);
  return report;
}

TestSuite(assemble, .init = start, .fini = stop, .timeout = 60);

Test(assemble, numbers_exchanges_across_sources_and_folds_observations) {
  wc_err err;
  wc_assembly *a = wc_assembly_new(&err);
  cr_assert_not_null(a, "%s", err.msg);

  cJSON *xs = exchanges(2);
  wc_observations *obs = wc_observations_new();
  wc_observe(obs, WC_REQ_NO_5XX, WC_OBS_PASS, 1, "200 to PATCH {}");
  wc_observation *o = wc_observe(obs, WC_REQ_USER_SCHEMA, WC_OBS_FAIL, 2, "200 to PATCH {}: /id: wrong");
  wc_findings_add(o->findings, "/id", "#/components/schemas/User/properties/id", "type", WC_NO_OFFSET,
                  "expected string");
  wc_observe(obs, WC_REQ_USD_DECIMAL, WC_OBS_FAIL, 2, "price_usd is not a decimal"); /* a SHOULD */
  cr_assert_eq(wc_assembly_add_source(a, "group-a", obs, xs, &err), 0, "%s", err.msg);
  wc_observations_free(obs); /* the assembly keeps copies */
  cJSON_Delete(xs);

  xs = exchanges(1);
  obs = wc_observations_new();
  wc_observe(obs, WC_REQ_NO_5XX, WC_OBS_PASS, 1, "200 to PATCH {}");
  wc_observe(obs, WC_REQ_USER_SCHEMA, WC_OBS_FAIL, 1, "second failure");
  wc_observe(obs, WC_REQ_API_KEY_400, WC_OBS_SKIP, 0, "no API key given");
  cr_assert_eq(wc_assembly_add_source(a, "group-b", obs, xs, &err), 0, "%s", err.msg);
  wc_observations_free(obs);
  cJSON_Delete(xs);

  int code = -1;
  cJSON *report = finish(a, &meta, &code);
  cr_expect_eq(code, 1);
  cr_expect_str_eq(member(cJSON_GetObjectItemCaseSensitive(report, "summary"), "verdict"), "fail");
  cr_expect_eq(count_of(report, "total"), (double)wc_catalog_count());
  cr_expect_eq(count_of(report, "failed"), 1);
  cr_expect_eq(count_of(report, "warnings"), 1);
  cr_expect_eq(count_of(report, "passed"), 1);

  /* x1 x2 from the first source, x3 from the second; "seq" dropped. */
  const cJSON *all = cJSON_GetObjectItemCaseSensitive(report, "exchanges");
  cr_assert_eq(cJSON_GetArraySize(all), 3);
  static const char *const ids[] = {"x1", "x2", "x3"}, *const sources[] = {"group-a", "group-a", "group-b"};
  for (int i = 0; i < 3; i++) {
    const cJSON *x = cJSON_GetArrayItem(all, i);
    cr_expect_str_eq(member(x, "id"), ids[i]);
    cr_expect_str_eq(member(x, "case"), sources[i]);
    cr_expect_str_eq(x->child->next->next->string, "started_at");
    cr_expect_null(cJSON_GetObjectItemCaseSensitive(x, "seq"));
  }

  const cJSON *schema = requirement(report, WC_REQ_USER_SCHEMA);
  cr_expect_str_eq(member(schema, "status"), "fail");
  cr_expect_str_eq(member(schema, "reason"), "200 to PATCH {}: /id: wrong [2 of 2 checks failed]");
  const cJSON *findings = cJSON_GetObjectItemCaseSensitive(schema, "findings");
  cr_assert_eq(cJSON_GetArraySize(findings), 2);
  const cJSON *f0 = cJSON_GetArrayItem(findings, 0), *f1 = cJSON_GetArrayItem(findings, 1);
  cr_expect_str_eq(member(f0, "case"), "group-a");
  cr_expect_str_eq(member(f0, "exchange"), "x2");
  cr_expect_str_eq(member(f0, "instance_pointer"), "/id");
  cr_expect_str_eq(member(f0, "keyword"), "type");
  cr_expect_str_eq(member(f1, "exchange"), "x3"); /* the second source's exchange 1 */
  cr_expect_str_eq(member(f1, "message"), "second failure");
  cr_expect(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(f1, "instance_pointer")));

  cr_expect_str_eq(member(requirement(report, WC_REQ_USD_DECIMAL), "status"), "warn");
  const cJSON *tr = requirement(report, WC_REQ_NO_5XX);
  cr_expect_str_eq(member(tr, "status"), "pass");
  cr_expect_str_eq(member(tr, "reason"), "2 checks passed");
  cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(tr, "evidence")), 2);
  cr_expect_str_eq(member(requirement(report, WC_REQ_API_KEY_400), "reason"), "no API key given");
  cr_expect_str_eq(member(requirement(report, WC_REQ_WWW_AUTH), "reason"), "not observed in this run");
  cJSON_Delete(report);
}

Test(assemble, exclusions_and_unobserved_reasons) {
  wc_err err;
  wc_assembly *a = wc_assembly_new(&err);
  cr_assert_not_null(a);
  cr_expect_eq(wc_assembly_exclude(a, "WC-NOPE-001", "x", &err), -1);
  cr_expect_eq(err.code, WC_E_USAGE);
  cr_assert_eq(wc_assembly_exclude(a, WC_REQ_USER_SCHEMA, "left out", &err), 0);
  cr_assert_eq(wc_assembly_unobserved_reason(a, NULL, "nothing sent", &err), 0);
  cr_assert_eq(wc_assembly_unobserved_reason(a, WC_REQ_RESPONSE_TIME, "no budget", &err), 0);
  cr_assert_eq(wc_assembly_unobserved_reason(a, WC_REQ_USER_SCHEMA, "ignored", &err), 0);
  cJSON *xs = exchanges(1);
  wc_observations *obs = wc_observations_new();
  wc_observe(obs, WC_REQ_USER_SCHEMA, WC_OBS_FAIL, 1, "excluded, so not counted");
  cr_assert_eq(wc_assembly_add_source(a, "only", obs, xs, &err), 0);
  wc_observations_free(obs);
  cJSON_Delete(xs);
  int code = -1;
  cJSON *report = finish(a, &meta, &code);
  cr_expect_eq(code, 0);
  const cJSON *schema = requirement(report, WC_REQ_USER_SCHEMA);
  cr_expect_str_eq(member(schema, "status"), "skip");
  cr_expect_str_eq(member(schema, "reason"), "left out");
  cr_expect_eq(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(schema, "checks")), 0);
  cr_expect_str_eq(member(requirement(report, WC_REQ_RESPONSE_TIME), "reason"), "no budget");
  cr_expect_str_eq(member(requirement(report, WC_REQ_NO_5XX), "reason"), "nothing sent");
  cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(report, "exchanges")), 1);
  cJSON_Delete(report);
}

/* One case of the verdict table: what was observed, what was stated. */
typedef struct verdict_case {
  const char *name;
  wc_obs_status observed; /* on WC-US-001 (MUST) or, when should, WC-DM-004 */
  bool should, strict;
  const char *stopped, *incomplete;
  int code;
  const char *reason; /* summary.reason; NULL = absent */
} verdict_case;

static const verdict_case verdicts[] = {
    {"all pass", WC_OBS_PASS, false, false, NULL, NULL, 0, NULL},
    {"a MUST fails", WC_OBS_FAIL, false, false, NULL, NULL, 1, NULL},
    {"a SHOULD warns", WC_OBS_FAIL, true, false, NULL, NULL, 0, NULL},
    {"a SHOULD warns, strict", WC_OBS_FAIL, true, true, NULL, NULL, 1, NULL},
    {"stopped beats a failure", WC_OBS_FAIL, false, false, "target gone", "crashed", 3, "target gone"},
    {"a failure beats incomplete", WC_OBS_FAIL, false, false, NULL, "crashed", 1, NULL},
    {"incomplete alone", WC_OBS_PASS, false, false, NULL, "crashed", 3, "crashed"},
};

#define NVERDICTS (sizeof verdicts / sizeof verdicts[0])

/* Parameters are indices: a worker is a new process, where pointers into
 * the parent's strings would mean nothing. */
ParameterizedTestParameters(assemble, verdict) {
  static size_t idx[NVERDICTS];
  for (size_t i = 0; i < NVERDICTS; i++) idx[i] = i;
  return cr_make_param_array(size_t, idx, NVERDICTS);
}

ParameterizedTest(size_t *index, assemble, verdict) {
  const verdict_case *v = &verdicts[*index];
  {
    wc_err err;
    wc_assembly *a = wc_assembly_new(&err);
    cr_assert_not_null(a);
    wc_observations *obs = wc_observations_new();
    wc_observe(obs, v->should ? WC_REQ_USD_DECIMAL : WC_REQ_USER_SCHEMA, v->observed, 0, "observed");
    cr_assert_eq(wc_assembly_add_source(a, "s", obs, NULL, &err), 0);
    wc_observations_free(obs);
    if (v->stopped) wc_assembly_stopped(a, v->stopped);
    if (v->stopped) wc_assembly_stopped(a, "a later reason is not kept");
    if (v->incomplete) wc_assembly_incomplete(a, v->incomplete);
    wc_report_meta m = meta;
    m.strict = v->strict;
    int code = -1;
    cJSON *report = finish(a, &m, &code);
    const cJSON *summary = cJSON_GetObjectItemCaseSensitive(report, "summary");
    cr_expect_eq(code, v->code, "%s", v->name);
    cr_expect_eq(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(summary, "exit_code")), v->code, "%s",
                 v->name);
    if (v->reason)
      cr_expect_str_eq(member(summary, "reason"), v->reason, "%s", v->name);
    else
      cr_expect_null(cJSON_GetObjectItemCaseSensitive(summary, "reason"), "%s", v->name);
    cJSON_Delete(report);
  }
}

/* Caps bound what a long stretch of traffic leaves in memory: findings and
 * evidence per requirement, exchange records; a null record is numbered and
 * counted; a snapshot leaves the assembly to go on; findings say their side. */
Test(assemble, caps_null_records_sides_and_snapshots) {
  wc_err err;
  wc_assembly *a = wc_assembly_new(&err);
  cr_assert_not_null(a, "%s", err.msg);
  wc_assembly_set_caps(a, &(wc_assembly_caps){.findings = 2, .evidence = 2, .exchanges = 1, .sides = true});
  cJSON *one = exchanges(1);
  cJSON *unrecorded = cJSON_CreateArray();
  cJSON_AddItemToArray(unrecorded, cJSON_CreateNull());
  for (int i = 0; i < 4; i++) {
    wc_observations *obs = wc_observations_new();
    wc_observe(obs, WC_REQ_USER_SCHEMA, WC_OBS_FAIL, 1, "exchange %d: wrong", i + 1);
    wc_observe(obs, WC_REQ_CL_AUTHORIZATION, WC_OBS_FAIL, 1, "request: no Authorization header");
    /* x1 and x4 null; x2 and x3 offered, the cap keeps x2 */
    cr_assert_eq(wc_assembly_add_source(a, "traffic", obs, i == 1 || i == 2 ? one : unrecorded, &err), 0);
    wc_observations_free(obs);
    if (i == 1) {
      int code;
      cJSON *snap = wc_assembly_snapshot(a, &meta, &code, &err);
      cr_assert_not_null(snap, "%s", err.msg);
      cr_expect_eq(code, 1);
      cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(requirement(snap, WC_REQ_USER_SCHEMA),
                                                                         "findings")), 2);
      cJSON_Delete(snap);
    }
  }
  cr_expect_eq(wc_assembly_exchanges_left_out(a), 3, "one record kept of four exchanges");
  int code;
  cJSON *report = finish(a, &meta, &code);
  cr_expect_eq(code, 1);
  const cJSON *us = requirement(report, WC_REQ_USER_SCHEMA);
  const cJSON *findings = cJSON_GetObjectItemCaseSensitive(us, "findings");
  cr_assert_eq(cJSON_GetArraySize(findings), 3, "two findings and the note");
  cr_expect_str_eq(member(cJSON_GetArrayItem(findings, 0), "exchange"), "x1");
  cr_expect_str_eq(member(cJSON_GetArrayItem(findings, 1), "exchange"), "x2");
  cr_expect_str_eq(member(cJSON_GetArrayItem(findings, 0), "side"), "response");
  cr_expect_str_eq(member(cJSON_GetArrayItem(findings, 2), "message"), "2 more findings not listed");
  cr_expect_str_eq(member(us, "reason"), "exchange 1: wrong [4 of 4 checks failed]");
  const cJSON *evidence = cJSON_GetObjectItemCaseSensitive(us, "evidence");
  cr_expect_eq(cJSON_GetArraySize(evidence), 2);
  const cJSON *cl = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(requirement(report, WC_REQ_CL_AUTHORIZATION),
                                                                      "findings"), 0);
  cr_expect_str_eq(member(cl, "side"), "request");
  const cJSON *xs = cJSON_GetObjectItemCaseSensitive(report, "exchanges");
  cr_assert_eq(cJSON_GetArraySize(xs), 1);
  cr_expect_str_eq(member(cJSON_GetArrayItem(xs, 0), "id"), "x2");
  cJSON_Delete(report);
  cJSON_Delete(one);
  cJSON_Delete(unrecorded);
}
