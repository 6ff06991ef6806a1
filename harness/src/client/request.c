/* Request builder: a typed description in, method + URL + headers + body out.
 *
 * Every input that ends up in a header or in the request line is checked
 * here, before the transport sees it, so that no source (token, version,
 * account id, negative-case knobs) can split a header or smuggle a second
 * request. Messages name the offending field and byte position but never
 * quote the value: a token may be the offending field. */
#include "whopconf/request.h"

#include "whopconf/http1.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

#define WC_MAX_HEADERS 8

struct wc_request {
  char *method;
  char *url;
  char *headers[WC_MAX_HEADERS];
  char *redacted[WC_MAX_HEADERS];
  size_t header_count;
  char *body; /* NULL = no body */
  size_t body_len;
  char *credential; /* copy of the token, for redaction by the transport */
};

/* ---- checks ---- */

int wc_header_value_check(const char *value, size_t len, size_t *bad_offset) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)value[i];
    if (c == '\r' || c == '\n' || c == '\0') {
      if (bad_offset) *bad_offset = i;
      return c == '\0' ? 3 : (c == '\r' ? 1 : 2);
    }
  }
  return 0;
}

/* Refuses CR or LF in a value bound for a header; names the field only. A C
 * string cannot hold a NUL, so only CR (1) and LF (2) can be found here. */
static bool header_value_ok(const char *field, const char *value, wc_err *err) {
  size_t off = 0;
  int kind = wc_header_value_check(value, strlen(value), &off);
  if (kind == 0) return true;
  wc_err_set(err, WC_E_REFUSED, "%s refused: it contains %s at byte %zu (header injection)", field,
             kind == 1 ? "a CR" : "an LF", off);
  return false;
}

/* Returns the offset of the first invalid UTF-8 byte, or SIZE_MAX when valid. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len) {
  for (size_t i = 0, n; i < len; i += n)
    if ((n = wc_utf8_decode(s + i, len - i, NULL, NULL)) == 0) return i;
  return SIZE_MAX;
}

/* ---- URLs ---- */

