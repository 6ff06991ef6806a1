/* Response parser: headers with case-insensitive look-up (repeats kept in
 * order), the Content-Type media type (RFC 9110 8.3.1), the body through the
 * strict JSON pass and cJSON, and the error envelope as a typed result with
 * one finding per problem. */
#include "whopconf/response.h"

#include "whopconf/http1.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Offsets into the response's text: every header's name and value, each
 * NUL-terminated, in one buffer (one allocation for all of them). */
typedef struct resp_header {
  size_t name, value;
} resp_header;

struct wc_response {
  long status;
  resp_header *headers;
  size_t header_count, header_cap;
  wc_buf header_text;
  char *body;
  size_t body_len;
  wc_media_type media;
  cJSON *json;
  wc_findings *json_findings;
  char json_error[sizeof(((wc_err *)0)->msg)];
};

/* ---- media type ---- */

static const char *skip_ows(const char *p) {
  while (*p == ' ' || *p == '\t') p++;
  return p;
}

static const char *scan_token(const char *p) {
  while (wc_http_tchar((unsigned char)*p)) p++;
  return p;
}

/* quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE; copies the
 * unescaped content (lowercased) into out when out is non-NULL. Returns the
 * position after the closing quote, or NULL when malformed. *fits is cleared
 * when the content does not fit. */
static const char *scan_quoted(const char *p, char *out, size_t out_size, bool *fits) {
  size_t n = 0;
  p++; /* opening quote */
  for (;;) {
    unsigned char c = (unsigned char)*p;
    if (c == '"') break;
    if (c == '\\') {
      unsigned char e = (unsigned char)p[1];
      if (!(e == '\t' || (e >= 0x20 && e != 0x7f))) return NULL;
      c = e;
      p++;
    } else if (!(c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) ||
                 c >= 0x80)) {
      return NULL; /* includes the end of the string */
    }
    if (out) {
      if (n + 1 < out_size) out[n++] = (char)tolower(c);
      else *fits = false;
    }
    p++;
  }
  if (out) out[n] = '\0';
  return p + 1;
}

static void lower_copy(char *dst, const char *src, size_t n) {
  for (size_t i = 0; i < n; i++) dst[i] = (char)tolower((unsigned char)src[i]);
  dst[n] = '\0';
}

int wc_media_type_parse(const char *value, wc_media_type *out) {
  memset(out, 0, sizeof *out);
  if (!value) return -1;
  out->present = true;
  const char *p = skip_ows(value);
  const char *type = p;
  p = scan_token(p);
  size_t type_len = (size_t)(p - type);
  if (type_len == 0 || *p != '/') return -1;
  const char *sub = ++p;
  p = scan_token(p);
  size_t sub_len = (size_t)(p - sub);
  if (sub_len == 0 || type_len + 1 + sub_len >= sizeof out->essence) return -1;
  char essence[sizeof out->essence];
  lower_copy(essence, type, type_len + 1 + sub_len);
  char charset[sizeof out->charset] = "";
  bool charset_fits = true;
  /* parameters = *( OWS ";" OWS [ parameter ] ) */
  for (;;) {
    p = skip_ows(p);
    if (*p == '\0') break;
    if (*p != ';') return -1;
    p = skip_ows(p + 1);
    if (*p == ';' || *p == '\0') continue;
    const char *pname = p;
    p = scan_token(p);
    size_t pname_len = (size_t)(p - pname);
    if (pname_len == 0 || *p != '=') return -1;
    p++;
    bool is_charset = pname_len == 7 && strncasecmp(pname, "charset", 7) == 0;
    if (*p == '"') {
      p = scan_quoted(p, is_charset ? charset : NULL, sizeof charset, &charset_fits);
      if (!p) return -1;
    } else {
      const char *v = p;
      p = scan_token(p);
      size_t vlen = (size_t)(p - v);
      if (vlen == 0) return -1;
      if (is_charset) {
        if (vlen >= sizeof charset) charset_fits = false;
        else lower_copy(charset, v, vlen);
      }
    }
  }
  if (!charset_fits) return -1;
  out->valid = true;
  memcpy(out->essence, essence, sizeof essence);
  memcpy(out->charset, charset, sizeof charset);
  size_t elen = strlen(essence);
  out->is_json = strcmp(essence, "application/json") == 0 ||
                 (elen > 5 && strcmp(essence + elen - 5, "+json") == 0);
  return 0;
}

/* ---- response ---- */

