/* The strict RFC 8259 pass: every defect cJSON would accept or alter, with
 * its byte offset and instance pointer, and wc_json_parse around it. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/params.h"
#include "whopconf/json_strict.h"

/* Checks input (n bytes) and returns the findings (caller frees). */
static wc_findings *check_n(const char *input, size_t n) {
  wc_findings *f = wc_findings_new();
  cr_assert_not_null(f);
  size_t count = wc_json_strict_check(input, n, NULL, f);
  cr_assert_eq(count, wc_findings_count(f), "returned count %zu, list holds %zu", count, wc_findings_count(f));
  cr_assert_eq(wc_json_strict_check(input, n, NULL, NULL), count, "count without a list differs");
  return f;
}

#define CHECK(lit) check_n(lit, sizeof(lit) - 1)

/* The single finding of input must be keyword at offset with pointer. */
static void expect_one(const char *input, size_t n, const char *keyword, size_t offset, const char *pointer,
                       const char *fragment) {
  wc_findings *f = check_n(input, n);
  cr_assert_eq(wc_findings_count(f), 1, "%.*s: %zu findings, first: %s", (int)n, input, wc_findings_count(f),
               wc_findings_count(f) ? wc_findings_get(f, 0)->message : "-");
  const wc_finding *x = wc_findings_get(f, 0);
  cr_assert_str_eq(x->keyword, keyword, "%.*s: keyword %s", (int)n, input, x->keyword);
  cr_assert_eq(x->offset, offset, "%.*s: offset %zu, want %zu", (int)n, input, x->offset, offset);
  if (pointer) {
    cr_assert_not_null(x->instance_pointer);
    cr_assert_str_eq(x->instance_pointer, pointer, "%.*s: pointer %s", (int)n, input, x->instance_pointer);
  }
  if (fragment) cr_assert(strstr(x->message, fragment), "message '%s' lacks '%s'", x->message, fragment);
  cr_assert_null(x->schema_pointer);
  cr_assert_null(strchr(x->message, '\n'));
  wc_findings_free(f);
}

#define ONE(lit, kw, off, ptr, frag) expect_one(lit, sizeof(lit) - 1, kw, off, ptr, frag)

static const char *const clean_documents[] = {
    "{}", "[]", "0", "-0", "1.5e+10", "-1E-2", "\"\"", "true", "false", "null", " \t\r\n[ 1 , 2 ] \n",
    "{\"a\":{\"b\":[1,{\"c\":null}]},\"d\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"}",
    "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"", "[1e308, -1.7976931348623157e308, 1e-400]",
    "{\"a\":1,\"A\":2,\"a \":3}"};
TABLE_PARAMETERS(json_strict, clean_document_has_no_findings, clean_documents)
ParameterizedTest(const size_t *i, json_strict, clean_document_has_no_findings) {
  const char *doc = clean_documents[*i];
  wc_findings *f = check_n(doc, strlen(doc));
  cr_assert_eq(wc_findings_count(f), 0, "%s: %s", doc, wc_findings_count(f) ? wc_findings_get(f, 0)->message : "");
  wc_findings_free(f);
}

Test(json_strict, trailing_bytes) {
  ONE("{\"a\":1} x", WC_JSON_DEFECT_TRAILING, 8, "", "1 trailing byte");
  ONE("[1][2]", WC_JSON_DEFECT_TRAILING, 3, "", "3 trailing bytes");
  ONE("1 2", WC_JSON_DEFECT_TRAILING, 2, "", NULL);
}

Test(json_strict, whitespace_other_than_the_four) {
  ONE("[1,\x0b 2]", WC_JSON_DEFECT_WHITESPACE, 3, "/1", "0x0B");
  ONE("{\"a\":\x0c 1}", WC_JSON_DEFECT_WHITESPACE, 5, "/a", "0x0C");
  ONE("\x1f[]", WC_JSON_DEFECT_WHITESPACE, 0, "", NULL);
  ONE("[] \x00", WC_JSON_DEFECT_WHITESPACE, 3, "", "0x00");
}

Test(json_strict, byte_order_mark) { ONE("\xEF\xBB\xBF{}", WC_JSON_DEFECT_BOM, 0, "", "byte order mark"); }

