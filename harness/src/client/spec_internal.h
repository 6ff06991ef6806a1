/* whopconf: internals of the spec module shared by spec.c (queries) and
 * spec_yaml.c (YAML -> cJSON with source lines). Not a public header. */
#ifndef WHOPCONF_SPEC_INTERNAL_H
#define WHOPCONF_SPEC_INTERNAL_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "whopconf/common.h"

/* Limits of the YAML loader; every one is enforced with a clear error. */
#define WC_YAML_MAX_BYTES ((size_t)16 * 1024 * 1024)
#define WC_YAML_MAX_DEPTH 256
#define WC_YAML_MAX_NODES ((size_t)2 * 1000 * 1000)
#define WC_YAML_MAX_ALIAS_NODES ((size_t)100 * 1000) /* nodes created by alias copies */

#include "whopconf/spec.h"

typedef wc_spec_limits wc_yaml_limits;

/* Source position of every node of a loaded tree, keyed by node pointer. */
typedef struct wc_yaml_lines wc_yaml_lines;

/* Loads one YAML document into a cJSON tree. name prefixes every message
 * ("name:line:column: reason"). lines_out (may be NULL) receives the line
 * table; free it with wc_yaml_lines_free. NULL (err set, WC_E_PARSE) on a bad
 * document, an empty input, or a limit exceeded. */
cJSON *wc_yaml_load(const char *data, size_t len, const char *name, const wc_yaml_limits *lim,
                    wc_yaml_lines **lines_out, wc_err *err);

void wc_yaml_lines_free(wc_yaml_lines *lines);
/* 0 when the node is unknown. key_line is 0 for nodes that are not a
 * mapping member (the root, sequence items). */
int wc_yaml_lines_get(const wc_yaml_lines *lines, const cJSON *node, int *key_line, int *value_line);

#endif
