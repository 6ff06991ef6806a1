/* The `pattern` dialect: ECMA-262 regular expression syntax, matched on
 * Unicode code points (as with the `u` flag), with no backtracking.
 *
 * Supported: literals, `.`, classes `[...]`/`[^...]` with ranges, `\d \D \w
 * \W \s \S`, anchors `^ $`, word boundaries `\b \B`, groups `(...)`,
 * `(?:...)`, `(?<name>...)`, alternation, quantifiers `* + ? {n} {n,}
 * {n,m}` (lazy forms too: for a yes/no match they are the same), escapes
 * `\t \n \v \f \r \0 \cX \xHH \uHHHH \u{H...}` and identity escapes of
 * punctuation. Refused at compile time (the pattern would otherwise be
 * matched wrongly): lookahead/lookbehind, backreferences, `\p{...}`/`\P{...}`,
 * inline flags and unknown letter escapes.
 *
 * Matching is a Thompson/Pike simulation: time is linear in the text for a
 * given program, so a hostile response cannot make validation hang. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_internal.h"

#define MAX_PROGRAM 20000
#define MAX_NESTING 200
#define MAX_REPEAT 1000
#define CP_MAX 0x10FFFF

/* ---- character classes: sorted, merged ranges of code points ---- */

typedef struct range {
  uint32_t lo, hi;
} range;

typedef struct cclass {
  range *r;
  size_t n, cap;
} cclass;

static int class_add(cclass *c, uint32_t lo, uint32_t hi) {
  if (c->n == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 8;
    range *r = realloc(c->r, cap * sizeof *r);
    if (!r) return -1;
    c->r = r;
    c->cap = cap;
  }
  c->r[c->n++] = (range){lo, hi};
  return 0;
}

static int cmp_range(const void *a, const void *b) {
  const range *x = a, *y = b;
  return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void class_normalize(cclass *c) {
  if (!c->n) return;
  qsort(c->r, c->n, sizeof *c->r, cmp_range);
  size_t w = 0;
  for (size_t i = 1; i < c->n; i++) {
    if (c->r[i].lo <= c->r[w].hi + 1) {
      if (c->r[i].hi > c->r[w].hi) c->r[w].hi = c->r[i].hi;
    } else {
      c->r[++w] = c->r[i];
    }
  }
  c->n = w + 1;
}

static int class_negate(cclass *c) {
  class_normalize(c);
  cclass out = {0};
  uint32_t next = 0;
  int rc = 0;
  for (size_t i = 0; i < c->n && rc == 0; i++) {
    if (c->r[i].lo > next) rc = class_add(&out, next, c->r[i].lo - 1);
    next = c->r[i].hi + 1;
  }
  if (rc == 0 && next <= CP_MAX) rc = class_add(&out, next, CP_MAX);
  free(c->r);
  *c = out;
  return rc;
}

static bool class_has(const cclass *c, uint32_t cp) {
  size_t lo = 0, hi = c->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (cp < c->r[mid].lo) hi = mid;
    else if (cp > c->r[mid].hi) lo = mid + 1;
    else return true;
  }
  return false;
}

static const range digit_ranges[] = {{'0', '9'}};
static const range word_ranges[] = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
static const range space_ranges[] = {{0x09, 0x0D}, {0x20, 0x20}, {0xA0, 0xA0}, {0x1680, 0x1680},
                                     {0x2000, 0x200A}, {0x2028, 0x2029}, {0x202F, 0x202F},
                                     {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF}};
static const range line_terminators[] = {{0x0A, 0x0A}, {0x0D, 0x0D}, {0x2028, 0x2029}};

static int class_add_set(cclass *c, const range *set, size_t n, bool negated) {
  cclass tmp = {0};
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) rc = class_add(&tmp, set[i].lo, set[i].hi);
  if (rc == 0 && negated) rc = class_negate(&tmp);
  for (size_t i = 0; i < tmp.n && rc == 0; i++) rc = class_add(c, tmp.r[i].lo, tmp.r[i].hi);
  free(tmp.r);
  return rc;
}

