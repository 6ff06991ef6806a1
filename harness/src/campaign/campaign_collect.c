/* The collector of a phase: how many checks passed per requirement, the
 * distinct failures and warnings (one per requirement, status, location and
 * edge class, with a count), and the exchanges kept for them. Workers add
 * in any order; an entry keeps the lowest request index it was seen at, so
 * the result does not depend on the order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_internal.h"
#include "whopconf/assemble.h"
#include "whopconf/catalog.h"

typedef struct entry {
  const char *requirement; /* catalogue id (static) */
  wc_obs_status status;
  char *location, *edge, *description, *reason;
  uint64_t count, index;
  long http_status;
  cJSON *findings;  /* of the observation at index */
  cJSON *exchange;  /* at index */
  wc_gen_request *request;
  bool shrunk;
  cJSON *minimal_exchange;
  char *minimal_description;
  size_t steps, requests, original_size, minimal_size;
} entry;

typedef struct req_count {
  uint64_t pass, skip, skip_index;
  char *skip_reason; /* of the lowest index */
} req_count;

struct wc_collect {
  pthread_mutex_t lock;
  entry *items;
  size_t n, cap;
  uint64_t findings_left_out;
  req_count *reqs; /* catalogue order */
  wc_collect_finding *view;
};

wc_collect *wc_collect_new(void) {
  wc_collect *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->reqs = calloc(wc_catalog_count(), sizeof *c->reqs);
  if (!c->reqs) {
    free(c);
    return NULL;
  }
  pthread_mutex_init(&c->lock, NULL);
  return c;
}

static void entry_free(entry *e) {
  free(e->location);
  free(e->edge);
  free(e->description);
  free(e->reason);
  cJSON_Delete(e->findings);
  cJSON_Delete(e->exchange);
  cJSON_Delete(e->minimal_exchange);
  free(e->minimal_description);
  wc_gen_request_free(e->request);
}

void wc_collect_free(wc_collect *c) {
  if (!c) return;
  for (size_t i = 0; i < c->n; i++) entry_free(&c->items[i]);
  free(c->items);
  for (size_t i = 0; i < wc_catalog_count(); i++) free(c->reqs[i].skip_reason);
  free(c->reqs);
  free(c->view);
  pthread_mutex_destroy(&c->lock);
  free(c);
}

static size_t catalog_index(const char *id) {
  const wc_requirement *req = wc_catalog_find(id);
  return req ? (size_t)(req - wc_catalog_get(0)) : (size_t)-1;
}

/* req is the catalogue's own id pointer, as every entry's is. */
static entry *find(wc_collect *c, const char *req, wc_obs_status st, const char *loc, const char *edge) {
  for (size_t i = 0; i < c->n; i++) {
    entry *e = &c->items[i];
    if (e->status == st && e->requirement == req && strcmp(e->location, loc) == 0 &&
        strcmp(e->edge, edge) == 0)
      return e;
  }
  return NULL;
}

static cJSON *exchange_json(const wc_exchange *x, size_t body_cap) {
  if (!x) return NULL;
  cJSON *j = wc_exchange_to_json(x, NULL, body_cap);
  /* A body over the cap is cut in the report, so a command carrying the
   * whole of it (up to the generator's 1 MiB, per finding) would reproduce
   * what the report cannot show and hold that much memory per finding. */
  cJSON *req = cJSON_GetObjectItemCaseSensitive(j, "request");
  if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "body_truncated"))) {
    char note[160];
    snprintf(note, sizeof note, "# no reproduction: the request body is over the %zu KiB this report keeps",
             body_cap >> 10);
    cJSON_ReplaceItemInObjectCaseSensitive(j, "curl", cJSON_CreateString(note));
  }
  char now[32];
  wc_now_iso(now);
  if (j) cJSON_AddStringToObject(j, "started_at", now);
  return j;
}

/* Sets e to what was seen at index (the lowest so far). Under the lock. */
static void entry_set(entry *e, uint64_t index, const wc_observation *o, const char *description,
                      const wc_gen_request *req, const wc_exchange *x) {
  e->index = index;
  free(e->reason);
  e->reason = wc_strdup(o->reason ? o->reason : "");
  free(e->description);
  e->description = wc_strdup(description ? description : "");
  cJSON_Delete(e->findings);
  wc_observations *one = wc_observations_new();
  if (one) {
    wc_observation *copy = wc_observe(one, o->requirement, o->status, 1, "%s", o->reason ? o->reason : "");
    if (copy) wc_findings_copy(copy->findings, o->findings);
    cJSON *arr = wc_observations_to_json(one);
    e->findings = arr ? cJSON_DetachItemFromObjectCaseSensitive(cJSON_GetArrayItem(arr, 0), "findings") : NULL;
    cJSON_Delete(arr);
    wc_observations_free(one);
  }
  /* Only failures are shrunk (campaign_shrink.c): a warning's request (up
   * to the generator's 1 MiB) is not kept, its size is, and its exchange
   * with a shorter cut. */
  bool failure = wc_assembly_effective(o->requirement, o->status) == WC_OBS_FAIL;
  cJSON_Delete(e->exchange);
  e->exchange = exchange_json(x, failure ? WC_CAMPAIGN_BODY_CAP : WC_CAMPAIGN_WARN_BODY_CAP);
  e->http_status = x ? wc_exchange_http_status(x) : 0;
  wc_gen_request_free(e->request);
  e->request = NULL;
  e->original_size = req ? wc_gen_request_size(req) : 0;
  if (req && failure) e->request = wc_gen_request_copy(req);
}

