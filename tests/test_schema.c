/* The JSON Schema 2020-12 validator: every keyword, the error messages and
 * pointers, unknown keywords, refusals at compile time, the regex dialect,
 * formats, and the real contract. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whopconf/json_strict.h"
#include "whopconf/schema.h"
#include "whopconf/spec.h"

static cJSON *json(const char *text) {
  cJSON *v = cJSON_Parse(text);
  cr_assert_not_null(v, "test JSON does not parse: %s", text);
  return v;
}

static wc_schema *compile_opts(const cJSON *doc, const char *pointer, bool formats) {
  wc_schema_opts opts;
  wc_schema_opts_default(&opts);
  opts.format_assertion = formats;
  wc_err err;
  wc_schema *s = wc_schema_compile(doc, pointer, &opts, &err);
  cr_assert_not_null(s, "compile failed: %s", err.msg);
  return s;
}

/* Validates instance against schema both quietly and with a list, checks
 * that the two agree, and returns the errors (caller frees) or NULL when
 * valid. */
static wc_findings *errors_of(const char *schema_text, const char *instance_text) {
  cJSON *doc = json(schema_text), *inst = json(instance_text);
  wc_schema *s = compile_opts(doc, "#", true);
  wc_findings *f = wc_findings_new();
  bool quiet = wc_schema_validate(s, inst, NULL);
  bool loud = wc_schema_validate(s, inst, f);
  cr_assert_eq(quiet, loud, "%s on %s: quiet and loud disagree", instance_text, schema_text);
  cr_assert_eq(loud, wc_findings_count(f) == 0, "%s on %s: verdict and error count disagree", instance_text,
               schema_text);
  for (size_t i = 0; i < wc_findings_count(f); i++) {
    const wc_finding *e = wc_findings_get(f, i);
    cr_assert_not_null(e->instance_pointer);
    cr_assert_not_null(e->schema_pointer);
    cr_assert_not_null(e->keyword);
    cr_assert_eq(e->schema_pointer[0], '#', "schema pointer %s", e->schema_pointer);
    cr_assert_null(strchr(e->message, '\n'));
  }
  wc_schema_free(s);
  cJSON_Delete(doc);
  cJSON_Delete(inst);
  if (loud) {
    wc_findings_free(f);
    return NULL;
  }
  return f;
}

static bool valid(const char *schema_text, const char *instance_text) {
  wc_findings *f = errors_of(schema_text, instance_text);
  wc_findings_free(f);
  return f == NULL;
}

#define VALID(s, i) cr_assert(valid(s, i), "%s should be valid against %s", i, s)
#define INVALID(s, i) cr_assert(!valid(s, i), "%s should be invalid against %s", i, s)

/* The single error must have these fields (message: a fragment). */
static void expect_error(const char *schema_text, const char *instance_text, const char *ip, const char *sp,
                         const char *kw, const char *msg) {
  wc_findings *f = errors_of(schema_text, instance_text);
  cr_assert_not_null(f, "%s should be invalid", instance_text);
  cr_assert_eq(wc_findings_count(f), 1, "%zu errors, first: %s", wc_findings_count(f), wc_findings_get(f, 0)->message);
  const wc_finding *e = wc_findings_get(f, 0);
  cr_assert_str_eq(e->instance_pointer, ip);
  cr_assert_str_eq(e->schema_pointer, sp);
  cr_assert_str_eq(e->keyword, kw);
  cr_assert(strstr(e->message, msg), "message '%s' lacks '%s'", e->message, msg);
  wc_findings_free(f);
}

static void expect_refused(const char *schema_text, const char *fragment) {
  cJSON *doc = json(schema_text);
  wc_err err;
  wc_schema *s = wc_schema_compile(doc, "#", NULL, &err);
  cr_assert_null(s, "%s compiled but should be refused", schema_text);
  cr_assert_eq(err.code, WC_E_SCHEMA, "%s: %s", schema_text, err.msg);
  cr_assert(strstr(err.msg, fragment), "message '%s' lacks '%s'", err.msg, fragment);
  cJSON_Delete(doc);
}

/* ---- type ---- */

Test(schema, type) {
  VALID("{\"type\":\"string\"}", "\"x\"");
  INVALID("{\"type\":\"string\"}", "1");
  VALID("{\"type\":[\"number\",\"null\"]}", "null");
  VALID("{\"type\":\"integer\"}", "1.0");
  VALID("{\"type\":\"integer\"}", "-12391239123");
  INVALID("{\"type\":\"integer\"}", "1.5");
  VALID("{\"type\":\"number\"}", "1.5");
  INVALID("{\"type\":\"boolean\"}", "0");
  INVALID("{\"type\":\"null\"}", "false");
  VALID("{\"type\":\"object\"}", "{}");
  INVALID("{\"type\":\"array\"}", "{}");
  expect_error("{\"type\":[\"number\",\"null\"]}", "\"0.9998\"", "", "#/type", "type",
               "expected number or null, got string \"0.9998\"");
  expect_error("{\"type\":\"integer\"}", "2.5", "", "#/type", "type", "expected integer, got non-integer number 2.5");
  expect_error("{\"type\":[\"string\",\"array\",\"null\"]}", "{}", "", "#/type", "type",
               "expected string, array or null, got an object");
}

/* ---- objects ---- */

