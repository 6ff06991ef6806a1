/* The stateful phase: a seeded sequence of positive updates, each to the
 * global profile or to one --account-id, checked against a model of the
 * profile (the global fields, and per account which fields it overrides):
 * after every step the response and a read-back (`PATCH {}` is the read in
 * this API) of the same profile agree with the model -- sent fields
 * reflected, the others unchanged -- and a read of another profile shows
 * that the update did not leak there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_internal.h"

#define FIELD_COUNT 3
static const char *const fields[FIELD_COUNT + 1] = {"name", "bio", "username", NULL};

typedef enum { INHERITS = 0, OVERRIDES, UNKNOWN } field_state;

typedef struct profile {
  const char *account;        /* NULL = global */
  cJSON *view;                /* what a read should show: name, bio, username */
  field_state state[FIELD_COUNT]; /* accounts only */
} profile;

typedef struct stateful {
  const wc_campaign_env *env;
  wc_transport *t;
  wc_collect *col;
  wc_phase_counts *counts;
  profile profiles[WC_RUN_MAX_LIST + 1];
  size_t count;
  uint64_t seq; /* order of the exchanges, the findings' index */
  bool failed;  /* a transfer failed: stop */
} stateful;

static cJSON *fields_of(const cJSON *user) {
  cJSON *o = cJSON_CreateObject();
  for (size_t i = 0; o && i < FIELD_COUNT; i++) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(user, fields[i]);
    if (v) cJSON_AddItemToObject(o, fields[i], cJSON_Duplicate(v, 1));
  }
  return o;
}

/* Sends body to profile p; returns the parsed response (caller frees) or
 * NULL. extra: observations of the model made by the caller afterwards. */
static wc_response *send(stateful *s, const profile *p, const char *body, const char *edge,
                         wc_send_result *res) {
  memset(res, 0, sizeof *res);
  const wc_run_opts *ro = s->env->ro;
  wc_gen_request *req = wc_gen_classify(s->env->gen, body, strlen(body), wc_run_api_version(s->env->run),
                                        p->account, edge, NULL);
  if (!req) return NULL;
  wc_response *r = NULL;
  if (wc_campaign_sendable(s->env, req) && wc_campaign_send(s->env, s->t, req, res) == 0 && res->sent) {
    atomic_fetch_add(&s->counts->sent, 1);
    atomic_fetch_add(&s->counts->positive, 1);
    if (res->http_status == 401 || res->http_status == 403) atomic_fetch_add(&s->counts->refused, 1);
    if (res->transport_failed) {
      atomic_fetch_add(&s->counts->transport_failures, 1);
      s->failed = true;
      if (!ro->keep_going) {
        char reason[600];
        snprintf(reason, sizeof reason, "a stateful request to %s failed (%s): %s", ro->base_url,
                 wc_xfer_status_name(wc_exchange_status(res->x)), wc_exchange_error(res->x));
        wc_run_request_stop(s->env->run, reason);
      }
    } else {
      r = wc_response_from_exchange(res->x, NULL, NULL);
    }
  } else {
    atomic_fetch_add(&s->counts->skipped, 1);
  }
  wc_gen_request_free(req);
  return r;
}

static void collect(stateful *s, const profile *p, const char *edge, const char *what, wc_send_result *res) {
  char location[300];
  snprintf(location, sizeof location, "%s%s", p->account ? "account:" : "global", p->account ? p->account : "");
  wc_collect_model(s->col, s->seq++, location, edge, what, res->x, res->obs);
  wc_send_result_clear(res);
}

