#!/usr/bin/env bash
# Browser tests of the web UI: builds zeropark, seeds a demo database in a temporary folder
# (`zeropark demo --no-serve --json`), serves it, runs tests/browser/*.test.mjs with
# playwright-core against Debian's Chromium, stops the server. Screenshots go to
# ${CARGO_TARGET_DIR:-target}/browser-artifacts/. Exits non-zero when a test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$root/$target ;; esac
chromium=${ZP_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ]; then
  echo "browser-tests: Chromium not found (apt-get install chromium, or set ZP_CHROMIUM)" >&2
  exit 1
fi

cargo build --quiet -p zeropark
bin=$target/debug/zeropark

if [ ! -d tests/browser/node_modules/playwright-core ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

# shellcheck source=serve-demo.sh
source scripts/serve-demo.sh browser-tests

artifacts=$target/browser-artifacts
rm -rf "$artifacts"
mkdir -p "$artifacts"
status=0
ZP_URL=$url ZP_LOGINS=$work/demo.json ZP_ARTIFACTS=$artifacts ZP_CHROMIUM=$chromium \
  node --test --test-reporter=spec tests/browser/*.test.mjs || status=$?
cp "$work/server.err" "$artifacts/server.log" 2>/dev/null || true
echo "browser-tests: screenshots in $artifacts"
exit $status
