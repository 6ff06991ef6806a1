/* The strict pass's token readers and defect records: what json_strict.c
 * calls when a token is not plain clean JSON. Defects and their pointers,
 * whitespace other than the four, strings (escapes, UTF-8 outside ASCII),
 * keys and duplicate keys in large objects, numbers that are not plain,
 * literals that are not true/false/null. */
#include <math.h>
#include <stdio.h>

#include "json_strict_internal.h"

const unsigned char wc_js_plain_byte[256] = {
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
    R16(0), R16(0),
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20: '"' */
    R16(1), R16(1),
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50: '\\' */
    R16(1), R16(1),
    R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0)
#undef R16
};

/* ---- findings ---- */

/* Pointer of the current position: the children being read in the first
 * `levels` containers (a key being read is not a child yet), plus `extra`.
 * Built in s->pointer, reused from defect to defect; NULL when out of memory. */
static const char *current_pointer(scan *s, size_t levels, const keyrec *extra) {
  wc_buf *out = &s->pointer;
  out->len = 0;
  int rc = wc_buf_append(out, "", 0);
  for (size_t d = 0; d < levels && d < s->depth && rc == 0; d++) {
    const frame *f = &s->frames[d];
    if (f->is_object) {
      const keyrec *k = wc_js_frame_last_key(s, f);
      if (!k) break;
      rc = wc_pointer_token_append(out, wc_js_key_bytes(s, k), k->len);
    } else {
      char index[16];
      int n = snprintf(index, sizeof index, "/%u", f->count);
      rc = wc_buf_append(out, index, (size_t)n);
    }
  }
  if (rc == 0 && extra) rc = wc_pointer_token_append(out, wc_js_key_bytes(s, extra), extra->len);
  return rc == 0 ? out->data : NULL;
}

static const char *const defect_keyword[] = {
#define JS_DEFECT_KEYWORD(kind, plural) [JS_##kind] = WC_JSON_DEFECT_##kind,
    JS_DEFECT_MAP(JS_DEFECT_KEYWORD)
#undef JS_DEFECT_KEYWORD
};

/* The plural the summary of a repeated in-string defect uses. */
static const char *const string_defect_plural[] = {
#define JS_DEFECT_PLURAL(kind, plural) [JS_##kind] = plural,
    JS_DEFECT_MAP(JS_DEFECT_PLURAL)
#undef JS_DEFECT_PLURAL
};

/* true when the defect repeats a kind already listed for this string: it is
 * counted for the summary instead. */
static bool string_repeat(scan *s, js_defect kind, size_t offset) {
  if (kind >= STRING_DEFECT_KINDS) return false;
  if (!(s->string_seen & (1u << kind))) {
    s->string_seen |= (uint8_t)(1u << kind);
    return false;
  }
  if (s->string_more[kind]++ == 0) s->string_more_offset[kind] = offset;
  return true;
}

static void string_begin(scan *s) {
  s->in_string = true;
  s->string_seen = 0;
}

static void string_end(scan *s, size_t levels) {
  s->in_string = false;
  if (!s->string_seen) return;
  for (js_defect kind = 0; kind < STRING_DEFECT_KINDS; kind++) {
    uint32_t more = s->string_more[kind];
    if (!more) continue;
    s->string_more[kind] = 0;
    wc_js_defect(s, kind, s->string_more_offset[kind], levels, NULL,
                 "%lu more %s in this string, from this offset on (after the first, not listed one by one)",
                 (unsigned long)more, string_defect_plural[kind]);
  }
  s->string_seen = 0;
}

void wc_js_defect(scan *s, js_defect kind, size_t offset, size_t levels, const keyrec *extra,
                  const char *fmt, ...) {
  bool structural = kind == JS_SYNTAX || kind == JS_EMPTY;
  if (structural) {
    s->syntax = s->fatal = true;
    s->syntax_offset = offset;
  } else if (s->in_string && string_repeat(s, kind, offset)) {
    return;
  }
  /* Past the limit, scanning goes on (depth and syntax still matter) but
   * nothing more is listed: the first defect past it adds one last finding
   * that says so. found stops at MAX_FINDINGS + 1. */
  bool listed = s->found < MAX_FINDINGS;
  bool first_unlisted = s->found == MAX_FINDINGS;
  if (s->found <= MAX_FINDINGS) s->found++;
  if (first_unlisted && s->out &&
      wc_findings_add(s->out, NULL, NULL, WC_JSON_DEFECT_LIMIT, offset,
                      "more than %d defects: the rest are not listed", MAX_FINDINGS) != 0)
    s->oom = true;
  if (!structural && !(listed && s->out)) return;
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (structural) memcpy(s->syntax_msg, msg, sizeof msg);
  if (!listed || !s->out) return;
  const char *ptr = current_pointer(s, levels, extra);
  if (!ptr || wc_findings_add(s->out, ptr, NULL, defect_keyword[kind], offset, "%s", msg) != 0) s->oom = true;
}

