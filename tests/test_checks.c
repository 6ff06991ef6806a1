/* Unit tests of the pure checks (checks.c, checks_meaning.c) on crafted
 * responses: every check is made to pass and to fail. */
#include <criterion/criterion.h>
#if defined(__SANITIZE_ADDRESS__)
#define WC_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WC_TEST_ASAN 1
#endif
#endif
#ifdef WC_TEST_ASAN
#include <sanitizer/lsan_interface.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/params.h"
#include "whopconf/catalog.h"
#include "whopconf/checks.h"
#include "whopconf/schema.h"
#include "whopconf/spec.h"

static const char *const known[] = {"2025-01-01", "2026-06-08", "2026-06-09", "2026-06-20", "2026-07-01"};

typedef struct fixture {
  wc_spec *spec;
  wc_schema *user, *error;
  wc_check_ctx ctx;
  wc_observations *obs;
} fixture;

static fixture fx;

static void setup(void) {
  wc_err err;
  fx.spec = wc_spec_load_embedded(&err);
  cr_assert_not_null(fx.spec, "%s", err.msg);
  wc_schema_opts so;
  wc_schema_opts_default(&so);
  fx.user = wc_schema_compile(wc_spec_document(fx.spec), "#/components/schemas/User", &so, &err);
  cr_assert_not_null(fx.user, "%s", err.msg);
  fx.error = wc_schema_compile(wc_spec_document(fx.spec), "#/components/schemas/V1ErrorResponse", &so, &err);
  cr_assert_not_null(fx.error, "%s", err.msg);
  fx.ctx = (wc_check_ctx){.user_schema = fx.user, .error_schema = fx.error, .api_version = "2026-07-01",
                          .known_versions = known, .known_count = 5};
  fx.obs = wc_observations_new();
}

static void teardown(void) {
  wc_observations_free(fx.obs);
  wc_schema_free(fx.user);
  wc_schema_free(fx.error);
  wc_spec_free(fx.spec);
  memset(&fx, 0, sizeof fx);
#ifdef WC_TEST_ASAN
  /* Criterion workers end without LeakSanitizer's exit check: ask for it,
   * and crash the test on a leak (an expectation in .fini would not count). */
  if (__lsan_do_recoverable_leak_check() != 0) abort();
#endif
}

TestSuite(checks, .init = setup, .fini = teardown);

static wc_response *resp(long status, const char *ctype, const char *body) {
  wc_response *r = wc_response_new(status, body ? body : "", body ? strlen(body) : 0);
  if (ctype) wc_response_add_header(r, "Content-Type", ctype);
  wc_response_finish(r, NULL);
  return r;
}

static char *read_bench(const char *name) {
  char path[512];
  snprintf(path, sizeof path, "%s/bench/%s", WC_SOURCE_DIR, name);
  size_t len;
  char *text = wc_read_file(path, 1 << 20, &len, NULL);
  cr_assert_not_null(text, "cannot read %s", path);
  return text;
}

/* The worst status observed for req: -1 when never observed. */
static int status_of(const char *req) {
  int worst = -1;
  for (size_t i = 0; i < wc_observations_count(fx.obs); i++) {
    const wc_observation *o = wc_observations_get(fx.obs, i);
    if (strcmp(o->requirement, req) != 0) continue;
    if (o->status == WC_OBS_FAIL) return WC_OBS_FAIL;
    if (worst < 0 || o->status == WC_OBS_PASS) worst = (int)o->status;
  }
  return worst;
}

static const wc_observation *first_fail(const char *req) {
  for (size_t i = 0; i < wc_observations_count(fx.obs); i++) {
    const wc_observation *o = wc_observations_get(fx.obs, i);
    if (strcmp(o->requirement, req) == 0 && o->status == WC_OBS_FAIL) return o;
  }
  return NULL;
}

static bool has_finding(const char *req, const char *pointer) {
  for (size_t i = 0; i < wc_observations_count(fx.obs); i++) {
    const wc_observation *o = wc_observations_get(fx.obs, i);
    if (strcmp(o->requirement, req) != 0) continue;
    for (size_t k = 0; k < wc_findings_count(o->findings); k++) {
      const wc_finding *f = wc_findings_get(o->findings, k);
      if (f->instance_pointer && strcmp(f->instance_pointer, pointer) == 0) return true;
    }
  }
  return false;
}

