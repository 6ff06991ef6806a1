/* Helpers shared by the report tests (test_report*.c): loading the fixture
 * and the spec, scratch directories, running external checkers (xmllint),
 * strict JSON parsing and schema validation with whopconf's own validator.
 * Header-only (static functions) because each test_*.c is its own binary. */
#ifndef WHOPCONF_TESTS_REPORT_SUPPORT_H
#define WHOPCONF_TESTS_REPORT_SUPPORT_H

#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "whopconf/common.h"
#include "whopconf/json_strict.h"
#include "whopconf/report.h"
#include "whopconf/schema.h"
#include "whopconf/spec.h"

#define RS_FIXTURE WC_SOURCE_DIR "/tests/fixtures/report/sample-report.json"
#define RS_SPEC WC_SOURCE_DIR "/spec/openapi.yml"
#define RS_GOLDEN WC_SOURCE_DIR "/tests/golden/report"

/* printf into a new string. */
static inline __attribute__((unused)) __attribute__((format(printf, 1, 2))) char *rs_fmt(const char *fmt, ...) {
  va_list ap, copy;
  va_start(ap, fmt);
  va_copy(copy, ap);
  int n = vsnprintf(NULL, 0, fmt, copy);
  va_end(copy);
  cr_assert(n >= 0);
  char *out = malloc((size_t)n + 1);
  cr_assert_not_null(out);
  vsnprintf(out, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return out;
}

static inline __attribute__((unused)) char *rs_read(const char *path, size_t *len) {
  wc_err err;
  size_t n = 0;
  char *text = wc_read_file(path, (size_t)1 << 30, &n, &err);
  cr_assert_not_null(text, "cannot read %s: %s", path, err.msg);
  if (len) *len = n;
  return text;
}

static inline __attribute__((unused)) cJSON *rs_load(const char *path) {
  size_t len = 0;
  char *text = rs_read(path, &len);
  cJSON *doc = cJSON_ParseWithLength(text, len);
  free(text);
  cr_assert_not_null(doc, "%s is not JSON", path);
  return doc;
}

static inline __attribute__((unused)) cJSON *rs_fixture(void) { return rs_load(RS_FIXTURE); }

static inline __attribute__((unused)) wc_spec *rs_spec(void) {
  wc_err err;
  wc_spec *spec = wc_spec_load_file(RS_SPEC, &err);
  cr_assert_not_null(spec, "spec: %s", err.msg);
  return spec;
}

/* A fresh scratch directory under the build tree,
 * WC_BINARY_DIR/report-tests/<name>-<pid>; those of earlier runs with the
 * same name are removed (the last one stays for inspection). Each test uses
 * its own names. */
static inline __attribute__((unused)) char *rs_dir(const char *name) {
  char *path = rs_fmt("%s/report-tests/%s-%d", WC_BINARY_DIR, name, (int)getpid());
  char *cmd = rs_fmt("rm -rf '%s/report-tests/%s-'* && mkdir -p '%s'", WC_BINARY_DIR, name, path);
  cr_assert_eq(system(cmd), 0, "cannot create %s", path);
  free(cmd);
  return path;
}

static inline __attribute__((unused)) char *rs_path(const char *dir, const char *file) {
  return rs_fmt("%s/%s", dir, file);
}

static inline __attribute__((unused)) void rs_write(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f, "cannot write %s: %s", path, strerror(errno));
  cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
  cr_assert_eq(fclose(f), 0);
}

static inline __attribute__((unused)) char *rs_read_in(const char *dir, const char *file) {
  char *path = rs_path(dir, file);
  char *text = rs_read(path, NULL);
  free(path);
  return text;
}

static inline __attribute__((unused)) cJSON *rs_load_in(const char *dir, const char *file) {
  char *path = rs_path(dir, file);
  cJSON *doc = rs_load(path);
  free(path);
  return doc;
}

/* Runs a shell command; returns its exit status (or -1). Output goes to the
 * test's stderr so a failure explains itself. */
static inline __attribute__((unused)) __attribute__((format(printf, 1, 2))) int rs_sh(const char *fmt, ...) {
  va_list ap, copy;
  va_start(ap, fmt);
  va_copy(copy, ap);
  int n = vsnprintf(NULL, 0, fmt, copy);
  va_end(copy);
  cr_assert(n > 0);
  char *cmd = malloc((size_t)n + 1);
  cr_assert_not_null(cmd);
  vsnprintf(cmd, (size_t)n + 1, fmt, ap);
  va_end(ap);
  int status = system(cmd);
  free(cmd);
  return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static inline __attribute__((unused)) size_t rs_count(const char *hay, const char *needle) {
  size_t n = 0, len = strlen(needle);
  for (const char *p = strstr(hay, needle); p; p = strstr(p + len, needle)) n++;
  return n;
}

/* Parses with whopconf's strict JSON checker: the text must be RFC 8259
 * JSON with no defect at all (duplicate keys, invalid UTF-8, ...). */
static inline __attribute__((unused)) cJSON *rs_strict_json(const char *text, const char *what) {
  wc_findings *defects = wc_findings_new();
  wc_err err;
  cJSON *doc = wc_json_parse(text, strlen(text), NULL, defects, &err);
  cr_assert_not_null(doc, "%s is not JSON: %s", what, err.msg);
  if (wc_findings_count(defects) > 0) {
    const wc_finding *f = wc_findings_get(defects, 0);
    cr_assert_fail("%s is not strict JSON: %s (%zu defects)", what, f->message, wc_findings_count(defects));
  }
  wc_findings_free(defects);
  return doc;
}

/* Validates doc against the JSON Schema file with whopconf's validator;
 * returns the number of errors (printing the first few). */
static inline __attribute__((unused)) size_t rs_schema_errors(const char *schema_path, const cJSON *doc) {
  cJSON *schema_doc = rs_load(schema_path);
  wc_schema_opts opts;
  wc_schema_opts_default(&opts);
  wc_err err;
  wc_schema *schema = wc_schema_compile(schema_doc, "#", &opts, &err);
  cr_assert_not_null(schema, "%s does not compile: %s", schema_path, err.msg);
  wc_findings *errors = wc_findings_new();
  bool valid = wc_schema_validate(schema, doc, errors);
  size_t n = wc_findings_count(errors);
  for (size_t i = 0; i < n && i < 8; i++) {
    const wc_finding *f = wc_findings_get(errors, i);
    fprintf(stderr, "  %s: %s (%s)\n", f->instance_pointer ? f->instance_pointer : "", f->message,
            f->schema_pointer ? f->schema_pointer : "");
  }
  cr_assert_eq(valid, n == 0, "validator verdict and error list disagree");
  wc_findings_free(errors);
  wc_schema_free(schema);
  cJSON_Delete(schema_doc);
  return n;
}

#endif
