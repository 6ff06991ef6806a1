/* ctest ci_examples: the CI examples in examples/ci/ are valid YAML (loaded
 * with whopconf's own YAML loader, the one that reads spec/openapi.yml),
 * have the shape their CI expects (jobs, steps, artifacts, the JUnit and
 * SARIF publishing, the job summary), take the credentials from secrets, and
 * name only real flags: every `--flag` of every `whopconf run`, `whopconf
 * fuzz` and `whopconf report merge` command must appear in that command's
 * --help (fuzz takes run's flags too). The sharded examples run `whopconf
 * fuzz --shard K/4` in a matrix (GitHub) or `parallel: 4` (GitLab) and merge
 * in a job that depends on the shard jobs and runs whatever they found.
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

/* The flags of every command `command` ("whopconf run") in a string (a
 * shell script), into out. */
typedef struct command_flags {
  const char *command;
  flags used;
} command_flags;

static void collect_flags(const char *text, void *ctx) {
  command_flags *cf = ctx;
  size_t len = strlen(cf->command);
  for (const char *p = text; (p = strstr(p, cf->command)) != NULL; p += len) {
    /* The command: up to an unescaped newline (a "\" newline continues it). */
    wc_buf cmd;
    wc_buf_init(&cmd);
    const char *q = p + len;
    while (*q && !(*q == '\n' && q[-1] != '\\')) q++;
    wc_buf_append(&cmd, p + len, (size_t)(q - p - len));
    scan_flags(cmd.data ? cmd.data : "", &cf->used);
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

/* Whether a string in doc (itself and what it holds, not its siblings)
 * contains needle. */
static bool contains(const cJSON *doc, const char *needle) {
  grep g = {needle, false};
  if (cJSON_IsString(doc)) grep_string(doc->valuestring, &g);
  else if (doc) each_string(doc->child, grep_string, &g);
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

/* ---- the sharded examples ---- */

static bool string_is(const cJSON *item, const char *text) {
  return cJSON_IsString(item) && strcmp(item->valuestring, text) == 0;
}

/* needs: "job", ["job", ...] or [{job: "job"}, ...] (GitLab) names job. */
static bool needs_job(const cJSON *needs, const char *job) {
  if (string_is(needs, job)) return true;
  const cJSON *item;
  cJSON_ArrayForEach(item, needs) {
    if (string_is(item, job) || string_is(get(item, "job"), job)) return true;
  }
  return false;
}

/* The job that runs `whopconf report merge`, NULL when none does. */
static const cJSON *merge_job(const cJSON *jobs) {
  const cJSON *job;
  cJSON_ArrayForEach(job, jobs) {
    if (cJSON_IsObject(job) && contains(job, "whopconf report merge")) return job;
  }
  return NULL;
}

static void check_github_shards(const char *file, const cJSON *doc) {
  const cJSON *jobs = get(doc, "jobs");
  const cJSON *job, *shards = NULL;
  cJSON_ArrayForEach(job, jobs) {
    if (get(get(get(job, "strategy"), "matrix"), "shard")) shards = job;
  }
  if (!shards) {
    fail(file, "no job with strategy.matrix.shard");
    return;
  }
  const cJSON *matrix = get(get(get(shards, "strategy"), "matrix"), "shard");
  int k = 0;
  const cJSON *v;
  cJSON_ArrayForEach(v, matrix) {
    if (!cJSON_IsNumber(v) || v->valuedouble != ++k) k = -100;
  }
  if (k != 4) fail(file, "strategy.matrix.shard is not [1, 2, 3, 4]");
  if (!cJSON_IsFalse(get(get(shards, "strategy"), "fail-fast")))
    fail(file, "strategy.fail-fast is not false (a shard with findings would cancel the others)");
  if (!contains(shards, "--shard \"${{ matrix.shard }}/4\"")) fail(file, "the shards do not run --shard K/4");
  if (!contains(shards, "--seed \"$GITHUB_RUN_NUMBER\"")) fail(file, "the shards do not share one --seed");
  if (!contains(shards, "actions/upload-artifact@")) fail(file, "the shards do not upload their report.json");
  if (!contains(shards, "secrets")) fail(file, "the shards' token does not come from a secret");
  const cJSON *merge = merge_job(jobs);
  if (!merge) {
    fail(file, "no job runs whopconf report merge");
    return;
  }
  if (!needs_job(get(merge, "needs"), shards->string)) fail(file, "the merge job does not need the shard job %s", shards->string);
  const cJSON *cond = get(merge, "if");
  if (!cJSON_IsString(cond) || !strstr(cond->valuestring, "always()"))
    fail(file, "the merge job does not run when a shard failed (if: always())");
  const char *needed[][2] = {
      {"actions/download-artifact@", "the merge job does not download the shards' reports"},
      {"github/codeql-action/upload-sarif@", "no SARIF upload to code scanning"},
      {"reports/junit.xml", "junit.xml is not published"},
      {"$GITHUB_STEP_SUMMARY", "summary.md is not appended to the job summary"},
  };
  for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
    if (!contains(merge, needed[i][0])) fail(file, "%s (no \"%s\")", needed[i][1], needed[i][0]);
}

static void check_gitlab_shards(const char *file, const cJSON *doc) {
  const cJSON *item, *shards = NULL;
  cJSON_ArrayForEach(item, doc) {
    if (cJSON_IsObject(item) && get(item, "parallel")) shards = item;
  }
  if (!shards) {
    fail(file, "no job with parallel:");
    return;
  }
  const cJSON *parallel = get(shards, "parallel");
  if (!cJSON_IsNumber(parallel) || parallel->valuedouble != 4) fail(file, "parallel is not 4");
  if (!contains(shards, "--shard \"$CI_NODE_INDEX/$CI_NODE_TOTAL\"")) fail(file, "the shards do not run --shard K/N");
  if (!contains(shards, "whopconf fuzz")) fail(file, "the shards do not run whopconf fuzz");
  if (!contains(shards, "$CI_NODE_INDEX\"")) fail(file, "the shards do not write one directory each");
  if (!string_is(get(get(shards, "artifacts"), "when"), "always")) fail(file, "a shard's report is lost when it fails");
  const cJSON *merge = merge_job(doc);
  if (!merge) {
    fail(file, "no job runs whopconf report merge");
    return;
  }
  if (!needs_job(get(merge, "needs"), shards->string)) fail(file, "the merge job does not need %s", shards->string);
  if (!string_is(get(merge, "when"), "always")) fail(file, "the merge job does not run when a shard failed (when: always)");
  if (!string_is(get(get(get(merge, "artifacts"), "reports"), "junit"), "reports/junit.xml"))
    fail(file, "the merge job's artifacts:reports:junit is not reports/junit.xml");
  const cJSON *stages = get(doc, "stages");
  int shard_stage = -1, merge_stage = -1, i = 0;
  cJSON_ArrayForEach(item, stages) {
    if (string_is(item, cJSON_GetStringValue(get(shards, "stage")))) shard_stage = i;
    if (string_is(item, cJSON_GetStringValue(get(merge, "stage")))) merge_stage = i;
    i++;
  }
  if (shard_stage < 0 || merge_stage <= shard_stage) fail(file, "the merge job's stage does not come after the shards'");
}

/* ---- flags ---- */

/* Flags `whopconf <command> --help` lists; false when it is unavailable
 * (marker: a word its help must contain). */
static bool real_flags(const char *whopconf, const char *command, const char *marker, flags *out) {
  wc_buf cmd;
  wc_buf_init(&cmd);
  wc_buf_printf(&cmd, "'%s' %s --help 2>/dev/null", whopconf, command);
  FILE *p = popen(cmd.data, "r");
  wc_buf_free(&cmd);
  if (!p) return false;
  wc_buf help;
  wc_buf_init(&help);
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, p)) > 0) wc_buf_append(&help, chunk, n);
  int status = pclose(p);
  bool ok = status == 0 && help.data && strstr(help.data, marker);
  if (ok) scan_flags(help.data, out);
  wc_buf_free(&help);
  return ok;
}

