/* report.sarif: SARIF 2.1.0 for GitHub code scanning.
 *
 * rules = the requirements of the document (catalogue order); one result per
 * failed or warned requirement, located at the line of the spec that states
 * it (wc_spec_line, else the document's spec_line), with each finding's own
 * spec node as a related location. partialFingerprints hash the requirement
 * id and its spec pointer, so the same broken requirement is one alert
 * across runs whatever its findings say this time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

#define SARIF_SCHEMA "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#define MAX_RELATED 20

typedef struct sarif {
  const cJSON *report;
  const wc_spec *spec;
  const char *artifact; /* uri of the spec */
  bool oom;
} sarif;

/* A new object inside parent (an array when key is NULL); NULL, with
 * nothing leaked, when parent is NULL because something failed earlier. */
static cJSON *obj(sarif *s, cJSON *parent, const char *key) {
  if (!parent) return NULL;
  cJSON *o = cJSON_CreateObject();
  if (!o || !(cJSON_IsArray(parent) ? cJSON_AddItemToArray(parent, o) : cJSON_AddItemToObject(parent, key, o))) {
    cJSON_Delete(o);
    s->oom = true;
    return NULL;
  }
  return o;
}

static cJSON *arr(sarif *s, cJSON *parent, const char *key) {
  if (!parent) return NULL;
  cJSON *a = cJSON_AddArrayToObject(parent, key);
  if (!a) s->oom = true;
  return a;
}

static void str(sarif *s, cJSON *parent, const char *key, const char *value) {
  if (!parent || !value) return;
  if (!wc_rep_add_str(parent, key, value)) s->oom = true;
}

static void num(sarif *s, cJSON *parent, const char *key, double value) {
  if (parent && !cJSON_AddNumberToObject(parent, key, value)) s->oom = true;
}

static void boolean(sarif *s, cJSON *parent, const char *key, bool value) {
  if (parent && !cJSON_AddBoolToObject(parent, key, value)) s->oom = true;
}

static void message(sarif *s, cJSON *parent, const char *key, const char *text) {
  cJSON *m = obj(s, parent, key);
  str(s, m, "text", text ? text : "");
}

/* The spec file as GitHub knows it: the run's own relative --spec path, or
 * spec/openapi.yml for the embedded copy and absolute paths. */
static const char *artifact_uri(const cJSON *report) {
  const char *path = wc_rep_get_str(wc_rep_get_obj(wc_rep_get_obj(report, "run"), "spec"), "path");
  if (!path || !*path || path[0] == '/' || strstr(path, "(embedded)") || strstr(path, "..") ||
      strpbrk(path, " \\:?#%"))
    return WC_REP_SPEC_URI;
  return path;
}

static void location(sarif *s, cJSON *parent, int line, int id, const char *text) {
  cJSON *loc = obj(s, parent, NULL);
  if (!loc) return;
  if (id > 0) num(s, loc, "id", id);
  cJSON *phys = obj(s, loc, "physicalLocation");
  cJSON *art = obj(s, phys, "artifactLocation");
  str(s, art, "uri", s->artifact);
  str(s, art, "uriBaseId", "%SRCROOT%");
  num(s, art, "index", 0);
  if (line > 0) {
    cJSON *region = obj(s, phys, "region");
    num(s, region, "startLine", line);
  }
  if (text) message(s, loc, "message", text);
}

static const char *rule_level(const char *level) {
  return level && strcmp(level, "SHOULD") == 0 ? "warning" : "error";
}

