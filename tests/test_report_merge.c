/* wc_report_merge (report.h) on reports of real runs: `whopconf run` and
 * `whopconf fuzz --shard K/N` against the embedded reference server, or
 * against a faulty one started here, each into its own directory. Checks the
 * combination (worst status, checks and counts summed, exchange ids unique
 * and every reference resolving), order independence, the compatibility
 * rules and the verdict. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/refserver_client.h"
#include "support/report_support.h"

#include "whopconf/assemble.h"
#include "whopconf/refserver.h"
#include "whopconf/report.h"

#define WHOPCONF WC_BINARY_DIR "/whopconf"
#define REPORT_SCHEMA WC_SOURCE_DIR "/reports/report.schema.json"

/* `whopconf <args>` writing report.json only into <scratch>/<name>; returns
 * the report. want_exit: the exit status the command must have. BoxFort's
 * variables are dropped: a child that inherits BXFI_* takes itself for a
 * Criterion worker (and whopconf run's cases are Criterion tests). */
static cJSON *produce(const char *scratch, const char *name, int want_exit, const char *args) {
  char *dir = rs_path(scratch, name);
  int rc = rs_sh("for v in $(env | sed -n 's/^\\(BXFI_[A-Za-z0-9_]*\\)=.*/\\1/p'); do unset \"$v\"; done; "
                 "'%s' %s --format json --report-dir '%s' >'%s.out' 2>&1",
                 WHOPCONF, args, dir, dir);
  cr_assert_eq(rc, want_exit, "whopconf %s: exit %d, expected %d (see %s.out)", args, rc, want_exit, dir);
  cJSON *doc = rs_load_in(dir, "report.json");
  free(dir);
  return doc;
}

static cJSON *merge(const cJSON *a, const cJSON *b, int *exit_code) {
  const cJSON *docs[] = {a, b};
  wc_err err;
  wc_err_clear(&err);
  cJSON *out = wc_report_merge(docs, NULL, 2, false, exit_code, &err);
  cr_assert_not_null(out, "%s", err.msg);
  return out;
}

static const cJSON *get(const cJSON *o, const char *key) { return cJSON_GetObjectItemCaseSensitive(o, key); }
static const char *str(const cJSON *o, const char *key) { return cJSON_GetStringValue(get(o, key)); }
static double num(const cJSON *o, const char *key) { return cJSON_GetNumberValue(get(o, key)); }

static const cJSON *requirement(const cJSON *report, const char *id) {
  const cJSON *r;
  cJSON_ArrayForEach(r, get(report, "requirements")) {
    if (strcmp(str(r, "id"), id) == 0) return r;
  }
  cr_assert_fail("%s not in the report", id);
  return NULL;
}

static const cJSON *exchange(const cJSON *report, const char *id) {
  const cJSON *x;
  cJSON_ArrayForEach(x, get(report, "exchanges")) {
    if (strcmp(str(x, "id"), id) == 0) return x;
  }
  return NULL;
}

/* Every exchange id once; every reference (evidence, findings, generated
 * findings) names an exchange of the document. Returns the exchange count. */
static int check_references(const cJSON *report) {
  const cJSON *x, *y;
  int n = 0;
  cJSON_ArrayForEach(x, get(report, "exchanges")) {
    n++;
    for (y = x->next; y; y = y->next) cr_assert_str_neq(str(x, "id"), str(y, "id"), "exchange id twice");
  }
  const cJSON *r, *e, *f;
  cJSON_ArrayForEach(r, get(report, "requirements")) {
    cJSON_ArrayForEach(e, get(r, "evidence")) {
      cr_assert_not_null(exchange(report, e->valuestring), "%s: evidence %s is no exchange", str(r, "id"), e->valuestring);
    }
    cJSON_ArrayForEach(f, get(r, "findings")) {
      const char *xid = str(f, "exchange");
      if (!xid) continue;
      const cJSON *seen = exchange(report, xid);
      cr_assert_not_null(seen, "%s: finding's exchange %s is no exchange", str(r, "id"), xid);
      cr_assert_str_eq(str(seen, "case"), str(f, "case"), "%s: %s is not an exchange of its case", str(r, "id"), xid);
    }
  }
  cJSON_ArrayForEach(f, get(get(report, "generated"), "findings")) {
    static const char *const refs[] = {"original", "minimal"};
    for (size_t i = 0; i < 2; i++)
      if (str(f, refs[i])) cr_assert_not_null(exchange(report, str(f, refs[i])), "generated %s %s", refs[i], str(f, refs[i]));
  }
  return n;
}

