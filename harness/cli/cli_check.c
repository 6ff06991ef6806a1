/* whopconf check: judges recorded traffic (HAR 1.2, whopconf's NDJSON log).
 *
 * Every file is read entry by entry; the reports are written only once all
 * of them were read, so a malformed file (exit 2) leaves no report behind,
 * and each report file is itself written to a temporary name and renamed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "whopconf/json_arena.h"
#include "whopconf/report.h"
#include "whopconf/traffic.h"

#define MAX_FILES 64

typedef struct check_opts {
  const char *files[MAX_FILES];
  size_t file_count;
  const char *spec_path, *report_dir;
  int formats;
  bool strict;
  size_t max_entry;
  wc_judge_opts judge;
  const char *known[WC_TRAFFIC_MAX_VERSIONS];
} check_opts;

static void usage(FILE *out) {
  fputs("usage: whopconf check [options] FILE...\n"
        "\n"
        "Judges recorded traffic: every PATCH <base>/users/me exchange in each FILE (HAR 1.2\n"
        "from browser devtools, mitmproxy or whopconf; or whopconf's NDJSON exchange log;\n"
        "\"-\" reads standard input) on both sides: the request against the contract (a client\n"
        "bug) and the response with the checks of `whopconf run`, for the version the request\n"
        "asked for. Other exchanges are counted, not judged. Files are streamed.\n"
        "\n"
        "  --base-path P          where the API lives (default /api/v1; \"/\" for the root)\n"
        "  --api-version V        the version whose responses the User schema judges (default: newest known)\n"
        "  --known-version V      a supported version (repeatable; default: the public list)\n"
        "  --spec FILE            the contract (default: the embedded spec/openapi.yml)\n"
        "  --report-dir DIR       where reports go (default reports)\n"
        "  --format LIST          json,junit,sarif,md,html,har or all (default all)\n"
        "  --strict               SHOULD failures fail too\n"
        "  --max-response-time MS judge WC-TR-004 against this budget\n"
        "  --max-entry BYTES      largest entry read (default 16 MiB; larger ones are counted, not judged)\n"
        "\n"
        "Exit status: 0 every judged exchange conformed, 1 one did not, 2 usage error, unusable\n"
        "spec or a malformed or unreadable file (one line with the byte offset).\n",
        out);
}

static int parse_size(const char *text, size_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(text, &end, 10);
  if (errno || end == text || *end || v == 0) return -1;
  *out = (size_t)v;
  return 0;
}

/* 0, or the exit code (usage printed or error said). */
static int parse_args(int argc, char **argv, check_opts *o) {
  memset(o, 0, sizeof *o);
  o->report_dir = "reports";
  o->formats = WC_REPORT_ALL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    bool has_value = i + 1 < argc;
    wc_err err;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return -1;
    } else if (strcmp(a, "--base-path") == 0 && has_value) {
      o->judge.base_path = argv[++i];
    } else if (strcmp(a, "--api-version") == 0 && has_value) {
      o->judge.api_version = argv[++i];
    } else if (strcmp(a, "--known-version") == 0 && has_value) {
      if (o->judge.known_count == WC_TRAFFIC_MAX_VERSIONS) {
        fprintf(stderr, "whopconf check: at most %d --known-version\n", WC_TRAFFIC_MAX_VERSIONS);
        return WC_EXIT_USAGE;
      }
      o->known[o->judge.known_count++] = argv[++i];
    } else if (strcmp(a, "--spec") == 0 && has_value) {
      o->spec_path = argv[++i];
    } else if (strcmp(a, "--report-dir") == 0 && has_value) {
      o->report_dir = argv[++i];
    } else if (strcmp(a, "--format") == 0 && has_value) {
      o->formats = wc_report_formats_parse(argv[++i], &err);
      if (o->formats < 0) {
        fprintf(stderr, "whopconf check: --format: %s\n", err.msg);
        return WC_EXIT_USAGE;
      }
    } else if (strcmp(a, "--strict") == 0) {
      o->strict = true;
    } else if (strcmp(a, "--max-response-time") == 0 && has_value) {
      size_t ms;
      if (parse_size(argv[++i], &ms) != 0) {
        fprintf(stderr, "whopconf check: --max-response-time: expected milliseconds, got '%s'\n", argv[i]);
        return WC_EXIT_USAGE;
      }
      o->judge.max_response_ms = (double)ms;
    } else if (strcmp(a, "--max-entry") == 0 && has_value) {
      if (parse_size(argv[++i], &o->max_entry) != 0) {
        fprintf(stderr, "whopconf check: --max-entry: expected bytes, got '%s'\n", argv[i]);
        return WC_EXIT_USAGE;
      }
    } else if (a[0] == '-' && a[1] != '\0') {
      fprintf(stderr, "whopconf check: unknown option or missing value: %s (try --help)\n", a);
      return WC_EXIT_USAGE;
    } else if (o->file_count == MAX_FILES) {
      fprintf(stderr, "whopconf check: at most %d files\n", MAX_FILES);
      return WC_EXIT_USAGE;
    } else {
      o->files[o->file_count++] = a;
    }
  }
  if (o->file_count == 0) {
    fprintf(stderr, "whopconf check: no FILE given (try --help)\n");
    return WC_EXIT_USAGE;
  }
  o->judge.known_versions = o->known;
  return 0;
}

