//! `zeropark import KIND FILE --dry-run [--json]` for every kind, not only ledgers: the
//! counts the import then reports, each restatement old -> new, the rows it would
//! quarantine, and nothing stored.

mod common;

use common::{Db, org};

/// Every `import` subcommand that imports a file offers `--dry-run`.
#[test]
fn every_file_import_has_a_dry_run() {
    let db = Db::new();
    for kind in [
        "orgs",
        "activity",
        "meters",
        "grid-hourly",
        "readings",
        "indicators",
        "tariffs",
        "production",
        "energy-limits",
        "materials",
        "factors",
    ] {
        let help = db.ok(&["import", kind, "--help"]);
        assert!(help.contains("--dry-run"), "import {kind}: {help}");
    }
}

#[test]
fn a_production_dry_run_shows_what_the_import_then_does_and_stores_nothing() {
    let db = Db::with_org("示例水泥", "3011");
    let code = org();
    let head = "credit_code,period,product,cn_code,quantity_t\n";
    let first = db.write(
        "p1.csv",
        &format!(
            "{head}{code},2023-01,水泥熟料,25231000,1500\n{code},2023-02,水泥熟料,25231000,1500\n"
        ),
    );
    db.json(&["import", "production", &first]);
    let second = db.write(
        "p2.csv",
        &format!(
            "{head}{code},2023-01,水泥熟料,25231000,1500\n{code},2023-02,水泥熟料,25231000,1200\n{code},2023-03,水泥熟料,25231000,1400\n{code},2023-04,水泥熟料,25231000,-1\n"
        ),
    );
    let imports = db.json(&["imports"]).as_array().unwrap().len();
    let p = db.json(&["import", "production", &second, "--dry-run"]);
    for key in [
        "kind",
        "file",
        "sha256",
        "dry_run",
        "read",
        "accepted",
        "quarantined",
        "duplicates",
        "restated",
        "changes",
        "rejected",
    ] {
        assert!(p.get(key).is_some(), "{key} in {p}");
    }
    assert_eq!(p["kind"], "production");
    assert_eq!(p["dry_run"], true);
    let counts = |v: &serde_json::Value| {
        ["read", "accepted", "quarantined", "duplicates", "restated"]
            .map(|k| v[k].as_u64().unwrap())
    };
    assert_eq!(counts(&p), [4, 3, 1, 1, 1]);
    let change = &p["changes"][0];
    assert_eq!(change["period"], "2023-02");
    assert_eq!(change["old"], "水泥熟料 1500 t");
    assert_eq!(change["new"], "水泥熟料 1200 t");
    assert_eq!(p["rejected"][0]["row"], 5);
    assert_eq!(p["rejected"][0]["field"], "quantity_t");
    assert_eq!(
        db.json(&["imports"]).as_array().unwrap().len(),
        imports,
        "a dry run records no import"
    );
    // The text form says the same.
    let text = db.ok(&["import", "production", &second, "--dry-run"]);
    assert!(text.contains("dry run, nothing stored"), "{text}");
    assert!(text.contains("水泥熟料 1200 t"), "{text}");
    // The real import reports what the dry run said.
    let done = db.json(&["import", "production", &second]);
    assert_eq!(counts(&done), counts(&p));
}
