//! `zeropark import activity --dry-run`, then a real import, then `zeropark imports revert`:
//! the restated values come back, the added rows go, the audit log says so, and a second
//! revert (or one under a later restatement) is refused.

mod common;

use common::{Db, d, num};

const ORG: &str = "91500112MA60CEM01B";

fn write(db: &Db, name: &str, rows: &[&str]) -> String {
    let p = db.file(name);
    std::fs::write(
        &p,
        format!(
            "credit_code,period,carrier,quantity,unit\n{}\n",
            rows.join("\n")
        ),
    )
    .unwrap();
    p.to_str().unwrap().to_string()
}

/// A database with the one enterprise registered.
fn with_org() -> Db {
    let db = Db::new();
    let orgs = db.file("orgs.csv");
    std::fs::write(
        &orgs,
        format!("credit_code,name,region,park,industry\n{ORG},示例,CQ,示例园区,3011\n"),
    )
    .unwrap();
    db.ok(&["import", "orgs", orgs.to_str().unwrap()]);
    db
}

fn electricity(db: &Db) -> rust_decimal::Decimal {
    num(&db.json(&["report", "inventory", "--org", ORG, "--year", "2023"])["electricity_mwh"])
}

#[test]
fn a_stored_import_reverts_to_the_previous_values() {
    let db = with_org();
    let first = write(
        &db,
        "a.csv",
        &[&format!("{ORG},2023-05,electricity,13876,MWh")],
    );
    db.json(&["import", "activity", &first]);
    assert_eq!(electricity(&db), d("13876"));

    // The GBK ledger of the issue: May restated to 1,200 MWh and June added.
    let second = write(
        &db,
        "b.csv",
        &[
            &format!("{ORG},2023-05,electricity,1200,MWh"),
            &format!("{ORG},2023-06,electricity,1000,MWh"),
        ],
    );
    let preview = db.json(&["import", "activity", &second, "--dry-run"]);
    assert_eq!(preview["restated"], 1);
    assert_eq!(preview["changes"][0]["old"], "13876 MWh");
    assert_eq!(electricity(&db), d("13876"));
    db.json(&["import", "activity", &second]);
    assert_eq!(electricity(&db), d("2200"));

    let imports = db.json(&["imports"]);
    let id = imports[0]["id"].as_i64().unwrap();
    assert_eq!(imports[0]["file"], second.as_str());
    let r = db.json(&["imports", "revert", &id.to_string()]);
    assert_eq!(
        (r["restored"].as_u64(), r["withdrawn"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(electricity(&db), d("13876"));

    let audit = db.json(&["audit"]);
    let reverts = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "revert")
        .count();
    assert_eq!(reverts, 3); // two rows and the import
    let again = db.fails(&["imports", "revert", &id.to_string()], 1);
    assert!(again.contains("already reverted"), "{again}");
}

#[test]
fn an_import_restated_later_must_wait_for_the_later_one() {
    let db = with_org();
    db.json(&[
        "import",
        "activity",
        &write(
            &db,
            "a.csv",
            &[&format!("{ORG},2023-05,electricity,100,MWh")],
        ),
    ]);
    db.json(&[
        "import",
        "activity",
        &write(
            &db,
            "b.csv",
            &[&format!("{ORG},2023-05,electricity,200,MWh")],
        ),
    ]);
    let ids: Vec<i64> = db
        .json(&["imports"])
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_i64().unwrap())
        .collect();
    let (later, earlier) = (ids[0], ids[1]);
    let e = db.fails(&["imports", "revert", &earlier.to_string()], 1);
    assert!(e.contains("revert it first"), "{e}");
    db.json(&["imports", "revert", &later.to_string()]);
    assert_eq!(electricity(&db), d("100"));
    db.json(&["imports", "revert", &earlier.to_string()]);
    assert_eq!(electricity(&db), d("0"));
}