Test(json_strict, duplicate_keys_with_the_pointer_of_the_duplicate) {
  ONE("{\"a\":1,\"b\":2,\"a\":3}", WC_JSON_DEFECT_DUP_KEY, 13, "/a", "first at offset 1");
  ONE("{\"x\":[{\"k\":1,\"k\":2}]}", WC_JSON_DEFECT_DUP_KEY, 13, "/x/0/k", NULL);
  /* escapes are decoded before comparing: \u0061 is a */
  ONE("{\"a/b\":1,\"\\u0061/b\":2}", WC_JSON_DEFECT_DUP_KEY, 9, "/a~1b", NULL);
  /* the same key in sibling objects is fine */
  wc_findings *f = CHECK("[{\"a\":1},{\"a\":1}]");
  cr_assert_eq(wc_findings_count(f), 0);
  wc_findings_free(f);
}

Test(json_strict, duplicate_keys_in_a_large_object) {
  /* beyond the linear search: the hash table path */
  wc_buf b;
  wc_buf_init(&b);
  wc_buf_puts(&b, "{");
  for (int i = 0; i < 500; i++) wc_buf_printf(&b, "\"k%d\":%d,", i, i);
  size_t dup_at = b.len;
  wc_buf_puts(&b, "\"k250\":0,\"k499\":1}");
  wc_findings *f = check_n(b.data, b.len);
  cr_assert_eq(wc_findings_count(f), 2);
  cr_assert_eq(wc_findings_get(f, 0)->offset, dup_at);
  cr_assert_str_eq(wc_findings_get(f, 0)->instance_pointer, "/k250");
  cr_assert_str_eq(wc_findings_get(f, 1)->instance_pointer, "/k499");
  wc_findings_free(f);
  wc_buf_free(&b);
}

Test(json_strict, invalid_utf8) {
  ONE("[\"\xC0\xAF\"]", WC_JSON_DEFECT_UTF8, 2, "/0", "overlong");
  ONE("[\"\xE0\x80\xAF\"]", WC_JSON_DEFECT_UTF8, 2, "/0", "overlong");
  ONE("[\"\xF0\x80\x80\xAF\"]", WC_JSON_DEFECT_UTF8, 2, "/0", "overlong");
  ONE("[\"\xED\xA0\x80\"]", WC_JSON_DEFECT_UTF8, 2, "/0", "surrogate");
  ONE("[\"\xF4\x90\x80\x80\"]", WC_JSON_DEFECT_UTF8, 2, "/0", "above U+10FFFF");
  ONE("[\"\xF5\x80\x80\x80\"]", WC_JSON_DEFECT_UTF8, 2, "/0", "above U+10FFFF");
  ONE("[\"ab\xE2\x82\"]", WC_JSON_DEFECT_UTF8, 4, "/0", "truncated");
  ONE("{\"k\":\"\x80\"}", WC_JSON_DEFECT_UTF8, 6, "/k", "continuation byte");
  ONE("\"\xFF\"", WC_JSON_DEFECT_UTF8, 1, "", NULL);
  /* truncated by the end of input: also an unterminated string */
  wc_findings *f = CHECK("\"\xE2\x82");
  cr_assert_eq(wc_findings_count(f), 2);
  cr_assert_str_eq(wc_findings_get(f, 0)->keyword, WC_JSON_DEFECT_UTF8);
  cr_assert_str_eq(wc_findings_get(f, 1)->keyword, WC_JSON_DEFECT_SYNTAX);
  wc_findings_free(f);
}

Test(json_strict, invalid_utf8_in_a_key) {
  ONE("{\"k\xFF\":1}", WC_JSON_DEFECT_UTF8, 3, "", NULL);
}

Test(json_strict, raw_control_characters_and_nul_in_strings) {
  ONE("[\"a\x01\"]", WC_JSON_DEFECT_CONTROL, 3, "/0", "0x01");
  ONE("{\"t\":\"a\tb\"}", WC_JSON_DEFECT_CONTROL, 7, "/t", "0x09");
  ONE("[\"ab\x00 cd\"]", WC_JSON_DEFECT_CONTROL, 4, "/0", "NUL");
}

Test(json_strict, nul_escape) { ONE("{\"s\":\"ab\\u0000cd\"}", WC_JSON_DEFECT_NUL, 8, "/s", "cuts"); }

Test(json_strict, bad_escapes) {
  ONE("[\"\\uZZ12\"]", WC_JSON_DEFECT_ESCAPE, 2, "/0", "4 hex digits");
  ONE("[\"\\u12G4\"]", WC_JSON_DEFECT_ESCAPE, 2, "/0", "found 2");
  ONE("[\"\\x41\"]", WC_JSON_DEFECT_ESCAPE, 2, "/0", "'x'");
  ONE("[\"\\'\"]", WC_JSON_DEFECT_ESCAPE, 2, "/0", NULL);
}

