/* The Criterion side of `whopconf run`.
 *
 * How Criterion 2.4 (Debian) runs a test: the parent forks, and the child
 * re-executes this very binary (/proc/self/exe, argv[0] "boxfort-worker")
 * with BXFI_MAP in its environment. A constructor in BoxFort (linked into
 * libcriterion) sees BXFI_MAP and patches main() so that the worker jumps
 * straight into the test instead of our main: the CLI never runs again in a
 * worker, which is why the target, the options and the credentials reach
 * the cases through the environment (runner.h). The parent starts the
 * embedded server once; workers only talk HTTP to it.
 *
 * In quiet mode Criterion sends the parent's stderr to /dev/null while the
 * tests run, so progress lines go to a duplicate of stderr taken before. */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <criterion/logging.h>
#include <criterion/options.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_run.h"
#include "whopconf/catalog.h"

static wc_run *g_run;
static FILE *g_progress;
static size_t g_done, g_total;

struct criterion_test_set *wc_cli_cases_load(void) { return criterion_initialize(); }

void wc_cli_cases_free(struct criterion_test_set *set) {
  if (set) criterion_finalize(set);
}

static const char *declared_of(const struct criterion_test *t) {
  return t->data && t->data->description ? t->data->description : "";
}

static bool case_exists(struct criterion_test_set *set, const char *name) {
  struct criterion_suite_set *s;
  FOREACH_SET(s, set->suites) {
    if (!s->tests) continue;
    struct criterion_test *t;
    FOREACH_SET(t, s->tests) {
      if (strcmp(t->name, name) == 0) return true;
    }
  }
  return false;
}

bool wc_cli_cases_check_only(struct criterion_test_set *set, const wc_run_opts *opts) {
  for (size_t i = 0; i < opts->only_count; i++) {
    if (wc_catalog_find(opts->only[i]) || case_exists(set, opts->only[i])) continue;
    fprintf(stderr,
            "whopconf run: --only %s: no such requirement or case (see --list-requirements, "
            "--list-cases)\n",
            opts->only[i]);
    return false;
  }
  return true;
}

void wc_cli_cases_list(struct criterion_test_set *set, FILE *out) {
  struct criterion_suite_set *s;
  FOREACH_SET(s, set->suites) {
    if (!s->tests) continue;
    struct criterion_test *t;
    FOREACH_SET(t, s->tests) { fprintf(out, "%-12s %-20s %s\n", t->category, t->name, declared_of(t)); }
  }
}

/* Runs in the parent after each case (Criterion reports worker events to
 * the runner process). */
ReportHook(POST_TEST)(struct criterion_test_stats *stats) {
  if (!g_run || !stats || !stats->test || !g_progress) return;
  const struct criterion_test *t = stats->test;
  if (t->data && t->data->disabled) return;
  double ms = (double)stats->elapsed_time * 1000.0;
  wc_run_case_ended(g_run, t->name, stats->crashed || stats->signal != 0, stats->timed_out, ms);
  g_done++;
  wc_case_summary sum;
  const char *verdict;
  if (wc_run_case_summary(g_run, t->name, &sum) != 0)
    verdict = stats->timed_out ? "TIMEOUT" : "CRASH";
  else
    verdict = sum.verdict == WC_OBS_FAIL   ? "FAIL"
              : sum.verdict == WC_OBS_WARN ? "warn"
              : sum.verdict == WC_OBS_PASS ? "pass"
                                           : "skip";
  fprintf(g_progress, "  [%2zu/%zu] %-7s %-20s %5.0f ms", g_done, g_total, verdict, t->name, ms);
  if (sum.finished && (sum.verdict == WC_OBS_FAIL || sum.verdict == WC_OBS_WARN || sum.verdict == WC_OBS_SKIP) &&
      sum.reason[0])
    fprintf(g_progress, "  %.110s", sum.reason);
  fputc('\n', g_progress);
  fflush(g_progress);
}

