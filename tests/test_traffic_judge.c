/* The traffic judge on crafted wire exchanges: which exchanges it judges,
 * every request rule passing and failing, the response judged for the
 * version the request asked for, the side each failure lands on, and the
 * record's redaction of credentials wherever a client put them. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whopconf/catalog.h"
#include "whopconf/traffic.h"

#define TOKEN "tok_live_Secret123456"
#define LATEST "2026-07-01"

static wc_spec *spec;
static wc_judge *judge;
static wc_observations *obs;
static char *user_json;

static void setup(void) {
  wc_err err;
  spec = wc_spec_load_embedded(&err);
  cr_assert_not_null(spec, "%s", err.msg);
  judge = wc_judge_new(spec, NULL, &err);
  cr_assert_not_null(judge, "%s", err.msg);
  obs = wc_observations_new();
  size_t len;
  user_json = wc_read_file(WC_SOURCE_DIR "/bench/user_typical.json", 1 << 20, &len, &err);
  cr_assert_not_null(user_json, "%s", err.msg);
}

static void teardown(void) {
  free(user_json);
  wc_observations_free(obs);
  wc_judge_free(judge);
  wc_spec_free(spec);
}

TestSuite(judge, .init = setup, .fini = teardown);

/* A conforming exchange, to be broken one part at a time. */
typedef struct exch {
  wc_wire_header req[8], resp[4];
  wc_wire_exchange x;
} exch;

static void good(exch *e) {
  memset(e, 0, sizeof *e);
  e->req[0] = (wc_wire_header){"Authorization", "Bearer " TOKEN};
  e->req[1] = (wc_wire_header){"Content-Type", "application/json"};
  e->req[2] = (wc_wire_header){"Api-Version-Date", LATEST};
  e->resp[0] = (wc_wire_header){"Content-Type", "application/json; charset=utf-8"};
  e->x = (wc_wire_exchange){.method = "PATCH",
                            .target = "http://127.0.0.1:8080/api/v1/users/me",
                            .request_headers = e->req,
                            .request_header_count = 3,
                            .request_body = {.data = "{\"name\":\"Ada\"}", .len = 14},
                            .status = 200,
                            .response_headers = e->resp,
                            .response_header_count = 1,
                            .response_body = {.data = user_json, .len = strlen(user_json)},
                            .time_ms = 3};
}

static void set_req_header(exch *e, const char *name, const char *value) {
  for (size_t i = 0; i < e->x.request_header_count; i++) {
    if (strcmp(e->req[i].name, name) == 0) {
      if (value) {
        e->req[i].value = value;
      } else { /* remove */
        memmove(&e->req[i], &e->req[i + 1], (e->x.request_header_count - i - 1) * sizeof e->req[0]);
        e->x.request_header_count--;
      }
      return;
    }
  }
  cr_assert(value && e->x.request_header_count < 8);
  e->req[e->x.request_header_count++] = (wc_wire_header){name, value};
}

static void set_body(exch *e, const char *body) {
  e->x.request_body = (wc_wire_body){.data = body, .len = body ? strlen(body) : 0};
}

static void set_response(exch *e, long status, const char *body) {
  e->x.status = status;
  e->x.response_body = (wc_wire_body){.data = body, .len = body ? strlen(body) : 0};
}

static wc_verdict judge_it(const exch *e) {
  wc_verdict v;
  cr_assert_eq(wc_judge_exchange(judge, &e->x, 1, obs, &v), 0);
  return v;
}

/* The worst status observed for req: -1 when never observed. */
static int status_of(const char *req) {
  int worst = -1;
  for (size_t i = 0; i < wc_observations_count(obs); i++) {
    const wc_observation *o = wc_observations_get(obs, i);
    if (strcmp(o->requirement, req) != 0) continue;
    if (o->status == WC_OBS_FAIL) return WC_OBS_FAIL;
    if (worst < 0 || o->status == WC_OBS_PASS) worst = (int)o->status;
  }
  return worst;
}

static const wc_observation *failure_of(const char *req) {
  for (size_t i = 0; i < wc_observations_count(obs); i++) {
    const wc_observation *o = wc_observations_get(obs, i);
    if (strcmp(o->requirement, req) == 0 && o->status == WC_OBS_FAIL) return o;
  }
  return NULL;
}

