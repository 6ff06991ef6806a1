#!/usr/bin/env bash
# The HTTP ceiling of the reference server: wrk sends one fixed PATCH
# (method, headers and body set by a Lua script) over 8 connections and over
# 1, for a bounded time each, and prints requests/s.
#
#   bash bench/wrk.sh [BUILD_DIR]          starts `BUILD_DIR/whopconf serve`
#                                          (default build), measures, stops it
#   bash bench/wrk.sh --url BASE_URL       measures a running server or proxy
#                                          (loopback only), e.g.
#                                          http://127.0.0.1:41234/api/v1
# Env: WRK_DURATION (seconds per run, default 5), WRK_CONNECTIONS ("8 1"),
#      WRK_TOKEN (the bearer token, default the reference server's user token).
#
# Sourced (`. bench/wrk.sh`), it only defines the functions, for other
# benchmarks that compare themselves with wrk on the same server:
#   wrk_ensure                   0 when wrk is there (installs Debian's wrk
#                                if it can), else 1 with one line on stderr
#   WRK_BODY                     the fixed PATCH's body
#   wrk_rate BASE_URL CONNS SECS prints the requests/s (an integer); 1 on
#                                failure (no wrk, a non-2xx answer, no figure)
#   wrk_serve BUILD_DIR [ARGS]   starts `whopconf serve ARGS`, sets WRK_SERVE_URL
#                                and WRK_SERVE_PID; wrk_stop_serve stops it
# Exit: 0 measured, 77 wrk missing and not installable (a skip), 2 usage.

wrk_ensure() {
  command -v wrk >/dev/null 2>&1 && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && sudo="sudo -n"
  fi
  if [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; then
    echo "bench/wrk: installing Debian's wrk (apt-get install wrk)" >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null 2>&1 ||
      { DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq >/dev/null 2>&1 &&
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null 2>&1; }
  fi
  command -v wrk >/dev/null 2>&1 && return 0
  echo "bench/wrk: wrk is not installed and could not be installed (needs root or sudo: apt-get install wrk)" >&2
  return 1
}

# The fixed PATCH body (bench-client sends the same one).
WRK_BODY='{"name": "Ada Lovelace", "bio": "Analytical engines and poetry."}'

# True for http://127.x.x.x, http://localhost and http://[::1] URLs.
wrk_loopback() {
  case $1 in
    http://127.*|http://localhost:*|http://localhost/*|http://\[::1\]*) return 0 ;;
    *) return 1 ;;
  esac
}

wrk_rate() {
  local base=${1:?wrk_rate BASE_URL CONNECTIONS SECONDS} conns=${2:-8} secs=${3:-5}
  wrk_loopback "$base" || { echo "bench/wrk: refusing a non-loopback URL: $base" >&2; return 1; }
  wrk_ensure || return 1
  local lua out rate threads=$((conns < 2 ? conns : 2))
  lua=$(mktemp "${TMPDIR:-/tmp}/whopconf-wrk.XXXXXX.lua")
  cat >"$lua" <<LUA
wrk.method = "PATCH"
wrk.headers["Authorization"] = "Bearer ${WRK_TOKEN:-wc_user_token_with_scope}"
wrk.headers["Api-Version-Date"] = "2026-07-01"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$WRK_BODY'
LUA
  out=$(wrk -t "$threads" -c "$conns" -d "${secs}s" --timeout 5s -s "$lua" "$base/users/me" 2>&1)
  rm -f "$lua"
  if grep -q "Non-2xx or 3xx responses" <<<"$out"; then
    echo "bench/wrk: the server answered something else than 2xx: $(grep 'Non-2xx' <<<"$out")" >&2
    return 1
  fi
  rate=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
  [ -n "$rate" ] || { echo "bench/wrk: no figure from wrk: $(tail -n 1 <<<"$out")" >&2; return 1; }
  echo "$rate"
}

wrk_serve() {
  local whopconf="${1:-build}/whopconf" i
  shift
  [ -x "$whopconf" ] || { echo "bench/wrk: $whopconf not found: build first (make build)" >&2; return 1; }
  WRK_SERVE_OUT=$(mktemp "${TMPDIR:-/tmp}/whopconf-wrk-serve.XXXXXX")
  "$whopconf" serve "$@" >"$WRK_SERVE_OUT" 2>/dev/null &
  WRK_SERVE_PID=$!
  WRK_SERVE_URL=""
  for i in $(seq 1 100); do
    WRK_SERVE_URL=$(head -n 1 "$WRK_SERVE_OUT" 2>/dev/null)
    [ -n "$WRK_SERVE_URL" ] && return 0
    sleep 0.05
  done
  echo "bench/wrk: whopconf serve did not start" >&2
  wrk_stop_serve
  return 1
}

wrk_stop_serve() {
  [ -n "${WRK_SERVE_PID:-}" ] && kill "$WRK_SERVE_PID" 2>/dev/null && wait "$WRK_SERVE_PID" 2>/dev/null
  rm -f "${WRK_SERVE_OUT:-}"
  WRK_SERVE_PID=""
}

# Sourced: the functions only.
[ "${BASH_SOURCE[0]}" != "$0" ] && return 0

set -u
url="" build=build
while [ $# -gt 0 ]; do
  case $1 in
    --url) url=${2:?--url needs a base URL}; shift 2 ;;
    --url=*) url=${1#--url=}; shift ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    -*) echo "bench/wrk: unknown option $1 (try --help)" >&2; exit 2 ;;
    *) build=$1; shift ;;
  esac
done
wrk_ensure || exit 77
secs=${WRK_DURATION:-5}
if [ -z "$url" ]; then
  wrk_serve "$build" || exit 1
  trap wrk_stop_serve EXIT
  url=$WRK_SERVE_URL
  target="whopconf serve"
else
  target="$url"
fi
echo "wrk: one fixed PATCH to $target ($url/users/me), ${secs} s per run"
status=0
for c in ${WRK_CONNECTIONS:-8 1}; do
  if rate=$(wrk_rate "$url" "$c" "$secs"); then
    printf 'wrk %2d connection%s: %8s requests/s\n' "$c" "$([ "$c" -eq 1 ] && echo " " || echo s)" "$rate"
  else
    status=1
  fi
done
exit $status