/* Every entry of one file into the tally. 0, or -1 (err set). */
static int check_file(const char *path, wc_tally *tally, size_t max_entry, wc_err *err) {
  bool stdin_input = strcmp(path, "-") == 0;
  FILE *f = stdin_input ? stdin : fopen(path, "rb");
  if (!f) {
    wc_err_set(err, WC_E_IO, "%s: %s", path, strerror(errno));
    return -1;
  }
  wc_capture_opts copts = {.max_entry = max_entry};
  wc_capture *cap = wc_capture_open(f, stdin_input ? "(standard input)" : path, &copts, err);
  int rc = cap ? 0 : -1;
  wc_capture_entry e;
  char source[300];
  while (rc == 0) {
    int got = wc_capture_next(cap, &e, err);
    if (got <= 0) {
      rc = got;
      break;
    }
    snprintf(source, sizeof source, "%s entry %zu", stdin_input ? "stdin" : path, e.index);
    if (!e.readable) {
      wc_tally_unreadable(tally, source, e.note);
      continue;
    }
    wc_verdict v;
    if (wc_tally_add(tally, &e.exchange, source, &v) != 0) {
      wc_err_set(err, WC_E_NOMEM, "out of memory");
      rc = -1;
    } else if (v.judged && e.note[0]) {
      wc_tally_unreadable(tally, source, e.note); /* judged, with what the capture left out noted */
    }
  }
  wc_capture_free(cap);
  if (!stdin_input) fclose(f);
  return rc;
}

static void print_summary(const cJSON *report, const char *dir, int formats) {
  const cJSON *sum = cJSON_GetObjectItemCaseSensitive(report, "summary");
  const cJSON *traffic = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(report, "run"), "traffic");
  int code = (int)wc_json_num(sum, "exit_code", 0);
  printf("whopconf check: %s (exit %d): %.0f exchanges, %.0f judged (%.0f conformant, %.0f with request "
         "violations, %.0f with response violations, %.0f without a response), %.0f other, %.0f unreadable\n",
         code == 0 ? "CONFORMANT" : "NOT CONFORMANT", code, wc_json_num(traffic, "exchanges", 0), wc_json_num(traffic, "judged", 0),
         wc_json_num(traffic, "conformant", 0), wc_json_num(traffic, "request_violations", 0), wc_json_num(traffic, "response_violations", 0),
         wc_json_num(traffic, "no_response", 0), wc_json_num(traffic, "other", 0), wc_json_num(traffic, "unreadable", 0));
  printf("  %.0f requirements: %.0f passed, %.0f failed, %.0f warnings, %.0f skipped\n", wc_json_num(sum, "total", 0),
         wc_json_num(sum, "passed", 0), wc_json_num(sum, "failed", 0), wc_json_num(sum, "warnings", 0), wc_json_num(sum, "skipped", 0));
  const cJSON *r;
  cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(report, "requirements")) {
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "status"));
    if (!status || (strcmp(status, "fail") != 0 && strcmp(status, "warn") != 0)) continue;
    printf("    %-10s %-4s %.300s\n", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "id")), status,
           cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "reason")));
  }
  if (wc_json_num(traffic, "judged", 0) == 0) printf("  note: no PATCH .../users/me exchange under the base path was found\n");
  static const struct {
    int bit;
    const char *file;
  } files[] = {{WC_REPORT_JSON, "report.json"}, {WC_REPORT_JUNIT, "junit.xml"}, {WC_REPORT_SARIF, "report.sarif"},
               {WC_REPORT_MD, "summary.md"},    {WC_REPORT_HTML, "report.html"}, {WC_REPORT_HAR, "traffic.har"}};
  printf("  reports:");
  const char *sep = "";
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    if (!(formats & files[i].bit)) continue;
    printf("%s %s/%s", sep, dir, files[i].file);
    sep = ",";
  }
  printf("\n");
}

int wc_cli_check(int argc, char **argv) {
  check_opts o;
  int rc = parse_args(argc, argv, &o);
  if (rc != 0) return rc < 0 ? WC_EXIT_OK : rc;
  wc_json_arena_install(); /* before anything parses: the judge's bodies come from the arena */
  wc_err err;
  wc_err_clear(&err);
  wc_spec *spec = o.spec_path ? wc_spec_load_file(o.spec_path, &err) : wc_spec_load_embedded(&err);
  wc_judge *judge = spec ? wc_judge_new(spec, &o.judge, &err) : NULL;
  if (!judge) {
    fprintf(stderr, "whopconf check: spec: %s\n", err.msg);
    wc_spec_free(spec);
    return WC_EXIT_USAGE;
  }
  wc_buf target;
  wc_buf_init(&target);
  for (size_t i = 0; i < o.file_count; i++) wc_buf_printf(&target, "%s%s", i ? " " : "", o.files[i]);
  wc_tally_info info = {.command = "check", .target = target.data, .spec = spec, .strict = o.strict};
  wc_tally *tally = wc_tally_new(judge, &info, &err);
  int code = tally ? WC_EXIT_OK : WC_EXIT_USAGE;
  for (size_t i = 0; tally && i < o.file_count && code == WC_EXIT_OK; i++)
    if (check_file(o.files[i], tally, o.max_entry, &err) != 0) code = WC_EXIT_USAGE;
  cJSON *report = code == WC_EXIT_OK ? wc_tally_report(tally, &code, &err) : NULL;
  if (report && wc_report_write(report, spec, o.report_dir, o.formats, &err) != 0) {
    fprintf(stderr, "whopconf check: cannot write the reports: %s\n", err.msg);
    code = WC_EXIT_USAGE;
  } else if (report) {
    print_summary(report, o.report_dir, o.formats);
  } else {
    fprintf(stderr, "whopconf check: %s\n", err.msg);
    code = WC_EXIT_USAGE;
  }
  cJSON_Delete(report);
  wc_tally_free(tally);
  wc_buf_free(&target);
  wc_judge_free(judge);
  wc_spec_free(spec);
  return code;
}
