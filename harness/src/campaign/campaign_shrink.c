/* Shrinking each distinct finding with the generator's shrinker: the
 * predicate re-sends the candidate and asks whether the same requirement
 * still fails the same way (same observation status, same HTTP status).
 * The shrinker only offers candidates of the original's classification
 * (a negative input stays negative). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_internal.h"
#include "whopconf/assemble.h"

typedef struct shrink_ctx {
  const wc_campaign_env *env;
  wc_transport *t;
  const wc_collect_finding *finding;
  size_t requests;
  wc_phase_counts *counts;
  wc_exchange *last_x;        /* the exchange of the last accepted candidate */
  wc_gen_request *last_req;
} shrink_ctx;

static bool same_failure(const wc_collect_finding *f, const wc_send_result *res) {
  if (res->transport_failed || res->http_status != f->http_status) return false;
  for (size_t i = 0; i < wc_observations_count(res->obs); i++) {
    const wc_observation *o = wc_observations_get(res->obs, i);
    if (o->status == f->status && strcmp(o->requirement, f->requirement) == 0) return true;
  }
  return false;
}

static bool still_fails(void *arg, const wc_gen_request *candidate) {
  shrink_ctx *s = arg;
  if (!wc_campaign_sendable(s->env, candidate) || wc_run_stopped(s->env->run)) return false;
  wc_send_result res;
  bool fails = false;
  if (wc_campaign_send(s->env, s->t, candidate, &res) == 0 && res.sent) {
    s->requests++;
    atomic_fetch_add(&s->counts->sent, 1);
    fails = same_failure(s->finding, &res);
    if (fails) {
      wc_exchange_free(s->last_x);
      wc_gen_request_free(s->last_req);
      s->last_x = res.x;
      s->last_req = wc_gen_request_copy(candidate);
      res.x = NULL;
    }
  }
  wc_send_result_clear(&res);
  return fails;
}

static bool same_request(const wc_gen_request *a, const wc_gen_request *b) {
  size_t la, lb;
  const char *ba = wc_gen_request_body(a, &la), *bb = wc_gen_request_body(b, &lb);
  const char *va = wc_gen_request_api_version(a), *vb = wc_gen_request_api_version(b);
  const char *aa = wc_gen_request_account_id(a), *ab = wc_gen_request_account_id(b);
  return la == lb && memcmp(ba, bb, la) == 0 && (va == vb || (va && vb && strcmp(va, vb) == 0)) &&
         (aa == ab || (aa && ab && strcmp(aa, ab) == 0));
}

uint64_t wc_campaign_shrink_all(const wc_campaign_env *env, wc_collect *col, wc_stream_kind kind, uint64_t seed,
                                size_t budget, wc_phase_counts *counts) {
  uint64_t total = 0;
  wc_transport *t = wc_transport_new(&env->topts, NULL);
  if (!t) return 0;
  for (size_t i = 0;; i++) {
    const wc_collect_finding *f = wc_collect_finding_get(col, i);
    if (!f) break;
    /* Warnings are answers the contract allows: only failures are worth
     * the requests a shrink costs. */
    if (!f->shrinkable || wc_run_stopped(env->run) ||
        wc_assembly_effective(f->requirement, f->status) != WC_OBS_FAIL)
      continue;
    wc_gen_request *original = wc_campaign_generate(env->gen, kind, seed, f->index);
    if (!original) continue;
    shrink_ctx s = {.env = env, .t = t, .finding = f, .counts = counts};
    wc_shrink_result out;
    memset(&out, 0, sizeof out);
    if (wc_gen_shrink(env->gen, original, still_fails, &s, budget, &out, NULL) == 0 && out.minimal) {
      /* The minimal request is the last one accepted; re-send it when the
       * shrinker returned another (it never should). */
      const wc_exchange *mx = NULL;
      if (out.steps > 0 && s.last_req && same_request(s.last_req, out.minimal)) mx = s.last_x;
      else if (out.steps > 0 && still_fails(&s, out.minimal)) mx = s.last_x;
      wc_collect_shrunk(col, i, out.steps > 0 ? out.minimal : NULL, mx, out.steps, s.requests);
    }
    total += s.requests;
    wc_gen_request_free(original);
    wc_gen_request_free(out.minimal);
    wc_exchange_free(s.last_x);
    wc_gen_request_free(s.last_req);
  }
  wc_transport_free(t);
  return total;
}
