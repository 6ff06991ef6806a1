/* The fuzzing phase: seeded random requests, each a pure function of
 * (seed, index) so that shards and workers split the stream by index. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_internal.h"
#include "whopconf/json_arena.h"

/* Code point pools for random text: each a few ranges of one kind. */
typedef struct pool {
  const char *name;
  unsigned lo, hi;
} pool;

static const pool pools[] = {
    {"ascii", 0x20, 0x7E},         {"latin1", 0xA0, 0xFF},     {"combining", 0x300, 0x36F},
    {"greek-cyrillic", 0x391, 0x45F}, {"zero-width", 0x200B, 0x200F}, {"bidi", 0x202A, 0x202E},
    {"word-joiners", 0x2060, 0x2064}, {"space", 0x2000, 0x200A},   {"cjk", 0x4E00, 0x4FFF},
    {"emoji", 0x1F300, 0x1F64F},   {"skin-tone", 0x1F3FB, 0x1F3FF}, {"math-alpha", 0x1D400, 0x1D4FF},
    {"c0", 0x01, 0x1F},
};
#define POOL_COUNT (sizeof pools / sizeof pools[0])

static int put_code_point(wc_buf *b, unsigned cp) {
  char u[4];
  size_t n;
  if (cp < 0x80) u[0] = (char)cp, n = 1;
  else if (cp < 0x800) u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
  else if (cp < 0x10000)
    u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
  else
    u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
    u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
  return wc_buf_append(b, u, n);
}

/* A length spread over magnitudes: 2^e .. 2^(e+1)-1 with e uniform, so a
 * threshold anywhere up to max is reached as often as any other. */
static size_t random_length(gen_rng *rng, size_t max) {
  size_t e = gen_rng_below(rng, 17);
  size_t lo = e == 0 ? 0 : (size_t)1 << e;
  size_t len = lo + gen_rng_below(rng, lo ? lo : 2);
  return len > max ? max : len;
}

/* Random text (valid UTF-8, no NUL): a catalogue class, a run of one
 * character, or code points drawn from one or two pools. Names the class
 * in edge. */
static char *random_text(gen_rng *rng, size_t max, char *edge, size_t edge_size) {
  wc_buf b;
  wc_buf_init(&b);
  int rc = 0;
  size_t mode = gen_rng_below(rng, 4);
  if (mode == 0) {
    const gen_string_class *sc;
    do sc = gen_string_class_get(gen_rng_below(rng, gen_string_class_count()));
    while (!sc->text || sc->json || !gen_utf8_valid(sc->text, strlen(sc->text)));
    snprintf(edge, edge_size, "%s", sc->name);
    rc = wc_buf_puts(&b, sc->text);
  } else if (mode == 1) {
    size_t len = random_length(rng, max);
    snprintf(edge, edge_size, "length:%zu", len);
    char *s = gen_repeat("aZ0 -"[gen_rng_below(rng, 5)], len);
    rc = s ? wc_buf_puts(&b, s) : -1;
    free(s);
  } else {
    const pool *p1 = &pools[gen_rng_below(rng, POOL_COUNT)], *p2 = &pools[gen_rng_below(rng, POOL_COUNT)];
    size_t len = random_length(rng, max / 4 > 64 ? 64 : max / 4);
    snprintf(edge, edge_size, "random:%s+%s", p1->name, p2->name);
    for (size_t i = 0; rc == 0 && i < len; i++) {
      const pool *p = gen_rng_below(rng, 2) ? p1 : p2;
      rc = put_code_point(&b, p->lo + (unsigned)gen_rng_below(rng, p->hi - p->lo + 1));
    }
  }
  if (rc != 0) {
    wc_buf_free(&b);
    return NULL;
  }
  if (!b.data) return wc_strdup("");
  return wc_buf_steal(&b);
}

/* A positive-by-construction object: a random non-empty subset of the
 * top-level members, strings from random_text, objects with a random
 * subset of their children. */
static cJSON *random_object(const wc_gen *gen, gen_rng *rng, size_t parent, char *edge, size_t edge_size) {
  cJSON *obj = cJSON_CreateObject();
  size_t per_member = gen->opts.max_body_bytes / (gen->member_count + 1);
  bool any = false;
  for (size_t tries = 0; obj && !any && tries < 4; tries++)
    for (size_t m = 0; obj && m < gen->member_count; m++) {
      if (gen->members[m].parent != parent || cJSON_HasObjectItem(obj, gen->members[m].name)) continue;
      if (tries < 3 && gen_rng_below(rng, 2)) continue; /* the last try takes all */
      cJSON *v;
      if (gen->members[m].types & GEN_T_OBJECT) v = random_object(gen, rng, m, edge, edge_size);
      else if (gen->members[m].types & GEN_T_STRING) {
        char *t = random_text(rng, per_member, edge, edge_size);
        v = t ? gen_positive_value(gen, m, t) : NULL;
        free(t);
      } else v = gen_positive_value(gen, m, NULL);
      if (!v || !cJSON_AddItemToObject(obj, gen->members[m].name, v)) {
        cJSON_Delete(v);
        cJSON_Delete(obj);
        return NULL;
      }
      any = true;
    }
  return obj;
}

