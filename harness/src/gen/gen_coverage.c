/* The coverage phase: a deterministic list planned once from the walked
 * schema (item kinds and indices only) and materialised one request at a
 * time, so that a 1 MiB string exists only while its request does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_internal.h"

typedef enum cov_kind {
  COV_STRING,     /* member, string class */
  COV_LENGTH,     /* member, length index */
  COV_WRONG_TYPE, /* member, value class */
  COV_SUBSET,     /* object member, mask of its children (bit 31: + unknown) */
  COV_PAIR,       /* top-level member, another top-level member */
  COV_PAIR_CLASS, /* two top-level string members (member, b), the string class a on both */
  COV_ALL,        /* every top-level member */
  COV_UNKNOWN,    /* object member or GEN_ROOT, value class */
  COV_NON_OBJECT, /* index into non_object_bodies */
  COV_DUP_KEY,    /* member */
  COV_NESTING,    /* depth */
  COV_VERSION,    /* kind of value (PARAM_*), index */
  COV_ACCOUNT
} cov_kind;

enum { PARAM_CLASS, PARAM_LENGTH, PARAM_KNOWN, PARAM_DATE };

struct gen_cov_item {
  cov_kind kind;
  size_t member;
  size_t a, b;
};

#define SUBSET_UNKNOWN ((size_t)1 << 31)
#define MAX_SUBSET_CHILDREN 6

static const struct {
  const char *name;
  const char *body;
} non_object_bodies[] = {
    {"non-object:array", "[]"},       {"non-object:array-of-object", "[{}]"},
    {"non-object:string", "\"a\""},   {"non-object:number", "1"},
    {"non-object:boolean", "true"},   {"non-object:null", "null"},
    {"non-object:empty", ""},         {"non-object:truncated", "{\"name\":"},
    {"empty-object", "{}"},
};
#define NON_OBJECT_COUNT (sizeof non_object_bodies / sizeof non_object_bodies[0])

/* Dates next to the known versions: unknown but well-formed, impossible,
 * and other spellings of a date. */
static const char *const version_dates[] = {
    "1999-01-01", "2099-12-31", "2026-02-30", "2026-13-01", "2026-7-1", "20260701",
    "2026-07-01T00:00:00Z", " 2026-07-01", "2026-07-01 ", "2026/07/01", "latest", "0000-00-00",
};
#define VERSION_DATE_COUNT (sizeof version_dates / sizeof version_dates[0])

static const size_t nesting_depths[] = {8, 32};

typedef struct plan {
  struct gen_cov_item *items;
  size_t count, cap;
  int failed;
} plan;

static void add(plan *p, cov_kind kind, size_t member, size_t a, size_t b) {
  if (p->failed) return;
  if (p->count == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 256;
    struct gen_cov_item *items = realloc(p->items, cap * sizeof *items);
    if (!items) {
      p->failed = 1;
      return;
    }
    p->items = items, p->cap = cap;
  }
  p->items[p->count++] = (struct gen_cov_item){kind, member, a, b};
}

static size_t child_count(const wc_gen *gen, size_t member) {
  size_t n = 0;
  for (size_t i = 0; i < gen->member_count; i++) n += gen->members[i].parent == member;
  return n;
}

/* Room for a string value in a body: the cap minus the member's keys. */
static bool fits(const wc_gen *gen, size_t member, size_t len) {
  return len + strlen(gen->members[member].pointer) * 2 + 16 <= gen->opts.max_body_bytes;
}

