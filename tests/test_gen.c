/* The request generator: determinism, the coverage list's content, the
 * classification checked against an independently compiled validator, the
 * wire form through wc_request_build, another contract, and the coverage
 * list sent to the reference server over loopback. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../harness/src/gen/gen_internal.h"
#include "whopconf/gen.h"
#include "whopconf/json_arena.h"
#include "whopconf/json_strict.h"
#include "whopconf/refserver.h"
#include "whopconf/request.h"
#include "whopconf/schema.h"
#include "whopconf/transport.h"
#include "whopconf/versions.h"

static wc_spec *spec;
static wc_gen *gen;

static void setup(void) {
  wc_err err;
  spec = wc_spec_load_embedded(&err);
  cr_assert_not_null(spec, "%s", err.msg);
  static const char *const accounts[] = {"biz_acme", "biz_other"};
  wc_gen_opts opts;
  wc_gen_opts_default(&opts);
  opts.account_ids = accounts;
  opts.account_id_count = 2;
  gen = wc_gen_new(spec, &opts, &err);
  cr_assert_not_null(gen, "%s", err.msg);
}

static void teardown(void) {
  wc_gen_free(gen);
  wc_spec_free(spec);
}

TestSuite(gen, .init = setup, .fini = teardown);

static wc_gen_request *coverage(size_t i) {
  wc_err err;
  wc_gen_request *r = wc_gen_coverage(gen, i, &err);
  cr_assert_not_null(r, "coverage %zu: %s", i, err.msg);
  return r;
}

static bool same_request(const wc_gen_request *a, const wc_gen_request *b) {
  size_t la, lb;
  const char *ba = wc_gen_request_body(a, &la), *bb = wc_gen_request_body(b, &lb);
  const char *va = wc_gen_request_api_version(a), *vb = wc_gen_request_api_version(b);
  const char *qa = wc_gen_request_account_id(a), *qb = wc_gen_request_account_id(b);
  return la == lb && memcmp(ba, bb, la) == 0 && (!va == !vb) && (!va || strcmp(va, vb) == 0) &&
         (!qa == !qb) && (!qa || strcmp(qa, qb) == 0) &&
         strcmp(wc_gen_request_description(a), wc_gen_request_description(b)) == 0;
}

Test(gen, coverage_list_is_deterministic_and_bounded) {
  size_t n = wc_gen_coverage_count(gen);
  cr_log_info("coverage phase: %zu requests", n);
  cr_expect(n >= 200 && n <= 1000, "coverage count %zu is not a few hundred", n);
  wc_err err;
  wc_gen *again = wc_gen_new(spec, NULL, &err);
  cr_assert_not_null(again);
  /* Same spec, same list (account ids aside: the default options have none). */
  size_t n2 = wc_gen_coverage_count(again);
  cr_expect_eq(n2, n - 2, "the two account ids add exactly two requests (%zu vs %zu)", n2, n);
  for (size_t i = 0, j = 0; i < n && j < n2; i++, j++) {
    wc_gen_request *a = coverage(i);
    wc_gen_request *b = wc_gen_coverage(again, j, &err);
    cr_assert_not_null(b);
    if (strcmp(wc_gen_request_edge_class(a), "known") == 0 && wc_gen_request_account_id(a)) {
      j--; /* the requests with a configured account id */
    } else {
      cr_expect(same_request(a, b), "item %zu differs: %s / %s", i, wc_gen_request_description(a),
                wc_gen_request_description(b));
    }
    wc_gen_request_free(a);
    wc_gen_request_free(b);
  }
  cr_expect_null(wc_gen_coverage(gen, n, &err));
  wc_gen_free(again);
}

/* (class, target) pairs seen in the coverage list. */
static bool seen(cJSON *set, const char *cls, const char *target) {
  char key[256];
  snprintf(key, sizeof key, "%s@%s", cls, target);
  return cJSON_HasObjectItem(set, key);
}

