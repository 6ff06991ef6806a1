/* The shrinker: structure-aware delta debugging over a generated request.
 *
 * Every candidate is re-classified; one whose positive/negative verdict
 * differs from the input's, or that is larger than the current minimum, is
 * dropped without asking the predicate. Steps, simplest first, in rounds
 * until a round changes nothing or the budget is spent:
 *   1. each object and array emptied, else halved while a half can go;
 *   2. object members and array elements dropped one at a time;
 *   3. numbers become 0, else 1, else lose digits (binary search);
 *   4. each string (body values, the names of members the schema does not
 *      declare, then header and query values):
 *      the shortest failing prefix by binary search over code points, then
 *      the longest failing cut from the front (one probe first: with a
 *      length threshold, dropping one code point already passes), then
 *      code points other than 'a'/'0' replaced by 'a' (all at once, then by
 *      halves down to one), then by '0' likewise;
 *      a parameter is first tried absent; a name never becomes a sibling's
 *      or a declared one;
 *   raw bodies (no strict JSON tree) lose byte ranges instead (halves down
 *   to single bytes).
 * A value keeps its JSON type (another type is another failure); true,
 * false and null are left as they are (false is longer than true). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_internal.h"

typedef struct shrinker {
  const wc_gen *gen;
  wc_gen_still_fails still_fails;
  void *ctx;
  size_t budget, calls, steps;
  bool positive;
  bool nomem;
  wc_gen_request *cur;
} shrinker;

static bool spent(const shrinker *s) { return s->nomem || s->calls >= s->budget; }

static bool same_text(const char *a, const char *b) { return (!a && !b) || (a && b && strcmp(a, b) == 0); }

/* Offers a candidate (takes body); true when it replaced the current one. */
static bool offer(shrinker *s, char *body, size_t len, const char *version, const char *account) {
  if (!body) {
    s->nomem = true;
    return false;
  }
  const wc_gen_request *cur = s->cur;
  bool unchanged = len == cur->body_len && memcmp(body, cur->body, len) == 0 &&
                   same_text(version, cur->api_version) && same_text(account, cur->account_id);
  if (spent(s) || unchanged) {
    free(body);
    return false;
  }
  wc_gen_request *cand = gen_request_make(s->gen, body, len, version, account, cur->edge_class, cur->target);
  if (!cand) {
    s->nomem = true;
    return false;
  }
  if (cand->positive != s->positive || wc_gen_request_size(cand) > wc_gen_request_size(cur)) {
    wc_gen_request_free(cand);
    return false;
  }
  s->calls++;
  if (!s->still_fails(s->ctx, cand)) {
    wc_gen_request_free(cand);
    return false;
  }
  wc_gen_request_free(s->cur);
  s->cur = cand;
  s->steps++;
  return true;
}

static char *copy_body(const wc_gen_request *r) {
  char *b = malloc(r->body_len + 1);
  if (b) memcpy(b, r->body, r->body_len + 1);
  return b;
}

static bool offer_tree(shrinker *s, cJSON *tree) {
  size_t len = 0;
  char *body = tree ? gen_print(tree, &len) : NULL;
  cJSON_Delete(tree);
  return offer(s, body, len, s->cur->api_version, s->cur->account_id);
}

/* ---- walking the tree: the n-th node of a kind, depth-first ----------- */

typedef enum node_kind {
  NODE_CHILD,     /* a member or an element: anything with a parent */
  NODE_CONTAINER, /* an object or array with two children or more */
  NODE_NUMBER,
  NODE_STRING,
  NODE_NAME /* a member the schema does not declare (its name may change) */
} node_kind;

#define NO_MEMBER ((size_t)-2) /* a value the body schema does not describe */

/* The declared member called name inside the declared object parent
 * (GEN_ROOT = the body), or NO_MEMBER. */
static size_t declared(const wc_gen *gen, size_t parent, const char *name) {
  for (size_t i = 0; name && parent != NO_MEMBER && i < gen->member_count; i++)
    if (gen->members[i].parent == parent && strcmp(gen->members[i].name, name) == 0) return i;
  return NO_MEMBER;
}

static bool matches(const cJSON *node, node_kind kind, const cJSON *parent, size_t member) {
  switch (kind) {
  case NODE_CHILD: return parent != NULL;
  case NODE_CONTAINER:
    return (cJSON_IsObject(node) || cJSON_IsArray(node)) && node->child && node->child->next;
  case NODE_NUMBER: return cJSON_IsNumber(node);
  case NODE_STRING: return cJSON_IsString(node);
  default: return cJSON_IsObject(parent) && member == NO_MEMBER;
  }
}