static void plan_members(const wc_gen *gen, plan *p) {
  for (size_t m = 0; m < gen->member_count; m++) {
    const gen_member *mem = &gen->members[m];
    if (mem->types & GEN_T_STRING) {
      for (size_t c = 0; c < gen_string_class_count(); c++) add(p, COV_STRING, m, c, 0);
      /* Longest first: what a length writes is echoed by every later
       * response until the next write, so the ladder ends short. */
      for (size_t l = gen_length_count(); l-- > 0;)
        if (fits(gen, m, gen_length_get(l))) add(p, COV_LENGTH, m, l, 0);
    }
    for (size_t v = 0; v < gen_value_class_count(); v++)
      if (!(gen_value_class_get(v)->type & mem->types)) add(p, COV_WRONG_TYPE, m, v, 0);
    add(p, COV_DUP_KEY, m, 0, 0);
    size_t kids = child_count(gen, m);
    if ((mem->types & GEN_T_OBJECT) && kids <= MAX_SUBSET_CHILDREN)
      for (size_t mask = 0; mask < ((size_t)1 << kids); mask++) {
        add(p, COV_SUBSET, m, mask, 0);
        add(p, COV_SUBSET, m, mask | SUBSET_UNKNOWN, 0);
      }
    if (mem->types & GEN_T_OBJECT)
      for (size_t v = 0; v < gen_value_class_count(); v++) add(p, COV_UNKNOWN, m, v, 0);
  }
}

static bool top_level_string(const wc_gen *gen, size_t m) {
  return gen->members[m].parent == GEN_ROOT && (gen->members[m].types & GEN_T_STRING);
}

/* Classes put on a pair of members: all of them (PAIR_CLASS_LIMIT bounds
 * the list for a contract with many string members). */
#define PAIR_CLASS_LIMIT 400

static void plan_body_shapes(const wc_gen *gen, plan *p) {
  for (size_t i = 0; i < gen->member_count; i++)
    for (size_t j = i + 1; j < gen->member_count; j++)
      if (gen->members[i].parent == GEN_ROOT && gen->members[j].parent == GEN_ROOT) add(p, COV_PAIR, i, j, 0);
  /* A defect that needs one class of text in two members at once: every
   * pair of top-level string members with each class on both (pairs times
   * classes: 3 x 26 for this contract), up to PAIR_CLASS_LIMIT requests. */
  size_t pair_items = 0;
  for (size_t i = 0; i < gen->member_count; i++)
    for (size_t j = i + 1; j < gen->member_count; j++)
      if (top_level_string(gen, i) && top_level_string(gen, j))
        for (size_t c = 0; c < gen_string_class_count() && pair_items < PAIR_CLASS_LIMIT; c++, pair_items++)
          add(p, COV_PAIR_CLASS, i, c, j);
  add(p, COV_ALL, 0, 0, 0);
  for (size_t v = 0; v < gen_value_class_count(); v++) add(p, COV_UNKNOWN, GEN_ROOT, v, 0);
  for (size_t i = 0; i < NON_OBJECT_COUNT; i++) add(p, COV_NON_OBJECT, 0, i, 0);
  for (size_t i = 0; i < sizeof nesting_depths / sizeof nesting_depths[0]; i++) {
    add(p, COV_NESTING, 0, nesting_depths[i], 0);
    add(p, COV_NESTING, 1, nesting_depths[i], 0); /* member 1: arrays */
  }
}

static void plan_parameter(plan *p, cov_kind kind, bool header, size_t known_count) {
  for (size_t c = 0; c < gen_string_class_count(); c++) {
    const gen_string_class *sc = gen_string_class_get(c);
    if (header ? sc->text && sc->in_header : gen_query_ok(sc)) add(p, kind, PARAM_CLASS, c, 0);
  }
  for (size_t l = 0; l < gen_length_count() && gen_length_get(l) <= GEN_PARAM_MAX_LEN; l++)
    add(p, kind, PARAM_LENGTH, l, 0);
  for (size_t k = 0; k < known_count; k++) add(p, kind, PARAM_KNOWN, k, 0);
  if (header)
    for (size_t d = 0; d < VERSION_DATE_COUNT; d++) add(p, kind, PARAM_DATE, d, 0);
}

