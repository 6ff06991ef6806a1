/* The flags every command that sends to a target shares with `whopconf run`
 * (usage text: cli_run.c):
 *   target, credentials  --base-url --token --api-key --token-without-scope
 *                        --account-id
 *   contract             --api-version --known-version --spec
 *   transport, TLS, rate --timeout --connect-timeout --max-response-time
 *                        --max-body --cacert --insecure --allow-http --http-client --rate
 *                        --retries
 *   reports              --report-dir --format
 * A command's own parser offers each argument to wc_cli_target_flag first,
 * then calls wc_cli_target_finish once every argument is read. */
#ifndef WC_CLI_TARGET_OPTS_H
#define WC_CLI_TARGET_OPTS_H

#include "whopconf/runner.h"

typedef struct wc_cli_target {
  wc_run_opts run;         /* wc_run_opts_default, then the flags */
  const char *format_list; /* --format; NULL = all */
  int formats;             /* WC_REPORT_* bits, set by wc_cli_target_finish */
} wc_cli_target;

void wc_cli_target_init(wc_cli_target *t);

/* argv[*i] as one of the shared flags: 1 when it was one (its value taken,
 * *i moved past it), 0 when it is none of them, -1 when its value is wrong
 * (the usage error is printed; exit 2). command names the command in the
 * message ("run"). */
int wc_cli_target_flag(wc_cli_target *t, const char *command, int argc, char **argv, int *i);

/* The flags of a command that sends its own requests and may change the
 * profile (run, fuzz): --allow-writes, --allow-picture-writes, --picture-id,
 * --strict, --seed and --phases (*phases, the generated phases' list). Same
 * returns as wc_cli_target_flag. */
int wc_cli_writer_flag(wc_cli_target *t, const char **phases, const char *command, int argc, char **argv, int *i);

/* After parsing: the report formats, then the run policy
 * (wc_run_opts_resolve: credentials from the environment, the connect
 * timeout, the pinned version). 0, or the exit code after printing the
 * usage error. */
int wc_cli_target_finish(wc_cli_target *t, const char *command);

#endif
