/* The HTTP/1.1 response parser (whopconf/http1.h) on hand-written wire
 * bytes: every framing (Content-Length, chunked with trailers, to the end
 * of the connection, no body), interim 1xx heads, folds, whether the
 * connection may be kept, and every failure with its kind. Each response
 * is parsed whole and split at every byte: the result must not depend on
 * how the bytes arrived. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "whopconf/common.h"
#include "whopconf/http1.h"

/* What reached the sink, as text: "S200|F name=value|C more|" plus the body. */
typedef struct seen {
  wc_buf events, body;
} seen;

static int on_status(void *ud, int status) { return wc_buf_printf(&((seen *)ud)->events, "S%d|", status); }

static int on_field(void *ud, const char *n, size_t nl, const char *v, size_t vl) {
  return wc_buf_printf(&((seen *)ud)->events, "F %.*s=%.*s|", (int)nl, n, (int)vl, v);
}

static int on_fold(void *ud, const char *t, size_t len) {
  return wc_buf_printf(&((seen *)ud)->events, "C %.*s|", (int)len, t);
}

static int on_body(void *ud, const char *d, size_t len) { return wc_buf_append(&((seen *)ud)->body, d, len); }

typedef struct outcome {
  wc_h1_progress progress; /* after the bytes, and after an EOF when eof */
  wc_h1_failure failure;
  bool reusable;
  size_t used; /* bytes taken from the input */
  char events[512];
  char body[256];
  size_t body_len;
} outcome;

static const wc_h1_limits limits = {.max_head_bytes = 1024, .max_head_fields = 10, .max_body = 100};

/* Parses wire in pieces of at most `piece` bytes (0: all at once), then an
 * EOF when eof is set and the parse still wants more. */
static outcome parse(const char *wire, size_t len, size_t piece, bool head_request, bool eof) {
  wc_h1_response *r = wc_h1_response_new(&limits);
  cr_assert_not_null(r);
  seen s;
  wc_buf_init(&s.events);
  wc_buf_init(&s.body);
  wc_h1_sink sink = {&s, on_status, on_field, on_fold, on_body};
  wc_h1_response_begin(r, head_request, &sink);
  outcome o = {.progress = WC_H1_MORE};
  for (size_t pos = 0; pos < len && o.progress == WC_H1_MORE;) {
    size_t n = piece && len - pos > piece ? piece : len - pos, used = 0;
    o.progress = wc_h1_response_feed(r, wire + pos, n, &used);
    cr_assert_leq(used, n);
    if (o.progress == WC_H1_MORE) cr_assert_eq(used, n, "MORE must take every byte");
    o.used += used;
    pos += n;
  }
  if (eof && o.progress == WC_H1_MORE) o.progress = wc_h1_response_eof(r);
  o.failure = wc_h1_response_failure(r);
  o.reusable = o.progress == WC_H1_DONE && wc_h1_response_reusable(r);
  if (o.progress == WC_H1_FAILED) cr_assert(wc_h1_response_why(r)[0], "a failure without a reason");
  snprintf(o.events, sizeof o.events, "%s", s.events.data ? s.events.data : "");
  o.body_len = s.body.len < sizeof o.body ? s.body.len : sizeof o.body - 1;
  if (s.body.data) memcpy(o.body, s.body.data, o.body_len);
  wc_buf_free(&s.events);
  wc_buf_free(&s.body);
  wc_h1_response_free(r);
  return o;
}

/* The same outcome whole and split at every byte; returns the whole one. */
static outcome parse_all_ways(const char *wire, bool head_request, bool eof) {
  size_t len = strlen(wire);
  outcome whole = parse(wire, len, 0, head_request, eof);
  for (size_t piece = 1; piece < len; piece++) {
    outcome o = parse(wire, len, piece, head_request, eof);
    cr_assert_eq(o.progress, whole.progress, "pieces of %zu: progress %d, whole %d", piece, o.progress,
                 whole.progress);
    cr_assert_eq(o.failure, whole.failure, "pieces of %zu", piece);
    cr_assert_str_eq(o.events, whole.events, "pieces of %zu", piece);
    cr_assert_eq(o.body_len, whole.body_len, "pieces of %zu", piece);
    cr_assert(memcmp(o.body, whole.body, o.body_len) == 0, "pieces of %zu", piece);
    cr_assert_eq(o.reusable, whole.reusable, "pieces of %zu", piece);
  }
  return whole;
}

