/* whopconf: JSON Schema 2020-12 validator over cJSON trees.
 *
 * Compile once, validate many. Every error is collected (not just the first)
 * with the instance pointer, the schema pointer into the source document, the
 * keyword and one human sentence:
 *   /balances/0/price_usd: expected number or null, got string "0.9998" */
#ifndef WHOPCONF_SCHEMA_H
#define WHOPCONF_SCHEMA_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "whopconf/common.h"

typedef struct wc_schema wc_schema;

typedef struct wc_schema_opts {
  bool format_assertion; /* date, date-time, uuid, email, uri asserted */
} wc_schema_opts;

void wc_schema_opts_default(wc_schema_opts *opts); /* format_assertion = true */

/* root: the whole document $refs resolve against (the OpenAPI spec, or a
 * standalone schema). pointer: "#/components/schemas/User", "#" or "".
 * The compiled schema may point into root: root must outlive it.
 * Unknown keywords are not errors; they are listed by
 * wc_schema_compile_notes(). A keyword the validator cannot honour (e.g. a
 * regex feature it does not support) fails the compile with a clear err. */
wc_schema *wc_schema_compile(const cJSON *root, const char *pointer, const wc_schema_opts *opts,
                             wc_err *err);
void wc_schema_free(wc_schema *schema);

/* Notes gathered at compile time (unknown keywords, ignored annotations). */
const wc_findings *wc_schema_compile_notes(const wc_schema *schema);

/* True when valid. Every error is appended to out (may be NULL). */
bool wc_schema_validate(const wc_schema *schema, const cJSON *instance, wc_findings *out);

#endif
