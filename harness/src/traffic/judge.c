/* The traffic judge: one exchange seen on the wire -> observations.
 *
 * The request side asks "did the client follow the contract?" (WC-CL-*),
 * the response side "did the server?" with the same checks `run` makes,
 * for the version the request asked for: a request pinned to the
 * latest-shape version is judged by the User schema, an unversioned one or
 * one pinned to an older known version by the original-shape rule, never by
 * the latest schema. What the client got wrong also sets what the server
 * owed it: a request the contract rejects must not be accepted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "traffic_internal.h"
#include "whopconf/catalog.h"
#include "whopconf/json_arena.h"
#include "whopconf/versions.h"
#include "whopconf/response.h"

#define OP_PATH "/users/me"

struct wc_judge {
  wc_schema *request_schema, *user_schema, *error_schema;
  char *documented[16];
  size_t documented_count;
  char *known[WC_TRAFFIC_MAX_VERSIONS];
  size_t known_count;
  char *api_version;
  char *base_path; /* "" or "/api/v1" (no trailing slash) */
  char *op_path;   /* base_path + "/users/me" */
  wc_check_ctx ctx;
};

static char *normalised_base(const char *base) {
  if (!base) base = WC_TRAFFIC_DEFAULT_BASE_PATH;
  size_t n = strlen(base);
  while (n > 0 && base[n - 1] == '/') n--;
  wc_buf b;
  wc_buf_init(&b);
  if ((n > 0 && base[0] != '/' && wc_buf_puts(&b, "/") != 0) || wc_buf_append(&b, base, n) != 0) {
    wc_buf_free(&b);
    return NULL;
  }
  return wc_buf_steal(&b);
}

static int compile_schemas(wc_judge *j, const wc_spec *spec, wc_err *err) {
  wc_schema_opts so;
  wc_schema_opts_default(&so);
  const cJSON *doc = wc_spec_document(spec);
  char *req = wc_spec_request_schema_pointer(spec, "PATCH", OP_PATH, "application/json", err);
  if (!req) return -1;
  j->request_schema = wc_schema_compile(doc, req, &so, err);
  free(req);
  if (!j->request_schema) return -1;
  j->user_schema = wc_schema_compile(doc, "#/components/schemas/User", &so, err);
  if (!j->user_schema) return -1;
  char *e400 = wc_spec_response_schema_pointer(spec, "PATCH", OP_PATH, "400", "application/json", NULL);
  if (e400) j->error_schema = wc_schema_compile(doc, e400, &so, NULL);
  free(e400);
  cJSON *statuses = wc_spec_documented_statuses(spec, "PATCH", OP_PATH, NULL);
  const cJSON *s;
  cJSON_ArrayForEach(s, statuses) {
    if (cJSON_IsString(s) && j->documented_count < sizeof j->documented / sizeof j->documented[0])
      j->documented[j->documented_count++] = wc_strdup(s->valuestring);
  }
  cJSON_Delete(statuses);
  return 0;
}

static int set_versions(wc_judge *j, const wc_judge_opts *o, wc_err *err) {
  size_t n = o->known_count;
  const char *const *known = wc_versions_or_default(o->known_versions, &n);
  for (size_t i = 0; i < n && i < WC_TRAFFIC_MAX_VERSIONS; i++) {
    if (!known[i] || !(j->known[j->known_count++] = wc_strdup(known[i]))) {
      wc_err_set(err, WC_E_NOMEM, "out of memory");
      return -1;
    }
  }
  const char *newest = wc_version_newest((const char *const *)j->known, j->known_count);
  j->api_version = wc_strdup(o->api_version ? o->api_version : newest ? newest : "");
  return j->api_version ? 0 : -1;
}

