/* The runner in one process (so ASan and LeakSanitizer see all of it):
 * context file, cases, journal, stop marker and aggregation, against the
 * reference server started in the test. The Criterion worker model itself
 * is exercised by tests/run_e2e.sh. */
#include <criterion/criterion.h>
#if defined(__SANITIZE_ADDRESS__)
#define WC_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WC_TEST_ASAN 1
#endif
#endif
#ifdef WC_TEST_ASAN
#include <sanitizer/lsan_interface.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "whopconf/catalog.h"
#include "whopconf/checks.h"
#include "whopconf/refserver.h"
#include "whopconf/runner.h"

static wc_refserver *srv;
static wc_spec *spec;
static char dir[256];

static void setup(void) {
  wc_err err;
  wc_refserver_opts so;
  wc_refserver_opts_default(&so);
  srv = wc_refserver_start(&so, &err);
  cr_assert_not_null(srv, "%s", err.msg);
  spec = wc_spec_load_embedded(&err);
  cr_assert_not_null(spec, "%s", err.msg);
  snprintf(dir, sizeof dir, "%s/test_runner_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void) {
  wc_spec_free(spec);
  wc_refserver_stop(srv);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  cr_expect_eq(system(cmd), 0);
#ifdef WC_TEST_ASAN
  /* Criterion workers end without LeakSanitizer's exit check: ask for it,
   * and crash the test on a leak (an expectation in .fini would not count). */
  if (__lsan_do_recoverable_leak_check() != 0) abort();
#endif
}

TestSuite(runner, .init = setup, .fini = teardown);

static void opts_for(wc_run_opts *o) {
  wc_run_opts_default(o);
  o->base_url = wc_refserver_base_url(srv);
  o->token = WC_REFSERVER_DEFAULT_USER_TOKEN;
  o->allow_writes = true;
  o->report_dir = dir;
  o->seed = 5;
  o->timeout_ms = 5000;
}

static char *slurp(const char *path) {
  size_t len;
  return wc_read_file(path, 1 << 24, &len, NULL);
}

static const cJSON *req_of(const cJSON *report, const char *id) {
  const cJSON *r;
  cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(report, "requirements")) {
    if (strcmp(cJSON_GetObjectItemCaseSensitive(r, "id")->valuestring, id) == 0) return r;
  }
  return NULL;
}

static const char *status_of(const cJSON *report, const char *id) {
  const cJSON *r = req_of(report, id);
  return r ? cJSON_GetObjectItemCaseSensitive(r, "status")->valuestring : "?";
}

Test(runner, selection) {
  wc_run_opts o;
  wc_run_opts_default(&o);
  cr_expect(wc_run_case_selected(&o, "anything", ""));
  o.only[o.only_count++] = "WC-VER-002";
  cr_expect(wc_run_case_selected(&o, "unknown_dates", "WC-VER-002 WC-VER-005"));
  cr_expect_not(wc_run_case_selected(&o, "malformed_dates", "WC-VER-003"));
  cr_expect_not(wc_run_case_selected(&o, "x", "WC-VER-0020"), "ids match whole words");
  cr_expect(wc_run_requirement_selected(&o, "WC-VER-002"));
  cr_expect_not(wc_run_requirement_selected(&o, "WC-TR-001"));
  o.only[o.only_count++] = "WC-TR-001"; /* generic: every case runs */
  cr_expect(wc_run_case_selected(&o, "malformed_dates", "WC-VER-003"));
  wc_run_opts_default(&o);
  o.only[o.only_count++] = "malformed_dates";
  cr_expect(wc_run_case_selected(&o, "malformed_dates", "WC-VER-003"));
  cr_expect(wc_run_requirement_selected(&o, "WC-TR-001"), "a case name keeps what it observes");
}

