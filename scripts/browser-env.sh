# Sourced by scripts/browser-tests.sh and scripts/screenshots.sh (not run on its own):
# finds Debian's Chromium (or $ZP_CHROMIUM), builds zeropark (unless $ZEROPARK_BIN) and installs playwright-core
# when missing; sets `root`, `target`, `chromium` and `bin`. $1 names the caller.
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$root/$target ;; esac
chromium=${ZP_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ]; then
  echo "$1: Chromium not found (apt-get install chromium, or set ZP_CHROMIUM)" >&2
  exit 1
fi
# $ZEROPARK_BIN: a zeropark already built (.ci/run passes the one its tests built, so the
# step does not build it again with another feature set).
if [ -n "${ZEROPARK_BIN:-}" ]; then
  bin=$ZEROPARK_BIN
else
  cargo build --quiet -p zeropark
  bin=$target/debug/zeropark
fi
if [ ! -d tests/browser/node_modules/playwright-core ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi
