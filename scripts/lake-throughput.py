#!/usr/bin/env python3
"""Per-node throughput of the lake's carbon-map plan (docs/scale.md).

Writes a synthetic lake in the layout of `zeropark lake export` (crates/lake/src/schema.rs,
version 1) with pyarrow, then runs the plan of crates/lake/src/carbon_map.sql (the same
text zp-lake runs, placeholders filled the same way) with the DataFusion Python bindings
(a release build of DataFusion 55), and prints rows, bytes, wall and CPU seconds as JSON
(CPU seconds of all the process's threads: the rate per core when the machine is shared).

    python3 -m venv /tmp/dfvenv && /tmp/dfvenv/bin/pip install datafusion==55.0.0 pyarrow
    /tmp/dfvenv/bin/python scripts/lake-throughput.py --meters 2000 --days 31 --out /tmp/lake-bench

The readings are 15-minute intervals of one month (July 2023, local) in one region (CQ);
each enterprise has 3 consumption meters and 1 solar meter.
"""

import argparse
import json
import os
import pathlib
import time

import datafusion
import pyarrow as pa
import pyarrow.parquet as pq

DAY0 = 1_688_140_800  # 2023-07-01T00:00:00+08:00
YEAR = (1_672_502_400, 1_704_038_400)  # local 2023


def write(table, path, row_group=1 << 20):
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="snappy", row_group_size=row_group)


def lake(out, meters, days):
    orgs_n = max(1, meters // 4)
    codes = [f"91500112MA{i:07d}X" for i in range(orgs_n)]
    write(pa.table({
        "credit_code": codes,
        "name": [f"enterprise {i}" for i in range(orgs_n)],
        "region": ["CQ"] * orgs_n,
        "park": [f"park {i % 10}" for i in range(orgs_n)],
        "industry": [f"C{30 + i % 9}" for i in range(orgs_n)],
    }), out / "orgs/part-0.parquet")
    ids, owner, kind = [], [], []
    for m in range(orgs_n * 4):
        ids.append(f"M{m:07d}")
        owner.append(codes[m // 4])
        kind.append("generation" if m % 4 == 3 else "consumption")
    n = len(ids)
    write(pa.table({
        "meter": ids, "credit_code": owner, "kind": kind, "parent": [""] * n,
        "source": ["solar" if k == "generation" else "" for k in kind],
        "site": [""] * n, "end_use": [""] * n,
    }), out / "meters/part-0.parquet")
    # Readings: meter-major, as the export writes them (one meter's month, then the next).
    slots = days * 96
    ts = pa.array([DAY0 + 900 * s for s in range(slots)], pa.int64())
    cols = {"meter": [], "credit_code": [], "ts": [], "wh": [], "kind": []}
    batches = []
    schema = pa.schema([("meter", pa.string()), ("credit_code", pa.string()),
                        ("ts", pa.int64()), ("wh", pa.int64()), ("kind", pa.string())])
    for m in range(n):
        hour = [((s // 4) % 24) for s in range(slots)]
        if kind[m] == "generation":
            wh = [max(0, 6 - abs(h - 12)) * 40 + (s * 7 + m) % 11 for s, h in enumerate(hour)]
        else:
            wh = [150 + (s * 13 + m * 17) % 97 + (60 if 8 <= h < 20 else 0) for s, h in enumerate(hour)]
        batches.append(pa.record_batch([
            pa.array([ids[m]] * slots), pa.array([owner[m]] * slots), ts,
            pa.array(wh, pa.int64()), pa.array([kind[m]] * slots)], schema=schema))
    path = out / "readings/region=CQ/year=2023/month=07/part-0.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    with pq.ParquetWriter(path, schema, compression="snappy") as w:
        for b in batches:
            w.write_batch(b, row_group_size=1 << 20)
    hours = days * 24
    write(pa.table({
        "ts": pa.array([DAY0 + 3600 * h for h in range(hours)], pa.int64()),
        "tco2_per_mwh": [0.5 + (h % 24) / 100 for h in range(hours)],
        "ng_per_wh": pa.array([500_000_000 + (h % 24) * 10_000_000 for h in range(hours)], pa.int64()),
        "cfe_share": pa.array([None] * hours, pa.float64()),
    }), out / "grid_hourly/region=CQ/year=2023/month=07/part-0.parquet")
    write(pa.table({
        "factor_id": ["cq-2023"], "tco2_per_mwh": [0.5703],
        "ng_per_wh": pa.array([570_300_000], pa.int64()), "note": pa.array([None], pa.string()),
        "year_start": pa.array([YEAR[0]], pa.int64()), "year_end": pa.array([YEAR[1]], pa.int64()),
    }), out / "grid_annual/region=CQ/year=2023/part-0.parquet")
    return n * slots, path.stat().st_size


def plan(days):
    sql = (pathlib.Path(__file__).parent.parent / "crates/lake/src/carbon_map.sql").read_text()
    fill = {
        "{scope}": "o.region = 'CQ'",
        "{start}": str(DAY0), "{end}": str(DAY0 + days * 86400),
        "{key}": "e.credit_code", "{name}": "e.name",
        "{period}": "p.hour - ((p.hour + 28800) % 86400)",
    }
    for k, v in fill.items():
        sql = sql.replace(k, v)
    return sql


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--meters", type=int, default=2000)
    a.add_argument("--days", type=int, default=31)
    a.add_argument("--out", type=pathlib.Path, default=pathlib.Path("/tmp/lake-bench"))
    a.add_argument("--runs", type=int, default=3)
    args = a.parse_args()
    t0 = time.time()
    rows, nbytes = lake(args.out, args.meters, args.days)
    written = time.time() - t0
    ctx = datafusion.SessionContext()
    parts = [("region", pa.string()), ("year", pa.string()), ("month", pa.string())]
    for t, p in [("orgs", []), ("meters", []), ("readings", parts),
                 ("grid_hourly", parts), ("grid_annual", parts[:2])]:
        ctx.register_parquet(t, str(args.out / t) + "/", table_partition_cols=p)
    sql = plan(args.days)
    secs, cpu = [], []
    for _ in range(args.runs):
        t0, c0 = time.time(), time.process_time()
        out = ctx.sql(sql).collect()
        secs.append(time.time() - t0)
        cpu.append(time.process_time() - c0)  # all threads of this process
    best, best_cpu = min(secs), min(cpu)
    print(json.dumps({
        "datafusion": datafusion.__version__, "cpus": os.cpu_count(),
        "meters": args.meters, "days": args.days, "readings": rows,
        "readings_parquet_bytes": nbytes, "bytes_per_reading": round(nbytes / rows, 3),
        "result_rows": sum(b.num_rows for b in out), "write_seconds": round(written, 2),
        "query_seconds": [round(s, 3) for s in secs],
        "query_cpu_seconds": [round(s, 3) for s in cpu],
        "readings_per_second": round(rows / best),
        "readings_per_cpu_second": round(rows / best_cpu),
        "load_average": os.getloadavg(),
    }, indent=1))


if __name__ == "__main__":
    main()