/* The commands whose flags the examples may use, and where they are listed. */
typedef struct command {
  const char *name; /* as written in the examples */
  flags real;
} command;

static void load_commands(const char *whopconf, command *cmds) {
  if (!real_flags(whopconf, "run", "--base-url", &cmds[0].real)) {
    /* TODO(runner): only while `whopconf run --help` is unavailable. */
    static const char *const fallback[] = {"--base-url", "--token", "--api-key", "--token-without-scope",
                                           "--allow-writes", "--seed", "--report-dir", "--format",
                                           "--strict", "--spec"};
    fprintf(stderr, "ci_examples: `%s run --help` is unavailable; checking against a fixed list\n", whopconf);
    for (size_t i = 0; i < sizeof fallback / sizeof fallback[0]; i++)
      flags_add(&cmds[0].real, fallback[i], strlen(fallback[i]));
  }
  /* fuzz takes every flag of run, and its own. */
  for (size_t i = 0; i < cmds[0].real.count; i++)
    flags_add(&cmds[1].real, cmds[0].real.items[i], strlen(cmds[0].real.items[i]));
  if (!real_flags(whopconf, "fuzz", "--shard", &cmds[1].real)) fail("whopconf fuzz --help", "unavailable");
  if (!real_flags(whopconf, "report merge", "--force", &cmds[2].real)) fail("whopconf report --help", "unavailable");
}

