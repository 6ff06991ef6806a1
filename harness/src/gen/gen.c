/* The generator: reads the operation from the contract (request-body
 * schema, parameters, media type), owns the compiled validators, and
 * classifies every request it hands out by running them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gen_internal.h"
#include "whopconf/json_strict.h"
#include "whopconf/versions.h"

void wc_gen_opts_default(wc_gen_opts *opts) {
  memset(opts, 0, sizeof *opts);
  opts->max_body_bytes = WC_GEN_DEFAULT_MAX_BODY;
}

static unsigned type_bit(const char *name) {
  static const struct {
    const char *name;
    unsigned bit;
  } names[] = {{"string", GEN_T_STRING}, {"number", GEN_T_NUMBER | GEN_T_INTEGER},
               {"integer", GEN_T_INTEGER}, {"boolean", GEN_T_BOOLEAN},
               {"null", GEN_T_NULL},       {"array", GEN_T_ARRAY},
               {"object", GEN_T_OBJECT}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(names[i].name, name) == 0) return names[i].bit;
  return 0;
}

/* The JSON types a schema node allows ("type" as a string or a list; no
 * "type" = anything, or an object when it lists properties). */
static unsigned schema_types(const cJSON *schema) {
  const cJSON *type = cJSON_GetObjectItemCaseSensitive(schema, "type");
  if (cJSON_IsString(type)) return type_bit(type->valuestring);
  if (cJSON_IsArray(type)) {
    unsigned bits = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, type) if (cJSON_IsString(t)) bits |= type_bit(t->valuestring);
    return bits ? bits : GEN_T_ANY;
  }
  return cJSON_GetObjectItemCaseSensitive(schema, "properties") ? GEN_T_OBJECT : GEN_T_ANY;
}

#define GEN_MAX_SCHEMA_DEPTH 4

/* Flattens the properties of the object schema at schema_ptr (instance
 * pointer inst) into gen->members, depth-first, in the spec's order. */
static int walk_properties(wc_gen *gen, const char *schema_ptr, const char *inst, size_t parent,
                           int depth, wc_err *err) {
  if (depth > GEN_MAX_SCHEMA_DEPTH) return 0;
  char *props_ptr = wc_pointer_append(schema_ptr, "properties");
  const cJSON *props = props_ptr ? wc_spec_get(gen->spec, props_ptr, NULL) : NULL;
  const cJSON *prop;
  const cJSON *object = cJSON_IsObject(props) ? props : NULL;
  int rc = props_ptr ? 0 : -1;
  cJSON_ArrayForEach(prop, object) {
    if (rc != 0 || gen->member_count == GEN_MAX_MEMBERS) break;
    char *child_schema = wc_pointer_append(props_ptr, prop->string);
    char *child_inst = wc_pointer_append(inst, prop->string);
    char *name = wc_strdup(prop->string);
    const cJSON *node = child_schema ? wc_spec_get(gen->spec, child_schema, NULL) : NULL;
    if (!child_schema || !child_inst || !name) {
      free(child_schema), free(child_inst), free(name);
      rc = -1;
      break;
    }
    size_t self = gen->member_count++;
    gen->members[self] = (gen_member){name, child_inst, parent, node ? schema_types(node) : GEN_T_ANY};
    if (gen->members[self].types & GEN_T_OBJECT)
      rc = walk_properties(gen, child_schema, child_inst, self, depth + 1, err);
    free(child_schema);
  }
  free(props_ptr);
  if (rc != 0) wc_err_set(err, WC_E_NOMEM, "out of memory");
  return rc;
}

/* The documented media type of the request body: application/json when
 * listed, else the first JSON one ("+json"). */
static char *body_media_type(const wc_gen *gen, const char *op_ptr, wc_err *err) {
  char *ptr = wc_pointer_append(op_ptr, "requestBody");
  const cJSON *rb = ptr ? wc_spec_get(gen->spec, ptr, NULL) : NULL;
  free(ptr);
  const cJSON *content = cJSON_GetObjectItemCaseSensitive(rb, "content");
  const cJSON *types = cJSON_IsObject(content) ? content : NULL;
  const cJSON *mt;
  const char *found = NULL;
  cJSON_ArrayForEach(mt, types) {
    if (strcasecmp(mt->string, "application/json") == 0) {
      found = mt->string;
      break;
    }
    if (!found && strstr(mt->string, "json")) found = mt->string;
  }
  if (!found) {
    wc_err_set(err, WC_E_SPEC, "%s %s documents no JSON request body", gen->opts.method, gen->opts.path);
    return NULL;
  }
  char *copy = wc_strdup(found);
  if (!copy) wc_err_set(err, WC_E_NOMEM, "out of memory");
  return copy;
}

