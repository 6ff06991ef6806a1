/* The observations container and its JSON form (see observations.h): what
 * the checks append to, what a case writes into its result file, and what
 * the report assembly reads back. */
#include "whopconf/observations.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whopconf/catalog.h"

struct wc_observations {
  wc_observation *items;
  size_t count;
  size_t cap;
  bool pass_reasons_off; /* a pass's reason is left unformatted (NULL) */
};

void wc_observations_omit_pass_reasons(wc_observations *obs) {
  if (obs) obs->pass_reasons_off = true;
}

bool wc_observations_pass_reasons_kept(const wc_observations *obs) { return obs && !obs->pass_reasons_off; }


static const char *const status_names[] = {
#define WC_OBS_STATUS_NAME(name, text) [WC_OBS_##name] = text,
    WC_OBS_STATUS_MAP(WC_OBS_STATUS_NAME)
#undef WC_OBS_STATUS_NAME
};
#define STATUS_COUNT (int)(sizeof status_names / sizeof status_names[0])

const char *wc_obs_status_name(wc_obs_status status) {
  return (int)status >= 0 && (int)status < STATUS_COUNT ? status_names[status] : "skip";
}

int wc_obs_status_parse(const char *name) {
  for (int i = 0; name && i < STATUS_COUNT; i++)
    if (strcmp(status_names[i], name) == 0) return i;
  return -1;
}

wc_observations *wc_observations_new(void) { return calloc(1, sizeof(wc_observations)); }

void wc_observations_free(wc_observations *obs) {
  if (!obs) return;
  for (size_t i = 0; i < obs->count; i++) {
    free(obs->items[i].reason);
    wc_findings_free(obs->items[i].findings);
  }
  free(obs->items);
  free(obs);
}

size_t wc_observations_count(const wc_observations *obs) { return obs ? obs->count : 0; }

const wc_observation *wc_observations_get(const wc_observations *obs, size_t index) {
  return obs && index < obs->count ? &obs->items[index] : NULL;
}

/* Reasons are one line: control characters (a server's message may hold
 * anything) become spaces. */
static void one_line(char *s) {
  for (; s && *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = ' ';
}

static wc_observation *observe_v(wc_observations *obs, const char *requirement,
                                 wc_obs_status status, int exchange, const char *fmt, va_list ap) {
  if (!obs || !requirement) return NULL;
  const wc_requirement *req = wc_catalog_find(requirement);
  if (!req) return NULL; /* an unknown id is a bug in a case; never recorded */
  if (obs->count == obs->cap) {
    size_t cap = obs->cap ? obs->cap * 2 : 16;
    wc_observation *items = realloc(obs->items, cap * sizeof *items);
    if (!items) return NULL;
    obs->items = items;
    obs->cap = cap;
  }
  /* Most reasons fit the stack buffer: formatted once, copied once. */
  char small[256];
  char *reason = NULL;
  if (!(status == WC_OBS_PASS && obs->pass_reasons_off)) {
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(small, sizeof small, fmt ? fmt : "", copy);
    va_end(copy);
    reason = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!reason) return NULL;
    if ((size_t)n < sizeof small) memcpy(reason, small, (size_t)n + 1);
    else vsnprintf(reason, (size_t)n + 1, fmt ? fmt : "", ap);
  }
  wc_findings *findings = wc_findings_new();
  if (!findings) {
    free(reason);
    return NULL;
  }
  one_line(reason);
  wc_observation *o = &obs->items[obs->count++];
  *o = (wc_observation){.requirement = req->id, .status = status, .reason = reason,
                        .exchange = exchange, .note = false, .findings = findings};
  return o;
}

wc_observation *wc_observe(wc_observations *obs, const char *requirement, wc_obs_status status,
                           int exchange, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  wc_observation *o = observe_v(obs, requirement, status, exchange, fmt, ap);
  va_end(ap);
  return o;
}

int wc_findings_copy(wc_findings *dst, const wc_findings *src) {
  for (size_t i = 0; i < wc_findings_count(src); i++) {
    const wc_finding *f = wc_findings_get(src, i);
    if (wc_findings_add(dst, f->instance_pointer, f->schema_pointer, f->keyword, f->offset, "%s",
                        f->message ? f->message : "") < 0)
      return -1;
  }
  return 0;
}

wc_observation *wc_observe_pass_or_findings(wc_observations *obs, const char *requirement, int exchange,
                                            const wc_findings *found, const char *pass_fmt,
                                            const char *fail_fmt, ...) {
  va_list ap;
  va_start(ap, fail_fmt);
  wc_observation *o;
  if (wc_findings_count(found) == 0) {
    o = observe_v(obs, requirement, WC_OBS_PASS, exchange, pass_fmt, ap);
  } else {
    char what[256];
    vsnprintf(what, sizeof what, fail_fmt, ap);
    o = wc_observe_findings(obs, requirement, exchange, found, what);
  }
  va_end(ap);
  return o;
}

static const char *pointer_or_root(const char *p) { return p && *p ? p : "(root)"; }

