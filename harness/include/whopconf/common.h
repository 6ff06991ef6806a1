/* whopconf: shared error values, findings and small utilities.
 *
 * Library code never prints and never exits: every fallible call reports a
 * wc_err (a code and a one-line message) and the CLI decides what to show. */
#ifndef WHOPCONF_COMMON_H
#define WHOPCONF_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define WC_VERSION "0.1.0"

#if defined(__GNUC__) || defined(__clang__)
#define WC_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define WC_PRINTF(fmt, args)
#endif

/* X(enumerator, name): the kinds of error, and their names. */
#define WC_ERR_CODE_MAP(X)                                                                          \
  X(WC_OK, "ok")                                                                                    \
  X(WC_E_USAGE, "usage")             /* bad argument or option */                                   \
  X(WC_E_IO, "io")                   /* cannot read or write a file */                              \
  X(WC_E_PARSE, "parse")             /* malformed input (YAML, JSON, URL, ...) */                   \
  X(WC_E_SPEC, "spec")               /* the contract is unusable (missing operation, bad $ref) */   \
  X(WC_E_SCHEMA, "schema")           /* a schema cannot be compiled */                              \
  X(WC_E_NOMEM, "out-of-memory")     /* allocation failed */                                        \
  X(WC_E_TRANSPORT, "transport")     /* the exchange could not be completed */                      \
  X(WC_E_REFUSED, "refused")         /* refused on purpose (policy: CR/LF in header, http to remote) */ \
  X(WC_E_INTERNAL, "internal")

typedef enum wc_err_code {
#define WC_ERR_CODE_ENUM(code, name) code,
  WC_ERR_CODE_MAP(WC_ERR_CODE_ENUM)
#undef WC_ERR_CODE_ENUM
} wc_err_code;

typedef struct wc_err {
  wc_err_code code;
  char msg[512]; /* one line, never contains a credential */
} wc_err;

/* All accept err == NULL. */
void wc_err_clear(wc_err *err);
void wc_err_set(wc_err *err, wc_err_code code, const char *fmt, ...) WC_PRINTF(3, 4);
const char *wc_err_code_name(wc_err_code code);

/* A finding: one concrete way an input breaks a rule.
 * instance_pointer: RFC 6901 pointer into the instance ("" = the root), or NULL.
 * schema_pointer: "#/components/schemas/User/properties/name/type" or NULL.
 * keyword: the schema keyword or defect name ("type", "duplicate-key").
 * offset: byte offset in the raw input, or WC_NO_OFFSET.
 * The strings belong to the list (one block per finding): read, never free. */
#define WC_NO_OFFSET ((size_t)-1)

typedef struct wc_finding {
  const char *instance_pointer;
  const char *schema_pointer;
  const char *keyword;
  const char *message;
  size_t offset;
} wc_finding;

typedef struct wc_findings wc_findings;

wc_findings *wc_findings_new(void);
void wc_findings_free(wc_findings *list);
void wc_findings_clear(wc_findings *list);
/* Returns 0, or -1 on allocation failure (the list is left as it was). */
int wc_findings_add(wc_findings *list, const char *instance_pointer, const char *schema_pointer,
                    const char *keyword, size_t offset, const char *fmt, ...) WC_PRINTF(6, 7);
int wc_findings_addv(wc_findings *list, const char *instance_pointer, const char *schema_pointer,
                     const char *keyword, size_t offset, const char *fmt, va_list ap);
size_t wc_findings_count(const wc_findings *list);
const wc_finding *wc_findings_get(const wc_findings *list, size_t index);

/* Growable byte buffer, always NUL-terminated. */
typedef struct wc_buf {
  char *data;
  size_t len;
  size_t cap;
} wc_buf;

void wc_buf_init(wc_buf *buf);
void wc_buf_free(wc_buf *buf);
int wc_buf_append(wc_buf *buf, const void *data, size_t len); /* 0 or -1 (ENOMEM) */
/* Room for extra more bytes (and the NUL) without another allocation: 0 or -1. */
int wc_buf_reserve(wc_buf *buf, size_t extra);
int wc_buf_puts(wc_buf *buf, const char *s);
int wc_buf_printf(wc_buf *buf, const char *fmt, ...) WC_PRINTF(2, 3);
/* Hands the data to the caller (free with free()), leaves buf empty. */
char *wc_buf_steal(wc_buf *buf);

