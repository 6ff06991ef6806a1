#!/usr/bin/env bash
# make fuzz-coverage: line coverage of harness/src reached by the corpora
# alone (no fuzzing). Builds the replayers with clang source-based coverage
# (WHOPCONF_COVERAGE=ON) in build-cov, replays corpus/<target>/ and
# corpus/regressions/<target>/ through each, and prints llvm-cov's report of
# harness/src per file, then the goal check (>= 90% of lines) for the
# builder, the response parser, strict JSON, the validator, the traffic
# reader (HAR/NDJSON, traffic/capture*.c) and the generator with its
# shrinker (harness/src/gen/): exits 1 when
# one is below it (ctest fuzz_coverage_goal), 77 without clang/llvm-cov.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${COV_BUILD:-$ROOT/build-cov}
# COV_CORPUS: another corpus root (ctest uses an empty one to see the goal fail).
CORPUS=${COV_CORPUS:-$ROOT/corpus}
cd "$ROOT"
for tool in clang llvm-profdata llvm-cov; do
  # 77: ctest's fuzz_coverage_goal reports it as skipped, with the reason.
  command -v $tool >/dev/null || { echo "fuzz-coverage SKIPPED: $tool not found (apt-get install clang llvm)"; exit 77; }
done
mkdir -p "$BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DWHOPCONF_COVERAGE=ON \
  >"$BUILD/configure.log" 2>&1 || { cat "$BUILD/configure.log"; exit 1; }
cmake --build "$BUILD" --target fuzz_all -j 2 >"$BUILD/build.log" 2>&1 ||
  { grep -E "error" "$BUILD/build.log" | head -20; echo "fuzz-coverage: build failed, see $BUILD/build.log"; exit 1; }
mapfile -t targets < "$BUILD/fuzz/targets.txt"
rm -rf "$BUILD/prof"
mkdir -p "$BUILD/prof"
objects=()
# Coverage is about reach, not verdicts: the invariants relaxed for known-open
# bugs are relaxed here too, so that no replay aborts before writing its profile.
export WC_FUZZ_TOLERATE
WC_FUZZ_TOLERATE=$(sed -n 's/^# tolerate: *//p' "$ROOT/fuzz/known-open.txt" | tr -d ' ')
for t in "${targets[@]}"; do
  LLVM_PROFILE_FILE="$BUILD/prof/$t-%p.profraw" "$BUILD/fuzz/fuzz_$t" --known-open "$ROOT/fuzz/known-open.txt" \
    "$CORPUS/$t" "$CORPUS/regressions/$t" | tail -1
  objects+=(-object "$BUILD/fuzz/fuzz_$t")
done
llvm-profdata merge -sparse "$BUILD"/prof/*.profraw -o "$BUILD/corpus.profdata" || exit 1
# The first -object is the positional binary.
llvm-cov report "${objects[@]:1}" -instr-profile="$BUILD/corpus.profdata" "$ROOT/harness/src" \
  | sed "s|$ROOT/||" | tee "$BUILD/report.txt"
echo
echo "goal: at least 90% of lines of the builder, response parser, strict JSON, validator, traffic reader and generator"
status=0
# Report rows: Filename Regions Missed Cover Functions Missed Executed Lines Missed Cover ...
# A prefix ending in / names a folder: every file in it.
for group in "request builder:request" "response parser:response" "strict JSON:json_strict" "validator:schema" \
             "traffic reader:capture" "generator:gen/"; do
  label=${group%%:*} prefix=${group#*:}
  awk -v p="$prefix" -v label="$label" '
    $1 ~ ("(^|/)" p "[_.a-z]*\\.c$") { lines += $8; missed += $9; files = files " " $1 }
    END {
      if (lines == 0) { printf "  %-16s not reached\n", label; exit 1 }
      pct = 100 * (lines - missed) / lines
      verdict = "met"; if (pct < 90) verdict = "BELOW 90%"
      printf "  %-16s %5.1f%% of %d lines %s (%s )\n", label, pct, lines, verdict, files
      if (pct < 90) exit 1
    }' "$BUILD/report.txt" || status=1
done
echo "per-line detail: llvm-cov show ${objects[*]:1} -instr-profile=$BUILD/corpus.profdata harness/src/<subsystem>/<file>.c"
exit $status