/* Compiles a parameter's schema on its own (parameter schemas are small
 * and self-contained in the contract). */
static int compile_parameters(wc_gen *gen, wc_err *err) {
  cJSON *params = wc_spec_parameters(gen->spec, gen->opts.method, gen->opts.path, err);
  if (!params) return -1;
  const cJSON *p;
  int rc = 0;
  cJSON_ArrayForEach(p, params) {
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(p, "name");
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(p, "in");
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(p, "schema");
    if (!cJSON_IsString(name) || !cJSON_IsString(in) || !cJSON_IsObject(schema)) continue;
    wc_schema **slot = NULL;
    if (strcmp(in->valuestring, "header") == 0 && strcasecmp(name->valuestring, "Api-Version-Date") == 0)
      slot = &gen->version_schema;
    else if (strcmp(in->valuestring, "query") == 0 && strcmp(name->valuestring, "account_id") == 0)
      slot = &gen->account_schema;
    if (!slot || *slot) continue;
    if (!(*slot = wc_schema_compile(schema, "#", NULL, err))) {
      rc = -1;
      break;
    }
  }
  cJSON_Delete(params);
  return rc;
}

static char **copy_list(const char *const *items, size_t n) {
  char **out = calloc(n ? n : 1, sizeof *out);
  for (size_t i = 0; out && i < n; i++)
    if (!(out[i] = wc_strdup(items[i]))) {
      while (i > 0) free(out[--i]);
      free(out);
      return NULL;
    }
  return out;
}

static int copy_options(wc_gen *gen, const wc_gen_opts *opts) {
  if (opts) gen->opts = *opts;
  else wc_gen_opts_default(&gen->opts);
  if (!gen->opts.max_body_bytes) gen->opts.max_body_bytes = WC_GEN_DEFAULT_MAX_BODY;
  if (!gen->opts.method) gen->opts.method = "PATCH";
  if (!gen->opts.path) gen->opts.path = "/users/me";
  size_t nv = gen->opts.known_versions ? gen->opts.known_version_count : 0;
  const char *const *versions =
      gen->opts.known_versions ? gen->opts.known_versions : wc_versions_or_default(NULL, &nv);
  gen->versions = copy_list(versions, nv);
  gen->version_count = nv;
  gen->accounts = copy_list(gen->opts.account_ids, gen->opts.account_ids ? gen->opts.account_id_count : 0);
  gen->account_count = gen->opts.account_ids ? gen->opts.account_id_count : 0;
  /* The caller's arrays are not kept. */
  gen->opts.known_versions = NULL;
  gen->opts.account_ids = NULL;
  return gen->versions && gen->accounts ? 0 : -1;
}

wc_gen *wc_gen_new(const wc_spec *spec, const wc_gen_opts *opts, wc_err *err) {
  wc_gen *gen = calloc(1, sizeof *gen);
  if (!gen || copy_options(gen, opts) != 0) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    wc_gen_free(gen);
    return NULL;
  }
  gen->spec = spec;
  char *op = wc_spec_operation_pointer(spec, gen->opts.method, gen->opts.path, err);
  char *body_ptr = NULL;
  int ok = op && (gen->media_type = body_media_type(gen, op, err)) &&
           (body_ptr = wc_spec_request_schema_pointer(spec, gen->opts.method, gen->opts.path,
                                                      gen->media_type, err)) &&
           (gen->body_schema = wc_schema_compile(wc_spec_document(spec), body_ptr, NULL, err)) &&
           walk_properties(gen, body_ptr, "", GEN_ROOT, 0, err) == 0 && compile_parameters(gen, err) == 0;
  if (ok && gen_coverage_plan(gen) != 0) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    ok = 0;
  }
  free(op);
  free(body_ptr);
  if (!ok) {
    wc_gen_free(gen);
    return NULL;
  }
  return gen;
}

void wc_gen_free(wc_gen *gen) {
  if (!gen) return;
  for (size_t i = 0; gen->versions && i < gen->version_count; i++) free(gen->versions[i]);
  for (size_t i = 0; gen->accounts && i < gen->account_count; i++) free(gen->accounts[i]);
  free(gen->versions);
  free(gen->accounts);
  free(gen->media_type);
  wc_schema_free(gen->body_schema);
  wc_schema_free(gen->version_schema);
  wc_schema_free(gen->account_schema);
  for (size_t i = 0; i < gen->member_count; i++) {
    free(gen->members[i].name);
    free(gen->members[i].pointer);
  }
  gen_coverage_free(gen);
  free(gen);
}

/* ---- classification --------------------------------------------------- */

typedef struct verdict {
  const char *keyword; /* NULL = positive so far */
  const char *location;
} verdict;