/* ---- syntax tree ---- */

typedef enum nkind { N_EMPTY, N_CHAR, N_CLASS, N_BOL, N_EOL, N_WORDB, N_NWORDB, N_CAT, N_ALT, N_REPEAT } nkind;

typedef struct rnode {
  nkind kind;
  uint32_t cp;      /* N_CHAR */
  size_t cls;       /* N_CLASS: index into the class table */
  struct rnode **kids; /* N_CAT, N_ALT */
  size_t nkids, kids_cap;
  struct rnode *sub; /* N_REPEAT */
  int min, max;      /* max -1: unbounded */
} rnode;

typedef enum opcode { OP_CHAR, OP_CLASS, OP_MATCH, OP_JMP, OP_SPLIT, OP_BOL, OP_EOL, OP_WORDB, OP_NWORDB } opcode;

typedef struct inst {
  opcode op;
  uint32_t arg;  /* code point, class index, or jump target */
  uint32_t arg2; /* second target of OP_SPLIT */
} inst;

struct wc_regex {
  inst *prog;
  size_t nprog;
  cclass *classes;
  size_t nclasses;
  bool anchored; /* starts with ^: try position 0 only */
};

typedef struct parser {
  const unsigned char *p, *end;
  const char *pattern;
  char *why;
  size_t why_len;
  bool failed;
  int nesting;
  cclass *classes;
  size_t nclasses, classes_cap;
  rnode **all; /* every node, for freeing */
  size_t nall, all_cap;
} parser;

static void fail(parser *ps, const char *fmt, const char *detail) {
  if (ps->failed) return;
  ps->failed = true;
  if (ps->why && ps->why_len) snprintf(ps->why, ps->why_len, fmt, detail ? detail : "");
}

static rnode *new_node(parser *ps, nkind kind) {
  if (ps->failed) return NULL;
  if (ps->nall == ps->all_cap) {
    size_t cap = ps->all_cap ? ps->all_cap * 2 : 32;
    rnode **a = realloc(ps->all, cap * sizeof *a);
    if (!a) {
      fail(ps, "out of memory%s", NULL);
      return NULL;
    }
    ps->all = a;
    ps->all_cap = cap;
  }
  rnode *n = calloc(1, sizeof *n);
  if (!n) {
    fail(ps, "out of memory%s", NULL);
    return NULL;
  }
  n->kind = kind;
  ps->all[ps->nall++] = n;
  return n;
}

static void add_kid(parser *ps, rnode *parent, rnode *kid) {
  if (!parent || !kid) return;
  if (parent->nkids == parent->kids_cap) {
    size_t cap = parent->kids_cap ? parent->kids_cap * 2 : 4;
    rnode **k = realloc(parent->kids, cap * sizeof *k);
    if (!k) {
      fail(ps, "out of memory%s", NULL);
      return;
    }
    parent->kids = k;
    parent->kids_cap = cap;
  }
  parent->kids[parent->nkids++] = kid;
}

static size_t new_class(parser *ps) {
  if (ps->nclasses == ps->classes_cap) {
    size_t cap = ps->classes_cap ? ps->classes_cap * 2 : 4;
    cclass *c = realloc(ps->classes, cap * sizeof *c);
    if (!c) {
      fail(ps, "out of memory%s", NULL);
      return 0;
    }
    ps->classes = c;
    ps->classes_cap = cap;
  }
  ps->classes[ps->nclasses] = (cclass){0};
  return ps->nclasses++;
}

static rnode *class_node(parser *ps, const range *set, size_t n, bool negated) {
  rnode *node = new_node(ps, N_CLASS);
  if (!node) return NULL;
  node->cls = new_class(ps);
  if (!ps->failed && class_add_set(&ps->classes[node->cls], set, n, negated) != 0) fail(ps, "out of memory%s", NULL);
  if (!ps->failed) class_normalize(&ps->classes[node->cls]);
  return node;
}