Test(runner, a_run_in_one_process) {
  wc_run_opts o;
  opts_for(&o);
  o.account_ids[o.account_count++] = "acc_a";
  wc_err err;
  wc_run *run = wc_run_new(&o, spec, &err);
  cr_assert_not_null(run, "%s", err.msg);

  /* The context file is private and holds no credential. */
  char path[512];
  snprintf(path, sizeof path, "%s/context.json", wc_run_dir(run));
  struct stat st;
  cr_assert_eq(stat(path, &st), 0);
  cr_expect_eq(st.st_mode & 0777, 0600);
  cr_assert_eq(stat(wc_run_dir(run), &st), 0);
  cr_expect_eq(st.st_mode & 0777, 0700);
  char *text = slurp(path);
  cr_expect_null(strstr(text, WC_REFSERVER_DEFAULT_USER_TOKEN));
  free(text);
  cr_expect_str_eq(getenv(WC_ENV_TOKEN), WC_REFSERVER_DEFAULT_USER_TOKEN);

  cr_assert_eq(wc_run_setup(run, &err), 0, "%s", err.msg);
  const char *journal = wc_run_journal_path(run);
  cr_assert_not_null(journal);
  cr_assert_eq(stat(journal, &st), 0, "the journal exists once the snapshot is taken");
  cr_expect_eq(st.st_mode & 0777, 0600);
  text = slurp(journal);
  cr_expect_null(strstr(text, WC_REFSERVER_DEFAULT_USER_TOKEN));
  cr_expect_not_null(strstr(text, "acc_a"));
  free(text);

  /* A case, as a worker would run it (the context comes from the environment). */
  cr_assert_eq(wc_run_add_case(run, "probe", WC_REQ_ABSENT_ACCEPTED " " WC_REQ_UPD_REFLECTED), 0);
  wc_case *c = wc_case_open("probe", WC_REQ_ABSENT_ACCEPTED " " WC_REQ_UPD_REFLECTED, WC_CASE_WRITES, &err);
  cr_assert_not_null(c, "%s", err.msg);
  wc_request_desc d = {.token = wc_case_credential(c, WC_CRED_TOKEN)};
  wc_sent sent;
  const wc_response *r = wc_case_send(c, &d, "PATCH {} without Api-Version-Date", WC_SEND_POSITIVE, &sent);
  cr_assert_not_null(r);
  cr_expect_eq(sent.exchange, 1);
  wc_check_accepted(WC_REQ_ABSENT_ACCEPTED, &sent, r, wc_case_obs(c));
  d.api_version = wc_case_api_version(c);
  d.name = (wc_field){.kind = WC_FIELD_STRING, .value = "changed by test_runner"};
  r = wc_case_send(c, &d, "PATCH {name}", WC_SEND_POSITIVE, &sent);
  cr_assert_not_null(r);
  cr_expect_eq(wc_response_status(r), 200);
  d.account_id = "acc_a";
  d.name = (wc_field){.kind = WC_FIELD_STRING, .value = "changed for acc_a by test_runner"};
  r = wc_case_send(c, &d, "PATCH {name} for acc_a", WC_SEND_POSITIVE, &sent);
  cr_assert_not_null(r);
  cr_expect_eq(wc_response_status(r), 200);
  cr_expect_not(wc_case_need(c, WC_CRED_API_KEY), "no API key was given");
  /* An update case puts the profiles back before it releases the lock:
   * read global (changed), restore it, read acc_a (changed), restore it. */
  cr_assert_eq(wc_case_close(c, &err), 0, "%s", err.msg);
  wc_run_case_ended(run, "probe", false, false, 12.0);

  wc_case_summary sum;
  cr_assert_eq(wc_run_case_summary(run, "probe", &sum), 0);
  cr_expect(sum.finished);
  cr_expect_eq(sum.exchanges, 7, "3 sent by the case, 4 to put the profiles back (got %zu)", sum.exchanges);
  cr_expect_eq(sum.verdict, WC_OBS_PASS);

  /* A case that runs after it sees the profiles as the snapshot has them. */
  cr_assert_eq(wc_run_add_case(run, "reader", WC_REQ_USER_SCHEMA), 0);
  c = wc_case_open("reader", WC_REQ_USER_SCHEMA, 0, &err);
  cr_assert_not_null(c, "%s", err.msg);
  wc_request_desc rd = {.token = wc_case_credential(c, WC_CRED_TOKEN), .api_version = wc_case_api_version(c)};
  r = wc_case_send(c, &rd, "PATCH {}", WC_SEND_POSITIVE, NULL);
  cr_assert_not_null(r);
  char *global_name = wc_strdup(cJSON_GetObjectItemCaseSensitive(wc_response_json(r), "name")->valuestring);
  rd.account_id = "acc_a";
  r = wc_case_send(c, &rd, "PATCH {} for acc_a", WC_SEND_POSITIVE, NULL);
  cr_assert_not_null(r);
  char *acc_name = wc_strdup(cJSON_GetObjectItemCaseSensitive(wc_response_json(r), "name")->valuestring);
  cr_assert_eq(wc_case_close(c, &err), 0, "%s", err.msg);
  wc_run_case_ended(run, "reader", false, false, 3.0);
  snprintf(path, sizeof path, "%s/snapshot.json", wc_run_dir(run));
  cr_assert_eq(stat(path, &st), 0, "the snapshot file for the workers exists");
  cr_expect_eq(st.st_mode & 0777, 0600);
  text = slurp(path);
  cr_expect_null(strstr(text, WC_REFSERVER_DEFAULT_USER_TOKEN), "the snapshot file holds no credential");
  cJSON *snap = cJSON_Parse(text);
  free(text);
  const cJSON *profiles = cJSON_GetObjectItemCaseSensitive(snap, "profiles");
  cr_assert_eq(cJSON_GetArraySize(profiles), 2);
  cr_expect_str_eq(global_name,
                   cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(profiles, 0), "name")->valuestring);
  cr_expect_str_eq(acc_name, cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(profiles, 1), "name")->valuestring);
  cJSON_Delete(snap);
  free(global_name);
  free(acc_name);

  wc_buf msg;
  wc_buf_init(&msg);
  cr_expect_eq(wc_run_teardown(run, &msg), 0, "%s", msg.data ? msg.data : "");
  cr_expect_null(strstr(msg.data ? msg.data : "", "restored"), "nothing left to restore at the end: %s",
                 msg.data ? msg.data : "");
  wc_buf_free(&msg);
  cr_expect_eq(wc_run_teardown(run, NULL), 0, "a second teardown does nothing");
  cr_expect_neq(stat(journal, &st), 0, "the journal is removed after the restore");

  int code = -1;
  cJSON *report = wc_run_report(run, &code, &err);
  cr_assert_not_null(report, "%s", err.msg);
  cr_expect_eq(code, 0);
  size_t server_requirements = 0;
  for (size_t i = 0; i < wc_catalog_count(); i++)
    if (!wc_requirement_is_client(wc_catalog_get(i))) server_requirements++;
  cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(report, "requirements")),
               (int)server_requirements, "a run report lists every requirement but the client ones");
  cr_expect_str_eq(status_of(report, WC_REQ_ABSENT_ACCEPTED), "pass");
  cr_expect_str_eq(status_of(report, WC_REQ_OLD_SHAPE), "pass");
  cr_expect_str_eq(status_of(report, WC_REQ_API_KEY_400), "skip");
  const cJSON *xs = cJSON_GetObjectItemCaseSensitive(report, "exchanges");
  int n = cJSON_GetArraySize(xs);
  cr_expect_eq(n, 13, "setup (2), probe (7), reader (2), teardown (2 reads)");
  /* x3-x5 the probe's own requests, x6 read global, x7 restore it, x8 read
   * acc_a, x9 restore it: exchanges of the update case itself. */
  for (int i = 6; i <= 8; i += 2) {
    const cJSON *restore = cJSON_GetArrayItem(xs, i);
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(restore, "case")->valuestring, "probe",
                     "the restore is an exchange of the update case");
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(restore, "request"), "body");
    cr_expect(cJSON_IsString(body) && strstr(body->valuestring, "\"name\"") &&
                  !strstr(body->valuestring, "test_runner"),
              "x%d puts the snapshot's name back: %s", i + 1, cJSON_IsString(body) ? body->valuestring : "?");
  }
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(xs, 0), "case")->valuestring, "setup");
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(xs, 2), "case")->valuestring, "probe");
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(xs, 2), "id")->valuestring, "x3");
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(xs, n - 1), "case")->valuestring,
                   "teardown");
  char *all = cJSON_PrintUnformatted(report);
  cr_expect_null(strstr(all, WC_REFSERVER_DEFAULT_USER_TOKEN), "no credential in report.json");
  free(all);
  cJSON_Delete(report);
  wc_run_free(run);
  cr_expect_null(getenv(WC_ENV_RUN_CTX));
}