static bool host_is_loopback(const char *host) {
  if (!host || !*host) return false;
  if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0) return true;
  char buf[64];
  size_t len = strlen(host);
  if (len >= sizeof buf) return false;
  /* curl gives IPv6 hosts in brackets, possibly with a zone id. */
  if (host[0] == '[') {
    if (len < 2 || host[len - 1] != ']') return false;
    memcpy(buf, host + 1, len - 2);
    buf[len - 2] = '\0';
    char *zone = strchr(buf, '%');
    if (zone) *zone = '\0';
    struct in6_addr a6;
    if (inet_pton(AF_INET6, buf, &a6) != 1) return false;
    if (IN6_IS_ADDR_LOOPBACK(&a6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
  }
  struct in_addr a4;
  if (inet_pton(AF_INET, host, &a4) != 1) return false;
  return (ntohl(a4.s_addr) >> 24) == 127;
}

bool wc_url_is_loopback(const char *url) {
  if (!url) return false;
  CURLU *u = curl_url();
  if (!u) return false;
  bool loopback = false;
  char *host = NULL;
  if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
    loopback = host_is_loopback(host);
  curl_free(host);
  curl_url_cleanup(u);
  return loopback;
}

/* True when the part is present (curl reports "no such part" otherwise). */
static bool url_has_part(CURLU *u, CURLUPart part) {
  char *value = NULL;
  CURLUcode rc = curl_url_get(u, part, &value, 0);
  curl_free(value);
  return rc == CURLUE_OK;
}

/* Parses and vets a base URL. The URL itself is never quoted in a message:
 * a base URL with userinfo carries a password. */
static CURLU *base_url_parse(const char *base_url, wc_err *err) {
  if (!base_url || !*base_url) {
    wc_err_set(err, WC_E_USAGE, "base URL is empty");
    return NULL;
  }
  /* Checked on the bytes, not on curl's parts: an empty query ("...?") or
   * fragment ("...#") is not reported as a part by curl, but it is still not
   * a base URL. */
  if (strpbrk(base_url, "?#")) {
    wc_err_set(err, WC_E_USAGE, "base URL refused: it has a %s; give scheme://host[:port][/prefix] only",
               strchr(base_url, '?') ? "query" : "fragment");
    return NULL;
  }
  /* curl reads "http:///api" as host "api"; a reader would not. */
  const char *authority = strstr(base_url, "://");
  if (authority && authority[3] == '/') {
    wc_err_set(err, WC_E_PARSE, "base URL does not parse: no host after the scheme");
    return NULL;
  }
  CURLU *u = curl_url();
  if (!u) {
    wc_err_set(err, WC_E_NOMEM, "out of memory parsing the base URL");
    return NULL;
  }
  CURLUcode rc = curl_url_set(u, CURLUPART_URL, base_url, 0);
  if (rc != CURLUE_OK) {
    wc_err_set(err, WC_E_PARSE, "base URL does not parse: %s", curl_url_strerror(rc));
    curl_url_cleanup(u);
    return NULL;
  }
  char *scheme = NULL;
  curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
  bool http = scheme && (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0);
  if (!http) {
    wc_err_set(err, WC_E_USAGE, "base URL refused: scheme %s%s%s is not http or https",
               scheme ? "\"" : "", scheme ? scheme : "(none)", scheme ? "\"" : "");
    curl_free(scheme);
    curl_url_cleanup(u);
    return NULL;
  }
  curl_free(scheme);
  const char *why = NULL;
  if (url_has_part(u, CURLUPART_USER) || url_has_part(u, CURLUPART_PASSWORD) ||
      url_has_part(u, CURLUPART_OPTIONS))
    why = "it has userinfo (user[:password]@); give the credential with --token instead";
  else if (!url_has_part(u, CURLUPART_HOST))
    why = "it has no host";
  if (why) {
    wc_err_set(err, WC_E_USAGE, "base URL refused: %s", why);
    curl_url_cleanup(u);
    return NULL;
  }
  return u;
}

/* Bytes a request line must never carry, even after curl's normalisation. */
static bool url_bytes_ok(const char *url) {
  for (const unsigned char *p = (const unsigned char *)url; *p; p++)
    if (*p <= 0x20 || *p >= 0x7f) return false;
  return true;
}

/* The request path stays below the base URL, whatever it holds: it is a
 * plain path of RFC 3986 pchars without ':' (a first segment with a colon is
 * a scheme), query, fragment, backslash or dot segments (also escaped ones),
 * so it can change neither the host nor the scheme, nor climb above the
 * prefix the credential was given for. Found by fuzz_url_join. */
static bool request_path_ok(const char *what, const char *path, wc_err *err) {
  const char *why = NULL;
  for (const char *p = path; *p && !why; p++) {
    unsigned char c = (unsigned char)*p;
    if (c == '%') {
      /* p[2] is read only when p[1] is a hex digit, so never past the NUL. */
      if (!isxdigit((unsigned char)p[1]) || !isxdigit((unsigned char)p[2])) {
        why = "a '%' is not followed by two hex digits";
        break;
      }
      int hi = tolower((unsigned char)p[1]), lo = tolower((unsigned char)p[2]);
      if ((hi == '2' && (lo == 'e' || lo == 'f')) || (hi == '5' && lo == 'c'))
        why = "an escaped '.', '/' or '\\' could form a dot segment";
      else p += 2;
    } else if (!(isalnum(c) || strchr("-._~/!$&'()*+,;=@", c))) {
      why = c == ':' ? "a ':' could turn it into an absolute URL"
            : c == '?' || c == '#' ? "a query or fragment belongs elsewhere"
                                   : "it holds a byte that is not a path character";
    }
  }
  for (const char *seg = path; !why;) {
    size_t n = strcspn(seg, "/");
    if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
      why = "a '.' or '..' segment could leave the base URL's prefix";
    if (!seg[n]) break;
    seg += n + 1;
  }
  if (why) wc_err_set(err, WC_E_REFUSED, "%s refused: %s", what, why);
  return why == NULL;
}

/* A percent-encoded host is decoded differently by different parsers: the
 * credential must go to the host the user can read in the base URL. The
 * authority is what follows "scheme:" and its slashes (curl also accepts
 * "http:/host"). Found by fuzz_url_join. */
static bool authority_plain(const char *url) {
  const char *p = strchr(url, ':');
  if (!p) return true; /* no scheme: refused later by the URL parser */
  p++;
  while (*p == '/' || *p == '\\') p++;
  return memchr(p, '%', strcspn(p, "/?#\\")) == NULL;
}

static char *url_join_parsed(const char *base_url, const char *path, wc_err *err) {
  if (path && !request_path_ok("request path", path, err)) return NULL;
  if (base_url && !authority_plain(base_url)) {
    wc_err_set(err, WC_E_REFUSED, "base URL refused: its host part is percent-encoded");
    return NULL;
  }
  CURLU *u = base_url_parse(base_url, err);
  if (!u) return NULL;
  char *out = NULL;
  char *base_path = NULL;
  char *dir = NULL;
  if (curl_url_get(u, CURLUPART_PATH, &base_path, 0) != CURLUE_OK) {
    wc_err_set(err, WC_E_PARSE, "base URL has no path");
    goto done;
  }
  /* The prefix must be as plain as a request path: curl would normalise dot
   * segments and odd escapes in it, and the joined URL would no longer sit
   * below the prefix the user gave (found by fuzz_url_join). */
  if (!request_path_ok("base URL path", base_path, err)) goto done;
  /* The base is a directory: ".../api/v1" and ".../api/v1/" are the same
   * prefix. Give curl "<prefix>/" and let it resolve the relative path, so
   * dot segments and escapes follow RFC 3986, not our own slicing. */
  size_t blen = strlen(base_path);
  while (blen > 0 && base_path[blen - 1] == '/') blen--;
  dir = malloc(blen + 2);
  if (!dir) {
    wc_err_set(err, WC_E_NOMEM, "out of memory joining the URL");
    goto done;
  }
  memcpy(dir, base_path, blen);
  dir[blen] = '/';
  dir[blen + 1] = '\0';
  const char *rel = path ? path : "/users/me";
  while (*rel == '/') rel++; /* relative to the prefix, never to the host root */
  /* Both the prefix and rel passed request_path_ok, so curl has no reason to
   * refuse them: one message covers the three steps. */
  CURLUcode rc = curl_url_set(u, CURLUPART_PATH, dir, 0);
  if (rc == CURLUE_OK && *rel) rc = curl_url_set(u, CURLUPART_URL, rel, 0);
  if (rc == CURLUE_OK) rc = curl_url_get(u, CURLUPART_URL, &out, 0);
  if (rc != CURLUE_OK) {
    wc_err_set(err, WC_E_PARSE, "cannot form the request URL: %s", curl_url_strerror(rc));
    out = NULL;
    goto done;
  }
  if (!url_bytes_ok(out)) {
    wc_err_set(err, WC_E_REFUSED, "request URL refused: it would contain a control, space or non-ASCII byte");
    curl_free(out);
    out = NULL;
    goto done;
  }
  {
    /* Hand back a malloc'd string: callers free with free(). */
    char *copy = wc_strdup(out);
    curl_free(out);
    out = copy;
    if (!out) wc_err_set(err, WC_E_NOMEM, "out of memory joining the URL");
  }
done:
  free(dir);
  curl_free(base_path);
  curl_url_cleanup(u);
  return out;
}

/* The last join of this thread: a run or a fuzz campaign forms the same URL
 * for every request, and parsing it with curl's URL API each time was 5% of
 * a fuzz run's CPU. Only successful joins that fit are kept; the inputs are
 * compared byte for byte, so the answer is the one a fresh join gives. */
typedef struct url_memo {
  bool valid, has_path;
  char base[512], path[256], url[1024];
} url_memo;
static _Thread_local url_memo last_join;

static bool memo_fits(const char *base_url, const char *path, size_t url_len) {
  return base_url && strlen(base_url) < sizeof last_join.base &&
         (!path || strlen(path) < sizeof last_join.path) && url_len < sizeof last_join.url;
}

static char *memo_get(const char *base_url, const char *path) {
  url_memo *m = &last_join;
  if (!m->valid || !base_url || strcmp(m->base, base_url) != 0 || m->has_path != (path != NULL) ||
      (path && strcmp(m->path, path) != 0))
    return NULL;
  return wc_strdup(m->url);
}

static void memo_put(const char *base_url, const char *path, const char *url) {
  url_memo *m = &last_join;
  m->valid = false;
  if (!memo_fits(base_url, path, strlen(url))) return;
  strcpy(m->base, base_url);
  m->has_path = path != NULL;
  strcpy(m->path, path ? path : "");
  strcpy(m->url, url);
  m->valid = true;
}

char *wc_url_join(const char *base_url, const char *path, wc_err *err) {
  char *memo = memo_get(base_url, path);
  if (memo) return memo;
  char *url = url_join_parsed(base_url, path, err);
  if (url) memo_put(base_url, path, url);
  return url;
}

/* RFC 3986: unreserved (ALPHA DIGIT - . _ ~) kept, every other byte %XX. */
static char *percent_encode(const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  size_t len = strlen(s);
  char *out = malloc(len * 3 + 1);
  if (!out) return NULL;
  char *o = out;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    unsigned char c = *p;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      *o++ = (char)c;
    } else {
      *o++ = '%';
      *o++ = hex[c >> 4];
      *o++ = hex[c & 15];
    }
  }
  *o = '\0';
  return out;
}