Test(gen, coverage_has_every_class_on_every_member_and_parameter) {
  cJSON *set = cJSON_CreateObject();
  size_t n = wc_gen_coverage_count(gen);
  for (size_t i = 0; i < n; i++) {
    wc_gen_request *r = coverage(i);
    char key[256];
    snprintf(key, sizeof key, "%s@%s", wc_gen_request_edge_class(r), wc_gen_request_target(r));
    if (!cJSON_HasObjectItem(set, key)) cJSON_AddTrueToObject(set, key);
    wc_gen_request_free(r);
  }
  static const char *const string_members[] = {"/name", "/bio", "/username", "/profile_picture/id",
                                               "/profile_picture/direct_upload_id"};
  static const char *const classes[] = {
      "empty", "one-char", "non-bmp", "emoji-zwj", "emoji-skin-tone", "combining", "nfc", "nfd", "zero-width",
      "bidi-control", "unicode-whitespace", "c0-controls", "nul-escape", "crlf", "quotes", "backslash", "script",
      "sql", "shell", "percent", "homoglyph", "case-expander", "non-ascii-case", "edge-spaces", "lone-surrogate",
      "invalid-utf8", "length:1023", "length:1024", "length:1025", "length:65536"};
  for (size_t m = 0; m < 5; m++)
    for (size_t c = 0; c < sizeof classes / sizeof classes[0]; c++)
      cr_expect(seen(set, classes[c], string_members[m]), "%s missing on %s", classes[c], string_members[m]);
  /* Parameters: every class a header or query value can carry. */
  static const char *const param_classes[] = {"non-bmp", "zero-width", "bidi-control", "homoglyph",
                                              "invalid-utf8", "length:4096", "percent", "known"};
  for (size_t c = 0; c < sizeof param_classes / sizeof param_classes[0]; c++) {
    cr_expect(seen(set, param_classes[c], WC_GEN_LOC_HEADER_VERSION), "%s missing on the header",
              param_classes[c]);
    cr_expect(seen(set, param_classes[c], WC_GEN_LOC_QUERY_ACCOUNT), "%s missing on the query",
              param_classes[c]);
  }
  /* The request builder refuses CR/LF in both (header injection). */
  cr_expect(!seen(set, "crlf", WC_GEN_LOC_QUERY_ACCOUNT));
  cr_expect(!seen(set, "crlf", WC_GEN_LOC_HEADER_VERSION));
  cr_expect(seen(set, "c0-controls", WC_GEN_LOC_QUERY_ACCOUNT), "controls go in the query, percent-encoded");
  cr_expect(!seen(set, "c0-controls", WC_GEN_LOC_HEADER_VERSION), "never a control character in a header");
  static const char *const all_members[] = {"/name", "/bio", "/username", "/profile_picture",
                                            "/profile_picture/id", "/profile_picture/direct_upload_id"};
  static const char *const wrong[] = {"wrong-type:number", "wrong-type:number-huge", "wrong-type:number-fraction",
                                      "wrong-type:number-exponent", "wrong-type:number-negative-zero",
                                      "wrong-type:boolean", "wrong-type:null", "wrong-type:array"};
  for (size_t m = 0; m < 6; m++) {
    for (size_t w = 0; w < sizeof wrong / sizeof wrong[0]; w++)
      cr_expect(seen(set, wrong[w], all_members[m]), "%s missing on %s", wrong[w], all_members[m]);
    cr_expect(seen(set, "duplicate-key", all_members[m]), "duplicate-key missing on %s", all_members[m]);
  }
  cr_expect(seen(set, "wrong-type:object", "/name"));
  cr_expect(seen(set, "wrong-type:string", "/profile_picture"));
  for (int mask = 0; mask < 4; mask++) {
    char cls[32];
    snprintf(cls, sizeof cls, "subset:%d", mask);
    cr_expect(seen(set, cls, "/profile_picture"), "%s missing", cls);
    snprintf(cls, sizeof cls, "subset:%d+unknown", mask);
    cr_expect(seen(set, cls, "/profile_picture"), "%s missing", cls);
  }
  static const char *const shapes[] = {"pair", "all-members", "non-object:array", "non-object:string",
                                       "non-object:null", "nesting:32", "nesting:32:arrays", "unknown:array",
                                       "unknown:object", "unknown:null", "unknown:number"};
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
    cr_expect(seen(set, shapes[s], ""), "%s missing on the body", shapes[s]);
  cr_expect(seen(set, "unknown:boolean", "/profile_picture"));
  cJSON_Delete(set);
}

/* Two top-level string members with one class on both: every pair, every
 * class, exactly those two members, the same value in each. */
