/* Response parser: media types, repeated headers, the body through the
 * strict pass, and each error-envelope problem on its own. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/hostile_server.h"
#include "support/params.h"
#include "whopconf/request.h"
#include "whopconf/response.h"

/* ---- media types ---- */

typedef struct media_case {
  const char *value; /* NULL = header absent */
  bool valid, is_json;
  const char *essence, *charset;
} media_case;

static const media_case media[] = {
    {"application/json", true, true, "application/json", ""},
    {"application/json; charset=utf-8", true, true, "application/json", "utf-8"},
    {"Application/JSON; Charset=\"UTF-8\"", true, true, "application/json", "utf-8"},
    {"Application/JSON", true, true, "application/json", ""},
    {"application/problem+json", true, true, "application/problem+json", ""},
    {"application/vnd.whop.v1+JSON;q=1", true, true, "application/vnd.whop.v1+json", ""},
    {"  application/json  ;  charset=utf-8  ", true, true, "application/json", "utf-8"},
    {"application/json;;charset=utf-8;", true, true, "application/json", "utf-8"},
    {"application/json; foo=\"a \\\"quoted\\\" ; value\"; charset=utf-8", true, true, "application/json", "utf-8"},
    {"text/plain; charset=iso-8859-1", true, false, "text/plain", "iso-8859-1"},
    {"text/json", true, false, "text/json", ""},
    {"application/jsonx", true, false, "application/jsonx", ""},
    {"application/+json", true, true, "application/+json", ""},
    {NULL, false, false, "", ""},
    {"", false, false, "", ""},
    {"garbage", false, false, "", ""},
    {"application/", false, false, "", ""},
    {"/json", false, false, "", ""},
    {"application/json charset=utf-8", false, false, "", ""},
    {"application/json; charset", false, false, "", ""},
    {"application/json; charset=", false, false, "", ""},
    {"application/json; charset=\"utf-8", false, false, "", ""},
    {"application/json; =utf-8", false, false, "", ""},
    {"application json", false, false, "", ""},
    {"application/json, text/plain", false, false, "", ""},
    {"appli\xC3\xA9" "cation/json", false, false, "", ""},
};

TABLE_PARAMETERS(media_type, table, media)
ParameterizedTest(const size_t *entry, media_type, table) {
  const size_t i = *entry;
  wc_media_type mt;
  int rc = wc_media_type_parse(media[i].value, &mt);
  const char *shown = media[i].value ? media[i].value : "(absent)";
  cr_expect_eq(rc == 0, media[i].valid, "case %zu [%s]: rc %d", i, shown, rc);
  cr_expect_eq(mt.present, media[i].value != NULL, "case %zu [%s]", i, shown);
  cr_expect_eq(mt.valid, media[i].valid, "case %zu [%s]", i, shown);
  cr_expect_eq(mt.is_json, media[i].is_json, "case %zu [%s]", i, shown);
  cr_expect_str_eq(mt.essence, media[i].essence, "case %zu [%s]", i, shown);
  cr_expect_str_eq(mt.charset, media[i].charset, "case %zu [%s]", i, shown);
}

Test(media_type, overlong_parts_are_invalid_not_overflowed) {
  char value[400];
  memset(value, 'a', sizeof value);
  memcpy(value + 150, "/json", 5);
  value[sizeof value - 1] = '\0';
  wc_media_type mt;
  cr_expect_neq(wc_media_type_parse(value, &mt), 0);
  cr_expect_not(mt.valid);
  snprintf(value, sizeof value, "application/json; charset=%0100d", 7);
  cr_expect_neq(wc_media_type_parse(value, &mt), 0);
}

/* ---- headers and body ---- */

static wc_response *make(long status, const char *body, const char *const *headers) {
  wc_response *r = wc_response_new(status, body, body ? strlen(body) : 0);
  cr_assert_not_null(r);
  for (size_t i = 0; headers && headers[i]; i += 2) cr_assert_eq(wc_response_add_header(r, headers[i], headers[i + 1]), 0);
  wc_response_finish(r, NULL);
  return r;
}

Test(response, repeated_headers_case_insensitive) {
  static const char *const h[] = {"Set-Cookie", "a=1", "content-type", "application/json", "SET-COOKIE", "b=2",
                                  "Content-Type", "text/plain", "X-Empty", "", NULL};
  wc_response *r = make(200, "{}", h);
  cr_expect_eq(wc_response_status(r), 200);
  cr_expect_eq(wc_response_header_count(r, "set-cookie"), 2);
  cr_expect_str_eq(wc_response_header(r, "Set-Cookie", 0), "a=1");
  cr_expect_str_eq(wc_response_header(r, "set-cookie", 1), "b=2");
  cr_expect_null(wc_response_header(r, "Set-Cookie", 2));
  cr_expect_str_eq(wc_response_header(r, "X-EMPTY", 0), "");
  cr_expect_null(wc_response_header(r, "Missing", 0));
  cr_expect_eq(wc_response_header_count(r, "Content-Type"), 2);
  /* The first Content-Type is the one parsed. */
  cr_expect_str_eq(wc_response_media_type(r)->essence, "application/json");
  wc_response_free(r);
}

/* Many fields, long and empty ones: the one buffer they share grows (and
 * moves) while they are added, and every one still reads back as added. */
Test(response, many_headers_read_back) {
  wc_response *r = wc_response_new(200, "{}", 2);
  cr_assert_not_null(r);
  char name[32], value[600];
  for (int i = 0; i < 300; i++) {
    snprintf(name, sizeof name, "X-Field-%d", i);
    memset(value, 'a' + i % 26, (size_t)(i % 7 == 0 ? 0 : 10 + i));
    value[i % 7 == 0 ? 0 : 10 + i] = '\0';
    cr_assert_eq(wc_response_add_header(r, name, value), 0);
  }
  cr_assert_eq(wc_response_add_header(r, "x-field-5", "again"), 0);
  for (int i = 0; i < 300; i++) {
    snprintf(name, sizeof name, "x-FIELD-%d", i);
    const char *v = wc_response_header(r, name, 0);
    cr_assert_not_null(v, "%s", name);
    size_t want = i % 7 == 0 ? 0 : (size_t)(10 + i);
    cr_expect_eq(strlen(v), want, "%s", name);
    if (want) cr_expect_eq(v[0], 'a' + i % 26, "%s", name);
  }
  cr_expect_eq(wc_response_header_count(r, "X-Field-5"), 2);
  cr_expect_str_eq(wc_response_header(r, "X-Field-5", 1), "again");
  cr_expect_null(wc_response_header(r, "X-Field-300", 0));
  wc_response_free(r);
}

Test(response, body_json_and_defects) {
  static const char *const h[] = {"Content-Type", "application/json", NULL};
  wc_response *r = make(200, "{\"id\":\"u1\",\"id\":\"u2\"}", h);
  cr_assert_not_null(wc_response_json(r));
  cr_expect_geq(wc_findings_count(wc_response_json_findings(r)), 1, "duplicate key is a strict defect");
  cr_expect_str_eq(wc_response_json_error(r), "");
  wc_response_free(r);

  r = make(200, "<html>oops</html>", h);
  cr_expect_null(wc_response_json(r));
  cr_expect_eq(wc_findings_count(wc_response_json_findings(r)), 0);
  cr_expect_neq(wc_response_json_error(r)[0], '\0');
  wc_response_free(r);

  r = make(204, NULL, NULL);
  size_t len = 99;
  cr_expect_str_eq(wc_response_body(r, &len), "");
  cr_expect_eq(len, 0);
  cr_expect_null(wc_response_json(r));
  cr_expect_not(wc_response_media_type(r)->present);
  wc_response_free(r);

  /* Bodies are byte strings: a NUL inside is kept. */
  r = wc_response_new(200, "a\0b", 3);
  wc_response_finish(r, NULL);
  cr_expect_eq(memcmp(wc_response_body(r, &len), "a\0b", 3), 0);
  cr_expect_eq(len, 3);
  wc_response_free(r);
}

/* ---- error envelope ---- */

typedef struct env_case {
  const char *body;
  unsigned want;
  const char *pointer; /* of the first finding */
  const char *type, *message;
} env_case;

