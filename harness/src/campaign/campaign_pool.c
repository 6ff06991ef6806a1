/* The workers of the coverage and fuzzing phases. Each owns one transport
 * (one keep-alive connection) and takes the next stream position from a
 * shared counter; request i is a pure function of (seed, i), so the split
 * between workers changes nothing but the order of arrival.
 *
 * Writes (the positive requests) overlap like everything else: on a server
 * that applies each update atomically, what the oracles compare (the members
 * a write sent, its status, the schema) does not depend on the order of
 * arrival. A server may build its answer after another write landed, though,
 * and then show the other write's value of a member both sent; so an echo
 * finding on a write that overlapped another one is confirmed by sending the
 * same request again with no other write in flight, and only the
 * confirmation's verdict counts.
 *
 * Which overlapping write landed last decides what the profile holds after
 * the phase. So that the next step (shrinking, the put-back) finds the
 * profile as one worker would have left it, the last accepted write of each
 * member of each profile, in stream order, is sent once more after the
 * workers are done ("settling": at most profiles x members requests). What
 * still depends on the order of arrival is the rest of the profile in a
 * kept write's answer; --workers 1 makes that deterministic too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "campaign_internal.h"

/* (profile, member) pairs remembered for settling; a pair past it (or one
 * that could not be stored) is not settled. */
#define SETTLE_MAX 256

typedef struct pool {
  const wc_campaign_env *env;
  const wc_pool_opts *po;
  wc_collect *col;
  wc_phase_counts *counts;
  _Atomic uint64_t next;
  _Atomic uint64_t done;
  _Atomic bool stop;
  _Atomic int active;
  unsigned workers; /* threads (connections) of the phase */
  /* Writes hold the gate shared while they are sent; a confirmation holds
   * it alone. write_starts and writes_in_flight tell a write whether
   * another one overlapped it. */
  pthread_rwlock_t write_gate;
  _Atomic uint64_t write_starts;
  _Atomic uint64_t writes_in_flight;
  /* The last accepted write of each (profile, member), for settling. */
  pthread_mutex_t last_lock;
  struct last_write {
    char *account; /* NULL: the global profile */
    char *member;
    uint64_t index;
  } last[SETTLE_MAX];
  size_t last_count;
} pool;

/* Position i of this shard -> index in the whole stream. */
static uint64_t stream_index(const wc_pool_opts *po, uint64_t i) {
  return i * po->shard_count + po->shard_index;
}

