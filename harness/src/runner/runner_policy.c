/* The run's policy: what the options mean once parsed, shared by every
 * command that sends requests to a target (see runner.h). The CLI parses
 * flags into wc_run_opts; these functions fill in what was left to them and
 * refuse what whopconf will not do. */
#include <stdlib.h>
#include <string.h>

#include "runner_internal.h"
#include "whopconf/refserver.h"
#include "whopconf/versions.h"

/* The embedded server's accounts, so the isolation check runs by default,
 * and the upload id its picture case sends. */
#define EMBEDDED_ACCOUNT_A "biz_whopconf_a"
#define EMBEDDED_ACCOUNT_B "biz_whopconf_b"
#define EMBEDDED_PICTURE_ID "file_whopconf_picture"
#define EMBEDDED_MAX_BODY ((size_t)8 << 20)

static const char *env_or(const char *given, const char *name) {
  if (given) return given;
  const char *v = getenv(name);
  return v && *v ? v : NULL;
}

/* The pinned version must be one the run considers known; by default it is
 * the newest known. */
static int pin_version(wc_run_opts *o, wc_err *err) {
  size_t count = o->known_count;
  const char *const *known = wc_versions_or_default(o->known_versions, &count);
  if (!o->api_version) o->api_version = wc_version_newest(known, count);
  if (wc_version_listed(known, count, o->api_version)) return 0;
  wc_err_set(err, WC_E_USAGE, "--api-version %s is not a known version (add --known-version %s)",
             o->api_version, o->api_version);
  return -1;
}

int wc_run_opts_resolve(wc_run_opts *o, wc_err *err) {
  o->token = env_or(o->token, WC_ENV_TOKEN);
  o->api_key = env_or(o->api_key, WC_ENV_API_KEY);
  o->token_without_scope = env_or(o->token_without_scope, WC_ENV_TOKEN_WITHOUT_SCOPE);
  if (o->connect_timeout_ms > o->timeout_ms) o->connect_timeout_ms = o->timeout_ms;
  return pin_version(o, err);
}

static int check_remote(const wc_run_opts *o, wc_err *err) {
  wc_err join_err;
  char *joined = wc_url_join(o->base_url, "/users/me", &join_err);
  if (!joined) {
    wc_err_set(err, WC_E_USAGE, "--base-url: %s", join_err.msg);
    return -1;
  }
  free(joined);
  if (strncmp(o->base_url, "http://", 7) == 0 && !wc_url_is_loopback(o->base_url) && !o->allow_http) {
    wc_err_set(err, WC_E_REFUSED,
               "--base-url is plain http:// to a non-loopback host: credentials would travel in clear; "
               "use https:// or --allow-http");
    return -1;
  }
  return 0;
}

static wc_refserver *start_embedded(wc_run_opts *o, wc_err *err) {
  wc_refserver_opts so;
  wc_refserver_opts_default(&so);
  so.host = "127.0.0.1";
  so.port = 0;
  /* The contract sets no size limit: the embedded target takes every body
   * the generated phases send by default (up to 1 MiB), so what they learn
   * is about the input, not the server's door. */
  so.max_body = EMBEDDED_MAX_BODY;
  if (o->known_count) {
    so.known_versions = o->known_versions;
    so.known_version_count = o->known_count;
  }
  wc_err start_err;
  wc_refserver *srv = wc_refserver_start(&so, &start_err);
  if (!srv) {
    wc_err_set(err, WC_E_TRANSPORT, "could not start the embedded server: %s", start_err.msg);
    return NULL;
  }
  o->base_url = wc_refserver_base_url(srv);
  o->embedded = true;
  o->allow_writes = true;
  o->token = WC_REFSERVER_DEFAULT_USER_TOKEN;
  o->api_key = WC_REFSERVER_DEFAULT_API_KEY;
  o->token_without_scope = WC_REFSERVER_DEFAULT_TOKEN_WITHOUT_SCOPE;
  if (o->account_count == 0) {
    o->account_ids[o->account_count++] = EMBEDDED_ACCOUNT_A;
    o->account_ids[o->account_count++] = EMBEDDED_ACCOUNT_B;
  }
  if (o->allow_picture_writes && !o->picture_id) o->picture_id = EMBEDDED_PICTURE_ID;
  return srv;
}

int wc_run_target_open(wc_run_opts *o, wc_refserver **server, wc_err *err) {
  *server = NULL;
  if (o->base_url) return check_remote(o, err);
  *server = start_embedded(o, err);
  return *server ? 0 : -1;
}