/* Appends ?account_id=<encoded>. The URL wc_url_join gives has neither a
 * query nor a fragment (the base URL and the request path refuse both), so
 * the query is appended as text: curl would lowercase the percent-escapes of
 * a query set part-wise, and RFC 3986 prefers them uppercase. Frees url. */
static char *url_add_account(char *url, const char *account_id, wc_err *err) {
  char *enc = percent_encode(account_id);
  wc_buf full;
  wc_buf_init(&full);
  char *out = NULL;
  if (enc && wc_buf_printf(&full, "%s?account_id=%s", url, enc) == 0) out = wc_buf_steal(&full);
  else wc_err_set(err, WC_E_NOMEM, "out of memory adding account_id");
  free(enc);
  wc_buf_free(&full);
  free(url);
  return out;
}

/* ---- body ---- */

static bool add_field(cJSON *obj, const char *key, const wc_field *f, const char *label, wc_err *err) {
  if (f->kind == WC_FIELD_UNSET) return true;
  const char *v = f->value ? f->value : "";
  if (f->kind != WC_FIELD_NULL) {
    size_t bad = utf8_invalid_at((const unsigned char *)v, strlen(v));
    if (bad != SIZE_MAX) {
      wc_err_set(err, WC_E_USAGE,
                 "%s is not valid UTF-8 (byte %zu); use raw_body to send invalid bytes on purpose", label,
                 bad);
      return false;
    }
  }
  if (f->kind == WC_FIELD_NULL ? cJSON_AddNullToObject(obj, key) : cJSON_AddStringToObject(obj, key, v))
    return true;
  wc_err_set(err, WC_E_NOMEM, "out of memory building the body");
  return false;
}

