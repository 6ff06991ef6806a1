/* whopconf: the request generator and the shrinker for PATCH /users/me.
 *
 * The generator walks the operation of the contract (request-body schema,
 * parameters, media type) and produces requests, each classified as
 * positive (valid by the contract) or negative by running the compiled
 * validator on what was generated -- never by assumption:
 *   body:   the strict JSON pass (duplicate keys, invalid UTF-8, lone
 *           surrogates, ...) then the request-body schema;
 *   header: Api-Version-Date is positive when absent or one of the known
 *           versions; a value failing the parameter schema (format: date) is
 *           negative with that keyword, a well-formed unknown date is
 *           negative with keyword "enum" (the contract: 400);
 *   query:  account_id is judged by its parameter schema.
 *
 * Two streams:
 *   coverage  a deterministic list (same spec and options => same requests in
 *             the same order): every edge class on every string member and
 *             parameter, every wrong type on every member, every subset of
 *             each nested object's properties plus unknown ones, pairwise
 *             combinations of top-level members, non-object bodies,
 *             duplicate keys, bounded deep nesting;
 *   random    wc_gen_random(gen, seed, index) is a pure function of
 *             (seed, index): shards and workers split the stream by index.
 *
 * A wc_gen is immutable after wc_gen_new: every function taking a
 * const wc_gen * may be called from several threads at once.
 * See docs/generator.md. */
#ifndef WHOPCONF_GEN_H
#define WHOPCONF_GEN_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "whopconf/common.h"
#include "whopconf/request.h"
#include "whopconf/spec.h"

#define WC_GEN_DEFAULT_MAX_BODY ((size_t)1 << 20) /* 1 MiB */
#define WC_GEN_DEFAULT_SHRINK_BUDGET 100

/* Locations of the parameters, as wc_gen_request_location() names them. */
#define WC_GEN_LOC_HEADER_VERSION "header:Api-Version-Date"
#define WC_GEN_LOC_QUERY_ACCOUNT "query:account_id"

typedef struct wc_gen_opts {
  size_t max_body_bytes; /* cap on generated body size; 0 = WC_GEN_DEFAULT_MAX_BODY */
  /* Api-Version-Date values that are positive; NULL = the public list (versions.h). */
  const char *const *known_versions;
  size_t known_version_count;
  /* Values for account_id in positive requests besides "absent";
   * NULL/0 = only absent (edge values are still generated). */
  const char *const *account_ids;
  size_t account_id_count;
  const char *method; /* NULL = "PATCH" */
  const char *path;   /* NULL = "/users/me" */
} wc_gen_opts;

void wc_gen_opts_default(wc_gen_opts *opts);

typedef struct wc_gen wc_gen;

/* Fails (NULL, err set: WC_E_SPEC / WC_E_SCHEMA) when the spec lacks the
 * operation or its JSON request body, or a schema does not compile. The
 * spec must outlive the generator; opts (may be NULL) is copied. */
wc_gen *wc_gen_new(const wc_spec *spec, const wc_gen_opts *opts, wc_err *err);
void wc_gen_free(wc_gen *gen);

/* ---- a generated request ---------------------------------------------- */

typedef struct wc_gen_request wc_gen_request;

void wc_gen_request_free(wc_gen_request *req);
wc_gen_request *wc_gen_request_copy(const wc_gen_request *req); /* NULL on ENOMEM */

/* Raw body bytes (not NUL-safe: use *len), never NULL (an empty body is ""). */
const char *wc_gen_request_body(const wc_gen_request *req, size_t *len);
/* The body as a tree when it is strict JSON (cJSON represents it
 * faithfully), else NULL (duplicate keys, invalid UTF-8, not JSON, ...). */
const cJSON *wc_gen_request_json(const wc_gen_request *req);
const char *wc_gen_request_api_version(const wc_gen_request *req); /* NULL = absent */
const char *wc_gen_request_account_id(const wc_gen_request *req);  /* NULL = absent */
const char *wc_gen_request_content_type(const wc_gen_request *req); /* the spec's media type */
bool wc_gen_request_positive(const wc_gen_request *req);
/* Negative requests: the keyword broken ("type", "duplicate-key",
 * "invalid-utf8", "format", "enum", ...) and where: an RFC 6901 instance
 * pointer into the body ("" = the root), WC_GEN_LOC_HEADER_VERSION or
 * WC_GEN_LOC_QUERY_ACCOUNT. NULL for positive requests. */