static size_t collect(wc_collect *c, uint64_t index, const char *loc, const char *edge,
                      const char *description, const wc_gen_request *req, const wc_exchange *x,
                      const wc_observations *obs) {
  size_t bad = 0;
  pthread_mutex_lock(&c->lock);
  for (size_t i = 0; i < wc_observations_count(obs); i++) {
    const wc_observation *o = wc_observations_get(obs, i);
    size_t k = catalog_index(o->requirement);
    if (k == (size_t)-1) continue;
    if (o->status == WC_OBS_PASS) {
      c->reqs[k].pass++;
      continue;
    }
    if (o->status == WC_OBS_SKIP) {
      req_count *rc = &c->reqs[k];
      if (!rc->skip_reason || index < rc->skip_index) {
        free(rc->skip_reason);
        rc->skip_reason = wc_strdup(o->reason ? o->reason : "");
        rc->skip_index = index;
      }
      rc->skip++;
      continue;
    }
    bad++;
    entry *e = find(c, wc_catalog_get(k)->id, o->status, loc, edge);
    if (!e) {
      if (c->n == WC_CAMPAIGN_MAX_FINDINGS) {
        c->findings_left_out++;
        continue;
      }
      if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        entry *grown = realloc(c->items, cap * sizeof *grown);
        if (!grown) continue;
        c->items = grown;
        c->cap = cap;
      }
      e = &c->items[c->n++];
      memset(e, 0, sizeof *e);
      e->requirement = wc_catalog_get(k)->id;
      e->status = o->status;
      e->location = wc_strdup(loc);
      e->edge = wc_strdup(edge);
      entry_set(e, index, o, description, req, x);
    } else if (index < e->index) {
      entry_set(e, index, o, description, req, x);
    }
    e->count++;
  }
  pthread_mutex_unlock(&c->lock);
  return bad;
}

size_t wc_collect_exchange(wc_collect *c, uint64_t index, const wc_gen_request *req, const wc_exchange *x,
                           const wc_observations *obs) {
  return collect(c, index, wc_gen_request_target(req), wc_gen_request_edge_class(req),
                 wc_gen_request_description(req), req, x, obs);
}

size_t wc_collect_model(wc_collect *c, uint64_t index, const char *location, const char *edge,
                        const char *description, const wc_exchange *x, const wc_observations *obs) {
  return collect(c, index, location, edge, description, NULL, x, obs);
}

size_t wc_collect_finding_count(wc_collect *c) { return c->n; }

static int by_index(const void *a, const void *b) {
  const entry *x = a, *y = b;
  if (x->index != y->index) return x->index < y->index ? -1 : 1;
  int r = strcmp(x->requirement, y->requirement);
  return r ? r : (int)x->status - (int)y->status;
}

/* After the phase: entries in index order, the view for the shrinker. */
static void settle(wc_collect *c) {
  if (c->view || !c->n) return;
  qsort(c->items, c->n, sizeof *c->items, by_index);
  c->view = calloc(c->n, sizeof *c->view);
  for (size_t i = 0; c->view && i < c->n; i++)
    c->view[i] = (wc_collect_finding){.requirement = c->items[i].requirement,
                                      .status = c->items[i].status,
                                      .http_status = c->items[i].http_status,
                                      .request = c->items[i].request};
}

const wc_collect_finding *wc_collect_finding_get(wc_collect *c, size_t i) {
  settle(c);
  return c->view && i < c->n ? &c->view[i] : NULL;
}

void wc_collect_shrunk(wc_collect *c, size_t i, const wc_gen_request *minimal, const wc_exchange *minimal_x,
                       size_t steps, size_t requests) {
  settle(c);
  if (i >= c->n) return;
  entry *e = &c->items[i];
  e->shrunk = true;
  e->steps = steps;
  e->requests = requests;
  e->minimal_size = minimal ? wc_gen_request_size(minimal) : e->original_size;
  if (minimal_x && minimal) {
    e->minimal_exchange = exchange_json(minimal_x, WC_CAMPAIGN_BODY_CAP);
    e->minimal_description = wc_strdup(wc_gen_request_description(minimal));
  }
}

/* ---- the source document ------------------------------------------------------ */

