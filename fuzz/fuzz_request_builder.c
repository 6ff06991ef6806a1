/* request_builder: a fuzzed wc_request_desc through wc_request_build.
 *
 * Framing (documented in docs/fuzzing.md):
 *   byte 0  flags: 0x01 token, 0x02 Api-Version-Date, 0x04 account_id,
 *           0x08 profile_picture_null, 0x10 omit_body, 0x20 raw_body,
 *           0x40 content_type, 0x80 path
 *   byte 1  kinds, 2 bits each (0 unset, 1 string, 2 null, 3 unset):
 *           name (bits 0-1), bio (2-3), username (4-5), picture id (6-7)
 *   byte 2  kind of picture direct_upload_id (bits 0-1); 0x04 method
 *   then length-prefixed fields (one length byte, then the bytes), in this
 *   order, each present only when its flag or kind says so: base_url,
 *   token, api_version, account_id, name, bio, username, picture_id,
 *   picture_direct_upload_id, raw_body, content_type, method, path.
 *   Then, optionally (inputs of the first framing end before it), one
 *   extension byte: 0x01 auth_scheme, whose length-prefixed field follows;
 *   any other bit set is a framing error.
 *   A field running past the end, a NUL inside a string field, or bytes left
 *   over are framing errors.
 * Invariants: either a refusal (code + one-line message that does not quote
 * a token of 12+ bytes) or: a URL that libcurl parses back to the base's
 * host and to <base path>/users/me (or below the base path when the path
 * knob is used) with account_id percent-decoding to the exact bytes given;
 * header lines free of CR/LF, exactly one Authorization line iff a token,
 * holding "<scheme> <token>" ("Bearer" by default, the token alone for an
 * empty scheme) and recorded exactly as "<scheme> ***" ("***" alone);
 * wc_request_credential gives the token back; a body that is strict JSON
 * whose members are exactly the fields set, with the same values (or the raw
 * body, byte for byte). */
#include <curl/curl.h>
#include <string.h>
#include <strings.h>

#include "fuzz_common.h"
#include "whopconf/json_strict.h"
#include "whopconf/request.h"

typedef struct framed {
  wc_request_desc d;
  char *owned[14];
  size_t owned_count;
  bool has_path;
} framed;

static const char *take(framed *f, wc_fuzz_reader *r, bool cstring, size_t *len) {
  char *s = wc_fuzz_field(r, cstring, len);
  if (s) f->owned[f->owned_count++] = s;
  return s;
}

static void field(framed *f, wc_fuzz_reader *r, wc_field *out, int kind) {
  kind &= 3;
  out->kind = kind == 1 ? WC_FIELD_STRING : kind == 2 ? WC_FIELD_NULL : WC_FIELD_UNSET;
  out->value = kind == 1 ? take(f, r, true, NULL) : NULL;
}

/* Fills f from the input; false when the framing rejects it. */
static bool unframe(const uint8_t *data, size_t size, framed *f) {
  memset(f, 0, sizeof *f);
  wc_fuzz_reader r;
  wc_fuzz_reader_init(&r, data, size);
  int flags = wc_fuzz_byte(&r), kinds = wc_fuzz_byte(&r), more = wc_fuzz_byte(&r);
  wc_request_desc *d = &f->d;
  d->base_url = take(f, &r, true, NULL);
  if (flags & 0x01) d->token = take(f, &r, true, NULL);
  if (flags & 0x02) d->api_version = take(f, &r, true, NULL);
  if (flags & 0x04) d->account_id = take(f, &r, true, NULL);
  field(f, &r, &d->name, kinds);
  field(f, &r, &d->bio, kinds >> 2);
  field(f, &r, &d->username, kinds >> 4);
  field(f, &r, &d->picture_id, kinds >> 6);
  field(f, &r, &d->picture_direct_upload_id, more);
  d->profile_picture_null = flags & 0x08;
  d->omit_body = flags & 0x10;
  if (flags & 0x20) d->raw_body = take(f, &r, false, &d->raw_body_len);
  if (flags & 0x40) d->content_type = take(f, &r, true, NULL);
  if (more & 0x04) d->method = take(f, &r, true, NULL);
  if (flags & 0x80) d->path = take(f, &r, true, NULL), f->has_path = true;
  if (r.left > 0) {
    int ext = wc_fuzz_byte(&r);
    if (ext & ~0x01) return false;
    if (ext & 0x01) d->auth_scheme = take(f, &r, true, NULL);
  }
  return !r.bad && r.left == 0;
}

