# Sourced by the SDK tests: skips (exit 77) with the reason when Node.js,
# npm or the registry is unavailable, and installs the official @whop/sdk
# into the current directory.
# Needs: TEST_NAME, and functions skip/fail defined by the caller.

sdk_require_node() {
  command -v node >/dev/null 2>&1 || skip "node not found"
  command -v npm >/dev/null 2>&1 || skip "npm not found"
  local major
  major=$(node -e 'console.log(process.versions.node.split(".")[0])')
  [ "$major" -ge 18 ] 2>/dev/null || skip "node $major is too old (the SDK needs fetch: node >= 18)"
}

sdk_install() {
  printf '{"name":"whopconf-sdk-test","private":true,"type":"module"}\n' >package.json
  if ! timeout 180 npm install --no-audit --no-fund --no-package-lock --loglevel=error \
      --fetch-retries=1 --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=10000 @whop/sdk >npm.log 2>&1; then
    skip "npm install @whop/sdk failed (registry unreachable?): $(grep -m 2 -E 'npm (error|ERR!)' npm.log | tr '\n' ' ')"
  fi
  SDK_VERSION=$(node -e 'console.log(require("./node_modules/@whop/sdk/package.json").version)' 2>/dev/null)
  echo "$TEST_NAME: @whop/sdk $SDK_VERSION, node $(node --version)"
}

# The known versions of the public list plus the SDK's own Api-Version-Date.
SDK_KNOWN_VERSIONS="--known-version 2025-01-01 --known-version 2026-06-08 --known-version 2026-06-09
  --known-version 2026-06-20 --known-version 2026-07-01 --known-version 2026-07-20"
