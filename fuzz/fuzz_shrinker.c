/* shrinker: wc_gen_shrink with a failure predicate the fuzzer chooses.
 *
 * Framing: byte 0 predicate kind (% 7), byte 1 its parameter p, byte 2 the
 * budget (1 + byte % 64), byte 3 flags (0x01 Api-Version-Date, 0x02
 * account_id), the length-prefixed fields it names (no NUL), then the body
 * bytes (the rest). Fewer than 4 bytes or a bad field: rejected.
 * Predicates: 0 the body is longer than 4p bytes; 1 the body holds byte p;
 * 2 a body string has more than p code points; 3 the same keyword and
 * location as the input; 4 the body has at least p % 5 top-level members;
 * 5 the header value holds byte p or the query value is longer than p % 8;
 * 6 a member name, at any depth, holds byte p (names of undeclared members
 * shrink; declared ones never change).
 * Invariants (when the input fails the predicate): the result still fails
 * it, is never larger than the input, keeps the input's verdict; the
 * predicate saw only candidates of that verdict and was called exactly as
 * many times as reported, never more than the budget. */
#include <string.h>

#include "fuzz_common.h"
#include "whopconf/gen.h"

int wc_fuzz_framing_ok(const uint8_t *data, size_t size) {
  if (size < 4 || (data[3] & ~3)) return 0;
  wc_fuzz_reader r;
  wc_fuzz_reader_init(&r, data + 4, size - 4);
  for (int bit = 1; bit <= 2; bit <<= 1)
    if (data[3] & bit) free(wc_fuzz_field(&r, true, NULL));
  return !r.bad;
}

typedef struct pred {
  int kind;
  unsigned p;
  const wc_gen_request *input;
  size_t calls;
  bool flipped;
} pred;

static size_t code_points(const char *s) {
  size_t n = 0;
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) n += (*c & 0xC0) != 0x80;
  return n;
}

static bool long_string(const cJSON *node, size_t limit) {
  if (cJSON_IsString(node) && code_points(node->valuestring) > limit) return true;
  for (const cJSON *c = node ? node->child : NULL; c; c = c->next)
    if (long_string(c, limit)) return true;
  return false;
}

static bool name_holds(const cJSON *node, int byte) {
  for (const cJSON *c = node ? node->child : NULL; c; c = c->next)
    if ((c->string && strchr(c->string, byte)) || name_holds(c, byte)) return true;
  return false;
}

static bool same_text(const char *a, const char *b) { return (!a && !b) || (a && b && !strcmp(a, b)); }

static bool fails(const pred *pr, const wc_gen_request *c) {
  size_t len;
  const char *body = wc_gen_request_body(c, &len);
  const char *v = wc_gen_request_api_version(c), *a = wc_gen_request_account_id(c);
  switch (pr->kind) {
  case 0: return len > 4 * (size_t)pr->p;
  case 1: return memchr(body, (int)pr->p, len) != NULL;
  case 2: return long_string(wc_gen_request_json(c), pr->p);
  case 3:
    return same_text(wc_gen_request_keyword(c), wc_gen_request_keyword(pr->input)) &&
           same_text(wc_gen_request_location(c), wc_gen_request_location(pr->input));
  case 4: return wc_gen_request_json(c) && (unsigned)cJSON_GetArraySize(wc_gen_request_json(c)) >= pr->p % 5;
  case 6: return name_holds(wc_gen_request_json(c), (int)(pr->p ? pr->p : 'z'));
  default: return (v && strchr(v, (int)(pr->p ? pr->p : 'x'))) || (a && strlen(a) > pr->p % 8);
  }
}

static bool still_fails(void *ctx, const wc_gen_request *c) {
  pred *pr = ctx;
  pr->calls++;
  pr->flipped |= wc_gen_request_positive(c) != wc_gen_request_positive(pr->input);
  return fails(pr, c);
}

static const wc_gen *the_gen(void) {
  static wc_gen *gen;
  if (!gen) WC_FUZZ_ASSERT(gen = wc_gen_new(wc_fuzz_spec(), NULL, NULL));
  return gen;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!wc_fuzz_framing_ok(data, size)) return -1;
  wc_fuzz_reader r;
  wc_fuzz_reader_init(&r, data + 4, size - 4);
  char *version = (data[3] & 1) ? wc_fuzz_field(&r, true, NULL) : NULL;
  char *account = (data[3] & 2) ? wc_fuzz_field(&r, true, NULL) : NULL;
  wc_gen_request *in = wc_gen_classify(the_gen(), (const char *)r.p, r.left, version, account, NULL, NULL);
  free(version);
  free(account);
  WC_FUZZ_ASSERT(in);
  pred pr = {data[0] % 7, data[1], in, 0, false};
  if (fails(&pr, in)) {
    size_t budget = 1 + data[2] % 64;
    wc_shrink_result res;
    wc_err err;
    WC_FUZZ_ASSERT(wc_gen_shrink(the_gen(), in, still_fails, &pr, budget, &res, &err) == 0);
    WC_FUZZ_ASSERT(res.minimal && fails(&pr, res.minimal));
    WC_FUZZ_ASSERT(wc_gen_request_size(res.minimal) <= wc_gen_request_size(in));
    WC_FUZZ_ASSERT(wc_gen_request_positive(res.minimal) == wc_gen_request_positive(in));
    WC_FUZZ_ASSERT(!pr.flipped && pr.calls == res.calls && res.calls <= budget);
    WC_FUZZ_ASSERT(res.steps <= res.calls);
    wc_gen_request_free(res.minimal);
  }
  wc_gen_request_free(in);
  return 0;
}
