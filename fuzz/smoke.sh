#!/usr/bin/env bash
# Bounded smoke run of every fuzz target (ctest: fuzz_smoke).
#   fuzz/smoke.sh BUILD_DIR [SECONDS]     (SECONDS default $FUZZ_SMOKE_SECONDS or 10)
# Builds the libFuzzer targets with clang in BUILD_DIR (a tree of its own,
# apart from the ctest build), runs each for SECONDS on a scratch copy of its
# corpus (the repository is not touched), two at a time, and fails on any
# crash, printing the reproducer path. Exits 77 (ctest: skipped) with the
# reason when clang with libFuzzer is not available.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=fuzz/lib.sh
. "$ROOT/fuzz/lib.sh"
BUILD=${1:?usage: smoke.sh BUILD_DIR [SECONDS]}
SECS=${2:-${FUZZ_SMOKE_SECONDS:-10}}

if ! why=$(fuzz_clang_ok); then
  echo "fuzz smoke SKIPPED: $why"
  exit 77
fi
# cJSON: the instrumented copy if make fuzz already fetched it, otherwise
# the shared library (a test never goes to the network).
cjson=""
for d in "$ROOT"/build-fuzz/_cjson/cjson-*; do [ -f "$d/cJSON.c" ] && cjson=$d; done
echo "fuzz smoke: building in $BUILD"
fuzz_build "$BUILD" "$cjson" || exit 1
mapfile -t targets < "$BUILD/fuzz/targets.txt"
RUN=$(mktemp -d "${TMPDIR:-/tmp}/whopconf-smoke.XXXXXX")
i=0
while [ $i -lt ${#targets[@]} ]; do
  pids=()
  for t in "${targets[@]:$i:2}"; do
    mkdir -p "$RUN/$t/seeds"
    cp "$ROOT/corpus/$t/"* "$RUN/$t/seeds/" 2>/dev/null || true
    fuzz_run_one "$BUILD/fuzz/fuzz_$t" "$t" "$SECS" "$RUN/$t" "$RUN/$t/seeds" &
    pids+=($!)
  done
  wait "${pids[@]}"
  i=$((i + 2))
done
failed=0
printf '%-16s %10s %8s %6s %7s\n' target execs exec/s cov crashes
for t in "${targets[@]}"; do
  read -r execs eps cov ft crashes < <(fuzz_stats "$RUN/$t")
  printf '%-16s %10s %8s %6s %7s\n' "$t" "$execs" "$eps" "$cov" "$crashes"
  if [ "$crashes" -gt 0 ] || [ "$execs" = 0 ]; then
    failed=1
    echo "FAIL $t: log $RUN/$t/log"
    grep -E "ERROR|invariant failed|SUMMARY" "$RUN/$t/log" | head -5
    find "$RUN/$t/artifacts" -type f -printf '  reproducer: %p\n'
  fi
done
if [ $failed -eq 0 ]; then
  echo "fuzz smoke: ${#targets[@]} passed, 0 failed"
  rm -rf "$RUN"
  exit 0
fi
echo "fuzz smoke: crashes found (reproducers kept in $RUN); save them under corpus/regressions/<target>/"
exit 1
