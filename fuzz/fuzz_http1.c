/* http1: an upstream's response bytes through the proxy's HTTP/1.1 parser
 * (wc_h1_response), as they would arrive on a socket.
 *
 * Framing: byte 0 flags (0x01 the request was HEAD, 0x02 the connection
 * ends after the bytes), byte 1 the size of the pieces the bytes arrive in
 * (0: all at once), then the response bytes. Fewer than 2 bytes: rejected.
 * Caps: 2 KiB of head, 32 fields, 4 KiB of body.
 * Invariants: a feed never takes more than it was given, and all of it
 * while it wants more; the sink hears one final status (200-999) before
 * any field, nothing after the parse ended, never more body than the cap;
 * a failure has a kind and a reason, a success none; the outcome (progress,
 * failure kind; unless it failed, what reached the sink, whether the
 * connection may be kept and the bytes taken) is the same whether the
 * bytes come in pieces or at once. */
#include <string.h>

#include "fuzz_common.h"
#include "whopconf/common.h"
#include "whopconf/http1.h"

static const wc_h1_limits limits = {.max_head_bytes = 2048, .max_head_fields = 32, .max_body = 4096};

typedef struct seen {
  int statuses;
  size_t fields, folds, body;
  uint32_t hash; /* of everything the sink heard, in order */
  bool ended;    /* the parse reported DONE or FAILED */
} seen;

static void mix(seen *s, const void *data, size_t len) {
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++) s->hash = (s->hash ^ p[i]) * 16777619u;
}

static int on_status(void *ud, int status) {
  seen *s = ud;
  WC_FUZZ_ASSERT(!s->ended && s->statuses == 0 && status >= 200 && status <= 999);
  s->statuses++;
  mix(s, &status, sizeof status);
  return 0;
}

static int on_field(void *ud, const char *name, size_t name_len, const char *value, size_t value_len) {
  seen *s = ud;
  WC_FUZZ_ASSERT(!s->ended && s->statuses == 1 && name_len > 0);
  for (size_t i = 0; i < name_len; i++) WC_FUZZ_ASSERT(wc_http_tchar((unsigned char)name[i]));
  s->fields++;
  mix(s, name, name_len);
  mix(s, "=", 1);
  mix(s, value, value_len);
  return 0;
}

static int on_fold(void *ud, const char *text, size_t len) {
  seen *s = ud;
  WC_FUZZ_ASSERT(!s->ended && s->statuses == 1 && s->fields > 0);
  s->folds++;
  mix(s, "+", 1);
  mix(s, text, len);
  return 0;
}

static int on_body(void *ud, const char *data, size_t len) {
  seen *s = ud;
  WC_FUZZ_ASSERT(!s->ended && s->statuses == 1 && len > 0);
  s->body += len;
  WC_FUZZ_ASSERT(s->body <= limits.max_body);
  mix(s, data, len);
  return 0;
}

typedef struct outcome {
  wc_h1_progress progress;
  wc_h1_failure failure;
  bool reusable;
  size_t used;
  seen s;
} outcome;

static outcome parse(wc_h1_response *r, const char *wire, size_t len, size_t piece, bool head, bool eof) {
  outcome o = {.progress = WC_H1_MORE};
  wc_h1_sink sink = {&o.s, on_status, on_field, on_fold, on_body};
  wc_h1_response_begin(r, head, &sink);
  for (size_t pos = 0; pos < len && o.progress == WC_H1_MORE; pos += piece ? piece : len) {
    size_t n = piece && len - pos > piece ? piece : len - pos, used = 0;
    o.progress = wc_h1_response_feed(r, wire + pos, n, &used);
    WC_FUZZ_ASSERT(used <= n);
    WC_FUZZ_ASSERT(o.progress != WC_H1_MORE || used == n);
    o.used += used;
  }
  if (eof && o.progress == WC_H1_MORE) o.progress = wc_h1_response_eof(r);
  o.s.ended = o.progress != WC_H1_MORE;
  o.failure = wc_h1_response_failure(r);
  o.reusable = o.progress == WC_H1_DONE && wc_h1_response_reusable(r);
  WC_FUZZ_ASSERT((o.progress == WC_H1_FAILED) == (o.failure != WC_H1_NONE));
  WC_FUZZ_ASSERT((o.progress == WC_H1_FAILED) == (wc_h1_response_why(r)[0] != '\0'));
  WC_FUZZ_ASSERT(wc_h1_response_bytes(r) == o.used);
  WC_FUZZ_ASSERT(o.progress != WC_H1_DONE || o.s.statuses == 1);
  return o;
}

int wc_fuzz_framing_ok(const uint8_t *data, size_t size) {
  (void)data;
  return size >= 2;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!wc_fuzz_framing_ok(data, size)) return -1;
  bool head = data[0] & 0x01, eof = data[0] & 0x02;
  size_t piece = data[1];
  const char *wire = (const char *)data + 2;
  size_t len = size - 2;
  wc_h1_response *r = wc_h1_response_new(&limits);
  WC_FUZZ_ASSERT(r != NULL);
  outcome split = parse(r, wire, len, piece, head, eof);
  outcome whole = parse(r, wire, len, 0, head, eof); /* the same parser again: begin resets it */
  WC_FUZZ_ASSERT(split.progress == whole.progress && split.failure == whole.failure);
  if (whole.progress != WC_H1_FAILED) { /* a failure may come after more or fewer bytes reached the sink */
    WC_FUZZ_ASSERT(split.reusable == whole.reusable && split.used == whole.used);
    WC_FUZZ_ASSERT(split.s.hash == whole.s.hash && split.s.body == whole.s.body);
  }
  wc_h1_response_free(r);
  return 0;
}
