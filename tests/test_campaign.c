/* The campaign's oracles and findings table (campaign_internal.h): the echo
 * comparison and its normalization warning, the judgment of generated
 * requests sent over loopback to the reference server (a negative input
 * refused or accepted, a positive one accepted, refused the documented way
 * or not, an echo that is normalized or damaged), and the de-duplication of
 * findings by requirement, status, location and edge class. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "../harness/src/campaign/campaign_internal.h"
#include "whopconf/json_arena.h"
#include "whopconf/refserver.h"
#include "whopconf/spec.h"
#include "whopconf/versions.h"

/* ---- echo ------------------------------------------------------------------------ */

typedef struct echo_case {
  const char *what, *sent, *got;
  int want; /* 0 equal, 1 a normalization the contract leaves open, 2 damaged */
} echo_case;

static const echo_case echo_cases[] = {
    {"identical", "Ada \xf0\x9f\xa6\x89", "Ada \xf0\x9f\xa6\x89", 0},
    {"empty", "", "", 0},
    {"edge spaces trimmed", "  Ada  ", "Ada", 1},
    {"edge U+00A0 and U+3000 trimmed", "\xc2\xa0" "Ada" "\xe3\x80\x80", "Ada", 1},
    {"NFD sent, NFC back", "e\xcc\x81t\xc3\xa9", "\xc3\xa9t\xc3\xa9", 1},
    {"NFC sent, NFD back", "\xc3\xa9", "e\xcc\x81", 1},
    {"truncated", "aaaaaaaa", "aaaa", 2},
    {"inner space dropped", "a b", "ab", 2},
    {"U+200D dropped", "a\xe2\x80\x8d" "b", "ab", 2},
    {"U+00A0 inside replaced", "a\xc2\xa0" "b", "a b", 2},
    {"case changed", "Ada", "ada", 2},
    {"another letter", "Ada", "Adb", 2},
    {"all whitespace trimmed to nothing", " \xe2\x80\x80 ", "", 1},
};

