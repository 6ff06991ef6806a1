/* Transport faults: each misbehaves as named, within bounds, lets go when
 * the client leaves, and never holds up wc_refserver_stop. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "support/refserver_client.h"

static test_srv T;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

typedef struct counted {
  size_t bytes, limit;
  char head[64];
  char tail[64];
} counted;

/* Counts the body without keeping it; gives up past limit (write error). */
static size_t count_cb(char *p, size_t sz, size_t n, void *ud) {
  counted *c = ud;
  size_t len = sz * n;
  for (size_t i = 0; i < len; i++) {
    if (c->bytes + i < sizeof c->head - 1) c->head[c->bytes + i] = p[i];
    memmove(c->tail, c->tail + 1, sizeof c->tail - 2);
    c->tail[sizeof c->tail - 2] = p[i];
  }
  c->bytes += len;
  return c->limit && c->bytes > c->limit ? 0 : len;
}

typedef struct outcome {
  CURLcode rc;
  long status;
  counted body;
  char content_length[32];
  bool chunked;
  double ms;
} outcome;

static size_t head_cb(char *p, size_t sz, size_t n, void *ud) {
  outcome *o = ud;
  size_t len = sz * n;
  if (len > 15 && strncasecmp(p, "Content-Length:", 15) == 0) sscanf(p + 15, " %31s", o->content_length);
  if (len > 18 && strncasecmp(p, "Transfer-Encoding:", 18) == 0 && strstr(p, "chunked")) o->chunked = true;
  return len;
}

static outcome fetch(long timeout_ms, size_t limit) {
  outcome o;
  memset(&o, 0, sizeof o);
  o.body.limit = limit;
  CURL *h = curl_easy_init();
  char url[160];
  snprintf(url, sizeof url, "%s" ME, T.origin);
  struct curl_slist *hdr = curl_slist_append(NULL, "Authorization: Bearer " TOKEN);
  hdr = curl_slist_append(hdr, "Content-Type: application/json");
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PATCH");
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, "{}");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, count_cb);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &o.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, head_cb);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &o);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  double t0 = now_ms();
  o.rc = curl_easy_perform(h);
  o.ms = now_ms() - t0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &o.status);
  curl_slist_free_all(hdr);
  curl_easy_cleanup(h);
  return o;
}

static void with_fault(const char *fault) { srv_start_fault(&T, fault, false); }

static void stop_promptly(void) {
  double t0 = now_ms();
  srv_stop(&T);
  cr_assert_lt(now_ms() - t0, 1000.0, "stop took %.0f ms", now_ms() - t0);
}

/* A connection that sends a request and leaves at once, n times: if the
 * server did not let go of each, its 64 connection slots would run out. */
static void hit_and_run(int n) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(wc_refserver_port(T.srv))};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  static const char req[] = "PATCH " ME " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}";
  for (int i = 0; i < n; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    cr_assert(send(fd, req, sizeof req - 1, MSG_NOSIGNAL) > 0);
    usleep(5000);
    close(fd);
  }
  usleep(400 * 1000);
}

Test(transport, slow_drip) {
  with_fault("slow-drip");
  outcome o = fetch(1200, 0);
  cr_assert_eq(o.rc, CURLE_OPERATION_TIMEDOUT, "%s", curl_easy_strerror(o.rc));
  cr_assert_eq(o.status, 200);
  cr_assert(o.body.bytes >= 3 && o.body.bytes <= 8, "%zu bytes in 1.2 s", o.body.bytes);
  cr_assert(strncmp(o.body.head, "{\"id\":\"", o.body.bytes < 7 ? o.body.bytes : 7) == 0);
  cr_assert_gt(atoi(o.content_length), 200);
  hit_and_run(70);
  o = fetch(500, 0);
  cr_assert_eq(o.rc, CURLE_OPERATION_TIMEDOUT, "slots exhausted? %s", curl_easy_strerror(o.rc));
  stop_promptly();
}

Test(transport, endless_chunked) {
  with_fault("endless-chunked");
  outcome o = fetch(10000, 2 * 1024 * 1024);
  cr_assert_eq(o.rc, CURLE_WRITE_ERROR, "%s", curl_easy_strerror(o.rc));
  cr_assert_eq(o.status, 200);
  cr_assert(o.chunked);
  cr_assert_gt(o.body.bytes, 2 * 1024 * 1024);
  cr_assert(strncmp(o.body.head, "{\"id\":\"user_", 12) == 0);
  stop_promptly();
}

