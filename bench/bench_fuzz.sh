#!/usr/bin/env bash
# whopconf fuzz against `whopconf serve`, next to wrk on the same server in
# the same run (bench/wrk.sh), plus peak RSS for 100,000 requests and the
# requests the shrinker needs for a 64 KiB failing string (bench-shrink).
#
#   bash bench/bench_fuzz.sh [BUILD_DIR]      (make bench runs it)
# Then CPU time per sent request of the fuzz process and of the server (the
# median of 3 runs: rates are noise on a shared machine, CPU per request
# much less so).
# Env: FUZZ_BENCH_REQUESTS (fuzzing-phase requests of the rate run, default
#      20000), FUZZ_BENCH_RSS_REQUESTS (default 100000), WRK_DURATION
#      (seconds, default 5), FUZZ_BENCH_WORKERS (default 8),
#      FUZZ_BENCH_CPU_REQUESTS (default 30000), FUZZ_BENCH_CPU_WORKERS (default 2).
# Goals (issue 12): fuzz at least half of wrk's rate over 8 connections,
# peak RSS under 50 MB for 100,000 requests, at most 40 requests to shrink.
# Loopback only; every run bounded (timeout). Exit 0 measured (goals are
# reported, not enforced), 1 a run failed, 77 wrk missing.
set -uo pipefail
build=${1:-build}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/wrk.sh
. "$here/wrk.sh"
whopconf="$build/whopconf"
[ -x "$whopconf" ] || { echo "bench/fuzz: $whopconf not found: build first" >&2; exit 1; }
wrk_ensure || exit 77
requests=${FUZZ_BENCH_REQUESTS:-20000}
rss_requests=${FUZZ_BENCH_RSS_REQUESTS:-100000}
workers=${FUZZ_BENCH_WORKERS:-8}
secs=${WRK_DURATION:-5}
work=$(mktemp -d "${TMPDIR:-/tmp}/whopconf-bench-fuzz.XXXXXX")
cleanup() { wrk_stop_serve; rm -rf "$work"; }
trap cleanup EXIT
export WHOPCONF_TOKEN=${WRK_TOKEN:-wc_user_token_with_scope}

# fuzz_run OUT N [FUZZ OPTIONS...]: N requests of the fuzzing phase only, no
# shrinking (the rate of generating, sending, judging and recording), under
# the command prefix in the array run_prefix (e.g. /usr/bin/time -v). The
# server is a throwaway, as the embedded one is: picture writes are allowed,
# so every generated request is sent (without, a third of the stream is
# generated and then held back, which the rate would count as lost time).
run_prefix=()
fuzz_run() {
  local out=$1 n=$2; shift 2
  timeout 900 "${run_prefix[@]}" "$whopconf" fuzz --base-url "$WRK_SERVE_URL" --allow-writes --allow-picture-writes \
    --phases fuzzing --no-shrink --workers "$workers" --seed 1 --max-requests "$n" --report-dir "$work/reports" "$@" \
    >"$out" 2>"$out.err"
  local rc=$?
  [ "$rc" -le 1 ] || { echo "bench/fuzz: whopconf fuzz exited $rc: $(tail -n 1 "$out.err")" >&2; return 1; }
}

# "20000 requests in 1.23 s (16260 req/s; ..." -> 16260
fuzz_rate() { grep -m1 -oE '\(([0-9]+) req/s' "$1" | grep -oE '[0-9]+'; }

echo "bench/fuzz: load average before $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
wrk_serve "$build" || exit 1
status=0
wrk8=$(wrk_rate "$WRK_SERVE_URL" 8 "$secs") || status=1
# The same PATCH from the clients alone (8 threads, one connection each):
# bare libcurl, and whopconf's transport with each engine (the exchange
# recorded): the HTTP cost whopconf fuzz starts from.
curl8="" own8="" tcurl8=""
if [ -x "$build/bench-client" ]; then
  curl8=$("$build/bench-client" "$WRK_SERVE_URL" "$workers" "$secs" "$WRK_BODY" curl) || status=1
  own8=$("$build/bench-client" "$WRK_SERVE_URL" "$workers" "$secs" "$WRK_BODY" own) || status=1
  tcurl8=$("$build/bench-client" "$WRK_SERVE_URL" "$workers" "$secs" "$WRK_BODY" transport-curl) || status=1
else
  echo "bench/fuzz: $build/bench-client missing (cmake --build $build --target bench)" >&2