static void reset(void) {
  wc_observations_free(fx.obs);
  fx.obs = wc_observations_new();
}

static wc_sent pinned(void) {
  return (wc_sent){.documented_op = true, .api_version = "2026-07-01", .exchange = 1, .what = "test"};
}

/* ---- strict JSON (WC-US-002) ------------------------------------------------ */

Test(checks, strict_json_passes_and_fails) {
  wc_sent s = pinned();
  wc_response *ok = resp(400, "application/json", "{\"error\":{\"type\":\"x\",\"message\":\"y\"}}");
  wc_check_strict_json(&s, ok, fx.obs);
  cr_expect_eq(status_of(WC_REQ_STRICT_JSON), WC_OBS_PASS);
  wc_response_free(ok);

  reset();
  wc_response *dup = resp(200, "application/json", "{\"id\":\"user_1\",\"id\":\"user_2\"}");
  wc_check_strict_json(&s, dup, fx.obs);
  const wc_observation *o = first_fail(WC_REQ_STRICT_JSON);
  cr_assert_not_null(o);
  cr_expect_geq(wc_findings_count(o->findings), 1);
  cr_expect_str_eq(wc_findings_get(o->findings, 0)->keyword, "duplicate-key");
  wc_response_free(dup);

  reset();
  wc_response *garbage = resp(200, "application/json", "<html>");
  wc_check_strict_json(&s, garbage, fx.obs);
  cr_expect_eq(status_of(WC_REQ_STRICT_JSON), WC_OBS_FAIL);
  wc_response_free(garbage);

  reset();
  wc_response *text = resp(404, "text/plain", "not found");
  wc_check_strict_json(&s, text, fx.obs);
  cr_expect_eq(status_of(WC_REQ_STRICT_JSON), -1, "a text body is not judged as JSON");
  wc_response_free(text);
}

/* ---- status classes ------------------------------------------------------------ */

Test(checks, status_class) {
  wc_sent s = pinned();
  s.time_ms = 120;
  fx.ctx.max_response_ms = 100;
  wc_response *r = resp(503, "application/json", "{}");
  wc_check_status_class(&fx.ctx, &s, r, fx.obs);
  cr_expect_eq(status_of(WC_REQ_NO_5XX), WC_OBS_FAIL);
  cr_expect_eq(status_of(WC_REQ_NO_REDIRECT), WC_OBS_PASS);
  cr_expect_eq(status_of(WC_REQ_RESPONSE_TIME), WC_OBS_FAIL);
  cr_expect_eq(status_of(WC_REQ_STATUS_DOCUMENTED), WC_OBS_FAIL);
  wc_response_free(r);

  reset();
  s.time_ms = 20;
  r = resp(302, NULL, "");
  wc_check_status_class(&fx.ctx, &s, r, fx.obs);
  cr_expect_eq(status_of(WC_REQ_NO_REDIRECT), WC_OBS_FAIL);
  cr_expect_eq(status_of(WC_REQ_NO_5XX), WC_OBS_PASS);
  cr_expect_eq(status_of(WC_REQ_RESPONSE_TIME), WC_OBS_PASS);
  wc_response_free(r);

  reset();
  r = resp(429, "application/json", "{}");
  wc_check_status_class(&fx.ctx, &s, r, fx.obs);
  cr_expect_eq(status_of(WC_REQ_STATUS_DOCUMENTED), WC_OBS_PASS, "429 is conventional");
  wc_response_free(r);

  reset();
  fx.ctx.max_response_ms = 0;
  s.documented_op = false; /* a method probe: its 405 is not judged here */
  r = resp(418, "application/json", "{}");
  wc_check_status_class(&fx.ctx, &s, r, fx.obs);
  cr_expect_eq(status_of(WC_REQ_STATUS_DOCUMENTED), -1);
  cr_expect_eq(status_of(WC_REQ_RESPONSE_TIME), -1, "no budget, no observation");
  wc_response_free(r);
}

/* ---- error responses --------------------------------------------------------------- */