Test(gen, coverage_puts_each_class_on_every_pair_of_string_members) {
  static const char *const names[] = {"name", "bio", "username"};
  static const char *const classes[] = {"script", "crlf", "non-bmp", "edge-spaces", "zero-width", "empty"};
  size_t found[3][3][sizeof classes / sizeof classes[0]];
  memset(found, 0, sizeof found);
  size_t n = wc_gen_coverage_count(gen), pairs = 0;
  for (size_t i = 0; i < n; i++) {
    wc_gen_request *r = coverage(i);
    const char *edge = wc_gen_request_edge_class(r);
    const cJSON *body = wc_gen_request_json(r);
    if (strncmp(edge, "pair:", 5) == 0) pairs++;
    /* (a body cJSON cannot hold, e.g. with a NUL escape, has no tree) */
    if (strncmp(edge, "pair:", 5) == 0 && body) {
      cr_assert_eq(cJSON_GetArraySize(body), 2, "%s: %s", edge, wc_gen_request_description(r));
      int first = -1, second = -1;
      for (int k = 0; k < 3; k++)
        if (cJSON_HasObjectItem(body, names[k])) *(first < 0 ? &first : &second) = k;
      cr_assert(first >= 0 && second > first, "%s: not two string members", edge);
      char *a = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(body, names[first]));
      char *b = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(body, names[second]));
      cr_expect_str_eq(a, b, "%s: the two members differ", edge);
      free(a);
      free(b);
      for (size_t c = 0; c < sizeof classes / sizeof classes[0]; c++)
        if (strcmp(edge + 5, classes[c]) == 0) found[first][second][c]++;
    }
    wc_gen_request_free(r);
  }
  for (int f = 0; f < 3; f++)
    for (int g = f + 1; g < 3; g++)
      for (size_t c = 0; c < sizeof classes / sizeof classes[0]; c++)
        cr_expect_eq(found[f][g][c], 1, "pair:%s on %s and %s seen %zu times", classes[c], names[f], names[g],
                     found[f][g][c]);
  cr_expect_leq(pairs, 3 * 40, "pairs of classes are bounded (%zu)", pairs);
}

/* What a length writes is echoed until the next write: each member's
 * ladder runs from the longest to the shortest. */
Test(gen, coverage_length_ladder_ends_short) {
  size_t n = wc_gen_coverage_count(gen), last = 0, seen_name = 0;
  for (size_t i = 0; i < n; i++) {
    wc_gen_request *r = coverage(i);
    const char *edge = wc_gen_request_edge_class(r);
    if (strncmp(edge, "length:", 7) == 0 && strcmp(wc_gen_request_target(r), "/name") == 0) {
      size_t len = (size_t)strtoull(edge + 7, NULL, 10);
      if (seen_name++) cr_expect_lt(len, last, "length %zu after %zu", len, last);
      last = len;
    }
    wc_gen_request_free(r);
  }
  cr_expect_geq(seen_name, 10);
}

/* The verdict re-derived with a validator compiled here, apart from the
 * generator's. */
typedef struct oracle {
  wc_schema *body;
} oracle;

static void check_verdict(const oracle *o, const wc_gen_request *r) {
  size_t len;
  const char *body = wc_gen_request_body(r, &len);
  wc_findings *f = wc_findings_new();
  wc_err err;
  cJSON *tree = wc_json_parse(body, len, NULL, f, &err);
  bool body_ok = tree && wc_findings_count(f) == 0 && wc_schema_validate(o->body, tree, NULL);
  const char *v = wc_gen_request_api_version(r);
  bool version_ok = !v;
  /* Optional whitespace around a header value is not part of it. */
  char trimmed[64] = "";
  if (v) sscanf(v, " %63s", trimmed);
  bool one_token = v && strlen(trimmed) + strspn(v, " \t") + strspn(v + strspn(v, " \t") + strlen(trimmed), " \t") == strlen(v);
  for (size_t i = 0; one_token && i < wc_default_version_count(); i++)
    version_ok |= strcmp(trimmed, wc_default_version(i)) == 0;
  const char *a = wc_gen_request_account_id(r);
  bool account_ok = true;
  if (a) { /* valid UTF-8: the query's schema is a plain string */
    cJSON *s = cJSON_CreateString(a);
    char *printed = cJSON_PrintUnformatted(s);
    account_ok = wc_json_strict_check(printed, strlen(printed), NULL, NULL) == 0;
    free(printed);
    cJSON_Delete(s);
  }
  bool positive = body_ok && version_ok && account_ok;
  cr_expect_eq(wc_gen_request_positive(r), positive, "%s: called %s, body %s, version %s, account %s",
               wc_gen_request_description(r), wc_gen_request_positive(r) ? "positive" : "negative",
               body_ok ? "valid" : "invalid", version_ok ? "known" : "unknown", account_ok ? "ok" : "bad");
  cr_expect_eq(wc_gen_request_json(r) != NULL, tree && wc_findings_count(f) == 0);
  if (!positive) {
    cr_expect_not_null(wc_gen_request_keyword(r));
    cr_expect_not_null(wc_gen_request_location(r));
  }
  cJSON_Delete(tree);
  wc_findings_free(f);
}

