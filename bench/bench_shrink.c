/* Requests the shrinker needs for a 64 KiB failing string: a body
 * {"name": <65,536 code points>, "bio": ...} that "fails" while the name is
 * longer than a threshold (a pure predicate: no server, so the figure is the
 * shrinker's alone). Prints, per threshold and filler, the predicate calls
 * (each one a request when `whopconf fuzz` shrinks against a server), the
 * accepted steps and the minimal name's length. Exit 1 when a minimal name is
 * not exactly threshold + 1 code points of 'a' or the calls exceed 40. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whopconf/gen.h"
#include "whopconf/spec.h"

#define STRING_CODE_POINTS 65536
#define GOAL_REQUESTS 40

typedef struct probe {
  size_t threshold, calls;
} probe;

static size_t code_points(const char *s) {
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) n += (*p & 0xC0) != 0x80;
  return n;
}

static const char *name_of(const wc_gen_request *r) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(wc_gen_request_json(r), "name");
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool name_longer(void *ctx, const wc_gen_request *candidate) {
  probe *p = ctx;
  p->calls++;
  const char *name = name_of(candidate);
  return name && code_points(name) > p->threshold;
}

/* {"name":"<filler x STRING_CODE_POINTS>","bio":"unrelated"} */
static char *body_of(const char *filler, size_t *len) {
  size_t unit = strlen(filler), cap = STRING_CODE_POINTS * unit + 64;
  char *b = malloc(cap);
  if (!b) return NULL;
  size_t n = (size_t)snprintf(b, cap, "{\"name\":\"");
  for (size_t i = 0; i < STRING_CODE_POINTS; i++, n += unit) memcpy(b + n, filler, unit);
  n += (size_t)snprintf(b + n, cap - n, "\",\"bio\":\"unrelated\"}");
  *len = n;
  return b;
}

int main(void) {
  wc_err err;
  wc_spec *spec = wc_spec_load_embedded(&err);
  wc_gen *gen = spec ? wc_gen_new(spec, NULL, &err) : NULL;
  if (!gen) {
    fprintf(stderr, "bench-shrink: %s\n", err.msg);
    return 2;
  }
  static const size_t thresholds[] = {64, 255, 1000};
  static const char *const fillers[] = {"x", "\xC3\xA9", "\xF0\x9F\x98\x80"}; /* x, é, 😀 */
  int status = 0;
  size_t worst = 0;
  printf("shrink a %d-code-point name that fails above a threshold (pure predicate, default budget %d):\n",
         STRING_CODE_POINTS, WC_GEN_DEFAULT_SHRINK_BUDGET);
  for (size_t t = 0; t < sizeof thresholds / sizeof thresholds[0]; t++) {
    for (size_t f = 0; f < sizeof fillers / sizeof fillers[0]; f++) {
      size_t len = 0;
      char *body = body_of(fillers[f], &len);
      wc_gen_request *req = body ? wc_gen_classify(gen, body, len, NULL, NULL, "length", &err) : NULL;
      probe p = {.threshold = thresholds[t]};
      wc_shrink_result res;
      memset(&res, 0, sizeof res);
      if (!req || wc_gen_shrink(gen, req, name_longer, &p, 0, &res, &err) != 0) {
        fprintf(stderr, "bench-shrink: %s\n", err.msg);
        free(body);
        wc_gen_request_free(req);
        status = 2;
        break;
      }
      const char *name = name_of(res.minimal);
      size_t got = name ? code_points(name) : 0;
      bool all_a = name && strspn(name, "a") == strlen(name);
      const wc_gen_request *m = res.minimal;
      bool ok = got == thresholds[t] + 1 && all_a && res.calls <= GOAL_REQUESTS;
      printf("  threshold %4zu, filler U+%04X x %d (%7zu body bytes): %3zu requests, %2zu steps, minimal name "
             "%zu code points%s, body %zu bytes%s\n",
             thresholds[t], f == 0 ? 0x78u : f == 1 ? 0xE9u : 0x1F600u, STRING_CODE_POINTS, len, res.calls,
             res.steps, got, all_a ? " of 'a'" : "", wc_gen_request_size(m), ok ? "" : "  <- MISSED");
      if (!ok) status = 1;
      if (res.calls > worst) worst = res.calls;
      wc_gen_request_free(res.minimal);
      wc_gen_request_free(req);
      free(body);
    }
  }
  printf("  most requests: %zu (goal: at most %d)\n", worst, GOAL_REQUESTS);
  wc_gen_free(gen);
  wc_spec_free(spec);
  return status;
}
