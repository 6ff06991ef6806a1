/* whopconf: the conformance checks, as pure functions.
 *
 * A check looks at one response (or a parsed User) plus what was sent and
 * appends observations: "requirement R was checked on exchange E and passed
 * / failed (with findings) / could not be checked". Checks never send, never
 * print and never decide the verdict of a run: the runner aggregates every
 * observation of every case into report.json (runner.h), where a failed
 * SHOULD becomes a warning. The observations themselves are in
 * observations.h. */
#ifndef WHOPCONF_CHECKS_H
#define WHOPCONF_CHECKS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "whopconf/catalog.h"
#include "whopconf/common.h"
#include "whopconf/observations.h"
#include "whopconf/response.h"
#include "whopconf/schema.h"

/* True for the requirements checked on every response of the run (so every
 * case contributes to them and `--only` with one of them runs every case). */
bool wc_requirement_is_generic(const char *id);

/* ---- what the checks need to know -------------------------------------- */

typedef struct wc_check_ctx {
  const wc_schema *user_schema;  /* #/components/schemas/User; NULL: WC-US-001 is skipped */
  const wc_schema *error_schema; /* the 400 response schema; NULL: envelope rules only */
  const char *api_version;       /* the pinned (latest-shape) version */
  const char *const *known_versions;
  size_t known_count;
  double max_response_ms;          /* 0 = no budget (WC-TR-004 not observed) */
  const char *const *documented;   /* documented status codes ("200", "400"); NULL = those two */
  size_t documented_count;
} wc_check_ctx;

/* What was sent, as far as the checks care. */
typedef struct wc_sent {
  const char *method;      /* "PATCH" (NULL = PATCH) */
  bool documented_op;      /* PATCH /users/me, the operation the spec documents */
  const char *api_version; /* Api-Version-Date value sent; NULL = header absent */
  double time_ms;          /* total time of the exchange */
  int exchange;            /* 1-based sequence in the case */
  const char *what;        /* short description for reasons ("PATCH {} pinned to 2026-07-01") */
} wc_sent;

bool wc_version_is_known(const wc_check_ctx *ctx, const char *version);

/* ---- the checks --------------------------------------------------------- */

/* Every check made on every response of the run: WC-US-002 (strict JSON),
 * WC-TR-001 (no 5xx), WC-TR-003 (no 3xx), WC-TR-004 (time budget),
 * WC-ERR-007 (documented status), WC-ERR-001/002 (on a 4xx), WC-TR-006 (on a
 * 401), WC-TR-002 (on a 200) and, for the documented operation, WC-US-001 +
 * the documented-meaning checks on a 200 pinned to ctx->api_version, or
 * WC-US-003 on a 2xx without the header / pinned to another known version. */
void wc_check_response(const wc_check_ctx *ctx, const wc_sent *sent, const wc_response *r,
                       wc_observations *obs);

/* The pieces of wc_check_response, one requirement each. */
void wc_check_strict_json(const wc_sent *sent, const wc_response *r, wc_observations *obs);
void wc_check_status_class(const wc_check_ctx *ctx, const wc_sent *sent, const wc_response *r,
                           wc_observations *obs); /* TR-001, TR-003, TR-004, ERR-007 */
void wc_check_error_response(const wc_check_ctx *ctx, const wc_sent *sent, const wc_response *r,
                             wc_observations *obs); /* ERR-001, ERR-002, TR-006 */
void wc_check_user_schema(const wc_check_ctx *ctx, const wc_sent *sent, const wc_response *r,
                          wc_observations *obs); /* US-001 (+ meaning when an object) */
void wc_check_original_shape(const wc_sent *sent, const wc_response *r, wc_observations *obs);

/* Documented meaning of a User (checks_meaning.c): DM-001 .. DM-009, each
 * observed only where its field is present with the documented type (the
 * schema check reports the rest). */
void wc_check_user_meaning(const cJSON *user, int exchange, wc_observations *obs);

/* The shape of a JSON object: "id:string, username:string, name:null, ..."
 * in member order (arrays as "array", objects as "object"). Caller frees. */
char *wc_json_shape(const cJSON *object);

/* Expectation checks used by the cases. Each records one observation of
 * requirement on the exchange. */
/* 2xx expected. */
void wc_check_accepted(const char *requirement, const wc_sent *sent, const wc_response *r,
                       wc_observations *obs);
/* Exactly 400 with a good error envelope. */
void wc_check_rejected_400(const char *requirement, const wc_sent *sent, const wc_response *r,
                           wc_observations *obs);
/* A 4xx with a good error envelope (WC-ERR-005). */
void wc_check_auth_rejected(const char *requirement, const wc_sent *sent, const wc_response *r,
                            wc_observations *obs);
/* Anything but 2xx (WC-ERR-006). */
void wc_check_not_2xx(const char *requirement, const wc_sent *sent, const wc_response *r,
                      wc_observations *obs);
/* 405, with an Allow header that lists PATCH (WC-TR-005). */
void wc_check_method_not_allowed(const wc_sent *sent, const wc_response *r, wc_observations *obs);
/* WC-VER-005 on the 400 to an unknown version: the message lists the
 * supported versions (the sent value itself, when echoed, is not counted),
 * and they match the configured list (differences are findings). */
void wc_check_version_list(const wc_check_ctx *ctx, const wc_sent *sent, const wc_response *r,
                           wc_observations *obs);

/* Update semantics on parsed users.
 * WC-UPD-001: every member of sent_body (but profile_picture, which goes in
 * as an id and comes back as a url) is equal in user. */
void wc_check_reflected(const cJSON *user, const cJSON *sent_body, int exchange,
                        wc_observations *obs);
/* requirement (UPD-002/003/004): every member named in fields (a
 * NULL-terminated list) is equal in before and after; absent from both
 * counts as equal. */
void wc_check_unchanged(const char *requirement, const cJSON *before, const cJSON *after,
                        const char *const *fields, int exchange, const char *what,
                        wc_observations *obs);

/* Value syntax used by the meaning checks (exposed for the tests). */
bool wc_is_decimal_string(const char *s);   /* -?digits(.digits)? */
bool wc_is_iso8601_timestamp(const char *s); /* date 'T' time [fraction] (Z | +hh:mm), or basic format */
/* Exact decimal arithmetic (128-bit, long double beyond): 1 when
 * |total - sum(values)| < 0.01 (the cent), 0 when not, -1 if any is not a
 * decimal string. */
int wc_decimal_sum_matches(const char *total, const char *const *values, size_t count);

#endif