Test(checks, error_envelope) {
  wc_sent s = pinned();
  wc_response *good = resp(400, "application/json; charset=utf-8",
                           "{\"error\":{\"type\":\"invalid_parameters\",\"message\":\"bad\"}}");
  wc_check_error_response(&fx.ctx, &s, good, fx.obs);
  cr_expect_eq(status_of(WC_REQ_ERR_JSON), WC_OBS_PASS);
  cr_expect_eq(status_of(WC_REQ_ERR_ENVELOPE), WC_OBS_PASS);
  wc_response_free(good);

  reset();
  wc_response *plain = resp(400, "text/plain", "{\"error\":{\"type\":\"x\",\"message\":\"y\"}}");
  wc_check_error_response(&fx.ctx, &s, plain, fx.obs);
  cr_expect_eq(status_of(WC_REQ_ERR_JSON), WC_OBS_FAIL);
  wc_response_free(plain);

  reset();
  wc_response *nomsg = resp(400, "application/json", "{\"error\":{\"type\":\"x\"}}");
  wc_check_error_response(&fx.ctx, &s, nomsg, fx.obs);
  cr_expect_eq(status_of(WC_REQ_ERR_ENVELOPE), WC_OBS_FAIL);
  cr_expect(has_finding(WC_REQ_ERR_ENVELOPE, "/error/message"));
  wc_response_free(nomsg);

  reset();
  wc_response *empty_type = resp(422, "application/json", "{\"error\":{\"type\":\"\",\"message\":\"m\"}}");
  wc_check_error_response(&fx.ctx, &s, empty_type, fx.obs);
  cr_expect_eq(status_of(WC_REQ_ERR_ENVELOPE), WC_OBS_FAIL);
  wc_response_free(empty_type);
}

Test(checks, www_authenticate) {
  wc_sent s = pinned();
  wc_response *r = resp(401, "application/json", "{\"error\":{\"type\":\"unauthorized\",\"message\":\"m\"}}");
  wc_check_error_response(&fx.ctx, &s, r, fx.obs);
  cr_expect_eq(status_of(WC_REQ_WWW_AUTH), WC_OBS_FAIL);
  wc_response_free(r);

  reset();
  r = wc_response_new(401, "{\"error\":{\"type\":\"u\",\"message\":\"m\"}}", 36);
  wc_response_add_header(r, "Content-Type", "application/json");
  wc_response_add_header(r, "WWW-Authenticate", "Bearer realm=\"whop\"");
  wc_response_finish(r, NULL);
  wc_check_error_response(&fx.ctx, &s, r, fx.obs);
  cr_expect_eq(status_of(WC_REQ_WWW_AUTH), WC_OBS_PASS);
  wc_response_free(r);

  reset();
  r = wc_response_new(401, "{}", 2);
  wc_response_add_header(r, "WWW-Authenticate", "Basic realm=\"x\"");
  wc_response_finish(r, NULL);
  wc_check_error_response(&fx.ctx, &s, r, fx.obs);
  cr_expect_eq(status_of(WC_REQ_WWW_AUTH), WC_OBS_FAIL);
  wc_response_free(r);
}

/* ---- the User schema and the routing of wc_check_response -------------------------- */

Test(checks, user_schema_valid_document) {
  char *body = read_bench("user_typical.json");
  wc_sent s = pinned();
  wc_response *r = resp(200, "application/json", body);
  wc_check_response(&fx.ctx, &s, r, fx.obs);
  cr_expect_eq(status_of(WC_REQ_USER_SCHEMA), WC_OBS_PASS);
  cr_expect_eq(status_of(WC_REQ_200_JSON), WC_OBS_PASS);
  cr_expect_eq(status_of(WC_REQ_ID_PREFIX), WC_OBS_PASS);
  cr_expect_eq(status_of(WC_REQ_TOTAL_SUM), WC_OBS_PASS);
  cr_expect_eq(status_of(WC_REQ_TOTAL_NULL), WC_OBS_FAIL, "the bench user carries total_usd");
  cr_expect_eq(status_of(WC_REQ_OLD_SHAPE), -1, "a pinned 200 is never judged as an old shape");
  wc_response_free(r);
  free(body);
}

