/* The campaign's private parts, shared by campaign*.c only.
 *
 * campaign.c          options, phase order, the source each phase becomes
 * campaign_oracle.c   the oracles of a generated exchange (and echo)
 * campaign_collect.c  counts, de-duplicated findings, kept exchanges
 * campaign_send.c     one generated request: build, send, judge, collect
 * campaign_pool.c     the workers of the coverage and fuzzing phases
 * campaign_shrink.c   shrinking each distinct finding by re-sending
 * campaign_stateful.c sequences of updates checked against a model */
#ifndef WC_CAMPAIGN_INTERNAL_H
#define WC_CAMPAIGN_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "whopconf/campaign.h"
#include "whopconf/checks.h"
#include "whopconf/gen.h"
#include "whopconf/transport.h"

#define WC_CAMPAIGN_BODY_CAP ((size_t)64 << 10) /* bodies of failures in the report are cut here */
/* Bodies of warnings are cut here: a fault-free server can answer hundreds
 * of distinct warnings (a 413 per length class) and each keeps its exchange. */
#define WC_CAMPAIGN_WARN_BODY_CAP ((size_t)4 << 10)
#define WC_CAMPAIGN_MAX_FINDINGS 1000           /* distinct findings kept per phase */

/* ---- oracles ------------------------------------------------------------ */

/* The generic checks of `run` plus the generated-input oracles on one
 * exchange: negative -> exactly 400 with an envelope (WC-ERR-004, or
 * WC-VER-002/003 for Api-Version-Date), positive -> 2xx (WC-UPD-005; a 400
 * or 413 with an envelope is a warning), and echo (WC-UPD-001). A 5xx is
 * left to WC-TR-001 alone. */
void wc_campaign_judge(const wc_check_ctx *ctx, const cJSON *body_properties, const wc_gen_request *req,
                       const wc_sent *sent, const wc_response *r, wc_observations *obs);

/* Echo of one string member: 0 equal, 1 differs only by a normalization the
 * contract leaves open (edge whitespace, composed vs decomposed marks),
 * 2 differs otherwise. */
int wc_campaign_echo_compare(const char *sent, const char *got);

/* ---- the collector -------------------------------------------------------- */

typedef struct wc_collect wc_collect;

wc_collect *wc_collect_new(void);
void wc_collect_free(wc_collect *col);

/* One exchange of request index (lower wins among duplicates). obs are its
 * observations; x may be NULL (not sent). Thread-safe. Returns the number
 * of failed or warned observations. */
size_t wc_collect_exchange(wc_collect *col, uint64_t index, const wc_gen_request *req,
                           const wc_exchange *x, const wc_observations *obs);
size_t wc_collect_finding_count(wc_collect *col);

/* The distinct findings in index order (deterministic), for the shrinker. */
typedef struct wc_collect_finding {
  const char *requirement;
  wc_obs_status status;
  long http_status;
  uint64_t index;   /* of the original (lowest) in the phase's stream */
  bool shrinkable;  /* a failure of a generated request, which index regenerates */
} wc_collect_finding;
const wc_collect_finding *wc_collect_finding_get(wc_collect *col, size_t index);
/* Records the shrinking of finding index: the minimal request's exchange
 * (NULL when nothing smaller failed the same way), steps and requests. */
void wc_collect_shrunk(wc_collect *col, size_t index, const wc_gen_request *minimal,
                       const wc_exchange *minimal_x, size_t steps, size_t requests);
/* Observations, not tied to a request of the stream (the stateful phase):
 * like wc_collect_exchange with the model's location. */
size_t wc_collect_model(wc_collect *col, uint64_t index, const char *location, const char *edge,
                        const char *description, const wc_exchange *x, const wc_observations *obs);

/* What a phase sent, counted by its senders. */
typedef struct wc_phase_counts {
  _Atomic uint64_t sent, skipped, positive, refused, transport_failures;
  _Atomic uint64_t settled; /* last writes sent again after overlapping workers */
} wc_phase_counts;

/* The source document of the phase (runner.h, wc_run_add_source). The
 * kept exchanges move into it: call it once, at the end of the phase. */
cJSON *wc_collect_source(wc_collect *col, const char *phase, const wc_phase_counts *counts);

/* ---- sending ---------------------------------------------------------------- */

/* What every sender shares (read-only during a phase). */
typedef struct wc_campaign_env {
  wc_run *run;
  const wc_run_opts *ro;
  const wc_gen *gen;
  const wc_check_ctx *checks;
  /* The request-body schema's properties: the members echo compares (an
   * unknown member may be accepted and ignored). */
  const cJSON *body_properties;
  wc_transport_opts topts; /* rate divided between the workers */
  bool allow_writes;
  bool allow_picture;
  double deadline_ms; /* 0 = none */
} wc_campaign_env;

typedef struct wc_send_result {
  bool sent;
  bool transport_failed;
  long http_status;
  wc_exchange *x;       /* owned by the caller when sent */
  wc_observations *obs; /* owned by the caller when sent */
} wc_send_result;

/* True when req may be sent under the run's write opt-in (a positive
 * request writes; profile_picture cannot be restored). */
bool wc_campaign_sendable(const wc_campaign_env *env, const wc_gen_request *req);
/* Builds, sends and judges req on t. */
int wc_campaign_send(const wc_campaign_env *env, wc_transport *t, const wc_gen_request *req,
                     wc_send_result *out);
void wc_send_result_clear(wc_send_result *res);

/* ---- phases -------------------------------------------------------------- */

typedef enum { WC_STREAM_COVERAGE, WC_STREAM_RANDOM } wc_stream_kind;

/* Request index of a phase's stream: a pure function of (kind, seed, index),
 * so workers, shards and the shrinker all get the same request. */
wc_gen_request *wc_campaign_generate(const wc_gen *gen, wc_stream_kind kind, uint64_t seed, uint64_t index);

typedef struct wc_pool_opts {
  wc_stream_kind kind;
  uint64_t count;  /* stream positions of this shard */
  uint64_t seed;
  unsigned shard_index, shard_count; /* 0-based index, count >= 1 */
  unsigned workers;
  void (*progress)(void *ctx, uint64_t done);
  void *progress_ctx;
} wc_pool_opts;

/* Runs a stream through the workers into col. */
int wc_campaign_pool(const wc_campaign_env *env, const wc_pool_opts *po, wc_collect *col,
                     wc_phase_counts *counts, wc_err *err);

/* Shrinks every distinct failure of col (sequentially, in order), each
 * from its original regenerated from the stream (kind, seed) by index.
 * Returns the requests sent. */
uint64_t wc_campaign_shrink_all(const wc_campaign_env *env, wc_collect *col, wc_stream_kind kind, uint64_t seed,
                                size_t budget, wc_phase_counts *counts);

/* The stateful phase: steps sequential updates. */
int wc_campaign_stateful(const wc_campaign_env *env, uint64_t seed, uint64_t steps, wc_collect *col,
                         wc_phase_counts *counts, wc_err *err);

/* splitmix64 of (seed, index): the campaign's only source of randomness. */
uint64_t wc_campaign_mix(uint64_t seed, uint64_t index);

#endif
