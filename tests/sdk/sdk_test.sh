#!/usr/bin/env bash
# ctest sdk_node: a real client written by someone else. Installs the official
# TypeScript SDK (@whop/sdk) from the npm registry into a temporary folder,
# starts `whopconf serve` with the SDK's Api-Version-Date (2026-07-20) added
# to the known versions, and calls client.users.updateMe through it.
# Exit 77 (ctest: skipped) with the reason when Node.js, npm or the registry
# is unavailable; 1 when the call fails; 0 when it works.
set -u
WHOPCONF=${1:?usage: sdk_test.sh path/to/whopconf}
[ -x "$WHOPCONF" ] || { echo "FAIL sdk_node: $WHOPCONF is not executable"; exit 1; }
WHOPCONF=$(cd "$(dirname "$WHOPCONF")" && pwd)/$(basename "$WHOPCONF")
here=$(cd "$(dirname "$0")" && pwd)

skip() { echo "SKIP sdk_node: $*"; exit 77; }
fail() { echo "FAIL sdk_node: $*"; exit 1; }

TEST_NAME=sdk_node
# shellcheck source=tests/sdk/sdk_common.sh
. "$here/sdk_common.sh"
sdk_require_node

work=$(mktemp -d "${TMPDIR:-/tmp}/whopconf-sdk.XXXXXX")
server_pid=""
default_pid=""
cleanup() {
  for pid in $server_pid $default_pid; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

cd "$work" || fail "cannot enter $work"
sdk_install
cp "$here/sdk_test.mjs" .

# shellcheck disable=SC2086
"$WHOPCONF" serve $SDK_KNOWN_VERSIONS >server.out 2>server.err &
server_pid=$!
for _ in $(seq 100); do
  [ "$(wc -l <server.out)" -ge 1 ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
url=$(head -n 1 server.out)
[ -n "$url" ] || { cat server.err; fail "whopconf serve printed no URL"; }
echo "sdk_node: server at $url"
# A second server with only the default versions: the SDK's 2026-07-20 is
# unknown there, which shows the header really is sent.
"$WHOPCONF" serve >default.out 2>default.err &
default_pid=$!
for _ in $(seq 100); do
  [ "$(wc -l <default.out)" -ge 1 ] && break
  sleep 0.1
done
default_url=$(head -n 1 default.out)
[ -n "$default_url" ] || fail "the second whopconf serve printed no URL"

WHOPCONF_BASE_URL="$url" WHOPCONF_DEFAULT_URL="$default_url" WHOPCONF_TOKEN=wc_user_token_with_scope \
  WHOPCONF_API_KEY=wc_api_key timeout 60 node sdk_test.mjs
rc=$?
kill -TERM "$default_pid"
wait "$default_pid"
default_pid=""

kill -TERM "$server_pid"
wait "$server_pid"
serve_rc=$?
server_pid=""
echo "sdk_node: server log:"
sed 's/^/  /' server.err
[ "$rc" -eq 0 ] || fail "the SDK call failed (exit $rc)"
[ "$serve_rc" -eq 0 ] || fail "whopconf serve exited $serve_rc on SIGTERM"
grep -q "PATCH /api/v1/users/me 200" server.err || fail "the server logged no 200"
echo "sdk_node: ok"