static char *build_json_body(const wc_request_desc *d, size_t *len, wc_err *err) {
  cJSON *root = cJSON_CreateObject();
  char *text = NULL;
  if (!root) goto nomem;
  if (!add_field(root, "name", &d->name, "name", err) || !add_field(root, "bio", &d->bio, "bio", err) ||
      !add_field(root, "username", &d->username, "username", err))
    goto done;
  if (d->picture_id.kind != WC_FIELD_UNSET || d->picture_direct_upload_id.kind != WC_FIELD_UNSET) {
    cJSON *pic = cJSON_AddObjectToObject(root, "profile_picture");
    if (!pic) goto nomem;
    if (!add_field(pic, "id", &d->picture_id, "profile_picture.id", err) ||
        !add_field(pic, "direct_upload_id", &d->picture_direct_upload_id,
                   "profile_picture.direct_upload_id", err))
      goto done;
  } else if (d->profile_picture_null && !cJSON_AddNullToObject(root, "profile_picture")) {
    goto nomem;
  }
  text = cJSON_PrintUnformatted(root);
  if (!text) goto nomem;
  *len = strlen(text);
  goto done;
nomem:
  wc_err_set(err, WC_E_NOMEM, "out of memory building the body");
done:
  cJSON_Delete(root);
  return text;
}

