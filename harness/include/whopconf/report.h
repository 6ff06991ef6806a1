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
 *     "target": {"base_url": "http://127.0.0.1:41234/api/v1", "embedded_server": true},
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

#endif
