/* whopconf: response parser.
 *
 * Status, headers (case-insensitive look-up, repeats kept), Content-Type
 * parsed into media type and parameters, the body through the strict JSON
 * pass and cJSON, and the error envelope extracted into a typed result. */
#ifndef WHOPCONF_RESPONSE_H
#define WHOPCONF_RESPONSE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "whopconf/common.h"
#include "whopconf/json_strict.h"
#include "whopconf/transport.h"

typedef struct wc_media_type {
  bool present;       /* a Content-Type header was there */
  bool valid;         /* it parsed as type/subtype *(; param) */
  char essence[128];  /* lowercased "type/subtype" */
  char charset[64];   /* lowercased charset parameter, "" when absent */
  bool is_json;       /* application/json or any +json suffix */
} wc_media_type;

/* Parses a Content-Type value (RFC 9110 media-type). Returns 0 when valid. */
int wc_media_type_parse(const char *value, wc_media_type *out);

typedef struct wc_response wc_response;

/* Builds a response from raw parts (used by the fuzzers and the exchange
 * path alike). The body is copied. */
wc_response *wc_response_new(long status, const char *body, size_t body_len);
int wc_response_add_header(wc_response *r, const char *name, const char *value);
/* Runs content-type parsing and the strict JSON pass + cJSON. Call once
 * after the headers are added. */
void wc_response_finish(wc_response *r, const wc_json_opts *opts);

/* Everything above in one call from a completed exchange; NULL (err set) if
 * the exchange has no response. */
wc_response *wc_response_from_exchange(const wc_exchange *x, const wc_json_opts *opts,
                                       wc_err *err);
void wc_response_free(wc_response *r);

long wc_response_status(const wc_response *r);
/* nth (0-based) header with that name, case-insensitive; NULL if absent. */
const char *wc_response_header(const wc_response *r, const char *name, size_t nth);
size_t wc_response_header_count(const wc_response *r, const char *name);
const wc_media_type *wc_response_media_type(const wc_response *r);
const char *wc_response_body(const wc_response *r, size_t *len);
/* The parsed body, or NULL when it is not JSON. */
const cJSON *wc_response_json(const wc_response *r);
/* Strict-JSON defects of the body (empty list when clean or not JSON). */
const wc_findings *wc_response_json_findings(const wc_response *r);
/* Why the body is not JSON (one line), "" when it is. */
const char *wc_response_json_error(const wc_response *r);

/* The error envelope {"error": {"type": "...", "message": "..."}}. */
typedef enum wc_envelope_problem {
  WC_ENV_NOT_JSON = 1 << 0,
  WC_ENV_NO_ERROR = 1 << 1,        /* JSON without "error" */
  WC_ENV_ERROR_NOT_OBJECT = 1 << 2,
  WC_ENV_TYPE_MISSING = 1 << 3,
  WC_ENV_TYPE_NOT_STRING = 1 << 4,
  WC_ENV_TYPE_EMPTY = 1 << 5,
  WC_ENV_MESSAGE_MISSING = 1 << 6,
  WC_ENV_MESSAGE_NOT_STRING = 1 << 7,
  WC_ENV_MESSAGE_EMPTY = 1 << 8,
  WC_ENV_CODE_INSTEAD_OF_TYPE = 1 << 9 /* "type" missing but "code" present */
} wc_envelope_problem;

typedef struct wc_envelope {
  unsigned problems;   /* 0 = a good envelope */
  const char *type;    /* into the response's tree, or NULL */
  const char *message; /* into the response's tree, or NULL */
} wc_envelope;

/* Fills out; returns out->problems. Adds one finding per problem to
 * findings (may be NULL) with instance pointers like "/error/type". */
unsigned wc_response_envelope(const wc_response *r, wc_envelope *out, wc_findings *findings);

#endif
