/* Request builder: a typed description in, method + URL + headers + body out.
 *
 * Every input that ends up in a header or in the request line is checked
 * here, before the transport sees it, so that no source (token, version,
 * account id, negative-case knobs) can split a header or smuggle a second
 * request. Messages name the offending field and byte position but never
 * quote the value: a token may be the offending field. */
#include "whopconf/request.h"

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

static const char *bad_byte_name(int kind) {
  switch (kind) {
  case 1: return "a CR";
  case 2: return "an LF";
  case 3: return "a NUL";
  }
  return "a forbidden byte";
}

/* Refuses CR, LF, NUL in a value bound for a header; names the field only. */
static bool header_value_ok(const char *field, const char *value, wc_err *err) {
  size_t off = 0;
  int kind = wc_header_value_check(value, strlen(value), &off);
  if (kind == 0) return true;
  wc_err_set(err, WC_E_REFUSED, "%s refused: it contains %s at byte %zu (header injection)", field,
             bad_byte_name(kind), off);
  return false;
}

/* RFC 9110 tchar. */
static bool is_tchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Returns the offset of the first invalid UTF-8 byte, or SIZE_MAX when valid. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    unsigned char c = s[i];
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return i;
    }
    for (size_t k = 1; k <= n; k++) {
      if (i + k >= len || (s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += n + 1;
  }
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
  /* An empty query ("...?") or fragment ("...#") is not reported as a part
   * by curl, but it is still not a base URL. */
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
  else if (url_has_part(u, CURLUPART_QUERY))
    why = "it has a query";
  else if (url_has_part(u, CURLUPART_FRAGMENT))
    why = "it has a fragment";
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
  for (const char *seg = path; !why && seg; seg = strchr(seg, '/') ? strchr(seg, '/') + 1 : NULL) {
    size_t n = strcspn(seg, "/");
    if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
      why = "a '.' or '..' segment could leave the base URL's prefix";
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

char *wc_url_join(const char *base_url, const char *path, wc_err *err) {
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
  CURLUcode rc = curl_url_set(u, CURLUPART_PATH, dir, 0);
  if (rc != CURLUE_OK) {
    wc_err_set(err, WC_E_PARSE, "base URL path refused: %s", curl_url_strerror(rc));
    goto done;
  }
  const char *rel = path ? path : "/users/me";
  while (*rel == '/') rel++; /* relative to the prefix, never to the host root */
  if (*rel) {
    rc = curl_url_set(u, CURLUPART_URL, rel, 0);
    if (rc != CURLUE_OK) {
      wc_err_set(err, WC_E_PARSE, "request path refused: %s", curl_url_strerror(rc));
      goto done;
    }
  }
  rc = curl_url_get(u, CURLUPART_URL, &out, 0);
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

/* Appends ?account_id=<encoded> (or &... after a query the path knob gave).
 * curl lowercases percent-escapes in a query set part-wise, so the query is
 * composed here and the whole URL re-parsed by curl, which keeps RFC 3986's
 * preferred uppercase escapes. */
static char *url_add_account(char *url, const char *account_id, wc_err *err) {
  char *enc = percent_encode(account_id);
  char *old_query = NULL, *bare = NULL, *out = NULL;
  wc_buf full;
  wc_buf_init(&full);
  CURLU *u = curl_url();
  if (!enc || !u) {
    wc_err_set(err, WC_E_NOMEM, "out of memory adding account_id");
    goto done;
  }
  CURLUcode rc = curl_url_set(u, CURLUPART_URL, url, 0);
  if (rc == CURLUE_OK && curl_url_get(u, CURLUPART_QUERY, &old_query, 0) != CURLUE_OK) old_query = NULL;
  if (rc == CURLUE_OK) rc = curl_url_set(u, CURLUPART_QUERY, NULL, 0);
  if (rc == CURLUE_OK) rc = curl_url_get(u, CURLUPART_URL, &bare, 0);
  if (rc != CURLUE_OK) {
    wc_err_set(err, WC_E_PARSE, "cannot add account_id to the URL: %s", curl_url_strerror(rc));
    goto done;
  }
  if (wc_buf_printf(&full, "%s?%s%saccount_id=%s", bare, old_query ? old_query : "", old_query ? "&" : "",
                    enc) != 0) {
    wc_err_set(err, WC_E_NOMEM, "out of memory adding account_id");
    goto done;
  }
  rc = curl_url_set(u, CURLUPART_URL, full.data, 0);
  if (rc == CURLUE_OK) rc = curl_url_get(u, CURLUPART_URL, &out, 0);
  if (rc != CURLUE_OK) {
    wc_err_set(err, WC_E_PARSE, "cannot add account_id to the URL: %s", curl_url_strerror(rc));
    out = NULL;
  }
done:
  free(enc);
  curl_free(old_query);
  curl_free(bare);
  wc_buf_free(&full);
  curl_url_cleanup(u);
  free(url);
  if (!out) return NULL;
  char *copy = wc_strdup(out);
  curl_free(out);
  if (!copy) wc_err_set(err, WC_E_NOMEM, "out of memory adding account_id");
  return copy;
}

/* ---- body ---- */

static bool add_field(cJSON *obj, const char *key, const wc_field *f, const char *label, wc_err *err) {
  if (f->kind == WC_FIELD_UNSET) return true;
  cJSON *item;
  if (f->kind == WC_FIELD_NULL) {
    item = cJSON_CreateNull();
  } else {
    const char *v = f->value ? f->value : "";
    size_t bad = utf8_invalid_at((const unsigned char *)v, strlen(v));
    if (bad != SIZE_MAX) {
      wc_err_set(err, WC_E_USAGE,
                 "%s is not valid UTF-8 (byte %zu); use raw_body to send invalid bytes on purpose", label,
                 bad);
      return false;
    }
    item = cJSON_CreateString(v);
  }
  if (!item || !cJSON_AddItemToObject(obj, key, item)) {
    cJSON_Delete(item);
    wc_err_set(err, WC_E_NOMEM, "out of memory building the body");
    return false;
  }
  return true;
}

static char *build_json_body(const wc_request_desc *d, size_t *len, wc_err *err) {
  cJSON *root = cJSON_CreateObject();
  if (!root) {
    wc_err_set(err, WC_E_NOMEM, "out of memory building the body");
    return NULL;
  }
  char *text = NULL;
  if (!add_field(root, "name", &d->name, "name", err) || !add_field(root, "bio", &d->bio, "bio", err) ||
      !add_field(root, "username", &d->username, "username", err))
    goto done;
  if (d->picture_id.kind != WC_FIELD_UNSET || d->picture_direct_upload_id.kind != WC_FIELD_UNSET) {
    cJSON *pic = cJSON_CreateObject();
    if (!pic || !cJSON_AddItemToObject(root, "profile_picture", pic)) {
      cJSON_Delete(pic);
      wc_err_set(err, WC_E_NOMEM, "out of memory building the body");
      goto done;
    }
    if (!add_field(pic, "id", &d->picture_id, "profile_picture.id", err) ||
        !add_field(pic, "direct_upload_id", &d->picture_direct_upload_id,
                   "profile_picture.direct_upload_id", err))
      goto done;
  } else if (d->profile_picture_null) {
    cJSON *null_item = cJSON_CreateNull();
    if (!null_item || !cJSON_AddItemToObject(root, "profile_picture", null_item)) {
      cJSON_Delete(null_item);
      wc_err_set(err, WC_E_NOMEM, "out of memory building the body");
      goto done;
    }
  }
  text = cJSON_PrintUnformatted(root);
  if (!text) wc_err_set(err, WC_E_NOMEM, "out of memory printing the body");
  else *len = strlen(text);
done:
  cJSON_Delete(root);
  return text;
}

/* ---- headers ---- */

static bool add_header(wc_request *r, const char *name, const char *value, bool secret, wc_err *err) {
  size_t n = strlen(name) + strlen(value) + 3;
  char *line = malloc(n);
  char *shown = secret ? wc_strdup("Authorization: Bearer ***") : malloc(n);
  if (!line || !shown || r->header_count >= WC_MAX_HEADERS) {
    free(line);
    free(shown);
    wc_err_set(err, WC_E_NOMEM, "out of memory building headers");
    return false;
  }
  snprintf(line, n, "%s: %s", name, value);
  if (!secret) memcpy(shown, line, n);
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
    if (!is_tchar(*p)) {
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
    const char *scheme = d->auth_scheme ? d->auth_scheme : "Bearer";
    size_t value_size = strlen(scheme) + 1 + strlen(d->token) + 1;
    char *value = malloc(value_size);
    if (!value) goto nomem;
    snprintf(value, value_size, "%s%s%s", scheme, *scheme ? " " : "", d->token);
    bool ok = add_header(r, "Authorization", value, true, err);
    if (ok && strcmp(scheme, "Bearer") != 0) {
      /* Recorded as the scheme that was sent, the credential masked. */
      size_t shown_size = strlen("Authorization: ") + strlen(scheme) + sizeof " ***";
      char *shown = malloc(shown_size);
      if (shown) {
        snprintf(shown, shown_size, "Authorization: %s%s***", scheme, *scheme ? " " : "");
        free(r->redacted[r->header_count - 1]);
        r->redacted[r->header_count - 1] = shown;
      } else {
        ok = false;
        wc_err_set(err, WC_E_NOMEM, "out of memory building headers");
      }
    }
    /* The value held the credential: wipe before releasing it. */
    memset(value, 0, strlen(value));
    free(value);
    if (!ok) goto fail;
  }
  if (d->api_version && !add_header(r, "Api-Version-Date", d->api_version, false, err)) goto fail;
  const char *ctype = d->content_type ? d->content_type : (r->body ? "application/json" : NULL);
  if (ctype && *ctype && !add_header(r, "Content-Type", ctype, false, err)) goto fail;
  if (!add_header(r, "Accept", "application/json", false, err) ||
      !add_header(r, "User-Agent", "whopconf/" WC_VERSION, false, err))
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
