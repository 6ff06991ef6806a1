/* Header lists as the proxy keeps them, and which fields cross the proxy:
 * hop-by-hop fields (RFC 9110 7.6.1) never do, in either direction. */
#include <string.h>
#include <strings.h>

#include "proxy_internal.h"
#include "whopconf/http1.h"

int px_headers_add(px_headers *h, const char *name, size_t name_len, const char *value, size_t value_len) {
  size_t old = h->data.len;
  if (wc_buf_append(&h->data, name, name_len) != 0 || wc_buf_append(&h->data, "", 1) != 0 ||
      wc_buf_append(&h->data, value, value_len) != 0 || wc_buf_append(&h->data, "", 1) != 0) {
    h->data.len = old;
    return -1;
  }
  h->count++;
  return 0;
}

int px_headers_extend(px_headers *h, const char *text, size_t len) {
  if (!h->count || !h->data.len) return -1;
  size_t old = h->data.len;
  h->data.len--; /* the value's NUL */
  if (wc_buf_append(&h->data, " ", 1) != 0 || wc_buf_append(&h->data, text, len) != 0 ||
      wc_buf_append(&h->data, "", 1) != 0) {
    h->data.len = old;
    h->data.data[old - 1] = '\0';
    return -1;
  }
  return 0;
}

bool px_headers_next(const px_headers *h, size_t *pos, const char **name, const char **value) {
  if (!h->data.data || *pos >= h->data.len) return false;
  *name = h->data.data + *pos;
  *value = *name + strlen(*name) + 1;
  *pos = (size_t)(*value - h->data.data) + strlen(*value) + 1;
  return true;
}

const char *px_headers_get(const px_headers *h, const char *name) {
  size_t pos = 0;
  const char *n, *v;
  while (px_headers_next(h, &pos, &n, &v))
    if (strcasecmp(n, name) == 0) return v;
  return NULL;
}

void px_headers_free(px_headers *h) {
  wc_buf_free(&h->data);
  h->count = 0;
}

int px_connection_tokens(const px_headers *h, wc_buf *out) {
  size_t pos = 0;
  const char *n, *v;
  if (wc_buf_append(out, "", 0) != 0) return -1;
  while (px_headers_next(h, &pos, &n, &v))
    if (strcasecmp(n, "Connection") == 0 && ((out->len && wc_buf_puts(out, ",") != 0) || wc_buf_puts(out, v) != 0))
      return -1;
  return 0;
}

bool px_hop_by_hop(const char *name, const char *connection) {
  static const char *const fixed[] = {"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer",
                                      "Transfer-Encoding", "Upgrade", "Proxy-Authorization"};
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
    if (strcasecmp(name, fixed[i]) == 0) return true;
  return connection && *connection && wc_http_list_has(connection, strlen(connection), name);
}

bool px_forwarded_request_field(const char *name, const char *connection) {
  return !px_hop_by_hop(name, connection) && strcasecmp(name, "Host") != 0 &&
         strcasecmp(name, "Content-Length") != 0 && strcasecmp(name, "Expect") != 0;
}