static wc_gen_request *generate(const pool *p, uint64_t index) {
  return wc_campaign_generate(p->env->gen, p->po->kind, p->po->seed, index);
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

static bool echo_finding(const wc_observations *obs) {
  for (size_t i = 0; obs && i < wc_observations_count(obs); i++) {
    const wc_observation *o = wc_observations_get(obs, i);
    if (strcmp(o->requirement, WC_REQ_UPD_REFLECTED) == 0 && (o->status == WC_OBS_FAIL || o->status == WC_OBS_WARN))
      return true;
  }
  return false;
}

/* Sends a write under the shared gate; when another write overlapped it
 * and its echo did not hold, sends it again alone and keeps that answer. */
static int send_write(pool *p, wc_transport *t, const wc_gen_request *req, wc_send_result *res) {
  pthread_rwlock_rdlock(&p->write_gate);
  uint64_t seq = atomic_fetch_add(&p->write_starts, 1);
  bool overlapped = atomic_fetch_add(&p->writes_in_flight, 1) > 0;
  int rc = wc_campaign_send(p->env, t, req, res);
  atomic_fetch_sub(&p->writes_in_flight, 1);
  overlapped = overlapped || atomic_load(&p->write_starts) != seq + 1;
  pthread_rwlock_unlock(&p->write_gate);
  if (rc != 0 || !res->sent || res->transport_failed || !overlapped || !echo_finding(res->obs)) return rc;
  pthread_rwlock_wrlock(&p->write_gate);
  wc_send_result again;
  rc = wc_campaign_send(p->env, t, req, &again);
  pthread_rwlock_unlock(&p->write_gate);
  if (rc == 0 && again.sent) {
    wc_send_result_clear(res);
    *res = again;
  } else {
    wc_send_result_clear(&again);
  }
  return rc;
}

static bool same_account(const char *a, const char *b) { return a == b || (a && b && strcmp(a, b) == 0); }

/* Notes req (index, accepted) as the last write so far of each member it
 * sent, when no later one is noted. */
static void note_write(pool *p, const wc_gen_request *req, uint64_t index) {
  const char *account = wc_gen_request_account_id(req);
  const cJSON *m;
  pthread_mutex_lock(&p->last_lock);
  cJSON_ArrayForEach(m, wc_gen_request_json(req)) {
    if (!m->string) continue;
    size_t k = 0;
    while (k < p->last_count && !(same_account(p->last[k].account, account) && strcmp(p->last[k].member, m->string) == 0))
      k++;
    if (k < p->last_count) {
      if (p->last[k].index < index) p->last[k].index = index;
      continue;
    }
    if (k == SETTLE_MAX) continue;
    char *acc = account ? wc_strdup(account) : NULL, *mem = wc_strdup(m->string);
    if ((account && !acc) || !mem) {
      free(acc), free(mem);
      continue;
    }
    p->last[p->last_count++] = (struct last_write){.account = acc, .member = mem, .index = index};
  }
  pthread_mutex_unlock(&p->last_lock);
}

static int by_index(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Sends the noted last writes again, one at a time in stream order (see
 * the top of the file). Their answers are not judged again. */
static uint64_t settle(pool *p) {
  uint64_t indexes[SETTLE_MAX];
  size_t n = 0;
  for (size_t k = 0; k < p->last_count; k++) indexes[n++] = p->last[k].index;
  qsort(indexes, n, sizeof indexes[0], by_index);
  wc_transport *t = n ? wc_transport_new(&p->env->topts, NULL) : NULL;
  uint64_t sent = 0;
  for (size_t k = 0; t && k < n && !wc_run_stopped(p->env->run); k++) {
    if (k > 0 && indexes[k] == indexes[k - 1]) continue;
    wc_gen_request *req = generate(p, indexes[k]);
    wc_send_result res;
    if (req && wc_campaign_send(p->env, t, req, &res) == 0 && res.sent) sent++;
    if (req) wc_send_result_clear(&res);
    wc_gen_request_free(req);
  }
  wc_transport_free(t);
  return sent;
}

static void send_one(pool *p, wc_transport *t, const wc_gen_request *req, uint64_t index) {
  if (!wc_campaign_sendable(p->env, req)) {
    atomic_fetch_add(&p->counts->skipped, 1);
    return;
  }
  bool positive = wc_gen_request_positive(req);
  wc_send_result res;
  int rc = positive ? send_write(p, t, req, &res) : wc_campaign_send(p->env, t, req, &res);
  if (rc == 0 && res.sent) {
    atomic_fetch_add(&p->counts->sent, 1);
    if (positive) {
      atomic_fetch_add(&p->counts->positive, 1);
      if (res.http_status == 401 || res.http_status == 403) atomic_fetch_add(&p->counts->refused, 1);
    }
    if (res.transport_failed) transfer_failed(p, &res);
    /* One worker leaves the profile as the stream does: nothing to settle. */
    if (positive && p->workers > 1 && res.http_status >= 200 && res.http_status < 300) note_write(p, req, index);
    wc_collect_exchange(p->col, index, req, res.x, res.obs);
  }
  wc_send_result_clear(&res);
}

static void *worker(void *arg) {
  pool *p = arg;
  wc_transport *t = wc_transport_new(&p->env->topts, NULL);
  while (t && !atomic_load(&p->stop) && !wc_run_stopped(p->env->run)) {
    uint64_t i = atomic_fetch_add(&p->next, 1);
    if (i >= p->po->count) break;
    if (p->po->kind == WC_STREAM_RANDOM && p->env->deadline_ms > 0 && wc_monotonic_ms() >= p->env->deadline_ms) {
      atomic_store(&p->stop, true);
      break;
    }
    uint64_t index = stream_index(p->po, i);
    wc_gen_request *req = generate(p, index);
    if (!req) break;
    send_one(p, t, req, index);
    wc_gen_request_free(req);
    atomic_fetch_add(&p->done, 1);
  }
  wc_transport_free(t);
  atomic_fetch_sub(&p->active, 1);
  return NULL;
}

static int run_workers(pool *p, wc_err *err) {
  unsigned n = p->workers;
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
  pool *p = calloc(1, sizeof *p);
  if (!p) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return -1;
  }
  p->env = env, p->po = po, p->col = col, p->counts = counts;
  p->workers = po->workers ? po->workers : 1;
  if (po->count < p->workers) p->workers = po->count ? (unsigned)po->count : 1;
  pthread_rwlock_init(&p->write_gate, NULL);
  pthread_mutex_init(&p->last_lock, NULL);
  int rc = run_workers(p, err);
  if (rc == 0 && p->workers > 1 && !atomic_load(&p->stop) && !wc_run_stopped(env->run))
    atomic_store(&counts->settled, settle(p));
  for (size_t k = 0; k < p->last_count; k++) free(p->last[k].account), free(p->last[k].member);
  pthread_mutex_destroy(&p->last_lock);
  pthread_rwlock_destroy(&p->write_gate);
  free(p);
  return rc;
}
