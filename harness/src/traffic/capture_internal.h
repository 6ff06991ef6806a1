/* whopconf: the capture readers' scanner (capture_scan.c), shared with the
 * entry conversion (capture.c). */
#ifndef WHOPCONF_CAPTURE_INTERNAL_H
#define WHOPCONF_CAPTURE_INTERNAL_H

#include <stdio.h>

#include "traffic_internal.h"

typedef struct wc_scan {
  FILE *f;
  const char *name;
  char *buf;          /* read buffer */
  size_t len, pos;    /* bytes in buf, next byte */
  size_t base;        /* file offset of buf[0] */
  bool eof;
  size_t max_entry;
  wc_buf value;       /* the last value or line scanned */
  size_t value_offset; /* its file offset */
  bool oversized;     /* it was longer than max_entry: value holds nothing usable */
  cJSON *tree;        /* a HAR entry already parsed in place (value empty); the caller takes it */
  /* HAR walk */
  int har_depth;      /* 1 = in the root object, 2 = in log */
  bool need_comma, empty_check, in_entries, entries_first, saw_log, saw_entries, done;
} wc_scan;

int wc_scan_init(wc_scan *s, FILE *f, const char *name, size_t max_entry); /* -1 = ENOMEM */
void wc_scan_free(wc_scan *s);
size_t wc_scan_offset(const wc_scan *s);
/* Makes sure unread bytes are in buf: 1, 0 at the end, -1 read error. */
int wc_scan_fill(wc_scan *s, wc_err *err);
/* One JSON value into s->value. 0, or -1 (err: "name: byte N: reason"). */
int wc_scan_value(wc_scan *s, wc_err *err);
/* cJSON of s->value; NULL (err with the byte offset of the defect). */
cJSON *wc_scan_parse(wc_scan *s, wc_err *err);

/* HAR: consume the opening of the root object, then each call leaves the
 * next entry in s->tree (parsed in place) or in s->value: 1, 0 at the end
 * of the document, -1 malformed. */
int wc_scan_har_start(wc_scan *s, wc_err *err);
int wc_scan_har_next(wc_scan *s, wc_err *err);
/* NDJSON: the next non-blank line in s->value: 1, 0 at the end, -1. */
int wc_scan_line(wc_scan *s, wc_err *err);

#endif
