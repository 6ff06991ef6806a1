/* The oracles of a generated exchange. The generic checks of `run` judge
 * the response as such; these judge it against what was generated:
 * a negative input must be rejected, a positive one accepted, and what a
 * positive update sent must come back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_internal.h"

/* ---- echo ----------------------------------------------------------------- */

static size_t utf8_next(const unsigned char *s, size_t len, size_t i, unsigned *cp) {
  unsigned c = s[i];
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  if (i + n > len) n = 1;
  if (n == 1) {
    *cp = c;
    return 1;
  }
  unsigned v = c & (0x7fu >> n);
  for (size_t k = 1; k < n; k++) v = (v << 6) | (s[i + k] & 0x3fu);
  *cp = v;
  return n;
}

static bool is_space(unsigned cp) {
  return cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f ||
         cp == 0x205f || cp == 0x3000 || cp == 0xfeff;
}

static bool is_combining(unsigned cp) {
  return (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x1ab0 && cp <= 0x1aff) ||
         (cp >= 0x1dc0 && cp <= 0x1dff) || (cp >= 0x20d0 && cp <= 0x20ff) ||
         (cp >= 0xfe20 && cp <= 0xfe2f);
}

/* Base letters of the precomposed Latin letters U+00C0..U+017F ('-' where
 * the letter has no canonical decomposition). */
static const char latin_base[] =
    "AAAAAA-CEEEEIIII-NOOOOO--UUUUY--aaaaaa-ceeeeiiii-nooooo--uuuuy-y"
    "AaAaAaCcCcCcCcDd--EeEeEeEeEeGgGgGgGgHh--IiIiIiIiI---JjKk-LlLlLl-"
    "---NnNnNn---OoOoOo--RrRrRrSsSsSsSsTtTt--UuUuUuUuUuUuWwYyYZzZzZz-";

/* The text without edge whitespace, with marks taken off their letters:
 * two strings that differ only by normalization have the same skeleton and
 * the same number of marks. */
static char *skeleton(const char *s, size_t *marks) {
  const unsigned char *u = (const unsigned char *)s;
  size_t len = strlen(s), start = 0, end = len;
  unsigned cp;
  while (start < end) {
    size_t n = utf8_next(u, len, start, &cp);
    if (!is_space(cp)) break;
    start += n;
  }
  while (end > start) { /* trailing: step back over continuation bytes */
    size_t b = end - 1;
    while (b > start && (u[b] & 0xc0) == 0x80) b--;
    utf8_next(u, len, b, &cp);
    if (!is_space(cp)) break;
    end = b;
  }
  wc_buf out;
  wc_buf_init(&out);
  *marks = 0;
  for (size_t i = start; i < end;) {
    size_t n = utf8_next(u, len, i, &cp);
    if (is_combining(cp)) {
      (*marks)++;
    } else if (cp >= 0xc0 && cp < 0x180 && latin_base[cp - 0xc0] != '-') {
      (*marks)++;
      wc_buf_append(&out, &latin_base[cp - 0xc0], 1);
    } else {
      wc_buf_append(&out, u + i, n);
    }
    i += n;
  }
  if (!out.data) wc_buf_puts(&out, "");
  return wc_buf_steal(&out);
}

int wc_campaign_echo_compare(const char *sent, const char *got) {
  if (strcmp(sent, got) == 0) return 0;
  size_t ms = 0, mg = 0;
  char *a = skeleton(sent, &ms), *b = skeleton(got, &mg);
  int rc = a && b && ms == mg && strcmp(a, b) == 0 ? 1 : 2;
  free(a);
  free(b);
  return rc;
}

static char *quoted(const char *s) {
  cJSON *j = cJSON_CreateString(s);
  char *text = j ? cJSON_PrintUnformatted(j) : NULL;
  cJSON_Delete(j);
  if (text && strlen(text) > 120) strcpy(text + 110, "...\" (cut)");
  return text;
}

