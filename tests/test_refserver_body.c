/* The reference server's body rules, update semantics, account overrides,
 * balances and shapes, and a deterministic battery of odd bodies that must
 * never get anything but 200, 400 or 413. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/params.h"
#include "support/refserver_client.h"

static test_srv T;
static void up(void) { srv_start(&T); }
static void down(void) { srv_stop(&T); }

static void expect_400(const char *body, const char *type, const char *message_part) {
  srv_label("%.80s", body);
  http_req rq = req_patch(body);
  expect_error(&T, &rq, 400, type, message_part);
}

static cJSON *patch(const char *path, const char *body) {
  http_req rq = req_patch(body);
  rq.path = path;
  return expect_user(&T, &rq);
}

static void assert_profile(const cJSON *u, const char *name, const char *bio, const char *username) {
  cr_assert_str_eq(jstr(u, "username"), username);
  if (name) cr_assert_str_eq(jstr(u, "name"), name);
  else cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(u, "name")));
  if (bio) cr_assert_str_eq(jstr(u, "bio"), bio);
  else cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(u, "bio")));
}

/* ---- valid bodies ------------------------------------------------------------ */

Test(body, empty_object_changes_nothing, .init = up, .fini = down) {
  cJSON *a = patch(ME, "{}");
  cJSON *b = patch(ME, "{}");
  cr_assert(cJSON_Compare(a, b, true));
  assert_profile(a, "Ada Lovelace", "Analytical engines and poetry.", "wc_ada");
  cJSON_Delete(a);
  cJSON_Delete(b);
}

Test(body, sent_fields_change_unsent_stay, .init = up, .fini = down) {
  cJSON *u = patch(ME, "{\"name\": \"Ada King\"}");
  assert_profile(u, "Ada King", "Analytical engines and poetry.", "wc_ada");
  cJSON_Delete(u);
  u = patch(ME, "{\"bio\": \"Notes on the engine\", \"username\": \"ada.king-1815\"}");
  assert_profile(u, "Ada King", "Notes on the engine", "ada.king-1815");
  cJSON_Delete(u);
  u = patch(ME, "{}");
  assert_profile(u, "Ada King", "Notes on the engine", "ada.king-1815");
  cJSON_Delete(u);
}

Test(body, empty_strings_and_limits, .init = up, .fini = down) {
  cJSON *u = patch(ME, "{\"name\": \"\", \"bio\": \"\"}");
  assert_profile(u, "", "", "wc_ada");
  cJSON_Delete(u);
  char body[8192];
  char name[512] = "";
  for (int i = 0; i < 99; i++) strcat(name, "a");
  strcat(name, "\xf0\x9f\x98\x80"); /* 100 characters, one outside the BMP */
  snprintf(body, sizeof body, "{\"name\": \"%s\"}", name);
  u = patch(ME, body);
  cr_assert_str_eq(jstr(u, "name"), name);
  cJSON_Delete(u);
  /* The contract gives no limit: none by default (lenient max-name=N,
   * max-bio=N add them, test_refserver_narrow.c). */
  strcat(name, "a");
  snprintf(body, sizeof body, "{\"name\": \"%s\"}", name);
  u = patch(ME, body);
  cr_assert_str_eq(jstr(u, "name"), name);
  cJSON_Delete(u);
  char bio[1100] = "";
  for (int i = 0; i < 1001; i++) strcat(bio, "b");
  snprintf(body, sizeof body, "{\"bio\": \"%s\"}", bio);
  u = patch(ME, body);
  cr_assert_str_eq(jstr(u, "bio"), bio);
  cJSON_Delete(u);
}

Test(body, escapes_and_unicode_round_trip, .init = up, .fini = down) {
  cJSON *u = patch(ME, "{\"bio\": \"line\\nnext \\u00e9 \\ud83d\\ude00 \\\"q\\\" \\\\ \\t\"}");
  cr_assert_str_eq(jstr(u, "bio"), "line\nnext \xc3\xa9 \xf0\x9f\x98\x80 \"q\" \\ \t");
  cJSON_Delete(u);
}

Test(body, unknown_fields_ignored, .init = up, .fini = down) {
  cJSON *u = patch(ME, "{\"name\": \"N\", \"nickname\": 5, \"total_usd\": \"9\", \"id\": \"user_x\"}");
  assert_profile(u, "N", "Analytical engines and poetry.", "wc_ada");
  cr_assert_str_eq(jstr(u, "id"), "user_Vq7Zp3KxR2mN8");
  cJSON_Delete(u);
}

