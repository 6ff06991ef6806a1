/* JSON Schema 2020-12: validating a cJSON tree against a compiled schema.
 *
 * Two modes share one walk. Loud (findings list given): every keyword is
 * checked and every error recorded. Quiet (no list): the first failure
 * returns at once; anyOf, oneOf, not, if and contains run their branches
 * quietly first and only re-run them loudly to explain a failure, so a valid
 * document never pays for error text. The instance pointer is a chain of
 * stack frames turned into a string only when an error is recorded.
 *
 * A schema that re-enters itself at the same instance location without
 * consuming anything ({"$ref": "#"} at the root) would recurse forever: the
 * evaluation stack is checked for that, and its depth is bounded. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_internal.h"

#define MAX_EVAL_DEPTH 2048

typedef struct frame {
  const wc_snode *node;
  const cJSON *inst;
} frame;

typedef struct vctx {
  wc_findings *out; /* NULL: quiet */
  size_t depth;     /* nodes being evaluated */
  size_t sp;        /* entries of stack: the in-place nodes among them */
  frame *stack;
} vctx;

static bool v_node(vctx *c, const wc_snode *n, const cJSON *inst, const wc_ipath *path);

static const char *const type_names[] = {"null", "boolean", "object", "array", "number", "integer", "string"};

/* Records one error; suffix is appended to the node's pointer ("type",
 * "properties/name", or "" for the node itself). Takes the message buffer. */
static void emit(vctx *c, const wc_snode *n, const char *keyword, const char *suffix, const wc_ipath *path,
                 wc_buf *msg) {
  if (c->out) {
    char *ip = wc_schema_ipath_string(path);
    wc_buf sp;
    wc_buf_init(&sp);
    wc_buf_puts(&sp, n->ptr);
    if (suffix && *suffix) wc_buf_printf(&sp, "/%s", suffix);
    wc_findings_add(c->out, ip, sp.data, keyword, WC_NO_OFFSET, "%s", msg->data ? msg->data : "invalid");
    free(ip);
    wc_buf_free(&sp);
  }
  wc_buf_free(msg);
}

static void emitf(vctx *c, const wc_snode *n, const char *keyword, const char *suffix, const wc_ipath *path,
                  const char *fmt, ...) WC_PRINTF(6, 7);
static void emitf(vctx *c, const wc_snode *n, const char *keyword, const char *suffix, const wc_ipath *path,
                  const char *fmt, ...) {
  if (!c->out) return;
  wc_buf msg;
  wc_buf_init(&msg);
  va_list ap;
  va_start(ap, fmt);
  char tmp[512];
  vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  wc_buf_puts(&msg, tmp);
  emit(c, n, keyword, suffix, path, &msg);
}

/* The keyword that holds a false schema, from its pointer:
 * ".../additionalProperties" -> additionalProperties, ".../properties/x" ->
 * properties. */
static const char *holder_keyword(const char *ptr, char *buf, size_t len) {
  const char *last = strrchr(ptr, '/');
  if (!last) return "false";
  static const char *const direct[] = {"additionalProperties", "items", "propertyNames", "contains", "not",
                                       "if", "then", "else", "unevaluatedProperties"};
  for (size_t i = 0; i < sizeof direct / sizeof *direct; i++)
    if (strcmp(last + 1, direct[i]) == 0) return direct[i];
  const char *prev = last;
  while (prev > ptr && prev[-1] != '/') prev--;
  size_t n = (size_t)(last - prev);
  if (prev > ptr && n < len) {
    memcpy(buf, prev, n);
    buf[n] = '\0';
    return buf;
  }
  return "false";
}

