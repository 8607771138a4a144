//! `zeropark evaluate ...` and `zeropark import indicators` on `tests/data/evaluate/`:
//! five parks whose accounts sit exactly at and just above the 910 thresholds, and
//! indicator data with bad rows. Each park buys heat (0.11 tCO2/GJ, 0.03412 tce/GJ) and
//! uses on-site PV (0.1229 tce/MWh, no CO2), so the intensity is an exact decimal:
//! 614,500 GJ + 2,579,400 MWh = 337,975 tce and 67,595 tCO2 -> 0.20 exactly;
//! 2,765,250 GJ + 7,482,300 MWh = 1,013,925 tce and 304,177.5 tCO2 -> 0.30 exactly;
//! the "超限" parks have 0.1 MWh less PV.

mod common;

use common::{Db, assert_quarantined, data};
use rust_decimal::Decimal;
use serde_json::Value;
use std::path::Path;
use std::str::FromStr;

const ORG_AT: &str = "91500101MA5EPA01X4";

/// A file of `tests/data/evaluate/`.
fn ev(name: &str) -> String {
    data(&format!("evaluate/{name}"))
}

impl Db {
    /// The five parks' enterprises and their 2024 ledgers.
    fn seeded() -> Db {
        let db = Db::new();
        db.json(&["import", "orgs", &ev("orgs.csv")]);
        let c = db.json(&["import", "activity", &ev("activity_2024.csv")]);
        assert_eq!(c["quarantined"], 0);
        db
    }

    fn zcp(&self, park: &str) -> Value {
        self.zcp_with(park, &[])
    }

    /// `evaluate zero-carbon-park` of `park` for 2024 with `extra` flags.
    fn zcp_with(&self, park: &str, extra: &[&str]) -> Value {
        let args = [
            "evaluate",
            "zero-carbon-park",
            "--park",
            park,
            "--year",
            "2024",
        ];
        self.json(&[&args[..], extra].concat())
    }
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(&v.to_string()).unwrap()
}

fn indicator<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap()
}

#[test]
fn thresholds_pass_exactly_at_the_limit_and_fail_just_above_in_both_bands() {
    let db = Db::seeded();
    for (park, threshold, pass) in [
        ("临界园区", "0.20", true),
        ("超限园区", "0.20", false),
        ("大型临界园区", "0.30", true),
        ("大型超限园区", "0.30", false),
    ] {
        let r = db.zcp(park);
        assert_eq!(r["scheme"], "zero-carbon-park-910");
        assert_eq!(r["version"], "2025.1");
        let core = indicator(&r, "carbon_intensity_of_energy");
        assert_eq!(core["veto"], true);
        assert_eq!(
            dec(&core["threshold"]),
            Decimal::from_str(threshold).unwrap(),
            "{park}"
        );
        assert_eq!(core["pass"], pass, "{park}: {core}");
        assert_eq!(r["pass"], pass, "{park}: {}", r["reasons"]);
        if pass {
            assert_eq!(
                dec(&core["value"]),
                Decimal::from_str(threshold).unwrap(),
                "{park}"
            );
        } else {
            assert!(dec(&core["value"]) > Decimal::from_str(threshold).unwrap());
        }
    }
}

