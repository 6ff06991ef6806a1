/* The exchange record: what was sent (credential redacted) and what came
 * back, a reproduction curl command, and the report.json "exchanges[]" form.
 *
 * Redaction happens twice: the request headers are copied from the
 * builder's redacted list (the credential never enters the record), and
 * after the transfer every recorded string is scrubbed of the credential,
 * because a hostile server can echo the Authorization header back in a
 * header or the body. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "transport_internal.h"

/* Tokens shorter than this are not secrets worth mangling the record for
 * (scrubbing "a" would rewrite every "a"); see docs/transport.md. */
#define WC_SCRUB_MIN_LEN 4

wc_exchange *wc_exchange_new_from_request(const wc_request *req, const wc_transport_opts *opts) {
  wc_exchange *x = calloc(1, sizeof *x);
  if (!x) return NULL;
  wc_buf_init(&x->body);
  x->error = wc_strdup("");
  x->note = wc_strdup("");
  x->method = wc_strdup(wc_request_method(req));
  x->url = wc_strdup(wc_request_url(req));
  x->has_credential = wc_request_has_credential(req);
  x->insecure = opts->insecure;
  if (opts->cacert) x->cacert = wc_strdup(opts->cacert);
  bool ok = x->error && x->note && x->method && x->url && (!opts->cacert || x->cacert);
  size_t n = wc_request_header_count(req);
  x->req_headers = calloc(n ? n : 1, sizeof *x->req_headers);
  ok = ok && x->req_headers;
  for (size_t i = 0; ok && i < n; i++) {
    x->req_headers[i] = wc_strdup(wc_request_header_redacted(req, i));
    ok = x->req_headers[i] != NULL;
    x->req_header_count = i + 1;
  }
  size_t blen = 0;
  const char *body = wc_request_body(req, &blen);
  if (ok && body) {
    x->req_body = wc_strndup(body, blen);
    x->req_body_len = blen;
    ok = x->req_body != NULL;
  }
  if (!ok) {
    wc_exchange_free(x);
    return NULL;
  }
  return x;
}

void wc_exchange_reset_response(wc_exchange *x) {
  for (size_t i = 0; i < x->header_count; i++) {
    free(x->headers[i].name);
    free(x->headers[i].value);
  }
  x->header_count = 0;
  x->body.len = 0;
  if (x->body.data) x->body.data[0] = '\0';
  x->body_truncated = false;
  x->has_response = false;
  x->http_status = 0;
}

void wc_exchange_free(wc_exchange *x) {
  if (!x) return;
  wc_exchange_reset_response(x);
  free(x->headers);
  wc_buf_free(&x->body);
  for (size_t i = 0; i < x->req_header_count; i++) free(x->req_headers[i]);
  free(x->req_headers);
  free(x->req_body);
  free(x->method);
  free(x->url);
  free(x->cacert);
  free(x->error);
  free(x->note);
  free(x);
}

int wc_exchange_add_header(wc_exchange *x, const char *name, size_t name_len, const char *value,
                           size_t value_len) {
  if (x->header_count == x->header_cap) {
    size_t cap = x->header_cap ? x->header_cap * 2 : 16;
    wc_xheader *h = realloc(x->headers, cap * sizeof *h);
    if (!h) return -1;
    x->headers = h;
    x->header_cap = cap;
  }
  wc_xheader h = {wc_strndup(name, name_len), wc_strndup(value, value_len)};
  if (!h.name || !h.value) {
    free(h.name);
    free(h.value);
    return -1;
  }
  x->headers[x->header_count++] = h;
  return 0;
}

int wc_exchange_extend_header(wc_exchange *x, const char *text, size_t len) {
  if (x->header_count == 0) return -1;
  wc_xheader *h = &x->headers[x->header_count - 1];
  size_t old = strlen(h->value);
  char *v = realloc(h->value, old + len + 2);
  if (!v) return -1;
  v[old] = ' ';
  memcpy(v + old + 1, text, len);
  v[old + 1 + len] = '\0';
  h->value = v;
  return 0;
}

static char *vformat(const char *fmt, va_list ap) {
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(NULL, 0, fmt, copy);
  va_end(copy);
  if (n < 0) return NULL;
  char *s = malloc((size_t)n + 1);
  if (!s) return NULL;
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  for (char *p = s; *p; p++) /* one line */
    if (*p == '\r' || *p == '\n') *p = ' ';
  return s;
}

void wc_exchange_set_error(wc_exchange *x, wc_xfer_status status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = vformat(fmt, ap);
  va_end(ap);
  x->status = status;
  if (s) {
    free(x->error);
    x->error = s;
  }
}