static void release(framed *f) {
  for (size_t i = 0; i < f->owned_count; i++) free(f->owned[i]);
}

int wc_fuzz_framing_ok(const uint8_t *data, size_t size) {
  framed f;
  bool ok = unframe(data, size, &f);
  release(&f);
  return ok;
}

static char *url_part(const char *url, CURLUPart part) {
  CURLU *u = curl_url();
  char *value = NULL;
  if (!u) abort();
  if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK || curl_url_get(u, part, &value, 0) != CURLUE_OK)
    value = NULL;
  curl_url_cleanup(u);
  if (value && part == CURLUPART_PATH) wc_fuzz_pct_upper(value);
  return value;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/* The query's last account_id=... value, percent-decoded, equals want. */
static bool account_matches(const char *query, const char *want) {
  const char *v = NULL;
  for (const char *p = query; p; p = strchr(p, '&')) {
    if (*p == '&') p++;
    if (!strncmp(p, "account_id=", 11)) v = p + 11;
  }
  if (!v) return false;
  size_t i = 0;
  for (; *v && *v != '&'; v++, i++) {
    char c = *v;
    if (c == '%') {
      if (hexval(v[1]) < 0 || hexval(v[2]) < 0) return false;
      c = (char)(hexval(v[1]) * 16 + hexval(v[2]));
      v += 2;
    }
    if (want[i] != c) return false;
  }
  return want[i] == '\0';
}

static void check_url(const wc_request_desc *d, const char *url, bool has_path) {
  for (const unsigned char *p = (const unsigned char *)url; *p; p++) WC_FUZZ_ASSERT(*p > 0x20 && *p < 0x7f);
  char *host = url_part(url, CURLUPART_HOST), *base_host = url_part(d->base_url, CURLUPART_HOST);
  char *path = url_part(url, CURLUPART_PATH), *base_path = url_part(d->base_url, CURLUPART_PATH);
  WC_FUZZ_ASSERT(base_host && base_path);
  bool same_host = host && path && !strcmp(host, base_host);
  WC_FUZZ_ASSERT(same_host || wc_fuzz_tolerated("url-same-host"));
  if (same_host) {
    size_t prefix = strlen(base_path);
    while (prefix > 0 && base_path[prefix - 1] == '/') prefix--;
    WC_FUZZ_ASSERT((!strncmp(path, base_path, prefix) && path[prefix] == '/') ||
                   wc_fuzz_tolerated("url-below-base"));
    if (!has_path) WC_FUZZ_ASSERT(!strcmp(path + prefix, "/users/me"));
  }
  if (d->account_id) {
    char *query = url_part(url, CURLUPART_QUERY);
    WC_FUZZ_ASSERT((query && account_matches(query, d->account_id)) || wc_fuzz_tolerated("account-in-query"));
    curl_free(query);
  }
  curl_free(host), curl_free(base_host), curl_free(path), curl_free(base_path);
}

/* The Authorization line: "Authorization: <scheme> <token>" is sent; the
 * recorded line is built from the scheme (a knob of the negative cases, shown
 * as given) and "***" alone, so the token's bytes never reach it. */
static void check_authorization(const wc_request_desc *d, const char *line, const char *shown) {
  const char *scheme = d->auth_scheme ? d->auth_scheme : "Bearer", *sep = *scheme ? " " : "";
  size_t size = strlen("Authorization: ") + strlen(scheme) + 1 + strlen(d->token) + sizeof "***";
  char *want = malloc(size);
  if (!want) abort();
  snprintf(want, size, "Authorization: %s%s%s", scheme, sep, d->token);
  WC_FUZZ_ASSERT(!strcmp(line, want));
  snprintf(want, size, "Authorization: %s%s***", scheme, sep);
  WC_FUZZ_ASSERT(!strcmp(shown, want));
  free(want);
}

