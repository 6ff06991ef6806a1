/* whopconf: the requirement catalogue.
 *
 * Every check has a stable id, a level and a source. MUST: a schema keyword,
 * a documented status or media type, the security requirement, or an explicit
 * statement about this operation; a MUST failure fails the run. SHOULD:
 * guidance from the public docs or a description whose reading for this
 * operation is ambiguous; reported as a warning, fails only with --strict. */
#ifndef WHOPCONF_CATALOG_H
#define WHOPCONF_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum wc_level { WC_LEVEL_MUST = 0, WC_LEVEL_SHOULD } wc_level;

typedef struct wc_requirement {
  const char *id;          /* "WC-US-001" */
  const char *family;      /* "user-schema", "meaning", "versioning", "errors", "updates", "transport", "client" */
  wc_level level;
  const char *title;       /* one sentence, what must hold */
  const char *source;      /* where the contract says so, in words */
  const char *spec_pointer; /* node of spec/openapi.yml that states it (SARIF location) */
  const char *schemathesis; /* the matching Schemathesis check name, or NULL */
} wc_requirement;

size_t wc_catalog_count(void);
const wc_requirement *wc_catalog_get(size_t index);
const wc_requirement *wc_catalog_find(const char *id);
const char *wc_level_name(wc_level level); /* "MUST" / "SHOULD" */
/* The "client" family judges the requests of real traffic (`check`,
 * `proxy`); `run` sends its own requests, so its reports leave them out. */
bool wc_requirement_is_client(const wc_requirement *req);

/* The families in catalogue order (for report grouping). */
size_t wc_family_count(void);
const char *wc_family_get(size_t index);
const char *wc_family_title(const char *family); /* "User schema", ... */

#endif