/* Decodes one UTF-8 code point of the pattern (lenient: a stray byte is
 * taken as itself). */
static uint32_t next_cp(parser *ps) {
  const unsigned char *p = ps->p;
  uint32_t c = *p;
  size_t n = 1;
  if (c >= 0xF0 && ps->end - p >= 4) c = (c & 7u) << 18 | (p[1] & 63u) << 12 | (p[2] & 63u) << 6 | (p[3] & 63u), n = 4;
  else if (c >= 0xE0 && ps->end - p >= 3) c = (c & 15u) << 12 | (p[1] & 63u) << 6 | (p[2] & 63u), n = 3;
  else if (c >= 0xC0 && ps->end - p >= 2) c = (c & 31u) << 6 | (p[1] & 63u), n = 2;
  ps->p += n;
  return c;
}

static long read_hex(parser *ps, int digits) {
  if (ps->end - ps->p < digits) return -1;
  long v = 0;
  for (int i = 0; i < digits; i++) {
    int h = wc_hex_digit(ps->p[i]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  ps->p += digits;
  return v;
}

/* Escapes that stand for a set: \d \D \w \W \s \S. Returns true and fills
 * the class when the letter is one of them. */
static bool class_escape(parser *ps, unsigned char letter, cclass *into) {
  const range *set = NULL;
  size_t n = 0;
  switch (letter | 0x20) {
  case 'd': set = digit_ranges, n = 1; break;
  case 'w': set = word_ranges, n = 4; break;
  case 's': set = space_ranges, n = sizeof space_ranges / sizeof *space_ranges; break;
  default: return false;
  }
  bool negated = letter >= 'A' && letter <= 'Z';
  if (class_add_set(into, set, n, negated) != 0) fail(ps, "out of memory%s", NULL);
  return true;
}

/* A character escape after the backslash (already consumed); in_class
 * changes \b to backspace. Returns the code point, or fails. */
static uint32_t char_escape(parser *ps, bool in_class) {
  if (ps->p >= ps->end) {
    fail(ps, "pattern ends with a lone backslash%s", NULL);
    return 0;
  }
  unsigned char c = *ps->p++;
  char esc[3] = {'\\', (char)c, 0};
  switch (c) {
  case 't': return '\t';
  case 'n': return '\n';
  case 'v': return '\v';
  case 'f': return '\f';
  case 'r': return '\r';
  case 'b':
    if (in_class) return '\b';
    break;
  case '0':
    if (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
      fail(ps, "legacy octal escapes (\\0 followed by a digit) are not supported%s", NULL);
      return 0;
    }
    return 0;
  case 'c':
    if (ps->p < ps->end && ((*ps->p | 0x20) >= 'a' && (*ps->p | 0x20) <= 'z')) return *ps->p++ % 32u;
    fail(ps, "\\c must be followed by a letter%s", NULL);
    return 0;
  case 'x': {
    long v = read_hex(ps, 2);
    if (v < 0) fail(ps, "\\x must be followed by two hex digits%s", NULL);
    return (uint32_t)(v < 0 ? 0 : v);
  }
  case 'u': {
    if (ps->p < ps->end && *ps->p == '{') {
      ps->p++;
      long v = 0;
      int digits = 0;
      while (ps->p < ps->end && wc_hex_digit(*ps->p) >= 0 && v <= CP_MAX) v = v * 16 + wc_hex_digit(*ps->p++), digits++;
      if (!digits || ps->p >= ps->end || *ps->p != '}' || v > CP_MAX) {
        fail(ps, "malformed \\u{...} escape%s", NULL);
        return 0;
      }
      ps->p++;
      return (uint32_t)v;
    }
    long v = read_hex(ps, 4);
    if (v < 0) {
      fail(ps, "\\u must be followed by four hex digits%s", NULL);
      return 0;
    }
    /* A surrogate pair written as two escapes is one code point. */
    if (v >= 0xD800 && v <= 0xDBFF && ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u') {
      const unsigned char *save = ps->p;
      ps->p += 2;
      long lo = read_hex(ps, 4);
      if (lo >= 0xDC00 && lo <= 0xDFFF) return (uint32_t)(0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00));
      ps->p = save;
    }
    return (uint32_t)v;
  }
  case 'p':
  case 'P':
    fail(ps, "Unicode property escapes (%s{...}) are not supported", c == 'p' ? "\\p" : "\\P");
    return 0;
  case 'k':
    fail(ps, "named backreferences (\\k<name>) are not supported%s", NULL);
    return 0;
  default: break;
  }
  if (c >= '1' && c <= '9') {
    fail(ps, "backreferences (%s) are not supported", esc);
    return 0;
  }
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') {
    fail(ps, "unknown escape %s (it would mean something else in other dialects)", esc);
    return 0;
  }
  ps->p--;
  return next_cp(ps); /* identity escape of punctuation or a non-ASCII character */
}

