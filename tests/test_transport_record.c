/* The exchange record: the report.json form, the reproduction curl command
 * (run for real through /bin/sh and the curl CLI), and the secret canary
 * across a battery of good, failing and retried exchanges. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/hostile_server.h"
#include "support/transport_helpers.h"

/* ---- the report form and the reproduction command ---- */

static bool has_exactly(const cJSON *obj, const char *const *keys) {
  size_t n = 0;
  for (const cJSON *c = obj ? obj->child : NULL; c; c = c->next) n++;
  size_t want = 0;
  for (; keys[want]; want++)
    if (!cJSON_GetObjectItemCaseSensitive(obj, keys[want])) return false;
  return n == want;
}

Test(record, json_form, .init = hs_watchdog) {
  char base[128];
  hs_server *s = tx_serve(HS_OK, base, sizeof base);
  hs_run(s);
  wc_transport_opts o;
  tx_quick_opts(&o);
  wc_exchange *x = tx_send_once(base, &o, NULL);
  cJSON *j = wc_exchange_to_json(x, "x7", 0);
  cr_assert_not_null(j);
  static const char *const top[] = {"id", "request", "response", "error", "time_ms", "retries", "curl", NULL};
  static const char *const reqk[] = {"method", "url", "headers", "body", "body_truncated", NULL};
  static const char *const respk[] = {"status", "headers", "body", "body_bytes", "body_truncated", NULL};
  cr_expect(has_exactly(j, top));
  const cJSON *req = cJSON_GetObjectItemCaseSensitive(j, "request");
  const cJSON *resp = cJSON_GetObjectItemCaseSensitive(j, "response");
  cr_expect(has_exactly(req, reqk));
  cr_expect(has_exactly(resp, respk));
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(j, "id")->valuestring, "x7");
  cr_expect(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "error")));
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(req, "method")->valuestring, "PATCH");
  const cJSON *h0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(req, "headers"), 0);
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(h0, "name")->valuestring, "Authorization");
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(h0, "value")->valuestring, "Bearer ***");
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(req, "body")->valuestring, "{\"name\":\"Ada\"}");
  cr_expect_eq(cJSON_GetObjectItemCaseSensitive(resp, "status")->valuedouble, 200);
  cr_expect_eq(cJSON_GetObjectItemCaseSensitive(resp, "body_bytes")->valuedouble, 28);
  cr_expect(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(resp, "body_truncated")));
  cr_expect_eq(cJSON_GetObjectItemCaseSensitive(j, "retries")->valuedouble, 0);
  cr_expect(strstr(cJSON_GetObjectItemCaseSensitive(j, "curl")->valuestring, "$WHOPCONF_TOKEN") != NULL);
  cJSON_Delete(j);

  /* body_cap cuts and says so; id may be left to the runner. */
  j = wc_exchange_to_json(x, NULL, 5);
  cr_expect_null(cJSON_GetObjectItemCaseSensitive(j, "id"));
  resp = cJSON_GetObjectItemCaseSensitive(j, "response");
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(resp, "body")->valuestring, "{\"id\"");
  cr_expect(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(resp, "body_truncated")));
  cr_expect_eq(cJSON_GetObjectItemCaseSensitive(resp, "body_bytes")->valuedouble, 28);
  req = cJSON_GetObjectItemCaseSensitive(j, "request");
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(req, "body")->valuestring, "{\"nam");
  cr_expect(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "body_truncated")));
  cJSON_Delete(j);
  wc_exchange_free(x);
  hs_stop(s);
}