static void rule(sarif *s, cJSON *rules, const cJSON *req) {
  cJSON *r = obj(s, rules, NULL);
  if (!r) return;
  const char *id = wc_rep_get_str(req, "id");
  const char *title = wc_rep_req_field(req, "title");
  const char *source = wc_rep_req_field(req, "source");
  const char *level = wc_rep_req_field(req, "level");
  const char *family = wc_rep_req_field(req, "family");
  str(s, r, "id", id);
  message(s, r, "shortDescription", title ? title : id);
  wc_buf full;
  wc_buf_init(&full);
  if (wc_buf_printf(&full, "%s (%s) %s Source: %s.", id, level ? level : "MUST", title ? title : "",
                    source ? source : "spec/openapi.yml") != 0)
    s->oom = true;
  message(s, r, "fullDescription", full.data);
  wc_buf_free(&full);
  cJSON *conf = obj(s, r, "defaultConfiguration");
  str(s, conf, "level", rule_level(level));
  cJSON *props = obj(s, r, "properties");
  str(s, props, "level", level ? level : "MUST");
  str(s, props, "family", family);
  str(s, props, "spec_pointer", wc_rep_req_field(req, "spec_pointer"));
  str(s, props, "schemathesis", wc_rep_req_field(req, "schemathesis"));
  cJSON *tags = arr(s, props, "tags");
  if (tags) {
    cJSON *t1 = wc_rep_jstr("conformance", 0), *t2 = wc_rep_jstr(family ? family : "other", 256);
    if (t1) cJSON_AddItemToArray(tags, t1);
    if (t2) cJSON_AddItemToArray(tags, t2);
    if (!t1 || !t2) s->oom = true;
  }
}

/* The distinct findings of the generated phases for this requirement, as
 * a property: where, which edge class, how often, the minimal and original
 * exchanges and the reproduction of the minimal one. */
static void generated(sarif *s, cJSON *props, const cJSON *req) {
  const cJSON *list[WC_REP_MAX_GENERATED];
  size_t total = wc_rep_req_generated(s->report, wc_rep_get_str(req, "id"), list, WC_REP_MAX_GENERATED);
  size_t n = total < WC_REP_MAX_GENERATED ? total : WC_REP_MAX_GENERATED;
  if (!n) return;
  num(s, props, "generated_findings", (double)total);
  cJSON *out = arr(s, props, "generated");
  for (size_t i = 0; out && i < n; i++) {
    const cJSON *f = list[i];
    cJSON *g = obj(s, out, NULL);
    static const char *const strings[] = {"status", "location", "edge_class", "case", "minimal", "original"};
    for (size_t k = 0; k < sizeof strings / sizeof strings[0]; k++)
      str(s, g, strcmp(strings[k], "case") == 0 ? "phase" : strings[k], wc_rep_get_str(f, strings[k]));
    static const char *const numbers[] = {"http_status", "count", "shrink_steps", "original_size", "minimal_size"};
    for (size_t k = 0; k < sizeof numbers / sizeof numbers[0]; k++) num(s, g, numbers[k], wc_rep_get_num(f, numbers[k], 0));
    const char *xid = wc_rep_get_str(f, "minimal");
    if (!xid) xid = wc_rep_get_str(f, "original");
    const char *curl = xid ? wc_rep_get_str(wc_rep_exchange(s->report, xid), "curl") : NULL;
    if (curl && g) {
      cJSON *c = wc_rep_jstr(curl, WC_REP_BODY_CAP);
      if (!c || !cJSON_AddItemToObject(g, "reproduce", c)) {
        cJSON_Delete(c);
        s->oom = true;
      }
    }
  }
}