static int add_duplicate(const wc_gen *gen, cJSON *body, size_t m) {
  cJSON *holder = gen_parent_object(gen, body, m);
  cJSON *again = holder ? gen_positive_value(gen, m, "again") : NULL;
  if (again && cJSON_AddItemToObject(holder, gen->members[m].name, again)) return 0;
  cJSON_Delete(again);
  return -1;
}

/* One change that usually makes the request negative: a bad header, a
 * wrong type, a string no valid JSON text carries, a duplicate key. */
static int break_something(const wc_gen *gen, gen_rng *rng, cJSON *body, const char **version,
                           char *edge, size_t edge_size, const char **target) {
  static const char *const bad_versions[] = {"2026-02-30", "1999-01-01", "2026-7-1", "latest", ""};
  static const struct {
    const char *name, *json;
  } bad_strings[] = {{"lone-surrogate", "\"a\\udc00\""}, {"nul-escape", "\"a\\u0000\""},
                     {"invalid-utf8", "\"\xC0\xAF\""}};
  size_t m = gen_rng_below(rng, gen->member_count);
  const gen_member *mem = gen->member_count ? &gen->members[m] : NULL;
  size_t change = gen_rng_below(rng, mem ? 4 : 1);
  if (change == 0 && !gen->version_schema) change = mem ? 1 : 4; /* no header to break */
  if (change == 0) {
    *version = bad_versions[gen_rng_below(rng, 5)];
    snprintf(edge, edge_size, "bad-version");
    *target = WC_GEN_LOC_HEADER_VERSION;
    return 0;
  }
  if (!mem) return 0; /* neither members nor header: nothing to break */
  *target = mem->pointer;
  if (change == 3) {
    snprintf(edge, edge_size, "duplicate-key");
    return add_duplicate(gen, body, m);
  }
  const char *json;
  if (change == 1) {
    const gen_value_class *vc;
    do vc = gen_value_class_get(gen_rng_below(rng, gen_value_class_count()));
    while ((vc->type & mem->types) && mem->types != GEN_T_ANY);
    snprintf(edge, edge_size, "wrong-type:%s", vc->name);
    json = vc->json;
  } else {
    size_t b = gen_rng_below(rng, 3);
    snprintf(edge, edge_size, "%s", bad_strings[b].name);
    json = bad_strings[b].json;
  }
  return gen_body_put(gen, body, m, json);
}

/* Parameters of a random request: mostly absent or known, sometimes an
 * edge value (classification decides). */
static void random_parameters(const wc_gen *gen, gen_rng *rng, const char **version, const char **account) {
  size_t r = gen_rng_below(rng, 8);
  if (gen->version_schema && gen->version_count && r < 3) *version = gen->versions[gen_rng_below(rng, gen->version_count)];
  r = gen_rng_below(rng, 8);
  if (!gen->account_schema) return;
  if (gen->account_count && r < 3) *account = gen->accounts[gen_rng_below(rng, gen->account_count)];
  else if (r == 3) {
    const gen_string_class *sc = gen_string_class_get(gen_rng_below(rng, gen_string_class_count()));
    if (gen_query_ok(sc)) *account = sc->text;
  }
}

static wc_gen_request *random_request(const wc_gen *gen, uint64_t seed, uint64_t index, bool positive_only,
                                      wc_err *err) {
  gen_rng rng;
  gen_rng_init(&rng, seed, index);
  char edge[64] = "random";
  const char *target = "";
  const char *version = NULL, *account = NULL;
  /* The template tree lives only in this function, on this thread: its
   * nodes come from the thread's JSON arena when the command installed it. */
  bool arena = wc_json_arena_begin();
  cJSON *body = random_object(gen, &rng, GEN_ROOT, edge, sizeof edge);
  int rc = body ? 0 : -1;
  if (rc == 0 && !positive_only) {
    random_parameters(gen, &rng, &version, &account);
    if (gen_rng_below(&rng, 2)) rc = break_something(gen, &rng, body, &version, edge, sizeof edge, &target);
  }
  size_t len = 0;
  char *text = rc == 0 ? gen_print(body, &len) : NULL;
  cJSON_Delete(body);
  if (arena) wc_json_arena_end();
  wc_gen_request *req = text ? gen_request_make(gen, text, len, version, account, edge, target) : NULL;
  if (!req) wc_err_set(err, WC_E_NOMEM, "out of memory");
  return req;
}

wc_gen_request *wc_gen_random(const wc_gen *gen, uint64_t seed, uint64_t index, wc_err *err) {
  return random_request(gen, seed, index, false, err);
}

wc_gen_request *wc_gen_random_positive(const wc_gen *gen, uint64_t seed, uint64_t index, wc_err *err) {
  /* Positive by construction; the loop only guards a spec whose schema
   * adds rules the construction does not know (then: another draw). */
  for (uint64_t attempt = 0; attempt < 16; attempt++) {
    wc_gen_request *req = random_request(gen, gen_mix(seed, attempt, 1), index, true, err);
    if (!req || wc_gen_request_positive(req)) return req;
    wc_gen_request_free(req);
  }
  wc_err_set(err, WC_E_SPEC, "no positive request found for seed %llu index %llu", (unsigned long long)seed,
             (unsigned long long)index);
  return NULL;
}
