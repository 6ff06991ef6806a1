/* Glue between Criterion tests and wc_case (see case_support.h). */
#include "case_support.h"

#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__)
#define WC_CASE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WC_CASE_ASAN 1
#endif
#endif
#ifdef WC_CASE_ASAN
#include <sanitizer/lsan_interface.h>
#endif

const char *const wc_profile_members[] = {"id", "username", "name", "bio", "created_at",
                                          "profile_picture", NULL};

void wc_case_run(const char *name, const char *declared, unsigned flags, wc_case_body body) {
  wc_err err;
  wc_err_clear(&err);
  wc_case *c = wc_case_open(name, declared, flags, &err);
  if (!c) {
    cr_assert_fail("case %s could not start: %s", name, err.msg);
    return;
  }
  body(c);
  if (wc_case_close(c, &err) != 0) cr_assert_fail("case %s could not record its result: %s", name, err.msg);
#ifdef WC_CASE_ASAN
  /* A Criterion worker ends without LeakSanitizer's exit check: run it here,
   * and crash the case on a leak so the run reports it (exit 3). */
  if (__lsan_do_recoverable_leak_check() != 0) abort();
#endif
}

wc_request_desc wc_case_pinned(wc_case *c) {
  wc_request_desc d = {0};
  d.token = wc_case_credential(c, WC_CRED_TOKEN);
  d.api_version = wc_case_api_version(c);
  return d;
}

void wc_case_show(const char *value, char *out, size_t size) {
  if (!value) {
    snprintf(out, size, "(absent)");
    return;
  }
  size_t len = strlen(value);
  if (len > 40) {
    int cut = 32; /* at a UTF-8 character boundary: reasons stay valid UTF-8 */
    while (cut > 0 && ((unsigned char)value[cut] & 0xC0) == 0x80) cut--;
    snprintf(out, size, "\"%.*s...\" (%zu bytes)", cut, value, len);
  }
  else
    snprintf(out, size, "\"%s\"", value);
}
