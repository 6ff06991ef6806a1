/* The proxy's verdicts: every finished exchange is handed to the traffic
 * tally as a wire exchange (what the client sent, what the upstream
 * answered, or why there is no answer), which judges it in this thread and
 * folds the verdict in; the proxy's own counts (upstream and client
 * failures, pass-through) are kept here, and both end up in report.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy_internal.h"
#include "whopconf/traffic.h"

int px_tally_start(wc_proxy *p, wc_err *err) {
  wc_judge_opts jo = {.base_path = p->prefix,
                      .api_version = p->api_version,
                      .known_versions = (const char *const *)p->known_versions,
                      .known_count = p->known_count};
  p->judge = wc_judge_new(p->spec, &jo, err);
  if (!p->judge) return -1;
  wc_tally_info ti = {.command = "proxy", .target = p->upstream, .spec = p->spec,
                      .keep_exchanges = p->o.max_recorded};
  p->tally = wc_tally_new(p->judge, &ti, err);
  return p->tally ? 0 : -1;
}

void px_tally_free(wc_proxy *p) {
  wc_tally_free(p->tally);
  wc_judge_free(p->judge);
}

/* px_headers -> an array of wc_wire_header pointing into it (caller frees). */
static wc_wire_header *wire_headers(const px_headers *h) {
  wc_wire_header *out = calloc(h->count ? h->count : 1, sizeof *out);
  if (!out) return NULL;
  size_t pos = 0, i = 0;
  while (i < h->count && px_headers_next(h, &pos, &out[i].name, &out[i].value)) i++;
  return out;
}

/* Why an exchange without a response has none, for the report. */
static void failure_reason(const px_exchange *x, char *out, size_t cap) {
  if (x->failure == PX_UPSTREAM)
    snprintf(out, cap, "upstream %s: %s (the client got %u)", wc_xfer_status_name(x->xfer), x->error,
             x->client_status);
  else if (x->client_status)
    snprintf(out, cap, "%s: %s (the proxy answered %u; the upstream saw nothing)", px_failure_name(x->failure),
             x->error, x->client_status);
  else
    snprintf(out, cap, "%s: %s", px_failure_name(x->failure), x->error);
}

static void count(wc_proxy *p, const px_exchange *x, const wc_verdict *v) {
  pthread_mutex_lock(&p->lock);
  wc_proxy_stats *s = &p->stats;
  s->exchanges++;
  if (x->failure == PX_UPSTREAM) s->upstream_failed++;
  else if (x->status) s->upstream_reached++;
  if (x->failure != PX_OK && x->failure != PX_UPSTREAM) s->client_failed++;
  if (v->judged) {
    s->judged++;
    if (v->request_failures || v->response_failures || x->failure == PX_UPSTREAM) s->violating++;
    else if (x->failure == PX_OK) s->conformed++;
    if (v->request_failures) s->request_violations++;
    if (v->response_failures) s->response_violations++;
  } else {
    s->passed_through++;
  }
  pthread_mutex_unlock(&p->lock);
}

void px_settle(wc_proxy *p, px_exchange *x) {
  if (x->settled) return;
  x->settled = true;
  wc_wire_header *req = wire_headers(&x->req_headers);
  wc_wire_header *resp = wire_headers(&x->resp_headers);
  char why[512] = "";
  bool answered = x->failure == PX_OK && x->status > 0;
  if (!answered) failure_reason(x, why, sizeof why);
  wc_wire_exchange w = {
      .method = x->method,
      .target = x->target,
      .request_headers = req,
      .request_header_count = req ? x->req_headers.count : 0,
      .request_body = {x->has_body ? (x->req_body.data ? x->req_body.data : "") : NULL, x->req_body.len,
                       x->failure == PX_CLIENT_BODY_LARGE},
      .status = answered ? x->status : 0,
      .response_headers = resp,
      .response_header_count = answered && resp ? x->resp_headers.count : 0,
      .response_body = {answered ? (x->resp_body.data ? x->resp_body.data : "") : NULL, x->resp_body.len, false},
      .time_ms = x->upstream_ms > 0 ? x->upstream_ms : -1,
      .error = answered ? NULL : why,
  };
  wc_verdict v = {0};
  if (wc_tally_add(p->tally, &w, NULL, &v) != 0) v.judged = x->judged; /* counted, not recorded */
  x->violations = v.request_failures + v.response_failures;
  count(p, x, &v);
  free(req);
  free(resp);
}

