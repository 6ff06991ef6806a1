#!/usr/bin/env bash
# ctest proxy_cli: `whopconf proxy` as a user runs it, in front of `whopconf
# serve`: the first line, reports in every format at --duration and every
# --report-every, SIGTERM, exit codes 0 / 1 / 2 / 3, no credential written.
set -u
WHOPCONF=${1:?usage: proxy_cli.sh path/to/whopconf}
WHOPCONF=$(cd "$(dirname "$WHOPCONF")" && pwd)/$(basename "$WHOPCONF")
work=$(mktemp -d "${TMPDIR:-/tmp}/whopconf-proxy.XXXXXX")
fail() { echo "FAIL proxy_cli: $*"; exit 1; }
# shellcheck source=tests/support/background.sh
. "$(cd "$(dirname "$0")" && pwd)/support/background.sh"
trap 'bg_stop_all; rm -rf "$work"' EXIT
cd "$work" || fail "cannot enter $work"

TOKEN=wc_user_token_with_scope
patch() { # URL BODY [VERSION]
  curl -sS -o /dev/null -w '%{http_code}' -X PATCH "$1/users/me" -H "Authorization: Bearer $TOKEN" \
    -H "Api-Version-Date: ${3:-2026-07-01}" -H 'Content-Type: application/json' --data-binary "$2"
}
verdict() { python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["verdict"], s["exit_code"])' "$1"; }

bg_start serve "$WHOPCONF" serve

# 1. Clean traffic, stopped by SIGTERM: exit 0, every report, the URL first.
bg_start proxy "$WHOPCONF" proxy --upstream "$serve_url" --report-dir clean
case "$proxy_url" in http://127.0.0.1:*/api/v1) ;; *) fail "first line is not a base URL: '$proxy_url'" ;; esac
[ "$(patch "$proxy_url" '{"name":"Ada"}')" = 200 ] || fail "PATCH through the proxy did not get 200"
[ "$(curl -sS -o /dev/null -w '%{http_code}' "$proxy_url/elsewhere")" = 404 ] || fail "pass-through did not get 404"
kill -TERM "$proxy_pid"
wait "$proxy_pid"
rc=$?
[ "$rc" -eq 0 ] || { cat proxy.err; fail "clean traffic: exit $rc, expected 0"; }
for f in report.json junit.xml report.sarif summary.md report.html traffic.har; do
  [ -s "clean/$f" ] || fail "clean/$f not written"
done
[ "$(verdict clean/report.json)" = "pass 0" ] || fail "clean verdict: $(verdict clean/report.json)"
grep -q '1 judged (1 conformed' proxy.err || { cat proxy.err; fail "summary line"; }
grep -q '1 passed through' proxy.err || fail "pass-through not counted"

# 2. A client bug, --duration, --report-every: exit 1, reports rewritten while running.
bg_start proxy "$WHOPCONF" proxy --upstream "$serve_url" --report-dir bug --duration 2 --report-every 0.3
[ "$(patch "$proxy_url" '{"name":42}')" = 400 ] || fail "wrong member type did not get 400"
sleep 0.8
[ -s bug/report.json ] || fail "--report-every wrote nothing while running"
[ "$(verdict bug/report.json)" = "fail 1" ] || fail "periodic report verdict: $(verdict bug/report.json)"
wait "$proxy_pid"
rc=$?
[ "$rc" -eq 1 ] || fail "client bug: exit $rc, expected 1"
python3 - bug/report.json <<'EOF' || fail "the violation is not on the request side"
import json, sys
r = json.load(open(sys.argv[1]))
failed = [q["id"] for q in r["requirements"] if q["status"] == "fail"]
assert failed and all(i.startswith("WC-CL-") for i in failed), failed
assert r["run"]["traffic"]["request_violations"] == 1 and r["run"]["traffic"]["response_violations"] == 0
EOF
if grep -rq "$TOKEN" clean bug proxy.out proxy.err; then fail "the token was written"; fi

# 3. An upstream that is never reached: exit 3, 502 to the client.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
bg_start proxy "$WHOPCONF" proxy --upstream "http://127.0.0.1:$port/api/v1" --report-dir down --connect-timeout 1
[ "$(patch "$proxy_url" '{}')" = 502 ] || fail "unreachable upstream did not give 502"
kill -INT "$proxy_pid"
wait "$proxy_pid"
rc=$?
[ "$rc" -eq 3 ] || fail "unreachable upstream: exit $rc, expected 3"
[ "$(verdict down/report.json)" = "error 3" ] || fail "unreachable verdict: $(verdict down/report.json)"

# 4. Usage errors: exit 2, one line on stderr.
for args in "" "--upstream ftp://x/api" "--upstream $serve_url --port 70000" "--upstream $serve_url --bogus"; do
  # shellcheck disable=SC2086
  "$WHOPCONF" proxy $args >usage.out 2>usage.err
  rc=$?
  [ "$rc" -eq 2 ] || fail "'proxy $args': exit $rc, expected 2"
  [ "$(wc -l <usage.err)" -eq 1 ] || fail "'proxy $args': not one line on stderr: $(cat usage.err)"
done
echo "proxy_cli: ok"
