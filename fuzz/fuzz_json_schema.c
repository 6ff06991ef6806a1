/* json_schema: any schema against any instance, through the validator's
 * compiler and evaluator (the User target only reaches the keywords the
 * contract uses; this one reaches them all).
 *
 * Framing: one flags byte (0x01: format assertion on), then the schema's
 * JSON, one NUL, then the instance's JSON. No NUL: rejected.
 * Invariants: a schema that does not compile says why (code and message);
 * a compiled one validates the instance twice with the same verdict and
 * error count; valid <=> no error listed; every error carries a keyword,
 * an instance pointer and a schema pointer ("#..."). */
#include <string.h>

#include "fuzz_common.h"
#include "whopconf/json_strict.h"
#include "whopconf/schema.h"

int wc_fuzz_framing_ok(const uint8_t *data, size_t size) {
  return size >= 1 && memchr(data + 1, '\0', size - 1) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!wc_fuzz_framing_ok(data, size)) return -1;
  const char *schema_text = (const char *)data + 1;
  size_t schema_len = (size_t)((const uint8_t *)memchr(data + 1, '\0', size - 1) - (data + 1));
  const char *instance_text = schema_text + schema_len + 1;
  size_t instance_len = size - 1 - schema_len - 1;
  wc_err err;
  cJSON *schema_doc = wc_json_parse(schema_text, schema_len, NULL, NULL, &err);
  cJSON *instance = wc_json_parse(instance_text, instance_len, NULL, NULL, &err);
  if (schema_doc && instance) {
    wc_schema_opts opts;
    wc_schema_opts_default(&opts);
    opts.format_assertion = data[0] & 1;
    wc_schema *schema = wc_schema_compile(schema_doc, "#", &opts, &err);
    if (!schema) {
      WC_FUZZ_ASSERT(err.code != WC_OK && err.msg[0] && !strchr(err.msg, '\n'));
    } else {
      wc_findings *first = wc_findings_new(), *second = wc_findings_new();
      bool v1 = wc_schema_validate(schema, instance, first);
      bool v2 = wc_schema_validate(schema, instance, second);
      WC_FUZZ_ASSERT(v1 == v2 && wc_findings_count(first) == wc_findings_count(second));
      WC_FUZZ_ASSERT(v1 == (wc_findings_count(first) == 0));
      for (size_t i = 0; i < wc_findings_count(first); i++) {
        const wc_finding *f = wc_findings_get(first, i);
        WC_FUZZ_ASSERT(f->keyword && f->message && f->instance_pointer);
        WC_FUZZ_ASSERT(f->schema_pointer && f->schema_pointer[0] == '#');
      }
      wc_findings_free(first);
      wc_findings_free(second);
      wc_schema_free(schema);
    }
  }
  cJSON_Delete(schema_doc);
  cJSON_Delete(instance);
  return 0;
}
