#!/usr/bin/env bash
# ctest proxy_sdk: the official @whop/sdk (users.updateMe, as sdk_test.sh
# calls it) through `whopconf proxy` in front of `whopconf serve`:
#   1. a plain server: 0 violations, exit 0;
#   2. a server with a response fault (user ids without the user_ prefix):
#      violations on the response side only, exit 1;
#   3. an SDK call with a wrong member type (name: 42): violations on the
#      request side only, exit 1.
# Exit 77 (skipped) with the reason when Node.js, npm or the registry is
# unavailable.
set -u
WHOPCONF=${1:?usage: proxy_sdk_test.sh path/to/whopconf}
WHOPCONF=$(cd "$(dirname "$WHOPCONF")" && pwd)/$(basename "$WHOPCONF")
here=$(cd "$(dirname "$0")" && pwd)
skip() { echo "SKIP proxy_sdk: $*"; exit 77; }
fail() { echo "FAIL proxy_sdk: $*"; exit 1; }
TEST_NAME=proxy_sdk
# shellcheck source=tests/sdk/sdk_common.sh
. "$here/sdk_common.sh"
# shellcheck source=tests/support/background.sh
. "$here/../support/background.sh"
sdk_require_node

work=$(mktemp -d "${TMPDIR:-/tmp}/whopconf-proxy-sdk.XXXXXX")
trap 'bg_stop_all; rm -rf "$work"' EXIT
cd "$work" || fail "cannot enter $work"
sdk_install
cp "$here/proxy_sdk_test.mjs" .

# scenario NAME MODE [FAULT]: serve (with FAULT) + proxy, the SDK in MODE,
# then SIGTERM to the proxy; leaves NAME/report.json and sets rc.
scenario() {
  local name=$1 mode=$2 fault=${3:-}
  # shellcheck disable=SC2086
  bg_start serve "$WHOPCONF" serve $SDK_KNOWN_VERSIONS ${fault:+--fault "$fault"}
  # shellcheck disable=SC2086
  bg_start proxy "$WHOPCONF" proxy --upstream "$serve_url" --report-dir "$name" $SDK_KNOWN_VERSIONS
  WHOPCONF_BASE_URL="$proxy_url" WHOPCONF_TOKEN=wc_user_token_with_scope timeout 60 node proxy_sdk_test.mjs "$mode" ||
    fail "$name: the SDK call failed"
  kill -TERM "$proxy_pid"
  wait "$proxy_pid"
  rc=$?
  sed 's/^/  /' proxy.err
  bg_stop_all
}

# sides REPORT: "<request-side failures> <response-side failures>" (requirement ids).
sides() {
  python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
failed = [q["id"] for q in r["requirements"] if q["status"] == "fail"]
req = [i for i in failed if i.startswith("WC-CL-")]
resp = [i for i in failed if not i.startswith("WC-CL-")]
print(",".join(req) or "-", ",".join(resp) or "-")
PY
}

scenario clean clean
[ "$rc" -eq 0 ] || fail "clean: proxy exit $rc, expected 0 ($(sides clean/report.json))"
[ "$(sides clean/report.json)" = "- -" ] || fail "clean: violations $(sides clean/report.json)"
judged=$(python3 -c 'import json; print(json.load(open("clean/report.json"))["run"]["traffic"]["judged"])')
[ "$judged" -eq 2 ] || fail "clean: $judged exchanges judged, expected 2"

scenario faulty clean id-no-prefix
[ "$rc" -eq 1 ] || fail "faulty server: proxy exit $rc, expected 1"
set -- $(sides faulty/report.json)
[ "$1" = "-" ] || fail "faulty server: blamed the client: $1"
case ",$2," in *,WC-DM-001,*) ;; *) fail "faulty server: WC-DM-001 not on the response side: $2" ;; esac

scenario wrongtype wrong-type
[ "$rc" -eq 1 ] || fail "wrong member type: proxy exit $rc, expected 1"
set -- $(sides wrongtype/report.json)
[ "$1" != "-" ] || fail "wrong member type: nothing on the request side"
[ "$2" = "-" ] || fail "wrong member type: blamed the server: $2"
echo "proxy_sdk: ok (request side: $1)"