int gen_coverage_plan(wc_gen *gen) {
  plan p = {0};
  plan_members(gen, &p);
  plan_body_shapes(gen, &p);
  if (gen->version_schema) plan_parameter(&p, COV_VERSION, true, gen->version_count);
  if (gen->account_schema) plan_parameter(&p, COV_ACCOUNT, false, gen->account_count);
  if (p.failed) {
    free(p.items);
    return -1;
  }
  gen->coverage = p.items;
  gen->coverage_count = p.count;
  return 0;
}

void gen_coverage_free(wc_gen *gen) {
  free(gen->coverage);
  gen->coverage = NULL;
}

size_t wc_gen_coverage_count(const wc_gen *gen) { return gen->coverage_count; }

/* ---- materialising one item ------------------------------------------- */

typedef struct shape {
  cJSON *tree;     /* printed into the body, or */
  char *raw;       /* a body given as text */
  char edge[64];
  const char *target;
  const char *api_version;
  const char *account_id;
  char *param_owned; /* a generated parameter value */
} shape;

/* The smallest positive body: the first top-level string member set. */
static cJSON *plain_body(const wc_gen *gen) {
  for (size_t m = 0; m < gen->member_count; m++)
    if (gen->members[m].parent == GEN_ROOT && (gen->members[m].types & GEN_T_STRING))
      return gen_body_with(gen, m, "\"whopconf\"");
  return cJSON_CreateObject();
}

static cJSON *string_body(const wc_gen *gen, size_t member, const gen_string_class *sc) {
  char *quoted = sc->json ? NULL : gen_json_quote(sc->text, strlen(sc->text));
  cJSON *body = (sc->json || quoted) ? gen_body_with(gen, member, sc->json ? sc->json : quoted) : NULL;
  free(quoted);
  return body;
}

/* {member: class, other: class} for two top-level members. */
static cJSON *pair_class_body(const wc_gen *gen, size_t member, size_t other, const gen_string_class *sc) {
  cJSON *body = string_body(gen, member, sc);
  if (!body) return NULL;
  char *quoted = sc->json ? NULL : gen_json_quote(sc->text, strlen(sc->text));
  const char *raw = sc->json ? sc->json : quoted;
  if (!raw || !cJSON_AddRawToObject(body, gen->members[other].name, raw)) {
    cJSON_Delete(body);
    body = NULL;
  }
  free(quoted);
  return body;
}

static cJSON *length_body(const wc_gen *gen, size_t member, size_t len) {
  char *s = gen_repeat('a', len);
  char *q = s ? gen_json_quote(s, len) : NULL;
  cJSON *body = q ? gen_body_with(gen, member, q) : NULL;
  free(s);
  free(q);
  return body;
}

static cJSON *subset_body(const wc_gen *gen, size_t member, size_t mask) {
  cJSON *obj = cJSON_CreateObject();
  size_t bit = 0;
  for (size_t i = 0; obj && i < gen->member_count; i++) {
    if (gen->members[i].parent != member) continue;
    if (mask & ((size_t)1 << bit++)) {
      cJSON *v = gen_positive_value(gen, i, NULL);
      if (!v || !cJSON_AddItemToObject(obj, gen->members[i].name, v)) cJSON_Delete(v);
    }
  }
  if (obj && (mask & SUBSET_UNKNOWN)) cJSON_AddRawToObject(obj, "wc_unknown", "\"a\"");
  char *printed = obj ? cJSON_PrintUnformatted(obj) : NULL;
  cJSON *body = printed ? gen_body_with(gen, member, printed) : NULL;
  free(printed);
  cJSON_Delete(obj);
  return body;
}

static cJSON *members_body(const wc_gen *gen, size_t i, size_t j, bool all) {
  cJSON *body = cJSON_CreateObject();
  for (size_t m = 0; body && m < gen->member_count; m++) {
    if (gen->members[m].parent != GEN_ROOT || (!all && m != i && m != j)) continue;
    cJSON *v = gen_positive_value(gen, m, NULL);
    if (!v || !cJSON_AddItemToObject(body, gen->members[m].name, v)) cJSON_Delete(v);
  }
  return body;
}

