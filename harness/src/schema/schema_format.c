/* `format` assertions: date and date-time (RFC 3339), uuid (RFC 9562 text
 * form), email (RFC 5321 mailbox) and uri (RFC 3986, absolute). ASCII only:
 * a non-ASCII digit is not a digit. */
#include <string.h>

#include "schema_internal.h"

wc_format wc_format_lookup(const char *name) {
  if (strcmp(name, "date") == 0) return WC_FORMAT_DATE;
  if (strcmp(name, "date-time") == 0) return WC_FORMAT_DATE_TIME;
  if (strcmp(name, "uuid") == 0) return WC_FORMAT_UUID;
  if (strcmp(name, "email") == 0) return WC_FORMAT_EMAIL;
  if (strcmp(name, "uri") == 0) return WC_FORMAT_URI;
  return WC_FORMAT_NONE;
}

static bool digit(char c) { return c >= '0' && c <= '9'; }
static bool alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool hexdig(char c) { return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

/* n ASCII digits at s as a number, or -1. */
static int digits(const char *s, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!digit(s[i])) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

/* ---- date, date-time ---- */

static bool full_date(const char *s) {
  int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1 || s[4] != '-' || s[7] != '-') return false;
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= days[m - 1] + (m == 2 && leap);
}

static bool date_time(const char *s, size_t len) {
  /* YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM) */
  if (len < 20 || !full_date(s) || (s[10] != 'T' && s[10] != 't')) return false;
  const char *t = s + 11;
  int hh = digits(t, 2), mm = digits(t + 3, 2), ss = digits(t + 6, 2);
  if (hh < 0 || mm < 0 || ss < 0 || t[2] != ':' || t[5] != ':' || hh > 23 || mm > 59 || ss > 60) return false;
  size_t i = 19;
  if (i < len && s[i] == '.') {
    size_t start = ++i;
    while (i < len && digit(s[i])) i++;
    if (i == start) return false;
  }
  if (i >= len) return false;
  int off_minutes = 0;
  if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
    off_minutes = 0;
  } else if ((s[i] == '+' || s[i] == '-') && i + 6 == len) {
    int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
    if (oh < 0 || om < 0 || s[i + 3] != ':' || oh > 23 || om > 59) return false;
    off_minutes = (s[i] == '+' ? 1 : -1) * (oh * 60 + om);
  } else {
    return false;
  }
  if (ss == 60) {
    /* A leap second exists only at 23:59:60 UTC. */
    int utc = ((hh * 60 + mm - off_minutes) % 1440 + 1440) % 1440;
    if (utc != 23 * 60 + 59) return false;
  }
  return true;
}

/* ---- uuid ---- */

static bool uuid(const char *s, size_t len) {
  if (len != 36) return false;
  for (size_t i = 0; i < 36; i++) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !hexdig(s[i])) return false;
  }
  return true;
}

/* ---- IP addresses (email literals, uri hosts) ---- */

static bool ipv4(const char *s, size_t len) {
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    size_t start = i;
    int v = 0;
    while (i < len && digit(s[i]) && i - start < 3) v = v * 10 + (s[i++] - '0');
    size_t n = i - start;
    if (n == 0 || v > 255 || (n > 1 && s[start] == '0')) return false;
    parts++;
    if (parts < 4) {
      if (i >= len || s[i] != '.') return false;
      i++;
    }
  }
  return i == len;
}

static bool ipv6(const char *s, size_t len) {
  int groups = 0;
  bool elided = false;
  size_t i = 0;
  if (len >= 2 && s[0] == ':' && s[1] == ':') {
    elided = true;
    i = 2;
    if (i == len) return true;
  } else if (len && s[0] == ':') {
    return false;
  }
  while (i < len) {
    size_t start = i;
    while (i < len && hexdig(s[i]) && i - start < 4) i++;
    if (i < len && s[i] == '.') {
      /* An embedded IPv4 address closes the address and counts as 2 groups. */
      size_t end = len;
      if (!ipv4(s + start, end - start)) return false;
      groups += 2;
      i = len;
      break;
    }
    if (i == start) return false;
    groups++;
    if (i == len) break;
    if (s[i] != ':') return false;
    i++;
    if (i < len && s[i] == ':') {
      if (elided) return false;
      elided = true;
      i++;
      if (i == len) break;
    } else if (i == len) {
      return false;
    }
  }
  return elided ? groups <= 7 : groups == 8;
}

/* ---- email ---- */

static bool atext(char c) {
  return alpha(c) || digit(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static bool hostname(const char *s, size_t len) {
  if (len == 0 || len > 253) return false;
  size_t label = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i == len || s[i] == '.') {
      if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-') return false;
      label = 0;
    } else if (alpha(s[i]) || digit(s[i]) || s[i] == '-') {
      label++;
    } else {
      return false;
    }
  }
  return true;
}

