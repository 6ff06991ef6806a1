/* The options `whopconf run` and `whopconf fuzz` share (target,
 * credentials, contract, transport, TLS, rate, reports), the preparation of
 * the target (pinned version, credentials from the environment, the
 * embedded server, the plain-http refusal) and the pieces of the summary. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_run.h"
#include "whopconf/refserver.h"
#include "whopconf/report.h"

static const char *g_cmd = "run"; /* the command whose options are parsed */

static int bad(const char *fmt, const char *a, const char *b) {
  fprintf(stderr, "whopconf %s: ", g_cmd);
  fprintf(stderr, fmt, a ? a : "", b ? b : "");
  fprintf(stderr, " (try whopconf %s --help)\n", g_cmd);
  return WC_EXIT_USAGE;
}

int wc_cli_bad(const char *cmd, const char *fmt, const char *a, const char *b) {
  g_cmd = cmd;
  return bad(fmt, a, b);
}

/* "--flag=value" or "--flag value"; *matched tells whether argv[*i] is --flag. */
const char *wc_cli_flag_value(int argc, char **argv, int *i, const char *flag, bool *matched) {
  size_t n = strlen(flag);
  *matched = false;
  if (strncmp(argv[*i], flag, n) != 0) return NULL;
  if (argv[*i][n] == '=') {
    *matched = true;
    return argv[*i] + n + 1;
  }
  if (argv[*i][n] != '\0') return NULL;
  *matched = true;
  return *i + 1 < argc ? argv[++*i] : NULL;
}

bool wc_cli_parse_u64(const char *s, uint64_t max, uint64_t *out) {
  if (!s || !*s || *s == '-' || *s == '+') return false;
  errno = 0;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v > max) return false;
  *out = v;
  return true;
}

bool wc_cli_parse_double(const char *s, double min, double max, double *out) {
  if (!s || !*s) return false;
  errno = 0;
  char *end;
  double v = strtod(s, &end);
  if (errno || *end || !isfinite(v) || v < min || v > max) return false;
  *out = v;
  return true;
}

/* A credential or id goes into a header or a URL: visible ASCII only. */
static bool clean_value(const char *s) {
  if (!s || !*s) return false;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p <= 0x20 || *p >= 0x7f) return false;
  return true;
}

static bool is_date(const char *s) {
  if (!s || strlen(s) < 10) return false;
  for (int i = 0; i < 10; i++)
    if ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) return false;
  return s[10] == '\0' || s[10] == '-';
}


static int add_list(const char **list, size_t *count, const char *flag, const char *v) {
  if (*count == WC_RUN_MAX_LIST) return bad("%s given too many times", flag, NULL);
  list[(*count)++] = v;
  return 0;
}

