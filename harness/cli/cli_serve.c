/* whopconf serve: the reference server on loopback until SIGINT/SIGTERM.
 * The base URL is the first line on stdout; one line per request goes to
 * stderr (method, path, status, time: never a credential). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_args.h"
#include "whopconf/refserver.h"
#include "whopconf/versions.h"

#define MAX_LIST 64

static void usage(FILE *out) {
  fputs("usage: whopconf serve [options]\n"
        "\n"
        "Starts the reference implementation of PATCH /users/me and prints its base URL.\n"
        "\n"
        "  --host ADDR                listen address (default 127.0.0.1; anything but loopback\n"
        "                             only when given here explicitly)\n"
        "  --port N                   port (default 0: an ephemeral port)\n"
        "  --fault NAME               inject a fault (repeatable; see --list-faults)\n"
        "  --list-faults              print: name requirement kind description, one per line\n"
        "  --lenient OPTION           a lenient but conformant rule (repeatable; see --list-lenient):\n"
        "                             trim, username-rules, max-name=N, max-bio=N\n"
        "  --list-lenient             print: option description, one per line\n"
        "  --user-token T             token with scope user:profile:update (default " WC_REFSERVER_DEFAULT_USER_TOKEN ")\n"
        "  --token-without-scope T    user token lacking it (default " WC_REFSERVER_DEFAULT_TOKEN_WITHOUT_SCOPE ")\n"
        "  --api-key K                API key (default " WC_REFSERVER_DEFAULT_API_KEY ")\n"
        "  --known-version D          accepted Api-Version-Date (repeatable; replaces the default list\n"
        "                             " WC_DEFAULT_VERSIONS_TEXT ")\n"
        "  --show-balances            PATCH responses carry balances and total_usd\n"
        "  --max-body N               request body limit in bytes (default 65536; more gets 413)\n"
        "\n"
        "Stops cleanly on SIGINT or SIGTERM (exit 0). Bad options: exit 2.\n",
        out);
}

static void log_line(void *ctx, const char *line) {
  (void)ctx;
  fprintf(stderr, "whopconf serve: %s\n", line);
}

static void list_faults(void) {
  for (size_t i = 0; i < wc_fault_count(); i++) {
    const wc_fault_info *f = wc_fault_get(i);
    printf("%-30s %-10s %-11s %s\n", f->name, f->requirement ? f->requirement : "-", f->kind, f->description);
  }
}

static void list_lenient(void) {
  for (size_t i = 0; i < wc_lenient_count(); i++) {
    const wc_lenient_info *l = wc_lenient_get(i);
    printf("%-16s %s\n", l->name, l->description);
  }
}

static bool loopback_name(const char *host) {
  return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 || strcmp(host, "localhost") == 0;
}

/* The options plus the storage their lists point into: opts.faults,
 * opts.lenient and opts.known_versions are pointers into these arrays. */
typedef struct serve_cli {
  wc_refserver_opts opts;
  const char *faults[MAX_LIST], *versions[MAX_LIST], *lenient[MAX_LIST];
  size_t nfaults, nversions, nlenient;
} serve_cli;

