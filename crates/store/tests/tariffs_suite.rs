//! Time-of-use tariff storage against SQLite and PostgreSQL (same backend setup as
//! `suite.rs`): versions round-trip exactly, a second import of the same versions changes
//! nothing, a changed version is restated with its before and after in the audit log, and
//! the tariff category of an enterprise is stored and audited.

use std::collections::BTreeMap;
use zp_domain::{CreditCode, Region};
use zp_energy::{TariffVersion, parse_tariffs};
use zp_store::*;

mod common;
use common::suite;

suite!("zp_tariffs"; tariff_versions_round_trip_idempotently, org_tariff_category_is_audited);

fn versions(body: &str) -> Vec<TariffVersion> {
    let mut lines = body.lines().map(str::trim).filter(|l| !l.is_empty());
    let headers = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect::<Vec<_>>();
    let rows: Vec<(i64, Vec<String>)> = lines
        .enumerate()
        .map(|(i, l)| (i as i64 + 2, l.split(',').map(str::to_string).collect()))
        .collect();
    parse_tariffs("t.csv", &headers, &rows).unwrap()
}

fn meta(file: &str) -> BatchMeta {
    BatchMeta {
        kind: "tariffs".into(),
        file: file.into(),
        sha256: format!("sha-{file}"),
        actor: "test".into(),
        readings_txn: None,
    }
}

const HEADER: &str = "region,category,valid_from,months,start,end,period,yuan_per_kwh";

/// Two versions of CQ large_industrial (2 and 3 bands), one of SC general_industrial.
fn file_one() -> String {
    format!(
        "{HEADER}
        CQ,large_industrial,2023-01-01,1-12,00:00,12:00,valley,0.4
        CQ,large_industrial,2023-01-01,1-12,12:00,24:00,high,0.8
        CQ,large_industrial,2023-07-15,1-12,00:00,08:00,deep_valley,-0.05
        CQ,large_industrial,2023-07-15,1-12,08:00,20:00,high,0.61234
        CQ,large_industrial,2023-07-15,1-12,20:00,24:00,flat,0.6
        SC,general_industrial,2024-01-01,1-12,00:00,24:00,flat,0.7"
    )
}

fn audit_count(s: &mut dyn Store, action: &str) -> usize {
    s.audit(1000)
        .unwrap()
        .iter()
        .filter(|a| a.entity == "tariff_versions" && a.action == action)
        .count()
}

