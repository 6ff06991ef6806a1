/* Test support: the reference-server tests' HTTP client and server set-up
 * (see refserver_client.h). */
#include "refserver_client.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <criterion/criterion.h>

typedef struct http_upload {
  const char *data;
  size_t len, off;
} http_upload;

/* "[entry] " while a parameterized test checks a table entry, else "".
 * Every test runs in its own worker process, so it lives for one test. */
static char label[256];

void srv_label(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(label + 1, sizeof label - 3, fmt, ap);
  va_end(ap);
  size_t len = n < 0 ? 0 : (size_t)n < sizeof label - 3 ? (size_t)n : sizeof label - 4;
  label[0] = '[';
  memcpy(label + 1 + len, "] ", 3);
}

size_t http_body_cb(char *p, size_t sz, size_t n, void *ud) {
  http_resp *r = ud;
  size_t add = sz * n;
  char *grown = realloc(r->body, r->len + add + 1);
  if (!grown) return 0;
  r->body = grown;
  memcpy(r->body + r->len, p, add);
  r->len += add;
  r->body[r->len] = '\0';
  return add;
}

static void http_copy_header(char *dst, size_t cap, const char *v, size_t n) {
  while (n && (v[n - 1] == '\r' || v[n - 1] == '\n')) n--;
  while (n && *v == ' ') v++, n--;
  if (n >= cap) n = cap - 1;
  memcpy(dst, v, n);
  dst[n] = '\0';
}

static size_t http_header_cb(char *p, size_t sz, size_t n, void *ud) {
  http_resp *r = ud;
  size_t len = sz * n;
  static const struct {
    const char *name;
    size_t off, cap;
  } wanted[] = {
      {"content-type:", offsetof(http_resp, content_type), sizeof(((http_resp *)0)->content_type)},
      {"allow:", offsetof(http_resp, allow), sizeof(((http_resp *)0)->allow)},
      {"www-authenticate:", offsetof(http_resp, www_authenticate), sizeof(((http_resp *)0)->www_authenticate)},
      {"location:", offsetof(http_resp, location), sizeof(((http_resp *)0)->location)},
  };
  if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) { /* a new response (after 100 Continue) */
    r->content_type[0] = r->allow[0] = r->www_authenticate[0] = r->location[0] = '\0';
    r->has_content_length = false;
  }
  for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
    size_t k = strlen(wanted[i].name);
    if (len > k && strncasecmp(p, wanted[i].name, k) == 0)
      http_copy_header((char *)r + wanted[i].off, wanted[i].cap, p + k, len - k);
  }
  if (len > 15 && strncasecmp(p, "content-length:", 15) == 0) r->has_content_length = true;
  return len;
}

static size_t http_read_cb(char *buf, size_t sz, size_t n, void *ud) {
  http_upload *u = ud;
  size_t room = sz * n, left = u->len - u->off;
  size_t take = left < room ? left : room;
  if (take > 1000) take = 1000; /* several chunks */
  memcpy(buf, u->data + u->off, take);
  u->off += take;
  return take;
}

void http_resp_free(http_resp *r) {
  free(r->body);
  memset(r, 0, sizeof *r);
}

CURLcode http_do(CURL *h, const char *origin, const http_req *rq, http_resp *out) {
  memset(out, 0, sizeof *out);
  curl_easy_reset(h);
  char url[4096];
  snprintf(url, sizeof url, "%s%s", origin, rq->path ? rq->path : ME);
  struct curl_slist *hdr = NULL;
  char line[8192];
  if (rq->auth) {
    snprintf(line, sizeof line, "Authorization: %s", rq->auth);
    hdr = curl_slist_append(hdr, line);
  } else if (rq->token) {
    snprintf(line, sizeof line, "Authorization: Bearer %s", rq->token);
    hdr = curl_slist_append(hdr, line);
  }
  if (rq->version_empty) hdr = curl_slist_append(hdr, "Api-Version-Date;");
  else if (rq->version) {
    snprintf(line, sizeof line, "Api-Version-Date: %s", rq->version);
    hdr = curl_slist_append(hdr, line);
  }
  if (rq->extra_header) hdr = curl_slist_append(hdr, rq->extra_header);
  hdr = curl_slist_append(hdr, "Content-Type: application/json");
  hdr = curl_slist_append(hdr, "Expect:");
  const char *method = rq->method ? rq->method : "PATCH";
  size_t blen = rq->body ? (rq->body_len ? rq->body_len : strlen(rq->body)) : 0;
  http_upload up = {rq->body, blen, 0};
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
  if (strcmp(method, "HEAD") == 0) curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  if (rq->chunked) {
    hdr = curl_slist_append(hdr, "Transfer-Encoding: chunked");
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, http_read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, &up);
  } else if (rq->body || strcmp(method, "PATCH") == 0) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_body_cb);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, http_header_cb);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, out);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, rq->timeout_ms ? rq->timeout_ms : 10000L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  out->rc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
  curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &out->new_connections);
  double t = 0;
  curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &t);
  out->ms = t * 1000.0;
  curl_slist_free_all(hdr);
  if (!out->body) out->body = calloc(1, 1);
  return out->rc;
}

