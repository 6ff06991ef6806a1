/* The contract as data: loading (see spec_yaml.c), JSON Pointer look-ups
 * with local $ref resolution, and the OpenAPI queries the harness needs
 * (operation, parameters, request and response schemas). */
#include "whopconf/spec.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spec_internal.h"

extern const unsigned char wc_embedded_spec[];
extern const size_t wc_embedded_spec_len;

#define EMBEDDED_NAME "spec/openapi.yml (embedded)"
/* Nested $ref resolutions before giving up (cycles are caught earlier). */
#define MAX_REF_CHAIN 64

struct wc_spec {
  char *name;
  char *source;
  size_t source_len;
  char sha256[65];
  cJSON *doc;
  wc_yaml_lines *lines;
};

wc_spec *wc_spec_load_buffer(const char *data, size_t len, const char *name, wc_err *err) {
  return wc_spec_load_buffer_limited(data, len, name, NULL, err);
}

wc_spec *wc_spec_load_buffer_limited(const char *data, size_t len, const char *name,
                                     const wc_spec_limits *limits, wc_err *err) {
  wc_err_clear(err);
  if (!name) name = "<spec>";
  wc_spec *spec = calloc(1, sizeof *spec);
  if (!spec || !(spec->name = wc_strdup(name)) || !(spec->source = wc_strndup(data ? data : "", len))) {
    wc_err_set(err, WC_E_NOMEM, "%s: out of memory", name);
    wc_spec_free(spec);
    return NULL;
  }
  spec->source_len = len;
  wc_sha256_hex(spec->source, len, spec->sha256);
  spec->doc = wc_yaml_load(spec->source, len, name, limits, &spec->lines, err);
  if (!spec->doc) {
    wc_spec_free(spec);
    return NULL;
  }
  if (!cJSON_IsObject(spec->doc)) {
    wc_err_set(err, WC_E_SPEC, "%s:1:1: the document is not a mapping (an OpenAPI description is one)", name);
    wc_spec_free(spec);
    return NULL;
  }
  return spec;
}

wc_spec *wc_spec_load_file(const char *path, wc_err *err) {
  size_t len = 0;
  wc_err_clear(err);
  char *data = wc_read_file(path, WC_YAML_MAX_BYTES, &len, err);
  if (!data) return NULL;
  wc_spec *spec = wc_spec_load_buffer(data, len, path, err);
  free(data);
  return spec;
}

wc_spec *wc_spec_load_embedded(wc_err *err) {
  return wc_spec_load_buffer((const char *)wc_embedded_spec, wc_embedded_spec_len, EMBEDDED_NAME, err);
}

void wc_spec_free(wc_spec *spec) {
  if (!spec) return;
  cJSON_Delete(spec->doc);
  wc_yaml_lines_free(spec->lines);
  free(spec->source);
  free(spec->name);
  free(spec);
}

const cJSON *wc_spec_document(const wc_spec *spec) { return spec ? spec->doc : NULL; }
const char *wc_spec_name(const wc_spec *spec) { return spec ? spec->name : NULL; }
const char *wc_spec_sha256(const wc_spec *spec) { return spec ? spec->sha256 : NULL; }

const char *wc_spec_source(const wc_spec *spec, size_t *len) {
  if (len) *len = spec ? spec->source_len : 0;
  return spec ? spec->source : NULL;
}

/* ---- JSON Pointer walking with $ref following ---- */

typedef struct ref_chain {
  const char *refs[MAX_REF_CHAIN];
  size_t n;
} ref_chain;

/* Decodes the token starting at *p (up to '/' or end) into out; advances *p.
 * decode_pct: %XX is decoded first, as in the URI fragment form (RFC 6901
 * section 6); a '%' not followed by two hex digits is kept as is. -1 on a
 * bad ~ escape. *had_pct (may be NULL) tells whether any %XX was seen. */