static rnode *parse_class(parser *ps) {
  /* the '[' is consumed */
  bool negated = ps->p < ps->end && *ps->p == '^';
  if (negated) ps->p++;
  rnode *node = new_node(ps, N_CLASS);
  if (!node) return NULL;
  node->cls = new_class(ps);
  if (ps->failed) return NULL;
  for (;;) {
    if (ps->p >= ps->end) {
      fail(ps, "unterminated character class%s", NULL);
      return NULL;
    }
    if (*ps->p == ']') {
      ps->p++;
      break;
    }
    cclass *cls = &ps->classes[node->cls];
    uint32_t lo;
    bool lo_is_set = false;
    if (*ps->p == '\\') {
      ps->p++;
      if (ps->p < ps->end && class_escape(ps, *ps->p, cls)) {
        ps->p++;
        lo_is_set = true;
        lo = 0;
      } else {
        lo = char_escape(ps, true);
      }
    } else {
      lo = next_cp(ps);
    }
    if (ps->failed) return NULL;
    if (lo_is_set) continue; /* [\d-z]: the '-' is then a literal (Annex B) */
    if (ps->end - ps->p >= 2 && ps->p[0] == '-' && ps->p[1] != ']') {
      ps->p++;
      uint32_t hi;
      if (*ps->p == '\\') {
        ps->p++;
        if (ps->p < ps->end && class_escape(ps, *ps->p, cls)) {
          ps->p++;
          /* [a-\d]: a, '-', and the set (Annex B) */
          if (class_add(cls, lo, lo) != 0 || class_add(cls, '-', '-') != 0) fail(ps, "out of memory%s", NULL);
          continue;
        }
        hi = char_escape(ps, true);
      } else {
        hi = next_cp(ps);
      }
      if (ps->failed) return NULL;
      if (hi < lo) {
        fail(ps, "character class range out of order%s", NULL);
        return NULL;
      }
      if (class_add(cls, lo, hi) != 0) fail(ps, "out of memory%s", NULL);
    } else if (class_add(cls, lo, lo) != 0) {
      fail(ps, "out of memory%s", NULL);
    }
    if (ps->failed) return NULL;
  }
  if (negated && class_negate(&ps->classes[node->cls]) != 0) fail(ps, "out of memory%s", NULL);
  class_normalize(&ps->classes[node->cls]);
  return ps->failed ? NULL : node;
}

static rnode *parse_alt(parser *ps);

/* {n}, {n,}, {n,m} at ps->p; false (p unchanged) if it is not one. */
static bool parse_braces(parser *ps, int *min, int *max) {
  const unsigned char *p = ps->p + 1;
  long a = 0, b = -1;
  int digits = 0;
  while (p < ps->end && *p >= '0' && *p <= '9') {
    if (a <= 100000) a = a * 10 + (*p - '0');
    p++, digits++;
  }
  if (!digits) return false;
  if (p < ps->end && *p == ',') {
    p++;
    int d2 = 0;
    long v = 0;
    while (p < ps->end && *p >= '0' && *p <= '9') {
      if (v <= 100000) v = v * 10 + (*p - '0');
      p++, d2++;
    }
    b = d2 ? v : -1;
  } else {
    b = a;
  }
  if (p >= ps->end || *p != '}') return false;
  ps->p = p + 1;
  if (a > MAX_REPEAT || b > MAX_REPEAT) {
    fail(ps, "counted repetition above %s is not supported", "{1000}");
    return true;
  }
  if (b >= 0 && b < a) {
    fail(ps, "numbers out of order in {n,m} quantifier%s", NULL);
    return true;
  }
  *min = (int)a;
  *max = (int)b;
  return true;
}