void wc_exchange_set_ok(wc_exchange *x) {
  x->status = WC_XFER_OK;
  if (x->error && !x->error[0]) return;
  char *empty = wc_strdup("");
  if (!empty) return; /* the old message stays: set_error does the same */
  free(x->error);
  x->error = empty;
}

void wc_exchange_set_note(wc_exchange *x, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = vformat(fmt, ap);
  va_end(ap);
  if (s) {
    free(x->note);
    x->note = s;
  }
}

/* memmem is a GNU extension; this is the portable few lines (memchr finds
 * the candidates: every exchange of a run is scanned for the token). */
static const char *find_bytes(const char *hay, size_t n, const char *needle, size_t m) {
  if (m == 0 || n < m) return NULL;
  const char *last = hay + (n - m); /* the last place a match can start */
  for (const char *p = hay; p <= last; p++) {
    p = memchr(p, needle[0], (size_t)(last - p) + 1);
    if (!p) return NULL;
    if (memcmp(p, needle, m) == 0) return p;
  }
  return NULL;
}

/* Replaces every occurrence of secret in *data (len bytes, NUL-terminated)
 * by "***". Leaves *data alone when it does not occur or memory runs out --
 * in which case the whole value is blanked, since keeping it would leak. */
static void scrub_bytes(char **data, size_t *len, const char *secret) {
  if (!*data) return;
  size_t slen = strlen(secret);
  size_t n = len ? *len : strlen(*data);
  if (n < slen || !find_bytes(*data, n, secret, slen)) return;
  wc_buf out;
  wc_buf_init(&out);
  const char *p = *data, *end = *data + n;
  int rc = 0;
  while (rc == 0 && p < end) {
    const char *hit = find_bytes(p, (size_t)(end - p), secret, slen);
    if (!hit) {
      rc = wc_buf_append(&out, p, (size_t)(end - p));
      break;
    }
    rc = wc_buf_append(&out, p, (size_t)(hit - p));
    if (rc == 0) rc = wc_buf_puts(&out, "***");
    p = hit + slen;
  }
  if (rc != 0 || !out.data) {
    wc_buf_free(&out);
    (*data)[0] = '\0';
    if (len) *len = 0;
    return;
  }
  free(*data);
  if (len) *len = out.len;
  *data = wc_buf_steal(&out);
}

void wc_exchange_scrub(wc_exchange *x, const char *secret) {
  if (!x || !secret || strlen(secret) < WC_SCRUB_MIN_LEN) return;
  scrub_bytes(&x->url, NULL, secret);
  scrub_bytes(&x->error, NULL, secret);
  scrub_bytes(&x->note, NULL, secret);
  scrub_bytes(&x->req_body, &x->req_body_len, secret);
  for (size_t i = 0; i < x->req_header_count; i++) scrub_bytes(&x->req_headers[i], NULL, secret);
  for (size_t i = 0; i < x->header_count; i++) {
    scrub_bytes(&x->headers[i].name, NULL, secret);
    scrub_bytes(&x->headers[i].value, NULL, secret);
  }
  if (x->body.data) {
    char *data = x->body.data;
    size_t len = x->body.len;
    scrub_bytes(&data, &len, secret);
    if (data != x->body.data) {
      x->body.data = data;
      x->body.len = len;
      x->body.cap = len + 1;
    } else {
      x->body.len = len;
    }
  }
}

/* ---- accessors ---- */

wc_xfer_status wc_exchange_status(const wc_exchange *x) { return x ? x->status : WC_XFER_OTHER; }
const char *wc_exchange_error(const wc_exchange *x) { return x && x->error ? x->error : ""; }
const char *wc_exchange_note(const wc_exchange *x) { return x && x->note ? x->note : ""; }
long wc_exchange_http_status(const wc_exchange *x) { return x ? x->http_status : 0; }
bool wc_exchange_has_response(const wc_exchange *x) { return x && x->has_response; }
const char *wc_exchange_method(const wc_exchange *x) { return x ? x->method : NULL; }
const char *wc_exchange_url(const wc_exchange *x) { return x ? x->url : NULL; }
size_t wc_exchange_request_header_count(const wc_exchange *x) { return x ? x->req_header_count : 0; }

const char *wc_exchange_request_header(const wc_exchange *x, size_t i) {
  return x && i < x->req_header_count ? x->req_headers[i] : NULL;
}

