//! Hazardous waste transfer storage against SQLite and PostgreSQL (same backend setup as
//! `suite.rs`): permit imports count duplicates and restatements, submissions see the
//! capacity taken by earlier ones, decisions and manifests round-trip, and reads filter by
//! access; generators' declarations import idempotently and bound the year's applications.

use rust_decimal_macros::dec;
use zp_domain::{Calendar, CreditCode, Region};
use zp_store::*;

mod common;
use common::fixtures::meta;
use common::suite;
use zp_waste::{
    ApplyContext, Catalog, NewApplication, Permit, Purpose, Rules, Side, Status, Verdict,
    check_shipment, decide, plan_application, receive,
};

suite!("zp_waste"; waste_permits_applications_and_manifests, waste_declarations_import_and_check);

// The waste crate's own fixtures: its generator in SC, its receiver in CQ with a permit
// for HW08, and their applications.
#[path = "../../waste/tests/common/mod.rs"]
mod waste_fixtures;
use waste_fixtures::{date, generator, permit, receiver};

/// An application of `tonnes_t` of 900-249-08 for `purpose`, submitted 2024-09-30.
fn request(tonnes_t: rust_decimal::Decimal, purpose: Purpose) -> NewApplication {
    NewApplication {
        purpose,
        ..waste_fixtures::request(tonnes_t, "2024-09-30")
    }
}

fn submit(
    s: &mut dyn Store,
    q: &NewApplication,
    rules: &Rules,
) -> Result<zp_waste::Application, zp_waste::WasteError> {
    let plan =
        |ctx: &ApplyContext| plan_application(q, ctx, Catalog::builtin(), Calendar::china(), rules);
    s.submit_waste_application(q, &plan, "gen").unwrap()
}

fn waste_permits_applications_and_manifests(s: &mut dyn Store) {
    let (g, r) = (generator(), receiver());
    let permit = permit(dec!(30));
    let c = import_permit(s, "p1.csv", &permit, &[], 1);
    assert_eq!((c.accepted, c.duplicates, c.restated), (1, 0, 0));
    // Same row again: a duplicate; a changed capacity: a restatement.
    let c = import_permit(s, "p2.csv", &permit, &[], 1);
    assert_eq!((c.accepted, c.duplicates, c.restated), (1, 1, 0));
    let bigger = Permit {
        capacity_t: dec!(40.5),
        ..permit
    };
    let bad = Rejected {
        row: 3,
        field: "codes".into(),
        reason: "HW99".into(),
        raw: "x".into(),
    };
    let c = import_permit(s, "p3.csv", &bigger, &[bad], 2);
    assert_eq!(
        (c.read, c.accepted, c.quarantined, c.restated),
        (2, 1, 1, 1)
    );
    assert_eq!(s.waste_permits().unwrap(), vec![bigger]);

    let req = |t| request(t, Purpose::Dispose);
    let rules = Rules::builtin();
    let first = req(dec!(40));
    let a = submit(s, &first, &rules).unwrap();
    assert_eq!(a.id, 1);
    // Not whitelisted: 20 working days after Mon 2024-09-30: 10-08..10-11 (4), 10-12 Sat (5),
    // 10-14..18 (10), 10-21..25 (15), 10-28..11-01 (20).
    assert_eq!(a.due_on, date("2024-11-01"));
    // 40.5 - 40 = 0.5 t left: exactly 0.5 passes, 1.5 (one tonne over) is refused.
    let over = req(dec!(1.5));
    let e = submit(s, &over, &rules).unwrap_err();
    assert!(e.to_string().contains("has 0.5 t of its 40.5 t"), "{e}");
    let at = req(dec!(0.5));
    assert_eq!(submit(s, &at, &rules).unwrap().id, 2);

    let cal = Calendar::china();
    let import = s
        .decide_waste_application(
            1,
            Side::Import,
            &|a| {
                decide(
                    a,
                    Side::Import,
                    &Verdict::Approve,
                    date("2024-10-08"),
                    "cq",
                    cal,
                )
            },
            "cq",
        )
        .unwrap()
        .unwrap();
    assert_eq!(import.status(), Status::Pending);
    let done = s
        .decide_waste_application(
            1,
            Side::Export,
            &|a| {
                decide(
                    a,
                    Side::Export,
                    &Verdict::Approve,
                    date("2024-10-09"),
                    "sc",
                    cal,
                )
            },
            "sc",
        )
        .unwrap()
        .unwrap();
    assert_eq!(done.status(), Status::Approved);
    assert_eq!(done.export.as_ref().unwrap().actor, "sc");
    let new = NewManifest {
        shipped_t: dec!(10),
        shipped_on: date("2024-10-10"),
        transporters: vec!["a".into(), "b".into()],
    };
    let m = s
        .ship_waste_manifest(
            1,
            &new,
            &|a, ms| check_shipment(a, ms, new.shipped_t, new.shipped_on, &new.transporters),
            "gen",
        )
        .unwrap()
        .unwrap();
    assert_eq!(m.transporters, vec!["a", "b"]);
    let got = s
        .receive_waste_manifest(
            m.id,
            &|m| receive(m, dec!(9.75), date("2024-10-11"), &rules),
            "rec",
        )
        .unwrap()
        .unwrap();
    // 0.25 t short of 10 t: over the 2 % (0.2 t) tolerance.
    assert_eq!((got.received_t, got.discrepancy), (Some(dec!(9.75)), true));

    // Access in SQL: Chongqing and the two enterprises see both; Beijing and a stranger none.
    let count = |s: &mut dyn Store, a: Access| s.waste_applications(&a, Some(2024)).unwrap().len();
    assert_eq!(count(s, Access::Region(Region::parse("CQ").unwrap())), 2);
    assert_eq!(count(s, Access::Region(Region::parse("BJ").unwrap())), 0);
    assert_eq!(count(s, Access::Org(g.clone())), 2);
    assert_eq!(
        count(
            s,
            Access::Org(CreditCode::complete("91500112MA60XTHER").unwrap())
        ),
        0
    );
    assert_eq!(count(s, Access::All), 2);
    assert!(
        s.waste_application(&Access::Region(Region::parse("BJ").unwrap()), 1)
            .unwrap()
            .is_none()
    );
    assert_eq!(
        s.waste_manifests(&Access::Org(r.clone()), None)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        s.waste_applications(&Access::All, Some(2025))
            .unwrap()
            .len(),
        0
    );
    let actions: Vec<String> = s
        .audit(100)
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    for a in ["submit", "approve", "ship", "receive", "update", "import"] {
        assert!(actions.iter().any(|x| x == a), "no {a} in {actions:?}");
    }
}

