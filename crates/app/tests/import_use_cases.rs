//! The import use cases as the CLI and the server call them: scoped to the caller, counts
//! that add up, a dry run that stores nothing and shows each restatement.

use std::path::Path;
use zp_app::{Caller, ImportKind, Limits, read_table};
use zp_domain::CreditCode;
use zp_store::{Access, Store};

mod common;
use common::{import, write};

const A: &str = "91500112MA60CEM01B";
/// A second enterprise, in another park.
const B: &str = "91500105MA5YRE01BU";

fn setup(dir: &Path) -> Box<dyn Store> {
    let mut store: Box<dyn Store> = Box::new(zp_store::open_sqlite(&dir.join("t.db")).unwrap());
    let orgs = write(
        dir,
        "orgs.csv",
        &format!(
            "credit_code,name,region,park,industry\n{A},甲水泥,CQ,甲园区,3011\n{B},乙电子,CQ,乙园区,3971\n"
        ),
    );
    import(store.as_mut(), ImportKind::Orgs, &orgs);
    let ledger = write(
        dir,
        "a.csv",
        &format!(
            "credit_code,period,carrier,quantity,unit\n{A},2023-05,electricity,13876,MWh\n{A},2023-06,electricity,12000,MWh\n"
        ),
    );
    import(store.as_mut(), ImportKind::Activity, &ledger);
    store
}

#[test]
fn dry_run_lists_each_restatement_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = setup(dir.path());
    // May restated 13,876 -> 1,200 MWh (a GBK ledger of another unit), June unchanged,
    // July new, one bad row.
    let f = write(
        dir.path(),
        "b.csv",
        &format!(
            "credit_code,period,carrier,quantity,unit\n{A},2023-05,electricity,1200,MWh\n{A},2023-06,electricity,1200,万kWh\n{A},2023-07,electricity,900,MWh\n{A},2023-13,electricity,1,MWh\n"
        ),
    );
    let table = read_table(&f, Limits::default()).unwrap();
    let p = zp_app::preview_table(
        store.as_mut(),
        &Caller::operator("test"),
        ImportKind::Activity,
        &table,
        None,
    )
    .unwrap();
    // 4 rows: the month-13 row quarantined; June is 1,200 万kWh = 12,000 MWh (duplicate);
    // May restated; July new.
    assert_eq!(
        (p.counts.read, p.counts.accepted, p.counts.quarantined),
        (4, 3, 1)
    );
    assert_eq!((p.counts.duplicates, p.counts.restated), (1, 1));
    assert_eq!(p.changes.len(), 1);
    let c = &p.changes[0];
    assert_eq!(
        (c.period.as_str(), c.carrier.as_str()),
        ("2023-05", "electricity")
    );
    // (1,200 - 13,876) / 13,876 = -91.35 % -> -91.4 at one decimal.
    assert_eq!(c.change_pct, Some(rust_decimal::Decimal::new(-914, 1)));
    // Nothing stored: May still reads 13,876 MWh and no batch was recorded.
    let code = CreditCode::parse(A).unwrap();
    let may = store
        .activity(&Access::All, &code, 2023)
        .unwrap()
        .into_iter()
        .find(|r| r.period.to_string() == "2023-05")
        .unwrap();
    assert_eq!(may.quantity.value, rust_decimal::Decimal::from(13876));
    assert_eq!(
        store.batches(10).unwrap().len(),
        2,
        "orgs and the first ledger only"
    );
}

#[test]
fn a_scoped_caller_cannot_write_or_see_another_enterprise() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = setup(dir.path());
    let caller = Caller::new(Access::Org(CreditCode::parse(B).unwrap()), "user:b");
    let f = write(
        dir.path(),
        "c.csv",
        &format!(
            "credit_code,period,carrier,quantity,unit\n{A},2023-05,electricity,1,MWh\n{B},2023-05,electricity,2,MWh\n"
        ),
    );
    let out = zp_app::import_file(
        store.as_mut(),
        &caller,
        ImportKind::Activity,
        &f,
        Limits::default(),
        None,
    )
    .unwrap();
    // B's own row is accepted; A's row is quarantined like an unknown enterprise.
    assert_eq!(
        (out.counts.read, out.counts.accepted, out.counts.quarantined),
        (2, 1, 1)
    );
    assert_eq!(out.rejected[0].row, 2);
    assert_eq!(out.rejected[0].field, "credit_code");
    let a = CreditCode::parse(A).unwrap();
    let may = store.activity(&Access::All, &a, 2023).unwrap();
    assert_eq!(
        may[0].quantity.value,
        rust_decimal::Decimal::from(13876),
        "A unchanged"
    );
    // Reference data needs the unscoped operator.
    let g = write(
        dir.path(),
        "g.csv",
        "region,ts,tco2_per_mwh\nCQ,2023-07-10T10:00:00+08:00,0.5\n",
    );
    let err = zp_app::import_file(
        store.as_mut(),
        &caller,
        ImportKind::GridHourly,
        &g,
        Limits::default(),
        None,
    )
    .unwrap_err();
    assert!(matches!(err, zp_app::ImportError::Invalid(_)), "{err}");
}