Test(checks, user_schema_reports_every_error) {
  char *body = read_bench("user_invalid_missing_created_at.json");
  wc_sent s = pinned();
  wc_response *r = resp(200, "application/json", body);
  wc_check_user_schema(&fx.ctx, &s, r, fx.obs);
  cr_expect_eq(status_of(WC_REQ_USER_SCHEMA), WC_OBS_FAIL);
  wc_response_free(r);
  free(body);

  reset();
  const char *two = "{\"id\":1,\"username\":\"u\",\"name\":null,\"bio\":null,\"created_at\":\"2024-01-01T00:00:00Z\","
                    "\"profile_picture\":null,\"total_usd\":null,\"balances\":{},\"verification\":{}}";
  r = resp(200, "application/json", two);
  wc_check_user_schema(&fx.ctx, &s, r, fx.obs);
  const wc_observation *o = first_fail(WC_REQ_USER_SCHEMA);
  cr_assert_not_null(o);
  cr_expect_geq(wc_findings_count(o->findings), 2, "both /id and /balances");
  cr_expect(has_finding(WC_REQ_USER_SCHEMA, "/id"));
  cr_expect(has_finding(WC_REQ_USER_SCHEMA, "/balances"));
  wc_response_free(r);
}

Test(checks, original_shape_only_for_old_versions) {
  const char *old = "{\"id\":\"user_1\",\"username\":\"ada\",\"name\":\"Ada\"}";
  wc_sent s = pinned();
  s.api_version = NULL;
  wc_response *r = resp(200, "application/json", old);
  wc_check_response(&fx.ctx, &s, r, fx.obs);
  cr_expect_eq(status_of(WC_REQ_OLD_SHAPE), WC_OBS_PASS);
  cr_expect_eq(status_of(WC_REQ_USER_SCHEMA), -1, "never judged by the latest schema");
  const wc_observation *o = wc_observations_get(fx.obs, wc_observations_count(fx.obs) - 1);
  cr_expect(o->note);
  cr_expect(strstr(o->reason, "id:string, username:string, name:string") != NULL, "%s", o->reason);
  wc_response_free(r);

  reset();
  s.api_version = "2026-06-08";
  r = resp(200, "application/json", "{\"id\":7,\"username\":\"ada\"}");
  wc_check_response(&fx.ctx, &s, r, fx.obs);
  cr_expect_eq(status_of(WC_REQ_OLD_SHAPE), WC_OBS_FAIL);
  cr_expect(has_finding(WC_REQ_OLD_SHAPE, "/id"));
  wc_response_free(r);

  reset();
  s.api_version = "2099-01-01"; /* unknown: WC-VER-002's business, not a shape */
  r = resp(200, "application/json", "{\"id\":7}");
  wc_check_response(&fx.ctx, &s, r, fx.obs);
  cr_expect_eq(status_of(WC_REQ_OLD_SHAPE), -1);
  wc_response_free(r);
}

Test(checks, success_content_type) {
  wc_sent s = pinned();
  s.api_version = NULL;
  wc_response *r = resp(200, "text/plain", "{\"id\":\"user_1\",\"username\":\"u\"}");
  wc_check_response(&fx.ctx, &s, r, fx.obs);
  cr_expect_eq(status_of(WC_REQ_200_JSON), WC_OBS_FAIL);
  wc_response_free(r);
}

/* ---- documented meaning ---------------------------------------------------------------- */

static void meaning(const char *json) {
  reset();
  cJSON *u = cJSON_Parse(json);
  cr_assert_not_null(u, "bad test JSON: %s", json);
  wc_check_user_meaning(u, 1, fx.obs);
  cJSON_Delete(u);
}

Test(checks, meaning_id_and_created_at) {
  meaning("{\"id\":\"user_abc\",\"created_at\":\"2024-03-14T15:09:26.535Z\"}");
  cr_expect_eq(status_of(WC_REQ_ID_PREFIX), WC_OBS_PASS);
  cr_expect_eq(status_of(WC_REQ_CREATED_AT), WC_OBS_PASS);
  meaning("{\"id\":\"usr_abc\",\"created_at\":\"03/14/2024 15:09:26\"}");
  cr_expect_eq(status_of(WC_REQ_ID_PREFIX), WC_OBS_FAIL);
  cr_expect_eq(status_of(WC_REQ_CREATED_AT), WC_OBS_FAIL);
  cr_expect(has_finding(WC_REQ_CREATED_AT, "/created_at"));
  meaning("{\"id\":\"user_\"}");
  cr_expect_eq(status_of(WC_REQ_ID_PREFIX), WC_OBS_FAIL, "the prefix alone is not an id");
}