Test(schema, properties_required_additional) {
  const char *s = "{\"properties\":{\"a\":{\"type\":\"string\"},\"b\":{}},\"required\":[\"a\",\"b\"],"
                  "\"additionalProperties\":false}";
  VALID(s, "{\"a\":\"x\",\"b\":1}");
  expect_error(s, "{\"a\":\"x\"}", "", "#/required", "required", "missing required property \"b\"");
  expect_error(s, "{\"a\":1,\"b\":1}", "/a", "#/properties/a/type", "type", "expected string, got number 1");
  wc_findings *f = errors_of(s, "{\"a\":\"x\",\"b\":1,\"c\":1,\"d\":2}");
  cr_assert_eq(wc_findings_count(f), 2);
  cr_assert_str_eq(wc_findings_get(f, 0)->instance_pointer, "/c");
  cr_assert_str_eq(wc_findings_get(f, 0)->schema_pointer, "#/additionalProperties");
  cr_assert_str_eq(wc_findings_get(f, 0)->keyword, "additionalProperties");
  cr_assert(strstr(wc_findings_get(f, 0)->message, "property \"c\" is not allowed"));
  cr_assert_str_eq(wc_findings_get(f, 1)->instance_pointer, "/d");
  wc_findings_free(f);
  /* a name that is only required is not a property: additionalProperties applies to it */
  expect_error("{\"required\":[\"c\"],\"additionalProperties\":false}", "{\"c\":1}", "/c",
               "#/additionalProperties", "additionalProperties", "not allowed");
  expect_error("{\"additionalProperties\":{\"type\":\"integer\"},\"properties\":{\"x\":{}}}", "{\"x\":\"s\",\"y\":\"s\"}",
               "/y", "#/additionalProperties/type", "type", "expected integer");
  /* properties only apply to objects */
  VALID(s, "[1]");
}

Test(schema, all_errors_are_collected) {
  const char *s = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},\"b\":{\"minimum\":3}},"
                  "\"required\":[\"a\",\"b\",\"z\"]}";
  wc_findings *f = errors_of(s, "{\"a\":1,\"b\":2}");
  cr_assert_eq(wc_findings_count(f), 3);
  cr_assert_str_eq(wc_findings_get(f, 0)->keyword, "type");
  cr_assert_str_eq(wc_findings_get(f, 1)->keyword, "minimum");
  cr_assert_str_eq(wc_findings_get(f, 2)->keyword, "required");
  wc_findings_free(f);
}

Test(schema, pattern_properties_and_property_names) {
  const char *s = "{\"patternProperties\":{\"^x-\":{\"type\":\"string\"},\"[0-9]$\":{\"type\":\"integer\"}},"
                  "\"additionalProperties\":false}";
  VALID(s, "{\"x-a\":\"s\",\"n1\":2}");
  INVALID(s, "{\"x-9\":3}"); /* both patterns apply */
  expect_error(s, "{\"y\":1}", "/y", "#/additionalProperties", "additionalProperties", "not allowed");
  expect_error("{\"propertyNames\":{\"maxLength\":3}}", "{\"abcd\":1}", "/abcd", "#/propertyNames/maxLength",
               "propertyNames", "property name \"abcd\" is not allowed: expected at most 3 characters, got 4");
  VALID("{\"propertyNames\":{\"pattern\":\"^[a-z]+$\"}}", "{\"abc\":1,\"x\":2}");
  INVALID("{\"propertyNames\":false}", "{\"a\":1}");
  VALID("{\"propertyNames\":false}", "{}");
}

Test(schema, min_max_properties_dependent) {
  VALID("{\"minProperties\":1,\"maxProperties\":2}", "{\"a\":1}");
  expect_error("{\"minProperties\":2}", "{\"a\":1}", "", "#/minProperties", "minProperties", "at least 2");
  expect_error("{\"maxProperties\":1}", "{\"a\":1,\"b\":2}", "", "#/maxProperties", "maxProperties", "at most 1");
  const char *dr = "{\"dependentRequired\":{\"card\":[\"billing\",\"name\"]}}";
  VALID(dr, "{\"name\":1}");
  VALID(dr, "{\"card\":1,\"billing\":1,\"name\":1}");
  expect_error(dr, "{\"card\":1,\"name\":1}", "", "#/dependentRequired/card", "dependentRequired",
               "property \"card\" requires property \"billing\"");
  const char *ds = "{\"dependentSchemas\":{\"card\":{\"required\":[\"billing\"]}}}";
  VALID(ds, "{\"x\":1}");
  expect_error(ds, "{\"card\":1}", "", "#/dependentSchemas/card/required", "required", "\"billing\"");
}

Test(schema, many_properties) {
  /* more than 64 property names: the seen-set spills past one word */
  wc_buf s, i;
  wc_buf_init(&s);
  wc_buf_init(&i);
  wc_buf_puts(&s, "{\"properties\":{");
  wc_buf_puts(&i, "{");
  for (int k = 0; k < 100; k++) {
    wc_buf_printf(&s, "%s\"p%d\":{\"type\":\"integer\"}", k ? "," : "", k);
    if (k != 77) wc_buf_printf(&i, "%s\"p%d\":%d", k ? "," : "", k, k);
  }
  wc_buf_puts(&s, "},\"required\":[\"p0\",\"p77\",\"p99\"]}");
  wc_buf_puts(&i, "}");
  expect_error(s.data, i.data, "", "#/required", "required", "\"p77\"");
  wc_buf_free(&s);
  wc_buf_free(&i);
}