/* ---- headers ---- */

/* "name: value", malloc'd (copied, not formatted: a request has five). */
static char *header_line(const char *name, const char *value) {
  size_t n = strlen(name), v = strlen(value);
  char *line = malloc(n + v + 3);
  if (!line) return NULL;
  memcpy(line, name, n);
  memcpy(line + n, ": ", 2);
  memcpy(line + n + 2, value, v + 1);
  return line;
}

/* Adds "name: value" to send and "name: shown" to record; shown is the
 * redacted form of a secret value, NULL when the value itself may be shown. */
static bool add_header(wc_request *r, const char *name, const char *value, const char *shown_value,
                       wc_err *err) {
  if (!shown_value) shown_value = value;
  char *line = header_line(name, value);
  char *shown = header_line(name, shown_value);
  if (!line || !shown || r->header_count >= WC_MAX_HEADERS) {
    free(line);
    free(shown);
    wc_err_set(err, WC_E_NOMEM, "out of memory building headers");
    return false;
  }
  r->headers[r->header_count] = line;
  r->redacted[r->header_count] = shown;
  r->header_count++;
  return true;
}

static bool method_ok(const char *m, wc_err *err) {
  if (!*m) {
    wc_err_set(err, WC_E_USAGE, "method is empty");
    return false;
  }
  for (const unsigned char *p = (const unsigned char *)m; *p; p++) {
    if (!wc_http_tchar(*p)) {
      wc_err_set(err, WC_E_REFUSED, "method refused: byte %zu is not an RFC 9110 token character",
                 (size_t)(p - (const unsigned char *)m));
      return false;
    }
  }
  return true;
}