const char *wc_exchange_request_body(const wc_exchange *x, size_t *len) {
  if (len) *len = x && x->req_body ? x->req_body_len : 0;
  return x ? x->req_body : NULL;
}

size_t wc_exchange_header_count(const wc_exchange *x) { return x ? x->header_count : 0; }

const char *wc_exchange_header_name(const wc_exchange *x, size_t i) {
  return x && i < x->header_count ? x->headers[i].name : NULL;
}

const char *wc_exchange_header_value(const wc_exchange *x, size_t i) {
  return x && i < x->header_count ? x->headers[i].value : NULL;
}

const char *wc_exchange_body(const wc_exchange *x, size_t *len) {
  if (len) *len = x && x->has_response ? x->body.len : 0;
  if (!x || !x->has_response) return NULL;
  return x->body.data ? x->body.data : "";
}

bool wc_exchange_body_truncated(const wc_exchange *x) { return x && x->body_truncated; }
double wc_exchange_total_ms(const wc_exchange *x) { return x ? x->total_ms : 0; }
int wc_exchange_retries(const wc_exchange *x) { return x ? x->retries : 0; }
long wc_exchange_retry_wait_ms(const wc_exchange *x) { return x ? x->retry_wait_ms : 0; }
long wc_exchange_connects(const wc_exchange *x) { return x ? x->connects : 0; }

/* ---- reproduction command ---- */

static size_t utf8_seq(const unsigned char *s, size_t avail);

/* A body the shell cannot carry verbatim in a single-quoted argument: a NUL
 * (argv cannot hold one) or bytes that are not UTF-8 (the report would
 * replace them, and the command would no longer reproduce the request). */
static bool body_needs_printf(const char *body, size_t len) {
  for (size_t i = 0; i < len;) {
    size_t n = utf8_seq((const unsigned char *)body + i, len - i);
    if (n == 0) return true;
    i += n;
  }
  return false;
}

/* POSIX shell single quoting: 'it'\''s'. Everything but ' is literal. */
static int sh_quote(wc_buf *b, const char *s, size_t len) {
  int rc = wc_buf_puts(b, "'");
  while (rc == 0 && len > 0) { /* runs up to the next quote, copied whole */
    const char *quote = memchr(s, '\'', len);
    size_t run = quote ? (size_t)(quote - s) : len;
    rc = wc_buf_append(b, s, run);
    if (rc == 0 && quote) rc = wc_buf_puts(b, "'\\''");
    run += quote ? 1 : 0;
    s += run;
    len -= run;
  }
  return rc == 0 ? wc_buf_puts(b, "'") : rc;
}

static bool is_authorization(const char *line) { return strncasecmp(line, "Authorization:", 14) == 0; }

/* The recorded line is "Authorization: <scheme> ***" (the scheme may be
 * absent in negative cases): keep the scheme that was sent, take the
 * credential from the environment. A scheme that is not a plain token is
 * shown as Bearer rather than quoted into a shell command. */
static int put_authorization(wc_buf *b, const char *line) {
  const char *value = line + 14;
  while (*value == ' ' || *value == '\t') value++;
  size_t scheme_len = strcspn(value, " *");
  bool plain = true;
  for (size_t i = 0; i < scheme_len; i++)
    if (!(isalnum((unsigned char)value[i]) || value[i] == '-' || value[i] == '_')) plain = false;
  if (!plain) return wc_buf_puts(b, " -H \"Authorization: Bearer $WHOPCONF_TOKEN\"");
  return wc_buf_printf(b, " -H \"Authorization: %.*s%s$WHOPCONF_TOKEN\"", (int)scheme_len, value,
                       scheme_len ? " " : "");
}