/* Describes the byte at pos for a message: 'x', byte 0x07, or end of input. */
const char *wc_js_describe_byte(const scan *s, size_t pos, char buf[32]) {
  if (pos >= s->len) return "end of input";
  unsigned char c = s->b[pos];
  if (c > 0x20 && c < 0x7f) snprintf(buf, 32, "'%c'", c);
  else snprintf(buf, 32, "byte 0x%02X", c);
  return buf;
}

void wc_js_syntax_error(scan *s, size_t pos, const char *expected) {
  char buf[32];
  VALUE_DEFECT(s, JS_SYNTAX, pos, "expected %s, found %s", expected, wc_js_describe_byte(s, pos, buf));
}

/* ---- whitespace ---- */

void wc_js_skip_ws(scan *s, size_t levels) {
  while (s->pos < s->len && s->b[s->pos] <= 0x20) {
    unsigned char c = s->b[s->pos];
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      s->pos++;
      continue;
    }
    size_t start = s->pos;
    while (s->pos < s->len && s->b[s->pos] <= 0x20 && s->b[s->pos] != ' ' && s->b[s->pos] != '\n' &&
           s->b[s->pos] != '\r' && s->b[s->pos] != '\t')
      s->pos++;
    wc_js_defect(s, JS_WHITESPACE, start, levels, NULL,
                 "byte 0x%02X is not JSON whitespace (cJSON skips any byte <= 0x20)%s", c,
                 s->pos - start > 1 ? ", nor are the bytes after it" : "");
  }
}

/* ---- strings ---- */