Test(record, json_form_of_failure_and_lossy_body, .init = hs_watchdog) {
  wc_transport_opts o;
  tx_quick_opts(&o);
  wc_exchange *x = tx_send_once("http://192.0.2.1/api/v1", &o, NULL);
  cJSON *j = wc_exchange_to_json(x, "x1", 0);
  cr_expect(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "response")));
  const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(e, "kind")->valuestring, "refused-policy");
  cr_expect(strstr(cJSON_GetObjectItemCaseSensitive(e, "message")->valuestring, "allow-http") != NULL);
  cJSON_Delete(j);
  wc_exchange_free(x);

  char base[128];
  hs_server *s = tx_serve(HS_BINARY, base, sizeof base);
  hs_run(s);
  x = tx_send_once(base, &o, NULL);
  EXPECT_KIND(x, WC_XFER_OK);
  j = wc_exchange_to_json(x, "x2", 0);
  const cJSON *resp = cJSON_GetObjectItemCaseSensitive(j, "response");
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(resp, "body")->valuestring,
                   "ok \xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD end \xC3\xA9 \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(resp, "body_encoding")->valuestring, "lossy");
  cr_expect_eq(cJSON_GetObjectItemCaseSensitive(resp, "body_bytes")->valuedouble, 18);
  cr_expect_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "request"), "body_encoding"));
  cJSON_Delete(j);
  /* A cut never splits a character: cap 13 falls inside "é" (bytes 12-13). */
  j = wc_exchange_to_json(x, "x2", 13);
  resp = cJSON_GetObjectItemCaseSensitive(j, "response");
  cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(resp, "body")->valuestring,
                   "ok \xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD end ");
  cJSON_Delete(j);
  wc_exchange_free(x);
  hs_stop(s);
}

/* Runs the reproduction command with the real curl CLI and WHOPCONF_TOKEN
 * set; returns its exit status. */
