//! Building storage against SQLite and PostgreSQL (same backend setup as `suite.rs`): a
//! building round-trips exactly, setting it again unchanged changes nothing, a changed one
//! is replaced with before and after in the audit log, an unknown enterprise is refused,
//! reads are filtered by the caller's access; standard values are keyed by type and zone.

use rust_decimal_macros::dec;
use zp_store::*;

mod common;
use common::fixtures::{code, org};
use common::suite;

suite!("zp_buildings"; buildings_round_trip_are_audited_and_scoped, standards_are_keyed_by_type_and_zone);

fn building(site: &str, n: u32) -> Building {
    Building {
        site: site.into(),
        credit_code: code(n),
        kind: "office".into(),
        floor_area_m2: dec!(12500.5),
        climate_zone: "hot_summer_cold_winter".into(),
        stars: Some(3),
        updated_by: String::new(),
        updated_at: String::new(),
    }
}

fn buildings_round_trip_are_audited_and_scoped(s: &mut dyn Store) {
    s.upsert_org(&org(1, "甲园区", "7040"), "t").unwrap();
    s.upsert_org(&org(2, "乙园区", "7040"), "t").unwrap();
    let a = building("A座", 1);
    assert_eq!(s.set_building(&a, "alice").unwrap(), Upsert::Inserted);
    assert_eq!(s.set_building(&a, "alice").unwrap(), Upsert::Unchanged);
    let got = s.building(&Access::All, "A座").unwrap().unwrap();
    assert_eq!(
        (got.floor_area_m2, got.stars, got.updated_by.as_str()),
        (dec!(12500.5), Some(3), "alice")
    );
    let bigger = Building {
        floor_area_m2: dec!(13000),
        stars: None,
        ..a.clone()
    };
    assert_eq!(s.set_building(&bigger, "bob").unwrap(), Upsert::Updated);
    let audit = s.audit(20).unwrap();
    let update = audit
        .iter()
        .find(|e| e.entity == "building" && e.action == "update")
        .expect("the update is audited");
    assert!(update.before.as_deref().unwrap().contains("12500.5"));
    assert!(update.after.as_deref().unwrap().contains("13000"));
    // An enterprise that does not exist is refused, naming it.
    let e = s.set_building(&building("C座", 9), "t").unwrap_err();
    assert!(e.to_string().contains("no enterprise"), "{e}");
    s.set_building(&building("B座", 2), "t").unwrap();
    let mut park = |p: &str| {
        s.buildings(&Access::Park(p.into()))
            .unwrap()
            .into_iter()
            .map(|b| b.site)
            .collect::<Vec<_>>()
    };
    assert_eq!(park("甲园区"), vec!["A座"]);
    assert_eq!(park("乙园区"), vec!["B座"]);
    assert!(s.building(&Access::Org(code(2)), "A座").unwrap().is_none());
    assert_eq!(s.buildings(&Access::All).unwrap().len(), 2);
}

fn standards_are_keyed_by_type_and_zone(s: &mut dyn Store) {
    let v = BuildingStandard {
        kind: "office".into(),
        climate_zone: "cold".into(),
        constraint_kwh_per_m2: dec!(85),
        guide_kwh_per_m2: dec!(65.5),
        source: "test values".into(),
    };
    assert_eq!(s.set_building_standard(&v, "t").unwrap(), Upsert::Inserted);
    assert_eq!(s.set_building_standard(&v, "t").unwrap(), Upsert::Unchanged);
    let hotel = BuildingStandard {
        kind: "hotel".into(),
        ..v.clone()
    };
    s.set_building_standard(&hotel, "t").unwrap();
    let stricter = BuildingStandard {
        guide_kwh_per_m2: dec!(60),
        ..v.clone()
    };
    assert_eq!(
        s.set_building_standard(&stricter, "t").unwrap(),
        Upsert::Updated
    );
    let all = s.building_standards().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[1], stricter, "ordered by type: hotel, office");
}