ParameterizedTestParameters(echo, compare) {
  static size_t idx[sizeof echo_cases / sizeof echo_cases[0]];
  for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++) idx[i] = i;
  return cr_make_param_array(size_t, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(size_t *i, echo, compare) {
  const echo_case *c = &echo_cases[*i];
  cr_assert_eq(wc_campaign_echo_compare(c->sent, c->got), c->want, "%s: got %d, want %d", c->what,
               wc_campaign_echo_compare(c->sent, c->got), c->want);
}

/* ---- the oracles on real exchanges ---------------------------------------------- */

typedef struct judge_case {
  const char *fault, *lenient; /* the server (NULL: plain) */
  const char *edge, *target;   /* a request of the coverage list */
  const char *requirement;
  int want; /* the worst of requirement's observations: NONE, PASS, WARN or FAIL */
} judge_case;

enum { NONE = -1, PASS = 1, WARN = 2, FAIL = 3 };

static const judge_case judge_cases[] = {
    /* negative input: refused with 400 passes; accepted fails */
    {NULL, NULL, "wrong-type:number", "/name", WC_REQ_INVALID_BODY_400, PASS},
    {NULL, NULL, "lone-surrogate", "/name", WC_REQ_INVALID_BODY_400, PASS},
    {"bio-array-accepted", NULL, "wrong-type:array", "/bio", WC_REQ_INVALID_BODY_400, FAIL},
    /* positive input: 2xx passes, a documented 400 with an envelope warns, an
     * undocumented refusal fails, a 5xx is WC-TR-001's alone */
    {NULL, NULL, "length:1023", "/name", WC_REQ_POSITIVE_ACCEPTED, PASS},
    {NULL, "max-name=10", "length:1023", "/name", WC_REQ_POSITIVE_ACCEPTED, WARN},
    {"bio-cr-422", NULL, "crlf", "/bio", WC_REQ_POSITIVE_ACCEPTED, FAIL},
    {"bio-over-255-error", NULL, "length:1023", "/bio", WC_REQ_NO_5XX, FAIL},
    {"bio-over-255-error", NULL, "length:1023", "/bio", WC_REQ_POSITIVE_ACCEPTED, NONE},
    /* echo: the same, a normalization (warning), damage (failure) */
    {NULL, NULL, "nfd", "/name", WC_REQ_UPD_REFLECTED, PASS},
    {NULL, "trim", "edge-spaces", "/name", WC_REQ_UPD_REFLECTED, WARN},
    {"zwj-dropped", NULL, "emoji-zwj", "/name", WC_REQ_UPD_REFLECTED, FAIL},
};

#define JUDGE_COUNT (sizeof judge_cases / sizeof judge_cases[0])

static int severity(wc_obs_status s) { return s == WC_OBS_FAIL ? 3 : s == WC_OBS_WARN ? 2 : s == WC_OBS_PASS ? 1 : 0; }

/* The coverage request with this edge class at this target. */
static wc_gen_request *coverage_request(const wc_gen *gen, const char *edge, const char *target) {
  for (size_t i = 0; i < wc_gen_coverage_count(gen); i++) {
    wc_gen_request *r = wc_gen_coverage(gen, i, NULL);
    cr_assert_not_null(r);
    if (strcmp(wc_gen_request_edge_class(r), edge) == 0 && strcmp(wc_gen_request_target(r), target) == 0) return r;
    wc_gen_request_free(r);
  }
  cr_assert_fail("no coverage request %s at %s", edge, target);
  return NULL;
}

/* A reference server with the given faults and lenient options, and the
 * campaign environment of a fuzz against it (writes and pictures allowed). */
typedef struct oracle_fixture {
  wc_refserver *srv;
  wc_spec *spec;
  wc_gen *gen;
  const char *known[16]; /* the checks keep pointing at it */
  wc_run_checks *checks;
  wc_run_opts ro;
  wc_campaign_env env;
  wc_transport *t;
} oracle_fixture;

static void fixture_start(oracle_fixture *f, const char **faults, size_t fault_count, const char **lenient,
                          size_t lenient_count) {
  wc_err err;
  wc_refserver_opts so;
  wc_refserver_opts_default(&so);
  so.faults = fault_count ? faults : NULL;
  so.fault_count = fault_count;
  so.lenient = lenient_count ? lenient : NULL;
  so.lenient_count = lenient_count;
  f->srv = wc_refserver_start(&so, &err);
  cr_assert_not_null(f->srv, "%s", err.msg);
  f->spec = wc_spec_load_embedded(&err);
  cr_assert_not_null(f->spec, "%s", err.msg);
  f->gen = wc_gen_new(f->spec, NULL, &err);
  cr_assert_not_null(f->gen, "%s", err.msg);
  size_t known_count = 0;
  for (; known_count < wc_default_version_count() && known_count < 16; known_count++)
    f->known[known_count] = wc_default_version(known_count);
  f->checks = wc_run_checks_new(f->spec, f->known[known_count - 1], f->known, known_count, 0, &err);
  cr_assert_not_null(f->checks, "%s", err.msg);
  wc_run_opts_default(&f->ro);
  f->ro.base_url = wc_refserver_base_url(f->srv);
  f->ro.token = WC_REFSERVER_DEFAULT_USER_TOKEN;
  f->env = (wc_campaign_env){
      .ro = &f->ro,
      .gen = f->gen,
      .checks = wc_run_checks_ctx(f->checks),
      .body_properties = wc_spec_get(f->spec, "/paths/~1users~1me/patch/requestBody/content/application~1json/schema/properties", NULL),
      .allow_writes = true,
      .allow_picture = true,
  };
  cr_assert_not_null(f->env.body_properties);
  wc_transport_opts_default(&f->env.topts);
  f->t = wc_transport_new(&f->env.topts, NULL);
  cr_assert_not_null(f->t);
}

static void fixture_stop(oracle_fixture *f) {
  wc_transport_free(f->t);
  wc_run_checks_free(f->checks);
  wc_gen_free(f->gen);
  wc_spec_free(f->spec);
  wc_refserver_stop(f->srv);
}

ParameterizedTestParameters(oracle, judges_a_real_exchange) {
  static size_t idx[JUDGE_COUNT];
  for (size_t i = 0; i < JUDGE_COUNT; i++) idx[i] = i;
  return cr_make_param_array(size_t, idx, JUDGE_COUNT);
}

ParameterizedTest(size_t *i, oracle, judges_a_real_exchange) {
  const judge_case *c = &judge_cases[*i];
  const char *faults[1] = {c->fault}, *lenient[1] = {c->lenient};
  oracle_fixture f;
  fixture_start(&f, faults, c->fault ? 1 : 0, lenient, c->lenient ? 1 : 0);
  f.env.allow_picture = false;
  wc_gen_request *req = coverage_request(f.gen, c->edge, c->target);
  wc_send_result res;
  cr_assert_eq(wc_campaign_send(&f.env, f.t, req, &res), 0);
  cr_assert(res.sent && !res.transport_failed);
  int worst = -1;
  for (size_t k = 0; k < wc_observations_count(res.obs); k++) {
    const wc_observation *o = wc_observations_get(res.obs, k);
    if (strcmp(o->requirement, c->requirement) == 0 && severity(o->status) > worst) worst = severity(o->status);
  }
  cr_expect_eq(worst, c->want, "%s%s%s, %s at %s (HTTP %ld): %s is %d, want %d",
               c->fault ? c->fault : "plain", c->lenient ? " --lenient " : "", c->lenient ? c->lenient : "",
               c->edge, c->target, res.http_status, c->requirement, worst, c->want);
  wc_send_result_clear(&res);
  wc_gen_request_free(req);
  fixture_stop(&f);
}

/* ---- counting-only observations ------------------------------------------------------ */

/* wc_campaign_send judges with pass reasons left out (the collector only
 * counts passes) and parses the response in the thread's JSON arena. Judged
 * again on the full path (every reason, no arena), the same exchanges give
 * the same observations in the same order: statuses, failure and warning
 * reasons, findings; only the passes' reasons are missing. The server has
 * faults and a lenient rule so that passes, warnings and failures all
 * occur, echo comparisons included. */
Test(oracle, counting_only_observations_match_the_full_path) {
  wc_err err;
  const char *faults[] = {"zwj-dropped", "json-duplicate-key"}, *lenient[] = {"max-name=40"};
  wc_json_arena_install();
  oracle_fixture f;
  fixture_start(&f, faults, 2, lenient, 1);
  size_t passes = 0, others = 0, compared = 0;
  for (uint64_t i = 0; i < 400; i++) {
    wc_gen_request *req = i < 200 ? wc_gen_coverage(f.gen, (size_t)(i * 3), NULL) : wc_gen_random(f.gen, 5, i, NULL);
    if (!req) continue;
    wc_send_result res;
    cr_assert_eq(wc_campaign_send(&f.env, f.t, req, &res), 0);
    cr_assert(res.sent);
    if (res.transport_failed) {
      wc_send_result_clear(&res);
      wc_gen_request_free(req);
      continue;
    }
    /* The full path on the same exchange. */
    wc_response *r = wc_response_from_exchange(res.x, NULL, &err);
    cr_assert_not_null(r, "%s", err.msg);
    wc_observations *full = wc_observations_new();
    wc_sent s = {.method = "PATCH", .documented_op = true, .api_version = wc_gen_request_api_version(req),
                 .time_ms = wc_exchange_total_ms(res.x), .exchange = 1, .what = wc_gen_request_description(req)};
    wc_campaign_judge(f.env.checks, f.env.body_properties, req, &s, r, full);
    cr_assert_eq(wc_observations_count(res.obs), wc_observations_count(full), "%s: %zu vs %zu observations",
                 wc_gen_request_description(req), wc_observations_count(res.obs), wc_observations_count(full));
    for (size_t k = 0; k < wc_observations_count(full); k++) {
      const wc_observation *a = wc_observations_get(res.obs, k), *b = wc_observations_get(full, k);
      cr_expect_str_eq(a->requirement, b->requirement, "%s #%zu", wc_gen_request_description(req), k);
      cr_expect_eq(a->status, b->status, "%s #%zu", wc_gen_request_description(req), k);
      cr_expect_eq(wc_findings_count(a->findings), wc_findings_count(b->findings));
      cr_expect_not_null(b->reason);
      if (b->status == WC_OBS_PASS) {
        cr_expect_null(a->reason, "a pass's reason is not formatted");
        passes++;
      } else {
        cr_expect_str_eq(a->reason ? a->reason : "(null)", b->reason, "%s #%zu", wc_gen_request_description(req), k);
        others++;
      }
    }
    compared++;
    wc_observations_free(full);
    wc_response_free(r);
    wc_send_result_clear(&res);
    wc_gen_request_free(req);
  }
  cr_expect_gt(compared, 350);
  cr_expect_gt(passes, 1000, "%zu passes", passes);
  cr_expect_gt(others, 20, "%zu warnings, failures and skips", others);
  fixture_stop(&f);
}

/* ---- the findings table ------------------------------------------------------------ */

static wc_observations *one_observation(const char *requirement, wc_obs_status status) {
  wc_observations *obs = wc_observations_new();
  cr_assert_not_null(obs);
  wc_observe(obs, requirement, status, 1, "%s", "what went wrong");
  return obs;
}

/* The finding entries of a source document: (requirement, status, location,
 * edge) -> count. */
static double finding_count(const cJSON *doc, const char *req, const char *status, const char *location,
                            const char *edge) {
  const cJSON *g;
  double found = -1;
  cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(doc, "generated")) {
    if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "requirement")), req) == 0 &&
        strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "status")), status) == 0 &&
        strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "location")), location) == 0 &&
        strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "edge_class")), edge) == 0) {
      cr_assert_eq(found, -1, "two entries for %s %s %s %s", req, status, location, edge);
      found = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(g, "count"));
    }
  }
  return found;
}

