/* YAML -> cJSON for the contract, with the source line of every node.
 *
 * libyaml's event API drives an explicit stack (no recursion on input depth).
 * Scalars follow the YAML 1.2 core schema; quoted and block scalars are always
 * strings. What JSON cannot hold is refused, never approximated: non-string
 * mapping keys, duplicate keys, .inf/.nan, strings with NUL, tags outside the
 * core schema, merge keys (<<), more than one document. Aliases are resolved
 * by copying the anchored node, under a budget of copied nodes so that an
 * alias bomb ("billion laughs") fails fast instead of eating memory. */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "spec_internal.h"

void wc_spec_limits_default(wc_spec_limits *lim) {
  lim->max_bytes = WC_YAML_MAX_BYTES;
  lim->max_depth = WC_YAML_MAX_DEPTH;
  lim->max_nodes = WC_YAML_MAX_NODES;
  lim->max_alias_nodes = WC_YAML_MAX_ALIAS_NODES;
}

/* ---- pointer-keyed hash tables (open addressing, linear probing) ---- */

static size_t hash_ptr(const void *p) {
  uint64_t x = (uint64_t)(uintptr_t)p;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return (size_t)x;
}

static size_t hash_str(const char *s, size_t seed) {
  uint64_t h = 1469598103934665603ULL ^ seed;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return (size_t)h;
}

typedef struct line_slot {
  const cJSON *node;
  int key_line;
  int value_line;
} line_slot;

struct wc_yaml_lines {
  line_slot *slots;
  size_t cap; /* power of two */
  size_t count;
};

void wc_yaml_lines_free(wc_yaml_lines *lines) {
  if (!lines) return;
  free(lines->slots);
  free(lines);
}

static int lines_grow(wc_yaml_lines *t) {
  size_t cap = t->cap ? t->cap * 2 : 1024;
  line_slot *slots = calloc(cap, sizeof *slots);
  if (!slots) return -1;
  for (size_t i = 0; i < t->cap; i++) {
    if (!t->slots[i].node) continue;
    size_t j = hash_ptr(t->slots[i].node) & (cap - 1);
    while (slots[j].node) j = (j + 1) & (cap - 1);
    slots[j] = t->slots[i];
  }
  free(t->slots);
  t->slots = slots;
  t->cap = cap;
  return 0;
}

static int lines_put(wc_yaml_lines *t, const cJSON *node, int key_line, int value_line) {
  if ((t->count + 1) * 2 > t->cap && lines_grow(t) != 0) return -1;
  size_t j = hash_ptr(node) & (t->cap - 1);
  while (t->slots[j].node && t->slots[j].node != node) j = (j + 1) & (t->cap - 1);
  if (!t->slots[j].node) t->count++;
  t->slots[j] = (line_slot){node, key_line, value_line};
  return 0;
}

int wc_yaml_lines_get(const wc_yaml_lines *t, const cJSON *node, int *key_line, int *value_line) {
  if (!t || !node || !t->cap) return 0;
  size_t j = hash_ptr(node) & (t->cap - 1);
  while (t->slots[j].node) {
    if (t->slots[j].node == node) {
      if (key_line) *key_line = t->slots[j].key_line;
      if (value_line) *value_line = t->slots[j].value_line;
      return 1;
    }
    j = (j + 1) & (t->cap - 1);
  }
  return 0;
}

/* Duplicate-key detection in O(1) per key: a set of (mapping, member). */
typedef struct key_set {
  const cJSON **slots; /* members; the mapping is member->... found via parent table */
  const cJSON **parents;
  size_t cap;
  size_t count;
} key_set;

static size_t key_hash(const cJSON *parent, const char *key) { return hash_str(key, hash_ptr(parent)); }

static int keys_grow(key_set *s) {
  size_t cap = s->cap ? s->cap * 2 : 1024;
  const cJSON **slots = calloc(cap, sizeof *slots);
  const cJSON **parents = calloc(cap, sizeof *parents);
  if (!slots || !parents) {
    free(slots);
    free(parents);
    return -1;
  }
  for (size_t i = 0; i < s->cap; i++) {
    if (!s->slots[i]) continue;
    size_t j = key_hash(s->parents[i], s->slots[i]->string) & (cap - 1);
    while (slots[j]) j = (j + 1) & (cap - 1);
    slots[j] = s->slots[i];
    parents[j] = s->parents[i];
  }
  free(s->slots);
  free(s->parents);
  s->slots = slots;
  s->parents = parents;
  s->cap = cap;
  return 0;
}

