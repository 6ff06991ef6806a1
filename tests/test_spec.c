/* The spec loader and its queries, on the real contract and on fixtures
 * (tests/fixtures/spec/) made to break one rule each. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whopconf/spec.h"

#define FIXTURES WC_SOURCE_DIR "/tests/fixtures/spec/"
#define REAL_SPEC WC_SOURCE_DIR "/spec/openapi.yml"
#define OP_PATCH "#/paths/~1users~1me/patch"

static wc_spec *load_fixture(const char *name, wc_err *err) {
  char path[512];
  snprintf(path, sizeof path, FIXTURES "%s", name);
  return wc_spec_load_file(path, err);
}

static wc_spec *must_load(const char *name) {
  wc_err err;
  wc_spec *spec = load_fixture(name, &err);
  cr_assert_not_null(spec, "%s: %s", name, err.msg);
  return spec;
}

/* The fixture must be refused with code and a message containing every
 * fragment given (NULL-terminated). */
static void expect_refused(const char *name, wc_err_code code, const char *fragment, ...) {
  wc_err err;
  wc_spec *spec = load_fixture(name, &err);
  cr_assert_null(spec, "%s loaded but should have been refused", name);
  cr_assert_eq(err.code, code, "%s: code %s (%s)", name, wc_err_code_name(err.code), err.msg);
  va_list ap;
  va_start(ap, fragment);
  for (const char *f = fragment; f; f = va_arg(ap, const char *))
    cr_assert(strstr(err.msg, f), "%s: message '%s' lacks '%s'", name, err.msg, f);
  va_end(ap);
  cr_assert_null(strchr(err.msg, '\n'));
}

static const cJSON *get_ok(const wc_spec *spec, const char *pointer) {
  wc_err err;
  const cJSON *node = wc_spec_get(spec, pointer, &err);
  cr_assert_not_null(node, "%s: %s", pointer, err.msg);
  return node;
}

/* ---- the real contract ---- */

static void check_real_spec(const wc_spec *spec) {
  const cJSON *example = get_ok(spec, "#/components/parameters/ApiVersionDate/schema/example");
  cr_assert(cJSON_IsString(example), "a quoted date must stay a string");
  cr_assert_str_eq(example->valuestring, "2026-07-01");

  const cJSON *desc = get_ok(spec, "#/info/description");
  cr_assert_str_eq(desc->valuestring, "Hand-written V1 endpoints. Merged into the "
                                      "GraphqlRestProxy-generated schema at build time.");

  const cJSON *required = get_ok(spec, "#/components/schemas/User/required");
  cr_assert(cJSON_IsArray(required));
  cr_assert_eq(cJSON_GetArraySize(required), 9);
  cr_assert_str_eq(cJSON_GetArrayItem(required, 0)->valuestring, "id");
  cr_assert_str_eq(cJSON_GetArrayItem(required, 8)->valuestring, "verification");

  const cJSON *openapi = get_ok(spec, "/openapi");
  cr_assert_str_eq(openapi->valuestring, "3.1.0", "3.1.0 is not a core float: stays a string");
  const cJSON *bool_false = get_ok(spec, OP_PATCH "/parameters/0/required");
  cr_assert(cJSON_IsBool(bool_false) && cJSON_IsFalse(bool_false));
  const cJSON *null_type = get_ok(spec, "#/components/schemas/User/properties/name/type/1");
  cr_assert_str_eq(null_type->valuestring, "null", "quoted 'null' is a string");

  /* Lines checked against spec/openapi.yml. */
  cr_assert_eq(wc_spec_line(spec, "#/components/schemas/User/properties/id/description"), 92);
  cr_assert_eq(wc_spec_line(spec, "#/components/schemas/User"), 87);
  cr_assert_eq(wc_spec_value_line(spec, "#/components/schemas/User"), 88);
  cr_assert_eq(wc_spec_line(spec, "#/components/schemas/User/properties/id"), 90);
  cr_assert_eq(wc_spec_line(spec, OP_PATCH), 18);
  cr_assert_eq(wc_spec_line(spec, OP_PATCH "/responses/400"), 63);
  cr_assert_eq(wc_spec_line(spec, "#/components/parameters/ApiVersionDate/schema/example"), 78);
  cr_assert_eq(wc_spec_line(spec, OP_PATCH "/parameters/0"), 28, "a sequence item: its start");
  cr_assert_eq(wc_spec_line(spec, "#/components/responses/InvalidParameters"), 204);
  cr_assert_eq(wc_spec_line(spec, "#"), 1);
  cr_assert_eq(wc_spec_line(spec, "#/nowhere"), 0);
  cr_assert_eq(wc_spec_line(spec, "#/paths/~1users~1me/parameters/0/name"), 0,
               "wc_spec_line does not follow $ref");

  size_t len = 0;
  const char *src = wc_spec_source(spec, &len);
  cr_assert_gt(len, 1000);
  char sha[65];
  wc_sha256_hex(src, len, sha);
  cr_assert_str_eq(wc_spec_sha256(spec), sha);
  cr_assert_eq(strlen(wc_spec_sha256(spec)), 64);
}