static int next_token(const char **p, bool decode_pct, wc_buf *out, bool *had_pct) {
  out->len = 0;
  if (out->data) out->data[0] = '\0';
  if (had_pct) *had_pct = false;
  const char *s = *p;
  while (*s && *s != '/') {
    char c = *s++;
    if (c == '%' && wc_hex_digit(s[0]) >= 0 && wc_hex_digit(s[1]) >= 0) {
      if (had_pct) *had_pct = true;
      if (decode_pct) {
        c = (char)(wc_hex_digit(s[0]) * 16 + wc_hex_digit(s[1]));
        s += 2;
      }
    }
    if (c == '~') {
      char e = *s;
      if (decode_pct && e == '%' && wc_hex_digit(s[1]) >= 0 && wc_hex_digit(s[2]) >= 0) {
        e = (char)(wc_hex_digit(s[1]) * 16 + wc_hex_digit(s[2]));
        s += 2;
      }
      if (e != '0' && e != '1') return -1;
      s++;
      c = e == '0' ? '~' : '/';
    }
    if (wc_buf_append(out, &c, 1) != 0) return -2;
  }
  if (wc_buf_append(out, "", 0) != 0) return -2;
  *p = s;
  return 0;
}

static bool parse_index(const char *tok, size_t *out) {
  if (!tok[0] || (tok[0] == '0' && tok[1])) return false;
  size_t v = 0;
  for (const char *c = tok; *c; c++) {
    if (!isdigit((unsigned char)*c) || v > ((size_t)-1 - 9) / 10) return false;
    v = v * 10 + (size_t)(*c - '0');
  }
  *out = v;
  return true;
}

static const cJSON *resolve(const wc_spec *spec, const char *pointer, bool follow, ref_chain *chain,
                            wc_buf *canon, wc_err *err);

/* If node is a Reference Object ({"$ref": "#..."}), the node it refers to,
 * itself fully resolved; canon is reset to the target's pointer. A "$ref"
 * whose value is not a string is an ordinary member (e.g. a property named
 * "$ref"), not a reference. */
static const cJSON *follow_ref(const wc_spec *spec, const cJSON *node, ref_chain *chain, wc_buf *canon,
                               wc_err *err) {
  const cJSON *ref = cJSON_IsObject(node) ? cJSON_GetObjectItemCaseSensitive(node, "$ref") : NULL;
  if (!cJSON_IsString(ref)) return node;
  const char *target = ref->valuestring;
  if (target[0] != '#') {
    wc_err_set(err, WC_E_SPEC, "non-local $ref '%.200s' (only '#...' references are supported)", target);
    return NULL;
  }
  for (size_t i = 0; i < chain->n; i++) {
    if (strcmp(chain->refs[i], target) != 0) continue;
    wc_buf msg;
    wc_buf_init(&msg);
    wc_buf_puts(&msg, "$ref cycle: ");
    for (size_t k = i; k < chain->n; k++) wc_buf_printf(&msg, "%s -> ", chain->refs[k]);
    wc_buf_puts(&msg, target);
    wc_err_set(err, WC_E_SPEC, "%.400s", msg.data ? msg.data : "$ref cycle");
    wc_buf_free(&msg);
    return NULL;
  }
  if (chain->n == MAX_REF_CHAIN) {
    wc_err_set(err, WC_E_SPEC, "$ref '%.200s': more than %d nested references", target, MAX_REF_CHAIN);
    return NULL;
  }
  chain->refs[chain->n++] = target;
  const cJSON *out = resolve(spec, target, true, chain, canon, err);
  chain->n--;
  return out;
}

static int canon_append(wc_buf *canon, const char *token) {
  if (!canon) return 0;
  char *p = wc_pointer_append("", token);
  int rc = p ? wc_buf_puts(canon, p) : -1;
  free(p);
  return rc;
}