/* A read of p compared with the model; fixes what the model did not know. */
static void read_back(stateful *s, profile *p, const char *requirement, const char *what) {
  wc_send_result res;
  wc_response *r = send(s, p, "{}", "read-back", &res);
  const cJSON *user = r ? wc_response_json(r) : NULL;
  if (r && wc_response_status(r) == 200 && cJSON_IsObject(user)) {
    cJSON *now = fields_of(user);
    /* Fields the model cannot predict (an account that may or may not
     * override): whatever the read shows is taken as the truth. */
    for (size_t i = 0; p->account && i < FIELD_COUNT; i++) {
      if (p->state[i] != UNKNOWN) continue;
      cJSON_DeleteItemFromObjectCaseSensitive(p->view, fields[i]);
      const cJSON *v = cJSON_GetObjectItemCaseSensitive(now, fields[i]);
      if (v) cJSON_AddItemToObject(p->view, fields[i], cJSON_Duplicate(v, 1));
    }
    wc_check_unchanged(requirement, p->view, now, fields, 1, what, res.obs);
    cJSON_Delete(p->view);
    p->view = now; /* after a failure, the next step judges from what is there */
  }
  wc_response_free(r);
  if (res.sent) collect(s, p, "read-back", what, &res);
  else wc_send_result_clear(&res);
}

static int setup(stateful *s) {
  const wc_run_opts *ro = s->env->ro;
  s->profiles[s->count++] = (profile){.account = NULL};
  for (size_t i = 0; i < ro->account_count && s->count < WC_RUN_MAX_LIST + 1; i++)
    s->profiles[s->count++] = (profile){.account = ro->account_ids[i]};
  for (size_t i = 0; i < s->count && !s->failed; i++) {
    wc_send_result res;
    wc_response *r = send(s, &s->profiles[i], "{}", "read-back", &res);
    const cJSON *user = r ? wc_response_json(r) : NULL;
    if (r && wc_response_status(r) == 200 && cJSON_IsObject(user)) s->profiles[i].view = fields_of(user);
    wc_response_free(r);
    if (res.sent) collect(s, &s->profiles[i], "read-back", "initial read", &res);
    else wc_send_result_clear(&res);
    if (!s->profiles[i].view) return -1;
  }
  /* An account field equal to the global one may be inherited or an equal
   * override: unknown until a global write tells them apart. */
  for (size_t i = 1; i < s->count; i++)
    for (size_t f = 0; f < FIELD_COUNT; f++) {
      const cJSON *a = cJSON_GetObjectItemCaseSensitive(s->profiles[i].view, fields[f]);
      const cJSON *g = cJSON_GetObjectItemCaseSensitive(s->profiles[0].view, fields[f]);
      s->profiles[i].state[f] = cJSON_Compare(a, g, 1) ? UNKNOWN : OVERRIDES;
    }
  return 0;
}

static void set_field(cJSON *view, const char *name, const cJSON *value) {
  cJSON_DeleteItemFromObjectCaseSensitive(view, name);
  cJSON_AddItemToObject(view, name, cJSON_Duplicate(value, 1));
}

/* The model after a 2xx to body on profile p (got: the response's user). */
static void apply(stateful *s, profile *p, const cJSON *body, const cJSON *got) {
  for (size_t f = 0; f < FIELD_COUNT; f++) {
    const cJSON *sent = cJSON_GetObjectItemCaseSensitive(body, fields[f]);
    if (!sent) continue;
    /* What the server stored: the echo check judged any difference. */
    const cJSON *stored = cJSON_GetObjectItemCaseSensitive(got, fields[f]);
    const cJSON *value = stored && cJSON_IsString(stored) ? stored : sent;
    set_field(p->view, fields[f], value);
    if (p->account) {
      p->state[f] = OVERRIDES;
      continue;
    }
    for (size_t i = 1; i < s->count; i++) {
      profile *a = &s->profiles[i];
      if (a->state[f] == INHERITS) set_field(a->view, fields[f], value);
    }
  }
}

