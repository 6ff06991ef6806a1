#!/usr/bin/env bash
# Report tests that need a real run: whopconf run against `whopconf serve`
# (the reference server, with faults injected), on loopback only.
#
# usage: report_run.sh WHOPCONF MODE [DIR]
#   golden DIR   the fixed fault-injected run, masked, must equal the golden
#                files in DIR (tests/golden/report/run)
#   regen DIR    writes those golden files (tests/golden/report/regen.sh)
#   determinism  two runs of every case with the same seed, -j 2, with
#                writes and two accounts: byte-identical once masked, and the
#                profiles (global and both accounts) as found afterwards
#   canary       a run with unique credentials writes them nowhere (every
#                report file, stdout, stderr)
#   fuzz         whopconf fuzz against `whopconf serve --fault
#                name-over-64-truncated`: every format valid against its
#                schema, every distinct finding evidence of its requirement in
#                all six, the HTML pairs the minimal and the original request,
#                the HAR names each finding's exchanges and the count left out
# Masking replaces what legitimately changes between runs: timestamps (RFC
# 3339 and HTTP dates), durations (JSON members, JUnit time, "N ms" text) and
# the ephemeral port of the server.
set -euo pipefail

whopconf=${1:?usage: report_run.sh WHOPCONF MODE [DIR]}
mode=${2:?usage: report_run.sh WHOPCONF MODE [DIR]}
dir=${3:-}
here=$(cd "$(dirname "$0")" && pwd)

# The golden run: a failure with a pointer, a warning, HTML bodies on 4xx;
# two cases only (the others are skipped), so that the golden files change
# only when these cases or the reports do.
golden_faults=(--fault price-usd-wrong-type --fault no-www-authenticate --fault error-not-json)
golden_only=(--only pinned_latest --only credentials)
files=(report.json junit.xml report.sarif summary.md report.html traffic.har)

work=$(mktemp -d "${TMPDIR:-/tmp}/whopconf-report-run.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# start_server NAME ARGS...: starts `whopconf serve ARGS`, sets base_url.
start_server() {
  local name=$1; shift
  "$whopconf" serve "$@" >"$work/$name.serve.out" 2>"$work/$name.serve.err" &
  server_pid=$!
  base_url=""
  for _ in $(seq 1 100); do
    base_url=$(grep -m1 -o 'http://[^ ]*' "$work/$name.serve.out" 2>/dev/null || true)
    [ -n "$base_url" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "report_run.sh: whopconf serve did not print its base URL:" >&2
  cat "$work/$name.serve.err" >&2
  exit 1
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# run_against NAME REPORT_DIR [run options...]: one run, bounded in time.
# Credentials travel in the environment, as in CI. Cases run in parallel
# (the default -j): update cases put the profile back before releasing the
# state lock, so the reports do not depend on the order the cases ran in.
run_against() {
  local name=$1 out=$2; shift 2
  local rc=0
  timeout 300 "$whopconf" run --base-url "$base_url" --allow-writes --seed 1 --report-dir "$out" "$@" \
    >"$work/$name.stdout" 2>"$work/$name.stderr" || rc=$?
  echo "$rc" >"$work/$name.rc"
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
    echo "report_run.sh: whopconf run exited $rc:" >&2
    tail -20 "$work/$name.stderr" >&2
    exit 1
  fi
}

mask() {
  sed -E \
    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z/TIMESTAMP/g' \
    -e 's/(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT/HTTP-DATE/g' \
    -e 's/("(duration_ms|time_ms|time|wait)":[[:space:]]*)[0-9.eE+-]+/\10/g' \
    -e 's/time="[0-9.]+"/time="0"/g' \
    -e 's/[0-9]+(\.[0-9]+)? ms/N ms/g' \
    -e 's/(127\.0\.0\.1|localhost|\[::1\]):[0-9]+/\1:PORT/g' \
    "$1"
}

# read_profiles: name, bio and username of the global profile and of the
# accounts the determinism runs use, one line each (PATCH {}: no GET here).
read_profiles() {
  local q
  for q in "" "?account_id=acc_one" "?account_id=acc_two"; do
    curl -sS --max-time 10 -X PATCH "$base_url/users/me$q" -H "Authorization: Bearer $WHOPCONF_TOKEN" \
      -H 'Api-Version-Date: 2026-07-01' -H 'Content-Type: application/json' --data '{}' |
      python3 -c 'import json,sys; u=json.load(sys.stdin); print(json.dumps([u.get(k) for k in ("name","bio","username")]))'
  done
}

export WHOPCONF_TOKEN=wc_user_token_with_scope
export WHOPCONF_API_KEY=wc_api_key
export WHOPCONF_TOKEN_WITHOUT_SCOPE=wc_user_token_without_scope

golden_run() { # OUT: the masked reports of the golden run
  local out=$1
  start_server golden "${golden_faults[@]}"
  run_against golden "$work/golden" "${golden_only[@]}"
  stop_server
  [ "$(cat "$work/golden.rc")" = 1 ] || { echo "report_run.sh: the fault-injected run did not fail" >&2; exit 1; }
  mkdir -p "$out"
  for f in "${files[@]}"; do mask "$work/golden/$f" >"$out/$f"; done
}

case "$mode" in
  golden)
    [ -n "$dir" ] || { echo "usage: report_run.sh WHOPCONF golden DIR" >&2; exit 2; }
    if [ ! -f "$dir/report.json" ]; then
      echo "report_run.sh: no golden run in $dir (tests/golden/report/regen.sh writes it)" >&2
      exit 1
    fi
    golden_run "$work/masked"
    status=0
    for f in "${files[@]}"; do
      if ! cmp -s "$dir/$f" "$work/masked/$f"; then
        echo "report_run.sh: $f differs from $dir/$f (regenerate with tests/golden/report/regen.sh):" >&2
        diff -u "$dir/$f" "$work/masked/$f" | head -40 >&2 || true
        status=1
      fi
    done
    [ "$status" = 0 ] && echo "report_run.sh: the fault-injected run matches the golden files (${#files[@]} formats)"
    exit "$status"
    ;;
  regen)
    [ -n "$dir" ] || { echo "usage: report_run.sh WHOPCONF regen DIR" >&2; exit 2; }
    rm -rf "$dir"
    golden_run "$dir"
    ;;
  determinism)
    start_server det "${golden_faults[@]}"
    det_args=(-j 2 --account-id acc_one --account-id acc_two)
    read_profiles >"$work/profiles.before"
    run_against det1 "$work/det1" "${det_args[@]}"
    run_against det2 "$work/det2" "${det_args[@]}"
    read_profiles >"$work/profiles.after"
    stop_server
    status=0
    for f in det1 det2; do
      if ! python3 - "$work/$f/report.json" <<'PY'
# The update cases and the coverage phase wrote and put the profile back
# themselves (their last write sends the snapshot's values), the end-of-run
# restore had nothing left to do, and no other case ever saw a changed
# profile.
import json, sys, urllib.parse
r = json.load(open(sys.argv[1]))
fields = ("name", "bio", "username")
def account(x):
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(x["request"]["url"]).query)
    return q.get("account_id", [None])[0]
