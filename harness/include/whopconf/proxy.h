/* whopconf: the validating proxy (`whopconf proxy`).
 *
 * Listens on loopback (libmicrohttpd, one thread per client connection),
 * forwards every request to the upstream (libcurl, one easy handle per
 * thread, keep-alive, redirects never followed, TLS verified) and returns
 * the upstream's response unchanged. Every PATCH {prefix}/users/me exchange
 * is judged on both sides by the traffic judge after its response has been
 * handed to the client; every other exchange is passed through and counted.
 *
 * What the proxy keeps is bounded whatever the traffic: counts, the
 * observations of the judged exchanges, and at most max_recorded exchange
 * records (violating and failed ones first), each redacted like `run`'s. */
#ifndef WHOPCONF_PROXY_H
#define WHOPCONF_PROXY_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "whopconf/common.h"
#include "whopconf/spec.h"

typedef struct wc_proxy_opts {
  const char *upstream;     /* base URL of the upstream: http(s)://host[:port][/prefix] */
  const char *host;         /* listen address, default "127.0.0.1" */
  unsigned short port;      /* 0 = an ephemeral port */
  bool allow_non_loopback;  /* needed to listen on anything but 127/8 or ::1 */
  const char *cacert;       /* private CA for an https upstream, or NULL */
  bool insecure;            /* skip TLS verification of the upstream (reported) */
  bool allow_http;          /* plain http:// to a non-loopback upstream */
  bool annotate;            /* add Whopconf-Violations to judged responses */
  size_t max_request_body;  /* client body cap, default 1 MiB (more: 413) */
  size_t max_response_body; /* upstream body cap, default 8 MiB (more: 502) */
  long connect_timeout_ms;  /* upstream connect, default 5000 */
  long timeout_ms;          /* whole upstream exchange, default 30000 (more: 504) */
  unsigned idle_timeout_s;  /* a silent client connection is closed, default 30 */
  unsigned max_connections; /* client connections at once, default 256 */
  size_t max_recorded;      /* exchange records kept for the report, default 100 */
  /* Judging: the versions the contract knows (NULL = the public list) and
   * the one whose shape is the latest (NULL = the newest known). */
  const char *const *known_versions;
  size_t known_count;
  const char *api_version;
  const char *spec_path; /* the contract; NULL = the embedded spec/openapi.yml */
} wc_proxy_opts;

void wc_proxy_opts_default(wc_proxy_opts *opts);

typedef struct wc_proxy wc_proxy;

/* NULL (err set) when the upstream URL is unusable or the port cannot be
 * bound. Nothing is sent to the upstream before a client asks. */
wc_proxy *wc_proxy_start(const wc_proxy_opts *opts, wc_err *err);
/* Stops accepting, aborts upstream transfers in flight and waits for every
 * connection thread: afterwards the counts and the report are final.
 * Idempotent. */
void wc_proxy_stop(wc_proxy *p);
/* Stops (when still running) and frees. */
void wc_proxy_free(wc_proxy *p);

/* "http://127.0.0.1:41234/api/v1": the upstream's path below our origin. */
const char *wc_proxy_base_url(const wc_proxy *p);
unsigned short wc_proxy_port(const wc_proxy *p);
/* The contract the exchanges are judged by (for the report renderers). */
const wc_spec *wc_proxy_spec(const wc_proxy *p);

typedef struct wc_proxy_stats {
  size_t exchanges;       /* requests answered or abandoned */
  size_t judged;          /* PATCH {prefix}/users/me exchanges that reached the judge */
  size_t passed_through;  /* other exchanges, forwarded and counted */
  size_t conformed;       /* judged without a violation */
  size_t violating;       /* judged with at least one violation */
  size_t request_violations;  /* judged exchanges failing on the request side (client bugs) */
  size_t response_violations; /* ... on the response side (server bugs) */
  size_t upstream_failed;  /* the upstream failed (timeout, reset, oversized ...): 502/504 */
  size_t upstream_reached; /* the upstream answered with a complete response */
  size_t client_failed;    /* the client failed (oversized body, timed out, left) */
} wc_proxy_stats;

void wc_proxy_get_stats(wc_proxy *p, wc_proxy_stats *out);

/* The exit code the traffic so far deserves: 1 when a judged exchange had a
 * violation or the upstream failed one, 3 when the upstream was never
 * reached although it was tried, else 0. */
int wc_proxy_exit_code(wc_proxy *p);

/* report.json (report.h) for the traffic so far; may be called while the
 * proxy runs. command_line: for the report (no credential), may be NULL.
 * Caller frees. */
cJSON *wc_proxy_report(wc_proxy *p, const char *command_line, wc_err *err);

#endif