static void up_username_rules(void) { srv_start_with(&T, NULL, "username-rules", false); }

Test(body, username_rules, .init = up_username_rules, .fini = down) {
  const char *bad[] = {"{\"username\": \"ab\"}", "{\"username\": \"has space\"}", "{\"username\": \"caf\xc3\xa9\"}",
                       "{\"username\": \"a/b/c\"}", "{\"username\": \"\"}",
                       "{\"username\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) expect_400(bad[i], "invalid_parameters", "username");
  expect_400("{\"username\": \"wc_grace\"}", "invalid_parameters", "already taken");
}

/* The contract says only "a string": by default any string but one taken
 * by another user (uniqueness is in the contract's description). */
Test(body, username_any_string_by_default, .init = up, .fini = down) {
  const char *odd[] = {"ab", "has space", "caf\xc3\xa9", "a/b/c", "", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
  for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
    char body[128];
    snprintf(body, sizeof body, "{\"username\": \"%s\"}", odd[i]);
    cJSON *u = patch(ME, body);
    cr_assert_str_eq(jstr(u, "username"), odd[i]);
    cJSON_Delete(u);
  }
  expect_400("{\"username\": \"wc_grace\"}", "invalid_parameters", "already taken");
  expect_400("{\"username\": \"WC_Grace\"}", "invalid_parameters", "already taken");
  cJSON *u = patch(ME, "{\"username\": \"wc_0123abcd\"}");
  cr_assert_str_eq(jstr(u, "username"), "wc_0123abcd");
  cJSON_Delete(u);
  u = patch(ME, "{\"username\": \"wc_ada\"}"); /* one's own is not taken */
  cJSON_Delete(u);
}

Test(body, profile_picture, .init = up, .fini = down) {
  cJSON *u = patch(ME, "{\"profile_picture\": {\"id\": \"file_9Xy\"}}");
  cr_assert_str_eq(jstr(cJSON_GetObjectItemCaseSensitive(u, "profile_picture"), "url"),
                   "https://img.whopconf.invalid/profile/file_9Xy.png");
  cJSON_Delete(u);
  u = patch(ME, "{\"profile_picture\": {\"direct_upload_id\": \"up_1\", \"extra\": true}}");
  cr_assert_str_eq(jstr(cJSON_GetObjectItemCaseSensitive(u, "profile_picture"), "url"),
                   "https://img.whopconf.invalid/profile/up_1.png");
  cJSON_Delete(u);
  /* Not what the contract describes: refused. */
  const char *bad[] = {
      "{\"profile_picture\": \"x\"}",       "{\"profile_picture\": null}",
      "{\"profile_picture\": []}",          "{\"profile_picture\": {\"id\": 1}}",
      "{\"profile_picture\": {\"id\": null}}", "{\"profile_picture\": {\"direct_upload_id\": {}}}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) expect_400(bad[i], "invalid_parameters", "profile_picture");
  /* What the contract allows: the id percent-encoded into the URL, id
   * before direct_upload_id, neither leaves the picture as it was. */
  static const struct {
    const char *body, *url;
  } ok[] = {
      {"{\"profile_picture\": {\"id\": \"../x\"}}", "https://img.whopconf.invalid/profile/%2E%2E%2Fx.png"},
      {"{\"profile_picture\": {\"id\": \"a\", \"direct_upload_id\": \"b\"}}", "https://img.whopconf.invalid/profile/a.png"},
      {"{\"profile_picture\": {}}", "https://img.whopconf.invalid/profile/a.png"},
      {"{\"profile_picture\": {\"id\": \"\"}}", "https://img.whopconf.invalid/profile/.png"},
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    u = patch(ME, ok[i].body);
    cr_assert_str_eq(jstr(cJSON_GetObjectItemCaseSensitive(u, "profile_picture"), "url"), ok[i].url, "%s",
                     ok[i].body);
    cJSON_Delete(u);
  }
}

static void up_id_rules(void) { srv_start_with(&T, NULL, "id-rules", false); }

Test(body, profile_picture_id_rules, .init = up_id_rules, .fini = down) {
  const char *bad[] = {
      "{\"profile_picture\": {}}", "{\"profile_picture\": {\"id\": \"\"}}", "{\"profile_picture\": {\"id\": \"../x\"}}",
      "{\"profile_picture\": {\"id\": \"a\", \"direct_upload_id\": \"b\"}}",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) expect_400(bad[i], "invalid_parameters", "profile_picture");
}

/* ---- invalid bodies ------------------------------------------------------------- */

Test(body, wrong_types_are_named_precisely, .init = up, .fini = down) {
  expect_400("{\"name\": 1}", "invalid_parameters", "name must be a string, got a number");
  expect_400("{\"name\": null}", "invalid_parameters", "name must be a string, got null");
  expect_400("{\"bio\": {}}", "invalid_parameters", "bio must be a string, got an object");
  expect_400("{\"bio\": true}", "invalid_parameters", "bio must be a string, got a boolean");
  expect_400("{\"username\": []}", "invalid_parameters", "username must be a string, got an array");
  expect_400("[]", "invalid_parameters", "must be a JSON object, got an array");
  expect_400("\"name\"", "invalid_parameters", "got a string");
  expect_400("1", "invalid_parameters", "got a number");
  expect_400("null", "invalid_parameters", "got null");
  expect_400("true", "invalid_parameters", "got a boolean");
}

static const struct {
  const char *body;
  size_t len; /* 0: strlen(body) */
  const char *part;
} not_json[] = {
    {"{\"name\": ", 0, "not valid JSON"},
    {"{\"name\": \"a\", \"name\": \"b\"}", 0, "duplicate-key"},
    {"{\"name\": \"a\"} x", 0, "trailing-bytes"},
    {"{\"name\": \"\xff\xfe\"}", 0, "invalid-utf8"},
    {"{\"name\": NaN}", 0, "not valid JSON"},
    {"{\"n\": 1e999}", 0, "not valid JSON"},
    {"\xef\xbb\xbf{}", 0, "not valid JSON"},
    {"{'name': 'a'}", 0, "not valid JSON"},
    {"{\"name\": \"a\\u0000b\"}", 0, "not valid JSON"},
    {"{\"name\": \"\\ud800\"}", 0, "not valid JSON"},
    {"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
     "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", 0, "not valid JSON"},
    {"{\"name\": \"a\"}\0", 14, "not valid JSON"},
};
TABLE_PARAMETERS(body, not_json_is_400, not_json)
ParameterizedTest(const size_t *i, body, not_json_is_400, .init = up, .fini = down) {
  http_req rq = req_patch(not_json[*i].body);
  rq.body_len = not_json[*i].len;
  srv_label("case %zu: %.60s", *i, rq.body);
  expect_error(&T, &rq, 400, "invalid_json", not_json[*i].part);
}

Test(body, missing_body_is_400, .init = up, .fini = down) {
  http_req rq = req_patch(NULL);
  expect_error(&T, &rq, 400, "invalid_json", "Request body is required");
}

Test(body, deep_nesting_is_400, .init = up, .fini = down) {
  static char deep[60001];
  memset(deep, '[', 30000);
  memset(deep + 30000, ']', 30000);
  http_req rq = req_patch(deep);
  expect_error(&T, &rq, 400, "invalid_json", NULL);
}

/* ---- 413 ------------------------------------------------------------------------ */

Test(size, over_the_limit_is_413, .init = up, .fini = down) {
  size_t n = 64 * 1024 + 1;
  char *big = malloc(n + 1);
  memset(big, ' ', n);
  big[0] = '{';
  big[n - 1] = '}';
  big[n] = '\0';
  http_req rq = req_patch(big);
  expect_error(&T, &rq, 413, "payload_too_large", "65536");
  rq.chunked = true; /* no Content-Length: counted while reading */
  expect_error(&T, &rq, 413, "payload_too_large", NULL);
  big[n - 2] = '}';
  big[n - 1] = '\0'; /* exactly the limit: fine */
  rq = req_patch(big);
  cJSON_Delete(expect_user(&T, &rq));
  rq.chunked = true;
  cJSON_Delete(expect_user(&T, &rq));
  free(big);
}

Test(size, configurable_limit) {
  wc_refserver_opts o;
  wc_refserver_opts_default(&o);
  o.max_body = 16;
  srv_start_opts(&T, &o);
  cJSON_Delete(expect_user(&T, &req_patch("{\"name\": \"abc\"}")));
  expect_error(&T, &req_patch("{\"name\": \"abcde\"}"), 413, "payload_too_large", "16 bytes");
  srv_stop(&T);
}

/* ---- overrides ------------------------------------------------------------------ */

Test(overrides, isolation_and_merge, .init = up, .fini = down) {
  cJSON *a = patch(ME "?account_id=biz_A", "{\"name\": \"Ada at A\", \"username\": \"ada_a\"}");
  assert_profile(a, "Ada at A", "Analytical engines and poetry.", "ada_a");
  cJSON_Delete(a);
  cJSON *g = patch(ME, "{}");
  assert_profile(g, "Ada Lovelace", "Analytical engines and poetry.", "wc_ada");
  cJSON_Delete(g);
  cJSON *b = patch(ME "?account_id=biz_B", "{}");
  assert_profile(b, "Ada Lovelace", "Analytical engines and poetry.", "wc_ada");
  cJSON_Delete(b);
  /* a global change shows through where the override does not cover it */
  g = patch(ME, "{\"bio\": \"global bio\"}");
  cJSON_Delete(g);
  a = patch(ME "?account_id=biz_A", "{}");
  assert_profile(a, "Ada at A", "global bio", "ada_a");
  cJSON_Delete(a);
  b = patch(ME "?account_id=biz_B", "{}");
  assert_profile(b, "Ada Lovelace", "global bio", "wc_ada");
  cJSON_Delete(b);
  /* the picture too */
  a = patch(ME "?account_id=biz_A", "{\"profile_picture\": {\"id\": \"pA\"}}");
  cr_assert(strstr(jstr(cJSON_GetObjectItemCaseSensitive(a, "profile_picture"), "url"), "pA.png"));
  cJSON_Delete(a);
  g = patch(ME, "{}");
  cr_assert(strstr(jstr(cJSON_GetObjectItemCaseSensitive(g, "profile_picture"), "url"), "pic_A1b2C3.png"));
  cJSON_Delete(g);
}

static void account_ids(const char *lenient, long status) {
  srv_start_with(&T, NULL, lenient, false);
  char long_id[160] = ME "?account_id=";
  for (int i = 0; i < 129; i++) strcat(long_id, "x");
  const char *paths[] = {ME "?account_id=", ME "?account_id", ME "?account_id=a%20b", ME "?account_id=%C3%A9",
                         long_id};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    http_req rq = req_patch("{}");
    rq.path = paths[i];
    if (status == 400)
      expect_error(&T, &rq, 400, "invalid_parameters", "account_id");
    else
      cJSON_Delete(expect_user(&T, &rq));
  }
  /* Bytes that are not UTF-8 are not a string: refused either way. */
  http_req rq = req_patch("{}");
  rq.path = ME "?account_id=%FF";
  expect_error(&T, &rq, 400, "invalid_parameters", "account_id");
  srv_stop(&T);
}

/* Any string by default (the contract); the id alphabet with id-rules. */
Test(overrides, account_ids) {
  account_ids(NULL, 200);
  account_ids("id-rules", 400);
}

Test(overrides, many_accounts_stay_bounded, .init = up, .fini = down) {
  char path[128], body[64];
  for (int i = 0; i < 300; i++) {
    snprintf(path, sizeof path, ME "?account_id=acct_%d", i);
    snprintf(body, sizeof body, "{\"name\": \"n%d\"}", i);
    cJSON *u = patch(path, body);
    char expected[16];
    snprintf(expected, sizeof expected, "n%d", i);
    cr_assert_str_eq(jstr(u, "name"), expected);
    cJSON_Delete(u);
  }
  cJSON *u = patch(ME "?account_id=acct_7", "{}");
  cr_assert_str_eq(jstr(u, "name"), "n7");
  cJSON_Delete(u);
}

/* ---- balances and shapes ---------------------------------------------------------- */

Test(balances, hidden_on_patch_by_default, .init = up, .fini = down) {
  cJSON *u = patch(ME, "{}");
  cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(u, "total_usd")));
  const cJSON *b = cJSON_GetObjectItemCaseSensitive(u, "balances");
  cr_assert(cJSON_IsArray(b) && cJSON_GetArraySize(b) == 0);
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(u, "verification");
  cr_assert_str_eq(jstr(cJSON_GetObjectItemCaseSensitive(v, "individual"), "status"), "approved");
  cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(v, "business")));
  cJSON_Delete(u);
}