char *wc_exchange_curl_command(const wc_exchange *x) {
  if (!x) return NULL;
  wc_buf b;
  wc_buf_init(&b);
  int rc = 0;
  bool raw_body_printf = x->req_body && body_needs_printf(x->req_body, x->req_body_len);
  if (raw_body_printf) {
    /* Feed the body through printf's octal escapes instead. */
    rc = wc_buf_puts(&b, "printf '");
    for (size_t i = 0; rc == 0 && i < x->req_body_len; i++) {
      unsigned char c = (unsigned char)x->req_body[i];
      if (c >= 0x20 && c < 0x7f && c != '\\' && c != '%' && c != '\'') rc = wc_buf_append(&b, &c, 1);
      else rc = wc_buf_printf(&b, "\\%03o", c);
    }
    if (rc == 0) rc = wc_buf_puts(&b, "' | ");
  }
  if (rc == 0) rc = wc_buf_puts(&b, "curl -sS");
  if (rc == 0 && x->method && strcmp(x->method, "HEAD") == 0 && !x->req_body) {
    rc = wc_buf_puts(&b, " --head");
  } else if (rc == 0) {
    rc = wc_buf_puts(&b, " -X ");
    if (rc == 0) rc = sh_quote(&b, x->method ? x->method : "", x->method ? strlen(x->method) : 0);
  }
  if (rc == 0) rc = wc_buf_puts(&b, " ");
  if (rc == 0) rc = sh_quote(&b, x->url ? x->url : "", x->url ? strlen(x->url) : 0);
  bool has_ctype = false;
  for (size_t i = 0; rc == 0 && i < x->req_header_count; i++) {
    const char *h = x->req_headers[i];
    if (strncasecmp(h, "Content-Type:", 13) == 0) has_ctype = true;
    if (is_authorization(h))
      rc = put_authorization(&b, h);
    else if ((rc = wc_buf_puts(&b, " -H ")) == 0)
      rc = sh_quote(&b, h, strlen(h));
  }
  if (rc == 0 && x->req_body) {
    /* Mirror what the transport suppressed in libcurl. */
    if (!has_ctype) rc = wc_buf_puts(&b, " -H 'Content-Type:'");
    if (rc == 0 && x->req_body_len > 1024) rc = wc_buf_puts(&b, " -H 'Expect:'");
    if (rc == 0 && raw_body_printf) {
      rc = wc_buf_puts(&b, " --data-binary @-");
    } else if (rc == 0) {
      rc = wc_buf_puts(&b, " --data-binary ");
      if (rc == 0) rc = sh_quote(&b, x->req_body, x->req_body_len);
    }
  }
  if (rc == 0 && x->cacert) {
    rc = wc_buf_puts(&b, " --cacert ");
    if (rc == 0) rc = sh_quote(&b, x->cacert, strlen(x->cacert));
  }
  if (rc == 0 && x->insecure) rc = wc_buf_puts(&b, " --insecure");
  if (rc != 0) {
    wc_buf_free(&b);
    return NULL;
  }
  return wc_buf_steal(&b);
}

/* ---- report form ---- */

/* Length of the valid UTF-8 sequence at s (0 = invalid). NUL counts as
 * invalid: cJSON strings are C strings and would end there. */
static size_t utf8_seq(const unsigned char *s, size_t avail) {
  return s[0] == 0 ? 0 : wc_utf8_decode(s, avail, NULL, NULL);
}

/* Text for a body: at most cap bytes (0 = all), cut on a character
 * boundary; invalid bytes become U+FFFD. */
static char *body_text(const char *data, size_t len, size_t cap, bool *cut, bool *lossy) {
  *cut = false;
  *lossy = false;
  size_t end = len;
  if (cap > 0 && len > cap) {
    end = cap;
    *cut = true;
    /* Back off at most 3 continuation bytes so a character is not split. */
    for (int k = 0; k < 3 && end > 0 && ((unsigned char)data[end] & 0xC0) == 0x80; k++) end--;
  }
  wc_buf b;
  wc_buf_init(&b);
  if (wc_buf_append(&b, "", 0) != 0) return NULL;
  const unsigned char *s = (const unsigned char *)data;
  size_t i = 0;
  while (i < end) {
    size_t n = utf8_seq(s + i, end - i);
    int rc;
    if (n == 0) {
      *lossy = true;
      rc = wc_buf_puts(&b, "\xEF\xBF\xBD");
      n = 1;
    } else {
      rc = wc_buf_append(&b, s + i, n);
    }
    if (rc != 0) {
      wc_buf_free(&b);
      return NULL;
    }
    i += n;
  }
  return wc_buf_steal(&b);
}

static bool add_body(cJSON *obj, const char *data, size_t len, size_t cap, bool truncated_already) {
  if (!data) return cJSON_AddNullToObject(obj, "body") && cJSON_AddBoolToObject(obj, "body_truncated", 0);
  bool cut, lossy;
  char *text = body_text(data, len, cap, &cut, &lossy);
  if (!text) return false;
  bool ok = cJSON_AddStringToObject(obj, "body", text) != NULL &&
            cJSON_AddBoolToObject(obj, "body_truncated", cut || truncated_already) != NULL &&
            (!lossy || cJSON_AddStringToObject(obj, "body_encoding", "lossy") != NULL);
  free(text);
  return ok;
}

