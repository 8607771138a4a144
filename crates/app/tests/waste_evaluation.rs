//! The zero-carbon park evaluation's `solid_waste_utilisation` from hazardous-waste
//! transfers: used, with its evidence and note, when the park has no imported figure for the
//! year; an imported figure takes precedence; enterprises and other years get nothing derived.

use rust_decimal_macros::dec;
use std::path::Path;
use zp_app::evaluate::{EvaluationKind, EvaluationReport, EvaluationScope, SchemeChoice};
use zp_app::waste::{self as uc, NewApplication, NewManifest, Purpose, Side, Verdict, WasteRules};
use zp_app::{Caller, ImportKind};
use zp_domain::time::Date;
use zp_domain::{CreditCode, Region};
use zp_store::{Access, Store};

mod common;
use common::{import, write};

/// The park's enterprise (a generator in Chongqing).
const A: &str = "91500112MA60CEM01B";
const PARK: &str = "甲园区";

fn receiver() -> CreditCode {
    CreditCode::complete("91510100MA6XREC01").unwrap()
}

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

/// One approved transfer of the park's enterprise for `purpose`, shipped `shipped_t` and
/// received `received_t`.
fn transfer(
    store: &mut dyn Store,
    purpose: Purpose,
    shipped_t: rust_decimal::Decimal,
    received_t: rust_decimal::Decimal,
) {
    let op = Caller::operator("test");
    let rules = WasteRules::builtin();
    let req = NewApplication {
        generator: CreditCode::parse(A).unwrap(),
        receiver: receiver(),
        code: "900-249-08".into(),
        tonnes_t: shipped_t,
        from_province: Region::parse("CQ").unwrap(),
        to_province: Region::parse("SC").unwrap(),
        submitted_on: date("2024-03-04"),
        planned_to: None,
        transport: "road".into(),
        purpose,
    };
    let a = uc::apply(store, &op, &req, &rules).unwrap();
    for side in [Side::Import, Side::Export] {
        uc::decide(
            store,
            &op,
            a.id,
            side,
            &Verdict::Approve,
            date("2024-03-06"),
        )
        .unwrap();
    }
    let m = uc::ship(
        store,
        &op,
        a.id,
        &NewManifest {
            shipped_t,
            shipped_on: date("2024-03-11"),
            transporters: vec!["川渝危运".into()],
        },
        &rules,
    )
    .unwrap();
    uc::receive(store, &op, m.id, received_t, date("2024-03-12"), &rules).unwrap();
}

fn setup(dir: &Path) -> Box<dyn Store> {
    let mut store: Box<dyn Store> = Box::new(zp_store::open_sqlite(&dir.join("t.db")).unwrap());
    let orgs = write(
        dir,
        "orgs.csv",
        &format!("credit_code,name,region,park,industry\n{A},甲水泥,CQ,{PARK},3011\n"),
    );
    import(store.as_mut(), ImportKind::Orgs, &orgs);
    let ledger = write(
        dir,
        "a.csv",
        &format!("credit_code,period,carrier,quantity,unit\n{A},2024-05,electricity,1000,MWh\n"),
    );
    import(store.as_mut(), ImportKind::Activity, &ledger);
    let r = receiver();
    let permits = write(
        dir,
        "permits.csv",
        &format!(
            "permit_no,holder,province,codes,capacity_t,valid_from,valid_to,source\n\
             SCW-001,{r},SC,HW08,1000,2024-01-01,2026-12-31,test permit\n"
        ),
    );
    let op = Caller::operator("test");
    uc::import_reference(store.as_mut(), &op, uc::ReferenceKind::Permits, &permits).unwrap();
    // 20 t for utilisation (19.5 t received), 10 t for disposal (10 t received).
    transfer(store.as_mut(), Purpose::Utilise, dec!(20), dec!(19.5));
    transfer(store.as_mut(), Purpose::Dispose, dec!(10), dec!(10));
    store
}

fn evaluate(store: &mut dyn Store, scope: EvaluationScope, year: i32) -> EvaluationReport {
    zp_app::evaluate::evaluate(
        store,
        &Access::All,
        EvaluationKind::ZeroCarbonPark,
        &scope,
        year,
        &SchemeChoice::default(),
        None,
        "test",
    )
    .unwrap()
}

#[test]
fn park_without_an_imported_figure_uses_the_manifests_share() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = setup(dir.path());
    let r = evaluate(store.as_mut(), EvaluationScope::Park(PARK.into()), 2024);
    let i = r.evaluation.indicator("solid_waste_utilisation").unwrap();
    // 19.5 / 29.5 = 0.66101..., 4 decimals as in the waste report.
    assert_eq!(i.value, Some(dec!(0.6610)));
    assert_eq!(
        i.evidence.as_deref(),
        Some("hazardous-waste manifests, 29.5 t received, 19.5 t utilised")
    );
    let note = i.note.as_deref().unwrap();
    assert!(note.contains("not all industrial solid waste"), "{note}");
    assert!(note.contains("imported"), "{note}");
    // Below the 0.80 threshold: a failure, not a pass and not missing.
    assert!(!i.pass);
    assert!(!r.evaluation.missing.contains(&i.id));
    // The derived value is part of the evaluation's recorded inputs.
    assert!(
        r.evaluation
            .inputs
            .data
            .iter()
            .any(|d| d.indicator == "solid_waste_utilisation" && d.value == dec!(0.6610))
    );

    // Another year without transfers: still missing, never invented.
    let r = evaluate(store.as_mut(), EvaluationScope::Park(PARK.into()), 2023);
    let i = r.evaluation.indicator("solid_waste_utilisation").unwrap();
    assert_eq!(i.value, None);
    assert!(r.evaluation.missing.contains(&i.id));

    // An enterprise's evaluation derives nothing (the scope item is the park's).
    let r = evaluate(
        store.as_mut(),
        EvaluationScope::Org(CreditCode::parse(A).unwrap()),
        2024,
    );
    assert!(
        r.evaluation
            .indicator("solid_waste_utilisation")
            .unwrap()
            .value
            .is_none()
    );
}

#[test]
fn an_imported_figure_takes_precedence() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = setup(dir.path());
    let f = write(
        dir.path(),
        "ind.csv",
        &format!(
            "scope_id,indicator,period,value,unit,evidence\n\
             {PARK},solid_waste_utilisation,2024,85,%,固废台账 2024\n"
        ),
    );
    import(store.as_mut(), ImportKind::Indicators, &f);
    let r = evaluate(store.as_mut(), EvaluationScope::Park(PARK.into()), 2024);
    let i = r.evaluation.indicator("solid_waste_utilisation").unwrap();
    assert_eq!(i.value, Some(dec!(0.85)));
    assert!(i.evidence.as_deref().unwrap().starts_with("固废台账 2024"));
    assert!(i.note.is_none(), "{:?}", i.note);
    assert!(i.pass);
}