static void false_schema(vctx *c, const wc_snode *n, const wc_ipath *path) {
  if (!c->out) return;
  char buf[64];
  const char *kw = holder_keyword(n->ptr, buf, sizeof buf);
  wc_buf msg;
  wc_buf_init(&msg);
  bool member = path && path->key, item = path && !path->key;
  if (member && (strcmp(kw, "additionalProperties") == 0 || strcmp(kw, "properties") == 0 ||
                 strcmp(kw, "patternProperties") == 0)) {
    wc_buf_puts(&msg, "property ");
    wc_schema_put_quoted(&msg, path->key);
    if (kw[0] == 'a') wc_buf_puts(&msg, " is not allowed (additionalProperties is false)");
    else wc_buf_puts(&msg, " is not allowed (its schema is false)");
  } else if (item && strcmp(kw, "items") == 0) {
    wc_buf_printf(&msg, "item %zu is not allowed (items is false)", path->index);
  } else if (item && strcmp(kw, "prefixItems") == 0) {
    wc_buf_printf(&msg, "item %zu is not allowed (its schema is false)", path->index);
  } else {
    wc_buf_puts(&msg, "no value is allowed here (the schema is false)");
  }
  emit(c, n, kw, "", path, &msg);
}

/* ---- keyword groups ---- */

#define FAIL_QUIETLY_OR_GO_ON(ok) \
  do {                            \
    (ok) = false;                 \
    if (!c->out) return false;    \
  } while (0)

/* cJSON's type bit (low byte) -> WC_T_* */
static const uint8_t type_bits[129] = {[cJSON_False] = WC_T_BOOLEAN, [cJSON_True] = WC_T_BOOLEAN,
                                       [cJSON_NULL] = WC_T_NULL,     [cJSON_Number] = WC_T_NUMBER,
                                       [cJSON_String] = WC_T_STRING, [cJSON_Array] = WC_T_ARRAY,
                                       [cJSON_Object] = WC_T_OBJECT};

static inline bool type_ok(unsigned types, const cJSON *inst) {
  unsigned t = (unsigned)inst->type & 0xFF;
  if (t > 128) return false;
  if (types & type_bits[t]) return true;
  /* 1.0 is an integer: cJSON cannot tell them apart, and 2020-12 agrees */
  return t == cJSON_Number && (types & WC_T_INTEGER) && isfinite(inst->valuedouble) &&
         inst->valuedouble == floor(inst->valuedouble);
}

static void type_error(vctx *c, const wc_snode *n, const cJSON *inst, const wc_ipath *path) {
  if (!c->out) return;
  wc_buf msg;
  wc_buf_init(&msg);
  wc_buf_puts(&msg, "expected ");
  for (uint8_t i = 0; i < n->ntypes; i++) {
    if (i) wc_buf_puts(&msg, i + 1 == n->ntypes ? " or " : ", ");
    wc_buf_puts(&msg, type_names[n->type_order[i]]);
  }
  wc_buf_puts(&msg, ", got ");
  if ((inst->type & 0xFF) == cJSON_Number && (n->types & WC_T_INTEGER)) wc_buf_puts(&msg, "non-integer ");
  wc_schema_put_value(&msg, inst, true);
  emit(c, n, "type", "type", path, &msg);
}

static bool v_string(vctx *c, const wc_snode *n, const cJSON *inst, const wc_ipath *path) {
  bool ok = true;
  const char *s = inst->valuestring;
  if (n->has_min_len || n->has_max_len) {
    size_t cps = wc_utf8_count(s);
    if (n->has_min_len && cps < n->min_len) {
      emitf(c, n, "minLength", "minLength", path, "expected at least %zu character%s, got %zu", n->min_len,
            n->min_len == 1 ? "" : "s", cps);
      FAIL_QUIETLY_OR_GO_ON(ok);
    }
    if (n->has_max_len && cps > n->max_len) {
      emitf(c, n, "maxLength", "maxLength", path, "expected at most %zu character%s, got %zu", n->max_len,
            n->max_len == 1 ? "" : "s", cps);
      FAIL_QUIETLY_OR_GO_ON(ok);
    }
  }
  if (n->pattern && !wc_regex_search(n->pattern, s, strlen(s))) {
    if (c->out) {
      wc_buf msg;
      wc_buf_init(&msg);
      wc_schema_put_quoted(&msg, s);
      wc_buf_puts(&msg, " does not match the pattern /");
      for (const char *q = n->pattern_src; *q; q++) {
        if ((unsigned char)*q < 0x20) wc_buf_printf(&msg, "\\u%04X", (unsigned char)*q);
        else wc_buf_append(&msg, q, 1);
      }
      wc_buf_puts(&msg, "/");
      emit(c, n, "pattern", "pattern", path, &msg);
    }
    FAIL_QUIETLY_OR_GO_ON(ok);
  }
  if (n->format && !wc_format_check(n->format, s, strlen(s))) {
    if (c->out) {
      wc_buf msg;
      wc_buf_init(&msg);
      wc_schema_put_quoted(&msg, s);
      wc_buf_printf(&msg, " is not a valid %s", n->format_name);
      emit(c, n, "format", "format", path, &msg);
    }
    FAIL_QUIETLY_OR_GO_ON(ok);
  }
  return ok;
}