/* ---- arrays ---- */

Test(schema, items_prefix_items) {
  const char *s = "{\"prefixItems\":[{\"type\":\"string\"},{\"type\":\"number\"}],\"items\":{\"type\":\"boolean\"}}";
  VALID(s, "[\"a\",1,true,false]");
  VALID(s, "[\"a\"]");
  expect_error(s, "[\"a\",1,true,3]", "/3", "#/items/type", "type", "expected boolean");
  expect_error(s, "[1]", "/0", "#/prefixItems/0/type", "type", "expected string");
  expect_error("{\"prefixItems\":[{}],\"items\":false}", "[1,2]", "/1", "#/items", "items", "item 1 is not allowed");
}

Test(schema, contains) {
  const char *s = "{\"contains\":{\"type\":\"integer\"}}";
  VALID(s, "[\"a\",1]");
  expect_error(s, "[\"a\"]", "", "#/contains", "contains", "no item matches");
  VALID(s, "{}");
  const char *mm = "{\"contains\":{\"const\":1},\"minContains\":2,\"maxContains\":3}";
  VALID(mm, "[1,1,2]");
  expect_error(mm, "[1,2]", "", "#/minContains", "minContains", "at least 2");
  expect_error(mm, "[1,1,1,1]", "", "#/maxContains", "maxContains", "at most 3");
  VALID("{\"contains\":{\"const\":1},\"minContains\":0}", "[]");
}

Test(schema, min_max_unique_items) {
  expect_error("{\"minItems\":2}", "[1]", "", "#/minItems", "minItems", "at least 2 items, got 1");
  expect_error("{\"maxItems\":1}", "[1,2]", "", "#/maxItems", "maxItems", "at most 1 item, got 2");
  const char *u = "{\"uniqueItems\":true}";
  VALID(u, "[1,\"1\",true,null,[1],{\"a\":1}]");
  expect_error(u, "[1,2,1.0]", "", "#/uniqueItems", "uniqueItems", "items 0 and 2 are equal");
  INVALID(u, "[{\"a\":1,\"b\":2},{\"b\":2,\"a\":1}]");
  VALID(u, "[false,0]");
  VALID(u, "[[true],[1]]");
  /* many items: the hashed path */
  wc_buf b;
  wc_buf_init(&b);
  wc_buf_puts(&b, "[");
  for (int k = 0; k < 200; k++) wc_buf_printf(&b, "%s{\"k\":%d}", k ? "," : "", k);
  wc_buf_puts(&b, "]");
  VALID(u, b.data);
  b.len--;
  wc_buf_puts(&b, ",{\"k\":150}]");
  expect_error(u, b.data, "", "#/uniqueItems", "uniqueItems", "items 150 and 200 are equal");
  wc_buf_free(&b);
}

/* ---- scalars ---- */

Test(schema, string_length_counts_code_points) {
  VALID("{\"maxLength\":1}", "\"\\uD83D\\uDCA9\"");
  VALID("{\"minLength\":2,\"maxLength\":2}", "\"\xC3\xA9\xC3\xA9\"");
  expect_error("{\"minLength\":3}", "\"ab\"", "", "#/minLength", "minLength", "at least 3 characters, got 2");
  expect_error("{\"maxLength\":1}", "\"ab\"", "", "#/maxLength", "maxLength", "at most 1 character, got 2");
  VALID("{\"minLength\":3}", "12");
}

Test(schema, numbers) {
  expect_error("{\"minimum\":5}", "4.5", "", "#/minimum", "minimum", "expected a number >= 5, got 4.5");
  expect_error("{\"maximum\":5}", "6", "", "#/maximum", "maximum", "<= 5");
  expect_error("{\"exclusiveMinimum\":5}", "5", "", "#/exclusiveMinimum", "exclusiveMinimum", "> 5");
  expect_error("{\"exclusiveMaximum\":5}", "5", "", "#/exclusiveMaximum", "exclusiveMaximum", "< 5");
  VALID("{\"minimum\":5,\"maximum\":5}", "5.0");
  VALID("{\"multipleOf\":0.0001}", "0.0075");
  INVALID("{\"multipleOf\":0.0001}", "0.00751");
  VALID("{\"multipleOf\":1.5}", "4.5");
  expect_error("{\"multipleOf\":2}", "7", "", "#/multipleOf", "multipleOf", "a multiple of 2, got 7");
  VALID("{\"multipleOf\":1e-8}", "12391239123");
  /* the quotient overflows: not a multiple, and not an error */
  INVALID("{\"type\":\"integer\",\"multipleOf\":0.123456789}", "1e308");
  VALID("{\"minimum\":5}", "\"3\"");
}