static rnode *parse_atom(parser *ps, bool *is_assertion) {
  *is_assertion = false;
  const unsigned char c = *ps->p;
  switch (c) {
  case '^': ps->p++; *is_assertion = true; return new_node(ps, N_BOL);
  case '$': ps->p++; *is_assertion = true; return new_node(ps, N_EOL);
  case '.': ps->p++; return class_node(ps, line_terminators, 3, true);
  case '[': ps->p++; return parse_class(ps);
  case '(': {
    ps->p++;
    if (ps->p < ps->end && *ps->p == '?') {
      const unsigned char *q = ps->p + 1;
      if (q < ps->end && *q == ':') {
        ps->p += 2;
      } else if (q < ps->end && (*q == '=' || *q == '!')) {
        fail(ps, "lookahead %s...) is not supported", *q == '=' ? "(?=" : "(?!");
        return NULL;
      } else if (ps->end - q >= 2 && *q == '<' && (q[1] == '=' || q[1] == '!')) {
        fail(ps, "lookbehind %s...) is not supported", q[1] == '=' ? "(?<=" : "(?<!");
        return NULL;
      } else if (q < ps->end && *q == '<') {
        const unsigned char *r = q + 1;
        while (r < ps->end && *r != '>') r++;
        if (r >= ps->end || r == q + 1) {
          fail(ps, "malformed named group%s", NULL);
          return NULL;
        }
        ps->p = r + 1;
      } else {
        fail(ps, "group syntax \"(?\" other than (?: and (?<name> is not supported%s", NULL);
        return NULL;
      }
    }
    if (++ps->nesting > MAX_NESTING) {
      fail(ps, "groups nested too deeply%s", NULL);
      return NULL;
    }
    rnode *inner = parse_alt(ps);
    ps->nesting--;
    if (ps->failed) return NULL;
    if (ps->p >= ps->end || *ps->p != ')') {
      fail(ps, "missing ')'%s", NULL);
      return NULL;
    }
    ps->p++;
    return inner;
  }
  /* ')' never gets here: parse_seq stops at it, and wc_regex_compile
   * reports one left over as unmatched. */
  case '*': case '+': case '?': fail(ps, "nothing to repeat before a quantifier%s", NULL); return NULL;
  case '{': {
    int a, b;
    const unsigned char *save = ps->p;
    if (parse_braces(ps, &a, &b)) {
      ps->p = save;
      fail(ps, "nothing to repeat before a quantifier%s", NULL);
      return NULL;
    }
    ps->p++;
    rnode *n = new_node(ps, N_CHAR);
    if (n) n->cp = '{'; /* a literal brace (Annex B) */
    return n;
  }
  case '\\': {
    ps->p++;
    if (ps->p < ps->end && (*ps->p == 'b' || *ps->p == 'B')) {
      *is_assertion = true;
      return new_node(ps, *ps->p++ == 'b' ? N_WORDB : N_NWORDB);
    }
    if (ps->p < ps->end && (*ps->p == 'd' || *ps->p == 'D' || *ps->p == 'w' || *ps->p == 'W' || *ps->p == 's' ||
                            *ps->p == 'S')) {
      rnode *n = new_node(ps, N_CLASS);
      if (!n) return NULL;
      n->cls = new_class(ps);
      if (ps->failed) return NULL;
      class_escape(ps, *ps->p++, &ps->classes[n->cls]);
      class_normalize(&ps->classes[n->cls]);
      return n;
    }
    uint32_t cp = char_escape(ps, false);
    rnode *n = new_node(ps, N_CHAR);
    if (n) n->cp = cp;
    return n;
  }
  default: {
    rnode *n = new_node(ps, N_CHAR);
    if (n) n->cp = next_cp(ps);
    return n;
  }
  }
}

