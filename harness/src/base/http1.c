/* HTTP/1.1 response heads and bodies from untrusted bytes (see http1.h).
 * Everything is bounded: a line never grows past the head cap (or 1 KiB for
 * a chunk-size line), a body never past max_body, and no length a peer
 * writes is trusted beyond what arrives. */
#include "whopconf/http1.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "whopconf/common.h"

#define MAX_CHUNK_LINE 1024 /* "1a2b;ext=..." */

bool wc_http_tchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool blank(char c) { return c == ' ' || c == '\t'; }

bool wc_http_list_has(const char *list, size_t list_len, const char *token) {
  size_t n = strlen(token);
  const char *p = list, *end = list + list_len;
  while (p < end) {
    while (p < end && (blank(*p) || *p == ',')) p++;
    const char *e = p;
    while (e < end && *e != ',') e++;
    const char *t = e;
    while (t > p && blank(t[-1])) t--;
    if ((size_t)(t - p) == n && strncasecmp(p, token, n) == 0) return true;
    p = e;
  }
  return false;
}

/* ---- one line of a head ---------------------------------------------------- */

void wc_h1_head_init(wc_h1_head *h, size_t max_bytes, size_t max_fields) {
  memset(h, 0, sizeof *h);
  h->max_bytes = max_bytes;
  h->max_fields = max_fields;
}

static bool digit(char c) { return c >= '0' && c <= '9'; }

