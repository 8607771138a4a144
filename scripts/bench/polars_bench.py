"""Polars side of `cargo run --release -p xtask -- bench` (see common.py for the queries).

Polars has no store of its own: ingest is a lazy CSV scan with timestamps parsed, collected
into an in-memory DataFrame. POLARS_MAX_THREADS is set before the import."""

import os
import sys

threads = "2"
for i, arg in enumerate(sys.argv):
    if arg == "--threads" and i + 1 < len(sys.argv):
        threads = sys.argv[i + 1]
os.environ["POLARS_MAX_THREADS"] = threads

import polars as pl  # noqa: E402

import common  # noqa: E402


def main():
    a = common.args()
    os.makedirs(a.work, exist_ok=True)
    assert pl.thread_pool_size() == a.threads, pl.thread_pool_size()
    d = a.data
    t = common.Timer()

    def load_registry():
        orgs = pl.read_csv(f"{d}/orgs.csv", schema_overrides={"industry": pl.String}).select(
            "credit_code", "region"
        )
        meters = pl.read_csv(f"{d}/meters.csv", schema_overrides={"source": pl.String})
        grid = pl.read_csv(f"{d}/grid_hourly.csv").select(
            "region",
            pl.col("ts")
            .str.to_datetime("%Y-%m-%dT%H:%M:%S%:z", time_zone="UTC")
            .dt.epoch("s")
            .alias("hour"),
            "tco2_per_mwh",
        )
        return meters.join(orgs, on="credit_code"), grid

    def ingest():
        return (
            pl.scan_csv(
                f"{d}/readings.csv",
                schema={"meter": pl.String, "ts": pl.String, "kwh": pl.Float64},
            )
            .with_columns(
                pl.col("ts").str.to_datetime("%Y-%m-%dT%H:%M:%S%:z", time_zone="UTC")
            )
            .collect()
        )

    meters, grid = t.run("registry", load_registry)
    readings = t.run("ingest", ingest)

    def q1():
        return (
            readings.lazy()
            .join(meters.lazy().filter(pl.col("kind") == "consumption"), on="meter")
            .with_columns(
                hour=pl.col("ts").dt.epoch("s") // 3600 * 3600,
                month=(pl.col("ts") + pl.duration(hours=8)).dt.truncate("1mo"),
            )
            .join(grid.lazy(), on=["region", "hour"])
            .group_by("meter", "month")
            .agg(
                consumption_kwh=pl.col("kwh").sum(),
                emissions_tco2=(pl.col("kwh") * pl.col("tco2_per_mwh")).sum() / 1000,
            )
            .with_columns(pl.col("month").dt.strftime("%Y-%m"))
            .collect()
        )

    def q2():
        consumption = pl.col("kind") == "consumption"
        return (
            readings.lazy()
            .join(meters.lazy(), on="meter")
            .group_by("credit_code", pl.col("ts").dt.epoch("s") // 3600)
            .agg(
                c=pl.when(consumption).then(pl.col("kwh")).otherwise(0.0).sum(),
                g=pl.when(~consumption).then(pl.col("kwh")).otherwise(0.0).sum(),
            )
            .group_by("credit_code")
            .agg(
                consumption_kwh=pl.col("c").sum(),
                generation_kwh=pl.col("g").sum(),
                matched_kwh=pl.min_horizontal("c", "g").sum(),
                grid_import_kwh=(pl.col("c") - pl.col("g")).clip(lower_bound=0).sum(),
            )
            .collect()
        )

    q1_df = t.run("q1", q1)
    q2_df = t.run("q2", q2)
    common.write_rows(
        os.path.join(a.work, "q1.csv"), common.Q1_COLUMNS, q1_df.select(common.Q1_COLUMNS).iter_rows()
    )
    common.write_rows(
        os.path.join(a.work, "q2.csv"), common.Q2_COLUMNS, q2_df.select(common.Q2_COLUMNS).iter_rows()
    )
    common.report(
        "polars",
        pl.__version__,
        a.threads,
        readings.height,
        t,
        q1_df.height,
        q2_df.height,
        f"in-memory DataFrame (no persistence), POLARS_MAX_THREADS={a.threads}",
    )


if __name__ == "__main__":
    main()