fi
fuzz_run "$work/rate.out" "$requests" || status=1
rate=$(fuzz_rate "$work/rate.out")
# The same stream with bodies of at most 4 KiB: what the default's large
# bodies (strings up to 2^17 code points, requests up to 1 MiB) cost.
fuzz_run "$work/small.out" "$requests" --max-request-body 4096 || status=1
small=$(fuzz_rate "$work/small.out")
wrk8b=$(wrk_rate "$WRK_SERVE_URL" 8 "$secs") || status=1
if [ -n "${wrk8:-}" ] && [ -n "${wrk8b:-}" ] && [ -n "$rate" ]; then
  wrk_mean=$(( (wrk8 + wrk8b) / 2 ))
  printf 'wrk, one fixed PATCH, 8 connections:   %8s requests/s (before %s, after %s)\n' "$wrk_mean" "$wrk8" "$wrk8b"
  printf 'whopconf fuzz --workers %-2s (%s req):  %8s requests/s = %s of wrk (goal: at least 0.50)\n' "$workers" \
    "$requests" "$rate" "$(awk -v a="$rate" -v b="$wrk_mean" 'BEGIN { printf "%.2f", a / b }')"
  [ -n "${small:-}" ] &&
    printf '  same, --max-request-body 4096:        %8s requests/s = %s of wrk\n' "$small" \
      "$(awk -v a="$small" -v b="$wrk_mean" 'BEGIN { printf "%.2f", a / b }')"
  client_line() { # LABEL RATE
    [ -n "$2" ] && printf '%-42s %6s requests/s = %s of wrk (fuzz = %s of it)\n' "$1" "$2" \
      "$(awk -v a="$2" -v b="$wrk_mean" 'BEGIN { printf "%.2f", a / b }')" \
      "$(awk -v a="$rate" -v b="$2" 'BEGIN { printf "%.2f", a / b }')"
  }
  client_line "bare libcurl, the fixed PATCH, $workers threads:" "$curl8"
  client_line "transport, own client, $workers threads:" "$own8"
  client_line "transport, libcurl, $workers threads:" "$tcurl8"
else
  echo "bench/fuzz: no rate figure (wrk ${wrk8:-?}/${wrk8b:-?}, fuzz ${rate:-?})" >&2
  status=1
fi

# cpu_of PID: utime + stime in clock ticks.
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# "30000 requests in 1.23 s (..." -> 30000
fuzz_sent() { grep -m1 -oE '[0-9]+ requests in' "$1" | grep -oE '^[0-9]+'; }
if [ -x /usr/bin/time ]; then
  cpu_requests=${FUZZ_BENCH_CPU_REQUESTS:-30000}
  cpu_workers=${FUZZ_BENCH_CPU_WORKERS:-2}
  fuzz_us=() serve_us=()
  for k in 1 2 3; do
    before=$(cpu_of "$WRK_SERVE_PID")
    timeout 900 /usr/bin/time -f '%U %S' -o "$work/cpu.time" "$whopconf" fuzz --base-url "$WRK_SERVE_URL" \
      --allow-writes --allow-picture-writes --phases fuzzing --no-shrink --workers "$cpu_workers" --seed 1 \
      --max-requests "$cpu_requests" --report-dir "$work/reports" --max-request-body 4096 \
      >"$work/cpu.out" 2>"$work/cpu.err"
    [ $? -le 1 ] || { echo "bench/fuzz: the CPU run failed: $(tail -n 1 "$work/cpu.err")" >&2; status=1; break; }
    after=$(cpu_of "$WRK_SERVE_PID")
    sent=$(fuzz_sent "$work/cpu.out")
    fuzz_us+=("$(tail -n 1 "$work/cpu.time" | awk -v n="$sent" '{ printf "%.1f", ($1 + $2) * 1e6 / n }')")
    serve_us+=("$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$sent" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')")
  done
  median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
  if [ "${#fuzz_us[@]}" -eq 3 ]; then
    printf 'whopconf fuzz --workers %s, 4 KiB bodies: %s us CPU per request (runs: %s), whopconf serve %s us\n' \
      "$cpu_workers" "$(median "${fuzz_us[@]}")" "${fuzz_us[*]}" "$(median "${serve_us[@]}")"
  fi
  run_prefix=(/usr/bin/time -v)
  if fuzz_run "$work/rss.out" "$rss_requests"; then
    rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/rss.out.err")
    printf 'whopconf fuzz, %s requests:          peak RSS %s MB (goal: under 50 MB), %s requests/s\n' \
      "$rss_requests" "$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')" "$(fuzz_rate "$work/rss.out")"
  else
    status=1
  fi
  run_prefix=()
  wrk_stop_serve
  # Many distinct failures: a server that ignores every accepted write
  # (each fails WC-UPD-001), so every location and edge class of the stream
  # is a finding of its own and its exchange is kept for the reports.
  if wrk_serve "$build" --fault update-ignored --max-body 8388608; then
    timeout 900 /usr/bin/time -v "$whopconf" fuzz --base-url "$WRK_SERVE_URL" --allow-writes --allow-picture-writes \
      --phases coverage,fuzzing --no-shrink --workers "$workers" --seed 1 --max-requests "$rss_requests" \
      --report-dir "$work/many" >"$work/many.out" 2>"$work/many.err"
    rc=$?
    if [ "$rc" -eq 1 ]; then
      rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/many.err")
      printf 'same, serve --fault update-ignored:      peak RSS %s MB with %s distinct findings (report.json %s KB)\n' \
        "$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')" \
        "$(grep -m1 -oE '[0-9]+ distinct findings' "$work/many.out" | grep -oE '^[0-9]+')" \
        "$(( $(stat -c %s "$work/many/report.json") / 1024 ))"
    else
      echo "bench/fuzz: the many-findings run exited $rc (expected 1): $(tail -n 1 "$work/many.err")" >&2
      status=1
    fi
  else
    status=1
  fi
else
  echo "bench/fuzz: /usr/bin/time missing (Debian package time): no RSS figure" >&2
fi
wrk_stop_serve

if [ -x "$build/bench-shrink" ]; then
  "$build/bench-shrink" || status=1
else
  echo "bench/fuzz: $build/bench-shrink missing (cmake --build $build --target bench)" >&2
fi
echo "bench/fuzz: load average after $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
