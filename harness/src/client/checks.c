/* The response-level and expectation checks (see checks.h). The checks on
 * the meaning of User fields live in checks_meaning.c; the observations they
 * append to, in observations.c. */
#include "whopconf/checks.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "whopconf/catalog.h"
#include "whopconf/versions.h"

static const char *const generic_requirements[] = {
    WC_REQ_STRICT_JSON, WC_REQ_NO_5XX,    WC_REQ_NO_REDIRECT,       WC_REQ_RESPONSE_TIME,
    WC_REQ_ERR_JSON,    WC_REQ_ERR_ENVELOPE, WC_REQ_STATUS_DOCUMENTED, WC_REQ_WWW_AUTH,
    WC_REQ_200_JSON,
};

bool wc_requirement_is_generic(const char *id) {
  for (size_t i = 0; id && i < sizeof generic_requirements / sizeof generic_requirements[0]; i++)
    if (strcmp(generic_requirements[i], id) == 0) return true;
  return false;
}

/* ---- helpers ----------------------------------------------------------- */

bool wc_version_is_known(const wc_check_ctx *ctx, const char *version) {
  return ctx && wc_version_listed(ctx->known_versions, ctx->known_count, version);
}

static const char *what_of(const wc_sent *sent) {
  return sent && sent->what ? sent->what : "the request";
}

static int exchange_of(const wc_sent *sent) { return sent ? sent->exchange : 0; }

static bool method_is_patch(const wc_sent *sent) {
  return !sent || !sent->method || strcmp(sent->method, "PATCH") == 0;
}

/* ---- the generic checks ------------------------------------------------ */

void wc_check_strict_json(const wc_sent *sent, const wc_response *r, wc_observations *obs) {
  size_t len = 0;
  wc_response_body(r, &len);
  const wc_media_type *mt = wc_response_media_type(r);
  const cJSON *json = wc_response_json(r);
  bool claims_json = mt && mt->is_json;
  if (len == 0 || (!claims_json && !json)) return; /* not a JSON body: nothing to judge here */
  if (claims_json && !json) {
    wc_observe(obs, WC_REQ_STRICT_JSON, WC_OBS_FAIL, exchange_of(sent),
               "%ld to %s: Content-Type %s but the body is not JSON", wc_response_status(r),
               what_of(sent), mt->essence);
    return;
  }
  const wc_findings *defects = wc_response_json_findings(r);
  wc_observe_pass_or_findings(obs, WC_REQ_STRICT_JSON, exchange_of(sent), defects, "%ld to %s: strict JSON",
                              "%ld to %s: body is not strict JSON", wc_response_status(r), what_of(sent));
}

static bool status_documented(const wc_check_ctx *ctx, long status) {
  char code[16]; /* the status as the spec's response keys spell it: "200" */
  if (status >= 100 && status <= 999)
    code[0] = (char)('0' + status / 100), code[1] = (char)('0' + status / 10 % 10), code[2] = (char)('0' + status % 10),
    code[3] = '\0';
  else
    snprintf(code, sizeof code, "%ld", status);
  if (ctx && ctx->documented) {
    for (size_t i = 0; i < ctx->documented_count; i++)
      if (ctx->documented[i] && strcmp(ctx->documented[i], code) == 0) return true;
  } else if (status == 200 || status == 400) {
    return true;
  }
  static const long conventional[] = {401, 403, 404, 405, 413, 429};
  for (size_t i = 0; i < sizeof conventional / sizeof conventional[0]; i++)
    if (conventional[i] == status) return true;
  return false;
}