static void number_error(vctx *c, const wc_snode *n, const char *kw, const wc_ipath *path, const char *what,
                         double limit, double got) {
  if (!c->out) return;
  wc_buf msg;
  wc_buf_init(&msg);
  wc_buf_printf(&msg, "expected %s", what);
  wc_schema_put_number(&msg, limit);
  wc_buf_puts(&msg, ", got ");
  wc_schema_put_number(&msg, got);
  emit(c, n, kw, kw, path, &msg);
}

static bool is_multiple(double d, double m) {
  double q = d / m;
  if (!isfinite(q)) return false; /* 1e308 / 0.123456789: not a multiple, not an error */
  double r = nearbyint(q);
  /* Binary fractions: 0.0075 / 0.0001 is 74.99999999999999. A few ulps of q
   * are forgiven, no more. */
  return fabs(q - r) <= 4 * DBL_EPSILON * fabs(q);
}

static bool v_number(vctx *c, const wc_snode *n, const cJSON *inst, const wc_ipath *path) {
  bool ok = true;
  double d = inst->valuedouble;
  if (n->has_min && !(d >= n->minimum)) {
    number_error(c, n, "minimum", path, "a number >= ", n->minimum, d);
    FAIL_QUIETLY_OR_GO_ON(ok);
  }
  if (n->has_max && !(d <= n->maximum)) {
    number_error(c, n, "maximum", path, "a number <= ", n->maximum, d);
    FAIL_QUIETLY_OR_GO_ON(ok);
  }
  if (n->has_xmin && !(d > n->xmin)) {
    number_error(c, n, "exclusiveMinimum", path, "a number > ", n->xmin, d);
    FAIL_QUIETLY_OR_GO_ON(ok);
  }
  if (n->has_xmax && !(d < n->xmax)) {
    number_error(c, n, "exclusiveMaximum", path, "a number < ", n->xmax, d);
    FAIL_QUIETLY_OR_GO_ON(ok);
  }
  if (n->has_multiple && !is_multiple(d, n->multiple)) {
    number_error(c, n, "multipleOf", path, "a multiple of ", n->multiple, d);
    FAIL_QUIETLY_OR_GO_ON(ok);
  }
  return ok;
}

/* key == p->name. The length of the name is known, so the loop needs no
 * NUL test (a shorter key differs at its NUL) and no call to strcmp. */
static inline bool same_key(const char *key, const wc_sprop *p) {
  const char *name = p->name;
  for (size_t i = 0; i < p->len; i++)
    if (key[i] != name[i]) return false;
  return key[p->len] == '\0';
}

static long prop_lookup(const wc_snode *n, const char *key) {
  size_t len;
  uint32_t h = wc_key_hash(key, &len);
  for (uint32_t j = h & n->prop_mask;; j = (j + 1) & n->prop_mask) {
    uint32_t e = n->prop_table[j];
    if (!e) return -1;
    const wc_sprop *p = &n->props[e - 1];
    if (p->hash == h && p->len == len && memcmp(p->name, key, len) == 0) return (long)e - 1;
  }
}

static bool bit(const uint64_t *set, size_t i) { return set[i >> 6] >> (i & 63) & 1; }

