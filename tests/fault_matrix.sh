#!/usr/bin/env bash
# Proof that every case can fail: `whopconf run` against `whopconf serve
# --fault F` for every fault the reference server knows, plus the fault-free
# server, two runs at a time.
#
#   conformance fault: exit 1, and the fault's declared requirement is among
#                      the failed ones (warned, for a SHOULD run with --strict)
#   transport fault:   exit 3 (or 1) within its budget (about two --timeout),
#                      with a one-line reason
#   no fault:          exit 0, nothing failed or warned (with --strict)
#   narrow fault:      the same as no fault for the hand-written cases
#                      alone (--phases none): they never send its input
#                      region, so the run must pass; the generated phases
#                      against narrow faults are judged by fuzz_matrix.
# Every other row runs as `whopconf run` does by default: the cases and the
# coverage phase, but for the transport faults and the response-time fault
# (WC-TR-004), whose point is the time an answer takes or that none comes:
# 620 generated requests would only repeat that answer, and their time
# would blur the budget the row checks. The server takes bodies up to 8 MiB (as the embedded
# one does), so a long valid string is not refused with 413.
#
# usage: tests/fault_matrix.sh WHOPCONF WORKDIR [FAULT...]
# Prints the matrix and a closing "N passed, N failed" line; exit 0 when every
# row passed. Env: FAULT_MATRIX_JOBS (2), FAULT_MATRIX_TIMEOUT (2 seconds,
# the --timeout of transport rows), FAULT_MATRIX_SLACK (8 seconds of process
# overhead allowed on top of two timeouts; ASan builds are slow to start).
set -u

WHOPCONF=${1:?usage: fault_matrix.sh WHOPCONF WORKDIR [FAULT...]}
WORK=${2:?usage: fault_matrix.sh WHOPCONF WORKDIR [FAULT...]}
shift 2
JOBS=${FAULT_MATRIX_JOBS:-2}
TIMEOUT=${FAULT_MATRIX_TIMEOUT:-2}
SLACK=${FAULT_MATRIX_SLACK:-8}

command -v python3 >/dev/null || { echo "fault_matrix: needs python3 to read report.json" >&2; exit 2; }
rm -rf "$WORK"
mkdir -p "$WORK"