Test(judge, applies_to_patch_users_me_under_the_base_path_only) {
  cr_expect(wc_judge_applies(judge, "PATCH", "/api/v1/users/me"));
  cr_expect(wc_judge_applies(judge, "PATCH", "/api/v1/users/me?account_id=biz_1"));
  cr_expect(wc_judge_applies(judge, "PATCH", "https://api.example.test:8443/api/v1/users/me#x"));
  cr_expect_not(wc_judge_applies(judge, "GET", "/api/v1/users/me"));
  cr_expect_not(wc_judge_applies(judge, "patch", "/api/v1/users/me"), "methods are case-sensitive");
  cr_expect_not(wc_judge_applies(judge, "PATCH", "/api/v1/users/me/"));
  cr_expect_not(wc_judge_applies(judge, "PATCH", "/users/me"));
  cr_expect_not(wc_judge_applies(judge, "PATCH", "/api/v2/users/me"));
  cr_expect_not(wc_judge_applies(judge, "PATCH", "https://h/other?x=/api/v1/users/me"));
  cr_expect_not(wc_judge_applies(judge, NULL, NULL));

  wc_err err;
  wc_judge *root = wc_judge_new(spec, &(wc_judge_opts){.base_path = "/"}, &err);
  cr_assert_not_null(root, "%s", err.msg);
  cr_expect(wc_judge_applies(root, "PATCH", "http://h/users/me"));
  cr_expect_not(wc_judge_applies(root, "PATCH", "http://h/api/v1/users/me"));
  cr_expect_str_eq(wc_judge_base_path(root), "");
  wc_judge_free(root);
  wc_judge *prefixed = wc_judge_new(spec, &(wc_judge_opts){.base_path = "gateway/whop/"}, &err);
  cr_assert_not_null(prefixed, "%s", err.msg);
  cr_expect_str_eq(wc_judge_base_path(prefixed), "/gateway/whop");
  cr_expect(wc_judge_applies(prefixed, "PATCH", "/gateway/whop/users/me"));
  wc_judge_free(prefixed);
}

Test(judge, other_exchanges_are_counted_not_judged) {
  exch e;
  good(&e);
  e.x.method = "GET";
  wc_verdict v = judge_it(&e);
  cr_expect_not(v.judged);
  cr_expect_eq(wc_observations_count(obs), 0);
}

Test(judge, a_conforming_exchange_passes_on_both_sides) {
  exch e;
  good(&e);
  wc_verdict v = judge_it(&e);
  cr_expect(v.judged);
  cr_expect_eq(v.request_failures, 0);
  cr_expect_eq(v.response_failures, 0);
  static const char *const reqs[] = {WC_REQ_CL_BODY_PRESENT, WC_REQ_CL_CONTENT_TYPE, WC_REQ_CL_STRICT_JSON,
                                     WC_REQ_CL_BODY_SCHEMA,  WC_REQ_CL_VERSION,      WC_REQ_CL_AUTHORIZATION,
                                     WC_REQ_CL_CREDENTIAL_PLACE, WC_REQ_USER_SCHEMA, WC_REQ_STRICT_JSON,
                                     WC_REQ_ID_PREFIX,       WC_REQ_200_JSON};
  for (size_t i = 0; i < sizeof reqs / sizeof *reqs; i++)
    cr_expect_eq(status_of(reqs[i]), WC_OBS_PASS, "%s", reqs[i]);
  cr_expect_eq(status_of(WC_REQ_OLD_SHAPE), -1, "a pinned request is judged by the User schema");
}

Test(judge, missing_body_is_a_client_bug_and_must_be_rejected) {
  exch e;
  good(&e);
  set_body(&e, NULL);
  set_response(&e, 400, "{\"error\":{\"type\":\"invalid_request\",\"message\":\"body required\"}}");
  wc_verdict v = judge_it(&e);
  cr_expect_eq(status_of(WC_REQ_CL_BODY_PRESENT), WC_OBS_FAIL);
  cr_expect_eq(status_of(WC_REQ_INVALID_BODY_400), WC_OBS_PASS, "the server rejected it: its side is fine");
  cr_expect_eq(v.request_failures, 1);
  cr_expect_eq(v.response_failures, 0);

  wc_observations_free(obs);
  obs = wc_observations_new();
  set_body(&e, "");
  set_response(&e, 200, user_json);
  v = judge_it(&e);
  cr_expect_eq(status_of(WC_REQ_CL_BODY_PRESENT), WC_OBS_FAIL, "an empty body is no body");
  cr_expect_eq(status_of(WC_REQ_INVALID_BODY_400), WC_OBS_FAIL, "accepting it is the server's failure");
  cr_expect_geq(v.response_failures, 1);
}