def user(x):
    resp = x.get("response") or {}
    try:
        u = json.loads(resp.get("body") or "")
    except ValueError:
        return None
    return u if resp.get("status") == 200 and isinstance(u, dict) else None
snap = {account(x): user(x) for x in r["exchanges"] if x["case"] == "setup"}
assert len(snap) == 3 and all(snap.values()), snap
# The generated coverage phase writes too, and its put-back case restores
# after it (the coverage exchanges themselves are the phase's to judge).
writers = ("update_fields", "account_isolation", "coverage-put-back")
generated = ("coverage",)
for case in writers:
    sent = [json.loads(x["request"]["body"]) for x in r["exchanges"]
            if x["case"] == case and x["request"].get("body") not in (None, "{}")]
    assert len(sent) >= 2, (case, "wrote nothing, or did not put the profile back", sent)
    last = sent[-1]
    assert all(last[k] == snap[None][k] for k in last), (case, "the put-back does not send the snapshot", last)
for x in r["exchanges"]:
    if x["case"] == "teardown":
        assert x["request"].get("body") == "{}", ("the end-of-run restore had to write", x["id"])
    u = user(x)
    if x["case"] in writers or x["case"] in generated or u is None:
        continue
    was = snap[account(x)]
    for k in fields:
        if k in u:
            assert u[k] == was[k], (x["id"], x["case"], k, u[k], was[k])