static const env_case envelopes[] = {
    {"{\"error\":{\"type\":\"invalid_request\",\"message\":\"name is too long\"}}", 0, NULL, "invalid_request",
     "name is too long"},
    {"{\"error\":{\"type\":\"x\",\"message\":\"y\",\"extra\":1}}", 0, NULL, "x", "y"},
    {"not json", WC_ENV_NOT_JSON, "", NULL, NULL},
    {"", WC_ENV_NOT_JSON, "", NULL, NULL},
    {"{\"message\":\"bad\"}", WC_ENV_NO_ERROR, "", NULL, NULL},
    {"[1,2]", WC_ENV_NO_ERROR, "", NULL, NULL},
    {"\"error\"", WC_ENV_NO_ERROR, "", NULL, NULL},
    {"{\"error\":\"bad request\"}", WC_ENV_ERROR_NOT_OBJECT, "/error", NULL, NULL},
    {"{\"error\":null}", WC_ENV_ERROR_NOT_OBJECT, "/error", NULL, NULL},
    {"{\"error\":[]}", WC_ENV_ERROR_NOT_OBJECT, "/error", NULL, NULL},
    {"{\"error\":{\"message\":\"m\"}}", WC_ENV_TYPE_MISSING, "/error/type", NULL, "m"},
    {"{\"error\":{\"type\":7,\"message\":\"m\"}}", WC_ENV_TYPE_NOT_STRING, "/error/type", NULL, "m"},
    {"{\"error\":{\"type\":null,\"message\":\"m\"}}", WC_ENV_TYPE_NOT_STRING, "/error/type", NULL, "m"},
    {"{\"error\":{\"type\":\"\",\"message\":\"m\"}}", WC_ENV_TYPE_EMPTY, "/error/type", "", "m"},
    {"{\"error\":{\"type\":\"t\"}}", WC_ENV_MESSAGE_MISSING, "/error/message", "t", NULL},
    {"{\"error\":{\"type\":\"t\",\"message\":{}}}", WC_ENV_MESSAGE_NOT_STRING, "/error/message", "t", NULL},
    {"{\"error\":{\"type\":\"t\",\"message\":\"\"}}", WC_ENV_MESSAGE_EMPTY, "/error/message", "t", ""},
    {"{\"error\":{}}", WC_ENV_TYPE_MISSING | WC_ENV_MESSAGE_MISSING, "/error/type", NULL, NULL},
    {"{\"error\":{\"code\":\"invalid_request\",\"message\":\"m\"}}", WC_ENV_TYPE_MISSING | WC_ENV_CODE_INSTEAD_OF_TYPE,
     "/error/type", NULL, "m"},
    {"{\"error\":{\"code\":400}}", WC_ENV_TYPE_MISSING | WC_ENV_CODE_INSTEAD_OF_TYPE | WC_ENV_MESSAGE_MISSING,
     "/error/type", NULL, NULL},
    {"{\"error\":{\"Type\":\"t\",\"Message\":\"m\"}}", WC_ENV_TYPE_MISSING | WC_ENV_MESSAGE_MISSING, "/error/type",
     NULL, NULL},
};

static unsigned popcount(unsigned v) {
  unsigned n = 0;
  for (; v; v &= v - 1) n++;
  return n;
}

TABLE_PARAMETERS(envelope, each_problem, envelopes)
ParameterizedTest(const size_t *entry, envelope, each_problem) {
  const size_t i = *entry;
  const env_case *c = &envelopes[i];
  wc_response *r = make(400, c->body, NULL);
  wc_findings *f = wc_findings_new();
  wc_envelope env;
  unsigned got = wc_response_envelope(r, &env, f);
  cr_expect_eq(got, c->want, "case %zu (%s): problems 0x%x, want 0x%x", i, c->body, got, c->want);
  cr_expect_eq(env.problems, got);
  cr_expect_eq(wc_findings_count(f), popcount(c->want), "case %zu: one finding per problem", i);
  if (c->pointer && wc_findings_count(f) > 0)
    cr_expect_str_eq(wc_findings_get(f, 0)->instance_pointer, c->pointer, "case %zu", i);
  if (c->type) cr_expect(env.type && strcmp(env.type, c->type) == 0, "case %zu: type", i);
  else cr_expect_null(env.type, "case %zu: type", i);
  if (c->message) cr_expect(env.message && strcmp(env.message, c->message) == 0, "case %zu: message", i);
  else cr_expect_null(env.message, "case %zu: message", i);
  for (size_t k = 0; k < wc_findings_count(f); k++) {
    const wc_finding *fi = wc_findings_get(f, k);
    cr_expect(fi->keyword && strncmp(fi->keyword, "envelope-", 9) == 0, "case %zu", i);
    cr_expect(fi->message && *fi->message, "case %zu", i);
  }
  wc_findings_free(f);
  wc_response_free(r);
}

Test(envelope, code_instead_of_type_is_said) {
  wc_response *r = make(400, "{\"error\":{\"code\":\"invalid_json\",\"message\":\"bad\"}}", NULL);
  wc_findings *f = wc_findings_new();
  wc_envelope env;
  wc_response_envelope(r, &env, f);
  cr_assert(env.problems & WC_ENV_CODE_INSTEAD_OF_TYPE);
  cr_assert_eq(wc_findings_count(f), 2);
  cr_expect(strstr(wc_findings_get(f, 0)->message, "code") != NULL, "%s", wc_findings_get(f, 0)->message);
  cr_expect(strstr(wc_findings_get(f, 0)->message, "type") != NULL);
  cr_expect_str_eq(wc_findings_get(f, 1)->instance_pointer, "/error/code");
  cr_expect_str_eq(wc_findings_get(f, 1)->keyword, "envelope-code-instead-of-type");
  /* Without a findings list the bits are still set. */
  wc_envelope again;
  cr_expect_eq(wc_response_envelope(r, &again, NULL), env.problems);
  wc_findings_free(f);
  wc_response_free(r);
}

/* error.code of any JSON kind is named in the finding, and so is a "type"
 * or "message" of the wrong kind. */
