//! The core of cross-province transfers with literal numbers: permit and whitelist capacity
//! exactly at and one tonne over what is left, due dates over holidays, the decision order,
//! manifest discrepancies and the report.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use zp_domain::{Calendar, Region};
use zp_waste::*;

mod common;
use common::{date, generator, permit, plan, receiver, request};

fn entry(cap_t: Decimal) -> WhitelistEntry {
    WhitelistEntry {
        agreement: "SC-CQ-2024-01".into(),
        from_province: Region::parse("SC").unwrap(),
        to_province: Region::parse("CQ").unwrap(),
        generator: generator(),
        receiver: receiver(),
        codes: vec!["900-249-08".into()],
        yearly_cap_t: cap_t,
        valid_from: date("2024-01-01"),
        valid_to: date("2025-12-31"),
        source: "test".into(),
    }
}

/// An earlier whitelisted application of 2024: 40 t approved, one manifest of 10 t shipped
/// and 9.5 t received. It uses 9.5 + (40 - 10) = 39.5 t.
fn earlier() -> Load {
    Load {
        permit_no: "CQW-2024-001".into(),
        code: "900-249-08".into(),
        whitelist_agreement: Some("SC-CQ-2024-01".into()),
        generator: generator(),
        receiver: receiver(),
        usage: Usage {
            tonnes_t: dec!(40),
            received_t: dec!(9.5),
            received_shipped_t: dec!(10),
            rejected: false,
        },
    }
}

/// A rejected application: takes nothing.
fn rejected() -> Load {
    Load {
        usage: Usage {
            tonnes_t: dec!(500),
            rejected: true,
            ..Usage::default()
        },
        ..earlier()
    }
}

#[test]
fn permit_capacity_exactly_at_and_one_tonne_over_what_is_left() {
    // Capacity 100 t, 39.5 t used by the earlier application: 60.5 t left.
    let ctx = ApplyContext {
        permits: vec![permit(dec!(100))],
        whitelist: vec![],
        loads: vec![earlier(), rejected()],
        ..ApplyContext::default()
    };
    let at = plan(&request(dec!(60.5), "2024-09-27"), &ctx).unwrap();
    assert_eq!(at.permit_no, "CQW-2024-001");
    assert!(!at.whitelisted);
    let over = plan(&request(dec!(61.5), "2024-09-27"), &ctx).unwrap_err();
    assert_eq!(
        over.to_string(),
        "permit CQW-2024-001 has 60.5 t of its 100 t for 2024 left; 61.5 t asked"
    );
}

#[test]
fn whitelist_cap_exactly_at_and_one_tonne_over_what_is_left() {
    // Yearly cap 50 t, 39.5 t used: 10.5 t left; the permit has room (1000 - 39.5).
    let ctx = ApplyContext {
        permits: vec![permit(dec!(1000))],
        whitelist: vec![entry(dec!(50))],
        loads: vec![earlier()],
        ..ApplyContext::default()
    };
    let at = plan(&request(dec!(10.5), "2024-09-27"), &ctx).unwrap();
    assert!(at.whitelisted);
    assert_eq!(at.whitelist_agreement.as_deref(), Some("SC-CQ-2024-01"));
    // 5 working days after Fri 2024-09-27: 09-29 Sun (make-up), 09-30, 10-08, 10-09, 10-10.
    assert_eq!(at.due_on, date("2024-10-10"));
    // One tonne over: not refused (the permit has room) but not whitelisted; statutory 20
    // working days: 09-29, 09-30, 10-08..10-11 (4), 10-12 Sat make-up, 10-14..10-18 (5),
    // 10-21..10-25 (5), 10-28, 10-29, 10-30 -> the 20th is 2024-10-30.
    let over = plan(&request(dec!(11.5), "2024-09-27"), &ctx).unwrap();
    assert!(!over.whitelisted);
    assert_eq!(over.due_on, date("2024-10-30"));
    let wl = over.checks.iter().find(|c| c.check == "whitelist").unwrap();
    assert_eq!(
        wl.detail,
        "SC-CQ-2024-01: 10.5 t of the yearly 50 t left; 11.5 t asked"
    );
}

