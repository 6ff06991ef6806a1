/* traffic.har: every exchange of the run as HAR 1.2, for a browser's devtools
 * ("Import HAR") or a replay tool.
 *
 * Credentials: the document already records Authorization as "Bearer ***";
 * every secret-bearing header is masked again here, and bearer credentials
 * are masked in every string. A failed transfer is an entry with response
 * status 0 and a comment saying why. Bodies are cut at
 * WC_REP_HAR_BODY_CAP (noted in the content's comment). The HTTP version
 * is not recorded by the run, so "HTTP/1.1" is written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report_internal.h"

typedef struct har {
  bool oom;
} har;

static cJSON *add_obj(har *h, cJSON *parent, const char *key) {
  if (!parent) return NULL;
  cJSON *o = cJSON_CreateObject();
  if (!o || !(key ? cJSON_AddItemToObject(parent, key, o) : cJSON_AddItemToArray(parent, o))) {
    cJSON_Delete(o);
    h->oom = true;
    return NULL;
  }
  return o;
}

static cJSON *add_arr(har *h, cJSON *parent, const char *key) {
  if (!parent) return NULL;
  cJSON *a = cJSON_AddArrayToObject(parent, key);
  if (!a) h->oom = true;
  return a;
}

static void add_str(har *h, cJSON *parent, const char *key, const char *value, size_t cap, bool *cut) {
  if (!parent) return;
  bool was_cut = false;
  char *clean = wc_rep_clean(value ? value : "", value ? strlen(value) : 0, cap, &was_cut);
  if (cut) *cut = was_cut;
  if (!clean || !cJSON_AddStringToObject(parent, key, clean)) h->oom = true;
  free(clean);
}

/* A body: like add_str, but a clean one within the cap is referenced, not
 * copied (the HAR tree never outlives the report it is made from, and the
 * bodies are most of both). */
static void add_body_text(har *h, cJSON *parent, const char *key, const char *body, bool *cut) {
  if (!parent) return;
  size_t len = strlen(body);
  if (len > WC_REP_HAR_BODY_CAP || wc_rep_needs_repair(body)) {
    add_str(h, parent, key, body, WC_REP_HAR_BODY_CAP, cut);
    return;
  }
  *cut = false;
  cJSON *ref = cJSON_CreateStringReference(body);
  if (!ref || !cJSON_AddItemToObject(parent, key, ref)) {
    cJSON_Delete(ref);
    h->oom = true;
  }
}

static void add_num(har *h, cJSON *parent, const char *key, double value) {
  if (parent && !cJSON_AddNumberToObject(parent, key, value)) h->oom = true;
}

static const char *status_text(int status) {
  switch (status) {
  case 200: return "OK";
  case 201: return "Created";
  case 204: return "No Content";
  case 301: return "Moved Permanently";
  case 302: return "Found";
  case 303: return "See Other";
  case 304: return "Not Modified";
  case 307: return "Temporary Redirect";
  case 308: return "Permanent Redirect";
  case 400: return "Bad Request";
  case 401: return "Unauthorized";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  case 406: return "Not Acceptable";
  case 408: return "Request Timeout";
  case 409: return "Conflict";
  case 413: return "Content Too Large";
  case 415: return "Unsupported Media Type";
  case 422: return "Unprocessable Content";
  case 429: return "Too Many Requests";
  case 500: return "Internal Server Error";
  case 502: return "Bad Gateway";
  case 503: return "Service Unavailable";
  case 504: return "Gateway Timeout";
  default: return "";
  }
}

static const char *header(const cJSON *list, const char *name) {
  const cJSON *h;
  cJSON_ArrayForEach(h, list) {
    const char *n = wc_rep_get_str(h, "name");
    if (n && strcasecmp(n, name) == 0) return wc_rep_get_str(h, "value");
  }
  return NULL;
}

