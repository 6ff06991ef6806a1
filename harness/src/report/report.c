/* Reports: format selection, writing every format into the report dir, and
 * the pieces the renderers share (document access, ordering, escaping). */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report_internal.h"
#include "whopconf/catalog.h"

/* ---- reading the document ---- */

const cJSON *wc_rep_get(const cJSON *obj, const char *key) {
  return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

const char *wc_rep_get_str(const cJSON *obj, const char *key) { return wc_json_str(obj, key, NULL); }

double wc_rep_get_num(const cJSON *obj, const char *key, double dflt) { return wc_json_num(obj, key, dflt); }

bool wc_rep_get_true(const cJSON *obj, const char *key) { return cJSON_IsTrue(wc_rep_get(obj, key)); }

const cJSON *wc_rep_get_arr(const cJSON *obj, const char *key) {
  const cJSON *item = wc_rep_get(obj, key);
  return cJSON_IsArray(item) ? item : NULL;
}

const cJSON *wc_rep_get_obj(const cJSON *obj, const char *key) {
  const cJSON *item = wc_rep_get(obj, key);
  return cJSON_IsObject(item) ? item : NULL;
}

int wc_rep_check(const cJSON *report, wc_err *err) {
  if (!cJSON_IsObject(report)) {
    wc_err_set(err, WC_E_PARSE, "not a whopconf report: the document is not a JSON object");
    return -1;
  }
  const char *format = wc_rep_get_str(report, "format");
  if (!format || strcmp(format, "whopconf-report") != 0) {
    wc_err_set(err, WC_E_PARSE, "not a whopconf report: \"format\" is not \"whopconf-report\"");
    return -1;
  }
  double version = wc_rep_get_num(report, "format_version", -1);
  if (version != WC_REPORT_FORMAT_VERSION) {
    wc_err_set(err, WC_E_PARSE, "unsupported report format_version (this whopconf reads version %d)",
               WC_REPORT_FORMAT_VERSION);
    return -1;
  }
  const cJSON *reqs = wc_rep_get_arr(report, "requirements");
  if (!reqs) {
    wc_err_set(err, WC_E_PARSE, "not a whopconf report: \"requirements\" is not an array");
    return -1;
  }
  const cJSON *req;
  cJSON_ArrayForEach(req, reqs) {
    if (!cJSON_IsObject(req) || !wc_rep_get_str(req, "id")) {
      wc_err_set(err, WC_E_PARSE, "not a whopconf report: a requirement has no string \"id\"");
      return -1;
    }
  }
  return 0;
}

wc_rep_status wc_rep_req_status(const cJSON *req) {
  const char *s = wc_rep_get_str(req, "status");
  if (!s) return WC_REP_OTHER;
  if (strcmp(s, "fail") == 0) return WC_REP_FAIL;
  if (strcmp(s, "warn") == 0) return WC_REP_WARN;
  if (strcmp(s, "skip") == 0) return WC_REP_SKIP;
  if (strcmp(s, "pass") == 0) return WC_REP_PASS;
  return WC_REP_OTHER;
}

const char *wc_rep_status_name(wc_rep_status status) {
  switch (status) {
  case WC_REP_FAIL: return "fail";
  case WC_REP_WARN: return "warn";
  case WC_REP_SKIP: return "skip";
  case WC_REP_PASS: return "pass";
  case WC_REP_OTHER: break;
  }
  return "unknown";
}

const char *wc_rep_req_field(const cJSON *req, const char *key) {
  const char *value = wc_rep_get_str(req, key);
  if (value) return value;
  const wc_requirement *entry = wc_catalog_find(wc_rep_get_str(req, "id"));
  if (!entry) return NULL;
  if (strcmp(key, "title") == 0) return entry->title;
  if (strcmp(key, "source") == 0) return entry->source;
  if (strcmp(key, "family") == 0) return entry->family;
  if (strcmp(key, "level") == 0) return wc_level_name(entry->level);
  if (strcmp(key, "spec_pointer") == 0) return entry->spec_pointer;
  if (strcmp(key, "schemathesis") == 0) return entry->schemathesis;
  return NULL;
}

int wc_rep_req_spec_line(const cJSON *req, const wc_spec *spec) {
  const char *pointer = wc_rep_req_field(req, "spec_pointer");
  if (spec && pointer) {
    int line = wc_spec_line(spec, pointer);
    if (line > 0) return line;
  }
  double line = wc_rep_get_num(req, "spec_line", 0);
  return line >= 1 && line <= 1e9 ? (int)line : 0;
}

bool wc_rep_strict(const cJSON *report) { return wc_rep_get_true(wc_rep_get_obj(report, "run"), "strict"); }

bool wc_rep_req_failing(const cJSON *report, const cJSON *req) {
  wc_rep_status status = wc_rep_req_status(req);
  return status == WC_REP_FAIL || (status == WC_REP_WARN && wc_rep_strict(report));
}

const cJSON **wc_rep_sorted(const cJSON *report, size_t *count) {
  const cJSON *reqs = wc_rep_get_arr(report, "requirements");
  size_t n = (size_t)cJSON_GetArraySize(reqs);
  *count = 0;
  if (n == 0) return NULL;
  const cJSON **out = malloc(n * sizeof *out);
  if (!out) {
    *count = SIZE_MAX;
    return NULL;
  }
  /* A counting pass per status keeps document order within a status. */
  for (int status = WC_REP_FAIL; status <= WC_REP_OTHER; status++) {
    const cJSON *req;
    cJSON_ArrayForEach(req, reqs) {
      if ((int)wc_rep_req_status(req) == status) out[(*count)++] = req;
    }
  }
  return out;
}

const char **wc_rep_families(const cJSON *report, size_t *count) {
  const cJSON *reqs = wc_rep_get_arr(report, "requirements");
  size_t cap = wc_family_count() + (size_t)cJSON_GetArraySize(reqs);
  const char **out = malloc((cap ? cap : 1) * sizeof *out);
  *count = 0;
  if (!out) return NULL;
  /* Catalogue order first, then any family this build does not know; a
   * family without a requirement in this report is left out (a run report
   * has no client requirements). */
  const cJSON *req;
  for (size_t i = 0; i < wc_family_count(); i++) {
    bool present = false;
    cJSON_ArrayForEach(req, reqs) {
      const char *family = wc_rep_req_field(req, "family");
      if (family && strcmp(family, wc_family_get(i)) == 0) present = true;
    }
    if (present) out[(*count)++] = wc_family_get(i);
  }
  cJSON_ArrayForEach(req, reqs) {
    const char *family = wc_rep_req_field(req, "family");
    if (!family) continue;
    bool seen = false;
    for (size_t i = 0; i < *count && !seen; i++) seen = strcmp(out[i], family) == 0;
    if (!seen) out[(*count)++] = family;
  }
  return out;
}

const cJSON *wc_rep_exchange(const cJSON *report, const char *id) {
  if (!id) return NULL;
  const cJSON *x;
  cJSON_ArrayForEach(x, wc_rep_get_arr(report, "exchanges")) {
    const char *xid = wc_rep_get_str(x, "id");
    if (xid && strcmp(xid, id) == 0) return x;
  }
  return NULL;
}

static void add_id(const char **ids, size_t *n, size_t max, const char *id) {
  if (!id || *n >= max) return;
  for (size_t i = 0; i < *n; i++)
    if (strcmp(ids[i], id) == 0) return;
  ids[(*n)++] = id;
}

size_t wc_rep_req_evidence(const cJSON *req, const char **ids, size_t max) {
  size_t n = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, wc_rep_get_arr(req, "evidence")) {
    if (cJSON_IsString(item)) add_id(ids, &n, max, item->valuestring);
  }
  cJSON_ArrayForEach(item, wc_rep_get_arr(req, "findings")) add_id(ids, &n, max, wc_rep_get_str(item, "exchange"));
  return n;
}

