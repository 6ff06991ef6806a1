/* Command-line parsing shared by the commands: flag values, numbers, the
 * one-line usage error. */
#ifndef WC_CLI_ARGS_H
#define WC_CLI_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "whopconf/common.h"

/* The value of --flag at argv[*i], "--flag=value" or "--flag value" (then
 * *i moves past it). *matched tells whether argv[*i] is --flag at all; NULL
 * with *matched true: the value is missing. */
const char *wc_cli_flag_value(int argc, char **argv, int *i, const char *flag, bool *matched);

/* A decimal number without sign, at most max. */
bool wc_cli_parse_u64(const char *s, uint64_t max, uint64_t *out);
/* A finite number from min to max. */
bool wc_cli_parse_double(const char *s, double min, double max, double *out);
/* A credential or an id goes into a header or a URL: visible ASCII only,
 * not empty. */
bool wc_cli_clean_value(const char *s);

/* "whopconf <command>: <message> (try whopconf <command> --help)" on
 * stderr; returns the usage exit code (2). */
int wc_cli_usage_error(const char *command, const char *fmt, ...) WC_PRINTF(2, 3);

#endif
