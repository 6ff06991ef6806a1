/* Transport: the methods the spec does not document on /users/me. No 5xx,
 * no redirect, JSON content type on a 200 and the response-time budget are
 * judged on every response of the run (wc_check_response). */
#include "case_support.h"

WC_CASE(transport, methods, 0, WC_REQ_METHOD_405 " " WC_REQ_NO_5XX " " WC_REQ_NO_REDIRECT) {
  /* GET cannot change anything; the others might on a server that wrongly
   * implements them, so they need the same permission as any write. */
  const struct {
    const char *method;
    bool body;
  } methods[] = {{"GET", false}, {"POST", true}, {"PUT", true}, {"DELETE", false}};
  bool writes_skipped = false;
  for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
    if (strcmp(methods[i].method, "GET") != 0 && !wc_case_embedded(c)) {
      /* wc_case_need_writes records the skip only once */
      if (writes_skipped) continue;
      if (!wc_case_need_writes(c)) {
        writes_skipped = true;
        continue;
      }
    }
    wc_request_desc d = wc_case_pinned(c);
    d.method = methods[i].method;
    d.path = "/users/me";
    d.omit_body = !methods[i].body;
    char what[64];
    snprintf(what, sizeof what, "%s /users/me", methods[i].method);
    wc_sent sent;
    const wc_response *r = wc_case_send(c, &d, what, 0, &sent);
    if (!r) {
      if (wc_case_stopped(c)) return;
      continue; /* --keep-going: this probe failed in transit, try the next */
    }
    wc_check_method_not_allowed(&sent, r, wc_case_obs(c));
  }
}
