/* The shrinker, with pure predicates (no server): the length-threshold and
 * two-member guarantees, the call budget on a 64 KiB string, verdicts that
 * never flip, raw bodies and parameter values. */
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
  return res;
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
