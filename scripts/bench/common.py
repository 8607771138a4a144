"""Shared by the DuckDB and Polars benchmark drivers: the query definitions (in words),
timing, peak memory and the result files xtask compares.

The queries (same as crates/xtask/src/bench.rs and docs/bench.md):

- ingest: readings.csv (meter,ts,kwh; ts RFC 3339 with +08:00) into the engine's store,
  timestamps parsed to instants.
- Q1: for every consumption meter and local (UTC+8) month, consumption_kwh = sum(kwh) and
  emissions_tco2 = sum(kwh * tco2_per_mwh) / 1000, where the factor is that of the meter's
  enterprise's region for the hour containing the interval start.
- Q2: for every enterprise and hour, c = consumption kWh, g = generation kWh; per enterprise
  consumption_kwh = sum(c), generation_kwh = sum(g), matched_kwh = sum(min(c, g)),
  grid_import_kwh = sum(max(c - g, 0)).
"""

import csv
import json
import os
import resource
import sys
import time

Q1_COLUMNS = ["meter", "month", "consumption_kwh", "emissions_tco2"]
Q2_COLUMNS = ["credit_code", "consumption_kwh", "generation_kwh", "matched_kwh", "grid_import_kwh"]


def peak_rss_bytes():
    """Peak resident set of this process (VmHWM), in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Timer:
    def __init__(self):
        self.phases = {}

    def run(self, name, fn):
        t0 = time.perf_counter()
        out = fn()
        self.phases[name] = time.perf_counter() - t0
        return out


def write_rows(path, columns, rows):
    """rows: iterable of tuples in `columns` order; floats with full precision."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for r in rows:
            w.writerow([repr(v) if isinstance(v, float) else v for v in r])


def args():
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True, help="directory written by `xtask gen`")
    p.add_argument("--work", required=True, help="scratch directory (database files, results)")
    p.add_argument("--threads", type=int, default=2)
    return p.parse_args()


def report(engine, version, threads, rows, timer, q1_rows, q2_rows, notes):
    out = {
        "engine": engine,
        "version": version,
        "threads": threads,
        "rows": rows,
        "seconds": timer.phases,
        "q1_rows": q1_rows,
        "q2_rows": q2_rows,
        "peak_rss_bytes": peak_rss_bytes(),
        "notes": notes,
    }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