/* WC-UPD-001 on a 2xx to a positive update: every string member sent. */
static void check_echo(const cJSON *properties, const wc_gen_request *req, const wc_sent *sent,
                       const wc_response *r, wc_observations *obs) {
  const cJSON *body = wc_gen_request_json(req), *user = wc_response_json(r);
  if (!cJSON_IsObject(body) || !cJSON_IsObject(user)) return;
  wc_findings *fail = wc_findings_new(), *warn = wc_findings_new();
  size_t compared = 0;
  const cJSON *m;
  cJSON_ArrayForEach(m, body) {
    if (!cJSON_IsString(m) || !m->string || !cJSON_GetObjectItemCaseSensitive(properties, m->string)) continue;
    compared++;
    const cJSON *got = cJSON_GetObjectItemCaseSensitive(user, m->string);
    char *ptr = wc_pointer_append("", m->string);
    char *want = quoted(m->valuestring);
    if (!cJSON_IsString(got)) {
      wc_findings_add(fail, ptr, NULL, "reflected", WC_NO_OFFSET, "sent %s, the response has no string there",
                      want ? want : "?");
    } else {
      int cmp = wc_campaign_echo_compare(m->valuestring, got->valuestring);
      char *have = cmp ? quoted(got->valuestring) : NULL;
      if (cmp == 1)
        wc_findings_add(warn, ptr, NULL, "normalized", WC_NO_OFFSET,
                        "sent %s, got %s: normalization the contract leaves open", want ? want : "?",
                        have ? have : "?");
      else if (cmp == 2)
        wc_findings_add(fail, ptr, NULL, "reflected", WC_NO_OFFSET, "sent %s, got %s", want ? want : "?",
                        have ? have : "?");
      free(have);
    }
    free(ptr);
    free(want);
  }
  if (compared && fail && warn) {
    if (wc_findings_count(fail))
      wc_observe_findings(obs, WC_REQ_UPD_REFLECTED, sent->exchange, fail, "sent text did not come back");
    else if (wc_findings_count(warn)) {
      wc_observation *o = wc_observe(obs, WC_REQ_UPD_REFLECTED, WC_OBS_WARN, sent->exchange,
                                     "sent text came back normalized: %s",
                                     wc_findings_get(warn, 0)->message);
      if (o) wc_findings_copy(o->findings, warn);
    } else {
      wc_observe(obs, WC_REQ_UPD_REFLECTED, WC_OBS_PASS, sent->exchange, "sent text came back");
    }
  }
  wc_findings_free(fail);
  wc_findings_free(warn);
}

/* ---- rejection and acceptance ------------------------------------------------ */

static bool good_envelope(const wc_response *r) {
  wc_envelope env;
  return wc_response_envelope(r, &env, NULL) == 0;
}

static const char *negative_requirement(const wc_gen_request *req) {
  const char *loc = wc_gen_request_location(req);
  if (loc && strcmp(loc, WC_GEN_LOC_HEADER_VERSION) == 0) {
    const char *kw = wc_gen_request_keyword(req);
    return kw && strcmp(kw, "enum") == 0 ? WC_REQ_UNKNOWN_400 : WC_REQ_MALFORMED_400;
  }
  return WC_REQ_INVALID_BODY_400;
}

void wc_campaign_judge(const wc_check_ctx *ctx, const cJSON *body_properties, const wc_gen_request *req,
                       const wc_sent *sent, const wc_response *r, wc_observations *obs) {
  wc_check_response(ctx, sent, r, obs);
  long status = wc_response_status(r);
  int ex = sent->exchange;
  const char *what = wc_gen_request_description(req);
  if (status >= 500) return; /* WC-TR-001 has it */
  if (status == 401 || status == 403 || status == 429) {
    /* Not an answer about the input: the credential or the rate limit. */
    wc_observe(obs, wc_gen_request_positive(req) ? WC_REQ_POSITIVE_ACCEPTED : negative_requirement(req),
               WC_OBS_SKIP, ex, "%s: got %ld, not an answer about the input", what, status);
    return;
  }
  /* A body over the server's size limit may be refused before it is read. */
  if (status == 413 && good_envelope(r)) {
    wc_observe(obs, wc_gen_request_positive(req) ? WC_REQ_POSITIVE_ACCEPTED : negative_requirement(req),
               WC_OBS_WARN, ex, "%s: 413 (the body is over the server's size limit)", what);
    return;
  }
  if (!wc_gen_request_positive(req)) {
    wc_check_rejected_400(negative_requirement(req), sent, r, obs);
    return;
  }
  if (status >= 200 && status < 300) {
    wc_observe(obs, WC_REQ_POSITIVE_ACCEPTED, WC_OBS_PASS, ex, "%s accepted (%ld)", what, status);
    check_echo(body_properties, req, sent, r, obs);
  } else if (status == 400 && good_envelope(r)) {
    wc_observe(obs, WC_REQ_POSITIVE_ACCEPTED, WC_OBS_WARN, ex,
               "%s: 400 with an error envelope, a rule the contract leaves open", what);
  } else {
    wc_observe(obs, WC_REQ_POSITIVE_ACCEPTED, WC_OBS_FAIL, ex, "%s: expected 2xx, got %ld", what, status);
  }
}
