/* report.json and the HAR are printed straight into their files
 * (report_stream.c); these tests hold the stream byte for byte against the
 * in-memory renderings it replaced (cJSON_Print of the repaired, masked
 * copy), over the golden fixture and over trees made to reach every branch
 * of the printer: every byte value in strings and keys, invalid UTF-8,
 * credentials in headers and in text, numbers of every shape, empty and
 * nested containers. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../harness/src/report/report_internal.h"
#include "support/report_support.h"
#include "whopconf/report.h"

/* What the stream printer writes for root. Caller frees. */
static char *streamed(const cJSON *root, bool report) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  cr_assert_not_null(f);
  cr_assert_eq(wc_rep_stream_to(f, root, report), 0);
  cr_assert_eq(fclose(f), 0);
  return text;
}

static void expect_same(const char *what, const char *want, const char *got) {
  size_t i = 0;
  while (want[i] && want[i] == got[i]) i++;
  cr_expect(want[i] == got[i], "%s: differs at byte %zu: want ...%.40s... got ...%.40s...", what, i,
            want + (i > 20 ? i - 20 : 0), got + (i > 20 ? i - 20 : 0));
}

/* Every byte from 1 to 255 once, in one string. */
static void all_bytes(char *out) {
  for (int b = 1; b < 256; b++) out[b - 1] = (char)b;
  out[255] = '\0';
}

/* A report-shaped tree with the awkward things in it. */
static cJSON *awkward_report(void) {
  cJSON *doc = rs_fixture();
  char bytes[256];
  all_bytes(bytes);
  cJSON *xs = cJSON_GetObjectItemCaseSensitive(doc, "exchanges");
  cr_assert(cJSON_IsArray(xs));
  cJSON *x = cJSON_CreateObject();
  cJSON_AddStringToObject(x, "id", "x999");
  cJSON *req = cJSON_AddObjectToObject(x, "request");
  cJSON *headers = cJSON_AddArrayToObject(req, "headers");
  static const char *const pairs[][2] = {
      {"Authorization", "Bearer tok_clear_in_a_document"}, {"Cookie", "session=abc"},
      {"X-Api-Key", "k_123"}, {"Accept", "application/json"}, {"Authorization", "Bearer ***"},
      {"Proxy-Authorization", "Basic dXNlcjpwdw=="}};
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
    cJSON *h = cJSON_CreateObject();
    cJSON_AddStringToObject(h, "name", pairs[i][0]);
    cJSON_AddStringToObject(h, "value", pairs[i][1]);
    cJSON_AddItemToArray(headers, h);
  }
  cJSON *h = cJSON_CreateObject();
  cJSON_AddStringToObject(h, "name", "X-\xff-Broken");
  cJSON_AddStringToObject(h, "value", bytes);
  cJSON_AddItemToArray(headers, h);
  cJSON_AddStringToObject(req, "body", bytes);
  cJSON *resp = cJSON_AddObjectToObject(x, "response");
  cJSON_AddArrayToObject(resp, "headers");
  cJSON_AddStringToObject(resp, "body", "\xc3\x28 \xed\xa0\x80 \xf0\x9f\x98\x80 ok");
  cJSON_AddNumberToObject(resp, "status", 200);
  cJSON *nums = cJSON_AddArrayToObject(x, "numbers");
  const double values[] = {0, -0.0, 1, -7, 0.1, 3.5, 1e300, -1e-300, 123456789012345.0, 2147483648.0,
                           -2147483649.0, 1.0 / 3.0, 5e-324, NAN, INFINITY};
  for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) cJSON_AddItemToArray(nums, cJSON_CreateNumber(values[i]));
  cJSON_AddItemToObject(x, "empty_object", cJSON_CreateObject());
  cJSON_AddItemToObject(x, "empty_array", cJSON_CreateArray());
  cJSON *nested = cJSON_AddArrayToObject(x, "nested");
  cJSON_AddItemToArray(nested, cJSON_CreateArray());
  cJSON_AddItemToArray(nested, cJSON_CreateObject());
  cJSON_AddItemToArray(nested, cJSON_CreateNull());
  cJSON_AddItemToArray(nested, cJSON_CreateTrue());
  cJSON_AddItemToArray(nested, cJSON_CreateFalse());
  cJSON_AddItemToArray(nested, cJSON_CreateRaw("{\"raw\": 1}"));
  cJSON_AddStringToObject(x, bytes, "a key of every byte");
  cJSON_AddStringToObject(x, "text_with_a_token", "sent Bearer tok_clear_in_a_document back");
  cJSON_AddItemToArray(xs, x);
  return doc;
}

Test(report_stream, report_json_equals_the_in_memory_rendering) {
  cJSON *docs[] = {rs_fixture(), awkward_report()};
  for (size_t i = 0; i < 2; i++) {
    wc_err err;
    char *want = wc_rep_render_json(docs[i], &err);
    cr_assert_not_null(want, "%s", err.msg);
    char *got = streamed(docs[i], true);
    expect_same(i ? "awkward report" : "fixture", want, got);
    free(want);
    free(got);
    cJSON_Delete(docs[i]);
  }
}

Test(report_stream, any_tree_equals_cjson_print) {
  cJSON *doc = awkward_report();
  wc_err err;
  char *want = wc_rep_print(doc, "tree", &err);
  cr_assert_not_null(want);
  char *got = streamed(doc, false);
  expect_same("tree", want, got);
  free(want);
  free(got);
  cJSON_Delete(doc);
}

Test(report_stream, har_file_equals_the_in_memory_rendering) {
  cJSON *doc = rs_fixture();
  wc_err err;
  char *want = wc_report_render_har(doc, &err);
  cr_assert_not_null(want, "%s", err.msg);
  char *dir = rs_dir("stream_har");
  cr_assert_eq(wc_report_write(doc, NULL, dir, WC_REPORT_HAR | WC_REPORT_JSON, &err), 0, "%s", err.msg);
  char *got = rs_read_in(dir, "traffic.har");
  expect_same("traffic.har", want, got);
  char *json_want = wc_rep_render_json(doc, &err);
  char *json_got = rs_read_in(dir, "report.json");
  expect_same("report.json", json_want, json_got);
  free(want);
  free(got);
  free(json_want);
  free(json_got);
  free(dir);
  cJSON_Delete(doc);
}
