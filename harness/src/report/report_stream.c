/* report.json and the HAR printed straight into their files, byte for byte
 * as cJSON_Print formats them, instead of through a text in memory (and,
 * for report.json, a masked copy of the whole tree): with many findings
 * those were three times the report in memory at once, the peak of a run.
 *
 * cJSON_Print's format: an object is "{", then per member a newline, one tab
 * per depth, the key, ":", a tab, the value, "," between members, a newline
 * and the closing tabs before "}"; an array is "[" then its values joined by
 * ", " then "]" (arrays count as a depth level too). Strings escape '"',
 * '\\', \b \f \n \r \t and other bytes below 0x20 as \u00xx; all other bytes
 * go out as they are. Numbers are cJSON's own text (printed by cJSON, one
 * number at a time). test_report's streamed_equals_cjson_print holds the two
 * side by side. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

/* Where in report.json a value sits, as far as masking cares. */
typedef enum where {
  W_OTHER,
  W_ROOT,      /* the report object */
  W_EXCHANGES, /* report.exchanges */
  W_EXCHANGE,  /* one exchange */
  W_MESSAGE,   /* its request or response */
  W_HEADERS,   /* their headers */
  W_HEADER     /* one {"name", "value"} */
} where;

typedef struct printer {
  FILE *f;
  bool report; /* repair every string, mask header values (report.json) */
  bool oom;
} printer;

static void put_string(printer *p, const char *s) {
  static const char hex[] = "0123456789abcdef";
  FILE *f = p->f;
  putc('"', f);
  const char *run = s;
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    if (*c >= 0x20 && *c != '"' && *c != '\\') continue;
    fwrite(run, 1, (size_t)((const char *)c - run), f);
    run = (const char *)c + 1;
    putc('\\', f);
    switch (*c) {
    case '"': putc('"', f); break;
    case '\\': putc('\\', f); break;
    case '\b': putc('b', f); break;
    case '\f': putc('f', f); break;
    case '\n': putc('n', f); break;
    case '\r': putc('r', f); break;
    case '\t': putc('t', f); break;
    default:
      fputs("u00", f);
      putc(hex[*c >> 4], f);
      putc(hex[*c & 15], f);
    }
  }
  fputs(run, f);
  putc('"', f);
}

/* s as report.json shows it: s itself when clean (or not a report), else a
 * repaired copy put in *owned for the caller to free. */
static const char *repaired(printer *p, const char *s, char **owned) {
  *owned = NULL;
  if (!p->report || !wc_rep_needs_repair(s)) return s;
  if (!(*owned = wc_rep_clean(s, strlen(s), 0, NULL))) p->oom = true;
  return *owned ? *owned : s;
}

static void put_text(printer *p, const char *s) {
  char *owned;
  put_string(p, repaired(p, s ? s : "", &owned));
  free(owned);
}

/* A header's value in report.json: repaired, then masked by the header's
 * name (as the name reads once repaired). */
static void put_header_value(printer *p, const cJSON *header, const char *value) {
  const cJSON *name = cJSON_GetObjectItemCaseSensitive(header, "name");
  char *owned_name = NULL, *owned_value;
  const char *n = cJSON_IsString(name) && name->valuestring ? repaired(p, name->valuestring, &owned_name) : NULL;
  put_string(p, wc_rep_header_value(n, repaired(p, value, &owned_value)));
  free(owned_name);
  free(owned_value);
}

static void tabs(FILE *f, int depth) {
  for (int i = 0; i < depth; i++) putc('\t', f);
}

static where inside(where parent, const cJSON *item) {
  const char *key = item->string;
  switch (parent) {
  case W_ROOT: return key && strcmp(key, "exchanges") == 0 ? W_EXCHANGES : W_OTHER;
  case W_EXCHANGES: return W_EXCHANGE;
  case W_EXCHANGE:
    return key && (strcmp(key, "request") == 0 || strcmp(key, "response") == 0) ? W_MESSAGE : W_OTHER;
  case W_MESSAGE: return key && strcmp(key, "headers") == 0 ? W_HEADERS : W_OTHER;
  case W_HEADERS: return W_HEADER;
  default: return W_OTHER;
  }
}

static void put_value(printer *p, const cJSON *item, int depth, where at);

static void put_object(printer *p, const cJSON *item, int depth, where at) {
  FILE *f = p->f;
  fputs("{\n", f);
  for (const cJSON *m = item->child; m; m = m->next) {
    tabs(f, depth + 1);
    put_text(p, m->string);
    fputs(":\t", f);
    if (at == W_HEADER && cJSON_IsString(m) && strcmp(m->string, "value") == 0)
      put_header_value(p, item, m->valuestring ? m->valuestring : "");
    else
      put_value(p, m, depth + 1, p->report ? inside(at, m) : W_OTHER);
    if (m->next) putc(',', f);
    putc('\n', f);
  }
  tabs(f, depth);
  putc('}', f);
}

static void put_array(printer *p, const cJSON *item, int depth, where at) {
  FILE *f = p->f;
  putc('[', f);
  for (const cJSON *e = item->child; e; e = e->next) {
    put_value(p, e, depth + 1, p->report ? inside(at, e) : W_OTHER);
    if (e->next) fputs(", ", f);
  }
  putc(']', f);
}

static void put_value(printer *p, const cJSON *item, int depth, where at) {
  FILE *f = p->f;
  switch (item->type & 0xFF) {
  case cJSON_NULL: fputs("null", f); break;
  case cJSON_False: fputs("false", f); break;
  case cJSON_True: fputs("true", f); break;
  case cJSON_Number: {
    /* One number item alone: cJSON prints it, so the digits are its own. */
    char digits[64];
    cJSON one = *item;
    one.next = one.prev = NULL;
    if (cJSON_PrintPreallocated(&one, digits, (int)sizeof digits, false)) fputs(digits, f);
    else p->oom = true;
    break;
  }
  case cJSON_Raw: fputs(item->valuestring ? item->valuestring : "", f); break;
  case cJSON_String: put_text(p, item->valuestring); break;
  case cJSON_Array: put_array(p, item, depth, at); break;
  case cJSON_Object: put_object(p, item, depth, at); break;
  default: p->oom = true; /* an invalid node: cJSON_Print fails on it too */
  }
}

/* ---- the two files ---- */

typedef struct job {
  const cJSON *root;
  bool report;
} job;

static int write_tree(FILE *f, void *ud) {
  const job *j = ud;
  printer p = {.f = f, .report = j->report};
  /* Large writes in few system calls. */
  setvbuf(f, NULL, _IOFBF, (size_t)64 << 10);
  put_value(&p, j->root, 0, j->report ? W_ROOT : W_OTHER);
  putc('\n', f);
  if (p.oom) errno = 0;
  return p.oom ? -1 : 0;
}

int wc_rep_stream_report_json(const cJSON *report, const char *path, wc_err *err) {
  job j = {report, true};
  return wc_write_file_atomic_with(path, 0666, write_tree, &j, err);
}

int wc_rep_stream_tree(const cJSON *root, const char *path, wc_err *err) {
  job j = {root, false};
  return wc_write_file_atomic_with(path, 0666, write_tree, &j, err);
}

int wc_rep_stream_to(FILE *f, const cJSON *root, bool report) {
  job j = {root, report};
  return write_tree(f, &j);
}
