/* The contract and compiled schemas the validating targets share, built on
 * first use and kept for the life of the process. */
#include "fuzz_common.h"
#include "whopconf/schema.h"
#include "whopconf/spec.h"

const struct wc_spec *wc_fuzz_spec(void) {
  static wc_spec *spec;
  if (!spec) {
    wc_err err;
    spec = wc_spec_load_embedded(&err);
    if (!spec) {
      fprintf(stderr, "fuzz: embedded spec does not load: %s\n", err.msg);
      abort();
    }
  }
  return spec;
}

const struct wc_schema *wc_fuzz_schema(int which, bool formats) {
  static wc_schema *compiled[2][2];
  static const char *const pointers[2] = {"#/components/schemas/User",
                                          "#/components/schemas/V1ErrorResponse"};
  wc_schema **slot = &compiled[which != 0][formats];
  if (!*slot) {
    wc_schema_opts opts;
    wc_schema_opts_default(&opts);
    opts.format_assertion = formats;
    wc_err err;
    *slot = wc_schema_compile(wc_spec_document(wc_fuzz_spec()), pointers[which != 0], &opts, &err);
    if (!*slot) {
      fprintf(stderr, "fuzz: %s does not compile: %s\n", pointers[which != 0], err.msg);
      abort();
    }
  }
  return *slot;
}
