/* The capture readers (HAR 1.2, NDJSON) on real files: every HAR quirk the
 * judge depends on, malformed files reported at their byte offset, a large
 * generated capture read in bounded memory, and the tally's report. */
#include <criterion/criterion.h>
#if defined(__SANITIZE_ADDRESS__)
#define WC_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WC_TEST_ASAN 1
#endif
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "whopconf/catalog.h"
#include "whopconf/report.h"
#include "whopconf/schema.h"
#include "whopconf/traffic.h"

/* A file holding text (the readers take FILE *, as the CLI gives them). */
static FILE *file_of(const char *text) {
  FILE *f = tmpfile();
  cr_assert_not_null(f);
  fwrite(text, 1, strlen(text), f);
  rewind(f);
  return f;
}

typedef struct read_all {
  size_t entries, readable;
  int rc;
  wc_err err;
} read_all;

static read_all read_text(const char *name, const char *text, size_t max_entry) {
  FILE *f = file_of(text);
  read_all r = {0};
  wc_capture_opts o = {.max_entry = max_entry};
  wc_capture *c = wc_capture_open(f, name, &o, &r.err);
  if (!c) {
    r.rc = -1;
    fclose(f);
    return r;
  }
  wc_capture_entry e;
  while ((r.rc = wc_capture_next(c, &e, &r.err)) == 1) {
    r.entries++;
    r.readable += e.readable;
  }
  wc_capture_free(c);
  fclose(f);
  return r;
}

#define ENTRY(method, url, extra)                                                                              \
  "{\"startedDateTime\":\"2026-01-02T03:04:05.678Z\",\"time\":12.5,\"request\":{\"method\":\"" method           \
  "\",\"url\":\"" url "\",\"httpVersion\":\"HTTP/1.1\",\"headers\":[{\"name\":\"Authorization\",\"value\":"  \
  "\"Bearer abcdefgh\"}],\"queryString\":[],\"cookies\":[],\"headersSize\":-1,\"bodySize\":-1" extra "}"

Test(capture, har_pages_before_and_after_entries_and_unknown_members) {
  static const char *const hars[] = {
      "{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"x\",\"version\":\"1\"},\"pages\":[{\"id\":\"p\"}],"
      "\"entries\":[" ENTRY("GET", "http://h/a", "") ",\"response\":{\"status\":204}}," ENTRY(
          "GET", "http://h/b", "") ",\"response\":{\"status\":204}}],\"comment\":\"c\"}}",
      "  {\"_x\":[1,{\"a\":\"]}\"}],\"log\":{\"entries\":[" ENTRY("GET", "http://h/a", "") "}," ENTRY(
          "GET", "http://h/b", "") "}],\"pages\":[]}}\n\n",
  };
  for (size_t i = 0; i < sizeof hars / sizeof *hars; i++) {
    read_all r = read_text("t.har", hars[i], 0);
    cr_expect_eq(r.rc, 0, "%zu: %s", i, r.err.msg);
    cr_expect_eq(r.entries, 2, "%zu", i);
    cr_expect_eq(r.readable, 2, "%zu", i);
  }
  read_all empty = read_text("t.har", "{\"log\":{\"entries\":[]}}", 0);
  cr_expect_eq(empty.rc, 0, "%s", empty.err.msg);
  cr_expect_eq(empty.entries, 0);
}

/* The first entry of text, checked by fn. */
static void first_entry(const char *text, void (*fn)(const wc_capture_entry *)) {
  FILE *f = file_of(text);
  wc_err err;
  wc_capture *c = wc_capture_open(f, "t.har", NULL, &err);
  cr_assert_not_null(c, "%s", err.msg);
  wc_capture_entry e;
  cr_assert_eq(wc_capture_next(c, &e, &err), 1, "%s", err.msg);
  fn(&e);
  wc_capture_free(c);
  fclose(f);
}