static void headers(har *h, cJSON *parent, const cJSON *list) {
  cJSON *out = add_arr(h, parent, "headers");
  const cJSON *item;
  cJSON_ArrayForEach(item, list) {
    const char *name = wc_rep_get_str(item, "name");
    if (!name) continue;
    cJSON *o = add_obj(h, out, NULL);
    add_str(h, o, "name", name, 1024, NULL);
    add_str(h, o, "value", wc_rep_header_value(name, wc_rep_get_str(item, "value")), WC_REP_TEXT_CAP, NULL);
  }
}

/* HAR wants the query string parsed; values are kept as sent (encoded). */
static void query_string(har *h, cJSON *parent, const char *url) {
  cJSON *out = add_arr(h, parent, "queryString");
  const char *q = url ? strchr(url, '?') : NULL;
  if (!q) return;
  const char *end = strchr(q, '#');
  size_t qlen = end ? (size_t)(end - q - 1) : strlen(q + 1);
  char *copy = wc_strndup(q + 1, qlen);
  if (!copy) {
    h->oom = true;
    return;
  }
  char *save = NULL;
  for (char *pair = strtok_r(copy, "&", &save); pair; pair = strtok_r(NULL, "&", &save)) {
    char *eq = strchr(pair, '=');
    if (eq) *eq = '\0';
    cJSON *o = add_obj(h, out, NULL);
    add_str(h, o, "name", pair, WC_REP_TEXT_CAP, NULL);
    add_str(h, o, "value", eq ? eq + 1 : "", WC_REP_TEXT_CAP, NULL);
  }
  free(copy);
}

/* ", minimal request of finding WC-X (fail, edge class E, 12 shrink steps)"
 * when id is the original or minimal exchange of a generated finding. */
static int finding_role(wc_buf *note, const cJSON *report, const char *id) {
  const cJSON *f;
  cJSON_ArrayForEach(f, wc_rep_get_arr(wc_rep_get_obj(report, "generated"), "findings")) {
    const char *minimal = wc_rep_get_str(f, "minimal"), *original = wc_rep_get_str(f, "original");
    bool is_minimal = minimal && strcmp(minimal, id) == 0;
    if (!is_minimal && !(original && strcmp(original, id) == 0)) continue;
    const char *req = wc_rep_get_str(f, "requirement"), *status = wc_rep_get_str(f, "status");
    const char *edge = wc_rep_get_str(f, "edge_class");
    return wc_buf_printf(note, ", %s request of finding %.32s (%.8s, edge class %.64s, %.0f occurrence(s), %.0f shrink "
                               "steps)",
                         is_minimal ? "minimal" : "original", req ? req : "?", status ? status : "?",
                         edge ? edge : "?", wc_rep_get_num(f, "count", 0), wc_rep_get_num(f, "shrink_steps", 0));
  }
  return 0;
}

/* The log's comment; with generated phases, how many of their exchanges
 * are not in the file. */
static int log_comment(wc_buf *out, const cJSON *report) {
  if (wc_buf_puts(out, "whopconf run of PATCH /users/me; credentials redacted (Authorization: Bearer ***)") != 0)
    return -1;
  const cJSON *section = wc_rep_get_obj(report, "generated");
  if (!section) return 0;
  double requests, left_out;
  wc_rep_generated_totals(report, &requests, &left_out);
  return wc_buf_printf(out, "; generated phases: %.0f requests, every exchange of every distinct finding kept "
                            "(original and minimal request), %.0f other exchanges left out (passed, or another "
                            "occurrence of a kept finding)",
                       requests, left_out);
}

/* The entry's request: method, URL, headers and query as sent, and the body
 * (cut at WC_REP_HAR_BODY_CAP) as postData. */
