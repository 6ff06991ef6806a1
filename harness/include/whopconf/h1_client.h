/* whopconf: whopconf's own client for plain http:// (HTTP/1.1 over TCP, no
 * TLS): one kept-alive connection, a request written with one sendmsg, the
 * response framed by wc_h1_response (http1.h). The transport sends http://
 * requests through it (https:// goes through libcurl) and so does the
 * proxy's forwarder to an http:// upstream.
 *
 * Why not libcurl for these too: on loopback libcurl's generality (URL
 * parsing, connection-cache checks, its own header parsing, 8 system calls
 * a request) cost more CPU than the server answering; this client makes
 * four system calls a request (a staleness poll, sendmsg, poll, recv) and
 * no allocation once warm. It keeps libcurl's contract where the two meet:
 * the connect, total and first-byte timeouts, the failure kinds of
 * wc_xfer_status, a response that arrives while the request body is still
 * being sent is read, and a kept connection the server closed before
 * answering gets the request once more on a new one. A kept connection
 * with unread bytes on it before a request (an unsolicited 408) is not
 * reused. */
#ifndef WHOPCONF_H1_CLIENT_H
#define WHOPCONF_H1_CLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include "whopconf/http1.h"
#include "whopconf/transport.h"

typedef struct wc_h1_client wc_h1_client;

/* A client with no connection yet; the limits frame every response. NULL
 * when memory runs out. */
wc_h1_client *wc_h1_client_new(const wc_h1_limits *limits);
void wc_h1_client_free(wc_h1_client *c);

typedef struct wc_h1_call {
  const char *host;             /* a name or an address ("::1", no brackets) */
  const char *port;             /* decimal */
  const struct iovec *request;  /* the request as it goes on the wire */
  size_t request_parts;         /* at most 8 */
  bool head_request;            /* HEAD: the response has no body */
  double deadline;              /* monotonic ms by which all must be done */
  long connect_timeout_ms;      /* a new connection, within the deadline too */
  long first_byte_timeout_ms;   /* from the connection ready to the first
                                   response byte; 0 = none */
  const atomic_bool *stop;      /* a wait ends when it turns true (NULL: never) */
  wc_h1_sink sink;              /* where the final response goes */
} wc_h1_call;

typedef struct wc_h1_outcome {
  wc_xfer_status status;      /* WC_XFER_OK, or the failure kind */
  wc_h1_failure failure;      /* how the response was bad, when it was */
  bool connected;             /* a connection was up for the request */
  bool got_first_byte;        /* a response byte arrived */
  bool first_byte_timeout;    /* first_byte_timeout_ms ran out */
  bool stopped;               /* call->stop turned true */
  long connects;              /* new connections opened (0 or more) */
  char why[160];              /* one line when status is not OK */
} wc_h1_outcome;

/* Sends call->request and reads the response into call->sink, on the kept
 * connection when it leads to the same host and port (a new one otherwise,
 * or when the response did not leave it reusable). Never blocks past
 * call->deadline. A sink that stops the parse ends it with status
 * WC_XFER_OTHER and failure WC_H1_SINK: the caller knows why. */
void wc_h1_client_exchange(wc_h1_client *c, const wc_h1_call *call, wc_h1_outcome *out);

/* Drops the kept connection, if any. */
void wc_h1_client_close(wc_h1_client *c);

#endif