/* The member of parent named key, or NULL. */
static const cJSON *keys_find(const key_set *s, const cJSON *parent, const char *key) {
  if (!s->cap) return NULL;
  size_t j = key_hash(parent, key) & (s->cap - 1);
  while (s->slots[j]) {
    if (s->parents[j] == parent && strcmp(s->slots[j]->string, key) == 0) return s->slots[j];
    j = (j + 1) & (s->cap - 1);
  }
  return NULL;
}

static int keys_add(key_set *s, const cJSON *parent, const cJSON *member) {
  if ((s->count + 1) * 2 > s->cap && keys_grow(s) != 0) return -1;
  size_t j = key_hash(parent, member->string) & (s->cap - 1);
  while (s->slots[j]) j = (j + 1) & (s->cap - 1);
  s->slots[j] = member;
  s->parents[j] = parent;
  s->count++;
  return 0;
}

/* ---- the loader ---- */

typedef struct anchor {
  char *name;
  cJSON *node; /* the anchored node (owned by the tree) */
  bool open;   /* a container still being read: an alias to it is recursive */
  bool owned;  /* node is not in the tree (an anchored key): freed with the anchor */
} anchor;

typedef struct frame {
  cJSON *node;
  bool is_map;
  bool have_key;
  char *key; /* pending key of a mapping, owned */
  int key_line, key_col;
  size_t anchor_index; /* SIZE_MAX when not anchored */
} frame;

typedef struct loader {
  const char *name;
  wc_yaml_limits lim;
  wc_err *err;
  frame *stack;
  size_t depth;
  anchor *anchors;
  size_t anchor_count, anchor_cap;
  size_t nodes, alias_nodes;
  wc_yaml_lines *lines;
  key_set keys;
  cJSON *root;
  int root_line;
  int documents;
} loader;

static void fail_at(loader *ld, wc_err_code code, const yaml_mark_t *mark, const char *fmt, ...)
    WC_PRINTF(4, 5);

static void fail_at(loader *ld, wc_err_code code, const yaml_mark_t *mark, const char *fmt, ...) {
  char reason[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason, sizeof reason, fmt, ap);
  va_end(ap);
  wc_err_set(ld->err, code, "%s:%zu:%zu: %s", ld->name, mark ? mark->line + 1 : 1,
             mark ? mark->column + 1 : 1, reason);
}

/* Scalars are quoted in messages shortened and with control bytes hidden. */
static void excerpt(const char *s, size_t len, char out[48]) {
  size_t n = 0;
  for (size_t i = 0; i < len && n < 40; i++) out[n++] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
  if (len > 40) out[n++] = '.', out[n++] = '.', out[n++] = '.';
  out[n] = '\0';
}

#define TAG_PREFIX "tag:yaml.org,2002:"

typedef enum scalar_kind { K_NULL, K_BOOL, K_INT, K_FLOAT, K_STR } scalar_kind;

static bool is_null_word(const char *s, size_t n) {
  return n == 0 || (n == 1 && s[0] == '~') ||
         (n == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4)));
}

static int bool_word(const char *s, size_t n) {
  if (n == 4 && (!memcmp(s, "true", 4) || !memcmp(s, "True", 4) || !memcmp(s, "TRUE", 4))) return 1;
  if (n == 5 && (!memcmp(s, "false", 5) || !memcmp(s, "False", 5) || !memcmp(s, "FALSE", 5))) return 0;
  return -1;
}

/* Core-schema integer: [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+. */
static bool parse_int(const char *s, size_t n, double *out) {
  if (n > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
    int base = s[1] == 'o' ? 8 : 16;
    double v = 0;
    for (size_t i = 2; i < n; i++) {
      int d = wc_hex_digit(s[i]);
      if (d < 0 || d >= base) return false;
      v = v * base + d;
    }
    *out = v;
    return true;
  }
  size_t i = (n > 0 && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i == n) return false;
  for (size_t k = i; k < n; k++)
    if (!isdigit((unsigned char)s[k])) return false;
  char buf[64];
  if (n >= sizeof buf) { /* long digit strings: strtod on a heap copy */
    char *copy = wc_strndup(s, n);
    if (!copy) return false;
    *out = strtod(copy, NULL);
    free(copy);
    return true;
  }
  memcpy(buf, s, n);
  buf[n] = '\0';
  *out = strtod(buf, NULL);
  return true;
}

