/* Finding entry boundaries in a capture without holding the file: a small
 * incremental scanner over a read buffer.
 *
 * HAR: the scanner walks {"log": {..., "entries": [ E, E, ... ], ...}, ...}
 * and hands back each E as one byte range (copied into the entry buffer, at
 * most max_entry bytes); every other value on the way is captured the same
 * way and checked by cJSON, so a malformed file is caught wherever it
 * breaks. NDJSON: one line is one entry. The scanner only tracks strings,
 * escapes and bracket depth; cJSON parses what it returns. */
#include <stdlib.h>
#include <string.h>

#include "capture_internal.h"

#define READ_CHUNK ((size_t)1 << 20)
/* The same limit as cJSON's, so an entry is refused for its depth the same
 * way whether it is parsed in place or copied first. */
#define MAX_NESTING CJSON_NESTING_LIMIT

int wc_scan_fill(wc_scan *s, wc_err *err) {
  if (s->pos < s->len) return 1;
  if (s->eof) return 0;
  s->base += s->len;
  s->pos = 0;
  s->len = fread(s->buf, 1, READ_CHUNK, s->f);
  if (s->len == 0) {
    if (ferror(s->f)) {
      wc_err_set(err, WC_E_IO, "%s: byte %zu: read error", s->name, s->base);
      return -1;
    }
    s->eof = true;
    return 0;
  }
  return 1;
}

int wc_scan_init(wc_scan *s, FILE *f, const char *name, size_t max_entry) {
  memset(s, 0, sizeof *s);
  s->f = f;
  s->name = name;
  s->max_entry = max_entry;
  s->buf = malloc(READ_CHUNK);
  wc_buf_init(&s->value);
  return s->buf ? 0 : -1;
}

void wc_scan_free(wc_scan *s) {
  cJSON_Delete(s->tree);
  free(s->buf);
  wc_buf_free(&s->value);
}

size_t wc_scan_offset(const wc_scan *s) { return s->base + s->pos; }

static int malformed(wc_scan *s, wc_err *err, const char *what) {
  wc_err_set(err, WC_E_PARSE, "%s: byte %zu: %s", s->name, wc_scan_offset(s), what);
  return -1;
}

/* Skips JSON whitespace; returns the next byte (not consumed), -1 at the
 * end, -2 on a read error. */
static int next_byte(wc_scan *s, wc_err *err) {
  for (;;) {
    int rc = wc_scan_fill(s, err);
    if (rc < 0) return -2;
    if (rc == 0) return -1;
    unsigned char c = (unsigned char)s->buf[s->pos];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return c;
    s->pos++;
  }
}

static int expect(wc_scan *s, wc_err *err, char want, const char *what) {
  int c = next_byte(s, err);
  if (c == -2) return -1;
  if (c != (unsigned char)want) return malformed(s, err, c == -1 ? "unexpected end of file" : what);
  s->pos++;
  return 0;
}

static int keep(wc_scan *s, const char *from, size_t n) {
  if (s->value.len + n > s->max_entry) {
    s->oversized = true;
    return 0;
  }
  return wc_buf_append(&s->value, from, n);
}

/* The first '"' or '\\' in [p, end), or end: the plain run of a string
 * skipped with memchr, which is most of a capture's bytes. */
static const char *string_stop(const char *p, const char *end) {
  const char *quote = memchr(p, '"', (size_t)(end - p));
  const char *limit = quote ? quote : end;
  const char *backslash = memchr(p, '\\', (size_t)(limit - p));
  return backslash ? backslash : limit;
}

/* Bytes that matter between strings: quotes and brackets. */
static bool structural(char ch) { return ch == '"' || ch == '{' || ch == '[' || ch == '}' || ch == ']'; }

/* Copies one JSON value (object, array, string or scalar) into s->value,
 * tracking only strings and nesting. */
