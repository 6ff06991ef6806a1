/* jsts-runner: runs the JSON-Schema-Test-Suite data (tests/jsts/) through
 * the validator.
 *
 *   jsts-runner DIR [--skip FILE] [--no-skip] [--verbose]
 *
 * Prints one line per test, "<file> <group> <test> pass|fail|skip" (file
 * relative to DIR, indices 0-based), then "N passed, N failed, N skipped".
 * Tests named by the skip list print "skip" without running (--no-skip runs
 * them anyway, to see how far the validator gets). Files under
 * optional/format/ run with format assertion on. Every test is validated
 * twice, quietly and with the findings list, and fails if the two disagree
 * or if the error list does not match the verdict. Exit 0 when nothing
 * failed, 1 otherwise, 2 on a usage or I/O error. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "whopconf/common.h"
#include "whopconf/json_strict.h"
#include "whopconf/schema.h"

typedef struct skip_entry {
  char file[256];
  long group;
  long test; /* -1: the whole group */
} skip_entry;

typedef struct skip_list {
  skip_entry *items;
  size_t n, cap;
} skip_list;

typedef struct names {
  char **items;
  size_t n, cap;
} names;

static int add_name(names *l, const char *name) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    char **items = realloc(l->items, cap * sizeof *items);
    if (!items) return -1;
    l->items = items;
    l->cap = cap;
  }
  l->items[l->n] = wc_strdup(name);
  return l->items[l->n++] ? 0 : -1;
}