wc_response *wc_response_new(long status, const char *body, size_t body_len) {
  wc_response *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->status = status;
  r->json_findings = wc_findings_new();
  r->body = malloc(body_len + 1);
  if (!r->json_findings || !r->body) {
    wc_response_free(r);
    return NULL;
  }
  if (body_len) memcpy(r->body, body, body_len);
  r->body[body_len] = '\0';
  r->body_len = body_len;
  return r;
}

int wc_response_add_header(wc_response *r, const char *name, const char *value) {
  if (!r || !name || !value) return -1;
  if (r->header_count == r->header_cap) {
    size_t cap = r->header_cap ? r->header_cap * 2 : 16;
    resp_header *h = realloc(r->headers, cap * sizeof *h);
    if (!h) return -1;
    r->headers = h;
    r->header_cap = cap;
  }
  wc_buf *text = &r->header_text;
  size_t at = text->len, name_len = strlen(name);
  resp_header h = {at, at + name_len + 1};
  if (wc_buf_append(text, name, name_len + 1) != 0 || wc_buf_puts(text, value) != 0) {
    text->len = at;
    return -1;
  }
  text->len++; /* keep the value's NUL: the next name starts after it */
  r->headers[r->header_count++] = h;
  return 0;
}

void wc_response_finish(wc_response *r, const wc_json_opts *opts) {
  if (!r) return;
  /* Only the first Content-Type counts; a repeated one is for the checks to
   * notice via wc_response_header_count. */
  wc_media_type_parse(wc_response_header(r, "Content-Type", 0), &r->media);
  cJSON_Delete(r->json);
  r->json = NULL;
  wc_findings_clear(r->json_findings);
  r->json_error[0] = '\0';
  wc_err err;
  wc_err_clear(&err);
  r->json = wc_json_parse(r->body, r->body_len, opts, r->json_findings, &err);
  if (!r->json) {
    /* Defects only describe a document that is JSON; for one that is not,
     * the reason is kept as json_error. */
    wc_findings_clear(r->json_findings);
    snprintf(r->json_error, sizeof r->json_error, "%s",
             err.msg[0] ? err.msg : (r->body_len ? "body is not JSON" : "body is empty"));
  }
}

wc_response *wc_response_from_exchange(const wc_exchange *x, const wc_json_opts *opts, wc_err *err) {
  wc_err_clear(err);
  if (!x || !wc_exchange_has_response(x)) {
    wc_err_set(err, WC_E_TRANSPORT, "no response: %s",
               x && wc_exchange_error(x)[0] ? wc_exchange_error(x) : "the transfer failed");
    return NULL;
  }
  size_t len = 0;
  const char *body = wc_exchange_body(x, &len);
  wc_response *r = wc_response_new(wc_exchange_http_status(x), body, len);
  if (!r) goto nomem;
  for (size_t i = 0; i < wc_exchange_header_count(x); i++)
    if (wc_response_add_header(r, wc_exchange_header_name(x, i), wc_exchange_header_value(x, i)) != 0) goto nomem;
  wc_response_finish(r, opts);
  return r;
nomem:
  wc_response_free(r);
  wc_err_set(err, WC_E_NOMEM, "out of memory copying the response");
  return NULL;
}

void wc_response_free(wc_response *r) {
  if (!r) return;
  wc_buf_free(&r->header_text);
  free(r->headers);
  free(r->body);
  cJSON_Delete(r->json);
  wc_findings_free(r->json_findings);
  free(r);
}

long wc_response_status(const wc_response *r) { return r ? r->status : 0; }

const char *wc_response_header(const wc_response *r, const char *name, size_t nth) {
  if (!r || !name) return NULL;
  const char *text = r->header_text.data;
  for (size_t i = 0; i < r->header_count; i++)
    if (strcasecmp(text + r->headers[i].name, name) == 0 && nth-- == 0) return text + r->headers[i].value;
  return NULL;
}

size_t wc_response_header_count(const wc_response *r, const char *name) {
  size_t n = 0;
  if (!r || !name) return 0;
  for (size_t i = 0; i < r->header_count; i++)
    if (strcasecmp(r->header_text.data + r->headers[i].name, name) == 0) n++;
  return n;
}

const wc_media_type *wc_response_media_type(const wc_response *r) { return r ? &r->media : NULL; }

const char *wc_response_body(const wc_response *r, size_t *len) {
  if (len) *len = r ? r->body_len : 0;
  return r ? r->body : NULL;
}

