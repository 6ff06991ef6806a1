/* Option parsing shared by the CLI commands (see cli_args.h). */
#include "cli_args.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

bool wc_cli_parse_number(const char *s, unsigned long long max, unsigned long long *out) {
  if (!s || !*s || *s == '-' || *s == '+') return false;
  errno = 0;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (*end || errno || v > max) return false;
  *out = v;
  return true;
}

bool wc_cli_parse_seconds(const char *s, double min, double max, double *out) {
  if (!s || !*s) return false;
  errno = 0;
  char *end;
  double v = strtod(s, &end);
  if (*end || errno || !isfinite(v) || v < min || v > max) return false;
  *out = v;
  return true;
}

bool wc_cli_clean_token(const char *s) {
  if (!s || !*s) return false;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p <= 0x20 || *p >= 0x7F) return false;
  return true;
}

bool wc_cli_loopback_name(const char *host) {
  return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 || strcmp(host, "localhost") == 0;
}
