#!/usr/bin/env bash
# whopconf fuzz's progress line: on a terminal (a pseudo-terminal made by
# script(1)) it is redrawn with \r and shows requests, req/s, findings and the
# time left; with stdout and stderr redirected to files, not a byte of it.
# usage: fuzz_progress.sh WHOPCONF
set -euo pipefail
whopconf=${1:?usage: fuzz_progress.sh WHOPCONF}
work=$(mktemp -d "${TMPDIR:-/tmp}/whopconf-fuzz-progress.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Bounded by time, not by count: a count the engine sends in less than the
# progress interval (200 ms) would draw no line at all on a fast machine.
args=(fuzz --phases coverage,fuzzing --max-requests 1000000 --duration 2 --seed 1 --report-dir "$work/reports")
status=0

# Not a terminal: stdout and stderr are files.
timeout 300 "$whopconf" "${args[@]}" >"$work/out" 2>"$work/err" </dev/null || true
if grep -q $'\r' "$work/out" "$work/err" || grep -qE 'req/s +[0-9]+ findings|s left' "$work/err"; then
  echo "fuzz_progress.sh: a progress line was written without a terminal:" >&2
  cat -A "$work/err" | head -5 >&2
  status=1
fi
grep -q 'whopconf fuzz: ' "$work/out" || { echo "fuzz_progress.sh: no summary on stdout" >&2; status=1; }

# A terminal: script(1) runs the command on a pseudo-terminal.
if command -v script >/dev/null 2>&1; then
  cmd=$(printf '%q ' "$whopconf" "${args[@]}")
  timeout 300 script -qec "$cmd" "$work/tty" >/dev/null 2>&1 </dev/null || true
  if ! grep -aqE $'\r'' +(coverage|fuzzing) +[0-9]+ requests +[0-9]+ req/s +[0-9]+ findings +[0-9]+ s left' "$work/tty"; then
    echo "fuzz_progress.sh: no progress line (requests, req/s, findings, time left) on a terminal:" >&2
    tr '\r' '\n' <"$work/tty" | head -8 >&2
    status=1
  fi
else
  echo "fuzz_progress.sh: script(1) missing; the terminal side is not checked" >&2
fi
# A sanitizer report (ASan build) reaches the test's output, which fails it.
grep -ahE 'ERROR: (Leak|Address)Sanitizer|runtime error:' "$work/err" "$work/tty" 2>/dev/null >&2 || true
[ "$status" = 0 ] && echo "fuzz_progress.sh: a progress line on a terminal only"
exit "$status"