static oracle make_oracle(void) {
  wc_err err;
  char *ptr = wc_spec_request_schema_pointer(spec, "PATCH", "/users/me", "application/json", &err);
  oracle o = {wc_schema_compile(wc_spec_document(spec), ptr, NULL, &err)};
  free(ptr);
  cr_assert_not_null(o.body, "%s", err.msg);
  return o;
}

Test(gen, coverage_verdicts_agree_with_the_validator) {
  oracle o = make_oracle();
  size_t n = wc_gen_coverage_count(gen), pos = 0;
  for (size_t i = 0; i < n; i++) {
    wc_gen_request *r = coverage(i);
    check_verdict(&o, r);
    pos += wc_gen_request_positive(r);
    wc_gen_request_free(r);
  }
  cr_log_info("coverage: %zu positive, %zu negative", pos, n - pos);
  cr_expect(pos > 50 && n - pos > 50, "a mix: %zu positive of %zu", pos, n);
  wc_schema_free(o.body);
}

Test(gen, random_verdicts_agree_and_mix) {
  oracle o = make_oracle();
  wc_err err;
  size_t pos = 0, n = 2000;
  for (uint64_t i = 0; i < n; i++) {
    wc_gen_request *r = wc_gen_random(gen, 42, i, &err);
    cr_assert_not_null(r, "%s", err.msg);
    check_verdict(&o, r);
    pos += wc_gen_request_positive(r);
    wc_gen_request_free(r);
  }
  cr_expect(pos > n / 4 && pos < 3 * n / 4, "about half positive: %zu of %zu", pos, n);
  wc_schema_free(o.body);
}

Test(gen, random_is_a_pure_function_of_seed_and_index) {
  wc_err err;
  size_t differ = 0;
  for (uint64_t i = 0; i < 200; i++) {
    /* Out of order and repeated: no hidden state between calls. */
    wc_gen_request *a = wc_gen_random(gen, 7, i, &err);
    wc_gen_request *noise = wc_gen_random(gen, 8, 199 - i, &err);
    wc_gen_request *b = wc_gen_random(gen, 7, i, &err);
    wc_gen_request *c = wc_gen_random(gen, 8, i, &err);
    cr_assert(a && b && c && noise);
    cr_expect(same_request(a, b), "seed 7 index %llu differs between calls", (unsigned long long)i);
    differ += !same_request(a, c);
    wc_gen_request_free(a), wc_gen_request_free(b), wc_gen_request_free(c), wc_gen_request_free(noise);
  }
  cr_expect_gt(differ, 150, "another seed, another stream (%zu of 200 differ)", differ);
}

/* The random stream is the same with cJSON's allocations in the JSON arena
 * (as `whopconf fuzz` runs it) and without: the template trees built there
 * print the same bodies. */
Test(gen, random_stream_is_the_same_in_the_json_arena) {
  enum { N = 300 };
  static wc_gen_request *plain[N];
  wc_err err;
  for (uint64_t i = 0; i < N; i++) cr_assert_not_null(plain[i] = wc_gen_random(gen, 11, i, &err), "%s", err.msg);
  wc_json_arena_install();
  for (uint64_t i = 0; i < N; i++) {
    wc_gen_request *r = wc_gen_random(gen, 11, i, &err);
    cr_assert_not_null(r, "%s", err.msg);
    cr_expect(same_request(plain[i], r), "index %llu differs in the arena", (unsigned long long)i);
    cr_expect_eq(wc_json_arena_used(), 0, "a region left open");
    wc_gen_request_free(r);
    wc_gen_request_free(plain[i]);
  }
  wc_json_arena_uninstall();
}

