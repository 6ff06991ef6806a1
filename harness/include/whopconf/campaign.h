/* whopconf: the generative campaign (`whopconf fuzz`, and the coverage phase
 * of `whopconf run`).
 *
 * Three phases over one run (runner.h: the run's snapshot, journal and
 * restore protect the profile):
 *   coverage  the generator's deterministic list (gen.h), every item once;
 *   fuzzing   the seeded random stream, index 0, 1, 2, ... until
 *             max_requests or the duration;
 *   stateful  random sequences of positive updates over the global profile
 *             and each account, checked against a model after every step.
 * Every exchange goes through the generic checks of `run` and the oracles
 * (negative input rejected with 400 + envelope, positive input accepted,
 * what was sent comes back). Failures and warnings are de-duplicated by
 * (requirement, status, location, edge class) with a count; each distinct
 * one is shrunk with the generator's shrinker, re-sending every candidate.
 * Each phase becomes a source of the run's report (wc_run_add_source) named
 * after the phase; only the exchanges of findings are kept (original and
 * minimal), the others are counted.
 *
 * Determinism: request i of a phase is a pure function of (seed, i); a
 * shard K/N takes the indexes i with i % N == K - 1, so N shards cover the
 * stream once between them. Findings keep their lowest index, so the same
 * seed and the same responses give the same report whatever the number of
 * workers. */
#ifndef WHOPCONF_CAMPAIGN_H
#define WHOPCONF_CAMPAIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "whopconf/common.h"
#include "whopconf/runner.h"
#include "whopconf/spec.h"

enum {
  WC_PHASE_COVERAGE = 1 << 0,
  WC_PHASE_FUZZING = 1 << 1,
  WC_PHASE_STATEFUL = 1 << 2,
  WC_PHASE_ALL = 7
};

/* "coverage,fuzzing,stateful", "all" or "none" -> bitmask; -1 (err set). */
int wc_campaign_phases_parse(const char *list, wc_err *err);

#define WC_CAMPAIGN_DEFAULT_MAX_REQUESTS 1000

typedef struct wc_campaign_stats {
  const char *phase;         /* the phase running ("coverage", ...) */
  uint64_t sent;             /* requests sent by the phases (shrinking included) */
  uint64_t skipped;          /* generated but not sent (writes not allowed) */
  uint64_t shrink_requests;  /* of sent: re-sent while shrinking */
  uint64_t coverage_count;   /* length of this shard's coverage list */
  size_t findings;           /* distinct failures and warnings so far */
  double elapsed_ms;
  double remaining_s;        /* < 0 when unknown */
} wc_campaign_stats;

typedef struct wc_campaign_opts {
  unsigned phases;         /* WC_PHASE_* */
  uint64_t max_requests;   /* fuzzing phase; 0 = the default (1000) */
  double duration_s;       /* 0 = no limit; the fuzzing and stateful phases stop there */
  uint64_t seed;
  unsigned workers;        /* 0 = the number of cores on loopback, 1 elsewhere */
  size_t shrink_budget;    /* requests per finding; 0 = the default (100) */
  bool no_shrink;
  unsigned shard_index;    /* K of K/N, 1-based; 0 = no sharding */
  unsigned shard_count;    /* N */
  size_t max_request_body; /* generator cap; 0 = 1 MiB */
  /* Called every ~200 ms from the calling thread while a phase runs. */
  void (*progress)(void *ctx, const wc_campaign_stats *stats);
  void *progress_ctx;
} wc_campaign_opts;

void wc_campaign_opts_default(wc_campaign_opts *opts);

/* Runs the selected phases against the run's target (after wc_run_setup)
 * and adds one source per phase to the run. Returns 0, or -1 (err set)
 * when the spec cannot drive the generator (WC_E_SPEC/WC_E_SCHEMA) or
 * memory runs out. A transport failure stops the run (wc_run_request_stop);
 * the report then says why. stats (may be NULL) gets the totals. */
int wc_campaign_run(wc_run *run, const wc_spec *spec, const wc_campaign_opts *opts,
                    wc_campaign_stats *stats, wc_err *err);

#endif