Test(spec, embedded_copy) {
  wc_err err;
  wc_spec *spec = wc_spec_load_embedded(&err);
  cr_assert_not_null(spec, "%s", err.msg);
  cr_assert_str_eq(wc_spec_name(spec), "spec/openapi.yml (embedded)");
  check_real_spec(spec);
  wc_spec_free(spec);
}

Test(spec, file_copy_matches_embedded) {
  wc_err err;
  wc_spec *file = wc_spec_load_file(REAL_SPEC, &err);
  cr_assert_not_null(file, "%s", err.msg);
  cr_assert_str_eq(wc_spec_name(file), REAL_SPEC);
  check_real_spec(file);
  wc_spec *embedded = wc_spec_load_embedded(&err);
  cr_assert_str_eq(wc_spec_sha256(file), wc_spec_sha256(embedded), "rebuild: the embedded copy is stale");
  cr_assert(cJSON_Compare(wc_spec_document(file), wc_spec_document(embedded), true));
  wc_spec_free(file);
  wc_spec_free(embedded);
}

Test(spec, operation_and_parameters) {
  wc_err err;
  wc_spec *spec = wc_spec_load_embedded(&err);
  char *op = wc_spec_operation_pointer(spec, "PATCH", "/users/me", &err);
  cr_assert_not_null(op, "%s", err.msg);
  cr_assert_str_eq(op, OP_PATCH);
  free(op);
  op = wc_spec_operation_pointer(spec, "patch", "/users/me", &err);
  cr_assert_str_eq(op, OP_PATCH);
  free(op);
  cr_assert_null(wc_spec_operation_pointer(spec, "GET", "/users/me", &err));
  cr_assert_eq(err.code, WC_E_SPEC);
  cr_assert(strstr(err.msg, "/users/me"), "%s", err.msg);
  cr_assert_null(wc_spec_operation_pointer(spec, "BREW", "/users/me", &err));
  cr_assert_eq(err.code, WC_E_USAGE);
  cr_assert_null(wc_spec_operation_pointer(spec, "PATCH", "/users/you", &err));

  cJSON *params = wc_spec_parameters(spec, "PATCH", "/users/me", &err);
  cr_assert_not_null(params, "%s", err.msg);
  cr_assert_eq(cJSON_GetArraySize(params), 2);
  const cJSON *version = cJSON_GetArrayItem(params, 0);
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(version, "name")->valuestring, "Api-Version-Date");
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(version, "in")->valuestring, "header");
  cr_assert(version->type & cJSON_IsReference);
  cr_assert_eq(version->child, get_ok(spec, "#/components/parameters/ApiVersionDate")->child,
               "a reference into the document, $ref resolved");
  const cJSON *account = cJSON_GetArrayItem(params, 1);
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(account, "name")->valuestring, "account_id");
  cJSON_Delete(params);
  /* The document is intact after freeing the reference array. */
  cr_assert_str_eq(get_ok(spec, "#/components/parameters/ApiVersionDate/name")->valuestring,
                   "Api-Version-Date");
  wc_spec_free(spec);
}

