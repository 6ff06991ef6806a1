/* whopconf run: the conformance gate. Options, the embedded server, the run
 * (setup, cases, teardown), the reports and the summary. See docs/run.md. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_run.h"
#include "whopconf/catalog.h"
#include "whopconf/refserver.h"
#include "whopconf/report.h"
#include "whopconf/spec.h"
#include "whopconf/versions.h"

/* The embedded server's accounts, so the isolation check runs by default. */
#define EMBEDDED_ACCOUNT_A "biz_whopconf_a"
#define EMBEDDED_ACCOUNT_B "biz_whopconf_b"
#define EMBEDDED_PICTURE_ID "file_whopconf_picture"

static void usage(FILE *out) {
  fputs(
      "usage: whopconf run [options]\n"
      "\n"
      "Runs the conformance cases for PATCH /users/me against --base-url (default: the embedded\n"
      "reference server, started on 127.0.0.1 for the run) and writes the reports.\n"
      "\n"
      "target and credentials (each credential also from its environment variable):\n"
      "  --base-url URL            e.g. https://staging.example.com/api/v1\n"
      "  --token T                 user token with user:profile:update      (WHOPCONF_TOKEN)\n"
      "  --api-key K               API key                                   (WHOPCONF_API_KEY)\n"
      "  --token-without-scope T   user token without user:profile:update    (WHOPCONF_TOKEN_WITHOUT_SCOPE)\n"
      "  --account-id ID           an account of the token's user (repeatable; two enable the\n"
      "                            isolation check)\n"
      "  --allow-writes            run the cases that change the profile (implied for the embedded\n"
      "                            server); name, bio and username are restored at the end\n"
      "  --allow-picture-writes    also set profile_picture (cannot be restored; needs --picture-id)\n"
      "  --picture-id ID           the id of an uploaded file for that case\n"
      "\n"
      "contract:\n"
      "  --api-version DATE        version pinned for the latest-shape checks (default: newest known)\n"
      "  --known-version DATE      a known Api-Version-Date (repeatable; default the public list\n"
      "                            " WC_DEFAULT_VERSIONS_TEXT ")\n"
      "  --spec FILE               OpenAPI document (default: the embedded spec/openapi.yml)\n"
      "\n"
      "run:\n"
      "  --only ID                 only this requirement id or case name (repeatable)\n"
      "  --strict                  SHOULD failures fail the run too\n"
      "  --seed N                  seed for generated values (default 1); same seed, same requests\n"
      "  -j, --jobs N              cases run in parallel (default: the number of cores)\n"
      "  --keep-going              do not stop at the first transport failure\n"
      "  --report-dir DIR          where the reports go (default reports/)\n"
      "  --format LIST             json,junit,sarif,md,html,har or all (default all)\n"
      "  --list-requirements       print the requirement catalogue and exit\n"
      "  --list-cases              print the cases and the requirements each one checks, and exit\n"
      "\n"
      "transport:\n"
      "  --timeout SECONDS         whole-request timeout (default 15)\n"
      "  --connect-timeout SECONDS connect timeout (default min(5, --timeout))\n"
      "  --max-response-time MS    response-time budget, checked as WC-TR-004 (default: none)\n"
      "  --max-body BYTES          largest response body read (default 8388608)\n"
      "  --cacert FILE             private CA bundle\n"
      "  --insecure                skip TLS verification (reported as weakening the run)\n"
      "  --allow-http              allow http:// to a non-loopback host\n"
      "  --rate N                  requests per second (default: 5 to remote hosts, none on loopback)\n"
      "  --retries N               retries on 429/503 (default 2)\n"
      "\n"
      "exit codes: 0 conformant (warnings allowed), 1 non-conformant, 2 usage or spec error,\n"
      "            3 could not test (unreachable, TLS, timeouts, credentials refused)\n",
      out);
}

static int bad(const char *fmt, const char *a, const char *b) {
  fputs("whopconf run: ", stderr);
  fprintf(stderr, fmt, a ? a : "", b ? b : "");
  fputs(" (try whopconf run --help)\n", stderr);
  return WC_EXIT_USAGE;
}

