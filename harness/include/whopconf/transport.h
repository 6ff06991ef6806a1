/* whopconf: the transport (libcurl, and whopconf's own client for plain
 * http://) with bounded everything, and the exchange record.
 *
 * One connection per transport, reused (keep-alive). Redirects are never
 * followed. TLS verification is always on unless insecure is asked for.
 * Every exchange is recorded for the reports with the credential redacted. */
#ifndef WHOPCONF_TRANSPORT_H
#define WHOPCONF_TRANSPORT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "whopconf/common.h"
#include "whopconf/request.h"

/* X(name, text): how an exchange ended, and its name in reports. */
#define WC_XFER_STATUS_MAP(X)                                                                      \
  X(OK, "ok")                                                                                      \
  X(REFUSED_POLICY, "refused-policy") /* http:// to a non-loopback host without allow_http */      \
  X(CONNECT_REFUSED, "connect-refused")                                                            \
  X(DNS, "dns")                                                                                    \
  X(TLS, "tls")                                                                                    \
  X(TIMEOUT_CONNECT, "timeout-connect")                                                            \
  X(TIMEOUT_FIRST_BYTE, "timeout-first-byte")                                                      \
  X(TIMEOUT_TOTAL, "timeout-total")                                                                \
  X(RESET, "reset")                                                                                \
  X(TRUNCATED, "truncated")                 /* fewer bytes than Content-Length */                  \
  X(BODY_TOO_LARGE, "body-too-large")       /* over max_body */                                    \
  X(HEADERS_TOO_LARGE, "headers-too-large")                                                        \
  X(MALFORMED, "malformed")                 /* bad status line or headers */                       \
  X(OTHER, "other")

typedef enum wc_xfer_status {
#define WC_XFER_STATUS_ENUM(name, text) WC_XFER_##name,
  WC_XFER_STATUS_MAP(WC_XFER_STATUS_ENUM)
#undef WC_XFER_STATUS_ENUM
} wc_xfer_status;

const char *wc_xfer_status_name(wc_xfer_status status); /* "timeout-total", ... */
/* The failure kind of a finished libcurl transfer from its CURLcode, the OS
 * errno and error text it left (errbuf may be NULL), and whether a
 * connection and a first response byte were seen. Aborts made by the
 * caller's own callbacks (write errors, progress aborts) are the caller's
 * to name: they come back as WC_XFER_OTHER. */
wc_xfer_status wc_xfer_status_from_curl(int curl_code, long os_errno, const char *errbuf, bool connected,
                                        bool got_first_byte);

/* The defaults of wc_transport_opts, which the run options share. */
#define WC_DEFAULT_CONNECT_TIMEOUT_MS 5000L
#define WC_DEFAULT_TIMEOUT_MS 15000L
#define WC_DEFAULT_MAX_BODY ((size_t)8 << 20)

/* Which HTTP client carries a request. */
typedef enum wc_http_client {
  /* whopconf's own HTTP/1.1 client (whopconf/h1_client.h) for http://
   * URLs it can send byte for byte as libcurl would, libcurl for the rest
   * (https://, and the odd URL or header left to libcurl's rules) */
  WC_HTTP_CLIENT_AUTO = 0,
  WC_HTTP_CLIENT_CURL /* libcurl for everything */
} wc_http_client;

typedef struct wc_transport_opts {
  long connect_timeout_ms; /* default WC_DEFAULT_CONNECT_TIMEOUT_MS */
  long timeout_ms;         /* whole request, default WC_DEFAULT_TIMEOUT_MS */
  /* Watchdog from connection (or reuse) to the first response byte; 0 = no
   * separate watchdog (a stall before the first byte still ends at
   * timeout_ms and is reported as timeout-first-byte). */
  long first_byte_timeout_ms;
  size_t max_body;         /* default 8 MiB */
  size_t max_header_count; /* default 100 */
  size_t max_header_bytes; /* default 64 KiB in all */
  const char *cacert;      /* private CA file, or NULL */
  bool insecure;           /* skip TLS verification (loudly reported) */
  bool allow_http;         /* allow http:// to non-loopback hosts */
  double rate;             /* requests per second; 0 = no cap; < 0 (the
                              default) = 5/s to non-loopback hosts, no cap
                              on loopback */
  int retry_max;           /* retries on 429/503, default 2 */
  long retry_max_wait_ms;  /* total Retry-After wait budget, default 10000 */
  wc_http_client http_client; /* default WC_HTTP_CLIENT_AUTO */
} wc_transport_opts;

void wc_transport_opts_default(wc_transport_opts *opts);

typedef struct wc_transport wc_transport;
typedef struct wc_exchange wc_exchange;

wc_transport *wc_transport_new(const wc_transport_opts *opts, wc_err *err);
void wc_transport_free(wc_transport *t);

