/* JSON Schema 2020-12: compiling a schema into a tree of typed nodes.
 *
 * Every schema object becomes one wc_snode with its keywords decoded
 * (numbers as doubles, property names in a hash table, patterns compiled,
 * $ref resolved to the target node), so validation never looks at keyword
 * names again. Nodes are keyed by the cJSON node they come from: a schema
 * reached through several $refs is compiled once, and a $ref cycle becomes a
 * cycle of pointers rather than endless compilation. $ref targets are
 * compiled from a work list, so the C stack only grows with the nesting of
 * the schema text itself.
 *
 * Each node keeps its location in the source document ("#/components/
 * schemas/User/properties/name"): error messages point into the spec. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_compile.h"

/* ---- arena: every node, list and string of a compiled schema ---- */

struct wc_arena_chunk {
  struct wc_arena_chunk *next;
  size_t used, cap;
  _Alignas(16) unsigned char data[];
};

static void *arena_alloc(wc_schema *s, size_t n) {
  n = (n + 15) & ~(size_t)15;
  struct wc_arena_chunk *c = s->arena;
  if (!c || c->cap - c->used < n) {
    size_t cap = n > 16384 ? n : 16384;
    c = malloc(sizeof *c + cap);
    if (!c) return NULL;
    c->next = s->arena;
    c->used = 0;
    c->cap = cap;
    s->arena = c;
  }
  void *p = c->data + c->used;
  c->used += n;
  memset(p, 0, n);
  return p;
}

char *wc_sc_strndup(wc_schema *s, const char *str, size_t n) {
  char *p = arena_alloc(s, n + 1);
  if (p) {
    memcpy(p, str, n);
    p[n] = '\0';
  }
  return p;
}

/* ---- compile context ---- */

void wc_sc_fail(compiler *cc, const char *ptr, const char *fmt, ...) {
  if (cc->failed) return;
  cc->failed = true;
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (ptr) wc_err_set(cc->err, WC_E_SCHEMA, "%s: %s", *ptr ? ptr : "#", msg);
  else wc_err_set(cc->err, WC_E_SCHEMA, "%s", msg);
}

void wc_sc_oom(compiler *cc) {
  if (cc->failed) return;
  cc->failed = true;
  wc_err_set(cc->err, WC_E_NOMEM, "out of memory while compiling a schema");
}

static void note(compiler *cc, const char *ptr, const char *keyword, const char *fmt, ...) WC_PRINTF(4, 5);
static void note(compiler *cc, const char *ptr, const char *keyword, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (wc_findings_addv(cc->s->notes, NULL, ptr, keyword, WC_NO_OFFSET, fmt, ap) != 0) wc_sc_oom(cc);
  va_end(ap);
}

static size_t ptr_hash(const cJSON *p) {
  uintptr_t v = (uintptr_t)p;
  v ^= v >> 17;
  v *= 0x9E3779B97F4A7C15ull;
  return (size_t)(v ^ (v >> 29));
}

wc_snode *wc_sc_map_get(const compiler *cc, const cJSON *key) {
  if (!cc->map_cap) return NULL;
  for (size_t i = ptr_hash(key) & (cc->map_cap - 1);; i = (i + 1) & (cc->map_cap - 1)) {
    if (!cc->map_keys[i]) return NULL;
    if (cc->map_keys[i] == key) return cc->map_vals[i];
  }
}

static int map_put(compiler *cc, const cJSON *key, wc_snode *val) {
  if ((cc->map_n + 1) * 2 > cc->map_cap) {
    size_t cap = cc->map_cap ? cc->map_cap * 2 : 64;
    const cJSON **keys = calloc(cap, sizeof *keys);
    wc_snode **vals = calloc(cap, sizeof *vals);
    if (!keys || !vals) {
      free(keys);
      free(vals);
      return -1;
    }
    for (size_t i = 0; i < cc->map_cap; i++) {
      if (!cc->map_keys[i]) continue;
      size_t j = ptr_hash(cc->map_keys[i]) & (cap - 1);
      while (keys[j]) j = (j + 1) & (cap - 1);
      keys[j] = cc->map_keys[i];
      vals[j] = cc->map_vals[i];
    }
    free(cc->map_keys);
    free(cc->map_vals);
    cc->map_keys = keys;
    cc->map_vals = vals;
    cc->map_cap = cap;
  }
  size_t j = ptr_hash(key) & (cc->map_cap - 1);
  while (cc->map_keys[j]) j = (j + 1) & (cc->map_cap - 1);
  cc->map_keys[j] = key;
  cc->map_vals[j] = val;
  cc->map_n++;
  return 0;
}

