//! The certificate registry through the binary: issue from metered generation (twice:
//! nothing is issued twice), hourly matching (twice: nothing retired twice), the matching
//! report, lifecycle refusals, chain verification, evidence (JSON and PDF) and the
//! market-based Scope 2 it feeds, on `tests/data/readings_*.csv`.
//!
//! ELEC (91500112MA60ELE02H) consumes 2 MWh every hour of 2023-07-10; its PV meter makes
//! 0.2, 0.8, 1.5, 2.2, 2.8, 3.0, 3.0, 2.6, 2.0, 1.2, 0.5, 0.1 MWh in hours 06..17, 19.9 MWh
//! in all. Matched = sum of min(2, pv) = 0.2+0.8+1.5+2+2+2+2+2+2+1.2+0.5+0.1 = 16.3 MWh.
//! The grid file gives a CFE share of 0.4 for hours 00..11 only: unmatched load there is
//! 24 - 8.5 = 15.5 MWh, worth 6.2 MWh; later hours count 0. CFE score = (16.3 + 6.2) / 48
//! = 0.46875; annual match ratio = 19.9 / 48.

mod common;

use common::{Db, data, num};
use rust_decimal::Decimal;
use serde_json::Value;
use std::path::PathBuf;
use std::str::FromStr;

const ELEC: &str = "91500112MA60ELE02H";
const DC: &str = "91500112MA60DAT04U";

fn seeded() -> Db {
    let db = Db::new();
    db.json(&["import", "orgs", &data("orgs.csv")]);
    db.json(&["import", "activity", &data("activity_2023.csv")]);
    db.json(&["import", "meters", &data("readings_meters.csv")]);
    db.json(&["import", "grid-hourly", &data("grid_hourly_2023-07-10.csv")]);
    db.json(&["import", "readings", &data("readings_2023-07-10.csv")]);
    db
}

const DAY: [&str; 4] = ["--from", "2023-07-10", "--to", "2023-07-10"];

#[test]
fn issue_match_report_verify_and_evidence() {
    let db = seeded();
    let issue = |db: &Db| db.json(&[&["certs", "issue"][..], &DAY].concat());
    let first = issue(&db);
    assert_eq!(
        num(&first["energy_mwh"]),
        Decimal::from_str("19.9").unwrap()
    );
    assert_eq!(first["bundles_issued"], 12, "{first}");
    let again = issue(&db);
    assert_eq!(
        again["bundles_issued"], 0,
        "re-running issues nothing twice: {again}"
    );
    // The key file sits next to the database, owner-only.
    let key = PathBuf::from(format!("{}.registry.key", db.path().display()));
    assert!(key.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "key readable by others: {mode:o}");
    }

    let matching = [&["certs", "match", "--consumer", ELEC][..], &DAY].concat();
    let m1 = db.json(&matching);
    assert_eq!(num(&m1["matched_mwh"]), Decimal::from_str("16.3").unwrap());
    let m2 = db.json(&matching);
    assert_eq!(m2["events_appended"], 0, "nothing retired twice: {m2}");

    let r = db.json(&[&["report", "matching", "--org", ELEC][..], &DAY].concat());
    assert_eq!(num(&r["load_mwh"]), Decimal::from(48));
    assert_eq!(num(&r["matched_mwh"]), Decimal::from_str("16.3").unwrap());
    assert_eq!(num(&r["cfe_score"]), Decimal::from_str("0.46875").unwrap());
    let ratio = num(&r["annual_match_ratio"]);
    let want = Decimal::from_str("19.9").unwrap() / Decimal::from(48);
    assert!(
        (ratio - want).abs() < Decimal::from_str("1e-12").unwrap(),
        "{ratio} vs {want}"
    );

    let b = db.json(&["certs", "balances"]);
    assert_eq!(b["issued_wh"], 19_900_000u64);
    assert_eq!(b["cancelled_wh"], 16_300_000u64);
    assert_eq!(b["active_wh"], 3_600_000u64);

    let v = db.json(&["certs", "verify"]);
    assert!(v["events"].as_u64().unwrap() >= 12 + 12, "{v}");

    // Only the owner may transfer: DC does not own ELEC's certificates.
    let active = db.json(&["certs", "list", "--status", "active"]);
    let bundle = active["bundles"][0]["id"].to_string();
    let refused = db.run(&[
        "certs", "transfer", "--bundle", &bundle, "--to", DC, "--as", DC,
    ]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("may not move"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let moved = db.json(&[
        "certs", "transfer", "--bundle", &bundle, "--to", DC, "--wh", "1000", "--as", ELEC,
    ]);
    assert_eq!(moved["events_appended"], 2, "split then transfer: {moved}");
    assert_eq!(db.json(&["certs", "balances"])["issued_wh"], 19_900_000u64);

    // Evidence: JSON for machines, PDF for people; both carry the chain head.
    let ev_path = db.file("evidence.json");
    let ev_args = [
        &["certs", "evidence", "--org", ELEC][..],
        &DAY,
        &["--out", ev_path.to_str().unwrap()],
    ]
    .concat();
    assert!(db.run(&ev_args).status.success());
    let ev: Value = serde_json::from_slice(&std::fs::read(&ev_path).unwrap()).unwrap();
    assert_eq!(ev["matched_wh"], 16_300_000u64);
    assert_eq!(ev["consumption_wh"], 48_000_000u64);
    let head = ev["head_hash"].as_str().unwrap().to_string();
    let pdf_path = db.file("evidence.pdf");
    let pdf_args = [
        &["certs", "evidence", "--org", ELEC, "--format", "pdf"][..],
        &DAY,
        &["--out", pdf_path.to_str().unwrap()],
    ]
    .concat();
    let out = db.run(&pdf_args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pdf = std::fs::read(&pdf_path).unwrap();
    assert!(pdf.starts_with(b"%PDF-1.4"));
    assert!(String::from_utf8_lossy(&pdf).contains(&head));

    // Market-based Scope 2: the 16.3 MWh retired for ELEC count as certificates of 2023.
    let inv = db.json(&["report", "inventory", "--org", ELEC, "--year", "2023"]);
    assert_eq!(
        num(&inv["certificates_retired_mwh"]),
        Decimal::from_str("16.3").unwrap(),
        "{}",
        inv["notes"]
    );
}

#[test]
fn reading_commands_need_no_key_and_bad_input_is_named() {
    let db = seeded();
    // Before anything is issued the registry is empty, not an error.
    let b = db.json(&["certs", "balances"]);
    assert_eq!(b["issued_wh"], 0);
    // An empty log verifies, key or no key (an interrupted first issue leaves a key file
    // and no recorded public key).
    let v = db.json(&["certs", "verify"]);
    assert_eq!(
        (v["events"].as_u64(), v["bundles"].as_u64()),
        (Some(0), Some(0)),
        "{v}"
    );
    let bad = db.run(&[
        "certs",
        "match",
        "--consumer",
        "91500112MA60ELE02X",
        "--from",
        "2023-07-10",
        "--to",
        "2023-07-10",
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--consumer"));
    let backwards = db.run(&[
        "certs",
        "issue",
        "--from",
        "2023-07-11",
        "--to",
        "2023-07-10",
    ]);
    assert!(!backwards.status.success());
    assert!(String::from_utf8_lossy(&backwards.stderr).contains("before --from"));
}