Test(schema, enum_and_const_equality) {
  VALID("{\"enum\":[1,\"a\",null]}", "1.0");
  INVALID("{\"enum\":[false]}", "0");
  INVALID("{\"enum\":[0]}", "false");
  VALID("{\"enum\":[{\"a\":1,\"b\":[1,2]}]}", "{\"b\":[1,2.0],\"a\":1}");
  INVALID("{\"enum\":[{\"a\":1}]}", "{\"a\":1,\"b\":2}");
  INVALID("{\"enum\":[[true]]}", "[1]");
  expect_error("{\"enum\":[\"a\",\"b\"]}", "\"c\"", "", "#/enum", "enum", "expected one of \"a\", \"b\"; got \"c\"");
  expect_error("{\"enum\":[1,2,3,4,5,6,7]}", "8", "", "#/enum", "enum", "... (7 values)");
  VALID("{\"const\":{\"x\":[null]}}", "{\"x\":[null]}");
  expect_error("{\"const\":\"x\"}", "\"y\"", "", "#/const", "const", "expected the constant \"x\", got \"y\"");
  /* a $ref-shaped enum value is data, not a reference */
  VALID("{\"$defs\":{\"s\":{\"type\":\"string\"}},\"enum\":[{\"$ref\":\"#/$defs/s\"}]}", "{\"$ref\":\"#/$defs/s\"}");
  INVALID("{\"$defs\":{\"s\":{\"type\":\"string\"}},\"enum\":[{\"$ref\":\"#/$defs/s\"}]}", "\"x\"");
}

/* ---- applicators ---- */

Test(schema, all_any_one_not) {
  const char *all = "{\"allOf\":[{\"type\":\"integer\"},{\"minimum\":3}]}";
  VALID(all, "3");
  expect_error(all, "2", "", "#/allOf/1/minimum", "minimum", ">= 3");
  const char *any = "{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"null\"}]}";
  VALID(any, "null");
  wc_findings *f = errors_of(any, "1");
  cr_assert_eq(wc_findings_count(f), 3);
  cr_assert_str_eq(wc_findings_get(f, 0)->keyword, "anyOf");
  cr_assert_str_eq(wc_findings_get(f, 0)->schema_pointer, "#/anyOf");
  cr_assert_str_eq(wc_findings_get(f, 1)->schema_pointer, "#/anyOf/0/type");
  cr_assert_str_eq(wc_findings_get(f, 2)->schema_pointer, "#/anyOf/1/type");
  wc_findings_free(f);
  const char *one = "{\"oneOf\":[{\"type\":\"integer\"},{\"minimum\":2}]}";
  VALID(one, "1");
  VALID(one, "2.5");
  expect_error(one, "3", "", "#/oneOf", "oneOf", "alternatives 0 and 1");
  f = errors_of(one, "1.5");
  cr_assert_str_eq(wc_findings_get(f, 0)->keyword, "oneOf");
  cr_assert_eq(wc_findings_count(f), 3);
  wc_findings_free(f);
  expect_error("{\"not\":{\"type\":\"string\"}}", "\"x\"", "", "#/not", "not", "must not match");
  VALID("{\"not\":{\"type\":\"string\"}}", "1");
}

Test(schema, if_then_else) {
  const char *s = "{\"if\":{\"type\":\"string\"},\"then\":{\"minLength\":2},\"else\":{\"type\":\"integer\"}}";
  VALID(s, "\"ab\"");
  VALID(s, "3");
  expect_error(s, "\"a\"", "", "#/then/minLength", "minLength", "at least 2");
  expect_error(s, "1.5", "", "#/else/type", "type", "expected integer");
  VALID("{\"then\":false}", "1");
  VALID("{\"if\":true}", "1");
}

Test(schema, boolean_schemas) {
  VALID("true", "{\"any\":[1]}");
  expect_error("false", "1", "", "#", "false", "no value is allowed");
  expect_error("{\"properties\":{\"a\":false}}", "{\"a\":1}", "/a", "#/properties/a", "properties",
               "property \"a\" is not allowed (its schema is false)");
}

/* ---- $ref ---- */

Test(schema, refs) {
  const char *s = "{\"$defs\":{\"pos\":{\"type\":\"integer\",\"minimum\":1},\"t~/f\":{\"type\":\"string\"},"
                  "\"p%q\":{\"type\":\"null\"},\"q\\\"d\":{\"type\":\"boolean\"}},"
                  "\"properties\":{\"n\":{\"$ref\":\"#/$defs/pos\",\"maximum\":10},\"e\":{\"$ref\":\"#/$defs/t~0~1f\"},"
                  "\"p\":{\"$ref\":\"#/$defs/p%25q\"},\"q\":{\"$ref\":\"#/$defs/q%22d\"}}}";
  VALID(s, "{\"n\":5,\"e\":\"x\",\"p\":null,\"q\":true}");
  expect_error(s, "{\"n\":0}", "/n", "#/$defs/pos/minimum", "minimum", ">= 1");
  expect_error(s, "{\"n\":11}", "/n", "#/properties/n/maximum", "maximum", "<= 10"); /* siblings apply too */
  expect_error(s, "{\"e\":1}", "/e", "#/$defs/t~0~1f/type", "type", "expected string");
  INVALID(s, "{\"p\":1}");
  INVALID(s, "{\"q\":1}");
  /* to the root: a recursive tree */
  const char *tree = "{\"type\":\"object\",\"properties\":{\"kids\":{\"type\":\"array\",\"items\":{\"$ref\":\"#\"}}},"
                     "\"additionalProperties\":false}";
  VALID(tree, "{\"kids\":[{\"kids\":[]},{\"kids\":[{}]}]}");
  expect_error(tree, "{\"kids\":[{\"kids\":[{\"x\":1}]}]}", "/kids/0/kids/0/x", "#/additionalProperties",
               "additionalProperties", "\"x\"");
  /* empty tokens */
  VALID("{\"$defs\":{\"\":{\"$defs\":{\"\":{\"type\":\"number\"}}}},\"allOf\":[{\"$ref\":\"#/$defs//$defs/\"}]}", "1");
  INVALID("{\"$defs\":{\"\":{\"$defs\":{\"\":{\"type\":\"number\"}}}},\"allOf\":[{\"$ref\":\"#/$defs//$defs/\"}]}",
          "\"a\"");
  /* through an array index, and to a boolean schema */
  VALID("{\"prefixItems\":[{\"type\":\"integer\"},{\"$ref\":\"#/prefixItems/0\"}]}", "[1,2]");
  INVALID("{\"prefixItems\":[{\"type\":\"integer\"},{\"$ref\":\"#/prefixItems/0\"}]}", "[1,\"a\"]");
  INVALID("{\"$ref\":\"#/$defs/f\",\"$defs\":{\"f\":false}}", "1");
  /* a property named $ref is just a property */
  VALID("{\"properties\":{\"$ref\":{\"type\":\"string\"}}}", "{\"$ref\":\"a\"}");
  INVALID("{\"properties\":{\"$ref\":{\"type\":\"string\"}}}", "{\"$ref\":1}");
  /* the root's $id, and $anchor */
  VALID("{\"$id\":\"urn:x\",\"properties\":{\"a\":{\"$ref\":\"urn:x#/$defs/s\"}},\"$defs\":{\"s\":{\"type\":\"string\"}}}",
        "{\"a\":\"s\"}");
  INVALID("{\"$ref\":\"#n\",\"$defs\":{\"a\":{\"$anchor\":\"n\",\"type\":\"string\"}}}", "1");
}