static void entry_request(har *h, cJSON *e, const cJSON *req) {
  cJSON *request = add_obj(h, e, "request");
  const char *method = wc_rep_get_str(req, "method");
  const char *url = wc_rep_get_str(req, "url");
  add_str(h, request, "method", method ? method : "GET", 64, NULL);
  add_str(h, request, "url", url ? url : "", WC_REP_TEXT_CAP, NULL);
  add_str(h, request, "httpVersion", "HTTP/1.1", 0, NULL);
  add_arr(h, request, "cookies");
  headers(h, request, wc_rep_get_arr(req, "headers"));
  query_string(h, request, url);
  const char *req_body = wc_rep_get_str(req, "body");
  if (req_body) {
    cJSON *post = add_obj(h, request, "postData");
    const char *type = header(wc_rep_get_arr(req, "headers"), "Content-Type");
    add_str(h, post, "mimeType", type ? type : "application/octet-stream", 256, NULL);
    bool cut = false;
    add_body_text(h, post, "text", req_body, &cut);
    if (cut || wc_rep_get_true(req, "body_truncated"))
      add_str(h, post, "comment", "body cut; see report.json for what the run recorded", 0, NULL);
  }
  add_num(h, request, "headersSize", -1);
  add_num(h, request, "bodySize", req_body ? (double)strlen(req_body) : 0);
}

/* The response's content; returns its size as the server sent it (not the
 * kept, possibly cut text), which is also the response's bodySize. */
static double response_content(har *h, cJSON *response, const cJSON *resp, const cJSON *resp_headers) {
  cJSON *content = add_obj(h, response, "content");
  const char *body = wc_rep_get_str(resp, "body");
  double bytes = wc_rep_get_num(resp, "body_bytes", body ? (double)strlen(body) : 0);
  if (!(bytes >= 0) || bytes > 1e15) bytes = 0;
  add_num(h, content, "size", bytes);
  const char *type = header(resp_headers, "Content-Type");
  add_str(h, content, "mimeType", type ? type : "x-unknown", 256, NULL);
  if (body) {
    bool cut = false;
    add_body_text(h, content, "text", body, &cut);
    if (cut || wc_rep_get_true(resp, "body_truncated"))
      add_str(h, content, "comment", "body cut; size is the size the server sent", 0, NULL);
  }
  return bytes;
}

/* The entry's response. A failed transfer (no response) still needs one for
 * HAR: status 0, and a comment saying why the transfer failed. */
static void entry_response(har *h, cJSON *e, const cJSON *resp, const cJSON *error) {
  cJSON *response = add_obj(h, e, "response");
  int status = resp ? (int)wc_rep_get_num(resp, "status", 0) : 0;
  const cJSON *resp_headers = wc_rep_get_arr(resp, "headers");
  add_num(h, response, "status", status);
  add_str(h, response, "statusText", status_text(status), 0, NULL);
  add_str(h, response, "httpVersion", resp ? "HTTP/1.1" : "", 0, NULL);
  add_arr(h, response, "cookies");
  headers(h, response, resp_headers);
  double bytes = response_content(h, response, resp, resp_headers);
  const char *location = header(resp_headers, "Location");
  add_str(h, response, "redirectURL", location ? location : "", WC_REP_TEXT_CAP, NULL);
  add_num(h, response, "headersSize", -1);
  add_num(h, response, "bodySize", resp ? bytes : -1);
  if (!resp) {
    wc_buf why;
    wc_buf_init(&why);
    const char *kind = wc_rep_get_str(error, "kind"), *msg = wc_rep_get_str(error, "message");
    if (wc_buf_printf(&why, "transfer failed (%s): %s", kind ? kind : "error", msg ? msg : "no response") != 0)
      h->oom = true;
    add_str(h, response, "comment", why.data, WC_REP_TEXT_CAP, NULL);
    wc_buf_free(&why);
  }
}

/* What ties the entry back to the run: a comment naming the exchange, its
 * case, its retries and its role in a generated finding, then the exchange
 * id and the reproduction command as custom (_whopconf_) fields. */