static bool add_headers(cJSON *obj, const char **names, const char **values, size_t n) {
  cJSON *arr = cJSON_AddArrayToObject(obj, "headers");
  if (!arr) return false;
  for (size_t i = 0; i < n; i++) {
    cJSON *h = cJSON_CreateObject();
    if (!h) return false;
    cJSON_AddItemToArray(arr, h);
    bool cut, lossy;
    char *name = body_text(names[i], strlen(names[i]), 0, &cut, &lossy);
    char *value = body_text(values[i], strlen(values[i]), 0, &cut, &lossy);
    bool ok = name && value && cJSON_AddStringToObject(h, "name", name) &&
              cJSON_AddStringToObject(h, "value", value);
    free(name);
    free(value);
    if (!ok) return false;
  }
  return true;
}

static double round_ms(double ms) { return (double)(long long)(ms * 10.0 + 0.5) / 10.0; }

static bool request_json(cJSON *root, const wc_exchange *x, size_t body_cap) {
  cJSON *req = cJSON_AddObjectToObject(root, "request");
  if (!req || !cJSON_AddStringToObject(req, "method", x->method) || !cJSON_AddStringToObject(req, "url", x->url))
    return false;
  size_t n = x->req_header_count;
  const char **names = calloc(n ? n : 1, sizeof *names);
  const char **values = calloc(n ? n : 1, sizeof *values);
  char **copies = calloc(n ? n : 1, sizeof *copies);
  bool ok = names && values && copies;
  for (size_t i = 0; ok && i < n; i++) {
    copies[i] = wc_strdup(x->req_headers[i]);
    ok = copies[i] != NULL;
    if (!ok) break;
    char *colon = strchr(copies[i], ':');
    if (colon) {
      *colon = '\0';
      char *v = colon + 1;
      while (*v == ' ') v++;
      values[i] = v;
    } else {
      values[i] = "";
    }
    names[i] = copies[i];
  }
  ok = ok && add_headers(req, names, values, n) && add_body(req, x->req_body, x->req_body_len, body_cap, false);
  for (size_t i = 0; copies && i < n; i++) free(copies[i]);
  free(copies);
  free(names);
  free(values);
  return ok;
}

static bool response_json(cJSON *root, const wc_exchange *x, size_t body_cap) {
  if (!x->has_response) return cJSON_AddNullToObject(root, "response") != NULL;
  cJSON *resp = cJSON_AddObjectToObject(root, "response");
  if (!resp || !cJSON_AddNumberToObject(resp, "status", (double)x->http_status)) return false;
  size_t n = x->header_count;
  const char **names = calloc(n ? n : 1, sizeof *names);
  const char **values = calloc(n ? n : 1, sizeof *values);
  bool ok = names && values;
  for (size_t i = 0; ok && i < n; i++) {
    names[i] = x->headers[i].name;
    values[i] = x->headers[i].value;
  }
  ok = ok && add_headers(resp, names, values, n) &&
       add_body(resp, x->body.data ? x->body.data : "", x->body.len, body_cap, x->body_truncated) &&
       cJSON_AddNumberToObject(resp, "body_bytes", (double)x->body.len);
  free(names);
  free(values);
  return ok;
}

cJSON *wc_exchange_to_json(const wc_exchange *x, const char *id, size_t body_cap) {
  if (!x) return NULL;
  cJSON *root = cJSON_CreateObject();
  if (!root) return NULL;
  char *curl = NULL;
  bool ok = (!id || cJSON_AddStringToObject(root, "id", id)) && request_json(root, x, body_cap) &&
            response_json(root, x, body_cap);
  if (ok && x->status == WC_XFER_OK) {
    ok = cJSON_AddNullToObject(root, "error") != NULL;
  } else if (ok) {
    cJSON *e = cJSON_AddObjectToObject(root, "error");
    bool cut, lossy;
    char *msg = body_text(x->error, strlen(x->error), 0, &cut, &lossy);
    ok = e && msg && cJSON_AddStringToObject(e, "kind", wc_xfer_status_name(x->status)) &&
         cJSON_AddStringToObject(e, "message", msg);
    free(msg);
  }
  if (ok) {
    curl = wc_exchange_curl_command(x);
    bool cut, lossy;
    char *text = curl ? body_text(curl, strlen(curl), 0, &cut, &lossy) : NULL;
    ok = text && cJSON_AddNumberToObject(root, "time_ms", round_ms(x->total_ms)) &&
         cJSON_AddNumberToObject(root, "retries", x->retries) && cJSON_AddStringToObject(root, "curl", text);
    free(text);
  }
  free(curl);
  if (!ok) {
    cJSON_Delete(root);
    return NULL;
  }
  return root;
}