static rnode *parse_seq(parser *ps) {
  rnode *seq = new_node(ps, N_CAT);
  while (!ps->failed && ps->p < ps->end && *ps->p != '|' && *ps->p != ')') {
    bool assertion;
    rnode *atom = parse_atom(ps, &assertion);
    if (ps->failed) return NULL;
    if (ps->p < ps->end && (*ps->p == '*' || *ps->p == '+' || *ps->p == '?' || *ps->p == '{')) {
      int min = 0, max = -1;
      bool quant = true;
      switch (*ps->p) {
      case '*': ps->p++; break;
      case '+': ps->p++, min = 1; break;
      case '?': ps->p++, max = 1; break;
      default: quant = parse_braces(ps, &min, &max); break;
      }
      if (ps->failed) return NULL;
      if (quant) {
        if (assertion) {
          fail(ps, "a quantifier cannot follow an assertion%s", NULL);
          return NULL;
        }
        if (ps->p < ps->end && *ps->p == '?') ps->p++; /* lazy: same yes/no answer */
        rnode *rep = new_node(ps, N_REPEAT);
        if (!rep) return NULL;
        rep->sub = atom, rep->min = min, rep->max = max;
        atom = rep;
      }
    }
    add_kid(ps, seq, atom);
  }
  return ps->failed ? NULL : seq;
}

static rnode *parse_alt(parser *ps) {
  rnode *first = parse_seq(ps);
  if (ps->failed || ps->p >= ps->end || *ps->p != '|') return first;
  rnode *alt = new_node(ps, N_ALT);
  add_kid(ps, alt, first);
  while (!ps->failed && ps->p < ps->end && *ps->p == '|') {
    ps->p++;
    add_kid(ps, alt, parse_seq(ps));
  }
  return ps->failed ? NULL : alt;
}

/* ---- code generation ---- */

typedef struct emitter {
  inst *prog;
  size_t n, cap;
  bool failed;
} emitter;

static size_t emit(emitter *e, opcode op, uint32_t arg, uint32_t arg2) {
  if (e->failed) return 0;
  if (e->n >= MAX_PROGRAM) {
    e->failed = true;
    return 0;
  }
  if (e->n == e->cap) {
    size_t cap = e->cap ? e->cap * 2 : 64;
    inst *p = realloc(e->prog, cap * sizeof *p);
    if (!p) {
      e->failed = true;
      return 0;
    }
    e->prog = p;
    e->cap = cap;
  }
  e->prog[e->n] = (inst){op, arg, arg2};
  return e->n++;
}

