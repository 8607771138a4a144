//! `import readings`, `export readings` and `report carbon-map` through the binary, on the
//! small files `tests/data/readings_*.csv` and `grid_hourly_2023-07-10.csv`.

mod common;

use common::{Db, carbon_map, d, data, num, row_fields};
use rust_decimal::Decimal;

const ELEC: &str = "91500112MA60ELE02H";
const DC: &str = "91500112MA60DAT04U";
const PARK: &str = "两江示例园区";
/// PV output of ELEC-PV1 per local hour of 2023-07-10, MWh (ELEC consumes 2 MWh each hour).
const PV_MWH: [&str; 24] = [
    "0", "0", "0", "0", "0", "0", "0.2", "0.8", "1.5", "2.2", "2.8", "3.0", "3.0", "2.6", "2.0",
    "1.2", "0.5", "0.1", "0", "0", "0", "0", "0", "0",
];

#[test]
fn import_counts_quarantine_gaps_and_idempotence() {
    let db = Db::with_meters();
    let file = data("readings_2023-07-10.csv");
    let c = db.json(&["import", "readings", &file]);
    assert_eq!(c["read"], 219);
    assert_eq!(c["accepted"], 215);
    assert_eq!(c["quarantined"], 4);
    assert_eq!(c["duplicates"], 0);
    assert_eq!(c["restated"], 0);
    assert_eq!(c["meters"], 3);
    assert_eq!(c["missing_intervals"], 1);
    assert_eq!(c["gaps"][0]["meter"], "DC-L1");
    assert_eq!(c["gaps"][0]["ranges"][0][0], "2023-07-10T13:00:00+08:00");
    // The store lives next to the database.
    assert!(db.file("zp.db.readings/catalog").exists());

    let q = db.json(&["quarantine", "list", "--kind", "readings"]);
    let mut rows = row_fields(&q);
    rows.sort();
    assert_eq!(
        rows,
        [
            (217, "meter".to_string()),
            (218, "ts".to_string()),
            (219, "ts".to_string()),
            (220, "kwh".to_string())
        ]
    );
    let again = db.json(&["import", "readings", &file]);
    assert_eq!(again["accepted"], 215);
    assert_eq!(again["duplicates"], 215);
    assert_eq!(again["restated"], 0);

    let missing = db.run(&["import", "readings", "/nonexistent/readings.csv"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/readings.csv"));
}

#[test]
fn carbon_map_per_hour_uses_hourly_factors_and_reports_the_fallback() {
    let db = Db::with_meters();
    db.json(&["import", "readings", &data("readings_2023-07-10.csv")]);
    let m = db.json(&carbon_map(["--org", ELEC], "2023-07-10", "hour", None));
    let annual = &m["factors"][0]["annual"][0];
    assert!(annual["id"].as_str().unwrap().contains("CQ"), "{annual}");
    let annual = num(&annual["tco2_per_mwh"]);
    assert_eq!(m["factors"][0]["fallback_hours"], 12);
    assert_eq!(m["fallback_hours"], 12);
    assert!(!m["notes"].as_array().unwrap().is_empty());
    let rows = m["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 24);
    let mut total = Decimal::ZERO;
    for (h, r) in rows.iter().enumerate() {
        assert_eq!(r["period"], format!("2023-07-10T{h:02}:00:00+08:00"));
        assert_eq!(num(&r["consumption_mwh"]), d("2"));
        assert_eq!(num(&r["generation_mwh"]), d(PV_MWH[h]));
        let import = (d("2") - d(PV_MWH[h])).max(Decimal::ZERO);
        assert_eq!(num(&r["grid_import_mwh"]), import, "hour {h}");
        let factor = if h < 12 {
            d("0.5") + d("0.01") * Decimal::from(h)
        } else {
            annual
        };
        assert_eq!(num(&r["emissions_tco2"]), import * factor, "hour {h}");
        let source = match (import.is_zero(), h < 12) {
            (true, _) => "none",
            (false, true) => "hourly",
            (false, false) => "annual",
        };
        assert_eq!(r["factor_source"], source, "hour {h}");
        total += import * factor;
    }
    assert_eq!(num(&m["totals"]["emissions_tco2"]), total);
}

#[test]
fn park_day_sums_enterprises_and_to_is_inclusive() {
    let db = Db::with_meters();
    db.json(&["import", "readings", &data("readings_2023-07-10.csv")]);
    let by_ent = db.json(&carbon_map(
        ["--park", PARK],
        "2023-07-10",
        "day",
        Some("enterprise"),
    ));
    let rows = by_ent["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let dc = rows.iter().find(|r| r["group"] == DC).unwrap();
    assert_eq!(dc["period"], "2023-07-10");
    assert_eq!(num(&dc["consumption_mwh"]), d("115"));
    assert_eq!(num(&dc["grid_import_mwh"]), d("115"));
    let elec = rows.iter().find(|r| r["group"] == ELEC).unwrap();
    let pv: Decimal = PV_MWH.iter().map(|s| d(s)).sum();
    assert_eq!(num(&elec["generation_mwh"]), pv);
    let import: Decimal = PV_MWH
        .iter()
        .map(|s| (d("2") - d(s)).max(Decimal::ZERO))
        .sum();
    assert_eq!(num(&elec["grid_import_mwh"]), import);
    assert_eq!(elec["factor_source"], "mixed");

    let park = db.json(&carbon_map(
        ["--park", PARK],
        "2023-07-10",
        "month",
        Some("park"),
    ));
    let rows = park["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["group"], PARK);
    assert_eq!(rows[0]["period"], "2023-07");
    assert_eq!(
        num(&rows[0]["emissions_tco2"]),
        num(&dc["emissions_tco2"]) + num(&elec["emissions_tco2"])
    );
    // The day before holds nothing (readings start at local midnight of the 10th).
    let before = db.json(&carbon_map(["--park", PARK], "2023-07-09", "day", None));
    assert_eq!(before["rows"].as_array().unwrap().len(), 0);
    let text = db.run(&carbon_map(
        ["--region", "CQ"],
        "2023-07-10",
        "day",
        Some("industry"),
    ));
    assert!(text.status.success());
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(out.contains("6450") && out.contains("3971"), "{out}");
}

#[test]
fn export_parquet_and_import_it_elsewhere() {
    let db = Db::with_meters();
    db.json(&["import", "readings", &data("readings_2023-07-10.csv")]);
    let out = db.file("dc.parquet");
    let e = db.json(&[
        "export",
        "readings",
        "--format",
        "parquet",
        "--out",
        out.to_str().unwrap(),
        "--meter",
        "DC-L1",
        "--from",
        "2023-07-10",
        "--to",
        "2023-07-10",
    ]);
    assert_eq!(e["readings"], 23);
    let other = Db::with_meters();
    let c = other.json(&["import", "readings", out.to_str().unwrap()]);
    assert_eq!(
        (c["read"].as_u64(), c["accepted"].as_u64()),
        (Some(23), Some(23))
    );
    let again = db.json(&["import", "readings", out.to_str().unwrap()]);
    assert_eq!(again["duplicates"], 23);
}