void wc_check_status_class(const wc_check_ctx *ctx, const wc_sent *sent, const wc_response *r,
                           wc_observations *obs) {
  long status = wc_response_status(r);
  int ex = exchange_of(sent);
  if (status >= 500)
    wc_observe(obs, WC_REQ_NO_5XX, WC_OBS_FAIL, ex, "%ld (server error) to %s", status, what_of(sent));
  else
    wc_observe(obs, WC_REQ_NO_5XX, WC_OBS_PASS, ex, "%ld to %s", status, what_of(sent));

  if (status >= 300 && status < 400) {
    const char *loc = wc_response_header(r, "Location", 0);
    wc_observe(obs, WC_REQ_NO_REDIRECT, WC_OBS_FAIL, ex, "%ld redirect to %s%s%s", status,
               what_of(sent), loc ? " (Location: " : "", loc ? "set)" : "");
  } else {
    wc_observe(obs, WC_REQ_NO_REDIRECT, WC_OBS_PASS, ex, "%ld to %s", status, what_of(sent));
  }

  if (ctx && ctx->max_response_ms > 0 && sent) {
    if (sent->time_ms > ctx->max_response_ms)
      wc_observe(obs, WC_REQ_RESPONSE_TIME, WC_OBS_FAIL, ex, "%s took %.0f ms (budget %.0f ms)",
                 what_of(sent), sent->time_ms, ctx->max_response_ms);
    else
      wc_observe(obs, WC_REQ_RESPONSE_TIME, WC_OBS_PASS, ex, "%s took %.0f ms", what_of(sent),
                 sent->time_ms);
  }

  /* Only the documented operation is judged for undocumented codes: the
   * method probes (WC-TR-005) expect a 405 the spec cannot list. */
  if (sent && !sent->documented_op) return;
  if (status_documented(ctx, status))
    wc_observe(obs, WC_REQ_STATUS_DOCUMENTED, WC_OBS_PASS, ex, "%ld to %s", status, what_of(sent));
  else
    wc_observe(obs, WC_REQ_STATUS_DOCUMENTED, WC_OBS_FAIL, ex,
               "%ld to %s is neither documented (200, 400) nor conventional (401, 403, 404, 405, "
               "413, 429)",
               status, what_of(sent));
}

void wc_check_error_response(const wc_check_ctx *ctx, const wc_sent *sent, const wc_response *r,
                             wc_observations *obs) {
  long status = wc_response_status(r);
  int ex = exchange_of(sent);
  if (status == 401) {
    const char *www = wc_response_header(r, "WWW-Authenticate", 0);
    if (www && strncasecmp(www, "Bearer", 6) == 0 && (www[6] == '\0' || www[6] == ' '))
      wc_observe(obs, WC_REQ_WWW_AUTH, WC_OBS_PASS, ex, "401 to %s has WWW-Authenticate: Bearer",
                 what_of(sent));
    else
      wc_observe(obs, WC_REQ_WWW_AUTH, WC_OBS_FAIL, ex, "401 to %s %s", what_of(sent),
                 www ? "has a WWW-Authenticate header without the Bearer scheme"
                     : "has no WWW-Authenticate header");
  }
  if (status < 400 || status >= 500) return;

  const wc_media_type *mt = wc_response_media_type(r);
  const cJSON *json = wc_response_json(r);
  if (!mt || !mt->present)
    wc_observe(obs, WC_REQ_ERR_JSON, WC_OBS_FAIL, ex, "%ld to %s has no Content-Type", status,
               what_of(sent));
  else if (!mt->is_json)
    wc_observe(obs, WC_REQ_ERR_JSON, WC_OBS_FAIL, ex, "%ld to %s has Content-Type %s, not JSON",
               status, what_of(sent), mt->valid ? mt->essence : "(unparseable)");
  else if (!json)
    wc_observe(obs, WC_REQ_ERR_JSON, WC_OBS_FAIL, ex, "%ld to %s: the body is not JSON", status,
               what_of(sent));
  else
    wc_observe(obs, WC_REQ_ERR_JSON, WC_OBS_PASS, ex, "%ld to %s is JSON", status, what_of(sent));

  wc_findings *found = wc_findings_new();
  if (!found) return;
  wc_envelope env;
  wc_response_envelope(r, &env, found);
  if (json && ctx && ctx->error_schema && wc_findings_count(found) == 0)
    wc_schema_validate(ctx->error_schema, json, found);
  wc_observe_pass_or_findings(obs, WC_REQ_ERR_ENVELOPE, ex, found, "%ld to %s has an error envelope",
                              "%ld to %s: bad error envelope", status, what_of(sent));
  wc_findings_free(found);
}

void wc_check_user_schema(const wc_check_ctx *ctx, const wc_sent *sent, const wc_response *r,
                          wc_observations *obs) {
  int ex = exchange_of(sent);
  const cJSON *json = wc_response_json(r);
  if (!json) {
    wc_observe(obs, WC_REQ_USER_SCHEMA, WC_OBS_FAIL, ex, "200 to %s: the body is not JSON",
               what_of(sent));
    return;
  }
  if (!ctx || !ctx->user_schema) {
    wc_observe(obs, WC_REQ_USER_SCHEMA, WC_OBS_SKIP, ex, "the User schema could not be compiled");
  } else {
    wc_findings *found = wc_findings_new();
    if (!found) return;
    wc_schema_validate(ctx->user_schema, json, found);
    wc_observe_pass_or_findings(obs, WC_REQ_USER_SCHEMA, ex, found, "200 to %s matches User",
                                "200 to %s does not match User", what_of(sent));
    wc_findings_free(found);
  }
  if (cJSON_IsObject(json)) wc_check_user_meaning(json, ex, obs);
}