/* Walks pointer from the document root. follow: follow $refs at every step
 * and on the final node; otherwise none at all (the node as written).
 * canon (may be NULL) receives the pointer of the node actually reached. */
static const cJSON *resolve(const wc_spec *spec, const char *pointer, bool follow, ref_chain *chain,
                            wc_buf *canon, wc_err *err) {
  if (!pointer) {
    wc_err_set(err, WC_E_USAGE, "no JSON pointer given");
    return NULL;
  }
  const char *p = pointer;
  bool fragment = false;
  if (*p == '#') fragment = true, p++;
  if (*p && *p != '/') {
    wc_err_set(err, WC_E_USAGE, "'%.200s' is not a JSON pointer (must start with '/' or '#/')", pointer);
    return NULL;
  }
  if (canon) {
    canon->len = 0;
    if (wc_buf_puts(canon, "#") != 0) goto nomem;
  }
  const cJSON *node = spec->doc;
  wc_buf tok;
  wc_buf_init(&tok);
  while (*p == '/') {
    p++;
    if (follow && !(node = follow_ref(spec, node, chain, canon, err))) goto fail;
    /* A member is looked up by its literal name first; in the fragment form
     * a name with %XX is then tried percent-decoded. So pointers built with
     * wc_pointer_append (which does not percent-encode) always work, and so
     * do percent-encoded fragments, unless a mapping holds both spellings. */
    const char *token_start = p;
    bool had_pct = false;
    int rc = next_token(&p, false, &tok, &had_pct);
    if (rc == -1 && fragment) {
      p = token_start;
      rc = next_token(&p, true, &tok, NULL);
      had_pct = false;
    }
    if (rc == -2) goto nomem_tok;
    if (rc == -1) {
      wc_err_set(err, WC_E_USAGE, "'%.200s': '~' must be followed by 0 or 1", pointer);
      goto fail;
    }
    const cJSON *child = NULL;
    size_t index;
    if (cJSON_IsObject(node)) {
      child = cJSON_GetObjectItemCaseSensitive(node, tok.data);
      if (!child && fragment && had_pct) {
        const char *again = token_start;
        if (next_token(&again, true, &tok, NULL) == -2) goto nomem_tok;
        child = cJSON_GetObjectItemCaseSensitive(node, tok.data);
      }
    } else if (cJSON_IsArray(node)) {
      if (fragment && had_pct) {
        const char *again = token_start;
        if (next_token(&again, true, &tok, NULL) == -2) goto nomem_tok;
      }
      if (parse_index(tok.data, &index) && index < (size_t)cJSON_GetArraySize(node))
        child = cJSON_GetArrayItem(node, (int)index);
    }
    if (!child) {
      wc_err_set(err, WC_E_SPEC, "'%.200s': no '%.100s' in %s", pointer, tok.data,
                 cJSON_IsObject(node)  ? "the mapping"
                 : cJSON_IsArray(node) ? "the sequence"
                                       : "a scalar");
      goto fail;
    }
    if (canon_append(canon, tok.data) != 0) goto nomem_tok;
    node = child;
  }
  wc_buf_free(&tok);
  if (follow) node = follow_ref(spec, node, chain, canon, err);
  return node;
nomem_tok:
  wc_buf_free(&tok);
nomem:
  wc_err_set(err, WC_E_NOMEM, "out of memory");
  return NULL;
fail:
  wc_buf_free(&tok);
  return NULL;
}

const cJSON *wc_spec_get(const wc_spec *spec, const char *pointer, wc_err *err) {
  wc_err_clear(err);
  if (!spec) return NULL;
  ref_chain chain = {.n = 0};
  return resolve(spec, pointer, true, &chain, NULL, err);
}

char *wc_spec_resolve_pointer(const wc_spec *spec, const char *pointer, wc_err *err) {
  wc_err_clear(err);
  if (!spec) return NULL;
  ref_chain chain = {.n = 0};
  wc_buf canon;
  wc_buf_init(&canon);
  if (!resolve(spec, pointer, true, &chain, &canon, err)) {
    wc_buf_free(&canon);
    return NULL;
  }
  return wc_buf_steal(&canon);
}