/* "--flag=value" or "--flag value"; *matched tells whether argv[*i] is --flag. */
static const char *flag_value(int argc, char **argv, int *i, const char *flag, bool *matched) {
  size_t n = strlen(flag);
  *matched = false;
  if (strncmp(argv[*i], flag, n) != 0) return NULL;
  if (argv[*i][n] == '=') {
    *matched = true;
    return argv[*i] + n + 1;
  }
  if (argv[*i][n] != '\0') return NULL;
  *matched = true;
  return *i + 1 < argc ? argv[++*i] : NULL;
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out) {
  if (!s || !*s || *s == '-' || *s == '+') return false;
  errno = 0;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v > max) return false;
  *out = v;
  return true;
}

static bool parse_double(const char *s, double min, double max, double *out) {
  if (!s || !*s) return false;
  errno = 0;
  char *end;
  double v = strtod(s, &end);
  if (errno || *end || !isfinite(v) || v < min || v > max) return false;
  *out = v;
  return true;
}

/* A credential or id goes into a header or a URL: visible ASCII only. */
static bool clean_value(const char *s) {
  if (!s || !*s) return false;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p <= 0x20 || *p >= 0x7f) return false;
  return true;
}

typedef struct cli_state {
  wc_run_opts run;
  int formats;
  bool list_requirements, list_cases, help;
  const char *format_list;
  wc_cli_exec_opts exec;
  bool connect_timeout_given;
} cli_state;

static int add_list(const char **list, size_t *count, const char *flag, const char *v) {
  if (*count == WC_RUN_MAX_LIST) return bad("%s given too many times", flag, NULL);
  list[(*count)++] = v;
  return 0;
}