const cJSON *wc_response_json(const wc_response *r) { return r ? r->json : NULL; }
const wc_findings *wc_response_json_findings(const wc_response *r) { return r ? r->json_findings : NULL; }
const char *wc_response_json_error(const wc_response *r) { return r ? r->json_error : ""; }

/* ---- error envelope ---- */

static const char *json_kind(const cJSON *v) {
  if (cJSON_IsString(v)) return "a string";
  if (cJSON_IsNumber(v)) return "a number";
  if (cJSON_IsBool(v)) return "a boolean";
  if (cJSON_IsNull(v)) return "null";
  if (cJSON_IsArray(v)) return "an array";
  if (cJSON_IsObject(v)) return "an object";
  return "an invalid value";
}

static void problem(wc_envelope *out, wc_findings *f, unsigned bit, const char *pointer, const char *keyword,
                    const char *fmt, ...) WC_PRINTF(6, 7);

static void problem(wc_envelope *out, wc_findings *f, unsigned bit, const char *pointer, const char *keyword,
                    const char *fmt, ...) {
  out->problems |= bit;
  if (!f) return;
  va_list ap;
  va_start(ap, fmt);
  wc_findings_addv(f, pointer, NULL, keyword, WC_NO_OFFSET, fmt, ap);
  va_end(ap);
}

/* Checks one required non-empty string member of "error". */
static const char *envelope_string(wc_envelope *out, wc_findings *f, const cJSON *error, const char *key,
                                   unsigned missing, unsigned not_string, unsigned empty) {
  char pointer[32];
  snprintf(pointer, sizeof pointer, "/error/%s", key);
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(error, key);
  if (!v) {
    const cJSON *code = strcmp(key, "type") == 0 ? cJSON_GetObjectItemCaseSensitive(error, "code") : NULL;
    if (code) {
      problem(out, f, missing, pointer, "envelope-type-missing",
              "error.type is missing, but error.code is present: the public docs show both spellings; the "
              "contract requires \"type\"");
      problem(out, f, WC_ENV_CODE_INSTEAD_OF_TYPE, "/error/code", "envelope-code-instead-of-type",
              "error.code (%s) is sent instead of error.type", json_kind(code));
    } else {
      problem(out, f, missing, pointer, strcmp(key, "type") == 0 ? "envelope-type-missing" : "envelope-message-missing",
              "error.%s is missing", key);
    }
    return NULL;
  }
  if (!cJSON_IsString(v) || !v->valuestring) {
    problem(out, f, not_string, pointer,
            strcmp(key, "type") == 0 ? "envelope-type-not-string" : "envelope-message-not-string",
            "error.%s is %s, not a string", key, json_kind(v));
    return NULL;
  }
  if (v->valuestring[0] == '\0') {
    problem(out, f, empty, pointer, strcmp(key, "type") == 0 ? "envelope-type-empty" : "envelope-message-empty",
            "error.%s is an empty string", key);
    return v->valuestring;
  }
  return v->valuestring;
}

unsigned wc_response_envelope(const wc_response *r, wc_envelope *out, wc_findings *findings) {
  memset(out, 0, sizeof *out);
  const cJSON *root = r ? r->json : NULL;
  if (!root) {
    problem(out, findings, WC_ENV_NOT_JSON, "", "envelope-not-json", "body is not JSON (%s)",
            r && r->json_error[0] ? r->json_error : "no body");
    return out->problems;
  }
  const cJSON *error = cJSON_IsObject(root) ? cJSON_GetObjectItemCaseSensitive(root, "error") : NULL;
  if (!error) {
    problem(out, findings, WC_ENV_NO_ERROR, "", "envelope-no-error",
            cJSON_IsObject(root) ? "JSON object without an \"error\" member"
                                 : "body is JSON but not an object, so it has no \"error\" member");
    return out->problems;
  }
  if (!cJSON_IsObject(error)) {
    problem(out, findings, WC_ENV_ERROR_NOT_OBJECT, "/error", "envelope-error-not-object",
            "\"error\" is %s, not an object", json_kind(error));
    return out->problems;
  }
  out->type = envelope_string(out, findings, error, "type", WC_ENV_TYPE_MISSING, WC_ENV_TYPE_NOT_STRING,
                              WC_ENV_TYPE_EMPTY);
  out->message = envelope_string(out, findings, error, "message", WC_ENV_MESSAGE_MISSING,
                                 WC_ENV_MESSAGE_NOT_STRING, WC_ENV_MESSAGE_EMPTY);
  return out->problems;
}
