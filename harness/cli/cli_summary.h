/* What `whopconf run` and `whopconf fuzz` print around a run: the progress
 * stream and the pieces of the summary read from report.json. */
#ifndef WC_CLI_SUMMARY_H
#define WC_CLI_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

/* A line-buffered copy of stderr (Criterion points stderr at /dev/null
 * while the cases run); stderr itself when it cannot be duplicated. */
FILE *wc_cli_progress_stream(void);
void wc_cli_progress_close(FILE *progress);

/* "whopconf CMD: VERDICT (exit N) against URL" and, for could-not-test,
 * the reason. Returns the report's exit code. */
int wc_cli_print_verdict(const char *command, const cJSON *report);
/* "  title:" then each requirement of that status with its reason. */
void wc_cli_print_group(const cJSON *reqs, const char *status, const char *title);
/* "  reports: DIR/report.json, ..." for the formats written. */
void wc_cli_print_report_files(const char *dir, int formats);

#endif