fn tariff_versions_round_trip_idempotently(s: &mut dyn Store) {
    let v = versions(&file_one());
    let c = s.import_tariffs(&meta("one.csv"), &v, 6).unwrap();
    assert_eq!(
        (c.read, c.accepted, c.quarantined, c.duplicates, c.restated),
        (6, 6, 0, 0, 0)
    );
    let stored = s.tariffs(None).unwrap();
    let back: Vec<TariffVersion> = stored.iter().map(|t| t.version.clone()).collect();
    assert_eq!(
        back, v,
        "exact round trip, in region/category/valid_from order"
    );
    assert_eq!(stored[1].version.bands[0].yuan_per_kwh.to_string(), "-0.05");
    assert_eq!(
        stored[1].version.bands[1].yuan_per_kwh.to_string(),
        "0.61234"
    );
    assert!(
        stored
            .iter()
            .all(|t| t.file == "one.csv" && t.sha256 == "sha-one.csv")
    );
    assert_eq!(audit_count(s, "insert"), 3);

    // The same versions again (from another file): nothing changes, not even the lineage.
    let c = s.import_tariffs(&meta("again.csv"), &v, 6).unwrap();
    assert_eq!((c.accepted, c.duplicates, c.restated), (6, 6, 0));
    assert_eq!(s.tariffs(None).unwrap(), stored);
    assert_eq!(audit_count(s, "insert") + audit_count(s, "update"), 3);

    // A changed price in the July version restates its 3 rows, audited with before/after.
    let changed = versions(&file_one().replace("0.61234", "0.65"));
    let c = s.import_tariffs(&meta("two.csv"), &changed, 6).unwrap();
    assert_eq!((c.accepted, c.duplicates, c.restated), (6, 3, 3));
    let now = s.tariffs(Some(Region::parse("CQ").unwrap())).unwrap();
    assert_eq!(now.len(), 2);
    assert_eq!(now[1].version.bands[1].yuan_per_kwh.to_string(), "0.65");
    assert_eq!(
        (now[0].file.as_str(), now[1].file.as_str()),
        ("one.csv", "two.csv")
    );
    let update = s
        .audit(1000)
        .unwrap()
        .into_iter()
        .find(|a| a.entity == "tariff_versions" && a.action == "update")
        .unwrap();
    assert_eq!(update.entity_id, "CQ/large_industrial/2023-07-15");
    assert!(update.before.unwrap().contains("0.61234"));
    assert!(update.after.unwrap().contains("0.65"));
    // Every import is a batch with its counts.
    let batches: BTreeMap<String, (usize, usize)> = s
        .batches(10)
        .unwrap()
        .into_iter()
        .filter(|b| b.kind == "tariffs")
        .map(|b| (b.file, (b.counts.duplicates, b.counts.restated)))
        .collect();
    assert_eq!(batches["again.csv"], (6, 0));
    assert_eq!(batches["two.csv"], (3, 3));

    let sc = s.tariffs(Some(Region::parse("SC").unwrap())).unwrap();
    assert_eq!(sc.len(), 1);
    assert_eq!(sc[0].version.category, "general_industrial");
    assert!(
        s.tariffs(Some(Region::parse("BJ").unwrap()))
            .unwrap()
            .is_empty()
    );

    // A count that does not match the versions is refused and writes nothing.
    assert_eq!(
        s.import_tariffs(&meta("bad.csv"), &v, 7)
            .unwrap_err()
            .to_string(),
        "conflict: tariff import of bad.csv: 7 rows read but 6 bands given"
    );
    assert!(!s.batches(20).unwrap().iter().any(|b| b.file == "bad.csv"));
}

fn org_tariff_category_is_audited(s: &mut dyn Store) {
    let code = CreditCode::complete("91500105MA5YRE01B").unwrap();
    s.upsert_org(
        &Org {
            credit_code: code.clone(),
            name: "示例制造有限公司".into(),
            region: Region::parse("CQ").unwrap(),
            park: None,
            industry: "3971".into(),
            attrs: BTreeMap::new(),
        },
        "test",
    )
    .unwrap();
    assert_eq!(s.org_tariff(&code).unwrap(), None);
    assert_eq!(
        s.set_org_tariff(&code, "large_industrial", "op").unwrap(),
        Upsert::Inserted
    );
    assert_eq!(
        s.set_org_tariff(&code, "large_industrial", "op").unwrap(),
        Upsert::Unchanged
    );
    assert_eq!(
        s.set_org_tariff(&code, "general_industrial", "op").unwrap(),
        Upsert::Updated
    );
    assert_eq!(
        s.org_tariff(&code).unwrap().as_deref(),
        Some("general_industrial")
    );
    let entries: Vec<(Option<String>, Option<String>)> = s
        .audit(100)
        .unwrap()
        .into_iter()
        .filter(|a| a.entity == "org_tariffs")
        .map(|a| (a.before, a.after))
        .collect();
    assert_eq!(entries.len(), 2, "the unchanged set is not audited");
    assert!(entries.contains(&(
        Some("large_industrial".into()),
        Some("general_industrial".into())
    )));
    // An unknown enterprise cannot be assigned a tariff.
    let other = CreditCode::complete("91500105MA5YRE02B").unwrap();
    // Refused as a conflict on both backends (the message is each database's own).
    assert!(matches!(
        s.set_org_tariff(&other, "large_industrial", "op"),
        Err(StoreError::Conflict(_))
    ));
}
