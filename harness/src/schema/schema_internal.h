/* Private to the schema module (schema.c, schema_validate.c, schema_regex.c,
 * schema_format.c): the compiled node tree, the regex engine, the formats. */
#ifndef WHOPCONF_SCHEMA_INTERNAL_H
#define WHOPCONF_SCHEMA_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "whopconf/common.h"
#include "whopconf/schema.h"

/* ---- regex (schema_regex.c): an ECMA-262 subset on a Pike VM ---- */

typedef struct wc_regex wc_regex;

/* NULL when the pattern is malformed or uses a feature the engine cannot
 * honour; why (one line) says which. */
wc_regex *wc_regex_compile(const char *pattern, char *why, size_t why_len);
/* Unanchored search over UTF-8 text: true when the pattern matches anywhere.
 * Linear in len times the program size (no backtracking). */
bool wc_regex_search(const wc_regex *re, const char *text, size_t len);
void wc_regex_free(wc_regex *re);

/* ---- formats (schema_format.c) ---- */

typedef enum wc_format {
  WC_FORMAT_NONE = 0, /* not asserted */
  WC_FORMAT_DATE,
  WC_FORMAT_DATE_TIME,
  WC_FORMAT_UUID,
  WC_FORMAT_EMAIL,
  WC_FORMAT_URI
} wc_format;

wc_format wc_format_lookup(const char *name); /* WC_FORMAT_NONE if not asserted */
bool wc_format_check(wc_format format, const char *s, size_t len);

/* ---- the compiled tree ---- */

enum {
  WC_T_NULL = 1 << 0,
  WC_T_BOOLEAN = 1 << 1,
  WC_T_OBJECT = 1 << 2,
  WC_T_ARRAY = 1 << 3,
  WC_T_NUMBER = 1 << 4,
  WC_T_INTEGER = 1 << 5,
  WC_T_STRING = 1 << 6
};

/* Which groups of keywords a node carries: validation skips whole groups. */
enum {
  WC_K_TYPE = 1 << 0,
  WC_K_OBJECT = 1 << 1, /* any object keyword */
  WC_K_ARRAY = 1 << 2,
  WC_K_STRING = 1 << 3,
  WC_K_NUMBER = 1 << 4,
  WC_K_ENUM = 1 << 5,
  WC_K_CONST = 1 << 6,
  WC_K_APPLY = 1 << 7, /* allOf, anyOf, oneOf, not, if */
  WC_K_REF = 1 << 8,
  WC_K_INPLACE = 1 << 9 /* applies other schemas to the same value: $ref, applicators, dependentSchemas */
};

typedef struct wc_snode wc_snode;

typedef struct wc_sprop {
  const char *name;
  size_t len;
  uint32_t hash;
  wc_snode *schema; /* NULL: named only by required / dependentRequired */
  bool required;
} wc_sprop;

typedef struct wc_spattern {
  wc_regex *re;
  const char *source;
  wc_snode *schema;
} wc_spattern;

typedef struct wc_sdep {
  uint32_t trigger;  /* index into props */
  uint32_t *needs;   /* dependentRequired: indexes into props */
  size_t nneeds;
  wc_snode *schema;  /* dependentSchemas */
} wc_sdep;

typedef struct wc_slist {
  wc_snode **items;
  size_t n;
} wc_slist;

struct wc_snode {
  const char *ptr;  /* "#/components/schemas/User" */
  unsigned groups;  /* WC_K_* */
  uint8_t boolean;  /* 0: object schema, 1: true, 2: false */
  uint8_t types;    /* WC_T_* */
  uint8_t type_order[8];
  uint8_t ntypes;

  wc_snode *ref;
  /* A node that is nothing but a $ref (annotations aside) is evaluated as
   * its final target: same verdict, same errors, one call less. */
  wc_snode *alias;

  /* object */
  wc_sprop *props;
  size_t nprops;
  uint32_t *prop_table; /* open addressing: index + 1 */
  uint32_t prop_mask;
  uint64_t required_mask; /* when nprops <= 64 */
  size_t nrequired;
  bool has_properties;  /* "properties" present (even empty) */
  wc_spattern *patterns;
  size_t npatterns;
  wc_snode *additional;
  wc_snode *property_names;
  bool has_min_props, has_max_props;
  size_t min_props, max_props;
  wc_sdep *dep_required;
  size_t ndep_required;
  wc_sdep *dep_schemas;
  size_t ndep_schemas;

  /* array */
  wc_slist prefix;
  wc_snode *items;
  wc_snode *contains;
  size_t min_contains, max_contains;
  bool has_max_contains;
  bool has_min_items, has_max_items, unique;
  size_t min_items, max_items;

  /* string */
  bool has_min_len, has_max_len;
  size_t min_len, max_len;
  wc_regex *pattern;
  const char *pattern_src;
  wc_format format;
  const char *format_name;

  /* number */
  bool has_min, has_max, has_xmin, has_xmax, has_multiple;
  double minimum, maximum, xmin, xmax, multiple;

  /* any type */
  const cJSON *const_value;
  const cJSON *enum_values; /* the array */
  wc_slist all_of, any_of, one_of;
  wc_snode *not_schema, *if_schema, *then_schema, *else_schema;
};

struct wc_schema {
  wc_snode *root;
  wc_findings *notes;
  wc_schema_opts opts;
  struct wc_arena_chunk *arena;
  wc_regex **regexes;
  size_t nregexes, regexes_cap;
};

/* ---- values (schema_values.c) ---- */

/* Deep equality of JSON values (1 == 1.0, false != 0, key order
 * irrelevant) and a hash consistent with it. */
bool wc_json_equal(const cJSON *a, const cJSON *b);
uint64_t wc_json_hash(const cJSON *v);

/* Where validation is in the instance: a chain of stack frames, made a
 * JSON pointer string only when an error is reported. */
typedef struct wc_ipath {
  const struct wc_ipath *up;
  const char *key; /* member name, or NULL for an array index */
  size_t index;
} wc_ipath;

char *wc_schema_ipath_string(const wc_ipath *path); /* malloc'd; "" for the root */
/* "text" quoted, escaped, cut after 60 bytes with "..." */
void wc_schema_put_quoted(wc_buf *b, const char *s);
/* shortest text that reads back as d: 5, 0.1, 1e+308 */
void wc_schema_put_number(wc_buf *b, double d);
/* string "x", number 5, boolean true, null, an object, an array of 2 items */
void wc_schema_put_value(wc_buf *b, const cJSON *v, bool with_type);

/* FNV-1a over a key; the property tables use it. */
static inline uint32_t wc_key_hash(const char *s, size_t *len) {
  uint32_t h = 2166136261u;
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  for (; p[i]; i++) h = (h ^ p[i]) * 16777619u;
  *len = i;
  return h;
}

#endif
