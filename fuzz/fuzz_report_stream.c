/* report_stream: the streamed printer of report.json and the HAR
 * (report/report_stream.c) against the in-memory renderings it replaced.
 *
 * Framing: byte 0 the mode (bit 0 set: the tree is a report, printed as
 * report.json is: every string repaired, header values under
 * exchanges[].request/response.headers masked), then JSON text that cJSON
 * parses (anything else is rejected).
 * Invariant: the streamed bytes equal wc_rep_render_json of the tree
 * (report mode) or cJSON_Print of it plus a newline (plain mode), whatever
 * the strings hold (any byte, invalid UTF-8, credentials) and whatever the
 * numbers and the nesting. */
#include <stdio.h>
#include <string.h>

#include "../harness/src/report/report_internal.h"
#include "fuzz_common.h"

static cJSON *parse(const uint8_t *data, size_t size) {
  if (size < 1) return NULL;
  return cJSON_ParseWithLength((const char *)data + 1, size - 1);
}

int wc_fuzz_framing_ok(const uint8_t *data, size_t size) {
  cJSON *root = parse(data, size);
  cJSON_Delete(root);
  return root != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cJSON *root = parse(data, size);
  if (!root) return -1;
  bool report = data[0] & 1;
  wc_err err;
  char *want = report ? wc_rep_render_json(root, &err) : wc_rep_print(root, "tree", &err);
  char *got = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&got, &len);
  int rc = f ? wc_rep_stream_to(f, root, report) : -1;
  if (f) fclose(f);
  if (want && rc == 0) {
    WC_FUZZ_ASSERT(got && len == strlen(want));
    WC_FUZZ_ASSERT(memcmp(got, want, len) == 0);
  }
  free(want);
  free(got);
  cJSON_Delete(root);
  return 0;
}
