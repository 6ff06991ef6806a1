/* Private to the schema compiler (schema.c and schema_ref.c): the compile
 * context and what the $ref resolver needs from the compiler. */
#ifndef WHOPCONF_SCHEMA_COMPILE_H
#define WHOPCONF_SCHEMA_COMPILE_H

#include "schema_internal.h"

#define MAX_SCHEMA_NESTING 256
#define MAX_REF_HOPS 64

typedef struct pending {
  const cJSON *json;
  wc_snode *node;
  bool in_resource;
} pending;

typedef struct compiler {
  wc_schema *s;
  const cJSON *doc;   /* the whole document refs resolve against */
  const cJSON *entry; /* the schema asked for */
  wc_err *err;
  bool failed;
  /* cJSON node -> wc_snode, open addressing */
  const cJSON **map_keys;
  wc_snode **map_vals;
  size_t map_cap, map_n;
  pending *work;
  size_t nwork, work_cap;
  char shown[320]; /* what is being resolved, for messages: $ref "#/a/b" */
} compiler;

/* schema.c */
void wc_sc_fail(compiler *cc, const char *ptr, const char *fmt, ...) WC_PRINTF(3, 4);
void wc_sc_oom(compiler *cc);
char *wc_sc_strndup(wc_schema *s, const char *str, size_t n);
/* A new node for json, registered so that later references find it. */
wc_snode *wc_sc_new_node(compiler *cc, const cJSON *json, const char *ptr);
wc_snode *wc_sc_map_get(const compiler *cc, const cJSON *key);
const cJSON *wc_sc_member(const cJSON *obj, const char *name);
const char *wc_sc_str_member(const cJSON *obj, const char *name);

/* schema_ref.c */
/* Resolves a decoded JSON pointer ("/a/b" or "") in the document; where is
 * the pointer of the keyword that asks (for messages, may be NULL). */
const cJSON *wc_sc_resolve_pointer(compiler *cc, const char *where, const char *pointer, char **canonical,
                                   bool *in_resource);
/* The node a $ref designates, created (and queued for compilation) when it
 * is met for the first time. */
wc_snode *wc_sc_ref_target(compiler *cc, const char *where, const char *ref);

#endif