size_t wc_rep_req_generated(const cJSON *report, const char *id, const cJSON **out, size_t max) {
  size_t n = 0;
  const cJSON *f;
  cJSON_ArrayForEach(f, wc_rep_get_arr(wc_rep_get_obj(report, "generated"), "findings")) {
    const char *req = wc_rep_get_str(f, "requirement");
    if (!id || !req || strcmp(req, id) != 0) continue;
    if (n < max) out[n] = f;
    n++;
  }
  return n;
}

void wc_rep_generated_totals(const cJSON *report, double *requests, double *left_out) {
  *requests = *left_out = 0;
  const cJSON *ph;
  cJSON_ArrayForEach(ph, wc_rep_get_arr(wc_rep_get_obj(report, "generated"), "phases")) {
    *requests += wc_rep_get_num(ph, "requests", 0);
    *left_out += wc_rep_get_num(ph, "exchanges_left_out", 0);
  }
}

int wc_rep_generated_line(wc_buf *out, const cJSON *f) {
  const char *status = wc_rep_get_str(f, "status"), *loc = wc_rep_get_str(f, "location");
  const char *edge = wc_rep_get_str(f, "edge_class"), *phase = wc_rep_get_str(f, "case");
  const char *minimal = wc_rep_get_str(f, "minimal"), *original = wc_rep_get_str(f, "original");
  double count = wc_rep_get_num(f, "count", 0), http = wc_rep_get_num(f, "http_status", 0);
  int rc = wc_buf_printf(out, "%.8s at %.200s, edge class %.64s", status ? status : "?", loc ? loc : "?",
                         edge ? edge : "?");
  if (rc == 0 && http > 0 && http < 1000) rc = wc_buf_printf(out, ", HTTP %.0f", http);
  if (rc == 0)
    rc = wc_buf_printf(out, ", %.0f occurrence%s (%.32s)", count, count == 1 ? "" : "s", phase ? phase : "?");
  if (rc == 0 && minimal)
    rc = wc_buf_printf(out, "; minimal %.24s (%.0f bytes, %.0f shrink step%s, %.0f requests)", minimal,
                       wc_rep_get_num(f, "minimal_size", 0), wc_rep_get_num(f, "shrink_steps", 0),
                       wc_rep_get_num(f, "shrink_steps", 0) == 1 ? "" : "s", wc_rep_get_num(f, "shrink_requests", 0));
  if (rc == 0 && original) rc = wc_buf_printf(out, "; original %.24s", original);
  if (rc == 0 && original && wc_rep_get_num(f, "original_size", 0) > 0)
    rc = wc_buf_printf(out, " (%.0f bytes)", wc_rep_get_num(f, "original_size", 0));
  return rc;
}

