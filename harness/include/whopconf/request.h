/* whopconf: request builder for PATCH {base}/users/me.
 *
 * From a typed description, builds the method, the full URL (joined with
 * libcurl's URL API, never by string slicing), the header list and the body
 * bytes. Anything that would put CR, LF or NUL in a header is refused before
 * a byte is sent. Error messages never quote a credential. */
#ifndef WHOPCONF_REQUEST_H
#define WHOPCONF_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "whopconf/common.h"

typedef enum wc_field_kind {
  WC_FIELD_UNSET = 0, /* not sent */
  WC_FIELD_STRING,    /* "name": "value" */
  WC_FIELD_NULL       /* "name": null */
} wc_field_kind;

typedef struct wc_field {
  wc_field_kind kind;
  const char *value; /* UTF-8, for WC_FIELD_STRING */
} wc_field;

typedef struct wc_request_desc {
  const char *base_url;    /* http(s)://host[:port][/prefix], e.g. .../api/v1 or .../api/v1/ */
  const char *token;       /* bearer credential; NULL = no Authorization header */
  const char *api_version; /* Api-Version-Date value; NULL = header absent */
  const char *account_id;  /* ?account_id=..., percent-encoded; NULL = none */
  wc_field name, bio, username;
  /* profile_picture: sent as an object when either is set, as null when
   * profile_picture_null. */
  wc_field picture_id, picture_direct_upload_id;
  bool profile_picture_null;
  /* Negative cases: when raw_body is non-NULL it replaces the JSON body. */
  const char *raw_body;
  size_t raw_body_len;
  bool omit_body;           /* send no body at all */
  const char *content_type; /* NULL = application/json when there is a body;
                               "" = no Content-Type header at all */
  const char *method;       /* NULL = PATCH */
  const char *path;         /* NULL = /users/me (joined below the base URL) */
  /* Authorization scheme sent before the token: NULL = "Bearer"; negative
   * cases send e.g. "Basic", or "" for the credential alone. */
  const char *auth_scheme;
} wc_request_desc;

typedef struct wc_request wc_request;

wc_request *wc_request_build(const wc_request_desc *desc, wc_err *err);
void wc_request_free(wc_request *req);

const char *wc_request_method(const wc_request *req);
const char *wc_request_url(const wc_request *req);
/* Headers as "Name: value" lines, in sending order. The Authorization line
 * holds the real credential: it is for the transport only and must never be
 * recorded; use wc_request_header_redacted for anything written. */
size_t wc_request_header_count(const wc_request *req);
const char *wc_request_header(const wc_request *req, size_t index);
const char *wc_request_header_redacted(const wc_request *req, size_t index); /* Bearer *** */
const char *wc_request_body(const wc_request *req, size_t *len);             /* NULL = no body */
bool wc_request_has_credential(const wc_request *req);

/* Joins base and path ("/users/me") with curl's URL API. Refuses a base URL
 * with a query, fragment or userinfo, a non-http(s) scheme, or one that does
 * not parse. Caller frees. */
char *wc_url_join(const char *base_url, const char *path, wc_err *err);

/* True when the host of url is loopback (127.0.0.0/8, ::1, localhost). */
bool wc_url_is_loopback(const char *url);

/* The credential, for redaction of recorded text only (never write it).
 * NULL when the request has none. */
const char *wc_request_credential(const wc_request *req);

/* Checks len bytes bound for a header value: returns 0 when none is CR, LF
 * or NUL, else 1 (CR), 2 (LF) or 3 (NUL) with *bad_offset (may be NULL) set.
 * wc_request_desc holds C strings, which cannot carry a NUL; callers that
 * start from bytes with a length (the fuzzers) check with this first. */
int wc_header_value_check(const char *value, size_t len, size_t *bad_offset);

#endif
