/* The request pipeline after classification, independent of the HTTP
 * library: decisions in the documented order (route, Api-Version-Date,
 * credentials, account_id, body size, body), the update, the rendered user
 * or error envelope, and the fault hooks at their fixed points. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "refserver_internal.h"

#define JSON_TYPE "application/json; charset=utf-8"

/* Printable ASCII as is, other bytes as \xNN, cut with "..." (for messages
 * and logs that quote what a client sent). */
void rs_printable(const char *in, char *out, size_t cap) {
  size_t o = 0;
  for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
    char tmp[8];
    int n = (*p >= 0x20 && *p < 0x7F && *p != '\\') ? snprintf(tmp, sizeof tmp, "%c", *p)
                                                     : snprintf(tmp, sizeof tmp, "\\x%02X", *p);
    if (o + (size_t)n + 4 >= cap) {
      snprintf(out + o, cap - o, "...");
      return;
    }
    memcpy(out + o, tmp, (size_t)n);
    o += (size_t)n;
  }
  out[o] = '\0';
}

bool rs_utf8_valid(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  for (size_t left = strlen(s), n; left > 0; p += n, left -= n)
    if ((n = wc_utf8_decode(p, left, NULL, NULL)) == 0) return false;
  return true;
}

/* Replaces each byte that is not part of valid UTF-8 with '?', so an error
 * message quoting client bytes never breaks the JSON it goes into. */
static void sanitize_utf8(char *s) {
  unsigned char *p = (unsigned char *)s;
  for (size_t left = strlen(s), n; left > 0; p += n, left -= n)
    if ((n = wc_utf8_decode(p, left, NULL, NULL)) == 0) *p = '?', n = 1;
}

void rs_reply_error(rs_reply *r, unsigned status, const char *type, const char *fmt, ...) {
  r->status = status;
  snprintf(r->error_type, sizeof r->error_type, "%s", type);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->error_message, sizeof r->error_message, fmt, ap);
  va_end(ap);
  sanitize_utf8(r->error_message);
}

void rs_reply_internal_error(rs_reply *r) {
  r->status = 500;
  r->content_type = JSON_TYPE;
  r->body.len = 0;
  wc_buf_puts(&r->body, "{\"error\":{\"type\":\"internal_error\",\"message\":\"Internal server error\"}}");
}

/* ---- decisions ------------------------------------------------------------ */

static bool decide_version(rs_exchange *x) {
  rs_server *s = x->srv;
  rs_reply *r = &x->reply;
  char shown[160];
  rs_printable(x->version ? x->version : "", shown, sizeof shown);
  switch (x->ver_class) {
  case RS_VER_ABSENT:
  case RS_VER_KNOWN:
    return false;
  case RS_VER_UNKNOWN_DATE:
    rs_reply_error(r, 400, "invalid_api_version", "Unsupported Api-Version-Date \"%s\". Supported versions: %s",
                   shown, s->supported_list);
    return true;
  case RS_VER_MALFORMED:
    rs_reply_error(r, 400, "invalid_api_version",
                   "Unsupported Api-Version-Date \"%s\" (%s). Supported versions: %s", shown,
                   x->version && *x->version ? "not a YYYY-MM-DD date" : "empty value", s->supported_list);
    return true;
  case RS_VER_REPEATED:
    rs_reply_error(r, 400, "invalid_api_version", "Api-Version-Date given more than once. Supported versions: %s",
                   s->supported_list);
    return true;
  case RS_VER_REQUIRED:
    rs_reply_error(r, 400, "invalid_api_version", "Missing Api-Version-Date header. Supported versions: %s",
                   s->supported_list);
    return true;
  }
  return false;
}

static bool decide_credentials(rs_exchange *x) {
  rs_reply *r = &x->reply;
  switch (x->cred) {
  case RS_CRED_USER:
    return false;
  case RS_CRED_MISSING:
    rs_reply_error(r, 401, "unauthorized", "Missing Authorization header (expected: Bearer <token>)");
    r->www_authenticate = true;
    return true;
  case RS_CRED_MALFORMED:
    rs_reply_error(r, 401, "unauthorized", "Authorization must be a Bearer token");
    r->www_authenticate = true;
    return true;
  case RS_CRED_UNKNOWN:
    rs_reply_error(r, 401, "unauthorized", "Invalid or expired token");
    r->www_authenticate = true;
    return true;
  case RS_CRED_NO_SCOPE:
    rs_reply_error(r, 403, "forbidden", "This token lacks the user:profile:update scope");
    return true;
  case RS_CRED_API_KEY:
    if (x->account_id)
      rs_reply_error(r, 400, "invalid_parameters",
                     "API keys cannot update a user profile here: this endpoint is for user tokens");
    else
      rs_reply_error(r, 400, "invalid_parameters", "API keys cannot update a global profile");
    return true;
  }
  return false;
}