void wc_rep_ms(char out[32], double ms) {
  if (!(ms >= 0) || ms > 1e12) snprintf(out, 32, "? ms");
  else if (ms < 10) snprintf(out, 32, "%.1f ms", ms);
  else snprintf(out, 32, "%.0f ms", ms);
}

/* ---- writing text ---- */

void wc_rep_out_init(wc_rep_out *o) {
  wc_buf_init(&o->b);
  o->rc = 0;
}

static void ro_append(wc_rep_out *o, const char *s, size_t len) {
  if (o->rc == 0 && wc_buf_append(&o->b, s, len) != 0) o->rc = -1;
}

void wc_rep_out_raw(wc_rep_out *o, const char *markup) {
  if (markup) ro_append(o, markup, strlen(markup));
}

void wc_rep_out_printf(wc_rep_out *o, const char *fmt, ...) {
  if (o->rc != 0) return;
  va_list ap;
  va_start(ap, fmt);
  char small[256];
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(small, sizeof small, fmt, copy);
  va_end(copy);
  if (n < 0) {
    o->rc = -1;
  } else if ((size_t)n < sizeof small) {
    ro_append(o, small, (size_t)n);
  } else {
    char *big = malloc((size_t)n + 1);
    if (!big) {
      o->rc = -1;
    } else {
      vsnprintf(big, (size_t)n + 1, fmt, ap);
      ro_append(o, big, (size_t)n);
      free(big);
    }
  }
  va_end(ap);
}

char *wc_rep_out_finish(wc_rep_out *o, wc_err *err) {
  if (o->rc != 0) {
    wc_buf_free(&o->b);
    wc_err_set(err, WC_E_NOMEM, "out of memory while rendering a report");
    return NULL;
  }
  return wc_buf_steal(&o->b);
}

/* One character: its length (1..4) and code point, or length 1 and -1 for a
 * byte that does not start a well-formed UTF-8 sequence. */
