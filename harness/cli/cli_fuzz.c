/* whopconf fuzz: the generated phases (coverage, fuzzing, stateful) against
 * a target, with the run's snapshot, journal and restore, shrinking of every
 * distinct finding, and the reports of `run`. See docs/fuzz.md. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h> /* mallopt, malloc_trim */
#endif

#include "cli.h"
#include "cli_args.h"
#include "cli_run.h"
#include "cli_summary.h"
#include "cli_target_opts.h"
#include "whopconf/campaign.h"
#include "whopconf/json_arena.h"
#include "whopconf/refserver.h"
#include "whopconf/report.h"
#include "whopconf/spec.h"

static void usage(FILE *out) {
  fputs("usage: whopconf fuzz [options]\n"
        "\n"
        "Generates requests from the contract and judges every response: the deterministic coverage\n"
        "list, a seeded random stream, and sequences of updates checked against a model of the\n"
        "profile. Each distinct failure is shrunk to a minimal request. Default target: the embedded\n"
        "reference server. Positive (valid) requests change the profile: against a remote target they\n"
        "are sent only with --allow-writes (snapshot, journal and restore as in `whopconf run`).\n"
        "\n"
        "Every target, credential, contract, transport, rate and report option of `whopconf run`\n"
        "(see whopconf run --help), and:\n"
        "  --phases LIST          coverage,fuzzing,stateful, all (default) or none\n"
        "  --max-requests N       requests of the fuzzing phase (default 1000)\n"
        "  --duration S           stop the fuzzing and stateful phases after S seconds\n"
        "  --seed N               same seed and same responses, same requests and reports (default 1)\n"
        "  --workers N            parallel connections (default: the number of cores on loopback, 1\n"
        "                         to a remote host); --rate is shared between them\n"
        "  --shrink-budget N      requests to shrink each distinct finding (default 100)\n"
        "  --no-shrink            report findings as found\n"
        "  --shard K/N            this job's part of the request stream (1 <= K <= N); merge the\n"
        "                         reports with `whopconf report merge`\n"
        "  --max-request-body B   largest generated body in bytes (default 1048576)\n"
        "\n"
        "exit codes: 0 conformant (warnings allowed), 1 non-conformant, 2 usage or spec error,\n"
        "            3 could not test (unreachable, TLS, timeouts, credentials refused)\n",
        out);
}

typedef struct fuzz_flags {
  wc_cli_target target; /* the flags shared with run */
  bool help;
  wc_campaign_opts co;
  const char *phases;
} fuzz_flags;

static int count_flag(const char *flag, const char *v, uint64_t max, uint64_t *n) {
  if (wc_cli_parse_u64(v, max, n) && *n > 0) return 0;
  return wc_cli_usage_error("fuzz", "%s needs a number from 1 to %llu, got '%s'", flag, (unsigned long long)max,
                            v ? v : "");
}

static int shard_flag(const char *v, wc_campaign_opts *co) {
  unsigned k = 0, total = 0;
  char tail;
  if (!v || sscanf(v, "%u/%u%c", &k, &total, &tail) != 2 || total == 0 || total > 10000 || k < 1 || k > total)
    return wc_cli_usage_error("fuzz", "--shard needs K/N with 1 <= K <= N <= 10000, got '%s'", v ? v : "");
  co->shard_index = k;
  co->shard_count = total;
  return 0;
}

