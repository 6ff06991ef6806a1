/* Exchanges whopconf did not send (a capture, a proxied request) recorded in
 * the same form as its own, so reports, HAR export and curl commands work on
 * them unchanged.
 *
 * Such traffic carries real credentials in places whopconf would never put
 * them (a token in the query string, an X-Api-Key header, a cookie), so the
 * record redacts by name first (credential headers, credential query
 * parameters, any "Bearer ..." value) and then scrubs every credential value
 * it saw from everything else, the way the transport scrubs echoes. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "transport_internal.h"

static const char *const credential_headers[] = {
    "authorization", "proxy-authorization", "cookie",        "set-cookie",   "x-api-key",
    "api-key",       "apikey",              "x-auth-token",  "x-access-token", "access-token",
    "x-token",       "token",               "x-whop-token",  "x-whop-api-key", "private-token",
};

static const char *const credential_params[] = {
    "access_token", "auth_token", "token",         "api_key", "apikey",   "api-key", "key",
    "auth",         "authorization", "bearer",     "client_secret", "secret", "password", "jwt",
};

static bool in_list(const char *const *list, size_t n, const char *s, size_t len) {
  for (size_t i = 0; i < n; i++)
    if (strlen(list[i]) == len && strncasecmp(list[i], s, len) == 0) return true;
  return false;
}

bool wc_wire_credential_header(const char *name) {
  return name && in_list(credential_headers, sizeof credential_headers / sizeof *credential_headers, name,
                         strlen(name));
}

bool wc_wire_credential_param(const char *name, size_t len) {
  return name && in_list(credential_params, sizeof credential_params / sizeof *credential_params, name, len);
}

const char *wc_wire_auth_credential(const char *value, size_t *len) {
  *len = 0;
  if (!value) return NULL;
  const char *p = value;
  while (*p == ' ' || *p == '\t') p++;
  p += strcspn(p, " \t"); /* the scheme */
  while (*p == ' ' || *p == '\t') p++;
  size_t n = strlen(p);
  while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
  if (n == 0) return NULL;
  *len = n;
  return p;
}

/* "Bearer xyz" / "Basic xyz" in any header: a credential whatever the name. */
static bool looks_like_credential(const char *value) {
  while (value && (*value == ' ' || *value == '\t')) value++;
  return value && (strncasecmp(value, "bearer ", 7) == 0 || strncasecmp(value, "basic ", 6) == 0);
}

typedef struct secrets {
  char *items[16];
  size_t count;
} secrets;

static void secret_add(secrets *s, const char *value, size_t len) {
  if (!value || len < 4 || s->count == sizeof s->items / sizeof *s->items) return;
  char *copy = wc_strndup(value, len);
  if (copy) s->items[s->count++] = copy;
}

/* "Name: value" with the value redacted when it is a credential. */
static char *header_line(const wc_wire_header *h, secrets *found) {
  const char *name = h->name ? h->name : "";
  const char *value = h->value ? h->value : "";
  wc_buf line;
  wc_buf_init(&line);
  int rc;
  bool by_name = wc_wire_credential_header(name);
  bool authorization = strcasecmp(name, "authorization") == 0 || strcasecmp(name, "proxy-authorization") == 0;
  if (looks_like_credential(value) || (authorization && wc_wire_auth_credential(value, &(size_t){0}))) {
    size_t len;
    const char *cred = wc_wire_auth_credential(value, &len);
    secret_add(found, cred, len);
    const char *scheme = value + strspn(value, " \t");
    rc = wc_buf_printf(&line, "%s: %.*s ***", name, (int)strcspn(scheme, " \t"), scheme);
  } else if (by_name) {
    secret_add(found, value, strlen(value));
    rc = wc_buf_printf(&line, "%s: ***", name);
  } else {
    rc = wc_buf_printf(&line, "%s: %s", name, value);
  }
  if (rc != 0) {
    wc_buf_free(&line);
    return NULL;
  }
  return wc_buf_steal(&line);
}

