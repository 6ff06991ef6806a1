/* generator: the request generator driven by fuzzer bytes.
 *
 * Framing: byte 0 mode (& 3): 0 the coverage list (index below), 1 the
 * random stream, 2 the random positive stream: then 8 bytes seed and 4
 * bytes index (little endian), nothing after; 3 classification of given
 * parts: one flags byte (0x01 Api-Version-Date, 0x02 account_id), the
 * length-prefixed fields it names (no NUL), then the body bytes (the rest).
 * Byte 0 & 0x04: modes 0-2 run on another contract (OTHER_SPEC: type
 * lists, integers, booleans, arrays, a "+json" media type, no parameters),
 * with a generator made and freed for the input. Byte 0 & 0x08: the
 * coverage index is taken as is (an index past the end must be refused).
 * Fewer bytes, other bytes after the index, or a bad field: rejected.
 * Invariants: the verdict equals one re-derived here (strict JSON pass and
 * a request-body validator compiled apart from the generator's; the header
 * absent or a known version after optional whitespace; the query valid
 * UTF-8); a negative request names a keyword and a location; the random
 * streams give the same request twice for one (seed, index) and the
 * positive one only positive requests; every generated request builds
 * (headers free of CR/LF, body byte for byte, account_id in the query). */
#include <string.h>
#include <strings.h>

#include "fuzz_common.h"
#include "whopconf/gen.h"
#include "whopconf/json_strict.h"
#include "whopconf/refserver.h"
#include "whopconf/request.h"
#include "whopconf/schema.h"
#include "whopconf/spec.h"
#include "whopconf/versions.h"

#define STREAM_BYTES 13
#define MODE_OTHER_SPEC 0x04
#define MODE_RAW_INDEX 0x08

static const char OTHER_SPEC[] =
    "openapi: 3.1.0\n"
    "info: {title: other, version: v1}\n"
    "paths:\n"
    "  /users/me:\n"
    "    patch:\n"
    "      requestBody:\n"
    "        content:\n"
    "          application/merge-patch+json:\n"
    "            schema:\n"
    "              type: object\n"
    "              properties:\n"
    "                title: {type: [string, 'null']}\n"
    "                count: {type: integer}\n"
    "                ratio: {type: number}\n"
    "                shown: {type: boolean}\n"
    "                tags: {type: array}\n"
    "                anything: {}\n"
    "                meta:\n"
    "                  properties:\n"
    "                    colour: {type: string}\n"
    "      responses:\n"
    "        '200': {description: ok}\n";

int wc_fuzz_framing_ok(const uint8_t *data, size_t size) {
  if (size < 1 || (data[0] & ~0x0F)) return 0;
  if ((data[0] & 3) != 3) return size == STREAM_BYTES;
  if (data[0] & 0x0C) return 0;
  wc_fuzz_reader r;
  wc_fuzz_reader_init(&r, data + 1, size - 1);
  int flags = wc_fuzz_byte(&r);
  if (r.bad || (flags & ~3)) return 0;
  for (int bit = 1; bit <= 2; bit <<= 1)
    if (flags & bit) free(wc_fuzz_field(&r, true, NULL));
  return !r.bad;
}

static const wc_gen *the_gen(void) {
  static wc_gen *gen;
  if (!gen) {
    static const char *const accounts[] = {"biz_fuzz"};
    wc_gen_opts opts;
    wc_gen_opts_default(&opts);
    opts.max_body_bytes = 64 * 1024; /* the fuzzer's time goes to variety */
    opts.account_ids = accounts;
    opts.account_id_count = 1;
    gen = wc_gen_new(wc_fuzz_spec(), &opts, NULL);
    WC_FUZZ_ASSERT(gen);
  }
  return gen;
}

static const wc_schema *body_schema(void) {
  static wc_schema *schema;
  if (!schema) {
    char *ptr = wc_spec_request_schema_pointer(wc_fuzz_spec(), "PATCH", "/users/me", "application/json", NULL);
    WC_FUZZ_ASSERT(ptr);
    schema = wc_schema_compile(wc_spec_document(wc_fuzz_spec()), ptr, NULL, NULL);
    free(ptr);
    WC_FUZZ_ASSERT(schema);
  }
  return schema;
}

