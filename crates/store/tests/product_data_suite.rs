//! Energy limit standards and product materials against SQLite and PostgreSQL (same backend
//! setup as `suite.rs`): rows round-trip exactly with their file and row, a second import
//! changes nothing, changed values are restated with before and after in the audit log,
//! quarantined rows are kept with the batch, materials and producers are filtered by
//! tenant access.

use rust_decimal::Decimal;
use std::str::FromStr;
use zp_domain::Period;
use zp_store::*;

mod common;
use common::fixtures::{code, meta, two_enterprises};
use common::suite;

suite!("zp_product_data"; limits_round_trip_and_restate, materials_and_producers_are_scoped);

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn limit(product: &str, l2: &str, row: i64) -> EnergyLimit {
    EnergyLimit {
        standard: "GB 16780-2021".into(),
        product: product.into(),
        unit: "kgce/t".into(),
        level1: d("100"),
        level2: d(l2),
        level3: d("120"),
        source: "TEST values".into(),
        row,
        source_file: "l.csv".into(),
    }
}

fn limits_round_trip_and_restate(s: &mut dyn Store) {
    let rows = vec![limit("水泥熟料", "110.5", 2), limit("水泥", "90", 3)];
    let bad = Rejected {
        row: 4,
        field: "source".into(),
        reason: "empty".into(),
        raw: "x".into(),
    };
    let c = s
        .import_energy_limits(ImportRows::new(
            &meta("energy-limits", "l.csv"),
            &rows,
            &[bad],
            3,
        ))
        .unwrap();
    assert_eq!(
        (c.read, c.accepted, c.quarantined, c.duplicates),
        (3, 2, 1, 0)
    );
    let got = s.energy_limits().unwrap();
    assert_eq!(got.len(), 2);
    let clinker = got.iter().find(|l| l.product == "水泥熟料").unwrap();
    assert_eq!(clinker.level2, d("110.5"));
    assert_eq!((clinker.source_file.as_str(), clinker.row), ("l.csv", 2));
    let q = s
        .quarantine(&QuarantineFilter {
            kind: Some("energy-limits".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(q.len(), 1);

    let again = s
        .import_energy_limits(ImportRows::new(
            &meta("energy-limits", "l.csv"),
            &rows,
            &[],
            2,
        ))
        .unwrap();
    assert_eq!(
        (again.accepted, again.duplicates, again.restated),
        (2, 2, 0)
    );
    let changed = s
        .import_energy_limits(ImportRows::new(
            &meta("energy-limits", "l2.csv"),
            &[limit("水泥熟料", "111", 2)],
            &[],
            1,
        ))
        .unwrap();
    assert_eq!(changed.restated, 1);
    let audit = s.audit(100).unwrap();
    let update = audit
        .iter()
        .find(|a| a.entity == "energy_limit" && a.action == "update")
        .unwrap();
    assert!(update.before.as_deref().unwrap().contains("110.5"));
    assert!(update.after.as_deref().unwrap().contains("/111/"));
}

fn materials_and_producers_are_scoped(s: &mut dyn Store) {
    two_enterprises(s);
    let m = ProductMaterial {
        credit_code: code(1),
        year: 2023,
        product: "水泥熟料".into(),
        material: "石灰石".into(),
        quantity: d("1500.25"),
        unit: "t".into(),
        kgco2e_per_unit: d("2.5"),
        source: "TEST".into(),
        row: 2,
        source_file: "m.csv".into(),
    };
    let c = s
        .import_materials(ImportRows::new(
            &meta("materials", "m.csv"),
            std::slice::from_ref(&m),
            &[],
            1,
        ))
        .unwrap();
    assert_eq!(c.accepted, 1);
    let again = s
        .import_materials(ImportRows::new(
            &meta("materials", "m.csv"),
            std::slice::from_ref(&m),
            &[],
            1,
        ))
        .unwrap();
    assert_eq!(again.duplicates, 1);
    let got = s.materials(&Access::All, &code(1), 2023).unwrap();
    assert_eq!(got, vec![m.clone()]);
    assert!(
        s.materials(&Access::All, &code(1), 2022)
            .unwrap()
            .is_empty()
    );
    // Enterprise 2 does not see enterprise 1's materials.
    assert!(
        s.materials(&Access::Org(code(2)), &code(1), 2023)
            .unwrap()
            .is_empty()
    );

    let p = NewProduction {
        credit_code: code(2),
        period: Period::new(2023, 3).unwrap(),
        product: "水泥熟料".into(),
        cn_code: "25231000".into(),
        quantity_t: d("10"),
        route: String::new(),
        row: 2,
    };
    s.import_production(ImportRows::new(&meta("production", "p.csv"), &[p], &[], 1))
        .unwrap();
    assert_eq!(s.producers(&Access::All, 2023).unwrap(), vec![code(2)]);
    assert!(s.producers(&Access::All, 2024).unwrap().is_empty());
    assert!(s.producers(&Access::Org(code(1)), 2023).unwrap().is_empty());
}