static size_t utf8_next(const unsigned char *s, size_t len, int32_t *cp) {
  uint32_t v;
  size_t n = wc_utf8_decode(s, len, &v, NULL);
  *cp = n ? (int32_t)v : -1;
  return n ? n : 1;
}

static void put_cp(wc_rep_out *o, int32_t cp) {
  char out[4];
  size_t n;
  if (cp < 0x80) {
    out[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  ro_append(o, out, n);
}

static bool token_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
}

/* At s[i]: "Bearer" + blanks (or their JSON/URL escapes) + a credential (RFC 6750 b64token of at least
 * 8 characters that is not a plain lowercase word). Returns the length of
 * the prefix to keep ("Bearer ") and sets *cred to the credential length;
 * 0 when there is no credential here. "Bearer ***" and "Bearer
 * $WHOPCONF_TOKEN" have none. */
static size_t bearer_at(const unsigned char *s, size_t len, size_t i, size_t *cred) {
  if (len - i < 8 || (s[i] != 'B' && s[i] != 'b')) return 0;
  if (i > 0 && isalnum(s[i - 1])) return 0; /* inside a word ("xbearer") */
  if (strncasecmp((const char *)s + i, "bearer", 6) != 0) return 0;
  size_t j = i + 6;
  for (;;) { /* blanks, also as escaped in JSON or URL text */
    if (j < len && (s[j] == ' ' || s[j] == '\t')) j++;
    else if (len - j >= 2 && s[j] == '\\' && s[j + 1] == 't') j += 2;
    else if (len - j >= 3 && strncmp((const char *)s + j, "%20", 3) == 0) j += 3;
    else if (len - j >= 6 && strncmp((const char *)s + j, "\\u0020", 6) == 0) j += 6;
    else break;
  }
  if (j == i + 6) return 0;
  size_t k = j;
  bool word = true;
  while (k < len && token_char(s[k])) {
    if (s[k] < 'a' || s[k] > 'z') word = false;
    k++;
  }
  if (k - j < 8 || word) return 0;
  *cred = k - j;
  return j - i;
}

static void put_escaped(wc_rep_out *o, int32_t cp, wc_rep_esc mode) {
  if (cp < 0 || cp == 0xFFFE || cp == 0xFFFF) cp = 0xFFFD;
  if (cp == 0) cp = 0x2400; /* NUL would end the C string */
  if (mode == WC_REP_ESC_RAW) {
    put_cp(o, cp);
    return;
  }
  if (mode == WC_REP_ESC_JSON) { /* serialised JSON: only string contents hold these */
    if (cp == '<') wc_rep_out_raw(o, "\\u003c");
    else if (cp == '>') wc_rep_out_raw(o, "\\u003e");
    else if (cp == '&') wc_rep_out_raw(o, "\\u0026");
    else if (cp == 0x2028) wc_rep_out_raw(o, "\\u2028");
    else if (cp == 0x2029) wc_rep_out_raw(o, "\\u2029");
    else put_cp(o, cp);
    return;
  }
  bool whitespace = cp == '\t' || cp == '\n' || cp == '\r';
  if ((cp < 0x20 && !whitespace)) cp = 0x2400 + cp; /* Control Pictures */
  else if (cp == 0x7F) cp = 0x2421;
  else if (cp >= 0x80 && cp <= 0x9F) cp = 0xFFFD;
  switch (mode) {
  case WC_REP_ESC_XML:
  case WC_REP_ESC_ATTR:
    if (cp == '&') wc_rep_out_raw(o, "&amp;");
    else if (cp == '<') wc_rep_out_raw(o, "&lt;");
    else if (cp == '>') wc_rep_out_raw(o, "&gt;");
    else if (mode == WC_REP_ESC_ATTR && cp == '"') wc_rep_out_raw(o, "&quot;");
    else if (mode == WC_REP_ESC_ATTR && cp == '\'') wc_rep_out_raw(o, "&#39;");
    else if (mode == WC_REP_ESC_ATTR && whitespace) wc_rep_out_printf(o, "&#%d;", (int)cp);
    else put_cp(o, cp);
    return;
  case WC_REP_ESC_MD:
    if (cp == '\n') wc_rep_out_raw(o, "<br>");
    else if (cp == '\r') return;
    else if (cp == '\t') wc_rep_out_raw(o, " ");
    else if (cp == '&') wc_rep_out_raw(o, "&amp;");
    else if (cp == '<') wc_rep_out_raw(o, "&lt;");
    else if (cp == '>') wc_rep_out_raw(o, "&gt;");
    else if (cp == '@') wc_rep_out_raw(o, "@\xE2\x80\x8B"); /* no @mention from evidence */
    else if (cp < 0x80 && strchr("\\`*_[]|~#", (int)cp)) {
      char esc[3] = {'\\', (char)cp, '\0'};
      wc_rep_out_raw(o, esc);
    } else {
      put_cp(o, cp);
    }
    return;
  default:
    put_cp(o, cp);
    return;
  }
}

size_t wc_rep_out_text_n(wc_rep_out *o, const char *text, size_t len, size_t cap, wc_rep_esc mode) {
  if (!text) return 0;
  const unsigned char *s = (const unsigned char *)text;
  size_t limit = cap && cap < len ? cap : len;
  size_t i = 0;
  while (i < len && o->rc == 0) {
    size_t cred = 0;
    size_t keep = bearer_at(s, len, i, &cred);
    if (keep) {
      if (i + keep > limit) break;
      for (size_t k = 0; k < keep; k++) put_escaped(o, s[i + k], mode);
      wc_rep_out_raw(o, "***");
      i += keep + cred;
      continue;
    }
    int32_t cp;
    size_t n = utf8_next(s + i, len - i, &cp);
    if (i + n > limit) break;
    put_escaped(o, cp, mode);
    i += n;
  }
  return i > len ? len : i;
}

void wc_rep_out_text(wc_rep_out *o, const char *s, wc_rep_esc mode) {
  if (s) wc_rep_out_text_n(o, s, strlen(s), 0, mode);
}

void wc_rep_out_text_cap(wc_rep_out *o, const char *s, size_t cap, wc_rep_esc mode) {
  if (s) wc_rep_out_text_n(o, s, strlen(s), cap, mode);
}

char *wc_rep_clean(const char *s, size_t len, size_t cap, bool *cut) {
  wc_rep_out o;
  wc_rep_out_init(&o);
  size_t used = wc_rep_out_text_n(&o, s, len, cap, WC_REP_ESC_RAW);
  if (cut) *cut = used < len;
  return wc_rep_out_finish(&o, NULL);
}

cJSON *wc_rep_jstr(const char *s, size_t cap) {
  char *clean = wc_rep_clean(s ? s : "", s ? strlen(s) : 0, cap, NULL);
  if (!clean) return NULL;
  cJSON *node = cJSON_CreateString(clean);
  free(clean);
  return node;
}

bool wc_rep_add_str(cJSON *obj, const char *key, const char *s) {
  cJSON *node = s ? wc_rep_jstr(s, WC_REP_TEXT_CAP) : cJSON_CreateNull();
  if (!node) return false;
  if (!cJSON_AddItemToObject(obj, key, node)) {
    cJSON_Delete(node);
    return false;
  }
  return true;
}

char *wc_rep_print(const cJSON *root, const char *file, wc_err *err) {
  char *text = root ? cJSON_Print(root) : NULL;
  size_t len = text ? strlen(text) : 0;
  char *out = text ? realloc(text, len + 2) : NULL;
  if (!out) {
    free(text);
    wc_err_set(err, WC_E_NOMEM, "out of memory while rendering %s", file);
    return NULL;
  }
  out[len] = '\n';
  out[len + 1] = '\0';
  return out;
}

const char *wc_rep_http_client(const cJSON *report) {
  const char *c = wc_rep_get_str(wc_rep_get_obj(wc_rep_get_obj(report, "run"), "target"), "http_client");
  if (!c) return NULL;
  if (strcmp(c, "whopconf") == 0) return "whopconf's own HTTP/1.1 client";
  if (strcmp(c, "libcurl") == 0) return "libcurl";
  return "not recorded";
}

bool wc_rep_secret_header(const char *name) {
  return name && (strcasecmp(name, "Authorization") == 0 || strcasecmp(name, "Proxy-Authorization") == 0 ||
                  strcasecmp(name, "Cookie") == 0 || strcasecmp(name, "Set-Cookie") == 0 ||
                  strcasecmp(name, "X-Api-Key") == 0);
}

const char *wc_rep_header_value(const char *name, const char *value) {
  if (!value || !wc_rep_secret_header(name)) return value;
  if (strstr(value, "***")) return value; /* already redacted upstream */
  if (strncasecmp(value, "Bearer ", 7) == 0) return "Bearer ***";
  if (strncasecmp(value, "Basic ", 6) == 0) return "Basic ***";
  return "***";
}

/* ---- report.json ---- */

bool wc_rep_needs_repair(const char *s) {
  size_t len = strlen(s);
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < len;) {
    size_t cred = 0;
    if (bearer_at(u, len, i, &cred)) return true;
    int32_t cp;
    size_t n = utf8_next(u + i, len - i, &cp);
    if (cp < 0 || cp == 0xFFFE || cp == 0xFFFF) return true;
    i += n;
  }
  return false;
}