Test(judge, content_type_must_be_application_json) {
  exch e;
  good(&e);
  set_req_header(&e, "Content-Type", "text/plain");
  judge_it(&e);
  cr_expect_eq(status_of(WC_REQ_CL_CONTENT_TYPE), WC_OBS_FAIL);
  cr_expect(strstr(failure_of(WC_REQ_CL_CONTENT_TYPE)->reason, "text/plain"));
  wc_observations_free(obs);
  obs = wc_observations_new();
  set_req_header(&e, "Content-Type", NULL);
  judge_it(&e);
  cr_expect_eq(status_of(WC_REQ_CL_CONTENT_TYPE), WC_OBS_FAIL, "missing");
  wc_observations_free(obs);
  obs = wc_observations_new();
  set_req_header(&e, "content-type", "Application/JSON; charset=utf-8");
  judge_it(&e);
  cr_expect_eq(status_of(WC_REQ_CL_CONTENT_TYPE), WC_OBS_PASS, "names and types are case-insensitive");
}

Test(judge, body_must_be_strict_json) {
  exch e;
  good(&e);
  set_body(&e, "{\"name\":\"a\",\"name\":\"b\"}");
  wc_verdict v = judge_it(&e);
  const wc_observation *o = failure_of(WC_REQ_CL_STRICT_JSON);
  cr_assert_not_null(o);
  cr_expect_str_eq(wc_findings_get(o->findings, 0)->keyword, WC_JSON_DEFECT_DUP_KEY);
  cr_expect_eq(status_of(WC_REQ_INVALID_BODY_400), WC_OBS_FAIL, "a 200 to it is the server's failure too");
  cr_expect_eq(v.request_failures, 1);

  wc_observations_free(obs);
  obs = wc_observations_new();
  set_body(&e, "name=Ada");
  set_response(&e, 400, "{\"error\":{\"type\":\"invalid_json\",\"message\":\"bad\"}}");
  judge_it(&e);
  cr_expect_eq(status_of(WC_REQ_CL_STRICT_JSON), WC_OBS_FAIL);
  cr_expect(strstr(failure_of(WC_REQ_CL_STRICT_JSON)->reason, "not JSON"));
  cr_expect_eq(status_of(WC_REQ_CL_BODY_SCHEMA), -1, "nothing to validate");
}

Test(judge, body_must_match_the_request_schema) {
  exch e;
  good(&e);
  set_body(&e, "{\"name\":5,\"profile_picture\":{\"id\":[]}}");
  judge_it(&e);
  const wc_observation *o = failure_of(WC_REQ_CL_BODY_SCHEMA);
  cr_assert_not_null(o);
  cr_expect_eq(wc_findings_count(o->findings), 2);
  bool name = false, pic = false;
  for (size_t i = 0; i < wc_findings_count(o->findings); i++) {
    const wc_finding *f = wc_findings_get(o->findings, i);
    name |= strcmp(f->instance_pointer, "/name") == 0;
    pic |= strcmp(f->instance_pointer, "/profile_picture/id") == 0;
  }
  cr_expect(name && pic);
  cr_expect(strncmp(o->reason, "request: ", 9) == 0, "the reason names the side: %s", o->reason);
  wc_observations_free(obs);
  obs = wc_observations_new();
  set_body(&e, "[]");
  judge_it(&e);
  cr_expect_eq(status_of(WC_REQ_CL_BODY_SCHEMA), WC_OBS_FAIL, "not an object");
}

