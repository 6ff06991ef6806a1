/* Strict RFC 8259 pass over raw bytes, then cJSON for the tree.
 *
 * The pass is one loop over the bytes with an explicit stack of containers
 * (no recursion, so depth is bounded by max_depth, not by the C stack). It
 * only records defects: it never builds values. Defects that leave the
 * structure intact (duplicate keys, bad UTF-8, control characters, bad
 * escapes, malformed numbers, NaN) are reported and scanning goes on, so one
 * run lists all of them; a structural error (a byte that cannot start or
 * continue the document) ends the scan.
 *
 * Instance pointers are rebuilt from the container stack only when a defect
 * is found, so the common (clean) path pays nothing for them. */
#include <math.h>
#include <stdio.h>

#include "json_strict_internal.h"

/* ---- stacks ---- */

static int push_frame(scan *s, bool is_object) {
  if (s->depth == s->frames_cap) {
    size_t cap = s->frames_cap * 2;
    frame *fr = s->frames == s->frames_inline ? malloc(cap * sizeof *fr) : realloc(s->frames, cap * sizeof *fr);
    if (!fr) return -1;
    if (s->frames == s->frames_inline) memcpy(fr, s->frames_inline, sizeof s->frames_inline);
    s->frames = fr;
    s->frames_cap = cap;
  }
  frame *f = &s->frames[s->depth++];
  f->is_object = is_object;
  f->count = 0;
  f->key_base = s->nkeys;
  f->scratch_base = s->scratch.len;
  f->table = NULL;
  f->table_cap = 0;
  return 0;
}

static void pop_frame(scan *s) {
  frame *f = &s->frames[--s->depth];
  if (f->is_object) {
    s->nkeys = f->key_base;
    if (s->scratch.data) {
      s->scratch.len = f->scratch_base;
      s->scratch.data[s->scratch.len] = '\0';
    }
    if (f->table) free(f->table);
  }
}

static keyrec *push_key(scan *s) {
  if (s->nkeys == s->keys_cap) {
    size_t cap = s->keys_cap * 2;
    keyrec *k = s->keys == s->keys_inline ? malloc(cap * sizeof *k) : realloc(s->keys, cap * sizeof *k);
    if (!k) return NULL;
    if (s->keys == s->keys_inline) memcpy(k, s->keys_inline, sizeof s->keys_inline);
    s->keys = k;
    s->keys_cap = cap;
  }
  return &s->keys[s->nkeys++];
}

/* ---- the pass ---- */

/* A number of the common shape, -?(0|[1-9][0-9]*)(\.[0-9]+)? with no
 * exponent and fewer than 300 digits, followed by a byte that cannot
 * continue it: returns its end, or 0 to let wc_js_read_number judge it. */
static inline size_t plain_number_end(const unsigned char *b, size_t pos, size_t len) {
  size_t i = pos + (b[pos] == '-');
  if (i >= len) return 0;
  size_t int_start = i;
  if (b[i] == '0') {
    i++;
  } else {
    while (i < len && wc_js_is_digit(b[i])) i++;
    if (i == int_start || i - int_start > 300) return 0;
  }
  if (i < len && b[i] == '.') {
    size_t frac = ++i;
    while (i < len && wc_js_is_digit(b[i])) i++;
    if (i == frac) return 0;
  }
  if (i < len && (wc_js_is_digit(b[i]) || b[i] == 'e' || b[i] == 'E' || b[i] == '.')) return 0;
  return i;
}

/* Key signature: equal keys have equal signatures, so most comparisons of
 * a new key with the earlier keys of its object are one integer test. */
static inline uint32_t key_signature(const char *p, uint32_t n) {
  return n ? n ^ (uint32_t)(unsigned char)p[0] << 16 ^ (uint32_t)(unsigned char)p[n - 1] << 24 : 0;
}

/* Records the key of the current object whose quotes are at start and
 * end - 1, and reports it if it repeats an earlier one. */