static void gen(emitter *e, const rnode *n) {
  if (e->failed || !n) return;
  switch (n->kind) {
  case N_EMPTY: break;
  case N_CHAR: emit(e, OP_CHAR, n->cp, 0); break;
  case N_CLASS: emit(e, OP_CLASS, (uint32_t)n->cls, 0); break;
  case N_BOL: emit(e, OP_BOL, 0, 0); break;
  case N_EOL: emit(e, OP_EOL, 0, 0); break;
  case N_WORDB: emit(e, OP_WORDB, 0, 0); break;
  case N_NWORDB: emit(e, OP_NWORDB, 0, 0); break;
  case N_CAT:
    for (size_t i = 0; i < n->nkids; i++) gen(e, n->kids[i]);
    break;
  case N_ALT: {
    /* split L1, next; L1: kid; jmp end; next: split ... */
    size_t jumps[256];
    size_t njumps = 0;
    size_t *jump_list = n->nkids <= 256 ? jumps : malloc(n->nkids * sizeof *jump_list);
    if (!jump_list) {
      e->failed = true;
      return;
    }
    for (size_t i = 0; i < n->nkids; i++) {
      if (i + 1 < n->nkids) {
        size_t split = emit(e, OP_SPLIT, 0, 0);
        if (!e->failed) e->prog[split].arg = (uint32_t)(split + 1);
        gen(e, n->kids[i]);
        jump_list[njumps++] = emit(e, OP_JMP, 0, 0);
        if (!e->failed) e->prog[split].arg2 = (uint32_t)e->n;
      } else {
        gen(e, n->kids[i]);
      }
    }
    for (size_t i = 0; i < njumps && !e->failed; i++) e->prog[jump_list[i]].arg = (uint32_t)e->n;
    if (jump_list != jumps) free(jump_list);
    break;
  }
  case N_REPEAT: {
    for (int i = 0; i < n->min; i++) gen(e, n->sub);
    if (n->max < 0) {
      size_t split = emit(e, OP_SPLIT, 0, 0);
      gen(e, n->sub);
      emit(e, OP_JMP, (uint32_t)split, 0);
      if (!e->failed) e->prog[split] = (inst){OP_SPLIT, (uint32_t)(split + 1), (uint32_t)e->n};
    } else {
      size_t local[64];
      size_t *splits = n->max - n->min <= 64 ? local : malloc((size_t)(n->max - n->min) * sizeof *splits);
      if (!splits) {
        e->failed = true;
        return;
      }
      int k = 0;
      for (int i = n->min; i < n->max; i++) {
        splits[k++] = emit(e, OP_SPLIT, 0, 0);
        gen(e, n->sub);
      }
      for (int i = 0; i < k && !e->failed; i++)
        e->prog[splits[i]] = (inst){OP_SPLIT, (uint32_t)(splits[i] + 1), (uint32_t)e->n};
      if (splits != local) free(splits);
    }
    break;
  }
  }
}

void wc_regex_free(wc_regex *re) {
  if (!re) return;
  for (size_t i = 0; i < re->nclasses; i++) free(re->classes[i].r);
  free(re->classes);
  free(re->prog);
  free(re);
}

wc_regex *wc_regex_compile(const char *pattern, char *why, size_t why_len) {
  if (why && why_len) why[0] = '\0';
  parser ps = {0};
  ps.p = (const unsigned char *)pattern;
  ps.end = ps.p + strlen(pattern);
  ps.pattern = pattern;
  ps.why = why;
  ps.why_len = why_len;
  rnode *root = parse_alt(&ps);
  if (!ps.failed && ps.p < ps.end) fail(&ps, "unmatched ')'%s", NULL);
  wc_regex *re = NULL;
  if (!ps.failed) {
    emitter e = {0};
    gen(&e, root);
    emit(&e, OP_MATCH, 0, 0);
    if (e.failed) {
      free(e.prog);
      fail(&ps, "pattern too large once counted repetitions are expanded (limit %s instructions)", "20000");
    } else if (!(re = calloc(1, sizeof *re))) {
      free(e.prog);
      fail(&ps, "out of memory%s", NULL);
    } else {
      re->prog = e.prog;
      re->nprog = e.n;
      re->classes = ps.classes;
      re->nclasses = ps.nclasses;
      re->anchored = e.n > 0 && e.prog[0].op == OP_BOL;
      ps.classes = NULL;
      ps.nclasses = 0;
    }
  }
  for (size_t i = 0; i < ps.nall; i++) {
    free(ps.all[i]->kids);
    free(ps.all[i]);
  }
  free(ps.all);
  for (size_t i = 0; i < ps.nclasses; i++) free(ps.classes[i].r);
  free(ps.classes);
  return re;
}

/* ---- matching ---- */

typedef struct tlist {
  uint32_t *pcs;
  size_t n;
  uint32_t *mark; /* mark[pc] == gen: already in the list */
} tlist;

static bool is_word(long cp) {
  return cp >= 0 && ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == '_');
}

/* Decodes the code point at s[i]; a byte that is not valid UTF-8 stands for
 * itself offset into a private range so it matches nothing by accident. */
