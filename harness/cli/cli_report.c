/* `whopconf report`: work with report.json files after a run.
 *
 *   whopconf report diff OLD.json NEW.json
 *       new failures, fixed ones, changed warnings; exit 1 when something
 *       regressed, 0 when not, 2 when a file is unreadable or not a report.
 *   whopconf report render REPORT.json [--report-dir DIR] [--format LIST] [--spec PATH]
 *       re-renders the formats from a report.json (default: every format,
 *       into the directory of REPORT.json).
 *   whopconf report merge A.json B.json ... [--report-dir DIR] [--format LIST] [--spec PATH] [--force]
 *       one report from the reports of several runs or fuzz shards of the same
 *       test, in every format; exit 0/1 by the merged verdict (3 when a report
 *       could not test), 2 when a file is unreadable or the reports differ. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_summary.h"
#include "whopconf/common.h"
#include "whopconf/json_strict.h"
#include "whopconf/report.h"
#include "whopconf/spec.h"

#define MAX_REPORT_BYTES ((size_t)512 * 1024 * 1024)

static void usage(FILE *out) {
  fputs("usage: whopconf report diff OLD.json NEW.json\n"
        "       whopconf report render REPORT.json [--report-dir DIR] [--format LIST] [--spec PATH]\n"
        "       whopconf report merge A.json B.json ... [--report-dir DIR] [--format LIST] [--spec PATH]\n"
        "                             [--force]\n"
        "\n"
        "diff    compares two report.json files: new failures, fixed requirements,\n"
        "        changed warnings, requirements no longer tested.\n"
        "        exit 1 when something regressed (a requirement fails that did not,\n"
        "        or the new run could not test), 0 otherwise, 2 on unreadable input.\n"
        "render  writes the formats again from a report.json (junit.xml, report.sarif,\n"
        "        summary.md, report.html, traffic.har, report.json).\n"
        "        --report-dir DIR  where to write (default: the directory of REPORT.json)\n"
        "        --format LIST     json,junit,sarif,md,html,har or all (default: all)\n"
        "        --spec PATH       the spec the run used, for SARIF lines and HTML excerpts\n"
        "                          (default: the embedded spec/openapi.yml)\n"
        "merge   one report from the report.json files of several runs or of the N shard\n"
        "        jobs of a `whopconf fuzz`, written in every format (as render). The reports\n"
        "        must share the spec, the pinned Api-Version-Date and the target; per\n"
        "        requirement the worst status wins, exchanges are renumbered r1-x1, r2-x1, ...\n"
        "        in an order that does not depend on the order of the arguments.\n"
        "        --report-dir DIR  where to write (default: reports)\n"
        "        --force           merge reports of different targets (recorded in the report)\n"
        "        exit 0 conformant, 1 not conformant, 3 a report could not test,\n"
        "        2 unreadable or incompatible reports.\n",
        out);
}

/* The report, or NULL after printing why. */
static cJSON *load_report(const char *path) {
  wc_err err;
  wc_err_clear(&err);
  size_t len = 0;
  char *text = wc_read_file(path, MAX_REPORT_BYTES, &len, &err);
  if (!text) {
    fprintf(stderr, "whopconf report: %s\n", err.msg);
    return NULL;
  }
  cJSON *doc = wc_json_parse(text, len, NULL, NULL, &err);
  free(text);
  if (!doc) {
    fprintf(stderr, "whopconf report: %s: not JSON: %s\n", path, err.msg);
    return NULL;
  }
  const cJSON *format = cJSON_GetObjectItemCaseSensitive(doc, "format");
  if (!cJSON_IsString(format) || strcmp(format->valuestring, "whopconf-report") != 0) {
    fprintf(stderr, "whopconf report: %s: not a whopconf report (no \"format\": \"whopconf-report\")\n", path);
    cJSON_Delete(doc);
    return NULL;
  }
  return doc;
}