/* Four hex digits at p (bounded by end); -1 when not all are hex. */
static long hex4(const unsigned char *p, const unsigned char *end) {
  if (end - p < 4) return -1;
  long v = 0;
  for (int i = 0; i < 4; i++) {
    int h = wc_hex_digit(p[i]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

/* Length of the run of continuation bytes at pos (at most max). */
static size_t continuation_run(const scan *s, size_t pos, size_t max) {
  size_t n = 0;
  while (n < max && pos + n < s->len && (s->b[pos + n] & 0xC0) == 0x80) n++;
  return n;
}

/* Validates the UTF-8 sequence starting at pos (a byte >= 0x80); returns its
 * length, or reports it once and returns how many bytes to skip (the lead
 * byte and the continuation bytes that belong to it). */
static size_t utf8_sequence(scan *s, size_t pos, size_t levels) {
  size_t bad;
  size_t len = wc_utf8_decode(s->b + pos, s->len - pos, NULL, &bad);
  if (len) return len;
  unsigned char c = s->b[pos];
  if (bad == 0) {
    const char *why = c <= 0xBF  ? "is a continuation byte without a lead byte"
                      : c <= 0xC1 ? "starts an overlong encoding of an ASCII character"
                                  : "cannot appear in UTF-8 (it would lead a code point above U+10FFFF)";
    wc_js_defect(s, JS_UTF8, pos, levels, NULL, "invalid UTF-8: byte 0x%02X %s", c, why);
    return 1 + continuation_run(s, pos + 1, 3);
  }
  if (pos + bad >= s->len) {
    wc_js_defect(s, JS_UTF8, pos, levels, NULL,
                 "invalid UTF-8: sequence starting with 0x%02X is truncated by the end of input", c);
    return bad;
  }
  /* A continuation byte out of the lead byte's range at the second place:
   * the sequence is complete but encodes what UTF-8 forbids. */
  unsigned char d = s->b[pos + bad];
  const char *why = "is truncated (a continuation byte is missing)";
  if (bad == 1 && d >= 0x80 && d <= 0xBF) {
    size_t need = c >= 0xF0 ? 3 : 2; /* continuation bytes of the sequence */
    if (c == 0xE0 || c == 0xF0) why = "is an overlong encoding";
    else if (c == 0xED) why = "encodes a UTF-16 surrogate (U+D800..U+DFFF)";
    else why = "encodes a code point above U+10FFFF";
    bad += continuation_run(s, pos + bad, need);
  }
  wc_js_defect(s, JS_UTF8, pos, levels, NULL, "invalid UTF-8: sequence starting with 0x%02X %s", c, why);
  return bad;
}

/* Reads an escape at pos (the backslash); returns the bytes consumed. */
static size_t escape(scan *s, size_t pos, size_t levels, bool *has_nul) {
  const unsigned char *b = s->b, *end = s->b + s->len;
  if (pos + 1 >= s->len) return 1; /* the caller reports the unterminated string */
  unsigned char e = b[pos + 1];
  switch (e) {
  case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': return 2;
  case 'u': break;
  default: {
    char buf[32];
    wc_js_defect(s, JS_ESCAPE, pos, levels, NULL, "invalid escape: backslash followed by %s",
              wc_js_describe_byte(s, pos + 1, buf));
    return e >= 0x80 ? 1 : 2;
  }
  }
  long cp = hex4(b + pos + 2, end);
  if (cp < 0) {
    size_t k = 0;
    while (k < 4 && pos + 2 + k < s->len && wc_hex_digit(b[pos + 2 + k]) >= 0) k++;
    wc_js_defect(s, JS_ESCAPE, pos, levels, NULL,
              "invalid \\u escape: expected 4 hex digits, found %zu", k);
    return 2 + k;
  }
  if (cp == 0) {
    *has_nul = true;
    wc_js_defect(s, JS_NUL, pos, levels, NULL,
              "\\u0000 escape: cJSON keeps C strings and silently cuts the string here");
    return 6;
  }
  if (cp >= 0xDC00 && cp <= 0xDFFF) {
    wc_js_defect(s, JS_SURROGATE, pos, levels, NULL,
              "lone surrogate \\u%04lX: a low surrogate without a high surrogate before it", (unsigned long)cp);
    return 6;
  }
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    long lo = (pos + 7 < s->len && b[pos + 6] == '\\' && b[pos + 7] == 'u') ? hex4(b + pos + 8, end) : -1;
    if (lo >= 0xDC00 && lo <= 0xDFFF) return 12;
    wc_js_defect(s, JS_SURROGATE, pos, levels, NULL,
              "lone surrogate \\u%04lX: a high surrogate not followed by a low surrogate escape",
              (unsigned long)cp);
    return 6;
  }
  return 6;
}

void wc_js_read_string(scan *s, size_t i, size_t levels, bool *escaped) {
  const unsigned char *b = s->b;
  size_t len = s->len, start = s->pos;
  bool nul = false;
  string_begin(s);
  for (;;) {
    if (i >= len) break;
    unsigned char c = b[i];
    if (c == '"') {
      s->pos = i + 1;
      string_end(s, levels);
      return;
    }
    if (c == '\\') {
      *escaped = true;
      i += escape(s, i, levels, &nul);
    } else if (c < 0x20) {
      if (c == 0)
        wc_js_defect(s, JS_CONTROL, i, levels, NULL,
                  "raw NUL byte in a string (must be escaped as \\u0000; cJSON cuts the string here)");
      else
        wc_js_defect(s, JS_CONTROL, i, levels, NULL,
                  "raw control character 0x%02X in a string (must be escaped)", c);
      i++;
    } else {
      i += utf8_sequence(s, i, levels);
    }
    if (s->fatal) {
      string_end(s, levels);
      return;
    }
    i = wc_js_skip_plain(b, i, len);
  }
  s->pos = len;
  string_end(s, levels);
  wc_js_defect(s, JS_SYNTAX, start, levels, NULL,
            "unterminated string: no closing quote before the end of input");
}

/* Decodes the content of a key with escapes (start: opening quote) into
 * scratch, leniently: defects were already reported. */
int wc_js_decode_key(scan *s, size_t start, size_t end, keyrec *k) {
  const unsigned char *b = s->b, *lim = s->b + end;
  k->data = s->scratch.len;
  k->in_scratch = true;
  int rc = 0;
  for (size_t i = start + 1; i < end && rc == 0;) {
    if (b[i] != '\\' || i + 1 >= end) {
      rc = wc_buf_append(&s->scratch, b + i, 1);
      i++;
      continue;
    }
    unsigned char e = b[i + 1];
    const char *simple = NULL;
    switch (e) {
    case '"': simple = "\""; break;
    case '\\': simple = "\\"; break;
    case '/': simple = "/"; break;
    case 'b': simple = "\b"; break;
    case 'f': simple = "\f"; break;
    case 'n': simple = "\n"; break;
    case 'r': simple = "\r"; break;
    case 't': simple = "\t"; break;
    default: break;
    }
    if (simple) {
      rc = wc_buf_append(&s->scratch, simple, 1);
      i += 2;
      continue;
    }
    long cp = e == 'u' ? hex4(b + i + 2, lim) : -1;
    if (cp < 0) {
      rc = wc_buf_append(&s->scratch, b + i, 2);
      i += 2;
      continue;
    }
    i += 6;
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < end && b[i] == '\\' && b[i + 1] == 'u') {
      long lo = hex4(b + i + 2, lim);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        i += 6;
      }
    }
    unsigned char u[4];
    size_t n;
    if (cp < 0x80) u[0] = (unsigned char)cp, n = 1;
    else if (cp < 0x800) u[0] = (unsigned char)(0xC0 | cp >> 6), u[1] = (unsigned char)(0x80 | (cp & 0x3F)), n = 2;
    else if (cp < 0x10000)
      u[0] = (unsigned char)(0xE0 | cp >> 12), u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)),
      u[2] = (unsigned char)(0x80 | (cp & 0x3F)), n = 3;
    else
      u[0] = (unsigned char)(0xF0 | cp >> 18), u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F)),
      u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (unsigned char)(0x80 | (cp & 0x3F)), n = 4;
    rc = wc_buf_append(&s->scratch, u, n);
  }
  k->len = (uint32_t)(s->scratch.len - k->data);
  return rc;
}

