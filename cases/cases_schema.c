/* User schema and documented meaning: the 200 to a request pinned to the
 * latest version, for the global profile and each account's view. The
 * checks themselves run on every response of the run (wc_check_response);
 * this case makes sure there is such a response to judge. */
#include "case_support.h"

WC_CASE(schema, pinned_latest, 0,
        WC_REQ_USER_SCHEMA " " WC_REQ_STRICT_JSON " " WC_REQ_ID_PREFIX " " WC_REQ_CREATED_AT
        " " WC_REQ_BALANCE_DECIMAL " " WC_REQ_USD_DECIMAL " " WC_REQ_VERIFICATION
        " " WC_REQ_BALANCES_EMPTY " " WC_REQ_PICTURE_SHAPE " " WC_REQ_TOTAL_NULL
        " " WC_REQ_TOTAL_SUM " " WC_REQ_200_JSON) {
  if (!wc_case_need(c, WC_CRED_TOKEN)) return;
  char what[160];
  wc_request_desc d = wc_case_pinned(c);
  snprintf(what, sizeof what, "PATCH {} pinned to %s", d.api_version);
  wc_sent sent;
  const wc_response *r = wc_case_send(c, &d, what, WC_SEND_POSITIVE, &sent);
  if (r && wc_response_status(r) != 200)
    wc_observe(wc_case_obs(c), WC_REQ_USER_SCHEMA, WC_OBS_FAIL, sent.exchange,
               "%s: expected 200 with the user, got %ld", what, wc_response_status(r));
  for (size_t i = 0; !wc_case_stopped(c) && i < wc_case_account_count(c); i++) {
    d.account_id = wc_case_account(c, i);
    snprintf(what, sizeof what, "PATCH {} pinned to %s for account %.40s", d.api_version, d.account_id);
    r = wc_case_send(c, &d, what, WC_SEND_POSITIVE, &sent);
  }
  /* Some rules apply only to some values (balances, a null or a decimal
   * total_usd): when no response had them, say so rather than "not observed". */
  if (wc_case_stopped(c)) return;
  static const struct {
    const char *id, *why;
  } conditional[] = {
      {WC_REQ_BALANCE_DECIMAL, "not applicable: no response carried balances"},
      {WC_REQ_USD_DECIMAL, "not applicable: no response carried a total_usd or value_usd string"},
      {WC_REQ_BALANCES_EMPTY, "not applicable: no response had total_usd null, the case the rule is about"},
      {WC_REQ_TOTAL_SUM, "not applicable: no response had a decimal total_usd to add up"},
  };
  for (size_t i = 0; i < sizeof conditional / sizeof conditional[0]; i++) {
    bool seen = false;
    for (size_t k = 0; k < wc_observations_count(wc_case_obs(c)) && !seen; k++)
      seen = strcmp(wc_observations_get(wc_case_obs(c), k)->requirement, conditional[i].id) == 0;
    if (!seen) wc_observe(wc_case_obs(c), conditional[i].id, WC_OBS_SKIP, 0, "%s", conditional[i].why);
  }
}