static inline void add_key(scan *s, size_t start, size_t end, bool escaped) {
  frame *f = &s->frames[s->depth - 1];
  keyrec *k = push_key(s);
  if (!k) {
    s->oom = s->fatal = true;
    return;
  }
  k->offset = start;
  k->hashed = false;
  if (escaped) {
    if (wc_js_decode_key(s, start, end - 1, k) != 0) {
      s->oom = s->fatal = true;
      return;
    }
  } else {
    k->data = start + 1;
    k->len = (uint32_t)(end - start - 2);
    k->in_scratch = false;
  }
  const char *bytes = wc_js_key_bytes(s, k);
  k->sig = key_signature(bytes, k->len);
  long dup = -1;
  if (f->count < LINEAR_KEYS && !f->table) {
    for (size_t i = f->key_base; i + 1 < s->nkeys; i++)
      if (s->keys[i].sig == k->sig && wc_js_same_key(s, &s->keys[i], k)) {
        dup = (long)i;
        break;
      }
  } else {
    dup = wc_js_find_duplicate(s, f);
  }
  f->count++;
  if (dup >= 0)
    wc_js_defect(s, JS_DUP_KEY, start, s->depth - 1, k,
              "duplicate key \"%.*s\" (first at offset %zu; cJSON keeps both, lookups see the first)",
              (int)(k->len > 60 ? 60 : k->len), bytes, s->keys[dup].offset);
}

/* The pass: three states (a value is expected, a value just ended, a key
 * is expected) joined by gotos, so each token costs one dispatch on its
 * first byte. The position lives in a local (a register) and is written
 * back to s->pos only around the out-of-line paths that read or move it. */
static void run(scan *s) {
  const unsigned char *const b = s->b;
  const size_t len = s->len;
  size_t pos = 0;

#define SLOW(call)        \
  do {                    \
    s->pos = pos;         \
    call;                 \
    pos = s->pos;         \
    if (s->fatal) return; \
  } while (0)
#define WS(levels)                                                    \
  do {                                                                \
    if (pos < len && b[pos] <= 0x20) SLOW(wc_js_skip_ws(s, (levels))); \
  } while (0)

  if (len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
    wc_js_defect(s, JS_BOM, 0, 0, NULL, "UTF-8 byte order mark (RFC 8259 forbids it; cJSON skips it)");
    pos = 3;
  }
  WS(0);
  if (pos >= len) {
    wc_js_defect(s, JS_EMPTY, pos, 0, NULL, "no JSON value: the input is empty or only whitespace");
    return;
  }

value:
  if (pos >= len) SLOW(wc_js_syntax_error(s, pos, "a value"));
  switch (b[pos]) {
  case '"': {
    size_t i = wc_js_skip_plain(b, pos + 1, len);
    if (i < len && b[i] == '"') {
      pos = i + 1;
    } else {
      bool escaped;
      SLOW(wc_js_read_string(s, i, s->depth, &escaped));
    }
    break;
  }
  case '-': case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9': {
    size_t end = plain_number_end(b, pos, len);
    if (end) pos = end;
    else SLOW(wc_js_read_number(s));
    break;
  }
  case '{':
  case '[': {
    bool is_object = b[pos] == '{';
    if (s->depth >= s->max_depth) {
      VALUE_DEFECT(s, JS_DEPTH, pos, "nested deeper than %zu levels", s->max_depth);
      s->too_deep = s->fatal = true;
      return;
    }
    if (push_frame(s, is_object) != 0) {
      s->oom = s->fatal = true;
      return;
    }
    pos++;
    WS(s->depth);
    if (pos < len && b[pos] == (is_object ? '}' : ']')) {
      pop_frame(s);
      pos++;
      break;
    }
    if (is_object) goto key;
    goto value;
  }
  case 't':
    if (len - pos >= 4 && memcmp(b + pos, "true", 4) == 0) pos += 4;
    else SLOW(wc_js_read_other(s));
    break;
  case 'f':
    if (len - pos >= 5 && memcmp(b + pos, "false", 5) == 0) pos += 5;
    else SLOW(wc_js_read_other(s));
    break;
  case 'n':
    if (len - pos >= 4 && memcmp(b + pos, "null", 4) == 0) pos += 4;
    else SLOW(wc_js_read_other(s));
    break;
  default: SLOW(wc_js_read_other(s)); break;
  }