/* ---- duplicate keys ---- */

static uint32_t key_hash(const scan *s, keyrec *k) {
  if (!k->hashed) {
    const unsigned char *p = (const unsigned char *)wc_js_key_bytes(s, k);
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < k->len; i++) h = (h ^ p[i]) * 16777619u;
    k->hash = h;
    k->hashed = true;
  }
  return k->hash;
}

bool wc_js_same_key(const scan *s, const keyrec *a, const keyrec *b) {
  return a->len == b->len && memcmp(wc_js_key_bytes(s, a), wc_js_key_bytes(s, b), a->len) == 0;
}

/* Inserts key index ki into f's table; returns the index of an equal key
 * already there, or -1. */
static long table_insert(scan *s, frame *f, size_t ki) {
  size_t mask = f->table_cap - 1;
  uint32_t h = key_hash(s, &s->keys[ki]);
  for (size_t slot = h & mask;; slot = (slot + 1) & mask) {
    uint32_t e = f->table[slot];
    if (!e) {
      f->table[slot] = (uint32_t)(ki - f->key_base + 1);
      return -1;
    }
    keyrec *other = &s->keys[f->key_base + e - 1];
    if (key_hash(s, other) == h && wc_js_same_key(s, other, &s->keys[ki])) return (long)(f->key_base + e - 1);
  }
}

static int table_grow(scan *s, frame *f) {
  size_t cap = f->table_cap ? f->table_cap * 2 : 64;
  uint32_t *t = calloc(cap, sizeof *t);
  if (!t) return -1;
  free(f->table);
  f->table = t;
  f->table_cap = cap;
  /* Keys already in the object (the new one, last, is inserted by the caller). */
  for (size_t i = f->key_base; i + 1 < s->nkeys; i++) (void)table_insert(s, f, i);
  return 0;
}

/* The key just appended (the last in s->keys) duplicates an earlier one of
 * the same object: returns that one's index or -1. */
long wc_js_find_duplicate(scan *s, frame *f) {
  size_t ki = s->nkeys - 1;
  size_t n = ki - f->key_base;
  if (n < LINEAR_KEYS && !f->table) {
    const keyrec *k = &s->keys[ki];
    for (size_t i = f->key_base; i < ki; i++)
      if (wc_js_same_key(s, &s->keys[i], k)) return (long)i;
    return -1;
  }
  if ((n + 1) * 2 > f->table_cap && table_grow(s, f) != 0) {
    s->oom = true;
    return -1;
  }
  return table_insert(s, f, ki);
}

