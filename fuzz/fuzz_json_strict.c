/* json_strict: raw bytes through the strict RFC 8259 pass and wc_json_parse.
 *
 * Framing: none; the bytes are the document.
 * Invariants: the defect count and the findings agree (0 <=> none listed);
 * every offset is inside the input; input the strict pass calls clean
 * always gives a tree, and that tree printed by cJSON is itself clean and
 * parses back to an equal tree (what "cJSON represents it faithfully"
 * means). One exception, a cJSON 1.7.15 limitation: it prints numbers
 * with %1.15g when that reads back "equal" by its relative epsilon, so
 * DBL_MAX comes out as 1.79769313486232e+308, which overflows to infinity
 * when read again; number-overflow on the printed text is tolerated. */
#include <string.h>

#include "fuzz_common.h"
#include "whopconf/json_strict.h"

int wc_fuzz_framing_ok(const uint8_t *data, size_t size) {
  (void)data, (void)size;
  return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *buf = (const char *)data;
  /* The count alone first (no findings list), then the parse, which runs
   * the strict pass again and lists the defects. */
  size_t defects = wc_json_strict_check(buf, size, NULL, NULL);
  wc_findings *findings = wc_findings_new();
  wc_err err;
  cJSON *tree = wc_json_parse(buf, size, NULL, findings, &err);
  size_t listed = wc_findings_count(findings);
  WC_FUZZ_ASSERT((defects == 0) == (listed == 0));
  for (size_t i = 0; i < listed; i++) {
    const wc_finding *f = wc_findings_get(findings, i);
    WC_FUZZ_ASSERT(f->keyword && f->message);
    WC_FUZZ_ASSERT(f->offset == WC_NO_OFFSET || f->offset <= size);
  }
  if (defects == 0) {
    WC_FUZZ_ASSERT(tree != NULL);
    char *printed = cJSON_PrintUnformatted(tree);
    WC_FUZZ_ASSERT(printed != NULL);
    wc_findings *again_findings = wc_findings_new();
    wc_json_strict_check(printed, strlen(printed), NULL, again_findings);
    for (size_t i = 0; i < wc_findings_count(again_findings); i++)
      WC_FUZZ_ASSERT(!strcmp(wc_findings_get(again_findings, i)->keyword, WC_JSON_DEFECT_OVERFLOW));
    wc_findings_free(again_findings);
    cJSON *again = cJSON_ParseWithLength(printed, strlen(printed));
    WC_FUZZ_ASSERT(again && cJSON_Compare(tree, again, true));
    cJSON_Delete(again);
    free(printed);
  } else if (!tree) {
    WC_FUZZ_ASSERT(err.code != WC_OK && err.msg[0]);
  }
  cJSON_Delete(tree);
  wc_findings_free(findings);
  return 0;
}