Test(report_merge, two_runs_combine_observations_and_renumber_exchanges) {
  char *dir = rs_dir("merge-two-runs");
  cJSON *a = produce(dir, "a", 0, "run --only pinned_latest --phases none");
  cJSON *b = produce(dir, "b", 0, "run --only methods --phases none");
  int code = -1;
  cJSON *m = merge(a, b, &code);
  cr_assert_eq(code, 0);
  cr_assert_str_eq(str(get(m, "summary"), "verdict"), "pass");
  cr_assert_eq(rs_schema_errors(REPORT_SCHEMA, m), 0, "the merged report is not valid by report.schema.json");

  /* Each run observed its own requirements; the merge has both. */
  cr_assert_str_eq(str(requirement(a, "WC-TR-005"), "status"), "skip");
  cr_assert_str_eq(str(requirement(b, "WC-TR-005"), "status"), "pass");
  cr_assert_str_eq(str(requirement(m, "WC-TR-005"), "status"), "pass");
  cr_assert_str_eq(str(requirement(m, "WC-US-001"), "status"), "pass");
  const cJSON *r;
  cJSON_ArrayForEach(r, get(m, "requirements")) {
    const char *id = str(r, "id");
    cr_assert_eq(num(r, "checks"), num(requirement(a, id), "checks") + num(requirement(b, id), "checks"), "%s", id);
  }

  /* Both runs numbered from x1; the merge keeps every exchange once. */
  cr_assert_not_null(exchange(a, "x1"));
  cr_assert_not_null(exchange(b, "x1"));
  int na = cJSON_GetArraySize(get(a, "exchanges")), nb = cJSON_GetArraySize(get(b, "exchanges"));
  cr_assert_eq(check_references(m), na + nb);
  /* The order is by content, not by argument: pinned_latest's run is r1 or
   * r2, and its exchanges keep their case. */
  const cJSON *x;
  int prefixed = 0;
  cJSON_ArrayForEach(x, get(m, "exchanges")) {
    const char *id = str(x, "id");
    prefixed += strncmp(id, "r1-x", 4) == 0 || strncmp(id, "r2-x", 4) == 0;
  }
  cr_assert_eq(prefixed, na + nb);
  const cJSON *merged = get(get(m, "run"), "merged");
  cr_assert_eq(num(merged, "count"), 2);
  cr_assert_eq(cJSON_GetArraySize(get(merged, "reports")), 2);
  cr_assert_eq(num(get(m, "run"), "duration_ms"), num(get(a, "run"), "duration_ms") + num(get(b, "run"), "duration_ms"));

  /* Every format renders from it. */
  char *out = rs_path(dir, "merged");
  wc_err err;
  cr_assert_eq(wc_report_write(m, NULL, out, WC_REPORT_ALL, &err), 0, "%s", err.msg);
  free(out);
  cJSON_Delete(m);
  cJSON_Delete(a);
  cJSON_Delete(b);
  free(dir);
}

/* Two runs (no shard label, same seed) and two fuzz shards: every order of
 * the arguments gives the same bytes. */
