#!/usr/bin/env bash
# Refreshes docs/screenshots/: every page of the demo park in both languages, as the
# platform administrator sees it (tests/browser/screenshots.mjs with playwright-core and
# Debian's Chromium, as the browser tests). Usage: scripts/screenshots.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$root/$target ;; esac
out=${1:-$root/docs/screenshots}
case $out in /*) ;; *) out=$root/$out ;; esac
chromium=${ZP_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ]; then
  echo "screenshots: Chromium not found (apt-get install chromium, or set ZP_CHROMIUM)" >&2
  exit 1
fi
cargo build --quiet -p zeropark
bin=$target/debug/zeropark
if [ ! -d tests/browser/node_modules/playwright-core ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi
# shellcheck source=serve-demo.sh
source scripts/serve-demo.sh screenshots
rm -rf "$out"
mkdir -p "$out"
ZP_URL=$url ZP_LOGINS=$work/demo.json ZP_SHOTS=$out ZP_CHROMIUM=$chromium \
  node tests/browser/screenshots.mjs