/* The flags of fuzz alone: 0, or the usage error's exit code. */
static int parse_own(int argc, char **argv, int *i, fuzz_flags *f) {
  const char *a = argv[*i], *v;
  bool m;
  uint64_t n;
  double d;
  int rc = 0;
#define FLAG(name) (((v = wc_cli_flag_value(argc, argv, i, name, &m)) != NULL) || m)
  if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
    f->help = true;
  } else if (strcmp(a, "--no-shrink") == 0) {
    f->co.no_shrink = true;
  } else if (FLAG("--max-requests")) {
    if ((rc = count_flag("--max-requests", v, 100000000, &n)) == 0) f->co.max_requests = n;
  } else if (FLAG("--duration")) {
    if (!wc_cli_parse_double(v, 0.001, 86400 * 7, &d))
      return wc_cli_usage_error("fuzz", "--duration needs seconds (0.001 to 604800), got '%s'", v ? v : "");
    f->co.duration_s = d;
  } else if (FLAG("--workers")) {
    if ((rc = count_flag("--workers", v, 256, &n)) == 0) f->co.workers = (unsigned)n;
  } else if (FLAG("--shrink-budget")) {
    if ((rc = count_flag("--shrink-budget", v, 100000, &n)) == 0) f->co.shrink_budget = (size_t)n;
  } else if (FLAG("--max-request-body")) {
    if (!wc_cli_parse_u64(v, (uint64_t)64 << 20, &n) || n < 16)
      return wc_cli_usage_error("fuzz", "--max-request-body needs bytes from 16 to 67108864, got '%s'", v ? v : "");
    f->co.max_request_body = (size_t)n;
  } else if (FLAG("--shard")) {
    rc = shard_flag(v, &f->co);
  } else if (a[0] == '-') {
    return wc_cli_usage_error("fuzz", "unknown option '%s'", a);
  } else {
    return wc_cli_usage_error("fuzz", "unexpected argument '%s'", a);
  }
#undef FLAG
  return rc;
}

static int parse(int argc, char **argv, fuzz_flags *f) {
  wc_cli_target_init(&f->target);
  wc_campaign_opts_default(&f->co);
  for (int i = 1; i < argc; i++) {
    int shared = wc_cli_target_flag(&f->target, "fuzz", argc, argv, &i);
    if (shared == 0) shared = wc_cli_writer_flag(&f->target, &f->phases, "fuzz", argc, argv, &i);
    if (shared < 0) return WC_EXIT_USAGE;
    if (shared == 0) {
      int rc = parse_own(argc, argv, &i, f);
      if (rc) return rc;
    }
  }
  return 0;
}

/* ---- progress (a TTY only) --------------------------------------------------- */

static void progress_line(void *ctx, const wc_campaign_stats *s) {
  FILE *out = ctx;
  double secs = s->elapsed_ms / 1000.0;
  fprintf(out, "\r  %-8s %8llu requests  %7.0f req/s  %4zu findings", s->phase ? s->phase : "",
          (unsigned long long)s->sent, secs > 0 ? (double)s->sent / secs : 0.0, s->findings);
  if (s->remaining_s >= 0) fprintf(out, "  %5.0f s left", s->remaining_s);
  fputs("   ", out);
  fflush(out);
}

/* ---- the summary ------------------------------------------------------------------ */

static void print_findings(const cJSON *report) {
  const cJSON *gen = cJSON_GetObjectItemCaseSensitive(report, "generated");
  const cJSON *findings = cJSON_GetObjectItemCaseSensitive(gen, "findings");
  int shown = 0, total = cJSON_GetArraySize(findings);
  const cJSON *f;
  cJSON_ArrayForEach(f, findings) {
    if (shown == 0) printf("  distinct findings (minimal request, shrink steps):\n");
    if (shown++ == 20) break;
    printf("    %-10s %-4s %-6.0f x%-6.0f %s @ %s (%s)\n", wc_json_str(f, "requirement", ""), wc_json_str(f, "status", ""),
           wc_json_num(f, "http_status", 0), wc_json_num(f, "count", 0), wc_json_str(f, "edge_class", ""),
           wc_json_str(f, "location", ""), wc_json_str(f, "case", ""));
    const char *minimal = wc_json_str(f, "minimal_description", "");
    if (*minimal)
      printf("               minimal: %.200s (%.0f bytes, from %.0f, %.0f steps)\n", minimal,
             wc_json_num(f, "minimal_size", 0), wc_json_num(f, "original_size", 0), wc_json_num(f, "shrink_steps", 0));
  }
  if (total > 20) printf("    ... and %d more (report.json, report.html)\n", total - 20);
}