/* gen_print writes what cJSON_PrintUnformatted writes, for the trees the
 * generator builds (objects of raw leaves) and for anything else in them. */
Test(gen, print_matches_cjson) {
  cJSON *tree = cJSON_CreateObject();
  cJSON_AddItemToObject(tree, "name", cJSON_CreateRaw("\"Ada\""));
  cJSON_AddItemToObject(tree, "odd \"key\" \\ \b\f\n\r\t\x01\x1f \xc3\xa9", cJSON_CreateRaw("1"));
  cJSON *pic = cJSON_AddObjectToObject(tree, "profile_picture");
  cJSON_AddItemToObject(pic, "id", cJSON_CreateRaw("\"x\""));
  cJSON_AddObjectToObject(pic, "empty");
  cJSON_AddItemToObject(tree, "name", cJSON_CreateRaw("\"again\"")); /* a duplicate key */
  cJSON_AddStringToObject(tree, "string", "a\"b\n");
  cJSON_AddNumberToObject(tree, "number", 1.5);
  cJSON_AddItemToObject(tree, "array", cJSON_CreateIntArray((const int[]){1, 2}, 2));
  cJSON_AddNullToObject(tree, "null");
  cJSON_AddTrueToObject(tree, "true");
  char *want = cJSON_PrintUnformatted(tree);
  size_t len = 0;
  char *got = gen_print(tree, &len);
  cr_assert_not_null(want);
  cr_assert_not_null(got);
  cr_expect_str_eq(got, want);
  cr_expect_eq(len, strlen(want));
  free(got);
  cJSON_free(want);
  cJSON *empty = cJSON_CreateObject();
  got = gen_print(empty, &len);
  cr_expect_str_eq(got, "{}");
  free(got);
  cJSON_Delete(empty);
  cJSON *no_text = cJSON_CreateRaw("x");
  cJSON_free(no_text->valuestring);
  no_text->valuestring = NULL;
  cr_expect_null(cJSON_PrintUnformatted(no_text));
  cr_expect_null(gen_print(no_text, &len), "a raw leaf without text prints nothing, as in cJSON");
  cJSON_Delete(no_text);
  cJSON_Delete(tree);
}

Test(gen, random_positive_updates_set_a_documented_member) {
  oracle o = make_oracle();
  wc_err err;
  static const char *const documented[] = {"name", "bio", "username", "profile_picture"};
  for (uint64_t i = 0; i < 500; i++) {
    wc_gen_request *r = wc_gen_random_positive(gen, 3, i, &err);
    cr_assert_not_null(r, "%s", err.msg);
    cr_expect(wc_gen_request_positive(r), "%s", wc_gen_request_description(r));
    check_verdict(&o, r);
    cr_expect_null(wc_gen_request_api_version(r));
    cr_expect_null(wc_gen_request_account_id(r));
    const cJSON *j = wc_gen_request_json(r);
    bool any = false;
    for (size_t k = 0; j && k < 4; k++) any |= cJSON_HasObjectItem(j, documented[k]);
    cr_expect(any, "no documented member in %s", wc_gen_request_body(r, NULL));
    wc_gen_request *again = wc_gen_random_positive(gen, 3, i, &err);
    cr_expect(same_request(r, again));
    wc_gen_request_free(r);
    wc_gen_request_free(again);
  }
  wc_schema_free(o.body);
}

/* Every request builds; header lines carry no CR/LF; the query decodes back
 * to the value; the body travels byte for byte. */
