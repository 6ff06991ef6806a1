/* Api-Version-Date knowledge (versions.h): the public list and the shape
 * of a version date. */
#include "whopconf/versions.h"

#include <string.h>

#define TABLE_ROW(v) v,
static const char *const default_versions[] = {WC_DEFAULT_VERSION_LIST(TABLE_ROW, TABLE_ROW)};
#undef TABLE_ROW

#define DEFAULT_COUNT (sizeof default_versions / sizeof default_versions[0])

size_t wc_default_version_count(void) { return DEFAULT_COUNT; }

const char *wc_default_version(size_t index) { return index < DEFAULT_COUNT ? default_versions[index] : NULL; }

const char *const *wc_versions_or_default(const char *const *list, size_t *count) {
  if (*count) return list;
  *count = DEFAULT_COUNT;
  return default_versions;
}

bool wc_version_listed(const char *const *list, size_t count, const char *value) {
  for (size_t i = 0; value && list && i < count; i++)
    if (list[i] && strcmp(list[i], value) == 0) return true;
  return false;
}

const char *wc_version_newest(const char *const *list, size_t count) {
  const char *newest = NULL;
  for (size_t i = 0; list && i < count; i++)
    if (list[i] && (!newest || strcmp(list[i], newest) > 0)) newest = list[i];
  return newest;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static int two_digits(const char *p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

/* YYYY-MM-DD naming a real day: 10, else 0. */
static size_t date_len(const char *v) {
  for (int i = 0; i < 10; i++)
    if ((i == 4 || i == 7) ? v[i] != '-' : !is_digit(v[i])) return 0;
  int year = two_digits(v) * 100 + two_digits(v + 2);
  int month = two_digits(v + 5), day = two_digits(v + 8);
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return 0;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int max = days[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= max ? 10 : 0;
}

size_t wc_version_prefix_len(const char *text) {
  size_t len = text ? date_len(text) : 0;
  if (len && text[len] == '-' && is_digit(text[len + 1])) {
    size_t digits = 1;
    while (digits < 3 && is_digit(text[len + 1 + digits])) digits++;
    len += 1 + digits;
  }
  return len;
}

bool wc_version_well_formed(const char *value) {
  size_t len = wc_version_prefix_len(value);
  return len && value[len] == '\0';
}
