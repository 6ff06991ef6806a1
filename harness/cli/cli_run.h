/* whopconf run, split in two: cli_run.c parses the options and drives the
 * run; cli_run_exec.c owns everything Criterion (the case set, the worker
 * pool, progress lines) and the signal handling. */
#ifndef WC_CLI_RUN_H
#define WC_CLI_RUN_H

#include <stdbool.h>
#include <stdio.h>

#include "whopconf/runner.h"

struct criterion_test_set;

typedef struct wc_cli_exec_opts {
  int jobs;              /* 0 = Criterion's default (the number of cores) */
  double test_timeout_s; /* Criterion's per-case safety net */
} wc_cli_exec_opts;

/* The cases compiled into this binary (criterion_initialize). */
struct criterion_test_set *wc_cli_cases_load(void);
void wc_cli_cases_free(struct criterion_test_set *set); /* criterion_finalize */

/* Checks every --only value names a requirement or a case; prints the
 * reason to stderr and returns false when one does not. */
bool wc_cli_cases_check_only(struct criterion_test_set *set, const wc_run_opts *opts);
/* Prints "case  requirements" for every case. */
void wc_cli_cases_list(struct criterion_test_set *set, FILE *out);
/* Runs the selected cases in Criterion workers; one progress line per case.
 * Returns the number of cases run. */
size_t wc_cli_cases_run(struct criterion_test_set *set, wc_run *run, const wc_run_opts *opts,
                        const wc_cli_exec_opts *eo, FILE *progress);

/* SIGINT/SIGTERM during a run: stop the workers, restore the profile, exit 3.
 * Messages go to progress. */
int wc_cli_run_signals_start(wc_run *run, FILE *progress);
void wc_cli_run_signals_stop(void);

#endif
