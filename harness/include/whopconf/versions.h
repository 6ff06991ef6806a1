/* whopconf: what the contract says about Api-Version-Date.
 *
 * The dated versions the public docs list, which one a run pins to when none
 * is asked for, whether a value is known, and what a version date looks like.
 * The runner, the conformance cases, the CLI and the reference server all ask
 * here, so they cannot disagree. */
#ifndef WHOPCONF_VERSIONS_H
#define WHOPCONF_VERSIONS_H

#include <stdbool.h>
#include <stddef.h>

/* The public list, oldest first; the newest is the default pin. Written as
 * FIRST(v) NEXT(v)... so it gives both the table (versions.c) and the text
 * of the help screens (WC_DEFAULT_VERSIONS_TEXT). */
#define WC_DEFAULT_VERSION_LIST(FIRST, NEXT) \
  FIRST("2025-01-01") NEXT("2026-06-08") NEXT("2026-06-09") NEXT("2026-06-20") NEXT("2026-07-01")

#define WC_VERSION_TEXT_FIRST(v) v
#define WC_VERSION_TEXT_NEXT(v) " " v
/* "2025-01-01 2026-06-08 ... 2026-07-01" */
#define WC_DEFAULT_VERSIONS_TEXT WC_DEFAULT_VERSION_LIST(WC_VERSION_TEXT_FIRST, WC_VERSION_TEXT_NEXT)

size_t wc_default_version_count(void);
const char *wc_default_version(size_t index); /* oldest first; last = newest; NULL past the end */

/* list when count is not 0, else the default list; *count becomes its
 * length. The convention of every "known versions" option (0 = the public
 * list). */
const char *const *wc_versions_or_default(const char *const *list, size_t *count);

/* value is exactly one of list[0 .. count). */
bool wc_version_listed(const char *const *list, size_t count, const char *value);

/* The newest of the list (the default pin): dates in YYYY-MM-DD sort as
 * strings, and a suffixed value (2026-07-08-1) sorts after its day. NULL
 * when the list is empty. */
const char *wc_version_newest(const char *const *list, size_t count);

/* What a version date looks like: YYYY-MM-DD naming a real calendar day,
 * optionally followed by a release suffix "-N" of one to three digits (real
 * values look like 2026-07-08-1). Anything else is malformed, not merely
 * unknown. */
bool wc_version_well_formed(const char *value);

/* The length of the version date that text starts with (the longest
 * well-formed prefix), or 0. For finding versions inside a message. */
size_t wc_version_prefix_len(const char *text);

#endif
