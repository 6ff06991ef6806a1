#!/usr/bin/env bash
# ctest report_merge: `whopconf report merge` as a CI pipeline uses it.
# Two `whopconf run`s and the two shards of one `whopconf fuzz --shard K/2`
# campaign (same seed) against the embedded server, merged into one report in
# every format; each file validated like the report tests do (junit.xml
# against tests/junit.xsd, report.sarif and traffic.har against the reduced
# schemas, report.json against reports/report.schema.json, report.html
# well-formed XML); the same merge in another argument order gives the same
# bytes; runs against a faulty `whopconf serve` merge to exit 1; unreadable and
# incompatible input exit 2 with one line on stderr; --force.
# usage: report_merge.sh WHOPCONF SOURCE_DIR OUT_DIR
set -uo pipefail
whopconf=${1:?usage: report_merge.sh WHOPCONF SOURCE_DIR OUT_DIR}
src=${2:?}
out=${3:?}
rm -rf "$out"
mkdir -p "$out"
failures=0
passes=0
serve_pid=

cleanup() { [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null; }
trap cleanup EXIT

ok() { passes=$((passes + 1)); }
bad() { echo "FAIL $*"; failures=$((failures + 1)); }

# shellcheck source=expect_lib.sh
source "$src/tests/expect_lib.sh"
one_line_err() { [ "$(wc -l <"$out/$1.err")" -eq 1 ] && ok || bad "$1: stderr is not one line: $(cat "$out/$1.err")"; }

# validate_dir NAME DIR: every format is there and valid.
validate_dir() {
  local name=$1 dir=$2 f
  for f in report.json junit.xml report.sarif summary.md report.html traffic.har; do
    [ -s "$dir/$f" ] && ok || bad "$name: no $f"
  done
  xmllint --noout --schema "$src/tests/junit.xsd" "$dir/junit.xml" 2>"$out/$name.xsd.err" && ok ||
    bad "$name: junit.xml is not valid against tests/junit.xsd: $(head -3 "$out/$name.xsd.err")"
  xmllint --noout "$dir/report.html" 2>/dev/null && ok || bad "$name: report.html is not well-formed"
  "$whopconf" validate "$dir/report.sarif" --spec "$src/tests/sarif-2.1.0-reduced.schema.json" --schema '#' \
    >"$out/$name.sarif.out" 2>&1 && ok || bad "$name: report.sarif: $(head -3 "$out/$name.sarif.out")"
  "$whopconf" validate "$dir/traffic.har" --spec "$src/tests/har-1.2-reduced.schema.json" --schema '#' \
    >"$out/$name.har.out" 2>&1 && ok || bad "$name: traffic.har: $(head -3 "$out/$name.har.out")"
}

# The inputs. The runs skip the generated coverage phase (--phases none):
# its positive-input warnings are reported at MUST level, which
# report.schema.json does not allow for a warning, so only the runs' merge is
# held to that schema (the shards' merge is checked by its contents).
expect run-a 0 "$whopconf" run --phases none --seed 3 --report-dir "$out/run-a" --format json
expect run-b 0 "$whopconf" run --phases none --seed 4 --report-dir "$out/run-b" --format json
for k in 1 2; do
  expect "shard-$k" 0 "$whopconf" fuzz --seed 11 --max-requests 300 --shard "$k/2" --report-dir "$out/shard-$k" \
    --format json
done

# Two runs.
expect merge-runs 0 "$whopconf" report merge "$out/run-a/report.json" "$out/run-b/report.json" --report-dir "$out/runs"
grep_in merge-runs out "CONFORMANT (exit 0): 2 reports"
validate_dir merge-runs "$out/runs"
"$whopconf" validate "$out/runs/report.json" --spec "$src/reports/report.schema.json" --schema '#' \
  >"$out/runs.schema.out" 2>&1 && ok || bad "merge-runs: report.json: $(head -3 "$out/runs.schema.out")"

# Everything: two runs and two shards, in two orders.
expect merge-all 0 "$whopconf" report merge "$out/run-a/report.json" "$out/shard-1/report.json" \
  "$out/run-b/report.json" "$out/shard-2/report.json" --report-dir "$out/all"
grep_in merge-all out "4 reports"
validate_dir merge-all "$out/all"
python3 - "$out" <<'PY' && ok || bad "merge-all: report.json contents"
import json, sys
out = sys.argv[1]
m = json.load(open(f"{out}/all/report.json", encoding="utf-8"))
ins = [json.load(open(f"{out}/{d}/report.json", encoding="utf-8")) for d in ("run-a", "run-b", "shard-1", "shard-2")]
ids = [x["id"] for x in m["exchanges"]]
assert len(ids) == len(set(ids)) == sum(len(d["exchanges"]) for d in ins), "exchange ids"
shards = [r.get("shard") for r in m["run"]["merged"]["reports"]]
assert shards == [None, None, "1/2", "2/2"], shards
known = set(ids)
for r in m["requirements"]:
    assert all(e in known for e in r["evidence"]), r["id"]
    assert all(f["exchange"] in known for f in r["findings"] if f["exchange"]), r["id"]
gen = m["generated"]["findings"]
assert all(g[k] in known for g in gen for k in ("original", "minimal") if g[k]), "generated references"
keys = [(g["requirement"], g["status"], g["location"], g["edge_class"]) for g in gen]
assert len(keys) == len(set(keys)), "generated findings not de-duplicated"
assert sum(g["count"] for g in gen) == sum(g["count"] for d in ins for g in d.get("generated", {}).get("findings", []))
PY
for f in summary.md report.html junit.xml; do
  grep -q 'merged from 4 reports (shards 1/2, 2/2; seeds 3, 4, 11)' "$out/all/$f" && ok || bad "merge-all: $f does not say what was merged"
done
expect merge-all-reversed 0 "$whopconf" report merge "$out/shard-2/report.json" "$out/run-b/report.json" \
  "$out/shard-1/report.json" "$out/run-a/report.json" --report-dir "$out/all-reversed"
for f in report.json junit.xml report.sarif summary.md report.html traffic.har; do
  cmp -s "$out/all/$f" "$out/all-reversed/$f" && ok || bad "merge-all-reversed: $f differs from the first order"
done
expect merge-some 0 "$whopconf" report merge "$out/run-a/report.json" "$out/run-b/report.json" \
  --report-dir "$out/some" --format junit,md
[ "$(ls "$out/some" | sort | tr '\n' ' ')" = "junit.xml summary.md " ] && ok || bad "merge-some: wrote $(ls "$out/some")"

# A faulty server: one run hits the fault, the merge fails.
"$whopconf" serve --fault version-known-refused >"$out/serve.out" 2>"$out/serve.err" &
serve_pid=$!
for _ in $(seq 100); do grep -q '^http' "$out/serve.out" && break; sleep 0.05; done
url=$(grep -m1 '^http' "$out/serve.out")
[ -n "$url" ] && ok || bad "serve: no base URL printed"
expect faulty-good 0 "$whopconf" run --base-url "$url" --token wc_user_token_with_scope --phases none --only methods \
  --report-dir "$out/faulty-good" --format json
expect faulty-bad 1 "$whopconf" run --base-url "$url" --token wc_user_token_with_scope --phases none \
  --only accepted_versions --report-dir "$out/faulty-bad" --format json
kill "$serve_pid" && wait "$serve_pid" 2>/dev/null
serve_pid=
expect merge-faulty 1 "$whopconf" report merge "$out/faulty-good/report.json" "$out/faulty-bad/report.json" \
  --report-dir "$out/faulty"
grep_in merge-faulty out "NOT CONFORMANT (exit 1)"
grep_in merge-faulty out "WC-VER-001"
validate_dir merge-faulty "$out/faulty"
grep -q 'data-verdict="fail"' "$out/faulty/report.html" && ok || bad "merge-faulty: report.html does not say fail"

# Another target: refused unless --force, which the report records.
expect merge-targets 2 "$whopconf" report merge "$out/run-a/report.json" "$out/faulty-bad/report.json" \
  --report-dir "$out/targets"
grep_in merge-targets err "the target differs"
one_line_err merge-targets
[ ! -e "$out/targets" ] && ok || bad "merge-targets: wrote reports anyway"
expect merge-force 1 "$whopconf" report merge "$out/run-a/report.json" "$out/faulty-bad/report.json" --force \
  --report-dir "$out/forced"
grep -q '"--force"' "$out/forced/report.json" && ok || bad "merge-force: --force not in run.weakened"

# Unreadable and incompatible input.
cp "$src/spec/openapi.yml" "$out/other-spec.yml" && echo '# another copy' >>"$out/other-spec.yml"
expect run-other-spec 0 "$whopconf" run --phases none --only methods --spec "$out/other-spec.yml" \
  --report-dir "$out/run-other-spec" --format json
expect merge-spec 2 "$whopconf" report merge "$out/run-a/report.json" "$out/run-other-spec/report.json" \
  --report-dir "$out/x"
grep_in merge-spec err "the spec (sha256) differs"
one_line_err merge-spec
expect merge-shard-twice 2 "$whopconf" report merge "$out/shard-1/report.json" "$out/shard-1/report.json" \
  --report-dir "$out/x"
grep_in merge-shard-twice err "same shard (1/2, seed 11) twice"
expect merge-missing 2 "$whopconf" report merge "$out/run-a/report.json" "$out/none.json" --report-dir "$out/x"
one_line_err merge-missing
expect merge-not-report 2 "$whopconf" report merge "$out/run-a/report.json" "$src/spec/openapi.yml" --report-dir "$out/x"
grep_in merge-not-report err "not JSON"
expect merge-no-input 2 "$whopconf" report merge --report-dir "$out/x"
expect merge-bad-option 2 "$whopconf" report merge "$out/run-a/report.json" --colour
expect merge-bad-format 2 "$whopconf" report merge "$out/run-a/report.json" --report-dir "$out/x" --format pdf
expect merge-one 0 "$whopconf" report merge "$out/run-a/report.json" --report-dir "$out/one"
expect merge-help 0 "$whopconf" report merge --help
grep_in merge-help out "report merge A.json B.json"

echo "report_merge: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
