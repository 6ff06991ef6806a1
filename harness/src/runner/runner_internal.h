/* The run's private parts, shared by runner*.c only.
 *
 * runner.c          options, selection, the run directory and context file
 * runner_case.c     a case: open, send + record + check, close (result file)
 * runner_journal.c  snapshot, journal, restore, recovery of an old journal
 * runner_policy.c   what the options mean: pinned version, the target
 * runner_result.c   aggregation of the result files into report.json */
#ifndef WC_RUNNER_INTERNAL_H
#define WC_RUNNER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "whopconf/runner.h"
#include "whopconf/transport.h"

#define WC_RUN_BODY_CAP ((size_t)64 << 10) /* bodies in report.json are cut here */
#define WC_RUN_RESULTS "results"
#define WC_RUN_ABORT "stop"
#define WC_RUN_STOP_POLL_MS 2
#define WC_RUN_LOCK "state.lock"
#define WC_RUN_CTX_FILE "context.json"
/* The snapshot of the profiles, for the workers: an update case puts the
 * profile back from it before it releases the state lock. */
#define WC_RUN_SNAPSHOT "snapshot.json"

/* Cases the parent runs itself, in report order around the Criterion ones. */
#define WC_CASE_RECOVER "recover"
#define WC_CASE_SETUP "setup"
#define WC_CASE_PUT_BACK_SUFFIX "-put-back" /* after a source's name (wc_run_put_back) */
#define WC_CASE_TEARDOWN "teardown"

/* What a case needs to know about the run: written by the parent into the
 * context file (without credentials), read back by each worker (credentials
 * from the environment). */
typedef struct wc_run_ctx {
  char *base_url;
  bool embedded;
  char *token, *api_key, *token_without_scope;
  char *accounts[WC_RUN_MAX_LIST];
  size_t account_count;
  char *known[WC_RUN_MAX_LIST];
  size_t known_count;
  char *api_version;
  bool allow_writes, allow_picture_writes;
  char *picture_id;
  char *spec_path; /* NULL = embedded */
  char *run_dir;
  uint64_t seed;
  wc_transport_opts topts; /* cacert points into cacert below */
  char *cacert;
  double max_response_ms;
  bool keep_going;
} wc_run_ctx;

wc_run_ctx *wc_run_ctx_from_opts(const wc_run_opts *opts, const char *run_dir);
cJSON *wc_run_ctx_to_json(const wc_run_ctx *ctx); /* no credential */
wc_run_ctx *wc_run_ctx_from_json(const cJSON *json, wc_err *err);
void wc_run_ctx_free(wc_run_ctx *ctx);

/* A case opened in-process by the parent (setup, teardown, recover): it
 * borrows ctx and spec and ignores the stop marker when ignore_stop. */
wc_case *wc_case_open_in(wc_run_ctx *ctx, const wc_spec *spec, const char *name,
                         const char *declared, unsigned flags, bool ignore_stop, wc_err *err);

/* Why the case stopped sending, else its last transport failure ("" when
 * neither). */
const char *wc_case_stop_reason_internal(const wc_case *c);

/* runner_journal.c: called by wc_case_close of a WC_CASE_WRITES case that
 * wrote, still under the exclusive state lock. Reads every profile of the
 * run's snapshot file again and puts back name, bio and username where they
 * differ, as exchanges of the case itself; what cannot be put back (a null,
 * the picture, a stopped case) is left to the end-of-run restore, which
 * reports it. 0 when the profiles are as found (or there is no snapshot),
 * -1 otherwise. */
int wc_case_put_back(wc_case *c, const wc_run_ctx *ctx);

typedef struct wc_profile_snapshot {
  char *account_id; /* NULL = the global profile */
  cJSON *user;      /* the fields that matter: name, bio, username, profile_picture */
} wc_profile_snapshot;

typedef struct wc_run_case_entry {
  char *name;
  char *declared;
  bool crashed, timed_out, ended;
  double elapsed_ms;
} wc_run_case_entry;

struct wc_run {
  wc_run_opts opts; /* strings borrowed from the CLI */
  wc_run_ctx *ctx;
  const wc_spec *spec;
  char *dir;          /* private run directory */
  char *ctx_path;
  char *stop_path;    /* precomputed for the signal handler */
  /* The stop as this process knows it: set by wc_run_request_stop (also
   * from a signal handler: a lock-free atomic) and by wc_run_stopped when
   * the marker file appears (a case process may write it). The file is
   * looked at no more often than every WC_RUN_STOP_POLL_MS: the workers ask
   * before every request, and an access() each time was 5% of a fuzz run's
   * CPU. */
  _Atomic bool stop_seen;
  _Atomic long long stop_next_check_us; /* monotonic */
  char *journal_path; /* NULL for the embedded server */
  char started_at[32];
  double t0_ms;
  wc_profile_snapshot snaps[WC_RUN_MAX_LIST + 1];
  size_t snap_count;
  bool setup_failed;
  char setup_reason[512];
  pthread_mutex_t teardown_lock;
  bool torn_down;
  wc_run_case_entry *cases;
  size_t case_count, case_cap;
};

#endif
