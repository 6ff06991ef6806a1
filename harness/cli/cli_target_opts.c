/* The flags shared by the commands that send to a target (cli_target_opts.h). */
#include "cli_target_opts.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_args.h"
#include "whopconf/report.h"
#include "whopconf/versions.h"

void wc_cli_target_init(wc_cli_target *t) {
  memset(t, 0, sizeof *t);
  wc_run_opts_default(&t->run);
}

static int add_list(const char **list, size_t *count, const char *command, const char *flag, const char *v) {
  if (*count == WC_RUN_MAX_LIST) return wc_cli_usage_error(command, "%s given too many times", flag);
  list[(*count)++] = v;
  return 0;
}

/* Credentials and ids go into a header or a URL. */
static int clean_flag(const char *command, const char *flag, const char *what, const char *v, const char **out) {
  if (!wc_cli_clean_value(v))
    return wc_cli_usage_error(command, "%s needs %s of visible ASCII characters", flag, what);
  *out = v;
  return 0;
}

static int date_flag(const char *command, const char *flag, const char *v) {
  if (wc_version_well_formed(v)) return 0;
  return wc_cli_usage_error(command, "%s needs a date (YYYY-MM-DD, optionally -suffix), got '%s'", flag, v ? v : "");
}

static int seconds_flag(const char *command, const char *flag, const char *v, long *out_ms) {
  double d;
  if (!wc_cli_parse_double(v, 0.001, 3600, &d))
    return wc_cli_usage_error(command, "%s needs seconds (0.001 to 3600), got '%s'", flag, v ? v : "");
  *out_ms = (long)ceil(d * 1000.0);
  return 0;
}

static int text_flag(const char *command, const char *flag, const char *v, const char **out) {
  if (!v || !*v) return wc_cli_usage_error(command, "%s needs a value", flag);
  *out = v;
  return 0;
}

/* One shared flag a with its value v (NULL when missing): 0, or the usage
 * error's exit code. */
static int take_value(wc_cli_target *t, const char *cmd, const char *a, const char *v) {
  wc_run_opts *o = &t->run;
  uint64_t n;
  double d;
  if (strcmp(a, "--base-url") == 0) return text_flag(cmd, a, v, &o->base_url);
  if (strcmp(a, "--spec") == 0) return text_flag(cmd, a, v, &o->spec_path);
  if (strcmp(a, "--report-dir") == 0) return text_flag(cmd, a, v, &o->report_dir);
  if (strcmp(a, "--format") == 0) return text_flag(cmd, a, v, &t->format_list);
  if (strcmp(a, "--token") == 0) return clean_flag(cmd, a, "a token", v, &o->token);
  if (strcmp(a, "--api-key") == 0) return clean_flag(cmd, a, "a key", v, &o->api_key);
  if (strcmp(a, "--token-without-scope") == 0) return clean_flag(cmd, a, "a token", v, &o->token_without_scope);
  if (strcmp(a, "--account-id") == 0) {
    const char *id = NULL;
    if (clean_flag(cmd, a, "an id", v, &id)) return WC_EXIT_USAGE;
    return add_list(o->account_ids, &o->account_count, cmd, a, id);
  }
  if (strcmp(a, "--api-version") == 0) {
    if (date_flag(cmd, a, v)) return WC_EXIT_USAGE;
    o->api_version = v;
    return 0;
  }
  if (strcmp(a, "--known-version") == 0) {
    if (date_flag(cmd, a, v)) return WC_EXIT_USAGE;
    return add_list(o->known_versions, &o->known_count, cmd, a, v);
  }
  if (strcmp(a, "--timeout") == 0) return seconds_flag(cmd, a, v, &o->timeout_ms);
  if (strcmp(a, "--connect-timeout") == 0) return seconds_flag(cmd, a, v, &o->connect_timeout_ms);
  if (strcmp(a, "--max-response-time") == 0) {
    if (!wc_cli_parse_double(v, 1, 3600000, &d))
      return wc_cli_usage_error(cmd, "%s needs milliseconds (1 to 3600000), got '%s'", a, v ? v : "");
    o->max_response_ms = d;
    return 0;
  }
  if (strcmp(a, "--max-body") == 0) {
    if (!wc_cli_parse_u64(v, 1ULL << 32, &n) || n < 1024)
      return wc_cli_usage_error(cmd, "%s needs a number of bytes from 1024 to 4294967296, got '%s'", a,
                                v ? v : "");
    o->max_body = (size_t)n;
    return 0;
  }
  if (strcmp(a, "--cacert") == 0) {
    if (text_flag(cmd, a, v, &o->cacert)) return WC_EXIT_USAGE;
    return access(v, R_OK) == 0 ? 0 : wc_cli_usage_error(cmd, "%s %s: cannot read it", a, v);
  }
  if (strcmp(a, "--http-client") == 0) {
    if (v && strcmp(v, "auto") == 0) o->http_client = WC_HTTP_CLIENT_AUTO;
    else if (v && strcmp(v, "curl") == 0) o->http_client = WC_HTTP_CLIENT_CURL;
    else return wc_cli_usage_error(cmd, "%s needs auto or curl, got '%s'", a, v ? v : "");
    return 0;
  }
  if (strcmp(a, "--rate") == 0) {
    if (!wc_cli_parse_double(v, 0, 10000, &d))
      return wc_cli_usage_error(cmd, "%s needs requests per second (0 to 10000), got '%s'", a, v ? v : "");
    o->rate = d;
    return 0;
  }
  /* --retries */
  if (!wc_cli_parse_u64(v, 10, &n))
    return wc_cli_usage_error(cmd, "%s needs a number from 0 to 10, got '%s'", a, v ? v : "");
  o->retries = (int)n;
  return 0;
}