static bool decimal(const char *s) {
  if (!s || !*s) return false;
  const char *p = s;
  while (*p >= '0' && *p <= '9') p++;
  if (p == s) return false;
  if (*p == '.') {
    const char *q = ++p;
    while (*p >= '0' && *p <= '9') p++;
    if (p == q) return false;
  }
  return *p == '\0';
}

Test(balances, shown_when_asked_and_consistent) {
  srv_start_fault(&T, NULL, true);
  cJSON *u = patch(ME, "{}");
  cr_assert_str_eq(jstr(u, "total_usd"), "2635.78");
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(u, "balances");
  cr_assert_eq(cJSON_GetArraySize(list), 4);
  long long cents = 0;
  bool crypto = false, fiat = false, no_rate = false;
  for (const cJSON *b = list->child; b; b = b->next) {
    cr_assert(decimal(jstr(b, "balance")), "%s", jstr(b, "balance"));
    const cJSON *bd = cJSON_GetObjectItemCaseSensitive(b, "breakdown");
    cr_assert(decimal(jstr(bd, "available")) && decimal(jstr(bd, "pending")) && decimal(jstr(bd, "reserve")));
    const char *usd = jstr(b, "value_usd");
    const cJSON *price = cJSON_GetObjectItemCaseSensitive(b, "price_usd");
    cr_assert(cJSON_GetObjectItemCaseSensitive(b, "icon_url"));
    if (!usd) {
      no_rate = true;
      cr_assert(cJSON_IsNull(price));
      continue;
    }
    cr_assert(decimal(usd) && cJSON_IsNumber(price));
    long long w = 0, f = 0;
    sscanf(usd, "%lld.%lld", &w, &f);
    cents += w * 100 + f;
    if (strcmp(jstr(b, "symbol"), "EUR") == 0) fiat = true;
    if (strcmp(jstr(b, "symbol"), "cbBTC") == 0) crypto = true;
  }
  cr_assert_eq(cents, 263578);
  cr_assert(crypto && fiat && no_rate);
  cJSON_Delete(u);
  /* a user without holdings: null and empty, even when shown */
  http_req rq = req_patch("{}");
  rq.token = NO_SCOPE;
  expect_error(&T, &rq, 403, NULL, NULL);
  /* intermediate shapes list fewer members per holding */
  rq = req_patch("{}");
  rq.version = "2026-06-09";
  u = expect_user(&T, &rq);
  char keys[256];
  keys_of(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(u, "balances"), 0), keys, sizeof keys);
  cr_assert_str_eq(keys, "symbol,name,balance,value_usd,price_usd");
  cJSON_Delete(u);
  rq.version = "2026-06-20";
  u = expect_user(&T, &rq);
  keys_of(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(u, "balances"), 0), keys, sizeof keys);
  cr_assert_str_eq(keys, "symbol,name,balance,value_usd,price_usd,icon_url");
  cJSON_Delete(u);
  rq.version = LATEST;
  u = expect_user(&T, &rq);
  keys_of(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(u, "balances"), 0), keys, sizeof keys);
  cr_assert_str_eq(keys, "symbol,name,balance,value_usd,price_usd,icon_url,breakdown");
  cJSON_Delete(u);
  srv_stop(&T);
}

