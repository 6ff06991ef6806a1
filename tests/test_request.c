/* Request builder: URL joins, refusals, headers, encodings and the JSON body
 * round-trip, table-driven. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/params.h"
#include "whopconf/json_strict.h"
#include "whopconf/request.h"

/* ---- URL joining ---- */

typedef struct join_case {
  const char *base;
  const char *path; /* NULL = default /users/me */
  const char *want;
} join_case;

static const join_case joins[] = {
    {"http://127.0.0.1:8080/api/v1", NULL, "http://127.0.0.1:8080/api/v1/users/me"},
    {"http://127.0.0.1:8080/api/v1/", NULL, "http://127.0.0.1:8080/api/v1/users/me"},
    {"http://127.0.0.1:8080/api/v1//", NULL, "http://127.0.0.1:8080/api/v1/users/me"},
    {"https://api.example.test", NULL, "https://api.example.test/users/me"},
    {"https://api.example.test/", NULL, "https://api.example.test/users/me"},
    {"https://api.example.test:8443/v1", NULL, "https://api.example.test:8443/v1/users/me"},
    {"http://[::1]:9000/x", NULL, "http://[::1]:9000/x/users/me"},
    {"http://localhost/a%20b", NULL, "http://localhost/a%20b/users/me"},
    {"HTTPS://api.example.test/api/v1", NULL, "https://api.example.test/api/v1/users/me"},
    {"http://127.0.0.1/api/v1", "/users/me/", "http://127.0.0.1/api/v1/users/me/"},
    {"http://127.0.0.1/api/v1", "users/ME", "http://127.0.0.1/api/v1/users/ME"},
    {"http://127.0.0.1/api/v1", "/users/a%41b", "http://127.0.0.1/api/v1/users/a%41b"},
};

/* A request path can change neither host nor scheme, nor climb above the
 * prefix (the fuzz_url_join findings in corpus/regressions/url_join/). */
static const char *const hostile_paths[] = {
    "/users/me/../x", "/../../../etc/passwd", "/users/%2e%2e", "/users/%2E./x", "/a/./b",
    "/users/me?x=1", "/users/me#frag", "http://evil.invalid/x", "HTTP://evil.invalid/x",
    "/file:////x", "//evil.invalid/x", "/a\\b", "/a%2fb", "/a%5cb", "/a%zz", "/a b", "/a%", "/a%4",
};
TABLE_PARAMETERS(url, hostile_paths_refused, hostile_paths)
ParameterizedTest(const size_t *entry, url, hostile_paths_refused) {
  const size_t i = *entry;
  wc_err err;
  char *url = wc_url_join("http://127.0.0.1/api/v1", hostile_paths[i], &err);
  if (url && strncmp(url, "http://127.0.0.1/api/v1/", 24) == 0 && !strstr(url, "..")) {
    free(url); /* "//evil.invalid/x" stays below the prefix: acceptable */
    return;
  }
  cr_expect_null(url, "path %s joined to %s", hostile_paths[i], url ? url : "");
  free(url);
  if (!url) cr_expect_eq(err.code, WC_E_REFUSED, "path %s: %s", hostile_paths[i], err.msg);
}

TABLE_PARAMETERS(url, joins, joins)
ParameterizedTest(const size_t *entry, url, joins) {
  const size_t i = *entry;
  wc_err err;
  char *url = wc_url_join(joins[i].base, joins[i].path ? joins[i].path : "/users/me", &err);
  cr_assert_not_null(url, "case %zu (%s): %s", i, joins[i].base, err.msg);
  cr_expect_str_eq(url, joins[i].want, "case %zu", i);
  free(url);
}

/* Joins are remembered per thread: one join after another, in an order
 * that hits and misses the memory, each gives what a first join gives, and
 * a refusal is never served from it. */