static bool v_property_name(vctx *c, const wc_snode *n, const char *key, const wc_ipath *member) {
  cJSON name;
  memset(&name, 0, sizeof name);
  name.type = cJSON_String;
  name.valuestring = (char *)(uintptr_t)key; /* read only */
  wc_findings *out = c->out;
  c->out = NULL;
  bool ok = v_node(c, n->property_names, &name, member);
  c->out = out;
  if (ok || !out) return ok;
  /* Re-run loudly into a side list to say why, under the member's pointer. */
  wc_findings *why = wc_findings_new();
  if (!why) return false;
  c->out = why;
  v_node(c, n->property_names, &name, member);
  c->out = out;
  char *ip = wc_schema_ipath_string(member);
  for (size_t i = 0; i < wc_findings_count(why); i++) {
    const wc_finding *f = wc_findings_get(why, i);
    wc_buf msg;
    wc_buf_init(&msg);
    wc_buf_puts(&msg, "property name ");
    wc_schema_put_quoted(&msg, key);
    wc_buf_printf(&msg, " is not allowed: %s", f->message);
    wc_findings_add(out, ip, f->schema_pointer, "propertyNames", WC_NO_OFFSET, "%s", msg.data);
    wc_buf_free(&msg);
  }
  free(ip);
  wc_findings_free(why);
  return false;
}

static bool v_object(vctx *c, const wc_snode *n, const cJSON *inst, const wc_ipath *path) {
  bool ok = true;
  uint64_t small[4] = {0};
  size_t words = (n->nprops + 63) / 64;
  uint64_t *seen = words <= 4 ? small : calloc(words, sizeof *seen);
  if (!seen) return false;
  size_t count = 0, cursor = 0;
  for (const cJSON *m = inst->child; m; m = m->next) {
    count++;
    const char *key = m->string ? m->string : "";
    wc_ipath child = {path, key, 0};
    bool evaluated = false;
    if (n->nprops) {
      /* Members usually come in the order the schema lists them. */
      long idx = cursor < n->nprops && same_key(key, &n->props[cursor]) ? (long)cursor : prop_lookup(n, key);
      if (idx >= 0) {
        cursor = (size_t)idx + 1;
        seen[idx >> 6] |= 1ull << (idx & 63);
        const wc_snode *ps = n->props[idx].schema;
        if (ps) {
          evaluated = true;
          if (ps->groups == WC_K_TYPE && !ps->alias) {
            /* the common leaf, {"type": ...}: no call needed */
            if (!type_ok(ps->types, m)) {
              type_error(c, ps, m, &child);
              ok = false;
              if (!c->out) goto done;
            }
          } else if (!v_node(c, ps, m, &child)) {
            ok = false;
            if (!c->out) goto done;
          }
        }
      }
    }
    for (size_t i = 0; i < n->npatterns; i++) {
      if (!wc_regex_search(n->patterns[i].re, key, strlen(key))) continue;
      evaluated = true;
      if (!v_node(c, n->patterns[i].schema, m, &child)) {
        ok = false;
        if (!c->out) goto done;
      }
    }
    if (!evaluated && n->additional && !v_node(c, n->additional, m, &child)) {
      ok = false;
      if (!c->out) goto done;
    }
    if (n->property_names && !v_property_name(c, n, key, &child)) {
      ok = false;
      if (!c->out) goto done;
    }
  }
  /* With up to 64 names, one mask test says whether anything is missing. */
  if (n->nrequired && (n->nprops > 64 || (n->required_mask & ~seen[0]))) {
    for (size_t i = 0; i < n->nprops; i++) {
      if (!n->props[i].required || bit(seen, i)) continue;
      if (c->out) {
        wc_buf msg;
        wc_buf_init(&msg);
        wc_buf_puts(&msg, "missing required property ");
        wc_schema_put_quoted(&msg, n->props[i].name);
        emit(c, n, "required", "required", path, &msg);
      }
      ok = false;
      if (!c->out) goto done;
    }
  }
  if (n->has_min_props && count < n->min_props) {
    emitf(c, n, "minProperties", "minProperties", path, "expected at least %zu propert%s, got %zu", n->min_props,
          n->min_props == 1 ? "y" : "ies", count);
    ok = false;
    if (!c->out) goto done;
  }
  if (n->has_max_props && count > n->max_props) {
    emitf(c, n, "maxProperties", "maxProperties", path, "expected at most %zu propert%s, got %zu", n->max_props,
          n->max_props == 1 ? "y" : "ies", count);
    ok = false;
    if (!c->out) goto done;
  }
  for (size_t i = 0; i < n->ndep_required; i++) {
    const wc_sdep *d = &n->dep_required[i];
    if (!bit(seen, d->trigger)) continue;
    for (size_t j = 0; j < d->nneeds; j++) {
      if (bit(seen, d->needs[j])) continue;
      if (c->out) {
        wc_buf msg;
        wc_buf_init(&msg);
        wc_buf_puts(&msg, "property ");
        wc_schema_put_quoted(&msg, n->props[d->trigger].name);
        wc_buf_puts(&msg, " requires property ");
        wc_schema_put_quoted(&msg, n->props[d->needs[j]].name);
        char *tok = wc_pointer_append("dependentRequired", n->props[d->trigger].name);
        emit(c, n, "dependentRequired", tok, path, &msg);
        free(tok);
      }
      ok = false;
      if (!c->out) goto done;
    }
  }
  for (size_t i = 0; i < n->ndep_schemas; i++) {
    const wc_sdep *d = &n->dep_schemas[i];
    if (bit(seen, d->trigger) && !v_node(c, d->schema, inst, path)) {
      ok = false;
      if (!c->out) goto done;
    }
  }
done:
  if (seen != small) free(seen);
  return ok;
}

