/* bench-validate: how fast a response body goes from bytes to a verdict.
 *
 *   bench-validate [--runs N] [--seconds S] [--clock wall|cpu] [--schema POINTER] [--spec FILE] FILE...
 *
 * For each file, in one process, each mode runs N times (default 5) for
 * about S seconds (default 0.2), the runs of the modes interleaved; the
 * median run is reported (docs/s, MB/s), and the best run next to it:
 *   (a)  cJSON_ParseWithLength + cJSON_Delete: the floor, what cJSON alone costs
 *   (b)  wc_json_parse (strict pass + cJSON) + wc_schema_validate (errors
 *        collected into a findings list) + cJSON_Delete: what the harness does
 *   (s)  the strict pass alone, (v) validation alone of a tree parsed once:
 *        where (b)'s time goes
 *   (a+arena), (b+arena): (a) and (b) with cJSON's allocations served by
 *        the library's per-thread arena (whopconf/json_arena.h, 1 MiB, reset
 *        per document, malloc beyond), as `whopconf check` and the proxy
 *        judge bodies. The other modes run with cJSON's default allocator.
 * The schema (default #/components/schemas/User of the embedded spec) is
 * compiled once, outside the timed loops. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "whopconf/common.h"
#include "whopconf/json_arena.h"
#include "whopconf/json_strict.h"
#include "whopconf/schema.h"
#include "whopconf/spec.h"

#ifndef WC_BENCH_FLAGS
#define WC_BENCH_FLAGS "unknown"
#endif

/* Wall time by default; --clock cpu counts only the time this process ran,
 * which keeps figures meaningful on a machine shared with other work. */
static clockid_t bench_clock = CLOCK_MONOTONIC;

