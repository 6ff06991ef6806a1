/* whopconf: the conformance run.
 *
 * Two sides:
 *  - the parent (`whopconf run`): wc_run_new writes the run context into a
 *    private directory (0700; the context file is 0600 and holds no
 *    credential: those travel to the Criterion workers in the environment),
 *    wc_run_setup takes the snapshot of the profiles and writes the journal,
 *    the CLI runs the Criterion cases, wc_run_teardown restores, and
 *    wc_run_report aggregates every case's result file into report.json;
 *  - a case (a Criterion worker, re-executed by BoxFort from the same
 *    binary): wc_case_open reads the context named by WHOPCONF_RUN_CTX,
 *    wc_case_send sends, records and runs the generic checks, and
 *    wc_case_close writes the case's observations and exchanges into the run
 *    directory.
 * The library never prints: messages come back in wc_err or wc_buf. */
#ifndef WHOPCONF_RUNNER_H
#define WHOPCONF_RUNNER_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "whopconf/checks.h"
#include "whopconf/common.h"
#include "whopconf/request.h"
#include "whopconf/response.h"
#include "whopconf/spec.h"
#include "whopconf/transport.h"

#define WC_RUN_MAX_LIST 32 /* --known-version, --account-id, --only */

/* Environment variables: credentials (read by the CLI, set for the workers)
 * and the path of the run context (set by the parent for the workers). */
#define WC_ENV_TOKEN "WHOPCONF_TOKEN"
#define WC_ENV_API_KEY "WHOPCONF_API_KEY"
#define WC_ENV_TOKEN_WITHOUT_SCOPE "WHOPCONF_TOKEN_WITHOUT_SCOPE"
#define WC_ENV_RUN_CTX "WHOPCONF_RUN_CTX"

typedef struct wc_run_opts {
  const char *base_url; /* the target (the CLI starts the embedded server when none is given) */
  bool embedded;        /* base_url is the embedded reference server */
  const char *token, *api_key, *token_without_scope; /* NULL = not given */
  const char *account_ids[WC_RUN_MAX_LIST];
  size_t account_count;
  bool allow_writes;
  bool allow_picture_writes; /* profile_picture cannot be restored: explicit opt-in */
  const char *picture_id;    /* upload id for the picture case */
  const char *api_version;   /* pinned; NULL = the newest known */
  const char *known_versions[WC_RUN_MAX_LIST];
  size_t known_count; /* 0 = the public list */
  const char *spec_path; /* NULL = embedded */
  const char *report_dir;
  bool strict;
  const char *only[WC_RUN_MAX_LIST];
  size_t only_count;
  uint64_t seed;
  long timeout_ms, connect_timeout_ms;
  size_t max_body;
  const char *cacert;
  bool insecure, allow_http;
  wc_http_client http_client; /* --http-client: who carries http:// (default auto) */
  double rate;  /* < 0 = the transport's default */
  int retries;  /* < 0 = the transport's default */
  double max_response_ms; /* 0 = no budget */
  bool keep_going;
  const char *command_line; /* for the report (credentials already removed) */
} wc_run_opts;

void wc_run_opts_default(wc_run_opts *opts);

/* ---- policy (runner_policy.c), for every command that sends -------------- */

/* Fills what the options left open: credentials not given from their
 * environment variables, the connect timeout capped by the whole-request
 * timeout, and the pinned version (the newest known when none is given).
 * -1 (err WC_E_USAGE) when the pinned version is not a known one. */
int wc_run_opts_resolve(wc_run_opts *opts, wc_err *err);

struct wc_refserver;

/* The target. Without opts->base_url: starts the embedded reference server
 * on 127.0.0.1 (knowing opts' versions) and points opts at it, with its own
 * credentials, two accounts (when none is given), writes allowed and, with
 * allow_picture_writes, a picture id; *server is then the caller's to stop
 * (wc_refserver_stop) once the run is over, and opts->base_url lives as
 * long as it. With a base_url: *server is NULL and the URL is checked: -1
 * with WC_E_USAGE when whopconf cannot send to it, WC_E_REFUSED when it is
 * plain http:// to a non-loopback host without allow_http (credentials
 * would travel in clear). -1 with WC_E_TRANSPORT when the embedded server
 * cannot start. */
int wc_run_target_open(wc_run_opts *opts, struct wc_refserver **server, wc_err *err);

/* ---- selection (--only) -------------------------------------------------- */