/* Core-schema float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
 * Returns 1 number, 2 .inf/.nan (not representable), 0 not a float. */
static int parse_float(const char *s, size_t n, double *out) {
  size_t i = 0;
  if (i < n && (s[i] == '-' || s[i] == '+')) i++;
  const char *rest = s + i;
  size_t rn = n - i;
  if (rn == 4 && (!memcmp(rest, ".inf", 4) || !memcmp(rest, ".Inf", 4) || !memcmp(rest, ".INF", 4))) return 2;
  if (i == 0 && n == 4 && (!memcmp(s, ".nan", 4) || !memcmp(s, ".NaN", 4) || !memcmp(s, ".NAN", 4))) return 2;
  size_t digits = 0;
  while (i < n && isdigit((unsigned char)s[i])) i++, digits++;
  if (i < n && s[i] == '.') {
    i++;
    size_t frac = 0;
    while (i < n && isdigit((unsigned char)s[i])) i++, frac++;
    if (digits == 0 && frac == 0) return 0;
  } else if (digits == 0) {
    return 0;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '-' || s[i] == '+')) i++;
    size_t exp = 0;
    while (i < n && isdigit((unsigned char)s[i])) i++, exp++;
    if (exp == 0) return 0;
  }
  if (i != n) return 0;
  char *copy = wc_strndup(s, n);
  if (!copy) return 0;
  *out = strtod(copy, NULL);
  free(copy);
  return 1;
}

/* Counts one more node against the budget; false (err set) when over. */
static bool count_node(loader *ld, const yaml_mark_t *mark) {
  if (ld->nodes >= ld->lim.max_nodes) {
    fail_at(ld, WC_E_PARSE, mark, "more than %zu nodes", ld->lim.max_nodes);
    return false;
  }
  ld->nodes++;
  return true;
}

/* Builds the node of a scalar event, or NULL (err set). */
static cJSON *scalar_node(loader *ld, const yaml_event_t *ev) {
  const char *s = (const char *)ev->data.scalar.value;
  size_t n = ev->data.scalar.length;
  const char *tag = (const char *)ev->data.scalar.tag;
  const yaml_mark_t *mark = &ev->start_mark;
  char ex[48];
  excerpt(s, n, ex);

  scalar_kind want;
  bool resolve;
  if (!tag) {
    resolve = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    want = K_STR;
  } else if (!strcmp(tag, "!")) {
    resolve = false;
    want = K_STR;
  } else if (!strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX))) {
    const char *t = tag + strlen(TAG_PREFIX);
    resolve = false;
    if (!strcmp(t, "str"))
      want = K_STR;
    else if (!strcmp(t, "null"))
      want = K_NULL;
    else if (!strcmp(t, "bool"))
      want = K_BOOL;
    else if (!strcmp(t, "int"))
      want = K_INT;
    else if (!strcmp(t, "float"))
      want = K_FLOAT;
    else {
      fail_at(ld, WC_E_PARSE, mark, "tag '!!%s' is not a YAML 1.2 core scalar tag", t);
      return NULL;
    }
  } else {
    fail_at(ld, WC_E_PARSE, mark, "tag '%.100s' is not supported (only YAML 1.2 core schema tags)", tag);
    return NULL;
  }

  double num = 0;
  int b;
  if (resolve) {
    if (is_null_word(s, n)) return cJSON_CreateNull();
    if ((b = bool_word(s, n)) >= 0) return cJSON_CreateBool(b);
    if (parse_int(s, n, &num))
      want = K_INT;
    else {
      int f = parse_float(s, n, &num);
      if (f == 2) {
        fail_at(ld, WC_E_PARSE, mark, "'%s' (infinity or NaN) cannot be represented in JSON", ex);
        return NULL;
      }
      want = f == 1 ? K_FLOAT : K_STR;
    }
    if (want != K_STR) {
      if (!isfinite(num)) {
        fail_at(ld, WC_E_PARSE, mark, "number '%s' is out of range", ex);
        return NULL;
      }
      return cJSON_CreateNumber(num);
    }
  }
  switch (want) {
  case K_NULL:
    if (!is_null_word(s, n)) break;
    return cJSON_CreateNull();
  case K_BOOL:
    if ((b = bool_word(s, n)) < 0) break;
    return cJSON_CreateBool(b);
  case K_INT:
  case K_FLOAT: {
    int f = 0;
    if (!parse_int(s, n, &num))
      f = want == K_FLOAT ? parse_float(s, n, &num) : 0;
    else
      f = 1;
    if (f == 2) {
      fail_at(ld, WC_E_PARSE, mark, "'%s' (infinity or NaN) cannot be represented in JSON", ex);
      return NULL;
    }
    if (f != 1) break;
    if (!isfinite(num)) {
      fail_at(ld, WC_E_PARSE, mark, "number '%s' is out of range", ex);
      return NULL;
    }
    return cJSON_CreateNumber(num);
  }
  case K_STR:
    if (memchr(s, '\0', n)) {
      fail_at(ld, WC_E_PARSE, mark, "string contains a NUL character, which the loader cannot keep");
      return NULL;
    }
    return cJSON_CreateString(s);
  }
  fail_at(ld, WC_E_PARSE, mark, "'%s' does not match its tag '!!%.40s'", ex, tag + strlen(TAG_PREFIX));
  return NULL;
}