const cJSON *wc_sc_member(const cJSON *obj, const char *name) {
  return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
}

const char *wc_sc_str_member(const cJSON *obj, const char *name) {
  return cJSON_GetStringValue(wc_sc_member(obj, name));
}

wc_snode *wc_sc_new_node(compiler *cc, const cJSON *json, const char *ptr) {
  wc_snode *n = arena_alloc(cc->s, sizeof *n);
  if (!n || map_put(cc, json, n) != 0) {
    wc_sc_oom(cc);
    return NULL;
  }
  n->ptr = ptr;
  return n;
}

/* "#/a/b" + "/" + escaped token */
static char *child_ptr(compiler *cc, const char *base, const char *kw, const char *token) {
  wc_buf b;
  wc_buf_init(&b);
  int rc = wc_buf_puts(&b, base);
  if (kw) rc |= wc_buf_printf(&b, "/%s", kw);
  if (token && rc == 0) rc = wc_pointer_token_append(&b, token, strlen(token));
  char *out = rc == 0 ? wc_sc_strndup(cc->s, b.data, b.len) : NULL;
  wc_buf_free(&b);
  if (!out) wc_sc_oom(cc);
  return out;
}

static char *child_ptr_index(compiler *cc, const char *base, const char *kw, size_t index) {
  char tok[32];
  snprintf(tok, sizeof tok, "%zu", index);
  return child_ptr(cc, base, kw, tok);
}

/* ---- keyword values ---- */

static bool nonneg_int(const cJSON *v, size_t *out) {
  if (!cJSON_IsNumber(v)) return false;
  double d = v->valuedouble;
  if (!isfinite(d) || d < 0 || d != floor(d)) return false;
  *out = d >= 1e18 ? (size_t)1e18 : (size_t)d;
  return true;
}

static int type_bit(const char *name) {
  static const char *const names[] = {"null", "boolean", "object", "array", "number", "integer", "string"};
  for (int i = 0; i < 7; i++)
    if (strcmp(name, names[i]) == 0) return i;
  return -1;
}

/* ---- keywords ---- */

static const char *const annotation_keywords[] = {
    "$schema", "$id", "$anchor", "$dynamicAnchor", "$vocabulary", "$comment", "$defs", "title", "description",
    "default", "deprecated", "readOnly", "writeOnly", "examples", "example", "contentMediaType",
    "contentEncoding", "contentSchema", "discriminator", "xml", "externalDocs", "nullable"};

static const char *const refused_keywords[] = {"$dynamicRef", "$recursiveRef", "unevaluatedProperties",
                                               "unevaluatedItems"};

static bool in_list(const char *name, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(name, list[i]) == 0) return true;
  return false;
}

static void compile_into(compiler *cc, wc_snode *n, const cJSON *json, bool in_resource, int depth);

/* A subschema at base/kw[/token]: compiled now (or found, if a $ref got to
 * it first). */
static wc_snode *sub(compiler *cc, const cJSON *json, const char *ptr, bool in_resource, int depth) {
  if (cc->failed || !ptr) return NULL;
  wc_snode *n = wc_sc_map_get(cc, json);
  if (n) return n;
  n = wc_sc_new_node(cc, json, ptr);
  if (n) compile_into(cc, n, json, in_resource, depth + 1);
  return cc->failed ? NULL : n;
}

static bool schema_value(compiler *cc, const cJSON *v, const char *ptr) {
  if (cJSON_IsObject(v) || cJSON_IsBool(v)) return true;
  wc_sc_fail(cc, ptr, "a schema must be an object or a boolean");
  return false;
}

static void schema_list(compiler *cc, wc_slist *out, const cJSON *v, const char *base, const char *kw,
                        bool in_resource, int depth) {
  char *ptr = child_ptr(cc, base, kw, NULL);
  if (!cJSON_IsArray(v) || !v->child) {
    wc_sc_fail(cc, ptr, "%s must be a non-empty array of schemas", kw);
    return;
  }
  out->n = (size_t)cJSON_GetArraySize(v);
  out->items = arena_alloc(cc->s, out->n * sizeof *out->items);
  if (!out->items) {
    wc_sc_oom(cc);
    return;
  }
  size_t i = 0;
  for (const cJSON *c = v->child; c && !cc->failed; c = c->next, i++) {
    char *p = child_ptr_index(cc, base, kw, i);
    if (p && schema_value(cc, c, p)) out->items[i] = sub(cc, c, p, in_resource, depth);
  }
}

