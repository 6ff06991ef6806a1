/* Api-Version-Date: the public list of known versions, what counts as a
 * date, and which response shape each version gets. */
#include <string.h>

#include "refserver_internal.h"

static const char *const default_versions[] = {
    "2025-01-01", "2026-06-08", "2026-06-09", "2026-06-20", "2026-07-01",
};

size_t wc_default_version_count(void) { return sizeof default_versions / sizeof default_versions[0]; }

const char *wc_default_version(size_t index) {
  return index < wc_default_version_count() ? default_versions[index] : NULL;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* YYYY-MM-DD naming a real calendar day, optionally with a release suffix
 * "-N" (real values look like 2026-07-08-1). */
bool wc_version_well_formed(const char *v) { return rs_version_well_formed(v); }

bool rs_version_well_formed(const char *v) {
  size_t len = v ? strlen(v) : 0;
  if (len > 10) {
    if (v[10] != '-' || len == 11 || len > 14) return false;
    for (size_t i = 11; i < len; i++)
      if (!is_digit(v[i])) return false;
  } else if (len != 10) {
    return false;
  }
  if (v[4] != '-' || v[7] != '-') return false;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !is_digit(v[i])) return false;
  int year = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0');
  int month = (v[5] - '0') * 10 + (v[6] - '0');
  int day = (v[8] - '0') * 10 + (v[9] - '0');
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int max = days[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= max;
}

/* The version that introduced each shape. A configured version maps to the
 * newest shape whose date it has reached, so a configured 2026-07-20 (the
 * SDK's) answers with the full User schema. Plain string order is date order
 * for YYYY-MM-DD and keeps suffixed values (2026-07-08-1) in place. */
rs_shape rs_version_shape(const char *known_version) {
  static const struct {
    const char *since;
    rs_shape shape;
  } steps[] = {
      {"2026-07-01", RS_SHAPE_FULL},
      {"2026-06-20", RS_SHAPE_ICONS},
      {"2026-06-09", RS_SHAPE_BALANCES},
      {"2026-06-08", RS_SHAPE_VERIFICATION},
  };
  if (!known_version) return RS_SHAPE_ORIGINAL;
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
    if (strcmp(known_version, steps[i].since) >= 0) return steps[i].shape;
  return RS_SHAPE_ORIGINAL;
}
