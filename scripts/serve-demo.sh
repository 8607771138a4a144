# Sourced by scripts/browser-tests.sh and scripts/api-fuzz.sh (not run on its own): seeds a
# demo database in a temporary folder with the debug build ($bin), serves it on loopback
# and sets `work` (the folder: demo.json with the logins, server.out, server.err), `server`
# (its pid, stopped with the folder removed on exit) and `url` (http://127.0.0.1:PORT/).
# $1 names the caller in messages.
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
  echo "$1: the server did not start" >&2
  cat "$work/server.err" >&2
  exit 1
fi