/* The stop as the generated phases ask for it before every request: seen
 * at once when this process requests it, and within a few milliseconds when
 * another process (a case) leaves the marker file. */
Test(runner, stop_is_seen_from_the_flag_and_the_marker) {
  wc_run_opts o;
  opts_for(&o);
  wc_err err;
  wc_run *run = wc_run_new(&o, spec, &err);
  cr_assert_not_null(run, "%s", err.msg);
  cr_expect_not(wc_run_stopped(run));
  wc_run_request_stop(run, "interrupted by SIGINT");
  cr_expect(wc_run_stopped(run), "a stop requested here is seen at once");
  wc_run_free(run);

  run = wc_run_new(&o, spec, &err);
  cr_assert_not_null(run, "%s", err.msg);
  cr_expect_not(wc_run_stopped(run));
  char *marker = wc_path_join(wc_run_dir(run), "stop");
  cr_assert_not_null(marker);
  FILE *f = fopen(marker, "w");
  cr_assert_not_null(f, "%s", marker);
  fputs("stopped by a case", f);
  fclose(f);
  bool seen = false;
  for (int i = 0; i < 1000 && !seen; i++) {
    seen = wc_run_stopped(run);
    if (!seen) usleep(1000);
  }
  cr_expect(seen, "the marker file is seen");
  cr_expect(wc_run_stopped(run), "and stays seen");
  free(marker);
  wc_run_free(run);
}