Test(checks, meaning_decimals) {
  meaning("{\"total_usd\":\"10.00\",\"balances\":[{\"balance\":\"1.5\",\"value_usd\":\"10.00\","
          "\"breakdown\":{\"available\":\"1.5\",\"pending\":\"0\",\"reserve\":\"0\"}}]}");
  cr_expect_eq(status_of(WC_REQ_BALANCE_DECIMAL), WC_OBS_PASS);
  cr_expect_eq(status_of(WC_REQ_USD_DECIMAL), WC_OBS_PASS);
  cr_expect_eq(status_of(WC_REQ_TOTAL_SUM), WC_OBS_PASS);
  meaning("{\"total_usd\":\"$10\",\"balances\":[{\"balance\":\"1,250.50\",\"value_usd\":\"1e3\","
          "\"breakdown\":{\"available\":1.5}}]}");
  cr_expect_eq(status_of(WC_REQ_BALANCE_DECIMAL), WC_OBS_FAIL);
  cr_expect(has_finding(WC_REQ_BALANCE_DECIMAL, "/balances/0/balance"));
  cr_expect(has_finding(WC_REQ_BALANCE_DECIMAL, "/balances/0/breakdown/available"));
  cr_expect_eq(status_of(WC_REQ_USD_DECIMAL), WC_OBS_FAIL);
  cr_expect(has_finding(WC_REQ_USD_DECIMAL, "/total_usd"));
  cr_expect(has_finding(WC_REQ_USD_DECIMAL, "/balances/0/value_usd"));
}

Test(checks, meaning_total) {
  meaning("{\"total_usd\":null,\"balances\":[]}");
  cr_expect_eq(status_of(WC_REQ_BALANCES_EMPTY), WC_OBS_PASS);
  cr_expect_eq(status_of(WC_REQ_TOTAL_NULL), WC_OBS_PASS);
  cr_expect_eq(status_of(WC_REQ_TOTAL_SUM), -1);
  meaning("{\"total_usd\":null,\"balances\":[{\"balance\":\"1\"}]}");
  cr_expect_eq(status_of(WC_REQ_BALANCES_EMPTY), WC_OBS_FAIL);
  meaning("{\"total_usd\":\"11.00\",\"balances\":[{\"value_usd\":\"10.00\"},{\"value_usd\":null}]}");
  cr_expect_eq(status_of(WC_REQ_TOTAL_SUM), WC_OBS_FAIL);
  cr_expect_eq(status_of(WC_REQ_TOTAL_NULL), WC_OBS_FAIL);
  meaning("{\"total_usd\":\"10.005\",\"balances\":[{\"value_usd\":\"10.00\"},{\"value_usd\":null}]}");
  cr_expect_eq(status_of(WC_REQ_TOTAL_SUM), WC_OBS_PASS, "within a cent");
}

Test(checks, meaning_verification_and_picture) {
  meaning("{\"verification\":{\"individual\":{\"status\":\"approved\"},\"business\":null},"
          "\"profile_picture\":{\"url\":\"https://x/y.png\"}}");
  cr_expect_eq(status_of(WC_REQ_VERIFICATION), WC_OBS_PASS);
  cr_expect_eq(status_of(WC_REQ_PICTURE_SHAPE), WC_OBS_PASS);
  meaning("{\"verification\":{\"individual\":{\"status\":\"verified\"}},\"profile_picture\":{\"id\":\"f\"}}");
  cr_expect_eq(status_of(WC_REQ_VERIFICATION), WC_OBS_FAIL);
  cr_expect(has_finding(WC_REQ_VERIFICATION, "/verification/individual/status"));
  cr_expect(has_finding(WC_REQ_VERIFICATION, "/verification/business"), "missing is not null");
  cr_expect_eq(status_of(WC_REQ_PICTURE_SHAPE), WC_OBS_FAIL);
  meaning("{\"profile_picture\":null}");
  cr_expect_eq(status_of(WC_REQ_PICTURE_SHAPE), WC_OBS_PASS);
}

/* ---- expectations used by the cases ------------------------------------------------------- */