static wc_snode *schema_kw(compiler *cc, const cJSON *v, const char *base, const char *kw, bool in_resource,
                           int depth) {
  char *p = child_ptr(cc, base, kw, NULL);
  if (!p || !schema_value(cc, v, p)) return NULL;
  return sub(cc, v, p, in_resource, depth);
}

/* Property names seen by properties / required / dependent*: one table. */
typedef struct prop_builder {
  wc_sprop *items;
  size_t n, cap;
} prop_builder;

static long prop_index(compiler *cc, prop_builder *pb, const char *name) {
  for (size_t i = 0; i < pb->n; i++)
    if (strcmp(pb->items[i].name, name) == 0) return (long)i;
  if (pb->n == pb->cap) {
    size_t cap = pb->cap ? pb->cap * 2 : 16;
    wc_sprop *items = realloc(pb->items, cap * sizeof *items);
    if (!items) {
      wc_sc_oom(cc);
      return -1;
    }
    pb->items = items;
    pb->cap = cap;
  }
  wc_sprop *p = &pb->items[pb->n];
  memset(p, 0, sizeof *p);
  p->name = wc_sc_strndup(cc->s, name, strlen(name));
  if (!p->name) {
    wc_sc_oom(cc);
    return -1;
  }
  p->hash = wc_key_hash(p->name, &p->len);
  return (long)pb->n++;
}

static bool string_array(compiler *cc, const cJSON *v, const char *ptr, const char *what) {
  if (!cJSON_IsArray(v)) {
    wc_sc_fail(cc, ptr, "%s must be an array of strings", what);
    return false;
  }
  for (const cJSON *c = v->child; c; c = c->next) {
    if (!cJSON_IsString(c)) {
      wc_sc_fail(cc, ptr, "%s must be an array of strings", what);
      return false;
    }
    for (const cJSON *d = v->child; d != c; d = d->next)
      if (strcmp(d->valuestring, c->valuestring) == 0) {
        wc_sc_fail(cc, ptr, "%s lists \"%s\" twice", what, c->valuestring);
        return false;
      }
  }
  return true;
}

static void finish_props(compiler *cc, wc_snode *n, prop_builder *pb) {
  if (!pb->n) return;
  n->nprops = pb->n;
  n->props = arena_alloc(cc->s, pb->n * sizeof *n->props);
  size_t cap = 4;
  while (cap < pb->n * 2) cap *= 2;
  n->prop_table = arena_alloc(cc->s, cap * sizeof *n->prop_table);
  if (!n->props || !n->prop_table) {
    wc_sc_oom(cc);
    return;
  }
  memcpy(n->props, pb->items, pb->n * sizeof *n->props);
  n->prop_mask = (uint32_t)(cap - 1);
  for (size_t i = 0; i < pb->n; i++) {
    size_t j = n->props[i].hash & n->prop_mask;
    while (n->prop_table[j]) j = (j + 1) & n->prop_mask;
    n->prop_table[j] = (uint32_t)(i + 1);
    if (n->props[i].required) {
      n->nrequired++;
      if (i < 64) n->required_mask |= 1ull << i;
    }
  }
}

static int keep_regex(compiler *cc, wc_regex *re) {
  wc_schema *s = cc->s;
  if (s->nregexes == s->regexes_cap) {
    size_t cap = s->regexes_cap ? s->regexes_cap * 2 : 8;
    wc_regex **r = realloc(s->regexes, cap * sizeof *r);
    if (!r) {
      wc_regex_free(re);
      wc_sc_oom(cc);
      return -1;
    }
    s->regexes = r;
    s->regexes_cap = cap;
  }
  s->regexes[s->nregexes++] = re;
  return 0;
}

static wc_regex *regex(compiler *cc, const char *pattern, const char *ptr) {
  char why[200];
  wc_regex *re = wc_regex_compile(pattern, why, sizeof why);
  if (!re) {
    wc_sc_fail(cc, ptr, "pattern \"%.80s\" refused: %s", pattern, why);
    return NULL;
  }
  return keep_regex(cc, re) == 0 ? re : NULL;
}