/// Imports `permit` from `file` (`read` rows, `bad` quarantined).
fn import_permit(
    s: &mut dyn Store,
    file: &str,
    permit: &Permit,
    bad: &[Rejected],
    read: usize,
) -> ImportCounts {
    let meta = meta("waste-permits", file);
    s.import_waste_permits(ImportRows::new(
        &meta,
        std::slice::from_ref(permit),
        bad,
        read,
    ))
    .unwrap()
}

/// Imports `rows` of declarations from `file` (`read` rows, `bad` quarantined).
fn import_declarations(
    s: &mut dyn Store,
    file: &str,
    rows: &[zp_waste::Declaration],
    bad: &[Rejected],
    read: usize,
) -> ImportCounts {
    let meta = meta("waste-declarations", file);
    s.import_waste_declarations(ImportRows::new(&meta, rows, bad, read))
        .unwrap()
}

fn waste_declarations_import_and_check(s: &mut dyn Store) {
    let g = &generator();
    let permit = permit(dec!(1000));
    import_permit(s, "p.csv", &permit, &[], 1);
    let req = |t| request(t, Purpose::Utilise);
    let rules = Rules::builtin();
    let check = |a: &zp_waste::Application| {
        a.checks
            .iter()
            .find(|c| c.check == "declaration")
            .cloned()
            .unwrap()
    };
    // Nothing declared by anyone yet: the application goes on, its check says so.
    let first = submit(s, &req(dec!(10)), &rules).unwrap();
    let c = check(&first);
    assert!(!c.passed && c.detail.starts_with("not possible"), "{c:?}");

    let declared = |annual_t| zp_waste::Declaration {
        generator: g.clone(),
        code: "900-249-08".into(),
        year: 2024,
        annual_t,
        source: "申报".into(),
    };
    let other_year = zp_waste::Declaration {
        year: 2025,
        ..declared(dec!(5))
    };
    let bad = Rejected {
        row: 4,
        field: "code".into(),
        reason: "HW08 is a category".into(),
        raw: "x".into(),
    };
    let rows = [declared(dec!(40)), other_year.clone()];
    let c = import_declarations(s, "d1.csv", &rows, std::slice::from_ref(&bad), 3);
    assert_eq!((c.read, c.accepted, c.quarantined), (3, 2, 1));
    assert_eq!((c.duplicates, c.restated), (0, 0));
    // The same file again changes nothing.
    let row_audits = |s: &mut dyn Store| -> Vec<String> {
        s.audit(1000)
            .unwrap()
            .into_iter()
            .filter(|a| a.entity == "waste_declarations")
            .map(|a| format!("{} {}", a.action, a.entity_id))
            .collect()
    };
    assert_eq!(row_audits(s).len(), 2);
    let c = import_declarations(s, "d1.csv", &rows, std::slice::from_ref(&bad), 3);
    assert_eq!(
        (c.read, c.accepted, c.duplicates, c.quarantined),
        (3, 2, 2, 1)
    );
    assert_eq!(
        s.waste_declarations().unwrap(),
        vec![declared(dec!(40)), other_year.clone()]
    );
    assert_eq!(row_audits(s).len(), 2);
    // A changed amount is a restatement.
    let rows = [declared(dec!(45.5)), other_year.clone()];
    let c = import_declarations(s, "d2.csv", &rows, &[], 2);
    assert_eq!((c.accepted, c.duplicates, c.restated), (2, 1, 1));
    assert_eq!(s.waste_declarations().unwrap()[0].annual_t, dec!(45.5));
    assert_eq!(row_audits(s)[0], format!("update {g}/900-249-08/2024"));

    // 45.5 declared, 10 applied earlier: 35.5 left. One tonne over is refused, exactly
    // 35.5 passes, then nothing is left.
    let e = submit(s, &req(dec!(36.5)), &rules).unwrap_err();
    assert!(
        e.to_string().contains("declared 45.5 t of 900-249-08 for 2024; 10 t applied for earlier, 35.5 t left; 36.5 t asked"),
        "{e}"
    );
    let at = submit(s, &req(dec!(35.5)), &rules).unwrap();
    assert!(check(&at).passed, "{:?}", check(&at));
    let e = submit(s, &req(dec!(0.1)), &rules).unwrap_err();
    assert!(e.to_string().contains("0 t left"), "{e}");
    // Another code the generator did not declare.
    let mut other = req(dec!(1));
    other.code = "900-214-08".into();
    let e = submit(s, &other, &rules).unwrap_err();
    assert!(
        e.to_string().contains("declared no 900-214-08 for 2024"),
        "{e}"
    );
    assert_eq!(
        s.waste_applications(&Access::All, Some(2024))
            .unwrap()
            .len(),
        2
    );
}