/* Counts matches (*n decremented past each) or returns the n-th one, with
 * the node holding it. member: the declared member node is (names only). */
static cJSON *nth(const wc_gen *gen, cJSON *node, node_kind kind, cJSON *parent, size_t member, size_t *n,
                  cJSON **parent_out) {
  if (matches(node, kind, parent, member)) {
    if (*n == 0) {
      if (parent_out) *parent_out = parent;
      return node;
    }
    (*n)--;
  }
  for (cJSON *c = node->child; c; c = c->next) {
    size_t m = kind == NODE_NAME && cJSON_IsObject(node) ? declared(gen, member, c->string) : NO_MEMBER;
    cJSON *hit = nth(gen, c, kind, node, m, n, parent_out);
    if (hit) return hit;
  }
  return NULL;
}

/* The k-th node of a kind in root (a tree shaped like the current body). */
static cJSON *find(const shrinker *s, cJSON *root, node_kind kind, size_t k, cJSON **parent_out) {
  return root ? nth(s->gen, root, kind, NULL, GEN_ROOT, &k, parent_out) : NULL;
}

static size_t count_nodes(const shrinker *s, const cJSON *root, node_kind kind) {
  size_t n = (size_t)-1;
  if (root) nth(s->gen, (cJSON *)root, kind, NULL, GEN_ROOT, &n, NULL);
  return (size_t)-1 - n;
}

static size_t count_current(const shrinker *s, node_kind kind) { return count_nodes(s, s->cur->json, kind); }

/* The smallest size in [lo, n) whose candidate keep(size) still fails, by
 * binary search (a larger candidate than a failing one is assumed to fail
 * too), leaving it current. One probe first: when n - 1 passes, the value
 * is already minimal (the case on every round after the first). */
typedef bool (*keep_fn)(shrinker *s, const void *at, size_t size);

static void smallest_failing(shrinker *s, size_t n, size_t lo, keep_fn keep, const void *at) {
  if (n <= lo || spent(s) || !keep(s, at, n - 1)) return;
  size_t fails = n - 1, passes = 0;
  bool passes_known = false;
  while (!spent(s) && fails > lo && (!passes_known || fails - passes > 1)) {
    size_t mid = passes_known ? passes + (fails - passes) / 2 : lo + (fails - lo) / 2;
    if (keep(s, at, mid)) fails = mid;
    else passes = mid, passes_known = true;
  }
}

/* ---- members and elements ----------------------------------------------- */

/* Offers the k-th container without its children [from, to). */
static bool drop_range(shrinker *s, size_t k, size_t from, size_t to) {
  cJSON *tree = cJSON_Duplicate(s->cur->json, 1);
  cJSON *box = find(s, tree, NODE_CONTAINER, k, NULL);
  cJSON *c = box ? box->child : NULL;
  for (size_t i = 0; c && i < to; i++) {
    cJSON *next = c->next;
    if (i >= from) cJSON_Delete(cJSON_DetachItemViaPointer(box, c));
    c = next;
  }
  return offer_tree(s, tree);
}

static size_t children(const cJSON *node) {
  size_t n = 0;
  for (const cJSON *c = node ? node->child : NULL; c; c = c->next) n++;
  return n;
}

/* Each container emptied, else halved while a half can go: a failure that
 * needs one element of a long array costs a few calls per halving, not
 * one per element. */
static void drop_halves(shrinker *s) {
  for (size_t k = 0; !spent(s) && k < count_current(s, NODE_CONTAINER);) {
    size_t n = children(find(s, s->cur->json, NODE_CONTAINER, k, NULL));
    if (drop_range(s, k, 0, n)) continue; /* emptied: the k-th is the next one */
    while (!spent(s) && n >= 4 && (drop_range(s, k, 0, n / 2) || drop_range(s, k, n / 2, n)))
      n = children(find(s, s->cur->json, NODE_CONTAINER, k, NULL));
    k++;
  }
}

static void drop_children(shrinker *s) {
  for (size_t k = 0; !spent(s) && k < count_current(s, NODE_CHILD);) {
    cJSON *tree = cJSON_Duplicate(s->cur->json, 1), *parent = NULL;
    cJSON *victim = find(s, tree, NODE_CHILD, k, &parent);
    if (victim) cJSON_Delete(cJSON_DetachItemViaPointer(parent, victim));
    if (!offer_tree(s, tree)) k++; /* on success the k-th is the next one */
  }
}

/* ---- numbers: 0, 1, then fewer digits ----------------------------------- */