static int cmp_hash(const void *a, const void *b) {
  const uint64_t *x = a, *y = b;
  return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : (x[1] < y[1] ? -1 : x[1] > y[1]);
}

/* First pair of equal items (i < j), or false. */
static bool find_equal_items(const cJSON *arr, size_t count, size_t *pi, size_t *pj) {
  const cJSON *small[32];
  const cJSON **items = count <= 32 ? small : malloc(count * sizeof *items);
  if (!items) return false;
  size_t k = 0;
  for (const cJSON *m = arr->child; m; m = m->next) items[k++] = m;
  bool found = false;
  if (count <= 32) {
    for (size_t i = 0; i < count && !found; i++)
      for (size_t j = i + 1; j < count && !found; j++)
        if (wc_json_equal(items[i], items[j])) *pi = i, *pj = j, found = true;
  } else {
    /* (hash, index) pairs sorted: equal items end up side by side */
    uint64_t *h = malloc(count * 2 * sizeof *h);
    if (h) {
      for (size_t i = 0; i < count; i++) h[2 * i] = wc_json_hash(items[i]), h[2 * i + 1] = i;
      qsort(h, count, 2 * sizeof *h, cmp_hash);
      for (size_t i = 0; i < count && !found; i++)
        for (size_t j = i + 1; j < count && h[2 * j] == h[2 * i] && !found; j++)
          if (wc_json_equal(items[h[2 * i + 1]], items[h[2 * j + 1]]))
            *pi = (size_t)h[2 * i + 1], *pj = (size_t)h[2 * j + 1], found = true;
      free(h);
    }
  }
  /* Both searches yield *pi < *pj: the small one by its loops, the hashed one
   * because pairs of equal hash are sorted by index. */
  if (items != small) free(items);
  return found;
}

static bool v_array(vctx *c, const wc_snode *n, const cJSON *inst, const wc_ipath *path) {
  bool ok = true;
  size_t i = 0, matches = 0;
  for (const cJSON *m = inst->child; m; m = m->next, i++) {
    wc_ipath child = {path, NULL, i};
    const wc_snode *s = i < n->prefix.n ? n->prefix.items[i] : n->items;
    if (s && !v_node(c, s, m, &child)) FAIL_QUIETLY_OR_GO_ON(ok);
    if (n->contains) {
      wc_findings *out = c->out;
      c->out = NULL;
      matches += v_node(c, n->contains, m, &child);
      c->out = out;
    }
  }
  size_t count = i;
  if (n->has_min_items && count < n->min_items) {
    emitf(c, n, "minItems", "minItems", path, "expected at least %zu item%s, got %zu", n->min_items,
          n->min_items == 1 ? "" : "s", count);
    FAIL_QUIETLY_OR_GO_ON(ok);
  }
  if (n->has_max_items && count > n->max_items) {
    emitf(c, n, "maxItems", "maxItems", path, "expected at most %zu item%s, got %zu", n->max_items,
          n->max_items == 1 ? "" : "s", count);
    FAIL_QUIETLY_OR_GO_ON(ok);
  }
  if (n->contains && matches < n->min_contains) {
    if (n->min_contains == 1)
      emitf(c, n, "contains", "contains", path, "no item matches the contains schema");
    else
      emitf(c, n, "minContains", "minContains", path, "expected at least %zu items matching contains, got %zu",
            n->min_contains, matches);
    FAIL_QUIETLY_OR_GO_ON(ok);
  }
  if (n->contains && n->has_max_contains && matches > n->max_contains) {
    emitf(c, n, "maxContains", "maxContains", path, "expected at most %zu items matching contains, got %zu",
          n->max_contains, matches);
    FAIL_QUIETLY_OR_GO_ON(ok);
  }
  size_t a = 0, b = 0;
  if (n->unique && count > 1 && find_equal_items(inst, count, &a, &b)) {
    emitf(c, n, "uniqueItems", "uniqueItems", path, "items %zu and %zu are equal (uniqueItems)", a, b);
    FAIL_QUIETLY_OR_GO_ON(ok);
  }
  return ok;
}