size_t wc_cli_cases_run(struct criterion_test_set *set, wc_run *run, const wc_run_opts *opts,
                        const wc_cli_exec_opts *eo, FILE *progress) {
  size_t selected = 0;
  struct criterion_suite_set *s;
  FOREACH_SET(s, set->suites) {
    if (!s->tests) continue;
    struct criterion_test *t;
    FOREACH_SET(t, s->tests) {
      if (wc_run_case_selected(opts, t->name, declared_of(t)) && wc_run_add_case(run, t->name, declared_of(t)) == 0)
        selected++;
      else
        t->data->disabled = true;
    }
  }
  if (!selected) return 0;
  g_run = run;
  g_progress = progress;
  g_done = 0;
  g_total = selected;
  criterion_options.logging_threshold = CRITERION_LOG_LEVEL_QUIET;
  criterion_options.always_succeed = true;
  criterion_options.measure_time = true;
  criterion_options.jobs = eo->jobs > 0 ? (size_t)eo->jobs : 0;
  criterion_options.timeout = eo->test_timeout_s;
  criterion_run_all_tests(set);
  g_run = NULL;
  return selected;
}

/* ---- signals ---------------------------------------------------------------- */

/* The handler only marks the run as stopped (the workers see it before
 * their next request) and wakes a thread; the thread restores the profile
 * with ordinary code, then exits 3. */
static int g_pipe[2] = {-1, -1};
static pthread_t g_thread;
static bool g_thread_started;
static struct sigaction g_old_int, g_old_term;
static wc_run *g_signal_run;
static FILE *g_signal_progress;

static void on_signal(int signo) {
  int saved = errno;
  wc_run_request_stop(g_signal_run, signo == SIGINT ? "interrupted by SIGINT" : "interrupted by SIGTERM");
  unsigned char b = (unsigned char)signo;
  if (write(g_pipe[1], &b, 1) < 0) { /* nothing else is safe here */
  }
  errno = saved;
}

static void *signal_thread(void *arg) {
  (void)arg;
  unsigned char b = 0;
  ssize_t n;
  do {
    n = read(g_pipe[0], &b, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1 || b == 0) return NULL; /* the run ended normally */
  const char *name = b == SIGINT ? "SIGINT" : "SIGTERM";
  FILE *out = g_signal_progress ? g_signal_progress : stderr;
  fprintf(out, "whopconf run: interrupted by %s: stopping the cases, restoring the profile\n", name);
  fflush(out);
  wc_buf msg;
  wc_buf_init(&msg);
  wc_run_teardown(g_signal_run, &msg);
  if (msg.len) fprintf(out, "whopconf run: %s\n", msg.data);
  wc_buf_free(&msg);
  fprintf(out, "whopconf run: could not test: interrupted by %s (exit 3)\n", name);
  fflush(out);
  fflush(stdout);
  wc_run_remove_files(g_signal_run);
  _exit(WC_EXIT_UNTESTABLE);
  return NULL;
}

int wc_cli_run_signals_start(wc_run *run, FILE *progress) {
  g_signal_run = run;
  g_signal_progress = progress;
  if (pipe(g_pipe) != 0) return -1;
  fcntl(g_pipe[0], F_SETFD, FD_CLOEXEC);
  fcntl(g_pipe[1], F_SETFD, FD_CLOEXEC);
  if (pthread_create(&g_thread, NULL, signal_thread, NULL) != 0) {
    close(g_pipe[0]);
    close(g_pipe[1]);
    g_pipe[0] = g_pipe[1] = -1;
    return -1;
  }
  g_thread_started = true;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, &g_old_int);
  sigaction(SIGTERM, &sa, &g_old_term);
  return 0;
}

void wc_cli_run_signals_stop(void) {
  if (!g_thread_started) return;
  sigaction(SIGINT, &g_old_int, NULL);
  sigaction(SIGTERM, &g_old_term, NULL);
  unsigned char zero = 0;
  if (write(g_pipe[1], &zero, 1) == 1) pthread_join(g_thread, NULL);
  close(g_pipe[0]);
  close(g_pipe[1]);
  g_pipe[0] = g_pipe[1] = -1;
  g_thread_started = false;
  g_signal_run = NULL;
}