Test(judge, api_version_must_be_a_known_date_when_sent) {
  exch e;
  good(&e);
  static const struct {
    const char *value;
    int status;
  } cases[] = {{"2026-07-01", WC_OBS_PASS}, {"2025-01-01", WC_OBS_PASS}, {"2026-02-30", WC_OBS_FAIL},
               {"not-a-date", WC_OBS_FAIL}, {"2030-01-01", WC_OBS_FAIL}, {"", WC_OBS_FAIL}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    wc_observations_free(obs);
    obs = wc_observations_new();
    set_req_header(&e, "Api-Version-Date", cases[i].value);
    judge_it(&e);
    cr_expect_eq(status_of(WC_REQ_CL_VERSION), cases[i].status, "%s", cases[i].value);
  }
  /* The 200 a malformed or unknown version got is the server's failure. */
  cr_expect_eq(status_of(WC_REQ_MALFORMED_400), WC_OBS_FAIL);
  wc_observations_free(obs);
  obs = wc_observations_new();
  set_req_header(&e, "Api-Version-Date", "2030-01-01");
  judge_it(&e);
  cr_expect_eq(status_of(WC_REQ_UNKNOWN_400), WC_OBS_FAIL);

  wc_observations_free(obs);
  obs = wc_observations_new();
  set_req_header(&e, "Api-Version-Date", LATEST);
  set_req_header(&e, "api-version-date", LATEST);
  judge_it(&e);
  cr_expect(strstr(failure_of(WC_REQ_CL_VERSION)->reason, "2 times"));

  wc_observations_free(obs);
  obs = wc_observations_new();
  good(&e);
  set_req_header(&e, "Api-Version-Date", NULL);
  set_response(&e, 200, "{\"id\":\"user_1\",\"username\":\"ada\"}");
  judge_it(&e);
  cr_expect_eq(status_of(WC_REQ_CL_VERSION), -1, "the header is optional");
}

Test(judge, authorization_must_be_one_bearer_credential) {
  exch e;
  good(&e);
  static const char *const bad[] = {"Basic dXNlcjpwYXNz", "Bearer", "tok_no_scheme_123"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    wc_observations_free(obs);
    obs = wc_observations_new();
    set_req_header(&e, "Authorization", bad[i]);
    judge_it(&e);
    cr_expect_eq(status_of(WC_REQ_CL_AUTHORIZATION), WC_OBS_FAIL, "%s", bad[i]);
  }
  wc_observations_free(obs);
  obs = wc_observations_new();
  set_req_header(&e, "Authorization", NULL);
  set_response(&e, 401, "{\"error\":{\"type\":\"unauthorized\",\"message\":\"no\"}}");
  judge_it(&e);
  cr_expect_eq(status_of(WC_REQ_CL_AUTHORIZATION), WC_OBS_FAIL);
  cr_expect_eq(status_of(WC_REQ_AUTH_REJECTED), WC_OBS_PASS, "the server refused it");
  wc_observations_free(obs);
  obs = wc_observations_new();
  set_response(&e, 200, user_json);
  wc_verdict v = judge_it(&e);
  cr_expect_eq(status_of(WC_REQ_AUTH_REJECTED), WC_OBS_FAIL, "a 2xx without a credential");
  cr_expect_geq(v.response_failures, 1);
  cr_expect_eq(v.request_failures, 1);
}