void wc_check_original_shape(const wc_sent *sent, const wc_response *r, wc_observations *obs) {
  int ex = exchange_of(sent);
  const cJSON *json = wc_response_json(r);
  const char *version = sent && sent->api_version ? sent->api_version : "absent header";
  long status = wc_response_status(r);
  if (!cJSON_IsObject(json)) {
    wc_observe(obs, WC_REQ_OLD_SHAPE, WC_OBS_FAIL, ex, "%ld to %s (%s): the body is not a JSON object",
               status, what_of(sent), version);
    return;
  }
  wc_findings *found = wc_findings_new();
  if (!found) return;
  static const char *const members[] = {"id", "username"};
  for (size_t i = 0; i < 2; i++) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(json, members[i]);
    char ptr[32];
    snprintf(ptr, sizeof ptr, "/%s", members[i]);
    if (!v)
      wc_findings_add(found, ptr, NULL, "required", WC_NO_OFFSET, "%s is missing", members[i]);
    else if (!cJSON_IsString(v))
      wc_findings_add(found, ptr, NULL, "type", WC_NO_OFFSET, "%s is not a string", members[i]);
  }
  if (wc_findings_count(found)) {
    char what[256];
    snprintf(what, sizeof what, "%ld to %s (%s)", status, what_of(sent), version);
    wc_observe_findings(obs, WC_REQ_OLD_SHAPE, ex, found, what);
  } else {
    /* The shape is the pass's reason: not computed when nobody keeps it. */
    char *shape = wc_observations_pass_reasons_kept(obs) ? wc_json_shape(json) : NULL;
    wc_observation *o = wc_observe(obs, WC_REQ_OLD_SHAPE, WC_OBS_PASS, ex, "%s: {%s}", version,
                                   shape ? shape : "");
    if (o) o->note = true;
    free(shape);
  }
  wc_findings_free(found);
}

void wc_check_response(const wc_check_ctx *ctx, const wc_sent *sent, const wc_response *r,
                       wc_observations *obs) {
  if (!r) return;
  long status = wc_response_status(r);
  wc_check_strict_json(sent, r, obs);
  wc_check_status_class(ctx, sent, r, obs);
  wc_check_error_response(ctx, sent, r, obs);
  if (status == 200) {
    const wc_media_type *mt = wc_response_media_type(r);
    if (mt && mt->is_json)
      wc_observe(obs, WC_REQ_200_JSON, WC_OBS_PASS, exchange_of(sent), "200 to %s is %s",
                 what_of(sent), mt->essence);
    else
      wc_observe(obs, WC_REQ_200_JSON, WC_OBS_FAIL, exchange_of(sent),
                 "200 to %s has Content-Type %s", what_of(sent),
                 mt && mt->present ? (mt->valid ? mt->essence : "(unparseable)") : "(none)");
  }
  if (!sent || !sent->documented_op || !method_is_patch(sent)) return;
  if (status < 200 || status >= 300) return;
  if (sent->api_version && ctx && ctx->api_version && strcmp(sent->api_version, ctx->api_version) == 0) {
    if (status == 200) wc_check_user_schema(ctx, sent, r, obs);
  } else if (!sent->api_version || wc_version_is_known(ctx, sent->api_version)) {
    wc_check_original_shape(sent, r, obs);
  }
}

/* ---- expectations ------------------------------------------------------ */

void wc_check_accepted(const char *requirement, const wc_sent *sent, const wc_response *r,
                       wc_observations *obs) {
  long status = wc_response_status(r);
  if (status >= 200 && status < 300)
    wc_observe(obs, requirement, WC_OBS_PASS, exchange_of(sent), "%s accepted (%ld)", what_of(sent),
               status);
  else
    wc_observe(obs, requirement, WC_OBS_FAIL, exchange_of(sent), "%s: expected 2xx, got %ld",
               what_of(sent), status);
}

static void envelope_findings(const wc_response *r, wc_findings *out) {
  wc_envelope env;
  wc_response_envelope(r, &env, out);
}

