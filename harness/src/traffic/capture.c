/* Captures as a stream of wire exchanges: HAR 1.2 entries (browser
 * devtools, mitmproxy, whopconf's own traffic.har) and whopconf's NDJSON
 * exchange log (docs/traffic.md), one entry in memory at a time.
 *
 * What a capture leaves out is said, not guessed: a body the capture cut
 * (content.size or bodySize larger than the text) is marked truncated so the
 * judge skips what it cannot see, and a body that is not in the capture at
 * all is the same thing with zero bytes kept. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "capture_internal.h"
#include "whopconf/json_arena.h"

#define DEFAULT_MAX_ENTRY ((size_t)16 << 20)

struct wc_capture {
  wc_scan scan;
  wc_capture_format format;
  size_t index;
  /* The current entry's storage. */
  cJSON *tree;
  bool tree_in_arena; /* the tree lives in a held region of this thread's arena */
  wc_wire_header *req_headers, *resp_headers;
  char *req_decoded, *resp_decoded;
  wc_buf note;
};

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* NDJSON when the name says so, or when the first line alone is a JSON
 * object with a "request" member; HAR otherwise. */
static wc_capture_format sniff(wc_capture *c, wc_err *err) {
  if (ends_with(c->scan.name, ".ndjson") || ends_with(c->scan.name, ".jsonl")) return WC_CAPTURE_NDJSON;
  if (ends_with(c->scan.name, ".har")) return WC_CAPTURE_HAR;
  if (wc_scan_fill(&c->scan, err) <= 0) return WC_CAPTURE_HAR;
  const char *p = c->scan.buf + c->scan.pos;
  size_t avail = c->scan.len - c->scan.pos;
  const char *nl = memchr(p, '\n', avail);
  cJSON *first = cJSON_ParseWithLength(p, nl ? (size_t)(nl - p) : avail);
  bool ndjson = cJSON_IsObject(first) && cJSON_HasObjectItem(first, "request") && !cJSON_HasObjectItem(first, "log");
  cJSON_Delete(first);
  return ndjson ? WC_CAPTURE_NDJSON : WC_CAPTURE_HAR;
}

wc_capture *wc_capture_open(FILE *f, const char *name, const wc_capture_opts *opts, wc_err *err) {
  wc_capture *c = calloc(1, sizeof *c);
  if (!c || wc_scan_init(&c->scan, f, name ? name : "(input)", opts && opts->max_entry ? opts->max_entry
                                                                                         : DEFAULT_MAX_ENTRY) != 0) {
    if (c) wc_scan_free(&c->scan);
    free(c);
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return NULL;
  }
  wc_buf_init(&c->note);
  wc_err_clear(err);
  c->format = opts && opts->format ? opts->format : sniff(c, err);
  if ((err && err->code != WC_OK) ||
      (c->format == WC_CAPTURE_HAR && wc_scan_har_start(&c->scan, err) != 0)) {
    wc_capture_free(c);
    return NULL;
  }
  return c;
}

static void clear_entry(wc_capture *c) {
  /* A tree wholly in the arena goes with its region, unwalked. */
  if (!c->tree_in_arena || wc_json_arena_spilled()) cJSON_Delete(c->tree);
  if (c->tree_in_arena) wc_json_arena_end();
  c->tree_in_arena = false;
  free(c->req_headers);
  free(c->resp_headers);
  free(c->req_decoded);
  free(c->resp_decoded);
  c->tree = NULL;
  c->req_headers = c->resp_headers = NULL;
  c->req_decoded = c->resp_decoded = NULL;
  c->note.len = 0;
  if (c->note.data) c->note.data[0] = '\0';
}

void wc_capture_free(wc_capture *c) {
  if (!c) return;
  clear_entry(c);
  wc_buf_free(&c->note);
  wc_scan_free(&c->scan);
  free(c);
}

wc_capture_format wc_capture_get_format(const wc_capture *c) { return c->format; }