Test(checks, expectations) {
  wc_sent s = pinned();
  wc_response *ok = resp(200, "application/json", "{}");
  wc_response *bad = resp(400, "application/json", "{\"error\":{\"type\":\"t\",\"message\":\"m\"}}");
  wc_response *bare400 = resp(400, "application/json", "{}");
  wc_response *unauth = resp(401, "application/json", "{\"error\":{\"type\":\"t\",\"message\":\"m\"}}");

  wc_check_accepted(WC_REQ_ABSENT_ACCEPTED, &s, ok, fx.obs);
  cr_expect_eq(status_of(WC_REQ_ABSENT_ACCEPTED), WC_OBS_PASS);
  wc_check_accepted(WC_REQ_KNOWN_ACCEPTED, &s, bad, fx.obs);
  cr_expect_eq(status_of(WC_REQ_KNOWN_ACCEPTED), WC_OBS_FAIL);

  wc_check_rejected_400(WC_REQ_UNKNOWN_400, &s, bad, fx.obs);
  cr_expect_eq(status_of(WC_REQ_UNKNOWN_400), WC_OBS_PASS);
  wc_check_rejected_400(WC_REQ_MALFORMED_400, &s, unauth, fx.obs);
  cr_expect_eq(status_of(WC_REQ_MALFORMED_400), WC_OBS_FAIL, "exactly 400");
  wc_check_rejected_400(WC_REQ_INVALID_BODY_400, &s, bare400, fx.obs);
  cr_expect_eq(status_of(WC_REQ_INVALID_BODY_400), WC_OBS_FAIL, "400 without an envelope");

  wc_check_auth_rejected(WC_REQ_AUTH_REJECTED, &s, unauth, fx.obs);
  cr_expect_eq(status_of(WC_REQ_AUTH_REJECTED), WC_OBS_PASS);
  reset();
  wc_check_auth_rejected(WC_REQ_AUTH_REJECTED, &s, ok, fx.obs);
  cr_expect_eq(status_of(WC_REQ_AUTH_REJECTED), WC_OBS_FAIL);

  wc_check_not_2xx(WC_REQ_SCOPE_ENFORCED, &s, unauth, fx.obs);
  cr_expect_eq(status_of(WC_REQ_SCOPE_ENFORCED), WC_OBS_PASS);
  wc_check_not_2xx(WC_REQ_API_KEY_400, &s, ok, fx.obs);
  cr_expect_eq(status_of(WC_REQ_API_KEY_400), WC_OBS_FAIL);
  wc_response_free(ok);
  wc_response_free(bad);
  wc_response_free(bare400);
  wc_response_free(unauth);
}

Test(checks, method_not_allowed) {
  wc_sent s = {.method = "DELETE", .exchange = 1, .what = "DELETE /users/me"};
  wc_response *r = wc_response_new(405, "", 0);
  wc_response_add_header(r, "Allow", "PATCH");
  wc_response_finish(r, NULL);
  wc_check_method_not_allowed(&s, r, fx.obs);
  cr_expect_eq(status_of(WC_REQ_METHOD_405), WC_OBS_PASS);
  wc_response_free(r);

  reset();
  r = resp(405, NULL, "");
  wc_check_method_not_allowed(&s, r, fx.obs);
  cr_expect_eq(status_of(WC_REQ_METHOD_405), WC_OBS_FAIL, "405 without Allow");
  wc_response_free(r);

  reset();
  r = resp(404, "application/json", "{}");
  wc_check_method_not_allowed(&s, r, fx.obs);
  cr_expect_eq(status_of(WC_REQ_METHOD_405), WC_OBS_FAIL);
  wc_response_free(r);
}

Test(checks, version_list) {
  wc_sent s = pinned();
  s.api_version = "2024-12-31";
  wc_response *r = resp(400, "application/json",
                        "{\"error\":{\"type\":\"invalid_api_version\",\"message\":\"Unsupported 2024-12-31. "
                        "Supported versions: 2025-01-01, 2026-06-08, 2026-06-09, 2026-06-20, 2026-07-01\"}}");
  wc_check_version_list(&fx.ctx, &s, r, fx.obs);
  cr_expect_eq(status_of(WC_REQ_VERSION_LIST), WC_OBS_PASS, "the echoed value is not a listed version");
  wc_response_free(r);

  reset();
  r = resp(400, "application/json",
           "{\"error\":{\"type\":\"v\",\"message\":\"Supported: 2025-01-01, 2026-07-01, 2026-07-08-1\"}}");
  wc_check_version_list(&fx.ctx, &s, r, fx.obs);
  const wc_observation *o = first_fail(WC_REQ_VERSION_LIST);
  cr_assert_not_null(o);
  cr_expect_eq(wc_findings_count(o->findings), 4, "one extra (2026-07-08-1), three missing");
  wc_response_free(r);

  reset();
  r = resp(400, "application/json", "{\"error\":{\"type\":\"v\",\"message\":\"Bad version\"}}");
  wc_check_version_list(&fx.ctx, &s, r, fx.obs);
  cr_expect_eq(status_of(WC_REQ_VERSION_LIST), WC_OBS_FAIL);
  wc_response_free(r);
}