static int node_lines(const wc_spec *spec, const char *pointer, int *key_line, int *value_line) {
  if (!spec) return 0;
  const cJSON *node = resolve(spec, pointer, false, NULL, NULL, NULL);
  return node ? wc_yaml_lines_get(spec->lines, node, key_line, value_line) : 0;
}

int wc_spec_line(const wc_spec *spec, const char *pointer) {
  int key_line = 0, value_line = 0;
  if (!node_lines(spec, pointer, &key_line, &value_line)) return 0;
  return key_line ? key_line : value_line;
}

int wc_spec_value_line(const wc_spec *spec, const char *pointer) {
  int value_line = 0;
  return node_lines(spec, pointer, NULL, &value_line) ? value_line : 0;
}

/* ---- OpenAPI queries ---- */

static const char *const http_methods[] = {"get",     "put",  "post",  "delete",
                                           "options", "head", "patch", "trace"};

static bool lower_method(const char *method, char out[8]) {
  if (!method) return false;
  size_t n = strlen(method);
  if (n == 0 || n >= 8) return false;
  for (size_t i = 0; i <= n; i++) out[i] = (char)tolower((unsigned char)method[i]);
  for (size_t i = 0; i < sizeof http_methods / sizeof *http_methods; i++)
    if (!strcmp(out, http_methods[i])) return true;
  return false;
}

/* "/users/{id}" matches "/users/42": same segment count, a whole-segment
 * template matches any non-empty segment. */
static bool template_matches(const char *tmpl, const char *path) {
  while (*tmpl && *path) {
    if (*tmpl != '/' || *path != '/') return false;
    tmpl++, path++;
    const char *te = strchr(tmpl, '/'), *pe = strchr(path, '/');
    size_t tn = te ? (size_t)(te - tmpl) : strlen(tmpl);
    size_t pn = pe ? (size_t)(pe - path) : strlen(path);
    bool is_var = tn >= 2 && tmpl[0] == '{' && tmpl[tn - 1] == '}' && !memchr(tmpl + 1, '{', tn - 2);
    if (is_var ? pn == 0 : (tn != pn || memcmp(tmpl, path, tn) != 0)) return false;
    tmpl += tn, path += pn;
  }
  return *tmpl == '\0' && *path == '\0';
}

char *wc_spec_operation_pointer(const wc_spec *spec, const char *method, const char *path, wc_err *err) {
  wc_err_clear(err);
  char m[8];
  if (!spec || !lower_method(method, m)) {
    wc_err_set(err, WC_E_USAGE, "'%.40s' is not an HTTP method OpenAPI describes", method ? method : "");
    return NULL;
  }
  if (!path || path[0] != '/') {
    wc_err_set(err, WC_E_USAGE, "path '%.200s' must start with '/'", path ? path : "");
    return NULL;
  }
  const cJSON *paths = wc_spec_get(spec, "#/paths", err);
  if (!paths) return NULL;
  const char *key = NULL;
  const cJSON *item;
  cJSON_ArrayForEach(item, paths) {
    if (item->string && !strcmp(item->string, path)) {
      key = item->string;
      break;
    }
  }
  if (!key) {
    cJSON_ArrayForEach(item, paths) {
      if (item->string && template_matches(item->string, path)) {
        key = item->string;
        break;
      }
    }
  }
  char *path_ptr = key ? wc_pointer_append("#/paths", key) : NULL;
  char *op_ptr = path_ptr ? wc_pointer_append(path_ptr, m) : NULL;
  free(path_ptr);
  wc_err probe;
  if (!op_ptr || !cJSON_IsObject(wc_spec_get(spec, op_ptr, &probe))) {
    if (key && !op_ptr)
      wc_err_set(err, WC_E_NOMEM, "out of memory");
    else
      wc_err_set(err, WC_E_SPEC, "%s has no operation %s %.200s", spec->name, m, path);
    free(op_ptr);
    return NULL;
  }
  return op_ptr;
}

