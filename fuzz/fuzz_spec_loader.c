/* spec_loader: YAML bytes through the spec loader, then pointer look-ups
 * with $ref resolution and the OpenAPI queries over what loaded.
 *
 * Framing: none; the bytes are the YAML document.
 * Invariants: a refusal has a code and a one-line "name:line:column: reason"
 * (or "name: reason" for size); every node reached by walking the loaded
 * tree has a source line; wc_spec_get either answers or sets an error;
 * the canonical pointer of a resolved node reaches the same node. */
#include <string.h>

#include "fuzz_common.h"
#include "whopconf/spec.h"

#define NAME "fuzz.yml"
#define MAX_VISITS 64 /* nodes checked per input: keeps every run fast */

int wc_fuzz_framing_ok(const uint8_t *data, size_t size) {
  (void)data, (void)size;
  return 1;
}

static void check_node(const wc_spec *spec, const cJSON *node, const char *pointer, int *budget) {
  if (--*budget < 0) return;
  WC_FUZZ_ASSERT(wc_spec_line(spec, pointer) > 0);
  wc_err err;
  const cJSON *resolved = wc_spec_get(spec, pointer, &err);
  if (!resolved) {
    WC_FUZZ_ASSERT(err.code != WC_OK && err.msg[0] && !strchr(err.msg, '\n'));
  } else {
    char *canon = wc_spec_resolve_pointer(spec, pointer, &err);
    WC_FUZZ_ASSERT(canon != NULL);
    WC_FUZZ_ASSERT(wc_spec_get(spec, canon, &err) == resolved);
    free(canon);
  }
  const cJSON *child;
  size_t index = 0;
  cJSON_ArrayForEach(child, node) {
    char *p = cJSON_IsObject(node) ? wc_pointer_append(pointer, child->string)
                                   : wc_pointer_append_index(pointer, index);
    index++;
    if (!p) abort();
    check_node(spec, child, p, budget);
    free(p);
    if (*budget < 0) return;
  }
}

static void query_operations(const wc_spec *spec) {
  const cJSON *paths = cJSON_GetObjectItemCaseSensitive(wc_spec_document(spec), "paths");
  const cJSON *item;
  int n = 0;
  cJSON_ArrayForEach(item, paths) {
    if (!cJSON_IsObject(item) || !item->string || n++ > 4) continue;
    static const char *const methods[] = {"GET", "PATCH", "post"};
    for (size_t m = 0; m < 3; m++) {
      wc_err err;
      char *op = wc_spec_operation_pointer(spec, methods[m], item->string, &err);
      if (!op) {
        WC_FUZZ_ASSERT(err.code != WC_OK);
        continue;
      }
      free(op);
      cJSON *params = wc_spec_parameters(spec, methods[m], item->string, &err);
      cJSON_Delete(params);
      cJSON *statuses = wc_spec_documented_statuses(spec, methods[m], item->string, &err);
      const cJSON *status;
      cJSON_ArrayForEach(status, statuses) {
        char *p =
            wc_spec_response_schema_pointer(spec, methods[m], item->string, status->valuestring, NULL, &err);
        if (p) WC_FUZZ_ASSERT(wc_spec_line(spec, p) > 0);
        free(p);
      }
      cJSON_Delete(statuses);
      free(wc_spec_request_schema_pointer(spec, methods[m], item->string, NULL, &err));
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* Smaller node budgets than the defaults: the same code paths (the alias
   * budget is still hit by alias bombs), at a fraction of the time a run. */
  wc_spec_limits limits;
  wc_spec_limits_default(&limits);
  limits.max_nodes = 20000;
  limits.max_alias_nodes = 2000;
  wc_err err;
  wc_spec *spec = wc_spec_load_buffer_limited((const char *)data, size, NAME, &limits, &err);
  if (!spec) {
    WC_FUZZ_ASSERT(err.code != WC_OK);
    WC_FUZZ_ASSERT(strncmp(err.msg, NAME ":", strlen(NAME ":")) == 0);
    WC_FUZZ_ASSERT(!strchr(err.msg, '\n') && !strchr(err.msg, '\r'));
    return 0;
  }
  size_t len = 0;
  WC_FUZZ_ASSERT(wc_spec_source(spec, &len) && len == size);
  int budget = MAX_VISITS;
  check_node(spec, wc_spec_document(spec), "#", &budget);
  query_operations(spec);
  wc_spec_free(spec);
  return 0;
}
