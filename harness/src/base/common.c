/* Error values, findings lists, byte buffers, JSON pointers, files and
 * directories, the monotonic clock, hex digits, UTF-8 and SHA-256: the small
 * pieces every module needs. */
#include "whopconf/common.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void wc_err_clear(wc_err *err) {
  if (!err) return;
  err->code = WC_OK;
  err->msg[0] = '\0';
}

void wc_err_set(wc_err *err, wc_err_code code, const char *fmt, ...) {
  if (!err) return;
  err->code = code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  /* One line: a message is printed as the whole reason for an exit. */
  for (char *p = err->msg; *p; p++)
    if (*p == '\n' || *p == '\r') *p = ' ';
}

const char *wc_err_code_name(wc_err_code code) {
  static const char *const names[] = {
#define WC_ERR_CODE_NAME(code, name) [code] = name,
      WC_ERR_CODE_MAP(WC_ERR_CODE_NAME)
#undef WC_ERR_CODE_NAME
  };
  return (unsigned)code < sizeof names / sizeof names[0] ? names[code] : "unknown";
}

char *wc_strdup(const char *s) { return s ? wc_strndup(s, strlen(s)) : NULL; }

char *wc_strndup(const char *s, size_t n) {
  if (!s) return NULL;
  char *copy = malloc(n + 1);
  if (!copy) return NULL;
  memcpy(copy, s, n);
  copy[n] = '\0';
  return copy;
}

/* ---- findings ---- */

struct wc_findings {
  wc_finding *items;
  size_t count;
  size_t cap;
};

wc_findings *wc_findings_new(void) { return calloc(1, sizeof(wc_findings)); }

/* One block, headed by the message (wc_findings_addv). */
static void finding_release(wc_finding *f) { free((void *)f->message); }

void wc_findings_clear(wc_findings *list) {
  if (!list) return;
  for (size_t i = 0; i < list->count; i++) finding_release(&list->items[i]);
  list->count = 0;
}

void wc_findings_free(wc_findings *list) {
  if (!list) return;
  wc_findings_clear(list);
  free(list->items);
  free(list);
}

/* The four strings of a finding share one allocation, headed by the
 * message: the fuzzers and the strict pass add findings by the thousand,
 * and one malloc instead of four is most of their cost under ASan. */
int wc_findings_addv(wc_findings *list, const char *instance_pointer, const char *schema_pointer,
                     const char *keyword, size_t offset, const char *fmt, va_list ap) {
  if (!list) return 0;
  if (list->count == list->cap) {
    size_t cap = list->cap ? list->cap * 2 : 8;
    wc_finding *items = realloc(list->items, cap * sizeof *items);
    if (!items) return -1;
    list->items = items;
    list->cap = cap;
  }
  char small[256];
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(small, sizeof small, fmt, copy);
  va_end(copy);
  if (n < 0) return -1;
  size_t msg_len = (size_t)n;
  size_t ip_len = instance_pointer ? strlen(instance_pointer) + 1 : 0;
  size_t sp_len = schema_pointer ? strlen(schema_pointer) + 1 : 0;
  size_t kw_len = keyword ? strlen(keyword) + 1 : 0;
  char *block = malloc(msg_len + 1 + ip_len + sp_len + kw_len);
  if (!block) return -1;
  if (msg_len < sizeof small) memcpy(block, small, msg_len + 1);
  else vsnprintf(block, msg_len + 1, fmt, ap);
  wc_finding f = {0};
  f.offset = offset;
  f.message = block;
  char *next = block + msg_len + 1;
  if (instance_pointer) f.instance_pointer = memcpy(next, instance_pointer, ip_len), next += ip_len;
  if (schema_pointer) f.schema_pointer = memcpy(next, schema_pointer, sp_len), next += sp_len;
  if (keyword) f.keyword = memcpy(next, keyword, kw_len);
  list->items[list->count++] = f;
  return 0;
}

int wc_findings_add(wc_findings *list, const char *instance_pointer, const char *schema_pointer,
                    const char *keyword, size_t offset, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = wc_findings_addv(list, instance_pointer, schema_pointer, keyword, offset, fmt, ap);
  va_end(ap);
  return rc;
}

size_t wc_findings_count(const wc_findings *list) { return list ? list->count : 0; }

const wc_finding *wc_findings_get(const wc_findings *list, size_t index) {
  return list && index < list->count ? &list->items[index] : NULL;
}

/* ---- buffers ---- */

void wc_buf_init(wc_buf *buf) {
  buf->data = NULL;
  buf->len = 0;
  buf->cap = 0;
}

void wc_buf_free(wc_buf *buf) {
  free(buf->data);
  wc_buf_init(buf);
}