/* Resolves pointer (following $refs) and returns its canonical pointer, or
 * NULL; node_out gets the node. */
static char *resolved(const wc_spec *spec, const char *pointer, const cJSON **node_out, wc_err *err) {
  ref_chain chain = {.n = 0};
  wc_buf canon;
  wc_buf_init(&canon);
  const cJSON *node = resolve(spec, pointer, true, &chain, &canon, err);
  if (!node) {
    wc_buf_free(&canon);
    return NULL;
  }
  if (node_out) *node_out = node;
  return wc_buf_steal(&canon);
}

static bool same_parameter(const cJSON *a, const cJSON *b) {
  const cJSON *an = cJSON_GetObjectItemCaseSensitive(a, "name");
  const cJSON *ai = cJSON_GetObjectItemCaseSensitive(a, "in");
  const cJSON *bn = cJSON_GetObjectItemCaseSensitive(b, "name");
  const cJSON *bi = cJSON_GetObjectItemCaseSensitive(b, "in");
  if (strcmp(ai->valuestring, bi->valuestring) != 0) return false;
  /* Header names are case-insensitive in HTTP. */
  if (!strcmp(ai->valuestring, "header")) return !strcasecmp(an->valuestring, bn->valuestring);
  return !strcmp(an->valuestring, bn->valuestring);
}

/* Appends the resolved parameters of list_ptr (a "parameters" array, may be
 * absent) to out; skip_from: parameters overridden by entries of this array. */
static int collect_parameters(const wc_spec *spec, const char *list_ptr, cJSON *out,
                              const cJSON *override_list, wc_err *err) {
  wc_err probe;
  const cJSON *list = wc_spec_get(spec, list_ptr, &probe);
  if (!list) return 0;
  if (!cJSON_IsArray(list)) {
    wc_err_set(err, WC_E_SPEC, "%s is not a sequence", list_ptr);
    return -1;
  }
  for (int i = 0; i < cJSON_GetArraySize(list); i++) {
    char *item_ptr = wc_pointer_append_index(list_ptr, (size_t)i);
    const cJSON *param = item_ptr ? wc_spec_get(spec, item_ptr, err) : NULL;
    if (!item_ptr) wc_err_set(err, WC_E_NOMEM, "out of memory");
    if (!param) {
      free(item_ptr);
      return -1;
    }
    if (!cJSON_IsObject(param) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(param, "name")) ||
        !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(param, "in"))) {
      wc_err_set(err, WC_E_SPEC, "%s: a parameter needs string 'name' and 'in'", item_ptr);
      free(item_ptr);
      return -1;
    }
    free(item_ptr);
    bool overridden = false;
    for (int k = 0; override_list && k < cJSON_GetArraySize(override_list); k++) {
      const cJSON *o = cJSON_GetArrayItem(override_list, k);
      if (same_parameter(param, o)) overridden = true;
    }
    if (!overridden && !cJSON_AddItemReferenceToArray(out, (cJSON *)param)) {
      wc_err_set(err, WC_E_NOMEM, "out of memory");
      return -1;
    }
  }
  return 0;
}

