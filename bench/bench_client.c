/* The rate of an HTTP client alone: N threads, each with one keep-alive
 * connection, sending wrk's fixed PATCH (bench/wrk.sh, whose WRK_BODY
 * bench_fuzz.sh passes) for a few seconds. No generation, no checks: the
 * HTTP cost `whopconf fuzz` starts from (bench_fuzz.sh prints these next to
 * wrk's and whopconf fuzz's rates).
 *
 *   bench-client BASE_URL THREADS SECONDS BODY [MODE]
 * MODE: curl (default) a bare libcurl easy handle per thread; own
 * wc_transport_send with whopconf's own HTTP/1.1 client; transport-curl
 * wc_transport_send with libcurl (--http-client curl). The two transport
 * modes record every exchange (and free it), as whopconf does.
 * Loopback only. Prints "<requests/s>"; exit 1 on a refused URL, a failed
 * transfer or an answer other than 2xx. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whopconf/common.h"
#include "whopconf/request.h"
#include "whopconf/transport.h"

#define MAX_THREADS 64
#define MAX_REQUESTS_PER_THREAD 5000000L /* a bound besides the time */

static const char *target, *body;
static double deadline_ms;
static struct curl_slist *headers;
static atomic_long sent;
static atomic_bool failed;

static wc_http_client transport_engine;
static bool use_transport;
static const wc_request *request; /* for the transport modes */

static size_t discard(char *data, size_t size, size_t n, void *ud) {
  (void)data, (void)ud;
  return size * n;
}

/* The transport modes: whopconf's transport, the exchange recorded. */
static void *transport_client(void *arg) {
  (void)arg;
  wc_transport_opts o;
  wc_transport_opts_default(&o);
  o.http_client = transport_engine;
  o.retry_max = 0;
  wc_transport *t = wc_transport_new(&o, NULL);
  if (!t) {
    atomic_store(&failed, true);
    return NULL;
  }
  for (long i = 0; i < MAX_REQUESTS_PER_THREAD && !atomic_load(&failed); i++) {
    if ((i & 63) == 0 && wc_monotonic_ms() >= deadline_ms) break;
    wc_exchange *x = wc_transport_send(t, request);
    long code = x && wc_exchange_status(x) == WC_XFER_OK ? wc_exchange_http_status(x) : 0;
    wc_exchange_free(x);
    if (code < 200 || code > 299) {
      atomic_store(&failed, true);
      break;
    }
    atomic_fetch_add(&sent, 1);
  }
  wc_transport_free(t);
  return NULL;
}

static void *client(void *arg) {
  if (use_transport) return transport_client(arg);
  CURL *c = curl_easy_init();
  if (!c) {
    atomic_store(&failed, true);
    return NULL;
  }
  curl_easy_setopt(c, CURLOPT_URL, target);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PATCH");
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROXY, "");
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
  for (long i = 0; i < MAX_REQUESTS_PER_THREAD && !atomic_load(&failed); i++) {
    if ((i & 63) == 0 && wc_monotonic_ms() >= deadline_ms) break;
    long code = 0;
    if (curl_easy_perform(c) != CURLE_OK || curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK ||
        code < 200 || code > 299) {
      atomic_store(&failed, true);
      break;
    }
    atomic_fetch_add(&sent, 1);
  }
  curl_easy_cleanup(c);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 5 && argc != 6) {
    fprintf(stderr, "usage: bench-client BASE_URL THREADS SECONDS BODY [curl|own|transport-curl]\n");
    return 2;
  }
  const char *mode = argc == 6 ? argv[5] : "curl";
  use_transport = strcmp(mode, "curl") != 0;
  transport_engine = strcmp(mode, "own") == 0 ? WC_HTTP_CLIENT_AUTO : WC_HTTP_CLIENT_CURL;
  if (use_transport && strcmp(mode, "own") != 0 && strcmp(mode, "transport-curl") != 0) {
    fprintf(stderr, "bench-client: MODE is curl, own or transport-curl\n");
    return 2;
  }
  int threads = atoi(argv[2]);
  double seconds = atof(argv[3]);
  body = argv[4];
  if (threads < 1 || threads > MAX_THREADS || seconds <= 0 || seconds > 60) {
    fprintf(stderr, "bench-client: THREADS 1 to %d, SECONDS up to 60\n", MAX_THREADS);
    return 2;
  }
  if (!wc_url_is_loopback(argv[1])) {
    fprintf(stderr, "bench-client: refusing a non-loopback URL: %s\n", argv[1]);
    return 1;
  }
  char url[512];
  snprintf(url, sizeof url, "%s/users/me", argv[1]);
  target = url;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const char *token = getenv("WRK_TOKEN");
  char auth[256];
  snprintf(auth, sizeof auth, "Authorization: Bearer %s", token && *token ? token : "wc_user_token_with_scope");
  headers = curl_slist_append(NULL, auth);
  headers = curl_slist_append(headers, "Api-Version-Date: 2026-07-01");
  headers = curl_slist_append(headers, "Content-Type: application/json");
  wc_request_desc d = {.base_url = argv[1], .token = token && *token ? token : "wc_user_token_with_scope",
                       .api_version = "2026-07-01", .raw_body = body, .raw_body_len = strlen(body)};
  wc_err err;
  wc_request *req = use_transport ? wc_request_build(&d, &err) : NULL;
  if (use_transport && !req) {
    fprintf(stderr, "bench-client: %s\n", err.msg);
    return 1;
  }
  request = req;
  pthread_t t[MAX_THREADS];
  double t0 = wc_monotonic_ms();
  deadline_ms = t0 + seconds * 1000.0;
  int started = 0;
  while (started < threads && pthread_create(&t[started], NULL, client, NULL) == 0) started++;
  for (int i = 0; i < started; i++) pthread_join(t[i], NULL);
  double took = (wc_monotonic_ms() - t0) / 1000.0;
  curl_slist_free_all(headers);
  wc_request_free(req);
  curl_global_cleanup();
  if (started < threads || atomic_load(&failed)) {
    fprintf(stderr, "bench-client: a transfer failed or was not answered 2xx\n");
    return 1;
  }
  printf("%.0f\n", (double)atomic_load(&sent) / took);
  return 0;
}