static bool offer_number(shrinker *s, size_t k, double value) {
  cJSON *tree = cJSON_Duplicate(s->cur->json, 1);
  cJSON *num = find(s, tree, NODE_NUMBER, k, NULL);
  if (num) cJSON_SetNumberValue(num, value);
  return offer_tree(s, tree);
}

static double number_at(const shrinker *s, size_t k) {
  const cJSON *num = find(s, s->cur->json, NODE_NUMBER, k, NULL);
  return num ? num->valuedouble : 0;
}

/* Whole numbers printed in full (below 10^15, exact as doubles) lose
 * trailing digits: 12345 -> 123. Others keep their magnitude and lose
 * significant digits: 3.14159 -> 3.1, 1.7976931348623157e+308 -> 1e+308. */
static bool whole(double x) { return x > -1e15 && x < 1e15 && x == (double)(long long)x; }

/* The shortest "%.*e" form of x that reads back as x; its digit count. */
static size_t shortest_e(double x, char *buf, size_t cap) {
  for (int p = 0; p < 17; p++) {
    snprintf(buf, cap, "%.*e", p, x);
    if (strtod(buf, NULL) == x) return (size_t)p + 1;
  }
  snprintf(buf, cap, "%.16e", x);
  return 17;
}

static size_t digit_count(double x) {
  char buf[48];
  if (!whole(x)) return shortest_e(x, buf, sizeof buf);
  size_t n = 1;
  for (long long v = (long long)x / 10; v != 0; v /= 10) n++;
  return n;
}

/* x cut to its first keep digits (toward zero: never out of range). */
static double cut_digits(double x, size_t keep) {
  if (whole(x)) {
    long long v = (long long)x;
    for (size_t n = digit_count(x); n > keep; n--) v /= 10;
    return (double)v;
  }
  char buf[48], out[48];
  shortest_e(x, buf, sizeof buf);
  const char *exp = strchr(buf, 'e');
  size_t lead = (buf[0] == '-') + 1; /* sign and first digit */
  size_t head = keep > 1 ? lead + keep : lead; /* with the point and keep - 1 digits */
  if (!exp || head > (size_t)(exp - buf)) return x;
  snprintf(out, sizeof out, "%.*s%s", (int)head, buf, exp);
  return strtod(out, NULL);
}

static bool keep_digits(shrinker *s, const void *at, size_t keep) {
  size_t k = *(const size_t *)at;
  return offer_number(s, k, cut_digits(number_at(s, k), keep));
}

static void simplify_numbers(shrinker *s) {
  for (size_t k = 0; !spent(s) && k < count_current(s, NODE_NUMBER); k++) {
    double x = number_at(s, k);
    if (x == 0 || offer_number(s, k, 0) || x == 1 || offer_number(s, k, 1)) continue;
    /* cJSON prints 15 significant digits, or 17 when 15 do not read back:
     * a 17-digit number cut to 16 prints as long as before */
    size_t n = digit_count(x);
    smallest_failing(s, n > 15 ? 16 : n, 1, keep_digits, &k);
  }
}

/* ---- strings ------------------------------------------------------------ */

/* Where a string lives: the k-th string value of the body, the name of the
 * k-th undeclared member, or a parameter. */
typedef enum slot_kind { SLOT_BODY, SLOT_NAME, SLOT_VERSION, SLOT_ACCOUNT } slot_kind;

typedef struct slot {
  slot_kind kind;
  size_t index;
} slot;

/* The current value at the slot (borrowed), NULL when gone. */
static const char *slot_value(const shrinker *s, slot at) {
  if (at.kind == SLOT_VERSION) return s->cur->api_version;
  if (at.kind == SLOT_ACCOUNT) return s->cur->account_id;
  if (at.kind == SLOT_NAME) {
    cJSON *member = find(s, s->cur->json, NODE_NAME, at.index, NULL);
    return member ? member->string : NULL;
  }
  cJSON *str = find(s, s->cur->json, NODE_STRING, at.index, NULL);
  return str ? str->valuestring : NULL;
}

/* Offers the k-th undeclared member renamed, unless the name is a sibling's
 * (a duplicate key) or one the schema declares there (a known member is
 * another request, and its name is never changed). */