Test(spec, response_and_request_schemas) {
  wc_err err;
  wc_spec *spec = wc_spec_load_embedded(&err);
  char *p200 = wc_spec_response_schema_pointer(spec, "PATCH", "/users/me", "200", "application/json", &err);
  cr_assert_not_null(p200, "%s", err.msg);
  cr_assert_str_eq(p200, OP_PATCH "/responses/200/content/application~1json/schema");
  cr_assert_eq(get_ok(spec, p200), get_ok(spec, "#/components/schemas/User"), "via the schema $ref");
  char *canon = wc_spec_resolve_pointer(spec, p200, &err);
  cr_assert_str_eq(canon, "#/components/schemas/User");
  free(canon);
  free(p200);

  char *p400 = wc_spec_response_schema_pointer(spec, "PATCH", "/users/me", "400", "Application/JSON", &err);
  cr_assert_not_null(p400, "%s", err.msg);
  cr_assert_str_eq(p400, "#/components/responses/InvalidParameters/content/application~1json/schema");
  cr_assert_eq(get_ok(spec, p400), get_ok(spec, "#/components/schemas/V1ErrorResponse"));
  free(p400);

  cr_assert_null(wc_spec_response_schema_pointer(spec, "PATCH", "/users/me", "500", NULL, &err));
  cr_assert_eq(err.code, WC_E_SPEC);
  cr_assert(strstr(err.msg, "500"), "%s", err.msg);
  cr_assert_null(wc_spec_response_schema_pointer(spec, "PATCH", "/users/me", "200", "text/html", &err));
  cr_assert_eq(err.code, WC_E_SPEC);

  char *req = wc_spec_request_schema_pointer(spec, "PATCH", "/users/me", "application/json", &err);
  cr_assert_str_eq(req, OP_PATCH "/requestBody/content/application~1json/schema");
  cr_assert_str_eq(get_ok(spec, req)->child->valuestring, "object");
  free(req);

  cJSON *statuses = wc_spec_documented_statuses(spec, "PATCH", "/users/me", &err);
  cr_assert_not_null(statuses, "%s", err.msg);
  cr_assert_eq(cJSON_GetArraySize(statuses), 2);
  cr_assert_str_eq(cJSON_GetArrayItem(statuses, 0)->valuestring, "200");
  cr_assert_str_eq(cJSON_GetArrayItem(statuses, 1)->valuestring, "400");
  cJSON_Delete(statuses);
  wc_spec_free(spec);
}

Test(spec, pointers_follow_refs_and_decode) {
  wc_err err;
  wc_spec *spec = wc_spec_load_embedded(&err);
  /* $ref followed mid-way: responses/400 -> InvalidParameters. */
  const cJSON *d = get_ok(spec, OP_PATCH "/responses/400/description");
  cr_assert_str_eq(d->valuestring, "Invalid Parameters");
  cr_assert_str_eq(get_ok(spec, "/paths/~1users~1me/parameters/0/name")->valuestring, "Api-Version-Date");
  /* Percent-encoding in the fragment form; ~1 encoded as %7E1. */
  cr_assert_str_eq(get_ok(spec, "#/paths/%7E1users%7E1me/patch/operationId")->valuestring,
                   "updateCurrentUser");
  cr_assert_str_eq(get_ok(spec, "#/paths/~1users~1me/patch/tags/0")->valuestring, "Users");
  cr_assert_eq(get_ok(spec, "#"), wc_spec_document(spec));
  cr_assert_eq(get_ok(spec, ""), wc_spec_document(spec));
  cr_assert_null(wc_spec_get(spec, "#/paths/~1users~1me/patch/tags/01", &err), "no leading zeros");
  cr_assert_null(wc_spec_get(spec, "#/paths/~1users~1me/patch/tags/1", &err));
  cr_assert_null(wc_spec_get(spec, "#/paths/~2", &err));
  cr_assert_eq(err.code, WC_E_USAGE);
  cr_assert_null(wc_spec_get(spec, "paths", &err));
  cr_assert_eq(err.code, WC_E_USAGE);
  cr_assert_null(wc_spec_get(spec, "#/openapi/x", &err));
  cr_assert_eq(err.code, WC_E_SPEC);
  char *canon = wc_spec_resolve_pointer(spec, OP_PATCH "/responses/400/content", &err);
  cr_assert_str_eq(canon, "#/components/responses/InvalidParameters/content");
  free(canon);
  wc_spec_free(spec);
}

