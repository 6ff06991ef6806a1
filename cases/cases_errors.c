/* Error envelope and authentication: API key, invalid bodies, missing or
 * unknown credentials, a token without the scope. The envelope of every 4xx
 * in the whole run is judged by wc_check_response (WC-ERR-001/002). */
#include "case_support.h"

WC_CASE(errors, invalid_bodies, 0, WC_REQ_INVALID_BODY_400) {
  if (!wc_case_need(c, WC_CRED_TOKEN)) return;
  const struct {
    const char *body, *what;
  } bodies[] = {
      {"{\"name\": ", "a body that is not JSON (cut short)"},
      {"[]", "an array body"},
      {"\"name\"", "a string body"},
      {"1", "a number body"},
      {"null", "a null body"},
      {"{\"name\": 1}", "name: 1 (not a string)"},
      {"{\"bio\": {}}", "bio: {} (not a string)"},
      {"{\"username\": []}", "username: [] (not a string)"},
      {"{\"profile_picture\": \"x\"}", "profile_picture: \"x\" (not an object)"},
      {"{\"profile_picture\": {\"id\": 1}}", "profile_picture.id: 1 (not a string)"},
      {"{\"name\": \"\xff\xfe\"}", "a name with invalid UTF-8 bytes"},
  };
  for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
    wc_request_desc d = wc_case_pinned(c);
    d.raw_body = bodies[i].body;
    d.raw_body_len = strlen(bodies[i].body);
    char what[160];
    snprintf(what, sizeof what, "PATCH with %s", bodies[i].what);
    wc_sent sent;
    const wc_response *r = wc_case_send(c, &d, what, 0, &sent);
    if (!r) {
      if (wc_case_stopped(c)) return;
      continue; /* --keep-going: this probe failed in transit, try the next */
    }
    wc_check_rejected_400(WC_REQ_INVALID_BODY_400, &sent, r, wc_case_obs(c));
  }
  /* requestBody.required: true */
  wc_request_desc d = wc_case_pinned(c);
  d.omit_body = true;
  wc_sent sent;
  const wc_response *r = wc_case_send(c, &d, "PATCH without a body", 0, &sent);
  if (r) wc_check_rejected_400(WC_REQ_INVALID_BODY_400, &sent, r, wc_case_obs(c));
}

WC_CASE(errors, credentials, 0,
        WC_REQ_AUTH_REJECTED " " WC_REQ_API_KEY_400 " " WC_REQ_SCOPE_ENFORCED " " WC_REQ_WWW_AUTH) {
  char unknown[48];
  wc_case_random_token(c, "wc_unknown_token_", unknown, sizeof unknown);
  /* The scoped token itself under another scheme, or with none, is still
   * not a bearer credential (RFC 6750). */
  const char *token = wc_case_credential(c, WC_CRED_TOKEN);
  const struct {
    const char *token, *scheme, *what;
  } creds[] = {
      {NULL, NULL, "PATCH {} without credentials"},
      {unknown, NULL, "PATCH {} with an unknown bearer token"},
      {"", NULL, "PATCH {} with an empty bearer token"},
      {token ? token : unknown, "Basic", "PATCH {} with the token under the Basic scheme"},
      {token ? token : unknown, "", "PATCH {} with the token and no scheme"},
  };
  wc_sent sent;
  const wc_response *r;
  for (size_t i = 0; i < sizeof creds / sizeof creds[0]; i++) {
    wc_request_desc d = wc_case_pinned(c);
    d.token = creds[i].token;
    d.auth_scheme = creds[i].scheme;
    r = wc_case_send(c, &d, creds[i].what, 0, &sent);
    if (!r) {
      if (wc_case_stopped(c)) return;
      continue; /* --keep-going: this probe failed in transit, try the next */
    }
    wc_check_auth_rejected(WC_REQ_AUTH_REJECTED, &sent, r, wc_case_obs(c));
  }

  if (wc_case_need_for(c, WC_CRED_API_KEY, WC_REQ_API_KEY_400)) {
    wc_request_desc d = wc_case_pinned(c);
    d.token = wc_case_credential(c, WC_CRED_API_KEY);
    r = wc_case_send(c, &d, "PATCH {} on the global profile with an API key", 0, &sent);
    if (!r && wc_case_stopped(c)) return;
    if (r) wc_check_rejected_400(WC_REQ_API_KEY_400, &sent, r, wc_case_obs(c));
  }

  /* {} on purpose: if the scope is ignored, nothing of a user we cannot
   * restore has changed. */
  if (wc_case_need_for(c, WC_CRED_NO_SCOPE, WC_REQ_SCOPE_ENFORCED)) {
    wc_request_desc d = wc_case_pinned(c);
    d.token = wc_case_credential(c, WC_CRED_NO_SCOPE);
    r = wc_case_send(c, &d, "PATCH {} with a token without user:profile:update", 0, &sent);
    if (r) wc_check_not_2xx(WC_REQ_SCOPE_ENFORCED, &sent, r, wc_case_obs(c));
  }
}