void wc_check_rejected_400(const char *requirement, const wc_sent *sent, const wc_response *r,
                           wc_observations *obs) {
  long status = wc_response_status(r);
  int ex = exchange_of(sent);
  if (status != 400) {
    wc_observe(obs, requirement, WC_OBS_FAIL, ex, "%s: expected exactly 400, got %ld", what_of(sent),
               status);
    return;
  }
  wc_findings *found = wc_findings_new();
  if (!found) return;
  envelope_findings(r, found);
  wc_observe_pass_or_findings(obs, requirement, ex, found, "%s rejected with 400",
                              "%s: 400 without a valid error envelope", what_of(sent));
  wc_findings_free(found);
}

void wc_check_auth_rejected(const char *requirement, const wc_sent *sent, const wc_response *r,
                            wc_observations *obs) {
  long status = wc_response_status(r);
  int ex = exchange_of(sent);
  if (status < 400 || status >= 500) {
    wc_observe(obs, requirement, WC_OBS_FAIL, ex, "%s: expected a 4xx, got %ld", what_of(sent),
               status);
    return;
  }
  wc_findings *found = wc_findings_new();
  if (!found) return;
  envelope_findings(r, found);
  wc_observe_pass_or_findings(obs, requirement, ex, found, "%s rejected with %ld",
                              "%s: %ld without a valid error envelope", what_of(sent), status);
  wc_findings_free(found);
}

void wc_check_not_2xx(const char *requirement, const wc_sent *sent, const wc_response *r,
                      wc_observations *obs) {
  long status = wc_response_status(r);
  if (status >= 200 && status < 300)
    wc_observe(obs, requirement, WC_OBS_FAIL, exchange_of(sent), "%s was accepted (%ld)",
               what_of(sent), status);
  else
    wc_observe(obs, requirement, WC_OBS_PASS, exchange_of(sent), "%s refused (%ld)", what_of(sent),
               status);
}

/* Does an Allow value list the method (comma-separated tokens)? */
static bool allow_lists(const char *allow, const char *method) {
  size_t mlen = strlen(method);
  for (const char *p = allow; p && *p;) {
    while (*p == ' ' || *p == '\t' || *p == ',') p++;
    const char *start = p;
    while (*p && *p != ',' && *p != ' ' && *p != '\t') p++;
    if ((size_t)(p - start) == mlen && strncasecmp(start, method, mlen) == 0) return true;
  }
  return false;
}

void wc_check_method_not_allowed(const wc_sent *sent, const wc_response *r, wc_observations *obs) {
  long status = wc_response_status(r);
  int ex = exchange_of(sent);
  if (status != 405) {
    wc_observe(obs, WC_REQ_METHOD_405, WC_OBS_FAIL, ex, "%s: expected 405, got %ld", what_of(sent),
               status);
    return;
  }
  const char *allow = wc_response_header(r, "Allow", 0);
  if (!allow)
    wc_observe(obs, WC_REQ_METHOD_405, WC_OBS_FAIL, ex, "%s: 405 without an Allow header",
               what_of(sent));
  else if (!allow_lists(allow, "PATCH"))
    wc_observe(obs, WC_REQ_METHOD_405, WC_OBS_FAIL, ex, "%s: 405 with an Allow header that omits PATCH",
               what_of(sent));
  else
    wc_observe(obs, WC_REQ_METHOD_405, WC_OBS_PASS, ex, "%s: 405, Allow lists PATCH", what_of(sent));
}

/* Scans text for the version dates (versions.h) it names as words. */
static size_t version_tokens(const char *text, char out[][48], size_t max) {
  size_t n = 0;
  for (const char *p = text; p && *p && n < max; p++) {
    if (p != text && (isalnum((unsigned char)p[-1]) || p[-1] == '-')) continue;
    size_t len = wc_version_prefix_len(p);
    if (!len || isalnum((unsigned char)p[len]) || (p[len] == '-' && isalnum((unsigned char)p[len + 1]))) continue;
    memcpy(out[n], p, len);
    out[n][len] = '\0';
    n++;
    p += len - 1;
  }
  return n;
}