Test(spec, percent_literal_and_encoded_keys) {
  const char doc[] = "'a%2Bb': {x: 1}\n'c d': {y: 2}\n'e~f': [10, 20]\n";
  wc_err err;
  wc_spec *spec = wc_spec_load_buffer(doc, sizeof doc - 1, "pct", &err);
  cr_assert_not_null(spec, "%s", err.msg);
  char *p = wc_pointer_append("#", "a%2Bb");
  cr_assert_eq(get_ok(spec, p)->child->valuedouble, 1,
               "a literal %%2B in a key, as wc_pointer_append writes it");
  cr_assert_gt(wc_spec_line(spec, p), 0);
  free(p);
  cr_assert_eq(get_ok(spec, "#/c%20d/y")->valuedouble, 2, "percent-encoded space");
  cr_assert_eq(get_ok(spec, "#/e~0f/1")->valuedouble, 20);
  cr_assert_eq(get_ok(spec, "#/e%7E0f/%31")->valuedouble, 20, "~0 and the index percent-encoded");
  cr_assert_null(wc_spec_get(spec, "/c%20d/y", &err), "no percent-decoding outside the fragment form");
  wc_spec_free(spec);
}

/* ---- $ref cycles ---- */

Test(spec, ref_cycles_detected) {
  wc_spec *spec = must_load("ref-cycle.yml");
  wc_err err;
  cr_assert_null(wc_spec_get(spec, "#/components/schemas/A", &err));
  cr_assert_eq(err.code, WC_E_SPEC);
  cr_assert(strstr(err.msg, "cycle"), "%s", err.msg);
  cr_assert(strstr(err.msg, "#/components/schemas/B"), "%s", err.msg);
  cr_assert_null(wc_spec_get(spec, "#/components/schemas/Self/type", &err));
  cr_assert(strstr(err.msg, "cycle"), "%s", err.msg);
  cr_assert_null(wc_spec_get(spec, "#/components/schemas/Through", &err));
  cr_assert(strstr(err.msg, "cycle"), "%s", err.msg);
  /* A recursive schema is not a cycle: walking it works at any depth. */
  const cJSON *deep =
      get_ok(spec, "#/components/schemas/Tree/properties/child/properties/child/properties/child/type");
  cr_assert_str_eq(deep->valuestring, "object");
  cr_assert_null(wc_spec_get(spec, "#/components/schemas/Remote", &err));
  cr_assert_eq(err.code, WC_E_SPEC);
  cr_assert(strstr(err.msg, "non-local"), "%s", err.msg);
  /* Without following, the nodes themselves are there. */
  cr_assert_gt(wc_spec_line(spec, "#/components/schemas/A"), 0);
  wc_spec_free(spec);
}

/* ---- operations fixture: templates, overrides, ranges, media types ---- */