/* ---- a server per test ---------------------------------------------------- */


void srv_start_opts(test_srv *t, const wc_refserver_opts *opts) {
  wc_err err;
  t->srv = wc_refserver_start(opts, &err);
  cr_assert_not_null(t->srv, "server start: %s", err.msg);
  snprintf(t->origin, sizeof t->origin, "http://127.0.0.1:%u", wc_refserver_port(t->srv));
  t->h = curl_easy_init();
  cr_assert_not_null(t->h);
}

void srv_start(test_srv *t) {
  wc_refserver_opts o;
  wc_refserver_opts_default(&o);
  srv_start_opts(t, &o);
}

void srv_start_with(test_srv *t, const char *fault, const char *lenient, bool show_balances) {
  wc_refserver_opts o;
  wc_refserver_opts_default(&o);
  const char *faults[1] = {fault}, *options[1] = {lenient};
  o.faults = fault ? faults : NULL;
  o.fault_count = fault ? 1 : 0;
  o.lenient = lenient ? options : NULL;
  o.lenient_count = lenient ? 1 : 0;
  o.show_balances = show_balances;
  srv_start_opts(t, &o);
}

void srv_start_fault(test_srv *t, const char *fault, bool show_balances) {
  srv_start_with(t, fault, NULL, show_balances);
}

void srv_stop(test_srv *t) {
  if (t->h) curl_easy_cleanup(t->h);
  wc_refserver_stop(t->srv);
  memset(t, 0, sizeof *t);
}


void send_req(test_srv *t, const http_req *rq, http_resp *out) {
  CURLcode rc = http_do(t->h, t->origin, rq, out);
  cr_assert_eq(rc, CURLE_OK, "%scurl: %s", label, curl_easy_strerror(rc));
}

cJSON *json_of(const http_resp *r) {
  cJSON *j = cJSON_ParseWithLength(r->body, r->len);
  cr_assert_not_null(j, "%snot JSON: %.200s", label, r->body);
  return j;
}

const char *jstr(const cJSON *obj, const char *key) {
  return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

void assert_envelope(const http_resp *r, long status, const char *type) {
  cr_assert_eq(r->status, status, "%sstatus %ld, expected %ld: %.300s", label, r->status, status, r->body);
  cr_assert_str_eq(r->content_type, "application/json; charset=utf-8", "%scontent type %s", label, r->content_type);
  cr_assert(r->has_content_length, "%sno Content-Length", label);
  cJSON *j = json_of(r);
  const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
  cr_assert(cJSON_IsObject(e), "%sno error object: %s", label, r->body);
  const char *t = jstr(e, "type"), *m = jstr(e, "message");
  cr_assert(t && *t && m && *m, "%stype and message must be non-empty strings: %s", label, r->body);
  if (type) cr_assert_str_eq(t, type, "%serror type %s, expected %s", label, t, type);
  cJSON_Delete(j);
}

void expect_error(test_srv *t, const http_req *rq, long status, const char *type,
                                   const char *message_part) {
  http_resp r;
  send_req(t, rq, &r);
  assert_envelope(&r, status, type);
  if (message_part) {
    cJSON *j = json_of(&r);
    const char *m = jstr(cJSON_GetObjectItemCaseSensitive(j, "error"), "message");
    cr_assert(m && strstr(m, message_part), "%smessage lacks \"%s\": %s", label, message_part, r.body);
    cJSON_Delete(j);
  }
  http_resp_free(&r);
}

cJSON *expect_user(test_srv *t, const http_req *rq) {
  http_resp r;
  send_req(t, rq, &r);
  cr_assert_eq(r.status, 200, "%sstatus %ld: %.300s", label, r.status, r.body);
  cr_assert_str_eq(r.content_type, "application/json; charset=utf-8", "%scontent type %s", label, r.content_type);
  cr_assert(r.has_content_length, "%sno Content-Length", label);
  cJSON *j = json_of(&r);
  cr_assert(cJSON_IsObject(j), "%snot an object: %.300s", label, r.body);
  http_resp_free(&r);
  return j;
}

void keys_of(const cJSON *o, char *out, size_t cap) {
  out[0] = '\0';
  for (const cJSON *c = o ? o->child : NULL; c; c = c->next) {
    if (out[0]) strncat(out, ",", cap - strlen(out) - 1);
    strncat(out, c->string, cap - strlen(out) - 1);
  }
}