wc_judge *wc_judge_new(const wc_spec *spec, const wc_judge_opts *opts, wc_err *err) {
  wc_judge_opts defaults = {0};
  const wc_judge_opts *o = opts ? opts : &defaults;
  wc_judge *j = calloc(1, sizeof *j);
  if (!j) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return NULL;
  }
  j->base_path = normalised_base(o->base_path);
  wc_buf op;
  wc_buf_init(&op);
  if (!j->base_path || wc_buf_printf(&op, "%s%s", j->base_path, OP_PATH) != 0) {
    wc_buf_free(&op);
    wc_judge_free(j);
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return NULL;
  }
  j->op_path = wc_buf_steal(&op);
  if (compile_schemas(j, spec, err) != 0 || set_versions(j, o, err) != 0) {
    wc_judge_free(j);
    return NULL;
  }
  j->ctx = (wc_check_ctx){
      .user_schema = j->user_schema,
      .error_schema = j->error_schema,
      .api_version = j->api_version,
      .known_versions = (const char *const *)j->known,
      .known_count = j->known_count,
      .max_response_ms = o->max_response_ms,
      .documented = j->documented_count ? (const char *const *)j->documented : NULL,
      .documented_count = j->documented_count,
  };
  return j;
}

void wc_judge_free(wc_judge *j) {
  if (!j) return;
  wc_schema_free(j->request_schema);
  wc_schema_free(j->user_schema);
  wc_schema_free(j->error_schema);
  for (size_t i = 0; i < j->documented_count; i++) free(j->documented[i]);
  for (size_t i = 0; i < j->known_count; i++) free(j->known[i]);
  free(j->api_version);
  free(j->base_path);
  free(j->op_path);
  free(j);
}

const char *wc_judge_base_path(const wc_judge *j) { return j->base_path; }
const char *wc_judge_api_version(const wc_judge *j) { return j->api_version; }
size_t wc_judge_known_count(const wc_judge *j) { return j->known_count; }
const char *wc_judge_known(const wc_judge *j, size_t i) { return i < j->known_count ? j->known[i] : NULL; }

/* The path of a target: "/a/b" of "/a/b?q", of "http://h:1/a/b#f". */
static const char *path_of(const char *target, size_t *len) {
  const char *p = target ? target : "";
  const char *scheme_end = strstr(p, "://");
  if (scheme_end && (size_t)(scheme_end - p) < strcspn(p, "/?#")) {
    p = scheme_end + 3;
    p += strcspn(p, "/?#"); /* the authority */
  }
  *len = strcspn(p, "?#");
  return p;
}

bool wc_judge_applies(const wc_judge *j, const char *method, const char *target) {
  if (!method || strcmp(method, "PATCH") != 0) return false;
  size_t len;
  const char *path = path_of(target, &len);
  return len == strlen(j->op_path) && memcmp(path, j->op_path, len) == 0;
}

const char *wc_side_name(wc_side side) { return side == WC_SIDE_REQUEST ? "request" : "response"; }

wc_side wc_requirement_side(const char *id) {
  return wc_requirement_is_client(wc_catalog_find(id)) ? WC_SIDE_REQUEST : WC_SIDE_RESPONSE;
}

/* ---- the request ---------------------------------------------------------- */

const char *wc_wire_header_get(const wc_wire_header *h, size_t n, const char *name, size_t *count) {
  const char *first = NULL;
  size_t seen = 0;
  for (size_t i = 0; i < n; i++) {
    if (h[i].name && strcasecmp(h[i].name, name) == 0) {
      if (!first) first = h[i].value ? h[i].value : "";
      seen++;
    }
  }
  if (count) *count = seen;
  return first;
}

/* What the request got wrong that the server must answer with a rejection. */
typedef struct request_faults {
  bool no_authorization;
  bool body_invalid;      /* missing, not JSON, or against the schema */
  const char *version;    /* the Api-Version-Date sent once, or NULL */
  bool version_malformed; /* sent, and not a well-formed date (or sent twice) */
  bool version_unknown;   /* well-formed, not a known version */
} request_faults;

