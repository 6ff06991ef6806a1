/* whopconf run: the conformance gate. Parses the options (the flags shared
 * with the other sending commands in cli_target_opts.c), drives the run
 * (the policy, the embedded server among it, is the runner's:
 * runner_policy.c), prints the summary. See docs/run.md. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_run.h"
#include "cli_summary.h"
#include "cli_target_opts.h"
#include "whopconf/campaign.h"
#include "whopconf/catalog.h"
#include "whopconf/refserver.h"
#include "whopconf/report.h"
#include "whopconf/spec.h"
#include "whopconf/versions.h"

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
      "  --phases LIST             generated phases after the cases: coverage, fuzzing, stateful, all or\n"
      "                            none (default coverage: the generator's deterministic list)\n"
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
      "  --http-client auto|curl   who carries http:// requests: auto (default) whopconf's own\n"
      "                            HTTP/1.1 client, libcurl for https://; curl: libcurl for all\n"
      "  --insecure                skip TLS verification (reported as weakening the run)\n"
      "  --allow-http              allow http:// to a non-loopback host\n"
      "  --rate N                  requests per second (default: 5 to remote hosts, none on loopback)\n"
      "  --retries N               retries on 429/503 (default 2)\n"
      "\n"
      "exit codes: 0 conformant (warnings allowed), 1 non-conformant, 2 usage or spec error,\n"
      "            3 could not test (unreachable, TLS, timeouts, credentials refused)\n",
      out);
}

typedef struct cli_state {
  wc_cli_target target; /* the flags shared with the other sending commands */
  bool list_requirements, list_cases, help;
  wc_cli_exec_opts exec;
  const char *phases; /* --phases (default coverage) */
  wc_campaign_opts campaign;
} cli_state;

/* The flags of run alone: 0, or the usage error's exit code. */
static int parse_own(int argc, char **argv, int *i, cli_state *st) {
  wc_run_opts *o = &st->target.run;
  const char *a = argv[*i], *v;
  bool m;
  uint64_t n;
#define FLAG(name) (((v = wc_cli_flag_value(argc, argv, i, name, &m)) != NULL) || m)
  if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
    st->help = true;
  } else if (strcmp(a, "--list-requirements") == 0) {
    st->list_requirements = true;
  } else if (strcmp(a, "--list-cases") == 0) {
    st->list_cases = true;
  } else if (strcmp(a, "--keep-going") == 0) {
    o->keep_going = true;
  } else if (FLAG("--only")) {
    if (!v || !*v) return wc_cli_usage_error("run", "--only needs a value");
    if (o->only_count == WC_RUN_MAX_LIST) return wc_cli_usage_error("run", "--only given too many times");
    o->only[o->only_count++] = v;
  } else if (FLAG("-j") || FLAG("--jobs")) {
    if (!wc_cli_parse_u64(v, 64, &n) || n == 0)
      return wc_cli_usage_error("run", "--jobs needs a number from 1 to 64, got '%s'", v ? v : "");
    st->exec.jobs = (int)n;
  } else if (a[0] == '-') {
    return wc_cli_usage_error("run", "unknown option '%s'", a);
  } else {
    return wc_cli_usage_error("run", "unexpected argument '%s'", a);
  }
#undef FLAG
  return 0;
}

static int parse(int argc, char **argv, cli_state *st) {
  wc_cli_target_init(&st->target);
  for (int i = 1; i < argc; i++) {
    int shared = wc_cli_target_flag(&st->target, "run", argc, argv, &i);
    if (shared == 0) shared = wc_cli_writer_flag(&st->target, &st->phases, "run", argc, argv, &i);
    if (shared < 0) return WC_EXIT_USAGE;
    if (shared == 0) {
      int rc = parse_own(argc, argv, &i, st);
      if (rc) return rc;
    }
  }
  return 0;
}

static void list_requirements(void) {
  printf("%-10s %-6s %-11s %-28s %s\n", "id", "level", "family", "schemathesis", "title");
  for (size_t i = 0; i < wc_catalog_count(); i++) {
    const wc_requirement *r = wc_catalog_get(i);
    if (wc_requirement_is_client(r)) continue;
    printf("%-10s %-6s %-11s %-28s %s\n", r->id, wc_level_name(r->level), r->family,
           r->schemathesis ? r->schemathesis : "-", r->title);
  }
}

/* ---- the summary ------------------------------------------------------------ */