wc_request *wc_request_build(const wc_request_desc *d, wc_err *err) {
  wc_err_clear(err);
  if (!d) {
    wc_err_set(err, WC_E_USAGE, "no request description");
    return NULL;
  }
  /* Header values first: nothing is built from a value that would be refused. */
  if ((d->token && !header_value_ok("token", d->token, err)) ||
      (d->auth_scheme && !header_value_ok("Authorization scheme", d->auth_scheme, err)) ||
      (d->api_version && !header_value_ok("Api-Version-Date value", d->api_version, err)) ||
      (d->account_id && !header_value_ok("account_id", d->account_id, err)) ||
      (d->content_type && !header_value_ok("Content-Type value", d->content_type, err)))
    return NULL;
  const char *method = d->method ? d->method : "PATCH";
  if (!method_ok(method, err)) return NULL;

  wc_request *r = calloc(1, sizeof *r);
  if (!r) {
    wc_err_set(err, WC_E_NOMEM, "out of memory building the request");
    return NULL;
  }
  r->method = wc_strdup(method);
  if (!r->method) goto nomem;
  r->url = wc_url_join(d->base_url, d->path, err);
  if (!r->url) goto fail;
  if (d->account_id) {
    r->url = url_add_account(r->url, d->account_id, err);
    if (!r->url) goto fail;
  }

  if (d->omit_body) {
    r->body = NULL;
  } else if (d->raw_body) {
    r->body = malloc(d->raw_body_len + 1);
    if (!r->body) goto nomem;
    memcpy(r->body, d->raw_body, d->raw_body_len);
    r->body[d->raw_body_len] = '\0';
    r->body_len = d->raw_body_len;
  } else {
    r->body = build_json_body(d, &r->body_len, err);
    if (!r->body) goto fail;
  }

  if (d->token) {
    r->credential = wc_strdup(d->token);
    if (!r->credential) goto nomem;
    /* Recorded as the scheme that was sent, the credential masked:
     * "Bearer ***", "Basic ***", or "***" for a credential sent alone. */
    const char *scheme = d->auth_scheme ? d->auth_scheme : "Bearer", *sep = *scheme ? " " : "";
    size_t value_size = strlen(scheme) + 1 + strlen(d->token) + 1, shown_size = strlen(scheme) + sizeof " ***";
    char *value = malloc(value_size), *shown = malloc(shown_size);
    bool allocated = value && shown, ok = false;
    if (allocated) {
      snprintf(value, value_size, "%s%s%s", scheme, sep, d->token);
      snprintf(shown, shown_size, "%s%s***", scheme, sep);
      ok = add_header(r, "Authorization", value, shown, err);
    }
    /* The value held the credential: wipe before releasing it. */
    if (value) memset(value, 0, value_size);
    free(value);
    free(shown);
    if (!allocated) goto nomem;
    if (!ok) goto fail;
  }
  if (d->api_version && !add_header(r, "Api-Version-Date", d->api_version, NULL, err)) goto fail;
  const char *ctype = d->content_type ? d->content_type : (r->body ? "application/json" : NULL);
  if (ctype && *ctype && !add_header(r, "Content-Type", ctype, NULL, err)) goto fail;
  if (!add_header(r, "Accept", "application/json", NULL, err) ||
      !add_header(r, "User-Agent", "whopconf/" WC_VERSION, NULL, err))
    goto fail;
  return r;

nomem:
  wc_err_set(err, WC_E_NOMEM, "out of memory building the request");
fail:
  wc_request_free(r);
  return NULL;
}

void wc_request_free(wc_request *r) {
  if (!r) return;
  for (size_t i = 0; i < r->header_count; i++) {
    if (r->headers[i]) memset(r->headers[i], 0, strlen(r->headers[i]));
    free(r->headers[i]);
    free(r->redacted[i]);
  }
  if (r->credential) memset(r->credential, 0, strlen(r->credential));
  free(r->credential);
  free(r->method);
  free(r->url);
  free(r->body);
  free(r);
}

const char *wc_request_method(const wc_request *r) { return r ? r->method : NULL; }
const char *wc_request_url(const wc_request *r) { return r ? r->url : NULL; }
size_t wc_request_header_count(const wc_request *r) { return r ? r->header_count : 0; }

const char *wc_request_header(const wc_request *r, size_t i) {
  return r && i < r->header_count ? r->headers[i] : NULL;
}

const char *wc_request_header_redacted(const wc_request *r, size_t i) {
  return r && i < r->header_count ? r->redacted[i] : NULL;
}

const char *wc_request_body(const wc_request *r, size_t *len) {
  if (len) *len = r && r->body ? r->body_len : 0;
  return r ? r->body : NULL;
}

bool wc_request_has_credential(const wc_request *r) { return r && r->credential; }

const char *wc_request_credential(const wc_request *r) { return r ? r->credential : NULL; }