/* "HTTP/" DIGIT ["." DIGIT] SP 3DIGIT [SP reason] (curl writes "HTTP/2 200"). */
static bool status_line(const char *s, size_t n, wc_h1_line *out) {
  if (n < 10 || memcmp(s, "HTTP/", 5) != 0 || !digit(s[5])) return false;
  size_t i = 6;
  out->major = s[5] - '0';
  out->minor = 0;
  if (s[i] == '.') {
    if (!digit(s[i + 1])) return false;
    out->minor = s[i + 1] - '0';
    i += 2;
  }
  if (i + 4 > n || s[i] != ' ' || !digit(s[i + 1]) || !digit(s[i + 2]) || !digit(s[i + 3])) return false;
  if (i + 4 < n && s[i + 4] != ' ') return false;
  out->status = (s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 + (s[i + 3] - '0');
  return out->status >= 100;
}

static wc_h1_line_kind malformed(wc_h1_line *out, const char *why) {
  out->why = why;
  return WC_H1_LINE_MALFORMED;
}

wc_h1_line_kind wc_h1_head_line(wc_h1_head *h, const char *line, size_t len, wc_h1_line *out) {
  memset(out, 0, sizeof *out);
  h->bytes += len;
  if (h->max_bytes && h->bytes > h->max_bytes) {
    out->why = "response headers over the byte cap";
    return WC_H1_LINE_TOO_LARGE;
  }
  size_t n = len;
  while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
  if (!h->in_block) {
    if (!status_line(line, n, out)) return malformed(out, "response does not start with an HTTP status line");
    h->status = out->status;
    h->in_block = true;
    return WC_H1_LINE_STATUS;
  }
  if (n == 0) { /* another block follows only after a 1xx */
    out->final = h->status >= 200;
    h->in_block = out->final; /* trailers may follow a final head */
    return WC_H1_LINE_END;
  }
  if (h->max_fields && ++h->fields > h->max_fields) {
    out->why = "more response header fields than the cap";
    return WC_H1_LINE_TOO_LARGE;
  }
  if (blank(line[0])) {
    size_t s = 0;
    while (s < n && blank(line[s])) s++;
    out->value = line + s;
    out->value_len = n - s;
    return WC_H1_LINE_FOLD;
  }
  const char *colon = memchr(line, ':', n);
  size_t name_len = colon ? (size_t)(colon - line) : 0;
  bool name_ok = name_len > 0;
  for (size_t i = 0; name_ok && i < name_len; i++) name_ok = wc_http_tchar((unsigned char)line[i]);
  if (!name_ok) return malformed(out, "a response header field is not \"name: value\" (RFC 9110 5.1)");
  const char *v = colon + 1;
  size_t vlen = n - name_len - 1;
  while (vlen > 0 && blank(*v)) v++, vlen--;
  while (vlen > 0 && blank(v[vlen - 1])) vlen--;
  out->name = line;
  out->name_len = name_len;
  out->value = v;
  out->value_len = vlen;
  return WC_H1_LINE_FIELD;
}

/* ---- one whole response ------------------------------------------------------ */

typedef enum stage {
  ST_HEAD,       /* status lines and fields, 1xx heads included */
  ST_LENGTH,     /* Content-Length bytes */
  ST_TO_CLOSE,   /* the body ends with the connection */
  ST_CHUNK_SIZE, /* a chunk-size line */
  ST_CHUNK_DATA,
  ST_CHUNK_END,  /* the CRLF after a chunk's data */
  ST_TRAILERS,
  ST_DONE,
  ST_FAILED
} stage;

/* What the last field of the block was: a fold continues none (the block
 * has no field yet) nor a framing field. */
typedef enum framing_field { FF_NONE, FF_OTHER, FF_LENGTH, FF_TE, FF_CONNECTION } framing_field;

struct wc_h1_response {
  wc_h1_limits lim;
  wc_h1_sink sink;
  bool head_request;
  stage st;
  wc_h1_head head;
  wc_buf line; /* a line split across feeds */
  size_t bytes, body_bytes;
  uint64_t remaining; /* ST_LENGTH, ST_CHUNK_DATA */
  /* the final head's framing */
  int status, major, minor;
  bool has_length, te, te_chunked, conn_close, conn_keep_alive;
  uint64_t length;
  framing_field last_field;
  wc_h1_failure failure;
  const char *why;
};

wc_h1_response *wc_h1_response_new(const wc_h1_limits *limits) {
  wc_h1_response *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->lim = *limits;
  wc_buf_init(&r->line);
  r->st = ST_DONE;
  return r;
}

void wc_h1_response_free(wc_h1_response *r) {
  if (!r) return;
  wc_buf_free(&r->line);
  free(r);
}

void wc_h1_response_begin(wc_h1_response *r, bool head_request, const wc_h1_sink *sink) {
  wc_h1_limits lim = r->lim;
  wc_buf line = r->line;
  memset(r, 0, sizeof *r);
  r->lim = lim;
  r->line = line;
  r->line.len = 0;
  r->sink = *sink;
  r->head_request = head_request;
  r->st = ST_HEAD;
  wc_h1_head_init(&r->head, lim.max_head_bytes, lim.max_head_fields);
}

static wc_h1_progress fail(wc_h1_response *r, wc_h1_failure f, const char *why) {
  r->st = ST_FAILED;
  r->failure = f;
  r->why = why;
  return WC_H1_FAILED;
}

/* Content-Length: 1*DIGIT, or a list of the same value ("42, 42"). */
static bool parse_length(const char *v, size_t n, uint64_t *out) {
  bool any = false;
  uint64_t first = 0;
  for (size_t i = 0; i < n;) {
    while (i < n && (blank(v[i]) || v[i] == ',')) i++;
    if (i == n) break;
    uint64_t x = 0;
    size_t d = 0;
    for (; i < n && digit(v[i]); i++, d++) {
      if (x > (UINT64_MAX - 9) / 10) return false;
      x = x * 10 + (uint64_t)(v[i] - '0');
    }
    while (i < n && blank(v[i])) i++;
    if (d == 0 || (i < n && v[i] != ',') || (any && x != first)) return false;
    first = x;
    any = true;
  }
  *out = first;
  return any;
}

static bool named(const wc_h1_line *l, const char *name) {
  return l->name_len == strlen(name) && strncasecmp(l->name, name, l->name_len) == 0;
}

/* The fields that frame the message, seen on their way to the sink. */
static wc_h1_progress note_field(wc_h1_response *r, const wc_h1_line *l) {
  r->last_field = FF_OTHER;
  if (named(l, "Content-Length")) {
    uint64_t n;
    if (!parse_length(l->value, l->value_len, &n) || (r->has_length && n != r->length))
      return fail(r, WC_H1_MALFORMED, "an invalid or conflicting Content-Length");
    r->has_length = true;
    r->length = n;
    r->last_field = FF_LENGTH;
  } else if (named(l, "Transfer-Encoding")) {
    /* chunked must be the last coding (RFC 9112 6.3): the last field's last element */
    const char *v = l->value;
    size_t n = l->value_len;
    const char *comma = v + n;
    while (comma > v && comma[-1] != ',') comma--;
    r->te = true;
    r->te_chunked = wc_http_list_has(comma, (size_t)(v + n - comma), "chunked");
    r->last_field = FF_TE;
  } else if (named(l, "Connection")) {
    r->conn_close |= wc_http_list_has(l->value, l->value_len, "close");
    r->conn_keep_alive |= wc_http_list_has(l->value, l->value_len, "keep-alive");
    r->last_field = FF_CONNECTION;
  }
  return WC_H1_MORE;
}

/* The final head ended: how the body is framed (RFC 9112 6.3). */
static wc_h1_progress start_body(wc_h1_response *r) {
  if (r->head_request || r->status == 204 || r->status == 304) {
    r->st = ST_DONE;
    return WC_H1_DONE;
  }
  if (r->te) {
    r->st = r->te_chunked ? ST_CHUNK_SIZE : ST_TO_CLOSE;
    r->conn_close |= r->has_length; /* both: the length is ignored, the connection not reused */
    return WC_H1_MORE;
  }
  if (r->has_length) {
    if (r->length > r->lim.max_body) return fail(r, WC_H1_BODY_TOO_LARGE, "response body over the cap (announced)");
    r->remaining = r->length;
    r->st = r->length ? ST_LENGTH : ST_DONE;
    return r->length ? WC_H1_MORE : WC_H1_DONE;
  }
  r->st = ST_TO_CLOSE;
  return WC_H1_MORE;
}

static wc_h1_progress head_line(wc_h1_response *r, const char *s, size_t n) {
  wc_h1_line l;
  bool trailers = r->st == ST_TRAILERS;
  switch (wc_h1_head_line(&r->head, s, n, &l)) {
  case WC_H1_LINE_TOO_LARGE: return fail(r, WC_H1_HEAD_TOO_LARGE, l.why);
  case WC_H1_LINE_MALFORMED: return fail(r, WC_H1_MALFORMED, l.why);
  case WC_H1_LINE_STATUS:
    r->status = l.status;
    r->major = l.major;
    r->minor = l.minor;
    r->last_field = FF_NONE;
    if (l.major != 1) return fail(r, WC_H1_MALFORMED, "not an HTTP/1.x response");
    if (l.status >= 200 && r->sink.status(r->sink.ud, l.status) != 0) return fail(r, WC_H1_SINK, "out of memory");
    return WC_H1_MORE;
  case WC_H1_LINE_END:
    if (trailers) {
      r->st = ST_DONE;
      return WC_H1_DONE;
    }
    return l.final ? start_body(r) : WC_H1_MORE;
  case WC_H1_LINE_FOLD:
    if (r->status < 200) return WC_H1_MORE;
    if (r->last_field != FF_OTHER)
      return fail(r, WC_H1_MALFORMED, "a continuation line where no field may continue");
    return r->sink.fold(r->sink.ud, l.value, l.value_len) == 0 ? WC_H1_MORE : fail(r, WC_H1_SINK, "out of memory");
  case WC_H1_LINE_FIELD:
    if (r->status < 200) return WC_H1_MORE;
    if (!trailers && note_field(r, &l) != WC_H1_MORE) return WC_H1_FAILED;
    if (trailers) r->last_field = FF_OTHER;
    return r->sink.field(r->sink.ud, l.name, l.name_len, l.value, l.value_len) == 0
               ? WC_H1_MORE
               : fail(r, WC_H1_SINK, "out of memory");
  }
  return fail(r, WC_H1_MALFORMED, "unexpected line");
}

/* "1a2b" [ ";" ext ] : the chunk size. */
static wc_h1_progress chunk_size_line(wc_h1_response *r, const char *s, size_t n) {
  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r')) n--;
  uint64_t size = 0;
  size_t i = 0;
  for (; i < n && wc_hex_digit((unsigned char)s[i]) >= 0; i++) {
    if (size > (UINT64_MAX >> 4)) return fail(r, WC_H1_MALFORMED, "a chunk size out of range");
    size = size << 4 | (uint64_t)wc_hex_digit((unsigned char)s[i]);
  }
  while (i < n && blank(s[i])) i++;
  if (i == 0 || (i < n && s[i] != ';')) return fail(r, WC_H1_MALFORMED, "an invalid chunk size line");
  if (size == 0) {
    r->st = ST_TRAILERS;
    r->last_field = FF_NONE;
    return WC_H1_MORE;
  }
  if (size > r->lim.max_body - r->body_bytes) return fail(r, WC_H1_BODY_TOO_LARGE, "response body over the cap");
  r->remaining = size;
  r->st = ST_CHUNK_DATA;
  return WC_H1_MORE;
}

static wc_h1_progress line_done(wc_h1_response *r, const char *s, size_t n) {
  switch (r->st) {
  case ST_HEAD:
  case ST_TRAILERS: return head_line(r, s, n);
  case ST_CHUNK_SIZE: return chunk_size_line(r, s, n);
  case ST_CHUNK_END:
    if (!(n == 1 && s[0] == '\n') && !(n == 2 && s[0] == '\r' && s[1] == '\n'))
      return fail(r, WC_H1_MALFORMED, "chunk data longer than its size");
    r->st = ST_CHUNK_SIZE;
    return WC_H1_MORE;
  default: return fail(r, WC_H1_MALFORMED, "unexpected line");
  }
}

/* A line (up to its LF) from data, joined to what earlier feeds left in
 * r->line; bounded by the stage's cap. MORE with everything taken when the
 * LF has not arrived yet. */
static wc_h1_progress take_line(wc_h1_response *r, const char *data, size_t len, size_t *pos) {
  const char *start = data + *pos;
  size_t avail = len - *pos;
  const char *lf = memchr(start, '\n', avail);
  size_t take = lf ? (size_t)(lf - start) + 1 : avail;
  size_t cap = r->st == ST_CHUNK_SIZE || r->st == ST_CHUNK_END ? MAX_CHUNK_LINE : r->lim.max_head_bytes;
  if (cap && r->line.len + take > cap + 2)
    return r->st == ST_HEAD || r->st == ST_TRAILERS ? fail(r, WC_H1_HEAD_TOO_LARGE, "response headers over the byte cap")
                                                    : fail(r, WC_H1_MALFORMED, "a chunk size line too long");
  *pos += take;
  if (!lf) return wc_buf_append(&r->line, start, take) == 0 ? WC_H1_MORE : fail(r, WC_H1_SINK, "out of memory");
  if (r->line.len == 0) return line_done(r, start, take);
  if (wc_buf_append(&r->line, start, take) != 0) return fail(r, WC_H1_SINK, "out of memory");
  size_t n = r->line.len;
  r->line.len = 0; /* the bytes stay where they are until the next append */
  return line_done(r, r->line.data, n);
}

static wc_h1_progress body_bytes(wc_h1_response *r, const char *data, size_t len, size_t *pos) {
  size_t n = len - *pos;
  if (r->st != ST_TO_CLOSE && n > r->remaining) n = (size_t)r->remaining;
  if (n > r->lim.max_body - r->body_bytes) return fail(r, WC_H1_BODY_TOO_LARGE, "response body over the cap");
  if (n && r->sink.body(r->sink.ud, data + *pos, n) != 0) return fail(r, WC_H1_SINK, "out of memory");
  *pos += n;
  r->body_bytes += n;
  if (r->st == ST_TO_CLOSE) return WC_H1_MORE;
  r->remaining -= n;
  if (r->remaining) return WC_H1_MORE;
  if (r->st == ST_CHUNK_DATA) {
    r->st = ST_CHUNK_END;
    return WC_H1_MORE;
  }
  r->st = ST_DONE;
  return WC_H1_DONE;
}

wc_h1_progress wc_h1_response_feed(wc_h1_response *r, const char *data, size_t len, size_t *used) {
  size_t pos = 0;
  wc_h1_progress p = r->st == ST_DONE ? WC_H1_DONE : r->st == ST_FAILED ? WC_H1_FAILED : WC_H1_MORE;
  while (p == WC_H1_MORE && pos < len) {
    if (r->st == ST_LENGTH || r->st == ST_TO_CLOSE || r->st == ST_CHUNK_DATA) p = body_bytes(r, data, len, &pos);
    else p = take_line(r, data, len, &pos);
  }
  r->bytes += pos;
  if (used) *used = pos;
  return p;
}

wc_h1_progress wc_h1_response_eof(wc_h1_response *r) {
  switch (r->st) {
  case ST_DONE: return WC_H1_DONE;
  case ST_FAILED: return WC_H1_FAILED;
  case ST_TO_CLOSE:
    r->st = ST_DONE;
    r->conn_close = true;
    return WC_H1_DONE;
  default:
    if (r->bytes == 0) return fail(r, WC_H1_EMPTY, "the connection closed before any response");
    return fail(r, WC_H1_TRUNCATED,
                r->st == ST_HEAD ? "the connection closed inside the response head"
                                 : "the connection closed before the end of the response body");
  }
}

wc_h1_failure wc_h1_response_failure(const wc_h1_response *r) { return r->failure; }

const char *wc_h1_response_why(const wc_h1_response *r) { return r->why ? r->why : ""; }

bool wc_h1_response_reusable(const wc_h1_response *r) {
  if (r->st != ST_DONE || r->conn_close) return false;
  return r->minor >= 1 || r->conn_keep_alive;
}

size_t wc_h1_response_bytes(const wc_h1_response *r) { return r->bytes; }