static void check_base64(const wc_capture_entry *e) {
  cr_expect(e->readable);
  cr_expect_eq(e->exchange.request_body.len, 14);
  cr_expect(memcmp(e->exchange.request_body.data, "{\"name\":\"Ada\"}", 14) == 0);
  cr_expect_eq(e->exchange.response_body.len, 3);
  cr_expect(memcmp(e->exchange.response_body.data, "a\0b", 3) == 0, "bytes, NUL included");
  cr_expect_not(e->exchange.response_body.truncated);
  cr_expect_eq(e->exchange.status, 200);
  cr_expect_eq(e->exchange.time_ms, 12.5);
  cr_expect_str_eq(e->exchange.started_at, "2026-01-02T03:04:05.678Z");
  cr_expect_str_eq(e->exchange.request_headers[0].value, "Bearer abcdefgh");
  cr_expect_str_eq(e->note, "");
}

Test(capture, base64_bodies_are_decoded) {
  first_entry("{\"log\":{\"entries\":[" ENTRY("PATCH", "http://h/api/v1/users/me",
                                               ",\"postData\":{\"mimeType\":\"application/json\",\"text\":"
                                               "\"eyJuYW1lIjoiQWRhIn0=\",\"encoding\":\"base64\"}") ","
              "\"response\":{\"status\":200,\"headers\":[],\"content\":{\"size\":3,\"mimeType\":\"x\","
              "\"text\":\"YQBi\",\"encoding\":\"base64\"}}}]}}",
              check_base64);
}

static void check_missing_post(const wc_capture_entry *e) {
  cr_expect(e->readable);
  cr_expect_null(e->exchange.request_body.data, "no postData, no bodySize: no body");
  cr_expect_eq(e->exchange.status, 0);
  cr_expect_str_eq(e->exchange.error, "net::ERR_CONNECTION_REFUSED");
}

static void check_truncated(const wc_capture_entry *e) {
  cr_expect(e->exchange.request_body.truncated, "bodySize 40 > the 2 bytes kept");
  cr_expect(e->exchange.response_body.truncated, "content.size 4096 > the 6 bytes kept");
  cr_expect_eq(e->exchange.response_body.len, 6);
  cr_expect(strstr(e->note, "response body truncated in the capture (6 of 4096 bytes)"), "%s", e->note);
  cr_expect(strstr(e->note, "request body truncated"), "%s", e->note);
}

static void check_not_captured(const wc_capture_entry *e) {
  cr_expect(e->exchange.request_body.truncated);
  cr_expect_eq(e->exchange.request_body.len, 0);
  cr_expect(e->exchange.response_body.truncated, "content without text but size 10");
  cr_expect(strstr(e->note, "response body not in the capture (10 bytes)"), "%s", e->note);
}

Test(capture, missing_and_truncated_bodies_are_noted) {
  first_entry("{\"log\":{\"entries\":[" ENTRY("PATCH", "http://h/api/v1/users/me", "") ","
              "\"response\":{\"status\":0,\"headers\":[],\"_error\":\"net::ERR_CONNECTION_REFUSED\"}}]}}",
              check_missing_post);
  first_entry("{\"log\":{\"entries\":[{\"request\":{\"method\":\"PATCH\",\"url\":\"/api/v1/users/me\","
              "\"headers\":[],\"bodySize\":40,\"postData\":{\"mimeType\":\"application/json\",\"text\":\"{}\"}},"
              "\"response\":{\"status\":200,\"headers\":[],\"content\":{\"size\":4096,\"text\":\"{\\\"id\\\":\"}}}]}}",
              check_truncated);
  first_entry("{\"log\":{\"entries\":[{\"request\":{\"method\":\"PATCH\",\"url\":\"/api/v1/users/me\","
              "\"headers\":[],\"bodySize\":12},"
              "\"response\":{\"status\":200,\"headers\":[],\"content\":{\"size\":10,\"mimeType\":\"x\"}}}]}}",
              check_not_captured);
}

