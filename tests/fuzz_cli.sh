#!/usr/bin/env bash
# End-to-end tests of `whopconf fuzz` against `whopconf serve` and the
# embedded server, on loopback only:
#   1. the stateful phase: its model catches third-override-write-leaks
#      (WC-UPD-004) and uppercase-username-lowered (WC-UPD-002), and finds
#      nothing against the plain server;
#   2. safety: without --allow-writes the server's log shows no write (and
#      with it, it does);
#   3. the journal: a fuzz --allow-writes killed with SIGKILL leaves a
#      journal that the next fuzz, or the next run, restores;
#   4. determinism: the same seed gives byte-identical masked reports, with
#      one worker and with four, against the embedded server;
#   5. overlapping writes: against a server that reads its answer back after
#      a pause (--lenient late-answer, last writer wins), four workers find
#      no echo failure (an echo finding on an overlapped write is confirmed
#      alone before it counts).
# Every fuzz is bounded by --max-requests and a timeout.
#
# usage: tests/fuzz_cli.sh WHOPCONF WORKDIR
set -u
WHOPCONF=${1:?usage: fuzz_cli.sh WHOPCONF WORKDIR}
WORK=${2:?usage: fuzz_cli.sh WHOPCONF WORKDIR}
SRC=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK" || exit 2

. "$SRC/tests/support/checks.sh"
. "$SRC/tests/support/serve.sh"

TOKEN=wc_user_token_with_scope
FUZZ_REMOTE=(--token "$TOKEN" --account-id biz_whopconf_a --account-id biz_whopconf_b --workers 1)
read_profiles() { # read_profiles URL -> name, bio, username of the global profile and both accounts
  local q
  for q in "" "?account_id=biz_whopconf_a" "?account_id=biz_whopconf_b"; do
    curl -s --max-time 10 -X PATCH "$1/users/me$q" -H "Authorization: Bearer $TOKEN" \
      -H 'Api-Version-Date: 2026-07-01' -H 'Content-Type: application/json' --data '{}' |
      python3 -c 'import json,sys; u=json.load(sys.stdin); print(json.dumps([u.get(k) for k in ("name","bio","username")]))'
  done
}
failed_ids() { # failed_ids REPORT.json -> the failed requirement ids
  python3 -c 'import json,sys; print(" ".join(q["id"] for q in json.load(open(sys.argv[1]))["requirements"] if q["status"] == "fail"))' "$1"
}
stateful_findings() { # stateful_findings REPORT.json -> "requirement@location" of the stateful phase's failures
  python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(" ".join(f["requirement"] + "@" + f["location"] for f in r.get("generated", {}).get("findings", [])
               if f.get("case") == "stateful" and f["status"] == "fail"))' "$1"
}

# ---- 1. the stateful phase ------------------------------------------------------------
for entry in "third-override-write-leaks WC-UPD-004" "uppercase-username-lowered WC-UPD-002"; do
  set -- $entry
  start_serve "st-$1" --fault "$1"
  timeout 120 "$WHOPCONF" fuzz --base-url "$URL" "${FUZZ_REMOTE[@]}" --allow-writes --phases stateful \
    --max-requests 1000 --report-dir "st-$1" --format json >"st-$1/out" 2>"st-$1/err"
  code=$?
  check "stateful, $1: exit 1 (got $code)" test "$code" -eq 1
  check "stateful, $1: $2 failed" grep -qw "$2" <<<"$(failed_ids "st-$1/report.json")"
  check "stateful, $1: found by the stateful phase" grep -q "$2@" <<<"$(stateful_findings "st-$1/report.json")"
done
start_serve st-plain
timeout 120 "$WHOPCONF" fuzz --base-url "$URL" "${FUZZ_REMOTE[@]}" --allow-writes --phases stateful \
  --max-requests 1000 --report-dir st-plain --format json >st-plain/out 2>st-plain/err
code=$?
check "stateful, plain server: exit 0 (got $code)" test "$code" -eq 0
# (a 413 for a body over serve's 64 KiB limit is a warning, not a finding)
check "stateful, plain server: no failure" test -z "$(stateful_findings st-plain/report.json)"
check "stateful, plain server: it wrote (steps were sent)" grep -q " write$" st-plain/serve.err

# ---- 2. safety: no write without --allow-writes ------------------------------------------
start_serve safe-ro
before=$(read_profiles "$URL")
timeout 120 "$WHOPCONF" fuzz --base-url "$URL" "${FUZZ_REMOTE[@]}" --max-requests 500 \
  --report-dir safe-ro --format json >safe-ro/out 2>safe-ro/err