static int parse(int argc, char **argv, cli_state *st) {
  wc_run_opts *o = &st->run;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v;
    bool m;
    uint64_t n;
    double d;
#define FLAG(name) (((v = flag_value(argc, argv, &i, name, &m)) != NULL) || m)
#define NEED(name)                                          \
  if (!v || !*v) return bad("%s needs a value", name, NULL)
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      st->help = true;
    } else if (strcmp(a, "--list-requirements") == 0) {
      st->list_requirements = true;
    } else if (strcmp(a, "--list-cases") == 0) {
      st->list_cases = true;
    } else if (strcmp(a, "--allow-writes") == 0) {
      o->allow_writes = true;
    } else if (strcmp(a, "--allow-picture-writes") == 0) {
      o->allow_picture_writes = true;
    } else if (strcmp(a, "--strict") == 0) {
      o->strict = true;
    } else if (strcmp(a, "--keep-going") == 0) {
      o->keep_going = true;
    } else if (strcmp(a, "--insecure") == 0) {
      o->insecure = true;
    } else if (strcmp(a, "--allow-http") == 0) {
      o->allow_http = true;
    } else if (FLAG("--base-url")) {
      NEED("--base-url");
      o->base_url = v;
    } else if (FLAG("--token")) {
      if (!clean_value(v)) return bad("--token needs a token of visible ASCII characters", NULL, NULL);
      o->token = v;
    } else if (FLAG("--api-key")) {
      if (!clean_value(v)) return bad("--api-key needs a key of visible ASCII characters", NULL, NULL);
      o->api_key = v;
    } else if (FLAG("--token-without-scope")) {
      if (!clean_value(v))
        return bad("--token-without-scope needs a token of visible ASCII characters", NULL, NULL);
      o->token_without_scope = v;
    } else if (FLAG("--account-id")) {
      if (!clean_value(v)) return bad("--account-id needs an id of visible ASCII characters", NULL, NULL);
      if (add_list(o->account_ids, &o->account_count, "--account-id", v)) return WC_EXIT_USAGE;
    } else if (FLAG("--picture-id")) {
      if (!clean_value(v)) return bad("--picture-id needs an id of visible ASCII characters", NULL, NULL);
      o->picture_id = v;
    } else if (FLAG("--api-version")) {
      if (!wc_version_well_formed(v)) return bad("--api-version needs a date (YYYY-MM-DD, optionally -suffix), got '%s'", v, NULL);
      o->api_version = v;
    } else if (FLAG("--known-version")) {
      if (!wc_version_well_formed(v)) return bad("--known-version needs a date (YYYY-MM-DD, optionally -suffix), got '%s'", v, NULL);
      if (add_list(o->known_versions, &o->known_count, "--known-version", v)) return WC_EXIT_USAGE;
    } else if (FLAG("--spec")) {
      NEED("--spec");
      o->spec_path = v;
    } else if (FLAG("--report-dir")) {
      NEED("--report-dir");
      o->report_dir = v;
    } else if (FLAG("--format")) {
      NEED("--format");
      st->format_list = v;
    } else if (FLAG("--only")) {
      NEED("--only");
      if (add_list(o->only, &o->only_count, "--only", v)) return WC_EXIT_USAGE;
    } else if (FLAG("--seed")) {
      if (!parse_u64(v, (1ULL << 53) - 1, &n)) return bad("--seed needs a number from 0 to 2^53-1, got '%s'", v, NULL);
      o->seed = n;
    } else if (FLAG("-j") || FLAG("--jobs")) {
      if (!parse_u64(v, 64, &n) || n == 0) return bad("--jobs needs a number from 1 to 64, got '%s'", v, NULL);
      st->exec.jobs = (int)n;
    } else if (FLAG("--timeout")) {
      if (!parse_double(v, 0.001, 3600, &d)) return bad("--timeout needs seconds (0.001 to 3600), got '%s'", v, NULL);
      o->timeout_ms = (long)ceil(d * 1000.0);
    } else if (FLAG("--connect-timeout")) {
      if (!parse_double(v, 0.001, 3600, &d))
        return bad("--connect-timeout needs seconds (0.001 to 3600), got '%s'", v, NULL);
      o->connect_timeout_ms = (long)ceil(d * 1000.0);
      st->connect_timeout_given = true;
    } else if (FLAG("--max-response-time")) {
      if (!parse_double(v, 1, 3600000, &d))
        return bad("--max-response-time needs milliseconds (1 to 3600000), got '%s'", v, NULL);
      o->max_response_ms = d;
    } else if (FLAG("--max-body")) {
      if (!parse_u64(v, 1ULL << 32, &n) || n < 1024)
        return bad("--max-body needs a number of bytes from 1024 to 4294967296, got '%s'", v, NULL);
      o->max_body = (size_t)n;
    } else if (FLAG("--cacert")) {
      NEED("--cacert");
      if (access(v, R_OK) != 0) return bad("--cacert %s: cannot read it", v, NULL);
      o->cacert = v;
    } else if (FLAG("--rate")) {
      if (!parse_double(v, 0, 10000, &d)) return bad("--rate needs requests per second (0 to 10000), got '%s'", v, NULL);
      o->rate = d;
    } else if (FLAG("--retries")) {
      if (!parse_u64(v, 10, &n)) return bad("--retries needs a number from 0 to 10, got '%s'", v, NULL);
      o->retries = (int)n;
    } else if (a[0] == '-') {
      return bad("unknown option '%s'", a, NULL);
    } else {
      return bad("unexpected argument '%s'", a, NULL);
    }
#undef FLAG
#undef NEED
  }
  return 0;
}

static void list_requirements(void) {
  printf("%-10s %-6s %-11s %-28s %s\n", "id", "level", "family", "schemathesis", "title");
  for (size_t i = 0; i < wc_catalog_count(); i++) {
    const wc_requirement *r = wc_catalog_get(i);
    printf("%-10s %-6s %-11s %-28s %s\n", r->id, wc_level_name(r->level), r->family,
           r->schemathesis ? r->schemathesis : "-", r->title);
  }
}

static const char *env_or(const char *given, const char *name) {
  if (given) return given;
  const char *v = getenv(name);
  return v && *v ? v : NULL;
}