Test(http1, content_length_body_and_a_kept_connection) {
  const char *wire = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Empty:\r\n"
                     "Content-Length: 7\r\n\r\n{\"a\":1}";
  outcome o = parse_all_ways(wire, false, false);
  cr_expect_eq(o.progress, WC_H1_DONE);
  cr_expect_str_eq(o.events, "S200|F Content-Type=application/json|F X-Empty=|F Content-Length=7|");
  cr_expect_str_eq(o.body, "{\"a\":1}");
  cr_expect(o.reusable);
  cr_expect_eq(o.used, strlen(wire));
}

Test(http1, bytes_after_the_response_are_not_taken) {
  const char *wire = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n";
  outcome o = parse(wire, strlen(wire), 0, false, false);
  cr_expect_eq(o.progress, WC_H1_DONE);
  cr_expect_eq(o.used, strlen(wire) - strlen("HTTP/1.1 200 OK\r\n"));
}

Test(http1, chunked_body_with_extensions_and_trailers) {
  const char *wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                     "4;name=value\r\nWiki\r\n5 \r\npedia\r\n0\r\nX-Sum: 9\r\n\r\n";
  outcome o = parse_all_ways(wire, false, false);
  cr_expect_eq(o.progress, WC_H1_DONE);
  cr_expect_str_eq(o.body, "Wikipedia");
  cr_expect_str_eq(o.events, "S200|F Transfer-Encoding=gzip, chunked|F X-Sum=9|");
  cr_expect(o.reusable);
}

Test(http1, interim_responses_are_skipped) {
  const char *wire = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                     "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
  outcome o = parse_all_ways(wire, false, false);
  cr_expect_eq(o.progress, WC_H1_DONE);
  cr_expect_str_eq(o.events, "S201|F Content-Length=0|");
}

Test(http1, a_body_to_the_end_of_the_connection) {
  const char *wire = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it";
  outcome o = parse_all_ways(wire, false, false);
  cr_expect_eq(o.progress, WC_H1_MORE, "the end is the connection's");
  o = parse_all_ways(wire, false, true);
  cr_expect_eq(o.progress, WC_H1_DONE);
  cr_expect_str_eq(o.body, "all of it");
  cr_expect_not(o.reusable);
  /* A coding other than chunked last: the same framing. */
  o = parse_all_ways("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n3\r\nabc", false, true);
  cr_expect_eq(o.progress, WC_H1_DONE);
  cr_expect_str_eq(o.body, "3\r\nabc");
}

Test(http1, no_body_after_head_204_and_304) {
  outcome o = parse_all_ways("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", true, false);
  cr_expect_eq(o.progress, WC_H1_DONE, "HEAD");
  cr_expect(o.reusable);
  o = parse_all_ways("HTTP/1.1 204 No Content\r\n\r\n", false, false);
  cr_expect_eq(o.progress, WC_H1_DONE, "204");
  o = parse_all_ways("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", false, false);
  cr_expect_eq(o.progress, WC_H1_DONE, "304");
}

Test(http1, folded_fields_continue_the_last_one) {
  outcome o = parse_all_ways("HTTP/1.1 200 OK\r\nX-Folded: one\r\n \t two\r\nContent-Length: 0\r\n\r\n", false, false);
  cr_expect_eq(o.progress, WC_H1_DONE);
  cr_expect_str_eq(o.events, "S200|F X-Folded=one|C two|F Content-Length=0|");
}