static void object_keywords(compiler *cc, wc_snode *n, const cJSON *json, bool in_resource, int depth) {
  prop_builder pb = {0};
  const char *base = n->ptr;
  const cJSON *v;
  if ((v = wc_sc_member(json, "properties"))) {
    char *p = child_ptr(cc, base, "properties", NULL);
    if (!cJSON_IsObject(v)) wc_sc_fail(cc, p, "properties must be an object");
    n->has_properties = true;
    for (const cJSON *c = v->child; c && !cc->failed; c = c->next) {
      char *cp = child_ptr(cc, base, "properties", c->string);
      long i = cp && schema_value(cc, c, cp) ? prop_index(cc, &pb, c->string) : -1;
      if (i >= 0) {
        wc_snode *child = sub(cc, c, cp, in_resource, depth);
        pb.items[i].schema = child;
      }
    }
  }
  if ((v = wc_sc_member(json, "required")) && !cc->failed) {
    char *p = child_ptr(cc, base, "required", NULL);
    if (p && string_array(cc, v, p, "required"))
      for (const cJSON *c = v->child; c && !cc->failed; c = c->next) {
        long i = prop_index(cc, &pb, c->valuestring);
        if (i >= 0) pb.items[i].required = true;
      }
  }
  if ((v = wc_sc_member(json, "dependentRequired")) && !cc->failed) {
    char *p = child_ptr(cc, base, "dependentRequired", NULL);
    if (!cJSON_IsObject(v)) wc_sc_fail(cc, p, "dependentRequired must be an object of string arrays");
    n->ndep_required = (size_t)cJSON_GetArraySize(v);
    n->dep_required = arena_alloc(cc->s, (n->ndep_required + 1) * sizeof *n->dep_required);
    if (!n->dep_required) wc_sc_oom(cc);
    size_t k = 0;
    for (const cJSON *c = v->child; c && !cc->failed; c = c->next, k++) {
      char *cp = child_ptr(cc, base, "dependentRequired", c->string);
      if (!cp || !string_array(cc, c, cp, "a dependentRequired entry")) break;
      long t = prop_index(cc, &pb, c->string);
      wc_sdep *d = &n->dep_required[k];
      d->trigger = (uint32_t)t;
      d->nneeds = (size_t)cJSON_GetArraySize(c);
      d->needs = arena_alloc(cc->s, (d->nneeds + 1) * sizeof *d->needs);
      if (!d->needs) wc_sc_oom(cc);
      size_t j = 0;
      for (const cJSON *e = c->child; e && !cc->failed; e = e->next) {
        long i = prop_index(cc, &pb, e->valuestring);
        if (i >= 0) d->needs[j++] = (uint32_t)i;
      }
    }
  }
  if ((v = wc_sc_member(json, "dependentSchemas")) && !cc->failed) {
    char *p = child_ptr(cc, base, "dependentSchemas", NULL);
    if (!cJSON_IsObject(v)) wc_sc_fail(cc, p, "dependentSchemas must be an object of schemas");
    n->ndep_schemas = (size_t)cJSON_GetArraySize(v);
    n->dep_schemas = arena_alloc(cc->s, (n->ndep_schemas + 1) * sizeof *n->dep_schemas);
    if (!n->dep_schemas) wc_sc_oom(cc);
    size_t k = 0;
    for (const cJSON *c = v->child; c && !cc->failed; c = c->next, k++) {
      char *cp = child_ptr(cc, base, "dependentSchemas", c->string);
      if (!cp || !schema_value(cc, c, cp)) break;
      long t = prop_index(cc, &pb, c->string);
      n->dep_schemas[k].trigger = (uint32_t)t;
      n->dep_schemas[k].schema = sub(cc, c, cp, in_resource, depth);
    }
  }
  if (!cc->failed) finish_props(cc, n, &pb);
  free(pb.items);
  if ((v = wc_sc_member(json, "patternProperties")) && !cc->failed) {
    char *p = child_ptr(cc, base, "patternProperties", NULL);
    if (!cJSON_IsObject(v)) wc_sc_fail(cc, p, "patternProperties must be an object");
    n->npatterns = (size_t)cJSON_GetArraySize(v);
    n->patterns = arena_alloc(cc->s, (n->npatterns + 1) * sizeof *n->patterns);
    if (!n->patterns) wc_sc_oom(cc);
    size_t k = 0;
    for (const cJSON *c = v->child; c && !cc->failed; c = c->next, k++) {
      char *cp = child_ptr(cc, base, "patternProperties", c->string);
      if (!cp || !schema_value(cc, c, cp)) break;
      n->patterns[k].source = wc_sc_strndup(cc->s, c->string, strlen(c->string));
      n->patterns[k].re = regex(cc, c->string, cp);
      n->patterns[k].schema = sub(cc, c, cp, in_resource, depth);
    }
  }
  if ((v = wc_sc_member(json, "additionalProperties")) && !cc->failed)
    n->additional = schema_kw(cc, v, base, "additionalProperties", in_resource, depth);
  if ((v = wc_sc_member(json, "propertyNames")) && !cc->failed)
    n->property_names = schema_kw(cc, v, base, "propertyNames", in_resource, depth);
  if ((v = wc_sc_member(json, "minProperties")) && !cc->failed) {
    n->has_min_props = nonneg_int(v, &n->min_props);
    if (!n->has_min_props) wc_sc_fail(cc, child_ptr(cc, base, "minProperties", NULL), "must be a non-negative integer");
  }
  if ((v = wc_sc_member(json, "maxProperties")) && !cc->failed) {
    n->has_max_props = nonneg_int(v, &n->max_props);
    if (!n->has_max_props) wc_sc_fail(cc, child_ptr(cc, base, "maxProperties", NULL), "must be a non-negative integer");
  }
}

