#!/usr/bin/env bash
# ctest report_cli: `whopconf report diff` and `whopconf report render` as a
# user (or a CI job) calls them: exit codes, output, files written.
# usage: report_cli.sh WHOPCONF SOURCE_DIR OUT_DIR
set -uo pipefail
whopconf=${1:?usage: report_cli.sh WHOPCONF SOURCE_DIR OUT_DIR}
src=${2:?}
out=${3:?}
fixture="$src/tests/fixtures/report/sample-report.json"
rm -rf "$out"
mkdir -p "$out"
failures=0
passes=0

# shellcheck source=expect_lib.sh
source "$src/tests/expect_lib.sh"

# A second report with a new failure, and one with a fixed requirement
# (python3 edits the JSON; it is in scripts/install-deps.sh).
python3 - "$fixture" "$out" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
def save(name, d):
    json.dump(d, open(f"{sys.argv[2]}/{name}", "w", encoding="utf-8"), indent=2, ensure_ascii=False)
regressed = json.loads(json.dumps(doc))
r = next(r for r in regressed["requirements"] if r["id"] == "WC-ERR-002")
r["status"] = "fail"
r["findings"] = [{"case": "auth", "exchange": None, "instance_pointer": "/error/message", "spec_pointer": None,
                  "keyword": "type", "message": "expected string, got null"}]
save("regressed.json", regressed)
fixed = json.loads(json.dumps(doc))
r = next(r for r in fixed["requirements"] if r["id"] == "WC-US-001")
r["status"], r["findings"] = "pass", []
save("fixed.json", fixed)
save("not-a-report.json", {"format": "whopconf-run-context"})
PY

expect help 0 "$whopconf" report --help
grep_in help out "report diff OLD.json NEW.json"
expect diff-same 0 "$whopconf" report diff "$fixture" "$fixture"
grep_in diff-same out "result: no regression"
expect diff-regressed 1 "$whopconf" report diff "$fixture" "$out/regressed.json"
grep_in diff-regressed out "New failures (1):"
grep_in diff-regressed out "WC-ERR-002 \[MUST\] pass -> fail"
grep_in diff-regressed out "result: REGRESSED"
expect diff-fixed 0 "$whopconf" report diff "$fixture" "$out/fixed.json"
grep_in diff-fixed out "Fixed (1):"
expect diff-reverse 1 "$whopconf" report diff "$out/fixed.json" "$fixture"
expect diff-missing 2 "$whopconf" report diff "$fixture" "$out/does-not-exist.json"
expect diff-not-json 2 "$whopconf" report diff "$fixture" "$src/spec/openapi.yml"
grep_in diff-not-json err "not JSON"
expect diff-not-report 2 "$whopconf" report diff "$out/not-a-report.json" "$fixture"
grep_in diff-not-report err "not a whopconf report"
expect diff-one-arg 2 "$whopconf" report diff "$fixture"
expect unknown-sub 2 "$whopconf" report frobnicate
expect no-sub 2 "$whopconf" report

expect render 0 "$whopconf" report render "$fixture" --report-dir "$out/all"
for f in report.json junit.xml report.sarif summary.md report.html traffic.har; do
  if [ -s "$out/all/$f" ]; then passes=$((passes + 1)); else echo "FAIL render: no $f"; failures=$((failures + 1)); fi
done
cmp -s "$out/all/summary.md" "$src/tests/golden/report/fixture/summary.md" || {
  echo "FAIL render: summary.md is not the golden one"; failures=$((failures + 1)); }
expect render-some 0 "$whopconf" report render "$fixture" --report-dir "$out/some" --format junit,md
[ "$(ls "$out/some" | sort | tr '\n' ' ')" = "junit.xml summary.md " ] && passes=$((passes + 1)) ||
  { echo "FAIL render-some: wrote $(ls "$out/some")"; failures=$((failures + 1)); }
cp "$fixture" "$out/in-place.json"
expect render-default-dir 0 "$whopconf" report render "$out/in-place.json" --format html
[ -s "$out/report.html" ] && passes=$((passes + 1)) || { echo "FAIL render-default-dir: no $out/report.html"; failures=$((failures + 1)); }
printf 'openapi: 3.1.0\ninfo: {title: other, version: "1"}\npaths: {}\n' >"$out/other-spec.yml"
expect render-other-spec 0 "$whopconf" report render "$fixture" --report-dir "$out/other" --spec "$out/other-spec.yml"
grep_in render-other-spec err "is not the spec this run used"
expect render-bad-format 2 "$whopconf" report render "$fixture" --report-dir "$out/bad" --format junit,pdf
grep_in render-bad-format err "unknown format 'pdf'"
expect render-no-input 2 "$whopconf" report render --report-dir "$out/x"
expect render-not-report 2 "$whopconf" report render "$out/not-a-report.json" --report-dir "$out/x"
expect render-bad-option 2 "$whopconf" report render "$fixture" --colour
expect render-unwritable 2 "$whopconf" report render "$fixture" --report-dir /proc/whopconf-no

echo "report_cli: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
