/* The narrow faults and the lenient options of the reference server.
 *
 * Narrow faults: each request sequence goes to a fresh fault-free server and
 * to a fresh faulty one. Just outside the fault's region every response is
 * byte for byte the same; just inside it, every response but the last is
 * the same and the last shows exactly the violation.
 * Lenient options: just inside and just outside each rule, against the
 * default server. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/refserver_client.h"

/* Bodies built at run time (lengths at a threshold). */
static char name_64[128], name_65[128], name_101[160], bio_255[300], bio_256[300], bio_1001[1100];

static void fill(char *out, const char *key, size_t n) {
  int at = sprintf(out, "{\"%s\": \"", key);
  memset(out + at, 'a', n);
  strcpy(out + at + n, "\"}");
}

static void build_bodies(void) {
  fill(name_64, "name", 64);
  fill(name_65, "name", 65);
  fill(name_101, "name", 101);
  fill(bio_255, "bio", 255);
  fill(bio_256, "bio", 256);
  fill(bio_1001, "bio", 1001);
}

static const char A64[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

/* n letters a (n < 200). */
static const char *letters(size_t n) {
  static char buf[200];
  memset(buf, 'a', n);
  buf[n] = '\0';
  return buf;
}

/* ---- narrow faults ------------------------------------------------------------ */

typedef enum expect {
  SERVER_ERROR,  /* the faulty server answers 500 with an envelope; the clean one does not */
  REFUSED_422,   /* the faulty server answers 422 with an envelope; the clean one accepts */
  MEMBER,        /* the faulty server's user has key == value; the clean one's differs */
  CONTENT_TYPE,  /* same status and bytes, the faulty server's content type is value */
  ACCEPTED,      /* the clean server refuses with 400, the faulty one answers 200 */
  EMPTY_MESSAGE, /* same status 400, the faulty envelope's error.message is "" */
} expect;

#define MAX_STEPS 6

typedef struct narrow_case {
  const char *fault;
  http_req in[MAX_STEPS];  /* the last is judged, the others must not differ */
  http_req out[MAX_STEPS]; /* none may differ */
  expect expect;
  const char *key, *value;
  const char *lenient; /* the option the fault implies, given to the clean server too */
} narrow_case;

#define P(b) {.token = TOKEN, .version = LATEST, .body = (b)}
#define PQ(q, b) {.token = TOKEN, .version = LATEST, .path = ME q, .body = (b)}

static const narrow_case cases[] = {
    {"name-over-64-truncated", {P(name_65)}, {P(name_64), P(bio_1001)}, MEMBER, "name", A64, NULL},
    {"bio-over-255-error", {P(bio_256)}, {P(bio_255), P(name_101)}, SERVER_ERROR, NULL, NULL, NULL},
    {"bio-cr-422", {P("{\"bio\": \"a\\rb\"}")}, {P("{\"bio\": \"a\\nb\"}"), P("{\"name\": \"a\\rb\"}")},
     REFUSED_422, NULL, NULL, NULL},
    {"zwj-dropped", {P("{\"name\": \"a\\u200db\"}")}, {P("{\"name\": \"a\\u200cb\"}"), P("{\"bio\": \"a\\u2060b\"}")},
     MEMBER, "name", "ab", NULL},
    {"nbsp-replaced", {P("{\"bio\": \"a\\u00a0b\"}")}, {P("{\"name\": \"a\\u00a0b\"}"), P("{\"bio\": \"a\\u202fb\"}")},
     MEMBER, "bio", "a b", NULL},
    {"name-bio-angle-error", {P("{\"name\": \"<\", \"bio\": \"<\"}")},
     {P("{\"name\": \"<\", \"bio\": \">\"}"), P("{\"name\": \"<\"}"), P("{\"bio\": \"<\"}")}, SERVER_ERROR, NULL, NULL, NULL},
    {"account-id-percent-error", {PQ("?account_id=a%25b", "{}")},
     {PQ("?account_id=a%2Bb", "{}"), PQ("?account_id=a%20b", "{}")}, SERVER_ERROR, NULL, NULL, "id-rules"},
    {"account-id-empty-plain", {PQ("?account_id=", "{}")}, {PQ("?account_id=%20", "{}"), PQ("?account_id=a", "{}")},
     CONTENT_TYPE, NULL, "text/plain; charset=utf-8", "id-rules"},
    {"picture-both-ids-error", {P("{\"profile_picture\": {\"id\": \"p1\", \"direct_upload_id\": \"p2\"}}")},
     {P("{\"profile_picture\": {\"id\": \"p1\"}}"), P("{\"profile_picture\": {\"direct_upload_id\": \"p2\", \"url\": \"u\"}}")},
     SERVER_ERROR, NULL, NULL, NULL},
    {"bio-array-accepted", {P("{\"bio\": []}")}, {P("{\"bio\": {}}"), P("{\"bio\": 1}"), P("{\"bio\": [], \"name\": 1}")},
     ACCEPTED, NULL, NULL, NULL},
    {"name-negative-zero-accepted", {P("{\"name\": -0}")}, {P("{\"name\": 0}"), P("{\"name\": -1}"), P("{\"name\": -0.5}")},
     ACCEPTED, NULL, NULL, NULL},
    {"third-override-write-leaks",
     {PQ("?account_id=acc", "{\"name\": \"one\"}"), PQ("?account_id=acc", "{\"name\": \"two\"}"),
      PQ("?account_id=acc", "{\"name\": \"three\"}"), P("{}")},
     {PQ("?account_id=acc", "{\"name\": \"one\"}"), PQ("?account_id=acc", "{\"name\": \"two\"}"),
      PQ("?account_id=acc", "{}"), PQ("?account_id=other", "{\"name\": \"three\"}"), P("{}")},
     MEMBER, "name", "three", NULL},
    {"uppercase-username-lowered", {P("{\"username\": \"Wc_Ada\"}"), P("{}")},
     {P("{\"username\": \"wc_ada_2\"}"), P("{\"name\": \"ADA\"}"), P("{}")}, MEMBER, "username", "wc_ada", NULL},
    {"lone-surrogate-empty-message", {P("{\"name\": \"\\ud800\"}")},
     {P("{\"name\": \"\\ud83d\\ude00\"}"), P("{\"name\": \"\\u0000\"}"), P("{\"name\": \"\\x\"}")}, EMPTY_MESSAGE,
     NULL, NULL, NULL},
    {"duplicate-key-html", {P("{\"name\": \"a\", \"name\": \"a\"}")},
     {P("{\"name\": \"a\", \"bio\": \"a\"}"), P("{\"name\": \"\xff\"}")}, CONTENT_TYPE, NULL, "text/html; charset=utf-8", NULL},
};

#define NCASES (sizeof cases / sizeof cases[0])

static size_t steps(const http_req *seq) {
  size_t n = 0;
  while (n < MAX_STEPS && seq[n].token) n++;
  return n;
}

/* Sends seq to a fresh server (fault or none, with the case's lenient
 * option); out[i] are the responses. */
static void run_seq(const char *fault, const char *lenient, const http_req *seq, size_t n, http_resp *out) {
  test_srv t;
  srv_start_with(&t, fault, lenient, false);
  for (size_t i = 0; i < n; i++) send_req(&t, &seq[i], &out[i]);
  srv_stop(&t);
}

static bool same(const http_resp *a, const http_resp *b) {
  return a->status == b->status && strcmp(a->content_type, b->content_type) == 0 && a->len == b->len &&
         memcmp(a->body, b->body, a->len) == 0;
}

static const char *error_message(const http_resp *r, cJSON **doc) {
  *doc = json_of(r);
  return jstr(cJSON_GetObjectItemCaseSensitive(*doc, "error"), "message");
}

static void judge(const narrow_case *c, const http_resp *clean, const http_resp *faulty) {
  cJSON *a = NULL, *b = NULL;
  switch (c->expect) {
  case SERVER_ERROR:
    cr_assert_neq(clean->status, 500, "%s: the clean server fails too", c->fault);
    cr_assert_eq(faulty->status, 500, "%s: status %ld, expected 500", c->fault, faulty->status);
    cr_assert_str_eq(faulty->content_type, "application/json; charset=utf-8");
    error_message(faulty, &b);
    cr_assert_str_eq(jstr(cJSON_GetObjectItemCaseSensitive(b, "error"), "type"), "internal_error");
    break;
  case REFUSED_422:
    cr_assert_eq(clean->status, 200, "%s: clean %ld %s", c->fault, clean->status, clean->body);
    assert_envelope(faulty, 422, "unprocessable_entity");
    break;
  case MEMBER:
    cr_assert_eq(clean->status, 200, "%s: clean %ld %s", c->fault, clean->status, clean->body);
    cr_assert_eq(faulty->status, 200, "%s: faulty %ld %s", c->fault, faulty->status, faulty->body);
    a = json_of(clean);
    b = json_of(faulty);
    cr_assert_str_eq(jstr(b, c->key), c->value, "%s: %s", c->fault, faulty->body);
    cr_assert_str_neq(jstr(a, c->key), c->value, "%s: the clean server says the same", c->fault);
    break;
  case CONTENT_TYPE:
    cr_assert_eq(clean->status, faulty->status);
    cr_assert(clean->len == faulty->len && memcmp(clean->body, faulty->body, clean->len) == 0, "%s: bytes", c->fault);
    cr_assert_str_eq(clean->content_type, "application/json; charset=utf-8");
    cr_assert_str_eq(faulty->content_type, c->value);
    break;
  case ACCEPTED:
    assert_envelope(clean, 400, "invalid_parameters");
    cr_assert_eq(faulty->status, 200, "%s: faulty %ld %s", c->fault, faulty->status, faulty->body);
    break;
  case EMPTY_MESSAGE: {
    assert_envelope(clean, 400, "invalid_json");
    cr_assert_eq(faulty->status, 400);
    const char *m = error_message(faulty, &b);
    cr_assert(m && !*m, "%s: message \"%s\"", c->fault, m ? m : "(none)");
    break;
  }
  }
  cJSON_Delete(a);
  cJSON_Delete(b);
}

Test(narrow, every_narrow_fault_has_a_test) {
  size_t narrow = 0;
  for (size_t i = 0; i < wc_fault_count(); i++) {
    const wc_fault_info *f = wc_fault_get(i);
    if (strcmp(f->kind, "narrow") != 0) continue;
    narrow++;
    bool found = false;
    for (size_t k = 0; k < NCASES && !found; k++) found = strcmp(cases[k].fault, f->name) == 0;
    cr_assert(found, "narrow fault %s has no test", f->name);
  }
  cr_assert_eq(narrow, NCASES);
  cr_assert_geq(narrow, 12);
}

ParameterizedTestParameters(narrow, region) {
  static size_t idx[NCASES];
  for (size_t i = 0; i < NCASES; i++) idx[i] = i;
  return cr_make_param_array(size_t, idx, NCASES);
}

ParameterizedTest(size_t *index, narrow, region) {
  const narrow_case *c = &cases[*index];
  build_bodies();
  http_resp clean[MAX_STEPS], faulty[MAX_STEPS];
  size_t n = steps(c->out);
  run_seq(NULL, c->lenient, c->out, n, clean);
  run_seq(c->fault, c->lenient, c->out, n, faulty);
  for (size_t i = 0; i < n; i++) {
    cr_assert(same(&clean[i], &faulty[i]), "%s: outside step %zu differs: %ld %s / %ld %s", c->fault, i,
              clean[i].status, clean[i].body, faulty[i].status, faulty[i].body);
    http_resp_free(&clean[i]);
    http_resp_free(&faulty[i]);
  }
  n = steps(c->in);
  run_seq(NULL, c->lenient, c->in, n, clean);
  run_seq(c->fault, c->lenient, c->in, n, faulty);
  for (size_t i = 0; i + 1 < n; i++)
    cr_assert(same(&clean[i], &faulty[i]), "%s: inside step %zu (before the judged one) differs", c->fault, i);
  judge(c, &clean[n - 1], &faulty[n - 1]);
  for (size_t i = 0; i < n; i++) {
    http_resp_free(&clean[i]);
    http_resp_free(&faulty[i]);
  }
}

/* ---- lenient options ----------------------------------------------------------- */

static void start_lenient(test_srv *t, const char *option) { srv_start_with(t, NULL, option, false); }

/* name/bio after a PATCH with body on a server with option (NULL: default). */
static void stored(const char *option, const char *body, const char *key, const char *expected) {
  test_srv t;
  start_lenient(&t, option);
  cJSON *u = expect_user(&t, &req_patch(body));
  cr_assert_str_eq(jstr(u, key), expected, "[%s] %s", option ? option : "default", body);
  cJSON_Delete(u);
  u = expect_user(&t, &req_patch("{}")); /* stored that way, not only echoed */
  cr_assert_str_eq(jstr(u, key), expected, "[%s] %s, read back", option ? option : "default", body);
  cJSON_Delete(u);
  srv_stop(&t);
}

static void refused(const char *option, const char *body, const char *message_part) {
  test_srv t;
  start_lenient(&t, option);
  expect_error(&t, &req_patch(body), 400, "invalid_parameters", message_part);
  srv_stop(&t);
}

Test(lenient, trim_drops_edge_white_space_only) {
  /* U+00A0, U+3000, tab and spaces at the edges go; inside, and the
   * zero-width U+200B (not White_Space), stay. */
  const char *body = "{\"name\": \" \\u00a0 Ada  B\\t\", \"bio\": \"\\u3000\\u200bx y\\u2029\"}";
  stored("trim", body, "name", "Ada  B");
  stored("trim", body, "bio", "\xe2\x80\x8bx y");
  stored(NULL, body, "name", " \xc2\xa0 Ada  B\t");
  stored("trim", "{\"name\": \" \\u2000 \"}", "name", "");
}

Test(lenient, trim_counts_after_trimming) {
  char body[200];
  fill(body, "name", 101);
  body[10] = ' '; /* a leading space and 100 letters: within 100 once trimmed */
  const char *both[] = {"trim", "max-name=100"};
  test_srv t;
  wc_refserver_opts o;
  wc_refserver_opts_default(&o);
  o.lenient = both;
  o.lenient_count = 2;
  srv_start_opts(&t, &o);
  cJSON *u = expect_user(&t, &req_patch(body));
  cr_assert_str_eq(jstr(u, "name"), letters(100));
  cJSON_Delete(u);
  srv_stop(&t);
  refused("max-name=100", body, "at most 100");
}

Test(lenient, username_rules) {
  stored("username-rules", "{\"username\": \"wc_ada.2\"}", "username", "wc_ada.2");
  refused("username-rules", "{\"username\": \"Wc_ada\"}", "lowercase letters");
  refused("username-rules", "{\"username\": \"wc-ada\"}", "lowercase letters");
  refused("username-rules", "{\"username\": \"wc\"}", "3 to 40");
  refused("username-rules", "{\"username\": \"\"}", "3 to 40");
  /* by default the contract alone: any string */
  stored(NULL, "{\"username\": \"Wc-ada\"}", "username", "Wc-ada");
  stored(NULL, "{\"username\": \"\"}", "username", "");
  stored(NULL, "{\"username\": \"caf\u00e9 a/b\"}", "username", "caf\xc3\xa9 a/b");
}

Test(lenient, late_answer_answers_what_was_stored) {
  /* Alone, the answer read back after the pause is the update itself (the
   * overlap it allows is exercised by fuzz_cli with four workers). */
  stored("late-answer", "{\"name\": \"Ada\", \"bio\": \"x\"}", "name", "Ada");
  stored("late-answer", "{\"name\": \"Ada\", \"bio\": \"x\"}", "bio", "x");
  refused("late-answer", "{\"name\": 1}", "name");
}

Test(lenient, max_name_and_bio) {
  char body[1200];
  fill(body, "name", 10);
  stored("max-name=10", body, "name", letters(10));
  fill(body, "name", 11);
  refused("max-name=10", body, "at most 10");
  fill(body, "name", 150);
  stored("max-name=150", body, "name", letters(150));
  stored(NULL, body, "name", letters(150)); /* no limit by default */
  fill(body, "bio", 5);
  stored("max-bio=5", body, "bio", letters(5));
  fill(body, "bio", 6);
  refused("max-bio=5", body, "at most 5");
}