/* A mapping key: a string, by the same rules as values (a plain 200 is an
 * integer, so it must be quoted, as OpenAPI itself requires). Returns a
 * malloc'd key or NULL (err set). */
static char *scalar_key(loader *ld, const yaml_event_t *ev) {
  cJSON *node = scalar_node(ld, ev);
  if (!node) {
    if (ld->err && ld->err->code == WC_OK) fail_at(ld, WC_E_NOMEM, &ev->start_mark, "out of memory");
    return NULL;
  }
  char *key = NULL;
  if (cJSON_IsString(node)) {
    key = wc_strdup(node->valuestring);
    if (!key)
      fail_at(ld, WC_E_NOMEM, &ev->start_mark, "out of memory");
    else if (!strcmp(key, "<<") && !ev->data.scalar.tag && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
      fail_at(ld, WC_E_PARSE, &ev->start_mark,
              "merge keys (<<) are YAML 1.1 and are not supported; write the members out");
      free(key);
      key = NULL;
    }
  } else {
    char ex[48];
    excerpt((const char *)ev->data.scalar.value, ev->data.scalar.length, ex);
    const char *kind = cJSON_IsNull(node) ? "null" : cJSON_IsBool(node) ? "a boolean" : "a number";
    fail_at(ld, WC_E_PARSE, &ev->start_mark, "mapping key '%s' is %s, not a string (quote it: '%s')", ex,
            kind, ex);
  }
  cJSON_Delete(node);
  return key;
}

/* Copies node's lines onto its copy, member by member (same shapes). */
static int copy_lines(loader *ld, const cJSON *orig, const cJSON *copy, int depth) {
  if (depth > 0) {
    int kl = 0, vl = 0;
    wc_yaml_lines_get(ld->lines, orig, &kl, &vl);
    if (lines_put(ld->lines, copy, kl, vl) != 0) return -1;
  }
  const cJSON *a = orig->child, *b = copy->child;
  for (; a && b; a = a->next, b = b->next) {
    if (copy_lines(ld, a, b, depth + 1) != 0) return -1;
    if (cJSON_IsObject(copy) && keys_add(&ld->keys, copy, b) != 0) return -1;
  }
  return 0;
}

/* Node count and height of a subtree; recursion is bounded because every
 * tree the loader builds stays within max_depth (on_alias checks copies). */
static size_t count_nodes(const cJSON *node, size_t *height) {
  size_t n = 1, h = 0;
  for (const cJSON *c = node->child; c; c = c->next) {
    size_t ch = 0;
    n += count_nodes(c, &ch);
    if (ch > h) h = ch;
  }
  *height = h + 1;
  return n;
}

static anchor *find_anchor(loader *ld, const char *name) {
  for (size_t i = ld->anchor_count; i-- > 0;)
    if (!strcmp(ld->anchors[i].name, name)) return &ld->anchors[i];
  return NULL;
}

