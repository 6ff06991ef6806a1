/* One generated request: the write opt-in, build, send, judge. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_internal.h"
#include "whopconf/json_arena.h"

uint64_t wc_campaign_mix(uint64_t seed, uint64_t index) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (index + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

wc_gen_request *wc_campaign_generate(const wc_gen *gen, wc_stream_kind kind, uint64_t seed, uint64_t index) {
  if (kind == WC_STREAM_COVERAGE) return wc_gen_coverage(gen, (size_t)index, NULL);
  return wc_gen_random(gen, seed, index, NULL);
}

bool wc_campaign_sendable(const wc_campaign_env *env, const wc_gen_request *req) {
  if (!wc_gen_request_positive(req)) return true;
  if (!env->allow_writes) return false;
  /* A picture is written by upload id and read back as a URL: it cannot be
   * put back, so it is only sent with its own opt-in. */
  const cJSON *body = wc_gen_request_json(req);
  const cJSON *pic = cJSON_GetObjectItemCaseSensitive(body, "profile_picture");
  return !pic || cJSON_IsNull(pic) || env->allow_picture;
}

void wc_send_result_clear(wc_send_result *res) {
  wc_exchange_free(res->x);
  wc_observations_free(res->obs);
  memset(res, 0, sizeof *res);
}

int wc_campaign_send(const wc_campaign_env *env, wc_transport *t, const wc_gen_request *req,
                     wc_send_result *out) {
  memset(out, 0, sizeof *out);
  wc_request_desc d = {.base_url = env->ro->base_url, .token = env->ro->token};
  wc_gen_request_to_desc(req, &d);
  wc_err err;
  wc_err_clear(&err);
  wc_request *built = wc_request_build(&d, &err);
  if (!built) return -1; /* the generator never makes what the builder refuses */
  out->x = wc_transport_send(t, built);
  /* A server may answer a large body early (413) and close while the rest
   * is still being sent: the next request on that connection then fails.
   * One retry on a fresh connection tells that apart from a real failure. */
  if (out->x && wc_exchange_status(out->x) == WC_XFER_RESET) {
    wc_exchange_free(out->x);
    out->x = wc_transport_send(t, built);
  }
  wc_request_free(built);
  if (!out->x) return -1;
  out->sent = true;
  out->obs = wc_observations_new();
  if (!out->obs) return -1;
  /* The collector counts passes and keeps no reason of theirs: formatting
   * one for every passing check of every exchange was wasted work. */
  wc_observations_omit_pass_reasons(out->obs);
  if (wc_exchange_status(out->x) != WC_XFER_OK) {
    out->transport_failed = true;
    return 0;
  }
  out->http_status = wc_exchange_http_status(out->x);
  /* The response's tree comes from this thread's arena (when the command
   * installed it) and goes with it below; the region is held while judging,
   * so what the checks allocate with cJSON and free themselves is malloc's. */
  bool arena = wc_json_arena_begin();
  wc_response *r = wc_response_from_exchange(out->x, NULL, &err);
  if (arena) wc_json_arena_hold();
  if (!r) {
    if (arena) wc_json_arena_end();
    return -1;
  }
  wc_sent s = {
      .method = "PATCH",
      .documented_op = true,
      .api_version = wc_gen_request_api_version(req),
      .time_ms = wc_exchange_total_ms(out->x),
      .exchange = 1,
      .what = wc_gen_request_description(req),
  };
  wc_campaign_judge(env->checks, env->body_properties, req, &s, r, out->obs);
  wc_response_free(r);
  if (arena) wc_json_arena_end();
  return 0;
}
