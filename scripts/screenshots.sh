#!/usr/bin/env bash
# Refreshes docs/screenshots/: every page of the demo park in both languages, as the
# platform administrator sees it (tests/browser/screenshots.mjs with playwright-core and
# Debian's Chromium, as the browser tests). Usage: scripts/screenshots.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=browser-env.sh
source scripts/browser-env.sh screenshots
out=${1:-$root/docs/screenshots}
case $out in /*) ;; *) out=$root/$out ;; esac
# shellcheck source=serve-demo.sh
source scripts/serve-demo.sh screenshots
rm -rf "$out"
mkdir -p "$out"
ZP_URL=$url ZP_LOGINS=$work/demo.json ZP_SHOTS=$out ZP_CHROMIUM=$chromium \
  node tests/browser/screenshots.mjs