static void print_summary(const cJSON *report, wc_run *run, size_t cases, const wc_campaign_stats *generated,
                          const char *dir, int formats, bool written) {
  const cJSON *sum = cJSON_GetObjectItemCaseSensitive(report, "summary");
  const cJSON *run_obj = cJSON_GetObjectItemCaseSensitive(report, "run");
  const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(report, "requirements");
  wc_cli_print_verdict("run", report);
  printf("  %.0f requirements: %.0f passed, %.0f failed, %.0f warnings, %.0f skipped; %zu cases, %d "
         "exchanges in %.2f s\n",
         wc_json_num(sum, "total", 0), wc_json_num(sum, "passed", 0), wc_json_num(sum, "failed", 0),
         wc_json_num(sum, "warnings", 0), wc_json_num(sum, "skipped", 0), cases,
         cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(report, "exchanges")),
         wc_json_num(run_obj, "duration_ms", 0) / 1000.0);
  if (generated->sent || generated->skipped)
    printf("  generated: %llu requests sent (%llu coverage items%s), %llu not sent (writes not allowed), %zu "
           "distinct findings\n",
           (unsigned long long)generated->sent, (unsigned long long)generated->coverage_count,
           generated->shrink_requests ? ", shrinking included" : "", (unsigned long long)generated->skipped,
           generated->findings);
  wc_cli_print_group(reqs, "fail", "failed");
  wc_cli_print_group(reqs, "warn", "warnings");
  const char *names[3];
  double ms[3];
  size_t n = wc_run_slowest(run, names, ms, 3);
  if (n) {
    printf("  slowest cases:");
    for (size_t i = 0; i < n; i++) printf("%s %s %.0f ms", i ? "," : "", names[i], ms[i]);
    printf("\n");
  }
  if (written) wc_cli_print_report_files(dir, formats);
}

/* ---- the run -------------------------------------------------------------------- */

int wc_cli_run_worker(int argc, char **argv) {
  (void)argc;
  (void)argv;
  if (!getenv("BXFI_MAP")) return -1;
  /* BoxFort replaces main() in its workers: reaching it here means it could
   * not, and running the CLI would start a run inside a worker. */
  fputs("whopconf: internal error: a Criterion worker reached main()\n", stderr);
  return WC_EXIT_UNTESTABLE;
}

/* Everything a run holds, released in one place (release). */
typedef struct run_resources {
  struct criterion_test_set *set;
  wc_spec *spec;
  wc_refserver *srv;
  FILE *progress;
  wc_run *run;
  bool signals;
  wc_campaign_stats generated; /* the generated phases after the cases */
} run_resources;

static void release(run_resources *r) {
  if (r->signals) wc_cli_run_signals_stop();
  wc_run_free(r->run);
  wc_cli_progress_close(r->progress);
  wc_refserver_stop(r->srv);
  wc_spec_free(r->spec);
  wc_cli_cases_free(r->set);
}

/* Recovery of an old journal, setup, the cases, teardown (always). 0, or
 * the exit code when the old journal could not be dealt with. */
static int run_cases(cli_state *st, run_resources *r, size_t *cases) {
  wc_err err;
  wc_err_clear(&err);
  int code = WC_EXIT_OK;
  *cases = 0;
  wc_buf msg;
  wc_buf_init(&msg);
  int recovered = wc_run_recover_journal(r->run, &msg, &err);
  if (msg.len) fprintf(r->progress, "whopconf run: %s\n", msg.data);
  wc_buf_free(&msg);
  if (recovered < 0) {
    fprintf(r->progress, "whopconf run: %s\n", err.msg);
    code = err.code == WC_E_USAGE ? WC_EXIT_USAGE : WC_EXIT_UNTESTABLE;
  } else if (wc_run_setup(r->run, &err) != 0) {
    /* the report says why (summary.reason), and so does the last line */
  } else {
    *cases = wc_cli_cases_run(r->set, r->run, &st->target.run, &st->exec, r->progress);
    /* The generated phases (by default the deterministic coverage list)
     * after the cases, under the same snapshot and restore. */
    if (st->campaign.phases && !wc_run_stopped(r->run) &&
        wc_campaign_run(r->run, r->spec, &st->campaign, &r->generated, &err) != 0) {
      fprintf(stderr, "whopconf run: %s\n", err.msg);
      code = err.code == WC_E_NOMEM ? WC_EXIT_UNTESTABLE : WC_EXIT_USAGE;
    }
  }
  wc_buf_init(&msg);
  wc_run_teardown(r->run, &msg);
  if (msg.len) fprintf(r->progress, "whopconf run: %s\n", msg.data);
  wc_buf_free(&msg);
  return code;
}

