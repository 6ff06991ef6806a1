#!/usr/bin/env bash
# ctest fuzz_clusterfuzzlite_build: runs .clusterfuzzlite/build.sh locally
# with the variables set the way OSS-Fuzz sets them (no Docker here), then
# checks what it emitted for every target: an executable fuzzer that runs its
# seed corpus, <t>_seed_corpus.zip holding exactly corpus/<t>/ (checked with
# python3's zipfile, else unzip), <t>.dict and <t>.options, and that every
# shared library beyond glibc resolves from $OUT/lib (the runner image has
# none of them).
# Exits 77 (skipped) when clang cannot link libFuzzer.
#   fuzz/check_cfl_build.sh WORKDIR
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=fuzz/lib.sh
. "$ROOT/fuzz/lib.sh"
WORK=${1:?usage: check_cfl_build.sh WORKDIR}
if ! why=$(fuzz_clang_ok); then
  echo "clusterfuzzlite build check SKIPPED: $why"
  exit 77
fi
rm -rf "$WORK"
mkdir -p "$WORK/out" "$WORK/src"
echo "running .clusterfuzzlite/build.sh with CC=clang CFLAGS=-fsanitize=address,fuzzer-no-link LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=$WORK/out"
if ! (cd "$ROOT" && CC=clang CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address,fuzzer-no-link" \
      LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT="$WORK/out" SRC="$WORK/src" \
      bash .clusterfuzzlite/build.sh) >"$WORK/build.log" 2>&1; then
  tail -30 "$WORK/build.log"
  echo "FAIL: build.sh failed"
  exit 1
fi
grep '^build.sh:' "$WORK/build.log"

zip_names() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import sys, zipfile; print("\n".join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))' "$1"
  elif command -v unzip >/dev/null 2>&1; then
    unzip -Z1 "$1" | sort
  else
    echo "neither python3 nor unzip to read $1" >&2
    return 1
  fi
}

targets=$(sed -n 's/^set(WC_FUZZ_TARGETS \(.*\))$/\1/p' "$ROOT/fuzz/targets.cmake")
passed=0 failed=0 skipped=0
for t in $targets; do
  if grep -q "^build.sh: $t skipped" "$WORK/build.log"; then
    skipped=$((skipped + 1))
    continue
  fi
  problems=""
  out="$WORK/out"
  [ -x "$out/$t" ] || problems="$problems no-binary"
  [ -s "$out/$t.dict" ] || problems="$problems no-dict"
  [ -s "$out/$t.options" ] || problems="$problems no-options"
  if [ -f "$out/${t}_seed_corpus.zip" ]; then
    want=$(ls "$ROOT/corpus/$t" | sort)
    got=$(zip_names "$out/${t}_seed_corpus.zip")
    [ "$want" = "$got" ] || problems="$problems seed-zip-differs-from-corpus"
  else
    problems="$problems no-seed-zip"
  fi
  if [ -x "$out/$t" ]; then
    # The runner image has glibc only: every other library must come from
    # $OUT/lib, through the RPATH $ORIGIN/lib.
    readelf -d "$out/$t" | grep -q 'Library rpath: \[\$ORIGIN/lib\]' || problems="$problems no-rpath-origin-lib"
    outside=$(ldd "$out/$t" | awk '/=> \// {print $3}' | grep -v "^$out/lib/" |
      grep -Ev '/(libc|libm|libpthread|libdl|librt|libresolv|libgcc_s|libstdc\+\+)\.so|/ld-linux' || true)
    [ -z "$outside" ] && bundled=$(ldd "$out/$t" | grep -c "$out/lib/") ||
      problems="$problems libs-outside-OUT:$(echo $outside | tr ' ' ',')"
    # -runs=0: execute the seed corpus once, as OSS-Fuzz's check_build does.
    if ! WC_FUZZ_TOLERATE=$(fuzz_tolerate_list) "$out/$t" -runs=0 "$ROOT/corpus/$t" >"$WORK/$t.run.log" 2>&1; then
      problems="$problems seeds-crash($WORK/$t.run.log)"
    fi
  fi
  if [ -z "$problems" ]; then
    passed=$((passed + 1))
    echo "ok   $t: binary ($bundled libraries from \$OUT/lib), $(ls "$ROOT/corpus/$t" | wc -l) seeds zipped, dict, options"
  else
    failed=$((failed + 1))
    echo "FAIL $t:$problems"
  fi
done
echo "clusterfuzzlite build: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
