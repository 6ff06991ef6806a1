/* Test support: a raw-socket HTTP/1.1 server that misbehaves on demand.
 *
 * One thread per server, one connection at a time (a keep-alive connection
 * is served until the client closes it). Everything blocking polls a stop
 * pipe, so hs_stop() always returns promptly, and every write uses
 * MSG_NOSIGNAL so a client hanging up never kills the test process. Each
 * request head and body is logged so tests can check what arrived (for
 * example that the credential did, or did not).
 *
 * Life of a server: hs_start (listening, not yet serving), optional hs_set_*,
 * hs_run, the test's requests, hs_stop (frees it). */
#ifndef WHOPCONF_TESTS_HOSTILE_SERVER_H
#define WHOPCONF_TESTS_HOSTILE_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "whopconf/common.h"

typedef enum hs_mode {
  HS_OK,              /* 200 JSON, keep-alive */
  HS_ECHO,            /* 400, echoes the credential in a header and the request in the body */
  HS_SLOW_DRIP,       /* Content-Length 1000, one byte every 100 ms */
  HS_ENDLESS_CHUNKED, /* chunked, never ends */
  HS_BIG_BODY,        /* Content-Length big_size (default 1 MiB), all sent */
  HS_SHORT_BODY,      /* Content-Length 100, 10 bytes, close */
  HS_RESET_MID_BODY,  /* Content-Length 1000, 10 bytes, RST (SO_LINGER 0) */
  HS_SILENCE,         /* reads the request, never answers */
  HS_GARBAGE_STATUS,  /* "HELLO WORLD" instead of a status line */
  HS_BAD_HEADER,      /* a header line without a colon */
  HS_REDIRECT,        /* 301 to the location set with hs_set_location */
  HS_RETRY_SECONDS,   /* one 429 Retry-After: 1, then 200 */
  HS_RETRY_DATE,      /* one 429 Retry-After: <HTTP-date now+2s>, then 200 */
  HS_RETRY_FAR,       /* 429 Retry-After: 3600, always */
  HS_ALWAYS_503,      /* 503 Retry-After: 0, always */
  HS_HEADER_FLOOD,    /* 200 with 5000 header fields */
  HS_REPEATED,        /* 422 with repeated and folded headers, problem+json */
  HS_BINARY,          /* 200 with a body that is not UTF-8 (and holds a NUL) */
  HS_CLOSE,           /* accept, then close at once (counts connections) */
  HS_HOP_BY_HOP,      /* 201 with hop-by-hop fields (and one Connection names) among end-to-end ones */
  HS_OK_THEN_CLOSE,   /* HS_OK's answer (keep-alive by HTTP/1.1's default), then the connection closed */
  HS_EARLY_ANSWER,    /* 413 (Connection: close) after the head, the body never read; closes after 3 s */
  HS_OK_THEN_408      /* HS_OK's answer, then 100 ms later an unsolicited 408 on the idle connection */
} hs_mode;

typedef struct hs_server hs_server;

/* Listens on host (a loopback address, IPv4 or IPv6 "::1") and an
 * ephemeral port; NULL when that address cannot be bound. */
hs_server *hs_start(const char *host, hs_mode mode);
/* Between hs_start and hs_run. */
void hs_set_location(hs_server *s, const char *fmt, ...) WC_PRINTF(2, 3);
void hs_set_big_size(hs_server *s, size_t size);
void hs_run(hs_server *s);
/* Stops the thread, closes everything, frees s (NULL is fine). */
void hs_stop(hs_server *s);

unsigned short hs_port(const hs_server *s);
const char *hs_location(const hs_server *s);
/* "http://HOST:PORT/api/v1" ("http://[::1]:PORT/api/v1" for IPv6) */
void hs_base(const hs_server *s, char *out, size_t size);
int hs_connections(hs_server *s);
int hs_requests(hs_server *s);
/* True when needle occurs in anything the server received. */
bool hs_log_contains(hs_server *s, const char *needle);
/* A copy of everything received: each request head + body followed by
 * "\n----\n". The caller frees it. */
char *hs_log_copy(hs_server *s, size_t *len);
/* Sleeps up to ms; true when the server is being stopped. */
bool hs_pause(hs_server *s, int ms);

/* Sends all of data on the socket fd (MSG_NOSIGNAL: a peer that hung up
 * gives false, never SIGPIPE). Also for tests playing a raw client. */
bool hs_send(int fd, const void *data, size_t len);

/* Per-test safety net, used as `.init = hs_watchdog`: SIGALRM ends a hung
 * test (Criterion reports it as a crash). Criterion's own `.timeout` is not
 * used because its runner leaks a timeout record under --jobs=2, which the
 * ASan build reports as a failure. */
void hs_watchdog(void);
/* Monotonic milliseconds, for measuring how long a send took. */
double hs_now_ms(void);

/* A listener whose accept queue is full: a new connect never completes,
 * so the client's connect timeout fires. Close *filler and *listener after. */
unsigned short hs_backlog_full(int *listener, int *filler);
/* A port on 127.0.0.1 nobody listens on (bound, then released). */
unsigned short hs_closed_port(void);

#endif