static void list_values(wc_buf *msg, const cJSON *arr) {
  size_t i = 0, total = (size_t)cJSON_GetArraySize(arr);
  for (const cJSON *v = arr->child; v && i < 5; v = v->next, i++) {
    if (i) wc_buf_puts(msg, ", ");
    wc_schema_put_value(msg, v, false);
  }
  if (total > 5) wc_buf_printf(msg, ", ... (%zu values)", total);
}

static bool v_enum_const(vctx *c, const wc_snode *n, const cJSON *inst, const wc_ipath *path) {
  bool ok = true;
  if (n->const_value && !wc_json_equal(inst, n->const_value)) {
    if (c->out) {
      wc_buf msg;
      wc_buf_init(&msg);
      wc_buf_puts(&msg, "expected the constant ");
      wc_schema_put_value(&msg, n->const_value, false);
      wc_buf_puts(&msg, ", got ");
      wc_schema_put_value(&msg, inst, false);
      emit(c, n, "const", "const", path, &msg);
    }
    FAIL_QUIETLY_OR_GO_ON(ok);
  }
  if (n->enum_values) {
    bool found = false;
    for (const cJSON *v = n->enum_values->child; v && !found; v = v->next) found = wc_json_equal(inst, v);
    if (!found) {
      if (c->out) {
        wc_buf msg;
        wc_buf_init(&msg);
        wc_buf_puts(&msg, "expected one of ");
        list_values(&msg, n->enum_values);
        wc_buf_puts(&msg, "; got ");
        wc_schema_put_value(&msg, inst, false);
        emit(c, n, "enum", "enum", path, &msg);
      }
      FAIL_QUIETLY_OR_GO_ON(ok);
    }
  }
  return ok;
}

static bool quietly(vctx *c, const wc_snode *n, const cJSON *inst, const wc_ipath *path) {
  wc_findings *out = c->out;
  c->out = NULL;
  bool ok = v_node(c, n, inst, path);
  c->out = out;
  return ok;
}

static bool v_applicators(vctx *c, const wc_snode *n, const cJSON *inst, const wc_ipath *path) {
  bool ok = true;
  for (size_t i = 0; i < n->all_of.n; i++)
    if (!v_node(c, n->all_of.items[i], inst, path)) FAIL_QUIETLY_OR_GO_ON(ok);
  if (n->any_of.n) {
    bool any = false;
    for (size_t i = 0; i < n->any_of.n && !any; i++) any = quietly(c, n->any_of.items[i], inst, path);
    if (!any) {
      emitf(c, n, "anyOf", "anyOf", path, "matches none of the %zu alternatives in anyOf (the errors of each follow)",
            n->any_of.n);
      for (size_t i = 0; i < n->any_of.n && c->out; i++) v_node(c, n->any_of.items[i], inst, path);
      FAIL_QUIETLY_OR_GO_ON(ok);
    }
  }
  if (n->one_of.n) {
    size_t valid = 0, first = 0, second = 0;
    for (size_t i = 0; i < n->one_of.n && valid < 2; i++) {
      if (!quietly(c, n->one_of.items[i], inst, path)) continue;
      if (valid++ == 0) first = i;
      else second = i;
    }
    if (valid == 0) {
      emitf(c, n, "oneOf", "oneOf", path, "matches none of the %zu alternatives in oneOf (the errors of each follow)",
            n->one_of.n);
      for (size_t i = 0; i < n->one_of.n && c->out; i++) v_node(c, n->one_of.items[i], inst, path);
      FAIL_QUIETLY_OR_GO_ON(ok);
    } else if (valid > 1) {
      emitf(c, n, "oneOf", "oneOf", path, "matches alternatives %zu and %zu of oneOf; exactly one must match", first,
            second);
      FAIL_QUIETLY_OR_GO_ON(ok);
    }
  }
  if (n->not_schema && quietly(c, n->not_schema, inst, path)) {
    emitf(c, n, "not", "not", path, "must not match the schema in not, but does");
    FAIL_QUIETLY_OR_GO_ON(ok);
  }
  if (n->if_schema) {
    const wc_snode *branch = quietly(c, n->if_schema, inst, path) ? n->then_schema : n->else_schema;
    if (branch && !v_node(c, branch, inst, path)) FAIL_QUIETLY_OR_GO_ON(ok);
  }
  return ok;
}