/* ---- the summary ------------------------------------------------------------ */

static void print_group(const cJSON *reqs, const char *status, const char *title) {
  bool header = false;
  const cJSON *r;
  cJSON_ArrayForEach(r, reqs) {
    if (strcmp(wc_json_str(r, "status", ""), status) != 0) continue;
    if (!header) printf("  %s:\n", title);
    header = true;
    printf("    %-10s %-6s %s\n", wc_json_str(r, "id", ""), wc_json_str(r, "level", ""), wc_json_str(r, "title", ""));
    printf("               %.300s\n", wc_json_str(r, "reason", ""));
  }
}

static void print_summary(const cJSON *report, wc_run *run, size_t cases, const char *dir, int formats,
                          bool written) {
  const cJSON *sum = cJSON_GetObjectItemCaseSensitive(report, "summary");
  const cJSON *run_obj = cJSON_GetObjectItemCaseSensitive(report, "run");
  const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(report, "requirements");
  int code = (int)wc_json_num(sum, "exit_code", 0);
  const char *verdict = code == 0 ? "CONFORMANT" : code == 1 ? "NOT CONFORMANT" : "COULD NOT TEST";
  printf("whopconf run: %s (exit %d) against %s\n", verdict, code,
         wc_json_str(cJSON_GetObjectItemCaseSensitive(run_obj, "target"), "base_url", ""));
  if (code == 3) printf("  reason: %s\n", wc_json_str(sum, "reason", ""));
  printf("  %.0f requirements: %.0f passed, %.0f failed, %.0f warnings, %.0f skipped; %zu cases, %d "
         "exchanges in %.2f s\n",
         wc_json_num(sum, "total", 0), wc_json_num(sum, "passed", 0), wc_json_num(sum, "failed", 0), wc_json_num(sum, "warnings", 0),
         wc_json_num(sum, "skipped", 0), cases, cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(report, "exchanges")),
         wc_json_num(run_obj, "duration_ms", 0) / 1000.0);
  print_group(reqs, "fail", "failed");
  print_group(reqs, "warn", "warnings");
  const char *names[3];
  double ms[3];
  size_t n = wc_run_slowest(run, names, ms, 3);
  if (n) {
    printf("  slowest cases:");
    for (size_t i = 0; i < n; i++) printf("%s %s %.0f ms", i ? "," : "", names[i], ms[i]);
    printf("\n");
  }
  if (written) {
    static const struct {
      int bit;
      const char *file;
    } files[] = {{WC_REPORT_JSON, "report.json"}, {WC_REPORT_JUNIT, "junit.xml"},
                 {WC_REPORT_SARIF, "report.sarif"}, {WC_REPORT_MD, "summary.md"},
                 {WC_REPORT_HTML, "report.html"}, {WC_REPORT_HAR, "traffic.har"}};
    printf("  reports:");
    bool first = true;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
      if (!(formats & files[i].bit)) continue;
      printf("%s %s/%s", first ? "" : ",", dir, files[i].file);
      first = false;
    }
    printf("\n");
  }
}

/* ---- the run -------------------------------------------------------------------- */

static FILE *progress_stream(void) {
  /* Criterion points stderr at /dev/null while the cases run (quiet mode);
   * progress lines need the real one. */
  int fd = dup(STDERR_FILENO);
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (!f) {
    if (fd >= 0) close(fd);
    return stderr;
  }
  setvbuf(f, NULL, _IOLBF, 0);
  return f;
}

int wc_cli_run_worker(int argc, char **argv) {
  (void)argc;
  (void)argv;
  if (!getenv("BXFI_MAP")) return -1;
  /* BoxFort replaces main() in its workers: reaching it here means it could
   * not, and running the CLI would start a run inside a worker. */
  fputs("whopconf: internal error: a Criterion worker reached main()\n", stderr);
  return WC_EXIT_UNTESTABLE;
}