/* declared: the case's requirement ids separated by spaces (its Criterion
 * description). A case runs when nothing is selected, when its name is
 * selected, when one of its requirements is, or when a generic requirement
 * (checked on every response) is. */
bool wc_run_case_selected(const wc_run_opts *opts, const char *case_name, const char *declared);
bool wc_run_requirement_selected(const wc_run_opts *opts, const char *id);

/* ---- the parent ------------------------------------------------------------ */

typedef struct wc_run wc_run;

wc_run *wc_run_new(const wc_run_opts *opts, const wc_spec *spec, wc_err *err);
/* Removes the private directory (result files included). */
void wc_run_free(wc_run *run);
/* Only removes the private directory (idempotent; for an exit path that
 * cannot free, such as the signal thread). */
void wc_run_remove_files(wc_run *run);
const char *wc_run_dir(const wc_run *run);
const char *wc_run_journal_path(const wc_run *run); /* NULL for the embedded server */

/* A journal left by an interrupted run against the same target: restores
 * the profiles it holds and removes it. Returns 1 (restored; message says
 * what), 0 (none found) or -1 (err set: unreadable, or another live run). */
int wc_run_recover_journal(wc_run *run, wc_buf *message, wc_err *err);

/* Checks the target answers and, with the token, snapshots the global
 * profile and each account's view (PATCH {}), writes it for the workers into
 * the private run directory and writes the journal. -1 with
 * err->code WC_E_TRANSPORT when the target cannot be reached (exit 3). */
int wc_run_setup(wc_run *run, wc_err *err);

/* Puts back name/bio/username where they differ from the snapshot, removes
 * the journal. Safe to call twice and from another thread (the second call
 * waits for the first and does nothing). Returns 0, or -1 when something
 * could not be restored (message says what). */
int wc_run_teardown(wc_run *run, wc_buf *message);

/* For a source that wrote outside a case (a generated phase): reads every
 * profile of the snapshot and puts name, bio and username back where they
 * differ, as wc_case_close does for a writing case; the requests are the
 * exchanges of a case "<source>-put-back", reported right after the source.
 * What cannot be put back is left to wc_run_teardown, which reports it. 0,
 * or -1 when a profile could not be read or written. */
int wc_run_put_back(wc_run *run, const char *source);

/* Async-signal-safe: marks the run as stopped (workers stop sending). */
void wc_run_request_stop(wc_run *run, const char *reason);

/* The CLI tells the run which cases it runs, and how each ended. */
int wc_run_add_case(wc_run *run, const char *case_name, const char *declared);
void wc_run_case_ended(wc_run *run, const char *case_name, bool crashed, bool timed_out,
                       double elapsed_ms);

typedef struct wc_case_summary {
  bool finished;           /* the case wrote its result file */
  wc_obs_status verdict;   /* worst: fail > warn > pass > skip */
  double ms;
  size_t exchanges;
  char reason[200];        /* of the worst observation */
} wc_case_summary;

/* Reads the case's result file. 0, or -1 when it has none. */
int wc_run_case_summary(const wc_run *run, const char *case_name, wc_case_summary *out);

/* Aggregates every result into report.json (report.h). *exit_code gets
 * 0, 1 or 3 (see docs/run.md). Caller frees. */
cJSON *wc_run_report(wc_run *run, int *exit_code, wc_err *err);

/* The slowest cases of the run (for the summary), "name ms" pairs. */
size_t wc_run_slowest(const wc_run *run, const char **names, double *ms, size_t max);

/* "2026-11-27T12:00:00.123Z" for now (wall clock). */
void wc_now_iso(char out[32]);

/* ---- sources besides the Criterion cases (the generated phases) ----------- */

/* The options the run was made with (defaults filled in by the CLI). */
const wc_run_opts *wc_run_options(const wc_run *run);
/* The transport options of the run (timeouts, TLS, rate, retries). */
const wc_transport_opts *wc_run_transport_opts(const wc_run *run);
/* The known versions in force (the public list when none was given) and the
 * pinned one. */
size_t wc_run_known_count(const wc_run *run);
const char *wc_run_known(const wc_run *run, size_t index);
const char *wc_run_api_version(const wc_run *run);
/* True once the run is stopped (signal, first transport failure). */
bool wc_run_stopped(const wc_run *run);

/* The context of the generic checks for the run's spec and versions:
 * compiled once, read by any number of threads. */