#[test]
fn refusals_name_their_reason() {
    let ctx = ApplyContext {
        permits: vec![permit(dec!(100))],
        ..Default::default()
    };
    let mut r = request(dec!(1), "2024-09-27");
    r.code = "900-041-49".into();
    assert!(
        plan(&r, &ctx)
            .unwrap_err()
            .to_string()
            .contains("no permit in CQ covering 900-041-49")
    );
    let mut r = request(dec!(1), "2024-09-27");
    r.to_province = Region::parse("SC").unwrap();
    assert!(
        plan(&r, &ctx)
            .unwrap_err()
            .to_string()
            .contains("not a transfer between two provinces")
    );
    // Permit valid to 2026-12-31, calendar covers 2026: fine; 2027 is not covered.
    assert!(matches!(
        plan(&request(dec!(1), "2027-01-04"), &ctx),
        Err(WasteError::Calendar(_))
    ));
    let mut r = request(dec!(1), "2024-09-27");
    r.code = "999-999-08".into();
    assert!(plan(&r, &ctx).is_err());
}

fn application(p: &Planned, req: &NewApplication) -> Application {
    Application {
        id: 1,
        generator: req.generator.clone(),
        receiver: req.receiver.clone(),
        code: req.code.clone(),
        tonnes_t: req.tonnes_t,
        from_province: req.from_province,
        to_province: req.to_province,
        submitted_on: req.submitted_on,
        planned_to: p.planned_to,
        transport: req.transport.clone(),
        purpose: req.purpose,
        permit_no: p.permit_no.clone(),
        whitelisted: p.whitelisted,
        whitelist_agreement: p.whitelist_agreement.clone(),
        due_on: p.due_on,
        checks: p.checks.clone(),
        export: None,
        import: None,
    }
}

