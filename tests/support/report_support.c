/* Test support: report test helpers (see report_support.h). */
#include "report_support.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "whopconf/json_strict.h"
#include "whopconf/schema.h"

static char *rs_vfmt(const char *fmt, va_list ap) {
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(NULL, 0, fmt, copy);
  va_end(copy);
  cr_assert(n >= 0);
  char *out = malloc((size_t)n + 1);
  cr_assert_not_null(out);
  vsnprintf(out, (size_t)n + 1, fmt, ap);
  return out;
}

char *rs_fmt(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *out = rs_vfmt(fmt, ap);
  va_end(ap);
  return out;
}

char *rs_read(const char *path, size_t *len) {
  wc_err err;
  size_t n = 0;
  char *text = wc_read_file(path, (size_t)1 << 30, &n, &err);
  cr_assert_not_null(text, "cannot read %s: %s", path, err.msg);
  if (len) *len = n;
  return text;
}

cJSON *rs_load(const char *path) {
  size_t len = 0;
  char *text = rs_read(path, &len);
  cJSON *doc = cJSON_ParseWithLength(text, len);
  free(text);
  cr_assert_not_null(doc, "%s is not JSON", path);
  return doc;
}

cJSON *rs_fixture(void) { return rs_load(RS_FIXTURE); }

wc_spec *rs_spec(void) {
  wc_err err;
  wc_spec *spec = wc_spec_load_file(RS_SPEC, &err);
  cr_assert_not_null(spec, "spec: %s", err.msg);
  return spec;
}

char *rs_dir(const char *name) {
  char *path = rs_fmt("%s/report-tests/%s-%d", WC_BINARY_DIR, name, (int)getpid());
  char *cmd = rs_fmt("rm -rf '%s/report-tests/%s-'* && mkdir -p '%s'", WC_BINARY_DIR, name, path);
  cr_assert_eq(system(cmd), 0, "cannot create %s", path);
  free(cmd);
  return path;
}

char *rs_path(const char *dir, const char *file) {
  return rs_fmt("%s/%s", dir, file);
}

void rs_write(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f, "cannot write %s: %s", path, strerror(errno));
  cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
  cr_assert_eq(fclose(f), 0);
}

char *rs_read_in(const char *dir, const char *file) {
  char *path = rs_path(dir, file);
  char *text = rs_read(path, NULL);
  free(path);
  return text;
}

cJSON *rs_load_in(const char *dir, const char *file) {
  char *path = rs_path(dir, file);
  cJSON *doc = rs_load(path);
  free(path);
  return doc;
}

int rs_sh(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *cmd = rs_vfmt(fmt, ap);
  va_end(ap);
  int status = system(cmd);
  free(cmd);
  return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

size_t rs_count(const char *hay, const char *needle) {
  size_t n = 0, len = strlen(needle);
  for (const char *p = strstr(hay, needle); p; p = strstr(p + len, needle)) n++;
  return n;
}

cJSON *rs_strict_json(const char *text, const char *what) {
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

size_t rs_schema_errors(const char *schema_path, const cJSON *doc) {
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