/* report.json and the other formats, and the summary on stdout. */
static int write_reports(cli_state *st, run_resources *r, size_t cases) {
  const wc_run_opts *o = &st->target.run;
  wc_err err;
  wc_err_clear(&err);
  int code = WC_EXIT_OK;
  cJSON *report = wc_run_report(r->run, &code, &err);
  if (!report) {
    fprintf(stderr, "whopconf run: %s\n", err.msg);
    return WC_EXIT_UNTESTABLE;
  }
  bool written = wc_report_write(report, r->spec, o->report_dir, st->target.formats, &err) == 0;
  if (!written) {
    fprintf(stderr, "whopconf run: cannot write the reports: %s\n", err.msg);
    if (code == WC_EXIT_OK) code = WC_EXIT_USAGE;
  }
  print_summary(report, r->run, cases, &r->generated, o->report_dir, st->target.formats, written);
  if (code == WC_EXIT_UNTESTABLE)
    fprintf(stderr, "whopconf run: could not test: %s\n",
            wc_json_str(cJSON_GetObjectItemCaseSensitive(report, "summary"), "reason", ""));
  cJSON_Delete(report);
  return code;
}

/* The spec, the target, the run, the reports. */
static int execute(cli_state *st, run_resources *r) {
  wc_run_opts *o = &st->target.run;
  wc_err err;
  wc_err_clear(&err);
  r->spec = o->spec_path ? wc_spec_load_file(o->spec_path, &err) : wc_spec_load_embedded(&err);
  if (!r->spec) {
    fprintf(stderr, "whopconf run: spec: %s\n", err.msg);
    return WC_EXIT_USAGE;
  }
  if (wc_run_target_open(o, &r->srv, &err) != 0) {
    fprintf(stderr, "whopconf run: %s\n", err.msg);
    return err.code == WC_E_TRANSPORT ? WC_EXIT_UNTESTABLE : WC_EXIT_USAGE;
  }
  /* Per-case safety net: a case sends at most ~16 requests, each bounded by
   * --timeout (the first transport failure stops the rest). */
  st->exec.test_timeout_s = (double)o->timeout_ms / 1000.0 * (o->keep_going ? 20.0 : 4.0) + 30.0;

  r->progress = wc_cli_progress_stream();
  r->run = wc_run_new(o, r->spec, &err);
  if (!r->run) {
    fprintf(stderr, "whopconf run: %s\n", err.msg);
    return err.code == WC_E_USAGE ? WC_EXIT_USAGE : WC_EXIT_UNTESTABLE;
  }
  wc_cli_run_signals_start(r->run, r->progress);
  r->signals = true;
  fprintf(r->progress, "whopconf run: %s%s, pinned %s, seed %llu\n", o->base_url,
          o->embedded ? " (embedded reference server)" : "", o->api_version ? o->api_version : "?",
          (unsigned long long)o->seed);
  size_t cases = 0;
  int code = run_cases(st, r, &cases);
  return code == WC_EXIT_OK ? write_reports(st, r, cases) : code;
}

int wc_cli_run(int argc, char **argv) {
  /* Output piped into `head` must not kill the run before it restores the
   * profile and removes its directory: a closed pipe becomes EPIPE. */
  signal(SIGPIPE, SIG_IGN);
  cli_state st;
  memset(&st, 0, sizeof st);
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
  rc = wc_cli_target_finish(&st.target, "run");
  if (rc) return rc;
  wc_err err;
  wc_err_clear(&err);
  wc_campaign_opts_default(&st.campaign);
  int phases = wc_campaign_phases_parse(st.phases ? st.phases : "coverage", &err);
  if (phases < 0) return wc_cli_usage_error("run", "--phases: %s", err.msg);
  st.campaign.phases = (unsigned)phases;
  st.campaign.seed = st.target.run.seed;
  /* The gate's report is compared run to run (golden files, report diff):
   * one worker keeps even a failed write's answer the same, and the
   * coverage list is short enough to send in sequence. */
  st.campaign.workers = 1;
  run_resources r = {.set = wc_cli_cases_load()};
  if (st.list_cases)
    wc_cli_cases_list(r.set, stdout);
  else if (!wc_cli_cases_check_only(r.set, &st.target.run))
    rc = WC_EXIT_USAGE;
  else
    rc = execute(&st, &r);
  fflush(stdout);
  release(&r);
  return rc;
}