static bool email(const char *s, size_t len) {
  size_t i = 0;
  if (len && s[0] == '"') {
    for (i = 1; i < len && s[i] != '"'; i++) {
      if (s[i] == '\\') {
        /* quoted-pairSMTP: the escaped character is printable ASCII too */
        if (++i >= len || (unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7E) return false;
      } else if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7E) {
        return false;
      }
    }
    if (i >= len) return false;
    i++;
  } else {
    bool dot_ok = false;
    for (; i < len && s[i] != '@'; i++) {
      if (s[i] == '.') {
        if (!dot_ok) return false;
        dot_ok = false;
      } else if (atext(s[i])) {
        dot_ok = true;
      } else {
        return false;
      }
    }
    if (!dot_ok) return false; /* empty, or ends with '.' */
  }
  if (i >= len || s[i] != '@') return false;
  const char *d = s + i + 1;
  size_t dl = len - i - 1;
  if (dl >= 2 && d[0] == '[' && d[dl - 1] == ']') {
    if (dl > 7 && strncmp(d + 1, "IPv6:", 5) == 0) return ipv6(d + 6, dl - 7);
    return ipv4(d + 1, dl - 2);
  }
  return hostname(d, dl);
}

/* ---- uri (RFC 3986 "URI": absolute, fragment allowed) ---- */

static bool unreserved(char c) { return alpha(c) || digit(c) || c == '-' || c == '.' || c == '_' || c == '~'; }
static bool sub_delim(char c) { return c && strchr("!$&'()*+,;=", c); }

/* Characters of set (plus pct-encoded) from s[*i] until a byte not in it. */
static bool run_of(const char *s, size_t len, size_t *i, const char *extra) {
  while (*i < len) {
    char c = s[*i];
    if (c == '%') {
      if (*i + 2 >= len || !hexdig(s[*i + 1]) || !hexdig(s[*i + 2])) return false;
      *i += 3;
    } else if (unreserved(c) || sub_delim(c) || (c && strchr(extra, c))) {
      (*i)++;
    } else {
      break;
    }
  }
  return true;
}

static bool uri(const char *s, size_t len) {
  size_t i = 0;
  if (!len || !alpha(s[0])) return false;
  while (i < len && (alpha(s[i]) || digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')) i++;
  if (i >= len || s[i] != ':') return false;
  i++;
  if (len - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
    i += 2;
    size_t auth = i;
    while (i < len && s[i] != '/' && s[i] != '?' && s[i] != '#') i++;
    const char *a = s + auth;
    size_t al = i - auth;
    const char *at = memchr(a, '@', al);
    if (at) {
      size_t j = 0, ul = (size_t)(at - a);
      if (!run_of(a, ul, &j, ":") || j != ul) return false;
      al -= ul + 1;
      a = at + 1;
    }
    size_t h = 0;
    if (al && a[0] == '[') {
      const char *close = memchr(a, ']', al);
      if (!close) return false;
      size_t hl = (size_t)(close - a) - 1;
      if (hl && (a[1] == 'v' || a[1] == 'V')) { /* IPvFuture */
        size_t j = 2;
        while (j < hl + 1 && hexdig(a[j])) j++;
        if (j == 2 || j >= hl + 1 || a[j] != '.') return false;
        size_t k = j + 1, end = hl + 1;
        if (k == end) return false;
        for (; k < end; k++)
          if (!unreserved(a[k]) && !sub_delim(a[k]) && a[k] != ':') return false;
      } else if (!ipv6(a + 1, hl)) {
        return false;
      }
      h = (size_t)(close - a) + 1;
    } else {
      if (!run_of(a, al, &h, "")) return false; /* reg-name (IPv4 text is a reg-name too) */
    }
    if (h < al) {
      if (a[h] != ':') return false;
      for (h++; h < al; h++)
        if (!digit(a[h])) return false;
    }
  }
  /* path, query, fragment */
  if (!run_of(s, len, &i, ":@/")) return false;
  if (i < len && s[i] == '?') {
    i++;
    if (!run_of(s, len, &i, ":@/?")) return false;
  }
  if (i < len && s[i] == '#') {
    i++;
    if (!run_of(s, len, &i, ":@/?")) return false;
  }
  return i == len;
}

bool wc_format_check(wc_format format, const char *s, size_t len) {
  switch (format) {
  case WC_FORMAT_NONE: return true;
  case WC_FORMAT_DATE: return len == 10 && full_date(s);
  case WC_FORMAT_DATE_TIME: return date_time(s, len);
  case WC_FORMAT_UUID: return uuid(s, len);
  case WC_FORMAT_EMAIL: return email(s, len);
  case WC_FORMAT_URI: return uri(s, len);
  }
  return true;
}