Test(url, repeated_joins_answer_as_the_first) {
  static const struct {
    const char *base, *path, *want; /* want NULL: refused */
  } seq[] = {
      {"http://127.0.0.1:8080/api/v1", "/users/me", "http://127.0.0.1:8080/api/v1/users/me"},
      {"http://127.0.0.1:8080/api/v1", "/users/me", "http://127.0.0.1:8080/api/v1/users/me"},
      {"http://127.0.0.1:8080/api/v1", NULL, "http://127.0.0.1:8080/api/v1/users/me"},
      {"http://127.0.0.1:8080/api/v1", "/users/you", "http://127.0.0.1:8080/api/v1/users/you"},
      {"http://127.0.0.1:8080/api/v1", "/users/../me", NULL},
      {"http://127.0.0.1:8080/api/v1", "/users/me", "http://127.0.0.1:8080/api/v1/users/me"},
      {"http://127.0.0.1:8080/api/v2", "/users/me", "http://127.0.0.1:8080/api/v2/users/me"},
      {"http://127.0.0.1:8080/api/v2?x", "/users/me", NULL},
      {"http://127.0.0.1:8080/api/v2", "/users/me", "http://127.0.0.1:8080/api/v2/users/me"},
  };
  for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
    wc_err err;
    wc_err_clear(&err);
    char *url = wc_url_join(seq[i].base, seq[i].path, &err);
    if (seq[i].want) {
      cr_assert_not_null(url, "step %zu: %s", i, err.msg);
      cr_expect_str_eq(url, seq[i].want, "step %zu", i);
    } else {
      cr_expect_null(url, "step %zu joined to %s", i, url ? url : "");
      cr_expect_neq(err.code, WC_OK, "step %zu: refused without a reason", i);
    }
    free(url);
  }
}

typedef struct refuse_case {
  const char *base;
  const char *why; /* substring of the message */
} refuse_case;

static const refuse_case refusals[] = {
    {"http://127.0.0.1/api?x=1", "query"},
    {"http://127.0.0.1/api?", "query"},
    {"http://127.0.0.1/api#frag", "fragment"},
    {"http://127.0.0.1/api#", "fragment"},
    {"http://user:pw@127.0.0.1/api", "userinfo"},
    {"http://user@127.0.0.1/api", "userinfo"},
    {"ftp://127.0.0.1/api", "scheme"},
    {"file:///etc/passwd", "scheme"},
    {"127.0.0.1/api", "parse"},
    {"", "empty"},
    {"http://", "parse"},
    {"http:///api", "parse"},
    {"http://127.0.0.1:99999/", "parse"},
    {"http://127.0.0.1/a b", "parse"},
    {"http://127.0.0.1/\r\nX: y", "parse"},
    {"javascript:alert(1)", "parse"},
};

TABLE_PARAMETERS(url, refusals, refusals)
ParameterizedTest(const size_t *entry, url, refusals) {
  const size_t i = *entry;
  wc_err err;
  char *url = wc_url_join(refusals[i].base, "/users/me", &err);
  cr_expect_null(url, "case %zu (%s) should be refused, got %s", i, refusals[i].base, url ? url : "");
  free(url);
  cr_expect_neq(err.code, WC_OK, "case %zu", i);
  cr_expect(strstr(err.msg, refusals[i].why) != NULL, "case %zu: message \"%s\" should mention %s", i, err.msg,
            refusals[i].why);
  cr_expect(strchr(err.msg, '\n') == NULL && strchr(err.msg, '\r') == NULL, "case %zu: one line", i);
}

Test(url, userinfo_password_never_quoted) {
  wc_err err;
  char *url = wc_url_join("https://alice:hunter2secret@api.example.test/v1", "/users/me", &err);
  cr_assert_null(url);
  cr_expect(strstr(err.msg, "hunter2secret") == NULL, "%s", err.msg);
  cr_expect(strstr(err.msg, "alice") == NULL, "%s", err.msg);
}

typedef struct loopback_case {
  const char *url;
  bool want;
} loopback_case;

static const loopback_case loopbacks[] = {
    {"http://127.0.0.1:1/", true},      {"http://127.1.2.3/", true},       {"http://localhost/", true},
    {"http://LOCALHOST:80/", true},     {"http://[::1]:8080/", true},      {"http://[::ffff:127.0.0.1]/", true},
    {"http://0x7f000001/", true},       {"http://192.0.2.1/", false},      {"http://128.0.0.1/", false},
    {"http://127.0.0.1.nip.io/", false}, {"http://api.example.test/", false}, {"http://[::2]/", false},
    {"http://localhost.example/", false}, {"not a url", false},            {"http://10.0.0.1/", false},
};