/* ---- numbers and literals ---- */


static bool has_word(const scan *s, size_t pos, const char *word) {
  size_t n = strlen(word);
  return s->len - pos >= n && memcmp(s->b + pos, word, n) == 0;
}

/* Would strtod turn this (well-formed) number into infinity? */
static bool number_overflows(const unsigned char *p, size_t n) {
  char small[64];
  char *text = n < sizeof small ? small : malloc(n + 1);
  if (!text) return false;
  memcpy(text, p, n);
  text[n] = '\0';
  double d = strtod(text, NULL);
  if (text != small) free(text);
  return isinf(d);
}

/* Skips the rest of a malformed number-like token. */
static void skip_number_bytes(scan *s) {
  while (s->pos < s->len && wc_js_is_number_byte(s->b[s->pos])) s->pos++;
}

void wc_js_read_number(scan *s) {
  const unsigned char *b = s->b;
  size_t len = s->len, start = s->pos, i = s->pos;
  if (b[i] == '-') {
    i++;
    if (has_word(s, i, "Infinity")) {
      VALUE_DEFECT(s, JS_NONFINITE, start, "-Infinity is not a JSON number");
      s->pos = i + 8;
      return;
    }
    if (i >= len || !wc_js_is_digit(b[i])) {
      VALUE_DEFECT(s, JS_NUMBER, start, "'-' must be followed by a digit");
      s->pos = i;
      skip_number_bytes(s);
      return;
    }
  }
  size_t int_start = i;
  if (b[i] == '0') {
    i++;
    if (i < len && wc_js_is_digit(b[i])) {
      VALUE_DEFECT(s, JS_NUMBER, start, "leading zero: a number cannot start with 0 followed by a digit");
      s->pos = i;
      skip_number_bytes(s);
      return;
    }
  } else {
    while (i < len && wc_js_is_digit(b[i])) i++;
  }
  size_t int_digits = i - int_start;
  bool exp = false;
  if (i < len && b[i] == '.') {
    i++;
    if (i >= len || !wc_js_is_digit(b[i])) {
      VALUE_DEFECT(s, JS_NUMBER, start, "'.' must be followed by a digit");
      s->pos = i;
      skip_number_bytes(s);
      return;
    }
    while (i < len && wc_js_is_digit(b[i])) i++;
  }
  if (i < len && (b[i] == 'e' || b[i] == 'E')) {
    exp = true;
    i++;
    if (i < len && (b[i] == '+' || b[i] == '-')) i++;
    if (i >= len || !wc_js_is_digit(b[i])) {
      VALUE_DEFECT(s, JS_NUMBER, start, "an exponent must have at least one digit");
      s->pos = i;
      skip_number_bytes(s);
      return;
    }
    while (i < len && wc_js_is_digit(b[i])) i++;
  }
  s->pos = i;
  if ((exp || int_digits > 300) && number_overflows(b + start, i - start))
    VALUE_DEFECT(s, JS_OVERFLOW, start,
                 "number %.*s%s overflows a double (cJSON stores infinity)", (int)(i - start > 40 ? 40 : i - start),
                 (const char *)b + start, i - start > 40 ? "..." : "");
}

/* A value that is not a string, number, object or array. */
void wc_js_read_other(scan *s) {
  size_t pos = s->pos;
  unsigned char c = s->b[pos];
  if (c == 't' && has_word(s, pos, "true")) s->pos += 4;
  else if (c == 'f' && has_word(s, pos, "false")) s->pos += 5;
  else if (c == 'n' && has_word(s, pos, "null")) s->pos += 4;
  else if (has_word(s, pos, "NaN")) {
    VALUE_DEFECT(s, JS_NONFINITE, pos, "NaN is not a JSON number");
    s->pos += 3;
  } else if (has_word(s, pos, "Infinity")) {
    VALUE_DEFECT(s, JS_NONFINITE, pos, "Infinity is not a JSON number");
    s->pos += 8;
  } else if (c == '.' || c == '+') {
    VALUE_DEFECT(s, JS_NUMBER, pos, c == '.' ? "a number must have a digit before '.'"
                                                         : "a number cannot start with '+'");
    skip_number_bytes(s);
  } else {
    wc_js_syntax_error(s, pos, "a value (object, array, string, number, true, false or null)");
  }
}
