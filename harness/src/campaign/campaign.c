/* The campaign: options, the generator and checks it shares with its
 * workers, the phases in order, and the source each phase becomes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "campaign_internal.h"

void wc_campaign_opts_default(wc_campaign_opts *o) {
  memset(o, 0, sizeof *o);
  o->phases = WC_PHASE_ALL;
  o->max_requests = WC_CAMPAIGN_DEFAULT_MAX_REQUESTS;
  o->seed = 1;
}

static const struct {
  const char *name;
  unsigned bit;
} phase_names[] = {{"coverage", WC_PHASE_COVERAGE}, {"fuzzing", WC_PHASE_FUZZING}, {"stateful", WC_PHASE_STATEFUL}};

int wc_campaign_phases_parse(const char *list, wc_err *err) {
  if (!list) return WC_PHASE_ALL;
  if (strcmp(list, "all") == 0) return WC_PHASE_ALL;
  if (strcmp(list, "none") == 0) return 0;
  int bits = 0;
  const char *p = list;
  while (*p) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    bool found = false;
    for (size_t i = 0; i < sizeof phase_names / sizeof phase_names[0]; i++)
      if (strlen(phase_names[i].name) == len && strncmp(p, phase_names[i].name, len) == 0) {
        bits |= (int)phase_names[i].bit;
        found = true;
      }
    if (!found) {
      wc_err_set(err, WC_E_USAGE, "unknown phase '%.*s' (coverage, fuzzing, stateful, all or none)",
                 (int)(len > 40 ? 40 : len), p);
      return -1;
    }
    p += len;
    if (*p == ',') p++;
  }
  return bits;
}

/* ---- progress ------------------------------------------------------------ */

typedef struct progress_state {
  const wc_campaign_opts *opts;
  wc_campaign_stats *stats;
  wc_phase_counts *counts;
  wc_collect *col;
  uint64_t sent_before, skipped_before;
  size_t findings_before;
  double t0_ms, deadline_ms;
  uint64_t total; /* positions of the running phase (0: unknown) */
  uint64_t done;  /* of them, judged */
  double phase_t0_ms;
} progress_state;

/* Seconds left: to the deadline, or to the end of the running phase at its
 * rate so far, whichever comes first; -1 when neither is known. */
static double remaining_s(const progress_state *ps, double now) {
  double left = ps->deadline_ms > 0 ? (ps->deadline_ms - now) / 1000.0 : -1;
  if (left < 0 && ps->deadline_ms > 0) left = 0;
  double took = now - ps->phase_t0_ms;
  if (ps->total > ps->done && ps->done > 0 && took > 0) {
    double phase_left = (double)(ps->total - ps->done) * took / (double)ps->done / 1000.0;
    if (left < 0 || phase_left < left) left = phase_left;
  }
  return left;
}

static void refresh(progress_state *ps) {
  wc_campaign_stats *s = ps->stats;
  s->sent = ps->sent_before + atomic_load(&ps->counts->sent);
  s->skipped = ps->skipped_before + atomic_load(&ps->counts->skipped);
  s->findings = ps->findings_before + (ps->col ? wc_collect_finding_count(ps->col) : 0);
  double now = wc_monotonic_ms();
  s->elapsed_ms = now - ps->t0_ms;
  s->remaining_s = remaining_s(ps, now);
}

static void on_progress(void *arg, uint64_t done) {
  progress_state *ps = arg;
  ps->done = done;
  refresh(ps);
  if (ps->opts->progress) ps->opts->progress(ps->opts->progress_ctx, ps->stats);
}

/* ---- the phases ------------------------------------------------------------ */

static unsigned default_workers(const wc_run_opts *ro) {
  if (!wc_url_is_loopback(ro->base_url)) return 1;
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 && n < 64 ? (unsigned)n : 1;
}

/* Positions of the shard: the coverage list or the random stream (of
 * max_requests in all) split N ways. */
static uint64_t shard_positions(uint64_t total, unsigned k, unsigned n) {
  return total / n + (k < total % n ? 1 : 0);
}