static void entry_whopconf_notes(har *h, cJSON *e, const cJSON *report, const cJSON *x) {
  wc_buf note;
  wc_buf_init(&note);
  const char *id = wc_rep_get_str(x, "id"), *xcase = wc_rep_get_str(x, "case");
  if (wc_buf_printf(&note, "whopconf exchange %s, case %s", id ? id : "?", xcase ? xcase : "?") != 0)
    h->oom = true;
  double retries = wc_rep_get_num(x, "retries", 0);
  if (retries > 0 && retries < 1e6 && wc_buf_printf(&note, ", %.0f retries", retries) != 0) h->oom = true;
  if (id && finding_role(&note, report, id) != 0) h->oom = true;
  add_str(h, e, "comment", note.data, WC_REP_TEXT_CAP, NULL);
  wc_buf_free(&note);
  add_str(h, e, "_whopconf_exchange", id ? id : "", 256, NULL);
  const char *curl = wc_rep_get_str(x, "curl");
  if (curl) add_str(h, e, "_whopconf_curl", curl, WC_REP_BODY_CAP, NULL);
}

/* One exchange as a HAR entry. The run records only the total time, so it
 * is all "wait"; an exchange without its own start time takes the run's. */
static void entry(har *h, cJSON *entries, const cJSON *report, const cJSON *x) {
  cJSON *e = add_obj(h, entries, NULL);
  const char *started = wc_rep_get_str(x, "started_at");
  if (!started) started = wc_rep_get_str(wc_rep_get_obj(report, "run"), "started_at");
  add_str(h, e, "startedDateTime", started ? started : "1970-01-01T00:00:00Z", 64, NULL);
  double ms = wc_rep_get_num(x, "time_ms", 0);
  if (!(ms >= 0) || ms > 1e12) ms = 0;
  add_num(h, e, "time", ms);
  entry_request(h, e, wc_rep_get_obj(x, "request"));
  entry_response(h, e, wc_rep_get_obj(x, "response"), wc_rep_get_obj(x, "error"));
  add_obj(h, e, "cache");
  cJSON *timings = add_obj(h, e, "timings");
  add_num(h, timings, "send", 0);
  add_num(h, timings, "wait", ms);
  add_num(h, timings, "receive", 0);
  entry_whopconf_notes(h, e, report, x);
}

cJSON *wc_rep_build_har(const cJSON *report, wc_err *err) {
  if (wc_rep_check(report, err) != 0) return NULL;
  har h = {false};
  cJSON *root = cJSON_CreateObject();
  if (!root) h.oom = true;
  cJSON *log = add_obj(&h, root, "log");
  add_str(&h, log, "version", "1.2", 0, NULL);
  cJSON *creator = add_obj(&h, log, "creator");
  const char *version = wc_rep_get_str(wc_rep_get_obj(report, "run"), "whopconf_version");
  add_str(&h, creator, "name", "whopconf", 0, NULL);
  add_str(&h, creator, "version", version ? version : WC_VERSION, 64, NULL);
  add_arr(&h, log, "pages");
  cJSON *entries = add_arr(&h, log, "entries");
  const cJSON *x;
  cJSON_ArrayForEach(x, wc_rep_get_arr(report, "exchanges")) {
    if (cJSON_IsObject(x) && !h.oom) entry(&h, entries, report, x);
  }
  wc_buf comment;
  wc_buf_init(&comment);
  if (log_comment(&comment, report) != 0) h.oom = true;
  add_str(&h, log, "comment", comment.data, 0, NULL);
  wc_buf_free(&comment);
  if (!h.oom) return root;
  wc_err_set(err, WC_E_NOMEM, "out of memory while rendering %s", WC_REP_FILE_HAR);
  cJSON_Delete(root);
  return NULL;
}

char *wc_report_render_har(const cJSON *report, wc_err *err) {
  cJSON *root = wc_rep_build_har(report, err);
  char *text = root ? wc_rep_print(root, WC_REP_FILE_HAR, err) : NULL;
  cJSON_Delete(root);
  return text;
}