static int add_anchor(loader *ld, const char *name, cJSON *node, bool open, size_t *index) {
  if (ld->anchor_count == ld->anchor_cap) {
    size_t cap = ld->anchor_cap ? ld->anchor_cap * 2 : 16;
    anchor *a = realloc(ld->anchors, cap * sizeof *a);
    if (!a) return -1;
    ld->anchors = a;
    ld->anchor_cap = cap;
  }
  char *copy = wc_strdup(name);
  if (!copy) return -1;
  ld->anchors[ld->anchor_count] = (anchor){copy, node, open, false};
  if (index) *index = ld->anchor_count;
  ld->anchor_count++;
  return 0;
}

/* Places a finished node: the root, a sequence item, or a mapping value. */
static int attach(loader *ld, cJSON *node, const yaml_mark_t *mark) {
  int line = (int)mark->line + 1;
  if (ld->depth == 0) {
    ld->root = node;
    ld->root_line = line;
    return lines_put(ld->lines, node, 0, line) == 0 ? 0 : -2;
  }
  frame *f = &ld->stack[ld->depth - 1];
  if (!f->is_map) {
    cJSON_AddItemToArray(f->node, node);
    return lines_put(ld->lines, node, 0, line) == 0 ? 0 : -2;
  }
  /* f->have_key is guaranteed by the caller. */
  if (!cJSON_AddItemToObject(f->node, f->key, node)) {
    cJSON_Delete(node);
    return -2;
  }
  const cJSON *member = f->node->child ? f->node->child->prev : NULL; /* the tail */
  if (!member || keys_add(&ld->keys, f->node, member) != 0) return -2;
  if (lines_put(ld->lines, node, f->key_line, line) != 0) return -2;
  free(f->key);
  f->key = NULL;
  f->have_key = false;
  return 0;
}

/* Called with a key event's text in a mapping frame: checks duplicates. */
static int set_key(loader *ld, frame *f, char *key, const yaml_mark_t *mark) {
  const cJSON *dup = keys_find(&ld->keys, f->node, key);
  if (dup) {
    int first = 0;
    wc_yaml_lines_get(ld->lines, dup, &first, NULL);
    char ex[48];
    excerpt(key, strlen(key), ex);
    fail_at(ld, WC_E_PARSE, mark, "duplicate mapping key '%s' (first defined on line %d)", ex, first);
    free(key);
    return -1;
  }
  f->key = key;
  f->have_key = true;
  f->key_line = (int)mark->line + 1;
  f->key_col = (int)mark->column + 1;
  return 0;
}

static bool in_key_position(const loader *ld) {
  return ld->depth > 0 && ld->stack[ld->depth - 1].is_map && !ld->stack[ld->depth - 1].have_key;
}

static int on_alias(loader *ld, const yaml_event_t *ev) {
  const char *name = (const char *)ev->data.alias.anchor;
  anchor *a = find_anchor(ld, name);
  if (!a) {
    fail_at(ld, WC_E_PARSE, &ev->start_mark, "alias *%.100s refers to no anchor", name);
    return -1;
  }
  if (a->open) {
    fail_at(ld, WC_E_PARSE, &ev->start_mark,
            "alias *%.100s refers to a node that contains it (recursive structure)", name);
    return -1;
  }
  if (in_key_position(ld)) {
    if (!cJSON_IsString(a->node)) {
      fail_at(ld, WC_E_PARSE, &ev->start_mark, "mapping key *%.100s is not a string", name);
      return -1;
    }
    char *key = wc_strdup(a->node->valuestring);
    if (!key) return -2;
    return set_key(ld, &ld->stack[ld->depth - 1], key, &ev->start_mark);
  }
  size_t height = 0;
  size_t n = count_nodes(a->node, &height);
  if (ld->depth + height > ld->lim.max_depth + 1) {
    fail_at(ld, WC_E_PARSE, &ev->start_mark, "alias *%.100s would nest deeper than %zu levels", name,
            ld->lim.max_depth);
    return -1;
  }
  if (n > ld->lim.max_nodes - ld->nodes) {
    fail_at(ld, WC_E_PARSE, &ev->start_mark, "alias *%.100s: more than %zu nodes", name, ld->lim.max_nodes);
    return -1;
  }
  if (n > ld->lim.max_alias_nodes - ld->alias_nodes) {
    fail_at(ld, WC_E_PARSE, &ev->start_mark,
            "alias *%.100s would expand the document past %zu copied nodes (alias bomb?)", name,
            ld->lim.max_alias_nodes);
    return -1;
  }
  ld->alias_nodes += n;
  ld->nodes += n;
  cJSON *copy = cJSON_Duplicate(a->node, true);
  if (!copy) return -2;
  if (copy_lines(ld, a->node, copy, 0) != 0) {
    cJSON_Delete(copy);
    return -2;
  }
  return attach(ld, copy, &ev->start_mark);
}