int wc_scan_value(wc_scan *s, wc_err *err) {
  s->value.len = 0;
  if (s->value.data) s->value.data[0] = '\0';
  s->oversized = false;
  int c = next_byte(s, err);
  if (c == -2) return -1;
  if (c == -1) return malformed(s, err, "unexpected end of file");
  s->value_offset = wc_scan_offset(s);
  unsigned depth = 0;
  bool in_string = false, escape = false, scalar = c != '{' && c != '[' && c != '"';
  for (;;) {
    int rc = wc_scan_fill(s, err);
    if (rc < 0) return -1;
    if (rc == 0) {
      if (scalar && depth == 0) return 0;
      return malformed(s, err, "unexpected end of file");
    }
    const char *p = s->buf + s->pos, *end = s->buf + s->len;
    const char *q = p;
    bool done = false;
    while (q < end && !done) {
      if (in_string) {
        if (escape) {
          escape = false;
          q++;
          continue;
        }
        q = string_stop(q, end);
        if (q == end) break;
        if (*q++ == '\\') {
          escape = true;
        } else {
          in_string = false;
          done = depth == 0;
        }
      } else if (scalar) {
        char ch = *q;
        if (ch == ',' || ch == '}' || ch == ']' || ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t')
          done = true; /* not part of the value */
        else
          q++;
      } else {
        while (q < end && !structural(*q)) q++;
        if (q == end) break;
        char ch = *q;
        if (ch == '"') {
          in_string = true;
        } else if (ch == '{' || ch == '[') {
          if (++depth > MAX_NESTING) {
            s->pos = (size_t)(q - s->buf);
            return malformed(s, err, "nested too deep");
          }
        } else {
          if (depth == 0) {
            s->pos = (size_t)(q - s->buf);
            return malformed(s, err, "unbalanced bracket");
          }
          done = --depth == 0;
        }
        q++;
      }
    }
    if (keep(s, p, (size_t)(q - p)) != 0) {
      wc_err_set(err, WC_E_NOMEM, "out of memory");
      return -1;
    }
    s->pos = (size_t)(q - s->buf);
    if (done) return 0;
  }
}

/* Parses the captured value with cJSON; a syntax error is reported at its
 * byte in the file. */
cJSON *wc_scan_parse(wc_scan *s, wc_err *err) {
  const char *end = NULL;
  cJSON *v = cJSON_ParseWithLengthOpts(s->value.data ? s->value.data : "", s->value.len, &end, false);
  if (!v) {
    size_t at = end && s->value.data ? (size_t)(end - s->value.data) : 0;
    wc_err_set(err, WC_E_PARSE, "%s: byte %zu: malformed JSON", s->name, s->value_offset + at);
    return NULL;
  }
  return v;
}

/* A member name (keys longer than the buffer compare unequal). */
static int read_key(wc_scan *s, wc_err *err, char *key, size_t cap) {
  if (wc_scan_value(s, err) != 0) return -1;
  if (s->value.len < 2 || s->value.data[0] != '"') return malformed(s, err, "expected a member name");
  size_t n = s->value.len - 2;
  if (n >= cap || memchr(s->value.data + 1, '\\', n)) n = 0; /* never "log" nor "entries" */
  memcpy(key, s->value.data + 1, n);
  key[n] = '\0';
  return expect(s, err, ':', "expected ':'");
}

/* Checks a value the walk does not use (pages, creator, ...). */
static int skip_value(wc_scan *s, wc_err *err) {
  if (wc_scan_value(s, err) != 0) return -1;
  if (s->oversized) return 0; /* bracket-balanced; too large to check further */
  cJSON *v = wc_scan_parse(s, err);
  cJSON_Delete(v);
  return v ? 0 : -1;
}

/* After a member: ',' (returns 1, another member follows) or the closer
 * (returns 0). */
static int after_member(wc_scan *s, wc_err *err, char closer) {
  int c = next_byte(s, err);
  if (c == -2) return -1;
  if (c == ',') {
    s->pos++;
    return 1;
  }
  if (c == (unsigned char)closer) {
    s->pos++;
    return 0;
  }
  return malformed(s, err, c == -1 ? "unexpected end of file" : closer == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
}

/* An entry parsed straight from the read buffer when it lies there whole
 * (nearly always: entries are small next to READ_CHUNK), sparing the copy
 * and the scanner's pass over its bytes. Anything else (an entry across the
 * buffer's end, a malformed or an oversized one) takes the scanner's path,
 * which says where it breaks. */
static bool parse_in_place(wc_scan *s) {
  const char *start = s->buf + s->pos, *end = NULL;
  cJSON *v = cJSON_ParseWithLengthOpts(start, s->len - s->pos, &end, false);
  if (!v) return false;
  size_t n = (size_t)(end - start);
  if (n > s->max_entry) {
    cJSON_Delete(v);
    return false;
  }
  s->tree = v;
  s->value.len = 0;
  s->oversized = false;
  s->value_offset = wc_scan_offset(s);
  s->pos += n;
  return true;
}

/* Walks objects until the entries array is open: state LOG_OBJECT at depth
 * 1 (the root) or 2 (log). Returns 1 when positioned inside "entries", 0
 * when the document ended without one. */
static int seek_entries(wc_scan *s, wc_err *err) {
  while (s->har_depth > 0) {
    if (s->need_comma) {
      int more = after_member(s, err, '}');
      if (more < 0) return -1;
      s->need_comma = false;
      if (!more) {
        s->har_depth--;
        s->need_comma = s->har_depth > 0;
        continue;
      }
    } else if (s->empty_check) {
      s->empty_check = false;
      int c = next_byte(s, err);
      if (c == -2) return -1;
      if (c == '}') {
        s->pos++;
        s->har_depth--;
        s->need_comma = s->har_depth > 0;
        continue;
      }
    }
    char key[16];
    if (read_key(s, err, key, sizeof key) != 0) return -1;
    if (s->har_depth == 1 && strcmp(key, "log") == 0) {
      if (expect(s, err, '{', "log is not an object") != 0) return -1;
      s->har_depth = 2;
      s->empty_check = true;
      s->saw_log = true;
    } else if (s->har_depth == 2 && strcmp(key, "entries") == 0) {
      if (expect(s, err, '[', "log.entries is not an array") != 0) return -1;
      s->saw_entries = true;
      s->in_entries = true;
      s->entries_first = true;
      return 1;
    } else {
      if (skip_value(s, err) != 0) return -1;
      s->need_comma = true;
    }
  }
  int c = next_byte(s, err);
  if (c == -2) return -1;
  if (c != -1) return malformed(s, err, "data after the end of the document");
  return 0;
}

int wc_scan_har_start(wc_scan *s, wc_err *err) {
  if (expect(s, err, '{', "not a HAR file (expected '{')") != 0) return -1;
  s->har_depth = 1;
  s->empty_check = true;
  return 0;
}

int wc_scan_har_next(wc_scan *s, wc_err *err) {
  for (;;) {
    if (s->in_entries) {
      int c = next_byte(s, err);
      if (c == -2) return -1;
      if (s->entries_first && c == ']') {
        s->pos++;
        s->in_entries = false;
        s->need_comma = true;
        continue;
      }
      if (!s->entries_first) {
        int more = after_member(s, err, ']');
        if (more < 0) return -1;
        if (!more) {
          s->in_entries = false;
          s->need_comma = true;
          continue;
        }
        c = next_byte(s, err);
        if (c == -2) return -1;
      }
      s->entries_first = false;
      if (c != '{') return malformed(s, err, c == -1 ? "unexpected end of file" : "an entry is not an object");
      if (parse_in_place(s)) return 1;
      return wc_scan_value(s, err) == 0 ? 1 : -1;
    }
    if (s->done) return 0;
    int rc = seek_entries(s, err);
    if (rc < 0) return -1;
    if (rc == 0) {
      s->done = true;
      if (!s->saw_log) return malformed(s, err, "not a HAR file (no \"log\" object)");
      if (!s->saw_entries) return malformed(s, err, "not a HAR file (no \"log.entries\" array)");
      return 0;
    }
  }
}

int wc_scan_line(wc_scan *s, wc_err *err) {
  for (;;) {
    s->value.len = 0;
    if (s->value.data) s->value.data[0] = '\0';
    s->oversized = false;
    int rc = wc_scan_fill(s, err);
    if (rc <= 0) return rc;
    s->value_offset = wc_scan_offset(s);
    for (;;) {
      const char *p = s->buf + s->pos;
      const char *nl = memchr(p, '\n', s->len - s->pos);
      size_t n = nl ? (size_t)(nl - p) : s->len - s->pos;
      if (keep(s, p, n) != 0) {
        wc_err_set(err, WC_E_NOMEM, "out of memory");
        return -1;
      }
      s->pos += n + (nl ? 1 : 0);
      if (nl) break;
      rc = wc_scan_fill(s, err);
      if (rc < 0) return -1;
      if (rc == 0) break;
    }
    size_t len = s->value.len;
    while (len > 0 && (s->value.data[len - 1] == '\r' || s->value.data[len - 1] == ' ' || s->value.data[len - 1] == '\t'))
      len--;
    size_t lead = 0;
    while (lead < len && (s->value.data[lead] == ' ' || s->value.data[lead] == '\t')) lead++;
    if (len > lead || s->oversized) return 1;
  }
}
