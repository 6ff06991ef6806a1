/* The workers of the coverage and fuzzing phases. Each owns one transport
 * (one keep-alive connection) and takes the next stream position from a
 * shared counter; request i is a pure function of (seed, i), so the split
 * between workers changes nothing but the order of arrival. Writes (the
 * positive requests) go out in position order, one at a time, each after
 * every earlier write is done: what a write's response shows of the profile
 * is then the same with one worker or many. Requests that change nothing
 * (negative ones, on a server that refuses them) overlap freely: their
 * position is done as soon as it is known not to write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "campaign_internal.h"

#define ORDER_RING 4096

typedef struct pool {
  const wc_campaign_env *env;
  const wc_pool_opts *po;
  wc_collect *col;
  wc_phase_counts *counts;
  _Atomic uint64_t next;
  _Atomic uint64_t done;
  _Atomic bool stop;
  _Atomic int active;
  /* The write order: turn is the first position not done yet (a write not
   * finished, or not known yet not to write); done[] marks the positions
   * past it that are (a ring: a worker waits for room). */
  pthread_mutex_t order_lock;
  pthread_cond_t order_moved;
  uint64_t turn;
  unsigned char done_ring[ORDER_RING];
} pool;

/* Position i of this shard -> index in the whole stream. */
static uint64_t stream_index(const wc_pool_opts *po, uint64_t i) {
  return i * po->shard_count + po->shard_index;
}

static wc_gen_request *generate(const pool *p, uint64_t index) {
  if (p->po->kind == WC_STREAM_COVERAGE) return wc_gen_coverage(p->env->gen, (size_t)index, NULL);
  return wc_gen_random(p->env->gen, p->po->seed, index, NULL);
}

static void transfer_failed(pool *p, const wc_send_result *res) {
  atomic_fetch_add(&p->counts->transport_failures, 1);
  if (p->env->ro->keep_going) return;
  char reason[600];
  snprintf(reason, sizeof reason, "a generated request to %s failed (%s): %s", p->env->ro->base_url,
           wc_xfer_status_name(wc_exchange_status(res->x)), wc_exchange_error(res->x));
  wc_run_request_stop(p->env->run, reason);
  atomic_store(&p->stop, true);
}

static bool stopping(pool *p) { return atomic_load(&p->stop) || wc_run_stopped(p->env->run); }

/* Waits until position i may be taken on (ring room) or, for a write, until
 * every earlier position is done. False when the phase is stopping. */
static bool order_wait(pool *p, uint64_t i, bool for_turn) {
  pthread_mutex_lock(&p->order_lock);
  while (!stopping(p) && (for_turn ? p->turn != i : i - p->turn >= ORDER_RING)) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 50 * 1000 * 1000; /* re-checks the stop flags now and then */
    if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
    pthread_cond_timedwait(&p->order_moved, &p->order_lock, &until);
  }
  pthread_mutex_unlock(&p->order_lock);
  return !stopping(p);
}

static void order_done(pool *p, uint64_t i) {
  pthread_mutex_lock(&p->order_lock);
  p->done_ring[i % ORDER_RING] = 1;
  while (p->done_ring[p->turn % ORDER_RING]) p->done_ring[p->turn++ % ORDER_RING] = 0;
  pthread_cond_broadcast(&p->order_moved);
  pthread_mutex_unlock(&p->order_lock);
}

static void *worker(void *arg) {
  pool *p = arg;
  wc_transport *t = wc_transport_new(&p->env->topts, NULL);
  while (t && !atomic_load(&p->stop)) {
    uint64_t i = atomic_fetch_add(&p->next, 1);
    if (i >= p->po->count) break;
    bool go = order_wait(p, i, false);
    if (go && p->po->kind == WC_STREAM_RANDOM && p->env->deadline_ms > 0 && wc_monotonic_ms() >= p->env->deadline_ms)
      go = false, atomic_store(&p->stop, true);
    uint64_t index = stream_index(p->po, i);
    wc_gen_request *req = go ? generate(p, index) : NULL;
    if (!req) {
      order_done(p, i);
      break;
    }
    bool writes = wc_gen_request_positive(req) && wc_campaign_sendable(p->env, req);
    if (!writes) order_done(p, i);
    if (writes && !order_wait(p, i, true)) {
      wc_gen_request_free(req);
      order_done(p, i);
      break;
    }
    if (!wc_campaign_sendable(p->env, req)) {
      atomic_fetch_add(&p->counts->skipped, 1);
    } else {
      wc_send_result res;
      if (wc_campaign_send(p->env, t, req, &res) == 0 && res.sent) {
        atomic_fetch_add(&p->counts->sent, 1);
        if (wc_gen_request_positive(req)) {
          atomic_fetch_add(&p->counts->positive, 1);
          if (res.http_status == 401 || res.http_status == 403) atomic_fetch_add(&p->counts->refused, 1);
        }
        if (res.transport_failed) transfer_failed(p, &res);
        wc_collect_exchange(p->col, index, req, res.x, res.obs);
      }
      wc_send_result_clear(&res);
    }
    wc_gen_request_free(req);
    if (writes) order_done(p, i);
    atomic_fetch_add(&p->done, 1);
  }
  wc_transport_free(t);
  atomic_fetch_sub(&p->active, 1);
  return NULL;
}

static int run_workers(pool *p, wc_err *err) {
  unsigned n = p->po->workers ? p->po->workers : 1;
  if (p->po->count < n) n = p->po->count ? (unsigned)p->po->count : 1;
  pthread_t *threads = calloc(n, sizeof *threads);
  if (!threads) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return -1;
  }
  unsigned started = 0;
  atomic_store(&p->active, (int)n);
  for (; started < n; started++)
    if (pthread_create(&threads[started], NULL, worker, p) != 0) break;
  atomic_fetch_sub(&p->active, (int)(n - started));
  if (started == 0) {
    free(threads);
    wc_err_set(err, WC_E_INTERNAL, "cannot start a worker thread");
    return -1;
  }
  /* The calling thread reports progress until the workers are done. */
  for (unsigned tick = 1; atomic_load(&p->active) > 0; tick++) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
    if (p->po->progress && tick % 20 == 0) p->po->progress(p->po->progress_ctx, atomic_load(&p->done));
  }
  for (unsigned i = 0; i < started; i++) pthread_join(threads[i], NULL);
  free(threads);
  return 0;
}

int wc_campaign_pool(const wc_campaign_env *env, const wc_pool_opts *po, wc_collect *col,
                     wc_phase_counts *counts, wc_err *err) {
  /* On the heap: the write-order ring is 4 KiB. */
  pool *p = calloc(1, sizeof *p);
  if (!p) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return -1;
  }
  p->env = env, p->po = po, p->col = col, p->counts = counts;
  pthread_mutex_init(&p->order_lock, NULL);
  pthread_cond_init(&p->order_moved, NULL);
  int rc = run_workers(p, err);
  pthread_cond_destroy(&p->order_moved);
  pthread_mutex_destroy(&p->order_lock);
  free(p);
  return rc;
}