void wc_check_version_list(const wc_check_ctx *ctx, const wc_sent *sent, const wc_response *r,
                           wc_observations *obs) {
  int ex = exchange_of(sent);
  if (wc_response_status(r) != 400) return; /* WC-VER-002 reports the status */
  wc_envelope env;
  wc_response_envelope(r, &env, NULL);
  if (!env.message) {
    wc_observe(obs, WC_REQ_VERSION_LIST, WC_OBS_FAIL, ex, "%s: the 400 has no error.message",
               what_of(sent));
    return;
  }
  char tokens[64][48];
  size_t n = version_tokens(env.message, tokens, 64);
  size_t listed = 0;
  wc_findings *found = wc_findings_new();
  if (!found) return;
  for (size_t i = 0; i < n; i++) {
    if (sent && sent->api_version && strcmp(tokens[i], sent->api_version) == 0) continue;
    bool dup = false;
    for (size_t j = 0; j < i; j++) dup = dup || strcmp(tokens[i], tokens[j]) == 0;
    if (dup) continue;
    listed++;
    if (!wc_version_is_known(ctx, tokens[i]))
      wc_findings_add(found, "/error/message", NULL, "version-list", WC_NO_OFFSET,
                      "the server lists %s, which is not in the configured known versions", tokens[i]);
  }
  if (listed == 0) {
    wc_observe(obs, WC_REQ_VERSION_LIST, WC_OBS_FAIL, ex,
               "%s: the 400 message lists no supported versions", what_of(sent));
    wc_findings_free(found);
    return;
  }
  for (size_t k = 0; ctx && k < ctx->known_count; k++) {
    bool seen = false;
    for (size_t i = 0; i < n && !seen; i++) seen = strcmp(tokens[i], ctx->known_versions[k]) == 0;
    if (!seen)
      wc_findings_add(found, "/error/message", NULL, "version-list", WC_NO_OFFSET,
                      "configured known version %s is not listed by the server",
                      ctx->known_versions[k]);
  }
  wc_observe_pass_or_findings(obs, WC_REQ_VERSION_LIST, ex, found,
                              "%s: the message lists the %zu known versions",
                              "%s: the %zu listed versions differ from the configured list", what_of(sent),
                              listed);
  wc_findings_free(found);
}

/* ---- update semantics -------------------------------------------------- */

static char *short_json(const cJSON *v) {
  if (!v) return wc_strdup("(absent)");
  char *s = cJSON_PrintUnformatted(v);
  if (s && strlen(s) > 80) strcpy(s + 77, "...");
  return s ? s : wc_strdup("?");
}

void wc_check_reflected(const cJSON *user, const cJSON *sent_body, int exchange,
                        wc_observations *obs) {
  wc_findings *found = wc_findings_new();
  if (!found) return;
  size_t compared = 0;
  const cJSON *field;
  cJSON_ArrayForEach(field, sent_body) {
    if (!field->string || strcmp(field->string, "profile_picture") == 0) continue;
    compared++;
    const cJSON *got = cJSON_GetObjectItemCaseSensitive(user, field->string);
    if (!cJSON_Compare(field, got, 1)) {
      char *ptr = wc_pointer_append("", field->string);
      char *want = short_json(field), *have = short_json(got);
      wc_findings_add(found, ptr, NULL, "reflected", WC_NO_OFFSET, "sent %s, the response has %s",
                      want ? want : "?", have ? have : "?");
      free(ptr);
      free(want);
      free(have);
    }
  }
  if (compared == 0) {
    wc_findings_free(found);
    return;
  }
  if (!cJSON_IsObject(user))
    wc_observe(obs, WC_REQ_UPD_REFLECTED, WC_OBS_FAIL, exchange, "the response is not a JSON object");
  else
    wc_observe_pass_or_findings(obs, WC_REQ_UPD_REFLECTED, exchange, found, "sent fields are reflected",
                                "sent fields are not reflected");
  wc_findings_free(found);
}

void wc_check_unchanged(const char *requirement, const cJSON *before, const cJSON *after,
                        const char *const *fields, int exchange, const char *what,
                        wc_observations *obs) {
  if (!cJSON_IsObject(before) || !cJSON_IsObject(after)) {
    wc_observe(obs, requirement, WC_OBS_SKIP, exchange, "%s: no user object to compare",
               what ? what : "compare");
    return;
  }
  wc_findings *found = wc_findings_new();
  if (!found) return;
  for (size_t i = 0; fields && fields[i]; i++) {
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(before, fields[i]);
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(after, fields[i]);
    if (!a && !b) continue;
    if (a && b && cJSON_Compare(a, b, 1)) continue;
    char *ptr = wc_pointer_append("", fields[i]);
    char *was = short_json(a), *now = short_json(b);
    wc_findings_add(found, ptr, NULL, "unchanged", WC_NO_OFFSET, "was %s, now %s", was ? was : "?",
                    now ? now : "?");
    free(ptr);
    free(was);
    free(now);
  }
  wc_observe_pass_or_findings(obs, requirement, exchange, found, "%s: unchanged", "%s: changed",
                              what ? what : "");
  wc_findings_free(found);
}