/* Repairs every string (and key) of a copy of the document in place; the
 * document from the runner is already clean, so this is a no-op there. */
int wc_rep_repair_tree(cJSON *node) {
  for (cJSON *item = node; item; item = item->next) {
    if (item->string && wc_rep_needs_repair(item->string)) {
      char *clean = wc_rep_clean(item->string, strlen(item->string), 0, NULL);
      if (!clean) return -1;
      if (!(item->type & cJSON_StringIsConst)) free(item->string);
      item->type &= ~cJSON_StringIsConst;
      item->string = clean;
    }
    if (cJSON_IsString(item) && item->valuestring && wc_rep_needs_repair(item->valuestring)) {
      char *clean = wc_rep_clean(item->valuestring, strlen(item->valuestring), 0, NULL);
      if (!clean) return -1;
      free(item->valuestring);
      item->valuestring = clean;
    }
    if (item->child && wc_rep_repair_tree(item->child) != 0) return -1;
  }
  return 0;
}

static bool member_named(const cJSON *m, const char *name) { return m->string && strcmp(m->string, name) == 0; }

/* Header lists ({"name", "value"} objects) get their secret values masked
 * (every member named "value": a hand-made report may repeat one). */
static int mask_headers(cJSON *headers) {
  cJSON *h;
  cJSON_ArrayForEach(h, headers) {
    const char *name = wc_rep_get_str(h, "name");
    for (cJSON *value = cJSON_IsObject(h) ? h->child : NULL; value; value = value->next) {
      if (!cJSON_IsString(value) || !member_named(value, "value")) continue;
      const char *masked = wc_rep_header_value(name, value->valuestring);
      if (masked != value->valuestring) {
        char *copy = wc_strdup(masked);
        if (!copy) return -1;
        free(value->valuestring);
        value->valuestring = copy;
      }
    }
  }
  return 0;
}

