#!/usr/bin/env bash
# whopconf check end to end: traffic recorded from a real client against
# `whopconf serve` (plain and faulty) is judged on the right side; a
# malformed file is one line with its byte offset, exit 2, and no report.
# usage: check_cli.sh WHOPCONF SOURCE_DIR WORK_DIR
set -u
WHOPCONF=$1 SRC=$2 WORK=$3
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
fails=0
check() { # description, command...
  local what=$1
  shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fails=$((fails + 1)); fi
}
SERVER_PID=
serve() { # [--fault NAME]: starts the server, sets BASE
  "$WHOPCONF" serve "$@" >serve.out 2>serve.err &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    BASE=$(head -n1 serve.out 2>/dev/null)
    [ -n "$BASE" ] && return 0
    sleep 0.05
  done
  echo "server did not start: $(cat serve.err)"
  exit 1
}
stop() { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; }
trap stop EXIT
summary() { grep -o "$1" "$2" >/dev/null; }

serve
python3 "$SRC/tests/traffic/record.py" "$BASE" clean clean.har clean.ndjson || exit 1
python3 "$SRC/tests/traffic/record.py" "$BASE" client-bugs bugs.har bugs.ndjson || exit 1
stop
serve --fault id-no-prefix
python3 "$SRC/tests/traffic/record.py" "$BASE" clean faulty.har faulty.ndjson || exit 1
stop

"$WHOPCONF" check --report-dir r-clean clean.har >clean.out 2>clean.err
check "clean traffic against the plain server: exit 0" test $? -eq 0
check "  4 judged, 4 conformant" summary "4 judged (4 conformant, 0 with request violations, 0 with response violations" clean.out
check "  every report written" test -s r-clean/report.json -a -s r-clean/junit.xml -a -s r-clean/report.sarif -a -s r-clean/summary.md -a -s r-clean/report.html -a -s r-clean/traffic.har
check "  the report is valid" "$WHOPCONF" validate r-clean/report.json --spec "$SRC/reports/report.schema.json" --schema '#'

"$WHOPCONF" check --report-dir r-nd --format json clean.ndjson >nd.out 2>&1
check "the same traffic as NDJSON: exit 0" test $? -eq 0
check "  4 judged" summary "4 judged (4 conformant" nd.out

"$WHOPCONF" check --report-dir r-faulty faulty.har >faulty.out 2>&1
check "clean client, faulty server (id-no-prefix): exit 1" test $? -eq 1
check "  response side only" summary "0 with request violations, [1-9][0-9]* with response violations" faulty.out
check "  WC-DM-001 failed" summary "WC-DM-001  fail" faulty.out

"$WHOPCONF" check --report-dir r-bugs bugs.har >bugs.out 2>&1
check "buggy client, plain server: exit 1" test $? -eq 1
check "  request side only" summary "0 conformant, 3 with request violations, 0 with response violations" bugs.out
for req in WC-CL-001 WC-CL-004 WC-CL-007; do
  check "  $req failed" summary "$req  fail" bugs.out
done
check "  no report holds the token" test -z "$(grep -rl wc_user_token_with_scope r-bugs r-clean r-faulty)"

"$WHOPCONF" check --report-dir r-bugs --base-path /other bugs.har >base.out 2>&1
check "--base-path elsewhere: nothing judged, exit 0" test $? -eq 0
check "  3 other" summary "0 judged .* 3 other" base.out

head -c 700 clean.har >cut.har
"$WHOPCONF" check --report-dir r-cut clean.har cut.har >cut.out 2>cut.err
check "a truncated HAR: exit 2" test $? -eq 2
check "  one line on stderr with the byte offset" test "$(wc -l <cut.err)" -eq 1 -a -n "$(grep -E '^whopconf check: cut.har: byte [0-9]+: ' cut.err)"
check "  no report written" test ! -e r-cut
"$WHOPCONF" check --report-dir r-none missing.har 2>missing.err
check "an unreadable file: exit 2, one line" test $? -eq 2 -a "$(wc -l <missing.err)" -eq 1
"$WHOPCONF" check 2>usage.err
check "no file: exit 2" test $? -eq 2

[ $fails -eq 0 ] && echo "all passed" || echo "$fails failed"
[ $fails -eq 0 ]
