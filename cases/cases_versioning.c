/* Versioning: Api-Version-Date known, absent, unknown and malformed. "Unknown"
 * means "not in the configured list" (--known-version), not "not a date":
 * real values can carry a suffix (2026-07-08-1) and the official TypeScript
 * SDK sends 2026-07-20. */
#include <stdlib.h>

#include "case_support.h"
#include "whopconf/versions.h"

static bool is_known(wc_case *c, const char *v) { return wc_version_is_known(wc_case_checks(c), v); }

WC_CASE(versioning, accepted_versions, 0,
        WC_REQ_ABSENT_ACCEPTED " " WC_REQ_KNOWN_ACCEPTED " " WC_REQ_OLD_SHAPE) {
  if (!wc_case_need(c, WC_CRED_TOKEN)) return;
  wc_request_desc d = wc_case_pinned(c);
  d.api_version = NULL;
  wc_sent sent;
  const wc_response *r =
      wc_case_send(c, &d, "PATCH {} without Api-Version-Date", WC_SEND_POSITIVE, &sent);
  if (!r && wc_case_stopped(c)) return;
  if (r) wc_check_accepted(WC_REQ_ABSENT_ACCEPTED, &sent, r, wc_case_obs(c));
  for (size_t i = 0; i < wc_case_known_count(c); i++) {
    d.api_version = wc_case_known(c, i);
    char what[160];
    snprintf(what, sizeof what, "PATCH {} with known Api-Version-Date %s", d.api_version);
    r = wc_case_send(c, &d, what, WC_SEND_POSITIVE, &sent);
    if (!r) {
      if (wc_case_stopped(c)) return;
      continue; /* --keep-going: this probe failed in transit, try the next */
    }
    wc_check_accepted(WC_REQ_KNOWN_ACCEPTED, &sent, r, wc_case_obs(c));
  }
}

/* The newest known version with a suffix: well-formed, and unknown unless
 * configured. */
static void suffixed_latest(wc_case *c, char *out, size_t size) {
  const char *latest = wc_case_api_version(c);
  if (!latest) latest = wc_default_version(wc_default_version_count() - 1);
  snprintf(out, size, "%s-1", latest);
}

WC_CASE(versioning, unknown_dates, 0, WC_REQ_UNKNOWN_400 " " WC_REQ_VERSION_LIST) {
  if (!wc_case_need(c, WC_CRED_TOKEN)) return;
  char suffixed[64];
  suffixed_latest(c, suffixed, sizeof suffixed);
  const struct {
    const char *value, *kind;
  } dates[] = {
      {"2024-12-31", "past, before the original version"},
      {"2026-06-10", "between known versions"},
      {"2099-01-01", "future"},
      {"2026-07-20", "the TypeScript SDK's version"},
      {suffixed, "a suffixed form of the pinned version"},
  };
  size_t tried = 0;
  for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
    if (is_known(c, dates[i].value)) continue; /* configured: not unknown here */
    wc_request_desc d = wc_case_pinned(c);
    d.api_version = dates[i].value;
    char what[200];
    snprintf(what, sizeof what, "PATCH {} with unknown Api-Version-Date %s (%s)", dates[i].value,
             dates[i].kind);
    wc_sent sent;
    const wc_response *r = wc_case_send(c, &d, what, 0, &sent);
    if (!r) {
      if (wc_case_stopped(c)) return;
      continue; /* --keep-going: this probe failed in transit, try the next */
    }
    tried++;
    wc_check_rejected_400(WC_REQ_UNKNOWN_400, &sent, r, wc_case_obs(c));
    /* The list is judged on plain dates; a suffixed value may be refused
     * as malformed with a different message. */
    if (strcmp(dates[i].value, suffixed) != 0) wc_check_version_list(wc_case_checks(c), &sent, r, wc_case_obs(c));
  }
  if (!tried) wc_case_skip_rest(c, "every probe date is configured as known (--known-version)");
  else wc_case_skip_rest(c, "no 400 to an unknown version to read the supported list from");
}

WC_CASE(versioning, malformed_dates, 0, WC_REQ_MALFORMED_400) {
  if (!wc_case_need(c, WC_CRED_TOKEN)) return;
  /* 300 characters of digits and dashes: long, but under any sane header
   * limit, so a 431 is not a fair answer. */
  char very_long[301];
  for (size_t i = 0; i < 300; i++) very_long[i] = (i % 5 == 4) ? '-' : (char)('0' + i % 10);
  very_long[300] = '\0';
  const struct {
    const char *value, *kind;
  } values[] = {
      {"not-a-date", "not a date"},
      {"", "empty"},
      {"2026- 07-01", "whitespace inside"},
      {"2026-07-01T00:00:00Z", "a timestamp"},
      {very_long, "300 characters"},
      {"\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x96-07-01", "non-ASCII (fullwidth digits)"},
      {"2026/07/01", "slashes"},
      {"20260701", "basic format"},
      {"2026-13-01", "month 13"},
      {"2026-02-30", "30 February"},
  };
  for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
    wc_request_desc d = wc_case_pinned(c);
    d.api_version = values[i].value;
    char shown[96], what[200];
    wc_case_show(values[i].value, shown, sizeof shown);
    snprintf(what, sizeof what, "PATCH {} with malformed Api-Version-Date %s (%s)", shown, values[i].kind);
    wc_sent sent;
    const wc_response *r = wc_case_send(c, &d, what, 0, &sent);
    if (!r) {
      if (wc_case_stopped(c)) return;
      continue; /* --keep-going: this probe failed in transit, try the next */
    }
    wc_check_rejected_400(WC_REQ_MALFORMED_400, &sent, r, wc_case_obs(c));
  }
}
