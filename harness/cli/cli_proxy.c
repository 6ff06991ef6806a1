/* whopconf proxy: the validating proxy until SIGINT/SIGTERM or --duration.
 * The base URL is the first line on stdout; reports are written at the end
 * (and every --report-every seconds); one summary line goes to stderr. */
#include <errno.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_args.h"
#include "whopconf/json_arena.h"
#include "whopconf/proxy.h"
#include "whopconf/report.h"
#include "whopconf/request.h"

#define MAX_VERSIONS 32

static void usage(FILE *out) {
  fputs("usage: whopconf proxy --upstream URL [options]\n"
        "\n"
        "Forwards every request to the upstream and returns its response unchanged; judges every\n"
        "PATCH .../users/me exchange on both sides (request against the contract, response with the\n"
        "checks of `run`, for the version the request asked for). Prints its own base URL first.\n"
        "\n"
        "  --upstream URL             the API's base URL, e.g. https://api.example.com/api/v1\n"
        "  --host ADDR                listen address (default 127.0.0.1; anything but loopback\n"
        "                             only when given here explicitly)\n"
        "  --port N                   port (default 0: an ephemeral port)\n"
        "  --report-dir DIR           where reports go (default reports)\n"
        "  --format LIST              json,junit,sarif,md,html,har or all (default all)\n"
        "  --duration S               stop after S seconds (default: at SIGINT/SIGTERM)\n"
        "  --report-every S           rewrite the reports every S seconds\n"
        "  --annotate                 add 'Whopconf-Violations: N; see report' to judged responses\n"
        "  --known-version D          a known Api-Version-Date (repeatable; default: the public list)\n"
        "  --api-version D            the version with the latest shape (default: the newest known)\n"
        "  --spec FILE                the contract (default: the embedded spec/openapi.yml)\n"
        "  --cacert FILE              private CA bundle for an https upstream\n"
        "  --insecure                 skip TLS verification of the upstream (reported)\n"
        "  --allow-http               allow http:// to a non-loopback upstream\n"
        "  --timeout S                whole upstream exchange (default 30; more: 504)\n"
        "  --connect-timeout S        upstream connect (default 5)\n"
        "  --idle-timeout S           close a silent client connection (default 30)\n"
        "  --max-connections N        client connections at once (default 256)\n"
        "  --max-body BYTES           largest request body (default 1048576; more: 413)\n"
        "  --max-response-body BYTES  largest upstream body (default 8388608; more: 502)\n"
        "\n"
        "exit codes: 0 every judged exchange conformed, 1 one did not (or the upstream failed one),\n"
        "            2 usage error, 3 the upstream could not be reached at all\n",
        out);
}

#define bad(...) wc_cli_usage_error("proxy", __VA_ARGS__)

typedef struct proxy_cli {
  wc_proxy_opts o;
  const char *report_dir;
  int formats;
  double duration_s, report_every_s;
  const char *versions[MAX_VERSIONS];
  size_t nversions;
  char command_line[1024];
} proxy_cli;

static bool parse_bytes(const char *v, size_t *out) {
  uint64_t n;
  if (!wc_cli_parse_u64(v, 1ULL << 32, &n) || n == 0) return false;
  *out = (size_t)n;
  return true;
}

/* Takes argv[*i] (and its value, moving *i past it). Returns -1 to go on, or
 * an exit code (--help, or a usage error already printed). */