/* Every *.json under dir, as paths relative to it. */
static int collect(const char *root, const char *rel, names *out) {
  char path[4096];
  snprintf(path, sizeof path, "%s%s%s", root, *rel ? "/" : "", rel);
  DIR *d = opendir(path);
  if (!d) return -1;
  struct dirent *e;
  int rc = 0;
  while ((e = readdir(d)) && rc == 0) {
    if (e->d_name[0] == '.') continue;
    char child[4096], full[8192];
    snprintf(child, sizeof child, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
    snprintf(full, sizeof full, "%s/%s", root, child);
    struct stat st;
    if (stat(full, &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) rc = collect(root, child, out);
    else if (strlen(e->d_name) > 5 && strcmp(e->d_name + strlen(e->d_name) - 5, ".json") == 0)
      rc = add_name(out, child);
  }
  closedir(d);
  return rc;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int load_skips(const char *path, skip_list *out) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char line[1024];
  while (fgets(line, sizeof line, f)) {
    char file[256], test[32];
    long group;
    if (line[0] == '#' || line[0] == '\n') continue;
    if (sscanf(line, "%255s %ld %31s", file, &group, test) != 3) continue;
    if (out->n == out->cap) {
      size_t cap = out->cap ? out->cap * 2 : 32;
      skip_entry *items = realloc(out->items, cap * sizeof *items);
      if (!items) {
        fclose(f);
        return -1;
      }
      out->items = items;
      out->cap = cap;
    }
    skip_entry *s = &out->items[out->n++];
    snprintf(s->file, sizeof s->file, "%s", file);
    s->group = group;
    s->test = strcmp(test, "*") == 0 ? -1 : strtol(test, NULL, 10);
  }
  fclose(f);
  return 0;
}

static bool skipped(const skip_list *l, const char *file, long group, long test) {
  for (size_t i = 0; i < l->n; i++)
    if (strcmp(l->items[i].file, file) == 0 && l->items[i].group == group &&
        (l->items[i].test < 0 || l->items[i].test == test))
      return true;
  return false;
}

typedef struct totals {
  size_t pass, fail, skip;
} totals;

static void run_file(const char *dir, const char *file, const skip_list *skips, bool verbose, totals *t) {
  char path[8192];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  wc_err err;
  size_t len;
  char *text = wc_read_file(path, 0, &len, &err);
  cJSON *doc = text ? wc_json_parse(text, len, NULL, NULL, &err) : NULL;
  free(text);
  if (!doc || !cJSON_IsArray(doc)) {
    printf("# %s: %s\n", file, doc ? "not an array of test groups" : err.msg);
    t->fail++;
    cJSON_Delete(doc);
    return;
  }
  wc_schema_opts opts;
  wc_schema_opts_default(&opts);
  opts.format_assertion = strncmp(file, "optional/format/", 16) == 0;
  long g = 0;
  for (const cJSON *group = doc->child; group; group = group->next, g++) {
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(group, "schema");
    const cJSON *tests = cJSON_GetObjectItemCaseSensitive(group, "tests");
    wc_schema *compiled = NULL;
    bool tried = false;
    long k = 0;
    for (const cJSON *test = tests ? tests->child : NULL; test; test = test->next, k++) {
      if (skipped(skips, file, g, k)) {
        printf("%s %ld %ld skip\n", file, g, k);
        t->skip++;
        continue;
      }
      if (!tried) {
        tried = true;
        compiled = schema ? wc_schema_compile(schema, "#", &opts, &err) : NULL;
        if (!compiled) printf("# %s %ld: compile error: %s\n", file, g, schema ? err.msg : "no schema");
      }
      const cJSON *data = cJSON_GetObjectItemCaseSensitive(test, "data");
      bool expect = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(test, "valid"));
      bool pass = false;
      if (compiled && data) {
        bool quiet = wc_schema_validate(compiled, data, NULL);
        wc_findings *found = wc_findings_new();
        bool loud = wc_schema_validate(compiled, data, found);
        size_t nerr = wc_findings_count(found);
        pass = quiet == expect && loud == expect && (nerr == 0) == expect;
        if (!pass || verbose) {
          const cJSON *desc = cJSON_GetObjectItemCaseSensitive(test, "description");
          printf("# %s %ld %ld: %s: expected %s, quiet %s, loud %s with %zu error(s)\n", file, g, k,
                 cJSON_IsString(desc) ? desc->valuestring : "", expect ? "valid" : "invalid",
                 quiet ? "valid" : "invalid", loud ? "valid" : "invalid", nerr);
          for (size_t i = 0; i < nerr; i++) {
            const wc_finding *f = wc_findings_get(found, i);
            printf("#   %s: %s [%s]\n", f->instance_pointer && *f->instance_pointer ? f->instance_pointer : "(root)",
                   f->message, f->schema_pointer ? f->schema_pointer : "");
          }
        }
        wc_findings_free(found);
      }
      printf("%s %ld %ld %s\n", file, g, k, pass ? "pass" : "fail");
      if (pass) t->pass++;
      else t->fail++;
    }
    wc_schema_free(compiled);
  }
  cJSON_Delete(doc);
}

static void usage(FILE *out) {
  fputs("usage: jsts-runner DIR [--skip FILE] [--no-skip] [--verbose]\n"
        "  DIR       a JSON-Schema-Test-Suite draft directory (e.g. tests/jsts/draft2020-12)\n"
        "  --skip    list of tests to skip (<file> <group> <test|*> <tag> ...)\n"
        "  --no-skip run the listed tests anyway\n"
        "  --verbose print the errors of every test, not only of failures\n",
        out);
}

int main(int argc, char **argv) {
  const char *dir = NULL, *skip_path = NULL;
  bool no_skip = false, verbose = false;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--skip") == 0 && i + 1 < argc) skip_path = argv[++i];
    else if (strcmp(argv[i], "--no-skip") == 0) no_skip = true;
    else if (strcmp(argv[i], "--verbose") == 0) verbose = true;
    else if (strcmp(argv[i], "--help") == 0) {
      usage(stdout);
      return 0;
    } else if (argv[i][0] != '-' && !dir) dir = argv[i];
    else {
      usage(stderr);
      return 2;
    }
  }
  if (!dir) {
    usage(stderr);
    return 2;
  }
  skip_list skips = {0};
  if (skip_path && !no_skip && load_skips(skip_path, &skips) != 0) {
    fprintf(stderr, "jsts-runner: cannot read %s\n", skip_path);
    return 2;
  }
  names files = {0};
  if (collect(dir, "", &files) != 0 || files.n == 0) {
    fprintf(stderr, "jsts-runner: no test files under %s\n", dir);
    return 2;
  }
  qsort(files.items, files.n, sizeof *files.items, cmp_str);
  totals t = {0};
  for (size_t i = 0; i < files.n; i++) {
    run_file(dir, files.items[i], &skips, verbose, &t);
    free(files.items[i]);
  }
  free(files.items);
  free(skips.items);
  printf("%zu passed, %zu failed, %zu skipped\n", t.pass, t.fail, t.skip);
  return t.fail ? 1 : 0;
}
