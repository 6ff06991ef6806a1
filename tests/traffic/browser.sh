#!/usr/bin/env bash
# ctest traffic_browser_har: a HAR written by a real browser, judged by
# `whopconf check`. Headless Chromium loads a page whose script calls
# PATCH /users/me with fetch() (same origin: tests/traffic/same_origin.py
# serves the page and forwards /api/ to `whopconf serve` unchanged); npm's
# chrome-har-capturer records the HAR over the DevTools protocol. Against
# the plain server the HAR is clean (exit 0); against `serve --fault
# id-no-prefix` the response side fails (exit 1, WC-DM-001).
# Skipped (exit 77) with the reason when Chromium, Node.js, npm or the
# registry is missing.
# usage: browser.sh WHOPCONF SOURCE_DIR OUT_DIR
set -u
WHOPCONF=${1:?usage: browser.sh WHOPCONF SOURCE_DIR OUT_DIR}
SRC=${2:?} OUT=${3:?}
skip() { echo "SKIP traffic_browser_har: $*"; exit 77; }
fail() { echo "FAIL traffic_browser_har: $*"; exit 1; }

browser=""
for b in chromium chromium-browser google-chrome; do
  command -v "$b" >/dev/null 2>&1 && { browser=$(command -v "$b"); break; }
done
[ -n "$browser" ] || skip "no chromium (tests/html_browser.sh installs Debian's chromium when run as root)"
command -v node >/dev/null 2>&1 || skip "node not found"
command -v npm >/dev/null 2>&1 || skip "npm not found"
command -v python3 >/dev/null 2>&1 || skip "python3 not found"

rm -rf "$OUT" && mkdir -p "$OUT" && cd "$OUT" || exit 1
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$OUT/profile"
}
trap cleanup EXIT

printf '{"name":"whopconf-browser-har","private":true}\n' >package.json
if ! timeout 180 npm install --no-audit --no-fund --no-package-lock --loglevel=error \
    --fetch-retries=1 --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=10000 chrome-har-capturer >npm.log 2>&1; then
  skip "npm install chrome-har-capturer failed (registry unreachable?): $(grep -m 2 -E 'npm (error|ERR!)' npm.log | tr '\n' ' ')"
fi

wait_line() { # FILE: waits (5 s at most) for a first line
  for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.05; done
  return 1
}

# record NAME [serve args...]: the browser's HAR of the page against a server.
record() {
  local name=$1
  shift
  "$WHOPCONF" serve "$@" >"$name.serve.out" 2>"$name.serve.err" &
  local serve_pid=$!
  pids+=("$serve_pid")
  wait_line "$name.serve.out" || fail "whopconf serve did not start: $(cat "$name.serve.err")"
  python3 "$SRC/tests/traffic/same_origin.py" "$SRC/tests/traffic/browser_page.html" "$(head -n1 "$name.serve.out")" \
    "$name.port" &
  local fwd_pid=$!
  pids+=("$fwd_pid")
  wait_line "$name.port" || fail "the page server did not start"
  local port
  port=$(cat "$name.port")
  rm -rf profile
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --disable-extensions \
    --disable-default-apps --user-data-dir="$OUT/profile" --remote-debugging-address=127.0.0.1 \
    --remote-debugging-port=0 about:blank 2>"$name.browser.log" &
  local browser_pid=$!
  pids+=("$browser_pid")
  local devtools=""
  for _ in $(seq 200); do
    devtools=$(sed -n 's|^DevTools listening on ws://127.0.0.1:\([0-9]*\)/.*|\1|p' "$name.browser.log")
    [ -n "$devtools" ] && break
    sleep 0.05
  done
  [ -n "$devtools" ] || fail "chromium did not open its DevTools port: $(tail -3 "$name.browser.log")"
  timeout 90 node node_modules/.bin/chrome-har-capturer -t 127.0.0.1 -p "$devtools" --content --grace 3000 \
    -o "$name.har" "http://127.0.0.1:$port/" >"$name.capturer.log" 2>&1 ||
    fail "chrome-har-capturer failed: $(tail -3 "$name.capturer.log")"
  kill "$browser_pid" "$fwd_pid" "$serve_pid" 2>/dev/null
  wait "$browser_pid" "$fwd_pid" "$serve_pid" 2>/dev/null
}

record plain
record faulty --fault id-no-prefix

patches=$(grep -c '"method": "PATCH"' plain.har)
[ "$patches" -eq 3 ] || fail "the browser's HAR holds $patches PATCH requests, expected 3"
echo "traffic_browser_har: $("$browser" --version 2>/dev/null | head -1); HAR by $(python3 -c \
  'import json,sys; c=json.load(open(sys.argv[1]))["log"]["creator"]; print(c["name"], c["version"])' plain.har)"

"$WHOPCONF" check --report-dir r-plain plain.har >plain.check 2>&1
rc=$?
cat plain.check
[ $rc -eq 0 ] || fail "the plain server's HAR: exit $rc, expected 0"
grep -q "3 judged (3 conformant" plain.check || fail "expected 3 judged, 3 conformant"

"$WHOPCONF" check --report-dir r-faulty faulty.har >faulty.check 2>&1
rc=$?
cat faulty.check
[ $rc -eq 1 ] || fail "the faulty server's HAR: exit $rc, expected 1"
grep -q "0 with request violations, 2 with response violations" faulty.check ||
  fail "expected the response side of the two pinned requests to fail"
grep -q "WC-DM-001  fail" faulty.check || fail "expected WC-DM-001 to fail"
if grep -rq wc_user_token_with_scope r-plain r-faulty; then fail "a report holds the token"; fi
echo "PASS traffic_browser_har"