const char *wc_gen_request_keyword(const wc_gen_request *req);
const char *wc_gen_request_location(const wc_gen_request *req);
/* The edge class exercised ("zero-width", "nfd", "lone-surrogate",
 * "wrong-type:number", "length:1024", "subset", "pair", ...), never NULL. */
const char *wc_gen_request_edge_class(const wc_gen_request *req);
/* Where the edge class was applied: a body pointer ("/name"), a parameter
 * location, or "" for the whole body. Never NULL. */
const char *wc_gen_request_target(const wc_gen_request *req);
/* One line: "negative type at /bio: wrong-type:number", never NULL. */
const char *wc_gen_request_description(const wc_gen_request *req);
/* Size used by the shrinker's "never larger": body bytes plus the bytes of
 * the header and query values present. */
size_t wc_gen_request_size(const wc_gen_request *req);

/* Fills the body, content type, Api-Version-Date and account_id of desc
 * (everything else is left as it was: base_url, token, ...). The pointers
 * borrow from req. The body always goes as raw_body so that bytes no JSON
 * tree can hold travel unchanged; wc_request_build percent-encodes the query
 * and refuses CR/LF/NUL in headers (the generator never makes such a header
 * value). */
void wc_gen_request_to_desc(const wc_gen_request *req, wc_request_desc *desc);

/* Classifies a request built elsewhere (a replayed finding, a fuzzer input):
 * body bytes (len may be 0), api_version / account_id NULL = absent.
 * edge_class NULL = "given". NULL only on ENOMEM (err set). */
wc_gen_request *wc_gen_classify(const wc_gen *gen, const char *body, size_t len,
                                const char *api_version, const char *account_id,
                                const char *edge_class, wc_err *err);

/* ---- the streams ------------------------------------------------------ */

/* Length of the coverage list (a few hundred for the contract). */
size_t wc_gen_coverage_count(const wc_gen *gen);
/* The index-th request of the coverage list (index < count), NULL on
 * ENOMEM or a bad index (err set). */
wc_gen_request *wc_gen_coverage(const wc_gen *gen, size_t index, wc_err *err);

/* A seeded random request, positive or negative (about half each):
 * a pure function of (seed, index). */
wc_gen_request *wc_gen_random(const wc_gen *gen, uint64_t seed, uint64_t index, wc_err *err);
/* A seeded random positive update body (for the stateful phase): always
 * positive, a JSON object setting at least one documented member, no
 * Api-Version-Date / account_id (the caller sets those). Pure in (seed, index). */
wc_gen_request *wc_gen_random_positive(const wc_gen *gen, uint64_t seed, uint64_t index,
                                       wc_err *err);

/* ---- shrinking -------------------------------------------------------- */

/* True when the candidate still fails the same way (same requirement,
 * same status class, ...). Called with candidates of the same
 * classification (positive/negative) as the input only. */
typedef bool (*wc_gen_still_fails)(void *ctx, const wc_gen_request *candidate);

typedef struct wc_shrink_result {
  wc_gen_request *minimal; /* owned by the caller; the input's copy when
                              nothing smaller fails */
  size_t steps;            /* candidates accepted (each one smaller) */
  size_t calls;            /* predicate calls made (<= budget) */
  bool budget_exhausted;   /* stopped by the budget, not by a fixpoint */
} wc_shrink_result;

/* Structure-aware delta debugging: empty or halve objects and arrays, drop
 * members and elements, numbers to 0 / 1 / fewer digits, shorten strings
 * (binary search on the length in code points, then from the front),
 * replace code points by 'a' / '0'; the names of members the schema does
 * not declare shrink like strings (declared names never change); on the
 * header and query values the same string steps and "absent". Raw
 * (non-JSON) bodies shrink by removing byte ranges. Every candidate is
 * re-classified and skipped unless its positive/negative verdict equals
 * the input's; it is then kept only if still_fails says so. The result is never larger
 * (wc_gen_request_size) than the input. budget 0 = the default (100).
 * Returns 0, or -1 on ENOMEM (err set, out->minimal NULL). */
int wc_gen_shrink(const wc_gen *gen, const wc_gen_request *failing, wc_gen_still_fails still_fails,
                  void *ctx, size_t budget, wc_shrink_result *out, wc_err *err);

#endif