static void judge_body(const wc_judge *j, const wc_wire_exchange *x, int ex, wc_observations *obs,
                       request_faults *faults) {
  const wc_wire_body *b = &x->request_body;
  if (!b->data || (b->len == 0 && !b->truncated)) {
    wc_observe(obs, WC_REQ_CL_BODY_PRESENT, WC_OBS_FAIL, ex, "request: no body (requestBody is required)");
    faults->body_invalid = true;
    return;
  }
  wc_observe(obs, WC_REQ_CL_BODY_PRESENT, WC_OBS_PASS, ex, "request: a body of %zu bytes", b->len);
  const char *ctype = wc_wire_header_get(x->request_headers, x->request_header_count, "Content-Type", NULL);
  wc_media_type mt;
  if (ctype && wc_media_type_parse(ctype, &mt) == 0 && strcmp(mt.essence, "application/json") == 0)
    wc_observe(obs, WC_REQ_CL_CONTENT_TYPE, WC_OBS_PASS, ex, "request: Content-Type %s", mt.essence);
  else
    wc_observe(obs, WC_REQ_CL_CONTENT_TYPE, WC_OBS_FAIL, ex, "request: Content-Type is %s, not application/json",
               ctype ? (mt.valid ? mt.essence : "unparseable") : "missing");
  if (b->truncated) {
    wc_observe(obs, WC_REQ_CL_STRICT_JSON, WC_OBS_SKIP, ex,
               "request: body truncated in the capture (%zu bytes kept)", b->len);
    return;
  }
  wc_findings *found = wc_findings_new();
  wc_err err;
  wc_err_clear(&err);
  bool arena = wc_json_arena_begin(); /* the tree is deleted below, on this thread */
  cJSON *body = found ? wc_json_parse(b->data, b->len, NULL, found, &err) : NULL;
  if (!body) {
    if (arena) wc_json_arena_end();
    wc_observe(obs, WC_REQ_CL_STRICT_JSON, WC_OBS_FAIL, ex, "request: body is not JSON: %s",
               found ? err.msg : "out of memory");
    faults->body_invalid = true;
    wc_findings_free(found);
    return;
  }
  wc_observe_findings(obs, WC_REQ_CL_STRICT_JSON, ex, found, "request: body is not strict JSON");
  if (wc_findings_count(found)) faults->body_invalid = true;
  wc_findings_clear(found);
  if (!wc_schema_validate(j->request_schema, body, found)) faults->body_invalid = true;
  wc_observe_findings(obs, WC_REQ_CL_BODY_SCHEMA, ex, found, "request: body against the requestBody schema");
  cJSON_Delete(body);
  if (arena) wc_json_arena_end();
  wc_findings_free(found);
}

static void judge_version(const wc_judge *j, const wc_wire_exchange *x, int ex, wc_observations *obs,
                          request_faults *faults) {
  size_t count;
  const char *v = wc_wire_header_get(x->request_headers, x->request_header_count, "Api-Version-Date", &count);
  if (count == 0) return; /* optional: the original shapes */
  if (count > 1) {
    faults->version_malformed = true;
    wc_observe(obs, WC_REQ_CL_VERSION, WC_OBS_FAIL, ex, "request: Api-Version-Date sent %zu times", count);
    return;
  }
  faults->version = v;
  if (!wc_version_well_formed(v)) {
    faults->version_malformed = true;
    wc_observe(obs, WC_REQ_CL_VERSION, WC_OBS_FAIL, ex, "request: Api-Version-Date \"%.40s\" is not a date", v);
  } else if (!wc_version_is_known(&j->ctx, v)) {
    faults->version_unknown = true;
    wc_observe(obs, WC_REQ_CL_VERSION, WC_OBS_FAIL, ex, "request: Api-Version-Date %s is not a known version", v);
  } else {
    wc_observe(obs, WC_REQ_CL_VERSION, WC_OBS_PASS, ex, "request: Api-Version-Date %s", v);
  }
}

static bool contains(const char *hay, size_t n, const char *needle, size_t m) {
  if (!hay || m == 0 || n < m) return false;
  for (size_t i = 0; i + m <= n; i++)
    if (hay[i] == needle[0] && memcmp(hay + i, needle, m) == 0) return true;
  return false;
}

/* Every place outside Authorization where a credential shows (names only:
 * a finding never repeats the credential). */