/* ---- update semantics --------------------------------------------------------------------- */

Test(checks, reflected_and_unchanged) {
  cJSON *sent = cJSON_Parse("{\"name\":\"N\",\"bio\":\"B\"}");
  cJSON *good = cJSON_Parse("{\"name\":\"N\",\"bio\":\"B\",\"username\":\"u\"}");
  cJSON *bad = cJSON_Parse("{\"name\":\"n\",\"bio\":\"B\",\"username\":\"u\"}");
  wc_check_reflected(good, sent, 2, fx.obs);
  cr_expect_eq(status_of(WC_REQ_UPD_REFLECTED), WC_OBS_PASS);
  reset();
  wc_check_reflected(bad, sent, 2, fx.obs);
  cr_expect_eq(status_of(WC_REQ_UPD_REFLECTED), WC_OBS_FAIL);
  cr_expect(has_finding(WC_REQ_UPD_REFLECTED, "/name"));

  static const char *const fields[] = {"name", "username", NULL};
  reset();
  wc_check_unchanged(WC_REQ_UPD_UNSENT, good, good, fields, 3, "same", fx.obs);
  cr_expect_eq(status_of(WC_REQ_UPD_UNSENT), WC_OBS_PASS);
  reset();
  wc_check_unchanged(WC_REQ_UPD_EMPTY, good, bad, fields, 3, "changed", fx.obs);
  cr_expect_eq(status_of(WC_REQ_UPD_EMPTY), WC_OBS_FAIL);
  cr_expect(has_finding(WC_REQ_UPD_EMPTY, "/name"));
  cJSON_Delete(sent);
  cJSON_Delete(good);
  cJSON_Delete(bad);
}

/* ---- value syntax -------------------------------------------------------------------------- */

static const char *const decimals[] = {"0", "12.5", "-1.00", "1250.50000000"};
TABLE_PARAMETERS(checks, decimal_string, decimals)
ParameterizedTest(const size_t *i, checks, decimal_string) {
  cr_expect(wc_is_decimal_string(decimals[*i]), "'%s'", decimals[*i]);
}

static const char *const not_decimals[] = {"", "1.", ".5", "1e5", " 1", "1,000", "NaN", "+1", "0x1"};
TABLE_PARAMETERS(checks, not_a_decimal_string, not_decimals)
ParameterizedTest(const size_t *i, checks, not_a_decimal_string) {
  cr_expect_not(wc_is_decimal_string(not_decimals[*i]), "'%s'", not_decimals[*i]);
}

static const char *const stamps[] = {"2024-03-14T15:09:26.535Z", "2024-03-14T15:09:26+02:00", "2024-02-29T00:00Z",
                                     "20240314T150926Z", "2024-03-14T15:09:26"};
TABLE_PARAMETERS(checks, iso8601_timestamp, stamps)
ParameterizedTest(const size_t *i, checks, iso8601_timestamp) {
  cr_expect(wc_is_iso8601_timestamp(stamps[*i]), "'%s'", stamps[*i]);
}

static const char *const not_stamps[] = {"2024-03-14",           "2024-03-14 15:09:26Z", "03/14/2024 15:09:26",
                                         "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-03-14T24:00:00Z",
                                         "2024-03-14T15:09:26ZZ", ""};
TABLE_PARAMETERS(checks, not_an_iso8601_timestamp, not_stamps)
ParameterizedTest(const size_t *i, checks, not_an_iso8601_timestamp) {
  cr_expect_not(wc_is_iso8601_timestamp(not_stamps[*i]), "'%s'", not_stamps[*i]);
}