Test(spec, operations_fixture) {
  wc_spec *spec = must_load("operations.yml");
  wc_err err;
  char *op = wc_spec_operation_pointer(spec, "GET", "/items/42", &err);
  cr_assert_str_eq(op, "#/paths/~1items~1{id}/get", "%s", err.msg);
  free(op);
  cr_assert_null(wc_spec_operation_pointer(spec, "GET", "/items/", &err));
  cr_assert_null(wc_spec_operation_pointer(spec, "GET", "/items/1/2", &err));

  cJSON *params = wc_spec_parameters(spec, "GET", "/items/1", &err);
  cr_assert_not_null(params, "%s", err.msg);
  /* path-level: id(path), X-Trace (overridden by x-trace), limit ($ref);
   * op-level: x-trace, id(query) -> id(path), limit, x-trace, id(query). */
  cr_assert_eq(cJSON_GetArraySize(params), 4);
  const char *names[] = {"id", "limit", "x-trace", "id"};
  const char *ins[] = {"path", "query", "header", "query"};
  for (int i = 0; i < 4; i++) {
    const cJSON *p = cJSON_GetArrayItem(params, i);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(p, "name")->valuestring, names[i]);
    cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(p, "in")->valuestring, ins[i]);
  }
  cJSON_Delete(params);

  char *p = wc_spec_response_schema_pointer(spec, "GET", "/items/1", "200", "application/json", &err);
  cr_assert_str_eq(p,
                   "#/paths/~1items~1{id}/get/responses/200/content/Application~1JSON; charset=utf-8/schema",
                   "%s", err.msg);
  cr_assert_not_null(wc_spec_get(spec, p, &err), "%s", err.msg);
  free(p);
  p = wc_spec_response_schema_pointer(spec, "GET", "/items/1", "404", "application/problem+json", &err);
  cr_assert_str_eq(p, "#/components/responses/ClientError/content/application~1problem+json/schema", "%s",
                   err.msg);
  free(p);
  p = wc_spec_response_schema_pointer(spec, "GET", "/items/1", "503", "text/plain", &err);
  cr_assert_str_eq(p, "#/paths/~1items~1{id}/get/responses/default/content/*~1*/schema", "%s", err.msg);
  free(p);
  cr_assert_null(wc_spec_response_schema_pointer(spec, "GET", "/items/1", "204", NULL, &err));
  cr_assert(strstr(err.msg, "204"), "%s", err.msg);
  p = wc_spec_request_schema_pointer(spec, "GET", "/items/1", "application/merge-patch+json", &err);
  cr_assert_str_eq(p, "#/components/requestBodies/Item/content/application~1merge-patch+json/schema", "%s",
                   err.msg);
  free(p);
  p = wc_spec_request_schema_pointer(spec, "GET", "/items/1", "application/xml", &err);
  cr_assert_str_eq(p, "#/components/requestBodies/Item/content/application~1*/schema", "%s", err.msg);
  free(p);
  cJSON *st = wc_spec_documented_statuses(spec, "get", "/items/7", &err);
  cr_assert_eq(cJSON_GetArraySize(st), 4);
  cr_assert_str_eq(cJSON_GetArrayItem(st, 1)->valuestring, "4XX");
  cJSON_Delete(st);
  wc_spec_free(spec);
}

/* ---- scalars: YAML 1.2 core schema ---- */

static double num_at(const cJSON *arr, int i) {
  const cJSON *n = cJSON_GetArrayItem(arr, i);
  cr_assert(cJSON_IsNumber(n), "item %d is not a number", i);
  return n->valuedouble;
}

