#!/usr/bin/env bash
# Fuzzes the HTTP API against its own OpenAPI document with schemathesis (pinned, installed
# with pip into a throwaway virtualenv): seeds a demo database in a temporary folder, serves
# it on loopback, signs in as the platform administrator, makes an API token and runs every
# check of schemathesis on every documented operation, bounded in time. Exits non-zero when
# a check fails. Usage: scripts/api-fuzz.sh [MAX_SECONDS]   (default 300)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$root/$target ;; esac
budget=${1:-300}
version=4.32.5

venv=$target/schemathesis-$version
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

# $ZEROPARK_BIN: a zeropark already built (.ci/run passes the one its tests built, so the
# step does not build it again with another feature set).
if [ -n "${ZEROPARK_BIN:-}" ]; then
  bin=$ZEROPARK_BIN
else
  cargo build --locked --quiet -p zeropark
  bin=$target/debug/zeropark
fi
# shellcheck source=serve-demo.sh
source scripts/serve-demo.sh api-fuzz
url=${url%/}

# A session, then a token for the fuzzer (bearer requests need no CSRF token).
token=$(python3 - "$url" "$work/demo.json" <<'PY'
import http.cookiejar, json, sys, urllib.request
url, demo = sys.argv[1], json.load(open(sys.argv[2]))
admin = next(l for l in demo["logins"] if l["username"] == "admin")
jar = http.cookiejar.CookieJar()
op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
def call(method, path, body, headers={}):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method=method,
                                 headers={"Content-Type": "application/json", **headers})
    return json.load(op.open(req))
call("POST", "/api/v1/session", {"username": "admin", "password": admin["password"]})
me = json.load(op.open(url + "/api/v1/me"))
print(call("POST", "/api/v1/tokens", {"name": "api-fuzz"}, {"X-CSRF-Token": me["csrf_token"]})["token"])
PY
)

# First the demo's own answers against their documented schemas (the fuzzer's generated
# requests mostly reach refusals; these reach populated answers).
"$venv/bin/python" scripts/api-answers.py "$url" "$token"

# Operations that would end the fuzzer's own access are left out: revoking tokens and
# signing out (both tested by the server's own tests). Every check runs but one:
# positive_data_acceptance expects every schema-valid request to succeed, and the API
# refuses schema-valid requests that break a rule a JSON schema cannot state: a credit
# code's GB 32100 check character, "exactly one of org, park or region", a year the
# working-day calendar does not cover, a multipart file that is not a table. Those answers
# are 400/422 with the reason, as documented.
#
# Response time: the check's limit is the server's own read deadline (30 s, after which a
# read answers 503), not schemathesis's default of 10 s. The fuzzer drives the debug build
# on CI's two cores, and its own requests make the data large: one `POST /certs/issue` over
# 2023 issues a year of hourly bundles for the demo's 29 meters (124k signed events), and
# `GET /certs/verify` then checks 124k signatures (11 s in the debug build). Speed is
# measured in release by the benchmarks (docs/bench.md), not here.
"$venv/bin/schemathesis" run "$url/api/v1/openapi.json" \
  --checks all \
  --exclude-checks positive_data_acceptance \
  --header "Authorization: Bearer $token" \
  --exclude-path '/api/v1/tokens/{id}' \
  --exclude-path '/api/v1/session' \
  --max-time "$budget" \
  --max-examples "${ZP_FUZZ_EXAMPLES:-25}" \
  --request-timeout 30 \
  --max-response-time 30 \
  --seed 20261204 \
  --report junit --report-dir "$target/api-fuzz" \
  --no-color