char *wc_rep_render_json(const cJSON *report, wc_err *err) {
  cJSON *copy = cJSON_Duplicate(report, true);
  if (!copy) {
    wc_err_set(err, WC_E_NOMEM, "out of memory while rendering report.json");
    return NULL;
  }
  int rc = wc_rep_repair_tree(copy);
  /* Every member of each name, not the first: a hand-made report may
   * repeat one, and a repeated "exchanges" must not carry a secret out. */
  for (cJSON *xs = copy->child; rc == 0 && xs; xs = xs->next) {
    if (!member_named(xs, "exchanges")) continue;
    cJSON *x;
    cJSON_ArrayForEach(x, xs) {
      for (cJSON *msg = cJSON_IsObject(x) ? x->child : NULL; rc == 0 && msg; msg = msg->next) {
        if (!member_named(msg, "request") && !member_named(msg, "response")) continue;
        for (cJSON *h = cJSON_IsObject(msg) ? msg->child : NULL; rc == 0 && h; h = h->next)
          if (member_named(h, "headers")) rc = mask_headers(h);
      }
    }
  }
  char *text = NULL;
  if (rc == 0) text = wc_rep_print(copy, WC_REP_FILE_JSON, err);
  else wc_err_set(err, WC_E_NOMEM, "out of memory while rendering %s", WC_REP_FILE_JSON);
  cJSON_Delete(copy);
  return text;
}

/* ---- formats and files ---- */