static const struct {
  const char *body, *kind;
  unsigned bit;
} wrong_kinds[] = {
    {"{\"error\":{\"code\":{\"id\":1},\"message\":\"m\"}}", "an object", WC_ENV_CODE_INSTEAD_OF_TYPE},
    {"{\"error\":{\"code\":[1],\"message\":\"m\"}}", "an array", WC_ENV_CODE_INSTEAD_OF_TYPE},
    {"{\"error\":{\"code\":null,\"message\":\"m\"}}", "null", WC_ENV_CODE_INSTEAD_OF_TYPE},
    {"{\"error\":{\"code\":false,\"message\":\"m\"}}", "a boolean", WC_ENV_CODE_INSTEAD_OF_TYPE},
    {"{\"error\":{\"code\":7,\"message\":\"m\"}}", "a number", WC_ENV_CODE_INSTEAD_OF_TYPE},
    {"{\"error\":{\"type\":{},\"message\":\"m\"}}", "an object", WC_ENV_TYPE_NOT_STRING},
    {"{\"error\":{\"type\":\"t\",\"message\":{}}}", "an object", WC_ENV_MESSAGE_NOT_STRING},
};
TABLE_PARAMETERS(envelope, wrong_kinds_are_named, wrong_kinds)
ParameterizedTest(const size_t *entry, envelope, wrong_kinds_are_named) {
  const size_t i = *entry;
  wc_response *r = make(400, wrong_kinds[i].body, NULL);
  wc_findings *f = wc_findings_new();
  wc_envelope env;
  wc_response_envelope(r, &env, f);
  cr_expect(env.problems & wrong_kinds[i].bit, "case %zu: problems %#x", i, env.problems);
  bool named = false;
  for (size_t k = 0; k < wc_findings_count(f); k++)
    named = named || strstr(wc_findings_get(f, k)->message, wrong_kinds[i].kind) != NULL;
  cr_expect(named, "case %zu: no finding says %s", i, wrong_kinds[i].kind);
  wc_findings_free(f);
  wc_response_free(r);
}

/* Without an exchange there is no response: refused as a transport error. */
Test(response, from_no_exchange_is_null) {
  wc_err err;
  cr_expect_null(wc_response_from_exchange(NULL, NULL, &err));
  cr_expect_eq(err.code, WC_E_TRANSPORT);
  cr_expect(strstr(err.msg, "no response") != NULL, "%s", err.msg);
}

/* ---- from a real exchange ---- */

Test(response, from_exchange, .init = hs_watchdog) {
  hs_server *s = hs_start("127.0.0.1", HS_REPEATED);
  cr_assert_not_null(s);
  hs_run(s);
  char base[128];
  hs_base(s, base, sizeof base);
  wc_request_desc d = {0};
  d.base_url = base;
  wc_err err;
  wc_request *req = wc_request_build(&d, &err);
  cr_assert_not_null(req, "%s", err.msg);
  wc_transport_opts o;
  wc_transport_opts_default(&o);
  wc_transport *t = wc_transport_new(&o, &err);
  cr_assert_not_null(t);
  wc_exchange *x = wc_transport_send(t, req);
  cr_assert_eq(wc_exchange_status(x), WC_XFER_OK, "%s", wc_exchange_error(x));
  wc_response *r = wc_response_from_exchange(x, NULL, &err);
  cr_assert_not_null(r, "%s", err.msg);
  cr_expect_eq(wc_response_status(r), 422);
  cr_expect_eq(wc_response_header_count(r, "set-cookie"), 2);
  cr_expect_str_eq(wc_response_header(r, "Set-Cookie", 1), "b=2");
  cr_expect_str_eq(wc_response_header(r, "x-folded", 0), "one two");
  cr_expect(wc_response_media_type(r)->is_json);
  cr_expect_str_eq(wc_response_media_type(r)->essence, "application/problem+json");
  wc_envelope env;
  cr_expect_eq(wc_response_envelope(r, &env, NULL), 0);
  cr_expect_str_eq(env.type, "invalid_request");
  wc_response_free(r);
  wc_exchange_free(x);
  wc_transport_free(t);
  wc_request_free(req);
  hs_stop(s);
}

Test(response, from_failed_exchange_is_null) {
  wc_request_desc d = {0};
  d.base_url = "http://192.0.2.1/api/v1"; /* refused by policy before any connect */
  wc_err err;
  wc_request *req = wc_request_build(&d, &err);
  wc_transport *t = wc_transport_new(NULL, &err);
  wc_exchange *x = wc_transport_send(t, req);
  cr_assert_eq(wc_exchange_status(x), WC_XFER_REFUSED_POLICY);
  cr_expect_null(wc_response_from_exchange(x, NULL, &err));
  cr_expect_eq(err.code, WC_E_TRANSPORT);
  wc_exchange_free(x);
  wc_transport_free(t);
  wc_request_free(req);
}
