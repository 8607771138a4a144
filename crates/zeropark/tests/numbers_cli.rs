//! The numbers issue end to end through the CLI: Yunnan's own 2022 grid factor, the
//! regional-grid fallback, and the default steam state's formula in `--lineage`.

mod common;

use common::{Db, args, d, num};

const YN: &str = "91530100MA6K5YN01H";

fn db_with(region: &str, rows: &[&str]) -> (Db, String) {
    let db = Db::new();
    let code = zp_domain::CreditCode::complete(&YN[..17])
        .unwrap()
        .to_string();
    std::fs::write(
        db.file("orgs.csv"),
        format!("credit_code,name,region,park,industry\n{code},示例,{region},示例园区,3011\n"),
    )
    .unwrap();
    let body: Vec<String> = rows.iter().map(|r| format!("{code},{r}")).collect();
    std::fs::write(
        db.file("a.csv"),
        format!(
            "credit_code,period,carrier,quantity,unit\n{}\n",
            body.join("\n")
        ),
    )
    .unwrap();
    db.ok(&["import", "orgs", db.file("orgs.csv").to_str().unwrap()]);
    db.ok(&["import", "activity", db.file("a.csv").to_str().unwrap()]);
    (db, code)
}

#[test]
fn yunnan_2022_uses_yunnans_factor() {
    let (db, code) = db_with("YN", &["2022-05,electricity,1000,MWh"]);
    let r = db.json(&["report", "inventory", "--org", &code, "--year", "2022"]);
    assert_eq!(num(&r["scope2_location_tco2"]), d("107.3"));
    let f = r["factors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["slot"] == "grid_location/YN/2022")
        .unwrap();
    assert!(f["note"].is_null(), "{f}");
}

#[test]
fn tibet_falls_back_to_the_southwest_grid_and_says_so() {
    let (db, code) = db_with("XZ", &["2023-05,electricity,1000,MWh"]);
    let r = db.json(&["report", "inventory", "--org", &code, "--year", "2023"]);
    assert_eq!(num(&r["scope2_location_tco2"]), d("247.2"));
    let notes = r["notes"].to_string();
    assert!(notes.contains("GRID-SW"), "{notes}");
}

#[test]
fn lineage_states_the_default_steam_state() {
    let (db, code) = db_with("CQ", &["2023-01,steam,100,t"]);
    let text = db.ok(&args(
        &format!("report inventory --org {code} --year 2023 --lineage"),
        &[],
    ));
    assert!(
        text.contains("saturated at 1 MPa (default: no pressure given) h = 2777.1195 kJ/kg"),
        "{text}"
    );
    let r = db.json(&["report", "inventory", "--org", &code, "--year", "2023"]);
    // 100 x (2777.1195 - 83.74) / 1000 x 0.11
    assert_eq!(num(&r["scope2_location_tco2"]), d("29.6271745"));
}

#[test]
fn coal_equivalent_electricity_needs_a_sourced_factor() {
    let (db, code) = db_with("CQ", &["2023-01,electricity,1000,MWh"]);
    let cmd = [
        "report",
        "inventory",
        "--org",
        &code,
        "--year",
        "2023",
        "--electricity-tce",
        "coal-equivalent",
    ];
    // None is built in: refused, saying how to add one with its source.
    let e = db.fails(&cmd, 1);
    assert!(
        e.contains("等价值") && e.contains("electricity_coal_equivalent"),
        "{e}"
    );
    // A user set with the year's value (illustrative 0.3 kgce/kWh, test data only).
    db.import_test_coal_equivalent();
    let r = db.json(&cmd);
    // 1,000,000 kWh x 0.3 kgce/kWh / 1000 = 300 tce (calorific: 122.9 tce); emissions unchanged.
    assert_eq!(num(&r["energy_tce"]), d("300"));
    assert_eq!(num(&r["scope2_location_tco2"]), d("558.1"));
    let calorific = db.json(&["report", "inventory", "--org", &code, "--year", "2023"]);
    assert_eq!(num(&calorific["energy_tce"]), d("122.9"));
}

#[test]
fn the_carbon_reduction_loan_report_lists_only_carbon_reduction_loans() {
    // The demo bank disbursed two loans: CQB-CRL-01 (carbon-reduction loan, 2023-12) and
    // CQB-LOW-02 (low-interest loan, 2024-02). Only the first is a 碳减排贷款.
    let db = Db::demo();
    let y2024 = db.json(&args(
        "finance report loans --bank 重庆示范银行 --year 2024",
        &[],
    ));
    assert_eq!(y2024["loans"], 0, "{y2024}");
    let y2023 = db.json(&args(
        "finance report loans --bank 重庆示范银行 --year 2023",
        &[],
    ));
    assert_eq!(y2023["loans"], 1);
    assert_eq!(y2023["lines"][0]["product_id"], "CQB-CRL-01");
}

#[test]
fn a_year_without_data_warns_and_a_two_digit_year_is_a_usage_error() {
    let (db, code) = db_with("CQ", &["2023-01,electricity,10,MWh"]);
    let out = db.run(&args(
        &format!("report inventory --org {code} --year 2021 --json"),
        &[],
    ));
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no activity data for 2021"), "{err}");
    let e = db.fails(&["report", "inventory", "--org", &code, "--year", "23"], 2);
    assert!(e.contains("four-digit year"), "{e}");
}
