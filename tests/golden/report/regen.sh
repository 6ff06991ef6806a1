#!/usr/bin/env bash
# Regenerates the golden report files after an intended change to a renderer
# (review the diff before committing it):
#   fixture/  every format rendered from tests/fixtures/report/sample-report.json
#             (checked by test_report: report_golden)
#   run/      every format of a fixed, fault-injected run against the reference
#             server, timestamps and durations masked (checked by the ctest
#             report_golden_run; see tests/report_run.sh)
# usage: tests/golden/report/regen.sh [BUILD_DIR]     (default: build-rep, else build)
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-}
if [ -z "$build" ]; then
  for b in "$root/build-rep" "$root/build"; do
    if [ -x "$b/whopconf" ]; then build=$b; break; fi
  done
fi
[ -n "$build" ] && [ -x "$build/whopconf" ] || { echo "regen.sh: no whopconf binary; build first (make build)" >&2; exit 2; }

golden="$root/tests/golden/report"
rm -rf "$golden/fixture"
mkdir -p "$golden/fixture"
"$build/whopconf" report render "$root/tests/fixtures/report/sample-report.json" \
  --report-dir "$golden/fixture" --spec "$root/spec/openapi.yml"
echo "regen.sh: wrote $golden/fixture"

if "$build/whopconf" run --help >/dev/null 2>&1; then
  bash "$root/tests/report_run.sh" "$build/whopconf" regen "$golden/run"
  echo "regen.sh: wrote $golden/run"
else
  echo "regen.sh: whopconf run is not available yet; $golden/run left as it is" >&2
fi
