/* Hostile evidence: markup, CDATA and comment terminators, </script>,
 * control characters, invalid UTF-8, U+2028, noncharacters and a 5 MiB
 * body, in every field a server or a hand-edited report can reach. Every
 * format must still parse (xmllint, strict JSON) and show it escaped or cut.
 * And the secret canary: a credential that reached the document unredacted
 * must not reach any output file. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/report_support.h"
#include "whopconf/report.h"
#include "whopconf/spec.h"

#define CANARY "wcCanary_Zq81LmX0pT5s"
#define BIG ((size_t)5 * 1024 * 1024)

static const char hostile[] = "</script><script>alert(1)</script>]]><!-- --> <b onmouseover=x>b</b> &amp; "
                              "| pipe `code` *em* [l](javascript:alert(1)) @everyone \x01\x07\x1b[31m\x7f "
                              "\xff\xfe \xc0\x80 \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x80\xa8\xe2\x80\xa9 "
                              "\xef\xbf\xbe \xc2\x85 \"quote\" 'apos'\r\nsecond line\n";

static cJSON *req_by_id(cJSON *doc, const char *id) {
  cJSON *req;
  cJSON_ArrayForEach(req, cJSON_GetObjectItemCaseSensitive(doc, "requirements")) {
    if (strcmp(cJSON_GetObjectItemCaseSensitive(req, "id")->valuestring, id) == 0) return req;
  }
  return NULL;
}

static void set_string(cJSON *obj, const char *key, const char *value) {
  cJSON_ReplaceItemInObjectCaseSensitive(obj, key, cJSON_CreateString(value));
}

static char *big_body(void) {
  size_t unit = strlen(hostile);
  char *body = malloc(BIG + 1);
  cr_assert_not_null(body);
  for (size_t i = 0; i < BIG; i += unit) memcpy(body + i, hostile, i + unit <= BIG ? unit : BIG - i);
  body[BIG] = '\0';
  /* The cut must not leave half a UTF-8 sequence or an open tag behind. */
  return body;
}

/* The fixture with hostile text everywhere. */
static cJSON *hostile_doc(void) {
  cJSON *doc = rs_fixture();
  cJSON *run = cJSON_GetObjectItemCaseSensitive(doc, "run");
  set_string(cJSON_GetObjectItemCaseSensitive(run, "target"), "base_url", "http://x/\"><script>alert(1)</script>");
  cJSON *weakened = cJSON_GetObjectItemCaseSensitive(run, "weakened");
  cJSON_AddItemToArray(weakened, cJSON_CreateString("--insecure<img src=x onerror=alert(1)>"));
  cJSON *req = req_by_id(doc, "WC-DM-001");
  set_string(req, "reason", hostile);
  set_string(req, "title", hostile);
  cJSON *finding = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(req, "findings"), 0);
  set_string(finding, "message", hostile);
  set_string(finding, "instance_pointer", "/a~1b/<x>/\xff");
  set_string(finding, "case", hostile);
  set_string(req_by_id(doc, "WC-ERR-006"), "reason", hostile);
  cJSON *x = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "exchanges"), 2); /* x3, WC-DM-001's evidence */
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(x, "id")->valuestring, "x3");
  char *body = big_body();
  set_string(cJSON_GetObjectItemCaseSensitive(x, "response"), "body", body);
  free(body);
  cJSON *headers = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(x, "response"), "headers");
  cJSON *h = cJSON_CreateObject();
  cJSON_AddStringToObject(h, "name", "X-Evil<\"&>");
  cJSON_AddStringToObject(h, "value", hostile);
  cJSON_AddItemToArray(headers, h);
  set_string(cJSON_GetObjectItemCaseSensitive(x, "request"), "url", "http://x/users/me?a=<b>&c=\"d\"#]]>");
  set_string(x, "curl", hostile);
  set_string(x, "case", hostile);
  return doc;
}

static void check_all(const char *dir) {
  /* XML: valid JUnit, well-formed HTML. */
  cr_assert_eq(rs_sh("xmllint --noout --schema '%s/tests/junit.xsd' '%s/junit.xml'", WC_SOURCE_DIR, dir), 0);
  cr_assert_eq(rs_sh("xmllint --noout --huge '%s/report.html'", dir), 0, "report.html is not well-formed");
  cr_assert_eq(rs_sh("xmllint --html --noout --huge '%s/report.html' 2>&1 | grep error | grep -v 'Tag [a-z]* invalid'", dir),
               1);
  /* JSON: strict RFC 8259 (valid UTF-8, no raw controls). */
  const char *json_files[] = {"report.json", "report.sarif", "traffic.har"};
  for (size_t i = 0; i < 3; i++) {
    char *text = rs_read_in(dir, json_files[i]);
    cJSON_Delete(rs_strict_json(text, json_files[i]));
    free(text);
  }
}

