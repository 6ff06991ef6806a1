/* Private to json_strict.c (the pass) and json_strict_tokens.c (everything
 * the pass does not do for every token: defects, escapes, UTF-8, numbers
 * that are not plain, duplicate keys in large objects). */
#ifndef WHOPCONF_JSON_STRICT_INTERNAL_H
#define WHOPCONF_JSON_STRICT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "whopconf/json_strict.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Beyond this many findings nothing more is recorded (the scan goes on): a
 * binary blob would otherwise give one finding per byte, and no reader goes
 * past the first hundred. */
#define MAX_FINDINGS 100
/* Objects with more keys than this switch from a linear duplicate search to
 * a hash table. */
#define LINEAR_KEYS 16
#define INLINE_FRAMES 64
#define INLINE_KEYS 128

/* The defects: X(kind, plural). Each is reported with the public keyword
 * WC_JSON_DEFECT_<kind>. The kinds with a plural come first: they can repeat
 * inside one string, and the repeats are summed up there ("3 more invalid
 * escapes"). */
#define JS_DEFECT_MAP(X)                                                                            \
  X(CONTROL, "raw control characters")                                                              \
  X(UTF8, "invalid UTF-8 sequences")                                                                \
  X(ESCAPE, "invalid escapes")                                                                      \
  X(NUL, "\\u0000 escapes")                                                                         \
  X(SURROGATE, "lone surrogates")                                                                   \
  X(SYNTAX, NULL)                                                                                   \
  X(EMPTY, NULL)                                                                                    \
  X(TRAILING, NULL)                                                                                 \
  X(BOM, NULL)                                                                                      \
  X(WHITESPACE, NULL)                                                                               \
  X(DUP_KEY, NULL)                                                                                  \
  X(NUMBER, NULL)                                                                                   \
  X(OVERFLOW, NULL)                                                                                 \
  X(NONFINITE, NULL)                                                                                \
  X(DEPTH, NULL)

typedef enum js_defect {
#define JS_DEFECT_ENUM(kind, plural) JS_##kind,
  JS_DEFECT_MAP(JS_DEFECT_ENUM)
#undef JS_DEFECT_ENUM
} js_defect;
#define STRING_DEFECT_KINDS JS_SYNTAX /* the kinds with a plural */

typedef struct frame {
  bool is_object;
  uint32_t count;      /* array: index of the current element; object: keys seen */
  size_t key_base;     /* object: first key of this object in scan.keys */
  size_t scratch_base; /* object: decoded-key bytes owned by this object */
  uint32_t *table;     /* object with many keys: open addressing, key index + 1 */
  size_t table_cap;
} frame;

typedef struct keyrec {
  size_t offset;   /* of the opening quote */
  size_t data;     /* start of the key bytes, in the input or in scratch */
  uint32_t len;
  uint32_t hash;
  uint32_t sig;    /* key_signature() */
  bool in_scratch; /* the key had escapes and was decoded */
  bool hashed;
} keyrec;

typedef struct scan {
  const unsigned char *b;
  size_t len;
  size_t pos;
  size_t max_depth;
  wc_findings *out;
  size_t found;
  bool fatal;    /* the scan ended early (any of the three below) */
  bool syntax;   /* not JSON: a structural error or no value at all */
  bool too_deep;
  bool oom;
  size_t syntax_offset;
  /* Inside one string, only the first defect of each kind is listed; the
   * rest are counted and summed up in one finding when the string ends
   * (a binary blob in a string is one problem, not thousands). */
  bool in_string;
  uint8_t string_seen; /* bit per js_defect below STRING_DEFECT_KINDS */
  uint32_t string_more[STRING_DEFECT_KINDS];
  size_t string_more_offset[STRING_DEFECT_KINDS];
  /* (scan_init zeroes everything above frames_inline) */

  frame *frames;
  size_t depth, frames_cap;
  frame frames_inline[INLINE_FRAMES];

  keyrec *keys;
  size_t nkeys, keys_cap;
  keyrec keys_inline[INLINE_KEYS];

  wc_buf scratch; /* decoded keys that contained escapes */
  wc_buf pointer; /* the pointer of the last defect, rebuilt for each */

  char syntax_msg[256];
} scan;

/* 1 for bytes that need no attention inside a string. */
extern const unsigned char wc_js_plain_byte[256];

static inline const keyrec *wc_js_frame_last_key(const scan *s, const frame *f) {
  return f->count ? &s->keys[f->key_base + f->count - 1] : NULL;
}

static inline const char *wc_js_key_bytes(const scan *s, const keyrec *k) {
  return k->in_scratch ? s->scratch.data + k->data : (const char *)s->b + k->data;
}

/* Skips bytes that need no attention inside a string. */
static inline size_t wc_js_skip_plain(const unsigned char *b, size_t i, size_t len) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  while (i + 16 <= len) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
    /* Signed compare: bytes >= 0x80 are negative, so one test catches
     * control characters and non-ASCII bytes alike. */
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                               _mm_cmplt_epi8(v, space));
    unsigned mask = (unsigned)_mm_movemask_epi8(hit);
    if (mask) return i + (size_t)__builtin_ctz(mask);
    i += 16;
  }
#endif
  while (i < len && wc_js_plain_byte[b[i]]) i++;
  return i;
}

static inline bool wc_js_is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static inline bool wc_js_is_number_byte(unsigned char c) {
  return wc_js_is_digit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
}

/* ---- json_strict_tokens.c ---- */

/* Records a defect (up to the limit); a structural one (syntax, empty)
 * also ends the scan. The pointer covers the children being read in the
 * first `levels` containers, plus `extra` (a key) when given. */
void wc_js_defect(scan *s, js_defect kind, size_t offset, size_t levels, const keyrec *extra,
                  const char *fmt, ...) WC_PRINTF(6, 7);
/* A defect in a value: its pointer is the full path. */
#define VALUE_DEFECT(s, kw, off, ...) wc_js_defect(s, kw, off, (s)->depth, NULL, __VA_ARGS__)
const char *wc_js_describe_byte(const scan *s, size_t pos, char buf[32]);
void wc_js_syntax_error(scan *s, size_t pos, const char *expected);
/* The following read and move s->pos. */
void wc_js_skip_ws(scan *s, size_t levels);
void wc_js_read_string(scan *s, size_t i, size_t levels, bool *escaped);
void wc_js_read_number(scan *s);
void wc_js_read_other(scan *s);
/* Keys */
int wc_js_decode_key(scan *s, size_t start, size_t end, keyrec *k);
bool wc_js_same_key(const scan *s, const keyrec *a, const keyrec *b);
long wc_js_find_duplicate(scan *s, frame *f);

#endif