Test(schema, ref_cycles_terminate) {
  /* the same location evaluated twice is fine */
  const char *twice = "{\"$defs\":{\"int\":{\"type\":\"integer\"}},\"allOf\":[{\"properties\":{\"foo\":{\"$ref\":"
                      "\"#/$defs/int\"}}},{\"additionalProperties\":{\"$ref\":\"#/$defs/int\"}}]}";
  VALID(twice, "{\"foo\":1}");
  INVALID(twice, "{\"foo\":\"a\"}");
  /* a cycle that consumes nothing is stopped, with an error */
  wc_findings *f = errors_of("{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},\"b\":{\"$ref\":\"#/$defs/a\"}},\"$ref\":\"#/$defs/a\"}",
                             "1");
  cr_assert_not_null(f);
  cr_assert(strstr(wc_findings_get(f, 0)->message, "cycle"), "%s", wc_findings_get(f, 0)->message);
  wc_findings_free(f);
  f = errors_of("{\"anyOf\":[{\"$ref\":\"#\"}]}", "{}");
  cr_assert_not_null(f);
  wc_findings_free(f);
}

Test(schema, deep_instance_against_a_recursive_schema) {
  const char *schema = "{\"type\":\"array\",\"items\":{\"anyOf\":[{\"$ref\":\"#\"},{\"type\":\"integer\"}]}}";
  size_t n = 500;
  char *deep = malloc(2 * n + 8);
  memset(deep, '[', n);
  memcpy(deep + n, "1", 1);
  memset(deep + n + 1, ']', n);
  deep[2 * n + 1] = '\0';
  VALID(schema, deep);
  memcpy(deep + n, "true", 4); /* innermost: neither an array nor an integer */
  memset(deep + n + 4, ']', n);
  deep[2 * n + 4] = '\0';
  INVALID(schema, deep);
  free(deep);
  /* beyond the evaluation depth: an error, not a crash */
  n = 900;
  deep = malloc(2 * n + 1);
  memset(deep, '[', n);
  memset(deep + n, ']', n);
  deep[2 * n] = '\0';
  wc_findings *f = errors_of("{\"items\":{\"allOf\":[{\"allOf\":[{\"$ref\":\"#\"}]}]}}", deep);
  cr_assert_not_null(f);
  cr_assert(strstr(wc_findings_get(f, 0)->message, "deeper than"), "%s", wc_findings_get(f, 0)->message);
  wc_findings_free(f);
  free(deep);
}

/* ---- pattern: the dialect ---- */

static bool matches(const char *pattern, const char *text) {
  char schema[512];
  snprintf(schema, sizeof schema, "{\"pattern\":\"%s\"}", pattern);
  cJSON *doc = json(schema);
  cJSON *inst = cJSON_CreateString(text);
  wc_schema *s = compile_opts(doc, "#", false);
  bool ok = wc_schema_validate(s, inst, NULL);
  wc_schema_free(s);
  cJSON_Delete(doc);
  cJSON_Delete(inst);
  return ok;
}

#define MATCH(p, t) cr_assert(matches(p, t), "/%s/ should match \"%s\"", p, t)
#define NO_MATCH(p, t) cr_assert(!matches(p, t), "/%s/ should not match \"%s\"", p, t)