static cJSON *unknown_body(const wc_gen *gen, size_t object_member, const gen_value_class *vc) {
  char key[48];
  snprintf(key, sizeof key, "wc_unknown_%s", vc->name);
  cJSON *body;
  if (object_member == GEN_ROOT) {
    body = cJSON_CreateObject();
    if (body) cJSON_AddRawToObject(body, key, vc->json);
    return body;
  }
  char *raw = malloc(strlen(key) + strlen(vc->json) + 8);
  if (!raw) return NULL;
  sprintf(raw, "{\"%s\":%s}", key, vc->json);
  body = gen_body_with(gen, object_member, raw);
  free(raw);
  return body;
}

static cJSON *dup_key_body(const wc_gen *gen, size_t member) {
  cJSON *first = gen_positive_value(gen, member, "first");
  char *printed = first ? cJSON_PrintUnformatted(first) : NULL;
  cJSON_Delete(first);
  cJSON *body = printed ? gen_body_with(gen, member, printed) : NULL;
  free(printed);
  /* The same key again, in the same object, with another value. */
  cJSON *holder = body ? gen_parent_object(gen, body, member) : NULL;
  cJSON *second = holder ? gen_positive_value(gen, member, "second") : NULL;
  if (second && !cJSON_AddItemToObject(holder, gen->members[member].name, second)) cJSON_Delete(second);
  return body;
}

/* {"wc_nested": [[[...]]]} or {"wc_nested": {"a": {"a": ...}}}. */
static char *nesting_body(size_t depth, bool arrays, size_t *len) {
  wc_buf b;
  wc_buf_init(&b);
  int rc = wc_buf_puts(&b, "{\"wc_nested\":");
  for (size_t i = 0; rc == 0 && i < depth; i++) rc = wc_buf_puts(&b, arrays ? "[" : "{\"a\":");
  if (rc == 0) rc = wc_buf_puts(&b, "1");
  for (size_t i = 0; rc == 0 && i < depth; i++) rc = wc_buf_puts(&b, arrays ? "]" : "}");
  if (rc == 0) rc = wc_buf_puts(&b, "}");
  if (rc != 0) {
    wc_buf_free(&b);
    return NULL;
  }
  *len = b.len;
  return wc_buf_steal(&b);
}

/* A parameter value of the coverage list; the body stays plain. */
static int parameter_shape(const wc_gen *gen, const struct gen_cov_item *it, shape *s) {
  bool header = it->kind == COV_VERSION;
  const char *value = NULL;
  switch (it->member) {
  case PARAM_CLASS:
    value = gen_string_class_get(it->a)->text;
    snprintf(s->edge, sizeof s->edge, "%s", gen_string_class_get(it->a)->name);
    break;
  case PARAM_LENGTH:
    value = s->param_owned = gen_repeat('a', gen_length_get(it->a));
    snprintf(s->edge, sizeof s->edge, "length:%zu", gen_length_get(it->a));
    break;
  case PARAM_KNOWN:
    value = header ? gen->versions[it->a] : gen->accounts[it->a];
    snprintf(s->edge, sizeof s->edge, "known");
    break;
  default:
    value = version_dates[it->a];
    snprintf(s->edge, sizeof s->edge, "date-variant");
    break;
  }
  if (!value) return -1;
  if (header) s->api_version = value, s->target = WC_GEN_LOC_HEADER_VERSION;
  else s->account_id = value, s->target = WC_GEN_LOC_QUERY_ACCOUNT;
  s->tree = plain_body(gen);
  return s->tree ? 0 : -1;
}

