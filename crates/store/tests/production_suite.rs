//! Production records against SQLite and PostgreSQL (same backend setup as `suite.rs`):
//! rows round-trip exactly with their file and row, a second import changes nothing, a
//! changed quantity is restated with before and after in the audit log, quarantined rows
//! are kept with the batch, and reads are filtered by tenant access.

use rust_decimal::Decimal;
use std::str::FromStr;
use zp_domain::Period;
use zp_store::*;

mod common;
use common::fixtures::{code, meta, two_enterprises};
use common::suite;

suite!("zp_production"; production_round_trips_restates_and_filters);

fn row(n: u32, month: u32, cn: &str, route: &str, t: &str, file_row: i64) -> NewProduction {
    NewProduction {
        credit_code: code(n),
        period: Period::new(2023, month).unwrap(),
        product: format!("product {cn}"),
        cn_code: cn.into(),
        quantity_t: Decimal::from_str(t).unwrap(),
        route: route.into(),
        row: file_row,
    }
}

fn production_round_trips_restates_and_filters(s: &mut dyn Store) {
    two_enterprises(s);
    let rows = vec![
        row(1, 1, "25231000", "kiln", "1000.5", 2),
        row(1, 2, "25231000", "kiln", "1100", 3),
        row(1, 1, "25232900", "", "2000", 4),
        row(2, 1, "72085120", "", "10", 5),
    ];
    let bad = Rejected {
        row: 6,
        field: "cn_code".into(),
        reason: "not a CBAM good".into(),
        raw: "x".into(),
    };
    let c = s
        .import_production(ImportRows::new(
            &meta("production", "p.csv"),
            &rows,
            std::slice::from_ref(&bad),
            5,
        ))
        .unwrap();
    assert_eq!(
        (c.read, c.accepted, c.quarantined, c.duplicates),
        (5, 4, 1, 0)
    );
    let got = s.production(&Access::All, &code(1), 2023).unwrap();
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].quantity_t, Decimal::from_str("1000.5").unwrap());
    assert_eq!(
        (got[0].source_file.as_str(), got[0].source_row),
        ("p.csv", 2)
    );
    assert_eq!(got[0].route, "kiln");
    assert!(
        s.production(&Access::All, &code(1), 2022)
            .unwrap()
            .is_empty()
    );
    let q = s
        .quarantine(&QuarantineFilter {
            kind: Some("production".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(q.len(), 1);

    // The same file again: duplicates; a changed quantity: restated and audited.
    let again = s
        .import_production(ImportRows::new(&meta("production", "p.csv"), &rows, &[], 4))
        .unwrap();
    assert_eq!(
        (again.accepted, again.duplicates, again.restated),
        (4, 4, 0)
    );
    let changed = vec![row(1, 2, "25231000", "kiln", "1200", 2)];
    let c = s
        .import_production(ImportRows::new(
            &meta("production", "p2.csv"),
            &changed,
            &[],
            1,
        ))
        .unwrap();
    assert_eq!(c.restated, 1);
    let got = s.production(&Access::All, &code(1), 2023).unwrap();
    let feb = got.iter().find(|r| r.period.month() == 2).unwrap();
    assert_eq!(
        (feb.quantity_t, feb.source_file.as_str()),
        (Decimal::from(1200), "p2.csv")
    );
    let audit = s.audit(100).unwrap();
    let update = audit
        .iter()
        .find(|a| a.entity == "production" && a.action == "update")
        .unwrap();
    assert_eq!(update.before.as_deref(), Some("product 25231000 1100 t"));
    assert_eq!(update.after.as_deref(), Some("product 25231000 1200 t"));

    // Tenancy in the query: enterprise 2 does not see enterprise 1's records.
    assert!(
        s.production(&Access::Org(code(2)), &code(1), 2023)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.production(&Access::Park("园区".into()), &code(1), 2023)
            .unwrap()
            .len(),
        3
    );
}