static void step(stateful *s, uint64_t seed, uint64_t i) {
  profile *p = &s->profiles[wc_campaign_mix(seed, i) % s->count];
  wc_gen_request *gen_req = wc_gen_random_positive(s->env->gen, seed, i, NULL);
  size_t len = 0;
  const char *body_text = gen_req ? wc_gen_request_body(gen_req, &len) : NULL;
  char *body = body_text ? wc_strndup(body_text, len) : NULL;
  cJSON *body_json = gen_req ? cJSON_Duplicate(wc_gen_request_json(gen_req), 1) : NULL;
  /* A picture cannot be put back: without its opt-in the step updates the
   * other members only. */
  if (!s->env->allow_picture && cJSON_GetObjectItemCaseSensitive(body_json, "profile_picture")) {
    cJSON_DeleteItemFromObjectCaseSensitive(body_json, "profile_picture");
    free(body);
    body = cJSON_GetArraySize(body_json) ? cJSON_PrintUnformatted(body_json) : NULL;
  }
  char edge[200];
  snprintf(edge, sizeof edge, "update:%s", gen_req ? wc_gen_request_edge_class(gen_req) : "?");
  wc_gen_request_free(gen_req);
  if (!body || !cJSON_IsObject(body_json)) {
    free(body);
    cJSON_Delete(body_json);
    return;
  }
  wc_send_result res;
  wc_response *r = send(s, p, body, edge, &res);
  const cJSON *user = r ? wc_response_json(r) : NULL;
  bool ok = r && wc_response_status(r) >= 200 && wc_response_status(r) < 300 && cJSON_IsObject(user);
  char what[200];
  snprintf(what, sizeof what, "stateful step %llu on %s", (unsigned long long)i,
           p->account ? p->account : "the global profile");
  if (ok) {
    /* Unsent fields must be what the model says (before this update). */
    const char *unsent[FIELD_COUNT + 1];
    size_t n = 0;
    for (size_t f = 0; f < FIELD_COUNT; f++)
      if (!cJSON_GetObjectItemCaseSensitive(body_json, fields[f])) unsent[n++] = fields[f];
    unsent[n] = NULL;
    bool unknown = false;
    for (size_t f = 0; p->account && f < FIELD_COUNT; f++) unknown = unknown || p->state[f] == UNKNOWN;
    if (n && !unknown) wc_check_unchanged(WC_REQ_UPD_UNSENT, p->view, user, unsent, 1, what, res.obs);
    apply(s, p, body_json, user);
  }
  wc_response_free(r);
  if (res.sent) collect(s, p, edge, what, &res);
  else wc_send_result_clear(&res);
  if (ok && !s->failed) {
    read_back(s, p, WC_REQ_UPD_UNSENT, "read-back of the updated profile");
    /* Another profile: the update must not show there. */
    if (s->count > 1 && !s->failed) {
      size_t other = (size_t)(wc_campaign_mix(seed ^ 0x15u, i) % (s->count - 1));
      profile *q = &s->profiles[other >= (size_t)(p - s->profiles) ? other + 1 : other];
      read_back(s, q, p->account || q->account ? WC_REQ_UPD_ISOLATION : WC_REQ_UPD_UNSENT,
                "read of another profile after the update");
    }
  }
  free(body);
  cJSON_Delete(body_json);
}

int wc_campaign_stateful(const wc_campaign_env *env, uint64_t seed, uint64_t steps, wc_collect *col,
                         wc_phase_counts *counts, wc_err *err) {
  (void)err;
  if (!env->allow_writes) return 0; /* every step writes */
  stateful s = {.env = env, .col = col, .counts = counts};
  s.t = wc_transport_new(&env->topts, NULL);
  if (s.t && setup(&s) == 0) {
    for (uint64_t i = 0; i < steps && !s.failed && !wc_run_stopped(env->run); i++) {
      if (env->deadline_ms > 0 && wc_monotonic_ms() >= env->deadline_ms) break;
      step(&s, seed, i);
    }
  }
  for (size_t i = 0; i < s.count; i++) cJSON_Delete(s.profiles[i].view);
  wc_transport_free(s.t);
  return 0;
}