static bool known_version(const char *v) {
  size_t len = strlen(v);
  while (len && (v[len - 1] == ' ' || v[len - 1] == '\t')) len--;
  while (len && (*v == ' ' || *v == '\t')) v++, len--;
  for (size_t i = 0; i < wc_default_version_count(); i++)
    if (strlen(wc_default_version(i)) == len && memcmp(v, wc_default_version(i), len) == 0) return true;
  return false;
}

static bool utf8_ok(const char *s) {
  cJSON *str = cJSON_CreateString(s);
  char *printed = str ? cJSON_PrintUnformatted(str) : NULL;
  WC_FUZZ_ASSERT(printed);
  bool ok = wc_json_strict_check(printed, strlen(printed), NULL, NULL) == 0;
  free(printed);
  cJSON_Delete(str);
  return ok;
}

static void check_verdict(const wc_gen_request *r) {
  size_t len;
  const char *body = wc_gen_request_body(r, &len);
  wc_findings *f = wc_findings_new();
  WC_FUZZ_ASSERT(f);
  cJSON *tree = wc_json_parse(body, len, NULL, f, NULL);
  bool strict = tree && wc_findings_count(f) == 0;
  bool body_ok = strict && wc_schema_validate(body_schema(), tree, NULL);
  const char *v = wc_gen_request_api_version(r), *a = wc_gen_request_account_id(r);
  bool positive = body_ok && (!v || known_version(v)) && (!a || utf8_ok(a));
  WC_FUZZ_ASSERT(wc_gen_request_positive(r) == positive);
  WC_FUZZ_ASSERT((wc_gen_request_json(r) != NULL) == strict);
  if (!positive) WC_FUZZ_ASSERT(wc_gen_request_keyword(r) && wc_gen_request_location(r));
  WC_FUZZ_ASSERT(wc_gen_request_description(r) && wc_gen_request_edge_class(r) && wc_gen_request_target(r));
  cJSON_Delete(tree);
  wc_findings_free(f);
}

static void check_wire(const wc_gen_request *r, bool generated) {
  wc_request_desc d = {.base_url = "http://127.0.0.1:9/api/v1", .token = "wc_fuzz_token_value"};
  wc_gen_request_to_desc(r, &d);
  wc_err err;
  wc_request *req = wc_request_build(&d, &err);
  if (!req) {
    /* Only a given header or query value may hold what the builder refuses. */
    const char *v = d.api_version ? d.api_version : "", *a = d.account_id ? d.account_id : "";
    WC_FUZZ_ASSERT(!generated && (wc_header_value_check(v, strlen(v), NULL) ||
                                  wc_header_value_check(a, strlen(a), NULL)));
    return;
  }
  for (size_t i = 0; i < wc_request_header_count(req); i++) WC_FUZZ_ASSERT(!strpbrk(wc_request_header(req, i), "\r\n"));
  size_t len, glen;
  const char *body = wc_request_body(req, &len), *gbody = wc_gen_request_body(r, &glen);
  WC_FUZZ_ASSERT(len == glen && (len == 0 || memcmp(body, gbody, len) == 0));
  WC_FUZZ_ASSERT(!strpbrk(wc_request_url(req), "\r\n "));
  for (size_t i = 0; i < wc_request_header_count(req); i++) {
    const char *h = wc_request_header(req, i);
    if (!strncasecmp(h, "Content-Type:", 13)) WC_FUZZ_ASSERT(strstr(h, wc_gen_request_content_type(r)));
  }
  WC_FUZZ_ASSERT(!d.account_id == !strstr(wc_request_url(req), "?account_id="));
  wc_request_free(req);
}

static bool same(const wc_gen_request *a, const wc_gen_request *b) {
  size_t la, lb;
  const char *ba = wc_gen_request_body(a, &la), *bb = wc_gen_request_body(b, &lb);
  return la == lb && memcmp(ba, bb, la) == 0 && !strcmp(wc_gen_request_description(a), wc_gen_request_description(b));
}

static uint64_t le(const uint8_t *p, size_t n) {
  uint64_t v = 0;
  for (size_t i = n; i > 0; i--) v = v << 8 | p[i - 1];
  return v;
}