static int parse_option(proxy_cli *c, int argc, char **argv, int *i, const char **format_list) {
  const char *a = argv[*i], *v;
  bool m;
  uint64_t n;
  double d;
#define FLAG(name) (((v = wc_cli_flag_value(argc, argv, i, name, &m)) != NULL) || m)
  if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
    usage(stdout);
    return WC_EXIT_OK;
  } else if (strcmp(a, "--annotate") == 0) {
    c->o.annotate = true;
  } else if (strcmp(a, "--insecure") == 0) {
    c->o.insecure = true;
  } else if (strcmp(a, "--allow-http") == 0) {
    c->o.allow_http = true;
  } else if (FLAG("--upstream")) {
    if (!v || !*v) return bad("%s needs a URL", "--upstream");
    c->o.upstream = v;
  } else if (FLAG("--host")) {
    if (!v || !*v) return bad("%s needs an address", "--host");
    c->o.host = v;
    c->o.allow_non_loopback = true; /* given explicitly */
  } else if (FLAG("--port")) {
    if (!wc_cli_parse_u64(v, 65535, &n)) return bad("--port needs a number from 0 to 65535, got '%s'", v ? v : "");
    c->o.port = (unsigned short)n;
  } else if (FLAG("--report-dir")) {
    if (!v || !*v) return bad("%s needs a directory", "--report-dir");
    c->report_dir = v;
  } else if (FLAG("--format")) {
    if (!v || !*v) return bad("%s needs a list of formats", "--format");
    *format_list = v; /* checked once all options are read */
  } else if (FLAG("--duration")) {
    if (!wc_cli_parse_double(v, 0.001, 31536000, &c->duration_s))
      return bad("--duration needs seconds (0.001 to 31536000), got '%s'", v ? v : "");
  } else if (FLAG("--report-every")) {
    if (!wc_cli_parse_double(v, 0.1, 31536000, &c->report_every_s))
      return bad("--report-every needs seconds (0.1 to 31536000), got '%s'", v ? v : "");
  } else if (FLAG("--known-version")) {
    if (!wc_cli_clean_value(v)) return bad("--known-version needs a value without spaces, got '%s'", v ? v : "");
    if (c->nversions == MAX_VERSIONS) return bad("%s given too many times", "--known-version");
    c->versions[c->nversions++] = v;
  } else if (FLAG("--api-version")) {
    if (!wc_cli_clean_value(v)) return bad("--api-version needs a value without spaces, got '%s'", v ? v : "");
    c->o.api_version = v;
  } else if (FLAG("--spec")) {
    if (!v || !*v) return bad("%s needs a file", "--spec");
    c->o.spec_path = v;
  } else if (FLAG("--cacert")) {
    if (!v || !*v) return bad("%s needs a file", "--cacert");
    c->o.cacert = v;
  } else if (FLAG("--timeout")) {
    if (!wc_cli_parse_double(v, 0.001, 3600, &d)) return bad("--timeout needs seconds (0.001 to 3600), got '%s'", v ? v : "");
    c->o.timeout_ms = (long)(d * 1000.0 + 0.5);
  } else if (FLAG("--connect-timeout")) {
    if (!wc_cli_parse_double(v, 0.001, 3600, &d))
      return bad("--connect-timeout needs seconds (0.001 to 3600), got '%s'", v ? v : "");
    c->o.connect_timeout_ms = (long)(d * 1000.0 + 0.5);
  } else if (FLAG("--idle-timeout")) {
    if (!wc_cli_parse_u64(v, 3600, &n) || n == 0)
      return bad("--idle-timeout needs whole seconds (1 to 3600), got '%s'", v ? v : "");
    c->o.idle_timeout_s = (unsigned)n;
  } else if (FLAG("--max-connections")) {
    if (!wc_cli_parse_u64(v, 4096, &n) || n == 0)
      return bad("--max-connections needs a number from 1 to 4096, got '%s'", v ? v : "");
    c->o.max_connections = (unsigned)n;
  } else if (FLAG("--max-body")) {
    if (!parse_bytes(v, &c->o.max_request_body)) return bad("--max-body needs bytes (1 to 4294967296), got '%s'", v ? v : "");
  } else if (FLAG("--max-response-body")) {
    if (!parse_bytes(v, &c->o.max_response_body))
      return bad("--max-response-body needs bytes (1 to 4294967296), got '%s'", v ? v : "");
  } else {
    return bad("unknown option '%s'", a);
  }
#undef FLAG
  return -1;
}

/* The command line as the report shows it, cut to fit command_line. Every
 * option is safe to show (none carries a credential). */
static void record_command_line(proxy_cli *c, int argc, char **argv) {
  size_t len = 0;
  for (int i = 0; i < argc && len + 1 < sizeof c->command_line; i++) {
    int w = snprintf(c->command_line + len, sizeof c->command_line - len, "%s%s", i ? " " : "whopconf ", argv[i]);
    if (w < 0) break;
    len += (size_t)w;
  }
}

