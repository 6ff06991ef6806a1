#!/usr/bin/env bash
# The benchmarks: bash bench/run.sh <builddir> [bench-validate options]
# (make bench does this); then bench_run.sh (a full run), wrk.sh (the
# HTTP ceiling of whopconf serve), wrk_proxy.sh (whopconf proxy in front of
# it) and bench_fuzz.sh (whopconf fuzz next to wrk). bench-validate times, in
# one process, cJSON alone and the strict pass + parse + User-schema
# validation on the three documents of this folder; options such as
# --runs 9 or --clock cpu are passed on to it.
set -euo pipefail
build=${1:-build}
shift || true
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin="$build/bench-validate"
if [ ! -x "$bin" ]; then
  cmake --build "$build" --target bench-validate -j 2 >/dev/null
fi
"$bin" "$@" "$here/user_typical.json" "$here/user_1000_balances.json" "$here/user_invalid_missing_created_at.json"
# Other benchmarks of the project, when present.
if [ -f "$here/bench_run.sh" ]; then
  bash "$here/bench_run.sh" "$build"
fi
# The HTTP ceiling: wrk against `whopconf serve` (skipped, 77, when wrk
# cannot be installed).
rc=0
bash "$here/wrk.sh" "$build" || rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || exit "$rc"
# whopconf fuzz next to wrk on the same server, its peak RSS for 100,000
# requests, the requests to shrink a 64 KiB string.
rc=0
bash "$here/bench_fuzz.sh" "$build" || rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || exit "$rc"
# The validating proxy against the same server, in one run (skipped, 77,
# like wrk.sh).
rc=0
bash "$here/wrk_proxy.sh" "$build" || rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || exit "$rc"
# `whopconf check` over generated HAR captures (MB/s, peak RSS).
bash "$here/bench_check.sh" "$build"