static long decode_at(const unsigned char *s, size_t len, size_t i, size_t *n) {
  if (i >= len) {
    *n = 0;
    return -1;
  }
  unsigned char c = s[i];
  if (c < 0x80) {
    *n = 1;
    return c;
  }
  size_t need = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  if (need && i + need < len) {
    uint32_t cp = c & (0x3F >> need);
    size_t k = 1;
    for (; k <= need && (s[i + k] & 0xC0) == 0x80; k++) cp = cp << 6 | (s[i + k] & 0x3Fu);
    if (k > need) {
      *n = need + 1;
      return cp;
    }
  }
  *n = 1;
  return 0x110000 + c;
}

/* Adds pc and everything reachable by epsilon moves at a position whose
 * neighbours are prev and next (-1: the edge of the text). */
static void add_thread(const wc_regex *re, tlist *l, uint32_t gen, uint32_t pc, long prev, long next,
                       uint32_t *stack) {
  size_t sp = 0;
  stack[sp++] = pc;
  while (sp) {
    pc = stack[--sp];
    if (l->mark[pc] == gen) continue;
    l->mark[pc] = gen;
    const inst *in = &re->prog[pc];
    switch (in->op) {
    case OP_JMP: stack[sp++] = in->arg; break;
    case OP_SPLIT:
      stack[sp++] = in->arg2;
      stack[sp++] = in->arg;
      break;
    case OP_BOL:
      if (prev < 0) stack[sp++] = pc + 1;
      break;
    case OP_EOL:
      if (next < 0) stack[sp++] = pc + 1;
      break;
    case OP_WORDB:
    case OP_NWORDB:
      if ((is_word(prev) != is_word(next)) == (in->op == OP_WORDB)) stack[sp++] = pc + 1;
      break;
    default: l->pcs[l->n++] = pc; break;
    }
  }
}

bool wc_regex_search(const wc_regex *re, const char *text, size_t len) {
  const unsigned char *s = (const unsigned char *)text;
  size_t m = re->nprog;
  /* Two lists with their marks, and the epsilon stack: a pc is pushed once
   * per incoming edge, and there are at most 2m + 1 of those. */
  uint32_t small[6 * 128 + 2];
  uint32_t *mem = m <= 128 ? small : malloc((6 * m + 2) * sizeof *mem);
  if (!mem) return false;
  tlist a = {mem, 0, mem + m}, b = {mem + 2 * m, 0, mem + 3 * m};
  uint32_t *stack = mem + 4 * m;
  memset(a.mark, 0xFF, m * sizeof *a.mark);
  memset(b.mark, 0xFF, m * sizeof *b.mark);
  tlist *cur = &a, *nxt = &b;
  uint32_t gen = 0, cur_gen = 0; /* marks equal to a list's generation are live */
  long prev = -1;
  size_t i = 0;
  bool matched = false;
  for (;;) {
    size_t n;
    long cp = decode_at(s, len, i, &n);
    if (i == 0 || !re->anchored) add_thread(re, cur, cur_gen, 0, prev, cp, stack);
    for (size_t t = 0; t < cur->n && !matched; t++) matched = re->prog[cur->pcs[t]].op == OP_MATCH;
    if (matched || cp < 0 || (cur->n == 0 && re->anchored)) break;
    size_t after;
    long cp_after = decode_at(s, len, i + n, &after);
    nxt->n = 0;
    gen++;
    for (size_t t = 0; t < cur->n; t++) {
      uint32_t pc = cur->pcs[t];
      const inst *in = &re->prog[pc];
      bool ok = in->op == OP_CHAR    ? (long)in->arg == cp
                : in->op == OP_CLASS ? cp <= CP_MAX && class_has(&re->classes[in->arg], (uint32_t)cp)
                                     : false;
      if (ok) add_thread(re, nxt, gen, pc + 1, cp, cp_after, stack);
    }
    tlist *tmp = cur;
    cur = nxt;
    nxt = tmp;
    cur_gen = gen;
    prev = cp;
    i += n;
  }
  if (mem != small) free(mem);
  return matched;
}
