/* user_validator: JSON bytes validated against the User and the
 * V1ErrorResponse schemas of the embedded contract.
 *
 * Framing: none; the bytes are the JSON document (through wc_json_parse, so
 * the strict pass runs too; bytes that are not JSON end there).
 * Invariants: validating twice gives the same verdict and the same number
 * of errors; "valid" <=> no error listed; every error names the keyword and
 * a schema pointer into the spec; turning format assertion off never turns
 * a valid document invalid. */
#include <string.h>

#include "fuzz_common.h"
#include "whopconf/json_strict.h"
#include "whopconf/schema.h"

int wc_fuzz_framing_ok(const uint8_t *data, size_t size) {
  (void)data, (void)size;
  return 1;
}

static void check(const wc_schema *schema, const wc_schema *loose, const cJSON *doc) {
  wc_findings *first = wc_findings_new(), *second = wc_findings_new();
  bool v1 = wc_schema_validate(schema, doc, first);
  bool v2 = wc_schema_validate(schema, doc, second);
  WC_FUZZ_ASSERT(v1 == v2);
  WC_FUZZ_ASSERT(wc_findings_count(first) == wc_findings_count(second));
  WC_FUZZ_ASSERT(v1 == (wc_findings_count(first) == 0));
  for (size_t i = 0; i < wc_findings_count(first); i++) {
    const wc_finding *f = wc_findings_get(first, i);
    WC_FUZZ_ASSERT(f->keyword && f->message && f->instance_pointer);
    WC_FUZZ_ASSERT(f->schema_pointer && f->schema_pointer[0] == '#');
  }
  if (v1) WC_FUZZ_ASSERT(wc_schema_validate(loose, doc, NULL));
  wc_findings_free(first);
  wc_findings_free(second);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wc_err err;
  cJSON *doc = wc_json_parse((const char *)data, size, NULL, NULL, &err);
  if (!doc) return 0;
  check(wc_fuzz_schema(0, true), wc_fuzz_schema(0, false), doc);
  check(wc_fuzz_schema(1, true), wc_fuzz_schema(1, false), doc);
  cJSON_Delete(doc);
  return 0;
}