#[test]
fn re_importing_the_same_file_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = setup(dir.path());
    let op = Caller::operator("test");
    let again = zp_app::import_file(
        store.as_mut(),
        &op,
        ImportKind::Activity,
        &dir.path().join("a.csv"),
        Limits::default(),
        None,
    )
    .unwrap();
    // Both rows already stored with the same values: two duplicates, nothing restated.
    assert_eq!(
        (
            again.counts.read,
            again.counts.accepted,
            again.counts.duplicates,
            again.counts.restated
        ),
        (2, 2, 2, 0)
    );
    let a = CreditCode::parse(A).unwrap();
    let history = store.activity_history(&Access::All, &a).unwrap();
    assert_eq!(history.len(), 2, "no new versions");
}

/// Issue 14 #3: pages open on the latest complete year. A has all of 2023 and B half of it;
/// both have January to June of 2024. Counting enterprises with any rows ties the years
/// (2 and 2) and took the later, half-reported 2024; counting complete years first gives
/// 2023 (A complete) over 2024 (none complete). With 2024 completed for A as well, the tie
/// on complete enterprises goes to the later year.
#[test]
fn pages_open_on_the_latest_complete_year_and_the_busiest_park() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = setup(dir.path());
    let month_rows = |org: &str, year: i32, months: std::ops::RangeInclusive<u32>| {
        months
            .map(|m| format!("{org},{year}-{m:02},electricity,100,MWh\n"))
            .collect::<String>()
    };
    let ledger = format!(
        "credit_code,period,carrier,quantity,unit\n{}{}{}{}",
        month_rows(A, 2023, 1..=12),
        month_rows(B, 2023, 1..=6),
        month_rows(A, 2024, 1..=6),
        month_rows(B, 2024, 1..=6),
    );
    import(
        store.as_mut(),
        ImportKind::Activity,
        &write(dir.path(), "years.csv", &ledger),
    );
    let access = Access::All;
    let orgs = store.orgs(&access, &Default::default()).unwrap();
    let years = store.activity_years(&access).unwrap();
    assert_eq!(years, vec![2024, 2023]);
    let year = |s: &mut dyn Store| zp_app::park::default_year(s, &access, &orgs, &years).unwrap();
    assert_eq!(year(store.as_mut()), 2023);
    let rest = format!(
        "credit_code,period,carrier,quantity,unit\n{}",
        month_rows(A, 2024, 7..=12)
    );
    import(
        store.as_mut(),
        ImportKind::Activity,
        &write(dir.path(), "rest.csv", &rest),
    );
    assert_eq!(year(store.as_mut()), 2024);
    // Months with figures, as the pages count them.
    let months = |n: usize| {
        (0..n)
            .map(|i| zp_app::park::MonthFigures {
                period: format!("2024-{:02}", i + 1),
                energy_tce: rust_decimal::Decimal::ONE,
                ..Default::default()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(zp_app::park::months_with_figures(&months(6)), 6);
    let mut with_empty = months(7);
    with_empty[6].energy_tce = rust_decimal::Decimal::ZERO;
    assert_eq!(zp_app::park::months_with_figures(&with_empty), 6);
    // The busiest park: with one enterprise each, the first listed (乙 sorts before 甲);
    // a third enterprise joins 甲园区, which then has two to 乙园区's one.
    let c = "91500105MA5YRE02C0";
    let more = write(
        dir.path(),
        "more.csv",
        &format!("credit_code,name,region,park,industry\n{c},丙电子,CQ,甲园区,3971\n"),
    );
    let parks = store.parks(&access).unwrap();
    let first = zp_app::park::busiest_park(store.as_mut(), &access, &parks).unwrap();
    assert_eq!(
        (parks[0].name.as_str(), first.unwrap().name.as_str()),
        ("乙园区", "乙园区"),
        "equal counts: the first listed"
    );
    import(store.as_mut(), ImportKind::Orgs, &more);
    let busiest = zp_app::park::busiest_park(store.as_mut(), &access, &parks).unwrap();
    assert_eq!(busiest.unwrap().name, "甲园区");
}