static void array_keywords(compiler *cc, wc_snode *n, const cJSON *json, bool in_resource, int depth) {
  const char *base = n->ptr;
  const cJSON *v;
  if ((v = wc_sc_member(json, "prefixItems"))) schema_list(cc, &n->prefix, v, base, "prefixItems", in_resource, depth);
  if ((v = wc_sc_member(json, "items")) && !cc->failed) {
    if (cJSON_IsArray(v))
      wc_sc_fail(cc, child_ptr(cc, base, "items", NULL),
            "items is an array (draft 2019 or older); in 2020-12 write prefixItems");
    else n->items = schema_kw(cc, v, base, "items", in_resource, depth);
  }
  if ((v = wc_sc_member(json, "contains")) && !cc->failed) {
    n->contains = schema_kw(cc, v, base, "contains", in_resource, depth);
    n->min_contains = 1;
  }
  if ((v = wc_sc_member(json, "minContains")) && !cc->failed) {
    size_t m;
    if (!nonneg_int(v, &m)) wc_sc_fail(cc, child_ptr(cc, base, "minContains", NULL), "must be a non-negative integer");
    else if (n->contains) n->min_contains = m;
  }
  if ((v = wc_sc_member(json, "maxContains")) && !cc->failed) {
    size_t m;
    if (!nonneg_int(v, &m)) wc_sc_fail(cc, child_ptr(cc, base, "maxContains", NULL), "must be a non-negative integer");
    else if (n->contains) n->max_contains = m, n->has_max_contains = true;
  }
  if ((v = wc_sc_member(json, "minItems")) && !cc->failed) {
    n->has_min_items = nonneg_int(v, &n->min_items);
    if (!n->has_min_items) wc_sc_fail(cc, child_ptr(cc, base, "minItems", NULL), "must be a non-negative integer");
  }
  if ((v = wc_sc_member(json, "maxItems")) && !cc->failed) {
    n->has_max_items = nonneg_int(v, &n->max_items);
    if (!n->has_max_items) wc_sc_fail(cc, child_ptr(cc, base, "maxItems", NULL), "must be a non-negative integer");
  }
  if ((v = wc_sc_member(json, "uniqueItems")) && !cc->failed) {
    if (!cJSON_IsBool(v)) wc_sc_fail(cc, child_ptr(cc, base, "uniqueItems", NULL), "must be a boolean");
    n->unique = cJSON_IsTrue(v);
  }
}

static bool number_kw(compiler *cc, const cJSON *json, const char *kw, const char *base, double *out) {
  const cJSON *v = wc_sc_member(json, kw);
  if (!v || cc->failed) return false;
  if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
    wc_sc_fail(cc, child_ptr(cc, base, kw, NULL), "%s must be a finite number", kw);
    return false;
  }
  *out = v->valuedouble;
  return true;
}