int wc_cli_run(int argc, char **argv) {
  /* Output piped into `head` must not kill the run before it restores the
   * profile and removes its directory: a closed pipe becomes EPIPE. */
  signal(SIGPIPE, SIG_IGN);
  cli_state st;
  memset(&st, 0, sizeof st);
  wc_run_opts_default(&st.run);
  int rc = parse(argc, argv, &st);
  if (rc) return rc;
  if (st.help) {
    usage(stdout);
    return WC_EXIT_OK;
  }
  if (st.list_requirements) {
    list_requirements();
    return WC_EXIT_OK;
  }
  wc_run_opts *o = &st.run;
  wc_err err;
  wc_err_clear(&err);
  st.formats = wc_report_formats_parse(st.format_list ? st.format_list : "all", &err);
  if (st.formats < 0) return bad("%s", err.msg, NULL);
  if (!st.connect_timeout_given)
    o->connect_timeout_ms = o->timeout_ms < WC_DEFAULT_CONNECT_TIMEOUT_MS ? o->timeout_ms : WC_DEFAULT_CONNECT_TIMEOUT_MS;
  if (o->connect_timeout_ms > o->timeout_ms) o->connect_timeout_ms = o->timeout_ms;

  /* The pinned version must be one the run considers known; by default the newest. */
  size_t known_count = o->known_count;
  const char *const *known = wc_versions_or_default(o->known_versions, &known_count);
  if (o->api_version && !wc_version_listed(known, known_count, o->api_version))
    return bad("--api-version %s is not a known version (add --known-version %s)", o->api_version, o->api_version);
  if (!o->api_version) o->api_version = wc_version_newest(known, known_count);
  if (o->allow_picture_writes && !o->base_url && !o->picture_id) o->picture_id = EMBEDDED_PICTURE_ID;

  struct criterion_test_set *set = wc_cli_cases_load();
  if (st.list_cases) {
    wc_cli_cases_list(set, stdout);
    wc_cli_cases_free(set);
    return WC_EXIT_OK;
  }
  if (!wc_cli_cases_check_only(set, o)) {
    wc_cli_cases_free(set);
    return WC_EXIT_USAGE;
  }

  wc_spec *spec = o->spec_path ? wc_spec_load_file(o->spec_path, &err) : wc_spec_load_embedded(&err);
  if (!spec) {
    fprintf(stderr, "whopconf run: spec: %s\n", err.msg);
    wc_cli_cases_free(set);
    return WC_EXIT_USAGE;
  }

  /* Credentials: flags, else the environment; the embedded server's own
   * defaults when it is the target. */
  wc_refserver *srv = NULL;
  o->token = env_or(o->token, WC_ENV_TOKEN);
  o->api_key = env_or(o->api_key, WC_ENV_API_KEY);
  o->token_without_scope = env_or(o->token_without_scope, WC_ENV_TOKEN_WITHOUT_SCOPE);
  if (!o->base_url) {
    wc_refserver_opts so;
    wc_refserver_opts_default(&so);
    so.host = "127.0.0.1";
    so.port = 0;
    if (o->known_count) {
      so.known_versions = o->known_versions;
      so.known_version_count = o->known_count;
    }
    srv = wc_refserver_start(&so, &err);
    if (!srv) {
      fprintf(stderr, "whopconf run: could not start the embedded server: %s\n", err.msg);
      wc_spec_free(spec);
      wc_cli_cases_free(set);
      return WC_EXIT_UNTESTABLE;
    }
    o->base_url = wc_refserver_base_url(srv);
    o->embedded = true;
    o->allow_writes = true;
    o->token = WC_REFSERVER_DEFAULT_USER_TOKEN;
    o->api_key = WC_REFSERVER_DEFAULT_API_KEY;
    o->token_without_scope = WC_REFSERVER_DEFAULT_TOKEN_WITHOUT_SCOPE;
    if (o->account_count == 0) {
      o->account_ids[o->account_count++] = EMBEDDED_ACCOUNT_A;
      o->account_ids[o->account_count++] = EMBEDDED_ACCOUNT_B;
    }
  } else {
    char *joined = wc_url_join(o->base_url, "/users/me", &err);
    if (!joined) {
      fprintf(stderr, "whopconf run: --base-url: %s\n", err.msg);
      wc_spec_free(spec);
      wc_cli_cases_free(set);
      return WC_EXIT_USAGE;
    }
    free(joined);
    if (strncmp(o->base_url, "http://", 7) == 0 && !wc_url_is_loopback(o->base_url) && !o->allow_http) {
      fprintf(stderr, "whopconf run: --base-url is plain http:// to a non-loopback host: "
                      "credentials would travel in clear; use https:// or --allow-http\n");
      wc_spec_free(spec);
      wc_cli_cases_free(set);
      return WC_EXIT_USAGE;
    }
  }
  /* Per-case safety net: a case sends at most ~16 requests, each bounded by
   * --timeout (the first transport failure stops the rest). */
  st.exec.test_timeout_s = (double)o->timeout_ms / 1000.0 * (o->keep_going ? 20.0 : 4.0) + 30.0;

  FILE *progress = progress_stream();
  wc_run *run = wc_run_new(o, spec, &err);
  if (!run) {
    fprintf(stderr, "whopconf run: %s\n", err.msg);
    if (progress != stderr) fclose(progress);
    wc_refserver_stop(srv);
    wc_spec_free(spec);
    wc_cli_cases_free(set);
    return err.code == WC_E_USAGE ? WC_EXIT_USAGE : WC_EXIT_UNTESTABLE;
  }
  wc_cli_run_signals_start(run, progress);
  fprintf(progress, "whopconf run: %s%s, pinned %s, seed %llu\n", o->base_url,
          o->embedded ? " (embedded reference server)" : "", o->api_version ? o->api_version : "?",
          (unsigned long long)o->seed);

  int exit_code = WC_EXIT_OK;
  size_t cases = 0;
  wc_buf msg;
  wc_buf_init(&msg);
  int recovered = wc_run_recover_journal(run, &msg, &err);
  if (msg.len) fprintf(progress, "whopconf run: %s\n", msg.data);
  wc_buf_free(&msg);
  if (recovered < 0) {
    fprintf(progress, "whopconf run: %s\n", err.msg);
    exit_code = err.code == WC_E_USAGE ? WC_EXIT_USAGE : WC_EXIT_UNTESTABLE;
  } else if (wc_run_setup(run, &err) != 0) {
    /* the report says why (summary.reason), and so does the last line */
  } else {
    cases = wc_cli_cases_run(set, run, o, &st.exec, progress);
  }
  wc_buf_init(&msg);
  wc_run_teardown(run, &msg);
  if (msg.len) fprintf(progress, "whopconf run: %s\n", msg.data);
  wc_buf_free(&msg);

  if (exit_code == WC_EXIT_OK) {
    cJSON *report = wc_run_report(run, &exit_code, &err);
    if (!report) {
      fprintf(stderr, "whopconf run: %s\n", err.msg);
      exit_code = WC_EXIT_UNTESTABLE;
    } else {
      bool written = wc_report_write(report, spec, o->report_dir, st.formats, &err) == 0;
      if (!written) {
        fprintf(stderr, "whopconf run: cannot write the reports: %s\n", err.msg);
        if (exit_code == WC_EXIT_OK) exit_code = WC_EXIT_USAGE;
      }
      print_summary(report, run, cases, o->report_dir, st.formats, written);
      if (exit_code == WC_EXIT_UNTESTABLE)
        fprintf(stderr, "whopconf run: could not test: %s\n",
                wc_json_str(cJSON_GetObjectItemCaseSensitive(report, "summary"), "reason", ""));
      cJSON_Delete(report);
    }
  }
  fflush(stdout);
  wc_cli_run_signals_stop();
  wc_run_free(run);
  if (progress != stderr) fclose(progress);
  wc_refserver_stop(srv);
  wc_spec_free(spec);
  wc_cli_cases_free(set);
  return exit_code;
}
