/* The validating proxy, private to harness/src/proxy/:
 *   proxy.c           the server side (libmicrohttpd), lifecycle, replies
 *   proxy_headers.c   header lists, hop-by-hop fields, what is forwarded
 *   proxy_upstream.c  the upstream side: per-thread state, https:// on libcurl
 *   proxy_plain.c     the upstream side for http://: one socket, HTTP/1.1
 *   proxy_tally.c     judging, counts, the bounded record, the report */
#ifndef WHOPCONF_PROXY_INTERNAL_H
#define WHOPCONF_PROXY_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "whopconf/proxy.h"
#include "whopconf/transport.h"

/* Header fields as "name\0value\0" pairs in one buffer: one allocation per
 * list instead of two per field, on the hot path. */
typedef struct px_headers {
  wc_buf data;
  size_t count;
} px_headers;

int px_headers_add(px_headers *h, const char *name, size_t name_len, const char *value, size_t value_len);
/* Walks the pairs: start with *pos = 0; false at the end. */
bool px_headers_next(const px_headers *h, size_t *pos, const char **name, const char **value);
/* The first value of name (case-insensitive), or NULL. */
const char *px_headers_get(const px_headers *h, const char *name);
void px_headers_free(px_headers *h);
/* Appends " text" to the last field's value (obs-fold). */
int px_headers_extend(px_headers *h, const char *text, size_t len);

/* RFC 9110 7.6.1: a field that describes one connection and is never
 * forwarded (Connection, the fields it names, Keep-Alive, Proxy-Connection,
 * TE, Trailer, Transfer-Encoding, Upgrade, Proxy-Authorization).
 * connection: every Connection value of the message joined by commas. */
bool px_hop_by_hop(const char *name, const char *connection);
/* The Connection values of h joined by commas into out ("" when none). */
int px_connection_tokens(const px_headers *h, wc_buf *out);
/* A request field that goes to the upstream: not hop-by-hop, and not one
 * the proxy writes for this hop itself (Host, Content-Length) or never
 * sends (Expect). connection: px_connection_tokens of the request. */
bool px_forwarded_request_field(const char *name, const char *connection);

/* Why an exchange did not complete. */
typedef enum px_failure {
  PX_OK = 0,
  PX_UPSTREAM,          /* the upstream failed: xfer says how (502/504 to the client) */
  PX_CLIENT_BODY_LARGE, /* request body over max_request_body (413) */
  PX_CLIENT_BAD_TARGET, /* not an origin-form request target (400) */
  PX_CLIENT_TIMEOUT,    /* the client went silent before its request was complete */
  PX_CLIENT_LEFT,       /* the client closed before its answer was sent */
  PX_PROXY_NOMEM        /* the proxy ran out of memory (502) */
} px_failure;

const char *px_failure_name(px_failure f);

typedef struct px_exchange {
  double t0_ms;
  char method[32];
  char *target; /* the raw request target, "/api/v1/users/me?account_id=x" */
  bool judged;  /* PATCH {prefix}/users/me */
  px_headers req_headers; /* as the client sent them (credential included: memory only) */
  wc_buf req_body;
  bool has_body; /* Content-Length or chunked: a body was sent, even an empty one */

  long status; /* the upstream's final status, 0 = none */
  px_headers resp_headers;
  wc_buf resp_body;
  wc_xfer_status xfer;
  char error[256]; /* one line, "" when OK */
  double upstream_ms;

  px_failure failure;
  unsigned client_status; /* what the client got from us (or 0) */
  bool queued;
  bool settled;
  size_t violations; /* from the judge */
} px_exchange;

struct wc_proxy {
  /* configuration (strings owned) */
  char *upstream;        /* as given */
  char *upstream_origin; /* "http://127.0.0.1:8080" */
  char *upstream_host;   /* "127.0.0.1", "::1" (no brackets): to connect */
  char *upstream_port;   /* "8080" */
  char *upstream_authority; /* the Host field: "127.0.0.1:8080" (no port when the default) */
  bool upstream_plain;   /* http://: the lean forwarder, else libcurl */
  char *prefix;          /* "/api/v1" (no trailing slash, "" for the root) */
  char *host;
  char *cacert;
  char **known_versions;
  size_t known_count;
  char *api_version;
  wc_proxy_opts o; /* limits and flags; its strings point at the copies above */
  wc_spec *spec;
  char base_url[300];
  unsigned short port;

  struct MHD_Daemon *daemon;
  pthread_key_t upstream_key; /* this thread's px_thread */
  atomic_bool stopping;

  struct wc_judge *judge;
  struct wc_tally *tally; /* judges and folds; thread-safe */
  pthread_mutex_t lock; /* the counts */
  wc_proxy_stats stats;
};


/* One connection thread's upstream side, kept from one request to the
 * next (keep-alive): libcurl's handle for https://, whopconf's own
 * client for http://. */
typedef struct px_thread {
  void *curl; /* CURL *, on first use */
  struct wc_h1_client *h1; /* for an http:// upstream, on first use */
  wc_buf out; /* the request head being written */
} px_thread;

/* proxy_upstream.c: sends x to the upstream from this thread's state and
 * fills the response part (or xfer + error). Never blocks beyond
 * o.timeout_ms, and returns early once the proxy stops. */
void px_forward(wc_proxy *p, px_exchange *x);
void px_upstream_thread_end(void *thread); /* pthread key destructor */
/* The error line of a response over a cap (both forwarders say the same). */
void px_describe_too_large(wc_proxy *p, px_exchange *x, wc_xfer_status kind);
#define PX_MAX_RESPONSE_HEADER_BYTES ((size_t)64 << 10)
#define PX_MAX_RESPONSE_HEADER_FIELDS 200

/* proxy_plain.c: px_forward for an http:// upstream. */
void px_forward_plain(wc_proxy *p, px_thread *th, px_exchange *x);

/* proxy_tally.c */
/* The judge and the tally, from the configuration. 0, or -1 (err set). */
int px_tally_start(wc_proxy *p, wc_err *err);
/* Judges x (on the judged path) and counts it, once per exchange: sets
 * x->violations. Runs in the connection thread, outside any lock but the
 * short fold. */
void px_settle(wc_proxy *p, px_exchange *x);
void px_tally_free(wc_proxy *p);

#endif
