/* whopconf: judging real client traffic (`whopconf check`, `whopconf proxy`).
 *
 * Three pieces:
 *  - the judge: one exchange as seen on the wire (wc_wire_exchange,
 *    transport.h) -> observations. PATCH <base>/users/me is judged on both
 *    sides: the request against the contract (WC-CL-*: a client bug) and the
 *    response with the checks `run` makes, for the version the request asked
 *    for. Anything else is only counted. A judge is read-only once built, so
 *    threads may share one.
 *  - the tally: every exchange's verdict folded into per-requirement counts
 *    and a bounded sample of exchanges, in memory independent of the traffic
 *    size, then report.json (report.h) for every report format. Thread-safe.
 *  - the readers: HAR 1.2 and whopconf's NDJSON exchange log, streamed one
 *    entry at a time (docs/traffic.md). */
#ifndef WHOPCONF_TRAFFIC_H
#define WHOPCONF_TRAFFIC_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "whopconf/checks.h"
#include "whopconf/common.h"
#include "whopconf/spec.h"
#include "whopconf/transport.h"

#define WC_TRAFFIC_DEFAULT_BASE_PATH "/api/v1"
#define WC_TRAFFIC_MAX_VERSIONS 32

/* ---- the judge ------------------------------------------------------------ */

typedef struct wc_judge_opts {
  const char *base_path;   /* where the API lives; NULL = "/api/v1", "" or "/" = the root */
  const char *api_version; /* the latest-shape version; NULL = the newest known */
  const char *const *known_versions;
  size_t known_count;      /* 0 = the public list */
  double max_response_ms;  /* 0 = no budget (WC-TR-004 not observed) */
} wc_judge_opts;

typedef struct wc_judge wc_judge;

/* Compiles the schemas it needs from spec (which must outlive the judge).
 * NULL (err set) when the spec lacks the operation or a schema. */
wc_judge *wc_judge_new(const wc_spec *spec, const wc_judge_opts *opts, wc_err *err);
void wc_judge_free(wc_judge *judge);

const char *wc_judge_base_path(const wc_judge *judge); /* normalised: "" or "/api/v1" */
const char *wc_judge_api_version(const wc_judge *judge);
size_t wc_judge_known_count(const wc_judge *judge);
const char *wc_judge_known(const wc_judge *judge, size_t index);

/* True when method is PATCH and target (a path with query, or an absolute
 * URL) is <base>/users/me. */
bool wc_judge_applies(const wc_judge *judge, const char *method, const char *target);

typedef enum wc_side { WC_SIDE_REQUEST = 0, WC_SIDE_RESPONSE } wc_side;
const char *wc_side_name(wc_side side); /* "request" / "response" */
/* The side a requirement judges: client requirements the request. */
wc_side wc_requirement_side(const char *requirement_id);

typedef struct wc_verdict {
  bool judged;               /* the documented operation; false = only counted */
  size_t request_failures;   /* failed MUST observations on the request side */
  size_t response_failures;  /* failed MUST observations on the response side */
  size_t warnings;           /* failed SHOULD observations (either side) */
} wc_verdict;

/* Judges x, appending observations numbered `exchange` to obs (which may
 * hold others'). out gets the tally of what was appended. -1 only when
 * memory runs out. */
int wc_judge_exchange(const wc_judge *judge, const wc_wire_exchange *x, int exchange,
                      wc_observations *obs, wc_verdict *out);

/* ---- the tally and its report --------------------------------------------- */

typedef struct wc_tally wc_tally;

typedef struct wc_tally_info {
  const char *command;  /* "check" / "proxy": names the tally in reports */
  const char *target;   /* what was watched: the files, or the upstream URL */
  const wc_spec *spec;  /* the contract the judge was built from */
  bool strict;          /* failed SHOULDs fail the verdict */
  size_t keep_exchanges; /* exchanges kept in the report; 0 = 200 */
} wc_tally_info;

/* The judge, the spec and the info strings must outlive the tally. */
wc_tally *wc_tally_new(const wc_judge *judge, const wc_tally_info *info, wc_err *err);
void wc_tally_free(wc_tally *tally);

/* Judges x and folds its verdict in. source labels it in reports
 * ("capture.har entry 3"; may be NULL). Exchanges are numbered x1, x2, ...
 * in the order they are added. verdict may be NULL. -1 on ENOMEM. */
int wc_tally_add(wc_tally *tally, const wc_wire_exchange *x, const char *source, wc_verdict *verdict);
/* An input entry that could not be read as an exchange (counted, noted). */
void wc_tally_unreadable(wc_tally *tally, const char *source, const char *why);

typedef struct wc_tally_counts {
  size_t exchanges, judged, other, unreadable;
  size_t conformant;        /* judged, with no failure on either side */
  size_t request_violations, response_violations; /* judged exchanges failing that side */
  size_t failed;            /* judged exchanges that never got a response */
} wc_tally_counts;

void wc_tally_counts_get(wc_tally *tally, wc_tally_counts *out);

/* report.json (report.h) of everything added so far: every requirement of
 * the catalogue once, the kept exchanges, and "run.traffic" with the counts.
 * *exit_code: 0 when every judged exchange conformed, 1 when one did not.
 * Caller frees. */
cJSON *wc_tally_report(wc_tally *tally, int *exit_code, wc_err *err);

/* ---- the readers ---------------------------------------------------------- */

typedef enum wc_capture_format { WC_CAPTURE_AUTO = 0, WC_CAPTURE_HAR, WC_CAPTURE_NDJSON } wc_capture_format;

typedef struct wc_capture wc_capture;

typedef struct wc_capture_opts {
  wc_capture_format format; /* AUTO: sniffed from the first bytes */
  size_t max_entry;          /* bytes of one entry; 0 = 16 MiB (larger ones are skipped, noted) */
} wc_capture_opts;

/* Reads from f (not closed by the reader); name is used in messages. With
 * the cJSON arena installed (json_arena.h) an entry's tree lives in a
 * region of the calling thread's arena until the next wc_capture_next or
 * wc_capture_free: call them on one thread, outside any region of the
 * caller's own. */
wc_capture *wc_capture_open(FILE *f, const char *name, const wc_capture_opts *opts, wc_err *err);
void wc_capture_free(wc_capture *cap);
wc_capture_format wc_capture_get_format(const wc_capture *cap);

/* One entry of a capture. The exchange's strings live until the next call
 * to wc_capture_next or wc_capture_free. note: a remark about the entry
 * ("response body truncated in the capture: 120 of 4,096 bytes"), or "". */
typedef struct wc_capture_entry {
  wc_wire_exchange exchange;
  size_t index;       /* 1-based */
  size_t offset;      /* byte offset of the entry in the file */
  bool readable;      /* false: skipped (too large, not an exchange); note says why */
  const char *note;
} wc_capture_entry;

/* 1 = an entry, 0 = the end, -1 = malformed or unreadable input (err:
 * "name: byte N: reason", code WC_E_PARSE or WC_E_IO). */
int wc_capture_next(wc_capture *cap, wc_capture_entry *entry, wc_err *err);

#endif
