/* whopconf: observations, what every check produces.
 *
 * An observation says "requirement R was checked on exchange E of its source
 * (a case, a group of generated requests) and passed / failed (with
 * findings) / could not be checked". The checks (checks.h) append them; a
 * case writes them into its result file through their JSON form; the report
 * assembly (assemble.h) folds them into report.json. */
#ifndef WHOPCONF_OBSERVATIONS_H
#define WHOPCONF_OBSERVATIONS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "whopconf/common.h"

/* X(name, text): what an observation found, and its name in result files. */
#define WC_OBS_STATUS_MAP(X)                                                                       \
  X(PASS, "pass")                                                                                  \
  X(FAIL, "fail") /* the report turns a failed SHOULD into a warning */                            \
  X(WARN, "warn") /* a warning whatever the level (e.g. a suspicious but allowed answer) */        \
  X(SKIP, "skip") /* could not be checked; reason says why */

typedef enum wc_obs_status {
#define WC_OBS_STATUS_ENUM(name, text) WC_OBS_##name,
  WC_OBS_STATUS_MAP(WC_OBS_STATUS_ENUM)
#undef WC_OBS_STATUS_ENUM
} wc_obs_status;

const char *wc_obs_status_name(wc_obs_status status); /* "pass", "fail", "warn", "skip" */
/* -1 when name is none of those. */
int wc_obs_status_parse(const char *name);

typedef struct wc_observation {
  const char *requirement; /* a catalogue id (static string) */
  wc_obs_status status;
  char *reason;            /* one line; NULL for a pass when pass reasons are omitted */
  int exchange;            /* 1-based sequence of the exchange in its source; 0 = none */
  bool note;               /* reason worth keeping in the requirement summary (shapes) */
  wc_findings *findings;   /* never NULL */
  /* How many identical outcomes this one stands for (a generated phase sums
   * up its passes); 0 and 1 both mean one. JSON "count", written when > 1. */
  uint64_t count;
} wc_observation;

typedef struct wc_observations wc_observations;

wc_observations *wc_observations_new(void);
void wc_observations_free(wc_observations *obs);
/* From now on a pass's reason is not formatted (reason NULL): for callers
 * that fold passes into counts (the traffic tally), where formatting every
 * passing check's reason was most of the judge's cost. */
void wc_observations_omit_pass_reasons(wc_observations *obs);
/* False once pass reasons are omitted (or obs is NULL): a check can then
 * skip computing what would only go into one. */
bool wc_observations_pass_reasons_kept(const wc_observations *obs);
size_t wc_observations_count(const wc_observations *obs);
const wc_observation *wc_observations_get(const wc_observations *obs, size_t index);

/* Appends one observation; returns it (its findings list can be added to),
 * or NULL when memory runs out. requirement must be a catalogue id. */
wc_observation *wc_observe(wc_observations *obs, const char *requirement, wc_obs_status status,
                           int exchange, const char *fmt, ...) WC_PRINTF(5, 6);
/* pass when found is empty, else fail with a copy of every finding and
 * reason "<what>: <first finding message> (+N more)". */
wc_observation *wc_observe_findings(wc_observations *obs, const char *requirement, int exchange,
                                    const wc_findings *found, const char *what);
/* The usual end of a check: pass with the reason pass_fmt formats when found
 * is empty, else wc_observe_findings with what = fail_fmt formatted (at most
 * 255 bytes). Both formats take the same arguments; only the one used is
 * formatted (and no pass reason once they are omitted). */
wc_observation *wc_observe_pass_or_findings(wc_observations *obs, const char *requirement, int exchange,
                                            const wc_findings *found, const char *pass_fmt,
                                            const char *fail_fmt, ...) WC_PRINTF(5, 7) WC_PRINTF(6, 7);
/* Copies every finding of src into dst. 0, or -1 on ENOMEM. */
int wc_findings_copy(wc_findings *dst, const wc_findings *src);

/* The observations as JSON (runner result files) and back. from_json
 * refuses (err set) an entry without a catalogue id or a status name. */
cJSON *wc_observations_to_json(const wc_observations *obs);
wc_observations *wc_observations_from_json(const cJSON *array, wc_err *err);

#endif
