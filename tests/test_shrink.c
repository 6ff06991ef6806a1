/* The shrinker, with pure predicates (no server): the length-threshold and
 * two-member guarantees, the call budget on a 64 KiB string, verdicts that
 * never flip, raw bodies and parameter values, numbers, containers and the
 * names of undeclared members. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whopconf/gen.h"

static wc_spec *spec;
static wc_gen *gen;

static void setup(void) {
  wc_err err;
  spec = wc_spec_load_embedded(&err);
  cr_assert_not_null(spec, "%s", err.msg);
  gen = wc_gen_new(spec, NULL, &err);
  cr_assert_not_null(gen, "%s", err.msg);
}

static void teardown(void) {
  wc_gen_free(gen);
  wc_spec_free(spec);
}

TestSuite(shrink, .init = setup, .fini = teardown);

/* Every predicate records what it saw. */
typedef struct probe {
  size_t calls;
  bool positive;     /* the input's verdict */
  bool flipped;      /* a candidate of the other verdict was offered */
  size_t threshold;  /* code points */
  const char *member;
  const char *needle;
} probe;

static size_t code_points(const char *s) {
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) n += (*p & 0xC0) != 0x80;
  return n;
}

static const char *member_string(const wc_gen_request *c, const char *member) {
  const cJSON *j = wc_gen_request_json(c);
  const cJSON *v = j ? cJSON_GetObjectItemCaseSensitive(j, member) : NULL;
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void seen(probe *p, const wc_gen_request *c) {
  p->calls++;
  p->flipped |= wc_gen_request_positive(c) != p->positive;
}

static bool longer_than(void *ctx, const wc_gen_request *c) {
  probe *p = ctx;
  seen(p, c);
  const char *v = member_string(c, p->member);
  return v && code_points(v) > p->threshold;
}

static bool contains(void *ctx, const wc_gen_request *c) {
  probe *p = ctx;
  seen(p, c);
  const char *v = member_string(c, p->member);
  return v && strstr(v, p->needle);
}

static bool both_present(void *ctx, const wc_gen_request *c) {
  probe *p = ctx;
  seen(p, c);
  const cJSON *j = wc_gen_request_json(c);
  return j && cJSON_HasObjectItem(j, "bio") && cJSON_HasObjectItem(j, "username");
}

static bool always(void *ctx, const wc_gen_request *c) {
  seen(ctx, c);
  return true;
}

static wc_gen_request *given(const char *body, size_t len, const char *version, const char *account) {
  wc_err err;
  wc_gen_request *r = wc_gen_classify(gen, body, len, version, account, "test", &err);
  cr_assert_not_null(r, "%s", err.msg);
  return r;
}

static wc_shrink_result run(const wc_gen_request *in, wc_gen_still_fails pred, probe *p, size_t budget) {
  p->positive = wc_gen_request_positive(in);
  wc_shrink_result res;
  wc_err err;
  cr_assert_eq(wc_gen_shrink(gen, in, pred, p, budget, &res, &err), 0, "%s", err.msg);
  cr_assert_not_null(res.minimal);
  cr_expect_eq(res.calls, p->calls, "calls reported %zu, made %zu", res.calls, p->calls);
  cr_expect_leq(res.calls, budget ? budget : WC_GEN_DEFAULT_SHRINK_BUDGET);
  cr_expect(!p->flipped, "a candidate of the other verdict reached the predicate");
  cr_expect_eq(wc_gen_request_positive(res.minimal), wc_gen_request_positive(in));
  cr_expect_leq(wc_gen_request_size(res.minimal), wc_gen_request_size(in));
  probe again = *p; /* a copy: this call is not the shrinker's */
  cr_expect(pred(&again, res.minimal), "the result no longer fails: %s", wc_gen_request_body(res.minimal, NULL));
  return res;
}

/* Shrinks a body (no parameters) with the default budget and expects it to
 * end as want; the predicate calls made. */
static size_t shrinks_to(const char *body, size_t len, wc_gen_still_fails pred, probe *p, const char *want) {
  wc_gen_request *in = given(body, len, NULL, NULL);
  wc_shrink_result res = run(in, pred, p, 0);
  cr_expect_str_eq(wc_gen_request_body(res.minimal, NULL), want, "from %.200s: %s", body,
                   wc_gen_request_body(res.minimal, NULL));
  wc_gen_request_free(res.minimal);
  wc_gen_request_free(in);
  return res.calls;
}

/* A body {"bio": ..., "name": <len code points of filler>, "username": ...}. */
static char *threshold_body(size_t len, const char *filler, size_t *out_len) {
  size_t fl = strlen(filler);
  char *b = malloc(len * fl + 64);
  size_t n = (size_t)sprintf(b, "{\"bio\":\"zz\",\"name\":\"");
  for (size_t i = 0; i < len; i++) memcpy(b + n, filler, fl), n += fl;
  n += (size_t)sprintf(b + n, "\",\"username\":\"qq\"}");
  *out_len = n;
  return b;
}

static void expect_exactly_a(const wc_gen_request *r, const char *member, size_t n) {
  char *want = malloc(n + 32);
  memset(want, 'a', n);
  want[n] = '\0';
  cJSON *expect = cJSON_CreateObject();
  cJSON_AddStringToObject(expect, member, want);
  char *printed = cJSON_PrintUnformatted(expect);
  size_t len;
  const char *body = wc_gen_request_body(r, &len);
  cr_expect(len == strlen(printed) && memcmp(body, printed, len) == 0, "got %.200s (%zu bytes), want %zu a's", body,
            len, n);
  free(printed);
  cJSON_Delete(expect);
  free(want);
}

Test(shrink, a_length_threshold_shrinks_to_threshold_plus_one_a) {
  static const char *const fillers[] = {"x", "\xC3\xA9", "\xF0\x9F\x98\x80", "Z"};
  static const size_t thresholds[] = {0, 1, 7, 100, 255, 1000};
  for (size_t f = 0; f < 4; f++)
    for (size_t t = 0; t < sizeof thresholds / sizeof thresholds[0]; t++) {
      size_t len;
      char *body = threshold_body(3 * thresholds[t] + 5, fillers[f], &len);
      wc_gen_request *in = given(body, len, NULL, NULL);
      probe p = {.threshold = thresholds[t], .member = "name"};
      wc_shrink_result res = run(in, longer_than, &p, 0);
      expect_exactly_a(res.minimal, "name", thresholds[t] + 1);
      cr_expect_gt(res.steps, 0);
      wc_gen_request_free(res.minimal);
      wc_gen_request_free(in);
      free(body);
    }
}

Test(shrink, a_64k_string_in_at_most_40_calls) {
  static const size_t thresholds[] = {1, 100, 1000, 30000, 65534};
  for (size_t t = 0; t < sizeof thresholds / sizeof thresholds[0]; t++) {
    char *body = malloc(65536 + 32);
    size_t n = (size_t)sprintf(body, "{\"bio\":\"");
    for (size_t i = 0; i < 65536; i++) body[n++] = (char)('b' + i % 20);
    n += (size_t)sprintf(body + n, "\"}");
    wc_gen_request *in = given(body, n, NULL, NULL);
    probe p = {.threshold = thresholds[t], .member = "bio"};
    wc_shrink_result res = run(in, longer_than, &p, 0);
    cr_log_info("64 KiB, threshold %zu: %zu predicate calls, %zu steps", thresholds[t], res.calls, res.steps);
    cr_expect_leq(res.calls, 40, "threshold %zu: %zu calls", thresholds[t], res.calls);
    expect_exactly_a(res.minimal, "bio", thresholds[t] + 1);
    wc_gen_request_free(res.minimal);
    wc_gen_request_free(in);
    free(body);
  }
}

Test(shrink, a_failure_needing_two_members_keeps_exactly_those) {
  static const char body[] = "{\"name\":\"Ada Lovelace\",\"bio\":\"mathematician\",\"wc_x\":[1,2,{\"a\":null}],"
                             "\"username\":\"ada\",\"profile_picture\":{\"id\":\"pic_1\"}}";
  wc_gen_request *in = given(body, sizeof body - 1, "2025-01-01", "biz_1");
  probe p = {0};
  wc_shrink_result res = run(in, both_present, &p, 0);
  size_t len;
  const char *got = wc_gen_request_body(res.minimal, &len);
  cr_expect_str_eq(got, "{\"bio\":\"\",\"username\":\"\"}");
  cr_expect_null(wc_gen_request_api_version(res.minimal), "the header is not needed");
  cr_expect_null(wc_gen_request_account_id(res.minimal), "the query is not needed");
  wc_gen_request_free(res.minimal);
  wc_gen_request_free(in);
}

Test(shrink, a_code_point_class_shrinks_to_that_code_point) {
  static const char body[] = "{\"name\":\"abc\xE2\x80\x8B" "def ghi\"}";
  wc_gen_request *in = given(body, sizeof body - 1, NULL, NULL);
  probe p = {.member = "name", .needle = "\xE2\x80\x8B"};
  wc_shrink_result res = run(in, contains, &p, 0);
  cr_expect_str_eq(wc_gen_request_body(res.minimal, NULL), "{\"name\":\"\xE2\x80\x8B\"}");
  wc_gen_request_free(res.minimal);
  wc_gen_request_free(in);
}

Test(shrink, a_negative_input_stays_negative) {
  /* Anything "fails": only the verdict keeps the result negative. */
  static const char body[] = "{\"name\":12345,\"bio\":\"long text here\",\"username\":\"abc\"}";
  wc_gen_request *in = given(body, sizeof body - 1, NULL, NULL);
  cr_assert(!wc_gen_request_positive(in));
  probe p = {0};
  wc_shrink_result res = run(in, always, &p, 0);
  cr_expect_str_eq(wc_gen_request_body(res.minimal, NULL), "{\"name\":0}");
  cr_expect_str_eq(wc_gen_request_keyword(res.minimal), "type");
  wc_gen_request_free(res.minimal);
  wc_gen_request_free(in);
}

Test(shrink, a_positive_input_stays_positive) {
  static const char body[] = "{\"name\":\"x\",\"profile_picture\":{\"id\":\"p\",\"direct_upload_id\":\"q\"}}";
  wc_gen_request *in = given(body, sizeof body - 1, "2025-01-01", NULL);
  probe p = {0};
  wc_shrink_result res = run(in, always, &p, 0);
  cr_expect(wc_gen_request_positive(res.minimal));
  cr_expect_str_eq(wc_gen_request_body(res.minimal, NULL), "{}");
  wc_gen_request_free(res.minimal);
  wc_gen_request_free(in);
}

static bool has_ff(void *ctx, const wc_gen_request *c) {
  seen(ctx, c);
  size_t len;
  const char *b = wc_gen_request_body(c, &len);
  return memchr(b, 0xFF, len) != NULL;
}

Test(shrink, a_raw_body_loses_bytes_and_stays_negative) {
  static const char body[] = "{\"name\":\"ok\",\"bio\":\"a\xFF" "b\",\"username\":\"abc\"}";
  wc_gen_request *in = given(body, sizeof body - 1, NULL, NULL);
  cr_assert_null(wc_gen_request_json(in));
  probe p = {0};
  wc_shrink_result res = run(in, has_ff, &p, 0);
  size_t len;
  const char *got = wc_gen_request_body(res.minimal, &len);
  cr_expect_eq(len, 1, "got %zu bytes", len);
  cr_expect_eq((unsigned char)got[0], 0xFF);
  wc_gen_request_free(res.minimal);
  wc_gen_request_free(in);
}

static bool bad_version(void *ctx, const wc_gen_request *c) {
  seen(ctx, c);
  const char *loc = wc_gen_request_location(c);
  return loc && strcmp(loc, WC_GEN_LOC_HEADER_VERSION) == 0;
}

Test(shrink, a_header_value_shrinks_and_stays_negative) {
  wc_gen_request *in = given("{\"name\":\"Ada\"}", 14, "2026-02-30-and-more", "biz_1");
  probe p = {0};
  wc_shrink_result res = run(in, bad_version, &p, 0);
  cr_expect_str_eq(wc_gen_request_api_version(res.minimal), "", "the empty value is not a date");
  cr_expect_null(wc_gen_request_account_id(res.minimal));
  cr_expect_str_eq(wc_gen_request_body(res.minimal, NULL), "{}");
  wc_gen_request_free(res.minimal);
  wc_gen_request_free(in);
}

Test(shrink, the_budget_bounds_the_calls) {
  size_t len;
  char *body = threshold_body(5000, "x", &len);
  wc_gen_request *in = given(body, len, NULL, NULL);
  probe p = {.threshold = 10, .member = "name"};
  wc_shrink_result res = run(in, longer_than, &p, 5);
  cr_expect_eq(res.calls, 5);
  cr_expect(res.budget_exhausted);
  cr_expect_lt(wc_gen_request_size(res.minimal), wc_gen_request_size(in));
  wc_gen_request_free(res.minimal);
  wc_gen_request_free(in);
  free(body);
}

Test(shrink, coverage_requests_shrink_without_flipping) {
  size_t n = wc_gen_coverage_count(gen);
  wc_err err;
  for (size_t i = 0; i < n; i += 7) {
    wc_gen_request *in = wc_gen_coverage(gen, i, &err);
    cr_assert_not_null(in);
    probe p = {0};
    wc_shrink_result res = run(in, always, &p, 30);
    wc_gen_request_free(res.minimal);
    wc_gen_request_free(in);
  }
}

/* ---- numbers ------------------------------------------------------------ */

typedef struct number_case {
  const char *body;
  bool (*holds)(double);
  const char *want;
} number_case;

static bool nonzero(double x) { return x != 0; }
static bool at_least_1000(double x) { return x >= 1000; }
static bool fractional(double x) { return x != (double)(long long)x; }
static bool beyond_1e300(double x) { return x > 1e300; }
static bool negative(double x) { return x < 0; }

static bool (*number_rule)(double);

static bool name_number_holds(void *ctx, const wc_gen_request *c) {
  seen(ctx, c);
  const cJSON *j = wc_gen_request_json(c);
  const cJSON *v = j ? cJSON_GetObjectItemCaseSensitive(j, "name") : NULL;
  return cJSON_IsNumber(v) && number_rule(v->valuedouble);
}

Test(shrink, numbers_become_0_then_1_then_fewer_digits) {
  static const number_case cases[] = {
      {"{\"name\":-42,\"bio\":\"b\"}", nonzero, "{\"name\":1}"},
      {"{\"name\":123456}", at_least_1000, "{\"name\":1234}"},
      {"{\"name\":3.14159}", fractional, "{\"name\":3.1}"},
      {"{\"name\":1.7976931348623157e308}", beyond_1e300, "{\"name\":1e+308}"},
      {"{\"name\":-98765.4321}", negative, "{\"name\":-9}"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    number_rule = cases[i].holds;
    probe p = {0};
    shrinks_to(cases[i].body, strlen(cases[i].body), name_number_holds, &p, cases[i].want);
  }
}

/* ---- objects and arrays ------------------------------------------------- */

/* The predicates look at the first member whatever its name (the name of an
 * undeclared member shrinks too). */
static const cJSON *first_member(const wc_gen_request *c) {
  const cJSON *j = wc_gen_request_json(c);
  return cJSON_IsObject(j) ? j->child : NULL;
}

static bool holds_37(void *ctx, const wc_gen_request *c) {
  seen(ctx, c);
  const cJSON *arr = first_member(c), *e;
  cJSON_ArrayForEach(e, arr) if (cJSON_IsNumber(e) && e->valuedouble == 37) return true;
  return false;
}

Test(shrink, a_long_array_is_halved_not_cut_one_by_one) {
  char body[1024];
  size_t n = (size_t)sprintf(body, "{\"wc_x\":[");
  for (int i = 0; i < 200; i++) n += (size_t)sprintf(body + n, "%s%d", i ? "," : "", i);
  n += (size_t)sprintf(body + n, "]}");
  probe p = {0};
  size_t calls = shrinks_to(body, n, holds_37, &p, "{\"\":[37]}");
  cr_log_info("200 elements, one needed: %zu predicate calls", calls);
  cr_expect_leq(calls, 40, "%zu calls: elements were dropped one at a time", calls);
}

static bool first_is_container(void *ctx, const wc_gen_request *c) {
  seen(ctx, c);
  const cJSON *v = first_member(c);
  return cJSON_IsArray(v) || cJSON_IsObject(v);
}

Test(shrink, objects_and_arrays_are_emptied_first) {
  static const char *const bodies[][2] = {
      {"{\"wc_x\":[1,[2,3],{\"a\":4,\"b\":5}],\"bio\":\"x\"}", "{\"\":[]}"},
      {"{\"wc_x\":{\"a\":[1,2],\"b\":{\"c\":null},\"d\":true}}", "{\"\":{}}"},
  };
  for (size_t i = 0; i < 2; i++) {
    probe p = {0};
    size_t calls = shrinks_to(bodies[i][0], strlen(bodies[i][0]), first_is_container, &p, bodies[i][1]);
    /* each container emptied in one call (the root refused), bio dropped,
     * the name cut in three, a last round of two; element by element would
     * take two calls more */
    cr_expect_leq(calls, 8, "%s: %zu calls", bodies[i][0], calls);
  }
}

/* ---- names of undeclared members ---------------------------------------- */

static bool declared_at_root(const char *name) {
  static const char *const known[] = {"name", "bio", "username", "profile_picture"};
  for (size_t i = 0; i < 4; i++)
    if (strcmp(name, known[i]) == 0) return true;
  return false;
}

/* An undeclared root member whose name has more than p->threshold code
 * points and starts with p->needle (when set). */
static bool undeclared_name(void *ctx, const wc_gen_request *c) {
  probe *p = ctx;
  seen(p, c);
  const cJSON *j = wc_gen_request_json(c), *m;
  if (!cJSON_IsObject(j)) return false;
  cJSON_ArrayForEach(m, j) {
    if (declared_at_root(m->string)) continue;
    size_t want = p->needle ? strlen(p->needle) : 0;
    if (code_points(m->string) > p->threshold && strncmp(m->string, p->needle ? p->needle : "", want) == 0)
      return true;
  }
  return false;
}

Test(shrink, an_undeclared_member_name_shrinks) {
  static const char body[] = "{\"zzz_unknown_member_with_long_name\":1,\"bio\":\"b\"}";
  probe p = {.threshold = 0};
  shrinks_to(body, sizeof body - 1, undeclared_name, &p, "{\"a\":0}");
  probe longer = {.threshold = 3};
  shrinks_to(body, sizeof body - 1, undeclared_name, &longer, "{\"aaaa\":0}");
}

static bool root_and_picture_pairs(void *ctx, const wc_gen_request *c) {
  seen(ctx, c);
  const cJSON *j = wc_gen_request_json(c);
  const cJSON *pic = j ? cJSON_GetObjectItemCaseSensitive(j, "profile_picture") : NULL;
  return cJSON_GetArraySize(j) >= 2 && cJSON_GetArraySize(pic) >= 2;
}

Test(shrink, declared_names_never_change_nor_are_taken) {
  static const char body[] =
      "{\"profile_picture\":{\"id\":\"p\",\"xx_extra\":\"q\"},\"id\":\"r\"}";
  probe p = {0};
  /* "id" is declared inside profile_picture only */
  shrinks_to(body, sizeof body - 1, root_and_picture_pairs, &p,
             "{\"profile_picture\":{\"id\":\"\",\"\":\"\"},\"\":\"\"}");
}

static bool saw_name;

static bool undeclared_name_watching(void *ctx, const wc_gen_request *c) {
  const cJSON *j = wc_gen_request_json(c);
  saw_name |= j && cJSON_HasObjectItem(j, "name");
  return undeclared_name(ctx, c);
}

Test(shrink, a_name_never_becomes_a_declared_one) {
  static const char body[] = "{\"namex\":\"v\",\"yy\":\"w\"}";
  wc_gen_request *in = given(body, sizeof body - 1, NULL, NULL);
  cr_assert(wc_gen_request_positive(in), "the verdict alone would not refuse {\"name\":\"v\"}");
  wc_gen_request_free(in);
  probe p = {.needle = "name"};
  saw_name = false;
  shrinks_to(body, sizeof body - 1, undeclared_name_watching, &p, "{\"namea\":\"\"}");
  cr_expect(!saw_name, "a candidate renamed a member to the declared \"name\"");
}

static bool three_colons(void *ctx, const wc_gen_request *c) {
  seen(ctx, c);
  size_t len, colons = 0;
  const char *b = wc_gen_request_body(c, &len);
  for (size_t i = 0; i < len; i++) colons += b[i] == ':';
  return colons >= 3;
}

Test(shrink, renamed_siblings_never_share_a_name) {
  /* negative (name is a number), and a duplicate key would be negative too:
   * only the shrinker keeps the two names apart */
  static const char body[] = "{\"name\":5,\"ab\":1,\"abc\":2}";
  probe p = {0};
  shrinks_to(body, sizeof body - 1, three_colons, &p, "{\"name\":0,\"\":0,\"a\":0}");
}
