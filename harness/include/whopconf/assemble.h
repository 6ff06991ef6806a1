/* whopconf: assembling report.json from observations and exchanges.
 *
 * Every command that judges traffic builds its report.json (format in
 * report.h) the same way: it hands the assembly one "source" at a time (a
 * conformance case, a group of generated requests, a stretch of recorded
 * traffic), each with its observations and its exchanges, then the run's
 * metadata, and gets back the document and the exit code.
 *
 *   wc_assembly *a = wc_assembly_new(&err);
 *   wc_assembly_exclude(a, "WC-TR-004", "not selected (--only)", &err);  optional
 *   wc_assembly_add_source(a, "pinned_latest", obs, exchanges, &err);     per source
 *   wc_assembly_stopped(a, "the target went away");                       when it applies
 *   cJSON *report = wc_assembly_finish(a, &meta, &exit_code, &err);
 *   wc_assembly_free(a);
 *
 * Numbering: exchanges get the ids x1, x2, ... in the order sources are added
 * and, within a source, in array order; an observation's exchange number
 * (1-based within its source) becomes that id. Add sources in a fixed order
 * and the report is deterministic.
 *
 * Folding: a failed SHOULD becomes a warning (wc_assembly_effective); per
 * requirement the status is fail > warn > pass > skip, with the first reason
 * of that status, up to 50 findings (then "N more findings not listed") and
 * the first 5 exchange ids as evidence. Those caps, and one on the exchange
 * records kept, are wc_assembly_caps: with all three set, the assembly's
 * memory does not grow with the traffic (`check`, `proxy`).
 *
 * Verdict: exit 3 ("error") when the source of the trouble was stated with
 * wc_assembly_stopped; else 1 ("fail") when a requirement failed, or warned
 * under meta.strict; else 3 when wc_assembly_incomplete was called; else 0.
 *
 * The assembly copies what it is given: sources, observations and exchanges
 * stay the caller's. */
#ifndef WHOPCONF_ASSEMBLE_H
#define WHOPCONF_ASSEMBLE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "whopconf/common.h"
#include "whopconf/observations.h"
#include "whopconf/spec.h"

/* What was tested, with what: the report's "run" object. */
typedef struct wc_report_meta {
  const wc_spec *spec; /* name, sha256 and each requirement's line; NULL: "?", "" and 0 */
  const char *base_url;
  bool embedded_server;
  /* Who sent the requests: "whopconf" (its own HTTP/1.1 client) or
   * "libcurl"; NULL when whopconf sent none of them (recorded traffic). */
  const char *http_client;
  const char *api_version; /* the pinned version; NULL = "" */
  const char *const *known_versions;
  size_t known_count;
  uint64_t seed;
  const char *started_at; /* RFC 3339, UTC */
  double duration_ms;
  bool strict;       /* warnings fail the report (exit 1) */
  bool allow_writes;
  const char *const *weakened; /* flags that weaken the checks, as typed ("--insecure") */
  size_t weakened_count;
  bool token, api_key, token_without_scope; /* which credentials were given */
} wc_report_meta;

typedef struct wc_assembly wc_assembly;

wc_assembly *wc_assembly_new(wc_err *err);
void wc_assembly_free(wc_assembly *a);

typedef struct wc_assembly_caps {
  size_t findings;  /* findings listed per requirement; 0 = 50 */
  size_t evidence;  /* exchange ids per requirement; 0 = 5 */
  size_t exchanges; /* exchange records kept; 0 = every one */
  bool sides;       /* each finding says "side": "request" (client family) or "response" */
} wc_assembly_caps;

/* Before any source is added. */
void wc_assembly_set_caps(wc_assembly *a, const wc_assembly_caps *caps);
/* Exchanges numbered but not in the report's exchanges (null records and
 * those past the cap). */
size_t wc_assembly_exchanges_left_out(const wc_assembly *a);

/* The status a report gives an observation: a failed SHOULD is a warning. */
wc_obs_status wc_assembly_effective(const char *requirement, wc_obs_status observed);

/* Leaves requirement out of this report (before any source is added): its
 * observations are ignored and it is a skip with reason. 0, or -1 (err set)
 * for an id that is not in the catalogue. */
int wc_assembly_exclude(wc_assembly *a, const char *requirement, const char *reason, wc_err *err);
/* Leaves every requirement of family (catalog.h) out of the report
 * altogether: not listed, not counted, its observations ignored (a run
 * does not judge client traffic, so the client family is not its concern).
 * 0, or -1 (err set) for a family that is not in the catalogue. */
int wc_assembly_omit_family(wc_assembly *a, const char *family, wc_err *err);
/* The reason of a requirement that no source observed at all (not even as a
 * skip). requirement NULL sets it for every requirement without one of its
 * own; the default is "not observed in this run". 0, or -1 (err set). */
int wc_assembly_unobserved_reason(wc_assembly *a, const char *requirement, const char *reason,
                                  wc_err *err);

/* Adds one source. name: its "case" in exchanges and findings. obs: its
 * observations (NULL = none). exchanges: an array of wc_exchange_to_json
 * objects in sequence order (NULL = none); members "id" and "seq" are
 * dropped, any other member is kept ("started_at" first). A JSON null in
 * the array is an exchange seen but not recorded: numbered (observations may
 * refer to it), counted, not listed. 0, or -1 (err set) when memory runs
 * out. */
int wc_assembly_add_source(wc_assembly *a, const char *name, const wc_observations *obs,
                           const cJSON *exchanges, wc_err *err);
/* The same, taking the exchanges instead of copying them: the array is
 * left empty (the caller still frees it). For sources whose exchanges are
 * most of the run's memory (a fuzz phase that found much). */
int wc_assembly_take_source(wc_assembly *a, const char *name, const wc_observations *obs, cJSON *exchanges,
                            wc_err *err);

/* The run could not test (unreachable target, credentials refused, a
 * stopped run): the verdict is error whatever was observed. The first
 * reason given is kept. */
void wc_assembly_stopped(wc_assembly *a, const char *reason);
/* Something went wrong that does not invalidate what was seen (a case that
 * crashed, transfers that failed with --keep-going): error unless a
 * requirement failed. The first reason given is kept. */
void wc_assembly_incomplete(wc_assembly *a, const char *reason);

/* The finding that closes a requirement's list when more were observed than
 * it keeps: "<count> more findings not listed", with "side" when side is not
 * NULL (reports of judged traffic) (caller frees). */
cJSON *wc_report_more_findings(const char *spec_pointer, const char *side, size_t count);
/* How many findings such an entry stands for; 0 for any other finding. */
size_t wc_report_findings_left_out(const cJSON *finding);

/* report.json (caller frees); *exit_code gets 0, 1 or 3. NULL (err set)
 * only when memory runs out. The assembly is spent: free it next. */
cJSON *wc_assembly_finish(wc_assembly *a, const wc_report_meta *meta, int *exit_code, wc_err *err);
/* The same document of what was added so far, the assembly left as it was
 * (more sources may follow): for reports rewritten while traffic flows. */
cJSON *wc_assembly_snapshot(wc_assembly *a, const wc_report_meta *meta, int *exit_code, wc_err *err);

#endif
