/* whopconf: the contract (OpenAPI 3.1 YAML) as data.
 *
 * The YAML is loaded with libyaml into a cJSON tree (YAML 1.2 core scalars;
 * quoted scalars stay strings), keeping the source line of every node so that
 * reports (SARIF) can point at the line of spec/openapi.yml that states a
 * requirement. */
#ifndef WHOPCONF_SPEC_H
#define WHOPCONF_SPEC_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "whopconf/common.h"

typedef struct wc_spec wc_spec;

/* The copy of spec/openapi.yml embedded at build time. */
wc_spec *wc_spec_load_embedded(wc_err *err);
wc_spec *wc_spec_load_file(const char *path, wc_err *err);
/* name is used in messages ("file:line:column: reason"). */
wc_spec *wc_spec_load_buffer(const char *data, size_t len, const char *name, wc_err *err);
void wc_spec_free(wc_spec *spec);

/* The loader's bounds (see docs/spec.md); every one fails with a clear
 * "name:line:column: reason" when exceeded. */
typedef struct wc_spec_limits {
  size_t max_bytes;       /* input size, default 16 MiB */
  size_t max_depth;       /* nesting, default 256 */
  size_t max_nodes;       /* nodes in the tree, default 2,000,000 */
  size_t max_alias_nodes; /* nodes created by alias copies, default 100,000 */
} wc_spec_limits;

void wc_spec_limits_default(wc_spec_limits *limits);
/* wc_spec_load_buffer with other bounds (limits NULL = the defaults). */
wc_spec *wc_spec_load_buffer_limited(const char *data, size_t len, const char *name,
                                     const wc_spec_limits *limits, wc_err *err);

const cJSON *wc_spec_document(const wc_spec *spec); /* the whole tree, $refs kept */
const char *wc_spec_name(const wc_spec *spec);      /* path, or "spec/openapi.yml (embedded)" */
const char *wc_spec_sha256(const wc_spec *spec);    /* of the raw bytes */
const char *wc_spec_source(const wc_spec *spec, size_t *len); /* raw bytes */

/* pointer: "#/a/b", "/a/b" or "#". Follows $ref at every step (including the
 * final node). NULL (err set) when absent or a $ref cycle is found. */
const cJSON *wc_spec_get(const wc_spec *spec, const char *pointer, wc_err *err);

/* 1-based line of the node at pointer (no $ref following), 0 if unknown.
 * For a mapping member this is the line of its KEY (for `User:` the line
 * that says `User:`, not the first line of its body): the line a reader
 * (or a SARIF viewer) should land on. For a sequence item or the root it is
 * the line where the value starts. */
int wc_spec_line(const wc_spec *spec, const char *pointer);
/* Line where the value itself starts (for `User:` the line of its first
 * member). 0 if unknown. */
int wc_spec_value_line(const wc_spec *spec, const char *pointer);

/* The pointer of the node wc_spec_get reaches, with every $ref on the way
 * (and on the final node) replaced by its target, e.g.
 * "#/paths/~1users~1me/patch/responses/400" ->
 * "#/components/responses/InvalidParameters". Caller frees; NULL (err set)
 * as for wc_spec_get. */
char *wc_spec_resolve_pointer(const wc_spec *spec, const char *pointer, wc_err *err);

/* "#/paths/~1users~1me/patch", or NULL (err set) if the spec has no such
 * operation. method is case-insensitive. Caller frees. */
char *wc_spec_operation_pointer(const wc_spec *spec, const char *method, const char *path,
                                wc_err *err);

/* Parameters of the operation (path-level merged with operation-level,
 * operation wins; $refs resolved): a new array of references into the
 * document; free with cJSON_Delete (the referenced nodes are not freed). */
cJSON *wc_spec_parameters(const wc_spec *spec, const char *method, const char *path, wc_err *err);

/* Pointer (to hand to wc_schema_compile) of the schema for a response:
 * status "200" / "400" (falls back to "4XX" then "default"), media type
 * "application/json". $refs to #/components/responses are followed, so the
 * result is e.g. "#/components/responses/InvalidParameters/content/application~1json/schema".
 * Caller frees; NULL (err set) if undocumented. */
char *wc_spec_response_schema_pointer(const wc_spec *spec, const char *method, const char *path,
                                      const char *status, const char *media_type, wc_err *err);

/* Pointer to the request body schema for the media type. Caller frees. */
char *wc_spec_request_schema_pointer(const wc_spec *spec, const char *method, const char *path,
                                     const char *media_type, wc_err *err);

/* The documented status codes of an operation ("200", "400", ...), a new
 * cJSON array of strings. */
cJSON *wc_spec_documented_statuses(const wc_spec *spec, const char *method, const char *path,
                                   wc_err *err);

#endif
