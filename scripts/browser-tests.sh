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

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" demo --dir "$work/demo" --no-serve --json > "$work/demo.json"
ZEROPARK_UPLOAD_DIR="$work/uploads" "$bin" --db "$work/demo/zeropark-demo.db" serve --addr 127.0.0.1:0 \
  > "$work/server.out" 2> "$work/server.err" &
server=$!
url=""
for _ in $(seq 1 300); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$work/server.out" 2>/dev/null | head -1 || true)
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "browser-tests: the server did not start" >&2
  cat "$work/server.err" >&2
  exit 1
fi

artifacts=$target/browser-artifacts
rm -rf "$artifacts"
mkdir -p "$artifacts"
status=0
ZP_URL=$url ZP_LOGINS=$work/demo.json ZP_ARTIFACTS=$artifacts ZP_CHROMIUM=$chromium \
  node --test --test-reporter=spec tests/browser/*.test.mjs || status=$?
cp "$work/server.err" "$artifacts/server.log" 2>/dev/null || true
echo "browser-tests: screenshots in $artifacts"
exit $status