static int body_shape(const wc_gen *gen, const struct gen_cov_item *it, shape *s) {
  const char *ptr = it->member < gen->member_count ? gen->members[it->member].pointer : "";
  s->target = ptr;
  switch (it->kind) {
  case COV_STRING:
    snprintf(s->edge, sizeof s->edge, "%s", gen_string_class_get(it->a)->name);
    s->tree = string_body(gen, it->member, gen_string_class_get(it->a));
    break;
  case COV_LENGTH:
    snprintf(s->edge, sizeof s->edge, "length:%zu", gen_length_get(it->a));
    s->tree = length_body(gen, it->member, gen_length_get(it->a));
    break;
  case COV_WRONG_TYPE:
    snprintf(s->edge, sizeof s->edge, "wrong-type:%s", gen_value_class_get(it->a)->name);
    s->tree = gen_body_with(gen, it->member, gen_value_class_get(it->a)->json);
    break;
  case COV_SUBSET:
    snprintf(s->edge, sizeof s->edge, "subset:%zu%s", it->a & ~SUBSET_UNKNOWN,
             (it->a & SUBSET_UNKNOWN) ? "+unknown" : "");
    s->tree = subset_body(gen, it->member, it->a);
    break;
  case COV_PAIR:
    snprintf(s->edge, sizeof s->edge, "pair");
    s->target = "";
    s->tree = members_body(gen, it->member, it->a, false);
    break;
  case COV_PAIR_CLASS:
    snprintf(s->edge, sizeof s->edge, "pair:%s", gen_string_class_get(it->a)->name);
    s->target = "";
    s->tree = pair_class_body(gen, it->member, it->b, gen_string_class_get(it->a));
    break;
  case COV_ALL:
    snprintf(s->edge, sizeof s->edge, "all-members");
    s->target = "";
    s->tree = members_body(gen, 0, 0, true);
    break;
  case COV_UNKNOWN:
    snprintf(s->edge, sizeof s->edge, "unknown:%s", gen_value_class_get(it->a)->name);
    s->target = it->member == GEN_ROOT ? "" : ptr;
    s->tree = unknown_body(gen, it->member, gen_value_class_get(it->a));
    break;
  case COV_NON_OBJECT:
    snprintf(s->edge, sizeof s->edge, "%s", non_object_bodies[it->a].name);
    s->target = "";
    s->raw = wc_strdup(non_object_bodies[it->a].body);
    break;
  case COV_DUP_KEY:
    snprintf(s->edge, sizeof s->edge, "duplicate-key");
    s->tree = dup_key_body(gen, it->member);
    break;
  default:
    return -1;
  }
  return s->tree || s->raw ? 0 : -1;
}

wc_gen_request *wc_gen_coverage(const wc_gen *gen, size_t index, wc_err *err) {
  if (index >= gen->coverage_count) {
    wc_err_set(err, WC_E_USAGE, "coverage index %zu out of range (%zu requests)", index, gen->coverage_count);
    return NULL;
  }
  const struct gen_cov_item *it = &gen->coverage[index];
  shape s = {0};
  s.target = "";
  size_t len = 0;
  char *body = NULL;
  int rc;
  if (it->kind == COV_NESTING) {
    snprintf(s.edge, sizeof s.edge, "nesting:%zu%s", it->a, it->member ? ":arrays" : "");
    rc = (s.raw = nesting_body(it->a, it->member == 1, &len)) ? 0 : -1;
  } else if (it->kind == COV_VERSION || it->kind == COV_ACCOUNT) {
    rc = parameter_shape(gen, it, &s);
  } else {
    rc = body_shape(gen, it, &s);
  }
  if (rc == 0) {
    if (s.raw) body = s.raw, len = strlen(s.raw);
    else body = gen_print(s.tree, &len);
  }
  cJSON_Delete(s.tree);
  wc_gen_request *req = rc == 0 && body ? gen_request_make(gen, body, len, s.api_version, s.account_id,
                                                           s.edge, s.target)
                                        : (free(body), NULL);
  free(s.param_owned);
  if (!req) wc_err_set(err, WC_E_NOMEM, "out of memory");
  return req;
}