Test(report_hostile, every_format_escapes_and_still_parses, .timeout = 120) {
  cJSON *doc = hostile_doc();
  wc_spec *spec = rs_spec();
  char *dir = rs_dir("hostile");
  wc_err err;
  cr_assert_eq(wc_report_write(doc, spec, dir, WC_REPORT_ALL, &err), 0, "%s", err.msg);
  check_all(dir);

  char *html = rs_read_in(dir, "report.html");
  cr_assert_eq(rs_count(html, "<script"), 2, "only the data block and the page script");
  cr_assert_eq(rs_count(html, "</script"), 2);
  cr_assert_eq(rs_count(html, "<!--"), 1, "only the template's own comment");
  cr_assert_null(strstr(html, "<b onmouseover"));
  cr_assert_null(strstr(html, "<img"));
  cr_assert(strstr(html, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;]]&gt;&lt;!--"));
  cr_assert(strstr(html, "\xe2\x90\x81\xe2\x90\x87\xe2\x90\x9b[31m\xe2\x90\xa1"), "controls as Control Pictures");
  cr_assert_lt(strlen(html), (size_t)2 * 1024 * 1024, "the 5 MiB body must be cut in the page");
  cr_assert(strstr(html, "Body cut by this page: first"));
  const char *data = strstr(html, "id=\"wc-data\">");
  cr_assert_not_null(data);
  const char *data_end = strstr(data, "</script>");
  for (const char *p = data; p < data_end; p++) {
    cr_assert(!(p[0] == '\xe2' && p[1] == '\x80' && (p[2] == '\xa8' || p[2] == '\xa9')), "raw U+2028/9 in <script>");
    cr_assert(*p != '<', "raw < in the data block");
  }
  free(html);

  char *xml = rs_read_in(dir, "junit.xml");
  cr_assert_eq(rs_count(xml, "<script"), 0);
  cr_assert_lt(strlen(xml), (size_t)2 * 1024 * 1024);
  cr_assert(strstr(xml, "[body cut by the JUnit report: first"));
  free(xml);

  char *md = rs_read_in(dir, "summary.md");
  cr_assert_null(strstr(md, "<script"));
  cr_assert_null(strstr(md, "<img"));
  cr_assert_null(strstr(md, "@everyone"), "no @mention");
  for (const char *line = md; *line;) {
    const char *eol = strchr(line, '\n');
    size_t len = eol ? (size_t)(eol - line) : strlen(line);
    if (len > 2 && line[0] == '|' && line[1] == ' ') {
      int pipes = 0;
      for (size_t i = 0; i < len; i++) pipes += line[i] == '|' && line[i - (i > 0)] != '\\';
      cr_assert_eq(pipes, 6, "row with %d pipes: %.*s", pipes, (int)(len > 200 ? 200 : len), line);
    }
    line = eol ? eol + 1 : line + len;
  }
  free(md);

  cJSON *har = rs_load_in(dir, "traffic.har");
  cJSON *entry = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(har, "log"), "entries"), 2);
  cJSON *content = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(entry, "response"), "content");
  /* cut at 1 MiB of input; repaired bytes may grow (U+FFFD is 3 bytes) */
  cr_assert_leq(strlen(cJSON_GetObjectItemCaseSensitive(content, "text")->valuestring), (size_t)3 * 1024 * 1024);
  cr_assert_not_null(cJSON_GetObjectItemCaseSensitive(content, "comment"), "the cut is noted");
  cJSON_Delete(har);

  cJSON *back = rs_load_in(dir, "report.json");
  cJSON *x3 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(back, "exchanges"), 2);
  const char *kept = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(x3, "response"), "body")->valuestring;
  cr_assert_geq(strlen(kept), BIG, "report.json keeps what the run recorded");
  cJSON_Delete(back);

  free(dir);
  wc_spec_free(spec);
  cJSON_Delete(doc);
}

/* Every renderer alone on a body that is nothing but invalid bytes, and on
 * truncated multi-byte sequences at the cut. */