Test(judge, credentials_belong_in_authorization_only) {
  static const struct {
    const char *target, *header, *value, *body;
  } cases[] = {
      {"/api/v1/users/me?access_token=" TOKEN, NULL, NULL, NULL},
      {"/api/v1/users/me?api_key=abc", NULL, NULL, NULL},
      {"/api/v1/users/me?x=" TOKEN, NULL, NULL, NULL},
      {NULL, "X-Api-Key", "k_123456", NULL},
      {NULL, "X-Forwarded-Auth", "Bearer " TOKEN, NULL},
      {NULL, "Cookie", "session=" TOKEN, NULL},
      {NULL, NULL, NULL, "{\"name\":\"a\",\"token\":\"" TOKEN "\"}"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    exch e;
    good(&e);
    wc_observations_free(obs);
    obs = wc_observations_new();
    if (cases[i].target) e.x.target = cases[i].target;
    if (cases[i].header) set_req_header(&e, cases[i].header, cases[i].value);
    if (cases[i].body) set_body(&e, cases[i].body);
    judge_it(&e);
    const wc_observation *o = failure_of(WC_REQ_CL_CREDENTIAL_PLACE);
    cr_assert_not_null(o, "case %zu", i);
    cr_expect_null(strstr(o->reason, TOKEN), "the reason never repeats the credential");
    for (size_t f = 0; f < wc_findings_count(o->findings); f++)
      cr_expect_null(strstr(wc_findings_get(o->findings, f)->message, TOKEN));
  }
  exch e;
  good(&e);
  wc_observations_free(obs);
  obs = wc_observations_new();
  set_req_header(&e, "Cookie", "theme=dark");
  e.x.target = "/api/v1/users/me?account_id=biz_1";
  judge_it(&e);
  cr_expect_eq(status_of(WC_REQ_CL_CREDENTIAL_PLACE), WC_OBS_PASS, "an unrelated cookie and query are fine");
}

Test(judge, response_judged_for_the_version_asked_for) {
  exch e;
  good(&e);
  /* Pinned to the latest: the User schema and the documented meaning. */
  char *bad_user = wc_strdup(user_json);
  memcpy(strstr(bad_user, "user_"), "usr__", 5);
  set_response(&e, 200, bad_user);
  wc_verdict v = judge_it(&e);
  cr_expect_eq(status_of(WC_REQ_ID_PREFIX), WC_OBS_FAIL);
  cr_expect_eq(v.response_failures, 1);
  cr_expect_eq(v.request_failures, 0);
  free(bad_user);

  /* Unversioned: the original shape, never the latest schema. */
  wc_observations_free(obs);
  obs = wc_observations_new();
  set_req_header(&e, "Api-Version-Date", NULL);
  set_response(&e, 200, "{\"id\":\"user_1\",\"username\":\"ada\",\"name\":null}");
  v = judge_it(&e);
  cr_expect_eq(status_of(WC_REQ_OLD_SHAPE), WC_OBS_PASS);
  cr_expect_eq(status_of(WC_REQ_USER_SCHEMA), -1, "an unversioned response is not judged by the User schema");
  cr_expect_eq(v.response_failures, 0);
  wc_observations_free(obs);
  obs = wc_observations_new();
  set_response(&e, 200, "{\"id\":\"user_1\"}");
  judge_it(&e);
  cr_expect_eq(status_of(WC_REQ_OLD_SHAPE), WC_OBS_FAIL, "username missing");

  /* Pinned to an older known version: the original-shape rule as well. */
  wc_observations_free(obs);
  obs = wc_observations_new();
  set_req_header(&e, "Api-Version-Date", "2026-06-08");
  set_response(&e, 200, "{\"id\":\"user_1\",\"username\":\"ada\"}");
  judge_it(&e);
  cr_expect_eq(status_of(WC_REQ_OLD_SHAPE), WC_OBS_PASS);
  cr_expect_eq(status_of(WC_REQ_USER_SCHEMA), -1);

  /* A judge whose latest is the older version judges that one by the schema. */
  wc_err err;
  wc_judge *older = wc_judge_new(spec, &(wc_judge_opts){.api_version = "2026-06-08"}, &err);
  cr_assert_not_null(older, "%s", err.msg);
  wc_observations_free(obs);
  obs = wc_observations_new();
  cr_assert_eq(wc_judge_exchange(older, &e.x, 1, obs, NULL), 0);
  cr_expect_eq(status_of(WC_REQ_USER_SCHEMA), WC_OBS_FAIL);
  wc_judge_free(older);
}

Test(judge, response_status_and_envelope_rules) {
  exch e;
  good(&e);
  set_response(&e, 500, "oops");
  wc_verdict v = judge_it(&e);
  cr_expect_eq(status_of(WC_REQ_NO_5XX), WC_OBS_FAIL);
  cr_expect_geq(v.response_failures, 1);
  wc_observations_free(obs);
  obs = wc_observations_new();
  set_response(&e, 400, "{\"error\":{\"message\":\"no type\"}}");
  judge_it(&e);
  cr_expect_eq(status_of(WC_REQ_ERR_ENVELOPE), WC_OBS_FAIL);
  wc_observations_free(obs);
  obs = wc_observations_new();
  set_response(&e, 200, "{\"id\":\"user_1\",\"id\":\"user_2\"}");
  judge_it(&e);
  cr_expect_eq(status_of(WC_REQ_STRICT_JSON), WC_OBS_FAIL);
}

Test(judge, truncated_bodies_are_skipped_not_guessed) {
  exch e;
  good(&e);
  e.x.request_body = (wc_wire_body){.data = "{\"na", .len = 4, .truncated = true};
  e.x.response_body = (wc_wire_body){.data = "{\"id\":", .len = 6, .truncated = true};
  wc_verdict v = judge_it(&e);
  cr_expect_eq(status_of(WC_REQ_CL_STRICT_JSON), WC_OBS_SKIP);
  cr_expect_eq(status_of(WC_REQ_STRICT_JSON), WC_OBS_SKIP);
  cr_expect_eq(status_of(WC_REQ_USER_SCHEMA), -1);
  cr_expect_eq(status_of(WC_REQ_NO_5XX), WC_OBS_PASS, "the status line is still judged");
  cr_expect_eq(v.request_failures + v.response_failures, 0);
}

Test(judge, no_response_judges_the_request_only) {
  exch e;
  good(&e);
  set_body(&e, "{\"name\":1}");
  e.x.status = 0;
  e.x.error = "connection reset";
  wc_verdict v = judge_it(&e);
  cr_expect(v.judged);
  cr_expect_eq(v.request_failures, 1);
  cr_expect_eq(v.response_failures, 0);
  cr_expect_eq(status_of(WC_REQ_NO_5XX), -1);
}

Test(judge, every_client_requirement_is_in_the_catalogue_on_the_request_side) {
  static const char *const ids[] = {WC_REQ_CL_BODY_PRESENT, WC_REQ_CL_CONTENT_TYPE, WC_REQ_CL_STRICT_JSON,
                                    WC_REQ_CL_BODY_SCHEMA,  WC_REQ_CL_VERSION,      WC_REQ_CL_AUTHORIZATION,
                                    WC_REQ_CL_CREDENTIAL_PLACE};
  for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
    const wc_requirement *r = wc_catalog_find(ids[i]);
    cr_assert_not_null(r, "%s", ids[i]);
    cr_expect(wc_requirement_is_client(r));
    cr_expect_eq(wc_requirement_side(ids[i]), WC_SIDE_REQUEST);
    cr_expect_neq(wc_spec_line(spec, r->spec_pointer), 0, "%s points at a line of the spec", ids[i]);
  }
  cr_expect_eq(wc_requirement_side(WC_REQ_USER_SCHEMA), WC_SIDE_RESPONSE);
  cr_expect_str_eq(wc_side_name(WC_SIDE_REQUEST), "request");
}

