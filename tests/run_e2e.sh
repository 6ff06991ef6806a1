#!/usr/bin/env bash
# End-to-end tests of `whopconf run`: the default run, options and exit
# codes, skipped credentials, determinism, the journal (recovery of an
# interrupted run, restore on SIGTERM) and the secret canary.
#
# usage: tests/run_e2e.sh WHOPCONF WORKDIR [SOURCE_DIR]
set -u
WHOPCONF=${1:?usage: run_e2e.sh WHOPCONF WORKDIR [SOURCE_DIR]}
WORK=${2:?usage: run_e2e.sh WHOPCONF WORKDIR [SOURCE_DIR]}
SRC=${3:-$(cd "$(dirname "$0")/.." && pwd)}
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK" || exit 2

. "$SRC/tests/support/checks.sh"
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

. "$SRC/tests/support/serve.sh"

TOKEN=wc_user_token_with_scope
read_name() { # read_name URL [account] -> the profile's name via PATCH {}
  local q=""
  [ $# -gt 1 ] && q="?account_id=$2"
  curl -s -X PATCH "$1/users/me$q" -H "Authorization: Bearer $TOKEN" -H 'Api-Version-Date: 2026-07-01' \
    -H 'Content-Type: application/json' --data '{}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])'
}

# ---- 1. the default run: the embedded server, every requirement once -------------
"$WHOPCONF" run --report-dir default >default.out 2>default.err
code=$?
check "default run exits 0 (got $code)" test "$code" -eq 0
check "report.json lists the catalogue once, in order" python3 - default/report.json <<'PY'
import json, subprocess, sys
r = json.load(open(sys.argv[1]))
ids = [q["id"] for q in r["requirements"]]
assert len(ids) == len(set(ids)) == 35, ids
s = r["summary"]
assert s["passed"] + s["failed"] + s["warnings"] + s["skipped"] == s["total"] == 35
assert s["verdict"] == "pass" and s["exit_code"] == 0 and "reason" not in s
xs = [x["id"] for x in r["exchanges"]]
assert xs == [f"x{i}" for i in range(1, len(xs) + 1)], xs[:5]
assert r["exchanges"][0]["case"] == "setup" and r["exchanges"][-1]["case"] == "teardown"
for q in r["requirements"]:
    assert q["status"] in ("pass", "fail", "warn", "skip") and q["reason"]
    for e in q["evidence"]:
        assert e in xs
assert r["run"]["target"]["embedded_server"] is True
assert r["run"]["target"]["http_client"] == "whopconf", r["run"]["target"]
assert r["run"]["credentials"] == {"token": True, "api_key": True, "token_without_scope": True}
PY
check "reproduction commands name the credential they need" python3 - default/report.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
curls = [x["curl"] for x in r["exchanges"]]
assert any("$WHOPCONF_API_KEY" in c for c in curls)
assert any("$WHOPCONF_TOKEN_WITHOUT_SCOPE" in c for c in curls)
# an invented token is not a credential to read from the environment
unknown = [x["curl"] for x in r["exchanges"] if x["case"] == "credentials"][1]
assert "$WHOPCONF_TOKEN" not in unknown, unknown
PY
check "report.json is valid against reports/report.schema.json" \
  "$WHOPCONF" validate default/report.json --spec "$SRC/reports/report.schema.json" --schema '#'
check "every format is written" test -s default/junit.xml -a -s default/report.sarif -a -s default/summary.md -a -s default/report.html -a -s default/traffic.har
check "a progress line per case on stderr" test "$(grep -c '^  \[ *[0-9]*/[0-9]*\]' default.err)" -ge 9
check "the summary is on stdout" grep -q "^whopconf run: CONFORMANT (exit 0)" default.out
check "no journal is left behind" test -z "$(ls -A default | grep journal)"
check "no token in any report or output" bash -c "! grep -r -l -e wc_user_token_with_scope -e wc_api_key -e wc_user_token_without_scope default default.out default.err"

"$WHOPCONF" run --report-dir piped --format json 2>&1 | head -n 1 >/dev/null
check "output piped into head: the run still finishes and reports" test -s piped/report.json

# ---- 2. options and exit codes ------------------------------------------------------
"$WHOPCONF" run --no-such-flag >o.out 2>o.err
code=$?
check "unknown flag: exit 2 (got $code)" test "$code" -eq 2
check "unknown flag: one line" test "$(wc -l <o.err)" -eq 1
"$WHOPCONF" run --timeout abc >/dev/null 2>o.err
check "bad value: exit 2" test $? -eq 2
"$WHOPCONF" run --only WC-NOPE-001 >/dev/null 2>o.err
check "--only with an unknown id: exit 2" test $? -eq 2
"$WHOPCONF" run --api-version 2030-01-01 >/dev/null 2>o.err
check "--api-version outside the known list: exit 2" test $? -eq 2
"$WHOPCONF" run --base-url http://example.com/api/v1 >/dev/null 2>o.err
check "plain http to a remote host without --allow-http: exit 2" test $? -eq 2
check "--list-requirements: header + 35 lines" test "$("$WHOPCONF" run --list-requirements | wc -l)" -eq 36
check "--list-cases: 9 cases" test "$("$WHOPCONF" run --list-cases | wc -l)" -eq 9
check "--help: exit 0" "$WHOPCONF" run --help >/dev/null

t0=$(date +%s)
"$WHOPCONF" run --base-url http://127.0.0.1:9/api/v1 --token x --report-dir unreachable >u.out 2>u.err
code=$?
t1=$(date +%s)
check "unreachable target: exit 3 (got $code)" test "$code" -eq 3
check "unreachable target: quick ($((t1 - t0)) s)" test $((t1 - t0)) -le 10
check "unreachable target: one-line reason on stderr" test "$(grep -c 'could not test' u.err)" -eq 1
check "unreachable target: summary.reason" test -n "$(json unreachable/report.json 'd["summary"].get("reason","")')"

"$WHOPCONF" run --only WC-VER-002 --report-dir only >/dev/null 2>&1
check "--only WC-VER-002: exit 0" test $? -eq 0
check "--only WC-VER-002: the rest is 'not selected'" python3 - only/report.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for q in r["requirements"]:
    if q["id"] == "WC-VER-002":
        assert q["status"] == "pass", q
    else:
        assert q["status"] == "skip" and "not selected" in q["reason"], q
PY

# ---- 3. a remote target without credentials: skipped, with the reason ---------------
start_serve serve1
check "whopconf serve started" test -n "$URL"
"$WHOPCONF" run --base-url "$URL" --report-dir nocred >nocred.out 2>nocred.err
code=$?
check "no credentials: exit 0 (got $code)" test "$code" -eq 0
check "no credentials: token cases skipped with the reason" python3 - nocred/report.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
by = {q["id"]: q for q in r["requirements"]}
assert by["WC-US-001"]["status"] == "skip" and "--token" in by["WC-US-001"]["reason"], by["WC-US-001"]
assert by["WC-ERR-003"]["status"] == "skip" and "--api-key" in by["WC-ERR-003"]["reason"]
assert by["WC-ERR-006"]["status"] == "skip" and "--token-without-scope" in by["WC-ERR-006"]["reason"]
assert by["WC-ERR-005"]["status"] == "pass"  # needs no credential
assert r["run"]["credentials"]["token"] is False
PY
WHOPCONF_TOKEN=$TOKEN "$WHOPCONF" run --base-url "$URL" --report-dir envtok >/dev/null 2>&1
check "the token from WHOPCONF_TOKEN is used" test "$(json envtok/report.json 'd["run"]["credentials"]["token"]')" = True
check "writes need --allow-writes" test "$(json envtok/report.json '[q["reason"] for q in d["requirements"] if q["id"]=="WC-UPD-001"][0]' | grep -c allow-writes)" -eq 1

"$WHOPCONF" run --base-url "$URL" --token not_the_right_token --report-dir refused >/dev/null 2>refused.err
code=$?
check "a token refused everywhere: exit 3 (got $code)" test "$code" -eq 3
check "a token refused everywhere: says so" grep -q "refused the token" refused.err

# ---- 4. determinism: the same seed twice gives the same report (masked) -------------
# Cases in parallel (the default -j): update cases put the profile back before
# they release the state lock, so no other case sees what they wrote and the
# order the cases ran in does not show in the report (docs/run.md).
read_profiles() { # name, bio, username of the global profile and both accounts
  local q
  for q in "" "?account_id=acc_one" "?account_id=acc_two"; do
    curl -s -X PATCH "$URL/users/me$q" -H "Authorization: Bearer $TOKEN" -H 'Api-Version-Date: 2026-07-01' \
      -H 'Content-Type: application/json' --data '{}' |
      python3 -c 'import json,sys; u=json.load(sys.stdin); print([u.get(k) for k in ("name","bio","username")])'
  done
}
read_profiles >profiles.before
ARGS=(--base-url "$URL" --token $TOKEN --api-key wc_api_key --token-without-scope wc_user_token_without_scope
      --allow-writes --account-id acc_one --account-id acc_two --seed 42 --format json)
"$WHOPCONF" run "${ARGS[@]}" --report-dir det1 >/dev/null 2>&1
"$WHOPCONF" run "${ARGS[@]}" --report-dir det2 >/dev/null 2>&1
check "same seed, same report (timestamps and durations masked)" python3 - det1/report.json det2/report.json <<'PY'
import json, re, sys
def masked(path):
    r = json.load(open(path))
    r["run"]["started_at"] = r["run"]["duration_ms"] = None
    for x in r["exchanges"]:
        x["started_at"] = x["time_ms"] = None
        if x.get("response"):
            x["response"]["headers"] = [h for h in x["response"]["headers"] if h["name"].lower() != "date"]
    text = json.dumps(r, sort_keys=True)
    return re.sub(r'"took \d+ ms[^"]*"', '"took"', text)
a, b = masked(sys.argv[1]), masked(sys.argv[2])
if a != b:
    import difflib
    for line in list(difflib.unified_diff(a.split(", "), b.split(", "), lineterm=""))[:20]:
        print(line)
    sys.exit(1)
PY
check "seed 42 is recorded" test "$(json det1/report.json 'd["run"]["seed"]')" = 42
"$WHOPCONF" run "${ARGS[@]}" --seed 43 --report-dir det3 >/dev/null 2>&1
check "another seed sends other values" bash -c "! cmp -s <(grep -o 'whopconf override [0-9a-f]*' det1/report.json | head -1) <(grep -o 'whopconf override [0-9a-f]*' det3/report.json | head -1)"
check "the profile is as found after the runs" test "$(read_name "$URL")" = "Ada Lovelace"
read_profiles >profiles.after
check "name, bio, username of the global profile and both accounts are as found" cmp -s profiles.before profiles.after
check "the update cases put the profile back themselves; teardown only reads" python3 - det1/report.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
by = {}
for x in r["exchanges"]:
    by.setdefault(x["case"], []).append(x)
assert all(x["request"].get("body") == "{}" for x in by["teardown"]), "the end-of-run restore had to write"
snap = json.loads(by["setup"][0]["response"]["body"])
for case in ("update_fields", "account_isolation"):
    writes = [json.loads(x["request"]["body"]) for x in by[case] if x["request"].get("body") not in (None, "{}")]
    assert len(writes) >= 2 and all(v == snap[k] for k, v in writes[-1].items()), (case, writes)
PY

# ---- 5. the journal: a later run restores what an interrupted one left --------------
curl -s -X PATCH "$URL/users/me" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  --data '{"name":"left by a crash"}' >/dev/null
mkdir -p journal
hash=$(printf '%s' "$URL" | sha256sum | cut -c1-16)
cat >"journal/.whopconf-journal-$hash.json" <<EOF
{"format": "whopconf-journal", "format_version": 1, "target": "$URL", "pid": 999999999,
 "started_at": "2026-01-01T00:00:00.000Z",
 "profiles": [{"account_id": null, "name": "Journal Name", "bio": "Journal bio"}]}
EOF
chmod 600 "journal/.whopconf-journal-$hash.json"
"$WHOPCONF" run --base-url "$URL" --token $TOKEN --allow-writes --report-dir journal --format json >journal.out 2>journal.err
check "a found journal is announced" grep -q "found the journal" journal.err
check "the journal's profile is restored (and kept through the run)" test "$(read_name "$URL")" = "Journal Name"
check "the old journal is removed" test ! -e "journal/.whopconf-journal-$hash.json"
check "the recovery is in the report" test "$(json journal/report.json 'd["exchanges"][0]["case"]')" = recover

# ---- 6. SIGTERM in the middle: the profile is restored, exit 3 ----------------------
# -j 1 (timing, not determinism): Criterion runs the suites in order, so the
# signal lands in the slow accepted_versions (versioning suite), after the
# update cases. A case stopped mid-write is tested in test_runner.c
# (a_stopped_update_case_is_restored_at_the_end).
start_serve serve2 --fault slow-response
before=$(read_name "$URL")
"$WHOPCONF" run --base-url "$URL" --token $TOKEN --allow-writes -j 1 --report-dir sigterm >sig.out 2>sig.err &
RUN=$!
for _ in $(seq 1 200); do
  grep -q "update_fields" sig.err 2>/dev/null && break
  sleep 0.05
done
sleep 0.3
kill -TERM "$RUN"
wait "$RUN"
code=$?
check "SIGTERM: exit 3 (got $code)" test "$code" -eq 3
check "SIGTERM: says so" grep -q "interrupted by SIGTERM" sig.err
check "SIGTERM: the profile is restored" test "$(read_name "$URL")" = "$before"
check "SIGTERM: no journal left" test -z "$(ls -A sigterm 2>/dev/null | grep journal)"

# ---- 7. a transport failure stops the run, unless --keep-going ------------------------
# slow-response: requests without Api-Version-Date take 1.5 s, over --timeout 1.
# -j 1 (order, not determinism): the cases run one at a time in suite order,
# so the other versioning cases come after the timeout of accepted_versions.
# --phases none: the cases alone (the generated requests mostly go without
# the header, and each would wait for its timeout).
start_serve serve4 --fault slow-response
"$WHOPCONF" run --base-url "$URL" --token $TOKEN --allow-writes --timeout 1 -j 1 --phases none --report-dir stop >stop.out 2>stop.err
code=$?
check "a timeout stops the run: exit 3 (got $code)" test "$code" -eq 3
check "a timeout stops the run: the reason names it" grep -q "could not test: .*timeout" stop.err
"$WHOPCONF" run --base-url "$URL" --token $TOKEN --allow-writes --timeout 1 -j 1 --phases none --keep-going --report-dir keep >keep.out 2>keep.err
code=$?
check "--keep-going: exit 3 all the same (got $code)" test "$code" -eq 3
check "--keep-going: the reason counts the failed transfers" grep -q "1 transfer failed (--keep-going)" keep.err
check "without --keep-going the later cases send nothing; with it they run" python3 - stop/report.json keep/report.json <<'PY'
import json, sys
stop, keep = (json.load(open(p)) for p in sys.argv[1:3])
s = {q["id"]: q for q in stop["requirements"]}
k = {q["id"]: q for q in keep["requirements"]}
assert s["WC-VER-002"]["status"] == "skip" and "stopped" in s["WC-VER-002"]["reason"], s["WC-VER-002"]
assert k["WC-VER-002"]["status"] == "pass" and k["WC-VER-001"]["status"] == "pass", (k["WC-VER-002"], k["WC-VER-001"])
assert len(keep["exchanges"]) > len(stop["exchanges"])
PY

# ---- 8. --strict turns a SHOULD failure into exit 1 -----------------------------------
start_serve serve3 --fault method-not-405
"$WHOPCONF" run --base-url "$URL" --token $TOKEN --allow-writes --report-dir lax --format json >/dev/null 2>&1
code=$?
check "SHOULD failure without --strict: exit 0 (got $code)" test "$code" -eq 0
check "SHOULD failure without --strict: a warning" test "$(json lax/report.json 'd["summary"]["warnings"]')" -ge 1
"$WHOPCONF" run --base-url "$URL" --token $TOKEN --allow-writes --strict --report-dir strict --format json >/dev/null 2>&1
code=$?
check "SHOULD failure with --strict: exit 1 (got $code)" test "$code" -eq 1

# ---- 9. who sent the requests is recorded ------------------------------------------
"$WHOPCONF" run --base-url "$URL" --token $TOKEN --http-client curl --only WC-TR-003 --phases none \
  --report-dir curlclient --format json >/dev/null 2>&1
check "--http-client curl: libcurl recorded" \
  test "$(json curlclient/report.json 'd["run"]["target"]["http_client"]')" = libcurl
check "--http-client curl: same verdict as the own client" \
  test "$(json curlclient/report.json 'd["summary"]["failed"]')" = 0

checks_summary