wc_observation *wc_observe_findings(wc_observations *obs, const char *requirement, int exchange,
                                    const wc_findings *found, const char *what) {
  size_t n = wc_findings_count(found);
  if (n == 0) return wc_observe(obs, requirement, WC_OBS_PASS, exchange, "%s", what ? what : "ok");
  const wc_finding *first = wc_findings_get(found, 0);
  wc_observation *o;
  if (n == 1)
    o = wc_observe(obs, requirement, WC_OBS_FAIL, exchange, "%s: %s: %s", what ? what : "failed",
                   pointer_or_root(first->instance_pointer), first->message ? first->message : "");
  else
    o = wc_observe(obs, requirement, WC_OBS_FAIL, exchange, "%s: %s: %s (+%zu more)",
                   what ? what : "failed", pointer_or_root(first->instance_pointer),
                   first->message ? first->message : "", n - 1);
  if (o) wc_findings_copy(o->findings, found);
  return o;
}

static cJSON *findings_to_json(const wc_findings *list) {
  cJSON *arr = cJSON_CreateArray();
  for (size_t i = 0; arr && i < wc_findings_count(list); i++) {
    const wc_finding *f = wc_findings_get(list, i);
    cJSON *o = cJSON_CreateObject();
    if (!o) break;
    cJSON_AddItemToObject(o, "instance_pointer", f->instance_pointer
                                                     ? cJSON_CreateString(f->instance_pointer)
                                                     : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "spec_pointer", f->schema_pointer ? cJSON_CreateString(f->schema_pointer)
                                                               : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "keyword",
                          f->keyword ? cJSON_CreateString(f->keyword) : cJSON_CreateNull());
    cJSON_AddStringToObject(o, "message", f->message ? f->message : "");
    if (f->offset != WC_NO_OFFSET) cJSON_AddNumberToObject(o, "offset", (double)f->offset);
    cJSON_AddItemToArray(arr, o);
  }
  return arr;
}

cJSON *wc_observations_to_json(const wc_observations *obs) {
  cJSON *arr = cJSON_CreateArray();
  for (size_t i = 0; arr && i < wc_observations_count(obs); i++) {
    const wc_observation *o = &obs->items[i];
    cJSON *j = cJSON_CreateObject();
    if (!j) break;
    cJSON_AddStringToObject(j, "requirement", o->requirement);
    cJSON_AddStringToObject(j, "status", wc_obs_status_name(o->status));
    cJSON_AddStringToObject(j, "reason", o->reason ? o->reason : "");
    cJSON_AddNumberToObject(j, "exchange", o->exchange);
    if (o->note) cJSON_AddTrueToObject(j, "note");
    if (o->count > 1) cJSON_AddNumberToObject(j, "count", (double)o->count);
    cJSON_AddItemToObject(j, "findings", findings_to_json(o->findings));
    cJSON_AddItemToArray(arr, j);
  }
  return arr;
}

static int findings_from_json(wc_findings *dst, const cJSON *array) {
  const cJSON *f;
  cJSON_ArrayForEach(f, array) {
    const cJSON *off = cJSON_GetObjectItemCaseSensitive(f, "offset");
    const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "message"));
    const char *instance = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "instance_pointer"));
    const char *spec = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "spec_pointer"));
    const char *keyword = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "keyword"));
    if (wc_findings_add(dst, instance, spec, keyword,
                        cJSON_IsNumber(off) ? (size_t)off->valuedouble : WC_NO_OFFSET, "%s",
                        msg ? msg : "") < 0)
      return -1;
  }
  return 0;
}

wc_observations *wc_observations_from_json(const cJSON *array, wc_err *err) {
  if (!cJSON_IsArray(array)) {
    wc_err_set(err, WC_E_PARSE, "observations: expected an array");
    return NULL;
  }
  wc_observations *obs = wc_observations_new();
  if (!obs) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return NULL;
  }
  const cJSON *item;
  cJSON_ArrayForEach(item, array) {
    const char *req = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, "requirement"));
    const char *status_name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, "status"));
    int status = wc_obs_status_parse(status_name);
    if (!req || status < 0 || !wc_catalog_find(req)) {
      wc_err_set(err, WC_E_PARSE, "observations: an entry has no valid requirement or status");
      wc_observations_free(obs);
      return NULL;
    }
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(item, "exchange");
    const char *reason = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, "reason"));
    wc_observation *o = wc_observe(obs, req, (wc_obs_status)status,
                                   cJSON_IsNumber(ex) ? (int)ex->valuedouble : 0, "%s",
                                   reason ? reason : "");
    if (!o || findings_from_json(o->findings, cJSON_GetObjectItemCaseSensitive(item, "findings")) < 0) {
      wc_err_set(err, WC_E_NOMEM, "out of memory");
      wc_observations_free(obs);
      return NULL;
    }
    o->note = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(item, "note"));
    const cJSON *count = cJSON_GetObjectItemCaseSensitive(item, "count");
    if (cJSON_IsNumber(count) && count->valuedouble >= 1) o->count = (uint64_t)count->valuedouble;
  }
  return obs;
}