cJSON *wc_spec_parameters(const wc_spec *spec, const char *method, const char *path, wc_err *err) {
  char *op = wc_spec_operation_pointer(spec, method, path, err);
  if (!op) return NULL;
  /* The path item is the operation pointer without its last token. */
  char *path_item = wc_strdup(op);
  char *op_params = wc_pointer_append(op, "parameters");
  cJSON *own = cJSON_CreateArray();
  cJSON *out = cJSON_CreateArray();
  char *item_params = NULL;
  if (path_item) {
    *strrchr(path_item, '/') = '\0';
    item_params = wc_pointer_append(path_item, "parameters");
  }
  if (!path_item || !op_params || !own || !out || !item_params) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    goto fail;
  }
  /* Operation-level first (they win), then path-level ones not overridden;
   * the result lists path-level parameters first, as a reader expects. */
  if (collect_parameters(spec, op_params, own, NULL, err) != 0) goto fail;
  if (collect_parameters(spec, item_params, out, own, err) != 0) goto fail;
  while (cJSON_GetArraySize(own) > 0) {
    cJSON *item = cJSON_DetachItemFromArray(own, 0);
    cJSON_AddItemToArray(out, item);
  }
  cJSON_Delete(own);
  free(op);
  free(path_item);
  free(op_params);
  free(item_params);
  return out;
fail:
  cJSON_Delete(own);
  cJSON_Delete(out);
  free(op);
  free(path_item);
  free(op_params);
  free(item_params);
  return NULL;
}

static size_t essence_len(const char *media) {
  size_t n = strcspn(media, ";");
  while (n > 0 && (media[n - 1] == ' ' || media[n - 1] == '\t')) n--;
  return n;
}

/* The media-type key of content matching media_type: exact (case-
 * insensitive), then on the essences without parameters, then "type/x" ->
 * "type/" "*", then "*" "/" "*". */
static const char *match_media(const cJSON *content, const char *media_type) {
  const cJSON *entry;
  cJSON_ArrayForEach(entry, content) if (!strcasecmp(entry->string, media_type)) return entry->string;
  size_t ess = essence_len(media_type);
  cJSON_ArrayForEach(entry, content) {
    if (essence_len(entry->string) == ess && !strncasecmp(entry->string, media_type, ess))
      return entry->string;
  }
  const char *slash = memchr(media_type, '/', ess);
  if (slash) {
    size_t tn = (size_t)(slash - media_type) + 1;
    cJSON_ArrayForEach(entry, content) {
      if (essence_len(entry->string) == tn + 1 && !strncasecmp(entry->string, media_type, tn) &&
          entry->string[tn] == '*')
        return entry->string;
    }
  }
  cJSON_ArrayForEach(entry, content) if (essence_len(entry->string) == 3 &&
                                         !strncmp(entry->string, "*/*", 3)) return entry->string;
  return NULL;
}

/* Given the pointer of a Response or Request Body object, the pointer of
 * the schema for media_type. */
static char *content_schema_pointer(const wc_spec *spec, const char *object_ptr, const char *media_type,
                                    const char *what, wc_err *err) {
  const cJSON *object = NULL;
  char *canon = resolved(spec, object_ptr, &object, err);
  if (!canon) return NULL;
  const cJSON *content = cJSON_GetObjectItemCaseSensitive(object, "content");
  const char *key = cJSON_IsObject(content) ? match_media(content, media_type) : NULL;
  if (!key) {
    wc_err_set(err, WC_E_SPEC, "%s (%s) documents no '%.100s' content", what, canon, media_type);
    free(canon);
    return NULL;
  }
  char *content_ptr = wc_pointer_append(canon, "content");
  char *media_ptr = content_ptr ? wc_pointer_append(content_ptr, key) : NULL;
  free(content_ptr);
  free(canon);
  const cJSON *media = NULL;
  char *media_canon = media_ptr ? resolved(spec, media_ptr, &media, err) : NULL;
  if (!media_ptr) wc_err_set(err, WC_E_NOMEM, "out of memory");
  free(media_ptr);
  if (!media_canon) return NULL;
  if (!cJSON_GetObjectItemCaseSensitive(media, "schema")) {
    wc_err_set(err, WC_E_SPEC, "%s has no schema", media_canon);
    free(media_canon);
    return NULL;
  }
  char *schema_ptr = wc_pointer_append(media_canon, "schema");
  free(media_canon);
  if (!schema_ptr) wc_err_set(err, WC_E_NOMEM, "out of memory");
  return schema_ptr;
}