static int on_scalar(loader *ld, const yaml_event_t *ev) {
  if (in_key_position(ld)) {
    char *key = scalar_key(ld, ev);
    if (!key) return -1;
    if (ev->data.scalar.anchor &&
        add_anchor(ld, (const char *)ev->data.scalar.anchor, NULL, false, NULL) != 0) {
      free(key);
      return -2;
    }
    if (ev->data.scalar.anchor) {
      /* An anchored key can be aliased later: keep a string node for it. */
      cJSON *node = cJSON_CreateString(key);
      if (!node) {
        free(key);
        return -2;
      }
      ld->anchors[ld->anchor_count - 1].node = node;
      ld->anchors[ld->anchor_count - 1].owned = true;
    }
    return set_key(ld, &ld->stack[ld->depth - 1], key, &ev->start_mark);
  }
  if (!count_node(ld, &ev->start_mark)) return -1;
  cJSON *node = scalar_node(ld, ev);
  if (!node) {
    if (ld->err && ld->err->code == WC_OK) return -2;
    return -1;
  }
  if (ev->data.scalar.anchor &&
      add_anchor(ld, (const char *)ev->data.scalar.anchor, node, false, NULL) != 0) {
    cJSON_Delete(node);
    return -2;
  }
  return attach(ld, node, &ev->start_mark);
}

static int on_start(loader *ld, const yaml_event_t *ev, bool is_map) {
  if (in_key_position(ld)) {
    fail_at(ld, WC_E_PARSE, &ev->start_mark, "mapping key is a %s, not a string",
            is_map ? "mapping" : "sequence");
    return -1;
  }
  const char *tag = (const char *)(is_map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag);
  if (tag && strcmp(tag, "!") && strcmp(tag, is_map ? TAG_PREFIX "map" : TAG_PREFIX "seq")) {
    fail_at(ld, WC_E_PARSE, &ev->start_mark, "tag '%.100s' is not supported on a %s", tag,
            is_map ? "mapping" : "sequence");
    return -1;
  }
  if (ld->depth >= ld->lim.max_depth) {
    fail_at(ld, WC_E_PARSE, &ev->start_mark, "nesting deeper than %zu levels", ld->lim.max_depth);
    return -1;
  }
  if (!count_node(ld, &ev->start_mark)) return -1;
  cJSON *node = is_map ? cJSON_CreateObject() : cJSON_CreateArray();
  if (!node) return -2;
  int rc = attach(ld, node, &ev->start_mark);
  if (rc != 0) return rc;
  /* Line of the container: attach() recorded where its content starts. */
  frame f = {node, is_map, false, NULL, 0, 0, SIZE_MAX};
  const char *anchor_name =
      (const char *)(is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor);
  if (anchor_name && add_anchor(ld, anchor_name, node, true, &f.anchor_index) != 0) return -2;
  ld->stack[ld->depth++] = f;
  return 0;
}

static int on_end(loader *ld) {
  frame *f = &ld->stack[--ld->depth];
  if (f->anchor_index != SIZE_MAX) ld->anchors[f->anchor_index].open = false;
  free(f->key); /* libyaml never ends a mapping after a lone key, but be safe */
  f->key = NULL;
  return 0;
}

static void loader_free(loader *ld) {
  for (size_t i = 0; i < ld->depth; i++) free(ld->stack[i].key);
  for (size_t i = 0; i < ld->anchor_count; i++) {
    if (ld->anchors[i].owned) cJSON_Delete(ld->anchors[i].node);
    free(ld->anchors[i].name);
  }
  free(ld->anchors);
  free(ld->stack);
  free(ld->keys.slots);
  free(ld->keys.parents);
}

