/* har: a whole capture file (HAR 1.2 or whopconf's NDJSON exchange log,
 * sniffed as `whopconf check` does) through the streaming reader, each
 * readable entry through the traffic judge, and its report record.
 *
 * Framing: none; the bytes are the file. Entries are capped at 16 KiB, so
 * the oversized-entry path is reachable.
 * Invariants: the reader ends (1 per entry, then 0 or -1); a refusal is one
 * line "fuzz: byte N: reason" with N inside the input; entry offsets grow
 * and stay inside the input; a body kept is no longer than the input; the
 * judge's verdict counts no more failures than it made observations; the
 * report record of an exchange never holds the Authorization credential
 * (printable ASCII, 4 bytes or more). */
#include <string.h>
#include <strings.h>

#include "fuzz_common.h"
#include "whopconf/json_arena.h"
#include "whopconf/traffic.h"

#define MAX_ENTRY ((size_t)16 << 10)

int wc_fuzz_framing_ok(const uint8_t *data, size_t size) {
  (void)data, (void)size;
  return 1;
}

static const wc_judge *the_judge(void) {
  static wc_spec *spec; /* both kept for the process */
  static wc_judge *judge;
  if (!judge) {
    wc_err err;
    spec = wc_spec_load_embedded(&err);
    WC_FUZZ_ASSERT(spec);
    judge = wc_judge_new(spec, NULL, &err);
    WC_FUZZ_ASSERT(judge);
    wc_json_arena_install();
  }
  return judge;
}

/* The credential of the one Authorization header, when the invariant can
 * look for it verbatim in printed JSON (no byte JSON would escape). */
static const char *plain_credential(const wc_wire_exchange *x, size_t *len) {
  const char *auth = NULL;
  for (size_t i = 0; i < x->request_header_count; i++)
    if (strcasecmp(x->request_headers[i].name, "Authorization") == 0) auth = x->request_headers[i].value;
  const char *cred = wc_wire_auth_credential(auth, len);
  if (!cred || *len < 4) return NULL;
  for (size_t i = 0; i < *len; i++)
    if (cred[i] < 0x21 || cred[i] > 0x7e || cred[i] == '"' || cred[i] == '\\' || cred[i] == '/') return NULL;
  return cred;
}

static void check_record(const wc_wire_exchange *x) {
  size_t len;
  const char *cred = plain_credential(x, &len);
  wc_exchange *rec = wc_exchange_from_wire(x);
  WC_FUZZ_ASSERT(rec);
  cJSON *j = wc_exchange_to_json(rec, "x1", 0);
  WC_FUZZ_ASSERT(j);
  char *text = cJSON_PrintUnformatted(j);
  WC_FUZZ_ASSERT(text);
  if (cred) {
    char *needle = wc_strndup(cred, len);
    WC_FUZZ_ASSERT(needle && !strstr(text, needle));
    free(needle);
  }
  free(text);
  cJSON_Delete(j);
  wc_exchange_free(rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const wc_judge *judge = the_judge();
  FILE *f = fmemopen(size ? (void *)data : (void *)"", size, "rb");
  WC_FUZZ_ASSERT(f);
  wc_err err;
  wc_capture *cap = wc_capture_open(f, "fuzz", &(wc_capture_opts){.max_entry = MAX_ENTRY}, &err);
  int rc = cap ? 1 : -1;
  size_t last_offset = 0, entries = 0;
  wc_capture_entry e;
  while (cap && (rc = wc_capture_next(cap, &e, &err)) == 1) {
    entries++;
    WC_FUZZ_ASSERT(e.index == entries);
    WC_FUZZ_ASSERT(e.offset < size && (entries == 1 || e.offset > last_offset));
    last_offset = e.offset;
    WC_FUZZ_ASSERT(e.note && !strpbrk(e.note, "\r\n"));
    if (!e.readable) continue;
    const wc_wire_exchange *x = &e.exchange;
    WC_FUZZ_ASSERT(x->method && x->target);
    WC_FUZZ_ASSERT(!x->request_body.data || x->request_body.len <= size);
    WC_FUZZ_ASSERT(!x->response_body.data || x->response_body.len <= size);
    wc_observations *obs = wc_observations_new();
    wc_verdict v;
    WC_FUZZ_ASSERT(obs && wc_judge_exchange(judge, x, 1, obs, &v) == 0);
    WC_FUZZ_ASSERT(v.judged == wc_judge_applies(judge, x->method, x->target));
    WC_FUZZ_ASSERT(v.request_failures + v.response_failures + v.warnings <= wc_observations_count(obs));
    wc_observations_free(obs);
    check_record(x);
  }
  if (rc < 0) {
    WC_FUZZ_ASSERT(err.code == WC_E_PARSE || err.code == WC_E_NOMEM);
    WC_FUZZ_ASSERT(!strpbrk(err.msg, "\r\n"));
    size_t at;
    if (err.code == WC_E_PARSE) {
      WC_FUZZ_ASSERT(sscanf(err.msg, "fuzz: byte %zu:", &at) == 1);
      WC_FUZZ_ASSERT(at <= size);
    }
  } else {
    WC_FUZZ_ASSERT(rc == 0);
  }
  wc_capture_free(cap);
  fclose(f);
  return 0;
}