int wc_report_formats_parse(const char *list, wc_err *err) {
  static const struct {
    const char *name;
    int bit;
  } names[] = {{"json", WC_REPORT_JSON}, {"junit", WC_REPORT_JUNIT}, {"sarif", WC_REPORT_SARIF},
               {"md", WC_REPORT_MD},     {"markdown", WC_REPORT_MD},  {"html", WC_REPORT_HTML},
               {"har", WC_REPORT_HAR},   {"all", WC_REPORT_ALL}};
  if (!list || !*list) {
    wc_err_set(err, WC_E_USAGE, "--format: empty list (use json,junit,sarif,md,html,har or all)");
    return -1;
  }
  int mask = 0;
  const char *p = list;
  for (;;) { /* every element, empty ones included ("json," is a mistake) */
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    while (len && *p == ' ') p++, len--;
    while (len && p[len - 1] == ' ') len--;
    int bit = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !bit; i++)
      if (strlen(names[i].name) == len && strncasecmp(names[i].name, p, len) == 0) bit = names[i].bit;
    if (!bit) {
      wc_err_set(err, WC_E_USAGE, "--format: unknown format '%.*s' (use json,junit,sarif,md,html,har or all)",
                 (int)(len > 40 ? 40 : len), p);
      return -1;
    }
    mask |= bit;
    if (!end) break;
    p = end + 1;
  }
  return mask;
}

/* Reports are for sharing: the usual mode, less the umask. */
static int write_file(const char *dir, const char *name, const char *text, wc_err *err) {
  char *path = wc_path_join(dir, name);
  if (!path) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return -1;
  }
  int rc = wc_write_file_atomic(path, text, 0666, err);
  free(path);
  return rc;
}

/* report.json (json) or the HAR, printed into its file as it is made. */
static int stream_file(const cJSON *report, const char *dir, const char *name, bool json, wc_err *err) {
  char *path = wc_path_join(dir, name);
  if (!path) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return -1;
  }
  int rc = -1;
  if (json) {
    rc = wc_rep_stream_report_json(report, path, err);
  } else {
    cJSON *har = wc_rep_build_har(report, err);
    if (har) rc = wc_rep_stream_tree(har, path, err);
    cJSON_Delete(har);
  }
  free(path);
  return rc;
}

int wc_report_write(const cJSON *report, const wc_spec *spec, const char *dir, int formats, wc_err *err) {
  if (wc_rep_check(report, err) != 0) return -1;
  if (!dir || !*dir) {
    wc_err_set(err, WC_E_USAGE, "no report directory given");
    return -1;
  }
  if (formats <= 0 || (formats & ~WC_REPORT_ALL)) {
    wc_err_set(err, WC_E_USAGE, "no valid report format selected");
    return -1;
  }
  if (wc_mkdir_p(dir, err) != 0) return -1;
  static const struct {
    int bit;
    const char *file;
  } order[] = {{WC_REPORT_JSON, WC_REP_FILE_JSON}, {WC_REPORT_JUNIT, WC_REP_FILE_JUNIT},
               {WC_REPORT_SARIF, WC_REP_FILE_SARIF}, {WC_REPORT_MD, WC_REP_FILE_MD},
               {WC_REPORT_HTML, WC_REP_FILE_HTML}, {WC_REPORT_HAR, WC_REP_FILE_HAR}};
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
    if (!(formats & order[i].bit)) continue;
    if (order[i].bit == WC_REPORT_JSON || order[i].bit == WC_REPORT_HAR) {
      /* The two files that hold the exchanges: streamed (report_stream.c). */
      if (stream_file(report, dir, order[i].file, order[i].bit == WC_REPORT_JSON, err) != 0) return -1;
      continue;
    }
    char *text = NULL;
    switch (order[i].bit) {
    case WC_REPORT_JUNIT: text = wc_report_render_junit(report, err); break;
    case WC_REPORT_SARIF: text = wc_report_render_sarif(report, spec, err); break;
    case WC_REPORT_MD: text = wc_rep_render_markdown_linked(report, formats, err); break;
    case WC_REPORT_HTML: text = wc_rep_render_html_linked(report, spec, formats, err); break;
    }
    if (!text) return -1;
    int rc = write_file(dir, order[i].file, text, err);
    free(text);
    if (rc != 0) return -1;
  }
  return 0;
}
