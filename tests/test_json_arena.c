/* The per-thread cJSON arena: allocations inside begin/end come from the
 * calling thread's arena, outside from malloc; threads do not share arenas;
 * the judge gives the same verdict with and without it. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "whopconf/json_arena.h"
#include "whopconf/traffic.h"

static void install(void) { wc_json_arena_install(); }
static void uninstall(void) { wc_json_arena_uninstall(); }

TestSuite(json_arena, .init = install, .fini = uninstall);

Test(json_arena, inside_from_the_arena_outside_from_malloc) {
  cr_assert(wc_json_arena_begin());
  cJSON *a = cJSON_Parse("{\"a\":[1,2,3],\"b\":\"text\"}");
  cr_assert_not_null(a);
  size_t used = wc_json_arena_used();
  cr_expect_gt(used, 0, "the tree came from the arena");
  cJSON_Delete(a);
  cr_expect_eq(wc_json_arena_used(), used, "free inside the arena is a no-op");
  wc_json_arena_end();
  cr_expect_eq(wc_json_arena_used(), 0);
  cJSON *b = cJSON_Parse("[true,false]"); /* malloc: outlives any begin/end */
  cr_assert(wc_json_arena_begin());
  cJSON *c = cJSON_Parse("[null]");
  cr_expect_eq(cJSON_GetArraySize(b), 2);
  cJSON_Delete(b); /* a malloc'd tree freed inside begin/end goes back to the heap */
  cJSON_Delete(c);
  wc_json_arena_end();
}

Test(json_arena, regions_nest_and_a_held_region_takes_nothing_new) {
  cr_assert(wc_json_arena_begin());
  cJSON *outer = cJSON_Parse("{\"entry\":[1,2,3]}");
  size_t after_outer = wc_json_arena_used();
  cr_assert_gt(after_outer, 0);
  wc_json_arena_hold();
  cJSON *heap = cJSON_CreateString("kept past the region"); /* held: from malloc */
  cr_expect_eq(wc_json_arena_used(), after_outer, "a held region takes no new allocations");
  cr_assert(wc_json_arena_begin());
  cJSON *inner = cJSON_Parse("[\"body\"]");
  cr_expect_gt(wc_json_arena_used(), after_outer, "the inner region takes them");
  cJSON_Delete(inner);
  wc_json_arena_end();
  cr_expect_eq(wc_json_arena_used(), after_outer, "the inner region's end keeps the outer tree");
  cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(outer, "entry")), 3);
  cJSON *still_heap = cJSON_CreateNull();
  cr_expect_eq(wc_json_arena_used(), after_outer, "the outer region is still held");
  cJSON_Delete(still_heap);
  cJSON_Delete(outer);
  wc_json_arena_end();
  cr_expect_eq(wc_json_arena_used(), 0);
  cr_expect_str_eq(heap->valuestring, "kept past the region");
  cJSON_Delete(heap); /* from malloc: freed for real (ASan would tell otherwise) */
  for (int i = 0; i < WC_JSON_ARENA_MAX_DEPTH; i++) cr_assert(wc_json_arena_begin());
  cr_expect_not(wc_json_arena_begin(), "no more than WC_JSON_ARENA_MAX_DEPTH regions");
  for (int i = 0; i < WC_JSON_ARENA_MAX_DEPTH; i++) wc_json_arena_end();
  cr_expect_eq(wc_json_arena_used(), 0);
}

Test(json_arena, a_full_arena_falls_back_to_malloc) {
  cr_assert(wc_json_arena_begin());
  size_t n = WC_JSON_ARENA_SIZE / 2 + 1000;
  char *big = malloc(n + 3);
  big[0] = '"';
  memset(big + 1, 'x', n);
  big[n + 1] = '"';
  big[n + 2] = '\0';
  cJSON *one = cJSON_Parse(big);
  cr_expect_not(wc_json_arena_spilled(), "all of it from the arena so far");
  cJSON *two = cJSON_Parse(big); /* does not fit any more */
  cr_expect(wc_json_arena_spilled(), "some of it from malloc now");
  cr_assert_not_null(one);
  cr_assert_not_null(two);
  cr_expect_eq(strlen(two->valuestring), n);
  cJSON_Delete(one);
  cJSON_Delete(two);
  wc_json_arena_end();
  free(big);
}

static void *thread_parse(void *arg) {
  uintptr_t id = (uintptr_t)arg;
  for (int i = 0; i < 2000; i++) {
    if (!wc_json_arena_begin()) return (void *)1;
    cJSON *t = cJSON_CreateObject();
    cJSON_AddNumberToObject(t, "id", (double)id);
    cJSON_AddStringToObject(t, "s", "some text to allocate");
    cJSON *again = cJSON_Parse("{\"k\":[1,2,3,4,5,6,7,8]}");
    bool ok = cJSON_GetObjectItem(t, "id")->valuedouble == (double)id && cJSON_GetArraySize(cJSON_GetObjectItem(again, "k")) == 8;
    cJSON_Delete(again);
    cJSON_Delete(t);
    wc_json_arena_end();
    if (!ok) return (void *)1;
  }
  return NULL;
}

Test(json_arena, every_thread_has_its_own) {
  pthread_t th[4];
  for (uintptr_t i = 0; i < 4; i++) cr_assert_eq(pthread_create(&th[i], NULL, thread_parse, (void *)i), 0);
  for (int i = 0; i < 4; i++) {
    void *rc;
    pthread_join(th[i], &rc);
    cr_expect_null(rc, "thread %d saw another thread's data", i);
  }
}

Test(json_arena, the_judge_gives_the_same_verdict_with_it) {
  wc_err err;
  wc_spec *spec = wc_spec_load_embedded(&err);
  cr_assert_not_null(spec, "%s", err.msg);
  wc_judge *judge = wc_judge_new(spec, NULL, &err);
  cr_assert_not_null(judge, "%s", err.msg);
  size_t len;
  char *user = wc_read_file(WC_SOURCE_DIR "/bench/user_typical.json", 1 << 20, &len, &err);
  cr_assert_not_null(user);
  static const wc_wire_header req[] = {{"Authorization", "Bearer tok_abcdef"},
                                       {"Content-Type", "application/json"},
                                       {"Api-Version-Date", "2026-07-01"}};
  static const wc_wire_header resp[] = {{"Content-Type", "application/json"}};
  wc_wire_exchange x = {.method = "PATCH", .target = "/api/v1/users/me", .request_headers = req,
                        .request_header_count = 3, .request_body = {.data = "{\"name\":7}", .len = 10},
                        .status = 200, .response_headers = resp, .response_header_count = 1,
                        .response_body = {.data = user, .len = len}, .time_ms = 1};
  wc_verdict with, without;
  wc_observations *a = wc_observations_new(), *b = wc_observations_new();
  cr_assert_eq(wc_judge_exchange(judge, &x, 1, a, &with), 0);
  wc_json_arena_uninstall();
  cr_assert_eq(wc_judge_exchange(judge, &x, 1, b, &without), 0);
  wc_json_arena_install();
  cr_expect_eq(with.request_failures, 1);
  cr_expect_eq(with.request_failures, without.request_failures);
  cr_expect_eq(with.response_failures, without.response_failures);
  cr_expect_eq(wc_observations_count(a), wc_observations_count(b));
  wc_observations_free(a);
  wc_observations_free(b);
  free(user);
  wc_judge_free(judge);
  wc_spec_free(spec);
}
