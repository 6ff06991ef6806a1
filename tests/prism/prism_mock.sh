#!/usr/bin/env bash
# whopconf against a server no one here wrote: Stoplight Prism's mock of
# spec/openapi.yml. Prism answers from the schema (static examples), checks
# requests against it and enforces the security scheme, but it implements
# none of the described behaviour: no version rules, no error envelope, no
# state. So whopconf must fail it, and on exactly the requirements below.
#
# usage: tests/prism/prism_mock.sh WHOPCONF SPEC WORKDIR
# Exit 77 (skipped) when node, npm or the npm registry is not available.
# Writes WORKDIR/prism_verdicts.md (the table in docs/run.md).
set -u
WHOPCONF=${1:?usage: prism_mock.sh WHOPCONF SPEC WORKDIR}
SPEC=${2:?usage: prism_mock.sh WHOPCONF SPEC WORKDIR}
WORK=${3:?usage: prism_mock.sh WHOPCONF SPEC WORKDIR}
PRISM_VERSION=${PRISM_VERSION:-5.14.2}
INSTALL_SECONDS=${PRISM_INSTALL_SECONDS:-300}

skip() { echo "prism_mock: skipped: $*"; exit 77; }
command -v node >/dev/null || skip "node is not installed"
command -v npm >/dev/null || skip "npm is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"
command -v curl >/dev/null || skip "curl is not installed"

mkdir -p "$WORK/npm"
PRISM="$WORK/npm/node_modules/.bin/prism"
if [ ! -x "$PRISM" ] || [ "$("$PRISM" --version 2>/dev/null)" != "$PRISM_VERSION" ]; then
  echo "prism_mock: installing @stoplight/prism-cli@$PRISM_VERSION into $WORK/npm (at most ${INSTALL_SECONDS} s)"
  (cd "$WORK/npm" && timeout "$INSTALL_SECONDS" npm install --no-audit --no-fund --loglevel=error \
      --prefix "$WORK/npm" "@stoplight/prism-cli@$PRISM_VERSION" >"$WORK/npm-install.log" 2>&1) ||
    skip "npm install @stoplight/prism-cli@$PRISM_VERSION failed or timed out (see $WORK/npm-install.log)"
fi
[ -x "$PRISM" ] || skip "prism is not where npm should have put it"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$PRISM" mock "$SPEC" -h 127.0.0.1 -p "$PORT" >"$WORK/prism.log" 2>&1 &
PRISM_PID=$!
trap 'kill "$PRISM_PID" 2>/dev/null; wait "$PRISM_PID" 2>/dev/null' EXIT
up=""
for _ in $(seq 1 120); do
  if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then up=1; break; fi
  kill -0 "$PRISM_PID" 2>/dev/null || break
  sleep 0.5
done
[ -n "$up" ] || { echo "prism_mock: prism did not start (see $WORK/prism.log)"; exit 1; }

# Prism serves the paths as written in the spec: /users/me, no /api/v1.
rm -rf "$WORK/reports"
"$WHOPCONF" run --base-url "http://127.0.0.1:$PORT" --token prism-user-token --api-key prism-api-key \
  --token-without-scope prism-token-without-scope --account-id acc_one --account-id acc_two --allow-writes \
  --report-dir "$WORK/reports" --format json,md >"$WORK/run.out" 2>"$WORK/run.err"
code=$?
echo "prism_mock: whopconf run exited $code against Prism $PRISM_VERSION"

python3 - "$WORK/reports/report.json" "$code" "$WORK/prism_verdicts.md" "$PRISM_VERSION" <<'PY'
import json, sys
path, code, out, version = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
r = json.load(open(path))
got = {q["id"]: q["status"] for q in r["requirements"]}
why = {q["id"]: q["reason"] for q in r["requirements"]}

# What Prism does not implement, and so must fail (MUST) or warn (SHOULD):
expected = {
    "WC-DM-001": "fail",   # examples are "string": no user_ prefix
    "WC-DM-002": "fail",   # created_at "string"
    "WC-DM-003": "fail",   # balance "string"
    "WC-DM-004": "warn",   # value_usd / total_usd "string"
    "WC-DM-005": "fail",   # verification {} (no individual/business)
    "WC-DM-007": "fail",   # profile_picture {} (no url)
    "WC-DM-008": "warn",   # total_usd set on PATCH
    "WC-VER-002": "fail",  # unknown dates accepted
    "WC-VER-003": "fail",  # malformed dates accepted
    "WC-ERR-002": "fail",  # its errors are not {"error": {type, message}}
    "WC-ERR-003": "fail",  # an API key is just a bearer token to it
    "WC-ERR-004": "fail",  # invalid bodies get a 4xx, without the envelope
    "WC-ERR-005": "fail",  # 401 without the envelope
    "WC-ERR-006": "fail",  # scopes are not checked
    "WC-UPD-001": "fail",  # stateless: the sent name never comes back
    "WC-TR-005": "warn",   # 405 without Allow
}
# What it does implement (from the schema alone), and must pass:
must_pass = ["WC-US-001", "WC-US-002", "WC-US-003", "WC-VER-001", "WC-VER-004", "WC-ERR-001",
             "WC-TR-001", "WC-TR-002", "WC-TR-003", "WC-TR-006"]

problems = []
if code != 1:
    problems.append(f"exit {code}, expected 1")
for rid, status in expected.items():
    if got.get(rid) != status:
        problems.append(f"{rid}: {got.get(rid)}, expected {status}")
for rid in must_pass:
    if got.get(rid) != "pass":
        problems.append(f"{rid}: {got.get(rid)}, expected pass ({why.get(rid, '')[:80]})")
unexpected = [k for k, v in got.items() if v in ("fail", "warn") and k not in expected]
for rid in unexpected:
    problems.append(f"{rid}: {got[rid]} was not expected ({why[rid][:80]})")

with open(out, "w") as f:
    f.write(f"| requirement | verdict against Prism {version} | first reason |\n|---|---|---|\n")
    for q in r["requirements"]:
        reason = q["reason"].replace("|", "\\|")[:110]
        f.write(f"| {q['id']} | {q['status']} | {reason} |\n")
for q in r["requirements"]:
    print(f"  {q['id']:<10} {q['status']:<4}  {q['reason'][:100]}")
for p in problems:
    print("prism_mock: " + p)
print("prism_mock: " + ("verdicts as expected" if not problems else f"{len(problems)} unexpected verdicts"))
sys.exit(1 if problems else 0)
PY