# name requirement kind (requirement "-" for transport faults)
mapfile -t ROWS < <("$WHOPCONF" serve --list-faults | awk '{print $1, $2, $3}')
[ ${#ROWS[@]} -gt 0 ] || { echo "fault_matrix: whopconf serve --list-faults listed nothing" >&2; exit 2; }
declare -A LEVEL
while read -r id level _; do LEVEL[$id]=$level; done < <("$WHOPCONF" run --list-requirements | tail -n +2)

if [ $# -gt 0 ]; then
  wanted=" $* "
  kept=()
  for row in "${ROWS[@]}"; do
    name=${row%% *}
    [[ $wanted == *" $name "* ]] && kept+=("$row")
  done
  ROWS=("${kept[@]}")
fi
ROWS=("(none) - baseline" "${ROWS[@]}")

# One row: starts the server, runs whopconf, judges, writes WORK/<n>.row.
run_row() {
  local n=$1 name=$2 req=$3 kind=$4
  local dir="$WORK/$n" serve_pid url i
  mkdir -p "$dir"
  local serve_args=(--max-body 8388608)
  [ "$name" != "(none)" ] && serve_args+=(--fault "$name")
  "$WHOPCONF" serve "${serve_args[@]}" >"$dir/serve.out" 2>"$dir/serve.err" &
  serve_pid=$!
  for i in $(seq 1 100); do
    url=$(head -n 1 "$dir/serve.out" 2>/dev/null)
    [ -n "$url" ] && break
    sleep 0.05
  done
  if [ -z "$url" ]; then
    kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$req" "-" "-" "0" "FAIL" "serve did not start" >"$WORK/$n.row"
    return
  fi
  local args=(run --base-url "$url" --token wc_user_token_with_scope --api-key wc_api_key
              --token-without-scope wc_user_token_without_scope --allow-writes
              --account-id biz_matrix_a --account-id biz_matrix_b
              --report-dir "$dir/reports" --format json --seed 7)
  [ "$kind" = narrow ] && args+=(--phases none)
  case $kind in
    transport) args+=(--timeout "$TIMEOUT" --phases none) ;;
    baseline|narrow) args+=(--strict --max-response-time 1000) ;;
    *)
      [ "${LEVEL[$req]:-MUST}" = "SHOULD" ] && args+=(--strict)
      [ "$req" = "WC-TR-004" ] && args+=(--max-response-time 1000 --phases none)
      ;;
  esac
  local t0 t1 code
  t0=$(date +%s.%N)
  "$WHOPCONF" "${args[@]}" >"$dir/stdout" 2>"$dir/stderr"
  code=$?
  t1=$(date +%s.%N)
  kill "$serve_pid" 2>/dev/null
  wait "$serve_pid" 2>/dev/null
  local secs
  secs=$(python3 -c "print(f'{$t1-$t0:.1f}')")
  python3 - "$dir/reports/report.json" "$name" "$req" "$kind" "$code" "$secs" "$TIMEOUT" "$SLACK" \
    "$dir/stderr" >"$WORK/$n.row" <<'PY'
import json, sys
path, name, req, kind, code, secs, timeout, slack, stderr = sys.argv[1:]
code, secs, timeout, slack = int(code), float(secs), float(timeout), float(slack)
failed, warned, reason = [], [], ""
try:
    rep = json.load(open(path))
    for r in rep["requirements"]:
        if r["status"] == "fail": failed.append(r["id"])
        if r["status"] == "warn": warned.append(r["id"])
    reason = rep["summary"].get("reason", "")
except Exception as e:  # no report is a failure of the row, said below
    rep = None
    reason = f"no report.json ({e.__class__.__name__})"
ok, why = True, ""
if kind in ("baseline", "narrow"):
    if code != 0 or failed or warned:
        ok, why = False, f"expected exit 0 and nothing failed or warned"
elif kind == "conformance":
    if code != 1:
        ok, why = False, f"expected exit 1"
    elif req not in failed and req not in warned:
        ok, why = False, f"{req} is not among the failed requirements"
else:
    budget = 2 * timeout + slack
    err_lines = [l for l in open(stderr, errors="replace").read().splitlines() if "could not test" in l]
    if code not in (1, 3):
        ok, why = False, "expected exit 3 (or 1)"
    elif secs > budget:
        ok, why = False, f"took {secs:.1f} s, budget {budget:.0f} s"
    elif code == 3 and (not reason or "\n" in reason or len(err_lines) != 1):
        ok, why = False, "no one-line reason (summary.reason and stderr)"
    if not why and code == 3:
        at = reason.find(" failed (")  # "... to URL failed (timeout-total): ..."
        why = (reason[at + len(" failed "):] if at >= 0 else reason)[:70]
shown = ",".join(failed + [w + "(warn)" for w in warned]) or "-"
print("\t".join([name, req, str(code), shown, f"{secs:.1f}", "ok" if ok else "FAIL", why]))
PY
}

n=0
for row in "${ROWS[@]}"; do
  read -r name req kind <<<"$row"
  n=$((n + 1))
  run_row "$n" "$name" "$req" "$kind" &
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
done
wait

pass=0
fail=0
printf '%-30s %-10s %-4s %-6s %-5s %s\n' "fault" "expected" "exit" "secs" "row" "failed requirements / reason"
for i in $(seq 1 "$n"); do
  IFS=$'\t' read -r name req code shown secs verdict why <"$WORK/$i.row"
  printf '%-30s %-10s %-4s %-6s %-5s %s%s\n' "$name" "$req" "$code" "$secs" "$verdict" "$shown" "${why:+  [$why]}"
  if [ "$verdict" = "ok" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