/* ---- the record ---------------------------------------------------------- */

Test(judge, wire_record_redacts_credentials_wherever_they_are) {
  exch e;
  good(&e);
  e.x.target = "/api/v1/users/me?account_id=biz_1&access_token=" TOKEN "&x=1";
  set_req_header(&e, "X-Api-Key", "key_ABCDEF");
  set_req_header(&e, "Cookie", "s=cookie_value_1");
  set_body(&e, "{\"bio\":\"" TOKEN "\"}");
  static const wc_wire_header echo[] = {{"Content-Type", "application/json"}, {"X-Echo", TOKEN},
                                        {"Set-Cookie", "s=cookie_value_2"}};
  e.x.response_headers = echo;
  e.x.response_header_count = 3;
  char body[200];
  snprintf(body, sizeof body, "{\"id\":\"user_1\",\"username\":\"%s key_ABCDEF\"}", TOKEN);
  set_response(&e, 200, body);
  wc_exchange *rec = wc_exchange_from_wire(&e.x);
  cr_assert_not_null(rec);
  cJSON *j = wc_exchange_to_json(rec, "x1", 0);
  char *text = cJSON_PrintUnformatted(j);
  char *curl = wc_exchange_curl_command(rec);
  cr_assert_not_null(text);
  static const char *const secrets[] = {TOKEN, "key_ABCDEF", "cookie_value_1", "cookie_value_2"};
  for (size_t i = 0; i < sizeof secrets / sizeof *secrets; i++) {
    cr_expect_null(strstr(text, secrets[i]), "%s leaked: %s", secrets[i], text);
    cr_expect_null(strstr(curl, secrets[i]), "%s leaked: %s", secrets[i], curl);
  }
  cr_expect(strstr(text, "\"Authorization\",\"value\":\"Bearer ***\""), "%s", text);
  cr_expect(strstr(text, "account_id=biz_1&access_token=***&x=1"), "%s", text);
  cr_expect(strstr(curl, "$WHOPCONF_TOKEN"), "%s", curl);
  free(curl);
  free(text);
  cJSON_Delete(j);
  wc_exchange_free(rec);
}