static void check_wire(const wc_gen_request *r) {
  wc_request_desc d = {.base_url = "http://127.0.0.1:9/api/v1", .token = "wc_user_token_with_scope"};
  wc_gen_request_to_desc(r, &d);
  wc_err err;
  wc_request *req = wc_request_build(&d, &err);
  cr_assert_not_null(req, "%s: %s", wc_gen_request_description(r), err.msg);
  for (size_t i = 0; i < wc_request_header_count(req); i++)
    cr_expect(!strpbrk(wc_request_header(req, i), "\r\n"), "%s", wc_gen_request_description(r));
  size_t len, glen;
  const char *body = wc_request_body(req, &len), *gbody = wc_gen_request_body(r, &glen);
  cr_expect(len == glen && (len == 0 || memcmp(body, gbody, len) == 0), "%s: body changed",
            wc_gen_request_description(r));
  const char *url = wc_request_url(req);
  cr_expect(!strpbrk(url, "\r\n "), "%s: URL %s", wc_gen_request_description(r), url);
  const char *acc = wc_gen_request_account_id(r);
  if (acc) cr_expect(strstr(url, "?account_id="), "%s", url);
  wc_request_free(req);
}

Test(gen, every_request_builds_a_well_formed_request) {
  size_t n = wc_gen_coverage_count(gen);
  for (size_t i = 0; i < n; i++) {
    wc_gen_request *r = coverage(i);
    check_wire(r);
    wc_gen_request_free(r);
  }
  wc_err err;
  for (uint64_t i = 0; i < 500; i++) {
    wc_gen_request *r = wc_gen_random(gen, 11, i, &err);
    check_wire(r);
    wc_gen_request_free(r);
  }
}