static void scalar_keywords(compiler *cc, wc_snode *n, const cJSON *json) {
  const char *base = n->ptr;
  const cJSON *v;
  if ((v = wc_sc_member(json, "minLength"))) {
    n->has_min_len = nonneg_int(v, &n->min_len);
    if (!n->has_min_len) wc_sc_fail(cc, child_ptr(cc, base, "minLength", NULL), "must be a non-negative integer");
  }
  if ((v = wc_sc_member(json, "maxLength")) && !cc->failed) {
    n->has_max_len = nonneg_int(v, &n->max_len);
    if (!n->has_max_len) wc_sc_fail(cc, child_ptr(cc, base, "maxLength", NULL), "must be a non-negative integer");
  }
  if ((v = wc_sc_member(json, "pattern")) && !cc->failed) {
    char *p = child_ptr(cc, base, "pattern", NULL);
    if (!cJSON_IsString(v)) wc_sc_fail(cc, p, "pattern must be a string");
    else if ((n->pattern = regex(cc, v->valuestring, p))) n->pattern_src = wc_sc_strndup(cc->s, v->valuestring, strlen(v->valuestring));
  }
  if ((v = wc_sc_member(json, "format")) && !cc->failed) {
    char *p = child_ptr(cc, base, "format", NULL);
    if (!cJSON_IsString(v)) {
      wc_sc_fail(cc, p, "format must be a string");
    } else if (cc->s->opts.format_assertion) {
      n->format = wc_format_lookup(v->valuestring);
      n->format_name = wc_sc_strndup(cc->s, v->valuestring, strlen(v->valuestring));
      if (n->format == WC_FORMAT_NONE)
        note(cc, p, "format", "format \"%s\" is not asserted (only date, date-time, uuid, email and uri are)",
             v->valuestring);
    }
  }
  n->has_min = number_kw(cc, json, "minimum", base, &n->minimum);
  n->has_max = number_kw(cc, json, "maximum", base, &n->maximum);
  n->has_xmin = number_kw(cc, json, "exclusiveMinimum", base, &n->xmin);
  n->has_xmax = number_kw(cc, json, "exclusiveMaximum", base, &n->xmax);
  n->has_multiple = number_kw(cc, json, "multipleOf", base, &n->multiple);
  if (n->has_multiple && n->multiple <= 0)
    wc_sc_fail(cc, child_ptr(cc, base, "multipleOf", NULL), "multipleOf must be greater than 0");
}

static const char *const handled_keywords[] = {
    "type", "enum", "const", "$ref", "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
    "properties", "required", "additionalProperties", "patternProperties", "propertyNames",
    "minProperties", "maxProperties", "dependentRequired", "dependentSchemas", "items", "prefixItems",
    "contains", "minContains", "maxContains", "minItems", "maxItems", "uniqueItems", "minLength",
    "maxLength", "pattern", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "multipleOf"};

#define COUNT(a) (sizeof(a) / sizeof *(a))

