/* JSON Schema 2020-12: values. Equality and hashing as enum, const and
 * uniqueItems need them (1 == 1.0, false != 0, key order irrelevant), and
 * how values and instance locations are shown in error messages: short,
 * quoted, control characters escaped, long strings cut. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_internal.h"

#define QUOTE_BYTES 60

/* ---- equality and hashing (enum, const, uniqueItems) ---- */

bool wc_json_equal(const cJSON *a, const cJSON *b) {
  int ta = a->type & 0xFF, tb = b->type & 0xFF;
  if (ta != tb) return false;
  switch (ta) {
  case cJSON_Number: return a->valuedouble == b->valuedouble;
  case cJSON_String: return strcmp(a->valuestring, b->valuestring) == 0;
  case cJSON_Array: {
    const cJSON *x = a->child, *y = b->child;
    for (; x && y; x = x->next, y = y->next)
      if (!wc_json_equal(x, y)) return false;
    return !x && !y;
  }
  case cJSON_Object: {
    size_t na = 0, nb = 0;
    for (const cJSON *x = a->child; x; x = x->next) na++;
    for (const cJSON *y = b->child; y; y = y->next) nb++;
    if (na != nb) return false;
    for (const cJSON *x = a->child; x; x = x->next) {
      const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
      if (!y || !wc_json_equal(x, y)) return false;
    }
    return true;
  }
  default: return true; /* null, true, false: the type says it all */
  }
}

static uint64_t mix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 33);
}

static uint64_t str_hash64(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) h = (h ^ *p) * 1099511628211ull;
  return h;
}

uint64_t wc_json_hash(const cJSON *v) {
  int t = v->type & 0xFF;
  switch (t) {
  case cJSON_Number: {
    double d = v->valuedouble;
    if (d == 0) d = 0; /* -0 == 0 */
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return mix64(bits ^ 0x1111);
  }
  case cJSON_String: return mix64(str_hash64(v->valuestring) ^ 0x2222);
  case cJSON_Array: {
    uint64_t h = 0x3333;
    for (const cJSON *c = v->child; c; c = c->next) h = mix64(h * 31 + wc_json_hash(c));
    return h;
  }
  case cJSON_Object: {
    uint64_t h = 0x4444; /* a sum: member order does not matter */
    for (const cJSON *c = v->child; c; c = c->next) h += mix64(str_hash64(c->string) ^ wc_json_hash(c) * 7);
    return mix64(h);
  }
  default: return mix64((uint64_t)t);
  }
}

/* ---- messages ---- */

char *wc_schema_ipath_string(const wc_ipath *path) {
  size_t n = 0;
  for (const wc_ipath *p = path; p; p = p->up) n++;
  const wc_ipath *small[64];
  const wc_ipath **segs = n <= 64 ? small : malloc(n * sizeof *segs);
  if (!segs) return NULL;
  size_t i = n;
  for (const wc_ipath *p = path; p; p = p->up) segs[--i] = p;
  wc_buf b;
  wc_buf_init(&b);
  int rc = wc_buf_append(&b, "", 0);
  for (i = 0; i < n && rc == 0; i++) {
    if (!segs[i]->key) {
      rc = wc_buf_printf(&b, "/%zu", segs[i]->index);
      continue;
    }
    rc = wc_pointer_token_append(&b, segs[i]->key, strlen(segs[i]->key));
  }
  if (segs != small) free(segs);
  if (rc != 0) {
    wc_buf_free(&b);
    return NULL;
  }
  return wc_buf_steal(&b);
}

/* "text" with quotes, backslashes and control characters escaped, cut (at a
 * character boundary) after QUOTE_BYTES bytes. */
void wc_schema_put_quoted(wc_buf *b, const char *s) {
  wc_buf_append(b, "\"", 1);
  size_t i = 0;
  for (; s[i] && i < QUOTE_BYTES; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') wc_buf_printf(b, "\\%c", c);
    else if (c == '\n') wc_buf_puts(b, "\\n");
    else if (c == '\r') wc_buf_puts(b, "\\r");
    else if (c == '\t') wc_buf_puts(b, "\\t");
    else if (c < 0x20 || c == 0x7F) wc_buf_printf(b, "\\u%04X", c);
    else wc_buf_append(b, &s[i], 1);
  }
  if (s[i]) {
    /* do not leave half a UTF-8 sequence before the ellipsis */
    while (i < QUOTE_BYTES + 4 && s[i] && ((unsigned char)s[i] & 0xC0) == 0x80) wc_buf_append(b, &s[i++], 1);
    if (s[i]) {
      wc_buf_append(b, "\"...", 4);
      return;
    }
  }
  wc_buf_append(b, "\"", 1);
}

void wc_schema_put_number(wc_buf *b, double d) {
  if (isinf(d)) {
    wc_buf_puts(b, d > 0 ? "infinity" : "-infinity");
    return;
  }
  char tmp[40];
  if (d == floor(d) && fabs(d) < 1e17) {
    snprintf(tmp, sizeof tmp, "%.0f", d);
    wc_buf_puts(b, tmp);
    return;
  }
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*g", prec, d);
    if (strtod(tmp, NULL) == d) break;
  }
  wc_buf_puts(b, tmp);
}

/* A short rendering of a value: "string \"x\"", "number 5", "object". */
void wc_schema_put_value(wc_buf *b, const cJSON *v, bool with_type) {
  switch (v->type & 0xFF) {
  case cJSON_String:
    if (with_type) wc_buf_puts(b, "string ");
    wc_schema_put_quoted(b, v->valuestring);
    break;
  case cJSON_Number:
    if (with_type) wc_buf_puts(b, "number ");
    wc_schema_put_number(b, v->valuedouble);
    break;
  case cJSON_True: wc_buf_puts(b, with_type ? "boolean true" : "true"); break;
  case cJSON_False: wc_buf_puts(b, with_type ? "boolean false" : "false"); break;
  case cJSON_NULL: wc_buf_puts(b, "null"); break;
  case cJSON_Array: wc_buf_printf(b, "an array of %d item%s", cJSON_GetArraySize(v), cJSON_GetArraySize(v) == 1 ? "" : "s"); break;
  case cJSON_Object: wc_buf_puts(b, "an object"); break;
  default: wc_buf_puts(b, "a value"); break;
  }
}
