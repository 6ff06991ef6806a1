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
# start_proxy [FLAGS...]: a proxy in front of the server; sets proxy_pid, proxy_url.
proxy_out=$(mktemp "${TMPDIR:-/tmp}/whopconf-wrk-proxy.XXXXXX")
reports=$(mktemp -d "${TMPDIR:-/tmp}/whopconf-wrk-proxy-reports.XXXXXX")
proxy_pid=""
start_proxy() {
  : >"$proxy_out"
  "$build/whopconf" proxy --upstream "$WRK_SERVE_URL" --report-dir "$reports" "$@" >"$proxy_out" 2>"$proxy_out.err" &
  proxy_pid=$!
  proxy_url=""
  for _ in $(seq 1 100); do
    proxy_url=$(head -n 1 "$proxy_out" 2>/dev/null)
    [ -n "$proxy_url" ] && return 0
    sleep 0.05
  done
  echo "bench/wrk_proxy: whopconf proxy did not start" >&2
  return 1
}
# stop_proxy: SIGTERM; the judged traffic was clean, so the proxy must exit 0.
stop_proxy() {
  kill -TERM "$proxy_pid" && wait "$proxy_pid"
  local rc=$?
  proxy_pid=""
  [ "$rc" -eq 0 ] || { echo "bench/wrk_proxy: the proxy found violations in clean traffic (exit $rc)" >&2; tail -n 1 "$proxy_out.err" >&2; return 1; }
}
cleanup() {
  [ -n "$proxy_pid" ] && kill -TERM "$proxy_pid" 2>/dev/null && wait "$proxy_pid" 2>/dev/null
  wrk_stop_serve
  rm -rf "$proxy_out" "$proxy_out.err" "$reports"
}
trap cleanup EXIT

echo "wrk through whopconf proxy: the fixed PATCH, judged on both sides; ${secs} s per run"
start_proxy || exit 1
# CPU seconds (user + system) a process has used so far.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"; }
c0=$(cpu_s "$WRK_SERVE_PID")
direct8=$(wrk_rate "$WRK_SERVE_URL" 8 "$secs") || exit 1
serve_cpu=$(awk -v a="$c0" -v b="$(cpu_s "$WRK_SERVE_PID")" 'BEGIN { print b - a }')
c0=$(cpu_s "$proxy_pid")
proxy8=$(wrk_rate "$proxy_url" 8 "$secs") || exit 1
proxy_cpu=$(awk -v a="$c0" -v b="$(cpu_s "$proxy_pid")" 'BEGIN { print b - a }')
rss_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$proxy_pid/status")
direct1=$(wrk_rate "$WRK_SERVE_URL" 1 "$secs") || exit 1
proxy1=$(wrk_rate "$proxy_url" 1 "$secs") || exit 1
stop_proxy || exit 1
summary=$(tail -n 1 "$proxy_out.err")
# --annotate judges before answering: the latency judging would add.
start_proxy --annotate || exit 1
annot1=$(wrk_rate "$proxy_url" 1 "$secs") || exit 1
stop_proxy || exit 1
[ -n "$direct8" ] && [ -n "$proxy8" ] && [ -n "$direct1" ] && [ -n "$proxy1" ] && [ -n "$annot1" ] || exit 1
# Over one connection requests follow each other: 1000/rate is the time of
# one, and the difference with the direct run is what the proxy adds.
awk -v d8="$direct8" -v p8="$proxy8" -v d1="$direct1" -v p1="$proxy1" -v a1="$annot1" -v rss="$rss_kb" \
    -v scpu="$serve_cpu" -v pcpu="$proxy_cpu" -v secs="$secs" 'BEGIN {
  printf "wrk 8 connections: direct %6d req/s, through the proxy %6d req/s = %.0f%% of direct (goal >= 40%%)\n", d8, p8, 100 * p8 / d8
  printf "                   CPU per request: whopconf serve %.1f us (direct run), whopconf proxy %.1f us\n", 1e6 * scpu / (d8 * secs), 1e6 * pcpu / (p8 * secs)
  printf "wrk 1 connection:  direct %6d req/s, through the proxy %6d req/s: %.3f ms added per request\n", d1, p1, 1000 / p1 - 1000 / d1
  printf "                   with --annotate (judged before answering): %6d req/s: %.3f ms added\n", a1, 1000 / a1 - 1000 / d1
  printf "proxy peak RSS (VmHWM) after the 8-connection run: %.1f MB (goal < 25 MB)\n", rss / 1024
}'
echo "$summary"
