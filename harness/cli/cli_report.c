/* `whopconf report`: work with report.json files after a run.
 *
 *   whopconf report diff OLD.json NEW.json
 *       new failures, fixed ones, changed warnings; exit 1 when something
 *       regressed, 0 when not, 2 when a file is unreadable or not a report.
 *   whopconf report render REPORT.json [--report-dir DIR] [--format LIST] [--spec PATH]
 *       re-renders the formats from a report.json (default: every format,
 *       into the directory of REPORT.json). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "whopconf/common.h"
#include "whopconf/json_strict.h"
#include "whopconf/report.h"
#include "whopconf/spec.h"

#define MAX_REPORT_BYTES ((size_t)512 * 1024 * 1024)

static void usage(FILE *out) {
  fputs("usage: whopconf report diff OLD.json NEW.json\n"
        "       whopconf report render REPORT.json [--report-dir DIR] [--format LIST] [--spec PATH]\n"
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
        "                          (default: the embedded spec/openapi.yml)\n",
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

static int render(int argc, char **argv) {
  const char *input = NULL, *dir = NULL, *format = "all", *spec_path = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char **target = strcmp(a, "--report-dir") == 0 ? &dir
                          : strcmp(a, "--format") == 0   ? &format
                          : strcmp(a, "--spec") == 0     ? &spec_path
                                                         : NULL;
    if (target) {
      if (i + 1 >= argc) {
        fprintf(stderr, "whopconf report render: %s needs a value\n", a);
        return WC_EXIT_USAGE;
      }
      *target = argv[++i];
    } else if (a[0] == '-' && a[1] != '\0') {
      fprintf(stderr, "whopconf report render: unknown option %s\n", a);
      usage(stderr);
      return WC_EXIT_USAGE;
    } else if (!input) {
      input = a;
    } else {
      fprintf(stderr, "whopconf report render: one REPORT.json only\n");
      return WC_EXIT_USAGE;
    }
  }
  if (!input) {
    usage(stderr);
    return WC_EXIT_USAGE;
  }
  wc_err err;
  wc_err_clear(&err);
  int formats = wc_report_formats_parse(format, &err);
  if (formats < 0) {
    fprintf(stderr, "whopconf report render: %s\n", err.msg);
    return WC_EXIT_USAGE;
  }
  cJSON *doc = load_report(input);
  if (!doc) return WC_EXIT_USAGE;
  char *default_dir = dir ? NULL : dir_of(input);
  wc_spec *spec = render_spec(spec_path, doc);
  int rc = wc_report_write(doc, spec, dir ? dir : default_dir, formats, &err);
  if (rc != 0) fprintf(stderr, "whopconf report render: %s\n", err.msg);
  else fprintf(stderr, "whopconf report render: wrote reports into %s\n", dir ? dir : default_dir);
  wc_spec_free(spec);
  free(default_dir);
  cJSON_Delete(doc);
  return rc == 0 ? WC_EXIT_OK : WC_EXIT_USAGE;
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
  fprintf(stderr, "whopconf report: unknown subcommand '%s'\n", sub);
  usage(stderr);
  return WC_EXIT_USAGE;
}
