#!/usr/bin/env bash
# `whopconf check` over generated HAR captures (bench/gen_traffic_har.py):
# MB/s (10^6 bytes per second of wall time, and per second of CPU time, user
# + system, which stays meaningful on a loaded machine) and peak RSS
# (/usr/bin/time -v),
# for a 50 MB and a 200 MB file, to show memory does not follow the size.
# Goals: 200 MB/s or more, peak RSS under 100 MB.
# usage: bench_check.sh BUILD_DIR [SIZE_MB...]   (default sizes: 50 200)
set -euo pipefail
build=${1:-build}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(50 200)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
whopconf="$build/whopconf"
[ -x "$whopconf" ] || { echo "bench_check: $whopconf not built"; exit 1; }
[ -x /usr/bin/time ] || { echo "bench_check: /usr/bin/time missing (apt-get install time)"; exit 1; }
work="$build/bench-check"
mkdir -p "$work"
printf '%-8s %11s %8s %8s %8s %8s %9s %9s %s\n' "capture" "bytes" "entries" "wall s" "MB/s" "CPU s" "CPU MB/s" "RSS (MB)" "exit"
for mb in "${sizes[@]}"; do
  har="$work/traffic-$mb.har"
  [ -s "$har" ] || python3 "$here/gen_traffic_har.py" "$mb" "$har" >/dev/null
  bytes=$(stat -c %s "$har")
  rm -rf "$work/reports-$mb"
  set +e
  /usr/bin/time -v "$whopconf" check --report-dir "$work/reports-$mb" "$har" >"$work/check-$mb.out" 2>"$work/time-$mb.txt"
  rc=$?
  set -e
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$work/time-$mb.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$work/time-$mb.txt")
  entries=$(sed -n 's/.*: \([0-9]*\) exchanges,.*/\1/p' "$work/check-$mb.out")
  cpu=$(awk -F": " '/User time|System time/ {s += $2} END {print s}' "$work/time-$mb.txt")
  mbps=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0) ? b / 1e6 / s : 0 }')
  cpu_mbps=$(awk -v b="$bytes" -v s="$cpu" 'BEGIN { printf "%.0f", (s > 0) ? b / 1e6 / s : 0 }')
  printf '%-8s %11s %8s %8s %8s %8s %9s %9s %s\n' "$mb MB" "$bytes" "$entries" "$secs" "$mbps" "$cpu" "$cpu_mbps" "$rss" "$rc"
done