Test(json_strict, lone_surrogate_escapes) {
  ONE("[\"\\uD800\"]", WC_JSON_DEFECT_SURROGATE, 2, "/0", "high surrogate");
  ONE("[\"\\uD83Dx\"]", WC_JSON_DEFECT_SURROGATE, 2, "/0", NULL);
  ONE("[\"\\uD83D\\u0041\"]", WC_JSON_DEFECT_SURROGATE, 2, "/0", NULL);
  ONE("[\"\\uDC00\"]", WC_JSON_DEFECT_SURROGATE, 2, "/0", "low surrogate");
  wc_findings *f = CHECK("[\"\\uD83D\\uDE00\"]");
  cr_assert_eq(wc_findings_count(f), 0);
  wc_findings_free(f);
}

Test(json_strict, malformed_numbers) {
  ONE("[01]", WC_JSON_DEFECT_NUMBER, 1, "/0", "leading zero");
  ONE("[-01]", WC_JSON_DEFECT_NUMBER, 1, "/0", "leading zero");
  ONE("[1.]", WC_JSON_DEFECT_NUMBER, 1, "/0", "'.'");
  ONE("[.5]", WC_JSON_DEFECT_NUMBER, 1, "/0", "before '.'");
  ONE("[-]", WC_JSON_DEFECT_NUMBER, 1, "/0", "'-'");
  ONE("[1e]", WC_JSON_DEFECT_NUMBER, 1, "/0", "exponent");
  ONE("[1e+]", WC_JSON_DEFECT_NUMBER, 1, "/0", "exponent");
  ONE("[+1]", WC_JSON_DEFECT_NUMBER, 1, "/0", "'+'");
  ONE("{\"n\":-.5}", WC_JSON_DEFECT_NUMBER, 5, "/n", NULL);
}

Test(json_strict, number_overflow) {
  ONE("{\"big\":1e400}", WC_JSON_DEFECT_OVERFLOW, 7, "/big", "infinity");
  ONE("[-1e309]", WC_JSON_DEFECT_OVERFLOW, 1, "/0", NULL);
  /* 400 digits without an exponent */
  char big[410];
  big[0] = '[';
  memset(big + 1, '9', 400);
  big[401] = ']';
  expect_one(big, 402, WC_JSON_DEFECT_OVERFLOW, 1, "/0", NULL);
}

Test(json_strict, nan_and_infinity) {
  ONE("[NaN]", WC_JSON_DEFECT_NONFINITE, 1, "/0", "NaN");
  ONE("{\"x\":Infinity}", WC_JSON_DEFECT_NONFINITE, 5, "/x", "Infinity");
  ONE("[-Infinity]", WC_JSON_DEFECT_NONFINITE, 1, "/0", "-Infinity");
}

Test(json_strict, structural_errors_stop_the_scan) {
  ONE("", WC_JSON_DEFECT_EMPTY, 0, "", NULL);
  ONE(" \n", WC_JSON_DEFECT_EMPTY, 2, "", NULL);
  ONE("[1,2", WC_JSON_DEFECT_SYNTAX, 4, "/1", "end of input");
  ONE("[1,]", WC_JSON_DEFECT_SYNTAX, 3, "/1", "']'");
  ONE("{\"a\":1,}", WC_JSON_DEFECT_SYNTAX, 7, "", "string key");
  ONE("{\"a\" 1}", WC_JSON_DEFECT_SYNTAX, 5, NULL, "':'");
  ONE("\"abc", WC_JSON_DEFECT_SYNTAX, 0, "", "unterminated");
  ONE("[tru]", WC_JSON_DEFECT_SYNTAX, 1, "/0", NULL);
  ONE("{'a':1}", WC_JSON_DEFECT_SYNTAX, 1, "", NULL);
  ONE("[1 2]", WC_JSON_DEFECT_SYNTAX, 3, "/0", "','");
}

Test(json_strict, several_defects_in_one_document) {
  wc_findings *f = CHECK("{\"a\":01,\"b\":\"\\u0000\",\"a\":3}");
  cr_assert_eq(wc_findings_count(f), 3);
  cr_assert_str_eq(wc_findings_get(f, 0)->keyword, WC_JSON_DEFECT_NUMBER);
  cr_assert_str_eq(wc_findings_get(f, 1)->keyword, WC_JSON_DEFECT_NUL);
  cr_assert_str_eq(wc_findings_get(f, 2)->keyword, WC_JSON_DEFECT_DUP_KEY);
  wc_findings_free(f);
}

Test(json_strict, pointer_escapes_keys) {
  ONE("{\"a/b\":{\"c~d\":[0,\"\\u0000\"]}}", WC_JSON_DEFECT_NUL, 18, "/a~1b/c~0d/1", NULL);
}

