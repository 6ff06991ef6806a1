/* whopconf: the embedded reference server (libmicrohttpd).
 *
 * A faithful implementation of PATCH {prefix}/users/me used as the default
 * target, as a local mock, and -- with faults injected -- as the instrument
 * that proves every conformance case can fail. */
#ifndef WHOPCONF_REFSERVER_H
#define WHOPCONF_REFSERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "whopconf/common.h"

#define WC_REFSERVER_DEFAULT_USER_TOKEN "wc_user_token_with_scope"
#define WC_REFSERVER_DEFAULT_TOKEN_WITHOUT_SCOPE "wc_user_token_without_scope"
#define WC_REFSERVER_DEFAULT_API_KEY "wc_api_key"
#define WC_REFSERVER_DEFAULT_PREFIX "/api/v1"

typedef struct wc_refserver_opts {
  const char *host;   /* default "127.0.0.1" */
  unsigned short port; /* 0 = an ephemeral port */
  const char *user_token;          /* has scope user:profile:update */
  const char *token_without_scope; /* a user token lacking that scope */
  const char *api_key;             /* an API key: 400 on the global profile */
  const char *const *known_versions; /* NULL = the public list (versions.h) */
  size_t known_version_count;
  const char *const *faults; /* names from wc_fault_get(); NULL = none */
  size_t fault_count;
  size_t max_body;           /* request body limit, default 64 KiB -> 413 */
  /* One line per request (method, path, status, ms); may be NULL. Called
   * from server threads, serialised by the server. */
  void (*log)(void *ctx, const char *line);
  void *log_ctx;
  bool show_balances;      /* PATCH replies carry balances and total_usd
                              (by default total_usd is null, balances []) */
  bool allow_non_loopback; /* needed to bind anything but 127/8 or ::1 */
  const char *prefix;      /* NULL = WC_REFSERVER_DEFAULT_PREFIX */
  /* Lenient but conformant rules (not faults), e.g. "trim", "max-name=50";
   * see wc_lenient_get(). An unknown or malformed one fails the start. */
  const char *const *lenient;
  size_t lenient_count;
} wc_refserver_opts;

void wc_refserver_opts_default(wc_refserver_opts *opts);

typedef struct wc_refserver wc_refserver;

wc_refserver *wc_refserver_start(const wc_refserver_opts *opts, wc_err *err);
/* "http://127.0.0.1:41234/api/v1" */
const char *wc_refserver_base_url(const wc_refserver *srv);
unsigned short wc_refserver_port(const wc_refserver *srv);
void wc_refserver_stop(wc_refserver *srv); /* also frees */

/* Fault catalogue. kind: "conformance" (the run must exit 1 and fail
 * `requirement`), "transport" (the run must end with exit 3, or 1, within
 * its time budget and a one-line reason) or "narrow" (breaks `requirement`
 * only on a narrow input region the hand-written cases never send: the run
 * passes, generated requests find it). */
typedef struct wc_fault_info {
  const char *name;
  const char *requirement; /* a WC-* id from catalog.h; NULL for transport faults */
  const char *kind;
  const char *description;
} wc_fault_info;

size_t wc_fault_count(void);
const wc_fault_info *wc_fault_get(size_t index);
const wc_fault_info *wc_fault_find(const char *name);
/* Requirement ids (comma-separated) a fault cannot help breaking besides its
 * own, e.g. "WC-DM-008" for faults that need balances shown; NULL if none. */
const char *wc_fault_also_breaks(const wc_fault_info *fault);

/* Lenient options: rules the contract leaves open, answered the documented
 * way (a 400 with an error envelope, or a stored value that differs from
 * the sent one only by normalization). name is how opts.lenient spells it
 * ("max-name=N": N a number). */
typedef struct wc_lenient_info {
  const char *name;
  const char *description;
} wc_lenient_info;

size_t wc_lenient_count(void);
const wc_lenient_info *wc_lenient_get(size_t index);

#endif