static wc_gen_request *given(const uint8_t *data, size_t size) {
  wc_fuzz_reader r;
  wc_fuzz_reader_init(&r, data + 1, size - 1);
  int flags = wc_fuzz_byte(&r);
  char *version = (flags & 1) ? wc_fuzz_field(&r, true, NULL) : NULL;
  char *account = (flags & 2) ? wc_fuzz_field(&r, true, NULL) : NULL;
  wc_gen_request *req = wc_gen_classify(the_gen(), (const char *)r.p, r.left, version, account, NULL, NULL);
  free(version);
  free(account);
  return req;
}

/* The other contract's verdicts: strict JSON, then its own schema. */
static void check_other(const wc_spec *spec, const wc_gen_request *r) {
  char *ptr = wc_spec_request_schema_pointer(spec, "PATCH", "/users/me", "application/merge-patch+json", NULL);
  wc_schema *schema = ptr ? wc_schema_compile(wc_spec_document(spec), ptr, NULL, NULL) : NULL;
  WC_FUZZ_ASSERT(schema);
  size_t len;
  const char *body = wc_gen_request_body(r, &len);
  wc_findings *f = wc_findings_new();
  cJSON *tree = wc_json_parse(body, len, NULL, f, NULL);
  bool positive = tree && wc_findings_count(f) == 0 && wc_schema_validate(schema, tree, NULL);
  WC_FUZZ_ASSERT(wc_gen_request_positive(r) == positive);
  WC_FUZZ_ASSERT(!strcmp(wc_gen_request_content_type(r), "application/merge-patch+json"));
  WC_FUZZ_ASSERT(!wc_gen_request_api_version(r) && !wc_gen_request_account_id(r));
  cJSON_Delete(tree);
  wc_findings_free(f);
  wc_schema_free(schema);
  free(ptr);
}

static void run_other_spec(int mode, uint64_t seed, uint64_t index) {
  wc_err err;
  wc_spec *spec = wc_spec_load_buffer(OTHER_SPEC, sizeof OTHER_SPEC - 1, "other.yml", &err);
  WC_FUZZ_ASSERT(spec);
  wc_gen *gen = wc_gen_new(spec, NULL, &err);
  WC_FUZZ_ASSERT(gen);
  wc_gen_request *req = mode == 0   ? wc_gen_coverage(gen, (size_t)(index % wc_gen_coverage_count(gen)), &err)
                        : mode == 1 ? wc_gen_random(gen, seed, index, &err)
                                    : wc_gen_random_positive(gen, seed, index, &err);
  WC_FUZZ_ASSERT(req);
  check_other(spec, req);
  check_wire(req, true);
  if (mode == 2) WC_FUZZ_ASSERT(wc_gen_request_positive(req));
  wc_gen_request_free(req);
  wc_gen_free(gen);
  wc_spec_free(spec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!wc_fuzz_framing_ok(data, size)) return -1;
  const wc_gen *gen = the_gen();
  int mode = data[0] & 3;
  uint64_t seed = mode == 3 ? 0 : le(data + 1, 8), index = mode == 3 ? 0 : le(data + 9, 4);
  if (data[0] & MODE_OTHER_SPEC) {
    run_other_spec(mode, seed, index);
    return 0;
  }
  wc_gen_request *req;
  if (mode == 0 && (data[0] & MODE_RAW_INDEX)) {
    wc_err err;
    req = wc_gen_coverage(gen, (size_t)index, &err);
    if (!req) { /* past the end: refused with a reason */
      WC_FUZZ_ASSERT(index >= wc_gen_coverage_count(gen) && err.code == WC_E_USAGE && err.msg[0]);
      return 0;
    }
  } else if (mode == 0) req = wc_gen_coverage(gen, (size_t)(index % wc_gen_coverage_count(gen)), NULL);
  else if (mode == 1) req = wc_gen_random(gen, seed, index, NULL);
  else if (mode == 2) req = wc_gen_random_positive(gen, seed, index, NULL);
  else req = given(data, size);
  WC_FUZZ_ASSERT(req);
  check_verdict(req);
  check_wire(req, mode != 3);
  if (mode == 1 || mode == 2) {
    wc_gen_request *again = mode == 1 ? wc_gen_random(gen, seed, index, NULL) : wc_gen_random_positive(gen, seed, index, NULL);
    WC_FUZZ_ASSERT(again && same(req, again));
    wc_gen_request_free(again);
  }
  if (mode == 2) WC_FUZZ_ASSERT(wc_gen_request_positive(req) && !wc_gen_request_api_version(req));
  wc_gen_request_free(req);
  return 0;
}