#[test]
fn import_indicators_counts_quarantines_and_is_idempotent() {
    let db = Db::seeded();
    let file = ev("indicators_2024.csv");
    let c = db.json(&["import", "indicators", &file]);
    // 16 rows: 10 good (one repeated verbatim), 6 bad.
    assert_eq!(
        (
            c["read"].as_u64(),
            c["accepted"].as_u64(),
            c["quarantined"].as_u64(),
            c["duplicates"].as_u64()
        ),
        (Some(16), Some(10), Some(6), Some(1))
    );
    let again = db.json(&["import", "indicators", &file]);
    assert_eq!(
        (
            again["accepted"].as_u64(),
            again["duplicates"].as_u64(),
            again["quarantined"].as_u64()
        ),
        (Some(10), Some(10), Some(6))
    );
    let q = db.json(&["quarantine", "list", "--kind", "indicators"]);
    assert_quarantined(
        &q,
        "indicators_2024.csv",
        &[
            (12, "scope_id"),
            (13, "value"),
            (14, "unit"),
            (15, "evidence"),
            (16, "indicator"),
            (17, "period"),
        ],
    );
    assert!(q[0]["reason"].as_str().unwrap().contains("无名园区"));
    // An unreadable file exits 2.
    let out = db.run(&["import", "indicators", "/nonexistent/indicators.csv"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn guiding_data_is_used_with_evidence_and_missing_data_never_passes() {
    let db = Db::seeded();
    let before = db.zcp("临界园区");
    for id in [
        "solid_waste_utilisation",
        "waste_heat_use",
        "water_reuse",
        "product_energy_within_level2",
    ] {
        let i = indicator(&before, id);
        assert_eq!(i["status"], "missing", "{id}");
        assert_eq!(i["pass"], false, "{id}");
        assert!(i["value"].is_null());
    }
    assert_eq!(before["missing"].as_array().unwrap().len(), 4);
    db.json(&["import", "indicators", &ev("indicators_2024.csv")]);
    let after = db.zcp("临界园区");
    assert!(after["missing"].as_array().unwrap().is_empty());
    let water = indicator(&after, "water_reuse");
    // 80 % is stored as 0.8 and passes >= 0.80 exactly.
    assert_eq!(dec(&water["value"]), Decimal::from_str("0.8").unwrap());
    assert_eq!(water["pass"], true);
    assert!(
        water["evidence"]
            .as_str()
            .unwrap()
            .contains("水平衡测试2024.pdf")
    );
    assert_eq!(after["pass"], true);
    assert_eq!(after["complete"], true);
}

#[test]
fn a_veto_failure_fails_the_whole_evaluation_and_the_gap_says_what_closes_it() {
    let db = Db::seeded();
    db.json(&["import", "indicators", &ev("indicators_2024.csv")]);
    let r = db.json(&[
        "evaluate",
        "zero-carbon-park",
        "--park",
        "超限园区",
        "--year",
        "2024",
        "--target-year",
        "2027",
        "--target",
        "0.18",
    ]);
    for i in r["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["veto"] == false)
    {
        // The location-based variant fails with the core indicator (the park buys no grid
        // electricity, so both are the same figure) and decides nothing.
        let variant = i["id"] == "carbon_intensity_of_energy_location";
        assert_eq!(i["pass"], !variant, "{i}");
    }
    assert_eq!(r["pass"], false);
    let gap = &r["gaps"][0];
    assert_eq!(gap["indicator"], "carbon_intensity_of_energy");
    // Emissions 67,595 tCO2; energy 337,974.98771 tce (0.1 MWh less PV than the passing
    // park); allowed 0.20 x 337,974.98771 = 67,594.997542; cut 0.002458 tCO2.
    let cut = &gap["actions"][0];
    assert_eq!(cut["kind"], "reduce_emissions_tco2");
    assert_eq!(dec(&cut["amount"]), Decimal::from_str("0.002458").unwrap());
    // No grid electricity to replace: the report says the cut must come from fuels.
    assert!(
        cut["note"]
            .as_str()
            .unwrap()
            .contains("no uncovered grid electricity")
    );
    let path = r["trajectory"].as_array().unwrap();
    assert_eq!(path.len(), 4);
    assert_eq!(path[3]["year"], 2027);
    assert_eq!(
        dec(&path[3]["intensity_tco2_per_tce"]),
        Decimal::from_str("0.18").unwrap()
    );
}

#[test]
fn a_park_below_200k_tce_does_not_pass_and_says_why() {
    let db = Db::seeded();
    let r = db.zcp("小型园区");
    assert_eq!(r["pass"], false);
    assert!(
        r["reasons"][0]
            .as_str()
            .unwrap()
            .contains("outside the set's scope")
    );
}

#[test]
fn plan_reports_what_the_measures_can_and_cannot_do() {
    let db = Db::seeded();
    // The park's emissions are all purchased heat: only the heat pump replacing purchased
    // heat (room: the accounts' heat) reaches 0.18; its added grid load makes room for
    // efficiency retrofits.
    let plan = |target: &str| {
        db.json(&[
            "evaluate",
            "plan",
            "--park",
            "超限园区",
            "--year",
            "2024",
            "--target",
            target,
            "--target-year",
            "2027",
        ])
    };
    let r = plan("0.18");
    assert_eq!(r["status"], "optimal", "{r}");
    assert_eq!(r["measures_set"], "default-measures");
    // required = 67,595 - 0.18 x 337,974.98771 = 6,759.5022122 tCO2.
    assert_eq!(
        dec(&r["required_tco2"]),
        Decimal::from_str("6759.5022122").unwrap()
    );
    let portfolio = r["portfolio"].as_array().unwrap();
    assert!(
        portfolio
            .iter()
            .any(|p| p["measure"] == "heat_pump_purchased_heat"),
        "{r}"
    );
    let avoided: Decimal = portfolio.iter().map(|p| dec(&p["avoided_tco2"])).sum();
    assert!(avoided >= dec(&r["required_tco2"]), "{r}");
    assert!(dec(&r["intensity_after_tco2_per_tce"]) <= Decimal::from_str("0.18").unwrap());
    // Grid measures are valued at the year's residual factor, and the report says so.
    assert!(
        r["inventory_notes"]
            .to_string()
            .contains("no uncovered grid electricity")
    );
    assert_eq!(r["mac_curve"].as_array().unwrap().len(), 6);
    assert_eq!(r["trajectory"].as_array().unwrap().len(), 4);
    // Zero would need every tonne gone; whole heat-pump units leave 614,500 - 85 x 7,200 =
    // 2,500 GJ of purchased heat (275 tCO2): out of reach, and said so.
    let deep = plan("0");
    assert_eq!(deep["status"], "infeasible", "{deep}");
    assert!(
        deep["notes"].to_string().contains("cannot be reached"),
        "{deep}"
    );
    // A park already at its target needs nothing.
    let met = db.json(&[
        "evaluate",
        "plan",
        "--park",
        "临界园区",
        "--year",
        "2024",
        "--target",
        "0.20",
        "--target-year",
        "2027",
    ]);
    assert_eq!(met["status"], "already_met");
    assert_eq!(dec(&met["total_annualised_cost_yuan"]), Decimal::ZERO);
}

#[test]
fn user_sets_override_the_builtin_and_the_result_records_the_version() {
    let db = Db::seeded();
    let dir = tempfile::tempdir().unwrap();
    let text = db.json(&["evaluate", "schemes", "show", "zero-carbon-park-910"]);
    assert_eq!(text["version"], "2025.1");
    // A stricter set (0.18 as in Shenyang) under a new version.
    let toml = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../evaluate/schemes/zero_carbon_park_910.toml"),
    )
    .unwrap()
    .replace("version = \"2025.1\"", "version = \"2025.1-shenyang\"")
    .replace(
        "label_zh = \"20 万至 100 万 tce\"\nmin = 200000\nmax = 1000000\nthreshold = \"0.20\"",
        "label_zh = \"20 万至 100 万 tce\"\nmin = 200000\nmax = 1000000\nthreshold = \"0.18\"",
    );
    let file = dir.path().join("zcp-shenyang.toml");
    std::fs::write(&file, toml).unwrap();
    // For one run with --scheme-file ...
    let once = db.zcp_with("临界园区", &["--scheme-file", file.to_str().unwrap()]);
    assert_eq!(once["version"], "2025.1-shenyang");
    assert_eq!(once["pass"], false);
    assert_eq!(db.zcp("临界园区")["version"], "2025.1");
    // ... or imported: then it is the default, and the built-in version stays selectable.
    let imp = db.json(&["evaluate", "schemes", "import", file.to_str().unwrap()]);
    assert_eq!(imp["result"], "inserted");
    let list = db.json(&["evaluate", "schemes", "list"]);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|s| s["version"] == "2025.1-shenyang"
                && s["origin"].as_str().unwrap().ends_with("zcp-shenyang.toml"))
    );
    assert_eq!(db.zcp("临界园区")["version"], "2025.1-shenyang");
    let old = db.zcp_with("临界园区", &["--scheme-version", "2025.1"]);
    assert_eq!(old["version"], "2025.1");
    assert_eq!(indicator(&old, "carbon_intensity_of_energy")["pass"], true);
}

#[test]
fn esg_and_green_factory_score_an_enterprise() {
    let db = Db::seeded();
    db.json(&["import", "indicators", &ev("indicators_2024.csv")]);
    let esg = db.json(&["evaluate", "esg", "--org", ORG_AT, "--year", "2024"]);
    assert_eq!(esg["scheme"], "esg-park-enterprise");
    assert_eq!(indicator(&esg, "esg_disclosure")["pass"], true);
    assert!(esg["score"].is_number());
    let gf = db.json(&[
        "evaluate",
        "green-factory",
        "--org",
        ORG_AT,
        "--year",
        "2024",
    ]);
    assert_eq!(gf["pass"], false);
    assert_eq!(indicator(&gf, "legal_compliance")["status"], "missing");
}