/* Every flag of every command of doc is a real one; returns how many
 * commands were found. */
static size_t check_flags(const char *file, const cJSON *doc, command *cmds, size_t ncmds) {
  size_t found = 0;
  for (size_t c = 0; c < ncmds; c++) {
    command_flags cf = {cmds[c].name, {{0}, 0}};
    if (!contains(doc, cmds[c].name)) continue;
    found++;
    each_string(doc, collect_flags, &cf);
    printf("ci_examples: %s: `%s` flags checked:", file, cmds[c].name);
    for (size_t j = 0; j < cf.used.count; j++) {
      printf(" %s", cf.used.items[j]);
      if (!flags_has(&cmds[c].real, cf.used.items[j]))
        fail(file, "`%s %s` is not a flag of %s", cmds[c].name, cf.used.items[j], cmds[c].name);
    }
    printf("\n");
    flags_free(&cf.used);
  }
  return found;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: ci_examples SOURCE_DIR WHOPCONF\n");
    return 2;
  }
  static const struct {
    const char *path;
    void (*check)(const char *, const cJSON *);
  } files[] = {{"examples/ci/github-actions.yml", check_github},
               {"examples/ci/gitlab-ci.yml", check_gitlab},
               {"examples/ci/github-actions-shards.yml", check_github_shards},
               {"examples/ci/gitlab-ci-shards.yml", check_gitlab_shards}};
  command cmds[] = {{"whopconf run", {{0}, 0}}, {"whopconf fuzz", {{0}, 0}}, {"whopconf report merge", {{0}, 0}}};
  size_t ncmds = sizeof cmds / sizeof cmds[0];
  load_commands(argv[2], cmds);

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
    if (check_flags(files[i].path, doc, cmds, ncmds) == 0) fail(files[i].path, "no whopconf command");
    printf("ci_examples: %s: valid YAML\n", files[i].path);
    wc_spec_free(yaml);
    wc_buf_free(&path);
  }
  for (size_t c = 0; c < ncmds; c++) flags_free(&cmds[c].real);
  if (failures) {
    fprintf(stderr, "ci_examples: %d problem%s\n", failures, failures == 1 ? "" : "s");
    return 1;
  }
  printf("ci_examples: ok\n");
  return 0;
}
