//! `lake export` and `report carbon-map --engine datafusion` through the binary: the lake's
//! layout and idempotence (any build), and, with `--features lake`, the same carbon map
//! from the native engine and from DataFusion over the lake (every row, to 1e-6 tCO2;
//! energies exactly).

mod common;

use common::{Db, data, issue_and_match};
#[cfg(feature = "lake")]
use common::{assert_same_map, assert_same_matching, matching};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

#[cfg(feature = "lake")]
const PARK: &str = "两江示例园区";
const ELEC: &str = "91500112MA60ELE02H";

/// More meters on top of `tests/data/readings_meters.csv`: a sub-meter (must not count),
/// a battery (charge is load, discharge own supply) and an enterprise in Sichuan (no
/// hourly factors: annual fallback), with readings 2023-07-09 ..= 2023-08-01 (two months).
fn extra(db: &Db) {
    let meters = db.file("extra_meters.csv");
    std::fs::write(
        &meters,
        "meter,credit_code,kind,source,parent\n\
         DC-SUB1,91500112MA60DAT04U,consumption,,DC-L1\n\
         CEM-L1,91500112MA60CEM01B,consumption,,\n\
         CEM-BC,91500112MA60CEM01B,battery_charge,,\n\
         CEM-BD,91500112MA60CEM01B,battery_discharge,,\n\
         CEM-PV,91500112MA60CEM01B,generation,solar,\n\
         CHEM-L1,91510100MA6CHEM068,consumption,,\n\
         CHEM-PV,91510100MA6CHEM068,generation,solar,\n",
    )
    .unwrap();
    db.json(&["import", "meters", meters.to_str().unwrap()]);
    let mut csv = String::from("meter,ts,kwh\n");
    // 24 days from 2023-07-09 00:00 local, 96 intervals a day.
    for i in 0..(24 * 96) {
        let (day, slot) = (9 + i / 96, i % 96);
        let (month, day) = if day > 31 { (8, day - 31) } else { (7, day) };
        let ts = format!(
            "2023-{month:02}-{day:02}T{:02}:{:02}:00+08:00",
            slot / 4,
            (slot % 4) * 15
        );
        let hour = slot / 4;
        let sun = if (7..18).contains(&hour) {
            (6 - (hour as i64 - 12).abs()) * 37
        } else {
            0
        };
        let rows = [
            ("DC-SUB1", 100 + (i % 7) as i64 * 3),
            ("CEM-L1", 200 + (i % 13) as i64 * 11),
            ("CEM-BC", if hour < 6 { 150 } else { 0 }),
            (
                "CEM-BD",
                if (18..21).contains(&hour) {
                    120 + (i % 5) as i64
                } else {
                    0
                },
            ),
            ("CEM-PV", sun * 2 + (i % 3) as i64),
            ("CHEM-L1", 300 + (i % 17) as i64 * 7),
            ("CHEM-PV", sun * 3),
        ];
        for (m, wh) in rows {
            // Wh written as kWh with three decimals: exact.
            writeln!(csv, "{m},{ts},{}.{:03}", wh / 1000, wh % 1000).unwrap();
        }
    }
    let file = db.file("extra_readings.csv");
    std::fs::write(&file, csv).unwrap();
    let c = db.json(&["import", "readings", file.to_str().unwrap()]);
    assert_eq!(c["quarantined"], 0, "{c}");
}

#[cfg(feature = "lake")]
fn map(db: &Db, of: [&str; 2], by: &str, group: &str, engine: &[&str]) -> Value {
    let mut args = vec![
        "report",
        "carbon-map",
        of[0],
        of[1],
        "--from",
        "2023-07-09",
        "--to",
        "2023-08-01",
        "--by",
        by,
        "--group",
        group,
    ];
    args.extend(engine);
    db.json(&args)
}

/// A one-day carbon map of the electronics enterprise with `extra` flags.
fn map_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "report",
        "carbon-map",
        "--org",
        ELEC,
        "--from",
        "2023-07-10",
        "--to",
        "2023-07-10",
    ];
    a.extend_from_slice(extra);
    a
}

/// Every file under `dir` with its bytes, by path.
fn files(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
    out.sort();
}