Test(checks, decimal_sums) {
  const char *values[] = {"1250.50", "1437.92"};
  cr_expect_eq(wc_decimal_sum_matches("2688.42", values, 2), 1);
  cr_expect_eq(wc_decimal_sum_matches("2689.42", values, 2), 0);
  cr_expect_eq(wc_decimal_sum_matches("0", NULL, 0), 1);
  const char *huge[] = {"123456789012345678901234567890.01", "0.01"};
  cr_expect_eq(wc_decimal_sum_matches("123456789012345678901234567890.02", huge, 2), 1);
  const char *bad[] = {"1,0"};
  cr_expect_eq(wc_decimal_sum_matches("1", bad, 1), -1);
}

Test(checks, observations_round_trip) {
  wc_observation *o = wc_observe(fx.obs, WC_REQ_NO_5XX, WC_OBS_FAIL, 3, "503 to %s\nwith a newline", "x");
  cr_assert_not_null(o);
  cr_expect_null(strchr(o->reason, '\n'), "reasons are one line");
  wc_findings_add(o->findings, "/a", "#/b", "k", WC_NO_OFFSET, "m");
  cr_expect_null(wc_observe(fx.obs, "WC-NOPE-001", WC_OBS_PASS, 0, "x"), "unknown ids are refused");
  cJSON *j = wc_observations_to_json(fx.obs);
  wc_err err;
  wc_observations *back = wc_observations_from_json(j, &err);
  cr_assert_not_null(back, "%s", err.msg);
  cr_expect_eq(wc_observations_count(back), 1);
  const wc_observation *b = wc_observations_get(back, 0);
  cr_expect_str_eq(b->requirement, WC_REQ_NO_5XX);
  cr_expect_eq(b->status, WC_OBS_FAIL);
  cr_expect_eq(b->exchange, 3);
  cr_expect_eq(wc_findings_count(b->findings), 1);
  cr_expect_str_eq(wc_findings_get(b->findings, 0)->instance_pointer, "/a");
  wc_observations_free(back);
  cJSON_Delete(j);
}

Test(checks, pass_or_findings) {
  wc_findings *found = wc_findings_new();
  const wc_observation *o = wc_observe_pass_or_findings(fx.obs, WC_REQ_ERR_ENVELOPE, 4, found,
                                                        "%d to %s is fine", "%d to %s is bad", 400, "x");
  cr_assert_not_null(o);
  cr_expect_eq(o->status, WC_OBS_PASS);
  cr_expect_str_eq(o->reason, "400 to x is fine");
  cr_expect_eq(o->exchange, 4);
  cr_expect_eq(wc_findings_count(o->findings), 0);
  wc_findings_add(found, "/error", NULL, "type", WC_NO_OFFSET, "not an object");
  wc_findings_add(found, "/x", NULL, "type", WC_NO_OFFSET, "second");
  o = wc_observe_pass_or_findings(fx.obs, WC_REQ_ERR_ENVELOPE, 5, found, "%d to %s is fine",
                                  "%d to %s is bad", 400, "x");
  cr_assert_not_null(o);
  cr_expect_eq(o->status, WC_OBS_FAIL);
  cr_expect_str_eq(o->reason, "400 to x is bad: /error: not an object (+1 more)");
  cr_expect_eq(wc_findings_count(o->findings), 2);
  wc_findings_free(found);

  /* a check's pass reason goes through it */
  reset();
  wc_sent s = pinned();
  wc_response *good = resp(400, "application/json", "{\"error\":{\"type\":\"t\",\"message\":\"m\"}}");
  wc_check_error_response(&fx.ctx, &s, good, fx.obs);
  bool seen = false;
  for (size_t i = 0; i < wc_observations_count(fx.obs); i++) {
    const wc_observation *e = wc_observations_get(fx.obs, i);
    if (strcmp(e->requirement, WC_REQ_ERR_ENVELOPE) == 0)
      seen = e->status == WC_OBS_PASS && strcmp(e->reason, "400 to test has an error envelope") == 0;
  }
  cr_expect(seen, "the envelope check passes with its reason");
  wc_response_free(good);
}

Test(checks, generic_requirements_are_in_the_catalogue) {
  size_t generic = 0;
  for (size_t i = 0; i < wc_catalog_count(); i++)
    if (wc_requirement_is_generic(wc_catalog_get(i)->id)) generic++;
  cr_expect_eq(generic, 9);
}