Test(http1, when_the_connection_may_be_kept) {
  cr_expect_not(parse_all_ways("HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n",
                               false, false).reusable);
  cr_expect_not(parse_all_ways("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false, false).reusable);
  cr_expect(parse_all_ways("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", false, false)
                .reusable);
  /* Both framings: the length is ignored and the connection not kept. */
  outcome o = parse_all_ways("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n",
                             false, false);
  cr_expect_eq(o.progress, WC_H1_DONE);
  cr_expect_str_eq(o.body, "ab");
  cr_expect_not(o.reusable);
}

typedef struct bad {
  const char *wire;
  bool eof;
  wc_h1_failure failure;
} bad;

Test(http1, every_failure_has_its_kind) {
  static char flood[2048], long_line[1200];
  size_t n = (size_t)snprintf(flood, sizeof flood, "HTTP/1.1 200 OK\r\n");
  for (int i = 0; i < 11; i++) n += (size_t)snprintf(flood + n, sizeof flood - n, "X-%d: v\r\n", i);
  snprintf(long_line, sizeof long_line, "HTTP/1.1 200 OK\r\nX: %01080d\r\n\r\n", 0);
  const bad cases[] = {
      {"HELLO WORLD\r\nContent-Length: 2\r\n\r\n{}", false, WC_H1_MALFORMED},
      {"HTTP/1.1 2OO OK\r\n\r\n", false, WC_H1_MALFORMED},
      {"HTTP/2 200\r\n\r\n", false, WC_H1_MALFORMED},
      {"HTTP/1.1 200 OK\r\nthis line has no colon\r\n\r\n", false, WC_H1_MALFORMED},
      {"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", false, WC_H1_MALFORMED},
      {"HTTP/1.1 200 OK\r\n folded first\r\n\r\n", false, WC_H1_MALFORMED},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n 6\r\n\r\n", false, WC_H1_MALFORMED},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", false, WC_H1_MALFORMED},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n", false, WC_H1_MALFORMED},
      {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", false, WC_H1_MALFORMED},
      {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", false, WC_H1_MALFORMED},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false, WC_H1_MALFORMED},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", false, WC_H1_MALFORMED},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n", false, WC_H1_MALFORMED},
      {"HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n", false, WC_H1_BODY_TOO_LARGE},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n", false, WC_H1_NONE}, /* under the cap: more to come */
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n", false, WC_H1_BODY_TOO_LARGE},
      {flood, false, WC_H1_HEAD_TOO_LARGE},
      {long_line, false, WC_H1_HEAD_TOO_LARGE},
      {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"id\":", true, WC_H1_TRUNCATED},
      {"HTTP/1.1 200 OK\r\nContent-Le", true, WC_H1_TRUNCATED},
      {"", true, WC_H1_EMPTY},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    outcome o = parse_all_ways(cases[i].wire, false, cases[i].eof);
    cr_expect_eq(o.failure, cases[i].failure, "case %zu: failure %d, want %d", i, o.failure, cases[i].failure);
    cr_expect_eq(o.progress, cases[i].failure ? WC_H1_FAILED : WC_H1_MORE, "case %zu", i);
  }
}

Test(http1, a_body_over_the_cap_while_it_arrives) {
  char wire[256];
  int n = snprintf(wire, sizeof wire, "HTTP/1.1 200 OK\r\n\r\n%0120d", 0);
  outcome o = parse(wire, (size_t)n, 16, false, true);
  cr_expect_eq(o.failure, WC_H1_BODY_TOO_LARGE);
  cr_expect_leq(o.body_len, limits.max_body);
}

/* The line layer as libcurl's header callbacks use it. */
Test(http1, head_lines_as_libcurl_hands_them) {
  wc_h1_head h;
  wc_h1_head_init(&h, 0, 0);
  wc_h1_line l;
  cr_expect_eq(wc_h1_head_line(&h, "HTTP/2 200 \r\n", 13, &l), WC_H1_LINE_STATUS);
  cr_expect_eq(l.status, 200);
  cr_expect_eq(l.major, 2);
  cr_expect_eq(wc_h1_head_line(&h, "content-type:  text/plain \t\r\n", 29, &l), WC_H1_LINE_FIELD);
  cr_expect_eq(l.name_len, 12);
  cr_expect_eq(l.value_len, 10);
  cr_expect(memcmp(l.value, "text/plain", 10) == 0);
  cr_expect_eq(wc_h1_head_line(&h, "\r\n", 2, &l), WC_H1_LINE_END);
  cr_expect(l.final);
  cr_expect(wc_http_list_has(" a ,b\t, keep-alive ", 19, "Keep-Alive"));
  cr_expect_not(wc_http_list_has("keep-alived, close2", 19, "close"));
}