int wc_cli_common_parse(const char *cmd, int argc, char **argv, wc_cli_common *st, wc_cli_extra_flag extra,
                        void *extra_ctx) {
  g_cmd = cmd;
  wc_run_opts *o = &st->run;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v;
    bool m;
    uint64_t n;
    double d;
    int rc;
#define FLAG(name) (((v = wc_cli_flag_value(argc, argv, &i, name, &m)) != NULL) || m)
#define NEED(name)                                          \
  if (!v || !*v) return bad("%s needs a value", name, NULL)
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      st->help = true;
    } else if (strcmp(a, "--list-requirements") == 0) {
      st->list_requirements = true;
    } else if (strcmp(a, "--list-cases") == 0) {
      st->list_cases = true;
    } else if (strcmp(a, "--allow-writes") == 0) {
      o->allow_writes = true;
    } else if (strcmp(a, "--allow-picture-writes") == 0) {
      o->allow_picture_writes = true;
    } else if (strcmp(a, "--strict") == 0) {
      o->strict = true;
    } else if (strcmp(a, "--keep-going") == 0) {
      o->keep_going = true;
    } else if (strcmp(a, "--insecure") == 0) {
      o->insecure = true;
    } else if (strcmp(a, "--allow-http") == 0) {
      o->allow_http = true;
    } else if (FLAG("--base-url")) {
      NEED("--base-url");
      o->base_url = v;
    } else if (FLAG("--token")) {
      if (!clean_value(v)) return bad("--token needs a token of visible ASCII characters", NULL, NULL);
      o->token = v;
    } else if (FLAG("--api-key")) {
      if (!clean_value(v)) return bad("--api-key needs a key of visible ASCII characters", NULL, NULL);
      o->api_key = v;
    } else if (FLAG("--token-without-scope")) {
      if (!clean_value(v))
        return bad("--token-without-scope needs a token of visible ASCII characters", NULL, NULL);
      o->token_without_scope = v;
    } else if (FLAG("--account-id")) {
      if (!clean_value(v)) return bad("--account-id needs an id of visible ASCII characters", NULL, NULL);
      if (add_list(o->account_ids, &o->account_count, "--account-id", v)) return WC_EXIT_USAGE;
    } else if (FLAG("--picture-id")) {
      if (!clean_value(v)) return bad("--picture-id needs an id of visible ASCII characters", NULL, NULL);
      o->picture_id = v;
    } else if (FLAG("--api-version")) {
      if (!is_date(v)) return bad("--api-version needs a date (YYYY-MM-DD, optionally -suffix), got '%s'", v, NULL);
      o->api_version = v;
    } else if (FLAG("--known-version")) {
      if (!is_date(v)) return bad("--known-version needs a date (YYYY-MM-DD, optionally -suffix), got '%s'", v, NULL);
      if (add_list(o->known_versions, &o->known_count, "--known-version", v)) return WC_EXIT_USAGE;
    } else if (FLAG("--spec")) {
      NEED("--spec");
      o->spec_path = v;
    } else if (FLAG("--report-dir")) {
      NEED("--report-dir");
      o->report_dir = v;
    } else if (FLAG("--format")) {
      NEED("--format");
      st->format_list = v;
    } else if (FLAG("--only")) {
      NEED("--only");
      if (add_list(o->only, &o->only_count, "--only", v)) return WC_EXIT_USAGE;
    } else if (FLAG("--seed")) {
      if (!wc_cli_parse_u64(v, (1ULL << 53) - 1, &n)) return bad("--seed needs a number from 0 to 2^53-1, got '%s'", v, NULL);
      o->seed = n;
    } else if (FLAG("-j") || FLAG("--jobs")) {
      if (!wc_cli_parse_u64(v, 64, &n) || n == 0) return bad("--jobs needs a number from 1 to 64, got '%s'", v, NULL);
      st->exec.jobs = (int)n;
    } else if (FLAG("--timeout")) {
      if (!wc_cli_parse_double(v, 0.001, 3600, &d)) return bad("--timeout needs seconds (0.001 to 3600), got '%s'", v, NULL);
      o->timeout_ms = (long)ceil(d * 1000.0);
    } else if (FLAG("--connect-timeout")) {
      if (!wc_cli_parse_double(v, 0.001, 3600, &d))
        return bad("--connect-timeout needs seconds (0.001 to 3600), got '%s'", v, NULL);
      o->connect_timeout_ms = (long)ceil(d * 1000.0);
      st->connect_timeout_given = true;
    } else if (FLAG("--max-response-time")) {
      if (!wc_cli_parse_double(v, 1, 3600000, &d))
        return bad("--max-response-time needs milliseconds (1 to 3600000), got '%s'", v, NULL);
      o->max_response_ms = d;
    } else if (FLAG("--max-body")) {
      if (!wc_cli_parse_u64(v, 1ULL << 32, &n) || n < 1024)
        return bad("--max-body needs a number of bytes from 1024 to 4294967296, got '%s'", v, NULL);
      o->max_body = (size_t)n;
    } else if (FLAG("--cacert")) {
      NEED("--cacert");
      if (access(v, R_OK) != 0) return bad("--cacert %s: cannot read it", v, NULL);
      o->cacert = v;
    } else if (FLAG("--rate")) {
      if (!wc_cli_parse_double(v, 0, 10000, &d)) return bad("--rate needs requests per second (0 to 10000), got '%s'", v, NULL);
      o->rate = d;
    } else if (FLAG("--retries")) {
      if (!wc_cli_parse_u64(v, 10, &n)) return bad("--retries needs a number from 0 to 10, got '%s'", v, NULL);
      o->retries = (int)n;
    } else if (extra && (m = (rc = extra(extra_ctx, argc, argv, &i)) != 0, m)) {
      if (rc != 1) return rc;
    } else if (a[0] == '-') {
      return bad("unknown option '%s'", a, NULL);
    } else {
      return bad("unexpected argument '%s'", a, NULL);
    }
#undef FLAG
#undef NEED
  }
  return 0;
}

const char *wc_cli_env_or(const char *given, const char *name) {
  if (given) return given;
  const char *v = getenv(name);
  return v && *v ? v : NULL;
}

const char *wc_cli_jstr(const cJSON *o, const char *name) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
  return cJSON_IsString(v) ? v->valuestring : "";
}

double wc_cli_jnum(const cJSON *o, const char *name) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
  return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

void wc_cli_print_group(const cJSON *reqs, const char *status, const char *title) {
  bool header = false;
  const cJSON *r;
  cJSON_ArrayForEach(r, reqs) {
    if (strcmp(wc_cli_jstr(r, "status"), status) != 0) continue;
    if (!header) printf("  %s:\n", title);
    header = true;
    printf("    %-10s %-6s %s\n", wc_cli_jstr(r, "id"), wc_cli_jstr(r, "level"), wc_cli_jstr(r, "title"));
    printf("               %.300s\n", wc_cli_jstr(r, "reason"));
  }
}

