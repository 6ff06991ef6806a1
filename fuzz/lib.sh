# Shared by fuzz/run.sh, fuzz/smoke.sh and fuzz/coverage.sh (sourced).
# Expects ROOT (the repository) to be set.

# 0 when clang can build and link a libFuzzer target; prints why not otherwise.
fuzz_clang_ok() {
  local cc=${FUZZ_CC:-clang} tmp
  if ! command -v "$cc" >/dev/null 2>&1; then
    echo "clang not found (apt-get install clang libclang-rt-14-dev)"
    return 1
  fi
  tmp=$(mktemp -d)
  printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' > "$tmp/t.c"
  if ! "$cc" -fsanitize=fuzzer,address,undefined "$tmp/t.c" -o "$tmp/t" >"$tmp/log" 2>&1; then
    echo "$cc cannot link -fsanitize=fuzzer (libclang-rt-14-dev missing?): $(head -c 300 "$tmp/log")"
    rm -rf "$tmp"
    return 1
  fi
  rm -rf "$tmp"
  return 0
}

# fuzz_build DIR [CJSON_SRC_DIR] [extra cmake args...]: configures a clang
# libFuzzer build in DIR and builds every fuzz target in it (or the CMake
# targets listed in $FUZZ_BUILD_TARGETS).
fuzz_build() {
  local dir=$1 cjson=${2:-}
  shift 2 || shift $#
  mkdir -p "$dir"
  if ! cmake -S "$ROOT" -B "$dir" -DCMAKE_C_COMPILER="${FUZZ_CC:-clang}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DWHOPCONF_FUZZ=ON -DWHOPCONF_FUZZ_CJSON_SRC="$cjson" "$@" >"$dir/configure.log" 2>&1; then
    cat "$dir/configure.log" >&2
    return 1
  fi
  # shellcheck disable=SC2086
  if ! cmake --build "$dir" --target ${FUZZ_BUILD_TARGETS:-fuzz_all} -j 2 >"$dir/build.log" 2>&1; then
    grep -E "error|Error" "$dir/build.log" | head -20 >&2
    echo "fuzz build failed: see $dir/build.log" >&2
    return 1
  fi
}

# libFuzzer flags from corpus/<target>.options ([libfuzzer] key = value) and
# the dictionary; the dict path in the file is relative to corpus/.
fuzz_target_flags() {
  local t=$1 opts="$ROOT/corpus/$1.options" key value
  if [ -f "$opts" ]; then
    while IFS='=' read -r key value; do
      key=$(echo "$key" | tr -d ' '); value=$(echo "$value" | sed 's/^ *//; s/ *$//')
      case "$key" in
        ''|\[*|\#*) ;;
        dict) echo "-dict=$ROOT/corpus/$value" ;;
        *) echo "-$key=$value" ;;
      esac
    done < "$opts"
  elif [ -f "$ROOT/corpus/$t.dict" ]; then
    echo "-dict=$ROOT/corpus/$t.dict"
  fi
}

# The invariants to relax for bugs reported but not fixed yet.
fuzz_tolerate_list() {
  sed -n 's/^# tolerate: *//p' "$ROOT/fuzz/known-open.txt" 2>/dev/null | tr -d ' ' | paste -sd, -
}

# fuzz_run_one BIN TARGET SECONDS WORKDIR [CORPUS_DIRS...]: one libFuzzer
# campaign; new inputs go to WORKDIR/new, crashes to WORKDIR/artifacts,
# the log to WORKDIR/log.
fuzz_run_one() {
  local bin=$1 t=$2 secs=$3 work=$4
  shift 4
  mkdir -p "$work/new" "$work/artifacts"
  # A smaller ASan quarantine and no malloc fill: 2x the exec/s on the
  # allocation-heavy targets (measured on json_strict), use-after-free still
  # caught within 16 MB of later allocations. $ASAN_OPTIONS overrides.
  # shellcheck disable=SC2046
  ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16:max_malloc_fill_size=0} \
  WC_FUZZ_TOLERATE=$(fuzz_tolerate_list) "$bin" "$work/new" "$@" $(fuzz_target_flags "$t") \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" >"$work/log" 2>&1 || true
}

# Prints "execs exec/s cov ft crashes" from a run's folder.
fuzz_stats() {
  local work=$1 execs eps cov ft crashes
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$work/log" | tail -1 | awk '{print $2}')
  ft=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$work/log" | tail -1 | awk '{print $4}')
  crashes=$(find "$work/artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) 2>/dev/null | wc -l)
  echo "${execs:-0} ${eps:-0} ${cov:-0} ${ft:-0} $crashes"
}