/* Returns -1 to go on, or an exit code (--help and the lists end here too). */
static int parse_options(serve_cli *c, int argc, char **argv) {
  wc_refserver_opts_default(&c->opts);
  c->nfaults = c->nversions = c->nlenient = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v;
    bool m;
    uint64_t num;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return WC_EXIT_OK;
    } else if (strcmp(a, "--list-faults") == 0) {
      list_faults();
      return WC_EXIT_OK;
    } else if (strcmp(a, "--list-lenient") == 0) {
      list_lenient();
      return WC_EXIT_OK;
    } else if (strcmp(a, "--show-balances") == 0) {
      c->opts.show_balances = true;
    } else if ((v = wc_cli_flag_value(argc, argv, &i, "--host", &m)) || m) {
      if (!v || !*v) return wc_cli_usage_error("serve", "%s needs an address", "--host");
      c->opts.host = v;
      c->opts.allow_non_loopback = true; /* given explicitly */
    } else if ((v = wc_cli_flag_value(argc, argv, &i, "--port", &m)) || m) {
      if (!wc_cli_parse_u64(v, 65535, &num)) return wc_cli_usage_error("serve", "--port needs a number from 0 to 65535, got '%s'", v ? v : "");
      c->opts.port = (unsigned short)num;
    } else if ((v = wc_cli_flag_value(argc, argv, &i, "--fault", &m)) || m) {
      if (!v || !wc_fault_find(v)) return wc_cli_usage_error("serve", "unknown fault '%s' (see --list-faults)", v ? v : "");
      if (c->nfaults == MAX_LIST) return wc_cli_usage_error("serve", "%s given too many times", "--fault");
      c->faults[c->nfaults++] = v;
    } else if ((v = wc_cli_flag_value(argc, argv, &i, "--lenient", &m)) || m) {
      if (!v || !*v) return wc_cli_usage_error("serve", "%s needs an option (see --list-lenient)", "--lenient");
      if (c->nlenient == MAX_LIST) return wc_cli_usage_error("serve", "%s given too many times", "--lenient");
      c->lenient[c->nlenient++] = v; /* checked by the server's start: one line, exit 2 */
    } else if ((v = wc_cli_flag_value(argc, argv, &i, "--known-version", &m)) || m) {
      if (!wc_cli_clean_value(v))
        return wc_cli_usage_error("serve", "--known-version needs a non-empty value without spaces, got '%s'",
                                  v ? v : "");
      if (c->nversions == MAX_LIST) return wc_cli_usage_error("serve", "%s given too many times", "--known-version");
      c->versions[c->nversions++] = v;
    } else if ((v = wc_cli_flag_value(argc, argv, &i, "--user-token", &m)) || m) {
      if (!wc_cli_clean_value(v)) return wc_cli_usage_error("serve", "%s needs a non-empty token of visible ASCII characters", "--user-token");
      c->opts.user_token = v;
    } else if ((v = wc_cli_flag_value(argc, argv, &i, "--token-without-scope", &m)) || m) {
      if (!wc_cli_clean_value(v))
        return wc_cli_usage_error("serve", "%s needs a non-empty token of visible ASCII characters", "--token-without-scope");
      c->opts.token_without_scope = v;
    } else if ((v = wc_cli_flag_value(argc, argv, &i, "--api-key", &m)) || m) {
      if (!wc_cli_clean_value(v)) return wc_cli_usage_error("serve", "%s needs a non-empty key of visible ASCII characters", "--api-key");
      c->opts.api_key = v;
    } else if ((v = wc_cli_flag_value(argc, argv, &i, "--max-body", &m)) || m) {
      if (!wc_cli_parse_u64(v, 1ULL << 30, &num) || num == 0)
        return wc_cli_usage_error("serve", "--max-body needs a number of bytes from 1 to 1073741824, got '%s'", v ? v : "");
      c->opts.max_body = (size_t)num;
    } else {
      return wc_cli_usage_error("serve", "unknown option '%s'", a);
    }
  }
  c->opts.faults = c->faults;
  c->opts.fault_count = c->nfaults;
  c->opts.lenient = c->lenient;
  c->opts.lenient_count = c->nlenient;
  if (c->nversions) { /* otherwise the server keeps its default list */
    c->opts.known_versions = c->versions;
    c->opts.known_version_count = c->nversions;
  }
  c->opts.log = log_line;
  return -1;
}

/* Block the stop signals before any thread exists, so every server thread
 * inherits the mask and only sigwait() in wc_cli_serve sees them. */
static void block_stop_signals(sigset_t *stop) {
  sigemptyset(stop);
  sigaddset(stop, SIGINT);
  sigaddset(stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, stop, NULL);
  signal(SIGPIPE, SIG_IGN);
}

/* The base URL goes first on stdout (callers read that one line to find the
 * server); the rest is for the person watching stderr. */
static void announce(const wc_refserver *srv, const serve_cli *c) {
  if (!loopback_name(c->opts.host))
    fprintf(stderr, "whopconf serve: warning: listening on %s, reachable from other machines\n", c->opts.host);
  printf("%s\n", wc_refserver_base_url(srv));
  fflush(stdout);
  for (size_t i = 0; i < c->nfaults; i++) fprintf(stderr, "whopconf serve: fault %s active\n", c->faults[i]);
  for (size_t i = 0; i < c->nlenient; i++) fprintf(stderr, "whopconf serve: lenient %s\n", c->lenient[i]);
}

int wc_cli_serve(int argc, char **argv) {
  serve_cli c;
  int rc = parse_options(&c, argc, argv);
  if (rc >= 0) return rc;

  sigset_t stop;
  block_stop_signals(&stop);

  wc_err err;
  wc_refserver *srv = wc_refserver_start(&c.opts, &err);
  if (!srv) {
    fprintf(stderr, "whopconf serve: %s\n", err.msg);
    return WC_EXIT_USAGE;
  }
  announce(srv, &c);

  int sig = 0;
  sigwait(&stop, &sig);
  fprintf(stderr, "whopconf serve: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  wc_refserver_stop(srv);
  return WC_EXIT_OK;
}
