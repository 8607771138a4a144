//! Generators' declared wastes (产废单位申报): the file's validation and the check at
//! submission, exactly at and one tonne over what is left of the declared amount; and the
//! utilisation share of a set of generators.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use zp_domain::{CreditCode, Region};
use zp_waste::import::validate_declarations;
use zp_waste::*;

mod common;
use common::{date, generator, permit, plan, receiver, request};

fn declared(annual_t: Decimal) -> Declaration {
    Declaration {
        generator: generator(),
        code: "900-249-08".into(),
        year: 2024,
        annual_t,
        source: "test".into(),
    }
}

/// An earlier application of the generator for the code: 30 t, approved or pending.
fn earlier(tonnes_t: Decimal, rejected: bool) -> Load {
    Load {
        permit_no: "CQW-2024-001".into(),
        code: "900-249-08".into(),
        whitelist_agreement: None,
        generator: generator(),
        receiver: receiver(),
        usage: Usage {
            tonnes_t,
            rejected,
            ..Usage::default()
        },
    }
}

fn declaration_check(p: &Planned) -> &Check {
    p.checks.iter().find(|c| c.check == "declaration").unwrap()
}

#[test]
fn declared_amount_exactly_at_and_one_tonne_over_what_is_left() {
    // Declared 100 t; 30 t applied earlier, a rejected 500 t takes nothing: 70 t left.
    let ctx = ApplyContext {
        permits: vec![permit(dec!(1000))],
        loads: vec![earlier(dec!(30), false), earlier(dec!(500), true)],
        declarations: Some(vec![declared(dec!(100))]),
        ..Default::default()
    };
    let at = plan(&request(dec!(70), "2024-09-27"), &ctx).unwrap();
    let c = declaration_check(&at);
    assert!(c.passed);
    assert_eq!(
        c.detail,
        "declared 100 t of 900-249-08 for 2024, 30 t applied for earlier, 70 t left"
    );
    let over = plan(&request(dec!(71), "2024-09-27"), &ctx).unwrap_err();
    assert_eq!(
        over.to_string(),
        format!(
            "generator {} declared 100 t of 900-249-08 for 2024; 30 t applied for earlier, 70 t left; 71 t asked",
            generator()
        )
    );
}

#[test]
fn a_code_or_year_not_declared_is_refused() {
    let mut other_year = declared(dec!(100));
    other_year.year = 2025;
    let mut other_code = declared(dec!(100));
    other_code.code = "900-214-08".into();
    let ctx = ApplyContext {
        permits: vec![permit(dec!(1000))],
        declarations: Some(vec![other_year, other_code]),
        ..Default::default()
    };
    let e = plan(&request(dec!(1), "2024-09-27"), &ctx)
        .unwrap_err()
        .to_string();
    assert!(e.contains("declared no 900-249-08 for 2024"), "{e}");
}

#[test]
fn without_any_declaration_imported_the_check_says_it_was_not_possible() {
    let ctx = ApplyContext {
        permits: vec![permit(dec!(1000))],
        declarations: None,
        ..Default::default()
    };
    let p = plan(&request(dec!(5000), "2024-09-27"), &ctx);
    // The permit (1000 t) refuses 5000 t; 10 t goes through with the check marked.
    assert!(p.is_err());
    let p = plan(&request(dec!(10), "2024-09-27"), &ctx).unwrap();
    let c = declaration_check(&p);
    assert!(!c.passed);
    assert!(c.detail.starts_with("not possible"), "{}", c.detail);
}

fn table(rows: &[&str]) -> (Vec<String>, Vec<(i64, Vec<String>)>) {
    let headers = "generator,code,annual_t,year,source"
        .split(',')
        .map(String::from)
        .collect();
    let rows = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (i as i64 + 2, r.split(',').map(String::from).collect()))
        .collect();
    (headers, rows)
}

#[test]
fn declaration_rows_are_validated_by_field() {
    let g = generator();
    let lines = [
        format!("{g},900-249-08,120.5,2024,排污许可证执行报告"),
        format!("{g},HW08,10,2024,x"),
        format!("{g},900-999-08,10,2024,x"),
        format!("{g},900-249-08,0,2025,x"),
        format!("{g},900-249-08,10,24,x"),
        "91510100MA6XGEN0X,900-249-08,10,2024,x".to_string(),
        format!("{g},900-249-08,99,2024,again"),
        format!("{g},900-249-08,10,2025,"),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (h, rows) = table(&refs);
    let (ok, bad) = validate_declarations(&h, &rows, Catalog::builtin());
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[0].annual_t, dec!(120.5));
    assert_eq!((ok[1].year, ok[1].source.as_str()), (2025, ""));
    let fields: Vec<(i64, &str)> = bad.iter().map(|b| (b.row, b.field.as_str())).collect();
    assert_eq!(
        fields,
        vec![
            (3, "code"),
            (4, "code"),
            (5, "annual_t"),
            (6, "year"),
            (7, "generator"),
            (8, "code")
        ]
    );
    assert!(bad[0].reason.contains("is a category"), "{}", bad[0].reason);
    assert!(bad[5].reason.contains("appears twice"), "{}", bad[5].reason);
    assert_eq!(ok.len() + bad.len(), rows.len());
}

#[test]
fn utilisation_share_of_chosen_generators() {
    let app = |id: i64, g: CreditCode, purpose: Purpose, submitted: &str| Application {
        id,
        generator: g,
        receiver: receiver(),
        code: "900-249-08".into(),
        tonnes_t: dec!(50),
        from_province: Region::parse("SC").unwrap(),
        to_province: Region::parse("CQ").unwrap(),
        submitted_on: date(submitted),
        planned_to: date("2024-12-31"),
        transport: "road".into(),
        purpose,
        permit_no: "CQW-2024-001".into(),
        whitelisted: false,
        whitelist_agreement: None,
        due_on: date("2024-11-01"),
        checks: vec![],
        export: None,
        import: None,
    };
    let manifest = |id: i64, application_id: i64, received: Option<Decimal>| Manifest {
        id,
        application_id,
        shipped_t: dec!(10),
        shipped_on: date("2024-10-10"),
        transporters: vec!["t".into()],
        received_t: received,
        received_on: received.map(|_| date("2024-10-11")),
        discrepancy: false,
    };
    let stranger = CreditCode::complete("91500112MA60XTHER").unwrap();
    let apps = [
        app(1, generator(), Purpose::Utilise, "2024-03-01"),
        app(2, generator(), Purpose::Dispose, "2024-04-01"),
        app(3, stranger.clone(), Purpose::Dispose, "2024-04-01"),
        app(4, generator(), Purpose::Dispose, "2023-04-01"),
    ];
    let manifests = [
        manifest(1, 1, Some(dec!(9.5))),
        manifest(2, 1, None),
        manifest(3, 2, Some(dec!(10.5))),
        manifest(4, 3, Some(dec!(100))),
        manifest(5, 4, Some(dec!(100))),
    ];
    let u = generators_utilisation(|g| *g == generator(), 2024, &apps, &manifests);
    assert_eq!(u.applications, 2);
    assert_eq!((u.received_t, u.utilised_t), (dec!(20), dec!(9.5)));
    assert_eq!(u.share, Some(dec!(0.475)));
    let none = generators_utilisation(|g| *g == stranger, 2025, &apps, &manifests);
    assert_eq!((none.applications, none.share), (0, None));
}
