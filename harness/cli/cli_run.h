/* whopconf run, split in two: cli_run.c parses the options and drives the
 * run; cli_run_exec.c owns everything Criterion (the case set, the worker
 * pool, progress lines) and the signal handling. */
#ifndef WC_CLI_RUN_H
#define WC_CLI_RUN_H

#include <stdbool.h>
#include <stdio.h>

#include <stdint.h>

#include "whopconf/refserver.h"
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

/* ---- shared by run and fuzz (cli_target.c) ------------------------------- */

/* The embedded server's accounts (so the isolation checks run by default)
 * and the picture upload id it knows. */
#define WC_CLI_EMBEDDED_ACCOUNT_A "biz_whopconf_a"
#define WC_CLI_EMBEDDED_ACCOUNT_B "biz_whopconf_b"
#define WC_CLI_EMBEDDED_PICTURE_ID "file_whopconf_picture"

typedef struct wc_cli_common {
  wc_run_opts run;
  int formats;
  bool list_requirements, list_cases, help;
  const char *format_list;
  wc_cli_exec_opts exec;
  bool connect_timeout_given;
} wc_cli_common;

/* A command's own option at argv[*i]: returns 0 when it is not one, 1 when
 * it took it (advancing *i past a value), or an exit code (2) after printing
 * why it is wrong. */
typedef int (*wc_cli_extra_flag)(void *ctx, int argc, char **argv, int *i);

/* The options of run (target, credentials, contract, transport, reports);
 * extra (may be NULL) sees every other one first. 0 or an exit code. */
int wc_cli_common_parse(const char *cmd, int argc, char **argv, wc_cli_common *st, wc_cli_extra_flag extra,
                        void *extra_ctx);
/* Report formats, timeouts, the pinned version. 0 or an exit code. */
int wc_cli_common_finish(const char *cmd, wc_cli_common *st);
/* Credentials from the environment; without --base-url starts the embedded
 * server (*srv, stop it at the end) and implies --allow-writes; else checks
 * the URL and refuses plain http to a remote host. 0 or an exit code. */
int wc_cli_target_start(const char *cmd, wc_cli_common *st, wc_refserver **srv);

/* "--flag=value" or "--flag value"; *matched tells whether argv[*i] is flag. */
const char *wc_cli_flag_value(int argc, char **argv, int *i, const char *flag, bool *matched);
bool wc_cli_parse_u64(const char *s, uint64_t max, uint64_t *out);
bool wc_cli_parse_double(const char *s, double min, double max, double *out);
/* Prints "whopconf CMD: <fmt> (try whopconf CMD --help)"; returns 2. */
int wc_cli_bad(const char *cmd, const char *fmt, const char *a, const char *b);
const char *wc_cli_env_or(const char *given, const char *name);
const char *wc_cli_jstr(const cJSON *o, const char *name);
double wc_cli_jnum(const cJSON *o, const char *name);
/* "  title:" then each requirement of that status with its reason. */
void wc_cli_print_group(const cJSON *reqs, const char *status, const char *title);
/* A line-buffered copy of stderr (Criterion silences stderr during cases). */
FILE *wc_cli_progress_stream(void);

#endif