static void check_headers(const wc_request_desc *d, const wc_request *req) {
  size_t auth = 0;
  for (size_t i = 0; i < wc_request_header_count(req); i++) {
    const char *line = wc_request_header(req, i), *shown = wc_request_header_redacted(req, i);
    WC_FUZZ_ASSERT(line && shown && !strpbrk(line, "\r\n") && !strpbrk(shown, "\r\n"));
    if (!strncasecmp(line, "Authorization:", 14)) {
      auth++;
      WC_FUZZ_ASSERT(d->token);
      check_authorization(d, line, shown);
    } else {
      WC_FUZZ_ASSERT(!strcmp(line, shown));
    }
    if (!strncasecmp(line, "Api-Version-Date:", 17))
      WC_FUZZ_ASSERT(d->api_version && !strcmp(line + 18, d->api_version));
  }
  WC_FUZZ_ASSERT(auth == (d->token ? 1u : 0u));
  WC_FUZZ_ASSERT(wc_request_has_credential(req) == (d->token != NULL));
  const char *credential = wc_request_credential(req);
  WC_FUZZ_ASSERT(d->token ? credential && !strcmp(credential, d->token) : credential == NULL);
}

/* The member for f in obj: absent when unset, null, or the exact string. */
static void check_member(const cJSON *obj, const char *key, const wc_field *f) {
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (f->kind == WC_FIELD_UNSET)
    WC_FUZZ_ASSERT(m == NULL);
  else if (f->kind == WC_FIELD_NULL)
    WC_FUZZ_ASSERT(cJSON_IsNull(m));
  else
    WC_FUZZ_ASSERT(cJSON_IsString(m) && !strcmp(m->valuestring, f->value ? f->value : ""));
}

static void check_body(const wc_request_desc *d, const wc_request *req) {
  size_t len = 0;
  const char *body = wc_request_body(req, &len);
  if (d->omit_body) {
    WC_FUZZ_ASSERT(body == NULL);
    return;
  }
  if (d->raw_body) {
    WC_FUZZ_ASSERT(body && len == d->raw_body_len && !memcmp(body, d->raw_body, len));
    return;
  }
  WC_FUZZ_ASSERT(body && wc_json_strict_check(body, len, NULL, NULL) == 0);
  cJSON *obj = cJSON_ParseWithLength(body, len);
  WC_FUZZ_ASSERT(cJSON_IsObject(obj));
  check_member(obj, "name", &d->name);
  check_member(obj, "bio", &d->bio);
  check_member(obj, "username", &d->username);
  const cJSON *pic = cJSON_GetObjectItemCaseSensitive(obj, "profile_picture");
  int expected = (d->name.kind != WC_FIELD_UNSET) + (d->bio.kind != WC_FIELD_UNSET) +
                 (d->username.kind != WC_FIELD_UNSET);
  if (d->picture_id.kind != WC_FIELD_UNSET || d->picture_direct_upload_id.kind != WC_FIELD_UNSET) {
    WC_FUZZ_ASSERT(cJSON_IsObject(pic));
    check_member(pic, "id", &d->picture_id);
    check_member(pic, "direct_upload_id", &d->picture_direct_upload_id);
    WC_FUZZ_ASSERT(cJSON_GetArraySize(pic) == (d->picture_id.kind != WC_FIELD_UNSET) +
                                                  (d->picture_direct_upload_id.kind != WC_FIELD_UNSET));
    expected++;
  } else if (d->profile_picture_null) {
    WC_FUZZ_ASSERT(cJSON_IsNull(pic));
    expected++;
  } else {
    WC_FUZZ_ASSERT(pic == NULL);
  }
  WC_FUZZ_ASSERT(cJSON_GetArraySize(obj) == expected);
  cJSON_Delete(obj);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  framed f;
  if (!unframe(data, size, &f)) {
    release(&f);
    return -1;
  }
  wc_err err;
  wc_request *req = wc_request_build(&f.d, &err);
  if (!req) {
    WC_FUZZ_ASSERT(err.code != WC_OK && err.msg[0] && !strpbrk(err.msg, "\r\n"));
    if (f.d.token && strlen(f.d.token) >= 12) WC_FUZZ_ASSERT(!strstr(err.msg, f.d.token));
  } else {
    WC_FUZZ_ASSERT(!strcmp(wc_request_method(req), f.d.method ? f.d.method : "PATCH"));
    check_url(&f.d, wc_request_url(req), f.has_path);
    check_headers(&f.d, req);
    check_body(&f.d, req);
    wc_request_free(req);
  }
  release(&f);
  return 0;
}