Test(capture, malformed_files_fail_with_the_byte_offset) {
  static const struct {
    const char *text, *expect;
  } cases[] = {
      {"", "byte 0: unexpected end of file"},
      {"[1,2]", "byte 0: not a HAR file"},
      {"{\"log\":{\"entries\":[{\"request\":{}}", "byte 33: unexpected end of file"},
      {"{\"log\":{\"entries\":[{\"a\":1}, 7]}}", "byte 28: an entry is not an object"},
      {"{\"log\":{\"entries\":[{\"a\":tru}]}}", "byte 24: malformed JSON"},
      {"{\"log\":{\"pages\":[1,,2],\"entries\":[]}}", "byte 19: malformed JSON"},
      {"{\"log\":{\"entries\":[]}} x", "byte 23: data after the end of the document"},
      {"{\"log\":{\"entries\":[]}", "byte 21: unexpected end of file"},
      {"{\"log\":{\"entries\":{}}}", "byte 18: log.entries is not an array"},
      {"{\"other\":{}}", "byte 12: not a HAR file (no \"log\" object)"},
      {"{\"log\":{\"entries\":[{\"a\":1}}]}}", "byte 26: expected ',' or ']'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    read_all r = read_text("broken.har", cases[i].text, 0);
    cr_expect_eq(r.rc, -1, "%zu: %s", i, cases[i].text);
    cr_expect(strstr(r.err.msg, cases[i].expect), "%zu: got \"%s\", want \"%s\"", i, r.err.msg, cases[i].expect);
    cr_expect(strncmp(r.err.msg, "broken.har: ", 12) == 0, "%s", r.err.msg);
  }
}

Test(capture, oversized_entries_are_skipped_and_noted) {
  char big[3000];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  wc_buf text;
  wc_buf_init(&text);
  wc_buf_printf(&text, "{\"log\":{\"entries\":[{\"request\":{\"method\":\"GET\",\"url\":\"/%s\"}},"
                       "{\"request\":{\"method\":\"GET\",\"url\":\"/small\"}}]}}", big);
  FILE *f = file_of(text.data);
  wc_err err;
  wc_capture *c = wc_capture_open(f, "big.har", &(wc_capture_opts){.max_entry = 1024}, &err);
  cr_assert_not_null(c, "%s", err.msg);
  wc_capture_entry e;
  cr_assert_eq(wc_capture_next(c, &e, &err), 1, "%s", err.msg);
  cr_expect_not(e.readable);
  cr_expect(strstr(e.note, "larger than 1024 bytes"), "%s", e.note);
  cr_assert_eq(wc_capture_next(c, &e, &err), 1, "%s", err.msg);
  cr_expect(e.readable);
  cr_expect_str_eq(e.exchange.target, "/small");
  cr_expect_eq(wc_capture_next(c, &e, &err), 0);
  wc_capture_free(c);
  fclose(f);
  wc_buf_free(&text);
}

Test(capture, ndjson_lines_are_entries) {
  const char *log =
      "{\"started_at\":\"2026-01-02T03:04:05Z\",\"time_ms\":1.5,\"request\":{\"method\":\"PATCH\",\"url\":"
      "\"/api/v1/users/me\",\"headers\":[{\"name\":\"Content-Type\",\"value\":\"application/json\"}],"
      "\"body\":\"{}\"},\"response\":{\"status\":200,\"headers\":[],\"body_base64\":\"e30=\"}}\n"
      "\n"
      "{\"request\":{\"method\":\"PATCH\",\"url\":\"/api/v1/users/me\",\"headers\":[],\"body\":null},"
      "\"response\":null,\"error\":\"upstream unreachable\"}\r\n";
  FILE *f = file_of(log);
  wc_err err;
  wc_capture *c = wc_capture_open(f, "proxy-log", NULL, &err);
  cr_assert_not_null(c, "%s", err.msg);
  cr_expect_eq(wc_capture_get_format(c), WC_CAPTURE_NDJSON, "sniffed from the first line");
  wc_capture_entry e;
  cr_assert_eq(wc_capture_next(c, &e, &err), 1, "%s", err.msg);
  cr_expect_eq(e.exchange.status, 200);
  cr_expect_eq(e.exchange.response_body.len, 2);
  cr_expect_eq(e.exchange.time_ms, 1.5);
  cr_expect_eq(e.offset, 0);
  cr_assert_eq(wc_capture_next(c, &e, &err), 1, "%s", err.msg);
  cr_expect_eq(e.index, 2, "blank lines are not entries");
  cr_expect_eq(e.exchange.status, 0);
  cr_expect_null(e.exchange.request_body.data);
  cr_expect_str_eq(e.exchange.error, "upstream unreachable");
  cr_expect_eq(wc_capture_next(c, &e, &err), 0);
  wc_capture_free(c);
  fclose(f);

  read_all bad = read_text("log.ndjson", "{\"request\":{\"method\":\"GET\",\"url\":\"/\"}}\n{\"request\":}\n", 0);
  cr_expect_eq(bad.rc, -1);
  cr_expect(strstr(bad.err.msg, "log.ndjson: byte 50: malformed JSON"), "%s", bad.err.msg);
}

/* ---- bounded memory ---------------------------------------------------------- */

static long max_rss_kb(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/* A 96 MB HAR read entry by entry: peak RSS grows by far less than the
 * file (reading it whole would need the file plus its tree). ASan keeps
 * freed memory in quarantine, so the bound is checked in the release
 * build only. */
Test(capture, a_large_capture_is_read_in_bounded_memory, .timeout = 300) {
  char path[] = "/tmp/whopconf-large-XXXXXX";
  int fd = mkstemp(path);
  cr_assert_geq(fd, 0);
  FILE *f = fdopen(fd, "w+b");
  cr_assert_not_null(f);
  char bio[1800];
  memset(bio, 'b', sizeof bio - 1);
  bio[sizeof bio - 1] = '\0';
  fputs("{\"log\":{\"version\":\"1.2\",\"entries\":[", f);
  size_t n = 0;
  while (ftell(f) < 96L << 20) {
    fprintf(f,
            "%s{\"request\":{\"method\":\"PATCH\",\"url\":\"http://h/api/v1/users/me\",\"headers\":["
            "{\"name\":\"Content-Type\",\"value\":\"application/json\"}],\"postData\":{\"text\":"
            "\"{\\\"bio\\\":\\\"%s %zu\\\"}\"}},\"response\":{\"status\":204,\"headers\":[]}}",
            n ? "," : "", bio, n);
    n++;
  }
  fputs("]}}", f);
  rewind(f);
  long before = max_rss_kb();
  wc_err err;
  wc_capture *c = wc_capture_open(f, path, NULL, &err);
  cr_assert_not_null(c, "%s", err.msg);
  wc_capture_entry e;
  size_t seen = 0, bytes = 0;
  int rc;
  while ((rc = wc_capture_next(c, &e, &err)) == 1) {
    seen++;
    bytes += e.exchange.request_body.len;
  }
  cr_expect_eq(rc, 0, "%s", err.msg);
  cr_expect_eq(seen, n);
  cr_expect_gt(bytes, (size_t)80 << 20);
  wc_capture_free(c);
  fclose(f);
  unlink(path);
  long grown_mb = (max_rss_kb() - before) / 1024;
  cr_log_info("%zu entries, peak RSS grew by %ld MB", n, grown_mb);
#ifndef WC_TEST_ASAN
  cr_expect_lt(grown_mb, 16, "peak RSS grew by %ld MB reading a 96 MB capture", grown_mb);
#endif
}

/* ---- the tally's report ----------------------------------------------------------- */

Test(capture, tally_report_is_a_valid_report_with_both_sides) {
  wc_err err;
  wc_spec *spec = wc_spec_load_embedded(&err);
  cr_assert_not_null(spec, "%s", err.msg);
  wc_judge *judge = wc_judge_new(spec, NULL, &err);
  cr_assert_not_null(judge, "%s", err.msg);
  wc_tally *t = wc_tally_new(judge, &(wc_tally_info){.command = "check", .target = "t.har", .spec = spec}, &err);
  cr_assert_not_null(t, "%s", err.msg);
  static const wc_wire_header req[] = {{"Authorization", "Bearer secret_token_42"},
                                       {"Content-Type", "application/json"}};
  static const wc_wire_header resp[] = {{"Content-Type", "application/json"}};
  const char *err_body = "{\"error\":{\"type\":\"invalid_request\",\"message\":\"bad\"}}";
  wc_wire_exchange bad_client = {.method = "PATCH", .target = "/api/v1/users/me", .request_headers = req,
                                 .request_header_count = 2, .request_body = {.data = "{\"name\":1}", .len = 10},
                                 .status = 400, .response_headers = resp, .response_header_count = 1,
                                 .response_body = {.data = err_body, .len = strlen(err_body)}, .time_ms = 1};
  wc_wire_exchange bad_server = bad_client;
  bad_server.request_body = (wc_wire_body){.data = "{}", .len = 2};
  bad_server.status = 500;
  wc_wire_exchange other = {.method = "GET", .target = "/api/v1/other", .time_ms = -1};
  wc_verdict v;
  cr_assert_eq(wc_tally_add(t, &bad_client, "t.har entry 1", &v), 0);
  cr_expect_eq(v.request_failures, 1);
  cr_assert_eq(wc_tally_add(t, &bad_server, "t.har entry 2", &v), 0);
  cr_expect_geq(v.response_failures, 1);
  cr_assert_eq(wc_tally_add(t, &other, "t.har entry 3", NULL), 0);
  wc_tally_unreadable(t, "t.har entry 4", "not an exchange");
  int code = -1;
  cJSON *report = wc_tally_report(t, &code, &err);
  cr_assert_not_null(report, "%s", err.msg);
  cr_expect_eq(code, 1);

  size_t len;
  char *schema_text = wc_read_file(WC_SOURCE_DIR "/reports/report.schema.json", 1 << 20, &len, &err);
  cJSON *schema_doc = cJSON_Parse(schema_text);
  wc_schema_opts so;
  wc_schema_opts_default(&so);
  wc_schema *schema = wc_schema_compile(schema_doc, "#", &so, &err);
  cr_assert_not_null(schema, "%s", err.msg);
  wc_findings *found = wc_findings_new();
  bool valid = wc_schema_validate(schema, report, found);
  cr_expect(valid, "%s %s", wc_findings_count(found) ? wc_findings_get(found, 0)->instance_pointer : "",
            wc_findings_count(found) ? wc_findings_get(found, 0)->message : "");

  const cJSON *traffic = cJSON_GetObjectItem(cJSON_GetObjectItem(report, "run"), "traffic");
  cr_expect_eq(cJSON_GetObjectItem(traffic, "exchanges")->valueint, 3);
  cr_expect_eq(cJSON_GetObjectItem(traffic, "judged")->valueint, 2);
  cr_expect_eq(cJSON_GetObjectItem(traffic, "other")->valueint, 1);
  cr_expect_eq(cJSON_GetObjectItem(traffic, "unreadable")->valueint, 1);
  cr_expect_eq(cJSON_GetObjectItem(traffic, "request_violations")->valueint, 1);
  cr_expect_eq(cJSON_GetObjectItem(traffic, "response_violations")->valueint, 1);
  cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(report, "requirements")), (int)wc_catalog_count());
  bool request_side = false, response_side = false;
  const cJSON *r;
  cJSON_ArrayForEach(r, cJSON_GetObjectItem(report, "requirements")) {
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(r, "findings")) {
      const char *side = cJSON_GetStringValue(cJSON_GetObjectItem(f, "side"));
      const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(r, "id"));
      if (side && strcmp(side, "request") == 0) request_side |= strcmp(id, WC_REQ_CL_BODY_SCHEMA) == 0;
      if (side && strcmp(side, "response") == 0) response_side |= strcmp(id, WC_REQ_NO_5XX) == 0;
    }
  }
  cr_expect(request_side && response_side, "each failure on its side");
  char *text = cJSON_PrintUnformatted(report);
  cr_expect_null(strstr(text, "secret_token_42"), "the credential is never recorded");
  char *junit = wc_report_render_junit(report, &err);
  cr_expect_not_null(junit, "%s", err.msg);
  cr_expect(strstr(junit, "Client requests"), "the client family has its own suite");
  free(junit);
  free(text);
  wc_findings_free(found);
  wc_schema_free(schema);
  cJSON_Delete(schema_doc);
  free(schema_text);
  cJSON_Delete(report);
  wc_tally_free(t);
  wc_judge_free(judge);
  wc_spec_free(spec);
}
