/* The proxy's verdicts: every finished exchange is counted here, judged
 * exchanges through the traffic judge. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proxy_internal.h"

void px_tally_start(wc_proxy *p) {
  p->started_ms = px_now_ms();
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(p->started_at, sizeof p->started_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void px_judge(wc_proxy *p, px_exchange *x) {
  (void)p;
  (void)x; /* the traffic judge plugs in here */
}

void px_tally(wc_proxy *p, px_exchange *x) {
  if (x->tallied) return;
  x->tallied = true;
  pthread_mutex_lock(&p->lock);
  wc_proxy_stats *s = &p->stats;
  s->exchanges++;
  if (x->failure == PX_UPSTREAM) s->upstream_failed++;
  else if (x->status) s->upstream_reached++;
  if (x->failure != PX_OK && x->failure != PX_UPSTREAM) s->client_failed++;
  if (!x->judged) s->passed_through++;
  pthread_mutex_unlock(&p->lock);
}

void px_tally_free(wc_proxy *p) { (void)p; }

void wc_proxy_get_stats(wc_proxy *p, wc_proxy_stats *out) {
  pthread_mutex_lock(&p->lock);
  *out = p->stats;
  pthread_mutex_unlock(&p->lock);
}

int wc_proxy_exit_code(wc_proxy *p) {
  wc_proxy_stats s;
  wc_proxy_get_stats(p, &s);
  if (s.violating || (s.upstream_failed && s.upstream_reached)) return 1;
  if (s.upstream_failed && !s.upstream_reached) return 3;
  return 0;
}

cJSON *wc_proxy_report(wc_proxy *p, const char *command_line, wc_err *err) {
  (void)p;
  (void)command_line;
  wc_err_set(err, WC_E_INTERNAL, "reports need the traffic judge");
  return NULL;
}