static bool offer_name(shrinker *s, size_t k, const char *name) {
  cJSON *tree = cJSON_Duplicate(s->cur->json, 1), *holder = NULL;
  cJSON *member = find(s, tree, NODE_NAME, k, &holder);
  bool clash = !member;
  for (cJSON *c = holder ? holder->child : NULL; c && !clash; c = c->next)
    clash = c != member && strcmp(c->string, name) == 0;
  char *copy = clash ? NULL : cJSON_malloc(strlen(name) + 1);
  if (!copy) {
    s->nomem |= !tree || !clash;
    cJSON_Delete(tree);
    return false;
  }
  strcpy(copy, name);
  cJSON_free(member->string);
  member->string = copy;
  if (count_nodes(s, tree, NODE_NAME) != count_current(s, NODE_NAME)) { /* now a declared member */
    cJSON_Delete(tree);
    return false;
  }
  return offer_tree(s, tree);
}

/* Offers the request with the slot's value replaced (NULL = absent, for
 * parameters only). */
static bool offer_value(shrinker *s, slot at, const char *value) {
  if (at.kind == SLOT_NAME) return value && offer_name(s, at.index, value);
  if (at.kind != SLOT_BODY)
    return offer(s, copy_body(s->cur), s->cur->body_len, at.kind == SLOT_VERSION ? value : s->cur->api_version,
                 at.kind == SLOT_ACCOUNT ? value : s->cur->account_id);
  cJSON *tree = cJSON_Duplicate(s->cur->json, 1);
  cJSON *str = find(s, tree, NODE_STRING, at.index, NULL);
  if (!str || !value || !cJSON_SetValuestring(str, value)) {
    cJSON_Delete(tree);
    if (str && value) s->nomem = true;
    return false;
  }
  return offer_tree(s, tree);
}

/* Byte offsets of the code points of v (an invalid byte counts as one);
 * offsets[count] = strlen(v). Malloc'd. */
static size_t *code_points(const char *v, size_t *count) {
  size_t len = strlen(v), n = 0;
  size_t *off = malloc((len + 1) * sizeof *off);
  if (!off) return NULL;
  for (size_t i = 0; i < len;) {
    off[n++] = i;
    size_t step = gen_utf8_seq((const unsigned char *)v + i, len - i);
    i += step ? step : 1;
  }
  off[n] = len;
  *count = n;
  return off;
}

/* Offers the code points [from, to) of the slot's current value. */
static bool offer_range(shrinker *s, slot at, size_t from, size_t to) {
  const char *v = slot_value(s, at);
  size_t n;
  size_t *off = v ? code_points(v, &n) : NULL;
  if (!off) {
    s->nomem |= v != NULL;
    return false;
  }
  char *cut = wc_strndup(v + off[from], off[to] - off[from]);
  free(off);
  bool ok = cut && offer_value(s, at, cut);
  s->nomem |= !cut;
  free(cut);
  return ok;
}

static size_t length_of(const shrinker *s, slot at) {
  const char *v = slot_value(s, at);
  size_t n = 0;
  size_t *off = v ? code_points(v, &n) : NULL;
  free(off);
  return n;
}

static bool keep_prefix(shrinker *s, const void *at, size_t code_points) {
  return offer_range(s, *(const slot *)at, 0, code_points);
}

/* The shortest failing prefix, in code points. */
static void shorten_back(shrinker *s, slot at) { smallest_failing(s, length_of(s, at), 0, keep_prefix, &at); }

/* The longest failing cut from the front, by halving chunks; the same
 * one-code-point probe first. */
static void shorten_front(shrinker *s, slot at) {
  size_t n = length_of(s, at);
  if (n < 2 || spent(s) || !offer_range(s, at, 1, n)) return;
  for (size_t chunk = (n - 1) / 2; chunk >= 1 && !spent(s);) {
    n = length_of(s, at);
    if (chunk > n) chunk = n;
    if (n == 0 || !offer_range(s, at, chunk, n)) chunk /= 2;
  }
}

/* Replaces the code points in [from, to) that are not 'a' or '0' by c;
 * false (nothing offered) when there are none. */
static bool replace_range(shrinker *s, slot at, size_t from, size_t to, char c, bool *offered) {
  const char *v = slot_value(s, at);
  size_t n;
  size_t *off = v ? code_points(v, &n) : NULL;
  *offered = false;
  if (!off) return false;
  wc_buf b;
  wc_buf_init(&b);
  int rc = wc_buf_append(&b, v, off[from]);
  for (size_t i = from; rc == 0 && i < to && i < n; i++) {
    size_t w = off[i + 1] - off[i];
    bool simple = w == 1 && (v[off[i]] == 'a' || v[off[i]] == '0');
    *offered |= !simple;
    rc = simple ? wc_buf_append(&b, v + off[i], 1) : wc_buf_append(&b, &c, 1);
  }
  if (rc == 0) rc = wc_buf_puts(&b, v + off[to < n ? to : n]);
  free(off);
  if (rc != 0 || !*offered) {
    s->nomem |= rc != 0;
    wc_buf_free(&b);
    *offered = false;
    return false;
  }
  char *text = b.data ? wc_buf_steal(&b) : wc_strdup("");
  bool ok = text && offer_value(s, at, text);
  free(text);
  return ok;
}

