/* The shrinker: structure-aware delta debugging over a generated request.
 *
 * Every candidate is re-classified; one whose positive/negative verdict
 * differs from the input's, or that is larger than the current minimum, is
 * dropped without asking the predicate. Steps, in rounds until a round
 * changes nothing or the budget is spent:
 *   1. drop object members and array elements, one at a time;
 *   2. numbers become 0;
 *   3. each string (body values, then header and query values):
 *      the shortest failing prefix by binary search over code points, then
 *      the longest failing cut from the front (one probe first: with a
 *      length threshold, dropping one code point already passes), then
 *      code points other than 'a'/'0' replaced by 'a' (all at once, then by
 *      halves down to one), then by '0' likewise;
 *      a parameter is first tried absent;
 *   raw bodies (no strict JSON tree) lose byte ranges instead (halves down
 *   to single bytes). */
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

typedef enum node_kind { NODE_CHILD, NODE_STRING, NODE_NUMBER } node_kind;

static bool matches(const cJSON *node, node_kind kind, bool has_parent) {
  switch (kind) {
  case NODE_CHILD: return has_parent;
  case NODE_STRING: return cJSON_IsString(node);
  default: return cJSON_IsNumber(node);
  }
}

/* Counts matches (found NULL) or returns the n-th one. */
static cJSON *nth(cJSON *node, node_kind kind, bool has_parent, size_t *n, cJSON **parent_out, cJSON *parent) {
  if (matches(node, kind, has_parent)) {
    if (*n == 0) {
      if (parent_out) *parent_out = parent;
      return node;
    }
    (*n)--;
  }
  for (cJSON *c = node->child; c; c = c->next) {
    cJSON *hit = nth(c, kind, true, n, parent_out, node);
    if (hit) return hit;
  }
  return NULL;
}

static size_t count_nodes(const cJSON *root, node_kind kind) {
  size_t n = (size_t)-1;
  nth((cJSON *)root, kind, false, &n, NULL, NULL);
  return (size_t)-1 - n;
}

static void drop_children(shrinker *s) {
  for (size_t k = 0; !spent(s) && s->cur->json && k < count_nodes(s->cur->json, NODE_CHILD);) {
    cJSON *tree = cJSON_Duplicate(s->cur->json, 1), *parent = NULL;
    size_t n = k;
    cJSON *victim = tree ? nth(tree, NODE_CHILD, false, &n, &parent, NULL) : NULL;
    if (victim) cJSON_Delete(cJSON_DetachItemViaPointer(parent, victim));
    if (!offer_tree(s, tree)) k++; /* on success the k-th is the next one */
  }
}

static void zero_numbers(shrinker *s) {
  for (size_t k = 0; !spent(s) && s->cur->json && k < count_nodes(s->cur->json, NODE_NUMBER); k++) {
    cJSON *tree = cJSON_Duplicate(s->cur->json, 1);
    size_t n = k;
    cJSON *num = tree ? nth(tree, NODE_NUMBER, false, &n, NULL, NULL) : NULL;
    if (num && num->valuedouble == 0) {
      cJSON_Delete(tree);
      continue;
    }
    if (num) cJSON_SetNumberValue(num, 0);
    offer_tree(s, tree);
  }
}

/* ---- strings ------------------------------------------------------------ */

/* Where a string lives: the k-th string of the body, or a parameter. */
typedef enum slot_kind { SLOT_BODY, SLOT_VERSION, SLOT_ACCOUNT } slot_kind;

typedef struct slot {
  slot_kind kind;
  size_t index;
} slot;

/* The current value at the slot (borrowed), NULL when gone. */
static const char *slot_value(const shrinker *s, slot at) {
  if (at.kind == SLOT_VERSION) return s->cur->api_version;
  if (at.kind == SLOT_ACCOUNT) return s->cur->account_id;
  size_t n = at.index;
  cJSON *str = s->cur->json ? nth(s->cur->json, NODE_STRING, false, &n, NULL, NULL) : NULL;
  return str ? str->valuestring : NULL;
}

/* Offers the request with the slot's value replaced (NULL = absent, for
 * parameters only). */
static bool offer_value(shrinker *s, slot at, const char *value) {
  if (at.kind != SLOT_BODY)
    return offer(s, copy_body(s->cur), s->cur->body_len, at.kind == SLOT_VERSION ? value : s->cur->api_version,
                 at.kind == SLOT_ACCOUNT ? value : s->cur->account_id);
  cJSON *tree = cJSON_Duplicate(s->cur->json, 1);
  size_t n = at.index;
  cJSON *str = tree ? nth(tree, NODE_STRING, false, &n, NULL, NULL) : NULL;
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

/* Shortest failing prefix, by binary search over code points (a longer
 * prefix of a failing value is assumed to fail too). One probe first: when
 * dropping the last code point passes, the value is already minimal (the
 * case on every round after the first). */
static void shorten_back(shrinker *s, slot at) {
  size_t n = length_of(s, at);
  if (n == 0 || spent(s) || !offer_range(s, at, 0, n - 1)) return;
  size_t fails = n - 1, passes = (size_t)-1; /* no passing prefix known yet */
  while (!spent(s) && fails > 0 && (passes == (size_t)-1 || fails - passes > 1)) {
    size_t mid = passes == (size_t)-1 ? fails / 2 : passes + (fails - passes) / 2;
    if (offer_range(s, at, 0, mid)) fails = mid;
    else passes = mid;
  }
}

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
  if (at.kind != SLOT_BODY && offer_value(s, at, NULL)) return;
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
    drop_children(s);
    zero_numbers(s);
    for (size_t k = 0; !spent(s) && s->cur->json && k < count_nodes(s->cur->json, NODE_STRING); k++)
      shrink_string(s, (slot){SLOT_BODY, k});
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
