#!/usr/bin/env bash
# ctest install: `cmake --install` into a temporary prefix, then what a user
# of the installed tree gets: bin/whopconf runs (version; a conformance run
# against its embedded server, exit 0, reports written), man finds and renders
# share/man/man1/whopconf.1 without warnings, and bash loads
# share/bash-completion/completions/whopconf.
#
# usage: tests/install.sh BUILD_DIR WORKDIR
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:?usage: install.sh BUILD_DIR WORKDIR}
WORK=${2:?usage: install.sh BUILD_DIR WORKDIR}
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK" || exit 2
PREFIX=$WORK/prefix

. "$HERE/support/checks.sh"

if ! cmake --install "$BUILD" --prefix "$PREFIX" >install.log 2>&1; then
  cat install.log
  echo "FAIL cmake --install"
  exit 1
fi
BIN=$PREFIX/bin/whopconf
PAGE=$PREFIX/share/man/man1/whopconf.1
COMPLETION=$PREFIX/share/bash-completion/completions/whopconf
check "bin/whopconf is installed and executable" test -x "$BIN"
check "man1/whopconf.1 is installed" test -f "$PAGE"
check "the bash completion is installed" test -f "$COMPLETION"
check "nothing else is installed" test "$(find "$PREFIX" -type f | wc -l)" -eq 3

# The installed binary, run from elsewhere (not the build tree).
version=$("$BIN" version)
rc=$?
check "whopconf version exits 0" test $rc -eq 0
check "whopconf version prints 'whopconf X.Y.Z' ($version)" \
  bash -c '[[ $1 =~ ^whopconf\ [0-9]+\.[0-9]+\.[0-9]+$ ]]' _ "$version"

"$BIN" run --report-dir "$WORK/reports" -j 2 >run.out 2>run.err
rc=$?
check "whopconf run against the embedded server exits 0 (got $rc)" test $rc -eq 0
[ $rc -eq 0 ] || { tail -5 run.out; cat run.err; }
check "the run wrote report.json" test -s "$WORK/reports/report.json"
check "report.json says conformant" \
  python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["summary"]["verdict"] != "pass")' \
  "$WORK/reports/report.json"

# man renders the page from the prefix, without warnings.
LC_ALL=C MANWIDTH=100 man --warnings -P cat -l "$PAGE" >man.out 2>man.err
rc=$?
check "man -l renders the page (exit $rc)" test $rc -eq 0
check "man reports no warnings" test ! -s man.err
[ -s man.err ] && cat man.err
check "the page has NAME, SYNOPSIS, COMMANDS, EXIT STATUS" \
  bash -c 'for s in NAME SYNOPSIS COMMANDS "EXIT STATUS"; do grep -q "^$s\$" man.out || exit 1; done'
check "the page names the installed version (${version#whopconf })" grep -q "whopconf ${version#whopconf }" man.out
check "man finds the page through the prefix's MANPATH" \
  test "$(MANPATH=$PREFIX/share/man man -w whopconf 2>/dev/null)" = "$PAGE"

# bash loads the completion and registers it for whopconf.
check "the completion loads and registers _whopconf" \
  bash -c 'source "$1" && complete -p whopconf | grep -q -- "-F _whopconf whopconf"' _ "$COMPLETION"
offered=$(bash -c 'source "$1"; COMP_WORDS=(whopconf ""); COMP_CWORD=1; _whopconf whopconf "" whopconf;
  printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPLETION" | tr '\n' ' ')
for command in $("$BIN" --help | awk '/^commands:/ {on = 1; next} on && NF == 0 {exit} on {print $1}'); do
  check "the completion offers $command" grep -qw -- "$command" <<<"$offered"
done

checks_summary install