Test(json_strict, depth_limit_default_and_configured) {
  char deep[1200];
  memset(deep, '[', 600);
  memset(deep + 600, ']', 600);
  wc_findings *f = check_n(deep, 1200);
  cr_assert_eq(wc_findings_count(f), 1);
  cr_assert_str_eq(wc_findings_get(f, 0)->keyword, WC_JSON_DEFECT_DEPTH);
  cr_assert_eq(wc_findings_get(f, 0)->offset, 512);
  wc_findings_free(f);
  wc_json_opts opts = {.max_depth = 600};
  cr_assert_eq(wc_json_strict_check(deep, 1200, &opts, NULL), 0);
  opts.max_depth = 599;
  cr_assert_eq(wc_json_strict_check(deep, 1200, &opts, NULL), 1);
}

Test(json_strict, hundred_thousand_deep_without_stack_overflow) {
  size_t n = 100000;
  char *deep = malloc(2 * n + 1);
  cr_assert_not_null(deep);
  memset(deep, '[', n);
  memset(deep + n, ']', n);
  /* the default limit stops it */
  wc_err err;
  wc_findings *f = wc_findings_new();
  cJSON *tree = wc_json_parse(deep, 2 * n, NULL, f, &err);
  cr_assert_null(tree);
  cr_assert_eq(err.code, WC_E_PARSE);
  cr_assert(strstr(err.msg, "deeper than 512"), "%s", err.msg);
  cr_assert_str_eq(wc_findings_get(f, 0)->keyword, WC_JSON_DEFECT_DEPTH);
  wc_findings_free(f);
  /* a limit above the input: the whole thing is scanned, iteratively */
  wc_json_opts opts = {.max_depth = 2 * n};
  cr_assert_eq(wc_json_strict_check(deep, 2 * n, &opts, NULL), 0);
  /* objects too, with a defect at the bottom */
  char *obj = malloc(6 * n + 16);
  cr_assert_not_null(obj);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) memcpy(obj + k, "{\"a\":", 5), k += 5;
  memcpy(obj + k, "01", 2), k += 2;
  for (size_t i = 0; i < n; i++) obj[k++] = '}';
  f = wc_findings_new();
  cr_assert_eq(wc_json_strict_check(obj, k, &opts, f), 1);
  cr_assert_str_eq(wc_findings_get(f, 0)->keyword, WC_JSON_DEFECT_NUMBER);
  cr_assert_eq(strlen(wc_findings_get(f, 0)->instance_pointer), 2 * n);
  wc_findings_free(f);
  free(obj);
  free(deep);
}

Test(json_strict, parse_returns_the_tree_with_findings) {
  wc_err err;
  wc_findings *f = wc_findings_new();
  const char in[] = "{\"a\":1,\"a\":2} ";
  cJSON *tree = wc_json_parse(in, sizeof in - 1, NULL, f, &err);
  cr_assert_not_null(tree, "%s", err.msg);
  cr_assert_eq(wc_findings_count(f), 1);
  cr_assert_eq(cJSON_GetObjectItemCaseSensitive(tree, "a")->valuedouble, 1);
  cJSON_Delete(tree);
  wc_findings_free(f);
}

Test(json_strict, parse_keeps_trailing_bytes_out_of_the_tree) {
  wc_err err;
  wc_findings *f = wc_findings_new();
  const char in[] = "[1] [[[[";
  cJSON *tree = wc_json_parse(in, sizeof in - 1, NULL, f, &err);
  cr_assert_not_null(tree, "%s", err.msg);
  cr_assert_eq(cJSON_GetArraySize(tree), 1);
  cr_assert_str_eq(wc_findings_get(f, 0)->keyword, WC_JSON_DEFECT_TRAILING);
  cJSON_Delete(tree);
  wc_findings_free(f);
}

static const char *const not_json[] = {"", "{", "[1,]", "{\"a\"}", "nul", "[\"abc]"};
TABLE_PARAMETERS(json_strict, parse_refuses_what_is_not_json, not_json)
ParameterizedTest(const size_t *i, json_strict, parse_refuses_what_is_not_json) {
  const char *text = not_json[*i];
  wc_err err;
  cJSON *tree = wc_json_parse(text, strlen(text), NULL, NULL, &err);
  cr_assert_null(tree, "'%s' parsed", text);
  cr_assert_eq(err.code, WC_E_PARSE, "'%s': %s", text, err.msg);
  cr_assert(strstr(err.msg, "offset"), "'%s': %s", text, err.msg);
}

Test(json_strict, parse_refuses_nan) {
  /* NaN: scanned to the end, but cJSON cannot represent it */
  wc_err err;
  cr_assert_null(wc_json_parse("[NaN]", 5, NULL, NULL, &err));
  cr_assert_eq(err.code, WC_E_PARSE);
}

