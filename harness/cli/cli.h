/* whopconf CLI: one file per subcommand; each returns the process exit code.
 *
 * Exit codes (documented in the README):
 *   0  conformant / valid / ok
 *   1  non-conformant / invalid / regression
 *   2  usage error, unreadable input, unusable spec
 *   3  could not test (unreachable target, TLS, timeouts, credentials refused) */
#ifndef WHOPCONF_CLI_H
#define WHOPCONF_CLI_H

enum { WC_EXIT_OK = 0, WC_EXIT_FAIL = 1, WC_EXIT_USAGE = 2, WC_EXIT_UNTESTABLE = 3 };

int wc_cli_validate(int argc, char **argv); /* cli_validate.c */
int wc_cli_serve(int argc, char **argv);    /* cli_serve.c */
int wc_cli_proxy(int argc, char **argv);    /* cli_proxy.c */
int wc_cli_run(int argc, char **argv);      /* cli_run.c */
int wc_cli_report(int argc, char **argv);   /* cli_report.c */
int wc_cli_fuzz(int argc, char **argv);     /* cli_fuzz.c */
int wc_cli_check(int argc, char **argv);    /* cli_check.c */

/* Criterion re-executes this binary for each test case; cli_run.c decides
 * whether this process is such a worker (and then runs it). Returns -1 when
 * not a worker. */
int wc_cli_run_worker(int argc, char **argv);

#endif