static bool v_body(vctx *c, const wc_snode *n, const cJSON *inst, const wc_ipath *path) {
  bool ok = true;
  unsigned g = n->groups;
  if ((g & WC_K_REF) && !v_node(c, n->ref, inst, path)) FAIL_QUIETLY_OR_GO_ON(ok);
  if ((g & WC_K_TYPE) && !type_ok(n->types, inst)) {
    type_error(c, n, inst, path);
    FAIL_QUIETLY_OR_GO_ON(ok);
  }
  switch (inst->type & 0xFF) {
  case cJSON_Object:
    if ((g & WC_K_OBJECT) && !v_object(c, n, inst, path)) FAIL_QUIETLY_OR_GO_ON(ok);
    break;
  case cJSON_Array:
    if ((g & WC_K_ARRAY) && !v_array(c, n, inst, path)) FAIL_QUIETLY_OR_GO_ON(ok);
    break;
  case cJSON_String:
    if ((g & WC_K_STRING) && !v_string(c, n, inst, path)) FAIL_QUIETLY_OR_GO_ON(ok);
    break;
  case cJSON_Number:
    if ((g & WC_K_NUMBER) && !v_number(c, n, inst, path)) FAIL_QUIETLY_OR_GO_ON(ok);
    break;
  default: break;
  }
  if ((g & (WC_K_ENUM | WC_K_CONST)) && !v_enum_const(c, n, inst, path)) FAIL_QUIETLY_OR_GO_ON(ok);
  if ((g & WC_K_APPLY) && !v_applicators(c, n, inst, path)) FAIL_QUIETLY_OR_GO_ON(ok);
  return ok;
}

static bool v_node(vctx *c, const wc_snode *n, const cJSON *inst, const wc_ipath *path) {
  if (n->alias) n = n->alias;
  if (n->boolean) {
    if (n->boolean == 1) return true;
    false_schema(c, n, path);
    return false;
  }
  if (c->depth >= MAX_EVAL_DEPTH) {
    emitf(c, n, "$ref", "", path, "validation nested deeper than %d schema levels: stopped", MAX_EVAL_DEPTH);
    return false;
  }
  if (!(n->groups & WC_K_INPLACE)) {
    c->depth++;
    bool ok = v_body(c, n, inst, path);
    c->depth--;
    return ok;
  }
  /* Only nodes that apply schemas to the same value can start a cycle: the
   * same node again on the same value, with nothing consumed in between,
   * would recurse forever. The stack holds those nodes only. */
  for (size_t i = c->sp; i-- > 0 && c->stack[i].inst == inst;) {
    if (c->stack[i].node == n) {
      emitf(c, n, "$ref", "", path, "schema %s applies to this value again through a $ref cycle: stopped", n->ptr);
      return false;
    }
  }
  c->stack[c->sp].node = n;
  c->stack[c->sp].inst = inst;
  c->sp++;
  c->depth++;
  bool ok = v_body(c, n, inst, path);
  c->depth--;
  c->sp--;
  return ok;
}

bool wc_schema_validate(const wc_schema *schema, const cJSON *instance, wc_findings *out) {
  if (!schema || !schema->root || !instance) return false;
  frame stack[MAX_EVAL_DEPTH]; /* 32 KiB, never initialised as a whole */
  vctx c = {out, 0, 0, stack};
  return v_node(&c, schema->root, instance, NULL);
}
