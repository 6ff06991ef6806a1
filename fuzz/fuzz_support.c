/* Helpers of the framed fuzz targets (see fuzz_common.h). */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

char *wc_fuzz_field(wc_fuzz_reader *r, bool cstring, size_t *len) {
  size_t n = (size_t)wc_fuzz_byte(r);
  if (r->bad || n > r->left) {
    r->bad = true;
    return NULL;
  }
  if (cstring && memchr(r->p, '\0', n)) {
    r->bad = true;
    return NULL;
  }
  char *out = malloc(n + 1);
  if (!out) abort();
  memcpy(out, r->p, n);
  out[n] = '\0';
  r->p += n;
  r->left -= n;
  if (len) *len = n;
  return out;
}

void wc_fuzz_pct_upper(char *s) {
  for (; *s; s++) {
    if (s[0] != '%' || !s[1] || !s[2]) continue;
    for (int k = 1; k <= 2; k++)
      if (s[k] >= 'a' && s[k] <= 'f') s[k] = (char)(s[k] - 'a' + 'A');
  }
}

bool wc_fuzz_tolerated(const char *name) {
  static const char *list;
  static bool read;
  if (!read) {
    list = getenv("WC_FUZZ_TOLERATE");
    read = true;
  }
  if (!list) return false;
  size_t n = strlen(name);
  for (const char *p = list; (p = strstr(p, name)); p += n)
    if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ',')) return true;
  return false;
}
