//! `zeropark demo --no-serve`: seeds ledgers, meters, a year of 15-minute readings and
//! hourly grid factors through the ordinary import paths, and reuses them when run again.

use serde_json::Value;
use std::process::Command;

const PARK: &str = "重庆两江低碳示范园区";

fn zeropark(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_zeropark"))
        .args(args)
        .env_remove("ZEROPARK_DB")
        .env_remove("ZEROPARK_READINGS_DIR")
        .output()
        .unwrap()
}

#[test]
fn demo_seeds_readings_that_the_carbon_map_reads_and_reuses_them() {
    let dir = tempfile::tempdir().unwrap();
    let demo_dir = dir.path().join("demo");
    let d = demo_dir.to_str().unwrap();
    for _ in 0..2 {
        let out = zeropark(&["demo", "--no-serve", "--dir", d]);
        assert!(
            out.status.success(),
            "demo failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let db = demo_dir.join("zeropark-demo.db");
    let out = zeropark(&[
        "--db",
        db.to_str().unwrap(),
        "report",
        "carbon-map",
        "--park",
        PARK,
        "--from",
        "2023-07-10",
        "--to",
        "2023-07-10",
        "--by",
        "day",
        "--group",
        "park",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let map: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = map["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{map}");
    let mwh = |k: &str| rows[0][k].as_f64().unwrap();
    assert!(mwh("consumption_mwh") > 0.0, "{map}");
    assert!(
        mwh("generation_mwh") > 0.0,
        "rooftop PV on a July day: {map}"
    );
    assert!(mwh("grid_import_mwh") <= mwh("consumption_mwh"));
    assert!(mwh("emissions_tco2") > 0.0);
    assert_eq!(rows[0]["factor_source"], "hourly", "{map}");
}