static void parser_error(loader *ld, const yaml_parser_t *p) {
  if (p->error == YAML_MEMORY_ERROR) {
    wc_err_set(ld->err, WC_E_NOMEM, "%s: out of memory while parsing YAML", ld->name);
    return;
  }
  if (p->error == YAML_READER_ERROR) {
    /* The reader reports a byte offset, not a line. */
    wc_err_set(ld->err, WC_E_PARSE, "%s:1:1: %s (at byte %zu)", ld->name,
               p->problem ? p->problem : "cannot read input", p->problem_offset);
    return;
  }
  const char *problem = p->problem ? p->problem : "malformed YAML";
  if (p->context)
    wc_err_set(ld->err, WC_E_PARSE, "%s:%zu:%zu: %s (%s at line %zu)", ld->name, p->problem_mark.line + 1,
               p->problem_mark.column + 1, problem, p->context, p->context_mark.line + 1);
  else
    wc_err_set(ld->err, WC_E_PARSE, "%s:%zu:%zu: %s", ld->name, p->problem_mark.line + 1,
               p->problem_mark.column + 1, problem);
}

cJSON *wc_yaml_load(const char *data, size_t len, const char *name, const wc_yaml_limits *lim,
                    wc_yaml_lines **lines_out, wc_err *err) {
  wc_err local;
  if (!err) err = &local;
  wc_err_clear(err);
  if (lines_out) *lines_out = NULL;
  loader ld = {0};
  ld.name = name ? name : "<yaml>";
  if (lim)
    ld.lim = *lim;
  else
    wc_spec_limits_default(&ld.lim);
  ld.err = err;
  if (len > ld.lim.max_bytes) {
    wc_err_set(err, WC_E_PARSE, "%s: larger than %zu bytes", ld.name, ld.lim.max_bytes);
    return NULL;
  }
  ld.stack = calloc(ld.lim.max_depth ? ld.lim.max_depth : 1, sizeof *ld.stack);
  ld.lines = calloc(1, sizeof *ld.lines);
  yaml_parser_t parser;
  bool parser_ok = ld.stack && ld.lines && yaml_parser_initialize(&parser);
  if (!parser_ok) {
    wc_err_set(err, WC_E_NOMEM, "%s: out of memory", ld.name);
    goto fail;
  }
  yaml_parser_set_input_string(&parser, (const unsigned char *)(data ? data : ""), len);

  for (;;) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&parser, &ev)) {
      parser_error(&ld, &parser);
      goto fail;
    }
    int rc = 0;
    bool done = false;
    switch (ev.type) {
    case YAML_DOCUMENT_START_EVENT:
      if (++ld.documents > 1) {
        fail_at(&ld, WC_E_PARSE, &ev.start_mark, "more than one YAML document");
        rc = -1;
      }
      break;
    case YAML_SCALAR_EVENT:
      rc = on_scalar(&ld, &ev);
      break;
    case YAML_ALIAS_EVENT:
      rc = on_alias(&ld, &ev);
      break;
    case YAML_SEQUENCE_START_EVENT:
      rc = on_start(&ld, &ev, false);
      break;
    case YAML_MAPPING_START_EVENT:
      rc = on_start(&ld, &ev, true);
      break;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
      rc = on_end(&ld);
      break;
    case YAML_STREAM_END_EVENT:
      done = true;
      break;
    default:
      break;
    }
    if (rc == -2 && err->code == WC_OK) fail_at(&ld, WC_E_NOMEM, &ev.start_mark, "out of memory");
    yaml_event_delete(&ev);
    if (rc != 0) goto fail;
    if (done) break;
  }
  yaml_parser_delete(&parser);
  parser_ok = false;
  if (!ld.root) {
    wc_err_set(err, WC_E_PARSE, "%s:1:1: empty document (no YAML content)", ld.name);
    goto fail;
  }
  loader_free(&ld);
  if (lines_out)
    *lines_out = ld.lines;
  else
    wc_yaml_lines_free(ld.lines);
  return ld.root;

fail:
  if (parser_ok) yaml_parser_delete(&parser);
  loader_free(&ld);
  cJSON_Delete(ld.root);
  wc_yaml_lines_free(ld.lines);
  return NULL;
}