static int run_shell(const char *cmd) {
  pid_t pid = fork();
  if (pid == 0) {
    setenv("WHOPCONF_TOKEN", TOKEN, 1);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char *find_bytes(const char *hay, size_t n, const char *needle) {
  size_t m = strlen(needle);
  for (size_t i = 0; i + m <= n; i++)
    if (memcmp(hay + i, needle, m) == 0) return hay + i;
  return NULL;
}

typedef struct repro_case {
  const char *name;     /* name field, or NULL for raw */
  const char *raw;      /* raw body */
  size_t raw_len;
  const char *expect;   /* bytes the server must see as the body */
  size_t expect_len;
} repro_case;

Test(record, curl_command_reproduces, .init = hs_watchdog) {
  if (access("/usr/bin/curl", X_OK) != 0) cr_skip_test("curl CLI not installed");
  static const repro_case cases[] = {
      {"O'Brien \"$(touch /tmp/wc_pwned)\" `id` $HOME \\ \xF0\x9F\x98\x80", NULL, 0,
       "{\"name\":\"O'Brien \\\"$(touch /tmp/wc_pwned)\\\" `id` $HOME \\\\ \xF0\x9F\x98\x80\"}", 0},
      {NULL, "{\"a\":1,\0\"b\":\"\xff'%\\n\"}", 17, "{\"a\":1,\0\"b\":\"\xff'%\\n\"}", 17},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char base[128];
    hs_server *s = tx_serve(HS_OK, base, sizeof base);
    hs_run(s);
    wc_request_desc d = {0};
    d.base_url = base;
    d.token = TOKEN;
    d.api_version = "2026-07-01";
    if (cases[i].name) d.name = (wc_field){WC_FIELD_STRING, cases[i].name};
    d.raw_body = cases[i].raw;
    d.raw_body_len = cases[i].raw_len;
    wc_err err;
    wc_request *req = wc_request_build(&d, &err);
    cr_assert_not_null(req, "%s", err.msg);
    wc_transport *t = wc_transport_new(NULL, &err);
    wc_exchange *x = wc_transport_send(t, req);
    EXPECT_KIND(x, WC_XFER_OK);
    wc_transport_free(t); /* closes the kept-alive connection: the server serves one at a time */
    char *cmd = wc_exchange_curl_command(x);
    cr_assert_not_null(cmd);
    cr_expect(strstr(cmd, TOKEN) == NULL);
    cr_expect(strstr(cmd, "-H \"Authorization: Bearer $WHOPCONF_TOKEN\"") != NULL, "%s", cmd);
    unlink("/tmp/wc_pwned");
    cr_expect_eq(run_shell(cmd), 0, "case %zu: %s", i, cmd);
    cr_expect_neq(access("/tmp/wc_pwned", F_OK), 0, "case %zu: the command ran a substitution", i);
    cr_expect_eq(hs_requests(s), 2);
    /* The server saw the same request twice, credential included. */
    size_t log_len = 0;
    char *log = hs_log_copy(s, &log_len);
    cr_assert_not_null(log);
    const char *sep = find_bytes(log, log_len, "\n----\n");
    cr_assert_not_null(sep);
    const char *second = sep + 6;
    size_t want_len = cases[i].expect_len ? cases[i].expect_len : strlen(cases[i].expect);
    const char *b1 = find_bytes(log, log_len, "\r\n\r\n") + 4;
    const char *b2 = find_bytes(second, log_len - (size_t)(second - log), "\r\n\r\n") + 4;
    cr_expect(memcmp(b1, cases[i].expect, want_len) == 0, "case %zu: first body differs", i);
    cr_expect(b2 + want_len <= log + log_len && memcmp(b2, cases[i].expect, want_len) == 0,
              "case %zu: the curl command sent another body", i);
    cr_expect(strstr(second, "Authorization: Bearer " TOKEN "\r\n") != NULL, "case %zu", i);
    cr_expect(strstr(second, "Api-Version-Date: 2026-07-01\r\n") != NULL, "case %zu", i);
    cr_expect(strstr(second, "Content-Type: application/json\r\n") != NULL, "case %zu", i);
    cr_expect(strstr(second, "PATCH /api/v1/users/me HTTP/1.1\r\n") != NULL, "case %zu", i);
    free(log);
    free(cmd);
    wc_exchange_free(x);
    wc_request_free(req);
    hs_stop(s);
  }
}

/* ---- the secret canary ---- */

static void canary_check(const wc_exchange *x, const char *canary, const char *label) {
  char *cmd = wc_exchange_curl_command(x);
  cJSON *j = wc_exchange_to_json(x, "x", 0);
  char *json = cJSON_PrintUnformatted(j);
  cr_assert(cmd && json);
  cr_expect(strstr(cmd, canary) == NULL, "%s: curl command leaks", label);
  cr_expect(strstr(json, canary) == NULL, "%s: JSON leaks", label);
  cr_expect(strstr(wc_exchange_error(x), canary) == NULL, "%s: error leaks", label);
  cr_expect(strstr(wc_exchange_note(x), canary) == NULL, "%s: note leaks", label);
  cr_expect(strstr(wc_exchange_url(x), canary) == NULL, "%s: URL leaks", label);
  for (size_t i = 0; i < wc_exchange_request_header_count(x); i++)
    cr_expect(strstr(wc_exchange_request_header(x, i), canary) == NULL, "%s: request header leaks", label);
  for (size_t i = 0; i < wc_exchange_header_count(x); i++) {
    cr_expect(strstr(wc_exchange_header_name(x, i), canary) == NULL, "%s: response header leaks", label);
    cr_expect(strstr(wc_exchange_header_value(x, i), canary) == NULL, "%s: response header leaks", label);
  }
  size_t len;
  const char *body = wc_exchange_body(x, &len);
  size_t clen = strlen(canary);
  for (size_t i = 0; body && i + clen <= len; i++)
    cr_expect(memcmp(body + i, canary, clen) != 0, "%s: response body leaks", label);
  body = wc_exchange_request_body(x, &len);
  for (size_t i = 0; body && i + clen <= len; i++)
    cr_expect(memcmp(body + i, canary, clen) != 0, "%s: request body leaks", label);
  free(json);
  cJSON_Delete(j);
  free(cmd);
}

Test(canary, token_never_recorded, .init = hs_watchdog) {
  char canary[64];
  FILE *f = fopen("/dev/urandom", "rb");
  unsigned char raw[12];
  cr_assert(f && fread(raw, 1, sizeof raw, f) == sizeof raw);
  fclose(f);
  int n = snprintf(canary, sizeof canary, "wc_canary_");
  for (size_t i = 0; i < sizeof raw; i++) n += snprintf(canary + n, sizeof canary - (size_t)n, "%02x", raw[i]);

  static const hs_mode modes[] = {HS_OK,          HS_ECHO,        HS_RETRY_SECONDS, HS_ALWAYS_503, HS_SILENCE,
                                  HS_GARBAGE_STATUS, HS_BAD_HEADER, HS_REDIRECT,   HS_SHORT_BODY, HS_RESET_MID_BODY,
                                  HS_BIG_BODY,    HS_HEADER_FLOOD, HS_RETRY_FAR,    HS_BINARY};
  wc_transport_opts o;
  tx_quick_opts(&o);
  o.timeout_ms = 800;
  o.max_body = 500;
  o.retry_max = 1;
  int exchanges = 0;
  for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
    char base[128];
    hs_server *s = tx_serve(modes[m], base, sizeof base);
    hs_set_location(s, "http://127.0.0.2:9/x");
    hs_run(s);
    wc_request_desc d = {0};
    d.base_url = base;
    d.token = canary;
    d.api_version = "2026-07-01";
    d.account_id = "biz_1";
    d.name = (wc_field){WC_FIELD_STRING, "Ada"};
    wc_err err;
    wc_request *req = wc_request_build(&d, &err);
    cr_assert_not_null(req, "%s", err.msg);
    wc_transport *t = wc_transport_new(&o, &err);
    wc_exchange *x = wc_transport_send(t, req);
    char label[32];
    snprintf(label, sizeof label, "mode %d", (int)modes[m]);
    canary_check(x, canary, label);
    exchanges++;
    /* Positive control: the credential really was on the wire. */
    cr_expect(hs_log_contains(s, canary), "%s: the server never saw the token", label);
    if (modes[m] == HS_ECHO) {
      cr_expect_eq(wc_exchange_http_status(x), 400);
      bool echoed = false;
      for (size_t i = 0; i < wc_exchange_header_count(x); i++)
        if (strcmp(wc_exchange_header_name(x, i), "X-Echo") == 0)
          echoed = strcmp(wc_exchange_header_value(x, i), "Bearer ***") == 0;
      cr_expect(echoed, "the reflected credential is scrubbed to ***");
    }
    wc_exchange_free(x);
    wc_transport_free(t);
    wc_request_free(req);
    hs_stop(s);
  }

  /* Failures that never reach a server. */
  const char *bases[] = {"http://192.0.2.1/api/v1", NULL};
  char refused[128];
  snprintf(refused, sizeof refused, "http://127.0.0.1:%u/api/v1", (unsigned)hs_closed_port());
  bases[1] = refused;
  for (size_t i = 0; i < 2; i++) {
    wc_request_desc d = {0};
    d.base_url = bases[i];
    d.token = canary;
    wc_err err;
    wc_request *req = wc_request_build(&d, &err);
    wc_transport *t = wc_transport_new(&o, &err);
    wc_exchange *x = wc_transport_send(t, req);
    cr_expect_neq(wc_exchange_status(x), WC_XFER_OK);
    canary_check(x, canary, bases[i]);
    exchanges++;
    wc_exchange_free(x);
    wc_transport_free(t);
    wc_request_free(req);
  }

  /* Builder refusals: the canary in the token, in a URL, next to CR/LF. */
  char bad_token[96], userinfo[160], path[96];
  snprintf(bad_token, sizeof bad_token, "%s\r\nX: 1", canary);
  snprintf(userinfo, sizeof userinfo, "https://user:%s@api.example.test/v1", canary);
  snprintf(path, sizeof path, "/%s\r\n", canary);
  struct {
    const char *base, *token, *path, *version;
  } refusals[] = {{"http://127.0.0.1/api", bad_token, NULL, NULL},
                  {userinfo, canary, NULL, NULL},
                  {"http://127.0.0.1/api", canary, path, NULL},
                  {"ftp://127.0.0.1/", canary, NULL, NULL},
                  {"http://127.0.0.1/api", canary, NULL, "2026\n"}};
  for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
    wc_request_desc d = {0};
    d.base_url = refusals[i].base;
    d.token = refusals[i].token;
    d.path = refusals[i].path;
    d.api_version = refusals[i].version;
    wc_err err;
    wc_request *req = wc_request_build(&d, &err);
    cr_expect_null(req, "refusal %zu", i);
    wc_request_free(req);
    cr_expect(strstr(err.msg, canary) == NULL, "refusal %zu leaks: %s", i, err.msg);
  }
  cr_expect_eq(exchanges, 16);
}