static void print_summary(const cJSON *report, const wc_campaign_stats *stats, const char *dir, bool written) {
  const cJSON *sum = cJSON_GetObjectItemCaseSensitive(report, "summary");
  const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(report, "requirements");
  wc_cli_print_verdict("fuzz", report);
  double secs = stats->elapsed_ms / 1000.0;
  printf("  %llu requests in %.2f s (%.0f req/s; %llu coverage items, %llu re-sent while shrinking), %llu not "
         "sent (writes not allowed), %zu distinct findings\n",
         (unsigned long long)stats->sent, secs, secs > 0 ? (double)stats->sent / secs : 0.0,
         (unsigned long long)stats->coverage_count, (unsigned long long)stats->shrink_requests,
         (unsigned long long)stats->skipped, stats->findings);
  printf("  %.0f requirements: %.0f passed, %.0f failed, %.0f warnings, %.0f skipped\n", wc_json_num(sum, "total", 0),
         wc_json_num(sum, "passed", 0), wc_json_num(sum, "failed", 0), wc_json_num(sum, "warnings", 0),
         wc_json_num(sum, "skipped", 0));
  wc_cli_print_group(reqs, "fail", "failed");
  wc_cli_print_group(reqs, "warn", "warnings");
  print_findings(report);
  if (written) printf("  reports: %s/\n", dir);
}

/* ---- the command -------------------------------------------------------------------- */

/* run.shard "K/N": `whopconf report merge` orders the shards by it, lists
 * them in the merged report and refuses the same shard twice. */
static void label_shard(cJSON *report, const wc_campaign_opts *co) {
  if (!co->shard_count) return;
  char label[32];
  snprintf(label, sizeof label, "%u/%u", co->shard_index, co->shard_count);
  cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(report, "run"), "shard", label);
}

static int fuzz(fuzz_flags *ff, wc_spec *spec, FILE *progress) {
  wc_run_opts *o = &ff->target.run;
  wc_err err;
  wc_err_clear(&err);
  wc_run *run = wc_run_new(o, spec, &err);
  if (!run) {
    fprintf(stderr, "whopconf fuzz: %s\n", err.msg);
    return err.code == WC_E_USAGE ? WC_EXIT_USAGE : WC_EXIT_UNTESTABLE;
  }
  wc_cli_run_signals_start(run, progress);
  fprintf(progress, "whopconf fuzz: %s%s, pinned %s, seed %llu%s\n", o->base_url,
          o->embedded ? " (embedded reference server)" : "", o->api_version ? o->api_version : "?",
          (unsigned long long)o->seed, o->allow_writes ? "" : ", negative requests only (no --allow-writes)");
  wc_campaign_opts co = ff->co;
  co.seed = o->seed;
  if (isatty(STDERR_FILENO)) {
    co.progress = progress_line;
    co.progress_ctx = progress;
  }
  int exit_code = WC_EXIT_OK;
  wc_campaign_stats stats;
  memset(&stats, 0, sizeof stats);
  wc_buf msg;
  wc_buf_init(&msg);
  int recovered = wc_run_recover_journal(run, &msg, &err);
  if (msg.len) fprintf(progress, "whopconf fuzz: %s\n", msg.data);
  wc_buf_free(&msg);
  if (recovered < 0) {
    fprintf(progress, "whopconf fuzz: %s\n", err.msg);
    exit_code = err.code == WC_E_USAGE ? WC_EXIT_USAGE : WC_EXIT_UNTESTABLE;
  } else if (wc_run_setup(run, &err) == 0 && wc_campaign_run(run, spec, &co, &stats, &err) != 0) {
    fprintf(stderr, "whopconf fuzz: %s\n", err.msg);
    exit_code = err.code == WC_E_NOMEM ? WC_EXIT_UNTESTABLE : WC_EXIT_USAGE;
  }
  if (co.progress) fputc('\n', progress);
  wc_buf_init(&msg);
  wc_run_teardown(run, &msg);
  if (msg.len) fprintf(progress, "whopconf fuzz: %s\n", msg.data);
  wc_buf_free(&msg);
  /* The workers' malloc arenas keep the pages of what they freed (the kept
   * exchanges were made on the workers); handed back before the reports are
   * built, they do not add to the run's peak. */
#ifdef __GLIBC__
  malloc_trim(0);
#endif
  if (exit_code == WC_EXIT_OK) {
    cJSON *report = wc_run_report(run, &exit_code, &err);
    if (!report) {
      fprintf(stderr, "whopconf fuzz: %s\n", err.msg);
      exit_code = WC_EXIT_UNTESTABLE;
    } else {
      label_shard(report, &co);
      bool written = wc_report_write(report, spec, o->report_dir, ff->target.formats, &err) == 0;
      if (!written) {
        fprintf(stderr, "whopconf fuzz: cannot write the reports: %s\n", err.msg);
        if (exit_code == WC_EXIT_OK) exit_code = WC_EXIT_USAGE;
      }
      print_summary(report, &stats, o->report_dir, written);
      if (exit_code == WC_EXIT_UNTESTABLE)
        fprintf(stderr, "whopconf fuzz: could not test: %s\n",
                wc_json_str(cJSON_GetObjectItemCaseSensitive(report, "summary"), "reason", ""));
      cJSON_Delete(report);
    }
  }
  fflush(stdout);
  wc_cli_run_signals_stop();
  wc_run_free(run);
  return exit_code;
}

