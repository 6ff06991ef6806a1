/* The per-thread bump arena behind cJSON's hooks (see json_arena.h). */
#include "whopconf/json_arena.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct arena {
  unsigned char *block;
  size_t used;
  unsigned depth;                         /* regions open */
  size_t mark[WC_JSON_ARENA_MAX_DEPTH];   /* `used` at each region's begin */
  bool held[WC_JSON_ARENA_MAX_DEPTH];     /* the region takes no new allocations */
  bool spilled[WC_JSON_ARENA_MAX_DEPTH];  /* the arena was full: some of it came from malloc */
} arena;

static _Thread_local arena *this_thread;
static pthread_key_t arena_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static bool installed;

static void arena_destroy(void *p) {
  arena *a = p;
  if (!a) return;
  free(a->block);
  free(a);
}

static void make_key(void) { pthread_key_create(&arena_key, arena_destroy); }

static bool owns(const arena *a, const void *p) {
  uintptr_t u = (uintptr_t)p, b = (uintptr_t)a->block;
  return u >= b && u < b + WC_JSON_ARENA_SIZE;
}

static void *arena_malloc(size_t n) {
  arena *a = this_thread;
  if (a && a->depth && !a->held[a->depth - 1]) {
    size_t need = (n + 15) & ~(size_t)15; /* max_align_t */
    if (need >= n && WC_JSON_ARENA_SIZE - a->used >= need) {
      void *p = a->block + a->used;
      a->used += need;
      return p;
    }
    a->spilled[a->depth - 1] = true;
  }
  return malloc(n);
}

static void arena_free(void *p) {
  arena *a = this_thread;
  if (p && !(a && owns(a, p))) free(p);
}

void wc_json_arena_install(void) {
  pthread_once(&key_once, make_key);
  cJSON_Hooks hooks = {arena_malloc, arena_free};
  cJSON_InitHooks(&hooks);
  installed = true;
}

void wc_json_arena_uninstall(void) {
  cJSON_InitHooks(NULL);
  installed = false;
}

bool wc_json_arena_begin(void) {
  if (!installed) return false;
  arena *a = this_thread;
  if (!a) {
    a = calloc(1, sizeof *a);
    if (a) a->block = malloc(WC_JSON_ARENA_SIZE);
    if (!a || !a->block || pthread_setspecific(arena_key, a) != 0) {
      arena_destroy(a);
      return false;
    }
    this_thread = a;
  }
  if (a->depth == WC_JSON_ARENA_MAX_DEPTH) return false;
  a->mark[a->depth] = a->used;
  a->held[a->depth] = false;
  a->spilled[a->depth] = false;
  a->depth++;
  return true;
}

void wc_json_arena_end(void) {
  arena *a = this_thread;
  if (!a || a->depth == 0) return;
  a->depth--;
  a->used = a->mark[a->depth];
}

void wc_json_arena_hold(void) {
  arena *a = this_thread;
  if (a && a->depth) a->held[a->depth - 1] = true;
}

bool wc_json_arena_spilled(void) {
  arena *a = this_thread;
  return !a || a->depth == 0 || a->spilled[a->depth - 1];
}

size_t wc_json_arena_used(void) { return this_thread ? this_thread->used : 0; }