static void misplaced_credentials(const wc_wire_exchange *x, const char *token, size_t token_len,
                                  wc_findings *found) {
  size_t len;
  const char *path = path_of(x->target, &len);
  const char *query = path[len] == '?' ? path + len + 1 : NULL;
  size_t qlen = query ? strcspn(query, "#") : 0;
  for (const char *p = query; p && p < query + qlen;) {
    size_t plen = strcspn(p, "&#"), nlen = strcspn(p, "=&#");
    if (nlen > plen) nlen = plen;
    if (wc_wire_credential_param(p, nlen))
      wc_findings_add(found, NULL, NULL, "query", WC_NO_OFFSET, "credential in the query string (parameter %.*s)",
                      (int)(nlen < 64 ? nlen : 64), p);
    p += plen + (p[plen] == '&');
    if (plen == 0) break;
  }
  if (contains(query, qlen, token, token_len))
    wc_findings_add(found, NULL, NULL, "query", WC_NO_OFFSET,
                    "the Authorization credential also appears in the query string");
  for (size_t i = 0; i < x->request_header_count; i++) {
    const char *name = x->request_headers[i].name ? x->request_headers[i].name : "";
    const char *value = x->request_headers[i].value ? x->request_headers[i].value : "";
    if (strcasecmp(name, "Authorization") == 0 || strcasecmp(name, "Proxy-Authorization") == 0) continue;
    bool cookie = strcasecmp(name, "Cookie") == 0;
    size_t vlen = strlen(value);
    if ((!cookie && wc_wire_credential_header(name)) || strncasecmp(value + strspn(value, " \t"), "bearer ", 7) == 0)
      wc_findings_add(found, NULL, NULL, "header", WC_NO_OFFSET, "credential in the %.64s header", name);
    else if (contains(value, vlen, token, token_len))
      wc_findings_add(found, NULL, NULL, "header", WC_NO_OFFSET,
                      "the Authorization credential also appears in the %.64s header", name);
  }
  if (contains(x->request_body.data, x->request_body.len, token, token_len))
    wc_findings_add(found, NULL, NULL, "body", WC_NO_OFFSET,
                    "the Authorization credential also appears in the request body");
}

static void judge_credentials(const wc_wire_exchange *x, int ex, wc_observations *obs, request_faults *faults) {
  size_t count;
  const char *auth = wc_wire_header_get(x->request_headers, x->request_header_count, "Authorization", &count);
  size_t token_len = 0;
  const char *token = NULL;
  if (count == 0) {
    faults->no_authorization = true;
    wc_observe(obs, WC_REQ_CL_AUTHORIZATION, WC_OBS_FAIL, ex, "request: no Authorization header");
  } else if (count > 1) {
    wc_observe(obs, WC_REQ_CL_AUTHORIZATION, WC_OBS_FAIL, ex, "request: %zu Authorization headers", count);
  } else {
    token = wc_wire_auth_credential(auth, &token_len);
    const char *scheme = auth + strspn(auth, " \t");
    size_t scheme_len = strcspn(scheme, " \t");
    if (scheme_len != 6 || strncasecmp(scheme, "Bearer", 6) != 0 || !token)
      wc_observe(obs, WC_REQ_CL_AUTHORIZATION, WC_OBS_FAIL, ex,
                 "request: Authorization is not \"Bearer <credential>\" (scheme \"%.*s\"%s)",
                 (int)(scheme_len < 20 ? scheme_len : 20), scheme, token ? "" : ", no credential");
    else
      wc_observe(obs, WC_REQ_CL_AUTHORIZATION, WC_OBS_PASS, ex, "request: Authorization: Bearer credential");
  }
  wc_findings *found = wc_findings_new();
  if (!found) return;
  /* A short "credential" would match by accident everywhere. */
  misplaced_credentials(x, token, token_len >= 4 ? token_len : 0, found);
  wc_observe_findings(obs, WC_REQ_CL_CREDENTIAL_PLACE, ex, found, "request: credential outside Authorization");
  wc_findings_free(found);
}

/* ---- the response --------------------------------------------------------- */

/* The server owed this request a rejection: 400 (or another 4xx when the
 * credential was judged first, which cannot be told apart from here). */
