/* Command-line parsing shared by the commands (cli_args.h). */
#include "cli_args.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char *wc_cli_flag_value(int argc, char **argv, int *i, const char *flag, bool *matched) {
  size_t n = strlen(flag);
  *matched = false;
  if (strncmp(argv[*i], flag, n) != 0) return NULL;
  if (argv[*i][n] == '=') {
    *matched = true;
    return argv[*i] + n + 1;
  }
  if (argv[*i][n] != '\0') return NULL;
  *matched = true;
  return *i + 1 < argc ? argv[++*i] : NULL;
}

bool wc_cli_parse_u64(const char *s, uint64_t max, uint64_t *out) {
  if (!s || !*s || *s == '-' || *s == '+') return false;
  errno = 0;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v > max) return false;
  *out = v;
  return true;
}

bool wc_cli_parse_double(const char *s, double min, double max, double *out) {
  if (!s || !*s) return false;
  errno = 0;
  char *end;
  double v = strtod(s, &end);
  if (errno || *end || !isfinite(v) || v < min || v > max) return false;
  *out = v;
  return true;
}

bool wc_cli_clean_value(const char *s) {
  if (!s || !*s) return false;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p <= 0x20 || *p >= 0x7f) return false;
  return true;
}

int wc_cli_usage_error(const char *command, const char *fmt, ...) {
  fprintf(stderr, "whopconf %s: ", command);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, " (try whopconf %s --help)\n", command);
  return WC_EXIT_USAGE;
}
