#!/usr/bin/env bash
# The validating proxy's cost: wrk (bench/wrk.sh's fixed PATCH, judged by
# the proxy on both sides) straight to `whopconf serve`, then through
# `whopconf proxy` in front of the same server, in one run; over 8
# connections (the rate) and over 1 (the time the proxy adds per request).
# Prints the rates, the proxy's share of the direct rate, the added time
# and the proxy's peak RSS (VmHWM) under that load.
#
#   bash bench/wrk_proxy.sh [BUILD_DIR]     (make bench runs it)
# Env: WRK_DURATION (seconds per run, default 5).
# Exit: 0 measured, 77 wrk missing and not installable, 1 a run failed.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/wrk.sh
. "$here/wrk.sh"
build=${1:-build}
secs=${WRK_DURATION:-5}
wrk_ensure || exit 77
wrk_serve "$build" || exit 1
proxy_out=$(mktemp "${TMPDIR:-/tmp}/whopconf-wrk-proxy.XXXXXX")
reports=$(mktemp -d "${TMPDIR:-/tmp}/whopconf-wrk-proxy-reports.XXXXXX")
"$build/whopconf" proxy --upstream "$WRK_SERVE_URL" --report-dir "$reports" >"$proxy_out" 2>"$proxy_out.err" &
proxy_pid=$!
cleanup() {
  kill -TERM "$proxy_pid" 2>/dev/null && wait "$proxy_pid" 2>/dev/null
  wrk_stop_serve
  rm -rf "$proxy_out" "$proxy_out.err" "$reports"
}
trap cleanup EXIT
proxy_url=""
for _ in $(seq 1 100); do
  proxy_url=$(head -n 1 "$proxy_out" 2>/dev/null)
  [ -n "$proxy_url" ] && break
  sleep 0.05
done
[ -n "$proxy_url" ] || { echo "bench/wrk_proxy: whopconf proxy did not start" >&2; exit 1; }

echo "wrk through whopconf proxy: the fixed PATCH, judged; ${secs} s per run"
direct8=$(wrk_rate "$WRK_SERVE_URL" 8 "$secs") || exit 1
proxy8=$(wrk_rate "$proxy_url" 8 "$secs") || exit 1
rss_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$proxy_pid/status")
direct1=$(wrk_rate "$WRK_SERVE_URL" 1 "$secs") || exit 1
proxy1=$(wrk_rate "$proxy_url" 1 "$secs") || exit 1
awk -v d8="$direct8" -v p8="$proxy8" -v d1="$direct1" -v p1="$proxy1" -v rss="$rss_kb" 'BEGIN {
  printf "wrk  8 connections: direct %8d requests/s, through the proxy %8d requests/s (%.0f%% of direct; goal >= 40%%)\n", d8, p8, 100 * p8 / d8
  printf "wrk  1 connection:  direct %8d requests/s, through the proxy %8d requests/s (%.3f ms added per request)\n", d1, p1, 1000 / p1 - 1000 / d1
  printf "proxy peak RSS (VmHWM) after the 8-connection run: %.1f MB (goal < 25 MB)\n", rss / 1024
}'
kill -TERM "$proxy_pid" && wait "$proxy_pid"
rc=$?
# The judged traffic was clean: the proxy must say so (exit 0).
[ "$rc" -eq 0 ] || { echo "bench/wrk_proxy: the proxy found violations in clean traffic (exit $rc)" >&2; tail -n 1 "$proxy_out.err" >&2; exit 1; }
tail -n 1 "$proxy_out.err"
