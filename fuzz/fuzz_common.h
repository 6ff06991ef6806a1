/* whopconf fuzz targets: what every target shares.
 *
 * Each fuzz/fuzz_<name>.c defines LLVMFuzzerTestOneInput (the one entry
 * point) and wc_fuzz_framing_ok (does an input pass the target's own framing;
 * the replayer's --check-framing uses it so that no seed is silently thrown
 * away). A target returns -1 for input its framing rejects, which tells
 * libFuzzer not to add it to the corpus; it returns 0 otherwise.
 *
 * Invariants are checked with WC_FUZZ_ASSERT: on failure it names the
 * condition on stderr and aborts, which libFuzzer (and the replayer, and
 * ctest) treat as a crash. */
#ifndef WHOPCONF_FUZZ_COMMON_H
#define WHOPCONF_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int wc_fuzz_framing_ok(const uint8_t *data, size_t size);

#define WC_FUZZ_ASSERT(cond)                                                                                 \
  do {                                                                                                       \
    if (!(cond)) {                                                                                           \
      fputs("invariant failed: " #cond " (" __FILE__ ")\n", stderr);                                         \
      abort();                                                                                               \
    }                                                                                                        \
  } while (0)

/* Length-prefixed fields: one length byte (0..255), then that many bytes. */
typedef struct wc_fuzz_reader {
  const uint8_t *p;
  size_t left;
  bool bad; /* a field ran past the end, or a C-string field held a NUL */
} wc_fuzz_reader;

static inline void wc_fuzz_reader_init(wc_fuzz_reader *r, const uint8_t *data, size_t size) {
  r->p = data;
  r->left = size;
  r->bad = false;
}

static inline int wc_fuzz_byte(wc_fuzz_reader *r) {
  if (r->left == 0) {
    r->bad = true;
    return 0;
  }
  r->left--;
  return *r->p++;
}

/* A malloc'd NUL-terminated copy of the next field (NULL when bad). When
 * cstring, a NUL inside the field is a framing error (C strings cannot
 * carry one). *len (may be NULL) receives the field length. */
char *wc_fuzz_field(wc_fuzz_reader *r, bool cstring, size_t *len);

/* True when invariant `name` is listed in $WC_FUZZ_TOLERATE (comma-
 * separated). fuzz/run.sh sets it from fuzz/known-open.txt so that a long
 * campaign is not stopped over and over by a bug already reported; the
 * replayer (ctest) never sets it, so the reproducers keep failing there. */
bool wc_fuzz_tolerated(const char *name);

/* Uppercases the hex digits of every %XX in place: percent-encodings are
 * equivalent in either case (RFC 3986 6.2.2.1) and curl may change it. */
void wc_fuzz_pct_upper(char *s);

/* The embedded contract and two compiled schemas, made once per process
 * (deliberately never freed: they live as long as the fuzzer). */
struct wc_spec;
struct wc_schema;
const struct wc_spec *wc_fuzz_spec(void);
/* which: 0 = User, 1 = V1ErrorResponse; formats: format assertion on/off. */
const struct wc_schema *wc_fuzz_schema(int which, bool formats);

#endif
