/* Test support for the report tests (test_report*.c): loading the fixture
 * and the spec, scratch directories, running external checkers (xmllint),
 * strict JSON parsing and schema validation with whopconf's own validator.
 * Every function that can fail ends the calling test through a Criterion
 * assert; returned strings and documents belong to the caller. */
#ifndef WHOPCONF_TESTS_REPORT_SUPPORT_H
#define WHOPCONF_TESTS_REPORT_SUPPORT_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "whopconf/common.h"
#include "whopconf/spec.h"

#define RS_FIXTURE WC_SOURCE_DIR "/tests/fixtures/report/sample-report.json"
#define RS_SPEC WC_SOURCE_DIR "/spec/openapi.yml"
#define RS_GOLDEN WC_SOURCE_DIR "/tests/golden/report"

/* printf into a new string. */
char *rs_fmt(const char *fmt, ...) WC_PRINTF(1, 2);
/* A whole file (up to 1 GiB); *len (when given) excludes the NUL. */
char *rs_read(const char *path, size_t *len);
cJSON *rs_load(const char *path);
/* The sample report (RS_FIXTURE). */
cJSON *rs_fixture(void);
/* The spec file (RS_SPEC). */
wc_spec *rs_spec(void);

/* A fresh scratch directory under the build tree,
 * WC_BINARY_DIR/report-tests/<name>-<pid>; those of earlier runs with the
 * same name are removed (the last one stays for inspection). Each test uses
 * its own names. */
char *rs_dir(const char *name);
/* dir + "/" + file */
char *rs_path(const char *dir, const char *file);
void rs_write(const char *path, const char *text);
char *rs_read_in(const char *dir, const char *file);
cJSON *rs_load_in(const char *dir, const char *file);

/* Runs a shell command; returns its exit status (or -1). Output goes to the
 * test's stderr so a failure explains itself. */
int rs_sh(const char *fmt, ...) WC_PRINTF(1, 2);
/* How often needle occurs in hay (not overlapping). */
size_t rs_count(const char *hay, const char *needle);

/* Parses with whopconf's strict JSON checker: the text must be RFC 8259
 * JSON with no defect at all (duplicate keys, invalid UTF-8, ...). */
cJSON *rs_strict_json(const char *text, const char *what);
/* Validates doc against the JSON Schema file with whopconf's validator;
 * returns the number of errors (printing the first few). */
size_t rs_schema_errors(const char *schema_path, const cJSON *doc);

#endif