static int diff(int argc, char **argv) {
  if (argc != 3) {
    usage(stderr);
    return WC_EXIT_USAGE;
  }
  cJSON *old_doc = load_report(argv[1]);
  cJSON *new_doc = old_doc ? load_report(argv[2]) : NULL;
  if (!old_doc || !new_doc) {
    cJSON_Delete(old_doc);
    return WC_EXIT_USAGE;
  }
  wc_buf out;
  wc_buf_init(&out);
  wc_err err;
  wc_err_clear(&err);
  int rc = wc_report_diff(old_doc, new_doc, &out, &err);
  cJSON_Delete(old_doc);
  cJSON_Delete(new_doc);
  if (rc < 0) {
    wc_buf_free(&out);
    fprintf(stderr, "whopconf report diff: %s\n", err.msg);
    return WC_EXIT_USAGE;
  }
  printf("whopconf report diff: %s -> %s\n", argv[1], argv[2]);
  fputs(out.data ? out.data : "", stdout);
  wc_buf_free(&out);
  return rc == 1 ? WC_EXIT_FAIL : WC_EXIT_OK;
}

static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return wc_strdup(".");
  if (slash == path) return wc_strdup("/");
  return wc_strndup(path, (size_t)(slash - path));
}

/* The spec to render with: NULL (lines from the document, no excerpts) when
 * it cannot be loaded or is not the one the run used. */
static wc_spec *render_spec(const char *path, const cJSON *doc) {
  wc_err err;
  wc_err_clear(&err);
  wc_spec *spec = path ? wc_spec_load_file(path, &err) : wc_spec_load_embedded(&err);
  if (!spec) {
    fprintf(stderr, "whopconf report render: warning: %s; using the line numbers of the report\n", err.msg);
    return NULL;
  }
  const cJSON *run = cJSON_GetObjectItemCaseSensitive(doc, "run");
  const cJSON *sha = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(run, "spec"), "sha256");
  if (cJSON_IsString(sha) && strcmp(sha->valuestring, wc_spec_sha256(spec)) != 0) {
    fprintf(stderr,
            "whopconf report render: warning: %s is not the spec this run used (sha256 differs); "
            "using the line numbers of the report, without spec excerpts (pass --spec)\n",
            wc_spec_name(spec));
    wc_spec_free(spec);
    return NULL;
  }
  return spec;
}

/* The options of render and merge, and their REPORT.json arguments. */
typedef struct write_opts {
  const char *dir, *format, *spec_path;
  bool force; /* merge only */
  const char **inputs;
  size_t ninputs;
} write_opts;

/* 0, or an exit code after printing why. */
static int parse_write_opts(const char *cmd, int argc, char **argv, bool merge, write_opts *o) {
  o->format = "all";
  o->inputs = calloc((size_t)argc, sizeof *o->inputs);
  if (!o->inputs) {
    fprintf(stderr, "whopconf report %s: out of memory\n", cmd);
    return WC_EXIT_UNTESTABLE;
  }
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char **target = strcmp(a, "--report-dir") == 0 ? &o->dir
                          : strcmp(a, "--format") == 0   ? &o->format
                          : strcmp(a, "--spec") == 0     ? &o->spec_path
                                                         : NULL;
    if (target) {
      if (i + 1 >= argc) {
        fprintf(stderr, "whopconf report %s: %s needs a value\n", cmd, a);
        return WC_EXIT_USAGE;
      }
      *target = argv[++i];
    } else if (merge && strcmp(a, "--force") == 0) {
      o->force = true;
    } else if (a[0] == '-' && a[1] != '\0') {
      fprintf(stderr, "whopconf report %s: unknown option %s\n", cmd, a);
      usage(stderr);
      return WC_EXIT_USAGE;
    } else if (o->ninputs == 0 || merge) {
      o->inputs[o->ninputs++] = a;
    } else {
      fprintf(stderr, "whopconf report %s: one REPORT.json only\n", cmd);
      return WC_EXIT_USAGE;
    }
  }
  if (o->ninputs == 0) {
    usage(stderr);
    return WC_EXIT_USAGE;
  }
  return 0;
}

/* Renders doc into dir; 0, or 2 after printing why. */
static int write_reports(const char *cmd, const cJSON *doc, const write_opts *o, const char *dir) {
  wc_err err;
  wc_err_clear(&err);
  int formats = wc_report_formats_parse(o->format, &err);
  if (formats < 0) {
    fprintf(stderr, "whopconf report %s: %s\n", cmd, err.msg);
    return WC_EXIT_USAGE;
  }
  wc_spec *spec = render_spec(o->spec_path, doc);
  int rc = wc_report_write(doc, spec, dir, formats, &err);
  wc_spec_free(spec);
  if (rc != 0) {
    fprintf(stderr, "whopconf report %s: %s\n", cmd, err.msg);
    return WC_EXIT_USAGE;
  }
  return 0;
}