int wc_cli_target_flag(wc_cli_target *t, const char *command, int argc, char **argv, int *i) {
  static const char *const valued[] = {
      "--base-url",      "--token",   "--api-key",    "--token-without-scope", "--account-id",
      "--api-version",   "--known-version", "--spec", "--report-dir",          "--format",
      "--timeout",       "--connect-timeout", "--max-response-time", "--max-body", "--cacert",
      "--http-client",   "--rate",          "--retries"};
  const char *a = argv[*i];
  if (strcmp(a, "--insecure") == 0) return t->run.insecure = true, 1;
  if (strcmp(a, "--allow-http") == 0) return t->run.allow_http = true, 1;
  for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++) {
    bool matched;
    const char *v = wc_cli_flag_value(argc, argv, i, valued[k], &matched);
    if (matched) return take_value(t, command, valued[k], v) ? -1 : 1;
  }
  return 0;
}

int wc_cli_writer_flag(wc_cli_target *t, const char **phases, const char *command, int argc, char **argv, int *i) {
  wc_run_opts *o = &t->run;
  const char *a = argv[*i], *v;
  bool m;
  uint64_t n;
  if (strcmp(a, "--allow-writes") == 0) return o->allow_writes = true, 1;
  if (strcmp(a, "--allow-picture-writes") == 0) return o->allow_picture_writes = true, 1;
  if (strcmp(a, "--strict") == 0) return o->strict = true, 1;
  if ((v = wc_cli_flag_value(argc, argv, i, "--picture-id", &m)) || m) {
    if (!wc_cli_clean_value(v))
      return wc_cli_usage_error(command, "--picture-id needs an id of visible ASCII characters"), -1;
    o->picture_id = v;
    return 1;
  }
  if ((v = wc_cli_flag_value(argc, argv, i, "--seed", &m)) || m) {
    if (!wc_cli_parse_u64(v, (1ULL << 53) - 1, &n))
      return wc_cli_usage_error(command, "--seed needs a number from 0 to 2^53-1, got '%s'", v ? v : ""), -1;
    o->seed = n;
    return 1;
  }
  if ((v = wc_cli_flag_value(argc, argv, i, "--phases", &m)) || m) {
    if (!v || !*v) return wc_cli_usage_error(command, "--phases needs a value"), -1;
    *phases = v;
    return 1;
  }
  return 0;
}

int wc_cli_target_finish(wc_cli_target *t, const char *command) {
  wc_err err;
  wc_err_clear(&err);
  t->formats = wc_report_formats_parse(t->format_list ? t->format_list : "all", &err);
  if (t->formats < 0) return wc_cli_usage_error(command, "%s", err.msg);
  if (wc_run_opts_resolve(&t->run, &err) != 0) return wc_cli_usage_error(command, "%s", err.msg);
  return 0;
}
