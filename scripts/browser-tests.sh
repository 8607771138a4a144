#!/usr/bin/env bash
# Browser tests of the web UI: builds zeropark, seeds a demo database in a temporary folder
# (`zeropark demo --no-serve --json`), serves it, runs tests/browser/*.test.mjs with
# playwright-core against Debian's Chromium, stops the server. Screenshots go to
# ${CARGO_TARGET_DIR:-target}/browser-artifacts/. Exits non-zero when a test fails.
# ZP_TEST_PATTERN=regex runs only the tests whose names match (node --test-name-pattern).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=browser-env.sh
source scripts/browser-env.sh browser-tests

# shellcheck source=serve-demo.sh
source scripts/serve-demo.sh browser-tests

artifacts=$target/browser-artifacts
rm -rf "$artifacts"
mkdir -p "$artifacts"
status=0
ZP_URL=$url ZP_LOGINS=$work/demo.json ZP_ARTIFACTS=$artifacts ZP_CHROMIUM=$chromium \
  node --test --test-reporter=spec ${ZP_TEST_PATTERN:+--test-name-pattern="$ZP_TEST_PATTERN"} tests/browser/*.test.mjs || status=$?
cp "$work/server.err" "$artifacts/server.log" 2>/dev/null || true
echo "browser-tests: screenshots in $artifacts"
exit $status