TABLE_PARAMETERS(url, loopback, loopbacks)
ParameterizedTest(const size_t *entry, url, loopback) {
  cr_expect_eq(wc_url_is_loopback(loopbacks[*entry].url), loopbacks[*entry].want, "%s", loopbacks[*entry].url);
}

Test(url, null_is_not_loopback) { cr_expect_not(wc_url_is_loopback(NULL)); }

/* ---- account_id ---- */

typedef struct account_case {
  const char *id;
  const char *query;
} account_case;

static const account_case accounts[] = {
    {"biz_123", "account_id=biz_123"},
    {"A-z.0_9~", "account_id=A-z.0_9~"},
    {"a b&c=d/e?f#g", "account_id=a%20b%26c%3Dd%2Fe%3Ff%23g"},
    {"\xC3\xA9t\xC3\xA9", "account_id=%C3%A9t%C3%A9"},
    {"100%", "account_id=100%25"},
    {"+:@!$'()*,;[]", "account_id=%2B%3A%40%21%24%27%28%29%2A%2C%3B%5B%5D"},
    {"", "account_id="},
};

TABLE_PARAMETERS(request, account_id_percent_encoded, accounts)
ParameterizedTest(const size_t *entry, request, account_id_percent_encoded) {
  const size_t i = *entry;
  wc_request_desc d = {0};
  d.base_url = "http://127.0.0.1:1/api/v1/";
  d.account_id = accounts[i].id;
  wc_err err;
  wc_request *r = wc_request_build(&d, &err);
  cr_assert_not_null(r, "case %zu: %s", i, err.msg);
  char want[256];
  snprintf(want, sizeof want, "http://127.0.0.1:1/api/v1/users/me?%s", accounts[i].query);
  cr_expect_str_eq(wc_request_url(r), want, "case %zu", i);
  wc_request_free(r);
}

Test(request, path_with_query_or_fragment_refused) {
  wc_request_desc d = {0};
  d.base_url = "http://127.0.0.1:1/api/v1";
  d.account_id = "biz 1";
  wc_err err;
  d.path = "/users/me?x=1";
  cr_expect_null(wc_request_build(&d, &err));
  d.path = "x#frag"; /* account_id would land inside the fragment */
  cr_expect_null(wc_request_build(&d, &err));
  cr_expect_eq(err.code, WC_E_REFUSED, "%s", err.msg);
  d.path = "/users/me";
  wc_request *r = wc_request_build(&d, &err);
  cr_assert_not_null(r, "%s", err.msg);
  cr_expect_str_eq(wc_request_url(r), "http://127.0.0.1:1/api/v1/users/me?account_id=biz%201");
  wc_request_free(r);
}

/* ---- headers ---- */

Test(request, headers_in_order) {
  wc_request_desc d = {0};
  d.base_url = "https://api.example.test/api/v1";
  d.token = "tok_abc123";
  d.api_version = "2026-07-01";
  d.name.kind = WC_FIELD_STRING;
  d.name.value = "Ada";
  wc_err err;
  wc_request *r = wc_request_build(&d, &err);
  cr_assert_not_null(r, "%s", err.msg);
  static const char *want[] = {"Authorization: Bearer tok_abc123", "Api-Version-Date: 2026-07-01",
                               "Content-Type: application/json", "Accept: application/json",
                               ("User-Agent: whopconf/" WC_VERSION)};
  cr_assert_eq(wc_request_header_count(r), 5);
  for (size_t i = 0; i < 5; i++) cr_expect_str_eq(wc_request_header(r, i), want[i]);
  cr_expect_str_eq(wc_request_header_redacted(r, 0), "Authorization: Bearer ***");
  for (size_t i = 1; i < 5; i++) cr_expect_str_eq(wc_request_header_redacted(r, i), want[i]);
  cr_expect_null(wc_request_header(r, 5));
  cr_expect(wc_request_has_credential(r));
  cr_expect_str_eq(wc_request_method(r), "PATCH");
  size_t len;
  cr_expect_str_eq(wc_request_body(r, &len), "{\"name\":\"Ada\"}");
  cr_expect_eq(len, 14);
  wc_request_free(r);
}