Test(report_merge, any_order_gives_the_same_document) {
  char *dir = rs_dir("merge-order");
  cJSON *s[4] = {
      produce(dir, "run1", 0, "run --only methods --phases none"),
      produce(dir, "run2", 0, "run --only methods --phases none"),
      produce(dir, "shard1", 0, "fuzz --phases fuzzing --max-requests 60 --seed 5 --shard 1/2"),
      produce(dir, "shard2", 0, "fuzz --phases fuzzing --max-requests 60 --seed 5 --shard 2/2"),
  };
  cr_assert_str_eq(str(get(s[3], "run"), "shard"), "2/2");
  char *first = NULL;
  int orders = 0;
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++)
      for (int k = 0; k < 4; k++) {
        int l = 6 - i - j - k;
        if (i == j || i == k || j == k || l < 0 || l > 3 || l == i || l == j || l == k) continue;
        const cJSON *docs[4] = {s[i], s[j], s[k], s[l]};
        wc_err err;
        int code = -1;
        cJSON *m = wc_report_merge(docs, NULL, 4, false, &code, &err);
        cr_assert_not_null(m, "%s", err.msg);
        char *text = cJSON_Print(m);
        orders++;
        if (!first) {
          first = text;
          check_references(m);
          /* The runs first, then shard K as r<2+K>. */
          const cJSON *reports = get(get(get(m, "run"), "merged"), "reports");
          cr_assert_str_eq(str(cJSON_GetArrayItem(reports, 3), "shard"), "2/2");
          cr_assert_str_eq(str(cJSON_GetArrayItem(reports, 3), "exchange_prefix"), "r4-");
        } else {
          cr_assert_str_eq(text, first, "order %d%d%d%d gives another document", i, j, k, l);
          free(text);
        }
        cJSON_Delete(m);
      }
  cr_assert_eq(orders, 24);
  free(first);
  for (int n = 0; n < 4; n++) cJSON_Delete(s[n]);
  free(dir);
}

/* Generated findings with one key are one, counts summed; "reports" says
 * how many reports found it; the findings' list of a requirement keeps 50
 * entries and counts the rest. The server refuses names of more than 3 code
 * points (a lenient option: the contract leaves it open), so the coverage
 * phase's positive requests find WC-UPD-005 warnings in both shards. */
Test(report_merge, generated_findings_deduplicated_and_findings_counted) {
  char *dir = rs_dir("merge-generated");
  test_srv srv;
  srv_start_with(&srv, NULL, "max-name=3", false);
  char *common = rs_fmt("fuzz --base-url '%s' --token " WC_REFSERVER_DEFAULT_USER_TOKEN
                        " --allow-writes --phases coverage --seed 3",
                        wc_refserver_base_url(srv.srv));
  char *args1 = rs_fmt("%s --shard 1/2", common), *args2 = rs_fmt("%s --shard 2/2", common);
  cJSON *a = produce(dir, "a", 0, args1);
  cJSON *b = produce(dir, "b", 0, args2);
  srv_stop(&srv);
  free(common);
  free(args1);
  free(args2);
  int code = -1;
  cJSON *m = merge(a, b, &code);
  check_references(m);
  double input_count = 0, merged_count = 0;
  size_t input_findings = 0;
  const cJSON *g;
  const cJSON *ins[] = {a, b};
  for (int i = 0; i < 2; i++) {
    cJSON_ArrayForEach(g, get(get(ins[i], "generated"), "findings")) {
      input_count += num(g, "count");
      input_findings++;
    }
  }
  size_t merged_findings = 0, found_twice = 0;
  cJSON_ArrayForEach(g, get(get(m, "generated"), "findings")) {
    merged_count += num(g, "count");
    merged_findings++;
    found_twice += num(g, "reports") == 2;
    for (const cJSON *h = g->next; h; h = h->next) {
      bool same = strcmp(str(g, "requirement"), str(h, "requirement")) == 0 &&
                  strcmp(str(g, "status"), str(h, "status")) == 0 &&
                  strcmp(str(g, "location"), str(h, "location")) == 0 &&
                  strcmp(str(g, "edge_class"), str(h, "edge_class")) == 0;
      cr_assert(!same, "generated finding %s %s twice", str(g, "location"), str(g, "edge_class"));
    }
  }
  cr_assert_gt(input_findings, 0, "the shards found nothing to merge");
  cr_assert_eq(merged_count, input_count, "counts not summed");
  cr_assert_eq(merged_findings + found_twice, input_findings);
  /* Phases of one name are one, their counters summed. */
  const cJSON *phase = cJSON_GetArrayItem(get(get(m, "generated"), "phases"), 0);
  cr_assert_str_eq(str(phase, "name"), "coverage");
  cr_assert_eq(num(phase, "requests"),
               num(cJSON_GetArrayItem(get(get(a, "generated"), "phases"), 0), "requests") +
                   num(cJSON_GetArrayItem(get(get(b, "generated"), "phases"), 0), "requests"));

  /* WC-UPD-005 (positive input refused as a rule the contract leaves open)
   * has more findings than a list keeps, in each shard and in the merge. */
  size_t listed = 0, left_out = 0;
  for (int i = 0; i < 2; i++) {
    const cJSON *f;
    cJSON_ArrayForEach(f, get(requirement(ins[i], "WC-UPD-005"), "findings")) {
      size_t more = wc_report_findings_left_out(f);
      left_out += more;
      listed += more == 0;
    }
  }
  const cJSON *merged_findings_list = get(requirement(m, "WC-UPD-005"), "findings");
  cr_assert_eq(cJSON_GetArraySize(merged_findings_list), 51);
  cr_assert_eq(wc_report_findings_left_out(cJSON_GetArrayItem(merged_findings_list, 50)), listed + left_out - 50);
  cJSON_Delete(m);
  cJSON_Delete(a);
  cJSON_Delete(b);
  free(dir);
}

