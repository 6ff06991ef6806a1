/* 8 concurrent clients x 1,000 requests against one server: no error, no
 * lost or mixed-up update, and the heap does not grow between two halves. */
#include <criterion/criterion.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support/refserver_client.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#define CLIENTS 8
#define PER_CLIENT 1000

static test_srv T;

typedef struct client {
  int id;
  int from, to; /* request numbers of this round */
  int errors;
  char first_error[256];
} client;

static void record(client *c, const char *fmt, long a, const char *b) {
  if (c->errors++ == 0) snprintf(c->first_error, sizeof c->first_error, fmt, a, b);
}

static void *client_main(void *arg) {
  client *c = arg;
  CURL *h = curl_easy_init();
  char path[96], body[96], expected[32];
  snprintf(path, sizeof path, ME "?account_id=acct_%d", c->id);
  for (int n = c->from; n < c->to; n++) {
    http_resp r;
    if (n % 10 == 9) { /* now and then an invalid body, on the same connection */
      http_req rq = req_patch("[]");
      rq.path = path;
      if (http_do(h, T.origin, &rq, &r) != CURLE_OK || r.status != 400) record(c, "invalid body: %ld %s", r.status, r.body);
      http_resp_free(&r);
      continue;
    }
    snprintf(expected, sizeof expected, "c%d-%d", c->id, n);
    snprintf(body, sizeof body, "{\"name\": \"%s\"}", expected);
    http_req rq = req_patch(body);
    rq.path = path;
    if (http_do(h, T.origin, &rq, &r) != CURLE_OK || r.status != 200) {
      record(c, "status %ld: %s", r.status, r.body);
    } else {
      cJSON *j = cJSON_ParseWithLength(r.body, r.len);
      const char *name = jstr(j, "name");
      if (!name || strcmp(name, expected) != 0) record(c, "got name %ld %s", n, name ? name : "(none)");
      cJSON_Delete(j);
    }
    http_resp_free(&r);
  }
  curl_easy_cleanup(h);
  return NULL;
}

static double run_round(int from, int to) {
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  client cs[CLIENTS];
  pthread_t th[CLIENTS];
  for (int i = 0; i < CLIENTS; i++) {
    cs[i] = (client){.id = i, .from = from, .to = to};
    pthread_create(&th[i], NULL, client_main, &cs[i]);
  }
  for (int i = 0; i < CLIENTS; i++) pthread_join(th[i], NULL);
  for (int i = 0; i < CLIENTS; i++) cr_assert_eq(cs[i].errors, 0, "client %d: %d errors, first: %s", i, cs[i].errors, cs[i].first_error);
  clock_gettime(CLOCK_MONOTONIC, &b);
  return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

Test(load, eight_clients_thousand_requests_each) {
  srv_start(&T);
  double t1 = run_round(0, PER_CLIENT / 2);
#ifndef UNDER_ASAN
  size_t heap_half = mallinfo2().uordblks;
#endif
  double t2 = run_round(PER_CLIENT / 2, PER_CLIENT);
#ifndef UNDER_ASAN
  size_t heap_end = mallinfo2().uordblks;
  long growth = (long)heap_end - (long)heap_half;
  cr_log_info("heap in use: %zu after the first half, %zu at the end (%+ld bytes)", heap_half, heap_end, growth);
  cr_assert_lt(growth, 256 * 1024, "heap grew by %ld bytes over %d requests", growth, CLIENTS * PER_CLIENT / 2);
#endif
  cr_log_info("%d requests in %.2f s (%.0f/s)", CLIENTS * PER_CLIENT, t1 + t2, CLIENTS * PER_CLIENT / (t1 + t2));
  /* no lost update: each account shows its client's last write */
  for (int i = 0; i < CLIENTS; i++) {
    char path[96], expected[32];
    snprintf(path, sizeof path, ME "?account_id=acct_%d", i);
    snprintf(expected, sizeof expected, "c%d-%d", i, PER_CLIENT - 2); /* the last is an invalid body */
    http_req rq = req_patch("{}");
    rq.path = path;
    cJSON *u = expect_user(&T, &rq);
    cr_assert_str_eq(jstr(u, "name"), expected);
    cJSON_Delete(u);
  }
  cJSON *g = expect_user(&T, &req_patch("{}"));
  cr_assert_str_eq(jstr(g, "name"), "Ada Lovelace", "the global profile is untouched");
  cJSON_Delete(g);
  srv_stop(&T);
}

/* Writers to the global profile and readers at the same time: every read
 * sees a whole update (name and bio from the same write), never a mix. */
typedef struct rw {
  int id, errors;
  char first_error[256];
} rw;

static void *writer_reader(void *arg) {
  rw *c = arg;
  CURL *h = curl_easy_init();
  for (int n = 0; n < 200; n++) {
    char body[128];
    bool write = c->id % 2 == 0;
    if (write) snprintf(body, sizeof body, "{\"name\": \"w%d-%d\", \"bio\": \"w%d-%d\"}", c->id, n, c->id, n);
    http_resp r;
    http_req rq = req_patch(write ? body : "{}");
    if (http_do(h, T.origin, &rq, &r) != CURLE_OK || r.status != 200) {
      if (c->errors++ == 0) snprintf(c->first_error, sizeof c->first_error, "status %ld", r.status);
    } else {
      cJSON *j = cJSON_ParseWithLength(r.body, r.len);
      const char *name = jstr(j, "name"), *bio = jstr(j, "bio");
      bool initial = name && strcmp(name, "Ada Lovelace") == 0;
      if (!initial && (!name || !bio || strcmp(name, bio) != 0) && c->errors++ == 0)
        snprintf(c->first_error, sizeof c->first_error, "mixed: %s / %s", name ? name : "-", bio ? bio : "-");
      cJSON_Delete(j);
    }
    http_resp_free(&r);
  }
  curl_easy_cleanup(h);
  return NULL;
}

Test(load, updates_are_atomic) {
  srv_start(&T);
  rw cs[CLIENTS];
  pthread_t th[CLIENTS];
  for (int i = 0; i < CLIENTS; i++) {
    cs[i] = (rw){.id = i};
    pthread_create(&th[i], NULL, writer_reader, &cs[i]);
  }
  for (int i = 0; i < CLIENTS; i++) pthread_join(th[i], NULL);
  for (int i = 0; i < CLIENTS; i++) cr_assert_eq(cs[i].errors, 0, "client %d: %s", i, cs[i].first_error);
  srv_stop(&T);
}