/* ---- a battery of odd bodies: never 5xx ------------------------------------------------ */

static uint32_t rng_state = 0x2545F491u;
static uint32_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

static const char *const handwritten[] = {
    "", " ", "{", "}", "{}", "[]", "[{}]", "{{}}", "{\"\":1}", "{\"name\"}", "{\"name\":}", "{,}", "{\"a\":1,}",
    "{\"name\":\"a\",}", "nul", "tru", "-", "-0", "0.", ".5", "1e", "01", "1E400", "-1e-400", "\"\\x41\"",
    "\"\\u12\"", "\"\\uD83D\"", "\"\\uDE00\"", "{\"name\":\"\\uD83D\\uDE00\"}", "{\"name\":\"\t\"}",
    "{\"name\":\"\x01\"}", "{\"name\":\"\xc0\xaf\"}", "{\"name\":\"\xed\xa0\x80\"}", "{\"name\":\"\xf4\x90\x80\x80\"}",
    "{\"name\":\"\xe2\x82\"}", "\xef\xbb\xbf", "\xff", "{\"name\":[\"a\"]}", "{\"name\":{\"a\":1}}",
    "{\"bio\":1.5}", "{\"bio\":-0}", "{\"username\":false}", "{\"profile_picture\":{\"id\":[]}}",
    "{\"profile_picture\":{\"id\":\"a b\"}}", "{\"profile_picture\":{\"direct_upload_id\":null}}",
    "{\"name\":\"x\",\"bio\":\"y\",\"username\":\"zzz\",\"profile_picture\":{\"id\":\"p\"}}", "Infinity", "-Infinity",
    "NaN", "{\"a\":NaN}", "{\"a\":Infinity}", "/* c */{}", "{}//", "{\"name\":\"a\"}\n\n", "\n{}\n", "\r\n{}\r\n",
    "\x0c{}", "{\"name\" : \"a\" , \"name\" : \"a\"}", "{\"\\u006eame\":\"escaped key\"}", "[[[[[[[[[[",
    "]]]]]]]]]]", "{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}", "<xml/>", "name=a&bio=b", "{\"name\":\"a\"}{\"name\":\"b\"}",
};