Test(report_hostile, cut_never_splits_a_character) {
  cJSON *doc = rs_fixture();
  cJSON *x = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "exchanges"), 1);
  size_t n = 64 * 1024 + 2; /* 21846 whole characters; the cut falls between two */
  char *body = malloc(n + 1);
  for (size_t i = 0; i < n; i += 3) memcpy(body + i, "\xe2\x82\xac", i + 3 <= n ? 3 : n - i); /* € */
  body[n] = '\0';
  set_string(cJSON_GetObjectItemCaseSensitive(x, "response"), "body", body);
  free(body);
  cJSON *lossy = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "exchanges"), 11); /* x12 */
  set_string(cJSON_GetObjectItemCaseSensitive(lossy, "response"), "body", "plain");
  char *dir = rs_dir("cut");
  wc_err err;
  cr_assert_eq(wc_report_write(doc, NULL, dir, WC_REPORT_ALL, &err), 0, "%s", err.msg);
  check_all(dir);
  const char *files[] = {"report.html", "junit.xml", "traffic.har"};
  for (size_t i = 0; i < 3; i++) {
    char *text = rs_read_in(dir, files[i]);
    cr_assert_null(strstr(text, "\xef\xbf\xbd"), "%s: a cut split a character", files[i]);
    free(text);
  }
  free(dir);
  cJSON_Delete(doc);
}

static void grep_canary(const char *dir) {
  const char *files[] = {"report.json", "junit.xml", "report.sarif", "summary.md", "report.html", "traffic.har"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    char *text = rs_read_in(dir, files[i]);
    cr_assert_null(strstr(text, CANARY), "the credential reached %s", files[i]);
    free(text);
  }
  cr_assert_eq(rs_sh("grep -rl '" CANARY "' '%s'", dir), 1);
}

Test(report_canary, an_unredacted_credential_reaches_no_file) {
  cJSON *doc = rs_fixture();
  cJSON *x = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "exchanges"), 1);
  cJSON *req = cJSON_GetObjectItemCaseSensitive(x, "request");
  cJSON *headers = cJSON_GetObjectItemCaseSensitive(req, "headers");
  set_string(cJSON_GetArrayItem(headers, 0), "value", "Bearer " CANARY);
  const char *secret_headers[][2] = {{"authorization", CANARY},
                                     {"Proxy-Authorization", "Basic " CANARY},
                                     {"Cookie", "session=" CANARY},
                                     {"X-Api-Key", CANARY}};
  for (size_t i = 0; i < 4; i++) {
    cJSON *h = cJSON_CreateObject();
    cJSON_AddStringToObject(h, "name", secret_headers[i][0]);
    cJSON_AddStringToObject(h, "value", secret_headers[i][1]);
    cJSON_AddItemToArray(headers, h);
  }
  cJSON *resp_headers = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(x, "response"), "headers");
  cJSON *h = cJSON_CreateObject();
  cJSON_AddStringToObject(h, "name", "Set-Cookie");
  cJSON_AddStringToObject(h, "value", "session=" CANARY "; HttpOnly");
  cJSON_AddItemToArray(resp_headers, h);
  set_string(x, "curl", "curl -X PATCH http://x -H \"Authorization: Bearer " CANARY "\"");
  set_string(cJSON_GetObjectItemCaseSensitive(x, "response"), "body",
             "{\"echo\":\"Authorization: bearer  " CANARY "\",\"t\":\"Bearer\\t" CANARY "\"}");
  cJSON *finding = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(req_by_id(doc, "WC-US-001"), "findings"), 0);
  set_string(finding, "message", "the server echoed BEARER " CANARY " back");
  set_string(req_by_id(doc, "WC-TR-004"), "reason", "token Bearer " CANARY);
  cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "run"), "weakened"),
                       cJSON_CreateString("--token=Bearer " CANARY));
  wc_spec *spec = rs_spec();
  char *dir = rs_dir("canary");
  wc_err err;
  cr_assert_eq(wc_report_write(doc, spec, dir, WC_REPORT_ALL, &err), 0, "%s", err.msg);
  grep_canary(dir);
  /* The redacted forms are what the files show instead. */
  char *har = rs_read_in(dir, "traffic.har");
  cr_assert(strstr(har, "Bearer ***"));
  free(har);
  free(dir);
  wc_spec_free(spec);
  cJSON_Delete(doc);
}

/* What the masking must leave alone: prose and the redacted forms. */
Test(report_canary, prose_and_redacted_forms_are_kept) {
  cJSON *doc = rs_fixture();
  set_string(req_by_id(doc, "WC-TR-004"), "reason",
             "401 without WWW-Authenticate: Bearer; missing bearer token; Bearer *** and Bearer $WHOPCONF_TOKEN; "
             "bearer authentication");
  wc_err err;
  char *md = wc_report_render_markdown(doc, &err);
  cr_assert(strstr(md, "missing bearer token; Bearer \\*\\*\\* and Bearer $WHOPCONF\\_TOKEN; bearer authentication"),
            "%s", md);
  free(md);
  cJSON_Delete(doc);
}