/* Everything decidable from the request line and headers; true when x->reply
 * now holds the answer. */
bool rs_decide_headers(rs_exchange *x) {
  rs_reply *r = &x->reply;
  rs_faults_request(x);
  char shown[240];
  rs_printable(x->path ? x->path : "", shown, sizeof shown);
  if (x->route == RS_ROUTE_NOT_FOUND) {
    rs_reply_error(r, 404, "not_found", "No route for %s %s", x->method, shown);
    return true;
  }
  if (x->route == RS_ROUTE_METHOD) {
    rs_reply_error(r, 405, "method_not_allowed", "%s is not allowed on %s (allowed: PATCH)", x->method, shown);
    r->allow = true;
    return true;
  }
  if (decide_version(x) || decide_credentials(x)) return true;
  if (x->account_id_bad) {
    rs_reply_error(r, 400, "invalid_parameters",
                   x->srv->body_rules.id_rules ? "account_id must be 1 to 128 letters, digits, '_' or '-'"
                                               : "account_id must be a string (valid UTF-8)");
    return true;
  }
  return false;
}

void rs_reply_too_large(rs_exchange *x) {
  rs_reply_error(&x->reply, 413, "payload_too_large", "Request body is larger than %zu bytes", x->srv->max_body);
}

/* The body, the update and the rendered user. */
void rs_decide_body(rs_exchange *x) {
  rs_server *s = x->srv;
  rs_reply *r = &x->reply;
  if (x->body_too_large) {
    rs_reply_too_large(x);
    return;
  }
  x->body_error =
      rs_body_parse(x->body.data, x->body.len, &s->body_rules, &x->update, &x->body_seen, x->body_msg);
  rs_faults_body(x);
  if (r->status) return;
  switch (x->body_error) {
  case RS_BODY_OK:
    break;
  case RS_BODY_MISSING:
  case RS_BODY_NOT_JSON:
    rs_reply_error(r, 400, "invalid_json", "%s", x->body_msg);
    return;
  case RS_BODY_INVALID:
    rs_reply_error(r, 400, "invalid_parameters", "%s", x->body_msg);
    return;
  case RS_BODY_NOMEM:
    rs_reply_error(r, 503, "unavailable", "Out of memory, retry later");
    return;
  }
  if (x->account_id && !(x->write_account = wc_strdup(x->account_id))) {
    rs_reply_error(r, 503, "unavailable", "Out of memory, retry later");
    return;
  }
  rs_faults_update(x);
  rs_render_opts ro = {x->shape, s->show_balances};
  char msg[RS_MSG_LEN];
  bool nomem = false;
  cJSON *user = rs_state_apply(s->state, x->user, x->write_account, x->account_id, &x->update, &ro, msg, &nomem);
  if (user && s->body_rules.late_answer) {
    /* As a server that stores, then reads the row back for the answer:
     * an update landing in the pause shows in this answer. */
    cJSON_Delete(user);
    struct timespec pause = {0, 2 * 1000 * 1000};
    nanosleep(&pause, NULL);
    rs_update none = {0};
    user = rs_state_apply(s->state, x->user, NULL, x->account_id, &none, &ro, msg, &nomem);
  }
  if (!user) {
    if (nomem) rs_reply_error(r, 503, "unavailable", "Out of memory, retry later");
    else rs_reply_error(r, 400, "invalid_parameters", "%s", msg);
    return;
  }
  rs_faults_user(x, user);
  r->status = 200;
  r->user = user;
}

/* Turns the decided reply into bytes, then lets the reply hooks at it. */
void rs_finish_reply(rs_exchange *x) {
  rs_reply *r = &x->reply;
  cJSON *doc = r->user;
  r->user = NULL;
  if (!doc) {
    doc = cJSON_CreateObject();
    cJSON *err = cJSON_AddObjectToObject(doc, "error");
    cJSON_AddStringToObject(err, "type", r->error_type);
    cJSON_AddStringToObject(err, "message", r->error_message);
    rs_faults_error(x, doc);
  }
  char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;
  cJSON_Delete(doc);
  r->body.len = 0;
  if (text) {
    wc_buf_puts(&r->body, text);
    free(text);
  } else {
    /* Out of memory while rendering: a fixed answer that needs none. */
    r->status = 503;
    wc_buf_puts(&r->body, "{\"error\":{\"type\":\"unavailable\",\"message\":\"Out of memory, retry later\"}}");
  }
  r->content_type = JSON_TYPE;
  rs_faults_reply(x);
}

