/* Shared by the conformance cases (the cases/ directory): each case is one Criterion
 * test that runs in its own worker process (BoxFort re-executes whopconf),
 * opens its wc_case from the run context, sends, and closes. Verdicts come
 * from the observations (runner.h), never from Criterion assertions: a case
 * does not stop at the first problem, it records them all.
 *
 *   WC_CASE(versioning, unknown_dates, 0, WC_REQ_UNKNOWN_400 " " WC_REQ_VERSION_LIST) {
 *     ... c is the open wc_case ...
 *   }
 *
 * The declared requirement ids (space-separated) are the Criterion test's
 * description: `--only WC-VER-002` selects the cases that declare it, and a
 * case skipped for a missing credential records a skip for each of them. */
#ifndef WC_CASE_SUPPORT_H
#define WC_CASE_SUPPORT_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "whopconf/checks.h"
#include "whopconf/runner.h"

typedef void (*wc_case_body)(wc_case *c);

/* Opens the case, runs body, closes; a case that cannot open (not under
 * `whopconf run`) fails its Criterion test with the reason. */
void wc_case_run(const char *name, const char *declared, unsigned flags, wc_case_body body);

#define WC_CASE(suite, name, flags, declared)                                    \
  static void wc_case_body_##suite##_##name(wc_case *c);                         \
  Test(suite, name, .description = declared) {                                   \
    wc_case_run(#name, declared, flags, wc_case_body_##suite##_##name);          \
  }                                                                              \
  static void wc_case_body_##suite##_##name(wc_case *c)

/* A PATCH with the token, pinned to the run's version (the usual request). */
wc_request_desc wc_case_pinned(wc_case *c);

/* Shows a header value in a reason: quoted, cut at 40 bytes. */
void wc_case_show(const char *value, char *out, size_t size);

/* Member names compared by the update checks. */
extern const char *const wc_profile_members[];    /* id, username, name, bio, created_at, profile_picture */

#endif