FILE *wc_cli_progress_stream(void) {
  /* Criterion points stderr at /dev/null while the cases run (quiet mode);
   * progress lines need the real one. */
  int fd = dup(STDERR_FILENO);
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (!f) {
    if (fd >= 0) close(fd);
    return stderr;
  }
  setvbuf(f, NULL, _IOLBF, 0);
  return f;
}


/* ---- after parsing -------------------------------------------------------------- */

int wc_cli_common_finish(const char *cmd, wc_cli_common *st) {
  g_cmd = cmd;
  wc_run_opts *o = &st->run;
  wc_err err;
  wc_err_clear(&err);
  st->formats = wc_report_formats_parse(st->format_list ? st->format_list : "all", &err);
  if (st->formats < 0) return bad("%s", err.msg, NULL);
  if (!st->connect_timeout_given) o->connect_timeout_ms = o->timeout_ms < 5000 ? o->timeout_ms : 5000;
  if (o->connect_timeout_ms > o->timeout_ms) o->connect_timeout_ms = o->timeout_ms;

  /* The pinned version must be one the run considers known. */
  if (o->api_version) {
    bool known = false;
    if (o->known_count)
      for (size_t i = 0; i < o->known_count; i++) known = known || strcmp(o->known_versions[i], o->api_version) == 0;
    else
      for (size_t i = 0; i < wc_default_version_count(); i++)
        known = known || strcmp(wc_default_version(i), o->api_version) == 0;
    if (!known)
      return bad("--api-version %s is not a known version (add --known-version %s)", o->api_version, o->api_version);
  }
  if (!o->api_version) { /* the newest known version (dates sort as strings) */
    for (size_t i = 0; i < o->known_count; i++)
      if (!o->api_version || strcmp(o->known_versions[i], o->api_version) > 0) o->api_version = o->known_versions[i];
    for (size_t i = 0; !o->known_count && i < wc_default_version_count(); i++)
      if (!o->api_version || strcmp(wc_default_version(i), o->api_version) > 0) o->api_version = wc_default_version(i);
  }
  if (o->allow_picture_writes && !o->base_url && !o->picture_id) o->picture_id = WC_CLI_EMBEDDED_PICTURE_ID;
  return 0;
}

int wc_cli_target_start(const char *cmd, wc_cli_common *st, wc_refserver **srv) {
  wc_run_opts *o = &st->run;
  wc_err err;
  wc_err_clear(&err);
  *srv = NULL;
  /* Credentials: flags, else the environment; the embedded server's own
   * defaults when it is the target. */
  o->token = wc_cli_env_or(o->token, WC_ENV_TOKEN);
  o->api_key = wc_cli_env_or(o->api_key, WC_ENV_API_KEY);
  o->token_without_scope = wc_cli_env_or(o->token_without_scope, WC_ENV_TOKEN_WITHOUT_SCOPE);
  if (!o->base_url) {
    wc_refserver_opts so;
    wc_refserver_opts_default(&so);
    so.host = "127.0.0.1";
    so.port = 0;
    if (o->known_count) {
      so.known_versions = o->known_versions;
      so.known_version_count = o->known_count;
    }
    *srv = wc_refserver_start(&so, &err);
    if (!*srv) {
      fprintf(stderr, "whopconf %s: could not start the embedded server: %s\n", cmd, err.msg);
      return WC_EXIT_UNTESTABLE;
    }
    o->base_url = wc_refserver_base_url(*srv);
    o->embedded = true;
    o->allow_writes = true;
    o->token = WC_REFSERVER_DEFAULT_USER_TOKEN;
    o->api_key = WC_REFSERVER_DEFAULT_API_KEY;
    o->token_without_scope = WC_REFSERVER_DEFAULT_TOKEN_WITHOUT_SCOPE;
    if (o->account_count == 0) {
      o->account_ids[o->account_count++] = WC_CLI_EMBEDDED_ACCOUNT_A;
      o->account_ids[o->account_count++] = WC_CLI_EMBEDDED_ACCOUNT_B;
    }
    return 0;
  }
  char *joined = wc_url_join(o->base_url, "/users/me", &err);
  if (!joined) {
    fprintf(stderr, "whopconf %s: --base-url: %s\n", cmd, err.msg);
    return WC_EXIT_USAGE;
  }
  free(joined);
  if (strncmp(o->base_url, "http://", 7) == 0 && !wc_url_is_loopback(o->base_url) && !o->allow_http) {
    fprintf(stderr, "whopconf %s: --base-url is plain http:// to a non-loopback host: "
                    "credentials would travel in clear; use https:// or --allow-http\n", cmd);
    return WC_EXIT_USAGE;
  }
  return 0;
}