static const char *pick_status(const cJSON *responses, const char *status) {
  const cJSON *entry;
  cJSON_ArrayForEach(entry, responses) if (!strcmp(entry->string, status)) return entry->string;
  if (strlen(status) == 3 && isdigit((unsigned char)status[0])) {
    cJSON_ArrayForEach(entry, responses) {
      const char *k = entry->string;
      if (strlen(k) == 3 && k[0] == status[0] && toupper((unsigned char)k[1]) == 'X' &&
          toupper((unsigned char)k[2]) == 'X')
        return k;
    }
  }
  cJSON_ArrayForEach(entry, responses) if (!strcmp(entry->string, "default")) return entry->string;
  return NULL;
}

/* Canonical pointer and node of the operation's responses object. */
static char *responses_of(const wc_spec *spec, const char *method, const char *path, const cJSON **node,
                          wc_err *err) {
  char *op = wc_spec_operation_pointer(spec, method, path, err);
  if (!op) return NULL;
  char *ptr = wc_pointer_append(op, "responses");
  free(op);
  if (!ptr) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return NULL;
  }
  char *canon = resolved(spec, ptr, node, err);
  free(ptr);
  if (canon && !cJSON_IsObject(*node)) {
    wc_err_set(err, WC_E_SPEC, "%s is not a mapping", canon);
    free(canon);
    return NULL;
  }
  return canon;
}

char *wc_spec_response_schema_pointer(const wc_spec *spec, const char *method, const char *path,
                                      const char *status, const char *media_type, wc_err *err) {
  wc_err_clear(err);
  if (!media_type) media_type = "application/json";
  if (!status) {
    wc_err_set(err, WC_E_USAGE, "no status given");
    return NULL;
  }
  const cJSON *responses = NULL;
  char *canon = responses_of(spec, method, path, &responses, err);
  if (!canon) return NULL;
  const char *key = pick_status(responses, status);
  if (!key) {
    wc_err_set(err, WC_E_SPEC, "%s documents no response for status %.20s (nor its range or default)", canon,
               status);
    free(canon);
    return NULL;
  }
  char *resp_ptr = wc_pointer_append(canon, key);
  free(canon);
  if (!resp_ptr) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return NULL;
  }
  char what[64];
  snprintf(what, sizeof what, "the %s response", key);
  char *out = content_schema_pointer(spec, resp_ptr, media_type, what, err);
  free(resp_ptr);
  return out;
}

char *wc_spec_request_schema_pointer(const wc_spec *spec, const char *method, const char *path,
                                     const char *media_type, wc_err *err) {
  wc_err_clear(err);
  if (!media_type) media_type = "application/json";
  char *op = wc_spec_operation_pointer(spec, method, path, err);
  if (!op) return NULL;
  char *body_ptr = wc_pointer_append(op, "requestBody");
  free(op);
  if (!body_ptr) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return NULL;
  }
  char *out = content_schema_pointer(spec, body_ptr, media_type, "the request body", err);
  free(body_ptr);
  return out;
}

cJSON *wc_spec_documented_statuses(const wc_spec *spec, const char *method, const char *path, wc_err *err) {
  wc_err_clear(err);
  const cJSON *responses = NULL;
  char *canon = responses_of(spec, method, path, &responses, err);
  if (!canon) return NULL;
  free(canon);
  cJSON *out = cJSON_CreateArray();
  const cJSON *entry;
  cJSON_ArrayForEach(entry, responses) {
    cJSON *s = cJSON_CreateString(entry->string);
    if (!s || !out) {
      cJSON_Delete(s);
      cJSON_Delete(out);
      wc_err_set(err, WC_E_NOMEM, "out of memory");
      return NULL;
    }
    cJSON_AddItemToArray(out, s);
  }
  return out;
}