/* A run against another contract file (another sha256). */
Test(report_merge, another_spec_is_refused) {
  char *dir = rs_dir("merge-spec");
  char *other = rs_path(dir, "other.yml");
  cr_assert_eq(rs_sh("cp '%s' '%s' && echo '# another copy' >>'%s'", RS_SPEC, other, other), 0);
  char *args = rs_fmt("run --only methods --phases none --spec '%s'", other);
  cJSON *a = produce(dir, "a", 0, "run --only methods --phases none");
  cJSON *b = produce(dir, "b", 0, args);
  const cJSON *docs[] = {a, b};
  const char *names[] = {"a/report.json", "b/report.json"};
  wc_err err;
  wc_err_clear(&err);
  cr_assert_null(wc_report_merge(docs, names, 2, true, NULL, &err));
  cr_assert_eq(err.code, WC_E_USAGE);
  cr_assert(strstr(err.msg, "a/report.json and b/report.json") && strstr(err.msg, "the spec (sha256) differs"), "%s",
            err.msg);
  free(args);
  free(other);
  cJSON_Delete(a);
  cJSON_Delete(b);
  free(dir);
}

/* The pinned version, the target (unless forced) and the same shard twice
 * are refused; the first difference is named. */
Test(report_merge, pinned_version_target_and_shard_twice_are_refused) {
  char *dir = rs_dir("merge-compat");
  cJSON *a = produce(dir, "a", 0, "run --only methods --phases none");
  cJSON *b = produce(dir, "b", 0, "run --only methods --phases none --api-version 2026-06-20");
  const cJSON *docs[] = {a, b};
  wc_err err;
  cr_assert_null(wc_report_merge(docs, NULL, 2, true, NULL, &err));
  cr_assert(strstr(err.msg, "report 1 and report 2") && strstr(err.msg, "the pinned Api-Version-Date differs"), "%s",
            err.msg);

  cJSON *c = cJSON_Duplicate(a, 1);
  cJSON *target = (cJSON *)get(get(c, "run"), "target");
  cJSON_ReplaceItemInObjectCaseSensitive(target, "base_url", cJSON_CreateString("https://staging.example.com/api/v1"));
  cJSON_ReplaceItemInObjectCaseSensitive(target, "embedded_server", cJSON_CreateFalse());
  docs[1] = c;
  cr_assert_null(wc_report_merge(docs, NULL, 2, false, NULL, &err));
  cr_assert(strstr(err.msg, "the target differs") && strstr(err.msg, "--force"), "%s", err.msg);
  int code = -1;
  cJSON *forced = wc_report_merge(docs, NULL, 2, true, &code, &err);
  cr_assert_not_null(forced, "%s", err.msg);
  const cJSON *weakened = get(get(forced, "run"), "weakened");
  cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetArrayItem(weakened, cJSON_GetArraySize(weakened) - 1)), "--force");
  cJSON_Delete(forced);

  cJSON *s1 = produce(dir, "s1", 0, "fuzz --phases coverage --seed 2 --shard 1/2");
  docs[0] = s1;
  docs[1] = s1;
  cr_assert_null(wc_report_merge(docs, NULL, 2, false, NULL, &err));
  cr_assert(strstr(err.msg, "same shard (1/2, seed 2) twice"), "%s", err.msg);

  cJSON *not_report = cJSON_Parse("{\"format\": \"whopconf-run-context\"}");
  docs[1] = not_report;
  cr_assert_null(wc_report_merge(docs, NULL, 2, false, NULL, &err));
  cr_assert_eq(err.code, WC_E_PARSE);
  cr_assert(strstr(err.msg, "report 2: not a whopconf report"), "%s", err.msg);
  cr_assert_null(wc_report_merge(docs, NULL, 0, false, NULL, &err));
  cJSON_Delete(not_report);
  cJSON_Delete(s1);
  cJSON_Delete(c);
  cJSON_Delete(a);
  cJSON_Delete(b);
  free(dir);
}