static int set_negative(wc_gen_request *req, const char *keyword, const char *location) {
  req->positive = false;
  req->keyword = wc_strdup(keyword);
  req->location = wc_strdup(location ? location : "");
  return req->keyword && req->location ? 0 : -1;
}

/* A parameter value: valid UTF-8, then its schema. Returns the keyword
 * broken, or NULL. known (may be NULL): the only values accepted. */
static const char *judge_parameter(const wc_schema *schema, const char *value, char *const *known,
                                   size_t known_count, wc_findings *scratch, int *nomem) {
  if (!gen_utf8_valid(value, strlen(value))) return WC_JSON_DEFECT_UTF8;
  if (schema) {
    cJSON *inst = cJSON_CreateString(value);
    if (!inst) {
      *nomem = 1;
      return NULL;
    }
    wc_findings_clear(scratch);
    bool valid = wc_schema_validate(schema, inst, scratch);
    cJSON_Delete(inst);
    if (!valid) {
      const wc_finding *f = wc_findings_get(scratch, 0);
      return f && f->keyword ? f->keyword : "schema";
    }
  }
  if (!known) return NULL;
  for (size_t i = 0; i < known_count; i++)
    if (strcmp(known[i], value) == 0) return NULL;
  return "enum";
}

/* The body: the strict JSON pass, then the request-body schema. The first
 * finding names the keyword and where. */
static int judge_body(const wc_gen *gen, wc_gen_request *req, wc_findings *scratch) {
  wc_err perr;
  wc_findings_clear(scratch);
  cJSON *tree = wc_json_parse(req->body, req->body_len, NULL, scratch, &perr);
  if (wc_findings_count(scratch) > 0 || !tree) {
    cJSON_Delete(tree);
    if (!tree && perr.code == WC_E_NOMEM) return -1;
    const wc_finding *f = wc_findings_get(scratch, 0);
    return set_negative(req, f ? f->keyword : WC_JSON_DEFECT_SYNTAX, f ? f->instance_pointer : "");
  }
  req->json = tree;
  if (wc_schema_validate(gen->body_schema, tree, scratch)) return 0;
  const wc_finding *f = wc_findings_get(scratch, 0);
  return set_negative(req, f && f->keyword ? f->keyword : "schema", f ? f->instance_pointer : "");
}

/* "positive <edge> at <target>" or "negative <keyword> at <location>:
 * <edge>", joined rather than formatted (one per generated request). */
static int describe(wc_gen_request *req) {
  const char *parts[6];
  size_t n = 0;
  if (req->positive) {
    parts[n++] = "positive ", parts[n++] = req->edge_class, parts[n++] = " at ";
    parts[n++] = *req->target ? req->target : "body";
  } else {
    parts[n++] = "negative ", parts[n++] = req->keyword, parts[n++] = " at ";
    parts[n++] = *req->location ? req->location : "body root", parts[n++] = ": ";
    parts[n++] = req->edge_class;
  }
  wc_buf b;
  wc_buf_init(&b);
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < n; i++) rc = wc_buf_puts(&b, parts[i]);
  req->description = rc == 0 ? wc_buf_steal(&b) : NULL;
  wc_buf_free(&b);
  return req->description ? 0 : -1;
}

static char *trim_ows(const char *v) {
  size_t len = strlen(v);
  while (len && (v[len - 1] == ' ' || v[len - 1] == '\t')) len--;
  while (len && (*v == ' ' || *v == '\t')) v++, len--;
  return wc_strndup(v, len);
}

/* Order of judgement: header, query, body (the order a server decides in).
 * The body is parsed even when a parameter fails: callers read the tree. */
int gen_classify(const wc_gen *gen, wc_gen_request *req) {
  wc_findings *scratch = wc_findings_new();
  if (!scratch) return -1;
  req->positive = true;
  int nomem = 0;
  const char *kw = NULL, *where = NULL;
  /* A header's value is what is left after the optional whitespace around
   * it (RFC 9110 5.5): " 2026-07-01" is that version. */
  char *version = req->api_version ? trim_ows(req->api_version) : NULL;
  if (req->api_version && !version) nomem = 1;
  else if (version && (kw = judge_parameter(gen->version_schema, version, gen->versions, gen->version_count,
                                            scratch, &nomem)))
    where = WC_GEN_LOC_HEADER_VERSION;
  else if (!nomem && req->account_id &&
           (kw = judge_parameter(gen->account_schema, req->account_id, NULL, 0, scratch, &nomem)))
    where = WC_GEN_LOC_QUERY_ACCOUNT;
  char *param_kw = kw ? wc_strdup(kw) : NULL; /* kw may live in scratch */
  int rc = nomem || (kw && !param_kw) ? -1 : judge_body(gen, req, scratch);
  if (rc == 0 && param_kw) {
    free(req->keyword), free(req->location);
    req->keyword = req->location = NULL;
    rc = set_negative(req, param_kw, where);
  }
  free(param_kw);
  free(version);
  wc_findings_free(scratch);
  return rc == 0 ? describe(req) : -1;
}