static int render(int argc, char **argv) {
  write_opts o = {0};
  int rc = parse_write_opts("render", argc, argv, false, &o);
  cJSON *doc = rc ? NULL : load_report(o.inputs[0]);
  if (!rc && !doc) rc = WC_EXIT_USAGE;
  if (!rc) {
    char *default_dir = o.dir ? NULL : dir_of(o.inputs[0]);
    const char *dir = o.dir ? o.dir : default_dir;
    rc = write_reports("render", doc, &o, dir);
    if (rc == 0) fprintf(stderr, "whopconf report render: wrote reports into %s\n", dir);
    free(default_dir);
  }
  cJSON_Delete(doc);
  free(o.inputs);
  return rc;
}

/* The merged verdict in one line, like the summary of a run. */
static void print_merged(const cJSON *doc, size_t ninputs, const char *dir) {
  const cJSON *sum = cJSON_GetObjectItemCaseSensitive(doc, "summary");
  int code = (int)wc_json_num(sum, "exit_code", 0);
  printf("whopconf report merge: %s (exit %d): %zu reports, %d exchanges; %.0f requirements: %.0f passed, "
         "%.0f failed, %.0f warnings, %.0f skipped\n",
         code == 0 ? "CONFORMANT" : code == 1 ? "NOT CONFORMANT" : "COULD NOT TEST", code, ninputs,
         cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "exchanges")), wc_json_num(sum, "total", 0),
         wc_json_num(sum, "passed", 0), wc_json_num(sum, "failed", 0), wc_json_num(sum, "warnings", 0),
         wc_json_num(sum, "skipped", 0));
  if (code == 3) printf("  reason: %s\n", wc_json_str(sum, "reason", ""));
  wc_cli_print_group(cJSON_GetObjectItemCaseSensitive(doc, "requirements"), "fail", "failed");
  printf("  reports: %s/\n", dir);
}

static int merge(int argc, char **argv) {
  write_opts o = {0};
  int rc = parse_write_opts("merge", argc, argv, true, &o);
  cJSON **docs = rc ? NULL : calloc(o.ninputs, sizeof *docs);
  if (!rc && !docs) rc = WC_EXIT_UNTESTABLE;
  for (size_t i = 0; !rc && i < o.ninputs; i++)
    if (!(docs[i] = load_report(o.inputs[i]))) rc = WC_EXIT_USAGE;
  cJSON *merged = NULL;
  int verdict = WC_EXIT_OK;
  if (!rc) {
    wc_err err;
    wc_err_clear(&err);
    merged = wc_report_merge((const cJSON *const *)docs, o.inputs, o.ninputs, o.force, &verdict, &err);
    if (!merged) {
      fprintf(stderr, "whopconf report merge: %s\n", err.msg);
      rc = err.code == WC_E_NOMEM ? WC_EXIT_UNTESTABLE : WC_EXIT_USAGE;
    }
  }
  const char *dir = o.dir ? o.dir : "reports";
  if (!rc) rc = write_reports("merge", merged, &o, dir);
  if (!rc) {
    print_merged(merged, o.ninputs, dir);
    rc = verdict;
  }
  cJSON_Delete(merged);
  for (size_t i = 0; docs && i < o.ninputs; i++) cJSON_Delete(docs[i]);
  free(docs);
  free(o.inputs);
  return rc;
}

int wc_cli_report(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return WC_EXIT_USAGE;
  }
  const char *sub = argv[1];
  if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
    usage(stdout);
    return WC_EXIT_OK;
  }
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      usage(stdout);
      return WC_EXIT_OK;
    }
  }
  if (strcmp(sub, "diff") == 0) return diff(argc - 1, argv + 1);
  if (strcmp(sub, "render") == 0) return render(argc - 1, argv + 1);
  if (strcmp(sub, "merge") == 0) return merge(argc - 1, argv + 1);
  fprintf(stderr, "whopconf report: unknown subcommand '%s'\n", sub);
  usage(stderr);
  return WC_EXIT_USAGE;
}
