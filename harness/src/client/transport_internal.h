/* whopconf: the exchange record, shared by transport.c and transport_plain.c
 * (which fill it while a request runs) and transport_record.c (accessors,
 * curl command, JSON).
 * Private to the transport module. */
#ifndef WHOPCONF_TRANSPORT_INTERNAL_H
#define WHOPCONF_TRANSPORT_INTERNAL_H

#include "whopconf/transport.h"

typedef struct wc_xheader {
  char *name;
  char *value;
} wc_xheader;

struct wc_exchange {
  wc_xfer_status status;
  char *error; /* "" when OK; never NULL once created */
  char *note;  /* retry decisions etc., "" when nothing to say */

  /* Request as sent (Authorization redacted). */
  char *method;
  char *url;
  char **req_headers;
  size_t req_header_count;
  char *req_body; /* NULL = no body */
  size_t req_body_len;
  bool has_credential;
  bool insecure;
  char *cacert;

  /* Response of the last attempt. */
  bool has_response; /* a status line arrived */
  long http_status;
  wc_xheader *headers;
  size_t header_count, header_cap;
  wc_buf body;
  bool body_truncated;

  double total_ms;       /* wall clock of the whole send, retries included */
  int retries;
  long retry_wait_ms;
  long connects; /* new connections opened, all attempts */
};

/* transport_record.c */
wc_exchange *wc_exchange_new_from_request(const wc_request *req, const wc_transport_opts *opts);
void wc_exchange_reset_response(wc_exchange *x);
int wc_exchange_add_header(wc_exchange *x, const char *name, size_t name_len, const char *value,
                           size_t value_len);
/* Appends " <text>" to the last header's value (obs-fold). */
int wc_exchange_extend_header(wc_exchange *x, const char *text, size_t len);
void wc_exchange_set_error(wc_exchange *x, wc_xfer_status status, const char *fmt, ...)
    WC_PRINTF(3, 4);
void wc_exchange_set_note(wc_exchange *x, const char *fmt, ...) WC_PRINTF(2, 3);
/* Status OK and no error (what set_error(x, WC_XFER_OK, "") says, without
 * formatting: every successful attempt ends here). */
void wc_exchange_set_ok(wc_exchange *x);
/* Replaces every occurrence of secret in everything recorded by "***". */
void wc_exchange_scrub(wc_exchange *x, const char *secret);

/* ---- one attempt, either engine (transport.c) ---- */

/* What an attempt's callbacks saw, to name its failure. */
typedef struct wc_tx_attempt {
  wc_exchange *x;
  const wc_transport_opts *o;
  bool body_too_large, headers_too_large, malformed, first_byte_timeout, nomem;
  char why[160];
} wc_tx_attempt;

/* Appends response body bytes within max_body; over it, keeps what fits
 * (the report shows the start) and says so. 0, or -1 to stop the transfer
 * (a's flags say why). */
int wc_tx_record_body(wc_tx_attempt *a, const char *data, size_t len);
/* The response head went over a cap: over_bytes says it was the byte cap,
 * else the field count (a's flag and reason set). */
void wc_tx_headers_too_large(wc_tx_attempt *a, bool over_bytes);
/* The error line of a failed attempt; detail is the engine's own word on
 * it ("curl 28: ...", "connect: Connection refused"). */
void wc_tx_describe_failure(const wc_tx_attempt *a, wc_xfer_status st, const char *detail);

/* ---- whopconf's own client for http:// (transport_plain.c) ---- */

typedef struct wc_tx_plain wc_tx_plain;
wc_tx_plain *wc_tx_plain_new(const wc_transport_opts *o);
void wc_tx_plain_free(wc_tx_plain *pl);
/* One attempt when the own client can send req exactly as libcurl would
 * (the exchange then holds its outcome); false, nothing sent, when the
 * request is libcurl's to send. */
bool wc_tx_plain_attempt(wc_tx_plain *pl, const wc_request *req, wc_exchange *x);

#endif