int wc_buf_reserve(wc_buf *buf, size_t extra) {
  if (extra > SIZE_MAX - buf->len - 1) return -1;
  size_t need = buf->len + extra + 1;
  if (need <= buf->cap) return 0;
  size_t cap = buf->cap ? buf->cap : 64;
  while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  char *data = realloc(buf->data, cap);
  if (!data) return -1;
  data[buf->len] = '\0'; /* a first allocation is terminated too */
  buf->data = data;
  buf->cap = cap;
  return 0;
}

int wc_buf_append(wc_buf *buf, const void *data, size_t len) {
  if (wc_buf_reserve(buf, len) != 0) return -1;
  if (len) memcpy(buf->data + buf->len, data, len);
  buf->len += len;
  buf->data[buf->len] = '\0';
  return 0;
}

int wc_buf_puts(wc_buf *buf, const char *s) { return wc_buf_append(buf, s, strlen(s)); }

int wc_buf_printf(wc_buf *buf, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  va_list copy;
  va_copy(copy, ap);
  /* Formatted once when it fits the room left, twice only when it grows. */
  size_t room = buf->data ? buf->cap - buf->len : 0;
  int n = vsnprintf(room ? buf->data + buf->len : NULL, room, fmt, copy);
  va_end(copy);
  if (n >= 0 && (size_t)n < room) {
    buf->len += (size_t)n;
    va_end(ap);
    return 0;
  }
  if (room) buf->data[buf->len] = '\0'; /* what the failed try wrote is not the buffer's */
  int rc = -1;
  if (n >= 0 && wc_buf_reserve(buf, (size_t)n) == 0) {
    vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
    buf->len += (size_t)n;
    rc = 0;
  }
  va_end(ap);
  return rc;
}

char *wc_buf_steal(wc_buf *buf) {
  char *data = buf->data;
  if (!data) data = calloc(1, 1);
  wc_buf_init(buf);
  return data;
}

/* ---- JSON pointers ---- */

int wc_pointer_token_append(wc_buf *out, const char *token, size_t len) {
  int rc = wc_buf_append(out, "/", 1);
  while (len > 0 && rc == 0) {
    /* Copies runs between the two bytes RFC 6901 escapes. */
    size_t run = 0;
    while (run < len && token[run] != '~' && token[run] != '/') run++;
    rc = wc_buf_append(out, token, run);
    if (run < len && rc == 0) rc = wc_buf_append(out, token[run] == '~' ? "~0" : "~1", 2), run++;
    token += run;
    len -= run;
  }
  return rc;
}

char *wc_pointer_append(const char *base, const char *token) {
  wc_buf out;
  wc_buf_init(&out);
  int rc = wc_buf_puts(&out, base ? base : "");
  if (rc == 0) rc = wc_pointer_token_append(&out, token ? token : "", token ? strlen(token) : 0);
  if (rc != 0) {
    wc_buf_free(&out);
    return NULL;
  }
  return wc_buf_steal(&out);
}

char *wc_pointer_append_index(const char *base, size_t index) {
  char token[32];
  snprintf(token, sizeof token, "%zu", index);
  return wc_pointer_append(base, token);
}

/* ---- files ---- */

char *wc_read_file(const char *path, size_t max_bytes, size_t *len, wc_err *err) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    wc_err_set(err, WC_E_IO, "%s: %s", path, strerror(errno));
    return NULL;
  }
  wc_buf buf;
  wc_buf_init(&buf);
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (max_bytes && buf.len + n > max_bytes) {
      wc_err_set(err, WC_E_IO, "%s: larger than %zu bytes", path, max_bytes);
      goto fail;
    }
    if (wc_buf_append(&buf, chunk, n) != 0) {
      wc_err_set(err, WC_E_NOMEM, "%s: out of memory", path);
      goto fail;
    }
  }
  if (ferror(f)) {
    wc_err_set(err, WC_E_IO, "%s: read error: %s", path, strerror(errno));
    goto fail;
  }
  fclose(f);
  if (len) *len = buf.len;
  return wc_buf_steal(&buf);
fail:
  fclose(f);
  wc_buf_free(&buf);
  return NULL;
}

int wc_write_file_atomic_with(const char *path, unsigned mode, int (*write)(FILE *f, void *ud), void *ud,
                              wc_err *err) {
  size_t n = strlen(path) + 32;
  char *tmp = malloc(n);
  if (!tmp) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return -1;
  }
  /* The pid keeps two processes writing the same file apart. */
  snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (!f) {
    wc_err_set(err, WC_E_IO, "cannot write %s: %s", path, strerror(errno));
    if (fd >= 0) close(fd);
    free(tmp);
    return -1;
  }
  if (!(mode & 077)) fchmod(fd, (mode_t)mode);
  errno = 0;
  int rc = write(f, ud);
  int saved = errno;
  if (rc == 0 && ferror(f)) rc = -1, saved = errno;
  if (fclose(f) != 0 && rc == 0) rc = -1, saved = errno;
  if (rc == 0 && rename(tmp, path) != 0) rc = -1, saved = errno;
  if (rc != 0) {
    if (saved) wc_err_set(err, WC_E_IO, "cannot write %s: %s", path, strerror(saved));
    else wc_err_set(err, WC_E_NOMEM, "out of memory while writing %s", path);
    unlink(tmp);
  }
  free(tmp);
  return rc;
}