/* RFC 6901: returns base + "/" + escaped token (~ -> ~0, / -> ~1); malloc'd. */
char *wc_pointer_append(const char *base, const char *token);
char *wc_pointer_append_index(const char *base, size_t index);
/* Appends "/" + the escaped token (len bytes, may hold NUL) to out: 0 or -1. */
int wc_pointer_token_append(wc_buf *out, const char *token, size_t len);

/* Reads a whole file; malloc'd, NUL-terminated; *len excludes the NUL. */
char *wc_read_file(const char *path, size_t max_bytes, size_t *len, wc_err *err);
/* Writes text to path through a temporary file and a rename, so a reader (or
 * a CI upload) never sees half a file. mode: the permission bits as for
 * open(2), before the umask; a mode without group or other bits (0600) is
 * also forced on the file, so private data stays private even when an old
 * temporary file is reused. 0, or -1 with err. */
int wc_write_file_atomic(const char *path, const char *text, unsigned mode, wc_err *err);
/* The same with the content streamed: write(f, ud) writes it to f (a
 * buffered stdio stream) and returns 0, or -1 (nothing is renamed; with
 * errno 0 the writer ran out of memory). For files too large to hold twice
 * in memory (report.json and the HAR of a run with many findings). */
int wc_write_file_atomic_with(const char *path, unsigned mode, int (*write)(FILE *f, void *ud), void *ud,
                              wc_err *err);
/* Creates dir and its missing parents (0755); an existing directory is
 * fine, an existing file is not. 0, or -1 with err. */
int wc_mkdir_p(const char *dir, wc_err *err);
/* "dir/name", malloc'd; NULL when out of memory. */
char *wc_path_join(const char *dir, const char *name);

/* Milliseconds on the monotonic clock (durations and deadlines, never dates). */
double wc_monotonic_ms(void);

/* The value of a hexadecimal digit (either case), or -1. */
int wc_hex_digit(int c);

/* The UTF-8 character at s (len bytes available): its length, 1 to 4, and
 * its code point in *cp (may be NULL) when well-formed by Unicode table 3-7
 * (no overlong forms, no surrogates, nothing above U+10FFFF); else 0, and
 * *bad (may be NULL) is the offset of the first byte that breaks it: 0 for
 * the lead byte, len when the input ends inside the character. A NUL byte is
 * a well-formed character of length 1. */
size_t wc_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp, size_t *bad);
/* The code points of s, which is valid UTF-8 (every byte but a continuation
 * byte counts one). */
size_t wc_utf8_count(const char *s);

/* A member of a JSON object by exact name (cJSON_GetStringValue /
 * cJSON_GetNumberValue): dflt when obj is not an object, or the member is
 * absent or of another type. */
struct cJSON;
const char *wc_json_str(const struct cJSON *obj, const char *name, const char *dflt);
double wc_json_num(const struct cJSON *obj, const char *name, double dflt);

/* SHA-256 as 64 lowercase hex digits plus NUL. */
void wc_sha256_hex(const void *data, size_t len, char out[65]);

/* Standard base64 (RFC 4648; padding optional; CR, LF, space and tab
 * ignored) into a new NUL-terminated buffer; NULL when text is not base64
 * or memory runs out. */
char *wc_base64_decode(const char *text, size_t len, size_t *out_len);

char *wc_strdup(const char *s);
char *wc_strndup(const char *s, size_t n);

/* A listening TCP socket on host:port (0 = an ephemeral port; *bound_port
 * gets the real one). Anything but loopback (127/8, ::1) is refused
 * (WC_E_REFUSED) unless allow_non_loopback. Returns the fd or -1 (err set). */
int wc_listen_tcp(const char *host, unsigned short port, bool allow_non_loopback, int backlog,
                  unsigned short *bound_port, wc_err *err);
/* "http://host:port" + path into out, an IPv6 host in brackets. */
void wc_http_base_url(char *out, size_t cap, const char *host, unsigned short port, const char *path);

#endif