/* The options every libcurl handle of whopconf shares (curl is a CURL *):
 * no signals, http and https only, no redirect followed, no proxy from
 * options or environment (a credential goes to the target and nowhere
 * else), the two timeouts, the body recorded as sent (no decoding), TLS
 * verified unless insecure, cacert when given. */
void wc_transport_curl_defaults(void *curl, long connect_timeout_ms, long timeout_ms, bool insecure,
                                const char *cacert);

/* Sends the request (with retries). Returns the recorded exchange, or NULL
 * only when memory runs out; a failed transfer is an exchange whose status
 * is not WC_XFER_OK. */
wc_exchange *wc_transport_send(wc_transport *t, const wc_request *req);
void wc_exchange_free(wc_exchange *x);

wc_xfer_status wc_exchange_status(const wc_exchange *x);
const char *wc_exchange_error(const wc_exchange *x); /* one line, "" when OK */
long wc_exchange_http_status(const wc_exchange *x); /* 0 when no response */
const char *wc_exchange_method(const wc_exchange *x);
const char *wc_exchange_url(const wc_exchange *x);
/* Request headers as recorded (Authorization redacted). */
size_t wc_exchange_request_header_count(const wc_exchange *x);
const char *wc_exchange_request_header(const wc_exchange *x, size_t index);
const char *wc_exchange_request_body(const wc_exchange *x, size_t *len);
/* Response headers, in order, repeated ones kept. */
size_t wc_exchange_header_count(const wc_exchange *x);
const char *wc_exchange_header_name(const wc_exchange *x, size_t index);
const char *wc_exchange_header_value(const wc_exchange *x, size_t index);
const char *wc_exchange_body(const wc_exchange *x, size_t *len);
bool wc_exchange_body_truncated(const wc_exchange *x); /* cut at max_body */
double wc_exchange_total_ms(const wc_exchange *x);
int wc_exchange_retries(const wc_exchange *x);
bool wc_exchange_has_response(const wc_exchange *x); /* a status line arrived */
long wc_exchange_retry_wait_ms(const wc_exchange *x);   /* total Retry-After sleep */
long wc_exchange_connects(const wc_exchange *x);        /* new connections opened */
/* Why retrying stopped early (budget, attempts), "" otherwise. */
const char *wc_exchange_note(const wc_exchange *x);

/* A reproduction command that reads the credential from $WHOPCONF_TOKEN
 * (never contains it). Caller frees. */
char *wc_exchange_curl_command(const wc_exchange *x);

/* The exchange in report form (see report.h, "exchanges[]"), credential
 * redacted, bodies cut at body_cap bytes (0 = no cut) with the cut noted. */
cJSON *wc_exchange_to_json(const wc_exchange *x, const char *id, size_t body_cap);

/* ---- exchanges seen elsewhere (a capture, a proxy) ---------------------- */

/* One header as it was on the wire. */
typedef struct wc_wire_header {
  const char *name;
  const char *value;
} wc_wire_header;

/* A body as it was captured: data NULL = no body at all; truncated = the
 * capture holds only the first len bytes of it. */
typedef struct wc_wire_body {
  const char *data;
  size_t len;
  bool truncated;
} wc_wire_body;

/* One exchange as seen on the wire. Any part may be missing: status 0 = no
 * response (error says why, when known). Strings are borrowed. */
typedef struct wc_wire_exchange {
  const char *method;
  const char *target; /* "/api/v1/users/me?account_id=biz_1" or an absolute URL */
  const wc_wire_header *request_headers;
  size_t request_header_count;
  wc_wire_body request_body;
  long status;
  const wc_wire_header *response_headers;
  size_t response_header_count;
  wc_wire_body response_body;
  double time_ms;         /* < 0 = unknown */
  const char *started_at; /* RFC 3339 as recorded, or NULL */
  const char *error;      /* why the exchange failed, or NULL */
} wc_wire_exchange;

/* True for a header that carries a credential whatever its value
 * (Authorization, Proxy-Authorization, Cookie, X-Api-Key, ...) and for a
 * query parameter named like one (access_token, api_key, token, ...). Both
 * case-insensitive. */
bool wc_wire_credential_header(const char *name);
bool wc_wire_credential_param(const char *name, size_t len);
/* The credential of an Authorization value: what follows the scheme
 * ("Bearer abc" -> "abc", length 3); NULL when there is none. */
const char *wc_wire_auth_credential(const char *value, size_t *len);

/* The exchange recorded like one whopconf sent (wc_exchange_to_json,
 * wc_exchange_curl_command work on it), with every credential redacted:
 * Authorization keeps its scheme ("Bearer ***"), other credential headers
 * and credential query parameters become "***", and the bearer credential is
 * scrubbed from everything else. NULL when memory runs out. */
wc_exchange *wc_exchange_from_wire(const wc_wire_exchange *w);

#endif
