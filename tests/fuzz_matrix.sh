#!/bin/bash
# fuzz_matrix: `whopconf fuzz --max-requests 2000` against `whopconf serve`
#  - with each narrow fault (--list-faults, kind narrow) and three seeds: exit 1
#    with the fault's declared requirement failed; for the length-threshold
#    faults the minimal reproducer is exactly threshold + 1 characters of 'a',
#    for the faults that need two members together exactly those two;
#  - with each lenient option (--list-lenient) and without any fault: exit 0
#    and no MUST requirement failed.
# Two runs at a time (the machine's cores); every run is bounded by the
# request count and a timeout.
# usage: fuzz_matrix.sh WHOPCONF WORKDIR
set -u
BIN=$1
WORK=$2
rm -rf "$WORK"
mkdir -p "$WORK"
TOKEN=wc_user_token_with_scope

# one NAME SERVE_ARGS SEED -> writes $WORK/NAME-SEED/{rc,report.json}
one() {
  local name=$1 args=$2 seed=$3 dir="$WORK/$1-$3"
  mkdir -p "$dir"
  # shellcheck disable=SC2086
  "$BIN" serve --port 0 $args >"$dir/serve.out" 2>"$dir/serve.err" &
  local sp=$! url=""
  for _ in $(seq 100); do
    url=$(head -1 "$dir/serve.out" 2>/dev/null)
    [ -n "$url" ] && break
    sleep 0.1
  done
  timeout 300 "$BIN" fuzz --base-url "$url" --token "$TOKEN" --allow-writes --allow-picture-writes \
    --account-id biz_whopconf_a --account-id biz_whopconf_b --workers 1 \
    --max-requests 2000 --seed "$seed" --report-dir "$dir" --format json >"$dir/out" 2>"$dir/err"
  echo $? >"$dir/rc"
  kill "$sp" 2>/dev/null
  wait "$sp" 2>/dev/null
}

jobs_list=()
while read -r name req kind _; do
  [ "$kind" = narrow ] || continue
  for seed in 1 2 3; do jobs_list+=("$name|--fault $name|$seed|$req"); done
done < <("$BIN" serve --list-faults)
while read -r name _; do
  # options with a value: a value a real server might choose
  case $name in max-name=N) name=max-name=100 ;; max-bio=N) name=max-bio=1000 ;; esac
  jobs_list+=("lenient-$name|--lenient $name|1|-")
done < <("$BIN" serve --list-lenient)
jobs_list+=("fault-free||1|-")

running=0
for j in "${jobs_list[@]}"; do
  IFS='|' read -r name args seed _ <<<"$j"
  one "$name" "$args" "$seed" &
  running=$((running + 1))
  if [ $running -ge 2 ]; then wait -n; running=$((running - 1)); fi
done
wait

fail=0
narrow=0
for j in "${jobs_list[@]}"; do
  IFS='|' read -r name _ seed req <<<"$j"
  dir="$WORK/$name-$seed"
  rc=$(cat "$dir/rc" 2>/dev/null || echo none)
  verdict=$(python3 - "$dir/report.json" "$req" "$name" <<'PY'
import json, sys
path, req, name = sys.argv[1:4]
try:
    r = json.load(open(path))
except Exception as e:
    print("no report.json (%s)" % e); sys.exit(0)
failed = [q["id"] for q in r["requirements"] if q["status"] == "fail"]
if req == "-":
    must = [q["id"] for q in r["requirements"] if q["status"] == "fail" and q["level"] == "MUST"]
    print("ok" if not must else "MUST failed: " + " ".join(must)); sys.exit(0)
if req not in failed:
    print("%s not failed (failed: %s)" % (req, " ".join(failed) or "none")); sys.exit(0)
# Length thresholds: the minimal request is exactly threshold + 1 'a'.
thresholds = {"name-over-64-truncated": ("name", 65), "bio-over-255-error": ("bio", 256)}
if name in thresholds:
    member, want = thresholds[name]
    xs = {x["id"]: x for x in r["exchanges"]}
    found = [f for f in r.get("generated", {}).get("findings", []) if f["requirement"] == req and f.get("minimal")]
    bodies = [json.loads(xs[f["minimal"]]["request"]["body"]) for f in found if f["minimal"] in xs]
    if not any(isinstance(b, dict) and b.get(member) == "a" * want for b in bodies):
        print("no minimal reproducer %s = %d x 'a' (minimal bodies: %s)" % (member, want, [str(b)[:80] for b in bodies])); sys.exit(0)
# Two members together: the minimal request holds exactly those two.
pairs = {"name-bio-angle-error": (None, {"name", "bio"}),
         "picture-both-ids-error": ("profile_picture", {"id", "direct_upload_id"})}
if name in pairs:
    holder, want = pairs[name]
    xs = {x["id"]: x for x in r["exchanges"]}
    found = [f for f in r.get("generated", {}).get("findings", []) if f["requirement"] == req and f.get("minimal")]
    bodies = [json.loads(xs[f["minimal"]]["request"]["body"]) for f in found if f["minimal"] in xs]
    def members(b):
        if not isinstance(b, dict): return None
        if holder is None: return set(b)
        inner = b.get(holder)
        return set(inner) if set(b) == {holder} and isinstance(inner, dict) else None
    if not any(members(b) == want for b in bodies):
        print("no minimal reproducer with exactly %s (minimal bodies: %s)" % (sorted(want), [str(b)[:80] for b in bodies])); sys.exit(0)
print("ok")
PY
)
  want_rc=1
  [ "$req" = "-" ] && want_rc=0
  if [ "$rc" = "$want_rc" ] && [ "$verdict" = ok ]; then
    echo "ok    $name seed $seed (exit $rc)"
  else
    echo "FAIL  $name seed $seed: exit $rc (want $want_rc), $verdict"
    tail -3 "$dir/err" | sed 's/^/        /'
    fail=1
  fi
  [ "$req" != "-" ] && narrow=$((narrow + 1))
done
[ "$narrow" -ge 12 ] || { echo "FAIL  only $narrow narrow-fault runs (want at least 12 faults x 3 seeds)"; fail=1; }
exit $fail