Test(schema, pattern_dialect) {
  MATCH("a+", "xxaay"); /* not anchored */
  NO_MATCH("^a*$", "aab");
  MATCH("^a*$", "");
  MATCH("^\\\\d{3}-\\\\d{2}$", "123-45");
  NO_MATCH("^\\\\d{3}$", "12a");
  MATCH("^\\\\w+$", "a_Z9");
  NO_MATCH("^\\\\w+$", "\xC3\xA9");
  MATCH("^\\\\s$", "\xE2\x80\xA8"); /* U+2028 is ECMA-262 whitespace */
  MATCH("^\\\\S\\\\D\\\\W$", "a\xC3\xA9!");
  MATCH("^.$", "\xCF\x80");          /* one code point, two bytes */
  MATCH("^.$", "\xF0\x9F\x98\x80"); /* astral */
  NO_MATCH("^.$", "\n");
  MATCH("^[a-c]{2,3}$", "abc");
  NO_MATCH("^[a-c]{2,3}$", "abca");
  MATCH("^[^a-c]+$", "xyz");
  NO_MATCH("^[^a-c]+$", "xaz");
  MATCH("^(ab|cd)+$", "abcdab");
  NO_MATCH("^(ab|cd)+$", "abc");
  MATCH("^(?:x|y)?z$", "z");
  MATCH("^(?<name>q)$", "q");
  MATCH("\\\\bword\\\\b", "a word here");
  NO_MATCH("\\\\bword\\\\b", "swords");
  MATCH("^a.*?b$", "axxb");
  MATCH("^[\\\\d-]+$", "1-2");
  MATCH("^\\\\u00e9\\\\x41\\\\t$", "\xC3\xA9" "A\t");
  MATCH("^\\\\u{1F600}$", "\xF0\x9F\x98\x80");
  MATCH("^\\\\uD83D\\\\uDE00$", "\xF0\x9F\x98\x80");
  MATCH("^\xC3\xA1", "\xC3\xA1rm\xC3\xA1nyos");
  MATCH("^[\xC3\xA1-\xC3\xA9]$", "\xC3\xA9");
  MATCH("^a{2}$", "aa");
  MATCH("^x{$", "x{"); /* a brace that is not a quantifier is a literal */
  MATCH("^\\\\.\\\\*\\\\$$", ".*$");
  NO_MATCH("^[]a]", "]"); /* [] is an empty class in ECMA-262 */
  MATCH("^[^]$", "\n");   /* and [^] matches anything */
}

Test(schema, pattern_linear_time) {
  /* (a*)*b on a long run of a: exponential for a backtracking engine */
  char text[20001];
  memset(text, 'a', 20000);
  text[20000] = '\0';
  NO_MATCH("^(a*)*b$", text);
  NO_MATCH("^(a|aa)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab");
}

Test(schema, pattern_refusals) {
  expect_refused("{\"pattern\":\"^(?=a)\"}", "lookahead");
  expect_refused("{\"pattern\":\"(?!a)\"}", "lookahead");
  expect_refused("{\"pattern\":\"(?<=a)b\"}", "lookbehind");
  expect_refused("{\"pattern\":\"(?<!a)b\"}", "lookbehind");
  expect_refused("{\"pattern\":\"(a)\\\\1\"}", "backreferences");
  expect_refused("{\"pattern\":\"(?<n>a)\\\\k<n>\"}", "backreferences");
  expect_refused("{\"pattern\":\"^\\\\p{Letter}+$\"}", "\\p{...}");
  expect_refused("{\"pattern\":\"\\\\P{L}\"}", "\\P{...}");
  expect_refused("{\"pattern\":\"(?i)a\"}", "not supported");
  expect_refused("{\"pattern\":\"\\\\a\"}", "unknown escape");
  expect_refused("{\"pattern\":\"\\\\Z\"}", "unknown escape");
  expect_refused("{\"pattern\":\"a{1001}\"}", "{1000}");
  expect_refused("{\"pattern\":\"(a\"}", "missing ')'");
  expect_refused("{\"pattern\":\"a)\"}", "unmatched ')'");
  expect_refused("{\"pattern\":\"[a\"}", "unterminated");
  expect_refused("{\"pattern\":\"*a\"}", "nothing to repeat");
  expect_refused("{\"pattern\":\"[z-a]\"}", "out of order");
  expect_refused("{\"patternProperties\":{\"(?=x)\":{}}}", "#/patternProperties/(?=x)");
}

/* ---- format ---- */

Test(schema, formats_assert_and_switch_off) {
  const char *s = "{\"properties\":{\"d\":{\"format\":\"date\"},\"t\":{\"format\":\"date-time\"},"
                  "\"u\":{\"format\":\"uuid\"},\"e\":{\"format\":\"email\"},\"w\":{\"format\":\"uri\"}}}";
  VALID(s, "{\"d\":\"2024-02-29\",\"t\":\"1998-12-31T23:59:60Z\",\"u\":\"2EB8AA08-AA98-11EA-B4AA-73B441D16380\","
           "\"e\":\"a.b@example.com\",\"w\":\"https://example.com/a?b#c\"}");
  expect_error(s, "{\"d\":\"2023-02-29\"}", "/d", "#/properties/d/format", "format", "\"2023-02-29\" is not a valid date");
  INVALID(s, "{\"t\":\"2024-01-01T12:00:00\"}");
  INVALID(s, "{\"t\":\"1998-12-31T22:59:60Z\"}");
  VALID(s, "{\"t\":\"1998-12-31T15:59:60.123-08:00\"}");
  INVALID(s, "{\"u\":\"2eb8aa08-aa98-11ea-b4aa-73b441d1638\"}");
  INVALID(s, "{\"e\":\"te..st@example.com\"}");
  INVALID(s, "{\"w\":\"/relative\"}");
  VALID(s, "{\"d\":5}");
  /* off: an annotation */
  cJSON *doc = json(s), *inst = json("{\"d\":\"nope\"}");
  wc_schema *off = compile_opts(doc, "#", false);
  cr_assert(wc_schema_validate(off, inst, NULL));
  wc_schema_free(off);
  cJSON_Delete(doc);
  cJSON_Delete(inst);
}