static void compile_into(compiler *cc, wc_snode *n, const cJSON *json, bool in_resource, int depth) {
  if (cc->failed) return;
  if (depth > MAX_SCHEMA_NESTING) {
    wc_sc_fail(cc, n->ptr, "schema nested deeper than %d levels", MAX_SCHEMA_NESTING);
    return;
  }
  if (cJSON_IsBool(json)) {
    n->boolean = cJSON_IsTrue(json) ? 1 : 2;
    return;
  }
  if (!cJSON_IsObject(json)) {
    wc_sc_fail(cc, n->ptr, "a schema must be an object or a boolean");
    return;
  }
  if (json != cc->doc && json != cc->entry && wc_sc_member(json, "$id")) in_resource = true;

  /* Every keyword is either handled, an annotation, refused, or noted. */
  for (const cJSON *k = json->child; k && !cc->failed; k = k->next) {
    const char *name = k->string;
    if (in_list(name, handled_keywords, COUNT(handled_keywords)) ||
        in_list(name, annotation_keywords, COUNT(annotation_keywords)))
      continue;
    char *p = child_ptr(cc, n->ptr, NULL, name);
    if (in_list(name, refused_keywords, COUNT(refused_keywords)))
      wc_sc_fail(cc, p, "%s is not supported by this validator (it would be ignored, so the schema is refused)",
            name);
    else if (strncmp(name, "x-", 2) == 0)
      note(cc, p, name, "specification extension \"%s\" is not a validation keyword (ignored)", name);
    else
      note(cc, p, name, "unknown keyword \"%s\" (ignored)", name);
  }

  const cJSON *v;
  if ((v = wc_sc_member(json, "type")) && !cc->failed) {
    char *p = child_ptr(cc, n->ptr, "type", NULL);
    const cJSON *first = cJSON_IsArray(v) ? v->child : v;
    if (cJSON_IsArray(v) && !v->child) wc_sc_fail(cc, p, "type must not be an empty array");
    for (const cJSON *t = first; t && !cc->failed; t = cJSON_IsArray(v) ? t->next : NULL) {
      int bit = cJSON_IsString(t) ? type_bit(t->valuestring) : -1;
      if (bit < 0) {
        wc_sc_fail(cc, p, "type must be one of null, boolean, object, array, number, integer, string (or an array of them)");
      } else if (n->types & (1u << bit)) {
        wc_sc_fail(cc, p, "type lists \"%s\" twice", t->valuestring);
      } else {
        n->types |= (uint8_t)(1u << bit);
        n->type_order[n->ntypes++] = (uint8_t)bit;
      }
    }
    n->groups |= WC_K_TYPE;
  }
  if ((v = wc_sc_member(json, "enum")) && !cc->failed) {
    if (!cJSON_IsArray(v)) wc_sc_fail(cc, child_ptr(cc, n->ptr, "enum", NULL), "enum must be an array");
    n->enum_values = v;
    n->groups |= WC_K_ENUM;
  }
  if ((v = wc_sc_member(json, "const"))) {
    n->const_value = v;
    n->groups |= WC_K_CONST;
  }
  if ((v = wc_sc_member(json, "$ref")) && !cc->failed) {
    char *p = child_ptr(cc, n->ptr, "$ref", NULL);
    if (!cJSON_IsString(v)) wc_sc_fail(cc, p, "$ref must be a string");
    else if (in_resource)
      wc_sc_fail(cc, p,
            "$ref \"%s\" is inside an embedded schema resource (a nested $id): resolving it against that $id "
            "is not supported",
            v->valuestring);
    else n->ref = wc_sc_ref_target(cc, p, v->valuestring);
    n->groups |= WC_K_REF;
  }
  if ((v = wc_sc_member(json, "allOf"))) schema_list(cc, &n->all_of, v, n->ptr, "allOf", in_resource, depth);
  if ((v = wc_sc_member(json, "anyOf")) && !cc->failed) schema_list(cc, &n->any_of, v, n->ptr, "anyOf", in_resource, depth);
  if ((v = wc_sc_member(json, "oneOf")) && !cc->failed) schema_list(cc, &n->one_of, v, n->ptr, "oneOf", in_resource, depth);
  if ((v = wc_sc_member(json, "not")) && !cc->failed) n->not_schema = schema_kw(cc, v, n->ptr, "not", in_resource, depth);
  if ((v = wc_sc_member(json, "if")) && !cc->failed) {
    n->if_schema = schema_kw(cc, v, n->ptr, "if", in_resource, depth);
    if ((v = wc_sc_member(json, "then"))) n->then_schema = schema_kw(cc, v, n->ptr, "then", in_resource, depth);
    if ((v = wc_sc_member(json, "else"))) n->else_schema = schema_kw(cc, v, n->ptr, "else", in_resource, depth);
  } else {
    /* then/else without if are ignored by the spec, but must still be schemas. */
    if ((v = wc_sc_member(json, "then")) && !cc->failed) schema_value(cc, v, child_ptr(cc, n->ptr, "then", NULL));
    if ((v = wc_sc_member(json, "else")) && !cc->failed) schema_value(cc, v, child_ptr(cc, n->ptr, "else", NULL));
  }
  if (n->all_of.n || n->any_of.n || n->one_of.n || n->not_schema || n->if_schema) n->groups |= WC_K_APPLY;

  if (!cc->failed) object_keywords(cc, n, json, in_resource, depth);
  if (n->nprops || n->npatterns || n->additional || n->property_names || n->has_min_props ||
      n->has_max_props || n->ndep_required || n->ndep_schemas)
    n->groups |= WC_K_OBJECT;
  if (!cc->failed) array_keywords(cc, n, json, in_resource, depth);
  if (n->prefix.n || n->items || n->contains || n->has_min_items || n->has_max_items || n->unique)
    n->groups |= WC_K_ARRAY;
  if (!cc->failed) scalar_keywords(cc, n, json);
  if (n->has_min_len || n->has_max_len || n->pattern || n->format) n->groups |= WC_K_STRING;
  if (n->has_min || n->has_max || n->has_xmin || n->has_xmax || n->has_multiple) n->groups |= WC_K_NUMBER;
  if (n->groups & (WC_K_REF | WC_K_APPLY) || n->ndep_schemas) n->groups |= WC_K_INPLACE;
}