Test(gen, classify_parameters_and_bodies) {
  wc_err err;
  struct {
    const char *body, *version, *account;
    bool positive;
    const char *keyword, *location;
  } cases[] = {
      {"{\"name\":\"Ada\"}", NULL, NULL, true, NULL, NULL},
      {"{\"name\":\"Ada\"}", "2026-02-30", NULL, false, "format", WC_GEN_LOC_HEADER_VERSION},
      {"{\"name\":\"Ada\"}", "1999-01-01", NULL, false, "enum", WC_GEN_LOC_HEADER_VERSION},
      {"{\"name\":\"Ada\"}", NULL, "biz_\xFF", false, "invalid-utf8", WC_GEN_LOC_QUERY_ACCOUNT},
      {"{\"name\":\"Ada\"}", NULL, "<script>", true, NULL, NULL},
      {"{\"name\":1}", NULL, NULL, false, "type", "/name"},
      {"{\"name\":\"a\",\"name\":\"b\"}", NULL, NULL, false, "duplicate-key", NULL},
      {"{\"profile_picture\":{\"id\":null}}", NULL, NULL, false, "type", "/profile_picture/id"},
      {"[]", NULL, NULL, false, "type", ""},
      {"", NULL, NULL, false, "empty", NULL},
      {"{\"wc\":{\"a\":[1,{}]}}", NULL, NULL, true, NULL, NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wc_gen_request *r = wc_gen_classify(gen, cases[i].body, strlen(cases[i].body), cases[i].version,
                                        cases[i].account, NULL, &err);
    cr_assert_not_null(r);
    cr_expect_eq(wc_gen_request_positive(r), cases[i].positive, "case %zu: %s", i, wc_gen_request_description(r));
    if (cases[i].keyword)
      cr_expect_str_eq(wc_gen_request_keyword(r), cases[i].keyword, "case %zu", i);
    if (cases[i].location)
      cr_expect_str_eq(wc_gen_request_location(r), cases[i].location, "case %zu", i);
    cr_expect_str_eq(wc_gen_request_edge_class(r), "given");
    wc_gen_request *copy = wc_gen_request_copy(r);
    cr_expect(same_request(r, copy));
    wc_gen_request_free(copy);
    wc_gen_request_free(r);
  }
}

Test(gen_other_spec, another_body_schema_generates_other_requests) {
  wc_err err;
  wc_spec *other = wc_spec_load_file(WC_SOURCE_DIR "/tests/fixtures/gen/other-body.yml", &err);
  cr_assert_not_null(other, "%s", err.msg);
  wc_gen *g = wc_gen_new(other, NULL, &err);
  cr_assert_not_null(g, "%s", err.msg);
  size_t n = wc_gen_coverage_count(g);
  bool title = false, count_wrong = false, meta_subset = false, colour = false, header = false;
  for (size_t i = 0; i < n; i++) {
    wc_gen_request *r = wc_gen_coverage(g, i, &err);
    cr_assert_not_null(r);
    const char *t = wc_gen_request_target(r), *c = wc_gen_request_edge_class(r);
    const cJSON *j = wc_gen_request_json(r);
    cr_expect(!j || !cJSON_HasObjectItem(j, "username"), "a member of the real contract: %s",
              wc_gen_request_body(r, NULL));
    title |= strcmp(t, "/title") == 0 && strcmp(c, "zero-width") == 0;
    count_wrong |= strcmp(t, "/count") == 0 && strcmp(c, "wrong-type:number-fraction") == 0 &&
                   !wc_gen_request_positive(r) && strcmp(wc_gen_request_keyword(r), "type") == 0;
    meta_subset |= strcmp(t, "/meta") == 0 && strcmp(c, "subset:7+unknown") == 0 && wc_gen_request_positive(r);
    colour |= strcmp(t, "/meta/colour") == 0 && strcmp(c, "nfd") == 0;
    header |= wc_gen_request_api_version(r) != NULL;
    /* "count" is an integer: 1E+2 and -0 are integers, so not wrong types. */
    cr_expect(!(strcmp(t, "/count") == 0 && strcmp(c, "wrong-type:number-exponent") == 0));
    wc_gen_request_free(r);
  }
  cr_expect(title && count_wrong && meta_subset && colour);
  cr_expect(!header, "this contract has no Api-Version-Date header");
  for (uint64_t i = 0; i < 200; i++) {
    wc_gen_request *r = wc_gen_random_positive(g, 1, i, &err);
    cr_assert_not_null(r, "%s", err.msg);
    const cJSON *j = wc_gen_request_json(r);
    cr_expect(cJSON_HasObjectItem(j, "title") || cJSON_HasObjectItem(j, "count") ||
              cJSON_HasObjectItem(j, "flags") || cJSON_HasObjectItem(j, "meta"));
    wc_gen_request_free(r);
  }
  wc_gen_free(g);
  wc_spec_free(other);
}

Test(gen_other_spec, a_spec_without_the_operation_is_refused) {
  static const char yml[] = "openapi: 3.1.0\ninfo: {title: x, version: v1}\npaths: {}\n";
  wc_err err;
  wc_spec *s = wc_spec_load_buffer(yml, sizeof yml - 1, "empty.yml", &err);
  cr_assert_not_null(s, "%s", err.msg);
  cr_expect_null(wc_gen_new(s, NULL, &err));
  cr_expect_eq(err.code, WC_E_SPEC, "%s", err.msg);
  wc_spec_free(s);
}

/* Over loopback to the reference server: every negative request of the
 * coverage list is answered 400, every positive one never 5xx (the server
 * may refuse what the contract leaves open with 400 or 413). */
Test(gen, coverage_list_against_the_reference_server, .timeout = 120) {
  wc_err err;
  wc_refserver_opts so;
  wc_refserver_opts_default(&so);
  wc_refserver *srv = wc_refserver_start(&so, &err);
  cr_assert_not_null(srv, "%s", err.msg);
  wc_transport_opts to;
  wc_transport_opts_default(&to);
  wc_transport *t = wc_transport_new(&to, &err);
  cr_assert_not_null(t, "%s", err.msg);
  size_t n = wc_gen_coverage_count(gen), ok2xx = 0;
  for (size_t i = 0; i < n; i++) {
    wc_gen_request *r = coverage(i);
    wc_request_desc d = {.base_url = wc_refserver_base_url(srv), .token = WC_REFSERVER_DEFAULT_USER_TOKEN};
    wc_gen_request_to_desc(r, &d);
    wc_request *req = wc_request_build(&d, &err);
    cr_assert_not_null(req, "%s", err.msg);
    wc_exchange *x = wc_transport_send(t, req);
    cr_assert_not_null(x);
    long status = wc_exchange_http_status(x);
    if (wc_gen_request_positive(r)) {
      cr_expect(status == 200 || status == 400 || status == 413, "%s: %ld", wc_gen_request_description(r), status);
      ok2xx += status == 200;
    } else {
      cr_expect_eq(status, 400, "%s: %ld", wc_gen_request_description(r), status);
    }
    wc_exchange_free(x);
    wc_request_free(req);
    wc_gen_request_free(r);
  }
  cr_expect_gt(ok2xx, 50, "positive requests are mostly accepted (%zu)", ok2xx);
  wc_transport_free(t);
  wc_refserver_stop(srv);
}