Test(spec, core_schema_scalars) {
  wc_spec *spec = must_load("scalars.yml");
  const cJSON *doc = wc_spec_document(spec);
  const cJSON *nulls = cJSON_GetObjectItemCaseSensitive(doc, "nulls");
  cr_assert_eq(cJSON_GetArraySize(nulls), 4);
  for (int i = 0; i < 4; i++) cr_assert(cJSON_IsNull(cJSON_GetArrayItem(nulls, i)), "null %d", i);
  cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(doc, "empty_value")));
  const cJSON *bools = cJSON_GetObjectItemCaseSensitive(doc, "bools");
  for (int i = 0; i < 6; i++) {
    const cJSON *b = cJSON_GetArrayItem(bools, i);
    cr_assert(cJSON_IsBool(b) && (i < 3 ? cJSON_IsTrue(b) : cJSON_IsFalse(b)), "bool %d", i);
  }
  const cJSON *not_bools = cJSON_GetObjectItemCaseSensitive(doc, "not_bools");
  for (int i = 0; i < 6; i++)
    cr_assert(cJSON_IsString(cJSON_GetArrayItem(not_bools, i)), "yes/no are strings in 1.2");
  const cJSON *ints = cJSON_GetObjectItemCaseSensitive(doc, "ints");
  cr_assert_eq(num_at(ints, 0), 0);
  cr_assert_eq(num_at(ints, 1), -17);
  cr_assert_eq(num_at(ints, 2), 42);
  cr_assert_eq(num_at(ints, 3), 15);
  cr_assert_eq(num_at(ints, 4), 31);
  cr_assert_gt(num_at(ints, 5), 9.007e15);
  const cJSON *floats = cJSON_GetObjectItemCaseSensitive(doc, "floats");
  const double want[] = {1.5, -0.25, 0.5, 1000, 0.02, 1.0, 125};
  for (int i = 0; i < 7; i++) cr_assert_float_eq(num_at(floats, i), want[i], 1e-12, "float %d", i);
  const cJSON *strings = cJSON_GetObjectItemCaseSensitive(doc, "strings");
  const char *want_s[] = {"2026-07-01", "123",   "",     "2026-07-01", "0o9",
                          "0xZZ",       "1_000", ".5.5", "1e",         "true"};
  cr_assert_eq(cJSON_GetArraySize(strings), 10);
  for (int i = 0; i < 10; i++) {
    const cJSON *s = cJSON_GetArrayItem(strings, i);
    cr_assert(cJSON_IsString(s), "string %d", i);
    cr_assert_str_eq(s->valuestring, want_s[i]);
  }
  const cJSON *tagged = cJSON_GetObjectItemCaseSensitive(doc, "tagged");
  cr_assert_str_eq(cJSON_GetArrayItem(tagged, 0)->valuestring, "123");
  cr_assert_eq(num_at(tagged, 1), 42);
  cr_assert_eq(num_at(tagged, 2), 1);
  cr_assert(cJSON_IsFalse(cJSON_GetArrayItem(tagged, 3)));
  cr_assert(cJSON_IsNull(cJSON_GetArrayItem(tagged, 4)));
  cr_assert_str_eq(cJSON_GetArrayItem(tagged, 5)->valuestring, "12", "'!' forces a string");
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(doc, "folded")->valuestring, "one two\nthree");
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(doc, "literal")->valuestring, "line one\nline two\n");
  const cJSON *qk = cJSON_GetObjectItemCaseSensitive(doc, "quoted_keys");
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(qk, "200")->valuestring, "ok");
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(qk, "4XX")->valuestring, "range");
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(doc, "escapes")->valuestring, "tab\there \xc3\xa9");
  wc_spec_free(spec);
}

/* ---- documents that must be refused ---- */

Test(spec, bad_yaml_has_line_and_column) {
  expect_refused("bad-indent.yml", WC_E_PARSE, FIXTURES "bad-indent.yml:4:", NULL);
  expect_refused("unclosed-quote.yml", WC_E_PARSE, FIXTURES "unclosed-quote.yml:", "quoted scalar", NULL);
}

Test(spec, duplicate_keys_refused) {
  expect_refused("duplicate-key.yml", WC_E_PARSE, "duplicate-key.yml:6:5: duplicate mapping key 'get'",
                 "line 4", NULL);
}

Test(spec, non_string_keys_refused) {
  expect_refused("nonstring-key-int.yml", WC_E_PARSE, "nonstring-key-int.yml:6:9:", "'200' is a number",
                 "quote it", NULL);
  expect_refused("nonstring-key-map.yml", WC_E_PARSE, "nonstring-key-map.yml:2:3:", "key is a mapping", NULL);
}