#[test]
fn lake_export_is_partitioned_described_and_idempotent() {
    let db = Db::with_meters();
    db.json(&["import", "readings", &data("readings_2023-07-10.csv")]);
    extra(&db);
    issue_and_match(&db);
    let lake = db.file("lake");
    let out = db.json(&["lake", "export", "--out", lake.to_str().unwrap()]);
    // 215 readings of the shared file + 7 meters x 24 days x 96 intervals.
    assert_eq!(out["readings"], 215 + 7 * 24 * 96, "{out}");
    // Every granular bundle of the registry (the issued ones and the parts split off by
    // matching) is in the lake.
    let bundles = db.json(&["certs", "list"])["bundles"]
        .as_array()
        .unwrap()
        .len();
    assert!(bundles >= 12, "{bundles}");
    assert_eq!(out["certificates"], bundles, "{out}");
    // CQ and SC, July and August.
    assert_eq!(out["partitions"], 4, "{out}");
    assert_eq!(out["from"], "2023-01-01");
    assert_eq!(out["to"], "2023-12-31");
    for p in [
        "readings/region=CQ/year=2023/month=07/part-0.parquet",
        "readings/region=CQ/year=2023/month=08/part-0.parquet",
        "readings/region=SC/year=2023/month=08/part-0.parquet",
        "grid_hourly/region=CQ/year=2023/month=07/part-0.parquet",
        "grid_annual/region=SC/year=2023/part-0.parquet",
        "orgs/part-0.parquet",
        "meters/part-0.parquet",
        "certificates/region=CQ/year=2023/month=07/part-0.parquet",
    ] {
        assert!(lake.join(p).is_file(), "{p}");
    }
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(lake.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["version"], 2);
    assert_eq!(
        manifest["tables"]["readings"]["partitions"],
        serde_json::json!(["region", "year", "month"])
    );
    let mut before = Vec::new();
    files(&lake, &mut before);

    // A second export of July only replaces July's partitions: same files, same map.
    let again = db.json(&[
        "lake",
        "export",
        "--out",
        lake.to_str().unwrap(),
        "--from",
        "2023-07-15",
        "--to",
        "2023-07-20",
    ]);
    assert_eq!(again["from"], "2023-07-01");
    assert_eq!(again["to"], "2023-07-31");
    assert_eq!(again["partitions"], 2, "{again}");
    // Byte for byte: the manifest's counts are of the last export, so it alone differs.
    let mut after = Vec::new();
    files(&lake, &mut after);
    let parquet = |v: &[(String, Vec<u8>)]| -> Vec<(String, Vec<u8>)> {
        v.iter()
            .filter(|(p, _)| p.ends_with(".parquet"))
            .cloned()
            .collect()
    };
    assert_eq!(before.len(), after.len());
    assert_eq!(parquet(&before), parquet(&after));

    // Refusals exit 2 and name the flag, file or field.
    let err = db.fails(&map_args(&["--engine", "datafusion"]), 2);
    assert!(err.contains("--lake"), "{err}");
    let err = db.fails(&map_args(&["--engine", "spark"]), 2);
    assert!(
        err.contains("native, datafusion or ballista://HOST:PORT"),
        "{err}"
    );
    let empty = db.file("not-a-lake");
    std::fs::create_dir_all(&empty).unwrap();
    let empty = empty.to_str().unwrap();
    let err = db.fails(&map_args(&["--engine", "datafusion", "--lake", empty]), 2);
    if cfg!(feature = "lake") {
        assert!(
            err.contains("manifest.json") && err.contains("not a lake"),
            "{err}"
        );
    } else {
        // A build without the engines says which build has them.
        assert!(err.contains("--features lake"), "{err}");
    }
    let err = db.fails(
        &[
            "lake",
            "export",
            "--out",
            empty,
            "--from",
            "2023-07-20",
            "--to",
            "2023-07-15",
        ],
        2,
    );
    assert!(err.contains("from must not be after to"), "{err}");
    let err = db.fails(
        &["lake", "export", "--out", empty, "--from", "2023-13-01"],
        2,
    );
    assert!(
        err.contains("2023-13-01") && err.contains("YYYY-MM-DD"),
        "{err}"
    );
}

#[cfg(feature = "lake")]
#[test]
fn datafusion_carbon_map_agrees_with_the_native_engine() {
    let db = Db::with_meters();
    db.json(&["import", "readings", &data("readings_2023-07-10.csv")]);
    extra(&db);
    issue_and_match(&db);
    let lake = db.file("lake");
    db.json(&["lake", "export", "--out", lake.to_str().unwrap()]);
    let engine = ["--engine", "datafusion", "--lake", lake.to_str().unwrap()];
    // A second export of July only (partitions replaced), in files of at most 1,000
    // readings, answers the same.
    let again = db.json(&[
        "lake",
        "export",
        "--out",
        lake.to_str().unwrap(),
        "--from",
        "2023-07-15",
        "--to",
        "2023-07-20",
        "--file-rows",
        "1000",
    ]);
    let n = |k: &str| again[k].as_u64().unwrap();
    // Each partition of r readings is ceil(r / 1000) files.
    let least = n("readings").div_ceil(1000);
    assert!(
        (least..least + n("partitions")).contains(&n("files")),
        "{again}"
    );
    let july = lake.join("readings/region=CQ/year=2023/month=07");
    let parts = std::fs::read_dir(&july).unwrap().count();
    assert!(parts > 10, "{parts} files in {}", july.display());
    let cases: [([&str; 2], &str, &str); 7] = [
        (["--org", ELEC], "hour", "enterprise"),
        (["--park", PARK], "hour", "enterprise"),
        (["--park", PARK], "day", "industry"),
        (["--park", PARK], "month", "park"),
        (["--region", "SC"], "day", "enterprise"),
        (["--region", "CQ"], "month", "enterprise"),
        (["--region", "CQ"], "hour", "park"),
    ];
    for (of, by, group) in cases {
        let what = format!("{of:?} by {by} per {group}");
        let native = map(&db, of, by, group, &[]);
        let lake = map(&db, of, by, group, &engine);
        assert_same_map(&native, &lake, &what);
    }
    // The Sichuan enterprise has no hourly factor: every row falls back to the annual one.
    let sc = map(&db, ["--region", "SC"], "day", "enterprise", &engine);
    assert!(
        sc["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["factor_source"] == "annual")
    );
    assert_eq!(sc["factors"][0]["region"], "SC");

    // Hourly certificate matching: the same report from the lake plan.
    let native = matching(&db, &[]);
    let lake = matching(&db, &engine);
    assert_same_matching(&native, &lake, "matching on datafusion");
}
