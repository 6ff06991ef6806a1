/* Internals of the generator and the shrinker (harness/src/gen/). */
#ifndef WHOPCONF_GEN_INTERNAL_H
#define WHOPCONF_GEN_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "whopconf/gen.h"
#include "whopconf/schema.h"

/* JSON types a schema may allow, as a bit set. */
enum {
  GEN_T_STRING = 1 << 0,
  GEN_T_NUMBER = 1 << 1,
  GEN_T_INTEGER = 1 << 2,
  GEN_T_BOOLEAN = 1 << 3,
  GEN_T_NULL = 1 << 4,
  GEN_T_ARRAY = 1 << 5,
  GEN_T_OBJECT = 1 << 6,
  GEN_T_ANY = 0x7F
};

/* One member of the request body as the schema declares it, flattened:
 * parent is the index of the enclosing object member, or GEN_ROOT. */
#define GEN_ROOT ((size_t)-1)
#define GEN_MAX_MEMBERS 64

typedef struct gen_member {
  char *name;    /* the property name */
  char *pointer; /* instance pointer, "/profile_picture/id" */
  size_t parent;
  unsigned types; /* GEN_T_* allowed by the schema */
} gen_member;

/* A string value of the catalogue: text is the decoded value (NULL when no
 * C string can hold it, e.g. a NUL), json the literal to put in a body
 * (NULL = text quoted by gen_json_quote). in_header: usable as an HTTP
 * header value (no control characters). The query takes every text the
 * request builder accepts (gen_query_ok). */
typedef struct gen_string_class {
  const char *name;
  const char *text;
  const char *json;
  bool in_header;
} gen_string_class;

/* A value of another JSON type (wrong types, unknown members). */
typedef struct gen_value_class {
  const char *name; /* "number", "number-huge", ... */
  const char *json;
  unsigned type; /* GEN_T_* it is an instance of */
} gen_value_class;

/* A text the request builder sends as account_id (it refuses CR/LF). */
bool gen_query_ok(const gen_string_class *sc);
size_t gen_string_class_count(void);
const gen_string_class *gen_string_class_get(size_t index);
size_t gen_value_class_count(void);
const gen_value_class *gen_value_class_get(size_t index);

/* String lengths of the "length:N" classes, ascending, 2 and up. */
size_t gen_length_count(void);
size_t gen_length_get(size_t index);
#define GEN_PARAM_MAX_LEN 4096 /* header and query values: longer is a transport matter */

struct wc_gen {
  const wc_spec *spec;
  wc_gen_opts opts; /* max_body_bytes resolved */
  char **versions;  /* owned copies */
  size_t version_count;
  char **accounts;
  size_t account_count;
  char *media_type;
  wc_schema *body_schema;
  wc_schema *version_schema; /* NULL when the operation has no such header */
  wc_schema *account_schema; /* NULL when it has no such query parameter */
  gen_member members[GEN_MAX_MEMBERS];
  size_t member_count;
  struct gen_cov_item *coverage;
  size_t coverage_count;
};

struct wc_gen_request {
  char *body;
  size_t body_len;
  cJSON *json; /* the parsed body when strict, else NULL */
  char *api_version;
  char *account_id;
  char *content_type;
  bool positive;
  char *keyword;
  char *location;
  char *edge_class;
  char *target;
  char *description;
};

/* Classifies (fills json, positive, keyword, location, description) a
 * request whose body, parameters, edge class and target are set.
 * 0 or -1 (ENOMEM). */
int gen_classify(const wc_gen *gen, wc_gen_request *req);
/* A new request owning copies of its parts, classified. NULL on ENOMEM. */
wc_gen_request *gen_request_make(const wc_gen *gen, char *body_owned, size_t body_len,
                                 const char *api_version, const char *account_id,
                                 const char *edge_class, const char *target);

/* "\"...\"": escapes ", \ and C0 controls; other bytes verbatim. Malloc'd. */
char *gen_json_quote(const char *text, size_t len);
/* A string of n copies of the one-byte c. Malloc'd. */
char *gen_repeat(char c, size_t n);
/* Length of the UTF-8 sequence at s (1-4), 0 when invalid. */
size_t gen_utf8_seq(const unsigned char *s, size_t len);
bool gen_utf8_valid(const char *s, size_t len);

/* A body built from a template tree whose leaves are raw JSON (cJSON_Raw).
 * Malloc'd, NULL on ENOMEM; *len set. */
char *gen_print(const cJSON *tree, size_t *len);
/* A positive value for a member (by its types), as a raw cJSON leaf or an
 * object holding its children's positive values. */
cJSON *gen_positive_value(const wc_gen *gen, size_t member, const char *text);
/* The body {member: raw json} with every ancestor object of member. */
cJSON *gen_body_with(const wc_gen *gen, size_t member, const char *raw_json);
/* The object holding member inside body, created (with its ancestors)
 * when absent. NULL on ENOMEM. */
cJSON *gen_parent_object(const wc_gen *gen, cJSON *body, size_t member);
/* Adds (ancestors created as needed) a raw value at member into body. */
int gen_body_put(const wc_gen *gen, cJSON *body, size_t member, const char *raw_json);

/* The coverage list (gen_coverage.c). */
int gen_coverage_plan(wc_gen *gen);
void gen_coverage_free(wc_gen *gen);

/* splitmix64 over (seed, index, stream): a pure function. */
uint64_t gen_mix(uint64_t seed, uint64_t index, uint64_t stream);
typedef struct gen_rng {
  uint64_t state;
} gen_rng;
void gen_rng_init(gen_rng *rng, uint64_t seed, uint64_t index);
uint64_t gen_rng_next(gen_rng *rng);
size_t gen_rng_below(gen_rng *rng, size_t n); /* 0 when n == 0 */

#endif