static bool simple_at(const char *v, const size_t *off, size_t i) {
  return off[i + 1] - off[i] == 1 && (v[off[i]] == 'a' || v[off[i]] == '0');
}

/* Replacement by halving ranges. Ranges holding only 'a'/'0' are skipped
 * on the cached offsets, so a long simple string costs O(n log n) scanning
 * and no candidate; the offsets are refreshed after each accepted one. */
static void simplify_code_points(shrinker *s, slot at) {
  static const char simpler[] = {'a', '0'};
  for (size_t r = 0; r < sizeof simpler && !spent(s); r++) {
    const char *v = slot_value(s, at);
    size_t n = 0;
    size_t *off = v ? code_points(v, &n) : NULL;
    for (size_t chunk = n; off && chunk >= 1 && !spent(s); chunk = chunk > 1 ? chunk / 2 : 0)
      for (size_t from = 0; off && from < n && !spent(s); from += chunk) {
        size_t to = from + chunk < n ? from + chunk : n, i = from;
        while (i < to && simple_at(v, off, i)) i++;
        if (i == to) continue;
        bool offered;
        if (!replace_range(s, at, from, to, simpler[r], &offered)) continue;
        free(off); /* accepted: same code point count, other offsets */
        v = slot_value(s, at);
        off = v ? code_points(v, &n) : NULL;
        s->nomem |= v && !off;
      }
    free(off);
  }
}

static void shrink_string(shrinker *s, slot at) {
  if (!slot_value(s, at)) return;
  bool parameter = at.kind == SLOT_VERSION || at.kind == SLOT_ACCOUNT;
  if (parameter && offer_value(s, at, NULL)) return;
  shorten_back(s, at);
  shorten_front(s, at);
  simplify_code_points(s, at);
}

/* ---- raw bodies --------------------------------------------------------- */

static void cut_bytes(shrinker *s) {
  for (size_t chunk = s->cur->body_len / 2; chunk >= 1 && !spent(s) && !s->cur->json; chunk /= 2) {
    for (size_t from = 0; from < s->cur->body_len && !spent(s) && !s->cur->json;) {
      size_t len = s->cur->body_len, to = from + chunk < len ? from + chunk : len;
      char *body = malloc(len - (to - from) + 1);
      if (body) {
        memcpy(body, s->cur->body, from);
        memcpy(body + from, s->cur->body + to, len - to);
        body[len - (to - from)] = '\0';
      }
      if (!offer(s, body, len - (to - from), s->cur->api_version, s->cur->account_id)) from += chunk;
    }
  }
}

static void round_of_steps(shrinker *s) {
  if (s->cur->json) {
    drop_halves(s);
    drop_children(s);
    simplify_numbers(s);
    for (size_t k = 0; !spent(s) && k < count_current(s, NODE_STRING); k++)
      shrink_string(s, (slot){SLOT_BODY, k});
    for (size_t k = 0; !spent(s) && k < count_current(s, NODE_NAME); k++)
      shrink_string(s, (slot){SLOT_NAME, k});
  } else {
    cut_bytes(s);
  }
  shrink_string(s, (slot){SLOT_VERSION, 0});
  shrink_string(s, (slot){SLOT_ACCOUNT, 0});
}

int wc_gen_shrink(const wc_gen *gen, const wc_gen_request *failing, wc_gen_still_fails still_fails, void *ctx,
                  size_t budget, wc_shrink_result *out, wc_err *err) {
  memset(out, 0, sizeof *out);
  shrinker s = {gen, still_fails, ctx, budget ? budget : WC_GEN_DEFAULT_SHRINK_BUDGET, 0, 0,
                failing->positive, false, wc_gen_request_copy(failing)};
  while (s.cur && !spent(&s)) {
    size_t before = s.steps;
    round_of_steps(&s);
    if (s.steps == before) break;
  }
  if (!s.cur || s.nomem) {
    wc_gen_request_free(s.cur);
    wc_err_set(err, WC_E_NOMEM, "out of memory while shrinking");
    return -1;
  }
  out->minimal = s.cur;
  out->steps = s.steps;
  out->calls = s.calls;
  out->budget_exhausted = s.calls >= s.budget;
  return 0;
}