Test(runner, a_stopped_run_is_untestable) {
  wc_run_opts o;
  opts_for(&o);
  wc_err err;
  wc_run *run = wc_run_new(&o, spec, &err);
  cr_assert_not_null(run, "%s", err.msg);
  cr_assert_eq(wc_run_setup(run, &err), 0, "%s", err.msg);
  wc_run_request_stop(run, "interrupted by SIGINT");
  wc_run_request_stop(run, "a second reason does not replace the first");
  wc_case *c = wc_case_open("stopped", WC_REQ_KNOWN_ACCEPTED, 0, &err);
  cr_assert_not_null(c, "%s", err.msg);
  wc_request_desc d = {.token = wc_case_credential(c, WC_CRED_TOKEN)};
  cr_expect_null(wc_case_send(c, &d, "PATCH {}", 0, NULL), "nothing is sent once stopped");
  cr_expect(wc_case_stopped(c));
  wc_case_close(c, NULL);
  wc_run_teardown(run, NULL);
  int code = -1;
  cJSON *report = wc_run_report(run, &code, &err);
  cr_assert_not_null(report);
  cr_expect_eq(code, 3);
  const cJSON *sum = cJSON_GetObjectItemCaseSensitive(report, "summary");
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(sum, "reason")->valuestring, "interrupted by SIGINT");
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(sum, "verdict")->valuestring, "error");
  const cJSON *known = req_of(report, WC_REQ_KNOWN_ACCEPTED);
  cr_expect_not_null(strstr(cJSON_GetObjectItemCaseSensitive(known, "reason")->valuestring, "stopped"));
  cJSON_Delete(report);
  wc_run_free(run);
}

/* The safety net: an update case stopped after its write (SIGTERM, a
 * transport failure) sends nothing more, so it cannot put the profile back;
 * the end-of-run restore does, and only then is the journal removed. */