static void add_exchange(cJSON *arr, cJSON *x, int seq) {
  cJSON *copy = cJSON_Duplicate(x, 1);
  if (!copy) return;
  cJSON_AddNumberToObject(copy, "seq", seq);
  cJSON_AddItemToArray(arr, copy);
}

static cJSON *observation(const char *req, const char *status, const char *reason, int exchange,
                          uint64_t count, cJSON *findings) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "requirement", req);
  cJSON_AddStringToObject(o, "status", status);
  cJSON_AddStringToObject(o, "reason", reason);
  cJSON_AddNumberToObject(o, "exchange", exchange);
  cJSON_AddNumberToObject(o, "count", (double)count);
  cJSON_AddItemToObject(o, "findings", findings ? findings : cJSON_CreateArray());
  return o;
}

cJSON *wc_collect_source(wc_collect *c, const char *phase, const wc_phase_counts *counts) {
  settle(c);
  cJSON *doc = cJSON_CreateObject();
  if (!doc) return NULL;
  cJSON *obs = cJSON_AddArrayToObject(doc, "observations");
  cJSON *xs = cJSON_AddArrayToObject(doc, "exchanges");
  cJSON *gen = cJSON_AddArrayToObject(doc, "generated");
  int seq = 0;
  for (size_t i = 0; i < c->n; i++) {
    entry *e = &c->items[i];
    int original = 0, minimal = 0;
    if (e->exchange) add_exchange(xs, e->exchange, original = ++seq);
    if (e->minimal_exchange) add_exchange(xs, e->minimal_exchange, minimal = ++seq);
    char reason[1024];
    snprintf(reason, sizeof reason, "%s [%s; %llu occurrence%s]", e->reason, phase,
             (unsigned long long)e->count, e->count == 1 ? "" : "s");
    cJSON_AddItemToArray(obs, observation(e->requirement, wc_obs_status_name(e->status), reason,
                                          minimal ? minimal : original, e->count,
                                          cJSON_Duplicate(e->findings, 1)));
    cJSON *g = cJSON_CreateObject();
    cJSON_AddStringToObject(g, "requirement", e->requirement);
    cJSON_AddStringToObject(g, "status", wc_obs_status_name(e->status));
    cJSON_AddStringToObject(g, "location", e->location);
    cJSON_AddStringToObject(g, "edge_class", e->edge);
    cJSON_AddStringToObject(g, "description", e->description);
    cJSON_AddStringToObject(g, "reason", e->reason);
    cJSON_AddNumberToObject(g, "count", (double)e->count);
    cJSON_AddNumberToObject(g, "http_status", (double)e->http_status);
    cJSON_AddNumberToObject(g, "original", original);
    cJSON_AddNumberToObject(g, "minimal", minimal);
    cJSON_AddBoolToObject(g, "shrunk", e->shrunk);
    cJSON_AddNumberToObject(g, "shrink_steps", (double)e->steps);
    cJSON_AddNumberToObject(g, "shrink_requests", (double)e->requests);
    cJSON_AddNumberToObject(g, "original_size", (double)e->original_size);
    cJSON_AddNumberToObject(g, "minimal_size", (double)e->minimal_size);
    if (e->minimal_description) cJSON_AddStringToObject(g, "minimal_description", e->minimal_description);
    cJSON_AddItemToArray(gen, g);
  }
  for (size_t k = 0; k < wc_catalog_count(); k++) {
    const req_count *rc = &c->reqs[k];
    const char *id = wc_catalog_get(k)->id;
    char reason[700];
    if (rc->pass) {
      snprintf(reason, sizeof reason, "%llu check%s on generated exchanges passed (%s)",
               (unsigned long long)rc->pass, rc->pass == 1 ? "" : "s", phase);
      cJSON_AddItemToArray(obs, observation(id, "pass", reason, 0, rc->pass, NULL));
    }
    if (rc->skip) {
      snprintf(reason, sizeof reason, "%s", rc->skip_reason ? rc->skip_reason : "not checked");
      cJSON_AddItemToArray(obs, observation(id, "skip", reason, 0, rc->skip, NULL));
    }
  }
  uint64_t sent = atomic_load(&counts->sent);
  cJSON_AddNumberToObject(doc, "requests", (double)sent);
  cJSON_AddNumberToObject(doc, "skipped_requests", (double)atomic_load(&counts->skipped));
  cJSON_AddNumberToObject(doc, "exchanges_left_out", (double)(sent > (uint64_t)seq ? sent - (uint64_t)seq : 0));
  cJSON_AddNumberToObject(doc, "findings_left_out", (double)c->findings_left_out);
  cJSON_AddNumberToObject(doc, "positive", (double)atomic_load(&counts->positive));
  cJSON_AddNumberToObject(doc, "refused", (double)atomic_load(&counts->refused));
  cJSON_AddNumberToObject(doc, "transport_failures", (double)atomic_load(&counts->transport_failures));
  if (atomic_load(&counts->settled))
    cJSON_AddNumberToObject(doc, "settled", (double)atomic_load(&counts->settled));
  return doc;
}