int wc_cli_fuzz(int argc, char **argv) {
#ifdef __GLIBC__
  /* Blocks of 256 KiB and more (generated bodies up to 1 MiB, report
   * texts) are mapped and unmapped each time: glibc's sliding threshold
   * would move them into the heaps after the first free, where their pages
   * stay resident (--workers 8 with 1,255 distinct findings: 62 -> 48 MB
   * peak, no change in speed). Only here: `check` reads in 1 MiB buffers
   * and lost 3% of its speed to mapping them. */
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
  signal(SIGPIPE, SIG_IGN);
  fuzz_flags ff;
  memset(&ff, 0, sizeof ff);
  int rc = parse(argc, argv, &ff);
  if (rc) return rc;
  if (ff.help) {
    usage(stdout);
    return WC_EXIT_OK;
  }
  rc = wc_cli_target_finish(&ff.target, "fuzz");
  if (rc) return rc;
  wc_json_arena_install(); /* before any thread parses: judged responses come from a per-thread arena */
  wc_err err;
  wc_err_clear(&err);
  int phases = wc_campaign_phases_parse(ff.phases, &err);
  if (phases < 0) return wc_cli_usage_error("fuzz", "--phases: %s", err.msg);
  ff.co.phases = (unsigned)phases;
  wc_run_opts *o = &ff.target.run;
  wc_spec *spec = o->spec_path ? wc_spec_load_file(o->spec_path, &err) : wc_spec_load_embedded(&err);
  if (!spec) {
    fprintf(stderr, "whopconf fuzz: spec: %s\n", err.msg);
    return WC_EXIT_USAGE;
  }
  wc_refserver *srv = NULL;
  if (wc_run_target_open(o, &srv, &err) != 0) {
    fprintf(stderr, "whopconf fuzz: %s\n", err.msg);
    rc = err.code == WC_E_TRANSPORT ? WC_EXIT_UNTESTABLE : WC_EXIT_USAGE;
  } else {
    FILE *progress = wc_cli_progress_stream();
    rc = fuzz(&ff, spec, progress);
    wc_cli_progress_close(progress);
  }
  wc_refserver_stop(srv);
  wc_spec_free(spec);
  return rc;
}
