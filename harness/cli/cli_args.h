/* Option parsing shared by the CLI commands. */
#ifndef WHOPCONF_CLI_ARGS_H
#define WHOPCONF_CLI_ARGS_H

#include <stdbool.h>

/* A value for --flag: "--flag=value" or "--flag value". *matched tells
 * whether argv[*i] is --flag at all (then NULL means the value is missing). */
const char *wc_cli_flag_value(int argc, char **argv, int *i, const char *flag, bool *matched);
/* A decimal integer in [0, max], nothing else. */
bool wc_cli_parse_number(const char *s, unsigned long long max, unsigned long long *out);
/* A decimal number in [min, max] ("0.5", "30"). */
bool wc_cli_parse_seconds(const char *s, double min, double max, double *out);
/* A non-empty value of visible ASCII characters (tokens, versions, ids). */
bool wc_cli_clean_token(const char *s);
/* 127.x.y.z, ::1 or localhost. */
bool wc_cli_loopback_name(const char *host);

#endif