#[test]
fn decisions_shipments_and_the_report() {
    let cal = Calendar::china();
    let ctx = ApplyContext {
        permits: vec![permit(dec!(100))],
        whitelist: vec![entry(dec!(50))],
        loads: vec![],
        ..ApplyContext::default()
    };
    let req = request(dec!(20), "2024-09-27");
    let mut app = application(&plan(&req, &ctx).unwrap(), &req);
    // The exporting province cannot approve before the importing one consented.
    let early = decide(
        &app,
        Side::Export,
        &Verdict::Approve,
        date("2024-09-29"),
        "sc",
        cal,
    );
    assert!(
        early
            .unwrap_err()
            .to_string()
            .contains("after the importing province")
    );
    app.import = Some(
        decide(
            &app,
            Side::Import,
            &Verdict::Approve,
            date("2024-09-30"),
            "cq",
            cal,
        )
        .unwrap(),
    );
    let again = decide(
        &app,
        Side::Import,
        &Verdict::Approve,
        date("2024-10-08"),
        "cq",
        cal,
    );
    assert!(again.is_err());
    app.export = Some(
        decide(
            &app,
            Side::Export,
            &Verdict::Approve,
            date("2024-10-08"),
            "sc",
            cal,
        )
        .unwrap(),
    );
    assert_eq!(app.status(), Status::Approved);
    // 09-29 (1), 09-30 (2), 10-08 (3).
    assert_eq!(app.working_days_taken(cal).unwrap(), Some(3));
    assert!(!app.overdue(date("2024-12-31")));

    let manifest = |id, t: Decimal| Manifest {
        id,
        application_id: 1,
        shipped_t: t,
        shipped_on: date("2024-10-09"),
        transporters: vec!["渝运危货".into()],
        received_t: None,
        received_on: None,
        discrepancy: false,
    };
    let transporters = vec!["渝运危货".to_string()];
    check_shipment(&app, &[], dec!(20), date("2024-10-09"), &transporters).unwrap();
    let too_much = check_shipment(
        &app,
        &[manifest(1, dec!(12))],
        dec!(8.5),
        date("2024-10-09"),
        &transporters,
    );
    assert!(
        too_much
            .unwrap_err()
            .to_string()
            .contains("12 t shipped already")
    );
    // Tolerance 2 %: of 12 t shipped, 0.24 t. 11.76 received is within; 11.7 is not.
    let rules = Rules::builtin();
    let m = manifest(1, dec!(12));
    assert!(
        !receive(&m, dec!(11.76), date("2024-10-10"), &rules)
            .unwrap()
            .discrepancy
    );
    let r = receive(&m, dec!(11.7), date("2024-10-10"), &rules).unwrap();
    assert!(r.discrepancy);
    assert_eq!(r.difference_t, dec!(-0.3));

    let received = Manifest {
        received_t: Some(dec!(11.7)),
        received_on: Some(date("2024-10-10")),
        discrepancy: true,
        ..m
    };
    let rep = report(
        Region::parse("CQ").unwrap(),
        2024,
        &[app],
        &[received],
        cal,
        date("2024-12-31"),
    )
    .unwrap();
    assert_eq!(
        (rep.applications, rep.approved, rep.whitelisted_approved),
        (1, 1, 1)
    );
    assert_eq!(rep.whitelist_share, Some(dec!(1)));
    assert_eq!(rep.imported_t, dec!(20));
    assert_eq!(rep.exported_t, dec!(0));
    assert_eq!(rep.median_approval_working_days, Some(dec!(3)));
    assert_eq!((rep.received_t, rep.discrepancies), (dec!(11.7), 1));
    assert_eq!(rep.utilisation_share, Some(dec!(1)));
}

#[test]
fn median_of_even_and_odd_counts() {
    assert_eq!(stats::median(&mut [5, 1, 3]), Some(dec!(3)));
    assert_eq!(stats::median(&mut [4, 1, 3, 20]), Some(dec!(3.5)));
    assert_eq!(stats::median(&mut []), None);
}

#[test]
fn permit_and_whitelist_files_quarantine_bad_rows() {
    let h = |cols: &[&str]| cols.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let headers = h(zp_waste::import::PERMIT_COLUMNS);
    let row = |n: i64, cells: &[&str]| (n, h(cells));
    let g = receiver().as_str().to_string();
    let rows = vec![
        row(
            2,
            &[
                "P1",
                &g,
                "CQ",
                "HW08;900-041-49",
                "100",
                "2024-01-01",
                "2026-12-31",
                "test",
            ],
        ),
        row(
            3,
            &[
                "P2",
                &g,
                "CQ",
                "HW99",
                "100",
                "2024-01-01",
                "2026-12-31",
                "test",
            ],
        ),
        row(
            4,
            &[
                "P3",
                &g,
                "CQ",
                "HW08",
                "-5",
                "2024-01-01",
                "2026-12-31",
                "test",
            ],
        ),
        row(
            5,
            &[
                "P1",
                &g,
                "CQ",
                "HW08",
                "5",
                "2024-01-01",
                "2026-12-31",
                "test",
            ],
        ),
        row(
            6,
            &[
                "P4",
                &g,
                "CQ",
                "HW08",
                "5",
                "2024-01-01",
                "2023-12-31",
                "test",
            ],
        ),
    ];
    let (ok, bad) = zp_waste::import::validate_permits(&headers, &rows, Catalog::builtin());
    assert_eq!(ok.len(), 1);
    let got: Vec<(i64, &str)> = bad.iter().map(|b| (b.row, b.field.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (3, "codes"),
            (4, "capacity_t"),
            (5, "permit_no"),
            (6, "valid_to")
        ]
    );
}