PY
      then
        echo "report_run.sh: $f: the update cases did not leave the profile as found for the other cases" >&2
        status=1
      fi
    done
    if cmp -s "$work/profiles.before" "$work/profiles.after"; then
      echo "report_run.sh: the profiles are as found after the runs ($(wc -l <"$work/profiles.after") views)"
    else
      echo "report_run.sh: the profiles changed:" >&2
      diff -u "$work/profiles.before" "$work/profiles.after" >&2 || true
      status=1
    fi
    for f in "${files[@]}"; do
      mask "$work/det1/$f" >"$work/a"
      mask "$work/det2/$f" >"$work/b"
      if cmp -s "$work/a" "$work/b"; then
        echo "report_run.sh: $f identical across two runs with seed 1 (masked)"
      else
        echo "report_run.sh: $f differs between two runs with the same seed:" >&2
        diff -u "$work/a" "$work/b" | head -30 >&2 || true
        status=1
      fi
    done
    exit "$status"
    ;;
  canary)
    token="wcCanaryTok$$_$(date +%s%N | sha256sum | cut -c1-16)"
    key="wcCanaryKey$$_$(date +%s%N | sha256sum | cut -c1-16)"
    noscope="wcCanaryNos$$_$(date +%s%N | sha256sum | cut -c1-16)"
    start_server canary --user-token "$token" --api-key "$key" --token-without-scope "$noscope" \
      --fault price-usd-wrong-type --fault no-www-authenticate
    export WHOPCONF_TOKEN=$token WHOPCONF_API_KEY=$key WHOPCONF_TOKEN_WITHOUT_SCOPE=$noscope
    run_against canary "$work/canary"
    # The run also rendered from the flags (not the environment): both paths.
    run_against canary-flags "$work/canary-flags" --token "$token" --api-key "$key" --token-without-scope "$noscope"
    stop_server
    found=0
    for secret in "$token" "$key" "$noscope"; do
      if grep -rl -- "$secret" "$work/canary" "$work/canary-flags" "$work/canary.stdout" "$work/canary.stderr" \
          "$work/canary-flags.stdout" "$work/canary-flags.stderr"; then
        echo "report_run.sh: a credential was written to the files above" >&2
        found=1
      fi
    done
    # And no "Bearer <something>" other than the redacted forms.
    if grep -rhoE '[Bb]earer +[A-Za-z0-9._~+/=-]{8,}' "$work/canary" "$work/canary-flags" | grep -v '\*\*\*' |
        grep -vE 'authentication|token$'; then
      echo "report_run.sh: a bearer credential appears in the reports" >&2
      found=1
    fi
    n=$(ls "$work/canary" | wc -l)
    [ "$found" = 0 ] && echo "report_run.sh: no credential in $n report files, stdout or stderr (2 runs)"
    exit "$found"
    ;;
  fuzz)
    start_server fuzz --fault name-over-64-truncated
    rc=0
    timeout 300 "$whopconf" fuzz --base-url "$base_url" --allow-writes --seed 1 --max-requests 300 \
      --report-dir "$work/fuzz" >"$work/fuzz.stdout" 2>"$work/fuzz.stderr" || rc=$?
    stop_server
    # A sanitizer report (ASan build) reaches the test's output, which fails it.
    grep -hE 'ERROR: (Leak|Address)Sanitizer|runtime error:' "$work/fuzz.stderr" "$work/fuzz.serve.err" >&2 || true
    if [ "$rc" != 1 ]; then
      echo "report_run.sh: whopconf fuzz against name-over-64-truncated exited $rc, not 1:" >&2
      tail -20 "$work/fuzz.stderr" "$work/fuzz.stdout" >&2
      exit 1
    fi
    status=0
    for pair in "report.json:$here/../reports/report.schema.json" "report.sarif:$here/sarif-2.1.0-reduced.schema.json" \
        "traffic.har:$here/har-1.2-reduced.schema.json"; do
      file=${pair%%:*} schema=${pair#*:}
      if ! "$whopconf" validate "$work/fuzz/$file" --spec "$schema" --schema '#' >"$work/validate.out" 2>&1; then
        echo "report_run.sh: fuzz $file is not valid against $(basename "$schema"):" >&2
        head -20 "$work/validate.out" >&2
        status=1
      fi
    done
    xmllint --noout --schema "$here/junit.xsd" "$work/fuzz/junit.xml" 2>"$work/xmllint.out" ||
      { echo "report_run.sh: fuzz junit.xml is not valid:" >&2; head -20 "$work/xmllint.out" >&2; status=1; }
    if grep -rl -- "$WHOPCONF_TOKEN" "$work/fuzz" "$work/fuzz.stdout" "$work/fuzz.stderr"; then
      echo "report_run.sh: the token was written to the files above" >&2
      status=1
    fi
    python3 "$here/report_fuzz_check.py" "$work/fuzz" || status=1
    [ "$status" = 0 ] && echo "report_run.sh: fuzz reports valid in 6 formats, every finding is evidence in each"
    exit "$status"
    ;;
  *)
    echo "report_run.sh: unknown mode $mode" >&2
    exit 2
    ;;
esac
