//! The binary on the sample dataset in `tests/data/`.

mod common;

use common::{Db, assert_quarantined, data, num};
use rust_decimal::Decimal;
use std::str::FromStr;

const DC: &str = "91500112MA60DAT04U"; // data centre: electricity + diesel
const ELEC: &str = "91500112MA60ELE02H"; // electronics: grid + rooftop PV + certificates
const PARK: &str = "两江示例园区";

impl Db {
    /// The sample enterprises and their 2023 ledgers.
    fn seeded() -> Db {
        let db = Db::new();
        db.json(&["import", "orgs", &data("orgs.csv")]);
        db.json(&["import", "activity", &data("activity_2023.csv")]);
        db
    }
}

/// Sum of `quantity` for rows of the CSV matching org and carrier.
fn csv_sum(org: &str, carrier: &str) -> Decimal {
    let mut r = csv::Reader::from_path(data("activity_2023.csv")).unwrap();
    r.records()
        .map(|x| x.unwrap())
        .filter(|x| &x[0] == org && &x[2] == carrier)
        .map(|x| Decimal::from_str(&x[3]).unwrap())
        .sum()
}

#[test]
fn orgs_import_counts_and_region_from_credit_code() {
    let db = Db::new();
    let c = db.json(&["import", "orgs", &data("orgs.csv")]);
    assert_eq!(c["read"], 6);
    assert_eq!(c["accepted"], 6);
    assert_eq!(c["quarantined"], 0);
    let again = db.json(&["import", "orgs", &data("orgs.csv")]);
    assert_eq!(again["duplicates"], 6);
    let orgs = db.json(&["orgs", "list"]);
    let pv = orgs
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["credit_code"] == "91500112MA60PWR05Q")
        .unwrap();
    assert_eq!(
        pv["region"], "CQ",
        "region derived from the division code 500112"
    );
    assert_eq!(pv["attrs"]["contact"], "能源管理员");
}

#[test]
fn activity_import_is_idempotent() {
    let db = Db::new();
    db.json(&["import", "orgs", &data("orgs.csv")]);
    let file = data("activity_2023.csv");
    let first = db.json(&["import", "activity", &file]);
    assert_eq!(
        (
            first["read"].as_u64(),
            first["accepted"].as_u64(),
            first["quarantined"].as_u64(),
            first["duplicates"].as_u64()
        ),
        (Some(206), Some(206), Some(0), Some(0))
    );
    let park_json = [
        "report",
        "inventory",
        "--park",
        PARK,
        "--year",
        "2023",
        "--json",
    ];
    let before = db.ok(&park_json);
    let second = db.json(&["import", "activity", &file]);
    assert_eq!(second["duplicates"], 206);
    assert_eq!(second["restated"], 0);
    let after = db.ok(&park_json);
    assert_eq!(before, after);
    assert_eq!(
        db.json(&["orgs", "history", DC]).as_array().unwrap().len(),
        24
    );
}

#[test]
fn bad_rows_are_quarantined_with_file_row_field_and_reason() {
    let db = Db::seeded();
    let file = data("activity_bad_rows.csv");
    let c = db.json(&["import", "activity", &file]);
    assert_eq!(
        (
            c["read"].as_u64(),
            c["accepted"].as_u64(),
            c["quarantined"].as_u64()
        ),
        (Some(9), Some(2), Some(7))
    );
    let q = db.json(&["quarantine", "list"]);
    assert_quarantined(
        &q,
        "activity_bad_rows.csv",
        &[
            (3, "period"),
            (4, "credit_code"),
            (5, "credit_code"),
            (6, "carrier"),
            (7, "unit"),
            (8, "quantity"),
            (9, "quantity"),
        ],
    );
    assert!(
        q[1]["reason"]
            .as_str()
            .unwrap()
            .contains("unknown organisation")
    );
    // Re-importing adds no second copy of the quarantined rows.
    db.json(&["import", "activity", &file]);
    assert_eq!(
        db.json(&["quarantine", "list"]).as_array().unwrap().len(),
        7
    );
    // Without --json the reasons go to stderr.
    let out = db.run(&["import", "activity", &file]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("row 3, field period"));
}