Test(request, no_credential_no_version) {
  wc_request_desc d = {0};
  d.base_url = "http://127.0.0.1:1/api/v1";
  wc_err err;
  wc_request *r = wc_request_build(&d, &err);
  cr_assert_not_null(r, "%s", err.msg);
  cr_expect_not(wc_request_has_credential(r));
  cr_expect_null(wc_request_credential(r));
  for (size_t i = 0; i < wc_request_header_count(r); i++) {
    cr_expect(strncmp(wc_request_header(r, i), "Authorization", 13) != 0);
    cr_expect(strncmp(wc_request_header(r, i), "Api-Version-Date", 16) != 0);
  }
  size_t len;
  cr_expect_str_eq(wc_request_body(r, &len), "{}");
  wc_request_free(r);
}

typedef struct inject_case {
  const char *token, *version, *account, *ctype;
  const char *field;
  const char *scheme; /* auth_scheme */
} inject_case;

static const inject_case injections[] = {
    {"sekrit_tok\r\nX-Evil: 1", NULL, NULL, NULL, "token", NULL},
    {"sekrit_tok\n", NULL, NULL, NULL, "token", NULL},
    {"sekrit_tok\r", NULL, NULL, NULL, "token", NULL},
    {"sekrit_tok", "2026-07-01\r\nX-Evil: 1", NULL, NULL, "Api-Version-Date", NULL},
    {"sekrit_tok", "\n", NULL, NULL, "Api-Version-Date", NULL},
    {"sekrit_tok", NULL, "biz\r\n", NULL, "account_id", NULL},
    {"sekrit_tok", NULL, NULL, "application/json\r\nX-Evil: 1", "Content-Type", NULL},
    {"sekrit_tok", NULL, NULL, NULL, "Authorization scheme", "Basic\r\nX-Evil: 1"},
};

TABLE_PARAMETERS(request, crlf_refused_everywhere, injections)
ParameterizedTest(const size_t *entry, request, crlf_refused_everywhere) {
  const size_t i = *entry;
  wc_request_desc d = {0};
  d.base_url = "http://127.0.0.1:1/api/v1";
  d.token = injections[i].token;
  d.api_version = injections[i].version;
  d.account_id = injections[i].account;
  d.content_type = injections[i].ctype;
  d.auth_scheme = injections[i].scheme;
  wc_err err;
  wc_request *r = wc_request_build(&d, &err);
  cr_expect_null(r, "case %zu should be refused", i);
  wc_request_free(r);
  cr_expect_eq(err.code, WC_E_REFUSED, "case %zu: %s", i, err.msg);
  cr_expect(strstr(err.msg, injections[i].field) != NULL, "case %zu: %s", i, err.msg);
  cr_expect(strstr(err.msg, "sekrit_tok") == NULL, "case %zu quotes the credential: %s", i, err.msg);
  cr_expect(strstr(err.msg, "X-Evil") == NULL, "case %zu quotes the value: %s", i, err.msg);
}

Test(request, header_value_check_by_length) {
  size_t off = 99;
  cr_expect_eq(wc_header_value_check("abc", 3, &off), 0);
  cr_expect_eq(wc_header_value_check("ab\0c", 4, &off), 3);
  cr_expect_eq(off, 2);
  cr_expect_eq(wc_header_value_check("a\rb", 3, &off), 1);
  cr_expect_eq(off, 1);
  cr_expect_eq(wc_header_value_check("\n", 1, NULL), 2);
  cr_expect_eq(wc_header_value_check("", 0, NULL), 0);
  cr_expect_eq(wc_header_value_check("a\tb \x80\xff", 6, NULL), 0); /* HTAB, SP, obs-text are fine */
}

static const struct {
  const char *method;
  bool ok;
} methods[] = {{"DELETE", true},     {"PUT", true},      {"POST", true}, {"X-CUSTOM!", true},
               {"PATCH\r\n", false}, {"GET /x", false}, {"", false},    {"P(A)", false}};