/* Returns -1 to go on, or an exit code. */
static int parse(proxy_cli *c, int argc, char **argv) {
  const char *format_list = "all";
  for (int i = 1; i < argc; i++) {
    int rc = parse_option(c, argc, argv, &i, &format_list);
    if (rc >= 0) return rc;
  }
  /* Checks that need every option read first. */
  if (!c->o.upstream) return bad("%s is required", "--upstream URL");
  wc_err err;
  c->formats = wc_report_formats_parse(format_list, &err);
  if (c->formats < 0) return bad("%s", err.msg);
  if (c->nversions) { /* otherwise the proxy keeps the public list */
    c->o.known_versions = c->versions;
    c->o.known_count = c->nversions;
  }
  record_command_line(c, argc, argv);
  return -1;
}

static bool write_reports(wc_proxy *p, const proxy_cli *c) {
  wc_err err;
  cJSON *report = wc_proxy_report(p, c->command_line, &err);
  bool ok = report && wc_report_write(report, wc_proxy_spec(p), c->report_dir, c->formats, &err) == 0;
  cJSON_Delete(report);
  if (!ok) fprintf(stderr, "whopconf proxy: reports not written: %s\n", err.msg);
  return ok;
}

static void print_summary(wc_proxy *p, const proxy_cli *c, bool written) {
  wc_proxy_stats s;
  wc_proxy_get_stats(p, &s);
  fprintf(stderr,
          "whopconf proxy: %zu exchanges: %zu judged (%zu conformed, %zu with violations: %zu on the request side, "
          "%zu on the response side), %zu passed through; %zu upstream failures, %zu client failures%s%s\n",
          s.exchanges, s.judged, s.conformed, s.violating, s.request_violations, s.response_violations,
          s.passed_through, s.upstream_failed, s.client_failed, written ? "; reports in " : "",
          written ? c->report_dir : "");
}

/* Waits for a stop signal until deadline_ms (monotonic); true when one came. */
static bool wait_signal(const sigset_t *stop, double wait_ms, int *sig) {
  if (wait_ms < 0) wait_ms = 0;
  struct timespec ts = {(time_t)(wait_ms / 1000.0), (long)(((long long)wait_ms % 1000) * 1000000LL)};
  for (;;) {
    int s = sigtimedwait(stop, NULL, &ts);
    if (s > 0) {
      *sig = s;
      return true;
    }
    if (errno != EINTR) return false; /* EAGAIN: the time is up */
  }
}

int wc_cli_proxy(int argc, char **argv) {
  proxy_cli c;
  memset(&c, 0, sizeof c);
  wc_proxy_opts_default(&c.o);
  c.report_dir = "reports";
  int rc = parse(&c, argc, argv);
  if (rc >= 0) return rc;

  /* Block the stop signals before any thread exists, so every thread
   * inherits the mask and only sigtimedwait() below sees them. */
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);
  signal(SIGPIPE, SIG_IGN);

  wc_json_arena_install(); /* before any thread parses: judged bodies come from a per-thread arena */
  wc_err err;
  wc_proxy *p = wc_proxy_start(&c.o, &err);
  if (!p) {
    fprintf(stderr, "whopconf proxy: %s\n", err.msg);
    return WC_EXIT_USAGE;
  }
  if (!wc_url_is_loopback(wc_proxy_base_url(p)))
    fprintf(stderr, "whopconf proxy: warning: listening on %s, reachable from other machines\n", c.o.host);
  if (c.o.insecure) fprintf(stderr, "whopconf proxy: warning: --insecure: the upstream's certificate is not verified\n");
  printf("%s\n", wc_proxy_base_url(p));
  fflush(stdout);

  double start = wc_monotonic_ms();
  double end = c.duration_s > 0 ? start + c.duration_s * 1000.0 : -1;
  double next_report = c.report_every_s > 0 ? start + c.report_every_s * 1000.0 : -1;
  int sig = 0;
  for (;;) {
    double now = wc_monotonic_ms();
    if (end >= 0 && now >= end) break;
    double wake = end;
    if (next_report >= 0 && (wake < 0 || next_report < wake)) wake = next_report;
    if (wait_signal(&stop, wake < 0 ? 3600000.0 : wake - now, &sig)) break;
    if (next_report >= 0 && wc_monotonic_ms() >= next_report) {
      write_reports(p, &c);
      next_report += c.report_every_s * 1000.0;
    }
  }
  if (sig) fprintf(stderr, "whopconf proxy: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  wc_proxy_stop(p);
  bool written = write_reports(p, &c);
  print_summary(p, &c, written);
  int code = written ? wc_proxy_exit_code(p) : WC_EXIT_USAGE;
  wc_proxy_free(p);
  return code;
}
