#!/bin/bash -eu
# Builds whopconf's fuzz targets the way OSS-Fuzz / ClusterFuzzLite does:
# only $CC, $CFLAGS, $LIB_FUZZING_ENGINE and $OUT (and $SRC, where the
# Dockerfile puts cJSON's source) are used; no CMake. For each target T it
# writes $OUT/T, $OUT/T_seed_corpus.zip, $OUT/T.dict and $OUT/T.options, and
# the shared libraries the targets need beyond glibc in $OUT/lib.
# The local check (fuzz/check_cfl_build.sh, ctest fuzz_clusterfuzzlite_build)
# runs it with the variables set as OSS-Fuzz sets them.

# `bash build.sh` ignores the -eu of the first line: set here so that a
# failed compile or link stops the build instead of being reported built.
set -eu

# The repository: the working directory (the Dockerfile's WORKDIR), else
# $SRC/whopconf, else the folder above this script.
if [ -f "$PWD/spec/openapi.yml" ] && [ -d "$PWD/fuzz" ]; then
  ROOT=$PWD
elif [ -f "${SRC:-/nonexistent}/whopconf/spec/openapi.yml" ]; then
  ROOT=$SRC/whopconf
else
  ROOT=$(cd "$(dirname "$0")/.." && pwd)
fi
BUILD=$(mktemp -d)
trap 'rm -rf "$BUILD"' EXIT
mkdir -p "$BUILD/obj" "$BUILD/include/cjson" "$OUT"

STD="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE"
INC="-I$ROOT/harness/include -I$ROOT/fuzz"

# cJSON: compiled in (and so instrumented) when its source is in $SRC/cjson,
# as the Dockerfile arranges; otherwise the system's shared library.
CJSON_OBJ=""
CJSON_LIB="-lcjson"
if [ -f "${SRC:-/nonexistent}/cjson/cJSON.c" ]; then
  cp "$SRC/cjson/cJSON.h" "$BUILD/include/cjson/cJSON.h"
  INC="-I$BUILD/include $INC"
  $CC $CFLAGS -I"$SRC/cjson" -c "$SRC/cjson/cJSON.c" -o "$BUILD/obj/cjson.o"
  CJSON_OBJ="$BUILD/obj/cjson.o"
  CJSON_LIB=""
  echo "build.sh: cJSON compiled in from $SRC/cjson"
fi

# The contract and the report templates, embedded as the CMake build does
# (cmake/embed_script.cmake): embed FILE SYMBOL OUTPUT.c
embed() {
  {
    echo '#include <stddef.h>'
    echo "const unsigned char $2[] = {"
    od -An -v -tx1 "$1" | sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'
    echo '0x00};'
    echo "const size_t $2_len = $(wc -c < "$1");"
  } > "$3"
}
embed "$ROOT/spec/openapi.yml" wc_embedded_spec "$BUILD/embedded_spec.c"
embedded=("$BUILD/embedded_spec.c")
for asset in html css js; do
  embed "$ROOT/reports/templates/report.$asset" "wc_report_${asset}_template" "$BUILD/embedded_report_$asset.c"
  embedded+=("$BUILD/embedded_report_$asset.c")
done

# Every module into one archive: the linker takes only what a target uses.
objs=()
for src in $(find "$ROOT/harness/src" -name '*.c' | sort) "${embedded[@]}"; do
  obj="$BUILD/obj/$(basename "$src" .c).o"
  $CC $CFLAGS $STD $INC -c "$src" -o "$obj"
  objs+=("$obj")
done
ar rcs "$BUILD/libwhopconf.a" "${objs[@]}"
$CC $CFLAGS $STD $INC -c "$ROOT/fuzz/fuzz_support.c" -o "$BUILD/obj/fuzz_support.o"
$CC $CFLAGS $STD $INC -c "$ROOT/fuzz/fuzz_schemas.c" -o "$BUILD/obj/fuzz_schemas.o"
SUPPORT="$BUILD/obj/fuzz_support.o $BUILD/obj/fuzz_schemas.o"

# ClusterFuzzLite and OSS-Fuzz run the targets in their base-runner image,
# which has glibc but neither libcurl, libyaml nor their dependencies: those
# are bundled in $OUT/lib and found through an RPATH of $ORIGIN/lib (DT_RPATH,
# not RUNPATH, so that it also serves the libraries' own dependencies).
# --as-needed keeps out what a target does not use (libmicrohttpd).
LINK_FLAGS='-Wl,--as-needed -Wl,-rpath,$ORIGIN/lib -Wl,--disable-new-dtags'
bundle_libs() { # bundle_libs BINARY
  mkdir -p "$OUT/lib"
  ldd "$1" | awk '/=> \// {print $3}' | while read -r lib; do
    name=$(basename "$lib")
    case "$name" in
      libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|libresolv.so.*|ld-linux*|libgcc_s.so.*|libstdc++.so.*) ;;
      *) [ -f "$OUT/lib/$name" ] || cp -L "$lib" "$OUT/lib/$name" ;;
    esac
  done
}

# The targets, from fuzz/targets.cmake.
targets=$(sed -n 's/^set(WC_FUZZ_TARGETS \(.*\))$/\1/p' "$ROOT/fuzz/targets.cmake")
zip_dir() { # zip_dir DIR ZIPFILE: the files of DIR, flat
  if command -v zip >/dev/null 2>&1; then
    (cd "$1" && zip -q -j "$2" ./*)
  else
    python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir(src)):
        z.write(os.path.join(src, name), name)
PY
  fi
}
for t in $targets; do
  $CC $CFLAGS $STD $INC "$ROOT/fuzz/fuzz_$t.c" $SUPPORT $CJSON_OBJ "$BUILD/libwhopconf.a" \
    $LIB_FUZZING_ENGINE $LINK_FLAGS -lcurl -lyaml -lmicrohttpd $CJSON_LIB -lpthread -lm -o "$OUT/$t"
  bundle_libs "$OUT/$t"
  rm -f "$OUT/${t}_seed_corpus.zip"
  zip_dir "$ROOT/corpus/$t" "$OUT/${t}_seed_corpus.zip"
  cp "$ROOT/corpus/$t.dict" "$OUT/$t.dict"
  cp "$ROOT/corpus/$t.options" "$OUT/$t.options"
  echo "build.sh: $t built"
done