void wc_proxy_get_stats(wc_proxy *p, wc_proxy_stats *out) {
  pthread_mutex_lock(&p->lock);
  *out = p->stats;
  pthread_mutex_unlock(&p->lock);
}

int wc_proxy_exit_code(wc_proxy *p) {
  wc_proxy_stats s;
  wc_proxy_get_stats(p, &s);
  if (s.upstream_failed && !s.upstream_reached) return 3;
  return s.violating ? 1 : 0;
}

/* run.proxy: what the tally does not know (the proxy's side of things). */
static void add_proxy_object(cJSON *run, const wc_proxy *p, const wc_proxy_stats *s, const char *command_line) {
  cJSON *o = cJSON_AddObjectToObject(run, "proxy");
  if (!o) return;
  cJSON_AddStringToObject(o, "upstream", p->upstream);
  cJSON_AddStringToObject(o, "listen", p->base_url);
  if (command_line) cJSON_AddStringToObject(o, "command_line", command_line);
  cJSON_AddBoolToObject(o, "annotate", p->o.annotate);
  cJSON_AddNumberToObject(o, "exchanges", (double)s->exchanges);
  cJSON_AddNumberToObject(o, "judged", (double)s->judged);
  cJSON_AddNumberToObject(o, "passed_through", (double)s->passed_through);
  cJSON_AddNumberToObject(o, "conformed", (double)s->conformed);
  cJSON_AddNumberToObject(o, "violating", (double)s->violating);
  cJSON_AddNumberToObject(o, "upstream_reached", (double)s->upstream_reached);
  cJSON_AddNumberToObject(o, "upstream_failed", (double)s->upstream_failed);
  cJSON_AddNumberToObject(o, "client_failed", (double)s->client_failed);
  if (p->o.insecure) cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(run, "weakened"),
                                          cJSON_CreateString("--insecure"));
}

/* The tally's verdict knows the judge's failures; the proxy adds the two it
 * alone sees: an upstream that was never reached (error, 3) and judged
 * exchanges the upstream failed (fail, 1). */
static void adjust_summary(cJSON *summary, const wc_proxy_stats *s, int code) {
  const char *verdict = code == 3 ? "error" : code == 1 ? "fail" : "pass";
  cJSON_ReplaceItemInObjectCaseSensitive(summary, "verdict", cJSON_CreateString(verdict));
  cJSON_ReplaceItemInObjectCaseSensitive(summary, "exit_code", cJSON_CreateNumber(code));
  char reason[160] = "";
  if (code == 3)
    snprintf(reason, sizeof reason, "the upstream could not be reached: %zu exchange%s failed, none answered",
             s->upstream_failed, s->upstream_failed == 1 ? "" : "s");
  else if (s->upstream_failed)
    snprintf(reason, sizeof reason, "%zu exchange%s failed at the upstream (run.traffic.notes says why)",
             s->upstream_failed, s->upstream_failed == 1 ? "" : "s");
  if (reason[0]) {
    cJSON_DeleteItemFromObjectCaseSensitive(summary, "reason");
    cJSON_AddStringToObject(summary, "reason", reason);
  }
}

cJSON *wc_proxy_report(wc_proxy *p, const char *command_line, wc_err *err) {
  int tally_code = 0;
  cJSON *report = wc_tally_report(p->tally, &tally_code, err);
  if (!report) return NULL;
  wc_proxy_stats s;
  wc_proxy_get_stats(p, &s);
  int code = wc_proxy_exit_code(p);
  if (code == 0 && tally_code) code = tally_code; /* a failed SHOULD under strict, or a judge finding */
  add_proxy_object(cJSON_GetObjectItemCaseSensitive(report, "run"), p, &s, command_line);
  adjust_summary(cJSON_GetObjectItemCaseSensitive(report, "summary"), &s, code);
  return report;
}