/* The target with the value of every credential query parameter replaced. */
static char *redacted_target(const char *target, secrets *found) {
  wc_buf out;
  wc_buf_init(&out);
  const char *q = strchr(target, '?');
  int rc = wc_buf_append(&out, target, q ? (size_t)(q - target) + 1 : strlen(target));
  for (const char *p = q ? q + 1 : NULL; p && rc == 0;) {
    size_t plen = strcspn(p, "&#");
    size_t nlen = strcspn(p, "=&#");
    if (nlen < plen && wc_wire_credential_param(p, nlen)) {
      secret_add(found, p + nlen + 1, plen - nlen - 1);
      rc = wc_buf_append(&out, p, nlen + 1);
      if (rc == 0) rc = wc_buf_puts(&out, "***");
    } else {
      rc = wc_buf_append(&out, p, plen);
    }
    p += plen;
    if (*p == '&') {
      if (rc == 0) rc = wc_buf_puts(&out, "&");
      p++;
    } else {
      if (rc == 0) rc = wc_buf_puts(&out, p); /* the fragment, or nothing */
      p = NULL;
    }
  }
  if (rc != 0) {
    wc_buf_free(&out);
    return NULL;
  }
  return wc_buf_steal(&out);
}

static bool copy_request(wc_exchange *x, const wc_wire_exchange *w, secrets *found) {
  x->method = wc_strdup(w->method ? w->method : "");
  x->url = redacted_target(w->target ? w->target : "", found);
  size_t n = w->request_header_count;
  x->req_headers = calloc(n ? n : 1, sizeof *x->req_headers);
  if (!x->method || !x->url || !x->req_headers) return false;
  for (size_t i = 0; i < n; i++) {
    x->req_headers[i] = header_line(&w->request_headers[i], found);
    if (!x->req_headers[i]) return false;
    x->req_header_count = i + 1;
    if (strncasecmp(x->req_headers[i], "authorization:", 14) == 0) x->has_credential = true;
  }
  if (w->request_body.data) {
    x->req_body = wc_strndup(w->request_body.data, w->request_body.len);
    x->req_body_len = w->request_body.len;
    if (!x->req_body) return false;
  }
  return true;
}

static bool copy_response(wc_exchange *x, const wc_wire_exchange *w, secrets *found) {
  if (w->status <= 0) return true;
  x->has_response = true;
  x->http_status = w->status;
  for (size_t i = 0; i < w->response_header_count; i++) {
    const wc_wire_header *h = &w->response_headers[i];
    const char *name = h->name ? h->name : "";
    const char *value = h->value ? h->value : "";
    if (wc_wire_credential_header(name) || looks_like_credential(value)) {
      secret_add(found, value, strlen(value));
      value = "***";
    }
    if (wc_exchange_add_header(x, name, strlen(name), value, strlen(value)) != 0) return false;
  }
  if (w->response_body.data && wc_buf_append(&x->body, w->response_body.data, w->response_body.len) != 0)
    return false;
  x->body_truncated = w->response_body.truncated;
  return true;
}

wc_exchange *wc_exchange_from_wire(const wc_wire_exchange *w) {
  if (!w) return NULL;
  wc_exchange *x = calloc(1, sizeof *x);
  if (!x) return NULL;
  wc_buf_init(&x->body);
  x->error = wc_strdup(w->error ? w->error : "");
  x->note = wc_strdup("");
  x->status = w->error && *w->error ? WC_XFER_OTHER : WC_XFER_OK;
  x->total_ms = w->time_ms > 0 ? w->time_ms : 0;
  secrets found = {.count = 0};
  bool ok = x->error && x->note && copy_request(x, w, &found) && copy_response(x, w, &found);
  for (size_t i = 0; i < found.count; i++) {
    if (ok) wc_exchange_scrub(x, found.items[i]);
    free(found.items[i]);
  }
  if (!ok) {
    wc_exchange_free(x);
    return NULL;
  }
  return x;
}