/* Two runs against one faulty server: the one that hits the fault fails,
 * the other passes; the merge fails, with the failing run's evidence. */
Test(report_merge, a_failure_in_one_report_fails_the_merge) {
  char *dir = rs_dir("merge-failure");
  test_srv srv;
  srv_start_with(&srv, "version-known-refused", NULL, false);
  char *common = rs_fmt("run --base-url '%s' --token " WC_REFSERVER_DEFAULT_USER_TOKEN " --phases none",
                        wc_refserver_base_url(srv.srv));
  char *pass_args = rs_fmt("%s --only methods", common);
  char *fail_args = rs_fmt("%s --only accepted_versions", common);
  cJSON *good = produce(dir, "good", 0, pass_args);
  cJSON *bad = produce(dir, "bad", 1, fail_args);
  srv_stop(&srv);
  int code = -1;
  cJSON *m = merge(good, bad, &code);
  cr_assert_eq(code, 1);
  const cJSON *sum = get(m, "summary");
  cr_assert_str_eq(str(sum, "verdict"), "fail");
  cr_assert_eq(num(sum, "exit_code"), 1);
  cr_assert_eq(num(sum, "failed"), num(get(bad, "summary"), "failed"));
  const cJSON *r = requirement(m, "WC-VER-001");
  cr_assert_str_eq(str(r, "status"), "fail");
  cr_assert(strstr(str(r, "reason"), "[fail in 1 of 2 reports]"), "%s", str(r, "reason"));
  /* The evidence is the failing run's, renamed: its exchange shows the fault. */
  const cJSON *evidence = cJSON_GetArrayItem(get(r, "evidence"), 0);
  cr_assert_not_null(evidence);
  const cJSON *x = exchange(m, evidence->valuestring);
  cr_assert_not_null(x);
  cr_assert_str_eq(str(x, "case"), "accepted_versions");
  check_references(m);
  cr_assert_eq(rs_schema_errors(REPORT_SCHEMA, m), 0);

  /* A report that could not test makes the merge could-not-test. */
  cJSON *untested = cJSON_Duplicate(good, 1);
  cJSON *usum = (cJSON *)get(untested, "summary");
  cJSON_ReplaceItemInObjectCaseSensitive(usum, "verdict", cJSON_CreateString("error"));
  cJSON_AddStringToObject(usum, "reason", "connection refused");
  cJSON *m2 = merge(bad, untested, &code);
  cr_assert_eq(code, 3);
  cr_assert_str_eq(str(get(m2, "summary"), "verdict"), "error");
  cr_assert(strstr(str(get(m2, "summary"), "reason"), "connection refused"));
  cJSON_Delete(m2);
  cJSON_Delete(untested);
  cJSON_Delete(m);
  cJSON_Delete(good);
  cJSON_Delete(bad);
  free(common);
  free(pass_args);
  free(fail_args);
  free(dir);
}
