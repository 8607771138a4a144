"""DuckDB side of `cargo run --release -p xtask -- bench` (see common.py for the queries).

Ingest goes into an on-disk database file (DuckDB's own durable store), limited to the
same threads as our engine."""

import os

import duckdb

import common


def main():
    a = common.args()
    os.makedirs(a.work, exist_ok=True)
    db_path = os.path.join(a.work, "bench.duckdb")
    for p in (db_path, db_path + ".wal"):
        if os.path.exists(p):
            os.remove(p)
    con = duckdb.connect(db_path)
    con.execute(f"SET threads = {a.threads}")
    con.execute("SET preserve_insertion_order = false")
    d = a.data
    t = common.Timer()

    def load_registry():
        con.execute(
            f"""CREATE TABLE orgs AS SELECT credit_code, region FROM read_csv('{d}/orgs.csv', header = true,
                columns = {{'credit_code': 'VARCHAR', 'name': 'VARCHAR', 'region': 'VARCHAR',
                            'park': 'VARCHAR', 'industry': 'VARCHAR', 'shape': 'VARCHAR'}})"""
        )
        con.execute(
            f"""CREATE TABLE meters AS SELECT * FROM read_csv('{d}/meters.csv', header = true,
                columns = {{'meter': 'VARCHAR', 'credit_code': 'VARCHAR', 'kind': 'VARCHAR', 'source': 'VARCHAR'}})"""
        )
        con.execute(
            f"""CREATE TABLE grid AS SELECT region, epoch_ms(ts) // 1000 AS hour, tco2_per_mwh
                FROM read_csv('{d}/grid_hourly.csv', header = true,
                columns = {{'region': 'VARCHAR', 'ts': 'TIMESTAMPTZ', 'tco2_per_mwh': 'DOUBLE', 'cfe_share': 'DOUBLE'}})"""
        )

    def ingest():
        con.execute(
            f"""CREATE TABLE readings AS SELECT * FROM read_csv('{d}/readings.csv', header = true,
                columns = {{'meter': 'VARCHAR', 'ts': 'TIMESTAMPTZ', 'kwh': 'DOUBLE'}})"""
        )
        con.execute("CHECKPOINT")
        return con.execute("SELECT count(*) FROM readings").fetchone()[0]

    t.run("registry", load_registry)
    rows = t.run("ingest", ingest)

    def q1():
        return con.execute(
            """SELECT r.meter,
                      strftime(make_timestamp(epoch_us(r.ts) + 28800000000), '%Y-%m') AS month,
                      sum(r.kwh) AS consumption_kwh,
                      sum(r.kwh * g.tco2_per_mwh) / 1000 AS emissions_tco2
               FROM readings r
               JOIN meters m ON m.meter = r.meter
               JOIN orgs o ON o.credit_code = m.credit_code
               JOIN grid g ON g.region = o.region AND g.hour = epoch_ms(r.ts) // 3600000 * 3600
               WHERE m.kind = 'consumption'
               GROUP BY ALL"""
        ).fetchall()

    def q2():
        return con.execute(
            """WITH hourly AS (
                 SELECT m.credit_code,
                        epoch_ms(r.ts) // 3600000 AS hour,
                        sum(CASE WHEN m.kind = 'consumption' THEN r.kwh ELSE 0 END) AS c,
                        sum(CASE WHEN m.kind = 'generation' THEN r.kwh ELSE 0 END) AS g
                 FROM readings r JOIN meters m ON m.meter = r.meter
                 GROUP BY ALL)
               SELECT credit_code, sum(c), sum(g), sum(least(c, g)), sum(greatest(c - g, 0))
               FROM hourly GROUP BY credit_code"""
        ).fetchall()

    q1_rows = t.run("q1", q1)
    q2_rows = t.run("q2", q2)
    common.write_rows(os.path.join(a.work, "q1.csv"), common.Q1_COLUMNS, q1_rows)
    common.write_rows(os.path.join(a.work, "q2.csv"), common.Q2_COLUMNS, q2_rows)
    con.close()
    common.report(
        "duckdb",
        duckdb.__version__,
        a.threads,
        rows,
        t,
        len(q1_rows),
        len(q2_rows),
        f"on-disk database, SET threads = {a.threads}; results fetched into Python",
    )


if __name__ == "__main__":
    main()