Test(spec, missing_and_empty_files) {
  wc_err err;
  cr_assert_null(load_fixture("no-such-file.yml", &err));
  cr_assert_eq(err.code, WC_E_IO);
  cr_assert(strstr(err.msg, "no-such-file.yml"), "%s", err.msg);
  expect_refused("empty.yml", WC_E_PARSE, "empty.yml:1:1: empty document", NULL);
  expect_refused("comments-only.yml", WC_E_PARSE, "empty document", NULL);
  expect_refused("not-a-mapping.yml", WC_E_SPEC, "not a mapping", NULL);
  cr_assert_null(wc_spec_load_buffer("", 0, "mem", &err));
  cr_assert_str_eq(err.msg, "mem:1:1: empty document (no YAML content)");
}

Test(spec, other_refusals) {
  expect_refused("two-documents.yml", WC_E_PARSE, "two-documents.yml:2:1: more than one YAML document", NULL);
  expect_refused("unknown-tag.yml", WC_E_PARSE, "unknown-tag.yml:2:8:", "'!custom'", NULL);
  expect_refused("infinity.yml", WC_E_PARSE, "infinity.yml:2:10:", "cannot be represented in JSON", NULL);
  expect_refused("tagged-mismatch.yml", WC_E_PARSE, "tagged-mismatch.yml:2:8:", "'twelve'", NULL);
  expect_refused("nul-string.yml", WC_E_PARSE, "nul-string.yml:2:8:", "NUL", NULL);
  expect_refused("merge-key.yml", WC_E_PARSE, "merge-key.yml:4:3:", "merge keys", NULL);
  wc_err err;
  const char bad_utf8[] = "a: \"\xff\xfe\"\n";
  cr_assert_null(wc_spec_load_buffer(bad_utf8, sizeof bad_utf8 - 1, "mem", &err));
  cr_assert_eq(err.code, WC_E_PARSE);
  cr_assert(strncmp(err.msg, "mem:", 4) == 0, "%s", err.msg);
  const char with_nul[] = "a: b\0c: d\n";
  cr_assert_null(wc_spec_load_buffer(with_nul, sizeof with_nul - 1, "mem", &err));
  cr_assert_eq(err.code, WC_E_PARSE);
}

/* ---- aliases: resolved by copy, bounded ---- */

Test(spec, aliases_resolved_by_copy) {
  wc_spec *spec = must_load("alias.yml");
  const cJSON *first = get_ok(spec, "#/components/schemas/Other/properties/first");
  const cJSON *second = get_ok(spec, "#/components/schemas/Other/properties/second");
  const cJSON *name = get_ok(spec, "#/components/schemas/Name");
  cr_assert(first != name && second != first, "copies, not shared nodes");
  cr_assert(cJSON_Compare(first, name, true));
  cr_assert(cJSON_Compare(second, name, true));
  cr_assert_eq(wc_spec_line(spec, "#/components/schemas/Other/properties/second"), 10);
  cr_assert_eq(wc_spec_line(spec, "#/components/schemas/Other/properties/second/minLength"), 6,
               "members of a copy keep the line where they are written");
  wc_spec_free(spec);
}

Test(spec, alias_bomb_and_recursion_refused) {
  expect_refused("alias-bomb.yml", WC_E_PARSE, "alias-bomb.yml:", "alias bomb", NULL);
  expect_refused("alias-recursive.yml", WC_E_PARSE, "alias-recursive.yml:3:9:", "recursive", NULL);
  expect_refused("alias-undefined.yml", WC_E_PARSE, "alias-undefined.yml:2:4:", "*nowhere", NULL);
}

/* ---- bounds ---- */

