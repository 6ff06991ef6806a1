/* response_parser: a whole HTTP response body plus its Content-Type value
 * through wc_response_new / add_header / finish / envelope, then the
 * documented schema for the status (User for 2xx, V1ErrorResponse else).
 *
 * Framing: the Content-Type value, one NUL, then the body. The value may
 * start with a status, "NNN " (100 to 599, a space; default 200), or "000 "
 * for "no status line arrived" (status 0, what a failed transfer reports); an
 * empty value means no Content-Type header at all. Input without a NUL, or
 * with NUL, CR or LF in the value, is rejected by the framing.
 * Invariants: the body is kept byte for byte; the header reads back
 * case-insensitively; "not JSON" <=> no tree; the envelope verdict agrees
 * with its parts (no problem => type and message are non-empty strings),
 * with one finding per problem bit; "valid" <=> no validation error (the
 * determinism of validation is user_validator's job). With status 000,
 * wc_response_from_exchange without an exchange refuses with WC_E_TRANSPORT
 * and a one-line message, and the bytes are then parsed as status 0. */
#include <string.h>

#include "fuzz_common.h"
#include "whopconf/response.h"
#include "whopconf/schema.h"

int wc_fuzz_framing_ok(const uint8_t *data, size_t size) {
  const uint8_t *nul = memchr(data, '\0', size);
  if (!nul) return 0;
  for (const uint8_t *p = data; p < nul; p++)
    if (*p == '\r' || *p == '\n') return 0;
  return 1;
}

static unsigned popcount(unsigned v) {
  unsigned n = 0;
  for (; v; v &= v - 1) n++;
  return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!wc_fuzz_framing_ok(data, size)) return -1;
  size_t ct_len = (size_t)((const uint8_t *)memchr(data, '\0', size) - data);
  char *ct = malloc(ct_len + 1);
  if (!ct) abort();
  memcpy(ct, data, ct_len);
  ct[ct_len] = '\0';
  long status = 200;
  const char *value = ct;
  if (ct_len >= 4 && ct[0] >= '1' && ct[0] <= '5' && ct[1] >= '0' && ct[1] <= '9' && ct[2] >= '0' &&
      ct[2] <= '9' && ct[3] == ' ') {
    status = (ct[0] - '0') * 100 + (ct[1] - '0') * 10 + (ct[2] - '0');
    value = ct + 4;
  } else if (ct_len >= 4 && !memcmp(ct, "000 ", 4)) {
    status = 0;
    value = ct + 4;
    wc_err err;
    WC_FUZZ_ASSERT(wc_response_from_exchange(NULL, NULL, &err) == NULL);
    WC_FUZZ_ASSERT(err.code == WC_E_TRANSPORT && err.msg[0] && !strpbrk(err.msg, "\r\n"));
  }
  const char *body = (const char *)data + ct_len + 1;
  size_t body_len = size - ct_len - 1;

  wc_response *r = wc_response_new(status, body, body_len);
  WC_FUZZ_ASSERT(r != NULL);
  if (*value) WC_FUZZ_ASSERT(wc_response_add_header(r, "Content-Type", value) == 0);
  wc_response_finish(r, NULL);

  size_t kept_len = 0;
  const char *kept = wc_response_body(r, &kept_len);
  WC_FUZZ_ASSERT(kept_len == body_len && (body_len == 0 || !memcmp(kept, body, body_len)));
  WC_FUZZ_ASSERT(wc_response_status(r) == status);
  const wc_media_type *mt = wc_response_media_type(r);
  WC_FUZZ_ASSERT(mt && mt->present == (*value != '\0'));
  if (*value) WC_FUZZ_ASSERT(!strcmp(wc_response_header(r, "content-TYPE", 0), value));
  WC_FUZZ_ASSERT(wc_response_header_count(r, "Content-Type") == (*value ? 1u : 0u));
  WC_FUZZ_ASSERT(wc_response_header(r, "Content-Type", 1) == NULL);

  const cJSON *json = wc_response_json(r);
  WC_FUZZ_ASSERT(wc_response_json_findings(r) != NULL);
  if (json) WC_FUZZ_ASSERT(wc_response_json_error(r)[0] == '\0');
  wc_findings *findings = wc_findings_new();
  wc_envelope env;
  unsigned problems = wc_response_envelope(r, &env, findings);
  WC_FUZZ_ASSERT(problems == env.problems);
  WC_FUZZ_ASSERT(wc_findings_count(findings) == popcount(problems));
  if (!json) WC_FUZZ_ASSERT(problems & WC_ENV_NOT_JSON);
  if (problems == 0) WC_FUZZ_ASSERT(env.type && env.type[0] && env.message && env.message[0]);

  if (json) {
    const wc_schema *schema = wc_fuzz_schema(status >= 200 && status < 300 ? 0 : 1, true);
    wc_findings_clear(findings);
    bool valid = wc_schema_validate(schema, json, findings);
    WC_FUZZ_ASSERT(valid == (wc_findings_count(findings) == 0));
  }
  wc_findings_free(findings);
  wc_response_free(r);
  free(ct);
  return 0;
}
