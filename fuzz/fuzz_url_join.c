/* url_join: wc_url_join(base, path), the one place a request URL is formed.
 *
 * Framing: base URL bytes, optionally followed by one NUL and the path
 * (no NUL: path is NULL, i.e. /users/me). A second NUL is rejected.
 * Invariants: a refusal has a code and a message; a result parses with
 * libcurl's URL API, keeps the scheme and host of the base, stays below the
 * base path prefix, and holds only visible ASCII (nothing that could split
 * a request line); with the same host, the same loopback verdict. */
#include <curl/curl.h>
#include <string.h>
#include <strings.h>

#include "fuzz_common.h"
#include "whopconf/request.h"

int wc_fuzz_framing_ok(const uint8_t *data, size_t size) {
  const uint8_t *nul = memchr(data, '\0', size);
  return !nul || !memchr(nul + 1, '\0', size - (size_t)(nul + 1 - data));
}

static char *url_part(const char *url, CURLUPart part) {
  CURLU *u = curl_url();
  char *value = NULL;
  if (!u) abort();
  if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK || curl_url_get(u, part, &value, 0) != CURLUE_OK)
    value = NULL;
  curl_url_cleanup(u);
  if (value && part == CURLUPART_PATH) wc_fuzz_pct_upper(value);
  return value;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!wc_fuzz_framing_ok(data, size)) return -1;
  char *copy = malloc(size + 1);
  if (!copy) abort();
  memcpy(copy, data, size);
  copy[size] = '\0';
  const char *base = copy;
  const char *path = strlen(copy) < size ? copy + strlen(copy) + 1 : NULL;
  wc_err err;
  char *url = wc_url_join(base, path, &err);
  if (!url) {
    WC_FUZZ_ASSERT(err.code != WC_OK && err.msg[0] && !strchr(err.msg, '\n'));
  } else {
    for (const unsigned char *p = (const unsigned char *)url; *p; p++) WC_FUZZ_ASSERT(*p > 0x20 && *p < 0x7f);
    char *scheme = url_part(url, CURLUPART_SCHEME), *base_scheme = url_part(base, CURLUPART_SCHEME);
    char *host = url_part(url, CURLUPART_HOST), *base_host = url_part(base, CURLUPART_HOST);
    char *upath = url_part(url, CURLUPART_PATH), *base_path = url_part(base, CURLUPART_PATH);
    /* The base parsed once already (or it would have been refused). */
    WC_FUZZ_ASSERT(base_scheme && base_host && base_path);
    bool same_origin =
        scheme && host && upath && !strcasecmp(scheme, base_scheme) && !strcmp(host, base_host);
    WC_FUZZ_ASSERT(same_origin || wc_fuzz_tolerated("url-same-host"));
    if (same_origin) {
      size_t prefix = strlen(base_path);
      while (prefix > 0 && base_path[prefix - 1] == '/') prefix--;
      /* Below the prefix: "<prefix>/..." (dot segments may not climb out). */
      WC_FUZZ_ASSERT((strncmp(upath, base_path, prefix) == 0 && upath[prefix] == '/') ||
                     wc_fuzz_tolerated("url-below-base"));
      if (!path) WC_FUZZ_ASSERT(!strcmp(upath + prefix, "/users/me"));
      WC_FUZZ_ASSERT(wc_url_is_loopback(url) == wc_url_is_loopback(base));
    }
    curl_free(scheme), curl_free(base_scheme), curl_free(host), curl_free(base_host);
    curl_free(upath), curl_free(base_path);
    free(url);
  }
  free(copy);
  return 0;
}