code=$?
check "without --allow-writes: exit 0 (got $code)" test "$code" -eq 0
check "without --allow-writes: requests were sent" test "$(grep -c ' 400 ' safe-ro/serve.err)" -gt 100
check "without --allow-writes: the server applied no update" test "$(grep -c ' write$' safe-ro/serve.err)" -eq 0
check "without --allow-writes: says so" grep -q "negative requests only" safe-ro/err
check "without --allow-writes: the profiles are as found" test "$(read_profiles "$URL")" = "$before"
start_serve safe-rw
timeout 120 "$WHOPCONF" fuzz --base-url "$URL" "${FUZZ_REMOTE[@]}" --allow-writes --max-requests 500 \
  --report-dir safe-rw --format json >safe-rw/out 2>safe-rw/err
check "with --allow-writes: the server log shows writes (the check above can fail)" \
  test "$(grep -c ' write$' safe-rw/serve.err)" -gt 10

# ---- 3. the journal: a killed fuzz, restored by the next fuzz or run -----------------------
killed_fuzz() { # killed_fuzz DIR -> a fuzz --allow-writes killed with SIGKILL after some writes
  "$WHOPCONF" fuzz --base-url "$URL" "${FUZZ_REMOTE[@]}" --allow-writes --phases fuzzing \
    --max-requests 1000000 --no-shrink --report-dir "$1/reports" --format json >"$1/out" 2>"$1/err" &
  local pid=$!
  for _ in $(seq 1 200); do
    [ "$(grep -c ' write$' "$1/serve.err")" -gt 50 ] && break
    sleep 0.05
  done
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null
}
for next in fuzz run; do
  start_serve "journal-$next"
  before=$(read_profiles "$URL")
  killed_fuzz "journal-$next"
  check "killed fuzz ($next next): a journal is left" \
    test -n "$(ls -A "journal-$next/reports" 2>/dev/null | grep journal)"
  check "killed fuzz ($next next): the profile was changed" test "$(read_profiles "$URL")" != "$before"
  if [ "$next" = fuzz ]; then
    timeout 120 "$WHOPCONF" fuzz --base-url "$URL" "${FUZZ_REMOTE[@]}" --phases none \
      --report-dir "journal-$next/reports" --format json >"journal-$next/next.out" 2>"journal-$next/next.err"
  else
    timeout 120 "$WHOPCONF" run --base-url "$URL" --token "$TOKEN" --account-id biz_whopconf_a \
      --account-id biz_whopconf_b --phases none --only WC-US-001 \
      --report-dir "journal-$next/reports" --format json >"journal-$next/next.out" 2>"journal-$next/next.err"
  fi
  check "the next $next says it restored the interrupted run" grep -qi "restored" "journal-$next/next.err"
  check "the next $next: the profiles are as before the killed fuzz" test "$(read_profiles "$URL")" = "$before"
  check "the next $next: no journal left" test -z "$(ls -A "journal-$next/reports" | grep journal)"
done

# ---- 4. determinism against the embedded server ----------------------------------------
mask() {
  sed -E \
    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z/TIMESTAMP/g' \
    -e 's/(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT/HTTP-DATE/g' \
    -e 's/("(duration_ms|time_ms|time|wait|elapsed_ms)":[[:space:]]*)[0-9.eE+-]+/\10/g' \
    -e 's/time="[0-9.]+"/time="0"/g' \
    -e 's/[0-9]+(\.[0-9]+)? ms/N ms/g' \
    -e 's/(127\.0\.0\.1|localhost|\[::1\]):[0-9]+/\1:PORT/g' \
    "$1"
}
for workers in 1 4; do
  for k in a b; do
    timeout 300 "$WHOPCONF" fuzz --seed 7 --workers "$workers" --max-requests 600 \
      --report-dir "det-$workers-$k" >"det-$workers-$k.out" 2>"det-$workers-$k.err"
    echo $? >"det-$workers-$k.rc"
  done
  check "determinism, --workers $workers: both exit 0" test "$(cat "det-$workers-a.rc" "det-$workers-b.rc")" = "0
0"
  for f in report.json junit.xml report.sarif summary.md report.html traffic.har; do
    mask "det-$workers-a/$f" >a.masked
    mask "det-$workers-b/$f" >b.masked
    if cmp -s a.masked b.masked; then
      ok "determinism, --workers $workers: $f identical (masked)"
    else
      bad "determinism, --workers $workers: $f differs"
      diff -u a.masked b.masked | head -20
    fi
  done
done

# ---- 5. overlapping writes ---------------------------------------------------------------
start_serve late --lenient late-answer
timeout 300 "$WHOPCONF" fuzz --base-url "$URL" --token "$TOKEN" --allow-writes --allow-picture-writes \
  --workers 4 --seed 1 --max-requests 1500 --max-request-body 4096 \
  --report-dir late --format json >late/out 2>late/err
code=$?
check "late-answer, 4 workers: exit 0 (got $code)" test "$code" -eq 0
check "late-answer, 4 workers: WC-UPD-001 not failed" test -z "$(failed_ids late/report.json | grep -w WC-UPD-001)"
check "late-answer, 4 workers: writes were sent" grep -q ' write' late/serve.err

checks_summary
