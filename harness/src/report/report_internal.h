/* whopconf: internals shared by the report renderers (report*.c).
 *
 * Every renderer reads the report.json cJSON tree defensively: a field that
 * is missing or of the wrong type reads as absent, so a document written by
 * an older or newer whopconf, or edited by hand, still renders. Every string
 * taken from the document goes through wc_rep_out_text / wc_rep_clean, which
 * repair UTF-8, neutralise control characters, mask anything that looks like
 * a bearer credential and escape for the output language. Not a public
 * header; every name in it starts with wc_rep_ / WC_REP_. */
#ifndef WHOPCONF_REPORT_INTERNAL_H
#define WHOPCONF_REPORT_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "whopconf/common.h"
#include "whopconf/report.h"
#include "whopconf/spec.h"

#define WC_REP_SPEC_URI "spec/openapi.yml" /* SARIF artifact when the spec is embedded */

/* File names inside --report-dir (the renderers link to each other). */
#define WC_REP_FILE_JSON "report.json"
#define WC_REP_FILE_JUNIT "junit.xml"
#define WC_REP_FILE_SARIF "report.sarif"
#define WC_REP_FILE_MD "summary.md"
#define WC_REP_FILE_HTML "report.html"
#define WC_REP_FILE_HAR "traffic.har"

/* Caps: bodies shown in HTML and JUnit, bodies kept in the HAR, one short
 * text (title, message, header value), findings listed per requirement. */
#define WC_REP_BODY_CAP ((size_t)64 * 1024)
#define WC_REP_HAR_BODY_CAP ((size_t)1024 * 1024)
#define WC_REP_TEXT_CAP ((size_t)8 * 1024)
#define WC_REP_MAX_FINDINGS 50
#define WC_REP_MAX_EVIDENCE 8

/* ---- reading the document ---- */

const cJSON *wc_rep_get(const cJSON *obj, const char *key);        /* any member */
const char *wc_rep_get_str(const cJSON *obj, const char *key);     /* string or NULL */
double wc_rep_get_num(const cJSON *obj, const char *key, double dflt);
bool wc_rep_get_true(const cJSON *obj, const char *key);           /* true only for JSON true */
const cJSON *wc_rep_get_arr(const cJSON *obj, const char *key);    /* array or NULL */
const cJSON *wc_rep_get_obj(const cJSON *obj, const char *key);    /* object or NULL */

/* The minimum every renderer needs: "format" is "whopconf-report",
 * "format_version" is 1, "requirements" is an array of objects. */
int wc_rep_check(const cJSON *report, wc_err *err);

typedef enum wc_rep_status { WC_REP_FAIL = 0, WC_REP_WARN, WC_REP_SKIP, WC_REP_PASS, WC_REP_OTHER } wc_rep_status;

wc_rep_status wc_rep_req_status(const cJSON *req);
const char *wc_rep_status_name(wc_rep_status status); /* "fail", ... */

/* A requirement's field from the document, falling back to the catalogue
 * entry of the same id (title, source, family, level, spec_pointer). */
const char *wc_rep_req_field(const cJSON *req, const char *key);
/* Line of the requirement in the spec: wc_spec_line when spec is given and
 * knows the pointer, else the document's spec_line; 0 when unknown. */
int wc_rep_req_spec_line(const cJSON *req, const wc_spec *spec);
/* True when a SHOULD warning fails the run (run.strict). */
bool wc_rep_strict(const cJSON *report);
/* Whether the requirement counts as a failure in CI terms: status fail, or
 * warn with run.strict. */
bool wc_rep_req_failing(const cJSON *report, const cJSON *req);

/* Requirements failures first (fail, warn, skip, pass, other), document
 * order within a status. malloc'd array of *count pointers (NULL and 0 when
 * empty); NULL with count SIZE_MAX when out of memory. */
const cJSON **wc_rep_sorted(const cJSON *report, size_t *count);
/* Families: the catalogue's in catalogue order, then any other family of the
 * document in order of first appearance. malloc'd array of borrowed strings. */
const char **wc_rep_families(const cJSON *report, size_t *count);
const cJSON *wc_rep_exchange(const cJSON *report, const char *id);
/* "merged from 4 reports (shards 1/2, 2/2; seeds 3, 4, 11)" for a report of
 * `whopconf report merge` (run.merged), NULL for any other; malloc'd. */
char *wc_rep_merged_note(const cJSON *report);
/* Exchange ids a requirement points at: its "evidence", then the exchanges
 * of its findings, without repeats; at most max. Returns the count. */
size_t wc_rep_req_evidence(const cJSON *req, const char **ids, size_t max);
/* The distinct findings of the generated phases ("generated.findings")
 * that belong to requirement id, in document order; at most max into out.
 * Returns how many there are in all (may exceed max). */
size_t wc_rep_req_generated(const cJSON *report, const char *id, const cJSON **out, size_t max);
/* One line for a generated finding: "fail at /name, edge class length:65,
 * HTTP 200, 1 occurrence (coverage); minimal x3 (66 bytes, 4 shrink steps,
 * 9 requests), original x2 (1050 bytes)". */
