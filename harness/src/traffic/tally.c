/* The tally: verdicts of any number of exchanges folded into report.json in
 * memory that does not grow with the traffic.
 *
 * Each exchange is one source of the report assembly (assemble.h), which
 * does the folding with its caps: per requirement counts, the first reason
 * of each kind, at most 50 findings and 5 exchange ids. Of the exchanges the
 * tally builds the records of the first `keep` judged ones that failed or
 * warned and of the first few that passed (so evidence ids resolve); the
 * rest are numbered and counted. Judging and building a record run outside
 * the lock, so proxy threads judge in parallel; only the fold is
 * serialised. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "traffic_internal.h"
#include "whopconf/assemble.h"

#define KEEP_PASSING 20
#define MAX_NOTES 50
#define BODY_CAP ((size_t)64 << 10)

struct wc_tally {
  pthread_mutex_t lock;
  const wc_judge *judge;
  wc_tally_info info;
  wc_assembly *assembly;
  cJSON *unrecorded; /* [null]: one exchange, numbered and counted, no record */
  cJSON *notes;
  size_t kept_failing, kept_passing, left_out, notes_left_out;
  wc_tally_counts counts;
  char started_at[32];
  double t0_ms; /* monotonic */
};

wc_tally *wc_tally_new(const wc_judge *judge, const wc_tally_info *info, wc_err *err) {
  wc_tally *t = calloc(1, sizeof *t);
  if (!t) goto nomem;
  t->judge = judge;
  t->info = *info;
  if (!t->info.keep_exchanges) t->info.keep_exchanges = 200;
  t->assembly = wc_assembly_new(err);
  if (!t->assembly) {
    free(t);
    return NULL;
  }
  wc_assembly_set_caps(t->assembly, &(wc_assembly_caps){.exchanges = t->info.keep_exchanges + KEEP_PASSING,
                                                        .sides = true});
  if (wc_assembly_unobserved_reason(t->assembly, NULL, "not observed in this traffic", err) != 0) goto fail;
  t->unrecorded = cJSON_CreateArray();
  t->notes = cJSON_CreateArray();
  if (!t->unrecorded || !t->notes || !cJSON_AddItemToArray(t->unrecorded, cJSON_CreateNull())) goto nomem;
  pthread_mutex_init(&t->lock, NULL);
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(t->started_at, sizeof t->started_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
  t->t0_ms = wc_monotonic_ms();
  return t;
nomem:
  wc_err_set(err, WC_E_NOMEM, "out of memory");
fail:
  if (t) {
    wc_assembly_free(t->assembly);
    cJSON_Delete(t->unrecorded);
    cJSON_Delete(t->notes);
    free(t);
  }
  return NULL;
}

void wc_tally_free(wc_tally *t) {
  if (!t) return;
  wc_assembly_free(t->assembly);
  cJSON_Delete(t->unrecorded);
  cJSON_Delete(t->notes);
  pthread_mutex_destroy(&t->lock);
  free(t);
}

static void note_locked(wc_tally *t, const char *source, const char *why) {
  if (cJSON_GetArraySize(t->notes) >= MAX_NOTES) {
    t->notes_left_out++;
    return;
  }
  char line[600];
  snprintf(line, sizeof line, "%s: %s", source ? source : "?", why ? why : "");
  cJSON_AddItemToArray(t->notes, cJSON_CreateString(line));
}

/* The exchange's record (credentials redacted), as the assembly takes it:
 * in an array of one. */
static cJSON *record(const wc_wire_exchange *x, const char *fallback_time) {
  wc_exchange *rec = wc_exchange_from_wire(x);
  cJSON *j = rec ? wc_exchange_to_json(rec, "x1", BODY_CAP) : NULL;
  wc_exchange_free(rec);
  cJSON *one = j ? cJSON_CreateArray() : NULL;
  if (!one) {
    cJSON_Delete(j);
    return NULL;
  }
  cJSON_DeleteItemFromObjectCaseSensitive(j, "started_at");
  cJSON_AddStringToObject(j, "started_at", x->started_at && *x->started_at ? x->started_at : fallback_time);
  cJSON_AddItemToArray(one, j);
  return one;
}

int wc_tally_add(wc_tally *t, const wc_wire_exchange *x, const char *source, wc_verdict *verdict) {
  wc_verdict local;
  if (!verdict) verdict = &local;
  pthread_mutex_lock(&t->lock);
  bool room_failing = t->kept_failing < t->info.keep_exchanges, room_passing = t->kept_passing < KEEP_PASSING;
  pthread_mutex_unlock(&t->lock);
  wc_observations *obs = wc_observations_new();
  wc_observations_omit_pass_reasons(obs); /* the report counts passes */
  /* One exchange per source: its observations refer to exchange 1. */
  if (!obs || wc_judge_exchange(t->judge, x, 1, obs, verdict) != 0) {
    wc_observations_free(obs);
    return -1;
  }
  bool violating = verdict->request_failures || verdict->response_failures || verdict->warnings;
  bool no_response = verdict->judged && x->status <= 0;
  /* A record is built only where its kind still has room: conforming
   * traffic past the first few costs the judging alone. */
  bool room = (violating || no_response) ? room_failing : room_passing;
  cJSON *rec = verdict->judged && room ? record(x, t->started_at) : NULL;

  pthread_mutex_lock(&t->lock);
  wc_tally_counts *c = &t->counts;
  c->exchanges++;
  bool keep = false;
  if (!verdict->judged) {
    c->other++;
  } else {
    c->judged++;
    if (verdict->request_failures) c->request_violations++;
    if (verdict->response_failures) c->response_violations++;
    if (!verdict->request_failures && !verdict->response_failures) c->conformant++;
    if (no_response) {
      c->failed++;
      char xid[32]; /* every exchange is one source of one: the count is its number */
      snprintf(xid, sizeof xid, "x%zu", c->exchanges);
      note_locked(t, source ? source : xid, x->error && *x->error ? x->error : "no response");
    }
    keep = rec && ((violating || no_response) ? t->kept_failing < t->info.keep_exchanges
                                              : t->kept_passing < KEEP_PASSING);
    if (!keep) t->left_out++;
    else if (violating || no_response) t->kept_failing++;
    else t->kept_passing++;
  }
  int rc = wc_assembly_add_source(t->assembly, source, obs, keep ? rec : t->unrecorded, NULL);
  pthread_mutex_unlock(&t->lock);
  cJSON_Delete(rec);
  wc_observations_free(obs);
  return rc;
}

void wc_tally_unreadable(wc_tally *t, const char *source, const char *why) {
  pthread_mutex_lock(&t->lock);
  t->counts.unreadable++;
  note_locked(t, source, why);
  pthread_mutex_unlock(&t->lock);
}

void wc_tally_counts_get(wc_tally *t, wc_tally_counts *out) {
  pthread_mutex_lock(&t->lock);
  *out = t->counts;
  pthread_mutex_unlock(&t->lock);
}

/* ---- report.json ------------------------------------------------------------ */

/* run.traffic: what the assembly does not know (the tally's counts). */
static void add_traffic_object(cJSON *run, const wc_tally *t) {
  cJSON *tr = cJSON_AddObjectToObject(run, "traffic");
  if (!tr) return;
  const wc_tally_counts *c = &t->counts;
  cJSON_AddStringToObject(tr, "command", t->info.command ? t->info.command : "check");
  cJSON_AddStringToObject(tr, "base_path", wc_judge_base_path(t->judge));
  cJSON_AddNumberToObject(tr, "exchanges", (double)c->exchanges);
  cJSON_AddNumberToObject(tr, "judged", (double)c->judged);
  cJSON_AddNumberToObject(tr, "other", (double)c->other);
  cJSON_AddNumberToObject(tr, "unreadable", (double)c->unreadable);
  cJSON_AddNumberToObject(tr, "conformant", (double)c->conformant);
  cJSON_AddNumberToObject(tr, "request_violations", (double)c->request_violations);
  cJSON_AddNumberToObject(tr, "response_violations", (double)c->response_violations);
  cJSON_AddNumberToObject(tr, "no_response", (double)c->failed);
  cJSON_AddNumberToObject(tr, "exchanges_left_out", (double)t->left_out);
  cJSON_AddItemToObject(tr, "notes", cJSON_Duplicate(t->notes, 1));
  if (t->notes_left_out) cJSON_AddNumberToObject(tr, "notes_left_out", (double)t->notes_left_out);
}

cJSON *wc_tally_report(wc_tally *t, int *exit_code, wc_err *err) {
  size_t known_count = wc_judge_known_count(t->judge);
  const char *known[WC_TRAFFIC_MAX_VERSIONS];
  for (size_t i = 0; i < known_count && i < WC_TRAFFIC_MAX_VERSIONS; i++) known[i] = wc_judge_known(t->judge, i);
  pthread_mutex_lock(&t->lock);
  wc_report_meta meta = {
      .spec = t->info.spec,
      .base_url = t->info.target && *t->info.target ? t->info.target : "(none)",
      .api_version = wc_judge_api_version(t->judge),
      .known_versions = known,
      .known_count = known_count < WC_TRAFFIC_MAX_VERSIONS ? known_count : WC_TRAFFIC_MAX_VERSIONS,
      .started_at = t->started_at,
      .duration_ms = (double)(long long)(wc_monotonic_ms() - t->t0_ms),
      .strict = t->info.strict,
  }; /* whopconf was given no credentials: the traffic's own are never kept */
  cJSON *report = wc_assembly_snapshot(t->assembly, &meta, exit_code, err);
  if (report) add_traffic_object(cJSON_GetObjectItemCaseSensitive(report, "run"), t);
  pthread_mutex_unlock(&t->lock);
  return report;
}
