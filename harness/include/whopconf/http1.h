/* whopconf: HTTP/1.1 responses parsed from untrusted bytes (RFC 9112).
 *
 * Two layers, no I/O:
 *  - wc_h1_head_line: one line of a response head (status line, field,
 *    obs-fold continuation, end of the block) with the head's caps. libcurl
 *    hands the transport and the proxy's https:// path the head one line at
 *    a time; wc_h1_response below feeds it the same way.
 *  - wc_h1_response: a push parser for one whole response on a keep-alive
 *    connection (the proxy's plain http:// forwarder): interim 1xx responses
 *    skipped, the body framed by Content-Length, chunked or the end of the
 *    connection, the head and the body capped. */
#ifndef WHOPCONF_HTTP1_H
#define WHOPCONF_HTTP1_H

#include <stdbool.h>
#include <stddef.h>

/* RFC 9110 5.6.2 tchar: a character of a token (a field name, a method). */
bool wc_http_tchar(unsigned char c);
/* True when token appears in the comma-separated list (case-insensitive,
 * blanks around the elements ignored): "close" in "keep-alive, Close". */
bool wc_http_list_has(const char *list, size_t list_len, const char *token);

/* ---- one line of a head --------------------------------------------------- */

typedef struct wc_h1_head {
  size_t max_bytes, max_fields; /* caps of one response's heads (0: none) */
  size_t bytes, fields;         /* so far (1xx heads included) */
  bool in_block;                /* false: the next line must be a status line */
  int status;                   /* of the block being read */
} wc_h1_head;

typedef enum wc_h1_line_kind {
  WC_H1_LINE_STATUS,    /* a status line: a response (final or 1xx) starts */
  WC_H1_LINE_FIELD,     /* "name: value", the value trimmed */
  WC_H1_LINE_FOLD,      /* obs-fold: the value continues the previous field */
  WC_H1_LINE_END,       /* the blank line after a block */
  WC_H1_LINE_TOO_LARGE, /* over max_bytes or max_fields */
  WC_H1_LINE_MALFORMED
} wc_h1_line_kind;

typedef struct wc_h1_line {
  int status;        /* STATUS (100-999) */
  int major, minor;  /* STATUS: the HTTP version ("HTTP/2" is 2.0) */
  const char *name;  /* FIELD */
  size_t name_len;
  const char *value; /* FIELD, FOLD (blanks trimmed) */
  size_t value_len;
  bool final;        /* END: the head of a final (non-1xx) response ended */
  const char *why;   /* TOO_LARGE, MALFORMED: what, static text */
} wc_h1_line;

/* A head parser expecting a status line. */
void wc_h1_head_init(wc_h1_head *h, size_t max_bytes, size_t max_fields);
/* Classifies one line (its CR LF or LF included or not). After an END of a
 * 1xx block a status line is expected again; after a final END the parser
 * takes fields again (trailers) until the next END. */
wc_h1_line_kind wc_h1_head_line(wc_h1_head *h, const char *line, size_t len, wc_h1_line *out);

/* ---- one whole response ---------------------------------------------------- */

typedef struct wc_h1_limits {
  size_t max_head_bytes;  /* status lines, fields and trailers together */
  size_t max_head_fields;
  size_t max_body;
} wc_h1_limits;

/* Where the parsed response goes; each callback returns 0, or -1 to stop
 * (out of memory): the parse then fails with WC_H1_SINK. Only the final
 * response reaches the sink (1xx heads are read and dropped). */
typedef struct wc_h1_sink {
  void *ud;
  int (*status)(void *ud, int status);
  int (*field)(void *ud, const char *name, size_t name_len, const char *value, size_t value_len);
  int (*fold)(void *ud, const char *text, size_t len); /* continues the last field */
  int (*body)(void *ud, const char *data, size_t len);
} wc_h1_sink;

typedef enum wc_h1_progress { WC_H1_MORE, WC_H1_DONE, WC_H1_FAILED } wc_h1_progress;

typedef enum wc_h1_failure {
  WC_H1_NONE = 0,
  WC_H1_MALFORMED,      /* not HTTP/1.x framing */
  WC_H1_HEAD_TOO_LARGE, /* over max_head_bytes / max_head_fields */
  WC_H1_BODY_TOO_LARGE, /* over max_body (announced or received) */
  WC_H1_TRUNCATED,      /* the connection ended inside the response */
  WC_H1_EMPTY,          /* the connection ended before any byte */
  WC_H1_SINK            /* a sink callback stopped the parse */
} wc_h1_failure;

typedef struct wc_h1_response wc_h1_response;

wc_h1_response *wc_h1_response_new(const wc_h1_limits *limits);
void wc_h1_response_free(wc_h1_response *r);
/* Starts a response: head_request (the request was HEAD) means no body
 * whatever the fields say. The sink is copied. */
void wc_h1_response_begin(wc_h1_response *r, bool head_request, const wc_h1_sink *sink);
/* Parses the next bytes; *used says how many belong to this response (the
 * rest, after DONE, does not). MORE until the response is complete. */
wc_h1_progress wc_h1_response_feed(wc_h1_response *r, const char *data, size_t len, size_t *used);
/* The connection ended: DONE when the body ran to the end of the
 * connection, FAILED (truncated, empty) when the response was not complete. */
wc_h1_progress wc_h1_response_eof(wc_h1_response *r);

wc_h1_failure wc_h1_response_failure(const wc_h1_response *r);
/* One line on the failure ("" when none), static or in r. */
const char *wc_h1_response_why(const wc_h1_response *r);
/* After DONE: the connection may carry the next request (HTTP/1.1 without
 * "Connection: close", or HTTP/1.0 with keep-alive; a body with a length). */
bool wc_h1_response_reusable(const wc_h1_response *r);
/* Bytes of this response parsed so far (0: nothing came yet). */
size_t wc_h1_response_bytes(const wc_h1_response *r);

#endif