after_value:
  WS(s->depth);
  if (s->depth == 0) {
    if (pos < len)
      wc_js_defect(s, JS_TRAILING, pos, 0, NULL, "%zu trailing byte%s after the JSON value (cJSON ignores them)",
                len - pos, len - pos == 1 ? "" : "s");
    s->pos = pos;
    return;
  }
  {
    frame *f = &s->frames[s->depth - 1];
    unsigned char c = pos < len ? b[pos] : 0;
    if (c == ',') {
      pos++;
      if (f->is_object) {
        WS(s->depth - 1);
        goto key;
      }
      f->count++;
      WS(s->depth);
      goto value;
    }
    if (pos < len && c == (f->is_object ? '}' : ']')) {
      pop_frame(s);
      pos++;
      goto after_value;
    }
    SLOW(wc_js_syntax_error(s, pos, f->is_object ? "',' or '}' after an object member" : "',' or ']' after an array element"));
    return;
  }

key:
  if (pos >= len || b[pos] != '"') {
    char buf[32];
    wc_js_defect(s, JS_SYNTAX, pos, s->depth - 1, NULL, "expected a string key, found %s",
              wc_js_describe_byte(s, pos, buf));
    return;
  }
  {
    size_t start = pos;
    bool escaped = false;
    size_t i = wc_js_skip_plain(b, pos + 1, len);
    if (i < len && b[i] == '"') pos = i + 1;
    else SLOW(wc_js_read_string(s, i, s->depth - 1, &escaped));
    add_key(s, start, pos, escaped);
    if (s->fatal) return;
  }
  WS(s->depth);
  if (pos >= len || b[pos] != ':') SLOW(wc_js_syntax_error(s, pos, "':' after an object key"));
  pos++;
  WS(s->depth);
  goto value;
#undef WS
#undef SLOW
}

static void scan_init(scan *s, const char *buf, size_t len, const wc_json_opts *opts, wc_findings *out) {
  /* The inline stacks are left uninitialised: they are written before read. */
  memset(s, 0, offsetof(scan, frames_inline));
  s->nkeys = 0;
  s->b = (const unsigned char *)buf;
  s->len = buf ? len : 0;
  s->max_depth = opts && opts->max_depth ? opts->max_depth : WC_JSON_DEFAULT_MAX_DEPTH;
  s->out = out;
  s->frames = s->frames_inline;
  s->frames_cap = INLINE_FRAMES;
  s->keys = s->keys_inline;
  s->keys_cap = INLINE_KEYS;
  wc_buf_init(&s->scratch);
  wc_buf_init(&s->pointer);
}

static void scan_release(scan *s) {
  while (s->depth) pop_frame(s);
  if (s->frames != s->frames_inline) free(s->frames);
  if (s->keys != s->keys_inline) free(s->keys);
  wc_buf_free(&s->scratch);
  wc_buf_free(&s->pointer);
}

size_t wc_json_strict_check(const char *buf, size_t len, const wc_json_opts *opts, wc_findings *out) {
  scan s;
  scan_init(&s, buf, len, opts, out);
  run(&s);
  scan_release(&s);
  return s.found;
}

cJSON *wc_json_parse(const char *buf, size_t len, const wc_json_opts *opts, wc_findings *out, wc_err *err) {
  wc_err_clear(err);
  scan s;
  scan_init(&s, buf, len, opts, out);
  run(&s);
  scan_release(&s);
  if (s.oom) {
    wc_err_set(err, WC_E_NOMEM, "out of memory while checking JSON");
    return NULL;
  }
  if (s.too_deep) {
    wc_err_set(err, WC_E_PARSE, "JSON nested deeper than %zu levels: not parsed", s.max_depth);
    return NULL;
  }
  /* After a structural error cJSON would fail too, or read something else
   * than the bytes say: it is not asked. Trailing bytes are not structural:
   * the value before them is whole. */
  if (s.syntax) {
    wc_err_set(err, WC_E_PARSE, "not JSON: offset %zu: %s", s.syntax_offset, s.syntax_msg);
    return NULL;
  }
  cJSON *tree = cJSON_ParseWithLength(buf, len);
  if (!tree) wc_err_set(err, WC_E_PARSE, "not JSON: cJSON cannot represent it (see the strict-JSON defects)");
  return tree;
}