/* ---- requests --------------------------------------------------------- */

static char *dup_or_null(const char *s, bool *fail) {
  if (!s) return NULL;
  char *c = wc_strdup(s);
  if (!c) *fail = true;
  return c;
}

wc_gen_request *gen_request_make(const wc_gen *gen, char *body_owned, size_t body_len,
                                 const char *api_version, const char *account_id,
                                 const char *edge_class, const char *target) {
  wc_gen_request *req = calloc(1, sizeof *req);
  if (!req || !body_owned) {
    free(body_owned);
    free(req);
    return NULL;
  }
  bool fail = false;
  req->body = body_owned;
  req->body_len = body_len;
  req->api_version = dup_or_null(api_version, &fail);
  req->account_id = dup_or_null(account_id, &fail);
  req->content_type = dup_or_null(gen->media_type, &fail);
  req->edge_class = dup_or_null(edge_class ? edge_class : "given", &fail);
  req->target = dup_or_null(target ? target : "", &fail);
  if (fail || gen_classify(gen, req) != 0) {
    wc_gen_request_free(req);
    return NULL;
  }
  return req;
}

wc_gen_request *wc_gen_classify(const wc_gen *gen, const char *body, size_t len, const char *api_version,
                                const char *account_id, const char *edge_class, wc_err *err) {
  char *copy = malloc(len + 1);
  if (copy) {
    if (len) memcpy(copy, body, len);
    copy[len] = '\0';
  }
  wc_gen_request *req = gen_request_make(gen, copy, len, api_version, account_id, edge_class, "");
  if (!req) wc_err_set(err, WC_E_NOMEM, "out of memory");
  return req;
}

void wc_gen_request_free(wc_gen_request *req) {
  if (!req) return;
  free(req->body);
  cJSON_Delete(req->json);
  free(req->api_version);
  free(req->account_id);
  free(req->content_type);
  free(req->keyword);
  free(req->location);
  free(req->edge_class);
  free(req->target);
  free(req->description);
  free(req);
}

wc_gen_request *wc_gen_request_copy(const wc_gen_request *req) {
  wc_gen_request *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  bool fail = false;
  c->body = malloc(req->body_len + 1);
  if (c->body) memcpy(c->body, req->body, req->body_len + 1);
  c->body_len = req->body_len;
  c->json = req->json ? cJSON_Duplicate(req->json, 1) : NULL;
  c->api_version = dup_or_null(req->api_version, &fail);
  c->account_id = dup_or_null(req->account_id, &fail);
  c->content_type = dup_or_null(req->content_type, &fail);
  c->positive = req->positive;
  c->keyword = dup_or_null(req->keyword, &fail);
  c->location = dup_or_null(req->location, &fail);
  c->edge_class = dup_or_null(req->edge_class, &fail);
  c->target = dup_or_null(req->target, &fail);
  c->description = dup_or_null(req->description, &fail);
  if (fail || !c->body || (req->json && !c->json)) {
    wc_gen_request_free(c);
    return NULL;
  }
  return c;
}

const char *wc_gen_request_body(const wc_gen_request *req, size_t *len) {
  if (len) *len = req->body_len;
  return req->body;
}
const cJSON *wc_gen_request_json(const wc_gen_request *req) { return req->json; }
const char *wc_gen_request_api_version(const wc_gen_request *req) { return req->api_version; }
const char *wc_gen_request_account_id(const wc_gen_request *req) { return req->account_id; }
const char *wc_gen_request_content_type(const wc_gen_request *req) { return req->content_type; }
bool wc_gen_request_positive(const wc_gen_request *req) { return req->positive; }
const char *wc_gen_request_keyword(const wc_gen_request *req) { return req->keyword; }
const char *wc_gen_request_location(const wc_gen_request *req) { return req->location; }
const char *wc_gen_request_edge_class(const wc_gen_request *req) { return req->edge_class; }
const char *wc_gen_request_target(const wc_gen_request *req) { return req->target; }
const char *wc_gen_request_description(const wc_gen_request *req) { return req->description; }

size_t wc_gen_request_size(const wc_gen_request *req) {
  return req->body_len + (req->api_version ? strlen(req->api_version) : 0) +
         (req->account_id ? strlen(req->account_id) : 0);
}

void wc_gen_request_to_desc(const wc_gen_request *req, wc_request_desc *desc) {
  desc->raw_body = req->body;
  desc->raw_body_len = req->body_len;
  desc->omit_body = false;
  desc->content_type = req->content_type;
  desc->api_version = req->api_version;
  desc->account_id = req->account_id;
}