static void result(sarif *s, cJSON *results, const cJSON *req, int index) {
  cJSON *r = obj(s, results, NULL);
  if (!r) return;
  const char *id = wc_rep_get_str(req, "id");
  const char *title = wc_rep_req_field(req, "title");
  const char *reason = wc_rep_get_str(req, "reason");
  const char *level = wc_rep_req_field(req, "level");
  const cJSON *findings = wc_rep_get_arr(req, "findings");
  int nfind = cJSON_GetArraySize(findings);
  wc_rep_status status = wc_rep_req_status(req);
  str(s, r, "ruleId", id);
  num(s, r, "ruleIndex", index);
  str(s, r, "level", wc_rep_req_failing(s->report, req) ? "error" : "warning");
  str(s, r, "kind", "fail");

  wc_buf text;
  wc_buf_init(&text);
  int rc = wc_buf_printf(&text, "%s (%s) %s: %s", id, level ? level : "MUST",
                         status == WC_REP_WARN ? "warning" : "failed", title ? title : "");
  if (reason) rc |= wc_buf_printf(&text, " Reason: %s.", reason);
  const cJSON *first = cJSON_GetArrayItem(findings, 0);
  if (first) {
    const char *ip = wc_rep_get_str(first, "instance_pointer"), *msg = wc_rep_get_str(first, "message");
    rc |= wc_buf_printf(&text, " %d finding%s; first: %s%s%s", nfind, nfind == 1 ? "" : "s",
                        ip ? (*ip ? ip : "(root)") : "", ip ? ": " : "", msg ? msg : "");
  }
  if (rc != 0) s->oom = true;
  message(s, r, "message", text.data);
  wc_buf_free(&text);

  cJSON *locs = arr(s, r, "locations");
  if (locs) location(s, locs, wc_rep_req_spec_line(req, s->spec), 0, NULL);

  /* Each finding's own spec node (the keyword that failed), when known. */
  cJSON *related = NULL;
  int rid = 0;
  const cJSON *f;
  cJSON_ArrayForEach(f, findings) {
    const char *pointer = wc_rep_get_str(f, "spec_pointer");
    int line = s->spec && pointer ? wc_spec_line(s->spec, pointer) : 0;
    if (line <= 0) continue;
    if (!related) related = arr(s, r, "relatedLocations");
    if (!related || ++rid > MAX_RELATED) break;
    location(s, related, line, rid, wc_rep_get_str(f, "message"));
  }

  const char *pointer = wc_rep_req_field(req, "spec_pointer");
  wc_buf key;
  wc_buf_init(&key);
  if (wc_buf_printf(&key, "%s\n%s", id, pointer ? pointer : "") != 0) s->oom = true;
  char hash[65];
  wc_sha256_hex(key.data ? key.data : "", key.len, hash);
  wc_buf_free(&key);
  cJSON *fp = obj(s, r, "partialFingerprints");
  str(s, fp, "whopconfRequirement/v1", hash);

  cJSON *props = obj(s, r, "properties");
  str(s, props, "status", wc_rep_status_name(status));
  str(s, props, "family", wc_rep_req_field(req, "family"));
  num(s, props, "findings", nfind);
  double checks = wc_rep_get_num(req, "checks", -1);
  if (checks >= 0) num(s, props, "checks", checks);
  generated(s, props, req);
  const char *ids[WC_REP_MAX_EVIDENCE];
  size_t n = wc_rep_req_evidence(req, ids, WC_REP_MAX_EVIDENCE);
  cJSON *curls = NULL;
  for (size_t i = 0; i < n; i++) {
    const char *curl = wc_rep_get_str(wc_rep_exchange(s->report, ids[i]), "curl");
    if (!curl) continue;
    if (!curls) curls = arr(s, props, "reproduce");
    cJSON *c = curls ? wc_rep_jstr(curl, WC_REP_BODY_CAP) : NULL;
    if (!c || !cJSON_AddItemToArray(curls, c)) {
      cJSON_Delete(c);
      s->oom = true;
      break;
    }
  }
}