int wc_rep_generated_line(wc_buf *out, const cJSON *finding);
/* Over the generated phases: requests sent and exchanges not kept. */
void wc_rep_generated_totals(const cJSON *report, double *requests, double *left_out);
/* Most generated findings a rendered format lists per requirement. */
#define WC_REP_MAX_GENERATED 200
/* "1.9 ms" style duration of an exchange, into out. */
void wc_rep_ms(char out[32], double ms);

/* ---- writing text ---- */

typedef enum wc_rep_esc {
  WC_REP_ESC_RAW,    /* repaired UTF-8 only (controls kept; for JSON via cJSON) */
  WC_REP_ESC_TEXT,   /* plain text: controls shown as Control Pictures */
  WC_REP_ESC_XML,    /* XML/HTML text content */
  WC_REP_ESC_ATTR,   /* XML/HTML attribute value (double-quoted) */
  WC_REP_ESC_MD,     /* one GitHub-flavoured Markdown table cell */
  WC_REP_ESC_JSON,   /* serialised JSON for <script>: <, >, &, U+2028/9 as \uXXXX */
} wc_rep_esc;

/* Output under construction: the first allocation failure sticks in rc. */
typedef struct wc_rep_out {
  wc_buf b;
  int rc;
} wc_rep_out;

void wc_rep_out_init(wc_rep_out *o);
void wc_rep_out_raw(wc_rep_out *o, const char *markup);
void wc_rep_out_printf(wc_rep_out *o, const char *fmt, ...) WC_PRINTF(2, 3);
/* Text from the document, escaped for mode; NULL writes nothing. */
void wc_rep_out_text(wc_rep_out *o, const char *s, wc_rep_esc mode);
/* Like wc_rep_out_text, at most cap input bytes (0 = no cap). */
void wc_rep_out_text_cap(wc_rep_out *o, const char *s, size_t cap, wc_rep_esc mode);
/* At most cap input bytes of s (0 = no cap), cut at a character boundary;
 * returns the number of input bytes written (< len when cut). */
size_t wc_rep_out_text_n(wc_rep_out *o, const char *s, size_t len, size_t cap, wc_rep_esc mode);
/* The text (caller frees), or NULL with err WC_E_NOMEM. */
char *wc_rep_out_finish(wc_rep_out *o, wc_err *err);

/* Repaired (WC_REP_ESC_RAW) copy of s cut at cap bytes (0 = no cap); *cut (may
 * be NULL) says whether it was cut. malloc'd; NULL when out of memory. */
char *wc_rep_clean(const char *s, size_t len, size_t cap, bool *cut);
/* cJSON string node from the document's text; NULL when out of memory. */
cJSON *wc_rep_jstr(const char *s, size_t cap);
/* Adds a repaired string member (s NULL adds null); false when out of memory. */
bool wc_rep_add_str(cJSON *obj, const char *key, const char *s);

/* True when wc_rep_clean would change s (not clean UTF-8, or a credential). */
bool wc_rep_needs_repair(const char *s);
/* Repairs every string and key of a tree (and its siblings) in place:
 * UTF-8 and bearer credentials, as wc_rep_clean. 0, or -1 out of memory. */
int wc_rep_repair_tree(cJSON *node);
/* cJSON_Print of root plus a final newline; NULL (err: out of memory while
 * rendering file) on failure. Does not free root. */
char *wc_rep_print(const cJSON *root, const char *file, wc_err *err);

/* Who sent the requests, in words, from run.target.http_client ("whopconf's
 * own HTTP/1.1 client", "libcurl"); NULL when the report does not say. */
const char *wc_rep_http_client(const cJSON *report);

/* Authorization-like headers whose value must never be shown in clear. */
bool wc_rep_secret_header(const char *name);
/* "Bearer abc" -> "Bearer ***"; values already redacted stay as they are.
 * Returns a static string or value itself. */
const char *wc_rep_header_value(const char *name, const char *value);

/* Renderers with the set of formats written alongside (for links). */
char *wc_rep_render_markdown_linked(const cJSON *report, int formats, wc_err *err);
char *wc_rep_render_html_linked(const cJSON *report, const wc_spec *spec, int formats,
                                   wc_err *err);
/* report.json itself: repaired (UTF-8, credentials) copy, pretty-printed,
 * in memory. The files are written by wc_rep_stream_report_json, which
 * prints the same bytes without the copy or the text; this one is what the
 * tests hold the stream against. */
char *wc_rep_render_json(const cJSON *report, wc_err *err);

/* report_stream.c: trees printed straight into a file (atomically, through
 * a temporary file), byte for byte as wc_rep_print would give them:
 * report.json repaired and masked as wc_rep_render_json does; any other
 * tree (the HAR) as it is. 0, or -1 with err. */
int wc_rep_stream_report_json(const cJSON *report, const char *path, wc_err *err);
int wc_rep_stream_tree(const cJSON *root, const char *path, wc_err *err);
/* The same into an open stream (report: as report.json). 0, or -1 out of
 * memory or on a write error. */
int wc_rep_stream_to(FILE *f, const cJSON *root, bool report);
/* report_har.c: the HAR document of a report (caller frees). */
cJSON *wc_rep_build_har(const cJSON *report, wc_err *err);

#endif
