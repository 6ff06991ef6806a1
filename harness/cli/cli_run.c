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
#include "whopconf/campaign.h"
#include "whopconf/catalog.h"
#include "whopconf/refserver.h"
#include "whopconf/report.h"
#include "whopconf/spec.h"


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
      "                            2025-01-01 2026-06-08 2026-06-09 2026-06-20 2026-07-01)\n"
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
      "  --insecure                skip TLS verification (reported as weakening the run)\n"
      "  --allow-http              allow http:// to a non-loopback host\n"
      "  --rate N                  requests per second (default: 5 to remote hosts, none on loopback)\n"
      "  --retries N               retries on 429/503 (default 2)\n"
      "\n"
      "exit codes: 0 conformant (warnings allowed), 1 non-conformant, 2 usage or spec error,\n"
      "            3 could not test (unreachable, TLS, timeouts, credentials refused)\n",
      out);
}

static void list_requirements(void) {
  printf("%-10s %-6s %-11s %-28s %s\n", "id", "level", "family", "schemathesis", "title");
  for (size_t i = 0; i < wc_catalog_count(); i++) {
    const wc_requirement *r = wc_catalog_get(i);
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
  int code = (int)wc_cli_jnum(sum, "exit_code");
  const char *verdict = code == 0 ? "CONFORMANT" : code == 1 ? "NOT CONFORMANT" : "COULD NOT TEST";
  printf("whopconf run: %s (exit %d) against %s\n", verdict, code,
         wc_cli_jstr(cJSON_GetObjectItemCaseSensitive(run_obj, "target"), "base_url"));
  if (code == 3) printf("  reason: %s\n", wc_cli_jstr(sum, "reason"));
  printf("  %.0f requirements: %.0f passed, %.0f failed, %.0f warnings, %.0f skipped; %zu cases, %d "
         "exchanges in %.2f s\n",
         wc_cli_jnum(sum, "total"), wc_cli_jnum(sum, "passed"), wc_cli_jnum(sum, "failed"), wc_cli_jnum(sum, "warnings"),
         wc_cli_jnum(sum, "skipped"), cases, cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(report, "exchanges")),
         wc_cli_jnum(run_obj, "duration_ms") / 1000.0);
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

int wc_cli_run_worker(int argc, char **argv) {
  (void)argc;
  (void)argv;
  if (!getenv("BXFI_MAP")) return -1;
  /* BoxFort replaces main() in its workers: reaching it here means it could
   * not, and running the CLI would start a run inside a worker. */
  fputs("whopconf: internal error: a Criterion worker reached main()\n", stderr);
  return WC_EXIT_UNTESTABLE;
}

/* run's own option: --phases (the generated phases run after the cases;
 * default coverage). */
static int run_flag(void *ctx, int argc, char **argv, int *i) {
  bool m;
  const char *v = wc_cli_flag_value(argc, argv, i, "--phases", &m);
  if (!m) return 0;
  if (!v || !*v) return wc_cli_bad("run", "%s needs a value", "--phases", NULL);
  *(const char **)ctx = v;
  return 1;
}

int wc_cli_run(int argc, char **argv) {
  /* Output piped into `head` must not kill the run before it restores the
   * profile and removes its directory: a closed pipe becomes EPIPE. */
  signal(SIGPIPE, SIG_IGN);
  wc_cli_common st;
  memset(&st, 0, sizeof st);
  wc_run_opts_default(&st.run);
  const char *phases_list = "coverage";
  int rc = wc_cli_common_parse("run", argc, argv, &st, run_flag, &phases_list);
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
  rc = wc_cli_common_finish("run", &st);
  if (rc) return rc;
  wc_campaign_opts co;
  wc_campaign_opts_default(&co);
  int phases = wc_campaign_phases_parse(phases_list, &err);
  if (phases < 0) return wc_cli_bad("run", "--phases: %s", err.msg, NULL);
  co.phases = (unsigned)phases;
  co.seed = o->seed;

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

  wc_refserver *srv = NULL;
  rc = wc_cli_target_start("run", &st, &srv);
  if (rc) {
    wc_spec_free(spec);
    wc_cli_cases_free(set);
    return rc;
  }
  /* Per-case safety net: a case sends at most ~16 requests, each bounded by
   * --timeout (the first transport failure stops the rest). */
  st.exec.test_timeout_s = (double)o->timeout_ms / 1000.0 * (o->keep_going ? 20.0 : 4.0) + 30.0;

  FILE *progress = wc_cli_progress_stream();
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
  wc_campaign_stats generated;
  memset(&generated, 0, sizeof generated);
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
    /* The generated phases (by default the deterministic coverage list)
     * after the cases, under the same snapshot and restore. */
    if (co.phases && !wc_run_stopped(run) && wc_campaign_run(run, spec, &co, &generated, &err) != 0) {
      fprintf(stderr, "whopconf run: %s\n", err.msg);
      exit_code = err.code == WC_E_NOMEM ? WC_EXIT_UNTESTABLE : WC_EXIT_USAGE;
    }
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
      print_summary(report, run, cases, &generated, o->report_dir, st.formats, written);
      if (exit_code == WC_EXIT_UNTESTABLE)
        fprintf(stderr, "whopconf run: could not test: %s\n",
                wc_cli_jstr(cJSON_GetObjectItemCaseSensitive(report, "summary"), "reason"));
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