Test(transport, oversized_body) {
  with_fault("oversized-body");
  outcome o = fetch(10000, 1024 * 1024);
  cr_assert_eq(o.rc, CURLE_WRITE_ERROR);
  cr_assert_str_eq(o.content_length, "67108864");
  o = fetch(20000, 0); /* the whole thing, counted */
  cr_assert_eq(o.rc, CURLE_OK, "%s", curl_easy_strerror(o.rc));
  cr_assert_eq(o.body.bytes, 64u * 1024 * 1024);
  cr_assert(strncmp(o.body.head, "{\"id\":\"user_", 12) == 0);
  cr_assert_str_eq(o.body.tail + sizeof o.body.tail - 5, "aa\"}");
  stop_promptly();
}

Test(transport, deep_nesting) {
  with_fault("deep-nesting");
  outcome o = fetch(5000, 0);
  cr_assert_eq(o.rc, CURLE_OK);
  cr_assert_eq(o.status, 200);
  cr_assert_eq(o.body.bytes, 200000);
  cr_assert(strncmp(o.body.head, "[[[[[[[[", 8) == 0);
  cr_assert(o.body.tail[sizeof o.body.tail - 2] == ']');
  stop_promptly();
}

Test(transport, truncated_body) {
  with_fault("truncated-body");
  outcome o = fetch(5000, 0);
  cr_assert_eq(o.rc, CURLE_PARTIAL_FILE, "%s", curl_easy_strerror(o.rc));
  cr_assert_eq((size_t)atoi(o.content_length), o.body.bytes + 100);
  cr_assert_lt(o.ms, 2000.0);
  stop_promptly();
}

Test(transport, reset) {
  with_fault("reset");
  outcome o = fetch(5000, 0);
  cr_assert(o.rc == CURLE_RECV_ERROR || o.rc == CURLE_PARTIAL_FILE, "%s", curl_easy_strerror(o.rc));
  cr_assert_lt(o.body.bytes, (size_t)atoi(o.content_length));
  cr_assert_lt(o.ms, 2000.0);
  stop_promptly();
}

Test(transport, silence) {
  with_fault("silence");
  outcome o = fetch(600, 0);
  cr_assert_eq(o.rc, CURLE_OPERATION_TIMEDOUT);
  cr_assert_eq(o.status, 0);
  hit_and_run(70);
  o = fetch(400, 0);
  cr_assert_eq(o.rc, CURLE_OPERATION_TIMEDOUT, "slots exhausted? %s", curl_easy_strerror(o.rc));
  stop_promptly();
}

Test(transport, malformed_status_line) {
  with_fault("malformed-status-line");
  outcome o = fetch(5000, 0);
  cr_assert_neq(o.rc, CURLE_OK);
  cr_assert_neq(o.rc, CURLE_OPERATION_TIMEDOUT);
  cr_assert_eq(o.status, 0);
  cr_assert_lt(o.ms, 2000.0);
  stop_promptly();
}

static void *waiting_client(void *arg) {
  (void)arg;
  outcome o = fetch(5000, 0);
  (void)o;
  return NULL;
}

Test(transport, stop_cuts_connections_in_flight) {
  const char *faults[] = {"silence", "slow-drip", "endless-chunked"};
  for (size_t i = 0; i < 3; i++) {
    with_fault(faults[i]);
    pthread_t th[3];
    for (int k = 0; k < 3; k++) pthread_create(&th[k], NULL, waiting_client, NULL);
    usleep(300 * 1000);
    stop_promptly();
    for (int k = 0; k < 3; k++) pthread_join(th[k], NULL);
  }
}

Test(transport, every_transport_fault_is_tested) {
  static const char *const tested[] = {"slow-drip", "endless-chunked", "oversized-body", "deep-nesting",
                                       "truncated-body", "reset", "silence", "malformed-status-line"};
  for (size_t i = 0; i < wc_fault_count(); i++) {
    const wc_fault_info *f = wc_fault_get(i);
    if (strcmp(f->kind, "transport") != 0) continue;
    bool found = false;
    for (size_t k = 0; k < sizeof tested / sizeof tested[0]; k++) found = found || strcmp(tested[k], f->name) == 0;
    cr_assert(found, "transport fault %s has no test", f->name);
  }
}