static void note(wc_capture *c, const char *fmt, ...) WC_PRINTF(2, 3);
static void note(wc_capture *c, const char *fmt, ...) {
  char line[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  wc_buf_printf(&c->note, "%s%s", c->note.len ? "; " : "", line);
}

/* [{"name": ..., "value": ...}] -> a new array (strings borrowed). */
static wc_wire_header *headers_of(const cJSON *arr, size_t *count) {
  *count = 0;
  int n = cJSON_GetArraySize(arr);
  wc_wire_header *h = malloc((size_t)(n > 0 ? n : 1) * sizeof *h);
  if (!h) return NULL;
  const cJSON *item;
  cJSON_ArrayForEach(item, arr) {
    const char *name = wc_json_str(item, "name", NULL), *value = wc_json_str(item, "value", NULL);
    if (name && value) h[(*count)++] = (wc_wire_header){name, value};
  }
  return h;
}

/* A body from its text, base64-decoded when told; declared = the size the
 * capture says the body had (< 0 unknown). *decoded receives what to free. */
static bool body_of(wc_capture *c, const char *text, bool base64, double declared, const char *side,
                    wc_wire_body *out, char **decoded) {
  *out = (wc_wire_body){0};
  if (!text) {
    if (declared > 0) { /* the body existed, the capture did not keep it */
      *out = (wc_wire_body){.data = "", .len = 0, .truncated = true};
      note(c, "%s body not in the capture (%.0f bytes)", side, declared);
    }
    return true;
  }
  if (base64) {
    size_t n;
    *decoded = wc_base64_decode(text, strlen(text), &n);
    if (!*decoded) {
      note(c, "%s body marked base64 is not base64 (%zu bytes of text)", side, strlen(text));
      *out = (wc_wire_body){.data = "", .len = 0, .truncated = true};
      return true;
    }
    *out = (wc_wire_body){.data = *decoded, .len = n};
  } else {
    *out = (wc_wire_body){.data = text, .len = strlen(text)};
  }
  if (declared > (double)out->len) {
    out->truncated = true;
    note(c, "%s body truncated in the capture (%zu of %.0f bytes)", side, out->len, declared);
  }
  return true;
}

static bool is_base64(const cJSON *o, const char *member) {
  const char *e = wc_json_str(o, member, NULL);
  return e && strcasecmp(e, "base64") == 0;
}

/* Method, URL and both header lists, laid out alike in both formats. */
static bool request_line_and_headers(wc_capture *c, const cJSON *req, const cJSON *resp, wc_wire_exchange *x) {
  x->method = wc_json_str(req, "method", NULL);
  x->target = wc_json_str(req, "url", NULL);
  if (!x->method || !x->target) return false;
  c->req_headers = headers_of(cJSON_GetObjectItemCaseSensitive(req, "headers"), &x->request_header_count);
  c->resp_headers = headers_of(cJSON_GetObjectItemCaseSensitive(resp, "headers"), &x->response_header_count);
  if (!c->req_headers || !c->resp_headers) return false;
  x->request_headers = c->req_headers;
  x->response_headers = c->resp_headers;
  return true;
}

static bool har_entry(wc_capture *c, const cJSON *e, wc_wire_exchange *x) {
  const cJSON *req = cJSON_GetObjectItemCaseSensitive(e, "request");
  const cJSON *resp = cJSON_GetObjectItemCaseSensitive(e, "response");
  if (!request_line_and_headers(c, req, resp, x)) return false;
  const cJSON *post = cJSON_GetObjectItemCaseSensitive(req, "postData");
  body_of(c, wc_json_str(post, "text", NULL), is_base64(post, "encoding"), wc_json_num(req, "bodySize", -1), "request",
          &x->request_body, &c->req_decoded);
  x->status = (long)wc_json_num(resp, "status", 0);
  if (x->status > 0) {
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(resp, "content");
    body_of(c, wc_json_str(content, "text", NULL), is_base64(content, "encoding"), wc_json_num(content, "size", -1), "response",
            &x->response_body, &c->resp_decoded);
  }
  x->time_ms = wc_json_num(e, "time", -1);
  x->started_at = wc_json_str(e, "startedDateTime", NULL);
  x->error = wc_json_str(resp, "_error", wc_json_str(e, "_error", NULL));
  return true;
}

static bool ndjson_side(wc_capture *c, const cJSON *o, const char *side, wc_wire_body *body, char **decoded) {
  const char *b64 = wc_json_str(o, "body_base64", NULL);
  body_of(c, b64 ? b64 : wc_json_str(o, "body", NULL), b64 != NULL, -1, side, body, decoded);
  if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "body_truncated"))) {
    if (!body->data) body->data = "";
    body->truncated = true;
  }
  return true;
}

static bool ndjson_entry(wc_capture *c, const cJSON *e, wc_wire_exchange *x) {
  const cJSON *req = cJSON_GetObjectItemCaseSensitive(e, "request");
  const cJSON *resp = cJSON_GetObjectItemCaseSensitive(e, "response");
  if (!request_line_and_headers(c, req, resp, x)) return false;
  ndjson_side(c, req, "request", &x->request_body, &c->req_decoded);
  x->status = cJSON_IsObject(resp) ? (long)wc_json_num(resp, "status", 0) : 0;
  if (x->status > 0) ndjson_side(c, resp, "response", &x->response_body, &c->resp_decoded);
  x->time_ms = wc_json_num(e, "time_ms", -1);
  x->started_at = wc_json_str(e, "started_at", NULL);
  x->error = wc_json_str(e, "error", NULL);
  return true;
}

int wc_capture_next(wc_capture *c, wc_capture_entry *entry, wc_err *err) {
  clear_entry(c);
  memset(entry, 0, sizeof *entry);
  /* The entry's tree is the reader's largest allocation churn: it comes
   * from the arena (when installed) and stays there, held, until the next
   * entry, while the judge parses bodies in a region inside it. */
  c->tree_in_arena = wc_json_arena_begin();
  int rc = c->format == WC_CAPTURE_HAR ? wc_scan_har_next(&c->scan, err) : wc_scan_line(&c->scan, err);
  if (rc > 0 && !c->scan.tree && !c->scan.oversized) c->tree = wc_scan_parse(&c->scan, err);
  else c->tree = c->scan.tree;
  c->scan.tree = NULL;
  if (c->tree_in_arena) wc_json_arena_hold();
  if (rc <= 0) return rc;
  entry->index = ++c->index;
  entry->offset = c->scan.value_offset;
  entry->note = "";
  if (c->scan.oversized) {
    wc_buf_printf(&c->note, "entry larger than %zu bytes, not read", c->scan.max_entry);
    entry->note = c->note.data ? c->note.data : "";
    return 1;
  }
  if (!c->tree) return -1;
  if (!cJSON_IsObject(c->tree)) {
    wc_err_set(err, WC_E_PARSE, "%s: byte %zu: an entry is not a JSON object", c->scan.name, entry->offset);
    return -1;
  }
  bool ok = c->format == WC_CAPTURE_HAR ? har_entry(c, c->tree, &entry->exchange)
                                         : ndjson_entry(c, c->tree, &entry->exchange);
  entry->readable = ok;
  if (!ok && c->note.len == 0) wc_buf_puts(&c->note, "not an exchange (no request.method or request.url)");
  entry->note = c->note.data ? c->note.data : "";
  return 1;
}