/* Found with a json_schema seed (format-email-quoted-local-part.bin): a
 * backslash in a quoted local part let the next byte through unchecked, so
 * an escaped control character or DEL was accepted. RFC 5321
 * quoted-pairSMTP is %d92 %d32-126. */
Test(schema, email_quoted_pair_escapes_printable_ascii_only) {
  const char *s = "{\"properties\":{\"e\":{\"format\":\"email\"}}}";
  VALID(s, "{\"e\":\"\\\"a\\\\\\\"b\\\"@x.org\"}");  /* "a\"b"@x.org */
  VALID(s, "{\"e\":\"\\\"a\\\\ b\\\"@x.org\"}");     /* "a\ b"@x.org */
  VALID(s, "{\"e\":\"\\\"a\\\\\\\\\\\"@x.org\"}");   /* "a\\"@x.org */
  INVALID(s, "{\"e\":\"\\\"a\\\\\\u0001\\\"@x.org\"}"); /* "a\<U+0001>"@x.org */
  INVALID(s, "{\"e\":\"\\\"a\\\\\\u007f\\\"@x.org\"}"); /* "a\<DEL>"@x.org */
  INVALID(s, "{\"e\":\"\\\"a\\\\\\u00e9\\\"@x.org\"}"); /* "a\é"@x.org, as before */
  INVALID(s, "{\"e\":\"\\\"a\\u00e9\\\"@x.org\"}");     /* "aé"@x.org, as before */
}

/* ---- keywords the validator does not know or refuses ---- */

Test(schema, unknown_keywords_are_noted_not_dropped) {
  cJSON *doc = json("{\"type\":\"object\",\"description\":\"d\",\"example\":{},\"nullable\":true,"
                    "\"properties\":{\"a\":{\"typo\":1,\"format\":\"int64\",\"x-internal\":true}},"
                    "\"definitions\":{}}");
  wc_schema *s = compile_opts(doc, "#", true);
  const wc_findings *n = wc_schema_compile_notes(s);
  cr_assert_eq(wc_findings_count(n), 4, "%zu notes", wc_findings_count(n));
  bool typo = false, fmt = false, ext = false, defs = false;
  for (size_t i = 0; i < wc_findings_count(n); i++) {
    const wc_finding *f = wc_findings_get(n, i);
    if (strcmp(f->schema_pointer, "#/properties/a/typo") == 0) typo = strstr(f->message, "unknown keyword");
    if (strcmp(f->schema_pointer, "#/properties/a/format") == 0) fmt = strstr(f->message, "int64");
    if (strcmp(f->schema_pointer, "#/properties/a/x-internal") == 0) ext = true;
    if (strcmp(f->schema_pointer, "#/definitions") == 0) defs = true;
  }
  cr_assert(typo && fmt && ext && defs);
  cJSON *inst = json("{\"a\":1}");
  cr_assert(wc_schema_validate(s, inst, NULL));
  cJSON_Delete(inst);
  wc_schema_free(s);
  cJSON_Delete(doc);
}

Test(schema, compile_errors) {
  expect_refused("{\"type\":\"strin\"}", "#/type");
  expect_refused("{\"type\":[]}", "empty");
  expect_refused("{\"type\":[\"string\",\"string\"]}", "twice");
  expect_refused("{\"minLength\":-1}", "#/minLength");
  expect_refused("{\"maxItems\":1.5}", "non-negative integer");
  expect_refused("{\"minimum\":\"3\"}", "finite number");
  expect_refused("{\"multipleOf\":0}", "greater than 0");
  expect_refused("{\"required\":\"a\"}", "array of strings");
  expect_refused("{\"required\":[\"a\",\"a\"]}", "twice");
  expect_refused("{\"properties\":{\"a\":3}}", "#/properties/a");
  expect_refused("{\"allOf\":[]}", "non-empty array");
  expect_refused("{\"items\":[{}]}", "prefixItems");
  expect_refused("{\"$ref\":\"#/$defs/missing\"}", "does not resolve");
  expect_refused("{\"$ref\":\"other.json#/a\"}", "only references inside this document");
  expect_refused("{\"$ref\":\"#/$defs/a~2\"}", "'~'");
  expect_refused("{\"unevaluatedProperties\":false}", "not supported");
  expect_refused("{\"$dynamicRef\":\"#x\"}", "not supported");
  expect_refused("{\"$defs\":{\"r\":{\"$id\":\"http://x/y\",\"$ref\":\"#/a\"}},\"$ref\":\"#/$defs/r\"}",
                 "embedded schema resource");
  expect_refused("3", "object or a boolean");
  cJSON *doc = json("{}");
  wc_err err;
  cr_assert_null(wc_schema_compile(doc, "#/nowhere", NULL, &err));
  cr_assert_eq(err.code, WC_E_SCHEMA);
  cJSON_Delete(doc);
}

Test(schema, compiled_once_validated_many) {
  cJSON *doc = json("{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}");
  wc_schema *s = compile_opts(doc, "", true);
  for (int i = 0; i < 100; i++) {
    char text[32];
    snprintf(text, sizeof text, i % 2 ? "[%d]" : "[\"%d\"]", i);
    cJSON *inst = json(text);
    cr_assert_eq(wc_schema_validate(s, inst, NULL), i % 2 == 1);
    cJSON_Delete(inst);
  }
  wc_schema_free(s);
  cJSON_Delete(doc);
}