static int write_text(FILE *f, void *text) {
  size_t len = strlen(text);
  return fwrite(text, 1, len, f) == len ? 0 : -1;
}

int wc_write_file_atomic(const char *path, const char *text, unsigned mode, wc_err *err) {
  return wc_write_file_atomic_with(path, mode, write_text, (void *)text, err);
}

int wc_mkdir_p(const char *dir, wc_err *err) {
  char *path = wc_strdup(dir);
  if (!path) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return -1;
  }
  int rc = 0;
  for (char *p = path + 1;; p++) {
    bool last = *p == '\0';
    if (*p == '/' || last) {
      char saved = *p;
      *p = '\0';
      if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        wc_err_set(err, WC_E_IO, "cannot create directory %s: %s", path, strerror(errno));
        rc = -1;
      }
      *p = saved;
      if (rc != 0 || last) break;
    }
  }
  free(path);
  struct stat st;
  if (rc == 0 && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
    wc_err_set(err, WC_E_IO, "%s is not a directory", dir);
    rc = -1;
  }
  return rc;
}

char *wc_path_join(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s/%s", dir, name);
  return p;
}

/* ---- JSON members ---- */

static const cJSON *member(const cJSON *obj, const char *name) {
  return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
}

const char *wc_json_str(const cJSON *obj, const char *name, const char *dflt) {
  const char *s = cJSON_GetStringValue(member(obj, name));
  return s ? s : dflt;
}

double wc_json_num(const cJSON *obj, const char *name, double dflt) {
  const cJSON *v = member(obj, name);
  return cJSON_IsNumber(v) ? cJSON_GetNumberValue(v) : dflt;
}

/* ---- clock, hex digits, UTF-8 ---- */

double wc_monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

int wc_hex_digit(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

size_t wc_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp, size_t *bad) {
  size_t where = 0;
  if (len == 0) goto invalid;
  unsigned char c = s[0];
  if (c < 0x80) {
    if (cp) *cp = c;
    return 1;
  }
  size_t n;
  uint32_t v;
  unsigned char lo = 0x80, hi = 0xBF; /* the allowed range of the second byte */
  if (c >= 0xC2 && c <= 0xDF) n = 2, v = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, v = c & 0x0F, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, v = c & 0x07, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
  else goto invalid;
  for (where = 1; where < n; where++) {
    if (where >= len) goto invalid;
    unsigned char b = s[where];
    if (b < (where == 1 ? lo : 0x80) || b > (where == 1 ? hi : 0xBF)) goto invalid;
    v = (v << 6) | (b & 0x3F);
  }
  if (cp) *cp = v;
  return n;
invalid:
  if (bad) *bad = where;
  return 0;
}

size_t wc_utf8_count(const char *s) {
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) n += (*p & 0xC0) != 0x80;
  return n;
}

/* ---- SHA-256 (FIPS 180-4), for the spec fingerprint in reports ---- */

static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(uint32_t h[8], const unsigned char *p) {
  uint32_t w[64];
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = k + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) + ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
    uint32_t t2 = (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    k = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

void wc_sha256_hex(const void *data, size_t len, char out[65]) {
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  const unsigned char *p = data;
  size_t left = len;
  while (left >= 64) {
    sha_block(h, p);
    p += 64;
    left -= 64;
  }
  unsigned char tail[128] = {0};
  if (left) memcpy(tail, p, left);
  tail[left] = 0x80;
  size_t tail_len = left < 56 ? 64 : 128;
  uint64_t bits = (uint64_t)len * 8;
  for (int i = 0; i < 8; i++) tail[tail_len - 1 - i] = (unsigned char)(bits >> (8 * i));
  sha_block(h, tail);
  if (tail_len == 128) sha_block(h, tail + 64);
  for (int i = 0; i < 8; i++) snprintf(out + 8 * i, 9, "%08x", h[i]);
}

static int base64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

char *wc_base64_decode(const char *text, size_t len, size_t *out_len) {
  char *out = malloc(len / 4 * 3 + 4);
  if (!out) return NULL;
  size_t n = 0, pad = 0;
  unsigned acc = 0, bits = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == '\r' || c == '\n' || c == ' ' || c == '\t') continue;
    if (c == '=') {
      pad++;
      continue;
    }
    int v = base64_value(c);
    if (v < 0 || pad) { /* not base64, or data after padding */
      free(out);
      return NULL;
    }
    acc = (acc << 6) | (unsigned)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (char)((acc >> bits) & 0xFF);
    }
  }
  if (bits >= 6 || pad > 2) { /* a lone sixth bit group cannot encode a byte */
    free(out);
    return NULL;
  }
  out[n] = '\0';
  if (out_len) *out_len = n;
  return out;
}