static double now(void) {
  struct timespec t;
  clock_gettime(bench_clock, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* ---- the arena: the library's own (whopconf/json_arena.h), as the judge
 * uses it. Modes without it run with cJSON's default allocator (the hooks
 * removed), so (a) stays bare cJSON. ---- */

static void use_arena(bool on) {
  if (on) wc_json_arena_install();
  else wc_json_arena_uninstall();
}

/* ---- the modes ---- */

typedef enum mode { MODE_A, MODE_B, MODE_STRICT, MODE_VALIDATE, MODE_A_ARENA, MODE_B_ARENA, MODE_COUNT } mode;

static const char *const mode_names[] = {"(a) cJSON parse + delete",    "(b) strict + parse + validate",
                                         "(s) strict pass alone",       "(v) validate alone (parsed once)",
                                         "(a+arena) cJSON, arena hooks", "(b+arena) strict+parse+validate, arena"};

typedef struct doc {
  const char *name;
  char *text;
  size_t len;
  cJSON *parsed; /* for MODE_VALIDATE */
} doc;

static volatile size_t sink; /* keeps the work observable */

/* Runs `iterations` documents through a mode; returns false on a surprise. */
static bool run_mode(mode m, const doc *d, const wc_schema *schema, wc_findings *found, long iterations) {
  size_t acc = 0;
  for (long i = 0; i < iterations; i++) {
    switch (m) {
    case MODE_A:
    case MODE_A_ARENA: {
      bool arena = wc_json_arena_begin(); /* false when the hooks are not installed */
      cJSON *tree = cJSON_ParseWithLength(d->text, d->len);
      if (!tree) return false;
      acc += (size_t)tree->type;
      cJSON_Delete(tree);
      if (arena) wc_json_arena_end();
      break;
    }
    case MODE_B:
    case MODE_B_ARENA: {
      bool arena = wc_json_arena_begin();
      wc_findings_clear(found);
      wc_err err;
      cJSON *tree = wc_json_parse(d->text, d->len, NULL, found, &err);
      if (!tree) return false;
      acc += wc_schema_validate(schema, tree, found);
      acc += wc_findings_count(found);
      cJSON_Delete(tree);
      if (arena) wc_json_arena_end();
      break;
    }
    case MODE_STRICT: acc += wc_json_strict_check(d->text, d->len, NULL, NULL) + 1; break;
    case MODE_VALIDATE:
      wc_findings_clear(found);
      acc += wc_schema_validate(schema, d->parsed, found);
      break;
    case MODE_COUNT: break;
    }
  }
  sink += acc;
  return true;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void usage(FILE *out) {
  fputs("usage: bench-validate [--runs N] [--seconds S] [--clock wall|cpu] [--schema POINTER] [--spec FILE] FILE...\n",
        out);
}

int main(int argc, char **argv) {
  int runs = 5;
  double seconds = 0.2;
  const char *pointer = "#/components/schemas/User", *spec_path = NULL;
  int first_file = argc;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) runs = atoi(argv[++i]);
    else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) seconds = atof(argv[++i]);
    else if (strcmp(argv[i], "--clock") == 0 && i + 1 < argc) {
      const char *c = argv[++i];
      if (strcmp(c, "cpu") == 0) bench_clock = CLOCK_PROCESS_CPUTIME_ID;
      else if (strcmp(c, "wall") != 0) {
        usage(stderr);
        return 2;
      }
    } else if (strcmp(argv[i], "--schema") == 0 && i + 1 < argc) pointer = argv[++i];
    else if (strcmp(argv[i], "--spec") == 0 && i + 1 < argc) spec_path = argv[++i];
    else if (strcmp(argv[i], "--help") == 0) {
      usage(stdout);
      return 0;
    } else if (argv[i][0] == '-') {
      usage(stderr);
      return 2;
    } else {
      first_file = i;
      break;
    }
  }
  if (first_file >= argc || runs < 1 || runs > 101 || seconds <= 0 || seconds > 10) {
    usage(stderr);
    return 2;
  }
  wc_err err;
  wc_spec *spec = spec_path ? wc_spec_load_file(spec_path, &err) : wc_spec_load_embedded(&err);
  if (!spec) {
    fprintf(stderr, "bench-validate: %s\n", err.msg);
    return 2;
  }
  wc_schema *schema = wc_schema_compile(wc_spec_document(spec), pointer, NULL, &err);
  if (!schema) {
    fprintf(stderr, "bench-validate: %s\n", err.msg);
    wc_spec_free(spec);
    return 2;
  }
  wc_findings *found = wc_findings_new();
  if (!found) {
    fprintf(stderr, "bench-validate: out of memory\n");
    return 2;
  }

  printf("bench-validate: schema %s of %s; %d runs per mode, median; %s clock; compiled with %s\n", pointer,
         wc_spec_name(spec), runs, bench_clock == CLOCK_MONOTONIC ? "wall" : "process CPU", WC_BENCH_FLAGS);
  printf("%-38s %8s  %-40s %12s %9s %9s\n", "file", "bytes", "mode", "docs/s", "MB/s", "best MB/s");
  int rc = 0;
  for (int f = first_file; f < argc; f++) {
    doc d = {0};
    const char *slash = strrchr(argv[f], '/');
    d.name = slash ? slash + 1 : argv[f];
    d.text = wc_read_file(argv[f], 0, &d.len, &err);
    if (!d.text) {
      fprintf(stderr, "bench-validate: %s\n", err.msg);
      rc = 2;
      continue;
    }
    d.parsed = wc_json_parse(d.text, d.len, NULL, NULL, &err);
    if (!d.parsed) {
      fprintf(stderr, "bench-validate: %s: %s\n", argv[f], err.msg);
      free(d.text);
      rc = 2;
      continue;
    }
    wc_findings_clear(found);
    bool valid = wc_schema_validate(schema, d.parsed, found);
    /* Calibrate each mode to about `seconds` per run, then interleave the
     * runs (run 1 of every mode, run 2 of every mode, ...) so that a burst
     * of load on the machine hits all modes alike. */
    long iterations[MODE_COUNT];
    double rates[MODE_COUNT][101];
    bool ok = true;
    for (mode m = 0; m < MODE_COUNT && ok; m++) {
      use_arena(m == MODE_A_ARENA || m == MODE_B_ARENA);
      long n = 16;
      for (;;) {
        double t0 = now();
        if (!(ok = run_mode(m, &d, schema, found, n))) break;
        double dt = now() - t0;
        if (dt >= seconds / 4 || n > (1L << 30)) {
          n = (long)((double)n * seconds / (dt > 0 ? dt : 1e-9)) + 1;
          break;
        }
        n *= 4;
      }
      iterations[m] = n;
      use_arena(false);
      if (!ok) fprintf(stderr, "bench-validate: %s: %s failed\n", d.name, mode_names[m]);
    }
    for (int r = 0; r < runs && ok; r++) {
      for (mode m = 0; m < MODE_COUNT && ok; m++) {
        use_arena(m == MODE_A_ARENA || m == MODE_B_ARENA);
        double t0 = now();
        ok = run_mode(m, &d, schema, found, iterations[m]);
        rates[m][r] = (double)iterations[m] / (now() - t0);
        use_arena(false);
      }
    }
    if (!ok) {
      rc = 2;
    } else {
      for (mode m = 0; m < MODE_COUNT; m++) {
        qsort(rates[m], (size_t)runs, sizeof rates[m][0], cmp_double);
        double median = rates[m][runs / 2], best = rates[m][runs - 1];
        printf("%-38s %8zu  %-40s %12.0f %9.1f %9.1f\n", d.name, d.len, mode_names[m], median,
               median * (double)d.len / 1e6, best * (double)d.len / 1e6);
      }
    }
    printf("%-38s %8s  verdict: %s (%zu error%s)\n", d.name, "", valid ? "valid" : "invalid",
           wc_findings_count(found), wc_findings_count(found) == 1 ? "" : "s");
    cJSON_Delete(d.parsed);
    free(d.text);
  }
  wc_findings_free(found);
  wc_schema_free(schema);
  wc_spec_free(spec);
  return rc;
}
