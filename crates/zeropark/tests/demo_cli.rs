//! `zeropark demo --no-serve`: seeds ledgers, meters, a year of 15-minute readings and
//! hourly grid factors through the ordinary import paths, and reuses them when run again.

mod common;

use common::{Db, carbon_map};
use serde_json::Value;

const PARK: &str = "重庆两江低碳示范园区";

#[test]
fn demo_seeds_readings_that_the_carbon_map_reads_and_reuses_them() {
    let db = Db::demo();
    db.seed_demo();
    let map: Value = db.json(&carbon_map(
        ["--park", PARK],
        "2023-07-10",
        "day",
        Some("park"),
    ));
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