TABLE_PARAMETERS(request, method_knob, methods)
ParameterizedTest(const size_t *entry, request, method_knob) {
  const size_t i = *entry;
  wc_request_desc d = {0};
  d.base_url = "http://127.0.0.1:1/api/v1";
  d.method = methods[i].method;
  wc_err err;
  wc_request *r = wc_request_build(&d, &err);
  cr_expect_eq(r != NULL, methods[i].ok, "case %zu (%s): %s", i, methods[i].method, err.msg);
  if (r) cr_expect_str_eq(wc_request_method(r), methods[i].method, "case %zu", i);
  wc_request_free(r);
}

/* ---- bodies ---- */

static char *build_body(const wc_request_desc *d) {
  wc_err err;
  wc_request *r = wc_request_build(d, &err);
  cr_assert_not_null(r, "%s", err.msg);
  size_t len;
  const char *b = wc_request_body(r, &len);
  char *copy = b ? strndup(b, len) : NULL;
  wc_request_free(r);
  return copy;
}

Test(request, body_fields) {
  wc_request_desc d = {0};
  d.base_url = "http://127.0.0.1:1/api/v1";
  d.name = (wc_field){WC_FIELD_STRING, "Ada"};
  d.bio = (wc_field){WC_FIELD_NULL, NULL};
  d.username = (wc_field){WC_FIELD_STRING, "ada_l"};
  d.picture_id = (wc_field){WC_FIELD_STRING, "pic_1"};
  char *b = build_body(&d);
  cr_expect_str_eq(b, "{\"name\":\"Ada\",\"bio\":null,\"username\":\"ada_l\",\"profile_picture\":{\"id\":\"pic_1\"}}");
  free(b);

  wc_request_desc e = {0};
  e.base_url = d.base_url;
  e.picture_direct_upload_id = (wc_field){WC_FIELD_STRING, "du_9"};
  b = build_body(&e);
  cr_expect_str_eq(b, "{\"profile_picture\":{\"direct_upload_id\":\"du_9\"}}");
  free(b);

  wc_request_desc f = {0};
  f.base_url = d.base_url;
  f.profile_picture_null = true;
  f.name = (wc_field){WC_FIELD_NULL, NULL};
  b = build_body(&f);
  cr_expect_str_eq(b, "{\"name\":null,\"profile_picture\":null}");
  free(b);
}

Test(request, raw_and_omitted_bodies) {
  wc_request_desc d = {0};
  d.base_url = "http://127.0.0.1:1/api/v1";
  d.name = (wc_field){WC_FIELD_STRING, "ignored"};
  d.raw_body = "{\"a\":1,\0\"a\":2}";
  d.raw_body_len = 15;
  wc_err err;
  wc_request *r = wc_request_build(&d, &err);
  cr_assert_not_null(r, "%s", err.msg);
  size_t len;
  const char *b = wc_request_body(r, &len);
  cr_expect_eq(len, 15);
  cr_expect(memcmp(b, d.raw_body, 15) == 0);
  cr_expect_str_eq(wc_request_header(r, 0), "Content-Type: application/json");
  wc_request_free(r);

  d.raw_body = "";
  d.raw_body_len = 0;
  r = wc_request_build(&d, &err);
  cr_assert_not_null(r);
  cr_expect_not_null(wc_request_body(r, &len), "an empty raw body is still a body");
  cr_expect_eq(len, 0);
  wc_request_free(r);

  d.omit_body = true;
  r = wc_request_build(&d, &err);
  cr_assert_not_null(r);
  cr_expect_null(wc_request_body(r, &len));
  for (size_t i = 0; i < wc_request_header_count(r); i++)
    cr_expect(strncmp(wc_request_header(r, i), "Content-Type", 12) != 0, "no body, no Content-Type");
  wc_request_free(r);
}

Test(request, content_type_knob) {
  wc_request_desc d = {0};
  d.base_url = "http://127.0.0.1:1/api/v1";
  d.content_type = "text/plain; charset=latin1";
  wc_err err;
  wc_request *r = wc_request_build(&d, &err);
  cr_assert_not_null(r);
  cr_expect_str_eq(wc_request_header(r, 0), "Content-Type: text/plain; charset=latin1");
  wc_request_free(r);
  d.content_type = "";
  r = wc_request_build(&d, &err);
  cr_assert_not_null(r);
  for (size_t i = 0; i < wc_request_header_count(r); i++)
    cr_expect(strncmp(wc_request_header(r, i), "Content-Type", 12) != 0);
  wc_request_free(r);
}

