#!/usr/bin/env bash
# Puts the source of the installed cJSON (Debian's source package of the
# same version, Debian patches applied) under DEST and prints the folder
# holding cJSON.c. The fuzz build compiles it in, instrumented, because the
# shared libcjson.so is opaque to the fuzzer (a bare cJSON target sees one
# edge). Uses apt-get with a private deb-src list; changes nothing on the
# system. Cached: a second call prints the folder at once. Exit 1 (with the
# reason on stderr) when the source cannot be had, e.g. offline.
#   fuzz/fetch_cjson.sh DEST
set -euo pipefail
DEST=${1:?usage: fetch_cjson.sh DEST}
mkdir -p "$DEST"
DEST=$(cd "$DEST" && pwd)
version=$(dpkg-query -W -f='${Version}' libcjson-dev 2>/dev/null || true)
if [ -z "$version" ]; then
  echo "fetch_cjson: libcjson-dev is not installed" >&2
  exit 1
fi
upstream=${version%%-*}
src="$DEST/cjson-$upstream"
if [ -f "$src/cJSON.c" ] && [ "$(cat "$DEST/version" 2>/dev/null)" = "$version" ]; then
  echo "$src"
  exit 0
fi
for tool in apt-get dpkg-source; do
  command -v $tool >/dev/null || { echo "fetch_cjson: $tool not found" >&2; exit 1; }
done
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
apt="$DEST/apt"
rm -rf "$apt" "$src"
mkdir -p "$apt/lists/partial" "$apt/dl"
printf 'deb-src http://deb.debian.org/debian %s main\ndeb-src http://deb.debian.org/debian-security %s-security main\n' \
  "$codename" "$codename" > "$apt/sources.list"
opts=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o Dir::Etc::sourceparts=/dev/null
      -o "Dir::State::Lists=$apt/lists" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
if ! timeout 300 apt-get "${opts[@]}" -qq update >"$apt/log" 2>&1; then
  echo "fetch_cjson: apt-get update of the deb-src list failed (offline?); see $apt/log" >&2
  exit 1
fi
if ! (cd "$apt/dl" && timeout 300 apt-get "${opts[@]}" -qq source --download-only "cjson=$version" >>"$apt/log" 2>&1); then
  echo "fetch_cjson: apt-get source cjson=$version failed; see $apt/log" >&2
  exit 1
fi
dsc=$(ls "$apt/dl"/cjson_*.dsc | head -1)
if ! dpkg-source -x "$dsc" "$src" >>"$apt/log" 2>&1; then
  echo "fetch_cjson: dpkg-source -x failed; see $apt/log" >&2
  exit 1
fi
echo "$version" > "$DEST/version"
echo "$src"