static void expect_rejection(const char *requirement, const wc_sent *sent, const wc_response *r,
                             wc_observations *obs) {
  long status = wc_response_status(r);
  if (status == 400 || (status >= 200 && status < 300) || status >= 500)
    wc_check_rejected_400(requirement, sent, r, obs);
  else
    wc_observe(obs, requirement, WC_OBS_SKIP, sent->exchange,
               "response: %ld to %s (rejected before this rule could be judged)", status, sent->what);
}

static void judge_response(const wc_judge *j, const wc_wire_exchange *x, const request_faults *faults,
                           wc_sent *sent, wc_observations *obs) {
  const wc_wire_body *b = &x->response_body;
  wc_response *r = wc_response_new(x->status, b->data ? b->data : "", b->data ? b->len : 0);
  for (size_t i = 0; r && i < x->response_header_count; i++)
    wc_response_add_header(r, x->response_headers[i].name ? x->response_headers[i].name : "",
                           x->response_headers[i].value ? x->response_headers[i].value : "");
  if (!r) return;
  if (b->truncated) {
    /* The body cannot be judged; the status line and headers can. */
    wc_check_status_class(&j->ctx, sent, r, obs);
    wc_observe(obs, WC_REQ_STRICT_JSON, WC_OBS_SKIP, sent->exchange,
               "response: body truncated in the capture (%zu bytes kept)", b->len);
    wc_response_free(r);
    return;
  }
  bool arena = wc_json_arena_begin(); /* the response (and its tree) is freed below, on this thread */
  wc_response_finish(r, NULL);
  wc_check_response(&j->ctx, sent, r, obs);
  if (faults->no_authorization) wc_check_auth_rejected(WC_REQ_AUTH_REJECTED, sent, r, obs);
  if (faults->version_malformed) expect_rejection(WC_REQ_MALFORMED_400, sent, r, obs);
  if (faults->version_unknown) {
    expect_rejection(WC_REQ_UNKNOWN_400, sent, r, obs);
    if (wc_response_status(r) == 400) wc_check_version_list(&j->ctx, sent, r, obs);
  }
  if (faults->body_invalid) expect_rejection(WC_REQ_INVALID_BODY_400, sent, r, obs);
  wc_response_free(r);
  if (arena) wc_json_arena_end();
}

static void tally_verdict(const wc_observations *obs, size_t from, wc_verdict *out) {
  for (size_t i = from; i < wc_observations_count(obs); i++) {
    const wc_observation *o = wc_observations_get(obs, i);
    if (o->status != WC_OBS_FAIL && o->status != WC_OBS_WARN) continue;
    const wc_requirement *req = wc_catalog_find(o->requirement);
    if (o->status == WC_OBS_WARN || (req && req->level == WC_LEVEL_SHOULD))
      out->warnings++;
    else if (wc_requirement_is_client(req))
      out->request_failures++;
    else
      out->response_failures++;
  }
}

int wc_judge_exchange(const wc_judge *j, const wc_wire_exchange *x, int exchange, wc_observations *obs,
                      wc_verdict *out) {
  wc_verdict local;
  if (!out) out = &local;
  memset(out, 0, sizeof *out);
  if (!wc_judge_applies(j, x->method, x->target)) return 0;
  out->judged = true;
  size_t before = wc_observations_count(obs);
  request_faults faults = {0};
  judge_credentials(x, exchange, obs, &faults);
  judge_version(j, x, exchange, obs, &faults);
  judge_body(j, x, exchange, obs, &faults);
  if (x->status > 0) {
    char what[160];
    size_t len;
    const char *path = path_of(x->target, &len);
    snprintf(what, sizeof what, "PATCH %.*s %s%.40s", (int)(len < 80 ? len : 80), path,
             faults.version ? "pinned to " : "without Api-Version-Date", faults.version ? faults.version : "");
    wc_sent sent = {.method = "PATCH",
                    .documented_op = true,
                    .api_version = faults.version_malformed && !faults.version ? "(sent twice)" : faults.version,
                    .time_ms = x->time_ms > 0 ? x->time_ms : 0,
                    .exchange = exchange,
                    .what = what};
    judge_response(j, x, &faults, &sent, obs);
  }
  tally_verdict(obs, before, out);
  return 0;
}