static int run_phase(const wc_campaign_env *env, const wc_campaign_opts *o, unsigned phase, progress_state *ps,
                     wc_err *err) {
  wc_collect *col = wc_collect_new();
  wc_phase_counts counts;
  memset(&counts, 0, sizeof counts);
  if (!col) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return -1;
  }
  ps->col = col;
  ps->counts = &counts;
  ps->total = 0; /* the stateful phase has no fixed length */
  unsigned k = o->shard_count ? o->shard_index - 1 : 0, n = o->shard_count ? o->shard_count : 1;
  const char *name = phase == WC_PHASE_COVERAGE ? "coverage" : phase == WC_PHASE_FUZZING ? "fuzzing" : "stateful";
  /* The stream the pool sends and the shrinker regenerates originals from. */
  wc_stream_kind kind = phase == WC_PHASE_COVERAGE ? WC_STREAM_COVERAGE : WC_STREAM_RANDOM;
  ps->stats->phase = name;
  int rc = 0;
  if (phase == WC_PHASE_STATEFUL) {
    /* A step is an update and two reads. */
    uint64_t steps = o->max_requests / 10;
    steps = steps < 10 ? 10 : steps > 300 ? 300 : steps;
    rc = wc_campaign_stateful(env, wc_campaign_mix(o->seed, 0x5747u + k), steps, col, &counts, err);
  } else {
    wc_pool_opts po = {
        .kind = kind,
        .seed = o->seed,
        .shard_index = k,
        .shard_count = n,
        .workers = o->workers ? o->workers : default_workers(env->ro),
        .progress = on_progress,
        .progress_ctx = ps,
    };
    uint64_t total = phase == WC_PHASE_COVERAGE ? wc_gen_coverage_count(env->gen) : o->max_requests;
    po.count = shard_positions(total, k, n);
    ps->total = po.count;
    ps->done = 0;
    ps->phase_t0_ms = wc_monotonic_ms();
    if (phase == WC_PHASE_COVERAGE) ps->stats->coverage_count = po.count;
    rc = wc_campaign_pool(env, &po, col, &counts, err);
  }
  if (rc == 0 && !o->no_shrink)
    ps->stats->shrink_requests +=
        wc_campaign_shrink_all(env, col, kind, o->seed, o->shrink_budget, &counts);
  /* The phase puts the profiles back itself, as a writing case does, so
   * the next phase starts from the snapshot and the end-of-run restore
   * only reads. (A negative input wrongly applied is put back too.) */
  if (atomic_load(&counts.sent) > 0 && !wc_run_stopped(env->run))
    (void)wc_run_put_back(env->run, name); /* what fails is the teardown's to report */
  refresh(ps);
  if (rc == 0) {
    cJSON *doc = wc_collect_source(col, name, &counts);
    if (doc) cJSON_AddStringToObject(doc, "phase", name);
    rc = doc ? wc_run_add_source(env->run, name, doc, err) : -1;
    if (!doc) wc_err_set(err, WC_E_NOMEM, "out of memory");
    cJSON_Delete(doc);
  }
  ps->sent_before += atomic_load(&counts.sent);
  ps->skipped_before += atomic_load(&counts.skipped);
  ps->findings_before += wc_collect_finding_count(col);
  ps->col = NULL;
  ps->counts = NULL;
  wc_collect_free(col);
  return rc;
}

int wc_campaign_run(wc_run *run, const wc_spec *spec, const wc_campaign_opts *opts,
                    wc_campaign_stats *stats_out, wc_err *err) {
  wc_campaign_opts o = *opts;
  if (!o.max_requests) o.max_requests = WC_CAMPAIGN_DEFAULT_MAX_REQUESTS;
  if (!o.shrink_budget) o.shrink_budget = WC_GEN_DEFAULT_SHRINK_BUDGET;
  if (o.shard_count && (o.shard_index < 1 || o.shard_index > o.shard_count)) {
    wc_err_set(err, WC_E_USAGE, "shard %u/%u: K must be from 1 to N", o.shard_index, o.shard_count);
    return -1;
  }
  const wc_run_opts *ro = wc_run_options(run);
  const char *known[WC_RUN_MAX_LIST];
  size_t known_count = wc_run_known_count(run);
  for (size_t i = 0; i < known_count && i < WC_RUN_MAX_LIST; i++) known[i] = wc_run_known(run, i);

  wc_gen_opts go;
  wc_gen_opts_default(&go);
  go.known_versions = known;
  go.known_version_count = known_count;
  go.account_ids = ro->account_ids;
  go.account_id_count = ro->account_count;
  if (o.max_request_body) go.max_body_bytes = o.max_request_body;
  wc_gen *gen = wc_gen_new(spec, &go, err);
  if (!gen) return -1;
  wc_run_checks *checks =
      wc_run_checks_new(spec, wc_run_api_version(run), known, known_count, ro->max_response_ms, err);
  if (!checks) {
    wc_gen_free(gen);
    return -1;
  }
  char *body_ptr = wc_spec_request_schema_pointer(spec, "PATCH", "/users/me", "application/json", NULL);
  wc_buf props;
  wc_buf_init(&props);
  if (body_ptr) wc_buf_printf(&props, "%s/properties", body_ptr);
  free(body_ptr);
  const cJSON *body_properties = props.data ? wc_spec_get(spec, props.data, NULL) : NULL;
  wc_buf_free(&props);
  wc_campaign_env env = {
      .run = run,
      .ro = ro,
      .gen = gen,
      .checks = wc_run_checks_ctx(checks),
      .body_properties = body_properties,
      .topts = *wc_run_transport_opts(run),
      .allow_writes = ro->allow_writes,
      .allow_picture = ro->allow_picture_writes || ro->embedded,
  };
  /* --rate is for the whole campaign: each worker gets its share. The
   * transport's own default (5/s to a remote host) is per transport too. */
  unsigned workers = o.workers ? o.workers : default_workers(ro);
  if (workers > 1 && env.topts.rate != 0) {
    double total = env.topts.rate > 0 ? env.topts.rate : (wc_url_is_loopback(ro->base_url) ? 0 : 5.0);
    env.topts.rate = total > 0 ? total / workers : env.topts.rate;
  }
  double t0 = wc_monotonic_ms();
  if (o.duration_s > 0) env.deadline_ms = t0 + o.duration_s * 1000.0;

  wc_campaign_stats stats;
  memset(&stats, 0, sizeof stats);
  progress_state ps = {.opts = &o, .stats = &stats, .t0_ms = t0, .deadline_ms = env.deadline_ms};
  int rc = 0;
  static const unsigned order[] = {WC_PHASE_COVERAGE, WC_PHASE_FUZZING, WC_PHASE_STATEFUL};
  for (size_t i = 0; rc == 0 && i < sizeof order / sizeof order[0]; i++) {
    if (!(o.phases & order[i]) || wc_run_stopped(run)) continue;
    rc = run_phase(&env, &o, order[i], &ps, err);
  }
  if (stats_out) *stats_out = stats;
  wc_run_checks_free(checks);
  wc_gen_free(gen);
  return rc;
}