Test(collect, findings_are_deduplicated_with_a_count) {
  wc_err err;
  wc_spec *spec = wc_spec_load_embedded(&err);
  cr_assert_not_null(spec);
  wc_gen *gen = wc_gen_new(spec, NULL, &err);
  cr_assert_not_null(gen);
  wc_collect *col = wc_collect_new();
  cr_assert_not_null(col);
  wc_gen_request *name_crlf = coverage_request(gen, "crlf", "/name");
  wc_gen_request *bio_crlf = coverage_request(gen, "crlf", "/bio");
  wc_gen_request *name_nfd = coverage_request(gen, "nfd", "/name");
  /* index, request, requirement, status */
  static const struct {
    int which;
    const char *req;
    wc_obs_status status;
  } seen[] = {
      {0, WC_REQ_NO_5XX, WC_OBS_FAIL}, {0, WC_REQ_NO_5XX, WC_OBS_FAIL},  {0, WC_REQ_NO_5XX, WC_OBS_FAIL},
      {1, WC_REQ_NO_5XX, WC_OBS_FAIL}, {2, WC_REQ_NO_5XX, WC_OBS_FAIL},  {0, WC_REQ_UPD_REFLECTED, WC_OBS_WARN},
      {0, WC_REQ_UPD_REFLECTED, WC_OBS_FAIL}, {0, WC_REQ_NO_5XX, WC_OBS_PASS},
  };
  wc_gen_request *reqs[3] = {name_crlf, bio_crlf, name_nfd};
  for (size_t i = 0; i < sizeof seen / sizeof seen[0]; i++) {
    wc_observations *obs = one_observation(seen[i].req, seen[i].status);
    wc_collect_exchange(col, 10 + i, reqs[seen[i].which], NULL, obs);
    wc_observations_free(obs);
  }
  /* five distinct (requirement, status, location, edge); passes are not findings */
  cr_expect_eq(wc_collect_finding_count(col), 5);
  wc_phase_counts counts;
  memset(&counts, 0, sizeof counts);
  cJSON *doc = wc_collect_source(col, "coverage", &counts);
  cr_assert_not_null(doc);
  cr_expect_eq(finding_count(doc, WC_REQ_NO_5XX, "fail", "/name", "crlf"), 3);
  cr_expect_eq(finding_count(doc, WC_REQ_NO_5XX, "fail", "/bio", "crlf"), 1);
  cr_expect_eq(finding_count(doc, WC_REQ_NO_5XX, "fail", "/name", "nfd"), 1);
  cr_expect_eq(finding_count(doc, WC_REQ_UPD_REFLECTED, "warn", "/name", "crlf"), 1);
  cr_expect_eq(finding_count(doc, WC_REQ_UPD_REFLECTED, "fail", "/name", "crlf"), 1);
  cr_expect_eq(finding_count(doc, WC_REQ_NO_5XX, "pass", "/name", "crlf"), -1);
  /* the lowest index is the original kept for each finding (the shrinker
   * regenerates it from that index); a failure is shrinkable, a warning not */
  const wc_collect_finding *first = wc_collect_finding_get(col, 0);
  cr_assert_not_null(first);
  cr_expect_eq(first->index, 10);
  cr_expect(first->shrinkable);
  bool warn_seen = false;
  for (size_t i = 0; i < wc_collect_finding_count(col); i++) {
    const wc_collect_finding *f = wc_collect_finding_get(col, i);
    if (f->status == WC_OBS_WARN) {
      warn_seen = true;
      cr_expect(!f->shrinkable, "a warning is not shrunk");
      cr_expect_eq(f->index, 15);
    }
  }
  cr_expect(warn_seen);
  cJSON_Delete(doc);
  wc_collect_free(col);
  wc_gen_request_free(name_crlf);
  wc_gen_request_free(bio_crlf);
  wc_gen_request_free(name_nfd);
  wc_gen_free(gen);
  wc_spec_free(spec);
}