/* Pure-$ref chains resolved once; a chain that loops keeps no alias (the
 * evaluation stack reports the cycle). */
static void set_aliases(compiler *cc) {
  for (size_t i = 0; i < cc->map_cap; i++) {
    wc_snode *n = cc->map_keys[i] ? cc->map_vals[i] : NULL;
    if (!n || n->groups != (WC_K_REF | WC_K_INPLACE)) continue;
    wc_snode *t = n->ref;
    int hops = 0;
    while (t && t->groups == (WC_K_REF | WC_K_INPLACE) && hops++ < MAX_REF_HOPS) t = t->ref;
    if (t && t->groups != (WC_K_REF | WC_K_INPLACE)) n->alias = t;
  }
}

/* ---- public ---- */

void wc_schema_opts_default(wc_schema_opts *opts) {
  memset(opts, 0, sizeof *opts);
  opts->format_assertion = true;
}

void wc_schema_free(wc_schema *schema) {
  if (!schema) return;
  for (size_t i = 0; i < schema->nregexes; i++) wc_regex_free(schema->regexes[i]);
  free(schema->regexes);
  wc_findings_free(schema->notes);
  for (struct wc_arena_chunk *c = schema->arena, *next; c; c = next) {
    next = c->next;
    free(c);
  }
  free(schema);
}

const wc_findings *wc_schema_compile_notes(const wc_schema *schema) { return schema ? schema->notes : NULL; }

wc_schema *wc_schema_compile(const cJSON *root, const char *pointer, const wc_schema_opts *opts, wc_err *err) {
  wc_err_clear(err);
  if (!root) {
    wc_err_set(err, WC_E_USAGE, "no schema document");
    return NULL;
  }
  wc_schema *s = calloc(1, sizeof *s);
  if (!s || !(s->notes = wc_findings_new())) {
    free(s);
    wc_err_set(err, WC_E_NOMEM, "out of memory while compiling a schema");
    return NULL;
  }
  if (opts) s->opts = *opts;
  else wc_schema_opts_default(&s->opts);
  compiler cc = {.s = s, .doc = root, .entry = root, .err = err};

  /* The entry point: "#/a/b", "/a/b", "#" or "". */
  const char *p = pointer ? pointer : "";
  if (*p == '#') p++;
  const cJSON *entry = root;
  char *canonical = NULL;
  bool in_resource = false;
  if (*p) {
    snprintf(cc.shown, sizeof cc.shown, "schema pointer \"%.290s\"", pointer);
    entry = wc_sc_resolve_pointer(&cc, NULL, p, &canonical, &in_resource);
  } else {
    canonical = wc_strdup("#");
  }
  if (entry && canonical) {
    cc.entry = entry;
    char *ptr = wc_sc_strndup(s, canonical, strlen(canonical));
    s->root = ptr ? wc_sc_new_node(&cc, entry, ptr) : NULL;
    if (!s->root) wc_sc_oom(&cc);
    else compile_into(&cc, s->root, entry, false, 0);
    /* $ref targets, until none is left to compile */
    while (!cc.failed && cc.nwork) {
      pending w = cc.work[--cc.nwork];
      compile_into(&cc, w.node, w.json, w.in_resource, 0);
    }
    if (!cc.failed) set_aliases(&cc);
  } else if (!cc.failed) {
    wc_sc_oom(&cc);
  }
  free(canonical);
  free(cc.map_keys);
  free(cc.map_vals);
  free(cc.work);
  if (cc.failed) {
    wc_schema_free(s);
    return NULL;
  }
  return s;
}
