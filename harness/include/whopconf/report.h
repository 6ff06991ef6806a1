/* whopconf: compliance reports.
 *
 * A run builds ONE document, report.json (format below, JSON Schema in
 * reports/report.schema.json), through the report assembly (assemble.h);
 * every other format (JUnit XML, SARIF, Markdown, HTML, HAR) is rendered
 * from that document, so all of them tell the same story.
 *
 * report.json, format_version 1:
 * {
 *   "format": "whopconf-report", "format_version": 1,
 *   "run": {
 *     "whopconf_version": "0.1.0",
 *     "spec": {"path": "spec/openapi.yml (embedded)", "sha256": "<hex>"},
 *     "target": {"base_url": "http://127.0.0.1:41234/api/v1", "embedded_server": true,
 *                "http_client": "whopconf"},
 *     "api_version": "2026-07-01", "known_versions": ["2025-01-01", ...],
 *     "seed": 1, "started_at": "2026-11-27T12:00:00Z", "duration_ms": 312,
 *     "strict": false, "allow_writes": true,
 *     "weakened": ["--insecure"],          (flags that weaken checks; [] when none)
 *     "credentials": {"token": true, "api_key": true, "token_without_scope": false}
 *   },
 *   "summary": {"verdict": "pass" | "fail" | "error", "passed": N, "failed": N,
 *               "warnings": N, "skipped": N, "total": N, "exit_code": 0..3,
 *               "reason": "one line when verdict is error, else omitted"},
 *   "requirements": [           (catalogue order; every catalogue entry once)
 *     {"id": "WC-US-001", "family": "user-schema", "level": "MUST",
 *      "title": "...", "source": "...", "spec_pointer": "#/...", "spec_line": 123,
 *      "schemathesis": "response_schema_conformance" | null,
 *      "status": "pass" | "fail" | "warn" | "skip",
 *      "reason": "one line",
 *      "checks": N,                (how many observations were made)
 *      "findings": [{"case": "pinned_latest", "exchange": "x3",
 *                    "instance_pointer": "/balances/0/price_usd" | null,
 *                    "spec_pointer": "#/components/..." | null,
 *                    "keyword": "type" | null, "message": "..."}],
 *      "evidence": ["x3", "x4"]    (exchange ids, first few)
 *     }
 *   ],
 *   "exchanges": [              (every exchange of the run, in order)
 *     {"id": "x3", "case": "pinned_latest", "started_at": "...",
 *      "request": {"method": "PATCH", "url": "...",
 *                  "headers": [{"name": "Authorization", "value": "Bearer ***"}],
 *                  "body": "..." | null, "body_truncated": false},
 *      "response": {"status": 200, "headers": [{"name": ..., "value": ...}],
 *                   "body": "..." | null, "body_bytes": N, "body_truncated": false}
 *                  | null,       (null when the transfer failed)
 *      "error": {"kind": "timeout-total", "message": "..."} | null,
 *      "time_ms": 1.2, "retries": 0,
 *      "curl": "curl -X PATCH ... -H \"Authorization: Bearer $WHOPCONF_TOKEN\" ..."}
 *   ]
 * }
 * Bodies are UTF-8 text; bytes that are not valid UTF-8 are replaced by
 * U+FFFD and noted with "body_encoding": "lossy". */
#ifndef WHOPCONF_REPORT_H
#define WHOPCONF_REPORT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "whopconf/common.h"
#include "whopconf/spec.h"

#define WC_REPORT_FORMAT_VERSION 1

enum {
  WC_REPORT_JSON = 1 << 0,  /* report.json */
  WC_REPORT_JUNIT = 1 << 1, /* junit.xml */
  WC_REPORT_SARIF = 1 << 2, /* report.sarif */
  WC_REPORT_MD = 1 << 3,    /* summary.md */
  WC_REPORT_HTML = 1 << 4,  /* report.html */
  WC_REPORT_HAR = 1 << 5,   /* traffic.har */
  WC_REPORT_ALL = 0x3f
};

/* "json,junit,sarif,md,html,har" or "all" -> bitmask; -1 (err set) if bad. */
int wc_report_formats_parse(const char *list, wc_err *err);

/* Writes each selected format into dir (created if missing). spec may be
 * NULL (then SARIF has no line numbers and HTML no spec excerpts). */
int wc_report_write(const cJSON *report, const wc_spec *spec, const char *dir, int formats,
                    wc_err *err);

/* Individual renderers (malloc'd text), for tests and the fuzzers. */
char *wc_report_render_junit(const cJSON *report, wc_err *err);
char *wc_report_render_sarif(const cJSON *report, const wc_spec *spec, wc_err *err);
char *wc_report_render_markdown(const cJSON *report, wc_err *err);
char *wc_report_render_html(const cJSON *report, const wc_spec *spec, wc_err *err);
char *wc_report_render_har(const cJSON *report, wc_err *err);

/* `whopconf report diff`: new failures, fixed ones, changed warnings, as
 * text lines into out. Returns 1 when something regressed, 0 when not, -1
 * (err set) when either document is not a whopconf report. */
int wc_report_diff(const cJSON *old_report, const cJSON *new_report, wc_buf *out, wc_err *err);

/* `whopconf report merge`: count report.json documents of one test (runs,
 * or the shards of a `whopconf fuzz --shard K/N` campaign) into one.
 *
 * Compatible inputs: the same format_version, spec sha256 and pinned
 * Api-Version-Date, and the same target (any two runs against the embedded
 * server count as the same target; force accepts other targets and then
 * adds "--force" to run.weakened); never the same shard label and seed
 * twice. Otherwise NULL with err (WC_E_PARSE: not a report; WC_E_USAGE: the
 * first difference, naming both inputs by names[], or "report N" when names
 * is NULL).
 *
 * The result does not depend on the order of the inputs: they are sorted by
 * shard label, seed, start time and content, and every exchange id of the
 * i-th (1-based) in that order gets the prefix "r<i>-" everywhere it is
 * referred to. Per requirement the worst status wins (fail > warn > pass >
 * skip), with the reason of the first report that had it and in how many
 * reports it failed or warned, "checks" summed, and the findings and evidence of the
 * reports with that status (up to 50 findings, the rest counted). Generated
 * findings with the same requirement, status, location and edge class are
 * one, their counts summed, "reports" saying how many reports found it, and
 * the requests of the best reproducer (shrunk, then smaller). Summary and
 * verdict are recomputed: error (3) when any input could not test, else fail
 * (1) when a requirement failed (or warned, when any input was --strict),
 * else pass (0), into *exit_code. run is the first input's, with the earliest
 * start, durations summed, flags set when set in any input, and
 * "merged": {"count": N, "reports": [{"exchange_prefix", "shard", "seed",
 * "started_at", "duration_ms", "base_url", "verdict", "exchanges"}]}.
 * Caller frees. */
cJSON *wc_report_merge(const cJSON *const *reports, const char *const *names, size_t count, bool force,
                       int *exit_code, wc_err *err);

#endif