Test(runner, a_stopped_update_case_is_restored_at_the_end) {
  wc_run_opts o;
  opts_for(&o);
  o.account_ids[o.account_count++] = "acc_a";
  wc_err err;
  wc_run *run = wc_run_new(&o, spec, &err);
  cr_assert_not_null(run, "%s", err.msg);
  cr_assert_eq(wc_run_setup(run, &err), 0, "%s", err.msg);
  cr_assert_eq(wc_run_add_case(run, "writer", WC_REQ_UPD_REFLECTED), 0);
  wc_case *c = wc_case_open("writer", WC_REQ_UPD_REFLECTED, WC_CASE_WRITES, &err);
  cr_assert_not_null(c, "%s", err.msg);
  wc_request_desc d = {.token = wc_case_credential(c, WC_CRED_TOKEN), .api_version = wc_case_api_version(c),
                       .account_id = "acc_a"};
  d.name = (wc_field){.kind = WC_FIELD_STRING, .value = "left by a stopped case"};
  const wc_response *r = wc_case_send(c, &d, "PATCH {name} for acc_a", WC_SEND_POSITIVE, NULL);
  cr_assert_not_null(r);
  cr_expect_eq(wc_response_status(r), 200);
  wc_run_request_stop(run, "interrupted by SIGTERM");
  wc_case_close(c, NULL);
  wc_case_summary sum;
  cr_assert_eq(wc_run_case_summary(run, "writer", &sum), 0);
  cr_expect_eq(sum.exchanges, 1, "a stopped case puts nothing back (got %zu exchanges)", sum.exchanges);
  struct stat st;
  cr_expect_eq(stat(wc_run_journal_path(run), &st), 0, "the journal is kept until the end-of-run restore");
  wc_buf msg;
  wc_buf_init(&msg);
  cr_expect_eq(wc_run_teardown(run, &msg), 0, "%s", msg.data ? msg.data : "");
  cr_expect_not_null(strstr(msg.data ? msg.data : "", "restored name of account acc_a"), "%s",
                     msg.data ? msg.data : "");
  wc_buf_free(&msg);
  cr_expect_neq(stat(wc_run_journal_path(run), &st), 0, "the journal is removed after the restore");
  wc_run_free(run);
}

Test(runner, a_case_that_never_reports) {
  wc_run_opts o;
  opts_for(&o);
  wc_err err;
  wc_run *run = wc_run_new(&o, spec, &err);
  cr_assert_not_null(run);
  cr_assert_eq(wc_run_setup(run, &err), 0, "%s", err.msg);
  wc_run_add_case(run, "ghost", WC_REQ_NO_5XX);
  wc_run_case_ended(run, "ghost", true, false, 3.0);
  wc_case_summary sum;
  cr_expect_eq(wc_run_case_summary(run, "ghost", &sum), -1);
  int code = -1;
  cJSON *report = wc_run_report(run, &code, &err);
  cr_assert_not_null(report);
  cr_expect_eq(code, 3);
  const cJSON *sum_j = cJSON_GetObjectItemCaseSensitive(report, "summary");
  cr_expect_not_null(strstr(cJSON_GetObjectItemCaseSensitive(sum_j, "reason")->valuestring, "ghost"));
  cJSON_Delete(report);
  wc_run_teardown(run, NULL);
  wc_run_free(run);
}

Test(runner, unreachable_target) {
  wc_run_opts o;
  opts_for(&o);
  o.base_url = "http://127.0.0.1:9/api/v1";
  o.timeout_ms = 2000;
  wc_err err;
  wc_run *run = wc_run_new(&o, spec, &err);
  cr_assert_not_null(run);
  cr_expect_eq(wc_run_setup(run, &err), -1);
  cr_expect_eq(err.code, WC_E_TRANSPORT);
  int code = -1;
  cJSON *report = wc_run_report(run, &code, &err);
  cr_assert_not_null(report);
  cr_expect_eq(code, 3);
  cr_expect_str_eq(status_of(report, WC_REQ_USER_SCHEMA), "skip");
  cJSON_Delete(report);
  wc_run_free(run);
}

Test(runner, journal_of_a_live_run_is_left_alone) {
  wc_run_opts o;
  opts_for(&o);
  wc_err err;
  wc_run *run = wc_run_new(&o, spec, &err);
  cr_assert_not_null(run);
  FILE *f = fopen(wc_run_journal_path(run), "w");
  cr_assert_not_null(f);
  fprintf(f, "{\"format\":\"whopconf-journal\",\"target\":\"%s\",\"pid\":%d,\"profiles\":[]}",
          wc_refserver_base_url(srv), (int)getppid());
  fclose(f);
  wc_buf msg;
  wc_buf_init(&msg);
  cr_expect_eq(wc_run_recover_journal(run, &msg, &err), -1);
  cr_expect_not_null(strstr(err.msg, "in progress"), "%s", err.msg);
  wc_buf_free(&msg);
  unlink(wc_run_journal_path(run));
  cr_expect_eq(wc_run_recover_journal(run, NULL, &err), 0, "no journal, nothing to do");
  wc_run_free(run);
}