static const char *const fields[] = {"name", "bio", "username", "profile_picture", "unknown", "id", "balances"};
static const char *const values[] = {
    "\"a\"", "\"ok_name\"", "1", "-1.5e3", "true", "null", "[]", "{}", "{\"id\":\"p1\"}",
    "{\"direct_upload_id\":\"u1\"}", "\"\\ud83d\\ude00\"", "\"\"", "[1,2,{}]", "\"\\u0000\"", "0.0000001",
};

static void send_odd(const char *body, size_t len, const char *where, int *counts) {
  http_req rq = req_patch(body);
  rq.body_len = len;
  if (len == 0) rq.body = NULL;
  http_resp r;
  send_req(&T, &rq, &r);
  cr_assert(r.status == 200 || r.status == 400 || r.status == 413, "%s: status %ld for %.80s", where, r.status,
            body);
  cr_assert_str_eq(r.content_type, "application/json; charset=utf-8");
  cJSON *j = json_of(&r);
  if (r.status == 200) cr_assert(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "id")));
  else assert_envelope(&r, r.status, NULL);
  cJSON_Delete(j);
  counts[r.status == 200 ? 0 : 1]++;
  http_resp_free(&r);
}

Test(odd_bodies, never_a_server_error, .init = up, .fini = down) {
  int counts[2] = {0, 0};
  int total = 0;
  char body[4096];
  for (size_t i = 0; i < sizeof handwritten / sizeof handwritten[0]; i++, total++)
    send_odd(handwritten[i], strlen(handwritten[i]), "handwritten", counts);
  send_odd("\0", 1, "a NUL byte", counts);
  send_odd("{\"name\":\"a\0b\"}", 14, "a raw NUL in a string", counts);
  total += 2;
  /* every field with every value */
  for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
    for (size_t v = 0; v < sizeof values / sizeof values[0]; v++, total++) {
      int n = snprintf(body, sizeof body, "{\"%s\":%s}", fields[f], values[v]);
      send_odd(body, (size_t)n, "field x value", counts);
    }
  /* random bytes */
  for (int i = 0; i < 60; i++, total++) {
    size_t n = 1 + rng() % 48;
    for (size_t k = 0; k < n; k++) body[k] = (char)(rng() & 0xff);
    send_odd(body, n, "random bytes", counts);
  }
  /* mutations of a valid body: flip, insert, delete, truncate */
  static const char valid[] = "{\"name\":\"Ada\",\"bio\":\"b\",\"profile_picture\":{\"id\":\"p\"}}";
  for (int i = 0; i < 60; i++, total++) {
    size_t n = sizeof valid - 1;
    memcpy(body, valid, n);
    size_t at = rng() % n;
    switch (rng() % 4) {
    case 0: body[at] = (char)(rng() & 0xff); break;
    case 1: memmove(body + at + 1, body + at, n - at); body[at] = "{}[]\",:\\"[rng() % 8]; n++; break;
    case 2: memmove(body + at, body + at + 1, n - at - 1); n--; break;
    default: n = at ? at : 1;
    }
    send_odd(body, n, "mutation", counts);
  }
  cr_assert_geq(total, 200);
  cr_assert_gt(counts[0], 10, "some bodies must be accepted");
  cr_assert_gt(counts[1], 100, "most must be refused");
  /* the server is still itself */
  cJSON *u = patch(ME, "{}");
  cr_assert_str_eq(jstr(u, "id"), "user_Vq7Zp3KxR2mN8");
  cJSON_Delete(u);
}