char *wc_report_render_sarif(const cJSON *report, const wc_spec *spec, wc_err *err) {
  if (wc_rep_check(report, err) != 0) return NULL;
  sarif s = {report, spec, artifact_uri(report), false};
  const cJSON *run = wc_rep_get_obj(report, "run");
  const cJSON *summary = wc_rep_get_obj(report, "summary");

  cJSON *root = cJSON_CreateObject();
  if (!root) s.oom = true;
  str(&s, root, "$schema", SARIF_SCHEMA);
  str(&s, root, "version", "2.1.0");
  cJSON *runs = root ? arr(&s, root, "runs") : NULL;
  cJSON *r = runs ? obj(&s, runs, NULL) : NULL;
  cJSON *tool = obj(&s, r, "tool");
  cJSON *driver = obj(&s, tool, "driver");
  const char *version = wc_rep_get_str(run, "whopconf_version");
  str(&s, driver, "name", "whopconf");
  str(&s, driver, "version", version ? version : WC_VERSION);
  str(&s, driver, "semanticVersion", version ? version : WC_VERSION);
  cJSON *rules = driver ? arr(&s, driver, "rules") : NULL;
  const cJSON *req;
  cJSON_ArrayForEach(req, wc_rep_get_arr(report, "requirements")) {
    if (rules) rule(&s, rules, req);
  }

  cJSON *artifacts = r ? arr(&s, r, "artifacts") : NULL;
  cJSON *art = artifacts ? obj(&s, artifacts, NULL) : NULL;
  cJSON *art_loc = obj(&s, art, "location");
  str(&s, art_loc, "uri", s.artifact);
  str(&s, art_loc, "uriBaseId", "%SRCROOT%");
  const char *sha = wc_rep_get_str(wc_rep_get_obj(run, "spec"), "sha256");
  if (sha) {
    cJSON *hashes = obj(&s, art, "hashes");
    str(&s, hashes, "sha-256", sha);
  }

  cJSON *invocations = r ? arr(&s, r, "invocations") : NULL;
  cJSON *inv = invocations ? obj(&s, invocations, NULL) : NULL;
  const char *verdict = wc_rep_get_str(summary, "verdict");
  boolean(&s, inv, "executionSuccessful", !(verdict && strcmp(verdict, "error") == 0));
  const cJSON *exit_code = wc_rep_get(summary, "exit_code");
  if (cJSON_IsNumber(exit_code)) num(&s, inv, "exitCode", exit_code->valuedouble);
  str(&s, inv, "startTimeUtc", wc_rep_get_str(run, "started_at"));
  if (verdict && strcmp(verdict, "error") == 0) {
    cJSON *notes = arr(&s, inv, "toolExecutionNotifications");
    cJSON *note = notes ? obj(&s, notes, NULL) : NULL;
    str(&s, note, "level", "error");
    const char *reason = wc_rep_get_str(summary, "reason");
    message(&s, note, "message", reason ? reason : "could not test");
  }
  cJSON *inv_props = obj(&s, inv, "properties");
  str(&s, inv_props, "target", wc_rep_get_str(wc_rep_get_obj(run, "target"), "base_url"));
  str(&s, inv_props, "api_version", wc_rep_get_str(run, "api_version"));
  str(&s, inv_props, "verdict", verdict);
  const cJSON *seed = wc_rep_get(run, "seed");
  if (cJSON_IsNumber(seed)) num(&s, inv_props, "seed", seed->valuedouble);
  cJSON *weakened = inv_props ? arr(&s, inv_props, "weakened") : NULL;
  const cJSON *flag;
  cJSON_ArrayForEach(flag, wc_rep_get_arr(run, "weakened")) {
    cJSON *f = cJSON_IsString(flag) && weakened ? wc_rep_jstr(flag->valuestring, 256) : NULL;
    if (f) cJSON_AddItemToArray(weakened, f);
  }

  cJSON *results = r ? arr(&s, r, "results") : NULL;
  int index = 0;
  cJSON_ArrayForEach(req, wc_rep_get_arr(report, "requirements")) {
    wc_rep_status st = wc_rep_req_status(req);
    if (results && (st == WC_REP_FAIL || st == WC_REP_WARN)) result(&s, results, req, index);
    index++;
  }
  str(&s, r, "columnKind", "unicodeCodePoints");

  char *text = NULL;
  if (s.oom) wc_err_set(err, WC_E_NOMEM, "out of memory while rendering %s", WC_REP_FILE_SARIF);
  else text = wc_rep_print(root, WC_REP_FILE_SARIF, err);
  cJSON_Delete(root);
  return text;
}
