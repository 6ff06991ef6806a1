#!/usr/bin/env bash
# make fuzz FUZZ_SECONDS=60
#
# Builds every fuzz target with clang + libFuzzer + ASan/UBSan in build-fuzz
# (cJSON compiled in and instrumented when its Debian source can be had, see
# fuzz/fetch_cjson.sh), runs each target for FUZZ_SECONDS, two at a time (the
# machine's two cores), merges inputs that add coverage into corpus/<target>/
# (dropping any the target's framing rejects), and prints exec/s, coverage
# and crashes per target, with a bare-cJSON reference target run in the same
# campaign (paired with response_parser, so both see the same load).
#
#   fuzz/run.sh [SECONDS] [TARGET...]     (FUZZ_BUILD=dir to build elsewhere)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=fuzz/lib.sh
. "$ROOT/fuzz/lib.sh"

SECS=${1:-${FUZZ_SECONDS:-60}}
shift $(( $# > 0 ? 1 : 0 ))
BUILD=${FUZZ_BUILD:-$ROOT/build-fuzz}

if ! why=$(fuzz_clang_ok); then
  echo "make fuzz: $why" >&2
  exit 1
fi
cjson_note="Debian's shared libcjson (not instrumented: the fuzzer sees no edge inside cJSON)"
cjson_dir=""
if [ "${WC_FUZZ_CJSON:-fetch}" != "shared" ]; then
  if cjson_dir=$(bash "$ROOT/fuzz/fetch_cjson.sh" "$BUILD/_cjson"); then
    cjson_note="compiled in and instrumented from $cjson_dir"
  else
    cjson_dir=""
  fi
fi
echo "make fuzz: building in $BUILD (cJSON: $cjson_note)"
if [ $# -gt 0 ]; then
  FUZZ_BUILD_TARGETS="fuzz_cjson_bare"
  for t in "$@"; do FUZZ_BUILD_TARGETS="$FUZZ_BUILD_TARGETS fuzz_$t fuzz_${t}_replay"; done
  export FUZZ_BUILD_TARGETS
fi
fuzz_build "$BUILD" "$cjson_dir" || exit 1

mapfile -t built < "$BUILD/fuzz/targets.txt"
if [ $# -gt 0 ]; then targets=("$@"); else targets=("${built[@]}"); fi
RUN="$BUILD/runs/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$RUN"

# The bare cJSON reference reads the JSON seeds but never writes to them.
bare_corpus="$RUN/cjson_bare.seeds"
mkdir -p "$bare_corpus"
cp "$ROOT"/corpus/json_strict/* "$ROOT"/corpus/user_validator/* "$bare_corpus"/ 2>/dev/null || true

run_target() {
  local t=$1
  if [ "$t" = cjson_bare ]; then
    fuzz_run_one "$BUILD/fuzz/fuzz_cjson_bare" json_strict "$SECS" "$RUN/cjson_bare" "$bare_corpus"
  else
    fuzz_run_one "$BUILD/fuzz/fuzz_$t" "$t" "$SECS" "$RUN/$t" "$ROOT/corpus/$t"
  fi
}

# Pairs: response_parser next to the reference so their exec/s compare.
queue=()
for t in "${targets[@]}"; do [ "$t" != response_parser ] && queue+=("$t"); done
order=()
if printf '%s\n' "${targets[@]}" | grep -qx response_parser; then order+=(response_parser cjson_bare); fi
order+=("${queue[@]}")
[ ${#order[@]} -eq 0 ] && { echo "make fuzz: no target" >&2; exit 1; }
printf '%s\n' "${order[@]}" | grep -qx cjson_bare || order+=(cjson_bare)

echo "make fuzz: ${#order[@]} runs of ${SECS}s, two at a time (logs in $RUN)"
i=0
while [ $i -lt ${#order[@]} ]; do
  pids=()
  for t in "${order[@]:$i:2}"; do
    echo "  fuzzing $t ..."
    run_target "$t" &
    pids+=($!)
  done
  wait "${pids[@]}"
  i=$((i + 2))
done

# Merge what added coverage, then drop anything the framing rejects.
merged_total=0
declare -A merged
for t in "${targets[@]}"; do
  work="$RUN/$t"
  [ -d "$work/new" ] || continue
  before=$(mktemp)
  ls "$ROOT/corpus/$t" | sort > "$before"
  WC_FUZZ_TOLERATE=$(fuzz_tolerate_list) "$BUILD/fuzz/fuzz_$t" -merge=1 "$ROOT/corpus/$t" "$work/new" \
    >"$work/merge.log" 2>&1 || echo "  merge of $t failed: see $work/merge.log"
  : > "$work/dropped.txt"
  mapfile -t fresh < <(ls "$ROOT/corpus/$t" | sort | comm -13 "$before" - | sed "s|^|$ROOT/corpus/$t/|")
  if [ ${#fresh[@]} -gt 0 ]; then
    # Kept only if the framing takes it and it runs clean without
    # WC_FUZZ_TOLERATE (ctest replays the seeds that way): an input that only
    # reproduces a known-open bug is not a seed.
    { "$BUILD/fuzz/fuzz_${t}_replay" --check-framing "${fresh[@]}" | sed -n 's/^.*: framing rejects //p'
      env -u WC_FUZZ_TOLERATE "$BUILD/fuzz/fuzz_${t}_replay" --list-crashes "${fresh[@]}" 2>/dev/null |
        sed -n 's/^crash: //p'; } | sort -u > "$work/dropped.txt"
    xargs -r rm -f < "$work/dropped.txt"
  fi
  n=$(( ${#fresh[@]} - $(wc -l < "$work/dropped.txt") ))
  rm -f "$before"
  merged[$t]=$n
  merged_total=$((merged_total + n))
done

printf '\n%-16s %10s %8s %6s %7s %8s %7s %7s\n' target execs exec/s cov ft corpus merged crashes
crash_total=0
for t in "${order[@]}"; do
  read -r execs eps cov ft crashes < <(fuzz_stats "$RUN/$t")
  if [ "$t" = cjson_bare ]; then size=$(ls "$bare_corpus" | wc -l); else size=$(ls "$ROOT/corpus/$t" | wc -l); fi
  printf '%-16s %10s %8s %6s %7s %8s %7s %7s\n' "$t" "$execs" "$eps" "$cov" "$ft" "$size" "${merged[$t]:--}" "$crashes"
  crash_total=$((crash_total + crashes))
  eval "eps_$t=$eps"
done
if [ -n "${eps_response_parser:-}" ] && [ "${eps_cjson_bare:-0}" -gt 0 ]; then
  pct=$(( (200 * eps_response_parser / eps_cjson_bare + 1) / 2 ))  # rounded
  echo "response_parser runs at ${pct}% of bare cJSON's exec/s in this run (goal: at least 50%)"
fi
echo "cJSON: $cjson_note"
echo "merged into corpus/: $merged_total new inputs"
if [ "$crash_total" -gt 0 ]; then
  echo "CRASHES: $crash_total; reproducers:"
  find "$RUN" -path '*/artifacts/*' -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) -printf '  %p\n'
  echo "Save each under corpus/regressions/<target>/ with a name saying what it breaks."
  exit 1
fi
exit 0
