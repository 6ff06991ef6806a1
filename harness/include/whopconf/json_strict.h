/* whopconf: strict RFC 8259 pass over raw bytes, then cJSON for the tree.
 *
 * cJSON (1.7.15) accepts and silently alters input that a conformance checker
 * must report: trailing bytes, duplicate keys, invalid UTF-8, raw control
 * characters, \u0000 truncation, 01 / 1. / 1e400, a BOM, non-JSON whitespace.
 * wc_json_strict_check reports each of these with its byte offset (and a JSON
 * pointer where one is known) without recursion, so 100,000-deep input cannot
 * overflow the stack. */
#ifndef WHOPCONF_JSON_STRICT_H
#define WHOPCONF_JSON_STRICT_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "whopconf/common.h"

#define WC_JSON_DEFAULT_MAX_DEPTH 512

typedef struct wc_json_opts {
  size_t max_depth; /* 0 = WC_JSON_DEFAULT_MAX_DEPTH */
} wc_json_opts;

/* Defect names used as the finding keyword (stable; reports use them). */
#define WC_JSON_DEFECT_SYNTAX "syntax"
#define WC_JSON_DEFECT_EMPTY "empty"
#define WC_JSON_DEFECT_TRAILING "trailing-bytes"
#define WC_JSON_DEFECT_BOM "bom"
#define WC_JSON_DEFECT_WHITESPACE "bad-whitespace"
#define WC_JSON_DEFECT_DUP_KEY "duplicate-key"
#define WC_JSON_DEFECT_UTF8 "invalid-utf8"
#define WC_JSON_DEFECT_CONTROL "control-character"
#define WC_JSON_DEFECT_NUL "nul-escape"
#define WC_JSON_DEFECT_ESCAPE "bad-escape"
#define WC_JSON_DEFECT_SURROGATE "lone-surrogate"
#define WC_JSON_DEFECT_NUMBER "bad-number"
#define WC_JSON_DEFECT_OVERFLOW "number-overflow"
#define WC_JSON_DEFECT_NONFINITE "non-finite-number" /* NaN, Infinity */
#define WC_JSON_DEFECT_DEPTH "too-deep"
/* After 100 defects the rest are not listed (a binary blob would give one
 * per byte); this last finding says so. */
#define WC_JSON_DEFECT_LIMIT "too-many-defects"

/* Appends one finding per defect to out (may be NULL); returns the count
 * (0 = strict RFC 8259 JSON that cJSON will represent faithfully). */
size_t wc_json_strict_check(const char *buf, size_t len, const wc_json_opts *opts,
                            wc_findings *out);

/* Strict check, then cJSON_ParseWithLength. Returns the tree (caller frees
 * with cJSON_Delete) or NULL when the bytes are not JSON at all (err says
 * why). Strict defects go to out even when a tree is returned; a document
 * deeper than max_depth is never handed to cJSON. */
cJSON *wc_json_parse(const char *buf, size_t len, const wc_json_opts *opts, wc_findings *out,
                     wc_err *err);

#endif