static const char *const unicode[] = {
    "Ada",
    "",
    "\xC3\xA9l\xC3\xA8ve",                   /* élève */
    "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", /* 日本語 */
    "\xF0\x9F\x98\x80",                      /* U+1F600, astral */
    "\xF0\x9D\x84\x9E clef",                 /* U+1D11E */
    "\xF4\x8F\xBF\xBF",                      /* U+10FFFF, the last code point */
    "\xEF\xBF\xBD\xEF\xBF\xBF",              /* U+FFFD U+FFFF */
    ("\xEF\xBB\xBF" "bom inside"),
    "\"quoted\" \\ back\\slash /",
    "\n\t\r\b\f",
    "\x01\x02\x1f\x7f",
    "</script><!--",
    "\xE2\x80\xA8\xE2\x80\xA9", /* U+2028 U+2029 */
    "\\u0000 not a NUL",
    "e\xCC\x81 combining",
    "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7", /* RTL */
};

TABLE_PARAMETERS(request, utf8_round_trip, unicode)
ParameterizedTest(const size_t *entry, request, utf8_round_trip) {
  const size_t i = *entry;
  wc_request_desc d = {0};
  d.base_url = "http://127.0.0.1:1/api/v1";
  d.name = (wc_field){WC_FIELD_STRING, unicode[i]};
  d.bio = (wc_field){WC_FIELD_STRING, unicode[i]};
  d.picture_id = (wc_field){WC_FIELD_STRING, unicode[i]};
  char *body = build_body(&d);
  wc_findings *defects = wc_findings_new();
  wc_err err;
  cJSON *tree = wc_json_parse(body, strlen(body), NULL, defects, &err);
  cr_assert_not_null(tree, "case %zu: %s", i, err.msg);
  cr_expect_eq(wc_findings_count(defects), 0, "case %zu: the body is not strict JSON", i);
  const cJSON *name = cJSON_GetObjectItemCaseSensitive(tree, "name");
  const cJSON *bio = cJSON_GetObjectItemCaseSensitive(tree, "bio");
  const cJSON *pic = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(tree, "profile_picture"), "id");
  cr_expect(cJSON_IsString(name) && strcmp(name->valuestring, unicode[i]) == 0, "case %zu: name differs", i);
  cr_expect(cJSON_IsString(bio) && strcmp(bio->valuestring, unicode[i]) == 0, "case %zu: bio differs", i);
  cr_expect(cJSON_IsString(pic) && strcmp(pic->valuestring, unicode[i]) == 0, "case %zu: id differs", i);
  cJSON_Delete(tree);
  wc_findings_free(defects);
  free(body);
}

static const char *const invalid_utf8[] = {"\xff",         "ab\xC0\xAF",       "\xED\xA0\x80", "\xE6\x97",
                                           "\xF5\x80\x80\x80", "\xF0\x8F\xBF\xBF", "\x80"};
TABLE_PARAMETERS(request, invalid_utf8_refused, invalid_utf8)
ParameterizedTest(const size_t *entry, request, invalid_utf8_refused) {
  const size_t i = *entry;
  wc_request_desc d = {0};
  d.base_url = "http://127.0.0.1:1/api/v1";
  d.username = (wc_field){WC_FIELD_STRING, invalid_utf8[i]};
  wc_err err;
  wc_request *r = wc_request_build(&d, &err);
  cr_expect_null(r, "case %zu", i);
  wc_request_free(r);
  cr_expect(strstr(err.msg, "username") && strstr(err.msg, "UTF-8"), "case %zu: %s", i, err.msg);
}