#[test]
fn unreadable_file_exits_2_and_names_it() {
    let db = Db::seeded();
    let out = db.run(&["import", "activity", "/nonexistent/ledger.csv", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/ledger.csv"));
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("x.csv");
    std::fs::write(&p, "credit_code,name\n").unwrap();
    let out = db.run(&["import", "activity", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing column"));
}

#[test]
fn org_inventory_matches_an_independent_calculation() {
    let db = Db::seeded();
    let r = db.json(&["report", "inventory", "--org", DC, "--year", "2023"]);
    let mwh = csv_sum(DC, "electricity");
    let diesel_t = csv_sum(DC, "diesel");
    let dec = |s: &str| Decimal::from_str(s).unwrap();
    let tce = mwh * dec("1000") * dec("0.1229") / dec("1000")
        + diesel_t * dec("1000") * dec("1.4571") / dec("1000");
    let scope1 = diesel_t * dec("42.652") * dec("20.20") * dec("0.98") * dec("44") / dec("12000");
    assert_eq!(num(&r["energy_tce"]), tce);
    assert_eq!(num(&r["scope1_tco2"]), scope1);
    assert_eq!(num(&r["scope2_location_tco2"]), mwh * dec("0.5581"));
    assert_eq!(num(&r["scope2_market_tco2"]), mwh * dec("0.6096"));
    assert_eq!(num(&r["electricity_mwh"]), mwh);
    assert_eq!(num(&r["clean_electricity_share"]), Decimal::ZERO);
    assert_eq!(
        num(&r["intensity_location_tco2_per_tce"]),
        (scope1 + mwh * dec("0.5581")) / tce
    );
    let ids: Vec<&str> = r["factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"builtin-2025.1/grid_average/CQ/2023"),
        "{ids:?}"
    );
    assert!(r["factors"][0]["source"].as_str().is_some());
    let elec = r["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["carrier"] == "electricity")
        .unwrap();
    assert_eq!(elec["inputs"].as_array().unwrap().len(), 12);
    assert!(
        elec["inputs"][0]["source"]
            .as_str()
            .unwrap()
            .contains("activity_2023.csv:")
    );
}

#[test]
fn certificates_and_onsite_pv_in_market_scope2() {
    let db = Db::seeded();
    let r = db.json(&["report", "inventory", "--org", ELEC, "--year", "2023"]);
    let grid = csv_sum(ELEC, "electricity") / Decimal::from(1000);
    let pv = csv_sum(ELEC, "electricity_onsite_renewable") / Decimal::from(1000);
    let certs = Decimal::from(6000);
    assert_eq!(num(&r["certificates_applied_mwh"]), certs);
    assert_eq!(num(&r["electricity_mwh"]), grid + pv);
    let gas_line = r["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["carrier"] == "natural_gas")
        .unwrap();
    assert_eq!(
        num(&r["scope2_market_tco2"]),
        (grid - certs) * Decimal::from_str("0.6096").unwrap()
    );
    assert!(num(&gas_line["scope1_tco2"]) > Decimal::ZERO);
    assert_eq!(
        num(&r["clean_electricity_share"]),
        (pv + certs) / (grid + pv)
    );
}

#[test]
fn park_is_the_sum_of_its_enterprises() {
    let db = Db::seeded();
    let park = db.json(&["report", "inventory", "--park", PARK, "--year", "2023"]);
    let members = park["members"].as_array().unwrap();
    assert_eq!(members.len(), 5);
    for key in [
        "energy_tce",
        "scope1_tco2",
        "scope2_location_tco2",
        "scope2_market_tco2",
        "electricity_mwh",
    ] {
        let sum: Decimal = members
            .iter()
            .map(|m| {
                num(&db.json(&[
                    "report",
                    "inventory",
                    "--org",
                    m.as_str().unwrap(),
                    "--year",
                    "2023",
                ])[key])
            })
            .sum();
        assert_eq!(num(&park[key]), sum, "{key}");
    }
    let text = db.ok(&["report", "inventory", "--park", PARK, "--year", "2023"]);
    assert!(text.contains("intensity, market (tCO2/tce)"), "{text}");
}

#[test]
fn national_grid_factor_option() {
    let db = Db::seeded();
    let r = db.json(&[
        "report",
        "inventory",
        "--org",
        DC,
        "--year",
        "2023",
        "--grid-factor",
        "national",
    ]);
    assert_eq!(
        num(&r["scope2_location_tco2"]),
        csv_sum(DC, "electricity") * Decimal::from_str("0.5306").unwrap()
    );
    assert_eq!(r["grid_factor"], "national");
}

#[test]
fn restatement_replaces_the_value_and_keeps_history() {
    let db = Db::seeded();
    let before =
        num(&db.json(&["report", "inventory", "--org", DC, "--year", "2023"])["electricity_mwh"]);
    let c = db.json(&["import", "activity", &data("activity_restatement.csv")]);
    assert_eq!(c["restated"], 1);
    let after =
        num(&db.json(&["report", "inventory", "--org", DC, "--year", "2023"])["electricity_mwh"]);
    let mut r = csv::Reader::from_path(data("activity_2023.csv")).unwrap();
    let july: Decimal = r
        .records()
        .map(|x| x.unwrap())
        .find(|x| &x[0] == DC && &x[1] == "2023-07" && &x[2] == "electricity")
        .map(|x| Decimal::from_str(&x[3]).unwrap())
        .unwrap();
    assert_eq!(after, before - july + Decimal::from(6500));
    let history = db.json(&["orgs", "history", DC]);
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["superseded_by"].is_i64())
    );
    assert!(db.audit().iter().any(|a| a["action"] == "restate"));
}

#[test]
fn new_factors_change_nothing_until_recompute() {
    let db = Db::seeded();
    let issued = num(
        &db.json(&["report", "inventory", "--org", DC, "--year", "2023"])["scope2_location_tco2"],
    );
    db.json(&[
        "import",
        "factors",
        &data("factors_revision.csv"),
        "--set",
        "revision-test",
    ]);
    let still = num(
        &db.json(&["report", "inventory", "--org", DC, "--year", "2023"])["scope2_location_tco2"],
    );
    assert_eq!(
        issued, still,
        "a new factor must not change an issued figure"
    );
    let dry = db.json(&["recompute", "--dry-run"]);
    let change = dry["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["scope"] == DC)
        .unwrap();
    assert_eq!(
        change["factors"][0]["new_id"],
        "revision-test/grid_average/CQ/2023"
    );
    assert_eq!(
        num(
            &db.json(&["report", "inventory", "--org", DC, "--year", "2023"])["scope2_location_tco2"]
        ),
        issued
    );
    db.json(&["recompute"]);
    let new = num(
        &db.json(&["report", "inventory", "--org", DC, "--year", "2023"])["scope2_location_tco2"],
    );
    assert_eq!(
        new,
        csv_sum(DC, "electricity") * Decimal::from_str("0.54").unwrap()
    );
    assert!(
        db.json(&["recompute", "--dry-run"])["changes"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Sets are immutable.
    let out = db.run(&[
        "import",
        "factors",
        &data("factors_revision.csv"),
        "--set",
        "revision-test",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
}

#[test]
fn xlsx_and_gb18030_ledgers() {
    let db = Db::seeded();
    // The same ledger as an Excel sheet: every row is a duplicate of the CSV import.
    let d = tempfile::tempdir().unwrap();
    let xlsx = d.path().join("ledger.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let mut r = csv::Reader::from_path(data("activity_2023.csv")).unwrap();
    for (c, h) in r.headers().unwrap().iter().enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    for (i, rec) in r.records().enumerate() {
        let rec = rec.unwrap();
        for (c, v) in rec.iter().enumerate() {
            match (c, f64::from_str(v)) {
                (3, Ok(n)) => ws
                    .write_number(i as u32 + 1, c as u16, n)
                    .map(|_| ())
                    .unwrap(),
                _ => ws
                    .write_string(i as u32 + 1, c as u16, v)
                    .map(|_| ())
                    .unwrap(),
            }
        }
    }
    wb.save(&xlsx).unwrap();
    let c = db.json(&["import", "activity", xlsx.to_str().unwrap()]);
    assert_eq!(
        (
            c["read"].as_u64(),
            c["duplicates"].as_u64(),
            c["restated"].as_u64()
        ),
        (Some(206), Some(206), Some(0))
    );
    let c = db.json(&["import", "activity", &data("activity_gb18030.csv")]);
    assert_eq!(
        (c["accepted"].as_u64(), c["quarantined"].as_u64()),
        (Some(4), Some(0))
    );
    let r = db.json(&["report", "inventory", "--org", ELEC, "--year", "2024"]);
    assert_eq!(
        num(&r["electricity_mwh"]),
        Decimal::from(3101 + 3102 + 3103)
    );
    // No 2024 grid factor is published: the report says which year it used.
    let notes = r["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n.as_str().unwrap().contains("2023")),
        "{notes:?}"
    );
}

#[test]
fn registry_designations_and_output_value() {
    let db = Db::seeded();
    db.json(&[
        "designations",
        "add",
        "--org",
        DC,
        "--kind",
        "green_factory",
        "--level",
        "national",
        "--granted-on",
        "2023-03-01",
    ]);
    db.json(&[
        "designations",
        "add",
        "--park",
        PARK,
        "--kind",
        "零碳园区",
        "--level",
        "provincial",
        "--granted-on",
        "2025-08-15",
    ]);
    let list = db.json(&["designations", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 2);
    let bad = db.run(&[
        "designations",
        "add",
        "--org",
        DC,
        "--kind",
        "gold_star",
        "--level",
        "national",
        "--granted-on",
        "2023-03-01",
    ]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown designation"));
    db.json(&[
        "orgs",
        "set-output",
        "--org",
        DC,
        "--year",
        "2023",
        "--value-10k-yuan",
        "150000",
    ]);
    let r = db.json(&["report", "inventory", "--org", DC, "--year", "2023"]);
    assert_eq!(
        num(&r["energy_intensity_tce_per_10k_yuan"]),
        num(&r["energy_tce"]) / Decimal::from(150000)
    );
    let show = db.json(&["orgs", "show", DC]);
    assert_eq!(show["designations"][0]["kind"], "green_factory");
}

#[test]
fn errors_name_what_was_wrong() {
    let db = Db::seeded();
    let out = db.run(&[
        "report",
        "inventory",
        "--org",
        "91500112MA60DAT04X",
        "--year",
        "2023",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("check character"));
    let out = db.run(&[
        "report",
        "inventory",
        "--park",
        "不存在园区",
        "--year",
        "2023",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("不存在园区"));
}

/// Issue 19 (operations): `zeropark.toml` in the working directory (or `ZEROPARK_CONFIG`)
/// stands in for unset environment variables; the environment overrides it, a flag
/// overrides both; a bad file is refused (exit 2) naming the file, key and reason.
#[test]
fn configuration_file_with_environment_and_flag_overrides() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("zeropark.toml"),
        "db = \"from-file.db\"\n[log]\nformat = \"json\"\n",
    )
    .unwrap();
    let run = |cmd: &mut std::process::Command| {
        let out = cmd.current_dir(dir.path()).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(common::zeropark(&["migrate"]).env_remove("ZEROPARK_CONFIG"));
    assert!(dir.path().join("from-file.db").exists());
    run(common::zeropark(&["migrate"])
        .env_remove("ZEROPARK_CONFIG")
        .env("ZEROPARK_DB", "from-env.db"));
    assert!(dir.path().join("from-env.db").exists());
    run(common::zeropark(&["migrate", "--db", "from-flag.db"])
        .env_remove("ZEROPARK_CONFIG")
        .env("ZEROPARK_DB", "from-env.db"));
    assert!(dir.path().join("from-flag.db").exists());

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[server]\nmax_upload_mb = -1\n").unwrap();
    let out = common::zeropark(&["migrate"])
        .current_dir(dir.path())
        .env("ZEROPARK_CONFIG", &bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml: server.max_upload_mb: a whole number of at least 1, not -1"),
        "{err}"
    );
}