typedef struct wc_run_checks wc_run_checks;
wc_run_checks *wc_run_checks_new(const wc_spec *spec, const char *api_version,
                                 const char *const *known, size_t known_count,
                                 double max_response_ms, wc_err *err);
const wc_check_ctx *wc_run_checks_ctx(const wc_run_checks *checks);
void wc_run_checks_free(wc_run_checks *checks);

/* Adds a source of observations and exchanges to the report, in the format
 * of a case's result file: {"case": name, "observations": [...],
 * "exchanges": [{..., "seq": 1}, ...], "positive": N, "refused": N,
 * "transport_failures": N}. An observation may carry "count": N (N
 * observations with the same outcome, e.g. passes summed up by a generated
 * phase). Sources are reported after the Criterion cases, in name order. */
int wc_run_add_source(wc_run *run, const char *name, const cJSON *doc, wc_err *err);

/* ---- a case (in a worker) -------------------------------------------------- */

typedef struct wc_case wc_case;

enum {
  /* Changes the profile: runs alone (exclusive lock), and wc_case_close puts
   * the profile back before releasing the lock. */
  WC_CASE_WRITES = 1 << 0,
};

/* Opens the case from the run context in the environment. NULL (err set)
 * when this process is not part of a run. */
wc_case *wc_case_open(const char *name, const char *declared, unsigned flags, wc_err *err);
/* Writes the result file and frees everything (responses included).
 * A WC_CASE_WRITES case that sent a request able to write first reads every
 * profile of the run's snapshot (the global one first, then each
 * --account-id) and puts name, bio and username back where they differ,
 * while it still holds the exclusive lock; those requests are exchanges of
 * the case. A stopped case sends nothing more: the end-of-run restore
 * (wc_run_teardown) and the journal cover it, and report what cannot be put
 * back (profile_picture, a field that was null). */
int wc_case_close(wc_case *c, wc_err *err);

enum { WC_CRED_TOKEN = 1 << 0, WC_CRED_API_KEY = 1 << 1, WC_CRED_NO_SCOPE = 1 << 2 };

/* True when every credential asked for was given; otherwise records a skip
 * (with the reason) for every declared requirement still unobserved and
 * returns false. */
bool wc_case_need(wc_case *c, unsigned credentials);
/* The same for one requirement of the case: records a skip for it alone. */
bool wc_case_need_for(wc_case *c, unsigned credentials, const char *requirement);
/* True when writes are allowed; else records skips and returns false. */
bool wc_case_need_writes(wc_case *c);
/* Records a skip for every declared requirement not observed yet. */
void wc_case_skip_rest(wc_case *c, const char *fmt, ...) WC_PRINTF(2, 3);

const char *wc_case_credential(const wc_case *c, unsigned which); /* NULL = not given */
const char *wc_case_api_version(const wc_case *c);
size_t wc_case_known_count(const wc_case *c);
const char *wc_case_known(const wc_case *c, size_t index);
size_t wc_case_account_count(const wc_case *c);
const char *wc_case_account(const wc_case *c, size_t index);
bool wc_case_embedded(const wc_case *c);
bool wc_case_picture_writes(const wc_case *c);
const char *wc_case_picture_id(const wc_case *c);
const wc_check_ctx *wc_case_checks(const wc_case *c);
wc_observations *wc_case_obs(wc_case *c);

/* Deterministic per case and seed: the same seed gives the same values. */
uint64_t wc_case_random(wc_case *c);
/* prefix + 8 lowercase hex digits from wc_case_random. */
void wc_case_random_token(wc_case *c, const char *prefix, char *out, size_t size);

enum {
  WC_SEND_POSITIVE = 1 << 0, /* made with the token and expected to succeed:
                                counts towards "credentials refused" */
};

/* Sends desc (base_url filled in when NULL), records the exchange, runs
 * wc_check_response and fills sent (for the expectation checks). Returns
 * the response (owned by the case until close), or NULL when nothing more
 * should be sent: the transfer failed (the run is then stopped unless
 * --keep-going) or the run was stopped. what: a short description used in
 * reasons ("PATCH {} pinned to 2026-07-01"). */
const wc_response *wc_case_send(wc_case *c, const wc_request_desc *desc, const char *what,
                                unsigned flags, wc_sent *sent);
/* True once the case must stop sending. */
bool wc_case_stopped(wc_case *c);

#endif