Test(json_strict, parse_number_overflow_gives_infinity) {
  wc_err err;
  wc_findings *f = wc_findings_new();
  cJSON *tree = wc_json_parse("[1e400]", 7, NULL, f, &err);
  cr_assert_not_null(tree);
  cr_assert(isinf(cJSON_GetArrayItem(tree, 0)->valuedouble));
  cr_assert_str_eq(wc_findings_get(f, 0)->keyword, WC_JSON_DEFECT_OVERFLOW);
  cJSON_Delete(tree);
  wc_findings_free(f);
}

Test(json_strict, findings_are_capped) {
  /* 300 strings with a defect each: 100 listed, then one that says so */
  size_t n = 300;
  char *in = malloc(5 * n + 2);
  cr_assert_not_null(in);
  size_t k = 0;
  in[k++] = '[';
  for (size_t i = 0; i < n; i++) memcpy(in + k, i ? ",\"\x01\"" : "\"\x01\"", i ? 4 : 3), k += i ? 4 : 3;
  in[k++] = ']';
  wc_findings *f = wc_findings_new();
  cr_assert_eq(wc_json_strict_check(in, k, NULL, f), 101);
  size_t count = wc_findings_count(f);
  cr_assert_eq(count, 101, "%zu findings", count);
  cr_assert_str_eq(wc_findings_get(f, 99)->instance_pointer, "/99");
  cr_assert_str_eq(wc_findings_get(f, count - 1)->keyword, WC_JSON_DEFECT_LIMIT);
  wc_findings_free(f);
  free(in);
}

Test(json_strict, repeats_in_one_string_are_summed_up) {
  /* 3000 control characters and 2 bad UTF-8 bytes in one string: the first
   * of each kind, then one finding per kind for the rest */
  size_t n = 3000;
  char *in = malloc(n + 16);
  cr_assert_not_null(in);
  size_t k = 0;
  memcpy(in, "{\"bio\":\"", 8), k = 8;
  memset(in + k, 0x01, n), k += n;
  memcpy(in + k, "\xFF\xFF\"}", 4), k += 4;
  wc_findings *f = wc_findings_new();
  cr_assert_eq(wc_json_strict_check(in, k, NULL, f), 4);
  cr_assert_eq(wc_findings_count(f), 4);
  const wc_finding *first = wc_findings_get(f, 0);
  cr_assert_str_eq(first->keyword, WC_JSON_DEFECT_CONTROL);
  cr_assert_eq(first->offset, 8);
  cr_assert_str_eq(first->instance_pointer, "/bio");
  const wc_finding *utf8 = wc_findings_get(f, 1);
  cr_assert_str_eq(utf8->keyword, WC_JSON_DEFECT_UTF8);
  cr_assert_eq(utf8->offset, 8 + n);
  const wc_finding *more = wc_findings_get(f, 2);
  cr_assert_str_eq(more->keyword, WC_JSON_DEFECT_CONTROL);
  cr_assert_eq(more->offset, 9);
  cr_assert_str_eq(more->instance_pointer, "/bio");
  cr_assert(strstr(more->message, "2999 more raw control characters"), "%s", more->message);
  cr_assert(strstr(wc_findings_get(f, 3)->message, "1 more invalid UTF-8"), "%s", wc_findings_get(f, 3)->message);
  wc_findings_free(f);
  /* the next string starts afresh */
  f = wc_findings_new();
  cr_assert_eq(wc_json_strict_check("[\"\x01\x02\",\"\x03\"]", 10, NULL, f), 3);
  cr_assert_str_eq(wc_findings_get(f, 1)->instance_pointer, "/0");
  cr_assert_str_eq(wc_findings_get(f, 2)->instance_pointer, "/1");
  cr_assert_eq(wc_findings_get(f, 2)->offset, 7);
  wc_findings_free(f);
  free(in);
}

Test(json_strict, the_bench_documents_are_strict) {
  static const char *const files[] = {"user_typical.json", "user_1000_balances.json",
                                      "user_invalid_missing_created_at.json"};
  for (size_t i = 0; i < 3; i++) {
    char path[512];
    snprintf(path, sizeof path, WC_SOURCE_DIR "/bench/%s", files[i]);
    wc_err err;
    size_t len;
    char *text = wc_read_file(path, 0, &len, &err);
    cr_assert_not_null(text, "%s", err.msg);
    cr_assert_eq(wc_json_strict_check(text, len, NULL, NULL), 0, "%s", files[i]);
    free(text);
  }
}