/* ---- messages ---- */

Test(schema, values_in_messages_are_quoted_truncated_and_escaped) {
  wc_findings *f = errors_of("{\"type\":\"integer\"}", "\"line\\nbreak\\u0001 \\\"q\\\" "
                                                          "and a very long tail that goes on and on and on\"");
  const char *m = wc_findings_get(f, 0)->message;
  cr_assert(strstr(m, "\"line\\nbreak\\u0001 \\\"q\\\" and"), "%s", m);
  cr_assert(strstr(m, "\"..."), "%s", m);
  cr_assert(strlen(m) < 140, "%s", m);
  wc_findings_free(f);
  f = errors_of("{\"type\":\"string\"}", "[1,2]");
  cr_assert(strstr(wc_findings_get(f, 0)->message, "got an array of 2 items"));
  wc_findings_free(f);
  f = errors_of("{\"type\":\"string\"}", "0.1");
  cr_assert(strstr(wc_findings_get(f, 0)->message, "got number 0.1"), "%s", wc_findings_get(f, 0)->message);
  wc_findings_free(f);
  f = errors_of("{\"properties\":{\"a/b~c\":{\"type\":\"string\"}}}", "{\"a/b~c\":true}");
  cr_assert_str_eq(wc_findings_get(f, 0)->instance_pointer, "/a~1b~0c");
  cr_assert_str_eq(wc_findings_get(f, 0)->schema_pointer, "#/properties/a~1b~0c/type");
  cr_assert(strstr(wc_findings_get(f, 0)->message, "got boolean true"));
  wc_findings_free(f);
}

/* ---- the contract ---- */

static cJSON *read_json(const char *path) {
  wc_err err;
  size_t len;
  char *text = wc_read_file(path, 0, &len, &err);
  cr_assert_not_null(text, "%s", err.msg);
  cJSON *v = wc_json_parse(text, len, NULL, NULL, &err);
  cr_assert_not_null(v, "%s", err.msg);
  free(text);
  return v;
}

Test(schema, user_schema_of_the_embedded_spec) {
  wc_err err;
  wc_spec *spec = wc_spec_load_embedded(&err);
  cr_assert_not_null(spec, "%s", err.msg);
  wc_schema *s = compile_opts(wc_spec_document(spec), "#/components/schemas/User", true);
  cr_assert_eq(wc_findings_count(wc_schema_compile_notes(s)), 0);

  cJSON *typical = read_json(WC_SOURCE_DIR "/bench/user_typical.json");
  cr_assert(wc_schema_validate(s, typical, NULL));
  cJSON *big = read_json(WC_SOURCE_DIR "/bench/user_1000_balances.json");
  cr_assert(wc_schema_validate(s, big, NULL));
  cJSON_Delete(big);

  cJSON *missing = read_json(WC_SOURCE_DIR "/bench/user_invalid_missing_created_at.json");
  wc_findings *f = wc_findings_new();
  cr_assert_not(wc_schema_validate(s, missing, f));
  cr_assert_eq(wc_findings_count(f), 1);
  cr_assert_str_eq(wc_findings_get(f, 0)->instance_pointer, "");
  cr_assert_str_eq(wc_findings_get(f, 0)->schema_pointer, "#/components/schemas/User/required");
  cr_assert_str_eq(wc_findings_get(f, 0)->message, "missing required property \"created_at\"");
  cJSON_Delete(missing);
  wc_findings_clear(f);

  /* a price sent as a string, through the $ref */
  cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(typical, "balances"), 0),
                                         "price_usd", cJSON_CreateString("0.9998"));
  cJSON_ReplaceItemInObjectCaseSensitive(typical, "name", cJSON_CreateNumber(7));
  cr_assert_not(wc_schema_validate(s, typical, f));
  cr_assert_eq(wc_findings_count(f), 2);
  const wc_finding *e = wc_findings_get(f, 0);
  cr_assert_str_eq(e->instance_pointer, "/name");
  cr_assert_str_eq(e->schema_pointer, "#/components/schemas/User/properties/name/type");
  e = wc_findings_get(f, 1);
  cr_assert_str_eq(e->instance_pointer, "/balances/0/price_usd");
  cr_assert_str_eq(e->schema_pointer, "#/components/schemas/AccountBalanceToken/properties/price_usd/type");
  cr_assert_str_eq(e->keyword, "type");
  cr_assert_str_eq(e->message, "expected number or null, got string \"0.9998\"");
  wc_findings_free(f);
  cJSON_Delete(typical);
  wc_schema_free(s);

  /* the error schema, through #/components/responses */
  wc_schema *es = compile_opts(wc_spec_document(spec), "#/components/responses/InvalidParameters/content/application~1json/schema", true);
  cJSON *env = json("{\"error\":{\"type\":\"invalid_parameter\"}}");
  f = wc_findings_new();
  cr_assert_not(wc_schema_validate(es, env, f));
  cr_assert_str_eq(wc_findings_get(f, 0)->schema_pointer, "#/components/schemas/V1ErrorResponse/properties/error/required");
  cr_assert_str_eq(wc_findings_get(f, 0)->instance_pointer, "/error");
  wc_findings_free(f);
  cJSON_Delete(env);
  wc_schema_free(es);
  wc_spec_free(spec);
}