Test(request, errors_never_quote_the_credential) {
  const char *token = "tok_ZQ7Hq1mN0secret";
  wc_request_desc d = {0};
  d.token = token;
  static const char *const bases[] = {"ftp://x/", "http://x/?q", "http://x:0:0/", "", "http://a b/"};
  for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
    d.base_url = bases[i];
    wc_err err;
    wc_request *r = wc_request_build(&d, &err);
    cr_expect_null(r);
    wc_request_free(r);
    cr_expect(strstr(err.msg, token) == NULL, "%s", err.msg);
  }
  /* A token used as a base URL's userinfo or as a path is not quoted either. */
  d.base_url = "https://u:tok_ZQ7Hq1mN0secret@api.example.test/";
  wc_err err;
  cr_expect_null(wc_request_build(&d, &err));
  cr_expect(strstr(err.msg, token) == NULL, "%s", err.msg);
}

/* The Authorization line is sent with the scheme the case asks for and
 * recorded with the same scheme, the credential masked: one mechanism for
 * every scheme (add_header's redacted value). */
Test(request, authorization_recorded_per_scheme) {
  static const struct {
    const char *scheme; /* NULL = default */
    const char *sent, *shown;
  } cases[] = {
      {NULL, "Authorization: Bearer tok_ZQ7Hq1mN0secret", "Authorization: Bearer ***"},
      {"Bearer", "Authorization: Bearer tok_ZQ7Hq1mN0secret", "Authorization: Bearer ***"},
      {"Basic", "Authorization: Basic tok_ZQ7Hq1mN0secret", "Authorization: Basic ***"},
      {"bearer", "Authorization: bearer tok_ZQ7Hq1mN0secret", "Authorization: bearer ***"},
      {"", "Authorization: tok_ZQ7Hq1mN0secret", "Authorization: ***"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wc_request_desc d = {0};
    d.base_url = "http://127.0.0.1:1/api/v1";
    d.token = "tok_ZQ7Hq1mN0secret";
    d.auth_scheme = cases[i].scheme;
    wc_err err;
    wc_request *r = wc_request_build(&d, &err);
    cr_assert_not_null(r, "case %zu: %s", i, err.msg);
    cr_expect_str_eq(wc_request_header(r, 0), cases[i].sent, "case %zu", i);
    cr_expect_str_eq(wc_request_header_redacted(r, 0), cases[i].shown, "case %zu", i);
    for (size_t h = 0; h < wc_request_header_count(r); h++)
      cr_expect_null(strstr(wc_request_header_redacted(r, h), d.token), "case %zu header %zu", i, h);
    cr_expect_str_eq(wc_request_credential(r), d.token);
    wc_request_free(r);
  }
  /* Without a token the scheme sends nothing. */
  wc_request_desc d = {0};
  d.base_url = "http://127.0.0.1:1/api/v1";
  d.auth_scheme = "Basic";
  wc_err err;
  wc_request *r = wc_request_build(&d, &err);
  cr_assert_not_null(r, "%s", err.msg);
  for (size_t h = 0; h < wc_request_header_count(r); h++)
    cr_expect_neq(strncmp(wc_request_header(r, h), "Authorization:", 14), 0);
  cr_expect_null(wc_request_credential(r));
  wc_request_free(r);
}

/* Dot segments are refused wherever they stand (first, last, alone), and
 * only whole "." or ".." segments are. */
static const struct {
  const char *path;
  bool ok;
} dot_segment_paths[] = {
    {".", false},          {"..", false},      {"./a", false},         {"../a", false},
    {"a/.", false},        {"a/..", false},    {"a/./b", false},       {"/a/../b/", false},
    {"a/.../b", true},     {"..a/b.", true},   {".a/a.", true},        {"a//b", true},
    {"", true},            {"/", true},        {"users/me/", true},
};
TABLE_PARAMETERS(url, dot_segments_by_position, dot_segment_paths)
ParameterizedTest(const size_t *entry, url, dot_segments_by_position) {
  const size_t i = *entry;
  wc_err err;
  char *url = wc_url_join("http://127.0.0.1/api/v1", dot_segment_paths[i].path, &err);
  cr_expect_eq(url != NULL, dot_segment_paths[i].ok, "path \"%s\": %s", dot_segment_paths[i].path, url ? url : err.msg);
  if (!url) cr_expect(strstr(err.msg, "segment") != NULL, "path \"%s\": %s", dot_segment_paths[i].path, err.msg);
  free(url);
}