Test(spec, limits_are_configurable) {
  wc_spec_limits lim;
  wc_spec_limits_default(&lim);
  cr_assert_eq(lim.max_bytes, (size_t)16 * 1024 * 1024);
  cr_assert_eq(lim.max_depth, 256);
  lim.max_alias_nodes = 3;
  const char doc[] = "a: &a [1, 2]\nb: *a\nc: *a\n";
  wc_err err;
  wc_spec *spec = wc_spec_load_buffer_limited(doc, sizeof doc - 1, "lim", &lim, &err);
  cr_assert_null(spec);
  cr_assert(strstr(err.msg, "lim:3:4:") && strstr(err.msg, "3 copied nodes"), "%s", err.msg);
  lim.max_alias_nodes = 6;
  lim.max_nodes = 10;
  spec = wc_spec_load_buffer_limited(doc, sizeof doc - 1, "lim", &lim, &err);
  cr_assert_not_null(spec, "%s", err.msg);
  wc_spec_free(spec);
  lim.max_nodes = 9;
  cr_assert_null(wc_spec_load_buffer_limited(doc, sizeof doc - 1, "lim", &lim, &err));
  cr_assert(strstr(err.msg, "lim:3:4:") && strstr(err.msg, "more than 9 nodes"), "%s", err.msg);
  lim.max_nodes = 100;
  lim.max_depth = 1;
  cr_assert_null(wc_spec_load_buffer_limited(doc, sizeof doc - 1, "lim", &lim, &err));
  cr_assert(strstr(err.msg, "nesting deeper than 1"), "%s", err.msg);
  lim.max_depth = 256;
  lim.max_bytes = 10;
  cr_assert_null(wc_spec_load_buffer_limited(doc, sizeof doc - 1, "lim", &lim, &err));
  cr_assert(strstr(err.msg, "larger than 10 bytes"), "%s", err.msg);
}

Test(spec, deep_nesting_bounded) {
  size_t depth = 100000;
  char *buf = malloc(2 * depth + 16);
  size_t n = 0;
  n += (size_t)sprintf(buf, "a: ");
  for (size_t i = 0; i < depth; i++) buf[n++] = '[';
  for (size_t i = 0; i < depth; i++) buf[n++] = ']';
  wc_err err;
  wc_spec *spec = wc_spec_load_buffer(buf, n, "deep", &err);
  cr_assert_null(spec);
  cr_assert_eq(err.code, WC_E_PARSE);
  cr_assert(strstr(err.msg, "deep:1:") && strstr(err.msg, "nesting deeper than 256"), "%s", err.msg);
  /* 200 levels load. */
  n = (size_t)sprintf(buf, "a: ");
  for (size_t i = 0; i < 200; i++) buf[n++] = '[';
  for (size_t i = 0; i < 200; i++) buf[n++] = ']';
  spec = wc_spec_load_buffer(buf, n, "deep", &err);
  cr_assert_not_null(spec, "%s", err.msg);
  wc_spec_free(spec);
  free(buf);
}

Test(spec, huge_input_bounded) {
  size_t n = (size_t)16 * 1024 * 1024 + 1;
  char *buf = malloc(n);
  memset(buf, '#', n);
  wc_err err;
  cr_assert_null(wc_spec_load_buffer(buf, n, "huge", &err));
  cr_assert_eq(err.code, WC_E_PARSE);
  cr_assert(strstr(err.msg, "larger than"), "%s", err.msg);
  free(buf);
  /* A big but legal document (200,000 members) loads in linear time. */
  size_t members = 200000;
  buf = malloc(members * 24 + 1);
  n = 0;
  for (size_t i = 0; i < members; i++) n += (size_t)sprintf(buf + n, "k%zu: %zu\n", i, i);
  wc_spec *spec = wc_spec_load_buffer(buf, n, "big", &err);
  cr_assert_not_null(spec, "%s", err.msg);
  cr_assert_eq(cJSON_GetArraySize(wc_spec_document(spec)), (int)members);
  cr_assert_eq(wc_spec_line(spec, "#/k199999"), 200000);
  wc_spec_free(spec);
  free(buf);
}
