#!/usr/bin/env bash
# The readings benchmark in one command (docs/bench.md):
#   scripts/bench.sh                              # 4,000 meters x 365 days (140 M readings)
#   scripts/bench.sh --meters 200 --days 30       # a quick run
# Makes .venv-bench with the pinned DuckDB and Polars from scripts/bench/requirements.txt,
# then runs `cargo run --release -p xtask -- bench` with the arguments given here; the JSON
# report goes to target/bench.json unless --out says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-bench
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r scripts/bench/requirements.txt
exec cargo run --release -p xtask -- bench "$@"
